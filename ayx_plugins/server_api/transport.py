"""The transport: one session, one retry loop and budget, redirects, body reading, TLS trust.

Everything that can go wrong between sending a request and holding its whole answer happens
inside one loop: the token fetch (an auth step of the attempt), sending, redirects, retryable
statuses, reading the body (capped in size and in time). Only `ApiError` subclasses leave it.
"""

from __future__ import annotations

import logging
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urljoin, urlsplit, urlunsplit

import requests
import urllib3.exceptions

from .answers import DEFAULT_MAX_BODY_BYTES, BodyDeadlineError, read_body
from .errors import ApiError, RateLimitError, RedirectError, ServerError, TransportError
from .retry import RetryPolicy, never_sent
from .transport_text import describe_transport, is_login_url

__all__ = ["Exchange", "Transport", "redact_url", "retryable_error"]

log = logging.getLogger("ayx_plugins.server_api")

_SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
_MAX_REDIRECTS = 5
_READ_ERRORS = (requests.RequestException, urllib3.exceptions.HTTPError, OSError)
T = TypeVar("T")


def redact_url(url: str) -> str:
    """The URL without its query (which may hold OAuth parameters) for messages and logs."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


def _origin(url: str) -> tuple[str, str, int | None]:
    parts = urlsplit(url)
    port = parts.port or (443 if parts.scheme == "https" else 80)
    return parts.scheme.lower(), (parts.hostname or "").lower(), port


@dataclass
class Exchange:
    """The final answer of one logical request: the response (body read unless streamed)."""

    response: requests.Response
    request_id: str
    maybe_delivered: bool  # an earlier attempt may have reached the Server and acted


def retryable_error(exc: ApiError, policy: RetryPolicy) -> bool:
    """Whether a failed auth step (the token fetch) may be tried again: it creates nothing."""
    if isinstance(exc, (RateLimitError, ServerError)):
        return exc.status in policy.statuses
    return isinstance(exc, TransportError) and exc.kind in ("transport", "timeout")


class Transport:
    """Sends requests on one session with one retry policy, budget and deadline per request."""

    def __init__(
        self,
        session: requests.Session,
        *,
        verify: bool | str,
        timeout: float,
        total_timeout: float,
        retry: RetryPolicy,
        max_body_bytes: int = DEFAULT_MAX_BODY_BYTES,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.session = session
        self.verify = verify
        self.timeout = timeout
        self.total_timeout = total_timeout
        self.retry = retry
        self.max_body_bytes = max_body_bytes
        self.clock = clock
        self._lock = threading.Lock()
        self.requests = 0
        self.retries = 0

    def _count(self, *, sent: int = 0, retried: int = 0) -> None:
        with self._lock:
            self.requests += sent
            self.retries += retried

    def _sleep(self, wait: float) -> None:
        self._count(retried=1)
        self.retry.sleep(wait)

    def _wait(self, attempt: int, retry_after: float | str | None, deadline: float) -> bool:
        """Sleep before retry `attempt` if the deadline allows it; False when it does not."""
        wait = self.retry.delay(attempt, retry_after)
        if self.clock() + wait > deadline:
            return False
        self._sleep(wait)
        return True

    def with_retries(self, step: Callable[[], T]) -> T:
        """Run an auth step (a token fetch) under the same policy, budget and deadline."""
        deadline = self.clock() + self.total_timeout
        attempt = 0
        while True:
            try:
                return step()
            except ApiError as exc:
                if not (
                    retryable_error(exc, self.retry)
                    and attempt < self.retry.max_retries
                    and self._wait(attempt, exc.retry_after, deadline)
                ):
                    raise
                attempt += 1

    def send(
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
        stream: bool = False,
        token_request: bool = False,
        on_401: Callable[[requests.Response], bool] | None = None,
    ) -> Exchange:
        """One logical request: the final answer (any status); raises only ApiError subclasses.

        A token request is tried once (its caller's loop retries it). Not idempotent and sent:
        never repeated. `on_401` may refresh the credentials once (not counted as a retry).
        """
        policy = self.retry
        per_try = self.timeout if timeout is None else float(timeout)
        deadline = self.clock() + max(self.total_timeout, per_try)
        as_method = "GET" if token_request else method  # a token request creates nothing
        budget = 0 if token_request else policy.max_retries
        request_id = uuid.uuid4().hex
        attempt = hops = 0
        reauthenticated = maybe = False
        target, query = url, params
        while True:
            if attempt or hops or reauthenticated:
                _rewind(files)
            request = requests.Request(
                method, target, params=query, json=json, data=data, files=files,
                headers={**(headers or {}), "X-Request-Id": request_id}, auth=auth,
            )  # fmt: skip
            try:
                prepared = self.session.prepare_request(request)
            except ApiError as exc:  # the token fetch failed: this request was never sent
                if (
                    retryable_error(exc, policy)
                    and attempt < budget
                    and self._wait(attempt, exc.retry_after, deadline)
                ):
                    attempt += 1
                    continue
                raise
            except (requests.RequestException, ValueError) as exc:
                raise TransportError(
                    f"the request for {redact_url(target)} could not be built: "
                    f"{type(exc).__name__}",
                    method=method, url=redact_url(target), client_request_id=request_id,
                ) from None  # fmt: skip
            left = deadline - self.clock()
            try:
                if left <= 0:
                    raise requests.exceptions.ReadTimeout("the request's total time ran out")
                response = self._send(prepared, min(per_try, left))
            except requests.RequestException as exc:
                sent = not never_sent(exc)
                if (
                    policy.retry_exception(as_method, exc)
                    and attempt < budget
                    and self._wait(attempt, None, deadline)
                ):
                    log.info("retrying %s %s: %s", method, redact_url(target), type(exc).__name__)
                    maybe = maybe or sent
                    attempt += 1
                    continue
                raise self._transport_error(
                    exc, method, target, per_try, request_id, token_request, maybe or sent
                ) from None
            except (urllib3.exceptions.HTTPError, OSError, ValueError) as exc:
                # What requests does not wrap (an odd URL or header, a socket error): still
                # typed. It may have been sent, so a non-idempotent request is not repeated.
                acts = method.upper() not in _SAFE_METHODS and not token_request
                raise TransportError(
                    f"the request to {urlsplit(target).netloc} failed ({type(exc).__name__})"
                    + ("; it may have gone through: check before repeating it" if acts else ""),
                    method=method, url=redact_url(target), client_request_id=request_id,
                    maybe_delivered=acts,
                ) from None  # fmt: skip
            log.debug("%s %s -> %s", method, redact_url(target), response.status_code)
            if response.is_redirect:
                location = urljoin(target, response.headers.get("Location", ""))
                response.close()
                self._check_redirect(method, target, location, token_request, request_id)
                hops += 1
                if hops > _MAX_REDIRECTS:
                    raise RedirectError(
                        f"more than {_MAX_REDIRECTS} redirects from {redact_url(url)}",
                        location=redact_url(location), method=method, url=redact_url(url),
                        client_request_id=request_id,
                    )  # fmt: skip
                target, query = location, None
                continue
            status = response.status_code
            if policy.retry_status(as_method, status) and attempt < budget:
                wait = policy.delay(attempt, response.headers.get("Retry-After"))
                if self.clock() + wait <= deadline:  # else this answer is the final one
                    response.close()
                    self._sleep(wait)
                    # A gateway error (502/504) may hide a request the Server did carry out.
                    maybe = maybe or status in (502, 504)
                    attempt += 1
                    continue
            if status == 401 and on_401 is not None and not reauthenticated:
                final = self._finish(method, target, per_try, request_id, maybe, deadline,
                                     response, stream)  # fmt: skip
                if not on_401(response):
                    return final
                reauthenticated = True
                response.close()
                continue
            try:
                return self._finish(method, target, per_try, request_id, maybe, deadline,
                                    response, stream)
            except TransportError as exc:
                if (
                    as_method.upper() in policy.methods
                    and attempt < budget
                    and self._wait(attempt, None, deadline)
                ):
                    maybe = maybe or method.upper() not in _SAFE_METHODS
                    attempt += 1
                    continue
                exc.maybe_delivered = method.upper() not in _SAFE_METHODS and not token_request
                raise

    def _send(self, prepared: requests.PreparedRequest, timeout: float) -> requests.Response:
        assert prepared.url is not None
        settings = self.session.merge_environment_settings(
            prepared.url, {}, True, self.verify, None
        )
        self._count(sent=1)
        return self.session.send(prepared, timeout=timeout, allow_redirects=False, **settings)

    def _finish(
        self,
        method: str,
        url: str,
        per_try: float,
        request_id: str,
        maybe: bool,
        deadline: float,
        response: requests.Response,
        stream: bool,
    ) -> Exchange:
        """Read the body (unless a 2xx is streamed) inside the mapped region."""
        if stream and response.status_code < 400:
            return Exchange(response, request_id, maybe)
        try:
            read_body(response, limit=self.max_body_bytes, deadline=deadline, clock=self.clock)
        except ApiError as exc:
            response.close()
            exc.method, exc.url, exc.client_request_id = method, redact_url(url), request_id
            exc.request_id = exc.request_id or request_id
            raise
        except BodyDeadlineError:
            response.close()
            raise TransportError(
                f"{urlsplit(url).netloc} did not finish answering within {self.total_timeout:g} s "
                f"({method} {redact_url(url)}): the Server or the network is too slow",
                method=method, url=redact_url(url), client_request_id=request_id, kind="timeout",
            ) from None  # fmt: skip
        except _READ_ERRORS as exc:
            response.close()
            raise TransportError(
                f"the answer from {urlsplit(url).netloc} was cut off ({method} {redact_url(url)}, "
                f"{type(exc).__name__}): the connection closed before the whole body arrived",
                method=method, url=redact_url(url), client_request_id=request_id,
            ) from None  # fmt: skip
        return Exchange(response, request_id, maybe)

    def _transport_error(
        self,
        exc: requests.RequestException,
        method: str,
        url: str,
        timeout: float,
        request_id: str,
        token_request: bool,
        sent: bool,
    ) -> TransportError:
        acts = sent and method.upper() not in _SAFE_METHODS and not token_request
        return describe_transport(
            exc, method=method, url=url, safe_url=redact_url(url), timeout=timeout,
            token_request=token_request, maybe_delivered=acts, client_request_id=request_id,
        )  # fmt: skip

    def _check_redirect(
        self, method: str, url: str, location: str, token_request: bool, request_id: str
    ) -> None:
        """Raise unless the redirect may be followed (same origin, a safe method, no sign-in)."""
        shown = redact_url(location)
        kw: dict[str, Any] = {
            "location": shown, "method": method, "url": redact_url(url),
            "client_request_id": request_id,
        }  # fmt: skip
        src, dst = _origin(url), _origin(location)
        if is_login_url(location):
            raise RedirectError(
                f"the Server redirected to a sign-in page ({shown}) — a proxy or single sign-on "
                "is in the way: the API needs direct access to the Server",
                kind="login_page", **kw,
            )  # fmt: skip
        if src[0] == "http" and dst[0] == "https" and src[1] == dst[1]:
            parts = urlsplit(url)
            suggested = urlunsplit(("https", dst[1] + (f":{dst[2]}" if dst[2] != 443 else ""),
                                    parts.path, "", ""))  # fmt: skip
            raise RedirectError(
                f"the Server only answers on https: use {suggested} as the Server URL",
                kind="https_required", **kw,
            )  # fmt: skip
        if token_request or src != dst or method.upper() not in _SAFE_METHODS:
            raise RedirectError(
                f"the Server URL redirects to {shown}; use that URL (credentials are never sent "
                "on to a redirect target)",
                **kw,
            )


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
