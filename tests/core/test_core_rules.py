"""The one copy of each rule (values.py, urls.py), the same on Python 3.10 and 3.13."""

from __future__ import annotations

import datetime as dt
import json
from contextlib import ExitStack
from email.utils import formatdate
from pathlib import Path

import pytest

from ayx_plugins.server_api import (
    ConfigurationError,
    PathEscapeError,
    PathParameterError,
    ServerClient,
    build_multipart,
    check_settings,
    encode_value,
    jsonable,
    parse_datetime,
    priority_for,
    render_path,
    server_clock_offset,
)
from ayx_plugins.server_api.scrub import Scrubber

UTC = dt.timezone.utc


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01T09:15:27.12Z", dt.datetime(2024, 3, 1, 9, 15, 27, 120000, tzinfo=UTC)),
        ("2024-03-01T09:15:27.4410000Z", dt.datetime(2024, 3, 1, 9, 15, 27, 441000, tzinfo=UTC)),
        ("2024-03-01T09:15:27.123456789+02:00",
         dt.datetime(2024, 3, 1, 7, 15, 27, 123456, tzinfo=UTC)),
        ("2024-03-01T09:15:27", dt.datetime(2024, 3, 1, 9, 15, 27, tzinfo=UTC)),
        ("2024-03-01 09:15", dt.datetime(2024, 3, 1, 9, 15, tzinfo=UTC)),
        ("2024-03-01T09:15:27-0530", dt.datetime(2024, 3, 1, 14, 45, 27, tzinfo=UTC)),
        ("2024-03-01", dt.datetime(2024, 3, 1, tzinfo=UTC)),
        ("2024-13-01T00:00:00Z", None),
        ("0001-01-01T00:00:00+01:00", None),
        ("nonsense", None),
        ("", None),
        (None, None),
        (12, None),
    ],
)  # fmt: skip
def test_dates_parse_alike_on_every_python(text: object, expected: dt.datetime | None) -> None:
    assert parse_datetime(text) == expected
    naive = parse_datetime(text, naive=True)
    assert naive == (expected.replace(tzinfo=None) if expected else None)


def test_date_objects_pass_through() -> None:
    assert parse_datetime(dt.date(2024, 1, 2), naive=True) == dt.datetime(2024, 1, 2)
    aware = dt.datetime(2024, 1, 2, 3, tzinfo=dt.timezone(dt.timedelta(hours=1)))
    assert parse_datetime(aware) == dt.datetime(2024, 1, 2, 2, tzinfo=UTC)


def test_value_encoding() -> None:
    assert encode_value(True) == "true" and encode_value(False) == "false"
    assert encode_value(None) == "" and encode_value(3) == "3"
    assert encode_value(("a", "b")) == '["a", "b"]' and encode_value({"k": 1}) == '{"k": 1}'
    assert encode_value(dt.date(2024, 1, 2)) == "2024-01-02"
    assert encode_value(b"caf\xc3\xa9") == "café"
    assert jsonable({"d": dt.datetime(2024, 1, 2, 3, 4), "b": b"x"}) == {
        "d": "2024-01-02T03:04:00", "b": "x"}  # fmt: skip


def test_path_rendering_keeps_the_template_shape() -> None:
    assert render_path("v3/workflows/{workflowId}/versions", {"workflowid": "a b"}) == (
        "v3/workflows/a%20b/versions"
    )
    for bad in ("..", ".", "a/b", "..%2F", "x\\y", "tab\there"):
        with pytest.raises(PathEscapeError):
            render_path("v3/users/{userId}", {"userId": bad})
    with pytest.raises(PathParameterError, match="userId"):
        render_path("v3/users/{userId}", {})
    with pytest.raises(ValueError):  # also a ValueError, for callers that catch that
        render_path("v3/users/{userId}", {"userId": ""})


def test_multipart_parts(tmp_path: Path) -> None:
    file = tmp_path / "flow.yxzp"
    file.write_bytes(b"PK")
    with ExitStack() as stack:
        parts = build_multipart(stack, {"name": "N", "isPublic": False}, {"file": str(file)})
        assert parts[0] == ("name", (None, "N")) and parts[1] == ("isPublic", (None, "false"))
        name, (filename, fh, ctype) = parts[2]
        assert (name, filename, ctype) == ("file", "flow.yxzp", "application/octet-stream")
        assert not fh.closed
    assert fh.closed


def test_clock_offset_from_the_date_header() -> None:
    now = 1_700_000_000.0
    assert server_clock_offset(formatdate(now + 120, usegmt=True), now) == pytest.approx(120.5)
    assert server_clock_offset(formatdate(now, usegmt=True), now - 1, now + 1) == pytest.approx(0.5)
    assert server_clock_offset("not a date", now) is None
    assert server_clock_offset(None, now) is None


@pytest.mark.parametrize(
    ("value", "v1", "v3"),
    [("3", 3, "Critical"), (3, 3, "Critical"), ("0", 0, "Low"), ("high", 2, "High"),
     ("Default", 0, "Default"), ("2.0", 2, "High"), (None, None, None), ("", None, None)],
)  # fmt: skip
def test_priority_per_api(value: object, v1: object, v3: object) -> None:
    assert priority_for(value, "v1") == v1
    assert priority_for(value, "v3") == v3


@pytest.mark.parametrize("value", ["7", "-1", "urgent", True])
def test_bad_priorities_are_configuration_errors(value: object) -> None:
    with pytest.raises(ConfigurationError) as info:
        priority_for(value, "v3")
    assert info.value.kind == "config" and info.value.option == "priority"


@pytest.mark.parametrize(
    ("url", "says"),
    [
        ("ftp://server/webapi/", "not http:// or https://"),
        ("https:///webapi/", "no valid host"),
        ("https://server:99999/webapi/", "invalid port"),
        ("https://my server/webapi/", "no valid host"),
        ("https://admin:hunter2-pw@server/webapi/", "never in the URL"),
        ("", "empty"),
    ],
)
def test_bad_urls_are_found_before_any_request(url: str, says: str) -> None:
    with pytest.raises(ConfigurationError, match=says) as info:
        ServerClient(url, "key", "secret")
    assert info.value.option == "url" and "hunter2" not in str(info.value)
    assert isinstance(info.value, ValueError)


def test_settings_checks() -> None:
    with pytest.raises(ConfigurationError) as info:
        check_settings("https://h/webapi/", auth_type="oauth1")
    assert info.value.option == "auth_type"
    with pytest.raises(ConfigurationError) as info:
        check_settings("https://h/webapi/", verify="/no/such/ca.pem")
    assert info.value.option == "ca_bundle" and "CA bundle" in str(info.value)
    assert "--ca-bundle" not in str(info.value)
    assert check_settings("h:8443").webapi == "https://h:8443/webapi/"


def test_scrubber_covers_every_encoding() -> None:
    scrub = Scrubber("p@ss word/+=")
    scrub.add_basic("key", "p@ss word/+=")
    import base64
    from urllib.parse import quote, quote_plus

    secret = "p@ss word/+="
    texts = [secret, quote(secret, safe=""), quote_plus(secret), json.dumps(secret),
             base64.b64encode(b"key:" + secret.encode()).decode(),
             base64.b64encode(secret.encode()).decode()]  # fmt: skip
    for text in texts:
        assert "p@ss" not in scrub(f"x {text} y") and "***" in scrub(f"x {text} y")
    assert scrub("nothing here") == "nothing here"
