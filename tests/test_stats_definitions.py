"""Stat type files: parsing, validation with one-line errors, and the shipped library
(docs/reference/stat-types.md §5, §6, §10, §11)."""

from __future__ import annotations

import pytest
from test_stats_helpers import stat

from sim.errors import UserError
from sim.statserver.stats import load_stattypes, parse_stattypes
from sim.statserver.stats.expressions import ExpressionError, parse_filter, parse_formula
from sim.statserver.stats.masks import MaskError, parse_mask
from sim.statserver.stats.names import ACTION_NAMES, STATUS_NAMES
from sim.statserver.stats.profiles import DAY, parse_profile

GOOD = stat("S", "TotalNumber", "CallAnswered", "DNAction", "Queue")


def error(text: str) -> str:
    with pytest.raises(UserError) as exc:
        parse_stattypes(text, "my.ini")
    msg = str(exc.value)
    assert "\n" not in msg
    return msg


@pytest.mark.parametrize("text,where,what", [
    (GOOD.replace("TotalNumber", "TotalNumbr"), "my.ini: [S] Category", "unknown category"),
    (GOOD.replace("TotalNumber", "EstimWaitTime"), "my.ini: [S] Category", "not implemented"),
    (GOOD.replace("Queue", "GroupAgentz"), "my.ini: [S] Objects", "unknown object type"),
    (stat("S", "TotalTime", "WaitForNextCall", "AgentStatus", "Queue"),
     "my.ini: [S] Objects", "not valid with Subject"),
    (stat("S", "TotalTime", "WaitForNextCall", "DNStatus", "Tenant"), "my.ini: [S] Objects", "not valid"),
    (GOOD.replace("CallAnswered", "CallAnswred"), "my.ini: [S] MainMask", "unknown name 'CallAnswred'"),
    (GOOD.replace("CallAnswered", "~CallWait"), "my.ini: [S] MainMask", "~CallWait is not supported"),
    (GOOD.replace("CallAnswered", "~CallAnswered"), "my.ini: [S] MainMask", "selects nothing"),
    (GOOD.replace("CallAnswered", "CallAnswered,,CallEntered"), "my.ini: [S] MainMask", "empty item"),
    (stat("S", "TotalTime", "CallAnswered", "AgentStatus", "Agent"), "my.ini: [S] MainMask", "unknown name"),
    (GOOD.replace("DNAction", "CampaignAction"), "my.ini: [S] Subject", "unknown or unsupported subject"),
    (GOOD + "Bogus = 1\n", "my.ini: [S] Bogus", "unknown option"),
    (GOOD.replace("Category = TotalNumber\n", ""), "my.ini: [S] Category", "required"),
    (stat("S", "RelativeTimePercentage", "CallInbound", "DNAction", "Agent"),
     "my.ini: [S] RelMask", "requires a RelMask"),
    (GOOD + "TimeProfiles = Nope\n", "my.ini: [S] TimeProfiles", "unknown time profile"),
    (GOOD + "TimeProfiles = L\n[TimeProfiles]\nL,Sliding = 3600:7\n",
     "my.ini: [TimeProfiles] L,Sliding", "bad Sliding"),
    (GOOD + "[TimeProfiles]\nL,Growing = 25:00\n", "my.ini: [TimeProfiles] L,Growing", "bad time of day"),
    (GOOD + "[TimeProfiles]\nL,Weekly = 1\n", "my.ini: [TimeProfiles] L,Weekly", "unknown time profile type"),
    (GOOD + "[TimeProfiles]\nL,Selection = 0\n", "my.ini: [TimeProfiles] L,Selection", "bad Selection"),
    (GOOD + "[TimeProfiles]\nL,SinceLogin = 5\n", "my.ini: [TimeProfiles] L,SinceLogin", "takes no value"),
    (GOOD + "[TimeProfiles]\nLGrowing = 0:00\n", "my.ini: [TimeProfiles] LGrowing", "<Name>,<Type>"),
    (GOOD + "TimeProfiles = L\n[TimeProfiles]\nL,SinceLogin =\n", "my.ini: [S] TimeProfiles", "Agent and Place"),
    (stat("S", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent", TimeProfiles="L")
     + "[TimeProfiles]\nL,Selection = 5\n", "my.ini: [S] TimeProfiles", "Selection"),
    (GOOD + "TimeRange = X\n", "my.ini: [S] TimeRange", "unknown time range"),
    (GOOD + "[TimeRanges]\nX = 20-10\n", "my.ini: [TimeRanges] X", "bad time range"),
    (GOOD + "Filter = F\n", "my.ini: [S] Filter", "unknown filter"),
    (GOOD + "[Filters]\nF = PairExists(\"a\"\n", "my.ini: [Filters] F", "bad filter"),
    (stat("S", "CurrentCustomValue", "CallWait", "DNAction", "Queue"), "my.ini: [S] Formula", "requires Formula"),
    (stat("S", "CurrentCustomValue", "CallWait", "DNAction", "Queue", Formula="__import__('os')"),
     "my.ini: [S] Formula", "bad formula"),
    (stat("S", "ServiceFactor1", "WaitForNextCall", "AgentStatus", "Agent"),
     "my.ini: [S] Subject", "requires Subject = DNAction"),
    (stat("S", "TotalNumber", "WaitForNextCall", "GroupStatus", "GroupAgents"), "my.ini: [S] Subject", "GroupStatus"),
    (stat("S", "CurrentContinuousTime", "WaitForNextCall", "AgentStatus", "GroupAgents"),
     "my.ini: [S] Objects", "Agent and Place"),
    (stat("S", "TotalNumber", "AgentReady", "DNAction", "Queue"), "my.ini: [S] MainMask", "pseudo-action"),
    (stat("S", "AverageNumberPerRelativeHour", "CallInbound", "AgentStatus", "Agent", RelMask="*", Filter="F")
     + "[Filters]\nF = Reasons = x\n", "my.ini: [S] Filter", "no filter with a status subject"),
    (GOOD + "AverageTimeBase = Mean\n", "my.ini: [S] AverageTimeBase", "Total or Adjusted"),
    (GOOD + "Confidence = maybe\n", "my.ini: [S] Confidence", "documented or assumed"),
])
def test_bad_definitions_are_rejected_with_one_line(text, where, what):
    """docs/reference/stat-types.md §2.3, §5, §6, §10: bad category, pair, mask or profile -> one
    line naming section and option."""
    msg = error(text)
    assert msg.startswith(where), msg
    assert what in msg, msg


def test_duplicate_section_is_an_ini_error():
    msg = error(GOOD + GOOD)
    assert msg.startswith("my.ini:") and msg.endswith(": defined twice")


def test_missing_file():
    with pytest.raises(UserError, match="no such file"):
        load_stattypes("/nonexistent/x.ini")


def test_subject_rewrite_and_alias():
    """docs/reference/stat-types.md §2.3: {Place, AgentStatus} -> PlaceStatus, {Agent, PlaceStatus}
    -> AgentStatus; Action = DNAction."""
    lib = parse_stattypes(stat("S", "TotalTime", "WaitForNextCall", "AgentStatus", "Agent, Place, GroupPlaces")
                          + stat("A", "TotalNumber", "CallAnswered", "Action", "Queue"))
    s = lib["S"]
    assert (s.subject_for("Agent"), s.subject_for("Place"), s.subject_for("GroupPlaces")) == (
        "AgentStatus", "PlaceStatus", "PlaceStatus")
    assert lib["A"].subject == "DNAction"


def test_masks():
    """docs/reference/stat-types.md §5: *, ~ and lists; whitespace ignored; CallWait alias."""
    m = parse_mask(" *, ~LoggedOut ,~NotMonitored ", STATUS_NAMES)
    assert m.matches("WaitForNextCall") and not m.matches("LoggedOut") and m.matches("SomethingNew")
    m = parse_mask("CallWait", ACTION_NAMES)
    assert all(m.matches(n) for n in ("CallWaitInbound", "CallWaitInternal", "CallWaitUnknown"))
    m = parse_mask("*,~CallWaitInbound", ACTION_NAMES)
    assert m.matches("CallWaitOutbound") and not m.matches("CallWaitInbound")
    with pytest.raises(MaskError):
        parse_mask("callanswered", ACTION_NAMES)     # case-sensitive
    with pytest.raises(MaskError):
        parse_mask("CallWaitInternal", ACTION_NAMES)  # undocumented name


def test_profiles_syntax():
    """docs/reference/stat-types.md §6: Growing reset lists and periods, Sliding length:step, Selection N."""
    p = parse_profile("C", "Growing", "0:00+0:15")
    assert len(p.resets) == 96 and p.next_reset(DAY * 10 + 1) == DAY * 10 + 900
    p = parse_profile("Shift", "Growing", "8:00, 17:00")
    assert p.resets == (8 * 3600, 17 * 3600) and p.next_reset(DAY + 18 * 3600) == 2 * DAY + 8 * 3600
    assert parse_profile("Ever", "Growing", "").next_reset(5) == float("inf")
    assert parse_profile("L", "Sliding", "3600:60").buckets == 60
    assert parse_profile("N", "Selection", "10").count == 10


def test_filters_grammar():
    """docs/reference/stat-types.md §8: =, !=, &, |, !, parentheses, PairExists (and PairExist), attributes."""
    a = {"UserData": {"Language": "Spanish", "Tier": "Gold"}, "CallType": 2, "Reasons": {"ReasonCode": "Break"}}
    assert parse_filter('PairExists("Language","Spanish")')(a)
    assert parse_filter('PairExist("Tier","*")')(a)
    assert not parse_filter('PairExists("Tier","Silver")')(a)
    assert parse_filter('CallType = Inbound & !(Reasons = Lunch)')(a)
    assert parse_filter('CallType = 3 | ReasonExists("ReasonCode","Break")')(a)
    assert parse_filter('MediaType = voice & ThisQueue != 5000')(a)
    for bad in ('Foo = 1', 'PairExists("a")', '(CallType = 2', 'CallType = Sideways', ''):
        with pytest.raises(ExpressionError):
            parse_filter(bad)


def test_formula():
    """docs/reference/stat-types.md §4.6: Formula = [DistByConnID,] expression over numeric user data."""
    dist, f = parse_formula('DistByConnID, GetGlobalNumber("Amount", -1) * 2 + 1')
    assert dist and f({"UserData": {"Amount": "10"}}) == 21 and f({}) == -1
    dist, f = parse_formula('GetGlobalNumber("Account",-1)')
    assert not dist and f({"UserData": {"Account": "x"}}) == -1


def test_shipped_library():
    """docs/reference/stat-types.md §11: at least 40 stat types; every name of the standard tables; each marked."""
    lib = load_stattypes()
    assert len(lib) >= 40
    for name in ("Average_Calls_Per_Hour", "Custom_CurrentAgentDNState", "CustomUserData", "CustomAgentState",
                 "CurrentAgentState", "CurrentDNState", "CurrNumberWaitingCalls", "Total_Calls_Entered",
                 "Total_Calls_Answered", "Total_Calls_Abandoned", "Total_Calls_Distributed",
                 "Total_Calls_Answered_In_Threshold", "Service_Level", "Total_Calls_Offered", "CurrentReadyAgents",
                 "CurrentNotReadyAgents", "CurrNumberWaitStatuses", "CurrNumberInboundStatuses",
                 "CurrNumberInternalStatuses", "CurrNumberOutboundStatuses", "CurrNumberACWStatuses",
                 "CurrNumberNotReadyStatuses", "CurrNumberNotReadyReasons", "Total_Login_Time",
                 "Total_Not_Ready_Time", "Total_Calls_Outbound", "CallsAnswered", "Average_Hold_Time",
                 "Average_Handle_Time", "StatAgentsAvailable", "StatTimeInReadyState", "StatAgentOccupancy",
                 "Total_Talk_Time", "Average_Talk_Time", "Total_Hold_Time", "Total_ACW_Time", "Average_ACW_Time",
                 "Occupancy", "Abandon_Rate", "CurrMaxCallWaitingTime"):
        assert name in lib.types, name
    assert all(st.confidence in ("documented", "assumed") for st in lib)
    assert lib["Average_Calls_Per_Hour"].confidence == "documented"
    assert lib["Total_Calls_Answered"].confidence == "assumed"
