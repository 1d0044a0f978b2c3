"""Generate the example workflows (`examples/*.yxmd`) and their pictures from the tools' models.

`python examples/build_examples.py` writes every `.yxmd` and `docs/img/examples/<name>.png`.
This script is the only place the examples come from: never edit a `.yxmd` by hand. Each tool's
configuration is built with its model from `ayx_plugins/tools/config.py` (unknown option names
are an error here), dumped the way the panel saves it (lists and maps as JSON text, booleans and
numbers as JSON values) and turned into the tool's XML with Designer's Json.NET rules
(`designer_host.jsonnet.configuration_to_xml`).

Options that another part of the product adds later are used when the model has them (for
example the `Connection` anchor, the plan mode); otherwise the example is built with what the
tools offer today and its description says so.
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from xml.sax.saxutils import escape, quoteattr

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.append(str(ROOT))

from ayx_plugins.tools import config as C  # noqa: E402
from ayx_plugins.tools.specs import BY_CLASS  # noqa: E402
from designer_host.workflow import (  # noqa: E402
    APPEND,
    BROWSE,
    DYNAMIC_INPUT,
    JSON_PARSE,
    KEY_PLACEHOLDER,
    OUTPUT_FOLDER_PLACEHOLDER,
    SERVER_PLACEHOLDER,
    TARGET_KEY_PLACEHOLDER,
    TARGET_SERVER_PLACEHOLDER,
    TEXT_BOX,
    TEXT_INPUT,
)

HERE = ROOT / "examples"
IMG = ROOT / "docs" / "img" / "examples"
YXMD_VERSION = "2024.1"

WF_SUCCESS = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"
WF_WARNING = "6101a0b0c0d0e0f0a0b0c003"
WF_APP = "6101a0b0c0d0e0f0a0b0c004"
ARTISAN_ID = "6001a0b0c0d0e0f0a0b0c002"
MEMBER_ID = "6001a0b0c0d0e0f0a0b0c004"
CURATOR_ID = "6001a0b0c0d0e0f0a0b0c001"

ENGINE = {
    TEXT_INPUT: ("AlteryxBasePluginsEngine.dll", "AlteryxTextInput"),
    BROWSE: ("AlteryxBasePluginsEngine.dll", "AlteryxBrowseV2"),
    APPEND: ("AlteryxBasePluginsEngine.dll", "AlteryxAppendFields"),
    JSON_PARSE: ("AlteryxBasePluginsEngine.dll", "AlteryxJSONParse"),
    DYNAMIC_INPUT: ("AlteryxBasePluginsEngine.dll", "AlteryxDynamicInput"),
}


# --- feature detection: what the tools offer at generation time --------------------------------

def _literal_values(model: type, name: str) -> tuple[Any, ...]:
    f = model.model_fields.get(name)  # type: ignore[attr-defined]
    return tuple(getattr(f.annotation, "__args__", ())) if f is not None else ()


def has_connection_anchor() -> bool:
    """T1a: the request tools take Server Authenticate's record on a `Connection` anchor."""
    return "anchor" in _literal_values(C.ConnectionConfig, "source")


def has_field(model_name: str, name: str) -> bool:
    """Whether a tool's model has an option."""
    model = getattr(C, model_name, None)
    return model is not None and name in model.model_fields


# --- configuration: model -> panel JSON -> Designer's XML --------------------------------------

def panel_json(tool_class: str, **values: Any) -> dict[str, Any]:
    """A tool's configuration as its panel saves it (validated by the tool's own model)."""
    model = C.TOOL_CONFIGS[tool_class]
    unknown = sorted(set(values) - set(model.model_fields))
    if unknown:
        raise ValueError(f"{tool_class} has no option {unknown}")
    model.model_validate(values)  # raises on a wrong value, as the tool would
    saved: dict[str, Any] = {}
    for key, value in values.items():
        if isinstance(value, (list, dict)):
            saved[key] = json.dumps(value)  # the panels keep lists and maps as JSON text
        elif value is not None:
            saved[key] = value
    return saved


