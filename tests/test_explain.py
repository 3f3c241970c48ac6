"""The explain view (issue 7): one row per TEvent with the actions, statuses and statistics it
caused; filters by DN, agent and ConnID; ``sim explain`` on the quickstart scenario and on a
recorded trace."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from conftest import objects

from sim.cli import main
from sim.commands.explain import render_csv, render_text, scenario_rows
from sim.report.explain import Explainer, Filter, StatWatch, attribute_text, watches_for
from sim.scenario.load import load_scenario
from sim.simulation import simulate
from sim.statserver.engine import ActionEngine
from sim.tlib import flows

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")


def one_call():
    """docs/reference/tevents.md §9.1 (inbound via routing point and queue) after login and ready (§9.10)."""
    f = flows.FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    flows.login_ready(f, "6002", "1002")
    conn = flows.inbound_via_queue(f)
    return f.events, conn


def rows_of(filt=None, stats=None, watch=()):
    events, conn = one_call()
    ex = Explainer(ActionEngine(objects()), stats, watch, filt)
    return list(ex.rows(events)), conn


def by_event(rows, event, dn=None):
    return [r for r in rows if r.event == event and (dn is None or r.dn == dn)]


def test_one_row_per_event_without_filter():
    events, _ = one_call()
    rows = list(Explainer(ActionEngine(objects())).rows(events))
    assert [(r.event, r.time) for r in rows] == [(e.event, e.time) for e in events]


def test_inbound_call_rows_follow_the_dispatch_table():
    """docs/reference/actions.md §4.6 rows for EventRinging / EventEstablished / EventReleased, §5.2-§5.3 for
    the mediation DNs (CallEntered, CallWait, CallDistributed, reflected CallAnswered)."""
    rows, conn = rows_of()
    rp = by_event(rows, "EventRouteRequest")[0]
    assert rp.dn == "8000@SW1" and "CallWait" in rp.started and "CallEntered" in rp.fired
    assert f"ConnID={conn}" in rp.attributes and "CallType=Inbound" in rp.attributes
    ring = by_event(rows, "EventRinging", "6001@SW1")[0]
    assert ring.started == ("CallRinging",)
    assert ring.fired == ("CallRingingStarted",)
    # DN, place and agent change together (§8.3-§8.5): one entry for the three
    assert ring.statuses == ("6001@SW1, Place_6001, agent1001: WaitForNextCall -> CallRinging",)
    est = by_event(rows, "EventEstablished", "6001@SW1")[0]
    assert est.ended[0] == "CallRinging (3.0 s)"
    assert "CallAnswered (3.0 s)" in est.fired            # retrospective with its duration
    # reflected on the queue, with the time since the call entered it (§5.3)
    assert "7000@SW1:CallAnswered (8.0 s)" in est.fired
    assert "CallInbound" in est.started and "CallInboundStarted" in est.fired
    rel = by_event(rows, "EventReleased", "6001@SW1")[0]
    assert "CallInbound (60.0 s)" in rel.ended and "CallInboundCompleted (60.0 s)" in rel.fired
    assert rel.statuses == ("6001@SW1, Place_6001, agent1001: CallInbound -> WaitForNextCall",)
    # the engine's order: the call-type action ends, then its retrospective fires
    assert rel.actions[:2] == (("end", "CallInbound (60.0 s)"), ("retro", "CallInboundCompleted (60.0 s)"))


def test_propagated_copies_are_not_repeated():
    """docs/reference/actions.md §7: the Place and Agent copies share the DN record's row entry."""
    rows, _ = rows_of()
    ring = by_event(rows, "EventRinging", "6001@SW1")[0]
    from sim.statserver.records import Action
    copies = [r for r in ring.records if type(r) is Action and r.action == "CallRinging"]
    assert {r.object_type for r in copies} == {"RegDN", "Place", "Agent"}
    assert ring.started.count("CallRinging") == 1


def test_conn_filter_keeps_the_calls_rows():
    rows, conn = rows_of(Filter(conn=flows.FlowBuilder().conn()))
    events = [r.event for r in rows]
    assert events[:3] == ["EventRouteRequest", "EventRouteUsed", "EventQueued"]
    assert "EventAgentLogin" not in events and "EventRegistered" not in events
    # the ACW that follows the call carries its ConnID (§4.1), so its end is kept too
    assert events[-2:] == ["EventAgentNotReady", "EventAgentReady"]


def test_dn_filter_accepts_number_or_id():
    a, _ = rows_of(Filter(dn="6002"))
    b, _ = rows_of(Filter(dn="6002@SW1"))
    assert [r.event for r in a] == [r.event for r in b]
    # the connection row is kept too: it starts Monitored on 6002 (§9.2.1)
    assert {r.dn for r in a} == {None, "6002@SW1"}


