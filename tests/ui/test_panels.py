"""Each built panel in headless Chromium, inside a page playing Designer: a user's clicks, the
configuration Designer would save (secret encrypted), and the Python side accepting it."""

from __future__ import annotations

import json
import sys
from typing import Any

import pyarrow as pa
import pytest

from ayx_plugins.tools import config as C
from ayx_plugins.tools.specs import TOOLS
from designer_host import decrypt, encrypt, run_tool
from tests.ui.conftest import AUTH_FIELDS, SHAPES, to_xml

WF_OK = "6101a0b0c0d0e0f0a0b0c001"  # a seeded workflow of the emulator that succeeds
SECRET = "s3cr€t-Ünïcode-value"


def accepted(tool: str, saved: dict[str, Any], **expected: Any) -> C.ConnectionConfig:
    """parse_config takes the saved configuration in every shape, with the clicked values."""
    schema_keys = set(C.TOOL_CONFIGS[tool].model_fields)
    assert set(saved) - {"Secrets"} == schema_keys, "the panel writes exactly the model's fields"
    parsed = None
    for shape, convert in SHAPES.items():
        cfg = convert(saved)
        parsed = C.parse_config(tool, cfg)
        for key, value in expected.items():
            assert getattr(parsed, key) == value, (shape, key)
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


def run(tool: str, saved: dict[str, Any], table: pa.Table | None = None) -> Any:
    """The real tool out of process (designer_host), with the saved configuration as XML."""
    result = run_tool(tool, to_xml(saved), {"Input": table} if table is not None else {},
                      secrets=decrypt, python=sys.executable, timeout=90)
    assert result.completed, result.log[-3000:]
    assert result.errors == []
    return result


@pytest.mark.parametrize("tool", [t.class_name for t in TOOLS])
def test_each_panel_opens_with_defaults_and_lists_what_is_missing(open_panel, ui_dist, tool):
    assert (ui_dist / tool / "index.html").is_file() and (ui_dist / tool / "app.js").is_file()
    panel = open_panel(tool).open()
    problems = panel.problems()
    assert problems, "an unconfigured tool must say what is missing"
    if tool != "ServerAuthenticate":
        assert "Enter the Server URL" in problems and "Enter the API secret" in problems
    saved = panel.save()
    parsed = accepted(tool, saved)
    assert parsed == C.TOOL_CONFIGS[tool]()  # untouched: exactly the model's defaults
    assert "Secrets" not in saved or not C.secret_text(saved)


def test_built_panels_carry_no_build_machine_path(ui_dist):
    for tool in TOOLS:
        for f in (ui_dist / tool.class_name).iterdir():
            text = f.read_text(encoding="utf-8", errors="replace")
            assert str(ui_dist.parent.parent) not in text and "node_modules/" not in text, f


def test_authenticate_panel_saves_an_encrypted_secret_the_tool_logs_in_with(open_panel,
                                                                            emulator):
    user = emulator.user("Curator")
    panel = open_panel("ServerAuthenticate").open()
    panel.fill("Server URL", "ftp://nope")
    assert "The Server URL must start with http:// or https://" in panel.problems()
    panel.fill("Server URL", emulator.url)
    panel.select("Authentication", "oauth2")
    panel.fill("API key", user.api_key)
    panel.fill("API secret", SECRET)
    panel.fill("Concurrent requests", "40")
    assert "Concurrent requests must be at most 32" in panel.problems()
    panel.fill("Concurrent requests", "3")
    assert panel.problems() == []
    panel.screenshot()
    saved = panel.save()
    assert panel.host("encrypts") == 1
    accepted("ServerAuthenticate", saved, serverUrl=emulator.url, apiKey=user.api_key,
             authType="oauth2", concurrency=3, source="configured")
    secret_of(saved)

    # The tool really logs in with what the panel saved: the emulator's secret, typed and
    # encrypted by the page's host, reaches Python encrypted and decrypts right.
    panel.fill("API secret", user.api_secret)
    saved = panel.save()
    assert decrypt(saved["Secrets"][C.SECRET_KEY]["text"]) == user.api_secret
    result = run("ServerAuthenticate", saved)
    assert result.outputs["Success"].column("AccessToken")[0].as_py()
    assert result.decrypt_requests == 1


def test_authenticate_panel_per_record_credentials(open_panel):
    fields = [("Url", "V_WString"), ("Key", "V_WString"), ("Secret", "V_WString")]
    panel = open_panel("ServerAuthenticate").open(fields=fields)
    panel.check("From input fields (one login per record)")
    assert "Choose the field holding the API key" in panel.problems()
    panel.select("Server URL field", "Url")
    panel.select("API key field", "Key")
    panel.select("API secret field", "Secret")
    assert panel.problems() == []
    panel.screenshot("ServerAuthenticate-per-record")
    accepted("ServerAuthenticate", panel.save(), source="incoming", urlField="Url",
             keyField="Key", secretField="Secret")


