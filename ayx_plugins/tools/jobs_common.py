"""What Server Runner and Server Job Status share: job result fields, Failure job fields, the wait
(with cancel-at-timeout and the Queued-too-long warning)."""

from __future__ import annotations

import json
import threading
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.server_api.errors import JobTimeoutError
from ayx_plugins.server_api.job_control import wait_or_cancel
from ayx_plugins.server_api.jobs import Job, get_job
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import WaitConfig
from ayx_plugins.tools.engine import Outcome
from ayx_plugins.tools.wording import designer_words

JOB_ID = "JobId"
WORKFLOW_ID = "WorkflowId"
JOB_STATUS = "JobStatus"
DISPOSITION = "Disposition"
CREATE_DATE = "CreateDate"
PRIORITY = "Priority"
WORKER_TAG = "WorkerTag"
MESSAGES = "Messages"
OUTPUTS = "Outputs"
TIMED_OUT = "TimedOut"

JOB_FIELDS: tuple[pa.Field, ...] = (
    S.wstring(JOB_STATUS, "Created, Queued, Running, Completed or Cancelled"),
    S.wstring(DISPOSITION, "None until the job ends; then Success, Warning, Error, ..."),
    S.datetime_(CREATE_DATE, "When the job was created (UTC)"),
    S.wstring(PRIORITY),
    S.wstring(WORKER_TAG),
    S.wstring(MESSAGES, "The job's messages, one per line"),
    S.wstring(OUTPUTS, "The job's outputs as JSON: [{id, fileName, formats}]"),
    S.boolean(TIMED_OUT, "True when the wait ran out before the job ended"),
)

# On the Failure output, after HTTP Status, Error and Error Detail: the job, when one exists.
FAILURE_JOB_FIELDS: tuple[pa.Field, ...] = (
    S.wstring(JOB_ID, "The job the record started or named (null: no job)"),
    S.wstring(JOB_STATUS, "The job's last known status (null: no job)"),
    S.wstring(DISPOSITION, "The job's last known disposition (null: no job)"),
)

QUEUED_WARNING = (
    "job {job} ({what}) has been Queued for {seconds} s. A Server worker runs only a few "
    "workflows at once (its simultaneous-workflow slots: half its cores by default, 1 on a "
    "2-core worker), and a workflow that waits for the jobs it starts holds one of those slots "
    "while they queue. Run this workflow on another worker (worker tag), give the worker more "
    "slots, or let the jobs run without waiting for them"
)


def job_values(job: Job, *, timed_out: bool = False) -> dict[str, Any]:
    """The result values of one job."""
    outputs = [{"id": o.id, "fileName": o.file_name, "formats": list(o.formats)}
               for o in job.outputs]
    return {
        JOB_ID: job.id,
        JOB_STATUS: job.status,
        DISPOSITION: job.disposition,
        CREATE_DATE: job.created,
        PRIORITY: None if job.priority is None else str(job.priority),
        WORKER_TAG: job.worker_tag,
        MESSAGES: "\n".join(m.text for m in job.messages) or None,
        OUTPUTS: json.dumps(outputs, ensure_ascii=False) if outputs else None,
        TIMED_OUT: timed_out,
    }


def with_job(outcome: Outcome, job: Job | str | None) -> Outcome:
    """A Failure outcome carrying the job's id, status and disposition (when there is a job)."""
    if outcome.success or job is None:
        return outcome
    values = outcome.rows[0] if outcome.rows else {}
    if values.get(JOB_ID):  # already the job's latest state
        pass
    elif isinstance(job, Job):
        values.update({JOB_ID: job.id, JOB_STATUS: job.status, DISPOSITION: job.disposition})
    else:
        values[JOB_ID] = job
    outcome.rows = [values]
    return outcome


def failed_job(job: Job) -> Outcome:
    """The Failure of a job that ended without success: its summary and error messages."""
    errors = job.error_messages
    detail = "\n".join(errors) if errors else "\n".join(m.text for m in job.messages)
    return with_job(Outcome.fail(
        f"Job {job.id} ended with status {job.status}, disposition {job.disposition or 'None'}",
        detail,
    ), job)


class Notices:
    """Warnings raised on worker threads, written to the Results window by the plugin thread."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._items: list[str] = []

    def add(self, text: str) -> None:
        """Queue one warning (any thread)."""
        with self._lock:
            self._items.append(text)

    def drain(self) -> list[str]:
        """Take the queued warnings (the plugin thread)."""
        with self._lock:
            items, self._items = self._items, []
        return items


def follow(client: ServerClient, job: Job | str, cfg: WaitConfig, *, api: str = "v3",
           extra: dict[str, Any] | None = None, notices: Notices | None = None,
           what: str = "") -> tuple[Outcome, Job | None]:
    """Wait for (or just fetch) a job and judge it: status AND disposition, never status alone."""
    job_id = job if isinstance(job, str) else job.id
    timed_out = False
    current: Job | None = job if isinstance(job, Job) else None
    if cfg.wait:
        poll = float(cfg.pollSeconds)

        def queued(j: Job, seconds: float) -> None:
            if notices is not None:
                shown = f"{seconds:.0f}" if seconds >= 10 else f"{seconds:.1f}"
                notices.add(QUEUED_WARNING.format(job=j.id, what=what or "its workflow",
                                                  seconds=shown))
        try:
            current = wait_or_cancel(
                client, job_id, poll_interval=poll, max_poll_interval=poll, backoff=1.0,
                timeout=cfg.waitTimeoutSeconds, api=api,  # type: ignore[arg-type]
                cancel_on_timeout=cfg.cancelOnTimeout,
                queued_warn_seconds=cfg.queuedWarnSeconds or None, on_queued_long=queued)
        except JobTimeoutError as exc:
            timed_out = True
            current = exc.job or current
            cancelled = bool(getattr(exc, "cancelled", False))
            if cfg.onTimeout == "failure" or current is None or cfg.cancelOnTimeout:
                detail = f"JobId {job_id}" + (" (cancelled at the timeout)" if cancelled else "")
                return with_job(Outcome.fail(designer_words(exc), detail),
                                current or job_id), current
    elif current is None:
        current = get_job(client, job_id, api=api)  # type: ignore[arg-type]
    if current.done and not current.succeeded:
        return failed_job(current), current
    values = job_values(current, timed_out=timed_out)
    values.update(extra or {})
    return Outcome.ok(values), current
