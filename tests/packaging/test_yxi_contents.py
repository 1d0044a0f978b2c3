"""What is inside each built YXI: layout, generated XMLs, manifests, icons, native modules, and
the absence of build-machine paths and dev-only code. Checked independently of build_yxi.py's own
checks (nothing here imports the builder)."""

from __future__ import annotations

import hashlib
import json
import re
import struct
import sys
import zipfile
from pathlib import Path
from xml.etree import ElementTree as ET

import pytest

from ayx_plugins.tools import specs
from tests.packaging.conftest import KEYS, ROOT, Built

PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(params=KEYS)
def yxi(request: pytest.FixtureRequest, built: dict[str, Built]) -> Built:
    """Each of the four YXIs in turn."""
    return built[request.param]


def test_file_names_tell_which_designer(built: dict[str, Built]) -> None:
    names = {k: b.path.name for k, b in built.items()}
    assert "designer2026.1+-py313-win_amd64" in names["windows-3.13"]
    assert "designer2024.1-2025.2-py310-win_amd64" in names["windows-3.10"]
    for key in ("linux-3.13", "linux-3.10"):
        assert "NOT-FOR-DESIGNER" in names[key] and "linux_x86_64" in names[key]
    assert all(n.startswith(f"AlteryxServerTools-{specs.VERSION}-") for n in names.values())


def test_zip_is_reproducible_in_form(yxi: Built) -> None:
    with zipfile.ZipFile(yxi.path) as zf:
        infos = zf.infolist()
    names = [i.filename for i in infos]
    assert names == sorted(names)
    assert {i.date_time for i in infos} == {(2020, 1, 1, 0, 0, 0)}
    assert all("\\" not in n and not n.startswith("/") for n in names)


def test_layout_and_package_config(yxi: Built) -> None:
    tools = yxi.tools_dir
    top = sorted(p.name for p in tools.iterdir())
    assert top == sorted(["Config.xml", "package_icon.png", *(t.folder for t in specs.TOOLS)])
    meta = ET.parse(tools / "Config.xml").getroot().find("Properties/MetaInfo")
    assert meta is not None
    assert meta.findtext("Name") == specs.PACKAGE_NAME
    assert meta.findtext("CategoryName") == specs.CATEGORY
    assert meta.findtext("ToolVersion") == specs.VERSION
    assert (tools / str(meta.findtext("Icon"))).read_bytes().startswith(PNG)
    engine = ET.parse(tools / "Config.xml").getroot().find("EngineSettings")
    assert engine is not None and engine.get("EngineDLL") == "Python"
    for tool in specs.TOOLS:
        files = {p.name for p in (tools / tool.folder).iterdir()}
        assert {f"{tool.folder}Config.xml", "manifest.json", "icon.png", "index.html",
                "main.pyz"} <= files
    # one site-packages, in the first tool's folder (docs/yxi.md says why)
    holders = [t.folder for t in specs.TOOLS if (tools / t.folder / "site-packages").is_dir()]
    assert holders == [specs.TOOLS[0].folder]


def _anchors(gui: ET.Element, tag: str) -> list[tuple[str, str, str]]:
    return [(c.get("Name", ""), c.get("Label", ""), c.get("Optional", ""))
            for c in gui.findall(f"{tag}/Connection")]


