"""Issue 15.3: `ayx_plugins/tools/specs.py` is the one tool registry. A tool added there (and
only there) reaches every consumer, and no other file spells out the list of tools."""

from __future__ import annotations

import os
import re
import subprocess
import sys
import textwrap
from pathlib import Path

from ayx_plugins.tools import specs

ROOT = Path(__file__).resolve().parents[2]

# Registers a fake tool in the registry before anything else is imported, then asks every
# consumer whether it sees it. Prints one line per consumer that does.
PROBE = textwrap.dedent('''
    import sys, tempfile, types
    from pathlib import Path
    sys.path[:0] = [ROOT, ROOT + "/ui", ROOT + "/assets"]
    from ayx_plugins.tools import specs
    fake = specs.ToolSpec("ServerFake", "Server FAKE", "A tool only this test knows",
                          inputs=specs.TOOLS[-1].inputs, method="GET", module="fake_tool",
                          config="ApiRequestConfig", panel="ApiRequestPanel",
                          icon=("G", "#123456"))
    specs.TOOLS = (*specs.TOOLS, fake)
    specs.BY_CLASS["ServerFake"] = fake
    module = types.ModuleType("ayx_plugins.tools.fake_tool")
    class ServerFake: pass
    module.ServerFake = ServerFake
    sys.modules[module.__name__] = module

    import importlib
    import ayx_plugins
    importlib.reload(ayx_plugins)  # it ran before the patch: specs lives inside the package
    if "ServerFake" in ayx_plugins.__all__ and ayx_plugins.ServerFake is ServerFake:
        print("ayx_plugins")
    from ayx_plugins.tools import config
    if config.TOOL_CONFIGS["ServerFake"] is config.ApiRequestConfig and \\
            "ServerFake" in config.json_schemas():
        print("config")
    import make_icons
    if "ServerFake" in make_icons.icons():
        print("icons")
    import build as ui_build
    with tempfile.TemporaryDirectory() as tmp:
        ui_build.GENERATED = Path(tmp)
        ui_build.generate()
        tools_json = (Path(tmp) / "tools.json").read_text()
        panels = (Path(tmp) / "panels.js").read_text()
    if '"ServerFake"' in tools_json and "ServerFake: ApiRequestPanel," in panels:
        print("ui")
    from yxi_build import cli, generate
    from yxi_build.target import Target
    with tempfile.TemporaryDirectory() as tmp:
        (Path(tmp) / "icons").mkdir()
        (Path(tmp) / "package_icon.png").write_bytes(make_icons.render("S", (0, 0, 0)))
        for name, (letter, colour) in make_icons.icons().items():
            (Path(tmp) / "icons" / f"{name}.png").write_bytes(make_icons.render(letter, colour))
        cli.ASSETS = Path(tmp)
        entries = cli.tool_entries(specs, Target("3.13", "windows"), None, "2.6.1")
    folder = fake.folder
    if {f"{folder}/{folder}Config.xml", f"{folder}/manifest.json", f"{folder}/main.pyz",
            f"{folder}/help.html", f"{folder}/icon.png"} <= set(entries):
        print("yxi")
    from tests.faults import test_properties
    if "ServerFake" in test_properties.TOOLS:
        print("tests")
''')


def test_a_tool_added_to_specs_reaches_every_consumer() -> None:
    proc = subprocess.run([sys.executable, "-c", f"ROOT = {str(ROOT)!r}\n" + PROBE], cwd=ROOT,
                          capture_output=True, text=True, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    assert proc.stdout.split() == ["ayx_plugins", "config", "icons", "ui", "yxi", "tests"]


SKIP_DIRS = {".git", "node_modules", "build", "dist", "__pycache__", "generated", ".mypy_cache",
             ".ruff_cache", ".pytest_cache", ".hypothesis", "test-artifacts"}


def _sources() -> list[Path]:
    out = []
    for folder, dirs, files in os.walk(ROOT):
        dirs[:] = [d for d in dirs if d not in SKIP_DIRS and not d.startswith(".venv")]
        out += [Path(folder) / f for f in files
                if f.endswith((".py", ".js", ".jsx", ".ts", ".json", ".toml"))]
    return out


def test_no_other_file_lists_the_tools() -> None:
    """A second registry would name every tool by name close together: each as a quoted string
    or a key (`"ServerGet"`, `ServerGet: ...`), within a few lines."""
    names = [t.class_name for t in specs.TOOLS]
    alternatives = "|".join(re.escape(n) for n in names)
    pattern = re.compile(rf"[\"']({alternatives})[\"']|\b({alternatives})\s*:(?!:)")
    lists = []
    for path in _sources():
        if path == ROOT / "ayx_plugins" / "tools" / "specs.py":
            continue
        text = path.read_text(encoding="utf-8", errors="replace")
        hits = [(m.start(), m[1] or m[2]) for m in pattern.finditer(text)]
        for i, (start, _) in enumerate(hits):
            window = {name for pos, name in hits[i:] if pos - start < 600}
            if window == set(names):
                lists.append(str(path.relative_to(ROOT)))
                break
    assert lists == []
