"""The Linux YXI's payload, unpacked like Designer's Tools folder and made unwritable (as an
admin install is for a user), run the way Designer runs it: each tool started from its packaged
main.pyz (the manifest's entry point) by a bare CPython of the target version (no packages
installed), driven by designer_host over the SDK's gRPC protocol, sending records to the local
Server emulator. The shipped .pyc are what the interpreter loads (it cannot write new ones)."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ayx_plugins.tools import specs
from designer_host import run_tool
from tests.packaging.conftest import unwritable_launcher
from tests.tools.conftest import config_xml, conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"


def bare_python(version: str) -> str:
    """A CPython of `version` with nothing but pip installed (found as ./dev's find_python)."""
    candidates = [shutil.which(f"python{version}") or ""]
    for base in (Path.home() / ".pyenv" / "versions", Path("/root/.pyenv/versions")):
        candidates += [str(p / "bin" / "python") for p in sorted(base.glob(f"{version}*"),
                                                                 reverse=True)]
    for cand in candidates:
        if not cand or not os.access(cand, os.X_OK):
            continue
        probe = subprocess.run(
            [cand, "-c", "import sys, importlib.util as u; print('%d.%d' % sys.version_info[:2], "
             "any(u.find_spec(m) for m in ('pyarrow', 'ayx_python_sdk', 'requests')), "
             "sys.executable)"], capture_output=True, text=True, check=False)
        found = probe.stdout.split()
        if found[:2] == [version, "False"]:
            return found[2]
    raise AssertionError(f"no bare Python {version} here (pyenv install {version}): the packaged "
                         "payload cannot be run without one")


@pytest.fixture(scope="module")
def launchers(tmp_path_factory: pytest.TempPathFactory) -> dict[str, Path]:
    """Per Linux key: the bare interpreter, unable to write where permission bits say no."""
    folder = tmp_path_factory.mktemp("launchers")
    return {key: unwritable_launcher(bare_python(key.split("-")[1]), folder)
            for key in ("linux-3.13", "linux-3.10")}


@pytest.mark.parametrize("key", ["linux-3.13", "linux-3.10"])
def test_an_unwritable_tools_folder_starts_from_the_shipped_bytecode(
        key: str, linux_tools: dict[str, Path], launchers: dict[str, Path]) -> None:
    """`python -v` says which modules came from a .pyc; from an unwritable folder every module
    of the payload must (a rejected .pyc would be recompiled from source at every start)."""
    tools = linux_tools[key]
    site = tools / specs.TOOLS[0].folder / "site-packages"
    assert not os.access(site, os.W_OK) or os.geteuid() == 0
    script = ("import site, sys; site.addsitedir(sys.argv[1]); import ayx_plugins; "
              "[getattr(ayx_plugins, n) for n in ayx_plugins.__all__]; "
              "from ayx_python_sdk.providers.amp_provider.__main__ import start_sdk_tool_service; "
              "print(*sorted({m.__file__ for m in list(sys.modules.values()) if "
              "(getattr(m, '__file__', None) or '').startswith(sys.argv[1]) "
              "and m.__file__.endswith('.py')}), sep='\\n')")
    with tempfile.TemporaryDirectory() as home:
        proc = subprocess.run([str(launchers[key]), "-I", "-S", "-v", "-c", script, str(site)],
                              capture_output=True, text=True, env={"HOME": home, "PATH": "/bin"},
                              cwd=home, timeout=120, check=False)
    assert proc.returncode == 0, proc.stderr[-3000:]
    sources = proc.stdout.split()  # the payload files the imported modules come from
    from_pyc = set(re.findall(r"^# code object from '([^']+)'", proc.stderr, re.M))
    tag = f"cpython-{key.split('-')[1].replace('.', '')}"
    expected = {str(Path(f).parent / "__pycache__" / f"{Path(f).stem}.{tag}.pyc")
                for f in sources}
    assert len(sources) > 300  # the SDK, pyarrow, pandas, pydantic, gRPC, ayx_plugins
    assert sorted(expected - from_pyc) == []
    assert "# wrote " not in proc.stderr and "could not create" not in proc.stderr
    assert not list(tools.rglob("*.pyc.*"))  # no half-written bytecode either


def _run(tools: Path, python: Path, tool: str, xml: str,
         inputs: dict[str, pa.Table] | None = None) -> Any:
    manifest = json.loads((tools / specs.BY_CLASS[tool].folder / "manifest.json").read_text())
    entry = tools / manifest["entry_point"].replace("\\", "/")
    run = run_tool(manifest["tool_name"], xml, inputs or {}, python=python, entry_point=entry,
                   package=manifest["tool_package"], secrets=decrypt, timeout=90,
                   env={"PYTHONPATH": "", "PYTHONNOUSERSITE": "1"})
    assert run.completed, run.log[-3000:]
    assert run.errors == [], run.errors
    return run


@pytest.mark.parametrize("key", ["linux-3.13", "linux-3.10"])
def test_every_packaged_tool_runs_records_against_the_emulator(
        key: str, linux_tools: dict[str, Path], launchers: dict[str, Path], emulator) -> None:
    tools, python = linux_tools[key], launchers[key]
    auth = _run(tools, python, "ServerAuthenticate", conn(emulator))
    token = auth.outputs["Success"]
    assert token.num_rows == 1 and token.column("AccessToken")[0].as_py()

    get = _run(tools, python, "ServerGet", conn(emulator, path="v3/workflows"),
               {"Input": pa.table({"Tag": ["a"]})})
    assert WF_OK in get.outputs["Success"].column("Response")[0].as_py()

    runner = _run(tools, python, "ServerRunner",
                  config_xml(source="anchor", workflowId=WF_OK, wait=True, pollSeconds=0.05),
                  {"Input": pa.table({"Tag": ["a"]}), "Connection": token})
    (job,) = runner.outputs["Success"].to_pylist()
    assert job["JobStatus"] == "Completed" and job["WorkflowId"] == WF_OK

    if key == "linux-3.10":
        return  # the 3.13 run covers the other tools; the build constructed all of them on 3.10

    status = _run(tools, python, "ServerJobStatus", conn(emulator, jobIdField="JobId"),
                  {"Input": pa.table({"JobId": [job["JobId"]]})})
    assert status.outputs["Success"].column("JobId").to_pylist() == [job["JobId"]]

    post = _run(tools, python, "ServerPost",
                conn(emulator, endpoint="collections_create_collection", bodyMode="jsonField",
                     bodyField="Body"), {"Input": pa.table({"Body": ['{"name": "Packaged ü"}']})})
    collection = json.loads(post.outputs["Success"].column("Response")[0].as_py())
    assert re.fullmatch(r"[0-9a-f]{24}", collection)

    upd = pa.table({"collectionId": [collection], "name": ["Renamed"],
                    "ownerId": [emulator.user("Curator").id]})
    put = _run(tools, python, "ServerPut", conn(emulator, path="v3/collections/{collectionId}",
                                                bodyMode="fields",
                                                bodyFields='["name", "ownerId"]'),
               {"Input": upd})
    assert json.loads(put.outputs["Success"].column("Response")[0].as_py())["name"] == "Renamed"

    delete = _run(tools, python, "ServerDelete",
                  conn(emulator, path="v3/collections/{collectionId}"),
                  {"Input": upd.select(["collectionId"])})
    assert delete.outputs["Success"].num_rows == 1
    assert delete.outputs["Failure"].num_rows == 0
