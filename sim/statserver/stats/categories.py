"""The categories: how a statistic's value is computed from its aggregates.

One table, :data:`CATEGORIES`, maps each category name to its kind and its formula, written
as close as possible to the definitions of docs/reference/stat-types.md §4.3 (historical), §4.4 (current),
§4.5 (ServiceFactor1), §4.6 (custom values) and §4.7 (current state). A formula receives a
:class:`Value` view: ``v.main`` / ``v.rel`` / ``v.aux`` are the aggregates of MainMask, RelMask
and the fixed mask of a compound category; ``v.elapsed`` is ``now - t0``.

Divisions by zero give 0 (docs/reference/stat-types.md §3).

The module is compiled with mypyc (setup.py): a notification builds a Value per row, so the
views are native classes that compute what a formula reads on first use (no
``cached_property``: mypyc does not support it).
"""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Final

from sim.statserver.stats.aggregates import Agg, Totals, Window

HISTORICAL: Final = "historical"
CURRENT: Final = "current"
STATE: Final = "state"
NO: Final = "no"
OPTIONAL: Final = "optional"
REQUIRED: Final = "required"


def div(a: float, b: float) -> float:
    return a / b if b else 0.0


class AggValue:
    """The aggregates of one mask, read at ``now`` for one time profile (-1: none, current
    categories). Totals, t0 and the ages of the running records are computed on first use."""

    def __init__(self, agg: Agg, window_index: int, now: float) -> None:
        self.agg = agg
        self.now = now
        self.window: Window | None = agg.window(window_index) if window_index >= 0 else None
        self._t0: float | None = None
        self._totals: Totals | None = None
        self._ages: list[int] | None = None

    @property
    def t0(self) -> float:
        t0 = self._t0
        if t0 is None:
            window = self.window
            t0 = self._t0 = window.t0(self.now) if window is not None else self.now
        return t0

    @property
    def _tot(self) -> Totals:
        tot = self._totals
        if tot is None:
            window = self.window
            assert window is not None       # only historical categories read totals
            tot = self._totals = self.agg.totals(window, self.now)
        return tot

    # historical base aggregates (§4.2)
    @property
    def number(self) -> int:
        return self._tot.number

    @property
    def time(self) -> int:
        return self._tot.time + self.agg.running_status_time(self.now, self.t0)

    @property
    def adj_number(self) -> int:
        return self._tot.adj_number

    @property
    def adj_time(self) -> int:
        return self._tot.adj_time

    @property
    def max_time(self) -> int:
        return self._tot.max_time or 0

    @property
    def min_time(self) -> int:
        return self._tot.min_time or 0

    @property
    def max_number(self) -> int:
        return self._tot.max_n

    @property
    def min_number(self) -> int:
        return self._tot.min_n

    @property
    def number_in_range(self) -> int:
        return self._tot.n_range

    @property
    def time_in_range(self) -> int:
        return self._tot.t_range

    @property
    def number_integral(self) -> float:
        return self._tot.area_n

    @property
    def time_integral(self) -> float:
        return self._tot.area_t

    @property
    def custom_total(self) -> float:
        return self._tot.cv_total

    @property
    def custom_max(self) -> float:
        return self._tot.cv_max or 0.0

    @property
    def custom_min(self) -> float:
        return self._tot.cv_min or 0.0

    # current aggregates (§4.4)
    @property
    def current_number(self) -> int:
        return self.agg.n

    @property
    def ages(self) -> list[int]:
        ages = self._ages
        if ages is None:
            ages = self._ages = self.agg.ages(self.now)
        return ages

    @property
    def current_time(self) -> int:
        return sum(self.ages)

    def current_number_in_range(self, low: int, high: int) -> int:
        return sum(1 for a in self.ages if low <= a < high)

    @property
    def continuous_time(self) -> int:
        since = self.agg.since
        return 0 if since is None else math.floor(self.now) - math.floor(since)

    @property
    def distinct_number(self) -> int:
        return len({r.conn for r in self.agg.runs() if r.conn is not None})

    def current_values(self, dist_by_conn: bool) -> list[Any]:
        if dist_by_conn:
            by_conn: dict[Any, Any] = {}
            for key, r in self.agg.running_items():
                cv = r.cv
                if cv is not None:
                    by_conn[r.conn if r.conn is not None else key] = cv
            return list(by_conn.values())
        return [r.cv for r in self.agg.runs() if r.cv is not None]


