"""Designer's JSON -> XML step for a tool's configuration, reproduced from Json.NET's rules.

Alteryx's SDK lifecycle pages say Designer "will again use JSON.Net to convert the JSON object in
the Configuration.Configuration property ... into the XML" that the tool receives. This module
reproduces `JsonConvert.DeserializeXmlNode(json, "Configuration")` with the default settings,
written from Json.NET's own source and tests, not from this project's `config_xml`:

- JamesNK/Newtonsoft.Json `Src/Newtonsoft.Json/Converters/XmlNodeConverter.cs` (commit 09bb545,
  2026-08): `DeserializeNode`, `DeserializeValue`, `ReadElement`, `CreateElement`,
  `ReadArrayElements`, `ReadAttributeElements`, `AddAttribute`, `ConvertTokenToXmlValue`;
- its `JsonConvert.DeserializeXmlNode` (default `JsonSerializerSettings`: `DateParseHandling.
  DateTime`, `FloatParseHandling.Double`, `DateTimeZoneHandling.RoundtripKind`), `JsonTextReader.
  ParseString` and `Utilities/DateTimeUtils.cs` + `DateTimeParser.cs` (which strings become dates);
- dotnet/runtime `System.Private.Xml/src/System/Xml/XmlConvert.cs`: `EncodeName` (XML 1.0 4th
  edition name characters, `_xHHHH_` / `_xHHHHHHHH_` escapes, an `_` that starts something that
  looks like an escape becomes `_x005F_`), `ToString(double)` ("R"), `ToString(bool)`;
- the expected outputs in `Src/Newtonsoft.Json.Tests/Converters/XmlNodeConverterTest.cs`
  (mirrored in tests/tools/test_jsonnet.py).

The rules, as Designer applies them to `model.Configuration`:
- every key becomes an element named `XmlConvert.EncodeName(key)` (`Sales Region` ->
  `Sales_x0020_Region`, `2024` -> `_x0032_024`, `%name` -> `_x0025_name`);
- an array becomes one element per item, all with the array's key (one item: one element, which
  cannot be told from a plain value; an empty array: no element at all); an array inside an array
  becomes an element holding the repeated items;
- `true`/`false` lower-case; an integer as written; a float in .NET's shortest round-trip form
  (`1E+21`, `1E-07`; a float with an integral value under 1e21 is what JavaScript's
  `JSON.stringify` writes as an integer); NaN and infinities are `null` (JSON.stringify);
- `""` is an element with an empty text node (`<a></a>`), `null` an empty element (`<a />`);
  xmltodict (the SDK's parser) reads both as None, and strips surrounding whitespace;
- a nested object is a nested element; `{}` an empty element;
- keys starting with `@` are attributes of the enclosing element (`null` -> `""`), `#text` and
  `#cdata-section` its text, `#whitespace` / `#significant-whitespace` whitespace text;
- a string Json.NET's reader takes for an ISO-8601 date (19-40 characters, a digit first, `T`
  at index 10, see `DateTimeParser`) is re-written by `XmlConvert.ToString(DateTime)`: the
  fraction loses trailing zeros, `24:00:00` becomes the next day, `Z` stays UTC, and an explicit
  offset is converted to the Designer machine's local time zone (`local_tz`).

Not reproduced (a panel never writes them; they raise ValueError): the `$id/$ref/$type/$value/
$values` metadata properties, `?xml` declarations and `!DOCTYPE`, an empty key, an object or
array as an attribute or `#text` value, and `/Date(ticks)/` strings (kept as text). Unverified:
whether Designer passes any non-default settings, and its exact text serialisation (this writes
XmlDocument.OuterXml's shape; the tool only ever sees what xmltodict makes of it).
"""

from __future__ import annotations

import calendar
import datetime as dt
import json
import math
import re
from collections.abc import Mapping
from decimal import Decimal
from typing import Any
from xml.sax.saxutils import escape

__all__ = ["configuration_to_xml", "decode_name", "encode_name", "panel_json_to_xml"]

ROOT = "Configuration"
_META = {"$id", "$ref", "$type", "$value", "$values"}
_TEXT_KEYS = {"#text", "#cdata-section", "#whitespace", "#significant-whitespace"}