def test_dn_filter_keeps_actions_reflected_on_a_queue():
    rows, _ = rows_of(Filter(dn="7000@SW1"))
    assert any(r.event == "EventEstablished" and r.dn == "6001@SW1" for r in rows)


def test_agent_filter_by_login_or_employee_id():
    a, _ = rows_of(Filter(agent="1002"))
    b, _ = rows_of(Filter(agent="agent1002"))
    # the first row gives every agent its first status, LoggedOut (decisions: initial statuses)
    assert [r.event for r in a] == [r.event for r in b] == [
        "EventServerConnected", "EventAgentLogin", "EventAgentReady"]
    c, _ = rows_of(Filter(agent="1001"))
    assert {r.dn for r in c} == {None, "6001@SW1"}
    assert "EventRinging" in [r.event for r in c]


def test_watched_statistic_changes_are_shown():
    """docs/reference/stat-types.md: Total_Calls_Answered (TotalNumber of CallAnswered) on the queue."""
    from sim.statserver.stats import StatEngine, load_stattypes
    lib = load_stattypes()
    stats = StatEngine(objects(), [lib["Total_Calls_Answered"]])
    watch = watches_for(stats, ["Total_Calls_Answered:7000@SW1"])
    assert watch == [StatWatch("Total_Calls_Answered", "Queue", "7000@SW1")]
    rows, _ = rows_of(stats=stats, watch=watch)
    changed = [r for r in rows if r.stats]
    assert len(changed) == 1
    assert changed[0].event == "EventEstablished"
    assert changed[0].stats == ("Total_Calls_Answered[7000@SW1]: 0 -> 1",)


def test_attribute_text_names_enumerations():
    assert attribute_text({"CallType": 2, "CallState": 0, "AgentWorkMode": 3}) == (
        "CallType=Inbound", "CallState=Ok", "AgentWorkMode=AfterCallWork")


# ---------------------------------------------------------------------------- quickstart
@pytest.fixture(scope="module")
def quickstart_rows():
    sc = load_scenario(QUICKSTART, ["run.horizon=900"])
    return scenario_rows(sc)


def test_quickstart_opens_with_connection_and_registration(quickstart_rows):
    """docs/reference/tevents.md §9.13: the client connects, the link is up, every DN is registered."""
    rows = quickstart_rows
    assert rows[0].event == "EventServerConnected" and rows[0].dn is None
    assert rows[1].event == "EventLinkConnected"
    registered = [r.dn for r in rows[2:9]]
    assert [r.event for r in rows[2:9]] == ["EventRegistered"] * 7
    assert set(registered) == {"7000@SW1", "8000@SW1", *(f"600{i}@SW1" for i in range(1, 6))}
    assert "7000@SW1:Monitored" in rows[0].started
    logins = [r for r in rows if r.event == "EventAgentLogin"]
    assert len(logins) == 5
    assert all("LoggedIn" in r.started for r in logins)


def test_quickstart_first_call(quickstart_rows):
    """The first inbound call: routing point -> queue -> agent, with its actions."""
    first = next(r for r in quickstart_rows if r.event == "EventRouteRequest")
    conn = next(a.split("=", 1)[1] for a in first.attributes if a.startswith("ConnID="))
    sc = load_scenario(QUICKSTART, ["run.horizon=900"])
    rows = scenario_rows(sc, Filter(conn=conn))
    ev = [(r.event, r.dn) for r in rows]
    assert ev[0] == ("EventRouteRequest", "8000@SW1")
    assert ("EventQueued", "7000@SW1") in ev
    ring = next(r for r in rows if r.event == "EventRinging")
    assert "CallRinging" in ring.started
    est = next(r for r in rows if r.event == "EventEstablished")
    assert "CallInbound" in est.started and any(f.startswith("CallAnswered (") for f in est.fired)
    rel = next(r for r in rows if r.event == "EventReleased" and r.dn == ring.dn)
    assert any(f.startswith("CallInboundCompleted (") for f in rel.fired)
    assert "CallWait" in rows[0].started and "CallEntered" in rows[0].fired


def test_cli_csv_on_quickstart(capsys):
    assert main(["explain", QUICKSTART, "--set", "run.horizon=900", "--limit", "12",
                 "--format", "csv"]) == 0
    out = capsys.readouterr().out
    table = list(csv.DictReader(io.StringIO(out)))
    assert len(table) == 12
    assert list(table[0])[:5] == ["epoch", "time", "switch", "dn", "event"]
    assert table[0]["event"] == "EventServerConnected" and table[0]["time"] == "00:00:00.000"
    assert table[2]["event"] == "EventRegistered"


