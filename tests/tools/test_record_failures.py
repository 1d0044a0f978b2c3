"""Issue 11.2: a failed record shows in the Results window (a warning by default, an error
under "Error", nothing under "Ignore"); an all-success run stays info only."""

from __future__ import annotations

import sys

import pyarrow as pa
import pytest

from ayx_plugins.tools.api_request import ServerGet
from ayx_plugins.tools.reporting import RecordFailures
from designer_host import panel_config, run_tool
from tests.tools.conftest import decrypt

WF_OK = "6101a0b0c0d0e0f0a0b0c001"
UNKNOWN = "6101a0b0c0d0e0f0a0b0cfff"


def _config(emu, **values):
    user = emu.user("Curator")
    return panel_config(secret=user.api_secret, serverUrl=emu.url, apiKey=user.api_key,
                        path="v3/workflows/{workflowId}", **values)


def _ids(n_bad: int, n_ok: int = 1) -> pa.Table:
    return pa.table({"workflowId": [WF_OK] * n_ok + [UNKNOWN] * n_bad})


def _grpc(config, table):
    run = run_tool("ServerGet", config, {"Input": table}, secrets=decrypt,
                   python=sys.executable, timeout=90)
    assert run.completed, run.log[-2000:]
    return run


def test_warn_by_default_over_the_designer_host(emulator):
    run = _grpc(_config(emulator), _ids(12))
    assert run.outputs["Failure"].num_rows == 12 and run.outputs["Success"].num_rows == 1
    warnings = run.texts("warn")
    per_record = [w for w in warnings if "failed (HTTP 404)" in w]
    assert len(per_record) == 10
    assert per_record[0].startswith("Server GET: record 2 failed (HTTP 404): ")
    assert any("... and 2 more failed records (see the Failure output)" in w for w in warnings)
    assert any("1 succeeded, 12 failed" in w for w in warnings)  # the summary is a warning
    assert run.errors == []


def test_error_mode_makes_the_run_report_errors_over_the_designer_host(emulator):
    run = _grpc(_config(emulator, onRecordFailure="error"), _ids(1))
    assert any("record 2 failed (HTTP 404)" in e for e in run.errors)
    assert any("1 succeeded, 1 failed" in e for e in run.errors)
    assert run.texts("warn") == []


def test_ignore_mode_and_all_success_stay_info_only(emulator, run_tool_inprocess):
    from designer_host.jsonnet import configuration_to_xml

    run = run_tool_inprocess(ServerGet, configuration_to_xml(
        _config(emulator, onRecordFailure="ignore")), _ids(3))
    assert len(run.rows("Failure")) == 3
    assert [m for m in run.messages if not m.startswith("INFO:")] == []
    run = run_tool_inprocess(ServerGet, configuration_to_xml(_config(emulator)), _ids(0, 3))
    assert len(run.rows("Success")) == 3
    assert [m for m in run.messages if not m.startswith("INFO:")] == []
    assert any("3 succeeded, 0 failed" in m for m in run.infos)


def test_a_configuration_error_is_one_error_not_a_line_per_record(emulator, run_tool_inprocess):
    from designer_host.jsonnet import configuration_to_xml

    config = _config(emulator)
    config["path"] = ""
    run = run_tool_inprocess(ServerGet, configuration_to_xml(config), _ids(0, 5))
    assert len(run.rows("Failure")) == 5 and len(run.errors) == 1
    assert not [m for m in run.messages if "record " in m and "failed" in m]


class _IO:
    def __init__(self) -> None:
        self.lines: list[tuple[str, str]] = []

    def info(self, text: str) -> None:
        self.lines.append(("info", text))

    def warn(self, text: str) -> None:
        self.lines.append(("warn", text))

    def error(self, text: str) -> None:
        self.lines.append(("error", text))


@pytest.mark.parametrize(("mode", "kinds"), [
    ("warn", ["warn", "warn", "warn"]), ("error", ["error", "error", "error"]),
    ("ignore", ["info"]), ("nonsense", ["warn", "warn", "warn"]),
])
def test_record_failures_lines(mode: str, kinds: list[str]) -> None:
    io = _IO()
    report = RecordFailures("Server GET", mode, io, redact=lambda t: t.replace("s3cr3t", "***"),
                            shown=1)
    report.add(1, "bad s3cr3t", 401)
    report.add(2, "bad again")
    report.finish("Server GET: 0 succeeded, 2 failed", failed=2)
    assert [k for k, _ in io.lines] == kinds
    if mode != "ignore":
        assert io.lines[0][1] == "Server GET: record 1 failed (HTTP 401): bad ***"
        assert io.lines[1][1] == ("Server GET: ... and 1 more failed record "
                                  "(see the Failure output)")
