"""Issue 11's seams with Designer: a panel's saved configuration goes through Designer's Json.NET
step (`designer_host.jsonnet`) and reaches the real tools, in process and over gRPC.

The three reproduced bugs: a Runner rename keyed by a field name with a space, a fixed query
value left empty, and a one-element list whose value holds a comma.
"""

from __future__ import annotations

import json
import sys

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerGet, ServerPost
from ayx_plugins.tools.config import parse_config
from ayx_plugins.tools.runner import ServerRunner
from designer_host import panel_config, run_tool
from designer_host.jsonnet import configuration_to_xml
from tests.tools.conftest import decrypt

WF_APP = "6101a0b0c0d0e0f0a0b0c004"


def _panel(emu, **values):
    user = emu.user("Curator")
    return panel_config(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key, **values)


def _answers(emu) -> list[dict[str, str]]:
    with emu.state.lock:
        return [dict(j["_answers"]) for j in emu.state.jobs.values()]


# The shapes a panel may save: the JSON-text contract, and the older JSON arrays/objects that
# Json.NET turns into repeated and nested elements (what saved workflows hold).
RENAME_SHAPES = [
    pytest.param({"questionFields": json.dumps(["Sales Region"]),
                  "questionNames": json.dumps({"Sales Region": "Region"})}, id="json-text"),
    pytest.param({"questionFields": ["Sales Region"],
                  "questionNames": {"Sales Region": "Region"}}, id="older-arrays-objects"),
]


@pytest.mark.parametrize("shape", RENAME_SHAPES)
def test_runner_rename_of_a_field_with_a_space_reaches_the_job(emulator, run_tool_inprocess,
                                                               shape):
    config = _panel(emulator, workflowId=WF_APP, questionsMode="fields", **shape)
    run = run_tool_inprocess(ServerRunner, configuration_to_xml(config),
                             pa.table({"Sales Region": ["West"]}))
    assert len(run.rows("Success")) == 1, run.rows("Failure")
    assert _answers(emulator) == [{"Region": "West"}]


def test_runner_rename_over_grpc_from_the_panel_config(emulator):
    config = _panel(emulator, workflowId=WF_APP, questionsMode="fields",
                    questionFields=["Sales Region"], questionNames={"Sales Region": "Region"})
    run = run_tool("ServerRunner", config, {"Input": pa.table({"Sales Region": ["West"]})},
                   secrets=decrypt, python=sys.executable, timeout=90)
    assert run.completed and run.errors == [], run.log[-2000:]
    assert run.outputs["Success"].num_rows == 1
    assert _answers(emulator) == [{"Region": "West"}]


@pytest.mark.parametrize("query", [{"view": ""}, json.dumps({"view": ""})],
                         ids=["older-object", "json-text"])
def test_get_with_an_empty_fixed_query_value_is_accepted(emulator, run_tool_inprocess, query):
    config = _panel(emulator, endpoint="workflows_get_workflows", queryFixed=query)
    cfg = parse_config("ServerGet", __import__("xmltodict").parse(
        configuration_to_xml(config))["Configuration"])
    assert cfg.queryFixed == {"view": ""}  # type: ignore[attr-defined]
    run = run_tool_inprocess(ServerGet, configuration_to_xml(config))
    assert run.errors == [], run.errors
    assert len(run.rows("Success")) == 1


@pytest.mark.parametrize("fields", [["Name, Full"], json.dumps(["Name, Full"])],
                         ids=["older-array", "json-text"])
def test_one_element_list_with_a_comma_is_one_field(emulator, run_tool_inprocess, fields):
    config = _panel(emulator, path="v3/workflows", bodyMode="fields", bodyFields=fields)
    xml = configuration_to_xml(config)
    cfg = parse_config("ServerPost", __import__("xmltodict").parse(xml)["Configuration"])
    assert cfg.bodyFields == ["Name, Full"]  # type: ignore[attr-defined]
    run = run_tool_inprocess(ServerPost, xml, pa.table({"Name, Full": ["x"]}))
    assert run.errors == [], run.errors  # the field exists: no "the input has no field" error


def test_encoded_map_keys_and_empty_elements_over_grpc(emulator):
    config = _panel(emulator, endpoint="workflows_get_workflows", queryFixed={"view": ""},
                    queryFields={"name": "Work flow"})
    run = run_tool("ServerGet", config, {"Input": pa.table({"Work flow": ["Emulator Success"]})},
                   secrets=decrypt, python=sys.executable, timeout=90)
    assert run.completed and run.errors == [], (run.errors, run.log[-2000:])
    assert run.outputs["Success"].num_rows == 1
