"""The per-line work of the run plots: reading JSON lines that matter, status episodes and
calls waiting, and binning their time over the run.

A day of a big center is millions of status changes and CallWait records, each binned: this
module is what :mod:`sim.report.plots` does per line, compiled with mypyc (setup.py) so that the
plots do not take a sizeable share of a run. The figures themselves are drawn in
:mod:`sim.report.plots`.

``sim plot DIR`` reads the records back from the run's files. ``sim run`` does not: a
:class:`RunFeed` takes them from the pipeline as they are made, in the order they are written
and with their times rounded as the files have them, so the plots are the same to the last
bit. The run's end, and so the bins, are known only at the end: until then the intervals go to
a temporary file (:class:`SpilledBins`), so memory does not grow with the run.
"""

from __future__ import annotations

import tempfile
from array import array
from collections.abc import Iterable, Iterator
from typing import IO, Any, Final, cast

import numpy as np
import orjson

from sim.statserver.records import END, START, Action, StatusChange
from sim.tlib.rounding import round6

BINS: Final = 1000         # time bins over the run (resolution of the time-series plots)
MAX_LANES: Final = 40      # lanes of a state timeline
BLOCK: Final = 1 << 20     # characters (bytes) of a file searched at a time


# ------------------------------------------------------------------------------ reading
def blocks(fh: IO[Any], size: int) -> Iterator[Any]:
    """A file (binary or text) in blocks of about ``size`` that end at line ends."""
    while True:
        block = fh.read(size)
        if not block:
            return
        yield block + fh.readline()


def line_spans(block: bytes, needles: tuple[bytes, ...]) -> list[tuple[int, int]]:
    """(start, end) of the lines of ``block`` that hold any of ``needles``, in block order,
    each line once. A ``find`` per hit costs far less than a step per line."""
    spans: dict[int, int] = {}
    for needle in needles:
        p = block.find(needle)
        while p >= 0:
            start = block.rfind(b"\n", 0, p) + 1
            end = block.find(b"\n", p) + 1 or len(block)
            spans[start] = end
            p = block.find(needle, end)
    return sorted(spans.items()) if len(needles) > 1 else list(spans.items())


def json_lines_with(path: Any, needles: tuple[bytes, ...], size: int = BLOCK) -> Iterator[Any]:
    """The lines of a JSON-lines file that hold any of ``needles``, parsed, in file order
    (lines end at ``\\n`` as in ``for line in open(path, "rb")``)."""
    with open(path, "rb") as fh:
        for block in blocks(fh, size):
            for start, end in line_spans(block, needles):
                yield orjson.loads(block[start:end])


