"""The core against hostile answers over real HTTP (small scripted servers on 127.0.0.1).

Cut-off bodies, a 429-ing token endpoint, HTML sign-in pages, redirects, echoed secrets, huge
or odd headers, gzip bombs, a hung Server: every failure is an ApiError subclass with the right
kind, the right number of requests and nothing secret in it.
"""

from __future__ import annotations

import base64
import gzip
import json
import os
from urllib.parse import quote

import pytest
import requests
from core_seed import Sleeps
from hostile import TOKEN_OK, HostileServer, Reply, Req, json_reply

from ayx_plugins.server_api import (
    ApiError,
    AuthenticationError,
    LegacyApiRemovedError,
    RateLimitError,
    RetryPolicy,
    ServerClient,
    TransportError,
    call_endpoint,
)
from ayx_plugins.server_api.errors import (
    RedirectError,
    ResponseTooLargeError,
    UnexpectedAnswerError,
)
from ayx_plugins.server_api.segments import PathEscapeError

KEY, SECRET = "key-0123456789", "s3cr+t/with=odd&chars"
LIST = json_reply('[{"id": "a"}]')


def _client(url: str, sleeps: Sleeps | None = None, **kw: object) -> ServerClient:
    kw.setdefault("retry", RetryPolicy(sleep=sleeps or Sleeps()))
    kw.setdefault("timeout", 5.0)
    return ServerClient(url + "/webapi/", KEY, SECRET, **kw)  # type: ignore[arg-type]


def _api(handler):  # type: ignore[no-untyped-def]
    """Token requests get a token; everything else goes to `handler`."""

    def serve(req: Req) -> Reply | bytes:
        if req.path.endswith("/oauth2/token"):
            return TOKEN_OK
        return handler(req)  # type: ignore[no-any-return]

    return serve


# ----------------------------------------------------------------------- 13.1 cut-off bodies
def test_a_cut_off_body_is_retried_for_a_get_and_typed() -> None:
    cut = Reply(200, '[{"id": "abcdefghijklmnop"}]', {"Content-Type": "application/json"}, cut=8)
    with HostileServer(_api(lambda r: cut)) as srv, _client(srv.url) as client:
        with pytest.raises(TransportError, match="cut off") as info:
            client.request_json("GET", "v3/workflows")
        assert srv.count("/v3/workflows") == 4  # 1 + max_retries: the read is inside the loop
        assert not info.value.maybe_delivered  # a GET changes nothing


def test_a_cut_off_answer_to_a_post_is_not_resent_and_may_have_gone_through() -> None:
    cut = Reply(200, '{"id": "job-1", "status": "Queued"}', {"Content-Type": "application/json"},
                cut=5)  # fmt: skip
    with HostileServer(_api(lambda r: cut)) as srv, _client(srv.url) as client:
        with pytest.raises(TransportError) as info:
            client.request_json("POST", "v3/workflows/x/jobs", json={})
        assert srv.count("/jobs") == 1
        assert info.value.maybe_delivered and isinstance(info.value, ApiError)


# ----------------------------------------------------------- 13.2 one loop, one budget
def test_token_endpoint_429_one_budget_and_retry_after_honoured() -> None:
    sleeps = Sleeps()

    def serve(req: Req) -> Reply:
        if req.path.endswith("/oauth2/token"):
            return json_reply('{"error": "slow down"}', 429, **{"Retry-After": "2"})
        return LIST

    with HostileServer(serve) as srv, _client(srv.url, sleeps) as client:
        with pytest.raises(RateLimitError) as info:
            client.request_json("GET", "v3/workflows")
        assert srv.count("/oauth2/token") == 4 and srv.count("/v3/") == 0
        assert sleeps.calls == [2.0, 2.0, 2.0]
        assert info.value.retry_after == 2.0 and client.stats.retries == 3


