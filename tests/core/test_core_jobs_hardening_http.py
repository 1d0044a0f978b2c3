"""Jobs, hardened: numeric priorities per API (a saved v1 reply: "3" queued as 3), request ids."""

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


def test_the_request_id_of_a_lost_job_start_is_the_one_the_server_logged(
    emulator: EmulatorServer, make_client: Callable[..., ServerClient]
) -> None:
    """A job start whose answer was lost: the error's request id is the X-Request-Id the Server
    recorded with the job it did create, so an admin can find it; the error says it may have
    gone through."""
    from ayx_plugins.server_api import TransportError

    client = make_client()
    client.token()
    emulator.faults.drop(when="after", count=1, method="POST", path_prefix="/webapi/v3/workflows")
    with pytest.raises(TransportError) as info:
        start_job(client, SUCCESS_WF)
    created = emulator.counters.job_creations
    assert len(created) == 1 and info.value.maybe_delivered
    assert info.value.request_id == created[0]["clientRequestId"] == info.value.client_request_id
