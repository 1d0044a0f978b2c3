"""Checks on a staged payload: no build-machine paths, and a bare target interpreter runs it."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Iterable
from pathlib import Path

from yxi_build.project import CACHE, ROOT, BuildError, log
from yxi_build.target import Target

VERIFY_SCRIPT = Path(__file__).resolve().parent / "runtime" / "verify_payload.py"


def needles(extra: Iterable[Path] = ()) -> list[bytes]:
    """Paths of this build machine that must not appear in any shipped file."""
    paths = {str(ROOT), str(CACHE), sys.prefix, sys.base_prefix, sys.exec_prefix,
             *(str(p) for p in extra)}
    return sorted({p.encode() for p in paths if len(p) > 4})


def path_hits(name: str, data: bytes, bad: list[bytes]) -> list[str]:
    """`name: contains '<path>'` for each build-machine path in `data`."""
    return [f"{name}: contains {needle.decode()!r}" for needle in bad if needle in data]


def scan_paths(files: Iterable[tuple[str, Path | bytes]], bad: list[bytes]) -> None:
    """Refuse any file carrying a path of the build machine."""
    hits: list[str] = []
    for arcname, src in files:
        hits += path_hits(arcname, src if isinstance(src, bytes) else src.read_bytes(), bad)
    if hits:
        raise BuildError("build-machine paths in the payload:\n  " + "\n  ".join(hits[:40]))


def find_python(version: str) -> str:
    """A CPython of `version` without our packages (as ./dev's find_python looks for it)."""
    candidates = [shutil.which(f"python{version}") or ""]
    for base in (Path.home() / ".pyenv" / "versions", Path("/root/.pyenv/versions")):
        candidates += [str(p / "bin" / "python") for p in sorted(base.glob(f"{version}*"),
                                                                 reverse=True)]
    try:
        out = subprocess.run(["pyenv", "versions", "--bare"], capture_output=True, text=True,
                             check=False).stdout.split()
        for name in sorted((n for n in out if re.fullmatch(rf"{re.escape(version)}(\.\d+)?", n)),
                           reverse=True):
            prefix = subprocess.run(["pyenv", "prefix", name], capture_output=True, text=True,
                                    check=False).stdout.strip()
            candidates.append(f"{prefix}/bin/python")
    except OSError:
        pass
    for cand in candidates:
        if cand and os.access(cand, os.X_OK):
            probe = subprocess.run(
                [cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2], sys.executable)"],
                capture_output=True, text=True, check=False)
            found = probe.stdout.split()
            if found and found[0] == version:
                return found[1] if len(found) > 1 else cand  # the real binary, not a pyenv shim
    raise BuildError(f"no Python {version} found on PATH or in pyenv (pyenv install {version})")


def verify_linux(target: Target, site: Path, bare: str) -> None:
    """A bare interpreter of the target imports and constructs everything (runtime/)."""
    with tempfile.TemporaryDirectory() as tmp:
        env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tmp}  # SDK logs go here
        proc = subprocess.run([bare, "-I", "-S", "-B", str(VERIFY_SCRIPT), str(site)],
                              capture_output=True, text=True, env=env, cwd=tmp, timeout=600,
                              check=False)
    if proc.returncode != 0:
        raise BuildError(f"the staged payload does not verify with {bare}:\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    log(f"{target.platform} py{target.python}: {proc.stdout.strip()} with a bare {bare}")
