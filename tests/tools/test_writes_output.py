"""Issue 11.6: the tools that change the Server or write files declare WritesOutputData, so
Designer's "Disable All Tools that Write Output" stops them (the tool XML's
SdkSettings/CustomParameters/WritesOutputData, where ayx-plugin-cli 1.4.0's
generate_config_files.py writes it)."""

from __future__ import annotations

import xml.etree.ElementTree as ET

import pytest

from ayx_plugins.tools import specs

try:  # the builder's package (yxi_build/), or the single-file builder before it
    from yxi_build.generate import tool_config_xml
except ImportError:
    from build_yxi import tool_config_xml  # type: ignore[attr-defined,no-redef]

WRITES = {"ServerRunner", "ServerPost", "ServerPut", "ServerDelete"}


@pytest.mark.parametrize("tool", specs.TOOLS, ids=lambda t: t.class_name)
def test_writes_output_data_in_the_tool_xml(tool: specs.ToolSpec) -> None:
    root = ET.fromstring(tool_config_xml(specs, tool, "2.6.1"))
    value = root.find("SdkSettings/CustomParameters/WritesOutputData")
    assert value is not None
    assert value.get("Value") == ("true" if tool.class_name in WRITES else "false")
