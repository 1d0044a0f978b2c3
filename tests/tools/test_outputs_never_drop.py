"""Issue 9.5: building the output tables never drops a record. A value that does not fit its
column (an integer beyond Int64, NaN, deep nesting, mixed types per key, a BOM, truncated JSON)
is kept as text in `Other Fields` or makes that record a Failure; records in = Success + Failure
and the summary counts what was written."""

from __future__ import annotations

import datetime as dt
import json
import math
import re
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pyarrow as pa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.api_request import ServerGet
from ayx_plugins.tools.logic import Outcome
from ayx_plugins.tools.outputs import build_outputs
from designer_host import config_xml
from designer_host.inprocess import run_inprocess

MODEL = "ReducedWorkflowView"
KEYS = ["id", "name", "dateCreated", "publishedVersionNumber", "isAmp", "executionMode"]

odd_scalars = st.one_of(
    st.none(), st.booleans(), st.integers(min_value=-(2**70), max_value=2**70),
    st.sampled_from([2**63, -(2**63) - 1, 10**30]),
    st.floats(allow_nan=True, allow_infinity=True), st.text(max_size=8),
    st.sampled_from(["2024-01-01T10:00:00Z", "not a date", "\ufeff{", "\ud800", "1e400"]),
)
odd_values = st.recursive(odd_scalars, lambda inner: st.one_of(
    st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=4), inner, max_size=3)),
    max_leaves=6)
items = st.dictionaries(st.sampled_from([*KEYS, "surprise", "Other Fields"]), odd_values,
                        max_size=6)


def _schemas(fields: list[pa.Field]) -> tuple[pa.Schema, pa.Schema]:
    inp = pa.schema([S.int64("Rec"), S.datetime_("When"), S.wstring("Note")])
    status = S.int64(S.HTTP_STATUS)
    return (S.output_schema(inp, [status, *fields]),
            S.output_schema(inp, list(S.FAILURE_FIELDS)))


@settings(max_examples=80, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(st.lists(items, max_size=3), st.text(max_size=10)), min_size=1,
                max_size=6))
def test_build_outputs_keeps_every_record(answers: list[Any]) -> None:
    fields = S.item_fields(MODEL)
    ok_schema, bad_schema = _schemas(fields)
    n = len(answers)
    table = pa.table({"Rec": list(range(n)), "When": [None] * n, "Note": ["x"] * n},
                     schema=pa.schema([ok_schema.field("Rec"), ok_schema.field("When"),
                                       ok_schema.field("Note")]))
    outcomes = []
    for answer in answers:
        if isinstance(answer, str):
            outcomes.append(Outcome.fail(answer or "boom", status=500))
        else:
            outcomes.append(Outcome.ok(*[{S.HTTP_STATUS: 200, **S.item_values(i, fields)}
                                         for i in answer]))
    built = build_outputs(table, outcomes, success_schema=ok_schema,
                          success_results={S.HTTP_STATUS, *(f.name for f in fields)},
                          failure_schema=bad_schema,
                          failure_results={f.name for f in S.FAILURE_FIELDS})
    ok_recs = set(built.success.column("Rec").to_pylist()) if built.success else set()
    bad_recs = built.failure.column("Rec").to_pylist() if built.failure else []
    assert len(bad_recs) == len(set(bad_recs))
    assert ok_recs.isdisjoint(bad_recs) and ok_recs | set(bad_recs) == set(range(n))
    assert (built.n_ok, built.n_failed) == (len(ok_recs), len(bad_recs))
    if built.success is not None:
        assert built.success.schema.equals(ok_schema, check_metadata=True)
        by_rec: dict[int, list[dict[str, Any]]] = {}
        for row in S.pylist(built.success):
            by_rec.setdefault(row["Rec"], []).append(row)
        for rec, rows in by_rec.items():
            source = answers[rec] or [{}]
            assert len(rows) == len(source)  # one row per item, an empty list: one row
            for row, item in zip(rows, source, strict=True):
                other = json.loads(row[S.OTHER_FIELDS]) if row[S.OTHER_FIELDS] else {}
                # every value the item had for a typed key is in its column or in Other Fields
                for key in KEYS:
                    if item.get(key) is not None and row[key] is None:
                        assert key in other
    if built.failure is not None:
        assert built.failure.schema.equals(bad_schema, check_metadata=True)


