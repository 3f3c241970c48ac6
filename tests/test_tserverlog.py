"""T-Server log text <-> TEvents (docs/reference/tevents.md §4.1 log names, §4.2 trace keys, §11.1
rendering; docs/reference/contracts.md §1 types; issue 8 part 3)."""

from __future__ import annotations

import io
import string
from pathlib import Path

import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.errors import UserError
from sim.tlib.codes import ENUM_KEYS, EVENT_NAMES
from sim.tlib.event import TEvent, make_event
from sim.tlib.logforms import Summary
from sim.tlib.trace import INT_KEYS, STR_KEYS, dumps_event, parse_event, read_events
from sim.tlib.tserverlog import CONNID_KEYS, read_log, render_event, write_log

# docs/reference/tevents.md §11.1, verbatim (tabs as in the spec).
GOLDEN = """\
message EventRinging
\tAttributeEventSequenceNumber\t00000000000012af
\tAttributeTimeinuSecs\t412000
\tAttributeTimeinSecs\t1700000123
\tAttributeThisDNRole\t2
\tAttributeOtherDNRole\t1
\tAttributeThisQueue\t'7000'
\tAttributeThisDN\t'6001'
\tAttributeOtherDN\t'5551234'
\tAttributeAgentID\t'1001'
\tAttributeANI\t'5551234'
\tAttributeDNIS\t'8005550100'
\tAttributeCallType\t2
\tAttributeCallState\t0
\tAttributeCallID\t16
\tAttributeConnID\t006c02462a161006
\tAttributeCallUUID\t'AM5D3AE9D90757BKTSVJTCIAR4000014'
\tAttributeUserData\t[...]
\t\t'CustomerSegment'\t'gold'
"""

GOLDEN_EVENT = make_event(
    1700000123.412, "EventRinging", "SW1", 0x12AF, ThisDNRole=2, OtherDNRole=1, ThisQueue="7000",
    ThisDN="6001", OtherDN="5551234", AgentID="1001", ANI="5551234", DNIS="8005550100",
    CallType=2, CallState=0, CallID=16, ConnID="006c02462a161006",
    CallUUID="AM5D3AE9D90757BKTSVJTCIAR4000014", UserData={"CustomerSegment": "gold"})


def _read(text: str, switch: str | None = "SW1"):
    problems = []
    events = list(read_log(io.StringIO(text), "x.log", switch=switch, on_problem=problems.append))
    return events, [str(p) for p in problems]


def test_golden_sample_parses():
    """§11.1: the spec's rendering reads back as the event it shows."""
    events, problems = _read(GOLDEN)
    assert problems == []
    assert events == [GOLDEN_EVENT]
    assert dumps_event(events[0]) == dumps_event(GOLDEN_EVENT)  # same keys, same order


def test_golden_sample_renders():
    """§11.1 shape: `message` line, tab-indented attributes, seq as 16 hex digits, strings
    quoted, enums as integers, ConnID bare hex, KV pairs doubly indented."""
    assert render_event(GOLDEN_EVENT) == GOLDEN.replace("[...]", "[1]")


def test_names_and_kv_types():
    """§4.2 renames (Reasons/Reason, InfoType/AddressInfoType, InfoStatus/AddressInfoStatus);
    KV integers stay integers (Extensions AgentStatus 2), strings stay strings."""
    ev = make_event(1767571200.000001, "EventRegistered", "SW1", 7, ThisDN="6001", ReferenceID=3,
                    InfoType=8, InfoStatus=1,
                    Extensions={"AgentStatus": 2, "status": 1, "conn-1": "006c02462a161006",
                                "ps-1": 12, "cnt": 1},
                    Reasons={"ReasonCode": "Lunch"})
    text = render_event(ev)
    assert "\tAttributeAddressInfoType\t8\n" in text
    assert "\tAttributeAddressInfoStatus\t1\n" in text
    assert "\tAttributeReason\t[1]\n\t\t'ReasonCode'\t'Lunch'\n" in text
    assert "\t\t'AgentStatus'\t2\n" in text and "\t\t'conn-1'\t'006c02462a161006'\n" in text
    events, problems = _read(text)
    assert problems == [] and events == [ev]
    assert type(events[0]["Extensions"]["AgentStatus"]) is int
    assert type(events[0]["Extensions"]["conn-1"]) is str


