"""The per-record engine shared by every Designer tool; the only module that talks to the SDK.

A record batch arrives; each row becomes a request description (the tool's pure `plan`); the
requests run on a bounded thread pool (the core's `ServerClient` is thread-safe) while every SDK
provider call (`write_to_anchor`, `update_progress`, `io.*`) stays on the plugin's own thread;
each row's outcome becomes one Success or one Failure row; both outputs are written once per
input batch, in input order. A configuration problem is one tool error before any request, and
every record then goes to Failure with that reason, so no record is ever lost.
"""

from __future__ import annotations

import contextlib
import json
import threading
import time
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from concurrent.futures import Future, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import pyarrow as pa
import requests
from ayx_python_sdk.core import PluginV2
from pydantic import ValidationError

from ayx_plugins.server_api import ApiError, ServerClient
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import ConnectionConfig, parse_config, secret_text
from ayx_plugins.tools.specs import BY_CLASS, FAILURE, SUCCESS

INPUT = "Input"
_PROGRESS_EVERY_S = 0.25
_MAX_DETAIL = 4000

# The fields the Authenticate tool outputs and the other tools read in "incoming" mode.
SERVER_URL = "ServerUrl"
API_BASE = "ApiBase"
AUTH_TYPE = "AuthType"
ACCESS_TOKEN = "AccessToken"
TOKEN_TYPE = "TokenType"
TOKEN_EXPIRES = "TokenExpires"

CONNECTION_FIELDS: tuple[pa.Field, ...] = (
    S.wstring(SERVER_URL, "The Server URL as configured"),
    S.wstring(API_BASE, "The API base the tools call: .../webapi/ or .../gallery/api/"),
    S.wstring(AUTH_TYPE, "oauth2 or oauth1"),
    S.wstring(ACCESS_TOKEN, "The OAuth 2 bearer token (null for OAuth 1.0a)"),
    S.wstring(TOKEN_TYPE, "The token type, e.g. bearer"),
    S.datetime_(TOKEN_EXPIRES, "When the token expires (UTC)"),
)


class ConfigError(Exception):
    """A configuration problem: reported once as a tool error; every record goes to Failure."""


class RowError(Exception):
    """A problem with one record found before any request (a null id, bad JSON): a Failure row."""

    def __init__(self, message: str, detail: str = "") -> None:
        super().__init__(message)
        self.detail = detail


@dataclass
class Outcome:
    """What became of one input record: success rows (result values) or one failure."""

    success: bool
    rows: list[dict[str, Any]] = field(default_factory=list)
    status: int | None = None
    error: str = ""
    detail: str = ""

    @classmethod
    def ok(cls, *rows: dict[str, Any]) -> Outcome:
        """A success with one result row per dict (at least one)."""
        return cls(True, list(rows) or [{}])

    @classmethod
    def fail(cls, error: str, detail: str = "", status: int | None = None) -> Outcome:
        """A failure with a sentence, the server's detail and the HTTP status if any."""
        return cls(False, status=status, error=error, detail=detail)


@dataclass(frozen=True)
class ConnSpec:
    """Where and how one request authenticates; secrets are kept out of the repr."""

    url: str
    auth_type: str | None = None
    api_key: str | None = field(default=None, repr=False)
    api_secret: str | None = field(default=None, repr=False)
    token: str | None = field(default=None, repr=False)


class ToolLogic(ABC):
    """What differs between tools: result fields, row -> request, answer -> result values."""

    display_name: ClassVar[str] = "Server tool"
    needs_input: ClassVar[bool] = True  # False: the tool never reads an incoming connection
    runs_without_input: ClassVar[bool] = False  # True: one request when no input is connected

    def __init__(self, config: Any) -> None:
        self.config = config

    @abstractmethod
    def result_fields(self) -> list[pa.Field]:
        """The Success output's result fields (after the pass-through input fields)."""

    def validate(self, input_schema: pa.Schema | None) -> None:  # noqa: B027 - optional hook
        """Raise ConfigError for a configuration that cannot work (pure; no request)."""

    def connection(self, row: Mapping[str, Any]) -> ConnSpec | None:
        """A per-record connection, or None to use the tool's configured/incoming one."""
        return None

    @abstractmethod
    def plan(self, row: Mapping[str, Any]) -> Any:
        """The request description of one record (pure; raise RowError for a bad record)."""

    @abstractmethod
    def execute(self, client: ServerClient, plan: Any) -> Outcome:
        """Send the request(s) of one record (runs on a worker thread)."""


