"""v3 workflows: list, read, questions, package, publish, versions, update, delete, transfer."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from .._util import date_in_range, public
from ..access import current_state, is_curator, owner_or_curator, visible_workflow
from ..http import (
    bool_arg,
    contract,
    denied,
    empty,
    form_bool,
    form_enum,
    form_json_list,
    form_str,
    get_or_404,
    id_response,
    invalid,
    json_response,
    multipart,
    not_found,
    view_arg,
)
from ..routing import Routes

routes = Routes()
EXECUTION_MODES = ("Safe", "SemiSafe", "Standard")
CREDENTIAL_TYPES = ("Default", "Required", "Specific")


# ----------------------------------------------------------------------------- shapes
def reduced_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """ReducedWorkflowView (the v3 list's Default view)."""
    published = current_state().workflows_backend.published_version(wf)
    return {"id": wf["id"], "sourceAppId": wf["sourceAppId"], "name": wf["name"],
            "ownerId": wf["ownerId"], "dateCreated": wf["dateCreated"],
            "publishedVersionNumber": published["versionNumber"] if published else None,
            "isAmp": wf["_isAmp"], "executionMode": wf["executionMode"]}


def full_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """WorkflowView (GET /v3/workflows/{id})."""
    return public(wf)


def listed_full_workflow(wf: dict[str, Any]) -> dict[str, Any]:
    """The list's view=Full item: the WorkflowView, plus the ReducedWorkflowView fields the
    swagger declares for every list item (publishedVersionNumber, isAmp)."""
    reduced = reduced_workflow(wf)
    return {**full_workflow(wf), "publishedVersionNumber": reduced["publishedVersionNumber"],
            "isAmp": reduced["isAmp"]}


def package_response(wf: dict[str, Any], data: bytes) -> Response:
    """A .yxzp download."""
    resp = Response(data, mimetype="application/octet-stream")
    resp.headers["Content-Disposition"] = f'attachment; filename="{wf["name"]}.yxzp"'
    return resp


def _check_credential(ctype: str | None, cred: str | None, errors: dict[str, list[str]]) -> None:
    if ctype == "Specific" and not cred:
        errors["credentialId"] = ["credentialId is required when workflowCredentialType is "
                                  "Specific."]
    if cred and cred not in current_state().credentials:
        errors["credentialId"] = [f"Credential '{cred}' was not found."]


# ----------------------------------------------------------------------------- reads
@routes.route("/v3/workflows", "GET", role="Artisan")
def list_workflows() -> Response:
    state = current_state()
    view = view_arg()
    name, owner = request.args.get("name"), request.args.get("ownerId")
    after, before = request.args.get("createdAfter"), request.args.get("createdBefore")
    items = [wf for wf in state.workflows.values()
             if state.can_see_workflow(g.user, wf)
             and (not name or name.lower() in wf["name"].lower())
             and (not owner or wf["ownerId"] == owner)
             and date_in_range(wf["dateCreated"], after, before)]
    shape = listed_full_workflow if view == "Full" else reduced_workflow
    return json_response([shape(w) for w in items])


@routes.route("/v3/workflows/<workflowId>", "GET", role="Artisan")
def get_workflow(workflowId: str) -> Response:
    return json_response(full_workflow(visible_workflow(workflowId)))


@routes.route("/v3/workflows/<workflowId>/questions", "GET", role="Artisan")
def workflow_questions(workflowId: str) -> Response:
    wf = visible_workflow(workflowId)
    version_id = request.args.get("versionId")
    if version_id and not any(v["versionId"] == version_id for v in wf["versions"]):
        not_found("Version", version_id)
    return json_response([dict(q) for q in wf["_questions"]])


@routes.route("/v3/workflows/<workflowId>/package", "GET", role="Artisan")
def package(workflowId: str) -> Response:
    wf = visible_workflow(workflowId)
    vid = request.args.get("versionId") or wf["publishedVersionId"]
    data = wf["_packages"].get(vid)
    if data is None:
        not_found("Version", vid)
    if wf["ownerId"] != g.user["id"] and not wf["othersMayDownload"] and not is_curator():
        denied()
    return package_response(wf, data)


# ----------------------------------------------------------------------------- writes
@routes.route("/v3/workflows", "POST", role="Artisan")
def publish() -> Response:
    state = current_state()
    form, upload = multipart()
    errors: dict[str, list[str]] = {}
    if upload is None or not upload.filename:
        errors["file"] = ["The file field is required."]
    name = form_str(form, "name", errors, required=True)
    owner = form_str(form, "ownerId", errors, required=True)
    flags = {n: form_bool(form, n, errors, required=True) for n in (
        "isPublic", "isReadyForMigration", "othersMayDownload", "othersCanExecute")}
    exemption = form_bool(form, "hasPrivateDataExemption", errors, required=False)
    mode = form_enum(form, "executionMode", EXECUTION_MODES, errors, required=True)
    ctype = form_enum(form, "workflowCredentialType", CREDENTIAL_TYPES, errors, required=True)
    cred = form.get("credentialId") or None
    _check_credential(ctype, cred, errors)
    tags = form_json_list(form, "districtTags", errors)
    collection_ids = form_json_list(form, "collectionIds", errors)
    for cid in collection_ids:
        if cid not in state.collections:
            errors["collectionIds"] = [f"Collection '{cid}' was not found."]
    source = form.get("sourceAppId") or None
    if source and any(w["sourceAppId"] == source or w["id"] == source
                      for w in state.workflows.values()):
        errors["sourceAppId"] = [f"A workflow with sourceAppId '{source}' already exists."]
    if owner and owner not in state.users:
        errors["ownerId"] = [f"User '{owner}' was not found."]
    if errors:
        invalid(errors)
    assert upload is not None and name and owner
    if owner != g.user["id"] and not is_curator():
        denied()
    data = upload.read()
    if not data:
        invalid({"file": ["The uploaded file is empty."]})
    wf = state.workflows_backend.add_workflow({
        "name": name, "ownerId": owner, "sourceAppId": source,
        "workerTag": form.get("workerTag", ""), "districtTags": tags,
        "comments": form.get("comments", ""), **{k: bool(v) for k, v in flags.items()},
        "executionMode": mode, "hasPrivateDataExemption": bool(exemption),
        "workflowCredentialType": ctype, "credentialId": cred,
        "fileName": upload.filename, "packageType": "Workflow"},
        package=data, upload_source="Direct")
    for cid in collection_ids:
        state.collections_backend.add_item(state.collections[cid], "workflowIds", wf["id"])
    return id_response(wf["id"])


@routes.route("/v3/workflows/<workflowId>/versions", "POST", role="Artisan")
def new_version(workflowId: str) -> Response:
    state = current_state()
    wf = visible_workflow(workflowId)
    form, upload = multipart()
    errors: dict[str, list[str]] = {}
    if upload is None or not upload.filename:
        errors["file"] = ["The file field is required."]
    form_str(form, "name", errors, required=True)
    owner = form_str(form, "ownerId", errors, required=True)
    may_download = form_bool(form, "othersMayDownload", errors, required=True)
    can_execute = form_bool(form, "othersCanExecute", errors, required=True)
    make_published = form_bool(form, "makePublished", errors, required=True)
    exemption = form_bool(form, "hasPrivateDataExemption", errors, required=False)
    mode = form_enum(form, "executionMode", EXECUTION_MODES, errors, required=True)
    ctype = form_enum(form, "workflowCredentialType", CREDENTIAL_TYPES, errors, required=True)
    cred = form.get("credentialId") or None
    _check_credential(ctype, cred, errors)
    if owner and owner not in state.users:
        errors["ownerId"] = [f"User '{owner}' was not found."]
    if errors:
        invalid(errors)
    assert upload is not None
    owner_or_curator(wf)
    data = upload.read()
    if not data:
        invalid({"file": ["The uploaded file is empty."]})
    state.workflows_backend.add_version(wf, {
        "comments": form.get("comments", ""), "makePublished": bool(make_published),
        "executionMode": mode, "workflowCredentialType": ctype, "credentialId": cred,
        "hasPrivateDataExemption": bool(exemption), "othersMayDownload": may_download,
        "fileName": upload.filename, "uploadSource": "Direct"}, package=data)
    state.workflows_backend.set_fields(wf, {"name": form["name"],
                                            "othersCanExecute": bool(can_execute)})
    return json_response(full_workflow(wf))


@routes.route("/v3/workflows/<workflowId>", "PUT", role="Artisan")
def update(workflowId: str) -> Response:
    state = current_state()
    wf = visible_workflow(workflowId)
    owner_or_curator(wf)
    body = contract("UpdateWorkflowContract", "updateWorkflowContract")
    errors: dict[str, list[str]] = {}
    version = next((v for v in wf["versions"] if v["versionId"] == body["versionId"]), None)
    if version is None:
        errors["updateWorkflowContract.versionId"] = [
            f"Version '{body['versionId']}' was not found."]
    if body["ownerId"] not in state.users:
        errors["updateWorkflowContract.ownerId"] = [f"User '{body['ownerId']}' was not found."]
    _check_credential(body["workflowCredentialType"], body["credentialId"] or None, errors)
    if errors:
        invalid(errors)
    assert version is not None
    backend = state.workflows_backend
    fields = {k: body[k] for k in ("name", "ownerId", "workerTag", "districtTags", "comments",
                                   "isPublic", "isReadyForMigration", "othersMayDownload",
                                   "othersCanExecute", "executionMode")}
    if body.get("hasPrivateDataExemption") is not None:
        fields["hasPrivateDataExemption"] = body["hasPrivateDataExemption"]
    backend.set_fields(wf, fields)
    backend.set_version_credential(version, body["workflowCredentialType"],
                                   body["credentialId"] or None)
    if body["makePublished"]:
        backend.publish(wf, version)
    return json_response(full_workflow(wf))


@routes.route("/v3/workflows/<workflowId>", "DELETE", role="Artisan")
def delete(workflowId: str) -> Response:
    """Swagger: "Only Curators can use this API endpoint"."""
    state = current_state()
    wf = visible_workflow(workflowId)
    if not is_curator():
        denied()
    force = bool_arg("force", False)
    if not force and any(s["workflowId"] == wf["id"] for s in state.schedules.values()):
        invalid({"force": ["The workflow has schedules; pass force=true to delete them too."]},
                "The workflow cannot be deleted.")
    state.workflows_backend.delete(wf["id"])
    return empty()


@routes.route("/v3/workflows/<workflowId>/transfer", "PUT")
def transfer(workflowId: str) -> Response:
    state = current_state()
    wf = get_or_404(state.workflows, "Workflow", workflowId)
    body = contract("TransferWorkflowContract")
    if body["ownerId"] not in state.users:
        invalid({"contract.ownerId": [f"User '{body['ownerId']}' was not found."]})
    state.workflows_backend.transfer(wf, body["ownerId"], schedules=bool(body["transferSchedules"]))
    return empty()
