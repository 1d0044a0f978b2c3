"""Small HTTP helpers for the emulator's own tests (plain requests + oauthlib, no project code)."""

from __future__ import annotations

from typing import Any

import requests
from oauthlib.oauth1 import SIGNATURE_TYPE_AUTH_HEADER, SIGNATURE_TYPE_QUERY, Client

from ayx_server_emulator import EmulatorServer, SeedUser


def token(emu: EmulatorServer, user: SeedUser) -> str:
    """Fetch a bearer token with Basic auth."""
    r = requests.post(emu.url + "/webapi/oauth2/token", data={"grant_type": "client_credentials"},
                      auth=(user.api_key, user.api_secret), timeout=10)
    assert r.status_code == 200, r.text
    return str(r.json()["access_token"])


class Api:
    """A bearer-authenticated session on /webapi/."""

    def __init__(self, emu: EmulatorServer, role: str = "Curator") -> None:
        self.emu = emu
        self.user = emu.user(role)
        self.session = requests.Session()
        self.session.headers["Authorization"] = "Bearer " + token(emu, self.user)

    def __call__(self, method: str, path: str, **kw: Any) -> requests.Response:
        kw.setdefault("timeout", 10)
        return self.session.request(method, self.emu.url + "/webapi/" + path.lstrip("/"), **kw)

    def get(self, path: str, **kw: Any) -> requests.Response:
        return self("GET", path, **kw)

    def post(self, path: str, **kw: Any) -> requests.Response:
        return self("POST", path, **kw)

    def put(self, path: str, **kw: Any) -> requests.Response:
        return self("PUT", path, **kw)

    def delete(self, path: str, **kw: Any) -> requests.Response:
        return self("DELETE", path, **kw)


def signed(emu: EmulatorServer, method: str, path: str, key: str, secret: str, *,
           header: bool = False, base: str | None = None, **kw: Any) -> requests.Response:
    """Send one OAuth1-signed request to /gallery/api/ (query or header transport)."""
    client = Client(key, client_secret=secret,
                    signature_type=SIGNATURE_TYPE_AUTH_HEADER if header else SIGNATURE_TYPE_QUERY)
    url = (base or emu.url) + "/gallery/api/" + path.lstrip("/")
    uri, headers, _ = client.sign(url, http_method=method)
    if base:
        uri = uri.replace(base, emu.url, 1)
    kw.setdefault("timeout", 10)
    return requests.request(method, uri, headers={**headers, **kw.pop("headers", {})}, **kw)


SUCCESS = "6101a0b0c0d0e0f0a0b0c001"
ERROR = "6101a0b0c0d0e0f0a0b0c002"
WARNING = "6101a0b0c0d0e0f0a0b0c003"
APP = "6101a0b0c0d0e0f0a0b0c004"
OUTSIDER = "6101a0b0c0d0e0f0a0b0c005"
