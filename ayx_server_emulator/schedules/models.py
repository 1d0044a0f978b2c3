"""Schedules: state and behaviour (the emulator never runs them on its own)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State

_UPDATABLE = ("workflowId", "ownerId", "name", "comment", "priority", "workerTag", "enabled",
              "credentialId", "timeZone", "questions")


class SchedulesBackend:
    """Schedules (ScheduleView records plus the iteration as sent)."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.schedules: dict[str, dict[str, Any]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's schedules."""
        for raw in seed.get("schedules", []):
            self.add(raw)

    def add(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a schedule (seed or CreateScheduleContract shape) and return it."""
        sid = raw.get("id") or new_id()
        iteration = raw.get("iteration") or {}
        wf = self.s.workflows.get(raw.get("workflowId", ""))
        now = self.s.now_str()
        item = {
            "id": sid, "name": raw.get("name") or "", "workflowId": raw.get("workflowId"),
            "versionId": raw.get("versionId") or (wf["publishedVersionId"] if wf else None),
            "ownerId": raw.get("ownerId"), "runDateTime": raw.get("runDateTime")
            or iteration.get("startTime") or now,
            "comment": raw.get("comment", ""), "enabled": bool(raw.get("enabled", True)),
            "priority": raw.get("priority") or "Default", "workerTag": raw.get("workerTag", ""),
            "status": "Active", "credentialId": raw.get("credentialId"),
            "creationTime": raw.get("creationTime") or now, "lastRunTime": None,
            "state": "Scheduled", "runCount": 0,
            "iteration": {"startTime": iteration.get("startTime"),
                          "endTime": iteration.get("endTime")},
            "frequency": raw.get("frequency") or iteration.get("iterationType", "Once"),
            "lastError": "", "cpuName": "", "lastModifiedId": raw.get("ownerId"),
            "lastModifiedDate": now, "canEdit": True,
            "timeZone": raw.get("timeZone") or "UTC", "questions": list(raw.get("questions", [])),
            "_iteration": iteration,
        }
        self.schedules[sid] = item
        return item

    def update(self, s: dict[str, Any], body: dict[str, Any], modified_by: str) -> None:
        """Apply an Update/PatchScheduleContract (null fields are left alone)."""
        for key in _UPDATABLE:
            if key in body and body[key] is not None:
                s[key] = body[key]
        if body.get("iteration"):
            it = body["iteration"]
            s["_iteration"] = it
            s["iteration"] = {"startTime": it.get("startTime"), "endTime": it.get("endTime")}
            s["frequency"] = it.get("iterationType", s["frequency"])
            s["runDateTime"] = it.get("startTime") or s["runDateTime"]
        s["lastModifiedId"] = modified_by
        s["lastModifiedDate"] = self.s.now_str()

    def delete(self, sid: str) -> None:
        """Remove a schedule (and its place in collections)."""
        del self.schedules[sid]
        self.s.collections_backend.forget("scheduleIds", sid)

    def visible_to(self, user: dict[str, Any]) -> list[dict[str, Any]]:
        """What a non-Curator's schedule list holds: its own and those shared with it."""
        groups = self.s.group_ids_of(user["id"])
        return [s for s in self.schedules.values() if s["ownerId"] == user["id"]
                or self.s.collections_backend.shares_schedule(s["id"], user["id"], groups)]

    def delete_for_workflow(self, wid: str) -> None:
        """Remove every schedule of a workflow."""
        for sid in [s["id"] for s in self.schedules.values() if s["workflowId"] == wid]:
            self.delete(sid)

    def transfer_for_workflow(self, wid: str, owner_id: str) -> None:
        """Give a workflow's schedules to another owner."""
        for s in self.schedules.values():
            if s["workflowId"] == wid:
                s["ownerId"] = owner_id

    def transfer_owned(self, user_id: str, target: str) -> list[str]:
        """Give every schedule a user owns to another user; return their ids."""
        moved = []
        for s in self.schedules.values():
            if s["ownerId"] == user_id:
                s["ownerId"] = target
                moved.append(s["id"])
        return moved

    def disable_owned_by(self, user_id: str) -> list[str]:
        """Disable a (deactivated) user's schedules; return their ids."""
        ids = []
        for s in self.schedules.values():
            if s["ownerId"] == user_id:
                s["enabled"] = False
                ids.append(s["id"])
        return ids
