"""`ServerClient`: the one place that talks HTTP to Alteryx Server."""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import IO, Any, Literal

import requests

from .answers import (
    DEFAULT_MAX_BODY_BYTES,
    DEFAULT_MAX_DOWNLOAD_BYTES,
    check_answer,
    write_body,
)
from .auth import BearerTokenAuth, OAuth1QueryAuth, OAuth2ClientCredentials, TokenInfo, bearer_of
from .errors import (
    ApiError,
    ConfigurationError,
    NotFoundError,
    error_from_response,
    parse_body,
    server_message_of,
)
from .retry import RetryPolicy
from .scrub import Scrubber
from .sessions import USER_AGENT, configure_session, system_ssl_context
from .transport import Exchange, Transport, redact_url
from .urls import AuthType, BaseUrl, check_settings
from .values import server_clock_offset

__all__ = ["USER_AGENT", "ClientStats", "ServerClient", "redact_url"]

log = logging.getLogger("ayx_plugins.server_api")

Expect = Literal["json", "any"]


@dataclass(frozen=True)
class ClientStats:
    """Counters of one client: HTTP requests sent, retries, tokens fetched, clock offset used."""

    requests: int = 0
    retries: int = 0
    tokens_fetched: int = 0
    clock_offset_seconds: float = 0.0