# ------------------------------------------------------------------------------ binning
class Bins:
    """Fixed time bins over [t0, t1]; adds the overlap of intervals to per-key arrays.

    Intervals are buffered and binned with numpy ``FLUSH`` at a time (a scalar ``+=`` on
    an array costs more than the rest of a status change), with the arithmetic of one
    interval at a time and each bin taking its intervals in the order they came: ``data`` is
    what adding them one by one gives, to the last bit."""

    def __init__(self, t0: float, t1: float, n: int = BINS) -> None:
        if t1 <= t0:
            t1 = t0 + 1.0
        self.t0 = t0
        self.t1 = t1
        self.n = n
        self.width = (t1 - t0) / n
        self.FLUSH = 1 << 16       # intervals buffered
        self.SPREAD = 1 << 18      # (bin, value) pairs made at a time (an interval fills up to n
        # bins): a batch makes several arrays of that length, 2 MB each
        self._rows: dict[Any, int] = {}             # key -> its row of _grid
        self._grid: Any = np.zeros((0, n))
        self._hit: Any = np.zeros(0, dtype=bool)    # rows that got time (the keys of data)
        self._pending: list[float] = []             # row, start, end, weight, ...
        self._data: dict[Any, Any] | None = {}

    def row(self, key: Any) -> int:
        """The row of ``key``: what :meth:`add_row` takes (saves a lookup per interval)."""
        row = self._rows.get(key)
        if row is None:
            row = self._rows[key] = len(self._rows)
        return row

    def add(self, key: Any, a: float, b: float, weight: float = 1.0) -> None:
        self.add_row(self.row(key), a, b, weight)

    def add_row(self, row: int, a: float, b: float, weight: float = 1.0) -> None:
        pending = self._pending
        pending.append(row)
        pending.append(a)
        pending.append(b)
        pending.append(weight)
        self._data = None
        if len(pending) >= 4 * self._held():
            self._release()

    def _held(self) -> int:
        """Intervals buffered before :meth:`_release`."""
        return self.FLUSH

    def _release(self) -> None:
        self._flush()

    @property
    def data(self) -> dict[Any, Any]:
        """key -> time per bin, for the keys that got some."""
        data = self._data
        if data is None:
            self._flush()
            grid, hit = self._grid, self._hit
            data = self._data = {k: grid[r] for k, r in self._rows.items() if hit[r]}
        return data

    def centers(self) -> Any:
        return self.t0 + (np.arange(self.n) + 0.5) * self.width

    def _flush(self) -> None:
        values = np.array(self._pending, dtype=float)
        self._pending.clear()
        self._bin(values)

    def _bin(self, values: Any) -> None:
        """Bin flat (row, start, end, weight, ...) values (a float array), in order."""
        rows, a, b, weight = values.reshape(-1, 4).T
        if len(self._rows) > len(self._grid):
            grow = max(len(self._rows), 2 * len(self._grid)) - len(self._grid)
            self._grid = np.vstack([self._grid, np.zeros((grow, self.n))])
            self._hit = np.concatenate([self._hit, np.zeros(grow, dtype=bool)])
        a, b = np.maximum(a, self.t0), np.minimum(b, self.t1)
        keep = (b > a) & (weight != 0)
        rows, a, b, weight = rows[keep].astype(np.intp), a[keep], b[keep], weight[keep]
        self._hit[rows] = True
        i0 = np.minimum(((a - self.t0) / self.width).astype(np.intp), self.n - 1)
        i1 = np.minimum(((b - self.t0) / self.width).astype(np.intp), self.n - 1)
        ends = np.cumsum(i1 - i0 + 1)
        lo = 0
        while lo < len(a):
            hi = int(np.searchsorted(ends, (ends[lo - 1] if lo else 0) + self.SPREAD, "right"))
            stop = max(hi, lo + 1)
            part = slice(lo, stop)
            self._spread(rows[part], a[part], b[part], weight[part], i0[part], i1[part])
            lo = stop

    def _spread(self, rows: Any, a: Any, b: Any, weight: Any, i0: Any, i1: Any) -> None:
        """Add intervals to their bins i0..i1: the part in i0, whole bins, the part in i1."""
        t0, n, w = self.t0, self.n, self.width
        count = i1 - i0 + 1
        first = np.cumsum(count) - count            # an interval's first pair
        which = np.repeat(np.arange(len(a)), count)
        index = rows[which] * n + i0[which] + (np.arange(len(which)) - first[which])
        value = (w * weight)[which]
        single = i0 == i1
        value[first] = np.where(single, (b - a) * weight, (t0 + (i0 + 1) * w - a) * weight)
        value[(first + count - 1)[~single]] = ((b - (t0 + i1 * w)) * weight)[~single]
        # ufunc.at adds one value at a time, in order: a bin sums its intervals as they came
        np.add.at(self._grid.reshape(-1), index, value)


