"""Aggregates: what a statistic keeps so that any category can be read at any instant.

One :class:`Agg` per mask of a statistic (MainMask, RelMask, and the fixed masks of compound
categories). It holds

* the **running** records that match (durable actions in progress, status episodes in progress,
  or - with a filter - the open stretches during which the filter is true): the current
  categories read them (stat-types.md §4.4);
* one :class:`Window` per time profile, holding the **historical** aggregates of the interval:
  a single bucket for Growing and SinceLogin (emptied at each reset / login), per-step buckets for
  Sliding, one bucket per completed record for Selection (stat-types.md §6).

Nothing grows with the number of records: buckets are bounded by the profile, running records
by what is in progress now.

Time rules (stat-types.md §3): durations are whole seconds, milliseconds dropped from both
timestamps before subtracting; a status in progress contributes its elapsed time to TotalTime
(added at query time), an action in progress contributes nothing until it ends; a retrospective
action adds its full carried duration at the instant it occurs (Q2); the adjusted aggregates take
the full, unprojected duration of records that ended in the interval.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any

from sim.statserver.stats.profiles import (
    GROWING,
    SELECTION,
    SINCE_LOGIN,
    SLIDING,
    TimeProfile,
    TimeRange,
)

INF = math.inf


class Bucket:
    """Historical aggregates of one stretch of time (or, for Selection, of one record)."""

    __slots__ = ("start", "idx", "number", "time", "adj_number", "adj_time", "max_time", "min_time",
                 "n_range", "t_range", "cv_total", "cv_max", "cv_min", "area_n", "area_t",
                 "max_n", "min_n")

    def __init__(self, start: float, n: int = 0, idx: int = 0):
        self.start = start
        self.idx = idx
        self.number = 0
        self.time = 0
        self.adj_number = 0
        self.adj_time = 0
        self.max_time: int | None = None
        self.min_time: int | None = None
        self.n_range = 0
        self.t_range = 0
        self.cv_total = 0.0
        self.cv_max: float | None = None
        self.cv_min: float | None = None
        self.area_n = 0.0          # integral of CurrentNumber over the bucket
        self.area_t = 0.0          # integral of CurrentTime over the bucket
        self.max_n = n             # MaxNumber / MinNumber start from the value at the bucket start
        self.min_n = n

    def complete(self, d: int, in_range: bool, cv: float | None) -> None:
        """A record completed in this bucket with whole-second duration ``d``."""
        self.adj_number += 1
        self.adj_time += d
        if self.max_time is None or d > self.max_time:
            self.max_time = d
        if self.min_time is None or d < self.min_time:
            self.min_time = d
        if in_range:
            self.n_range += 1
            self.t_range += d
        if cv is not None:
            self.cv_total += cv
            if self.cv_max is None or cv > self.cv_max:
                self.cv_max = cv
            if self.cv_min is None or cv < self.cv_min:
                self.cv_min = cv


def _max(a, b):
    return b if a is None else (a if b is None else max(a, b))


def _min(a, b):
    return b if a is None else (a if b is None else min(a, b))


class Totals:
    """The sum of the buckets of a window at a query instant (read by the categories)."""

    def __init__(self, buckets, n_now: int):
        self.number = self.time = self.adj_number = self.adj_time = 0
        self.n_range = self.t_range = 0
        self.cv_total = 0.0
        self.area_n = self.area_t = 0.0
        self.max_time = self.min_time = self.cv_max = self.cv_min = None
        self.max_n = self.min_n = None
        for b in buckets:
            self.number += b.number
            self.time += b.time
            self.adj_number += b.adj_number
            self.adj_time += b.adj_time
            self.n_range += b.n_range
            self.t_range += b.t_range
            self.cv_total += b.cv_total
            self.area_n += b.area_n
            self.area_t += b.area_t
            self.max_time, self.min_time = _max(self.max_time, b.max_time), _min(self.min_time, b.min_time)
            self.cv_max, self.cv_min = _max(self.cv_max, b.cv_max), _min(self.cv_min, b.cv_min)
            self.max_n, self.min_n = _max(self.max_n, b.max_n), _min(self.min_n, b.min_n)
        if self.max_n is None:
            self.max_n = self.min_n = n_now


class Window:
    """The historical aggregates of one time profile for one mask of one statistic."""

    __slots__ = ("profile", "agg", "t_open", "buckets", "boundary", "last", "kind")

    def __init__(self, profile: TimeProfile, agg: Agg, t_open: float):
        self.profile = profile
        self.kind = profile.kind
        self.agg = agg
        self.t_open = t_open
        self.last = t_open                      # area integrals are flushed up to here
        if self.kind == SLIDING:
            idx = math.floor(t_open / profile.step)
            self.buckets: deque[Bucket] = deque([Bucket(t_open, 0, idx)])
            self.boundary = (idx + 1) * profile.step
        elif self.kind == SELECTION:
            self.buckets = deque(maxlen=profile.count)
            self.boundary = INF
        else:
            self.buckets = deque([Bucket(t_open)])
            self.boundary = profile.next_reset(t_open) if self.kind == GROWING else INF

    # -- time passing ------------------------------------------------------------------------
    def flush(self, t: float) -> None:
        """Integrate CurrentNumber / CurrentTime from ``last`` to ``t`` into the last bucket."""
        dt = t - self.last
        if dt > 0 and self.kind != SELECTION:
            n = self.agg.n
            if n:
                b = self.buckets[-1]
                b.area_n += n * dt
                b.area_t += dt * (n * (t + self.last) / 2.0 - self.agg.sum_starts)
            self.last = t

    def roll(self, t: float, inclusive: bool) -> None:
        """Apply the resets / bucket changes due at ``t`` (at ``t`` itself too if inclusive)."""
        while t > self.boundary or (inclusive and t == self.boundary):
            at = self.boundary
            self.flush(at)
            n = self.agg.n
            if self.kind == GROWING:
                self.buckets[-1] = Bucket(at, n)
                self.boundary = self.profile.next_reset(at)
            else:  # SLIDING
                step, count = self.profile.step, self.profile.buckets
                idx = self.buckets[-1].idx + 1
                target = math.floor(t / step) if inclusive else math.ceil(t / step) - 1
                if target - idx > count:      # a long gap: buckets before the window never matter
                    idx = target - count
                    self.buckets.clear()
                    self.last = idx * step
                self.buckets.append(Bucket(idx * step, n, idx))
                while self.buckets[0].idx <= idx - count:
                    self.buckets.popleft()
                self.boundary = (idx + 1) * step

    def reset(self, t: float) -> None:
        """SinceLogin: a login starts a new interval at ``t``."""
        self.flush(t)
        self.buckets[-1] = Bucket(t, self.agg.n)

    def t0(self, now: float) -> float:
        if self.kind == SLIDING:
            p = self.profile
            return max(self.t_open, (math.ceil(now / p.step) - p.buckets) * p.step)
        if self.kind == SELECTION:
            return self.t_open
        return self.buckets[-1].start

    # -- updates (the caller has rolled to t) --------------------------------------------------
    def number_changed(self) -> None:
        if self.kind == SELECTION:
            return
        b = self.buckets[-1]
        n = self.agg.n
        if n > b.max_n:
            b.max_n = n
        if n < b.min_n:
            b.min_n = n

    def count(self) -> None:
        """A status episode (or filtered stretch) started: TotalNumber of statuses (Q1)."""
        if self.kind != SELECTION:
            self.buckets[-1].number += 1

    def span(self, a: int, b: int) -> None:
        """Add the whole seconds [a, b) of a record to the buckets they fall in (projection)."""
        if self.kind == SLIDING:
            step = self.profile.step
            first = self.buckets[0]
            a = max(a, math.floor(self.t_open))
            i = max(0, (a // step) - first.idx)
            while i < len(self.buckets):
                bk = self.buckets[i]
                lo, hi = max(a, bk.idx * step), min(b, (bk.idx + 1) * step)
                if lo >= b:
                    break
                if hi > lo:
                    bk.time += hi - lo
                i += 1
        elif self.kind != SELECTION:
            bk = self.buckets[-1]
            lo = max(a, math.floor(bk.start))
            if b > lo:
                bk.time += b - lo

    def action_done(self, a: int | None, b: int, d: int, in_range: bool, cv: float | None) -> None:
        """An action completed (durable: span [a, b); instantaneous: a is None, d carried)."""
        if self.kind == SELECTION:
            bk = Bucket(b)
            bk.number, bk.time = 1, d
            bk.complete(d, in_range, cv)
            self.buckets.append(bk)
            return
        bk = self.buckets[-1]
        bk.number += 1
        if a is None:
            bk.time += d
        else:
            self.span(a, b)
        bk.complete(d, in_range, cv)

    def status_done(self, a: int, b: int, d: int, in_range: bool) -> None:
        self.span(a, b)
        if self.kind != SELECTION:
            self.buckets[-1].complete(d, in_range, None)

    # -- reading -------------------------------------------------------------------------------
    def totals(self, now: float) -> Totals:
        self.roll(now, inclusive=False)
        if self.kind == SLIDING:
            p = self.profile
            first = math.ceil(now / p.step) - p.buckets
            buckets = [b for b in self.buckets if b.idx >= first]
        else:
            buckets = self.buckets
        tot = Totals(buckets, self.agg.n)
        if self.kind != SELECTION:
            dt = now - self.last
            if dt > 0 and self.agg.n:
                tot.area_n += self.agg.n * dt
                tot.area_t += dt * (self.agg.n * (now + self.last) / 2.0 - self.agg.sum_starts)
        return tot


class Running:
    """A matching record in progress (or an open filtered stretch of one)."""

    __slots__ = ("name", "start", "span_start", "conn", "cv")

    def __init__(self, name: str, start: float, span_start: float, conn: str | None, cv: float | None):
        self.name = name              # action or status name (CurrentState trees)
        self.start = start            # when the record started (current categories)
        self.span_start = span_start  # when it started to match (historical time)
        self.conn = conn
        self.cv = cv


class Agg:
    """Aggregates of one mask (with its filter and range) of one statistic."""

    __slots__ = ("windows", "running", "n", "sum_starts", "since", "status", "range", "_left", "track")

    def __init__(self, profiles: tuple[TimeProfile, ...], t_open: float, status: bool, rng: TimeRange,
                 track: bool = True):
        self.running: dict[Any, Running] = {}
        self.n = 0
        self.sum_starts = 0.0
        self.since: float | None = None     # CurrentContinuousTime: running count > 0 since
        self.status = status                # records are status episodes (else actions)
        self.range = rng
        self._left: tuple[float, float] | None = None   # (when the count fell to 0, since)
        self.track = track       # keep the CurrentNumber history (MaxNumber, AverageOfCurrent...)
        self.windows = [Window(p, self, t_open) for p in profiles]

    def open(self, key: Any, name: str, t: float, start: float, conn: str | None,
             cv: float | None) -> None:
        running = self.running
        if key in running:
            return
        windows = self.windows
        track = self.track
        for w in windows:
            if t >= w.boundary:
                w.roll(t, inclusive=True)
            if track:
                w.flush(t)
        running[key] = Running(name, start, t, conn, cv)
        self.n += 1
        self.sum_starts += start
        if self.n == 1:
            # a status change that stays inside the mask (close + open at one instant) does not
            # break the continuous time (CurrentContinuousTime, stat-types.md §4.4)
            left = self._left
            self.since = left[1] if left is not None and left[0] == t else t
        if windows:
            status = self.status
            for w in windows:
                if track:
                    w.number_changed()
                if status:
                    w.count()

    def close(self, key: Any, t: float) -> Running | None:
        r = self.running.pop(key, None)
        if r is None:
            return None
        windows = self.windows
        track = self.track
        for w in windows:
            if t >= w.boundary:
                w.roll(t, inclusive=True)
            if track:
                w.flush(t)
        self.n -= 1
        self.sum_starts -= r.start
        if self.n == 0:
            if self.since is not None:
                self._left = (t, self.since)
            self.since = None
            self.sum_starts = 0.0
        if windows:
            a, b = math.floor(r.span_start), math.floor(t)
            d = b - a if b > a else 0
            in_range = self.range.low <= d < self.range.high
            for w in windows:
                if track:
                    w.number_changed()
                if self.status:
                    w.status_done(a, b, d, in_range)
                else:
                    w.action_done(a, b, d, in_range, r.cv)
        return r

    def instant(self, t: float, duration: float | None, cv: float | None) -> None:
        """A momentary (duration None / 0) or retrospective action."""
        windows = self.windows
        if not windows:
            return
        for w in windows:
            if t >= w.boundary:
                w.roll(t, inclusive=True)
        d = 0
        if duration:
            d = max(0, math.floor(t) - math.floor(round(t - duration, 6)))
        in_range = self.range.low <= d < self.range.high
        b = math.floor(t)
        for w in windows:
            w.action_done(None, b, d, in_range, cv)

    def login(self, t: float) -> None:
        for w in self.windows:
            if w.kind == SINCE_LOGIN:
                w.reset(t)

    # -- current aggregates ----------------------------------------------------------------------
    def ages(self, now: float) -> list[int]:
        fn = math.floor(now)
        return [fn - math.floor(r.start) for r in self.running.values()]

    def running_status_time(self, now: float, t0: float) -> int:
        """Elapsed whole seconds within [t0, now] of the status stretches in progress."""
        if not self.status or not self.running:
            return 0
        fn, f0 = math.floor(now), math.floor(t0)
        return sum(max(0, fn - max(math.floor(r.span_start), f0)) for r in self.running.values())
