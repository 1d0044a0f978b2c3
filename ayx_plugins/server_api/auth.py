"""Pluggable `requests` auth: OAuth 1.0a query signing, OAuth 2 client credentials, bearer."""

from __future__ import annotations

import copy
import math
import secrets
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal, cast

import requests
from oauthlib.oauth1 import SIGNATURE_HMAC_SHA1, SIGNATURE_TYPE_QUERY
from oauthlib.oauth1 import Client as OAuth1Client
from requests.auth import AuthBase

from .answer_meta import request_id_of, retry_after_of, scrub_body
from .answers import check_answer
from .errors import (
    ApiError,
    AuthenticationError,
    TransportError,
    error_from_response,
    parse_body,
    server_message_of,
)
from .scrub import Scrubber

__all__ = [
    "BearerTokenAuth",
    "OAuth1QueryAuth",
    "OAuth2ClientCredentials",
    "TokenInfo",
    "sign_oauth1_url",
]


HttpMethod = Literal["CONNECT", "DELETE", "GET", "HEAD", "OPTIONS", "PATCH", "POST", "PUT", "TRACE"]


def _nonce() -> str:
    # 128 bits from the OS CSPRNG: unpredictable, and never reused in practice.
    return secrets.token_hex(16)


def sign_oauth1_url(
    method: str,
    url: str,
    api_key: str,
    api_secret: str,
    *,
    nonce: str | None = None,
    timestamp: int | None = None,
) -> str:
    """Sign `url` (as it goes on the wire) per RFC 5849 with HMAC-SHA1 in the query string.

    Query parameters are signed, a body never is. oauthlib does the normalisation and signing.
    """
    client = OAuth1Client(
        api_key,
        client_secret=api_secret,
        signature_method=SIGNATURE_HMAC_SHA1,
        signature_type=SIGNATURE_TYPE_QUERY,
        nonce=nonce or _nonce(),
        timestamp=str(int(time.time()) if timestamp is None else int(timestamp)),
    )
    verb = cast(HttpMethod, method.upper())
    signed_url, _headers, _body = client.sign(url, http_method=verb)
    return str(signed_url)


class OAuth1QueryAuth(AuthBase):
    """OAuth 1.0a one-legged signing for the legacy /gallery/api/ (parameters in the query).

    `clock_offset` (seconds, server minus local) is added to the timestamp; the client sets it
    from the Server's `Date` header when the Server says the timestamp is off.
    """

    def __init__(self, api_key: str, api_secret: str, *, clock_offset: float = 0.0) -> None:
        self.api_key = api_key
        self._secret = api_secret
        self.clock_offset = clock_offset

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        if r.url is None or r.method is None:
            raise ValueError("cannot sign a request without a method and URL")
        r.url = sign_oauth1_url(
            r.method,
            r.url,
            self.api_key,
            self._secret,
            timestamp=int(time.time() + self.clock_offset),
        )
        return r

    def __repr__(self) -> str:
        return f"OAuth1QueryAuth(api_key={self.api_key!r}, api_secret=***)"


@dataclass(frozen=True)
class TokenInfo:
    """An OAuth 2 access token and when it expires (UTC). The token never shows in a repr."""

    access_token: str = field(repr=False)
    token_type: str = "bearer"
    expires_at: datetime = field(default_factory=lambda: datetime.max.replace(tzinfo=timezone.utc))

    @property
    def expires_in(self) -> float:
        """Seconds left before the token expires (negative when it has)."""
        return (self.expires_at - datetime.now(timezone.utc)).total_seconds()

    def __repr__(self) -> str:
        return (
            f"TokenInfo(access_token=***, token_type={self.token_type!r}, "
            f"expires_at={self.expires_at.isoformat()!r})"
        )


class BearerTokenAuth(AuthBase):
    """A fixed bearer token (e.g. from the Authenticate tool): used as-is, never refreshed."""

    def __init__(self, token: str) -> None:
        self._token = token

    @property
    def token(self) -> str:
        """The token itself."""
        return self._token

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self._token}"
        return r

    def __repr__(self) -> str:
        return "BearerTokenAuth(token=***)"


_MAX_LIFETIME = 366 * 24 * 3600.0

# Sends the token request: (url, form data, basic auth or None) -> response. The client passes
# one that goes through its session, timeouts and retry policy.
TokenPost = Callable[[str, dict[str, str], "tuple[str, str] | None"], requests.Response]


