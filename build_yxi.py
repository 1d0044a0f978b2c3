#!/usr/bin/env python3
"""Build the Alteryx Server Tools .yxi installers (AMP layout) from a clean checkout.

    python build_yxi.py                   # both Windows YXIs (Designer 2026.1+, 2024.1-2025.2)
    python build_yxi.py --python 3.13     # only the Designer 2026.1+ one
    python build_yxi.py --platform linux  # the Linux variants (to run the payload here)
    python build_yxi.py --no-ui           # without the panels (the file name says "noui")

Everything the YXI says about a tool comes from `ayx_plugins/tools/specs.py`; dependencies come
from `pyproject.toml`'s runtime `dependencies`, resolved for the target (CPython version and
platform, markers evaluated for the target, not for this machine) and unpacked from wheels.
Downloads and resolutions are cached under `build/yxi/`. docs/yxi.md explains the choices.
"""

from __future__ import annotations

import argparse
import hashlib
import importlib.util
import json
import os
import re
import shutil
import struct
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from types import ModuleType
from typing import Any
from xml.etree import ElementTree as ET

try:
    from packaging.markers import default_environment
    from packaging.requirements import Requirement
    from packaging.utils import canonicalize_name
except ImportError:  # pip always carries a copy; the build needs pip anyway
    from pip._vendor.packaging.markers import (  # type: ignore[assignment,no-redef,unused-ignore]
        default_environment,
    )
    from pip._vendor.packaging.requirements import (  # type: ignore[assignment,no-redef,unused-ignore]
        Requirement,
    )
    from pip._vendor.packaging.utils import (  # type: ignore[assignment,no-redef,unused-ignore]
        canonicalize_name,
    )

if sys.version_info >= (3, 11):
    import tomllib
else:  # Python 3.10
    from pip._vendor import tomli as tomllib

ROOT = Path(__file__).resolve().parent
CACHE = ROOT / "build" / "yxi"
ASSETS = ROOT / "assets"
PACKAGE = "ayx_plugins"
# Dev-only modules inside the package: they import the emulator and never run in Designer.
DEV_ONLY = {"demo.py"}
SDK_XML_VERSION = "10.1"  # what ayx-plugin-cli 1.4.0 writes for SDKVersion
FIXED_ZIP_TIME = (2020, 1, 1, 0, 0, 0)  # reproducible archives: no build-time timestamps

# What nothing imports at run time: pruned from site-packages to keep the YXI small.
PRUNE_DIRS = {"__pycache__", "tests", "test"}
PRUNE_SUFFIXES = {".pyc", ".pyo", ".pyx", ".pxd", ".pxi", ".pyi", ".h", ".hpp", ".c", ".cc",
                  ".cpp", ".lib", ".a", ".cmake", ".exe"}
PRUNE_PATHS = {
    "ayx_python_sdk/docs", "ayx_python_sdk/examples", "ayx_python_sdk/test_harness",
    "ayx_python_sdk/assets", "ayx_python_sdk/cli", "ayx_python_sdk/__main__.py",
    "pyarrow/include", "pyarrow/src", "numpy/_core/include", "numpy/_core/lib",
    "numpy/f2py", "numpy/distutils", "pandas/_testing",
}
# Arrow Flight (RPC) is the one optional pyarrow component nothing links against (checked for
# Linux with the ELF NEEDED entries and for Windows with the PE import tables, see check_natives).
PRUNE_GLOBS = ["pyarrow/flight.py", "pyarrow/_flight*", "pyarrow/*arrow_flight*",
               "pyarrow/*arrow_python_flight*"]


