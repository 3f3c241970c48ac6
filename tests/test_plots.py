"""Plots of a run folder (issue 7): every plot is produced with the expected title, axes and
series, from the files ``sim run`` writes (docs/reference/contracts.md §5), and the binned values agree
with the records they come from."""

from __future__ import annotations

import csv
import io
import json
import math
from pathlib import Path

import numpy as np
import orjson
import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st

from sim.cli import main
from sim.objects import load_objects
from sim.report import plots
from sim.scenario.load import load_scenario
from sim.simulation import simulate
from sim.statserver.engine import ActionEngine
from sim.statserver.rules import AGENT_PRIORITY
from sim.statserver.stats.output import csv_field
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
    # legend in the priority order of docs/reference/actions.md §8.2
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
    """Every agent has exactly one status at any time (docs/reference/actions.md §8.3), so the stacked
    time averages add up to the number of agents in every bin."""
    fig = plots.agents_per_status(str(run_dir / "statuses.jsonl"))
    ax = fig.axes[0]
    assert ax.get_title() == "Agents per status"
    assert ax.get_ylabel() == "agents (time average per 2.2 s bin)" and ax.get_xlabel() == "time (UTC)"
    assert all(float(t).is_integer() for t in ax.get_yticks()) and ax.get_ylim()[0] == 0
    labels = legend_texts(ax)
    assert {"WaitForNextCall", "CallInbound"} <= set(labels)
    series = [c for c in ax.collections if c.get_label() in labels]
    assert len(series) == len(labels)
    top = max(v[:, 1].max() for c in series for v in (p.vertices for p in c.get_paths()))
    assert top == pytest.approx(5.0)


def test_calls_waiting_matches_callwait_durations(run_dir):
    """docs/reference/actions.md §5.2: the area under the curve is the total CallWait time of each DN."""
    fig = plots.calls_waiting(str(run_dir / "actions.jsonl"))
    ax = fig.axes[0]
    assert ax.get_title() == "Calls waiting per mediation DN"
    assert ax.get_ylabel() == "calls waiting (time average per 2.2 s bin)"
    assert all(float(t).is_integer() for t in ax.get_yticks()) and ax.get_ylim()[0] == 0
    assert ax.get_legend().get_bbox_to_anchor().x0 >= ax.get_window_extent().x1   # beside the data
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
    assert ax.get_ylabel() == "calls per 15 min interval"
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
    """docs/reference/stat-types.md: Total_Calls_Answered is a TotalNumber (count) per queue."""
    fig = plots.stat_series(str(run_dir / "stats.csv"), "Total_Calls_Answered")
    assert fig.get_suptitle() == "Total_Calls_Answered over time"
    titles = [ax.get_title() for ax in fig.axes]
    assert titles == [f"{t}: cumulative since 00:00 (Growing time profile Default)"
                      for t in ["Queue", "RoutePoint", "GroupAgents", "Agent", "Place"]]
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
    b = plots.Bins(10.0, 90.0, n)
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


# ------------------------------------------------------------------------------ one pass
# write_run_plots reads each file once and parses only the lines a plot can use; the figures
# must be those of the per-plot functions, and the data that of the code before (a full
# parse of every line, binned one interval at a time), to the last bit.

class ScalarBins:
    """The binning as it was, one interval at a time: the reference of plots.Bins."""

    def __init__(self, t0, t1, n=plots.BINS):
        if t1 <= t0:
            t1 = t0 + 1.0
        self.t0, self.t1, self.n = t0, t1, n
        self.width = (t1 - t0) / n
        self.data = {}

    def add(self, key, a, b, weight=1.0):
        a, b = max(a, self.t0), min(b, self.t1)
        if b <= a or weight == 0:
            return
        arr = self.data.get(key)
        if arr is None:
            arr = self.data[key] = np.zeros(self.n)
        w = self.width
        i0 = min(int((a - self.t0) / w), self.n - 1)
        i1 = min(int((b - self.t0) / w), self.n - 1)
        if i0 == i1:
            arr[i0] += (b - a) * weight
            return
        arr[i0] += (self.t0 + (i0 + 1) * w - a) * weight
        if i1 > i0 + 1:
            arr[i0 + 1:i1] += w * weight
        arr[i1] += (b - (self.t0 + i1 * w)) * weight


