"""Regenerate the committed tool and package icons (PNG, written with zlib + struct only).

Run `python assets/make_icons.py` after adding a tool to `ayx_plugins/tools/specs.py`: each
tool's letter and colour come from its spec (`ToolSpec.icon`); the build fails when a tool has
no icon, so a missing one is caught before a user sees it.
"""

from __future__ import annotations

import struct
import sys
import zlib
from pathlib import Path

HERE = Path(__file__).resolve().parent
if str(HERE.parent) not in sys.path:  # run as a script from any directory
    sys.path.insert(0, str(HERE.parent))

from ayx_plugins.tools import specs  # noqa: E402

SIZE = 171  # the size ayx-plugin-cli's default icons have

# 5x7 glyphs: enough letters for one distinct initial per tool.
GLYPHS = {
    "A": ["01110", "10001", "10001", "11111", "10001", "10001", "10001"],
    "R": ["11110", "10001", "10001", "11110", "10100", "10010", "10001"],
    "J": ["00111", "00010", "00010", "00010", "00010", "10010", "01100"],
    "G": ["01110", "10001", "10000", "10111", "10001", "10001", "01110"],
    "P": ["11110", "10001", "10001", "11110", "10000", "10000", "10000"],
    "U": ["10001", "10001", "10001", "10001", "10001", "10001", "01110"],
    "D": ["11100", "10010", "10001", "10001", "10001", "10010", "11100"],
    "S": ["01111", "10000", "10000", "01110", "00001", "00001", "11110"],
}



def _rgb(colour: str) -> tuple[int, int, int]:
    value = int(colour.removeprefix("#"), 16)
    return (value >> 16) & 0xFF, (value >> 8) & 0xFF, value & 0xFF


def icons() -> dict[str, tuple[str, tuple[int, int, int]]]:
    """class name -> (letter, background RGB), from the registry; colours far apart by choice."""
    out = {}
    for tool in specs.TOOLS:
        letter, colour = tool.icon
        if letter not in GLYPHS:
            raise SystemExit(f"{tool.class_name}: no glyph for icon letter {letter!r} in "
                             f"{Path(__file__).name} (add one to GLYPHS)")
        out[tool.class_name] = (letter, _rgb(colour))
    return out


PACKAGE_ICON = ("S", (0x0B, 0x3D, 0x6B))


def _chunk(kind: bytes, data: bytes) -> bytes:
    return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data))


def render(letter: str, colour: tuple[int, int, int], size: int = SIZE) -> bytes:
    """A PNG: a filled disc in `colour` with `letter` in white, transparent outside the disc."""
    glyph = GLYPHS[letter]
    scale = size // 11
    gx0 = (size - 5 * scale) // 2
    gy0 = (size - 7 * scale) // 2
    centre = (size - 1) / 2
    radius = size / 2 - 2
    rows = []
    for y in range(size):
        row = bytearray([0])  # filter type 0 for every scanline
        for x in range(size):
            inside = (x - centre) ** 2 + (y - centre) ** 2 <= radius**2
            gx, gy = (x - gx0) // scale, (y - gy0) // scale
            on = 0 <= gx < 5 and 0 <= gy < 7 and x >= gx0 and y >= gy0 and glyph[gy][gx] == "1"
            if not inside:
                row += b"\0\0\0\0"
            elif on:
                row += b"\xff\xff\xff\xff"
            else:
                row += bytes(colour) + b"\xff"
        rows.append(bytes(row))
    header = struct.pack(">IIBBBBB", size, size, 8, 6, 0, 0, 0)  # 8-bit RGBA
    return (b"\x89PNG\r\n\x1a\n" + _chunk(b"IHDR", header)
            + _chunk(b"IDAT", zlib.compress(b"".join(rows), 9)) + _chunk(b"IEND", b""))


def main() -> int:
    """Write assets/icons/<ToolClass>.png and assets/package_icon.png."""
    (HERE / "icons").mkdir(exist_ok=True)
    for name, (letter, colour) in icons().items():
        (HERE / "icons" / f"{name}.png").write_bytes(render(letter, colour))
    (HERE / "package_icon.png").write_bytes(render(*PACKAGE_ICON))
    return 0


if __name__ == "__main__":
    sys.exit(main())
