"""Starts one Alteryx Server Tools plugin for Designer: python main.pyz start-sdk-tool-service
ayx_plugins <ToolClass>. Plain Python; the .pyz name is what Designer's manifest expects."""

import json
import os
import site
import sys
from pathlib import Path

# The tool folder that holds the shared site-packages: the build writes the first tool's folder.
SHARED_FOLDER = ""

HERE = Path(__file__).resolve().parent
os.environ["PYTHONUNBUFFERED"] = "1"
# A cp1252 console dies on the first non-ASCII log line; never let output kill the tool.
for _stream in (sys.stdout, sys.stderr):
    try:  # noqa: SIM105 (contextlib is one more import at every start)
        _stream.reconfigure(encoding="utf-8", errors="replace")  # type: ignore[union-attr]
    except (AttributeError, ValueError):
        pass


def _add_site_dir(path: str) -> None:
    # Our verified set of packages must win over anything in Designer's own Python environment.
    before = list(sys.path)
    site.addsitedir(path)
    added = [p for p in sys.path if p not in before]
    sys.path[:] = added + before


def _site_packages() -> Path:
    # Each tool folder has its own main.pyz (what Designer's manifest names); the packages live
    # once, in the first tool's folder, unless this folder carries its own copy.
    own = HERE / "site-packages"
    return own if own.is_dir() else HERE.parent / SHARED_FOLDER / "site-packages"


def main() -> None:
    """Put the payload first on sys.path and hand over to the SDK's tool service."""
    _add_site_dir(str(_site_packages()))
    with open(HERE / "manifest.json", encoding="utf-8") as f:
        for extra in json.load(f).get("additional_pythonpaths") or []:
            _add_site_dir(extra)
    if len(sys.argv) < 4:
        sys.exit("usage: main.pyz start-sdk-tool-service ayx_plugins <ToolClass>")
    from ayx_python_sdk.providers.amp_provider.__main__ import start_sdk_tool_service

    start_sdk_tool_service(sys.argv[2], sys.argv[3], os.getenv("TOOL_SERVICE_ADDRESS"))


if __name__ == "__main__":
    main()