def configuration_xml(config: dict[str, Any]) -> str:
    """The `<Configuration>` Designer writes for a panel's JSON (Json.NET's rules)."""
    try:
        from designer_host.jsonnet import configuration_to_xml
    except ImportError:  # until the converter lands: the same result for flat JSON
        configuration_to_xml = _flat_xml
    xml = configuration_to_xml(config).strip()
    if xml.startswith("<?xml"):
        xml = xml.split("?>", 1)[1].strip()
    if not xml.startswith("<Configuration"):
        xml = f"<Configuration>{xml}</Configuration>"
    return xml


def _flat_xml(config: dict[str, Any]) -> str:
    parts = []
    for key, value in config.items():
        text = ("true" if value else "false") if isinstance(value, bool) else str(value)
        parts.append(f"<{key}>{escape(text)}</{key}>" if text else f"<{key} />")
    return "<Configuration>" + "".join(parts) + "</Configuration>"


# --- the canvas ---------------------------------------------------------------------------------

@dataclass
class Tool:
    """A node on the canvas."""

    tool_id: int
    plugin: str
    x: int
    y: int
    config: str  # the <Configuration> element
    annotation: str = ""
    width: int | None = None
    height: int | None = None


@dataclass
class Example:
    """One example workflow: its tools, its connections, and what its Browses should show."""

    name: str
    title: str
    summary: str
    tools: list[Tool] = field(default_factory=list)
    wires: list[tuple[int, str, int, str]] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)  # what is not yet possible, said plainly
    target_server: bool = False

    def add(self, plugin: str, col: float, row: float, config: str, annotation: str = "",
            ) -> int:
        tool_id = len(self.tools) + 1
        x, y = int(54 + col * 132), int(90 + row * 108)
        self.tools.append(Tool(tool_id, plugin, x, y, config, annotation))
        return tool_id

    def text_box(self, text: str, col: float, row: float, width: int, height: int = 40) -> None:
        tool_id = len(self.tools) + 1
        config = ("<Configuration><Text>" + escape(text) + "</Text>"
                  '<Font name="Arial" size="8.25" style="0" /><TextColor name="Black" />'
                  '<FillColor name="White" /><Shape shape="0" />'
                  '<Justification Justification="4" /></Configuration>')
        self.tools.append(Tool(tool_id, TEXT_BOX, int(54 + col * 132), int(90 + row * 108),
                               config, width=width, height=height))

    def wire(self, origin: int, origin_anchor: str, dest: int, dest_anchor: str = "Input") -> None:
        self.wires.append((origin, origin_anchor, dest, dest_anchor))

    def text_input(self, col: float, row: float, fields: list[str], rows: list[list[str]],
                   annotation: str = "") -> int:
        head = "".join(f'<Field name={quoteattr(f)} />' for f in fields)
        body = "".join("<r>" + "".join(f"<c>{escape(c)}</c>" if c else "<c />" for c in r)
                       + "</r>" for r in rows)
        config = (f'<Configuration><NumRows value="{len(rows)}" /><Fields>{head}</Fields>'
                  f"<Data>{body}</Data></Configuration>")
        return self.add(TEXT_INPUT, col, row, config, annotation)

    def browse(self, col: float, row: float, annotation: str) -> int:
        return self.add(BROWSE, col, row, "<Configuration />", annotation)

    def tool(self, tool_class: str, col: float, row: float, annotation: str, **values: Any) -> int:
        plugin = BY_CLASS[tool_class].folder
        return self.add(plugin, col, row, configuration_xml(panel_json(tool_class, **values)),
                        annotation)

    def to_yxmd(self) -> str:
        out = ['<?xml version="1.0"?>', f'<AlteryxDocument yxmdVer="{YXMD_VERSION}" RunE2="T">',
               "  <Nodes>"]
        for t in self.tools:
            size = (f' width="{t.width}" height="{t.height}"' if t.width else "")
            out += [f'    <Node ToolID="{t.tool_id}">',
                    f'      <GuiSettings Plugin="{t.plugin}">',
                    f'        <Position x="{t.x}" y="{t.y}"{size} />',
                    "      </GuiSettings>",
                    "      <Properties>",
                    f"        {t.config}",
                    '        <Annotation DisplayMode="0">',
                    "          <Name />",
                    (f"          <AnnotationText>{escape(t.annotation)}</AnnotationText>"
                     if t.annotation else "          <AnnotationText />"),
                    "          <DefaultAnnotationText />",
                    '          <Left value="False" />',
                    "        </Annotation>",
                    "      </Properties>"]
            engine = _engine(t.plugin)
            if engine:
                out.append(f'      <EngineSettings EngineDll="{engine[0]}" '
                           f'EngineDllEntryPoint="{engine[1]}" />')
            out.append("    </Node>")
        out += ["  </Nodes>", "  <Connections>"]
        for origin, o_anchor, dest, d_anchor in self.wires:
            out += ["    <Connection>",
                    f'      <Origin ToolID="{origin}" Connection="{o_anchor}" />',
                    f'      <Destination ToolID="{dest}" Connection="{d_anchor}" />',
                    "    </Connection>"]
        out += ["  </Connections>", "  <Properties>",
                '    <Memory default="True" />', '    <GlobalRecordLimit value="0" />',
                '    <TempFiles default="True" />',
                '    <Annotation on="True" includeToolName="False" />',
                '    <CancelOnError value="False" />', '    <DisableBrowse value="False" />',
                '    <ShowConnectionStatusIsOn value="True" />',
                '    <ShowConnectionStatusOnlyWhenRunning value="True" />',
                '    <ZoomLevel value="0" />', "    <LayoutType>Horizontal</LayoutType>",
                "    <MetaInfo>", '      <NameIsFileName value="True" />',
                f"      <Name>{escape(self.name)}</Name>",
                f"      <Description>{escape(self.summary)}</Description>",
                "    </MetaInfo>", "  </Properties>", "</AlteryxDocument>", ""]
        return "\n".join(out)


