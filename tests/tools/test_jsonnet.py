"""designer_host.jsonnet against the expected outputs of Json.NET's own tests.

Each case names its test in JamesNK/Newtonsoft.Json
`Src/Newtonsoft.Json.Tests/Converters/XmlNodeConverterTest.cs` (commit 09bb545). Json.NET makes
the single property of the JSON the root when no root name is given; Designer gives one
("Configuration"), so those cases compare what is inside the root.
"""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
import xmltodict

from designer_host.jsonnet import configuration_to_xml, decode_name, encode_name, panel_json_to_xml


def inner(config: dict[str, object], **kw: object) -> str:
    xml = configuration_to_xml(config, **kw)  # type: ignore[arg-type]
    m = re.fullmatch(r"<Configuration>(.*)</Configuration>", xml, re.S)
    assert m, xml
    return m.group(1)


@pytest.mark.parametrize(("config", "expected"), [
    # DeserializeXmlNode_DefaultDate
    ({"Time": "0001-01-01T00:00:00"}, "<Time>0001-01-01T00:00:00</Time>"),
    # XmlNode_Roundtrip_PropertyNameWithEscapedValue
    ({"BeforeAfter!": "Value!"}, "<BeforeAfter_x0021_>Value!</BeforeAfter_x0021_>"),
    # DeserializeXmlIncompatibleCharsInPropertyName
    ({"%name": "value"}, "<_x0025_name>value</_x0025_name>"),
    # SerializeDollarProperty, SerializeNonKnownDollarProperty
    ({"$": "test"}, "<_x0024_>test</_x0024_>"),
    ({"$JELLY": "test"}, "<_x0024_JELLY>test</_x0024_JELLY>"),
    # DeserializeBigInteger
    ({"DocumentId": 13779965364495889899},
     "<DocumentId>13779965364495889899</DocumentId>"),
    # DeserializeAttributePropertyNotAtStart
    ({"item": {"@action": "update", "@itemid": "1", "elements": [
        {"@action": "none", "@id": "2"}, {"@action": "none", "@id": "3"}],
        "@description": "temp"}},
     '<item action="update" itemid="1" description="temp"><elements action="none" id="2" />'
     '<elements action="none" id="3" /></item>'),
    # NullAttributeValue
    ({"metrics": {"type": "CPULOAD", "@value": None}},
     '<metrics value=""><type>CPULOAD</type></metrics>'),
    # IgnoreCultureForTypedAttributes
    ({"metrics": {"type": "CPULOAD", "@value": 12.27}},
     '<metrics value="12.27"><type>CPULOAD</type></metrics>'),
    # DeserializingBooleanValues
    ({"root": {"@booleanType": True}}, '<root booleanType="true" />'),
    # DeserializeUndeclaredNamespacePrefix
    ({"A": {"@xsi:nil": True}}, '<A nil="true" />'),
    # OtherElementDataTypes (the element part: floats, integers, booleans)
    ({"person": [{"@id": "1", "Float": 2.5, "Integer": 99}, {"Boolean": True, "@id": "2"}]},
     '<person id="1"><Float>2.5</Float><Integer>99</Integer></person>'
     '<person id="2"><Boolean>true</Boolean></person>'),
    # DeserializeNonInt64IntegerValues (a float 2 is written "2")
    ({"Int16": 1, "Float": 2.0, "Int32": 3}, "<Int16>1</Int16><Float>2</Float><Int32>3</Int32>"),
    # ConvertNullString
    ({"Prop1": None, "Prop2": None}, "<Prop1 /><Prop2 />"),
    # SingleItemArrayPropertySerialization (without writeArrayAttribute, which Designer omits)
    ({"Name": "Apple", "ExpiryDate": "2008-12-28T00:00:00Z", "Price": 3.99, "Sizes": ["Small"]},
     "<Name>Apple</Name><ExpiryDate>2008-12-28T00:00:00Z</ExpiryDate><Price>3.99</Price>"
     "<Sizes>Small</Sizes>"),
])
def test_jsonnet_own_cases(config: dict[str, object], expected: str) -> None:
    assert inner(config) == expected


def test_multiple_nested_arrays_to_xml() -> None:
    """MultipleNestedArraysToXml, with a root name (MultipleRootPropertiesAddRootElement)."""
    config = {"available_sizes": [[[113, 150], "a.jpg"], [[189, 250], "b.jpg"]]}
    assert configuration_to_xml(config, root="myRoot") == (
        "<myRoot><available_sizes><available_sizes><available_sizes>113</available_sizes>"
        "<available_sizes>150</available_sizes></available_sizes><available_sizes>a.jpg"
        "</available_sizes></available_sizes><available_sizes><available_sizes><available_sizes>"
        "189</available_sizes><available_sizes>250</available_sizes></available_sizes>"
        "<available_sizes>b.jpg</available_sizes></available_sizes></myRoot>")
    assert configuration_to_xml({"count": 773840, "photos": 773840}, root="myRoot") == (
        "<myRoot><count>773840</count><photos>773840</photos></myRoot>")


