"""GET /v3/jobs (filters, paging, envelope), cancel, worker slots and the running-jobs peak."""

from __future__ import annotations

import time

import pytest
from emu_helpers import APP, ERROR, SUCCESS, Api

from ayx_server_emulator import EmulatorServer
from ayx_server_emulator.contracts import load_models


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
    assert set(item) == set(load_models()["JobListItemView"].fields)  # the catalogue's model
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


class FakeClock:
    """The emulator's job clock, moved by hand (no sleeping, no timing in the assertions)."""

    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=10, worker_slots=1)
def test_worker_slots_in_seconds_timing(emulator: EmulatorServer) -> None:
    clock = FakeClock()
    emulator.state.monotonic = clock
    api = Api(emulator)
    ids = [_start(api) for _ in range(3)]

    def states() -> list[str]:
        return [api.get(f"v3/jobs/{j}").json()["status"] for j in ids]

    # Each job is Queued 10 s at least, then Running 10 s; one slot: they run one by one.
    timeline = {}
    for t in (5, 12, 15, 21, 25, 31, 35, 41):
        clock.now = 1000.0 + t
        timeline[t] = states()
    assert timeline == {
        5: ["Queued", "Queued", "Queued"], 12: ["Initializing", "Queued", "Queued"],
        15: ["Running", "Queued", "Queued"], 21: ["Completed", "Initializing", "Queued"],
        25: ["Completed", "Running", "Queued"], 31: ["Completed", "Completed", "Initializing"],
        35: ["Completed", "Completed", "Running"], 41: ["Completed"] * 3}
    assert emulator.counters.max_running_jobs == 1
    assert emulator.counters.as_dict()["maxRunningJobs"] == 1
    finished = api.get("v3/jobs", params={"sortField": "CompletionDateTime",
                                          "direction": "asc"}).json()["data"]
    assert [j["jobId"] for j in finished] == ids  # first in, first out


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=10, worker_slots=2)
def test_slots_replay_when_nobody_polls(emulator: EmulatorServer) -> None:
    clock = FakeClock()
    emulator.state.monotonic = clock
    api = Api(emulator)
    ids = [_start(api) for _ in range(5)]
    clock.now += 25  # nobody asked in between: the starts and ends are replayed in order
    assert [api.get(f"v3/jobs/{j}").json()["status"] for j in ids] == [
        "Completed", "Completed", "Running", "Running", "Queued"]
    assert emulator.counters.max_running_jobs == 2


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=9)
def test_a_started_job_is_initializing_first(emulator: EmulatorServer) -> None:
    clock = FakeClock()
    emulator.state.monotonic = clock
    api = Api(emulator)
    jid = _start(api, APP, questions=[{"name": "Region", "value": "East"}])
    seen = []
    for t in (1, 10, 13, 19):
        clock.now = 1000.0 + t
        seen.append(api.get(f"v3/jobs/{jid}").json()["status"])
    assert seen == ["Queued", "Initializing", "Running", "Completed"]
    emulator.config.initializing_status = False
    jid = _start(api)
    clock.now += 10
    assert api.get(f"v3/jobs/{jid}").json()["status"] == "Running"


def test_unlimited_slots_count_the_peak(emulator: EmulatorServer) -> None:
    emulator.config.job_timing = "manual"
    api = Api(emulator)
    for _ in range(3):
        _start(api)
    emulator.step_jobs()
    assert emulator.counters.max_running_jobs == 3
    emulator.reset()
    assert emulator.counters.max_running_jobs == 0
