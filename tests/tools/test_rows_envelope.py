"""Rows mode on an envelope answer: `GET v3/jobs` gives `{"data": [...]}`, one row per job."""

from __future__ import annotations

import pyarrow as pa

from ayx_plugins.server_api import ServerClient, start_job
from ayx_plugins.tools.api_request import ServerGet
from tests.tools.conftest import conn

WF_OK = "6101a0b0c0d0e0f0a0b0c001"


def test_rows_mode_gives_one_row_per_item_of_the_data_envelope(emulator, run_tool_inprocess):
    user = emulator.user("Curator")
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret) as client:
        ids = {start_job(client, WF_OK).id for _ in range(3)}
    run = run_tool_inprocess(
        ServerGet, conn(emulator, endpoint="jobs_get_jobs", outputMode="rows"),
        pa.table({"N": [1]}))
    assert run.errors == [] and run.count("Failure") == 0
    rows = run.rows("Success")
    assert {r["jobId"] for r in rows} == ids  # one row per job, not one row for the envelope
    assert all(r["N"] == 1 and r["HTTP Status"] == 200 for r in rows)
    assert "data" not in run.table("Success").schema.names
