"""Server GET / POST / PUT / DELETE panels: the endpoint picker in words, parameters fixed or
from fields, body templates, answers saved to files, and "download from dev, publish to prod"
built only in the panels and run by the real tools."""

from __future__ import annotations

import asyncio
import json
import zipfile
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

import pyarrow as pa
import pytest

import ayx_plugins
from ayx_plugins.server_api.catalogue import load_catalogue
from designer_host import panel_config
from designer_host.inprocess import run_inprocess
from tests.ui.test_panels import WF_OK, accepted, run

DOWNLOAD = "Download a copy of an existing workflow package."
PUBLISH = "Upload a new workflow package."


def run_here(tool: str, saved: dict[str, Any], table: pa.Table | None = None,
             **kw: Any) -> pa.Table:
    """The real tool in this process (the SDK's test service), given the panel's saved model
    (through Designer's Json.NET step); its Success table. Faster than a process per run."""
    def in_thread() -> Any:  # Playwright's sync API holds this thread's event loop
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        try:
            return run_inprocess(getattr(ayx_plugins, tool), saved, table, **kw)
        finally:
            asyncio.set_event_loop(None)
            loop.close()

    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(in_thread).result(timeout=120)
    assert result.errors == [] and result.rows("Failure") == [], (result.messages,
                                                                  result.rows("Failure"))
    return result.table("Success")


def connect(panel: Any, emulator: Any) -> None:
    user = emulator.user("Curator")
    panel.fill("Server URL", emulator.url)
    panel.fill("API key", user.api_key)
    panel.fill("API secret", user.api_secret)


def test_endpoint_picker_is_grouped_searchable_and_in_words(open_panel):
    panel = open_panel("ServerGet").open()
    box = panel.page.locator("#endpoint")
    box.click()
    listbox = panel.page.get_by_role("listbox")
    text = listbox.inner_text()
    names = [e.name for e in load_catalogue().all()]
    assert not any(name in text for name in names), "no operation id is shown"
    assert "Retrieve all accessible workflow records." in text and "v3/workflows" in text
    groups = listbox.locator(".MuiAutocomplete-groupLabel").all_inner_texts()
    assert {"Workflows", "Jobs", "Users", "Collections", "Schedules", "Credentials",
            "Server connections", "DCM", "v1 (older API)"} <= set(groups)
    assert all(" DELETE " not in o for o in listbox.locator("li[role=option]").all_inner_texts())
    box.fill("package")
    options = listbox.get_by_role("option").all_inner_texts()
    assert options and all("package" in o.lower() for o in options)
    assert any(DOWNLOAD in o for o in options)
    assert panel.layout()["wide"] == []  # the list fits the pane too
    panel.page.keyboard.press("Escape")


def test_get_query_parameters_are_words_with_drop_downs(open_panel, emulator):
    panel = open_panel("ServerGet").open(fields=[("Owner", "V_String"), ("N", "Int64")])
    connect(panel, emulator)
    panel.pick_endpoint("workflow records", "Retrieve all accessible workflow records.")
    panel.expand("More options (5)")
    detail = panel.page.get_by_label("Detail level", exact=True)
    assert [o for o in detail.locator("option").all_inner_texts()][:3] == [
        "(not sent)", "Default", "Full"]
    panel.select("Detail level", "fixed:Full")
    owners = panel.page.get_by_label("Owner (user ID)", exact=True).locator("option")
    assert "N (Int64)" not in owners.all_inner_texts()  # an id is text, not a number
    assert "Owner (V_String)" in owners.all_inner_texts()
    panel.select("Owner (user ID)", "field:Owner")
    assert panel.problems() == []
    panel.screenshot()
    saved = panel.save()
    accepted("ServerGet", saved, endpoint="workflows_get_workflows",
             queryFixed={"view": "Full"}, queryFields={"ownerId": "Owner"})
    owner = emulator.user("Curator").id
    (row,) = run_here("ServerGet", saved, pa.table({"Owner": [owner], "N": [1]})).to_pylist()
    listed = json.loads(row["Response"])
    assert listed and all(w["ownerId"] == owner for w in listed) and "versions" in listed[0]


