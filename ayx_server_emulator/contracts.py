"""Contract validation driven by the v3 swagger-derived models (required fields, enums, types).

The endpoint catalogue and the models exist once, in the core's data folder
(`ayx_plugins/server_api/data/`); the emulator reads those files by path and never imports the
core (finding a top-level package's folder does not run its code).
"""

from __future__ import annotations

import ast
import importlib.util
import json
import re
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

_MODEL_LINE = re.compile(r"^([A-Za-z0-9]+): (.*)$")


@dataclass
class Model:
    """One swagger model: field types, enums and required fields (wire names)."""

    name: str
    fields: dict[str, str] = field(default_factory=dict)
    enums: dict[str, list[str]] = field(default_factory=dict)
    required: list[str] = field(default_factory=list)


def _wire_name(model: Model, snake: str) -> str:
    flat = snake.replace("_", "").lower()
    for name in model.fields:
        if name.lower() == flat:
            return name
    return snake


CATALOGUE_FILE = "v3-swagger-derived-endpoints.json"
MODELS_FILE = "v3-swagger-derived-models.txt"


def core_data_file(name: str) -> Path:
    """Path of one of the core's data files (the single copy both sides read)."""
    spec = importlib.util.find_spec("ayx_plugins")
    if spec is None or not spec.submodule_search_locations:
        raise FileNotFoundError("the ayx_plugins package (the core's data files) is not installed")
    path = Path(next(iter(spec.submodule_search_locations))) / "server_api" / "data" / name
    if not path.is_file():
        raise FileNotFoundError(path)
    return path


@cache
def catalogue_operations() -> list[dict[str, Any]]:
    """The swagger-derived v3 operations (plus the ones added from the help pages)."""
    data = json.loads(core_data_file(CATALOGUE_FILE).read_text(encoding="utf-8"))
    ops: list[dict[str, Any]] = data["operations"]
    return ops


@cache
def load_models() -> dict[str, Model]:
    """Parse the core's v3-swagger-derived-models.txt once."""
    text = core_data_file(MODELS_FILE).read_text(encoding="utf-8")
    models: dict[str, Model] = {}
    current: Model | None = None
    for line in text.splitlines():
        if line.startswith("#") or not line.strip():
            continue
        if not line.startswith(" "):
            m = _MODEL_LINE.match(line)
            if not m:
                current = None
                continue
            current = Model(m.group(1))
            for part in re.split(r",\s*(?![^()]*\))", m.group(2)):
                fname, _, ftype = part.strip().partition(":")
                if fname:
                    current.fields[fname.strip()] = ftype.strip()
            models[current.name] = current
            continue
        if current is None:
            continue
        body = line.strip()
        if body.startswith("required:"):
            names = ast.literal_eval(body.split(":", 1)[1].strip())
            current.required = [_wire_name(current, n) for n in names]
        elif body.startswith("enum "):
            fname, _, values = body[5:].partition("=")
            current.enums[_wire_name(current, fname.strip())] = ast.literal_eval(values.strip())
    return models


def _type_ok(ftype: str, value: Any) -> bool:
    if ftype == "str":
        return isinstance(value, str)
    if ftype == "bool":
        return isinstance(value, bool)
    if ftype == "int":
        return isinstance(value, int) and not isinstance(value, bool)
    if ftype.startswith("list["):
        return isinstance(value, list)
    if ftype.startswith("dict("):
        return isinstance(value, dict)
    if ftype == "datetime":
        return isinstance(value, str)
    return True


def validate(model_name: str, body: Any, prefix: str = "contract") -> dict[str, list[str]]:
    """Return modelState entries for a body against a model (empty when valid)."""
    models = load_models()
    model = models[model_name]
    errors: dict[str, list[str]] = {}
    if not isinstance(body, dict):
        return {prefix: [f"A JSON object ({model_name}) is expected."]}
    for name in model.required:
        if body.get(name) is None:
            errors[f"{prefix}.{name}"] = [f"The {name} field is required."]
    for name, value in body.items():
        ftype = model.fields.get(name)
        if ftype is None or value is None:
            continue
        if ftype in models:
            errors.update(validate(ftype, value, f"{prefix}.{name}"))
            continue
        if not _type_ok(ftype, value):
            errors[f"{prefix}.{name}"] = [f"The value for {name} must be of type {ftype}."]
        elif name in model.enums and value not in model.enums[name]:
            errors[f"{prefix}.{name}"] = [
                f"'{value}' is not valid for {name}; expected one of "
                f"{', '.join(model.enums[name])}."]
    return errors
