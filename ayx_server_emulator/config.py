"""The emulator's run-time knobs (mutable while the server runs)."""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields
from typing import Any

JOB_TIMINGS = ("instant", "seconds", "manual")


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

    def update(self, **values: Any) -> None:
        """Set several knobs at once, rejecting unknown names and bad timing modes."""
        names = {f.name for f in fields(self)}
        for key, value in values.items():
            if key not in names:
                raise ValueError(f"unknown emulator config knob: {key}")
            if key == "job_timing" and value not in JOB_TIMINGS:
                raise ValueError(f"job_timing must be one of {JOB_TIMINGS}")
            setattr(self, key, value)

    def as_dict(self) -> dict[str, Any]:
        """Return the knobs as a JSON-able dict."""
        return asdict(self)
