"""Where a tool's Server connection comes from, and the clients that use it.

Three sources, one choice in every tool (`ConnectionConfig.source`):
- "configured": the Server URL and API key set in the tool, the secret from Designer's Secrets;
- "dcm": a Data Connection Manager connection (an "Alteryx Server API" data source: Server URL;
  credential: API key + secret), fetched through the SDK's `provider.dcm.get_connection`;
- "anchor": the record Server Authenticate writes, on the tool's optional `Connection` anchor.
Server Authenticate itself also takes per-record credentials from fields ("fields").

Tools with credentials (configured, DCM) fetch and refresh their own token. A tool fed a token
on the Connection anchor cannot refresh it: a 401 after the token's expiry says so. No SDK
import here (the provider is duck-typed), so this module is testable on its own.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import threading
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import requests

from ayx_plugins.server_api import ApiError, ServerClient
from ayx_plugins.server_api.errors import AuthenticationError
from ayx_plugins.server_api.scrub import secret_forms
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.typed_values import parse_datetime
from ayx_plugins.tools.wording import designer_words

CONNECTION_ANCHOR = "Connection"

# The fields Server Authenticate writes and the Connection anchor reads.
SERVER_URL = "ServerUrl"
API_BASE = "ApiBase"
AUTH_TYPE = "AuthType"
ACCESS_TOKEN = "AccessToken"
TOKEN_TYPE = "TokenType"
TOKEN_EXPIRES = "TokenExpires"

CONNECTION_FIELDS: tuple[pa.Field, ...] = (
    S.wstring(SERVER_URL, "The Server URL as configured"),
    S.wstring(API_BASE, "The API base the tools call: .../webapi/ or .../gallery/api/"),
    S.wstring(AUTH_TYPE, "oauth2 or oauth1"),
    S.wstring(ACCESS_TOKEN, "The OAuth 2 bearer token (null for OAuth 1.0a)"),
    S.wstring(TOKEN_TYPE, "The token type, e.g. bearer"),
    S.datetime_(TOKEN_EXPIRES, "When the token expires (UTC)"),
)

# How long a tool waits for Designer's answer to a DCM request before it gives up.
DCM_TIMEOUT_S = 60.0
# Clients kept at once (per-record credentials): older ones are closed, so sockets stay bounded.
MAX_CLIENTS = 8
_RETIRED_MAX = 10_000

EXPIRY_GRACE_S = 30.0  # a 401 this close to the expiry is the expiry (clocks differ a little)
EXPIRED = (
    "the token from Server Authenticate expired at {at}; give this tool its own credentials or "
    "a DCM connection"
)


class ConfigError(Exception):
    """A configuration problem: reported once as a tool error; every record goes to Failure."""


class RowError(Exception):
    """A problem with one record found before any request (a null id, bad JSON): a Failure row."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass(frozen=True)
class ConnSpec:
    """Where and how one request authenticates; secrets are kept out of the repr."""

    url: str
    auth_type: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)
    token_expires: dt.datetime | None = None  # a token from Server Authenticate: its expiry
    from_anchor: bool = False

    def secret_forms(self) -> set[str]:
        """Every text form a secret of this connection could take in an echoed error (the
        core's one rule: server_api.scrub)."""
        basic = (self.api_key, self.api_secret) if self.api_key and self.api_secret else None
        return secret_forms(self.api_secret, self.token, basic=basic)


def hhmm(moment: dt.datetime) -> str:
    """A UTC moment as Designer users read it in a message: 14:05 UTC."""
    if moment.tzinfo is not None:
        moment = moment.astimezone(dt.timezone.utc)
    return f"{moment:%H:%M} UTC"


def _utc(value: Any) -> dt.datetime | None:
    moment = value if isinstance(value, dt.datetime) else parse_datetime(value)
    if moment is None:
        return None
    return moment if moment.tzinfo else moment.replace(tzinfo=dt.timezone.utc)


def anchor_spec(row: Mapping[str, Any]) -> ConnSpec:
    """The connection in a record from Server Authenticate (ConfigError when it has none)."""
    url = str(row.get(API_BASE) or row.get(SERVER_URL) or "").strip()
    if not url:
        raise ConfigError(
            f"The record on the Connection anchor has no Server URL (field '{SERVER_URL}'): "
            "connect the Success output of Server Authenticate to the Connection (C) anchor"
        )
    auth = str(row.get(AUTH_TYPE) or "oauth2").strip().lower()
    token = row.get(ACCESS_TOKEN)
    if auth == "oauth1":
        return ConnSpec(url, "oauth1", from_anchor=True)
    if not token:
        raise ConfigError(
            f"The record on the Connection anchor has no token (field '{ACCESS_TOKEN}'): "
            "check that Server Authenticate succeeded (its Failure output says why)"
        )
    return ConnSpec(url, "oauth2", token=str(token), token_expires=_utc(row.get(TOKEN_EXPIRES)),
                    from_anchor=True)


