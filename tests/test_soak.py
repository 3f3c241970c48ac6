"""Faulted soak, small form (issue 9 point 2): 3 simulated days of a two-switch center with
random link losses, Stat Server disconnects, registration errors and DNs out of service
(docs/reference/tevents.md §9.11-§9.13, docs/reference/actions.md §9-§11).
``bench/bench_soak.py --days 1000`` is the long form.

After every restored connection the engine's view equals the model's truth (agent state and
calls per DN), every call action of an ended call has ended, and the non-call actions of each
DN tile the run without gaps or overlaps (see bench/bench_soak.py for the exact rules).
"""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "bench"))

from bench_soak import Soak, soak  # noqa: E402

from sim.statserver.records import END, START, Action  # noqa: E402


@pytest.fixture(scope="module")
def report():
    return soak(3, seed=5)


def test_faults_happened(report):
    assert all(n >= 1 for n in report["faults"].values()), report["faults"]
    assert report["restores"] >= 10 and report["dns_checked"] >= 50
    assert report["restore_checks"] == report["restores"]


def test_engine_equals_model_after_every_restore(report):
    """Agent state per DN (summary.restore_checks) and calls per DN (ConnIDs)."""
    assert report["agent_state_mismatches"] == 0, report["agent_state_examples"]
    assert report["violations"]["calls"] == 0, report["examples"].get("calls")


def test_call_actions_of_ended_calls_have_ended(report):
    assert report["violations"]["ended_call_actions"] == 0, report["examples"].get("ended_call_actions")


def test_non_call_actions_tile_the_run(report):
    bad = {k: report["violations"][k] for k in ("gap", "overlap", "uncovered")}
    assert not any(bad.values()), (bad, report["examples"])


def test_engine_reports_no_problem(report):
    assert report["engine_problems"] == 0


def test_trace_keeps_the_invariants(report):
    """docs/reference/tevents.md §11 on every emitted event."""
    assert report["trace_violations"] == 0, report["trace_violation_examples"]


def _act(t, name, kind, dn="6001@SW1"):
    return Action(t, name, kind, "RegDN", dn, 0)


def test_tiling_checker_sees_gaps_overlaps_and_uncovered_ends():
    """The checker itself: a gap in Monitored/NotMonitored, two agent states at once, and a
    login family that stops before the end are all reported."""
    s = Soak()
    s.records([_act(0, "Monitored", START), _act(0, "LoggedOut", START)])
    s.records([_act(10, "Monitored", END), _act(10, "LoggedOut", END), _act(10, "LoggedIn", START)])
    s.records([_act(12, "NotMonitored", START)])                      # gap 10 -> 12
    s.records([_act(13, "WaitForNextCall", START)])
    s.records([_act(14, "NotReadyForNextCall", START)])               # overlap
    s.records([_act(20, "LoggedIn", END)])                            # login not covered to 30
    s.close(30.0)
    assert s.counts["gap"] == 1 and s.counts["overlap"] == 1 and s.counts["uncovered"] == 1, s.violations
    ok = Soak()
    ok.records([_act(0, "Monitored", START)])
    ok.records([_act(5, "NotMonitored", START), _act(5, "Monitored", END)])   # same instant: abut
    ok.close(9.0)
    assert not any(ok.counts.values()), ok.violations
