"""Users, user groups and subscriptions (studios): state and behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State

ROLES = ("NoAccess", "Viewer", "Member", "Artisan", "Curator", "Evaluated")
ROLE_RANK = {"NoAccess": 0, "Evaluated": 0, "Viewer": 1, "Member": 2, "Artisan": 3, "Curator": 4}

USER_DEFAULTS: dict[str, Any] = {
    "role": "Artisan", "defaultWorkerTag": "", "canScheduleJobs": True, "canPrioritizeJobs": False,
    "canAssignJobs": False, "canCreateCollections": True, "isApiEnabled": True,
    "defaultCredentialId": None, "isAccountLocked": False, "isActive": True,
    "lastLoginDateTime": None, "isValidated": True, "sharedCredentialIds": [],
    "dataConnectionIds": [], "timeZone": "UTC", "language": "en-us",
    "canCreateAndUpdateDcm": False, "canShareForExecutionDcm": False,
    "canShareForCollaborationDcm": False, "canManageGenericVaultsDcm": False,
}


class UsersBackend:
    """Users (with their API and Private Studio keys), groups and subscriptions."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.users: dict[str, dict[str, Any]] = {}
        self.groups: dict[str, dict[str, Any]] = {}
        self.subscriptions: dict[str, dict[str, Any]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's subscriptions, users and groups."""
        for sub in seed.get("subscriptions", []):
            self.subscriptions[sub["id"]] = {
                "id": sub["id"], "name": sub["name"],
                "canShareSchedules": bool(sub.get("canShareSchedules", False)),
                # The swagger's SubscriptionView declares a non-null credentialId: "" for none.
                "credentialId": sub.get("credentialId") or ""}
        for raw in seed.get("users", []):
            self.add_user(raw)
        for raw in seed.get("usergroups", []):
            self.add_group(raw)

    # ---------------------------------------------------------------- users
    def add_user(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a user (seed or CreateUserContract shape) and return its record."""
        uid = raw.get("id") or new_id()
        user = dict(USER_DEFAULTS)
        user.update({k: v for k, v in raw.items() if k in USER_DEFAULTS or k in (
            "firstName", "lastName", "email")})
        user["id"] = uid
        # Not a UserView field in the swagger: kept private (the create date filters use it).
        user["_dateCreated"] = raw.get("dateCreated") or self.s.now_str()
        user["_apiKey"] = raw.get("apiKey") or new_id() + new_id()
        user["_apiSecret"] = raw.get("apiSecret") or new_id() + new_id()
        user["_studioKey"] = raw.get("studioKey") or new_id() + new_id()
        user["_studioSecret"] = raw.get("studioSecret") or new_id() + new_id()
        user["_subscriptionId"] = raw.get("subscriptionId") or next(iter(self.subscriptions), "")
        self.users[uid] = user
        return user

    def update_user(self, user: dict[str, Any], body: dict[str, Any]) -> None:
        """Apply an UpdateUserContract (wire fields only; the id stays)."""
        for key, value in body.items():
            if key in user and not key.startswith("_") and key != "id":
                user[key] = value

    def delete_user(self, user_id: str) -> None:
        """Remove a user (the caller checked it owns nothing)."""
        del self.users[user_id]
        for group in self.groups.values():
            if user_id in group["_memberIds"]:
                group["_memberIds"].remove(user_id)

    def deactivate(self, user_id: str) -> list[str]:
        """Deactivate a user and disable its schedules; return their ids."""
        self.users[user_id]["isActive"] = False
        return self.s.schedules_backend.disable_owned_by(user_id)

    def move_to_subscription(self, user_ids: list[str], subscription_id: str) -> None:
        """Move users to another studio."""
        for uid in user_ids:
            self.users[uid]["_subscriptionId"] = subscription_id

    def find_key(self, key: str) -> tuple[dict[str, Any], str] | None:
        """The user owning an API or Private Studio key: (user, "api" | "studio")."""
        for user in self.users.values():
            if user["_apiKey"] == key:
                return user, "api"
            if user["_studioKey"] == key:
                return user, "studio"
        return None

    def group_ids_of(self, user_id: str) -> set[str]:
        """Ids of the user groups a user belongs to."""
        return {g["id"] for g in self.groups.values() if user_id in g["_memberIds"]}

    def effective_role(self, user: dict[str, Any]) -> str:
        """The user's role, raised by the role of any group it belongs to."""
        role = str(user["role"])
        for gid in self.group_ids_of(user["id"]):
            grole = self.groups[gid]["role"]
            if ROLE_RANK.get(grole, 0) > ROLE_RANK.get(role, 0):
                role = grole
        return role

    def assets_of(self, user_id: str, kind: str) -> dict[str, list[dict[str, str]]]:
        """The workflows, schedules and collections a user owns ({name, id} each)."""
        def pick(store: dict[str, dict[str, Any]], wanted: str) -> list[dict[str, str]]:
            if kind not in ("All", wanted):
                return []
            return [{"name": i["name"], "id": i["id"]} for i in store.values()
                    if i["ownerId"] == user_id]
        return {"workflows": pick(self.s.workflows, "Workflows"),
                "schedules": pick(self.s.schedules, "Schedules"),
                "collections": pick(self.s.collections, "Collections")}

    def transfer_assets(self, user_id: str, target: str, *, workflows: bool, schedules: bool,
                        collections: bool) -> list[dict[str, str]]:
        """Give a user's assets to another; return the affected schedules."""
        if workflows:
            self.s.workflows_backend.transfer_owned(user_id, target)
        affected = []
        if schedules:
            affected = [{"affectedScheduleId": sid} for sid in
                        self.s.schedules_backend.transfer_owned(user_id, target)]
        if collections:
            self.s.collections_backend.transfer_owned(user_id, target)
        return affected

    # ---------------------------------------------------------------- groups
    def add_group(self, raw: dict[str, Any]) -> dict[str, Any]:
        """Add a user group (seed or CreateUserGroupContract shape)."""
        group = {"id": raw.get("id") or new_id(), "name": raw["name"],
                 "role": raw.get("role", "Artisan"),
                 "dateAdded": raw.get("dateAdded") or self.s.now_str(),
                 "credentialIds": list(raw.get("credentialIds", [])),
                 "connectionIds": list(raw.get("connectionIds", [])),
                 "_memberIds": list(raw.get("memberIds", [])), "_adGroups": []}
        self.groups[group["id"]] = group
        return group

    def update_group(self, group: dict[str, Any], name: str, role: str) -> None:
        """Rename a group and set its role."""
        group["name"], group["role"] = name, role

    def delete_group(self, group_id: str) -> None:
        """Remove a group."""
        del self.groups[group_id]

    def add_members(self, group: dict[str, Any], ids: list[str]) -> tuple[int, dict[str, str]]:
        """Add users to a group: (added count, {userId: why not})."""
        failed: dict[str, str] = {}
        added = 0
        for uid in ids:
            if uid not in self.users:
                failed[uid] = "User not found."
            elif uid in group["_memberIds"]:
                failed[uid] = "User is already a member of the group."
            else:
                group["_memberIds"].append(uid)
                added += 1
        return added, failed

    def remove_member(self, group: dict[str, Any], user_id: str) -> bool:
        """Remove a member; tell whether it was one."""
        if user_id not in group["_memberIds"]:
            return False
        group["_memberIds"].remove(user_id)
        return True

    def add_ad_group(self, group: dict[str, Any], sid: str) -> None:
        """Link an Active Directory group."""
        group["_adGroups"].append(sid)

    def remove_ad_group(self, group: dict[str, Any], sid: str) -> bool:
        """Unlink an Active Directory group; tell whether it was linked."""
        if sid not in group["_adGroups"]:
            return False
        group["_adGroups"].remove(sid)
        return True

    # ---------------------------------------------------------------- subscriptions
    def members_of(self, sid: str) -> list[dict[str, Any]]:
        """Users of a studio."""
        return [u for u in self.users.values() if u["_subscriptionId"] == sid]

    def create_subscription(self, name: str, can_share: bool,
                            credential_id: str | None) -> dict[str, Any]:
        """Add a studio."""
        sid = new_id()
        self.subscriptions[sid] = {"id": sid, "name": name, "canShareSchedules": can_share,
                                   "credentialId": credential_id or ""}
        return self.subscriptions[sid]

    def update_subscription(self, sub: dict[str, Any], body: dict[str, Any]) -> None:
        """Apply an UpdateSubscriptionContract."""
        sub.update(name=body["name"], credentialId=body["credentialId"] or "",
                   canShareSchedules=body["canShareSchedules"])

    def delete_subscription(self, sid: str) -> None:
        """Remove a studio."""
        del self.subscriptions[sid]
