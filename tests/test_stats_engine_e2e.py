"""End to end: TEvents -> ActionEngine -> StatEngine with the shipped library (docs/reference/stat-types.md §11, §2.4).

The flows are the canonical ones of sim.tlib.flows (docs/reference/tevents.md §9) on the contact center of
tests/conftest.py: RP 8000, queues 7000 / 7001, agents 1001 / 1002 on DNs 6001 / 6002.
"""

from __future__ import annotations

import pytest
from conftest import objects

from sim.statserver.engine import ActionEngine
from sim.statserver.stats import StatEngine, load_stattypes, parse_stattypes
from sim.tlib import flows
from sim.tlib.flows import FlowBuilder

Q, RP = "7000@SW1", "8000@SW1"
LIB = load_stattypes()


def replay(f: FlowBuilder, stattypes=LIB):
    objs = objects()
    eng = ActionEngine(objs)
    stats = StatEngine(objs, stattypes)
    for ev in f.events:
        stats.feed_many(eng.feed(ev))
    return stats


def base() -> FlowBuilder:
    f = FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    flows.login_ready(f, "6002", "1002")
    return f


def test_queue_totals_and_service_level():
    """Total_Calls_Answered / Abandoned / Entered, Service_Level and ASA on a queue (§11 #18-#23)."""
    f = base()
    for wait in (5.0, 15.0, 25.0):
        flows.inbound_via_queue(f, wait=wait, ring=3.0, talk=30.0, acw=5.0)
    flows.abandon_in_queue(f, patience=40.0)
    stats = replay(f)
    now = f.t + 1
    v = {name: stats.peek(name, "Queue", Q, now).value for name in (
        "Total_Calls_Answered", "Total_Calls_Abandoned", "Total_Calls_Entered", "Total_Calls_Distributed",
        "CurrNumberWaitingCalls", "Total_Calls_Answered_In_Threshold", "Service_Level",
        "Average_Speed_Of_Answer", "Abandon_Rate", "Max_Call_Waiting_Time")}
    assert v["Total_Calls_Answered"] == 3
    assert v["Total_Calls_Abandoned"] == 1
    assert v["Total_Calls_Entered"] == 4
    assert v["Total_Calls_Distributed"] == 3
    assert v["CurrNumberWaitingCalls"] == 0
    # CallAnswered on the queue runs from entry to answer: 8, 18, 28 s (OQ-18) -> 2 within 0-20
    assert v["Total_Calls_Answered_In_Threshold"] == 2
    assert v["Service_Level"] == pytest.approx(100 * 2 / 4)       # abandoned after 40 s >= 0
    assert v["Average_Speed_Of_Answer"] == pytest.approx(18.0, abs=1)
    assert v["Abandon_Rate"] == pytest.approx(25.0)
    assert v["Max_Call_Waiting_Time"] == 40
    assert stats.peek("Total_Calls_Answered", "Agent", "agent1001", now).value == 3    # all to 6001
    assert stats.peek("Total_Calls_Answered", "GroupQueues", "SalesQueues", now).value == sum(
        stats.peek("Total_Calls_Answered", ot, q, now).value for ot, q in (("Queue", Q), ("Queue", "7001@SW1"),
                                                                            ("RoutePoint", RP)))


def test_agent_times_and_states():
    """Talk, hold, ACW, login and ready times per agent; current states of the group (§11 #25-#42)."""
    f = base()
    t_login = f.events[-1].time
    flows.inbound_via_queue(f, wait=5.0, ring=3.0, talk=60.0, hold=12.0, acw=10.0)
    stats = replay(f)
    now = f.t + 100
    agent = "agent1001"
    peek = lambda name, ot=("Agent"), obj=agent: stats.peek(name, ot, obj, now).value  # noqa: E731
    # the flow holds 20 s after the answer for 12 s, then talks 60 s more; CallInbound runs through hold
    assert peek("Total_Talk_Time") == 92
    assert peek("Total_Hold_Time") == 12
    assert peek("Average_Hold_Time") == 12
    assert peek("Total_ACW_Time") == 10
    assert peek("Total_Handle_Time") == 102
    assert peek("CallsAnswered") == 1
    login_time = peek("Total_Login_Time")
    assert login_time == pytest.approx(now - t_login, abs=2)
    assert 0 < peek("Occupancy") < 100
    state = peek("CurrentAgentState")
    assert state["status"] == "WaitForNextCall"
    assert {a["action"] for a in state["actions"]} == {"Monitored", "OnHook", "LoggedIn", "AgentLogin",
                                                       "WaitForNextCall"}
    assert peek("CurrentReadyAgents", "GroupAgents", "Sales") == 2
    assert peek("CurrentLoggedInAgents", "GroupAgents", "Sales") == 2
    assert peek("StatTimeInReadyState") == pytest.approx(100, abs=1)
    rows = list(stats.notify(now))
    assert {r.stat_type for r in rows} == set(LIB.types)
    assert all(r.valid for r in rows)


