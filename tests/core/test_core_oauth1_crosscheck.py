"""Our OAuth 1.0a signatures, verified by an independent implementation: oauthlib's server side."""

from __future__ import annotations

from urllib.parse import urlsplit

import pytest
import requests
from core_seed import AWKWARD_QUERIES
from hypothesis import given, settings
from hypothesis import strategies as st
from oauthlib.common import Request as OAuthRequest
from oauthlib.oauth1.rfc5849 import signature

from ayx_plugins.server_api.auth import OAuth1QueryAuth, sign_oauth1_url

KEY = "8D92C60EC127ED24199349367135be1179075142e69515bfab4d001"
SECRET = "3d828c0861de425d3663436053dff1744d6ad1fb943e63b3f82865cf758f165d"
BASE = "https://gallery.example.com/gallery/api/v1/workflows/subscription/"


def _verify(method: str, signed_url: str, secret: str = SECRET) -> bool:
    """oauthlib's server-side check of a query-signed request."""
    query = urlsplit(signed_url).query
    every = signature.collect_parameters(uri_query=query, exclude_oauth_signature=False)
    req = OAuthRequest(signed_url, http_method=method)
    req.params = signature.collect_parameters(uri_query=query)  # all but oauth_signature
    req.signature = dict(every)["oauth_signature"]
    return bool(signature.verify_hmac_sha1(req, client_secret=secret))


def _wire_url(method: str, params: list[tuple[str, str]]) -> str:
    """What `requests` puts on the wire for these params, signed by our auth object."""
    prepared = requests.Request(method, BASE, params=params, auth=OAuth1QueryAuth(KEY, SECRET))
    url = prepared.prepare().url
    assert url is not None
    return url


def test_reproduces_the_shared_test_vector() -> None:
    url = BASE + "?sortField=name&direction=asc&offset=0&limit=10&search=my%20app"
    signed = sign_oauth1_url("GET", url, KEY, SECRET, nonce="123456789", timestamp=1700000000)
    assert "oauth_signature=I3kJWq0tvwQUBaB4SMNtfxBqXVk%3D" in signed
    assert _verify("GET", signed)


@pytest.mark.parametrize("params", AWKWARD_QUERIES, ids=lambda p: repr(p)[:40])
@pytest.mark.parametrize("method", ["GET", "POST", "DELETE"])
def test_awkward_query_values_verify(method: str, params: list[tuple[str, str]]) -> None:
    signed = _wire_url(method, params)
    assert _verify(method, signed)
    # The query still carries every value, in order, repeated keys included.
    collected = signature.collect_parameters(uri_query=urlsplit(signed).query)
    assert [(k, v) for k, v in collected if not k.startswith("oauth_")] == params


def test_wrong_secret_or_tampered_query_fails() -> None:
    signed = _wire_url("GET", [("search", "a+b")])
    assert not _verify("GET", signed, secret=SECRET + "x")
    assert not _verify("GET", signed.replace("search=a%2Bb", "search=a+b"))


def test_fresh_nonce_and_timestamp_each_time() -> None:
    first = dict(signature.collect_parameters(uri_query=urlsplit(_wire_url("GET", [])).query))
    second = dict(signature.collect_parameters(uri_query=urlsplit(_wire_url("GET", [])).query))
    assert first["oauth_nonce"] != second["oauth_nonce"]
    assert len(first["oauth_nonce"]) >= 32
    assert first["oauth_signature_method"] == "HMAC-SHA1"
    assert first["oauth_timestamp"].isdigit()


def test_clock_offset_moves_the_timestamp() -> None:
    auth = OAuth1QueryAuth(KEY, SECRET, clock_offset=-7200)
    url = requests.Request("GET", BASE, auth=auth).prepare().url
    assert url is not None
    stamp = int(
        dict(signature.collect_parameters(uri_query=urlsplit(url).query))["oauth_timestamp"]
    )
    plain = int(
        dict(signature.collect_parameters(uri_query=urlsplit(_wire_url("GET", [])).query))[
            "oauth_timestamp"
        ]
    )
    assert 7190 <= plain - stamp <= 7210
    assert _verify("GET", url)


_text = st.text(
    alphabet=st.characters(blacklist_categories=("Cs",), blacklist_characters="\x00"), max_size=12
)


@settings(max_examples=150, deadline=None)
@given(params=st.lists(st.tuples(_text.filter(lambda s: s != ""), _text), max_size=6))
def test_any_query_verifies(params: list[tuple[str, str]]) -> None:
    signed = _wire_url("GET", params)
    assert _verify("GET", signed)
