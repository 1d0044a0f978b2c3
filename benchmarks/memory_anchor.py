"""Memory while the Connection anchor holds data back: N rows arrive before the connection record.

A fresh process per N streams N data rows (batches of 1,000, made on the fly) into the GET tool
whose connection comes from Server Authenticate's record on the Connection anchor, and that
record arrives last, so every row is held (spilled to the temp folder past the hold-back limit)
until it comes. Peak RSS for a small and a large N: flat means the held rows are not in memory.

    python -m benchmarks.memory_anchor URL KEY N     # (child) the secret on stdin; one JSON line
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa

from benchmarks.remote import RemoteEmulator

ROOT = Path(__file__).resolve().parent.parent
WF = "6101a0b0c0d0e0f0a0b0c001"


def child(url: str, key: str, n: int) -> None:
    """(In a fresh process) one run with N rows held; print peak RSS as JSON."""
    from ayx_plugins.tools.api_request import ServerGet
    from ayx_plugins.tools.authenticate import ServerAuthenticate
    from designer_host import config_xml
    from designer_host.inprocess import run_inprocess

    secret = sys.stdin.readline().strip()
    record = run_inprocess(ServerAuthenticate, config_xml(
        secret, serverUrl=url, apiKey=key)).table("Success")
    xml = config_xml(source="anchor", path="v3/workflows/{workflowId}", concurrency=8)
    schema = pa.schema([("RecordNo", pa.int64()), ("workflowId", pa.string()),
                        ("Pad", pa.string())])

    def stream(total: int) -> Iterator[pa.RecordBatch]:
        for start in range(0, total, 1000):
            size = min(1000, total - start)
            yield pa.record_batch([pa.array(range(start, start + size), pa.int64()),
                                   pa.array([WF] * size), pa.array(["x" * 100] * size)],
                                  schema=schema)

    run_inprocess(ServerGet, xml, stream(1), schema=schema, keep=False, connection=record,
                  connection_first=False)  # warm-up: imports, catalogue, the SDK's service
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    run = run_inprocess(ServerGet, xml, stream(n), schema=schema, keep=False,
                        connection=record, connection_first=False)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"n": n, "ok": run.count("Success"), "failed": run.count("Failure"),
                      "base_kb": base, "peak_kb": peak, "seconds": seconds}))


def fig_memory_anchor(emit: Any, sizes: list[int]) -> None:
    """Peak RSS of a fresh process per N, every row held until the connection record."""
    with RemoteEmulator(module="benchmarks.fastserver") as backend:
        user = backend.user("Curator")
        results = []
        for n in sizes:
            proc = subprocess.run(
                [sys.executable, "-m", "benchmarks.memory_anchor", backend.url, user.api_key,
                 str(n)], input=user.api_secret + "\n", capture_output=True, text=True,
                timeout=1800, cwd=ROOT)
            if proc.returncode != 0:
                raise RuntimeError(f"memory-anchor child failed: {proc.stderr[-800:]}")
            result = json.loads(proc.stdout.strip().splitlines()[-1])
            if result["ok"] != n:
                raise RuntimeError(f"memory-anchor run lost records: {result}")
            results.append(result)
    parts = []
    for r in results:
        grown = (r["peak_kb"] - r["base_kb"]) / 1024
        parts.append(f"N={r['n']}: peak {r['peak_kb'] / 1024:.0f} MB (+{grown:.1f} MB over "
                     "warm start)")
    emit("memory Connection anchor held",
         "; ".join(parts) + f"; peak ratio {results[-1]['peak_kb'] / results[0]['peak_kb']:.2f}"
         " (rows arrive before the connection record)")


if __name__ == "__main__":
    child(sys.argv[1], sys.argv[2], int(sys.argv[3]))
