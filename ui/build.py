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


# The endpoint picker's groups, by the path's first resource segment (Designer users think in
# Server objects, not in API families); "v1" and the legacy Gallery APIs get their own groups.
_GROUPS = {
    "workflows": "Workflows", "jobs": "Jobs", "users": "Users", "usergroups": "User groups",
    "collections": "Collections", "schedules": "Schedules", "credentials": "Credentials",
    "serverDataConnections": "Server connections", "dcm": "DCM", "DCMEConnections": "DCM",
    "subscriptions": "Studios (subscriptions)",
}

# Operations whose JSON body contract the op name does not spell (the rest: <Verb><Noun>Contract).
_BODY_MODELS = {
    "collections_add_schedule_to_collection": "AddScheduleContract",
    "collections_add_user_group_to_collection": "AddUserGroupContract",
    "collections_add_user_to_collection": "AddUserContract",
    "collections_add_workflow_to_collection": "AddWorkflowContract",
    "collections_update_collection_user_group_permissions": "UpdatePermissionsContract",
    "collections_update_collection_user_permissions": "UpdatePermissionsContract",
    "credentials_share_credential_with_user": "AddCredentialsUserContract",
    "credentials_share_credential_with_user_group": "AddCredentialsUserGroupContract",
    "d_cme_admin_upsert_dcm_connection": "DCMEUpsertConnectionAdminContract",
    "d_cme_upsert_dcm_connection": "DCMEUpsertConnectionContract",
    "d_cme_admin_upsert_dcme_connection_handling_rule": "DCMEConnectionHandlingRuleContract",
    "d_cme_share_dcm_connection_for_execution": "DCMEShareForExecutionContract",
    "schedules_update_schedule_patch": "PatchScheduleContract",
    "server_connections_add_user_group_to_server_data_connection":
        "AddServerConnectionUserGroupContract",
    "server_connections_add_user_to_server_data_connection": "AddServerConnectionUserContract",
    "server_connections_update_server_data_connection_name": "UpdateServerConnectionContract",
    "users_transfer_assets": "TransferUserAssetsContract",
    "workflows_enqueue": "EnqueueJobContract",
}
_MODEL_LINE = re.compile(r"^(\w+): (.*)$")
_ENUM_LINE = re.compile(r"^\s+enum (\w+)=(\[.*\])\s*$")


def _models() -> tuple[dict[str, list[tuple[str, str]]], dict[str, dict[str, list[str]]]]:
    """The models data file: model -> [(json name, type)], model -> {json name: allowed values}."""
    path = ROOT / "ayx_plugins" / "server_api" / "data" / "v3-swagger-derived-models.txt"
    fields: dict[str, list[tuple[str, str]]] = {}
    enums: dict[str, dict[str, list[str]]] = {}
    current = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("#"):
            continue
        head = _MODEL_LINE.match(line)
        if head:
            current = head.group(1)
            fields[current] = [tuple(part.strip().split(":", 1))  # type: ignore[misc]
                               for part in re.split(r",\s*(?![^()]*\))", head.group(2))
                               if ":" in part]
            continue
        enum = _ENUM_LINE.match(line)
        if enum and current:
            enums.setdefault(current, {})[_camel(enum.group(1))] = json.loads(enum.group(2))
    return fields, enums


def _example(model: str, fields: dict[str, list[tuple[str, str]]],
             enums: dict[str, dict[str, list[str]]], depth: int = 0) -> Any:
    """An example JSON value of a model (its fields with placeholder values), 2 levels deep."""
    out: dict[str, Any] = {}
    for name, kind in fields.get(model, []):
        out[name] = _example_value(kind, (enums.get(model) or {}).get(name), fields, enums,
                                   depth)
    return out


def _example_value(kind: str, allowed: list[str] | None, fields: Any, enums: Any,
                   depth: int) -> Any:
    kind = kind.strip()
    if allowed:
        return allowed[0]
    if kind.startswith("list["):
        inner = _example_value(kind[5:-1], None, fields, enums, depth + 1)
        return [inner] if depth < 2 and inner not in ({}, None) else []
    if kind.startswith("dict("):
        return {}
    simple = {"str": "", "bool": False, "int": 0, "float": 0, "datetime": "2025-01-31T00:00:00Z",
              "date": "2025-01-31", "object": {}}
    if kind in simple:
        return simple[kind]
    if kind in fields and depth < 2:
        return _example(kind, fields, enums, depth + 1)
    return None


def _body_model(op: dict[str, Any], fields: dict[str, list[tuple[str, str]]]) -> str | None:
    name = str(op["name"])
    if name in _BODY_MODELS:
        return _BODY_MODELS[name]
    parts = name.split("_")[1:]
    for i in range(len(parts)):
        candidate = "".join(p[:1].upper() + p[1:] for p in parts[i:]) + "Contract"
        if candidate in fields:
            return candidate
    return None


_CAMEL = re.compile(r"\b[A-Za-z]+[a-z][A-Z][A-Za-z]*\b")


def _summary(text: str) -> str:
    """The catalogue's summary in words: "DCM.E ConnectionHandlingRule" -> "DCM connection
    handling rule"; a sentence that names API fields (jobId) keeps only its first sentence."""
    text = re.sub(r"\bDCM\.?E\b", "DCM", text.strip())
    if _CAMEL.search(text) and ". " in text:
        text = text.split(". ", 1)[0] + "."
    return _CAMEL.sub(lambda m: re.sub(r"(?<=[a-z])(?=[A-Z])", " ", m.group(0)).lower(), text)


