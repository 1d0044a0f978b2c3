"""v3 jobs: start, read, messages, a workflow's jobs, every job (Curators), cancel."""

from __future__ import annotations

import re
from typing import Any

from flask import Response, g, request

from .._util import public
from ..access import (
    current_emulator,
    current_state,
    is_curator,
    visible_job,
    visible_workflow,
)
from ..contracts import validate
from ..http import (
    bool_arg,
    denied,
    direction_arg,
    empty,
    fail,
    int_arg,
    invalid,
    json_object,
    json_response,
    page,
)
from ..routing import Routes
from .models import PRIORITIES, PRIORITY_FROM_V1

routes = Routes()
_DAY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# ----------------------------------------------------------------------------- shapes
def job_v3(job: dict[str, Any], *, include_messages: bool = True) -> dict[str, Any]:
    """JobView (v3); includeMessages=false leaves the messages out."""
    view = public(job)
    view["outputs"] = [dict(o) for o in job["outputs"]]
    if include_messages:
        view["messages"] = [dict(m) for m in job["messages"]]
    else:
        view.pop("messages", None)
    return view


def job_list_item(job: dict[str, Any]) -> dict[str, Any]:
    """An item of GET /v3/jobs. The help page shows jobId, status and workflowName; the rest
    are the emulator's guess at what an all-jobs view carries."""
    state = current_state()
    wf = state.workflows.get(job["appId"])
    return {"jobId": job["id"], "status": job["status"],
            "workflowName": wf["name"] if wf else None, "workflowId": job["appId"],
            "userId": job["_userId"], "priority": job["priority"],
            "createDateTime": job["createDateTime"],
            "completionDateTime": job["_completedAt"],
            "disposition": job["disposition"], "workerTag": job["workerTag"],
            "runWithE2": job["runWithE2"]}


def questions_arg(body: dict[str, Any]) -> list[dict[str, Any]]:
    """The `questions` array of a job body: [{name, value}]."""
    questions = body.get("questions")
    if questions is None:
        return []
    if not isinstance(questions, list):
        invalid({"contract.questions": ["questions must be an array of {name, value}."]})
    for i, q in enumerate(questions):
        if not isinstance(q, dict) or not isinstance(q.get("name"), str) or not q["name"]:
            invalid({f"contract.questions[{i}].name": ["The name field is required."]})
        if q.get("value") is not None and not isinstance(q["value"], str | int | float | bool):
            invalid({f"contract.questions[{i}].value": ["value must be a string."]})
    return questions


def start_job(wf: dict[str, Any], body: dict[str, Any], priority: str) -> dict[str, Any]:
    """Queue a job from a v1, user v2 or v3 body and count its creation."""
    emu = current_emulator()
    questions = questions_arg(body)
    worker_tag = body.get("workerTag") or ""
    if not isinstance(worker_tag, str):
        invalid({"contract.workerTag": ["workerTag must be a string."]})
    credential_id = body.get("credentialId") or None
    if credential_id is not None and credential_id not in emu.state.credentials:
        invalid({"contract.credentialId": [f"Credential '{credential_id}' was not found."]})
    job = emu.state.jobs_backend.create(wf, g.user, questions=questions, priority=priority,
                                        worker_tag=worker_tag, credential_id=credential_id)
    emu.counters.job_created({
        "jobId": job["id"], "workflowId": wf["id"], "requestSeq": request.environ.get(
            "emulator.seq"), "clientRequestId": request.headers.get("X-Request-Id"),
        "path": request.path, "userId": g.user["id"]})
    return job


def v1_priority(raw: Any) -> str:
    """A v1 body's priority: an int 0..3, its digits as text ("3", seen in a public client's
    saved Server reply), or a v3 name."""
    if isinstance(raw, str) and raw.strip().isdigit():
        raw = int(raw.strip())
    if isinstance(raw, int) and not isinstance(raw, bool) and raw in PRIORITY_FROM_V1:
        return PRIORITY_FROM_V1[raw]
    if isinstance(raw, str) and raw in PRIORITIES:
        return raw
    if raw is None:
        return "Default"
    invalid({"job.priority": [f"The value '{raw}' is not valid for priority."]})


# ----------------------------------------------------------------------------- a workflow's jobs
@routes.route("/v3/workflows/<workflowId>/jobs", "POST", role="Artisan")
def create_job(workflowId: str) -> Response:
    body = json_object("contract")
    errors = validate("EnqueueJobContract", body)
    if errors:
        invalid(errors)
    priority = body.get("priority") or "Default"
    if priority not in PRIORITIES:
        invalid({"contract.priority": [f"priority must be one of {', '.join(PRIORITIES)}."]})
    wf = visible_workflow(workflowId)
    if wf["ownerId"] != g.user["id"] and not wf["othersCanExecute"] and not is_curator():
        denied()
    return json_response(job_v3(start_job(wf, body, priority)))


