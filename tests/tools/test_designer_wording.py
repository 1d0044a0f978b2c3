"""The core's errors in Designer's words, through the real tools (issue 13.5, 13.6, 13.7, 9.11):
the TLS failure names the tool's CA option (never `--ca-bundle` / `REQUESTS_CA_BUNDLE`), a wait
that runs out names Server Job Status (never `ayx-server job ID`), a timeout names the tool's
request timeout and says "may have gone through" only for a job start, configuration mistakes
name the tool's setting, a 2xx HTML page on /gallery/api/ is "legacy API removed", and every
Failure row's Error Detail carries the request id a Server admin searches the logs for (in
process and over the SDK's gRPC protocol)."""

from __future__ import annotations

import sys
from typing import Any

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerGet, ServerPost
from ayx_plugins.tools.runner import ServerRunner
from designer_host import run_tool
from tests.core.hostile import TOKEN_OK, HostileServer, Reply, Req, json_reply
from tests.tools.conftest import config_xml, conn, decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
KEY, SECRET = "wording-key-1a2b3c", "wording-secret-9f8e7d6c"
CA_OPTION = "'Certificate authority file (PEM)' under Advanced"
CLI_WORDS = ("--ca-bundle", "REQUESTS_CA_BUNDLE", "ayx-server", "--http-timeout", "--timeout",
             "raise the size limit")


def no_cli_words(*texts: Any) -> None:
    blob = "\n".join(str(t) for t in texts)
    for word in CLI_WORDS:
        assert word not in blob, f"a command-line word in a tool message: {word!r}"


def _hostile(answer: Reply, token: Reply = TOKEN_OK) -> HostileServer:
    def serve(req: Req) -> Reply:
        return token if req.path.endswith("/oauth2/token") else answer
    return HostileServer(serve)


def _configured(url: str, **values: Any) -> str:
    return config_xml(secret=SECRET, serverUrl=url, apiKey=KEY, **values)


# ------------------------------------------------------------------------ 13.7 TLS words
def test_a_tls_failure_names_the_tools_ca_option(tls_emulator, run_tool_inprocess,
                                                 monkeypatch):
    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(var, raising=False)
    emu, pem = tls_emulator
    user = emu.user("Curator")
    xml = config_xml(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key,
                     path="v3/workflows/{Wf}")
    run = run_tool_inprocess(ServerGet, xml, pa.table({"Wf": [WF_OK]}))
    (row,) = run.rows("Failure")
    assert "TLS" in row["Error"] and CA_OPTION in row["Error"], row["Error"]
    no_cli_words(row, run.messages)
    fixed = run_tool_inprocess(ServerGet, config_xml(
        secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key, caBundle=str(pem),
        path="v3/workflows/{Wf}"), pa.table({"Wf": [WF_OK]}))
    assert fixed.count("Success") == 1, fixed.rows("Failure")


def test_a_missing_ca_file_and_a_wrong_auth_type_name_the_setting(run_tool_inprocess):
    cases = [
        (dict(caBundle="/nonexistent/private-ca.pem"), CA_OPTION),
        (dict(authType="oauth1", serverUrl="https://server.example.com/webapi/"),
         "'Authentication' under Advanced"),
    ]
    for values, words in cases:
        settings = {"serverUrl": "https://server.example.com/", "path": "v3/workflows",
                    **values}
        url = settings.pop("serverUrl")
        run = run_tool_inprocess(ServerGet, _configured(url, **settings), pa.table({"N": [1]}))
        assert len(run.errors) == 1 and words in run.errors[0], run.errors
        no_cli_words(run.messages)


# ------------------------------------------------- 13.5 the request id in Error Detail
def test_the_request_id_is_in_the_failure_detail(run_tool_inprocess):
    page = Reply(500, "<html><title>Error</title></html>",
                 {"Content-Type": "text/html", "X-Request-Id": "srv-req-4711"})
    with _hostile(page) as srv:
        run = run_tool_inprocess(ServerPost, _configured(
            srv.url, path="v3/collections", bodyMode="fields", bodyFields='["name"]'),
            pa.table({"name": ["a"]}))
        sent = [r.headers.get("x-request-id") for r in srv.seen
                if not r.path.endswith("/oauth2/token")]
    (row,) = run.rows("Failure")
    assert sent and sent[0], "the tool sent no X-Request-Id"
    assert "srv-req-4711" in row["Error Detail"] and sent[0] in row["Error Detail"], row
    assert "Server's logs" in row["Error Detail"]


