"""One YXI build end to end, and the command line (`python build_yxi.py --help`)."""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sys
import tempfile
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType

from yxi_build import archive, checks, generate, helppages, natives, payload, resolve
from yxi_build.project import (
    ASSETS,
    BUILDER,
    CACHE,
    DOCS,
    PACKAGE,
    ROOT,
    BuildError,
    load_specs,
    log,
    runtime_requirements,
)
from yxi_build.target import Target, iter_targets
from yxi_build.ui import Panels, build_ui

# The builder modules that shape the cached third-party payload (a change in them remakes it).
PAYLOAD_MODULES = ("payload", "natives", "archive", "target", "checks")


@dataclass(frozen=True)
class ThirdParty:
    """The pruned, compiled and checked third-party site-packages of one target, cached in
    build/yxi/payload/: the tree (to verify against) and its entries, already compressed."""

    folder: Path

    @property
    def site(self) -> Path:
        """The unpacked tree."""
        return self.folder / "site-packages"

    @property
    def zip(self) -> Path:
        """The same files, compressed once."""
        return self.folder / "site-packages.zip"

    @property
    def info(self) -> dict[str, int]:
        """What was checked when it was made."""
        return dict(json.loads((self.folder / "done.json").read_text()))


def third_party(target: Target, wheels: list[resolve.Wheel], paths: list[Path],
                bare: str) -> ThirdParty:
    """Unpack, prune, compile and check the wheels once per target and wheel list."""
    flavour = f"{target.platform}-{target.nodot}"  # the layout does not change the payload
    key = archive.digest(flavour, wheels, str(ROOT), sys.prefix, bare,
                         files=[BUILDER / f"{m}.py" for m in PAYLOAD_MODULES], root=BUILDER)
    base = CACHE / "payload"
    done = ThirdParty(base / f"{flavour}-{key}")
    if (done.folder / "done.json").is_file():
        return done
    base.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(dir=base, prefix=f".{flavour}-"))
    try:
        site = tmp / "site-packages"
        site.mkdir()
        for path in paths:
            payload.unpack_wheel(path, site)
        removed = payload.prune(site)
        compiled = payload.compile_pyc(site, bare)
        count = natives.check_natives(target, site)
        files = sorted(p for p in site.rglob("*") if p.is_file())
        checks.scan_paths(((p.relative_to(site).as_posix(), p) for p in files),
                          checks.needles([tmp]))
        archive.write_zip(tmp / "site-packages.zip",
                          {p.relative_to(site).as_posix(): p for p in files})
        (tmp / "done.json").write_text(json.dumps({"removed": removed, "pyc": compiled,
                                                   "natives": count, "files": len(files)}))
        for old in base.glob(f"{flavour}-*"):
            if old != done.folder:
                shutil.rmtree(old, ignore_errors=True)  # one cached payload per target
        try:
            tmp.rename(done.folder)
        except OSError:  # a concurrent build finished the same payload first: keep that one
            if not (done.folder / "done.json").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    info = done.info
    log(f"{target.platform} py{target.python}: {len(wheels)} wheels unpacked, "
        f"{info['removed'] / 1e6:.0f} MB pruned, {info['pyc']} .pyc compiled with {bare}")
    return done


