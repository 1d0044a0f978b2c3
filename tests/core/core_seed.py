"""Seeded ids of the emulator and small helpers shared by the core tests."""

from __future__ import annotations

SUCCESS_WF = "6101a0b0c0d0e0f0a0b0c001"
ERROR_WF = "6101a0b0c0d0e0f0a0b0c002"
WARNING_WF = "6101a0b0c0d0e0f0a0b0c003"
APP_WF = "6101a0b0c0d0e0f0a0b0c004"
OUTSIDER_WF = "6101a0b0c0d0e0f0a0b0c005"

# Awkward query values for OAuth 1.0a signing: spaces, '+', '&', '=', unicode, '~', '%', empty.
AWKWARD_QUERIES: list[list[tuple[str, str]]] = [
    [("search", "my app")],
    [("search", "a+b")],
    [("search", "fish & chips")],
    [("search", "x=y=z")],
    [("search", "café ☕ 東京")],
    [("search", "100% ~tilde~ /slash/ ?q #h")],
    [("search", "")],
    [("search", "one"), ("search", "two"), ("search", "one")],
    [("sortField", "name"), ("direction", "asc"), ("search", " lead and trail ")],
    [("a b", "c d"), ("é", "ü"), ("empty", "")],
]


class Sleeps:
    """A recording, non-sleeping `sleep` for retry policies: tests never wait for real."""

    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)
