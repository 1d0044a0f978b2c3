"""Security checks: no secret or token anywhere it should not be; TLS verified by default;
OAuth 1.0a nonces unpredictable and never repeated.

The API secret and every token the emulator issued are searched for in every output table (all
columns but the Authenticate tool's token field and its pass-through copies), every Results
message, every log record (any logger, DEBUG), every file under HOME (where the SDK writes its
logs), the out-of-process plugin's console, exception texts and reprs, and the configuration.
"""

from __future__ import annotations

import json
import logging
import os
import re
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from designer_host import config_xml, decrypt
from designer_host.inprocess import InProcessRun, run_inprocess
from tests.faults.conftest import WF_APP, WORKFLOWS

TOKEN_FIELD = "AccessToken"


class _Capture(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.DEBUG)
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.append(self.format(record))


@pytest.fixture
def all_logs() -> Iterator[_Capture]:
    """Every log record of every logger at DEBUG while the test runs."""
    handler = _Capture()
    handler.setFormatter(logging.Formatter("%(name)s %(message)s %(exc_text)s"))
    root = logging.getLogger()
    old = root.level
    root.addHandler(handler)
    root.setLevel(logging.DEBUG)
    try:
        yield handler
    finally:
        root.removeHandler(handler)
        root.setLevel(old)


def issued_tokens(emu: Any) -> list[str]:
    """Every bearer token the emulator handed out (read from its token store)."""
    with emu.tokens._lock:
        return list(emu.tokens._tokens)


def table_text(table: pa.Table, *, allow_token_field: bool) -> str:
    """The table's values as text, without the token field when it is allowed to hold one."""
    if allow_token_field and TOKEN_FIELD in table.column_names:
        table = table.drop_columns([TOKEN_FIELD])
    return json.dumps(table.to_pylist(), default=str) + str(table.schema)


def home_files_text() -> str:
    """Every file under HOME (the SDK's log folder lives there)."""
    parts = []
    for path in Path(os.environ["HOME"]).rglob("*"):
        if path.is_file() and path.stat().st_size < 20_000_000:
            parts.append(path.read_text(encoding="utf-8", errors="replace"))
    return "\n".join(parts)


def assert_absent(needles: list[str], where: str, text: str) -> None:
    """No needle occurs in text (the message never shows the needle itself)."""
    for needle in needles:
        assert needle and needle not in text, f"a secret or token leaked into {where}"


def _runs(emu: Any) -> dict[str, InProcessRun]:
    """Every tool, configured and on the Connection anchor, with successes and failures."""
    from ayx_plugins.tools.api_request import ServerGet, ServerPost
    from ayx_plugins.tools.authenticate import ServerAuthenticate
    from ayx_plugins.tools.job_status import ServerJobStatus
    from ayx_plugins.tools.runner import ServerRunner

    cur = emu.user("Curator")
    conn: dict[str, Any] = dict(secret=cur.api_secret, serverUrl=emu.url, apiKey=cur.api_key)
    runs: dict[str, InProcessRun] = {}
    runs["auth"] = run_inprocess(ServerAuthenticate, config_xml(**conn))
    token_table = runs["auth"].table("Success")
    many = pa.table({"Wf": [WORKFLOWS[1], "nope", WF_APP, WORKFLOWS[0], "", "0" * 24]})
    emu.faults.error(500, count=1, path_prefix="/webapi/v3/workflows")
    emu.faults.drop(when="after", count=1, path_prefix="/webapi/v3/workflows")
    runs["runner anchor"] = run_inprocess(ServerRunner, config_xml(
        source="anchor", workflowIdField="Wf", wait=True, pollSeconds=0.05), many,
        connection=token_table)
    runs["runner configured"] = run_inprocess(ServerRunner, config_xml(
        workflowIdField="Wf", **conn), many)
    jobs = runs["runner configured"].table("Success").select(["JobId"])
    runs["status"] = run_inprocess(ServerJobStatus, config_xml(jobIdField="JobId", **conn),
                                   pa.concat_tables([jobs, pa.table({"JobId": ["bad id"]})]))
    emu.config.update(token_lifetime=0.05)  # every request may need a fresh token
    bodies = pa.table({"Body": ['{"name": "s1"}', "{not json", '{"name": ""}', "[]"]})
    runs["post expiring"] = run_inprocess(ServerPost, config_xml(
        endpoint="collections_create_collection", bodyMode="jsonField", bodyField="Body",
        concurrency=1, **conn), bodies)
    emu.config.update(token_lifetime=3599)
    bad = dict(conn, secret="wrong-" + cur.api_secret)
    runs["get bad secret"] = run_inprocess(ServerGet, config_xml(path="v3/workflows", **bad))
    runs["get outsider denied"] = run_inprocess(ServerGet, config_xml(
        path="v3/workflows/6101a0b0c0d0e0f0a0b0c005", **conn))
    legacy = dict(secret=cur.studio_secret, serverUrl=emu.gallery_url, authType="oauth1",
                  apiKey=cur.studio_key)
    runs["get oauth1"] = run_inprocess(ServerGet, config_xml(path="v1/workflows/subscription",
                                                             **legacy))
    runs["get oauth1 wrong secret"] = run_inprocess(ServerGet, config_xml(
        path="v1/workflows/subscription", **dict(legacy, secret="x" + cur.studio_secret)))
    return runs


