"""Relative paths in a tool's settings and records resolve against the workflow's folder.

Designer tells a tool where the running workflow lives (`provider.environment.workflow_dir`, the
`Engine.WorkflowDirectory` engine constant) and where its temp files go (`temp_dir`,
`Engine.TempFilePath`); the plugin process's working directory is not documented. So a relative
output folder, CA-bundle file or upload file path means "next to the workflow" (on Server: the
job's staging folder, where the workflow package was unpacked); when Designer gives no workflow
folder (e.g. an unsaved workflow), its temp folder; when it gives neither (the SDK's in-process
test service), the working directory. Absolute paths, UNC paths (`\\\\server\\share\\...`) and
`~` are used as they are.
"""

from __future__ import annotations

import os
from typing import Any, TypeVar

from pydantic import BaseModel

__all__ = ["CONFIG_PATH_FIELDS", "base_dir", "resolve", "resolve_config"]

# Settings that name a file or a folder (on any tool's configuration model that has them).
CONFIG_PATH_FIELDS = ("caBundle", "outputFolder", "fileFolder")

M = TypeVar("M", bound=BaseModel)


def _env(provider: Any, name: str) -> str | None:
    try:
        value = getattr(provider.environment, name)
    except Exception:  # not set (the SDK's in-process test service raises RuntimeError)
        return None
    text = str(value).strip() if value is not None else ""
    return text or None


def base_dir(provider: Any) -> str | None:
    """The folder relative paths resolve against: the workflow's, else Designer's temp folder."""
    return _env(provider, "workflow_dir") or _env(provider, "temp_dir")


def _is_absolute(path: str) -> bool:
    return os.path.isabs(path) or path.startswith(("\\\\", "//")) or (
        len(path) > 2 and path[1] == ":" and path[2] in "\\/")  # C:\ on any host


def resolve(path: str, base: str | None) -> str:
    """`path` made absolute against `base` (unchanged when empty, absolute or `base` is None)."""
    text = path.strip()
    if not text:
        return path
    if text.startswith("~"):
        return os.path.expanduser(text)
    if _is_absolute(text) or not base:
        return text
    return os.path.join(base, text)


def resolve_config(config: M, base: str | None) -> M:
    """The configuration with its relative path settings resolved against `base`."""
    if not base:
        return config
    update = {}
    for name in CONFIG_PATH_FIELDS:
        value = getattr(config, name, None)
        if isinstance(value, str) and value.strip():
            resolved = resolve(value, base)
            if resolved != value:
                update[name] = resolved
    return config.model_copy(update=update) if update else config
