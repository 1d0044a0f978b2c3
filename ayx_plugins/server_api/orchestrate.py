"""Run a table of steps as a plan: each step a workflow, started when its dependencies succeeded.

The planner (`build_plan`) checks the whole plan before anything starts: every step has a unique
id, every dependency names a step, and there is no cycle (the error names it). The executor
(`run_plan`) starts ready steps in plan order, at most `max_in_flight` at once; a step whose
dependency failed (or was skipped) is skipped without running. Sequential = each step depends on
the previous one; simultaneous = no dependencies; nested = a step's workflow itself runs a plan.

The executor knows nothing about jobs: the caller's `run_step(step)` does the work (the CLI
starts and waits for a job; the Runner tool runs its per-record logic) and returns a `StepRun`.
All callbacks (`on_event`, `on_tick`) run on the thread that called `run_plan`, so a Designer
tool can write to the Results window from them.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from concurrent.futures import FIRST_COMPLETED, Future, ThreadPoolExecutor, wait
from dataclasses import dataclass, field
from datetime import datetime, timezone
from typing import Any, Literal

__all__ = [
    "PlanError",
    "Step",
    "StepResult",
    "StepRun",
    "build_plan",
    "parse_depends",
    "run_plan",
]

State = Literal["succeeded", "failed", "skipped"]
_TICK_S = 0.25


class PlanError(ValueError):
    """The plan cannot run: a missing or duplicate step id, an unknown dependency, a cycle."""


@dataclass(frozen=True)
class Step:
    """One step: its id, its workflow (id, URL or name), what it depends on, its questions."""

    id: str
    workflow: str = ""
    depends_on: tuple[str, ...] = ()
    questions: tuple[tuple[str, str], ...] = ()
    index: int = 0
    data: Any = field(default=None, compare=False, repr=False)


@dataclass
class StepRun:
    """What `run_step` returns: success, and whatever the caller wants back (a job, a row)."""

    succeeded: bool
    value: Any = None
    error: str = ""


@dataclass
class StepResult:
    """One step's end: succeeded / failed / skipped, its times and what `run_step` returned."""

    step: Step
    state: State
    started: datetime | None = None
    ended: datetime | None = None
    seconds: float | None = None
    value: Any = None
    error: str = ""

    @property
    def skipped(self) -> bool:
        """Not run because a dependency did not succeed."""
        return self.state == "skipped"


def parse_depends(value: Any) -> tuple[str, ...]:
    """Step ids from a DependsOn value: comma (or semicolon) separated text, or a list."""
    if value is None:
        return ()
    if isinstance(value, str):
        parts: Iterable[Any] = value.replace(";", ",").split(",")
    elif isinstance(value, (list, tuple)):
        parts = value
    else:
        parts = [value]
    out: list[str] = []
    for part in parts:
        text = str(part).strip()
        if text and text not in out:
            out.append(text)
    return tuple(out)


def build_plan(steps: Sequence[Step]) -> list[Step]:
    """Check a plan (ids, dependencies, cycles) and return its steps; raises `PlanError`."""
    by_id: dict[str, Step] = {}
    problems: list[str] = []
    for n, step in enumerate(steps):
        if not step.id.strip():
            problems.append(f"record {n + 1} has no step id")
        elif step.id in by_id:
            problems.append(f"step id {step.id!r} is used twice (records "
                            f"{by_id[step.id].index + 1} and {step.index + 1})")
        else:
            by_id[step.id] = step
    for step in steps:
        for dep in step.depends_on:
            if dep == step.id:
                problems.append(f"step {step.id!r} depends on itself")
            elif dep not in by_id:
                problems.append(f"step {step.id!r} depends on {dep!r}, which is not a step")
    if problems:
        raise PlanError("the plan cannot run: " + "; ".join(problems))
    cycle = _find_cycle(by_id)
    if cycle:
        raise PlanError("the plan cannot run: its steps depend on each other in a cycle: "
                        + " -> ".join(cycle))
    return list(steps)


def _find_cycle(by_id: Mapping[str, Step]) -> list[str] | None:
    # Iterative DFS (a long sequential chain must not hit the recursion limit).
    colour: dict[str, int] = {}
    for root in by_id:
        if colour.get(root):
            continue
        path: list[str] = []
        stack: list[tuple[str, int]] = [(root, 0)]
        while stack:
            node, i = stack.pop()
            if i == 0:
                colour[node] = 1
                path.append(node)
            deps = by_id[node].depends_on
            if i < len(deps):
                stack.append((node, i + 1))
                dep = deps[i]
                if colour.get(dep) == 1:
                    return [*path[path.index(dep):], dep]
                if not colour.get(dep):
                    stack.append((dep, 0))
            else:
                colour[node] = 2
                path.pop()
    return None


