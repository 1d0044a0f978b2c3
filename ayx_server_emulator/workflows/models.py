"""Workflows and their versions and packages: state and behaviour."""

from __future__ import annotations

import io
import zipfile
from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State

DISPOSITIONS = ("Success", "Warning", "Error")
#: The swagger's WorkflowVersionView enums (swagger-codegen models of the 2024.x Server).
UPLOAD_SOURCES = ("Designer", "Direct")
PACKAGE_WORKFLOW_TYPES = ("App", "Module", "Macro")
#: Seed packageType -> WorkflowVersionView.packageWorkflowType (a plain workflow is a Module).
_PACKAGE_WORKFLOW_TYPE = {"App": "App", "Macro": "Macro", "Workflow": "Module",
                          "Module": "Module"}


def make_package(name: str, version: int = 1) -> bytes:
    """Build a tiny .yxzp (a zip holding one .yxmd) for package downloads."""
    buf = io.BytesIO()
    with zipfile.ZipFile(buf, "w", zipfile.ZIP_DEFLATED) as zf:
        zf.writestr(
            f"{name}.yxmd",
            f'<?xml version="1.0"?>\n<AlteryxDocument yxmdVer="2024.1">'
            f"<Properties><MetaInfo><Name>{name}</Name><Version>{version}</Version>"
            f"</MetaInfo></Properties></AlteryxDocument>\n",
        )
    return buf.getvalue()


