"""The one URL map: every family's route table, then the generic handler for the rest of the
catalogue. A new endpoint is a route in its family's responses module (and, for v3, an entry
in the core's catalogue data file)."""

from __future__ import annotations

from functools import cache

from . import control
from .admin import responses as admin
from .auth import responses as auth
from .collections import responses as collections
from .connections import responses as connections
from .credentials import responses as credentials
from .jobs import responses as jobs
from .legacy import responses as legacy
from .routing import WEBAPI, Route
from .schedules import responses as schedules
from .users import responses as users
from .workflows import responses as workflows

FAMILIES = (auth, workflows, jobs, users, collections, schedules, credentials, connections,
            legacy, admin, control)


@cache
def url_map() -> tuple[Route, ...]:
    """Every route, in registration order (built once per process)."""
    routes = [r for family in FAMILIES for r in family.routes.items]
    taken = [(m, r.rule) for r in routes if WEBAPI in r.families for m in r.methods]
    return (*routes, *connections.generic_routes(taken))
