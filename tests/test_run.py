"""``sim run`` end to end: contract-5 files, the trace checker, the engine and the ground truth.

On every shipped scenario the trace has zero §11 violations (docs/reference/tevents.md §11), the action engine
reports no problem, and the engine's counts per mediation DN (CallEntered, CallAnswered,
CallAbandoned + CallAbandonedFromRinging, CallDistributed) equal the model's ground truth;
for faults, per interval, over the intervals no fault touches (docs/reference/actions.md §11: statistics are
flagged invalid there). After each restored connection the engine's agent states equal the
model's (checked inside the run, summary.restore_checks).
"""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import pytest

from sim.check import check_file
from sim.cli import main
from sim.scenario.load import load_scenario
from sim.simulation import simulate

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
NAMES = ["quickstart", "inbound_day", "blended", "faults", "erlang_a"]
ACTION_COUNTER = {"CallEntered": "entered", "CallAnswered": "answered", "CallAbandoned": "abandoned",
                  "CallAbandonedFromRinging": "abandoned_ringing", "CallDistributed": "distributed"}


@pytest.fixture(scope="module")
def runs(tmp_path_factory):
    out = {}
    base = tmp_path_factory.mktemp("runs")
    for name in NAMES:
        sc = load_scenario(str(SCEN / f"{name}.toml"))
        d = base / name
        out[name] = (d, simulate(sc, str(d)), sc)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_contract_5_files(runs, name):
    d, summary, _ = runs[name]
    for f in ("events.jsonl", "objects.toml", "actions.jsonl", "statuses.jsonl", "stats.csv", "summary.json"):
        assert (d / f).is_file(), f
    s = json.loads((d / "summary.json").read_text())
    for key in ("offered", "answered", "abandoned", "service_level", "asa_answered", "asa_all", "aht",
                "occupancy"):
        assert key in s["overall"]
    assert s["queues"]


@pytest.mark.parametrize("name", NAMES)
def test_trace_has_no_violations(runs, name):
    """sim check: zero violations of docs/reference/tevents.md §11 on every shipped scenario."""
    d, _, _ = runs[name]
    c = check_file(str(d / "events.jsonl"))
    assert c.count == 0, [str(v) for v in c.violations[:10]]


@pytest.mark.parametrize("name", NAMES)
def test_engine_has_no_problems(runs, name):
    _, summary, _ = runs[name]
    assert summary["engine_problem_count"] == 0, summary["engine_problems"][:5]


def test_restored_connections_reconcile_agent_states(runs):
    """After each restored connection the engine's agent state equals the model's, every DN."""
    _, summary, _ = runs["faults"]
    checks = summary["restore_checks"]
    assert len(checks) >= 5
    assert all(not c["mismatches"] for c in checks), [c for c in checks if c["mismatches"]][:3]


def _engine_counts(d: Path, interval: float | None, epoch: float):
    counts: Counter = Counter()
    with open(d / "actions.jsonl", "rb") as fh:
        for line in fh:
            a = json.loads(line)
            counter = ACTION_COUNTER.get(a["action"])
            if counter is None or a["object_type"] not in ("Queue", "RoutePoint"):
                continue
            key = (a["object"], counter)
            if interval is not None:
                k = math.floor((a["time"] - epoch) / interval + 1e-9)
                key = (k * interval, *key)
            counts[key] += 1
    return counts


@pytest.mark.parametrize("name", ["quickstart", "inbound_day", "blended", "erlang_a"])
def test_engine_counts_equal_ground_truth(runs, name):
    d, summary, _ = runs[name]
    engine = _engine_counts(d, None, 0.0)
    for obj, counters in summary["mediation"].items():
        for counter in ACTION_COUNTER.values():
            assert engine[(obj, counter)] == counters[counter], (obj, counter)


def test_fault_counts_equal_ground_truth_in_valid_intervals(runs):
    d, summary, sc = runs["faults"]
    interval = float(sc.run["interval"])
    engine = _engine_counts(d, interval, sc.epoch)
    truth: Counter = Counter()
    for line in (d / "truth.csv").read_text().splitlines()[1:]:
        start, obj, counter, n = line.split(",")
        if counter in ACTION_COUNTER.values():
            truth[(float(start), obj, counter)] += int(n)
    faults = summary["faults"]

    def valid(start: float, obj: str) -> bool:
        sw = obj.split("@")[1]
        return not any(f["switch"] == sw and f["start"] < start + interval and f["end"] >= start
                       for f in faults)

    keys = set(truth) | set(engine)
    checked = [k for k in keys if valid(k[0], k[1])]
    assert len(checked) > 20
    bad = [(k, truth[k], engine[k]) for k in sorted(checked) if truth[k] != engine[k]]
    assert not bad, bad[:10]


