"""A minimal, fast Server stand-in for the throughput benchmarks: never a correctness backend.

The strict emulator costs ~2 ms of CPU per request (Flask, validation, permissions), so on two
cores it, not the client, is the ceiling of a throughput run. This server answers only the calls
a throughput, polling or orchestration run makes, on asyncio with keep-alive, and adds the
latency L with `asyncio.sleep` (no CPU burnt while waiting):

- `POST /webapi/oauth2/token` (client credentials, Basic or in the body; the seed's users)
- `GET /webapi/v3/workflows/{id}` (one canned WorkflowView)
- `POST /webapi/v3/workflows/{id}/jobs`, `GET /webapi/v3/jobs/{id}`, `DELETE /webapi/v3/jobs/{id}`
- `GET /webapi/v3/jobs` (the `{"data": [...]}` envelope, `offset`/`limit`)

Jobs take `EmulatorRunSeconds` (question) or `job_seconds` (knob) of Running time; with
`worker_slots` = K at most K run at once and the rest wait Queued, first in first out, like a
Server's simultaneous-workflow slots. The admin endpoints mirror the emulator's (`/_emulator/
health|reset|faults|config|counters`), so `benchmarks.remote.RemoteEmulator` drives both. Its
own CPU time per request is in the counters (`cpuSecondsPerRequest`), so a run can show that
the backend stays far below L, and so is the span from the first API request to the last answer
(`activeSeconds`), which times a run without its client's process start.

`python -m benchmarks.fastserver [--port 0]` prints `listening on http://127.0.0.1:PORT`.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import binascii
import collections
import datetime as dt
import json
import re
import secrets
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

SEED = Path(__file__).resolve().parent.parent / "ayx_server_emulator" / "data" / "seed.json"
_JOB = re.compile(r"^/webapi/v3/jobs/([0-9a-f]{24})/?$")
_WF = re.compile(r"^/webapi/v3/workflows/([0-9a-f]{24})/?$")
_WF_JOBS = re.compile(r"^/webapi/v3/workflows/([0-9a-f]{24})/jobs/?$")
_REASONS = {200: "OK", 400: "Bad Request", 401: "Unauthorized", 404: "Not Found",
            405: "Method Not Allowed"}


def _date(epoch: float) -> str:
    """A .NET-style UTC date with seven fractional digits, as the Server writes them."""
    moment = dt.datetime.fromtimestamp(epoch, dt.timezone.utc)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.") + f"{moment.microsecond:06d}0Z"


@dataclass
class FastJob:
    """One job on the simulated timeline (monotonic seconds)."""

    id: str
    workflow_id: str
    created: float
    duration: float
    disposition: str
    priority: str
    epoch: float
    start: float | None = None
    end: float | None = None
    cancelled: bool = False

    def status(self, now: float) -> str:
        """Queued, Running, Completed or Cancelled at monotonic time `now`."""
        if self.cancelled:
            return "Cancelled"
        if self.start is None or self.start > now:
            return "Queued"
        return "Running" if self.end is not None and now < self.end else "Completed"

    def view(self, now: float) -> dict[str, Any]:
        """The JobView the tools read."""
        status = self.status(now)
        disposition = {"Completed": self.disposition, "Cancelled": "Cancelled"}.get(status,
                                                                                  "None")
        return {"id": self.id, "appId": self.workflow_id, "createDateTime": _date(self.epoch),
                "status": status, "disposition": disposition, "outputs": [], "messages": [],
                "priority": self.priority, "workerTag": "", "runWithE2": False}


@dataclass
class FastState:
    """Everything the fast server knows; touched only from the event loop's thread."""

    credentials: dict[str, str]
    latency: float = 0.0
    job_seconds: float = 0.0
    worker_slots: int | None = None
    token_lifetime: float = 3599.0
    tokens: dict[str, float] = field(default_factory=dict)
    jobs: dict[str, FastJob] = field(default_factory=dict)
    queue: collections.deque[FastJob] = field(default_factory=collections.deque)
    running: list[FastJob] = field(default_factory=list)
    clock: float = 0.0  # the simulated time up to which the slots are scheduled
    requests: collections.Counter[str] = field(default_factory=collections.Counter)
    tokens_issued: int = 0
    jobs_created: int = 0
    max_running: int = 0
    cpu_start: float = field(default_factory=time.process_time)
    first_seen: float | None = None  # when the first API request of the run arrived
    in_flight: int = 0  # API requests being answered now (their latency running)
    resident: float = 0.0  # seconds API requests spent here, from parsed to answer written
    max_in_flight: int = 0
    last_answered: float = 0.0  # when the last API answer was sent

    def reset(self) -> None:
        """Back to empty: tokens, jobs, counters (the knobs stay)."""
        self.tokens.clear()
        self.jobs.clear()
        self.queue.clear()
        self.running.clear()
        self.requests.clear()
        self.tokens_issued = self.jobs_created = self.max_running = 0
        self.first_seen, self.last_answered = None, 0.0
        self.in_flight = self.max_in_flight = 0
        self.resident = 0.0
        self.clock = time.monotonic()
        self.cpu_start = time.process_time()

    def advance(self, now: float) -> None:
        """Run the slot schedule forward to `now`: finish jobs, start queued ones in order."""
        while True:
            while self.queue and (self.worker_slots is None
                                  or len(self.running) < self.worker_slots):
                job = self.queue.popleft()
                job.start = max(job.created, self.clock)
                job.end = job.start + job.duration
                self.running.append(job)
                self.max_running = max(self.max_running, len(self.running))
            if not self.running:
                break
            first = min(self.running, key=lambda j: j.end or 0.0)
            if first.end is None or first.end > now:
                break
            self.running.remove(first)
            self.clock = first.end
        # Every queued job waits for a slot that frees after `now`: the schedule is settled.
        self.clock = max(self.clock, now)

    def counters(self) -> dict[str, Any]:
        """The emulator-compatible counters plus this server's own CPU cost."""
        total = sum(self.requests.values())
        cpu = time.process_time() - self.cpu_start
        return {"requests": dict(self.requests), "totalRequests": total,
                "tokensIssued": self.tokens_issued, "jobsCreated": self.jobs_created,
                "maxRunningJobs": self.max_running, "cpuSeconds": cpu,
                "maxInFlight": self.max_in_flight,
                "residentSecondsPerRequest": self.resident / total if total else 0.0,
                "activeSeconds": (self.last_answered - self.first_seen
                                  if self.first_seen is not None else 0.0),
                "cpuSecondsPerRequest": cpu / total if total else 0.0}


