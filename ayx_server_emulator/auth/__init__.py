"""Authentication: OAuth 1.0a verification (legacy) and OAuth 2 bearer tokens (/webapi)."""

from .models import (
    INVALID_SIGNATURE,
    NonceCache,
    OAuth1Error,
    OAuth1Request,
    Token,
    TokenStore,
    expected_signature,
    oauth_params,
    parse_basic,
    verify_oauth1,
)

__all__ = ["INVALID_SIGNATURE", "NonceCache", "OAuth1Error", "OAuth1Request", "Token",
           "TokenStore", "expected_signature", "oauth_params", "parse_basic", "verify_oauth1"]
