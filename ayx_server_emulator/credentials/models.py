"""Credentials (stored Run As accounts) and who they are shared with: state and behaviour."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..state import State


class CredentialsBackend:
    """Credentials shared with users and user groups."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.credentials: dict[str, dict[str, Any]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's credentials."""
        for raw in seed.get("credentials", []):
            self.credentials[raw["id"]] = {
                "id": raw["id"], "userName": raw["userName"],
                "userIds": list(raw.get("userIds", [])),
                "userGroupIds": list(raw.get("userGroupIds", []))}

    def shared_with(self, cred: dict[str, Any], user: dict[str, Any]) -> bool:
        """Shared with the user directly or through one of its groups."""
        return user["id"] in cred["userIds"] or bool(
            self.s.group_ids_of(user["id"]) & set(cred["userGroupIds"]))

    def delete(self, cred_id: str) -> None:
        """Remove a credential."""
        del self.credentials[cred_id]

    def share(self, cred: dict[str, Any], list_name: str, target: str) -> None:
        """Share with a user ("userIds") or a group ("userGroupIds")."""
        if target not in cred[list_name]:
            cred[list_name].append(target)

    def unshare(self, cred: dict[str, Any], list_name: str, target: str) -> bool:
        """Stop sharing; tell whether it was shared."""
        if target not in cred[list_name]:
            return False
        cred[list_name].remove(target)
        return True