class FastServer:
    """The HTTP/1.1 front: parse, route, answer; keep-alive until the client closes."""

    def __init__(self, state: FastState) -> None:
        self.state = state
        workflow = {"id": "", "name": "Benchmark Workflow", "ownerId": "6001a0b0c0d0e0f0a0b0c001",
                    "dateCreated": _date(time.time()), "workerTag": "", "isPublic": False,
                    "executionMode": "Standard", "versions": []}
        self._workflow = workflow

    async def serve(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        """One connection: requests until EOF or `Connection: close`."""
        try:
            while True:
                try:
                    head = await reader.readuntil(b"\r\n\r\n")
                except (asyncio.IncompleteReadError, asyncio.LimitOverrunError):
                    return
                lines = head.decode("latin-1").split("\r\n")
                method, target, _version = lines[0].split(" ", 2)
                headers = {}
                for line in lines[1:]:
                    if ":" in line:
                        name, value = line.split(":", 1)
                        headers[name.strip().lower()] = value.strip()
                length = int(headers.get("content-length") or 0)
                body = await reader.readexactly(length) if length else b""
                api = not target.startswith("/_emulator/")
                st = self.state
                arrived = time.monotonic()
                if api:
                    st.first_seen = st.first_seen if st.first_seen is not None else arrived
                    st.in_flight += 1
                    st.max_in_flight = max(st.max_in_flight, st.in_flight)
                status, payload = self.route(method, target, headers, body)
                if api and st.latency > 0:
                    await asyncio.sleep(st.latency)
                if api:
                    st.in_flight -= 1
                data = json.dumps(payload, separators=(",", ":")).encode()
                close = headers.get("connection", "").lower() == "close"
                writer.write(
                    f"HTTP/1.1 {status} {_REASONS.get(status, 'OK')}\r\n"
                    f"Content-Type: application/json; charset=utf-8\r\n"
                    f"Content-Length: {len(data)}\r\n"
                    f"Connection: {'close' if close else 'keep-alive'}\r\n\r\n".encode() + data)
                await writer.drain()
                if api:
                    st.last_answered = time.monotonic()
                    st.resident += st.last_answered - arrived
                if close:
                    return
        except (ConnectionError, ValueError):
            return
        finally:
            writer.close()

    def route(self, method: str, target: str, headers: dict[str, str],
              body: bytes) -> tuple[int, Any]:
        """Dispatch one request; (status, JSON payload)."""
        parts = urlsplit(target)
        path, query = parts.path, parse_qs(parts.query)
        if path.startswith("/_emulator/"):
            return self.admin(method, path[len("/_emulator/"):].strip("/"), body)
        st = self.state
        now = time.monotonic()
        if method == "POST" and path.rstrip("/") == "/webapi/oauth2/token":
            st.requests["POST /webapi/oauth2/token"] += 1
            return self.token(headers, body, now)
        token = headers.get("authorization", "")[len("Bearer "):]
        if st.tokens.get(token, 0.0) <= now:
            st.requests[f"{method} {path}"] += 1
            return 401, {"message": "Authorization has been denied for this request."}
        st.advance(now)
        if method == "GET" and (m := _WF.match(path)):
            st.requests["GET /webapi/v3/workflows/<workflowId>"] += 1
            return 200, dict(self._workflow, id=m.group(1))
        if method == "POST" and (m := _WF_JOBS.match(path)):
            st.requests["POST /webapi/v3/workflows/<workflowId>/jobs"] += 1
            return 200, self.create_job(m.group(1), body, now)
        if (m := _JOB.match(path)) and method in ("GET", "DELETE"):
            st.requests[f"{method} /webapi/v3/jobs/<jobId>"] += 1
            job = st.jobs.get(m.group(1))
            if job is None:
                return 404, {"message": f"Job {m.group(1)} was not found."}
            if method == "DELETE":
                if job.status(now) in ("Completed", "Cancelled"):
                    return 400, {"message": "The job has already completed."}
                self.cancel(job, now)
            return 200, job.view(now)
        if method == "GET" and path.rstrip("/") == "/webapi/v3/jobs":
            st.requests["GET /webapi/v3/jobs"] += 1
            offset = int(query.get("offset", ["0"])[0])
            limit = int(query.get("limit", ["100"])[0])
            items = list(st.jobs.values())[offset:offset + limit]
            return 200, {"data": [{"jobId": j.id, "status": j.status(now),
                                   "workflowName": "Benchmark Workflow"} for j in items]}
        st.requests[f"{method} {path}"] += 1
        return 404, {"message": "No HTTP resource was found that matches the request URI."}

    def token(self, headers: dict[str, str], body: bytes, now: float) -> tuple[int, Any]:
        """Client credentials from Basic or from the form body."""
        form = {k: v[0] for k, v in parse_qs(body.decode()).items()}
        key, secret = form.get("client_id", ""), form.get("client_secret", "")
        auth = headers.get("authorization", "")
        if auth.lower().startswith("basic "):
            try:
                key, _, secret = base64.b64decode(auth[6:]).decode().partition(":")
            except (binascii.Error, UnicodeDecodeError):
                key = secret = ""
        if form.get("grant_type") != "client_credentials" or self.state.credentials.get(
                key) != secret:
            return 400, {"error": "invalid_client"}
        value = secrets.token_urlsafe(32)
        self.state.tokens[value] = now + self.state.token_lifetime
        self.state.tokens_issued += 1
        return 200, {"access_token": value, "token_type": "bearer",
                     "expires_in": int(self.state.token_lifetime)}

    def create_job(self, workflow_id: str, body: bytes, now: float) -> dict[str, Any]:
        """Queue a job; its Running time from `EmulatorRunSeconds` or the `job_seconds` knob."""
        st = self.state
        contract = json.loads(body or b"{}")
        answers = {q.get("name"): q.get("value") for q in contract.get("questions") or []}
        job = FastJob(
            id=secrets.token_hex(12), workflow_id=workflow_id, created=now,
            duration=float(answers.get("EmulatorRunSeconds") or st.job_seconds),
            disposition=str(answers.get("EmulatorDisposition") or "Success"),
            priority=str(contract.get("priority") or "Default"), epoch=time.time())
        st.jobs[job.id] = job
        st.queue.append(job)
        st.jobs_created += 1
        view = job.view(now)
        st.advance(now)
        return view

    def cancel(self, job: FastJob, now: float) -> None:
        """Cancel a Queued or Running job; its slot frees at once."""
        job.cancelled = True
        st = self.state
        if job in st.queue:
            st.queue.remove(job)
        if job in st.running:
            st.running.remove(job)
            st.clock = max(st.clock, now)
        st.advance(now)

    def admin(self, method: str, name: str, body: bytes) -> tuple[int, Any]:
        """The subset of the emulator's `/_emulator/` endpoints the benchmarks use."""
        st = self.state
        data = json.loads(body or b"{}")
        if name == "health":
            return 200, {"status": "ok"}
        if name == "reset" and method == "POST":
            st.reset()
            return 200, {"reset": True}
        if name == "counters":
            return 200, st.counters()
        if name == "faults" and method == "POST":
            rules = data.get("rules", [])
            st.latency = sum(float(r.get("latency", 0)) for r in rules
                             if r.get("kind") == "latency")
            return 200, {"rules": rules}
        if name == "config" and method == "POST":
            for knob in ("job_seconds", "worker_slots", "token_lifetime"):
                if knob in data:
                    setattr(st, knob, data[knob])
            return 200, {"job_seconds": st.job_seconds, "worker_slots": st.worker_slots,
                         "token_lifetime": st.token_lifetime}
        return 404, {"message": f"no admin endpoint {name}"}


def seed_credentials(seed: Path = SEED) -> dict[str, str]:
    """api key -> secret for every API-enabled user of the emulator's seed."""
    users = json.loads(seed.read_text(encoding="utf-8"))["users"]
    return {u["apiKey"]: u["apiSecret"] for u in users
            if u.get("apiKey") and u.get("isApiEnabled", True)}


async def _main(port: int) -> None:
    server = FastServer(FastState(seed_credentials()))
    server.state.reset()
    listener = await asyncio.start_server(server.serve, "127.0.0.1", port, backlog=512)
    bound = listener.sockets[0].getsockname()[1]
    print(f"fast benchmark server listening on http://127.0.0.1:{bound}", flush=True)
    async with listener:
        await listener.serve_forever()


def main(argv: list[str] | None = None) -> None:
    """Serve on 127.0.0.1 until terminated."""
    parser = argparse.ArgumentParser(prog="python -m benchmarks.fastserver")
    parser.add_argument("--port", type=int, default=0)
    args = parser.parse_args(argv)
    asyncio.run(_main(args.port))


if __name__ == "__main__":
    main()
