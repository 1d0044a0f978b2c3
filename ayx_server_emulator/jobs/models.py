"""Jobs: the state machine, worker slots, cancel and the all-jobs query.

Statuses: Queued -> (Initializing) -> Running -> Completed, or Cancelled. Timing modes:
"instant" (the first read of a job completes it), "seconds" (Queued and Running each last the
job's seconds; with `worker_slots` a job waits for a free slot, first in first out), "manual"
(only `step()` moves a job; a Queued job starts only when a slot is free).
"""

from __future__ import annotations

from collections.abc import Callable
from datetime import datetime, timezone
from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State

PRIORITIES = ("Default", "Low", "Medium", "High", "Critical")
# v1 carries priority as an int; the v1 POST example sends 0.
PRIORITY_V1 = {"Default": 0, "Low": 0, "Medium": 1, "High": 2, "Critical": 3}
PRIORITY_FROM_V1 = {0: "Low", 1: "Medium", 2: "High", 3: "Critical"}
DISPOSITIONS = ("Success", "Warning", "Error")
RUNNING = ("Initializing", "Running")
DONE = ("Completed", "Cancelled")
OUTPUT_FORMATS = ("Raw", "Yxdb", "Shp", "Kml", "Tab", "Mif", "Dbf", "Csv", "Pdf", "Docx", "Xlsx",
                  "Html", "Tde", "Zip")
#: Question names the emulator reads to steer a job (any workflow accepts them).
Q_DISPOSITION = "EmulatorDisposition"
Q_RUN_SECONDS = "EmulatorRunSeconds"


