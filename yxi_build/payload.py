"""site-packages for a target: unpack the wheels, prune, copy `ayx_plugins`, compile `.pyc`."""

from __future__ import annotations

import os
import shutil
import subprocess
import tempfile
import zipfile
from fnmatch import fnmatch
from pathlib import Path

from yxi_build.project import DEV_ONLY, PACKAGE, ROOT, BuildError

# What nothing imports at run time: pruned from site-packages to keep the YXI small. Whatever a
# top-level package imports when it is imported stays: the payload check imports every one of
# them with a bare interpreter (pandas imports pandas._testing, so that stays).
PRUNE_DIRS = {"__pycache__", "tests", "test"}
PRUNE_SUFFIXES = {".pyc", ".pyo", ".pyx", ".pxd", ".pxi", ".pyi", ".h", ".hpp", ".c", ".cc",
                  ".cpp", ".lib", ".a", ".cmake", ".exe"}
PRUNE_PATHS = {
    "ayx_python_sdk/docs", "ayx_python_sdk/examples", "ayx_python_sdk/test_harness",
    "ayx_python_sdk/assets", "ayx_python_sdk/cli", "ayx_python_sdk/__main__.py",
    "pyarrow/include", "pyarrow/src", "numpy/_core/include", "numpy/_core/lib",
    "numpy/f2py", "numpy/distutils",
}
# Arrow Flight (RPC) is the one optional pyarrow component nothing links against (checked for
# Linux with the ELF NEEDED entries and for Windows with the PE import tables, see natives.py).
PRUNE_GLOBS = ["pyarrow/flight.py", "pyarrow/_flight*", "pyarrow/*arrow_flight*",
               "pyarrow/*arrow_python_flight*"]


def unpack_wheel(wheel: Path, site: Path) -> None:
    """Install a wheel by unpacking it (no pip launchers, no RECORD naming this machine)."""
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            if info.is_dir():
                continue
            rel = wheel_member_path(info.filename)
            if rel is None:
                continue
            dest = site / rel
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))


def wheel_member_path(name: str) -> str | None:
    """Where a wheel member goes in site-packages, or None when it is not installed."""
    parts = name.split("/")
    if parts[0].endswith(".data"):
        if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
            return None  # scripts, headers, data: nothing Designer runs
        parts = parts[2:]
    if parts[0].endswith(".dist-info") and parts[-1] in ("RECORD", "INSTALLER",
                                                         "direct_url.json"):
        return None  # RECORD would list files the pruning removes
    return "/".join(parts)


def is_pruned(rel: str) -> bool:
    """Whether a path relative to site-packages (posix) is removed from the payload."""
    parts = rel.split("/")
    if parts[0].startswith(PACKAGE):
        return False  # our own package ships whole (copy_package leaves out what is dev-only)
    if any("/".join(parts[:i]) in PRUNE_PATHS for i in range(1, len(parts) + 1)):
        return True
    if any(fnmatch(rel, g) for g in PRUNE_GLOBS):
        return True
    if any(p in PRUNE_DIRS for p in parts[:-1]):
        return True
    return os.path.splitext(parts[-1])[1].lower() in PRUNE_SUFFIXES


def prune(site: Path) -> int:
    """Remove what `is_pruned` names; returns the number of bytes removed."""
    removed = 0
    for path in sorted(site.rglob("*")):
        if path.is_file() and is_pruned(path.relative_to(site).as_posix()):
            removed += path.stat().st_size
            path.unlink()
    for path in sorted(site.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        if path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


def copy_package(site: Path, src: Path = ROOT / PACKAGE) -> None:
    """The tools' own package: every source and data file, no caches, nothing dev-only."""
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.as_posix() in DEV_ONLY:
            continue
        dest = site / PACKAGE / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


def compile_pyc(site: Path, python: str, only: str | None = None) -> int:
    """Compile every `.py` under `site` (or `site/only`) with the target's own interpreter.

    `unchecked-hash` pyc files are used without looking at the source's mtime or size, so a
    Tools folder the user cannot write still starts from bytecode (a timestamp pyc would be
    rejected once the unzip gives the sources new times, and could not be rewritten). The
    recorded file names are relative to site-packages (`-s`): no build-machine path; at import
    time Python puts the real source path in `co_filename` anyway. Returns the file count.
    """
    root = site / only if only else site
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "PYTHONHASHSEED": "0"}
    with tempfile.TemporaryDirectory() as tmp:
        proc = subprocess.run(
            [python, "-I", "-S", "-m", "compileall", "-q", "-j", "0", "--invalidation-mode",
             "unchecked-hash", "-s", str(site), str(root)],
            capture_output=True, text=True, env={**env, "HOME": tmp}, cwd=tmp, check=False,
            timeout=900)
    if proc.returncode != 0:
        raise BuildError(f"compileall with {python} failed:\n{proc.stdout[-3000:]}"
                         f"\n{proc.stderr[-2000:]}")
    return sum(1 for _ in root.rglob("*.pyc"))


def link_tree(src: Path, dest: Path) -> None:
    """Hard-link (or copy, across file systems) every file of `src` into `dest`."""
    for path in src.rglob("*"):
        target = dest / path.relative_to(src)
        if path.is_dir():
            target.mkdir(parents=True, exist_ok=True)
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(path, target)
        except OSError:
            shutil.copyfile(path, target)
