"""Server Job Status: fetch, or wait for, one job per record; failed jobs go to Failure.

Failure rows carry the job's JobId, JobStatus and Disposition; the wait can cancel the job at the
timeout and warns when a job stays Queued too long (see `jobs_common`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import JobStatusConfig
from ayx_plugins.tools.engine import (
    ConfigError,
    Outcome,
    ServerTool,
    ToolLogic,
    describe_error,
    field_value,
    require_fields,
)
from ayx_plugins.tools.jobs_common import (
    FAILURE_JOB_FIELDS,
    JOB_FIELDS,
    Notices,
    follow,
    with_job,
)


class JobStatusLogic(ToolLogic):
    """GET (or poll) the job named by each record."""

    display_name = "Server Job Status"
    config: JobStatusConfig

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.notices = Notices()

    def result_fields(self) -> list[pa.Field]:
        """The job fields (the job id stays in its input field)."""
        return list(JOB_FIELDS)

    def failure_fields(self) -> list[pa.Field]:
        """HTTP Status, Error, Error Detail, then the job's id, status and disposition."""
        return [*S.FAILURE_FIELDS, *FAILURE_JOB_FIELDS]

    def drain_warnings(self) -> list[str]:
        """Warnings from the worker threads (a job Queued too long)."""
        return self.notices.drain()

    def validate(self, input_schema: pa.Schema | None) -> None:
        """The job id field must exist."""
        if not self.config.jobIdField:
            raise ConfigError("Choose the field holding job ids")
        require_fields(input_schema, [self.config.jobIdField], "Job id field")

    def plan(self, row: Mapping[str, Any]) -> str:
        """The job id of one record."""
        return str(field_value(row, self.config.jobIdField, "The job id")).strip()

    def execute(self, client: ServerClient, plan: str) -> Outcome:
        """Fetch or wait; judge status and disposition."""
        try:
            outcome, _job = follow(client, plan, self.config, notices=self.notices)
        except Exception as exc:  # a 404 or a transport error: the row still names the job
            outcome = with_job(describe_error(exc), plan)
        return outcome


class ServerJobStatus(ServerTool):
    """Designer tool: Server Job Status."""

    TOOL = "ServerJobStatus"
    LOGIC = JobStatusLogic
