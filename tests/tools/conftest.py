"""Helpers for the tool tests: configuration XML, the SDK's in-process test service with the
SDK-side gaps filled (decryption, exact schemas, progress), and secret scanning.

Nothing of ours is mocked: the plugins run unchanged inside the SDK's `SdkToolTestService`; only
the SDK provider's own methods are wrapped to record what the plugin sent (the test service
drops field metadata and progress) and to answer `decrypt_password` (which hangs there).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

import pyarrow as pa
import pytest

from designer_host import config_xml, decrypt, encrypt
from designer_host.inprocess import InProcessRun, run_inprocess

__all__ = ["config_xml", "decrypt", "encrypt"]


def conn(emu: Any, role: str = "Curator", **values: Any) -> str:
    """Configuration XML with a configured connection to the emulator."""
    user = emu.user(role)
    return config_xml(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key, **values)


@pytest.fixture
def run_tool_inprocess() -> Any:
    """Run a tool class in process: fn(cls, config_xml, input_table|None, batch_rows=None,
    between=None, connection=None, connection_first=True, dcm_connections=None); every written
    batch must carry exactly the schema the tool pushed."""

    def run(cls: type, config: str, table: pa.Table | None = None, *,
            batch_rows: int | None = None, between: Any = None, **kw: Any) -> InProcessRun:
        result = run_inprocess(cls, config, table, batch_rows=batch_rows, between=between, **kw)
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