def test_client_library_events_have_no_seq_and_switch_comes_from_comment_lines():
    """EventServerConnected / Disconnected carry no seq (§2, contract 1); the switch travels in
    '# switch:' comment lines, one per change."""
    evs = [make_event(1767571200.0, "EventServerConnected", "SW1"),
           make_event(1767571200.5, "EventLinkConnected", "SW1", 1),
           make_event(1767571201.25, "EventServerDisconnected", "SW2")]
    buf = io.StringIO()
    assert write_log(buf, evs) == 3
    text = buf.getvalue()
    assert text.count("# switch: SW1\n") == 1 and text.count("# switch: SW2\n") == 1
    assert "EventSequenceNumber" not in text.split("message EventLinkConnected")[0]
    events, problems = _read(text, switch=None)
    assert problems == [] and events == evs


def test_switch_option_and_missing_switch():
    body = "message EventLinkConnected\n\tAttributeTimeinSecs\t1767571200\n"
    events, _ = _read(body, switch="TS_A")
    assert events[0].switch == "TS_A"
    events, _ = _read("# switch: SW9\n" + body, switch="TS_A")
    assert events[0].switch == "SW9"  # the log's own header wins over --switch
    with pytest.raises(UserError, match=r"x.log:1: .*--switch"):
        _read(body, switch=None)


REAL_TSERVER = """\
2026-01-05T10:38:30.100 Std 05060 Log file created
Application name:   TServer_SW1
Local time:         2026-01-05T10:38:30.100
@10:38:31.6540 [0] 8.1.000.44 distribute_event: message EventRinging
\tAttributeEventSequenceNumber\t0000000000001e9c
\tAttributeCustomerID\t'Resources'
\tAttributeTimeinuSecs\t654000
\tAttributeTimeinSecs\t1767609511 (10:38:31)
\tAttributeExtensions\t[85] 00 03 00 00..
\t\t'AgentStatus'\t2
\t\t'ReasonCode'\t'Break'
\t\t'conn-1'\t006c02462a161006
\tAttributeThisDNRole\t2
\tAttributeThisQueue\t'7000'
\tAttributeThisDN\t'6001'
\tAttributeCallType\t2
\tAttributeConnID\t006c02462a161006
\tAttributeUserData\t[1095] 00 1d 00 00..
\t\t'RTargetRequested' 'skill'
\t\t'Nested'\t[20] 00 01 00 00..
\t\t\t'inner'\t7
\t\t'After'\t'x y'
10:38:31.655 Int 04543 Interaction message "EventRinging" sent to 508 ("StatServer")
@10:38:31.7000 [0] 8.1.000.44 send_to_client: message RequestAgentReady
\tAttributeThisDN\t'6001'
\tAttributeReferenceID\t9
-- message EventAgentReady
\tAttributeEventSequenceNumber\t0000000000001e9d
\tAttributeThisDN\t'6001'
\tAttributeAgentWorkMode\tManualIn
\tAttributeReferenceID\t9
"""


