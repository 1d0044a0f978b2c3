"""v3 server data connections, and a generic in-memory handler for every catalogued v3
operation no family implements (DCM and its admin rules): create, read, update, delete."""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from flask import Response, request

from .._util import public
from ..access import current_state, require_role
from ..contracts import catalogue_operations
from ..http import (
    contract,
    empty,
    fail,
    get_or_404,
    id_response,
    invalid,
    json_body,
    json_object,
    json_response,
    not_found,
    view_arg,
)
from ..routing import Route, Routes

routes = Routes()
BASE = "/v3/serverDataConnections/<dataConnectionId>"


def connection_view(c: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    """ServerConnectionView, or ReducedServerConnectionView."""
    if view != "Full":
        return {k: c[k] for k in ("id", "name", "connectionString", "connectionType")}
    return {**public(c), "dcmConnectionId": None, "dcmConnectionTitle": None}


def _conn(cid: str) -> dict[str, Any]:
    return get_or_404(current_state().connections, "Server data connection", cid)


@routes.route("/v3/serverDataConnections", "GET")
def list_conns() -> Response:
    view = view_arg()
    return json_response([connection_view(c, view)
                          for c in current_state().connections.values()])


@routes.route(BASE, "GET")
def get_conn(dataConnectionId: str) -> Response:
    return json_response(connection_view(_conn(dataConnectionId)))


@routes.route(BASE, "PUT")
def put_conn(dataConnectionId: str) -> Response:
    c = _conn(dataConnectionId)
    body = contract("UpdateServerConnectionContract", "updateServerConnectionContract")
    current_state().connections_backend.rename(c, body["name"])
    return json_response(connection_view(c))


@routes.route(BASE, "DELETE")
def delete_conn(dataConnectionId: str) -> Response:
    _conn(dataConnectionId)
    current_state().connections_backend.delete(dataConnectionId)
    return empty()


def _share_routes(sub: str, model: str, field: str, store: str, list_name: str) -> None:
    def add(dataConnectionId: str) -> Response:
        state = current_state()
        c = _conn(dataConnectionId)
        body = contract(model)
        if body[field] not in getattr(state, store):
            invalid({f"contract.{field}": [f"'{body[field]}' was not found."]})
        state.connections_backend.share(c, list_name, body[field])
        return json_response(connection_view(c))

    def remove(dataConnectionId: str, **kw: str) -> Response:
        c = _conn(dataConnectionId)
        if not current_state().connections_backend.unshare(c, list_name, kw[field]):
            not_found(sub[:-1], kw[field])
        return json_response(connection_view(c))

    routes.route(f"{BASE}/{sub}", "POST")(add)
    routes.route(f"{BASE}/{sub}/<{field}>", "DELETE")(remove)


_share_routes("users", "AddServerConnectionUserContract", "userId", "users", "userIds")
_share_routes("userGroups", "AddServerConnectionUserGroupContract", "userGroupId", "usergroups",
              "userGroupIds")


# ----------------------------------------------------------------------------- generic (DCM)
def _shape(rule: str) -> str:
    return re.sub(r"<[^>]+>", "<>", rule)


def generic_routes(taken: Iterable[tuple[str, str]]) -> list[Route]:
    """A route for every catalogued v3 operation whose (method, path) no family serves."""
    seen = {(m, _shape(r)) for m, r in taken}
    out = []
    for op in catalogue_operations():
        rule = op["path"].replace("{", "<").replace("}", ">")
        if (op["method"], _shape(rule)) in seen:
            continue
        seen.add((op["method"], _shape(rule)))
        out.append(Route(rule, (op["method"],), _generic_view(op), role=None,
                         name=f"generic:{op['op']}"))
    return out


def _generic_view(op: dict[str, Any]) -> Any:
    path: str = op["path"]
    parts = path.split("/")
    first_param = next((i for i, p in enumerate(parts) if p.startswith("{")), len(parts))
    collection = "/".join(parts[:first_param])
    tail = "/".join(parts[first_param + 1:])
    role = "Curator" if "/admin/" in path or not path.startswith("/v3/dcm/") else "Artisan"
    body_name = op["body"][0] if op["body"] else "contract"

    def view(**kw: str) -> Response:
        require_role(role)
        backend = current_state().connections_backend
        store = backend.store(collection)
        method = op["method"]
        if first_param == len(parts):  # a collection path
            if method == "GET":
                if path.endswith("/lookup"):
                    cid = request.args.get("connectionId")
                    if not cid:
                        invalid({"connectionId": ["The connectionId field is required."]})
                    parent = backend.store(collection.rsplit("/", 1)[0])
                    return json_response(public(get_or_404(parent, "Connection", cid)))
                return json_response([public(i) for i in store.values()])
            if method == "POST":
                item = backend.generic_create(collection, json_object(body_name))
                return (id_response(item["id"]) if op["response"] == "str"
                        else json_response(public(item)))
            fail(405, f"The requested resource does not support http method '{method}'.")
        ident = next(iter(kw.values()))
        item = get_or_404(store, "Resource", ident)
        if tail:
            value = json_body(body_name) if method in ("PUT", "POST") else None
            if method in ("PUT", "POST", "DELETE"):
                backend.generic_set_part(item, tail, value)
            return empty()
        if method == "GET":
            return json_response(public(item))
        if method == "DELETE":
            backend.generic_delete(collection, ident)
            return empty()
        backend.generic_update(item, json_object(body_name))
        return json_response(public(item))

    view.__name__ = op["op"]
    return view
