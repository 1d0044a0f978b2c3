"""designer_host.workflow's pure parts: reading a .yxmd, the run order, the standard-tool subset
and the placeholders (no plugin process, no emulator)."""

from __future__ import annotations

import json
import xml.etree.ElementTree as ET

import pyarrow as pa
import pytest

from designer_host.base_tools import append_fields, json_parse, text_input
from designer_host.designer_config import decrypt
from designer_host.workflow import (
    KEY_PLACEHOLDER,
    _with_secret,
    format_table,
    parse_workflow,
    substitute,
)

DOC = """<?xml version="1.0"?>
<AlteryxDocument yxmdVer="2024.1" RunE2="T">
  <Nodes>
    <Node ToolID="1">
      <GuiSettings Plugin="AlteryxBasePluginsGui.TextInput.TextInput">
        <Position x="54" y="90" /></GuiSettings>
      <Properties><Configuration><NumRows value="2" />
        <Fields><Field name="A" /><Field name="B" /></Fields>
        <Data><r><c>1</c><c /></r><r><c>2</c><c>x</c></r></Data></Configuration>
        <Annotation DisplayMode="0"><Name /><AnnotationText>rows</AnnotationText>
        <DefaultAnnotationText /><Left value="False" /></Annotation></Properties>
    </Node>
    <Node ToolID="3">
      <GuiSettings Plugin="AlteryxGuiToolkit.ToolContainer.ToolContainer">
        <Position x="0" y="0" width="400" height="200" /></GuiSettings>
      <Properties><Configuration><Caption>box</Caption></Configuration></Properties>
      <ChildNodes>
        <Node ToolID="2">
          <GuiSettings Plugin="ServerRunner_0_1_0"><Position x="186" y="90" /></GuiSettings>
          <Properties><Configuration><apiKey>YOUR-API-KEY</apiKey></Configuration></Properties>
          <EngineSettings EngineDll="SdkEnginePlugin.dll" EngineDllEntryPoint="SdkEnginePlugin" />
        </Node>
      </ChildNodes>
    </Node>
    <Node ToolID="4">
      <GuiSettings Plugin="AlteryxBasePluginsGui.BrowseV2.BrowseV2">
        <Position x="318" y="90" /></GuiSettings>
      <Properties><Configuration /></Properties>
    </Node>
  </Nodes>
  <Connections>
    <Connection><Origin ToolID="2" Connection="Success" />
      <Destination ToolID="4" Connection="Input" /></Connection>
    <Connection><Origin ToolID="1" Connection="Output" />
      <Destination ToolID="2" Connection="Input" /></Connection>
  </Connections>
  <Properties><MetaInfo><Name>demo</Name></MetaInfo></Properties>
</AlteryxDocument>
"""


def test_parse_reads_nodes_in_containers_wires_annotations_and_amp() -> None:
    wf = parse_workflow(DOC)
    assert wf.name == "demo" and wf.amp
    assert set(wf.nodes) == {"1", "2", "3", "4"}
    assert wf.nodes["2"].tool_class == "ServerRunner"
    assert wf.nodes["1"].tool_class is None and wf.nodes["1"].annotation == "rows"
    assert (wf.nodes["2"].x, wf.nodes["2"].y) == (186.0, 90.0)
    assert [(w.origin, w.origin_anchor, w.destination) for w in wf.wires] == [
        ("2", "Success", "4"), ("1", "Output", "2")]
    assert [n.tool_id for n in wf.order()] == ["1", "3", "2", "4"]


def test_a_cycle_is_refused() -> None:
    doc = DOC.replace('<Connection><Origin ToolID="2" Connection="Success" />',
                      '<Connection><Origin ToolID="4" Connection="Output" />'
                      '<Destination ToolID="1" Connection="Input" /></Connection>'
                      '<Connection><Origin ToolID="2" Connection="Success" />')
    with pytest.raises(ValueError, match="cycle"):
        parse_workflow(doc).order()


def test_text_input_gives_text_fields_and_nulls_for_empty_cells() -> None:
    table = text_input(parse_workflow(DOC).nodes["1"].config)
    assert table.column_names == ["A", "B"]
    assert table.to_pylist() == [{"A": "1", "B": None}, {"A": "2", "B": "x"}]


def test_append_fields_and_json_parse() -> None:
    targets = pa.table({"userId": ["u1", "u2"]})
    source = pa.table({"Id": ["c1"]})
    assert append_fields(targets, source).to_pylist() == [{"userId": "u1", "Id": "c1"},
                                                          {"userId": "u2", "Id": "c1"}]
    files = pa.table({"OutputFiles": [json.dumps(["a.csv", "b.csv"]), None]})
    parsed = json_parse(files, ET.fromstring("<Configuration><JSON_Field>OutputFiles"
                                             "</JSON_Field></Configuration>"))
    assert [(r["JSON_Name"], r["JSON_ValueString"]) for r in parsed.to_pylist()] == [
        ("0", "a.csv"), ("1", "b.csv"), ("", None)]
    only = json_parse(pa.table({"Response": ['"abc"']}), ET.fromstring(
        '<Configuration><JSON_Field>Response</JSON_Field><IncludeInOutput value="False" />'
        "</Configuration>"))
    assert only.to_pylist() == [{"JSON_Name": "", "JSON_ValueString": "abc"}]


def test_placeholders_and_the_secret_as_designer_stores_it() -> None:
    xml = parse_workflow(DOC).nodes["2"].config_xml()
    keyed = substitute(xml, {KEY_PLACEHOLDER: "real-key"})
    assert "<apiKey>real-key</apiKey>" in keyed
    with_secret = ET.fromstring(_with_secret(keyed, "real-key", "s3cret"))
    stored = with_secret.findtext("Secrets/apiSecret/text") or ""
    assert "s3cret" not in stored and decrypt(stored) == "s3cret"
    assert _with_secret(keyed, "other-key", "s3cret") == keyed  # only the matching tool


def test_format_table_hides_tokens_and_marks_nulls() -> None:
    text = format_table(pa.table({"AccessToken": ["abc"], "Note": [None]}))
    assert "abc" not in text and "***" in text and "[Null]" in text