class OAuth2ClientCredentials(AuthBase):
    """OAuth 2 client credentials with a cached token shared by all threads.

    The token is fetched once, refreshed ahead of `expires_in` (leeway: 60 s or 10% of the
    lifetime, whichever is smaller), and fetched by one thread at a time (single-flight).
    """

    def __init__(
        self,
        token_url: str,
        api_key: str,
        api_secret: str,
        *,
        token_in_body: bool = False,
        post: TokenPost | None = None,
        timeout: float = 60.0,
        clock: Callable[[], float] = time.time,
        scrub: Scrubber | None = None,
    ) -> None:
        self.token_url = token_url
        self.api_key = api_key
        self._secret = api_secret
        self.token_in_body = token_in_body
        self._post = post or self._plain_post
        self._timeout = timeout
        self._clock = clock
        self._lock = threading.Lock()
        self._token: TokenInfo | None = None
        self._refresh_at = 0.0
        self.tokens_fetched = 0
        self._scrub = scrub
        # A definitive refusal (400/401) of these credentials: every later call fails with it at
        # once, without another request (a wrong secret must not be tried once per record).
        self.refused: ApiError | None = None

    def __repr__(self) -> str:
        return (
            f"OAuth2ClientCredentials(token_url={self.token_url!r}, api_key={self.api_key!r}, "
            f"api_secret=***, token_in_body={self.token_in_body!r})"
        )

    def _plain_post(
        self, url: str, data: dict[str, str], basic: tuple[str, str] | None
    ) -> requests.Response:
        return requests.post(url, data=data, auth=basic, timeout=self._timeout)

    @property
    def cached(self) -> TokenInfo | None:
        """The cached token, if any (it may be stale)."""
        return self._token

    def token(self, *, force: bool = False) -> TokenInfo:
        """A valid token: the cached one, or a freshly fetched one (one fetch at a time).

        After the token endpoint refused the credentials (400/401) it raises that refusal again
        without a request.
        """
        self._raise_refused()
        current = self._token
        if not force and current is not None and self._clock() < self._refresh_at:
            return current
        with self._lock:
            # Another thread may have refreshed while this one waited for the lock.
            self._raise_refused()
            current = self._token
            if not force and current is not None and self._clock() < self._refresh_at:
                return current
            return self._fetch()

    def _raise_refused(self) -> None:
        if self.refused is not None:
            raise copy.copy(self.refused)

    def invalidate(self, access_token: str | None) -> None:
        """Drop the cached token if it is `access_token` (the one a 401 answered)."""
        with self._lock:
            if self._token is not None and (
                access_token is None or self._token.access_token == access_token
            ):
                self._token = None
                self._refresh_at = 0.0

    def _fetch(self) -> TokenInfo:
        data = {"grant_type": "client_credentials"}
        basic: tuple[str, str] | None = None
        if self.token_in_body:
            data["client_id"] = self.api_key
            data["client_secret"] = self._secret
        else:
            basic = (self.api_key, self._secret)
        started = self._clock()
        try:
            response = self._post(self.token_url, data, basic)
        except requests.RequestException as exc:
            raise TransportError(
                f"could not reach the token endpoint {self.token_url}: {type(exc).__name__}",
                method="POST",
                url=self.token_url,
            ) from None
        if response.status_code != 200:
            error = self._token_error(response)
            if response.status_code in (400, 401):
                error.kind = "token_refused"
                self.refused = error
            raise error
        body = parse_body(response)
        if not isinstance(body, dict):
            check_answer(response, response.content, where=f" (POST {self.token_url})")
        if not isinstance(body, dict) or not isinstance(body.get("access_token"), str):
            raise AuthenticationError(
                f"the token endpoint {self.token_url} answered 200 without an access_token: is "
                "this URL really the Server's /webapi/?",
                status=200,
                method="POST",
                url=self.token_url,
            )
        try:
            lifetime = float(body.get("expires_in", 3600))
        except (TypeError, ValueError, OverflowError):
            lifetime = 3600.0
        if not math.isfinite(lifetime):
            lifetime = 3600.0
        lifetime = min(max(lifetime, 0.0), _MAX_LIFETIME)  # `1e20` must not overflow a datetime
        token_type = str(body.get("token_type", "bearer"))
        if token_type.lower() != "bearer":
            raise AuthenticationError(
                f"the token endpoint returned an unsupported token type {token_type!r}",
                status=200,
                method="POST",
                url=self.token_url,
            )
        leeway = min(60.0, 0.1 * lifetime)
        info = TokenInfo(
            access_token=body["access_token"],
            token_type=token_type,
            expires_at=datetime.fromtimestamp(started + lifetime, tz=timezone.utc),
        )
        if self._scrub is not None:
            self._scrub.add(info.access_token)
        self._token = info
        self._refresh_at = started + lifetime - leeway
        self.tokens_fetched += 1
        return info

    def _token_error(self, response: requests.Response) -> ApiError:
        scrub: Callable[[str], str] = self._scrub or (lambda text: text)
        sent_id = response.request.headers.get("X-Request-Id") if response.request else None
        if response.status_code == 429 or response.status_code >= 500:
            # Overload or an outage, not bad credentials: say so (and let callers retry).
            return error_from_response(
                response, method="POST", url=self.token_url, scrub=scrub,
                client_request_id=sent_id,
            )  # fmt: skip
        body = scrub_body(parse_body(response), scrub)
        message = scrub(server_message_of(body) or f"HTTP {response.status_code}")
        code = body.get("error") if isinstance(body, dict) else None
        hint = (
            "check the API key and secret (My Profile > Keys > API Access Key, not the Private "
            "Studio key), that an admin set API Access = Yes for the user, and that the URL is "
            "the Server's /webapi/"
        )
        if response.status_code in (404, 405):
            hint = "no token endpoint here: is the Server 2021.4+, and the URL its /webapi/?"
        detail = f" ({code})" if isinstance(code, str) and code not in message else ""
        headers = {k: scrub(v) for k, v in response.headers.items()}
        return AuthenticationError(
            f"HTTP {response.status_code} token request refused: {message}{detail}: {hint}",
            status=response.status_code,
            body=body,
            server_message=message,
            method="POST",
            url=self.token_url,
            headers=headers,
            request_id=request_id_of(headers),
            client_request_id=sent_id,
            retry_after=retry_after_of(headers),
        )

    def __call__(self, r: requests.PreparedRequest) -> requests.PreparedRequest:
        r.headers["Authorization"] = f"Bearer {self.token().access_token}"
        return r


def bearer_of(headers: Any) -> str | None:
    """The bearer token in a request's headers, if any."""
    value = headers.get("Authorization") if headers is not None else None
    if isinstance(value, str) and value.startswith("Bearer "):
        return value[len("Bearer ") :]
    return None
