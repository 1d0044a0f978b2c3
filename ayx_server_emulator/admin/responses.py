"""User v2 and Admin v1/v2 (Curator), on /gallery/api/ (OAuth1) and /webapi/ (OAuth2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, g, request

from .._util import date_in_range, public
from ..access import current_state, visible_workflow
from ..http import (
    bool_arg,
    int_arg,
    invalid,
    json_body,
    json_response,
    multipart,
    page,
    unsupported_media,
)
from ..jobs.models import PRIORITIES
from ..jobs.responses import start_job
from ..legacy.responses import job_v1, v1_workflow
from ..routing import BOTH, Routes
from ..workflows.responses import package_response

routes = Routes(BOTH)


def paged(items: list[Any]) -> list[Any]:
    """Admin paging: zero-based page, pageSize (0 = everything)."""
    number = int_arg("page", 0) or 0
    size = int_arg("pageSize", 0) or 0
    return items if size == 0 else items[number * size:(number + 1) * size]


def offset_paged(items: list[Any]) -> list[Any]:
    """offset/limit paging."""
    return page(items, int_arg("offset", 0), int_arg("limit"))


# ----------------------------------------------------------------------------- user v2
@routes.route("/user/v2/credentials", "GET", role="Artisan")
def my_credentials() -> Response:
    backend = current_state().credentials_backend
    return json_response([{"id": c["id"], "userName": c["userName"]}
                          for c in backend.credentials.values()
                          if backend.shared_with(c, g.user)])


@routes.route("/user/v2/inputfiles", "POST", role="Artisan")
def input_file() -> Response:
    if request.mimetype != "multipart/form-data":
        unsupported_media()
    _form, upload = multipart("inputFile")
    if upload is None:
        invalid({"inputFile": ["The inputFile part is required."]})
    return json_response(current_state().jobs_backend.add_input_file(upload.read()))


@routes.route("/user/v2/workflows/<appId>/jobs", "POST", role="Artisan")
def user_job(appId: str) -> Response:
    body = json_body("job", required=False) or {}
    if not isinstance(body, dict):
        invalid({"job": ["A JSON object is expected."]})
    priority = body.get("priority") or "Default"
    if priority not in PRIORITIES:
        invalid({"job.priority": [f"priority must be one of {', '.join(PRIORITIES)}."]})
    return json_response(job_v1(start_job(visible_workflow(appId), body, priority)))


# ----------------------------------------------------------------------------- admin reads
@routes.route("/admin/v1/workflows", "GET")
def admin_workflows() -> Response:
    search = (request.args.get("search") or "").lower()
    items = [w for w in current_state().workflows.values() if search in w["name"].lower()]
    items.sort(key=lambda w: w["dateCreated"],
               reverse=(request.args.get("direction") or "asc").lower() == "desc")
    return json_response([v1_workflow(w) for w in offset_paged(items)])


@routes.route("/admin/v1/workflows/all", "GET")
def admin_workflows_all() -> Response:
    a = request.args
    items = [w for w in current_state().workflows.values()
             if date_in_range(w["dateCreated"], a.get("startDate"), a.get("endDate"))]
    return json_response([v1_workflow(w) for w in paged(items)])


@routes.route("/admin/v2/workflows/all", "GET")
def admin_workflows_all_v2() -> Response:
    a = request.args
    items = [w for w in current_state().workflows.values()
             if date_in_range(w["dateCreated"], a.get("startDate"), a.get("endDate"))
             and (not a.get("name") or a["name"].lower() in w["name"].lower())
             and (not a.get("subscriptionId") or w["_subscriptionId"] == a["subscriptionId"])]
    return json_response([v1_workflow(w) for w in paged(items)])


@routes.route("/admin/v1/workflows/jobs", "GET")
def admin_last_jobs() -> Response:
    state = current_state()
    ids = [i for i in (request.args.get("appIds") or "").split(",") if i]
    include = bool(bool_arg("includeMessages", True))
    state.jobs_backend.refresh()
    out = []
    for wid in ids or list(state.workflows):
        jobs = state.jobs_backend.for_workflow(wid)
        if jobs:
            out.append(job_v1(jobs[-1], include_messages=include))
    return json_response(out)


def _user_v1(u: dict[str, Any]) -> dict[str, Any]:
    return {"id": u["id"], "role": u["role"], "email": u["email"],
            "firstName": u["firstName"], "lastName": u["lastName"],
            "dateAdded": u["_dateCreated"], "active": u["isActive"],
            "apiEnabled": u["isApiEnabled"], "subscriptionId": u["_subscriptionId"]}


@routes.route("/admin/v1/users", "GET")
def admin_users() -> Response:
    return json_response([_user_v1(u) for u in paged(list(current_state().users.values()))])


@routes.route("/admin/v2/users", "GET")
def admin_users_v2() -> Response:
    sid = request.args.get("subscriptionId")
    items = [u for u in current_state().users.values()
             if not sid or u["_subscriptionId"] == sid]
    return json_response([_user_v1(u) for u in paged(items)])


def _list(rule: str, getter: Callable[[], list[Any]],
          pager: Callable[[list[Any]], list[Any]]) -> None:
    def view() -> Response:
        return json_response(pager(getter()))
    routes.route(rule, "GET")(view)


for _rule, _getter in (
        ("/admin/v1/collections", lambda: [public(c) for c in
                                           current_state().collections.values()]),
        ("/admin/v1/schedules", lambda: [public(s) for s in current_state().schedules.values()]),
        ("/admin/v1/subscriptions", lambda: [dict(s) for s in
                                             current_state().subscriptions.values()]),
        ("/admin/v2/subscriptions", lambda: [dict(s) for s in
                                             current_state().subscriptions.values()]),
        ("/admin/v1/auditlog", lambda: []), ("/admin/v2/schedule/forecast", lambda: [])):
    _list(_rule, _getter, paged)
for _rule, _getter in (
        ("/admin/v1/serverdataconnections",
         lambda: [{k: c[k] for k in ("id", "name", "connectionString")}
                  for c in current_state().connections.values()]),
        ("/admin/v1/systemdataconnections", lambda: []),
        ("/admin/v1/insights", lambda: []), ("/admin/v2/insights", lambda: [])):
    _list(_rule, _getter, offset_paged)


# ----------------------------------------------------------------------------- package, publish
@routes.route("/admin/v1/<appId>/package", "GET")
def admin_package(appId: str) -> Response:
    wf = visible_workflow(appId)
    return package_response(wf, wf["_packages"][wf["publishedVersionId"]])


@routes.route("/admin/v1/workflows", "POST")
def admin_publish() -> Response:
    """Legacy admin publish: multipart; owner is an email; sourceId replaces that app."""
    state = current_state()
    form, upload = multipart()
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
    backend = state.workflows_backend
    if source:
        wf = state.workflows[source]
        backend.add_version(wf, {"comments": form.get("comments", ""), "makePublished": True,
                                 "fileName": upload.filename, "uploadSource": "Direct"},
                            package=data)
        return json_response(wf["id"])
    wf = backend.add_workflow({"name": form["name"], "ownerId": owner["id"],
                               "workerTag": form.get("workerTag", ""),
                               "isPublic": form["isPublic"].lower() == "true",
                               "othersMayDownload": form["canDownload"].lower() == "true",
                               "comments": form.get("comments", ""),
                               "fileName": upload.filename},
                              package=data, upload_source="Direct")
    return json_response(wf["id"])
