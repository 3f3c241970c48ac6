"""Aggregates: what a statistic keeps so that any category can be read at any instant.

One :class:`Agg` per mask of a statistic (MainMask, RelMask, and the fixed masks of compound
categories). It holds

* the **running** records that match (durable actions in progress, status episodes in progress,
  or - with a filter - the open stretches during which the filter is true): the current
  categories read them (docs/reference/stat-types.md §4.4);
* one window per time profile, holding the **historical** aggregates of the interval:
  a single bucket for Growing and SinceLogin (emptied at each reset / login), per-step buckets for
  Sliding, one bucket per completed record for Selection (docs/reference/stat-types.md §6).

Nothing grows with the number of records: buckets are bounded by the profile, running records
by what is in progress now. What all the Aggs of one aggregate spec share (profiles, whether
records are statuses, the time range, the opening instant) is one :class:`Shape`; an Agg creates
its windows at the first record that reaches it (until then its historical aggregates are those
of an empty interval, computed on demand), so objects without activity cost little memory.

Time rules (docs/reference/stat-types.md §3): durations are whole seconds, milliseconds dropped from both
timestamps before subtracting; a status in progress contributes its elapsed time to TotalTime
(added at query time), an action in progress contributes nothing until it ends; a retrospective
action adds its full carried duration at the instant it occurs (Q2); the adjusted aggregates take
the full, unprojected duration of records that ended in the interval.

The module is compiled with mypyc (setup.py): the classes are native classes with typed
attributes, so keep the annotations exact.
"""

from __future__ import annotations

import math
from collections import deque
from typing import Any, Final

from sim.statserver.stats.profiles import (
    GROWING,
    SELECTION,
    SINCE_LOGIN,
    SLIDING,
    TimeProfile,
    TimeRange,
)

INF: Final = math.inf


def carried_seconds(t: float, duration: float | None) -> int:
    """The whole seconds of an action carrying ``duration`` that ends at ``t`` (0 if none):
    milliseconds dropped from both ends, its start rounded to the microsecond first."""
    if not duration:
        return 0
    start = t - duration
    first = math.floor(start)
    if start - first > 0.999:
        # near the next second, rounding can carry over; elsewhere round(start, 6) (slow: it
        # goes through a decimal conversion) has the same floor
        first = math.floor(round(start, 6))
    return max(0, math.floor(t) - first)


class Bucket:
    """Historical aggregates of one stretch of time (or, for Selection, of one record)."""

    # (mypyc ignores __slots__; they keep the interpreted objects small)
    __slots__ = ("start", "idx", "number", "time", "adj_number", "adj_time", "max_time", "min_time",
                 "n_range", "t_range", "cv_total", "cv_max", "cv_min", "area_n", "area_t",
                 "max_n", "min_n")

    def __init__(self, start: float, n: int = 0, idx: int = 0) -> None:
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
        max_time = self.max_time
        if max_time is None or d > max_time:
            self.max_time = d
        min_time = self.min_time
        if min_time is None or d < min_time:
            self.min_time = d
        if in_range:
            self.n_range += 1
            self.t_range += d
        if cv is not None:
            self.cv_total += cv
            cv_max = self.cv_max
            if cv_max is None or cv > cv_max:
                self.cv_max = cv
            cv_min = self.cv_min
            if cv_min is None or cv < cv_min:
                self.cv_min = cv


def _max(a: Any, b: Any) -> Any:
    return b if a is None else (a if b is None else max(a, b))


def _min(a: Any, b: Any) -> Any:
    return b if a is None else (a if b is None else min(a, b))


class Totals:
    """The sum of the buckets of a window at a query instant (read by the categories)."""

    def __init__(self, buckets: list[Bucket], n_now: int) -> None:
        self.number = self.time = self.adj_number = self.adj_time = 0
        self.n_range = self.t_range = 0
        self.cv_total = 0.0
        self.area_n = self.area_t = 0.0
        self.max_time: int | None = None
        self.min_time: int | None = None
        self.cv_max: float | None = None
        self.cv_min: float | None = None
        max_n: int | None = None
        min_n: int | None = None
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
            max_n, min_n = _max(max_n, b.max_n), _min(min_n, b.min_n)
        self.max_n: int = n_now if max_n is None else max_n
        self.min_n: int = n_now if min_n is None else min_n