def _engine(plugin: str) -> tuple[str, str] | None:
    if plugin in ENGINE:
        return ENGINE[plugin]
    if plugin.split("_", 1)[0] in BY_CLASS:  # our tools: the tool XML's EngineSettings
        return ("SdkEnginePlugin.dll", "SdkEnginePlugin")
    return None


# --- connection to the Server -------------------------------------------------------------------

def connect(ex: Example, col: float, row: float, *, target: bool = False
            ) -> tuple[int | None, dict[str, Any]]:
    """A Server Authenticate tool (when the tools take its record) and the tools' connection."""
    url = TARGET_SERVER_PLACEHOLDER if target else SERVER_PLACEHOLDER
    key = TARGET_KEY_PLACEHOLDER if target else KEY_PLACEHOLDER
    if has_connection_anchor():
        auth = ex.tool("ServerAuthenticate", col, row,
                       "Target Server" if target else "Your Server", source="configured",
                       serverUrl=url, apiKey=key)
        return auth, {"source": "anchor"}
    return None, {"source": "configured", "serverUrl": url, "apiKey": key}


def feed(ex: Example, auth: int | None, tool_id: int) -> None:
    """Wire Server Authenticate's Success to a tool's Connection anchor."""
    if auth is not None:
        ex.wire(auth, "Success", tool_id, "Connection")


def workflow(value: str) -> dict[str, Any]:
    """Server Runner's fixed workflow (an id, a Gallery URL or a name where the tool takes one)."""
    return {"workflow": value} if has_field("RunnerConfig", "workflow") else {"workflowId": value}


