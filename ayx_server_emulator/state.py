"""The emulator's in-memory state: seeded users, workflows, jobs and the other v3 resources."""

from __future__ import annotations

import copy
import io
import json
import threading
import time
import zipfile
from collections.abc import Callable
from dataclasses import dataclass, field
from importlib import resources
from pathlib import Path
from typing import Any

from ._util import dotnet_date, new_id, parse_date

ROLES = ("NoAccess", "Viewer", "Member", "Artisan", "Curator", "Evaluated")
ROLE_RANK = {"NoAccess": 0, "Evaluated": 0, "Viewer": 1, "Member": 2, "Artisan": 3, "Curator": 4}
PRIORITIES = ("Default", "Low", "Medium", "High", "Critical")
# v1 carries priority as an int; the v1 POST example sends 0.
PRIORITY_V1 = {"Default": 0, "Low": 0, "Medium": 1, "High": 2, "Critical": 3}
PRIORITY_FROM_V1 = {0: "Low", 1: "Medium", 2: "High", 3: "Critical"}
DISPOSITIONS = ("Success", "Warning", "Error")
OUTPUT_FORMATS = ("Raw", "Yxdb", "Shp", "Kml", "Tab", "Mif", "Dbf", "Csv", "Pdf", "Docx", "Xlsx",
                  "Html", "Tde", "Zip")
#: Question names the emulator reads to steer a job (any workflow accepts them).
Q_DISPOSITION = "EmulatorDisposition"
Q_RUN_SECONDS = "EmulatorRunSeconds"

USER_DEFAULTS: dict[str, Any] = {
    "role": "Artisan", "defaultWorkerTag": "", "canScheduleJobs": True, "canPrioritizeJobs": False,
    "canAssignJobs": False, "canCreateCollections": True, "isApiEnabled": True,
    "defaultCredentialId": None, "isAccountLocked": False, "isActive": True,
    "lastLoginDateTime": None, "isValidated": True, "sharedCredentialIds": [],
    "dataConnectionIds": [], "timeZone": "UTC", "language": "en-us",
    "canCreateAndUpdateDcm": False, "canShareForExecutionDcm": False,
    "canShareForCollaborationDcm": False, "canManageGenericVaultsDcm": False,
}


def default_seed_path() -> Path:
    """Path of the seed shipped with the package."""
    return Path(str(resources.files("ayx_server_emulator") / "data" / "seed.json"))


def load_seed(seed: str | Path | dict[str, Any] | None) -> dict[str, Any]:
    """Read a seed from a path, a dict, or (None) the packaged default."""
    if isinstance(seed, dict):
        return copy.deepcopy(seed)
    path = Path(seed) if seed is not None else default_seed_path()
    data = json.loads(path.read_text(encoding="utf-8"))
    if not isinstance(data, dict):
        raise ValueError(f"seed {path} must hold a JSON object")
    return data


@dataclass(frozen=True)
class SeedUser:
    """A user of the emulator with its (fake, emulator-only) credentials."""

    id: str
    email: str
    role: str
    first_name: str
    last_name: str
    subscription_id: str
    api_key: str
    api_secret: str = field(repr=False)
    studio_key: str = ""
    studio_secret: str = field(default="", repr=False)


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


