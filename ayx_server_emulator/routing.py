"""The one way routes are declared: each family's responses module fills a `Routes` table.

`urls.py` gathers the tables into the one URL map; `app.py` registers it. A route names its
rule relative to the API base (`/v3/jobs/<jobId>`), its methods, the least role it needs
(checked before the view; None = the view checks) and the families it is served on.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from flask import Response

WEBAPI = "/webapi"
GALLERY = "/gallery/api"
BOTH = (WEBAPI, GALLERY)

View = Callable[..., Response]


@dataclass(frozen=True)
class Route:
    """One rule of the URL map."""

    rule: str
    methods: tuple[str, ...]
    view: View
    role: str | None = "Curator"
    families: tuple[str, ...] = (WEBAPI,)
    #: Run the view holding the state lock (every view that reads or changes state).
    locked: bool = True
    #: Extra name part, for rules declared twice with different views.
    name: str = ""

    def endpoints(self) -> list[tuple[str, str]]:
        """(full rule, endpoint name) per family."""
        tag = ",".join(self.methods) + (f":{self.name}" if self.name else "")
        return [(prefix + self.rule, f"{prefix}{self.rule}:{tag}") for prefix in self.families]


class Routes:
    """A family's route table, filled with the `route` decorator."""

    def __init__(self, families: tuple[str, ...] = (WEBAPI,)) -> None:
        self.families = families
        self.items: list[Route] = []

    def route(self, rule: str, *methods: str, role: str | None = "Curator",
              families: tuple[str, ...] | None = None, locked: bool = True,
              name: str = "") -> Callable[[View], View]:
        """Declare a view for `rule` (relative to the API base) and `methods`."""
        def deco(view: View) -> View:
            self.items.append(Route(rule, tuple(methods) or ("GET",), view, role,
                                    families or self.families, locked, name))
            return view
        return deco

    def add(self, route: Route) -> None:
        """Add a route built elsewhere (the generic catalogue handler)."""
        self.items.append(route)

