"""Paths built from untrusted values: URL path segments and files under a chosen folder.

A value that becomes one URL path segment (a job id, a workflow id) must stay one segment:
`.`/`..` (which HTTP clients collapse, reaching another endpoint) and separators are refused
before any request. A file or folder name that comes from the Server (a job id, an output file
name) must resolve inside the folder the user chose, or the record fails.
"""

from __future__ import annotations

import os
from pathlib import Path
from urllib.parse import quote, unquote

from .errors import ApiError

__all__ = ["PathEscapeError", "contained_path", "path_segment"]


class PathEscapeError(ApiError):
    """A value would change a request path's shape, or a file path would leave its folder."""


def path_segment(value: object, what: str = "value") -> str:
    """`value` percent-encoded as exactly one path segment; refuses `.`, `..`, empty, `/`, `\\`."""
    text = "" if value is None else str(value)
    decoded = unquote(text)
    if (
        not text.strip()
        or decoded.strip() in (".", "..")
        or any(c in decoded for c in "/\\")
        or any(ord(c) < 32 for c in decoded)
    ):
        raise PathEscapeError(
            f"the {what} {text!r} is not a single path segment (it is empty, '.', '..', or holds "
            "'/' or '\\'): refused before any request"
        )
    return quote(text, safe="")


def contained_path(folder: str | os.PathLike[str], *parts: str, what: str = "path") -> Path:
    """`folder/part/...` resolved, refused unless it lies inside the resolved `folder`.

    Each part is one name (a job id, a file name): a separator, `.`/`..` or a drive in it is
    refused on every OS, so a name that is harmless here cannot escape on Windows.
    """
    for part in parts:
        text = str(part)
        if (not text.strip() or text.strip() in (".", "..") or any(c in text for c in "/\\")
                or ":" in text or any(ord(c) < 32 for c in text)):
            raise PathEscapeError(
                f"the {what} {text!r} from the Server is not a plain file or folder name "
                f"(it could be written outside the output folder {str(folder)!r}): refused"
            )
    base = Path(folder).resolve()
    target = base.joinpath(*parts).resolve()
    if target != base and base not in target.parents:
        raise PathEscapeError(
            f"the {what} {os.path.join(*parts)!r} from the Server would be written outside the "
            f"output folder {str(base)!r}: refused"
        )
    if target == base and parts:
        raise PathEscapeError(f"the {what} {os.path.join(*parts)!r} names the output folder itself")
    return target