class WorkflowsBackend:
    """Workflows (WorkflowView records plus private seed fields), versions and packages."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.workflows: dict[str, dict[str, Any]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's workflows."""
        for raw in seed.get("workflows", []):
            self.add_workflow(raw)

    def add_workflow(self, raw: dict[str, Any], *, package: bytes | None = None,
                     upload_source: str | None = None) -> dict[str, Any]:
        """Add a workflow (seed shape) with one published version and return it."""
        wid = raw.get("id") or new_id()
        created = raw.get("dateCreated") or self.s.now_str()
        disposition = raw.get("disposition", "Success")
        if disposition not in DISPOSITIONS:
            raise ValueError(f"workflow {wid}: disposition must be one of {DISPOSITIONS}")
        wf: dict[str, Any] = {
            "id": wid, "sourceAppId": raw.get("sourceAppId") or wid, "dateCreated": created,
            "runCount": int(raw.get("runCount", 0)), "versions": [], "name": raw["name"],
            "ownerId": raw["ownerId"], "workerTag": raw.get("workerTag", ""),
            "districtTags": list(raw.get("districtTags", [])), "comments": raw.get("comments", ""),
            "isPublic": bool(raw.get("isPublic", False)),
            "isReadyForMigration": bool(raw.get("isReadyForMigration", False)),
            "publishedVersionId": None,
            "othersMayDownload": bool(raw.get("othersMayDownload", True)),
            "othersCanViewHistory": bool(raw.get("othersCanViewHistory", False)),
            "othersCanExecute": bool(raw.get("othersCanExecute", True)),
            "executionMode": raw.get("executionMode", "Standard"),
            "hasPrivateDataExemption": bool(raw.get("hasPrivateDataExemption", False)),
            "_subscriptionId": raw.get("subscriptionId")
            or self.s.users.get(raw["ownerId"], {}).get("_subscriptionId", ""),
            "_disposition": disposition,
            "_messages": list(raw.get("messages", [])),
            "_outputs": list(raw.get("outputs", [])),
            "_questions": list(raw.get("questions", [])),
            "_packageType": raw.get("packageType", "Workflow"),
            "_isAmp": bool(raw.get("isAmp", True)),
            "_runSeconds": raw.get("runSeconds"),
            "_packages": {},
        }
        self.workflows[wid] = wf
        self.add_version(wf, {
            "comments": raw.get("comments", ""), "makePublished": True,
            "executionMode": wf["executionMode"],
            "workflowCredentialType": raw.get("workflowCredentialType", "Default"),
            "credentialId": raw.get("credentialId"),
            "hasPrivateDataExemption": wf["hasPrivateDataExemption"],
            "othersMayDownload": wf["othersMayDownload"],
            "othersCanViewHistory": wf["othersCanViewHistory"],
            "fileName": raw.get("fileName") or f"{raw['name']}.yxzp",
            "uploadSource": upload_source or raw.get("uploadSource", "Designer"),
            "dateCreated": created,
        }, package=package)
        return wf

    def add_version(self, wf: dict[str, Any], spec: dict[str, Any],
                    package: bytes | None) -> dict[str, Any]:
        """Append a version to a workflow (published when spec says makePublished)."""
        number = len(wf["versions"]) + 1
        vid = new_id()
        created = spec.get("dateCreated") or self.s.now_str()
        file_name = spec.get("fileName") or f"{wf['name']}.yxzp"
        version = {
            "versionId": vid, "versionNumber": number, "dateCreated": created,
            "uploadSource": spec.get("uploadSource", "Direct"), "uploadDate": created,
            "packageWorkflowType": _PACKAGE_WORKFLOW_TYPE.get(wf["_packageType"], "Module"),
            "published": False, "comments": spec.get("comments", ""), "runDisabled": False,
            "executionMode": spec.get("executionMode", "Standard"),
            "workflowCredentialType": spec.get("workflowCredentialType", "Default"),
            # WorkflowVersionView declares a non-null credentialId: "" when the version has none.
            "credentialId": spec.get("credentialId") or "",
            "hasPrivateDataExemption": bool(spec.get("hasPrivateDataExemption", False)),
            "othersMayDownload": bool(spec.get("othersMayDownload", True)),
            "othersCanViewHistory": bool(spec.get("othersCanViewHistory", False)),
            "details": {"isAmp": wf["_isAmp"], "fileName": file_name.rsplit(".", 1)[0] + ".yxmd",
                        "author": "", "copyright": "", "description": "", "name": wf["name"],
                        "noOutputFilesMessage": "", "outputMessage": "", "url": "",
                        "urlText": ""},
        }
        wf["versions"].append(version)
        wf["_packages"][vid] = package if package is not None else make_package(wf["name"], number)
        if spec.get("makePublished", True):
            self.publish(wf, version)
        return version

    def publish(self, wf: dict[str, Any], version: dict[str, Any]) -> None:
        """Make one version the published one."""
        for other in wf["versions"]:
            other["published"] = other is version
        wf["publishedVersionId"] = version["versionId"]

    def published_version(self, wf: dict[str, Any]) -> dict[str, Any] | None:
        """The published version, if any."""
        return next((v for v in wf["versions"] if v["versionId"] == wf["publishedVersionId"]),
                    None)

    def set_fields(self, wf: dict[str, Any], values: dict[str, Any]) -> None:
        """Set WorkflowView fields (a PUT, or the name/flags a new version brings)."""
        for key, value in values.items():
            if key in wf and not key.startswith("_") and key not in ("id", "versions"):
                wf[key] = value

    def set_version_credential(self, version: dict[str, Any], ctype: str,
                               credential_id: str | None) -> None:
        """Set how a version's jobs get their credentials."""
        version["workflowCredentialType"] = ctype
        version["credentialId"] = credential_id or ""

    def delete(self, wid: str) -> None:
        """Remove a workflow, its schedules and its place in collections."""
        self.s.schedules_backend.delete_for_workflow(wid)
        self.s.collections_backend.forget("workflowIds", wid)
        del self.workflows[wid]

    def transfer(self, wf: dict[str, Any], owner_id: str, *, schedules: bool) -> None:
        """Give a workflow (and optionally its schedules) to another owner."""
        wf["ownerId"] = owner_id
        if schedules:
            self.s.schedules_backend.transfer_for_workflow(wf["id"], owner_id)

    def transfer_owned(self, user_id: str, target: str) -> None:
        """Give every workflow a user owns to another user."""
        for wf in self.workflows.values():
            if wf["ownerId"] == user_id:
                wf["ownerId"] = target

    def count_run(self, wid: str) -> None:
        """One more finished run of a workflow."""
        wf = self.workflows.get(wid)
        if wf is not None:
            wf["runCount"] += 1