def workflow_from(field_name: str) -> dict[str, Any]:
    """Server Runner's workflow from a field."""
    if has_field("RunnerConfig", "workflowField"):
        return {"workflowField": field_name}
    return {"workflowIdField": field_name}


def runner_wait() -> dict[str, Any]:
    return {"wait": True, "pollSeconds": 5, "waitTimeoutSeconds": 1800}


# --- the seven examples -------------------------------------------------------------------------

def app_per_row() -> Example:
    ex = Example("01-app-per-row", "One app run per row, all at once",
                 "Runs the app once per row of the table, with that row's answers to the app's "
                 "questions. Up to 4 jobs run at the same time; each row waits for its job.")
    ex.text_box("Each row is one run of the app. The field names are the app's question "
                "names (Region, Size).", 0, -0.6, 420)
    data = ex.text_input(0, 1, ["Region", "Size"], [["North", "S"], ["South", "M"],
                                                    ["East", "L"]], "The answers")
    auth, conn = connect(ex, 0, 0)
    run = ex.tool("ServerRunner", 1.5, 1, "Run the app per row", **conn, **workflow(WF_APP),
                  questionsMode="fields", questionFields=["Region", "Size"], concurrency=4,
                  **runner_wait())
    ex.wire(data, "Output", run)
    feed(ex, auth, run)
    ok = ex.browse(3, 0.6, "Jobs that succeeded")
    bad = ex.browse(3, 1.4, "Jobs that failed")
    ex.wire(run, "Success", ok)
    ex.wire(run, "Failure", bad)
    return ex


def sequential_chain() -> Example:
    ex = Example("02-sequential-chain", "A then B then C, stopping at the first failure",
                 "Runs workflow A, then B when A succeeded, then C when B succeeded. B fails "
                 "here, so C never starts: its Success output stays empty.")
    ex.text_box("Each Server Runner starts only on the Success record of the one before it. "
                "B ends in error, so C is not run.", 0, -0.6, 460)
    start = ex.text_input(0, 1, ["Step"], [["Nightly chain"]], "Start")
    auth, conn = connect(ex, 0, 0)
    steps = [("A", WF_SUCCESS, "A: Emulator Success"), ("B", WF_ERROR, "B: Emulator Error"),
             ("C", WF_WARNING, "C: Emulator Warning")]
    previous, anchor = start, "Output"
    for n, (_, wf, label) in enumerate(steps):
        tid = ex.tool("ServerRunner", 1.3 + n * 1.3, 1, label, **conn, **workflow(wf),
                      concurrency=1, **runner_wait())
        ex.wire(previous, anchor, tid)
        feed(ex, auth, tid)
        failed = ex.browse(1.9 + n * 1.3, 2.1, f"{label.split(':')[0]} failed")
        ex.wire(tid, "Failure", failed)
        previous, anchor = tid, "Success"
    done = ex.browse(1.3 + 3 * 1.3, 1, "Chain finished")
    ex.wire(previous, anchor, done)
    return ex


