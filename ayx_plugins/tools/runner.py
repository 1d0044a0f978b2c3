"""Server Runner: run a Server workflow per record (or the records as a plan of steps), wait for
it by default, judge it, and fetch its outputs.

The workflow is an id, a pasted Gallery URL or an exact name (resolved once per run). Before a
job starts, its questions are checked against the app's (read once per workflow per run). A job
is started at most once per record: the core never retries `POST .../jobs`, and a failure after
the start (while waiting or downloading) is a Failure row naming the job, not a new job. With
concurrency 1 the records run strictly in input order. In plan mode (`runner_plan.py`) each
record is a step with a step id and the step ids it depends on.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.server_api.jobs import download_outputs, start_job
from ayx_plugins.server_api.segments import contained_path
from ayx_plugins.server_api.values import encode_value
from ayx_plugins.server_api.workflows import WorkflowDirectory, parse_workflow_ref
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import RunnerConfig
from ayx_plugins.tools.engine import (
    ConfigError,
    Outcome,
    RowError,
    ServerTool,
    ToolLogic,
    describe_error,
    field_value,
    require_fields,
)
from ayx_plugins.tools.jobs_common import (
    FAILURE_JOB_FIELDS,
    JOB_FIELDS,
    JOB_ID,
    WORKFLOW_ID,
    Notices,
    follow,
    with_job,
)
from ayx_plugins.tools.runner_plan import PLAN_FIELDS, PlanMode

OUTPUT_FILES = "OutputFiles"


@dataclass(frozen=True)
class RunPlan:
    """One record's job request: the workflow as given (id, URL or name) and its questions."""

    workflow: str
    questions: list[dict[str, str]]


_question_value = encode_value  # the core's one value rule: true/false, JSON, ISO dates


class RunnerLogic(ToolLogic):
    """Start (and follow) one job per record."""

    display_name = "Server Runner"
    config: RunnerConfig

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.directory = WorkflowDirectory()  # names and questions, once per run
        self.notices = Notices()

    def result_fields(self) -> list[pa.Field]:
        """Job id, workflow id, the job fields, the downloaded files (plan: the step's times)."""
        fields = [
            S.wstring(JOB_ID, "The job the record started"),
            S.wstring(WORKFLOW_ID, "The workflow that ran"),
            *JOB_FIELDS,
            S.wstring(OUTPUT_FILES, "Downloaded output files as a JSON list of paths"),
        ]
        if self.config.mode == "plan":
            fields += PLAN_FIELDS
        return fields

    def failure_fields(self) -> list[pa.Field]:
        """HTTP Status, Error, Error Detail, then the job (null when none started)."""
        fields = [*S.FAILURE_FIELDS, *FAILURE_JOB_FIELDS]
        if self.config.mode == "plan":
            fields += PLAN_FIELDS
        return fields

    def drain_warnings(self) -> list[str]:
        """Warnings from the worker threads (a job Queued too long), for the Results window."""
        return self.notices.drain()

    def validate(self, input_schema: pa.Schema | None) -> None:
        """A workflow source; question, plan and output settings that can work."""
        c = self.config
        if not c.workflow.strip() and not c.workflowField:
            raise ConfigError("Choose a workflow (its id, Gallery URL or name) or a field "
                              "holding workflows")
        if c.workflow.strip() and not c.workflowField:
            try:
                parse_workflow_ref(c.workflow)
            except Exception as exc:
                raise ConfigError(f"Workflow: {exc}") from None
        require_fields(input_schema, [c.workflowField], "Workflow field")
        if c.questionsMode == "fields":
            require_fields(input_schema, c.questionFields, "Question fields")
        if c.questionsMode == "json":
            if not c.questionsJsonField:
                raise ConfigError("Choose the field holding the questions as JSON")
            require_fields(input_schema, [c.questionsJsonField], "Questions JSON field")
        if c.mode == "plan":
            if not c.stepField:
                raise ConfigError("Choose the field holding each step's id")
            require_fields(input_schema, [c.stepField], "Step id field")
            require_fields(input_schema, [c.dependsOnField], "Depends-on field")
            if not c.wait:
                raise ConfigError("A plan needs 'Wait for each job' on: a step starts when the "
                                  "jobs it depends on have ended")
        if c.downloadOutputs and not c.outputFolder.strip():
            raise ConfigError("Choose a folder for the downloaded outputs")
        if c.apiVersion == "v1" and (c.workerTag or c.credentialId):
            raise ConfigError("Worker tag and credential id need the v3 API")

    def plan(self, row: Mapping[str, Any]) -> RunPlan:
        """The workflow and the questions of one record."""
        c = self.config
        if c.workflowField:
            wf = str(field_value(row, c.workflowField, "The workflow")).strip()
        else:
            wf = c.workflow.strip()
        questions: list[dict[str, str]] = []
        if c.questionsMode == "fields":
            for name in c.questionFields:
                value = row.get(name)
                if value is not None:  # a null answer is left out: the app uses its default
                    questions.append({"name": c.questionNames.get(name, name),
                                      "value": _question_value(value)})
        elif c.questionsMode == "json":
            questions = _questions_from_json(row.get(c.questionsJsonField),
                                             c.questionsJsonField)
        return RunPlan(wf, questions)

    def execute(self, client: ServerClient, plan: RunPlan) -> Outcome:
        """Resolve the workflow, check its questions, start the job; wait, judge, download."""
        c = self.config
        workflow_id = self.directory.resolve(client, plan.workflow)
        if c.checkQuestions:
            self.directory.check(client, workflow_id, plan.questions, api=c.apiVersion,
                                 label=plan.workflow)
        job = start_job(client, workflow_id, plan.questions,
                        priority=c.priority or None, worker_tag=c.workerTag or None,
                        credential_id=c.credentialId or None, api=c.apiVersion)
        extra = {WORKFLOW_ID: workflow_id}
        try:
            outcome, final = follow(client, job, c, api=c.apiVersion, extra=extra,
                                    notices=self.notices, what=plan.workflow)
            if outcome.success and c.downloadOutputs and final is not None and final.succeeded:
                folder = contained_path(c.outputFolder, final.id, what="job id")
                paths = download_outputs(client, final, folder, fmt=c.outputFormat or "Raw")
                outcome.rows[0][OUTPUT_FILES] = json.dumps([str(p) for p in paths])
        except Exception as exc:  # after the start: report the job, never start it again
            outcome = with_job(describe_error(exc), job)
            outcome.error = f"Job {job.id} was started, then: {outcome.error}"
        return with_job(outcome, job)


def _questions_from_json(raw: Any, name: str) -> list[dict[str, str]]:
    if raw is None or (isinstance(raw, str) and not raw.strip()):
        return []
    try:
        data = json.loads(raw) if isinstance(raw, str) else raw
    except ValueError as exc:
        raise RowError(f"The questions in field '{name}' are not valid JSON", str(exc)) from None
    if isinstance(data, Mapping):
        return [{"name": str(k), "value": _question_value(v)} for k, v in data.items()
                if v is not None]
    if isinstance(data, list) and all(isinstance(i, Mapping) and "name" in i for i in data):
        return [{"name": str(i["name"]), "value": _question_value(i.get("value", ""))}
                for i in data]
    raise RowError(f"The questions in field '{name}' must be a JSON object {{name: value}} or "
                   "a list of {\"name\", \"value\"} objects")


class ServerRunner(PlanMode, ServerTool):
    """Designer tool: Server Runner."""

    TOOL = "ServerRunner"
    LOGIC = RunnerLogic
