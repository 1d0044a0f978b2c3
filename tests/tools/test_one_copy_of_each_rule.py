"""Issue 13.8 "done when": no copy of the core's rules in the tools. Two checks: a duplicate-code
scan (any 6 consecutive significant lines of a tools module that also occur in a server_api
module, as pylint's duplicate-code does), and the rules' own primitives (date parsing, value
escaping, the Date-header clock, multipart encoding) used only by the core."""

from __future__ import annotations

import ast
import hashlib
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2] / "ayx_plugins"
WINDOW = 6


def _significant(path: Path) -> list[tuple[int, str]]:
    """(line number, code) of every line that is not blank, a comment, an import or a
    docstring line."""
    source = path.read_text(encoding="utf-8")
    docs: set[int] = set()
    for node in ast.walk(ast.parse(source)):
        body = getattr(node, "body", None)
        if isinstance(body, list) and body and isinstance(body[0], ast.Expr) and \
                isinstance(getattr(body[0], "value", None), ast.Constant) and \
                isinstance(body[0].value.value, str):
            docs.update(range(body[0].lineno, (body[0].end_lineno or body[0].lineno) + 1))
    out = []
    for no, line in enumerate(source.splitlines(), 1):
        code = line.split("  #", 1)[0].strip()
        if not code or code.startswith(("#", "import ", "from ")) or no in docs:
            continue
        if code in (")", "]", "}", "):", "else:", "try:", "finally:", "return None", "pass"):
            continue
        out.append((no, code))
    return out


def _windows(folder: str) -> dict[str, str]:
    found: dict[str, str] = {}
    for path in sorted((ROOT / folder).glob("*.py")):
        lines = _significant(path)
        for i in range(len(lines) - WINDOW + 1):
            chunk = "\n".join(code for _, code in lines[i:i + WINDOW])
            key = hashlib.sha1(chunk.encode()).hexdigest()
            found.setdefault(key, f"{path.name}:{lines[i][0]}")
    return found


def test_no_six_lines_of_the_core_are_copied_into_the_tools() -> None:
    core, tools = _windows("server_api"), _windows("tools")
    copies = sorted(f"{tools[k]} = {core[k]}" for k in tools.keys() & core.keys())
    assert copies == [], copies


# The primitives of the rules that live in the core only: a tools module that calls one of
# these has grown its own copy of a date parser, a path renderer, a value encoder, a multipart
# builder or a Date-header clock.
CORE_ONLY = {"strptime", "fromisoformat", "parsedate", "parsedate_to_datetime", "quote",
             "quote_plus", "encode_multipart_formdata", "formatdate"}


def test_the_rules_primitives_are_used_only_by_the_core() -> None:
    used = []
    for path in sorted((ROOT / "tools").glob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Call):
                name = getattr(node.func, "attr", None) or getattr(node.func, "id", None)
                if name in CORE_ONLY:
                    used.append(f"{path.name}:{node.lineno} {name}()")
    assert used == [], used
