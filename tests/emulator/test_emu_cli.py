"""The console script: starts, prints its URL and the Curator's credentials, stops on SIGTERM."""

from __future__ import annotations

import re
import signal
import subprocess
import sys

import requests


def test_cli_runs_until_sigterm() -> None:
    proc = subprocess.Popen(
        [sys.executable, "-m", "ayx_server_emulator.cli",
         "--modern", "--token-lifetime", "60", "--job-timing", "manual", "--worker-slots", "2"],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        assert proc.stdout is not None
        line = proc.stdout.readline()
        match = re.search(r"on (http://127\.0\.0\.1:\d+) ", line)
        assert match, line
        url = match.group(1)
        assert "api_key=curator-api-key" in line
        assert requests.get(url + "/_emulator/health", timeout=10).json() == {
            "status": "ok", "legacyEnabled": False}
        config = requests.get(url + "/_emulator/config", timeout=10).json()
        assert config["token_lifetime"] == 60 and config["job_timing"] == "manual"
        assert config["worker_slots"] == 2 and config["date_fraction_digits"] == [7, 3, 0]
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(timeout=10) == 0
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait(timeout=10)