def reference_status_bins(path, object_type, t0, t1, lanes=None, max_lanes=plots.MAX_LANES):
    """The status episodes as the code before binned them: every line parsed."""
    bins = ScalarBins(t0, t1)
    current, seen = {}, set()
    kept = list(lanes) if lanes else []

    def close(obj, prev, t):
        bins.add((None, prev[0]), prev[1], t)
        if obj in kept:
            bins.add((obj, prev[0]), prev[1], t)
    with open(path, "rb") as fh:
        for r in (orjson.loads(line) for line in fh if line.strip()):
            if r.get("object_type") != object_type or "status" not in r:
                continue
            obj, t = r["object"], float(r["time"])
            seen.add(obj)
            if lanes is None and obj not in current and len(kept) < max_lanes and obj not in kept:
                kept.append(obj)
            if obj in current:
                close(obj, current[obj], t)
            current[obj] = (r["status"], t)
    for obj, prev in current.items():
        close(obj, prev, bins.t1)
    return kept, len(seen), bins.data


def reference_stat_series(path, stat_type, max_points=2000):
    """stat_series' series as the code before collected them: csv.DictReader over all rows."""
    series = {}
    with open(path, newline="") as fh:
        for row in csv.DictReader(fh):
            if row["stat_type"] != stat_type:
                continue
            try:
                v = float(row["value"])
            except ValueError:
                continue
            if row.get("valid", "1") == "0":
                v = math.nan
            key = (row["object_type"], row["object"], row["time_profile"])
            ts, vs = series.setdefault(key, ([], []))
            if len(ts) < 4 * max_points or len(ts) % 4 == 0:
                ts.append(float(row["time"]))
                vs.append(v)
    return series


def assert_same_bins(got: dict, want: dict) -> None:
    assert set(got) == set(want)
    for key in want:
        assert np.array_equal(got[key], want[key]), key      # bit for bit, not approx


