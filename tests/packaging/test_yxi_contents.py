"""What is inside each built YXI, read from the archive: the generated files as the builder's
pure functions make them (those are unit-tested in test_build_units.py), help that resolves
inside the archive, icons, panels, bytecode for the target, native modules for the target, no
build-machine paths, no dev-only code."""

from __future__ import annotations

import hashlib
import posixpath
import re
import struct
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from ayx_plugins.tools import specs
from tests.packaging.conftest import KEYS, ROOT, Built
from yxi_build import generate

PNG = b"\x89PNG\r\n\x1a\n"
SITE = f"{specs.TOOLS[0].folder}/site-packages/"


@pytest.fixture(params=KEYS)
def yxi(request: pytest.FixtureRequest, built: dict[str, Built]) -> Built:
    """Each of the four YXIs in turn."""
    return built[request.param]


def test_zip_is_reproducible_in_form(yxi: Built) -> None:
    with zipfile.ZipFile(yxi.path) as zf:  # every entry's CRC is checked when it is read
        infos = zf.infolist()  # (test_no_build_machine_paths reads them all)
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(2020, 1, 1, 0, 0, 0)}
    assert all("\\" not in n and not n.startswith("/") for n in names)
    assert yxi.path.name.startswith(f"AlteryxServerTools-{specs.VERSION}-")
    assert ("NOT-FOR-DESIGNER" in yxi.path.name) == (yxi.platform == "linux")


def test_layout_and_generated_files(yxi: Built) -> None:
    names = set(yxi.names())
    top = {n.split("/")[0] for n in names}
    assert top == {"Config.xml", "package_icon.png", *(t.folder for t in specs.TOOLS)}
    assert yxi.read("Config.xml") == generate.package_config_xml(specs)
    from yxi_build.target import Target

    target = Target(yxi.python, yxi.platform)
    for tool in specs.TOOLS:
        folder = tool.folder
        assert {f"{folder}/{folder}Config.xml", f"{folder}/manifest.json", f"{folder}/icon.png",
                f"{folder}/index.html", f"{folder}/main.pyz", f"{folder}/help.html"} <= names
        assert yxi.read(f"{folder}/{folder}Config.xml") == generate.tool_config_xml(
            specs, tool, "2.6.1")
        assert yxi.read(f"{folder}/manifest.json") == generate.manifest_json(target, tool,
                                                                             folder)
        assert yxi.read(f"{folder}/main.pyz") == generate.main_pyz(specs.TOOLS[0].folder)
        dcm = {f"{folder}/{rel}" for rel in generate.dcm_files(tool)}
        assert {n for n in names if n.startswith(f"{folder}/DcmSchemas/")
                and not n.endswith("/")} == dcm
        assert bool(dcm) == bool(generate.dcm_namespace(tool))
    # one site-packages, in the first tool's folder (docs/yxi.md says why)
    holders = sorted({n.split("/")[0] for n in names if "/site-packages/" in n})
    assert holders == [specs.TOOLS[0].folder]
    assert f"{SITE}ayx_plugins/tools/specs.py" in names


def test_every_help_target_resolves_inside_the_yxi(yxi: Built) -> None:
    names = set(yxi.names())
    for tool in specs.TOOLS:
        gui = ET.fromstring(yxi.read(f"{tool.folder}/{tool.folder}Config.xml")).find(
            "GuiSettings")
        assert gui is not None
        help_target = gui.get("Help", "")
        assert help_target and "://" not in help_target  # shipped, not a URL that may not exist
        page_name = f"{tool.folder}/{help_target}"
        assert page_name in names
        page = yxi.read(page_name).decode("utf-8")
        assert f"<h1>{tool.display_name}</h1>" in page or tool.display_name in page
        for ref in re.findall(r'(?:href|src)="([^"#]+)', page):
            if "://" not in ref and not ref.startswith("mailto:"):
                assert posixpath.normpath(f"{tool.folder}/{ref}") in names, (tool.class_name, ref)


def test_icons_exist_and_differ(yxi: Built) -> None:
    digests = set()
    for tool in specs.TOOLS:
        data = yxi.read(f"{tool.folder}/icon.png")
        assert data.startswith(PNG)
        width, height = struct.unpack(">II", data[16:24])
        assert width == height >= 32
        digests.add(hashlib.sha256(data).hexdigest())
    assert len(digests) == len(specs.TOOLS)
    assert yxi.read("package_icon.png").startswith(PNG)


def test_panels_are_packaged(built: dict[str, Built], ui_built: bool) -> None:
    assert ui_built, ("ui/build.py does not exist yet, so the YXIs were built with --no-ui and "
                      "carry placeholder panels")
    for yxi in built.values():
        assert "-noui" not in yxi.path.name
        for tool in specs.TOOLS:
            html = yxi.read(f"{tool.folder}/index.html").decode("utf-8")
            assert "--no-ui" not in html and "<script" in html


def test_only_runtime_code_is_shipped(yxi: Built) -> None:
    names = [n[len(SITE):] for n in yxi.names() if n.startswith(SITE)]
    top = {n.split("/")[0] for n in names}
    for dev in ("designer_host", "ayx_server_emulator", "yxi_build", "tests", "flask", "pytest",
                "bin", "hypothesis", "_pytest", "werkzeug", "playwright"):
        assert dev not in top
    assert "ayx_plugins/demo.py" not in names
    assert "ayx_plugins/server_api/client.py" in names
    assert [n for n in names if "/tests/" in n] == []
    assert [n for n in names if n.endswith("/RECORD")] == []
    assert [n for n in names if n.startswith("ayx_python_sdk/docs/")] == []
    assert "pandas/_testing/__init__.py" in names  # `import pandas` needs it
    assert {"ayx_python_sdk", "pydantic", "requests", "oauthlib", "pyarrow", "grpc",
            "pandas"} <= top


