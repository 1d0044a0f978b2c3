"""The fault matrix's hostile cases (issue 9): every request tool against a hostile Server whose
answer each record picks (tests/faults/hostile_tools.py): an echoing 500 page and 400 JSON, a 200
sign-in page, a redirect to a sign-in page, truncated JSON, a redirect to another origin, a gzip
bomb, `Retry-After: nan`, a path value `..`; and a token endpoint that echoes, redirects or
answers a sign-in page.

For every case: records in = Success + Failure, no record on both; every Failure says what it
saw in words (no bare exception name, no ValueError/OverflowError text); nothing secret (the
secret, the token, their URL-encoded and Basic forms) in any output or message; nothing reaches
the other origin; no request is sent for a `..` path value. In process for each tool, and over
the SDK's gRPC protocol for each tool.
"""

from __future__ import annotations

import json
import re
import sys
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from designer_host import config_xml, decrypt, run_tool
from designer_host.inprocess import run_inprocess
from tests.faults.conftest import check, run_case, tool_case
from tests.faults.hostile_tools import (
    EXPECT,
    KEY,
    MARKERS,
    SECRET,
    TOKEN,
    Hostile,
    hostile_server,
    ids,
    secret_forms,
)
from tests.faults.test_core_faults import _inject as inject
from tests.faults.test_core_faults import faults, where

ALL = list(MARKERS)
_CLI = ("--ca-bundle", "REQUESTS_CA_BUNDLE", "ayx-server", "--timeout", "raise the size limit")
DOTS = ["..", "."]
_VAGUE = re.compile(r"^(\w+(Error|Exception)(: .{0,20})?|Failed|No outcome|None|)$")
_BARE = ("ChunkedEncodingError", "ContentDecodingError", "ConnectionError", "ProtocolError",
         "JSONDecodeError", "ValueError", "OverflowError", "requests.", "urllib3.", "Traceback")

# tool -> (class, settings, input table builder: ids -> table, with `..` values where a path
# value exists). Every record carries its marker in the path or the body.
TOOLS: dict[str, tuple[str, dict[str, Any], Any]] = {
    "GET": ("ServerGet", {"path": "v3/workflows/{Wf}"},
            lambda v: pa.table({"Wf": v})),
    "POST": ("ServerPost", {"path": "v3/workflows/{Wf}/jobs", "bodyMode": "fields",
                            "bodyFields": '["priority"]'},
             lambda v: pa.table({"Wf": v, "priority": ["Default"] * len(v)})),
    "PUT": ("ServerPut", {"path": "v3/collections/{Wf}", "bodyMode": "fields",
                          "bodyFields": '["name"]'},
            lambda v: pa.table({"Wf": v, "name": [f"n-{x}" for x in v]})),
    "DELETE": ("ServerDelete", {"path": "v3/collections/{Wf}"},
               lambda v: pa.table({"Wf": v})),
    "Runner": ("ServerRunner", {"workflowIdField": "Wf", "pollSeconds": 0.05},
               lambda v: pa.table({"Wf": v})),
    "JobStatus": ("ServerJobStatus", {"jobIdField": "Wf"}, lambda v: pa.table({"Wf": v})),
}


def _cls(name: str) -> type:
    from ayx_plugins.tools import api_request, authenticate, job_status, runner

    for mod in (api_request, runner, job_status, authenticate):
        if hasattr(mod, name):
            return getattr(mod, name)  # type: ignore[no-any-return]
    raise KeyError(name)


def _xml(h: Hostile, values: dict[str, Any], **extra: Any) -> str:
    settings = {"concurrency": 4, "requestTimeoutSeconds": 5, **values, **extra}
    return config_xml(secret=SECRET, serverUrl=h.url, apiKey=KEY, **settings)


def _outputs(run: Any) -> dict[str, pa.Table]:
    if hasattr(run, "outputs"):
        return dict(run.outputs)
    return {name: run.table(name) for name in run.pushed}


def _messages(run: Any) -> list[str]:
    return [m if isinstance(m, str) else json.dumps(m, default=str) for m in run.messages]


def check_run(h: Hostile, run: Any, table: pa.Table, name: str, *,
              token_field: bool = False) -> list[dict[str, Any]]:
    """The invariants of one hostile run; the Failure rows."""
    outs = _outputs(run)
    ok = outs["Success"].column("Wf").to_pylist() if "Wf" in outs["Success"].column_names \
        else []
    failures = outs["Failure"].to_pylist()
    bad = [r.get("Wf") for r in failures]
    sent = table.column("Wf").to_pylist() if "Wf" in table.column_names else []
    if sent:
        assert sorted(ok + bad) == sorted(sent), f"{name}: records lost or invented"
        assert not set(ok) & set(bad), f"{name}: a record is on both outputs"
    for row in failures:
        reason = str(row["Error"] or "")
        assert not _VAGUE.match(reason.strip()) and len(reason) >= 20, (name, reason)
        assert not any(b in reason for b in _BARE), (name, reason)
        assert not any(w in reason for w in _CLI), (name, reason)  # Designer's words only
    blob = "\n".join(_messages(run))
    for out in outs.values():
        cols = [c for c in out.column_names if not (token_field and c == "AccessToken")]
        blob += json.dumps(out.select(cols).to_pylist(), default=str)
    for secret in secret_forms():
        assert secret not in blob, f"{name}: a secret leaked ({secret[:6]}...)"
    for req in h.other.seen:  # the other origin got nothing secret, if anything at all
        assert "authorization" not in req.headers, name
        assert SECRET not in req.body.decode("latin-1"), name
    assert not any(re.search(r"/\.\.?(/|$|\?)", r.target) for r in h.server.seen), name
    print(f"\n[fault-matrix] {name} / hostile answers: in={len(sent) or 1} "
          f"Success={outs['Success'].num_rows} Failure={len(failures)} "
          f"requests={len(h.server.seen)} other-origin={len(h.other.seen)}")
    return failures