@pytest.mark.parametrize("tool", specs.TOOLS, ids=lambda t: t.class_name)
def test_tool_xml_is_generated_from_specs(built: dict[str, Built], tool: specs.ToolSpec) -> None:
    for yxi in built.values():
        folder = yxi.tools_dir / tool.folder
        root = ET.parse(folder / f"{tool.folder}Config.xml").getroot()
        engine = root.find("EngineSettings")
        assert engine is not None
        assert engine.get("EngineDll") == "SdkEnginePlugin.dll"
        assert engine.get("EngineDllEntryPoint") == "SdkEnginePlugin"
        sdk = root.find("SdkSettings")
        assert sdk is not None and sdk.get("Manifest") == "True" and sdk.get("Language") == "Python"
        assert root.find("SdkSettings/CustomParameters/Version").get("Value") == "2.6.1"  # type: ignore[union-attr]
        assert root.find("SdkSettings/CustomParameters/ToolVersion").get("Value") == specs.VERSION  # type: ignore[union-attr]
        writes = "true" if tool.writes_output else "false"
        assert root.find("SdkSettings/CustomParameters/WritesOutputData").get("Value") == writes  # type: ignore[union-attr]
        gui = root.find("GuiSettings")
        assert gui is not None
        assert gui.get("Html") == "index.html" and (folder / "index.html").is_file()
        assert gui.get("Help") == specs.HELP_URL
        assert (folder / str(gui.get("Icon"))).read_bytes().startswith(PNG)
        expect_in = [(a.name, a.label, str(a.optional)) for a in tool.inputs]
        expect_out = [(a.name, a.label, str(a.optional)) for a in tool.outputs]
        assert _anchors(gui, "InputConnections") == expect_in
        assert _anchors(gui, "OutputConnections") == expect_out
        assert [a[0] for a in expect_out] == [specs.SUCCESS, specs.FAILURE]
        assert root.findtext("Properties/MetaInfo/Name") == tool.display_name
        assert root.findtext("Properties/MetaInfo/CategoryName") == specs.CATEGORY
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", tool.display_name)


def test_manifests_point_at_the_packaged_entry_point(yxi: Built) -> None:
    shared = yxi.tools_dir / specs.TOOLS[0].folder / "site-packages"
    for tool in specs.TOOLS:
        manifest = json.loads((yxi.tools_dir / tool.folder / "manifest.json").read_text())
        assert manifest["version"] == yxi.python
        assert manifest["tool_package"] == "ayx_plugins"
        assert manifest["tool_name"] == tool.class_name
        assert manifest["additional_pythonpaths"] == []
        # Designer joins the entry point to its Tools folder verbatim: a Windows path
        assert manifest["entry_point"] == f"{tool.folder}\\main.pyz"
        entry = yxi.tools_dir / manifest["entry_point"].replace("\\", "/")
        source = entry.read_text(encoding="utf-8")
        compile(source, str(entry), "exec")
        assert f'"{specs.TOOLS[0].folder}" / "site-packages"' in source
        assert (shared / "ayx_plugins" / "tools" / "specs.py").is_file()


def test_icons_exist_and_differ(yxi: Built) -> None:
    digests = set()
    for tool in specs.TOOLS:
        data = (yxi.tools_dir / tool.folder / "icon.png").read_bytes()
        assert data.startswith(PNG)
        width, height = struct.unpack(">II", data[16:24])
        assert width == height >= 32
        digests.add(hashlib.sha256(data).hexdigest())
    assert len(digests) == len(specs.TOOLS)


def test_panels_are_packaged(built: dict[str, Built], ui_built: bool) -> None:
    assert ui_built, ("ui/build.py does not exist yet, so the YXIs were built with --no-ui and "
                      "carry placeholder panels")
    for yxi in built.values():
        assert "-noui" not in yxi.path.name
        for tool in specs.TOOLS:
            html = (yxi.tools_dir / tool.folder / "index.html").read_text(encoding="utf-8")
            assert "--no-ui" not in html and "<script" in html


def _site(yxi: Built) -> Path:
    return yxi.tools_dir / specs.TOOLS[0].folder / "site-packages"


