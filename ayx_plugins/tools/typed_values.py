"""Python values into typed Arrow columns, and back, without losing a value or a record.

`fit(value, field)` says whether a value fits the column's type and gives the value to store:
an integer beyond the column's range, NaN or infinity in an integer column, 1.5 in an integer
column, a text that is no date in a DateTime column, a JSON object in a Bool column ... do NOT
fit (they are never silently turned into null or truncated); `outputs.py` then keeps such a value
as text or makes the record a Failure. A text column takes anything (JSON for objects and lists;
lone surrogates, which Arrow cannot store, become U+FFFD).

DateTime columns are Arrow `date64` (the SDK's own mapping, `ayx_python_sdk.core.field.Field.
arrow_type`) holding milliseconds since the epoch WITH the time of day: values are written as
int64 milliseconds and cast, because pyarrow's own datetime -> date64 conversion truncates to
midnight. `pylist(table)` reads them back as datetimes (pyarrow's `to_pylist` gives dates).
FixedDecimal columns are `decimal256(76, 36)`, as in the SDK, so `123456789012345.6789` survives.
"""

from __future__ import annotations

import datetime as dt
import json
import math
from collections.abc import Iterable
from decimal import Decimal, InvalidOperation
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api.values import parse_datetime as core_parse_datetime

__all__ = ["cast_column", "coerce", "column", "fit", "parse_datetime", "pylist", "readable"]

_EPOCH = dt.datetime(1970, 1, 1)
_MS = dt.timedelta(milliseconds=1)
_TRUE = ("true", "1", "yes")
_FALSE = ("false", "0", "no", "")


def parse_datetime(value: Any) -> dt.datetime | None:
    """A naive UTC datetime from an ISO-8601 text: the core's one date rule (server_api.values)."""
    return core_parse_datetime(value, naive=True)


def _text(value: Any) -> str:
    if isinstance(value, str):
        text = value
    elif isinstance(value, bool):
        text = "true" if value else "false"
    elif isinstance(value, (dict, list, tuple)):
        try:
            text = json.dumps(value, ensure_ascii=False, default=str)
        except (ValueError, RecursionError):  # circular or too deep for json: Python's repr
            text = repr(value)[:1_000_000]
    elif isinstance(value, (dt.datetime, dt.date, dt.time)):
        text = value.isoformat()
    elif isinstance(value, bytes):
        text = value.decode("utf-8", "replace")
    else:
        text = str(value)
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:  # a lone surrogate (JSON "\ud800"): Arrow stores UTF-8 only
        text = text.encode("utf-16", "surrogatepass").decode("utf-16", "replace")
    return text


def _int_range(t: pa.DataType) -> tuple[int, int]:
    bits = t.bit_width
    if pa.types.is_unsigned_integer(t):
        return 0, 2**bits - 1
    return -(2 ** (bits - 1)), 2 ** (bits - 1) - 1


def _integer(value: Any, t: pa.DataType) -> int | None:
    if isinstance(value, bool):
        number: Any = int(value)
    elif isinstance(value, int):
        number = value
    elif isinstance(value, float):
        if not math.isfinite(value) or not value.is_integer():
            return None
        number = int(value)
    elif isinstance(value, Decimal):
        if not value.is_finite() or value != value.to_integral_value():
            return None
        number = int(value)
    elif isinstance(value, str):
        text = value.strip()
        try:
            number = int(text)
        except ValueError:
            return None
    else:
        return None
    lo, hi = _int_range(t)
    return number if lo <= number <= hi else None


def _floating(value: Any, t: pa.DataType) -> float | None:
    if isinstance(value, bool):
        return float(value)
    if isinstance(value, (int, float, Decimal)) or (isinstance(value, str) and value.strip()):
        try:
            number = float(value)
        except (ValueError, OverflowError):
            return None
        if math.isinf(number) and isinstance(value, (int, Decimal)):
            return None  # an integer too big for a double
        if pa.types.is_float32(t) and math.isfinite(number) and abs(number) > 3.4028234663852886e38:
            return None
        return number
    return None


