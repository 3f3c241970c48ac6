"""Golden tests for every category and the worked examples of docs/reference/stat-types.md §12."""

from __future__ import annotations

import pytest
from test_stats_helpers import T0, durable, engine, feed, instant, stat, statuses, value

from sim.statserver.records import StatusChange

Q = "5000@SW"
H9 = T0 + 9 * 3600


def q_stats(category: str, main: str = "CallAnswered", **extra) -> str:
    return stat("S", category, main, "DNAction", "Queue, GroupQueues", **extra)


# --- worked examples ----------------------------------------------------------------------------
def test_e1_millisecond_truncation():
    """docs/reference/stat-types.md §12 E1: 05:40:56.949 -> 05:41:07.542 is 11 s (ranges [0,10) no, [10,20) yes)."""
    ini = (stat("R0_10", "TotalNumberInTimeRange", "CallAnswered", "DNAction", "Queue", TimeRange="A")
           + stat("R10_20", "TotalNumberInTimeRange", "CallAnswered", "DNAction", "Queue", TimeRange="B")
           + stat("RDef", "TotalNumberInTimeRange", "CallAnswered", "DNAction", "Queue")
           + stat("Time", "TotalTime", "CallAnswered", "DNAction", "Queue")
           + "[TimeRanges]\nA = 0-10\nB = 10-20\n")
    queued = T0 + 5 * 3600 + 40 * 60 + 56.949
    answered = T0 + 5 * 3600 + 41 * 60 + 7.542
    eng = feed(engine(ini), instant("CallAnswered", Q, answered, answered - queued))
    t = answered + 1
    assert value(eng, "R0_10", "Queue", Q, t) == 0
    assert value(eng, "R10_20", "Queue", Q, t) == 1
    assert value(eng, "RDef", "Queue", Q, t) == 1
    assert value(eng, "Time", "Queue", Q, t) == 11


def test_e2_range_boundary():
    """docs/reference/stat-types.md §12 E2: exactly 20 s only in 20-50; 19 s in 0-20; truncation of 19.999 s."""
    ini = (stat("Low", "TotalNumberInTimeRange", "CallAnswered", "DNAction", "Queue", TimeRange="Low")
           + stat("High", "TotalNumberInTimeRange", "CallAnswered", "DNAction", "Queue", TimeRange="High")
           + "[TimeRanges]\nLow = 0-20\nHigh = 20-50\n")
    eng = feed(engine(ini), instant("CallAnswered", Q, T0 + 100, 20.0),
               instant("CallAnswered", Q, T0 + 200, 19.0),
               instant("CallAnswered", Q, T0 + 300.9995, 19.999),   # 281.0005 -> 300.9995: 19 s
               instant("CallAnswered", Q, T0 + 400.5, 19.999))      # 380.501 -> 400.5: 20 s
    assert value(eng, "Low", "Queue", Q, T0 + 500) == 2
    assert value(eng, "High", "Queue", Q, T0 + 500) == 2