def test_only_runtime_code_is_shipped(yxi: Built) -> None:
    site = _site(yxi)
    top = {p.name for p in site.iterdir()}
    for dev in ("designer_host", "ayx_server_emulator", "tests", "flask", "pytest", "bin",
                "hypothesis", "_pytest", "werkzeug", "playwright"):
        assert dev not in top
    assert not (site / "ayx_plugins" / "demo.py").exists()
    assert (site / "ayx_plugins" / "server_api" / "client.py").is_file()
    for name in ("tests", "__pycache__"):
        assert not list(site.rglob(name)), f"{name} folders were not pruned"
    assert not list(site.rglob("*.pyc"))
    assert not list(site.rglob("RECORD"))
    assert not (site / "ayx_python_sdk" / "docs").exists()
    expected = {"ayx_python_sdk", "pydantic", "requests", "oauthlib", "pyarrow", "grpc"}
    assert expected <= top


def _needles() -> list[bytes]:
    paths = {str(ROOT), sys.prefix, sys.base_prefix, str(Path.home() / ".pyenv"),
             "/root/.pyenv"}
    return sorted(p.encode() for p in paths)


def test_no_build_machine_paths(yxi: Built) -> None:
    needles = [*_needles(), str(yxi.tools_dir.parent).encode()]
    hits = []
    for path in yxi.tools_dir.rglob("*"):
        if path.is_file():
            data = path.read_bytes()
            hits += [f"{path.relative_to(yxi.tools_dir)}: {n!r}" for n in needles if n in data]
    assert hits == []


def _pe_machine(data: bytes) -> int:
    offset = struct.unpack_from("<I", data, 0x3C)[0]
    assert data[:2] == b"MZ" and data[offset:offset + 4] == b"PE\0\0"
    return int(struct.unpack_from("<H", data, offset + 4)[0])


@pytest.mark.parametrize("key", ["windows-3.13", "windows-3.10"])
def test_windows_native_modules_match_the_target(built: dict[str, Built], key: str) -> None:
    yxi = built[key]
    site = _site(yxi)
    files = [p for p in yxi.tools_dir.rglob("*") if p.is_file()]
    assert [p for p in files if p.suffix == ".so" or ".so." in p.name or p.suffix == ".dylib"] \
        == []
    pyds = [p for p in files if p.suffix.lower() == ".pyd"]
    tagged = [p for p in pyds if re.search(r"\.cp\d+-win_amd64\.pyd$", p.name)]
    assert len(tagged) > 20  # numpy, pandas, pyarrow, pydantic_core, grpc, ...
    want = f".cp{yxi.nodot}-win_amd64.pyd"
    assert [p.name for p in tagged if not p.name.endswith(want)] == []
    # Each extension links the target's python3XX.dll, or python3.dll (stable ABI) when untagged;
    # none links the other Designer's Python.
    other = {"313": "python310.dll", "310": "python313.dll"}[yxi.nodot].encode()
    for p in pyds:
        data = p.read_bytes().lower()
        assert other not in data, p
        if p in tagged:
            assert f"python{yxi.nodot}.dll".encode() in data, p
        else:
            assert b"python3.dll" in data, p
    for p in files:
        if p.suffix.lower() in (".pyd", ".dll"):
            assert _pe_machine(p.read_bytes()) == 0x8664, p  # AMD64
    # The SDK wants grpcio-fips on Windows; pip alone would have picked grpcio (host markers)
    dists = {d.name.split("-")[0].lower() for d in site.glob("*.dist-info")}
    assert "grpcio_fips" in dists and "grpcio" not in dists
    assert "colorama" in dists  # click's Windows-only dependency
    assert (site / "grpc" / "_cython").is_dir()


@pytest.mark.parametrize("key", ["linux-3.13", "linux-3.10"])
def test_linux_native_modules_match_the_target(built: dict[str, Built], key: str) -> None:
    yxi = built[key]
    sos = [p.name for p in _site(yxi).rglob("*.so") if ".cpython-" in p.name]
    assert len(sos) > 20
    assert [n for n in sos if f".cpython-{yxi.nodot}-x86_64-linux-gnu.so" not in n] == []
    assert not list(_site(yxi).rglob("*.pyd"))
