"""Plots of a run's output folder (matplotlib; PNG files).

Each plot function reads what ``sim run`` writes (docs/reference/contracts.md §5) and returns the
:class:`~matplotlib.figure.Figure`, so tests and notebooks can inspect titles, axis labels and
series; :func:`write_run_plots` saves them all into ``DIR/plots/``.

* :func:`state_timeline` - one lane per agent (or DN), colored by status (statuses.jsonl);
* :func:`agents_per_status` - how many agents are in each status over time (statuses.jsonl);
* :func:`calls_waiting` - calls waiting per mediation DN over time (CallWait in actions.jsonl);
* :func:`intraday` - offered / answered / abandoned and service level per interval
  (calls.csv, summary.json, truth.csv);
* :func:`stat_series` - any stat type's values over time (stats.csv).

Figures are built with matplotlib's object API (``Figure``, never ``pyplot``): no global
backend or figure registry is touched, PNGs are rendered by Agg, and importing this module in
a notebook leaves the notebook's own backend alone.

Files are streamed in blocks and time is binned (:data:`BINS` bins over the run), so memory
does not grow with the length of the run; a time-binned value is the time average over its
bin. Only the lines a plot can use are parsed: a block is searched for what such a line must
hold (the object type as a JSON string, the stat type as a CSV field) and the lines found are
parsed and checked as before, so the search never drops a line a full parse would keep.
:func:`write_run_plots` reads each file once: :func:`status_figures` draws the three status
plots from one pass over statuses.jsonl, :func:`stat_series_data` collects every stat type
plotted in one pass over stats.csv. ``sim run`` hands it the status and CallWait records as the
run made them (:class:`~sim.report.binning.RunFeed`) and statuses.jsonl and actions.jsonl are
not read back. The per-line work is compiled (:mod:`sim.report.binning`).

A run stored as Parquet (``sim run --store parquet``) is read from its .parquet files instead,
through the run store's schema (:mod:`sim.runstore.schema`): only the columns a plot uses, a
row group at a time, the rows it cannot use filtered out in Arrow; the same values in the
same order, so the same PNGs (tests/test_plots.py).

Colors follow one fixed palette per status, and legends list the statuses in the priority
order of docs/reference/actions.md §8.2 (``sim.statserver.rules.AGENT_PRIORITY``).
"""

from __future__ import annotations

import csv
import functools
import io
import math
import os
import re
from collections.abc import Iterable, Iterator
from datetime import UTC, datetime
from typing import Any

import numpy as np
import orjson
from matplotlib.colors import to_rgba_array
from matplotlib.figure import Figure
from matplotlib.lines import Line2D
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter, MaxNLocator, MultipleLocator

from sim.report.binning import (  # noqa: F401
    BINS,
    BLOCK,
    MAX_LANES,
    Bins,
    CallsWaiting,
    RunFeed,
    StatusEpisodes,
    blocks,
    feed_statuses,
    json_lines_with,
)
from sim.report.run_folder import (
    RunFolderError,
    action_problem,
    bad,
    check_complete,
    check_csv_tail,
    check_tail,
    csv_rows,
    is_parquet,
    number,
    parquet_batches,
    parquet_edge_times,
    read_summary,
    reading_json_lines,
    reading_parquet,
    reading_stats,
    status_problem,
    table_path,
    time_problem,
)
from sim.runstore.schema import ACTIONS, CALLS, STATS, STATUSES, TRUTH
from sim.statserver.rules import AGENT_PRIORITY

MAX_LINES = 12         # lines of a time-series plot
DPI = 110

# One color per status, the same in every plot (call statuses blue-ish, agent states
# green / red / amber, no monitoring grey).
STATUS_COLORS = {
    "NotMonitored": "#4d4d4d", "Monitored": "#9e9e9e", "LoggedIn": "#c7c7c7", "OnHook": "#dcdcdc",
    "WaitForNextCall": "#4caf50", "OffHook": "#b39ddb", "CallDialing": "#ce93d8",
    "CallRinging": "#81d4fa", "NotReadyForNextCall": "#e53935", "AfterCallWork": "#ffb300",
    "CallOnHold": "#8d6e63", "CallUnknown": "#78909c", "CallConsult": "#00897b",
    "CallInternal": "#26a69a", "CallOutbound": "#7e57c2", "CallInbound": "#1e88e5",
    "LoggedOut": "#f2f2f2",
}


def status_color(status: str) -> str:
    return STATUS_COLORS.get(status, "#000000")


def _priority_order(statuses: Iterable[str]) -> list[str]:
    rank = {s: i for i, s in enumerate(AGENT_PRIORITY)}
    return sorted(statuses, key=lambda s: (rank.get(s, len(rank)), s))


# ------------------------------------------------------------------------------ reading
def _is_path(source: Any) -> bool:
    return isinstance(source, (str, os.PathLike))


def _records(source) -> Iterator[dict]:
    """Dicts from a JSON-lines file (streamed) or from records / dicts in memory."""
    if _is_path(source):
        with open(source, "rb") as fh:
            for line in fh:
                if line.strip():
                    yield orjson.loads(line)
        return
    for r in source:
        yield r if isinstance(r, dict) else r.to_dict()


def _json_lines_with(path, needles: tuple[bytes, ...]) -> Iterator[dict]:
    """The lines of a JSON-lines file that hold any of ``needles``, parsed, in file order
    (:func:`~sim.report.binning.json_lines_with`, :data:`BLOCK` bytes at a time)."""
    return json_lines_with(path, needles, BLOCK)


def _edge_times(path) -> tuple[float, float] | None:
    """Time of the first and the last line of a JSON-lines file (reads two lines), or of the
    first and the last row of a Parquet file."""
    if is_parquet(path):
        return parquet_edge_times(str(path))
    check_tail(str(path), time_problem)
    return reading_json_lines(str(path), time_problem, lambda: _read_edge_times(path))


def _read_edge_times(path) -> tuple[float, float] | None:
    with open(path, "rb") as fh:
        first = fh.readline()
        if not first.strip():
            return None
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        fh.seek(max(0, size - 65536))
        tail = [ln for ln in fh.read().splitlines() if ln.strip()]
    return float(orjson.loads(first)["time"]), float(orjson.loads(tail[-1])["time"])


def _arrow() -> tuple[Any, Any]:
    """pyarrow and pyarrow.compute, imported when a Parquet file is read (a JSON-lines run
    does not pay for them)."""
    import pyarrow as pa
    import pyarrow.compute as pc
    return pa, pc


def _parquet_records(path: str, columns: tuple[str, ...], keep: Any) -> Iterator[dict]:
    """The rows of a Parquet table (dicts of ``columns``) that ``keep`` (a batch -> a boolean
    mask) selects, in file order, a row group at a time: the rows a JSON-lines pass would
    parse, the others never leaving Arrow."""
    for batch in parquet_batches(path, columns):
        yield from batch.filter(keep(batch)).to_pylist()


