"""The WSGI layer around the Flask app: paths as Alteryx accepts them, request counters and
fault injection (status, latency, dropped connections, truncated bodies)."""

from __future__ import annotations

import contextlib
import re
import socket
import time
from collections.abc import Callable, Iterable, Iterator
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Response
from werkzeug.exceptions import HTTPException

from .control import ADMIN
from .http import json_response

if TYPE_CHECKING:
    from .server import EmulatorServer

StartResponse = Callable[..., Any]
_DOUBLE_SLASH = re.compile(r"^(/webapi|/gallery/api)//+")


class EmulatorWSGI:
    """Wraps the Flask app: trailing slashes, counters, fault injection, dropped connections."""

    def __init__(self, app: Flask, emu: EmulatorServer) -> None:
        self.app = app
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "") or "/"
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        environ["emulator.raw_path"] = urlsplit(raw_uri).path or path
        if path.startswith(ADMIN + "/") or path == ADMIN:
            return self.app(environ, start_response)
        emu = self.emu
        # The docs themselves write `{webapi}//swagger/docs/3`; IIS serves such paths.
        if emu.config.tolerate_double_slash:
            path = _DOUBLE_SLASH.sub(r"\1/", path)
        # Alteryx accepts paths with or without the trailing slash (legacy clients send one).
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
        environ["PATH_INFO"] = path
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            rule, _ = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
            template = rule.rule
        except HTTPException:
            template = path
        environ["emulator.seq"] = emu.counters.next_request(method, template)
        decision = emu.faults.decide(method, path)
        if decision.rule_ids:
            emu.counters.fault()
        if decision.delay > 0:
            time.sleep(decision.delay)
        if decision.drop_before:
            _drop(environ)
        if decision.status is not None:
            resp = _fault_response(decision.status, decision.retry_after)
            emu.counters.status(decision.status)
            return resp(environ, start_response)

        captured: list[int] = []
        silent = decision.drop_after or decision.truncate
        held: list[tuple[str, list[tuple[str, str]]]] = []

        def counting_start(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            captured.append(int(status.split(" ", 1)[0]))
            if silent:
                held.append((status, headers))
                return lambda _data: None
            return start_response(status, headers, exc_info)

        body = self.app(environ, counting_start)
        if captured:
            emu.counters.status(captured[0])
        if not silent:
            return body
        # The handler ran (a job may exist now); the client hears nothing, or half of it.
        try:
            data = b"".join(body)
        finally:
            close = getattr(body, "close", None)
            if close:
                close()
        if decision.drop_after or not held or not data:
            _drop(environ)
        status, headers = held[0]
        headers = [(k, v) for k, v in headers if k.lower() != "content-length"]
        headers.append(("Content-Length", str(len(data))))
        start_response(status, headers)
        return _half_then_close(data, environ)


def _half_then_close(data: bytes, environ: dict[str, Any]) -> Iterator[bytes]:
    yield data[:len(data) // 2]
    _drop(environ)


def _drop(environ: dict[str, Any]) -> Any:
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    # werkzeug treats a ConnectionError as a dropped client and writes nothing more.
    raise ConnectionAbortedError("emulator fault: connection dropped")


def _fault_response(status: int, retry_after: float | None) -> Response:
    messages = {429: "Too many requests. Please retry later.",
                500: "An error has occurred.", 502: "Bad Gateway",
                503: "The service is unavailable.", 504: "Gateway Timeout"}
    resp = json_response({"message": messages.get(status, "Injected fault.")}, status)
    if retry_after is not None:
        resp.headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer()
                                          else retry_after)
    return resp
