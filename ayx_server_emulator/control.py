"""The emulator's own admin endpoints under /_emulator/ (outside every Alteryx path)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from flask import Flask, Response, request

from .responses import json_response

if TYPE_CHECKING:
    from .server import EmulatorServer

ADMIN = "/_emulator"


def register(app: Flask, emu: EmulatorServer) -> None:
    """Add /_emulator/{health,counters,reset,faults,config,jobs/step,tokens/expire}."""

    def body() -> dict[str, Any]:
        data = request.get_json(silent=True)
        return data if isinstance(data, dict) else {}

    def bad(message: str) -> Response:
        return json_response({"message": message}, 400)

    def health() -> Response:
        return json_response({"status": "ok", "legacyEnabled": emu.config.legacy_enabled})

    def counters() -> Response:
        return json_response(emu.counters.as_dict())

    def reset() -> Response:
        emu.reset()
        return json_response({"status": "reset"})

    def faults_get() -> Response:
        return json_response([r.as_dict() for r in emu.faults.rules])

    def faults_post() -> Response:
        data = body()
        rules = data.get("rules", [data]) if data else []
        if data.get("clear"):
            emu.faults.clear()
        created = []
        for spec in rules:
            if not isinstance(spec, dict) or "kind" not in spec:
                continue
            spec = dict(spec)
            kind = spec.pop("kind")
            try:
                created.append(emu.faults.add(kind, **spec).as_dict())
            except (TypeError, ValueError) as exc:
                return bad(f"bad fault rule: {exc}")
        return json_response(created)

    def faults_delete() -> Response:
        emu.faults.clear()
        return json_response([])

    def config_get() -> Response:
        return json_response(emu.config.as_dict())

    def config_post() -> Response:
        try:
            emu.config.update(**body())
        except ValueError as exc:
            return bad(str(exc))
        return json_response(emu.config.as_dict())

    def step() -> Response:
        data = body()
        moved = emu.step_jobs(data.get("jobId"), steps=int(data.get("steps", 1)))
        return json_response({"advanced": moved})

    def expire() -> Response:
        emu.tokens.expire_all()
        return json_response({"status": "expired"})

    for rule, view, methods in [
        ("/health", health, ["GET"]), ("/counters", counters, ["GET"]),
        ("/reset", reset, ["POST"]), ("/faults", faults_get, ["GET"]),
        ("/faults", faults_post, ["POST"]), ("/faults", faults_delete, ["DELETE"]),
        ("/config", config_get, ["GET"]), ("/config", config_post, ["POST"]),
        ("/jobs/step", step, ["POST"]), ("/tokens/expire", expire, ["POST"]),
    ]:
        app.add_url_rule(ADMIN + rule, endpoint=f"admin:{rule}:{methods[0]}", view_func=view,
                         methods=methods)
