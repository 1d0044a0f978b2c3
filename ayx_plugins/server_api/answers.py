"""Reading an answer's body (capped, bounded in time) and judging a 2xx answer's content.

A 2xx HTML page where the API sends JSON is a proxy or single sign-on page (or, on
/gallery/api/, a 2022.1+ Server without the legacy API), and JSON that does not parse is a cut-off
or broken answer: both are errors, never a success.
"""

from __future__ import annotations

import html
import json
import re
from collections.abc import Callable
from typing import IO, Any
from urllib.parse import urlsplit, urlunsplit

import requests
import urllib3.exceptions

from .errors import (
    LEGACY_REMOVED,
    LegacyApiRemovedError,
    ResponseTooLargeError,
    TransportError,
    UnexpectedAnswerError,
)

__all__ = [
    "DEFAULT_MAX_BODY_BYTES",
    "DEFAULT_MAX_DOWNLOAD_BYTES",
    "BodyDeadlineError",
    "check_answer",
    "html_title",
    "read_body",
    "stream_body",
    "write_body",
]

DEFAULT_MAX_BODY_BYTES = 32 * 1024 * 1024  # an answer read into memory (JSON, text)
DEFAULT_MAX_DOWNLOAD_BYTES = 256 * 1024 * 1024  # a file streamed to disk
_CHUNK = 64 * 1024
_HTML_START = re.compile(rb"^\s*(<!doctype\s+html|<html|<head|<body)", re.IGNORECASE)
_TITLE = re.compile(r"<title[^>]*>(.*?)</title>", re.IGNORECASE | re.DOTALL)


def redacted(url: str) -> str:
    """A URL without its query (OAuth 1.0a signatures live there)."""
    parts = urlsplit(url)
    return urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))


class BodyDeadlineError(Exception):
    """The answer did not finish arriving before the request's deadline (internal)."""


def _chunks(response: requests.Response) -> Any:
    raw = response.raw
    read1 = getattr(raw, "read1", None)
    if callable(read1):  # urllib3 2.3+: returns what has arrived, so a slow drip cannot stall
        while True:
            chunk = read1(_CHUNK, decode_content=True)
            if not chunk:
                return
            yield chunk
    else:
        yield from response.iter_content(_CHUNK)


def stream_body(
    response: requests.Response,
    sink: Callable[[bytes], Any],
    *,
    limit: int,
    deadline: float | None = None,
    clock: Callable[[], float] | None = None,
) -> int:
    """Feed the decoded body to `sink` chunk by chunk; the number of bytes.

    Raises ResponseTooLargeError past `limit` decoded bytes (a gzip bomb stops there) and
    BodyDeadlineError past `deadline` (by `clock`); transport errors propagate as they are.
    """
    total = 0
    for chunk in _chunks(response):
        total += len(chunk)
        if total > limit:
            raise ResponseTooLargeError(
                f"the Server's answer is larger than {limit // (1024 * 1024)} MB (decoded): not "
                "read further; ask for less (paging, a filter) or raise the size limit",
                limit=limit,
                status=response.status_code,
            )
        sink(chunk)
        if deadline is not None and clock is not None and clock() > deadline:
            raise BodyDeadlineError()
    return total


def read_body(
    response: requests.Response,
    *,
    limit: int = DEFAULT_MAX_BODY_BYTES,
    deadline: float | None = None,
    clock: Callable[[], float] | None = None,
) -> bytes:
    """Read the whole body into `response` (so `.content`/`.text` work) and return it."""
    parts: list[bytes] = []
    stream_body(response, parts.append, limit=limit, deadline=deadline, clock=clock)
    content = b"".join(parts)
    response._content = content  # what requests itself sets once it has read the body
    response._content_consumed = True  # type: ignore[attr-defined]
    return content


def write_body(
    response: requests.Response, fh: IO[bytes], *, limit: int = DEFAULT_MAX_DOWNLOAD_BYTES
) -> int:
    """Stream the body into an open binary file; the number of bytes written.

    A connection cut mid-body is a TransportError, a body past `limit` a ResponseTooLargeError
    (never a `requests`/`urllib3` exception); an error writing the file stays an OSError.
    """
    try:
        return stream_body(response, fh.write, limit=limit)
    except (requests.RequestException, urllib3.exceptions.HTTPError) as exc:
        url = redacted(response.url or "")
        raise TransportError(
            f"the download from {url} was cut off ({type(exc).__name__}): the connection closed "
            "before the whole file arrived",
            method=response.request.method if response.request else None,
            url=url,
        ) from None


def html_title(text: str) -> str | None:
    """The <title> of an HTML page, unescaped and trimmed, if it has one."""
    match = _TITLE.search(text)
    if not match:
        return None
    title = " ".join(html.unescape(re.sub(r"<[^>]+>", "", match.group(1))).split())
    return title[:120] or None


def looks_like_html(content: bytes, content_type: str) -> bool:
    """True for an HTML document (by Content-Type or by how the body starts)."""
    return "text/html" in content_type.lower() or bool(_HTML_START.match(content[:512]))


def check_answer(
    response: requests.Response,
    content: bytes,
    *,
    legacy: bool = False,
    where: str = "",
) -> None:
    """Raise for a 2xx answer the API never sends: an HTML page, or JSON that does not parse.

    `legacy`: the request went to /gallery/api/ (a 2xx HTML page there is the 2022.1+ Server's
    web app, not the removed API). `where` is " (METHOD url)" for the message.
    """
    if not content.strip():
        return
    ctype = (response.headers.get("Content-Type") or "").lower()
    status = response.status_code
    kw: dict[str, Any] = {"status": status, "body": None}
    if looks_like_html(content, ctype):
        title = html_title(content[:65536].decode("utf-8", "replace"))
        named = f"an HTML page titled {title!r}" if title else "an HTML page"
        if legacy:
            raise LegacyApiRemovedError(
                f"HTTP {status}{where}: the Server answered with {named}, not the API: "
                f"{LEGACY_REMOVED} (or a proxy or single sign-on page is in the way)",
                **kw,
            )
        raise UnexpectedAnswerError(
            f"the Server answered with {named} — a proxy or single sign-on is in the way"
            f"{where}: the API answers JSON; ask for direct access to the Server's API, or use the "
            "Server's own URL",
            page_title=title,
            kind="html",
            **kw,
        )
    try:
        text = content.decode(response.encoding or "utf-8", "replace")
    except LookupError:  # a charset Python does not know
        text = content.decode("utf-8", "replace")
    text = text.lstrip("\ufeff").strip()
    # Only a body that starts a JSON object or array must parse: some endpoints answer a bare
    # id as text, even under a JSON content type.
    if text[:1] in ("{", "["):
        try:
            json.loads(text)
        except ValueError:
            raise UnexpectedAnswerError(
                f"the Server's JSON answer{where} is cut off or malformed ({len(content)} bytes): "
                "nothing was taken from it; try again, and if it persists ask the Server admin "
                "(a proxy may be cutting answers)",
                kind="bad_json",
                **kw,
            ) from None
