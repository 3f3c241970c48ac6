"""Property tests (issue 4): over any trace, TotalTime(AgentStatus, *) is the time the agent was
observed; TotalNumber of CallAnswered over a GroupQueues is the sum over its queues; CurrentNumber
never goes below zero (docs/reference/stat-types.md §3, §4.3, §4.4; docs/reference/actions.md §7)."""

from __future__ import annotations

import math

from conftest import objects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from test_stats_helpers import T0
from test_stats_helpers import engine as synthetic_engine

from sim.statserver.engine import ActionEngine
from sim.statserver.records import END, START, Action, StatusChange
from sim.statserver.stats import StatEngine, load_stattypes, parse_stattypes
from sim.statserver.stats.categories import CATEGORIES
from sim.statserver.stats.engine import DN_OBJECT_TYPES
from sim.statserver.stats.names import STATUS_NAMES
from sim.tlib import flows
from sim.tlib.codes import AgentWorkMode
from sim.tlib.flows import FlowBuilder

INI = """
[All]
Category = TotalTime
MainMask = *
Subject = AgentStatus
Objects = Agent, GroupAgents
TimeProfiles = Default, Quarter

[Answered]
Category = TotalNumber
MainMask = CallAnswered
Subject = DNAction
Objects = Queue, RoutePoint, GroupQueues
TimeProfiles = Default, Quarter, Hour

[Waiting]
Category = CurrentNumber
MainMask = CallWait
Subject = DNAction
Objects = Queue, RoutePoint, GroupQueues, Tenant

[TimeProfiles]
Quarter,Growing = 0:00+0:15
Hour,Sliding = 3600:300
"""
AGENTS = (("6001", "1001"), ("6002", "1002"))
SECONDS = st.floats(min_value=0.5, max_value=400.0).map(lambda x: round(x, 3))

STEP = st.one_of(
    st.tuples(st.just("inbound"), st.sampled_from(AGENTS), SECONDS, SECONDS, st.one_of(st.none(), SECONDS),
              st.one_of(st.none(), SECONDS)),
    st.tuples(st.just("abandon"), SECONDS),
    st.tuples(st.just("outbound"), st.sampled_from(AGENTS), SECONDS),
    st.tuples(st.just("internal"), SECONDS),
    st.tuples(st.just("wait"), st.floats(min_value=0.0, max_value=1500.0)),
    st.tuples(st.just("notready"), st.sampled_from(AGENTS), st.sampled_from(("Break", "Lunch"))),
    st.tuples(st.just("relogin"), st.sampled_from(AGENTS), SECONDS),
    st.tuples(st.just("link_loss"), SECONDS),
)


def build(steps) -> FlowBuilder:
    f = FlowBuilder(t0=T0 + 800.25)     # a quarter-hour reset comes soon
    flows.standard_connect(f)
    for dn, agent in AGENTS:
        flows.login_ready(f, dn, agent)
    for step in steps:
        kind = step[0]
        if kind == "inbound":
            (dn, agent), wait, talk, acw, hold = step[1:]
            flows.inbound_via_queue(f, agent_dn=dn, agent=agent, wait=wait, talk=talk, acw=acw, hold=hold)
        elif kind == "abandon":
            flows.abandon_in_queue(f, patience=step[1])
        elif kind == "outbound":
            flows.outbound(f, dn=step[1][0], agent=step[1][1], talk=step[2])
        elif kind == "internal":
            flows.internal(f, talk=step[1])
        elif kind == "wait":
            f.wait(round(step[1], 3))
        elif kind == "notready":
            (dn, agent), reason = step[1:]
            f.ev("EventAgentNotReady", ThisDN=dn, AgentID=agent, AgentWorkMode=AgentWorkMode.AuxWork,
                 Reasons={"ReasonCode": reason})
        elif kind == "relogin":
            (dn, agent), gap = step[1:]
            f.ev("EventAgentLogout", ThisDN=dn, AgentID=agent, ThisQueue="7000")
            f.wait(gap)
            flows.login_ready(f, dn, agent)
        elif kind == "link_loss":
            flows.link_loss(f, outage=step[1])
    return f


def expected_observed(now: float, opened: float, period: float | None) -> int:
    t0 = opened
    if period is not None:
        r = math.floor(now / period) * period
        if r == now:
            r -= period
        t0 = max(opened, r)
    return math.floor(now) - math.floor(t0)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=12), st.floats(min_value=0.0, max_value=2000.0))
