"""Issue 11.3: relative output folders, CA bundles and upload file paths resolve against the
workflow's folder (`provider.environment.workflow_dir`), never the plugin's working directory."""

from __future__ import annotations

import json
import os
import sys
import zipfile
from pathlib import Path
from types import SimpleNamespace

import pyarrow as pa

from ayx_plugins.tools.api_request import ServerPost
from ayx_plugins.tools.config import parse_config
from ayx_plugins.tools.paths import base_dir, resolve, resolve_config
from ayx_plugins.tools.runner import ServerRunner
from designer_host import run_tool
from designer_host.inprocess import run_inprocess
from tests.tools.conftest import conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"


def test_resolve_rules(tmp_path: Path) -> None:
    base = str(tmp_path)
    assert resolve("out", base) == os.path.join(base, "out")
    assert resolve("/abs/out", base) == "/abs/out"
    assert resolve(r"\\server\share\out", base) == r"\\server\share\out"
    assert resolve(r"C:\data\out", base) == r"C:\data\out"
    assert resolve("out", None) == "out" and resolve("", base) == ""
    cfg = resolve_config(parse_config("ServerRunner", {"outputFolder": "out",
                                                       "caBundle": "certs/ca.pem"}), base)
    assert cfg.outputFolder == os.path.join(base, "out")  # type: ignore[attr-defined]
    assert cfg.caBundle == os.path.join(base, "certs/ca.pem")
    env = SimpleNamespace(environment=SimpleNamespace(workflow_dir="", temp_dir="/tmp/t"))
    assert base_dir(env) == "/tmp/t"  # no workflow folder (unsaved): Designer's temp folder


def test_runner_downloads_under_the_workflow_folder_in_process(emulator, tmp_path: Path):
    flow = tmp_path / "flow"
    xml = conn(emulator, workflow=WF_OK, pollSeconds=0.05, downloadOutputs=True,
               outputFolder="out")
    run = run_inprocess(ServerRunner, xml, pa.table({"N": [1]}), workflow_dir=flow)
    (row,) = run.rows("Success")
    files = json.loads(row["OutputFiles"])
    assert files and all(Path(f).is_relative_to(flow / "out") for f in files)
    assert not Path("out").exists()


def test_relative_ca_bundle_names_the_workflow_folder(emulator, tmp_path: Path):
    xml = conn(emulator, workflow=WF_OK, caBundle="certs/ca.pem")
    run = run_inprocess(ServerRunner, xml, pa.table({"N": [1]}), workflow_dir=tmp_path)
    assert len(run.errors) == 1 and str(tmp_path / "certs") in run.errors[0]


def test_relative_upload_path_is_under_the_workflow_folder(emulator, tmp_path: Path):
    with zipfile.ZipFile(tmp_path / "flow.yxzp", "w") as zf:
        zf.writestr("flow.yxmd", "<AlteryxDocument/>")
    owner = emulator.user("Curator").id
    table = pa.table({"File": ["flow.yxzp"], "Name": ["Relative"], "Owner": [owner],
                      "No": [False], "Mode": ["Standard"], "Cred": ["Default"]})
    forms = {"name": "Name", "ownerId": "Owner", "isPublic": "No", "isReadyForMigration": "No",
             "othersMayDownload": "No", "othersCanExecute": "No", "executionMode": "Mode",
             "workflowCredentialType": "Cred"}
    xml = conn(emulator, endpoint="workflows_create_workflow", bodyMode="multipart",
               fileField="File", formFields=forms)
    run = run_inprocess(ServerPost, xml, table, workflow_dir=tmp_path)
    assert run.errors == [] and len(run.rows("Success")) == 1, run.rows("Failure")


def test_runner_downloads_under_the_workflow_folder_over_grpc(emulator, tmp_path: Path):
    flow, cwd = tmp_path / "flow", tmp_path / "cwd"
    cwd.mkdir()
    xml = conn(emulator, workflow=WF_OK, pollSeconds=0.05, downloadOutputs=True,
               outputFolder="out")
    run = run_tool("ServerRunner", xml, {"Input": pa.table({"N": [1]})}, secrets=decrypt,
                   python=sys.executable, timeout=90, cwd=cwd, workflow_dir=flow)
    assert run.completed and run.errors == [], (run.errors, run.log[-2000:])
    files = json.loads(run.rows("Success")[0]["OutputFiles"])
    assert files and all(Path(f).is_relative_to(flow / "out") for f in files)
    assert not (cwd / "out").exists()
