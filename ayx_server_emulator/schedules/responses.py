"""v3 schedules. Listing: Curators see all; others "get results limited to" their own and
those shared with them (swagger docstring), not a refusal. The rest is for Curators."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from .._util import date_in_range, public
from ..access import current_state, is_curator
from ..http import contract, empty, get_or_404, id_response, invalid, json_response, view_arg
from ..routing import Routes

routes = Routes()
REDUCED_SCHEDULE = ("id", "name", "workflowId", "ownerId", "runDateTime", "timeZone")


def schedule_view(s: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    """ScheduleView, or ReducedScheduleView."""
    if view != "Full":
        return {k: s.get(k) for k in REDUCED_SCHEDULE}
    return public(s)


def _check_refs(body: dict[str, Any]) -> None:
    state = current_state()
    errors: dict[str, list[str]] = {}
    if body.get("workflowId") and body["workflowId"] not in state.workflows:
        errors["contract.workflowId"] = [f"Workflow '{body['workflowId']}' was not found."]
    if body.get("ownerId") and body["ownerId"] not in state.users:
        errors["contract.ownerId"] = [f"User '{body['ownerId']}' was not found."]
    if body.get("credentialId") and body["credentialId"] not in state.credentials:
        errors["contract.credentialId"] = [f"Credential '{body['credentialId']}' was not found."]
    if errors:
        invalid(errors)


@routes.route("/v3/schedules", "GET", role="Artisan")
def list_schedules() -> Response:
    backend = current_state().schedules_backend
    view, a = view_arg(), request.args
    items = list(backend.schedules.values()) if is_curator() else backend.visible_to(g.user)
    return json_response([
        schedule_view(s, view) for s in items
        if (not a.get("ownerId") or s["ownerId"] == a["ownerId"])
        and (not a.get("workflowId") or s["workflowId"] == a["workflowId"])
        and date_in_range(s["runDateTime"], a.get("runsAfter"), a.get("runsBefore"))])


@routes.route("/v3/schedules", "POST")
def create_schedule() -> Response:
    body = contract("CreateScheduleContract")
    _check_refs(body)
    return id_response(current_state().schedules_backend.add({**body, "ownerId": g.user["id"]})
                       ["id"])


@routes.route("/v3/schedules/<scheduleId>", "GET")
def get_schedule(scheduleId: str) -> Response:
    return json_response(schedule_view(get_or_404(current_state().schedules, "Schedule",
                                                  scheduleId)))


@routes.route("/v3/schedules/<scheduleId>", "PUT", "PATCH")
def update_schedule(scheduleId: str) -> Response:
    # PUT and PATCH differ only in which fields their contracts require.
    backend = current_state().schedules_backend
    s = get_or_404(backend.schedules, "Schedule", scheduleId)
    body = contract("PatchScheduleContract" if request.method == "PATCH"
                    else "UpdateScheduleContract")
    _check_refs(body)
    backend.update(s, body, g.user["id"])
    return json_response(schedule_view(s))


@routes.route("/v3/schedules/<scheduleId>", "DELETE")
def delete_schedule(scheduleId: str) -> Response:
    backend = current_state().schedules_backend
    get_or_404(backend.schedules, "Schedule", scheduleId)
    backend.delete(scheduleId)
    return empty()
