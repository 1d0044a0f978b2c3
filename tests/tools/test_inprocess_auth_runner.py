"""Server Authenticate, Runner and Job Status in the SDK's in-process test service, against the
emulator over real HTTP."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pyarrow as pa
import pytest

from ayx_plugins import ServerAuthenticate, ServerJobStatus, ServerRunner
from tests.tools.conftest import assert_no_secret, config_xml, conn

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"
WF_APP = "6101a0b0c0d0e0f0a0b0c004"


def _meta(schema: pa.Schema, name: str) -> dict[bytes, bytes]:
    return dict(schema.field(name).metadata or {})


def test_authenticate_without_input_outputs_a_typed_token(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerAuthenticate, conn(emulator))
    assert run.errors == []
    (row,) = run.rows("Success")
    assert row["AuthType"] == "oauth2" and row["TokenType"].lower() == "bearer"
    assert row["ApiBase"].endswith("/webapi/") and row["AccessToken"]
    schema = run.pushed["Success"]
    assert _meta(schema, "TokenExpires")[b"ayx.type"] == b"15"
    assert pa.types.is_date64(schema.field("TokenExpires").type)  # the SDK's DateTime type
    expires = row["TokenExpires"]
    now = dt.datetime.now(dt.timezone.utc).replace(tzinfo=None)
    assert now < expires < now + dt.timedelta(hours=2)
    assert (expires.hour, expires.minute, expires.second) != (0, 0, 0) or expires.microsecond
    assert run.decrypts == 1
    assert any("Server Authenticate: 1 succeeded, 0 failed, 1 token fetched" in m
               for m in run.infos)
    # The token is only in its output field: never in a message.
    assert_no_secret([row["AccessToken"], emulator.user("Curator").api_secret], run.messages)


def test_authenticate_bad_secret_is_a_failure_row_with_the_reason(emulator, run_tool_inprocess):
    user = emulator.user("Curator")
    xml = config_xml(secret="not-the-secret", serverUrl=emulator.url, apiKey=user.api_key)
    run = run_tool_inprocess(ServerAuthenticate, xml)
    assert run.rows("Success") == []
    (row,) = run.rows("Failure")
    assert row["HTTP Status"] in (400, 401) and row["Error"]
    assert_no_secret(["not-the-secret"], run.table("Failure"), run.messages)


def test_authenticate_per_record_credentials(emulator, run_tool_inprocess):
    good, other = emulator.user("Curator"), emulator.user("Artisan")
    table = pa.table({
        "Row": [1, 2, 3],
        "Url": [emulator.url, emulator.url, None],
        "Key": [good.api_key, other.api_key, good.api_key],
        "Secret": [good.api_secret, "wrong", good.api_secret],
    })
    xml = config_xml(source="fields", urlField="Url", keyField="Key", secretField="Secret")
    run = run_tool_inprocess(ServerAuthenticate, xml, table)
    assert [r["Row"] for r in run.rows("Success")] == [1]
    failures = run.rows("Failure")
    assert [r["Row"] for r in failures] == [2, 3]
    assert failures[1]["HTTP Status"] is None and "URL" in failures[1]["Error"]
    for name in ("Success", "Failure"):  # the key and secret fields never leave the tool
        assert {"Key", "Secret"} & set(run.table(name).schema.names) == set()


def test_configuration_error_reports_once_and_loses_no_record(emulator, run_tool_inprocess):
    table = pa.table({"Id": [1, 2, 3]})
    run = run_tool_inprocess(ServerRunner, config_xml(workflowId=WF_OK), table)
    assert len(run.errors) == 1 and "Server URL" in run.errors[0]
    assert [r["Id"] for r in run.rows("Failure")] == [1, 2, 3]
    assert all("Server URL" in r["Error"] for r in run.rows("Failure"))
    assert emulator.counters.total_requests == 0


def test_runner_waits_keeps_order_and_input_fields(emulator, run_tool_inprocess):
    table = pa.table({"Name": ["a", "ü-ñ-日本", "c", "d", "e"], "N": pa.array([1, 2, 3, 4, 5],
                                                                             pa.int16())})
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, concurrency=3)
    run = run_tool_inprocess(ServerRunner, xml, table, batch_rows=2)
    assert run.errors == [] and run.rows("Failure") == []
    rows = run.rows("Success")
    assert [r["Name"] for r in rows] == table.column("Name").to_pylist()
    assert all(r["JobStatus"] == "Completed" and r["Disposition"] == "Success" for r in rows)
    assert all(r["WorkflowId"] == WF_OK and r["JobId"] for r in rows)
    assert run.pushed["Success"].field("N").type == pa.int16()
    assert _meta(run.pushed["Success"], "N")[b"ayx.type"] == b"3"
    assert emulator.counters.jobs_created == 5
    assert run.progress and run.progress[-1] == 1.0
    assert emulator.counters.tokens_issued == 1
    assert any("Server Runner: 5 succeeded, 0 failed, 1 token fetched" in m for m in run.infos)


def test_runner_sequential_starts_jobs_in_input_order(emulator, run_tool_inprocess):
    table = pa.table({"Step": [1, 2, 3, 4]})
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, concurrency=1)
    run = run_tool_inprocess(ServerRunner, xml, table)
    ids = [r["JobId"] for r in run.rows("Success")]
    assert [c["jobId"] for c in emulator.counters.job_creations] == ids


def test_runner_bad_workflow_ids_are_failure_rows(emulator, run_tool_inprocess):
    table = pa.table({"Wf": [WF_OK, None, "", "   ", "6101a0b0c0d0e0f0a0b0cfff", "x/../y?ü"]})
    run = run_tool_inprocess(ServerRunner, conn(emulator, workflowIdField="Wf"), table)
    assert run.errors == []
    assert [r["Wf"] for r in run.rows("Success")] == [WF_OK]
    failures = run.rows("Failure")
    assert [r["Wf"] for r in failures] == [None, "", "   ", "6101a0b0c0d0e0f0a0b0cfff", "x/../y?ü"]
    assert [r["HTTP Status"] for r in failures[:3]] == [None, None, None]
    assert "The workflow is empty" in failures[0]["Error"]
    assert failures[3]["HTTP Status"] == 404
    # Not an id nor a URL: a name, looked up (no request ever carries it as a path segment).
    assert failures[4]["HTTP Status"] is None and "no workflow named" in failures[4]["Error"]
    assert emulator.counters.jobs_created == 1


def test_runner_error_disposition_is_a_failure_with_the_job_messages(emulator,
                                                                     run_tool_inprocess):
    table = pa.table({"Wf": [WF_ERROR, WF_OK]})
    xml = conn(emulator, workflowIdField="Wf", wait=True, pollSeconds=0.05)
    run = run_tool_inprocess(ServerRunner, xml, table)
    assert [r["Wf"] for r in run.rows("Success")] == [WF_OK]
    (bad,) = run.rows("Failure")
    assert "disposition Error" in bad["Error"] and bad["Error Detail"]


def test_runner_questions_from_fields_and_json(emulator, run_tool_inprocess):
    table = pa.table({
        "Region": ["South", "West", "East"],
        "Outcome": ["Success", "Error", None],
        "Q": ['{"Region": "X", "EmulatorDisposition": "Error"}', "{not json", None],
    })
    xml = conn(emulator, workflowId=WF_APP, wait=True, pollSeconds=0.05,
               questionsMode="fields", questionFields=["Region", "Outcome"],
               questionNames={"Outcome": "EmulatorDisposition"})
    run = run_tool_inprocess(ServerRunner, xml, table)
    assert [r["Region"] for r in run.rows("Success")] == ["South", "East"]
    assert [r["Region"] for r in run.rows("Failure")] == ["West"]
    xml = conn(emulator, workflowId=WF_APP, wait=True, pollSeconds=0.05,
               questionsMode="json", questionsJsonField="Q")
    run = run_tool_inprocess(ServerRunner, xml, table)
    assert [r["Region"] for r in run.rows("Success")] == ["East"]
    failures = run.rows("Failure")
    assert [r["Region"] for r in failures] == ["South", "West"]
    assert "not valid JSON" in failures[1]["Error"] and failures[1]["HTTP Status"] is None


@pytest.mark.emulator_config(job_timing="manual")
def test_runner_wait_timeout_goes_where_configured(emulator, run_tool_inprocess):
    table = pa.table({"Id": [1]})
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05,
               waitTimeoutSeconds=0.3)
    run = run_tool_inprocess(ServerRunner, xml, table)
    (row,) = run.rows("Failure")
    assert row["Id"] == 1 and row["Error"]
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05,
               waitTimeoutSeconds=0.3, onTimeout="success")
    run = run_tool_inprocess(ServerRunner, xml, table)
    (row,) = run.rows("Success")
    assert row["TimedOut"] is True and row["JobStatus"] != "Completed"
    assert emulator.counters.jobs_created == 2  # one job per record, never a second start


def test_runner_without_wait_then_job_status_waits(emulator, run_tool_inprocess):
    emulator.config.update(job_timing="seconds", job_seconds=0.2)
    table = pa.table({"Id": [1, 2]})
    run = run_tool_inprocess(ServerRunner, conn(emulator, workflowId=WF_OK, wait=False), table)
    started = run.table("Success")
    assert set(started.column("JobStatus").to_pylist()) <= {"Queued", "Created", "Running"}
    status = run_tool_inprocess(ServerJobStatus, conn(emulator, wait=True, pollSeconds=0.05),
                                started)
    rows = status.rows("Success")
    assert [r["Id"] for r in rows] == [1, 2]
    # Collision rule: the result replaces the input field of the same name, once.
    assert status.pushed["Success"].names.count("JobStatus") == 1
    assert all(r["JobStatus"] == "Completed" for r in rows)


def test_runner_downloads_outputs(emulator, run_tool_inprocess, tmp_path: Path):
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, downloadOutputs=True,
               outputFolder=str(tmp_path), outputFormat="Csv")
    run = run_tool_inprocess(ServerRunner, xml, pa.table({"Id": [1]}))
    (row,) = run.rows("Success")
    paths = json.loads(row["OutputFiles"])
    assert paths and all(Path(p).is_file() and Path(p).stat().st_size > 0 for p in paths)


def test_token_expiry_mid_run_refreshes_once_and_loses_nothing(emulator, run_tool_inprocess):
    table = pa.table({"Id": list(range(6))})
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, concurrency=2)
    run = run_tool_inprocess(ServerRunner, xml, table, batch_rows=3,
                             between=emulator.expire_tokens)
    assert [r["Id"] for r in run.rows("Success")] == list(range(6))
    assert run.rows("Failure") == []
    assert emulator.counters.tokens_issued == 2
    assert emulator.counters.jobs_created == 6
    assert any("2 tokens fetched" in m for m in run.infos)


def test_job_status_unknown_null_and_failed_jobs(emulator, run_tool_inprocess):
    started = run_tool_inprocess(ServerRunner, conn(emulator, workflowIdField="Wf", wait=True,
                                                    pollSeconds=0.05),
                                 pa.table({"Wf": [WF_OK, WF_ERROR]})).table
    ok_id = started("Success").column("JobId")[0].as_py()
    table = pa.table({"JobId": [ok_id, "6101a0b0c0d0e0f0a0b0cfff", None, "ünï"]})
    run = run_tool_inprocess(ServerJobStatus, conn(emulator), table)
    assert [r["JobId"] for r in run.rows("Success")] == [ok_id]
    failures = run.rows("Failure")
    assert [r["HTTP Status"] for r in failures[:2]] == [404, None]
    assert failures[2]["HTTP Status"] in (400, 404)


def test_connection_anchor_from_authenticate(emulator, run_tool_inprocess):
    auth = run_tool_inprocess(ServerAuthenticate, conn(emulator)).table("Success")
    xml = config_xml(source="anchor", workflowIdField="Wf", wait=True, pollSeconds=0.05)
    run = run_tool_inprocess(ServerRunner, xml, pa.table({"Wf": [WF_OK]}), connection=auth)
    assert run.errors == []
    (row,) = run.rows("Success")
    assert row["Disposition"] == "Success" and set(row) & {"ServerUrl", "AccessToken"} == set()
    assert emulator.counters.tokens_issued == 1  # the Runner reused Authenticate's token
    assert run.decrypts == 0
    assert_no_secret([auth.column("AccessToken")[0].as_py()], run.messages,
                     {n: run.table(n) for n in ("Success", "Failure")})


def test_huge_and_unicode_values_pass_through(emulator, run_tool_inprocess):
    huge = "x" * 300_000
    table = pa.table({"Big": [huge, "日本語 🚀"], "Wf": [WF_OK, "\u0000bad"]})
    run = run_tool_inprocess(ServerRunner, conn(emulator, workflowIdField="Wf"), table)
    assert [r["Big"] for r in run.rows("Success")] == [huge]
    assert [r["Big"] for r in run.rows("Failure")] == ["日本語 🚀"]


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.2)
def test_runner_nested_waits_for_running_jobs_simultaneously(emulator, run_tool_inprocess):
    table = pa.table({"Id": [1, 2, 3]})
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, concurrency=3)
    run = run_tool_inprocess(ServerRunner, xml, table)
    rows = run.rows("Success")
    assert [r["Id"] for r in rows] == [1, 2, 3]
    assert all(r["JobStatus"] == "Completed" and r["TimedOut"] is False for r in rows)
    assert emulator.counters.jobs_created == 3
