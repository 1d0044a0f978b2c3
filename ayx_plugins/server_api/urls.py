"""Turn any base URL a user pastes into an origin, an API family and the API base URL."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from urllib.parse import urlsplit, urlunsplit

__all__ = ["AuthType", "BaseUrl", "parse_base_url"]

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
        raise ValueError("the Server URL is empty: give e.g. https://server.example.com/webapi/")
    if "://" not in text:
        text = "https://" + text
    parts = urlsplit(text)
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(
            f"not an http(s) URL: {url!r}; give e.g. https://server.example.com/webapi/"
        )
    if parts.username or parts.password:
        raise ValueError("put credentials in the key/secret options, not in the URL")
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
