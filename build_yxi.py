#!/usr/bin/env python3
"""Build the Alteryx Server Tools .yxi installers (AMP layout) from a clean checkout.

    python build_yxi.py                   # both Windows YXIs (Designer 2026.1+, 2024.1-2025.2)
    python build_yxi.py --python 3.13     # only the Designer 2026.1+ one
    python build_yxi.py --platform linux  # the Linux variants (to run the payload here)
    python build_yxi.py --no-ui           # without the panels (the file name says "noui")

The builder is the package `yxi_build/` (one module per step; docs/yxi.md explains the choices).
"""

from __future__ import annotations

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from yxi_build.cli import build, main
from yxi_build.generate import manifest_json, package_config_xml, tool_config_xml
from yxi_build.target import Target

__all__ = ["Target", "build", "main", "manifest_json", "package_config_xml", "tool_config_xml"]

if __name__ == "__main__":
    sys.exit(main())
