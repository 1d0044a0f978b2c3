"""Alteryx-typed Arrow schemas: the result fields of every tool and the rules that join them.

Designer reads a column's Alteryx type from Arrow field metadata (`ayx.type`, `ayx.size`, ...),
so every output column carries it; the Arrow types are the SDK's own mapping
(`ayx_python_sdk.core.field.Field.arrow_type`): DateTime is `date64` holding milliseconds since
the epoch with the time of day (see typed_values.py and docs/tools.md for why), FixedDecimal is
`decimal256(76, 36)`. Passed-through fields keep their `ayx.*` metadata unchanged.

Name collisions: when an input field has the name of one of the tool's result fields, the
result replaces it (the column appears once, among the result fields, with the result's type and
value). Chains such as Runner -> Job Status therefore keep one `JobStatus` column instead of
piling up renamed copies.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from functools import lru_cache
from importlib import resources
from typing import Any

import pyarrow as pa

from ayx_plugins.tools.typed_values import cast_column as cast_column
from ayx_plugins.tools.typed_values import coerce as coerce
from ayx_plugins.tools.typed_values import column as column
from ayx_plugins.tools.typed_values import fit as fit
from ayx_plugins.tools.typed_values import parse_datetime as parse_datetime
from ayx_plugins.tools.typed_values import pylist as pylist
from ayx_plugins.tools.typed_values import readable as readable

# Alteryx FieldType numbers (ayx_python_sdk.core.field.FieldType); duplicated here so that the
# schema rules can be read and tested without importing the SDK.
BOOL, BYTE, INT16, INT32, INT64, FIXED_DECIMAL, FLOAT, DOUBLE = 1, 2, 3, 4, 5, 6, 7, 8
STRING, WSTRING, V_STRING, V_WSTRING, DATE, TIME, DATETIME, BLOB, SPATIAL = range(9, 18)

_DEFAULT_SIZE = {STRING: 0x3FFF, WSTRING: 0x3FFF, V_STRING: 0x7FFFFFFF, V_WSTRING: 0x7FFFFFFF}
_FIXED_SIZE = {BOOL: 1, BYTE: 1, INT16: 2, INT32: 4, INT64: 8, FLOAT: 4, DOUBLE: 8, DATE: 10,
               TIME: 8, DATETIME: 19}


def _arrow_type(ayx_type: int) -> pa.DataType:
    return {
        BOOL: pa.bool_(), BYTE: pa.uint8(), INT16: pa.int16(), INT32: pa.int32(),
        INT64: pa.int64(), FIXED_DECIMAL: pa.decimal256(76, 36), FLOAT: pa.float32(),
        DOUBLE: pa.float64(), DATE: pa.date32(), TIME: pa.time64("us"),
        DATETIME: pa.date64(), BLOB: pa.binary(),
    }.get(ayx_type, pa.string())


def ayx_field(
    name: str, ayx_type: int, size: int = 0, scale: int = 0, source: str = "",
    description: str = "", arrow_type: pa.DataType | None = None,
) -> pa.Field:
    """An Arrow field carrying Alteryx field metadata, as Designer reads it."""
    size = size or _DEFAULT_SIZE.get(ayx_type, _FIXED_SIZE.get(ayx_type, 0))
    if ayx_type == SPATIAL and not source:
        source = "WKT"
    meta = {
        b"ayx.type": str(ayx_type).encode(),
        b"ayx.size": str(size).encode(),
        b"ayx.name": name.encode("utf-8"),
        b"ayx.scale": str(scale).encode(),
        b"ayx.source": source.encode("utf-8"),
        b"ayx.description": description.encode("utf-8"),
    }
    return pa.field(name, arrow_type or _arrow_type(ayx_type), nullable=True, metadata=meta)


def wstring(name: str, description: str = "") -> pa.Field:
    """A V_WString field (unicode, unbounded)."""
    return ayx_field(name, V_WSTRING, description=description)


def int64(name: str, description: str = "") -> pa.Field:
    """An Int64 field."""
    return ayx_field(name, INT64, description=description)


def double(name: str, description: str = "") -> pa.Field:
    """A Double field."""
    return ayx_field(name, DOUBLE, description=description)


def boolean(name: str, description: str = "") -> pa.Field:
    """A Bool field."""
    return ayx_field(name, BOOL, description=description)


def datetime_(name: str, description: str = "") -> pa.Field:
    """A DateTime field (`date64` milliseconds, the time of day kept)."""
    return ayx_field(name, DATETIME, description=description)


def ayx_type_of(field: pa.Field) -> int | None:
    """The Alteryx type number a field carries, if any."""
    raw = (field.metadata or {}).get(b"ayx.type")
    try:
        return int(raw) if raw is not None else None
    except ValueError:
        return None


def _type_for_arrow(t: pa.DataType) -> int:
    if pa.types.is_boolean(t):
        return BOOL
    if pa.types.is_uint8(t):
        return BYTE
    if pa.types.is_int8(t) or pa.types.is_int16(t) or pa.types.is_uint16(t):
        return INT16
    if pa.types.is_int32(t):
        return INT32
    if pa.types.is_integer(t):
        return INT64
    if pa.types.is_float16(t) or pa.types.is_float32(t):
        return FLOAT
    if pa.types.is_decimal(t):
        return FIXED_DECIMAL
    if pa.types.is_floating(t):
        return DOUBLE
    if pa.types.is_date32(t):
        return DATE
    if pa.types.is_time(t):
        return TIME
    if pa.types.is_timestamp(t) or pa.types.is_date64(t):
        return DATETIME
    if pa.types.is_binary(t) or pa.types.is_large_binary(t):
        return BLOB
    return V_WSTRING


def typed(field: pa.Field) -> pa.Field:
    """The field with Alteryx metadata (kept if present, derived from the Arrow type if not)."""
    ayx_type = ayx_type_of(field)
    if ayx_type is not None:
        wanted = _arrow_type(ayx_type)
        if ayx_type in (DATETIME, FIXED_DECIMAL) and field.type != wanted:
            # the SDK's Arrow type; the ayx.* metadata stays exactly as it came
            return pa.field(field.name, wanted, nullable=True, metadata=field.metadata)
        return field
    ayx_type = _type_for_arrow(field.type)
    if ayx_type == DATETIME:
        return ayx_field(field.name, DATETIME)
    if ayx_type == FIXED_DECIMAL:
        return ayx_field(field.name, FIXED_DECIMAL, size=field.type.precision + 2,
                         scale=field.type.scale)
    arrow = field.type if ayx_type != V_WSTRING else pa.string()
    return ayx_field(field.name, ayx_type, arrow_type=arrow)


def to_arrow_schema(metadata: Any) -> pa.Schema | None:
    """Incoming metadata as a typed Arrow schema: protobuf `sdk.Metadata` (a real run) or
    `pa.Schema` (the SDK's test service); None when there is none."""
    if metadata is None:
        return None
    if isinstance(metadata, pa.Schema):
        return pa.schema([typed(f) for f in metadata])
    fields = getattr(metadata, "fields", None)
    if fields is None:
        return None
    out = []
    for f in fields:
        ayx_type = int(f.type) or V_WSTRING
        meta = {  # exactly what Designer said (a passed-through field's metadata is unchanged)
            b"ayx.type": str(ayx_type).encode(),
            b"ayx.size": str(int(f.size)).encode(),
            b"ayx.name": f.name.encode("utf-8"),
            b"ayx.scale": str(int(f.scale)).encode(),
            b"ayx.source": (f.source or "").encode("utf-8"),
            b"ayx.description": (f.description or "").encode("utf-8"),
        }
        out.append(pa.field(f.name, _arrow_type(ayx_type), nullable=True, metadata=meta))
    return pa.schema(out)


# ---------------------------------------------------------------------------------------------
# Failure fields, shared by every tool.
HTTP_STATUS = "HTTP Status"
ERROR = "Error"
ERROR_DETAIL = "Error Detail"

FAILURE_FIELDS: tuple[pa.Field, ...] = (
    int64(HTTP_STATUS, "The HTTP status of the failed request (null: no HTTP answer)"),
    wstring(ERROR, "What went wrong, as a sentence"),
    wstring(ERROR_DETAIL, "The Server's own message, or the job's error messages"),
)


def output_schema(input_schema: pa.Schema | None, result: Sequence[pa.Field]) -> pa.Schema:
    """Input fields (minus those a result field replaces) followed by the result fields."""
    names = {f.name for f in result}
    kept = [f for f in (input_schema or pa.schema([])) if f.name not in names]
    return pa.schema([*kept, *result])


def passthrough_fields(
    input_schema: pa.Schema | None, result: Sequence[pa.Field]
) -> list[pa.Field]:
    """The input fields that appear on an output next to `result`."""
    names = {f.name for f in result}
    return [f for f in (input_schema or pa.schema([])) if f.name not in names]


# ---------------------------------------------------------------------------------------------
# Converting Python values to the pushed column types: typed_values.py (re-exported above).


# ---------------------------------------------------------------------------------------------
# The catalogue's response models (v3 swagger), for "one row per item" output.
_MODEL_TYPES = {"str": V_WSTRING, "int": INT64, "float": DOUBLE, "bool": BOOL,
                "datetime": DATETIME, "date": DATETIME}
MODELS_FILE = "v3-swagger-derived-models.txt"


@lru_cache(maxsize=1)
def response_models() -> dict[str, list[tuple[str, str]]]:
    """Model name -> [(json key, swagger type)] from the models data file (empty if missing)."""
    try:
        text = (resources.files("ayx_plugins.server_api") / "data" / MODELS_FILE).read_text(
            encoding="utf-8"
        )
    except (FileNotFoundError, ModuleNotFoundError, OSError):
        return {}
    models: dict[str, list[tuple[str, str]]] = {}
    for line in text.splitlines():
        if not line or line[0].isspace() or line.startswith("#") or ": " not in line:
            continue
        name, _, rest = line.partition(": ")
        props = []
        # Types such as dict(str, object) hold commas: split on ", " followed by "key:".
        for part in re.split(r", (?=[A-Za-z_][A-Za-z0-9_]*:)", rest):
            key, _, typ = part.partition(":")
            if key:
                props.append((key.strip(), typ.strip()))
        models[name.strip()] = props
    return models


def envelope_key(response: str | None) -> str | None:
    """The key of an envelope response whose one property is the list (`{"data": [...]}` of
    `GET v3/jobs`), else None."""
    props = response_models().get((response or "").strip())
    if props and len(props) == 1 and props[0][1].startswith("list["):
        return props[0][0]
    return None


def item_model(response: str | None) -> str | None:
    """The item model of a list response type such as `list[ReducedWorkflowView]`, or of an
    envelope such as `JobListResponse` (`data: list[JobListItemView]`)."""
    if not response:
        return None
    key = envelope_key(response)
    if key is not None:
        response = dict(response_models()[response.strip()])[key]
    m = re.fullmatch(r"(?:list)?\[(\w+)\]", response.strip())
    name = m.group(1) if m else response.strip()
    return name if name in response_models() else None


OTHER_FIELDS = "Other Fields"
ITEM = "Item"


def item_fields(model: str | None) -> list[pa.Field]:
    """Columns for one row per item: the model's top-level keys, typed, plus `Other Fields`
    (a JSON object of any key the model does not name); unknown model: one `Item` JSON column."""
    props = response_models().get(model or "")
    if not props:
        return [wstring(ITEM, "The item as JSON")]
    fields = [ayx_field(key, _MODEL_TYPES.get(typ, V_WSTRING)) for key, typ in props]
    fields.append(wstring(OTHER_FIELDS, "Keys the catalogue's model does not name, as JSON"))
    return fields


def item_values(item: Any, fields: Sequence[pa.Field]) -> dict[str, Any]:
    """One row's values for `item_fields` from one list item."""
    names = [f.name for f in fields]
    if names == [ITEM]:
        return {ITEM: item if isinstance(item, str) else json.dumps(item, ensure_ascii=False)}
    if not isinstance(item, Mapping):
        return {OTHER_FIELDS: json.dumps({"value": item}, ensure_ascii=False)}
    known = set(names) - {OTHER_FIELDS}
    row = {k: v for k, v in item.items() if k in known}
    extra = {k: v for k, v in item.items() if k not in known}
    row[OTHER_FIELDS] = json.dumps(extra, ensure_ascii=False) if extra else None
    return row