def test_no_secret_or_token_outside_the_token_field(emulator: Any, all_logs: _Capture) -> None:
    """Secrets and tokens appear only in Authenticate's AccessToken field, never downstream."""
    emulator.config.update(job_timing="instant")
    runs = _runs(emulator)
    cur = emulator.user("Curator")
    tokens = issued_tokens(emulator)
    assert len(tokens) >= 4  # Authenticate, the configured tools, the expiring POST run
    secrets = [cur.api_secret, cur.studio_secret]
    auth_out = runs["auth"].table("Success")
    assert auth_out.column(TOKEN_FIELD)[0].as_py() in tokens
    # The scan finds a token where one is (a control for every "absent" below).
    with pytest.raises(AssertionError, match="leaked"):
        assert_absent(tokens, "control", table_text(auth_out, allow_token_field=False))
    for name, run in runs.items():
        for anchor in run.written:
            assert_absent(secrets + tokens, f"{name} {anchor} output",  # only Authenticate's
                          table_text(run.table(anchor), allow_token_field=name == "auth"))
        assert_absent(secrets + tokens, f"{name} messages", "\n".join(run.messages))
    assert runs["get bad secret"].count("Failure") == 1
    assert runs["get oauth1 wrong secret"].count("Failure") == 1
    assert runs["post expiring"].count("Failure") >= 1  # the bad JSON
    assert_absent(secrets + tokens, "log records", "\n".join(all_logs.lines))
    assert_absent(secrets + tokens, "files under HOME", home_files_text())


def test_exception_texts_and_reprs_hold_no_secret(emulator: Any) -> None:
    """The core's errors and objects, as a user or a log would print them."""
    from ayx_plugins.server_api import ApiError, ServerClient
    from ayx_plugins.server_api.jobs import start_job

    cur = emulator.user("Curator")
    texts: list[str] = []
    with ServerClient(emulator.url, cur.api_key, cur.api_secret) as client:
        token = client.token().access_token
        texts += [repr(client), repr(client.token()), str(client.token()), repr(client.auth)]
        emulator.faults.drop(when="after", count=1)
        for call in (lambda: start_job(client, WORKFLOWS[0]),
                     lambda: client.request("GET", "v3/workflows/" + "0" * 24),
                     lambda: client.request("POST", "v3/collections", json={})):
            try:
                call()
            except ApiError as exc:
                texts += [str(exc), repr(exc), json.dumps(exc.body, default=str)]
    for wrong in (ServerClient(emulator.url, cur.api_key, "bad-" + cur.api_secret),
                  ServerClient(emulator.gallery_url, cur.studio_key, "bad-" + cur.studio_secret,
                               auth_type="oauth1"),
                  ServerClient(emulator.url, token="bad-" + token)):
        with wrong:
            texts.append(repr(wrong))
            try:
                wrong.verify_credentials()
                wrong.request("GET", "v3/workflows")
            except ApiError as exc:
                texts += [str(exc), repr(exc), str(exc.body)]
    assert len(texts) >= 12
    assert_absent([cur.api_secret, cur.studio_secret, token, "bad-" + cur.api_secret,
                   "bad-" + token], "exception texts", "\n".join(texts))


