"""What Server Runner and Server Job Status share: job result fields and the wait."""

from __future__ import annotations

import json
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.server_api.errors import JobTimeoutError
from ayx_plugins.server_api.jobs import Job, get_job, wait_for_job
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import WaitConfig
from ayx_plugins.tools.engine import Outcome

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


def failed_job(job: Job) -> Outcome:
    """The Failure of a job that ended without success: its summary and error messages."""
    errors = job.error_messages
    detail = "\n".join(errors) if errors else "\n".join(m.text for m in job.messages)
    return Outcome.fail(
        f"Job {job.id} ended with status {job.status}, disposition {job.disposition or 'None'}",
        detail,
    )


def follow(client: ServerClient, job: Job | str, cfg: WaitConfig, *, api: str = "v3",
           extra: dict[str, Any] | None = None) -> tuple[Outcome, Job | None]:
    """Wait for (or just fetch) a job and judge it: status AND disposition, never status alone."""
    job_id = job if isinstance(job, str) else job.id
    timed_out = False
    current: Job | None = job if isinstance(job, Job) else None
    if cfg.wait:
        poll = float(cfg.pollSeconds)
        try:
            current = wait_for_job(client, job_id, poll_interval=poll, max_poll_interval=poll,
                                   backoff=1.0, timeout=cfg.waitTimeoutSeconds,
                                   api=api)  # type: ignore[arg-type]
        except JobTimeoutError as exc:
            timed_out = True
            current = exc.job or current
            if cfg.onTimeout == "failure" or current is None:
                return Outcome.fail(str(exc), f"JobId {job_id}"), current
    elif current is None:
        current = get_job(client, job_id, api=api)  # type: ignore[arg-type]
    if current.done and not current.succeeded:
        return failed_job(current), current
    values = job_values(current, timed_out=timed_out)
    values.update(extra or {})
    return Outcome.ok(values), current
