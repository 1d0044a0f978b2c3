"""Fault injection (Python and HTTP), counters and reset."""

from __future__ import annotations

import pytest
import requests
from emu_helpers import SUCCESS, Api

from ayx_server_emulator import EmulatorServer


def test_burst_of_429_with_retry_after(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    emulator.faults.error(429, count=2, retry_after=3)
    first, second, third = (api.get("v3/workflows") for _ in range(3))
    assert first.status_code == second.status_code == 429
    assert first.headers["Retry-After"] == "3"
    assert third.status_code == 200
    assert emulator.counters.faults_injected == 2
    assert emulator.faults.rules == []  # an exhausted burst goes away


@pytest.mark.parametrize("status", [500, 503])
def test_server_errors_filtered_by_method_and_path(emulator: EmulatorServer, status: int) -> None:
    api = Api(emulator)
    emulator.faults.error(status, method="POST", path_prefix="/webapi/v3/workflows")
    assert api.get("v3/workflows").status_code == 200
    r = api.post(f"v3/workflows/{SUCCESS}/jobs", json={})
    assert r.status_code == status and r.json()["message"]
    assert emulator.counters.jobs_created == 0
    assert emulator.counters.count("POST", "/webapi/v3/workflows/<workflowId>/jobs") == 1


def test_fraction_zero_and_one(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    rule = emulator.faults.error(503, fraction=0.0)
    assert all(api.get("v3/workflows").status_code == 200 for _ in range(3))
    emulator.faults.remove(rule.id)
    emulator.faults.error(503, fraction=1.0, count=1)
    assert api.get("v3/workflows").status_code == 503


def test_drop_before_creates_no_job(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    emulator.faults.drop(when="before", count=1, method="POST")
    with pytest.raises(requests.ConnectionError):
        api.post(f"v3/workflows/{SUCCESS}/jobs", json={})
    assert emulator.counters.jobs_created == 0
    assert api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).status_code == 200


def test_drop_after_creates_a_job_the_client_never_sees(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    emulator.faults.drop(when="after", count=1, method="POST",
                         path_prefix=f"/webapi/v3/workflows/{SUCCESS}/jobs")
    with pytest.raises(requests.ConnectionError):
        api.post(f"v3/workflows/{SUCCESS}/jobs", json={}, headers={"X-Request-Id": "once"})
    assert emulator.counters.jobs_created == 1
    api.post(f"v3/workflows/{SUCCESS}/jobs", json={}, headers={"X-Request-Id": "once"})
    ids = [r["clientRequestId"] for r in emulator.counters.job_creations]
    assert ids == ["once", "once"]  # what a naive retry of a POST does


def test_latency_rule_is_applied_and_counted(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    rule = emulator.faults.latency(0.01, 0.02, count=2)
    assert api.get("v3/workflows").status_code == 200
    assert api.get("v3/workflows").status_code == 200
    assert rule.hits == 2 and emulator.counters.faults_injected == 2


def test_faults_and_config_over_http(emulator: EmulatorServer) -> None:
    admin = emulator.url + "/_emulator"
    r = requests.post(admin + "/faults", json={"kind": "status", "status": 503, "count": 1},
                      timeout=10)
    assert r.status_code == 200 and r.json()[0]["status"] == 503
    assert requests.get(admin + "/faults", timeout=10).json()[0]["count"] == 1
    assert requests.post(admin + "/faults", json={"kind": "nope"}, timeout=10).status_code == 400
    api_status = requests.post(emulator.url + "/webapi/oauth2/token", timeout=10).status_code
    assert api_status == 503
    assert requests.delete(admin + "/faults", timeout=10).json() == []
    r = requests.post(admin + "/config", json={"token_lifetime": 5, "job_timing": "manual"},
                      timeout=10)
    assert r.json()["token_lifetime"] == 5 and emulator.config.job_timing == "manual"
    assert requests.post(admin + "/config", json={"bogus": 1}, timeout=10).status_code == 400
    assert requests.post(admin + "/tokens/expire", timeout=10).status_code == 200


def test_counters_and_reset(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    api.get("v3/workflows")
    api.get("v3/workflows/")
    api.post(f"v3/workflows/{SUCCESS}/jobs", json={})
    c = emulator.counters
    assert c.count("GET", "/webapi/v3/workflows") == 2
    assert c.tokens_issued == 1 and c.jobs_created == 1 and c.statuses[200] == 4
    emulator.faults.error(500)
    assert requests.post(emulator.url + "/_emulator/reset", timeout=10).status_code == 200
    assert c.total_requests == 0 and emulator.faults.rules == [] and emulator.state.jobs == {}
    assert api.get("v3/workflows").status_code == 401  # tokens are forgotten too
