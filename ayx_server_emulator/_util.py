"""Small helpers shared by the emulator modules: ids, .NET-style dates, JSON responses."""

from __future__ import annotations

import itertools
import os
import threading
import time
from datetime import datetime, timezone
from typing import Any

_counter = itertools.count(int.from_bytes(os.urandom(3), "big"))
_counter_lock = threading.Lock()


def new_id() -> str:
    """Return a fresh 24-hex ObjectId (timestamp, random, counter), like MongoDB's."""
    with _counter_lock:
        n = next(_counter) & 0xFFFFFF
    return f"{int(time.time()) & 0xFFFFFFFF:08x}{os.urandom(5).hex()}{n:06x}"


def is_object_id(value: str) -> bool:
    """Tell whether value looks like a 24-hex ObjectId."""
    if len(value) != 24:
        return False
    try:
        int(value, 16)
    except ValueError:
        return False
    return True


def dotnet_date(ts: float, digits: int = 7) -> str:
    """Format a POSIX time as a .NET UTC string with `digits` (0..7) fractional digits.

    7 is .NET's round-trip format; a real Server also sends 3 (`…40.408Z`) and none (`…40Z`).
    """
    dt = datetime.fromtimestamp(ts, tz=timezone.utc)
    head = dt.strftime("%Y-%m-%dT%H:%M:%S")
    if digits <= 0:
        return head + "Z"
    return head + "." + (dt.strftime("%f") + "0")[:min(digits, 7)] + "Z"


def parse_date(value: str) -> float | None:
    """Parse an ISO date (any fractional precision, Z or offset) to POSIX time, else None."""
    text = value.strip()
    if not text:
        return None
    if text.endswith("Z"):
        text = text[:-1] + "+00:00"
    # Python 3.10's fromisoformat accepts only 3 or 6 fractional digits.
    if "." in text:
        head, _, rest = text.partition(".")
        frac = "".join(itertools.takewhile(str.isdigit, rest))
        text = head + "." + (frac + "000000")[:6] + rest[len(frac):]
    try:
        dt = datetime.fromisoformat(text)
    except ValueError:
        return None
    if dt.tzinfo is None:
        dt = dt.replace(tzinfo=timezone.utc)
    return dt.timestamp()


def public(item: dict[str, Any]) -> dict[str, Any]:
    """Drop the private (underscore) keys the emulator keeps beside the wire fields."""
    return {k: v for k, v in item.items() if not k.startswith("_")}


def date_in_range(value: str | None, after: str | None, before: str | None) -> bool:
    """Tell whether a .NET date string lies within optional ISO bounds."""
    if not (after or before):
        return True
    ts = parse_date(value or "")
    if ts is None:
        return False
    lo = parse_date(after) if after else None
    hi = parse_date(before) if before else None
    return (lo is None or ts >= lo) and (hi is None or ts <= hi)
