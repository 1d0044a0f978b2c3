"""The Flask application: authentication per family, error shapes, and the one URL map."""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map

from .access import require_role
from .auth import responses as auth
from .control import ADMIN
from .http import json_response
from .routing import GALLERY, WEBAPI, Route
from .urls import url_map

if TYPE_CHECKING:
    from .server import EmulatorServer

__all__ = ["create_app"]


class _EmulatorFlask(Flask):
    """Flask that can reuse an already compiled URL map.

    Compiling ~170 werkzeug rules costs a quarter of a second; every emulator serves the same
    rules, so later instances only bind their own view functions to the shared, read-only map.
    """

    reuse_map = False

    def add_url_rule(self, rule: str, endpoint: str | None = None,
                     view_func: Callable[..., Any] | None = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        if not self.reuse_map:
            super().add_url_rule(rule, endpoint, view_func, provide_automatic_options,
                                 **options)
            return
        if view_func is not None:
            self.view_functions[endpoint or view_func.__name__] = view_func


_SHARED_MAP: list[Map] = []
_SHARED_MAP_LOCK = threading.Lock()


def create_app(emu: EmulatorServer) -> Flask:
    """Build the Flask app serving both API families and the /_emulator control endpoints."""
    with _SHARED_MAP_LOCK:
        app = _EmulatorFlask("ayx_server_emulator", static_folder=None)
        if _SHARED_MAP:
            app.url_map = _SHARED_MAP[0]
            app.reuse_map = True
        else:
            app.url_map.strict_slashes = False
            # Double slashes are the WSGI layer's business (a knob), not a redirect.
            app.url_map.merge_slashes = False
        _build(app, emu)
        if not _SHARED_MAP:
            _SHARED_MAP.append(app.url_map)
    return app


def _view(route: Route, emu: EmulatorServer) -> Callable[..., Response]:
    def view(**kw: Any) -> Response:
        if route.role is not None:
            require_role(route.role)
        if not route.locked:
            return route.view(**kw)
        with emu.state.lock:
            return route.view(**kw)
    view.__name__ = route.view.__name__
    return view


def _build(app: Flask, emu: EmulatorServer) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["emulator"] = emu

    @app.before_request
    def _authenticate() -> Response | None:
        path = request.path
        g.family = "gallery" if path.startswith(GALLERY) else "webapi"
        if path.startswith(ADMIN):
            return None
        if path.startswith(GALLERY) and not emu.config.legacy_enabled:
            return Response("<html><body><h1>Not Found</h1></body></html>",
                            status=emu.config.legacy_removed_status, mimetype="text/html")
        exc = request.routing_exception
        if isinstance(exc, MethodNotAllowed):
            return json_response({"message": "The requested resource does not support http "
                                  f"method '{request.method}'."}, 405)
        if isinstance(exc, NotFound) or exc is not None:
            return json_response({"message": "No HTTP resource was found that matches the "
                                  f"request URI '{request.url}'."}, 404)
        if path == WEBAPI + auth.TOKEN_PATH:
            return None
        if path.startswith(GALLERY):
            return auth.oauth1(emu)
        return auth.bearer(emu)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        resp = exc.get_response()
        if isinstance(exc.response, Response):
            return exc.response
        return json_response({"message": exc.description or resp.status}, exc.code or 500)

    for route in url_map():
        for rule, endpoint in route.endpoints():
            app.add_url_rule(rule, endpoint=endpoint, view_func=_view(route, emu),
                             methods=list(route.methods))
