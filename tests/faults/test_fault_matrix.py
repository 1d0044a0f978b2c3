"""The fault matrix: every request tool, a few hundred records, one fault at a time, then mixed.

For each case: records in = Success + Failure out, no record on both, no duplicate job or
collection, non-idempotent requests never re-sent (only a refused 401 is), every Failure row
with an actionable reason; one `[fault-matrix]` line per case is printed (run with -s or -rA).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator
from typing import Any

import pyarrow as pa
import pytest

from tests.faults.conftest import check, print_report, run_case, tool_case

N = 200


def _restart_mid_batch(emu: Any, at_batch: int = 1, after: float = 0.05, down: float = 0.3
                      ) -> Callable[[pa.Table], Iterator[pa.RecordBatch]]:
    """A batch stream during whose batch `at_batch` the emulator goes down and comes back.

    Like a killed and restarted process: the listener closes (new connections are refused)
    and every open keep-alive connection is cut at its next request, for `down` seconds; then
    the same instance, with the same state and tokens, listens again on the same port.
    """
    def crash_and_restart() -> None:
        cut = emu.faults.drop(when="before")
        emu.stop()
        time.sleep(down)
        emu.faults.remove(cut.id)
        emu.start()

    def batches(table: pa.Table) -> Iterator[pa.RecordBatch]:
        timer: threading.Timer | None = None
        try:
            for i, batch in enumerate(table.to_batches(max_chunksize=50)):
                if i == at_batch:
                    timer = threading.Timer(after, crash_and_restart)
                    timer.start()
                yield batch
        finally:
            if timer is not None:
                timer.join(10)
            emu.start()  # a no-op when it is already up
    return batches


API = {"path_prefix": "/webapi/v3"}  # the token endpoint has its own test below

FAULTS: dict[str, dict[str, Any]] = {
    "429 burst with Retry-After": {"rules": [("error", (429,), {"count": 12,
                                                                "retry_after": 0.05, **API})]},
    "503s": {"rules": [("error", (503,), {"count": 8, **API})]},
    "500s": {"rules": [("error", (500,), {"count": 6, **API})]},
    "dropped before handler": {"rules": [("drop", (), {"when": "before", "count": 6, **API})]},
    "dropped after handler": {"rules": [("drop", (), {"when": "after", "count": 6, **API})]},
    "latency above timeout": {"rules": [("latency", (0.6,), {"count": 4, **API})],
                              "timeout": 0.3},
    "token expiry": {"rules": [("latency", (0.01,), API)], "knobs": {"token_lifetime": 0.3}},
    "emulator restart": {"restart": True},
    "mixed": {
        "rules": [("error", (429,), {"fraction": 0.03, "retry_after": 0.05}),
                  ("error", (503,), {"fraction": 0.02}), ("error", (500,), {"fraction": 0.01}),
                  ("drop", (), {"when": "before", "fraction": 0.01, **API}),
                  ("drop", (), {"when": "after", "fraction": 0.01, **API}),
                  ("latency", (0.0, 0.003), {})],
        "knobs": {"token_lifetime": 0.4}, "restart": True,
    },
}
# The full fault list for one idempotent tool and the two that create things; the other
# idempotent tools share GET's code path: they get the dropped answer and the restart, and
# DELETE the mix (a retried DELETE whose first try went through).
MATRIX = [(tool, fault) for tool in ("GET", "POST", "Runner") for fault in FAULTS] + [
    (tool, fault) for tool in ("PUT", "DELETE", "JobStatus")
    for fault in ("dropped after handler", "emulator restart")] + [("DELETE", "mixed")]


def _inject(emu: Any, spec: dict[str, Any]) -> None:
    for kind, args, kwargs in spec.get("rules", []):
        getattr(emu.faults, kind)(*args, **kwargs)
    emu.config.update(**spec.get("knobs", {}))


@pytest.mark.parametrize(("tool", "fault"), MATRIX)
def test_fault_matrix(fixed_port_emulator: Any, tool: str, fault: str) -> None:
    """One tool under one fault: the invariants hold and the run is reported."""
    emu = fixed_port_emulator
    spec = FAULTS[fault]
    case = tool_case(tool, emu, N, timeout=spec.get("timeout", 30.0))
    before = emu.counters.requests
    statuses_before = emu.counters.statuses.get(401, 0)
    tokens_before = emu.counters.tokens_issued
    _inject(emu, spec)
    batches = _restart_mid_batch(emu) if spec.get("restart") else None
    run = run_case(case, batches)
    emu.faults.clear()
    resent_401 = emu.counters.statuses.get(401, 0) - statuses_before
    report = check(emu, case, run, f"{tool} / {fault}", before, allow_401_resend=resent_401)
    print_report(report)
    if fault == "token expiry":
        assert emu.counters.tokens_issued - tokens_before >= 2, "the token never expired"
        assert report.failure == 0, report.reasons  # expiry is invisible to the user
    if fault in ("429 burst with Retry-After", "503s", "emulator restart") and \
            case.non_idempotent is None:
        assert report.success == N, report.reasons  # retried to success when idempotent
    if fault == "500s" and tool != "JobStatus":
        assert report.failure >= 1  # a 500 is an answer, not retried


@pytest.mark.parametrize("tool", ["GET", "Runner"])
def test_oauth1_server_clock_offset(fixed_port_emulator: Any, tool: str) -> None:
    """A Server clock 15 minutes ahead: OAuth 1.0a requests correct from the Date header."""
    emu = fixed_port_emulator
    case = tool_case(tool, emu, N, oauth1=True)
    emu.config.update(clock_offset=900)
    before = emu.counters.requests
    run = run_case(case)
    refused = emu.counters.statuses.get(401, 0)
    report = check(emu, case, run, f"{tool} OAuth1 / server clock +900 s", before,
                   allow_401_resend=refused)
    print_report(report)
    assert report.success == N, report.reasons
    assert refused >= 1  # the offset was real: at least one request was refused, then fixed