class ServerClient:
    """A thread-safe Alteryx Server API client: one session, one auth, one retry policy.

    `url` may be any Server URL a user pastes; `auth_type` defaults from it (OAuth 1.0a only for
    /gallery/api/). `token` is a ready bearer token (used as-is, never refreshed). Settings that
    cannot work raise `ConfigurationError` (also a ValueError) before any request.

    `verify=True` checks certificates against the operating system's trust store; a path is a
    CA bundle (PEM); False turns checking off. A `session` handed in gets the client's adapter
    (pool size, trust store) and User-Agent; the client closes it only with `owns_session=True`.
    `total_timeout` bounds one call, retries and body included (default: 4 x `timeout`, at least
    30 s); `max_body_bytes` caps an answer read into memory (decoded).
    """

    def __init__(
        self,
        url: str,
        api_key: str | None = None,
        api_secret: str | None = None,
        *,
        auth_type: AuthType | None = None,
        token: str | None = None,
        token_in_body: bool = False,
        timeout: float = 60.0,
        verify: bool | str = True,
        retry: RetryPolicy | None = None,
        session: requests.Session | None = None,
        pool_size: int = 16,
        owns_session: bool | None = None,
        total_timeout: float | None = None,
        max_body_bytes: int | None = None,
    ) -> None:
        self.base: BaseUrl = check_settings(url, auth_type=auth_type, token=token, verify=verify)
        chosen: AuthType = auth_type or ("oauth2" if token else self.base.default_auth)
        self._auth_type: AuthType = chosen
        self.timeout = float(timeout)
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self.scrub = Scrubber(api_secret, token)
        if api_key and api_secret:
            self.scrub.add_basic(api_key, api_secret)
        self._auth: OAuth1QueryAuth | OAuth2ClientCredentials | BearerTokenAuth
        if chosen == "oauth1":
            if token or not (api_key and api_secret):
                raise ConfigurationError(
                    "OAuth 1.0a needs an API key and secret (a token cannot sign)",
                    option="credentials",
                )
            self._auth = OAuth1QueryAuth(api_key, api_secret)
        elif token:
            self._auth = BearerTokenAuth(token)
        else:
            if not (api_key and api_secret):
                raise ConfigurationError(
                    "OAuth 2 needs an API key and secret, or a token", option="credentials"
                )
            self._auth = OAuth2ClientCredentials(
                self.api_base + "oauth2/token",
                api_key,
                api_secret,
                token_in_body=token_in_body,
                post=self._token_post,
                scrub=self.scrub,
            )
        self._own_session = session is None if owns_session is None else owns_session
        self._session = session or requests.Session()
        configure_session(self._session, pool_size=pool_size, ssl_context=system_ssl_context())
        if session is None:
            self._session.verify = verify
        self.transport = Transport(
            self._session,
            verify=verify,
            timeout=self.timeout,
            total_timeout=total_timeout or max(30.0, 4 * self.timeout),
            retry=self.retry,
            max_body_bytes=max_body_bytes or DEFAULT_MAX_BODY_BYTES,
        )
        self._lock = threading.Lock()
        self._clock_offset = 0.0
        # A token that drew a 401 right after being fetched: its 401s mean "denied", not expiry.
        self._denied_token: str | None = None

    # -- properties ---------------------------------------------------------------------------

    @property
    def api_base(self) -> str:
        """The API base URL ("https://host/webapi/" or "https://host/gallery/api/")."""
        return self.base.api_base(self._auth_type)

    @property
    def auth_type(self) -> AuthType:
        """The auth family: "oauth2" or "oauth1"."""
        return self._auth_type

    @property
    def auth(self) -> requests.auth.AuthBase:
        """The requests auth object in use."""
        return self._auth

    @property
    def session(self) -> requests.Session:
        """The one `requests.Session` this client sends on."""
        return self._session

    @property
    def stats(self) -> ClientStats:
        """A snapshot of the counters."""
        fetched = (
            self._auth.tokens_fetched if isinstance(self._auth, OAuth2ClientCredentials) else 0
        )
        t = self.transport
        with self._lock:
            return ClientStats(t.requests, t.retries, fetched, self._clock_offset)

    def __repr__(self) -> str:
        return f"ServerClient({self.api_base!r}, auth_type={self._auth_type!r})"

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session when this client owns it (it created it, or `owns_session`)."""
        if self._own_session:
            self._session.close()

    def __enter__(self) -> ServerClient:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- auth ---------------------------------------------------------------------------------

    def token(self) -> TokenInfo:
        """The current OAuth 2 token (fetched if needed, under the client's retry policy)."""
        auth = self._auth
        if isinstance(auth, OAuth2ClientCredentials):
            return self.transport.with_retries(auth.token)
        if isinstance(auth, BearerTokenAuth):
            return TokenInfo(access_token=auth.token)
        raise ConfigurationError(
            "OAuth 1.0a signs each request and has no token: use OAuth 2 (the /webapi/ URL)",
            option="auth_type",
        )

    def verify_credentials(self) -> None:
        """Prove the credentials work: OAuth 2 fetches a token, OAuth 1.0a makes a signed call."""
        if isinstance(self._auth, OAuth2ClientCredentials):
            self.token()
        elif isinstance(self._auth, BearerTokenAuth):
            self.request("GET", "v3/workflows", params={"view": "Default"})
        else:
            self.request("GET", "v1/workflows/subscription/", params={"limit": "1"})

    def _token_post(
        self, url: str, data: dict[str, str], basic: tuple[str, str] | None
    ) -> requests.Response:
        # One attempt: the waiting request's loop (or token()) retries it under one budget.
        return self.transport.send("POST", url, data=data, auth=basic, token_request=True).response

    # -- HTTP ---------------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        """The absolute URL of an API path (relative to `api_base`; absolute URLs pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return self.api_base + path.lstrip("/")

    def request(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        stream: bool = False,
        timeout: float | None = None,
        expect: Expect = "json",
    ) -> requests.Response:
        """Send one API request; raises an `ApiError` subclass for any error answer.

        `path` is relative to `api_base`. With `stream=True` a 2xx body is left unread (prefer
        `download`). `expect="json"`: a 2xx HTML page or broken JSON is an error too; "any"
        takes any 2xx body (a file).
        """
        method = method.upper()
        url = self.url_for(path)
        exchange = self.transport.send(
            method, url, auth=self._auth, params=params, json=json, data=data, files=files,
            headers=headers, timeout=timeout, stream=stream, on_401=self._reauthenticate,
        )  # fmt: skip
        response = exchange.response
        if response.status_code == 401 and isinstance(self._auth, OAuth2ClientCredentials):
            # A token fetched just now was refused too: later 401s with it mean "denied".
            self._denied_token = bearer_of(response.request.headers)
        legacy = self._auth_type == "oauth1" and "/gallery/api/" in url
        if response.status_code >= 400 or (300 <= response.status_code < 400):
            response.close()
            raise self._error(response, method, url, exchange, legacy)
        if not stream and expect == "json":
            check = response.content
            try:
                check_answer(response, check, legacy=legacy, where=f" ({method} {redact_url(url)})")
            except ApiError as exc:
                exc.method, exc.url = method, redact_url(url)
                exc.client_request_id = exc.request_id = exchange.request_id
                exc.headers = {k: self.scrub(v) for k, v in response.headers.items()}
                raise
        return response

    def _error(
        self, response: requests.Response, method: str, url: str, exchange: Exchange, legacy: bool
    ) -> ApiError:
        safe_methods = ("GET", "HEAD", "OPTIONS")
        maybe = exchange.maybe_delivered or (
            method not in safe_methods and response.status_code in (502, 504)
        )
        error = error_from_response(
            response,
            method=method,
            url=redact_url(url),
            legacy=legacy,
            bearer=not isinstance(self._auth, OAuth1QueryAuth),
            scrub=self.scrub,
            client_request_id=exchange.request_id,
            maybe_delivered=maybe and method not in safe_methods,
        )
        if isinstance(error, NotFoundError) and exchange.maybe_delivered:
            error.message += (
                f" (this {method} was retried after an attempt whose answer was lost: "
                "that attempt most likely already did it)"
            )
        elif error.maybe_delivered and response.status_code in (502, 504):
            error.message += (
                f" (a gateway answered: the Server may still have carried out this {method}, "
                "e.g. started the job; check before repeating it)"
            )
        return error

    def download(
        self,
        path: str,
        fh: IO[bytes],
        *,
        params: Any = None,
        method: str = "GET",
        json: Any = None,
        data: Any = None,
        files: Any = None,
        max_bytes: int = DEFAULT_MAX_DOWNLOAD_BYTES,
        timeout: float | None = None,
    ) -> int:
        """Stream a 2xx body into the open binary file `fh`; the number of bytes written.

        Errors are ApiError subclasses as for `request`: a cut-off body is a TransportError, a
        body past `max_bytes` (decoded) a ResponseTooLargeError.
        """
        response = self.request(
            method, path, params=params, json=json, data=data, files=files, stream=True,
            timeout=timeout, expect="any",
        )  # fmt: skip
        try:
            return write_body(response, fh, limit=max_bytes)
        except ApiError as exc:
            exc.method, exc.url = method.upper(), redact_url(self.url_for(path))
            raise
        finally:
            response.close()

    def _reauthenticate(self, response: requests.Response) -> bool:
        """After a 401: refresh the token or correct the clock; True when a retry makes sense."""
        auth = self._auth
        if isinstance(auth, OAuth2ClientCredentials):
            used = bearer_of(response.request.headers)
            if used is None or used == self._denied_token:
                return False
            auth.invalidate(used)
            return True  # the next attempt fetches a token (inside the same loop)
        if isinstance(auth, OAuth1QueryAuth):
            message = server_message_of(parse_body(response)) or ""
            if "timestamp" not in message.lower():
                return False
            offset = server_clock_offset(response.headers.get("Date"), time.time())
            if offset is None:
                return False
            log.warning("correcting the clock by %+d s from the Server's Date header", offset)
            auth.clock_offset = round(offset)
            with self._lock:
                self._clock_offset = float(round(offset))
            return True
        return False

    def request_json(
        self,
        method: str,
        path: str,
        *,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        expect: Expect = "json",
    ) -> Any:
        """Send a request and return its JSON (a text body as str; an empty body as None)."""
        response = self.request(
            method, path, params=params, json=json, data=data, files=files, headers=headers,
            timeout=timeout, expect=expect,
        )  # fmt: skip
        return parse_body(response)
