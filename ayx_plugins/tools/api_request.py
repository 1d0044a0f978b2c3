"""Server GET / POST / PUT / DELETE: one call of any API endpoint per record (one implementation,
four tools that differ only by their HTTP method).

The endpoint is a catalogue operation (`endpoint`) or a typed path (`path`, relative to the API
base, `{param}` placeholders allowed). Path parameters come from fields (`pathParamFields`, else
a field with the parameter's name); query parameters from fixed values and fields (a null field
is left out); the body from a JSON field, from chosen fields, or as a multipart upload of the
file a field names. Output "raw": `HTTP Status` + `Response` (the body text). Output "rows": one
row per item of a list response, columns typed from the catalogue's response model; keys the
model does not name go to `Other Fields` (JSON), an unknown model gives one `Item` JSON column,
an empty list gives one row of nulls (so the record is not lost), an object gives one row.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar
from urllib.parse import quote

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.server_api.catalogue import Endpoint, encode_form_value, load_catalogue
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

RESPONSE = "Response"
_PARAM = re.compile(r"\{([^{}]+)\}")
_TEXT_TYPES = ("json", "text", "xml", "javascript", "html")


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


def _jsonable(value: Any) -> Any:
    if isinstance(value, (dt.datetime, dt.date, dt.time)):
        return value.isoformat()
    if isinstance(value, bytes):
        return value.decode("utf-8", "replace")
    return value


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

    def result_fields(self) -> list[pa.Field]:
        """`HTTP Status` + `Response`, or `HTTP Status` + the item columns."""
        status = S.int64(S.HTTP_STATUS, "The HTTP status of the answer")
        if self.config.outputMode == "rows":
            return [status, *self.item_fields]
        return [status, S.wstring(RESPONSE, "The answer's body (JSON text)")]

    def _param_field(self, param: str) -> str:
        return self.config.pathParamFields.get(param, param)

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
        require_fields(input_schema, [self._param_field(p) for p in self.path_params],
                       "Path parameters")
        require_fields(input_schema, list(c.queryFields.values()), "Query parameters")
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
            name = self._param_field(param)
            value = row.get(name)
            if value is None or not str(value).strip():
                raise RowError(f"The path parameter {param} is empty (field '{name}')")
            values[param] = str(value).strip()
        path = _PARAM.sub(lambda m: quote(values[m.group(1)], safe=""), self.template)
        params = {k: str(v) for k, v in c.queryFixed.items()}
        for param, name in c.queryFields.items():
            value = row.get(name)
            if value is not None and str(value) != "":
                params[param] = encode_form_value(_jsonable(value))
        plan = RequestPlan(path, params)
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
        elif c.bodyMode == "multipart":
            file_path = row.get(c.fileField)
            if file_path is None or not str(file_path).strip():
                raise RowError(f"The file path is empty (field '{c.fileField}')")
            if not os.path.isfile(str(file_path)):
                raise RowError(f"The file to upload does not exist: {file_path}")
            plan.file_path = str(file_path)
            plan.form = {form: encode_form_value(_jsonable(row.get(name)))
                         for form, name in c.formFields.items()}
            if self.endpoint and self.endpoint.files:
                plan.file_part = self.endpoint.files[0]
        return plan

    def execute(self, client: ServerClient, plan: RequestPlan) -> Outcome:
        """Send the request; turn the answer into result values."""
        kwargs: dict[str, Any] = {"params": plan.params or None}
        if plan.has_json:
            kwargs["json"] = plan.json_body
        if plan.file_path is not None:
            with open(plan.file_path, "rb") as fh:
                kwargs["data"] = plan.form or {}
                kwargs["files"] = {plan.file_part: (os.path.basename(plan.file_path), fh)}
                response = client.request(self.method, plan.path, **kwargs)
        else:
            response = client.request(self.method, plan.path, **kwargs)
        status = response.status_code
        ctype = (response.headers.get("Content-Type") or "").lower()
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
        items = data if isinstance(data, list) else [data] if data is not None else []
        if not items:
            return Outcome.ok({S.HTTP_STATUS: status})
        return Outcome.ok(*[{S.HTTP_STATUS: status, **S.item_values(i, self.item_fields)}
                            for i in items])


def _logic(method: str) -> type[ApiRequestLogic]:
    return type(f"{method.title()}Logic", (ApiRequestLogic,),
                {"method": method, "display_name": f"Server {method}"})


class ServerGet(ServerTool):
    """Designer tool: Server GET."""

    TOOL = "ServerGet"
    LOGIC = _logic("GET")


class ServerPost(ServerTool):
    """Designer tool: Server POST."""

    TOOL = "ServerPost"
    LOGIC = _logic("POST")


class ServerPut(ServerTool):
    """Designer tool: Server PUT."""

    TOOL = "ServerPut"
    LOGIC = _logic("PUT")


class ServerDelete(ServerTool):
    """Designer tool: Server DELETE."""

    TOOL = "ServerDelete"
    LOGIC = _logic("DELETE")
