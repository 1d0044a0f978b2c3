"""Orchestration against a Server's worker slots: a plan of M jobs run by the Runner's plan mode.

The fast backend runs at most K jobs at once (its `worker_slots`, like a worker's simultaneous-
workflow slots) and queues the rest. The plan is four independent chains of three steps, each
job taking D seconds, so its lower bound `max(critical path, total work / K)` is also what a
perfect scheduler reaches. The line gives the Runner's makespan against that bound and the peak
of jobs running at once, which must never pass `maxInFlight`.
"""

from __future__ import annotations

import time
from typing import Any

import pyarrow as pa

from benchmarks.remote import RemoteEmulator

WF = "6101a0b0c0d0e0f0a0b0c001"


def plan_table(chains: int, length: int, seconds: float) -> pa.Table:
    """`chains` chains of `length` steps (step c-i depends on c-(i-1)), each job `seconds`."""
    steps, depends = [], []
    for c in range(chains):
        for i in range(length):
            steps.append(f"{chr(65 + c)}{i + 1}")
            depends.append(f"{chr(65 + c)}{i}" if i else "")
    n = len(steps)
    return pa.table({"Step": steps, "Workflow": [WF] * n, "DependsOn": depends,
                     "EmulatorRunSeconds": [f"{seconds:g}"] * n})


def lower_bound(chains: int, length: int, seconds: float, slots: int) -> float:
    """max(critical path, total work / slots) for equal jobs."""
    return max(length * seconds, chains * length * seconds / slots)


def fig_orchestration(emit: Any, chains: int, length: int, seconds: float, slots: int,
                      poll: float) -> None:
    """The Runner's plan mode on the fast backend with `slots` worker slots."""
    from ayx_plugins.tools.runner import ServerRunner
    from designer_host import config_xml
    from designer_host.inprocess import run_inprocess

    with RemoteEmulator(module="benchmarks.fastserver") as backend:
        user = backend.user("Curator")
        backend.configure(worker_slots=slots)
        xml = config_xml(
            user.api_secret, serverUrl=backend.url, apiKey=user.api_key, mode="plan",
            workflowField="Workflow", stepField="Step", dependsOnField="DependsOn",
            maxInFlight=slots, questionsMode="fields", questionFields='["EmulatorRunSeconds"]',
            checkQuestions=False, wait=True, pollSeconds=poll, queuedWarnSeconds=0)
        table = plan_table(chains, length, seconds)
        t0 = time.perf_counter()
        run = run_inprocess(ServerRunner, xml, table)
        makespan = time.perf_counter() - t0
        counters = backend.counters()
        m = table.num_rows
        if run.count("Success") != m:
            raise RuntimeError(f"plan: {run.count('Success')} of {m} steps: {run.messages[-3:]}")
        bound = lower_bound(chains, length, seconds, slots)
        emit(f"orchestration M={m} K={slots}",
             f"{chains} chains x {length} steps of {seconds:g} s, poll {poll:g} s: makespan "
             f"{makespan:.2f} s vs lower bound {bound:g} s = {makespan / bound:.3f}; peak jobs "
             f"running {counters['maxRunningJobs']} (max in flight {slots}); jobs created "
             f"{counters['jobsCreated']}")
