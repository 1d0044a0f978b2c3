"""The Alteryx Server API core: plain Python (no SDK), shared by the tools, the CLI and tests."""

from __future__ import annotations

from .auth import BearerTokenAuth, OAuth1QueryAuth, OAuth2ClientCredentials, TokenInfo
from .catalogue import Catalogue, Endpoint, call_endpoint, load_catalogue
from .client import ClientStats, ServerClient
from .errors import (
    ApiError,
    AuthenticationError,
    ConfigurationError,
    JobFailedError,
    JobTimeoutError,
    LegacyApiRemovedError,
    NotFoundError,
    PathParameterError,
    PermissionDeniedError,
    RateLimitError,
    RedirectError,
    ResponseTooLargeError,
    ServerError,
    TlsError,
    TransportError,
    UnexpectedAnswerError,
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
from .scrub import Scrubber
from .segments import PathEscapeError
from .urls import BaseUrl, check_settings, parse_base_url
from .values import (
    build_multipart,
    encode_value,
    jsonable,
    parse_datetime,
    priority_for,
    render_path,
    server_clock_offset,
)

__all__ = [
    "ApiError",
    "AuthenticationError",
    "BaseUrl",
    "BearerTokenAuth",
    "Catalogue",
    "ClientStats",
    "ConfigurationError",
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
    "PathEscapeError",
    "PathParameterError",
    "PermissionDeniedError",
    "RateLimitError",
    "RedirectError",
    "ResponseTooLargeError",
    "RetryPolicy",
    "Scrubber",
    "ServerClient",
    "ServerError",
    "TlsError",
    "TokenInfo",
    "TransportError",
    "UnexpectedAnswerError",
    "UnsupportedMediaTypeError",
    "ValidationError",
    "build_multipart",
    "call_endpoint",
    "check_settings",
    "download_outputs",
    "encode_value",
    "get_job",
    "jsonable",
    "load_catalogue",
    "parse_base_url",
    "parse_datetime",
    "priority_for",
    "render_path",
    "server_clock_offset",
    "start_job",
    "wait_for_job",
]
