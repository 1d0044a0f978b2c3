"""Every example workflow in examples/ runs in `designer_host.workflow` against the emulator, each
tool in its own plugin process over the SDK's gRPC protocol, and its Browse tools show what the
example promises. The committed `.yxmd` files are what the generator writes today (no drift).
"""

from __future__ import annotations

import importlib.util
import json
import os
import sys
import xml.etree.ElementTree as ET
from pathlib import Path
from typing import Any

import pytest

from designer_host.workflow import (
    KEY_PLACEHOLDER,
    OUTPUT_FOLDER_PLACEHOLDER,
    TARGET_KEY_PLACEHOLDER,
    Workflow,
    WorkflowRun,
    parse_workflow,
    run_workflow,
)

ROOT = Path(__file__).resolve().parents[2]
EXAMPLES = ROOT / "examples"
WF_SUCCESS = "6101a0b0c0d0e0f0a0b0c001"
WF_APP = "6101a0b0c0d0e0f0a0b0c004"
ARTISAN_ID = "6001a0b0c0d0e0f0a0b0c002"
# The plugins' interpreter (Designer embeds 3.13 or 3.10): EXAMPLES_PYTHON=.venv-3.10/bin/python
PLUGIN_PYTHON = os.environ.get("EXAMPLES_PYTHON", sys.executable)


class Ran:
    """One example's run: its Browse tables by annotation."""

    def __init__(self, wf: Workflow, run: WorkflowRun) -> None:
        self.wf, self.run = wf, run

    def rows(self, annotation: str) -> list[dict[str, Any]]:
        for tid, table in self.run.browse.items():
            if self.wf.nodes[tid].annotation == annotation:
                return list(table.to_pylist())
        raise AssertionError(f"no Browse {annotation!r} in {self.wf.name}")

    def tool_config(self, annotation: str) -> dict[str, str]:
        for node in self.wf.nodes.values():
            if node.annotation == annotation:
                return {child.tag: child.text or "" for child in node.config}
        raise AssertionError(f"no tool {annotation!r}")


def run_example(name: str, emu: Any, tmp_path: Path, target: Any = None,
                role: str = "Curator", overrides: dict[str, str] | None = None,
                check: bool = True) -> Ran:
    wf = parse_workflow((EXAMPLES / f"{name}.yxmd").read_text(encoding="utf-8"))
    user = emu.user(role)
    servers = {KEY_PLACEHOLDER: (emu.webapi_url, user.api_key, user.api_secret)}
    if target is not None:
        tuser = target.user("Curator")
        servers[TARGET_KEY_PLACEHOLDER] = (target.webapi_url, tuser.api_key, tuser.api_secret)
    run = run_workflow(wf, servers=servers, python=PLUGIN_PYTHON,
                       values={OUTPUT_FOLDER_PLACEHOLDER: str(tmp_path / "outputs"),
                               **(overrides or {})},
                       timeout=120)
    assert not check or not run.errors(), run.errors()
    return Ran(wf, run)


