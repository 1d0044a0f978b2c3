"""No token or secret leaves the tools: every output column of every tool under every connection
source, and every error path against a Server that echoes the request into its error pages (in
process and over gRPC). Also: a wrong key/secret is asked once, not once per record; sockets stay
bounded; configuration mistakes are one error before any request; http:// and TLS-off warn once.
"""

from __future__ import annotations

import base64
import json
import os
import sys
import threading
from typing import Any
from urllib.parse import quote

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerDelete, ServerGet, ServerPost, ServerPut
from ayx_plugins.tools.authenticate import ServerAuthenticate
from ayx_plugins.tools.job_status import ServerJobStatus
from ayx_plugins.tools.runner import ServerRunner
from designer_host import run_tool
from designer_host.dcm import server_api_connection
from tests.tools.conftest import config_xml, decrypt
from tests.tools.echo_server import TOKEN, EchoServer

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"
BOGUS = "6101a0b0c0d0e0f0a0b0cfff"
CID = "8f0e3b7a-1c2d-4e5f-9a0b-1c2d3e4f5a6b"
KEY, SECRET = "echo-key-3b9f1c", "echo-secret-7d2e4a9c1f"

REQUEST_TOOLS: list[tuple[type, dict[str, Any], pa.Table]] = [
    (ServerRunner, {"workflowIdField": "Wf", "wait": True, "pollSeconds": 0.05},
     pa.table({"Wf": [WF_OK, WF_ERROR, BOGUS]})),
    (ServerJobStatus, {"jobIdField": "Wf"}, pa.table({"Wf": [BOGUS, "x"]})),
    (ServerGet, {"path": "v3/workflows/{Wf}"}, pa.table({"Wf": [WF_OK, BOGUS]})),
    (ServerPost, {"path": "v3/collections", "bodyMode": "fields", "bodyFields": '["name"]'},
     pa.table({"name": ["A collection", None]})),
    (ServerPut, {"path": "v3/collections/{Wf}", "bodyMode": "fields", "bodyFields": '["name"]'},
     pa.table({"Wf": [BOGUS], "name": ["x"]})),
    (ServerDelete, {"path": "v3/collections/{Wf}"}, pa.table({"Wf": [BOGUS]})),
]


def forms(*secrets: str, key: str | None = None, secret: str | None = None) -> list[str]:
    """Each secret as text, URL-encoded, and the base64 of key:secret (Basic auth)."""
    out = [s for s in secrets if s] + [quote(s, safe="") for s in secrets if s]
    if key and secret:
        out.append(base64.b64encode(f"{key}:{secret}".encode()).decode())
    return out


def scan(secrets: list[str], run: Any, *, skip: tuple[str, str] | None = None) -> None:
    """No secret in any message or any column of any output (except `skip` = (anchor, field))."""
    texts = list(getattr(run, "messages", []))
    outputs = run.outputs if hasattr(run, "outputs") else {
        n: run.table(n) for n in run.pushed}
    for anchor, table in outputs.items():
        for name in table.schema.names:
            if skip == (anchor, name):
                continue
            texts.append(json.dumps(table.column(name).to_pylist(), default=str))
    blob = "\n".join(str(t) for t in texts)
    for secret in secrets:
        assert secret not in blob, f"a secret leaked ({secret[:4]}...)"


@pytest.fixture
def issued(emulator) -> list[str]:
    """Every token the emulator hands out during the test."""
    tokens: list[str] = []
    real = emulator.tokens.issue

    def issue(*args: Any, **kw: Any) -> str:
        value: str = real(*args, **kw)
        tokens.append(value)
        return value

    emulator.tokens.issue = issue
    return tokens


@pytest.mark.parametrize("source", ["configured", "dcm", "anchor"])
def test_no_token_or_secret_in_any_output_under_every_source(emulator, run_tool_inprocess,
                                                             issued, source):
    user = emulator.user("Curator")
    auth = run_tool_inprocess(ServerAuthenticate, config_xml(
        secret=user.api_secret, serverUrl=emulator.url, apiKey=user.api_key))
    record = auth.table("Success")
    dcm = {CID: server_api_connection(emulator.url, user.api_key, user.api_secret)}
    for cls, values, table in REQUEST_TOOLS:
        if source == "configured":
            xml = config_xml(secret=user.api_secret, serverUrl=emulator.url, apiKey=user.api_key,
                             **values)
        else:
            xml = config_xml(source=source, dcmConnectionId=CID, **values)
        run = run_tool_inprocess(cls, xml, table, dcm_connections=dcm,
                                 connection=record if source == "anchor" else None)
        assert run.count("Success") + run.count("Failure") >= table.num_rows
        assert issued, "the scan needs the tokens the Server issued"
        scan(forms(*issued, user.api_secret, key=user.api_key, secret=user.api_secret), run)


