"""Reasons that the fault matrix found not actionable enough (findings for the core).

An open finding is `xfail(strict=True)`: reported as an expected failure, never as a pass, and
a failure the day the core is fixed, so the marker gets removed then. Both findings so far are
fixed and are plain tests now.
"""

from __future__ import annotations

from typing import Any

import pyarrow as pa

from designer_host import config_xml
from designer_host.inprocess import run_inprocess
from tests.faults.conftest import WF_APP, WORKFLOWS


def _conn(emu: Any) -> dict[str, Any]:
    cur = emu.user("Curator")
    return dict(secret=cur.api_secret, serverUrl=emu.url, apiKey=cur.api_key)


def test_dropped_job_start_says_the_job_may_exist(emulator: Any) -> None:
    """A job start whose answer never came must tell the user to check before re-running."""
    from ayx_plugins.tools.runner import ServerRunner

    # The job start only (the Runner first reads the app's questions with a GET).
    emulator.faults.drop(when="after", count=1, method="POST", path_prefix="/webapi/v3/workflows")
    run = run_inprocess(ServerRunner, config_xml(workflowId=WF_APP, **_conn(emulator)),
                        pa.table({"i": [1]}))
    assert emulator.counters.jobs_created == 1  # the job exists on the Server
    reason = run.rows("Failure")[0]["Error"]
    assert "may have" in reason or "check the job" in reason, reason


def test_token_endpoint_outage_is_not_blamed_on_the_credentials(emulator: Any) -> None:
    """The Server being unavailable is not a credentials problem."""
    from ayx_plugins.tools.api_request import ServerGet

    emulator.faults.error(429, retry_after=0.01, path_prefix="/webapi/oauth2/token")
    run = run_inprocess(ServerGet, config_xml(path="v3/workflows/{Wf}", **_conn(emulator)),
                        pa.table({"Wf": [WORKFLOWS[0]]}))
    reason = run.rows("Failure")[0]["Error"]
    assert "429" in reason or "too many" in reason.lower(), reason
    assert "API key" not in reason, reason