def field_value(row: Mapping[str, Any], name: str, what: str) -> Any:
    """A record's value of `name`; RowError when it is null or blank."""
    value = row.get(name)
    if value is None or (isinstance(value, str) and not value.strip()):
        raise RowError(f"{what} is empty (field '{name}')")
    return value


def require_fields(input_schema: pa.Schema | None, names: Sequence[str], what: str) -> None:
    """ConfigError when a configured field is missing from the known input schema."""
    if input_schema is None:
        return
    have = set(input_schema.names)
    missing = [n for n in names if n and n not in have]
    if missing:
        raise ConfigError(f"{what}: the input has no field {', '.join(repr(m) for m in missing)}")


def describe_error(exc: BaseException) -> Outcome:
    """A Failure outcome for an exception from the core (or anything else)."""
    if isinstance(exc, ApiError):
        detail = exc.server_message or ""
        if not detail and exc.body is not None:
            body = exc.body
            detail = body if isinstance(body, str) else json.dumps(body, ensure_ascii=False)
        model_state = getattr(exc, "model_state", None)
        if model_state and "modelState" not in detail:
            detail = f"{detail} {json.dumps(model_state, ensure_ascii=False)}".strip()
        return Outcome.fail(str(exc), detail[:_MAX_DETAIL], exc.status)
    return Outcome.fail(f"{type(exc).__name__}: {exc}")


