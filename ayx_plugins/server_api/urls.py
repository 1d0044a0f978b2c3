"""Turn any base URL a user pastes into an origin, an API family and the API base URL."""

from __future__ import annotations

import os
from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

from .errors import ConfigurationError

__all__ = ["AuthType", "BaseUrl", "check_settings", "parse_base_url"]

AuthType = Literal["oauth2", "oauth1"]
Family = Literal["webapi", "gallery_api", "host"]


@dataclass(frozen=True)
class BaseUrl:
    """A parsed Server URL: `origin` + `prefix` (a sub-path install) and the family it names."""

    origin: str  # "https://host[:port]"
    prefix: str  # "" or "/sub/path" when the Server is installed under a path
    family: Family

    @property
    def default_auth(self) -> AuthType:
        """OAuth 1.0a only for an explicit /gallery/api/ URL; OAuth 2 otherwise."""
        return "oauth1" if self.family == "gallery_api" else "oauth2"

    def api_base(self, auth_type: AuthType) -> str:
        """The API base URL for an auth type, ending in "/"."""
        tail = "/gallery/api/" if auth_type == "oauth1" else "/webapi/"
        return f"{self.origin}{self.prefix}{tail}"

    @property
    def webapi(self) -> str:
        """The OAuth 2 base URL."""
        return self.api_base("oauth2")

    @property
    def gallery_api(self) -> str:
        """The legacy OAuth 1.0a base URL."""
        return self.api_base("oauth1")


def parse_base_url(url: str) -> BaseUrl:
    """Parse `https://host`, `.../webapi/...`, `.../gallery/...` or `.../gallery/api/...`.

    Anything after the family segment (a pasted endpoint, a query, a fragment) is dropped; a
    missing scheme means https.
    """
    text = url.strip()
    if not text:
        raise ConfigurationError(
            "the Server URL is empty: give e.g. https://server.example.com/webapi/", option="url"
        )
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.username is not None or parts.password is not None or "@" in parts.netloc:
        host = parts.netloc.rsplit("@", 1)[-1]
        raise ConfigurationError(
            f"the Server URL holds a user name or password ({parts.scheme}://***@{host}): put "
            "the credentials in the API key and secret settings, never in the URL",
            option="url",
        )
    shown = urlunsplit((parts.scheme, parts.netloc, parts.path, "", ""))
    if parts.scheme.lower() not in ("http", "https"):
        raise ConfigurationError(
            f"the Server URL {shown!r} is not http:// or https://: give e.g. "
            "https://server.example.com/webapi/",
            option="url",
        )
    host = parts.hostname or ""
    if not host or any(c.isspace() for c in parts.netloc) or any(c in host for c in "<>\\\"'{}|^`"):
        raise ConfigurationError(
            f"the Server URL {shown!r} has no valid host name: give e.g. "
            "https://server.example.com/webapi/",
            option="url",
        )
    try:
        port = parts.port
    except ValueError:
        port = -1
    if port is not None and not 0 < port < 65536:
        raise ConfigurationError(
            f"the Server URL {shown!r} has an invalid port (1 to 65535)", option="url"
        )
    origin = urlunsplit((parts.scheme.lower(), parts.netloc.lower(), "", "", ""))
    segments = [s for s in parts.path.split("/") if s]
    lowered = [s.lower() for s in segments]
    family: Family = "host"
    cut = len(segments)
    if "webapi" in lowered:
        cut = lowered.index("webapi")
        family = "webapi"
    elif "gallery" in lowered:
        cut = lowered.index("gallery")
        after = lowered[cut + 1 : cut + 2]
        family = "gallery_api" if after == ["api"] else "host"
    elif "api-docs" in lowered:
        cut = lowered.index("api-docs")
    prefix = "".join("/" + s for s in segments[:cut])
    return BaseUrl(origin=origin, prefix=prefix, family=family)


def check_settings(
    url: str,
    *,
    auth_type: AuthType | None = None,
    token: str | None = None,
    verify: bool | str = True,
) -> BaseUrl:
    """Every connection setting that can be judged without a request; ConfigurationError if not.

    The URL (scheme, host, port, no credentials in it), the auth type against the URL's API
    family, and a CA-bundle file that must exist. The tools call this in their configuration
    step, so a mistake is one error before any record is sent.
    """
    base = parse_base_url(url)
    chosen = auth_type or ("oauth2" if token else base.default_auth)
    if chosen not in ("oauth1", "oauth2"):
        raise ConfigurationError(
            f"the authentication type must be OAuth 2 or OAuth 1.0a, not {chosen!r}",
            option="auth_type",
        )
    if base.family == "webapi" and chosen == "oauth1":
        raise ConfigurationError(
            "OAuth 1.0a is only served under /gallery/api/ (Servers before 2022.1): use OAuth 2 "
            "with the /webapi/ URL, or give the /gallery/api/ URL",
            option="auth_type",
        )
    if base.family == "gallery_api" and chosen == "oauth2":
        raise ConfigurationError(
            "OAuth 2 is served under /webapi/, not /gallery/api/: give the /webapi/ URL",
            option="auth_type",
        )
    if isinstance(verify, str) and not (os.path.isfile(verify) or os.path.isdir(verify)):
        raise ConfigurationError(
            f"the CA bundle file {verify!r} does not exist: give the path of the PEM file of the "
            "certificate authority that signed the Server's certificate",
            option="ca_bundle",
        )
    return base
