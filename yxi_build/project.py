"""What the build reads from the project: the tool specs, the runtime requirements, paths."""

from __future__ import annotations

import sys
from pathlib import Path
from types import ModuleType

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parents[1]
CACHE = ROOT / "build" / "yxi"
ASSETS = ROOT / "assets"
DOCS = ROOT / "docs"
PACKAGE = "ayx_plugins"
# Dev-only modules inside the package: they import the emulator and never run in Designer.
DEV_ONLY = {"demo.py"}
BUILDER = Path(__file__).resolve().parent  # its own sources are part of every input digest


class BuildError(RuntimeError):
    """The build refuses to produce a YXI; the message says why."""


def log(message: str) -> None:
    """Progress on stderr (stdout carries only the built file names)."""
    print(f"build_yxi: {message}", file=sys.stderr, flush=True)


def load_specs() -> ModuleType:
    """`ayx_plugins.tools.specs`, the one tool registry (stdlib only: no SDK needed to build)."""
    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    from ayx_plugins.tools import specs

    return specs


def runtime_requirements() -> list[str]:
    """The project's runtime dependencies (never the dev or emulator extras)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])