def test_real_log_excerpt():
    """Real T-Server text: timestamps and narration before `message`, `-- message`, comments
    after numbers, `[len] 00 01 ..` KV headers, space-separated pairs, nested KV lists, hex
    ConnIDs, enumeration names, request blocks and narration skipped silently; an event without
    TimeinSecs takes the line's timestamp on the date of the log header (UTC)."""
    events, problems = _read(REAL_TSERVER)
    assert problems == []
    ring, ready = events
    assert ring == make_event(
        1767609511.654, "EventRinging", "SW1", 0x1E9C, CustomerID="Resources",
        Extensions={"AgentStatus": 2, "ReasonCode": "Break", "conn-1": "006c02462a161006"},
        ThisDNRole=2, ThisQueue="7000", ThisDN="6001", CallType=2, ConnID="006c02462a161006",
        UserData={"RTargetRequested": "skill", "Nested": {"inner": 7}, "After": "x y"})
    # -- message line has no timestamp: the last one seen (10:38:31.7000 on 2026-01-05) is used
    assert ready == make_event(1767609511.7, "EventAgentReady", "SW1", 0x1E9D, ThisDN="6001",
                               AgentWorkMode=1, ReferenceID=9)


def test_unknown_lines_are_warned_and_skipped():
    """Bad lines: FILE:LINE: reason; the valid events around them are kept."""
    text = """\
# switch: SW1
message EventAgentLogin
\tAttributeTimeinSecs\t1767571200
\tAttributeThisDN\t'6001'
\tAttributeCallType\tnot-a-type
\tgarbage in the block
\tAttributeAgentID\t'1001'
some random text
\t\t'orphan'\t'pair'
\tAttributeThisDN\t'6002'
message EventNoSuchThing
\tAttributeThisDN\t'6003'
message EventAgentLogout
\tAttributeThisDN\t'6001'
message EventAgentReady
\tAttributeTimeinSecs\tsoon
\tAttributeThisDN\t'6001'
message EventAgentNotReady
\tAttributeTimeinSecs\t1767571300
\tAttributeCallID\t'x'
message EventAgentReady
\tAttributeTimeinSecs\t1767571400
\tAttributeThisDN\t'6001'
"""
    problems = []
    summary = Summary()
    events = list(read_log(io.StringIO(text), "x.log", on_problem=problems.append, summary=summary))
    problems = [str(p) for p in problems]
    assert summary.unknown == {"EventNoSuchThing": 1}  # counted, not a problem: valid log text
    assert summary.bad_lines == len(problems) == 9 and summary.events == 2
    assert [e.event for e in events] == ["EventAgentLogin", "EventAgentReady"]
    assert events[0].attrs == {"ThisDN": "6001", "AgentID": "1001"}
    assert problems == [
        "x.log:5: CallType: unknown CallType value 'not-a-type'; skipped",
        "x.log:6: bad attribute line 'garbage in the block'; skipped",
        "x.log:8: not understood as log text: 'some random text'; skipped",
        "x.log:9: key-value line outside a key-value list; skipped",
        "x.log:10: attribute line outside a message; skipped",
        "x.log:13: message EventAgentLogout: no AttributeTimeinSecs and no dated timestamp "
        "(give --date); skipped",
        "x.log:16: AttributeTimeinSecs: expected an integer, got 'soon'; skipped",
        "x.log:15: message EventAgentReady: no AttributeTimeinSecs and no dated timestamp "
        "(give --date); skipped",
        "x.log:18: message EventAgentNotReady: CallID: expected an integer, got a string; skipped",
    ]


def test_bytes_lines_and_crlf():
    text = GOLDEN.replace("\n", "\r\n").encode()
    events = list(read_log(io.BytesIO(text), "x.log", switch="SW1"))
    assert events == [GOLDEN_EVENT]


# --- round trip property -----------------------------------------------------------------------
_any_text = st.text(max_size=12)  # any characters: quotes, tabs, newlines, backslashes, unicode
_kv_scalar = st.one_of(_any_text, st.integers(-(2**63), 2**63 - 1),
                       st.floats(allow_nan=False, allow_infinity=False))
_kv = st.recursive(st.dictionaries(_any_text, _kv_scalar, max_size=4),
                   lambda inner: st.dictionaries(_any_text, st.one_of(_kv_scalar, inner), max_size=4),
                   max_leaves=10)
_hex = st.text("0123456789abcdefABCDEF", min_size=1, max_size=16)
_extra_keys = [f"X{c}" for c in "ABCDE"]  # attributes outside the contract's list


