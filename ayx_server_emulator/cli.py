"""`ayx-server-emulator`: run the local Alteryx Server emulator until Ctrl-C or SIGTERM."""

from __future__ import annotations

import argparse
import signal
import sys
import threading
from types import FrameType

from .config import JOB_TIMINGS, EmulatorConfig
from .server import EmulatorServer


def build_parser() -> argparse.ArgumentParser:
    """The command-line options (each maps to an EmulatorConfig knob)."""
    p = argparse.ArgumentParser(prog="ayx-server-emulator",
                                description="A strict local stand-in for Alteryx Server.")
    p.add_argument("--host", default="127.0.0.1", help="address to bind (default 127.0.0.1)")
    p.add_argument("--port", type=int, default=0, help="port (default 0: a free port)")
    p.add_argument("--seed", default=None, help="seed JSON file (default: the packaged seed)")
    mode = p.add_mutually_exclusive_group()
    mode.add_argument("--legacy", dest="legacy", action="store_true", default=True,
                      help="pre-2022.1 server: serve /gallery/api/ (OAuth1) too (default)")
    mode.add_argument("--modern", dest="legacy", action="store_false",
                      help="2022.1+ server: /gallery/api/ paths are gone")
    p.add_argument("--legacy-removed-status", type=int, default=404,
                   help="status of /gallery/api/ paths with --modern (default 404)")
    p.add_argument("--token-lifetime", type=float, default=3599,
                   help="OAuth2 token lifetime in seconds (default 3599)")
    p.add_argument("--job-timing", choices=JOB_TIMINGS, default=None,
                   help="instant (default), seconds, or manual")
    p.add_argument("--job-seconds", type=float, default=None,
                   help="seconds each of Queued and Running lasts (implies --job-timing seconds)")
    p.add_argument("--clock-offset", type=float, default=0.0,
                   help="seconds added to the server clock")
    p.add_argument("--timestamp-skew", type=float, default=300.0,
                   help="allowed OAuth1 timestamp skew in seconds (default 300)")
    p.add_argument("--external-base-url", default=None,
                   help="scheme://host[:port] clients use (a proxy in front) for OAuth1")
    p.add_argument("--no-nonce-check", action="store_true", help="accept replayed OAuth1 nonces")
    p.add_argument("--worker-slots", type=int, default=None,
                   help="at most N jobs Running at once, the rest Queued (default: unlimited)")
    return p


def main(argv: list[str] | None = None) -> int:
    """Start the emulator, print its URL and the Curator's credentials, serve until stopped."""
    args = build_parser().parse_args(argv)
    config = EmulatorConfig(
        legacy_enabled=args.legacy, legacy_removed_status=args.legacy_removed_status,
        token_lifetime=args.token_lifetime, clock_offset=args.clock_offset,
        timestamp_skew=args.timestamp_skew, external_base_url=args.external_base_url,
        reject_nonce_replay=not args.no_nonce_check, worker_slots=args.worker_slots)
    if args.job_seconds is not None:
        config.job_timing, config.job_seconds = "seconds", args.job_seconds
    if args.job_timing is not None:
        config.job_timing = args.job_timing
    emu = EmulatorServer(seed=args.seed, config=config, host=args.host, port=args.port)
    stop = threading.Event()

    def on_signal(signum: int, frame: FrameType | None) -> None:
        stop.set()

    signal.signal(signal.SIGINT, on_signal)
    signal.signal(signal.SIGTERM, on_signal)
    emu.start()
    try:
        cur = emu.user("Curator")
        # These are fake, emulator-only credentials: printing them is the point.
        print(f"Alteryx Server emulator on {emu.url} (webapi {emu.webapi_url}, legacy "
              f"{'on' if config.legacy_enabled else 'off'}) Curator {cur.email} "
              f"api_key={cur.api_key} api_secret={cur.api_secret} "
              f"studio_key={cur.studio_key} studio_secret={cur.studio_secret}", flush=True)
        while not stop.wait(0.5):
            pass
    finally:
        emu.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