# XML 1.0 (4th edition) Appendix B, the character classes XmlConvert's *Xml4e checks use.
_BASE_CHAR = """
0041-005A 0061-007A 00C0-00D6 00D8-00F6 00F8-00FF 0100-0131 0134-013E 0141-0148 014A-017E
0180-01C3 01CD-01F0 01F4-01F5 01FA-0217 0250-02A8 02BB-02C1 0386 0388-038A 038C 038E-03A1
03A3-03CE 03D0-03D6 03DA 03DC 03DE 03E0 03E2-03F3 0401-040C 040E-044F 0451-045C 045E-0481
0490-04C4 04C7-04C8 04CB-04CC 04D0-04EB 04EE-04F5 04F8-04F9 0531-0556 0559 0561-0586 05D0-05EA
05F0-05F2 0621-063A 0641-064A 0671-06B7 06BA-06BE 06C0-06CE 06D0-06D3 06D5 06E5-06E6 0905-0939
093D 0958-0961 0985-098C 098F-0990 0993-09A8 09AA-09B0 09B2 09B6-09B9 09DC-09DD 09DF-09E1
09F0-09F1 0A05-0A0A 0A0F-0A10 0A13-0A28 0A2A-0A30 0A32-0A33 0A35-0A36 0A38-0A39 0A59-0A5C 0A5E
0A72-0A74 0A85-0A8B 0A8D 0A8F-0A91 0A93-0AA8 0AAA-0AB0 0AB2-0AB3 0AB5-0AB9 0ABD 0AE0 0B05-0B0C
0B0F-0B10 0B13-0B28 0B2A-0B30 0B32-0B33 0B36-0B39 0B3D 0B5C-0B5D 0B5F-0B61 0B85-0B8A 0B8E-0B90
0B92-0B95 0B99-0B9A 0B9C 0B9E-0B9F 0BA3-0BA4 0BA8-0BAA 0BAE-0BB5 0BB7-0BB9 0C05-0C0C 0C0E-0C10
0C12-0C28 0C2A-0C33 0C35-0C39 0C60-0C61 0C85-0C8C 0C8E-0C90 0C92-0CA8 0CAA-0CB3 0CB5-0CB9 0CDE
0CE0-0CE1 0D05-0D0C 0D0E-0D10 0D12-0D28 0D2A-0D39 0D60-0D61 0E01-0E2E 0E30 0E32-0E33 0E40-0E45
0E81-0E82 0E84 0E87-0E88 0E8A 0E8D 0E94-0E97 0E99-0E9F 0EA1-0EA3 0EA5 0EA7 0EAA-0EAB 0EAD-0EAE
0EB0 0EB2-0EB3 0EBD 0EC0-0EC4 0F40-0F47 0F49-0F69 10A0-10C5 10D0-10F6 1100 1102-1103 1105-1107
1109 110B-110C 110E-1112 113C 113E 1140 114C 114E 1150 1154-1155 1159 115F-1161 1163 1165 1167
1169 116D-116E 1172-1173 1175 119E 11A8 11AB 11AE-11AF 11B7-11B8 11BA 11BC-11C2 11EB 11F0 11F9
1E00-1E9B 1EA0-1EF9 1F00-1F15 1F18-1F1D 1F20-1F45 1F48-1F4D 1F50-1F57 1F59 1F5B 1F5D 1F5F-1F7D
1F80-1FB4 1FB6-1FBC 1FBE 1FC2-1FC4 1FC6-1FCC 1FD0-1FD3 1FD6-1FDB 1FE0-1FEC 1FF2-1FF4 1FF6-1FFC
2126 212A-212B 212E 2180-2182 3041-3094 30A1-30FA 3105-312C AC00-D7A3
"""
_IDEOGRAPHIC = "4E00-9FA5 3007 3021-3029"
_COMBINING = """
0300-0345 0360-0361 0483-0486 0591-05A1 05A3-05B9 05BB-05BD 05BF 05C1-05C2 05C4 064B-0652 0670
06D6-06DC 06DD-06DF 06E0-06E4 06E7-06E8 06EA-06ED 0901-0903 093C 093E-094C 094D 0951-0954
0962-0963 0981-0983 09BC 09BE 09BF 09C0-09C4 09C7-09C8 09CB-09CD 09D7 09E2-09E3 0A02 0A3C 0A3E
0A3F 0A40-0A42 0A47-0A48 0A4B-0A4D 0A70-0A71 0A81-0A83 0ABC 0ABE-0AC5 0AC7-0AC9 0ACB-0ACD
0B01-0B03 0B3C 0B3E-0B43 0B47-0B48 0B4B-0B4D 0B56-0B57 0B82-0B83 0BBE-0BC2 0BC6-0BC8 0BCA-0BCD
0BD7 0C01-0C03 0C3E-0C44 0C46-0C48 0C4A-0C4D 0C55-0C56 0C82-0C83 0CBE-0CC4 0CC6-0CC8 0CCA-0CCD
0CD5-0CD6 0D02-0D03 0D3E-0D43 0D46-0D48 0D4A-0D4D 0D57 0E31 0E34-0E3A 0E47-0E4E 0EB1 0EB4-0EB9
0EBB-0EBC 0EC8-0ECD 0F18-0F19 0F35 0F37 0F39 0F3E 0F3F 0F71-0F84 0F86-0F8B 0F90-0F95 0F97
0F99-0FAD 0FB1-0FB7 0FB9 20D0-20DC 20E1 302A-302F 3099 309A
"""
_DIGIT = """
0030-0039 0660-0669 06F0-06F9 0966-096F 09E6-09EF 0A66-0A6F 0AE6-0AEF 0B66-0B6F 0BE7-0BEF
0C66-0C6F 0CE6-0CEF 0D66-0D6F 0E50-0E59 0ED0-0ED9 0F20-0F29
"""
_EXTENDER = "00B7 02D0 02D1 0387 0640 0E46 0EC6 3005 3031-3035 309D-309E 30FC-30FE"


