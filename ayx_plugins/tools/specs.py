"""The one tool registry: what each Designer tool is, and where its parts live.

Everything that lists the tools derives the list from `TOOLS`: the package's lazy exports
(`ayx_plugins.__getattr__`), `config.TOOL_CONFIGS`, the panels (`ui/build.py` generates
`ui/src/generated/panels.js`), the icons (`assets/make_icons.py`), every generated XML and
manifest of the YXI (`yxi_build`) and the tests. Adding a tool is one `ToolSpec` here plus its
own files (module, configuration model, panel, docs page); tests/packaging/test_registry.py
proves no other list exists. No SDK import here, so the build can read it without the runtime.
The version is here too (pyproject.toml reads it).
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
    # Where the tool's parts live (read by the consumers listed in the module docstring):
    module: str = ""  # the module under ayx_plugins.tools that defines `class_name`
    config: str = ""  # its configuration model's class name in ayx_plugins/tools/config.py
    panel: str = ""  # its configuration panel: ui/src/panels/<panel>.js
    icon: tuple[str, str] = ("", "")  # palette icon: a letter and a background colour (#rrggbb)
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



def _request_tool(class_name: str, method: str, description: str, icon: tuple[str, str],
                  writes_output: bool) -> ToolSpec:
    """One of the GET/POST/PUT/DELETE tools: one class each over one shared module and panel."""
    return ToolSpec(class_name, f"Server {method}", description, inputs=_REQUEST_INPUTS,
                    method=method, writes_output=writes_output, module="api_request",
                    config="ApiRequestConfig", panel="ApiRequestPanel", icon=icon)


TOOLS: tuple[ToolSpec, ...] = (
    ToolSpec(
        "ServerAuthenticate",
        "Server Authenticate",
        "Fetch an OAuth 2 token (or check OAuth 1.0a keys) for the other Server tools",
        inputs=(AnchorSpec("Input", "I", optional=True, description="Optional credentials"),),
        module="authenticate", config="AuthenticateConfig", panel="AuthenticatePanel",
        icon=("A", "#6b3fa0"),
    ),
    ToolSpec("ServerRunner", "Server Runner", "Run a Server workflow per record, optionally wait",
             inputs=_REQUEST_INPUTS, writes_output=True, module="runner", config="RunnerConfig",
             panel="RunnerPanel", icon=("R", "#1f77b4")),
    ToolSpec("ServerJobStatus", "Server Job Status", "Get or wait for a Server job per record",
             inputs=_REQUEST_INPUTS, module="job_status", config="JobStatusConfig",
             panel="JobStatusPanel", icon=("J", "#2ca02c")),
    _request_tool("ServerGet", "GET", "GET a Server API endpoint per record", ("G", "#17becf"),
                  writes_output=False),
    _request_tool("ServerPost", "POST", "POST to a Server API endpoint per record",
                  ("P", "#ff7f0e"), writes_output=True),
    _request_tool("ServerPut", "PUT", "PUT to a Server API endpoint per record", ("U", "#bcbd22"),
                  writes_output=True),
    _request_tool("ServerDelete", "DELETE", "DELETE a Server API resource per record",
                  ("D", "#d62728"), writes_output=True),
)

BY_CLASS = {t.class_name: t for t in TOOLS}