@pytest.mark.parametrize("value", ["nan", "inf", "-5", "1e400", "Wed, 99 Foo 2024", "99999999"])
def test_odd_retry_after_values_are_clamped(value: str) -> None:
    sleeps = Sleeps()
    busy = [json_reply("{}", 503, **{"Retry-After": value})]
    with HostileServer(_api(lambda r: busy.pop() if busy else LIST)) as srv, _client(
        srv.url, sleeps, total_timeout=1e9
    ) as client:
        assert client.request_json("GET", "v3/workflows") == [{"id": "a"}]
    assert len(sleeps.calls) == 1 and 0.0 <= sleeps.calls[0] <= 60.0


def test_a_hung_server_is_not_multiplied() -> None:
    with HostileServer(_api(lambda r: Reply(200, "[]", hang=3.0))) as srv, _client(
        srv.url, timeout=0.2, total_timeout=0.5
    ) as client:
        with pytest.raises(TransportError) as info:
            client.request_json("GET", "v3/workflows")
        assert info.value.kind == "timeout"
        assert srv.count("/v3/workflows") <= 3  # the total time ends the retries


# ------------------------------------------------------------------ 13.5 request ids, headers
def test_request_id_sent_kept_across_retries_and_carried_by_errors() -> None:
    answers = [json_reply('{"message": "boom"}', 500, **{"X-Request-Id": "srv-42"}),
               json_reply("{}", 503)]  # fmt: skip
    with HostileServer(_api(lambda r: answers.pop())) as srv, _client(srv.url) as client:
        with pytest.raises(ApiError) as info:
            client.request_json("GET", "v3/workflows")
        sent = {r.headers.get("x-request-id") for r in srv.seen if "/v3/" in r.path}
        assert len(sent) == 1 and None not in sent
        err = info.value
        assert err.request_id == "srv-42" and err.client_request_id in sent
        assert err.headers.get("X-Request-Id") == "srv-42" and err.status == 500


# --------------------------------------------------------- 13.6 / 9.7 content and redirects
SIGN_IN = Reply(200, "<!DOCTYPE html><html><head><title>Sign in</title></head><body/></html>",
                {"Content-Type": "text/html"})  # fmt: skip


def test_an_html_page_is_not_a_success() -> None:
    with HostileServer(_api(lambda r: SIGN_IN)) as srv, _client(srv.url) as client:
        with pytest.raises(UnexpectedAnswerError) as info:
            client.request_json("DELETE", "v3/workflows/abc")
        assert "HTML page titled 'Sign in'" in str(info.value)
        assert "single sign-on" in str(info.value) and info.value.kind == "html"


def test_an_html_page_on_the_legacy_api_is_legacy_removed() -> None:
    with HostileServer(lambda r: SIGN_IN) as srv, ServerClient(
        srv.url + "/gallery/api/", KEY, SECRET, retry=RetryPolicy.none()
    ) as client, pytest.raises(LegacyApiRemovedError, match="/webapi/"):
        client.verify_credentials()


def test_cut_json_is_an_error_and_a_bom_is_fine() -> None:
    answers = [json_reply('{"id": "x", "name": "y"'), json_reply('\ufeff[{"id": "a"}]')]
    with HostileServer(_api(lambda r: answers.pop())) as srv, _client(srv.url) as client:
        assert client.request_json("GET", "v3/workflows") == [{"id": "a"}]
        with pytest.raises(UnexpectedAnswerError) as info:
            client.request_json("GET", "v3/workflows")
        assert info.value.kind == "bad_json"


def test_a_redirect_to_a_login_page_is_an_error() -> None:
    to_login = Reply(302, "", {"Location": "https://sso.example.com/adfs/ls/?wa=wsignin1.0"})
    with HostileServer(_api(lambda r: to_login)) as srv, _client(srv.url) as client:
        with pytest.raises(RedirectError) as info:
            client.request_json("GET", "v3/workflows")
        assert info.value.kind == "login_page" and "sign-in page" in str(info.value)


