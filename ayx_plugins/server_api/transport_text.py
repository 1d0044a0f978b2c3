"""The sentences for transport failures, and what a sign-in page's URL looks like."""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import urlsplit

import requests
import urllib3.exceptions

from .errors import TlsError, TransportError
from .retry import never_sent

__all__ = ["describe_transport", "is_login_url"]

_LOGIN = re.compile(
    r"(^|[/._?&=-])(log-?in|sign-?in|sso|saml2?|adfs|oauth2?/authorize|authorize|auth/realms|"
    r"idp|okta|cas/login|login\.microsoftonline|my\.policy|vdesk)([/._?&=-]|$)",
    re.IGNORECASE,
)


def is_login_url(url: str) -> bool:
    """True when a redirect target looks like a sign-in page (a proxy's or an SSO provider's)."""
    parts = urlsplit(url)
    return bool(_LOGIN.search(f"{parts.hostname or ''}{parts.path}?{parts.query}"))


def describe_transport(
    exc: requests.RequestException,
    *,
    method: str,
    url: str,
    safe_url: str,
    timeout: float,
    token_request: bool = False,
    maybe_delivered: bool = False,
    client_request_id: str | None = None,
) -> TransportError:
    """The TransportError (TlsError for TLS) for a failure with no answer, in plain words."""
    host = urlsplit(url).netloc
    kw: dict[str, Any] = {"method": method, "url": safe_url, "client_request_id": client_request_id,
          "maybe_delivered": maybe_delivered}  # fmt: skip
    what = "the token request" if token_request else f"{method} {safe_url}"
    if isinstance(exc, requests.exceptions.SSLError):
        return TlsError(
            f"TLS failed for {host} (handshake or certificate check): if the Server's certificate "
            "comes from a private certificate authority that this computer does not trust, give "
            "that authority's PEM file as the CA bundle; check that the Server sends its "
            "intermediate certificates and that this port really serves https",
            **kw,
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return TransportError(
            f"the proxy failed for {host}: check the proxy settings (HTTPS_PROXY/HTTP_PROXY and "
            "NO_PROXY, or Designer's proxy settings)",
            **kw,
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return TransportError(
            f"could not connect to {host} within {timeout:g} s: check the host, port, firewall",
            kind="timeout", **kw,
        )  # fmt: skip
    if isinstance(exc, requests.exceptions.ReadTimeout):
        if maybe_delivered:
            tail = (
                "the request was sent, so it may have gone through (a job may have started): "
                "check the job list before starting it again"
            )
        elif token_request:
            tail = "no token was issued; the Server may be overloaded: try again later"
        else:
            tail = "it changed nothing; the Server may be overloaded or hung: try again later"
        return TransportError(
            f"{host} did not answer {what} within {timeout:g} s: {tail}",
            kind="timeout", **kw,
        )  # fmt: skip
    if never_sent(exc):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return TransportError(
                f"cannot resolve the host name {urlsplit(url).hostname!r}: check the URL / DNS",
                **kw,
            )
        return TransportError(
            f"connection to {host} refused: check the URL, port and that the Server is up",
            **kw,
        )
    if maybe_delivered:
        # The request went out and the connection closed before an answer: the Server may have
        # acted on it, so the user must look before repeating it (never blindly re-run a job).
        tail = (
            "the request was sent, so it may have gone through (a job may have started): check "
            "the job list before starting it again"
        )
    else:
        tail = "nothing was changed; try again"
    return TransportError(
        f"the connection to {host} closed before the Server answered {what} "
        f"({type(exc).__name__}); {tail}",
        **kw,
    )
