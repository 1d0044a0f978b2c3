"""HTTP helpers shared by the responses modules: the Alteryx error shapes, argument and body
parsing (JSON, multipart)."""

from __future__ import annotations

import json
from typing import Any, NoReturn

from flask import Response, abort, g, request

from .contracts import validate

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


# ----------------------------------------------------------------------------- bodies
def contract(model: str, name: str = "contract") -> dict[str, Any]:
    """Parse and validate a JSON body against a swagger model (400 with modelState)."""
    body = json_object(name)
    errors = validate(model, body, name)
    if errors:
        invalid(errors)
    return body


def id_response(value: str) -> Response:
    """A new id as the server returns it: a JSON string."""
    return json_response(value)


def empty() -> Response:
    """200 with no body (the server's void operations)."""
    return Response(status=200)


def get_or_404(store: dict[str, dict[str, Any]], kind: str, ident: str) -> dict[str, Any]:
    """The item or a 404."""
    item = store.get(ident)
    if item is None:
        not_found(kind, ident)
    return item


def page(items: list[Any], offset: int | None, limit: int | None) -> list[Any]:
    """offset/limit paging."""
    start = offset or 0
    return items[start:] if limit is None else items[start:start + limit]


def direction_arg(default: str = "desc") -> str:
    """`direction`: asc or desc (400 otherwise)."""
    direction = (request.args.get("direction") or default).lower()
    if direction not in ("asc", "desc"):
        invalid({"direction": ["direction must be asc or desc."]})
    return direction


# ----------------------------------------------------------------------------- multipart
def multipart(file_part: str = "file") -> tuple[dict[str, str], Any]:
    """The form fields and one file part of a multipart/form-data request (415 otherwise)."""
    if request.mimetype != "multipart/form-data":
        unsupported_media()
    return dict(request.form.items()), request.files.get(file_part)


def form_bool(form: dict[str, str], name: str, errors: dict[str, list[str]], *,
              required: bool) -> bool | None:
    """A "true"/"false" form field (errors collects what is wrong)."""
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    if raw.lower() not in ("true", "false"):
        errors[name] = [f"The value '{raw}' is not valid for {name}."]
        return None
    return raw.lower() == "true"


def form_enum(form: dict[str, str], name: str, allowed: tuple[str, ...],
              errors: dict[str, list[str]], *, required: bool) -> str | None:
    """A form field that must be one of `allowed`."""
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    if raw not in allowed:
        errors[name] = [f"The value '{raw}' is not valid for {name}."]
        return None
    return raw


def form_str(form: dict[str, str], name: str, errors: dict[str, list[str]], *,
             required: bool) -> str | None:
    """A text form field."""
    raw = form.get(name)
    if raw is None or raw == "":
        if required:
            errors[name] = [f"The {name} field is required."]
        return None
    return raw


def form_json_list(form: dict[str, str], name: str, errors: dict[str, list[str]]) -> list[str]:
    """A form field holding a JSON array of strings (`districtTags`, `collectionIds`)."""
    raw = form.get(name)
    if raw is None or raw == "":
        return []
    try:
        value = json.loads(raw)
    except ValueError:
        value = None
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors[name] = [f"{name} must be a JSON array of strings, e.g. [\"id1\",\"id2\"]."]
        return []
    return value
