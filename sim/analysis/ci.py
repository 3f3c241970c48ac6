"""Replication statistics: mean, standard deviation and Student-t confidence intervals.

A simulated KPI is checked against its analytic value by asking whether the value lies inside a
t-interval built from independent replications (docs/reference/capacity-references.md §8), and sweeps report
each point as mean ± half-width. The inputs are one value per replication; successive calls
inside one run are correlated, so they are never fed in one by one.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass

from scipy import stats


@dataclass(frozen=True)
class ConfidenceInterval:
    """Student-t interval for the mean of ``n`` replication values at confidence ``level``.

    With a single value the spread is unknown: ``std`` is nan and the interval is infinite.
    """

    mean: float
    half_width: float
    low: float
    high: float
    n: int
    level: float
    std: float  # sample standard deviation (n − 1 in the denominator)

    def __contains__(self, value: float) -> bool:
        return self.low <= value <= self.high

    @property
    def relative_half_width(self) -> float:
        """half_width / |mean| (inf when the mean is 0)."""
        return self.half_width / abs(self.mean) if self.mean else math.inf

    def __str__(self) -> str:
        return f"{self.mean:g} ± {self.half_width:g} ({100 * self.level:g} %, n = {self.n})"


def _values(values: Iterable[float]) -> list[float]:
    xs = [float(v) for v in values]
    if not xs:
        raise ValueError("no replication values")
    bad = [x for x in xs if not math.isfinite(x)]
    if bad:
        raise ValueError(f"replication values must be finite numbers, got {bad[0]}")
    return xs


def mean(values: Iterable[float]) -> float:
    """Arithmetic mean (exactly rounded sum)."""
    xs = _values(values)
    return math.fsum(xs) / len(xs)


def std(values: Iterable[float]) -> float:
    """Sample standard deviation with n − 1 degrees of freedom; nan for a single value."""
    xs = _values(values)
    if len(xs) < 2:
        return math.nan
    m = math.fsum(xs) / len(xs)
    return math.sqrt(math.fsum((x - m) ** 2 for x in xs) / (len(xs) - 1))


def confidence_interval(values: Iterable[float], level: float = 0.95) -> ConfidenceInterval:
    """Two-sided Student-t interval: mean ± t_{(1+level)/2, n−1} · s / √n."""
    level = float(level)
    if not 0.0 < level < 1.0:
        raise ValueError(f"confidence level must lie strictly between 0 and 1, got {level:g}")
    xs = _values(values)
    n = len(xs)
    m = mean(xs)
    if n < 2:
        return ConfidenceInterval(m, math.inf, -math.inf, math.inf, n, level, math.nan)
    s = std(xs)
    half = float(stats.t.ppf(0.5 + level / 2.0, n - 1)) * s / math.sqrt(n)
    return ConfidenceInterval(m, half, m - half, m + half, n, level, s)
