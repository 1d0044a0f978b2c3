"""Jobs: start, get, wait, judge (status AND disposition) and download outputs."""

from __future__ import annotations

import os
import re
import time
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .errors import ApiError, JobFailedError, JobTimeoutError
from .segments import contained_path, path_segment
from .values import encode_value, parse_datetime, priority_for  # the one copy of each rule

if TYPE_CHECKING:
    from .client import ServerClient

__all__ = [
    "Job",
    "JobMessage",
    "JobOutput",
    "download_outputs",
    "get_job",
    "normalise_questions",
    "parse_datetime",
    "start_job",
    "wait_for_job",
]

Api = Literal["v1", "v3"]

# Statuses that mean "still going"; anything listed in _TERMINAL, or any unknown status once a
# disposition is set, means the job has ended.
_RUNNING = {"created", "queued", "running", "pending", "initializing", "executing", "new"}
_TERMINAL = {"completed", "cancelled", "canceled", "failed", "error", "aborted", "stopped"}
_GOOD_DISPOSITIONS = {"success", "warning"}
ERROR_STATUS = 3
WARNING_STATUS = 2


@dataclass(frozen=True)
class JobMessage:
    """One job message: `status` 1 info, 2 warning, 3 error, 4 complete, ..."""

    status: int
    text: str
    tool_id: int | None = None

    @classmethod
    def from_json(cls, data: Any) -> JobMessage:
        """Tolerant parse of a v1/v3 message object."""
        if not isinstance(data, Mapping):
            return cls(status=0, text=str(data))
        try:
            status = int(data.get("status", 0))
        except (TypeError, ValueError):
            status = 0
        tool = data.get("toolId", data.get("toolID"))
        try:
            tool_id = int(tool) if tool is not None else None
        except (TypeError, ValueError):
            tool_id = None
        return cls(
            status=status, text=str(data.get("text", data.get("message", ""))), tool_id=tool_id
        )


@dataclass(frozen=True)
class JobOutput:
    """One job output: its id, file name and the formats it can be downloaded in."""

    id: str
    file_name: str | None = None
    formats: tuple[str, ...] = ()

    @classmethod
    def from_json(cls, data: Any) -> JobOutput:
        """Tolerant parse of a v1 (formats/name) or v3 (availableFormats/fileName) output."""
        if not isinstance(data, Mapping):
            return cls(id=str(data))
        formats = data.get("availableFormats", data.get("formats")) or ()
        name = data.get("fileName", data.get("name"))
        return cls(
            id=str(data.get("id", "")),
            file_name=str(name) if name else None,
            formats=tuple(str(f) for f in formats) if isinstance(formats, list) else (),
        )


