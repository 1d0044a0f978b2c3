"""Builds every YXI once per test session (the slow part: wheels are cached under build/yxi/)
and unpacks each one once, into a folder laid out like Designer's Tools folder."""

from __future__ import annotations

import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI_BUILD = ROOT / "ui" / "build.py"


@dataclass(frozen=True)
class Built:
    """One built YXI and where it was unpacked."""

    key: str  # "windows-3.13", ...
    platform: str
    python: str
    path: Path
    tools_dir: Path  # the unpacked YXI: what install-yxi puts under %APPDATA%\Alteryx\Tools

    @property
    def nodot(self) -> str:
        """'313' for 3.13."""
        return self.python.replace(".", "")


KEYS = ["windows-3.13", "windows-3.10", "linux-3.13", "linux-3.10"]


@pytest.fixture(scope="session")
def ui_built() -> bool:
    """Whether the panels can be built here (the UI helper's ui/build.py exists)."""
    return UI_BUILD.is_file()


@pytest.fixture(scope="session")
def built(tmp_path_factory: pytest.TempPathFactory, ui_built: bool) -> dict[str, Built]:
    """All four YXIs from one `build_yxi.py` command (so each target is built exactly once)."""
    out = tmp_path_factory.mktemp("dist")
    cmd = [sys.executable, str(ROOT / "build_yxi.py"), "--platform", "windows", "--platform",
           "linux", "--out", str(out)]
    if not ui_built:
        cmd.append("--no-ui")  # test_panels_are_packaged fails and says why
    env = dict(os.environ, HOME=str(tmp_path_factory.mktemp("home")))
    proc = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True, env=env, timeout=1500,
                          check=False)
    assert proc.returncode == 0, f"build_yxi.py failed:\n{proc.stderr[-6000:]}"
    paths = [Path(line) for line in proc.stdout.split()]
    assert len(paths) == 4, proc.stdout
    result = {}
    for key, path in zip(KEYS, paths, strict=True):
        platform, python = key.split("-")
        tools = tmp_path_factory.mktemp(f"Tools-{key}")
        with zipfile.ZipFile(path) as zf:
            zf.extractall(tools)
        result[key] = Built(key, platform, python, path, tools)
    return result
