"""One copy of each value rule: dates, value encoding, paths, multipart, clock, priority.

The tools, the CLI and the rest of the core import these; nothing else re-implements them.
"""

from __future__ import annotations

import datetime as dt
import email.utils
import json
import re
from collections.abc import Mapping
from contextlib import ExitStack
from pathlib import Path
from typing import Any, Literal

from .errors import ConfigurationError, PathParameterError
from .segments import path_segment

__all__ = [
    "PRIORITIES",
    "build_multipart",
    "encode_value",
    "jsonable",
    "parse_datetime",
    "path_segment",
    "priority_for",
    "render_path",
    "server_clock_offset",
]

_PARAM = re.compile(r"\{([^{}]+)\}")
_ISO = re.compile(
    r"^(\d{4}-\d{2}-\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:[.,](\d+))?)?)?"
    r"\s*(Z|z|[+-]\d{2}:?\d{2}|[+-]\d{2})?$"
)


# -------------------------------------------------------------------------------------- dates
def parse_datetime(value: Any, *, naive: bool = False) -> dt.datetime | None:
    """A UTC datetime from the Server's ISO-8601 text, or None when it is not one.

    Takes any number of fractional digits (.NET writes 7; `.12` is 120 ms), `Z`, `+hh:mm`,
    `+hhmm`, `+hh` or no offset (read as UTC), and a datetime or date object. The same on every
    Python (3.10's `fromisoformat` alone rejects most of these). `naive=True` drops the tzinfo
    after converting to UTC (what a Designer DateTime column holds).
    """
    parsed: dt.datetime | None
    if isinstance(value, dt.datetime):
        parsed = value
    elif isinstance(value, dt.date):
        parsed = dt.datetime(value.year, value.month, value.day)
    elif isinstance(value, str):
        parsed = _parse_iso(value.strip())
    else:
        return None
    if parsed is None:
        return None
    try:
        parsed = parsed.astimezone(dt.timezone.utc) if parsed.tzinfo else parsed.replace(
            tzinfo=dt.timezone.utc
        )
    except (OverflowError, ValueError):  # year 1 or 9999 pushed past the range by the offset
        return None
    return parsed.replace(tzinfo=None) if naive else parsed


def _parse_iso(text: str) -> dt.datetime | None:
    match = _ISO.match(text)
    if not match:
        return None
    day, hh, mm, ss, frac, zone = match.groups()
    try:
        year, month, mday = (int(p) for p in day.split("-"))
        micro = int((frac or "0")[:6].ljust(6, "0"))
        tz: dt.tzinfo | None = None
        if zone and zone not in ("Z", "z"):
            digits = zone[1:].replace(":", "").ljust(4, "0")
            delta = dt.timedelta(hours=int(digits[:2]), minutes=int(digits[2:]))
            tz = dt.timezone(-delta if zone[0] == "-" else delta)
        elif zone:
            tz = dt.timezone.utc
        return dt.datetime(
            year, month, mday, int(hh or 0), int(mm or 0), int(ss or 0), micro, tzinfo=tz
        )
    except ValueError:  # month 13, hour 25, an offset of a day or more
        return None


# ----------------------------------------------------------------------------- value encoding
def jsonable(value: Any) -> Any:
    """A value as a JSON body carries it: dates as ISO text, bytes as UTF-8 text."""
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, (bytes, bytearray)):
        return bytes(value).decode("utf-8", "replace")
    if isinstance(value, Mapping):
        return {str(k): jsonable(v) for k, v in value.items()}
    if isinstance(value, (list, tuple)):
        return [jsonable(v) for v in value]
    return value


def encode_value(value: Any) -> str:
    """A form or query value as the Server reads it: "true"/"false", JSON for lists and maps."""
    value = jsonable(value)
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, dict)):
        return json.dumps(value, ensure_ascii=False)
    if value is None:
        return ""
    return str(value)


