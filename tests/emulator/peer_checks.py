"""Peer clients against the emulator (runs in the peers' venv; see run_peers.py): PyPI
`alteryx-server-py` 0.2.0, the tool layer of `mcp-server-alteryx` 0.2.22 (`src/tools.py`) and
`alteryx-gallery-py` 1.0.1 (legacy OAuth1). Prints one JSON record per call:
{peer, call, outcome: "ok" | "error", detail}.
"""

from __future__ import annotations

import json
import os
import sys
import traceback
from collections.abc import Callable
from typing import Any

SUCCESS, ERROR, APP = ("6101a0b0c0d0e0f0a0b0c001", "6101a0b0c0d0e0f0a0b0c002",
                       "6101a0b0c0d0e0f0a0b0c004")
RESULTS: list[dict[str, Any]] = []


def call(peer: str, name: str, fn: Callable[[], Any],
         failed: Callable[[Any], bool] = lambda _r: False) -> Any:
    """Run one peer call; a raised exception or a result `failed` says is an error."""
    try:
        result = fn()
    except Exception as exc:  # every peer failure is a finding
        tb = traceback.extract_tb(exc.__traceback__)[-1]
        RESULTS.append({"peer": peer, "call": name, "outcome": "error",
                        "detail": f"{type(exc).__name__}: {str(exc)[:300]} "
                                  f"(at {os.path.basename(tb.filename)}:{tb.lineno})"})
        return None
    bad = failed(result)
    RESULTS.append({"peer": peer, "call": name, "outcome": "error" if bad else "ok",
                    "detail": str(result)[:300] if bad else ""})
    return result


def server_py(base: str, key: str, secret: str) -> None:
    from alteryx_server_py import AlteryxClient
    peer = "alteryx-server-py 0.2.0"
    client = AlteryxClient(base_url=base + "/webapi/", client_id=key, client_secret=secret)
    call(peer, "workflows.list()", lambda: client.workflows.list())
    call(peer, "workflows.get(id)", lambda: client.workflows.get(SUCCESS))
    call(peer, "workflows.get_questions(app)", lambda: client.workflows.get_questions(APP))
    job = call(peer, "jobs.run(workflow)", lambda: client.jobs.run(SUCCESS))
    if job is not None:
        done = call(peer, "jobs.get(id)", lambda: client.jobs.get(job.id))
        call(peer, "jobs.get_messages(id)", lambda: client.jobs.get_messages(job.id))
        if done is not None and getattr(done, "outputs", None):
            oid = done.outputs[0].id
            call(peer, "jobs.get_output(id, output)", lambda: client.jobs.get_output(job.id, oid))
    call(peer, "jobs.run(app, questions)", lambda: client.jobs.run(
        APP, questions={"Region": "East"}))
    queued = call(peer, "jobs.run(workflow) again", lambda: client.jobs.run(SUCCESS))
    if queued is not None:
        call(peer, "jobs.cancel(queued id)", lambda: client.jobs.cancel(queued.id))
    call(peer, "jobs.list()", lambda: client.jobs.list())
    call(peer, "jobs.run_and_wait(error workflow)", lambda: client.jobs.run_and_wait(
        ERROR, poll_interval=0, timeout=30))
    for res in ("users", "schedules", "credentials", "collections", "user_groups"):
        call(peer, f"{res}.list()", lambda res=res: getattr(client, res).list())


def mcp_tools(base: str, key: str, secret: str) -> None:
    os.environ.update(ALTERYX_API_HOST=base + "/webapi/", ALTERYX_CLIENT_ID=key,
                      ALTERYX_CLIENT_SECRET=secret)
    from src.tools import AYXMCPTools, InputData

    peer = "mcp-server-alteryx 0.2.22 tools"
    tools = AYXMCPTools()

    def says_error(text: Any) -> bool:
        return isinstance(text, str) and ("Error" in text[:40] or "'success': False" in text)

    for name, fn in [
        ("get_all_workflows", lambda: tools.get_all_workflows()),
        ("get_workflow_by_id", lambda: tools.get_workflow_by_id(SUCCESS)),
        ("get_workflow_jobs", lambda: tools.get_workflow_jobs(SUCCESS)),
        ("get_all_users", lambda: tools.get_all_users()),
        ("get_all_schedules", lambda: tools.get_all_schedules()),
        ("get_all_credentials", lambda: tools.get_all_credentials()),
        ("get_all_collections", lambda: tools.get_all_collections()),
        ("download_workflow_package_file", lambda: tools.download_workflow_package_file(SUCCESS)),
        ("get_workflow_xml", lambda: tools.get_workflow_xml(SUCCESS)),
        ("execute_workflow_with_monitoring(app)", lambda: tools.execute_workflow_with_monitoring(
            APP, [InputData(name=n, value=v) for n, v in (
                ("Region", "East"), ("Size", "10"), ("EmulatorDisposition", "Success"))],
            poll_interval_seconds=0, timeout_seconds=30)),
        ("start_workflow_execution", lambda: tools.start_workflow_execution(SUCCESS)),
    ]:
        call(peer, name, fn, says_error)
    import src.server_client as sc
    job = sc.JobsApi(sc.ApiClient(tools.configuration))
    started = sc.WorkflowsApi(sc.ApiClient(tools.configuration)).workflows_enqueue(
        SUCCESS, sc.EnqueueJobContract(questions=[]))
    call(peer, "get_job_by_id", lambda: tools.get_job_by_id(started.id), says_error)
    call(peer, "get_all_job_messages", lambda: tools.get_all_job_messages(started.id), says_error)
    call(peer, "get_job_output_data", lambda: tools.get_job_output_data(started.id), says_error)
    del job


def gallery_py(base: str, studio_key: str, studio_secret: str) -> None:
    from alteryx_gallery_py.subscriptions import Subscriptions
    peer = "alteryx-gallery-py 1.0.1 (OAuth1)"
    sub = Subscriptions(studio_key, studio_secret, base + "/gallery")

    def not_data(result: Any) -> bool:
        return isinstance(result, dict) and "exceptionName" in result

    call(peer, "get_workflows()", lambda: sub.get_workflows(), not_data)
    call(peer, "get_workflows(search, limit)", lambda: sub.get_workflows(
        search="emulator s", limit=5), not_data)
    call(peer, "get_questions(app)", lambda: sub.get_questions(APP), not_data)
    job = call(peer, "create_job(workflow)", lambda: sub.create_job(
        SUCCESS, questions=[], priority=0), not_data)
    if isinstance(job, dict) and "id" in job:
        done = call(peer, "get_job(id)", lambda: sub.get_job(job["id"]), not_data)
        call(peer, "list_jobs(workflow)", lambda: sub.list_jobs(SUCCESS), not_data)
        if isinstance(done, dict) and done.get("outputs"):
            oid = done["outputs"][0]["id"]
            call(peer, "get_job_output(id, output)", lambda: sub.get_job_output(job["id"], oid),
                 lambda b: b[:1] == b"{")
    call(peer, "download_app(workflow)", lambda: sub.download_app(SUCCESS),
         lambda b: b[:2] != b"PK")


def main() -> int:
    env = json.loads(sys.stdin.read())
    server_py(env["url"], env["key"], env["secret"])
    mcp_tools(env["url"], env["key"], env["secret"])
    gallery_py(env["url"], env["studio_key"], env["studio_secret"])
    json.dump(RESULTS, sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
