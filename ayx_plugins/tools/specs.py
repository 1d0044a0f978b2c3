"""The single source of truth for what each Designer tool is: name, anchors, labels, help.

`build_yxi.py` generates every tool XML from this table; the plugins and the UI read their anchor
names from it. No SDK import here, so the build can read it without the runtime.
"""

from __future__ import annotations

from dataclasses import dataclass

PACKAGE_NAME = "Alteryx Server Tools"
CATEGORY = "Alteryx Server"
VERSION = "0.1.0"
HELP_URL = "https://github.com/alteryx-server-tools/alteryx-server-tools#readme"

SUCCESS = "Success"
FAILURE = "Failure"


@dataclass(frozen=True)
class AnchorSpec:
    """One input or output anchor as Designer shows it."""

    name: str
    label: str
    optional: bool = False
    description: str = ""


@dataclass(frozen=True)
class ToolSpec:
    """Everything the packaging and the UI need to know about one tool."""

    class_name: str  # the PluginV2 class exported by ayx_plugins, also the UI folder name
    display_name: str  # Designer's tool name: ^[A-Za-z][A-Za-z0-9 ]*$
    description: str
    inputs: tuple[AnchorSpec, ...]
    outputs: tuple[AnchorSpec, ...] = (
        AnchorSpec(SUCCESS, "S", description="Records whose request succeeded"),
        AnchorSpec(FAILURE, "F", description="Records whose request failed, with the reason"),
    )
    method: str | None = None  # for the GET/POST/PUT/DELETE tools
    # WritesOutputData in the tool XML: Designer's "Disable All Tools that Write Output" stops
    # the tools that change the Server or write files (Runner, POST, PUT, DELETE).
    writes_output: bool = False
    # The DCM namespace the tool registers its schemas into (MetaInfo/DcmNamespace); the schema
    # files are assets/dcm/{DataSources,Credentials,Connections}/, shipped as DcmSchemas/.
    dcm_namespace: str = "AlteryxServerTools"

    @property
    def folder(self) -> str:
        """The tool's folder inside the YXI: <Class>_<version with underscores>."""
        return f"{self.class_name}_{VERSION.replace('.', '_')}"


_INPUT = AnchorSpec("Input", "I", description="One request per record")
_CONNECTION = AnchorSpec(
    "Connection", "C", optional=True,
    description="Optional: the record Server Authenticate writes (its Success output), for the "
    "connection source 'the Connection anchor'",
)
_REQUEST_INPUTS = (_INPUT, _CONNECTION)

TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "ServerAuthenticate",
        "Server Authenticate",
        "Fetch an OAuth 2 token (or check OAuth 1.0a keys) for the other Server tools",
        inputs=(AnchorSpec("Input", "I", optional=True, description="Optional credentials"),),
    ),
    ToolSpec("ServerRunner", "Server Runner", "Run a Server workflow per record, optionally wait",
             inputs=_REQUEST_INPUTS, writes_output=True),
    ToolSpec("ServerJobStatus", "Server Job Status", "Get or wait for a Server job per record",
             inputs=_REQUEST_INPUTS),
    ToolSpec("ServerGet", "Server GET", "GET a Server API endpoint per record",
             inputs=_REQUEST_INPUTS, method="GET"),
    ToolSpec("ServerPost", "Server POST", "POST to a Server API endpoint per record",
             inputs=_REQUEST_INPUTS, method="POST", writes_output=True),
    ToolSpec("ServerPut", "Server PUT", "PUT to a Server API endpoint per record",
             inputs=_REQUEST_INPUTS, method="PUT", writes_output=True),
    ToolSpec("ServerDelete", "Server DELETE", "DELETE a Server API resource per record",
             inputs=_REQUEST_INPUTS, method="DELETE", writes_output=True),
)

BY_CLASS = {t.class_name: t for t in TOOLS}
