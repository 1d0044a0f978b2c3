"""The builder's pure parts (yxi_build), tested without building a YXI: each in milliseconds."""

from __future__ import annotations

import json
import struct
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace
from xml.etree import ElementTree as ET

import pytest

from ayx_plugins.tools import specs
from yxi_build import archive, generate, helppages, markdown, natives, payload, resolve
from yxi_build.project import ROOT
from yxi_build.target import Target

if sys.version_info >= (3, 11):
    import tomllib
else:
    from pip._vendor import tomli as tomllib

WIN13 = Target("3.13", "windows")
LINUX10 = Target("3.10", "linux")


# ------------------------------------------------------------------- generated XML and manifests


def _anchors(gui: ET.Element, tag: str) -> list[tuple[str, str, str]]:
    return [(c.get("Name", ""), c.get("Label", ""), c.get("Optional", ""))
            for c in gui.findall(f"{tag}/Connection")]


@pytest.mark.parametrize("tool", specs.TOOLS, ids=lambda t: t.class_name)
def test_tool_xml_says_what_specs_say(tool: specs.ToolSpec) -> None:
    root = ET.fromstring(generate.tool_config_xml(specs, tool, "2.6.1"))
    engine = root.find("EngineSettings")
    assert engine is not None and engine.get("EngineDll") == "SdkEnginePlugin.dll"
    assert engine.get("EngineDllEntryPoint") == "SdkEnginePlugin"
    sdk = root.find("SdkSettings")
    assert sdk is not None and sdk.get("Manifest") == "True" and sdk.get("Language") == "Python"
    params = {e.tag: e.get("Value") for e in root.findall("SdkSettings/CustomParameters/*")}
    assert params == {"Version": "2.6.1", "ToolVersion": specs.VERSION,
                      "WritesOutputData": "true" if tool.writes_output else "false"}
    gui = root.find("GuiSettings")
    assert gui is not None
    assert (gui.get("Html"), gui.get("Icon"), gui.get("Help")) == ("index.html", "icon.png",
                                                                   "help.html")
    assert _anchors(gui, "InputConnections") == [(a.name, a.label, str(a.optional))
                                                 for a in tool.inputs]
    assert _anchors(gui, "OutputConnections") == [(a.name, a.label, str(a.optional))
                                                  for a in tool.outputs]
    assert [a.name for a in tool.outputs] == [specs.SUCCESS, specs.FAILURE]
    meta = root.find("Properties/MetaInfo")
    assert meta is not None
    assert meta.findtext("Name") == tool.display_name
    assert meta.findtext("CategoryName") == specs.CATEGORY
    assert meta.findtext("ToolVersion") == specs.VERSION
    assert meta.findtext("DcmNamespace") == generate.dcm_namespace(tool)


def test_registry_entries_are_complete() -> None:
    import re

    assert len({t.class_name for t in specs.TOOLS}) == len(specs.TOOLS)
    for tool in specs.TOOLS:
        assert re.fullmatch(r"[A-Za-z][A-Za-z0-9 ]*", tool.display_name)
        assert tool.module and tool.config and tool.panel, tool.class_name
        assert (ROOT / "ayx_plugins" / "tools" / f"{tool.module}.py").is_file()
        assert (ROOT / "ui" / "src" / "panels" / f"{tool.panel}.js").is_file()
        letter, colour = tool.icon
        assert len(letter) == 1 and re.fullmatch(r"#[0-9a-fA-F]{6}", colour)
        assert (ROOT / "assets" / "icons" / f"{tool.class_name}.png").is_file()
    assert len({t.icon for t in specs.TOOLS}) == len(specs.TOOLS)  # icons differ