@dataclass(frozen=True)
class Target:
    """One YXI flavour: the embedded CPython it runs on and the platform its wheels are for."""

    python: str  # "3.13" | "3.10"
    platform: str  # "windows" | "linux"
    layout: str = "shared"  # "shared" | "per-tool": where site-packages lives (docs/yxi.md)

    @property
    def nodot(self) -> str:
        """'313' for Python 3.13."""
        return self.python.replace(".", "")

    @property
    def designer(self) -> str:
        """The Designer releases whose embedded Python this is."""
        return {"3.13": "2026.1+", "3.10": "2024.1-2025.2"}[self.python]

    @property
    def wheel_platforms(self) -> list[str]:
        """The pip --platform values whose wheels this target can load."""
        if self.platform == "windows":
            return ["win_amd64"]
        glibc = os.confstr("CS_GNU_LIBC_VERSION") or "glibc 2.17"
        minor = int(glibc.split()[-1].split(".")[1])
        tags = [f"manylinux_2_{m}_x86_64" for m in range(minor, 16, -1)]
        return [*tags, "manylinux2014_x86_64", "linux_x86_64"]

    @property
    def native_tag(self) -> str:
        """The tag every version-specific native module must carry."""
        if self.platform == "windows":
            return f"cp{self.nodot}-win_amd64"
        return f"cpython-{self.nodot}-x86_64-linux-gnu"

    def marker_environment(self) -> dict[str, str]:
        """PEP 508 marker values of the target interpreter (pip would use this machine's)."""
        env = {k: str(v) for k, v in default_environment().items()}
        full = {"3.13": "3.13.0", "3.10": "3.10.13"}[self.python]
        env.update(python_version=self.python, python_full_version=full,
                   implementation_name="cpython", implementation_version=full,
                   platform_python_implementation="CPython")
        if self.platform == "windows":
            env.update(os_name="nt", sys_platform="win32", platform_system="Windows",
                       platform_machine="AMD64", platform_release="10",
                       platform_version="10.0.19045")
        else:
            env.update(os_name="posix", sys_platform="linux", platform_system="Linux",
                       platform_machine="x86_64")
        return env

    def file_name(self, version: str, ui: bool) -> str:
        """A name that tells a user which Designer it is for (or that it is not for Designer)."""
        suffix = ("" if ui else "-noui") + ("-pertool" if self.layout == "per-tool" else "")
        if self.platform == "windows":
            return (f"AlteryxServerTools-{version}-designer{self.designer}-py{self.nodot}"
                    f"-win_amd64{suffix}.yxi")
        return (f"AlteryxServerTools-{version}-py{self.nodot}-linux_x86_64-NOT-FOR-DESIGNER"
                f"{suffix}.yxi")


class BuildError(RuntimeError):
    """The build refuses to produce a YXI; the message says why."""


def log(message: str) -> None:
    """Progress on stderr (stdout carries only the built file names)."""
    print(f"build_yxi: {message}", file=sys.stderr, flush=True)


def load_specs() -> ModuleType:
    """Import ayx_plugins/tools/specs.py on its own: it needs no SDK, so neither does the build."""
    path = ROOT / PACKAGE / "tools" / "specs.py"
    spec = importlib.util.spec_from_file_location("_yxi_tool_specs", path)
    if spec is None or spec.loader is None:
        raise BuildError(f"cannot load {path}")
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look the module up while building the class
    spec.loader.exec_module(module)
    return module


def runtime_requirements() -> list[str]:
    """The project's runtime dependencies (never the dev or emulator extras)."""
    with open(ROOT / "pyproject.toml", "rb") as f:
        return list(tomllib.load(f)["project"]["dependencies"])


# --------------------------------------------------------------------------- dependencies


def _pip(*args: str) -> subprocess.CompletedProcess[str]:
    cmd = [sys.executable, "-m", "pip", *args]
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise BuildError(f"pip {args[0]} failed:\n{proc.stderr[-3000:]}")
    return proc


def _target_args(target: Target) -> list[str]:
    args = ["--python-version", target.python, "--implementation", "cp", "--only-binary=:all:"]
    for plat in target.wheel_platforms:
        args += ["--platform", plat]
    return args


def _closure(roots: list[str], report: dict[str, dict[str, Any]],
             env: dict[str, str]) -> tuple[set[str], list[str]]:
    """Walk requirements with the target's markers: (needed names, requirements pip missed)."""
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


