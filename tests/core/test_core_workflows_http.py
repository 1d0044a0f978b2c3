"""Workflows by id, Gallery URL or name (incl. ambiguous names) and the question check, against
the emulator over real HTTP; hostile ids never reach another path; downloads stay in place."""

from __future__ import annotations

import copy
import threading
from pathlib import Path

import pytest
from core_seed import APP_WF, SUCCESS_WF

from ayx_plugins.server_api import ServerClient, start_job, wait_for_job
from ayx_plugins.server_api.jobs import download_outputs, get_job
from ayx_plugins.server_api.segments import PathEscapeError, contained_path, path_segment
from ayx_plugins.server_api.workflows import (
    QuestionError,
    WorkflowDirectory,
    WorkflowLookupError,
    check_questions,
    get_questions,
    parse_workflow_ref,
    resolve_workflow,
)
from ayx_server_emulator import EmulatorServer


@pytest.mark.parametrize("text", [
    SUCCESS_WF,
    SUCCESS_WF.upper(),
    f"https://server.example.com/gallery/app/Emulator%20Success/{SUCCESS_WF}",
    f"https://server.example.com/gallery/app/Emulator Success/{SUCCESS_WF}?tab=run",
    f"https://server.example.com/gallery/workflow/{SUCCESS_WF}",
    f"https://server.example.com/gallery/#!app/Emulator%20Success/{SUCCESS_WF}",
    f"https://server.example.com/webapi/v3/workflows/{SUCCESS_WF}",
    f"/gallery/workflows/{SUCCESS_WF}/",
])
def test_ids_and_pasted_urls_need_no_request(text: str) -> None:
    ref = parse_workflow_ref(text)
    assert (ref.kind, ref.value) == ("id", SUCCESS_WF)


def test_a_url_without_an_id_and_an_empty_value_are_errors() -> None:
    with pytest.raises(WorkflowLookupError, match="holds no workflow id"):
        parse_workflow_ref("https://server.example.com/gallery/app/Sales")
    with pytest.raises(WorkflowLookupError, match="empty"):
        parse_workflow_ref("  ")
    assert parse_workflow_ref("Sales Report 2024").kind == "name"


def _twin(emulator: EmulatorServer, source: str, new_id: str, name: str | None = None) -> None:
    with emulator.state.lock:
        wf = copy.deepcopy(emulator.state.workflows[source])
        wf["id"] = new_id
        if name is not None:
            wf["name"] = name
        emulator.state.workflows[new_id] = wf


