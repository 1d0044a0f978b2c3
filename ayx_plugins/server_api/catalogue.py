"""The endpoint catalogue: every v3 operation plus the v1/v2 ones, as data to list and call."""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Mapping
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import TYPE_CHECKING, Any, Literal

from .values import build_multipart, encode_value, render_path

if TYPE_CHECKING:
    from .client import ServerClient

__all__ = ["Catalogue", "Endpoint", "call_endpoint", "encode_form_value", "load_catalogue"]

_PARAM = re.compile(r"\{([^{}]+)\}")


@dataclass(frozen=True)
class Endpoint:
    """One API operation: method, path (relative to the API base) and its parameters."""

    name: str
    method: str
    path: str
    summary: str = ""
    path_params: tuple[str, ...] = ()
    query: tuple[str, ...] = ()
    form: tuple[str, ...] = ()
    files: tuple[str, ...] = ()
    body: tuple[str, ...] = ()
    response: str = ""
    api: str = "v3"

    @property
    def returns_file(self) -> bool:
        """True when the answer is a file (a package, a job output), not JSON: any body goes."""
        return self.response == "file" or self.path.endswith(("/package", "/output/{outputId}"))

    @property
    def multipart(self) -> bool:
        """True when the operation takes an upload: send real multipart/form-data."""
        return bool(self.files)

    def render_path(self, values: Mapping[str, Any] | None = None) -> str:
        """The path with its `{params}` filled in and checked (`values.render_path`).

        A missing parameter is a PathParameterError (a ValueError); `.`, `..` or a `/` in a value
        a `PathEscapeError`: both before any request.
        """
        return render_path(self.path, values)

    def describe(self) -> str:
        """One line for listings."""
        extra = []
        if self.query:
            extra.append("query: " + ",".join(self.query))
        if self.files:
            extra.append("multipart: " + ",".join(self.files + self.form))
        elif self.body:
            extra.append("json body")
        tail = f"  [{'; '.join(extra)}]" if extra else ""
        return f"{self.method:<6} {self.path:<58} {self.name}{tail}"


# Operations the v3 swagger lacks: the v1 subscription API, user v2 and legacy admin publish.
_EXTRA: list[dict[str, Any]] = [
    {"op": "v1_get_subscription_workflows", "method": "GET", "path": "/v1/workflows/subscription",
     "summary": "List the workflows in the user's subscription (studio).",
     "query": ["sortField", "direction", "offset", "limit", "search", "packageType"],
     "response": "[Workflow]"},
    {"op": "v1_get_workflow_questions", "method": "GET", "path": "/v1/workflows/{appId}/questions",
     "summary": "List a workflow's questions (analytic app inputs).", "response": "[Question]"},
    {"op": "v1_enqueue_job", "method": "POST", "path": "/v1/workflows/{appId}/jobs",
     "summary": "Queue a job for a workflow.", "body": ["questions", "priority"],
     "response": "Job"},
    {"op": "v1_get_workflow_jobs", "method": "GET", "path": "/v1/workflows/{appId}/jobs",
     "summary": "List a workflow's jobs.",
     "query": ["sortField", "direction", "offset", "limit"], "response": "[JobList]"},
    {"op": "v1_get_job", "method": "GET", "path": "/v1/jobs/{jobId}",
     "summary": "Retrieve a job with its messages and outputs.", "query": ["includeMessages"],
     "response": "Job"},
    {"op": "v1_get_workflow_package", "method": "GET", "path": "/v1/workflows/{appId}/package",
     "summary": "Download a workflow package (.yxzp).", "response": "file"},
    {"op": "user_v2_get_credentials", "method": "GET", "path": "/user/v2/credentials",
     "summary": "List the credentials shared with the user.", "response": "[Credential]"},
    {"op": "user_v2_upload_input_file", "method": "POST", "path": "/user/v2/inputfiles",
     "summary": "Upload a file to use as a question value (returns its id).",
     "files": ["inputFile"], "response": "str"},
    {"op": "user_v2_enqueue_job", "method": "POST", "path": "/user/v2/workflows/{appId}/jobs",
     "summary": "Queue a job with a credential.", "body": ["questions", "priority", "credentialId"],
     "response": "Job"},
    {"op": "admin_v1_publish_workflow", "method": "POST", "path": "/admin/v1/workflows",
     "summary": "Publish a workflow package (legacy admin API; sourceId replaces an app).",
     "form": ["name", "owner", "validate", "isPublic", "sourceId", "workerTag", "canDownload",
              "comments"],
     "files": ["file"], "response": "str"},
]  # fmt: skip


