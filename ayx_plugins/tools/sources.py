"""One tool run's Server connection: its source, its checks, its clients and its secrets.

The engine asks this object, on the plugin thread, to check the configuration up front
(`validate`), to take the Connection anchor's record (`take_record`), to get ready before the
first request (`prepare`: decrypt the secret, read the DCM connection, warn about http:// and
TLS) and for the connection of each record (`spec_for`). No SDK import here.
"""

from __future__ import annotations

import datetime as dt
import ipaddress
import os
from collections.abc import Callable, Mapping
from dataclasses import replace
from typing import Any
from urllib.parse import urlsplit

import pyarrow as pa
import requests

from ayx_plugins.server_api import urls as _urls
from ayx_plugins.server_api.client import redact_url
from ayx_plugins.server_api.errors import ConfigurationError
from ayx_plugins.tools.config import ConnectionConfig, secret_text
from ayx_plugins.tools.connection import (
    CONNECTION_ANCHOR,
    Clients,
    ConfigError,
    ConnSpec,
    DcmRequest,
    RowError,
    anchor_spec,
    dcm_spec,
    hhmm,
)
from ayx_plugins.tools.logic import ToolLogic
from ayx_plugins.tools.typed_values import pylist
from ayx_plugins.tools.wording import config_words

NO_RECORD = (
    "The Connection anchor delivered no record: check that Server Authenticate ran and that its "
    "Success output is connected to the Connection (C) anchor"
)


# ------------------------------------------------------------------------------ validation
def check_url(url: str) -> str | None:
    """Why a Server URL cannot work (never echoing a password in it), or None."""
    text = url.strip()
    if not text:
        return "No Server URL is configured"
    candidate = text if "://" in text else "https://" + text
    scheme, _, rest = candidate.partition("://")
    netloc, sep, path = rest.partition("/")
    shown = redact_url(f"{scheme}://{netloc.rsplit('@', 1)[-1]}{sep}{path}")  # no user:password
    try:
        parts = urlsplit(candidate)
        port = parts.port
    except ValueError:
        return f"The Server URL {shown} has an invalid port (use 1-65535)"
    if parts.scheme.lower() not in ("http", "https"):
        return f"The Server URL must start with https:// (or http://), not {parts.scheme}://"
    if not parts.hostname or any(ch.isspace() for ch in parts.netloc):
        return f"The Server URL {shown} has no valid host name"
    if parts.username or parts.password:
        return ("The Server URL holds a user name or password: remove it and set the API key "
                "and secret in the tool")
    if port == 0:
        return f"The Server URL {shown} has an invalid port (use 1-65535)"
    return None


def check_tls(ca_bundle: str) -> str | None:
    """Why the CA bundle option cannot work, or None."""
    path = ca_bundle.strip()
    if path and not os.path.isfile(path):
        return (f"The CA bundle file does not exist: {path} (setting: 'Certificate authority "
                "file (PEM)' under Advanced in this tool)")
    return None


def _loopback(url: str) -> bool:
    """A literal loopback address (127.x.x.x, ::1): nothing leaves this machine."""
    try:
        host = urlsplit(url.strip()).hostname or ""
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def security_warnings(url: str, verify: bool | str) -> list[str]:
    """Results-window warnings for a plain-http URL (except a literal loopback address) and for
    TLS verification turned off."""
    out = []
    if url.strip().lower().startswith("http://") and not _loopback(url):
        out.append("The Server URL uses http://: the API key, secret and token travel "
                   "unencrypted; use https://")
    if verify is False:
        out.append("TLS certificate verification is off: anyone between this machine and the "
                   "Server can read the token; give the CA bundle of a private certificate "
                   "authority instead")
    return out


