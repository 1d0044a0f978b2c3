"""v3 collections: members, groups, workflows and schedules shared through them (Curators)."""

from __future__ import annotations

from typing import Any

from flask import Response, g

from .._util import public
from ..access import current_state
from ..http import (
    bool_arg,
    contract,
    empty,
    get_or_404,
    id_response,
    invalid,
    json_response,
    not_found,
    view_arg,
)
from ..routing import Routes

routes = Routes()
BASE = "/v3/collections/<collectionId>"


def collection_view(col: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    """CollectionView, or ReducedCollectionView."""
    if view != "Full":
        return {k: col[k] for k in ("id", "name", "ownerId", "dateAdded")}
    out = public(col)
    out["users"] = [{"userId": u["userId"], "activeDirectoryObject": None} for u in col["users"]]
    return out


def _col(cid: str) -> dict[str, Any]:
    return get_or_404(current_state().collections, "Collection", cid)


@routes.route("/v3/collections", "GET")
def list_cols() -> Response:
    view = view_arg()
    return json_response([collection_view(c, view)
                          for c in current_state().collections.values()])


@routes.route("/v3/collections", "POST")
def create_col() -> Response:
    body = contract("CreateCollectionContract")
    return id_response(current_state().collections_backend.create(body["name"], g.user["id"])["id"])


@routes.route(BASE, "GET")
def get_col(collectionId: str) -> Response:
    return json_response(collection_view(_col(collectionId)))


@routes.route(BASE, "PUT")
def update_col(collectionId: str) -> Response:
    state = current_state()
    c = _col(collectionId)
    body = contract("UpdateCollectionContract", "updateCollectionContract")
    if body["ownerId"] not in state.users:
        invalid({"updateCollectionContract.ownerId": ["The owner was not found."]})
    state.collections_backend.update(c, body["name"], body["ownerId"])
    return json_response(collection_view(c))


@routes.route(BASE, "DELETE")
def delete_col(collectionId: str) -> Response:
    c = _col(collectionId)
    busy = c["workflowIds"] or c["users"] or c["userGroupIds"] or c["scheduleIds"]
    if busy and not bool_arg("forceDelete", False):
        invalid({"forceDelete": ["The collection is not empty; pass forceDelete=true."]},
                "The collection cannot be deleted.")
    current_state().collections_backend.delete(collectionId)
    return empty()


# (sub path, contract, body field, store name, kind, list in the record, path parameter)
_MEMBERS = (
    ("users", "AddUserContract", "userId", "users", "User", "users", "userId"),
    ("userGroups", "AddUserGroupContract", "userGroupId", "usergroups", "User group",
     "userGroupIds", "userGroupId"),
    ("workflows", "AddWorkflowContract", "workflowId", "workflows", "Workflow", "workflowIds",
     "workflowId"),
    ("schedules", "AddScheduleContract", "scheduleId", "schedules", "Schedule", "scheduleIds",
     "scheduleId"),
)


def _member_routes(sub: str, model: str, field: str, store: str, kind: str, list_name: str,
                   param: str) -> None:
    def add(collectionId: str) -> Response:
        state = current_state()
        c = _col(collectionId)
        body = contract(model)
        target = body[field]
        if target not in getattr(state, store):
            invalid({f"contract.{field}": [f"{kind} '{target}' was not found."]})
        backend = state.collections_backend
        if list_name == "users":
            backend.add_user(c, target, body.get("expirationDate"), body["collectionsPermissions"])
        else:
            backend.add_item(c, list_name, target, body.get("collectionsPermissions"))
        return json_response(collection_view(c))

    def remove(collectionId: str, **kw: str) -> Response:
        backend = current_state().collections_backend
        c = _col(collectionId)
        target = kw[param]
        gone = (backend.remove_user(c, target) if list_name == "users"
                else backend.remove_item(c, list_name, target))
        if not gone:
            not_found("Collection user" if list_name == "users" else kind, target)
        return json_response(collection_view(c))

    routes.route(f"{BASE}/{sub}", "POST")(add)
    routes.route(f"{BASE}/{sub}/<{param}>", "DELETE")(remove)


for _spec in _MEMBERS:
    _member_routes(*_spec)


@routes.route(f"{BASE}/users/<userId>/permissions", "PUT")
def user_perms(collectionId: str, userId: str) -> Response:
    c = _col(collectionId)
    body = contract("UpdatePermissionsContract", "updatePermissionsContract")
    if not current_state().collections_backend.set_user_permissions(
            c, userId, body["collectionsPermissions"], body.get("expirationDate")):
        not_found("Collection user", userId)
    return json_response(collection_view(c))


@routes.route(f"{BASE}/userGroups/<userGroupId>/permissions", "PUT")
def group_perms(collectionId: str, userGroupId: str) -> Response:
    c = _col(collectionId)
    body = contract("UpdatePermissionsContract", "updatePermissionsContract")
    if not current_state().collections_backend.set_group_permissions(
            c, userGroupId, body["collectionsPermissions"]):
        not_found("Collection user group", userGroupId)
    return json_response(collection_view(c))
