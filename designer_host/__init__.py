"""Dev-only stand-in for Designer's engine: runs a tool over the SDK's real gRPC protocol.

Used by the tests, the demo and the benchmarks; never shipped in the YXI and never imported by
`ayx_plugins`.
"""

from designer_host.designer_config import config_xml, decrypt, encrypt, panel_config
from designer_host.host import HostError, ToolRun, default_entry_point, metadata_of, run_tool

__all__ = [
    "HostError",
    "ToolRun",
    "config_xml",
    "decrypt",
    "default_entry_point",
    "encrypt",
    "metadata_of",
    "panel_config",
    "run_tool",
]
