"""v3 users, user groups and subscriptions (Curators only)."""

from __future__ import annotations

from typing import Any

from flask import Response, request

from .._util import date_in_range, public
from ..access import current_state
from ..http import (
    bool_arg,
    contract,
    empty,
    get_or_404,
    id_response,
    invalid,
    json_body,
    json_response,
    not_found,
    view_arg,
)
from ..routing import Routes

routes = Routes()
REDUCED_USER = ("id", "firstName", "lastName", "email", "isActive", "role")


# ----------------------------------------------------------------------------- users
def user_view(user: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    """UserView (Full) or ReducedUserView (with its dateCreated)."""
    if view == "Full":
        return public(user)
    return {**{k: user.get(k) for k in REDUCED_USER}, "dateCreated": user["_dateCreated"]}


@routes.route("/v3/users", "GET")
def list_users() -> Response:
    view, active, a = view_arg(), bool_arg("active"), request.args
    return json_response([
        user_view(u, view) for u in current_state().users.values()
        if (active is None or u["isActive"] == active)
        and (not a.get("email") or u["email"].lower() == a["email"].lower())
        and (not a.get("role") or u["role"] == a["role"])
        and (not a.get("firstName") or u["firstName"] == a["firstName"])
        and (not a.get("lastName") or u["lastName"] == a["lastName"])
        and date_in_range(u["_dateCreated"], a.get("createdAfter"), a.get("createdBefore"))])


@routes.route("/v3/users", "POST")
def create_user() -> Response:
    state = current_state()
    body = contract("CreateUserContract", "userContract")
    if any(u["email"].lower() == body["email"].lower() for u in state.users.values()):
        invalid({"userContract.email": [f"A user with email {body['email']} exists."]})
    return json_response(user_view(state.users_backend.add_user(body)))


@routes.route("/v3/users/<userId>", "GET")
def get_user(userId: str) -> Response:
    return json_response(user_view(get_or_404(current_state().users, "User", userId)))


@routes.route("/v3/users/<userId>", "PUT")
def update_user(userId: str) -> Response:
    state = current_state()
    user = get_or_404(state.users, "User", userId)
    body = contract("UpdateUserContract", "updateContract")
    if body.get("id") not in (None, userId):
        invalid({"updateContract.id": ["The id does not match the user in the path."]})
    state.users_backend.update_user(user, body)
    return json_response(user_view(user))


@routes.route("/v3/users/<userId>", "DELETE")
def delete_user(userId: str) -> Response:
    backend = current_state().users_backend
    get_or_404(backend.users, "User", userId)
    if backend.assets_of(userId, "All") != {"workflows": [], "schedules": [],
                                            "collections": []}:
        invalid({"userId": ["The user owns assets; transfer them first."]},
                "The user cannot be deleted.")
    backend.delete_user(userId)
    return empty()


@routes.route("/v3/users/<userId>/deactivate", "POST")
def deactivate(userId: str) -> Response:
    backend = current_state().users_backend
    get_or_404(backend.users, "User", userId)
    return json_response(backend.deactivate(userId))


@routes.route("/v3/users/<userId>/passwordReset", "POST")
def password_reset(userId: str) -> Response:
    get_or_404(current_state().users, "User", userId)
    return empty()


@routes.route("/v3/users/<userId>/assets", "GET")
def assets(userId: str) -> Response:
    backend = current_state().users_backend
    get_or_404(backend.users, "User", userId)
    kind = request.args.get("assetType", "All")
    if kind not in ("All", "Workflows", "Schedules", "Collections"):
        invalid({"assetType": [f"The value '{kind}' is not valid for assetType."]})
    return json_response(backend.assets_of(userId, kind))


@routes.route("/v3/users/<userId>/assetTransfer", "PUT")
def asset_transfer(userId: str) -> Response:
    backend = current_state().users_backend
    get_or_404(backend.users, "User", userId)
    body = contract("TransferUserAssetsContract")
    if body["ownerId"] not in backend.users:
        invalid({"contract.ownerId": [f"User '{body['ownerId']}' was not found."]})
    return json_response(backend.transfer_assets(
        userId, body["ownerId"], workflows=bool(body["transferWorkflows"]),
        schedules=bool(body["transferSchedules"]),
        collections=bool(body["transferCollections"])))


# ----------------------------------------------------------------------------- user groups
def group_view(group: dict[str, Any]) -> dict[str, Any]:
    """UserGroupView with its members."""
    view = public(group)
    view["members"] = [{"activeDirectoryObject": None, "userId": uid,
                        "dateAddedToGroup": group["dateAdded"], "addedByUserId": None}
                       for uid in group["_memberIds"]]
    return view


def _group(gid: str) -> dict[str, Any]:
    return get_or_404(current_state().usergroups, "User group", gid)


@routes.route("/v3/usergroups", "GET")
def list_groups() -> Response:
    return json_response([{"id": g["id"], "name": g["name"], "role": g["role"]}
                          for g in current_state().usergroups.values()])


@routes.route("/v3/usergroups", "POST")
def create_group() -> Response:
    body = contract("CreateUserGroupContract")
    group = current_state().users_backend.add_group({"name": body["name"], "role": body["role"]})
    return id_response(group["id"])


@routes.route("/v3/usergroups/<userGroupId>", "GET")
def get_group(userGroupId: str) -> Response:
    return json_response(group_view(_group(userGroupId)))


@routes.route("/v3/usergroups/<userGroupId>", "PUT")
def update_group(userGroupId: str) -> Response:
    group = _group(userGroupId)
    body = contract("UpdateUserGroupContract")
    current_state().users_backend.update_group(group, body["name"], body["role"])
    return empty()


@routes.route("/v3/usergroups/<userGroupId>", "DELETE")
def delete_group(userGroupId: str) -> Response:
    group = _group(userGroupId)
    if group["_memberIds"] and not bool_arg("forceDelete", False):
        invalid({"forceDelete": ["The group has members; pass forceDelete=true."]},
                "The user group cannot be deleted.")
    current_state().users_backend.delete_group(userGroupId)
    return empty()


@routes.route("/v3/usergroups/<userGroupId>/users", "POST")
def add_members(userGroupId: str) -> Response:
    group = _group(userGroupId)
    ids = json_body("userIds")
    if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
        invalid({"userIds": ["A JSON array of user ids is expected."]})
    added, failed = current_state().users_backend.add_members(group, ids)
    return json_response({"successfullyAddedUserCount": added,
                          "totalUsersSubmittedCount": len(ids), "failedUserReasons": failed})


@routes.route("/v3/usergroups/<userGroupId>/users/<userId>", "DELETE")
def remove_member(userGroupId: str, userId: str) -> Response:
    group = _group(userGroupId)
    if not current_state().users_backend.remove_member(group, userId):
        not_found("Group member", userId)
    return json_response(group_view(group))


@routes.route("/v3/usergroups/<userGroupId>/activedirectorygroups", "POST")
def add_ad(userGroupId: str) -> Response:
    group = _group(userGroupId)
    sid = json_body("sid")
    if not isinstance(sid, str) or not sid:
        invalid({"sid": ["The sid field is required."]})
    current_state().users_backend.add_ad_group(group, sid)
    return empty()


@routes.route("/v3/usergroups/<userGroupId>/activedirectorygroups/<adGroupSid>", "DELETE")
def remove_ad(userGroupId: str, adGroupSid: str) -> Response:
    if not current_state().users_backend.remove_ad_group(_group(userGroupId), adGroupSid):
        not_found("Active Directory group", adGroupSid)
    return empty()


# ----------------------------------------------------------------------------- subscriptions
def _flows(sid: str) -> list[dict[str, Any]]:
    return [w for w in current_state().workflows.values() if w["_subscriptionId"] == sid]


def _count(name: str) -> int | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    try:
        return int(raw)
    except ValueError:
        invalid({name: [f"The value '{raw}' is not valid for {name}."]})


@routes.route("/v3/subscriptions", "GET")
def list_subs() -> Response:
    backend = current_state().users_backend
    name = (request.args.get("name") or "").lower()
    lo_u, hi_u = _count("userCountGreaterThanEquals"), _count("userCountLessThanEquals")
    lo_w, hi_w = _count("workflowCountGreaterThanEquals"), _count("workflowCountLessThanEquals")
    out = []
    for s in backend.subscriptions.values():
        users, wfs = len(backend.members_of(s["id"])), len(_flows(s["id"]))
        checks = [not name or name in s["name"].lower(),
                  lo_u is None or users >= lo_u, hi_u is None or users <= hi_u,
                  lo_w is None or wfs >= lo_w, hi_w is None or wfs <= hi_w]
        if all(checks):
            out.append({"userCount": users, "workflowCount": wfs, **s})
    return json_response(out)


@routes.route("/v3/subscriptions", "POST")
def create_sub() -> Response:
    body = contract("CreateSubscriptionContract")
    sub = current_state().users_backend.create_subscription(
        body["name"], bool(body.get("canShareSchedule")), body.get("credentialId"))
    return json_response(dict(sub))


@routes.route("/v3/subscriptions/<subscriptionId>", "GET")
def get_sub(subscriptionId: str) -> Response:
    backend = current_state().users_backend
    s = get_or_404(backend.subscriptions, "Subscription", subscriptionId)
    return json_response({
        "users": [{"id": u["id"], "name": f"{u['firstName']} {u['lastName']}"}
                  for u in backend.members_of(s["id"])],
        "workflows": [{"id": w["id"], "name": w["name"]} for w in _flows(s["id"])], **s})


@routes.route("/v3/subscriptions/<subscriptionId>", "PUT")
def put_sub(subscriptionId: str) -> Response:
    backend = current_state().users_backend
    s = get_or_404(backend.subscriptions, "Subscription", subscriptionId)
    backend.update_subscription(s, contract("UpdateSubscriptionContract", "subscription"))
    return json_response(dict(s))


@routes.route("/v3/subscriptions", "DELETE")
def delete_sub() -> Response:
    backend = current_state().users_backend
    sid = request.args.get("subscriptionId")
    if not sid:
        invalid({"subscriptionId": ["The subscriptionId field is required."]})
    get_or_404(backend.subscriptions, "Subscription", sid)
    if backend.members_of(sid) or _flows(sid):
        invalid({"subscriptionId": ["The subscription still has users or workflows."]},
                "The subscription cannot be deleted.")
    backend.delete_subscription(sid)
    return empty()


@routes.route("/v3/subscriptions/<subscriptionId>/users", "PUT")
def move_users(subscriptionId: str) -> Response:
    backend = current_state().users_backend
    get_or_404(backend.subscriptions, "Subscription", subscriptionId)
    body = contract("ChangeUsersSubscriptionContract")
    unknown = [u for u in body["userIds"] if u not in backend.users]
    if unknown:
        invalid({"contract.userIds": [f"User '{u}' was not found." for u in unknown]})
    backend.move_to_subscription(body["userIds"], subscriptionId)
    return empty()
