"""Efficiency against the physical limit N·L/C, on the fast backend (benchmarks.fastserver).

Every variant makes the same N `GET v3/workflows/{id}` calls with C in flight and a latency L
added by the server without CPU: the GET tool in process, the GET tool over the SDK's gRPC
protocol (designer_host, timed by the backend from the first request to the last answer, so
the plugin's process start is left out), the core library (`ServerClient` on C
threads), a bare `requests.Session` on C threads and the peer `alteryx-server-py` on C threads.
Each is reported as `efficiency = (N·L/C) / achieved time`; the in-process lines also give the
client's own CPU per request, which sets where the client, not L, becomes the limit.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import requests

from benchmarks.remote import Creds, RemoteEmulator

WF = "6101a0b0c0d0e0f0a0b0c001"
GET_PATH = "v3/workflows/{workflowId}"


def _table(n: int) -> pa.Table:
    return pa.table({"RecordNo": pa.array(range(n), pa.int64()), "workflowId": [WF] * n})


def _config(backend: RemoteEmulator, user: Creds, c: int) -> str:
    from designer_host import config_xml

    return config_xml(user.api_secret, serverUrl=backend.url, apiKey=user.api_key,
                      path=GET_PATH, concurrency=c)


def tool_inprocess(backend: RemoteEmulator, user: Creds, n: int, c: int) -> tuple[float, float]:
    """(seconds, client CPU seconds) of the GET tool on the SDK's test service."""
    from ayx_plugins.tools.api_request import ServerGet
    from designer_host.inprocess import run_inprocess

    xml, table = _config(backend, user, c), _table(n)
    cpu0, t0 = time.process_time(), time.perf_counter()
    run = run_inprocess(ServerGet, xml, table, batch_rows=1000, keep=False)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    if run.count("Success") != n:
        raise RuntimeError(f"GET tool C={c}: {run.count('Success')} of {n}: {run.messages[-3:]}")
    return seconds, cpu


def tool_grpc(backend: RemoteEmulator, user: Creds, n: int, c: int) -> tuple[float, float]:
    """(seconds from the first request to the last answer, wall seconds) over gRPC.

    The first span leaves out the plugin process's start, which the backend cannot see.
    """
    from designer_host import decrypt, run_tool

    xml = _config(backend, user, c)
    t0 = time.perf_counter()
    run = run_tool("ServerGet", xml, {"Input": _table(n)}, secrets=decrypt,
                   python=sys.executable, timeout=1200, batch_rows=1000)
    wall = time.perf_counter() - t0
    if not run.completed or run.outputs["Success"].num_rows != n:
        raise RuntimeError(f"gRPC GET C={c} incomplete: {run.log[-500:]}")
    return float(backend.counters()["activeSeconds"]), wall


def _threads(n: int, c: int, one: Any) -> list[Any]:
    if c == 1:
        return [one(i) for i in range(n)]
    with ThreadPoolExecutor(c) as pool:
        return list(pool.map(one, range(n)))


def library(backend: RemoteEmulator, user: Creds, n: int, c: int) -> tuple[float, float]:
    """(seconds, CPU seconds) of the core `ServerClient` shared by C threads."""
    from ayx_plugins.server_api import ServerClient

    cpu0, t0 = time.process_time(), time.perf_counter()
    with ServerClient(backend.url + "/webapi/", user.api_key, user.api_secret,
                      pool_size=max(c, 4)) as client:
        _threads(n, c, lambda _i: client.request_json("GET", f"v3/workflows/{WF}"))
    return time.perf_counter() - t0, time.process_time() - cpu0


