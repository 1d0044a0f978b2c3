"""The tools out of process, driven over the SDK's real gRPC protocol by `designer_host`, the
way Designer's engine drives them. A focused set: each run starts a Python process (~2 s)."""

from __future__ import annotations

import json
import sys

import pyarrow as pa

from designer_host import run_tool
from tests.tools.conftest import assert_no_secret, config_xml, conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"


def _run(tool: str, xml: str, table: pa.Table | None = None, *,
         connection: pa.Table | None = None, data_first: bool = False, **kw):
    inputs = {"Input": table} if table is not None else {}
    if connection is not None:  # dict order = the order Designer delivers the anchors in
        inputs = {**inputs, "Connection": connection} if data_first else {
            "Connection": connection, **inputs}
    run = run_tool(tool, xml, inputs, secrets=decrypt, python=sys.executable, timeout=90, **kw)
    assert run.completed, run.log[-3000:]
    for name, out in run.outputs.items():
        assert out.schema.equals(run.output_schemas[name], check_metadata=True)
    return run


def test_demo_chain_authenticate_runner_job_status_get(emulator):
    auth = _run("ServerAuthenticate", conn(emulator))
    assert auth.errors == [] and auth.decrypt_requests == 1
    token_table = auth.outputs["Success"]
    token = token_table.column("AccessToken")[0].as_py()
    assert token_table.schema.field("TokenExpires").metadata[b"ayx.type"] == b"15"

    runs = pa.table({"Wf": [WF_OK, WF_ERROR, WF_OK]})
    runner = _run("ServerRunner", config_xml(source="anchor", workflowIdField="Wf", wait=True,
                                             pollSeconds=0.05, concurrency=2), runs,
                  connection=token_table)
    assert runner.errors == []
    ok, bad = runner.outputs["Success"], runner.outputs["Failure"]
    assert ok.column("Wf").to_pylist() == [WF_OK, WF_OK]
    assert ok.column("Disposition").to_pylist() == ["Success", "Success"]
    assert bad.column("Wf").to_pylist() == [WF_ERROR]
    assert ok.schema.field("CreateDate").metadata[b"ayx.type"] == b"15"
    assert ok.schema.field("TimedOut").metadata[b"ayx.type"] == b"1"

    status = _run("ServerJobStatus", config_xml(source="anchor"), ok, connection=token_table)
    assert status.outputs["Success"].column("JobStatus").to_pylist() == ["Completed"] * 2

    get = _run("ServerGet", config_xml(source="anchor", path="v3/workflows",
                                       outputMode="rows"), None, connection=token_table)
    rows = get.outputs["Success"]
    assert WF_OK in rows.column("id").to_pylist()
    assert rows.schema.field("dateCreated").metadata[b"ayx.type"] == b"15"
    assert emulator.counters.tokens_issued == 1  # one Authenticate feeds every tool
    for run in (runner, status, get):
        # the summary: info, or a warning when a record failed (the Runner's WF_ERROR job)
        assert any("succeeded" in m for m in run.texts("info") + run.texts("warn"))
        assert_no_secret([token], run.messages, run.outputs)
        for out in run.outputs.values():  # no connection columns in the outputs
            assert {"AccessToken", "ServerUrl", "ApiBase"} & set(out.schema.names) == set()


def test_update_only_pushes_exactly_the_run_schema_and_sends_nothing(emulator):
    table = pa.table({"Wf": [WF_OK], "Note": ["ü"]})
    xml = conn(emulator, workflowIdField="Wf", wait=True, pollSeconds=0.05)
    preview = _run("ServerRunner", xml, table, update_only=True)
    assert preview.outputs["Success"].num_rows == 0
    assert emulator.counters.total_requests == 0 and preview.decrypt_requests == 0
    full = _run("ServerRunner", xml, table)
    assert full.outputs["Success"].num_rows == 1
    for anchor in ("Success", "Failure"):
        assert preview.output_schemas[anchor].equals(full.output_schemas[anchor],
                                                     check_metadata=True)


def test_batches_expiry_and_no_secret_anywhere(emulator):
    emulator.config.update(token_lifetime=1)
    user = emulator.user("Curator")
    bodies = [json.dumps({"name": f"c{i}"}) for i in range(5)]
    table = pa.table({"Id": list(range(5)), "Body": bodies})
    xml = conn(emulator, endpoint="collections_create_collection", bodyMode="jsonField",
               bodyField="Body", concurrency=1)
    run = _run("ServerPost", xml, table, batch_rows=2)
    assert run.outputs["Success"].column("Id").to_pylist() == list(range(5))
    ids = [json.loads(r) for r in run.outputs["Success"].column("Response").to_pylist()]
    assert len(set(ids)) == 5
    assert_no_secret([user.api_secret], run.outputs, run.messages, run.log)


def test_configuration_error_out_of_process(emulator):
    table = pa.table({"Id": [1, 2]})
    run = _run("ServerRunner", config_xml(serverUrl=emulator.url, workflowId=WF_OK), table)
    assert len(run.errors) == 1 and "API key" in run.errors[0]
    assert run.outputs["Failure"].column("Id").to_pylist() == [1, 2]
    assert emulator.counters.total_requests == 0
