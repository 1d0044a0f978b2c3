"""Issue 9.4 for names the Server gives: a GET saved to a file takes the Server's
Content-Disposition file name when the tool names none; a hostile name (`../../x`, an absolute
path, an encoded `..%2F`) still lands inside the chosen folder, in process."""

from __future__ import annotations

from pathlib import Path

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerGet
from tests.core.hostile import TOKEN_OK, HostileServer, Reply, Req
from tests.tools.conftest import config_xml

NAMES = {
    "a": 'attachment; filename="../../escaped-a.txt"',
    "b": "attachment; filename*=UTF-8''..%2F..%2Fescaped-b.txt",
    "c": 'attachment; filename="/tmp/escaped-c.txt"',
    "d": 'attachment; filename="C:\\Windows\\escaped-d.txt"',
}


def _serve(req: Req) -> Reply:
    if req.path.endswith("/oauth2/token"):
        return TOKEN_OK
    key = req.path.rstrip("/").rsplit("/", 2)[-2][-1]  # .../workflows/<id ending in a-d>/package
    return Reply(200, b"file body", {"Content-Type": "application/octet-stream",
                                     "Content-Disposition": NAMES[key]})


@pytest.mark.parametrize("key", list(NAMES))
def test_a_hostile_server_file_name_stays_inside_the_folder(run_tool_inprocess, tmp_path: Path,
                                                            key: str):
    out = tmp_path / "deep" / "out"
    with HostileServer(_serve) as srv:
        run = run_tool_inprocess(ServerGet, config_xml(
            secret="s3cret-value-123", serverUrl=srv.url, apiKey="key-123",
            endpoint="workflows_download_workflow", outputMode="file", fileFolder=str(out),
            pathParamFields={"workflowId": "Wf"}),
            pa.table({"Wf": ["6101a0b0c0d0e0f0a0b0c00" + key]}))
    written = [p for p in tmp_path.rglob("*") if p.is_file()]
    assert written, run.rows("Failure")
    assert all(p.resolve().parent == out.resolve() for p in written), written
    assert not Path(f"/tmp/escaped-{key}.txt").exists()
    if run.count("Success"):
        (row,) = run.rows("Success")
        assert Path(row["File Path"]).parent == out.resolve()
