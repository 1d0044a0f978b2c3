"""Build the Designer configuration panels into ui/dist/<ToolClass>/ (index.html + app.js).

Run with the project's Python (`.venv-3.13/bin/python ui/build.py`): it writes the tool table,
the configuration JSON Schemas (from `ayx_plugins.tools.config`) and the endpoint catalogue the
Python side uses into `ui/src/generated/` (gitignored), runs `npm ci` when node_modules is
missing or older than the lockfile, then `npm run build`. `build_yxi.py` calls `build()`.
"""

from __future__ import annotations

import argparse
import ast
import hashlib
import json
import os
import re
import shutil
import subprocess
import sys
from pathlib import Path
from typing import Any

UI = Path(__file__).resolve().parent
ROOT = UI.parent
GENERATED = UI / "src" / "generated"
DIST = UI / "dist"
FILES = ("index.html", "app.js")  # what each dist/<ToolClass>/ must hold

if str(ROOT) not in sys.path:  # run as a script from any directory
    sys.path.insert(0, str(ROOT))

from ayx_plugins.tools import config, specs  # noqa: E402

_PLACEHOLDER = re.compile(r"{([^}/]+)}")


def _camel(name: str) -> str:
    head, *rest = name.split("_")
    return head + "".join(part[:1].upper() + part[1:] for part in rest)


def _names(value: Any) -> list[str]:
    """A catalogue list (of names, or of dicts/objects with a name) as plain names."""
    out: list[str] = []
    for item in value or []:
        if isinstance(item, str):
            out.append(item)
        elif isinstance(item, dict):
            out.append(str(item.get("name") or item.get("wire") or ""))
        else:
            out.append(str(getattr(item, "name", item)))
    return [n for n in out if n]


def _endpoint_entry(op: dict[str, Any]) -> dict[str, Any]:
    path = str(op["path"])
    required = {_camel(r) for r in _names(op.get("required"))} | set(_names(op.get("required")))
    query = _names(op.get("query"))
    form = _names(op.get("form"))
    return {
        "name": op["name"],
        "method": op["method"].upper(),
        "path": path.lstrip("/"),
        "summary": op.get("summary") or "",
        "pathParams": _PLACEHOLDER.findall(path),
        "query": [{"name": q, "required": q in required} for q in query],
        "form": [{"name": f, "required": f in required} for f in form],
        "files": _names(op.get("files")),
        "body": bool(_names(op.get("body"))),
        "bodyRequired": any(b in required for b in _names(op.get("body"))),
    }


def _raw_ops() -> list[dict[str, Any]]:
    """The operations of the catalogue's data file (which also lists required parameters)."""
    data = ROOT / "ayx_plugins" / "server_api" / "data"
    for path in sorted(data.glob("*.json")):
        doc = json.loads(path.read_text(encoding="utf-8"))
        if isinstance(doc, dict) and isinstance(doc.get("operations"), list):
            return [dict(op, name=op.get("name") or op["op"]) for op in doc["operations"]]
    raise SystemExit(f"no endpoint catalogue found under {data.relative_to(ROOT)}")


def _catalogue_ops() -> list[dict[str, Any]]:
    """The Python side's endpoint catalogue, as plain dicts."""
    raw = _raw_ops()
    required = {op["name"]: op.get("required") or [] for op in raw}
    try:
        from ayx_plugins.server_api.catalogue import load_catalogue
    except ImportError:
        load_catalogue = None
    if load_catalogue is not None:
        ops = []
        for ep in load_catalogue().all():
            ops.append({
                "name": ep.name, "method": ep.method, "path": ep.path, "summary": ep.summary,
                "query": getattr(ep, "query", []), "form": getattr(ep, "form", []),
                "files": getattr(ep, "files", []), "body": getattr(ep, "body", []),
                "required": getattr(ep, "required", None) or required.get(ep.name, []),
            })
        return ops
    return raw  # without the catalogue module, the same data file it loads


def _engine_constants(*names: str) -> list[str]:
    """String constants of ayx_plugins/tools/engine.py (the fields Authenticate writes and the
    other tools read), read without importing it: the engine needs the SDK, the build must not."""
    tree = ast.parse((ROOT / "ayx_plugins" / "tools" / "engine.py").read_text(encoding="utf-8"))
    found: dict[str, str] = {}
    for node in tree.body:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            found[node.targets[0].id] = node.value.value
    missing = [n for n in names if n not in found]
    if missing:
        raise SystemExit(f"ayx_plugins/tools/engine.py no longer defines {missing}")
    return [found[n] for n in names]


def generate() -> None:
    """Write the tool table, the configuration schemas and the endpoint lists for the panels."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    tools = [
        {
            "className": t.class_name, "displayName": t.display_name,
            "description": t.description, "method": t.method,
            "inputs": [{"name": a.name, "label": a.label, "optional": a.optional}
                       for a in t.inputs],
            "outputs": [a.name for a in t.outputs],
        }
        for t in specs.TOOLS
    ]
    names = _engine_constants("SERVER_URL", "ACCESS_TOKEN")
    meta = {"incomingConnectionFields": names,
            "version": specs.VERSION, "helpUrl": specs.HELP_URL, "secretKey": config.SECRET_KEY,
            "category": specs.CATEGORY}
    endpoints: dict[str, list[dict[str, Any]]] = {}
    for op in _catalogue_ops():
        entry = _endpoint_entry(op)
        endpoints.setdefault(entry["method"], []).append(entry)
    for items in endpoints.values():
        items.sort(key=lambda e: (e["path"], e["name"]))
    outputs = {
        "tools.json": {"tools": tools, **meta},
        "schemas.json": config.json_schemas(),
        "endpoints.json": endpoints,
    }
    for name, doc in outputs.items():
        text = json.dumps(doc, indent=1, sort_keys=True) + "\n"
        target = GENERATED / name
        if not target.exists() or target.read_text(encoding="utf-8") != text:
            target.write_text(text, encoding="utf-8")


def _npm() -> str:
    npm = shutil.which("npm")
    if not npm:
        raise SystemExit("npm not found: install Node.js 18+ to build the panels")
    return npm


def ensure_node_modules() -> None:
    """`npm ci` when node_modules is missing or was installed from another lockfile."""
    lock = UI / "package-lock.json"
    # Same stamp as ./dev's ensure_ui, so either one notices the other's install.
    stamp = hashlib.sha256(lock.read_bytes()).hexdigest()[:16]
    marker = UI / "node_modules" / ".stamp"
    if marker.exists() and marker.read_text().strip() == stamp:
        return
    subprocess.run([_npm(), "ci", "--no-audit", "--no-fund", "--loglevel=error"], cwd=UI,
                   check=True)
    marker.write_text(stamp + "\n")


def build(*, install: bool = True) -> Path:
    """Generate, install and build; returns ui/dist."""
    generate()
    if install:
        ensure_node_modules()
    env = dict(os.environ, NODE_ENV="production")
    subprocess.run([_npm(), "run", "--silent", "build"], cwd=UI, check=True, env=env)
    for tool in specs.TOOLS:
        for name in FILES:
            if not (DIST / tool.class_name / name).is_file():
                raise SystemExit(f"build did not produce dist/{tool.class_name}/{name}")
    return DIST


def main(argv: list[str] | None = None) -> int:
    """Command line: build everything, or only the generated sources."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--generate-only", action="store_true",
                        help="write ui/src/generated/ and stop")
    parser.add_argument("--no-install", action="store_true", help="never run npm ci")
    args = parser.parse_args(argv)
    if args.generate_only:
        generate()
        return 0
    dist = build(install=not args.no_install)
    print(f"panels built in {dist}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