def _span(source, span) -> tuple[list | Any, float, float]:
    """The time span to bin over: given, from the file's first and last lines, or from the
    records in memory (materialized once)."""
    if span is not None:
        return source, float(span[0]), float(span[1])
    if _is_path(source):
        edges = _edge_times(source)
        if edges is None:
            return source, 0.0, 1.0
        return source, edges[0], edges[1]
    items = list(source)
    times = [(r["time"] if isinstance(r, dict) else r.time) for r in items]
    if not times:
        return items, 0.0, 1.0
    return items, min(times), max(times)


def run_span(run_dir: str) -> tuple[float, float] | None:
    """Start and end of a run (epoch seconds) from summary.json, else from its statuses
    (statuses.parquet or statuses.jsonl)."""
    summary = _summary(run_dir)
    if summary and "epoch" in summary and "end_time" in summary:
        t0 = datetime.fromisoformat(summary["epoch"].replace("Z", "+00:00")).timestamp()
        return t0, t0 + float(summary["end_time"])
    p = table_path(run_dir, STATUSES)
    return _edge_times(p) if p is not None else None


def _summary(run_dir: str) -> dict | None:
    """summary.json, its keys checked (:func:`~sim.report.run_folder.read_summary`), or None."""
    p = os.path.join(run_dir, "summary.json")
    if not os.path.exists(p):
        return None
    return read_summary(p)


# ------------------------------------------------------------------------------ time axis
_STEPS_S = (1, 2, 5, 10, 15, 30, 60, 120, 300, 600, 900, 1800, 3600, 7200, 10800, 21600,
            43200, 86400)


def _hours(t: float | np.ndarray, day0: float):
    return (np.asarray(t) - day0) / 3600.0


def _day0(t0: float) -> float:
    d = datetime.fromtimestamp(t0, UTC)
    return d.replace(hour=0, minute=0, second=0, microsecond=0).timestamp()


def _time_axis(ax, t0: float, t1: float, day0: float, label: str = "time (UTC)") -> None:
    """x in hours since the run's midnight, ticks as HH:MM (HH:MM:SS for short spans, ``+1d``
    past the first day)."""
    seconds = max(t1 - t0, 1.0)
    step = next((s for s in _STEPS_S if seconds / s <= 10), _STEPS_S[-1])
    ax.xaxis.set_major_locator(MultipleLocator(step / 3600.0))

    def fmt(x, _pos):
        total = int(round(x * 3600))
        d, rem = divmod(total, 86400)
        s = f"{rem // 3600:02d}:{rem // 60 % 60:02d}"
        if step < 60:
            s += f":{rem % 60:02d}"
        return s if d == 0 else f"{s}{d:+d}d"
    ax.xaxis.set_major_formatter(FuncFormatter(fmt))
    if t1 <= t0:
        t1 = t0 + 1.0                # a run of zero length: still a readable axis
    ax.set_xlim(_hours(t0, day0), _hours(t1, day0))
    ax.set_xlabel(label)


def _figure(width: float = 10.0, height: float = 4.5) -> tuple[Figure, Any]:
    fig = Figure(figsize=(width, height), dpi=DPI, layout="constrained")
    return fig, fig.add_subplot()


# ------------------------------------------------------------------------------ statuses
def _feed_statuses(source, episodes: list[StatusEpisodes]) -> None:
    """One pass over ``source`` feeding each status change to the accumulators of its object
    type, then closing them."""
    def read() -> None:
        feed_statuses(_status_records(source, {e.object_type for e in episodes}), episodes)
    if not _is_path(source):
        return read()
    if is_parquet(source):
        with reading_parquet(str(source)):
            return read()
    check_tail(str(source), status_problem)
    reading_json_lines(str(source), status_problem, read)


def _status_records(source, object_types: Iterable[str]) -> Iterator[dict]:
    """Status records from a statuses.jsonl path or from memory; from a file only the lines
    that can be of one of ``object_types`` are parsed: those holding the type as a JSON string
    (whatever the spacing around it), or any backslash (an escaped string may spell it)."""
    if not _is_path(source):
        return _records(source)
    if is_parquet(source):
        pa, pc = _arrow()
        types = sorted(object_types)
        return _parquet_records(str(source), ("time", "object_type", "object", "status"),
                                lambda b: pc.and_(pc.is_in(b["object_type"], value_set=pa.array(types)),
                                                  pc.is_valid(b["status"])))
    return _json_lines_with(source, (*(orjson.dumps(t) for t in sorted(object_types)), b"\\"))


def state_timeline(statuses, object_type: str = "Agent", *, span=None, lanes=None,
                   max_lanes: int = MAX_LANES, title: str | None = None) -> Figure:
    """One lane per object of ``object_type`` (``Agent``, ``Place``, ``RegDN``, ``Queue``),
    colored by its status over time; each of the :data:`BINS` time bins shows the status that
    held longest in it (one image, so the cost does not grow with the number of changes).

    ``statuses``: a statuses.jsonl path or StatusChange records / dicts."""
    source, t0, t1 = _span(statuses, span)
    ep = StatusEpisodes(object_type, t0, t1, lanes, max_lanes)
    _feed_statuses(source, [ep])
    return _timeline_figure(ep, title)


def agents_per_status(statuses, object_type: str = "Agent", *, span=None,
                      title: str | None = None) -> Figure:
    """How many agents (or places, DNs) are in each status over time: a stacked area of
    time averages per bin, statuses stacked in priority order (lowest at the bottom)."""
    source, t0, t1 = _span(statuses, span)
    ep = StatusEpisodes(object_type, t0, t1, [], 0)
    _feed_statuses(source, [ep])
    return _per_status_figure(ep, title)


def status_figures(statuses, *, span=None) -> dict[str, Figure]:
    """The status plots of a run from one pass over ``statuses``: ``agent_states`` and
    ``dn_states`` (:func:`state_timeline` of Agent and RegDN) and ``agents_per_status``
    (:func:`agents_per_status`), each the figure those functions draw."""
    source, t0, t1 = _span(statuses, span)
    agents = StatusEpisodes("Agent", t0, t1)
    dns = StatusEpisodes("RegDN", t0, t1)
    _feed_statuses(source, [agents, dns])
    return _status_figures(agents, dns)


def _status_figures(agents: StatusEpisodes, dns: StatusEpisodes) -> dict[str, Figure]:
    # the totals do not depend on the lanes kept: the agent timeline's serve both plots
    return {"agent_states": _timeline_figure(agents), "dn_states": _timeline_figure(dns),
            "agents_per_status": _per_status_figure(agents)}


