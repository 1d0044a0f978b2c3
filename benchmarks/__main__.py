"""`python -m benchmarks [--quick] [--write] [--only NAME ...]`: the speed figures, side by side.

Every figure is measured in this one run through the real tools on the SDK path and printed as
one line of ratios. Throughput, polling at scale and orchestration run against the fast backend
(`benchmarks.fastserver`, which adds the latency without CPU), so they measure the client
against the limit N·L/C and not the strict emulator's own ceiling; the other figures use the
emulator in its own process. No figure is asserted: `--write` puts them in benchmarks/RESULTS.md.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import requests

from benchmarks.cold_start import fig_cold_start
from benchmarks.memory_anchor import fig_memory_anchor
from benchmarks.orchestration import fig_orchestration
from benchmarks.polling import fig_polling_scale, start_jobs
from benchmarks.remote import Creds, RemoteEmulator
from benchmarks.sweep import fig_efficiency
from designer_host import config_xml
from designer_host.inprocess import InProcessRun, run_inprocess

ROOT = Path(__file__).resolve().parent.parent
RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BENCH_VENV = ROOT / ".venv-bench"
PEER = "alteryx-server-py==0.2.0"  # the `bench` extra's pin (installed into .venv-bench)
WF_OK = "6101a0b0c0d0e0f0a0b0c001"  # "Emulator Success"
GET_PATH = "v3/workflows/{workflowId}"

LINES: list[str] = []


def emit(name: str, text: str) -> None:
    """Print one figure line (and keep it for RESULTS.md)."""
    line = f"{name:<34} {text}"
    LINES.append(line)
    print(line, flush=True)


def _xml(emu: RemoteEmulator, user: Creds, **values: Any) -> str:
    return config_xml(user.api_secret, serverUrl=emu.url, apiKey=user.api_key, **values)


def _wf_table(n: int, wf: str = WF_OK) -> pa.Table:
    return pa.table({"RecordNo": pa.array(range(n), pa.int64()), "workflowId": [wf] * n})


def _fresh(emu: RemoteEmulator, latency: float) -> None:
    emu.reset()
    emu.latency(latency)


def _tool_classes() -> dict[str, type]:
    from ayx_plugins.tools.api_request import ServerGet
    from ayx_plugins.tools.job_status import ServerJobStatus
    from ayx_plugins.tools.runner import ServerRunner

    return {"GET": ServerGet, "Runner": ServerRunner, "JobStatus": ServerJobStatus}


def _check(run: InProcessRun, n: int, what: str) -> None:
    ok, bad = run.count("Success"), run.count("Failure")
    if ok != n or bad or run.errors:
        raise RuntimeError(f"{what}: {ok} Success, {bad} Failure of {n}; errors {run.errors[:2]}")


def run_tool_timed(emu: RemoteEmulator, user: Creds, tool: str, n: int, concurrency: int,
                   latency: float) -> tuple[float, dict[str, Any]]:
    """One in-process run of the GET tool or the Runner; (seconds, emulator counters)."""
    cls = _tool_classes()[tool]
    _fresh(emu, latency)
    if tool == "GET":
        xml = _xml(emu, user, path=GET_PATH, concurrency=concurrency)
    else:
        xml = _xml(emu, user, workflowIdField="workflowId", concurrency=concurrency)
    table = _wf_table(n)
    t0 = time.perf_counter()
    run = run_inprocess(cls, xml, table, batch_rows=1000, keep=False)
    seconds = time.perf_counter() - t0
    _check(run, n, f"{tool} C={concurrency}")
    return seconds, emu.counters()


# ------------------------------------------------------------------------------ the bare floor
def bare_loop(emu: RemoteEmulator, user: Creds, tool: str, n: int, concurrency: int,
              latency: float) -> float:
    """The same N requests from a bare `requests.Session` (threads when concurrency > 1)."""
    _fresh(emu, latency)
    session = requests.Session()
    adapter = requests.adapters.HTTPAdapter(pool_connections=concurrency,
                                            pool_maxsize=max(concurrency, 4))
    session.mount("http://", adapter)
    t0 = time.perf_counter()
    headers = {"Authorization": "Bearer " + emu.bearer(user, session)}
    if tool == "GET":
        url = f"{emu.url}/webapi/v3/workflows/{WF_OK}"

        def one(_i: int) -> int:
            return session.get(url, headers=headers, timeout=60).status_code
    else:
        url = f"{emu.url}/webapi/v3/workflows/{WF_OK}/jobs"

        def one(_i: int) -> int:
            return session.post(url, json={"questions": []}, headers=headers,
                                timeout=60).status_code
    if concurrency == 1:
        codes = [one(i) for i in range(n)]
    else:
        with ThreadPoolExecutor(concurrency) as pool:
            codes = list(pool.map(one, range(n)))
    seconds = time.perf_counter() - t0
    session.close()
    if any(c >= 400 for c in codes):
        raise RuntimeError(f"bare {tool}: error statuses {set(codes)}")
    return seconds


# ------------------------------------------------------------------------------ the figures
def fig_overhead(emu: RemoteEmulator, user: Creds, n: int) -> None:
    """Per-record time at zero latency, our GET tool at C=1 vs a bare requests loop."""
    ours, _ = run_tool_timed(emu, user, "GET", n, 1, 0.0)
    bare = bare_loop(emu, user, "GET", n, 1, 0.0)
    emit("overhead GET vs bare requests", f"N={n} L=0 C=1: tool {ours / n * 1e6:.0f} us/rec, "
         f"bare {bare / n * 1e6:.0f} us/rec, ratio {ours / bare:.2f}, "
         f"overhead {(ours - bare) / n * 1e6:.0f} us/rec")


def ensure_bench_venv() -> Path | None:
    """The peer's venv (created on first use from this Python); None if it cannot be made."""
    python = BENCH_VENV / "bin" / "python"
    try:
        probe = [str(python), "-c", "import alteryx_server_py"]
        if python.exists() and subprocess.run(probe, capture_output=True).returncode == 0:
            return python
        subprocess.run([sys.executable, "-m", "venv", str(BENCH_VENV)], check=True)
        subprocess.run([str(python), "-m", "pip", "install", "-q", PEER], check=True)
        return python
    except (OSError, subprocess.CalledProcessError) as exc:
        print(f"(peer venv unavailable: {exc})", file=sys.stderr)
        return None


