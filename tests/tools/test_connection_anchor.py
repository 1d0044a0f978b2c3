"""The optional Connection anchor: Server Authenticate's record feeds Runner, Job Status and the
request tools; the data on Input may arrive before or after it (held back, spilled to disk past
a memory limit, never all in memory); expiry of a token the tool cannot renew is explained."""

from __future__ import annotations

import json
import sys

import pyarrow as pa
import pytest

from ayx_plugins.tools import holdback
from ayx_plugins.tools.api_request import ServerGet
from ayx_plugins.tools.authenticate import ServerAuthenticate
from ayx_plugins.tools.job_status import ServerJobStatus
from ayx_plugins.tools.runner import ServerRunner
from designer_host import run_tool
from tests.tools.conftest import assert_no_secret, config_xml, conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
CONNECTION_COLUMNS = {"ServerUrl", "ApiBase", "AuthType", "AccessToken", "TokenType",
                      "TokenExpires"}


def _token_record(emulator, run_tool_inprocess) -> pa.Table:
    return run_tool_inprocess(ServerAuthenticate, conn(emulator)).table("Success")


@pytest.mark.parametrize("connection_first", [True, False], ids=["connection-first", "data-first"])
def test_runner_takes_the_connection_record_in_either_order(emulator, run_tool_inprocess,
                                                             connection_first):
    record = _token_record(emulator, run_tool_inprocess)
    data = pa.table({"Wf": [WF_OK] * 5, "N": list(range(5))})
    run = run_tool_inprocess(
        ServerRunner, config_xml(source="anchor", workflowIdField="Wf", concurrency=1), data,
        batch_rows=2, connection=record, connection_first=connection_first)
    assert run.errors == []
    assert [r["N"] for r in run.rows("Success")] == [0, 1, 2, 3, 4]  # input order kept
    for name in ("Success", "Failure"):
        assert CONNECTION_COLUMNS & set(run.table(name).schema.names) == set()
    assert emulator.counters.tokens_issued == 1  # Authenticate's token, reused
    assert_no_secret([record.column("AccessToken")[0].as_py()], run.messages,
                     {n: run.table(n) for n in ("Success", "Failure")})