def test_download_from_dev_and_publish_to_prod_built_in_the_panels(open_panel, emulator,
                                                                     tmp_path):
    flow_dir = tmp_path / "workflow"
    get = open_panel("ServerGet").open(fields=[("workflowId", "V_String")])
    connect(get, emulator)
    get.pick_endpoint("package", DOWNLOAD)
    assert get.page.get_by_label("Success output", exact=True).input_value() == "file"
    assert get.page.get_by_label("Workflow ID", exact=True).input_value() == "field:workflowId"
    assert "Enter the folder to save the files in" in get.problems()
    get.fill("Save files in folder", "packages")
    get.select("File name", "template")
    assert get.page.get_by_label("File name pattern", exact=True).input_value() == \
        "{workflowId}.yxzp"
    get.fill("File name pattern", "{workflowId}-{nope}.yxzp")
    assert any("{nope}" in p for p in get.problems())
    get.fill("File name pattern", "{workflowId}.yxzp")
    assert get.problems() == []
    get.screenshot()
    got_saved = get.save()
    accepted("ServerGet", got_saved, outputMode="file", fileFolder="packages",
             fileNameTemplate="{workflowId}.yxzp", pathParamFields={"workflowId": "workflowId"})
    got = run("ServerGet", got_saved, pa.table({"workflowId": [WF_OK]}), workflow_dir=flow_dir)
    (row,) = got.outputs["Success"].to_pylist()
    package = flow_dir / "packages" / f"{WF_OK}.yxzp"
    assert Path(row["File Path"]) == package.resolve() and row["File Size"] > 0
    assert zipfile.is_zipfile(package)

    # POST publishes the file; every form value is typed in the panel (no Formula tool).
    owner = emulator.user("Curator").id
    post = open_panel("ServerPost").open(fields=[(f.name, "V_WString")
                                                for f in got.outputs["Success"].schema])
    connect(post, emulator)
    post.pick_endpoint("upload", PUBLISH)
    assert post.page.get_by_label("Request body", exact=True).input_value() == "multipart"
    post.select("File to upload (path field)", "File Path")
    needed = [p.split('"')[1] for p in post.problems() if p.startswith("The endpoint needs")]
    assert {"Name", "Owner (user ID)", "Run mode on Server"} <= set(needed)
    values = {"Name": "Published from dev", "Owner (user ID)": owner,
              "Run mode on Server": "Standard", "Credentials it runs with": "Default",
              "Others may download it": "true"}
    for label in needed:
        control = post.page.get_by_label(label, exact=True)
        offered = control.evaluate("el => [...el.options].map((o) => o.value)")
        choice = values.get(label, "false")
        if f"fixed:{choice}" in offered:  # a known value: one click in the same drop-down
            control.select_option(f"fixed:{choice}")
        else:
            control.select_option("text")
            post.fill(f"{label}: value", choice)
    assert post.problems() == [] and post.layout()["errors"] == 0
    post.screenshot()
    post_saved = post.save()
    parsed = accepted("ServerPost", post_saved, bodyMode="multipart", fileField="File Path")
    assert parsed.formFixed["name"] == "Published from dev" and parsed.formFields == {}
    published = run_here("ServerPost", post_saved, got.outputs["Success"])
    new_id = json.loads(published.column("Response")[0].as_py())

    again = run_here("ServerGet", {**got_saved, "fileNameTemplate": "copy.yxzp",
                                   "pathParamFields": "{}",
                                   "pathParamFixed": json.dumps({"workflowId": new_id})},
                     workflow_dir=flow_dir)
    copy = Path(again.column("File Path")[0].as_py())
    with zipfile.ZipFile(package) as a, zipfile.ZipFile(copy) as b:
        assert {n: a.read(n) for n in a.namelist()} == {n: b.read(n) for n in b.namelist()}


