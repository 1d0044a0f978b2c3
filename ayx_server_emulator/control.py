"""The emulator's own control endpoints under /_emulator/ (no auth, no faults, not counted)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Response, request

from .access import current_emulator
from .http import json_response
from .routing import Routes, View

ADMIN = "/_emulator"
routes = Routes((ADMIN,))


def _body() -> dict[str, Any]:
    data = request.get_json(silent=True)
    return data if isinstance(data, dict) else {}


def _bad(message: str) -> Response:
    return json_response({"message": message}, 400)


def _route(rule: str, method: str) -> Callable[[View], View]:
    return routes.route(rule, method, role=None, locked=False)


@_route("/health", "GET")
def health() -> Response:
    return json_response({"status": "ok",
                          "legacyEnabled": current_emulator().config.legacy_enabled})


@_route("/counters", "GET")
def counters() -> Response:
    return json_response(current_emulator().counters.as_dict())


@_route("/reset", "POST")
def reset() -> Response:
    current_emulator().reset()
    return json_response({"status": "reset"})


@_route("/faults", "GET")
def faults_get() -> Response:
    return json_response([r.as_dict() for r in current_emulator().faults.rules])


@_route("/faults", "POST")
def faults_post() -> Response:
    faults = current_emulator().faults
    data = _body()
    rules = data.get("rules", [data]) if data else []
    if data.get("clear"):
        faults.clear()
    created = []
    for spec in rules:
        if not isinstance(spec, dict) or "kind" not in spec:
            continue
        spec = dict(spec)
        kind = spec.pop("kind")
        try:
            created.append(faults.add(kind, **spec).as_dict())
        except (TypeError, ValueError) as exc:
            return _bad(f"bad fault rule: {exc}")
    return json_response(created)


@_route("/faults", "DELETE")
def faults_delete() -> Response:
    current_emulator().faults.clear()
    return json_response([])


@_route("/config", "GET")
def config_get() -> Response:
    return json_response(current_emulator().config.as_dict())


@_route("/config", "POST")
def config_post() -> Response:
    config = current_emulator().config
    try:
        config.update(**_body())
    except (TypeError, ValueError) as exc:
        return _bad(str(exc))
    return json_response(config.as_dict())


@_route("/jobs/step", "POST")
def step() -> Response:
    data = _body()
    moved = current_emulator().step_jobs(data.get("jobId"), steps=int(data.get("steps", 1)))
    return json_response({"advanced": moved})


@_route("/schedules/<scheduleId>/run", "POST")
def run_schedule(scheduleId: str) -> Response:
    emu = current_emulator()
    if scheduleId not in emu.state.schedules:
        return json_response({"message": f"Schedule '{scheduleId}' was not found."}, 404)
    return json_response({"jobId": emu.run_schedule(scheduleId)})


@_route("/tokens/expire", "POST")
def expire() -> Response:
    current_emulator().tokens.expire_all()
    return json_response({"status": "expired"})