def _group(path: str) -> str:
    segs = path.lstrip("/").split("/")
    if segs[0] == "v1":
        return "v1 (older API)"
    if segs[0] != "v3":
        return "Legacy Gallery API"
    return _GROUPS.get(segs[1] if len(segs) > 1 else "", "Other")


def _endpoint_entry(op: dict[str, Any], models: Any = None) -> dict[str, Any]:
    path = str(op["path"])
    required = {_camel(r) for r in _names(op.get("required"))} | set(_names(op.get("required")))
    query = _names(op.get("query"))
    form = _names(op.get("form"))
    fields, enums = models or ({}, {})
    body = _names(op.get("body"))
    model = _body_model(op, fields) if body else None
    example: Any = None
    if model:
        example = _example(model, fields, enums)
    elif body:  # a body of plain named values (v1 jobs, user v2)
        example = {_camel(b): "" for b in body}
    response = str(op.get("response") or "")
    return {
        "name": op["name"],
        "method": op["method"].upper(),
        "path": path.lstrip("/"),
        "summary": _summary(str(op.get("summary") or "")) or f"{op['method'].upper()} {path}",
        "group": _group(path),
        "pathParams": _PLACEHOLDER.findall(path),
        "query": [{"name": q, "required": q in required} for q in query],
        "form": [{"name": f, "required": f in required} for f in form],
        "files": _names(op.get("files")),
        "body": bool(body),
        "bodyRequired": any(b in required for b in body),
        "bodyModel": model or "",
        # JSON text, so the model's field order survives the sorted generated file.
        "bodyExample": json.dumps(example, indent=2, ensure_ascii=False) if body else "",
        # Answers that are files (a workflow package, a job output), saved to disk by the tool.
        "binary": response == "file" or path.endswith("/package") or "/output/" in path,
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


# The fields Server Authenticate writes (engine.py), never offered as question or body fields.
_CONNECTION_CONSTANTS = ("SERVER_URL", "API_BASE", "AUTH_TYPE", "ACCESS_TOKEN", "TOKEN_TYPE",
                         "TOKEN_EXPIRES")


def _all_enums(enums: dict[str, dict[str, list[str]]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for per_model in enums.values():
        for name, values in per_model.items():
            out.setdefault(name, values)
    return dict(sorted(out.items()))


def _engine_constants(*names: str, optional: bool = False) -> list[str]:
    """String constants of ayx_plugins/tools/engine.py (the fields Authenticate writes and the
    other tools read), read without importing it: the engine needs the SDK, the build must not."""
    found: dict[str, str] = {}
    nodes = []
    for module in ("engine.py", "connection.py"):  # the connection module took them over
        source = ROOT / "ayx_plugins" / "tools" / module
        if source.is_file():
            nodes.extend(ast.parse(source.read_text(encoding="utf-8")).body)
    for node in nodes:
        if (isinstance(node, ast.Assign) and len(node.targets) == 1
                and isinstance(node.targets[0], ast.Name)
                and isinstance(node.value, ast.Constant) and isinstance(node.value.value, str)):
            found[node.targets[0].id] = node.value.value
    missing = [n for n in names if n not in found]
    if optional:
        return [found[n] for n in names if n in found]
    if missing:
        raise SystemExit(f"ayx_plugins/tools/engine.py or connection.py lacks {missing}")
    return [found[n] for n in names]


def _panel(tool: Any) -> str:
    # specs.ToolSpec.panel names it; a registry without that field: the request tools share
    # ApiRequestPanel, the others are <Name>Panel.
    default = "ApiRequestPanel" if tool.method else tool.class_name.removeprefix("Server") + "Panel"
    return str(getattr(tool, "panel", None) or default)


def panels_js() -> str:
    """`generated/panels.js`: tool class -> its panel component, from the one tool registry
    (specs.ToolSpec.panel), so App.js holds no list of tools."""
    names = sorted({_panel(t) for t in specs.TOOLS})
    lines = ["// Generated by ui/build.py from ayx_plugins/tools/specs.py. Do not edit.",
             *(f"import {n} from '../panels/{n}';" for n in names), "", "export default {",
             *(f"  {t.class_name}: {_panel(t)}," for t in specs.TOOLS), "};", ""]
    return "\n".join(lines)


def generate() -> None:
    """Write the tool table, the configuration schemas and the endpoint lists for the panels."""
    GENERATED.mkdir(parents=True, exist_ok=True)
    panels = GENERATED / "panels.js"
    if not panels.exists() or panels.read_text(encoding="utf-8") != panels_js():
        panels.write_text(panels_js(), encoding="utf-8")
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
            "connectionFieldNames": _engine_constants(*_CONNECTION_CONSTANTS, optional=True),
            "version": specs.VERSION, "helpUrl": specs.HELP_URL, "secretKey": config.SECRET_KEY,
            "category": specs.CATEGORY}
    endpoints: dict[str, list[dict[str, Any]]] = {}
    models = _models()
    for op in _catalogue_ops():
        entry = _endpoint_entry(op, models)
        endpoints.setdefault(entry["method"], []).append(entry)
    for items in endpoints.values():
        items.sort(key=lambda e: (e["path"], e["name"]))
    outputs = {
        "tools.json": {"tools": tools, **meta},
        "schemas.json": config.json_schemas(),
        "endpoints.json": endpoints,
        # Allowed values of every model field that has them (form values, query parameters).
        "enums.json": _all_enums(models[1]),
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