def test_name_resolution_exact_ambiguous_and_unknown(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    assert resolve_workflow(curator, "Emulator Success") == SUCCESS_WF
    # The Server matches ?name= by substring: "Emulator App" must not match "Emulator App 2".
    _twin(emulator, APP_WF, "6101a0b0c0d0e0f0a0b0c0f1", "Emulator App 2")
    assert resolve_workflow(curator, "Emulator App") == APP_WF
    assert resolve_workflow(curator, "emulator app") == APP_WF  # case-insensitive fallback
    _twin(emulator, APP_WF, "6101a0b0c0d0e0f0a0b0c0f2")  # a second "Emulator App"
    with pytest.raises(WorkflowLookupError) as err:
        resolve_workflow(curator, "Emulator App")
    text = str(err.value)
    assert "2 workflows are named 'Emulator App'" in text
    assert APP_WF in text and "6101a0b0c0d0e0f0a0b0c0f2" in text
    assert len(err.value.matches) == 2
    with pytest.raises(WorkflowLookupError, match="no workflow named 'Emulator Sucess'"):
        resolve_workflow(curator, "Emulator Sucess")


def test_directory_caches_names_and_questions_once_per_run(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    directory = WorkflowDirectory()
    before = emulator.counters.count("GET", "/webapi/v3/workflows")
    threads = [threading.Thread(target=directory.resolve, args=(curator, "Emulator App"))
               for _ in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert directory.resolve(curator, "Emulator App") == APP_WF
    assert emulator.counters.count("GET", "/webapi/v3/workflows") - before == 1
    for _ in range(5):
        directory.check(curator, APP_WF, [{"name": "Region", "value": "South"}])
    assert emulator.counters.count("GET", "/webapi/v3/workflows/<workflowId>/questions") == 1
    with pytest.raises(WorkflowLookupError):
        directory.resolve(curator, "Nope")
    with pytest.raises(WorkflowLookupError):  # a definitive miss is remembered too
        directory.resolve(curator, "Nope")
    assert emulator.counters.count("GET", "/webapi/v3/workflows") - before == 2


@pytest.mark.parametrize("auth", ["oauth2", "oauth1"])
def test_questions_read_and_checked_both_ways(make_client, auth: str) -> None:  # type: ignore[no-untyped-def]
    client = make_client("Curator", auth=auth)
    asked = get_questions(client, APP_WF)
    assert [q.name for q in asked] == ["Region", "Size", "EmulatorDisposition"]
    assert asked[1].items == (("Small", "10"), ("Large", "1000"))
    check_questions(asked, [{"name": "Region", "value": "South"}])  # the rest have defaults
    check_questions(asked, [])
    with pytest.raises(QuestionError) as err:
        check_questions(asked, [{"name": "Regoin", "value": "South"}])
    assert str(err.value) == (
        "unknown question 'Regoin'; the app asks: Region, Size, EmulatorDisposition")
    with pytest.raises(QuestionError, match="did you mean 'Region'"):
        check_questions(asked, [{"name": "region", "value": "South"}])
    no_default = [*asked[:1], type(asked[0])(name="Threshold", default=None)]
    with pytest.raises(QuestionError, match="no answer for question 'Threshold'"):
        check_questions(no_default, [{"name": "Region", "value": "x"}])
    check_questions(no_default, [{"name": "Threshold", "value": "3"}])


def test_path_segments_refuse_dot_segments_and_separators(curator: ServerClient,
                                                          emulator: EmulatorServer) -> None:
    for bad in ("..", ".", "", "a/b", "..%2F", "%2e%2e", "a\\b"):
        with pytest.raises(PathEscapeError):
            path_segment(bad, "job id")
    assert path_segment("abc def") == "abc%20def"
    before = emulator.counters.total_requests
    with pytest.raises(PathEscapeError):
        get_job(curator, "../workflows")
    with pytest.raises(PathEscapeError):
        start_job(curator, "..")
    assert emulator.counters.total_requests == before


def test_contained_path_refuses_escapes(tmp_path: Path) -> None:
    assert contained_path(tmp_path, "job1") == (tmp_path / "job1").resolve()
    for bad in ("../../x", "..", "/etc/passwd", "a/../../b"):
        with pytest.raises(PathEscapeError, match=r"outside the output folder|not a plain"):
            contained_path(tmp_path, bad, what="job id")


def test_download_with_hostile_output_names_stays_inside(
    emulator: EmulatorServer, curator: ServerClient, tmp_path: Path
) -> None:
    with emulator.state.lock:
        emulator.state.workflows[SUCCESS_WF]["_outputs"][0]["fileName"] = "../../escaped.csv"
    job = start_job(curator, SUCCESS_WF)
    done = wait_for_job(curator, job.id, poll_interval=0, sleep=lambda s: None)
    target = tmp_path / "out"
    paths = download_outputs(curator, done, target)
    assert all(target.resolve() in p.resolve().parents for p in paths)
    assert not (tmp_path / "escaped.csv").exists() and not Path("escaped.csv").exists()


def test_questions_fall_back_to_v1_when_v3_has_no_such_route(
    emulator: EmulatorServer, curator: ServerClient
) -> None:
    emulator.faults.error(404, path_prefix=f"/webapi/v3/workflows/{APP_WF}/questions")
    assert [q.name for q in get_questions(curator, APP_WF)][:2] == ["Region", "Size"]
    assert emulator.counters.count("GET", "/webapi/v1/workflows/<appId>/questions") == 1
