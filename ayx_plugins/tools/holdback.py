"""Input batches held back until the tool knows its connection (the Connection anchor's record).

Designer may deliver the `Input` anchor's records before the `Connection` anchor's. The tool
keeps what arrives first in memory up to a limit, and beyond it appends the batches to an Arrow
IPC stream file in the temp folder; when the connection is known it replays them in arrival
order, one batch at a time, so the whole input is never in memory at once.
"""

from __future__ import annotations

import contextlib
import os
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

import pyarrow as pa

MEMORY_LIMIT = 8 * 1024 * 1024  # bytes held in memory before spilling to disk


@dataclass
class _Segment:
    """Held batches of one schema: in memory, or an IPC stream file being written."""

    tables: list[pa.Table] = field(default_factory=list)
    path: str | None = None
    writer: Any = None
    schema: pa.Schema | None = None


class HeldBatches:
    """A bounded, order-keeping holding area for input batches."""

    def __init__(self, temp_dir: str | None = None, memory_limit: int = MEMORY_LIMIT) -> None:
        self._dir = temp_dir if temp_dir and os.path.isdir(temp_dir) else tempfile.gettempdir()
        self._limit = memory_limit
        self._segments: list[_Segment] = []
        self.memory_bytes = 0
        self.peak_memory_bytes = 0
        self.rows = 0
        self.spilled_rows = 0
        self.files: list[str] = []

    def __len__(self) -> int:
        return self.rows

    def add(self, table: pa.Table) -> None:
        """Hold one batch (in memory while under the limit, else on disk)."""
        if table.num_rows == 0:
            return
        self.rows += table.num_rows
        size = table.nbytes
        last = self._segments[-1] if self._segments else None
        if last is None or (last.path is None and self.memory_bytes + size <= self._limit):
            if last is None or last.path is not None:
                last = _Segment()
                self._segments.append(last)
            last.tables.append(table)
            self.memory_bytes += size
            self.peak_memory_bytes = max(self.peak_memory_bytes, self.memory_bytes)
            return
        if last.path is None or last.schema is None or not last.schema.equals(table.schema):
            if last.writer is not None:
                last.writer.close()
                last.writer = None
            fd, path = tempfile.mkstemp(prefix="ayx-server-held-", suffix=".arrows", dir=self._dir)
            os.close(fd)
            self.files.append(path)
            last = _Segment(path=path, schema=table.schema)
            last.writer = pa.ipc.new_stream(path, table.schema)
            self._segments.append(last)
        last.writer.write_table(table)
        self.spilled_rows += table.num_rows

    def drain(self) -> Iterator[pa.Table]:
        """Every held batch in arrival order; what was yielded is released."""
        segments, self._segments = self._segments, []
        try:
            for seg in segments:
                if seg.path is None:
                    while seg.tables:
                        table = seg.tables.pop(0)
                        self.memory_bytes -= table.nbytes
                        yield table
                    continue
                if seg.writer is not None:
                    seg.writer.close()
                    seg.writer = None
                # Read (not memory-map) the file: a batch handed on owns its memory, so the file
                # can be closed and deleted while a table read from it is still in use (Windows).
                with pa.OSFile(seg.path, "rb") as source:
                    reader = pa.ipc.open_stream(source)
                    for batch in reader:
                        yield pa.Table.from_batches([batch])
                self._remove(seg.path)
        finally:
            self.rows = 0
            self.memory_bytes = 0
            self.close()

    def _remove(self, path: str) -> None:
        with contextlib.suppress(OSError):
            os.remove(path)
        if path in self.files:
            self.files.remove(path)

    def close(self) -> None:
        """Drop everything held and delete the spill files."""
        for seg in self._segments:
            if seg.writer is not None:
                with contextlib.suppress(Exception):
                    seg.writer.close()
        self._segments = []
        for path in list(self.files):
            self._remove(path)