# --------------------------------------------------------------------------------------- DCM
_URL_KEYS = ("serverurl", "server", "url", "host", "baseurl", "apibase")
_KEY_KEYS = ("apikey", "username", "user", "clientid", "key")
_SECRET_KEYS = ("apisecret", "password", "secret", "clientsecret", "secretkey")
_SDK_KEYS = ("allowsdk", "allowsdkaccess", "allowconnectionforsdk", "sdkaccess", "allowforsdk")
NO_SDK = (
    "DCM connection '{cid}' is not available to SDK tools: open File > Manage Connections, edit "
    "the connection and tick 'Allow connection for SDK'"
)


def _norm(key: str) -> str:
    return "".join(ch for ch in key.lower() if ch.isalnum())


def _walk(node: Any, depth: int = 0) -> list[tuple[str, Any]]:
    """(normalised key, value) of every scalar in a nested DCM answer, depth first."""
    found: list[tuple[str, Any]] = []
    if depth > 6:
        return found
    if isinstance(node, Mapping):
        for k, v in node.items():
            if isinstance(v, (Mapping, list)):
                # {"password": {"value": "s"}} is how DCM stores a secret: name it by its parent.
                if isinstance(v, Mapping) and "value" in v and not isinstance(v["value"], Mapping):
                    found.append((_norm(str(k)), v["value"]))
                found.extend(_walk(v, depth + 1))
            else:
                found.append((_norm(str(k)), v))
    elif isinstance(node, list):
        for item in node:
            found.extend(_walk(item, depth + 1))
    return found


def _first(pairs: list[tuple[str, Any]], names: tuple[str, ...]) -> str:
    for name in names:
        for key, value in pairs:
            if key == name and isinstance(value, str) and value.strip():
                return value.strip()
    return ""


def dcm_spec(answer: Mapping[str, Any] | None, connection_id: str, auth_type: str) -> ConnSpec:
    """Server URL, API key and secret from Designer's answer to `dcm.get_connection`.

    The answer's exact shape for an "Alteryx Server API" connection is not public: the URL is
    read from the data source's parameters, the key from the credential's parameters and the
    secret from its secrets (`{"password": {"value": ...}}`), by the usual names.
    """
    cid = connection_id
    if answer is None:
        raise ConfigError(f"Designer did not answer the request for DCM connection '{cid}'")
    failure = answer.get("dcme_exception") if isinstance(answer, Mapping) else None
    if failure is not None:
        error = getattr(failure, "dcm_error", None)
        said = str(getattr(error, "message", "") or failure)
        low = said.lower()
        if "sdk" in low or "not allowed" in low or "permission" in low:
            raise ConfigError(NO_SDK.format(cid=cid) + f" (Designer said: {said})")
        raise ConfigError(f"DCM connection '{cid}' could not be read ({said}): check in File > "
                          "Manage Connections that it exists, that you may use it, and that "
                          "'Allow connection for SDK' is ticked")
    pairs = _walk(answer)
    for key, value in pairs:
        if key in _SDK_KEYS and (value is False or str(value).lower() in ("false", "0", "no")):
            raise ConfigError(NO_SDK.format(cid=cid))
    url, key = _first(pairs, _URL_KEYS), _first(pairs, _KEY_KEYS)
    secret = _first(pairs, _SECRET_KEYS)
    if not secret:
        raise ConfigError(NO_SDK.format(cid=cid) + "; Designer sent the connection without its "
                          "secret")
    if not url or not key:
        missing = "Server URL" if not url else "API key"
        raise ConfigError(f"DCM connection '{cid}' has no {missing}: use a data source of type "
                          "Alteryx Server API with an API key and secret credential")
    return ConnSpec(url, auth_type, key, secret)


class DcmRequest:
    """One `provider.dcm.get_connection` request; Designer answers through a callback."""

    def __init__(self, provider: Any, connection_id: str) -> None:
        self.connection_id = connection_id
        self._done = threading.Event()
        self.answer: dict[str, Any] | None = None
        provider.dcm.get_connection(connection_id, self._callback)

    def _callback(self, answer: Any) -> None:
        self.answer = dict(answer) if isinstance(answer, Mapping) else {"value": answer}
        self._done.set()

    def wait(self, timeout: float = DCM_TIMEOUT_S) -> dict[str, Any] | None:
        """The answer, or None when Designer did not answer in time."""
        self._done.wait(timeout)
        return self.answer


def definitive_token_failure(exc: BaseException) -> bool:
    """A 400/401 from the token endpoint (wrong key or secret) or a redirect of the token
    request: asking again cannot help."""
    if not isinstance(exc, ApiError):
        return False
    flag = getattr(exc, "definitive", None)
    if flag is not None:
        return bool(flag)
    token_url = str(exc.url or "").rstrip("/").endswith("oauth2/token")
    if token_url and exc.kind in ("redirect", "https_required", "login_page"):
        return True  # the token URL itself points elsewhere: every record would be sent there
    return exc.status in (400, 401) and token_url


