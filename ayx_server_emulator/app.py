"""The Flask application: auth, the WSGI fault/counter layer, and the workflow and job routes."""

from __future__ import annotations

import contextlib
import hmac
import json
import socket
import threading
import time
from collections.abc import Callable, Iterable
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from flask import Flask, Response, g, request
from werkzeug.exceptions import HTTPException, MethodNotAllowed, NotFound
from werkzeug.routing import Map

from . import auth
from ._util import public
from .models import validate
from .responses import (
    DENIED,
    bool_arg,
    denied,
    fail,
    int_arg,
    invalid,
    json_body,
    json_object,
    json_response,
    legacy_envelope,
    not_found,
    view_arg,
)
from .state import (
    OUTPUT_FORMATS,
    PRIORITIES,
    PRIORITY_FROM_V1,
    PRIORITY_V1,
    ROLE_RANK,
    State,
    date_in_range,
)

if TYPE_CHECKING:
    from .server import EmulatorServer

WEBAPI = "/webapi"
GALLERY = "/gallery/api"
ADMIN = "/_emulator"
PACKAGE_TYPE_V1 = {"App": 0, "Workflow": 1, "Macro": 2}

StartResponse = Callable[..., Any]


# ----------------------------------------------------------------------------- WSGI layer
class EmulatorWSGI:
    """Wraps the Flask app: trailing slashes, counters, fault injection, dropped connections."""

    def __init__(self, app: Flask, emu: EmulatorServer) -> None:
        self.app = app
        self.emu = emu

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        path: str = environ.get("PATH_INFO", "") or "/"
        raw_uri = environ.get("RAW_URI") or environ.get("REQUEST_URI") or path
        environ["emulator.raw_path"] = urlsplit(raw_uri).path or path
        if path.startswith(ADMIN + "/") or path == ADMIN:
            return self.app(environ, start_response)
        # Alteryx accepts paths with or without the trailing slash (legacy clients send one).
        if len(path) > 1 and path.endswith("/"):
            path = path.rstrip("/") or "/"
            environ["PATH_INFO"] = path
        method = environ.get("REQUEST_METHOD", "GET").upper()
        try:
            rule, _ = self.app.url_map.bind_to_environ(environ).match(return_rule=True)
            template = rule.rule
        except HTTPException:
            template = path
        emu = self.emu
        environ["emulator.seq"] = emu.counters.next_request(method, template)
        decision = emu.faults.decide(method, path)
        if decision.rule_ids:
            emu.counters.fault()
        if decision.delay > 0:
            time.sleep(decision.delay)
        if decision.drop_before:
            _drop(environ)
        if decision.status is not None:
            resp = _fault_response(decision.status, decision.retry_after)
            emu.counters.status(decision.status)
            return resp(environ, start_response)

        captured: list[int] = []

        def counting_start(status: str, headers: list[tuple[str, str]],
                           exc_info: Any = None) -> Any:
            captured.append(int(status.split(" ", 1)[0]))
            if decision.drop_after:
                return lambda _data: None
            return start_response(status, headers, exc_info)

        body = self.app(environ, counting_start)
        if captured:
            emu.counters.status(captured[0])
        if decision.drop_after:
            # The handler ran (a job may exist now); the client never hears about it.
            try:
                for _chunk in body:
                    pass
            finally:
                close = getattr(body, "close", None)
                if close:
                    close()
            _drop(environ)
        return body


def _drop(environ: dict[str, Any]) -> None:
    sock = environ.get("werkzeug.socket")
    if sock is not None:
        with contextlib.suppress(OSError):
            sock.shutdown(socket.SHUT_RDWR)
    # werkzeug treats a ConnectionError as a dropped client and writes nothing more.
    raise ConnectionAbortedError("emulator fault: connection dropped")


def _fault_response(status: int, retry_after: float | None) -> Response:
    messages = {429: "Too many requests. Please retry later.",
                500: "An error has occurred.", 502: "Bad Gateway",
                503: "The service is unavailable.", 504: "Gateway Timeout"}
    resp = json_response({"message": messages.get(status, "Injected fault.")}, status)
    if retry_after is not None:
        resp.headers["Retry-After"] = str(int(retry_after) if float(retry_after).is_integer()
                                          else retry_after)
    return resp


