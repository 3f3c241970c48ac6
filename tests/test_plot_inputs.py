"""Plots a planner reads correctly, from folders as they come (issue 17, parts 1, 4 and 6).

* bounded: a run with 1-second intervals plots its intraday bars merged to a readable count,
  and the axis says so;
* damaged folders: a bad line of any file the plots read is one line naming the file and the
  line, the other plots are still drawn; a folder of an incomplete run is refused;
* what a value is: cumulative values name their time profile, the current calls waiting are
  drawn between notifications from the CallWait actions they count, counts get whole-number
  ticks and axes from 0;
* summary.json keys queues by the queue, not by the routing point in front of it.

The messages themselves are in the bad-input catalogue (tests/errors_catalogue.py, "run folder").
"""

from __future__ import annotations

import json
import math
import shutil
from pathlib import Path

import numpy as np
import orjson
import pytest

from sim.cli import main
from sim.report import plots
from sim.report.run_folder import RunFolderError
from sim.scenario.load import load_scenario
from sim.simulation import simulate
from sim.statserver.rules import AGENT_PRIORITY

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")


@pytest.fixture(scope="module")
def run_1s(tmp_path_factory):
    """Quickstart, 30 minutes, 1-second reporting intervals, notifications every minute."""
    d = tmp_path_factory.mktemp("run_1s")
    sc = load_scenario(QUICKSTART, ["run.horizon=1800", "run.interval=1", "run.notify_every=60"])
    simulate(sc, str(d))
    return d


def fresh(src: Path, dst: Path) -> Path:
    shutil.copytree(src, dst, ignore=shutil.ignore_patterns("plots"))
    return dst


# ------------------------------------------------------------------------------ bounded
@pytest.mark.parametrize(("interval", "count", "want"), [
    (900, 96, 900), (900, 4, 900), (1, 86400, 900), (1, 3600, 60), (1, 1800, 30),
    (60, 1440, 900), (7, 1000, 77)])
def test_merged_interval_is_a_clock_step_of_whole_intervals(interval, count, want):
    got = plots.merged_interval(interval, count)
    assert got == want
    assert math.ceil(count * interval / got) <= plots.MAX_INTERVALS or count <= plots.MAX_INTERVALS


def test_one_second_intervals_are_merged_and_the_axis_says_so(run_1s):
    tab = plots.intraday_table(str(run_1s))
    assert tab["interval"] == 1.0 and len(tab["start"]) > 1000       # the run's own intervals
    fig = plots.intraday(str(run_1s))
    ax = fig.axes[0]
    assert ax.get_ylabel() == "calls per 30 s (merged from 1 s intervals)"
    bars = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert all(len(b) <= plots.MAX_INTERVALS for b in bars.values())
    summary = json.loads((run_1s / "summary.json").read_text())["overall"]
    for key in ("offered", "answered", "abandoned"):
        assert sum(bars[key]) == summary[key]          # merging loses no call
    assert all(float(t).is_integer() for t in ax.get_yticks())
    assert ax.get_ylim()[0] == 0


# ------------------------------------------------------------------------------ damaged folders
def test_a_bad_line_in_the_middle_of_statuses_is_named(run_1s, tmp_path):
    d = fresh(run_1s, tmp_path / "out")
    lines = (d / "statuses.jsonl").read_bytes().splitlines(keepends=True)
    lines[99] = b'{"time": 1767571300.0, "object_type": "Agent", "object": "sales_001", "status"\n'
    (d / "statuses.jsonl").write_bytes(b"".join(lines))
    with pytest.raises(RunFolderError, match=r"statuses.jsonl:100: not valid JSON \(unexpected"):
        plots.write_run_plots(str(d))


def test_a_short_stats_row_of_a_plotted_type_is_named(run_1s, tmp_path):
    d = fresh(run_1s, tmp_path / "out")
    lines = (d / "stats.csv").read_text().splitlines(keepends=True)
    n = next(i for i, line in enumerate(lines) if ",Service_Level," in line)
    lines[n] = ",".join(lines[n].split(",")[:4]) + "\n"
    (d / "stats.csv").write_text("".join(lines))
    with pytest.raises(RunFolderError) as exc:
        plots.write_run_plots(str(d))
    assert str(exc.value) == f"{d / 'stats.csv'}:{n + 1}: expected 7 fields, got 4"