def nested_outputs() -> Example:
    ex = Example("03-run-and-use-outputs", "Run a workflow, wait, and use what it wrote",
                 "Runs a workflow, waits for it, downloads its output files, then reads the "
                 "downloaded CSV into this workflow (JSON Parse lists the files, Dynamic Input "
                 "reads each one).")
    ex.text_box("Output folder: change C:\\Temp\\ServerOutputs in Server Runner to a folder "
                "of yours. Each job's files go to <folder>\\<JobId>\\.", 0, -0.6, 480)
    start = ex.text_input(0, 1, ["Workflow"], [[WF_SUCCESS]], "The workflow to run")
    auth, conn = connect(ex, 0, 0)
    run = ex.tool("ServerRunner", 1.3, 1, "Run, wait, download", **conn,
                  **workflow_from("Workflow"), downloadOutputs=True,
                  outputFolder=OUTPUT_FOLDER_PLACEHOLDER, outputFormat="Raw", **runner_wait())
    ex.wire(start, "Output", run)
    feed(ex, auth, run)
    files = ex.add(JSON_PARSE, 2.6, 1,
                   '<Configuration><JSON_Field>OutputFiles</JSON_Field>'
                   '<IncludeInOutput value="True" /><SingleField value="True" />'
                   "</Configuration>", "One row per file")
    ex.wire(run, "Success", files)
    template = OUTPUT_FOLDER_PLACEHOLDER + "\\template.csv"  # Dynamic Input's template file
    read = ex.add(DYNAMIC_INPUT, 3.9, 1,
                  "<Configuration><InputConfiguration><Configuration><Passwords />"
                  '<File OutputFileName="FullPath" RecordLimit="" SearchSubDirs="False" '
                  f'FileFormat="0">{escape(template)}</File><FormatSpecificOptions>'
                  "<HeaderRow>True</HeaderRow><IgnoreErrors>False</IgnoreErrors>"
                  "<AllowShareWrite>False</AllowShareWrite><ImportLine>1</ImportLine>"
                  "<FieldLen>254</FieldLen><SingleThreadRead>False</SingleThreadRead>"
                  "<IgnoreQuotes>DoubleQuotes</IgnoreQuotes><Delimeter>,</Delimeter>"
                  "<QuoteRecordBreak>False</QuoteRecordBreak><CodePage>65001</CodePage>"
                  "</FormatSpecificOptions></Configuration></InputConfiguration>"
                  "<Mode>ReadList</Mode>"
                  "<ReadList_Field>JSON_ValueString</ReadList_Field>"
                  "<ReadList_Type>Path</ReadList_Type><ErrorBehaviour>Warning</ErrorBehaviour>"
                  "</Configuration>", "Read each CSV")
    ex.wire(files, "Output", read)
    rows = ex.browse(5.2, 1, "The job's output")
    ex.wire(read, "Output", rows)
    failed = ex.browse(1.9, 2.1, "Run failed")
    ex.wire(run, "Failure", failed)
    return ex


def dependency_plan() -> Example:
    plan_mode = "plan" in _literal_values(C.RunnerConfig, "mode")
    ex = Example("04-dependency-plan", "A plan of jobs with dependencies",
                 "Runs a plan: each row is a step with the steps it depends on. Steps start "
                 "when what they depend on has succeeded; a step whose dependency failed is "
                 "skipped.")
    ex.text_box("Step, Workflow, DependsOn (step names, comma separated). Load and Check run "
                "first, side by side; Report waits for both; Archive waits for Report.",
                0, -0.6, 520)
    rows = [["Load", WF_SUCCESS, ""], ["Check", WF_WARNING, ""],
            ["Report", WF_APP, "Load,Check"], ["Archive", WF_SUCCESS, "Report"],
            ["Broken", WF_ERROR, ""], ["After broken", WF_SUCCESS, "Broken"]]
    plan = ex.text_input(0, 1, ["Step", "Workflow", "DependsOn"], rows, "The plan")
    auth, conn = connect(ex, 0, 0)
    if plan_mode:
        extra: dict[str, Any] = {"mode": "plan"}
        extra.update(workflow_from("Workflow"))
        for name, value in (("stepField", "Step"), ("dependsOnField", "DependsOn"),
                            ("maxInFlight", 2)):
            if has_field("RunnerConfig", name):
                extra[name] = value
        run = ex.tool("ServerRunner", 1.5, 1, "Run the plan", **conn, **extra, **runner_wait())
    else:
        ex.notes.append("The plan mode of Server Runner has not landed yet: this example runs "
                        "every step at once and ignores DependsOn.")
        run = ex.tool("ServerRunner", 1.5, 1, "Run every step", **conn,
                      **workflow_from("Workflow"), concurrency=2, **runner_wait())
    ex.wire(plan, "Output", run)
    feed(ex, auth, run)
    ok = ex.browse(3, 0.6, "Steps that succeeded")
    bad = ex.browse(3, 1.4, "Steps that failed or were skipped")
    ex.wire(run, "Success", ok)
    ex.wire(run, "Failure", bad)
    return ex