def assert_same_series(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for key in want:
        assert got[key][0] == want[key][0], key
        assert np.array_equal(got[key][1], want[key][1], equal_nan=True), key


def png(fig) -> bytes:
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def episodes(path, object_type, span, **kw):
    ep = plots.StatusEpisodes(object_type, *span, **kw)
    plots._feed_statuses(str(path), [ep])
    return ep


def test_status_figures_are_the_per_plot_figures(run_dir):
    statuses = str(run_dir / "statuses.jsonl")
    span = plots.run_span(str(run_dir))
    figs = plots.status_figures(statuses, span=span)
    assert list(figs) == ["agent_states", "dn_states", "agents_per_status"]
    assert png(figs["agent_states"]) == png(plots.state_timeline(statuses, "Agent", span=span))
    assert png(figs["dn_states"]) == png(plots.state_timeline(statuses, "RegDN", span=span))
    assert png(figs["agents_per_status"]) == png(plots.agents_per_status(statuses, span=span))
    # and the same images and stacks without a span (taken from the file's first and last lines)
    alone = plots.state_timeline(statuses, "Agent").axes[0].get_images()[0].get_array()
    shared = plots.status_figures(statuses)["agent_states"].axes[0].get_images()[0].get_array()
    assert np.array_equal(alone, shared)


@pytest.mark.parametrize(("object_type", "kw"), [
    ("Agent", {}), ("RegDN", {}), ("Agent", {"lanes": [], "max_lanes": 0}),
    ("Agent", {"max_lanes": 2}), ("Place", {"lanes": ["Place_6003", "Place_6001"]}),
    ("Queue", {})])
def test_status_bins_are_those_of_a_full_parse(run_dir, object_type, kw):
    """The statuses of the run interleave every object type; the byte pre-filter and the
    batched binning change nothing."""
    path = run_dir / "statuses.jsonl"
    span = plots.run_span(str(run_dir))
    ep = episodes(path, object_type, span, **kw)
    kept, total, data = reference_status_bins(path, object_type, *span, **kw)
    assert (ep.kept, ep.total) == (kept, total)
    assert_same_bins(ep.bins.data, data)


def test_status_prefilter_keeps_every_line_of_the_type(tmp_path):
    """Lines are parsed when they hold the type as a JSON string or a backslash: spacing,
    escapes, names that spell another type and records without a status change nothing,
    and the lines of each type come in file order (the first agent is one with an escaped
    type, the DN named Agent is found by the Agent search)."""
    t0 = 1767571200.0
    lines = [
        {"time": t0, "object_type": "Agent", "object": "a\"0", "status": "LoggedIn"},
        {"time": t0, "object_type": "Agent", "object": "a1", "status": "LoggedIn"},
        {"time": t0, "object_type": "RegDN", "object": "d1", "status": "OnHook", "previous": None},
        {"time": t0 + 1, "object_type": "Place", "object": "Agent", "status": "Agent"},
        {"time": t0 + 1, "object_type": "RegDN", "object": "Agent", "status": "OnHook"},
        {"time": t0 + 2, "object_type": "Agent", "object": "a2", "status": "WaitForNextCall"},
        {"time": t0 + 3, "object_type": "Agent", "object": "a1", "counts": {"x": 1}},  # no status
        {"time": t0 + 4, "object_type": "RegDN", "object": "d1", "status": "OffHook"},
        {"time": t0 + 5, "object_type": "Agent", "object": "a\"0", "status": "CallInbound"},
        {"time": t0 + 6, "object_type": "Agent", "object": "a1", "status": "CallInbound"},
        {"time": t0 + 7, "object_type": "Agent", "object": "a2", "status": "AfterCallWork"},
        {"time": t0 + 8, "object_type": "RegDN", "object": "Agent", "status": "OffHook"},
    ]
    text = [orjson.dumps(r).decode() for r in lines]
    text[0] = json.dumps(lines[0]).replace("Agent", "\\u0041gent")   # an escaped type
    text[5] = json.dumps(lines[5])                               # '"object_type": "Agent"'
    text.insert(7, "")                                           # a blank line
    path = tmp_path / "statuses.jsonl"
    path.write_text("\n".join(text) + "\n")
    span = (t0, t0 + 10.0)
    eps = [plots.StatusEpisodes(t, *span, max_lanes=2) for t in ("Agent", "RegDN", "Place")]
    plots._feed_statuses(str(path), eps)
    for ep in eps:
        kept, total, data = reference_status_bins(path, ep.object_type, *span, max_lanes=2)
        assert (ep.kept, ep.total) == (kept, total)
        assert_same_bins(ep.bins.data, data)
    assert [ep.kept for ep in eps] == [["a\"0", "a1"], ["d1", "Agent"], ["Agent"]]
    assert [ep.total for ep in eps] == [3, 2, 1]


@settings(max_examples=40, deadline=None)
@given(st.lists(st.tuples(st.sampled_from(["Agent", "RegDN", "Place", "Queue"]),
                          st.sampled_from(["o1", "o2", "Agent", "ö\\"]),
                          st.sampled_from(["LoggedIn", "WaitForNextCall", "CallInbound"]),
                          st.floats(0, 100), st.booleans()), max_size=60),
       st.integers(40, 400))
def test_status_pass_is_a_full_parse(tmp_path_factory, changes, block):
    """Random status files, written compactly or with spaces and escapes, read in small
    blocks: the one pass bins what the code before binned."""
    path = tmp_path_factory.mktemp("st") / "statuses.jsonl"
    with open(path, "w") as fh:
        for ot, obj, status, t, spaced in sorted(changes, key=lambda c: c[3]):
            r = {"time": t, "object_type": ot, "object": obj, "status": status}
            fh.write((json.dumps(r) if spaced else orjson.dumps(r).decode()) + "\n")
    old, plots.BLOCK = plots.BLOCK, block
    try:
        agents, dns = (plots.StatusEpisodes(t, 0.0, 100.0, max_lanes=2)
                       for t in ("Agent", "RegDN"))
        plots._feed_statuses(str(path), [agents, dns])
    finally:
        plots.BLOCK = old
    for ep in (agents, dns):
        kept, total, data = reference_status_bins(path, ep.object_type, 0.0, 100.0, max_lanes=2)
        assert (ep.kept, ep.total) == (kept, total)
        assert_same_bins(ep.bins.data, data)


@settings(max_examples=60, deadline=None)
@given(st.lists(st.tuples(st.sampled_from("abc"), st.floats(-20, 120), st.floats(0, 60),
                          st.sampled_from([1.0, 1, 2, 0, -1, 0.5])), max_size=80),
       st.integers(1, 60), st.integers(1, 7), st.integers(1, 50))
def test_batched_bins_are_the_scalar_bins(intervals, n, flush, spread):
    """Bins buffers intervals and bins them with numpy, in small batches here: each bin
    still sums its intervals in order, so the arrays are those of one add at a time."""
    b = plots.Bins(10.0, 90.0, n)
    b.FLUSH, b.SPREAD = flush, spread
    ref = ScalarBins(10.0, 90.0, n)
    for key, a, length, weight in intervals:
        b.add(key, a, a + length, weight)
        ref.add(key, a, a + length, weight)
    assert_same_bins(b.data, ref.data)


def test_batched_bins_keep_the_order_of_the_sums():
    """Many intervals of awkward lengths over few bins, binned in batches: every bin sums them
    in the order they came (a sum per batch first would round differently)."""
    rng = np.random.default_rng(7)
    b, ref = plots.Bins(10.0, 90.0, 13), ScalarBins(10.0, 90.0, 13)
    b.FLUSH, b.SPREAD = 37, 101
    for key, a, length, weight in zip(rng.integers(0, 3, 3000), rng.uniform(0, 100, 3000),
                                      rng.exponential(9.0, 3000), rng.integers(-1, 4, 3000),
                                      strict=True):
        b.add(int(key), float(a), float(a + length), int(weight))
        ref.add(int(key), float(a), float(a + length), int(weight))
    assert_same_bins(b.data, ref.data)


def test_callwait_lines_are_found_in_blocks(run_dir, monkeypatch):
    path = run_dir / "actions.jsonl"
    want = [orjson.loads(line) for line in open(path, "rb") if b'"CallWait"' in line]
    for block in (50, 4096):
        monkeypatch.setattr(plots, "BLOCK", block)
        assert list(plots._json_lines_with(str(path), (b'"CallWait"',))) == want


# ------------------------------------------------------------------------------ stats.csv, one pass
NAMES = ["Service_Level", "Service_Level_2", "X_Service_Level", "Service,Level", 'Say "hi"',
         "Total_Calls_Answered"]


def tricky_stats_csv(path, newline="\r\n", last_newline=True):
    """A stats.csv with quoted fields: names with commas, quotes and line breaks (records
    over several lines), a stat type quoted without need or spelled oddly, names that are
    prefixes of one another, invalid and non-numeric values. Fields are quoted as the stats.csv
    writer quotes them (csv.writer would leave a LF unquoted when lines end with a CR)."""
    rows = []
    for i in range(40):
        t = str(1767571200 + 60 * i)
        rows += [
            [t, "Service_Level", "Queue", "7000@SW1", "Today", str(80 + i % 7), "1"],
            [t, "Service_Level_2", "Queue", "7000@SW1", "Today", str(i), "1"],
            [t, "X_Service_Level", "Queue", "7000@SW1", "", str(i), "1"],
            [t, "Service,Level", "Queue", 'q,"1"', "Today", str(i), "1"],
            [t, 'Say "hi"', "Agent", "a\nb", "", str(i), "0" if i % 5 == 0 else "1"],
            [t, "Service_Level", "Agent", "line\r\nbreak,\"x\"", "Today", str(i), "1"],
            [t, "Service_Level", "Agent", "Service_Level", "", "n/a", "1"],
            [t, "Total_Calls_Answered", "GroupAgents", "Sales, West", "", str(i), "1"],
            [t, "Other", "Agent", "Service_Level", "Service_Level", str(i), "1"],
        ]
    header = ["time", "stat_type", "object_type", "object", "time_profile", "value", "valid"]
    text = "".join(",".join(map(csv_field, row)) + newline for row in [header, *rows])
    # a stat type quoted without need, and one that the csv module reads as Service_Level
    text += f'1767574000,"Service_Level",Queue,7000@SW1,Today,99,1{newline}'
    text += f'1767574001,"Service"_Level,Queue,7001@SW1,Today,98,1{newline}'
    text += f"1767574002,Service_Level,Queue,7002@SW1,Today,97,1{newline}"
    if not last_newline:
        text = text[:-len(newline)]
    with open(path, "w", newline="") as fh:
        fh.write(text)
    return path


@pytest.mark.parametrize("newline", ["\r\n", "\n", "\r"])
@pytest.mark.parametrize("block", [7, 100, 1 << 20])
def test_stat_series_data_is_a_full_parse(tmp_path, monkeypatch, newline, block):
    path = str(tricky_stats_csv(tmp_path / "stats.csv", newline, last_newline=block != 100))
    monkeypatch.setattr(plots, "BLOCK", block)
    data = plots.stat_series_data(path, NAMES + ["No_Such_Stat"])
    assert list(data) == NAMES + ["No_Such_Stat"] and data["No_Such_Stat"] == {}
    for name in NAMES:
        assert_same_series(data[name], reference_stat_series(path, name))
    sl = data["Service_Level"]
    assert ("Queue", "7001@SW1", "Today") in sl                # the odd spelling
    assert ("Agent", "line\r\nbreak,\"x\"", "Today") in sl     # over two lines
    assert len(sl[("Queue", "7000@SW1", "Today")][0]) == 41    # and the needless quotes


def test_stat_series_data_on_a_run(run_dir):
    """Names that are prefixes of others (Total_Calls_Answered, ..._In_Threshold)."""
    path = str(run_dir / "stats.csv")
    names = ["Total_Calls_Answered", "Total_Calls_Answered_In_Threshold", "Service_Level",
             "CurrNumberWaitingCalls"]
    data = plots.stat_series_data(path, names)
    for name in names:
        assert_same_series(data[name], reference_stat_series(path, name))
    assert data["Total_Calls_Answered"]
    figure = plots.stat_figure(path, "Total_Calls_Answered", data["Total_Calls_Answered"])
    assert png(figure) == png(plots.stat_series(path, "Total_Calls_Answered"))


def test_stat_series_filters_as_before(run_dir):
    path = str(run_dir / "stats.csv")
    data = plots.stat_series_data(path, ["Total_Calls_Answered"], objects=AGENTS[:2],
                                  object_types=["Agent"], time_profile="Default", max_points=1)
    want = {k: v for k, v in reference_stat_series(path, "Total_Calls_Answered", 1).items()
            if k[0] == "Agent" and k[1] in AGENTS[:2] and k[2] == "Default"}
    assert want and list(data["Total_Calls_Answered"]) == list(want)
    assert_same_series(data["Total_Calls_Answered"], want)


@settings(max_examples=150, deadline=None)
@given(st.text(st.sampled_from('ab,"\r\nS'), max_size=120), st.integers(1, 30))
@example('1,S,a"b,"x\r\ny,z\r\nw",1,1\r\n2,a\r\n', 8)     # a stray quote, then a quoted field
@example('1,S,"a"b,"x\r\ny,z\r\nw",1,1\r\n2,a\r\n', 8)    # text after a closing quote
@example('1,S,"x\r\n\r\n\r\n\r\ny\r\nS",1,1\r\n', 3)       # a record over blocks
@example("1,S\r\n2,S\r3,S\n4,S", 1000)                          # short rows, every line end
def test_csv_candidates_never_drop_a_row(tmp_path_factory, body, block):
    """Any text, well-formed CSV or not: the rows the csv module reads from the candidate
    lines are all the rows of a wanted stat type that it reads from the whole file."""
    path = tmp_path_factory.mktemp("csv") / "stats.csv"
    header = ["time", "stat_type", "object_type", "object", "time_profile", "value", "valid"]
    path.write_bytes((",".join(header) + "\r\n" + body).encode())
    names = ["S", "Sa", "a,b", 'b"a', "\n"]
    with open(path, newline="") as fh:
        want = [r for r in csv.DictReader(fh) if r["stat_type"] in names]
    old, plots.BLOCK = plots.BLOCK, block
    try:
        with open(path, newline="") as fh:
            head = next(csv.reader(fh))
            rows = csv.DictReader(plots._csv_candidates(fh, head, names), fieldnames=head)
            got = [r for r in rows if r["stat_type"] in names]
    finally:
        plots.BLOCK = old
    assert got == want


@settings(max_examples=300, deadline=None)
@given(st.text(st.sampled_from('ab,"'), max_size=12), st.sampled_from(["\r\n", "\n", "\r", ""]),
       st.booleans())
def test_open_quote_is_the_csv_modules(text, end, inside):
    """A line ends inside a quoted field exactly when the csv module reads on into the next
    line (non-strict reading: stray quotes, text after a closing quote)."""
    line = text + end
    lines = ['"\r\n', line, "Z\r\n"] if inside else [line, "Z\r\n"]
    runs_on = list(csv.reader(lines))[-1] != ["Z"]
    assert bool(plots._OPEN_QUOTE.fullmatch('"' + line if inside else line)) == runs_on


def test_write_run_plots_draws_the_per_plot_figures(run_dir):
    paths = {Path(p).name: p for p in plots.write_run_plots(str(run_dir))}
    statuses, span = str(run_dir / "statuses.jsonl"), plots.run_span(str(run_dir))
    want = {
        "agent_states.png": plots.state_timeline(statuses, "Agent", span=span),
        "dn_states.png": plots.state_timeline(statuses, "RegDN", span=span),
        "agents_per_status.png": plots.agents_per_status(statuses, "Agent", span=span),
        "calls_waiting.png": plots.calls_waiting(str(run_dir / "actions.jsonl"), span=span),
    }
    for name in plots.DEFAULT_STATS:
        try:
            want[f"stat_{name}.png"] = plots.stat_series(str(run_dir / "stats.csv"), name)
        except ValueError:
            pass
    assert set(want) <= set(paths)
    for name, fig in want.items():
        assert Path(paths[name]).read_bytes() == png(fig), name


# ------------------------------------------------------------------------------ sim run: records fed
def assert_same_bins_data(got: dict, want: dict) -> None:
    assert list(got) == list(want)
    for key in want:
        assert np.array_equal(got[key], want[key]), key


@pytest.mark.parametrize("scenario,sets", [("blended.toml", []), ("faults.toml", [])])
def test_run_feed_is_what_the_files_give(tmp_path, scenario, sets):
    """``sim run`` bins the status and CallWait records as the pipeline makes them
    (binning.RunFeed) instead of reading statuses.jsonl and actions.jsonl back: the same
    episodes, lanes, peaks and bins to the last bit. A spill every 37 intervals takes the
    temporary-file path many times over."""
    from sim.report.binning import RunFeed

    sc = load_scenario(str(Path(QUICKSTART).parent / scenario), sets)
    feed = RunFeed(str(tmp_path))
    for part in (feed.agents.bins, feed.dns.bins, feed.waiting.bins):
        part.FLUSH = part.SPILL = 37
    simulate(sc, str(tmp_path), plot_feed=feed)
    span = plots.run_span(str(tmp_path))
    agents, dns, waiting = feed.over(*span)
    assert list(tmp_path.glob("tmp*")) == []           # the spill files are gone
    file_agents = plots.StatusEpisodes("Agent", *span)
    file_dns = plots.StatusEpisodes("RegDN", *span)
    plots._feed_statuses(str(tmp_path / "statuses.jsonl"), [file_agents, file_dns])
    for fed, read in ((agents, file_agents), (dns, file_dns)):
        assert fed.kept == read.kept and fed.total == read.total > 0
        assert (fed.t0, fed.t1) == (read.t0, read.t1)
        assert_same_bins_data(fed.bins.data, read.bins.data)
    read_waiting = plots.CallsWaiting(*span)
    read_waiting.feed_all(plots._json_lines_with(str(tmp_path / "actions.jsonl"), (b'"CallWait"',)))
    assert waiting.types == read_waiting.types and waiting.peak == read_waiting.peak
    assert waiting.types
    assert_same_bins_data(waiting.bins.data, read_waiting.bins.data)


def test_sim_run_plots_are_sim_plot_plots(tmp_path):
    """The PNGs ``sim run`` writes from its records are byte for byte those ``sim plot``
    draws from the files afterwards."""
    out = tmp_path / "run"
    assert main(["run", str(Path(QUICKSTART).parent / "blended.toml"), "--out", str(out)]) == 0
    written = {p.name: p.read_bytes() for p in (out / "plots").glob("*.png")}
    assert {"agent_states.png", "dn_states.png", "agents_per_status.png", "calls_waiting.png"} <= set(written)
    for p in (out / "plots").glob("*.png"):
        p.unlink()
    assert main(["plot", str(out)]) == 0
    assert {p.name: p.read_bytes() for p in (out / "plots").glob("*.png")} == written


# ------------------------------------------------------------------------------ the Parquet store
PARQUET_STATS = ["CurrNumberWaitingCalls", "Service_Level", "CallsAnswered", "Abandon_Rate",
                 "CurrNumberWaitStatuses", "Average_Handle_Time"]


@pytest.fixture(scope="module")
def both_stores(tmp_path_factory):
    """blended (1 hour) run by ``sim run`` once per store: (the jsonl folder, the Parquet one)."""
    base = tmp_path_factory.mktemp("stores")
    scenario = str(Path(QUICKSTART).parent / "blended.toml")
    for store in ("jsonl", "parquet"):
        assert main(["run", scenario, "--out", str(base / store), "--store", store,
                     "--set", "run.horizon=3600"]) == 0
    return base / "jsonl", base / "parquet"


def pngs(folder: Path) -> dict[str, bytes]:
    return {p.name: p.read_bytes() for p in sorted((folder / "plots").glob("*.png"))}


def test_sim_run_parquet_plots_are_the_jsonl_plots(both_stores):
    """``sim run --store parquet`` writes every plot, byte for byte the JSON-lines run's."""
    jsonl, parquet = both_stores
    assert {p.name for p in parquet.glob("*.jsonl")} <= {"events.jsonl"}    # the trace only
    assert (parquet / "statuses.parquet").exists() and not (parquet / "stats.csv").exists()
    want = pngs(jsonl)
    assert {"agent_states.png", "dn_states.png", "agents_per_status.png", "calls_waiting.png",
            "intraday.png", "stat_Service_Level.png", "stat_CurrNumberWaitingCalls.png"} <= set(want)
    assert pngs(parquet) == want


def test_sim_plot_reads_a_parquet_folder_as_a_jsonl_one(both_stores, tmp_path):
    """``sim plot`` (no run feed: every table read back) on each folder, with more stat types
    (cumulative, current, percentages): the same PNGs. The Parquet tables rewritten with row
    groups of 7 rows are read a row group at a time and still give the same PNGs."""
    import shutil

    import pyarrow.parquet as pq
    args = [a for name in PARQUET_STATS for a in ("--stat", name)]
    copies = {}
    for d in both_stores:
        copies[d.name] = shutil.copytree(d, tmp_path / d.name, ignore=shutil.ignore_patterns("plots"))
        assert main(["plot", str(copies[d.name]), *args]) == 0
    want = pngs(copies["jsonl"])
    assert len(want) == 5 + len(PARQUET_STATS)
    assert pngs(copies["parquet"]) == want
    small = copies["parquet"]
    for name in ("statuses", "actions", "stats", "calls", "truth"):
        p = small / f"{name}.parquet"
        table = pq.read_table(p)
        pq.write_table(table, p, row_group_size=7)
        assert pq.ParquetFile(p).num_row_groups > 1
    shutil.rmtree(small / "plots")
    assert main(["plot", str(small), *args]) == 0
    assert pngs(small) == want


def test_parquet_series_and_spans_are_the_text_ones(both_stores):
    jsonl, parquet = both_stores
    assert plots._edge_times(str(parquet / "statuses.parquet")) == plots._edge_times(str(jsonl / "statuses.jsonl"))
    got = plots.stat_series_data(str(parquet / "stats.parquet"), PARQUET_STATS)
    want = plots.stat_series_data(str(jsonl / "stats.csv"), PARQUET_STATS)
    assert all(got[n] for n in PARQUET_STATS)
    for name in PARQUET_STATS:
        assert_same_series(got[name], want[name])
    filtered = {"objects": ["7000@SW1"], "time_profile": "Default"}
    assert_same_series(
        plots.stat_series_data(str(parquet / "stats.parquet"), ["Service_Level"], **filtered)["Service_Level"],
        plots.stat_series_data(str(jsonl / "stats.csv"), ["Service_Level"], **filtered)["Service_Level"])
    assert plots.intraday_table(str(parquet)) == plots.intraday_table(str(jsonl))


def test_sim_run_api_with_parquet_writes_the_plots(tmp_path):
    import sim
    run = sim.run(str(Path(QUICKSTART)), tmp_path / "api", store="parquet", plots=True,
                  run={"horizon": 900})
    assert run.format == "parquet"
    assert {"agent_states.png", "calls_waiting.png", "intraday.png"} <= set(pngs(tmp_path / "api"))


def test_sim_plot_of_a_parquet_replay_is_the_jsonl_replays(both_stores, tmp_path):
    """A replay has no summary.json: the span comes from the first and last status rows."""
    jsonl, _ = both_stores
    for store in ("jsonl", "parquet"):
        assert main(["replay", str(jsonl / "events.jsonl"), "--objects", str(jsonl / "objects.toml"),
                     "--out", str(tmp_path / store), "--store", store]) == 0
        assert not (tmp_path / store / "summary.json").exists()
        assert main(["plot", str(tmp_path / store)]) == 0
    assert plots.run_span(str(tmp_path / "parquet")) == plots.run_span(str(tmp_path / "jsonl"))
    want = pngs(tmp_path / "jsonl")
    assert {"agent_states.png", "calls_waiting.png", "stat_Service_Level.png"} <= set(want)
    assert pngs(tmp_path / "parquet") == want
