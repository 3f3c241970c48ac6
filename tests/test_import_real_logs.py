"""``sim import-log`` on real log text (issue 18 part 4): hand-made fixtures in the forms of
T-Server, SIP Server, router (URS) and Platform SDK logs (tests/fixtures/logs/), each imported
and replayed through the engine to the actions Stat Server would produce; the variations of
real files (BOM, CRLF, tabs and spaces), the summary line, the clocks and the bad parts."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.tlib.logforms import Summary, read_log

LOGS = Path(__file__).resolve().parent / "fixtures" / "logs"


def _import(capsys, tmp_path, name: str, *options: str) -> tuple[int, list[dict], list[str]]:
    """Import a fixture; its trace must be the golden one beside it (``NAME.events.jsonl``,
    checked by hand when written: a change to the reader shows up here line by line)."""
    out = tmp_path / f"{name}.jsonl"
    code = main(["import-log", str(LOGS / f"{name}.log"), *options, "--out", str(out)])
    err = capsys.readouterr().err.splitlines()
    golden = LOGS / f"{name}.events.jsonl"
    assert out.read_text().splitlines() == golden.read_text().splitlines()
    trace = [json.loads(x) for x in out.read_text().splitlines()] if out.exists() else []
    return code, trace, err


def _replay(capsys, tmp_path, name: str) -> list[dict]:
    out = tmp_path / f"replay_{name}"
    trace = tmp_path / f"{name}.jsonl"
    objects = LOGS / f"{name}.objects.toml"
    # exit 1 when sim check's consistency rules flag the excerpt (a hand-cut log lacks some
    # attached data); the events are replayed all the same
    code = main(["replay", str(trace), "--objects", str(objects), "--out", str(out), "--no-stats"])
    printed = capsys.readouterr().out
    assert code == (1 if "consistency finding" in printed else 0), printed
    return [json.loads(x) for x in (out / "actions.jsonl").read_text().splitlines()]


def _calls(actions: list[dict], *objects: str) -> list[tuple[str, str, str]]:
    """(object, kind, action) of the call actions on ``objects``, in order."""
    return [(a["object"], a["kind"], a["action"]) for a in actions
            if a["object"] in objects and a.get("ConnID")]


# --- T-Server -------------------------------------------------------------------------------------
def test_tserver_log_imports_and_replays(capsys, tmp_path):
    """A T-Server log as written: header lines (date and UTC offset), @-stamped message blocks,
    narration, a request and an unknown message skipped and counted, KV pairs at the header's
    level and deeper, 'key'(list) and nested [N] lists, empty values, a hex preview, enumeration
    names, space-separated attributes."""
    code, trace, err = _import(capsys, tmp_path, "tserver_inbound", "--switch", "SW1")
    assert code == 0
    assert err == [f"{LOGS / 'tserver_inbound.log'}: 11 events (T-Server 11) -> {tmp_path / 'tserver_inbound.jsonl'}; "
                   "skipped 1 request block(s), 1 unknown message(s) (EventReserved_2), 14 narration "
                   "line(s); 0 line(s) not understood; event times: 11 by AttributeTimeinSecs (UTC)"]
    assert [e["event"] for e in trace] == [
        "EventAgentLogin", "EventAgentReady", "EventRouteRequest", "EventRouteUsed", "EventQueued",
        "EventDiverted", "EventRinging", "EventEstablished", "EventReleased", "EventAgentNotReady",
        "EventAgentReady"]
    route_request, ringing, not_ready = trace[2], trace[6], trace[9]
    assert route_request["UserData"] == {"CustomerSegment": "gold", "LanguageCode": "", "IVRPath": ""}
    assert route_request["time"] == 1767609511.1 and route_request["seq"] == 0x1E90
    assert ringing["UserData"] == {"CustomerSegment": "gold", "RTargetRequested": "Sales_Skill>5",
                                   "Route": {"kind": "skill", "name": "Sales", "level": 5},
                                   "Scores": {"csat": 9}, "LanguageCode": ""}
    assert ringing["Extensions"] == {"AgentStatus": 2, "BusinessCall": 1, "OtherTrunkName": ""}
    assert ringing["ThisDN"] == "6001" and ringing["AccessNumber"] == "8005550100"
    assert not_ready["AgentWorkMode"] == 3 and not_ready["Reasons"] == {"ReasonCode": "ACW"}
    assert trace[0]["AgentWorkMode"] == trace[10]["AgentWorkMode"] == 1  # ManualIn, AgentWorkModeManualIn

    actions = _replay(capsys, tmp_path, "tserver_inbound")
    assert _calls(actions, "8000@SW1", "7000@SW1") == [
        ("8000@SW1", "moment", "CallEntered"), ("8000@SW1", "start", "CallWait"),
        ("8000@SW1", "end", "CallWait"), ("8000@SW1", "retro", "CallDistributed"),
        ("8000@SW1", "retro", "CallDistributedToQueue"),
        ("7000@SW1", "moment", "CallEntered"), ("7000@SW1", "start", "CallWait"),
        ("7000@SW1", "end", "CallWait"), ("7000@SW1", "retro", "CallDistributed"),
        ("7000@SW1", "retro", "CallAnswered"), ("7000@SW1", "retro", "CallReleased"),
        ("7000@SW1", "retro", "ACWCompleted")]
    agent = [(a["kind"], a["action"]) for a in actions if a["object"] == "agent1001"
             and a["action"] in ("CallRinging", "CallInbound", "AfterCallWork", "CallAnswered")]
    assert agent == [("start", "CallRinging"), ("end", "CallRinging"), ("retro", "CallAnswered"),
                     ("start", "CallInbound"), ("end", "CallInbound"), ("start", "AfterCallWork"),
                     ("end", "AfterCallWork")]


# --- SIP Server -----------------------------------------------------------------------------------
def test_sip_server_log_imports_and_replays(capsys, tmp_path):
    """A SIP Server log: SIP messages (headers, SDP bodies, blank lines) and CIFace narration
    between message blocks, a RequestDistributeEvent from the router skipped (its event is
    in the log as T-Server distributed it), an ISCC message from another T-Server counted as an
    unknown message, a block indented with spaces, whitespace-only lines."""
    code, trace, err = _import(capsys, tmp_path, "sipserver_vq", "--switch", "SIP_Switch")
    assert code == 0
    assert err[0].endswith("7 events (T-Server 7) -> " + str(tmp_path / "sipserver_vq.jsonl") + "; skipped 2 "
                           "request block(s), 1 unknown message(s) (ISCCEventAttachedDataChanged), 49 "
                           "narration line(s); 0 line(s) "
                           "not understood; event times: 7 by AttributeTimeinSecs (UTC)")
    assert [(e["event"], e["ThisDN"]) for e in trace] == [
        ("EventRouteRequest", "5000"), ("EventQueued", "VQ_Sales"), ("EventRouteUsed", "5000"),
        ("EventDiverted", "VQ_Sales"), ("EventRinging", "7001"), ("EventEstablished", "7001"),
        ("EventReleased", "7001")]
    assert trace[1]["UserData"] == {"SIP_HEADER_X-Account": "A-1001"}
    assert trace[4]["Extensions"]["sip-headers"] == {
        "X-Account": "A-1001", "X-Genesys-CallUUID": "0ATH5E6N0T2LP6BNS2PEUGA9KC000011"}
    actions = _replay(capsys, tmp_path, "sipserver_vq")
    assert _calls(actions, "VQ_Sales@SIP_Switch") == [
        ("VQ_Sales@SIP_Switch", "moment", "CallEntered"), ("VQ_Sales@SIP_Switch", "start", "CallWait"),
        ("VQ_Sales@SIP_Switch", "end", "CallWait"), ("VQ_Sales@SIP_Switch", "retro", "CallDistributed"),
        ("VQ_Sales@SIP_Switch", "retro", "CallAnswered"), ("VQ_Sales@SIP_Switch", "retro", "CallReleased")]
    assert ("7001@SIP_Switch", "retro", "CallAnswered") in _calls(actions, "7001@SIP_Switch")


# --- URS ------------------------------------------------------------------------------------------
def test_router_log_imports_and_replays(capsys, tmp_path):
    """A router log of two virtual-queue calls: RequestDistributeEvent blocks become the event
    named in AttributeUserEvent (no seq, ReferenceID left with the request, time = the log
    line's stamp converted to UTC with the header's offset); events received from T-Server are
    imported as they are; RequestRouteCall and the router's narration are skipped."""
    code, trace, err = _import(capsys, tmp_path, "urs_vq", "--switch", "SW1")
    assert code == 0
    assert ": 8 events (T-Server 4, URS 4) -> " in err[0]
    assert err[0].endswith("; skipped 1 request block(s), 0 unknown message(s), 33 narration line(s); "
                           "0 line(s) not understood; event times: 4 by AttributeTimeinSecs (UTC); "
                           "4 by log-line stamps (local time, UTC+01:00 from the log header)")
    assert [(e["event"], e["ThisDN"], "seq" in e) for e in trace] == [
        ("EventRouteRequest", "5000", True), ("EventQueued", "VQ_Sales", False),
        ("EventRouteUsed", "5000", True), ("EventDiverted", "VQ_Sales", False),
        ("EventRouteRequest", "5000", True), ("EventQueued", "VQ_Sales", False),
        ("EventAbandoned", "5000", True), ("EventAbandoned", "VQ_Sales", False)]
    queued, diverted = trace[1], trace[3]
    assert queued["time"] == 1767615605.745  # 13:20:05.745 local = 12:20:05.745 UTC
    assert queued == {"time": 1767615605.745, "event": "EventQueued", "switch": "SW1",
                      "ThisDN": "VQ_Sales", "ThisQueue": "VQ_Sales", "ConnID": "006c02462a161006",
                      "CallID": 4102, "CallType": 2, "ThisDNRole": 2, "OtherDN": "5000",
                      "OtherDNRole": 1, "UserData": {"CustomerSegment": "gold", "IVRPath": ""}}
    assert diverted["ThirdPartyDN"] == "6001" and "UserEvent" not in diverted
    assert [e["time"] for e in trace] == sorted(e["time"] for e in trace)
    actions = _replay(capsys, tmp_path, "urs_vq")
    vq = [(a["ConnID"][-1], a["kind"], a["action"]) for a in actions if a["object"] == "VQ_Sales@SW1"
          and a.get("ConnID")]
    assert vq == [("6", "moment", "CallEntered"), ("6", "start", "CallWait"), ("6", "end", "CallWait"),
                  ("6", "retro", "CallDistributed"),
                  ("7", "moment", "CallEntered"), ("7", "start", "CallWait"), ("7", "end", "CallWait"),
                  ("7", "retro", "CallAbandoned")]


