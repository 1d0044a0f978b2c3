"""Each built panel in headless Chromium at Designer's width, inside a page playing Designer: the
layout, a user's clicks, the configuration Designer would save (secret encrypted), and the real
tools running what Designer's Json.NET step makes of it."""

from __future__ import annotations

import json
import re
import sys
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

from ayx_plugins.tools import config as C
from ayx_plugins.tools.specs import TOOLS
from designer_host import decrypt, encrypt, run_tool
from tests.ui.conftest import ARTIFACTS, AUTH_FIELDS, SHAPES

WF_OK = "6101a0b0c0d0e0f0a0b0c001"  # a seeded workflow of the emulator that succeeds
WF_APP = "6101a0b0c0d0e0f0a0b0c004"  # the seeded analytic app (questions Region, Size)
SECRET = "s3cr€t-Ünïcode-value"
# Runner and the request tools must show their default view within one screen (issue 16).
MAX_HEIGHT = 900
HEIGHTS: dict[str, dict[str, int]] = {}


def accepted(tool: str, saved: dict[str, Any], **expected: Any) -> C.ConnectionConfig:
    """parse_config takes the saved configuration as sent and as the tool gets it through
    Designer's Json.NET step, with the clicked values."""
    schema_keys = set(C.TOOL_CONFIGS[tool].model_fields)
    assert set(saved) - {"Secrets"} == schema_keys, "the panel writes exactly the model's fields"
    for key, value in saved.items():  # the team's Json.NET contract: lists and maps as JSON text
        assert not isinstance(value, (list, dict)) or key == "Secrets", key
    parsed = None
    for shape, convert in SHAPES.items():
        parsed = C.parse_config(tool, convert(saved))
        for key, value in expected.items():
            assert getattr(parsed, key) == value, (shape, key, getattr(parsed, key))
    assert parsed is not None
    return parsed


def secret_of(saved: dict[str, Any]) -> str:
    """The saved secret: encrypted by the host, decryptable by the tool, never plain."""
    entry = saved["Secrets"][C.SECRET_KEY]
    assert entry["encrypted"] is True and entry["encryptionMode"] == "obfuscation"
    assert SECRET not in json.dumps(saved, ensure_ascii=False)
    for shape, convert in SHAPES.items():
        text = C.secret_text(convert(saved))
        assert text is not None and decrypt(text) == SECRET, shape
    return str(entry["text"])


def run(tool: str, saved: dict[str, Any], table: pa.Table | None = None, **kw: Any) -> Any:
    """The real tool out of process (designer_host), given the panel's saved model, which the
    host turns into the tool's XML with Designer's Json.NET rules."""
    inputs = kw.pop("inputs", None) or ({"Input": table} if table is not None else {})
    result = run_tool(tool, saved, inputs, secrets=decrypt, python=sys.executable, timeout=90,
                      **kw)
    assert result.completed, result.log[-3000:]
    assert [m for m in result.messages if m[0] == "error"] == [], result.messages
    return result


@pytest.fixture(scope="module", autouse=True)
def _record_heights() -> Any:
    yield
    if HEIGHTS:
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        (ARTIFACTS / "heights.json").write_text(json.dumps(HEIGHTS, indent=1, sort_keys=True))


@pytest.mark.parametrize("width", [340, 300])
@pytest.mark.parametrize("tool", [t.class_name for t in TOOLS])
def test_every_panel_fits_designer_width_and_starts_without_errors(open_panel, ui_dist, tool,
                                                                   width):
    assert (ui_dist / tool / "index.html").is_file() and (ui_dist / tool / "app.js").is_file()
    panel = open_panel(tool, width=width).open()
    layout = panel.layout()
    HEIGHTS.setdefault(tool, {})[str(width)] = layout["height"]
    assert layout["scrollWidth"] <= width and layout["wide"] == [], layout
    assert layout["errors"] == 0, "a pristine panel shows no error before the user acts"
    problems = panel.problems()
    assert problems, "the summary still says what is missing"
    if tool != "ServerAuthenticate":
        assert "Enter the Server URL" in problems and "Enter the API secret" in problems
    if width == 340:
        assert layout["height"] <= MAX_HEIGHT, layout["height"]
        panel.screenshot(f"{tool}-default")
    panel.expand("Advanced")
    assert panel.layout()["wide"] == []
    saved = panel.save()
    parsed = accepted(tool, saved)
    assert parsed == C.TOOL_CONFIGS[tool]()  # untouched: exactly the model's defaults
    assert "Secrets" not in saved or not C.secret_text(saved)


