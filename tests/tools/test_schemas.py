"""The schema rules, as plain functions (no SDK, no server)."""

from __future__ import annotations

import datetime as dt

import pyarrow as pa

from ayx_plugins.tools import schemas as S


def test_result_fields_replace_colliding_input_fields_once():
    inp = pa.schema([S.wstring("JobStatus"), S.int64("Id")])
    out = S.output_schema(inp, [S.wstring("JobStatus"), S.boolean("TimedOut")])
    assert out.names == ["Id", "JobStatus", "TimedOut"]


def test_datetimes_keep_the_time_of_day():
    field = S.datetime_("When")
    assert S.coerce("2020-12-14T16:11:57.7372208Z", field) == dt.datetime(
        2020, 12, 14, 16, 11, 57, 737220)
    assert S.coerce("2020-12-01T12:48:40.408+02:00", field) == dt.datetime(
        2020, 12, 1, 10, 48, 40, 408000)
    assert S.coerce("not a date", field) is None
    arr = S.column([dt.datetime(2021, 1, 2, 3, 4, 5)], field)
    assert pa.types.is_date64(arr.type)
    assert S.pylist(pa.table({"When": arr}))[0]["When"] == dt.datetime(2021, 1, 2, 3, 4, 5)


def test_untyped_arrow_fields_get_alteryx_metadata():
    schema = S.to_arrow_schema(pa.schema([("a", pa.int16()), ("b", pa.date64()),
                                          ("c", pa.large_string())]))
    assert schema is not None
    assert [S.ayx_type_of(f) for f in schema] == [S.INT16, S.DATETIME, S.V_WSTRING]
    assert pa.types.is_date64(schema.field("b").type)


def test_list_items_put_unknown_keys_in_other_fields():
    fields = S.item_fields(S.item_model("list[ReducedWorkflowView]"))
    row = S.item_values({"id": "1", "name": "n", "surprise": [1]}, fields)
    assert row["id"] == "1" and row["Other Fields"] == '{"surprise": [1]}'
    assert [f.name for f in S.item_fields(None)] == ["Item"]
