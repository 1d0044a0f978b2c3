"""`python -m designer_host TOOL CONFIG.xml [--input file.csv] [--update-only] ...`: run one tool
as Designer's engine would and print its messages and outputs."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path
from typing import Any

from ayx_plugins.tools.typed_values import pylist
from designer_host.host import run_tool


def main(argv: list[str] | None = None) -> int:
    """Command-line entry point."""
    parser = argparse.ArgumentParser(prog="python -m designer_host", description=__doc__)
    parser.add_argument("tool", help="tool class, e.g. ServerRunner")
    parser.add_argument("config", help="tool configuration: an XML file (<Configuration> root), "
                        "or a .json file holding a panel's model.Configuration (converted "
                        "the way Designer's Json.NET does)")
    parser.add_argument("--input", help="CSV file for the Input anchor")
    parser.add_argument("--update-only", action="store_true", help="Designer's update-only mode")
    parser.add_argument("--python", default=sys.executable, help="interpreter for the plugin")
    parser.add_argument("--entry-point", help="main.pyz of an installed YXI (default: the SDK's)")
    parser.add_argument("--secret-prefix", default="",
                        help="decrypt a secret by stripping this prefix (default: unchanged)")
    parser.add_argument("--timeout", type=float, default=120.0)
    args = parser.parse_args(argv)
    inputs = {}
    if args.input:
        import pyarrow.csv as pacsv

        inputs["Input"] = pacsv.read_csv(args.input)
    prefix = args.secret_prefix
    text = Path(args.config).read_text(encoding="utf-8")
    config: Any = json.loads(text) if args.config.lower().endswith(".json") else text
    run = run_tool(
        args.tool, config, inputs,
        python=args.python, entry_point=args.entry_point, update_only=args.update_only,
        secrets=lambda text: text[len(prefix):] if prefix and text.startswith(prefix) else text,
        timeout=args.timeout,
    )
    for kind, text in run.messages:
        print(f"{kind.upper():5} {text}")
    for name, schema in run.output_schemas.items():
        table = run.outputs.get(name)
        rows = table.num_rows if table is not None else 0
        print(f"\n[{name}] {rows} rows; fields: "
              + ", ".join(f"{f.name}:{(f.metadata or {}).get(b'ayx.type', b'?').decode()}"
                          for f in schema))
        if table is not None:
            for row in pylist(table):  # DateTime (date64) with the time of day
                print("  ", row)
    return 1 if run.errors else 0


if __name__ == "__main__":
    sys.exit(main())