def _value(key: str):
    if key in CONNID_KEYS:
        return st.one_of(_hex, _any_text)
    if key in STR_KEYS:
        return _any_text
    if key in ENUM_KEYS:
        return st.integers(0, 600)
    if key in INT_KEYS:
        return st.integers(-(2**63), 2**63 - 1)
    if key in ("Reasons", "Extensions", "UserData"):
        return _kv
    return st.one_of(_any_text, st.integers(-(10**12), 10**12), _kv,
                     st.floats(allow_nan=False, allow_infinity=False))


_ALL_KEYS = sorted(STR_KEYS | set(ENUM_KEYS) | INT_KEYS | {"Reasons", "Extensions", "UserData"}) + _extra_keys


@st.composite
def tevents(draw):
    keys = draw(st.lists(st.sampled_from(_ALL_KEYS), unique=True, max_size=12))
    attrs = {k: draw(_value(k)) for k in keys}
    time = draw(st.integers(0, 4_102_444_800 * 10**6)) / 10**6
    seq = draw(st.none() | st.integers(0, 2**64 - 1))
    switch = draw(st.text(st.characters(blacklist_categories=("Cc", "Cs", "Z")), min_size=1,
                          max_size=8) | st.sampled_from(["SW1", "SW2"]))
    return make_event(time, draw(st.sampled_from(sorted(EVENT_NAMES))), switch, seq, **attrs)


@settings(max_examples=200, deadline=None)
@given(st.lists(tevents(), min_size=1, max_size=4))
def test_round_trip_property(events: list[TEvent]):
    """render -> read reproduces every TEvent exactly (time to the microsecond, attribute types
    and order), through write_log's '# switch:' lines."""
    buf = io.StringIO()
    write_log(buf, events)
    problems = []
    back = list(read_log(io.StringIO(buf.getvalue()), "p.log", on_problem=problems.append))
    assert problems == []
    assert back == events
    assert [dumps_event(e) for e in back] == [dumps_event(e) for e in events]


def test_round_trip_through_events_jsonl():
    """trace -> log -> trace is byte-identical for the contract-1 lines (what `sim import-log`
    writes is what the trace held)."""
    lines = [dumps_event(GOLDEN_EVENT),
             b'{"time":1767571200.5,"event":"EventServerConnected","switch":"SW1"}',
             b'{"time":1767571201.0,"event":"EventAgentNotReady","switch":"SW1","seq":2,'
             b'"ThisDN":"6001","AgentWorkMode":4,"Reasons":{"ReasonCode":"Lunch"},'
             b'"Extensions":{"AgentStatus":3}}']
    events = list(read_events(lines, "t.jsonl"))
    buf = io.StringIO()
    write_log(buf, events)
    back = list(read_log(io.StringIO(buf.getvalue()), "t.log"))
    assert [dumps_event(e) for e in back] == lines


def test_unrepresentable_values_raise():
    with pytest.raises(ValueError, match="bool"):
        render_event(make_event(0.0, "EventUserEvent", "SW1", 1, UserData={"flag": True}))


def test_escaping_is_reversible_and_visible():
    ev = make_event(1.0, "EventUserEvent", "SW1", 1,
                    UserData={"a\tb": "line1\nline2", "path": "C:\\x41\\new", "q": "it's"})
    text = render_event(ev)
    assert "'a\\x09b'\t'line1\\x0aline2'" in text and "'C:\\x5cx41\\new'" in text
    assert "'it's'" in text
    assert _read(text)[0] == [ev]
    assert set(string.printable) - set("\t\n\r\x0b\x0c") <= set(render_event(make_event(
        1.0, "EventUserEvent", "SW1", 1, ThisDN=string.printable)))


# --- shipped scenarios and the command --------------------------------------------------------
_SCENARIOS = sorted(Path(__file__).resolve().parent.parent.glob("scenarios/*.toml"))


