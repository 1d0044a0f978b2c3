"""Per-tool help pages shipped in each tool's folder (`help.html`, what GuiSettings@Help names).

The text comes from `docs/tools/<ToolClass>.md` when that page exists, else from the tool's part
of `docs/tools.md` (its bullet under "The tools", its row of the table, and "Shared behaviour").
"""

from __future__ import annotations

import html
import re
from pathlib import Path
from types import ModuleType
from typing import TYPE_CHECKING

from yxi_build.markdown import to_html
from yxi_build.project import DOCS

if TYPE_CHECKING:
    from ayx_plugins.tools.specs import ToolSpec

STYLE = """body{font-family:Segoe UI,Arial,sans-serif;font-size:14px;line-height:1.45;margin:16px;
max-width:820px;color:#222}code{background:#f2f2f2;padding:0 3px}pre{background:#f2f2f2;padding:8px;
overflow:auto}table{border-collapse:collapse}td,th{border:1px solid #ccc;padding:3px 6px;
text-align:left}h1{font-size:22px}h2{font-size:18px;margin-top:24px}"""


def _section(markdown: str, title: str) -> str:
    """The body of the `## <title>` section of a Markdown page ('' when absent)."""
    m = re.search(rf"^## +{re.escape(title)}\s*$(.*?)(?=^## |\Z)", markdown, re.M | re.S)
    return m[1].strip() if m else ""


def short_names(tool: ToolSpec) -> set[str]:
    """How docs/tools.md names a tool in its bullets: 'Runner', 'Job Status', 'GET', ..."""
    name = tool.display_name.removeprefix("Server ").strip()
    return {name, *( [tool.method] if tool.method else [])}


def tool_markdown(tool: ToolSpec, tools_md: str) -> str:
    """The tool's own text from docs/tools.md: its bullet and its table row."""
    body = _section(tools_md, "The tools")
    names = short_names(tool)
    picked: list[str] = []
    for bullet in re.split(r"\n(?=- )", body):
        m = re.match(r"- \*\*([^*]+)\*\*", bullet)
        if m and names & {part.strip() for part in m[1].split("/")}:
            picked.append(bullet.strip())
    rows = [line for line in body.splitlines() if line.startswith("|")]
    table = rows[:2] + [r for r in rows[2:] if any(
        n in {p.strip() for p in _row_name(r).removeprefix("Server ").split("/")} for n in names)]
    parts = []
    if len(table) > 2:
        parts.append("\n".join(table))
    parts += picked
    return "\n\n".join(parts)


def _row_name(row: str) -> str:
    cells = row.strip().strip("|").split("|")
    return cells[0].strip() if cells else ""


def _anchors_markdown(tool: ToolSpec) -> str:
    lines = ["## Anchors", ""]
    for kind, anchors in (("Input", tool.inputs), ("Output", tool.outputs)):
        for a in anchors:
            optional = " (optional)" if a.optional else ""
            lines.append(f"- {kind} **{a.label}** `{a.name}`{optional}: {a.description}")
    return "\n".join(lines)


def help_markdown(tool: ToolSpec, docs: Path = DOCS) -> str:
    """The Markdown a tool's help page is made from."""
    own = docs / "tools" / f"{tool.class_name}.md"
    if own.is_file():
        return own.read_text(encoding="utf-8")
    tools_md = (docs / "tools.md").read_text(encoding="utf-8") if (docs / "tools.md").is_file() \
        else ""
    parts = [f"# {tool.display_name}", tool.description + ".", _anchors_markdown(tool)]
    mine = tool_markdown(tool, tools_md)
    if mine:
        parts += ["## What it does", mine]
    shared = _section(tools_md, "Shared behaviour")
    if shared:
        parts += ["## What every Server tool does", shared]
    return "\n\n".join(parts) + "\n"


def link_target(specs: ModuleType, url: str) -> str | None:
    """Where a docs link points from inside the YXI: web links stay, a link to another tool's
    page goes to that tool's help.html, an anchor stays; other repository files are not
    shipped, so such a link becomes its text."""
    if "://" in url or url.startswith(("mailto:", "#")):
        return url
    path, _, fragment = url.partition("#")
    name = Path(path).name
    if name.endswith(".md") and Path(name).stem in specs.BY_CLASS:
        target = f"../{specs.BY_CLASS[Path(name).stem].folder}/help.html"
        return target + (f"#{fragment}" if fragment else "")
    return None


def help_html(specs: ModuleType, tool: ToolSpec, docs: Path = DOCS) -> bytes:
    """A self-contained HTML page (no scripts, no external files) for one tool."""
    body = to_html(help_markdown(tool, docs), lambda url: link_target(specs, url))
    title = html.escape(f"{tool.display_name} - {specs.PACKAGE_NAME} {specs.VERSION}")
    return (f'<!DOCTYPE html>\n<html lang="en">\n<head>\n<meta charset="utf-8">\n'
            f"<title>{title}</title>\n<style>{STYLE}</style>\n</head>\n<body>\n{body}"
            f"<hr>\n<p><small>{html.escape(specs.PACKAGE_NAME)} {html.escape(specs.VERSION)}"
            f"</small></p>\n</body>\n</html>\n").encode()