def resolve(target: Target, requirements: list[str], refresh: bool) -> list[dict[str, Any]]:
    """The exact wheels the target needs: pip's resolver, corrected for the target's markers.

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
                 "--target", str(Path(tmp) / "t"), *_target_args(target), *requirements, *extra)
            items = json.loads(out.read_text())["install"]
        report: dict[str, dict[str, Any]] = {
            str(canonicalize_name(i["metadata"]["name"])): i for i in items}
        names, missing = _closure(requirements + extra, report, env)
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


def fetch(target: Target, wheels: list[dict[str, Any]]) -> list[Path]:
    """Download the wheels into the cache (once) and check their hashes."""
    folder = CACHE / "wheels"
    folder.mkdir(parents=True, exist_ok=True)
    todo = [w for w in wheels if not (folder / w["file"]).is_file()]
    if todo:
        log(f"downloading {len(todo)} wheels for {target.platform} py{target.python}")
        _pip("download", "--no-deps", "--quiet", "--dest", str(folder), *_target_args(target),
             *[f"{w['name']}=={w['version']}" for w in todo])
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


def unpack_wheel(wheel: Path, site: Path) -> None:
    """Install a wheel by unpacking it (no pip launchers, no RECORD naming this machine)."""
    with zipfile.ZipFile(wheel) as zf:
        for info in zf.infolist():
            name = info.filename
            if info.is_dir():
                continue
            parts = name.split("/")
            if parts[0].endswith(".data"):
                if len(parts) < 3 or parts[1] not in ("purelib", "platlib"):
                    continue  # scripts, headers, data: nothing Designer runs
                parts = parts[2:]
            if parts[0].endswith(".dist-info") and parts[-1] in ("RECORD", "INSTALLER",
                                                                 "direct_url.json"):
                continue  # RECORD would list files the pruning removes
            dest = site.joinpath(*parts)
            dest.parent.mkdir(parents=True, exist_ok=True)
            dest.write_bytes(zf.read(info))


def prune(site: Path) -> int:
    """Remove what nothing needs at run time; returns the number of bytes removed."""
    removed = 0

    def size(p: Path) -> int:
        return sum(f.stat().st_size for f in p.rglob("*") if f.is_file()) if p.is_dir() \
            else p.stat().st_size

    for rel in sorted(PRUNE_PATHS):
        p = site / rel
        if p.exists():
            removed += size(p)
            shutil.rmtree(p) if p.is_dir() else p.unlink()
    for pattern in PRUNE_GLOBS:
        for p in sorted(site.glob(pattern)):
            removed += size(p)
            p.unlink()
    for p in sorted(site.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        if not p.exists():
            continue
        if p.is_dir() and p.name in PRUNE_DIRS and not p.relative_to(site).parts[0].startswith(
                PACKAGE):
            removed += size(p)
            shutil.rmtree(p)
        elif p.is_file() and p.suffix.lower() in PRUNE_SUFFIXES:
            removed += size(p)
            p.unlink()
    for p in sorted(site.rglob("*"), key=lambda x: len(x.parts), reverse=True):
        if p.is_dir() and not any(p.iterdir()):
            p.rmdir()
    return removed


def copy_package(site: Path) -> None:
    """The tools' own package: every source and data file, no caches, nothing dev-only."""
    src = ROOT / PACKAGE
    for path in sorted(src.rglob("*")):
        rel = path.relative_to(src)
        if not path.is_file() or "__pycache__" in rel.parts or path.suffix in (".pyc", ".pyo"):
            continue
        if rel.as_posix() in DEV_ONLY:
            continue
        dest = site / PACKAGE / rel
        dest.parent.mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, dest)


# --------------------------------------------------------------------------- generated files


def _xml_bytes(root: ET.Element) -> bytes:
    ET.indent(root, space="  ")
    body = ET.tostring(root, encoding="unicode")
    return ('<?xml version="1.0" encoding="utf-8"?>\n'
            "<!--Generated by build_yxi.py from ayx_plugins/tools/specs.py. Do not edit.-->\n"
            f"{body}\n").encode()


def _meta(parent: ET.Element, fields: list[tuple[str, str]]) -> None:
    meta = ET.SubElement(ET.SubElement(parent, "Properties"), "MetaInfo")
    for tag, text in fields:
        ET.SubElement(meta, tag).text = text


def package_config_xml(specs: ModuleType) -> bytes:
    """The top-level Config.xml (package name, category, icon)."""
    root = ET.Element("AlteryxJavaScriptPlugin")
    ET.SubElement(root, "EngineSettings", EngineDLL="Python", SDKVersion=SDK_XML_VERSION)
    _meta(root, [("Name", specs.PACKAGE_NAME), ("RootToolName", specs.PACKAGE_NAME),
                 ("Description", "Run and monitor Alteryx Server jobs and call its REST API"),
                 ("CategoryName", specs.CATEGORY), ("ToolVersion", specs.VERSION),
                 ("DcmNamespace", ""), ("Author", AUTHOR), ("Company", AUTHOR),
                 ("Copyright", AUTHOR), ("Icon", "package_icon.png")])
    return _xml_bytes(root)