# --- Platform SDK ---------------------------------------------------------------------------------
def test_sdk_log_imports_and_replays(capsys, tmp_path):
    """A Platform SDK client log (BOM, CRLF): 'Proxy got message' blocks with type tags, '=' and
    double quotes, decimal sequence numbers, the event time from the Time ComplexClass (UTC,
    while the log lines are local time), KVList values, enumeration labels; outgoing requests
    skipped."""
    raw = (LOGS / "sdk_desktop.log").read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf") and b"\r\n" in raw
    code, trace, err = _import(capsys, tmp_path, "sdk_desktop", "--switch", "SW1")
    assert code == 0
    assert ": 9 events (SDK 9) -> " in err[0]
    assert err[0].endswith("; skipped 4 request block(s), 0 unknown message(s), 19 narration line(s); "
                           "0 line(s) not understood; event times: 9 by AttributeTimeinSecs (UTC)")
    assert [e["event"] for e in trace] == [
        "EventRegistered", "EventAgentLogin", "EventAgentReady", "EventRinging", "EventEstablished",
        "EventReleased", "EventAgentNotReady", "EventOnHook", "EventAgentReady"]
    ringing = trace[3]
    assert ringing["seq"] == 10890 and ringing["time"] == 1767616220.5  # 12:30:20.5 UTC, not 13:30
    assert ringing["ConnID"] == "006c02462a161101" and ringing["CallType"] == 2
    assert ringing["UserData"] == {"CustomerSegment": "gold", "Visits": 3, "Route": {"kind": "skill"},
                                   "Note": ""}
    assert trace[0]["Extensions"] == {"AgentStatus": 0, "status": 0}
    assert trace[6]["Reasons"] == {"ReasonCode": "ACW"} and trace[6]["AgentWorkMode"] == 3
    actions = _replay(capsys, tmp_path, "sdk_desktop")
    assert _calls(actions, "6001@SW1", "7000@SW1") == [
        ("6001@SW1", "start", "CallRinging"), ("6001@SW1", "moment", "CallRingingStarted"),
        ("6001@SW1", "end", "CallRinging"), ("6001@SW1", "retro", "CallAnswered"),
        ("7000@SW1", "retro", "CallAnswered"), ("6001@SW1", "start", "CallInbound"),
        ("6001@SW1", "moment", "CallInboundStarted"), ("6001@SW1", "end", "CallInbound"),
        ("6001@SW1", "retro", "CallInboundCompleted"), ("7000@SW1", "retro", "CallReleased"),
        ("6001@SW1", "start", "AfterCallWork"), ("6001@SW1", "end", "AfterCallWork"),
        ("7000@SW1", "retro", "ACWCompleted")]