class Shape:
    """What the Aggs of one aggregate spec share: profiles, record kind, time range, opening."""

    __slots__ = ("profiles", "status", "low", "high", "track", "t_open", "since_login")

    def __init__(self, profiles: tuple[TimeProfile, ...], status: bool, rng: TimeRange) -> None:
        self.profiles = profiles
        self.status = status            # records are status episodes (else actions)
        self.low = rng.low              # the time range [low, high) of the ...InTimeRange categories
        self.high = rng.high
        self.track = False              # keep the CurrentNumber history (MaxNumber, AverageOfCurrent...)
        self.t_open = 0.0               # when the statistics were opened (set by the engine)
        self.since_login = any(p.kind == SINCE_LOGIN for p in profiles)


class Window:
    """The historical aggregates of one time profile for one mask of one statistic.

    ``cur`` is the bucket records go to now (None for Selection); ``last`` the instant up to
    which the CurrentNumber / CurrentTime integrals have been added to it; ``boundary`` the next
    reset or bucket change (inf if none). The subclasses are the profile kinds. The Agg passes
    its running count ``n`` (and the sum of the running starts) where they are needed.
    """

    __slots__ = ("profile", "t_open", "last", "boundary", "cur", "next")

    def __init__(self, profile: TimeProfile, t_open: float, cur: Bucket | None) -> None:
        self.profile = profile
        self.t_open = t_open
        self.last = t_open
        self.boundary = INF
        self.cur = cur
        # the Agg's window of the next profile: an Agg's windows are a chain, not a list (one
        # object less to reach per update; the shipped stat types have one profile each)
        self.next: Window | None = None

    # -- time passing ------------------------------------------------------------------------
    def flush(self, t: float, n: int, sum_starts: float) -> None:
        """Integrate CurrentNumber / CurrentTime from ``last`` to ``t`` into the current bucket."""
        b = self.cur
        dt = t - self.last
        if dt > 0 and b is not None:
            if n:
                b.area_n += n * dt
                b.area_t += dt * (n * (t + self.last) / 2.0 - sum_starts)
            self.last = t

    def roll(self, t: float, inclusive: bool, n: int, sum_starts: float) -> None:
        """Apply the resets / bucket changes due at ``t`` (at ``t`` itself too if inclusive)."""

    def reset(self, t: float, n: int, sum_starts: float) -> None:
        """SinceLogin: a login starts a new interval at ``t``."""

    def t0(self, now: float) -> float:
        return self.t_open

    # -- updates (the caller has rolled to t) --------------------------------------------------
    def number_changed(self, n: int) -> None:
        b = self.cur
        if b is not None:
            if n > b.max_n:
                b.max_n = n
            if n < b.min_n:
                b.min_n = n

    def count(self) -> None:
        """A status episode (or filtered stretch) started: TotalNumber of statuses (Q1)."""
        b = self.cur
        if b is not None:
            b.number += 1

    def span(self, a: int, b: int) -> None:
        """Add the whole seconds [a, b) of a record to the buckets they fall in (projection)."""

    def action_done(self, a: int | None, b: int, d: int, in_range: bool, cv: float | None) -> None:
        """An action completed (durable: span [a, b); instantaneous: a is None, d carried)."""
        bk = self.cur
        if bk is None:
            return
        bk.number += 1
        if a is None:
            bk.time += d
        else:
            self.span(a, b)
        bk.complete(d, in_range, cv)

    def status_done(self, a: int, b: int, d: int, in_range: bool) -> None:
        self.span(a, b)
        bk = self.cur
        if bk is not None:
            bk.complete(d, in_range, None)

    # -- reading -------------------------------------------------------------------------------
    def buckets_at(self, now: float) -> list[Bucket]:
        """The buckets of the interval at ``now`` (the caller has rolled to ``now``)."""
        return []

    def totals(self, now: float, n: int, sum_starts: float) -> Totals:
        self.roll(now, False, n, sum_starts)
        tot = Totals(self.buckets_at(now), n)
        if self.cur is not None:
            dt = now - self.last
            if dt > 0 and n:
                tot.area_n += n * dt
                tot.area_t += dt * (n * (now + self.last) / 2.0 - sum_starts)
        return tot


