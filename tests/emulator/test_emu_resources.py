"""The other v3 resources: users, groups, collections, schedules, credentials, connections,
subscriptions, DCM (generic), and user v2 / admin endpoints."""

from __future__ import annotations

from emu_helpers import SUCCESS, Api, signed

from ayx_server_emulator import EmulatorServer

MISSING = "ffffffffffffffffffffffff"


def test_users_crud_and_views(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    reduced = api.get("v3/users").json()[0]
    assert set(reduced) == {"id", "firstName", "lastName", "email", "isActive", "role",
                            "dateCreated"}
    assert "canScheduleJobs" in api.get("v3/users", params={"view": "Full"}).json()[0]
    assert api.post("v3/users", json={"firstName": "A"}).json()["modelState"].keys() == {
        "userContract.lastName", "userContract.email"}
    made = api.post("v3/users", json={"firstName": "New", "lastName": "User",
                                      "email": "new@emulator.local", "role": "Viewer"}).json()
    assert made["role"] == "Viewer" and "apiSecret" not in str(made)
    assert api.post("v3/users", json={"firstName": "N", "lastName": "U",
                                      "email": "new@emulator.local"}).status_code == 400
    assert api.get("v3/users", params={"email": "new@emulator.local"}).json()[0]["id"] == made["id"]
    assert api.put(f"v3/users/{made['id']}", json={"role": "Artisan"}).status_code == 400
    assert api.get(f"v3/users/{made['id']}/assets").json() == {
        "workflows": [], "schedules": [], "collections": []}
    assert api.delete(f"v3/users/{made['id']}").status_code == 200
    assert api.get(f"v3/users/{made['id']}").status_code == 404
    cur = emulator.user("Curator").id
    assert api.delete(f"v3/users/{cur}").status_code == 400  # owns assets


def test_user_groups(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    gid = api.post("v3/usergroups", json={"name": "Ops", "role": "Artisan"}).json()
    assert api.post("v3/usergroups", json={"name": "Bad", "role": "King"}).status_code == 400
    viewer = emulator.user("Viewer").id
    added = api.post(f"v3/usergroups/{gid}/users", json=[viewer, MISSING]).json()
    assert added["successfullyAddedUserCount"] == 1 and MISSING in added["failedUserReasons"]
    group = api.get(f"v3/usergroups/{gid}").json()
    assert [m["userId"] for m in group["members"]] == [viewer]
    assert api.delete(f"v3/usergroups/{gid}").status_code == 400
    assert api.delete(f"v3/usergroups/{gid}", params={"forceDelete": "true"}).status_code == 200
    assert api.get(f"v3/usergroups/{gid}").status_code == 404


def test_collections(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    cid = api.post("v3/collections", json={"name": "Mine"}).json()
    assert set(api.get("v3/collections").json()[0]) == {"id", "name", "ownerId", "dateAdded"}
    col = api.post(f"v3/collections/{cid}/workflows", json={"workflowId": SUCCESS}).json()
    assert col["workflowIds"] == [SUCCESS]
    assert api.post(f"v3/collections/{cid}/workflows",
                    json={"workflowId": MISSING}).status_code == 400
    assert api.post(f"v3/collections/{cid}/users", json={"userId": emulator.user("Viewer").id}
                    ).status_code == 400  # collectionsPermissions is required
    assert api.delete(f"v3/collections/{cid}/workflows/{SUCCESS}").json()["workflowIds"] == []
    assert api.put(f"v3/collections/{cid}", json={"name": "Renamed"}).status_code == 400
    assert api.delete(f"v3/collections/{cid}").status_code == 200
    assert api.get(f"v3/collections/{cid}").status_code == 404


def test_schedules(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    body = {"workflowId": SUCCESS, "name": "Hourly",
            "iteration": {"iterationType": "Hourly", "startTime": "2030-01-01T00:00:00Z",
                          "hourlyContract": {"hours": 1, "minutes": 0}}}
    assert api.post("v3/schedules", json={"workflowId": SUCCESS}).status_code == 400
    bad = {**body, "iteration": {**body["iteration"], "iterationType": "Yearly"}}
    assert api.post("v3/schedules", json=bad).status_code == 400
    sid = api.post("v3/schedules", json=body).json()
    assert api.get(f"v3/schedules/{sid}").json()["frequency"] == "Hourly"
    assert [s["id"] for s in api.get("v3/schedules", params={
        "runsAfter": "2029-01-01T00:00:00Z"}).json()] == [sid]
    assert api("PATCH", f"v3/schedules/{sid}", json={"enabled": False}).json()["enabled"] is False
    assert api.put(f"v3/schedules/{sid}", json={"name": "x"}).status_code == 400
    assert api.delete(f"v3/schedules/{sid}").status_code == 200
    assert api.get(f"v3/schedules/{sid}").status_code == 404


def test_credentials_and_connections(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    cred = api.get("v3/credentials").json()[0]
    assert set(cred) == {"id", "userName"}
    viewer = emulator.user("Viewer").id
    shared = api.post(f"v3/credentials/{cred['id']}/users", json={"userId": viewer}).json()
    assert viewer in shared["userIds"]
    assert api.delete(f"v3/credentials/{cred['id']}/users/{MISSING}").status_code == 404
    assert api.delete(f"v3/credentials/{cred['id']}").status_code == 400
    assert api.delete(f"v3/credentials/{cred['id']}", params={"force": "true"}).status_code == 200
    conn = api.get("v3/serverDataConnections").json()[0]
    assert set(conn) == {"id", "name", "connectionString", "connectionType"}
    assert api.put(f"v3/serverDataConnections/{conn['id']}", json={}).status_code == 400
    assert api.put(f"v3/serverDataConnections/{conn['id']}",
                   json={"name": "Renamed"}).json()["name"] == "Renamed"
    assert api.get(f"v3/serverDataConnections/{MISSING}").status_code == 404


def test_subscriptions(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    listed = api.get("v3/subscriptions").json()
    assert {s["name"] for s in listed} == {"Default Studio", "Other Studio"}
    made = api.post("v3/subscriptions", json={"name": "New Studio"}).json()
    detail = api.get(f"v3/subscriptions/{made['id']}").json()
    assert detail["users"] == [] and detail["workflows"] == []
    assert api.put(f"v3/subscriptions/{made['id']}", json={"name": "x"}).status_code == 400
    assert api.delete("v3/subscriptions", params={"subscriptionId": made["id"]}).status_code == 200


def test_dcm_generic_handler(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    made = api.post("v3/dcm/connections", json={"name": "Snowflake", "schemaName": "x"}).json()
    assert len(made["id"]) == 24
    assert api.get(f"v3/dcm/connections/{made['id']}").json()["name"] == "Snowflake"
    found = api.get("v3/dcm/connections/lookup", params={"connectionId": made["id"]})
    assert found.json()["id"] == made["id"]
    assert api.put(f"v3/dcm/connections/{made['id']}/sharing/execution",
                   json={"userIds": [], "userGroupIds": []}).status_code == 200
    assert api.delete(f"v3/dcm/connections/{made['id']}").status_code == 200
    assert api.get(f"v3/dcm/connections/{made['id']}").status_code == 404
    assert api.post("v3/dcm/connections", data="x",
                    headers={"Content-Type": "text/plain"}).status_code == 415


def test_user_v2_and_admin_paging(emulator: EmulatorServer) -> None:
    api = Api(emulator, "Artisan")
    assert api.get("user/v2/credentials").json()[0]["userName"] == "svc_alteryx"
    fid = api.post("user/v2/inputfiles", files={"inputFile": ("in.csv", b"a\n1\n")}).json()
    assert len(fid) == 24
    job = api.post(f"user/v2/workflows/{SUCCESS}/jobs", json={"priority": "Low"}).json()
    assert job["status"] == "Queued"
    cur = emulator.user("Curator")
    r = signed(emulator, "GET", "admin/v1/users/?page=0&pageSize=2", cur.api_key,
               cur.api_secret)
    assert len(r.json()) == 2
    r = signed(emulator, "GET", "admin/v1/users/?page=0&pageSize=0", cur.api_key,
               cur.api_secret)
    assert len(r.json()) == len(emulator.users())
    last = Api(emulator).get("admin/v1/workflows/jobs", params={"appIds": SUCCESS}).json()
    assert [j["id"] for j in last] == [job["id"]]


def test_unknown_path_and_method(emulator: EmulatorServer) -> None:
    api = Api(emulator)
    assert api.get("v3/nothing").status_code == 404
    r = api("PATCH", "v3/workflows")
    assert r.status_code == 405 and "PATCH" in r.json()["message"]