# ----------------------------------------------------------------------------- the app
class _EmulatorFlask(Flask):
    """Flask that can reuse an already compiled URL map.

    Compiling ~160 werkzeug rules costs a quarter of a second; every emulator serves the same
    rules, so later instances only bind their own view functions to the shared, read-only map.
    """

    reuse_map = False

    def add_url_rule(self, rule: str, endpoint: str | None = None,
                     view_func: Callable[..., Any] | None = None,
                     provide_automatic_options: bool | None = None, **options: Any) -> None:
        if not self.reuse_map:
            super().add_url_rule(rule, endpoint, view_func, provide_automatic_options,
                                 **options)
            return
        if view_func is not None:
            self.view_functions[endpoint or view_func.__name__] = view_func


_SHARED_MAP: list[Map] = []
_SHARED_MAP_LOCK = threading.Lock()


def create_app(emu: EmulatorServer) -> Flask:
    """Build the Flask app serving both API families and the /_emulator admin endpoints."""
    with _SHARED_MAP_LOCK:
        app = _EmulatorFlask("ayx_server_emulator", static_folder=None)
        if _SHARED_MAP:
            app.url_map = _SHARED_MAP[0]
            app.reuse_map = True
        else:
            app.url_map.strict_slashes = False
        _build(app, emu)
        if not _SHARED_MAP:
            _SHARED_MAP.append(app.url_map)
    return app


def _build(app: Flask, emu: EmulatorServer) -> None:
    app.json.sort_keys = False  # type: ignore[attr-defined]
    app.extensions["emulator"] = emu

    @app.before_request
    def _authenticate() -> Response | None:
        path = request.path
        g.family = "gallery" if path.startswith(GALLERY) else "webapi"
        if path.startswith(ADMIN):
            return None
        if path.startswith(GALLERY) and not emu.config.legacy_enabled:
            status = emu.config.legacy_removed_status
            return Response("<html><body><h1>Not Found</h1></body></html>", status=status,
                            mimetype="text/html")
        exc = request.routing_exception
        if isinstance(exc, MethodNotAllowed):
            return json_response({"message": "The requested resource does not support http "
                                  f"method '{request.method}'."}, 405)
        if isinstance(exc, NotFound) or exc is not None:
            return json_response({"message": "No HTTP resource was found that matches the "
                                  f"request URI '{request.url}'."}, 404)
        if path == WEBAPI + "/oauth2/token":
            return None
        if path.startswith(GALLERY):
            return _oauth1(emu)
        return _bearer(emu)

    @app.errorhandler(HTTPException)
    def _http_error(exc: HTTPException) -> Response:
        resp = exc.get_response()
        if isinstance(exc.response, Response):
            return exc.response
        return json_response({"message": exc.description or resp.status}, exc.code or 500)

    from . import admin_routes, legacy_routes, resources

    _register_core(app, emu)
    legacy_routes.register(app, emu)
    resources.register(app, emu)
    admin_routes.register(app, emu)


def _bearer(emu: EmulatorServer) -> Response | None:
    header = request.headers.get("Authorization", "")
    token = header[7:].strip() if header[:7].lower() == "bearer " else ""
    user_id = emu.tokens.lookup(token) if token else None
    user = emu.state.users.get(user_id or "")
    if user is None or not user.get("isActive", True):
        return json_response({"message": DENIED}, 401)
    g.user = user
    g.key_kind = "api"
    return None


