"""Draw a `.yxmd` canvas as a picture: tool icons at their saved positions, connections between
anchors, each tool's annotation, and the workflow's text boxes.

The canvas is written as SVG (our tools' icons from `assets/icons/`, the standard tools as
labelled tiles) and rasterised to PNG by headless Chromium through Playwright, both already in
the dev environment (`tests/ui` uses them). `python examples/render.py FILE.yxmd... --out DIR`.
"""

from __future__ import annotations

import argparse
import base64
import os
import sys
from pathlib import Path
from xml.sax.saxutils import escape

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from ayx_plugins.tools.specs import BY_CLASS  # noqa: E402
from designer_host.workflow import (  # noqa: E402
    APPEND,
    BROWSE,
    DYNAMIC_INPUT,
    JSON_PARSE,
    TEXT_BOX,
    TEXT_INPUT,
    Node,
    Workflow,
    parse_workflow,
)

ICON = 48  # px on the canvas (Designer draws tools at about this size at 100 %)
PAD = 40
CHROMIUM = os.environ.get("CHROMIUM", "/usr/bin/chromium")

# Standard tools: (short label, colour, input anchors, output anchors), in Designer's palette
# colours (In/Out green, Join purple, Developer blue-grey, Browse green).
STANDARD = {
    TEXT_INPUT: ("Text\nInput", "#4c9b45", (), ("Output",)),
    BROWSE: ("Browse", "#4c9b45", ("Input",), ()),
    APPEND: ("Append\nFields", "#8a5bb5", ("Targets", "Source"), ("Output",)),
    JSON_PARSE: ("JSON\nParse", "#3f6f8f", ("Input",), ("Output",)),
    DYNAMIC_INPUT: ("Dynamic\nInput", "#3f6f8f", ("Input",), ("Output",)),
}
SHORT = {"Targets": "T", "Source": "S", "Input": "", "Output": ""}


def _anchors(node: Node, wf: Workflow) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    """(name, label) of the input and output anchors drawn for a node."""
    spec = BY_CLASS.get(node.tool_class or "")
    if spec is not None:
        used_in = {w.destination_anchor for w in wf.wires if w.destination == node.tool_id}
        ins = [(a.name, a.label) for a in spec.inputs if not a.optional or a.name in used_in]
        for wire_anchor in sorted(used_in - {a.name for a in spec.inputs}):
            ins.append((wire_anchor, wire_anchor[:1]))  # an anchor this build's specs lack
        return ins, [(a.name, a.label) for a in spec.outputs]
    _, _, ins_s, outs_s = STANDARD.get(node.plugin, ("", "", ("Input",), ("Output",)))
    return ([(a, SHORT.get(a, a[:1])) for a in ins_s], [(a, SHORT.get(a, a[:1])) for a in outs_s])


def _anchor_y(node: Node, index: int, count: int) -> float:
    if count <= 1:
        return node.y + ICON / 2
    return node.y + 8 + index * (ICON - 16) / (count - 1)


def _icon(node: Node) -> str:
    if node.tool_class:
        data = (ROOT / "assets" / "icons" / f"{node.tool_class}.png").read_bytes()
        href = "data:image/png;base64," + base64.b64encode(data).decode()
        return (f'<image href="{href}" x="{node.x}" y="{node.y}" width="{ICON}" '
                f'height="{ICON}" />')
    label, colour, _, _ = STANDARD.get(node.plugin, (node.plugin.rsplit(".", 1)[-1][:8],
                                                     "#777", (), ()))
    lines = label.split("\n")
    text = "".join(
        f'<tspan x="{node.x + ICON / 2}" dy="{0 if i == 0 else 11}">{escape(line)}</tspan>'
        for i, line in enumerate(lines))
    top = node.y + ICON / 2 + 4 - 5.5 * (len(lines) - 1)
    return (f'<rect x="{node.x}" y="{node.y}" width="{ICON}" height="{ICON}" rx="8" '
            f'fill="{colour}" />'
            f'<text x="{node.x + ICON / 2}" y="{top}" font-size="10" fill="#fff" '
            f'font-weight="bold" text-anchor="middle">{text}</text>')


def _wrap(text: str, width: int) -> list[str]:
    lines: list[str] = []
    for para in text.split("\n"):
        line = ""
        for word in para.split():
            if line and len(line) + 1 + len(word) > width:
                lines.append(line)
                line = word
            else:
                line = f"{line} {word}".strip()
        lines.append(line)
    return lines


