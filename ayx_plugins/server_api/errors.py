"""The exception tree: every HTTP answer the core cannot use becomes one typed, actionable error."""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any

from .answer_meta import plain_scrub, request_id_of, retry_after_of, scrub_body

if TYPE_CHECKING:
    import requests

    from .jobs import Job

__all__ = [
    "ApiError",
    "AuthenticationError",
    "ConfigurationError",
    "JobFailedError",
    "JobTimeoutError",
    "LegacyApiRemovedError",
    "NotFoundError",
    "PathParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "ServerError",
    "TlsError",
    "TransportError",
    "UnexpectedAnswerError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "error_from_response",
]

# Bodies are kept for callers but cut in messages: an HTML error page is not a sentence.
_MAX_BODY_IN_MESSAGE = 300

DENIED_CAUSES = (
    "the likely causes are: (1) the user's role is below Curator (the v3 admin endpoints such as "
    "/v3/users need Curator); (2) the user is not a member of the collection or studio that owns "
    "the asset; (3) a legacy Private Studio key was used on /webapi/ (create an API access key "
    "under My Profile > Keys, and ask an admin to set API Access = Yes for the user)"
)

LEGACY_REMOVED = (
    "this Server is 2022.1 or later: the legacy /gallery/api/ OAuth 1.0a API was removed. Use the "
    "/webapi/ URL (https://HOST/webapi/) with OAuth 2 and API access keys (My Profile > Keys)"
)



