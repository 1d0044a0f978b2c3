"""A small Markdown to HTML converter for the help pages: headings, paragraphs, nested lists,
tables, fenced code, inline code, bold, italics and links. What docs/ uses, nothing more."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

Link = Callable[[str], "str | None"]  # a link's target -> where it points, or None: text only


def _keep(url: str) -> str | None:
    return url

_LIST = re.compile(r"^( *)([-*+]|\d+[.)]) +(.*)$")
_HEADING = re.compile(r"^(#{1,6}) +(.*?)#*\s*$")
_TABLE_SEP = re.compile(r"^\|? *:?-+:? *(\| *:?-+:? *)*\|? *$")


def inline(text: str, link: Link = _keep) -> str:
    """Inline Markdown of one block's text (HTML in the text is escaped, never passed on)."""
    parts = re.split(r"(`[^`]*`)", text)
    out = []
    for part in parts:
        if len(part) >= 2 and part.startswith("`") and part.endswith("`"):
            out.append(f"<code>{html.escape(part[1:-1], quote=False)}</code>")
            continue
        s = html.escape(part, quote=False)
        s = re.sub(r"\[([^\]]+)\]\(([^)\s]+)\)", lambda m: _anchor(m[1], m[2], link), s)
        s = re.sub(r"\*\*(.+?)\*\*", r"<strong>\1</strong>", s)
        s = re.sub(r"(?<![\w*])\*(?!\s)(.+?)(?<!\s)\*(?![\w*])", r"<em>\1</em>", s)
        out.append(s)
    return "".join(out)


def _anchor(text: str, url: str, link: Link) -> str:
    target = link(html.unescape(url))
    return text if target is None else f'<a href="{html.escape(target)}">{text}</a>'


def _cells(line: str) -> list[str]:
    line = line.strip()
    if line.startswith("|"):
        line = line[1:]
    if line.endswith("|"):
        line = line[:-1]
    return [c.strip() for c in line.split("|")]


def _list_block(lines: list[str], start: int, link: Link) -> tuple[str, int]:
    """One list (and its nested lists) starting at `start`: (html, index after it)."""
    first = _LIST.match(lines[start])
    assert first is not None
    indent = len(first[1])
    tag = "ol" if first[2][0].isdigit() else "ul"
    items: list[list[str]] = []
    i = start
    while i < len(lines):
        line = lines[i]
        m = _LIST.match(line)
        depth = len(line) - len(line.lstrip())
        if m and len(m[1]) == indent:
            items.append([m[3]])
        elif not line.strip():
            nxt = lines[i + 1] if i + 1 < len(lines) else ""
            if not nxt.strip() or len(nxt) - len(nxt.lstrip()) < indent or (
                    len(nxt) - len(nxt.lstrip()) == indent and not _LIST.match(nxt)):
                break
            items[-1].append("")
        elif depth > indent:
            items[-1].append(line[min(depth, indent + 2):])
        else:
            break
        i += 1
    body = []
    for item in items:
        inner = to_html("\n".join(item), link).strip()
        if inner.startswith("<p>") and inner.count("<p>") == 1:
            inner = inner[3:].replace("</p>", "", 1)
        body.append(f"<li>{inner}</li>")
    return f"<{tag}>\n" + "\n".join(body) + f"\n</{tag}>", i


def to_html(text: str, link: Link = _keep) -> str:
    """Markdown text to an HTML fragment; `link` rewrites (or drops) each link's target."""
    lines = text.replace("\r\n", "\n").split("\n")
    out: list[str] = []
    para: list[str] = []

    def flush() -> None:
        if para:
            out.append(f"<p>{inline(' '.join(s.strip() for s in para), link)}</p>")
            para.clear()

    i = 0
    while i < len(lines):
        line = lines[i]
        if line.strip().startswith("```"):
            flush()
            j = i + 1
            while j < len(lines) and not lines[j].strip().startswith("```"):
                j += 1
            code = "\n".join(lines[i + 1:j])
            out.append(f"<pre><code>{html.escape(code, quote=False)}</code></pre>")
            i = j + 1
            continue
        heading = _HEADING.match(line)
        if heading:
            flush()
            level = len(heading[1])
            out.append(f"<h{level}>{inline(heading[2], link)}</h{level}>")
            i += 1
            continue
        if line.lstrip().startswith("|") and i + 1 < len(lines) and _TABLE_SEP.match(
                lines[i + 1].strip()):
            flush()
            head = "".join(f"<th>{inline(c, link)}</th>" for c in _cells(line))
            rows = []
            i += 2
            while i < len(lines) and lines[i].lstrip().startswith("|"):
                cells = "".join(f"<td>{inline(c, link)}</td>" for c in _cells(lines[i]))
                rows.append(f"<tr>{cells}</tr>")
                i += 1
            out.append(f"<table>\n<tr>{head}</tr>\n" + "\n".join(rows) + "\n</table>")
            continue
        if _LIST.match(line) and (not para or not line.startswith(" ")):
            flush()
            block, i = _list_block(lines, i, link)
            out.append(block)
            continue
        if not line.strip():
            flush()
        else:
            para.append(line)
        i += 1
    flush()
    return "\n".join(out) + "\n"
