"""The core and the CLI under every emulator fault: only ApiError subclasses escape, the CLI
exits 0 or 1 (never 2, never a traceback), and the fault-matrix cases issue 13 asks for (a
truncated body; a 429-ing token endpoint with counted requests and honoured Retry-After)."""

from __future__ import annotations

from typing import Any

import pytest
import requests
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ayx_plugins.server_api import ApiError, RetryPolicy, ServerClient, start_job
from ayx_plugins.server_api.cli import main
from tests.faults.conftest import WORKFLOWS, check, print_report, run_case, tool_case


class _Sleeps:
    def __init__(self) -> None:
        self.calls: list[float] = []

    def __call__(self, seconds: float) -> None:
        self.calls.append(seconds)


faults = st.one_of(
    st.tuples(st.just("error"), st.sampled_from([400, 401, 403, 404, 405, 415, 429, 500, 502,
                                                  503, 504])),
    st.tuples(st.just("drop"), st.sampled_from(["before", "after"])),
    st.tuples(st.just("truncate"), st.none()),
    st.tuples(st.just("latency"), st.sampled_from([0.0, 0.4])),
)  # fmt: skip
calls = st.sampled_from([
    ("GET", "v3/workflows", None), ("GET", f"v3/workflows/{WORKFLOWS[0]}", None),
    ("POST", f"v3/workflows/{WORKFLOWS[0]}/jobs", {"questions": []}),
    ("PUT", f"v3/workflows/{WORKFLOWS[0]}", {"name": "x"}),
    ("DELETE", "v3/collections/000000000000000000000000", None),
])  # fmt: skip
where = st.sampled_from(["/webapi/v3", "/webapi/oauth2/token", None])


def _inject(emu: Any, fault: tuple[str, Any], prefix: str | None, count: int) -> None:
    kind, arg = fault
    kw: dict[str, Any] = {"count": count, "path_prefix": prefix}
    if kind == "error":
        emu.faults.error(arg, retry_after=0 if arg == 429 else None, **kw)
    elif kind == "drop":
        emu.faults.drop(when=arg, **kw)
    elif kind == "truncate":
        emu.faults.truncate(**kw)
    else:
        emu.faults.latency(arg, **kw)


@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
@given(fault=faults, call=calls, prefix=where, count=st.integers(1, 6))
def test_no_requests_exception_escapes(emulator: Any, fault: tuple[str, Any],
                                       call: tuple[str, str, Any], prefix: str | None,
                                       count: int) -> None:
    emulator.faults.clear()
    _inject(emulator, fault, prefix, count)
    user = emulator.user("Curator")
    method, path, body = call
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret, timeout=0.3,
                      total_timeout=3, retry=RetryPolicy(sleep=_Sleeps())) as client:
        try:
            client.request_json(method, path, json=body)
        except ApiError as exc:
            assert str(exc) and exc.kind
        except requests.RequestException as exc:  # the promise under test
            pytest.fail(f"a requests exception escaped: {type(exc).__name__}: {exc}")
    emulator.faults.clear()


@settings(max_examples=10, deadline=None, suppress_health_check=list(HealthCheck))
@given(fault=faults, prefix=where)
def test_the_cli_exits_0_or_1(emulator: Any, fault: tuple[str, Any], prefix: str | None,
                              monkeypatch: pytest.MonkeyPatch,
                              capsys: pytest.CaptureFixture[str]) -> None:
    emulator.faults.clear()
    _inject(emulator, fault, prefix, 1)
    user = emulator.user("Curator")
    monkeypatch.setenv("AYX_API_SECRET", user.api_secret)
    code = main(["--url", emulator.url, "--key", user.api_key, "--http-timeout", "0.3",
                 "request", "GET", "v3/workflows"])
    err = capsys.readouterr().err
    assert code in (0, 1) and "Traceback" not in err
    emulator.faults.clear()


# ------------------------------------------------------------------ fault-matrix cases
def test_token_endpoint_429_is_one_budget_with_retry_after(emulator: Any) -> None:
    """max_retries=3 and a token endpoint answering 429 (Retry-After: 2): 4 token requests, 3
    waits of 2 s each, no API request, one RateLimitError; the job is not started."""
    emulator.faults.error(429, retry_after=2, path_prefix="/webapi/oauth2/token")
    sleeps = _Sleeps()
    user = emulator.user("Curator")
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret,
                      retry=RetryPolicy(max_retries=3, sleep=sleeps)) as client, \
            pytest.raises(ApiError) as info:
        start_job(client, WORKFLOWS[0])
    assert emulator.counters.count("POST", "/webapi/oauth2/token") == 4
    assert emulator.counters.jobs_created == 0 and sleeps.calls == [2.0, 2.0, 2.0]
    assert info.value.status == 429 and info.value.retry_after == 2.0


@pytest.mark.parametrize("tool", ["GET", "Runner"])
def test_fault_matrix_truncated_body(fixed_port_emulator: Any, tool: str) -> None:
    """Headers and half the body, then a closed connection: GETs are retried to success, job
    starts are never re-sent and fail with "may have gone through"; no record lost."""
    emu = fixed_port_emulator
    n = 60
    case = tool_case(tool, emu, n)
    before = emu.counters.requests
    emu.faults.truncate(count=4, path_prefix="/webapi/v3")
    run = run_case(case)
    emu.faults.clear()
    report = check(emu, case, run, f"{tool} / truncated body", before)
    print_report(report)
    if case.non_idempotent is None:
        assert report.success == n, report.reasons
    else:
        assert report.failure <= 4
        assert all("cut off" in r or "gone through" in r for r in report.reasons), report.reasons