@routes.route("/v3/workflows/<workflowId>/jobs", "GET", role="Artisan")
def workflow_jobs(workflowId: str) -> Response:
    state = current_state()
    offset, limit = int_arg("offset"), int_arg("limit")
    direction = direction_arg()
    sort_field = (request.args.get("sortField") or "createdate").lower()
    if sort_field not in ("createdate", "status", "priority"):
        invalid({"sortField": ["sortField must be createDate, status or priority."]})
    status, result = request.args.get("status"), request.args.get("resultCode")
    wf = visible_workflow(workflowId)
    state.jobs_backend.refresh()
    jobs = [j for j in state.jobs_backend.for_workflow(wf["id"])
            if is_curator() or state.can_see_job(g.user, j) or wf["othersCanViewHistory"]]
    if status:
        jobs = [j for j in jobs if j["status"].lower() == status.lower()]
    if result:
        jobs = [j for j in jobs if j["disposition"].lower() == result.lower()]
    key = {"createdate": "_created", "status": "status", "priority": "priority"}[sort_field]
    jobs.sort(key=lambda j: (j[key], j["_created"]), reverse=direction == "desc")
    return json_response([{"id": j["id"], "createDate": j["createDateTime"],
                           "status": j["status"], "priority": j["priority"],
                           "workerTag": j["workerTag"], "runWithE2": j["runWithE2"]}
                          for j in page(jobs, offset, limit)])


# ----------------------------------------------------------------------------- one job
@routes.route("/v3/jobs/<jobId>", "GET", role="Artisan")
def get_job(jobId: str) -> Response:
    include = bool_arg("includeMessages", True)
    job = visible_job(jobId)
    current_state().refresh_job(job, read=True)
    return json_response(job_v3(job, include_messages=bool(include)))


@routes.route("/v3/jobs/<jobId>/messages", "GET", role="Artisan")
def job_messages(jobId: str) -> Response:
    """Help 2024.2 and the swagger: Curators only."""
    state = current_state()
    job = visible_job(jobId)
    if not is_curator():
        denied()
    state.refresh_job(job, read=True)
    return json_response([dict(m) for m in job["messages"]])


def _cancel(job_id: str, route: str) -> Response:
    emu = current_emulator()
    cfg = emu.config
    if cfg.job_cancel_route != route:
        if route.startswith("DELETE"):
            fail(405, "The requested resource does not support http method 'DELETE'.")
        fail(404, f"No HTTP resource was found that matches the request URI '{request.url}'.")
    job = visible_job(job_id)
    if job["_userId"] != g.user["id"] and not is_curator():
        denied()
    if not emu.state.jobs_backend.cancel(job):
        fail(cfg.job_cancel_completed_status,
             f"The job '{job_id}' cannot be cancelled: it is {job['status']}.")
    if cfg.job_cancel_body == "empty":
        return empty() if cfg.job_cancel_status == 200 else Response(status=cfg.job_cancel_status)
    return json_response(job_v3(job), cfg.job_cancel_status)


@routes.route("/v3/jobs/<jobId>", "DELETE", role="Artisan")
def cancel_job(jobId: str) -> Response:
    """Help 2025.1 "Cancel a specific job"; the verb and path are the knob job_cancel_route."""
    return _cancel(jobId, "DELETE /v3/jobs/{jobId}")


@routes.route("/v3/jobs/<jobId>/cancel", "POST", role="Artisan")
def cancel_job_post(jobId: str) -> Response:
    """The other shape the cancel route might have (knob job_cancel_route)."""
    return _cancel(jobId, "POST /v3/jobs/{jobId}/cancel")


# ----------------------------------------------------------------------------- every job
def _csv_arg(name: str) -> set[str] | None:
    raw = request.args.get(name)
    if raw is None or raw.strip() == "":
        return None
    return {p.strip().lower() for p in raw.split(",") if p.strip()}


def _day_arg(name: str) -> str | None:
    raw = request.args.get(name)
    if raw is None or raw == "":
        return None
    if not _DAY.match(raw):
        invalid({name: [f"The value '{raw}' is not valid for {name}: use yyyy-MM-dd."]})
    return raw


def _priorities_arg() -> set[str] | None:
    """Names or the numeric values ("Low, Medium, High, Critical, and Numeric Values")."""
    given = _csv_arg("priorities")
    if given is None:
        return None
    out = set()
    for p in given:
        if p.isdigit() and int(p) in PRIORITY_FROM_V1:
            out.add(PRIORITY_FROM_V1[int(p)].lower())
        elif p in {x.lower() for x in PRIORITIES}:
            out.add(p)
        else:
            invalid({"priorities": [f"The value '{p}' is not valid for priorities."]})
    return out


@routes.route("/v3/jobs", "GET", role="Curator")
def list_jobs() -> Response:
    """GET /v3/jobs (current help): Curators only; without allUsers=true only the caller's
    own jobs; `users` filters only with allUsers=true; answer {"data": [...]}."""
    state = current_state()
    sort_field = (request.args.get("sortField") or "CreateDate").lower()
    if sort_field not in ("createdate", "appname", "completiondatetime", "priority", "status"):
        invalid({"sortField": ["sortField must be CreateDate, AppName, CompletionDateTime, "
                               "Priority or Status."]})
    direction = direction_arg()
    offset, limit = int_arg("offset"), int_arg("limit")
    statuses = _csv_arg("statuses")
    if statuses is not None and "complete" in statuses:
        statuses.add("completed")
    all_users = bool_arg("allUsers", False)
    users = _csv_arg("users") if all_users else None
    user_ids = ({u for u in state.users if u.lower() in users} if users is not None
                else None if all_users else {g.user["id"]})
    state.jobs_backend.refresh()
    jobs = state.jobs_backend.query(
        user_ids=user_ids, statuses=statuses, priorities=_priorities_arg(),
        workflow_names=_csv_arg("workflowNames"), completed_before=_day_arg("completedBefore"),
        completed_after=_day_arg("completedAfter"), sort_field=sort_field,
        descending=direction == "desc")
    return json_response({"data": [job_list_item(j) for j in page(jobs, offset, limit)]})