def fig_tokens(emu: RemoteEmulator, user: Creds, n: int) -> None:
    """Tokens the emulator issued for one run of each tool (must be 1)."""
    parts = []
    for tool in ("GET", "Runner"):
        _, counters = run_tool_timed(emu, user, tool, n, 8, 0.0)
        parts.append(f"{tool} {counters['tokensIssued']}")
    emit("tokens per run", f"N={n}: " + ", ".join(parts))


def fig_polling(emu: RemoteEmulator, user: Creds, jobs: int, run_seconds: float,
                polls: list[float]) -> None:
    """Job Status waiting on M jobs of known duration: requests per job, detection delay."""
    cls = _tool_classes()["JobStatus"]
    for poll in polls:
        _fresh(emu, 0.0)
        ids = start_jobs(emu, user, jobs, run_seconds)
        last_done = time.perf_counter() + 2 * run_seconds  # Queued, then Running
        before = emu.counters()["requests"].get("GET /webapi/v3/jobs/<jobId>", 0)
        xml = _xml(emu, user, jobIdField="JobId", wait=True, pollSeconds=poll,
                   concurrency=jobs)
        run = run_inprocess(cls, xml, pa.table({"JobId": ids}), keep=False)
        end = time.perf_counter()
        _check(run, jobs, "Job Status")
        polls_made = emu.counters()["requests"].get("GET /webapi/v3/jobs/<jobId>", 0) - before
        delay = end - last_done
        emit(f"polling poll={poll:g}s", f"M={jobs} jobs of {2 * run_seconds:g} s: "
             f"{polls_made / jobs:.1f} requests/job (ideal {2 * run_seconds / poll + 1:.1f}), "
             f"detection delay {delay:.2f} s = {delay / poll:.2f} x poll interval")


def memory_child(url: str, key: str, n: int) -> None:
    """(In a fresh process) stream N records through the GET tool; print peak RSS as JSON."""
    from ayx_plugins.tools.api_request import ServerGet

    secret = sys.stdin.readline().strip()
    xml = config_xml(secret, serverUrl=url, apiKey=key, path=GET_PATH, concurrency=8)
    schema = pa.schema([("RecordNo", pa.int64()), ("workflowId", pa.string())])
    batch = 1000

    def stream() -> Any:
        for start in range(0, n, batch):
            size = min(batch, n - start)
            yield pa.record_batch([pa.array(range(start, start + size), pa.int64()),
                                   pa.array([WF_OK] * size)], schema=schema)

    # Warm-up: imports, the catalogue, the SDK's service: what a 1-record run needs anyway.
    run_inprocess(ServerGet, xml, stream_of(schema, WF_OK, 1), schema=schema, keep=False)
    base = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    t0 = time.perf_counter()
    run = run_inprocess(ServerGet, xml, stream(), schema=schema, keep=False)
    seconds = time.perf_counter() - t0
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    print(json.dumps({"n": n, "ok": run.count("Success"), "failed": run.count("Failure"),
                      "base_kb": base, "peak_kb": peak, "seconds": seconds}))


