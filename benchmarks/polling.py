"""Polling at scale: M jobs waited on at once by Server Job Status, on the fast backend.

Requests per job against the ideal `duration/interval + 1`, how long after the jobs ended the run
ended, and what one `GET v3/jobs` list call per interval (the Curators' endpoint, one page for
many jobs) would need for the same wait.
"""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa
import requests

from benchmarks.remote import Creds, RemoteEmulator

WF = "6101a0b0c0d0e0f0a0b0c004"


def start_jobs(backend: RemoteEmulator, user: Creds, m: int, seconds: float) -> list[str]:
    """Start M jobs of the app, each taking `seconds` (its `EmulatorRunSeconds` question)."""
    session = requests.Session()
    headers = {"Authorization": f"Bearer {backend.bearer(user, session)}"}
    ids = []
    for _ in range(m):
        r = session.post(f"{backend.url}/webapi/v3/workflows/{WF}/jobs", headers=headers,
                         json={"questions": [{"name": "EmulatorRunSeconds",
                                              "value": str(seconds)}]}, timeout=30)
        r.raise_for_status()
        ids.append(r.json()["id"])
    session.close()
    return ids


def list_polls(backend: RemoteEmulator, user: Creds, m: int, seconds: float, interval: float,
               page: int = 1000) -> int:
    """Requests a `GET v3/jobs` loop makes to see M jobs of `seconds` end (bounded)."""
    from ayx_plugins.server_api import ServerClient

    wanted = set(start_jobs(backend, user, m, seconds))
    calls = 0
    deadline = time.monotonic() + 10 * seconds + 60
    with ServerClient(backend.url + "/webapi/", user.api_key, user.api_secret) as client:
        while wanted and time.monotonic() < deadline:
            offset = 0
            while True:
                answer = client.request_json("GET", "v3/jobs",
                                             params={"offset": offset, "limit": page})
                calls += 1
                items = answer.get("data", []) if isinstance(answer, dict) else []
                wanted -= {i["jobId"] for i in items if i["status"] in ("Completed",
                                                                        "Cancelled")}
                if len(items) < page:
                    break
                offset += page
            if wanted:
                time.sleep(interval)
    return calls


def fig_polling_scale(emit: Any, m: int, seconds: float, interval: float, c: int) -> None:
    """Job Status on M jobs at once (C in flight) vs the ideal, and the list-endpoint count."""
    from ayx_plugins.tools.job_status import ServerJobStatus
    from designer_host import config_xml
    from designer_host.inprocess import run_inprocess

    with RemoteEmulator(module="benchmarks.fastserver") as backend:
        user = backend.user("Curator")
        ids = start_jobs(backend, user, m, seconds)
        ended = time.perf_counter() + seconds
        xml = config_xml(user.api_secret, serverUrl=backend.url, apiKey=user.api_key,
                         jobIdField="JobId", wait=True, pollSeconds=interval, concurrency=c)
        run = run_inprocess(ServerJobStatus, xml, pa.table({"JobId": ids}), keep=False)
        end = time.perf_counter()
        if run.count("Success") != m:
            raise RuntimeError(f"Job Status: {run.count('Success')} of {m}: {run.messages[-3:]}")
        polls = backend.counters()["requests"].get("GET /webapi/v3/jobs/<jobId>", 0)
        ideal = seconds / interval + 1
        backend.reset()
        listed = list_polls(backend, user, m, seconds, interval)
        emit(f"polling M={m} C={c}",
             f"jobs of {seconds:g} s, poll {interval:g} s: {polls / m:.1f} GETs/job (ideal "
             f"{ideal:.1f}), run ended {end - ended:.2f} s after the jobs; one GET v3/jobs "
             f"list call per interval instead: "
             f"{listed} requests in all = {listed / m:.2f}/job")
