"""Run a tool class inside this process on the SDK's own `SdkToolTestService` (the SDK path).

Shared by the tests, the benchmarks and the fault matrix. Nothing of ours is replaced: only the
SDK provider's own methods are wrapped to see what the plugin sent (the test service drops field
metadata and progress) and to answer `decrypt_password` (which hangs there, sdk/NOTES.md §2).
With `keep=False` written tables are counted and dropped, so a long stream holds no output.
"""

from __future__ import annotations

import asyncio
import os
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

from designer_host.dcm import callback_value
from designer_host.designer_config import decrypt

_LOCK = threading.Lock()  # the provider methods are patched per run: one run at a time


@dataclass
class InProcessRun:
    """What one in-process run produced."""

    keep: bool = True
    written: dict[str, list[pa.Table]] = field(default_factory=dict)
    row_counts: dict[str, int] = field(default_factory=dict)
    pushed: dict[str, pa.Schema] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    decrypts: int = 0
    dcm_requests: int = 0
    rows_in: int = 0

    def table(self, anchor: str) -> pa.Table:
        """Everything written to an anchor (an empty table with the pushed schema if nothing)."""
        parts = self.written.get(anchor, [])
        return pa.concat_tables(parts) if parts else self.pushed[anchor].empty_table()

    def rows(self, anchor: str) -> list[dict[str, Any]]:
        """The rows written to an anchor (DateTime values as datetimes, the time of day kept)."""
        from ayx_plugins.tools.typed_values import pylist

        return pylist(self.table(anchor))

    def count(self, anchor: str) -> int:
        """Rows written to an anchor."""
        return self.row_counts.get(anchor, 0)

    @property
    def errors(self) -> list[str]:
        """ERROR lines of the Results window."""
        return [m for m in self.messages if m.startswith("ERROR:")]

    @property
    def infos(self) -> list[str]:
        """INFO lines of the Results window."""
        return [m for m in self.messages if m.startswith("INFO:")]


@contextmanager
def _patched(run: InProcessRun, constants: Mapping[str, str] | None = None,
             dcm_connections: Mapping[str, Any] | None = None) -> Iterator[None]:
    from ayx_python_sdk.providers.amp_provider.amp_io_components import ControlIOBuffer
    from ayx_python_sdk.providers.amp_provider.amp_provider_v2 import AMPProviderV2

    orig = {
        "write": AMPProviderV2.write_to_anchor,
        "push": AMPProviderV2.push_outgoing_metadata,
        "decrypt": ControlIOBuffer.decrypt_password,
        "progress": ControlIOBuffer.update_progress,
        "anchors": AMPProviderV2.set_anchors,
        "dcm": ControlIOBuffer.get_connection,
    }

    def set_anchors(self: Any, init_data: Any) -> None:
        # The test service sends no engine constants; Designer does, before the plugin exists.
        orig["anchors"](self, init_data)
        if constants:
            self.environment.save_engine_constants(dict(constants))

    def write(self: Any, name: str, data: Any) -> None:
        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        run.row_counts[name] = run.row_counts.get(name, 0) + table.num_rows
        if run.keep:
            run.written.setdefault(name, []).append(table)
            orig["write"](self, name, data)

    def push(self: Any, name: str, schema: pa.Schema) -> None:
        run.pushed[name] = schema
        orig["push"](self, name, schema)

    def decrypt_password(self: Any, text: str) -> str:
        run.decrypts += 1
        return decrypt(text)

    def update_progress(self: Any, value: float) -> None:
        run.progress.append(value)

    def get_connection(self: Any, connection_id: str, callback: Callable[[Any], None]) -> None:
        run.dcm_requests += 1  # Designer answers on another thread, as over gRPC
        value = callback_value(dcm_connections, connection_id)
        threading.Thread(target=callback, args=(value,), daemon=True).start()

    ControlIOBuffer.get_connection = get_connection
    AMPProviderV2.write_to_anchor = write
    AMPProviderV2.push_outgoing_metadata = push
    ControlIOBuffer.decrypt_password = decrypt_password
    ControlIOBuffer.update_progress = update_progress
    AMPProviderV2.set_anchors = set_anchors
    try:
        yield
    finally:
        AMPProviderV2.write_to_anchor = orig["write"]
        AMPProviderV2.push_outgoing_metadata = orig["push"]
        ControlIOBuffer.decrypt_password = orig["decrypt"]
        ControlIOBuffer.update_progress = orig["progress"]
        AMPProviderV2.set_anchors = orig["anchors"]
        ControlIOBuffer.get_connection = orig["dcm"]


