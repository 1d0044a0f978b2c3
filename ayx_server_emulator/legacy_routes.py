"""User v2 and Admin v1/v2 endpoints, served on /gallery/api/ (OAuth1) and /webapi/ (OAuth2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request

from ._util import new_id, public
from .app import (
    GALLERY,
    WEBAPI,
    _package_response,
    _start_job,
    job_v1,
    require_role,
    v1_workflow,
    visible_workflow,
)
from .responses import bool_arg, int_arg, invalid, json_body, json_response, unsupported_media
from .state import PRIORITIES, State, date_in_range

if TYPE_CHECKING:
    from .server import EmulatorServer


def _paged(items: list[Any]) -> list[Any]:
    """Admin paging: zero-based page, pageSize (0 = everything)."""
    page = int_arg("page", 0) or 0
    size = int_arg("pageSize", 0) or 0
    if size == 0:
        return items
    return items[page * size:(page + 1) * size]


def _offset(items: list[Any]) -> list[Any]:
    start = int_arg("offset", 0) or 0
    limit = int_arg("limit")
    return items[start:] if limit is None else items[start:start + limit]


def register(app: Flask, emu: EmulatorServer) -> None:
    """Add user/v2 and admin/v1, admin/v2 routes under both families."""
    state = emu.state

    def both(rule: str, methods: list[str], role: str) -> Callable[
            [Callable[..., Response]], Callable[..., Response]]:
        def deco(fn: Callable[..., Response]) -> Callable[..., Response]:
            def view(**kw: Any) -> Response:
                require_role(role)
                with state.lock:
                    return fn(**kw)
            for prefix in (WEBAPI, GALLERY):
                app.add_url_rule(prefix + rule, endpoint=f"{prefix}:{methods[0]}:{rule}",
                                 view_func=view, methods=methods)
            return fn
        return deco

    # ---- user v2
    @both("/user/v2/credentials", ["GET"], "Artisan")
    def my_credentials() -> Response:
        uid = g.user["id"]
        groups = state.group_ids_of(uid)
        return json_response([{"id": c["id"], "userName": c["userName"]}
                              for c in state.credentials.values()
                              if uid in c["userIds"] or groups & set(c["userGroupIds"])])

    @both("/user/v2/inputfiles", ["POST"], "Artisan")
    def input_file() -> Response:
        if request.mimetype != "multipart/form-data":
            unsupported_media()
        upload = request.files.get("inputFile")
        if upload is None:
            invalid({"inputFile": ["The inputFile part is required."]})
        fid = new_id()
        state.input_files[fid] = upload.read()
        return json_response(fid)

    @both("/user/v2/workflows/<appId>/jobs", ["POST"], "Artisan")
    def user_job(appId: str) -> Response:
        body = json_body("job", required=False) or {}
        if not isinstance(body, dict):
            invalid({"job": ["A JSON object is expected."]})
        priority = body.get("priority") or "Default"
        if priority not in PRIORITIES:
            invalid({"job.priority": [f"priority must be one of {', '.join(PRIORITIES)}."]})
        wf = visible_workflow(appId)
        return json_response(job_v1(_start_job(wf, body, priority)))

    # ---- admin v1 reads
    @both("/admin/v1/workflows", ["GET"], "Curator")
    def admin_workflows() -> Response:
        search = (request.args.get("search") or "").lower()
        items = [w for w in state.workflows.values() if search in w["name"].lower()]
        items.sort(key=lambda w: w["dateCreated"],
                   reverse=(request.args.get("direction") or "asc").lower() == "desc")
        return json_response([v1_workflow(w) for w in _offset(items)])

    @both("/admin/v1/workflows/all", ["GET"], "Curator")
    def admin_workflows_all() -> Response:
        a = request.args
        items = [w for w in state.workflows.values()
                 if date_in_range(w["dateCreated"], a.get("startDate"), a.get("endDate"))]
        return json_response([v1_workflow(w) for w in _paged(items)])

    @both("/admin/v2/workflows/all", ["GET"], "Curator")
    def admin_workflows_all_v2() -> Response:
        a = request.args
        items = [w for w in state.workflows.values()
                 if date_in_range(w["dateCreated"], a.get("startDate"), a.get("endDate"))
                 and (not a.get("name") or a["name"].lower() in w["name"].lower())
                 and (not a.get("subscriptionId") or w["_subscriptionId"] == a["subscriptionId"])]
        return json_response([v1_workflow(w) for w in _paged(items)])

    @both("/admin/v1/workflows/jobs", ["GET"], "Curator")
    def admin_last_jobs() -> Response:
        ids = [i for i in (request.args.get("appIds") or "").split(",") if i]
        include = bool(bool_arg("includeMessages", True))
        out = []
        for wid in ids or list(state.workflows):
            jobs = sorted((j for j in state.jobs.values() if j["appId"] == wid),
                          key=lambda j: j["createDateTime"])
            if jobs:
                state.refresh_job(jobs[-1], read=False)
                out.append(job_v1(jobs[-1], include_messages=include))
        return json_response(out)

    def users_v1(u: dict[str, Any]) -> dict[str, Any]:
        return {"id": u["id"], "role": u["role"], "email": u["email"],
                "firstName": u["firstName"], "lastName": u["lastName"],
                "dateAdded": u["dateCreated"], "active": u["isActive"],
                "apiEnabled": u["isApiEnabled"], "subscriptionId": u["_subscriptionId"]}

    @both("/admin/v1/users", ["GET"], "Curator")
    def admin_users() -> Response:
        return json_response([users_v1(u) for u in _paged(list(state.users.values()))])

    @both("/admin/v2/users", ["GET"], "Curator")
    def admin_users_v2() -> Response:
        sid = request.args.get("subscriptionId")
        items = [u for u in state.users.values() if not sid or u["_subscriptionId"] == sid]
        return json_response([users_v1(u) for u in _paged(items)])

    for rule, getter in (
            ("/admin/v1/collections", lambda: [public(c) for c in state.collections.values()]),
            ("/admin/v1/schedules", lambda: [public(s) for s in state.schedules.values()]),
            ("/admin/v1/subscriptions", lambda: [dict(s) for s in state.subscriptions.values()]),
            ("/admin/v2/subscriptions", lambda: [dict(s) for s in state.subscriptions.values()]),
            ("/admin/v1/auditlog", lambda: []),
            ("/admin/v2/schedule/forecast", lambda: [])):
        _paged_list(both, rule, getter, _paged)
    for rule, getter in (
            ("/admin/v1/serverdataconnections",
             lambda: [{k: c[k] for k in ("id", "name", "connectionString")}
                      for c in state.connections.values()]),
            ("/admin/v1/systemdataconnections", lambda: []),
            ("/admin/v1/insights", lambda: []), ("/admin/v2/insights", lambda: [])):
        _paged_list(both, rule, getter, _offset)

    # ---- admin v1 package and publish
    @both("/admin/v1/<appId>/package", ["GET"], "Curator")
    def admin_package(appId: str) -> Response:
        wf = visible_workflow(appId)
        return _package_response(wf, wf["_packages"][wf["publishedVersionId"]])

    @both("/admin/v1/workflows", ["POST"], "Curator")
    def admin_publish() -> Response:
        return _admin_publish(state)


Deco = Callable[[Callable[..., Response]], Callable[..., Response]]


def _paged_list(both: Callable[[str, list[str], str], Deco], rule: str,
                getter: Callable[[], list[Any]], pager: Callable[[list[Any]], list[Any]]) -> None:
    @both(rule, ["GET"], "Curator")
    def view() -> Response:
        return json_response(pager(getter()))


def _admin_publish(state: State) -> Response:
    """Legacy admin publish: multipart; owner is an email; sourceId replaces that app."""
    if request.mimetype != "multipart/form-data":
        unsupported_media()
    form = request.form
    upload = request.files.get("file")
    errors: dict[str, list[str]] = {}
    for name in ("name", "owner", "validate", "isPublic", "sourceId", "workerTag", "canDownload"):
        if name not in form:
            errors[name] = [f"The {name} field is required."]
    if upload is None:
        errors["file"] = ["The file field is required."]
    for name in ("validate", "isPublic", "canDownload"):
        if name in form and form[name].lower() not in ("true", "false"):
            errors[name] = [f"The value '{form[name]}' is not valid for {name}."]
    owner = next((u for u in state.users.values()
                  if u["email"].lower() == form.get("owner", "").lower()), None)
    if "owner" in form and owner is None:
        errors["owner"] = [f"No user with email '{form['owner']}'."]
    source = form.get("sourceId") or ""
    if source and source not in state.workflows:
        errors["sourceId"] = [f"Workflow '{source}' was not found."]
    if errors:
        invalid(errors)
    assert upload is not None and owner is not None
    data = upload.read()
    if source:
        wf = state.workflows[source]
        state.add_version(wf, {"comments": form.get("comments", ""), "makePublished": True,
                               "fileName": upload.filename, "uploadSource": "Api"},
                          package=data)
        return json_response(wf["id"])
    wf = state.add_workflow({"name": form["name"], "ownerId": owner["id"],
                             "workerTag": form.get("workerTag", ""),
                             "isPublic": form["isPublic"].lower() == "true",
                             "othersMayDownload": form["canDownload"].lower() == "true",
                             "comments": form.get("comments", ""),
                             "fileName": upload.filename})
    wf["_packages"][wf["publishedVersionId"]] = data
    return json_response(wf["id"])
