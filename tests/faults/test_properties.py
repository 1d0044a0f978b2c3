"""Property-based tests: whatever the record values and the configuration, no tool crashes and
no record is lost (records in = Success + Failure out, each record once)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pyarrow as pa
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from ayx_plugins.tools import specs
from designer_host import config_xml
from designer_host.inprocess import run_inprocess
from tests.faults.conftest import REC, WF_APP, WORKFLOWS

TOOLS = [t.class_name for t in specs.TOOLS]  # the one tool registry
FIELDS = ["A", "B", "C"]

texts = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "{", "}", "{A}", "/", "..", "%2F", "null", "[]", "{}",
                     '{"name": "x"}', '[{"name": "Region", "value": "1"}]', "0" * 24,
                     *WORKFLOWS, "\u0000", "😀", "a" * 500]),
)
values = st.one_of(st.none(), texts, st.integers(-2**63, 2**63 - 1),
                   st.floats(allow_nan=True), st.booleans())
field_names = st.sampled_from([*FIELDS, "", "Missing", REC])


def _columns(draw: Any, n: int) -> dict[str, pa.Array]:
    """Three input fields, each typed one way (text, int, float or bool) with nulls."""
    cols: dict[str, pa.Array] = {REC: pa.array(range(n), pa.int64())}
    for name in FIELDS:
        kind = draw(st.sampled_from(["text", "int", "float", "bool"]))
        strat = {"text": st.one_of(st.none(), texts),
                 "int": st.one_of(st.none(), st.integers(-2**63, 2**63 - 1)),
                 "float": st.one_of(st.none(), st.floats(allow_nan=True)),
                 "bool": st.one_of(st.none(), st.booleans())}[kind]
        typ = {"text": pa.string(), "int": pa.int64(), "float": pa.float64(),
               "bool": pa.bool_()}[kind]
        cols[name] = pa.array([draw(strat) for _ in range(n)], typ)
    return cols


@st.composite
def tool_configs(draw: Any) -> dict[str, Any]:
    """A configuration mixing sensible and nonsensical settings for any tool."""
    keys: dict[str, Any] = {
        "path": st.sampled_from(["v3/workflows/{A}", "v3/workflows", "v3/collections/{A}",
                                 "v3/jobs/{B}", "{A}", "v3/users/{id}", "", "../x",
                                 "v3/workflows/{A}/jobs", "v1/workflows/subscription"]),
        "endpoint": st.sampled_from(["", "workflows_get_workflow",
                                     "collections_create_collection", "no_such_operation"]),
        "pathParamFields": st.dictionaries(st.sampled_from(["A", "id", "workflowId"]),
                                           field_names, max_size=2),
        "queryFields": st.dictionaries(st.sampled_from(["view", "name", "q"]), field_names,
                                       max_size=2),
        "queryFixed": st.dictionaries(st.sampled_from(["view", "limit"]), texts, max_size=2),
        "bodyMode": st.sampled_from(["none", "jsonField", "fields", "multipart", "bogus"]),
        "bodyField": field_names,
        "bodyFields": st.lists(field_names, max_size=3),
        "fileField": field_names,
        "outputMode": st.sampled_from(["raw", "rows", "weird"]),
        "concurrency": st.sampled_from([1, 3, 32, 0, "x"]),
        "workflowId": st.sampled_from(["", WORKFLOWS[0], WF_APP, "garbage"]),
        "workflowIdField": field_names,
        "questionsMode": st.sampled_from(["none", "fields", "json"]),
        "questionFields": st.lists(field_names, max_size=3),
        "questionsJsonField": field_names,
        "apiVersion": st.sampled_from(["v3", "v1"]),
        "jobIdField": field_names,
        "wait": st.booleans(),
        "source": st.sampled_from(["configured", "incoming", "other"]),
        "urlField": field_names, "keyField": field_names, "secretField": field_names,
        "authType": st.sampled_from(["oauth2", "oauth1"]),
        "requestTimeoutSeconds": st.sampled_from([5, -1, "soon"]),
    }
    chosen = draw(st.lists(st.sampled_from(sorted(keys)), unique=True, max_size=8))
    return {k: draw(keys[k]) for k in chosen}


@pytest.fixture(scope="module")
def shared_emulator() -> Iterator[Any]:
    """One emulator for every example (hypothesis runs many examples per test)."""
    from ayx_server_emulator import EmulatorServer

    with EmulatorServer() as emu:
        yield emu


def _check_no_loss(cls: type, xml: str, table: pa.Table) -> None:
    run = run_inprocess(cls, xml, table, batch_rows=3)
    crash = [m for m in run.messages if "<class '" in m or "Traceback" in m]
    assert not crash, crash
    written = [r[REC] for a in ("Success", "Failure") for r in run.rows(a)]
    failures = [r[REC] for r in run.rows("Failure")]
    successes = {r[REC] for r in run.rows("Success")}
    assert len(failures) == len(set(failures))
    assert not successes & set(failures)
    assert set(written) == set(range(table.num_rows)), "a record was lost"
    for row in run.rows("Failure"):
        assert row["Error"], "a Failure row without a reason"


@settings(max_examples=60, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(tool=st.sampled_from(TOOLS), cfg=tool_configs(), data=st.data(),
       n=st.integers(1, 5))
def test_no_configuration_or_record_crashes_a_tool_or_loses_a_record(
        shared_emulator: Any, tool: str, cfg: dict[str, Any], data: Any, n: int) -> None:
    """Any tool, any mix of settings and record values: every record comes out once."""
    import ayx_plugins

    emu = shared_emulator
    cur = emu.user("Curator")
    cfg.setdefault("pollSeconds", 0.05)
    cfg.setdefault("waitTimeoutSeconds", 2)
    xml = config_xml(cur.api_secret, serverUrl=emu.url, apiKey=cur.api_key, **cfg)
    table = pa.table(_columns(data.draw, n))
    _check_no_loss(getattr(ayx_plugins, tool), xml, table)


@settings(max_examples=40, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow])
@given(data=st.data(), n=st.integers(1, 6))
def test_any_record_values_through_valid_configurations(shared_emulator: Any, data: Any,
                                                        n: int) -> None:
    """Valid configurations of every request tool fed arbitrary field values."""
    import ayx_plugins

    emu = shared_emulator
    cur = emu.user("Curator")
    conn = dict(secret=cur.api_secret, serverUrl=emu.url, apiKey=cur.api_key, concurrency=4)
    table = pa.table(_columns(data.draw, n))
    configs = [
        ("ServerGet", dict(path="v3/workflows/{A}", queryFields={"view": "B"})),
        ("ServerPost", dict(endpoint="collections_create_collection", bodyMode="jsonField",
                            bodyField="A")),
        ("ServerPost", dict(endpoint="collections_create_collection", bodyMode="fields",
                            bodyFields=["A", "B"])),
        ("ServerPut", dict(path="v3/collections/{A}", bodyMode="fields", bodyFields=["B"])),
        ("ServerDelete", dict(path="v3/collections/{C}")),
        ("ServerRunner", dict(workflowIdField="A", questionsMode="fields",
                              questionFields=["B", "C"])),
        ("ServerRunner", dict(workflowId=WF_APP, questionsMode="json", questionsJsonField="A")),
        ("ServerJobStatus", dict(jobIdField="B")),
    ]
    tool, cfg = data.draw(st.sampled_from(configs))
    _check_no_loss(getattr(ayx_plugins, tool), config_xml(**conn, **cfg), table)

