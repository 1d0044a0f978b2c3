"""Shared pieces of the fault matrix: the tools' configurations, the invariants, the report.

Every case runs a real tool on the SDK's in-process test service (benchmarks/inprocess.py)
against a real emulator on 127.0.0.1 that injects faults; nothing of ours is mocked.
"""

from __future__ import annotations

import re
import socket
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pytest

from designer_host import config_xml
from designer_host.inprocess import InProcessRun, run_inprocess

WORKFLOWS = [f"6101a0b0c0d0e0f0a0b0c00{i}" for i in (1, 2, 3, 4)]  # visible to the Curator
WF_APP = "6101a0b0c0d0e0f0a0b0c004"
REC = "RecordNo"

# A Failure reason that only names an exception class (or says nothing) is not actionable.
_VAGUE = re.compile(r"^(\w+(Error|Exception)(: .{0,20})?|Failed|No outcome|None|)$")


def free_port() -> int:
    """A free TCP port on 127.0.0.1 (for an emulator that restarts on the same port)."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Case:
    """One tool configured against one emulator, with its input records."""

    tool: str
    cls: type
    xml: str
    table: pa.Table
    non_idempotent: tuple[str, str] | None = None  # (method, template) that must not be retried
    creates: str | None = None  # "jobs" | "collections": what a duplicate would be

    @property
    def ids(self) -> list[int]:
        """The record numbers sent in."""
        return list(self.table.column(REC).to_pylist())


def tool_case(tool: str, emu: Any, n: int, *, timeout: float = 30.0, oauth1: bool = False,
              **extra: Any) -> Case:
    """A Case for one of GET, POST, PUT, DELETE, Runner, JobStatus over `n` records."""
    from ayx_plugins.server_api import ServerClient
    from ayx_plugins.tools.api_request import ServerDelete, ServerGet, ServerPost, ServerPut
    from ayx_plugins.tools.job_status import ServerJobStatus
    from ayx_plugins.tools.runner import ServerRunner

    user = emu.user("Curator")
    if oauth1:
        conn = dict(secret=user.studio_secret, serverUrl=emu.gallery_url, authType="oauth1",
                    apiKey=user.studio_key)
    else:
        conn = dict(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key)
    common = dict(conn, concurrency=8, requestTimeoutSeconds=timeout, **extra)
    recs = pa.array(range(n), pa.int64())

    def existing_collections() -> list[str]:
        with ServerClient(emu.url, user.api_key, user.api_secret) as client:
            return [str(client.request_json("POST", "v3/collections",
                                            json={"name": f"pre-{i}"})) for i in range(n)]

    if tool == "GET":
        table = pa.table({REC: recs, "workflowId": [WORKFLOWS[i % 4] for i in range(n)]})
        path = "v1/workflows/subscription" if oauth1 else "v3/workflows/{workflowId}"
        return Case(tool, ServerGet, config_xml(path=path, **common), table)
    if tool == "POST":
        table = pa.table({REC: recs, "Body": [f'{{"name": "fm-{i}"}}' for i in range(n)]})
        xml = config_xml(endpoint="collections_create_collection", bodyMode="jsonField",
                         bodyField="Body", **common)
        return Case(tool, ServerPost, xml, table, ("POST", "/webapi/v3/collections"),
                    "collections")
    if tool in ("PUT", "DELETE"):
        ids = existing_collections()
        table = pa.table({REC: recs, "CollectionId": ids, "name": [f"new-{i}" for i in range(n)],
                          "ownerId": [user.id] * n})
        if tool == "PUT":
            xml = config_xml(endpoint="collections_update_collection",
                             pathParamFields={"collectionId": "CollectionId"},
                             bodyMode="fields", bodyFields=["name", "ownerId"], **common)
            return Case(tool, ServerPut, xml, table)
        xml = config_xml(endpoint="collections_delete_collection",
                         pathParamFields={"collectionId": "CollectionId"}, **common)
        return Case(tool, ServerDelete, xml, table)
    if tool == "Runner":
        table = pa.table({REC: recs, "Region": [f"r{i}" for i in range(n)]})
        xml = config_xml(workflowId=WF_APP, questionsMode="fields", questionFields=["Region"],
                         apiVersion="v1" if oauth1 else "v3", **common)
        path = ("/gallery/api/v1/workflows/<appId>/jobs" if oauth1
                else "/webapi/v3/workflows/<workflowId>/jobs")
        return Case(tool, ServerRunner, xml, table, ("POST", path), "jobs")
    if tool == "JobStatus":
        with ServerClient(emu.url, user.api_key, user.api_secret) as client:
            from ayx_plugins.server_api.jobs import start_job

            jobs = [start_job(client, WORKFLOWS[0]).id for _ in range(n)]
        table = pa.table({REC: recs, "JobId": jobs})
        return Case(tool, ServerJobStatus, config_xml(jobIdField="JobId", **common), table)
    raise ValueError(tool)


@dataclass
class Report:
    """What one case produced, checked against the matrix's invariants."""

    case: str
    n: int
    success: int = 0
    failure: int = 0
    requests: int = 0
    non_idempotent_sent: str = ""
    reasons: Counter[str] = field(default_factory=Counter)