def test_saved_configuration_and_out_of_process_console(emulator: Any) -> None:
    """Over the real gRPC protocol: the config the tool saves, its console, its messages."""
    from designer_host import run_tool

    cur = emulator.user("Curator")
    xml = config_xml(cur.api_secret, serverUrl=emulator.url, apiKey=cur.api_key)
    assert cur.api_secret not in xml  # Designer stores it encrypted
    auth = run_tool("ServerAuthenticate", xml, {}, secrets=decrypt, python=sys.executable,
                    timeout=90)
    assert auth.completed, auth.log[-2000:]
    get = run_tool("ServerGet", config_xml(source="anchor", path="v3/workflows/{Wf}"),
                   {"Input": pa.table({"Wf": [WORKFLOWS[0]]}),
                    "Connection": auth.outputs["Success"]},
                   secrets=decrypt, python=sys.executable, timeout=90)
    assert get.completed, get.log[-2000:]
    needles = [cur.api_secret, *issued_tokens(emulator)]
    for name, run in (("Authenticate", auth), ("GET", get)):
        assert_absent(needles, f"{name} console", run.log)
        assert_absent(needles, f"{name} messages", json.dumps(run.messages))
        assert_absent(needles, f"{name} saved configuration", "\n".join(run.saved_configs))
        for anchor, out in run.outputs.items():
            assert_absent(needles, f"{name} {anchor}",
                          table_text(out, allow_token_field=name == "Authenticate"))
    assert_absent(needles, "files under HOME", home_files_text())


# ------------------------------------------------------------------------------------- TLS
def test_tls_is_verified_by_default(tls_emulator: tuple[Any, Path],
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    """Against a private CA: fails without the CA option, passes with it (core and tool)."""
    from ayx_plugins.server_api import ServerClient, TransportError
    from ayx_plugins.tools.api_request import ServerGet

    for var in ("REQUESTS_CA_BUNDLE", "CURL_CA_BUNDLE", "SSL_CERT_FILE"):
        monkeypatch.delenv(var, raising=False)
    emu, ca_pem = tls_emulator
    assert emu.url.startswith("https://")
    cur = emu.user("Curator")
    with ServerClient(emu.url, cur.api_key, cur.api_secret) as client, \
            pytest.raises(TransportError, match=r"TLS .*certificate authority"):
        client.verify_credentials()
    with ServerClient(emu.url, cur.api_key, cur.api_secret, verify=str(ca_pem)) as client:
        client.verify_credentials()
    conn = dict(secret=cur.api_secret, serverUrl=emu.url, apiKey=cur.api_key)
    table = pa.table({"Wf": [WORKFLOWS[0]]})
    default = run_inprocess(ServerGet, config_xml(path="v3/workflows/{Wf}", **conn), table)
    assert default.count("Success") == 0 and default.count("Failure") == 1
    assert re.search(r"TLS .*certificate authority", default.rows("Failure")[0]["Error"])
    with_ca = run_inprocess(ServerGet, config_xml(path="v3/workflows/{Wf}",
                                                  caBundle=str(ca_pem), **conn), table)
    assert with_ca.count("Success") == 1, with_ca.rows("Failure")


# --------------------------------------------------------------------------- OAuth1 nonces
def test_oauth1_nonces_are_unpredictable_and_unique(emulator: Any) -> None:
    """300 signed requests from the Runner and GET tools: 300 distinct 128-bit random nonces."""
    from ayx_plugins.tools.api_request import ServerGet

    cur = emulator.user("Curator")
    legacy = dict(secret=cur.studio_secret, serverUrl=emulator.gallery_url, authType="oauth1",
                  apiKey=cur.studio_key, concurrency=8)
    emulator.nonces.clear()
    n = 300
    run = run_inprocess(ServerGet, config_xml(path="v1/workflows/subscription", **legacy),
                        pa.table({"i": list(range(n))}))
    assert run.count("Success") == n
    with emulator.nonces._lock:
        nonces = [ident[2] for ident in emulator.nonces._seen]
    assert len(nonces) == n == len(set(nonces))
    assert all(re.fullmatch(r"[0-9a-f]{32}", x) for x in nonces), nonces[:3]
    # Unpredictable: no shared prefix structure, no counter, bits balanced across the run.
    assert len({x[:4] for x in nonces}) > n * 0.9
    ints = [int(x, 16) for x in nonces]
    assert sorted(ints) != ints and sorted(ints, reverse=True) != ints
    ones = sum(bin(v).count("1") for v in ints) / (128 * n)
    assert 0.45 < ones < 0.55
