"""Server-side OAuth 1.0a verification (RFC 5849, via oauthlib) and OAuth 2 bearer tokens."""

from __future__ import annotations

import base64
import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from types import SimpleNamespace
from urllib.parse import unquote

from oauthlib.oauth1.rfc5849 import signature as oauth_sig
from oauthlib.oauth1.rfc5849.utils import parse_authorization_header

INVALID_SIGNATURE = "The provided signature(oauth_signature) is invalid."
REQUIRED_OAUTH = ("oauth_consumer_key", "oauth_signature_method", "oauth_signature",
                  "oauth_timestamp", "oauth_nonce")


class OAuth1Error(Exception):
    """A rejected OAuth1 request; the message goes into the 401 envelope."""


@dataclass(frozen=True)
class OAuth1Request:
    """What the verifier needs from one HTTP request."""

    method: str
    base_uri: str  # scheme://host[:port]/path as the client addressed it, no query
    raw_query: str  # the query string exactly as sent
    authorization: str | None  # the Authorization header, if any


def oauth_params(req: OAuth1Request) -> dict[str, str]:
    """Return the oauth_* parameters from the header or the query (not both)."""
    header: dict[str, str] = {}
    if req.authorization and req.authorization[:6].lower() == "oauth ":
        try:
            header = {k: v for k, v in parse_authorization_header(req.authorization)
                      if k.startswith("oauth_")}
        except ValueError as exc:
            raise OAuth1Error("Malformed OAuth Authorization header.") from exc
    try:
        query = dict(oauth_sig.collect_parameters(uri_query=req.raw_query,
                                                  exclude_oauth_signature=False))
    except ValueError as exc:
        raise OAuth1Error(INVALID_SIGNATURE) from exc
    query = {k: v for k, v in query.items() if k.startswith("oauth_")}
    if header and query:
        raise OAuth1Error("OAuth parameters must be sent in the header or the query, not both.")
    return header or query


def expected_signature(req: OAuth1Request, secret: str) -> str:
    """Compute the HMAC-SHA1 signature the server expects for this request."""
    headers = {"Authorization": req.authorization} if req.authorization and \
        req.authorization[:6].lower() == "oauth " else None
    # The body is never part of the parameter set: Alteryx bodies are JSON or multipart.
    params = oauth_sig.collect_parameters(uri_query=req.raw_query, body=[], headers=headers,
                                          exclude_oauth_signature=True, with_realm=False)
    normalized = oauth_sig.normalize_parameters(params)  # type: ignore[arg-type]
    base_uri = oauth_sig.base_string_uri(req.base_uri)
    base = oauth_sig.signature_base_string(
        req.method.upper(), base_uri, normalized)  # type: ignore[arg-type]
    # One-legged OAuth: the key is enc(secret) + "&" (no token secret).
    client = SimpleNamespace(client_secret=secret, resource_owner_secret="")
    return str(oauth_sig.sign_hmac_sha1_with_client(base, client))


class NonceCache:
    """Nonces seen within the timestamp window, per consumer key."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._seen: dict[tuple[str, str, str], float] = {}

    def check_and_add(self, key: str, timestamp: str, nonce: str, window: float) -> bool:
        """Record a nonce; return False when it was already seen."""
        now = time.monotonic()
        with self._lock:
            if len(self._seen) > 10000:
                horizon = now - max(window, 1.0) * 2
                self._seen = {k: t for k, t in self._seen.items() if t >= horizon}
            ident = (key, timestamp, nonce)
            if ident in self._seen:
                return False
            self._seen[ident] = now
            return True

    def clear(self) -> None:
        """Forget every nonce."""
        with self._lock:
            self._seen.clear()


def verify_oauth1(req: OAuth1Request, params: dict[str, str], secret: str, *,
                  server_time: float, skew: float, skew_message: str) -> None:
    """Check version, method, signature and timestamp; raise OAuth1Error on failure."""
    for name in REQUIRED_OAUTH:
        if not params.get(name):
            raise OAuth1Error(f"Missing required parameter: {name}.")
    if "oauth_version" in params and params["oauth_version"] != "1.0":
        raise OAuth1Error("Unsupported oauth_version: only 1.0 is accepted.")
    if params["oauth_signature_method"] != "HMAC-SHA1":
        raise OAuth1Error("Unsupported oauth_signature_method: only HMAC-SHA1 is accepted.")
    expected = expected_signature(req, secret)
    given = params["oauth_signature"]
    # A header value arrives percent-encoded; collect_parameters already decoded the query.
    if not hmac.compare_digest(expected.encode(), given.encode()) and not hmac.compare_digest(
            expected.encode(), unquote(given).encode()):
        raise OAuth1Error(INVALID_SIGNATURE)
    try:
        ts = int(params["oauth_timestamp"])
    except ValueError as exc:
        raise OAuth1Error(skew_message) from exc
    if abs(server_time - ts) > skew:
        raise OAuth1Error(skew_message)


@dataclass
class Token:
    """An issued bearer token (the value itself is the store's key)."""

    user_id: str
    expires_at: float  # time.monotonic() deadline


class TokenStore:
    """Bearer tokens handed out by /webapi/oauth2/token."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._tokens: dict[str, Token] = {}

    def issue(self, user_id: str, lifetime: float) -> str:
        """Create a token for a user, valid for `lifetime` seconds."""
        value = secrets.token_urlsafe(48)
        with self._lock:
            now = time.monotonic()
            if len(self._tokens) > 5000:
                self._tokens = {k: t for k, t in self._tokens.items() if t.expires_at > now}
            self._tokens[value] = Token(user_id, now + lifetime)
        return value

    def lookup(self, value: str) -> str | None:
        """Return the user id of a live token, else None."""
        with self._lock:
            token = self._tokens.get(value)
        if token is None or time.monotonic() >= token.expires_at:
            return None
        return token.user_id

    def expire_all(self) -> None:
        """Make every issued token expired (tests force a refresh with this)."""
        with self._lock:
            for token in self._tokens.values():
                token.expires_at = 0.0

    def clear(self) -> None:
        """Forget every token."""
        with self._lock:
            self._tokens.clear()


def parse_basic(header: str | None) -> tuple[str, str] | None:
    """Decode an `Authorization: Basic` header into (key, secret)."""
    if not header or header[:6].lower() != "basic ":
        return None
    try:
        decoded = base64.b64decode(header[6:].strip(), validate=True).decode("utf-8")
    except (ValueError, UnicodeDecodeError):
        return None
    key, sep, secret = decoded.partition(":")
    if not sep:
        return None
    return key, secret
