"""The Linux YXI's payload, unpacked like Designer's Tools folder, run the way Designer runs it:
each tool started from its packaged main.pyz (the manifest's entry point) by a bare CPython of
the target version (no packages installed), driven by designer_host over the SDK's gRPC
protocol, sending records to the local Server emulator."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ayx_plugins.tools import specs
from designer_host import run_tool
from tests.packaging.conftest import Built
from tests.tools.conftest import config_xml, conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"


def bare_python(version: str) -> str:
    """A CPython of `version` with nothing but pip installed (found as ./dev's find_python)."""
    candidates = [shutil.which(f"python{version}") or ""]
    candidates += [str(p / "bin" / "python") for p in
                   sorted((Path.home() / ".pyenv" / "versions").glob(f"{version}*"), reverse=True)]
    candidates += [str(p / "bin" / "python") for p in
                   sorted(Path("/root/.pyenv/versions").glob(f"{version}*"), reverse=True)]
    for cand in candidates:
        if not cand or not os.access(cand, os.X_OK):
            continue
        probe = subprocess.run(
            [cand, "-c", "import sys, importlib.util as u; print('%d.%d' % sys.version_info[:2], "
             "any(u.find_spec(m) for m in ('pyarrow', 'ayx_python_sdk', 'requests')))"],
            capture_output=True, text=True, check=False)
        if probe.stdout.split() == [version, "False"]:
            return cand
    raise AssertionError(f"no bare Python {version} here (pyenv install {version}): the packaged "
                         "payload cannot be run without one")


@pytest.fixture(params=["linux-3.13", "linux-3.10"])
def tools(request: pytest.FixtureRequest, built: dict[str, Built]) -> Built:
    """One unpacked Linux YXI (a Tools folder)."""
    return built[request.param]


def _run(yxi: Built, tool: str, xml: str, table: pa.Table | None = None,
         connection: pa.Table | None = None) -> Any:
    manifest = json.loads((yxi.tools_dir / specs.BY_CLASS[tool].folder / "manifest.json")
                          .read_text())
    entry = yxi.tools_dir / manifest["entry_point"].replace("\\", "/")
    inputs = {"Input": table} if table is not None else {}
    if connection is not None:
        inputs["Connection"] = connection
    run = run_tool(manifest["tool_name"], xml, inputs,
                   python=bare_python(yxi.python), entry_point=entry,
                   package=manifest["tool_package"], secrets=decrypt, timeout=90,
                   env={"PYTHONPATH": "", "PYTHONNOUSERSITE": "1"})
    assert run.completed, run.log[-3000:]
    assert run.errors == [], run.errors
    return run


def test_every_packaged_tool_runs_records_against_the_emulator(tools: Built, emulator) -> None:
    auth = _run(tools, "ServerAuthenticate", conn(emulator))
    token = auth.outputs["Success"]
    assert token.num_rows == 1 and token.column("AccessToken")[0].as_py()

    runner = _run(tools, "ServerRunner",
                  config_xml(source="anchor", workflowId=WF_OK, wait=True, pollSeconds=0.05),
                  pa.table({"Row": [1]}), connection=token)
    (job,) = runner.outputs["Success"].to_pylist()
    assert job["JobStatus"] == "Completed" and job["WorkflowId"] == WF_OK

    status = _run(tools, "ServerJobStatus", conn(emulator, jobIdField="JobId"),
                  pa.table({"JobId": [job["JobId"]]}))
    assert status.outputs["Success"].column("JobId").to_pylist() == [job["JobId"]]

    get = _run(tools, "ServerGet", conn(emulator, path="v3/workflows"), pa.table({"Tag": ["a"]}))
    assert WF_OK in get.outputs["Success"].column("Response")[0].as_py()

    post = _run(tools, "ServerPost", conn(emulator, endpoint="collections_create_collection",
                                          bodyMode="jsonField", bodyField="Body"),
                pa.table({"Body": ['{"name": "Packaged ü"}']}))
    collection = json.loads(post.outputs["Success"].column("Response")[0].as_py())
    assert re.fullmatch(r"[0-9a-f]{24}", collection)

    upd = pa.table({"collectionId": [collection], "name": ["Renamed"],
                    "ownerId": [emulator.user("Curator").id]})
    put = _run(tools, "ServerPut", conn(emulator, path="v3/collections/{collectionId}",
                                        bodyMode="fields", bodyFields=["name", "ownerId"]), upd)
    assert json.loads(put.outputs["Success"].column("Response")[0].as_py())["name"] == "Renamed"

    delete = _run(tools, "ServerDelete", conn(emulator, path="v3/collections/{collectionId}"),
                  upd.select(["collectionId"]))
    assert delete.outputs["Success"].num_rows == 1
    assert delete.outputs["Failure"].num_rows == 0