def _batches(data: pa.Table | Iterable[pa.RecordBatch], batch_rows: int | None
             ) -> Iterator[pa.RecordBatch]:
    if isinstance(data, pa.Table):
        step = batch_rows or max(1, data.num_rows)
        for start in range(0, data.num_rows, step):
            yield from data.slice(start, step).to_batches()
    else:
        yield from data


def run_inprocess(cls: type, config: str | Mapping[str, Any],
                  data: pa.Table | Iterable[pa.RecordBatch] | None = None,
                  *, schema: pa.Schema | None = None, batch_rows: int | None = None,
                  keep: bool = True, between: Callable[[], None] | None = None,
                  workflow_dir: str | os.PathLike[str] | None = None,
                  temp_dir: str | os.PathLike[str] | None = None,
                  connection: pa.Table | None = None, connection_first: bool = True,
                  dcm_connections: Mapping[str, Any] | None = None,
                  ) -> InProcessRun:
    """Run one tool: its input as a table or a stream of batches (give `schema` for a stream).

    `config` is the configuration XML or a panel's saved `model.Configuration` (a dict), which
    goes through Designer's Json.NET step (`designer_host.jsonnet`) first. `between` runs between
    two input batches (e.g. to expire tokens or inject a fault mid-run). `workflow_dir` (and
    `temp_dir`) are sent as Designer's engine constants; without them the environment has none,
    as under the SDK's test service. `connection` is the record(s) on the `Connection` anchor,
    delivered before the input (`connection_first`) or after all of it; `dcm_connections`
    answers the tool's DCM requests as Designer would (see `designer_host.dcm`).
    """
    if not isinstance(config, str):
        from designer_host.jsonnet import configuration_to_xml

        config = configuration_to_xml(config)
    constants = None
    if workflow_dir is not None:
        constants = {
            "Engine.Version": "2025.1.1.0", "AlteryxExecutable": str(workflow_dir),
            "Engine.WorkflowDirectory": str(workflow_dir),
            "Engine.TempFilePath": str(temp_dir or workflow_dir), "ToolId": "7",
        }
    from ayx_python_sdk.core import Anchor
    from ayx_python_sdk.core.testing import SdkToolTestService

    run = InProcessRun(keep=keep)
    in_schema = data.schema if isinstance(data, pa.Table) else schema
    if data is not None and in_schema is None:
        raise ValueError("a stream of batches needs its schema")
    anchors: dict[str, Any] = {"Input": in_schema} if data is not None else {}
    if connection is not None:
        anchors["Connection"] = connection.schema
    with _LOCK, _patched(run, constants, dcm_connections):
        loop = asyncio.new_event_loop()  # the test service calls asyncio.get_event_loop()
        asyncio.set_event_loop(loop)
        try:
            svc = SdkToolTestService(
                plugin_class=cls,
                input_anchor_config=anchors,
                output_anchor_config={"Success": None, "Failure": None}, config_mock=config,
            )
            names = list(anchors)

            def send_connection() -> None:
                if connection is None:
                    return
                anchor = Anchor("Connection", str(names.index("Connection") + 1))
                for batch in connection.to_batches():
                    svc.run_on_record_batch(batch, anchor)
                    run.messages += svc.io_stream
                svc.run_on_incoming_connection_complete(anchor)
                run.messages += svc.io_stream

            if connection_first:
                send_connection()
            anchor = Anchor("Input", "1")
            if data is not None:
                for n, batch in enumerate(_batches(data, batch_rows)):
                    if n and between is not None:
                        between()
                    run.rows_in += batch.num_rows
                    svc.run_on_record_batch(batch, anchor)
                    run.messages += svc.io_stream
                svc.run_on_incoming_connection_complete(anchor)
                run.messages += svc.io_stream
            if not connection_first:
                send_connection()
            svc.run_on_complete()
            run.messages += svc.io_stream
        finally:
            loop.close()
            asyncio.set_event_loop(None)
    run.messages = [m for m in run.messages if not m.startswith("NONE:")]
    return run