AUTHOR = "Alteryx Server Tools contributors"


def _connections(parent: ET.Element, tag: str, anchors: Iterable[Any]) -> None:
    conns = ET.SubElement(parent, tag)
    for a in anchors:
        ET.SubElement(conns, "Connection", AllowMultiple="False", Label=a.label, Name=a.name,
                      Optional="True" if a.optional else "False", Type="Connection")


def tool_config_xml(specs: ModuleType, tool: Any, sdk_version: str) -> bytes:
    """<Tool>_<ver>Config.xml in the AMP form: SdkEnginePlugin.dll + SdkSettings Manifest."""
    root = ET.Element("AlteryxJavaScriptPlugin")
    ET.SubElement(root, "EngineSettings", EngineDll="SdkEnginePlugin.dll",
                  EngineDllEntryPoint="SdkEnginePlugin", SDKVersion=SDK_XML_VERSION)
    sdk = ET.SubElement(root, "SdkSettings", Manifest="True", Language="Python")
    params = ET.SubElement(sdk, "CustomParameters")
    ET.SubElement(params, "Version", Value=sdk_version)
    ET.SubElement(params, "ToolVersion", Value=specs.VERSION)
    writes = "true" if getattr(tool, "writes_output", False) else "false"
    ET.SubElement(params, "WritesOutputData", Value=writes)
    gui = ET.SubElement(root, "GuiSettings", Html="index.html", Icon="icon.png",
                        SDKVersion=SDK_XML_VERSION, Help=getattr(tool, "help_url", specs.HELP_URL))
    _connections(gui, "InputConnections", tool.inputs)
    _connections(gui, "OutputConnections", tool.outputs)
    _meta(root, [("Name", tool.display_name), ("RootToolName", tool.display_name),
                 ("Description", tool.description), ("ToolVersion", specs.VERSION),
                 ("DcmNamespace", ""), ("CategoryName", specs.CATEGORY),
                 ("SearchTags", f"Alteryx Server, API, {tool.display_name}"),
                 ("Author", AUTHOR), ("Company", AUTHOR), ("Copyright", AUTHOR)])
    return _xml_bytes(root)


def manifest_json(target: Target, tool: Any, entry_folder: str) -> bytes:
    """manifest.json: Designer builds the entry point path from it verbatim, hence the backslash."""
    return (json.dumps({"version": target.python, "entry_point": f"{entry_folder}\\main.pyz",
                        "tool_package": PACKAGE, "tool_name": tool.class_name,
                        "additional_pythonpaths": []}, indent=4) + "\n").encode()


MAIN_PYZ = '''\
"""Starts one Alteryx Server Tools plugin for Designer: python main.pyz start-sdk-tool-service
ayx_plugins <ToolClass>. Plain Python; the .pyz name is what Designer's manifest expects."""
import json
import os
import site
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
os.environ["PYTHONUNBUFFERED"] = "1"
# A cp1252 console dies on the first non-ASCII log line; never let output kill the tool.
for _stream in (sys.stdout, sys.stderr):
    try:
        _stream.reconfigure(encoding="utf-8", errors="replace")
    except (AttributeError, ValueError):
        pass


def _add_site_dir(path: str) -> None:
    # Our verified set of packages must win over anything in Designer's own Python environment.
    before = list(sys.path)
    site.addsitedir(path)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before


def _site_packages() -> Path:
    # Each tool folder has its own main.pyz (what Designer's manifest names); the packages live
    # once, in the first tool's folder, unless this folder carries its own copy.
    own = HERE / "site-packages"
    return own if own.is_dir() else HERE.parent / "{shared_folder}" / "site-packages"


if __name__ == "__main__":
    _add_site_dir(str(_site_packages()))
    with open(HERE / "manifest.json", encoding="utf-8") as f:
        for extra in json.load(f).get("additional_pythonpaths") or []:
            _add_site_dir(extra)
    if len(sys.argv) < 4:
        sys.exit("usage: main.pyz start-sdk-tool-service ayx_plugins <ToolClass>")
    from ayx_python_sdk.providers.amp_provider.__main__ import start_sdk_tool_service

    start_sdk_tool_service(sys.argv[2], sys.argv[3], os.getenv("TOOL_SERVICE_ADDRESS"))
'''

