"""`ayx-server` job commands: `jobs` (list, paged), `job ID --cancel`, `orchestrate plan.csv`.

Wired into `cli.py` by `register()` and `add_job_options()`; the work is in the core
(`job_control`, `workflows`, `orchestrate`).
"""

from __future__ import annotations

import argparse
import csv
import json
import threading
from collections.abc import Callable
from pathlib import Path
from typing import TextIO

from .client import ServerClient
from .errors import ApiError, JobTimeoutError
from .job_control import QUEUED_CAUSE, cancel_job, list_jobs, wait_or_cancel
from .jobs import Job, start_job
from .orchestrate import PlanError, Step, StepResult, StepRun, build_plan, parse_depends, run_plan
from .workflows import WorkflowDirectory

EXIT_OK, EXIT_FAILED, EXIT_USAGE = 0, 1, 2
ClientFactory = Callable[[argparse.Namespace], ServerClient]

STEP_COLUMN, WORKFLOW_COLUMN, DEPENDS_COLUMN = "Step", "Workflow", "DependsOn"


class _Interrupted(Exception):
    """Ctrl+C during a plan: the waits stop at once (the jobs may still run on the Server)."""


def add_job_options(p: argparse.ArgumentParser) -> None:
    """Options added to the existing `job` sub-command."""
    p.add_argument("--cancel", action="store_true", help="cancel the job (Queued or Running)")
    add_wait_options(p)


def add_wait_options(p: argparse.ArgumentParser) -> None:
    """`--cancel-on-timeout` and `--queued-warn` for `run` and `job` (with --wait)."""
    p.add_argument("--cancel-on-timeout", action="store_true",
                   help="cancel the job when --timeout runs out")
    p.add_argument("--queued-warn", type=float, default=300.0,
                   help="warn when the job stays Queued this many seconds (0: never)")


def wait(client: ServerClient, job_id: str, args: argparse.Namespace,
         on_poll: Callable[[Job], None], err: TextIO) -> Job:
    """The `--wait` of `run` and `job`: `wait_or_cancel` with the command's options."""
    def queued(job: Job, seconds: float) -> None:
        print(f"warning: job {job.id} has been Queued for {seconds:.0f} s; {QUEUED_CAUSE}",
              file=err)

    return wait_or_cancel(
        client, job_id, poll_interval=args.poll_interval, timeout=args.timeout, api=args.api,
        cancel_on_timeout=getattr(args, "cancel_on_timeout", False),
        queued_warn_seconds=getattr(args, "queued_warn", 0) or None, on_queued_long=queued,
        on_poll=on_poll)


def register(sub: Callable[[str, str], argparse.ArgumentParser]) -> None:
    """Add the `jobs` and `orchestrate` sub-commands (`sub(name, help)` makes one)."""
    p = sub("jobs", "list jobs on the Server (Curator; all pages)")
    p.add_argument("--status", action="append", dest="statuses",
                   help="Queued, Initializing, Running, Complete (repeatable)")
    p.add_argument("--priority", action="append", dest="priorities")
    p.add_argument("--user", action="append", dest="users", help="user id (repeatable)")
    p.add_argument("--all-users", action="store_true", default=None)
    p.add_argument("--workflow-name", action="append", dest="workflow_names")
    p.add_argument("--sort-field", help="CreateDate, AppName, CompletionDateTime, Priority, Status")
    p.add_argument("--direction", choices=("asc", "desc"))
    p.add_argument("--completed-before", help="yyyy-MM-dd")
    p.add_argument("--completed-after", help="yyyy-MM-dd")
    p.add_argument("--page-size", type=int, default=100)
    p.add_argument("--max", type=int, default=10_000, help="stop after this many jobs")
    p.add_argument("--json", action="store_true", help="print the items as JSON")

    p = sub("orchestrate", "run a plan of workflows (CSV: Step, Workflow, DependsOn, questions)")
    p.add_argument("plan", help="CSV file; every column but Step/Workflow/DependsOn is a question")
    p.add_argument("--max-in-flight", type=int, default=2, help="jobs running at once")
    p.add_argument("--timeout", type=float, default=3600.0, help="seconds to wait per step")
    p.add_argument("--poll-interval", type=float, default=2.0)
    p.add_argument("--cancel-on-timeout", action="store_true")
    p.add_argument("--queued-warn", type=float, default=300.0,
                   help="warn when a job stays Queued this many seconds (0: never)")
    p.add_argument("--no-check-questions", action="store_true",
                   help="do not check question names against the app's questions")
    p.add_argument("--priority")
    p.add_argument("--worker-tag")
    p.add_argument("--json", action="store_true", help="print the summary as JSON")


