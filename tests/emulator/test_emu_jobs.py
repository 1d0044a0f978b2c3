"""The job state machine, dispositions, messages, outputs and the v1/v3 job shapes."""

from __future__ import annotations

import json
import time

import pytest
import requests
from emu_helpers import APP, ERROR, SUCCESS, WARNING, Api, signed

from ayx_server_emulator import EmulatorServer


def test_instant_timing_shows_queued_then_completed(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    job = api.post(f"v3/workflows/{SUCCESS}/jobs", json={"priority": "High"}).json()
    assert job["status"] == "Queued" and job["disposition"] == "None"
    assert job["priority"] == "High" and "createDateTime" in job
    done = api.get(f"v3/jobs/{job['id']}").json()
    assert done["status"] == "Completed" and done["disposition"] == "Success"


@pytest.mark.emulator_config(job_timing="manual")
def test_manual_timing_advances_only_when_stepped(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    seen = [api.get(f"v3/jobs/{jid}").json()["status"]]
    emulator.step_jobs(jid)
    running = api.get(f"v3/jobs/{jid}").json()
    assert (running["status"], running["disposition"]) == ("Running", "None")
    assert running["outputs"] == []
    requests.post(emulator.url + "/_emulator/jobs/step", json={"jobId": jid}, timeout=10)
    seen += [running["status"], api.get(f"v3/jobs/{jid}").json()["status"]]
    assert seen == ["Queued", "Running", "Completed"]
    assert emulator.step_jobs(jid) == 0


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.05)
def test_seconds_timing_runs_on_its_own(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    statuses = []
    for _ in range(200):  # bounded: 0.1 s of job time, polled every 10 ms at most
        status = api.get(f"v3/jobs/{jid}").json()["status"]
        statuses.append(status)
        if status == "Completed":
            break
        time.sleep(0.01)
    assert statuses[-1] == "Completed"


@pytest.mark.parametrize(("workflow", "disposition", "level"), [
    (ERROR, "Error", 3), (WARNING, "Warning", 2)])
def test_seeded_dispositions_and_messages(emulator: EmulatorServer, workflow: str,
                                          disposition: str, level: int) -> None:
    api = Api(emulator)
    jid = api.post(f"v3/workflows/{workflow}/jobs", json={}).json()["id"]
    job = api.get(f"v3/jobs/{jid}").json()
    assert job["status"] == "Completed" and job["disposition"] == disposition
    assert any(m["status"] == level for m in job["messages"])
    messages = api.get(f"v3/jobs/{jid}/messages").json()
    assert messages == job["messages"]
    if disposition == "Error":
        assert job["outputs"] == []


def test_question_steers_the_disposition_and_fills_outputs(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    qs = [{"name": "Region", "value": "South"}, {"name": "Size", "value": "1000"}]
    ok = api.post(f"v3/workflows/{APP}/jobs", json={"questions": qs}).json()
    done = api.get(f"v3/jobs/{ok['id']}").json()
    out = done["outputs"][0]
    text = api.get(f"v1/jobs/{ok['id']}/output/{out['id']}", params={"format": "Raw"}).text
    assert text == "Region,Size\nSouth,1000\n"
    bad = api.post(f"v3/workflows/{SUCCESS}/jobs", json={
        "questions": [{"name": "EmulatorDisposition", "value": "Error"}]}).json()
    failed = api.get(f"v3/jobs/{bad['id']}").json()
    assert failed["disposition"] == "Error"
    assert any(m["status"] == 3 for m in failed["messages"])


def test_include_messages_false_gives_a_reduced_job(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    assert "messages" not in api.get(f"v3/jobs/{jid}", params={"includeMessages": "false"}).json()


@pytest.mark.parametrize(("body", "field"), [
    ({"priority": "Urgent"}, "contract.priority"),
    ({"questions": [{"value": "x"}]}, "contract.questions[0].name"),
    ({"questions": "Region=North"}, "contract.questions"),
    ({"credentialId": "ffffffffffffffffffffffff"}, "contract.credentialId")])
def test_job_contract_validation(emulator: EmulatorServer, body: dict[str, object],
                                 field: str) -> None:
    r = Api(emulator).post(f"v3/workflows/{SUCCESS}/jobs", json=body)
    assert r.status_code == 400
    assert field in r.json()["modelState"] and r.json()["message"]
    assert emulator.counters.jobs_created == 0


def test_job_body_must_be_json(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    assert api.post(f"v3/workflows/{SUCCESS}/jobs").status_code == 400
    r = api.post(f"v3/workflows/{SUCCESS}/jobs", data="questions=x",
                 headers={"Content-Type": "text/plain"})
    assert r.status_code == 415


def test_unknown_ids_are_404(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    missing = "ffffffffffffffffffffffff"
    assert api.post(f"v3/workflows/{missing}/jobs", json={}).status_code == 404
    assert api.get(f"v3/jobs/{missing}").status_code == 404
    assert api.get(f"v3/jobs/{missing}/messages").status_code == 404
    assert api.get(f"v1/jobs/{missing}").status_code == 404
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    api.get(f"v3/jobs/{jid}")
    assert api.get(f"v1/jobs/{jid}/output/{missing}", params={"format": "Raw"}).status_code == 404


def test_output_format_rules(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    oid = api.get(f"v3/jobs/{jid}").json()["outputs"][0]["id"]
    path = f"v1/jobs/{jid}/output/{oid}"
    assert api.get(path).json()["modelState"] == {"format": ["The format field is required."]}
    assert api.get(path, params={"format": "csv"}).status_code == 400  # case-sensitive
    assert api.get(path, params={"format": "Xlsx"}).status_code == 400  # not available
    r = api.get(path, params={"format": "Csv", "attachment": "true"})
    assert r.status_code == 200 and r.headers["Content-Type"].startswith("text/csv")
    assert r.headers["Content-Disposition"].startswith("attachment")
    cur = emulator.user("Curator")
    legacy = signed(emulator, "GET", path, cur.studio_key, cur.studio_secret)
    assert legacy.status_code == 200 and legacy.text.startswith("Region,Sales")


def test_v1_job_shape_on_webapi_and_legacy(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    r = api.post(f"v1/workflows/{SUCCESS}/jobs", json={"questions": [], "priority": 2})
    assert r.status_code == 200 and "\n" in r.text  # pretty-printed on /webapi
    job = r.json()
    assert job["priority"] == 2 and job["appId"] is None and "createDate" in job
    done = api.get(f"v1/jobs/{job['id']}").json()
    assert done["outputs"][0].keys() == {"id", "formats", "name"}
    cur = emulator.user("Curator")
    legacy = signed(emulator, "GET", f"v1/jobs/{job['id']}/", cur.studio_key, cur.studio_secret)
    assert "\n" not in legacy.text and json.loads(legacy.text)["status"] == "Completed"
    listed = api.get(f"v1/workflows/{SUCCESS}/jobs").json()
    assert listed[0].keys() == {"id", "createDate", "status", "disposition", "priority",
                                "workerTag", "runWithE2"}


def test_workflow_job_list_paging_and_filters(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    ids = [api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"] for _ in range(5)]
    api.get(f"v3/jobs/{ids[0]}")
    page = api.get(f"v3/workflows/{SUCCESS}/jobs", params={"offset": 1, "limit": 2}).json()
    assert len(page) == 2 and page[0].keys() == {"id", "createDate", "status", "priority",
                                                 "workerTag", "runWithE2"}
    everything = api.get(f"v3/workflows/{SUCCESS}/jobs", params={"direction": "asc"}).json()
    assert [j["id"] for j in everything] == ids
    done = api.get(f"v3/workflows/{SUCCESS}/jobs", params={"status": "Completed"}).json()
    assert [j["id"] for j in done] == [ids[0]]
    assert api.get(f"v3/workflows/{SUCCESS}/jobs", params={"limit": "x"}).status_code == 400
    assert api.get(f"v3/workflows/{SUCCESS}/jobs", params={"offset": -1}).status_code == 400


def test_job_creation_counters(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    api.post(f"v3/workflows/{SUCCESS}/jobs", json={}, headers={"X-Request-Id": "r-1"})
    api.post(f"v3/workflows/{SUCCESS}/jobs", json={}, headers={"X-Request-Id": "r-2"})
    records = emulator.counters.job_creations
    assert [r["clientRequestId"] for r in records] == ["r-1", "r-2"]
    assert len({r["jobId"] for r in records}) == 2
    over_http = requests.get(emulator.url + "/_emulator/counters", timeout=10).json()
    assert over_http["jobsCreated"] == 2 and over_http["tokensIssued"] == 1