def to_svg(wf: Workflow, title: str = "") -> str:
    """The canvas as an SVG document."""
    nodes = list(wf.nodes.values())
    tools = [n for n in nodes if n.plugin != TEXT_BOX]
    boxes = [n for n in nodes if n.plugin == TEXT_BOX]
    min_x = min([n.x for n in nodes], default=0) - PAD
    min_y = min([n.y for n in nodes], default=0) - PAD - (28 if title else 0)
    max_x = max([n.x + (n.width or ICON) for n in nodes], default=0) + PAD + 40
    max_y = max([n.y + (n.height or ICON) for n in nodes], default=0) + PAD + 40
    parts: list[str] = []
    if title:
        parts.append(f'<text x="{min_x + PAD / 2}" y="{min_y + 26}" font-size="16" '
                     f'font-weight="bold" fill="#1d2b36">{escape(title)}</text>')
    for box in boxes:
        w, h = box.width or 200, box.height or 40
        text = box.config.findtext("Text") or ""
        lines = _wrap(text, max(10, int(w / 6.2)))
        parts.append(f'<rect x="{box.x}" y="{box.y}" width="{w}" height="{h}" fill="#fffbe6" '
                     f'stroke="#c9b458" />')
        for i, line in enumerate(lines):
            parts.append(f'<text x="{box.x + 6}" y="{box.y + 14 + i * 13}" font-size="11" '
                         f'fill="#333">{escape(line)}</text>')
    anchors = {n.tool_id: _anchors(n, wf) for n in tools}
    for wire in wf.wires:
        o, d = wf.nodes.get(wire.origin), wf.nodes.get(wire.destination)
        if o is None or d is None:
            continue
        outs, ins = anchors[o.tool_id][1], anchors[d.tool_id][0]
        oi = next((i for i, (a, _) in enumerate(outs) if a == wire.origin_anchor), 0)
        di = next((i for i, (a, _) in enumerate(ins) if a == wire.destination_anchor), 0)
        x1, y1 = o.x + ICON + 7, _anchor_y(o, oi, len(outs))
        x2, y2 = d.x - 7, _anchor_y(d, di, len(ins))
        bend = max(30.0, abs(x2 - x1) / 2)
        colour = "#c0392b" if wire.origin_anchor == "Failure" else (
            "#7d5ba6" if wire.destination_anchor == "Connection" else "#555")
        dash = ' stroke-dasharray="5,3"' if wire.destination_anchor == "Connection" else ""
        parts.append(f'<path d="M{x1},{y1} C{x1 + bend},{y1} {x2 - bend},{y2} {x2},{y2}" '
                     f'fill="none" stroke="{colour}" stroke-width="1.6"{dash} />')
    for node in tools:
        parts.append(_icon(node))
        ins, outs = anchors[node.tool_id]
        for side, items in (("in", ins), ("out", outs)):
            for i, (_, label) in enumerate(items):
                y = _anchor_y(node, i, len(items))
                x = node.x - 7 if side == "in" else node.x + ICON + 7
                tip = x + 6 if side == "in" else x
                parts.append(f'<polygon points="{tip - 6},{y - 5} {tip},{y} {tip - 6},{y + 5}" '
                             'fill="#fff" stroke="#555" />')
                if label:
                    lx = x - 9 if side == "in" else x + 3
                    anchor = "end" if side == "in" else "start"
                    parts.append(f'<text x="{lx}" y="{y - 6}" font-size="9" fill="#333" '
                                 f'text-anchor="{anchor}">{escape(label)}</text>')
        if node.annotation:
            for i, line in enumerate(_wrap(node.annotation, 18)):
                parts.append(f'<text x="{node.x + ICON / 2}" y="{node.y + ICON + 14 + i * 12}" '
                             f'font-size="10.5" fill="#1d2b36" text-anchor="middle">'
                             f"{escape(line)}</text>")
    width, height = max_x - min_x, max_y - min_y
    return (f'<svg xmlns="http://www.w3.org/2000/svg" width="{width:.0f}" height="{height:.0f}" '
            f'viewBox="{min_x} {min_y} {width} {height}" font-family="Segoe UI, Arial, '
            f'sans-serif"><rect x="{min_x}" y="{min_y}" width="{width}" height="{height}" '
            f'fill="#f7f9fb" />' + "".join(parts) + "</svg>")


def render_files(files: list[Path], out_dir: Path, titles: dict[str, str] | None = None
                 ) -> list[Path]:
    """Render each `.yxmd` to `out_dir/<stem>.png` (one Chromium for all)."""
    from playwright.sync_api import sync_playwright

    written = []
    with sync_playwright() as pw:
        browser = pw.chromium.launch(executable_path=CHROMIUM, headless=True,
                                     args=["--no-sandbox", "--disable-gpu"])
        try:
            page = browser.new_page(device_scale_factor=1.5)
            for path in files:
                wf = parse_workflow(path.read_text(encoding="utf-8"))
                svg = to_svg(wf, (titles or {}).get(path.stem, wf.name))
                page.set_content("<html><body style='margin:0'>" + svg + "</body></html>")
                target = out_dir / f"{path.stem}.png"
                page.locator("svg").screenshot(path=str(target))
                written.append(target)
        finally:
            browser.close()
    return written


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("files", nargs="+", type=Path)
    parser.add_argument("--out", type=Path, default=ROOT / "docs" / "img" / "examples")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    for path in render_files(args.files, args.out):
        print(path)
    return 0


if __name__ == "__main__":
    sys.exit(main())