def _skip_reason(step: Step, results: Mapping[str, StepResult]) -> str | None:
    for dep in step.depends_on:
        res = results.get(dep)
        if res is None or res.state == "succeeded":
            continue
        if res.state == "failed":
            return f"skipped: step {dep} failed"
        root = res.error.removeprefix("skipped: ")
        return f"skipped: step {dep} was skipped ({root})"
    return None


def run_plan(
    steps: Sequence[Step],
    run_step: Callable[[Step], StepRun],
    *,
    max_in_flight: int = 2,
    on_event: Callable[[str, StepResult], None] | None = None,
    on_tick: Callable[[], None] | None = None,
    now: Callable[[], datetime] = lambda: datetime.now(timezone.utc),
    stop: threading.Event | None = None,
) -> list[StepResult]:
    """Run a checked plan; returns one result per step, in plan order.

    `on_event(kind, result)` with kind "started" (result.state not final yet), "finished" or
    "skipped"; `on_tick()` about 4 times a second while steps run. When the caller's thread is
    interrupted (Ctrl+C), `stop` is set before the running steps are waited for, so a
    `run_step` that watches it (e.g. as its poll sleep) can return at once.
    """
    plan = build_plan(steps)
    if max_in_flight < 1:
        raise PlanError("max jobs in flight must be at least 1")
    with ThreadPoolExecutor(max_workers=max_in_flight, thread_name_prefix="ayx-plan") as pool:
        run = _Run(plan, run_step, pool, max_in_flight, on_event, now)
        try:
            while run.step():
                if on_tick is not None:
                    on_tick()
        except BaseException:
            if stop is not None:
                stop.set()
            raise
    return [run.results[s.id] for s in plan]


class _Run:
    """The executor's state: what waits, what runs, what ended."""

    def __init__(self, plan: list[Step], run_step: Callable[[Step], StepRun],
                 pool: ThreadPoolExecutor, max_in_flight: int,
                 on_event: Callable[[str, StepResult], None] | None,
                 now: Callable[[], datetime]) -> None:
        self.results: dict[str, StepResult] = {}
        self.waiting = list(plan)
        self.running: dict[Future[StepRun], tuple[StepResult, float]] = {}
        self.run_step = run_step
        self.pool = pool
        self.max_in_flight = max_in_flight
        self.on_event = on_event
        self.now = now

    def emit(self, kind: str, res: StepResult) -> None:
        if self.on_event is not None:
            self.on_event(kind, res)

    def guarded(self, step: Step) -> StepRun:
        try:
            return self.run_step(step)
        except Exception as exc:  # a step's crash is that step's failure, never the plan's
            return StepRun(False, None, f"{type(exc).__name__}: {exc}")

    def start_ready(self) -> None:
        """Skip what cannot run; start what is ready, in plan order, up to the limit."""
        progressed = True
        while progressed:
            progressed = False
            for step in list(self.waiting):
                reason = _skip_reason(step, self.results)
                if reason is not None:
                    self.waiting.remove(step)
                    res = StepResult(step, "skipped", error=reason)
                    self.results[step.id] = res
                    self.emit("skipped", res)
                    progressed = True
                    continue
                ready = all(self.results.get(d) is not None for d in step.depends_on)
                if ready and len(self.running) < self.max_in_flight:
                    self.waiting.remove(step)
                    res = StepResult(step, "failed", started=self.now())
                    self.emit("started", res)
                    fut = self.pool.submit(self.guarded, step)
                    self.running[fut] = (res, time.monotonic())

    def step(self) -> bool:
        """Start what is ready, wait a moment for running steps; False once all have ended."""
        self.start_ready()
        if not self.running:
            for step in self.waiting:  # cannot happen for a checked plan; never loop forever
                self.results[step.id] = StepResult(step, "skipped", error="skipped: not ready")
            self.waiting.clear()
            return False
        done, _ = wait(list(self.running), timeout=_TICK_S, return_when=FIRST_COMPLETED)
        for fut in done:
            res, t0 = self.running.pop(fut)
            out = fut.result()
            res.ended = self.now()
            res.seconds = round(time.monotonic() - t0, 3)
            res.state = "succeeded" if out.succeeded else "failed"
            res.value = out.value
            res.error = out.error
            self.results[res.step.id] = res
            self.emit("finished", res)
        return True