def test_http_to_https_says_use_https() -> None:
    def serve(req: Req) -> Reply:
        return Reply(301, "", {"Location": f"https://127.0.0.1:{srv.port}{req.target}"})

    with HostileServer(serve) as srv, _client(srv.url) as client:
        with pytest.raises(RedirectError) as info:
            client.request_json("GET", "v3/workflows")
        assert f"use https://127.0.0.1:{srv.port}/webapi/" in str(info.value)
        assert info.value.kind == "https_required"


def test_a_redirected_token_request_never_carries_the_secret_elsewhere() -> None:
    with HostileServer(lambda r: TOKEN_OK) as other:
        moved = Reply(307, "", {"Location": other.url + "/webapi/oauth2/token"})
        with HostileServer(lambda r: moved) as srv, _client(
            srv.url, token_in_body=True
        ) as client, pytest.raises(RedirectError) as info:
            client.request_json("GET", "v3/workflows")
        assert other.count() == 0
        assert f"redirects to {other.url}/webapi/oauth2/token; use that URL" in str(info.value)


def test_a_same_origin_get_redirect_is_followed() -> None:
    def serve(req: Req) -> Reply:
        if req.path.endswith("/old"):
            return Reply(302, "", {"Location": "/webapi/v3/workflows"})
        return LIST

    with HostileServer(_api(serve)) as srv, _client(srv.url) as client:
        assert client.request_json("GET", "v3/old") == [{"id": "a"}]


# ------------------------------------------------------------------------- 9.2 secrets
def test_echoed_secrets_are_scrubbed_everywhere() -> None:
    def echo(req: Req) -> Reply:
        text = json.dumps({"message": f"bad request {req.headers} {req.body.decode()}"})
        return Reply(400 if "token" in req.path else 500, text,
                     {"Content-Type": "application/json", "X-Echo": req.headers.get(
                         "authorization", "")})  # fmt: skip

    basic = base64.b64encode(f"{KEY}:{SECRET}".encode()).decode()
    forms = [SECRET, quote(SECRET, safe=""), basic]
    for in_body in (False, True):
        with HostileServer(echo) as srv, _client(srv.url, token_in_body=in_body) as client:
            with pytest.raises(AuthenticationError) as info:
                client.token()
            err = info.value
            blob = " ".join([str(err), repr(err), json.dumps(err.body), str(err.server_message),
                             json.dumps(err.headers)])  # fmt: skip
            assert "bad request" in blob
            for form in forms:
                assert form not in blob


def test_the_fetched_token_is_scrubbed_from_echoing_error_pages() -> None:
    def echo(req: Req) -> Reply:
        return Reply(500, f"<html>you sent {req.headers.get('authorization')}</html>")

    with HostileServer(_api(echo)) as srv, _client(srv.url, retry=RetryPolicy.none()) as client:
        with pytest.raises(ApiError) as info:
            client.request_json("GET", "v3/workflows")
        assert "tok-abcdef123456" not in f"{info.value} {info.value.body}"
        assert "***" in str(info.value.body)


# ------------------------------------------------------------------- 9.8 token refusal memory
def test_a_refused_secret_is_asked_once_not_once_per_record() -> None:
    refused = json_reply('{"error": "invalid_client"}', 401)
    with HostileServer(lambda r: refused) as srv, _client(srv.url) as client:
        for _ in range(1000):
            with pytest.raises(AuthenticationError, match="invalid_client") as info:
                client.request_json("GET", "v3/workflows")
        assert srv.count() == 1 and info.value.kind == "token_refused"


@pytest.mark.parametrize("lifetime", ["1e20", "1e400", '"nan"', "-3", '"soon"'])
def test_odd_token_lifetimes_are_clamped(lifetime: str) -> None:
    token = json_reply('{"access_token": "tok-abcdef123456", "token_type": "bearer", '
                       f'"expires_in": {lifetime}}}')  # fmt: skip
    with HostileServer(lambda r: token if "token" in r.path else LIST) as srv, _client(
        srv.url
    ) as client:
        assert client.request_json("GET", "v3/workflows") == [{"id": "a"}]