def test_package_config_and_manifest() -> None:
    meta = ET.fromstring(generate.package_config_xml(specs)).find("Properties/MetaInfo")
    assert meta is not None
    assert (meta.findtext("Name"), meta.findtext("CategoryName"), meta.findtext("ToolVersion"),
            meta.findtext("Icon")) == (specs.PACKAGE_NAME, specs.CATEGORY, specs.VERSION,
                                       "package_icon.png")
    tool = specs.TOOLS[2]
    manifest = json.loads(generate.manifest_json(LINUX10, tool, tool.folder))
    assert manifest == {"version": "3.10", "entry_point": f"{tool.folder}\\main.pyz",
                        "tool_package": "ayx_plugins", "tool_name": tool.class_name,
                        "additional_pythonpaths": []}


def test_main_pyz_names_the_shared_folder_and_compiles() -> None:
    source = generate.main_pyz("ServerAuthenticate_0_1_0").decode()
    compile(source, "main.pyz", "exec")
    assert 'SHARED_FOLDER = "ServerAuthenticate_0_1_0"' in source
    assert "start_sdk_tool_service" in source


def test_version_lives_in_specs_only() -> None:
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())
    assert "version" not in project["project"]
    assert "version" in project["project"]["dynamic"]
    attr = project["tool"]["setuptools"]["dynamic"]["version"]["attr"]
    assert attr == "ayx_plugins.tools.specs.VERSION"
    assert specs.TOOLS[0].folder.endswith(specs.VERSION.replace(".", "_"))
    assert WIN13.file_name(specs.VERSION, True).startswith(f"AlteryxServerTools-{specs.VERSION}-")


def test_file_names_tell_which_designer() -> None:
    assert "designer2026.1+-py313-win_amd64.yxi" in WIN13.file_name("1.0.0", True)
    assert Target("3.10", "windows").file_name("1.0.0", False).endswith(
        "designer2024.1-2025.2-py310-win_amd64-noui.yxi")
    assert "NOT-FOR-DESIGNER" in LINUX10.file_name("1.0.0", True)
    assert Target("3.13", "windows", "per-tool").file_name("1", True).endswith("-pertool.yxi")


# ------------------------------------------------------------------- dependencies


def _item(name: str, *requires: str) -> dict[str, object]:
    return {"metadata": {"name": name, "requires_dist": list(requires)}}


def test_closure_uses_the_targets_markers() -> None:
    report = {"ayx-python-sdk": _item("ayx-python-sdk", 'grpcio; sys_platform != "win32"',
                                      'grpcio-fips; sys_platform == "win32"', "click"),
              "grpcio": _item("grpcio"),
              "click": _item("click", 'colorama; platform_system == "Windows"')}
    names, missing = resolve.closure(["ayx-python-sdk"], report, WIN13.marker_environment())
    assert names == {"ayx-python-sdk", "click"}
    assert sorted(missing) == ["colorama", "grpcio-fips"]  # pip (host markers) missed them
    names, missing = resolve.closure(["ayx-python-sdk"], report, LINUX10.marker_environment())
    assert names == {"ayx-python-sdk", "grpcio", "click"} and missing == []


def test_wheel_tags_must_fit_the_target() -> None:
    ok = [{"file": "numpy-2.1.0-cp313-cp313-win_amd64.whl"},
          {"file": "requests-2.32.4-py3-none-any.whl"},
          {"file": "pyarrow-17-cp313-abi3-win_amd64.whl"}]
    resolve.check_wheel_tags(WIN13, ok)
    for bad in ("numpy-2.1.0-cp310-cp310-win_amd64.whl",
                "numpy-2.1.0-cp313-cp313-manylinux_2_17_x86_64.whl"):
        with pytest.raises(RuntimeError):
            resolve.check_wheel_tags(WIN13, [{"file": bad}])


# ------------------------------------------------------------------- payload


