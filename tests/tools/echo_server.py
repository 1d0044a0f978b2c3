"""A small hostile Server on 127.0.0.1: it issues a known token, then answers every API request
with an error page that echoes the request (headers and body), as some gateways and WAFs do.

`EchoServer(status=500)`: the token endpoint answers `token_status` (200: a token; 400/401: an
error page echoing the request, i.e. the base64 of key:secret). Stopped by its `with` block.
"""

from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

TOKEN = "echo-token-5f2a9c1e7b3d4a6f8e0c"


class EchoServer:
    """Echoes every request into its error answers; counts requests per path."""

    def __init__(self, status: int = 500, token_status: int = 200,
                 content_type: str = "text/html") -> None:
        self.status = status
        self.token_status = token_status
        self.content_type = content_type
        self.paths: list[str] = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            protocol_version = "HTTP/1.1"

            def log_message(self, *args: Any) -> None:
                pass

            def _answer(self) -> None:
                length = int(self.headers.get("Content-Length") or 0)
                body = self.rfile.read(length).decode("latin-1") if length else ""
                outer.paths.append(self.path)
                echo = "\n".join(f"{k}: {v}" for k, v in self.headers.items()) + "\n\n" + body
                if self.path.rstrip("/").endswith("oauth2/token"):
                    if outer.token_status == 200:
                        data = json.dumps({"access_token": TOKEN, "token_type": "bearer",
                                           "expires_in": 3599}).encode()
                        self._send(200, "application/json", data)
                        return
                    self._send(outer.token_status, "text/html",
                               f"<html><pre>{echo}</pre></html>".encode("latin-1", "replace"))
                    return
                if outer.content_type == "application/json":
                    page = json.dumps({"message": echo, "request": echo}).encode()
                else:
                    page = f"<html><title>Error</title><pre>{echo}</pre></html>".encode(
                        "latin-1", "replace")
                self._send(outer.status, outer.content_type, page)

            def _send(self, status: int, ctype: str, data: bytes) -> None:
                self.send_response(status)
                self.send_header("Content-Type", ctype)
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

            do_GET = do_POST = do_PUT = do_DELETE = _answer

        self._server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self._server.daemon_threads = True
        self.url = f"http://127.0.0.1:{self._server.server_address[1]}"
        self._thread = threading.Thread(target=self._server.serve_forever,
                                        kwargs={"poll_interval": 0.05}, daemon=True)
        self._thread.start()

    def count(self, part: str) -> int:
        """Requests whose path contains `part`."""
        return sum(1 for p in self.paths if part in p)

    def __enter__(self) -> EchoServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)