def stream_of(schema: pa.Schema, wf: str, n: int) -> list[pa.RecordBatch]:
    """N records as one batch."""
    return [pa.record_batch([pa.array(range(n), pa.int64()), pa.array([wf] * n)],
                            schema=schema)]


def fig_memory(emu: RemoteEmulator, user: Creds, sizes: list[int]) -> None:
    """Peak RSS of a fresh process streaming each N through the GET tool."""
    _fresh(emu, 0.0)
    results = []
    for n in sizes:
        proc = subprocess.run(
            [sys.executable, "-m", "benchmarks", "--memory-child", emu.url, user.api_key,
             str(n)], input=user.api_secret + "\n", capture_output=True, text=True,
            timeout=1200, cwd=ROOT)
        if proc.returncode != 0:
            raise RuntimeError(f"memory child failed: {proc.stderr[-800:]}")
        results.append(json.loads(proc.stdout.strip().splitlines()[-1]))
    parts = []
    for r in results:
        if r["ok"] != r["n"]:
            raise RuntimeError(f"memory run lost records: {r}")
        parts.append(f"N={r['n']}: peak {r['peak_kb'] / 1024:.0f} MB "
                     f"(+{(r['peak_kb'] - r['base_kb']) / 1024:.1f} MB over warm start, "
                     f"{r['n'] / r['seconds']:.0f} rec/s)")
    growth = results[-1]["peak_kb"] / results[0]["peak_kb"]
    emit("memory GET tool streaming", "; ".join(parts) + f"; peak ratio {growth:.2f}")


# ------------------------------------------------------------------------------ the command
READING = {
    "efficiency": "the same N GETs with C in flight and L added by the fast backend (no CPU "
    "while it waits); each variant's `(N·L/C) / achieved time` (1.00 is the physical limit). "
    "`tool` is the GET tool in process, `tool-gRPC` the same over the SDK's gRPC protocol with "
    "the plugin's process start set aside, `library` the core `ServerClient` on C threads, "
    "`bare` a bare `requests.Session` on C threads, `peer` `alteryx-server-py` 0.2.0 on C "
    "threads. Client CPU per request splits the cost: `library - bare` is the core client's, "
    "`tool - library` the SDK's batch handling plus our engine. With one GIL the client tops "
    "out near 1/(CPU per request): past that C no longer helps. `server CPU` is the backend's "
    "own CPU per request; `server adds` is how much longer than L a request stays in the "
    "backend (its timer and parsing), as a share of L (kept under 5 %).",
    "overhead": "zero latency, C=1, on the fast backend: the GET tool against a bare `requests` "
    "loop over the same GETs; the difference is what the tool adds per record.",
    "tokens": "tokens the strict emulator issued for one run of the GET tool and of the "
    "Runner (1 is right: one token serves a run).",
    "polling poll": "Server Job Status waiting on M jobs of known duration on the strict "
    "emulator: GETs per job against `duration/poll + 1`, and how soon after the last job ended "
    "the run ended.",
    "polling M=": "Server Job Status waiting on M jobs at once (C in flight) on the fast "
    "backend: GETs per job against the ideal, and how many requests one `GET v3/jobs` list "
    "call per interval (Curators only) would need for the same wait.",
    "orchestration": "the Runner's plan mode on K worker slots (the fast backend queues jobs "
    "past K): makespan against `max(critical path, total work / K)`, which this plan's shape "
    "lets a perfect scheduler reach (1.00 is perfect), and the peak of jobs running at once, "
    "which must not pass the tool's max in flight.",
    "memory GET": "a fresh process streams N records through the GET tool (strict emulator); "
    "peak RSS for a small and a large N. A ratio near 1 means nothing accumulates.",
    "memory Connection": "the same with every row arriving before the Connection record, so "
    "all of them are held (spilled to the temp folder past the hold-back limit).",
    "cold start": "a packaged tool's update-only start from an unwritable Tools folder with a "
    "bare CPython, against the SDK's own example plugin started the same way; and without the "
    "shipped `.pyc`.",
}