# ------------------------------------------------------------------ the real tool, odd answers
@contextmanager
def odd_server(bodies: list[bytes]) -> Iterator[str]:
    """127.0.0.1: a token, then each GET answers the next body (200, JSON content type)."""
    lock = threading.Lock()
    served: list[int] = [0]

    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def log_message(self, *args: Any) -> None:
            pass

        def _send(self, body: bytes) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def do_POST(self) -> None:
            self.rfile.read(int(self.headers.get("Content-Length") or 0))
            self._send(b'{"access_token": "t0k3n-odd-json-0001", "token_type": "bearer", '
                       b'"expires_in": 3600}')

        def do_GET(self) -> None:
            with lock:
                i = served[0]
                served[0] += 1
            self._send(bodies[i % len(bodies)])

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.05},
                              daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


ODD_BODIES = [
    b'[{"id": "a", "publishedVersionNumber": 123456789012345678901234567890}]',
    b'[{"id": "b", "publishedVersionNumber": NaN, "isAmp": "maybe"}]',
    b'[{"id": "c", "dateCreated": "yesterday"}, {"id": 7, "isAmp": {"deep": [1]}}]',
    b"[" * 3000 + b"]" * 3000,
    "\ufeff".encode() + b'[{"id": "bom"}]',
    b'[{"id": "trunc", "name": "x',
    b'[{"id": "ok", "publishedVersionNumber": 3, "isAmp": true}]',
    b"[]",
]


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(st.lists(st.sampled_from(ODD_BODIES), min_size=1, max_size=6))
def test_get_rows_mode_keeps_every_record_with_odd_answers(bodies: list[bytes]) -> None:
    with odd_server(bodies) as url:
        xml = config_xml(secret="s3cr3t", serverUrl=url, apiKey="k3y", path="v3/workflows",
                         outputMode="rows", concurrency=1)
        table = pa.table({"Rec": list(range(len(bodies)))})
        run = run_inprocess(ServerGet, xml, table)
    ok = {r["Rec"] for r in run.rows("Success")}
    bad = [r["Rec"] for r in run.rows("Failure")]
    assert ok.isdisjoint(bad) and len(ok) + len(bad) == len(bodies)
    summary = next(m for m in run.messages if "succeeded" in m)
    assert re.search(rf"{len(ok)} succeeded, {len(bad)} failed", summary), summary
    for row in run.rows("Success"):
        assert not (isinstance(row.get("publishedVersionNumber"), float)
                    and math.isnan(row["publishedVersionNumber"]))


def test_an_int_beyond_int64_is_kept_as_text() -> None:
    with odd_server([ODD_BODIES[0]]) as url:
        xml = config_xml(secret="s3cr3t", serverUrl=url, apiKey="k3y", path="v3/workflows",
                         outputMode="rows")
        run = run_inprocess(ServerGet, xml, pa.table({"Rec": [1]}))
    (row,) = run.rows("Success")
    assert row["publishedVersionNumber"] is None
    assert (
        json.loads(row[S.OTHER_FIELDS])["publishedVersionNumber"]
        == 123456789012345678901234567890)


def test_a_misfit_without_other_fields_is_a_failure_that_keeps_what_fitted() -> None:
    fields = [S.wstring("JobId"), S.datetime_("CreateDate")]
    ok_schema = S.output_schema(None, fields)
    bad_fields = [S.wstring("JobId"), *S.FAILURE_FIELDS]
    bad_schema = S.output_schema(None, bad_fields)
    outcomes = [Outcome.ok({"JobId": "j1", "CreateDate": "yesterday"}),
                Outcome.ok({"JobId": "j2", "CreateDate": "2024-01-01T10:00:00Z"})]
    built = build_outputs(None, outcomes, success_schema=ok_schema,
                          success_results={f.name for f in fields}, failure_schema=bad_schema,
                          failure_results={f.name for f in bad_fields})
    assert built.success is not None and built.failure is not None
    assert S.pylist(built.success) == [{"JobId": "j2", "CreateDate": dt.datetime(2024, 1, 1, 10)}]
    (bad,) = built.failure.to_pylist()
    assert bad["JobId"] == "j1" and "'CreateDate' does not fit its DateTime column" in bad["Error"]
    assert (built.n_ok, built.n_failed) == (1, 1)