def _decimal(value: Any, t: pa.DataType) -> Decimal | None:
    if isinstance(value, bool):
        return None
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except (InvalidOperation, ValueError):
        return None
    if not number.is_finite():
        return None
    exponent = number.as_tuple().exponent
    if isinstance(exponent, int) and -exponent > t.scale:
        return None
    if number.adjusted() + 1 > t.precision - t.scale:
        return None
    return number


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, (int, float)) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        text = value.strip().lower()
        if text in _TRUE:
            return True
        if text in _FALSE:
            return False
    return None


def fit(value: Any, field: pa.Field) -> tuple[bool, Any]:
    """(True, the value to store) or (False, None) when `value` does not fit `field`'s type."""
    if value is None:
        return True, None
    t = field.type
    if pa.types.is_string(t) or pa.types.is_large_string(t):
        return True, _text(value)
    if pa.types.is_date64(t) or pa.types.is_timestamp(t):
        parsed = parse_datetime(value)
        return (parsed is not None), parsed
    if pa.types.is_boolean(t):
        flag = _boolean(value)
        return (flag is not None), flag
    if pa.types.is_integer(t):
        number = _integer(value, t)
        return (number is not None), number
    if pa.types.is_floating(t):
        real = _floating(value, t)
        return (real is not None), real
    if pa.types.is_decimal(t):
        dec = _decimal(value, t)
        return (dec is not None), dec
    try:  # dates, times, binary: whatever Arrow itself accepts
        pa.array([value], type=t)
    except (pa.ArrowInvalid, pa.ArrowTypeError, pa.ArrowNotImplementedError, TypeError,
            ValueError, OverflowError):
        return False, None
    return True, value


def coerce(value: Any, field: pa.Field) -> Any:
    """`fit`'s value, or None when the value does not fit."""
    return fit(value, field)[1]


def _date64(values: list[dt.datetime | None]) -> pa.Array:
    millis = [None if v is None else (v - _EPOCH) // _MS for v in values]
    return pa.array(millis, type=pa.int64()).cast(pa.date64())


def column(values: Iterable[Any], field: pa.Field) -> pa.Array:
    """One column of `field`'s type from Python values (values that do not fit -> null; use
    `fit` first where a value must not be lost)."""
    fitted = [coerce(v, field) for v in values]
    if pa.types.is_date64(field.type):
        return _date64(fitted)
    return pa.array(fitted, type=field.type)


def cast_column(array: pa.ChunkedArray | pa.Array, field: pa.Field) -> pa.ChunkedArray | pa.Array:
    """An input column cast to the pushed type, values kept (DateTime: the time of day too)."""
    target = field.type
    if array.type == target:
        return array
    try:
        if pa.types.is_date64(target) and pa.types.is_timestamp(array.type):
            millis = array.cast(pa.timestamp("ms", tz=array.type.tz), safe=False)
            return millis.cast(pa.int64()).cast(pa.date64())
        return array.cast(target)
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, pa.ArrowTypeError):
        return column(_values(array), field)


def _values(array: pa.ChunkedArray | pa.Array) -> list[Any]:
    if pa.types.is_date64(array.type):  # to_pylist would give dates without the time of day
        return list(array.cast(pa.timestamp("ms")).to_pylist())
    return list(array.to_pylist())


def readable(table: pa.Table) -> pa.Table:
    """The table with DateTime (date64) columns as millisecond timestamps, so that Python reads
    them as datetimes with the time of day (pyarrow reads date64 as dates)."""
    if not any(pa.types.is_date64(f.type) for f in table.schema):
        return table
    fields = [pa.field(f.name, pa.timestamp("ms"), f.nullable, f.metadata)
              if pa.types.is_date64(f.type) else f for f in table.schema]
    columns = [c.cast(pa.timestamp("ms")) if pa.types.is_date64(c.type) else c
               for c in table.columns]
    return pa.Table.from_arrays(columns, schema=pa.schema(fields))


def pylist(table: pa.Table) -> list[dict[str, Any]]:
    """`table.to_pylist()`, with DateTime (date64) values as datetimes, the time of day kept."""
    return list(readable(table).to_pylist())