def write_results(args: argparse.Namespace, started: str, elapsed: float) -> None:
    """Replace benchmarks/RESULTS.md's measured block with this run's lines."""
    head = (
        f"## Run of {started} ({'quick' if args.quick else 'full'})\n\n"
        f"Machine: {os.cpu_count()} cores (`nproc`), {platform.platform()}, Python "
        f"{platform.python_version()}; command `python -m benchmarks"
        f"{' --quick' if args.quick else ''}`, {elapsed:.0f} s.\n\n```\n"
    )
    block = head + "\n".join(LINES) + "\n```\n\n### How to read each line\n\n"
    block += "".join(f"- **{name}**: {how}\n" for name, how in READING.items()
                     if any(line.startswith(name) for line in LINES))
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else ""
    start, end = "<!-- measured:start -->", "<!-- measured:end -->"
    if start in text and end in text:
        text = text[: text.index(start) + len(start)] + "\n" + block + text[text.index(end):]
    else:
        text += f"\n{start}\n{block}{end}\n"
    RESULTS.write_text(text, encoding="utf-8")


def on_fast(step: Callable[[RemoteEmulator, Creds], None]) -> None:
    """Run one figure against a fresh fast backend in its own process."""
    with RemoteEmulator(module="benchmarks.fastserver") as backend:
        step(backend, backend.user("Curator"))


FIGURES = ("efficiency", "overhead", "tokens", "polling", "polling-scale", "orchestration",
           "memory", "memory-anchor", "cold-start")


def main(argv: list[str] | None = None) -> int:
    """Run the figures and print one line each."""
    p = argparse.ArgumentParser(prog="python -m benchmarks", description=__doc__)
    p.add_argument("--quick", action="store_true", help="small N: a smoke run of every figure")
    p.add_argument("--only", nargs="+", choices=FIGURES, help="run only these figures")
    p.add_argument("--write", action="store_true", help="write the lines into RESULTS.md")
    p.add_argument("--memory-child", nargs=3, metavar=("URL", "KEY", "N"),
                   help=argparse.SUPPRESS)
    args = p.parse_args(argv)
    if args.memory_child:
        url, key, n = args.memory_child
        memory_child(url, key, int(n))
        return 0
    q = args.quick
    chosen = set(args.only or FIGURES)
    started = dt.datetime.now(dt.timezone.utc).strftime("%Y-%m-%d %H:%M UTC")
    print(f"# {os.cpu_count()} cores; servers in their own process (the fast backend for "
          "efficiency, polling at scale and orchestration, the strict emulator otherwise); "
          "tools in process on the SDK's SdkToolTestService unless a line says gRPC", flush=True)
    t0 = time.perf_counter()
    fast: list[tuple[str, Callable[[], None]]] = [
        ("efficiency", lambda: fig_efficiency(
            emit, None if q else ensure_bench_venv(), 100 if q else 2000,
            [0.02] if q else [0.02, 0.1], [1, 8] if q else [1, 4, 8, 16, 32],
            50 if q else 500)),
        ("overhead", lambda: on_fast(lambda e, u: fig_overhead(e, u, 200 if q else 2000))),
        ("polling-scale", lambda: fig_polling_scale(emit, 50 if q else 500, 2.0 if q else 5.0,
                                                    0.5 if q else 1.0, 32)),
        ("memory-anchor", lambda: fig_memory_anchor(emit, [1000, 5000] if q else
                                                    [5000, 50000])),
        ("cold-start", lambda: fig_cold_start(emit, 3 if q else 7)),
        ("orchestration", lambda: fig_orchestration(emit, 4, 3, 0.5 if q else 5.0, 2,
                                                    0.1 if q else 0.25)),
    ]
    strict: list[tuple[str, Callable[[RemoteEmulator, Creds], None]]] = [
        ("tokens", lambda e, u: fig_tokens(e, u, 100 if q else 2000)),
        ("polling", lambda e, u: fig_polling(e, u, 4 if q else 8, 0.5 if q else 1.0,
                                             [0.25] if q else [0.25, 1.0])),
        ("memory", lambda e, u: fig_memory(e, u, [1000, 5000] if q else [5000, 50000])),
    ]
    for name, step in fast:
        if name in chosen:
            step()
    with RemoteEmulator() as emu:
        user = emu.user("Curator")
        for name, strict_step in strict:
            if name in chosen:
                strict_step(emu, user)
    elapsed = time.perf_counter() - t0
    print(f"# {elapsed:.0f} s", flush=True)
    if args.write:
        write_results(args, started, elapsed)
    return 0


if __name__ == "__main__":
    sys.exit(main())