def test_the_other_plots_are_still_drawn_and_a_stale_one_removed(run_1s, tmp_path, capsys):
    d = fresh(run_1s, tmp_path / "out")
    assert main(["plot", str(d)]) == 0
    before = {p.name for p in (d / "plots").glob("*.png")}
    assert "calls_waiting.png" in before
    actions = (d / "actions.jsonl").read_bytes()
    (d / "actions.jsonl").write_bytes(actions[:-25])             # cut short, as by a full disk
    capsys.readouterr()
    assert main(["plot", str(d)]) == 2
    err = capsys.readouterr().err.splitlines()
    last = actions.count(b"\n")
    assert err == [f"sim plot: error: {d / 'actions.jsonl'}:{last}: not valid JSON (unexpected end of data)"]
    after = {p.name for p in (d / "plots").glob("*.png")}
    assert after == before - {"calls_waiting.png"}


def test_an_incomplete_run_is_refused_by_the_api_too(run_1s, tmp_path):
    d = fresh(run_1s, tmp_path / "out")
    (d / "summary.json").unlink()
    (d / "incomplete.json").write_text(json.dumps(
        {"complete": False, "reason": "disk full", "command": "sim run x.toml --out out"}))
    with pytest.raises(RunFolderError, match=r"out: incomplete run \(disk full\); run it again"):
        plots.write_run_plots(str(d))
    assert not (d / "plots").exists()
    (d / "incomplete.json").write_text("{")                        # the marker itself cut short
    with pytest.raises(RunFolderError, match=r"incomplete run \(incomplete.json unreadable\)"):
        plots.write_run_plots(str(d))
    (d / "incomplete.json").write_text('{"complete": true}')       # says it completed after all
    assert plots.write_run_plots(str(d))


# ------------------------------------------------------------------------------ damaged Parquet files
@pytest.fixture(scope="module")
def run_pq(tmp_path_factory):
    """Quickstart, 30 minutes, stored as Parquet (sim run --store parquet)."""
    d = tmp_path_factory.mktemp("run_pq")
    sc = load_scenario(QUICKSTART, ["run.horizon=1800", "run.notify_every=60"])
    simulate(sc, str(d), store="parquet")
    return d