def input_files() -> list[Path]:
    """Everything of the project a YXI is made of, besides wheels and panels."""
    roots = [ROOT / PACKAGE, ASSETS, DOCS / "tools", BUILDER]
    files = [p for r in roots if r.is_dir() for p in sorted(r.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    return [*files, *([DOCS / "tools.md"] if (DOCS / "tools.md").is_file() else [])]


def panels_digest(panels: Panels | None) -> str | None:
    """A digest of the panels' files (None: built without panels)."""
    if panels is None:
        return None
    h = hashlib.sha256()
    for tool, files in sorted(panels.items()):
        for name, data in sorted(files.items()):
            h.update(f"{tool}/{name}\0{len(data)}\0".encode() + data)
    return h.hexdigest()


def _asset(path: Path) -> Path:
    if not path.is_file():
        raise BuildError(f"missing {path.relative_to(ROOT)} (run python assets/make_icons.py)")
    return path


def build(target: Target, out_dir: Path, panels: Panels | None, refresh: bool = False) -> Path:
    """Build one YXI and return its path."""
    specs = load_specs()
    tools = list(specs.TOOLS)
    requirements = runtime_requirements()
    log(f"{target.platform} py{target.python}: resolving {len(requirements)} requirements")
    wheels = resolve.resolve(target, requirements, refresh)
    resolve.check_wheel_tags(target, wheels)
    paths = resolve.fetch(target, wheels)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / target.file_name(specs.VERSION, panels is not None)
    key = archive.digest(target.key, wheels, panels_digest(panels), files=input_files(),
                         root=ROOT)
    cached = CACHE / "out" / f"{key}-{target.key}.yxi"
    if cached.is_file():  # same inputs, same bytes: this exact archive was verified when built
        shutil.copyfile(cached, out)
        log(f"{out.name}: inputs unchanged since {cached.relative_to(ROOT)}, reused")
        return out
    bare = checks.find_python(target.python)
    deps = third_party(target, wheels, paths, bare)
    (CACHE / "stage").mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=CACHE / "stage") as tmp:
        site = Path(tmp) / "site-packages"
        payload.link_tree(deps.site, site)
        payload.copy_package(site)
        payload.compile_pyc(site, bare, only=PACKAGE)
        own = {p.relative_to(site).as_posix(): p for p in sorted((site / PACKAGE).rglob("*"))
               if p.is_file()}
        if target.platform == "linux":
            checks.verify_linux(target, site, bare)
        entries = tool_entries(specs, target, panels, resolve.sdk_version(wheels))
        generated = [(n, s) for n, s in entries.items() if isinstance(s, (Path, bytes))]
        checks.scan_paths([*generated, *own.items()], checks.needles([Path(tmp)]))
        deps_entries = archive.raw_entries(deps.zip)
        first = tools[0].folder
        for tool in tools:
            if tool.folder == first or target.layout == "per-tool":
                for rel, raw in deps_entries.items():
                    entries[f"{tool.folder}/site-packages/{rel}"] = raw
                for rel, path in own.items():
                    entries[f"{tool.folder}/site-packages/{rel}"] = path
        archive.write_zip(out, entries)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob(f"*-{target.key}.yxi"):
        old.unlink(missing_ok=True)  # keep one cached archive per target
    part = cached.with_name(f".{cached.name}.{os.getpid()}")
    shutil.copyfile(out, part)
    part.replace(cached)
    log(f"wrote {out.name} ({out.stat().st_size / 1e6:.1f} MB, {deps.info['natives']} native "
        f"modules, {target.layout} site-packages)")
    return out


def tool_entries(specs: ModuleType, target: Target, panels: Panels | None,
                 sdk: str) -> dict[str, archive.Source]:
    """Every generated or copied file of the YXI except site-packages."""
    entries: dict[str, archive.Source] = {
        "Config.xml": generate.package_config_xml(specs),
        "package_icon.png": _asset(ASSETS / "package_icon.png"),
    }
    first = specs.TOOLS[0].folder
    for tool in specs.TOOLS:
        folder = tool.folder
        entries[f"{folder}/{folder}Config.xml"] = generate.tool_config_xml(specs, tool, sdk)
        entries[f"{folder}/manifest.json"] = generate.manifest_json(target, tool, folder)
        entries[f"{folder}/main.pyz"] = generate.main_pyz(first)
        entries[f"{folder}/icon.png"] = _asset(ASSETS / "icons" / f"{tool.class_name}.png")
        entries[f"{folder}/{generate.HELP_FILE}"] = helppages.help_html(specs, tool)
        for rel, path in generate.dcm_files(tool).items():
            entries[f"{folder}/{rel}"] = path
        if panels is None:
            entries[f"{folder}/index.html"] = generate.NO_UI_HTML.format(
                name=tool.display_name).encode()
        else:
            for name, data in panels[tool.class_name].items():
                entries[f"{folder}/{name}"] = data
    return entries


def main(argv: list[str] | None = None) -> int:
    """Command line: build the requested YXIs and print their paths."""
    parser = argparse.ArgumentParser(prog="build_yxi.py",
                                     description="Build the Alteryx Server Tools .yxi installers")
    parser.add_argument("--platform", choices=["windows", "linux"], action="append",
                        help="windows (default; for Designer) or linux (runs here, not in "
                        "Designer); repeat for both")
    parser.add_argument("--python", choices=["3.13", "3.10"], action="append",
                        help="3.13 = Designer 2026.1+, 3.10 = Designer 2024.1-2025.2 "
                        "(default: both)")
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="output folder")
    parser.add_argument("--no-ui", action="store_true",
                        help="package without the configuration panels (marked noui)")
    parser.add_argument("--layout", choices=["shared", "per-tool"], default="shared",
                        help="one site-packages in the first tool's folder (default) or a "
                        "copy in every tool folder (7x the size; see docs/yxi.md)")
    parser.add_argument("--refresh", action="store_true",
                        help="resolve dependencies again instead of using build/yxi/resolve")
    parser.add_argument("--jobs", type=int, default=min(2, os.cpu_count() or 1),
                        help="targets built at once (default: up to 2; most of a build is "
                        "compression and subprocesses, which run in parallel)")
    args = parser.parse_args(argv)
    targets = iter_targets(args.platform or ["windows"], args.python or ["3.13", "3.10"],
                           args.layout)
    try:
        panels = None if args.no_ui else build_ui()
        out = args.out.resolve()
        with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
            futures = [pool.submit(build, t, out, panels, args.refresh) for t in targets]
            for future in futures:  # in the order asked for, whatever finishes first
                print(future.result(), flush=True)
    except BuildError as exc:
        print(f"build_yxi: error: {exc}", file=sys.stderr)
        return 1
    return 0
