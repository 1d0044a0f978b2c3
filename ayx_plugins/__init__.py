"""Alteryx Server Tools: the Designer tool classes (loaded by name by the SDK's plugin loader).

The tool classes are imported lazily so that the plain-Python core (`ayx_plugins.server_api`)
and the `ayx-server` CLI start without loading the SDK, pyarrow and gRPC.
"""

from __future__ import annotations

import importlib
from typing import Any

# Tool class name -> module under ayx_plugins.tools that defines it.
_TOOLS = {
    "ServerAuthenticate": "authenticate",
    "ServerRunner": "runner",
    "ServerJobStatus": "job_status",
    "ServerGet": "api_request",
    "ServerPost": "api_request",
    "ServerPut": "api_request",
    "ServerDelete": "api_request",
}

__all__ = sorted(_TOOLS)


def __getattr__(name: str) -> Any:
    module = _TOOLS.get(name)
    if module is None:
        raise AttributeError(f"module 'ayx_plugins' has no attribute {name!r}")
    return getattr(importlib.import_module(f"ayx_plugins.tools.{module}"), name)