def test_built_panels_carry_no_build_machine_path(ui_dist):
    for tool in TOOLS:
        for f in (ui_dist / tool.class_name).iterdir():
            text = f.read_text(encoding="utf-8", errors="replace")
            assert str(ui_dist.parent.parent) not in text and "node_modules/" not in text, f


def test_every_query_parameter_path_and_form_value_has_a_label_in_words(open_panel):
    panel = open_panel("ServerGet").open()
    found = panel.page.evaluate("""() => {
        const { paramInfo, endpoints } = window.AyxServerToolsPanel;
        const out = [];
        Object.values(endpoints).flat().forEach((ep) => {
            const names = ep.query.concat(ep.form).map((p) => p.name).concat(ep.pathParams);
            names.forEach((n) => out.push({ op: ep.name, name: n, label: paramInfo(n).label }));
            out.push({ op: ep.name, name: '(summary)', label: ep.summary });
        });
        return out;
    }""")
    ops = {f["op"] for f in found}
    assert len(ops) > 80 and len(found) > 200
    for item in found:
        text = item["label"]
        assert text and text != item["name"], item
        assert not any(op in text for op in ops), item  # never an operation id
        assert not re.search(r"[a-z][A-Z]", text), item  # no camelCase API name


def test_authenticate_panel_saves_an_encrypted_secret_the_tool_logs_in_with(open_panel,
                                                                            emulator):
    user = emulator.user("Curator")
    panel = open_panel("ServerAuthenticate").open()
    assert "not strong encryption" in panel.page.inner_text("#app")
    panel.fill("Server URL", "ftp://nope")
    assert "The Server URL must start with http:// or https://" in panel.problems()
    assert panel.layout()["errors"] > 0  # touched: now the field says so too
    panel.fill("Server URL", emulator.url)
    panel.fill("API key", user.api_key)
    panel.fill("API secret", SECRET)
    panel.expand("Advanced")
    panel.select("Authentication", "oauth2")
    failing = panel.page.get_by_label("When a record fails", exact=True)
    assert failing.locator("option").count() == 3
    panel.select("When a record fails", "error")
    panel.fill("Requests at the same time", "40")
    assert "Requests at the same time must be at most 32" in panel.problems()
    panel.fill("Requests at the same time", "3")
    assert panel.problems() == []
    saved = panel.save()
    assert panel.host("encrypts") == 1
    accepted("ServerAuthenticate", saved, serverUrl=emulator.url, apiKey=user.api_key,
             authType="oauth2", concurrency=3, source="configured", onRecordFailure="error")
    secret_of(saved)

    # The tool really logs in with what the panel saved: the emulator's secret, typed and
    # encrypted by the page's host, reaches Python encrypted and decrypts right.
    panel.fill("API secret", user.api_secret)
    saved = panel.save()
    assert decrypt(saved["Secrets"][C.SECRET_KEY]["text"]) == user.api_secret
    result = run("ServerAuthenticate", saved)
    assert result.outputs["Success"].column("AccessToken")[0].as_py()
    assert result.decrypt_requests == 1


