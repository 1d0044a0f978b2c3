"""The first slice: token, bearer, a job end to end, output download, counters, OAuth1."""

from __future__ import annotations

import requests
from emu_helpers import SUCCESS, Api, signed

from ayx_server_emulator import EmulatorServer


def test_job_end_to_end_over_webapi(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    listed = api.get("v3/workflows").json()
    assert SUCCESS in [w["id"] for w in listed]
    job = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()
    assert (job["status"], job["disposition"]) == ("Queued", "None")
    done = api.get(f"v3/jobs/{job['id']}").json()
    assert (done["status"], done["disposition"]) == ("Completed", "Success")
    out = done["outputs"][0]
    assert out["availableFormats"] == ["Raw", "Csv"]
    data = api.get(f"v1/jobs/{job['id']}/output/{out['id']}", params={"format": "Csv"})
    assert data.status_code == 200 and data.text.startswith("Region,Sales")
    assert emulator.counters.jobs_created == 1
    assert emulator.counters.tokens_issued == 1
    assert emulator.counters.count("POST", "/webapi/v3/workflows/<workflowId>/jobs") == 1


def test_legacy_subscription_list_signed_with_studio_key(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    assert r.status_code == 200, r.text
    assert SUCCESS in [w["id"] for w in r.json()]


def test_server_starts_and_stops_cleanly() -> None:
    with EmulatorServer() as emu:
        assert requests.get(emu.url + "/_emulator/health", timeout=5).json()["status"] == "ok"
    assert not emu.running
