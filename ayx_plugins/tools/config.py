"""One configuration schema per tool, shared by the Python tools and the UI panels.

The panels write `model.Configuration` (JSON) and Designer turns it into the tool's XML with
Json.NET (`designer_host.jsonnet` reproduces it), which reaches Python as `provider.tool_config`
(xmltodict: a dict of strings; an empty element is None). Panels store lists and maps as JSON
TEXT (`"[\"Region\"]"`, `"{\"Sales Region\":\"Region\"}"`), which survives Json.NET
unchanged. The parsers below also read what older saved workflows hold: a list as repeated
elements (one element: one plain string, never split on commas) or `{"item": [...]}`; a map as
nested elements whose names Json.NET encoded with `XmlConvert.EncodeName` (`Sales_x0020_Region`
is decoded back to `Sales Region`), an empty element inside a map being "". The panels are built
from `json_schemas()`, generated into the UI at build time, so the two sides cannot drift.

The API secret is never a field here: it lives in Designer's `Secrets` (encrypted) and is read
with `secret_text()`.
"""

from __future__ import annotations

import json
import re
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

from ayx_plugins.tools import specs

SECRET_KEY = "apiSecret"


def _to_bool(value: Any) -> Any:
    if isinstance(value, str):
        text = value.strip().lower()
        if text in ("true", "1", "yes", "on"):
            return True
        if text in ("false", "0", "no", "off", ""):
            return False
    return value


_XML_ESCAPE = re.compile(r"_[Xx]([0-9a-fA-F]{4})(?:_|([0-9a-fA-F]{4})_)")


def decode_name(name: str) -> str:
    """.NET's `XmlConvert.DecodeName`: `_xHHHH_` / `_xHHHHHHHH_` back to the character."""

    def one(m: re.Match[str]) -> str:
        code = int(m.group(1) + (m.group(2) or ""), 16)
        return chr(code) if code <= 0x10FFFF else m.group(0)

    return _XML_ESCAPE.sub(one, name) if "_" in name else name