def _char_class(*specs: str) -> re.Pattern[str]:
    parts = []
    for spec in specs:
        for item in spec.split():
            lo, _, hi = item.partition("-")
            parts.append(f"\\u{lo}" + (f"-\\u{hi}" if hi else ""))
    return re.compile("[" + "".join(parts) + "]")


_LETTER = _char_class(_BASE_CHAR, _IDEOGRAPHIC)
_NAME_CHAR = _char_class(_BASE_CHAR, _IDEOGRAPHIC, _DIGIT, _COMBINING, _EXTENDER,
                         "002E 002D 005F 003A")
_ENCODE_CHAR = re.compile(r"(?<=_)[Xx][0-9a-fA-F]{4}(?:_|[0-9a-fA-F]{4}_)")
_DECODE_CHAR = re.compile(r"_[Xx]([0-9a-fA-F]{4})(?:_|([0-9a-fA-F]{4})_)")


def _escape_char(ch: str) -> str:
    code = ord(ch)
    return f"_x{code:08X}_" if code > 0xFFFF else f"_x{code:04X}_"


def encode_name(name: str) -> str:
    """`XmlConvert.EncodeName`: a valid XML name for any text (":" is kept, as there)."""
    if not name:
        return name
    escapes = {m.start() - 1 for m in _ENCODE_CHAR.finditer(name)}  # "_" that starts "_x0020_"
    out = []
    for i, ch in enumerate(name):
        bad = not (_LETTER.match(ch) or ch in "_:") if i == 0 else not _NAME_CHAR.match(ch)
        out.append(_escape_char(ch) if bad or i in escapes else ch)
    return "".join(out)


def decode_name(name: str) -> str:
    """`XmlConvert.DecodeName`: `_xHHHH_` (and `_xHHHHHHHH_`) back to the characters."""

    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) + (m.group(2) or ""), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _DECODE_CHAR.sub(one, name) if "_" in name else name


