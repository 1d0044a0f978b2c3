"""Permissions per the public record (SPEC §10), each rule as an Artisan and as a Curator."""

from __future__ import annotations

import requests
from emu_helpers import SUCCESS, Api, token

from ayx_server_emulator import EmulatorServer

DENIED = {"message": "Authorization has been denied for this request."}
CREDENTIAL = "6301a0b0c0d0e0f0a0b0c001"
SCHEDULE = "6601a0b0c0d0e0f0a0b0c001"


def _curator_job(emu: EmulatorServer) -> str:
    return str(Api(emu).post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"])


def test_artisan_cannot_read_another_users_ad_hoc_job(emulator: EmulatorServer) -> None:
    # Help 2024.2+: "Users are able to see jobs run by them and jobs run on schedules shared
    # via Collections" - the workflow is in the Artisan's studio, the job is not theirs.
    jid = _curator_job(emulator)
    r = Api(emulator, "Artisan").get(f"v3/jobs/{jid}")
    assert (r.status_code, r.json()) == (401, DENIED)
    assert Api(emulator).get(f"v3/jobs/{jid}").status_code == 200


def test_artisan_reads_own_job_but_not_its_messages(emulator: EmulatorServer) -> None:
    art = Api(emulator, "Artisan")
    jid = art.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    assert art.get(f"v3/jobs/{jid}").status_code == 200
    r = art.get(f"v3/jobs/{jid}/messages")  # Curators only (help 2024.2, swagger)
    assert (r.status_code, r.json()) == (401, DENIED)
    messages = Api(emulator).get(f"v3/jobs/{jid}/messages")
    assert messages.status_code == 200 and messages.json()


def test_only_curators_delete_workflows(emulator: EmulatorServer) -> None:
    art = Api(emulator, "Artisan")
    own = "6101a0b0c0d0e0f0a0b0c004"  # Emulator App, owned by the Artisan
    r = art.delete(f"v3/workflows/{own}")
    assert (r.status_code, r.json()) == (401, DENIED)
    assert own in emulator.state.workflows
    assert Api(emulator).delete(f"v3/workflows/{own}").status_code == 200
    assert own not in emulator.state.workflows


def test_schedule_list_is_filtered_for_non_curators(emulator: EmulatorServer) -> None:
    cur = Api(emulator)
    mine = cur.post("v3/schedules", json={
        "workflowId": SUCCESS, "name": "Curator only",
        "iteration": {"iterationType": "Once", "startTime": "2030-01-01T00:00:00Z"}})
    assert mine.status_code == 200, mine.text
    everything = {s["id"] for s in cur.get("v3/schedules").json()}
    assert everything == {SCHEDULE, mine.json()}
    art = Api(emulator, "Artisan")
    r = art.get("v3/schedules")  # the seeded one is shared with the Artisan by a collection
    assert r.status_code == 200 and [s["id"] for s in r.json()] == [SCHEDULE]
    assert art.get(f"v3/schedules/{SCHEDULE}").status_code == 401  # reading one: Curators


def test_credential_list_is_filtered_for_non_curators(emulator: EmulatorServer) -> None:
    art = Api(emulator, "Artisan")
    assert [c["id"] for c in art.get("v3/credentials").json()] == [CREDENTIAL]
    cur = Api(emulator)
    assert cur.delete(f"v3/credentials/{CREDENTIAL}/users/{art.user.id}").status_code == 200
    assert art.get("v3/credentials").json() == []
    assert [c["id"] for c in cur.get("v3/credentials").json()] == [CREDENTIAL]


def test_all_jobs_list_is_for_curators(emulator: EmulatorServer) -> None:
    r = Api(emulator, "Artisan").get("v3/jobs")
    assert (r.status_code, r.json()) == (401, DENIED)
    assert Api(emulator).get("v3/jobs").json() == {"data": []}


def test_jobs_of_a_schedule_shared_by_a_collection_are_visible(emulator: EmulatorServer) -> None:
    # The seeded collection shares the Curator's schedule with the Artisan.
    r = requests.post(f"{emulator.url}/_emulator/schedules/{SCHEDULE}/run", timeout=10)
    jid = r.json()["jobId"]
    art = Api(emulator, "Artisan")
    job = art.get(f"v3/jobs/{jid}")
    assert job.status_code == 200 and job.json()["appId"] == SUCCESS
    outsider = Api(emulator, "Artisan")
    outsider.session.headers["Authorization"] = "Bearer " + token(
        emulator, emulator.user(email="outsider@emulator.local"))
    assert outsider.get(f"v3/jobs/{jid}").status_code == 401
    cur = Api(emulator)
    assert cur.delete(f"v3/collections/6501a0b0c0d0e0f0a0b0c001/schedules/{SCHEDULE}").ok
    assert art.get(f"v3/jobs/{jid}").status_code == 401  # no longer shared
    assert emulator.counters.job_creations[-1]["path"] == f"schedule:{SCHEDULE}"