class ServerTool(PluginV2):  # type: ignore[misc]
    """Base of every Designer tool: schemas, connection, batching, progress, summary."""

    TOOL: ClassVar[str] = ""
    LOGIC: ClassVar[type[ToolLogic]]

    def __init__(self, provider: Any) -> None:
        """Read the configuration and push the typed output schemas (also in update-only)."""
        self.provider = provider
        self.spec = BY_CLASS[self.TOOL]
        self._t0 = time.monotonic()
        self._n_ok = 0
        self._n_failed = 0
        self._rows_done = 0
        self._config_error: str | None = None
        self._error_reported = False
        self._ready = False
        self._secret: str | None = None
        self._clients: dict[tuple[Any, ...], ServerClient] = {}
        self._clients_lock = threading.Lock()
        self._pool: ThreadPoolExecutor | None = None
        self._saw_input = False
        self._redactions: set[str] = set()
        self._schemas_pushed = False
        tool_config = provider.tool_config or {}
        self.config: ConnectionConfig
        try:
            self.config = parse_config(self.TOOL, tool_config)
        except ValidationError as exc:
            self.config = parse_config(self.TOOL, {})
            self._config_error = "Invalid configuration: " + "; ".join(
                f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
            )
        self.logic = self.LOGIC(self.config)
        self.input_connected = bool(provider.incoming_anchors.get(INPUT))
        self.input_schema = self._incoming_schema()
        if self.input_schema is not None or not self.input_connected:
            self._push_schemas()
            self._validate()
        try:
            update_only = bool(provider.environment.update_only)
        except RuntimeError:  # not set by the SDK's in-process test service
            update_only = False
        if update_only and self._config_error:
            self._report_config_error()

    # ----------------------------------------------------------------------------- schemas
    def _incoming_schema(self) -> pa.Schema | None:
        for conn in (self.provider.incoming_anchors.get(INPUT) or {}).values():
            schema = S.to_arrow_schema(conn.get("metadata"))
            if schema is not None and len(schema) > 0:
                return schema
        return None

    def _push_schemas(self) -> None:
        result = self.logic.result_fields()
        self._success_results = {f.name for f in result}
        self._failure_results = {f.name for f in S.FAILURE_FIELDS}
        self.success_schema = S.output_schema(self.input_schema, result)
        self.failure_schema = S.output_schema(self.input_schema, S.FAILURE_FIELDS)
        self.provider.push_outgoing_metadata(SUCCESS, self.success_schema)
        self.provider.push_outgoing_metadata(FAILURE, self.failure_schema)
        self._schemas_pushed = True

    def _validate(self) -> None:
        if self._config_error:
            return
        try:
            self._validate_connection()
            self.logic.validate(self.input_schema)
        except ConfigError as exc:
            self._config_error = str(exc)

    def _validate_connection(self) -> None:
        cfg = self.config
        if cfg.source == "incoming" and self.logic.needs_input:
            require_fields(self.input_schema, [SERVER_URL, AUTH_TYPE],
                           "Connection from the incoming Server Authenticate fields")
            return
        if self.logic.connection({}) is not None:  # the tool reads credentials per record
            return
        if not cfg.serverUrl.strip():
            raise ConfigError("No Server URL is configured")
        if not cfg.apiKey.strip():
            raise ConfigError("No API key is configured")
        if not secret_text(self.provider.tool_config):
            raise ConfigError("No API secret is configured")

    # ------------------------------------------------------------------------ SDK callbacks
    def on_record_batch(self, batch: Any, anchor: Any) -> None:
        """Process one input batch: one request per record, both outputs written once."""
        table = batch if isinstance(batch, pa.Table) else pa.Table.from_batches([batch])
        self._saw_input = True
        if not self._schemas_pushed:
            self.input_schema = pa.schema([S.typed(f) for f in table.schema])
            self._push_schemas()
            self._validate()
        self._process(table, table.to_pylist())

    def on_incoming_connection_complete(self, anchor: Any) -> None:
        """Nothing to flush: every batch is written as soon as it is processed."""

    def on_complete(self) -> None:
        """Run the single request of an input-less tool; report the summary; release threads."""
        try:
            if not self.input_connected and not self._saw_input and self.logic.runs_without_input:
                self._process(None, [{}])
            self.provider.io.update_progress(1.0)
            tokens = sum(c.stats.tokens_fetched for c in self._clients.values())
            elapsed = time.monotonic() - self._t0
            self.provider.io.info(
                f"{self.spec.display_name}: {self._n_ok} succeeded, {self._n_failed} failed, "
                f"{tokens} token{'s' if tokens != 1 else ''} fetched, {elapsed:.1f} s"
            )
        finally:
            self._close()

    # ----------------------------------------------------------------------------- the work
    def _report_config_error(self) -> None:
        if self._config_error and not self._error_reported:
            self._error_reported = True
            self.provider.io.error(f"{self.spec.display_name}: {self._redact(self._config_error)}")

    def _prepare(self) -> None:
        """Once, on the plugin thread: decrypt the secret and check the connection settings."""
        if self._ready:
            return
        self._ready = True
        if self._config_error:
            return
        text = secret_text(self.provider.tool_config)
        if text:
            try:
                self._secret = self.provider.io.decrypt_password(text)
            except Exception as exc:  # Designer could not decrypt (another machine or user)
                self._config_error = (
                    f"The API secret could not be decrypted ({type(exc).__name__})"
                )
                return
            if self._secret:
                self._redactions.add(self._secret)

    def _connection_for(self, row: Mapping[str, Any]) -> ServerClient:
        spec = self.logic.connection(row)
        cfg = self.config
        if spec is None:
            if cfg.source == "incoming" and self.logic.needs_input:
                url = str(row.get(API_BASE) or row.get(SERVER_URL) or "").strip()
                if not url:
                    raise RowError(f"The incoming record has no Server URL (field '{SERVER_URL}')")
                auth = str(row.get(AUTH_TYPE) or cfg.authType).strip().lower()
                token = row.get(ACCESS_TOKEN) or None
                if auth == "oauth2" and not token:
                    raise RowError(f"The incoming record has no token (field '{ACCESS_TOKEN}')")
                if auth == "oauth1":  # no secret ever travels in a record: use the tool's keys
                    spec = ConnSpec(url, "oauth1", cfg.apiKey, self._secret)
                else:
                    spec = ConnSpec(url, "oauth2", token=str(token))
            else:
                spec = ConnSpec(cfg.serverUrl.strip(), cfg.authType, cfg.apiKey.strip(),
                                self._secret)
        elif spec.api_secret is None and spec.token is None:
            spec = replace(spec, api_secret=self._secret)
        for secret in (spec.api_secret, spec.token):
            if secret:
                self._redactions.add(secret)
        key = (spec.url, spec.auth_type, spec.api_key, spec.api_secret, spec.token)
        with self._clients_lock:
            client = self._clients.get(key)
            if client is None:
                client = self._new_client(spec)
                self._clients[key] = client
        return client

    def _new_client(self, spec: ConnSpec) -> ServerClient:
        cfg = self.config
        verify: bool | str = cfg.caBundle.strip() or cfg.verifyTls
        try:
            return ServerClient(
                spec.url, spec.api_key or None, spec.api_secret or None,
                auth_type=spec.auth_type or None,  # type: ignore[arg-type]
                token=spec.token, token_in_body=cfg.tokenInBody,
                timeout=cfg.requestTimeoutSeconds, verify=verify, session=self._session(),
                pool_size=max(cfg.concurrency, 4),
            )
        except ApiError as exc:
            raise RowError(str(exc)) from None
        except ValueError as exc:
            raise RowError(f"Invalid Server URL or credentials: {exc}") from None

    def _session(self) -> requests.Session:
        """Designer's proxy settings when it gave any (the SDK's PAC session), else plain."""
        try:
            proxy = self.provider.environment.proxy_configuration
        except (AttributeError, RuntimeError):
            proxy = {}
        if proxy:
            try:
                from ayx_python_sdk.core.proxy_requests import create_proxied_session

                session: requests.Session = create_proxied_session(self.provider)
                return session
            except Exception as exc:  # pypac missing or PAC unreadable: go direct, say so
                self.provider.io.warn(
                    f"{self.spec.display_name}: Designer's proxy settings could not be applied "
                    f"({type(exc).__name__}); connecting directly"
                )
        return requests.Session()

    def _redact(self, text: str) -> str:
        for secret in self._redactions:
            if secret and len(secret) >= 4:
                text = text.replace(secret, "***")
        return text

    def _run_one(self, client: ServerClient, plan: Any) -> Outcome:
        try:
            return self.logic.execute(client, plan)
        except RowError as exc:
            return Outcome.fail(str(exc), exc.detail)
        except Exception as exc:
            return describe_error(exc)

    def _process(self, table: pa.Table | None, rows: list[dict[str, Any]]) -> None:
        n = len(rows)
        if n == 0:
            return
        self._prepare()
        outcomes: list[Outcome | None] = [None] * n
        if self._config_error:
            self._report_config_error()
            outcomes = [Outcome.fail(self._config_error) for _ in rows]
        else:
            if self._pool is None:
                self._pool = ThreadPoolExecutor(
                    max_workers=self.config.concurrency, thread_name_prefix="ayx-server"
                )
            futures: dict[Future[Outcome], int] = {}
            for i, row in enumerate(rows):
                try:
                    plan = self.logic.plan(row)
                    client = self._connection_for(row)
                except RowError as exc:
                    outcomes[i] = Outcome.fail(str(exc), exc.detail)
                    continue
                except Exception as exc:
                    outcomes[i] = describe_error(exc)
                    continue
                futures[self._pool.submit(self._run_one, client, plan)] = i
            last = time.monotonic()
            done = n - len(futures)
            for fut in as_completed(futures):
                outcomes[futures[fut]] = fut.result()
                done += 1
                now = time.monotonic()
                if now - last >= _PROGRESS_EVERY_S:
                    last = now
                    total = self._rows_done + n
                    self.provider.io.update_progress(min(0.99, (self._rows_done + done) / total))
        self._rows_done += n
        self._write(table, [o or Outcome.fail("No outcome") for o in outcomes])

    def _write(self, table: pa.Table | None, outcomes: list[Outcome]) -> None:
        ok_idx: list[int] = []
        ok_rows: list[dict[str, Any]] = []
        bad_idx: list[int] = []
        bad_rows: list[dict[str, Any]] = []
        for i, outcome in enumerate(outcomes):
            if outcome.success:
                self._n_ok += 1
                for values in outcome.rows:
                    ok_idx.append(i)
                    ok_rows.append(values)
            else:
                self._n_failed += 1
                bad_idx.append(i)
                bad_rows.append({
                    S.HTTP_STATUS: outcome.status,
                    S.ERROR: self._redact(outcome.error or "Failed"),
                    S.ERROR_DETAIL: self._redact(outcome.detail) if outcome.detail else None,
                })
        if ok_idx:
            self.provider.write_to_anchor(SUCCESS, self._table(
                table, ok_idx, ok_rows, self.success_schema, self._success_results))
        if bad_idx:
            self.provider.write_to_anchor(FAILURE, self._table(
                table, bad_idx, bad_rows, self.failure_schema, self._failure_results))

    def _table(self, table: pa.Table | None, idx: list[int], values: list[dict[str, Any]],
               schema: pa.Schema, results: set[str]) -> pa.Table:
        """Input fields of the chosen records + result values, exactly as `schema` says."""
        taken = table.take(pa.array(idx, type=pa.int64())) if table is not None else None
        arrays: list[Any] = []
        for f in schema:
            if f.name in results or taken is None or f.name not in taken.schema.names:
                arrays.append(S.column([v.get(f.name) for v in values], f))
            else:
                arrays.append(S.cast_column(taken.column(f.name), f))
        return pa.Table.from_arrays(arrays, schema=schema)

    def _close(self) -> None:
        if self._pool is not None:
            self._pool.shutdown(wait=True)
            self._pool = None
        for client in self._clients.values():
            # Closing is best effort: the run's results are already written.
            with contextlib.suppress(Exception):
                client.close()

