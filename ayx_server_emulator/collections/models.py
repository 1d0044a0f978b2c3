"""Collections: who shares which workflows and schedules; state and behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State


def default_permissions() -> dict[str, bool]:
    """A member's collectionsPermissions when none are given."""
    return {"isAdmin": False, "canAddAssets": False, "canRemoveAssets": False,
            "canUpdateAssets": False, "canAddUsers": False, "canRemoveUsers": False}


class CollectionsBackend:
    """Collections with their users, groups, workflows and schedules."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.collections: dict[str, dict[str, Any]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's collections."""
        for raw in seed.get("collections", []):
            col = self.create(raw["name"], raw["ownerId"], ident=raw["id"],
                              date_added=raw.get("dateAdded"))
            col["workflowIds"] = list(raw.get("workflowIds", []))
            col["users"] = [{"userId": u, "activeDirectoryObject": None, "expirationDate": None,
                             "collectionsPermissions": default_permissions()}
                            for u in raw.get("userIds", [])]
            col["subscriptionIds"] = list(raw.get("subscriptionIds", []))
            col["userGroupIds"] = list(raw.get("userGroupIds", []))
            col["scheduleIds"] = list(raw.get("scheduleIds", []))

    def create(self, name: str, owner_id: str, *, ident: str | None = None,
               date_added: str | None = None) -> dict[str, Any]:
        """Add an empty collection."""
        cid = ident or new_id()
        self.collections[cid] = {"id": cid, "name": name, "ownerId": owner_id,
                                 "dateAdded": date_added or self.s.now_str(), "workflowIds": [],
                                 "users": [], "subscriptionIds": [], "userGroupIds": [],
                                 "scheduleIds": []}
        return self.collections[cid]

    def update(self, col: dict[str, Any], name: str, owner_id: str) -> None:
        """Rename a collection and set its owner."""
        col["name"], col["ownerId"] = name, owner_id

    def delete(self, cid: str) -> None:
        """Remove a collection."""
        del self.collections[cid]

    def _shared(self, col: dict[str, Any], user_id: str, groups: set[str]) -> bool:
        return any(u["userId"] == user_id for u in col["users"]) or bool(
            groups & set(col["userGroupIds"]))

    def shares_workflow(self, wid: str, user_id: str, groups: set[str]) -> bool:
        """Tell whether a collection shares the workflow with the user or its groups."""
        return any(wid in c["workflowIds"] and self._shared(c, user_id, groups)
                   for c in self.collections.values())

    def shares_schedule(self, sid: str, user_id: str, groups: set[str]) -> bool:
        """Tell whether a collection shares the schedule with the user or its groups."""
        return any(sid in c["scheduleIds"] and self._shared(c, user_id, groups)
                   for c in self.collections.values())

    def add_user(self, col: dict[str, Any], user_id: str, expiration: str | None,
                 permissions: dict[str, Any]) -> None:
        """Share the collection with a user."""
        if not any(u["userId"] == user_id for u in col["users"]):
            col["users"].append({"userId": user_id, "expirationDate": expiration,
                                 "collectionsPermissions": permissions})

    def set_user_permissions(self, col: dict[str, Any], user_id: str,
                             permissions: dict[str, Any], expiration: str | None) -> bool:
        """Change a member's permissions; tell whether it is a member."""
        entry = next((u for u in col["users"] if u["userId"] == user_id), None)
        if entry is None:
            return False
        entry["collectionsPermissions"] = permissions
        entry["expirationDate"] = expiration
        return True

    def remove_user(self, col: dict[str, Any], user_id: str) -> bool:
        """Stop sharing with a user; tell whether it was a member."""
        before = len(col["users"])
        col["users"] = [u for u in col["users"] if u["userId"] != user_id]
        return len(col["users"]) != before

    def add_item(self, col: dict[str, Any], list_name: str, target: str,
                 permissions: dict[str, Any] | None = None) -> None:
        """Add a group, workflow or schedule ("userGroupIds", "workflowIds", "scheduleIds")."""
        if target not in col[list_name]:
            col[list_name].append(target)
        if list_name == "userGroupIds" and permissions is not None:
            col.setdefault("_groupPerms", {})[target] = permissions

    def set_group_permissions(self, col: dict[str, Any], group_id: str,
                              permissions: dict[str, Any]) -> bool:
        """Change a group's permissions; tell whether the group is in the collection."""
        if group_id not in col["userGroupIds"]:
            return False
        col.setdefault("_groupPerms", {})[group_id] = permissions
        return True

    def remove_item(self, col: dict[str, Any], list_name: str, target: str) -> bool:
        """Remove a group, workflow or schedule; tell whether it was there."""
        if target not in col[list_name]:
            return False
        col[list_name].remove(target)
        return True

    def forget(self, list_name: str, target: str) -> None:
        """Remove a deleted workflow or schedule from every collection."""
        for col in self.collections.values():
            if target in col[list_name]:
                col[list_name].remove(target)

    def transfer_owned(self, user_id: str, target: str) -> None:
        """Give every collection a user owns to another user."""
        for col in self.collections.values():
            if col["ownerId"] == user_id:
                col["ownerId"] = target
