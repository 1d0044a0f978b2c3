"""Variety a real Server shows (on by default): null worker tags, E2 runs, 0/3/7 fractional
digits, double slashes after the base, unanswered questions; and the truncate fault."""

from __future__ import annotations

import http.client
import re

import pytest
import requests
from emu_helpers import SUCCESS, Api

from ayx_server_emulator import EmulatorServer

UNANSWERED = "6101a0b0c0d0e0f0a0b0c006"  # isAmp false, question Approver without default
FRACTION = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.(\d+))?Z$")


def _digits(date: str) -> int:
    m = FRACTION.match(date)
    assert m, date
    return len(m.group(2) or "")


def test_worker_tag_null_when_none_given(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    plain = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()
    tagged = api.post(f"v3/workflows/{SUCCESS}/jobs", json={"workerTag": "gpu"}).json()
    assert plain["workerTag"] is None and tagged["workerTag"] == "gpu"
    emulator.config.null_worker_tag = False
    assert api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["workerTag"] == ""


def test_run_with_e2_follows_the_workflows_engine(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    amp = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()
    classic = api.post(f"v3/workflows/{UNANSWERED}/jobs", json={}).json()
    assert (amp["runWithE2"], classic["runWithE2"]) == (True, False)
    emulator.config.run_with_e2 = False
    assert api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["runWithE2"] is False


def test_dates_come_with_7_3_and_0_fractional_digits(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    dates = [api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["createDateTime"]
             for _ in range(3)]
    assert sorted(_digits(d) for d in dates) == [0, 3, 7]
    emulator.config.update(date_fraction_digits=[7])
    assert _digits(api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()[
        "createDateTime"]) == 7
    seeded = {w["id"]: w["dateCreated"] for w in api.get("v3/workflows").json()}
    assert {_digits(d) for d in seeded.values()} == {0, 3, 7}


def test_double_slash_after_the_base(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    url = emulator.url + "/webapi//v3/workflows"
    r = api.session.get(url, timeout=10)
    assert r.status_code == 200 and isinstance(r.json(), list)
    assert emulator.counters.count("GET", "/webapi/v3/workflows") == 1
    emulator.config.tolerate_double_slash = False
    assert api.session.get(url, timeout=10).status_code == 404


def test_unanswered_question_runs_with_its_default_or_empty(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    questions = api.get(f"v3/workflows/{UNANSWERED}/questions").json()
    assert [q["value"] for q in questions] == [None, "North"]
    jid = api.post(f"v3/workflows/{UNANSWERED}/jobs", json={}).json()["id"]
    job = api.get(f"v3/jobs/{jid}").json()
    text = api.get(f"v1/jobs/{jid}/output/{job['outputs'][0]['id']}",
                   params={"format": "Raw"}).text
    assert text == "Approver,Region\n,North\n"


def test_truncate_sends_headers_and_half_the_body(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    full = api.get("v3/workflows").content
    emulator.faults.truncate(count=1, method="GET", path_prefix="/webapi/v3/workflows")
    conn = http.client.HTTPConnection("127.0.0.1", emulator.port, timeout=10)
    conn.request("GET", "/webapi/v3/workflows",
                 headers={"Authorization": api.session.headers["Authorization"]})
    resp = conn.getresponse()
    assert resp.status == 200 and int(resp.headers["Content-Length"]) == len(full)
    with pytest.raises(http.client.IncompleteRead) as got:
        resp.read()
    assert got.value.partial == full[:len(full) // 2]
    conn.close()
    assert emulator.counters.faults_injected == 1
    assert api.get("v3/workflows").content == full  # a burst of one


def test_truncate_over_requests_and_after_a_post(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    requests.post(emulator.url + "/_emulator/faults", json={
        "kind": "truncate", "count": 1, "method": "POST"}, timeout=10)
    with pytest.raises(requests.exceptions.ChunkedEncodingError):
        api.post(f"v3/workflows/{SUCCESS}/jobs", json={})
    assert emulator.counters.jobs_created == 1  # the handler ran: the job exists


def test_new_knobs_over_the_control_api(emulator: EmulatorServer) -> None:
    control = emulator.url + "/_emulator/config"
    r = requests.post(control, json={"date_fraction_digits": [3], "worker_slots": 2}, timeout=10)
    assert r.status_code == 200 and r.json()["date_fraction_digits"] == [3]
    assert emulator.config.worker_slots == 2
    job = Api(emulator).post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()
    assert _digits(job["createDateTime"]) == 3
    assert requests.post(control, json={"worker_slots": 0}, timeout=10).status_code == 400
    assert requests.post(control, json={"job_cancel_route": "PATCH x"}, timeout=10).status_code \
        == 400
