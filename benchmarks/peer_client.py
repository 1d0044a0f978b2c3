"""The peer, PyPI `alteryx-server-py` (sync client), making N calls; run in `.venv-bench`.

Its pydantic floor (>=2.11) conflicts with the SDK's pin (==2.10.6), so it lives in its own venv
and prints one JSON line: {"seconds", "cpu", "ok", "errors", "first_error"}. Usage:
    python peer_client.py WEBAPI_URL KEY SECRET WORKFLOW_ID N [C]
With C > 1 the calls run on C threads sharing the one client (httpx's client is thread-safe).
The secret arrives on stdin when argv[3] is "-", so it never shows in a process listing.
"""

from __future__ import annotations

import json
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor


def main(argv: list[str]) -> int:
    """Make N `workflows.get` calls and report the time they took."""
    from alteryx_server_py import AlteryxClient

    url, key, secret, workflow_id, n = argv[0], argv[1], argv[2], argv[3], int(argv[4])
    threads = int(argv[5]) if len(argv) > 5 else 1
    if secret == "-":
        secret = sys.stdin.readline().strip()
    counts = {"ok": 0, "errors": 0}
    first_error = [""]
    lock = threading.Lock()

    def one(_i: int) -> None:
        try:
            wf = client.workflows.get(workflow_id)
            good = getattr(wf, "id", None) == workflow_id
            with lock:
                counts["ok"] += 1 if good else 0
        except Exception as exc:
            with lock:
                counts["errors"] += 1
                first_error[0] = first_error[0] or f"{type(exc).__name__}: {exc}"[:300]

    with AlteryxClient(base_url=url, client_id=key, client_secret=secret) as client:
        cpu0, t0 = time.process_time(), time.perf_counter()
        if threads == 1:
            for i in range(n):
                one(i)
        else:
            with ThreadPoolExecutor(threads) as pool:
                list(pool.map(one, range(n)))
        seconds, cpu = time.perf_counter() - t0, time.process_time() - cpu0
    print(json.dumps({"seconds": seconds, "cpu": cpu, **counts,
                      "first_error": first_error[0]}))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