def test_cli_run_and_bad_input(tmp_path, capsys):
    out = tmp_path / "o"
    assert main(["run", str(SCEN / "quickstart.toml"), "--out", str(out), "--set", "run.horizon=600"]) == 0
    assert (out / "events.jsonl").is_file()
    assert main(["run", str(SCEN / "blended.toml"), "--out", str(tmp_path / "c"), "--set", "run.horizon=600",
                 "--trace-only", "--check"]) == 0
    assert "0 violations" in capsys.readouterr().out
    bad = tmp_path / "bad.toml"
    bad.write_text('[[switches]]\nname = "SW1"\n[[agents]]\nid = "a"\nlogin = "1"\ndn = "6001"\n'
                   'shift = { start = "8am", end = 3600 }\n')
    assert main(["run", str(bad), "--out", str(tmp_path / "b")]) == 2
    err = capsys.readouterr().err
    assert err.count("\n") == 1 and "agents[0].shift.start" in err
    assert main(["run", "--schema"]) == 0
    assert main(["run"]) == 2


STATTYPES = """
[Entered]
Category = TotalNumber
MainMask = CallEntered
Subject = DNAction
Objects = Queue, RoutePoint
TimeProfiles = Interval

[Answered]
Category = TotalNumber
MainMask = CallAnswered
Subject = DNAction
Objects = Queue, RoutePoint
TimeProfiles = Interval

[Abandoned]
Category = TotalNumber
MainMask = CallAbandoned, CallAbandonedFromRinging
Subject = DNAction
Objects = Queue, RoutePoint
TimeProfiles = Interval

[TimeProfiles]
Interval,Growing = 0:00+0:15
"""
STAT_OF = {"Entered": ("entered",), "Answered": ("answered",), "Abandoned": ("abandoned", "abandoned_ringing")}


@pytest.mark.parametrize("name", NAMES)
def test_statistics_equal_ground_truth_per_interval(name):
    """The statistics engine, fed the engine's records, counts per 15-minute interval exactly what
    the model counted: queue entries, calls answered per distributing queue, abandoned in queue +
    abandoned while ringing; for faults over the intervals in which no statistic is flagged
    invalid (not at the notification, and at no moment of the interval: a fault window of the
    object's switch, docs/reference/actions.md §11)."""
    import csv
    import io

    from sim.model.model import ContactCenter
    from sim.pipeline import Pipeline
    from sim.statserver.stats.definitions import parse_stattypes
    from sim.statserver.stats.output import write_stats_csv

    sc = load_scenario(str(SCEN / f"{name}.toml"), ["run.interval=900"])
    pipe = Pipeline(sc.objects(), None, with_stats=False)
    records: list = []
    truth_fh = io.StringIO()
    cc = ContactCenter(sc, lambda ev: records.extend(pipe.feed(ev)), truth_fh=truth_fh)
    end = cc.run()
    out = io.StringIO()
    write_stats_csv(records, sc.objects(), out, parse_stattypes(STATTYPES), every=900.0, end=cc.epoch + end)
    truth: Counter = Counter()
    for line in truth_fh.getvalue().splitlines()[1:]:
        start, obj, counter, n = line.split(",")
        truth[(float(start), obj, counter)] += int(n)
    compared = invalid = 0
    for row in csv.DictReader(io.StringIO(out.getvalue())):
        t = float(row["time"]) - cc.epoch
        start = math.ceil(t / 900.0 - 1e-9) * 900.0 - 900.0
        if row["valid"] != "1":
            invalid += 1
            continue
        sw = row["object"].split("@")[1]
        if any(f[1] == sw and f[3] < start + 900.0 and f[4] >= start for f in cc.faults):
            continue    # flagged invalid during the interval (valid again at the notification)
        want = sum(truth[(start, row["object"], c)] for c in STAT_OF[row["stat_type"]])
        assert float(row["value"]) == want, (row, start, want)
        compared += 1
    assert compared > 20
    if name != "faults":
        assert invalid == 0


@pytest.mark.parametrize("name", ["quickstart", "blended", "erlang_a"])
def test_shipped_stat_types_in_stats_csv_equal_ground_truth(runs, name):
    """stats.csv of `sim run` (shipped library, Default profile growing from 0:00): the last
    Total_Calls_Entered / Total_Calls_Answered / Total_Calls_Abandoned of each queue equal the
    model's counts (runs shorter than a day, so no midnight reset)."""
    import csv
    d, summary, _ = runs[name]
    last = {}
    with open(d / "stats.csv", newline="") as fh:
        for row in csv.DictReader(fh):
            if row["time_profile"] == "Default" and row["object_type"] in ("Queue", "RoutePoint"):
                last[(row["stat_type"], row["object"])] = float(row["value"])
    want = {"Total_Calls_Entered": "entered", "Total_Calls_Answered": "answered",
            "Total_Calls_Abandoned": "abandoned"}
    compared = 0
    for (stat, obj), value in last.items():
        if stat in want and obj in summary["mediation"]:
            assert value == summary["mediation"][obj][want[stat]], (stat, obj)
            compared += 1
    assert compared >= 3