def test_e3_running_status_vs_running_action():
    """docs/reference/stat-types.md §12 E3: a running status counts its elapsed time, a running action nothing."""
    ini = (stat("NR", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent")
           + stat("In", "TotalTime", "CallInbound", "DNAction", "Agent"))
    eng = engine(ini, start=H9)
    feed(eng, statuses("Agent", "a1", [(H9, "NotReadyForNextCall")]),
         durable("CallInbound", "1001@SW", H9 + 300, H9 + 720, agent="a1", conn="c1", call_type=2))
    eng2 = engine(ini, start=H9)
    feed(eng2, statuses("Agent", "a1", [(H9, "NotReadyForNextCall")]),
         durable("CallInbound", "1001@SW", H9 + 300, None, agent="a1", conn="c1", call_type=2))
    assert value(eng2, "NR", "Agent", "a1", H9 + 600) == 600
    assert value(eng2, "In", "Agent", "a1", H9 + 600) == 0
    assert value(eng, "In", "Agent", "a1", H9 + 720) == 420


def test_e6_average_number_per_relative_hour():
    """docs/reference/stat-types.md §12 E6: 10 call statuses in 7200 s logged in -> 5.0 per hour; 0 s -> 0."""
    ini = stat("ACPH", "AverageNumberPerRelativeHour",
               "CallInternal, CallInbound, CallOutbound, CallConsult, CallUnknown",
               "AgentStatus", "GroupAgents, Agent", RelMask="*, ~LoggedOut, ~NotMonitored")
    changes = [(T0, "WaitForNextCall")]
    for i in range(10):
        changes += [(T0 + 600 * i + 100, "CallInbound"), (T0 + 600 * i + 200, "WaitForNextCall")]
    changes.append((T0 + 7200, "LoggedOut"))
    eng = feed(engine(ini), statuses("Agent", "a1", changes))
    assert value(eng, "ACPH", "Agent", "a1", T0 + 8000) == pytest.approx(5.0)
    assert value(eng, "ACPH", "Agent", "a2", T0 + 8000) == 0


def test_e7_current_aggregates():
    """docs/reference/stat-types.md §12 E7: three waiting calls, now 12:01:30."""
    noon = T0 + 12 * 3600
    cats = ("CurrentNumber", "CurrentTime", "CurrentAverageTime", "CurrentMaxTime", "CurrentMinTime")
    ini = "".join(stat(c, c, "CallWait", "DNAction", "Queue, GroupQueues") for c in cats)
    eng = feed(engine(ini), *(durable("CallWait", Q, noon + s, None, conn=f"c{s}", call_type=2)
                              for s in (0, 40, 70)))
    now = noon + 90
    got = {c: value(eng, c, "Queue", Q, now) for c in cats}
    assert got == {"CurrentNumber": 3, "CurrentTime": 160, "CurrentAverageTime": pytest.approx(53.333333),
                   "CurrentMaxTime": 90, "CurrentMinTime": 20}
    assert value(eng, "CurrentNumber", "GroupQueues", "GQ", now) == 3
    assert {c: value(eng, c, "Queue", "5001@SW", now) for c in cats} == dict.fromkeys(cats, 0)


def test_e10_filter_on_a_durable_status():
    """docs/reference/stat-types.md §12 E10: NotReady with reasons Break then Meeting; filters slice the time."""
    ini = (stat("Break", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent", Filter="Break")
           + stat("BreakN", "TotalNumber", "NotReadyForNextCall", "AgentStatus", "Agent", Filter="Break")
           + stat("Meeting", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent", Filter="Meeting")
           + stat("MeetingN", "TotalNumber", "NotReadyForNextCall", "AgentStatus", "Agent", Filter="Meeting")
           + "[Filters]\nBreak = Reasons = Break\nMeeting = Reasons = Meeting\n")
    t10 = T0 + 10 * 3600
    recs = [StatusChange(t10, "Agent", "a1", "NotReadyForNextCall", "WaitForNextCall", None, {"ReasonCode": "Break"}),
            StatusChange(t10 + 240, "Agent", "a1", "NotReadyForNextCall", "NotReadyForNextCall", None,
                         {"ReasonCode": "Meeting"}),
            StatusChange(t10 + 600, "Agent", "a1", "WaitForNextCall", "NotReadyForNextCall", None, None)]
    eng = feed(engine(ini), recs)
    now = t10 + 700
    assert [value(eng, s, "Agent", "a1", now) for s in ("Break", "BreakN", "Meeting", "MeetingN")] == [240, 1, 360, 1]


def test_e11_filter_on_a_retrospective_action():
    """docs/reference/stat-types.md §12 E11: CallAnswered 35 s, data matching at answer time: 1 call, 35 s."""
    ini = (q_stats("TotalNumber", Filter="Spanish").replace("[S]", "[N]")
           + q_stats("TotalTime", Filter="Spanish").replace("[S]", "[T]")
           + '[Filters]\nSpanish = PairExists("Language","Spanish")\n')
    eng = feed(engine(ini), instant("CallAnswered", Q, T0 + 100, 35.0, data={"UserData": {"Language": "Spanish"}}),
               instant("CallAnswered", Q, T0 + 200, 10.0, data={"UserData": {"Language": "English"}}))
    assert value(eng, "N", "Queue", Q, T0 + 300) == 1
    assert value(eng, "T", "Queue", Q, T0 + 300) == 35


def test_e13_current_relative_number_percentage():
    """docs/reference/stat-types.md §12 E13: Main {CallInbound, CallOutbound}, Rel {CallInbound}: 3 + 1 over 3."""
    ini = stat("P", "CurrentRelativeNumberPercentage", "CallInbound, CallOutbound", "AgentStatus", "GroupAgents",
               RelMask="CallInbound")
    recs = (statuses("Agent", "a1", [(T0 + 1, "CallInbound")]) + statuses("Agent", "a2", [(T0 + 2, "CallInbound")])
            + statuses("Agent", "a3", [(T0 + 3, "CallOutbound")]))
    eng = feed(engine(ini), recs)
    assert value(eng, "P", "GroupAgents", "GA", T0 + 10) == pytest.approx(150.0)   # 3 / 2 here
    eng2 = feed(engine(ini), statuses("Agent", "a1", [(T0 + 1, "CallInbound")]),
                statuses("Agent", "a2", [(T0 + 2, "CallOutbound")]))
    assert value(eng2, "P", "GroupAgents", "GA12", T0 + 10) == pytest.approx(200.0)


def test_e13_with_four_agents():
    """docs/reference/stat-types.md §12 E13 literally: 3 inbound and 1 outbound -> 133.3."""
    from test_stats_helpers import OBJECTS

    from sim.objects import build_objects
    from sim.statserver.stats import StatEngine, parse_stattypes
    data = {**OBJECTS, "agents": OBJECTS["agents"] + [{"id": "a4", "login": "104"}],
            "groups": [{"name": "G4", "type": "GroupAgents", "members": ["a1", "a2", "a3", "a4"]}]}
    ini = stat("P", "CurrentRelativeNumberPercentage", "CallInbound, CallOutbound", "AgentStatus", "GroupAgents",
               RelMask="CallInbound")
    eng = StatEngine(build_objects(data), parse_stattypes(ini), start=T0)
    for i, s in enumerate(("CallInbound", "CallInbound", "CallInbound", "CallOutbound"), 1):
        eng.feed(StatusChange(T0 + i, "Agent", f"a{i}", s, None, None, None))
    assert eng.peek("P", "GroupAgents", "G4", T0 + 10).value == pytest.approx(133.333333)


# --- historical categories ------------------------------------------------------------------------
def _waits():
    """Three CallWait on Q: 10 s (ends T0+110), 30 s (ends T0+230), 50 s (running from T0+300)."""
    return (durable("CallWait", Q, T0 + 100, T0 + 110, conn="c1", call_type=2)
            + durable("CallWait", Q, T0 + 200, T0 + 230, conn="c2", call_type=2)
            + durable("CallWait", Q, T0 + 300, None, conn="c3", call_type=2))


@pytest.mark.parametrize("category,expected", [
    ("TotalNumber", 2), ("TotalAdjustedNumber", 2), ("TotalTime", 40), ("TotalAdjustedTime", 40),
    ("AverageTime", 20), ("MaxTime", 30), ("MinTime", 10), ("TotalNumberInTimeRange", 1),
    ("TotalTimeInTimeRange", 10), ("TotalNumberInTimeRangePercentage", 50), ("MaxNumber", 1),
    ("MinNumber", 0), ("ElapsedTimePercentage", 4.0), ("TotalNumberPerSecond", 0.002),
])
def test_historical_categories_on_actions(category, expected):
    """docs/reference/stat-types.md §4.3 on durable actions: counted at their end; the running one adds nothing."""
    eng = feed(engine(q_stats(category, "CallWait")), _waits())
    assert value(eng, "S", "Queue", Q, T0 + 1000) == pytest.approx(expected)


def test_average_of_current_number_and_time():
    """docs/reference/stat-types.md §4.3: time-weighted averages of CurrentNumber / CurrentTime over [t0, now]."""
    ini = (q_stats("AverageOfCurrentNumber", "CallWait").replace("[S]", "[N]")
           + q_stats("AverageOfCurrentTime", "CallWait"))
    eng = feed(engine(ini), durable("CallWait", Q, T0 + 100, T0 + 200, conn="c1"),
               durable("CallWait", Q, T0 + 150, T0 + 250, conn="c2"))
    # number: 1 over [100,150), 2 over [150,200), 1 over [200,250): area 200 over 1000 s
    assert value(eng, "N", "Queue", Q, T0 + 1000) == pytest.approx(0.2)
    # time: integral of ages: 2 * (100^2 / 2) = 10000 over 1000 s
    assert value(eng, "S", "Queue", Q, T0 + 1000) == pytest.approx(10.0)


def test_adjusted_categories_are_not_clipped():
    """docs/reference/stat-types.md §4.3: TotalAdjustedTime adds the whole record; TotalTime projects it on I."""
    ini = q_stats("TotalTime", "CallWait").replace("[S]", "[T]") + q_stats("TotalAdjustedTime", "CallWait")
    eng = engine(ini, start=T0 - 100)
    feed(eng, durable("CallWait", Q, T0 - 60, T0 + 40, conn="c1"))      # spans the midnight reset
    assert value(eng, "T", "Queue", Q, T0 + 100) == 40
    assert value(eng, "S", "Queue", Q, T0 + 100) == 100


def test_relative_categories():
    """docs/reference/stat-types.md §4.3: RelativeTimePercentage, RelativeNumberPercentage (with and without range)."""
    ini = (stat("RT", "RelativeTimePercentage", "NotReadyForNextCall", "AgentStatus", "Agent", RelMask="*, ~LoggedOut")
           + q_stats("RelativeNumberPercentage", "CallAbandoned", RelMask="CallEntered").replace("[S]", "[RN]")
           + q_stats("RelativeNumberPercentage", "CallAnswered", RelMask="CallEntered",
                     TimeRange="R").replace("[S]", "[RNR]")
           + "[TimeRanges]\nR = 0-20\n")
    recs = statuses("Agent", "a1", [(T0, "WaitForNextCall"), (T0 + 300, "NotReadyForNextCall"),
                                    (T0 + 400, "LoggedOut")])
    for i in range(4):
        recs += instant("CallEntered", Q, T0 + 10 * i)
    recs += instant("CallAbandoned", Q, T0 + 50, 12.0) + instant("CallAnswered", Q, T0 + 60, 5.0)
    recs += instant("CallAnswered", Q, T0 + 70, 25.0)
    eng = feed(engine(ini), recs)
    assert value(eng, "RT", "Agent", "a1", T0 + 500) == pytest.approx(25.0)
    assert value(eng, "RN", "Queue", Q, T0 + 500) == pytest.approx(25.0)
    assert value(eng, "RNR", "Queue", Q, T0 + 500) == pytest.approx(25.0)


def test_total_number_in_time_range_percentage_with_rel():
    """docs/reference/stat-types.md Q6: with RelMask the denominator is TotalNumber(Rel)."""
    ini = q_stats("TotalNumberInTimeRangePercentage", "CallAnswered", RelMask="CallAnswered, CallAbandoned")
    eng = feed(engine(ini), instant("CallAnswered", Q, T0 + 10, 5.0), instant("CallAnswered", Q, T0 + 20, 25.0),
               instant("CallAbandoned", Q, T0 + 30, 3.0), instant("CallAbandoned", Q, T0 + 40, 30.0))
    assert value(eng, "S", "Queue", Q, T0 + 100) == pytest.approx(25.0)


def test_service_factor1():
    """docs/reference/stat-types.md §4.5 / Q8: 100 x answered in [0,20) / (answered + abandoned with wait >= 0)."""
    ini = q_stats("ServiceFactor1", "CallAnswered", TimeRange="SL") + "[TimeRanges]\nSL = 5-20\n"
    eng = feed(engine(ini), instant("CallAnswered", Q, T0 + 10, 6.0), instant("CallAnswered", Q, T0 + 20, 25.0),
               instant("CallAbandoned", Q, T0 + 30, 3.0), instant("CallAbandoned", Q, T0 + 40, 30.0),
               instant("CallAnswered", "5001@SW", T0 + 50, 1.0))
    # answered in [5,20): 1; answered 2; abandoned with wait >= 5: 1 -> 100 / 3
    assert value(eng, "S", "Queue", Q, T0 + 100) == pytest.approx(100 / 3)
    # the group: answered in range 1 (the 1 s call is below 5), answered 3, abandoned 1
    assert value(eng, "S", "GroupQueues", "GQ", T0 + 100) == pytest.approx(25.0)
    assert value(eng, "S", "Queue", "5001@SW", T0 + 100) == 0


def test_total_number_of_statuses_counts_at_start():
    """docs/reference/stat-types.md Q1: statuses count when they start; TotalAdjustedNumber at their end (Q15)."""
    ini = (stat("N", "TotalNumber", "NotReadyForNextCall", "AgentStatus", "Agent")
           + stat("A", "TotalAdjustedNumber", "NotReadyForNextCall", "AgentStatus", "Agent")
           + stat("Max", "MaxTime", "NotReadyForNextCall", "AgentStatus", "Agent"))
    eng = feed(engine(ini), statuses("Agent", "a1", [(T0 + 10, "NotReadyForNextCall"), (T0 + 20, "WaitForNextCall"),
                                                     (T0 + 30, "NotReadyForNextCall")]))
    assert value(eng, "N", "Agent", "a1", T0 + 100) == 2
    assert value(eng, "A", "Agent", "a1", T0 + 100) == 1
    assert value(eng, "Max", "Agent", "a1", T0 + 100) == 10     # Q4: completed episodes only


def test_average_time_switch():
    """docs/reference/stat-types.md Q3: AverageTime = TotalTime / TotalNumber, or the adjusted pair."""
    ini = (q_stats("AverageTime", "CallWait").replace("[S]", "[T]")
           + q_stats("AverageTime", "CallWait", AverageTimeBase="Adjusted"))
    eng = engine(ini, start=T0 - 100)
    feed(eng, durable("CallWait", Q, T0 - 60, T0 + 40, conn="c1"), durable("CallWait", Q, T0 + 50, T0 + 70, conn="c2"))
    assert value(eng, "T", "Queue", Q, T0 + 100) == pytest.approx(30.0)     # (40 + 20) / 2
    assert value(eng, "S", "Queue", Q, T0 + 100) == pytest.approx(60.0)     # (100 + 20) / 2


def test_custom_value_categories():
    """docs/reference/stat-types.md §4.6: custom values from numeric user data, current and historical."""
    cats = ("CurrentCustomValue", "CurrentAverageCustomValue", "CurrentMaxCustomValue", "CurrentMinCustomValue",
            "TotalCustomValue", "AverageCustomValue", "MaxCustomValue", "MinCustomValue")
    ini = "".join(stat(c, c, "CallWait", "DNAction", "Queue", Formula='GetGlobalNumber("Amount", 0)') for c in cats)
    recs = (durable("CallWait", Q, T0 + 10, T0 + 20, conn="c1", data={"UserData": {"Amount": "100"}})
            + durable("CallWait", Q, T0 + 30, None, conn="c2", data={"UserData": {"Amount": 40}})
            + durable("CallWait", Q, T0 + 40, None, conn="c3", data={"UserData": {"Amount": 60}})
            + durable("CallWait", Q, T0 + 50, T0 + 60, conn="c4", data={"UserData": {}}))
    eng = feed(engine(ini), recs)
    got = [value(eng, c, "Queue", Q, T0 + 100) for c in cats]
    assert got == [100, 50, 60, 40, 100, 50, 100, 0]


def test_custom_value_dist_by_conn():
    """docs/reference/stat-types.md §4.6: DistByConnID counts each interaction once in current custom values."""
    ini = stat("C", "CurrentCustomValue", "CallWait, CallRinging", "DNAction", "Tenant",
               Formula='DistByConnID, GetGlobalNumber("Amount", 0)')
    eng = feed(engine(ini), durable("CallWait", Q, T0 + 10, None, conn="c1", data={"UserData": {"Amount": 5}}),
               durable("CallRinging", "1001@SW", T0 + 20, None, conn="c1", data={"UserData": {"Amount": 5}}))
    assert value(eng, "C", "Tenant", "Environment", T0 + 30) == 5


# --- current categories ------------------------------------------------------------------------------
def test_current_relative_time_and_in_range_and_distinct():
    """docs/reference/stat-types.md §4.4: CurrentRelativeTimePercentage,
    CurrentNumberInTimeRange(%), CurrentDistinctNumber."""
    ini = (stat("RT", "CurrentRelativeTimePercentage", "CallWaitInbound", "DNAction", "Queue", RelMask="CallWait")
           + stat("IR", "CurrentNumberInTimeRange", "CallWait", "DNAction", "Queue")
           + stat("IRP", "CurrentNumberInTimeRangePercentage", "CallWait", "DNAction", "Queue")
           + stat("D", "CurrentDistinctNumber", "CallRinging, CallInbound", "DNAction", "Tenant"))
    recs = (durable("CallWait", Q, T0 + 0, None, conn="c1", call_type=2)
            + durable("CallWait", Q, T0 + 20, None, conn="c2", call_type=3)
            + durable("CallWait", Q, T0 + 30, None, conn="c3", call_type=2)
            + durable("CallRinging", "1001@SW", T0 + 10, T0 + 15, conn="c9")
            + durable("CallInbound", "1001@SW", T0 + 15, None, conn="c9")
            + durable("CallInbound", "1002@SW", T0 + 15, None, conn="c8"))
    eng = feed(engine(ini), recs)
    now = T0 + 40     # ages 40, 20, 10
    assert value(eng, "RT", "Queue", Q, now) == pytest.approx(100 * 50 / 70)
    assert value(eng, "IR", "Queue", Q, now) == 1     # [0, 20): only the 10 s one
    assert value(eng, "IRP", "Queue", Q, now) == pytest.approx(100 / 3)
    assert value(eng, "D", "Tenant", "Environment", now) == 2


def test_call_wait_masks_by_call_type():
    """docs/reference/actions.md §5.1: CallWait<T> selects by call type; CallWait covers all (Internal too)."""
    ini = (stat("All", "CurrentNumber", "CallWait", "DNAction", "Queue")
           + stat("In", "CurrentNumber", "CallWaitInbound", "DNAction", "Queue")
           + stat("NotIn", "CurrentNumber", "*, ~CallWaitInbound", "DNAction", "Queue"))
    recs = [durable("CallWait", Q, T0 + i, None, conn=f"c{i}", call_type=ct) for i, ct in enumerate((0, 1, 2, 3, 4))]
    eng = feed(engine(ini), *recs)
    assert [value(eng, s, "Queue", Q, T0 + 10) for s in ("All", "In", "NotIn")] == [5, 1, 4]


def test_current_continuous_time():
    """docs/reference/stat-types.md §4.4: runs across status changes inside Main, 0 when the status leaves Main."""
    ini = stat("C", "CurrentContinuousTime", "CallInbound, CallOnHold", "AgentStatus", "Agent")
    recs = statuses("Agent", "a1", [(T0, "WaitForNextCall"), (T0 + 10, "CallInbound"), (T0 + 30, "CallOnHold"),
                                   (T0 + 50, "CallInbound"), (T0 + 90, "AfterCallWork")])
    eng = engine(ini)
    records = sorted(recs, key=lambda r: r.time)
    eng.feed_many(records[:3])
    assert value(eng, "C", "Agent", "a1", T0 + 40) == 30
    eng.feed(records[3])
    assert value(eng, "C", "Agent", "a1", T0 + 80) == 70
    eng2 = feed(engine(ini), recs)
    assert value(eng2, "C", "Agent", "a1", T0 + 100) == 0


def test_current_state_and_reasons():
    """docs/reference/stat-types.md §4.7: CurrentState (object status / member counts) and CurrentStateReasons."""
    ini = (stat("CS", "CurrentState", "*", "AgentStatus", "Agent")
           + stat("GS", "CurrentState", "*", "GroupStatus", "GroupAgents")
           + stat("AS", "CurrentState", "*", "DNAction", "Agent")
           + stat("R", "CurrentStateReasons", "NotReadyForNextCall", "AgentStatus", "Agent, GroupAgents"))
    recs = (statuses("Agent", "a1", [(T0 + 1, "NotReadyForNextCall")], reasons={T0 + 1: {"ReasonCode": "Break"}})
            + statuses("Agent", "a2", [(T0 + 2, "NotReadyForNextCall")], reasons={T0 + 2: {"ReasonCode": "Break"}})
            + statuses("Agent", "a3", [(T0 + 3, "WaitForNextCall")])
            + durable("NotReadyForNextCall", "1001@SW", T0 + 1, None, agent="a1"))
    eng = feed(engine(ini), recs)
    assert value(eng, "CS", "Agent", "a1", T0 + 10)["status"] == "NotReadyForNextCall"
    assert value(eng, "GS", "GroupAgents", "GA", T0 + 10)["counts"] == {"NotReadyForNextCall": 2, "WaitForNextCall": 1}
    tree = value(eng, "AS", "Agent", "a1", T0 + 10)
    assert tree["status"] == "NotReadyForNextCall" and tree["actions"][0]["action"] == "NotReadyForNextCall"
    assert value(eng, "R", "Agent", "a1", T0 + 10) == {"ReasonCode": "Break"}
    assert value(eng, "R", "Agent", "a3", T0 + 10) == {}
    assert value(eng, "R", "GroupAgents", "GA", T0 + 10)["counts"] == {"ReasonCode=Break": 2}
    rows = {(r.stat_type, r.object): r.value for r in eng.notify(T0 + 10)}
    assert rows[("GS", "GA")] == "NotReadyForNextCall:2;WaitForNextCall:1"
    assert rows[("CS", "a3")] == "WaitForNextCall"
    assert rows[("R", "a1")] == "ReasonCode=Break"


def test_max_number_min_number():
    """docs/reference/stat-types.md §4.3: max / min of CurrentNumber during I, from its value at t0."""
    ini = q_stats("MaxNumber", "CallWait").replace("[S]", "[Max]") + q_stats("MinNumber", "CallWait")
    eng = engine(ini, start=T0 - 100)
    feed(eng, durable("CallWait", Q, T0 - 50, T0 + 10, conn="c0"),     # running at the reset
         durable("CallWait", Q, T0 + 20, T0 + 30, conn="c1"), durable("CallWait", Q, T0 + 25, T0 + 35, conn="c2"))
    assert value(eng, "Max", "Queue", Q, T0 + 100) == 2
    assert value(eng, "S", "Queue", Q, T0 + 100) == 0
    eng2 = engine(ini, start=T0 - 100)
    feed(eng2, durable("CallWait", Q, T0 - 50, None, conn="c0"))
    assert value(eng2, "S", "Queue", Q, T0 + 100) == 1    # started the interval at 1, never below