def _generator() -> Any:
    spec = importlib.util.spec_from_file_location("build_examples",
                                                  EXAMPLES / "build_examples.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules.setdefault("build_examples", module)  # dataclasses look their module up
    spec.loader.exec_module(module)
    return module


def test_the_committed_examples_are_what_the_generator_writes() -> None:
    build_examples = _generator()

    for make in build_examples.EXAMPLES:
        ex = make()
        saved = (EXAMPLES / f"{ex.name}.yxmd").read_text(encoding="utf-8")
        assert saved == ex.to_yxmd(), (
            f"{ex.name}.yxmd drifted from the tools' models: run python examples/build_examples.py")
        ET.fromstring(saved)  # well-formed
    listed = json.loads((EXAMPLES / "examples.json").read_text(encoding="utf-8"))
    assert [e["name"] for e in listed] == [m().name for m in build_examples.EXAMPLES]


def test_01_app_per_row_runs_one_job_per_row_with_its_answers(emulator: Any,
                                                              tmp_path: Path) -> None:
    ran = run_example("01-app-per-row", emulator, tmp_path)
    ok = ran.rows("Jobs that succeeded")
    assert [(r["Region"], r["Size"]) for r in ok] == [("North", "S"), ("South", "M"),
                                                      ("East", "L")]
    assert {(r["JobStatus"], r["Disposition"], r["WorkflowId"]) for r in ok} == {
        ("Completed", "Success", WF_APP)}
    assert len({r["JobId"] for r in ok}) == 3
    assert ran.rows("Jobs that failed") == []
    assert emulator.counters.jobs_created == 3
    assert "AccessToken" not in ok[0]


def test_02_sequential_chain_stops_at_the_first_failure(emulator: Any, tmp_path: Path) -> None:
    ran = run_example("02-sequential-chain", emulator, tmp_path)
    assert ran.rows("A failed") == []
    failed_b = ran.rows("B failed")
    assert len(failed_b) == 1 and failed_b[0]["Step"] == "Nightly chain"
    assert "Error" in (failed_b[0]["Error"] or "") or failed_b[0]["Error Detail"]
    assert ran.rows("C failed") == []
    assert ran.rows("Chain finished") == []
    assert emulator.counters.jobs_created == 2  # C never started


def test_03_run_wait_download_then_read_the_output(emulator: Any, tmp_path: Path) -> None:
    ran = run_example("03-run-and-use-outputs", emulator, tmp_path)
    assert ran.rows("Run failed") == []
    rows = ran.rows("The job's output")
    assert [r["Region"] for r in rows] == ["North", "South", "East", "West"]
    assert all(Path(r["FileName"]).is_relative_to(tmp_path / "outputs") for r in rows)


def test_04_dependency_plan(emulator: Any, tmp_path: Path) -> None:
    ran = run_example("04-dependency-plan", emulator, tmp_path)
    ok = {r["Step"] for r in ran.rows("Steps that succeeded")}
    bad = {r["Step"] for r in ran.rows("Steps that failed or were skipped")}
    assert ok | bad == {"Load", "Check", "Report", "Archive", "Broken", "After broken"}
    assert "Broken" in bad and {"Load", "Check", "Report", "Archive"} <= ok
    if ran.tool_config("Run the plan" if _has(ran, "Run the plan") else "Run every step").get(
            "mode") == "plan":
        assert "After broken" in bad  # skipped: its dependency failed
        assert emulator.counters.jobs_created == 5
    else:
        assert "After broken" in ok


def _has(ran: Ran, annotation: str) -> bool:
    return any(n.annotation == annotation for n in ran.wf.nodes.values())


def test_05_bulk_admin_creates_a_collection_and_fills_it(emulator: Any, tmp_path: Path) -> None:
    ran = run_example("05-bulk-admin", emulator, tmp_path)
    assert ran.rows("Not added") == [] and ran.rows("Workflows not added") == []
    users = ran.rows("Added")
    workflows = ran.rows("Workflows added")
    assert [r["userId"] for r in users] == [ARTISAN_ID, "6001a0b0c0d0e0f0a0b0c004"]
    assert [r["workflowId"] for r in workflows] == [WF_SUCCESS, WF_APP]
    collection_id = json.loads(workflows[-1]["Response"])["id"]
    from ayx_plugins.server_api import ServerClient

    user = emulator.user("Curator")
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret) as client:
        collection = client.request_json("GET", f"v3/collections/{collection_id}")
    assert collection["name"] == "Finance Reports"
    assert set(collection["workflowIds"]) == {WF_SUCCESS, WF_APP}
    assert {u.get("userId", u.get("id")) for u in collection.get("users", [])} >= {ARTISAN_ID}


def test_06_migrate_copies_packages_to_the_target_server(emulator: Any, tmp_path: Path) -> None:
    from ayx_server_emulator import EmulatorServer

    with EmulatorServer() as target:
        before = len(_workflows(target))
        ran = run_example("06-migrate-workflows", emulator, tmp_path, target=target)
        assert ran.rows("Not downloaded") == []
        assert ran.rows("Not published") == []
        published = ran.rows("Published")
        assert [r["name"] for r in published] == ["Emulator Success (copy)",
                                                  "Emulator Warning (copy)"]
        names = {w["name"] for w in _workflows(target)}
        assert len(names) >= before + 2 and "Emulator Warning (copy)" in names


def _workflows(emu: Any) -> list[dict[str, Any]]:
    from ayx_plugins.server_api import ServerClient

    user = emu.user("Curator")
    with ServerClient(emu.webapi_url, user.api_key, user.api_secret) as client:
        return list(client.request_json("GET", "v3/workflows"))


@pytest.mark.emulator_config(job_timing="manual")
def test_07_cancel_jobs_running_too_long(emulator: Any, tmp_path: Path) -> None:
    from ayx_plugins.server_api import ServerClient, get_job, start_job

    user = emulator.user("Curator")
    with ServerClient(emulator.webapi_url, user.api_key, user.api_secret) as client:
        jobs = [start_job(client, WF_SUCCESS).id for _ in range(2)]
        emulator.step_jobs()  # Queued -> Running; manual timing keeps them there
        # N minutes become one second, polled every 0.2 s, so the test stays short
        ran = run_example("07-cancel-long-jobs", emulator, tmp_path, overrides={
            "<waitTimeoutSeconds>600</waitTimeoutSeconds>":
                "<waitTimeoutSeconds>1</waitTimeoutSeconds>",
            "<pollSeconds>30</pollSeconds>": "<pollSeconds>0.2</pollSeconds>"}, check=False)
        assert not ran.run.errors(), ran.run.errors()
        cancelled = ran.rows("Cancelled")
        assert sorted(r["jobId"] for r in cancelled) == sorted(jobs)
        assert {get_job(client, j).status for j in jobs} == {"Cancelled"}


def test_every_example_has_its_picture_and_section_and_every_tool_its_help_page() -> None:
    from ayx_plugins.tools.specs import TOOLS

    docs = (ROOT / "docs" / "examples.md").read_text(encoding="utf-8")
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    for path in sorted(EXAMPLES.glob("*.yxmd")):
        picture = ROOT / "docs" / "img" / "examples" / f"{path.stem}.png"
        assert picture.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n", picture
        assert f"img/examples/{path.stem}.png" in docs and path.stem in readme
    for tool in TOOLS:
        page = (ROOT / "docs" / "tools" / f"{tool.class_name}.md").read_text(encoding="utf-8")
        assert page.startswith(f"# {tool.display_name}\n") and "## Errors you may see" in page
