"""The one retry policy: which failures are retried, and how long to wait before the next try."""

from __future__ import annotations

import email.utils
import math
import random
import time
from collections.abc import Callable
from dataclasses import dataclass, field

import requests
import urllib3.exceptions

__all__ = ["RetryPolicy", "never_sent"]

IDEMPOTENT_METHODS = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
RETRY_STATUSES = frozenset({429, 502, 503, 504})


def never_sent(exc: BaseException) -> bool:
    """True when the request certainly never reached the server (no connection was made)."""
    if isinstance(exc, requests.exceptions.ConnectTimeout):
        return True
    if isinstance(exc, requests.exceptions.ProxyError):
        return False  # the proxy may have forwarded it
    if not isinstance(exc, requests.exceptions.ConnectionError):
        return False
    # requests wraps urllib3's MaxRetryError, whose `reason` says what failed.
    reason: BaseException | None = exc.args[0] if exc.args else None
    if isinstance(reason, urllib3.exceptions.MaxRetryError):
        reason = reason.reason
    return isinstance(reason, urllib3.exceptions.NewConnectionError)


@dataclass(frozen=True)
class RetryPolicy:
    """Capped, jittered exponential backoff on 429/502/503/504 and connection errors.

    GET/HEAD/OPTIONS/PUT/DELETE are retried; POST and PATCH only when the connection failed before
    anything was sent, so a job is never started twice. `Retry-After` is honoured up to
    `retry_after_max` seconds. `sleep` and `rand` are injectable for tests.
    """

    max_retries: int = 3
    backoff_base: float = 0.5
    backoff_max: float = 8.0
    retry_after_max: float = 60.0
    statuses: frozenset[int] = RETRY_STATUSES
    methods: frozenset[str] = IDEMPOTENT_METHODS
    sleep: Callable[[float], None] = field(default=time.sleep, compare=False, repr=False)
    rand: Callable[[], float] = field(default=random.random, compare=False, repr=False)

    @classmethod
    def none(cls) -> RetryPolicy:
        """A policy that never retries."""
        return cls(max_retries=0)

    def backoff(self, attempt: int) -> float:
        """Seconds to wait before retry number `attempt` (0-based): half fixed, half jitter."""
        capped = min(self.backoff_max, self.backoff_base * (2.0**attempt))
        return capped / 2.0 + self.rand() * capped / 2.0

    def delay(
        self, attempt: int, retry_after: str | float | None = None, now: float | None = None
    ) -> float:
        """The wait before retry `attempt`: the server's Retry-After (capped) when given."""
        server = (
            float(retry_after)
            if isinstance(retry_after, (int, float))
            else parse_retry_after(retry_after, now)
        )
        if server is not None and not math.isfinite(server):
            server = None
        if server is not None:
            return min(max(server, 0.0), self.retry_after_max)
        return self.backoff(attempt)

    def retry_status(self, method: str, status: int) -> bool:
        """Whether an answer with `status` to `method` may be retried."""
        return status in self.statuses and method.upper() in self.methods

    def retry_exception(self, method: str, exc: BaseException) -> bool:
        """Whether a transport failure of `method` may be retried."""
        if never_sent(exc):
            return True
        if method.upper() not in self.methods:
            return False
        return isinstance(
            exc, (requests.exceptions.ConnectionError, requests.exceptions.Timeout)
        ) and not isinstance(exc, requests.exceptions.SSLError)


def parse_retry_after(value: str | None, now: float | None = None) -> float | None:
    """Seconds from a Retry-After header (delta-seconds or an HTTP date), None if absent/bad.

    `nan`, `inf` and numbers too large for a float are bad, not a wait.
    """
    if value is None:
        return None
    value = value.strip()
    if not value:
        return None
    try:
        seconds = float(value)
    except (ValueError, OverflowError):
        pass
    else:
        return seconds if math.isfinite(seconds) else None
    try:
        when = email.utils.parsedate_to_datetime(value)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when is None:
        return None
    return when.timestamp() - (time.time() if now is None else now)
