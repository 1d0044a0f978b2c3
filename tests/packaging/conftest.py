"""Builds every YXI once per test session with one `build_yxi.py` command (finished archives
and the third-party payloads are reused from build/yxi/ when their inputs did not change), and
unpacks the Linux twins, the ones run here, into folders laid out like Designer's Tools folder.
The Windows archives are read in place."""

from __future__ import annotations

import os
import shutil
import stat
import subprocess
import sys
import zipfile
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
UI_BUILD = ROOT / "ui" / "build.py"
KEYS = ["windows-3.13", "windows-3.10", "linux-3.13", "linux-3.10"]


@dataclass(frozen=True)
class Built:
    """One built YXI."""

    key: str  # "windows-3.13", ...
    platform: str
    python: str
    path: Path

    @property
    def nodot(self) -> str:
        """'313' for 3.13."""
        return self.python.replace(".", "")

    def names(self) -> list[str]:
        """Every entry of the archive."""
        with zipfile.ZipFile(self.path) as zf:
            return zf.namelist()

    def read(self, name: str) -> bytes:
        """One entry's bytes."""
        with zipfile.ZipFile(self.path) as zf:
            return zf.read(name)


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
    return {key: Built(key, *key.split("-"), path) for key, path in zip(KEYS, paths, strict=True)}


def set_writable(folder: Path, writable: bool) -> None:
    """chmod -R u+w / a-w (directories keep r-x)."""
    for path in [folder, *folder.rglob("*")]:
        mode = path.stat().st_mode
        path.chmod(mode | stat.S_IWUSR if writable else
                   mode & ~(stat.S_IWUSR | stat.S_IWGRP | stat.S_IWOTH))


def unwritable_launcher(bare: str, folder: Path) -> Path:
    """A script that runs `bare` so that permission bits bind even for root (setpriv drops the
    capabilities that let root write anywhere): an unwritable Tools folder is then unwritable
    for the tool, as an admin install is for a user."""
    launcher = folder / f"python-unwritable-{Path(bare).parent.parent.name}"
    if os.geteuid() == 0:
        setpriv = shutil.which("setpriv")
        assert setpriv, "setpriv (util-linux) is needed to run as root"
        body = (f'exec "{setpriv}" --bounding-set=-dac_override,-dac_read_search,-fowner '
                f'--inh-caps=-all -- "{bare}" "$@"\n')
    else:
        body = f'exec "{bare}" "$@"\n'
    launcher.write_text("#!/bin/sh\n" + body)
    launcher.chmod(0o755)
    return launcher


@pytest.fixture(scope="session")
def linux_tools(built: dict[str, Built],
                tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, Path]]:
    """The Linux YXIs unpacked as read-only Tools folders (what install-yxi puts under
    %APPDATA%\\Alteryx\\Tools, made unwritable): key -> folder."""
    def unpack(key: str) -> Path:
        tools = tmp_path_factory.mktemp(f"Tools-{key}")
        with zipfile.ZipFile(built[key].path) as zf:
            zf.extractall(tools)
        set_writable(tools, False)
        return tools

    keys = ("linux-3.13", "linux-3.10")
    with ThreadPoolExecutor(max_workers=2) as pool:  # inflating and writing overlap
        folders = dict(zip(keys, pool.map(unpack, keys), strict=True))
    yield folders
    for tools in folders.values():
        set_writable(tools, True)  # so pytest can clean up