class JobsBackend:
    """Every job of every workflow, plus the uploaded input files (user v2)."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.jobs: dict[str, dict[str, Any]] = {}
        self.input_files: dict[str, bytes] = {}
        #: Unfinished jobs in creation order (the queue is first in, first out).
        self._open: list[dict[str, Any]] = []
        self._slot_freed_at = 0.0

    def _mono(self) -> float:
        return self.s.monotonic()

    # ---------------------------------------------------------------- create
    def create(self, wf: dict[str, Any], user: dict[str, Any], *,
               questions: list[dict[str, Any]], priority: str, worker_tag: str,
               credential_id: str | None, schedule_id: str | None = None) -> dict[str, Any]:
        """Queue a job of the workflow's published version (a schedule's run: `schedule_id`)."""
        cfg = self.s.config
        answers = {str(q.get("name")): "" if q.get("value") is None else str(q.get("value"))
                   for q in questions}
        disposition = wf["_disposition"]
        if answers.get(Q_DISPOSITION) in DISPOSITIONS:
            disposition = answers[Q_DISPOSITION]
        timing, seconds = cfg.job_timing, cfg.job_seconds
        if wf.get("_runSeconds") is not None:
            seconds = float(wf["_runSeconds"])
        if Q_RUN_SECONDS in answers:
            try:
                seconds = max(0.0, float(answers[Q_RUN_SECONDS]))
            except ValueError:
                pass
            else:
                if timing == "instant":
                    timing = "seconds"
        now, mono = self.s.now(), self._mono()
        job = {
            "id": new_id(), "appId": wf["id"], "createDateTime": self.s.date_str(now),
            "status": "Queued", "disposition": "None", "outputs": [], "messages": [],
            "priority": priority,
            "workerTag": worker_tag or (None if cfg.null_worker_tag else ""),
            "runWithE2": bool(cfg.run_with_e2 and wf.get("_isAmp", True)),
            "_versionId": wf["publishedVersionId"], "_userId": user["id"],
            "_created": mono, "_createdTs": now, "_timing": timing, "_seconds": seconds,
            "_eligible": mono + seconds, "_started": None, "_ends": None, "_completedTs": None,
            "_completedAt": None,
            "_plan": disposition, "_answers": answers, "_credentialId": credential_id,
            "_files": {}, "_scheduleId": schedule_id,
        }
        self.jobs[job["id"]] = job
        self._open.append(job)
        return job

    # ---------------------------------------------------------------- moving jobs
    def running_count(self) -> int:
        """Jobs holding a worker slot now."""
        return sum(1 for j in self._open if j["status"] in RUNNING)

    def _slot_free(self) -> bool:
        slots = self.s.config.worker_slots
        return slots is None or self.running_count() < slots

    def refresh(self, job: dict[str, Any] | None = None, *, read: bool = False) -> None:
        """Advance the timed jobs to now; a read of an "instant" job completes it."""
        self.advance()
        if job is not None and read and job["_timing"] == "instant" and job["status"] not in DONE:
            if job["status"] == "Queued" and not self._slot_free():
                return
            self._finish(job)

    def advance(self) -> None:
        """Replay the "seconds" jobs' starts and ends up to now, in time order."""
        now = self._mono()
        slots = self.s.config.worker_slots
        while True:
            timed = [j for j in self._open if j["_timing"] == "seconds"]
            if not timed:
                return
            ends = [j for j in timed if j["status"] in RUNNING and j["_ends"] is not None]
            first_end = min(ends, key=lambda j: j["_ends"], default=None)
            head = next((j for j in timed if j["status"] == "Queued"), None)
            events: list[tuple[float, int, dict[str, Any]]] = []
            if first_end is not None and first_end["_ends"] <= now:
                events.append((first_end["_ends"], 0, first_end))
            if head is not None and (slots is None or self.running_count() < slots):
                at = max(head["_eligible"], self._slot_freed_at)
                if at <= now:
                    events.append((at, 1, head))
            if not events:
                break
            at, kind, job = min(events, key=lambda e: (e[0], e[1]))
            if kind == 0:
                self._finish(job)
                self._slot_freed_at = at
            else:
                self._start(job, at)
        if self.s.config.initializing_status:
            for j in self._open:
                if j["status"] in RUNNING and j["_timing"] == "seconds":
                    early = now < j["_started"] + j["_seconds"] / 3
                    j["status"] = "Initializing" if early else "Running"

    def step(self, job: dict[str, Any]) -> bool:
        """Advance a job one state (Queued -> Running -> Completed); tell whether it moved."""
        if job["status"] == "Queued":
            if not self._slot_free():
                return False
            self._start(job, self._mono())
            return True
        if job["status"] in RUNNING:
            self._finish(job)
            self._slot_freed_at = self._mono()
            return True
        return False

    def cancel(self, job: dict[str, Any]) -> bool:
        """Cancel a Queued or Running job; False when it already ended."""
        self.advance()
        if job["status"] in DONE:
            return False
        held_slot = job["status"] in RUNNING
        job["status"] = "Cancelled"
        job["disposition"] = "Cancelled"
        job["messages"].append({"status": 3, "text": "The job was cancelled.", "toolId": -1})
        self._stamp_end(job)
        self._close(job)
        if held_slot:
            self._slot_freed_at = self._mono()
        return True

    def _stamp_end(self, job: dict[str, Any]) -> None:
        now = self.s.now()
        job["_completedTs"] = now
        job["_completedAt"] = self.s.date_str(now)  # written once, as a Server stores it

    def _close(self, job: dict[str, Any]) -> None:
        if job in self._open:
            self._open.remove(job)

    def _start(self, job: dict[str, Any], at: float) -> None:
        if job["status"] != "Queued":
            return
        job["status"] = "Running"
        job["_started"] = at
        job["_ends"] = at + job["_seconds"] if job["_timing"] == "seconds" else None
        wf = self.s.workflows.get(job["appId"])
        name = wf["name"] if wf else job["appId"]
        job["messages"].append({"status": 1, "text": f"Started running {name}.yxmd",
                                "toolId": -1})
        self.s.on_running(self.running_count())

    def _finish(self, job: dict[str, Any]) -> None:
        self._start(job, self._mono())
        wf = self.s.workflows.get(job["appId"])
        plan = job["_plan"]
        messages = list(wf["_messages"]) if wf else []
        if plan == "Error" and not any(m.get("status") == 3 for m in messages):
            messages.append({"status": 3, "text": "Emulator: the job was asked to fail "
                             f"({Q_DISPOSITION}=Error)", "toolId": 1})
        if plan == "Warning" and not any(m.get("status") == 2 for m in messages):
            messages.append({"status": 2, "text": "Emulator: the job was asked to warn "
                             f"({Q_DISPOSITION}=Warning)", "toolId": 1})
        errors = sum(1 for m in messages if m.get("status") == 3)
        warnings = sum(1 for m in messages if m.get("status") == 2)
        job["messages"].extend(dict(m) for m in messages)
        outputs = []
        if wf and plan != "Error":
            for spec in wf["_outputs"]:
                oid = new_id()
                content = str(spec.get("content", ""))
                # An unanswered question runs with its default (or empty, when it has none).
                answers = {str(q["name"]): "" if q.get("value") is None else str(q["value"])
                           for q in wf["_questions"]}
                answers.update(job["_answers"])
                for key, value in answers.items():
                    content = content.replace("{" + key + "}", value)
                job["_files"][oid] = (spec["fileName"], content.encode("utf-8"))
                outputs.append({"id": oid, "availableFormats": list(
                    spec.get("availableFormats", ["Raw"])), "fileName": spec["fileName"]})
                job["messages"].append({"status": 9, "text": f"Output ({len(outputs)}): "
                                        f"{spec['fileName']} written", "toolId": 2})
        job["outputs"] = outputs
        job["messages"].append({
            "status": 3 if plan == "Error" else 1,
            "text": f"Finished running in 0.1 seconds with {errors} error"
                    f"{'s' if errors != 1 else ''} and {warnings} warning"
                    f"{'s' if warnings != 1 else ''}", "toolId": -1})
        job["status"] = "Completed"
        job["disposition"] = plan
        self._stamp_end(job)
        self._close(job)
        self.s.workflows_backend.count_run(job["appId"])

    def run_schedule(self, schedule: dict[str, Any]) -> dict[str, Any]:
        """Queue the job a schedule's trigger would: its workflow, owner, answers, priority."""
        wf = self.s.workflows[schedule["workflowId"]]
        owner = self.s.users[schedule["ownerId"]]
        return self.create(wf, owner, questions=list(schedule.get("questions") or []),
                           priority=schedule.get("priority") or "Default",
                           worker_tag=schedule.get("workerTag") or "",
                           credential_id=schedule.get("credentialId"),
                           schedule_id=schedule["id"])

    # ---------------------------------------------------------------- input files
    def add_input_file(self, data: bytes) -> str:
        """Keep an uploaded input file; return its id."""
        fid = new_id()
        self.input_files[fid] = data
        return fid

    # ---------------------------------------------------------------- queries
    def for_workflow(self, wid: str) -> list[dict[str, Any]]:
        """The jobs of one workflow, oldest first."""
        return [j for j in self.jobs.values() if j["appId"] == wid]

    def query(self, *, user_ids: set[str] | None, statuses: set[str] | None,
              priorities: set[str] | None, workflow_names: set[str] | None,
              completed_before: str | None, completed_after: str | None,
              sort_field: str, descending: bool) -> list[dict[str, Any]]:
        """GET /v3/jobs: filter (every given filter must hold) and sort."""
        out = []
        for j in self.jobs.values():
            wf = self.s.workflows.get(j["appId"])
            name = wf["name"] if wf else ""
            day = (datetime.fromtimestamp(j["_completedTs"], tz=timezone.utc).date().isoformat()
                   if j["_completedTs"] is not None else None)
            if user_ids is not None and j["_userId"] not in user_ids:
                continue
            if statuses is not None and j["status"].lower() not in statuses:
                continue
            if priorities is not None and j["priority"].lower() not in priorities:
                continue
            if workflow_names is not None and name.lower() not in workflow_names:
                continue
            # "Jobs completed on the given date are excluded" (help page): strict bounds.
            if completed_before is not None and (day is None or day >= completed_before):
                continue
            if completed_after is not None and (day is None or day <= completed_after):
                continue
            out.append(j)
        keys: dict[str, Callable[[dict[str, Any]], Any]] = {
            "createdate": lambda j: j["_created"],
            "appname": lambda j: self.s.workflows.get(j["appId"], {}).get("name", "").lower(),
            "completiondatetime": lambda j: j["_completedTs"] or 0.0,
            "priority": lambda j: PRIORITIES.index(j["priority"]),
            "status": lambda j: j["status"]}
        key = keys[sort_field]
        out.sort(key=lambda j: (key(j), j["_created"]), reverse=descending)
        return out
