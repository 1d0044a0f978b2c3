"""The core's error sentences in Designer's words, and the request id a Server admin searches for.

The core words its errors for every front end (the CLI adds its option names to them); a tool's
Failure rows and Results-window lines name the tool's own settings instead, as the panel labels
them (the Advanced section's "Certificate authority file (PEM)", "Request timeout (seconds)",
"Authentication"), and never a command-line option, an environment variable or the `ayx-server`
command. Each rule keys on the error's `kind` (or `option`), never on a Python type name.
"""

from __future__ import annotations

import re

from ayx_plugins.server_api import ApiError
from ayx_plugins.server_api.errors import ConfigurationError

__all__ = ["config_words", "designer_words", "request_id_detail"]

CA_OPTION = "'Certificate authority file (PEM)' under Advanced in this tool"
TIMEOUT_OPTION = "'Request timeout (seconds)' under Advanced in this tool"
AUTH_OPTION = "'Authentication' under Advanced in this tool"
PROXY = "Designer's proxy settings (Options > User Settings > Edit User Settings > Proxy)"

# Command-line words a core sentence may hold, and what a Designer user sets instead.
_CLI_WORDS = (
    ("`ayx-server job ID`", "Server Job Status (give it this JobId)"),
    ("ayx-server job ID", "Server Job Status (give it this JobId)"),
    ("HTTPS_PROXY/HTTP_PROXY and NO_PROXY, or Designer's proxy settings", PROXY),
    ("REQUESTS_CA_BUNDLE", CA_OPTION),
    ("--ca-bundle", CA_OPTION),
    ("--http-timeout", TIMEOUT_OPTION),
    ("--timeout", TIMEOUT_OPTION),
    ("--auth-type", AUTH_OPTION),
)

_API_BASE = re.compile(r"(https?://[^\s/]+/(?:webapi|gallery/api)/)[^\s;]*")

_OPTIONS = {
    "url": "Server URL",
    "auth_type": AUTH_OPTION,
    "ca_bundle": CA_OPTION,
}  # "credentials": the core's sentence names them already (a setting, or fields per record)


def _plain(text: str) -> str:
    for cli, designer in _CLI_WORDS:
        text = text.replace(cli, designer)
    return text


def designer_words(exc: BaseException) -> str:
    """The error's sentence as a tool shows it (Failure row's Error, Results window)."""
    text = _plain(str(exc))
    if not isinstance(exc, ApiError):
        return text
    kind = exc.kind
    if kind == "tls":
        if "as the CA bundle" in text:
            text = text.replace("as the CA bundle", f"as the CA bundle ({CA_OPTION})")
        elif "Advanced" not in text:
            text += f"; a private certificate authority's PEM file goes in {CA_OPTION}"
    elif kind == "timeout" and "Advanced" not in text:
        text += f" (if the Server is only slow, raise {TIMEOUT_OPTION})"
    elif kind in ("https_required", "redirect"):
        # the core names the request's own URL; the Server URL setting takes the API base
        text = _API_BASE.sub(r"\1", text)
    elif kind == "too_large":
        text = text.replace(" or raise the size limit", "")
    elif kind == "legacy_removed" and "Advanced" not in text:
        text += f"; in this tool: that Server URL, and OAuth 2 in {AUTH_OPTION}"
    elif isinstance(exc, ConfigurationError):
        text = config_words(exc)
    return text


def config_words(exc: ConfigurationError) -> str:
    """A configuration error from the core (`check_settings`, the client's constructor) as one
    Results-window sentence, naming the tool's setting it is about."""
    text = _plain(str(exc))
    text = text[:1].upper() + text[1:]
    option = _OPTIONS.get(exc.option or "")
    if option and option not in text:
        text += f" (setting: {option})"
    return text


def request_id_detail(exc: ApiError) -> str:
    """The line for a Failure row's Error Detail that lets a Server admin find the request in
    the Server's logs (the Server's own request id when it gave one, and the X-Request-Id this
    tool sent), or "" when the request never got that far."""
    sent = exc.client_request_id
    server = exc.request_id if exc.request_id and exc.request_id != sent else None
    if server and sent:
        return (f"Server request id {server} (X-Request-Id sent: {sent}): a Server administrator "
                "can find this request in the Server's logs by it")
    if server or sent:
        return (f"Request id {server or sent} (X-Request-Id): a Server administrator can find "
                "this request in the Server's logs by it")
    return ""
