"""Rerun the peer clients against the emulator (not part of the suite: it needs the peers'
venv). Usage:

    python -m venv /tmp/peers && /tmp/peers/bin/pip install alteryx-server-py==0.2.0 \\
        alteryx-gallery-py==1.0.1 six python-dateutil urllib3 certifi requests pydantic xmltodict \\
        && /tmp/peers/bin/pip install --no-deps mcp-server-alteryx==0.2.22
    .venv-3.13/bin/python tests/emulator/run_peers.py /tmp/peers/bin/python

Prints one line per peer call (ok / error and why); docs/emulator.md classifies them.
"""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from ayx_server_emulator import EmulatorServer


def main(python: str) -> int:
    with EmulatorServer() as emu:
        cur = emu.user("Curator")
        proc = subprocess.run(
            [python, str(Path(__file__).with_name("peer_checks.py"))],
            input=json.dumps({"url": emu.url, "key": cur.api_key, "secret": cur.api_secret,
                              "studio_key": cur.studio_key, "studio_secret": cur.studio_secret}),
            capture_output=True, text=True, timeout=600, check=False,
            cwd=str(Path(python).resolve().parents[1]))
        if proc.returncode != 0:
            print(proc.stderr[-4000:], file=sys.stderr)
            return proc.returncode
        for r in json.loads(proc.stdout):
            print(f"{r['peer']:<36} {r['outcome']:<5} {r['call']:<40} {r['detail']}")
        print(f"emulator statuses: {emu.counters.statuses}")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