def test_post_body_template_from_the_contract_with_fields_by_name(open_panel, emulator):
    panel = open_panel("ServerPost").open(fields=[("name", "V_WString"), ("Other", "V_String")])
    connect(panel, emulator)
    panel.pick_endpoint("collection", "Create a new collection.")
    assert panel.page.get_by_label("Request body", exact=True).input_value() == "template"
    template = panel.page.get_by_label("Body template (JSON)", exact=True)
    assert json.loads(template.input_value()) == {"name": "{name}"}  # the field of that name
    template.fill('{"name": "Team {name}", "x": {Oops}')
    assert any("not valid JSON" in p for p in panel.problems())
    template.fill('{"name": "Team {name} {Nope}"}')
    assert "{Nope} in the body template is not an incoming field" in panel.problems()
    template.fill('{"name": "Team {name}"}')
    assert panel.problems() == []
    saved = panel.save()
    accepted("ServerPost", saved, bodyMode="template", bodyTemplate='{"name": "Team {name}"}')
    result = run_here("ServerPost", saved, pa.table({"name": ["Ünits"], "Other": ["x"]}))
    new_id = json.loads(result.column("Response")[0].as_py())
    with emulator.state.lock:
        assert emulator.state.collections[new_id]["name"] == "Team Ünits"


@pytest.mark.parametrize(("tool", "search", "summary"), [
    ("ServerPut", "update details", "Update details of an existing workflow."),
    ("ServerDelete", "delete an existing workflow", "Delete an existing workflow."),
])
def test_put_and_delete_panels(open_panel, emulator, tool, search, summary):
    fields = [("Wf", "V_String"), ("Body", "V_WString")]
    panel = open_panel(tool).open(fields=fields)
    if tool == "ServerPut":
        panel.select("Connect to the Server", "dcm")
        panel.fill("DCM connection ID", "dcm-1")
    else:
        connect(panel, emulator)
    panel.pick_endpoint(search, summary)
    panel.select("Workflow ID", "text")
    panel.fill("Workflow ID: value", WF_OK)
    expected: dict[str, Any] = {"pathParamFixed": {"workflowId": WF_OK}, "pathParamFields": {},
                                "source": "dcm" if tool == "ServerPut" else "configured"}
    if tool == "ServerDelete":
        assert panel.page.get_by_label("Request body", exact=True).count() == 0
        panel.expand("More options (1)")
        panel.select("Even if it is in use", "fixed:true")
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
    saved = panel.save()
    accepted(tool, saved, **expected)
    if tool == "ServerDelete":  # the fixed path value and the drop-down's force=true reach it
        run_here(tool, saved)
        with emulator.state.lock:
            assert WF_OK not in emulator.state.workflows


def test_put_body_of_chosen_fields_updates_the_collection(open_panel, emulator):
    user = emulator.user("Curator")
    created = run_here("ServerPost", panel_config(
        secret=user.api_secret, serverUrl=emulator.url, apiKey=user.api_key,
        endpoint="collections_create_collection", bodyMode="template",
        bodyTemplate='{"name": "Before"}'))
    collection_id = json.loads(created.column("Response")[0].as_py())
    fields = [("collectionId", "V_String"), ("name", "V_WString"), ("ownerId", "V_String"),
              ("AccessToken", "V_WString")]
    panel = open_panel("ServerPut").open(fields=fields)
    connect(panel, emulator)
    panel.pick_endpoint("name and/or owner", "Update the name and/or owner of an existing")
    assert panel.page.get_by_label("Collection ID", exact=True).input_value() == \
        "field:collectionId"  # a field with the path value's name is taken at once
    panel.select("Request body", "fields")
    checklist = panel.page.locator('[aria-labelledby="bodyFields-label"]').inner_text()
    assert "AccessToken" not in checklist
    panel.check("ownerId")
    panel.check("name")
    assert panel.problems() == []
    saved = panel.save()
    accepted("ServerPut", saved, bodyMode="fields", bodyFields=["name", "ownerId"],
             pathParamFields={"collectionId": "collectionId"})
    run_here("ServerPut", saved, pa.table({"collectionId": [collection_id], "name": ["After"],
                                           "ownerId": [user.id], "AccessToken": ["x"]}))
    with emulator.state.lock:
        assert emulator.state.collections[collection_id]["name"] == "After"
