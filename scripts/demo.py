"""The demo behind `./dev demo`: the local Server emulator driven by the CLI and the real tools.

1. starts the emulator on a free loopback port (jobs take a moment per state, as on a Server);
2. runs a workflow with `ayx-server doctor` and `ayx-server run --wait` (the CLI, as a user would);
3. runs the Designer tools over the SDK's real gRPC protocol, the way Designer's engine does:
   Server Authenticate's Success output feeds the Connection (C) anchor of Server Runner (wait),
   Server Job Status and Server GET v3/workflows, while the data goes to their Input (I) anchor
   (no Append Fields, no connection columns in the outputs), and prints what each tool wrote to
   its Success and Failure outputs.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import pyarrow as pa

from ayx_plugins.tools.typed_values import pylist  # DateTime (date64) with the time of day
from ayx_server_emulator import EmulatorServer
from designer_host import config_xml, decrypt, run_tool

WF_SUCCESS = "6101a0b0c0d0e0f0a0b0c001"
WF_ERROR = "6101a0b0c0d0e0f0a0b0c002"
WF_APP = "6101a0b0c0d0e0f0a0b0c004"
TOKEN_FIELD = "AccessToken"


def heading(text: str) -> None:
    print(f"\n=== {text}", flush=True)


def show(table: pa.Table, columns: list[str] | None = None, width: int = 34) -> None:
    """Print a table compactly (tokens shortened: the demo's output is for people)."""
    if columns:
        table = table.select([c for c in columns if c in table.column_names])
    if table.num_rows == 0:
        print("  (no records)")
        return
    names = table.column_names
    rows = [[_cell(name, value, width) for name, value in zip(names, row.values(), strict=True)]
            for row in pylist(table)]
    widths = [max(len(n), *(len(r[i]) for r in rows)) for i, n in enumerate(names)]
    print("  " + " | ".join(n.ljust(w) for n, w in zip(names, widths, strict=True)))
    for r in rows:
        print("  " + " | ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)))


def _cell(name: str, value: Any, width: int) -> str:
    if value is None:
        return "[Null]"
    text = str(value).replace("\n", " ")
    if name == TOKEN_FIELD:
        return text[:6] + "…"
    return text if len(text) <= width else text[: width - 1] + "…"


def tool(name: str, xml: str, table: pa.Table | None = None,
         connection: pa.Table | None = None) -> dict[str, pa.Table]:
    """Run one tool out of process, print its Results-window lines and return its outputs.

    `connection` goes to the tool's Connection anchor (Server Authenticate's record)."""
    inputs = {"Input": table} if table is not None else {}
    if connection is not None:
        inputs["Connection"] = connection
    run = run_tool(name, xml, inputs, secrets=decrypt, python=sys.executable, timeout=120)
    if not run.completed:
        sys.exit(f"{name} did not complete:\n{run.log[-2000:]}")
    for kind, text in run.messages:
        if text != "Plugin class successfully loaded.":  # the SDK's own start-up line
            print(f"  [{kind}] {text}")
    return run.outputs


def cli(env: dict[str, str], *args: str) -> int:
    print("$ ayx-server " + " ".join(args), flush=True)
    return subprocess.run([sys.executable, "-m", "ayx_plugins.server_api.cli", *args],
                          env=env, check=False).returncode


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--job-seconds", type=float, default=0.5,
                        help="how long an emulated job stays Queued and Running")
    args = parser.parse_args()
    started = time.monotonic()
    with EmulatorServer() as emu, tempfile.TemporaryDirectory() as tmp:
        emu.config.update(job_timing="seconds", job_seconds=args.job_seconds)
        user = emu.user("Curator")
        heading(f"Alteryx Server emulator at {emu.url} "
                "(OAuth 2 on /webapi/, OAuth 1.0a on /gallery/api/)")
        print(f"  user {user.email} (Curator); emulator-only keys: "
              f"AYX_API_KEY={user.api_key} AYX_API_SECRET={user.api_secret}")

        heading("The ayx-server command")
        env = dict(os.environ, AYX_SERVER_URL=emu.url, AYX_API_KEY=user.api_key,
                   AYX_API_SECRET=user.api_secret)
        cli(env, "doctor")
        out_dir = Path(tmp, "outputs")
        code = cli(env, "run", WF_APP, "--question", "Region=North", "--question", "Size=3",
                   "--wait", "--poll-interval", "0.2", "--output-dir", str(out_dir),
                   "--format", "Csv")
        print(f"  exit status {code}; downloaded: "
              f"{sorted(p.name for p in out_dir.rglob('*') if p.is_file())}")

        conn: dict[str, Any] = {"serverUrl": emu.url, "apiKey": user.api_key}
        heading("Server Authenticate (one token for every tool below)")
        auth = tool("ServerAuthenticate", config_xml(secret=user.api_secret, **conn))
        show(auth["Success"], ["ServerUrl", "ApiBase", "AuthType", TOKEN_FIELD, "TokenType",
                               "TokenExpires"])

        heading("Server Runner: three workflows, wait for completion, 2 at a time "
                "(Authenticate -> Connection anchor, the workflows -> Input anchor)")
        token_rows = auth["Success"]
        runs = pa.table({"Workflow": [WF_SUCCESS, WF_APP, WF_ERROR],
                         "Region": pa.array([None, "South", None], pa.string())})
        runner = tool("ServerRunner", config_xml(
            source="anchor", workflowIdField="Workflow", questionsMode="fields",
            questionFields=["Region"], wait=True, pollSeconds=0.2, waitTimeoutSeconds=600,
            concurrency=2), runs,
            connection=token_rows)
        cols = ["Workflow", "JobId", "JobStatus", "Disposition", "CreateDate", "Messages"]
        print("  Success:")
        show(runner["Success"], cols)
        print("  Failure:")
        show(runner["Failure"], ["Workflow", "HTTP Status", "Error", "Error Detail"], width=60)

        heading("Server Job Status of the jobs that succeeded")
        status = tool("ServerJobStatus", config_xml(source="anchor"), runner["Success"],
                      connection=token_rows)
        show(status["Success"], ["JobId", "JobStatus", "Disposition", "CreateDate"])

        heading("Server GET v3/workflows, one row per workflow")
        get = tool("ServerGet", config_xml(source="anchor", path="v3/workflows",
                                           outputMode="rows"), connection=token_rows)
        show(get["Success"], ["HTTP Status", "id", "name", "ownerId", "dateCreated"])

        leaked = [name for out in (runner, status, get) for table in out.values()
                  for name in table.column_names if name in (TOKEN_FIELD, "ServerUrl", "ApiBase")]
        print(f"  connection columns in the Runner, Job Status and GET outputs: {leaked or 'none'}")

        c = emu.counters
        heading("What the Server saw")
        print(f"  {c.total_requests} requests, {c.tokens_issued} tokens issued "
              f"(one per CLI command, one by Server Authenticate for all four tools), "
              f"{c.jobs_created} jobs created (one per run, none twice); "
              f"{time.monotonic() - started:.1f} s in all")
    return 0


if __name__ == "__main__":
    sys.exit(main())