# --- the variations of real files -----------------------------------------------------------------
def _events(text: str, switch: str = "SW1", **kw) -> tuple[list, list[str], Summary]:
    problems: list = []
    summary = Summary()
    events = list(read_log(io.StringIO(text), "x.log", switch=switch, on_problem=problems.append,
                           summary=summary, **kw))
    return events, [str(p) for p in problems], summary


@pytest.mark.parametrize("name", ["tserver_inbound", "sipserver_vq", "urs_vq", "sdk_desktop"])
def test_bom_crlf_and_blank_lines_change_nothing(name):
    """Every fixture reads the same with or without a byte-order mark and CRLF line ends, and
    with tabs and spaces in the blank lines between blocks."""
    text = (LOGS / f"{name}.log").read_bytes().decode("utf-8").removeprefix("\ufeff").replace("\r\n", "\n")
    plain, problems, _ = _events(text)
    assert problems == [] and plain
    varied = "\ufeff" + text.replace("\n\n", "\n \t\n").replace("\n", "\r\n")
    events, problems, _ = _events(varied)
    assert problems == [] and events == plain
    as_bytes = list(read_log(io.BytesIO(varied.encode("utf-8")), "x.log", switch="SW1"))
    assert as_bytes == plain


# --- clocks ---------------------------------------------------------------------------------------
_URS_EXCERPT = """\
_I_I_006c02462a161006 [09:04] ASSIGN: __Return(SCRIPT) <- STRING:
23:59:58.500_T_I_006c02462a161006 [14:02] sending event 57 for virtual queue 9000
request to 65200(TServer_SW1) message RequestDistributeEvent
\tAttributeUserEvent\t57
\tAttributeThisDN\t'9000'
\tAttributeConnID\t006c02462a161006
\tAttributeCallType\t2
00:00:03.250_T_I_006c02462a161006 [14:02] sending event 59 for virtual queue 9000
request to 65200(TServer_SW1) message RequestDistributeEvent
\tAttributeUserEvent\t'EventAbandoned'
\tAttributeThisDN\t'9000'
\tAttributeConnID\t006c02462a161006
\tAttributeCallType\t2
"""


