"""Cancel and list jobs (library and CLI), and `ayx-server orchestrate plan.csv`, against the
emulator over real HTTP."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from core_seed import APP_WF, ERROR_WF, SUCCESS_WF

from ayx_plugins.server_api import ApiError, JobTimeoutError, ServerClient, start_job
from ayx_plugins.server_api.cli import main
from ayx_plugins.server_api.job_control import QueuedWatch, cancel_job, list_jobs, wait_or_cancel
from ayx_plugins.server_api.jobs import Job
from ayx_server_emulator import EmulatorServer

MakeClient = Callable[..., ServerClient]


@pytest.fixture
def env(emulator: EmulatorServer, monkeypatch: pytest.MonkeyPatch) -> EmulatorServer:
    user = emulator.user("Curator")
    monkeypatch.setenv("AYX_SERVER_URL", emulator.url)
    monkeypatch.setenv("AYX_API_KEY", user.api_key)
    monkeypatch.setenv("AYX_API_SECRET", user.api_secret)
    return emulator


def _run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


@pytest.mark.emulator_config(job_timing="manual")
def test_cancel_queued_and_running_jobs_and_an_ended_one(emulator: EmulatorServer,
                                                         curator: ServerClient) -> None:
    queued = start_job(curator, SUCCESS_WF)
    running = start_job(curator, SUCCESS_WF)
    emulator.step_jobs(running.id)
    for job in (queued, running):
        done = cancel_job(curator, job.id)
        assert (done.status, done.disposition) == ("Cancelled", "Cancelled")
        assert done.done and not done.succeeded
    ended = start_job(curator, SUCCESS_WF)
    emulator.step_jobs(ended.id, steps=2)
    assert cancel_job(curator, ended.id).status == "Completed"  # left as it is


@pytest.mark.emulator_config(job_timing="manual", job_cancel_route="POST /v3/jobs/{jobId}/cancel")
def test_cancel_falls_back_to_the_other_route(emulator: EmulatorServer,
                                              curator: ServerClient) -> None:
    job = start_job(curator, SUCCESS_WF)
    assert cancel_job(curator, job.id).status == "Cancelled"
    emulator.config.update(job_cancel_route="none")
    other = start_job(curator, SUCCESS_WF)
    with pytest.raises(ApiError, match="no job-cancel endpoint"):
        cancel_job(curator, other.id)


@pytest.mark.emulator_config(job_timing="manual")
def test_wait_or_cancel_cancels_at_the_timeout_and_watches_the_queue(
    curator: ServerClient,
) -> None:
    job = start_job(curator, SUCCESS_WF)
    seen: list[tuple[str, float]] = []
    with pytest.raises(JobTimeoutError) as err:
        wait_or_cancel(curator, job.id, poll_interval=0.02, timeout=0.2, cancel_on_timeout=True,
                       queued_warn_seconds=0.05, on_queued_long=lambda j, s: seen.append((j.id, s)))
    assert "so it was cancelled" in str(err.value) and err.value.job is not None
    assert err.value.job.status == "Cancelled"
    assert [s[0] for s in seen] == [job.id]  # once, however many polls


def test_queued_watch_fires_once_after_the_threshold() -> None:
    now = [0.0]
    fired: list[float] = []
    watch = QueuedWatch(10, lambda j, s: fired.append(s), clock=lambda: now[0])
    job = Job(id="j", status="Queued")
    for t in (0, 5, 9.9, 10, 11, 30):
        now[0] = t
        watch(job)
    assert fired == [10]
    fired.clear()
    watch2 = QueuedWatch(10, lambda j, s: fired.append(s), clock=lambda: now[0])
    now[0] = 0
    watch2(Job(id="j", status="Running"))
    now[0] = 50
    watch2(Job(id="j", status="Running"))
    assert fired == []


def test_list_jobs_pages_through_everything(emulator: EmulatorServer,
                                            make_client: MakeClient) -> None:
    curator = make_client("Curator")
    ids = {start_job(curator, SUCCESS_WF).id for _ in range(7)}
    items = list_jobs(curator, page_size=3)
    assert {i["jobId"] for i in items} == ids and len(items) == 7
    assert emulator.counters.count("GET", "/webapi/v3/jobs") == 3  # 3 + 3 + 1
    assert len(list_jobs(curator, page_size=3, max_items=5)) == 5
    assert all(i["workflowName"] == "Emulator Success" for i in items)
    named = list_jobs(curator, workflow_names=["Emulator Error"], all_users=True)
    assert named == []
    with pytest.raises(ApiError) as err:
        list_jobs(make_client("Artisan"))
    assert err.value.status in (401, 403)


def test_cli_jobs_and_job_cancel(env: EmulatorServer, capsys: pytest.CaptureFixture[str],
                                 curator: ServerClient) -> None:
    env.config.update(job_timing="manual")
    job = start_job(curator, SUCCESS_WF)
    code, out, err = _run(capsys, "jobs", "--status", "Queued")
    assert code == 0 and job.id in out and "1 jobs" in err
    code, out, err = _run(capsys, "job", job.id, "--cancel")
    assert code == 0 and '"Cancelled"' in out and "cancel requested" in err
    code, out, err = _run(capsys, "jobs", "--json")
    assert code == 0 and '"Cancelled"' in out


def test_cli_run_takes_a_name(env: EmulatorServer, capsys: pytest.CaptureFixture[str]) -> None:
    code, out, err = _run(capsys, "run", "Emulator Success", "--wait", "--poll-interval", "0")
    assert code == 0 and SUCCESS_WF not in err and '"Completed"' in out


PLAN = """Step,Workflow,DependsOn,Region
A,6101a0b0c0d0e0f0a0b0c001,,
B,Emulator App,A,South
C,{url},B,
D,6101a0b0c0d0e0f0a0b0c001,B,
E,6101a0b0c0d0e0f0a0b0c001,"C, D",
F,6101a0b0c0d0e0f0a0b0c002,A,
G,6101a0b0c0d0e0f0a0b0c001,F,
H,6101a0b0c0d0e0f0a0b0c001,"G,E",
"""


def test_cli_orchestrate_a_plan(env: EmulatorServer, capsys: pytest.CaptureFixture[str],
                                tmp_path: Path) -> None:
    env.config.update(job_timing="seconds", job_seconds=0.05, worker_slots=4)
    plan = tmp_path / "plan.csv"
    plan.write_text(PLAN.format(url=f"{env.url}/gallery/app/Emulator%20Success/{SUCCESS_WF}"),
                    encoding="utf-8")
    code, out, err = _run(capsys, "orchestrate", str(plan), "--poll-interval", "0.05",
                          "--max-in-flight", "2")
    assert code == 1
    lines = [line for line in err.splitlines() if line.startswith("[")]
    assert len(lines) == 8
    assert any(x.endswith("] G: skipped: step F failed") for x in lines)
    assert any(x.endswith("] H: skipped: step G was skipped (step F failed)") for x in lines)
    assert any("] F: failed" in x and "Completed / Error" in x for x in lines)
    table = out.splitlines()
    assert table[0].split() == ["Step", "State", "JobId", "JobStatus", "Disposition", "Seconds",
                                "Error"]
    states = {row.split()[0]: row.split()[1] for row in table[1:]}
    assert states == {"A": "succeeded", "B": "succeeded", "C": "succeeded", "D": "succeeded",
                      "E": "succeeded", "F": "failed", "G": "skipped", "H": "skipped"}
    assert "5 succeeded, 1 failed (F), 2 skipped (G, H)" in err
    assert 1 <= env.counters.max_running_jobs <= 2
    with env.state.lock:
        answers = [j["_answers"] for j in env.state.jobs.values() if j["appId"] == APP_WF]
    assert answers == [{"Region": "South"}]


@pytest.mark.parametrize(("plan", "message"), [
    ("Step,Workflow,DependsOn\nA,x,B\nB,x,A\n", "cycle"),
    ("Step,Workflow,DependsOn\nA,x,Z\n", "'Z', which is not a step"),
    ("Name,Workflow\nA,x\n", "needs the columns Step and Workflow"),
])
def test_cli_orchestrate_refuses_a_bad_plan_before_any_job(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path, plan: str,
    message: str,
) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(plan, encoding="utf-8")
    code, _, err = _run(capsys, "orchestrate", str(path))
    assert code == 2 and message in err
    assert env.counters.total_requests == 0


def test_cli_orchestrate_all_good_exits_0_and_checks_questions(
    env: EmulatorServer, capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    path = tmp_path / "plan.csv"
    path.write_text(f"Step,Workflow,DependsOn,Regoin\nA,{SUCCESS_WF},,\nB,{APP_WF},A,x\n",
                    encoding="utf-8")
    code, out, err = _run(capsys, "orchestrate", str(path), "--poll-interval", "0")
    assert code == 1 and "unknown question 'Regoin'" in err
    path.write_text(f"Step,Workflow,DependsOn\nA,{SUCCESS_WF},\nB,{ERROR_WF}x,\n".replace(
        f"{ERROR_WF}x", "Emulator Warning"), encoding="utf-8")
    code, out, err = _run(capsys, "orchestrate", str(path), "--poll-interval", "0", "--json")
    assert code == 0 and '"State": "succeeded"' in out


def test_cli_run_wait_cancels_at_the_timeout(env: EmulatorServer,
                                             capsys: pytest.CaptureFixture[str]) -> None:
    env.config.update(job_timing="manual")
    code, _, err = _run(capsys, "run", SUCCESS_WF, "--wait", "--timeout", "0.3",
                        "--poll-interval", "0.05", "--cancel-on-timeout", "--queued-warn", "0.1")
    assert code == 1 and "so it was cancelled" in err
    assert "has been Queued for" in err and "slots" in err
    with env.state.lock:
        assert [j["status"] for j in env.state.jobs.values()] == ["Cancelled"]
