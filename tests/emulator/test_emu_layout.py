"""The emulator's layout (issue 14): no import cycle, no module over ~400 lines, one copy of
the endpoint catalogue (the core's), and every catalogued v3 operation answered."""

from __future__ import annotations

import ast
from pathlib import Path

import ayx_server_emulator
from ayx_server_emulator.contracts import catalogue_operations
from ayx_server_emulator.urls import url_map

ROOT = Path(ayx_server_emulator.__file__).parent


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = ("ayx_server_emulator", *path.relative_to(ROOT).with_suffix("").parts)
        out[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return out


def _imports(name: str, path: Path, mods: dict[str, Path]) -> set[str]:
    """Intra-package modules imported at module level (TYPE_CHECKING blocks excluded)."""
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    deps: set[str] = set()
    for node in ast.parse(path.read_text(encoding="utf-8")).body:
        if isinstance(node, ast.ImportFrom) and node.level:
            base = package.split(".")[:len(package.split(".")) - (node.level - 1)]
            target = ".".join(base + ([node.module] if node.module else []))
            subs = {f"{target}.{a.name}" for a in node.names} & mods.keys()
            if subs and not node.module:
                deps |= subs  # `from . import x` loads the submodule x, not a cycle via x's parent
            elif target in mods:
                deps.add(target)
                deps |= subs
    return deps


def test_no_import_cycle() -> None:
    mods = _modules()
    graph = {name: _imports(name, path, mods) for name, path in mods.items()}
    state: dict[str, int] = {}
    cycles: list[list[str]] = []

    def visit(node: str, stack: list[str]) -> None:
        state[node] = 1
        stack.append(node)
        for dep in sorted(graph.get(node, ())):
            if state.get(dep) == 1:
                cycles.append([*stack[stack.index(dep):], dep])
            elif not state.get(dep):
                visit(dep, stack)
        stack.pop()
        state[node] = 2

    for name in sorted(graph):
        if not state.get(name):
            visit(name, [])
    assert cycles == []


def test_no_module_over_400_lines() -> None:
    long = {str(p.relative_to(ROOT)): n for p in ROOT.rglob("*.py")
            if (n := len(p.read_text(encoding="utf-8").splitlines())) > 400}
    assert long == {}


def test_one_catalogue_read_from_the_core() -> None:
    assert not (ROOT / "data" / "v3-endpoints.json").exists()
    assert not (ROOT / "data" / "v3-models.txt").exists()
    ops = {op["op"] for op in catalogue_operations()}
    assert {"jobs_get_jobs", "jobs_cancel_job"} <= ops


def test_every_catalogued_v3_operation_has_a_route() -> None:
    served = {(m, r.rule.replace("<", "{").replace(">", "}").lower())
              for r in url_map() for m in r.methods}
    missing = [op["op"] for op in catalogue_operations()
               if (op["method"], op["path"].lower()) not in served
               and not any(m == op["method"] and _same(p, op["path"].lower()) for m, p in served)]
    assert missing == []


def _same(rule: str, path: str) -> bool:
    a, b = rule.split("/"), path.split("/")
    return len(a) == len(b) and all(x == y or (x.startswith("{") and y.startswith("{"))
                                    for x, y in zip(a, b, strict=True))