def _scalar(value: Any) -> Any:
    """A map value or list item as text: None (an empty element) is "", booleans lower-case."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (int, float)):
        return str(value)
    if isinstance(value, dict) and set(value) <= {"#text"}:  # <k attr="..">text</k> minus attrs
        return _scalar(value.get("#text"))
    if isinstance(value, (dict, list)):
        return json.dumps(value, ensure_ascii=False)
    return value


def _json_text(text: str) -> Any:
    try:
        return json.loads(text)
    except ValueError:
        return None


def _to_list(value: Any) -> Any:
    if value is None or value == "":
        return []
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            parsed = _json_text(text)
            if isinstance(parsed, list):
                return [_scalar(v) for v in parsed if v is not None]
        # One repeated element is one plain string: a field name may hold a comma.
        return [value] if text else []
    if isinstance(value, dict):  # an older <x><item>a</item><item>b</item></x>
        items = value.get("item", value.get("Item", []))
        return _to_list(items if isinstance(items, list) else [items])
    if isinstance(value, (list, tuple)):  # repeated elements (Json.NET's array shape)
        return [_scalar(v) for v in value if v is not None and v != ""]
    return value


def _to_dict(value: Any) -> Any:
    if value is None or value == "":
        return {}
    if isinstance(value, str):
        text = value.strip()
        if not text:
            return {}
        parsed = _json_text(text)
        if isinstance(parsed, dict):  # JSON text: keys are the user's, as typed
            return {str(k): _scalar(v) for k, v in parsed.items()}
        if isinstance(parsed, list):
            return _to_dict(parsed)
        return value  # not a map: validation says so
    if isinstance(value, list):  # [{"key": k, "value": v}, ...]
        return {str(i.get("key", "")): _scalar(i.get("value")) for i in value
                if isinstance(i, dict)}
    if isinstance(value, dict):  # nested elements: names encoded by Json.NET
        return {decode_name(str(k)): _scalar(v) for k, v in value.items()}
    return value


def _empty_to_none(value: Any) -> Any:
    return None if value == "" else value


Bool = Annotated[bool, BeforeValidator(_to_bool)]
StrList = Annotated[list[str], BeforeValidator(_to_list)]
StrMap = Annotated[dict[str, str], BeforeValidator(_to_dict)]
OptFloat = Annotated[float | None, BeforeValidator(_empty_to_none)]


class _Model(BaseModel):
    # Unknown keys (Designer adds its own, e.g. Secrets) are ignored, never an error.
    model_config = ConfigDict(extra="ignore", populate_by_name=True)

    @model_validator(mode="before")
    @classmethod
    def _empty_elements(cls, data: Any) -> Any:
        # xmltodict reads an empty element (<workerTag/>, what an empty text box becomes) as
        # None: a field that cannot be None then takes its default instead of failing.
        if not isinstance(data, dict):
            return data
        nullable = {
            name for name, f in cls.model_fields.items()
            if f.annotation is not None and type(None) in getattr(f.annotation, "__args__", ())
        }
        return {k: v for k, v in data.items() if v is not None or k in nullable}


class ConnectionConfig(_Model):
    """How a tool reaches the Server: one shared choice of connection source."""

    source: Literal["configured", "dcm", "anchor"] = Field(
        "configured",
        description="configured: Server URL and API key set in this tool, the secret kept in "
        "Designer (Alteryx's 'Hide' obfuscation, not strong encryption); dcm: a Data Connection "
        "Manager connection of type Alteryx Server API; anchor: the record Server Authenticate "
        "writes, connected to this tool's Connection (C) input anchor",
    )
    dcmConnectionId: str = Field(
        "", description="The DCM connection id (File > Manage Connections; the connection must "
        "have 'Allow connection for SDK' ticked)",
    )
    serverUrl: str = Field(
        "", description="Any Server URL: https://host, .../webapi/, .../gallery/"
    )
    authType: Literal["oauth2", "oauth1"] = Field(
        "oauth2", description="OAuth 2 on /webapi/ (2021.4+); OAuth 1.0a for servers before 2022.1"
    )
    apiKey: str = Field("", description="API access key (My Profile > Keys)")
    tokenInBody: Bool = Field(False, description="Send client_id/secret in the token request body")
    verifyTls: Bool = True
    caBundle: str = Field(
        "", description="PEM file of a private certificate authority; a relative path is "
        "under the workflow's folder (on Server: the job's folder)"
    )
    requestTimeoutSeconds: float = Field(60.0, gt=0, le=3600)
    concurrency: int = Field(4, ge=1, le=32, description="Requests in flight at once")
    onRecordFailure: Literal["warn", "error", "ignore"] = Field(
        "warn", description="When a record fails: warn (a Results-window warning per failed "
        "record, the first 10, and the summary as a warning), error (the same as errors: the "
        "run reports an error, so a Server schedule shows it failed), or ignore (only the "
        "Failure output)",
    )


class WaitConfig(_Model):
    """Polling of a job until it ends."""

    wait: Bool = False
    pollSeconds: float = Field(5.0, ge=0.05, le=3600)
    waitTimeoutSeconds: OptFloat = Field(3600.0, description="Empty: wait forever")
    onTimeout: Literal["failure", "success"] = Field(
        "failure", description="Where a record goes when its job is still running at the timeout"
    )
    cancelOnTimeout: Bool = Field(
        False, description="Cancel the job on the Server when the wait times out (the record "
        "then goes to Failure, saying the job was cancelled)"
    )
    queuedWarnSeconds: OptFloat = Field(
        300.0, ge=0, description="Warn in the Results window when a job stays Queued this many "
        "seconds (a worker's slots may all be taken); empty or 0: never"
    )


class AuthenticateConfig(ConnectionConfig):
    """Server Authenticate: credentials set in the tool, from DCM, or per record from fields."""

    source: Literal["configured", "dcm", "fields"] = Field(  # type: ignore[assignment]
        "configured",
        description="configured: Server URL and API key set in this tool; dcm: a Data "
        "Connection Manager connection; fields: per record, from input fields (the secret "
        "field is never passed on)",
    )
    urlField: str = ""
    keyField: str = ""
    secretField: str = ""


class RunnerConfig(ConnectionConfig, WaitConfig):
    """Server Runner: start a workflow per record, or run the records as a plan of steps."""

    mode: Literal["records", "plan"] = Field(
        "records", description="records: one job per record; plan: each record is a step that "
        "starts when the steps it depends on have succeeded"
    )
    wait: Bool = Field(True, description="Wait for each job to end (the default for the Runner)")
    workflow: str = Field(
        "", description="The workflow: its id, its Gallery page URL, or its exact name"
    )
    workflowField: str = Field(
        "", description="Field holding each record's workflow (id, Gallery URL or name)"
    )
    checkQuestions: Bool = Field(
        True, description="Before a job starts, check its question names against the app's "
        "questions (an unknown or missing question sends the record to Failure)"
    )
    stepField: str = Field("Step", description="plan: field holding each step's id")
    dependsOnField: str = Field(
        "DependsOn", description="plan: field holding the step ids a step waits for, comma "
        "separated (empty: the step can start at once)"
    )
    maxInFlight: int = Field(
        2, ge=1, le=64, description="plan: jobs running at once at most (a Server worker has "
        "few slots)"
    )
    questionsMode: Literal["none", "fields", "json"] = "none"
    questionFields: StrList = Field(default_factory=list)
    questionNames: StrMap = Field(
        default_factory=dict, description="field -> question name, where they differ"
    )
    questionsJsonField: str = ""
    priority: Literal["", "Default", "Low", "Medium", "High", "Critical"] = ""
    workerTag: str = ""
    credentialId: str = ""
    apiVersion: Literal["v3", "v1"] = "v3"
    downloadOutputs: Bool = False
    outputFolder: str = Field(
        "", description="Where downloaded outputs go (a folder per job); a relative folder is "
        "under the workflow's folder (on Server: the job's folder)"
    )
    outputFormat: str = "Raw"

    @model_validator(mode="before")
    @classmethod
    def _legacy_workflow_id(cls, data: Any) -> Any:
        # Workflows saved before names and URLs were accepted hold workflowId/workflowIdField.
        if isinstance(data, dict):
            data = dict(data)
            for old, new in (("workflowId", "workflow"), ("workflowIdField", "workflowField")):
                if data.get(old) is not None and not data.get(new):
                    data[new] = data[old]
                data.pop(old, None)
        return data


class JobStatusConfig(ConnectionConfig, WaitConfig):
    """Server Job Status: one job id per record."""

    jobIdField: str = "JobId"


class ApiRequestConfig(ConnectionConfig):
    """Server GET / POST / PUT / DELETE: one call of any endpoint per record."""

    endpoint: str = Field("", description="Catalogue operation name; empty: use `path`")
    path: str = Field("", description="Path under the API base, e.g. v3/workflows/{workflowId}")
    pathParamFields: StrMap = Field(default_factory=dict, description="path parameter -> field")
    pathParamFixed: StrMap = Field(
        default_factory=dict, description="path parameter -> the same value for every record"
    )
    queryFixed: StrMap = Field(default_factory=dict)
    queryFields: StrMap = Field(default_factory=dict, description="query parameter -> field")
    bodyMode: Literal["none", "jsonField", "fields", "template", "multipart"] = "none"
    bodyField: str = ""
    bodyFields: StrList = Field(default_factory=list)
    bodyTemplate: str = Field(
        "", description="template: JSON where {Field} is replaced by that field's value"
    )
    fileField: str = Field(
        "", description="multipart: field holding the file path; a relative path is under the "
        "workflow's folder"
    )
    formFields: StrMap = Field(default_factory=dict, description="multipart: form name -> field")
    formFixed: StrMap = Field(
        default_factory=dict, description="multipart: form name -> the same value for every record"
    )
    outputMode: Literal["raw", "rows", "file"] = Field(
        "raw", description="raw: the JSON text; rows: one row per item of a list response; "
        "file: the answer saved to a file"
    )
    fileFolder: str = Field(
        "", description="file: the folder to save into; a relative folder is under the "
        "workflow's folder"
    )
    fileNameField: str = Field("", description="file: field holding the file name")
    fileNameTemplate: str = Field(
        "", description="file: e.g. {workflowId}.yxzp; empty: the name the Server gives"
    )


def _model(name: str) -> type[ConnectionConfig]:
    """The configuration model a tool's spec names (specs.ToolSpec.config)."""
    model = globals().get(name)
    if not (isinstance(model, type) and issubclass(model, ConnectionConfig)):
        raise LookupError(f"specs.py names the configuration model {name!r}, not in config.py")
    return model


# Derived from the one tool registry: specs.py names each tool's model.
TOOL_CONFIGS: dict[str, type[ConnectionConfig]] = {
    t.class_name: _model(t.config) for t in specs.TOOLS
}


def parse_config(tool_class: str, tool_config: dict[str, Any] | None) -> ConnectionConfig:
    """Validate a tool's `provider.tool_config` into its model (raises pydantic's error)."""
    return TOOL_CONFIGS[tool_class].model_validate(dict(tool_config or {}))


def secret_text(tool_config: dict[str, Any] | None) -> str | None:
    """The (still encrypted) API secret from Designer's `Secrets`, or None."""
    secrets = (tool_config or {}).get("Secrets") or {}
    entry = secrets.get(SECRET_KEY) if isinstance(secrets, dict) else None
    if isinstance(entry, dict):
        text = entry.get("text") or entry.get("#text")
        return str(text) if text else None
    return str(entry) if entry else None


def json_schemas() -> dict[str, Any]:
    """JSON Schema of every tool's configuration, for the UI build."""
    return {name: model.model_json_schema() for name, model in TOOL_CONFIGS.items()}


if __name__ == "__main__":
    print(json.dumps(json_schemas(), indent=2, sort_keys=True))