# ------------------------------------------------------------------------------ values as text
def _dotnet_double(value: float) -> str:
    """`XmlConvert.ToString(double)`: .NET's "R" (shortest round trip, as .NET Core 3.0+ prints
    it): plain digits for decimal exponents -4..14, else `d.dddE+XX` (at least two digits)."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "INF" if value > 0 else "-INF"
    if value == 0:
        return "-0" if math.copysign(1.0, value) < 0 else "0"
    sign = "-" if value < 0 else ""
    exact = Decimal(repr(abs(value))).normalize()  # repr: the shortest round-trip digits
    tup = exact.as_tuple()
    digits = "".join(str(d) for d in tup.digits)
    exponent = len(digits) - 1 + int(tup.exponent)  # of the leading digit
    if -5 < exponent < 15:
        if exponent >= 0:
            whole = digits[: exponent + 1].ljust(exponent + 1, "0")
            frac = digits[exponent + 1:]
            return sign + whole + ("." + frac if frac else "")
        return sign + "0." + "0" * (-exponent - 1) + digits
    rest = "." + digits[1:] if len(digits) > 1 else ""
    return f"{sign}{digits[0]}{rest}E{'+' if exponent >= 0 else '-'}{abs(exponent):02d}"


def _number_text(value: int | float) -> str | None:
    if isinstance(value, int):
        return str(value)  # JsonToken.Integer: Int64, or BigInteger beyond it
    if math.isnan(value) or math.isinf(value):
        return None  # JSON.stringify writes null
    if value.is_integer() and abs(value) < 1e21:
        return str(int(value))  # JSON.stringify writes an integer: JsonToken.Integer
    return _dotnet_double(value)


_ISO_MIN, _ISO_MAX = 19, 40


def _parse_iso(text: str) -> tuple[dt.datetime, int, str] | None:
    """Json.NET's `DateTimeParser.Parse`: (date-time without fraction, fraction in 100 ns ticks,
    zone: "" unspecified | "Z" | "+HH:MM"/"-HH:MM") or None when it is no date for Json.NET."""
    n = len(text)
    if not (_ISO_MIN <= n <= _ISO_MAX and text[0].isdigit() and text[10] == "T"):
        return None

    def digits(start: int, count: int) -> int | None:
        part = text[start:start + count]
        if len(part) == count and all("0" <= c <= "9" for c in part):
            return int(part)
        return None

    year, month, day = digits(0, 4), digits(5, 2), digits(8, 2)
    if year is None or month is None or day is None or text[4] != "-" or text[7] != "-":
        return None
    if not (year >= 1 and 1 <= month <= 12):
        return None
    if not 1 <= day <= calendar.monthrange(year, month)[1]:
        return None
    hour, minute, second = digits(11, 2), digits(14, 2), digits(17, 2)
    if hour is None or minute is None or second is None or text[13:14] != ":" or text[16:17] != ":":
        return None
    if hour > 24 or minute >= 60 or second >= 60 or (hour == 24 and (minute or second)):
        return None
    pos = 19
    fraction = 0
    if pos < n and text[pos] == ".":
        count = 0
        while pos + 1 < n and count < 7 and "0" <= text[pos + 1] <= "9":
            pos += 1
            fraction = fraction * 10 + int(text[pos])
            count += 1
        pos += 1
        if count == 0:
            return None
        fraction *= 10 ** (7 - count)
        if hour == 24 and fraction:
            return None
    zone = ""
    if pos < n:  # DateTimeParser.ParseZone, quirks included (a zone minute without a zone)
        ch = text[pos]
        if ch in "Zz":
            zone, pos = "Z", pos + 1
        else:
            zone_hour = digits(pos + 1, 2) if pos + 2 < n else None
            zone_minute = 0
            if zone_hour is not None and ch in "+-":
                zone, pos = ch, pos + 3
            if pos < n:
                if text[pos] == ":":
                    pos += 1
                got = digits(pos, 2) if pos + 1 < n else None
                if got is not None:
                    zone_minute, pos = got, pos + 2
            if zone:
                zone = f"{zone}{zone_hour:02d}:{zone_minute:02d}"
    if pos != n:
        return None
    base = dt.datetime(year, month, day, 0 if hour == 24 else hour, minute, second)
    if hour == 24:
        base += dt.timedelta(days=1)
    return base, fraction, zone


def _date_text(text: str, local_tz: dt.tzinfo) -> str:
    try:
        parsed = _parse_iso(text)
        if parsed is None:
            return text
        value, ticks, zone = parsed
        suffix = zone
        if zone and zone != "Z":  # DateTimeKind.Local: converted to the machine's zone
            sign = 1 if zone[0] == "+" else -1
            offset = dt.timedelta(hours=int(zone[1:3]), minutes=int(zone[4:6])) * sign
            local = (value - offset).replace(tzinfo=dt.timezone.utc).astimezone(local_tz)
            minutes = int((local.utcoffset() or dt.timedelta(0)).total_seconds() // 60)
            hours, mins = divmod(abs(minutes), 60)
            suffix = f"{'+' if minutes >= 0 else '-'}{hours:02d}:{mins:02d}"
            value = local.replace(tzinfo=None)
    except (OverflowError, ValueError):  # beyond DateTime's range: .NET clamps; not reproduced
        return text
    frac = f"{ticks:07d}".rstrip("0")
    return (f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:"
            f"{value.minute:02d}:{value.second:02d}" + (f".{frac}" if frac else "") + suffix)


def _scalar_text(value: Any, local_tz: dt.tzinfo) -> str | None:
    """`ConvertTokenToXmlValue`: None for JSON null."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return _number_text(value)
    if isinstance(value, str):
        return _date_text(value, local_tz)
    raise ValueError(f"not a JSON value: {type(value).__name__}")


