"""`python -m designer_host.workflow FILE.yxmd [--server URL] ...`: run a saved Designer workflow.

Reads the `.yxmd` (nodes, their saved `Properties/Configuration`, `Connections`), then runs the
tools in dependency order, the way Designer's engine does on an AMP run:
- **Text Input** (`AlteryxBasePluginsGui.TextInput.TextInput`): its `Fields` and `Data/r/c` rows
  become a table of text fields (an empty cell is a null);
- **our tools** (`GuiSettings Plugin="ServerRunner_0_1_0"` or the bare class name): each in its own
  plugin process over the SDK's gRPC protocol (`designer_host.run_tool`), fed the node's
  `<Configuration>` exactly as saved, one table per connected input anchor (`Input`, `Connection`);
- **Browse** (`AlteryxBasePluginsGui.BrowseV2.BrowseV2`): prints what its data grid would show;
- **Append Fields** and **JSON Parse** and **Dynamic Input** (CSV read from a path field): the
  small subset of those standard tools that the examples need, documented in docs/examples.md.

Placeholders: the examples point at `https://your-server.example.com/webapi/` with API key
`YOUR-API-KEY` (and `https://target-server.example.com/webapi/` / `TARGET-API-KEY` for a second
Server). `--server`, `--key`, `--secret` (and `--target-*`) replace them; a tool whose key is a
placeholder gets the secret as Designer stores it (encrypted in `Secrets`). In Designer, a user
types their own Server URL, key and secret into Server Authenticate's panel instead.
"""

from __future__ import annotations

import argparse
import sys
import xml.etree.ElementTree as ET
from collections.abc import Callable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pyarrow as pa

from ayx_plugins.tools.typed_values import pylist  # DateTime (date64) with the time of day
from designer_host.base_tools import append_fields, dynamic_input, json_parse, text_input
from designer_host.designer_config import decrypt, encrypt
from designer_host.host import ToolRun, run_tool

SERVER_PLACEHOLDER = "https://your-server.example.com/webapi/"
KEY_PLACEHOLDER = "YOUR-API-KEY"
TARGET_SERVER_PLACEHOLDER = "https://target-server.example.com/webapi/"
TARGET_KEY_PLACEHOLDER = "TARGET-API-KEY"
OUTPUT_FOLDER_PLACEHOLDER = "C:\\Temp\\ServerOutputs"

TEXT_INPUT = "AlteryxBasePluginsGui.TextInput.TextInput"
BROWSE = "AlteryxBasePluginsGui.BrowseV2.BrowseV2"
APPEND = "AlteryxBasePluginsGui.AppendFields.AppendFields"
JSON_PARSE = "AlteryxBasePluginsGui.JSONParse.JSONParse"
DYNAMIC_INPUT = "AlteryxBasePluginsGui.DynamicInput.DynamicInput"
TEXT_BOX = "AlteryxGuiToolkit.TextBox.TextBox"


@dataclass
class Node:
    """One tool on the canvas."""

    tool_id: str
    plugin: str
    x: float
    y: float
    config: ET.Element
    annotation: str = ""
    width: float | None = None
    height: float | None = None

    @property
    def tool_class(self) -> str | None:
        """Our tool's class when this node is one of ours (`ServerRunner_0_1_0` -> ServerRunner)."""
        from ayx_plugins.tools.specs import BY_CLASS

        name = self.plugin.split("_", 1)[0]
        return name if name in BY_CLASS else None

    def config_xml(self) -> str:
        """The node's `<Configuration>` element as saved."""
        return ET.tostring(self.config, encoding="unicode")


@dataclass(frozen=True)
class Wire:
    """One connection: origin tool/anchor -> destination tool/anchor."""

    origin: str
    origin_anchor: str
    destination: str
    destination_anchor: str
    name: str = ""


