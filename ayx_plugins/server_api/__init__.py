"""The Alteryx Server API core: plain Python (no SDK), shared by the tools, the CLI and tests."""

from __future__ import annotations

from .auth import BearerTokenAuth, OAuth1QueryAuth, OAuth2ClientCredentials, TokenInfo
from .catalogue import Catalogue, Endpoint, call_endpoint, load_catalogue
from .client import ClientStats, ServerClient
from .errors import (
    ApiError,
    AuthenticationError,
    JobFailedError,
    JobTimeoutError,
    LegacyApiRemovedError,
    NotFoundError,
    PermissionDeniedError,
    RateLimitError,
    ServerError,
    TransportError,
    UnsupportedMediaTypeError,
    ValidationError,
)
from .jobs import (
    Job,
    JobMessage,
    JobOutput,
    download_outputs,
    get_job,
    start_job,
    wait_for_job,
)
from .retry import RetryPolicy
from .urls import BaseUrl, parse_base_url

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BaseUrl",
    "BearerTokenAuth",
    "Catalogue",
    "ClientStats",
    "Endpoint",
    "Job",
    "JobFailedError",
    "JobMessage",
    "JobOutput",
    "JobTimeoutError",
    "LegacyApiRemovedError",
    "NotFoundError",
    "OAuth1QueryAuth",
    "OAuth2ClientCredentials",
    "PermissionDeniedError",
    "RateLimitError",
    "RetryPolicy",
    "ServerClient",
    "ServerError",
    "TokenInfo",
    "TransportError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "call_endpoint",
    "download_outputs",
    "get_job",
    "load_catalogue",
    "parse_base_url",
    "start_job",
    "wait_for_job",
]
