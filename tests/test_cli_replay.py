"""``sim replay`` end to end (docs/reference/contracts.md §1, §3, §4, §5): outputs, the one-line problem
reports with FILE:LINE, exit code 2, and valid events around bad ones still processed."""

from __future__ import annotations

import csv
import json

from conftest import objects

from sim.cli import main
from sim.objects import dump_objects
from sim.tlib import flows
from sim.tlib.trace import dumps_event


def _trace(tmp_path, bad_lines=()):
    f = flows.FlowBuilder(t0=1767571000.0)
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    flows.inbound_via_queue(f)
    lines = [dumps_event(e) for e in f.events]
    for at, text in bad_lines:
        lines.insert(at, text)
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(lines) + b"\n")
    obj = tmp_path / "objects.toml"
    dump_objects(objects(), str(obj))
    return path, obj, len(f.events)


def _read(path):
    return [json.loads(x) for x in path.read_text().splitlines()]


def test_replay_writes_actions_statuses_and_stats(tmp_path, capsys):
    path, obj, n = _trace(tmp_path)
    out = tmp_path / "out"
    assert main(["replay", str(path), "--objects", str(obj), "--out", str(out)]) == 0
    summary = capsys.readouterr().out
    assert summary.startswith(f"sim replay: {n} events")
    actions = _read(out / "actions.jsonl")
    answered = [a for a in actions if a["action"] == "CallAnswered" and a["object_type"] == "Queue"]
    assert len(answered) == 1 and answered[0]["object"] == "7000@SW1"
    statuses = _read(out / "statuses.jsonl")
    assert any(s["object_type"] == "GroupAgents" and "counts" in s for s in statuses)
    assert {s["object_type"] for s in statuses} >= {"RegDN", "Queue", "RoutePoint", "Place", "Agent"}
    rows = list(csv.DictReader((out / "stats.csv").open()))
    total = [r for r in rows if r["stat_type"] == "Total_Calls_Answered" and r["object"] == "7000@SW1"]
    assert total and float(total[-1]["value"]) == 1


def test_replay_reports_bad_lines_and_keeps_the_rest(tmp_path, capsys):
    bad = [(12, b"{not json"), (14, b'{"time": 1, "event": "EventRinging"}'),
           (16, b'{"time": 1767571003.0, "event": "EventRinging", "switch": "SW1", "ThisDN": "9999", '
                b'"ConnID": "0000000000000001", "CallType": 2}'),
           (18, b'{"time": "soon", "event": "EventRinging", "switch": "SW1"}')]
    path, obj, n = _trace(tmp_path, bad)
    out = tmp_path / "out"
    assert main(["replay", str(path), "--objects", str(obj), "--out", str(out), "--no-stats"]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err[1:] == [
        f"{path}:15: missing key 'switch'",
        f"{path}:17: unknown DN 9999@SW1 (not in the objects file)",
        f"{path}:19: time: expected a number of seconds, got a string",
    ]
    assert err[0].startswith(f"{path}:13: not valid JSON")
    actions = _read(out / "actions.jsonl")
    assert any(a["action"] == "ACWCompleted" for a in actions)     # the events after them were kept


def test_replay_bad_stattypes_and_missing_files(tmp_path, capsys):
    path, obj, n = _trace(tmp_path)
    ini = tmp_path / "bad.ini"
    ini.write_text("[Broken]\nCategory = NoSuchCategory\nMainMask = CallAnswered\nSubject = DNAction\n"
                   "Objects = Queue\n")
    assert main(["replay", str(path), "--objects", str(obj), "--stattypes", str(ini), "--out",
                 str(tmp_path / "o")]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "Broken" in err[0] and "Category" in err[0]
    assert main(["replay", str(tmp_path / "nope.jsonl"), "--objects", str(obj)]) == 2
    assert capsys.readouterr().err.strip().endswith("nope.jsonl: no such file")
    assert main(["replay", str(path)]) == 2
    assert "--objects is required" in capsys.readouterr().err


def test_replay_out_of_order_time_is_reported_and_processed(tmp_path, capsys):
    f = flows.FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    ev = f.events[-1]
    late = ev._replace(time=ev.time - 5, seq=ev.seq + 1, event="EventAgentNotReady")
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"\n".join(dumps_event(e) for e in [*f.events, late]) + b"\n")
    obj = tmp_path / "objects.toml"
    dump_objects(objects(), str(obj))
    out = tmp_path / "out"
    assert main(["replay", str(path), "--objects", str(obj), "--out", str(out), "--no-stats"]) == 2
    err = capsys.readouterr().err
    assert "is earlier than the previous event" in err
    actions = _read(out / "actions.jsonl")
    nr = [a for a in actions if a["action"] == "NotReadyForNextCall"]
    assert nr and nr[0]["time"] == round(ev.time, 6)        # processed at the previous time