# --------------------------------------------------- 13.3 the tools' session settings
def test_the_tools_session_gets_the_pool_size_and_user_agent(
    emulator: Any, caplog: pytest.LogCaptureFixture
) -> None:
    """640 GETs at concurrency 32 through the Server GET tool: no "Connection pool is full"
    warning (the pool is the client's size, not requests' 10), and our User-Agent on the wire."""
    import logging

    import pyarrow as pa

    from ayx_plugins.tools.api_request import ServerGet
    from designer_host import config_xml
    from designer_host.inprocess import run_inprocess
    from tests.core.hostile import TOKEN_OK, HostileServer, Reply, Req, json_reply

    caplog.set_level(logging.WARNING, logger="urllib3")
    cur = emulator.user("Curator")
    conn = {"secret": cur.api_secret, "serverUrl": emulator.url, "apiKey": cur.api_key,
            "concurrency": 32}  # fmt: skip
    table = pa.table({"Wf": [WORKFLOWS[i % 4] for i in range(640)]})
    run = run_inprocess(ServerGet, config_xml(path="v3/workflows/{Wf}", **conn), table)
    assert run.count("Success") == 640, run.rows("Failure")[:1]
    assert "Connection pool is full" not in caplog.text

    def serve(req: Req) -> Reply:
        return TOKEN_OK if req.path.endswith("/oauth2/token") else json_reply("{}")

    with HostileServer(serve) as srv:
        conn.update(serverUrl=srv.url, concurrency=4)
        run = run_inprocess(ServerGet, config_xml(path="v3/workflows/{Wf}", **conn),
                            pa.table({"Wf": WORKFLOWS}))
        agents = {r.headers.get("user-agent", "") for r in srv.seen}
    assert run.count("Success") == 4
    assert agents and all(a.startswith("alteryx-server-tools/") for a in agents), agents


def test_a_dot_dot_path_value_fails_the_record_before_any_request(emulator: Any) -> None:
    """Issue 9.1: DELETE "remove workflow from collection" with collection id `..` once deleted
    the workflow (urllib3 collapsed the dot segment). Now the record fails, nothing is sent."""
    import pyarrow as pa

    from ayx_plugins.tools.api_request import ServerDelete
    from designer_host import config_xml
    from designer_host.inprocess import run_inprocess

    cur = emulator.user("Curator")
    conn = {"secret": cur.api_secret, "serverUrl": emulator.url, "apiKey": cur.api_key}
    table = pa.table({"C": ["..", ".", "a/b", "%2e%2e"], "W": [WORKFLOWS[0]] * 4})
    before = emulator.counters.total_requests
    run = run_inprocess(ServerDelete, config_xml(
        path="v3/collections/{C}/workflows/{W}", **conn), table)
    assert run.count("Success") == 0 and run.count("Failure") == 4
    assert all("path segment" in r["Error"] for r in run.rows("Failure"))
    assert emulator.counters.total_requests == before  # not even a token request


TOOL_FAULTS = [("error", 503), ("error", 429), ("drop", "before"), ("drop", "after"),
               ("truncate", None), ("latency", 0.4)]  # fmt: skip


@pytest.mark.parametrize("tool", ["GET", "POST", "Runner"])
def test_no_requests_exception_reaches_a_failure_row(fixed_port_emulator: Any, tool: str) -> None:
    """Every fault kind at once, always on: each Failure says what happened in words, never a
    bare requests/urllib3 exception, and no record is lost."""
    emu = fixed_port_emulator
    case = tool_case(tool, emu, 12, timeout=0.3)
    before = emu.counters.requests
    for fault in TOOL_FAULTS:
        _inject(emu, fault, "/webapi/v3", 3)
    run = run_case(case)
    emu.faults.clear()
    report = check(emu, case, run, f"{tool} / every fault", before)
    print_report(report)
    bare = ("ChunkedEncodingError", "ConnectionError", "ProtocolError", "ReadTimeout",
            "IncompleteRead", "RemoteDisconnected", "requests.", "urllib3.")  # fmt: skip
    for row in run.rows("Failure"):
        assert not row["Error"].startswith(bare), row["Error"]


def test_a_hung_server_is_asked_at_most_once_plus_the_retries(fixed_port_emulator: Any) -> None:
    """Issue 9's last paragraph: 4 records at a 1 s timeout made 64 requests (the token fetch
    retried inside each retry). Now one budget: at most 4 API requests per record."""
    emu = fixed_port_emulator
    case = tool_case("GET", emu, 4, timeout=0.3)
    before = emu.counters.requests
    emu.faults.latency(1.0, path_prefix="/webapi/v3")
    run = run_case(case)
    emu.faults.clear()
    report = check(emu, case, run, "GET / hung Server", before)
    print_report(report)
    api = sum(n for (m, t), n in emu.counters.requests.items() if "/v3/" in t) - sum(
        n for (m, t), n in before.items() if "/v3/" in t)
    assert report.failure == 4 and api <= 4 * 4, api
    assert all("did not answer" in r for r in report.reasons), report.reasons
