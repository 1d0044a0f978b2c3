"""The configuration panels: run ui/build.py and read each tool's files."""

from __future__ import annotations

import subprocess
import sys

from yxi_build.project import ROOT, BuildError, load_specs, log

Panels = dict[str, dict[str, bytes]]  # tool class -> file name -> bytes


def build_ui() -> Panels:
    """Run ui/build.py (npm ci when needed, npm run build) and read each tool's panel files."""
    script = ROOT / "ui" / "build.py"
    if not script.is_file():
        raise BuildError("ui/build.py does not exist yet: build with --no-ui to package "
                         "without configuration panels")
    log("building the configuration panels (ui/build.py)")
    proc = subprocess.run([sys.executable, str(script)], cwd=ROOT / "ui", check=False,
                          capture_output=True, text=True)
    if proc.returncode != 0:
        raise BuildError(f"ui/build.py failed:\n{proc.stdout[-2000:]}\n{proc.stderr[-2000:]}")
    panels = {}
    for tool in load_specs().TOOLS:
        dist = ROOT / "ui" / "dist" / tool.class_name
        files = sorted(p for p in dist.glob("*") if p.is_file() and p.suffix not in (".gz",
                                                                                     ".map"))
        if not any(p.name == "index.html" for p in files):
            raise BuildError(f"ui/build.py produced no {dist.relative_to(ROOT)}/index.html")
        # read now: a concurrent `ui/build.py` may replace ui/dist while the targets are built
        panels[tool.class_name] = {p.name: p.read_bytes() for p in files}
    return panels