def _cut(p: Path) -> None:
    p.write_bytes(p.read_bytes()[: p.stat().st_size // 2])        # cut short, as by a full disk


def _garble(p: Path) -> None:
    b = bytearray(p.read_bytes())                                  # its footer intact: a damaged page
    b[len(b) // 4: len(b) // 2] = b"\xab" * (len(b) // 2 - len(b) // 4)
    p.write_bytes(bytes(b))


UNREADABLE = "not a readable Parquet file"


@pytest.mark.parametrize(("name", "damage", "lost", "reason"), [
    ("statuses", _cut, {"agent_states.png", "dn_states.png", "agents_per_status.png"},
     f"{UNREADABLE} (Parquet magic bytes not found in footer."),
    ("statuses", _garble, {"agent_states.png", "dn_states.png", "agents_per_status.png"}, UNREADABLE),
    ("actions", _cut, {"calls_waiting.png"}, UNREADABLE),
    ("calls", lambda p: p.write_bytes(b""), {"intraday.png"}, f"{UNREADABLE} (Parquet file size is 0 bytes)"),
    ("truth", lambda p: p.write_text("interval_start,object\n"), {"intraday.png"}, UNREADABLE),
    ("stats", _cut, {"stat_CurrNumberWaitingCalls.png", "stat_Service_Level.png"}, UNREADABLE),
])
def test_a_damaged_parquet_file_is_one_line_and_the_other_plots_are_drawn(run_pq, tmp_path, capsys,
                                                                        name, damage, lost, reason):
    d = fresh(run_pq, tmp_path / "out")
    assert main(["plot", str(d)]) == 0
    before = {p.name for p in (d / "plots").glob("*.png")}
    assert lost <= before
    damage(d / f"{name}.parquet")
    capsys.readouterr()
    assert main(["plot", str(d)]) == 2
    err = capsys.readouterr().err.splitlines()
    assert len(err) == 1 and err[0].startswith(f"sim plot: error: {d / name}.parquet: {reason}")
    assert {p.name for p in (d / "plots").glob("*.png")} == before - lost


def test_a_parquet_table_of_the_wrong_columns_or_values_is_named(run_pq, tmp_path):
    import pyarrow as pa
    import pyarrow.parquet as pq
    d = fresh(run_pq, tmp_path / "out")
    calls = pq.read_table(d / "calls.parquet")
    pq.write_table(calls.drop_columns(["wait"]), d / "calls.parquet")
    with pytest.raises(RunFolderError) as exc:
        plots.intraday(str(d))
    assert str(exc.value) == f"{d / 'calls.parquet'}: missing column 'wait'"
    arrival = calls.column("arrival").to_pylist()
    arrival[2] = None
    pq.write_table(calls.set_column(calls.schema.get_field_index("arrival"), "arrival",
                                    pa.array(arrival, pa.float64())), d / "calls.parquet")
    with pytest.raises(RunFolderError) as exc:
        plots.intraday(str(d))
    assert str(exc.value) == f"{d / 'calls.parquet'}: row 3: arrival: expected a number, got None"
    problems: list[str] = []
    (d / "statuses.parquet").write_bytes(b"PAR1")
    written = plots.write_run_plots(str(d), problems=problems)
    assert problems == [f"{d / 'statuses.parquet'}: {UNREADABLE} (Parquet file size is 4 bytes, "
                        "smaller than the minimum file footer (8 bytes))",
                        f"{d / 'calls.parquet'}: row 3: arrival: expected a number, got None"]
    assert any(p.endswith("calls_waiting.png") for p in written)


# ------------------------------------------------------------------------------ what a value is
def running_waits(path: Path, obj: str) -> list[tuple[float, int]]:
    """(time, calls waiting from then on) of ``obj``, from its CallWait records."""
    out, n = [], 0
    for line in path.read_bytes().splitlines():
        r = orjson.loads(line)
        if r["action"] == "CallWait" and r["object"] == obj and r["kind"] in ("start", "end"):
            n += 1 if r["kind"] == "start" else -1
            out.append((r["time"], n))
    return out


def test_calls_waiting_statistic_is_drawn_between_notifications(run_1s):
    """CurrNumberWaitingCalls is an instantaneous count: stats.csv has it at each notification
    (dots), the line is the time average per bin of the CallWait actions it counts, and the
    values at the notifications are those counts (the records of the instant not yet in)."""
    fig = plots.stat_series(str(run_1s / "stats.csv"), "CurrNumberWaitingCalls")
    ax = fig.axes[0]
    assert ax.get_title().startswith("Queue: time average per ")
    assert ax.get_title().endswith(" bin (lines); instantaneous values at notifications, every 1 min (dots)")
    line, dots = ax.get_lines()[:2]
    assert line.get_label() == "7000@SW1" and dots.get_linestyle() == "None"
    assert line.get_drawstyle() == "steps-mid"
    assert max(line.get_ydata()) > 1                     # not a flat line at zero
    assert all(float(t).is_integer() for t in ax.get_yticks()) and ax.get_ylim()[0] == 0
    changes = running_waits(run_1s / "actions.jsonl", "7000@SW1")
    times = np.array([t for t, _ in changes])
    day0 = plots._day0(times[0])
    for x, v in zip(dots.get_xdata(), dots.get_ydata(), strict=True):
        t = day0 + x * 3600.0
        i = int(np.searchsorted(times, t - 1e-6, "left"))      # changes strictly before t
        assert v == (changes[i - 1][1] if i else 0)
    assert sum(dots.get_ydata()) > 0                       # some notification saw a call waiting


def test_other_current_values_are_dots_said_to_be_samples(run_1s):
    """A current value the records do not give between notifications (the longest wait now):
    dots, and the title says they are samples, not known in between."""
    fig = plots.stat_series(str(run_1s / "stats.csv"), "CurrMaxCallWaitingTime")
    ax = fig.axes[0]
    assert ax.get_title() == ("Queue: instantaneous values sampled at notifications, every 1 min "
                              "(not known in between)")
    assert all(line.get_linestyle() == "None" for line in ax.get_lines())
    assert ax.get_ylim()[0] == 0


def running_counts(path: Path, group: str, statuses: set[str]) -> list[tuple[float, int]]:
    """(time, agents of ``group`` in ``statuses`` from then on), from its group count records."""
    out = []
    for line in path.read_bytes().splitlines():
        r = orjson.loads(line)
        if r.get("object_type") == "GroupAgents" and r["object"] == group and "counts" in r:
            out.append((r["time"], sum(v for k, v in r["counts"].items() if k in statuses)))
    return out


@pytest.mark.parametrize(("stat_type", "statuses"), [
    ("CurrentReadyAgents", {"WaitForNextCall"}),
    ("CurrentLoggedInAgents", set(AGENT_PRIORITY) - {"LoggedOut", "NotMonitored"}),
])
def test_current_agent_counts_are_drawn_between_notifications(run_1s, stat_type, statuses):
    """A current count of a group's agents in some statuses is known between notifications
    from the group count records: a line (time average per bin, said so) through the dots,
    the dots being the counts of the records before each notification."""
    ax = plots.stat_series(str(run_1s / "stats.csv"), stat_type).axes[0]
    assert ax.get_title().startswith("GroupAgents: time average per ")
    assert ax.get_title().endswith(" bin (lines); instantaneous values at notifications, every 1 min (dots)")
    lines = ax.get_lines()
    steps = [ln for ln in lines if ln.get_drawstyle() == "steps-mid"]
    assert [ln.get_label() for ln in steps] == ["Sales"]
    dots = next(ln for ln in lines if ln.get_linestyle() == "None" and ln.get_color() == steps[0].get_color())
    changes = running_counts(run_1s / "statuses.jsonl", "Sales", statuses)
    times = np.array([t for t, _ in changes])
    day0 = plots._day0(times[0])
    for x, v in zip(dots.get_xdata(), dots.get_ydata(), strict=True):
        t = day0 + x * 3600.0
        i = int(np.searchsorted(times, t - 1e-6, "left"))
        assert v == (changes[i - 1][1] if i else 0)
    assert max(steps[0].get_ydata()) > 0 and max(dots.get_ydata()) > 0
    assert all(float(t).is_integer() for t in ax.get_yticks()) and ax.get_ylim()[0] == 0


def test_an_all_zero_count_is_not_drawn_amid_a_tiny_axis(tmp_path):
    p = tmp_path / "stats.csv"
    p.write_text("time,stat_type,object_type,object,time_profile,value,valid\n"
                 + "".join(f"{1767571200 + 900 * k},Total_Calls_Abandoned,Queue,7000@SW1,Default,0,1\n"
                           for k in range(1, 5)))
    ax = plots.stat_series(str(p), "Total_Calls_Abandoned").axes[0]
    assert ax.get_ylim() == (0.0, 1.0)
    assert list(ax.get_yticks()) == [0.0, 1.0]


def test_percentages_start_at_zero(run_1s):
    ax = plots.stat_series(str(run_1s / "stats.csv"), "Service_Level").axes[0]
    assert ax.get_ylim() == (0.0, 105.0)
    assert ax.get_title() == "Queue: cumulative since 00:00 (Growing time profile Default)"


def test_profile_texts():
    assert plots.profile_text("Total_Calls_Answered", "Default") == "cumulative since 00:00"
    assert plots.profile_text("Total_Calls_Answered", "Nope") == "time profile Nope"
    assert plots.duration_text(900) == "15 min" and plots.duration_text(7200) == "2 h"
    assert plots.duration_text(90) == "90 s"


# ------------------------------------------------------------------------------ summary.json
def test_summary_keys_queues_by_the_queue_behind_the_routing_point(run_1s):
    """Quickstart's calls arrive on routing point 8000 and wait in queue 7000: the queue KPIs
    are under 7000 (mediation counts keep both DNs; calls.csv keeps the first DN)."""
    summary = json.loads((run_1s / "summary.json").read_text())
    assert list(summary["queues"]) == ["7000@SW1"]
    q, overall = summary["queues"]["7000@SW1"], summary["overall"]
    assert all(q[k] == overall[k] for k in ("offered", "answered", "abandoned"))
    assert set(summary["mediation"]) == {"7000@SW1", "8000@SW1"}
    first = (run_1s / "calls.csv").read_text().splitlines()[1].split(",")
    assert first[2] == "8000@SW1"


# ------------------------------------------------------------------------------ sweep folders
SWEEP_CSV = ("teams[0].count,replications,service_level.offered_mean,service_level.offered_low,"
             "service_level.offered_high,service_level.offered_erlang\n"
             "10,2,0.7,0.6,0.8,0.65\n11,2,0.8,0.7,0.9,0.75\n")


@pytest.mark.parametrize(("csv_text", "json_text", "message"), [
    (SWEEP_CSV, None, None),
    (SWEEP_CSV.replace("11,2,", "11,"), None, "sweep.csv:3: expected 6 fields, got 5"),
    (SWEEP_CSV.replace("0.9", "high"), None, "sweep.csv:3: service_level.offered_high: expected a number, got 'high'"),
    (SWEEP_CSV, '{"vary": [', "sweep.json:1: not valid JSON (Expecting value)"),
    (SWEEP_CSV, '{"vary": 3}', "sweep.json: vary: expected the swept keys written by sim sweep"),
])
def test_a_damaged_sweep_folder_is_one_line(tmp_path, capsys, csv_text, json_text, message):
    (tmp_path / "sweep.csv").write_text(csv_text)
    (tmp_path / "sweep.json").write_text(json_text or json.dumps(
        {"vary": [{"key": "teams[0].count"}], "level": 0.95, "replications": 2}))
    code = main(["plot", str(tmp_path)])
    err = capsys.readouterr().err.splitlines()
    if message is None:
        assert code == 0 and err == [] and (tmp_path / "plots" / "service_level.png").exists()
    else:
        shown = f"{tmp_path / message.split(':')[0]}{message[message.index(':'):]}"
        assert code == 2 and err == [f"sim plot: error: {shown}"]
