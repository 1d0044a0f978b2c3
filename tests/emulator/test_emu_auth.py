"""Both auth families, including every rejection path."""

from __future__ import annotations

import time
from email.utils import parsedate_to_datetime

import pytest
import requests
from emu_helpers import SUCCESS, Api, signed, token
from oauthlib.oauth1 import SIGNATURE_TYPE_QUERY, Client

from ayx_server_emulator import EmulatorServer
from ayx_server_emulator.auth import OAuth1Request, expected_signature

DENIED = {"message": "Authorization has been denied for this request."}


def _token_post(emu: EmulatorServer, **kw: object) -> requests.Response:
    return requests.post(emu.url + "/webapi/oauth2/token", timeout=10, **kw)  # type: ignore[arg-type]


# ------------------------------------------------------------------ OAuth2
def test_token_with_basic_and_with_body_credentials(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    basic = _token_post(emulator, data={"grant_type": "client_credentials"},
                        auth=(cur.api_key, cur.api_secret))
    body = _token_post(emulator, data={"grant_type": "client_credentials",
                                       "client_id": cur.api_key, "client_secret": cur.api_secret})
    for r in (basic, body):
        assert r.status_code == 200
        assert r.json()["token_type"] == "bearer" and r.json()["expires_in"] == 3599
    assert emulator.counters.tokens_issued == 2


@pytest.mark.parametrize("case", ["bad_secret", "unknown_key", "studio_key", "no_api",
                                  "grant", "json", "twice", "nothing"])
def test_token_rejections(emulator: EmulatorServer, case: str) -> None:
    cur = emulator.user("Curator")
    form = {"grant_type": "client_credentials"}
    kw: dict[str, object] = {"data": form, "auth": (cur.api_key, cur.api_secret)}
    expected = "invalid_client"
    if case == "bad_secret":
        kw["auth"] = (cur.api_key, "nope")
    elif case == "unknown_key":
        kw["auth"] = ("nobody", cur.api_secret)
    elif case == "studio_key":
        kw["auth"] = (cur.studio_key, cur.studio_secret)
    elif case == "no_api":
        noapi = emulator.user(email="noapi@emulator.local")
        kw["auth"] = (noapi.api_key, noapi.api_secret)
    elif case == "grant":
        kw["data"] = {"grant_type": "password"}
        expected = "unsupported_grant_type"
    elif case == "json":
        kw = {"json": form, "auth": (cur.api_key, cur.api_secret)}
        expected = "invalid_request"
    elif case == "twice":
        kw["data"] = {**form, "client_id": cur.api_key, "client_secret": cur.api_secret}
        expected = "invalid_request"
    elif case == "nothing":
        kw = {"data": form}
    r = _token_post(emulator, **kw)
    assert r.status_code == 400
    assert r.json()["error"] == expected and r.json()["error_description"]
    assert emulator.counters.tokens_issued == 0


@pytest.mark.parametrize("header", [None, "Bearer", "Bearer not-a-token", "Basic abc"])
def test_bearer_missing_or_invalid_is_denied(emulator: EmulatorServer, header: str | None) -> None:
    headers = {"Authorization": header} if header else {}
    r = requests.get(emulator.url + "/webapi/v3/workflows", headers=headers, timeout=10)
    assert r.status_code == 401 and r.json() == DENIED


@pytest.mark.emulator_config(token_lifetime=1)
def test_expired_token_is_denied_and_expires_in_follows_config(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = _token_post(emulator, data={"grant_type": "client_credentials"},
                    auth=(cur.api_key, cur.api_secret))
    assert r.json()["expires_in"] == 1
    headers = {"Authorization": "Bearer " + r.json()["access_token"]}
    assert requests.get(emulator.url + "/webapi/v3/workflows", headers=headers,
                        timeout=10).status_code == 200
    emulator.expire_tokens()
    r = requests.get(emulator.url + "/webapi/v3/workflows", headers=headers, timeout=10)
    assert r.status_code == 401 and r.json() == DENIED


def test_token_lifetime_zero_expires_at_once(emulator: EmulatorServer) -> None:
    emulator.config.token_lifetime = 0
    tok = token(emulator, emulator.user("Curator"))
    r = requests.get(emulator.url + "/webapi/v3/workflows",
                     headers={"Authorization": "Bearer " + tok}, timeout=10)
    assert r.status_code == 401


# ------------------------------------------------------------------ OAuth1
def test_verifier_matches_the_shared_test_vector() -> None:
    # The worked example in /work/shared/api/oauth1-test-vector.txt (dummy Postman key/secret).
    key = "8D92C60EC127ED24199349367135be1179075142e69515bfab4d001"
    secret = "3d828c0861de425d3663436053dff1744d6ad1fb943e63b3f82865cf758f165d"
    query = ("sortField=name&direction=asc&offset=0&limit=10&search=my%20app"
             "&oauth_nonce=123456789&oauth_timestamp=1700000000&oauth_version=1.0"
             "&oauth_signature_method=HMAC-SHA1&oauth_consumer_key=" + key)
    req = OAuth1Request("GET", "https://gallery.example.com/gallery/api/v1/workflows/"
                        "subscription/", query, None)
    client = Client(key, client_secret=secret, signature_type=SIGNATURE_TYPE_QUERY,
                    nonce="123456789", timestamp="1700000000")
    uri, _, _ = client.sign("https://gallery.example.com/gallery/api/v1/workflows/subscription/"
                            "?sortField=name&direction=asc&offset=0&limit=10&search=my%20app")
    assert "oauth_signature=I3kJWq0tvwQUBaB4SMNtfxBqXVk%3D" in uri
    assert expected_signature(req, secret) == "I3kJWq0tvwQUBaB4SMNtfxBqXVk="


@pytest.mark.parametrize("header", [False, True])
def test_oauth1_query_and_header_transport(emulator: EmulatorServer, header: bool) -> None:
    cur = emulator.user("Curator")
    r = signed(emulator, "GET", "v1/workflows/subscription/?search=emulator%20s&limit=5",
               cur.studio_key, cur.studio_secret, header=header)
    assert r.status_code == 200, r.text
    assert [w["id"] for w in r.json()] == [SUCCESS]


def test_oauth1_body_is_not_signed(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = signed(emulator, "POST", f"v1/workflows/{SUCCESS}/jobs/", cur.studio_key,
               cur.studio_secret, json={"questions": [], "priority": 0})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "Queued" and r.json()["priority"] == 0


def _envelope(r: requests.Response, message: str) -> None:
    assert r.status_code == 401
    assert r.json() == {"data": None, "exceptionName": "UnauthorizedException",
                        "innerExceptionMessage": "", "message": message}


def test_oauth1_bad_signature(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, "wrong-secret")
    _envelope(r, "The provided signature(oauth_signature) is invalid.")


def test_oauth1_tampered_query_breaks_the_signature(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    client = Client(cur.studio_key, client_secret=cur.studio_secret,
                    signature_type=SIGNATURE_TYPE_QUERY)
    uri, _, _ = client.sign(emulator.url + "/gallery/api/v1/workflows/subscription/?limit=1")
    r = requests.get(uri.replace("limit=1", "limit=2"), timeout=10)
    _envelope(r, "The provided signature(oauth_signature) is invalid.")


def test_oauth1_unknown_key(emulator: EmulatorServer) -> None:
    r = signed(emulator, "GET", "v1/workflows/subscription/", "nobody", "x")
    _envelope(r, "The provided API Key (oauth_consumer_key) is invalid.")


def test_oauth1_missing_parameters(emulator: EmulatorServer) -> None:
    r = requests.get(emulator.url + "/gallery/api/v1/workflows/subscription/", timeout=10)
    assert r.status_code == 401 and r.json()["exceptionName"] == "UnauthorizedException"


@pytest.mark.parametrize(("field", "value", "words"), [
    ("oauth_version", "2.0", "oauth_version"),
    ("oauth_signature_method", "PLAINTEXT", "oauth_signature_method")])
def test_oauth1_rejects_other_versions_and_methods(emulator: EmulatorServer, field: str,
                                                   value: str, words: str) -> None:
    cur = emulator.user("Curator")
    client = Client(cur.studio_key, client_secret=cur.studio_secret,
                    signature_type=SIGNATURE_TYPE_QUERY)
    uri, _, _ = client.sign(emulator.url + "/gallery/api/v1/workflows/subscription/")
    original = "oauth_version=1.0" if field == "oauth_version" else \
        "oauth_signature_method=HMAC-SHA1"
    r = requests.get(uri.replace(original, f"{field}={value}"), timeout=10)
    assert r.status_code == 401 and words in r.json()["message"]


def test_oauth1_timestamp_outside_the_window(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    emulator.config.clock_offset = 3600
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    _envelope(r, "Timestamp is not close enough to the current server time.")
    emulator.config.skew_message = "custom skew text"
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    _envelope(r, "custom skew text")
    emulator.config.timestamp_skew = 7200
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    assert r.status_code == 200


def test_oauth1_nonce_replay(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    client = Client(cur.studio_key, client_secret=cur.studio_secret,
                    signature_type=SIGNATURE_TYPE_QUERY)
    uri, _, _ = client.sign(emulator.url + "/gallery/api/v1/workflows/subscription/")
    assert requests.get(uri, timeout=10).status_code == 200
    _envelope(requests.get(uri, timeout=10),
              "The provided nonce (oauth_nonce) has already been used.")
    emulator.config.reject_nonce_replay = False
    assert requests.get(uri, timeout=10).status_code == 200


def test_oauth1_external_base_url(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    emulator.config.external_base_url = "https://gallery.example.com"
    direct = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key,
                    cur.studio_secret)
    _envelope(direct, "The provided signature(oauth_signature) is invalid.")
    proxied = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key,
                     cur.studio_secret, base="https://gallery.example.com")
    assert proxied.status_code == 200, proxied.text


def test_oauth1_key_kinds_are_strict(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    api_on_v1 = signed(emulator, "GET", "v1/workflows/subscription/", cur.api_key,
                       cur.api_secret)
    _envelope(api_on_v1, DENIED["message"])
    studio_on_admin = signed(emulator, "GET", "admin/v1/workflows/", cur.studio_key,
                             cur.studio_secret)
    _envelope(studio_on_admin, DENIED["message"])
    assert signed(emulator, "GET", "admin/v1/workflows/", cur.api_key,
                  cur.api_secret).status_code == 200
    emulator.config.strict_legacy_keys = False
    assert signed(emulator, "GET", "v1/workflows/subscription/", cur.api_key,
                  cur.api_secret).status_code == 200


def test_oauth1_trailing_slash_optional(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    for path in ("v1/workflows/subscription", "v1/workflows/subscription/"):
        assert signed(emulator, "GET", path, cur.studio_key, cur.studio_secret).status_code == 200


@pytest.mark.emulator_config(legacy_enabled=False)
def test_modern_server_has_no_gallery_api(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    assert r.status_code == 404
    emulator.config.legacy_removed_status = 405
    r = signed(emulator, "GET", "v1/workflows/subscription/", cur.studio_key, cur.studio_secret)
    assert r.status_code == 405
    assert Api(emulator).get("v3/workflows").status_code == 200


def test_private_studio_keys_never_work_on_webapi(emulator: EmulatorServer) -> None:
    cur = emulator.user("Curator")
    r = _token_post(emulator, data={"grant_type": "client_credentials"},
                    auth=(cur.studio_key, cur.studio_secret))
    assert r.status_code == 400


def test_date_header_follows_the_clock_offset(emulator: EmulatorServer) -> None:
    emulator.config.clock_offset = -7200
    r = requests.get(emulator.url + "/_emulator/health", timeout=10)
    offset = parsedate_to_datetime(r.headers["Date"]).timestamp() - time.time()
    assert -7300 < offset < -7100