def _endpoint(op: Mapping[str, Any]) -> Endpoint:
    path = str(op["path"]).lstrip("/")
    first = path.split("/", 1)[0]
    api = first if first in ("v1", "v3") else "/".join(path.split("/", 2)[:2])
    return Endpoint(
        name=str(op["op"]),
        method=str(op["method"]).upper(),
        path=path,
        summary=str(op.get("summary", "")),
        path_params=tuple(_PARAM.findall(path)),
        query=tuple(op.get("query") or ()),
        form=tuple(op.get("form") or ()),
        files=tuple(op.get("files") or ()),
        body=tuple(op.get("body") or ()),
        response=str(op.get("response") or ""),
        api=api,
    )


class Catalogue:
    """The endpoints, looked up by name (or by "METHOD path")."""

    def __init__(self, endpoints: Iterable[Endpoint]) -> None:
        self._endpoints = sorted(endpoints, key=lambda e: (e.path, e.method))
        self._by_name = {e.name.lower(): e for e in self._endpoints}
        self._by_route = {(e.method, e.path.lower()): e for e in self._endpoints}

    def __len__(self) -> int:
        return len(self._endpoints)

    def all(self) -> list[Endpoint]:
        """Every endpoint, sorted by path then method."""
        return list(self._endpoints)

    def get(self, name: str) -> Endpoint:
        """The endpoint called `name` (or "METHOD path"); KeyError names close matches."""
        key = name.strip()
        found = self._by_name.get(key.lower())
        if found is None and " " in key:
            method, path = key.split(None, 1)
            found = self._by_route.get((method.upper(), path.strip().lstrip("/").lower()))
        if found is None:
            close = [e.name for e in self._endpoints if key.lower() in e.name.lower()][:5]
            hint = f"; did you mean {', '.join(close)}?" if close else ""
            raise KeyError(f"no endpoint named {name!r}{hint}")
        return found

    def for_method(self, method: str) -> list[Endpoint]:
        """The endpoints with this HTTP method."""
        return [e for e in self._endpoints if e.method == method.upper()]

    def match(self, method: str, path: str) -> Endpoint | None:
        """The endpoint whose path template matches a concrete path, if any."""
        clean = path.split("?", 1)[0].strip("/")
        for e in self._endpoints:
            if e.method != method.upper():
                continue
            pieces = _PARAM.split(e.path)  # literal, name, literal, name, ...
            pattern = "".join(re.escape(p) if i % 2 == 0 else "[^/]+" for i, p in enumerate(pieces))
            if re.fullmatch(pattern, clean, flags=re.IGNORECASE):
                return e
        return None


@lru_cache(maxsize=1)
def load_catalogue() -> Catalogue:
    """The packaged catalogue: the 91 v3 operations plus the v1/v2 ones they lack."""
    name = "v3-swagger-derived-endpoints.json"
    try:  # importlib.resources also reads from a zip (a packaged main.pyz)
        text = resources.files("ayx_plugins.server_api").joinpath(f"data/{name}").read_text("utf-8")
    except (OSError, ValueError, TypeError):  # odd loaders (stale editable installs)
        text = (Path(__file__).with_name("data") / name).read_text(encoding="utf-8")
    ops = list(json.loads(text)["operations"]) + _EXTRA
    return Catalogue(_endpoint(op) for op in ops)


encode_form_value = encode_value  # the one value encoder (values.encode_value), old name


def call_endpoint(
    client: ServerClient,
    endpoint: Endpoint | str,
    *,
    path_params: Mapping[str, Any] | None = None,
    params: Any = None,
    json: Any = None,
    form: Mapping[str, Any] | None = None,
    files: Mapping[str, Any] | None = None,
) -> Any:
    """Call a catalogue endpoint; uploads go as real multipart/form-data, never JSON.

    `files` maps a part name to a path, bytes, or a (filename, bytes-or-file) tuple.
    """
    ep = load_catalogue().get(endpoint) if isinstance(endpoint, str) else endpoint
    path = ep.render_path(path_params)
    fields = {k: encode_value(v) for k, v in (form or {}).items()}
    with ExitStack() as stack:
        if ep.multipart or files:
            parts = build_multipart(stack, form, files)
            return client.request_json(ep.method, path, params=params, files=parts)
        expect: Literal["json", "any"] = "any" if ep.returns_file else "json"
        if fields:
            return client.request_json(ep.method, path, params=params, data=fields, expect=expect)
        return client.request_json(ep.method, path, params=params, json=json, expect=expect)
