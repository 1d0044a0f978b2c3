"""Who may do what: role checks and the visibility of workflows and jobs, per request."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import current_app, g

from .http import denied, not_found
from .users.models import ROLE_RANK

if TYPE_CHECKING:
    from .server import EmulatorServer
    from .state import State


def current_emulator() -> EmulatorServer:
    """The EmulatorServer serving this request."""
    emu: EmulatorServer = current_app.extensions["emulator"]
    return emu


def current_state() -> State:
    """The state of the emulator serving this request."""
    return current_emulator().state


def role_at_least(role: str, user: dict[str, Any] | None = None) -> bool:
    """Tell whether the caller's (or user's) effective role is at least `role`."""
    state = current_state()
    return ROLE_RANK.get(state.effective_role(user or g.user), 0) >= ROLE_RANK[role]


def require_role(role: str) -> None:
    """Deny (401) callers below `role`."""
    if not role_at_least(role):
        denied()


def is_curator() -> bool:
    """Tell whether the caller is a Curator (directly or through a group)."""
    return role_at_least("Curator")


def visible_workflow(wid: str) -> dict[str, Any]:
    """The workflow if it exists (404) and the caller may use it (401)."""
    state = current_state()
    wf = state.workflows.get(wid)
    if wf is None:
        not_found("Workflow", wid)
    if not state.can_see_workflow(g.user, wf):
        denied()
    return wf


def visible_job(job_id: str) -> dict[str, Any]:
    """The job if it exists (404) and the caller may see it (401)."""
    state = current_state()
    job = state.jobs.get(job_id)
    if job is None:
        not_found("Job", job_id)
    if not state.can_see_job(g.user, job):
        denied()
    return job


def owner_or_curator(item: dict[str, Any]) -> None:
    """Deny (401) unless the caller owns the item or is a Curator."""
    if item["ownerId"] != g.user["id"] and not is_curator():
        denied()