@dataclass
class Workflow:
    """A parsed `.yxmd`."""

    nodes: dict[str, Node]
    wires: list[Wire]
    name: str = ""
    amp: bool = False

    def levels(self) -> list[list[Node]]:
        """Nodes in dependency order, in waves that can run side by side (text boxes left out).

        Raises ValueError on a cycle (Designer refuses to run one too).
        """
        pending = {i: {w.origin for w in self.wires if w.destination == i and w.origin in
                       self.nodes} for i in self.nodes}
        waves: list[list[Node]] = []
        while pending:
            ready = sorted((i for i, deps in pending.items() if not deps), key=_id_key)
            if not ready:
                raise ValueError(f"the workflow has a cycle among tools {sorted(pending)}")
            for i in ready:
                del pending[i]
            for deps in pending.values():
                deps.difference_update(ready)
            wave = [self.nodes[i] for i in ready if self.nodes[i].plugin != TEXT_BOX]
            if wave:
                waves.append(wave)
        return waves

    def order(self) -> list[Node]:
        """Nodes in dependency order (ties by tool id), text boxes left out."""
        return [n for wave in self.levels() for n in wave]


def _id_key(tool_id: str) -> tuple[int, str]:
    return (int(tool_id), "") if tool_id.isdigit() else (1 << 30, tool_id)


def _nodes(parent: ET.Element) -> list[ET.Element]:
    found = []
    for node in parent.findall("Node"):
        found.append(node)
        child = node.find("ChildNodes")
        if child is not None:  # tool containers
            found.extend(_nodes(child))
    return found


def parse_workflow(text: str) -> Workflow:
    """Read a `.yxmd` document."""
    root = ET.fromstring(text)
    nodes: dict[str, Node] = {}
    nodes_el = root.find("Nodes")
    for el in _nodes(nodes_el if nodes_el is not None else ET.Element("Nodes")):
        gui = el.find("GuiSettings")
        pos = gui.find("Position") if gui is not None else None
        props = el.find("Properties")
        config = props.find("Configuration") if props is not None else None
        ann = props.find("Annotation") if props is not None else None
        text_ann = ""
        if ann is not None:
            text_ann = (ann.findtext("AnnotationText") or ann.findtext("DefaultAnnotationText")
                        or "")
        width = pos.get("width") if pos is not None else None
        height = pos.get("height") if pos is not None else None
        nodes[el.get("ToolID", "")] = Node(
            tool_id=el.get("ToolID", ""),
            plugin=(gui.get("Plugin", "") if gui is not None else ""),
            x=float(pos.get("x", 0)) if pos is not None else 0.0,
            y=float(pos.get("y", 0)) if pos is not None else 0.0,
            config=config if config is not None else ET.Element("Configuration"),
            annotation=text_ann,
            width=float(width) if width else None,
            height=float(height) if height else None,
        )
    wires = []
    for conn in root.iter("Connection"):
        origin, dest = conn.find("Origin"), conn.find("Destination")
        if origin is None or dest is None:
            continue
        wires.append(Wire(origin.get("ToolID", ""), origin.get("Connection", "Output"),
                          dest.get("ToolID", ""), dest.get("Connection", "Input"),
                          conn.get("name", "")))
    meta_name = root.findtext("Properties/MetaInfo/Name") or ""
    return Workflow(nodes, wires, meta_name, root.get("RunE2") == "T")


# --- running ------------------------------------------------------------------------------------

@dataclass
class WorkflowRun:
    """What a run produced: each tool's outputs and messages, and each Browse's table."""

    outputs: dict[str, dict[str, pa.Table]] = field(default_factory=dict)
    runs: dict[str, ToolRun] = field(default_factory=dict)
    browse: dict[str, pa.Table] = field(default_factory=dict)
    messages: list[tuple[str, str, str]] = field(default_factory=list)  # (tool id, kind, text)

    def errors(self) -> list[str]:
        """Error lines of the Results window, as `tool id: text`."""
        return [f"{tid}: {text}" for tid, kind, text in self.messages if kind == "error"]


def substitute(xml: str, values: Mapping[str, str]) -> str:
    """Replace placeholders in a configuration's text."""
    for old, new in values.items():
        xml = xml.replace(old, new)
    return xml


def _with_secret(config_xml: str, placeholder_key: str, secret: str) -> str:
    """Add Designer's encrypted `Secrets/apiSecret` to a tool keyed with `placeholder_key`."""
    root = ET.fromstring(config_xml)
    if (root.findtext("apiKey") or "") != placeholder_key or root.find("Secrets") is not None:
        return config_xml
    secrets = ET.SubElement(root, "Secrets")
    entry = ET.SubElement(secrets, "apiSecret")
    ET.SubElement(entry, "text").text = encrypt(secret)
    ET.SubElement(entry, "encryptionMode").text = "obfuscation"
    ET.SubElement(entry, "encrypted").text = "true"
    return ET.tostring(root, encoding="unicode")


