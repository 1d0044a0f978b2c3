"""Issue 11.4 / 9.6: every Alteryx type passes through a tool unchanged, Designer host -> tool ->
Designer host over the SDK's gRPC protocol: values, Arrow types and `ayx.*` metadata identical
on Success and on Failure. The input is built with the SDK's own mapping
(`ayx_python_sdk.core.field.Field.to_arrow`): DateTime is date64 (milliseconds, time of day
included), FixedDecimal decimal256(76, 36)."""

from __future__ import annotations

import datetime as dt
import sys
from decimal import Decimal

import pyarrow as pa
from ayx_python_sdk.core.field import Field, FieldType

from ayx_plugins.tools.typed_values import pylist
from designer_host import panel_config, run_tool
from tests.tools.conftest import decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
UNKNOWN = "6101a0b0c0d0e0f0a0b0cfff"
WHEN = dt.datetime(2024, 3, 1, 12, 34, 56, 789000)

COLUMNS = [  # (name, SDK field, [value on the Success record, value on the Failure record])
    ("Bool", Field("Bool", FieldType.bool), [True, None]),
    ("Byte", Field("Byte", FieldType.byte), [255, 0]),
    ("Int16", Field("Int16", FieldType.int16), [-32768, None]),
    ("Int32", Field("Int32", FieldType.int32), [2**31 - 1, -1]),
    ("Int64", Field("Int64", FieldType.int64), [2**63 - 1, None]),
    ("FixedDecimal", Field("FixedDecimal", FieldType.fixeddecimal, size=19, scale=4),
     [Decimal("123456789012345.6789"), Decimal("-0.0001")]),
    ("Float", Field("Float", FieldType.float), [1.5, None]),
    ("Double", Field("Double", FieldType.double, description="a double"), [0.1, -2.5e-300]),
    ("String", Field("String", FieldType.string, size=50, source="File: in.csv"),
     ["Latin é", None]),
    ("WString", Field("WString", FieldType.wstring, size=20), ["ünï 名", ""]),
    ("V_String", Field("V_String", FieldType.v_string), ["v", None]),
    ("V_WString", Field("V_WString", FieldType.v_wstring), ["ß" * 5000, "x"]),
    ("Date", Field("Date", FieldType.date), [dt.date(2024, 2, 29), None]),
    ("Time", Field("Time", FieldType.time), [dt.time(23, 59, 58, 123456), dt.time(0, 0)]),
    ("DateTime", Field("DateTime", FieldType.datetime), [WHEN, None]),
    ("Blob", Field("Blob", FieldType.blob), [b"\x00\xff\x10", None]),
    ("SpatialObj", Field("SpatialObj", FieldType.spatialobj), ["POINT (1 2)", None]),
]


def _input() -> pa.Table:
    arrays, fields = [], []
    for _, sdk_field, values in COLUMNS:
        f = sdk_field.to_arrow()
        if pa.types.is_date64(f.type):  # pyarrow's datetime -> date64 drops the time of day
            millis = [None if v is None else (v - dt.datetime(1970, 1, 1)) // dt.timedelta(
                milliseconds=1) for v in values]
            arrays.append(pa.array(millis, pa.int64()).cast(pa.date64()))
        else:
            arrays.append(pa.array(values, type=f.type))
        fields.append(f)
    arrays.append(pa.array([WF_OK, UNKNOWN]))
    fields.append(Field("workflowId", FieldType.v_wstring).to_arrow())
    return pa.Table.from_arrays(arrays, schema=pa.schema(fields))


def test_every_alteryx_type_passes_through_unchanged(emulator):
    table = _input()
    user = emulator.user("Curator")
    config = panel_config(secret=user.api_secret, serverUrl=emulator.url, apiKey=user.api_key,
                          path="v3/workflows/{workflowId}")
    run = run_tool("ServerGet", config, {"Input": table}, secrets=decrypt,
                   python=sys.executable, timeout=90)
    assert run.completed and run.errors == [], (run.errors, run.log[-2000:])
    expected = pylist(table)
    for anchor, row_index in (("Success", 0), ("Failure", 1)):
        out = run.outputs[anchor]
        assert out.num_rows == 1, anchor
        got = pylist(out)[0]
        for name, _, _ in COLUMNS:
            field_in, field_out = table.schema.field(name), out.schema.field(name)
            assert field_out.type == field_in.type, (anchor, name, field_out.type)
            assert field_out.metadata == field_in.metadata, (anchor, name)
            assert got[name] == expected[row_index][name], (anchor, name)
    assert pylist(run.outputs["Success"])[0]["DateTime"] == WHEN  # the time of day is kept
    assert str(pylist(run.outputs["Success"])[0]["FixedDecimal"]).startswith(
        "123456789012345.6789")
