"""Server GET / POST / PUT / DELETE in the SDK's in-process test service, against the emulator."""

from __future__ import annotations

import json
import zipfile
from pathlib import Path

import pyarrow as pa

from ayx_plugins import ServerDelete, ServerGet, ServerPost, ServerPut
from tests.tools.conftest import assert_no_secret, conn

WF_OK = "6101a0b0c0d0e0f0a0b0c001"


def test_get_raw_json_by_catalogue_name(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerGet, conn(emulator, endpoint="workflows_get_workflows",
                                             queryFixed={"view": "Full"}))
    assert run.errors == []
    (row,) = run.rows("Success")
    assert row["HTTP Status"] == 200
    data = json.loads(row["Response"])
    assert WF_OK in [w["id"] for w in data]
    assert "versions" in data[0]  # view=Full reached the server


def test_get_rows_are_typed_from_the_response_model(emulator, run_tool_inprocess):
    table = pa.table({"Tag": ["first"]})
    run = run_tool_inprocess(ServerGet, conn(emulator, path="v3/workflows", outputMode="rows"),
                             table)
    schema = run.pushed["Success"]
    assert schema.field("dateCreated").metadata[b"ayx.type"] == b"15"
    assert pa.types.is_date64(schema.field("dateCreated").type)  # the SDK's DateTime type
    assert schema.field("isAmp").type == pa.bool_()
    assert schema.field("publishedVersionNumber").type == pa.int64()
    rows = run.rows("Success")
    assert len(rows) >= 4 and all(r["Tag"] == "first" for r in rows)
    assert WF_OK in [r["id"] for r in rows]
    assert any(r["dateCreated"].hour or r["dateCreated"].minute for r in rows)


def test_get_path_params_from_fields_and_404s(emulator, run_tool_inprocess):
    table = pa.table({"workflowId": [WF_OK, "6101a0b0c0d0e0f0a0b0cfff", None]})
    run = run_tool_inprocess(ServerGet, conn(emulator, path="v3/workflows/{workflowId}"), table)
    (ok,) = run.rows("Success")
    assert json.loads(ok["Response"])["id"] == WF_OK
    failures = run.rows("Failure")
    assert [f["HTTP Status"] for f in failures] == [404, None]
    assert "path parameter" in failures[1]["Error"]


def test_post_put_delete_collection_lifecycle(emulator, run_tool_inprocess):
    body = pa.table({"Body": ['{"name": "Sales ü"}', "{broken", "{}"]})
    run = run_tool_inprocess(ServerPost, conn(emulator, endpoint="collections_create_collection",
                                              bodyMode="jsonField", bodyField="Body"), body)
    (created,) = run.rows("Success")
    collection_id = json.loads(created["Response"])
    failures = run.rows("Failure")
    assert failures[0]["HTTP Status"] is None and "not valid JSON" in failures[0]["Error"]
    assert failures[1]["HTTP Status"] == 400 and failures[1]["Error Detail"]

    owner = emulator.user("Curator").id
    upd = pa.table({"collectionId": [collection_id], "name": ["Renamed"], "ownerId": [owner]})
    run = run_tool_inprocess(ServerPut, conn(emulator, path="v3/collections/{collectionId}",
                                             bodyMode="fields", bodyFields=["name", "ownerId"]),
                             upd)
    assert run.errors == [] and run.rows("Failure") == []
    assert json.loads(run.rows("Success")[0]["Response"])["name"] == "Renamed"

    run = run_tool_inprocess(ServerDelete, conn(emulator, path="v3/collections/{collectionId}"),
                             upd.select(["collectionId"]))
    assert [r["HTTP Status"] for r in run.rows("Success")] == [200] or run.rows("Success")
    run = run_tool_inprocess(ServerGet, conn(emulator, path="v3/collections/{collectionId}"),
                             upd.select(["collectionId"]))
    assert [r["HTTP Status"] for r in run.rows("Failure")] == [404]


def test_post_multipart_publish_from_a_file_path(emulator, run_tool_inprocess, tmp_path: Path):
    package = tmp_path / "flow.yxzp"
    with zipfile.ZipFile(package, "w") as zf:
        zf.writestr("flow.yxmd", "<AlteryxDocument/>")
    owner = emulator.user("Curator").id
    table = pa.table({
        "File": [str(package), str(tmp_path / "missing.yxzp")],
        "Name": ["Published ü", "Nope"], "Owner": [owner, owner],
        "Yes": [True, True], "No": [False, False],
        "Mode": ["Standard", "Standard"], "Cred": ["Default", "Default"],
    })
    forms = {"name": "Name", "ownerId": "Owner", "isPublic": "No",
             "isReadyForMigration": "No", "othersMayDownload": "Yes",
             "othersCanExecute": "Yes", "executionMode": "Mode",
             "workflowCredentialType": "Cred"}
    xml = conn(emulator, endpoint="workflows_create_workflow", bodyMode="multipart",
               fileField="File", formFields=forms)
    run = run_tool_inprocess(ServerPost, xml, table)
    assert run.errors == []
    (ok,) = run.rows("Success")
    new_id = json.loads(ok["Response"])
    (bad,) = run.rows("Failure")
    assert "does not exist" in bad["Error"]
    check = run_tool_inprocess(ServerGet, conn(emulator, path="v3/workflows/{id}"),
                               pa.table({"id": [new_id]}))
    assert json.loads(check.rows("Success")[0]["Response"])["name"] == "Published ü"


def test_method_mismatch_and_unknown_endpoint_are_configuration_errors(emulator,
                                                                       run_tool_inprocess):
    table = pa.table({"x": [1]})
    run = run_tool_inprocess(ServerGet, conn(emulator, endpoint="collections_create_collection"),
                             table)
    assert len(run.errors) == 1 and "POST endpoint" in run.errors[0]
    run = run_tool_inprocess(ServerGet, conn(emulator, endpoint="no_such_thing"), table)
    assert len(run.errors) == 1 and run.rows("Failure")[0]["x"] == 1
    assert emulator.counters.total_requests == 0


def test_validation_errors_carry_the_model_state(emulator, run_tool_inprocess):
    table = pa.table({"Body": ['{"firstName": "A"}']})
    run = run_tool_inprocess(ServerPost, conn(emulator, path="v3/users", bodyMode="jsonField",
                                              bodyField="Body"), table)
    (row,) = run.rows("Failure")
    assert row["HTTP Status"] == 400 and row["Body"] == '{"firstName": "A"}'
    assert row["Error Detail"]
    user = emulator.user("Curator")
    assert_no_secret([user.api_secret], run.table("Failure"), run.messages)


def test_permission_denied_is_a_failure_row(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerGet, conn(emulator, role="Artisan", path="v3/users"),
                             pa.table({"x": [1]}))
    (row,) = run.rows("Failure")
    assert row["HTTP Status"] in (401, 403) and "Curator" in row["Error"]