def _timeline_figure(ep: StatusEpisodes, title: str | None = None) -> Figure:
    bins, kept, t0, t1 = ep.bins, ep.kept, ep.t0, ep.t1
    day0 = _day0(t0)
    fig, ax = _figure(10.0, max(2.5, 1.2 + 0.32 * max(len(kept), 1)))
    present = _priority_order({s for (lane, s) in bins.data if lane is not None})
    # status index of the longest-held status per (lane, bin); -1 where the lane has nothing
    grid = np.full((max(len(kept), 1), bins.n), -1, dtype=int)
    for y, lane in enumerate(kept):
        stack = [bins.data.get((lane, s)) for s in present]
        if not any(a is not None for a in stack):
            continue
        mat = np.vstack([a if a is not None else np.zeros(bins.n) for a in stack])
        grid[y] = np.where(mat.max(axis=0) > 0, mat.argmax(axis=0), -1)
    labelled = [s for i, s in enumerate(present) if (grid == i).any()]
    if present:
        # an RGBA image of bytes (transparent where a lane has nothing): Agg resamples it as
        # is, where a colormapped masked grid would cost float copies of the whole canvas
        palette = np.vstack([to_rgba_array([status_color(s) for s in present]), [(0, 0, 0, 0)]])
        rgba = (palette[grid] * 255).round().astype(np.uint8)     # grid -1 -> last row
        ax.imshow(rgba, aspect="auto", interpolation="nearest", origin="upper",
                  extent=(_hours(t0, day0), _hours(t1, day0), len(kept) - 0.5, -0.5))
    for y in range(len(kept) - 1):
        ax.axhline(y + 0.5, color="white", linewidth=3)
    ax.set_yticks(range(len(kept)), kept)
    ax.set_ylim(max(len(kept), 1) - 0.5, -0.5)       # (no lane: still one empty row)
    object_type = ep.object_type
    what = {"Agent": "agent", "Place": "place", "RegDN": "DN", "Queue": "queue"}.get(object_type, object_type)
    ax.set_ylabel(what)
    _time_axis(ax, t0, t1, day0)
    more = f" (first {len(kept)} of {ep.total})" if ep.total > len(kept) else ""
    ax.set_title(title or f"{what[0].upper() + what[1:]} status over time{more}")
    handles = [Rectangle((0, 0), 1, 1, color=status_color(s)) for s in labelled]
    ax.legend(handles, labelled, loc="upper left",
              bbox_to_anchor=(1.01, 1.0), fontsize="small", title="status (low → high priority)",
              title_fontsize="small", frameon=False)
    return fig


def _per_status_figure(ep: StatusEpisodes, title: str | None = None) -> Figure:
    bins, t0, t1 = ep.bins, ep.t0, ep.t1
    day0 = _day0(t0)
    present = _priority_order({s for (lane, s) in bins.data if lane is None})
    fig, ax = _figure()
    x = _hours(bins.centers(), day0)
    ys = [bins.data[(None, s)] / bins.width for s in present]
    if ys:
        ax.stackplot(x, *ys, labels=present, colors=[status_color(s) for s in present],
                     step="mid", linewidth=0)
        h, lab = ax.get_legend_handles_labels()
        ax.legend(h[::-1], lab[::-1], loc="upper left", bbox_to_anchor=(1.01, 1.0),
                  fontsize="small", frameon=False, title="status", title_fontsize="small")
    object_type = ep.object_type
    what = {"Agent": "agents", "Place": "places", "RegDN": "DNs"}.get(object_type, object_type)
    ax.set_ylabel(f"{what} (time average per {duration_text(bins.width)} bin)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(bottom=0)
    _time_axis(ax, t0, t1, day0)
    ax.set_title(title or f"{what.capitalize()} per status")
    return fig


# ------------------------------------------------------------------------------ calls waiting
def calls_waiting(actions, *, span=None, max_lines: int = MAX_LINES,
                  title: str | None = None) -> Figure:
    """Calls waiting on each mediation DN (ACD queue, routing point, virtual queue) over time:
    the number of running CallWait actions (docs/reference/actions.md §5.2), time-averaged per bin."""
    waiting = _read_waiting(actions, span)
    return _calls_waiting_figure(waiting, waiting.bins.t0, waiting.bins.t1, max_lines, title)


def _read_waiting(actions, span=None) -> CallsWaiting:
    """The calls waiting of an actions.jsonl path or of records in memory, binned over ``span``."""
    source, t0, t1 = _span(actions, span)
    waiting = CallsWaiting(t0, t1)
    if is_parquet(source):
        _, pc = _arrow()
        with reading_parquet(str(source)):
            waiting.feed_all(_parquet_records(
                str(source), ("time", "action", "kind", "object_type", "object"),
                lambda b: pc.equal(b["action"], "CallWait")))
    elif _is_path(source):
        check_tail(str(source), action_problem)
        reading_json_lines(str(source), action_problem,
                           lambda: waiting.feed_all(_json_lines_with(source, (b'"CallWait"',))))
    else:
        waiting.feed_all(_records(source))
    return waiting


def _calls_waiting_figure(waiting: CallsWaiting, t0: float, t1: float, max_lines: int = MAX_LINES,
                          title: str | None = None) -> Figure:
    bins, types, peak = waiting.bins, waiting.types, waiting.peak
    day0 = _day0(t0)
    fig, ax = _figure()
    x = _hours(bins.centers(), day0)
    shown = sorted(types, key=lambda o: (-float(bins.data[o].sum()) if o in bins.data else 0.0, o))
    for obj in shown[:max_lines]:
        y = bins.data.get(obj, np.zeros(bins.n)) / bins.width
        ax.plot(x, y, drawstyle="steps-mid", label=f"{obj} ({types[obj]}, peak {peak[obj]})")
    if shown:       # beside the axes: a legend inside would hide the peaks
        ax.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small", frameon=False)
    ax.set_ylabel(f"calls waiting (time average per {duration_text(bins.width)} bin)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    ax.set_ylim(0, max([1.0, *(float(bins.data[o].max()) / bins.width for o in shown[:max_lines]
                                if o in bins.data)]) * 1.05)
    _time_axis(ax, t0, t1, day0)
    more = f" (top {max_lines} of {len(shown)} DNs)" if len(shown) > max_lines else ""
    ax.set_title(title or f"Calls waiting per mediation DN{more}")
    return fig