def cmd_cancel(client: ServerClient, args: argparse.Namespace, out: TextIO, err: TextIO) -> int:
    """`job ID --cancel`."""
    job = cancel_job(client, args.job_id)
    print(json.dumps(job.raw, indent=2, ensure_ascii=False), file=out)
    print(f"cancel requested: {job.summary()}", file=err)
    return EXIT_OK if job.status.lower() in ("cancelled", "canceled") else EXIT_FAILED


def cmd_jobs(make_client: ClientFactory, args: argparse.Namespace, out: TextIO,
             err: TextIO) -> int:
    """`jobs [filters]`."""
    filters = {k: getattr(args, k) for k in (
        "statuses", "priorities", "users", "all_users", "workflow_names", "sort_field",
        "direction", "completed_before", "completed_after")}
    with make_client(args) as client:
        items = list_jobs(client, page_size=args.page_size, max_items=args.max, **filters)
    if args.json:
        print(json.dumps(items, indent=2, ensure_ascii=False), file=out)
    else:
        rows = [[str(i.get(k) if i.get(k) is not None else "") for k in
                 ("jobId", "status", "workflowName", "priority", "createDateTime")]
                for i in items]
        _table(["JobId", "Status", "Workflow", "Priority", "Created"], rows, out)
    print(f"{len(items)} jobs", file=err)
    return EXIT_OK


def read_plan_csv(path: str) -> list[Step]:
    """Steps from a CSV file: Step, Workflow, DependsOn; other non-empty cells are questions."""
    try:
        text = Path(path).read_text(encoding="utf-8-sig")
    except OSError as exc:
        raise PlanError(f"cannot read the plan {path!r}: {exc}") from None
    reader = csv.DictReader(text.splitlines())
    header = {h.strip().lower(): h for h in reader.fieldnames or []}
    step_h, wf_h = header.get("step"), header.get("workflow")
    dep_h = header.get("dependson") or header.get("depends on") or header.get("depends_on")
    if not step_h or not wf_h:
        raise PlanError(f"the plan {path!r} needs the columns {STEP_COLUMN} and "
                        f"{WORKFLOW_COLUMN} (and optionally {DEPENDS_COLUMN})")
    steps = []
    for n, row in enumerate(reader):
        questions = tuple(
            (str(k).strip(), str(v)) for k, v in row.items()
            if k not in (step_h, wf_h, dep_h) and k is not None and v not in (None, "")
        )
        steps.append(Step(
            id=str(row.get(step_h) or "").strip(), workflow=str(row.get(wf_h) or "").strip(),
            depends_on=parse_depends(row.get(dep_h) if dep_h else None),
            questions=questions, index=n,
        ))
    return steps