def bulk_admin() -> Example:
    ex = Example("05-bulk-admin", "Create a collection and add users and workflows from a table",
                 "Creates a collection, then adds each user and each workflow of two tables to "
                 "it. Needs a Curator's API key.")
    ex.text_box("Append Fields puts the new collection's id on every row of the tables.",
                0, -0.6, 420)
    auth, conn = connect(ex, 0, 0)
    name = ex.text_input(0, 1, ["name"], [["Finance Reports"]], "New collection")
    create = ex.tool("ServerPost", 1.3, 1, "Create the collection", **conn,
                     endpoint="collections_create_collection", bodyMode="fields",
                     bodyFields=["name"], outputMode="raw")
    ex.wire(name, "Output", create)
    feed(ex, auth, create)
    users = ex.text_input(2.6, 2, ["userId"], [[ARTISAN_ID], [MEMBER_ID]], "Users to add")
    workflows = ex.text_input(2.6, 3.4, ["workflowId"], [[WF_SUCCESS], [WF_APP]],
                              "Workflows to add")
    new_id = ex.add(JSON_PARSE, 2.6, 1,
                    "<Configuration><JSON_Field>Response</JSON_Field>"
                    '<IncludeInOutput value="False" /><SingleField value="True" />'
                    "</Configuration>", "The new collection's id")
    ex.wire(create, "Success", new_id)
    col_u = ex.add(APPEND, 3.9, 2, "<Configuration><CartesianMode>Allow</CartesianMode>"
                   "</Configuration>", "Collection id on each user")
    col_w = ex.add(APPEND, 3.9, 3.4, "<Configuration><CartesianMode>Allow</CartesianMode>"
                   "</Configuration>", "Collection id on each workflow")
    ex.wire(users, "Output", col_u, "Targets")
    ex.wire(new_id, "Output", col_u, "Source")
    ex.wire(workflows, "Output", col_w, "Targets")
    ex.wire(new_id, "Output", col_w, "Source")
    permissions = {"isAdmin": False, "canAddAssets": True, "canRemoveAssets": False,
                   "canUpdateAssets": False, "canAddUsers": False, "canRemoveUsers": False}
    if "template" in _literal_values(C.ApiRequestConfig, "bodyMode"):
        body: dict[str, Any] = {"bodyMode": "template", "bodyTemplate": json.dumps(
            {"userId": "{userId}", "collectionsPermissions": permissions})}
    else:
        ex.notes.append("Server POST has no body template yet: the users table carries each "
                        "request body as JSON text.")
        body = {"bodyMode": "jsonField", "bodyField": "Body"}
        ex.tools[users - 1].config = _text_input_config(
            ["userId", "Body"], [[u, json.dumps({"userId": u,
                                                 "collectionsPermissions": permissions})]
                                 for u in (ARTISAN_ID, MEMBER_ID)])
    add_user = ex.tool("ServerPost", 5.2, 2, "Add each user", **conn,
                       endpoint="collections_add_user_to_collection",
                       pathParamFields={"collectionId": "JSON_ValueString"},
                       outputMode="raw", **body)
    add_wf = ex.tool("ServerPost", 5.2, 3.4, "Add each workflow", **conn,
                     endpoint="collections_add_workflow_to_collection",
                     pathParamFields={"collectionId": "JSON_ValueString"},
                     bodyMode="fields", bodyFields=["workflowId"], outputMode="raw")
    ex.wire(col_u, "Output", add_user)
    ex.wire(col_w, "Output", add_wf)
    feed(ex, auth, add_user)
    feed(ex, auth, add_wf)
    for n, tid in enumerate((add_user, add_wf)):
        ok = ex.browse(6.5, 2 + n * 1.4 - 0.4, "Added" if n == 0 else "Workflows added")
        bad = ex.browse(6.5, 2 + n * 1.4 + 0.4, "Not added" if n == 0 else "Workflows not added")
        ex.wire(tid, "Success", ok)
        ex.wire(tid, "Failure", bad)
    return ex