class SpilledBins(Bins):
    """Bins whose span is known only at the end (a run in progress): the keys get their rows
    as in :class:`Bins`, the intervals go to a temporary file in ``folder`` (``SPILL`` at a
    time: a few hundred kB held), and :meth:`over` bins them, in the order they came, once the
    span is known (a bin's sum does not depend on how its intervals are batched)."""

    def __init__(self, folder: str | None = None) -> None:
        super().__init__(0.0, 1.0)
        self.SPILL = 1 << 13           # intervals held before they are written
        self._folder = folder
        self._spill: Any = None

    def _held(self) -> int:
        return self.SPILL

    def _release(self) -> None:
        """Write the buffered intervals to the spill file."""
        if self._spill is None:
            self._spill = tempfile.TemporaryFile(dir=self._folder)
        array("d", self._pending).tofile(self._spill)
        self._pending.clear()

    def over(self, t0: float, t1: float) -> Bins:
        """The bins over [t0, t1] of every interval added so far; the spill file is closed."""
        bins = Bins(t0, t1)
        bins._rows = dict(self._rows)
        spill = self._spill
        if spill is not None:
            spill.seek(0)
            while True:
                data = spill.read(32 * self.FLUSH)     # whole intervals of 4 doubles
                if not data:
                    break
                bins._bin(np.frombuffer(data, dtype=float))
            spill.close()
            self._spill = None
        bins._pending = self._pending
        bins._data = None
        self._pending = []
        return bins


# ------------------------------------------------------------------------------ statuses
class StatusEpisodes:
    """The status changes of the objects of one type, binned as they are fed (in time order):
    keys (lane, status) for the lanes kept and (None, status) for the totals. ``lanes`` fixes
    the lanes; ``None`` keeps the first ``max_lanes`` objects seen."""

    def __init__(self, object_type: str, t0: float, t1: float, lanes: list[str] | None = None,
                 max_lanes: int = MAX_LANES, bins: Bins | None = None) -> None:
        self.object_type = object_type
        self.t0 = t0
        self.t1 = t1
        self.bins: Bins = bins if bins is not None else Bins(t0, t1)
        self.kept: list[Any] = list(lanes) if lanes else []
        self.total = 0                      # objects of the type seen, once finished
        self._in_kept: set[Any] = set(self.kept)    # `in` on the list costs a scan per change
        self._fixed = lanes is not None
        self._max = max_lanes
        self._current: dict[Any, tuple[Any, float]] = {}
        self._totals: dict[Any, int] = {}   # status -> bins row of (None, status)

    def feed(self, r: dict[str, Any]) -> None:
        self.change(r["object"], float(r["time"]), r["status"])

    def change(self, obj: Any, t: float, status: Any) -> None:
        """``obj`` is in ``status`` from ``t`` on."""
        prev = self._current.get(obj)
        if prev is not None:
            self._close(obj, prev, t)
        elif not self._fixed and len(self.kept) < self._max and obj not in self._in_kept:
            self.kept.append(obj)
            self._in_kept.add(obj)
        self._current[obj] = (status, t)

    def finish(self) -> None:
        """Close every object's last status at the end of the span."""
        for obj, prev in self._current.items():
            self._close(obj, prev, self.bins.t1)
        self.total = len(self._current)
        self._current.clear()

    def over(self, t0: float, t1: float) -> StatusEpisodes:
        """Fed through :class:`SpilledBins`: the episodes binned over [t0, t1], finished."""
        spilled = self.bins
        assert isinstance(spilled, SpilledBins)
        self.bins = spilled.over(t0, t1)
        self.t0, self.t1 = t0, t1
        self.finish()
        return self

    def _close(self, obj: Any, prev: tuple[Any, float], t: float) -> None:
        status, since = prev
        bins = self.bins
        row = self._totals.get(status)
        if row is None:
            row = self._totals[status] = bins.row((None, status))
        bins.add_row(row, since, t)
        if obj in self._in_kept:
            bins.add((obj, status), since, t)


def feed_statuses(records: Iterable[Any], episodes: list[StatusEpisodes]) -> None:
    """One pass over ``records`` (dicts) feeding each status change to the accumulators of
    its object type, then closing them."""
    feeds: dict[Any, list[StatusEpisodes]] = {}
    for e in episodes:
        feeds.setdefault(e.object_type, []).append(e)
    for r in records:
        try:
            targets = feeds.get(r.get("object_type"))
        except TypeError:           # an unhashable value (a list, an object) is no type
            continue
        if targets and "status" in r:
            for e in targets:
                e.feed(r)
    for e in episodes:
        e.finish()


