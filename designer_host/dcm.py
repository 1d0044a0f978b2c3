"""Designer's side of the SDK's DCM requests, for the Designer host and the in-process runner.

A tool calls `provider.dcm.get_connection(id, callback)`; the SDK sends a `DcmERequest` on the
control stream and turns Designer's `DcmEResponse` (success flag + a protobuf Struct) into the
dict the callback gets (`dcme_msgs.handle_response`, which adds `dcme_exception` on failure).
Here `connections` maps an id to the answer: a dict (the connection as Designer would send it)
or a `DcmRefusal` (Designer refuses, e.g. the connection lacks "Allow connection for SDK").
An unknown id is refused as "not found".

What Designer puts in the dict for an "Alteryx Server API" connection is not public; the shape
`server_api_connection` builds mirrors the Server's DCM API (data source parameters, credentials
by role with parameters and secrets `{name: {"value": ...}}`).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from google.protobuf.struct_pb2 import Struct  # type: ignore[import-untyped]


@dataclass(frozen=True)
class DcmRefusal:
    """Designer's failure answer to a DCM request."""

    message: str = "Connection is not allowed for SDK access"
    error_code: int = 403


NOT_FOUND = DcmRefusal("Connection not found", 404)


def server_api_connection(url: str, api_key: str, api_secret: str | None, *,
                          connection_id: str = "00000000-0000-4000-8000-00000000d0c0",
                          name: str = "Alteryx Server (emulator)") -> dict[str, Any]:
    """An "Alteryx Server API" DCM connection: data source URL, credential key + secret."""
    secrets = {"password": {"value": api_secret}} if api_secret is not None else {}
    return {
        "id": connection_id,
        "name": name,
        "dataSource": {
            "schemaName": "alteryx_server_api",
            "name": name,
            "parameters": {"serverUrl": url},
        },
        "credentials": {
            "DEFAULT": {
                "method": "api_key_secret",
                "parameters": {"apiKey": api_key},
                "secrets": secrets,
            }
        },
    }


def answer(connections: Mapping[str, Any] | None, connection_id: str) -> tuple[bool, Struct]:
    """Designer's `DcmEResponse` fields (success, response) for one get_connection request."""
    value = (connections or {}).get(connection_id, NOT_FOUND)
    struct = Struct()
    if isinstance(value, DcmRefusal):
        struct.update({"message": value.message, "errorCode": value.error_code})
        return False, struct
    struct.update(dict(value))
    return True, struct


def callback_value(connections: Mapping[str, Any] | None, connection_id: str) -> dict[str, Any]:
    """What the SDK hands the tool's callback, produced by the SDK's own response handler."""
    from ayx_python_sdk.providers.amp_provider.grpc_helpers.dcme_msgs import handle_response
    from ayx_python_sdk.providers.amp_provider.resources.generated.dcm_e_pb2 import DcmEResponse

    success, struct = answer(connections, connection_id)
    response = DcmEResponse(success=success)
    response.response.CopyFrom(struct)
    result: dict[str, Any] = handle_response(response)
    return result