def test_properties_over_engine_traces(steps, extra):
    f = build(steps)
    objs = objects()
    eng = ActionEngine(objs)
    stats = StatEngine(objs, parse_stattypes(INI))
    checkpoints = 0
    for i, ev in enumerate(f.events):
        stats.feed_many(eng.feed(ev))
        if i % 7 == 0:       # CurrentNumber never below zero, at many instants
            checkpoints += 1
            for row in stats.notify(ev.time):
                if row.stat_type == "Waiting":
                    assert row.value >= 0
    now = f.t + round(extra, 3)
    opened = f.events[0].time
    for agent in ("agent1001", "agent1002", "agent1003"):
        assert stats.peek("All", "Agent", agent, now, "Default").value == expected_observed(now, opened, None)
        assert stats.peek("All", "Agent", agent, now, "Quarter").value == expected_observed(now, opened, 900)
    members = (("Queue", "7000@SW1"), ("Queue", "7001@SW1"), ("RoutePoint", "8000@SW1"))
    for profile in ("Default", "Quarter", "Hour"):
        group = stats.peek("Answered", "GroupQueues", "SalesQueues", now, profile).value
        assert group == sum(stats.peek("Answered", ot, q, now, profile).value for ot, q in members)
    for rt in stats.runtimes.values():
        for stat in rt.stats.values():
            assert all(agg.n >= 0 and agg.n == len(agg.runs()) for agg in stat.aggs)


def test_library_over_a_random_like_trace_has_no_negative_current_number():
    """The shipped library over a mixed trace: current counts never negative, every row produced."""
    f = build([("inbound", AGENTS[0], 5.0, 30.0, 5.0, 3.0), ("abandon", 12.0), ("outbound", AGENTS[1], 20.0),
               ("relogin", AGENTS[0], 30.0), ("link_loss", 10.0), ("inbound", AGENTS[1], 25.0, 10.0, None, None)])
    objs = objects()
    eng = ActionEngine(objs)
    lib = load_stattypes()
    stats = StatEngine(objs, lib)
    for ev in f.events:
        stats.feed_many(eng.feed(ev))
        for row in stats.notify(ev.time):
            cat = lib[row.stat_type].category
            if cat.kind == "current" and not cat.custom:   # custom values may be negative (defaults)
                assert row.value >= 0


# --- synthetic record streams (no engine) -------------------------------------------------------------
STATUS_LIST = sorted(STATUS_NAMES)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(min_value=0.0, max_value=5000.0), st.sampled_from(STATUS_LIST)), min_size=1,
                max_size=30), st.floats(min_value=0.0, max_value=5000.0))
def test_total_time_of_star_is_observed_time_synthetic(changes, extra):
    eng = synthetic_engine(INI, start=None)
    t, prev = T0 + 100.5, None
    for dt, status in changes:
        t = round(t + dt, 6)
        eng.feed(StatusChange(t, "Agent", "a1", status, prev, None, None))
        prev = status
    first = round(T0 + 100.5 + changes[0][0], 6)
    now = t + extra
    assert eng.peek("All", "Agent", "a1", now, "Default").value == expected_observed(now, first, None)
    assert eng.peek("All", "Agent", "a1", now, "Quarter").value == expected_observed(now, first, 900)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from((START, END)), st.integers(0, 6), st.floats(0.0, 100.0)), max_size=40))
def test_current_number_never_negative_synthetic(ops):
    """Starts and ends in any order (ends without start, repeated starts): the count stays >= 0."""
    eng = synthetic_engine(INI, start=T0)
    t = T0
    running: set[int] = set()
    for kind, aid, dt in ops:
        t += dt
        eng.feed(Action(t, "CallWait", kind, "Queue", "5000@SW", aid, f"c{aid}", 2, None, "5000@SW", None))
        if kind == START:
            running.add(aid)
        else:
            running.discard(aid)
        got = eng.peek("Waiting", "Queue", "5000@SW", t).value
        assert got == len(running) >= 0
        assert eng.peek("Waiting", "GroupQueues", "GQ", t).value == len(running)


def test_every_category_is_exercised_by_a_golden_test():
    """Issue 4: golden tests for every category (names found in the test modules)."""
    import pathlib
    here = pathlib.Path(__file__).parent
    text = "".join(p.read_text() for p in here.glob("test_stats_*.py") if p.name != "test_stats_properties.py")
    missing = [c for c in CATEGORIES if f'"{c}"' not in text]
    assert not missing, missing


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(STEP, min_size=1, max_size=12))
def test_one_running_copy_per_action_instance_and_target_type(steps):
    """The statistics key a running action by its instance id alone (docs/decisions.md, "An
    action's running key"): that holds while, at any instant, an instance runs on at most one
    DN, one place and one agent, so that no aggregate (one source object type per target type,
    names.ACTION_SOURCES) can hold two copies of it."""
    eng = ActionEngine(objects())
    running: dict[int, dict[str, str]] = {}      # aid -> level -> object running it
    for ev in build(steps).events:
        for r in eng.feed(ev):
            if type(r) is not Action or r.kind not in (START, END):
                continue
            level = "DN" if r.object_type in DN_OBJECT_TYPES else r.object_type
            copies = running.setdefault(r.aid, {})
            if r.kind == START:
                assert level not in copies, (r, copies)
                copies[level] = r.object
            else:
                assert copies.get(level) == r.object, (r, copies)
                del copies[level]
