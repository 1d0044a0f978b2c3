"""GET /v3/jobs (filters, paging, envelope), cancel, worker slots and the running-jobs peak."""

from __future__ import annotations

import time

import pytest
from emu_helpers import APP, ERROR, SUCCESS, Api

from ayx_server_emulator import EmulatorServer


def _start(api: Api, wid: str = SUCCESS, **body: object) -> str:
    r = api.post(f"v3/workflows/{wid}/jobs", json=body)
    assert r.status_code == 200, r.text
    return str(r.json()["id"])


def test_list_envelope_paging_and_sorting(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    ids = [_start(api) for _ in range(5)]
    body = api.get("v3/jobs", params={"direction": "asc"}).json()
    assert list(body) == ["data"]
    assert [j["jobId"] for j in body["data"]] == ids
    item = body["data"][0]
    assert {"jobId", "status", "workflowName"} <= item.keys() and "id" not in item
    assert item["workflowName"] == "Emulator Success" and item["status"] == "Queued"
    page = api.get("v3/jobs", params={"offset": 1, "limit": 2, "direction": "asc"}).json()
    assert [j["jobId"] for j in page["data"]] == ids[1:3]
    newest = api.get("v3/jobs", params={"limit": 1}).json()["data"]
    assert [j["jobId"] for j in newest] == [ids[-1]]  # desc by CreateDate by default
    assert api.get("v3/jobs", params={"sortField": "Nonsense"}).status_code == 400
    assert api.get("v3/jobs", params={"limit": "x"}).status_code == 400


def test_list_filters(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    ok = _start(api, priority="High")
    bad = _start(api, ERROR)
    api.get(f"v3/jobs/{bad}")  # completes it (instant timing)

    def ids(**params: object) -> list[str]:
        r = api.get("v3/jobs", params=params)
        assert r.status_code == 200, r.text
        return sorted(j["jobId"] for j in r.json()["data"])

    assert ids(statuses="Queued") == [ok]
    assert ids(statuses="Complete") == [bad]  # the help page's word
    assert ids(statuses="Queued,Completed") == sorted([ok, bad])
    assert ids(priorities="High") == [ok]
    assert ids(priorities="2") == [ok]  # "Numeric Values"
    assert ids(workflowNames="Emulator Error") == [bad]
    today = time.strftime("%Y-%m-%d", time.gmtime())
    assert ids(completedAfter="2000-01-01") == [bad]
    assert ids(completedBefore=today) == []  # jobs completed on the given date are excluded
    assert api.get("v3/jobs", params={"completedAfter": "01/02/2024"}).status_code == 400
    assert api.get("v3/jobs", params={"sortField": "AppName"}).status_code == 200


def test_list_shows_the_callers_jobs_unless_all_users(emulator: EmulatorServer) -> None:
    cur, art = Api(emulator), Api(emulator, "Artisan")
    mine = _start(cur)
    theirs = _start(art)
    assert [j["jobId"] for j in cur.get("v3/jobs").json()["data"]] == [mine]
    everyone = cur.get("v3/jobs", params={"allUsers": "true"}).json()["data"]
    assert sorted(j["jobId"] for j in everyone) == sorted([mine, theirs])
    only = cur.get("v3/jobs", params={"allUsers": "true", "users": art.user.id}).json()["data"]
    assert [j["jobId"] for j in only] == [theirs]
    ignored = cur.get("v3/jobs", params={"users": art.user.id}).json()["data"]
    assert [j["jobId"] for j in ignored] == [mine]  # users filters only with allUsers=true


@pytest.mark.emulator_config(job_timing="manual")
def test_cancel_queued_and_running_but_not_completed(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    queued, running, done = _start(api), _start(api), _start(api)
    emulator.step_jobs(running)
    emulator.step_jobs(done, steps=2)
    for jid in (queued, running):
        r = api.delete(f"v3/jobs/{jid}")
        assert r.status_code == 200, r.text
        assert (r.json()["status"], r.json()["disposition"]) == ("Cancelled", "Cancelled")
        again = api.get(f"v3/jobs/{jid}").json()
        assert (again["status"], again["disposition"]) == ("Cancelled", "Cancelled")
    r = api.delete(f"v3/jobs/{done}")
    assert r.status_code == 400 and "cannot be cancelled" in r.json()["message"]
    assert api.delete("v3/jobs/ffffffffffffffffffffffff").status_code == 404
    assert emulator.step_jobs(queued) == 0  # a cancelled job never moves again


def test_cancel_permissions(emulator: EmulatorServer) -> None:
    cur, art = Api(emulator), Api(emulator, "Artisan")
    emulator.config.job_timing = "manual"
    theirs = _start(cur)
    assert art.delete(f"v3/jobs/{theirs}").status_code == 401
    own = _start(art)
    assert art.delete(f"v3/jobs/{own}").status_code == 200
    assert cur.delete(f"v3/jobs/{_start(art)}").status_code == 200


@pytest.mark.emulator_config(job_timing="manual", job_cancel_route="POST /v3/jobs/{jobId}/cancel",
                             job_cancel_status=204, job_cancel_body="empty")
def test_cancel_route_and_answer_are_knobs(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = _start(api)
    assert api.delete(f"v3/jobs/{jid}").status_code == 405
    r = api.post(f"v3/jobs/{jid}/cancel")
    assert r.status_code == 204 and r.content == b""
    emulator.config.job_cancel_route = "none"
    assert api.post(f"v3/jobs/{_start(api)}/cancel").status_code == 404


@pytest.mark.emulator_config(job_timing="manual", worker_slots=2)
def test_worker_slots_in_manual_timing(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    ids = [_start(api) for _ in range(4)]
    emulator.step_jobs()
    status = {j: api.get(f"v3/jobs/{j}").json()["status"] for j in ids}
    assert [status[j] for j in ids] == ["Running", "Running", "Queued", "Queued"]
    emulator.step_jobs()  # the two finish, their slots go to the next two (first in, first out)
    assert [api.get(f"v3/jobs/{j}").json()["status"] for j in ids] == [
        "Completed", "Completed", "Running", "Running"]
    assert emulator.counters.max_running_jobs == 2


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.05, worker_slots=1)
def test_worker_slots_in_seconds_timing(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    ids = [_start(api) for _ in range(3)]
    for _ in range(300):  # bounded: 3 jobs x 0.05 s running one at a time, plus 0.05 queued
        states = [api.get(f"v3/jobs/{j}").json()["status"] for j in ids]
        if states == ["Completed"] * 3:
            break
        time.sleep(0.01)
    assert states == ["Completed"] * 3
    assert emulator.counters.max_running_jobs == 1
    assert emulator.counters.as_dict()["maxRunningJobs"] == 1
    finished = api.get("v3/jobs", params={"sortField": "CompletionDateTime",
                                          "direction": "asc"}).json()["data"]
    assert [j["jobId"] for j in finished] == ids  # FIFO


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.2)
def test_a_started_job_is_initializing_first(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    jid = _start(api, APP, questions=[{"name": "Region", "value": "East"}])
    seen = []
    for _ in range(300):  # bounded: 0.4 s of job time
        status = api.get(f"v3/jobs/{jid}").json()["status"]
        if not seen or seen[-1] != status:
            seen.append(status)
        if status == "Completed":
            break
        time.sleep(0.005)
    assert seen == ["Queued", "Initializing", "Running", "Completed"]


def test_unlimited_slots_count_the_peak(emulator: EmulatorServer) -> None:
    emulator.config.job_timing = "manual"
    api = Api(emulator)
    for _ in range(3):
        _start(api)
    emulator.step_jobs()
    assert emulator.counters.max_running_jobs == 3
    emulator.reset()
    assert emulator.counters.max_running_jobs == 0