NO_UI_HTML = """<!DOCTYPE html>
<html><head><meta charset="utf-8"><title>{name}</title></head>
<body><p>{name}: this build has no configuration panel (built with --no-ui).</p></body></html>
"""


# --------------------------------------------------------------------------- the UI


def build_ui(tools: list[Any]) -> dict[str, dict[str, bytes]]:
    """Run ui/build.py (npm ci when needed, npm run build) and list each tool's panel files."""
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
    for tool in tools:
        dist = ROOT / "ui" / "dist" / tool.class_name
        files = sorted(p for p in dist.glob("*") if p.is_file() and p.suffix not in (".gz",
                                                                                     ".map"))
        if not any(p.name == "index.html" for p in files):
            raise BuildError(f"ui/build.py produced no {dist.relative_to(ROOT)}/index.html")
        # read now: a concurrent `ui/build.py` may replace ui/dist while the targets are built
        panels[tool.class_name] = {p.name: p.read_bytes() for p in files}
    return panels


# --------------------------------------------------------------------------- verification


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
                [cand, "-c", "import sys; print('%d.%d' % sys.version_info[:2])"],
                capture_output=True, text=True, check=False)
            if probe.stdout.strip() == version:
                return cand
    raise BuildError(f"no Python {version} found on PATH or in pyenv (pyenv install {version})")


VERIFY_LINUX = r'''
import importlib, pkgutil, site, sys, warnings
warnings.simplefilter("ignore")
site_dir, classes = sys.argv[1], sys.argv[2:]
site.addsitedir(site_dir)
bad = [p for p in sys.path if "site-packages" in p and not p.startswith(site_dir)]
assert not bad, f"not a bare interpreter: {bad}"
import ayx_plugins
for mod in pkgutil.walk_packages(ayx_plugins.__path__, "ayx_plugins."):
    importlib.import_module(mod.name)
from ayx_python_sdk.providers.amp_provider.__main__ import start_sdk_tool_service  # noqa
from ayx_python_sdk.core import PluginV2
from ayx_python_sdk.providers.amp_provider import AMPProviderV2
from ayx_python_sdk.core.testing import (_DummyCtrlIn, _IncomingAnchor, _IncomingConnection,
                                         _OutgoingAnchor, _PluginInitializationData)
import grpc, pyarrow as pa
schema = pa.schema([pa.field("x", pa.string())])
for name in classes:
    cls = getattr(ayx_plugins, name)
    assert issubclass(cls, PluginV2), f"{name} is not a PluginV2"
    provider = AMPProviderV2()
    ins = [_IncomingAnchor(a, [_IncomingConnection("1", schema)]) for a in ("Input",)]
    outs = [_OutgoingAnchor(a, 1, None) for a in ("Success", "Failure")]
    provider.set_anchors(_DummyCtrlIn(_PluginInitializationData("<Configuration />", ins, outs)))
    provider.environment.set_tool_config("<Configuration />")
    provider.environment.save_update_mode(2)  # UM_Full: what dropping the tool on a canvas does
    cls(provider)
print("verified", len(classes), "tools")
'''

VERIFY_COMPILE = r'''
import sys, pathlib
site = pathlib.Path(sys.argv[1])
n = 0
for path in sorted(site.rglob("*.py")):
    compile(path.read_bytes(), str(path.relative_to(site)), "exec", dont_inherit=True)
    n += 1
print("compiled", n, "modules")
'''


def _pe_machine(path: Path) -> int | None:
    with open(path, "rb") as f:
        head = f.read(4096)
    if head[:2] != b"MZ" or len(head) < 64:
        return None
    off = struct.unpack_from("<I", head, 0x3C)[0]
    if off + 6 > len(head) or head[off:off + 4] != b"PE\0\0":
        return None
    return int(struct.unpack_from("<H", head, off + 4)[0])


