"""The configuration panels: run ui/build.py and read each tool's files.

The panels are a function of ui/src (including what `ui/build.py --generate-only` writes into
ui/src/generated from the Python side), the lockfile and the webpack configuration: when none of
those changed since a build, its files are read from build/yxi/ui/ instead of running webpack.
"""

from __future__ import annotations

import shutil
import subprocess
import sys
import tempfile
from pathlib import Path

from yxi_build.archive import digest
from yxi_build.project import CACHE, ROOT, BuildError, load_specs, log

Panels = dict[str, dict[str, bytes]]  # tool class -> file name -> bytes
UI = ROOT / "ui"


def _run(*args: str) -> None:
    proc = subprocess.run([sys.executable, str(UI / "build.py"), *args], cwd=UI, check=False,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"ui/build.py failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")


def ui_inputs() -> list[Path]:
    """What the built panels depend on (after `--generate-only`)."""
    files = [p for p in sorted((UI / "src").rglob("*")) if p.is_file()]
    return [*files, *(UI / n for n in ("package.json", "package-lock.json", "webpack.config.js",
                                       "build.py") if (UI / n).is_file())]


def _read(dist: Path) -> Panels:
    panels = {}
    for tool in load_specs().TOOLS:
        folder = dist / tool.class_name
        files = sorted(p for p in folder.glob("*") if p.is_file() and p.suffix not in (".gz",
                                                                                       ".map"))
        if not any(p.name == "index.html" for p in files):
            raise BuildError(f"ui/build.py produced no {folder.name}/index.html")
        panels[tool.class_name] = {p.name: p.read_bytes() for p in files}
    return panels


def build_ui() -> Panels:
    """Each tool's panel files: from the cache when the panels' inputs did not change, else from
    a run of ui/build.py (npm ci when needed, npm run build)."""
    if not (UI / "build.py").is_file():
        raise BuildError("ui/build.py does not exist yet: build with --no-ui to package "
                         "without configuration panels")
    _run("--generate-only")
    cache = CACHE / "ui" / digest(files=ui_inputs(), root=ROOT)
    if cache.is_dir():
        log(f"configuration panels unchanged since {cache.relative_to(ROOT)}, reused")
        return _read(cache)
    log("building the configuration panels (ui/build.py)")
    _run()
    # read now: a concurrent `ui/build.py` may replace ui/dist while the targets are built
    panels = _read(UI / "dist")
    CACHE.mkdir(parents=True, exist_ok=True)  # a fresh clone has no build/ yet
    tmp = Path(tempfile.mkdtemp(dir=CACHE, prefix=".ui-"))
    for tool, files in panels.items():
        (tmp / tool).mkdir()
        for name, data in files.items():
            (tmp / tool / name).write_bytes(data)
    for old in (CACHE / "ui").glob("*"):
        shutil.rmtree(old, ignore_errors=True)  # one cached set of panels
    cache.parent.mkdir(parents=True, exist_ok=True)
    try:
        tmp.rename(cache)
    except OSError:  # a concurrent build cached the same panels first
        shutil.rmtree(tmp, ignore_errors=True)
    return panels
