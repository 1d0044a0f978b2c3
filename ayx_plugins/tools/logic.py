"""What each tool defines (result fields, record -> request, answer -> result values) and the
helpers tools share: outcomes, field checks, error descriptions. No SDK import here.
"""

from __future__ import annotations

import json
from abc import ABC, abstractmethod
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, ClassVar

import pyarrow as pa

from ayx_plugins.server_api import ApiError, ServerClient
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.connection import ACCESS_TOKEN, ConfigError, ConnSpec, RowError
from ayx_plugins.tools.wording import designer_words, request_id_detail

__all__ = ["Outcome", "ToolLogic", "describe_error", "field_value", "require_fields"]

_MAX_DETAIL = 4000


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


class ToolLogic(ABC):
    """What differs between tools: result fields, row -> request, answer -> result values."""

    display_name: ClassVar[str] = "Server tool"
    runs_without_input: ClassVar[bool] = False  # True: one request when no input is connected
    has_connection_anchor: ClassVar[bool] = True  # False: Server Authenticate (it writes one)

    def __init__(self, config: Any) -> None:
        self.config = config

    @abstractmethod
    def result_fields(self) -> list[pa.Field]:
        """The Success output's result fields (after the pass-through input fields)."""

    def dropped_fields(self) -> set[str]:
        """Input fields never passed through (they hold a token or a secret)."""
        return {ACCESS_TOKEN}

    def failure_fields(self) -> list[pa.Field]:
        """The Failure output's result fields: HTTP Status, Error, Error Detail (+ the tool's,
        filled from a failed Outcome's `rows[0]`, e.g. the Runner's JobId)."""
        return list(S.FAILURE_FIELDS)

    def drain_warnings(self) -> list[str]:
        """Warnings raised on worker threads since the last call; the engine writes them to the
        Results window from the plugin thread while records run."""
        return []

    def validate(self, input_schema: pa.Schema | None) -> None:  # noqa: B027 - optional hook
        """Raise ConfigError for a configuration that cannot work (pure; no request)."""

    def connection(self, row: Mapping[str, Any]) -> ConnSpec | None:
        """A per-record connection, or None to use the tool's own (configured, DCM, anchor)."""
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
        rid = request_id_detail(exc)  # kept whole: the body is what gets cut
        detail = detail[: _MAX_DETAIL - len(rid) - 1]
        detail = f"{detail}\n{rid}" if detail and rid else detail or rid
        return Outcome.fail(designer_words(exc), detail, exc.status)
    return Outcome.fail(f"{type(exc).__name__}: {exc}")