class Value:
    """What a category formula sees: the masks' aggregates at ``now`` for one profile.
    ``rel`` / ``aux`` are read only by categories whose stat types have that mask (the loader
    requires RelMask where a category needs it); without one they are ``main``."""

    def __init__(self, aggs: list[Agg], window_index: int, now: float, stat_type: Any) -> None:
        self.st: Any = stat_type
        self.now = now
        self.main = main = AggValue(aggs[0], window_index, now)
        self.rel = AggValue(aggs[1], window_index, now) if stat_type.rel_mask is not None else main
        self.aux = AggValue(aggs[-1], window_index, now) if stat_type.category.aux_mask else main

    @property
    def elapsed(self) -> float:
        return self.now - self.main.t0

    @property
    def range(self) -> Any:
        return self.st.time_range

    @property
    def rel_or_main(self) -> AggValue:
        return self.rel


@dataclass(frozen=True)
class Category:
    kind: str                              # HISTORICAL | CURRENT | STATE
    value: Callable[[Value], Any] | None   # None for STATE (computed by the engine)
    rel: str = NO                          # RelMask: NO (ignored) | OPTIONAL | REQUIRED
    aux_mask: tuple[str, ...] = ()         # fixed mask of a compound category
    uses_interval: bool = False            # needs now - t0 (not with Selection)
    custom: bool = False                   # needs Formula (custom-value category)
    subject: str | None = None             # required subject, if any


def _average_time(v: Value) -> float:
    if v.st.average_time_base == "Adjusted":          # Q3 switch
        return div(v.main.adj_time, v.main.adj_number)
    return div(v.main.time, v.main.number)


def _relative_number(v: Value) -> float:
    main = v.main.number_in_range if v.st.explicit_range else v.main.number
    return 100.0 * div(main, v.rel.number)


def _service_factor1(v: Value) -> float:
    # 100 x N_ans[a, b) / (N_ans + N_ab(d >= a))  (§4.5, Q8); aux = CallAbandoned over [a, inf)
    return 100.0 * div(v.main.number_in_range, v.main.number + v.aux.number_in_range)


def _cur(values: list[Any], how: str) -> Any:
    if not values:
        return 0.0
    if how == "sum":
        return sum(values)
    if how == "max":
        return max(values)
    if how == "min":
        return min(values)
    return sum(values) / len(values)