@dataclass(frozen=True)
class Job:
    """A Server job as v1 or v3 returns it; `raw` keeps the whole JSON."""

    id: str
    status: str
    disposition: str | None = None
    created: datetime | None = None
    priority: str | int | None = None
    worker_tag: str | None = None
    messages: list[JobMessage] = field(default_factory=list)
    outputs: list[JobOutput] = field(default_factory=list)
    raw: dict[str, Any] = field(default_factory=dict, repr=False, compare=False)

    @classmethod
    def from_json(cls, data: Any) -> Job:
        """Build a Job from v1 or v3 JSON (createDate/createDateTime, int/str priority, extras)."""
        if not isinstance(data, Mapping):
            raise ApiError(f"expected a job object from the Server, got {type(data).__name__}")
        job_id = data.get("id", data.get("jobId"))
        if not job_id:
            raise ApiError("the Server's job object has no id")
        disposition = data.get("disposition")
        return cls(
            id=str(job_id),
            status=str(data.get("status") or "Unknown"),
            disposition=str(disposition) if disposition is not None else None,
            created=parse_datetime(data.get("createDateTime", data.get("createDate"))),
            priority=data.get("priority"),
            worker_tag=data.get("workerTag") or None,
            messages=[JobMessage.from_json(m) for m in data.get("messages") or []],
            outputs=[JobOutput.from_json(o) for o in data.get("outputs") or []],
            raw=dict(data),
        )

    @property
    def done(self) -> bool:
        """The job has ended (Completed, Cancelled, or an unknown status with a disposition)."""
        status = self.status.lower()
        if status in _TERMINAL:
            return True
        if status in _RUNNING:
            return False
        return (self.disposition or "none").lower() not in ("none", "")

    @property
    def succeeded(self) -> bool:
        """Completed AND disposition Success (or Warning): Completed alone is not success."""
        return self.status.lower() == "completed" and (
            (self.disposition or "").lower() in _GOOD_DISPOSITIONS
        )

    @property
    def error_messages(self) -> list[str]:
        """Texts of the messages with status 3 (errors)."""
        return [m.text for m in self.messages if m.status == ERROR_STATUS]

    @property
    def warning_messages(self) -> list[str]:
        """Texts of the messages with status 2 (warnings)."""
        return [m.text for m in self.messages if m.status == WARNING_STATUS]

    def summary(self) -> str:
        """One line: id, status, disposition and the first error."""
        line = f"job {self.id}: {self.status}"
        if self.disposition and self.disposition.lower() != "none":
            line += f" / {self.disposition}"
        errors = self.error_messages
        if errors:
            line += f": {errors[0]}"
            if len(errors) > 1:
                line += f" (+{len(errors) - 1} more errors)"
        return line

    def raise_for_outcome(self) -> Job:
        """Return the job if it succeeded, else raise `JobFailedError` carrying it."""
        if self.succeeded:
            return self
        if not self.done:
            raise JobFailedError(f"{self.summary()} (not finished)", job=self)
        raise JobFailedError(f"{self.summary()}: the job did not succeed", job=self)


_question_value = encode_value  # the one value rule (a list goes as JSON, not Python's repr)


def normalise_questions(
    questions: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None,
) -> list[dict[str, str]]:
    """Questions as the Server wants them: [{"name", "value"}] with string values."""
    if not questions:
        return []
    if isinstance(questions, Mapping):
        return [{"name": str(k), "value": _question_value(v)} for k, v in questions.items()]
    out = []
    for item in questions:
        if "name" not in item:
            raise ValueError(f"a question needs a 'name': {dict(item)!r}")
        out.append({"name": str(item["name"]), "value": _question_value(item.get("value"))})
    return out


def _api_for(client: ServerClient, api: Api) -> Api:
    # The legacy /gallery/api/ has no v3: there, every call is v1.
    return "v1" if client.auth_type == "oauth1" else api


def _seg(value: str, what: str = "id") -> str:
    # One path segment exactly: '..' or '/' in an id would reach another endpoint.
    return path_segment(value, what)


def start_job(
    client: ServerClient,
    workflow_id: str,
    questions: Mapping[str, Any] | Iterable[Mapping[str, Any]] | None = None,
    *,
    priority: str | int | None = None,
    worker_tag: str | None = None,
    credential_id: str | None = None,
    api: Api = "v3",
) -> Job:
    """Queue a job for a workflow (POST v3|v1/workflows/{id}/jobs); never retried once sent."""
    api = _api_for(client, api)
    body: dict[str, Any] = {"questions": normalise_questions(questions)}
    level = priority_for(priority, api)  # names for v3, 0-3 for v1; numbers and names taken
    if level is not None:
        body["priority"] = level
    if api == "v3":
        if worker_tag:
            body["workerTag"] = worker_tag
        if credential_id:
            body["credentialId"] = credential_id
    else:
        if worker_tag or credential_id:
            raise ValueError("worker_tag and credential_id need the v3 API (api='v3' on /webapi/)")
    path = f"{api}/workflows/{_seg(workflow_id, 'workflow id')}/jobs"
    data = client.request_json("POST", path, json=body)
    return Job.from_json(data)


def get_job(
    client: ServerClient, job_id: str, *, include_messages: bool = True, api: Api = "v3"
) -> Job:
    """Fetch a job (GET v3|v1/jobs/{id})."""
    api = _api_for(client, api)
    data = client.request_json(
        "GET",
        f"{api}/jobs/{_seg(job_id, 'job id')}",
        params={"includeMessages": "true" if include_messages else "false"},
    )
    return Job.from_json(data)


