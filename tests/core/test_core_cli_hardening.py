"""`ayx-server` on hostile answers: a body kept with -o, exit 1 (not 2) for HTTP trouble."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path

import pytest

from ayx_plugins.server_api.cli import main
from ayx_server_emulator import EmulatorServer


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    """AYX_* pointing at the emulator's Curator, no proxy."""
    user = emulator.user("Curator")
    for name, value in (("AYX_SERVER_URL", emulator.url), ("AYX_API_KEY", user.api_key),
                        ("AYX_API_SECRET", user.api_secret)):
        monkeypatch.setenv(name, value)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return emulator


def test_output_file_keeps_the_json_body(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    out = tmp_path / "created.json"
    code = main(["request", "POST", "v3/collections", "--json", '{"name": "Kept"}', "-o", str(out)])
    err = capsys.readouterr().err
    assert code == 0, err
    assert json.loads(out.read_text()) and not (tmp_path / "created.json.part").exists()
    names = [c["name"] for c in json.loads(_get(capsys, "v3/collections"))]
    assert "Kept" in names


def test_output_file_keeps_the_multipart_form(
    env: EmulatorServer, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    pkg = tmp_path / "a.yxzp"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.yxmd", "<AlteryxDocument/>")
    pkg.write_bytes(buf.getvalue())
    fields = {
        "name": "with-o", "ownerId": env.user("Curator").id, "isPublic": "false",
        "isReadyForMigration": "false", "othersMayDownload": "true", "othersCanExecute": "true",
        "executionMode": "Safe", "workflowCredentialType": "Default",
    }  # fmt: skip
    out = tmp_path / "new-id.txt"
    argv = ["request", "POST", "v3/workflows", "--file", f"file={pkg}", "-o", str(out)]
    for k, v in fields.items():
        argv += ["--form", f"{k}={v}"]
    code = main(argv)
    assert code == 0, capsys.readouterr().err
    assert out.read_text().strip()


def _get(capsys: pytest.CaptureFixture[str], path: str) -> str:
    assert main(["request", "GET", path]) == 0
    return capsys.readouterr().out


def test_a_cut_off_body_exits_1_with_a_sentence(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    env.faults.truncate(method="GET", path_prefix="/webapi/v3/workflows")
    code = main(["request", "GET", "v3/workflows"])
    err = capsys.readouterr().err
    assert code == 1 and "cut off" in err and "Traceback" not in err
    assert env.counters.count("GET", "/webapi/v3/workflows") == 4  # retried, as a GET may be


def test_a_path_value_that_escapes_is_a_usage_error(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code = main(["request", "DELETE", "workflows_delete_workflow", "-p", "workflowId=.."])
    assert code == 2 and "single path segment" in capsys.readouterr().err
    assert env.counters.total_requests == 0


def test_doctor_and_request_see_an_html_200_on_the_legacy_api(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """A 2022.1+ Server answers /gallery/api/ with its web app's HTML page and 200."""
    from hostile import HostileServer, Reply, Req, json_reply

    page = Reply(200, "<html><head><title>Alteryx Server</title></head></html>",
                 {"Content-Type": "text/html", "Date": "Mon, 01 Dec 2025 00:00:00 GMT"})

    def serve(req: Req) -> Reply:
        if req.path.startswith("/webapi/"):
            return json_reply('{"message": "Authorization has been denied"}', 401)
        return page

    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    with HostileServer(serve) as srv:
        argv = ["--url", srv.url + "/gallery/api/", "--key", "k", "--secret", "s3cret-value"]
        assert main([*argv, "doctor"]) == 1
        out = capsys.readouterr().out
        assert "OK   credentials" not in out and "FAIL" in out
        assert main([*argv, "request", "GET", "v1/workflows/subscription/"]) == 1
        assert "legacy" in capsys.readouterr().err


def test_a_cut_off_output_download_is_typed_and_leaves_no_file(
    env: EmulatorServer, tmp_path: Path
) -> None:
    from core_seed import SUCCESS_WF

    from ayx_plugins.server_api import (
        ServerClient,
        TransportError,
        download_outputs,
        start_job,
        wait_for_job,
    )

    user = env.user("Curator")
    with ServerClient(env.webapi_url, user.api_key, user.api_secret) as client:
        job = wait_for_job(client, start_job(client, SUCCESS_WF).id, poll_interval=0)
        env.faults.truncate(method="GET", path_prefix="/webapi/v1/jobs")
        with pytest.raises(TransportError, match="cut off"):
            download_outputs(client, job, tmp_path)
    assert list(tmp_path.iterdir()) == []
