"""A reproducible zip (sorted names, fixed times and permissions) that can take entries already
compressed by an earlier build, and the digests that decide what a build can reuse.

The writer is the plain ZIP format (no ZIP64: a YXI stays far below 4 GB and 65535 entries),
so compressed entries are copied byte for byte out of a cached archive instead of deflating
the same ~250 MB of site-packages again on every build.
"""

from __future__ import annotations

import hashlib
import json
import struct
import zipfile
import zlib
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # reproducible archives: no build-time timestamps
LEVEL = 6
_DOS_TIME = (FIXED_ZIP_TIME[3] << 11) | (FIXED_ZIP_TIME[4] << 5) | (FIXED_ZIP_TIME[5] // 2)
_DOS_DATE = ((FIXED_ZIP_TIME[0] - 1980) << 9) | (FIXED_ZIP_TIME[1] << 5) | FIXED_ZIP_TIME[2]
_FILE_ATTR = 0o100644 << 16
_DIR_ATTR = (0o40755 << 16) | 0x10
_LIMIT = 0xFFFFFFFF


@dataclass(frozen=True)
class RawEntry:
    """One entry of an existing zip, still compressed: copied without inflating it."""

    archive: Path
    offset: int  # of its local header
    method: int
    crc: int
    compressed_size: int
    size: int

    def data(self, f: BinaryIO) -> bytes:
        """The compressed bytes, read from the open `archive`."""
        f.seek(self.offset)
        head = f.read(30)
        if head[:4] != b"PK\x03\x04":
            raise ValueError(f"{self.archive}: no local header at {self.offset}")
        name_len, extra_len = struct.unpack_from("<HH", head, 26)
        f.seek(self.offset + 30 + name_len + extra_len)
        return f.read(self.compressed_size)


Source = Path | bytes | RawEntry


def raw_entries(archive: Path) -> dict[str, RawEntry]:
    """Every file entry of a zip, by name, ready to be copied compressed."""
    with zipfile.ZipFile(archive) as zf:
        return {i.filename: RawEntry(archive, i.header_offset, i.compress_type, i.CRC,
                                     i.compress_size, i.file_size)
                for i in zf.infolist() if not i.is_dir()}


def _deflate(data: bytes) -> bytes:
    c = zlib.compressobj(LEVEL, zlib.DEFLATED, -15)
    return c.compress(data) + c.flush()


def _headers(name: bytes, method: int, crc: int, csize: int, size: int, offset: int,
             attr: int) -> tuple[bytes, bytes]:
    flags = 0x800 if any(b > 127 for b in name) else 0  # UTF-8 names
    local = struct.pack("<IHHHHHIIIHH", 0x04034B50, 20, flags, method, _DOS_TIME, _DOS_DATE,
                        crc, csize, size, len(name), 0) + name
    central = struct.pack("<IHHHHHHIIIHHHHHII", 0x02014B50, 20, 20, flags, method, _DOS_TIME,
                          _DOS_DATE, crc, csize, size, len(name), 0, 0, 0, 0, attr,
                          offset) + name
    return local, central


def directories(names: Iterable[str]) -> set[str]:
    """The folder entries ('a/', 'a/b/') every name needs."""
    return {"/".join(n.split("/")[:i]) + "/" for n in names for i in range(1, n.count("/") + 1)}


def write_zip(out: Path, entries: dict[str, Source]) -> None:
    """A reproducible zip of `entries` (name -> file, bytes or a cached compressed entry),
    written to `out` atomically (through `out.part`)."""
    tmp = out.with_name(out.name + ".part")
    names = sorted(set(entries) | directories(entries))
    if len(names) >= 0xFFFF:
        raise ValueError(f"{len(names)} entries: more than a zip without ZIP64 holds")
    central: list[bytes] = []
    sources: dict[Path, BinaryIO] = {}
    try:
        with open(tmp, "wb") as f:
            for name in names:
                offset = f.tell()
                encoded = name.encode()
                if name.endswith("/"):
                    local, cdir = _headers(encoded, 0, 0, 0, 0, offset, _DIR_ATTR)
                    f.write(local)
                    central.append(cdir)
                    continue
                src = entries[name]
                if isinstance(src, RawEntry):
                    if src.archive not in sources:
                        sources[src.archive] = open(src.archive, "rb")  # noqa: SIM115
                    payload = src.data(sources[src.archive])
                    method, crc, size = src.method, src.crc, src.size
                else:
                    data = src if isinstance(src, bytes) else src.read_bytes()
                    payload, method, crc, size = _deflate(data), 8, zlib.crc32(data), len(data)
                if offset > _LIMIT or size > _LIMIT:
                    raise ValueError(f"{name}: beyond 4 GB, needs ZIP64")
                local, cdir = _headers(encoded, method, crc, len(payload), size, offset,
                                       _FILE_ATTR)
                f.write(local)
                f.write(payload)
                central.append(cdir)
            start = f.tell()
            for cdir in central:
                f.write(cdir)
            size = f.tell() - start
            f.write(struct.pack("<IHHHHIIH", 0x06054B50, 0, 0, len(central), len(central),
                                size, start, 0))
    finally:
        for handle in sources.values():
            handle.close()
    tmp.replace(out)


def digest(*parts: object, files: Iterable[Path] = (), root: Path | None = None) -> str:
    """A sha256 over JSON-able parts and the names and bytes of files (20 hex digits)."""
    h = hashlib.sha256(json.dumps(parts, sort_keys=True, default=str).encode())
    for p in files:
        name = p.relative_to(root).as_posix() if root else p.name
        h.update(name.encode() + b"\0" + p.read_bytes())
    return h.hexdigest()[:20]