def test_cli_text_table_respects_width(capsys):
    assert main(["explain", QUICKSTART, "--set", "run.horizon=900", "--limit", "15",
                 "--width", "150", "--agent", "1001", "--stat", "CurrNumberWaitingCalls:7000@SW1"]) == 0
    out = capsys.readouterr().out
    assert "status changes" in out and "statistics" in out and "EventAgentLogin" in out
    assert max(len(line) for line in out.splitlines()) <= 150


def test_trace_and_scenario_give_the_same_rows(tmp_path, capsys):
    sc = load_scenario(QUICKSTART, ["run.horizon=600"])
    simulate(sc, str(tmp_path), engine=False)
    args = ["--format", "csv", "--limit", "200", "--dn", "6001"]
    assert main(["explain", "--trace", str(tmp_path / "events.jsonl"),
                 "--objects", str(tmp_path / "objects.toml"), *args]) == 0
    from_trace = capsys.readouterr().out
    assert main(["explain", QUICKSTART, "--set", "run.horizon=600", *args]) == 0
    assert capsys.readouterr().out == from_trace
    assert from_trace.count("\n") > 10


def test_renderers_count_rows():
    rows, _ = rows_of()
    assert render_csv(rows, io.StringIO()) == len(rows)
    assert render_text(rows, io.StringIO(), width=160) == len(rows)


@pytest.mark.parametrize("argv, message", [
    (["explain"], "give a scenario"),
    (["explain", "--trace", "nope.jsonl", "--objects", "x.toml"], "nope.jsonl: no such file"),
    (["explain", QUICKSTART, "--dn", "9999"], "--dn: DN '9999' is not in the configuration"),
    (["explain", QUICKSTART, "--agent", "nobody"], "--agent: agent 'nobody'"),
    (["explain", QUICKSTART, "--stat", "No_Such_Stat"], "--stat: unknown stat type 'No_Such_Stat'"),
    (["explain", QUICKSTART, "--stat", "Total_Calls_Answered:nowhere"], "has no object 'nowhere'"),
    (["explain", QUICKSTART, "--limit", "0"], "--limit: must be at least 1"),
])
def test_user_errors_are_one_line(argv, message, capsys):
    assert main(argv) == 2
    err = capsys.readouterr().err
    assert message in err and err.count("\n") == 1 and "Traceback" not in err


def test_trace_without_objects_is_a_user_error(tmp_path, capsys):
    p = tmp_path / "events.jsonl"
    p.write_text('{"time": 1.0, "event": "EventServerConnected", "switch": "SW1"}\n')
    assert main(["explain", "--trace", str(p)]) == 2
    assert "--objects is required" in capsys.readouterr().err


def test_readme_excerpt_is_what_explain_prints_today():
    """docs/README-snippets.md shows output of the current code (regenerate with
    python docs/make_readme_assets.py)."""
    import importlib.util
    docs = ROOT / "docs"
    spec = importlib.util.spec_from_file_location("make_readme_assets", docs / "make_readme_assets.py")
    assets = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(assets)
    text = (docs / "README-snippets.md").read_text(encoding="utf-8")
    block = text.split("```text\n", 1)[1].split("```", 1)[0]
    command, excerpt = block.split("\n", 1)
    args = command.removeprefix("$ sim ").split()
    assert args[:2] == ["explain", assets.SCENARIO]
    assert assets.explain_text(args) == excerpt, "stale: run python docs/make_readme_assets.py"
    assert (docs / "img" / "state_timeline.png").read_bytes()[:4] == b"\x89PNG"
    assert "](docs/img/state_timeline.png)" in text


def test_events_the_engine_cannot_place_are_shown_not_fatal(tmp_path, capsys):
    """An event on a DN missing from the configuration is a row with a problem mark; a bad
    line is reported as FILE:LINE and skipped (docs/reference/contracts.md §1); bad input exits 2."""
    from sim.objects import dump_objects
    dump_objects(objects(), str(tmp_path / "objects.toml"))
    (tmp_path / "events.jsonl").write_text(
        '{"time": 1.0, "event": "EventServerConnected", "switch": "SW1"}\n'
        'not json\n'
        '{"time": 2.0, "event": "EventRinging", "switch": "SW1", "seq": 1, "ThisDN": "4444", '
        '"ConnID": "0000000000000001"}\n')
    assert main(["explain", "--trace", str(tmp_path / "events.jsonl"), "--objects",
                 str(tmp_path / "objects.toml"), "--format", "csv"]) == 2
    out, err = capsys.readouterr()
    rows = list(csv.DictReader(io.StringIO(out)))
    assert [r["event"] for r in rows] == ["EventServerConnected", "EventRinging"]
    assert "! unknown DN 4444@SW1" in rows[1]["fired"]
    assert "events.jsonl:2:" in err
