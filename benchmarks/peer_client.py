"""The peer, PyPI `alteryx-server-py` (sync client), making N calls; run in `.venv-bench`.

Its pydantic floor (>=2.11) conflicts with the SDK's pin (==2.10.6), so it lives in its own venv
and prints one JSON line: {"seconds", "ok", "errors", "first_error"}. Usage:
    python peer_client.py WEBAPI_URL KEY SECRET WORKFLOW_ID N
The secret arrives on stdin when argv[3] is "-", so it never shows in a process listing.
"""

from __future__ import annotations

import json
import sys
import time


def main(argv: list[str]) -> int:
    """Make N `workflows.get` calls and report the time they took."""
    from alteryx_server_py import AlteryxClient

    url, key, secret, workflow_id, n = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    if secret == "-":
        secret = sys.stdin.readline().strip()
    ok = errors = 0
    first_error = ""
    with AlteryxClient(base_url=url, client_id=key, client_secret=secret) as client:
        t0 = time.perf_counter()
        for _ in range(n):
            try:
                wf = client.workflows.get(workflow_id)
                ok += 1 if getattr(wf, "id", None) == workflow_id else 0
            except Exception as exc:
                errors += 1
                first_error = first_error or f"{type(exc).__name__}: {exc}"[:300]
        seconds = time.perf_counter() - t0
    print(json.dumps({"seconds": seconds, "ok": ok, "errors": errors,
                      "first_error": first_error}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
