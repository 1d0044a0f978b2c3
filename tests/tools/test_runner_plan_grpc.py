"""Runner plan mode over the SDK's real gRPC protocol (`designer_host`): the plan waits for every
input batch and for the Connection anchor's record, whichever comes last; one row per step."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest

from designer_host import panel_config, run_tool
from tests.tools.conftest import conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"


@pytest.mark.parametrize("data_first", [True, False])
def test_plan_over_grpc_with_the_connection_anchor(emulator, data_first: bool):
    auth = run_tool("ServerAuthenticate", conn(emulator), {}, secrets=decrypt,
                    python=sys.executable, timeout=90)
    token = auth.outputs["Success"]
    steps = pa.table({"Step": ["a", "b", "c", "d"], "Workflow": [WF_OK, WF_ERROR, WF_OK, WF_OK],
                      "DependsOn": ["", "a", "b", "a"]})
    config = panel_config(source="anchor", mode="plan", workflowField="Workflow",
                          pollSeconds=0.05, maxInFlight=2)
    inputs = {"Input": steps, "Connection": token} if data_first else {
        "Connection": token, "Input": steps}
    run = run_tool("ServerRunner", config, inputs, secrets=decrypt, python=sys.executable,
                   timeout=90, batch_rows=1)
    assert run.completed, run.log[-3000:]
    assert run.errors == []
    ok, bad = run.outputs["Success"], run.outputs["Failure"]
    assert ok.column("Step").to_pylist() == ["a", "d"]
    assert bad.column("Step").to_pylist() == ["b", "c"]
    assert bad.column("Error").to_pylist()[1] == "skipped: step b failed"
    assert bad.column("Disposition").to_pylist() == ["Error", None]
    assert ok.schema.field("StartTime").metadata[b"ayx.type"] == b"15"
    assert emulator.counters.jobs_created == 3
