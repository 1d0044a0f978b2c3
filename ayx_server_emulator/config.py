"""The emulator's run-time knobs (mutable while the server runs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

JOB_TIMINGS = ("instant", "seconds", "manual")
CANCEL_ROUTES = ("DELETE /v3/jobs/{jobId}", "POST /v3/jobs/{jobId}/cancel", "none")
CANCEL_BODIES = ("job", "empty")


@dataclass
class EmulatorConfig:
    """Knobs read on every request, so tests may change them while the server runs."""

    #: Pre-2022.1 server: serve /gallery/api/ (OAuth1) beside /webapi/. False = 2022.1+.
    legacy_enabled: bool = True
    #: Status of /gallery/api/ paths when legacy_enabled is False (404 or 405: unverified).
    legacy_removed_status: int = 404
    #: Seconds an OAuth2 token lives; also the token response's expires_in.
    token_lifetime: float = 3599
    #: Seconds added to the server's clock (OAuth1 timestamp check, Date header, dates).
    clock_offset: float = 0.0
    #: Allowed |server time - oauth_timestamp| in seconds.
    timestamp_skew: float = 300.0
    skew_message: str = "Timestamp is not close enough to the current server time."
    #: Reject an OAuth1 nonce seen before (with the same key and timestamp).
    reject_nonce_replay: bool = True
    #: Scheme://host[:port] the OAuth1 base URI is built from (a proxy in front), or None.
    external_base_url: str | None = None
    #: Legacy v1 subscription paths take only Private Studio keys, admin/user paths only API keys.
    strict_legacy_keys: bool = True
    #: "instant" (Completed on the first read after creation), "seconds", or "manual".
    job_timing: str = "instant"
    #: In "seconds" timing: how long each of Queued and Running lasts.
    job_seconds: float = 1.0
    #: Pretty-print v1 job JSON on /webapi, as 2022.1+ servers do.
    pretty_v1_jobs: bool = True

    # ---- jobs: worker slots and cancel (issue 12; the cancel route is unverified)
    #: At most this many jobs Running at once (a Server's simultaneous-workflow slots); the
    #: rest stay Queued and start first in, first out. None = unlimited.
    worker_slots: int | None = None
    #: Which request cancels a job: "DELETE /v3/jobs/{jobId}", "POST /v3/jobs/{jobId}/cancel",
    #: or "none" (the Server has no cancel: both answer 405/404 as unknown routes do).
    job_cancel_route: str = "DELETE /v3/jobs/{jobId}"
    #: Status of a successful cancel and its body: "job" (the JobView) or "empty".
    job_cancel_status: int = 200
    job_cancel_body: str = "job"
    #: Status when the job already Completed (or was Cancelled): it cannot be cancelled.
    job_cancel_completed_status: int = 400

    # ---- realism: variety a real Server shows (on by default)
    #: A job run without a worker tag carries `workerTag: null` (False: always "").
    null_worker_tag: bool = True
    #: Jobs of AMP workflows report `runWithE2: true` (False: always false).
    run_with_e2: bool = True
    #: Fractional-second digits of the dates the emulator writes, used in turn (7, 3, 0 as
    #: .NET/Json.NET do); a single value, e.g. (7,), gives that precision always.
    date_fraction_digits: tuple[int, ...] = (7, 3, 0)
    #: In "seconds" timing a started job shows "Initializing" for the first third of its run.
    initializing_status: bool = True
    #: Tolerate a double slash after the base (`/webapi//v3/...`, as the docs' own `//swagger`).
    tolerate_double_slash: bool = True

    def update(self, **values: Any) -> None:
        """Set several knobs at once, rejecting unknown names and bad timing modes."""
        names = {f.name for f in fields(self)}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown emulator config knob: {key}")
            if key == "job_timing" and value not in JOB_TIMINGS:
                raise ValueError(f"job_timing must be one of {JOB_TIMINGS}")
            if key == "job_cancel_route" and value not in CANCEL_ROUTES:
                raise ValueError(f"job_cancel_route must be one of {CANCEL_ROUTES}")
            if key == "job_cancel_body" and value not in CANCEL_BODIES:
                raise ValueError(f"job_cancel_body must be one of {CANCEL_BODIES}")
            if key == "worker_slots" and value is not None and int(value) < 1:
                raise ValueError("worker_slots must be None or at least 1")
            if key == "date_fraction_digits":
                value = tuple(int(v) for v in value) or (7,)
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        """Return the knobs as a JSON-able dict."""
        return asdict(self)
