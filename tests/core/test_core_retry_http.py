"""The retry policy over real HTTP: idempotent calls retried, a job-creating POST never re-sent."""

from __future__ import annotations

import socket
from collections.abc import Callable

import pytest
from core_seed import SUCCESS_WF, Sleeps

from ayx_plugins.server_api import (
    ApiError,
    NotFoundError,
    RateLimitError,
    RetryPolicy,
    ServerClient,
    ServerError,
    TransportError,
    start_job,
)
from ayx_server_emulator import EmulatorServer

MakeClient = Callable[..., ServerClient]
JOBS_V3 = "/webapi/v3/workflows/<workflowId>/jobs"


def _posts(emulator: EmulatorServer) -> int:
    return emulator.counters.count("POST", JOBS_V3)


def test_get_retried_on_503_then_succeeds(
    emulator: EmulatorServer, curator: ServerClient, sleeps: Sleeps
) -> None:
    curator.token()
    emulator.faults.error(503, count=2, method="GET")
    assert curator.request_json("GET", "v3/workflows")
    assert curator.stats.retries == 2
    assert len(sleeps.calls) == 2 and all(0 < s <= 8.0 for s in sleeps.calls)


@pytest.mark.parametrize("status", [429, 502, 504])
def test_retry_after_is_honoured(
    emulator: EmulatorServer, curator: ServerClient, sleeps: Sleeps, status: int
) -> None:
    curator.token()
    emulator.faults.error(status, count=1, retry_after=3, method="GET")
    assert curator.request_json("GET", "v3/workflows")
    assert sleeps.calls == [3.0]


def test_retries_are_bounded(emulator: EmulatorServer, make_client: MakeClient) -> None:
    sleeps = Sleeps()
    client = make_client(retry=RetryPolicy(max_retries=2, sleep=sleeps))
    client.token()
    emulator.faults.error(429, method="GET")
    with pytest.raises(RateLimitError) as info:
        client.request_json("GET", "v3/workflows")
    assert info.value.status == 429
    assert len(sleeps.calls) == 2
    assert emulator.counters.count("GET", "/webapi/v3/workflows") == 3


@pytest.mark.parametrize("method", ["PUT", "DELETE"])
def test_put_and_delete_are_retried(
    emulator: EmulatorServer, curator: ServerClient, method: str
) -> None:
    curator.token()
    emulator.faults.error(503, count=1, method=method)
    # The id is unknown: whatever the final answer, it came from past the injected 503.
    with pytest.raises(ApiError) as info:
        curator.request(method, "v3/workflows/000000000000000000000000", json={})
    assert info.value.status != 503
    assert curator.stats.retries == 1


def test_job_post_not_retried_on_503(emulator: EmulatorServer, curator: ServerClient) -> None:
    curator.token()
    emulator.faults.error(503, count=1, method="POST", path_prefix="/webapi/v3/workflows")
    with pytest.raises(ServerError):
        start_job(curator, SUCCESS_WF)
    assert _posts(emulator) == 1
    assert curator.stats.retries == 0


def test_job_post_not_resent_after_a_dropped_connection(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    curator.token()
    emulator.faults.drop(when="after", count=1, method="POST", path_prefix="/webapi/v3/workflows")
    with pytest.raises(TransportError, match="may have gone through") as info:
        start_job(curator, SUCCESS_WF)
    assert info.value.status is None
    assert _posts(emulator) == 1
    assert emulator.counters.jobs_created == 1  # the Server did start it: exactly once
    assert curator.stats.retries == 0


def test_job_post_not_resent_after_a_read_timeout(
    emulator: EmulatorServer, make_client: MakeClient
) -> None:
    client = make_client(timeout=0.3)
    client.token()
    emulator.faults.latency(1.0, count=1, method="POST")
    with pytest.raises(TransportError, match="check the job list"):
        start_job(client, SUCCESS_WF)
    assert _posts(emulator) == 1
    assert client.stats.retries == 0


def test_get_retried_after_a_dropped_connection(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    curator.token()
    emulator.faults.drop(when="before", count=1, method="GET")
    assert curator.request_json("GET", "v3/workflows")
    assert curator.stats.retries == 1


def test_delete_retried_after_a_lost_answer_explains_the_404(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    created = curator.request_json("POST", "v3/collections", json={"name": "Doomed"})
    emulator.faults.drop(when="after", count=1, method="DELETE")
    with pytest.raises(NotFoundError, match="most likely already did it"):
        curator.request("DELETE", f"v3/collections/{created}")
    assert curator.stats.retries == 1
    with pytest.raises(NotFoundError) as plain:  # an ordinary 404 says nothing of the kind
        curator.request("DELETE", f"v3/collections/{created}")
    assert "most likely" not in str(plain.value)


def _closed_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def test_post_retried_only_when_never_sent(sleeps: Sleeps) -> None:
    # Nothing listens: the connection is refused before a byte is sent, so even a POST may retry.
    client = ServerClient(
        f"http://127.0.0.1:{_closed_port()}/webapi/",
        token="not-a-secret",
        retry=RetryPolicy(max_retries=2, sleep=sleeps),
        timeout=2,
    )
    with pytest.raises(TransportError, match="refused") as info:
        client.request("POST", "v3/workflows/x/jobs", json={})
    assert info.value.status is None
    assert client.stats.requests == 3 and client.stats.retries == 2


def test_tls_failure_is_a_transport_error_with_advice(emulator: EmulatorServer) -> None:
    https = emulator.url.replace("http://", "https://") + "/webapi/"
    client = ServerClient(https, token="not-a-secret", retry=RetryPolicy(max_retries=2))
    with pytest.raises(TransportError, match="TLS failed"):
        client.request_json("GET", "v3/workflows")
    assert client.stats.retries == 0  # a TLS failure is not retried


def test_token_endpoint_outage_is_retried_and_explained(
    emulator: EmulatorServer, make_client: MakeClient
) -> None:
    client = make_client()
    # One budget (3 retries) for the token and the request together, not one loop in another.
    emulator.faults.error(503, count=3, path_prefix="/webapi/oauth2/token")
    job = start_job(client, SUCCESS_WF)  # the POST waits for a token; it is sent exactly once
    assert job.status == "Queued"
    assert emulator.counters.tokens_issued == 1 and _posts(emulator) == 1
    emulator.faults.error(429, path_prefix="/webapi/oauth2/token")
    other = make_client(retry=RetryPolicy(max_retries=1, sleep=Sleeps()))
    with pytest.raises(RateLimitError) as info:
        other.request_json("GET", "v3/workflows")
    assert "check the API key" not in str(info.value) and "oauth2/token" in str(info.value)
