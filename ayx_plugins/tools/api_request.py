"""Server GET / POST / PUT / DELETE: one call of any API endpoint per record (one implementation,
four tools that differ only by their HTTP method).

The endpoint is a catalogue operation (`endpoint`) or a typed path (`path`, relative to the API
base, `{param}` placeholders allowed). Path parameters are fixed (`pathParamFixed`) or come from
fields (`pathParamFields`, else a field with the parameter's name); query parameters and
multipart form values from fixed values and fields (a null field is left out); the body from a
JSON field, from chosen fields, from a JSON template whose `{Field}` placeholders take the
record's values, or as a multipart upload of the file a field names. Output "raw": `HTTP Status`
+ `Response` (the body text). Output "rows": one row per item of a list response, columns typed
from the catalogue's response model; keys the model does not name go to `Other Fields` (JSON),
an unknown model gives one `Item` JSON column, an empty list gives one row of nulls (so the
record is not lost), an object gives one row. Output "file": the answer streamed into a file
(folder + a name from a field, a template such as `{workflowId}.yxzp`, or the Server's own), with
`File Path`, `File Size` and `Content Type`; the file always stays inside the folder.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Mapping
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, ClassVar
from urllib.parse import unquote

import pyarrow as pa

from ayx_plugins.server_api import ApiError, ServerClient
from ayx_plugins.server_api.answers import write_body
from ayx_plugins.server_api.catalogue import Endpoint, encode_form_value, load_catalogue
from ayx_plugins.server_api.jobs import safe_file_name
from ayx_plugins.server_api.values import build_multipart, jsonable, render_path
from ayx_plugins.tools import schemas as S
from ayx_plugins.tools.config import ApiRequestConfig
from ayx_plugins.tools.engine import (
    ConfigError,
    Outcome,
    RowError,
    ServerTool,
    ToolLogic,
    require_fields,
)
from ayx_plugins.tools.paths import base_dir, resolve

RESPONSE = "Response"
FILE_PATH = "File Path"
FILE_SIZE = "File Size"
CONTENT_TYPE = "Content Type"
_PARAM = re.compile(r"\{([^{}]+)\}")
_TEXT_TYPES = ("json", "text", "xml", "javascript", "html")
_DISPOSITION = re.compile(r"""filename\*?\s*=\s*(?:UTF-8'[^']*')?"?([^";]+)"?""", re.IGNORECASE)


@dataclass
class RequestPlan:
    """One record's request."""

    path: str
    params: dict[str, str] = field(default_factory=dict)
    json_body: Any = None
    has_json: bool = False
    form: dict[str, str] | None = None
    file_path: str | None = None
    file_part: str = "file"
    values: dict[str, Any] = field(default_factory=dict)  # for the file name template
    file_name: str | None = None  # output "file": the name from a field or the template


_jsonable = jsonable  # the core's one value rule (server_api.values)


def _text(value: Any) -> str:
    value = _jsonable(value)
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def template_names(template: Any) -> list[str]:
    """The `{Name}` placeholders of a body template (keys and string values), in order."""
    found: list[str] = []

    def walk(node: Any) -> None:
        if isinstance(node, str):
            found.extend(n for n in _PARAM.findall(node) if n not in found)
        elif isinstance(node, list):
            for item in node:
                walk(item)
        elif isinstance(node, dict):
            for key, item in node.items():
                walk(key)
                walk(item)

    walk(template)
    return found


def fill_template(template: Any, row: Mapping[str, Any]) -> Any:
    """The template with the record's values: a string that is only `{Name}` takes the field's
    typed value (number, true/false, null); `{Name}` inside longer text is replaced by its text."""
    if isinstance(template, str):
        whole = _PARAM.fullmatch(template)
        if whole and whole.group(1) in row:
            return _jsonable(row[whole.group(1)])
        return _PARAM.sub(lambda m: _text(row[m.group(1)]) if m.group(1) in row else m.group(0),
                          template)
    if isinstance(template, list):
        return [fill_template(item, row) for item in template]
    if isinstance(template, dict):
        return {str(fill_template(k, row)): fill_template(v, row) for k, v in template.items()}
    return template


