"""Roles and membership: every denial is 401 'Authorization has been denied for this request.'"""

from __future__ import annotations

import pytest
from emu_helpers import OUTSIDER, SUCCESS, Api, signed

from ayx_server_emulator import EmulatorServer

DENIED = {"message": "Authorization has been denied for this request."}


@pytest.mark.parametrize("role", ["Viewer", "Member"])
def test_viewers_and_members_cannot_run_or_list(emulator: EmulatorServer, role: str) -> None:
    api = Api(emulator, role)
    r = api.post(f"v3/workflows/{SUCCESS}/jobs", json={})
    assert r.status_code == 401 and r.json() == DENIED
    assert api.get("v3/workflows").status_code == 401
    assert api.get("v1/workflows/subscription").status_code == 401
    assert emulator.counters.jobs_created == 0


def test_artisan_runs_studio_workflows_but_not_admin_endpoints(emulator: EmulatorServer) -> None:
    api = Api(emulator, "Artisan")
    jid = api.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()["id"]
    assert api.get(f"v3/jobs/{jid}").json()["status"] == "Completed"
    # v3/schedules and v3/credentials list what the Artisan may see (test_emu_permissions).
    for path in ("v3/users", "v3/usergroups", "v3/collections", "v3/schedules/x",
                 "v3/credentials/x", "v3/serverDataConnections", "v3/subscriptions",
                 "admin/v1/workflows", "v3/dcm/admin/connections"):
        r = api.get(path)
        assert (r.status_code, r.json()) == (401, DENIED), path


def test_outsider_is_denied_on_other_studios_but_404_on_unknown(emulator: EmulatorServer) -> None:
    outsider = Api(emulator, "Artisan")
    outsider.session.headers["Authorization"] = "Bearer " + _token_for(emulator,
                                                                        "outsider@emulator.local")
    assert outsider.get(f"v3/workflows/{SUCCESS}").status_code == 401
    assert outsider.post(f"v3/workflows/{SUCCESS}/jobs", json={}).status_code == 401
    assert outsider.get(f"v3/workflows/{OUTSIDER}").status_code == 200
    assert outsider.get("v3/workflows/ffffffffffffffffffffffff").status_code == 404
    assert [w["id"] for w in outsider.get("v3/workflows").json()] == [OUTSIDER]
    artisan = Api(emulator, "Artisan")
    job = artisan.post(f"v3/workflows/{SUCCESS}/jobs", json={}).json()
    assert outsider.get(f"v3/jobs/{job['id']}").status_code == 401


def test_collection_sharing_grants_access(emulator: EmulatorServer) -> None:
    cur = Api(emulator)
    outsider_id = emulator.user(email="outsider@emulator.local").id
    r = cur.post("v3/collections/6501a0b0c0d0e0f0a0b0c001/users", json={
        "userId": outsider_id, "collectionsPermissions": {"isAdmin": False}})
    assert r.status_code == 200, r.text
    outsider = Api(emulator, "Artisan")
    outsider.session.headers["Authorization"] = "Bearer " + _token_for(emulator,
                                                                        "outsider@emulator.local")
    assert outsider.get(f"v3/workflows/{SUCCESS}").status_code == 200


def test_legacy_denials_use_the_envelope(emulator: EmulatorServer) -> None:
    viewer = emulator.user("Viewer")
    r = signed(emulator, "GET", "v1/workflows/subscription/", viewer.studio_key,
               viewer.studio_secret)
    assert r.status_code == 401 and r.json()["message"] == DENIED["message"]
    art = emulator.user("Artisan")
    r = signed(emulator, "GET", "admin/v1/users/", art.api_key, art.api_secret)
    assert r.status_code == 401 and r.json()["exceptionName"] == "UnauthorizedException"


def test_deactivated_user_loses_access(emulator: EmulatorServer) -> None:
    cur = Api(emulator)
    art = Api(emulator, "Artisan")
    assert cur.post(f"v3/users/{art.user.id}/deactivate").status_code == 200
    assert art.get("v3/workflows").status_code == 401


def _token_for(emu: EmulatorServer, email: str) -> str:
    from emu_helpers import token
    return token(emu, emu.user(email=email))
