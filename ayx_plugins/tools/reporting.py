"""What the Results window shows about failed records (issue 11.2).

Every failed record still goes to the Failure output with its reason. In addition, by the tool's
"When a record fails" option (`onRecordFailure`):
- `warn` (default): a warning per failed record (the first 10, then one "... and N more" line)
  and the end-of-run summary as a warning;
- `error`: the same lines as errors, so the run reports an error: `provider.io.error` is the
  Results window's error (message type 3); the SDK turns an exception into the same message
  (sdk/NOTES.md §1), and it is what makes Designer count an error and Server mark the job as
  failed (Server's side unverified here);
- `ignore`: nothing per record; the summary stays an info line.
A run where every record succeeded shows only the info summary.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

SHOWN = 10
_MAX_TEXT = 300


class RecordFailures:
    """Per-record failure lines and the summary, by `onRecordFailure`."""

    def __init__(self, display_name: str, mode: str, io: Any,
                 redact: Callable[[str], str] = lambda text: text, shown: int = SHOWN) -> None:
        self.name = display_name
        self.mode = mode if mode in ("warn", "error", "ignore") else "warn"
        self.io = io
        self.redact = redact
        self.shown = shown
        self.failed = 0
        self.listed = 0

    def _emit(self, text: str) -> None:
        if self.mode == "error":
            self.io.error(text)
        else:
            self.io.warn(text)

    def add(self, record: int, error: str, status: int | None = None, *,
            listed: bool = True) -> None:
        """One failed record (1-based input position). `listed=False`: counted, no line (its
        reason was already reported once, e.g. a configuration error)."""
        self.failed += 1
        if self.mode == "ignore" or not listed or self.listed >= self.shown:
            return
        self.listed += 1
        reason = self.redact(error or "Failed")
        if len(reason) > _MAX_TEXT:
            reason = reason[: _MAX_TEXT - 1] + "…"
        http = f" (HTTP {status})" if status is not None else ""
        self._emit(f"{self.name}: record {record} failed{http}: {reason}")

    def finish(self, summary: str, failed: int) -> None:
        """The "... and N more" line, then the summary: info unless a record failed."""
        hidden = self.failed - self.listed
        if self.mode != "ignore" and hidden > 0 and self.listed:
            self._emit(f"{self.name}: ... and {hidden} more failed record"
                       f"{'s' if hidden != 1 else ''} (see the Failure output)")
        if failed and self.mode == "warn":
            self.io.warn(summary)
        elif failed and self.mode == "error":
            self.io.error(summary)
        else:
            self.io.info(summary)