def test_bytecode_is_for_the_target_and_never_checks_the_source(yxi: Built) -> None:
    names = [n[len(SITE):] for n in yxi.names() if n.startswith(SITE)]
    pycs = {n for n in names if n.endswith(".pyc")}
    tag = f"cpython-{yxi.nodot}"
    assert pycs and all(n.endswith(f".{tag}.pyc") and "__pycache__/" in n for n in pycs)
    sources = [n for n in names if n.endswith(".py")]
    missing = [n for n in sources
               if f"{n.rpartition('/')[0]}/__pycache__/{Path(n).stem}.{tag}.pyc".lstrip("/")
               not in pycs]
    assert missing == []
    with zipfile.ZipFile(yxi.path) as zf:
        headers = {zf.read(SITE + n)[:8] for n in sorted(pycs)[::50]}
    magics = {h[:4] for h in headers}
    assert len(magics) == 1
    assert {struct.unpack("<I", h[4:8])[0] for h in headers} == {0b01}  # hash-based, unchecked
    if yxi.python == f"{sys.version_info[0]}.{sys.version_info[1]}":  # marshal: own version only
        import importlib.util
        import marshal

        assert magics == {importlib.util.MAGIC_NUMBER}
        for name in ("ayx_plugins/tools/engine.py", "pandas/__init__.py"):
            pyc = f"{SITE}{posixpath.dirname(name)}/__pycache__/{Path(name).stem}.{tag}.pyc"
            code = marshal.loads(yxi.read(pyc)[16:])
            assert code.co_filename == name  # relative: no build-machine path


def _needles(extra: Path) -> list[bytes]:
    paths = {str(ROOT), sys.prefix, sys.base_prefix, str(Path.home() / ".pyenv"),
             "/root/.pyenv", str(extra)}
    return sorted(p.encode() for p in paths)


def test_no_build_machine_paths(yxi: Built) -> None:
    pattern = re.compile(b"|".join(re.escape(n) for n in _needles(yxi.path.parent)))
    hits = []
    with zipfile.ZipFile(yxi.path) as zf:
        for info in zf.infolist():
            if not info.is_dir():
                hits += [f"{info.filename}: {m.group()!r}"
                         for m in pattern.finditer(zf.read(info))]  # reading checks the CRC
    assert hits == []


def _pe_machine(data: bytes) -> int:
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[:2] == b"MZ" and data[offset:offset + 4] == b"PE\0\0"
    return int(struct.unpack_from("<H", data, offset + 4)[0])


@pytest.mark.parametrize("key", ["windows-3.13", "windows-3.10"])
def test_windows_native_modules_match_the_target(built: dict[str, Built], key: str) -> None:
    yxi = built[key]
    names = yxi.names()
    assert [n for n in names if n.endswith((".so", ".dylib")) or ".so." in n] == []
    pyds = [n for n in names if n.lower().endswith(".pyd")]
    tagged = [n for n in pyds if re.search(r"\.cp\d+-win_amd64\.pyd$", n)]
    assert len(tagged) > 20  # numpy, pandas, pyarrow, pydantic_core, grpc, ...
    want = f".cp{yxi.nodot}-win_amd64.pyd"
    assert [n for n in tagged if not n.endswith(want)] == []
    # Each extension links the target's python3XX.dll, or python3.dll (stable ABI) when untagged;
    # none links the other Designer's Python.
    other = {"313": "python310.dll", "310": "python313.dll"}[yxi.nodot].encode()
    with zipfile.ZipFile(yxi.path) as zf:
        for n in pyds:
            data = zf.read(n).lower()
            assert other not in data, n
            assert (f"python{yxi.nodot}.dll".encode() if n in tagged else b"python3.dll") \
                in data, n
        for n in names:
            if n.lower().endswith((".pyd", ".dll")):
                assert _pe_machine(zf.read(n)) == 0x8664, n  # AMD64
    # The SDK wants grpcio-fips on Windows; pip alone would have picked grpcio (host markers)
    dists = {n[len(SITE):].split("-")[0].lower() for n in names
             if n.startswith(SITE) and ".dist-info/" in n}
    assert "grpcio_fips" in dists and "grpcio" not in dists
    assert "colorama" in dists  # click's Windows-only dependency
    assert any(n.startswith(f"{SITE}grpc/_cython/") for n in names)


@pytest.mark.parametrize("key", ["linux-3.13", "linux-3.10"])
def test_linux_native_modules_match_the_target(built: dict[str, Built], key: str) -> None:
    yxi = built[key]
    sos = [n.rsplit("/", 1)[-1] for n in yxi.names() if n.endswith(".so") and ".cpython-" in n]
    assert len(sos) > 20
    assert [n for n in sos if f".cpython-{yxi.nodot}-x86_64-linux-gnu.so" not in n] == []
    assert [n for n in yxi.names() if n.endswith(".pyd")] == []


@pytest.mark.parametrize("python", ["3.13", "3.10"])
def test_windows_payload_holds_the_python_its_linux_twin_imported(
        built: dict[str, Built], python: str) -> None:
    """The Windows payload cannot be imported here; its Linux twin is (every top-level package,
    by the build). Same pruning, same modules: only click's Windows-only colorama is extra."""
    def modules(yxi: Built) -> set[str]:
        return {n[len(SITE):] for n in yxi.names() if n.startswith(SITE) and n.endswith(".py")}

    windows, linux = modules(built[f"windows-{python}"]), modules(built[f"linux-{python}"])
    assert sorted(linux - windows) == []
    assert {n.split("/")[0] for n in windows - linux} == {"colorama"}
