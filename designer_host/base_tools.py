"""The small part of Designer's standard tools that the example workflows use.

Text Input, Append Fields, JSON Parse (values into one string field) and Dynamic Input (CSV
files read from a path field), as `designer_host.workflow` runs them; documented in
docs/examples.md. Dev only, like the rest of the host.
"""

from __future__ import annotations

import csv
import json
import xml.etree.ElementTree as ET
from typing import Any

import pyarrow as pa

from ayx_plugins.tools.typed_values import pylist  # DateTime (date64) with the time of day


def _strings(rows: list[list[str | None]], names: list[str]) -> pa.Table:
    cols = {n: pa.array([r[i] if i < len(r) else None for r in rows], pa.string())
            for i, n in enumerate(names)}
    return pa.table(cols) if cols else pa.table({})


def text_input(config: ET.Element) -> pa.Table:
    """What a Text Input tool outputs: its fields, one row per `<r>` (empty cell = null)."""
    names = [f.get("name", "") for f in config.findall("Fields/Field")]
    rows = [[(c.text if c.text else None) for c in r.findall("c")]
            for r in config.findall("Data/r")]
    return _strings(rows, names)


def append_fields(targets: pa.Table, source: pa.Table) -> pa.Table:
    """Append Fields: every target record with every source record's fields appended."""
    rows = [{**t, **s} for t in pylist(targets) for s in pylist(source)]
    names = list(dict.fromkeys([*targets.column_names, *source.column_names]))
    if not rows:
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.Table.from_pylist(rows)


def json_parse(table: pa.Table, config: ET.Element) -> pa.Table:
    """JSON Parse (output values into a single string field): one row per JSON leaf."""
    source = config.findtext("JSON_Field") or ""
    include = config.find("IncludeInOutput")
    keep = include is None or include.get("value", "True") == "True"
    out: list[dict[str, Any]] = []
    for row in table.to_pylist():
        text = row.get(source)
        try:
            value = json.loads(text) if text else None
        except ValueError:
            value = text
        for name, leaf in _leaves(value, ""):
            out.append({**(row if keep else {}), "JSON_Name": name,
                        "JSON_ValueString": None if leaf is None else str(leaf)})
    if not out:
        names = [*(table.column_names if keep else []), "JSON_Name", "JSON_ValueString"]
        return pa.table({n: pa.array([], pa.string()) for n in names})
    return pa.Table.from_pylist(out)


def _leaves(value: Any, prefix: str) -> list[tuple[str, Any]]:
    if isinstance(value, dict):
        items: list[tuple[str, Any]] = list(value.items())
    elif isinstance(value, list):
        items = [(str(i), v) for i, v in enumerate(value)]
    else:
        return [(prefix, value)]
    found: list[tuple[str, Any]] = []
    for key, item in items:
        found.extend(_leaves(item, f"{prefix}.{key}" if prefix else str(key)))
    return found


def dynamic_input(table: pa.Table, config: ET.Element) -> pa.Table:
    """Dynamic Input, "Read a list of data sources" from a path field: CSV files, text fields."""
    path_field = config.findtext("ReadList_Field") or "FullPath"
    out: list[dict[str, Any]] = []
    for row in table.to_pylist():
        path = row.get(path_field)
        if not path:
            continue
        with open(path, newline="", encoding="utf-8-sig") as fh:
            for rec in csv.DictReader(fh):
                out.append({**{k: (v if v != "" else None) for k, v in rec.items()},
                            "FileName": str(path)})
    return pa.Table.from_pylist(out) if out else pa.table({"FileName": pa.array([], pa.string())})