def test_validity_while_a_dn_is_not_monitored():
    """docs/reference/stat-types.md §2.4 / docs/reference/actions.md §7: objects fed by a NotMonitored
    DN are invalid, valid again after."""
    f = base()
    flows.inbound_via_queue(f)
    f.ev("EventLinkDisconnected", 1, ErrorCode=109, ErrorMessage="Link down")
    t_down = f.t
    stats_down = replay(f)
    assert not stats_down.peek("Total_Calls_Answered", "Agent", "agent1001", t_down + 5).valid
    assert not stats_down.peek("Total_Calls_Answered", "GroupQueues", "SalesQueues", t_down + 5).valid
    assert stats_down.peek("CurrentAgentState", "Agent", "agent1001", t_down + 5).valid   # no validity events
    f.ev("EventLinkConnected", 30)
    for number in ("6001", "6002", "7000", "7001", "8000", "9000", "6003", "6900"):
        f.ev("EventRegistered", 0, ThisDN=number, InfoType=8, Extensions=flows.IDLE if number < "7" else {})
    stats_up = replay(f)
    assert stats_up.peek("Total_Calls_Answered", "Agent", "agent1001", f.t + 5).valid


def test_dn_status_follows_the_logged_in_agent():
    """docs/reference/stat-types.md §2.3 DNStatus on Agent: the episodes of the DNs the agent is logged in on."""
    ini = """
[DNReady]
Category = TotalTime
MainMask = WaitForNextCall
Subject = DNStatus
Objects = RegDN, Agent, Place, GroupAgents
"""
    f = base()
    t_ready = f.events[-1].time
    f.wait(100)
    f.ev("EventAgentLogout", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    t_out = f.t
    f.wait(50)
    f.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    f.ev("EventAgentReady", 0, ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    t_back = f.t
    stats = replay(f, parse_stattypes(ini))
    now = t_back + 20
    dn = stats.peek("DNReady", "RegDN", "6001@SW1", now).value
    agent = stats.peek("DNReady", "Agent", "agent1001", now).value
    assert agent == pytest.approx((t_out - t_ready) + 20, abs=2)
    assert dn == agent
    assert stats.peek("DNReady", "GroupAgents", "Sales", now).value == pytest.approx(
        agent + stats.peek("DNReady", "Agent", "agent1002", now).value)


def test_e8_status_sequence_seen_through_current_state():
    """docs/reference/stat-types.md §12 E8 through CurrentState (AgentStatus): ringing, inbound,
    hold, inbound, ACW, logout."""
    ini = """
[AgentState]
Category = CurrentState
MainMask = *
Subject = AgentStatus
Objects = Agent
"""
    f = base()
    objs = objects()
    eng = ActionEngine(objs)
    stats = StatEngine(objs, parse_stattypes(ini))
    for ev in f.events:
        stats.feed_many(eng.feed(ev))
    seen = []
    g = FlowBuilder(t0=f.t + 10)
    flows.inbound_via_queue(g, wait=2.0, ring=3.0, talk=30.0, hold=5.0, acw=10.0)
    g.ev("EventAgentLogout", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    for ev in g.events:
        stats.feed_many(eng.feed(ev))
        state = stats.peek("AgentState", "Agent", "agent1001", ev.time).value["status"]
        if not seen or seen[-1] != state:
            seen.append(state)
    assert seen == ["WaitForNextCall", "CallRinging", "CallInbound", "CallOnHold", "CallInbound", "WaitForNextCall",
                    "AfterCallWork", "WaitForNextCall", "LoggedOut"]
