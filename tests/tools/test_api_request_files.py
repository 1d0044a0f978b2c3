"""Server GET / POST: answers saved to files, fixed path and form values, JSON body templates.

"Download from dev, publish to prod" as a Designer workflow: GET saves a workflow package to a
file, POST publishes that file with form values typed in the panel (no Formula tool).
"""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyarrow as pa

from ayx_plugins import ServerGet, ServerPost
from ayx_plugins.tools.api_request import ApiRequestLogic, fill_template, template_names
from ayx_plugins.tools.config import ApiRequestConfig
from tests.tools.conftest import conn

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
PUBLISH_FORMS = {"name": "Copied from dev", "isPublic": "false", "isReadyForMigration": "false",
                 "othersMayDownload": "true", "othersCanExecute": "true",
                 "executionMode": "Standard", "workflowCredentialType": "Default"}


def download(emulator, run_tool_inprocess, folder: Path, **extra):
    return run_tool_inprocess(ServerGet, conn(
        emulator, endpoint="workflows_download_workflow", outputMode="file",
        fileFolder=str(folder), **extra), pa.table({"Wf": [WF_OK]}))


def test_package_downloaded_with_get_and_published_with_post_round_trips(
        emulator, run_tool_inprocess, tmp_path):
    got = download(emulator, run_tool_inprocess, tmp_path / "dev",
                   pathParamFields={"workflowId": "Wf"}, fileNameTemplate="{workflowId}.yxzp")
    assert got.errors == [] and got.rows("Failure") == []
    (row,) = got.rows("Success")
    saved = Path(row["File Path"])
    assert saved == (tmp_path / "dev" / f"{WF_OK}.yxzp").resolve()
    assert row["File Size"] == saved.stat().st_size > 0
    assert row["Content Type"] == "application/octet-stream"
    assert zipfile.is_zipfile(saved)
    assert not list((tmp_path / "dev").glob("*.part"))
    schema = got.pushed["Success"]
    assert [f.name for f in schema][-4:] == ["HTTP Status", "File Path", "File Size",
                                             "Content Type"]

    # The GET's Success output feeds the POST: the file path from a field, the rest typed in.
    owner = emulator.user("Curator").id
    post = run_tool_inprocess(ServerPost, conn(
        emulator, endpoint="workflows_create_workflow", bodyMode="multipart",
        fileField="File Path", formFixed={**PUBLISH_FORMS, "ownerId": owner}),
        got.table("Success"))
    assert post.errors == [] and post.rows("Failure") == []
    new_id = json.loads(post.rows("Success")[0]["Response"])
    assert new_id != WF_OK

    again = download(emulator, run_tool_inprocess, tmp_path / "prod",
                     pathParamFixed={"workflowId": new_id})
    (copy,) = again.rows("Success")
    assert Path(copy["File Path"]).name.endswith(".yxzp")  # the name the Server gives
    with zipfile.ZipFile(saved) as a, zipfile.ZipFile(copy["File Path"]) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}
    info = run_tool_inprocess(ServerGet, conn(emulator, endpoint="workflows_get_workflow",
                                              pathParamFixed={"workflowId": new_id}))
    assert json.loads(info.rows("Success")[0]["Response"])["name"] == "Copied from dev"


def test_a_form_value_from_a_field_wins_over_the_fixed_one(emulator, run_tool_inprocess,
                                                           tmp_path):
    package = tmp_path / "flow.yxzp"
    with zipfile.ZipFile(package, "w") as zf:
        zf.writestr("flow.yxmd", "<AlteryxDocument/>")
    owner = emulator.user("Curator").id
    run = run_tool_inprocess(ServerPost, conn(
        emulator, endpoint="workflows_create_workflow", bodyMode="multipart", fileField="File",
        formFixed={**PUBLISH_FORMS, "ownerId": owner}, formFields={"name": "Name"}),
        pa.table({"File": [str(package)], "Name": ["From the field"]}))
    new_id = json.loads(run.rows("Success")[0]["Response"])
    info = run_tool_inprocess(ServerGet, conn(emulator, endpoint="workflows_get_workflow",
                                              pathParamFixed={"workflowId": new_id}))
    assert json.loads(info.rows("Success")[0]["Response"])["name"] == "From the field"


