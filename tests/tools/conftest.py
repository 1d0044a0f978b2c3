"""Helpers for the tool tests: configuration XML, the SDK's in-process test service with the
SDK-side gaps filled (decryption, exact schemas, progress), and secret scanning.

Nothing of ours is mocked: the plugins run unchanged inside the SDK's `SdkToolTestService`; only
the SDK provider's own methods are wrapped to record what the plugin sent (the test service
drops field metadata and progress) and to answer `decrypt_password` (which hangs there).
"""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator, Mapping
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa
import pytest

from designer_host import config_xml, decrypt, encrypt

__all__ = ["config_xml", "decrypt", "encrypt"]


def conn(emu: Any, role: str = "Curator", **values: Any) -> str:
    """Configuration XML with a configured connection to the emulator."""
    user = emu.user(role)
    return config_xml(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key, **values)


@dataclass
class Run:
    """What one in-process run produced."""

    written: dict[str, list[pa.Table]] = field(default_factory=dict)
    pushed: dict[str, pa.Schema] = field(default_factory=dict)
    messages: list[str] = field(default_factory=list)
    progress: list[float] = field(default_factory=list)
    decrypts: int = 0

    def table(self, anchor: str) -> pa.Table:
        """Everything written to an anchor (empty table with the pushed schema if nothing)."""
        parts = self.written.get(anchor, [])
        return pa.concat_tables(parts) if parts else self.pushed[anchor].empty_table()

    def rows(self, anchor: str) -> list[dict[str, Any]]:
        """The rows written to an anchor."""
        return self.table(anchor).to_pylist()

    @property
    def errors(self) -> list[str]:
        """ERROR lines of the Results window."""
        return [m for m in self.messages if m.startswith("ERROR:")]

    @property
    def infos(self) -> list[str]:
        """INFO lines of the Results window."""
        return [m for m in self.messages if m.startswith("INFO:")]


@pytest.fixture(autouse=True)
def _event_loop() -> Iterator[None]:
    """The test service calls asyncio.get_event_loop(): give every test a fresh one."""
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    yield
    loop.close()
    asyncio.set_event_loop(None)


@pytest.fixture
def run_tool_inprocess(monkeypatch: pytest.MonkeyPatch) -> Any:
    """Run a tool class in process: fn(cls, config_xml, input_table|None, batch_rows=None)."""
    from ayx_python_sdk.core import Anchor
    from ayx_python_sdk.core.testing import SdkToolTestService
    from ayx_python_sdk.providers.amp_provider.amp_io_components import ControlIOBuffer
    from ayx_python_sdk.providers.amp_provider.amp_provider_v2 import AMPProviderV2

    current: list[Run] = []
    orig_write = AMPProviderV2.write_to_anchor
    orig_push = AMPProviderV2.push_outgoing_metadata

    def write(self: Any, name: str, data: Any) -> None:
        table = data if isinstance(data, pa.Table) else pa.Table.from_batches([data])
        current[-1].written.setdefault(name, []).append(table)
        orig_write(self, name, data)

    def push(self: Any, name: str, schema: pa.Schema) -> None:
        current[-1].pushed[name] = schema
        orig_push(self, name, schema)

    def decrypt_password(self: Any, text: str) -> str:
        current[-1].decrypts += 1
        return decrypt(text)

    def update_progress(self: Any, value: float) -> None:
        current[-1].progress.append(value)

    monkeypatch.setattr(AMPProviderV2, "write_to_anchor", write)
    monkeypatch.setattr(AMPProviderV2, "push_outgoing_metadata", push)
    monkeypatch.setattr(ControlIOBuffer, "decrypt_password", decrypt_password)
    monkeypatch.setattr(ControlIOBuffer, "update_progress", update_progress)

    def run(cls: type, config: str, table: pa.Table | None = None, *,
            batch_rows: int | None = None, between: Any = None) -> Run:
        result = Run()
        current.append(result)
        inputs = {"Input": table.schema} if table is not None else {}
        svc = SdkToolTestService(
            plugin_class=cls, input_anchor_config=inputs,
            output_anchor_config={"Success": None, "Failure": None}, config_mock=config,
        )
        anchor = Anchor("Input", "1")
        if table is not None:
            step = batch_rows or max(1, table.num_rows)
            for n, start in enumerate(range(0, table.num_rows, step)):
                if n and between is not None:
                    between()
                for batch in table.slice(start, step).to_batches():
                    svc.run_on_record_batch(batch, anchor)
                    result.messages += svc.io_stream
            svc.run_on_incoming_connection_complete(anchor)
            result.messages += svc.io_stream
        svc.run_on_complete()
        result.messages += svc.io_stream
        result.messages = [m for m in result.messages if not m.startswith("NONE:")]
        for name, parts in result.written.items():
            for part in parts:
                assert part.schema.equals(result.pushed[name], check_metadata=True), (
                    f"{name}: written schema differs from the pushed one"
                )
        return result

    return run


def assert_no_secret(secrets: list[str], *blobs: Any) -> None:
    """No secret text appears in any table, schema or message."""
    for blob in blobs:
        if isinstance(blob, pa.Table):
            text = json.dumps(blob.to_pylist(), default=str)
        elif isinstance(blob, Mapping):
            text = json.dumps({k: v.to_pylist() if isinstance(v, pa.Table) else str(v)
                               for k, v in blob.items()}, default=str)
        else:
            text = json.dumps(blob, default=str) if not isinstance(blob, str) else blob
        for secret in secrets:
            assert secret not in text, "a secret leaked into an output or a message"
