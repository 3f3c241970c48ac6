"""sim.tlib: the T-Library vocabulary (docs/reference/tevents.md §3-§6) and the trace format
(docs/reference/contracts.md §1)."""

from __future__ import annotations

import io

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.tlib import codes
from sim.tlib.event import make_event
from sim.tlib.trace import TraceWriter, dumps_event, read_events


def test_message_ids_and_enumerations():
    """docs/reference/tevents.md §3, §5: numeric codes as the C header gives them."""
    assert codes.MessageType.EventRinging == 60 and codes.MessageType.EventQueueLogout == 152
    assert codes.MessageType.EventDNOutOfService == 147 and codes.MessageType.EventAgentAfterCallWork == 118
    assert [c.name for c in codes.CallType] == ["Unknown", "Internal", "Inbound", "Outbound", "Consult"]
    assert codes.CallState.NoAnswer == 7 and codes.CallState.Held == 50 and codes.CallState.Covered == 29
    assert codes.AgentWorkMode.AfterCallWork == 3 and codes.AgentWorkMode.WalkAway == 6
    assert codes.DNRole.TransferredBy == 7 and codes.DNRole.Observer == 10
    assert codes.AddressType.RouteDN == 4 and codes.AddressType.Other == 99
    assert codes.AddressInfoType.DNStatus == 17 and codes.AddressInfoType.QueueStatus == 18
    assert codes.AddressStatus.Vacant == 10
    assert codes.PartyState.Dialing | codes.PartyState.Initiated == 0x10001
    assert codes.ErrorCode.TERR_NOT_CONFIGURED == 59 and codes.ErrorCode.TERR_ALRDY_SIGN_IN == 527
    assert codes.Attribute.CallUUID == 141 and codes.Attribute.EventSequenceNumber == 148
    assert len(codes.EVENT_NAMES) > 90


def test_tevent_is_immutable():
    ev = make_event(1.0, "EventRinging", "SW1", 1, ThisDN="6001")
    with pytest.raises(AttributeError):
        ev.time = 2.0
    with pytest.raises(TypeError):
        ev.attrs["ThisDN"] = "6002"
    assert ev["ThisDN"] == "6001" and ev.dn_id == "6001@SW1" and ev[1] == "EventRinging"


def test_reader_accepts_enumeration_names_and_codes():
    """Contract 1: enumerations carry numeric codes; readers also accept the names."""
    lines = [b'{"time": 1, "event": "EventRinging", "switch": "S", "CallType": "Inbound", "CallState": 7}',
             b'{"time": 2, "event": "EventAgentNotReady", "switch": "S", "AgentWorkMode": "AfterCallWork"}']
    a, b = list(read_events(lines))
    assert a.attrs["CallType"] == 2 and a.attrs["CallState"] == 7
    assert b.attrs["AgentWorkMode"] == 3


@pytest.mark.parametrize("line,reason", [
    (b"[1, 2]", "not a JSON object (an array)"),
    (b'{"event": "EventRinging", "switch": "S"}', "missing key 'time'"),
    (b'{"time": 1, "switch": "S"}', "missing key 'event'"),
    (b'{"time": 1, "event": "EventRinging"}', "missing key 'switch'"),
    (b'{"time": 1, "event": "EventNope", "switch": "S"}', "event: unknown T-Library event 'EventNope'"),
    (b'{"time": 1, "event": "EventRinging", "switch": "S", "seq": "7"}', "seq: expected an integer, got a string"),
    (b'{"time": 1, "event": "EventRinging", "switch": "S", "ThisDN": 6001}',
     "ThisDN: expected a string, got an integer"),
    (b'{"time": 1, "event": "EventRinging", "switch": "S", "CallType": "Sideways"}',
     "CallType: unknown CallType name 'Sideways'"),
    (b'{"time": 1, "event": "EventRinging", "switch": "S", "UserData": [1]}',
     "UserData: expected a key-value object, got an array"),
    (b'{"time": true, "event": "EventRinging", "switch": "S"}', "time: expected a number of seconds, got a boolean"),
])
def test_bad_lines_are_reported_and_skipped(line, reason):
    """Contract 1: a bad line is reported as FILE:LINE: reason; the lines around it are kept."""
    good = b'{"time": 1, "event": "EventRinging", "switch": "S"}'
    problems = []
    events = list(read_events([good, line, good], "t.jsonl", problems.append))
    assert len(events) == 2
    assert [str(p) for p in problems] == [f"t.jsonl:2: {reason}"]


def test_invalid_utf8_and_json():
    problems = []
    events = list(read_events([b"\xff\xfe{", b"{", b'{"time": 1, "event": "EventRinging", "switch": "S"}'],
                              "t", problems.append))
    assert len(events) == 1 and [p.line for p in problems] == [1, 2]
    assert all(str(p).startswith("t:") and "not valid JSON" in str(p) for p in problems)


def test_out_of_order_time_and_seq_are_reported_but_processed():
    """Contract 1: processed at the previous time, so no duration is negative."""
    lines = [b'{"time": 10, "event": "EventRinging", "switch": "S", "seq": 5}',
             b'{"time": 9, "event": "EventReleased", "switch": "S", "seq": 5}',
             b'{"time": 1, "event": "EventRinging", "switch": "T", "seq": 1}']
    problems = []
    events = list(read_events(lines, "t", problems.append))
    assert [e.time for e in events] == [10.0, 10.0, 1.0]       # switches are ordered separately
    assert [p.line for p in problems] == [2, 2] and all(p.kept for p in problems)


@settings(max_examples=300, deadline=None)
@given(st.dictionaries(st.sampled_from(["ThisDN", "ConnID", "AgentID", "OtherDN"]),
                       st.text(min_size=1, max_size=12), max_size=4),
       st.floats(0, 2e9, allow_nan=False), st.integers(0, 2**63))
def test_writer_reader_round_trip(attrs, t, seq):
    ev = make_event(round(t, 6), "EventEstablished", "SW1", seq, CallType=2, UserData={"k": "v"}, **attrs)
    buf = io.BytesIO()
    TraceWriter(buf).write(ev)
    (back,) = read_events(buf.getvalue().splitlines())
    assert back == ev
    assert dumps_event(back) == dumps_event(ev)       # byte-identical re-serialisation
