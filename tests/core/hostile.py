"""A tiny scripted HTTP server on 127.0.0.1 for answers the emulator never gives.

`HostileServer(handler)` calls `handler(Req) -> Reply | bytes` for each request (bytes are sent
raw, so a test may cut a body, lie about its length or send nothing). Every connection is closed
after one answer; requests are recorded in `.seen`. Stopped by `close()` / the `with` block.
"""

from __future__ import annotations

import contextlib
import socket
import socketserver
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass
class Req:
    """One request as the server read it."""

    method: str
    target: str
    headers: dict[str, str]
    body: bytes

    @property
    def path(self) -> str:
        return self.target.split("?", 1)[0]


@dataclass
class Reply:
    """An answer: status, headers, body; `cut` sends only that many body bytes (with the full
    Content-Length), `hang` sleeps that long before answering."""

    status: int = 200
    body: bytes | str = b""
    headers: dict[str, str] = field(default_factory=dict)
    cut: int | None = None
    hang: float = 0.0
    drip: float = 0.0  # seconds between body bytes (a slow answer that never times a read out)

    def encode(self) -> bytes:
        body = self.body.encode() if isinstance(self.body, str) else self.body
        headers = {"Content-Length": str(len(body)), "Connection": "close", **self.headers}
        lines = "".join(f"{k}: {v}\r\n" for k, v in headers.items())
        head = f"HTTP/1.1 {self.status} X\r\n{lines}"
        sent = body if self.cut is None else body[: self.cut]
        return head.encode("latin-1") + b"\r\n" + sent


def json_reply(data: str, status: int = 200, **headers: str) -> Reply:
    return Reply(status, data, {"Content-Type": "application/json; charset=utf-8", **headers})


TOKEN_OK = json_reply(
    '{"access_token": "tok-abcdef123456", "token_type": "bearer", "expires_in": 3600}'
)


class HostileServer:
    """A threaded one-answer-per-connection HTTP server; `url` is http://127.0.0.1:PORT."""

    def __init__(self, handler: Callable[[Req], Reply | bytes]) -> None:
        self.handler = handler
        self.seen: list[Req] = []
        self._stop = threading.Event()
        outer = self

        class _Handler(socketserver.BaseRequestHandler):
            def handle(self) -> None:
                outer._serve(self.request)

        class _Server(socketserver.ThreadingTCPServer):
            daemon_threads = True
            allow_reuse_address = True

        self._server = _Server(("127.0.0.1", 0), _Handler)
        self.port = self._server.server_address[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True
        )
        self._thread.start()

    def _serve(self, sock: socket.socket) -> None:
        sock.settimeout(5)
        data = b""
        try:
            while b"\r\n\r\n" not in data:
                chunk = sock.recv(65536)
                if not chunk:
                    return
                data += chunk
            head, _, rest = data.partition(b"\r\n\r\n")
            lines = head.decode("latin-1").split("\r\n")
            method, target, _ = lines[0].split(" ", 2)
            headers = {}
            for line in lines[1:]:
                k, _, v = line.partition(":")
                headers[k.strip().lower()] = v.strip()
            length = int(headers.get("content-length", "0") or 0)
            while len(rest) < length:
                chunk = sock.recv(65536)
                if not chunk:
                    break
                rest += chunk
            req = Req(method, target, headers, rest)
            self.seen.append(req)
            reply = self.handler(req)
            if isinstance(reply, Reply) and reply.hang:
                self._stop.wait(reply.hang)
            data = reply if isinstance(reply, bytes) else reply.encode()
            if isinstance(reply, Reply) and reply.drip:
                head, _, body = data.partition(b"\r\n\r\n")
                sock.sendall(head + b"\r\n\r\n")
                for i in range(len(body)):
                    if self._stop.wait(reply.drip):
                        return
                    sock.sendall(body[i : i + 1])
                return
            sock.sendall(data)
        except OSError:
            pass
        finally:
            with contextlib.suppress(OSError):
                sock.shutdown(socket.SHUT_RDWR)

    def count(self, path_part: str = "") -> int:
        """Requests whose path contains `path_part`."""
        return sum(1 for r in self.seen if path_part in r.path)

    def close(self) -> None:
        self._stop.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(5)

    def __enter__(self) -> HostileServer:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


def wait_until(pred: Callable[[], bool], seconds: float = 5.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if pred():
            return True
        time.sleep(0.01)
    return pred()