class ApiError(Exception):
    """Base of every error the core raises; `str()` is a sentence a person can act on.

    Beyond the status and body: `headers` (the answer's, or {}), `request_id` (the Server's when
    it names one, else the `X-Request-Id` this client sent: what a Server admin searches the logs
    for), `client_request_id` (the one sent), `retry_after` (seconds the Server asked to wait,
    clamped; None when it did not say), `maybe_delivered` (True when the request may have reached
    the Server and acted though no usable answer came back: check before repeating it) and
    `kind`, a short code for callers that word messages themselves ("http", "transport", "tls",
    "timeout", "config", "path", "redirect", "login_page", "https_required", "html",
    "bad_json", "too_large", "legacy_removed", "token_refused", ...).
    """

    default_kind = "http"

    def __init__(
        self,
        message: str,
        *,
        status: int | None = None,
        body: Any = None,
        server_message: str | None = None,
        method: str | None = None,
        url: str | None = None,
        headers: Mapping[str, str] | None = None,
        request_id: str | None = None,
        client_request_id: str | None = None,
        retry_after: float | None = None,
        maybe_delivered: bool = False,
        kind: str | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.status = status
        self.body = body
        self.server_message = server_message
        self.method = method
        self.url = url
        self.headers: dict[str, str] = dict(headers or {})
        self.client_request_id = client_request_id
        self.request_id = request_id or client_request_id
        self.retry_after = retry_after
        self.maybe_delivered = maybe_delivered
        self.kind = kind or self.default_kind

    def __str__(self) -> str:
        return self.message

    def __repr__(self) -> str:
        return f"{type(self).__name__}(status={self.status!r}, message={self.message!r})"


class AuthenticationError(ApiError):
    """401: the credentials, the signature, the clock or the token were rejected."""


class PermissionDeniedError(ApiError):
    """403, or "Authorization has been denied": a role, membership or key-type problem."""


class NotFoundError(ApiError):
    """404: the path or the object does not exist (or is not visible to this user)."""


class ValidationError(ApiError):
    """400: the server rejected the request's content; `model_state` holds field errors."""

    def __init__(
        self, message: str, *, model_state: Mapping[str, list[str]] | None = None, **kw: Any
    ) -> None:
        super().__init__(message, **kw)
        self.model_state: dict[str, list[str]] = dict(model_state or {})


class UnsupportedMediaTypeError(ApiError):
    """415: wrong Content-Type (publishing needs multipart/form-data)."""


class RateLimitError(ApiError):
    """429: too many requests, even after the retries."""


class ServerError(ApiError):
    """5xx: the Server failed, even after the retries."""


class LegacyApiRemovedError(ApiError):
    """404/405 (or a 2xx HTML page) on /gallery/api/: the Server is 2022.1+, OAuth 2 on /webapi/."""

    default_kind = "legacy_removed"


class TransportError(ApiError):
    """No usable HTTP answer: DNS, refused, proxy, timeout, a cut-off body (`status` is None)."""

    default_kind = "transport"


class TlsError(TransportError):
    """The TLS handshake or the certificate check failed (kind "tls").

    The message names the CA bundle setting in neutral words; a front end adds how to give it
    (the CLI's option, the tools' "CA bundle" box).
    """

    default_kind = "tls"


class ConfigurationError(ApiError, ValueError):
    """A setting that cannot work, found before any request (kind "config"; `option` names it).

    Also a ValueError, so callers that caught the constructor's ValueError still do. `option` is
    one of "url", "auth_type", "ca_bundle", "credentials", "priority", ... or None.
    """

    default_kind = "config"

    def __init__(self, message: str, *, option: str | None = None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.option = option


class PathParameterError(ConfigurationError):
    """A path parameter is missing or empty: nothing was sent (kind "path")."""

    default_kind = "path"


class RedirectError(ApiError):
    """The Server answered with a redirect the client will not follow with credentials.

    kind "login_page" (a proxy or single sign-on sign-in page), "https_required" (http -> https)
    or "redirect" (another URL or origin: `location` is where it pointed, without its query).
    """

    def __init__(self, message: str, *, location: str | None = None, **kw: Any) -> None:
        kw.setdefault("kind", "redirect")
        super().__init__(message, **kw)
        self.location = location


class UnexpectedAnswerError(ApiError):
    """A 2xx answer that is not what the API sends: an HTML page (kind "html"; `page_title`),
    or JSON that is cut off or malformed (kind "bad_json")."""

    def __init__(self, message: str, *, page_title: str | None = None, **kw: Any) -> None:
        kw.setdefault("kind", "html")
        super().__init__(message, **kw)
        self.page_title = page_title


class ResponseTooLargeError(ApiError):
    """The answer's decoded size passed the client's cap (kind "too_large"; `limit` in bytes)."""

    default_kind = "too_large"

    def __init__(self, message: str, *, limit: int = 0, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.limit = limit


class JobFailedError(ApiError):
    """The job ended but did not succeed; `.job` is the final job."""

    def __init__(self, message: str, *, job: Job, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.job = job


class JobTimeoutError(ApiError):
    """Waiting for a job ran out of time; `.job` is the last job seen (None if never fetched)."""

    def __init__(self, message: str, *, job: Job | None, **kw: Any) -> None:
        super().__init__(message, **kw)
        self.job = job


def parse_body(response: requests.Response) -> Any:
    """The body as JSON when it parses, else as text (None when empty); a BOM is dropped."""
    text = response.text.lstrip("\ufeff")
    if not text.strip():
        return None
    try:
        return json.loads(text)
    except ValueError:
        return text


def server_message_of(body: Any) -> str | None:
    """The human message inside any of the Server's error envelopes."""
    if isinstance(body, Mapping):
        for key in ("message", "Message", "error_description", "errorMessage", "error"):
            value = body.get(key)
            if isinstance(value, str) and value.strip():
                return value.strip()
        return None
    if isinstance(body, str) and body.strip():
        text = body.strip()
        if text.lstrip().startswith("<"):
            return None  # an HTML page, not a message
        return text[:_MAX_BODY_IN_MESSAGE]
    return None


def flatten_model_state(model_state: Any) -> dict[str, list[str]]:
    """`modelState` as {field: [messages]}, whatever the exact shape the server sent."""
    out: dict[str, list[str]] = {}
    if isinstance(model_state, Mapping):
        for field, messages in model_state.items():
            if isinstance(messages, list):
                out[str(field)] = [str(m) for m in messages]
            else:
                out[str(field)] = [str(messages)]
    return out


def _where(method: str | None, url: str | None) -> str:
    if not method or not url:
        return ""
    return f" ({method} {url})"


def error_from_response(
    response: requests.Response,
    *,
    method: str | None = None,
    url: str | None = None,
    legacy: bool = False,
    bearer: bool = False,
    secrets: tuple[str, ...] = (),
    scrub: Callable[[str], str] | None = None,
    client_request_id: str | None = None,
    maybe_delivered: bool = False,
) -> ApiError:
    """Map an HTTP error answer to the matching ApiError subclass with an actionable message.

    `url` must already be free of signatures and secrets; `legacy` says the request went to
    /gallery/api/; `bearer` says an OAuth 2 token was sent; `scrub` (or plain `secrets`) removes
    secrets from the server's message and the kept body.
    """
    clean = scrub or plain_scrub(secrets)
    status = response.status_code
    body = scrub_body(parse_body(response), clean)
    server_msg = server_message_of(body)
    if server_msg is not None:
        server_msg = clean(server_msg)
    said = f": {server_msg.rstrip('.')}" if server_msg else ""
    where = _where(method, url)
    headers = {k: clean(v) for k, v in response.headers.items()}
    kw: dict[str, Any] = {
        "status": status,
        "body": body,
        "server_message": server_msg,
        "method": method,
        "url": url,
        "headers": headers,
        "request_id": request_id_of(headers),
        "client_request_id": client_request_id,
        "retry_after": retry_after_of(headers),
        "maybe_delivered": maybe_delivered,
    }
    denied = bool(server_msg and "authorization has been denied" in server_msg.lower())
    json_envelope = isinstance(body, Mapping)

    if legacy and (status == 405 or (status == 404 and not json_envelope)):
        return LegacyApiRemovedError(f"HTTP {status}{where}: {LEGACY_REMOVED}", **kw)
    if status == 400:
        model_state = flatten_model_state(body.get("modelState") if json_envelope else None)
        fields = "; ".join(f"{k}: {' '.join(v)}" for k, v in model_state.items())
        extra = f" [{fields}]" if fields else ""
        return ValidationError(
            f"HTTP 400 the Server rejected the request{where}{said}{extra}",
            model_state=model_state,
            **kw,
        )
    if status == 403 or (status == 401 and denied):
        hint = DENIED_CAUSES
        if status == 401 and bearer:
            hint += "; or the token expired or is invalid (get a new one)"
        return PermissionDeniedError(f"HTTP {status} access denied{where}{said}: {hint}", **kw)
    if status == 401:
        low = (server_msg or "").lower()
        if "timestamp" in low:
            hint = (
                "the request's timestamp differs too much from the Server's clock: set this "
                "machine's clock (any time zone works; the clock itself must be right)"
            )
        elif "signature" in low:
            hint = (
                "the OAuth 1.0a signature did not match: check the secret for stray spaces, and "
                "that the URL (scheme, host, port) is exactly what the Server sees; a TLS-"
                "offloading proxy or load balancer changes it"
            )
        else:
            hint = "check the API key and secret, and that the user has API access"
        return AuthenticationError(f"HTTP 401 not authenticated{where}{said}: {hint}", **kw)
    if status == 404:
        return NotFoundError(
            f"HTTP 404 not found{where}{said}: check the id or path, and that this user can see it",
            **kw,
        )
    if status == 415:
        return UnsupportedMediaTypeError(
            f"HTTP 415 unsupported media type{where}{said}: this endpoint needs a different "
            "Content-Type (uploads need multipart/form-data, not application/json)",
            **kw,
        )
    if status == 429:
        return RateLimitError(f"HTTP 429 too many requests{where}{said}: slow down", **kw)
    if status >= 500:
        return ServerError(
            f"HTTP {status} Server error{where}{said}: the Server failed; retry later or ask its "
            "administrator to check the Server logs",
            **kw,
        )
    return ApiError(f"HTTP {status}{where}{said}", **kw)
