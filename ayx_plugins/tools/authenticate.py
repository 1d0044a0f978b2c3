"""Server Authenticate: fetch an OAuth 2 token (or check OAuth 1.0a keys) for the other tools.

Without an input it runs once and outputs one record; with an input, once per record. The
credentials are set in the tool, come from a DCM connection, or (source "fields") come per
record from `urlField`, `keyField`, `secretField`; those key and secret fields are never passed
on. The output record (`CONNECTION_FIELDS`) is what the other tools read on their Connection
anchor. The token appears only in the `AccessToken` field, never in a message.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import pyarrow as pa

from ayx_plugins.server_api import ServerClient
from ayx_plugins.tools.config import AuthenticateConfig
from ayx_plugins.tools.engine import (
    ACCESS_TOKEN,
    API_BASE,
    AUTH_TYPE,
    CONNECTION_FIELDS,
    SERVER_URL,
    TOKEN_EXPIRES,
    TOKEN_TYPE,
    ConfigError,
    ConnSpec,
    Outcome,
    RowError,
    ServerTool,
    ToolLogic,
    require_fields,
)


class AuthenticateLogic(ToolLogic):
    """One token fetch (or signed check) per record."""

    display_name = "Server Authenticate"
    runs_without_input = True
    has_connection_anchor = False
    config: AuthenticateConfig

    def result_fields(self) -> list[pa.Field]:
        """URL, API base, auth type, token, token type, expiry."""
        return list(CONNECTION_FIELDS)

    def _per_record(self) -> bool:
        return self.config.source == "fields"

    def dropped_fields(self) -> set[str]:
        """The per-record key and secret fields never leave this tool."""
        c = self.config
        fields = {c.keyField, c.secretField} - {""} if self._per_record() else set()
        return {ACCESS_TOKEN} | fields

    def validate(self, input_schema: pa.Schema | None) -> None:
        """Fields named in the configuration must exist; the rest must be configured."""
        c = self.config
        if not self._per_record():
            return
        require_fields(input_schema, [c.urlField, c.keyField, c.secretField], "Credentials")
        if not c.urlField and not c.serverUrl.strip():
            raise ConfigError("No Server URL is configured (and no field holding it is chosen)")
        if not c.keyField and not c.apiKey.strip():
            raise ConfigError("No API key is configured (and no field holding it is chosen)")

    def connection(self, row: Mapping[str, Any]) -> ConnSpec | None:
        """Per-record credentials when fields are configured (the secret from the tool)."""
        if not self._per_record():
            return None
        if not row:  # the engine's probe: credentials come per record
            return ConnSpec("")
        c = self.config
        url = _text(row, c.urlField) if c.urlField else c.serverUrl.strip()
        key = _text(row, c.keyField) if c.keyField else c.apiKey.strip()
        secret = _text(row, c.secretField) if c.secretField else None
        if not url:
            raise RowError("The Server URL is empty")
        if not key:
            raise RowError("The API key is empty")
        return ConnSpec(url, c.authType, key, secret)

    def plan(self, row: Mapping[str, Any]) -> Any:
        """The URL to report (the request itself is the client's token fetch)."""
        c = self.config
        if self._per_record() and c.urlField:
            return _text(row, c.urlField) or c.serverUrl.strip()
        return c.serverUrl.strip() if c.source == "configured" else ""

    def execute(self, client: ServerClient, plan: Any) -> Outcome:
        """Fetch the token (OAuth 2) or make one signed call (OAuth 1.0a)."""
        values: dict[str, Any] = {SERVER_URL: plan or client.api_base, API_BASE: client.api_base,
                                  AUTH_TYPE: client.auth_type}
        if client.auth_type == "oauth2":
            info = client.token()
            values.update({ACCESS_TOKEN: info.access_token, TOKEN_TYPE: info.token_type,
                           TOKEN_EXPIRES: info.expires_at})
        else:
            client.verify_credentials()
        return Outcome.ok(values)


def _text(row: Mapping[str, Any], name: str) -> str:
    value = row.get(name)
    return "" if value is None else str(value).strip()


class ServerAuthenticate(ServerTool):
    """Designer tool: Server Authenticate."""

    TOOL = "ServerAuthenticate"
    LOGIC = AuthenticateLogic
