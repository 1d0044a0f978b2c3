"""Workflows: views, multipart publish (415 otherwise), versions, update, delete, packages."""

from __future__ import annotations

import io
import json
import zipfile

import pytest
from emu_helpers import APP, SUCCESS, Api, signed

from ayx_server_emulator import EmulatorServer

YXZP = b"PK\x05\x06" + b"\x00" * 18  # an empty zip is enough: v3 does not validate packages


def _form(emu: EmulatorServer, **over: str) -> dict[str, str]:
    form = {"name": "Published", "ownerId": emu.user("Curator").id, "isPublic": "false",
            "isReadyForMigration": "false", "othersMayDownload": "true",
            "othersCanExecute": "true", "executionMode": "Standard",
            "workflowCredentialType": "Default"}
    form.update(over)
    return {k: v for k, v in form.items() if v != "<drop>"}


def test_views_default_and_full(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    reduced = api.get("v3/workflows").json()[0]
    assert set(reduced) == {"id", "sourceAppId", "name", "ownerId", "dateCreated",
                            "publishedVersionNumber", "isAmp", "executionMode"}
    full = api.get("v3/workflows", params={"view": "Full"}).json()[0]
    assert "versions" in full and "districtTags" in full
    assert api.get("v3/workflows", params={"view": "Everything"}).status_code == 400
    assert [w["id"] for w in api.get("v3/workflows", params={"name": "app"}).json()] == [APP]
    one = api.get(f"v3/workflows/{SUCCESS}").json()
    assert one["id"] == SUCCESS and len(one["id"]) == 24
    assert one["dateCreated"].endswith("Z") and len(one["dateCreated"].split(".")[1]) == 8
    # view=Full items are the WorkflowView plus what the swagger's ReducedWorkflowView declares
    assert full["publishedVersionNumber"] == 1 and full["isAmp"] is True
    assert {v["uploadSource"] for w in api.get("v3/workflows", params={"view": "Full"}).json()
            for v in w["versions"]} <= {"Designer", "Direct"}


def test_questions_v3_and_v1_field_names(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    v3 = api.get(f"v3/workflows/{APP}/questions").json()
    v1 = api.get(f"v1/workflows/{APP}/questions").json()
    assert "questionType" in v3[0] and "type" not in v3[0]
    assert "type" in v1[0] and "questionType" not in v1[0]


def test_publish_multipart_then_run_it(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    r = api.post("v3/workflows", data=_form(emulator, districtTags='["d1","d2"]'),
                 files={"file": ("new.yxzp", YXZP)})
    assert r.status_code == 200, r.text
    new_id = r.json()
    assert isinstance(new_id, str) and len(new_id) == 24
    wf = api.get(f"v3/workflows/{new_id}").json()
    assert wf["districtTags"] == ["d1", "d2"] and wf["versions"][0]["published"]
    assert api.get(f"v3/workflows/{new_id}/package").content == YXZP
    job = api.post(f"v3/workflows/{new_id}/jobs", json={}).json()
    assert api.get(f"v3/jobs/{job['id']}").json()["disposition"] == "Success"


def test_publish_rejects_json_with_415(emulator: EmulatorServer) -> None:
    r = Api(emulator).post("v3/workflows", json=_form(emulator))
    assert r.status_code == 415 and "application/json" in r.json()["message"]


@pytest.mark.parametrize(("override", "field"), [
    ({"name": "<drop>"}, "name"), ({"isPublic": "<drop>"}, "isPublic"),
    ({"isPublic": "yes"}, "isPublic"), ({"executionMode": "Fast"}, "executionMode"),
    ({"districtTags": "d1,d2"}, "districtTags"),
    ({"workflowCredentialType": "Specific"}, "credentialId"),
    ({"sourceAppId": SUCCESS}, "sourceAppId"),
    ({"ownerId": "ffffffffffffffffffffffff"}, "ownerId")])
def test_publish_validation(emulator: EmulatorServer, override: dict[str, str],
                            field: str) -> None:
    r = Api(emulator).post("v3/workflows", data=_form(emulator, **override),
                           files={"file": ("new.yxzp", YXZP)})
    assert r.status_code == 400, r.text
    assert field in r.json()["modelState"]


def test_publish_needs_the_file(emulator: EmulatorServer) -> None:
    r = Api(emulator).post("v3/workflows", data=_form(emulator),
                           files={"other": ("x.txt", b"x")})
    assert r.status_code == 400 and "file" in r.json()["modelState"]


def test_new_version_multipart_only(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    cur = emulator.user("Curator")
    form = {"name": "Emulator Success v2", "ownerId": cur.id, "othersMayDownload": "true",
            "othersCanExecute": "true", "executionMode": "Safe", "makePublished": "true",
            "workflowCredentialType": "Default"}
    assert api.post(f"v3/workflows/{SUCCESS}/versions", json=form).status_code == 415
    r = api.post(f"v3/workflows/{SUCCESS}/versions", data=form,
                 files={"file": ("v2.yxzp", YXZP)})
    assert r.status_code == 200, r.text
    wf = r.json()
    assert len(wf["versions"]) == 2 and wf["publishedVersionId"] == wf["versions"][1]["versionId"]
    old = wf["versions"][0]["versionId"]
    old_pkg = api.get(f"v3/workflows/{SUCCESS}/package", params={"versionId": old}).content
    assert zipfile.ZipFile(io.BytesIO(old_pkg)).namelist() == ["Emulator Success.yxmd"]


def test_update_workflow_requires_every_field(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    wf = api.get(f"v3/workflows/{SUCCESS}").json()
    body = {"name": "Renamed", "versionId": wf["versions"][0]["versionId"],
            "makePublished": True, "ownerId": wf["ownerId"], "workerTag": "",
            "districtTags": [], "comments": "", "isPublic": True, "isReadyForMigration": False,
            "othersMayDownload": True, "othersCanExecute": True, "executionMode": "Standard",
            "workflowCredentialType": "Default", "credentialId": ""}
    r = api.put(f"v3/workflows/{SUCCESS}", json={k: v for k, v in body.items() if k != "name"})
    assert r.status_code == 400 and "updateWorkflowContract.name" in r.json()["modelState"]
    r = api.put(f"v3/workflows/{SUCCESS}", json={**body, "executionMode": "Turbo"})
    assert r.status_code == 400
    r = api.put(f"v3/workflows/{SUCCESS}", json=body)
    assert r.status_code == 200 and r.json()["name"] == "Renamed" and r.json()["isPublic"]


def test_delete_workflow_with_schedules_needs_force(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    assert api.delete(f"v3/workflows/{SUCCESS}").status_code == 400
    assert api.delete(f"v3/workflows/{SUCCESS}", params={"force": "true"}).status_code == 200
    assert api.get(f"v3/workflows/{SUCCESS}").status_code == 404
    assert api.get("v3/schedules").json() == []


def test_transfer_workflow(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    art = emulator.user("Artisan")
    r = api.put(f"v3/workflows/{SUCCESS}/transfer",
                json={"ownerId": art.id, "transferSchedules": True})
    assert r.status_code == 200
    assert api.get(f"v3/workflows/{SUCCESS}").json()["ownerId"] == art.id
    assert api.put(f"v3/workflows/{SUCCESS}/transfer", json={"ownerId": art.id}).status_code == 400


def test_packages_v1_on_both_families(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    r = api.get(f"v1/workflows/{SUCCESS}/package")
    assert r.headers["Content-Type"] == "application/octet-stream"
    assert zipfile.is_zipfile(io.BytesIO(r.content))
    cur = emulator.user("Curator")
    legacy = signed(emulator, "GET", f"v1/{SUCCESS}/package/", cur.studio_key,
                    cur.studio_secret)
    assert legacy.status_code == 200 and legacy.content == r.content


def test_legacy_admin_publish_and_source_id_replace(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    form = {"name": "Legacy", "owner": cur.email, "validate": "false", "isPublic": "false",
            "sourceId": "", "workerTag": "", "canDownload": "true"}
    r = signed(emulator, "POST", "admin/v1/workflows/", cur.api_key, cur.api_secret, data=form,
               files={"file": ("legacy.yxzp", YXZP)})
    assert r.status_code == 200, r.text
    app_id = json.loads(r.text)
    r = signed(emulator, "POST", "admin/v1/workflows/", cur.api_key, cur.api_secret,
               data={**form, "sourceId": app_id}, files={"file": ("legacy.yxzp", YXZP)})
    assert json.loads(r.text) == app_id
    assert len(emulator.state.workflows[app_id]["versions"]) == 2
    r = signed(emulator, "POST", "admin/v1/workflows/", cur.api_key, cur.api_secret,
               data={k: v for k, v in form.items() if k != "owner"},
               files={"file": ("legacy.yxzp", YXZP)})
    assert r.status_code == 400


def test_subscription_list_paging_and_search(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    everything = api.get("v1/workflows/subscription").json()
    page = api.get("v1/workflows/subscription", params={"offset": 1, "limit": 2,
                                                        "sortField": "name"}).json()
    assert len(page) == 2 and len(everything) == 5  # the outsider's studio is not listed
    assert api.get("v1/workflows/subscription", params={"sortField": "x"}).status_code == 400
    assert {"subscriptionId", "metaInfo", "packageType", "runCount"} <= set(everything[0])