# DLLs Windows or the embedded CPython (python3*.dll, vcruntime140*.dll) provide; anything else a
# native module imports must ship (numpy, pandas and pyarrow bundle a renamed msvcp140).
SYSTEM_DLLS = re.compile(
    r"(api-ms-win-.*|ext-ms-.*|kernel32|kernelbase|user32|advapi32|ws2_32|bcrypt|crypt32|ole32|"
    r"oleaut32|shell32|shlwapi|secur32|ncrypt|iphlpapi|dbghelp|psapi|pdh|powrprof|netapi32|"
    r"mswsock|userenv|version|winhttp|wininet|rpcrt4|ntdll|gdi32|comdlg32|setupapi|dnsapi|"
    r"normaliz|wldap32|wintrust|imm32|winmm|python3\d*|vcruntime140(_1)?|ucrtbase|msvcrt)\.dll",
    re.IGNORECASE)
# grpcio-fips links the FIPS OpenSSL that Designer installs; its METADATA says "Those DLLs are
# expected to be on the user's machine (as part of an Alteryx Designer installation)".
DESIGNER_DLLS = {"libssl-3-x64.dll", "libcrypto-3-x64.dll"}


def pe_imports(path: Path) -> list[str]:
    """The DLL names a PE file imports (its import directory), or [] when it has none."""
    data = path.read_bytes()
    pe = int(struct.unpack_from("<I", data, 0x3C)[0])
    nsections = int(struct.unpack_from("<H", data, pe + 6)[0])
    opt = pe + 24
    opt_size = int(struct.unpack_from("<H", data, pe + 20)[0])
    magic = struct.unpack_from("<H", data, opt)[0]
    dirs = opt + (112 if magic == 0x20B else 96)
    import_rva = struct.unpack_from("<I", data, dirs + 8)[0]
    if not import_rva:
        return []
    sections = [struct.unpack_from("<IIII", data, opt + opt_size + 40 * i + 8)
                for i in range(nsections)]  # (virtual size, rva, raw size, raw offset)

    def offset(rva: int) -> int:
        for vsize, va, rsize, raw in sections:
            if va <= rva < va + max(vsize, rsize):
                return int(rva - va + raw)
        raise ValueError(f"RVA {rva:#x} outside every section")

    names: list[str] = []
    pos = offset(import_rva)
    while True:
        name_rva = struct.unpack_from("<I", data, pos + 12)[0]
        if not name_rva:
            return names
        start = offset(name_rva)
        names.append(data[start:data.index(b"\0", start)].decode("ascii"))
        pos += 20


def check_natives(target: Target, site: Path) -> int:
    """Every native module is for the target: its ABI tag, and for Windows a PE for AMD64."""
    errors, count = [], 0
    shipped = {p.name.lower() for p in site.rglob("*") if p.suffix.lower() in (".dll", ".pyd")}
    for path in sorted(site.rglob("*")):
        if not path.is_file():
            continue
        name, rel = path.name, path.relative_to(site).as_posix()
        suffix = path.suffix.lower()
        if target.platform == "windows":
            if suffix in (".so", ".dylib") or ".so." in name:
                errors.append(f"{rel}: not a Windows binary")
            elif suffix in (".pyd", ".dll"):
                count += 1
                if _pe_machine(path) != 0x8664:
                    errors.append(f"{rel}: not an AMD64 PE file")
                    continue
                for dll in pe_imports(path):
                    if dll.lower() in DESIGNER_DLLS:
                        continue
                    if dll.lower() not in shipped and not SYSTEM_DLLS.fullmatch(dll):
                        errors.append(f"{rel}: imports {dll}, which the payload lacks")
                tag = re.search(r"\.(cp\d+)-(win_amd64)\.pyd$", name)
                if suffix == ".pyd" and tag and f"{tag[1]}-{tag[2]}" != target.native_tag:
                    errors.append(f"{rel}: built for {tag[1]}-{tag[2]}, not {target.native_tag}")
        elif suffix == ".so" or ".so." in name:
            count += 1
            tag = re.search(r"\.cpython-(\d+)-", name)
            if tag and tag[1] != target.nodot:
                errors.append(f"{rel}: built for cpython-{tag[1]}")
            if suffix in (".pyd", ".dll"):
                errors.append(f"{rel}: a Windows binary in a Linux payload")
    if errors:
        raise BuildError("native modules do not match the target:\n  " + "\n  ".join(errors[:40]))
    return count


def check_wheel_tags(target: Target, wheels: list[dict[str, Any]]) -> None:
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