def _server_file_name(disposition: str) -> str | None:
    match = _DISPOSITION.search(disposition or "")
    return unquote(match.group(1).strip()) if match else None


def save_answer(response: Any, folder: Path, name: str | None, fallback: str) -> Path:
    """Stream a response body into `folder/name` (a `.part` file renamed at the end); the name is
    reduced to a safe base name, so the file can only land inside `folder`."""
    base = safe_file_name(name, fallback)
    folder.mkdir(parents=True, exist_ok=True)
    target = (folder / base).resolve()
    if target.parent != folder.resolve():
        raise RowError(f"The file name {name!r} would be written outside {folder}")
    part = target.with_name(target.name + ".part")
    try:
        with open(part, "wb") as fh:
            write_body(response, fh)  # a cut or oversized body is an ApiError, not requests'
        os.replace(part, target)
    except ApiError:
        part.unlink(missing_ok=True)
        raise
    except OSError as exc:
        part.unlink(missing_ok=True)
        raise RowError(f"The answer could not be saved to {target}", str(exc)) from None
    return target


class ApiRequestLogic(ToolLogic):
    """Any endpoint, one request per record."""

    method: ClassVar[str] = "GET"
    runs_without_input = True  # e.g. GET v3/workflows needs no record to drive it
    config: ApiRequestConfig

    def __init__(self, config: Any) -> None:
        super().__init__(config)
        self.endpoint: Endpoint | None = None
        self._error: str | None = None
        c = self.config
        catalogue = load_catalogue()
        if c.endpoint.strip():
            try:
                self.endpoint = catalogue.get(c.endpoint)
            except KeyError as exc:
                self._error = str(exc.args[0] if exc.args else exc)
        elif c.path.strip():
            self.endpoint = catalogue.match(self.method, _PARAM.sub("x", c.path.strip()))
        self.template = (self.endpoint.path if c.endpoint.strip() and self.endpoint
                         else c.path.strip().lstrip("/"))
        self.path_params = _PARAM.findall(self.template)
        model = S.item_model(self.endpoint.response) if self.endpoint else None
        self.item_fields = S.item_fields(model)
        # rows mode on an envelope answer ({"data": [...]} of GET v3/jobs): the list's key
        self.envelope = S.envelope_key(self.endpoint.response) if self.endpoint else None
        self.body_template: Any = None
        # The workflow's folder (set by the tool from Designer's environment): relative output
        # folders are resolved against it, never against the process's working directory.
        self.base_dir: str | None = None

    def result_fields(self) -> list[pa.Field]:
        """`HTTP Status` + `Response`, `HTTP Status` + the item columns, or the saved file."""
        status = S.int64(S.HTTP_STATUS, "The HTTP status of the answer")
        if self.config.outputMode == "rows":
            return [status, *self.item_fields]
        if self.config.outputMode == "file":
            return [status, S.wstring(FILE_PATH, "Where the answer was saved"),
                    S.int64(FILE_SIZE, "The saved file's size in bytes"),
                    S.wstring(CONTENT_TYPE, "The answer's content type")]
        return [status, S.wstring(RESPONSE, "The answer's body (JSON text)")]

    def folder(self) -> Path:
        """The output folder, a relative one under the workflow's folder."""
        folder = Path(os.path.expandvars(self.config.fileFolder.strip()))
        if not folder.is_absolute() and self.base_dir:
            folder = Path(self.base_dir) / folder
        return folder

    def _param_field(self, param: str) -> str:
        return self.config.pathParamFields.get(param, param)

    def _fixed_param(self, param: str) -> str | None:
        value = self.config.pathParamFixed.get(param)
        return value if value is not None and value.strip() and \
            param not in self.config.pathParamFields else None

    def validate(self, input_schema: pa.Schema | None) -> None:
        """Endpoint, method, path parameters and body settings that can work."""
        c = self.config
        if self._error:
            raise ConfigError(self._error)
        if not self.template:
            raise ConfigError("Choose an endpoint from the catalogue or type a path")
        if c.endpoint.strip() and self.endpoint and self.endpoint.method != self.method:
            raise ConfigError(f"{self.endpoint.name} is a {self.endpoint.method} endpoint; "
                              f"use the Server {self.endpoint.method} tool")
        require_fields(input_schema, [self._param_field(p) for p in self.path_params
                                      if self._fixed_param(p) is None], "Path parameters")
        require_fields(input_schema, list(c.queryFields.values()), "Query parameters")
        if c.bodyMode == "template":
            try:
                self.body_template = json.loads(c.bodyTemplate)
            except ValueError as exc:
                raise ConfigError(f"The body template is not valid JSON: {exc}") from None
            require_fields(input_schema, template_names(self.body_template),
                           "Fields named in the body template")
        if c.outputMode == "file":
            if not c.fileFolder.strip():
                raise ConfigError("Choose the folder to save the answers in")
            if c.fileNameField:
                require_fields(input_schema, [c.fileNameField], "File name field")
            else:
                require_fields(input_schema, [n for n in _PARAM.findall(c.fileNameTemplate)
                                              if n not in self.path_params],
                               "Fields named in the file name")
        if c.bodyMode == "jsonField":
            if not c.bodyField:
                raise ConfigError("Choose the field holding the JSON body")
            require_fields(input_schema, [c.bodyField], "Body field")
        elif c.bodyMode == "fields":
            require_fields(input_schema, c.bodyFields, "Body fields")
        elif c.bodyMode == "multipart":
            if not c.fileField:
                raise ConfigError("Choose the field holding the path of the file to upload")
            require_fields(input_schema, [c.fileField, *c.formFields.values()], "Upload fields")

    def plan(self, row: Mapping[str, Any]) -> RequestPlan:
        """Path, query and body of one record."""
        c = self.config
        values: dict[str, str] = {}
        for param in self.path_params:
            fixed = self._fixed_param(param)
            if fixed is not None:
                values[param] = fixed.strip()
                continue
            name = self._param_field(param)
            value = row.get(name)
            if value is None or not str(value).strip():
                raise RowError(f"The path parameter {param} is empty (field '{name}')")
            values[param] = str(value).strip()
        # Each value must stay one segment ('..' would reach another endpoint): checked by the
        # core before any request, the record fails otherwise.
        path = render_path(self.template, values)
        # An empty fixed value is left out, as a null field value is (the Server would reject
        # e.g. view=).
        params = {k: str(v) for k, v in c.queryFixed.items() if str(v) != ""}
        for param, name in c.queryFields.items():
            value = row.get(name)
            if value is not None and str(value) != "":
                params[param] = encode_form_value(_jsonable(value))
        plan = RequestPlan(path, params, values={**row, **values})
        if c.outputMode == "file":
            if c.fileNameField:
                plan.file_name = _text(row.get(c.fileNameField)).strip() or None
            elif c.fileNameTemplate.strip():
                plan.file_name = _PARAM.sub(lambda m: _text(plan.values.get(m.group(1))),
                                            c.fileNameTemplate.strip())
        if c.bodyMode == "jsonField":
            raw = row.get(c.bodyField)
            if raw is None or (isinstance(raw, str) and not raw.strip()):
                raise RowError(f"The JSON body is empty (field '{c.bodyField}')")
            try:
                plan.json_body = json.loads(raw) if isinstance(raw, str) else raw
            except ValueError as exc:
                raise RowError(f"The body in field '{c.bodyField}' is not valid JSON",
                               str(exc)) from None
            plan.has_json = True
        elif c.bodyMode == "fields":
            plan.json_body = {name: _jsonable(row.get(name)) for name in c.bodyFields}
            plan.has_json = True
        elif c.bodyMode == "template":
            if self.body_template is None:
                self.body_template = json.loads(c.bodyTemplate)
            plan.json_body = fill_template(self.body_template, row)
            plan.has_json = True
        elif c.bodyMode == "multipart":
            file_path = row.get(c.fileField)
            if file_path is None or not str(file_path).strip():
                raise RowError(f"The file path is empty (field '{c.fileField}')")
            file_path = resolve(str(file_path), self.base_dir)  # relative: the workflow's folder
            if not os.path.isfile(file_path):
                raise RowError(f"The file to upload does not exist: {file_path}")
            plan.file_path = file_path
            plan.form = {form: value for form, value in c.formFixed.items()
                         if form not in c.formFields}
            for form, name in c.formFields.items():
                value = row.get(name)
                if value is not None:
                    plan.form[form] = encode_form_value(_jsonable(value))
            if self.endpoint and self.endpoint.files:
                plan.file_part = self.endpoint.files[0]
        return plan

    def execute(self, client: ServerClient, plan: RequestPlan) -> Outcome:
        """Send the request; turn the answer into result values."""
        kwargs: dict[str, Any] = {"params": plan.params or None}
        if self.config.outputMode == "file":
            kwargs["stream"] = True
        if plan.has_json:
            kwargs["json"] = plan.json_body
        if self.endpoint is not None and self.endpoint.returns_file:
            kwargs["expect"] = "any"  # a package or a job output: any body is the answer
        if plan.file_path is not None:
            with ExitStack() as stack:
                kwargs["files"] = build_multipart(stack, plan.form, {plan.file_part:
                                                                     plan.file_path})
                response = client.request(self.method, plan.path, **kwargs)
        else:
            response = client.request(self.method, plan.path, **kwargs)
        status = response.status_code
        ctype = (response.headers.get("Content-Type") or "").lower()
        if self.config.outputMode == "file":
            try:
                fallback = "_".join(str(v) for v in plan.path.split("/")[-2:] if v) or "answer"
                name = plan.file_name or _server_file_name(
                    response.headers.get("Content-Disposition") or "")
                saved = save_answer(response, self.folder(), name, fallback)
            finally:
                response.close()
            return Outcome.ok({S.HTTP_STATUS: status, FILE_PATH: str(saved),
                               FILE_SIZE: saved.stat().st_size,
                               CONTENT_TYPE: ctype.split(";")[0].strip() or None})
        content = response.content
        if content and ctype and not any(t in ctype for t in _TEXT_TYPES):
            text = f"<{len(content)} bytes of {ctype.split(';')[0]}>"
        else:
            text = response.text
        if self.config.outputMode != "rows":
            return Outcome.ok({S.HTTP_STATUS: status, RESPONSE: text or None})
        try:
            data = json.loads(text) if text.strip() else None
        except ValueError:
            data = text
        if self.envelope and isinstance(data, dict) and isinstance(data.get(self.envelope), list):
            data = data[self.envelope]  # one row per item, as for a bare list
        items = data if isinstance(data, list) else [data] if data is not None else []
        if not items:
            return Outcome.ok({S.HTTP_STATUS: status})
        return Outcome.ok(*[{S.HTTP_STATUS: status, **S.item_values(i, self.item_fields)}
                            for i in items])