@pytest.mark.parametrize("source", ["configured", "dcm", "fields"])
def test_authenticate_outputs_hold_the_token_only_in_its_token_field(emulator,
                                                                    run_tool_inprocess,
                                                                    issued, source):
    good, other = emulator.user("Curator"), emulator.user("Artisan")
    dcm = {CID: server_api_connection(emulator.url, good.api_key, good.api_secret)}
    table = pa.table({"Url": [emulator.url, emulator.url], "Key": [good.api_key, other.api_key],
                      "Secret": [good.api_secret, "wrong-secret-value"]})
    xml = (config_xml(source="fields", urlField="Url", keyField="Key", secretField="Secret")
           if source == "fields" else
           config_xml(source="dcm", dcmConnectionId=CID) if source == "dcm" else
           config_xml(secret=good.api_secret, serverUrl=emulator.url, apiKey=good.api_key))
    run = run_tool_inprocess(ServerAuthenticate, xml, table if source == "fields" else None,
                             dcm_connections=dcm)
    assert run.count("Success") >= 1
    scan(forms(*issued, good.api_secret, "wrong-secret-value", key=good.api_key,
               secret=good.api_secret), run, skip=("Success", "AccessToken"))


ECHO_CASES = [(400, "application/json"), (401, "text/html"), (403, "application/json"),
              (404, "text/html")]


def _echo_runs(echo: EchoServer, source: str) -> list[Any]:
    """Every request tool against the echoing server, in process, under one source."""
    from designer_host.inprocess import run_inprocess

    record = pa.table({"ServerUrl": [echo.url], "ApiBase": [echo.url + "/webapi/"],
                       "AuthType": ["oauth2"], "AccessToken": [TOKEN]})
    runs = []
    for cls, values, table in REQUEST_TOOLS:
        if source == "configured":
            xml = config_xml(secret=SECRET, serverUrl=echo.url, apiKey=KEY, **values)
        else:
            xml = config_xml(source=source, dcmConnectionId=CID, **values)
        runs.append(run_inprocess(
            cls, xml, table, connection=record if source == "anchor" else None,
            dcm_connections={CID: server_api_connection(echo.url, KEY, SECRET)}))
    return runs


@pytest.mark.parametrize("source", ["configured", "dcm", "anchor"])
@pytest.mark.parametrize("status, ctype", ECHO_CASES, ids=[f"{s}" for s, _ in ECHO_CASES])
def test_echoed_requests_never_leak_into_failures(source, status, ctype):
    with EchoServer(status=status, content_type=ctype) as echo:
        for run in _echo_runs(echo, source):
            assert run.count("Failure") >= 1
            scan(forms(TOKEN, SECRET, key=KEY, secret=SECRET), run)


@pytest.mark.parametrize("token_status", [400, 401])
def test_an_echoing_token_endpoint_never_leaks_the_basic_credentials(run_tool_inprocess,
                                                                     token_status):
    with EchoServer(token_status=token_status) as echo:
        for tool in (ServerAuthenticate, ServerGet):
            xml = config_xml(secret=SECRET, serverUrl=echo.url, apiKey=KEY, path="v3/workflows")
            run = run_tool_inprocess(tool, xml, pa.table({"N": list(range(12))}))
            assert run.count("Failure") == 12
            scan(forms(SECRET, key=KEY, secret=SECRET), run)


def test_echoed_errors_over_grpc_never_leak_under_every_source():
    with EchoServer(status=401, content_type="application/json") as echo:
        record = pa.table({"ServerUrl": [echo.url], "AuthType": ["oauth2"],
                           "AccessToken": [TOKEN]})
        dcm = {CID: server_api_connection(echo.url, KEY, SECRET)}
        for xml, inputs in [
            (config_xml(secret=SECRET, serverUrl=echo.url, apiKey=KEY, path="v3/workflows"), {}),
            (config_xml(source="dcm", dcmConnectionId=CID, path="v3/workflows"), {}),
            (config_xml(source="anchor", path="v3/workflows"), {"Connection": record}),
        ]:
            run = run_tool("ServerGet", xml, inputs, secrets=decrypt, python=sys.executable,
                           timeout=90, dcm_connections=dcm)
            assert run.completed and run.outputs["Failure"].num_rows == 1, run.log[-2000:]
            scan(forms(TOKEN, SECRET, key=KEY, secret=SECRET), run)