def test_more_than_one_connection_record_uses_the_first_and_warns_once(emulator,
                                                                       run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    bad = record.set_column(3, "AccessToken", pa.array(["not-a-token"]))
    three = pa.concat_tables([record, bad, bad])
    run = run_tool_inprocess(ServerGet, config_xml(source="anchor", path="v3/workflows"),
                             pa.table({"N": [1, 2]}), connection=three)
    assert [r["N"] for r in run.rows("Success")] == [1, 2]
    warnings = [m for m in run.messages if "more than one record" in m]
    assert len(warnings) == 1 and warnings[0].startswith("WARN:")


def test_an_empty_connection_anchor_fails_every_record_with_one_error(emulator,
                                                                      run_tool_inprocess):
    empty = _token_record(emulator, run_tool_inprocess).slice(0, 0)
    before = emulator.counters.total_requests
    run = run_tool_inprocess(ServerJobStatus, config_xml(source="anchor"),
                             pa.table({"JobId": ["a", "b"], "N": [1, 2]}), connection=empty)
    assert len(run.errors) == 1 and "delivered no record" in run.errors[0]
    assert [r["N"] for r in run.rows("Failure")] == [1, 2]
    assert [r["JobId"] for r in run.rows("Failure")] == ["a", "b"]  # the user's job ids stay
    assert emulator.counters.total_requests == before


def test_anchor_source_without_a_connected_anchor_is_a_configuration_error(emulator,
                                                                          run_tool_inprocess):
    run = run_tool_inprocess(ServerRunner, config_xml(source="anchor", workflowId=WF_OK),
                             pa.table({"N": [1]}))
    assert len(run.errors) == 1 and "Connection (C)" in run.errors[0]
    assert emulator.counters.total_requests == 0
    nothing = run_tool_inprocess(ServerRunner, config_xml(source="anchor", workflowId=WF_OK),
                                 pa.table({"N": pa.array([], pa.int64())}))
    assert len(nothing.errors) == 1  # reported even when no record arrives


def test_a_record_without_a_token_is_one_clear_error(emulator, run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    tokenless = record.set_column(3, "AccessToken", pa.array([None], pa.string()))
    run = run_tool_inprocess(ServerGet, config_xml(source="anchor", path="v3/workflows"),
                             None, connection=tokenless)
    assert len(run.errors) == 1 and "no token" in run.errors[0]
    assert len(run.rows("Failure")) == 1


def test_held_batches_spill_past_the_limit_and_replay_in_order(tmp_path):
    held = holdback.HeldBatches(str(tmp_path), memory_limit=64 * 1024)
    tables = [pa.table({"N": list(range(i * 1000, (i + 1) * 1000)), "S": ["x" * 20] * 1000})
              for i in range(50)]
    for t in tables:
        held.add(t)
    assert held.rows == 50_000 and held.spilled_rows > 45_000
    assert held.peak_memory_bytes <= 64 * 1024
    assert len(list(tmp_path.iterdir())) == 1
    seen = [n for t in held.drain() for n in t.column("N").to_pylist()]
    assert seen == list(range(50_000))
    assert list(tmp_path.iterdir()) == []  # spill files are deleted


def test_fifty_thousand_rows_before_the_connection_record_stay_bounded(
        emulator, run_tool_inprocess, monkeypatch, tmp_path):
    made: list[holdback.HeldBatches] = []
    real = holdback.HeldBatches

    def tracking(temp_dir: str | None = None, memory_limit: int = 0) -> holdback.HeldBatches:
        held = real(str(tmp_path), memory_limit=256 * 1024)
        made.append(held)
        return held

    record = _token_record(emulator, run_tool_inprocess)
    monkeypatch.setattr("ayx_plugins.tools.engine.HeldBatches", tracking)
    tokenless = record.set_column(3, "AccessToken", pa.array([None], pa.string()))
    data = pa.table({"N": list(range(50_000)), "Pad": ["y" * 40] * 50_000})
    run = run_tool_inprocess(ServerGet, config_xml(source="anchor", path="v3/workflows"), data,
                             batch_rows=1000, connection=tokenless, connection_first=False)
    (held,) = made
    assert held.peak_memory_bytes <= 256 * 1024 and held.spilled_rows >= 45_000
    assert run.count("Failure") == 50_000  # every held record came back, none lost
    assert run.rows("Failure")[-1]["N"] == 49_999


@pytest.mark.emulator_config(job_timing="manual", token_lifetime=2)
def test_an_expired_authenticate_token_mid_wait_says_so_and_keeps_the_job(
        emulator, run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    xml = config_xml(source="anchor", workflowIdField="Wf", wait=True, pollSeconds=0.2,
                     waitTimeoutSeconds=20)
    run = run_tool_inprocess(ServerRunner, xml, pa.table({"Wf": [WF_OK]}), connection=record)
    assert any("expires at" in m and m.startswith("WARN:") for m in run.messages)
    (failure,) = run.rows("Failure")
    assert "the token from Server Authenticate expired at" in failure["Error"]
    assert "give this tool its own credentials or a DCM connection" in failure["Error"]
    job_id = emulator.counters.job_creations[0]["jobId"]
    assert job_id in failure["Error"] or failure.get("JobId") == job_id
    assert emulator.counters.jobs_created == 1  # never started twice


@pytest.mark.parametrize("data_first", [False, True], ids=["connection-first", "data-first"])
def test_over_grpc_in_either_order(emulator, run_tool_inprocess, data_first):
    record = _token_record(emulator, run_tool_inprocess)
    data = pa.table({"Wf": [WF_OK, WF_OK, WF_OK], "N": [1, 2, 3]})
    inputs = {"Input": data, "Connection": record} if data_first else {
        "Connection": record, "Input": data}
    run = run_tool("ServerRunner", config_xml(source="anchor", workflowIdField="Wf"), inputs,
                   secrets=decrypt, python=sys.executable, timeout=90, batch_rows=1)
    assert run.completed and run.errors == [], (run.messages, run.log[-2000:])
    ok = run.outputs["Success"]
    assert ok.column("N").to_pylist() == [1, 2, 3], run.messages
    assert CONNECTION_COLUMNS & set(ok.schema.names) == set()
    assert emulator.counters.tokens_issued == 1


def test_update_only_with_anchor_source_pushes_schemas_without_the_token_field(emulator):
    record_schema = pa.schema([pa.field("ServerUrl", pa.string()),
                               pa.field("AccessToken", pa.string())])
    data = pa.table({"Wf": [WF_OK], "AccessToken": ["appended-by-hand"]})
    run = run_tool("ServerRunner", config_xml(source="anchor", workflowIdField="Wf"),
                   {"Input": data, "Connection": record_schema.empty_table()},
                   update_only=True, python=sys.executable, timeout=90)
    assert run.completed and run.errors == []
    for schema in run.output_schemas.values():
        assert "AccessToken" not in schema.names and "Wf" in schema.names
    assert emulator.counters.total_requests == 0


def test_progress_only_goes_forward(emulator, run_tool_inprocess, monkeypatch):
    monkeypatch.setattr("ayx_plugins.tools.engine._PROGRESS_EVERY_S", 0.0)
    table = pa.table({"Wf": [WF_OK] * 12})
    run = run_tool_inprocess(ServerRunner, conn(emulator, workflowIdField="Wf"), table,
                             batch_rows=3)
    assert len(run.progress) > 3
    assert run.progress == sorted(run.progress) and run.progress[-1] == 1.0


def test_a_connection_record_is_ignored_with_a_warning_when_not_chosen(emulator,
                                                                       run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    run = run_tool_inprocess(ServerGet, conn(emulator, path="v3/workflows"),
                             pa.table({"N": [1]}), connection=record)
    assert len(run.rows("Success")) == 1
    assert sum("its record is ignored" in m for m in run.messages) == 1


def test_the_record_expiry_is_read_from_text_datetime_or_date64():
    import datetime as dt

    from ayx_plugins.tools.connection import anchor_spec
    from ayx_plugins.tools.typed_values import pylist

    at = dt.datetime(2026, 12, 2, 14, 5, tzinfo=dt.timezone.utc)
    ms = int(at.timestamp() * 1000)
    date64 = pa.table({"ServerUrl": ["https://s"], "AccessToken": ["t"],
                       "TokenExpires": pa.array([ms], pa.int64()).cast(pa.date64())})
    base = {"ServerUrl": "https://s", "AccessToken": "t"}
    for row in ({**base, "TokenExpires": "2026-12-02T14:05:00Z"}, {**base, "TokenExpires": at},
                pylist(date64)[0]):
        assert anchor_spec(row).token_expires == at


def test_a_connected_anchor_with_the_source_left_unset_says_what_to_choose(emulator,
                                                                          run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    run = run_tool_inprocess(ServerGet, config_xml(path="v3/workflows"), pa.table({"N": [1]}),
                             connection=record)
    assert len(run.errors) == 1 and "From the Connection input" in run.errors[0]


@pytest.mark.emulator_config(job_timing="manual", token_lifetime=2)
def test_an_expired_authenticate_token_mid_wait_over_grpc(emulator, run_tool_inprocess):
    record = _token_record(emulator, run_tool_inprocess)
    xml = config_xml(source="anchor", workflowIdField="Wf", wait=True, pollSeconds=0.2,
                     waitTimeoutSeconds=20)
    run = run_tool("ServerRunner", xml, {"Connection": record, "Input": pa.table({"Wf": [WF_OK]})},
                   python=sys.executable, timeout=90)
    assert run.completed, run.log[-2000:]
    assert any("expires at" in text for text in run.texts("warn"))
    (failure,) = run.outputs["Failure"].to_pylist()
    assert "the token from Server Authenticate expired at" in failure["Error"]
    assert emulator.counters.job_creations[0]["jobId"] in json.dumps(failure, default=str)
