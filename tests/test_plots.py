"""Plots of a run folder (issue 7): every plot is produced with the expected title, axes and
series, from the files ``sim run`` writes (DESIGN contract 5), and the binned values agree
with the records they come from."""

from __future__ import annotations

import json
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.commands.run import simulate
from sim.objects import load_objects
from sim.report import plots
from sim.scenario.load import load_scenario
from sim.statserver.engine import ActionEngine
from sim.statserver.rules import AGENT_PRIORITY
from sim.tlib.trace import open_trace

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")
AGENTS = [f"sales_00{i}" for i in range(1, 6)]
PNG = b"\x89PNG\r\n\x1a\n"


@pytest.fixture(scope="module")
def run_dir(tmp_path_factory):
    """The quickstart scenario (30 minutes) with a stats.csv written from its records."""
    d = tmp_path_factory.mktemp("quickstart")
    sc = load_scenario(QUICKSTART, ["run.horizon=1800"])
    simulate(sc, str(d))
    if not (d / "stats.csv").exists():       # until the pipeline writes it itself
        from sim.statserver.stats import write_stats_csv
        objects = load_objects(str(d / "objects.toml"))
        eng = ActionEngine(objects)
        records = [r for ev in open_trace(str(d / "events.jsonl")) for r in eng.feed(ev)]
        write_stats_csv(records, objects, str(d / "stats.csv"), every=300.0)
    return d


def legend_texts(ax):
    leg = ax.get_legend()
    return [t.get_text() for t in leg.get_texts()] if leg is not None else []


def test_agent_state_timeline(run_dir):
    fig = plots.state_timeline(str(run_dir / "statuses.jsonl"), "Agent")
    ax = fig.axes[0]
    assert ax.get_title() == "Agent status over time"
    assert ax.get_xlabel() == "time (UTC)" and ax.get_ylabel() == "agent"
    assert [t.get_text() for t in ax.get_yticklabels()] == AGENTS
    labels = legend_texts(ax)
    assert {"WaitForNextCall", "CallInbound", "AfterCallWork"} <= set(labels)
    # legend in the priority order of actions.md §8.2
    assert labels == sorted(labels, key=AGENT_PRIORITY.index)
    lo, hi = ax.get_xlim()
    ticks = [t.get_text() for t in ax.get_xticklabels() if lo <= t.get_position()[0] <= hi]
    assert ticks[:4] == ["00:00", "00:05", "00:10", "00:15"]


def test_dn_state_timeline_has_one_lane_per_dn(run_dir):
    fig = plots.state_timeline(str(run_dir / "statuses.jsonl"), "RegDN")
    ax = fig.axes[0]
    assert ax.get_title() == "DN status over time" and ax.get_ylabel() == "DN"
    assert [t.get_text() for t in ax.get_yticklabels()] == [f"600{i}@SW1" for i in range(1, 6)]


def test_state_timeline_lane_limit(run_dir):
    fig = plots.state_timeline(str(run_dir / "statuses.jsonl"), "Agent", max_lanes=2)
    ax = fig.axes[0]
    assert ax.get_title() == "Agent status over time (first 2 of 5)"
    assert len(ax.get_yticklabels()) == 2


def test_agents_per_status_stack_adds_up_to_the_agents(run_dir):
    """Every agent has exactly one status at any time (actions.md §8.3), so the stacked
    time averages add up to the number of agents in every bin."""
    fig = plots.agents_per_status(str(run_dir / "statuses.jsonl"))
    ax = fig.axes[0]
    assert ax.get_title() == "Agents per status"
    assert ax.get_ylabel() == "agents (time average per bin)" and ax.get_xlabel() == "time (UTC)"
    labels = legend_texts(ax)
    assert {"WaitForNextCall", "CallInbound"} <= set(labels)
    series = [c for c in ax.collections if c.get_label() in labels]
    assert len(series) == len(labels)
    top = max(v[:, 1].max() for c in series for v in (p.vertices for p in c.get_paths()))
    assert top == pytest.approx(5.0)


def test_calls_waiting_matches_callwait_durations(run_dir):
    """actions.md §5.2: the area under the curve is the total CallWait time of each DN."""
    fig = plots.calls_waiting(str(run_dir / "actions.jsonl"))
    ax = fig.axes[0]
    assert ax.get_title() == "Calls waiting per mediation DN"
    assert ax.get_ylabel() == "calls waiting (time average per bin)"
    labels = [line.get_label() for line in ax.get_lines()]
    assert labels[0].startswith("7000@SW1 (Queue, peak ")
    assert any(lab.startswith("8000@SW1 (RoutePoint") for lab in labels)
    waited = 0.0
    with open(run_dir / "actions.jsonl", "rb") as fh:
        for line in fh:
            r = orjson.loads(line)
            if r["action"] == "CallWait" and r["kind"] == "end" and r["object"] == "7000@SW1":
                waited += r["duration"]
    line = ax.get_lines()[0]
    x, y = line.get_xdata(), line.get_ydata()
    width_s = (x[1] - x[0]) * 3600.0
    assert float(np.sum(y) * width_s) == pytest.approx(waited, rel=1e-6, abs=1e-6)