def run_workflow(
    workflow: Workflow,
    *,
    servers: Mapping[str, tuple[str, str, str]] | None = None,
    values: Mapping[str, str] | None = None,
    python: str = sys.executable,
    timeout: float = 300.0,
    parallel: int = 4,
    workflow_dir: str | Path | None = None,
    on_tool: Callable[[Node, dict[str, pa.Table]], None] | None = None,
) -> WorkflowRun:
    """Run every node in dependency order.

    `servers` maps a key placeholder (`YOUR-API-KEY`, `TARGET-API-KEY`) to `(url, key, secret)`
    for that Server; `values` replaces any other placeholder text in the configurations;
    `parallel` tools of one wave run at once (each in its own plugin process);
    `workflow_dir` is the folder Designer reports as the workflow's (relative paths in the
    tools' options resolve against it), by default a temporary folder.
    """
    result = WorkflowRun()
    replace: dict[str, str] = dict(values or {})
    secrets: dict[str, str] = {}
    for (url_ph, key_ph), (url, key, secret) in _server_pairs(servers or {}).items():
        replace[url_ph] = url
        replace[key_ph] = key
        secrets[key] = secret
    def inputs_of(node: Node) -> dict[str, pa.Table]:
        inputs: dict[str, pa.Table] = {}
        for wire in workflow.wires:
            if wire.destination != node.tool_id:
                continue
            table = result.outputs.get(wire.origin, {}).get(wire.origin_anchor)
            if table is None:
                continue
            anchor = wire.destination_anchor
            inputs[anchor] = (pa.concat_tables([inputs[anchor], table], promote_options="default")
                              if anchor in inputs else table)
        return inputs

    # Designer starts every tool of a wave at once; so does this host (each its own process).
    with ThreadPoolExecutor(max_workers=max(1, parallel)) as pool:
        for wave in workflow.levels():
            runs = {node.tool_id: pool.submit(_run_node, node, inputs_of(node), replace, secrets,
                                              python, timeout, workflow_dir) for node in wave}
            for node in wave:
                outs, run, browse = runs[node.tool_id].result()
                result.outputs[node.tool_id] = outs
                if run is not None:
                    result.runs[node.tool_id] = run
                    result.messages += [(node.tool_id, kind, text) for kind, text in run.messages
                                        if text != "Plugin class successfully loaded."]
                if browse is not None:
                    result.browse[node.tool_id] = browse
                if on_tool is not None:
                    on_tool(node, outs)
    return result


def _server_pairs(servers: Mapping[str, tuple[str, str, str]]
                  ) -> dict[tuple[str, str], tuple[str, str, str]]:
    pairs = {KEY_PLACEHOLDER: SERVER_PLACEHOLDER, TARGET_KEY_PLACEHOLDER: TARGET_SERVER_PLACEHOLDER}
    return {(pairs.get(k, k), k): v for k, v in servers.items()}


def _run_node(node: Node, inputs: dict[str, pa.Table], replace: Mapping[str, str],
              secrets: Mapping[str, str], python: str, timeout: float,
              workflow_dir: str | Path | None = None,
              ) -> tuple[dict[str, pa.Table], ToolRun | None, pa.Table | None]:
    """One node's outputs, its plugin run (our tools) and what it shows (Browse)."""
    if node.plugin == TEXT_INPUT:
        config = ET.fromstring(substitute(node.config_xml(), replace))
        return {"Output": text_input(config)}, None, None
    if node.plugin == BROWSE:
        table = inputs.get("Input")
        return {}, None, table if table is not None else pa.table({})
    if node.plugin == APPEND:
        targets, source = inputs.get("Targets"), inputs.get("Source")
        if targets is None or source is None:
            return {"Output": pa.table({})}, None, None
        return {"Output": append_fields(targets, source)}, None, None
    if node.plugin == JSON_PARSE:
        return {"Output": json_parse(inputs.get("Input", pa.table({})), node.config)}, None, None
    if node.plugin == DYNAMIC_INPUT:
        table = inputs.get("Input", pa.table({}))
        return {"Output": dynamic_input(table, node.config)}, None, None
    tool_class = node.tool_class
    if tool_class is None:
        raise ValueError(f"tool {node.tool_id}: {node.plugin!r} is not a tool this host runs")
    xml = substitute(node.config_xml(), replace)
    for key, secret in secrets.items():
        xml = _with_secret(xml, key, secret)
    constants = {"ToolId": node.tool_id}
    if workflow_dir is not None:
        constants["Engine.WorkflowDirectory"] = str(workflow_dir)
    run = run_tool(tool_class, xml, inputs, python=python, secrets=decrypt, timeout=timeout,
                   engine_constants=constants)
    return dict(run.outputs), run, None