def test_the_request_id_over_grpc():
    answer = json_reply('{"message": "The workflow is locked"}', 400)
    with _hostile(answer) as srv:
        run = run_tool("ServerGet", _configured(srv.url, path="v3/workflows/{Wf}"),
                       {"Input": pa.table({"Wf": [WF_OK]})}, secrets=decrypt,
                       python=sys.executable, timeout=90)
        sent = [r.headers.get("x-request-id") for r in srv.seen
                if not r.path.endswith("/oauth2/token")]
    assert run.completed, run.log[-2000:]
    (row,) = run.outputs["Failure"].to_pylist()
    assert "locked" in row["Error"] and sent[0] in row["Error Detail"], row
    no_cli_words(row, run.messages)


# ------------------------------------------------------------ JobTimeoutError, timeouts
@pytest.mark.emulator_config(job_timing="manual")
def test_a_wait_that_runs_out_names_server_job_status(emulator, run_tool_inprocess):
    xml = conn(emulator, workflowId=WF_OK, wait=True, pollSeconds=0.05, waitTimeoutSeconds=0.2)
    run = run_tool_inprocess(ServerRunner, xml, pa.table({"Id": [1]}))
    (row,) = run.rows("Failure")
    assert "Server Job Status" in row["Error"] and row["JobId"], row
    no_cli_words(row, run.messages)


def test_timeouts_name_the_request_timeout_and_only_a_job_start_may_have_gone_through(
        run_tool_inprocess, monkeypatch):
    from ayx_plugins.server_api import RetryPolicy

    # The retries' waits are the core tests' subject (tests/core); here only the words count.
    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)
    hung = Reply(200, "{}", {"Content-Type": "application/json"}, hang=1.0)
    with _hostile(hung) as srv:  # a GET: it changed nothing
        run = run_tool_inprocess(ServerGet, _configured(
            srv.url, path="v3/workflows/{Wf}", requestTimeoutSeconds=0.2),
            pa.table({"Wf": [WF_OK]}))
    (row,) = run.rows("Failure")
    assert "'Request timeout (seconds)' under Advanced" in row["Error"], row["Error"]
    assert "gone through" not in row["Error"], row["Error"]
    with _hostile(json_reply("{}"), token=hung) as srv:  # the token request
        run = run_tool_inprocess(ServerGet, _configured(
            srv.url, path="v3/workflows/{Wf}", requestTimeoutSeconds=0.2),
            pa.table({"Wf": [WF_OK]}))
    (row,) = run.rows("Failure")
    assert "token" in row["Error"] and "gone through" not in row["Error"], row["Error"]

    def job_start_hangs(req: Req) -> Reply:
        if req.path.endswith("/oauth2/token"):
            return TOKEN_OK
        if req.method == "POST":
            return hung
        return json_reply("[]")  # the workflow's questions

    with HostileServer(job_start_hangs) as srv:
        run = run_tool_inprocess(ServerRunner, _configured(
            srv.url, workflowId=WF_OK, wait=False, requestTimeoutSeconds=0.2),
            pa.table({"Id": [1]}))
        starts = srv.count("/jobs")
    (row,) = run.rows("Failure")
    assert "gone through" in row["Error"] and starts == 1, (row["Error"], starts)
    no_cli_words(row, run.messages)


# ------------------------------------------------ 13.6 legacy API removed, by content
def test_an_html_200_on_the_legacy_api_says_legacy_removed(run_tool_inprocess):
    page = Reply(200, "<!DOCTYPE html><html><title>Alteryx Server</title></html>",
                 {"Content-Type": "text/html"})
    with _hostile(page) as srv:
        run = run_tool_inprocess(ServerGet, _configured(
            srv.url + "/gallery/api/", authType="oauth1", path="v1/workflows/subscription"),
            pa.table({"N": [1]}))
    (row,) = run.rows("Failure")
    assert "/webapi/" in row["Error"] and "OAuth 2" in row["Error"], row["Error"]
    assert "'Authentication' under Advanced" in row["Error"], row["Error"]
    assert run.count("Success") == 0


def test_a_proxy_failure_names_designers_proxy_settings(run_tool_inprocess, monkeypatch):
    from ayx_plugins.server_api import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)
    with HostileServer(lambda req: Reply(200, b"")) as closed:
        dead = closed.url  # a port nothing listens on once the server is closed
    for var in ("HTTP_PROXY", "http_proxy", "HTTPS_PROXY", "https_proxy"):
        monkeypatch.setenv(var, dead)
    for var in ("NO_PROXY", "no_proxy"):
        monkeypatch.delenv(var, raising=False)
    run = run_tool_inprocess(ServerGet, _configured(
        "http://server.example.invalid/", path="v3/workflows"), pa.table({"N": [1]}))
    (row,) = run.rows("Failure")
    assert "Options > User Settings > Edit User Settings > Proxy" in row["Error"], row["Error"]
    assert "HTTPS_PROXY" not in row["Error"]
    no_cli_words(row, run.messages)
