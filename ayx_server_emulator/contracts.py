"""Contract validation driven by the v3 swagger-derived models (required fields, enums, types)."""

from __future__ import annotations

import ast
import re
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
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


@cache
def load_models() -> dict[str, Model]:
    """Parse data/v3-models.txt once."""
    text = (resources.files("ayx_server_emulator") / "data" / "v3-models.txt").read_text(
        encoding="utf-8")
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
