"""Issue 13.9 through the Runner: the priority chosen in the tool reaches the Server as each API
takes it (v1: the number 0-3, as the Server itself queues it; v3: the name), checked on the
wire against a small recording Server on 127.0.0.1."""

from __future__ import annotations

import json

import pyarrow as pa
import pytest

from ayx_plugins.tools.runner import ServerRunner
from tests.core.hostile import TOKEN_OK, HostileServer, Reply, Req, json_reply
from tests.tools.conftest import config_xml

WF = "6101a0b0c0d0e0f0a0b0c001"
JOB = json.dumps({"id": "6101a0b0c0d0e0f0a0b0c0ff", "status": "Queued", "disposition": "None",
                  "createDateTime": "2026-01-01T00:00:00Z", "messages": [], "outputs": []})


def _serve(req: Req) -> Reply:
    if req.path.endswith("/oauth2/token"):
        return TOKEN_OK
    if req.method == "POST":
        return json_reply(JOB)
    return json_reply("[]")  # the workflow's questions


@pytest.mark.parametrize(("api", "chosen", "sent"), [
    ("v3", "High", "High"), ("v3", "Critical", "Critical"), ("v1", "High", 2), ("v1", "Low", 0),
])  # fmt: skip
def test_the_priority_reaches_the_server_as_each_api_takes_it(run_tool_inprocess, api, chosen,
                                                              sent):
    with HostileServer(_serve) as srv:
        url = srv.url + ("/gallery/api/" if api == "v1" else "/webapi/")
        xml = config_xml(secret="s3cret-value-123", serverUrl=url, apiKey="key-123",
                         authType="oauth1" if api == "v1" else "oauth2", apiVersion=api,
                         workflowId=WF, wait=False, priority=chosen)
        run = run_tool_inprocess(ServerRunner, xml, pa.table({"N": [1]}))
        starts = [r for r in srv.seen if r.method == "POST" and "/jobs" in r.path]
    assert run.count("Success") == 1, run.rows("Failure")
    assert len(starts) == 1
    assert json.loads(starts[0].body)["priority"] == sent