# ---------------------------------------------------------------------- 9.10 size caps
def test_a_gzip_bomb_stops_at_the_cap() -> None:
    bomb = gzip.compress(b"[" + b" " * (8 * 1024 * 1024) + b"]")
    reply = Reply(200, bomb, {"Content-Type": "application/json", "Content-Encoding": "gzip"})
    with HostileServer(_api(lambda r: reply)) as srv, _client(
        srv.url, max_body_bytes=1024 * 1024
    ) as client:
        with pytest.raises(ResponseTooLargeError) as info:
            client.request_json("GET", "v3/workflows")
        assert info.value.kind == "too_large" and "1 MB" in str(info.value)


def test_a_download_is_capped_and_streamed(tmp_path: object) -> None:
    data = b"x" * 300_000
    with HostileServer(_api(lambda r: Reply(200, data))) as srv, _client(srv.url) as client:
        path = os.path.join(str(tmp_path), "out.bin")
        with open(path, "wb") as fh:
            assert client.download("v1/jobs/j/output/o", fh) == len(data)
        with open(path, "wb") as fh, pytest.raises(ResponseTooLargeError):
            client.download("v1/jobs/j/output/o", fh, max_bytes=100_000)


# ------------------------------------------------------------------- 9.1 path parameters
@pytest.mark.parametrize("value", ["..", ".", "a/b", "..%2F..", "%2e%2e", "x\\y"])
def test_path_values_that_change_the_path_send_nothing(value: str) -> None:
    with HostileServer(_api(lambda r: LIST)) as srv, _client(srv.url) as client:
        with pytest.raises((PathEscapeError, ValueError)):
            call_endpoint(client, "workflows_delete_workflow", path_params={"workflowId": value})
        assert srv.count() == 0


# ------------------------------------------------------------ 13.3 / 9.9 sessions and sockets
def test_a_given_session_gets_the_pool_size_and_user_agent() -> None:
    with HostileServer(_api(lambda r: LIST)) as srv:
        session = requests.Session()
        client = _client(srv.url, session=session, pool_size=32, owns_session=True)
        client.request_json("GET", "v3/workflows")
        adapter = session.get_adapter("https://server.example.com/")
        assert adapter._pool_maxsize == 32  # type: ignore[attr-defined]
        assert srv.seen[-1].headers["user-agent"].startswith("alteryx-server-tools/")
        client.close()


def test_many_clients_leak_no_file_descriptors() -> None:
    if not os.path.isdir("/proc/self/fd"):
        pytest.skip("needs /proc")
    with HostileServer(_api(lambda r: LIST)) as srv:
        before = len(os.listdir("/proc/self/fd"))
        for _ in range(100):
            with _client(srv.url, session=requests.Session(), owns_session=True) as client:
                client.request_json("GET", "v3/workflows")
        after = len(os.listdir("/proc/self/fd"))
    assert after - before < 10


def test_a_gateway_error_on_a_post_may_have_gone_through() -> None:
    bad_gateway = json_reply('{"message": "upstream timed out"}', 504)
    with HostileServer(_api(lambda r: bad_gateway)) as srv, _client(srv.url) as client:
        with pytest.raises(ApiError) as info:
            client.request_json("POST", "v3/workflows/x/jobs", json={})
        assert srv.count("/jobs") == 1 and info.value.maybe_delivered
        assert "may still have carried out this POST" in str(info.value)
        with pytest.raises(ApiError) as got:
            client.request_json("GET", "v3/workflows")
        assert not got.value.maybe_delivered and srv.count("/v3/workflows") == 5


def test_a_slow_drip_answer_is_bounded_by_the_total_time() -> None:
    """Each byte arrives well within the read timeout, the whole answer never would."""
    drip = Reply(200, "[" + " " * 400 + "]", {"Content-Type": "application/json"}, drip=0.02)
    with HostileServer(_api(lambda r: drip)) as srv, _client(
        srv.url, timeout=1.0, total_timeout=0.4, retry=RetryPolicy.none()
    ) as client:
        with pytest.raises(TransportError) as info:
            client.request_json("GET", "v3/workflows")
        assert info.value.kind == "timeout" and "did not finish answering" in str(info.value)
