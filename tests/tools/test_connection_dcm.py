"""DCM connections: the tool asks `provider.dcm.get_connection`, Designer (here the host, in
process and over the SDK's real gRPC protocol) answers; the tool fetches its own token from the
key and secret it got, and a connection that is not allowed for SDK tools is one clear error."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerGet
from ayx_plugins.tools.authenticate import ServerAuthenticate
from ayx_plugins.tools.runner import ServerRunner
from designer_host import run_tool
from designer_host.dcm import DcmRefusal, server_api_connection
from tests.tools.conftest import assert_no_secret, config_xml

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
CID = "3d6f2f0e-8a55-4c55-9a8e-2d1c0b5a7e11"


def _dcm(emulator, **kw):
    user = emulator.user("Curator")
    return {CID: server_api_connection(emulator.url, user.api_key, user.api_secret, **kw)}


def test_dcm_connection_in_process(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerRunner, config_xml(source="dcm", dcmConnectionId=CID,
                                                      workflowIdField="Wf"),
                             pa.table({"Wf": [WF_OK, WF_OK]}), dcm_connections=_dcm(emulator))
    assert run.errors == [] and run.dcm_requests == 1 and run.decrypts == 0
    assert len(run.rows("Success")) == 2
    assert emulator.counters.tokens_issued == 1  # the tool fetched its own token
    assert_no_secret([emulator.user("Curator").api_secret], run.messages,
                     {n: run.table(n) for n in ("Success", "Failure")})


def test_authenticate_from_dcm_writes_a_usable_record(emulator, run_tool_inprocess):
    auth = run_tool_inprocess(ServerAuthenticate, config_xml(source="dcm", dcmConnectionId=CID),
                              dcm_connections=_dcm(emulator))
    assert auth.errors == []
    (row,) = auth.rows("Success")
    assert row["AccessToken"] and row["ApiBase"].endswith("/webapi/")


@pytest.mark.parametrize("answer, words", [
    (DcmRefusal("Connection is not allowed for SDK access", 403), "Allow connection for SDK"),
    ("no-secret", "Allow connection for SDK"),
    ("unknown-id", "could not be read"),
], ids=["refused", "secret-withheld", "unknown-id"])
def test_a_dcm_answer_the_tool_cannot_use_is_one_error(emulator, run_tool_inprocess, answer,
                                                       words):
    user = emulator.user("Curator")
    if answer == "no-secret":
        connections = {CID: server_api_connection(emulator.url, user.api_key, None)}
    elif answer == "unknown-id":
        connections = {}
    else:
        connections = {CID: answer}
    run = run_tool_inprocess(ServerGet, config_xml(source="dcm", dcmConnectionId=CID,
                                                   path="v3/workflows"),
                             pa.table({"N": [1, 2, 3]}), dcm_connections=connections)
    assert len(run.errors) == 1 and words in run.errors[0], run.errors
    assert [r["N"] for r in run.rows("Failure")] == [1, 2, 3]
    assert emulator.counters.total_requests == 0


def test_dcm_without_a_connection_id_is_found_up_front(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerGet, config_xml(source="dcm", path="v3/workflows"), None)
    assert len(run.errors) == 1 and "DCM connection" in run.errors[0]
    assert run.dcm_requests == 0 and emulator.counters.total_requests == 0


def test_dcm_over_grpc(emulator):
    run = run_tool("ServerRunner", config_xml(source="dcm", dcmConnectionId=CID,
                                              workflowIdField="Wf"),
                   {"Input": pa.table({"Wf": [WF_OK, WF_OK]})}, python=sys.executable,
                   timeout=90, dcm_connections=_dcm(emulator))
    assert run.completed and run.errors == [], run.log[-2000:]
    assert run.dcm_requests == 1 and run.decrypt_requests == 0
    assert run.outputs["Success"].num_rows == 2 and emulator.counters.tokens_issued == 1
    refused = run_tool("ServerGet", config_xml(source="dcm", dcmConnectionId=CID,
                                               path="v3/workflows"),
                       {}, python=sys.executable, timeout=90,
                       dcm_connections={CID: DcmRefusal()})
    assert refused.completed and len(refused.errors) == 1
    assert "Allow connection for SDK" in refused.errors[0]