class GrowingWindow(Window):
    """Growing and SinceLogin: one bucket, replaced at each reset point (or login)."""

    __slots__ = ()

    def __init__(self, profile: TimeProfile, t_open: float) -> None:
        super().__init__(profile, t_open, Bucket(t_open))
        if profile.kind == GROWING:
            self.boundary = profile.next_reset(t_open)

    def roll(self, t: float, inclusive: bool, n: int, sum_starts: float) -> None:
        while t > self.boundary or (inclusive and t == self.boundary):
            at = self.boundary
            self.flush(at, n, sum_starts)
            self.cur = Bucket(at, n)
            self.boundary = self.profile.next_reset(at)

    def reset(self, t: float, n: int, sum_starts: float) -> None:
        self.flush(t, n, sum_starts)
        self.cur = Bucket(t, n)

    def t0(self, now: float) -> float:
        bk = self.cur
        assert bk is not None
        return bk.start

    def span(self, a: int, b: int) -> None:
        bk = self.cur
        assert bk is not None
        lo = max(a, math.floor(bk.start))
        if b > lo:
            bk.time += b - lo

    def buckets_at(self, now: float) -> list[Bucket]:
        bk = self.cur
        assert bk is not None
        return [bk]


class SlidingWindow(Window):
    """Sliding: the buckets of ``step`` seconds that overlap the last ``length`` seconds."""

    __slots__ = ("step", "n_buckets", "buckets")

    def __init__(self, profile: TimeProfile, t_open: float) -> None:
        step = profile.step
        idx = math.floor(t_open / step)
        first = Bucket(t_open, 0, idx)
        super().__init__(profile, t_open, first)
        self.step = step
        self.n_buckets = profile.buckets
        self.buckets = [first]
        self.boundary = float((idx + 1) * step)

    def roll(self, t: float, inclusive: bool, n: int, sum_starts: float) -> None:
        step, count = self.step, self.n_buckets
        buckets = self.buckets
        while t > self.boundary or (inclusive and t == self.boundary):
            self.flush(self.boundary, n, sum_starts)
            idx = buckets[-1].idx + 1
            target = math.floor(t / step) if inclusive else math.ceil(t / step) - 1
            if target - idx > count:      # a long gap: buckets before the window never matter
                idx = target - count
                buckets.clear()
                self.last = float(idx * step)
            bk = Bucket(idx * step, n, idx)
            buckets.append(bk)
            self.cur = bk
            while buckets[0].idx <= idx - count:
                del buckets[0]
            self.boundary = float((idx + 1) * step)

    def t0(self, now: float) -> float:
        return max(self.t_open, (math.ceil(now / self.step) - self.n_buckets) * self.step)

    def span(self, a: int, b: int) -> None:
        step = self.step
        buckets = self.buckets
        a = max(a, math.floor(self.t_open))
        i = max(0, (a // step) - buckets[0].idx)
        while i < len(buckets):
            bk = buckets[i]
            lo, hi = max(a, bk.idx * step), min(b, (bk.idx + 1) * step)
            if lo >= b:
                break
            if hi > lo:
                bk.time += hi - lo
            i += 1

    def buckets_at(self, now: float) -> list[Bucket]:
        first = math.ceil(now / self.step) - self.n_buckets
        return [b for b in self.buckets if b.idx >= first]


class SelectionWindow(Window):
    """Selection: the last N completed records, one bucket each (no time, no integrals)."""

    __slots__ = ("records",)

    def __init__(self, profile: TimeProfile, t_open: float) -> None:
        super().__init__(profile, t_open, None)
        self.records: deque[Bucket] = deque(maxlen=profile.count)

    def action_done(self, a: int | None, b: int, d: int, in_range: bool, cv: float | None) -> None:
        bk = Bucket(b)
        bk.number, bk.time = 1, d
        bk.complete(d, in_range, cv)
        self.records.append(bk)

    def buckets_at(self, now: float) -> list[Bucket]:
        return list(self.records)


def make_window(profile: TimeProfile, t_open: float) -> Window:
    if profile.kind == SLIDING:
        return SlidingWindow(profile, t_open)
    if profile.kind == SELECTION:
        return SelectionWindow(profile, t_open)
    return GrowingWindow(profile, t_open)


class Running:
    """A matching record in progress (or an open filtered stretch of one)."""

    __slots__ = ("name", "start", "span_start", "conn", "cv")

    def __init__(self, name: str, start: float, span_start: float, conn: str | None,
                 cv: float | None) -> None:
        self.name = name              # action or status name (CurrentState trees)
        self.start = start            # when the record started (current categories)
        self.span_start = span_start  # when it started to match (historical time)
        self.conn = conn
        self.cv = cv


def _same(k0: Any, key: Any) -> bool:
    """Two running keys are the same record: an instance id (int) by value, a status episode
    (its ObjectStatus) by identity, without a rich comparison (the usual case: not the same)."""
    return k0 is key or (type(key) is int and k0 == key)


class Agg:
    """Aggregates of one mask (with its filter and range) of one statistic."""

    __slots__ = ("shape", "k0", "r0", "more", "n", "sum_starts", "since", "left_at", "left_since",
                 "w0", "last_login")

    def __init__(self, shape: Shape) -> None:
        self.shape = shape
        # The records running on it, by running key, in the order they started: the oldest in
        # the Agg itself (k0, r0: an agent's Aggs rarely have more than one, and a dict of its
        # own would cost each update a few cache misses on a big center), the others in
        # ``more``. r0 is only filled while ``more`` is empty, so it is always the oldest.
        self.k0: Any = None
        self.r0: Running | None = None
        self.more: dict[Any, Running] | None = None
        self.n = 0
        self.sum_starts = 0.0
        self.since: float | None = None     # CurrentContinuousTime: running count > 0 since
        # When the running count last fell to 0, and the since it had then: a status change
        # that stays inside the mask (close + open at one instant) does not break the
        # continuous time (CurrentContinuousTime, docs/reference/stat-types.md §4.4).
        self.left_at = -INF
        self.left_since = 0.0
        # One window per profile (a chain from w0), created at the first record: until then
        # the historical aggregates are those of an empty interval (see _fresh_windows).
        self.w0: Window | None = None
        self.last_login = -INF              # SinceLogin: the last login before the windows exist

    def _fresh_windows(self) -> Window | None:
        """The windows as they are while no record has reached this Agg: empty since the
        opening (or, for SinceLogin, since the last login). None if it has no profile."""
        shape = self.shape
        first: Window | None = None
        for p in reversed(shape.profiles):
            w = make_window(p, shape.t_open)
            if self.last_login > -INF and p.kind == SINCE_LOGIN:
                w.reset(self.last_login, 0, 0.0)
            w.next = first
            first = w
        return first

    def _windows(self) -> Window | None:
        """The first window, made at the first record (None if the Agg has no profile)."""
        w0 = self.w0
        if w0 is None and self.shape.profiles:
            w0 = self.w0 = self._fresh_windows()
        return w0

    def _roll(self, w: Window | None, t: float) -> None:
        """Apply the resets due at ``t`` (and flush the integrals if tracked) before a change."""
        track = self.shape.track
        n, sum_starts = self.n, self.sum_starts
        while w is not None:
            if t >= w.boundary:
                w.roll(t, True, n, sum_starts)
            if track:
                w.flush(t, n, sum_starts)
            w = w.next

    def open(self, key: Any, run: Running) -> None:
        """Record ``key`` starts matching at ``run.span_start`` (``run`` may be shared by the
        Aggs a record reaches: it is never changed)."""
        if self.r0 is not None and _same(self.k0, key):
            return
        more = self.more
        if more is not None and key in more:
            return
        t, start = run.span_start, run.start
        w = self._windows()
        if w is not None:
            self._roll(w, t)
        self._add(key, run)
        n = self.n = self.n + 1
        self.sum_starts += start
        if n == 1:
            self.since = self.left_since if self.left_at == t else t
        if w is not None:
            shape = self.shape
            track, status = shape.track, shape.status
            while w is not None:
                if track:
                    w.number_changed(n)
                if status:
                    w.count()
                w = w.next

    def _add(self, key: Any, run: Running) -> None:
        """Put ``key`` last in the running order."""
        more = self.more
        if self.r0 is None and not more:
            self.k0, self.r0 = key, run
        elif more is None:
            self.more = {key: run}
        else:
            more[key] = run

    def _remove(self, key: Any) -> Running | None:
        """Take ``key`` out of the running records (None if it is not running)."""
        r = self.r0
        if r is not None and _same(self.k0, key):
            self.k0 = self.r0 = None
            return r
        more = self.more
        if more is None:
            return None
        r = more.get(key)           # get + del: mypyc has no primitive for dict.pop
        if r is not None:
            del more[key]
        return r

    def runs(self) -> list[Running]:
        """The running records, oldest first."""
        r0, more = self.r0, self.more
        out = [] if r0 is None else [r0]
        if more:
            out.extend(more.values())
        return out

    def running_items(self) -> list[tuple[Any, Running]]:
        """(running key, record) pairs, oldest first."""
        r0, more = self.r0, self.more
        out: list[tuple[Any, Running]] = [] if r0 is None else [(self.k0, r0)]
        if more:
            out.extend(more.items())
        return out

    def close(self, key: Any, t: float) -> None:
        r = self._remove(key)
        if r is None:
            return
        w = self._windows()
        if w is not None:
            self._roll(w, t)
        n = self.n = self.n - 1
        self.sum_starts -= r.start
        if n == 0:
            since = self.since
            if since is not None:
                self.left_at, self.left_since = t, since
            self.since = None
            self.sum_starts = 0.0
        if w is not None:
            shape = self.shape
            a, b = math.floor(r.span_start), math.floor(t)
            d = b - a if b > a else 0
            in_range = shape.low <= d < shape.high
            track, status = shape.track, shape.status
            while w is not None:
                if track:
                    w.number_changed(n)
                if status:
                    w.status_done(a, b, d, in_range)
                else:
                    w.action_done(a, b, d, in_range, r.cv)
                w = w.next

    def switch(self, key: Any, run: Running) -> None:
        """``close(key, t)`` then ``open(key, run)`` at ``t = run.span_start``, in one pass: a
        status change between two statuses of the mask. The windows roll once (the second
        roll of the pair is a no-op at the same instant); the episode is still counted as two
        (TotalNumber of statuses, Q1) and the running count still dips for MaxNumber /
        MinNumber."""
        old = self._remove(key)     # re-added below: the running order stays as close + open
        if old is None:
            self.open(key, run)
            return
        t = run.span_start
        w = self._windows()
        if w is not None:
            self._roll(w, t)
            shape = self.shape
            a, b = math.floor(old.span_start), math.floor(t)
            d = b - a if b > a else 0
            in_range = shape.low <= d < shape.high
            track, status, n = shape.track, shape.status, self.n
            while w is not None:
                if track:
                    w.number_changed(n - 1)
                if status:
                    w.status_done(a, b, d, in_range)
                else:
                    w.action_done(a, b, d, in_range, old.cv)
                if track:
                    w.number_changed(n)
                if status:
                    w.count()
                w = w.next
        self._add(key, run)
        # the count stays n; CurrentContinuousTime goes on (left and re-entered at t)
        if self.n == 1:
            since = self.since
            if since is not None:            # as the close would have set them
                self.left_at, self.left_since = t, since
            self.sum_starts = run.start
        else:
            self.sum_starts = self.sum_starts - old.start + run.start

    def instant(self, t: float, d: int, cv: float | None) -> None:
        """A momentary (``d`` 0) or retrospective action (``d``: its carried_seconds)."""
        first = self._windows()
        if first is None:
            return
        n, sum_starts = self.n, self.sum_starts
        w: Window | None = first
        while w is not None:
            if t >= w.boundary:
                w.roll(t, True, n, sum_starts)
            w = w.next
        shape = self.shape
        in_range = shape.low <= d < shape.high
        b = math.floor(t)
        w = first
        while w is not None:
            w.action_done(None, b, d, in_range, cv)
            w = w.next

    def login(self, t: float) -> None:
        w = self.w0
        if w is None:
            self.last_login = t       # applied when the windows are created
            return
        n, sum_starts = self.n, self.sum_starts
        while w is not None:
            if w.profile.kind == SINCE_LOGIN:
                w.reset(t, n, sum_starts)
            w = w.next

    def idle(self) -> bool:
        """No record has reached it and none runs: every category reads it as an empty
        interval with nothing in progress, whatever the object (a notification computes such
        values once per stat type and object type)."""
        return self.n == 0 and self.w0 is None

    # -- historical aggregates (read by the categories) --------------------------------------------
    def window(self, index: int) -> Window:
        """The window of profile ``index``; a throwaway empty one if no record came yet (reading
        does not make an idle Agg bigger)."""
        w = self.w0 if self.w0 is not None else self._fresh_windows()
        for _ in range(index):
            if w is None:
                break
            w = w.next
        if w is None:
            raise IndexError(index)
        return w

    def totals(self, window: Window, now: float) -> Totals:
        return window.totals(now, self.n, self.sum_starts)

    # -- current aggregates ----------------------------------------------------------------------
    def ages(self, now: float) -> list[int]:
        fn = math.floor(now)
        return [fn - math.floor(r.start) for r in self.runs()]

    def running_status_time(self, now: float, t0: float) -> int:
        """Elapsed whole seconds within [t0, now] of the status stretches in progress."""
        if not self.shape.status or not self.n:
            return 0
        fn, f0 = math.floor(now), math.floor(t0)
        total = 0
        for r in self.runs():
            total += max(0, fn - max(math.floor(r.span_start), f0))
        return total