def test_date_option_dates_time_of_day_stamps_and_midnight_rolls_over():
    """A router excerpt without a header: --date gives the date, the stamps roll over midnight;
    the user event may be a number or a quoted name; the summary names the line clock."""
    import datetime as dt
    events, problems, summary = _events(_URS_EXCERPT, date=dt.date(2026, 1, 5))
    assert problems == []
    assert [(e.event, e.time) for e in events] == [("EventQueued", 1767657598.5),
                                                   ("EventAbandoned", 1767657603.25)]
    assert summary.clocks() == ("event times: 2 by log-line stamps (local time, read as UTC: the log "
                                "gives no UTC offset)")


def test_a_date_in_the_log_wins_over_the_date_option():
    import datetime as dt
    text = "Local time:   2026-02-01T08:00:00.000\n" + _URS_EXCERPT
    events, problems, _ = _events(text, date=dt.date(2026, 1, 5))
    assert problems == [] and events[0].time == 1769990398.5  # 2026-02-01T23:59:58.5Z


def test_without_a_date_the_command_says_so_and_exits_2(tmp_path, capsys):
    log = tmp_path / "urs.log"
    log.write_text(_URS_EXCERPT, encoding="utf-8")
    out = tmp_path / "e.jsonl"
    assert main(["import-log", str(log), "--switch", "SW1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[0] == (f"{log}:3: message EventQueued: no AttributeTimeinSecs and no dated timestamp "
                      "(give --date); skipped")
    assert err[-1].startswith(f"sim import-log: error: {log}: no events (skipped ")
    assert err[-1].endswith("): no 'message EventX', 'request to N(App) message "
                            "RequestDistributeEvent' or 'Proxy got message 'EventX'' block could be read")
    assert main(["import-log", str(log), "--switch", "SW1", "--date", "2026-01-05", "--out", str(out)]) == 0
    assert len(out.read_text().splitlines()) == 2
    capsys.readouterr()
    assert main(["import-log", str(log), "--date", "5.1.2026", "--out", str(out)]) == 2
    assert capsys.readouterr().err == "sim import-log: error: --date: expected YYYY-MM-DD, got '5.1.2026'\n"


def test_sdk_event_without_its_own_time_takes_the_log_line_clock():
    text = ("2026-01-05 13:30:00,131 DEBUG [SelectorThread] - Proxy got message 'EventDNDOn' ('77')\n"
            "message attributes:\n"
            "AttributeEventSequenceNumber [long] = 12\n"
            'AttributeThisDN [str] = "6001"\n')
    events, problems, summary = _events(text)
    assert problems == [] and events[0].time == 1767619800.131 and events[0].seq == 12
    assert summary.line_clock == 1 and "log-line stamps (local time, read as UTC" in summary.clocks()


# --- bad parts ------------------------------------------------------------------------------------
def test_bad_parts_of_each_form_are_reported_and_the_rest_imported(tmp_path, capsys):
    """FILE:LINE: reason for each bad part, the valid events around it kept, exit code 2."""
    text = """\
Local time:   2026-01-05T10:00:00.000
@10:00:01.0000 [0] 8.1.000.44 distribute_event: message EventAgentReady
\tAttributeTimeinSecs\t1767607201
\tAttributeThisDN\t'6001'
\tAttributeAgentWorkMode\tSomewhatReady
10:00:02.000_T_I_006c02462a161006 [14:02] sending event
request to 65200(TServer_SW1) message RequestDistributeEvent
\tAttributeUserEvent\tEventNoSuchThing
\tAttributeThisDN\t'9000'
request to 65200(TServer_SW1) message RequestDistributeEvent
\tAttributeUserEvent\tRequestRouteCall
\tAttributeThisDN\t'9000'
request to 65200(TServer_SW1) message RequestDistributeEvent
\tAttributeThisDN\t'9000'
2026-01-05 10:00:03,000 DEBUG - Proxy got message 'EventAgentNotReady' ('76')
message attributes:
AttributeEventSequenceNumber [long] = 0x1f
AttributeThisDN [str] = "6001"
AttributeAgentWorkMode [int] = 4
what is this
@10:00:04.0000 [0] 8.1.000.44 distribute_event: message EventAgentLogout
\tAttributeTimeinSecs\t1767607204
\tAttributeThisDN\t'6001'
"""
    log = tmp_path / "mixed.log"
    log.write_text(text, encoding="utf-8")
    out = tmp_path / "e.jsonl"
    assert main(["import-log", str(log), "--switch", "SW1", "--out", str(out)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[:-1] == [
        f"{log}:5: AgentWorkMode: unknown AgentWorkMode value 'SomewhatReady'; skipped",
        f"{log}:8: UserEvent: unknown message name 'EventNoSuchThing'; skipped",
        f"{log}:7: RequestDistributeEvent: no AttributeUserEvent naming the event to distribute; skipped",
        f"{log}:10: RequestDistributeEvent: AttributeUserEvent RequestRouteCall is not an event; skipped",
        f"{log}:13: RequestDistributeEvent: no AttributeUserEvent naming the event to distribute; skipped",
        f"{log}:17: AttributeEventSequenceNumber: expected a decimal integer, got '0x1f'; skipped",
        f"{log}:20: not understood as log text: 'what is this'; skipped",
    ]
    assert err[-1].endswith("3 events (SDK 1, T-Server 2) -> " + str(out) + "; skipped 0 request block(s), 0 unknown "
                            "message(s), 2 narration line(s); 7 line(s) not understood; event times: "
                            "2 by AttributeTimeinSecs (UTC); 1 by log-line stamps (local time, read as "
                            "UTC: the log gives no UTC offset)")
    events = [json.loads(x) for x in out.read_text().splitlines()]
    assert [(e["event"], e.get("AgentWorkMode")) for e in events] == [
        ("EventAgentReady", None), ("EventAgentNotReady", 4), ("EventAgentLogout", None)]


def test_kv_pairs_at_the_headers_level_and_nested_list_membership():
    """A KV list takes pairs at its attribute's indentation or deeper; a nested list (a
    `'key'(list)` entry or a `[N]` header) takes the pairs deeper than its own line, so a
    pair back at the outer level belongs to the outer list again."""
    text = """\
message EventUserEvent
\tAttributeTimeinSecs\t1767607204
\tAttributeUserEvent\tEventQueued
\tAttributeUserData\t[99] 00 04 00 00..
\t'a'\t'1'
\t'n'(list) 'x'\t'1'
\t\t'y'\t2
\t'b'\t'3'
\t'e'(list)
\t'c'\t4.5
\tAttributeThisDN\t'9000'
"""
    events, problems, _ = _events(text)
    assert problems == []
    assert events[0]["UserData"] == {"a": "1", "n": {"x": "1", "y": 2}, "b": "3", "e": {}, "c": 4.5}
    assert events[0]["UserEvent"] == 57 and events[0]["ThisDN"] == "9000"


def test_a_log_with_no_events_exits_2_and_says_why(tmp_path, capsys):
    log = tmp_path / "narration.log"
    log.write_text("\ufeffApplication name:   URS_01\r\n_I_I_ [09:04] nothing to see\r\n", encoding="utf-8")
    assert main(["import-log", str(log), "--switch", "SW1", "--out", str(tmp_path / "e.jsonl")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [
        f"sim import-log: error: {log}: no events (skipped 0 request block(s), 0 unknown message(s), "
        "2 narration line(s); 0 line(s) not understood): no 'message EventX', 'request to N(App) "
        "message RequestDistributeEvent' or 'Proxy got message 'EventX'' block could be read"]
    assert not (tmp_path / "e.jsonl").exists()     # nothing is written


def test_message_headers_with_a_reference_and_iscc_messages():
    """A header may end with a parenthesis (`message EventRouteUsed(refid=12)`); ISCC messages
    between T-Servers are blocks of their own, counted as unknown messages with their lines."""
    text = """\
Local time:   2026-01-05T10:00:00.000
10:00:01.000_T_I_006c02462a161006 [14:01] received from 65200(TServer_SW1)ctihost01:3000(fd=) message EventRouteUsed(refid=12)
\tAttributeTimeinSecs\t1767607201
\tAttributeThisDN\t'8000'
@10:00:02.0000 [ISCC] Received from 65201(TServer_SW2)@ctihost02:3000: message ISCCEventAttachedDataChanged
\tISCCAttributeReferenceID\t12
\tAttributeThisDN\t'8000'
"""
    events, problems, summary = _events(text)
    assert problems == [] and [e.event for e in events] == ["EventRouteUsed"]
    assert summary.unknown == {"ISCCEventAttachedDataChanged": 1} and summary.narration == 1


def test_full_stamps_date_each_block_and_comments_are_narration():
    """`YYYY-MM-DDTHH:MM:SS.mmm` stamps carry their own date (no header, no --date needed);
    a `#` comment other than `# switch:` is counted as narration."""
    text = """\
# exported by the lab's log collector
2026-01-05T23:59:59.500 Trc 04541 message EventLinkDisconnected
\tAttributeEventSequenceNumber\t0000000000000001
2026-01-06T00:00:01.250 Trc 04541 message EventLinkConnected
\tAttributeEventSequenceNumber\t0000000000000002
"""
    events, problems, summary = _events(text)
    assert problems == [] and [(e.event, e.time, e.seq) for e in events] == [
        ("EventLinkDisconnected", 1767657599.5, 1), ("EventLinkConnected", 1767657601.25, 2)]
    assert summary.narration == 1 and summary.line_clock == 2


# --- any mix of real-log lines --------------------------------------------------------------------
_FIXTURE_LINES = sorted({line for name in ("tserver_inbound", "sipserver_vq", "urs_vq", "sdk_desktop")
                         for line in (LOGS / f"{name}.log").read_text(encoding="utf-8-sig").splitlines()})


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(st.sampled_from(_FIXTURE_LINES), st.text(max_size=30)), max_size=60))
def test_any_mix_of_log_lines_is_read_without_crashing(lines):
    """Lines of all four forms shuffled, cut and mixed with any text: the reader never fails,
    every problem is one FILE:LINE line and counted, every event passes the contract checks."""
    problems: list = []
    summary = Summary()
    events = list(read_log(lines, "mix.log", switch="SW1", on_problem=problems.append,
                           summary=summary))
    assert summary.bad_lines == len(problems)
    assert summary.events == len(events) == summary.own_clock + summary.line_clock
    assert all(p.file == "mix.log" and 1 <= p.line <= len(lines) for p in problems)
