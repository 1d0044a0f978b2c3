"""The v1 subscription API, on /gallery/api/ (OAuth1) and /webapi/ (OAuth2): workflows,
questions, jobs, outputs and packages, in the v1 shapes."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from ..access import current_emulator, current_state, visible_job, visible_workflow
from ..http import (
    bool_arg,
    direction_arg,
    int_arg,
    invalid,
    json_body,
    json_response,
    not_found,
    page,
)
from ..jobs.models import OUTPUT_FORMATS, PRIORITY_V1
from ..jobs.responses import start_job, v1_priority
from ..routing import BOTH, WEBAPI, Routes
from ..workflows.responses import package_response

routes = Routes(BOTH)
PACKAGE_TYPE_V1 = {"App": 0, "Workflow": 1, "Module": 1, "Macro": 2}


# ----------------------------------------------------------------------------- shapes
def v1_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """The v1 Workflow model."""
    published = (current_state().workflows_backend.published_version(wf)
                 or wf["versions"][-1])
    return {"id": wf["id"], "subscriptionId": wf["_subscriptionId"], "public": wf["isPublic"],
            "runDisabled": False, "packageType": PACKAGE_TYPE_V1.get(wf["_packageType"], 1),
            "uploadDate": published["uploadDate"], "fileName": published["details"]["fileName"],
            "metaInfo": {"name": wf["name"], "description": "", "author": "", "copyright": "",
                         "url": "", "urlText": "", "outputMessage": "",
                         "noOutputFilesMessage": ""},
            "isChained": False, "version": published["versionNumber"],
            "runCount": wf["runCount"], "workerTag": wf["workerTag"], "isE2": wf["_isAmp"]}


def job_v1(job: dict[str, Any], *, include_messages: bool = True) -> dict[str, Any]:
    """The v1 Job model: createDate, integer priority, outputs {id, formats, name}."""
    return {
        "id": job["id"], "appId": None, "createDate": job["createDateTime"],
        "status": job["status"], "disposition": job["disposition"],
        "outputs": [{"id": o["id"], "formats": list(o["availableFormats"]),
                     "name": o["fileName"]} for o in job["outputs"]],
        "messages": [dict(m) for m in job["messages"]] if include_messages else [],
        "priority": PRIORITY_V1.get(job["priority"], 0), "workerTag": job["workerTag"],
        "runWithE2": job["runWithE2"]}


def pretty_v1() -> bool:
    """v1 job JSON is indented on /webapi (2022.1+), compact on the legacy path."""
    return g.family == "webapi" and current_emulator().config.pretty_v1_jobs


# ----------------------------------------------------------------------------- routes
_SORTABLE = {
    "name": lambda w: w["name"].lower(), "uploaddate": lambda w: w["dateCreated"],
    "runcount": lambda w: w["runCount"], "owner": lambda w: w["ownerId"],
    "subscriptionid": lambda w: w["_subscriptionId"], "": lambda w: w["dateCreated"],
    "author": lambda w: "", "copyright": lambda w: "", "description": lambda w: "",
    "datemadepublic": lambda w: w["dateCreated"], "executionmode": lambda w: w["executionMode"]}


@routes.route("/v1/workflows/subscription", "GET", role="Artisan")
def subscription_workflows() -> Response:
    state = current_state()
    offset, limit = int_arg("offset"), int_arg("limit")
    search = (request.args.get("search") or "").lower()
    sort_field = (request.args.get("sortField") or "").lower()
    direction = direction_arg("asc")
    package_type = int_arg("packageType")
    if sort_field not in _SORTABLE:
        invalid({"sortField": [f"The value '{sort_field}' is not valid for sortField."]})
    sub = g.user["_subscriptionId"]
    items = [w for w in state.workflows.values() if w["_subscriptionId"] == sub
             and (not search or search in w["name"].lower())
             and (package_type is None
                  or PACKAGE_TYPE_V1.get(w["_packageType"], 1) == package_type)]
    items.sort(key=_SORTABLE[sort_field], reverse=direction == "desc")
    return json_response([v1_workflow(w) for w in page(items, offset, limit)])


@routes.route("/v1/workflows/<appId>/questions", "GET", role="Artisan")
def questions(appId: str) -> Response:
    wf = visible_workflow(appId)
    return json_response([{"name": q["name"], "type": q.get("questionType", ""),
                           "description": q.get("description", ""), "value": q.get("value"),
                           "items": list(q.get("items", [])),
                           "multiple": bool(q.get("multiple", False))}
                          for q in wf["_questions"]])


@routes.route("/v1/workflows/<appId>/jobs", "POST", role="Artisan")
def create_job(appId: str) -> Response:
    body = json_body("job", required=False) or {}
    if not isinstance(body, dict):
        invalid({"job": ["A JSON object is expected."]})
    priority = v1_priority(body.get("priority", 0))
    wf = visible_workflow(appId)
    return json_response(job_v1(start_job(wf, body, priority)), pretty=pretty_v1())


@routes.route("/v1/workflows/<appId>/jobs", "GET", role="Artisan")
def workflow_jobs(appId: str) -> Response:
    state = current_state()
    offset, limit = int_arg("offset"), int_arg("limit")
    direction = direction_arg()
    wf = visible_workflow(appId)
    state.jobs_backend.refresh()
    jobs = sorted(state.jobs_backend.for_workflow(wf["id"]), key=lambda j: j["_created"],
                  reverse=direction == "desc")
    return json_response([{"id": j["id"], "createDate": j["createDateTime"],
                           "status": j["status"], "disposition": j["disposition"],
                           "priority": PRIORITY_V1[j["priority"]], "workerTag": j["workerTag"],
                           "runWithE2": j["runWithE2"]} for j in page(jobs, offset, limit)])


@routes.route("/v1/jobs/<jobId>", "GET", role="Artisan")
def get_job(jobId: str) -> Response:
    include = bool_arg("includeMessages", True)
    job = visible_job(jobId)
    current_state().refresh_job(job, read=True)
    return json_response(job_v1(job, include_messages=bool(include)), pretty=pretty_v1())


@routes.route("/v1/jobs/<jobId>/output/<outputId>", "GET", role="Artisan")
def job_output(jobId: str, outputId: str) -> Response:
    fmt = request.args.get("format")
    if fmt is None or fmt == "":
        if g.family == "webapi":
            invalid({"format": ["The format field is required."]})
        fmt = "Raw"
    if fmt not in OUTPUT_FORMATS:
        invalid({"format": [f"The value '{fmt}' is not valid for format."]})
    attachment = bool_arg("attachment", False)
    job = visible_job(jobId)
    current_state().refresh_job(job, read=True)
    output = next((o for o in job["outputs"] if o["id"] == outputId), None)
    if output is None or outputId not in job["_files"]:
        not_found("Output", outputId)
    if fmt != "Raw" and fmt not in output["availableFormats"]:
        invalid({"format": [f"The output is not available as '{fmt}'."]})
    name, data = job["_files"][outputId]
    resp = Response(data, mimetype="text/csv" if fmt == "Csv" else "application/octet-stream")
    kind = "attachment" if attachment else "inline"
    resp.headers["Content-Disposition"] = f'{kind}; filename="{name}"'
    return resp


def _package(appId: str) -> Response:
    wf = visible_workflow(appId)
    vid = wf["publishedVersionId"]
    number = request.args.get("version")
    if number:
        match = next((v for v in wf["versions"] if str(v["versionNumber"]) == number), None)
        if match is None:
            not_found("Version", number)
        vid = match["versionId"]
    return package_response(wf, wf["_packages"][vid])


@routes.route("/v1/workflows/<appId>/package", "GET", role="Artisan", families=(WEBAPI,))
def package_webapi(appId: str) -> Response:
    return _package(appId)


@routes.route("/v1/<appId>/package", "GET", role="Artisan", families=("/gallery/api",))
def package_legacy(appId: str) -> Response:
    return _package(appId)