def _oauth1(emu: EmulatorServer) -> Response | None:
    cfg = emu.config
    base = (cfg.external_base_url.rstrip("/") if cfg.external_base_url
            else f"{request.scheme}://{request.host}")
    req = auth.OAuth1Request(method=request.method, base_uri=base + request.environ.get(
        "emulator.raw_path", request.path), raw_query=request.query_string.decode("latin-1"),
        authorization=request.headers.get("Authorization"))
    try:
        params = auth.oauth_params(req)
        key = params.get("oauth_consumer_key", "")
        if not key:
            raise auth.OAuth1Error("Missing required parameter: oauth_consumer_key.")
        with emu.state.lock:
            found = emu.state.find_key(key)
        if found is None:
            raise auth.OAuth1Error("The provided API Key (oauth_consumer_key) is invalid.")
        user, kind = found
        secret = user["_apiSecret"] if kind == "api" else user["_studioSecret"]
        auth.verify_oauth1(req, params, secret, server_time=emu.state.now(),
                           skew=cfg.timestamp_skew, skew_message=cfg.skew_message)
        if cfg.reject_nonce_replay and not emu.nonces.check_and_add(
                key, params["oauth_timestamp"], params["oauth_nonce"], cfg.timestamp_skew):
            raise auth.OAuth1Error("The provided nonce (oauth_nonce) has already been used.")
    except auth.OAuth1Error as exc:
        return legacy_envelope(str(exc))
    if not user.get("isActive", True) or not user.get("isApiEnabled", True):
        return legacy_envelope(DENIED)
    if cfg.strict_legacy_keys:
        sub = request.path[len(GALLERY):]
        wants_studio = sub.startswith("/v1/")
        if (kind == "studio") != wants_studio:
            return legacy_envelope(DENIED)
    g.user = user
    g.key_kind = kind
    return None


# ----------------------------------------------------------------------------- helpers
def _emu() -> EmulatorServer:
    from flask import current_app
    emu: EmulatorServer = current_app.extensions["emulator"]
    return emu


def role_at_least(state: State, user: dict[str, Any], role: str) -> bool:
    """Tell whether the user's effective role is at least `role`."""
    return ROLE_RANK.get(state.effective_role(user), 0) >= ROLE_RANK[role]


def require_role(role: str) -> None:
    """Deny (401) users below `role`."""
    emu = _emu()
    if not role_at_least(emu.state, g.user, role):
        denied()


def visible_workflow(wid: str) -> dict[str, Any]:
    """The workflow if it exists (404) and the caller may use it (401)."""
    state = _emu().state
    wf = state.workflows.get(wid)
    if wf is None:
        not_found("Workflow", wid)
    if not state.can_see_workflow(g.user, wf):
        denied()
    return wf


def visible_job(job_id: str) -> dict[str, Any]:
    """The job if it exists (404) and the caller may see it (401)."""
    state = _emu().state
    job = state.jobs.get(job_id)
    if job is None:
        not_found("Job", job_id)
    wf = state.workflows.get(job["appId"])
    if not (job["_userId"] == g.user["id"] or role_at_least(state, g.user, "Curator")
            or (wf is not None and state.can_see_workflow(g.user, wf))):
        denied()
    return job


def reduced_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """ReducedWorkflowView (the v3 Default view)."""
    published = next((v for v in wf["versions"] if v["versionId"] == wf["publishedVersionId"]),
                     None)
    return {"id": wf["id"], "sourceAppId": wf["sourceAppId"], "name": wf["name"],
            "ownerId": wf["ownerId"], "dateCreated": wf["dateCreated"],
            "publishedVersionNumber": published["versionNumber"] if published else None,
            "isAmp": True, "executionMode": wf["executionMode"]}


def full_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """WorkflowView (the v3 Full view and GET /v3/workflows/{id})."""
    return public(wf)


def v1_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """The v1 Workflow model."""
    published = next((v for v in wf["versions"] if v["versionId"] == wf["publishedVersionId"]),
                     wf["versions"][-1])
    return {"id": wf["id"], "subscriptionId": wf["_subscriptionId"], "public": wf["isPublic"],
            "runDisabled": False, "packageType": PACKAGE_TYPE_V1.get(wf["_packageType"], 1),
            "uploadDate": published["uploadDate"], "fileName": published["details"]["fileName"],
            "metaInfo": {"name": wf["name"], "description": "", "author": "", "copyright": "",
                         "url": "", "urlText": "", "outputMessage": "",
                         "noOutputFilesMessage": ""},
            "isChained": False, "version": published["versionNumber"],
            "runCount": wf["runCount"], "workerTag": wf["workerTag"], "isE2": False}


def job_v3(job: dict[str, Any], *, include_messages: bool = True) -> dict[str, Any]:
    """JobView (v3); includeMessages=false leaves the messages out."""
    view = public(job)
    view["outputs"] = [dict(o) for o in job["outputs"]]
    if include_messages:
        view["messages"] = [dict(m) for m in job["messages"]]
    else:
        view.pop("messages", None)
    return view