# ----------------------------------------------------------------------------- path rendering
def render_path(template: str, values: Mapping[str, Any] | None = None) -> str:
    """`template` with each `{param}` replaced by its checked, encoded segment.

    Names match case-insensitively; a missing or empty one is a PathParameterError, a value that
    is not one plain segment (`..`, a `/`) a `segments.PathEscapeError`, both before any request.
    The result is checked to have exactly the template's segments (the literal ones unchanged).
    """
    given = {str(k).lower(): v for k, v in (values or {}).items()}
    names = _PARAM.findall(template)
    missing = [p for p in names if given.get(p.lower()) is None or str(given[p.lower()]) == ""]
    if missing:
        raise PathParameterError(
            f"{template} needs the path parameter(s) " + ", ".join(missing)
        )
    rendered = _PARAM.sub(lambda m: path_segment(given[m.group(1).lower()], m.group(1)), template)
    want, got = template.split("/"), rendered.split("/")
    if len(want) != len(got) or any(
        w != g for w, g in zip(want, got, strict=True) if not _PARAM.search(w)
    ):
        raise PathParameterError(f"the path {rendered!r} does not match {template!r}")
    return rendered


# -------------------------------------------------------------------------------- multipart
def build_multipart(
    stack: ExitStack,
    form: Mapping[str, Any] | None = None,
    files: Mapping[str, Any] | None = None,
) -> list[tuple[str, Any]]:
    """The `files=` parts of a multipart/form-data request: form fields first, then files.

    A file is a path (opened on `stack`, sent under its base name), bytes or a file object (sent
    under the part's name), or a ready (filename, content[, content type]) tuple.
    """
    parts: list[tuple[str, Any]] = [(k, (None, encode_value(v))) for k, v in (form or {}).items()]
    for part, value in (files or {}).items():
        if isinstance(value, (str, Path)):
            fh = stack.enter_context(open(value, "rb"))  # noqa: SIM115 - the stack closes it
            parts.append((part, (Path(value).name, fh, "application/octet-stream")))
        elif isinstance(value, tuple):
            parts.append((part, value))
        else:
            parts.append((part, (part, value, "application/octet-stream")))
    return parts


# ------------------------------------------------------------------------------------ clock
def server_clock_offset(
    date_header: str | None, sent_at: float, received_at: float | None = None
) -> float | None:
    """Seconds the Server's clock is ahead of this one, from its `Date` header (None if bad).

    `Date` has whole seconds, truncated: +0.5 s centres the estimate; with `received_at` the
    local time is the middle of the exchange.
    """
    if not date_header:
        return None
    try:
        when = email.utils.parsedate_to_datetime(date_header)
    except (TypeError, ValueError, IndexError):
        return None
    if when is None:
        return None
    local = sent_at if received_at is None else (sent_at + received_at) / 2
    return when.timestamp() + 0.5 - local


# --------------------------------------------------------------------------------- priority
PRIORITIES = ("Default", "Low", "Medium", "High", "Critical")
_V1_NUMBER = {"default": 0, "low": 0, "medium": 1, "high": 2, "critical": 3}
_FROM_NUMBER = {0: "Low", 1: "Medium", 2: "High", 3: "Critical"}


def priority_for(value: Any, api: Literal["v1", "v3"] = "v3") -> str | int | None:
    """A job priority as each API takes it: v1 an integer 0-3, v3 a name.

    Accepts names in any case and the numbers 0 (Low) to 3 (Critical), as text or numbers.
    None or "" means the Server's default (None is returned: leave it out of the body).
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    text = str(value).strip()
    number: int | None = None
    if isinstance(value, bool):
        number = None
    elif isinstance(value, int):
        number = value
    elif re.fullmatch(r"[0-9]+(\.0*)?", text):
        number = int(float(text))
    if number is not None:
        if number not in _FROM_NUMBER:
            raise ConfigurationError(
                f"the priority {text} is not one of 0 (Low), 1 (Medium), 2 (High), 3 (Critical)",
                option="priority",
            )
        return number if api == "v1" else _FROM_NUMBER[number]
    key = text.lower()
    if key not in _V1_NUMBER:
        raise ConfigurationError(
            f"the priority {text!r} is not one of {', '.join(PRIORITIES)} or 0-3", option="priority"
        )
    return _V1_NUMBER[key] if api == "v1" else key.title()