def wait_for_job(
    client: ServerClient,
    job_id: str,
    *,
    poll_interval: float = 2.0,
    max_poll_interval: float = 30.0,
    backoff: float = 1.5,
    timeout: float | None = None,
    on_poll: Callable[[Job], None] | None = None,
    api: Api = "v3",
    max_polls: int = 100_000,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """Poll a job until it ends; returns it (judge it with `.succeeded`).

    The interval grows by `backoff` up to `max_poll_interval`. Raises `JobTimeoutError` (with the
    last job) after `timeout` seconds or `max_polls` polls.
    """
    if poll_interval < 0 or backoff < 1.0:
        raise ValueError("poll_interval must be >= 0 and backoff >= 1")
    deadline = None if timeout is None else clock() + timeout
    interval = poll_interval
    job: Job | None = None
    for _ in range(max(1, max_polls)):
        job = get_job(client, job_id, api=api)
        if on_poll is not None:
            on_poll(job)
        if job.done:
            return job
        if deadline is not None:
            left = deadline - clock()
            if left <= 0:
                break
            sleep(min(interval, left))
        else:
            sleep(interval)
        interval = min(max_poll_interval, interval * backoff)
    last = f" (last seen: {job.status})" if job else ""
    limit = f"{timeout:g} s" if timeout is not None else f"{max_polls} polls"
    raise JobTimeoutError(
        f"job {job_id} did not finish within {limit}{last}; it may still be running on the "
        "Server: check it later with `ayx-server job ID`",
        job=job,
    )


_UNSAFE = re.compile(r"[^A-Za-z0-9._ ()+\-]")
_EXTENSIONS = {
    "csv": ".csv", "yxdb": ".yxdb", "shp": ".zip", "kml": ".kml", "tab": ".zip", "mif": ".zip",
    "dbf": ".dbf", "pdf": ".pdf", "docx": ".docx", "xlsx": ".xlsx", "html": ".html",
    "tde": ".tde", "zip": ".zip",
}  # fmt: skip


def safe_file_name(name: str | None, fallback: str) -> str:
    """A file name safe on any OS: the base name only, odd characters replaced."""
    base = re.split(r"[\\/]", name or "")[-1].strip().strip(".")
    base = _UNSAFE.sub("_", base)[:150]
    if not base or base in (".", ".."):
        base = _UNSAFE.sub("_", fallback)
    return base


def download_outputs(
    client: ServerClient, job: Job, directory: str | os.PathLike[str], *, fmt: str = "Raw"
) -> list[Path]:
    """Stream each job output (GET v1/jobs/{id}/output/{outputId}?format=fmt) into `directory`.

    Every file lands inside `directory` (a name from the Server that would leave it raises
    `PathEscapeError` before anything is written).
    """
    target = Path(directory)
    target.mkdir(parents=True, exist_ok=True)
    paths: list[Path] = []
    used: set[str] = set()
    for index, output in enumerate(job.outputs):
        name = safe_file_name(output.file_name, f"output_{index + 1}_{output.id}")
        ext = _EXTENSIONS.get(fmt.lower())
        if ext and not name.lower().endswith(ext):
            name = Path(name).stem + ext
        stem, suffix = Path(name).stem, Path(name).suffix
        n = 1
        while name.lower() in used:
            n += 1
            name = f"{stem} ({n}){suffix}"
        used.add(name.lower())
        path = contained_path(target, name, what="output file name")
        part = path.with_name(path.name + ".part")
        try:
            with open(part, "wb") as fh:  # a cut or oversized body is an ApiError (core)
                client.download(
                    f"v1/jobs/{_seg(job.id, 'job id')}/output/{_seg(output.id, 'output id')}",
                    fh,
                    params={"format": fmt},
                )
        except BaseException:
            part.unlink(missing_ok=True)
            raise
        os.replace(part, path)
        paths.append(path)
    return paths
