"""Fault injection rules and request counters (both thread-safe)."""

from __future__ import annotations

import random
import threading
from collections import Counter
from dataclasses import asdict, dataclass, field
from typing import Any

KINDS = ("status", "latency", "drop", "truncate")


@dataclass
class FaultRule:
    """One fault: what to do, to which requests, how often."""

    kind: str  # "status" | "latency" | "drop" | "truncate"
    status: int = 503
    retry_after: float | None = None  # seconds, sent as Retry-After on status faults
    latency: float = 0.0  # seconds; with latency_max, a uniform range
    latency_max: float | None = None
    when: str = "before"  # drop: "before" the handler runs, or "after" it ran
    count: int | None = None  # burst: the next N matching requests; None = unbounded
    fraction: float = 1.0  # probability that a matching request is hit
    method: str | None = None
    path_prefix: str | None = None  # e.g. "/webapi/v3/workflows"
    id: int = 0
    hits: int = 0

    def matches(self, method: str, path: str) -> bool:
        """Tell whether the rule applies to this request (ignoring count and fraction)."""
        if self.method and self.method.upper() != method.upper():
            return False
        return not (self.path_prefix and not path.startswith(self.path_prefix))

    def as_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-able data."""
        return asdict(self)


@dataclass
class FaultDecision:
    """What the server must do to one request."""

    delay: float = 0.0
    status: int | None = None
    retry_after: float | None = None
    drop_before: bool = False
    drop_after: bool = False
    #: Send the status line, the headers (full Content-Length) and half the body, then close.
    truncate: bool = False
    rule_ids: list[int] = field(default_factory=list)


class Faults:
    """The active fault rules; the server asks `decide()` once per request."""

    def __init__(self, seed: int = 0) -> None:
        self._lock = threading.Lock()
        self._rules: list[FaultRule] = []
        self._next_id = 1
        self._random = random.Random(seed)

    def add(self, kind: str = "status", **options: Any) -> FaultRule:
        """Add a rule (see FaultRule's fields) and return it."""
        if kind not in KINDS:
            raise ValueError(f"fault kind must be one of {KINDS}")
        rule = FaultRule(kind=kind, **options)
        if rule.when not in ("before", "after"):
            raise ValueError("drop 'when' must be 'before' or 'after'")
        if not 0.0 <= rule.fraction <= 1.0:
            raise ValueError("fraction must be within [0, 1]")
        if rule.count is not None and rule.count < 0:
            raise ValueError("count must be >= 0")
        with self._lock:
            rule.id = self._next_id
            self._next_id += 1
            self._rules.append(rule)
        return rule

    def error(self, status: int, *, count: int | None = None, fraction: float = 1.0,
              retry_after: float | None = None, method: str | None = None,
              path_prefix: str | None = None) -> FaultRule:
        """Answer matching requests with `status` (429 gets Retry-After: 1 unless given)."""
        if status == 429 and retry_after is None:
            retry_after = 1
        return self.add("status", status=status, count=count, fraction=fraction,
                        retry_after=retry_after, method=method, path_prefix=path_prefix)

    def latency(self, seconds: float, maximum: float | None = None, *,
                count: int | None = None, method: str | None = None,
                path_prefix: str | None = None) -> FaultRule:
        """Delay matching requests by `seconds` (or uniformly up to `maximum`)."""
        return self.add("latency", latency=seconds, latency_max=maximum, count=count,
                        method=method, path_prefix=path_prefix)

    def drop(self, *, when: str = "before", count: int | None = None, fraction: float = 1.0,
             method: str | None = None, path_prefix: str | None = None) -> FaultRule:
        """Close the connection without a response, before or after the handler ran."""
        return self.add("drop", when=when, count=count, fraction=fraction, method=method,
                        path_prefix=path_prefix)

    def truncate(self, *, count: int | None = None, fraction: float = 1.0,
                 method: str | None = None, path_prefix: str | None = None) -> FaultRule:
        """Answer with the headers and half the body, then close the connection (the handler
        ran: a POSTed job exists)."""
        return self.add("truncate", count=count, fraction=fraction, method=method,
                        path_prefix=path_prefix)

    def remove(self, rule_id: int) -> bool:
        """Remove one rule by id; tell whether it existed."""
        with self._lock:
            before = len(self._rules)
            self._rules = [r for r in self._rules if r.id != rule_id]
            return len(self._rules) != before

    def clear(self) -> None:
        """Remove every rule."""
        with self._lock:
            self._rules.clear()

    @property
    def rules(self) -> list[FaultRule]:
        """A snapshot of the active rules."""
        with self._lock:
            return list(self._rules)

    def decide(self, method: str, path: str) -> FaultDecision:
        """Consume matching rules for one request and say what to do to it."""
        decision = FaultDecision()
        with self._lock:
            if not self._rules:
                return decision
            for rule in self._rules:
                if rule.count is not None and rule.hits >= rule.count:
                    continue
                if not rule.matches(method, path):
                    continue
                if rule.fraction < 1.0 and self._random.random() >= rule.fraction:
                    continue
                if rule.kind == "latency":
                    hi = rule.latency_max
                    decision.delay += (
                        self._random.uniform(rule.latency, hi) if hi is not None else rule.latency
                    )
                elif rule.kind == "status":
                    if decision.status is not None or decision.drop_before:
                        continue
                    decision.status = rule.status
                    decision.retry_after = rule.retry_after
                elif rule.kind in ("drop", "truncate"):
                    if (decision.status is not None or decision.drop_before
                            or decision.drop_after or decision.truncate):
                        continue
                    if rule.kind == "truncate":
                        decision.truncate = True
                    elif rule.when == "before":
                        decision.drop_before = True
                    else:
                        decision.drop_after = True
                rule.hits += 1
                decision.rule_ids.append(rule.id)
            # Exhausted bursts go away so the list stays short on long runs.
            self._rules = [r for r in self._rules if r.count is None or r.hits < r.count]
        return decision


class Counters:
    """What the server received: requests per (method, path template), tokens, jobs."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self.reset()

    def reset(self) -> None:
        """Forget everything counted so far."""
        with self._lock:
            self._requests: Counter[tuple[str, str]] = Counter()
            self._statuses: Counter[int] = Counter()
            self._tokens_issued = 0
            self._jobs_created = 0
            self._job_creations: list[dict[str, Any]] = []
            self._faults_injected = 0
            self._seq = 0
            self._max_running_jobs = 0

    def next_request(self, method: str, template: str) -> int:
        """Count one request and return its sequence number (1-based)."""
        with self._lock:
            self._seq += 1
            self._requests[(method, template)] += 1
            return self._seq

    def status(self, code: int) -> None:
        """Count one response status."""
        with self._lock:
            self._statuses[code] += 1

    def fault(self) -> None:
        """Count one injected fault."""
        with self._lock:
            self._faults_injected += 1

    def token_issued(self) -> None:
        """Count one OAuth2 token handed out."""
        with self._lock:
            self._tokens_issued += 1

    def job_created(self, record: dict[str, Any]) -> None:
        """Record one job creation (job id, workflow id, request sequence, client request id)."""
        with self._lock:
            self._jobs_created += 1
            self._job_creations.append(dict(record))

    def running_jobs(self, running: int) -> None:
        """Note how many jobs are Running now (the peak is `max_running_jobs`)."""
        with self._lock:
            self._max_running_jobs = max(self._max_running_jobs, running)

    @property
    def max_running_jobs(self) -> int:
        """The most jobs Running at the same time since the last reset."""
        with self._lock:
            return self._max_running_jobs

    @property
    def requests(self) -> dict[tuple[str, str], int]:
        """Requests by (method, path template), e.g. ("GET", "/webapi/v3/jobs/<jobId>")."""
        with self._lock:
            return dict(self._requests)

    def count(self, method: str, template: str) -> int:
        """Requests received for one (method, path template)."""
        with self._lock:
            return self._requests.get((method.upper(), template), 0)

    @property
    def total_requests(self) -> int:
        """All requests received (admin /_emulator/ requests excluded)."""
        with self._lock:
            return self._seq

    @property
    def statuses(self) -> dict[int, int]:
        """Responses by status code."""
        with self._lock:
            return dict(self._statuses)

    @property
    def tokens_issued(self) -> int:
        """OAuth2 tokens handed out."""
        with self._lock:
            return self._tokens_issued

    @property
    def jobs_created(self) -> int:
        """Jobs created (v1, v2 and v3 together)."""
        with self._lock:
            return self._jobs_created

    @property
    def job_creations(self) -> list[dict[str, Any]]:
        """One record per created job, in order."""
        with self._lock:
            return [dict(r) for r in self._job_creations]

    @property
    def faults_injected(self) -> int:
        """Requests a fault rule acted on."""
        with self._lock:
            return self._faults_injected

    def as_dict(self) -> dict[str, Any]:
        """Return everything as JSON-able data."""
        with self._lock:
            return {
                "requests": {f"{m} {p}": n for (m, p), n in sorted(self._requests.items())},
                "totalRequests": self._seq,
                "statuses": {str(k): v for k, v in sorted(self._statuses.items())},
                "tokensIssued": self._tokens_issued,
                "jobsCreated": self._jobs_created,
                "jobCreations": [dict(r) for r in self._job_creations],
                "faultsInjected": self._faults_injected,
                "maxRunningJobs": self._max_running_jobs,
            }