def _expect_reasons(name: str, failures: list[dict[str, Any]]) -> None:
    by_id = {r["Wf"]: str(r["Error"]) for r in failures}
    for marker, words in EXPECT.items():
        rid = ids(marker)[0]
        if words is None:
            continue
        assert rid in by_id, f"{name}: the {MARKERS[marker]} record did not fail"
        assert words in by_id[rid], (name, MARKERS[marker], by_id[rid])
        if marker == "b01":  # the API base to set, not the request's own URL
            assert re.search(r"use https://127\.0\.0\.1:\d+/webapi/ as the Server URL",
                             by_id[rid]), by_id[rid]
        if marker == "c07":
            assert re.search(r"redirects to http://127\.0\.0\.1:\d+/webapi/; use that URL",
                             by_id[rid]), by_id[rid]
    for dots in DOTS:
        if dots in by_id:
            # a path value; the Runner looks a workflow name up, and a Server that answers the
            # lookup with the id ".." gets no request on a path built from it
            low = by_id[dots].lower()
            assert "path" in low or "no workflow named" in low, (name, by_id[dots])


CID = "5d1c0e2a-7b3f-4c8d-9e0a-1b2c3d4e5f60"


@pytest.mark.parametrize("source", ["configured", "dcm", "anchor"])
@pytest.mark.parametrize("tool", list(TOOLS))
def test_every_hostile_answer_in_process(tool: str, source: str) -> None:
    from designer_host.dcm import server_api_connection

    cls_name, values, make = TOOLS[tool]
    table = make(ids(*ALL) + DOTS)
    with hostile_server() as h:
        record = pa.table({"ServerUrl": [h.url], "ApiBase": [h.url + "/webapi/"],
                           "AuthType": ["oauth2"], "AccessToken": [TOKEN]})
        xml = _xml(h, values) if source == "configured" else config_xml(
            source=source, dcmConnectionId=CID, concurrency=4, requestTimeoutSeconds=5,
            **values)
        run = run_inprocess(_cls(cls_name), xml, table,
                            connection=record if source == "anchor" else None,
                            dcm_connections={CID: server_api_connection(h.url, KEY, SECRET)})
        failures = check_run(h, run, table, f"{tool} ({source})")
        # the control: the echo pages did carry the token the scan looks for
        assert any(TOKEN in r.headers.get("authorization", "") for r in h.server.seen)
        assert run.errors == [], run.errors
        _expect_reasons(tool, failures)
        assert {r["Wf"] for r in failures} >= {*DOTS}  # a `..` record is a Failure
        ok = run.table("Success").column("Wf").to_pylist()
        assert ids("0c0")[0] in ok, (tool, failures)
        # Retry-After: nan is clamped: retried to success, or (a request that is not retried)
        # a worded 429, never a ValueError text
        nan = ids("a29")[0]
        said = [str(r["Error"]) for r in failures if r["Wf"] == nan]
        assert nan in ok or ("429" in said[0] and "nan" not in said[0].lower()), said
        assert h.nan_sent, "the nan case never ran"


@pytest.mark.parametrize("tool", list(TOOLS))
def test_every_hostile_answer_over_grpc(tool: str) -> None:
    cls_name, values, make = TOOLS[tool]
    table = make([*ids("e50", "e40", "b00", "d0d", "c07", "0c0"), ".."])
    with hostile_server() as h:
        run = run_tool(cls_name, _xml(h, values), {"Input": table}, secrets=decrypt,
                       python=sys.executable, timeout=90)
        assert run.completed, run.log[-2000:]
        failures = check_run(h, run, table, f"{tool} over gRPC")
        for secret in secret_forms():
            assert secret not in run.log, f"{tool}: a secret in the plugin's console"
        assert len(failures) == table.num_rows - 1, failures


# ------------------------------------------------------------------- the token endpoint
TOKEN_CASES = {
    "echo401": ("HTTP 401", {}),
    "redirect": ("redirects to", {"tokenInBody": True}),
    "login": ("HTML page titled 'Sign in'", {}),
}


