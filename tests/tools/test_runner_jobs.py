"""Issue 12 in the tools (in process, against the emulator): workflows by name or URL, the
question check, Failure rows that keep the job, cancel at the timeout, the Queued-too-long
warning (issue 11.5), and downloads that stay inside the output folder (issue 9.4)."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pyarrow as pa
import pytest

from ayx_plugins import ServerJobStatus, ServerRunner
from designer_host import panel_config
from designer_host.jsonnet import configuration_to_xml

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"
WF_APP = "6101a0b0c0d0e0f0a0b0c004"
JOB_COLUMNS = ["JobId", "JobStatus", "Disposition"]


def xml(emu, **values) -> str:
    """A panel's saved configuration (Designer's Json.NET step applied) for the emulator."""
    user = emu.user("Curator")
    values.setdefault("pollSeconds", 0.05)
    return configuration_to_xml(panel_config(secret=user.api_secret, serverUrl=emu.url,
                                             apiKey=user.api_key, **values))


def _warnings(run) -> list[str]:
    return [m for m in run.messages if m.startswith("WARN:")]


def test_wait_is_the_default_and_failure_rows_carry_the_job(emulator, run_tool_inprocess):
    table = pa.table({"Wf": [WF_OK, WF_ERROR, "6101a0b0c0d0e0f0a0b0cfff"]})
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflowField="Wf"), table)
    (ok,) = run.rows("Success")
    assert ok["JobStatus"] == "Completed" and ok["Disposition"] == "Success"  # waited
    failed, missing = run.rows("Failure")
    assert failed["JobId"] and failed["JobStatus"] == "Completed"
    assert failed["Disposition"] == "Error" and failed["JobId"] in failed["Error"]
    assert [missing[c] for c in JOB_COLUMNS] == [None, None, None]  # no job was started
    assert missing["HTTP Status"] == 404
    names = run.pushed["Failure"].names
    assert names[-6:] == ["HTTP Status", "Error", "Error Detail", *JOB_COLUMNS]


def test_workflows_by_name_and_pasted_url_resolved_once(emulator, run_tool_inprocess):
    url = f"{emulator.url}/gallery/app/Emulator%20Success/{WF_OK}"
    table = pa.table({"Wf": ["Emulator Success", url, "Emulator Success", "Emulator Sucess"]})
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflowField="Wf"), table)
    assert [r["WorkflowId"] for r in run.rows("Success")] == [WF_OK] * 3
    (bad,) = run.rows("Failure")
    assert "no workflow named 'Emulator Sucess'" in bad["Error"] and bad["JobId"] is None
    assert emulator.counters.count("GET", "/webapi/v3/workflows") == 2  # two names, once each
    assert emulator.counters.jobs_created == 3


def test_an_ambiguous_name_lists_the_matches(emulator, run_tool_inprocess):
    twin = "6101a0b0c0d0e0f0a0b0c0f2"
    with emulator.state.lock:
        wf = copy.deepcopy(emulator.state.workflows[WF_OK])
        wf["id"] = twin
        emulator.state.workflows[twin] = wf
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflow="Emulator Success"),
                             pa.table({"Id": [1, 2]}))
    failures = run.rows("Failure")
    assert len(failures) == 2 and emulator.counters.jobs_created == 0
    assert "2 workflows are named 'Emulator Success'" in failures[0]["Error"]
    assert WF_OK in failures[0]["Error"] and twin in failures[0]["Error"]


def test_question_check_both_ways(emulator, run_tool_inprocess):
    table = pa.table({"Regoin": ["South"]})
    config = {"workflow": WF_APP, "questionsMode": "fields", "questionFields": '["Regoin"]'}
    run = run_tool_inprocess(ServerRunner, xml(emulator, **config), table)
    (bad,) = run.rows("Failure")
    assert bad["Error"] == ("unknown question 'Regoin'; the app (6101a0b0c0d0e0f0a0b0c004) "
                            "asks: Region, Size, EmulatorDisposition")
    assert emulator.counters.jobs_created == 0
    run = run_tool_inprocess(ServerRunner, xml(emulator, checkQuestions=False, **config), table)
    assert len(run.rows("Success")) == 1  # the old behaviour, on request
    assert emulator.counters.jobs_created == 1


def test_questions_are_read_once_per_workflow_per_run(emulator, run_tool_inprocess):
    table = pa.table({"Region": ["North", "South", "East", "West"]})
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflow=WF_APP, questionsMode="fields",
                                               questionFields='["Region"]'), table)
    assert len(run.rows("Success")) == 4
    assert emulator.counters.count("GET", "/webapi/v3/workflows/<workflowId>/questions") == 1


@pytest.mark.emulator_config(job_timing="manual")
def test_queued_too_long_warns_naming_the_worker_slots(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflow=WF_OK, queuedWarnSeconds=0.1,
                                               waitTimeoutSeconds=0.6), pa.table({"Id": [1]}))
    (bad,) = run.rows("Failure")
    assert bad["JobStatus"] == "Queued" and "did not finish" in bad["Error"]
    (warning,) = [w for w in _warnings(run) if "Queued for" in w]
    assert bad["JobId"] in warning and "slots" in warning and "waits for the jobs" in warning
    # No warning when the job starts in time (or the option is off).
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflow=WF_OK, queuedWarnSeconds=0,
                                               waitTimeoutSeconds=0.3), pa.table({"Id": [1]}))
    assert not [w for w in _warnings(run) if "Queued for" in w]


@pytest.mark.emulator_config(job_timing="manual")
@pytest.mark.parametrize("tool", [ServerRunner, ServerJobStatus])
def test_cancel_when_the_wait_times_out(emulator, run_tool_inprocess, tool):
    if tool is ServerRunner:
        run = run_tool_inprocess(tool, xml(emulator, workflow=WF_OK, waitTimeoutSeconds=0.2,
                                           cancelOnTimeout=True), pa.table({"Id": [1]}))
    else:
        first = run_tool_inprocess(ServerRunner, xml(emulator, workflow=WF_OK, wait=False),
                                   pa.table({"Id": [1]}))
        run = run_tool_inprocess(tool, xml(emulator, wait=True, waitTimeoutSeconds=0.2,
                                           cancelOnTimeout=True), first.table("Success"))
    (bad,) = run.rows("Failure")
    assert "so it was cancelled" in bad["Error"], bad
    assert bad["JobStatus"] == "Cancelled" and bad["Disposition"] == "Cancelled"
    with emulator.state.lock:
        assert emulator.state.jobs[bad["JobId"]]["status"] == "Cancelled"


def test_job_status_failure_rows_name_the_job(emulator, run_tool_inprocess):
    table = pa.table({"JobId": ["6101a0b0c0d0e0f0a0b0cfff", "..", None]})
    run = run_tool_inprocess(ServerJobStatus, xml(emulator), table)
    unknown, dots, empty = run.rows("Failure")
    assert unknown["HTTP Status"] == 404 and unknown["JobId"] == "6101a0b0c0d0e0f0a0b0cfff"
    assert "single path segment" in dots["Error"] and dots["JobStatus"] is None
    assert empty["JobId"] is None
    assert emulator.counters.count("GET", "/webapi/v3/jobs/<jobId>") == 1  # '..' never sent


def test_download_names_from_the_server_stay_in_the_folder(emulator, run_tool_inprocess,
                                                           tmp_path: Path):
    with emulator.state.lock:
        emulator.state.workflows[WF_OK]["_outputs"][0]["fileName"] = "../../escaped.csv"
    out = tmp_path / "out"
    run = run_tool_inprocess(ServerRunner, xml(emulator, workflow=WF_OK, downloadOutputs=True,
                                               outputFolder=str(out)), pa.table({"Id": [1]}))
    (row,) = run.rows("Success")
    assert (out / row["JobId"]).is_dir()
    assert not list(tmp_path.glob("*.csv")) and not (tmp_path.parent / "escaped.csv").exists()
    assert all(out.resolve() in Path(p).resolve().parents for p in json.loads(row["OutputFiles"]))


# ------------------------------------------------------------------------------ plan mode
# A; a diamond B -> (C, D) -> E; F fails (an Error workflow), so G and H are skipped.
DAG = [("A", WF_OK, ""), ("B", "Emulator Success", "A"), ("C", WF_OK, "B"), ("D", WF_OK, "B"),
       ("E", WF_OK, "C, D"), ("F", WF_ERROR, "A"), ("G", WF_OK, "F"), ("H", WF_OK, "G,E")]


def _plan_table(rows) -> pa.Table:
    return pa.table({"Step": [r[0] for r in rows], "Workflow": [r[1] for r in rows],
                     "DependsOn": [r[2] for r in rows]})


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.05)
def test_plan_of_eight_steps_with_a_diamond_a_failure_and_skips(emulator, run_tool_inprocess):
    if hasattr(emulator.config, "worker_slots"):
        emulator.config.update(worker_slots=3)
    run = run_tool_inprocess(ServerRunner, xml(emulator, mode="plan", workflowField="Workflow",
                                               maxInFlight=2), _plan_table(DAG), batch_rows=3)
    ok = run.rows("Success")
    assert [r["Step"] for r in ok] == ["A", "B", "C", "D", "E"]
    assert all(r["JobStatus"] == "Completed" and r["Disposition"] == "Success" for r in ok)
    assert all(r["StartTime"] <= r["EndTime"] and r["DurationSeconds"] >= 0 for r in ok)
    by_step = {r["Step"]: r for r in ok}
    assert by_step["E"]["StartTime"] >= max(by_step["C"]["EndTime"], by_step["D"]["EndTime"])
    bad = run.rows("Failure")
    assert [r["Step"] for r in bad] == ["F", "G", "H"]
    assert bad[0]["Disposition"] == "Error" and bad[0]["JobId"]
    assert bad[1]["Error"] == "skipped: step F failed" and bad[1]["JobId"] is None
    assert bad[2]["Error"] == "skipped: step G was skipped (step F failed)"
    assert bad[1]["StartTime"] is None and bad[1]["DurationSeconds"] is None
    assert emulator.counters.jobs_created == 6  # G and H never started
    if hasattr(emulator.counters, "max_running_jobs"):
        assert 1 <= emulator.counters.max_running_jobs <= 2
    names = run.pushed["Success"].names
    assert names[-3:] == ["StartTime", "EndTime", "DurationSeconds"]


@pytest.mark.parametrize(("rows", "message"), [
    ([("A", WF_OK, "C"), ("B", WF_OK, "A"), ("C", WF_OK, "B")], "cycle: A -> C -> B -> A"),
    ([("A", WF_OK, ""), ("B", WF_OK, "Z")], "step 'B' depends on 'Z', which is not a step"),
    ([("A", WF_OK, ""), ("A", WF_OK, "")], "step id 'A' is used twice"),
])
def test_a_bad_plan_is_one_configuration_error_before_any_job(emulator, run_tool_inprocess,
                                                              rows, message):
    run = run_tool_inprocess(ServerRunner, xml(emulator, mode="plan", workflowField="Workflow"),
                             _plan_table(rows))
    assert len(run.errors) == 1 and message in run.errors[0]
    assert len(run.rows("Failure")) == len(rows) and run.rows("Success") == []
    assert all(message in r["Error"] for r in run.rows("Failure"))
    assert emulator.counters.jobs_created == 0


def test_a_simultaneous_plan_with_questions(emulator, run_tool_inprocess):
    table = pa.table({"Step": ["n", "s"], "DependsOn": [None, None], "Region": ["North", "South"]})
    run = run_tool_inprocess(ServerRunner, xml(
        emulator, mode="plan", workflow="Emulator App", questionsMode="fields",
        questionFields='["Region"]'), table)
    assert [r["Step"] for r in run.rows("Success")] == ["n", "s"], run.rows("Failure")
    with emulator.state.lock:
        assert sorted(j["_answers"]["Region"] for j in emulator.state.jobs.values()) == [
            "North", "South"]


@pytest.mark.parametrize("job_id", ["../../x", "..", "a/../../x", "..\\..\\x"])
@pytest.mark.parametrize("wait", [True, False])
def test_a_hostile_job_id_never_leaves_the_output_folder(run_tool_inprocess, tmp_path: Path,
                                                         job_id: str, wait: bool):
    from tests.tools.hostile_jobs import hostile_server

    out = tmp_path / "a" / "b" / "out"
    with hostile_server(job_id) as server:
        config = configuration_to_xml(panel_config(
            secret="s3cret-value", serverUrl=server.url, apiKey="key", workflow=WF_OK,
            wait=wait, pollSeconds=0.05, downloadOutputs=True, outputFolder=str(out)))
        run = run_tool_inprocess(ServerRunner, config, pa.table({"Id": [1]}))
    (bad,) = run.rows("Failure")
    assert run.rows("Success") == []
    assert any(s in bad["Error"] for s in ("single path segment", "not a plain", "outside"))
    assert bad["JobId"] == job_id  # the row still names the job the Server claims it started
    assert not any(".." in p.split("?")[0] for p in server.paths)  # never sent back
    assert [p for p in tmp_path.rglob("*") if p.is_file()] == []  # nothing written anywhere


@pytest.mark.emulator_config(job_timing="seconds", job_seconds=0.05, worker_slots=1)
def test_the_worker_slot_deadlock_of_a_nested_run_is_named_and_cancelled(emulator,
                                                                          run_tool_inprocess):
    """A parent workflow Running on the worker's only slot waits for its child: the child stays
    Queued; the Runner warns naming the slots, cancels the child at the timeout."""
    from ayx_plugins.server_api import ServerClient, start_job

    user = emulator.user("Curator")
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret) as client:
        parent = start_job(client, WF_APP, {"EmulatorRunSeconds": "30"})
    emulator.step_jobs(parent.id)  # the parent holds the slot from now on
    run = run_tool_inprocess(ServerRunner, xml(
        emulator, workflow=WF_OK, queuedWarnSeconds=0.2, waitTimeoutSeconds=0.8,
        cancelOnTimeout=True), pa.table({"Child": [1]}))
    (bad,) = run.rows("Failure")
    assert "so it was cancelled" in bad["Error"] and bad["JobStatus"] == "Cancelled"
    (warning,) = [w for w in _warnings(run) if "Queued for" in w]
    assert "simultaneous-workflow slots" in warning and bad["JobId"] in warning
    with emulator.state.lock:
        assert emulator.state.jobs[parent.id]["status"] in ("Initializing", "Running")
    assert emulator.counters.max_running_jobs == 1


@pytest.mark.emulator_config(job_timing="manual")
def test_plan_mode_warns_about_a_queued_step_too(emulator, run_tool_inprocess):
    run = run_tool_inprocess(ServerRunner, xml(
        emulator, mode="plan", workflowField="Workflow", queuedWarnSeconds=0.1,
        waitTimeoutSeconds=0.4), _plan_table([("A", WF_OK, ""), ("B", WF_OK, "A")]))
    assert [r["Error"] for r in run.rows("Failure")][1] == "skipped: step A failed"
    assert len([w for w in _warnings(run) if "Queued for" in w]) == 1


def test_plan_mode_needs_its_fields_and_wait(emulator, run_tool_inprocess):
    table = pa.table({"Step": ["a"], "Workflow": [WF_OK]})
    run = run_tool_inprocess(ServerRunner, xml(emulator, mode="plan", workflowField="Workflow"),
                             table)
    # A missing DependsOn field is an error, never "no dependencies": a typo must not run a
    # plan all at once.
    assert len(run.errors) == 1 and "no field 'DependsOn'" in run.errors[0]
    table = table.append_column("DependsOn", pa.array([None], pa.string()))
    run = run_tool_inprocess(ServerRunner, xml(emulator, mode="plan", workflowField="Workflow",
                                               wait=False), table)
    assert len(run.errors) == 1 and "Wait for each job" in run.errors[0]
    assert emulator.counters.jobs_created == 0