# ------------------------------------------------------------------------------ calls waiting
MEDIATION_TYPES: Final = ("Queue", "RoutePoint")


def is_wait(r: dict[str, Any]) -> bool:
    """A CallWait start / end record of a mediation DN (DN-level records only)."""
    return (r.get("action") == "CallWait" and r.get("object_type") in MEDIATION_TYPES
            and r.get("kind") in ("start", "end"))


class CallsWaiting:
    """The running CallWait actions of each mediation DN, binned over time (count x time)."""

    def __init__(self, t0: float, t1: float, bins: Bins | None = None) -> None:
        self.bins: Bins = bins if bins is not None else Bins(t0, t1)
        self.count: dict[Any, int] = {}
        self.since: dict[Any, float] = {}
        self.types: dict[Any, Any] = {}
        self.peak: dict[Any, int] = {}

    def feed(self, r: dict[str, Any]) -> None:
        self.change(r["object"], float(r["time"]), r["kind"] == "start", r["object_type"])

    def change(self, obj: Any, t: float, start: bool, object_type: Any) -> None:
        """A call starts (``start``) or stops waiting on ``obj`` at ``t``."""
        count, since = self.count, self.since
        n = count.get(obj, 0)
        if n:
            self.bins.add(obj, since[obj], t, n)
        n += 1 if start else -1
        count[obj] = max(n, 0)
        since[obj] = t
        self.types[obj] = object_type
        self.peak[obj] = max(self.peak.get(obj, 0), n)

    def feed_all(self, records: Iterable[Any]) -> None:
        """Feed the CallWait records among ``records`` (dicts), then close the running ones."""
        for r in records:
            if is_wait(r):
                self.feed(r)
        self.finish()

    def over(self, t0: float, t1: float) -> CallsWaiting:
        """Fed through :class:`SpilledBins`: binned over [t0, t1], finished."""
        spilled = self.bins
        assert isinstance(spilled, SpilledBins)
        self.bins = spilled.over(t0, t1)
        self.finish()
        return self

    def finish(self) -> None:
        """Close the waits still running at the end of the span."""
        bins = self.bins
        for obj, n in self.count.items():
            if n:
                bins.add(obj, self.since[obj], bins.t1, n)


# ------------------------------------------------------------------------------ sim run
class RunFeed:
    """The plot data of a run taken from its records as the pipeline makes them (``sim run``):
    what the plots would read back from statuses.jsonl and actions.jsonl, the same records in
    the same order, times rounded as the files write them. ``over`` bins them once the run's
    span is known."""

    def __init__(self, folder: str | None = None) -> None:
        self.agents = StatusEpisodes("Agent", 0.0, 1.0, bins=SpilledBins(folder))
        self.dns = StatusEpisodes("RegDN", 0.0, 1.0, bins=SpilledBins(folder))
        self.waiting = CallsWaiting(0.0, 1.0, bins=SpilledBins(folder))

    def feed(self, records: list[Any]) -> None:
        """The records of one TEvent, as the pipeline writes them."""
        for r in records:
            cls = type(r)
            if cls is StatusChange:
                sc = cast(StatusChange, r)
                object_type = sc.object_type
                if object_type == "Agent":
                    self.agents.change(sc.object, float(round6(sc.time)), sc.status)
                elif object_type == "RegDN":
                    self.dns.change(sc.object, float(round6(sc.time)), sc.status)
            elif cls is Action:
                a = cast(Action, r)
                if a.action == "CallWait" and a.object_type in MEDIATION_TYPES:
                    kind = a.kind
                    if kind == START or kind == END:
                        self.waiting.change(a.object, float(round6(a.time)), kind == START, a.object_type)

    def over(self, t0: float, t1: float) -> tuple[StatusEpisodes, StatusEpisodes, CallsWaiting]:
        """Agent and RegDN status episodes and calls waiting, binned over [t0, t1]."""
        return self.agents.over(t0, t1), self.dns.over(t0, t1), self.waiting.over(t0, t1)