def test_intraday_totals_match_the_summary(run_dir):
    fig = plots.intraday(str(run_dir))
    ax, ax2 = fig.axes
    assert ax.get_title() == "Intraday: calls and service level per interval"
    assert ax.get_xlabel() == "interval start (UTC)"
    assert ax.get_ylabel() == "calls per 15-minute interval"
    assert ax2.get_ylabel() == "service level, % answered within 20 s of offered"
    bars = {c.get_label(): [p.get_height() for p in c.patches] for c in ax.containers}
    assert list(bars) == ["offered", "answered", "abandoned"]
    assert [line.get_label() for line in ax2.get_lines()] == ["service level (20 s)"]
    summary = json.loads((run_dir / "summary.json").read_text())["overall"]
    for key in bars:
        assert sum(bars[key]) == summary[key]
    tab = plots.intraday_table(str(run_dir))
    assert tab["interval"] == 900.0 and len(tab["start"]) == 2
    sl = summary["service_level"]["20"]["offered"]
    within = sum(s / 100.0 * o for s, o in zip(tab["service_level"], tab["offered"], strict=True))
    assert within / summary["offered"] == pytest.approx(sl)


def test_stat_series_from_stats_csv(run_dir):
    """stat-types.md: Total_Calls_Answered is a TotalNumber (count) per queue."""
    fig = plots.stat_series(str(run_dir / "stats.csv"), "Total_Calls_Answered")
    assert fig.get_suptitle() == "Total_Calls_Answered over time"
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == ["Queue", "RoutePoint", "GroupAgents", "Agent", "Place"]
    queue = fig.axes[0]
    assert queue.get_ylabel() == "count" and fig.axes[-1].get_xlabel() == "time (UTC)"
    assert [line.get_label() for line in queue.get_lines()] == ["7000@SW1"]
    agents = fig.axes[3]
    assert [line.get_label() for line in agents.get_lines()] == AGENTS
    answered = queue.get_lines()[0].get_ydata()[-1]
    assert sum(line.get_ydata()[-1] for line in agents.get_lines()) == answered
    one = plots.stat_series(str(run_dir / "stats.csv"), "Total_Calls_Answered", object_types=["Queue"])
    assert one.axes[0].get_ylabel() == "Total_Calls_Answered (count)"
    with pytest.raises(ValueError, match="no numeric values"):
        plots.stat_series(str(run_dir / "stats.csv"), "No_Such_Stat")


def test_stat_units():
    assert plots.stat_unit("Total_Talk_Time") == "s"
    assert plots.stat_unit("Total_Calls_Answered") == "count"
    assert plots.stat_unit("not a stat") == "value"


def test_write_run_plots_and_cli(run_dir, capsys):
    paths = plots.write_run_plots(str(run_dir))
    names = [Path(p).name for p in paths]
    assert names[:5] == ["agent_states.png", "dn_states.png", "agents_per_status.png",
                         "calls_waiting.png", "intraday.png"]
    for p in paths:
        assert Path(p).read_bytes()[:8] == PNG
    assert main(["plot", str(run_dir), "--stat", "Total_Calls_Answered"]) == 0
    out = capsys.readouterr().out.split()
    assert out[-1].endswith("stat_Total_Calls_Answered.png")


def test_plot_cli_errors(tmp_path, run_dir, capsys):
    assert main(["plot", str(tmp_path / "nope")]) == 2
    assert main(["plot", str(tmp_path)]) == 2
    assert "not a run folder" in capsys.readouterr().err
    assert main(["plot", str(run_dir), "--stat", "No_Such_Stat"]) == 2
    err = capsys.readouterr().err
    assert "no numeric values of stat type 'No_Such_Stat'" in err and "Traceback" not in err


def test_plots_from_records_in_memory():
    """The plot functions also take engine records (notebooks use this)."""
    from conftest import objects

    from sim.tlib import flows
    f = flows.FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    flows.inbound_via_queue(f)
    eng = ActionEngine(objects())
    records = [r for ev in f.events for r in eng.feed(ev)]
    fig = plots.state_timeline(records, "Agent", lanes=["agent1001"])
    labels = legend_texts(fig.axes[0])
    assert labels == ["WaitForNextCall", "CallRinging", "AfterCallWork", "CallInbound", "LoggedOut"]
    fig = plots.calls_waiting(records)
    assert [line.get_label() for line in fig.axes[0].get_lines()][0].startswith("7000@SW1 (Queue, peak 1)")


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.floats(0, 100), st.floats(0, 50)), max_size=20),
       st.integers(1, 50))
def test_bins_keep_the_total_time(intervals, n):
    """Binning never loses or invents time: the bins hold the clipped interval lengths."""
    b = plots._Bins(10.0, 90.0, n)
    want = 0.0
    for a, length in intervals:
        b.add("k", a, a + length)
        want += max(0.0, min(a + length, 90.0) - max(a, 10.0))
    got = float(b.data["k"].sum()) if "k" in b.data else 0.0
    assert got == pytest.approx(want, abs=1e-9)
    if "k" in b.data:
        assert (b.data["k"] <= b.width + 1e-9).all() or len(intervals) > 1


def test_plot_on_a_sweep_folder_delegates_or_says_why(tmp_path, capsys):
    """A folder with sweep.csv is a sweep: sim.report.sweep_plots redraws it from sweep.json and
    sweep.csv; without sweep.json that is one line naming the missing file, exit code 2."""
    (tmp_path / "sweep.csv").write_text("agents,offered\n10,1\n")
    assert main(["plot", str(tmp_path)]) == 2
    err = capsys.readouterr().err.strip().splitlines()
    assert len(err) == 1 and "sweep.json: no such file" in err[0]
