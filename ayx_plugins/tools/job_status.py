"""Server Job Status: fetch, or wait for, one job per record; failed jobs go to Failure."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.tools.config import JobStatusConfig
from ayx_plugins.tools.engine import (
    ConfigError,
    Outcome,
    ServerTool,
    ToolLogic,
    field_value,
    require_fields,
)
from ayx_plugins.tools.jobs_common import JOB_FIELDS, follow


class JobStatusLogic(ToolLogic):
    """GET (or poll) the job named by each record."""

    display_name = "Server Job Status"
    config: JobStatusConfig

    def result_fields(self) -> list[pa.Field]:
        """The job fields (the job id stays in its input field)."""
        return list(JOB_FIELDS)

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
        outcome, _job = follow(client, plan, self.config)
        return outcome


class ServerJobStatus(ServerTool):
    """Designer tool: Server Job Status."""

    TOOL = "ServerJobStatus"
    LOGIC = JobStatusLogic
