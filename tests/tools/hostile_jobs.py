"""A tiny hostile Server on 127.0.0.1 (stopped by its context manager): it starts jobs whose id
and output names try to leave the output folder (`../../x`), and records every path it is sent."""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any


class _Handler(BaseHTTPRequestHandler):
    server: Any

    def log_message(self, *args: Any) -> None:  # keep the test output quiet
        return None

    def _send(self, body: Any, status: int = 200) -> None:
        data = json.dumps(body).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json; charset=utf-8")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        if length:
            self.rfile.read(length)
        self.server.paths.append(f"{self.command} {self.path}")
        path = self.path.split("?")[0]
        if path.endswith("/oauth2/token"):
            self._send({"access_token": "hostile-token", "token_type": "bearer",
                        "expires_in": 3600})
        elif path.endswith("/questions"):
            self._send([])
        elif path.endswith("/jobs") and self.command == "POST":
            self._send({"id": self.server.job_id, "status": "Completed", "disposition": "Success",
                        "createDateTime": "2026-01-01T00:00:00Z", "messages": [],
                        "outputs": [{"id": "o1", "fileName": "../../evil.csv",
                                     "availableFormats": ["Raw"]}]})
        elif "/output/" in path:
            self._send("evil")
        else:
            self._send({"message": "not here"}, 404)

    do_GET = do_POST = do_DELETE = _answer


@contextmanager
def hostile_server(job_id: str = "../../x") -> Iterator[Any]:
    """Yield the server: `.url` (http://127.0.0.1:PORT), `.paths` (every 'METHOD path' sent)."""
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Handler)
    server.daemon_threads = True
    server.paths = []  # type: ignore[attr-defined]
    server.job_id = job_id  # type: ignore[attr-defined]
    server.url = f"http://127.0.0.1:{server.server_address[1]}"  # type: ignore[attr-defined]
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield server
    finally:
        server.shutdown()
        server.server_close()
        thread.join(5)
