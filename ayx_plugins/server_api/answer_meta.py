"""What an answer says besides its body: its request id and Retry-After; scrubbing a body."""

from __future__ import annotations

import json
import math
from collections.abc import Callable, Mapping
from typing import Any

__all__ = ["REQUEST_ID_HEADERS", "plain_scrub", "request_id_of", "retry_after_of", "scrub_body"]

# Response headers a Server, gateway or load balancer may name its request id in.
REQUEST_ID_HEADERS = ("X-Request-Id", "Request-Id", "X-Correlation-Id", "X-Ms-Request-Id")


def retry_after_of(headers: Mapping[str, str] | None, cap: float = 3600.0) -> float | None:
    """The `Retry-After` of an answer in seconds, clamped to [0, cap]; None when absent or bad."""
    from .retry import parse_retry_after

    value = parse_retry_after((headers or {}).get("Retry-After"))
    if value is None or not math.isfinite(value):
        return None
    return min(max(value, 0.0), cap)


def request_id_of(headers: Mapping[str, str] | None) -> str | None:
    """The request id the Server (or a gateway in front of it) named in its answer, if any."""
    for name in REQUEST_ID_HEADERS:
        value = (headers or {}).get(name)
        if value and value.strip():
            return value.strip()[:200]
    return None


def scrub_body(body: Any, scrub: Callable[[str], str]) -> Any:
    """`body` (JSON or text) with every secret replaced by `scrub`."""
    if isinstance(body, str):
        return scrub(body)
    if body is None or isinstance(body, (bool, int, float)):
        return body
    try:
        return json.loads(scrub(json.dumps(body, ensure_ascii=False)))
    except ValueError:
        return scrub(str(body))


def plain_scrub(secrets: tuple[str, ...]) -> Callable[[str], str]:
    def scrub(text: str) -> str:
        for secret in secrets:
            if secret:
                text = text.replace(secret, "***")
        return text

    return scrub