def _sent_per_record(emu: Any, case: Case, before: dict[tuple[str, str], int]) -> int:
    assert case.non_idempotent is not None
    return emu.counters.count(*case.non_idempotent) - before.get(case.non_idempotent, 0)


def check(emu: Any, case: Case, run: InProcessRun, name: str,
          before: dict[tuple[str, str], int], *, allow_401_resend: int = 0) -> Report:
    """Assert the invariants; return the case's report line."""
    ok = run.table("Success").column(REC).to_pylist()
    bad_rows = run.rows("Failure")
    bad = [r[REC] for r in bad_rows]
    report = Report(name, len(case.ids), len(ok), len(bad))
    # records in = Success + Failure out, no record on both, none twice
    assert len(ok) == len(set(ok)), f"{name}: a record is twice on Success"
    assert len(bad) == len(set(bad)), f"{name}: a record is twice on Failure"
    assert not set(ok) & set(bad), f"{name}: a record is on both outputs"
    assert sorted(ok + bad) == sorted(case.ids), f"{name}: records lost or invented"
    assert run.errors == [], f"{name}: tool errors {run.errors[:2]}"
    # every Failure carries an actionable reason
    for row in bad_rows:
        reason = row["Error"] or ""
        assert not _VAGUE.match(reason.strip()), f"{name}: vague reason {reason!r}"
        assert len(reason) >= 20, f"{name}: reason too short to act on: {reason!r}"
        report.reasons[re.sub(r"[0-9a-f]{24}|\d+", "#", reason)[:110]] += 1
    after = emu.counters.requests
    report.requests = sum(after.values()) - sum(before.values())
    # no duplicate job (or collection) created
    if case.creates == "jobs":
        with emu.state.lock:
            regions = Counter(j["_answers"].get("Region") for j in emu.state.jobs.values())
        dupes = {k: v for k, v in regions.items() if k and v > 1}
        assert not dupes, f"{name}: duplicate jobs for records {list(dupes)[:5]}"
        job_ids = run.table("Success").column("JobId").to_pylist()
        assert len(set(job_ids)) == len(job_ids)
    if case.creates == "collections":
        with emu.state.lock:
            names = Counter(c.get("name") for c in emu.state.collections.values())
        dupes = {k: v for k, v in names.items() if v > 1}
        assert not dupes, f"{name}: duplicate collections {list(dupes)[:5]}"
    # retries only on idempotent requests: each record's POST reached the server at most once
    # (a 401 that made the client fetch a new token is a re-send of a refused request)
    if case.non_idempotent is not None:
        sent = _sent_per_record(emu, case, before)
        report.non_idempotent_sent = f"{case.non_idempotent[0]}s received={sent}"
        assert sent <= len(case.ids) + allow_401_resend, (
            f"{name}: {sent} {case.non_idempotent[0]} requests for {len(case.ids)} records")
    return report


def print_report(report: Report) -> None:
    """One line per case (pytest -s shows it; -rA shows it in the summary)."""
    reasons = "; ".join(f"{n}x {r}" for r, n in report.reasons.most_common(3))
    print(f"\n[fault-matrix] {report.case}: in={report.n} Success={report.success} "
          f"Failure={report.failure} requests={report.requests}"
          + (f" {report.non_idempotent_sent}" if report.non_idempotent_sent else "")
          + (f" | {reasons}" if reasons else ""))


def run_case(case: Case, batches: Callable[[pa.Table], Iterator[pa.RecordBatch]] | None = None,
             ) -> InProcessRun:
    """Run the case's tool over its records (optionally as a custom stream of batches)."""
    if batches is None:
        return run_inprocess(case.cls, case.xml, case.table, batch_rows=100)
    return run_inprocess(case.cls, case.xml, batches(case.table), schema=case.table.schema)


@pytest.fixture
def fixed_port_emulator() -> Iterator[Any]:
    """An emulator on a fixed port, so the tests can stop and start it mid-run."""
    from ayx_server_emulator import EmulatorServer

    emu = EmulatorServer(port=free_port())
    emu.start()
    try:
        yield emu
    finally:
        emu.stop()