def job_v1(job: dict[str, Any], *, include_messages: bool = True) -> dict[str, Any]:
    """The v1 Job model: createDate, integer priority, outputs {id, formats, name}."""
    view: dict[str, Any] = {
        "id": job["id"], "appId": None, "createDate": job["createDateTime"],
        "status": job["status"], "disposition": job["disposition"],
        "outputs": [{"id": o["id"], "formats": list(o["availableFormats"]),
                     "name": o["fileName"]} for o in job["outputs"]],
        "messages": [dict(m) for m in job["messages"]] if include_messages else [],
        "priority": PRIORITY_V1.get(job["priority"], 0), "workerTag": job["workerTag"],
        "runWithE2": False}
    return view


def _questions_arg(body: dict[str, Any]) -> list[dict[str, Any]]:
    questions = body.get("questions")
    if questions is None:
        return []
    if not isinstance(questions, list):
        invalid({"contract.questions": ["questions must be an array of {name, value}."]})
    for i, q in enumerate(questions):
        if not isinstance(q, dict) or not isinstance(q.get("name"), str) or not q["name"]:
            invalid({f"contract.questions[{i}].name": ["The name field is required."]})
        if q.get("value") is not None and not isinstance(q["value"], str | int | float | bool):
            invalid({f"contract.questions[{i}].value": ["value must be a string."]})
    return questions


def _start_job(wf: dict[str, Any], body: dict[str, Any], priority: str) -> dict[str, Any]:
    emu = _emu()
    state = emu.state
    questions = _questions_arg(body)
    worker_tag = body.get("workerTag") or ""
    if not isinstance(worker_tag, str):
        invalid({"contract.workerTag": ["workerTag must be a string."]})
    credential_id = body.get("credentialId") or None
    if credential_id is not None and credential_id not in state.credentials:
        invalid({"contract.credentialId": [f"Credential '{credential_id}' was not found."]})
    cfg = emu.config
    job = state.create_job(wf, g.user, questions=questions, priority=priority,
                           worker_tag=worker_tag, credential_id=credential_id,
                           timing=cfg.job_timing, seconds=cfg.job_seconds)
    emu.counters.job_created({
        "jobId": job["id"], "workflowId": wf["id"], "requestSeq": request.environ.get(
            "emulator.seq"), "clientRequestId": request.headers.get("X-Request-Id"),
        "path": request.path, "userId": g.user["id"]})
    return job


def _page(items: list[Any], offset: int | None, limit: int | None) -> list[Any]:
    start = offset or 0
    return items[start:] if limit is None else items[start:start + limit]


