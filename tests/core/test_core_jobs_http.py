"""Jobs over real HTTP: start (v1/v3), wait, judge by status AND disposition, download outputs."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import pytest
from core_seed import APP_WF, ERROR_WF, SUCCESS_WF, WARNING_WF

from ayx_plugins.server_api import (
    Job,
    JobFailedError,
    JobTimeoutError,
    NotFoundError,
    ServerClient,
    download_outputs,
    get_job,
    start_job,
    wait_for_job,
)
from ayx_server_emulator import EmulatorServer

MakeClient = Callable[..., ServerClient]


def _no_sleep(_seconds: float) -> None:
    return None


@pytest.mark.parametrize("api", ["v3", "v1"])
def test_success_job_waited_and_downloaded(
    emulator: EmulatorServer, curator: ServerClient, tmp_path: Path, api: str
) -> None:
    job = start_job(curator, SUCCESS_WF, api=api)  # type: ignore[arg-type]
    assert job.status == "Queued" and not job.done
    done = wait_for_job(curator, job.id, poll_interval=0, api=api, sleep=_no_sleep)  # type: ignore[arg-type]
    assert done.done and done.succeeded and done.error_messages == []
    assert done.raise_for_outcome() is done
    assert [o.file_name for o in done.outputs] == ["sales.csv"]
    paths = download_outputs(curator, done, tmp_path, fmt="Raw")
    assert [p.name for p in paths] == ["sales.csv"]
    assert paths[0].read_text().startswith("Region,Sales\nNorth,120")
    assert not list(tmp_path.glob("*.part"))


def test_error_disposition_is_a_failure(emulator: EmulatorServer, curator: ServerClient) -> None:
    job = start_job(curator, ERROR_WF)
    done = wait_for_job(curator, job.id, poll_interval=0, sleep=_no_sleep)
    assert done.status == "Completed" and done.disposition == "Error"
    assert done.done and not done.succeeded
    assert any("File not found" in m for m in done.error_messages)
    with pytest.raises(JobFailedError) as info:
        done.raise_for_outcome()
    assert info.value.job is done and "File not found" in str(info.value)


def test_warning_disposition_succeeds_with_messages(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    done = wait_for_job(
        curator, start_job(curator, WARNING_WF).id, poll_interval=0, sleep=_no_sleep
    )
    assert done.succeeded and done.disposition == "Warning" and done.warning_messages


@pytest.mark.emulator_config(job_timing="manual")
def test_wait_polls_with_backoff_until_done(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    job = start_job(curator, SUCCESS_WF, {"Region": "North"}, priority="High", worker_tag="")
    seen: list[str] = []
    sleeps: list[float] = []

    def on_poll(j: Job) -> None:
        seen.append(j.status)
        emulator.step_jobs(j.id)  # the Server moves the job one state per poll

    done = wait_for_job(
        curator, job.id, poll_interval=1.0, backoff=2.0, max_poll_interval=3.0,
        on_poll=on_poll, sleep=sleeps.append,
    )  # fmt: skip
    assert seen == ["Queued", "Running", "Completed"]
    assert sleeps == [1.0, 2.0]
    assert done.succeeded


@pytest.mark.emulator_config(job_timing="manual")
def test_wait_times_out_with_the_last_job(emulator: EmulatorServer, curator: ServerClient) -> None:
    job = start_job(curator, SUCCESS_WF)
    now = [0.0]

    def fake_sleep(seconds: float) -> None:
        now[0] += seconds

    with pytest.raises(JobTimeoutError) as info:
        wait_for_job(
            curator, job.id, poll_interval=5, timeout=12, sleep=fake_sleep, clock=lambda: now[0]
        )
    assert info.value.job is not None and info.value.job.status == "Queued"
    assert job.id in str(info.value)
    with pytest.raises(JobTimeoutError):
        wait_for_job(curator, job.id, poll_interval=0, max_polls=3, sleep=_no_sleep)


def test_questions_reach_the_job(
    emulator: EmulatorServer, curator: ServerClient, tmp_path: Path
) -> None:
    job = start_job(curator, APP_WF, {"Region": "Nord & Süd", "Size": 3})
    done = wait_for_job(curator, job.id, poll_interval=0, sleep=_no_sleep)
    (path,) = download_outputs(curator, done, tmp_path, fmt="Csv")
    assert path.read_text(encoding="utf-8") == "Region,Size\nNord & Süd,3\n"


def test_oauth1_client_runs_jobs_on_v1(emulator: EmulatorServer, make_client: MakeClient) -> None:
    client = make_client(auth="oauth1")
    job = start_job(client, SUCCESS_WF, priority=0)
    done = wait_for_job(client, job.id, poll_interval=0, sleep=_no_sleep)
    assert done.succeeded
    assert get_job(client, job.id).id == job.id


def test_unknown_job_is_not_found(emulator: EmulatorServer, curator: ServerClient) -> None:
    with pytest.raises(NotFoundError):
        get_job(curator, "0123456789abcdef01234567")


def test_v1_rejects_v3_only_options(emulator: EmulatorServer, curator: ServerClient) -> None:
    with pytest.raises(ValueError, match="v3"):
        start_job(curator, SUCCESS_WF, credential_id="c", api="v1")
    assert emulator.counters.jobs_created == 0