def test_authenticate_panel_per_record_credentials_and_dcm(open_panel):
    fields = [("Url", "V_WString"), ("Key", "V_WString"), ("Secret", "V_WString"),
              ("Count", "Int32")]
    panel = open_panel("ServerAuthenticate").open(fields=fields)
    panel.select("Connect to the Server", "fields")
    assert "Choose the field holding the API key" in panel.problems()
    options = panel.page.get_by_label("API key field", exact=True).locator("option")
    assert "Count (Int32)" not in options.all_inner_texts()  # only text fields fit
    panel.select("Server URL field", "Url")
    panel.select("API key field", "Key")
    panel.select("API secret field", "Secret")
    assert panel.problems() == []
    panel.screenshot("ServerAuthenticate-per-record")
    accepted("ServerAuthenticate", panel.save(), source="fields", urlField="Url",
             keyField="Key", secretField="Secret")
    panel.select("Connect to the Server", "dcm")
    assert "Enter the DCM connection ID" in panel.problems()
    panel.fill("DCM connection ID", " 5b6c-dcm-id ")
    assert panel.problems() == []
    assert "Allow connection for SDK" in panel.page.inner_text("#app")
    accepted("ServerAuthenticate", panel.save(), source="dcm", dcmConnectionId="5b6c-dcm-id")


def test_runner_and_job_status_panels_drive_the_real_tools(open_panel, emulator):
    user = emulator.user("Curator")
    fields = [*AUTH_FIELDS, ("Wf", "V_String"), ("Sales Region", "V_String"),
              ("Size", "Int32")]
    panel = open_panel("ServerRunner").open(fields=fields)
    panel.fill("Server URL", emulator.url)
    panel.fill("API key", user.api_key)
    panel.fill("API secret", user.api_secret)
    assert "Enter the workflow (ID, Gallery URL or name) or choose the field that holds it" in \
        panel.problems()
    panel.select("Workflow to run", "field")
    panel.select("Workflow field", "Wf")
    panel.select("Analytic app questions", "fields")
    assert "Tick at least one field to send as a question" in panel.problems()
    checklist = panel.page.locator('[aria-labelledby="questionFields-label"]').inner_text()
    assert "AccessToken" not in checklist and "ServerUrl" not in checklist
    panel.check("Sales Region")
    panel.fill("Question name for Sales Region", "Region")  # a key with a space: Json.NET-safe
    panel.check("Size")
    panel.check("Download the job's outputs")
    assert "Enter the folder to download outputs into" in panel.problems()
    panel.check("Download the job's outputs", False)
    panel.expand("Advanced")
    panel.fill("Poll every (seconds)", "")
    assert "Waiting for the job needs a poll interval" in panel.problems()
    panel.fill("Poll every (seconds)", "0.05")
    panel.fill("Wait up to (seconds)", "0.01")
    assert "The timeout must be at least one poll interval" in panel.problems()
    panel.fill("Wait up to (seconds)", "60")
    panel.select("Job priority", "High")
    assert panel.problems() == []
    panel.screenshot()
    saved = panel.save()
    accepted("ServerRunner", saved, source="configured", workflowField="Wf", workflow="",
             questionsMode="fields", questionFields=["Sales Region", "Size"],
             questionNames={"Sales Region": "Region"}, wait=True, pollSeconds=0.05,
             waitTimeoutSeconds=60.0, priority="High")

    table = pa.table({"Wf": [WF_APP, WF_APP], "Sales Region": ["EU", "US"],
                      "Size": pa.array([10, 1000], pa.int32())})
    ran = run("ServerRunner", saved, table)
    ok = ran.outputs["Success"]
    assert ok.num_rows == 2 and ok.column("Disposition").to_pylist() == ["Success"] * 2
    with emulator.state.lock:
        answers = [emulator.state.jobs[j]["_answers"] for j in ok.column("JobId").to_pylist()]
    assert [(a["Region"], a["Size"]) for a in answers] == [("EU", "10"), ("US", "1000")]

    # Job Status takes its connection from Server Authenticate on the Connection anchor.
    auth = run("ServerAuthenticate", {
        "serverUrl": emulator.url, "apiKey": user.api_key, "Secrets": {C.SECRET_KEY: {
            "text": encrypt(user.api_secret), "encryptionMode": "obfuscation", "encrypted": True}}})
    status_panel = open_panel("ServerJobStatus").open(
        fields=[(f.name, "V_WString") for f in ok.schema], connection=AUTH_FIELDS)
    status_panel.select("Connect to the Server", "anchor")
    status_panel.select("Job ID field", "JobId")
    assert status_panel.problems() == []
    status_panel.screenshot()
    status_saved = status_panel.save()
    accepted("ServerJobStatus", status_saved, source="anchor", jobIdField="JobId")
    status = run("ServerJobStatus", status_saved,
                 inputs={"Input": ok, "Connection": auth.outputs["Success"]})
    assert status.outputs["Success"].column("JobStatus").to_pylist() == ["Completed"] * 2
    assert "AccessToken" not in status.outputs["Success"].column_names


