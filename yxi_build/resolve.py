"""The exact wheels a target needs: pip's resolver, corrected for the target's markers."""

from __future__ import annotations

import hashlib
import json
import subprocess
import sys
import tempfile
import threading
from pathlib import Path
from typing import Any

try:
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always carries a copy; the build needs pip anyway
    from pip._vendor.packaging.requirements import (  # type: ignore[assignment,no-redef,unused-ignore]
        Requirement,
    )
    from pip._vendor.packaging.utils import (  # type: ignore[assignment,no-redef,unused-ignore]
        canonicalize_name,
    )

from yxi_build.project import CACHE, BuildError, log
from yxi_build.target import Target

Wheel = dict[str, Any]  # {"name", "version", "file", "sha256"}
_DOWNLOADS = threading.Lock()  # targets built in parallel share wheels (pure ones, abi3 ones)


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"pip {args[0]} failed:\n{proc.stderr[-3000:]}")
    return proc


def target_args(target: Target) -> list[str]:
    """pip's options that select wheels for the target instead of this machine."""
    args = ["--python-version", target.python, "--implementation", "cp", "--only-binary=:all:"]
    for plat in target.wheel_platforms:
        args += ["--platform", plat]
    return args


def closure(roots: list[str], report: dict[str, dict[str, Any]],
            env: dict[str, str]) -> tuple[set[str], list[str]]:
    """Walk requirements with the target's markers: (needed names, requirements pip missed).

    `report` maps a canonical name to pip's `--report` item (its `metadata.requires_dist`).
    """
    needed: dict[str, set[str]] = {}
    missing: list[str] = []
    todo: list[tuple[str, str]] = [(r, "") for r in roots]
    while todo:
        text, extra = todo.pop()
        req = Requirement(text)
        if req.marker is not None and not req.marker.evaluate({**env, "extra": extra}):
            continue
        name = canonicalize_name(req.name)
        if name not in report:
            plain = Requirement(text)
            plain.marker = None
            missing.append(str(plain))
            continue
        first = name not in needed
        new_extras = set(req.extras) - needed.get(name, set())
        if not first and not new_extras:
            continue
        needed.setdefault(name, set()).update(req.extras)
        for dep in report[name]["metadata"].get("requires_dist") or []:
            for e in ({""} if first else set()) | new_extras:
                todo.append((dep, e))
    return set(needed), missing


def resolve(target: Target, requirements: list[str], refresh: bool) -> list[Wheel]:
    """The exact wheels the target needs, cached under build/yxi/resolve/.

    pip evaluates environment markers against the build machine even with --platform (so on
    Linux it picks `grpcio` over the SDK's Windows-only `grpcio-fips`, and drops click's
    `colorama`). The closure is recomputed here with the target's marker values; whatever pip
    missed is added as an explicit requirement and resolved again.
    """
    key = hashlib.sha256(json.dumps([target.python, target.platform, requirements,
                                     target.wheel_platforms]).encode()).hexdigest()[:16]
    cache = CACHE / "resolve" / f"{target.platform}-py{target.nodot}-{key}.json"
    if cache.is_file() and not refresh:
        return list(json.loads(cache.read_text()))
    env = target.marker_environment()
    extra: list[str] = []
    for _ in range(5):
        with tempfile.TemporaryDirectory() as tmp:
            out = Path(tmp) / "report.json"
            _pip("install", "--dry-run", "--ignore-installed", "--quiet", "--report", str(out),
                 "--target", str(Path(tmp) / "t"), *target_args(target), *requirements, *extra)
            items = json.loads(out.read_text())["install"]
        report: dict[str, dict[str, Any]] = {
            str(canonicalize_name(i["metadata"]["name"])): i for i in items}
        names, missing = closure(requirements + extra, report, env)
        if not missing:
            break
        extra += sorted(set(missing) - set(extra))
    else:
        raise BuildError(f"could not resolve for {target}: still missing {missing}")
    wheels = []
    for name in sorted(names):
        item = report[name]
        url = item["download_info"]["url"]
        wheels.append({"name": name, "version": item["metadata"]["version"],
                       "file": url.rsplit("/", 1)[-1].split("#")[0],
                       "sha256": item["download_info"].get("archive_info", {})
                       .get("hashes", {}).get("sha256")})
    cache.parent.mkdir(parents=True, exist_ok=True)
    cache.write_text(json.dumps(wheels, indent=1))
    return wheels


def fetch(target: Target, wheels: list[Wheel]) -> list[Path]:
    """Download the wheels into the cache (once) and check their hashes."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    with _DOWNLOADS:
        todo = [w for w in wheels if not (folder / w["file"]).is_file()]
        if todo:
            log(f"downloading {len(todo)} wheels for {target.platform} py{target.python}")
            _pip("download", "--no-deps", "--quiet", "--dest", str(folder),
                 *target_args(target), *[f"{w['name']}=={w['version']}" for w in todo])
    paths = []
    for w in wheels:
        path = folder / w["file"]
        if not path.is_file():
            raise BuildError(f"pip did not download {w['file']}")
        if w["sha256"] and hashlib.sha256(path.read_bytes()).hexdigest() != w["sha256"]:
            path.unlink()
            raise BuildError(f"{w['file']}: hash mismatch (deleted; run again)")
        paths.append(path)
    return paths


def check_wheel_tags(target: Target, wheels: list[Wheel]) -> None:
    """Each bundled wheel is pure Python or built for the target's CPython and platform."""
    bad = []
    for w in wheels:
        py, abi, plat = w["file"][:-4].split("-")[-3:]
        wrong_platform = plat != "any" and not any(p in plat for p in target.wheel_platforms)
        wrong_abi = abi not in ("none", "abi3") and abi != f"cp{target.nodot}"
        wrong_python = abi == "none" and plat != "any" and f"cp{target.nodot}" not in py.split(".")
        if wrong_platform or wrong_abi or wrong_python:
            bad.append(w["file"])
    if bad:
        raise BuildError(f"wheels not for {target}: {bad}")


def sdk_version(wheels: list[Wheel]) -> str:
    """The bundled ayx-python-sdk version (what the tool XML's CustomParameters/Version says)."""
    for w in wheels:
        if w["name"] == "ayx-python-sdk":
            return str(w["version"])
    raise BuildError("ayx-python-sdk is not among the resolved dependencies")