class State:
    """Every resource of the emulated server; guard all access with `lock`."""

    def __init__(self, seed: dict[str, Any], clock: Callable[[], float]) -> None:
        self.lock = threading.RLock()
        self.clock = clock
        self.users: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}
        self.usergroups: dict[str, dict[str, Any]] = {}
        self.credentials: dict[str, dict[str, Any]] = {}
        self.connections: dict[str, dict[str, Any]] = {}
        self.workflows: dict[str, dict[str, Any]] = {}
        self.collections: dict[str, dict[str, Any]] = {}
        self.schedules: dict[str, dict[str, Any]] = {}
        self.jobs: dict[str, dict[str, Any]] = {}
        self.input_files: dict[str, bytes] = {}
        #: Stores for the operations served generically (DCM and friends), by resource path.
        self.generic: dict[str, dict[str, dict[str, Any]]] = {}
        self._load(seed)

    # ---------------------------------------------------------------- seeding
    def _load(self, seed: dict[str, Any]) -> None:
        for sub in seed.get("subscriptions", []):
            item = {"id": sub["id"], "name": sub["name"],
                    "canShareSchedules": bool(sub.get("canShareSchedules", False)),
                    "credentialId": sub.get("credentialId")}
            self.subscriptions[item["id"]] = item
        for raw in seed.get("users", []):
            self.add_user(raw)
        for raw in seed.get("usergroups", []):
            group = {"id": raw["id"], "name": raw["name"], "role": raw.get("role", "Artisan"),
                     "dateAdded": raw.get("dateAdded") or self.now_str(),
                     "credentialIds": list(raw.get("credentialIds", [])),
                     "connectionIds": list(raw.get("connectionIds", [])),
                     "_memberIds": list(raw.get("memberIds", [])), "_adGroups": []}
            self.usergroups[group["id"]] = group
        for raw in seed.get("credentials", []):
            self.credentials[raw["id"]] = {
                "id": raw["id"], "userName": raw["userName"],
                "userIds": list(raw.get("userIds", [])),
                "userGroupIds": list(raw.get("userGroupIds", []))}
        for raw in seed.get("serverDataConnections", []):
            self.connections[raw["id"]] = {
                "id": raw["id"], "name": raw["name"],
                "connectionString": raw.get("connectionString", ""),
                "connectionType": raw.get("connectionType", "ODBC"),
                "userIds": list(raw.get("userIds", [])),
                "userGroupIds": list(raw.get("userGroupIds", []))}
        for raw in seed.get("workflows", []):
            self.add_workflow(raw)
        for raw in seed.get("collections", []):
            self.collections[raw["id"]] = {
                "id": raw["id"], "name": raw["name"], "ownerId": raw["ownerId"],
                "dateAdded": raw.get("dateAdded") or self.now_str(),
                "workflowIds": list(raw.get("workflowIds", [])),
                "users": [{"userId": u, "activeDirectoryObject": None,
                           "expirationDate": None, "collectionsPermissions": _default_perms()}
                          for u in raw.get("userIds", [])],
                "subscriptionIds": list(raw.get("subscriptionIds", [])),
                "userGroupIds": list(raw.get("userGroupIds", [])),
                "scheduleIds": list(raw.get("scheduleIds", []))}
        for raw in seed.get("schedules", []):
            self.add_schedule(raw)

    def add_user(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a user (seed or API shape) and return its stored record."""
        uid = raw.get("id") or new_id()
        user = dict(USER_DEFAULTS)
        user.update({k: v for k, v in raw.items() if k in USER_DEFAULTS or k in (
            "firstName", "lastName", "email")})
        user["id"] = uid
        user["dateCreated"] = raw.get("dateCreated") or self.now_str()
        user["_apiKey"] = raw.get("apiKey") or new_id() + new_id()
        user["_apiSecret"] = raw.get("apiSecret") or new_id() + new_id()
        user["_studioKey"] = raw.get("studioKey") or new_id() + new_id()
        user["_studioSecret"] = raw.get("studioSecret") or new_id() + new_id()
        user["_subscriptionId"] = raw.get("subscriptionId") or next(iter(self.subscriptions), "")
        self.users[uid] = user
        return user

    def add_workflow(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a workflow (seed shape) with one published version and return it."""
        wid = raw.get("id") or new_id()
        created = raw.get("dateCreated") or self.now_str()
        disposition = raw.get("disposition", "Success")
        if disposition not in DISPOSITIONS:
            raise ValueError(f"workflow {wid}: disposition must be one of {DISPOSITIONS}")
        wf: dict[str, Any] = {
            "id": wid, "sourceAppId": raw.get("sourceAppId", wid), "dateCreated": created,
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
            or self.users.get(raw["ownerId"], {}).get("_subscriptionId", ""),
            "_disposition": disposition,
            "_messages": list(raw.get("messages", [])),
            "_outputs": list(raw.get("outputs", [])),
            "_questions": list(raw.get("questions", [])),
            "_packageType": raw.get("packageType", "Workflow"),
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
            "uploadSource": "Emulator", "dateCreated": created,
        }, package=None)
        return wf

    def add_version(self, wf: dict[str, Any], spec: dict[str, Any],
                    package: bytes | None) -> dict[str, Any]:
        """Append a version to a workflow (published when spec says makePublished)."""
        number = len(wf["versions"]) + 1
        vid = new_id()
        created = spec.get("dateCreated") or self.now_str()
        file_name = spec.get("fileName") or f"{wf['name']}.yxzp"
        version = {
            "versionId": vid, "versionNumber": number, "dateCreated": created,
            "uploadSource": spec.get("uploadSource", "Api"), "uploadDate": created,
            "packageWorkflowType": "App" if wf["_packageType"] == "App" else "Workflow",
            "published": False, "comments": spec.get("comments", ""), "runDisabled": False,
            "executionMode": spec.get("executionMode", "Standard"),
            "workflowCredentialType": spec.get("workflowCredentialType", "Default"),
            "credentialId": spec.get("credentialId"),
            "hasPrivateDataExemption": bool(spec.get("hasPrivateDataExemption", False)),
            "othersMayDownload": bool(spec.get("othersMayDownload", True)),
            "othersCanViewHistory": bool(spec.get("othersCanViewHistory", False)),
            "details": {"isAmp": True, "fileName": file_name.rsplit(".", 1)[0] + ".yxmd",
                        "author": "", "copyright": "", "description": "", "name": wf["name"],
                        "noOutputFilesMessage": "", "outputMessage": "", "url": "",
                        "urlText": ""},
        }
        wf["versions"].append(version)
        wf["_packages"][vid] = package if package is not None else make_package(wf["name"], number)
        if spec.get("makePublished", True):
            for other in wf["versions"]:
                other["published"] = other is version
            wf["publishedVersionId"] = vid
        return version

    def add_schedule(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a schedule (seed or CreateScheduleContract shape) and return it."""
        sid = raw.get("id") or new_id()
        iteration = raw.get("iteration") or {}
        wf = self.workflows.get(raw.get("workflowId", ""))
        item = {
            "id": sid, "name": raw.get("name") or "", "workflowId": raw.get("workflowId"),
            "versionId": raw.get("versionId") or (wf["publishedVersionId"] if wf else None),
            "ownerId": raw.get("ownerId"), "runDateTime": raw.get("runDateTime")
            or iteration.get("startTime") or self.now_str(),
            "comment": raw.get("comment", ""), "enabled": bool(raw.get("enabled", True)),
            "priority": raw.get("priority") or "Default", "workerTag": raw.get("workerTag", ""),
            "status": "Active", "credentialId": raw.get("credentialId"),
            "creationTime": raw.get("creationTime") or self.now_str(), "lastRunTime": None,
            "state": "Scheduled", "runCount": 0,
            "iteration": {"startTime": iteration.get("startTime"),
                          "endTime": iteration.get("endTime")},
            "frequency": raw.get("frequency") or iteration.get("iterationType", "Once"),
            "lastError": "", "cpuName": "", "lastModifiedId": raw.get("ownerId"),
            "lastModifiedDate": self.now_str(), "canEdit": True,
            "timeZone": raw.get("timeZone") or "UTC", "questions": list(raw.get("questions", [])),
            "_iteration": iteration,
        }
        self.schedules[sid] = item
        return item

    # ---------------------------------------------------------------- helpers
    def now(self) -> float:
        """The emulated server clock (real time plus the configured offset)."""
        return self.clock()

    def now_str(self) -> str:
        """The emulated clock as a .NET-style date string."""
        return dotnet_date(self.clock())

    def seed_users(self) -> list[SeedUser]:
        """Every user with its credentials, in seed order."""
        return [SeedUser(id=u["id"], email=u.get("email", ""), role=u["role"],
                         first_name=u.get("firstName", ""), last_name=u.get("lastName", ""),
                         subscription_id=u["_subscriptionId"], api_key=u["_apiKey"],
                         api_secret=u["_apiSecret"], studio_key=u["_studioKey"],
                         studio_secret=u["_studioSecret"]) for u in self.users.values()]

    def find_key(self, key: str) -> tuple[dict[str, Any], str] | None:
        """Find the user owning an API or Private Studio key: (user, "api" | "studio")."""
        for user in self.users.values():
            if user["_apiKey"] == key:
                return user, "api"
            if user["_studioKey"] == key:
                return user, "studio"
        return None

    def group_ids_of(self, user_id: str) -> set[str]:
        """Ids of the user groups a user belongs to."""
        return {g["id"] for g in self.usergroups.values() if user_id in g["_memberIds"]}

    def effective_role(self, user: dict[str, Any]) -> str:
        """The user's role, raised by the role of any group it belongs to."""
        role = str(user["role"])
        for gid in self.group_ids_of(user["id"]):
            grole = self.usergroups[gid]["role"]
            if ROLE_RANK.get(grole, 0) > ROLE_RANK.get(role, 0):
                role = grole
        return role

    def can_see_workflow(self, user: dict[str, Any], wf: dict[str, Any]) -> bool:
        """Owner, Curator, same studio, or a collection shared with the user or its groups."""
        if self.effective_role(user) == "Curator" or wf["ownerId"] == user["id"]:
            return True
        if wf["_subscriptionId"] and wf["_subscriptionId"] == user["_subscriptionId"]:
            return True
        groups = self.group_ids_of(user["id"])
        for col in self.collections.values():
            if wf["id"] not in col["workflowIds"]:
                continue
            if any(u["userId"] == user["id"] for u in col["users"]):
                return True
            if groups & set(col["userGroupIds"]):
                return True
        return False

    # ---------------------------------------------------------------- jobs
    def create_job(self, wf: dict[str, Any], user: dict[str, Any], *,
                   questions: list[dict[str, Any]], priority: str, worker_tag: str,
                   credential_id: str | None, timing: str, seconds: float) -> dict[str, Any]:
        """Queue a job of the workflow's published version."""
        answers = {str(q.get("name")): "" if q.get("value") is None else str(q.get("value"))
                   for q in questions}
        disposition = wf["_disposition"]
        if answers.get(Q_DISPOSITION) in DISPOSITIONS:
            disposition = answers[Q_DISPOSITION]
        run_seconds = seconds
        if wf.get("_runSeconds") is not None:
            run_seconds = float(wf["_runSeconds"])
        if Q_RUN_SECONDS in answers:
            try:
                run_seconds = max(0.0, float(answers[Q_RUN_SECONDS]))
            except ValueError:
                pass
            else:
                if timing == "instant":
                    timing = "seconds"
        now = self.now()
        job = {
            "id": new_id(), "appId": wf["id"], "createDateTime": dotnet_date(now),
            "status": "Queued", "disposition": "None", "outputs": [], "messages": [],
            "priority": priority, "workerTag": worker_tag, "runWithE2": False,
            "_versionId": wf["publishedVersionId"], "_userId": user["id"],
            "_created": time.monotonic(), "_timing": timing, "_seconds": run_seconds,
            "_plan": disposition, "_answers": answers, "_credentialId": credential_id,
            "_files": {},
        }
        self.jobs[job["id"]] = job
        return job

    def refresh_job(self, job: dict[str, Any], *, read: bool) -> None:
        """Advance a job by its timing mode; `read` marks a client reading the job."""
        if job["status"] in ("Completed", "Cancelled"):
            return
        timing = job["_timing"]
        if timing == "instant":
            if read:
                self._finish(job)
        elif timing == "seconds":
            elapsed = time.monotonic() - job["_created"]
            if elapsed >= 2 * job["_seconds"]:
                self._finish(job)
            elif elapsed >= job["_seconds"]:
                self._start(job)

    def step_job(self, job: dict[str, Any]) -> bool:
        """Advance a job one state (Queued -> Running -> Completed); tell whether it moved."""
        if job["status"] == "Queued":
            self._start(job)
            return True
        if job["status"] == "Running":
            self._finish(job)
            return True
        return False

    def cancel_job(self, job: dict[str, Any]) -> None:
        """Cancel a job that has not completed yet."""
        if job["status"] in ("Completed", "Cancelled"):
            return
        job["status"] = "Cancelled"
        job["disposition"] = "Cancelled"
        job["messages"].append({"status": 3, "text": "The job was cancelled.", "toolId": -1})

    def _start(self, job: dict[str, Any]) -> None:
        if job["status"] != "Queued":
            return
        job["status"] = "Running"
        wf = self.workflows.get(job["appId"])
        name = wf["name"] if wf else job["appId"]
        job["messages"].append({"status": 1, "text": f"Started running {name}.yxmd",
                                "toolId": -1})

    def _finish(self, job: dict[str, Any]) -> None:
        self._start(job)
        wf = self.workflows.get(job["appId"])
        plan = job["_plan"]
        messages = list(wf["_messages"]) if wf else []
        if plan == "Error" and not any(m.get("status") == 3 for m in messages):
            messages.append({"status": 3, "text": "Emulator: the job was asked to fail "
                             f"({Q_DISPOSITION}=Error)", "toolId": 1})
        if plan == "Warning" and not any(m.get("status") == 2 for m in messages):
            messages.append({"status": 2, "text": "Emulator: the job was asked to warn "
                             f"({Q_DISPOSITION}=Warning)", "toolId": 1})
        errors = sum(1 for m in messages if m.get("status") == 3)
        warnings = sum(1 for m in messages if m.get("status") == 2)
        job["messages"].extend(dict(m) for m in messages)
        outputs = []
        if wf and plan != "Error":
            for spec in wf["_outputs"]:
                oid = new_id()
                content = str(spec.get("content", ""))
                for key, value in job["_answers"].items():
                    content = content.replace("{" + key + "}", value)
                job["_files"][oid] = (spec["fileName"], content.encode("utf-8"))
                outputs.append({"id": oid, "availableFormats": list(
                    spec.get("availableFormats", ["Raw"])), "fileName": spec["fileName"]})
                job["messages"].append({"status": 9, "text": f"Output ({len(outputs)}): "
                                        f"{spec['fileName']} written", "toolId": 2})
        job["outputs"] = outputs
        job["messages"].append({
            "status": 3 if plan == "Error" else 1,
            "text": f"Finished running in 0.1 seconds with {errors} error"
                    f"{'s' if errors != 1 else ''} and {warnings} warning"
                    f"{'s' if warnings != 1 else ''}", "toolId": -1})
        job["status"] = "Completed"
        job["disposition"] = plan
        if wf:
            wf["runCount"] += 1


def _default_perms() -> dict[str, bool]:
    return {"isAdmin": False, "canAddAssets": False, "canRemoveAssets": False,
            "canUpdateAssets": False, "canAddUsers": False, "canRemoveUsers": False}


def date_in_range(value: str | None, after: str | None, before: str | None) -> bool:
    """Tell whether a .NET date string lies within optional ISO bounds."""
    if not (after or before):
        return True
    ts = parse_date(value or "")
    if ts is None:
        return False
    lo = parse_date(after) if after else None
    hi = parse_date(before) if before else None
    return (lo is None or ts >= lo) and (hi is None or ts <= hi)