def test_a_wrong_secret_is_asked_once_not_once_per_record(run_tool_inprocess):
    with EchoServer(token_status=401) as echo:
        xml = config_xml(secret=SECRET, serverUrl=echo.url, apiKey=KEY, path="v3/workflows",
                         concurrency=1)
        run = run_tool_inprocess(ServerGet, xml, pa.table({"N": list(range(200))}))
        failures = run.rows("Failure")
        assert len(failures) == 200
        assert echo.count("oauth2/token") <= 2  # not 200 (a lockout risk)
        assert len({f["Error"] for f in failures}) == 1


def _open_fds() -> int:
    return len(os.listdir("/proc/self/fd"))


@pytest.mark.skipif(not os.path.isdir("/proc/self/fd"), reason="needs /proc")
def test_distinct_connections_leave_few_sockets_open(emulator, run_tool_inprocess):
    user = emulator.user("Curator")
    n = 1000  # 2,000 before the fix left ~4,000 descriptors open; a shared pool keeps a few
    table = pa.table({"Url": [f"{emulator.url}/webapi/?n={i}" for i in range(n)],
                      "Key": [user.api_key] * n, "Secret": [user.api_secret] * n})
    peak = [0]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.005):
            peak[0] = max(peak[0], _open_fds())

    before = _open_fds()
    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    try:
        run = run_tool_inprocess(ServerAuthenticate, config_xml(
            source="fields", urlField="Url", keyField="Key", secretField="Secret",
            concurrency=4), table, batch_rows=500)
    finally:
        stop.set()
        sampler.join()
    assert run.count("Success") == n and emulator.counters.tokens_issued == n
    assert any(f"{n} tokens fetched" in m for m in run.messages)  # evicted clients counted too
    assert peak[0] - before < 60, (before, peak[0])
    assert _open_fds() - before < 10  # closed when the run ended


BAD_URLS = [
    ("ftp://server.example.com/", "http"),
    ("https://", "host"),
    ("https://server.example.com:99999/", "port"),
    ("https://server example.com/", "host"),
    ("https://admin:hunter2pass@server.example.com/", "password"),
    ("https://admin:hunter2pass@server.example.com:99999/", "password-and-port"),
]


@pytest.mark.parametrize("url, word", BAD_URLS, ids=[w for _, w in BAD_URLS])
def test_a_bad_server_url_is_one_error_before_any_request(run_tool_inprocess, url, word):
    xml = config_xml(secret=SECRET, serverUrl=url, apiKey=KEY, path="v3/workflows")
    for table in (pa.table({"N": [1, 2]}), pa.table({"N": pa.array([], pa.int64())})):
        run = run_tool_inprocess(ServerGet, xml, table)
        assert len(run.errors) == 1, run.messages
        assert "hunter2pass" not in " ".join(run.messages)
        assert run.count("Failure") == table.num_rows


def test_configuration_mistakes_are_reported_in_update_only_mode():
    cases = [
        config_xml(secret=SECRET, serverUrl="https://admin:hunter2pass@server.example.com/",
                   apiKey=KEY, path="v3/workflows"),
        config_xml(secret=SECRET, serverUrl="https://server.example.com/webapi/", apiKey=KEY,
                   authType="oauth1", path="v3/workflows"),
        config_xml(secret=SECRET, serverUrl="https://server.example.com/", apiKey=KEY,
                   caBundle="/nonexistent/ca.pem", path="v3/workflows"),
    ]
    for xml in cases:
        run = run_tool("ServerGet", xml, {"Input": pa.table({"N": [1]})}, update_only=True,
                       python=sys.executable, timeout=90)
        assert run.completed and len(run.errors) == 1, run.messages
        assert "hunter2pass" not in " ".join(run.errors)


def test_plain_http_and_tls_off_warn_once(emulator, run_tool_inprocess):
    user = emulator.user("Curator")
    named = emulator.url.replace("127.0.0.1", "localhost")
    run = run_tool_inprocess(ServerGet, config_xml(
        secret=user.api_secret, serverUrl=named, apiKey=user.api_key, path="v3/workflows",
        verifyTls=False), pa.table({"N": [1, 2, 3]}), batch_rows=1)
    warnings = [m for m in run.messages if m.startswith("WARN:")]
    assert sum("http://" in m for m in warnings) == 1
    assert sum("verification is off" in m for m in warnings) == 1
    loopback = run_tool_inprocess(ServerGet, config_xml(
        secret=user.api_secret, serverUrl=emulator.url, apiKey=user.api_key,
        path="v3/workflows"), pa.table({"N": [1]}))
    assert not any("http://" in m for m in loopback.messages if m.startswith("WARN:"))