@pytest.mark.parametrize(("rel", "pruned"), [
    ("pandas/_testing/__init__.py", False),  # `import pandas` imports it
    ("pandas/tests/frame/test_api.py", True),
    ("numpy/f2py/__init__.py", True),
    ("pyarrow/_flight.cpython-313-x86_64-linux-gnu.so", True),
    ("pyarrow/include/arrow/api.h", True),
    ("pyarrow/lib.pyx", True),
    ("pyarrow/__init__.pyi", True),
    ("ayx_python_sdk/examples/AyxSdkInput/main.py", True),
    ("ayx_python_sdk/__main__.py", True),
    ("ayx_python_sdk/providers/amp_provider/__main__.py", False),
    ("ayx_plugins/tests/data.json", False),  # our own package ships whole
    ("grpc/_cython/cygrpc.cp313-win_amd64.pyd", False),
    ("numpy/__pycache__/x.cpython-313.pyc", True),  # wheels' own bytecode: we compile ours
])
def test_pruning_rules(rel: str, pruned: bool) -> None:
    assert payload.is_pruned(rel) is pruned


def test_wheel_members_that_are_not_installed() -> None:
    assert payload.wheel_member_path("pkg/__init__.py") == "pkg/__init__.py"
    assert payload.wheel_member_path("pkg-1.0.data/purelib/pkg/x.py") == "pkg/x.py"
    assert payload.wheel_member_path("pkg-1.0.data/scripts/tool") is None
    assert payload.wheel_member_path("pkg-1.0.dist-info/RECORD") is None
    assert payload.wheel_member_path("pkg-1.0.dist-info/METADATA") == "pkg-1.0.dist-info/METADATA"


def _pe(machine: int = natives.AMD64) -> bytes:
    """A minimal PE image: DOS header, PE signature, COFF header, no import directory."""
    data = bytearray(512)
    data[:2] = b"MZ"
    struct.pack_into("<I", data, 0x3C, 0x80)
    data[0x80:0x84] = b"PE\0\0"
    struct.pack_into("<HH", data, 0x84, machine, 0)  # machine, no sections
    struct.pack_into("<H", data, 0x94, 240)  # optional header size
    struct.pack_into("<H", data, 0x98, 0x20B)  # PE32+
    return bytes(data)


def test_native_modules_must_fit_the_target() -> None:
    assert natives.pe_machine(_pe()) == natives.AMD64
    assert natives.pe_imports(_pe()) == []
    assert natives.native_problems(WIN13, "a/x.cp313-win_amd64.pyd", _pe(), set()) == []
    assert natives.native_problems(WIN13, "a/x.cp310-win_amd64.pyd", _pe(), set()) == [
        "a/x.cp310-win_amd64.pyd: built for cp310-win_amd64, not cp313-win_amd64"]
    assert "not an AMD64" in natives.native_problems(WIN13, "a/x.dll", _pe(0x14C), set())[0]
    assert natives.native_problems(WIN13, "a/x.so", b"", set()) == ["a/x.so: not a Windows binary"]
    assert natives.native_problems(LINUX10, "a/x.cpython-313-x86_64-linux-gnu.so", b"",
                                   set()) == ["a/x.cpython-313-x86_64-linux-gnu.so: built for "
                                              "cpython-313"]
    assert natives.native_problems(LINUX10, "a/x.pyd", b"", set()) != []


# ------------------------------------------------------------------- archive


def test_zip_is_reproducible_and_copies_compressed_entries(tmp_path: Path) -> None:
    src = tmp_path / "f.txt"
    src.write_bytes(b"hello " * 1000)
    entries: dict[str, archive.Source] = {"b/c.txt": src, "a.txt": b"abc", "ü.txt": b""}
    one, two = tmp_path / "1.zip", tmp_path / "2.zip"
    archive.write_zip(one, entries)
    archive.write_zip(two, dict(reversed(list(entries.items()))))
    assert one.read_bytes() == two.read_bytes()
    with zipfile.ZipFile(one) as zf:
        assert zf.testzip() is None
        assert zf.namelist() == sorted(zf.namelist()) == ["a.txt", "b/", "b/c.txt", "ü.txt"]
        assert {i.date_time for i in zf.infolist()} == {archive.FIXED_ZIP_TIME}
        assert zf.read("b/c.txt") == src.read_bytes()
    raw = archive.raw_entries(one)
    three = tmp_path / "3.zip"
    archive.write_zip(three, {"site/c.txt": raw["b/c.txt"], "x": b"x"})
    with zipfile.ZipFile(three) as zf:
        assert zf.testzip() is None and zf.read("site/c.txt") == src.read_bytes()