@pytest.mark.parametrize("mode", list(TOKEN_CASES))
@pytest.mark.parametrize("tool", ["GET", "POST", "DELETE", "Runner", "Authenticate"])
def test_a_hostile_token_endpoint(tool: str, mode: str) -> None:
    """Every record fails with what the token endpoint did, the token endpoint is asked once
    (a definitive answer is not retried per record), no secret leaks or follows a redirect."""
    words, extra = TOKEN_CASES[mode]
    if tool == "Authenticate":
        cls_name, values, table = "ServerAuthenticate", {}, None
    else:
        cls_name, values, make = TOOLS[tool]
        table = make(ids("0c0", "0c0", "0c0"))
    with hostile_server(token=mode) as h:
        run = run_inprocess(_cls(cls_name), _xml(h, values, concurrency=1, **extra), table)
        failures = check_run(h, run, table if table is not None else pa.table({}), tool,
                             token_field=True)
        n = 1 if table is None else table.num_rows
        assert run.count("Failure") == n and run.count("Success") == 0, failures
        assert all(words in str(r["Error"]) for r in failures), failures
        assert h.api_requests() == 0
        if mode != "login":
            assert h.server.count("oauth2/token") <= 2, h.server.count("oauth2/token")
        assert h.other.seen == [] or all(SECRET not in r.body.decode("latin-1")
                                         for r in h.other.seen)


@pytest.mark.parametrize("mode", ["echo401", "redirect"])
def test_authenticate_against_a_hostile_token_endpoint_over_grpc(mode: str) -> None:
    words, extra = TOKEN_CASES[mode]
    with hostile_server(token=mode) as h:
        run = run_tool("ServerAuthenticate", _xml(h, {}, **extra), {}, secrets=decrypt,
                       python=sys.executable, timeout=90)
        assert run.completed, run.log[-2000:]
        failures = check_run(h, run, pa.table({}), "Authenticate over gRPC", token_field=True)
        assert len(failures) == 1 and words in str(failures[0]["Error"]), failures
        for secret in secret_forms():
            assert secret not in run.log, "a secret in the plugin's console"


def test_a_429ing_token_endpoint_is_one_retry_budget_through_the_tool(emulator: Any) -> None:
    """Issue 13.2 through Server GET: a token endpoint answering 429 (with Retry-After) is asked
    1 + max_retries (3) times per record, not 16 (the token fetch retried inside each retry),
    and no API request is sent; each record a worded 429 Failure."""
    emulator.faults.error(429, retry_after=0.01, path_prefix="/webapi/oauth2/token")
    cur = emulator.user("Curator")
    table = pa.table({"Wf": ids("0c0", "0c0")})
    run = run_inprocess(_cls("ServerGet"), config_xml(
        secret=cur.api_secret, serverUrl=emulator.url, apiKey=cur.api_key, concurrency=1,
        path="v3/workflows/{Wf}"), table)
    tokens = emulator.counters.count("POST", "/webapi/oauth2/token")
    api = sum(n for (_, t), n in emulator.counters.requests.items() if "/v3/" in t)
    assert run.count("Failure") == 2 and 2 <= tokens <= 2 * 4 and api == 0, (tokens, api)
    assert all("429" in r["Error"] for r in run.rows("Failure"))


# ------------------------------------------------ issue 13: no requests exception, any tool
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
@given(tool=st.sampled_from(["GET", "POST", "PUT", "DELETE", "Runner", "JobStatus"]),
       fault=faults, prefix=where, count=st.integers(1, 4))
def test_no_requests_exception_reaches_a_tool_under_any_emulator_fault(
        emulator: Any, monkeypatch: pytest.MonkeyPatch, tool: str, fault: tuple[str, Any],
        prefix: str | None, count: int) -> None:
    """Any tool under any one emulator fault (the faults of tests/faults/test_core_faults.py):
    records in = Success + Failure, each Failure a sentence, never a bare requests/urllib3
    exception text, no tool error."""
    from ayx_plugins.server_api import RetryPolicy

    monkeypatch.setattr(RetryPolicy, "backoff", lambda self, attempt: 0.0)  # waits: tests/core
    emulator.faults.clear()
    case = tool_case(tool, emulator, 2, timeout=0.3)
    creates, case.creates = case.creates, None  # the emulator is shared by the examples:
    state = emulator.state                      # duplicates are counted among new items only
    with state.lock:
        old = set(state.jobs) | set(state.collections)
    before = emulator.counters.requests
    inject(emulator, fault, prefix, count)
    run = run_case(case)
    emulator.faults.clear()
    check(emulator, case, run, f"{tool} / {fault} at {prefix}", before,
          allow_401_resend=emulator.counters.statuses.get(401, 0))
    with state.lock:
        new = [j["_answers"].get("Region") for k, j in state.jobs.items() if k not in old] + [
            c.get("name") for k, c in state.collections.items() if k not in old]
    if creates:
        assert len(new) == len(set(new)), f"{tool}: a duplicate job or collection {new}"
    for row in run.rows("Failure"):  # a sentence; it may name the cause's class in brackets
        assert not str(row["Error"]).startswith(_BARE), row["Error"]