def needles(extra: Iterable[Path]) -> list[bytes]:
    """Paths of this build machine that must not appear in any shipped file."""
    paths = {str(ROOT), str(CACHE), sys.prefix, sys.base_prefix, sys.exec_prefix,
             *(str(p) for p in extra)}
    return sorted({p.encode() for p in paths if len(p) > 4})


def scan_paths(files: Iterable[tuple[str, Path]], bad: list[bytes]) -> None:
    """Refuse any file carrying a path of the build machine."""
    hits = []
    for arcname, path in files:
        data = path.read_bytes()
        for needle in bad:
            if needle in data:
                hits.append(f"{arcname}: contains {needle.decode()!r}")
    if hits:
        raise BuildError("build-machine paths in the payload:\n  " + "\n  ".join(hits[:40]))


def verify(target: Target, site: Path, classes: list[str]) -> None:
    """Import-check the staged payload with a fresh interpreter of the target's version."""
    bare = find_python(target.python)
    env = {"PATH": os.environ.get("PATH", "/usr/bin:/bin"), "HOME": tempfile.gettempdir(),
           "PYTHONDONTWRITEBYTECODE": "1"}
    with tempfile.TemporaryDirectory() as tmp:
        env["HOME"] = tmp  # the SDK writes logs under $HOME/Alteryx
        script = VERIFY_LINUX if target.platform == "linux" else VERIFY_COMPILE
        args = [bare, "-I", "-S", "-B", "-c", script, str(site)]
        if target.platform == "linux":
            args += classes
        proc = subprocess.run(args, capture_output=True, text=True, env=env, cwd=tmp, timeout=600,
                              check=False)
    if proc.returncode != 0:
        raise BuildError(f"the staged payload does not verify with {bare}:\n"
                         f"{proc.stdout[-2000:]}\n{proc.stderr[-4000:]}")
    log(f"{target.platform} py{target.python}: {proc.stdout.strip()} with a bare {bare}")


# --------------------------------------------------------------------------- assembly


def write_zip(out: Path, entries: dict[str, Path | bytes]) -> None:
    """A reproducible zip: sorted names, fixed times and permissions, written atomically."""
    tmp = out.with_name(out.name + ".part")
    dirs = {"/".join(n.split("/")[:i]) + "/" for n in entries for i in range(1, n.count("/") + 1)}
    with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED, compresslevel=6) as zf:
        for name in sorted(set(entries) | dirs):
            info = zipfile.ZipInfo(name, FIXED_ZIP_TIME)
            info.create_system = 0
            if name.endswith("/"):
                info.external_attr = 0o40755 << 16 | 0x10
                zf.writestr(info, b"")
                continue
            info.external_attr = 0o644 << 16
            info.compress_type = zipfile.ZIP_DEFLATED
            src = entries[name]
            data = src if isinstance(src, bytes) else src.read_bytes()
            zf.writestr(info, data, compresslevel=6)
    tmp.replace(out)


def input_digest(target: Target, wheels: list[dict[str, Any]],
                 panels: dict[str, dict[str, bytes]] | None) -> str:
    """A digest of everything a YXI is made of: builder, wheels, package, panels, icons."""
    h = hashlib.sha256()
    h.update(Path(__file__).read_bytes())
    h.update(json.dumps([target.python, target.platform, target.layout, wheels]).encode())
    files = [p for p in sorted((ROOT / PACKAGE).rglob("*")) + sorted(ASSETS.rglob("*"))
             if p.is_file() and "__pycache__" not in p.parts]
    for p in files:
        h.update(p.relative_to(ROOT).as_posix().encode() + b"\0" + p.read_bytes())
    for tool, contents in sorted((panels or {}).items()):
        for name, data in sorted(contents.items()):
            h.update(f"{tool}/{name}".encode() + b"\0" + data)
    h.update(b"noui" if panels is None else b"ui")
    return f"{h.hexdigest()[:20]}-{target.platform}-{target.nodot}-{target.layout}"


def sdk_version(wheels: list[dict[str, Any]]) -> str:
    """The bundled ayx-python-sdk version (what the tool XML's CustomParameters/Version says)."""
    for w in wheels:
        if w["name"] == "ayx-python-sdk":
            return str(w["version"])
    raise BuildError("ayx-python-sdk is not among the resolved dependencies")