_INVALID_XML = re.compile("[\x00-\x08\x0b\x0c\x0e-\x1f\ufffe\uffff]")


def _text(text: str) -> str:
    # XmlTextWriter escapes &, < and >; characters XML cannot hold become character references.
    out = escape(text, {">": "&gt;"})
    return _INVALID_XML.sub(lambda m: f"&#x{ord(m.group(0)):X};", out)


def _attr(text: str) -> str:
    out = escape(text, {'"': "&quot;", "\r": "&#xD;", "\n": "&#xA;", "\t": "&#x9;"})
    return _INVALID_XML.sub(lambda m: f"&#x{ord(m.group(0)):X};", out)


# ------------------------------------------------------------------------------------ elements
class _Element:
    def __init__(self, name: str) -> None:
        self.name = name
        self.attrs: dict[str, str] = {}
        self.children: list[_Element | str] = []

    def xml(self) -> str:
        attrs = "".join(f' {k}="{_attr(v)}"' for k, v in self.attrs.items())
        if not self.children:
            return f"<{self.name}{attrs} />"
        inner = "".join(c if isinstance(c, str) else c.xml() for c in self.children)
        return f"<{self.name}{attrs}>{inner}</{self.name}>"


def _local(name: str) -> str:
    # A prefix without a declared namespace is dropped (XmlNodeConverterTest
    # DeserializeUndeclaredNamespacePrefix: '@xsi:nil' -> nil="...").
    return name.split(":", 1)[1] if ":" in name[1:] else name


class _Converter:
    def __init__(self, local_tz: dt.tzinfo) -> None:
        self.tz = local_tz

    def check_key(self, key: Any) -> str:
        if not isinstance(key, str):
            raise ValueError(f"JSON keys are strings, not {type(key).__name__}")
        if not key:
            raise ValueError("XmlNodeConverter cannot convert JSON with an empty property name")
        if key in _META or key.startswith("?") or key.upper() == "!DOCTYPE":
            raise ValueError(f"Json.NET's special property {key!r} is not reproduced")
        return key

    def fill(self, element: _Element, obj: Mapping[str, Any]) -> None:
        """`DeserializeNode` over one object's properties, into `element`."""
        for raw_key, value in obj.items():
            key = self.check_key(raw_key)
            if isinstance(value, (list, tuple)):
                for item in value:
                    self.value(element, key, item)
            else:
                self.value(element, key, value)

    def value(self, parent: _Element, key: str, value: Any) -> None:
        """`DeserializeValue`: text keys, nested arrays, attributes, elements."""
        if key in _TEXT_KEYS:
            if isinstance(value, (Mapping, list, tuple)):
                raise ValueError(f"{key} must hold a primitive value")
            parent.children.append(_text(_scalar_text(value, self.tz) or ""))
            return
        if isinstance(value, (list, tuple)):  # an array inside an array (ReadArrayElements)
            nested = _Element(_local(encode_name(key)))
            parent.children.append(nested)
            for item in value:
                self.value(nested, key, item)
            return
        if key.startswith("@"):
            if isinstance(value, (Mapping, list, tuple)):
                raise ValueError(f"attribute {key} must hold a primitive value")
            parent.attrs[_local(encode_name(key[1:]))] = _scalar_text(value, self.tz) or ""
            return
        element = _Element(_local(encode_name(key)))
        parent.children.append(element)
        if isinstance(value, Mapping):
            self.fill(element, value)
        else:
            text = _scalar_text(value, self.tz)
            if text is not None:
                element.children.append(_text(text))  # "" -> an empty text node: <a></a>


def configuration_to_xml(config: Mapping[str, Any], *, root: str = ROOT,
                         local_tz: dt.tzinfo = dt.timezone.utc) -> str:
    """The XML Designer hands a tool for a panel's `model.Configuration` (a JSON object, with
    `Secrets` if any), as Json.NET's `DeserializeXmlNode(json, "Configuration")` writes it.

    `local_tz` is the Designer machine's time zone (only used for date strings with an offset).
    """
    if not isinstance(config, Mapping):
        raise ValueError("XmlNodeConverter can only convert JSON that begins with an object")
    top = _Element(root)
    _Converter(local_tz).fill(top, config)
    return top.xml()


def panel_json_to_xml(text: str, **kwargs: Any) -> str:
    """`configuration_to_xml` of a JSON text (what the panel sent)."""
    return configuration_to_xml(json.loads(text), **kwargs)
