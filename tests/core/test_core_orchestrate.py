"""The plan checker and executor, without a Server: cycles, unknown ids, skips, max in flight."""

from __future__ import annotations

import threading
import time

import pytest

from ayx_plugins.server_api.orchestrate import (
    PlanError,
    Step,
    StepRun,
    build_plan,
    parse_depends,
    run_plan,
)


def _plan(spec: dict[str, str]) -> list[Step]:
    return [Step(id=k, workflow=f"wf-{k}", depends_on=parse_depends(v), index=n)
            for n, (k, v) in enumerate(spec.items())]


# A, then a diamond B -> (C, D) -> E, a failing F whose dependants G and H are skipped.
DIAMOND = {"A": "", "B": "A", "C": "B", "D": "B", "E": "C, D", "F": "A", "G": "F", "H": "G;E"}


def test_parse_depends() -> None:
    assert parse_depends(" A, B ;C,,A ") == ("A", "B", "C")
    assert parse_depends(None) == () and parse_depends("") == ()
    assert parse_depends(["X", " Y "]) == ("X", "Y")


@pytest.mark.parametrize(("spec", "message"), [
    ({"A": "B", "B": "C", "C": "A"}, "cycle: A -> B -> C -> A"),
    ({"A": "A"}, "depends on itself"),
    ({"A": "", "B": "Z"}, "step 'B' depends on 'Z', which is not a step"),
    ({"": ""}, "record 1 has no step id"),
])
def test_bad_plans_are_refused_before_anything_runs(spec: dict[str, str], message: str) -> None:
    ran: list[str] = []
    with pytest.raises(PlanError, match=message.replace("(", r"\(")):
        run_plan(_plan(spec), lambda s: (ran.append(s.id), StepRun(True))[1])
    assert ran == []


def test_duplicate_step_ids_are_refused() -> None:
    with pytest.raises(PlanError, match="used twice"):
        build_plan([Step("A"), Step("A", index=1)])


def test_diamond_failure_and_skips_with_max_in_flight() -> None:
    lock = threading.Lock()
    running = [0]
    peak = [0]
    order: list[str] = []

    def run(step: Step) -> StepRun:
        with lock:
            running[0] += 1
            peak[0] = max(peak[0], running[0])
            order.append(step.id)
        time.sleep(0.02)
        with lock:
            running[0] -= 1
        return StepRun(step.id != "F", value=step.id, error="boom" if step.id == "F" else "")

    events: list[tuple[str, str]] = []
    results = run_plan(_plan(DIAMOND), run, max_in_flight=2,
                       on_event=lambda kind, res: events.append((kind, res.step.id)))
    states = {r.step.id: r.state for r in results}
    assert states == {"A": "succeeded", "B": "succeeded", "C": "succeeded", "D": "succeeded",
                      "E": "succeeded", "F": "failed", "G": "skipped", "H": "skipped"}
    by_id = {r.step.id: r for r in results}
    assert by_id["G"].error == "skipped: step F failed"
    assert by_id["H"].error == "skipped: step G was skipped (step F failed)"
    assert by_id["G"].started is None and by_id["A"].started and by_id["A"].ended
    assert by_id["A"].seconds is not None and by_id["A"].seconds >= 0
    assert peak[0] <= 2
    assert order.index("A") == 0 and order.index("E") > max(order.index("C"), order.index("D"))
    assert "G" not in order and "H" not in order
    assert [r.step.id for r in results] == list(DIAMOND)  # plan order, whatever ran first
    assert ("skipped", "G") in events and ("started", "A") in events


def test_simultaneous_steps_fill_the_slots_and_a_crash_is_one_failure() -> None:
    gate = threading.Barrier(3, timeout=5)

    def run(step: Step) -> StepRun:
        if step.id == "boom":
            raise RuntimeError("step crashed")
        gate.wait()  # three steps at once, or this times out
        return StepRun(True)

    results = run_plan(_plan({"a": "", "b": "", "c": "", "boom": ""}), run, max_in_flight=3)
    assert [r.state for r in results] == ["succeeded"] * 3 + ["failed"]
    assert results[3].error == "RuntimeError: step crashed"


def test_a_long_sequential_chain() -> None:
    spec = {f"s{i}": (f"s{i - 1}" if i else "") for i in range(2000)}
    build_plan(_plan(spec))  # no recursion limit
    spec["s0"] = "s1999"
    with pytest.raises(PlanError, match="cycle"):
        build_plan(_plan(spec))


def test_an_interrupt_sets_stop_before_waiting_for_running_steps() -> None:
    stop = threading.Event()
    woke: list[bool] = []

    def run(step: Step) -> StepRun:
        woke.append(stop.wait(5))  # a poll sleep that watches `stop`
        return StepRun(False)

    def tick() -> None:
        raise KeyboardInterrupt

    with pytest.raises(KeyboardInterrupt):
        run_plan(_plan({"a": "", "b": ""}), run, on_tick=tick, stop=stop)
    assert woke == [True, True]  # both woke because stop was set, not after their 5 s
