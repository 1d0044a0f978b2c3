"""`ayx-server`: the command line over the core (request, run, job, endpoints, doctor)."""

from __future__ import annotations

import sys


def main(argv: list[str] | None = None) -> int:
    """Entry point of `ayx-server`."""
    print("ayx-server: not implemented yet", file=sys.stderr)
    return 2
