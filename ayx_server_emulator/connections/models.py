"""Server data connections and the generic store behind DCM and other catalogued operations."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .._util import new_id

if TYPE_CHECKING:
    from ..state import State


class ConnectionsBackend:
    """Server data connections (shared like credentials) and generic per-path stores."""

    def __init__(self, state: State) -> None:
        self.s = state
        self.connections: dict[str, dict[str, Any]] = {}
        #: Stores for the operations served generically (DCM and friends), by resource path.
        self.generic: dict[str, dict[str, dict[str, Any]]] = {}

    def seed(self, seed: dict[str, Any]) -> None:
        """Load the seed's server data connections."""
        for raw in seed.get("serverDataConnections", []):
            self.connections[raw["id"]] = {
                "id": raw["id"], "name": raw["name"],
                "connectionString": raw.get("connectionString", ""),
                "connectionType": raw.get("connectionType", "ODBC"),
                "userIds": list(raw.get("userIds", [])),
                "userGroupIds": list(raw.get("userGroupIds", []))}

    def rename(self, conn: dict[str, Any], name: str) -> None:
        """Rename a server data connection."""
        conn["name"] = name

    def delete(self, conn_id: str) -> None:
        """Remove a server data connection."""
        del self.connections[conn_id]

    def share(self, conn: dict[str, Any], list_name: str, target: str) -> None:
        """Share with a user ("userIds") or a group ("userGroupIds")."""
        if target not in conn[list_name]:
            conn[list_name].append(target)

    def unshare(self, conn: dict[str, Any], list_name: str, target: str) -> bool:
        """Stop sharing; tell whether it was shared."""
        if target not in conn[list_name]:
            return False
        conn[list_name].remove(target)
        return True

    # ---------------------------------------------------------------- generic stores
    def store(self, collection: str) -> dict[str, dict[str, Any]]:
        """The generic store of one resource path (created empty on first use)."""
        return self.generic.setdefault(collection, {})

    def generic_create(self, collection: str, body: dict[str, Any]) -> dict[str, Any]:
        """Store a new item with a fresh id."""
        item = {**body, "id": new_id()}
        self.store(collection)[item["id"]] = item
        return item

    def generic_update(self, item: dict[str, Any], body: dict[str, Any]) -> None:
        """Merge a body into an item (the id stays)."""
        item.update({k: v for k, v in body.items() if k != "id"})

    def generic_set_part(self, item: dict[str, Any], tail: str, value: Any) -> None:
        """Set (or with None, clear) a sub-resource such as `…/{id}/share/execution`."""
        parts = item.setdefault("_sub", {})
        if value is None:
            parts.pop(tail, None)
        else:
            parts[tail] = value

    def generic_delete(self, collection: str, ident: str) -> None:
        """Remove an item."""
        del self.store(collection)[ident]
