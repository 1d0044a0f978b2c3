"""`ServerClient`: the one place that talks HTTP to Alteryx Server."""

from __future__ import annotations

import email.utils
import logging
import threading
import time
from collections.abc import Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions
from requests.adapters import HTTPAdapter

from .auth import BearerTokenAuth, OAuth1QueryAuth, OAuth2ClientCredentials, TokenInfo, bearer_of
from .errors import (
    ApiError,
    NotFoundError,
    RateLimitError,
    ServerError,
    TransportError,
    error_from_response,
    parse_body,
    server_message_of,
)
from .retry import RetryPolicy, never_sent
from .urls import AuthType, BaseUrl, parse_base_url

__all__ = ["ClientStats", "ServerClient", "redact_url"]

log = logging.getLogger("ayx_plugins.server_api")

USER_AGENT = "alteryx-server-tools/0.1 (+ayx_plugins.server_api)"


@dataclass(frozen=True)
class ClientStats:
    """Counters of one client: HTTP requests sent, retries, tokens fetched, clock offset used."""

    requests: int = 0
    retries: int = 0
    tokens_fetched: int = 0
    clock_offset_seconds: float = 0.0


def redact_url(url: str) -> str:
    """The URL without its query (which may hold OAuth parameters) for messages and logs."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _rewind(files: Any) -> None:
    """Seek file objects in a `files=` argument back to the start before a re-send."""
    if files is None:
        return
    items = files.values() if isinstance(files, Mapping) else [v for _k, v in files]
    for value in items:
        obj = value[1] if isinstance(value, tuple) and len(value) > 1 else value
        seek = getattr(obj, "seek", None)
        if callable(seek):
            seek(0)


_MAYBE_REPEATED = "_ayx_maybe_repeated"


def _describe_transport(exc: requests.RequestException, url: str, timeout: float) -> str:
    host = urlsplit(url).netloc
    if isinstance(exc, requests.exceptions.SSLError):
        return (
            f"TLS failed for {host} (handshake or certificate check): if the Server's "
            "certificate comes from a private certificate authority, pass its PEM bundle "
            "(--ca-bundle / verify='ca.pem', or set REQUESTS_CA_BUNDLE); check the chain includes "
            "the intermediates and that this port really serves https"
        )
    if isinstance(exc, requests.exceptions.ProxyError):
        return (
            f"the proxy failed for {host}: check HTTPS_PROXY/HTTP_PROXY and NO_PROXY "
            "(run `ayx-server doctor` to see the proxy in effect)"
        )
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return f"could not connect to {host} within {timeout:g} s: check the host, port, firewall"
    if isinstance(exc, requests.exceptions.ReadTimeout):
        return (
            f"{host} did not answer within {timeout:g} s (the request was sent; a job start may "
            "have gone through: check the job list before starting it again)"
        )
    if never_sent(exc):
        reason = exc.args[0] if exc.args else None
        if isinstance(reason, urllib3.exceptions.MaxRetryError):
            reason = reason.reason
        if isinstance(reason, urllib3.exceptions.NameResolutionError):
            return f"cannot resolve the host name {urlsplit(url).hostname!r}: check the URL / DNS"
        return f"connection to {host} refused: check the URL, port and that the Server is up"
    # The request went out and the connection closed before an answer: the Server may have
    # acted on it, so the user must look before repeating it (never blindly re-run a job).
    return (
        f"the connection to {host} closed before the Server answered ({type(exc).__name__}); "
        "the request was sent, so it may have gone through (a job may have started): check the "
        "job list before starting it again"
    )


class ServerClient:
    """A thread-safe Alteryx Server API client: one session, one auth, one retry policy.

    `url` may be any Server URL a user pastes; `auth_type` defaults from it (OAuth 1.0a only for
    /gallery/api/). `token` is a ready bearer token (used as-is, never refreshed).
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
    ) -> None:
        self.base: BaseUrl = parse_base_url(url)
        chosen: AuthType = auth_type or ("oauth2" if token else self.base.default_auth)
        if chosen not in ("oauth1", "oauth2"):
            raise ValueError(f"auth_type must be 'oauth2' or 'oauth1', not {chosen!r}")
        if self.base.family == "webapi" and chosen == "oauth1":
            raise ValueError(
                "OAuth 1.0a is only served under /gallery/api/ (Servers before 2022.1); "
                "use auth_type='oauth2' with /webapi/, or give the /gallery/api/ URL"
            )
        if self.base.family == "gallery_api" and chosen == "oauth2":
            raise ValueError(
                "OAuth 2 is served under /webapi/, not /gallery/api/: give the /webapi/ URL"
            )
        self._auth_type: AuthType = chosen
        self.timeout = float(timeout)
        self.verify = verify
        self.retry = retry or RetryPolicy()
        self._own_session = session is None
        self._session = session or requests.Session()
        if self._own_session:
            adapter = HTTPAdapter(pool_connections=pool_size, pool_maxsize=pool_size)
            self._session.mount("https://", adapter)
            self._session.mount("http://", adapter)
            self._session.headers["User-Agent"] = USER_AGENT
            self._session.verify = verify
        self._lock = threading.Lock()
        self._requests = 0
        self._retries = 0
        self._clock_offset = 0.0
        # A token that drew a 401 right after being fetched: its 401s mean "denied", not expiry.
        self._denied_token: str | None = None
        self._secrets: tuple[str, ...] = tuple(s for s in (api_secret, token) if s)

        self._auth: OAuth1QueryAuth | OAuth2ClientCredentials | BearerTokenAuth
        if chosen == "oauth1":
            if token or not (api_key and api_secret):
                raise ValueError("OAuth 1.0a needs an API key and secret (a token cannot sign)")
            self._auth = OAuth1QueryAuth(api_key, api_secret)
        elif token:
            self._auth = BearerTokenAuth(token)
        else:
            if not (api_key and api_secret):
                raise ValueError("OAuth 2 needs an API key and secret, or a token")
            self._auth = OAuth2ClientCredentials(
                self.api_base + "oauth2/token",
                api_key,
                api_secret,
                token_in_body=token_in_body,
                post=self._token_post,
            )

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
        with self._lock:
            return ClientStats(self._requests, self._retries, fetched, self._clock_offset)

    def __repr__(self) -> str:
        return f"ServerClient({self.api_base!r}, auth_type={self._auth_type!r})"

    # -- lifecycle ----------------------------------------------------------------------------

    def close(self) -> None:
        """Close the session (when this client created it)."""
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
        """The current OAuth 2 token (fetched if needed)."""
        if isinstance(self._auth, OAuth2ClientCredentials):
            return self._auth.token()
        if isinstance(self._auth, BearerTokenAuth):
            return TokenInfo(access_token=self._auth.token)
        raise ApiError("OAuth 1.0a signs each request and has no token; use auth_type='oauth2'")

    def verify_credentials(self) -> None:
        """Prove the credentials work: OAuth 2 fetches a token, OAuth 1.0a makes a signed call."""
        if isinstance(self._auth, OAuth2ClientCredentials):
            self._auth.token()
        elif isinstance(self._auth, BearerTokenAuth):
            self.request("GET", "v3/workflows", params={"view": "Default"})
        else:
            self.request("GET", "v1/workflows/subscription/", params={"limit": "1"})

    # -- HTTP ---------------------------------------------------------------------------------

    def url_for(self, path: str) -> str:
        """The absolute URL of an API path (relative to `api_base`; absolute URLs pass through)."""
        if path.startswith(("http://", "https://")):
            return path
        return self.api_base + path.lstrip("/")

    def _count(self, *, requests_: int = 0, retries: int = 0) -> None:
        with self._lock:
            self._requests += requests_
            self._retries += retries

    def _send(
        self,
        prepared: requests.PreparedRequest,
        timeout: float,
    ) -> requests.Response:
        assert prepared.url is not None
        settings = self._session.merge_environment_settings(
            prepared.url, {}, True, self.verify, None
        )
        self._count(requests_=1)
        return self._session.send(prepared, timeout=timeout, allow_redirects=True, **settings)

    def _token_post(
        self, url: str, data: dict[str, str], basic: tuple[str, str] | None
    ) -> requests.Response:
        # A token request creates nothing on the Server, so every failure may be retried.
        return self._exchange("POST", url, data=data, auth=basic, idempotent=True)

    def _exchange(
        self,
        method: str,
        url: str,
        *,
        auth: Any = None,
        params: Any = None,
        json: Any = None,
        data: Any = None,
        files: Any = None,
        headers: Mapping[str, str] | None = None,
        timeout: float | None = None,
        idempotent: bool | None = None,
    ) -> requests.Response:
        """Send with the retry policy; returns the final response (any status), body unread."""
        policy = self.retry
        limit = self.timeout if timeout is None else float(timeout)
        # The token request may be retried like a GET: it creates nothing on the Server.
        as_method = "GET" if idempotent else method
        attempt = 0
        maybe_delivered = False  # an earlier attempt may have reached the Server and acted
        while True:
            if attempt:
                _rewind(files)
            request = requests.Request(
                method,
                url,
                params=params,
                json=json,
                data=data,
                files=files,
                headers=dict(headers or {}),
                auth=auth,
            )
            try:
                prepared = self._session.prepare_request(request)
            except (RateLimitError, ServerError, TransportError) as exc:
                # The token fetch failed after its own retries, so this request was never
                # sent: retrying it (even a POST) cannot start anything twice.
                transient = exc.status is None or exc.status in policy.statuses
                if transient and attempt < policy.max_retries:
                    self._count(retries=1)
                    policy.sleep(policy.delay(attempt))
                    attempt += 1
                    continue
                raise
            try:
                response = self._send(prepared, limit)
            except requests.RequestException as exc:
                if policy.retry_exception(as_method, exc) and attempt < policy.max_retries:
                    maybe_delivered = maybe_delivered or not never_sent(exc)
                    wait = policy.delay(attempt)
                    log.info("retrying %s %s after %s", method, redact_url(url), type(exc).__name__)
                    self._count(retries=1)
                    attempt += 1
                    policy.sleep(wait)
                    continue
                raise TransportError(
                    _describe_transport(exc, url, limit), method=method, url=redact_url(url)
                ) from None
            log.debug("%s %s -> %s", method, redact_url(url), response.status_code)
            if policy.retry_status(as_method, response.status_code) and (
                attempt < policy.max_retries
            ):
                wait = policy.delay(attempt, response.headers.get("Retry-After"))
                # A gateway error (502/504) may hide a request the Server did carry out.
                maybe_delivered = maybe_delivered or response.status_code in (502, 504)
                response.close()
                self._count(retries=1)
                attempt += 1
                policy.sleep(wait)
                continue
            # Read by request() to explain a 404 on a retried DELETE (an attribute, because the
            # response is what every caller of _exchange passes around).
            setattr(response, _MAYBE_REPEATED, maybe_delivered)
            return response

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
    ) -> requests.Response:
        """Send one API request; raises an `ApiError` subclass for any error answer.

        `path` is relative to `api_base`. With `stream=True` the body is left unread.
        """
        method = method.upper()
        url = self.url_for(path)
        reauthenticated = False
        while True:
            response = self._exchange(
                method,
                url,
                auth=self._auth,
                params=params,
                json=json,
                data=data,
                files=files,
                headers=headers,
                timeout=timeout,
            )
            if (
                response.status_code == 401
                and not reauthenticated
                and self._reauthenticate(response)
            ):
                reauthenticated = True
                response.close()
                _rewind(files)
                continue
            if response.status_code == 401 and reauthenticated:
                # A token fetched just now was refused too: later 401s with it mean "denied".
                self._denied_token = bearer_of(response.request.headers)
            break
        if response.status_code >= 400:
            try:
                error = error_from_response(
                    response,
                    method=method,
                    url=redact_url(url),
                    legacy=self._auth_type == "oauth1" and "/gallery/api/" in url,
                    bearer=not isinstance(self._auth, OAuth1QueryAuth),
                    secrets=self._secrets,
                )
                if isinstance(error, NotFoundError) and getattr(response, _MAYBE_REPEATED, False):
                    error.message += (
                        f" (this {method} was retried after an attempt whose answer was lost: "
                        "that attempt most likely already did it)"
                    )
                raise error
            finally:
                response.close()
        if not stream:
            _ = response.content
        return response

    def _reauthenticate(self, response: requests.Response) -> bool:
        """After a 401: refresh the token or correct the clock; True when a retry makes sense."""
        auth = self._auth
        if isinstance(auth, OAuth2ClientCredentials):
            used = bearer_of(response.request.headers)
            if used is None or used == self._denied_token:
                return False
            before = auth.tokens_fetched
            auth.invalidate(used)
            fresh = auth.token()
            # Retry only with a different token than the refused one.
            return auth.tokens_fetched != before or fresh.access_token != used
        if isinstance(auth, OAuth1QueryAuth):
            message = server_message_of(parse_body(response)) or ""
            if "timestamp" not in message.lower():
                return False
            date = response.headers.get("Date")
            if not date:
                return False
            try:
                # Date has whole seconds (truncated): +0.5 s centres the estimate.
                server_now = email.utils.parsedate_to_datetime(date).timestamp() + 0.5
            except (TypeError, ValueError):
                return False
            offset = round(server_now - time.time())
            log.warning("correcting the clock by %+d s from the Server's Date header", offset)
            auth.clock_offset = offset
            with self._lock:
                self._clock_offset = float(offset)
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
    ) -> Any:
        """Send a request and return its JSON (a text body as str; an empty body as None)."""
        response = self.request(
            method,
            path,
            params=params,
            json=json,
            data=data,
            files=files,
            headers=headers,
            timeout=timeout,
        )
        return parse_body(response)