def _logic(method: str) -> type[ApiRequestLogic]:
    return type(f"{method.title()}Logic", (ApiRequestLogic,),
                {"method": method, "display_name": f"Server {method}"})


def workflow_dir(provider: Any) -> str | None:
    """The folder relative paths resolve against (paths.py: the workflow's, else Designer's
    temp folder), or None when Designer gave neither."""
    return base_dir(provider)


class _RequestTool(ServerTool):
    """The four request tools: relative output folders resolve against the workflow's folder."""

    def __init__(self, provider: Any) -> None:
        super().__init__(provider)
        if isinstance(self.logic, ApiRequestLogic):
            self.logic.base_dir = workflow_dir(provider)


class ServerGet(_RequestTool):
    """Designer tool: Server GET."""

    TOOL = "ServerGet"
    LOGIC = _logic("GET")


class ServerPost(_RequestTool):
    """Designer tool: Server POST."""

    TOOL = "ServerPost"
    LOGIC = _logic("POST")


class ServerPut(_RequestTool):
    """Designer tool: Server PUT."""

    TOOL = "ServerPut"
    LOGIC = _logic("PUT")


class ServerDelete(_RequestTool):
    """Designer tool: Server DELETE."""

    TOOL = "ServerDelete"
    LOGIC = _logic("DELETE")