def migrate() -> Example:
    ex = Example("06-migrate-workflows", "Copy workflows from one Server to another",
                 "Downloads each workflow's package from the source Server and publishes it on "
                 "the target Server with the options in the table.", target_server=True)
    ex.text_box("Source: Your Server. Target: the second Server Authenticate (its own URL, key "
                "and secret). The table says who owns each copy and how it runs.", 0, -0.6, 520)
    auth, conn = connect(ex, 0, 0)
    tauth, tconn = connect(ex, 2.6, 0, target=True)
    rows = [[WF_SUCCESS, "Emulator Success (copy)"], [WF_WARNING, "Emulator Warning (copy)"]]
    table = ex.text_input(0, 1, ["workflowId", "name"], rows, "Workflows to copy")
    download: dict[str, Any] = {"outputMode": "raw"}
    file_path = "FilePath"
    if "file" in _literal_values(C.ApiRequestConfig, "outputMode"):
        download = {"outputMode": "file", "fileFolder": OUTPUT_FOLDER_PLACEHOLDER,
                    "fileNameTemplate": "{workflowId}.yxzp"}
        file_path = "File Path"
    else:
        ex.notes.append("Server GET cannot save a package to a file yet (binary answers are "
                        "summarised): the copy step is built, its file field stays empty.")
    get = ex.tool("ServerGet", 1.3, 1, "Download each package", **conn,
                  endpoint="workflows_download_workflow", **download)
    ex.wire(table, "Output", get)
    feed(ex, auth, get)
    form = {"name": "name"}
    fixed_form = {"ownerId": CURATOR_ID, "isPublic": "false", "isReadyForMigration": "false",
                  "othersMayDownload": "true", "othersCanExecute": "true",
                  "executionMode": "Safe", "workflowCredentialType": "Default"}
    post_values: dict[str, Any] = {}
    if has_field("ApiRequestConfig", "formFixed"):
        post_values["formFixed"] = fixed_form
    else:
        ex.notes.append("Server POST takes form values only from fields so far: the table "
                        "carries the publishing options as columns.")
        form.update({key: key for key in fixed_form})
        t = ex.tools[table - 1]
        t.config = _text_input_config(["workflowId", "name", *fixed_form],
                                      [[*r, *fixed_form.values()] for r in rows])
    post = ex.tool("ServerPost", 2.6, 1, "Publish on the target", **tconn,
                   endpoint="workflows_create_workflow", bodyMode="multipart",
                   fileField=file_path, formFields=form, outputMode="raw", **post_values)
    ex.wire(get, "Success", post)
    feed(ex, tauth, post)
    ok = ex.browse(3.9, 0.6, "Published")
    bad = ex.browse(3.9, 1.4, "Not published")
    dl_bad = ex.browse(1.9, 2.1, "Not downloaded")
    ex.wire(post, "Success", ok)
    ex.wire(post, "Failure", bad)
    ex.wire(get, "Failure", dl_bad)
    return ex


def _text_input_config(fields: list[str], rows: list[list[str]]) -> str:
    head = "".join(f'<Field name={quoteattr(f)} />' for f in fields)
    body = "".join("<r>" + "".join(f"<c>{escape(c)}</c>" if c else "<c />" for c in r) + "</r>"
                   for r in rows)
    return (f'<Configuration><NumRows value="{len(rows)}" /><Fields>{head}</Fields>'
            f"<Data>{body}</Data></Configuration>")


