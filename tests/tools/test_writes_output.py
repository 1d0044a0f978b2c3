"""Issue 11.6: the tools that change the Server or write files declare WritesOutputData, so
Designer's "Disable All Tools that Write Output" stops them (the tool XML's
SdkSettings/CustomParameters/WritesOutputData, where ayx-plugin-cli 1.4.0's
generate_config_files.py writes it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

import build_yxi
from ayx_plugins.tools import specs

WRITES = {"ServerRunner", "ServerPost", "ServerPut", "ServerDelete"}


@pytest.mark.parametrize("tool", specs.TOOLS, ids=lambda t: t.class_name)
def test_writes_output_data_in_the_tool_xml(tool: specs.ToolSpec) -> None:
    root = ET.fromstring(build_yxi.tool_config_xml(specs, tool, "2.6.1"))
    value = root.find("SdkSettings/CustomParameters/WritesOutputData")
    assert value is not None
    assert value.get("Value") == ("true" if tool.class_name in WRITES else "false")
