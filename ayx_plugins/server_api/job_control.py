"""Controlling jobs: cancel one, list all (paged), wait with a queue watch and cancel-on-timeout.

`cancel_job` sends `DELETE v3/jobs/{jobId}` (the catalogue entry `jobs_cancel_job` when it is
there: the verb and path are the best public evidence, see docs/library-cli.md) and returns the job
as the Server shows it afterwards. `list_jobs` pages `GET v3/jobs` (Curators only; the answer is an
envelope `{"data": [...]}` whose items carry `jobId`) with `offset`/`limit` until a short page, a
repeated page or the item cap. `wait_or_cancel` is `wait_for_job` plus two options the tools and
the CLI share: cancel the job when the wait times out, and call back once when a job stays Queued
longer than a given time (the worker-slot cause: a workflow that waits for child jobs holds one of
the worker's slots).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from .errors import ApiError, JobTimeoutError
from .jobs import Api, Job, get_job, wait_for_job
from .segments import path_segment

if TYPE_CHECKING:
    from .client import ServerClient

__all__ = [
    "QUEUED_CAUSE",
    "QueuedWatch",
    "cancel_job",
    "iter_jobs",
    "list_jobs",
    "wait_or_cancel",
]

CANCEL_PATH = "v3/jobs/{jobId}"
LIST_PATH = "v3/jobs"
_LIST_FILTERS = {
    "sort_field": "sortField", "direction": "direction", "statuses": "statuses",
    "priorities": "priorities", "users": "users", "all_users": "allUsers",
    "workflow_names": "workflowNames", "completed_before": "completedBefore",
    "completed_after": "completedAfter",
}  # fmt: skip

QUEUED_CAUSE = (
    "a Server worker runs only a few workflows at once (its simultaneous-workflow slots, by "
    "default half its cores, 1 on a 2-core worker), and a workflow that waits for its child jobs "
    "holds one of those slots, so the children can stay Queued until the wait times out; run the "
    "parent on another worker (a worker tag), add a slot, or do not wait in the parent"
)


def _cancel_template() -> str:
    try:
        from .catalogue import load_catalogue

        return load_catalogue().get("jobs_cancel_job").path.lstrip("/")
    except (KeyError, OSError, ValueError):
        return CANCEL_PATH


def cancel_job(client: ServerClient, job_id: str) -> Job:
    """Cancel a Queued or Running job (DELETE v3/jobs/{jobId}); returns the job as it is now.

    A job that has already ended is returned as it is. When DELETE is not allowed (405) the
    other shape `POST v3/jobs/{jobId}/cancel` is tried once.
    """
    seg = path_segment(job_id, "job id")
    path = _cancel_template().replace("{jobId}", seg).replace("{id}", seg)
    try:
        answer = client.request_json("DELETE", path)
    except ApiError as exc:
        if exc.status == 405:  # the route is unverified: try the other shape once
            try:
                answer = client.request_json("POST", f"v3/jobs/{seg}/cancel")
            except ApiError as second:
                if second.status in (404, 405):
                    raise ApiError(
                        f"this Server has no job-cancel endpoint (DELETE {path} answered "
                        f"{exc.status}): cancelling needs Server 2025.1 or later ('Cancel a "
                        "specific job'); cancel it in the Gallery's Jobs page instead",
                        status=exc.status, body=exc.body,
                    ) from None
                raise
        elif exc.status in (400, 409):  # maybe it had already ended: then it is as it is
            job = get_job(client, job_id)
            if job.done:
                return job
            raise
        else:
            raise
    if isinstance(answer, Mapping) and (answer.get("id") or answer.get("jobId")):
        try:
            answered = Job.from_json(answer)
        except ApiError:
            answered = None
        if answered is not None and answered.done:
            return answered
    return get_job(client, job_id)


def iter_jobs(
    client: ServerClient,
    *,
    page_size: int = 100,
    max_items: int = 10_000,
    **filters: Any,
) -> Iterator[dict[str, Any]]:
    """Yield every job item of `GET v3/jobs`, page by page (bounded by `max_items`).

    Filters: `sort_field`, `direction`, `statuses`, `priorities`, `users`, `all_users`,
    `workflow_names`, `completed_before`, `completed_after` (lists are sent comma separated;
    the Server's own names such as `sortField` work too).
    """
    if page_size < 1:
        raise ValueError("page_size must be at least 1")
    params: dict[str, Any] = {}
    for key, value in filters.items():
        if value is None or value == "" or value == []:
            continue
        name = _LIST_FILTERS.get(key, key)
        if isinstance(value, bool):
            value = "true" if value else "false"
        elif isinstance(value, Sequence) and not isinstance(value, str):
            value = ",".join(str(v) for v in value)
        params[name] = value
    seen: set[str] = set()
    offset = 0
    given = 0
    for _ in range(max(1, max_items // page_size + 1)):
        answer = client.request_json(
            "GET", LIST_PATH, params={**params, "offset": offset, "limit": page_size}
        )
        items = answer.get("data") if isinstance(answer, Mapping) else answer
        if not isinstance(items, list):
            raise ApiError(
                "GET v3/jobs did not answer with a list of jobs (expected {\"data\": [...]})",
                body=answer,
            )
        new = 0
        for item in items:
            if not isinstance(item, Mapping):
                continue
            key = str(item.get("jobId", item.get("id", "")))
            if key and key in seen:
                continue  # a Server that ignores offset repeats its first page: stop there
            seen.add(key)
            new += 1
            yield dict(item)
            given += 1
            if given >= max_items:
                return
        if len(items) < page_size or new == 0:
            return
        offset += len(items)


def list_jobs(
    client: ServerClient, *, page_size: int = 100, max_items: int = 10_000, **filters: Any
) -> list[dict[str, Any]]:
    """Every job item of `GET v3/jobs` (all pages, at most `max_items`); see `iter_jobs`."""
    return list(iter_jobs(client, page_size=page_size, max_items=max_items, **filters))


class QueuedWatch:
    """An `on_poll` callback that calls `on_long(job, seconds)` once when a job stays Queued
    (or Created) longer than `seconds`."""

    def __init__(
        self,
        seconds: float,
        on_long: Callable[[Job, float], None],
        *,
        clock: Callable[[], float] = time.monotonic,
        then: Callable[[Job], None] | None = None,
    ) -> None:
        self.seconds = seconds
        self.on_long = on_long
        self.clock = clock
        self.then = then
        self.fired = False
        self._start: float | None = None
        self._lock = threading.Lock()

    def __call__(self, job: Job) -> None:
        """Look at one poll's job."""
        if self.then is not None:
            self.then(job)
        waiting = job.status.lower() in ("queued", "created", "pending")
        with self._lock:
            now = self.clock()
            if self._start is None:
                self._start = now
            if not waiting or self.fired:
                return
            held = now - self._start
            if held < self.seconds:
                return
            self.fired = True
        self.on_long(job, held)


def wait_or_cancel(
    client: ServerClient,
    job_id: str,
    *,
    poll_interval: float = 2.0,
    max_poll_interval: float = 30.0,
    backoff: float = 1.5,
    timeout: float | None = None,
    api: Api = "v3",
    cancel_on_timeout: bool = False,
    queued_warn_seconds: float | None = None,
    on_queued_long: Callable[[Job, float], None] | None = None,
    on_poll: Callable[[Job], None] | None = None,
    sleep: Callable[[float], None] = time.sleep,
    clock: Callable[[], float] = time.monotonic,
) -> Job:
    """`wait_for_job`, optionally cancelling the job at the timeout and watching the queue.

    At the timeout raises `JobTimeoutError`; with `cancel_on_timeout` the job is cancelled first
    and the error says so (its `.job` is the cancelled job, `.cancelled` True).
    """
    poll = on_poll
    if queued_warn_seconds is not None and queued_warn_seconds > 0 and on_queued_long:
        poll = QueuedWatch(queued_warn_seconds, on_queued_long, clock=clock, then=on_poll)
    try:
        return wait_for_job(
            client, job_id, poll_interval=poll_interval, max_poll_interval=max_poll_interval,
            backoff=backoff, timeout=timeout, on_poll=poll, api=api, sleep=sleep, clock=clock,
        )
    except JobTimeoutError as exc:
        if not cancel_on_timeout:
            raise
        try:
            cancelled = cancel_job(client, job_id)
        except ApiError as cancel_exc:
            err = JobTimeoutError(
                f"{exc}; cancelling it failed: {cancel_exc}", job=exc.job, status=cancel_exc.status
            )
            err.cancelled = False  # type: ignore[attr-defined]
            raise err from None
        limit = f"{timeout:g} s" if timeout is not None else "the wait"
        err = JobTimeoutError(
            f"job {job_id} did not finish within {limit}, so it was cancelled "
            f"(now {cancelled.status})",
            job=cancelled,
        )
        err.cancelled = True  # type: ignore[attr-defined]
        raise err from None