def bare(backend: RemoteEmulator, user: Creds, n: int, c: int) -> tuple[float, float]:
    """(seconds, CPU seconds) of a bare `requests.Session` on C threads: the floor."""
    session = requests.Session()
    session.mount("http://", requests.adapters.HTTPAdapter(pool_connections=c,
                                                           pool_maxsize=max(c, 4)))
    cpu0, t0 = time.process_time(), time.perf_counter()
    headers = {"Authorization": f"Bearer {backend.bearer(user, session)}"}
    url = f"{backend.url}/webapi/v3/workflows/{WF}"
    codes = _threads(n, c, lambda _i: session.get(url, headers=headers, timeout=60).status_code)
    seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    session.close()
    if any(code != 200 for code in codes):
        raise RuntimeError(f"bare requests: statuses {set(codes)}")
    return seconds, cpu


def peer(backend: RemoteEmulator, user: Creds, python: Path | None, n: int,
         c: int) -> tuple[float, float] | None:
    """(seconds, CPU seconds) of `alteryx-server-py` on C threads, timed in its own venv."""
    if python is None:
        return None
    proc = subprocess.run(
        [str(python), str(Path(__file__).with_name("peer_client.py")), backend.url + "/webapi/",
         user.api_key, "-", WF, str(n), str(c)],
        input=user.api_secret + "\n", capture_output=True, text=True, timeout=1200)
    if proc.returncode != 0:
        raise RuntimeError(f"peer failed: {proc.stderr[-500:]}")
    result: dict[str, Any] = json.loads(proc.stdout.strip().splitlines()[-1])
    if result["errors"]:
        raise RuntimeError(f"peer: {result['errors']} errors, first {result['first_error']}")
    return float(result["seconds"]), float(result["cpu"])


def fig_efficiency(emit: Any, python: Path | None, n: int, latencies: list[float],
                   sweep: list[int], n_c1: int) -> None:
    """One line per (L, C): every variant's efficiency side by side, and the client CPU.

    Efficiency is timed by the backend, from the first request to the last answer, so each
    variant's own start (the SDK's service, a plugin process, a venv's imports) is left out;
    the GET tool's wall-clock efficiency, start included, is given as well.
    """
    with RemoteEmulator(module="benchmarks.fastserver") as backend:
        user = backend.user("Curator")
        for latency in latencies:
            for c in sweep:
                count = n_c1 if c == 1 else n
                ideal = count * latency / c
                parts, cpu_us, server_ms, resident_ms, wall = [], {}, [], [], 0.0
                variants: dict[str, Any] = {
                    "tool": tool_inprocess, "tool-gRPC": tool_grpc, "library": library,
                    "bare": bare, "peer": lambda b, u, k, cc: peer(b, u, python, k, cc),
                }
                for name, fn in variants.items():
                    backend.reset()
                    backend.latency(latency)
                    got = fn(backend, user, count, c)
                    if got is None:
                        parts.append(f"{name} n/a")
                        continue
                    counters = backend.counters()
                    server_ms.append(counters["cpuSecondsPerRequest"] * 1e3)
                    resident_ms.append(counters["residentSecondsPerRequest"] * 1e3 - latency * 1e3)
                    parts.append(f"{name} {ideal / counters['activeSeconds']:.2f}")
                    if name == "tool":
                        wall = got[0]
                    if name != "tool-gRPC":
                        cpu_us[name] = got[1] / count * 1e6
                server, added = max(server_ms), max(resident_ms)
                ceiling = 1e6 / cpu_us["tool"] if cpu_us.get("tool") else float("inf")
                emit(f"efficiency L={latency * 1000:.0f}ms C={c}",
                     f"N={count}: " + ", ".join(parts)
                     + f" (tool wall clock with its start {ideal / wall:.2f})"
                     + f" | client CPU/req: tool {cpu_us.get('tool', 0):.0f} us, library "
                     f"{cpu_us.get('library', 0):.0f} us, bare {cpu_us.get('bare', 0):.0f} us"
                     f" (tool CPU ceiling ~{ceiling:.0f} rec/s vs ideal {c / latency:.0f}"
                     f" rec/s); server CPU {server:.2f} ms/req, server adds {added:.2f} ms/req"
                     f" to L = {added / (latency * 1e3):.1%}")
