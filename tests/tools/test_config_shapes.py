"""Every list and map option of every tool survives Designer's Json.NET step, in the panels'
JSON-text shape and in the older array/object shape that saved workflows hold (issue 11.1)."""

from __future__ import annotations

import json
import typing
from typing import Any

import pytest
import xmltodict

from ayx_plugins.tools.config import TOOL_CONFIGS, parse_config
from designer_host.jsonnet import configuration_to_xml

TRICKY_KEYS = ["Sales Region", "2024", "a_x0020_b", "Größe", "$filter", "x.y-z", "名前"]
TRICKY_VALUES = ["Region, West", "", " padded", "a&b<c>", "[not json", "1"]


def _kind(annotation: Any) -> str | None:
    text = str(annotation)
    if "dict[str, str]" in text:
        return "map"
    if "list[str]" in text:
        return "list"
    return None


def _options() -> list[tuple[str, str, str]]:
    out = []
    for tool, model in TOOL_CONFIGS.items():
        for name, field in model.model_fields.items():
            kind = _kind(field.annotation) or _kind(typing.get_args(field.annotation))
            if kind:
                out.append((tool, name, kind))
    return out


OPTIONS = _options()


def _parsed(tool: str, config: dict[str, Any]) -> Any:
    xml = configuration_to_xml(config)
    return parse_config(tool, xmltodict.parse(xml)["Configuration"] or {})


def test_every_tool_has_its_list_and_map_options_found() -> None:
    names = {name for _, name, _ in OPTIONS}
    assert {"questionFields", "questionNames", "queryFixed", "queryFields", "bodyFields",
            "pathParamFields", "formFields"} <= names


@pytest.mark.parametrize(("tool", "name", "kind"), OPTIONS)
@pytest.mark.parametrize("shape", ["json-text", "older"])
def test_option_survives_jsonnet(tool: str, name: str, kind: str, shape: str) -> None:
    if kind == "map":
        value: Any = dict(zip(TRICKY_KEYS, TRICKY_VALUES * 2, strict=False))
    else:
        value = ["Region, West", "Sales Region", "a_x0020_b"]
    stored = json.dumps(value) if shape == "json-text" else value
    got = getattr(_parsed(tool, {name: stored}), name)
    if shape == "older" and kind == "map":
        # xmltodict strips the text of an element: " padded" arrives as "padded"
        value = {k: v.strip() for k, v in value.items()}
    assert got == value
    # one element, with a comma: one item
    if kind == "list":
        one = json.dumps(["Region, West"]) if shape == "json-text" else ["Region, West"]
        assert getattr(_parsed(tool, {name: one}), name) == ["Region, West"]
    # empty: the default
    empty = json.dumps([] if kind == "list" else {}) if shape == "json-text" else (
        [] if kind == "list" else {})
    assert getattr(_parsed(tool, {name: empty}), name) in ([], {})