# ------------------------------------------------------------------------------ intraday
def _interval_length(run_dir: str, default: float = 900.0) -> float:
    """The reporting interval of the run: the spacing of truth.csv's (or truth.parquet's)
    interval starts."""
    p = table_path(run_dir, TRUTH)
    if p is None:
        return default
    if not is_parquet(p):
        check_csv_tail(p)
    starts: set[float] = set()
    for n, (start,) in table_rows(p, ("interval_start",)):
        starts.add(number(p, n, start, "interval_start"))
        if len(starts) > 50:
            break
    s = sorted(starts)
    gaps = [b - a for a, b in zip(s, s[1:], strict=False) if b > a]
    return min(gaps) if gaps else default


MAX_INTERVALS = 96     # intervals of an intraday plot (a day of 15-minute intervals); more are merged


def duration_text(seconds: float) -> str:
    """``15 min``, ``1 h``, ``30 s``, ``90 s``: a bin or interval length as an axis says it."""
    if seconds >= 3600 and seconds % 3600 == 0:
        return f"{seconds / 3600:g} h"
    if seconds >= 60 and seconds % 60 == 0:
        return f"{seconds / 60:g} min"
    if seconds == int(seconds):
        return f"{seconds:g} s"
    return f"{seconds:.0f} s" if seconds >= 10 else f"{seconds:.2g} s"     # a bin: 173 s, 3.7 s


def merged_interval(interval: float, count: int, max_intervals: int = MAX_INTERVALS) -> float:
    """The length of the bars of ``count`` intervals of ``interval`` seconds: the interval
    itself when they are at most ``max_intervals``, else the shortest clock step (1 s, ...,
    15 min, 1 h, ...) that is a whole number of intervals and leaves at most that many bars."""
    if count <= max_intervals:
        return interval
    need = interval * count / max_intervals
    for step in _STEPS_S:
        ratio = step / interval
        if step >= need and abs(ratio - round(ratio)) < 1e-9:
            return float(step)
    return interval * math.ceil(count / max_intervals)


