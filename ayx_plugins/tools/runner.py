"""Server Runner: run a Server workflow per record, optionally wait for it and fetch its outputs.

A job is started at most once per record: the core never retries `POST .../jobs`, and a failure
after the start (while waiting or downloading) is a Failure row naming the job, not a new job.
With concurrency 1 the records run strictly in input order (sequential chains).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.server_api.jobs import download_outputs, start_job
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
from ayx_plugins.tools.jobs_common import JOB_FIELDS, JOB_ID, WORKFLOW_ID, follow

OUTPUT_FILES = "OutputFiles"


@dataclass(frozen=True)
class RunPlan:
    """One record's job request."""

    workflow_id: str
    questions: list[dict[str, str]]


def _question_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    if hasattr(value, "isoformat"):
        return str(value.isoformat())
    return str(value)


class RunnerLogic(ToolLogic):
    """Start (and follow) one job per record."""

    display_name = "Server Runner"
    config: RunnerConfig

    def result_fields(self) -> list[pa.Field]:
        """Job id, workflow id, the job fields, and the downloaded files."""
        return [
            S.wstring(JOB_ID, "The job the record started"),
            S.wstring(WORKFLOW_ID, "The workflow that ran"),
            *JOB_FIELDS,
            S.wstring(OUTPUT_FILES, "Downloaded output files as a JSON list of paths"),
        ]

    def validate(self, input_schema: pa.Schema | None) -> None:
        """A workflow id source; question and output settings that can work."""
        c = self.config
        if not c.workflowId.strip() and not c.workflowIdField:
            raise ConfigError("Choose a workflow id or a field holding workflow ids")
        require_fields(input_schema, [c.workflowIdField], "Workflow id field")
        if c.questionsMode == "fields":
            require_fields(input_schema, c.questionFields, "Question fields")
        if c.questionsMode == "json":
            if not c.questionsJsonField:
                raise ConfigError("Choose the field holding the questions as JSON")
            require_fields(input_schema, [c.questionsJsonField], "Questions JSON field")
        if c.downloadOutputs and not c.outputFolder.strip():
            raise ConfigError("Choose a folder for the downloaded outputs")
        if c.apiVersion == "v1" and (c.workerTag or c.credentialId):
            raise ConfigError("Worker tag and credential id need the v3 API")

    def plan(self, row: Mapping[str, Any]) -> RunPlan:
        """The workflow id and the questions of one record."""
        c = self.config
        if c.workflowIdField:
            wf = str(field_value(row, c.workflowIdField, "The workflow id")).strip()
        else:
            wf = c.workflowId.strip()
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
        """Start the job; wait, judge and download when configured."""
        c = self.config
        job = start_job(client, plan.workflow_id, plan.questions,
                        priority=c.priority or None, worker_tag=c.workerTag or None,
                        credential_id=c.credentialId or None, api=c.apiVersion)
        extra = {WORKFLOW_ID: plan.workflow_id}
        try:
            outcome, final = follow(client, job, c, api=c.apiVersion, extra=extra)
            if outcome.success and c.downloadOutputs and final is not None and final.succeeded:
                folder = Path(c.outputFolder) / final.id
                paths = download_outputs(client, final, folder, fmt=c.outputFormat or "Raw")
                outcome.rows[0][OUTPUT_FILES] = json.dumps([str(p) for p in paths])
        except Exception as exc:  # after the start: report the job, never start it again
            outcome = describe_error(exc)
            outcome.error = f"Job {job.id} was started, then: {outcome.error}"
        return outcome


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


class ServerRunner(ServerTool):
    """Designer tool: Server Runner."""

    TOOL = "ServerRunner"
    LOGIC = RunnerLogic
