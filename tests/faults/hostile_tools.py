"""One hostile Server on 127.0.0.1 for every request tool: each record picks an error path.

`hostile_server()` (built on tests/core/hostile.py's HostileServer) answers a request by the
marker in its target or body (a record's id or name): an error page that echoes the request
(headers, with the Authorization header, and body) as 500 HTML or 400 JSON, a 200 sign-in page,
a 302 to a sign-in page, a 301 from http:// to https://, a 2xx JSON answer cut short, a
redirect to another origin, a gzip bomb, a 429 with `Retry-After: nan`, or a normal answer.
`token=` picks the token endpoint's answer ("ok", "echo401", "redirect", "login"). A second
server (`.other`) is the redirect target; it records what reached it. All stop with `with`.
"""

from __future__ import annotations

import base64
import gzip
import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import quote

from tests.core.hostile import HostileServer, Reply, Req, json_reply

KEY, SECRET = "hostile-key-4c1d9e", "hostile-secret-8b3f6a2d0c"
TOKEN = "hostile-tok-91e7c3a5f2b8d406"
TOKEN_OK = json_reply(json.dumps({"access_token": TOKEN, "token_type": "bearer",
                                  "expires_in": 1e20}))  # clamped, not an OverflowError

PREFIX = "6101a0b0c0d0e0f0a0b0c"  # + a 3-character marker: a 24-character id
MARKERS = {
    "e50": "echoing 500 page",
    "e40": "echoing 400 JSON",
    "b00": "login page 200",
    "b02": "redirect to a login page",
    "b01": "http to https redirect",
    "d0d": "truncated JSON",
    "c07": "redirect to another origin",
    "f1f": "gzip bomb",
    "a29": "Retry-After: nan",
    "0c0": "normal answer",
}
# What a Failure row must say for each marker (None: the record may succeed).
EXPECT = {
    "e50": "HTTP 500", "e40": "HTTP 400", "b00": "HTML page titled 'Sign in'",
    "b02": "sign-in page", "b01": "use https://127.0.0.1:", "d0d": "cut off or malformed",
    "c07": "redirects to",
    "f1f": "larger than", "a29": None, "0c0": None,
}
# 40 MB of spaces in ~40 kB: past the 32 MB cap on an answer read into memory.
BOMB = gzip.compress(b" " * (40 * 1024 * 1024), compresslevel=9)


def ids(*markers: str) -> list[str]:
    """The 24-character ids carrying these markers."""
    return [PREFIX + m for m in markers]


def secret_forms() -> list[str]:
    """Every form the test's secrets could leak in: plain, URL-encoded, Basic (base64)."""
    plain = [SECRET, TOKEN]
    return plain + [quote(s, safe="") for s in plain] + [
        base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()]


def _echo(req: Req) -> str:
    heads = "\n".join(f"{k}: {v}" for k, v in req.headers.items())
    return f"{req.method} {req.target}\n{heads}\n\n{req.body.decode('latin-1')}"


def _job(job_id: str) -> str:
    return json.dumps({"id": job_id, "status": "Completed", "disposition": "Success",
                       "createDateTime": "2026-01-01T00:00:00Z", "messages": [],
                       "outputs": []})


def _normal(req: Req, marker: str) -> Reply:
    path = req.path
    if path.endswith("/questions"):
        return json_reply("[]")
    if "/jobs" in path:
        return json_reply(_job(PREFIX + marker))
    if req.method == "DELETE":
        return Reply(200, b"")
    if path.endswith("/v3/workflows") and "name=" in req.target:  # a name lookup: id ".."
        return json_reply(json.dumps([{"id": "..", "name": "..", "sourceAppId": ".."}]))
    return json_reply(json.dumps({"id": PREFIX + marker, "name": "x"}))


@dataclass
class Hostile:
    """The server pair and what they saw."""

    server: HostileServer
    other: HostileServer
    token: str
    nan_sent: dict[str, int] = field(default_factory=dict)

    @property
    def url(self) -> str:
        return self.server.url

    def api_requests(self) -> int:
        """Requests other than the token endpoint's."""
        return sum(1 for r in self.server.seen if not r.path.endswith("/oauth2/token"))


def _handler(state: dict[str, Any]) -> Any:
    lock = threading.Lock()

    def serve(req: Req) -> Reply:
        hostile: Hostile = state["h"]
        echo = _echo(req)
        if req.path.endswith("/oauth2/token"):
            mode = hostile.token
            if mode == "echo401":
                return Reply(401, f"<html><pre>{echo}</pre></html>", {"Content-Type": "text/html"})
            if mode == "redirect":
                return Reply(307, b"", {"Location": hostile.other.url + req.target})
            if mode == "login":
                return Reply(200, f"<html><title>Sign in</title>{echo}</html>",
                             {"Content-Type": "text/html"})
            return TOKEN_OK
        text = req.target + "\n" + req.body.decode("latin-1")
        marker = next((m for m in MARKERS if PREFIX + m in text), "0c0")
        if marker == "e50":
            return Reply(500, f"<html><title>Error</title><pre>{echo}</pre></html>",
                         {"Content-Type": "text/html", "X-Request-Id": "srv-e50"})
        if marker == "e40":
            return json_reply(json.dumps({"message": echo}), 400)
        if marker == "b00":
            return Reply(200, f"<html><head><title>Sign in</title></head><body>{echo}</body>"
                         "</html>", {"Content-Type": "text/html; charset=utf-8"})
        if marker == "b02":
            return Reply(302, b"", {"Location": "https://sso.example.com/adfs/ls/?wa=signin&e="
                                    + quote(echo, safe="")})
        if marker == "b01":
            host = req.headers.get("host", "")
            return Reply(301, b"", {"Location": f"https://{host}{req.target}"})
        if marker == "d0d":
            return json_reply(json.dumps({"echo": echo, "items": [1, 2, 3]})[:-12])
        if marker == "c07":
            return Reply(307, b"", {"Location": hostile.other.url + req.target})
        if marker == "f1f":
            return Reply(200, BOMB, {"Content-Type": "application/json",
                                     "Content-Encoding": "gzip"})
        if marker == "a29":
            with lock:
                key = req.method + " " + req.path
                n = hostile.nan_sent.get(key, 0)
                hostile.nan_sent[key] = n + 1
            if n == 0:
                return json_reply(json.dumps({"message": echo}), 429, **{"Retry-After": "nan"})
        return _normal(req, marker)

    return serve


@contextmanager
def hostile_server(token: str = "ok") -> Iterator[Hostile]:
    """The hostile Server and its redirect target, both on 127.0.0.1."""
    state: dict[str, Any] = {}

    def other(req: Req) -> Reply:
        return json_reply('{"other": true}')

    with HostileServer(_handler(state)) as server, HostileServer(other) as target:
        state["h"] = Hostile(server, target, token)
        yield state["h"]
