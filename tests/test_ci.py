"""Replication statistics (docs/reference/capacity-references.md §8: t-intervals from independent replications)."""

from __future__ import annotations

import math
import statistics

import numpy as np
import pytest
from hypothesis import given
from hypothesis import strategies as st
from scipy import stats

from sim.analysis.ci import ConfidenceInterval, confidence_interval, mean, std

finite = st.floats(-1e6, 1e6, allow_nan=False, allow_infinity=False)


def test_known_interval():
    """Mean ± t_{0.975, n−1}·s/√n, as scipy.stats.t.interval computes it."""
    xs = [0.0140, 0.0132, 0.0145, 0.0139, 0.0128, 0.0151, 0.0136, 0.0142]
    ci = confidence_interval(xs, 0.95)
    s = statistics.stdev(xs)
    low, high = stats.t.interval(0.95, len(xs) - 1, loc=statistics.fmean(xs), scale=s / math.sqrt(len(xs)))
    assert ci.n == 8 and ci.level == 0.95
    assert ci.mean == pytest.approx(statistics.fmean(xs), rel=1e-15)
    assert ci.std == pytest.approx(s, rel=1e-13)
    assert ci.low == pytest.approx(low, rel=1e-12)
    assert ci.high == pytest.approx(high, rel=1e-12)
    assert ci.half_width == pytest.approx((high - low) / 2, rel=1e-12)
    assert 0.0140 in ci and 0.02 not in ci
    assert "± " in str(ci) and "n = 8" in str(ci)


def test_hand_computed():
    """n = 3, values 1, 2, 3: s = 1, t_{0.975, 2} = 4.302653, half-width = 4.302653/√3."""
    ci = confidence_interval([1, 2, 3])
    assert ci.mean == 2.0 and ci.std == 1.0
    assert ci.half_width == pytest.approx(4.302653 / math.sqrt(3), rel=1e-6)  # table value


def test_constant_values_and_single_value():
    ci = confidence_interval([0.5] * 10)
    assert ci.half_width == 0.0 and ci.low == ci.high == 0.5
    one = confidence_interval([3.0])
    assert one.mean == 3.0 and one.n == 1 and math.isnan(one.std)
    assert one.half_width == math.inf and one.low == -math.inf and one.high == math.inf
    assert math.isnan(std([3.0]))


def test_relative_half_width():
    ci = ConfidenceInterval(2.0, 0.1, 1.9, 2.1, 10, 0.95, 0.14)
    assert ci.relative_half_width == pytest.approx(0.05)
    assert ConfidenceInterval(0.0, 0.1, -0.1, 0.1, 10, 0.95, 0.1).relative_half_width == math.inf


@pytest.mark.parametrize(
    "values, level, message",
    [
        ([], 0.95, "no replication values"),
        ([1.0, math.nan], 0.95, "finite"),
        ([1.0, math.inf], 0.95, "finite"),
        ([1.0, 2.0], 1.0, "strictly between 0 and 1"),
        ([1.0, 2.0], 0.0, "strictly between 0 and 1"),
    ],
)
def test_errors(values, level, message):
    with pytest.raises(ValueError, match=message):
        confidence_interval(values, level)


def test_mean_std_accept_iterables_and_numpy():
    arr = np.array([1.0, 2.0, 4.0])
    assert mean(arr) == pytest.approx(7 / 3)
    assert std(iter([1.0, 2.0, 4.0])) == pytest.approx(statistics.stdev([1.0, 2.0, 4.0]))


@given(st.lists(finite, min_size=2, max_size=40), st.floats(0.5, 0.999))
def test_interval_properties(xs, level):
    """low ≤ mean ≤ high, symmetric, and a higher level never gives a narrower interval."""
    ci = confidence_interval(xs, level)
    assert ci.low <= ci.mean <= ci.high
    assert ci.high - ci.mean == pytest.approx(ci.mean - ci.low, rel=1e-9, abs=1e-6)
    assert ci.mean == pytest.approx(statistics.fmean(xs), rel=1e-9, abs=1e-6)
    wider = confidence_interval(xs, min(0.9999, level + 0.0005))
    assert wider.half_width >= ci.half_width


def test_coverage():
    """A 95 % interval from 10 normal replications covers the true mean ≈ 95 % of the time
    (2000 seeded trials; binomial 99.9 % band 0.934–0.966)."""
    rng = np.random.default_rng(np.random.SeedSequence(20240601))
    samples = rng.normal(0.014, 0.001, size=(2000, 10))
    covered = sum(0.014 in confidence_interval(row, 0.95) for row in samples)
    assert 0.934 <= covered / 2000 <= 0.966
