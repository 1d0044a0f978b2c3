"""v3 resources beyond reading workflows and jobs: publishing, users, groups, collections,
schedules, credentials, server data connections, subscriptions, and a generic handler for the
rest of the 91 operations (DCM)."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from importlib import resources as pkg_resources
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from ._util import new_id, public
from .app import WEBAPI, full_workflow, require_role, visible_workflow
from .models import validate
from .responses import (
    bool_arg,
    denied,
    fail,
    invalid,
    json_body,
    json_object,
    json_response,
    not_found,
    unsupported_media,
    view_arg,
)
from .state import ROLES, State, date_in_range

if TYPE_CHECKING:
    from .server import EmulatorServer

V3 = WEBAPI + "/v3"
EXECUTION_MODES = ("Safe", "SemiSafe", "Standard")
CREDENTIAL_TYPES = ("Default", "Required", "Specific")


def contract(model: str, name: str = "contract") -> dict[str, Any]:
    """Parse and validate a JSON body against a swagger model (400 with modelState)."""
    body = json_object(name)
    errors = validate(model, body, name)
    if errors:
        invalid(errors)
    return body


def id_response(value: str) -> Response:
    """A new id as the server returns it: a JSON string."""
    return json_response(value)


def empty() -> Response:
    """200 with no body (the server's void operations)."""
    return Response(status=200)


def get_or_404(store: dict[str, dict[str, Any]], kind: str, ident: str) -> dict[str, Any]:
    """The item or a 404."""
    item = store.get(ident)
    if item is None:
        not_found(kind, ident)
    return item


# ----------------------------------------------------------------------------- multipart
def _multipart() -> tuple[dict[str, str], Any]:
    """The form fields and the `file` part of a multipart/form-data request (415 otherwise)."""
    if request.mimetype != "multipart/form-data":
        unsupported_media()
    return {k: v for k, v in request.form.items()}, request.files.get("file")


def _form_bool(form: dict[str, str], name: str, errors: dict[str, list[str]], *,
               required: bool) -> bool | None:
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    if raw.lower() not in ("true", "false"):
        errors[name] = [f"The value '{raw}' is not valid for {name}."]
        return None
    return raw.lower() == "true"


def _form_enum(form: dict[str, str], name: str, allowed: tuple[str, ...],
               errors: dict[str, list[str]], *, required: bool) -> str | None:
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    if raw not in allowed:
        errors[name] = [f"The value '{raw}' is not valid for {name}."]
        return None
    return raw


def _form_str(form: dict[str, str], name: str, errors: dict[str, list[str]], *,
              required: bool) -> str | None:
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    return raw


def _json_list(form: dict[str, str], name: str, errors: dict[str, list[str]]) -> list[str]:
    raw = form.get(name)
    if raw is None or raw == "":
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[name] = [f"{name} must be a JSON array of strings, e.g. [\"id1\",\"id2\"]."]
        return []
    return value


def _check_credential(state: State, ctype: str | None, cred: str | None,
                      errors: dict[str, list[str]]) -> None:
    if ctype == "Specific" and not cred:
        errors["credentialId"] = ["credentialId is required when workflowCredentialType is "
                                  "Specific."]
    if cred and cred not in state.credentials:
        errors["credentialId"] = [f"Credential '{cred}' was not found."]


# ----------------------------------------------------------------------------- registration
def register(app: Flask, emu: EmulatorServer) -> None:
    """Add every v3 resource route, then the generic handler for the remaining operations."""
    state = emu.state

    def route(rule: str, methods: list[str], *, role: str = "Curator",
              endpoint: str | None = None) -> Callable[[Callable[..., Response]],
                                                       Callable[..., Response]]:
        def deco(fn: Callable[..., Response]) -> Callable[..., Response]:
            def view(**kwargs: Any) -> Response:
                require_role(role)
                with state.lock:
                    return fn(**kwargs)
            app.add_url_rule(V3 + rule, endpoint=endpoint or f"v3:{methods[0]}:{rule}",
                             view_func=view, methods=methods)
            return fn
        return deco

    _workflow_routes(route, state)
    _user_routes(route, state)
    _group_routes(route, state)
    _collection_routes(route, state)
    _schedule_routes(route, state)
    _credential_routes(route, state)
    _connection_routes(route, state)
    _subscription_routes(route, state)
    _generic_routes(app, state)


Route = Callable[..., Callable[[Callable[..., Response]], Callable[..., Response]]]


# ----------------------------------------------------------------------------- workflows
def _workflow_routes(route: Route, state: State) -> None:
    @route("/workflows", ["POST"], role="Artisan")
    def publish() -> Response:
        form, upload = _multipart()
        errors: dict[str, list[str]] = {}
        if upload is None or not upload.filename:
            errors["file"] = ["The file field is required."]
        name = _form_str(form, "name", errors, required=True)
        owner = _form_str(form, "ownerId", errors, required=True)
        flags = {n: _form_bool(form, n, errors, required=True) for n in (
            "isPublic", "isReadyForMigration", "othersMayDownload", "othersCanExecute")}
        exemption = _form_bool(form, "hasPrivateDataExemption", errors, required=False)
        mode = _form_enum(form, "executionMode", EXECUTION_MODES, errors, required=True)
        ctype = _form_enum(form, "workflowCredentialType", CREDENTIAL_TYPES, errors,
                           required=True)
        cred = form.get("credentialId") or None
        _check_credential(state, ctype, cred, errors)
        tags = _json_list(form, "districtTags", errors)
        collection_ids = _json_list(form, "collectionIds", errors)
        for cid in collection_ids:
            if cid not in state.collections:
                errors["collectionIds"] = [f"Collection '{cid}' was not found."]
        source = form.get("sourceAppId") or None
        if source and any(w["sourceAppId"] == source or w["id"] == source
                          for w in state.workflows.values()):
            errors["sourceAppId"] = [f"A workflow with sourceAppId '{source}' already exists."]
        if owner and owner not in state.users:
            errors["ownerId"] = [f"User '{owner}' was not found."]
        if errors:
            invalid(errors)
        assert upload is not None and name and owner
        if owner != g.user["id"] and state.effective_role(g.user) != "Curator":
            denied()
        data = upload.read()
        if not data:
            invalid({"file": ["The uploaded file is empty."]})
        wf = state.add_workflow({
            "name": name, "ownerId": owner, "sourceAppId": source,
            "workerTag": form.get("workerTag", ""), "districtTags": tags,
            "comments": form.get("comments", ""), **{k: bool(v) for k, v in flags.items()},
            "executionMode": mode, "hasPrivateDataExemption": bool(exemption),
            "workflowCredentialType": ctype, "credentialId": cred,
            "fileName": upload.filename, "packageType": "Workflow"})
        wf["_packages"][wf["publishedVersionId"]] = data
        wf["versions"][0]["uploadSource"] = "Api"
        for cid in collection_ids:
            state.collections[cid]["workflowIds"].append(wf["id"])
        return id_response(wf["id"])

    @route("/workflows/<workflowId>/versions", ["POST"], role="Artisan")
    def new_version(workflowId: str) -> Response:
        wf = visible_workflow(workflowId)
        form, upload = _multipart()
        errors: dict[str, list[str]] = {}
        if upload is None or not upload.filename:
            errors["file"] = ["The file field is required."]
        _form_str(form, "name", errors, required=True)
        owner = _form_str(form, "ownerId", errors, required=True)
        may_download = _form_bool(form, "othersMayDownload", errors, required=True)
        _form_bool(form, "othersCanExecute", errors, required=True)
        make_published = _form_bool(form, "makePublished", errors, required=True)
        exemption = _form_bool(form, "hasPrivateDataExemption", errors, required=False)
        mode = _form_enum(form, "executionMode", EXECUTION_MODES, errors, required=True)
        ctype = _form_enum(form, "workflowCredentialType", CREDENTIAL_TYPES, errors,
                           required=True)
        cred = form.get("credentialId") or None
        _check_credential(state, ctype, cred, errors)
        if owner and owner not in state.users:
            errors["ownerId"] = [f"User '{owner}' was not found."]
        if errors:
            invalid(errors)
        assert upload is not None
        if wf["ownerId"] != g.user["id"] and state.effective_role(g.user) != "Curator":
            denied()
        data = upload.read()
        if not data:
            invalid({"file": ["The uploaded file is empty."]})
        state.add_version(wf, {
            "comments": form.get("comments", ""), "makePublished": bool(make_published),
            "executionMode": mode, "workflowCredentialType": ctype, "credentialId": cred,
            "hasPrivateDataExemption": bool(exemption), "othersMayDownload": may_download,
            "fileName": upload.filename, "uploadSource": "Api"}, package=data)
        wf["name"] = form["name"]
        wf["othersCanExecute"] = form["othersCanExecute"].lower() == "true"
        return json_response(full_workflow(wf))

    @route("/workflows/<workflowId>", ["PUT"], role="Artisan")
    def update(workflowId: str) -> Response:
        wf = visible_workflow(workflowId)
        if wf["ownerId"] != g.user["id"] and state.effective_role(g.user) != "Curator":
            denied()
        body = contract("UpdateWorkflowContract", "updateWorkflowContract")
        errors: dict[str, list[str]] = {}
        version = next((v for v in wf["versions"] if v["versionId"] == body["versionId"]), None)
        if version is None:
            errors["updateWorkflowContract.versionId"] = [
                f"Version '{body['versionId']}' was not found."]
        if body["ownerId"] not in state.users:
            errors["updateWorkflowContract.ownerId"] = [f"User '{body['ownerId']}' was not found."]
        _check_credential(state, body["workflowCredentialType"], body["credentialId"] or None,
                          errors)
        if errors:
            invalid(errors)
        assert version is not None
        for key in ("name", "ownerId", "workerTag", "districtTags", "comments", "isPublic",
                    "isReadyForMigration", "othersMayDownload", "othersCanExecute",
                    "executionMode"):
            wf[key] = body[key]
        if body.get("hasPrivateDataExemption") is not None:
            wf["hasPrivateDataExemption"] = body["hasPrivateDataExemption"]
        version["workflowCredentialType"] = body["workflowCredentialType"]
        version["credentialId"] = body["credentialId"] or None
        if body["makePublished"]:
            for other in wf["versions"]:
                other["published"] = other is version
            wf["publishedVersionId"] = version["versionId"]
        return json_response(full_workflow(wf))

    @route("/workflows/<workflowId>", ["DELETE"], role="Artisan")
    def delete(workflowId: str) -> Response:
        wf = visible_workflow(workflowId)
        if wf["ownerId"] != g.user["id"] and state.effective_role(g.user) != "Curator":
            denied()
        force = bool_arg("force", False)
        schedules = [s for s in state.schedules.values() if s["workflowId"] == wf["id"]]
        if schedules and not force:
            invalid({"force": ["The workflow has schedules; pass force=true to delete them "
                               "too."]}, "The workflow cannot be deleted.")
        for s in schedules:
            del state.schedules[s["id"]]
        for col in state.collections.values():
            if wf["id"] in col["workflowIds"]:
                col["workflowIds"].remove(wf["id"])
        del state.workflows[wf["id"]]
        return empty()

    @route("/workflows/<workflowId>/transfer", ["PUT"])
    def transfer(workflowId: str) -> Response:
        wf = get_or_404(state.workflows, "Workflow", workflowId)
        body = contract("TransferWorkflowContract")
        if body["ownerId"] not in state.users:
            invalid({"contract.ownerId": [f"User '{body['ownerId']}' was not found."]})
        wf["ownerId"] = body["ownerId"]
        if body["transferSchedules"]:
            for s in state.schedules.values():
                if s["workflowId"] == wf["id"]:
                    s["ownerId"] = body["ownerId"]
        return empty()


# ----------------------------------------------------------------------------- users
REDUCED_USER = ("id", "firstName", "lastName", "email", "isActive", "role", "dateCreated")


def _user_view(user: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    full = public(user)
    if view == "Full":
        return full
    return {k: full.get(k) for k in REDUCED_USER}


def _user_routes(route: Route, state: State) -> None:
    @route("/users", ["GET"])
    def list_users() -> Response:
        view = view_arg()
        active = bool_arg("active")
        a = request.args
        out = [_user_view(u, view) for u in state.users.values()
               if (active is None or u["isActive"] == active)
               and (not a.get("email") or u["email"].lower() == a["email"].lower())
               and (not a.get("role") or u["role"] == a["role"])
               and (not a.get("firstName") or u["firstName"] == a["firstName"])
               and (not a.get("lastName") or u["lastName"] == a["lastName"])
               and date_in_range(u["dateCreated"], a.get("createdAfter"), a.get("createdBefore"))]
        return json_response(out)

    @route("/users", ["POST"])
    def create_user() -> Response:
        body = contract("CreateUserContract", "userContract")
        if any(u["email"].lower() == body["email"].lower() for u in state.users.values()):
            invalid({"userContract.email": [f"A user with email {body['email']} exists."]})
        return json_response(_user_view(state.add_user(body)))

    @route("/users/<userId>", ["GET"])
    def get_user(userId: str) -> Response:
        return json_response(_user_view(get_or_404(state.users, "User", userId)))

    @route("/users/<userId>", ["PUT"])
    def update_user(userId: str) -> Response:
        user = get_or_404(state.users, "User", userId)
        body = contract("UpdateUserContract", "updateContract")
        if body.get("id") not in (None, userId):
            invalid({"updateContract.id": ["The id does not match the user in the path."]})
        for key, value in body.items():
            if key in user and not key.startswith("_") and key not in ("id", "dateCreated"):
                user[key] = value
        return json_response(_user_view(user))

    @route("/users/<userId>", ["DELETE"])
    def delete_user(userId: str) -> Response:
        user = get_or_404(state.users, "User", userId)
        if _assets_of(state, user["id"], "All") != {"workflows": [], "schedules": [],
                                                    "collections": []}:
            invalid({"userId": ["The user owns assets; transfer them first."]},
                    "The user cannot be deleted.")
        del state.users[userId]
        return empty()

    @route("/users/<userId>/deactivate", ["POST"])
    def deactivate(userId: str) -> Response:
        user = get_or_404(state.users, "User", userId)
        user["isActive"] = False
        affected = [s["id"] for s in state.schedules.values() if s["ownerId"] == userId]
        for s in state.schedules.values():
            if s["ownerId"] == userId:
                s["enabled"] = False
        return json_response(affected)

    @route("/users/<userId>/passwordReset", ["POST"])
    def password_reset(userId: str) -> Response:
        get_or_404(state.users, "User", userId)
        return empty()

    @route("/users/<userId>/assets", ["GET"])
    def assets(userId: str) -> Response:
        get_or_404(state.users, "User", userId)
        kind = request.args.get("assetType", "All")
        if kind not in ("All", "Workflows", "Schedules", "Collections"):
            invalid({"assetType": [f"The value '{kind}' is not valid for assetType."]})
        return json_response(_assets_of(state, userId, kind))

    @route("/users/<userId>/assetTransfer", ["PUT"])
    def asset_transfer(userId: str) -> Response:
        get_or_404(state.users, "User", userId)
        body = contract("TransferUserAssetsContract")
        target = body["ownerId"]
        if target not in state.users:
            invalid({"contract.ownerId": [f"User '{target}' was not found."]})
        affected = []
        if body["transferWorkflows"]:
            for w in state.workflows.values():
                if w["ownerId"] == userId:
                    w["ownerId"] = target
        if body["transferSchedules"]:
            for s in state.schedules.values():
                if s["ownerId"] == userId:
                    s["ownerId"] = target
                    affected.append({"affectedScheduleId": s["id"]})
        if body["transferCollections"]:
            for c in state.collections.values():
                if c["ownerId"] == userId:
                    c["ownerId"] = target
        return json_response(affected)


def _assets_of(state: State, user_id: str, kind: str) -> dict[str, list[dict[str, str]]]:
    def pick(store: dict[str, dict[str, Any]], wanted: str) -> list[dict[str, str]]:
        if kind not in ("All", wanted):
            return []
        return [{"name": i["name"], "id": i["id"]} for i in store.values()
                if i["ownerId"] == user_id]
    return {"workflows": pick(state.workflows, "Workflows"),
            "schedules": pick(state.schedules, "Schedules"),
            "collections": pick(state.collections, "Collections")}


# ----------------------------------------------------------------------------- user groups
def _group_view(state: State, group: dict[str, Any]) -> dict[str, Any]:
    view = public(group)
    view["members"] = [{"activeDirectoryObject": None, "userId": uid,
                        "dateAddedToGroup": group["dateAdded"], "addedByUserId": None}
                       for uid in group["_memberIds"]]
    return view


def _group_routes(route: Route, state: State) -> None:
    @route("/usergroups", ["GET"])
    def list_groups() -> Response:
        return json_response([{"id": g_["id"], "name": g_["name"], "role": g_["role"]}
                              for g_ in state.usergroups.values()])

    @route("/usergroups", ["POST"])
    def create_group() -> Response:
        body = contract("CreateUserGroupContract")
        gid = new_id()
        state.usergroups[gid] = {"id": gid, "name": body["name"], "role": body["role"],
                                 "dateAdded": state.now_str(), "credentialIds": [],
                                 "connectionIds": [], "_memberIds": [], "_adGroups": []}
        return id_response(gid)

    @route("/usergroups/<userGroupId>", ["GET"])
    def get_group(userGroupId: str) -> Response:
        return json_response(_group_view(state, get_or_404(state.usergroups, "User group",
                                                           userGroupId)))

    @route("/usergroups/<userGroupId>", ["PUT"])
    def update_group(userGroupId: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        body = contract("UpdateUserGroupContract")
        group["name"], group["role"] = body["name"], body["role"]
        return empty()

    @route("/usergroups/<userGroupId>", ["DELETE"])
    def delete_group(userGroupId: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        if group["_memberIds"] and not bool_arg("forceDelete", False):
            invalid({"forceDelete": ["The group has members; pass forceDelete=true."]},
                    "The user group cannot be deleted.")
        del state.usergroups[userGroupId]
        return empty()

    @route("/usergroups/<userGroupId>/users", ["POST"])
    def add_members(userGroupId: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        ids = json_body("userIds")
        if not isinstance(ids, list) or not all(isinstance(i, str) for i in ids):
            invalid({"userIds": ["A JSON array of user ids is expected."]})
        failed: dict[str, str] = {}
        added = 0
        for uid in ids:
            if uid not in state.users:
                failed[uid] = "User not found."
            elif uid in group["_memberIds"]:
                failed[uid] = "User is already a member of the group."
            else:
                group["_memberIds"].append(uid)
                added += 1
        return json_response({"successfullyAddedUserCount": added,
                              "totalUsersSubmittedCount": len(ids), "failedUserReasons": failed})

    @route("/usergroups/<userGroupId>/users/<userId>", ["DELETE"])
    def remove_member(userGroupId: str, userId: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        if userId not in group["_memberIds"]:
            not_found("Group member", userId)
        group["_memberIds"].remove(userId)
        return json_response(_group_view(state, group))

    @route("/usergroups/<userGroupId>/activedirectorygroups", ["POST"])
    def add_ad(userGroupId: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        sid = json_body("sid")
        if not isinstance(sid, str) or not sid:
            invalid({"sid": ["The sid field is required."]})
        group["_adGroups"].append(sid)
        return empty()

    @route("/usergroups/<userGroupId>/activedirectorygroups/<adGroupSid>", ["DELETE"])
    def remove_ad(userGroupId: str, adGroupSid: str) -> Response:
        group = get_or_404(state.usergroups, "User group", userGroupId)
        if adGroupSid not in group["_adGroups"]:
            not_found("Active Directory group", adGroupSid)
        group["_adGroups"].remove(adGroupSid)
        return empty()


# ----------------------------------------------------------------------------- collections
def _collection_view(col: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    if view != "Full":
        return {k: col[k] for k in ("id", "name", "ownerId", "dateAdded")}
    out = public(col)
    out["users"] = [{"userId": u["userId"], "activeDirectoryObject": None} for u in col["users"]]
    return out


def _collection_routes(route: Route, state: State) -> None:
    base = "/collections/<collectionId>"

    def col(cid: str) -> dict[str, Any]:
        return get_or_404(state.collections, "Collection", cid)

    @route("/collections", ["GET"])
    def list_cols() -> Response:
        view = view_arg()
        return json_response([_collection_view(c, view) for c in state.collections.values()])

    @route("/collections", ["POST"])
    def create_col() -> Response:
        body = contract("CreateCollectionContract")
        cid = new_id()
        state.collections[cid] = {"id": cid, "name": body["name"], "ownerId": g.user["id"],
                                  "dateAdded": state.now_str(), "workflowIds": [], "users": [],
                                  "subscriptionIds": [], "userGroupIds": [], "scheduleIds": []}
        return id_response(cid)

    @route(base, ["GET"])
    def get_col(collectionId: str) -> Response:
        return json_response(_collection_view(col(collectionId)))

    @route(base, ["PUT"])
    def update_col(collectionId: str) -> Response:
        c = col(collectionId)
        body = contract("UpdateCollectionContract", "updateCollectionContract")
        if body["ownerId"] not in state.users:
            invalid({"updateCollectionContract.ownerId": ["The owner was not found."]})
        c["name"], c["ownerId"] = body["name"], body["ownerId"]
        return json_response(_collection_view(c))

    @route(base, ["DELETE"])
    def delete_col(collectionId: str) -> Response:
        c = col(collectionId)
        busy = c["workflowIds"] or c["users"] or c["userGroupIds"] or c["scheduleIds"]
        if busy and not bool_arg("forceDelete", False):
            invalid({"forceDelete": ["The collection is not empty; pass forceDelete=true."]},
                    "The collection cannot be deleted.")
        del state.collections[collectionId]
        return empty()

    def adder(sub: str, model: str, field_name: str, store: dict[str, dict[str, Any]],
              kind: str, list_name: str) -> None:
        @route(f"{base}/{sub}", ["POST"], endpoint=f"col:add:{sub}")
        def add(collectionId: str) -> Response:
            c = col(collectionId)
            body = contract(model)
            target = body[field_name]
            if target not in store:
                invalid({f"contract.{field_name}": [f"{kind} '{target}' was not found."]})
            if list_name == "users":
                if not any(u["userId"] == target for u in c["users"]):
                    c["users"].append({
                        "userId": target, "expirationDate": body.get("expirationDate"),
                        "collectionsPermissions": body["collectionsPermissions"]})
            elif target not in c[list_name]:
                c[list_name].append(target)
                if list_name == "userGroupIds":
                    c.setdefault("_groupPerms", {})[target] = body["collectionsPermissions"]
            return json_response(_collection_view(c))

        param = {"users": "userId", "userGroupIds": "userGroupId", "workflowIds": "workflowId",
                 "scheduleIds": "scheduleId"}[list_name]

        @route(f"{base}/{sub}/<{param}>", ["DELETE"], endpoint=f"col:del:{sub}")
        def remove(collectionId: str, **kw: str) -> Response:
            c = col(collectionId)
            target = kw[param]
            if list_name == "users":
                if not any(u["userId"] == target for u in c["users"]):
                    not_found("Collection user", target)
                c["users"] = [u for u in c["users"] if u["userId"] != target]
            else:
                if target not in c[list_name]:
                    not_found(kind, target)
                c[list_name].remove(target)
            return json_response(_collection_view(c))

    adder("users", "AddUserContract", "userId", state.users, "User", "users")
    adder("userGroups", "AddUserGroupContract", "userGroupId", state.usergroups, "User group",
          "userGroupIds")
    adder("workflows", "AddWorkflowContract", "workflowId", state.workflows, "Workflow",
          "workflowIds")
    adder("schedules", "AddScheduleContract", "scheduleId", state.schedules, "Schedule",
          "scheduleIds")

    @route(f"{base}/users/<userId>/permissions", ["PUT"])
    def user_perms(collectionId: str, userId: str) -> Response:
        c = col(collectionId)
        body = contract("UpdatePermissionsContract", "updatePermissionsContract")
        entry = next((u for u in c["users"] if u["userId"] == userId), None)
        if entry is None:
            not_found("Collection user", userId)
        entry["collectionsPermissions"] = body["collectionsPermissions"]
        entry["expirationDate"] = body.get("expirationDate")
        return json_response(_collection_view(c))

    @route(f"{base}/userGroups/<userGroupId>/permissions", ["PUT"])
    def group_perms(collectionId: str, userGroupId: str) -> Response:
        c = col(collectionId)
        body = contract("UpdatePermissionsContract", "updatePermissionsContract")
        if userGroupId not in c["userGroupIds"]:
            not_found("Collection user group", userGroupId)
        c.setdefault("_groupPerms", {})[userGroupId] = body["collectionsPermissions"]
        return json_response(_collection_view(c))


# ----------------------------------------------------------------------------- schedules
REDUCED_SCHEDULE = ("id", "name", "workflowId", "ownerId", "runDateTime", "timeZone")


def _schedule_view(s: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    if view != "Full":
        return {k: s.get(k) for k in REDUCED_SCHEDULE}
    return public(s)


def _schedule_routes(route: Route, state: State) -> None:
    def apply(s: dict[str, Any], body: dict[str, Any]) -> None:
        for key in ("workflowId", "ownerId", "name", "comment", "priority", "workerTag",
                    "enabled", "credentialId", "timeZone", "questions"):
            if key in body and body[key] is not None:
                s[key] = body[key]
        if body.get("iteration"):
            it = body["iteration"]
            s["_iteration"] = it
            s["iteration"] = {"startTime": it.get("startTime"), "endTime": it.get("endTime")}
            s["frequency"] = it.get("iterationType", s["frequency"])
            s["runDateTime"] = it.get("startTime") or s["runDateTime"]
        s["lastModifiedId"] = g.user["id"]
        s["lastModifiedDate"] = state.now_str()

    def check_refs(body: dict[str, Any]) -> None:
        errors: dict[str, list[str]] = {}
        if body.get("workflowId") and body["workflowId"] not in state.workflows:
            errors["contract.workflowId"] = [f"Workflow '{body['workflowId']}' was not found."]
        if body.get("ownerId") and body["ownerId"] not in state.users:
            errors["contract.ownerId"] = [f"User '{body['ownerId']}' was not found."]
        if body.get("credentialId") and body["credentialId"] not in state.credentials:
            errors["contract.credentialId"] = [f"Credential '{body['credentialId']}' was not "
                                               "found."]
        if errors:
            invalid(errors)

    @route("/schedules", ["GET"])
    def list_schedules() -> Response:
        view = view_arg()
        a = request.args
        out = [_schedule_view(s, view) for s in state.schedules.values()
               if (not a.get("ownerId") or s["ownerId"] == a["ownerId"])
               and (not a.get("workflowId") or s["workflowId"] == a["workflowId"])
               and date_in_range(s["runDateTime"], a.get("runsAfter"), a.get("runsBefore"))]
        return json_response(out)

    @route("/schedules", ["POST"])
    def create_schedule() -> Response:
        body = contract("CreateScheduleContract")
        check_refs(body)
        s = state.add_schedule({**body, "ownerId": g.user["id"]})
        return id_response(s["id"])

    @route("/schedules/<scheduleId>", ["GET"])
    def get_schedule(scheduleId: str) -> Response:
        return json_response(_schedule_view(get_or_404(state.schedules, "Schedule", scheduleId)))

    @route("/schedules/<scheduleId>", ["PUT", "PATCH"])
    def update_schedule(scheduleId: str) -> Response:
        # PUT and PATCH differ only in which fields their contracts require.
        s = get_or_404(state.schedules, "Schedule", scheduleId)
        name = "PatchScheduleContract" if request.method == "PATCH" else "UpdateScheduleContract"
        body = contract(name)
        check_refs(body)
        apply(s, body)
        return json_response(_schedule_view(s))

    @route("/schedules/<scheduleId>", ["DELETE"])
    def delete_schedule(scheduleId: str) -> Response:
        get_or_404(state.schedules, "Schedule", scheduleId)
        del state.schedules[scheduleId]
        for c in state.collections.values():
            if scheduleId in c["scheduleIds"]:
                c["scheduleIds"].remove(scheduleId)
        return empty()


# ----------------------------------------------------------------------------- credentials
def _credential_routes(route: Route, state: State) -> None:
    def view_of(c: dict[str, Any], view: str = "Full") -> dict[str, Any]:
        return public(c) if view == "Full" else {"id": c["id"], "userName": c["userName"]}

    @route("/credentials", ["GET"])
    def list_creds() -> Response:
        view = view_arg()
        uid, gid = request.args.get("userId"), request.args.get("userGroupId")
        return json_response([view_of(c, view) for c in state.credentials.values()
                              if (not uid or uid in c["userIds"])
                              and (not gid or gid in c["userGroupIds"])])

    @route("/credentials/<credentialId>", ["GET"])
    def get_cred(credentialId: str) -> Response:
        return json_response(view_of(get_or_404(state.credentials, "Credential", credentialId)))

    @route("/credentials/<credentialId>", ["DELETE"])
    def delete_cred(credentialId: str) -> Response:
        c = get_or_404(state.credentials, "Credential", credentialId)
        if (c["userIds"] or c["userGroupIds"]) and not bool_arg("force", False):
            invalid({"force": ["The credential is shared; pass force=true."]},
                    "The credential cannot be deleted.")
        del state.credentials[credentialId]
        return json_response([])

    for sub, model, fname, store, param in (
            ("users", "AddCredentialsUserContract", "userId", state.users, "userId"),
            ("userGroups", "AddCredentialsUserGroupContract", "userGroupId", state.usergroups,
             "userGroupId")):
        _share_routes(route, "/credentials/<credentialId>", "credentialId", state.credentials,
                      "Credential", sub, model, fname, store, param, view_of)


def _share_routes(route: Route, base: str, base_param: str, owner_store: dict[str, Any],
                  owner_kind: str, sub: str, model: str, fname: str,
                  store: dict[str, Any], param: str,
                  view_of: Callable[[dict[str, Any]], dict[str, Any]]) -> None:
    list_name = "userIds" if sub == "users" else "userGroupIds"

    @route(f"{base}/{sub}", ["POST"], endpoint=f"share:add:{base}:{sub}")
    def add(**kw: str) -> Response:
        item = get_or_404(owner_store, owner_kind, kw[base_param])
        body = contract(model)
        if body[fname] not in store:
            invalid({f"contract.{fname}": [f"'{body[fname]}' was not found."]})
        if body[fname] not in item[list_name]:
            item[list_name].append(body[fname])
        return json_response(view_of(item))

    @route(f"{base}/{sub}/<{param}>", ["DELETE"], endpoint=f"share:del:{base}:{sub}")
    def remove(**kw: str) -> Response:
        item = get_or_404(owner_store, owner_kind, kw[base_param])
        if kw[param] not in item[list_name]:
            not_found(sub[:-1], kw[param])
        item[list_name].remove(kw[param])
        return json_response(view_of(item))


# ----------------------------------------------------------------------------- connections
def _connection_routes(route: Route, state: State) -> None:
    def view_of(c: dict[str, Any], view: str = "Full") -> dict[str, Any]:
        if view != "Full":
            return {k: c[k] for k in ("id", "name", "connectionString", "connectionType")}
        return {**public(c), "dcmConnectionId": None, "dcmConnectionTitle": None}

    @route("/serverDataConnections", ["GET"])
    def list_conns() -> Response:
        view = view_arg()
        return json_response([view_of(c, view) for c in state.connections.values()])

    @route("/serverDataConnections/<dataConnectionId>", ["GET"])
    def get_conn(dataConnectionId: str) -> Response:
        return json_response(view_of(get_or_404(state.connections, "Server data connection",
                                                dataConnectionId)))

    @route("/serverDataConnections/<dataConnectionId>", ["PUT"])
    def put_conn(dataConnectionId: str) -> Response:
        c = get_or_404(state.connections, "Server data connection", dataConnectionId)
        body = contract("UpdateServerConnectionContract", "updateServerConnectionContract")
        c["name"] = body["name"]
        return json_response(view_of(c))

    @route("/serverDataConnections/<dataConnectionId>", ["DELETE"])
    def delete_conn(dataConnectionId: str) -> Response:
        get_or_404(state.connections, "Server data connection", dataConnectionId)
        del state.connections[dataConnectionId]
        return empty()

    for sub, model, fname, store, param in (
            ("users", "AddServerConnectionUserContract", "userId", state.users, "userId"),
            ("userGroups", "AddServerConnectionUserGroupContract", "userGroupId",
             state.usergroups, "userGroupId")):
        _share_routes(route, "/serverDataConnections/<dataConnectionId>", "dataConnectionId",
                      state.connections, "Server data connection", sub, model, fname, store,
                      param, view_of)


# ----------------------------------------------------------------------------- subscriptions
def _subscription_routes(route: Route, state: State) -> None:
    def members(sid: str) -> list[dict[str, Any]]:
        return [u for u in state.users.values() if u["_subscriptionId"] == sid]

    def flows(sid: str) -> list[dict[str, Any]]:
        return [w for w in state.workflows.values() if w["_subscriptionId"] == sid]

    @route("/subscriptions", ["GET"])
    def list_subs() -> Response:
        a = request.args
        out = []
        for s in state.subscriptions.values():
            users, wfs = len(members(s["id"])), len(flows(s["id"]))
            checks = [(not a.get("name") or a["name"].lower() in s["name"].lower()),
                      (a.get("userCountGreaterThanEquals") is None
                       or users >= int(a["userCountGreaterThanEquals"])),
                      (a.get("userCountLessThanEquals") is None
                       or users <= int(a["userCountLessThanEquals"])),
                      (a.get("workflowCountGreaterThanEquals") is None
                       or wfs >= int(a["workflowCountGreaterThanEquals"])),
                      (a.get("workflowCountLessThanEquals") is None
                       or wfs <= int(a["workflowCountLessThanEquals"]))]
            if all(checks):
                out.append({"userCount": users, "workflowCount": wfs, **s})
        return json_response(out)

    @route("/subscriptions", ["POST"])
    def create_sub() -> Response:
        body = contract("CreateSubscriptionContract")
        sid = new_id()
        state.subscriptions[sid] = {"id": sid, "name": body["name"],
                                    "canShareSchedules": bool(body.get("canShareSchedule")),
                                    "credentialId": body.get("credentialId")}
        return json_response(dict(state.subscriptions[sid]))

    @route("/subscriptions/<subscriptionId>", ["GET"])
    def get_sub(subscriptionId: str) -> Response:
        s = get_or_404(state.subscriptions, "Subscription", subscriptionId)
        return json_response({
            "users": [{"id": u["id"], "name": f"{u['firstName']} {u['lastName']}"}
                      for u in members(s["id"])],
            "workflows": [{"id": w["id"], "name": w["name"]} for w in flows(s["id"])], **s})

    @route("/subscriptions/<subscriptionId>", ["PUT"])
    def put_sub(subscriptionId: str) -> Response:
        s = get_or_404(state.subscriptions, "Subscription", subscriptionId)
        body = contract("UpdateSubscriptionContract", "subscription")
        s.update(name=body["name"], credentialId=body["credentialId"],
                 canShareSchedules=body["canShareSchedules"])
        return json_response(dict(s))

    @route("/subscriptions", ["DELETE"])
    def delete_sub() -> Response:
        sid = request.args.get("subscriptionId")
        if not sid:
            invalid({"subscriptionId": ["The subscriptionId field is required."]})
        get_or_404(state.subscriptions, "Subscription", sid)
        if members(sid) or flows(sid):
            invalid({"subscriptionId": ["The subscription still has users or workflows."]},
                    "The subscription cannot be deleted.")
        del state.subscriptions[sid]
        return empty()

    @route("/subscriptions/<subscriptionId>/users", ["PUT"])
    def move_users(subscriptionId: str) -> Response:
        get_or_404(state.subscriptions, "Subscription", subscriptionId)
        body = contract("ChangeUsersSubscriptionContract")
        unknown = [u for u in body["userIds"] if u not in state.users]
        if unknown:
            invalid({"contract.userIds": [f"User '{u}' was not found." for u in unknown]})
        for uid in body["userIds"]:
            state.users[uid]["_subscriptionId"] = subscriptionId
        return empty()


# ----------------------------------------------------------------------------- generic (DCM)
def _generic_routes(app: Flask, state: State) -> None:
    """Serve every catalogued v3 operation not implemented above from an in-memory store."""
    ops = json.loads((pkg_resources.files("ayx_server_emulator") / "data" /
                      "v3-endpoints.json").read_text(encoding="utf-8"))["operations"]
    def shape(rule: str) -> str:
        return re.sub(r"<[^>]+>", "<>", rule)

    taken = {(m, shape(r.rule)) for r in app.url_map.iter_rules() for m in (r.methods or ())
             if not str(r.endpoint).startswith("generic:")}
    for op in ops:
        rule = WEBAPI + op["path"].replace("{", "<").replace("}", ">")
        if (op["method"], shape(rule)) in taken:
            continue
        taken.add((op["method"], shape(rule)))
        app.add_url_rule(rule, endpoint=f"generic:{op['op']}", view_func=_generic_view(op, state),
                         methods=[op["method"]])


def _generic_view(op: dict[str, Any], state: State) -> Callable[..., Response]:
    path: str = op["path"]
    parts = path.split("/")
    first_param = next((i for i, p in enumerate(parts) if p.startswith("{")), len(parts))
    collection = "/".join(parts[:first_param])
    tail = "/".join(parts[first_param + 1:])
    role = "Curator" if "/admin/" in path or not path.startswith("/v3/dcm/") else "Artisan"

    def view(**kw: str) -> Response:
        require_role(role)
        store = state.generic.setdefault(collection, {})
        method = op["method"]
        with state.lock:
            if first_param == len(parts):  # a collection path
                if method == "GET":
                    if path.endswith("/lookup"):
                        cid = request.args.get("connectionId")
                        if not cid:
                            invalid({"connectionId": ["The connectionId field is required."]})
                        parent = state.generic.setdefault(collection.rsplit("/", 1)[0], {})
                        return json_response(public(get_or_404(parent, "Connection", cid)))
                    return json_response([public(i) for i in store.values()])
                if method == "POST":
                    body = json_object(op["body"][0] if op["body"] else "contract")
                    item = {**body, "id": new_id()}
                    store[item["id"]] = item
                    return (id_response(item["id"]) if op["response"] == "str"
                            else json_response(public(item)))
                fail(405, f"The requested resource does not support http method '{method}'.")
            ident = next(iter(kw.values()))
            item = get_or_404(store, "Resource", ident)
            if tail:
                if method in ("PUT", "POST"):
                    item.setdefault("_sub", {})[tail] = json_body(
                        op["body"][0] if op["body"] else "contract")
                elif method == "DELETE":
                    item.setdefault("_sub", {}).pop(tail, None)
                return empty()
            if method == "GET":
                return json_response(public(item))
            if method == "DELETE":
                del store[ident]
                return empty()
            body = json_object(op["body"][0] if op["body"] else "contract")
            item.update({k: v for k, v in body.items() if k != "id"})
            return json_response(public(item))

    view.__name__ = op["op"]
    return view


__all__ = ["ROLES", "register"]