def cmd_orchestrate(make_client: ClientFactory, args: argparse.Namespace, out: TextIO,
                    err: TextIO) -> int:
    """`orchestrate plan.csv`: progress per step on stderr, a summary table on stdout."""
    try:
        steps = build_plan(read_plan_csv(args.plan))
    except PlanError as exc:
        print(f"ayx-server: {exc}", file=err)
        return EXIT_USAGE
    if args.max_in_flight < 1:
        print("ayx-server: --max-in-flight must be at least 1", file=err)
        return EXIT_USAGE
    directory = WorkflowDirectory()
    stop = threading.Event()
    lock = threading.Lock()

    def nap(seconds: float) -> None:
        if stop.wait(seconds):
            raise _Interrupted()

    notes: list[str] = []
    total = len(steps)
    finished = [0]

    with make_client(args) as client:
        def run_step(step: Step) -> StepRun:
            questions = [{"name": k, "value": v} for k, v in step.questions]
            try:
                wf_id = directory.resolve(client, step.workflow)
                if not args.no_check_questions:
                    directory.check(client, wf_id, questions, label=step.workflow)
                job = start_job(client, wf_id, questions, priority=args.priority,
                                worker_tag=args.worker_tag)
            except (ApiError, ValueError) as exc:
                return StepRun(False, None, str(exc))

            def queued(j: Job, seconds: float) -> None:
                with lock:
                    notes.append(f"warning: step {step.id}: job {j.id} has been Queued for "
                                 f"{seconds:.0f} s; {QUEUED_CAUSE}")
            try:
                job = wait_or_cancel(
                    client, job.id, poll_interval=args.poll_interval,
                    max_poll_interval=max(args.poll_interval, 30.0), timeout=args.timeout,
                    cancel_on_timeout=args.cancel_on_timeout,
                    queued_warn_seconds=args.queued_warn or None, on_queued_long=queued,
                    sleep=nap)
            except _Interrupted:
                return StepRun(False, job, f"interrupted: job {job.id} may still run on the "
                                           "Server (ayx-server job ID --cancel stops it)")
            except JobTimeoutError as exc:
                return StepRun(False, exc.job or job, str(exc))
            except ApiError as exc:
                return StepRun(False, job, f"job {job.id} was started, then: {exc}")
            return StepRun(job.succeeded, job, "" if job.succeeded else job.summary())

        def on_event(kind: str, res: StepResult) -> None:
            if kind == "started":
                print(f"start  {res.step.id}: {res.step.workflow}", file=err)
                return
            finished[0] += 1
            job = res.value if isinstance(res.value, Job) else None
            what = res.error if res.state != "succeeded" else (job.summary() if job else "ok")
            took = f" ({res.seconds:.1f} s)" if res.seconds is not None else ""
            if res.state == "skipped":  # the error already says "skipped: step X failed"
                print(f"[{finished[0]}/{total}] {res.step.id}: {res.error}", file=err)
            else:
                print(f"[{finished[0]}/{total}] {res.step.id}: {res.state}{took}: {what}",
                      file=err)

        def on_tick() -> None:
            with lock:
                pending, notes[:] = list(notes), []
            for note in pending:
                print(note, file=err)

        results = run_plan(steps, run_step, max_in_flight=args.max_in_flight,
                           on_event=on_event, on_tick=on_tick, stop=stop)
        on_tick()
    _summary(results, args.json, out)
    bad = [r for r in results if r.state != "succeeded"]
    skipped = [r.step.id for r in results if r.state == "skipped"]
    failed = [r.step.id for r in results if r.state == "failed"]
    print(f"{total - len(bad)} succeeded, {len(failed)} failed"
          + (f" ({', '.join(failed)})" if failed else "")
          + f", {len(skipped)} skipped" + (f" ({', '.join(skipped)})" if skipped else ""),
          file=err)
    return EXIT_FAILED if bad else EXIT_OK


def _summary(results: list[StepResult], as_json: bool, out: TextIO) -> None:
    rows = []
    for r in results:
        job = r.value if isinstance(r.value, Job) else None
        rows.append({
            "Step": r.step.id, "State": r.state, "Workflow": r.step.workflow,
            "JobId": job.id if job else None, "JobStatus": job.status if job else None,
            "Disposition": job.disposition if job else None,
            "Started": r.started.isoformat() if r.started else None,
            "Ended": r.ended.isoformat() if r.ended else None,
            "Seconds": r.seconds, "Error": r.error or None,
        })
    if as_json:
        print(json.dumps(rows, indent=2, ensure_ascii=False), file=out)
        return
    cols = ["Step", "State", "JobId", "JobStatus", "Disposition", "Seconds", "Error"]
    _table(cols, [["" if row[c] is None else str(row[c]) for c in cols] for row in rows], out)


def _table(header: list[str], rows: list[list[str]], out: TextIO) -> None:
    cells = [header, *rows]
    widths = [min(60, max(len(r[i]) for r in cells)) for i in range(len(header))]
    for r in cells:
        print("  ".join(c[:60].ljust(w) for c, w in zip(r, widths, strict=True)).rstrip(), file=out)