def test_runner_and_job_status_panels_drive_the_real_tools(open_panel, emulator):
    user = emulator.user("Curator")
    auth = run("ServerAuthenticate", {
        "serverUrl": emulator.url, "apiKey": user.api_key, "Secrets": {C.SECRET_KEY: {
            "text": encrypt(user.api_secret), "encryptionMode": "obfuscation", "encrypted": True}}})
    tokens = auth.outputs["Success"]
    fields = [*AUTH_FIELDS, ("Wf", "V_String"), ("Region", "V_String")]

    panel = open_panel("ServerRunner").open(fields=fields)
    panel.check("Use the incoming Authenticate fields (token from Server Authenticate)")
    assert "Enter a workflow ID or choose the field that holds it" in panel.problems()
    panel.check("The workflow ID in a field of each record")
    panel.select("Workflow ID field", "Wf")
    panel.check("One question per chosen field")
    assert "Tick at least one field to send as a question" in panel.problems()
    panel.check("Region")
    panel.fill("Question name for Region", "region")
    panel.check("Download the job's outputs")
    assert 'Downloading outputs needs "Wait for the job to finish"' in panel.problems()
    panel.check("Download the job's outputs", False)
    panel.check("Wait for the job to finish")
    panel.fill("Poll every (seconds)", "")
    assert "Waiting for the job needs a poll interval" in panel.problems()
    panel.fill("Poll every (seconds)", "0.05")
    panel.fill("Give up after (seconds)", "0.01")
    assert "The timeout must be at least one poll interval" in panel.problems()
    panel.fill("Give up after (seconds)", "60")
    panel.select("Priority", "High")
    panel.fill("Concurrent requests", "2")
    assert panel.problems() == []
    panel.screenshot()
    saved = panel.save()
    accepted("ServerRunner", saved, source="incoming", workflowIdField="Wf", workflowId="",
             questionsMode="fields", questionFields=["Region"],
             questionNames={"Region": "region"}, wait=True, pollSeconds=0.05,
             waitTimeoutSeconds=60.0, priority="High", concurrency=2)
    assert "Secrets" not in saved or not C.secret_text(saved)

    table = pa.concat_tables([tokens, tokens]).append_column(
        "Wf", pa.array([WF_OK, WF_OK])).append_column("Region", pa.array(["EU", "US"]))
    ran = run("ServerRunner", saved, table)
    ok = ran.outputs["Success"]
    assert ok.num_rows == 2 and ok.column("Disposition").to_pylist() == ["Success"] * 2

    status_panel = open_panel("ServerJobStatus").open(
        fields=[(f.name, "V_WString") for f in ok.schema])
    status_panel.check("Use the incoming Authenticate fields (token from Server Authenticate)")
    status_panel.select("Job ID field", "JobId")
    assert status_panel.problems() == []
    status_panel.screenshot()
    status_saved = status_panel.save()
    accepted("ServerJobStatus", status_saved, source="incoming", jobIdField="JobId")
    status = run("ServerJobStatus", status_saved, ok)
    assert status.outputs["Success"].column("JobStatus").to_pylist() == ["Completed"] * 2


def test_get_panel_endpoint_picker_and_path_parameter_drive_the_real_tool(open_panel, emulator):
    user = emulator.user("Curator")
    panel = open_panel("ServerGet").open(fields=[("Wf", "V_String"), ("Note", "V_String")])
    picker = panel.page.get_by_label("GET endpoint", exact=True)
    options = picker.locator("option").all_inner_texts()
    assert any("(workflows_get_workflow)" in o for o in options)
    assert not any("workflows_delete_workflow" in o for o in options)  # filtered by method
    panel.fill("Server URL", emulator.url)
    panel.fill("API key", user.api_key)
    panel.fill("API secret", SECRET)
    secret_of(panel.save())
    panel.fill("API secret", user.api_secret)
    panel.select("GET endpoint", "workflows_get_workflow")
    assert "Choose the field for the path parameter {workflowId}" in panel.problems()
    panel.select("{workflowId} from field", "Wf")
    assert panel.problems() == []
    panel.screenshot()
    saved = panel.save()
    accepted("ServerGet", saved, endpoint="workflows_get_workflow",
             path="v3/workflows/{workflowId}", pathParamFields={"workflowId": "Wf"},
             bodyMode="none")
    result = run("ServerGet", saved, pa.table({"Wf": [WF_OK], "Note": ["x"]}))
    row = result.outputs["Success"].to_pylist()
    assert len(row) == 1 and row[0]["Note"] == "x"
    assert any(WF_OK in str(v) for k, v in row[0].items() if k not in ("Wf", "Note"))


