"""Alteryx Server Tools: the Designer tool classes (loaded by name by the SDK's plugin loader).

The tool classes are imported lazily so that the plain-Python core (`ayx_plugins.server_api`)
and the `ayx-server` CLI start without loading the SDK, pyarrow and gRPC. Which module defines
which class comes from the one tool registry, `ayx_plugins/tools/specs.py` (stdlib only).
"""

from __future__ import annotations

import importlib
from typing import Any

from ayx_plugins.tools import specs

__all__ = sorted(t.class_name for t in specs.TOOLS)


def __getattr__(name: str) -> Any:
    tool = specs.BY_CLASS.get(name)
    if tool is None:
        raise AttributeError(f"module 'ayx_plugins' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ayx_plugins.tools.{tool.module}"), name)


def __dir__() -> list[str]:
    return sorted({*globals(), *(t.class_name for t in specs.TOOLS)})
