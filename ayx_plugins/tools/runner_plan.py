"""Server Runner's plan mode: the whole input is one plan, each record a step.

A step starts when the steps named in its DependsOn field have succeeded; a step whose dependency
failed goes to Failure as "skipped: step X failed" without starting a job; a cycle, a duplicate
or an unknown step id is one configuration error before any job starts. At most `maxInFlight`
jobs run at once. The planner and executor are the core's (`server_api.orchestrate`): this mixin
only buffers the input (a plan needs every record before it can start), prepares each record on
the plugin thread, and writes one row per step with its start and end times and duration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

import pyarrow as pa

from ayx_plugins.server_api.orchestrate import (
    PlanError,
    Step,
    StepResult,
    StepRun,
    build_plan,
    parse_depends,
    run_plan,
)
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.engine import INPUT, Outcome
from ayx_plugins.tools.sources import NO_RECORD

if TYPE_CHECKING:
    from ayx_plugins.tools.engine import ServerTool

    _Base = ServerTool
else:
    _Base = object

START_TIME = "StartTime"
END_TIME = "EndTime"
DURATION = "DurationSeconds"

PLAN_FIELDS: tuple[pa.Field, ...] = (
    S.datetime_(START_TIME, "When the step started (UTC); null when it was skipped"),
    S.datetime_(END_TIME, "When the step ended (UTC); null when it was skipped"),
    S.double(DURATION, "How long the step took, in seconds"),
)


class PlanMode(_Base):
    """Mixed into ServerRunner before ServerTool: plan mode, or the engine's per-record mode."""

    _plan_tables: list[pa.Table]
    _plan_done: bool

    def _plan_mode(self) -> bool:
        return getattr(self.config, "mode", "records") == "plan"

    def _process(self, table: pa.Table | None, rows: list[dict[str, Any]]) -> None:
        if not self._plan_mode():
            super()._process(table, rows)
            return
        if table is not None and rows:  # keep every record: the plan starts at the end
            self.__dict__.setdefault("_plan_tables", []).append(table)

    def on_incoming_connection_complete(self, anchor: Any) -> None:
        """Plan mode: the input is complete, so the plan can run."""
        super().on_incoming_connection_complete(anchor)
        ready = not self.conn.waiting_for_record or self._config_error
        if self._plan_mode() and getattr(anchor, "name", INPUT) == INPUT and ready:
            self._run_plan()  # else at the end, once the Connection record has come

    def on_complete(self) -> None:
        """Plan mode: run the plan if the input's end did not (e.g. a late Connection record)."""
        if self._plan_mode():
            if self.conn.waiting_for_record and not self._config_error:
                self._config_error = NO_RECORD
            self._release_held()
            self._run_plan()
        super().on_complete()

    # ------------------------------------------------------------------------------ the plan
    def _run_plan(self) -> None:
        if self.__dict__.get("_plan_done"):
            return
        self._plan_done = True
        tables = self.__dict__.get("_plan_tables") or []
        if not tables:
            return
        table = pa.concat_tables(tables)
        rows = table.to_pylist()
        self._prepare()
        if not self._config_error:
            try:
                steps = build_plan(self._steps(rows))
            except PlanError as exc:
                self._config_error = str(exc)
        if self._config_error:
            self._report_config_error()
            self._write(table, [Outcome.fail(self._config_error) for _ in rows])
            return
        prepared = [self._prepare_record(row) for row in rows]  # on the plugin thread

        def run_step(step: Step) -> StepRun:
            ready = prepared[step.index]
            if isinstance(ready, Outcome):
                return StepRun(False, ready, ready.error)
            outcome: Outcome = self._run_one(*ready)
            return StepRun(outcome.success, outcome, outcome.error)

        total = len(steps)
        finished = [0]

        def on_event(kind: str, res: StepResult) -> None:
            if kind != "started":
                finished[0] += 1
                self._set_progress(min(0.99, finished[0] / total))

        cfg: Any = self.config
        results = run_plan(steps, run_step, max_in_flight=int(cfg.maxInFlight),
                           on_event=on_event, on_tick=self._drain_warnings)
        self._drain_warnings()
        self._rows_done += len(rows)
        self._write(table, [_step_outcome(r) for r in results])

    def _steps(self, rows: list[dict[str, Any]]) -> list[Step]:
        cfg: Any = self.config
        steps = []
        for i, row in enumerate(rows):
            raw = row.get(cfg.stepField)
            step_id = "" if raw is None else str(raw).strip()
            deps = parse_depends(row.get(cfg.dependsOnField)) if cfg.dependsOnField else ()
            steps.append(Step(id=step_id, depends_on=deps, index=i))
        return steps


def _step_outcome(res: StepResult) -> Outcome:
    outcome = res.value if isinstance(res.value, Outcome) else None
    if outcome is None:
        outcome = Outcome.fail(res.error or "The step did not run")
    times = {START_TIME: res.started, END_TIME: res.ended, DURATION: res.seconds}
    if outcome.success:
        for values in outcome.rows:
            values.update(times)
    else:
        values = outcome.rows[0] if outcome.rows else {}
        values.update(times)
        outcome.rows = [values]
    return outcome
