"""v3 credentials. Listing: non-Curators get the credentials shared with them (swagger
docstring: results limited to what they may see), not a refusal; the rest is for Curators."""

from __future__ import annotations

from typing import Any

from flask import Response, g, request

from .._util import public
from ..access import current_state, is_curator
from ..http import bool_arg, contract, get_or_404, invalid, json_response, not_found, view_arg
from ..routing import Routes

routes = Routes()
BASE = "/v3/credentials/<credentialId>"


def credential_view(c: dict[str, Any], view: str = "Full") -> dict[str, Any]:
    """CredentialsView, or ReducedCredentialsView."""
    return public(c) if view == "Full" else {"id": c["id"], "userName": c["userName"]}


@routes.route("/v3/credentials", "GET", role="Artisan")
def list_creds() -> Response:
    backend = current_state().credentials_backend
    view = view_arg()
    uid, gid = request.args.get("userId"), request.args.get("userGroupId")
    items = [c for c in backend.credentials.values()
             if is_curator() or backend.shared_with(c, g.user)]
    return json_response([credential_view(c, view) for c in items
                          if (not uid or uid in c["userIds"])
                          and (not gid or gid in c["userGroupIds"])])


@routes.route(BASE, "GET")
def get_cred(credentialId: str) -> Response:
    return json_response(credential_view(get_or_404(current_state().credentials, "Credential",
                                                    credentialId)))


@routes.route(BASE, "DELETE")
def delete_cred(credentialId: str) -> Response:
    backend = current_state().credentials_backend
    c = get_or_404(backend.credentials, "Credential", credentialId)
    if (c["userIds"] or c["userGroupIds"]) and not bool_arg("force", False):
        invalid({"force": ["The credential is shared; pass force=true."]},
                "The credential cannot be deleted.")
    backend.delete(credentialId)
    return json_response([])


def _share_routes(sub: str, model: str, field: str, store: str, list_name: str) -> None:
    def add(credentialId: str) -> Response:
        state = current_state()
        c = get_or_404(state.credentials, "Credential", credentialId)
        body = contract(model)
        if body[field] not in getattr(state, store):
            invalid({f"contract.{field}": [f"'{body[field]}' was not found."]})
        state.credentials_backend.share(c, list_name, body[field])
        return json_response(credential_view(c))

    def remove(credentialId: str, **kw: str) -> Response:
        state = current_state()
        c = get_or_404(state.credentials, "Credential", credentialId)
        if not state.credentials_backend.unshare(c, list_name, kw[field]):
            not_found(sub[:-1], kw[field])
        return json_response(credential_view(c))

    routes.route(f"{BASE}/{sub}", "POST")(add)
    routes.route(f"{BASE}/{sub}/<{field}>", "DELETE")(remove)


_share_routes("users", "AddCredentialsUserContract", "userId", "users", "userIds")
_share_routes("userGroups", "AddCredentialsUserGroupContract", "userGroupId", "usergroups",
              "userGroupIds")
