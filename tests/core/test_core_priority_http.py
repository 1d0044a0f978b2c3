"""Numeric priorities (as a public client's saved v1 reply shows: "3" queued as 3), per API."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from core_seed import SUCCESS_WF

from ayx_plugins.server_api import ConfigurationError, ServerClient, start_job
from ayx_server_emulator import EmulatorServer


@pytest.mark.parametrize(("given", "v3", "v1"), [("3", "Critical", 3), (1, "Medium", 1),
                                                 ("high", "High", 2)])
def test_numeric_and_named_priorities(
    emulator: EmulatorServer, make_client: Callable[..., ServerClient], given: object,
    v3: str, v1: int,
) -> None:
    client = make_client()
    assert start_job(client, SUCCESS_WF, priority=given).priority == v3  # type: ignore[arg-type]
    job = start_job(client, SUCCESS_WF, priority=given, api="v1")  # type: ignore[arg-type]
    assert job.priority == v1
    with pytest.raises(ConfigurationError, match="priority"):
        start_job(client, SUCCESS_WF, priority="9")
    assert emulator.counters.jobs_created == 2
