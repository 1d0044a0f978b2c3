"""Response helpers shared by the route modules: the Alteryx error shapes and body parsing."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Response, abort, g, request

DENIED = "Authorization has been denied for this request."
V3_REQUIRED_MSG = "The {name} field is required."


def json_response(data: Any, status: int = 200, *, pretty: bool = False) -> Response:
    """Serialize data as the server does (compact, or indented when pretty)."""
    text = json.dumps(data, indent=2) if pretty else json.dumps(data, separators=(",", ":"))
    return Response(text, status=status, mimetype="application/json")


def legacy_envelope(message: str, status: int = 401,
                    exception: str = "UnauthorizedException") -> Response:
    """The legacy Gallery API's error envelope."""
    return json_response({"data": None, "exceptionName": exception,
                          "innerExceptionMessage": "", "message": message}, status)


def fail(status: int, message: str, model_state: dict[str, list[str]] | None = None) -> NoReturn:
    """Abort the request with a JSON error in the family's shape."""
    if getattr(g, "family", "webapi") == "gallery":
        names = {400: "BadRequestException", 401: "UnauthorizedException",
                 404: "NotFoundException", 415: "UnsupportedMediaTypeException"}
        body: dict[str, Any] = {"data": None, "exceptionName": names.get(status, "Exception"),
                                "innerExceptionMessage": "", "message": message}
        if model_state:
            body["modelState"] = model_state
        abort(json_response(body, status))
    payload: dict[str, Any] = {"message": message}
    if model_state is not None:
        payload["modelState"] = model_state
    abort(json_response(payload, status))


def denied() -> NoReturn:
    """401 'Authorization has been denied for this request.' (role, membership, key kind)."""
    fail(401, DENIED)


def not_found(kind: str, ident: str) -> NoReturn:
    """404 for an unknown id."""
    fail(404, f"{kind} '{ident}' was not found.")


def invalid(model_state: dict[str, list[str]],
            message: str = "The request is invalid.") -> NoReturn:
    """400 with the InvalidRequestResponseBody shape {message, modelState}."""
    fail(400, message, model_state)


def unsupported_media() -> NoReturn:
    """415 as ASP.NET Web API words it."""
    ctype = request.mimetype or "application/octet-stream"
    fail(415, f"The request entity's media type '{ctype}' is not supported for this resource.")


def json_body(name: str = "contract", *, required: bool = True) -> Any:
    """Parse a JSON request body strictly (415 for other media types, 400 when missing/bad)."""
    raw = request.get_data(cache=True)
    if not raw.strip():
        if required:
            invalid({name: [V3_REQUIRED_MSG.format(name=name)]})
        return None
    if request.mimetype != "application/json":
        unsupported_media()
    try:
        return json.loads(raw)
    except (ValueError, UnicodeDecodeError):
        invalid({name: ["The request body is not valid JSON."]})


def json_object(name: str = "contract", *, required: bool = True) -> dict[str, Any]:
    """Parse a JSON body that must be an object."""
    body = json_body(name, required=required)
    if body is None:
        return {}
    if not isinstance(body, dict):
        invalid({name: ["A JSON object is expected."]})
    return body


def require_fields(body: dict[str, Any], *names: str) -> None:
    """400 with one modelState entry per missing (absent, null or empty) field."""
    missing = {f"contract.{n}": [V3_REQUIRED_MSG.format(name=n)] for n in names
               if body.get(n) is None or body.get(n) == ""}
    if missing:
        invalid(missing)


def int_arg(name: str, default: int | None = None, *, minimum: int = 0) -> int | None:
    """Read an integer query parameter (400 when it is not one)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        invalid({name: [f"The value '{raw}' is not valid for {name}."]})
    if value < minimum:
        invalid({name: [f"{name} must be at least {minimum}."]})
    return value


def bool_arg(name: str, default: bool | None = None) -> bool | None:
    """Read a boolean query parameter ("true"/"false", any case)."""
    raw = request.args.get(name)
    if raw is None or raw == "":
        return default
    low = raw.lower()
    if low not in ("true", "false"):
        invalid({name: [f"The value '{raw}' is not valid for {name}."]})
    return low == "true"


def view_arg() -> str:
    """The v3 `view` parameter: Default (reduced) or Full."""
    raw = request.args.get("view", "Default")
    if raw.lower() not in ("default", "full"):
        invalid({"view": [f"The value '{raw}' is not valid for view."]})
    return "Full" if raw.lower() == "full" else "Default"
