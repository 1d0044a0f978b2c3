"""Fixtures for the core tests: clients bound to the `emulator` fixture's seeded users."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TYPE_CHECKING, Any

import pytest

from ayx_plugins.server_api import RetryPolicy, ServerClient

if TYPE_CHECKING:
    from ayx_server_emulator import EmulatorServer

from core_seed import Sleeps


@pytest.fixture
def sleeps() -> Sleeps:
    """The delays a retry policy asked for."""
    return Sleeps()


@pytest.fixture
def fast_retry(sleeps: Sleeps) -> RetryPolicy:
    """The default policy, but recording its sleeps instead of sleeping."""
    return RetryPolicy(sleep=sleeps)


@pytest.fixture
def make_client(
    emulator: EmulatorServer, fast_retry: RetryPolicy
) -> Iterator[Callable[..., ServerClient]]:
    """Build clients for seeded users: make_client(role="Curator", auth="oauth2", **kw)."""
    made: list[ServerClient] = []

    def make(role: str = "Curator", auth: str = "oauth2", **kw: Any) -> ServerClient:
        user = emulator.user(role)
        kw.setdefault("retry", fast_retry)
        kw.setdefault("timeout", 10.0)
        if auth == "oauth1":
            client = ServerClient(emulator.gallery_url, user.studio_key, user.studio_secret, **kw)
        else:
            client = ServerClient(emulator.webapi_url, user.api_key, user.api_secret, **kw)
        made.append(client)
        return client

    yield make
    for client in made:
        client.close()


@pytest.fixture
def curator(make_client: Callable[..., ServerClient]) -> ServerClient:
    """An OAuth 2 client of the seeded Curator."""
    return make_client("Curator")