@pytest.mark.parametrize(("name", "encoded"), [
    ("Sales Region", "Sales_x0020_Region"), ("2024", "_x0032_024"),
    ("a_x0020_b", "a_x005F_x0020_b"),
    ("_x0020_x0020_", "_x005F_x0020_x005F_x0020_"), ("\U0001F600a", "_x0001F600_a"),
    ("Region", "Region"), ("a.b-c_d", "a.b-c_d"), (".a", "_x002E_a"), ("-a", "_x002D_a"),
    ("Größe", "Größe"), ("名前", "名前"), ("a&b", "a_x0026_b"), ("x/y", "x_x002F_y"),
])
def test_encode_name_follows_xmlconvert(name: str, encoded: str) -> None:
    assert encode_name(name) == encoded
    assert decode_name(encoded) == name


@pytest.mark.parametrize(("value", "text"), [
    (1.5, "1.5"), (1250000000000000.5, "1.2500000000000005E+15"), (1e15, "1000000000000000"),
    (123456789012345.6, "123456789012345.6"), (0.0001, "0.0001"),
    (0.00001, "1E-05"), (1e21, "1E+21"), (1e-7, "1E-07"), (0.1 + 0.2, "0.30000000000000004"),
    (-2.5e-6, "-2.5E-06"), (float("nan"), None), (float("inf"), None), (-0.0, "0"), (7, "7"),
    (True, "true"), (False, "false"),
])
def test_numbers_and_booleans(value: object, text: str | None) -> None:
    expected = f"<v>{text}</v>" if text is not None else "<v />"
    assert inner({"v": value}) == expected


@pytest.mark.parametrize(("value", "text"), [
    ("2024-01-01T10:00:00.500", "2024-01-01T10:00:00.5"),   # FFFFFFF drops trailing zeros
    ("2024-01-01T10:00:00.0000000Z", "2024-01-01T10:00:00Z"),
    ("2024-01-01T24:00:00", "2024-01-02T00:00:00"),         # 24:00 is the next day
    ("2024-01-01T10:00:00+02:00", "2024-01-01T08:00:00+00:00"),  # to the machine's zone
    ("2024-01-01 10:00:00", "2024-01-01 10:00:00"),         # no T: a plain string
    ("2024-02-30T10:00:00", "2024-02-30T10:00:00"),         # no such day: a plain string
    ("2024-01-01T10:00", "2024-01-01T10:00"),               # too short
])
def test_date_strings_are_rewritten_like_jsonnet(value: str, text: str) -> None:
    assert inner({"v": value}) == f"<v>{text}</v>"


def test_date_offset_uses_the_designer_machine_zone() -> None:
    tz = dt.timezone(dt.timedelta(hours=-5))
    assert inner({"v": "2024-01-01T10:00:00Z"}, local_tz=tz) == "<v>2024-01-01T10:00:00Z</v>"
    assert inner({"v": "2024-01-01T10:00:00+01:00"}, local_tz=tz) == (
        "<v>2024-01-01T04:00:00-05:00</v>")


def test_the_shapes_the_issue_names() -> None:
    """What made the three issue-11 bugs: encoded keys, empty elements, one-element arrays."""
    xml = configuration_to_xml({
        "questionNames": {"Sales Region": "Region"}, "queryFixed": {"view": ""},
        "questionFields": ["Region, West"], "bodyFields": [], "wait": True, "pollSeconds": 5,
        "Secrets": {"apiSecret": {"text": "ENC:x", "encryptionMode": "obfuscation",
                                  "encrypted": True}},
    })
    assert xml == (
        "<Configuration><questionNames><Sales_x0020_Region>Region</Sales_x0020_Region>"
        "</questionNames><queryFixed><view></view></queryFixed>"
        "<questionFields>Region, West</questionFields><wait>true</wait>"
        "<pollSeconds>5</pollSeconds><Secrets><apiSecret><text>ENC:x</text>"
        "<encryptionMode>obfuscation</encryptionMode><encrypted>true</encrypted></apiSecret>"
        "</Secrets></Configuration>")
    parsed = xmltodict.parse(xml)["Configuration"]
    assert parsed["queryFixed"] == {"view": None}
    assert parsed["questionFields"] == "Region, West"
    assert "bodyFields" not in parsed


def test_text_is_escaped_and_json_text_survives() -> None:
    value = json.dumps({"Sales Region": "Region <&> \"x\""})
    xml = panel_json_to_xml(json.dumps({"questionNames": value, "a": {"#text": "t", "@k": "v"}}))
    parsed = xmltodict.parse(xml)["Configuration"]
    assert json.loads(parsed["questionNames"]) == {"Sales Region": "Region <&> \"x\""}
    assert parsed["a"] == {"@k": "v", "#text": "t"}


@pytest.mark.parametrize("config", [{"": 1}, {"$id": "1"}, {"?xml": {"@version": "1.0"}},
                                    {"a": {"@b": {"c": 1}}}, {"a": {"#text": {"b": 1}}}])
def test_what_is_not_reproduced_raises(config: dict[str, object]) -> None:
    with pytest.raises(ValueError):
        configuration_to_xml(config)