@pytest.mark.parametrize(("tool", "endpoint"), [
    ("ServerPost", "collections_create_collection"),
    ("ServerPut", "workflows_update_workflow"),
    ("ServerDelete", "workflows_delete_workflow"),
])
def test_write_method_panels(open_panel, tool, endpoint):
    method = {"ServerPost": "POST", "ServerPut": "PUT", "ServerDelete": "DELETE"}[tool]
    fields = [("Token", "V_WString"), *AUTH_FIELDS, ("Wf", "V_String"), ("Body", "V_WString")]
    panel = open_panel(tool).open(fields=fields)
    panel.check("Use the incoming Authenticate fields (token from Server Authenticate)")
    panel.select(f"{method} endpoint", endpoint)
    expected: dict[str, Any] = {"endpoint": endpoint, "source": "incoming"}
    if "{workflowId}" in panel.page.get_by_label("Path", exact=True).input_value():
        panel.select("{workflowId} from field", "Wf")
        expected["pathParamFields"] = {"workflowId": "Wf"}
    if method == "DELETE":
        assert panel.page.get_by_label("Request body", exact=True).count() == 0
        panel.select("Query force", "fixed")
        panel.fill("Value of force", "true")
        expected.update(queryFixed={"force": "true"}, bodyMode="none")
    else:
        panel.select("Request body", "none")
        assert "This endpoint needs a request body" in panel.problems()
        panel.select("Request body", "jsonField")
        assert "Choose the field holding the JSON body" in panel.problems()
        panel.select("Body JSON field", "Body")
        expected.update(bodyMode="jsonField", bodyField="Body")
    assert panel.problems() == []
    panel.screenshot()
    accepted(tool, panel.save(), **expected)


def test_reopening_a_saved_xml_configuration_shows_and_resaves_the_same_values(open_panel):
    fields = [*AUTH_FIELDS, ("Wf", "V_String"), ("A", "V_String"), ("B", "V_String")]
    first = open_panel("ServerRunner").open(fields=fields)
    first.fill("Server URL", "https://server.example.com")
    first.fill("API key", "key-1")
    first.fill("API secret", SECRET)
    first.fill("Workflow ID", WF_OK)
    first.check("One question per chosen field")
    first.check("B")
    first.check("A")
    first.check("Wait for the job to finish")
    saved = first.save()
    assert saved["questionFields"] == ["A", "B"]  # metadata order, not click order

    # Designer hands the XML back as text: strings, "True", {"item": [...]}, empty -> None.
    reopened = open_panel("ServerRunner").open(SHAPES["xml"](saved), fields=fields)
    assert reopened.host("decrypts") == 1
    page = reopened.page
    assert page.get_by_label("Server URL", exact=True).input_value() == "https://server.example.com"
    assert page.get_by_label("API secret", exact=True).input_value() == SECRET
    assert page.get_by_label("Wait for the job to finish", exact=True).is_checked()
    assert page.get_by_label("A", exact=True).is_checked()
    assert reopened.problems() == []
    again = reopened.save()
    assert {k: v for k, v in again.items() if k != "Secrets"} == {
        k: v for k, v in saved.items() if k != "Secrets"}
    assert decrypt(again["Secrets"][C.SECRET_KEY]["text"]) == SECRET


def test_incoming_mode_needs_the_authenticate_fields(open_panel):
    panel = open_panel("ServerJobStatus").open(fields=[("JobId", "V_String")])
    panel.check("Use the incoming Authenticate fields (token from Server Authenticate)")
    assert any("no ServerUrl or AccessToken field" in p for p in panel.problems())
    assert "Enter the Server URL" not in panel.problems()


def test_post_multipart_upload_maps_the_file_and_form_values_to_fields(open_panel):
    forms = ["name", "ownerId", "isPublic", "isReadyForMigration", "othersMayDownload",
             "othersCanExecute", "executionMode", "workflowCredentialType", "comments"]
    fields = [*AUTH_FIELDS, ("Package", "V_WString"), *[(f"F_{f}", "V_WString") for f in forms]]
    panel = open_panel("ServerPost").open(fields=fields)
    panel.check("Use the incoming Authenticate fields (token from Server Authenticate)")
    panel.select("POST endpoint", "workflows_create_workflow")
    assert panel.page.get_by_label("Request body", exact=True).input_value() == "multipart"
    problems = panel.problems()
    assert "Choose the field holding the file path" in problems
    needed = [p.rsplit(" ", 1)[1] for p in problems if p.startswith("The endpoint needs the form")]
    assert "name" in needed and "ownerId" in needed and "comments" not in needed
    panel.select("File path field", "Package")
    for form in needed:
        panel.select(f"Form value {form}", f"F_{form}")
    panel.select("Form value comments", "F_comments")
    panel.select("Form value comments", "")  # back to "(not sent)": the mapping goes away
    assert panel.problems() == []
    accepted("ServerPost", panel.save(), endpoint="workflows_create_workflow",
             bodyMode="multipart", fileField="Package",
             formFields={form: f"F_{form}" for form in needed})