def intraday_table(run_dir: str, interval: float | None = None, threshold: float | None = None,
                   max_intervals: int | None = None) -> dict[str, Any]:
    """Per interval: offered, answered, abandoned and service level (answered within the
    threshold / offered, docs/reference/capacity-references.md §5.1 SL_offered), from calls.csv; an interval
    holds the calls that arrived in it. With ``max_intervals``, more intervals than that are
    merged (:func:`merged_interval`): ``interval`` is then the merged length and ``merged_from``
    the reporting interval (equal when nothing was merged)."""
    summary = _summary(run_dir) or {}
    if interval is None:
        interval = _interval_length(run_dir)
    if threshold is None:
        threshold = float((summary.get("sl_thresholds") or [20.0])[0])
    offered: dict[int, int] = {}
    answered: dict[int, int] = {}
    abandoned: dict[int, int] = {}
    within: dict[int, int] = {}
    p = table_path(run_dir, CALLS) or os.path.join(run_dir, CALLS.text)
    for n, (arrival, outcome, wait) in table_rows(p, ("arrival", "outcome", "wait")):
        outcome = outcome or ""                  # (None: missing in a Parquet file)
        try:
            k = int(float(arrival) // interval)
        except (TypeError, ValueError, OverflowError):      # not a number, NaN, infinite
            raise bad(p, f"arrival: expected a number, got {arrival!r}", n) from None
        if k < 0:
            raise bad(p, f"arrival: expected seconds since the run start, got {arrival!r}", n)
        offered[k] = offered.get(k, 0) + 1
        if outcome == "answered":
            answered[k] = answered.get(k, 0) + 1
            if number(p, n, wait, "wait") <= threshold:
                within[k] = within.get(k, 0) + 1
        elif outcome.startswith("abandoned"):
            abandoned[k] = abandoned.get(k, 0) + 1
        elif outcome != "unfinished":
            raise bad(p, f"outcome: expected answered, abandoned_queue, abandoned_ringing or "
                         f"unfinished, got {outcome!r}", n)
    count = max(offered) + 1 if offered else 0
    width = merged_interval(interval, count, max_intervals) if max_intervals else interval
    per = max(1, round(width / interval))      # reporting intervals per bar
    tables = [_merge(t, per) for t in (offered, answered, abandoned, within)]
    keys = list(range(0, (count + per - 1) // per))
    off, ans, aban, inside = ([t.get(k, 0) for k in keys] for t in tables)
    return {"interval": interval * per, "merged_from": interval, "threshold": threshold,
            "start": [k * interval * per for k in keys], "offered": off, "answered": ans,
            "abandoned": aban,
            "service_level": [100.0 * w / o if o else math.nan for w, o in zip(inside, off, strict=True)]}


def table_rows(path: str, columns: Iterable[str]) -> Iterator[tuple[int, list]]:
    """(line, the values of ``columns``) of each row of a CSV file (texts) or of a Parquet
    file (values; the row number, from 1, stands for the line)."""
    if not is_parquet(path):
        yield from csv_rows(path, columns)
        return
    columns = list(columns)
    n = 0
    with reading_parquet(path):
        for batch in parquet_batches(path, columns):
            for fields in zip(*(batch.column(c).to_pylist() for c in columns), strict=True):
                n += 1
                yield n, list(fields)


def _merge(counts: dict[int, int], per: int) -> dict[int, int]:
    if per == 1:
        return counts
    out: dict[int, int] = {}
    for k, n in counts.items():
        out[k // per] = out.get(k // per, 0) + n
    return out


def intraday(run_dir: str, *, interval: float | None = None, threshold: float | None = None,
             max_intervals: int = MAX_INTERVALS, title: str | None = None) -> Figure:
    """Offered, answered and abandoned calls per interval (bars) and the service level
    (line, right axis, %), from the run's calls.csv; more than ``max_intervals`` reporting
    intervals are merged into longer bars, and the axis says so."""
    tab = intraday_table(run_dir, interval, threshold, max_intervals)
    summary = _summary(run_dir) or {}
    epoch = summary.get("epoch")
    t0 = datetime.fromisoformat(epoch.replace("Z", "+00:00")).timestamp() if epoch else 0.0
    day0 = _day0(t0)
    iv = tab["interval"]
    fig, ax = _figure()
    starts = np.asarray(tab["start"], dtype=float)
    x = _hours(t0 + starts, day0)
    w = iv / 3600.0 / 3.6
    ax.bar(x + 0.5 * w, tab["offered"], w, label="offered", color="#90a4ae", align="edge")
    ax.bar(x + 1.5 * w, tab["answered"], w, label="answered", color="#1e88e5", align="edge")
    ax.bar(x + 2.5 * w, tab["abandoned"], w, label="abandoned", color="#e53935", align="edge")
    if iv == tab["merged_from"]:
        ax.set_ylabel(f"calls per {duration_text(iv)} interval")
    else:
        ax.set_ylabel(f"calls per {duration_text(iv)} (merged from {duration_text(tab['merged_from'])} intervals)")
    ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    t1 = t0 + (starts[-1] + iv if len(starts) else iv)
    _time_axis(ax, t0, t1, day0, "interval start (UTC)")
    ax.xaxis.set_major_locator(MultipleLocator(iv / 3600.0 * max(1, math.ceil(len(starts) / 12))))
    ax2 = ax.twinx()
    ax2.plot(x + iv / 7200.0, tab["service_level"], color="#2e7d32", marker="o" if len(starts) <= 48 else None,
             label=f"service level ({tab['threshold']:g} s)")
    ax2.set_ylim(0, 105)
    ax2.set_ylabel(f"service level, % answered within {tab['threshold']:g} s of offered")
    h1, l1 = ax.get_legend_handles_labels()
    h2, l2 = ax2.get_legend_handles_labels()
    # the legend sits above the axes, where it cannot cover a bar or the service level
    ax.legend(h1 + h2, l1 + l2, loc="lower left", bbox_to_anchor=(0.0, 1.0), fontsize="small",
              frameon=False, ncols=4, borderaxespad=0.2)
    ax.set_ylim(0, max([1, *tab["offered"]]) * 1.05)
    ax.set_title(title or "Intraday: calls and service level per interval", pad=22)
    return fig


# ------------------------------------------------------------------------------ stats.csv
@functools.cache
def _library() -> Any:
    """The shipped stat type library (what ``sim run`` writes stats.csv with), or None."""
    try:
        from sim.statserver.stats import load_stattypes
        return load_stattypes()
    except ImportError:
        return None


def _stat_type(stat_type: str) -> Any:
    lib = _library()
    try:
        return lib[stat_type] if lib is not None else None
    except KeyError:
        return None


def stat_unit(stat_type: str) -> str:
    """The unit of a stat type's values, from its category in the shipped library."""
    st = _stat_type(stat_type)
    if st is None:
        return "value"
    category = st.category_name
    if "Percentage" in category or category.startswith("ServiceFactor"):
        return "%"
    if category.endswith("PerSecond"):
        return "per second"
    if category.endswith("PerRelativeHour"):
        return "per hour"
    if "Time" in category:
        return "s"
    if "Number" in category:
        return "count"
    return "value"


def is_current(stat_type: str) -> bool:
    """A stat type of a current category (docs/reference/stat-types.md §4.4): its value is what holds at the
    instant it is read, so stats.csv holds it only at the notification times."""
    st = _stat_type(stat_type)
    return st is not None and st.category.kind == "current"


def is_calls_waiting(stat_type: str) -> bool:
    """A current count of the CallWait actions of a DN (CurrNumberWaitingCalls): the calls
    waiting that :class:`~sim.report.binning.CallsWaiting` follows from the action records, so
    its course between notifications is known exactly."""
    st = _stat_type(stat_type)
    if st is None or st.category_name != "CurrentNumber" or st.subject != "DNAction":
        return False
    m = st.main_mask
    # "CallWait" names its family (CallWaitInbound, ...: by CallType); every record counts
    return (not m.star and "CallWait" in m.names and all(n.startswith("CallWait") for n in m.names)
            and not m.excluded and st.filter is None
            and (st.media_types is None or "voice" in st.media_types))


def profile_text(stat_type: str, profile: str) -> str:
    """What a historical value of ``profile`` accumulates: ``cumulative since 00:00`` for a
    Growing profile reset at midnight, ``cumulative, reset every 15 min``, ``over the last
    30 min`` (Sliding), ``over the last 10 calls`` (Selection)."""
    st = _stat_type(stat_type)
    tp = next((p for p in st.time_profiles if p.name == profile), None) if st is not None else None
    if tp is None:
        return f"time profile {profile}" if profile else "value"
    if tp.kind == "Growing":
        resets = sorted(tp.resets)
        if len(resets) == 1:
            r = resets[0]
            return f"cumulative since {r // 3600:02d}:{r // 60 % 60:02d}"
        gaps = {b - a for a, b in zip(resets, resets[1:], strict=False)}
        if len(gaps) == 1:
            return f"cumulative, reset every {duration_text(gaps.pop())}"
        return "cumulative since the last reset"
    if tp.kind == "Sliding":
        return f"over the last {duration_text(tp.length)}"
    if tp.kind == "Selection":
        return f"over the last {tp.count} records"
    return f"cumulative since login ({tp.name})" if tp.kind == "SinceLogin" else tp.kind


def _notify_period(series: Series) -> float | None:
    """The spacing of the notifications of ``series`` (the most common gap of its times)."""
    gaps: dict[float, int] = {}
    for ts, _ in list(series.values())[:20]:
        for a, b in zip(ts[:200], ts[1:200], strict=False):
            if b > a:
                gaps[round(b - a, 3)] = gaps.get(round(b - a, 3), 0) + 1
    return max(gaps, key=lambda g: (gaps[g], -g)) if gaps else None


OBJECT_TYPE_ORDER = ("Tenant", "GroupQueues", "Queue", "RoutePoint", "GroupAgents", "Agent",
                     "GroupPlaces", "Place", "RegDN")


Series = dict[tuple[str, str, str], tuple[list[float], list[float]]]


def stat_series(stats_csv: str, stat_type: str, *, objects: Iterable[str] | None = None,
                object_types: Iterable[str] | None = None, time_profile: str | None = None,
                max_lines: int = MAX_LINES, max_points: int = 2000,
                title: str | None = None) -> Figure:
    """A stat type's values over time from stats.csv (docs/reference/contracts.md §4): one panel per object
    type, one line per object and time profile; invalid values (``valid`` 0) are gaps. Raises
    ValueError when the file has no numeric value of ``stat_type``."""
    data = stat_series_data(stats_csv, [stat_type], objects=objects, object_types=object_types,
                            time_profile=time_profile, max_points=max_points)
    return stat_figure(stats_csv, stat_type, data[stat_type], max_lines=max_lines,
                       max_points=max_points, title=title)


def stat_series_data(stats_csv: str, stat_types: Iterable[str], *,
                     objects: Iterable[str] | None = None,
                     object_types: Iterable[str] | None = None, time_profile: str | None = None,
                     max_points: int = 2000) -> dict[str, Series]:
    """The series :func:`stat_series` draws, for each of ``stat_types`` from one pass over
    stats.csv: (object type, object, time profile) -> (times, values), values not numeric
    left out, invalid ones NaN, a series past ``4 * max_points`` values kept one in four."""
    names = list(stat_types)
    if is_parquet(stats_csv):
        with reading_parquet(str(stats_csv)):
            return _parquet_series_data(str(stats_csv), names, objects, object_types,
                                        time_profile, max_points)
    return reading_stats(stats_csv, names, lambda: _stat_series_data(
        stats_csv, names, objects, object_types, time_profile, max_points))


def _parquet_series_data(path: str, stat_types: list[str], objects: Iterable[str] | None,
                         object_types: Iterable[str] | None, time_profile: str | None,
                         max_points: int) -> dict[str, Series]:
    """:func:`_stat_series_data` of stats.parquet: the same rows in the same order give the
    same series (a missing value is a text in stats.csv, no number: left out in both)."""
    wanted = set(objects) if objects is not None else None
    types_wanted = set(object_types) if object_types is not None else None
    out: dict[str, Series] = {name: {} for name in stat_types}
    pa, pc = _arrow()
    names = pa.array(stat_types, type=pa.string())
    for row in _parquet_records(path, ("time", "stat_type", "object_type", "object", "time_profile",
                                       "value", "valid"),
                                lambda b: pc.is_in(b["stat_type"], value_set=names)):
        series = out[row["stat_type"]]
        prof = row["time_profile"] or ""
        if wanted is not None and row["object"] not in wanted:
            continue
        if types_wanted is not None and row["object_type"] not in types_wanted:
            continue
        if time_profile is not None and prof != time_profile:
            continue
        v = row["value"]
        if v is None:
            continue
        if row["valid"] is False:
            v = math.nan
        ts, vs = series.setdefault((row["object_type"], row["object"], prof), ([], []))
        if len(ts) < 4 * max_points or len(ts) % 4 == 0:   # as _stat_series_data thins
            ts.append(float(row["time"]))
            vs.append(float(v))
    return out


def _stat_series_data(stats_csv: str, stat_types: list[str], objects: Iterable[str] | None,
                      object_types: Iterable[str] | None, time_profile: str | None,
                      max_points: int) -> dict[str, Series]:
    wanted = set(objects) if objects is not None else None
    types_wanted = set(object_types) if object_types is not None else None
    out: dict[str, Series] = {name: {} for name in stat_types}
    with open(stats_csv, newline="", encoding="utf-8") as fh:
        header = next(csv.reader(fh), None)
        if header is None:
            return out
        for row in csv.DictReader(_csv_candidates(fh, header, list(out)), fieldnames=header):
            series = out.get(row["stat_type"])
            if series is None:
                continue
            if None in row or row[header[-1]] is None:       # too many or too few fields
                raise ValueError("a row of the wrong length")
            if wanted is not None and row["object"] not in wanted:
                continue
            if types_wanted is not None and row["object_type"] not in types_wanted:
                continue
            if time_profile is not None and row["time_profile"] != time_profile:
                continue
            try:
                v = float(row["value"])
            except ValueError:
                continue
            if row.get("valid", "1") == "0":
                v = math.nan
            key = (row["object_type"], row["object"], row["time_profile"])
            ts, vs = series.setdefault(key, ([], []))
            if len(ts) < 4 * max_points or len(ts) % 4 == 0:   # thin very long series early
                ts.append(float(row["time"]))
                vs.append(v)
    return out


# A CSV line (excel dialect, as the csv module reads it) that ends inside a quoted field:
# whole fields and their commas, then an opened quote. A quote closes at a lone ", and what
# follows it up to the comma is taken as is (non-strict reading).
_CSV_FIELD = r'(?:"(?:[^"]|"")*"(?:[^",\r\n][^,\r\n]*)?|[^",\r\n][^,\r\n]*|)'
_OPEN_QUOTE = re.compile(rf'(?:{_CSV_FIELD},)*"(?:[^"]|"")*')
_FIELD_END = ",\r\n"


def _csv_candidates(fh, header: list[str], names: list[str]) -> Iterator[str]:
    """The lines of a CSV file after its ``header`` that may hold a row whose ``stat_type`` is
    one of ``names``, in file order and in whole records; the csv module then decides.

    A line without quotes is one record whose fields are its comma-separated parts, so it
    can only when a name is one of those parts: a block of the file without quotes is
    searched for that. Other blocks go line by line, and every record with a quote is kept
    (a quoted field may spell a name in several ways)."""
    if "stat_type" not in header or "" in names:    # nothing to search for
        yield from fh
        return
    # a name with a comma, quote or line end is always quoted
    plain = tuple(n for n in names if not any(c in n for c in '",\r\n'))
    record: list[str] = []       # the lines so far of a record whose quoted field is open
    for block in blocks(fh, BLOCK):      # (BLOCK read at call time: tests make it small)
        if not record and '"' not in block:
            for start, end in _field_lines(block, plain):
                yield block[start:end]
        else:
            yield from _csv_lines(block, plain, record)
    yield from record            # a quoted field still open at the end of the file


def _field_lines(text: str, fields: tuple[str, ...]) -> list[tuple[int, int]]:
    """(start, end) of the lines of unquoted CSV ``text`` (universal newlines, line ends left
    out) that hold one of ``fields`` as a whole field, in text order."""
    spans: dict[int, int] = {}
    for field in fields:
        p = text.find(field)
        while p >= 0:
            q = p + len(field)
            if p and text[p - 1] not in _FIELD_END or q < len(text) and text[q] not in _FIELD_END:
                p = text.find(field, q)          # part of a longer field
                continue
            start = max(text.rfind("\n", 0, p), text.rfind("\r", 0, p)) + 1
            ends = [e for e in (text.find("\n", q), text.find("\r", q)) if e >= 0]
            end = min(ends) if ends else len(text)
            spans[start] = end
            p = text.find(field, end)
    return sorted(spans.items())


def _csv_lines(block: str, fields: tuple[str, ...], record: list[str]) -> Iterator[str]:
    """:func:`_csv_candidates` line by line: unquoted lines holding a field and the lines of
    every record with a quote. ``record`` carries an open record from block to block."""
    for line in io.StringIO(block, newline=""):
        inside = bool(record)
        if inside or '"' in line:
            record.append(line)
            if not _OPEN_QUOTE.fullmatch('"' + line if inside else line):
                yield from record
                record.clear()
        elif _field_lines(line, fields):
            yield line


def stat_figure(stats_csv: str, stat_type: str, series: Series, *, max_lines: int = MAX_LINES,
                max_points: int = 2000, title: str | None = None,
                waiting: CallsWaiting | GroupCounts | None = None, beside: bool = True) -> Figure:
    """:func:`stat_series`' figure of ``series`` (from :func:`stat_series_data`); raises
    ValueError, naming ``stats_csv``, when there is none.

    The figure says what a value is. A historical value is labelled with what its time profile
    accumulates (:func:`profile_text`). A current value is only known at the notification
    times: its samples are dots, said to be so. Where the records give its course between
    them, a line shows its time average per bin: for the calls waiting
    (:func:`is_calls_waiting`) ``waiting`` (by default read from the actions beside
    stats.csv unless ``beside`` is false); for a current count of a group's agents in some
    statuses (:func:`status_count_mask`) the group counts of the statuses beside it. Counts
    get whole-number ticks, and the axes of counts, times and percentages start at 0."""
    if not series:
        raise ValueError(f"{stats_csv}: no numeric values of stat type {stat_type!r}")
    current = is_current(stat_type)
    mask = status_count_mask(stat_type) if current else None
    if mask is not None:
        waiting = _group_counts_beside(stats_csv, mask)      # (the "waiting" line: any count)
    elif not (current and is_calls_waiting(stat_type)):
        waiting = None
    elif waiting is None and beside:
        waiting = _waiting_beside(stats_csv)
    t0 = min(ts[0] for ts, _ in series.values())
    t1 = max(ts[-1] for ts, _ in series.values())
    if waiting is not None:
        t0, t1 = min(t0, waiting.bins.t0), max(t1, waiting.bins.t1)
    day0 = _day0(t0)
    rank = {t: i for i, t in enumerate(OBJECT_TYPE_ORDER)}
    types = sorted({k[0] for k in series}, key=lambda t: (rank.get(t, len(rank)), t))[:6]
    fig = Figure(figsize=(10.0, 1.0 + 2.6 * len(types)), dpi=DPI, layout="constrained")
    axes = fig.subplots(len(types), 1, sharex=True, squeeze=False)[:, 0]
    unit = stat_unit(stat_type)
    every = _notify_period(series)
    for ax, ot in zip(axes, types, strict=True):
        keys = [k for k in series if k[0] == ot]
        profiles = {k[2] for k in keys}

        def peak(k):
            vals = [x for x in series[k][1] if not math.isnan(x)]
            return -max(vals) if vals else 0.0
        shown = sorted(sorted(keys, key=lambda k: (peak(k), k))[:max_lines])
        traced = waiting is not None and ot in waiting.types.values()
        drawn = [v for k in shown for v in series[k][1]]
        for key in shown:
            ts, vs = series[key]
            step = max(1, len(ts) // max_points)
            _, obj, prof = key
            label = obj if len(profiles) == 1 or not prof else f"{obj} ({prof})"
            x = _hours(np.asarray(ts[::step]), day0)
            if traced and waiting is not None:
                bins = waiting.bins
                y = bins.data.get(obj, np.zeros(bins.n)) / bins.width
                line, = ax.plot(_hours(bins.centers(), day0), y, drawstyle="steps-mid", label=label,
                                linewidth=1.0)
                drawn.append(float(y.max()))
                ax.plot(x, vs[::step], linestyle="none", marker="o", markersize=4,
                        color=line.get_color(), clip_on=False, zorder=3)
            elif current:
                ax.plot(x, vs[::step], linestyle="none" if len(ts) <= 200 else "-",
                        marker="o" if len(ts) <= 200 else None, markersize=4, label=label,
                        clip_on=False, zorder=3)
            else:
                ax.plot(x, vs[::step], marker="o" if len(ts) <= 60 else None, markersize=3,
                        label=label)
        handles, labels = ax.get_legend_handles_labels()
        if traced:
            handles.append(Line2D([], [], linestyle="none", marker="o", markersize=4, color="#555555"))
            labels.append("at notifications")
        ax.legend(handles, labels, loc="upper left", bbox_to_anchor=(1.01, 1.0), fontsize="small",
                  frameon=False)
        ax.set_ylabel(f"{stat_type} ({unit})" if len(types) == 1 else unit)
        more = f" (top {max_lines} of {len(keys)})" if len(keys) > max_lines else ""
        ax.set_title(f"{ot}{more}: {_what_is_drawn(stat_type, profiles, current, traced, every, waiting)}",
                     fontsize="medium")
        _value_axis(ax, unit, drawn)
        _time_axis(ax, t0, t1, day0)
        if ax is not axes[-1]:
            ax.set_xlabel("")
    fig.suptitle(title or f"{stat_type} over time")
    return fig


def _what_is_drawn(stat_type: str, profiles: set[str], current: bool, traced: bool,
                   every: float | None, waiting: CallsWaiting | GroupCounts | None) -> str:
    """The panel title's account of its values."""
    at = f"every {duration_text(every)}" if every else "at notification times"
    if traced and waiting is not None:
        return (f"time average per {duration_text(waiting.bins.width)} bin (lines); "
                f"instantaneous values at notifications, {at} (dots)")
    if current:
        return f"instantaneous values sampled at notifications, {at} (not known in between)"
    st = _stat_type(stat_type)
    kinds = {tp.name: f"{tp.kind} " for tp in st.time_profiles} if st is not None else {}
    return "; ".join(f"{profile_text(stat_type, p)} ({kinds.get(p, '')}time profile {p})"
                     for p in sorted(profiles))


def _value_axis(ax, unit: str, values: list[float]) -> None:
    """Counts get whole-number ticks; counts, times and percentages start at 0, with a range of
    at least 1 (an all-zero count is a line at the bottom, not a line amid +-0.04)."""
    finite = [v for v in values if not math.isnan(v)]
    if unit == "count":
        ax.yaxis.set_major_locator(MaxNLocator(integer=True))
    if unit in ("count", "%", "s", "per hour", "per second") and (not finite or min(finite) >= 0):
        top = max(finite, default=0.0)
        if unit == "%" and top <= 100:
            ax.set_ylim(0, 105)
        else:
            ax.set_ylim(0, max(1.0, top * 1.08))


def status_count_mask(stat_type: str) -> Any:
    """The status mask of a current count of a GroupAgents' agents in some statuses
    (CurrNumberWaitStatuses, CurrentLoggedInAgents: CurrentNumber of AgentStatus, no filter),
    whose course the group count records of statuses.jsonl give exactly; else None."""
    st = _stat_type(stat_type)
    if st is None or st.category_name != "CurrentNumber" or st.filter is not None or not st.voice:
        return None
    if "GroupAgents" not in st.objects or st.subject_for("GroupAgents") != "AgentStatus":
        return None
    return st.main_mask


class GroupCounts:
    """How many agents of each GroupAgents are in the statuses of ``mask`` over time, from the
    group count records (``counts``: members per status after a member's change), binned as
    :class:`~sim.report.binning.CallsWaiting` bins the calls waiting (count x time)."""

    def __init__(self, t0: float, t1: float, mask: Any) -> None:
        self.bins = Bins(t0, t1)
        self.mask = mask
        self.types: dict[str, str] = {}
        self.value: dict[str, int] = {}
        self.since: dict[str, float] = {}

    def feed(self, r: dict[str, Any]) -> None:
        obj, t, counts = r["object"], float(r["time"]), r["counts"]
        if isinstance(counts, str):                   # (a JSON text in statuses.parquet)
            counts = orjson.loads(counts)
        n = sum(v for s, v in counts.items() if "=" not in s and self.mask.matches(s))
        prev = self.value.get(obj, 0)
        if prev:
            self.bins.add(obj, self.since[obj], t, prev)
        self.value[obj], self.since[obj], self.types[obj] = n, t, r["object_type"]

    def finish(self) -> None:
        for obj, n in self.value.items():
            if n:
                self.bins.add(obj, self.since[obj], self.bins.t1, n)


def _group_counts_beside(stats_csv: str, mask: Any) -> GroupCounts | None:
    """The :class:`GroupCounts` of ``mask`` from the statuses of the run folder of
    ``stats_csv``, if it has any."""
    folder = os.path.dirname(os.path.abspath(stats_csv))
    statuses = table_path(folder, STATUSES)
    span = run_span(folder)
    if not _holds_rows(statuses or "") or span is None or statuses is None:
        return None
    counts = GroupCounts(span[0], span[1], mask)

    def group(r: dict) -> bool:
        return r.get("object_type") == "GroupAgents" and isinstance(r.get("counts"), (dict, str))
    if is_parquet(statuses):
        _, pc = _arrow()
        with reading_parquet(statuses):
            for r in _parquet_records(statuses, ("time", "object_type", "object", "counts"),
                                      lambda b: pc.and_(pc.equal(b["object_type"], "GroupAgents"),
                                                        pc.is_valid(b["counts"]))):
                counts.feed(r)
    else:
        check_tail(statuses, status_problem)

        def read() -> None:
            for r in _json_lines_with(statuses, (b'"GroupAgents"', b"\\")):
                if group(r):
                    counts.feed(r)
        reading_json_lines(statuses, status_problem, read)
    counts.finish()
    return counts


def _waiting_beside(stats_csv: str) -> CallsWaiting | None:
    """The calls waiting from the actions (actions.parquet or actions.jsonl) of the run folder
    of ``stats_csv``, if any."""
    folder = os.path.dirname(os.path.abspath(stats_csv))
    actions = table_path(folder, ACTIONS)
    if actions is None or not os.path.getsize(actions):
        return None
    return _read_waiting(actions, run_span(folder))


# ------------------------------------------------------------------------------ a run folder
DEFAULT_STATS = ("CurrNumberWaitingCalls", "Service_Level")


def write_run_plots(out_dir: str, stats: Iterable[str] | None = None, feed: RunFeed | None = None,
                    problems: list[str] | None = None) -> list[str]:
    """Write every plot the files of run folder ``out_dir`` allow into ``out_dir/plots/``;
    return the paths written. A missing input file skips its plots. ``stats`` names the stat
    types plotted from stats.csv (default: :data:`DEFAULT_STATS` that the file holds).
    ``feed``: the run's status and CallWait records, taken as the run made them (``sim run``),
    read instead of statuses.jsonl and actions.jsonl: the same plots, without reading back
    gigabytes.

    A folder holding ``incomplete.json`` (a run that failed or was interrupted) is refused, a
    :class:`~sim.report.run_folder.RunFolderError` (unless ``feed`` is given: that is the run
    writing its own folder). So is a file that cannot be read, naming its line; with
    ``problems``, such a file's message is appended to it instead, its plots are left out
    (and their PNGs of an earlier drawing removed) and the other plots are still drawn."""
    if feed is None:
        check_complete(out_dir)
    plots = os.path.join(out_dir, "plots")
    os.makedirs(plots, exist_ok=True)
    written: list[str] = []

    def note(exc: RunFolderError) -> None:
        if problems is None:
            raise exc
        if str(exc) not in problems:
            problems.append(str(exc))

    def attempt(draw: Any, names: list[str]) -> None:
        """``draw()`` yields (figure, file name) pairs; a bad input file skips the rest."""
        try:
            for fig, name in draw():
                path = os.path.join(plots, name)
                fig.savefig(path)
                written.append(path)
        except RunFolderError as exc:
            note(exc)
            for name in names:
                stale = os.path.join(plots, name)
                if stale not in written and os.path.exists(stale):
                    os.remove(stale)

    span: tuple[float, float] | None = None
    try:
        span = run_span(out_dir)
    except RunFolderError as exc:
        note(exc)
    # each table from its Parquet file (sim run --store parquet) or its JSON-lines / CSV file
    statuses = table_path(out_dir, STATUSES) or ""
    actions = table_path(out_dir, ACTIONS) or ""
    fed = span is not None and feed is not None
    waiting: CallsWaiting | None = None      # also the course of the calls-waiting statistic
    if feed is not None and span is not None:
        agents, dns, waiting = feed.over(*span)
    if _holds_rows(statuses):
        def status_plots() -> Iterator[tuple[Figure, str]]:
            figs = _status_figures(agents, dns) if fed else status_figures(statuses, span=span)
            for name, fig in figs.items():
                yield fig, f"{name}.png"
        attempt(status_plots, ["agent_states.png", "dn_states.png", "agents_per_status.png"])
    if _holds_rows(actions):
        def waiting_plot() -> Iterator[tuple[Figure, str]]:
            nonlocal waiting
            if waiting is None:
                waiting = _read_waiting(actions, span)
            yield _calls_waiting_figure(waiting, waiting.bins.t0, waiting.bins.t1), "calls_waiting.png"
        attempt(waiting_plot, ["calls_waiting.png"])
    if table_path(out_dir, CALLS) is not None:
        attempt(lambda: iter([(intraday(out_dir), "intraday.png")]), ["intraday.png"])
    stats_csv = table_path(out_dir, STATS) or ""
    if stats_csv:
        names = list(stats) if stats is not None else list(DEFAULT_STATS)

        def stat_plots() -> Iterator[tuple[Figure, str]]:
            if not is_parquet(stats_csv):
                check_csv_tail(stats_csv)
            data = stat_series_data(stats_csv, names)
            for name in names:
                try:
                    fig = stat_figure(stats_csv, name, data[name], waiting=waiting, beside=False)
                except RunFolderError:
                    raise
                except ValueError:
                    if stats is not None:
                        raise
                    continue
                yield fig, f"stat_{_safe(name)}.png"
        attempt(stat_plots, [f"stat_{_safe(name)}.png" for name in names])
    return written


def _holds_rows(path: str) -> bool:
    """A table file with records: a JSON-lines file of some bytes, a Parquet file of some
    rows (or one that does not read: its plots then say why)."""
    if not path or not os.path.exists(path):
        return False
    if not is_parquet(path):
        return os.path.getsize(path) > 0
    import pyarrow.parquet as pq
    try:
        return pq.read_metadata(path).num_rows > 0
    except (OSError, ValueError):
        return True


def _safe(name: str) -> str:
    return "".join(c if c.isalnum() or c in "-_" else "_" for c in name)