H: Final = HISTORICAL
C: Final = CURRENT
CATEGORIES: dict[str, Category] = {
    # --- historical (§4.3) ---------------------------------------------------------------------
    "TotalNumber": Category(H, lambda v: v.main.number),
    "TotalAdjustedNumber": Category(H, lambda v: v.main.adj_number),
    "TotalTime": Category(H, lambda v: v.main.time),
    "TotalAdjustedTime": Category(H, lambda v: v.main.adj_time),
    "AverageTime": Category(H, _average_time),
    "MaxTime": Category(H, lambda v: v.main.max_time),
    "MinTime": Category(H, lambda v: v.main.min_time),
    "MaxNumber": Category(H, lambda v: v.main.max_number, uses_interval=True),
    "MinNumber": Category(H, lambda v: v.main.min_number, uses_interval=True),
    "ElapsedTimePercentage": Category(H, lambda v: 100.0 * div(v.main.time, v.elapsed), uses_interval=True),
    "RelativeTimePercentage": Category(H, lambda v: 100.0 * div(v.main.time, v.rel.time), rel=REQUIRED),
    "RelativeNumberPercentage": Category(H, _relative_number, rel=REQUIRED),
    "TotalNumberInTimeRange": Category(H, lambda v: v.main.number_in_range),
    "TotalNumberInTimeRangePercentage": Category(
        H, lambda v: 100.0 * div(v.main.number_in_range, v.rel_or_main.number), rel=OPTIONAL),
    "TotalTimeInTimeRange": Category(H, lambda v: v.main.time_in_range),
    "TotalNumberPerSecond": Category(H, lambda v: div(v.main.number, v.elapsed), uses_interval=True),
    "AverageNumberPerRelativeHour": Category(
        H, lambda v: div(v.main.number, v.rel.time / 3600.0), rel=REQUIRED),
    "AverageOfCurrentNumber": Category(
        H, lambda v: div(v.main.number_integral, v.elapsed), uses_interval=True),
    "AverageOfCurrentTime": Category(
        H, lambda v: div(v.main.time_integral, v.elapsed), uses_interval=True),
    # --- compound (§4.5) -----------------------------------------------------------------------
    "ServiceFactor1": Category(H, _service_factor1, aux_mask=("CallAbandoned",), subject="DNAction"),
    # --- historical custom values (§4.6) -------------------------------------------------------
    "TotalCustomValue": Category(H, lambda v: v.main.custom_total, custom=True, subject="DNAction"),
    "AverageCustomValue": Category(H, lambda v: div(v.main.custom_total, v.main.number), custom=True,
                                   subject="DNAction"),
    "MaxCustomValue": Category(H, lambda v: v.main.custom_max, custom=True, subject="DNAction"),
    "MinCustomValue": Category(H, lambda v: v.main.custom_min, custom=True, subject="DNAction"),
    # --- current (§4.4) ------------------------------------------------------------------------
    "CurrentNumber": Category(C, lambda v: v.main.current_number),
    "CurrentTime": Category(C, lambda v: v.main.current_time),
    "CurrentMaxTime": Category(C, lambda v: max(v.main.ages, default=0)),
    "CurrentMinTime": Category(C, lambda v: min(v.main.ages, default=0)),
    "CurrentAverageTime": Category(C, lambda v: div(v.main.current_time, v.main.current_number)),
    "CurrentRelativeNumberPercentage": Category(
        C, lambda v: 100.0 * div(v.main.current_number, v.rel.current_number), rel=REQUIRED),
    "CurrentRelativeTimePercentage": Category(
        C, lambda v: 100.0 * div(v.main.current_time, v.rel.current_time), rel=REQUIRED),
    "CurrentContinuousTime": Category(C, lambda v: v.main.continuous_time),
    "CurrentNumberInTimeRange": Category(
        C, lambda v: v.main.current_number_in_range(v.range.low, v.range.high)),
    "CurrentNumberInTimeRangePercentage": Category(
        C, lambda v: 100.0 * div(v.main.current_number_in_range(v.range.low, v.range.high),
                                 v.rel_or_main.current_number), rel=OPTIONAL),
    "CurrentDistinctNumber": Category(C, lambda v: v.main.distinct_number),
    # --- current custom values (§4.6) ----------------------------------------------------------
    "CurrentCustomValue": Category(C, lambda v: _cur(v.main.current_values(v.st.dist_by_conn), "sum"),
                                   custom=True, subject="DNAction"),
    "CurrentAverageCustomValue": Category(C, lambda v: _cur(v.main.current_values(v.st.dist_by_conn), "avg"),
                                          custom=True, subject="DNAction"),
    "CurrentMaxCustomValue": Category(C, lambda v: _cur(v.main.current_values(v.st.dist_by_conn), "max"),
                                      custom=True, subject="DNAction"),
    "CurrentMinCustomValue": Category(C, lambda v: _cur(v.main.current_values(v.st.dist_by_conn), "min"),
                                      custom=True, subject="DNAction"),
    # --- current state (§4.7) ------------------------------------------------------------------
    "CurrentState": Category(STATE, None),
    "CurrentStateReasons": Category(STATE, None),
}

# Named in the vendor material but without a definition usable here (§4.4, §4.5, §4.8, §4.9).
NOT_IMPLEMENTED = frozenset((
    "EstimTimeToEndCurrentNumber", "EstimTimeToComplete", "RelativeNumber", "LoadBalance1",
    "LoadBalance", "TotalNumberErrors", "EstimWaitingTime", "EstimWaitTime", "ExpectedWaitTime2",
    "JavaCategory", "Formula", "CurrentTargetState", "TotalContinuousNumber", "TotalDistinctTime",
))
