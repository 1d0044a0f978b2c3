"""Both auth families over real HTTP against the emulator: tokens, signatures, clock skew."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest
from core_seed import AWKWARD_QUERIES

from ayx_plugins.server_api import (
    AuthenticationError,
    LegacyApiRemovedError,
    PermissionDeniedError,
    ServerClient,
)
from ayx_server_emulator import EmulatorServer

MakeClient = Callable[..., ServerClient]


@pytest.mark.parametrize("in_body", [False, True], ids=["basic", "body"])
def test_one_token_serves_a_200_request_run(
    emulator: EmulatorServer, make_client: MakeClient, in_body: bool
) -> None:
    client = make_client(token_in_body=in_body)
    for _ in range(200):
        client.request_json("GET", "v3/workflows")
    assert emulator.counters.tokens_issued == 1
    assert client.stats.tokens_fetched == 1
    assert client.stats.requests == 201  # 200 calls + 1 token request


def test_concurrent_callers_fetch_one_token(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    # Slow token answers widen the window in which threads would race to fetch.
    emulator.faults.latency(0.2, path_prefix="/webapi/oauth2/token")
    barrier = threading.Barrier(8)
    errors: list[BaseException] = []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            for _ in range(5):
                curator.request_json("GET", "v3/workflows")
        except BaseException as exc:  # collected and re-raised below
            errors.append(exc)

    threads = [threading.Thread(target=work) for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    assert not errors
    assert emulator.counters.tokens_issued == 1


@pytest.mark.emulator_config(token_lifetime=1)
def test_token_refreshed_ahead_of_expiry(emulator: EmulatorServer, curator: ServerClient) -> None:
    first = curator.token()
    curator.request_json("GET", "v3/workflows")
    # Wait past the refresh point (90% of a 1 s lifetime), bounded.
    deadline = time.monotonic() + 5
    while first.expires_in > 0.05 and time.monotonic() < deadline:
        time.sleep(0.05)
    curator.request_json("GET", "v3/workflows")
    assert emulator.counters.tokens_issued == 2
    assert emulator.counters.statuses.get(401, 0) == 0  # refreshed before, not after, expiry
    assert curator.token().access_token != first.access_token


def test_a_401_mid_run_refreshes_once_and_retries(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    for _ in range(3):
        curator.request_json("GET", "v3/workflows")
    emulator.expire_tokens()
    assert curator.request_json("GET", "v3/workflows")
    for _ in range(3):
        curator.request_json("GET", "v3/workflows")
    assert emulator.counters.tokens_issued == 2
    assert emulator.counters.statuses.get(401) == 1


def test_denied_role_does_not_refetch_tokens_forever(
    emulator: EmulatorServer, make_client: MakeClient
) -> None:
    viewer = make_client("Viewer")
    for _ in range(4):
        with pytest.raises(PermissionDeniedError) as info:
            viewer.request_json("GET", "v3/workflows")
    assert "Curator" in str(info.value)
    # One refresh to rule out expiry, then the 401s are taken for what they are.
    assert emulator.counters.tokens_issued == 2


def test_bad_credentials_are_actionable(emulator: EmulatorServer) -> None:
    user = emulator.user("Curator")
    client = ServerClient(emulator.webapi_url, user.api_key, "wrong-secret-value")
    with pytest.raises(AuthenticationError) as info:
        client.request_json("GET", "v3/workflows")
    assert info.value.status == 400
    assert "My Profile" in str(info.value)
    assert "wrong-secret-value" not in str(info.value) + repr(info.value) + repr(client)
    # A Private Studio key is refused by the token endpoint too.
    studio = ServerClient(emulator.webapi_url, user.studio_key, user.studio_secret)
    with pytest.raises(AuthenticationError, match="Private Studio"):
        studio.verify_credentials()


def test_given_token_is_used_as_is(emulator: EmulatorServer, curator: ServerClient) -> None:
    token = curator.token().access_token
    plain = ServerClient(emulator.webapi_url, token=token)
    assert plain.request_json("GET", "v3/workflows")
    emulator.expire_tokens()
    with pytest.raises(PermissionDeniedError, match="expired"):
        plain.request_json("GET", "v3/workflows")
    assert emulator.counters.tokens_issued == 1
    assert token not in repr(plain) + repr(plain.token())


@pytest.mark.parametrize("params", AWKWARD_QUERIES, ids=lambda p: repr(p)[:40])
def test_oauth1_signatures_accepted_with_awkward_queries(
    emulator: EmulatorServer, make_client: MakeClient, params: list[tuple[str, str]]
) -> None:
    client = make_client(auth="oauth1")
    result = client.request_json("GET", "v1/workflows/subscription/", params=params)
    assert isinstance(result, list)


def test_oauth1_post_body_is_not_signed(emulator: EmulatorServer, make_client: MakeClient) -> None:
    client = make_client(auth="oauth1")
    job = client.request_json(
        "POST",
        "v1/workflows/6101a0b0c0d0e0f0a0b0c001/jobs/",
        json={"questions": [{"name": "q", "value": "a&b=c"}], "priority": 0},
    )
    assert job["status"] == "Queued"


@pytest.mark.emulator_config(clock_offset=3 * 3600)
def test_oauth1_clock_skew_is_corrected_from_the_date_header(
    emulator: EmulatorServer, make_client: MakeClient
) -> None:
    client = make_client(auth="oauth1")
    assert isinstance(client.request_json("GET", "v1/workflows/subscription/"), list)
    assert abs(client.stats.clock_offset_seconds - 3 * 3600) <= 2
    client.request_json("GET", "v1/workflows/subscription/")
    assert emulator.counters.statuses.get(401) == 1  # corrected once, then right every time


@pytest.mark.emulator_config(clock_offset=-3 * 3600, skew_message="TIMESTAMP too far off")
def test_clock_skew_message_matched_loosely(
    emulator: EmulatorServer, make_client: MakeClient
) -> None:
    client = make_client(auth="oauth1")
    assert isinstance(client.request_json("GET", "v1/workflows/subscription/"), list)
    assert client.stats.clock_offset_seconds < -3 * 3600 + 3


def test_bad_oauth1_secret_says_what_to_check(emulator: EmulatorServer) -> None:
    user = emulator.user("Curator")
    client = ServerClient(emulator.gallery_url, user.studio_key, user.studio_secret + " ")
    with pytest.raises(AuthenticationError, match="stray spaces"):
        client.request_json("GET", "v1/workflows/subscription/")
    assert emulator.counters.statuses.get(401) == 1  # a bad signature is not retried


@pytest.mark.emulator_config(legacy_enabled=False)
@pytest.mark.parametrize("status", [404, 405])
def test_removed_legacy_api_says_use_webapi(
    emulator: EmulatorServer, make_client: MakeClient, status: int
) -> None:
    emulator.config.legacy_removed_status = status
    client = make_client(auth="oauth1")
    with pytest.raises(LegacyApiRemovedError) as info:
        client.request_json("GET", "v1/workflows/subscription/")
    assert info.value.status == status
    assert "2022.1" in str(info.value) and "/webapi/" in str(info.value)