def build(target: Target, out_dir: Path, panels: dict[str, dict[str, bytes]] | None,
          refresh: bool = False) -> Path:
    """Build one YXI and return its path."""
    specs = load_specs()
    tools = list(specs.TOOLS)
    requirements = runtime_requirements()
    log(f"{target.platform} py{target.python}: resolving {len(requirements)} requirements")
    wheels = resolve(target, requirements, refresh)
    check_wheel_tags(target, wheels)
    paths = fetch(target, wheels)
    out_dir.mkdir(parents=True, exist_ok=True)
    out = out_dir / target.file_name(specs.VERSION, panels is not None)
    key = input_digest(target, wheels, panels)
    cached = CACHE / "out" / f"{key}.yxi"
    if cached.is_file():  # same inputs, same bytes: this exact archive was verified when built
        shutil.copyfile(cached, out)
        log(f"{out.name}: inputs unchanged since {cached.relative_to(ROOT)}, reused")
        return out
    stage_root = CACHE / "stage"
    stage_root.mkdir(parents=True, exist_ok=True)
    with tempfile.TemporaryDirectory(dir=stage_root) as tmp:
        site = Path(tmp) / "site-packages"
        site.mkdir()
        for path in paths:
            unpack_wheel(path, site)
        copy_package(site)
        removed = prune(site)
        log(f"{target.platform} py{target.python}: {len(wheels)} wheels unpacked, "
            f"{removed / 1e6:.0f} MB pruned")
        natives = check_natives(target, site)
        verify(target, site, [t.class_name for t in tools])

        entries: dict[str, Path | bytes] = {}
        entries["Config.xml"] = package_config_xml(specs)
        entries["package_icon.png"] = _asset(ASSETS / "package_icon.png")
        site_files = sorted(p for p in site.rglob("*") if p.is_file())
        first = tools[0].folder
        for tool in tools:
            folder = tool.folder
            entries[f"{folder}/{folder}Config.xml"] = tool_config_xml(specs, tool,
                                                                       sdk_version(wheels))
            entries[f"{folder}/manifest.json"] = manifest_json(target, tool, folder)
            entries[f"{folder}/main.pyz"] = MAIN_PYZ.replace("{shared_folder}", first).encode()
            entries[f"{folder}/icon.png"] = _asset(ASSETS / "icons" / f"{tool.class_name}.png")
            if panels is None:
                entries[f"{folder}/index.html"] = NO_UI_HTML.format(
                    name=tool.display_name).encode()
            else:
                for name, data in panels[tool.class_name].items():
                    entries[f"{folder}/{name}"] = data
            if folder == first or target.layout == "per-tool":
                for f in site_files:
                    entries[f"{folder}/site-packages/{f.relative_to(site).as_posix()}"] = f
        scan_paths(((n, p) for n, p in entries.items() if isinstance(p, Path)),
                   needles([Path(tmp)]))
        text = b"".join(v for v in entries.values() if isinstance(v, bytes))
        for needle in needles([Path(tmp)]):
            if needle in text:
                raise BuildError(f"a generated file carries {needle.decode()!r}")
        write_zip(out, entries)
    cached.parent.mkdir(parents=True, exist_ok=True)
    for old in cached.parent.glob(f"*-{target.platform}-{target.nodot}-{target.layout}.yxi"):
        old.unlink()  # keep one cached archive per target
    shutil.copyfile(out, cached)
    log(f"wrote {out.name} ({out.stat().st_size / 1e6:.1f} MB, {natives} native modules, "
        f"{target.layout} site-packages)")
    return out


def _asset(path: Path) -> Path:
    if not path.is_file():
        raise BuildError(f"missing {path.relative_to(ROOT)} (run python assets/make_icons.py)")
    return path


def iter_targets(platforms: list[str], pythons: list[str], layout: str) -> Iterator[Target]:
    """Targets in a stable order: newest Designer first."""
    for plat in platforms:
        for py in pythons:
            yield Target(py, plat, layout)


def main(argv: list[str] | None = None) -> int:
    """Command line: build the requested YXIs and print their paths."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
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
    args = parser.parse_args(argv)
    targets = list(iter_targets(args.platform or ["windows"], args.python or ["3.13", "3.10"],
                                args.layout))
    try:
        panels = None if args.no_ui else build_ui(list(load_specs().TOOLS))
        for target in targets:
            print(build(target, args.out.resolve(), panels, args.refresh), flush=True)
    except BuildError as exc:
        print(f"build_yxi: error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
