"""The DCM schema files the YXI ships (assets/dcm -> <tool>/DcmSchemas/) agree with what the
tools read from a DCM answer and with the Designer host's stand-in answer."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from ayx_plugins.tools.connection import dcm_spec
from ayx_plugins.tools.specs import TOOLS
from designer_host.dcm import server_api_connection

DCM = Path(__file__).resolve().parents[2] / "assets" / "dcm"


def _schema(kind: str, name: str) -> dict[str, Any]:
    data: dict[str, Any] = json.loads((DCM / kind / f"{name}.json").read_text(encoding="utf-8"))
    return data


def _required_paths(schema: dict[str, Any], prefix: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    out = []
    for key in schema.get("required", []):
        sub = schema.get("properties", {}).get(key, {})
        out.append((*prefix, key))
        out += _required_paths(sub, (*prefix, key))
    return out


def _get(data: dict[str, Any], path: tuple[str, ...]) -> Any:
    for key in path:
        data = data[key]
    return data


def test_every_tool_registers_the_schemas_under_one_namespace():
    assert {t.dcm_namespace for t in TOOLS} == {"AlteryxServerTools"}
    for kind in ("DataSources", "Credentials", "Connections"):
        for path in (DCM / kind).glob("*.json"):
            schema = json.loads(path.read_text(encoding="utf-8"))
            assert schema["$id"].startswith("AlteryxServerTools/")


def test_the_stand_in_answer_holds_every_required_value_and_the_tools_read_it():
    answer = server_api_connection("https://server.example.com/webapi/", "key-1", "secret-1")
    source = _schema("DataSources", "alteryx_server_api")
    cred = _schema("Credentials", "api_key_secret")
    for path in _required_paths(source):
        assert _get(answer["dataSource"], path) is not None
    for path in _required_paths(cred):
        assert _get(answer["credentials"]["DEFAULT"], path) is not None
    spec = dcm_spec(answer, "id", "oauth2")
    assert (spec.url, spec.api_key, spec.api_secret) == (
        "https://server.example.com/webapi/", "key-1", "secret-1")
