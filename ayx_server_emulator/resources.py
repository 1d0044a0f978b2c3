"""v3 resources beyond workflows and jobs (filled in below)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from flask import Flask

if TYPE_CHECKING:
    from .server import EmulatorServer


def register(app: Flask, emu: EmulatorServer) -> None:
    """Add the v3 admin resources."""
