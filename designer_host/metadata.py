"""The field metadata Designer sends a tool for an input: Arrow schema -> protobuf `sdk.Metadata`.

A field's `ayx.*` metadata wins; otherwise its Alteryx type follows from the Arrow type.
"""

from __future__ import annotations

from collections.abc import Callable

import pyarrow as pa
from ayx_python_sdk.providers.amp_provider.resources.generated.metadata_pb2 import (
    Field as PbField,
)
from ayx_python_sdk.providers.amp_provider.resources.generated.metadata_pb2 import (
    Metadata as PbMetadata,
)


def _ayx_type(t: pa.DataType) -> int:
    checks: list[tuple[Callable[[pa.DataType], bool], int]] = [
        (pa.types.is_boolean, 1), (pa.types.is_uint8, 2), (pa.types.is_int8, 3),
        (pa.types.is_int16, 3), (pa.types.is_int32, 4), (pa.types.is_integer, 5),
        (pa.types.is_decimal, 6), (pa.types.is_float32, 7), (pa.types.is_floating, 8),
        (pa.types.is_date32, 13), (pa.types.is_time, 14), (pa.types.is_timestamp, 15),
        (pa.types.is_date64, 15), (pa.types.is_binary, 16), (pa.types.is_large_binary, 16),
    ]
    for check, number in checks:
        if check(t):
            return number
    return 12  # V_WString


def metadata_of(schema: pa.Schema) -> PbMetadata:
    """The protobuf `sdk.Metadata` Designer sends for an input of this Arrow schema."""
    fields = []
    for f in schema:
        meta = f.metadata or {}
        raw_type = meta.get(b"ayx.type")
        number = int(raw_type) if raw_type else _ayx_type(f.type)
        size = int(meta.get(b"ayx.size", b"0") or 0)
        if not size:
            size = {9: 0x3FFF, 10: 0x3FFF, 11: 0x7FFFFFFF, 12: 0x7FFFFFFF}.get(number, 0)
        fields.append(PbField(
            name=f.name, type=number, size=size, scale=int(meta.get(b"ayx.scale", b"0") or 0),
            source=meta.get(b"ayx.source", b"").decode(),
            description=meta.get(b"ayx.description", b"").decode(),
        ))
    return PbMetadata(fields=fields)