# ----------------------------------------------------------------------------- core routes
def _register_core(app: Flask, emu: EmulatorServer) -> None:
    state = emu.state

    def both(rule: str, methods: list[str], view: Callable[..., Any], *,
             families: tuple[str, ...] = (WEBAPI, GALLERY)) -> None:
        for prefix in families:
            app.add_url_rule(prefix + rule, endpoint=f"{prefix}{rule}:{','.join(methods)}",
                             view_func=view, methods=methods)

    # ---- OAuth2 token
    def token() -> Response:
        def err(code: str, description: str) -> Response:
            return json_response({"error": code, "error_description": description}, 400)
        if request.mimetype != "application/x-www-form-urlencoded":
            return err("invalid_request", "The request must be form-url-encoded.")
        form = request.form
        if form.get("grant_type") != "client_credentials":
            return err("unsupported_grant_type", "grant_type must be client_credentials.")
        basic = auth.parse_basic(request.headers.get("Authorization"))
        in_body = form.get("client_id") is not None or form.get("client_secret") is not None
        if basic and in_body:
            return err("invalid_request", "Client credentials were sent more than once.")
        key, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret", ""))
        with state.lock:
            found = state.find_key(key) if key else None
        if (found is None or found[1] != "api" or not hmac.compare_digest(
                found[0]["_apiSecret"].encode(), secret.encode())
                or not found[0].get("isApiEnabled", True) or not found[0].get("isActive", True)):
            return err("invalid_client", "The client credentials are invalid.")
        lifetime = emu.config.token_lifetime
        value = emu.tokens.issue(found[0]["id"], lifetime)
        emu.counters.token_issued()
        resp = json_response({"access_token": value, "token_type": "bearer",
                              "expires_in": int(lifetime)})
        resp.headers["Cache-Control"] = "no-store"
        return resp

    app.add_url_rule(WEBAPI + "/oauth2/token", view_func=token, methods=["POST"])

    # ---- v3 workflows
    def list_workflows() -> Response:
        view = view_arg()
        name = request.args.get("name")
        owner = request.args.get("ownerId")
        after, before = request.args.get("createdAfter"), request.args.get("createdBefore")
        if not role_at_least(state, g.user, "Artisan"):
            denied()
        with state.lock:
            items = [wf for wf in state.workflows.values()
                     if state.can_see_workflow(g.user, wf)
                     and (not name or name.lower() in wf["name"].lower())
                     and (not owner or wf["ownerId"] == owner)
                     and date_in_range(wf["dateCreated"], after, before)]
            out = [full_workflow(w) if view == "Full" else reduced_workflow(w) for w in items]
        return json_response(out)

    def get_workflow(workflowId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            return json_response(full_workflow(visible_workflow(workflowId)))

    app.add_url_rule(WEBAPI + "/v3/workflows", view_func=list_workflows, methods=["GET"])
    app.add_url_rule(WEBAPI + "/v3/workflows/<workflowId>", view_func=get_workflow,
                     methods=["GET"])

    def workflow_questions(workflowId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            wf = visible_workflow(workflowId)
            version_id = request.args.get("versionId")
            if version_id and not any(v["versionId"] == version_id for v in wf["versions"]):
                not_found("Version", version_id)
            return json_response([dict(q) for q in wf["_questions"]])

    app.add_url_rule(WEBAPI + "/v3/workflows/<workflowId>/questions",
                     view_func=workflow_questions, methods=["GET"])

    def package_v3(workflowId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            wf = visible_workflow(workflowId)
            vid = request.args.get("versionId") or wf["publishedVersionId"]
            data = wf["_packages"].get(vid)
            if data is None:
                not_found("Version", vid)
            if wf["ownerId"] != g.user["id"] and not wf["othersMayDownload"] and \
                    not role_at_least(state, g.user, "Curator"):
                denied()
            return _package_response(wf, data)

    app.add_url_rule(WEBAPI + "/v3/workflows/<workflowId>/package", view_func=package_v3,
                     methods=["GET"])

    # ---- v3 jobs
    def create_job_v3(workflowId: str) -> Response:
        require_role("Artisan")
        body = json_object("contract")
        errors = validate("EnqueueJobContract", body)
        if errors:
            invalid(errors)
        priority = body.get("priority") or "Default"
        if priority not in PRIORITIES:
            invalid({"contract.priority": [f"priority must be one of {', '.join(PRIORITIES)}."]})
        with state.lock:
            wf = visible_workflow(workflowId)
            if wf["ownerId"] != g.user["id"] and not wf["othersCanExecute"] and \
                    not role_at_least(state, g.user, "Curator"):
                denied()
            job = _start_job(wf, body, priority)
            return json_response(job_v3(job))

    def list_jobs_v3(workflowId: str) -> Response:
        require_role("Artisan")
        offset = int_arg("offset")
        limit = int_arg("limit")
        direction = (request.args.get("direction") or "desc").lower()
        if direction not in ("asc", "desc"):
            invalid({"direction": ["direction must be asc or desc."]})
        sort_field = (request.args.get("sortField") or "createdate").lower()
        if sort_field not in ("createdate", "status", "priority"):
            invalid({"sortField": ["sortField must be createDate, status or priority."]})
        status = request.args.get("status")
        result = request.args.get("resultCode")
        with state.lock:
            wf = visible_workflow(workflowId)
            jobs = [j for j in state.jobs.values() if j["appId"] == wf["id"]]
            for j in jobs:
                state.refresh_job(j, read=False)
            if status:
                jobs = [j for j in jobs if j["status"].lower() == status.lower()]
            if result:
                jobs = [j for j in jobs if j["disposition"].lower() == result.lower()]
            key = {"createdate": "createDateTime", "status": "status",
                   "priority": "priority"}[sort_field]
            jobs.sort(key=lambda j: (j[key], j["id"]), reverse=direction == "desc")
            out = [{"id": j["id"], "createDate": j["createDateTime"], "status": j["status"],
                    "priority": j["priority"], "workerTag": j["workerTag"],
                    "runWithE2": False} for j in _page(jobs, offset, limit)]
        return json_response(out)

    app.add_url_rule(WEBAPI + "/v3/workflows/<workflowId>/jobs", view_func=create_job_v3,
                     methods=["POST"])
    app.add_url_rule(WEBAPI + "/v3/workflows/<workflowId>/jobs", view_func=list_jobs_v3,
                     methods=["GET"], endpoint="list_jobs_v3")

    def get_job_v3(jobId: str) -> Response:
        require_role("Artisan")
        include = bool_arg("includeMessages", True)
        with state.lock:
            job = visible_job(jobId)
            state.refresh_job(job, read=True)
            return json_response(job_v3(job, include_messages=bool(include)))

    def job_messages_v3(jobId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            job = visible_job(jobId)
            state.refresh_job(job, read=True)
            return json_response([dict(m) for m in job["messages"]])

    app.add_url_rule(WEBAPI + "/v3/jobs/<jobId>", view_func=get_job_v3, methods=["GET"])
    app.add_url_rule(WEBAPI + "/v3/jobs/<jobId>/messages", view_func=job_messages_v3,
                     methods=["GET"])

    # ---- v1 subscription API (both families)
    def subscription_workflows() -> Response:
        require_role("Artisan")
        offset, limit = int_arg("offset"), int_arg("limit")
        search = (request.args.get("search") or "").lower()
        sort_field = (request.args.get("sortField") or "").lower()
        direction = (request.args.get("direction") or "asc").lower()
        package_type = int_arg("packageType")
        if direction not in ("asc", "desc"):
            invalid({"direction": ["direction must be asc or desc."]})
        sortable = {"name": lambda w: w["name"].lower(), "uploaddate": lambda w: w["dateCreated"],
                    "runcount": lambda w: w["runCount"], "owner": lambda w: w["ownerId"],
                    "subscriptionid": lambda w: w["_subscriptionId"],
                    "": lambda w: w["dateCreated"],
                    "author": lambda w: "", "copyright": lambda w: "", "description": lambda w: "",
                    "datemadepublic": lambda w: w["dateCreated"], "executionmode":
                    lambda w: w["executionMode"]}
        if sort_field not in sortable:
            invalid({"sortField": [f"The value '{sort_field}' is not valid for sortField."]})
        with state.lock:
            sub = g.user["_subscriptionId"]
            items = [w for w in state.workflows.values() if w["_subscriptionId"] == sub
                     and (not search or search in w["name"].lower())
                     and (package_type is None
                          or PACKAGE_TYPE_V1.get(w["_packageType"], 1) == package_type)]
            items.sort(key=sortable[sort_field], reverse=direction == "desc")
            out = [v1_workflow(w) for w in _page(items, offset, limit)]
        return json_response(out)

    both("/v1/workflows/subscription", ["GET"], subscription_workflows)

    def questions_v1(appId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            wf = visible_workflow(appId)
            return json_response([{"name": q["name"], "type": q.get("questionType", ""),
                                   "description": q.get("description", ""),
                                   "value": q.get("value"), "items": list(q.get("items", [])),
                                   "multiple": bool(q.get("multiple", False))}
                                  for q in wf["_questions"]])

    both("/v1/workflows/<appId>/questions", ["GET"], questions_v1)

    def create_job_v1(appId: str) -> Response:
        require_role("Artisan")
        body = json_body("job", required=False) or {}
        if not isinstance(body, dict):
            invalid({"job": ["A JSON object is expected."]})
        raw_priority = body.get("priority", 0)
        if isinstance(raw_priority, int) and raw_priority in PRIORITY_FROM_V1:
            priority = PRIORITY_FROM_V1[raw_priority]
        elif isinstance(raw_priority, str) and raw_priority in PRIORITIES:
            priority = raw_priority
        elif raw_priority is None:
            priority = "Default"
        else:
            invalid({"job.priority": [f"The value '{raw_priority}' is not valid for priority."]})
        with state.lock:
            wf = visible_workflow(appId)
            job = _start_job(wf, body, priority)
            return json_response(job_v1(job), pretty=_pretty_v1(emu))

    def list_jobs_v1(appId: str) -> Response:
        require_role("Artisan")
        offset, limit = int_arg("offset"), int_arg("limit")
        direction = (request.args.get("direction") or "desc").lower()
        if direction not in ("asc", "desc"):
            invalid({"direction": ["direction must be asc or desc."]})
        with state.lock:
            wf = visible_workflow(appId)
            jobs = [j for j in state.jobs.values() if j["appId"] == wf["id"]]
            for j in jobs:
                state.refresh_job(j, read=False)
            jobs.sort(key=lambda j: (j["createDateTime"], j["id"]), reverse=direction == "desc")
            out = [{"id": j["id"], "createDate": j["createDateTime"], "status": j["status"],
                    "disposition": j["disposition"], "priority": PRIORITY_V1[j["priority"]],
                    "workerTag": j["workerTag"], "runWithE2": False}
                   for j in _page(jobs, offset, limit)]
        return json_response(out)

    both("/v1/workflows/<appId>/jobs", ["POST"], create_job_v1)
    for prefix in (WEBAPI, GALLERY):
        app.add_url_rule(prefix + "/v1/workflows/<appId>/jobs", view_func=list_jobs_v1,
                         methods=["GET"], endpoint=f"{prefix}:list_jobs_v1")

    def get_job_v1(jobId: str) -> Response:
        require_role("Artisan")
        include = bool_arg("includeMessages", True)
        with state.lock:
            job = visible_job(jobId)
            state.refresh_job(job, read=True)
            return json_response(job_v1(job, include_messages=bool(include)),
                                 pretty=_pretty_v1(emu))

    both("/v1/jobs/<jobId>", ["GET"], get_job_v1)

    def job_output(jobId: str, outputId: str) -> Response:
        require_role("Artisan")
        fmt = request.args.get("format")
        if fmt is None or fmt == "":
            if g.family == "webapi":
                invalid({"format": ["The format field is required."]})
            fmt = "Raw"
        if fmt not in OUTPUT_FORMATS:
            invalid({"format": [f"The value '{fmt}' is not valid for format."]})
        attachment = bool_arg("attachment", False)
        with state.lock:
            job = visible_job(jobId)
            state.refresh_job(job, read=True)
            output = next((o for o in job["outputs"] if o["id"] == outputId), None)
            if output is None or outputId not in job["_files"]:
                not_found("Output", outputId)
            if fmt != "Raw" and fmt not in output["availableFormats"]:
                invalid({"format": [f"The output is not available as '{fmt}'."]})
            name, data = job["_files"][outputId]
        resp = Response(data, mimetype="text/csv" if fmt == "Csv" else
                        "application/octet-stream")
        disposition = "attachment" if attachment else "inline"
        resp.headers["Content-Disposition"] = f'{disposition}; filename="{name}"'
        return resp

    both("/v1/jobs/<jobId>/output/<outputId>", ["GET"], job_output)

    def package_v1(appId: str) -> Response:
        require_role("Artisan")
        with state.lock:
            wf = visible_workflow(appId)
            vid = wf["publishedVersionId"]
            number = request.args.get("version")
            if number:
                match = next((v for v in wf["versions"] if str(v["versionNumber"]) == number),
                             None)
                if match is None:
                    not_found("Version", number)
                vid = match["versionId"]
            return _package_response(wf, wf["_packages"][vid])

    app.add_url_rule(WEBAPI + "/v1/workflows/<appId>/package", view_func=package_v1,
                     methods=["GET"], endpoint="webapi:package_v1")
    app.add_url_rule(GALLERY + "/v1/<appId>/package", view_func=package_v1, methods=["GET"],
                     endpoint="gallery:package_v1")


def _pretty_v1(emu: EmulatorServer) -> bool:
    return g.family == "webapi" and emu.config.pretty_v1_jobs


def _package_response(wf: dict[str, Any], data: bytes) -> Response:
    resp = Response(data, mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f'attachment; filename="{wf["name"]}.yxzp"'
    return resp


def parse_json_text(text: str) -> Any:
    """json.loads that returns None instead of raising."""
    try:
        return json.loads(text)
    except ValueError:
        return None


__all__ = ["EmulatorWSGI", "create_app", "fail"]