# --------------------------------------------------------------------------------- clients
class _AnchorTokenClient(ServerClient):
    """A client on a token from Server Authenticate, which it cannot renew: a 401 once the
    token's expiry has passed says so first. (Before that, the core's order of causes stands: a
    token Server Authenticate fetched moments ago is more likely denied than revoked.)"""

    expires_at: dt.datetime | None = None

    def request(self, method: str, path: str, **kwargs: Any) -> requests.Response:
        try:
            return super().request(method, path, **kwargs)
        except ApiError as exc:
            at = self.expires_at
            now = dt.datetime.now(dt.timezone.utc)
            if exc.status != 401 or at is None or now < at - dt.timedelta(seconds=EXPIRY_GRACE_S):
                raise
            raise AuthenticationError(
                f"HTTP 401 not authenticated: {EXPIRED.format(at=hhmm(at))}", status=401,
                body=exc.body, server_message=exc.server_message, method=exc.method,
                url=exc.url,
            ) from None


class Clients:
    """The run's clients: one per connection, at most MAX_CLIENTS, all on one shared session."""

    def __init__(self, *, timeout: float, verify: bool | str, token_in_body: bool,
                 pool_size: int, session_factory: Callable[[], requests.Session]) -> None:
        self._timeout = timeout
        self._verify = verify
        self._token_in_body = token_in_body
        self._pool_size = pool_size
        self._session_factory = session_factory
        self._session: requests.Session | None = None
        self._clients: OrderedDict[tuple[Any, ...], ServerClient] = OrderedDict()
        self._dead: dict[tuple[Any, ...], str] = {}
        # Evicted clients may still be in use by a running record: their tokens are counted at
        # the end (beyond _RETIRED_MAX, the oldest are counted early; only the summary differs).
        self._retired: list[ServerClient] = []
        self._lock = threading.Lock()
        self.tokens_fetched = 0
        self.created = 0

    def _shared_session(self) -> requests.Session:
        if self._session is None:
            session = self._session_factory()  # each client mounts the core's adapter on it
            session.verify = self._verify
            self._session = session
        return self._session

    @staticmethod
    def key(spec: ConnSpec) -> tuple[Any, ...]:
        """The identity of a connection (who and where)."""
        return (spec.url, spec.auth_type, spec.api_key, spec.api_secret, spec.token)

    def get(self, spec: ConnSpec) -> ServerClient:
        """The client of a connection (RowError when its URL or credentials cannot work)."""
        key = self.key(spec)
        with self._lock:
            client = self._clients.get(key)
            if client is not None:
                self._clients.move_to_end(key)
                return client
            client = self._new(spec)
            self._clients[key] = client
            self.created += 1
            while len(self._clients) > MAX_CLIENTS:
                _, old = self._clients.popitem(last=False)
                self._retire(old)
            return client

    def dead_reason(self, spec: ConnSpec) -> str | None:
        """The definitive token failure of this connection, if one was seen."""
        return self._dead.get(self.key(spec))

    def mark_dead(self, spec: ConnSpec, reason: str) -> None:
        """Remember a definitive token failure: later records fail without a request."""
        self._dead.setdefault(self.key(spec), reason)

    def _new(self, spec: ConnSpec) -> ServerClient:
        cls = _AnchorTokenClient if spec.from_anchor else ServerClient
        try:
            client = cls(
                spec.url, spec.api_key or None, spec.api_secret or None,
                auth_type=spec.auth_type or None,  # type: ignore[arg-type]
                token=spec.token, token_in_body=self._token_in_body, timeout=self._timeout,
                verify=self._verify, session=self._shared_session(),
                pool_size=self._pool_size,
            )
        except ApiError as exc:
            raise RowError(designer_words(exc)) from None
        except ValueError as exc:
            raise RowError(f"Invalid Server URL or credentials: {exc}") from None
        if isinstance(client, _AnchorTokenClient):
            client.expires_at = spec.token_expires
        return client

    def _retire(self, client: ServerClient) -> None:
        with contextlib.suppress(Exception):  # closing is best effort (the session is shared)
            client.close()
        self._retired.append(client)
        if len(self._retired) > _RETIRED_MAX:
            self.tokens_fetched += self._retired.pop(0).stats.tokens_fetched

    def total_tokens(self) -> int:
        """Tokens fetched by every client of the run so far."""
        with self._lock:
            clients = [*self._clients.values(), *self._retired]
            return self.tokens_fetched + sum(c.stats.tokens_fetched for c in clients)

    def close(self) -> None:
        """Close every client and the shared session (the run has ended)."""
        with self._lock:
            for client in self._clients.values():
                with contextlib.suppress(Exception):
                    client.close()
            self.tokens_fetched += sum(c.stats.tokens_fetched for c in
                                       [*self._clients.values(), *self._retired])
            self._clients.clear()
            self._retired.clear()
            if self._session is not None:
                try:
                    self._session.close()
                finally:
                    self._session = None