class ToolConnection:
    """Where one tool run's requests go and how they authenticate."""

    def __init__(self, provider: Any, config: ConnectionConfig, logic: ToolLogic,
                 warn: Callable[[str], None], display_name: str) -> None:
        self.provider = provider
        self.config = config
        self.logic = logic
        self._warn = warn
        self._name = display_name
        self.anchor_connected = bool(provider.incoming_anchors.get(CONNECTION_ANCHOR))
        self.uses_anchor = config.source == "anchor" and logic.has_connection_anchor
        self.base: ConnSpec | None = None  # the tool's own connection, once known
        self.secret: str | None = None
        self.redactions: set[str] = set()
        self.anchor_rows = 0
        self._dcm: DcmRequest | None = None
        self.clients = Clients(
            timeout=config.requestTimeoutSeconds,
            verify=config.caBundle.strip() or config.verifyTls,
            token_in_body=config.tokenInBody, pool_size=max(config.concurrency, 4),
            session_factory=self._session,
        )

    @property
    def waiting_for_record(self) -> bool:
        """True while the tool's connection is the Connection anchor's record, not yet seen."""
        return self.uses_anchor and self.base is None

    # ------------------------------------------------------------------------- up front
    def validate(self) -> None:
        """ConfigError for connection settings that cannot work (no request is made)."""
        cfg = self.config
        problem = check_tls(cfg.caBundle)
        if problem:
            raise ConfigError(problem)
        if self.uses_anchor:
            if not self.anchor_connected:
                raise ConfigError(
                    "The connection comes from the Connection anchor, but nothing is connected "
                    "to it: connect the Success output of Server Authenticate to the Connection "
                    "(C) input anchor, or choose another connection source"
                )
            return
        if cfg.source == "dcm":
            if not cfg.dcmConnectionId.strip():
                raise ConfigError("Choose a DCM connection (its id: File > Manage Connections)")
            return
        if self.logic.connection({}) is not None:  # the tool reads credentials per record
            return
        if self.anchor_connected and not cfg.serverUrl.strip():
            raise ConfigError(
                "The Connection anchor is connected, but this tool's connection is set in the "
                "tool and has no Server URL: choose 'From the Connection input (Server "
                "Authenticate)' under Connect to the Server"
            )
        problem = check_url(cfg.serverUrl) or self._core_check(cfg.serverUrl)
        if problem:
            raise ConfigError(problem)
        if not cfg.apiKey.strip():
            raise ConfigError("No API key is configured")
        if not secret_text(self.provider.tool_config):
            raise ConfigError("No API secret is configured")

    def _core_check(self, url: str) -> str | None:
        """The core's judgement of URL + auth type + CA bundle (`check_settings`), worded for
        the tool's settings."""
        cfg = self.config
        try:
            _urls.check_settings(url, auth_type=cfg.authType,
                                 verify=cfg.caBundle.strip() or cfg.verifyTls)
        except ConfigurationError as exc:
            return config_words(exc)
        return None

    def start_dcm(self) -> None:
        """Ask Designer for the DCM connection (answered by a callback before on_complete)."""
        if self.config.source == "dcm" and self._dcm is None:
            self._dcm = DcmRequest(self.provider, self.config.dcmConnectionId.strip())

    def take_record(self, table: pa.Table) -> bool:
        """A batch on the Connection anchor; True when it made the connection known."""
        if table.num_rows == 0:
            return False
        before = self.anchor_rows
        self.anchor_rows += table.num_rows
        if not self.uses_anchor:
            self._warn("The Connection anchor is connected, but this tool's connection is not "
                       "set to come from it: its record is ignored")
            return False
        if self.anchor_rows > 1:
            self._warn("The Connection anchor got more than one record; the first one is used")
        if before:
            return False
        # pylist: a DateTime (date64) TokenExpires keeps its time of day; raises ConfigError
        self.base = anchor_spec(pylist(table.slice(0, 1))[0])
        return True

    # --------------------------------------------------------------- before the first request
    def prepare(self) -> None:
        """Decrypt the secret, read DCM, warn about the connection (ConfigError if unusable)."""
        cfg = self.config
        text = secret_text(self.provider.tool_config)
        if text and cfg.source != "dcm":
            try:
                self.secret = self.provider.io.decrypt_password(text)
            except Exception as exc:  # Designer could not decrypt (another machine or user)
                raise ConfigError(
                    f"The API secret could not be decrypted ({type(exc).__name__})"
                ) from None
            if self.secret:
                self.redactions.add(self.secret)
        if self._dcm is not None:
            self.base = dcm_spec(self._dcm.wait(), self._dcm.connection_id, cfg.authType)
            problem = check_url(self.base.url) or self._core_check(self.base.url)
            if problem:
                raise ConfigError(f"DCM connection '{self._dcm.connection_id}': {problem}")
        elif cfg.source == "configured":
            self.base = ConnSpec(cfg.serverUrl.strip(), cfg.authType, cfg.apiKey.strip(),
                                 self.secret)
        if self.base is not None and self.base.from_anchor:
            self._prepare_anchor(self.base)
        if self.base is not None:
            self.redactions |= self.base.secret_forms()
            self._security_warnings(self.base.url)

    def _prepare_anchor(self, base: ConnSpec) -> None:
        cfg = self.config
        if base.auth_type == "oauth1":  # no secret travels in a record: sign with this tool's
            if not (cfg.apiKey.strip() and self.secret):
                raise ConfigError(
                    "The Connection anchor's record is OAuth 1.0a, which cannot pass a token: "
                    "set the API key and secret in this tool (connection source: set in this "
                    "tool)"
                )
            self.base = replace(base, api_key=cfg.apiKey.strip(), api_secret=self.secret)
            return
        expires = base.token_expires
        if getattr(cfg, "wait", False) and expires is not None:
            timeout = getattr(cfg, "waitTimeoutSeconds", None)
            now = dt.datetime.now(dt.timezone.utc)
            if timeout is None or now + dt.timedelta(seconds=float(timeout)) > expires:
                limit = "no timeout" if timeout is None else f"a {float(timeout):g} s timeout"
                self._warn(
                    f"The token from Server Authenticate expires at {hhmm(expires)}, before this "
                    f"tool's wait ends ({limit}): give this tool its own credentials or a DCM "
                    "connection so it can renew the token"
                )

    def _security_warnings(self, url: str) -> None:
        cfg = self.config
        for text in security_warnings(url, cfg.caBundle.strip() or cfg.verifyTls):
            self._warn(text)

    # -------------------------------------------------------------------------- per record
    def spec_for(self, row: Mapping[str, Any], fallback_error: str | None = None) -> ConnSpec:
        """The connection of one record (RowError when there is none)."""
        spec = self.logic.connection(row)
        if spec is None:
            if self.base is None:
                raise RowError(fallback_error or "No Server connection is known")
            return self.base
        if spec.api_secret is None and spec.token is None:
            spec = replace(spec, api_secret=self.secret)
        self.redactions |= spec.secret_forms()
        if spec.url:
            self._security_warnings(spec.url)
        return spec

    def redact(self, text: str) -> str:
        """`text` with every secret form this run knows replaced by ***."""
        for secret in sorted(self.redactions, key=len, reverse=True):
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def _session(self) -> requests.Session:
        """Designer's proxy settings when it gave any (the SDK's PAC session), else plain."""
        try:
            proxy = self.provider.environment.proxy_configuration
        except (AttributeError, RuntimeError):
            proxy = {}
        if proxy:
            try:
                from ayx_python_sdk.core.proxy_requests import create_proxied_session

                session: requests.Session = create_proxied_session(self.provider)
                return session
            except Exception as exc:  # pypac missing or PAC unreadable: go direct, say so
                self.provider.io.warn(
                    f"{self._name}: Designer's proxy settings could not be applied "
                    f"({type(exc).__name__}); connecting directly"
                )
        return requests.Session()

    def close(self) -> None:
        """Close every client and the shared session."""
        self.clients.close()
