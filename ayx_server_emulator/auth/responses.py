"""The token endpoint and the per-request authentication of both API families."""

from __future__ import annotations

import hmac
from typing import TYPE_CHECKING

from flask import Response, g, request

from ..access import current_emulator
from ..http import DENIED, json_response, legacy_envelope
from ..routing import GALLERY, Routes
from . import models

if TYPE_CHECKING:
    from ..server import EmulatorServer

routes = Routes()
TOKEN_PATH = "/oauth2/token"


@routes.route(TOKEN_PATH, "POST", role=None, locked=False)
def token() -> Response:
    """OAuth2 client credentials: Basic or form-body credentials (not both)."""
    emu = current_emulator()

    def err(code: str, description: str) -> Response:
        return json_response({"error": code, "error_description": description}, 400)
    if request.mimetype != "application/x-www-form-urlencoded":
        return err("invalid_request", "The request must be form-url-encoded.")
    form = request.form
    if form.get("grant_type") != "client_credentials":
        return err("unsupported_grant_type", "grant_type must be client_credentials.")
    basic = models.parse_basic(request.headers.get("Authorization"))
    in_body = form.get("client_id") is not None or form.get("client_secret") is not None
    if basic and in_body:
        return err("invalid_request", "Client credentials were sent more than once.")
    key, secret = basic if basic else (form.get("client_id", ""), form.get("client_secret", ""))
    with emu.state.lock:
        found = emu.state.find_key(key) if key else None
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


def bearer(emu: EmulatorServer) -> Response | None:
    """Check the bearer token of a /webapi request (None = go on, as g.user)."""
    header = request.headers.get("Authorization", "")
    value = header[7:].strip() if header[:7].lower() == "bearer " else ""
    user_id = emu.tokens.lookup(value) if value else None
    with emu.state.lock:
        user = emu.state.users.get(user_id or "")
    if user is None or not user.get("isActive", True):
        return json_response({"message": DENIED}, 401)
    g.user = user
    g.key_kind = "api"
    return None


def oauth1(emu: EmulatorServer) -> Response | None:
    """Verify a legacy OAuth1 request (None = go on, as g.user)."""
    cfg = emu.config
    base = (cfg.external_base_url.rstrip("/") if cfg.external_base_url
            else f"{request.scheme}://{request.host}")
    req = models.OAuth1Request(method=request.method, base_uri=base + request.environ.get(
        "emulator.raw_path", request.path), raw_query=request.query_string.decode("latin-1"),
        authorization=request.headers.get("Authorization"))
    try:
        params = models.oauth_params(req)
        key = params.get("oauth_consumer_key", "")
        if not key:
            raise models.OAuth1Error("Missing required parameter: oauth_consumer_key.")
        with emu.state.lock:
            found = emu.state.find_key(key)
        if found is None:
            raise models.OAuth1Error("The provided API Key (oauth_consumer_key) is invalid.")
        user, kind = found
        secret = user["_apiSecret"] if kind == "api" else user["_studioSecret"]
        models.verify_oauth1(req, params, secret, server_time=emu.state.now(),
                             skew=cfg.timestamp_skew, skew_message=cfg.skew_message)
        if cfg.reject_nonce_replay and not emu.nonces.check_and_add(
                key, params["oauth_timestamp"], params["oauth_nonce"], cfg.timestamp_skew):
            raise models.OAuth1Error("The provided nonce (oauth_nonce) has already been used.")
    except models.OAuth1Error as exc:
        return legacy_envelope(str(exc))
    if not user.get("isActive", True) or not user.get("isApiEnabled", True):
        return legacy_envelope(DENIED)
    if cfg.strict_legacy_keys:
        wants_studio = request.path[len(GALLERY):].startswith("/v1/")
        if (kind == "studio") != wants_studio:
            return legacy_envelope(DENIED)
    g.user = user
    g.key_kind = kind
    return None
