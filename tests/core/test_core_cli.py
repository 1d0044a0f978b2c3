"""`ayx-server` end to end against the emulator (in process, plus the installed console script)."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest
from core_seed import ERROR_WF, SUCCESS_WF

from ayx_plugins.server_api.cli import main
from ayx_server_emulator import EmulatorServer


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    user = emulator.user("Curator")
    monkeypatch.setenv("AYX_SERVER_URL", emulator.url)
    monkeypatch.setenv("AYX_API_KEY", user.api_key)
    monkeypatch.setenv("AYX_API_SECRET", user.api_secret)
    for name in ("HTTP_PROXY", "HTTPS_PROXY", "http_proxy", "https_proxy", "ALL_PROXY"):
        monkeypatch.delenv(name, raising=False)
    return emulator


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def test_request_prints_json(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "request", "GET", "v3/workflows", "--query", "view=Full")
    assert code == 0
    assert any(w["id"] == SUCCESS_WF for w in json.loads(out))


def test_request_http_error_exits_1(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "request", "GET", "v3/jobs/0123456789abcdef01234567")
    assert code == 1 and out == ""
    assert "404" in err


def test_request_multipart_by_name(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    pkg = tmp_path / "a.yxzp"
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w") as zf:
        zf.writestr("a.yxmd", "<AlteryxDocument/>")
    pkg.write_bytes(buf.getvalue())
    owner = env.user("Curator").id
    fields = {
        "name": "cli", "ownerId": owner, "isPublic": "false", "isReadyForMigration": "false",
        "othersMayDownload": "true", "othersCanExecute": "true", "executionMode": "Safe",
        "workflowCredentialType": "Default",
    }  # fmt: skip
    argv = ["request", "POST", "v3/workflows", "--file", f"file={pkg}"]
    for k, v in fields.items():
        argv += ["--form", f"{k}={v}"]
    code, out, err = _run(capsys, *argv)
    assert code == 0, err
    new_id = out.strip()
    code, out, _ = _run(
        capsys, "request", "GET", "workflows_get_workflow", "--path-param", f"workflowId={new_id}"
    )
    assert code == 0 and json.loads(out)["name"] == "cli"


def test_request_json_body_and_usage_errors(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    body = tmp_path / "body.json"
    body.write_text(json.dumps({"questions": [], "priority": "Low"}))
    code, out, _ = _run(
        capsys, "request", "POST", f"v3/workflows/{SUCCESS_WF}/jobs", "--json", f"@{body}"
    )
    assert code == 0 and json.loads(out)["status"] == "Queued"
    assert _run(capsys, "request", "GET", "v3/x", "--query", "novalue")[0] == 2
    assert _run(capsys, "request", "POST", "v3/x", "--json", "{bad")[0] == 2
    assert _run(capsys, "request", "GET", "workflows_get_workflow")[0] == 2
    assert _run(capsys, "bogus-command")[0] == 2


def test_missing_credentials_is_a_usage_error(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("AYX_API_SECRET")
    code, _, err = _run(capsys, "request", "GET", "v3/workflows")
    assert code == 2 and "AYX_API_SECRET" in err


def test_run_wait_success_downloads(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    code, out, err = _run(
        capsys, "run", SUCCESS_WF, "--wait", "--poll-interval", "0", "--output-dir", str(tmp_path)
    )
    assert code == 0, err
    job = json.loads(out)
    assert job["status"] == "Completed" and job["disposition"] == "Success"
    assert (tmp_path / "sales.csv").read_text().startswith("Region,Sales")


def test_run_error_job_exits_1_with_the_error(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, out, err = _run(capsys, "run", ERROR_WF, "--wait", "--poll-interval", "0")
    assert code == 1
    assert json.loads(out)["disposition"] == "Error"
    assert "File not found" in err


def test_run_question_fails_job_on_demand(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    code, _, _ = _run(
        capsys, "run", SUCCESS_WF, "--question", "EmulatorDisposition=Error", "--wait",
        "--poll-interval", "0",
    )  # fmt: skip
    assert code == 1


@pytest.mark.emulator_config(job_timing="manual")
def test_run_without_wait_then_job(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "run", SUCCESS_WF, "--priority", "High")
    assert code == 0
    job_id = json.loads(out)["id"]
    env.step_jobs(job_id, steps=2)
    code, out, _ = _run(capsys, "job", job_id, "--wait", "--poll-interval", "0")
    assert code == 0 and json.loads(out)["disposition"] == "Success"


def test_run_timeout_exits_1(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    env.config.job_timing = "manual"
    code, _, err = _run(
        capsys, "run", SUCCESS_WF, "--wait", "--timeout", "0.2", "--poll-interval", "0.05"
    )
    assert code == 1 and "did not finish" in err


def test_oauth1_flags(
    emulator: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = emulator.user("Curator")
    for name in ("AYX_SERVER_URL", "AYX_API_KEY", "AYX_API_SECRET"):
        monkeypatch.delenv(name, raising=False)
    code, out, err = _run(
        capsys, "request", "GET", "v1/workflows/subscription/", "--url", emulator.url,
        "--auth", "oauth1", "--key", user.studio_key, "--secret", user.studio_secret,
        "-q", "search=a b&c",
    )  # fmt: skip
    assert code == 0, err
    assert isinstance(json.loads(out), list)


def test_endpoints_lists_the_catalogue(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "endpoints", "--json")
    names = {e["name"] for e in json.loads(out)}
    assert code == 0 and {"workflows_create_workflow", "v1_get_job"} <= names
    code, out, _ = _run(capsys, "endpoints", "versions", "--method", "post")
    assert "multipart" in out and out.count("\n") == 1


def test_doctor_all_ok(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "doctor")
    assert code == 0, out
    checks = {line.split()[1]: line.split()[0] for line in out.splitlines()}
    assert checks["url"] == "OK" and checks["credentials"] == "OK" and checks["role"] == "OK"
    assert checks["tls"] == "WARN"  # plain http on loopback
    assert "OAuth 2" in out and "/gallery/api/" in out


@pytest.mark.emulator_config(clock_offset=7200, legacy_enabled=False)
def test_doctor_flags_clock_and_role(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = env.user("Artisan")
    monkeypatch.setenv("AYX_API_KEY", user.api_key)
    monkeypatch.setenv("AYX_API_SECRET", user.api_secret)
    code, out, _ = _run(capsys, "doctor")
    assert code == 0, out
    lines = {line.split()[1]: line for line in out.splitlines()}
    assert lines["clock"].startswith("WARN") and "behind" in lines["clock"]
    assert any(f"{n} s" in lines["clock"] for n in (7199, 7200, 7201))
    assert lines["role"].startswith("WARN") and "Curator" in lines["role"]
    assert "/gallery/api/" not in lines["api"]


def test_doctor_spots_studio_keys(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    user = env.user("Curator")
    monkeypatch.setenv("AYX_API_KEY", user.studio_key)
    monkeypatch.setenv("AYX_API_SECRET", user.studio_secret)
    code, out, _ = _run(capsys, "doctor")
    assert code == 1
    assert "FAIL credentials" in out and "legacy keys" in out
    assert user.studio_secret not in out


def test_doctor_unreachable(capsys: pytest.CaptureFixture[str]) -> None:
    code, out, _ = _run(capsys, "doctor", "--url", "http://127.0.0.1:9/webapi/")
    assert code == 1 and "FAIL reach" in out


def test_console_script(env: EmulatorServer) -> None:
    script = Path(sys.executable).with_name("ayx-server")
    result = subprocess.run(
        [str(script), "job", "0123456789abcdef01234567"],
        capture_output=True, text=True, timeout=60, env=dict(os.environ),
    )  # fmt: skip
    assert result.returncode == 1
    assert "404" in result.stderr
    assert env.user("Curator").api_secret not in result.stderr + result.stdout


def test_doctor_tls_failure_is_explained(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str]
) -> None:
    # https to a plain-http port fails the TLS handshake, as a broken chain would.
    https = env.url.replace("http://", "https://") + "/webapi/"
    code, out, _ = _run(capsys, "doctor", "--url", https)
    assert code == 1
    assert "FAIL tls" in out and "--ca-bundle" in out


def test_doctor_shows_the_proxy_without_its_password(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("HTTP_PROXY", "http://proxyuser:proxypass@127.0.0.1:9")
    monkeypatch.delenv("NO_PROXY", raising=False)
    monkeypatch.delenv("no_proxy", raising=False)
    code, out, _ = _run(capsys, "doctor")
    assert code == 1
    assert "OK   proxy        http://***@127.0.0.1:9" in out
    assert "proxypass" not in out
    assert "FAIL reach" in out