def test_connection_anchor_without_authenticate_fields_is_flagged(open_panel):
    panel = open_panel("ServerJobStatus").open(fields=[("JobId", "V_String")],
                                               connection=[("Something", "V_String")])
    panel.select("Connect to the Server", "anchor")
    assert any("Connection input has no ServerUrl or AccessToken" in p for p in panel.problems())
    assert "Enter the Server URL" not in panel.problems()
    unwired = open_panel("ServerJobStatus").open(fields=[("JobId", "V_String")])
    unwired.select("Connect to the Server", "anchor")
    assert "Connect Server Authenticate's Success output to this tool's Connection (C) input" \
        in unwired.problems()


def test_reopening_a_saved_configuration_shows_and_resaves_the_same_values(open_panel):
    fields = [("Wf", "V_String"), ("A b", "V_String"), ("B", "V_String")]
    first = open_panel("ServerRunner").open(fields=fields)
    first.fill("Server URL", "https://server.example.com")
    first.fill("API key", "key-1")
    first.fill("API secret", SECRET)
    first.fill("Workflow", WF_OK)
    first.select("Analytic app questions", "fields")
    first.check("B")
    first.check("A b")
    first.fill("Question name for A b", "Region")
    saved = first.save()
    assert json.loads(saved["questionFields"]) == ["A b", "B"]  # metadata order, not clicks

    # Designer hands back what its XML holds: the SDK's reading of the Json.NET XML.
    reopened = open_panel("ServerRunner").open(SHAPES["designer"](saved), fields=fields)
    assert reopened.host("decrypts") == 1
    page = reopened.page
    assert page.get_by_label("Server URL", exact=True).input_value() == "https://server.example.com"
    assert page.get_by_label("API secret", exact=True).input_value() == SECRET
    assert page.get_by_label("A b", exact=True).is_checked()
    assert page.get_by_label("Question name for A b", exact=True).input_value() == "Region"
    assert reopened.problems() == []
    again = reopened.save()
    assert {k: v for k, v in again.items() if k != "Secrets"} == {
        k: v for k, v in saved.items() if k != "Secrets"}
    assert decrypt(again["Secrets"][C.SECRET_KEY]["text"]) == SECRET


def test_runner_plan_mode_offers_step_fields(open_panel):
    fields = [("Step", "V_String"), ("Workflow", "V_String"), ("DependsOn", "V_String")]
    panel = open_panel("ServerRunner").open(fields=fields)
    panel.select("Run", "plan")
    panel.select("Workflow field", "Workflow")
    assert not any("step" in p.lower() for p in panel.problems())
    panel.expand("Advanced")
    panel.fill("Max jobs at once", "3")
    saved = panel.save()
    accepted("ServerRunner", saved, mode="plan", stepField="Step", dependsOnField="DependsOn",
             workflowField="Workflow", maxInFlight=3)


def test_screenshots_for_the_readme_are_340_px(ui_dist):
    shots = sorted(Path(ARTIFACTS).glob("*-default.png"))
    for shot in shots:
        with shot.open("rb") as fh:
            head = fh.read(24)
        assert int.from_bytes(head[16:20], "big") == 340, shot
