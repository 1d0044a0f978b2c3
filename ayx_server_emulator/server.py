"""EmulatorServer: the Flask app on werkzeug's threaded server, in a background thread."""

from __future__ import annotations

import ssl
import threading
import time
from pathlib import Path
from types import TracebackType
from typing import Any

from werkzeug.serving import BaseWSGIServer, WSGIRequestHandler, make_server

from .app import create_app
from .auth import NonceCache, TokenStore
from .config import EmulatorConfig
from .faults import Counters, Faults
from .state import SeedUser, State, load_seed
from .wsgi import EmulatorWSGI


class _QuietHandler(WSGIRequestHandler):
    """Request handler that does not log every request to stderr."""

    # HTTP/1.1 keeps connections alive as a real Server (IIS) does; werkzeug's default of
    # HTTP/1.0 closes each connection after one response, which hides a client's pooling and
    # caps throughput.
    protocol_version = "HTTP/1.1"

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        """Stay quiet: benchmarks push hundreds of requests a second."""

    def log_error(self, format: str, *args: Any) -> None:
        """Stay quiet about dropped connections (some are injected on purpose)."""

    def date_time_string(self, timestamp: float | None = None) -> str:
        """The Date header follows the emulated clock, so clients can measure its offset."""
        clock = getattr(self.server, "emulator_clock", None)
        if timestamp is None and clock is not None:
            timestamp = clock()
        return super().date_time_string(timestamp)


class EmulatorServer:
    """A strict local stand-in for Alteryx Server on 127.0.0.1."""

    def __init__(self, seed: str | Path | dict[str, Any] | None = None,
                 config: EmulatorConfig | None = None, *, host: str = "127.0.0.1",
                 port: int = 0, ssl_context: ssl.SSLContext | None = None) -> None:
        self._seed = load_seed(seed)
        # HTTPS when given (the TLS-verification tests serve a private CA's certificate).
        self.ssl_context = ssl_context
        self.config = config if config is not None else EmulatorConfig()
        self.host = host
        self.port = port
        self.faults = Faults()
        self.counters = Counters()
        self.tokens = TokenStore()
        self.nonces = NonceCache()
        self.state = State(self._seed, self._now, config=self.config,
                           on_running=self.counters.running_jobs)
        self.app = create_app(self)
        self.wsgi = EmulatorWSGI(self.app, self)
        self._server: BaseWSGIServer | None = None
        self._thread: threading.Thread | None = None

    def _now(self) -> float:
        return time.time() + self.config.clock_offset

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> EmulatorServer:
        """Bind the port and serve in a daemon thread; return self."""
        if self._server is not None:
            return self
        server = make_server(self.host, self.port, self.wsgi, threaded=True,
                             request_handler=_QuietHandler, ssl_context=self.ssl_context)
        server.daemon_threads = True  # type: ignore[attr-defined]
        server.emulator_clock = self._now  # type: ignore[attr-defined]
        self._server = server
        self.port = server.server_port
        self._thread = threading.Thread(target=server.serve_forever, kwargs={
            "poll_interval": 0.05}, name=f"ayx-emulator:{self.port}", daemon=True)
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop serving and release the port."""
        server, thread = self._server, self._thread
        self._server = self._thread = None
        if server is None:
            return
        server.shutdown()
        server.server_close()
        if thread is not None:
            thread.join(timeout=5)

    def __enter__(self) -> EmulatorServer:
        return self.start()

    def __exit__(self, exc_type: type[BaseException] | None, exc: BaseException | None,
                 tb: TracebackType | None) -> None:
        self.stop()

    @property
    def running(self) -> bool:
        """Whether the server is serving."""
        return self._server is not None

    @property
    def url(self) -> str:
        """The base URL, e.g. http://127.0.0.1:PORT (https with an ssl_context; no slash)."""
        host = "127.0.0.1" if self.host in ("0.0.0.0", "") else self.host
        scheme = "https" if self.ssl_context is not None else "http"
        return f"{scheme}://{host}:{self.port}"

    @property
    def webapi_url(self) -> str:
        """The OAuth2 API base: {url}/webapi/."""
        return self.url + "/webapi/"

    @property
    def gallery_url(self) -> str:
        """The legacy OAuth1 API base: {url}/gallery/api/."""
        return self.url + "/gallery/api/"

    # ------------------------------------------------------------------ test helpers
    def user(self, role: str = "Curator", *, email: str | None = None) -> SeedUser:
        """The first active, API-enabled seeded user with this role (or this email)."""
        with self.state.lock:
            for raw, su in zip(self.state.users.values(), self.state.seed_users(), strict=True):
                if email is not None:
                    if su.email.lower() == email.lower():
                        return su
                elif su.role == role and raw.get("isActive", True) and raw.get(
                        "isApiEnabled", True):
                    return su
        raise KeyError(f"no seeded user with {'email ' + email if email else 'role ' + role}")

    def users(self) -> list[SeedUser]:
        """Every user with its credentials."""
        with self.state.lock:
            return self.state.seed_users()

    def step_jobs(self, job_id: str | None = None, steps: int = 1) -> int:
        """Advance one job (or every unfinished job) by `steps` states; return moves made."""
        moved = 0
        with self.state.lock:
            backend = self.state.jobs_backend
            jobs = [self.state.jobs[job_id]] if job_id else list(self.state.jobs.values())
            for _ in range(max(0, steps)):
                # Running jobs end first, so their slots go to the queue in creation order.
                for job in sorted(jobs, key=lambda j: j["status"] == "Queued"):
                    moved += backend.step(job)
        return moved

    def run_schedule(self, schedule_id: str) -> str:
        """Trigger a schedule now (the emulator never does on its own); return the job id."""
        with self.state.lock:
            job = self.state.jobs_backend.run_schedule(self.state.schedules[schedule_id])
        self.counters.job_created({"jobId": job["id"], "workflowId": job["appId"],
                                   "requestSeq": None, "clientRequestId": None,
                                   "path": f"schedule:{schedule_id}", "userId": job["_userId"]})
        return str(job["id"])

    def expire_tokens(self) -> None:
        """Expire every issued bearer token now."""
        self.tokens.expire_all()

    def reset(self) -> None:
        """Back to the seed: state, tokens, nonces, faults and counters (config is kept)."""
        self.state.load(self._seed)
        self.tokens.clear()
        self.nonces.clear()
        self.faults.clear()
        self.counters.reset()

    def __repr__(self) -> str:
        return f"EmulatorServer(url={self.url!r}, running={self.running})"