def cancel_long_jobs() -> Example:
    ex = Example("07-cancel-long-jobs", "Find and cancel jobs running longer than N minutes",
                 "Lists the jobs that are queued or running, gives each one N more minutes "
                 "(Server Job Status waits), and cancels those still running after that.")
    ex.text_box("N = 10 minutes: set it in Server Job Status (wait up to 600 seconds). Needs a "
                "Curator's API key.", 0, -0.6, 440)
    auth, conn = connect(ex, 0, 0)
    listing = ex.tool("ServerGet", 1.3, 1, "Jobs queued or running", **conn,
                      endpoint="jobs_get_jobs", queryFixed={"statuses": "Running,Queued"},
                      outputMode="rows")
    feed(ex, auth, listing)
    status_values: dict[str, Any] = {"wait": True, "pollSeconds": 30,
                                     "waitTimeoutSeconds": 600, "jobIdField": "jobId"}
    cancel_option = next((n for n in ("cancelOnTimeout", "cancelJobOnTimeout")
                          if has_field("JobStatusConfig", n)), None)
    if cancel_option:
        status_values[cancel_option] = True
    else:
        status_values["onTimeout"] = "success"
    wait = ex.tool("ServerJobStatus", 2.6, 1, "Wait N minutes", **conn, **status_values)
    ex.wire(listing, "Success", wait)
    feed(ex, auth, wait)
    if cancel_option:
        ended = ex.browse(3.9, 0.6, "Ended in time")
        cancelled = ex.browse(3.9, 1.4, "Cancelled")
        ex.wire(wait, "Success", ended)
        ex.wire(wait, "Failure", cancelled)
    else:
        ex.notes.append("Server Job Status cannot cancel at the timeout yet: the jobs still "
                        "running go to Success with TimedOut, and Server DELETE cancels each.")
        cancel = ex.tool("ServerDelete", 3.9, 1, "Cancel each job", **conn,
                         endpoint="jobs_cancel_job", pathParamFields={"jobId": "jobId"},
                         outputMode="raw")
        ex.wire(wait, "Success", cancel)
        feed(ex, auth, cancel)
        done = ex.browse(5.2, 0.6, "Cancelled")
        bad = ex.browse(5.2, 1.4, "Not cancelled")
        ex.wire(cancel, "Success", done)
        ex.wire(cancel, "Failure", bad)
    if not cancel_option:
        failed = ex.browse(3.2, 2.1, "Could not follow")
        ex.wire(wait, "Failure", failed)
    return ex


EXAMPLES = (app_per_row, sequential_chain, nested_outputs, dependency_plan, bulk_admin,
            migrate, cancel_long_jobs)


def build(names: list[str] | None = None, pictures: bool = True) -> list[Example]:
    """Write every example's `.yxmd` (and picture); returns what was built."""
    every = [make() for make in EXAMPLES]
    built = [ex for ex in every if not names or ex.name in names]
    for ex in built:
        (HERE / f"{ex.name}.yxmd").write_text(ex.to_yxmd(), encoding="utf-8")
    (HERE / "examples.json").write_text(json.dumps(
        [{"name": e.name, "title": e.title, "summary": e.summary, "notes": e.notes}
         for e in every], indent=1) + "\n", encoding="utf-8")
    if pictures:
        from examples.render import render_files

        IMG.mkdir(parents=True, exist_ok=True)
        render_files([HERE / f"{e.name}.yxmd" for e in built], IMG,
                     titles={e.name: e.title for e in built})
    return built


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("names", nargs="*", help="only these examples")
    parser.add_argument("--no-pictures", action="store_true")
    args = parser.parse_args(argv)
    for ex in build(args.names or None, pictures=not args.no_pictures):
        print(f"{ex.name}.yxmd: {len(ex.tools)} tools, {len(ex.wires)} connections"
              + "".join(f"\n  note: {n}" for n in ex.notes))
    return 0


if __name__ == "__main__":
    sys.exit(main())