# Every shipped scenario round-trips; the long ones run their first simulated hour or less (the same
# vocabulary, a fraction of the time). faults keeps its horizon: its faults come at fixed times.
_SHORTENED = {name: ["run.horizon=3600"] for name in ("blended", "c1", "c3", "erlang_a", "inbound_day")}
_SHORTENED["large_day"] = ["run.horizon=900"]  # a large center: a quarter hour is thousands of events


def test_every_shipped_scenario_is_round_tripped():
    assert {p.stem for p in _SCENARIOS} >= set(_SHORTENED) | {"faults", "quickstart"}


def _scenario_events(path: Path) -> list[TEvent]:
    from sim.model.model import ContactCenter
    from sim.scenario.load import load_scenario
    sc = load_scenario(str(path), _SHORTENED.get(path.stem))
    events: list[TEvent] = []
    ContactCenter(sc, events.append).run()
    return events


@pytest.mark.parametrize("path", _SCENARIOS, ids=[p.stem for p in _SCENARIOS])
def test_shipped_scenario_trace_round_trips_exactly(path, tmp_path):
    """Issue 8: every shipped scenario's trace -> T-Server log text -> trace is byte-identical
    (through the files and `sim import-log`)."""
    from sim.cli import main
    from sim.tlib.trace import write_events
    events = _scenario_events(path)
    trace = tmp_path / "events.jsonl"
    write_events(str(trace), events)
    log = tmp_path / "events.log"
    with open(log, "w", encoding="utf-8") as fh:
        write_log(fh, read_events(trace.read_bytes().splitlines(), str(trace)))
    back = tmp_path / "back.jsonl"
    assert main(["import-log", str(log), "--out", str(back)]) == 0
    assert back.read_bytes() == trace.read_bytes()


def test_import_log_command_reports_bad_lines_and_exits_2(tmp_path, capsys):
    """Bad input: one `FILE:LINE: reason` line each, valid events still written, exit code 2."""
    from sim.cli import main
    log = tmp_path / "ts.log"
    log.write_text(REAL_TSERVER + "what is this\n" + GOLDEN, encoding="utf-8")
    out = tmp_path / "events.jsonl"
    assert main(["import-log", str(log), "--switch", "SW1", "--out", str(out)]) == 2
    err = capsys.readouterr().err
    n = len(REAL_TSERVER.splitlines()) + 1
    assert err.splitlines()[0] == f"{log}:{n}: not understood as log text: 'what is this'; skipped"
    events = [parse_event(orjson.loads(line)) for line in out.read_bytes().splitlines()]
    assert [e.event for e in events] == ["EventRinging", "EventAgentReady", "EventRinging"]
    assert events[2] == GOLDEN_EVENT


def test_import_log_command_needs_a_switch(tmp_path, capsys):
    from sim.cli import main
    log = tmp_path / "ts.log"
    log.write_text(GOLDEN, encoding="utf-8")
    assert main(["import-log", str(log), "--out", str(tmp_path / "e.jsonl")]) == 2
    assert capsys.readouterr().err == (
        f"sim import-log: error: {log}:1: message EventRinging: the log names no switch; "
        "give --switch NAME\n")
    assert main(["import-log", str(tmp_path / "nope.log"), "--out", str(tmp_path / "e.jsonl")]) == 2


def test_timestamp_fallback_rolls_over_midnight():
    """Events without AttributeTimeinSecs: the log's time of day on the header's date (UTC)."""
    text = ("Local time:    2026-01-05T23:59:00.000\n"
            "@23:59:59.5000 [0] distribute_event: message EventLinkDisconnected\n"
            "\tAttributeEventSequenceNumber\t0000000000000001\n"
            "@00:00:01.2500 [0] distribute_event: message EventLinkConnected\n"
            "\tAttributeEventSequenceNumber\t0000000000000002\n")
    events, problems = _read(text)
    assert problems == []
    assert [e.time for e in events] == [1767657599.5, 1767657601.25]
