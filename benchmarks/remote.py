"""The emulator in its own process, controlled over its `/_emulator/` admin endpoints.

The benchmarks keep the server out of the measured process: on a 2-core machine an in-process
server would share the tool's GIL and its time would be billed to the tool.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from types import TracebackType
from typing import Any

import requests

SEED = Path(__file__).resolve().parent.parent / "ayx_server_emulator" / "data" / "seed.json"
_URL = re.compile(r"on (http://127\.0\.0\.1:\d+)")


@dataclass(frozen=True)
class Creds:
    """A seeded user's (fake, emulator-only) credentials."""

    api_key: str
    api_secret: str


class RemoteEmulator:
    """`ayx-server-emulator --port 0` in a child process; stopped on exit.

    `module="benchmarks.fastserver"` starts the fast benchmark backend instead, which answers
    the same admin endpoints for the calls a throughput run makes.
    """

    def __init__(self, *args: str, module: str = "ayx_server_emulator.cli") -> None:
        self.args = args
        self.module = module
        self.proc: subprocess.Popen[str] | None = None
        self.url = ""
        self.admin = requests.Session()

    def start(self) -> RemoteEmulator:
        """Start the child and wait for its URL line (bounded)."""
        cmd = [sys.executable, "-m", self.module, "--port", "0", *self.args]
        env = dict(os.environ, PYTHONUNBUFFERED="1")
        self.proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                                     text=True, env=env)
        assert self.proc.stdout is not None
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            line = self.proc.stdout.readline()
            match = _URL.search(line)
            if match:
                self.url = match.group(1)
                return self
            if not line and self.proc.poll() is not None:
                break
        self.stop()
        raise RuntimeError(f"{self.module} did not start")

    def stop(self) -> None:
        """Terminate the child (kill after 5 s)."""
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            try:
                self.proc.wait(5)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                self.proc.wait(5)
        self.admin.close()

    def __enter__(self) -> RemoteEmulator:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self.admin.request(method, f"{self.url}/_emulator/{path}", json=body,
                                      timeout=30)
        response.raise_for_status()
        return response.json()

    def counters(self) -> dict[str, Any]:
        """The counters as JSON (requests by "METHOD template", tokensIssued, jobsCreated...)."""
        return dict(self._call("GET", "counters"))

    def reset(self) -> None:
        """Back to the seed: state, tokens, faults, counters."""
        self._call("POST", "reset")

    def latency(self, seconds: float) -> None:
        """Replace every fault rule with one fixed per-request latency (0: none)."""
        rules = [{"kind": "latency", "latency": seconds}] if seconds > 0 else []
        self._call("POST", "faults", {"clear": True, "rules": rules})

    def configure(self, **knobs: Any) -> None:
        """Set EmulatorConfig knobs."""
        self._call("POST", "config", knobs)

    def bearer(self, user: Creds, session: requests.Session) -> str:
        """A bearer token for `user` from the server's OAuth 2 token endpoint."""
        r = session.post(f"{self.url}/webapi/oauth2/token", data={
            "grant_type": "client_credentials", "client_id": user.api_key,
            "client_secret": user.api_secret}, timeout=30)
        r.raise_for_status()
        return str(r.json()["access_token"])

    @staticmethod
    def user(role: str = "Curator") -> Creds:
        """A seeded user's credentials, read from the seed the child loaded."""
        seed = json.loads(SEED.read_text(encoding="utf-8"))
        for user in seed["users"]:
            if user.get("role") == role and user.get("isApiEnabled", True):
                return Creds(user["apiKey"], user["apiSecret"])
        raise KeyError(role)