def test_file_names_from_a_field_stay_inside_the_folder(emulator, run_tool_inprocess, tmp_path):
    table = pa.table({"Wf": [WF_OK, WF_OK], "Name": ["../../escape.yxzp", "C:\\x\\plain.yxzp"]})
    run = run_tool_inprocess(ServerGet, conn(
        emulator, endpoint="workflows_download_workflow", outputMode="file",
        fileFolder=str(tmp_path / "out"), pathParamFields={"workflowId": "Wf"},
        fileNameField="Name"), table)
    paths = [Path(r["File Path"]) for r in run.rows("Success")]
    assert [p.name for p in paths] == ["escape.yxzp", "plain.yxzp"]
    assert all(p.parent == (tmp_path / "out").resolve() for p in paths)
    assert not (tmp_path / "escape.yxzp").exists()


def test_file_output_needs_a_folder_and_known_template_fields(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerGet, conn(
        emulator, endpoint="workflows_download_workflow", outputMode="file",
        pathParamFields={"workflowId": "Wf"}), pa.table({"Wf": [WF_OK]}))
    assert len(run.errors) == 1 and "folder" in run.errors[0]
    run = run_tool_inprocess(ServerGet, conn(
        emulator, endpoint="workflows_download_workflow", outputMode="file", fileFolder="x",
        pathParamFields={"workflowId": "Wf"}, fileNameTemplate="{Missing}.yxzp"),
        pa.table({"Wf": [WF_OK]}))
    assert len(run.errors) == 1 and "Missing" in run.errors[0]
    assert emulator.counters.total_requests == 0


def test_relative_folder_is_under_the_workflow_folder(tmp_path):
    logic = ApiRequestLogic(ApiRequestConfig(fileFolder="packages", outputMode="file"))
    logic.base_dir = str(tmp_path)
    assert logic.folder() == tmp_path / "packages"
    logic = ApiRequestLogic(ApiRequestConfig(fileFolder=str(tmp_path / "abs")))
    logic.base_dir = "/elsewhere"
    assert logic.folder() == tmp_path / "abs"


def test_body_template_takes_typed_values_and_text(emulator, run_tool_inprocess):
    template = '{"name": "Team {Region} ({Count})"}'
    run = run_tool_inprocess(ServerPost, conn(
        emulator, endpoint="collections_create_collection", bodyMode="template",
        bodyTemplate=template), pa.table({"Region": ["Nörd"], "Count": [3]}))
    assert run.errors == [] and run.rows("Failure") == []
    new_id = json.loads(run.rows("Success")[0]["Response"])
    got = run_tool_inprocess(ServerGet, conn(emulator, path="v3/collections/{id}",
                                             pathParamFixed={"id": new_id}))
    assert json.loads(got.rows("Success")[0]["Response"])["name"] == "Team Nörd (3)"

    body = json.loads('{"n": "{Count}", "on": "{Flag}", "none": "{Gone}", "s": ["{Region}!"]}')
    assert template_names(body) == ["Count", "Flag", "Gone", "Region"]
    assert fill_template(body, {"Count": 3, "Flag": True, "Gone": None, "Region": "EU"}) == {
        "n": 3, "on": True, "none": None, "s": ["EU!"]}


def test_bad_template_is_a_configuration_error(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerPost, conn(
        emulator, endpoint="collections_create_collection", bodyMode="template",
        bodyTemplate='{"name": "{Nope}"}'), pa.table({"Region": ["x"]}))
    assert len(run.errors) == 1 and "Nope" in run.errors[0]
    run = run_tool_inprocess(ServerPost, conn(
        emulator, endpoint="collections_create_collection", bodyMode="template",
        bodyTemplate='{"name": '), pa.table({"Region": ["x"]}))
    assert len(run.errors) == 1 and "not valid JSON" in run.errors[0]
    assert emulator.counters.total_requests == 0