def test_digest_follows_every_input(tmp_path: Path) -> None:
    f = tmp_path / "a"
    f.write_text("1")
    first = archive.digest("x", files=[f], root=tmp_path)
    assert first == archive.digest("x", files=[f], root=tmp_path)
    assert first != archive.digest("y", files=[f], root=tmp_path)
    f.write_text("2")
    assert first != archive.digest("x", files=[f], root=tmp_path)


# ------------------------------------------------------------------- help and DCM


def test_markdown_subset() -> None:
    html = markdown.to_html("# T\n\nSome **bold** `co<de>` [l](http://x)\n\n- a\n  - b\n- c\n\n"
                            "| h | i |\n|---|---|\n| 1 | 2 |\n\n```\n<x>\n```\n")
    assert "<h1>T</h1>" in html and "<strong>bold</strong>" in html
    assert "<code>co&lt;de&gt;</code>" in html and '<a href="http://x">l</a>' in html
    assert html.count("<ul>") == 2 and "<li>c</li>" in html
    assert "<td>1</td><td>2</td>" in html and "<pre><code>&lt;x&gt;</code></pre>" in html
    assert "<script" not in markdown.to_html("<script>alert(1)</script>")


@pytest.mark.parametrize("tool", specs.TOOLS, ids=lambda t: t.class_name)
def test_every_tool_has_a_help_page(tool: specs.ToolSpec) -> None:
    page = helppages.help_html(specs, tool).decode()
    assert page.startswith("<!DOCTYPE html>") and tool.display_name in page
    assert "<script" not in page and "src=" not in page  # self-contained
    assert len(page) > 1500


def test_help_falls_back_to_the_tools_section(tmp_path: Path) -> None:
    (tmp_path / "tools.md").write_text(
        "# Tools\n\n## Shared behaviour\n\nShared words.\n\n## The tools\n\n"
        "| Tool | Input |\n|---|---|\n| Server GET/POST | required |\n| Server Runner | r |\n\n"
        "- **Runner**: runs.\n- **GET/POST**: calls\n  an endpoint.\n\n## Testing\n\nnot this\n")
    get = specs.BY_CLASS["ServerGet"]
    text = helppages.help_markdown(get, tmp_path)
    assert "calls\n  an endpoint" in text and "Shared words." in text
    assert "runs." not in text and "not this" not in text and "Server Runner" not in text
    (tmp_path / "tools").mkdir()
    (tmp_path / "tools" / "ServerGet.md").write_text("# Own page\n")
    assert helppages.help_markdown(get, tmp_path) == "# Own page\n"


def test_dcm_schemas_ship_for_a_tool_with_a_namespace(tmp_path: Path) -> None:
    (tmp_path / "Connections").mkdir()
    (tmp_path / "Connections" / "server.json").write_text("{}")
    (tmp_path / "ServerRunner" / "Credentials").mkdir(parents=True)
    (tmp_path / "ServerRunner" / "Credentials" / "own.json").write_text("{}")
    tool = SimpleNamespace(class_name="ServerGet", dcm_namespace="AlteryxServer")
    assert set(generate.dcm_files(tool, tmp_path)) == {  # type: ignore[arg-type]
        "DcmSchemas/Connections/server.json"}
    runner = SimpleNamespace(class_name="ServerRunner", dcm_namespace="AlteryxServer")
    assert set(generate.dcm_files(runner, tmp_path)) == {  # type: ignore[arg-type]
        "DcmSchemas/Credentials/own.json"}
    plain = SimpleNamespace(class_name="ServerGet", dcm_namespace="")
    assert generate.dcm_files(plain, tmp_path) == {}  # type: ignore[arg-type]