# --- printing -----------------------------------------------------------------------------------

def format_table(table: pa.Table, width: int = 40, hide: tuple[str, ...] = ("AccessToken",)
                 ) -> str:
    """A Browse's data grid as text: a header line, then one line per record."""
    if table.num_columns == 0:
        return "  (no fields)"
    names = table.column_names
    rows = [[_cell(n, v, width, hide) for n, v in zip(names, r.values(), strict=True)]
            for r in pylist(table)]
    widths = [max([len(n), *(len(r[i]) for r in rows)]) for i, n in enumerate(names)]
    lines = ["  " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)).rstrip()]
    lines += ["  " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip()
              for r in rows]
    if not rows:
        lines.append("  (no records)")
    return "\n".join(lines)


def _cell(name: str, value: Any, width: int, hide: tuple[str, ...]) -> str:
    if value is None:
        return "[Null]"
    text = str(value).replace("\n", " ")
    if name in hide:
        return "***"
    return text if len(text) <= width else text[: width - 1] + "…"


def describe(node: Node) -> str:
    """`Browse (7) "annotation"` for headings."""
    label = node.annotation.strip()
    return f"Browse ({node.tool_id})" + (f" {label!r}" if label else "")


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m designer_host.workflow",
                                     description=__doc__.splitlines()[0])
    parser.add_argument("file", help="the .yxmd workflow")
    parser.add_argument("--server", help=f"replaces {SERVER_PLACEHOLDER}")
    parser.add_argument("--key", default="", help=f"replaces {KEY_PLACEHOLDER}")
    parser.add_argument("--secret", default="", help="the API secret for --key")
    parser.add_argument("--target-server", help=f"replaces {TARGET_SERVER_PLACEHOLDER}")
    parser.add_argument("--target-key", default="")
    parser.add_argument("--target-secret", default="")
    parser.add_argument("--set", action="append", default=[], metavar="TEXT=VALUE",
                        help="replace any other text in the configurations (repeatable)")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the plugins")
    parser.add_argument("--timeout", type=float, default=300.0, help="seconds per tool")
    args = parser.parse_args(argv)
    workflow = parse_workflow(Path(args.file).read_text(encoding="utf-8"))
    servers: dict[str, tuple[str, str, str]] = {}
    if args.server:
        servers[KEY_PLACEHOLDER] = (args.server, args.key, args.secret)
    if args.target_server:
        servers[TARGET_KEY_PLACEHOLDER] = (args.target_server, args.target_key,
                                           args.target_secret)
    values = dict(item.split("=", 1) for item in args.set)

    def show(node: Node, outs: dict[str, pa.Table]) -> None:
        if node.plugin == BROWSE:
            return
        if node.tool_class:
            counts = ", ".join(f"{k} {t.num_rows}" for k, t in outs.items())
            print(f"[{node.tool_id}] {node.plugin}: {counts}", flush=True)

    run = run_workflow(workflow, servers=servers, values=values, python=args.python,
                       timeout=args.timeout, on_tool=show,
                       workflow_dir=Path(args.file).resolve().parent)
    for tid, kind, text in run.messages:
        print(f"  ({tid}) {kind.upper():5} {text}")
    for tid, table in run.browse.items():
        print(f"\n=== {describe(workflow.nodes[tid])}: {table.num_rows} records")
        print(format_table(table))
    return 1 if run.errors() else 0


if __name__ == "__main__":
    sys.exit(main())
