"""Analytic capacity formulas against docs/reference/capacity-references.md (§2–§7).

* §6 acceptance cases C1–C5, C8, C9 (published and recomputed numbers), each to 1e-6 relative
  or to the published precision when the source prints fewer digits;
* an independent oracle (§6.1: truncated birth–death chain, tagged-customer chain with the
  matrix exponential and (−T)⁻¹, (−T)⁻²) against the closed forms of sim.analysis.erlang;
* the analytic validation identities of §7 and §5 and properties (hypothesis).
"""

from __future__ import annotations

import math
from decimal import Decimal
from fractions import Fraction

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.linalg import expm

from sim.analysis.erlang import (
    CONVENTIONS,
    Goal,
    erlang_a_metrics,
    erlang_b,
    erlang_c,
    erlang_c_metrics,
    loss_system,
    parse_goal,
    queue_metrics,
    staff,
    traffic_for_blocking,
    trunks_for_blocking,
)

# --------------------------------------------------------------------------- helpers


def published_tolerance(text: str) -> float:
    """1e-6 relative, or half a unit of the last printed digit if the source prints fewer."""
    value = Decimal(text)
    exponent = value.as_tuple().exponent
    return max(1e-6 * abs(float(value)), 0.5 * 10.0**exponent)


def assert_published(value: float, text: str) -> None:
    """Rounded print: within published_tolerance. A trailing "…" marks a truncated print."""
    if text.endswith("…"):
        low = Decimal(text[:-1])
        assert low <= Decimal(value) < low + Decimal(10) ** low.as_tuple().exponent, (value, text)
        return
    tol = published_tolerance(text)
    assert abs(value - float(text)) <= tol * (1 + 1e-12), (value, text, tol)


LAM = 100 / 30  # C1–C4: 100 calls per 30 minutes, per minute
T20 = 1 / 3  # 20 s in minutes


def c1(n=14, **kw):
    return queue_metrics(LAM, 3.0, n, target=T20, **kw)


def metric(result, name):
    if name.startswith("service_level."):
        return result.service_level.get(name.split(".", 1)[1])
    if name.endswith("_seconds"):  # source quotes a minute-based case in seconds
        return 60.0 * getattr(result, name[: -len("_seconds")])
    return getattr(result, name)


# --------------------------------------------------------------------------- §6 cases

# (case id, inputs, quantity, printed value, "published" or "recomputed")
QUEUE_CASES = [
    # C1: pyworkforce README / test_erlang.py, Erlang C, N = 14, t = 20 s
    ("C1", dict(n=14), "p_wait", "0.1741319", "published"),
    ("C1", dict(n=14), "service_level.offered", "0.8883500", "published"),
    ("C1", dict(n=14), "occupancy", "0.7142857", "published"),
    ("C1", dict(n=14), "asa", "0.130599", "recomputed"),
    ("C1", dict(n=14), "mean_wait_all", "0.130599", "recomputed"),
    ("C1", dict(n=14), "asa_seconds", "7.836", "recomputed"),
    ("C1", dict(n=14), "queue_length", "0.43533", "recomputed"),
    # C2: test_over_occupancy_erlangc, N = 15
    ("C2", dict(n=15), "service_level.offered", "0.941", "published"),
    ("C2", dict(n=15), "occupancy", "0.667", "published"),
    ("C2", dict(n=15), "p_wait", "0.102", "published"),
    ("C2", dict(n=15), "service_level.offered", "0.941453", "recomputed"),
    ("C2", dict(n=15), "p_wait", "0.102042", "recomputed"),
    ("C2", dict(n=15), "asa_seconds", "3.674", "recomputed"),
    # C3: test_erlanga_regression_metrics, Erlang A, patience 5 min, N = 14
    ("C3", dict(n=14, patience=5.0), "p_wait", "0.14526", "published"),
    ("C3", dict(n=14, patience=5.0), "abandonment", "0.013984", "published"),
    ("C3", dict(n=14, patience=5.0), "occupancy", "0.704297", "published"),
    ("C3", dict(n=14, patience=5.0), "mean_wait_all", "0.069919", "published"),
    ("C3", dict(n=14, patience=5.0), "service_level.offered", "0.916792", "published"),
    ("C3", dict(n=14, patience=5.0), "service_level.answered", "0.929794", "recomputed"),
    ("C3", dict(n=14, patience=5.0), "service_level.virtual", "0.918714", "recomputed"),
    ("C3", dict(n=14, patience=5.0), "asa_seconds", "3.878", "recomputed"),
    ("C3", dict(n=14, patience=5.0), "mean_time_to_abandon_seconds", "26.52", "recomputed"),
    # C4: pyworkforce docs/guide/erlanga.md, N = 13 ("0.858…" = rounded to 3 digits)
    ("C4", dict(n=13, patience=5.0), "service_level.offered", "0.858", "published"),
    ("C4", dict(n=13, patience=5.0), "occupancy", "0.750", "published"),
    ("C4", dict(n=13, patience=5.0), "abandonment", "0.025", "published"),
    ("C4", dict(n=13, patience=5.0), "p_wait", "0.226", "published"),
    ("C4", dict(n=13, patience=5.0), "mean_wait_all", "0.125", "published"),
    ("C4", dict(n=13, patience=5.0), "service_level.offered", "0.858178", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "occupancy", "0.750028", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "abandonment", "0.024963", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "p_wait", "0.225797", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "mean_wait_all", "0.124817", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "service_level.answered", "0.880149", "recomputed"),
    ("C4", dict(n=13, patience=5.0), "service_level.virtual", "0.860831", "recomputed"),
    # §7 example: Erlang A -> Erlang C, C1 with patience 10^6 min
    ("§7", dict(n=14, patience=1e6), "p_wait", "0.174132", "recomputed"),
    ("§7", dict(n=14, patience=1e6), "mean_wait_all", "0.130598", "recomputed"),
]


@pytest.mark.parametrize(
    "case, inputs, name, printed, kind",
    QUEUE_CASES,
    ids=[f"{c}-{q}-{k}" for c, _, q, _, k in QUEUE_CASES],
)
def test_acceptance_queue(case, inputs, name, printed, kind):
    """docs/reference/capacity-references.md §6, cases C1–C4 (units: minutes) and the §7 patience example."""
    inputs = dict(inputs)
    result = c1(inputs.pop("n"), **inputs)
    assert_published(metric(result, name), printed)


C5_CASES = [
    ("mean_wait_all_seconds", "26.56", "published"),
    ("mean_wait_all_seconds", "26.5569", "recomputed"),
    ("p_wait", "0.368846", "recomputed"),
    ("service_level.offered", "0.720612", "recomputed"),
]


@pytest.mark.parametrize("name, printed, kind", C5_CASES, ids=[f"C5-{n}-{k}" for n, _, k in C5_CASES])
def test_acceptance_c5(name, printed, kind):
    """§6 C5 (Herzog ErlangCTest): Erlang C, λ = 3.5/min, AHT 3 min, N = 13, t = 20 s."""
    result = erlang_c_metrics(3.5, 3.0, 13, target=T20)
    assert_published(metric(result, name), printed)


def test_acceptance_c4_staffing():
    """§6 C4: 13 is the smallest N with SL_offered ≥ 0.8, occupancy ≤ 0.85, P_ab ≤ 0.05."""
    goals = [parse_goal(g) for g in ("service_level>=0.8", "occupancy<=0.85", "abandonment<=0.05")]
    assert goals[0] == Goal("service_level", 0.8, "offered")
    staffing = staff(LAM, 3.0, goals, patience=5.0, target=T20)
    assert staffing.agents == 13
    below = c1(12, patience=5.0)
    assert not all(g.met(below) for g in goals)


ERLANG_B_CASES = [
    ("C8", 1, 1.0, "0.5"),
    ("C8", 2, 1.0, "0.2"),
    ("C8", 16, 10.0, "0.022302"),
    ("C8", 17, 10.0, "0.012949"),
    ("C8", 10, 5.0, "0.0183…"),  # what pyworkforce's docs misprint for B(17, 10), truncated
    ("C9", 15, 8.108, "0.0099996"),
]


@pytest.mark.parametrize("case, n, a, printed", ERLANG_B_CASES)
def test_acceptance_erlang_b(case, n, a, printed):
    """§6 C8 (pyworkforce test_erlang_b.py) and C9 (Westbay manual)."""
    assert_published(erlang_b(n, a), printed)


def test_acceptance_c8_trunks():
    """§6 C8: A = 10 Erl, blocking ≤ 2 % needs 17 trunks (16 give 2.23 %)."""
    assert trunks_for_blocking(10.0, 0.02) == 17
    assert erlang_b(16, 10.0) > 0.02


def test_acceptance_c9_traffic():
    """§6 C9: 15 lines at 1 % blocking carry at most 8.108 Erl (Westbay)."""
    a = traffic_for_blocking(15, 0.01)
    assert_published(a, "8.108")
    assert erlang_b(15, a) == pytest.approx(0.01, rel=1e-12)


# --------------------------------------------------------------------------- oracle (§6.1)


def oracle(lam, aht, n, patience, t, queue_states=400):
    """The §6.1 recomputation: truncated birth–death chain, tagged-customer chain (§4)."""
    mu, theta = 1.0 / aht, 1.0 / patience
    size = n + queue_states
    death = np.array([min(k, n) * mu + max(k - n, 0) * theta for k in range(1, size + 1)])
    logpi = np.concatenate([[0.0], np.cumsum(np.log(lam) - np.log(death))])
    pi = np.exp(logpi - logpi.max())
    pi /= pi.sum()
    assert pi[-1] < 1e-15, "truncation too short"
    queue = pi[n:]  # π_{N+j}, j = 0..J
    js = np.arange(queue_states + 1)
    p_wait = queue.sum()
    lq = js @ queue
    p_ab = theta * lq / lam

    def tagged(own):
        m = queue_states + 1
        gen = np.zeros((m + 1, m + 1))  # last state: answered
        for j in range(m):
            gen[j, j] = -(n * mu + j * theta + own)
            gen[j, j - 1 if j else m] = n * mu + j * theta
        return gen

    gen = tagged(theta)
    t_mat, a_vec = gen[:-1, :-1], gen[:-1, -1]
    answered_by_t = expm(gen * t)[:-1, -1]
    virtual_by_t = expm(tagged(0.0) * t)[:-1, -1]
    p_ans = np.linalg.solve(-t_mat, a_vec)
    w_ans = np.linalg.solve(-t_mat, p_ans)  # (−T)⁻² a
    sl_offered = (1 - p_wait) + queue @ answered_by_t
    return {
        "p_wait": p_wait,
        "queue_length": lq,
        "abandonment": p_ab,
        "abandonment_tagged": 1 - (1 - p_wait) - queue @ p_ans,
        "mean_wait_all": lq / lam,
        "asa": (queue @ w_ans) / (1 - p_ab),
        "occupancy": lam * (1 - p_ab) * aht / n,
        "service_level.offered": sl_offered,
        "service_level.answered": sl_offered / (1 - p_ab),
        "service_level.virtual": (1 - p_wait) + queue @ virtual_by_t,
    }


def assert_close_to_oracle(result, ref, rel=1e-10, abs_=1e-13):
    for name, value in ref.items():
        if name == "abandonment_tagged":
            assert result.abandonment == pytest.approx(value, rel=rel, abs=abs_), name
            continue
        assert metric(result, name) == pytest.approx(value, rel=rel, abs=abs_), name


@pytest.mark.parametrize(
    "lam, aht, n, patience, t",
    [
        (LAM, 3.0, 14, 5.0, T20),  # C3
        (LAM, 3.0, 13, 5.0, T20),  # C4
        (LAM, 3.0, 8, 5.0, T20),  # overloaded: A = 10 > N = 8
        (4.0, 1.0, 3, 0.2, 0.5),  # patience far shorter than the handle time
        (1000.0, 3.0, 3000, 2.0, 0.1),  # N in the thousands, critically loaded
    ],
)
def test_erlang_a_matches_oracle(lam, aht, n, patience, t):
    """§4 / §6.1: the closed forms equal the tagged-customer-chain recomputation."""
    assert_close_to_oracle(erlang_a_metrics(lam, aht, n, patience, target=t), oracle(lam, aht, n, patience, t))


@settings(max_examples=40, deadline=None)
@given(
    n=st.integers(1, 25),
    rho=st.floats(0.05, 1.6),
    aht=st.floats(0.5, 5.0),
    patience_ratio=st.floats(0.05, 4.0),
    t_ratio=st.floats(0.0, 2.0),
)
def test_erlang_a_matches_oracle_property(n, rho, aht, patience_ratio, t_ratio):
    """§4: closed forms vs the §6.1 oracle across loads (also A > N) and patiences."""
    lam = rho * n / aht
    patience = patience_ratio * aht
    b, a = lam * patience, n * patience / aht
    states = int(max(b - a, 0) + 15 * math.sqrt(b + 1) + 60)
    ref = oracle(lam, aht, n, patience, t_ratio * aht, queue_states=states)
    assert_close_to_oracle(erlang_a_metrics(lam, aht, n, patience, target=t_ratio * aht), ref, rel=1e-9)


# --------------------------------------------------------------------------- §2/§3 formulas


@given(n=st.integers(0, 30), a=st.fractions(Fraction(0), Fraction(60), max_denominator=50))
def test_erlang_b_recursion_equals_closed_form(n, a):
    """§2: the recursion equals (A^N/N!) / Σ_k A^k/k!, computed in exact rationals."""
    terms = [a**k / math.factorial(k) for k in range(n + 1)]
    exact = terms[-1] / sum(terms)
    assert erlang_b(n, float(a)) == pytest.approx(float(exact), rel=1e-12, abs=1e-300)


def test_erlang_b_large_n_closed_form():
    """§2 at N in the thousands: recursion vs the Poisson form pmf(N)/cdf(N) in log space."""
    from scipy import special

    for n, a in [(2000, 1900.0), (5000, 5100.0), (3000, 2500.0)]:
        log_b = n * math.log(a) - a - special.gammaln(n + 1) - math.log(special.gammaincc(n + 1, a))
        assert erlang_b(n, a) == pytest.approx(math.exp(log_b), rel=1e-9)


def test_erlang_c_formulas():
    """§3: C, Lq, E[W], E[W | W > 0], SL, occupancy, and the three SL conventions coincide."""
    r = erlang_c_metrics(LAM, 3.0, 14, target=T20)
    c = erlang_c(14, 10.0)
    assert r.p_wait == c
    assert r.queue_length == pytest.approx(c * 10 / 4, rel=1e-14)
    assert r.mean_wait_all == pytest.approx(r.queue_length / LAM, rel=1e-14)  # Little
    assert r.asa == r.mean_wait_all
    assert r.mean_wait_delayed == pytest.approx(3.0 / 4, rel=1e-14)
    assert r.service_level.offered == pytest.approx(1 - c * math.exp(-4 * T20 / 3), rel=1e-14)
    assert r.service_level.offered == r.service_level.answered == r.service_level.virtual
    assert r.abandonment == 0.0 and math.isnan(r.mean_time_to_abandon)


def test_erlang_c_requires_a_below_n():
    """§3: Erlang C requires A < N."""
    with pytest.raises(ValueError, match="fewer offered Erlangs"):
        erlang_c_metrics(LAM, 3.0, 10, target=T20)
    # Erlang A is stable for every θ > 0 (§4)
    assert 0 < erlang_a_metrics(LAM, 3.0, 10, 5.0, target=T20).p_wait < 1


def test_loss_system():
    """§2: carried load A·(1 − B) and trunk occupancy A·(1 − B)/N."""
    r = loss_system(200 / 3600, 180.0, 17)
    assert r.traffic == pytest.approx(10.0)
    assert r.blocking == pytest.approx(erlang_b(17, 10.0), rel=1e-12)
    assert r.carried == pytest.approx(10 * (1 - r.blocking))
    assert r.occupancy == pytest.approx(r.carried / 17)


def test_large_n_erlang_c_and_a():
    """Numerics for N in the thousands (log space, no overflow), also near critical load."""
    lam, aht = 4900 / 180, 180.0
    c = erlang_c_metrics(lam, aht, 5000, target=20.0)
    a = erlang_a_metrics(lam, aht, 5000, 1e9, target=20.0)
    for name in ("p_wait", "asa", "mean_wait_all", "service_level.offered", "occupancy"):
        assert metric(a, name) == pytest.approx(metric(c, name), rel=1e-5), name
    over = erlang_a_metrics(lam * 1.2, aht, 5000, 300.0, target=20.0)
    assert 0.99 < over.p_wait <= 1.0 and 0.1 < over.abandonment < 0.2
    assert over.occupancy <= 1.0


# --------------------------------------------------------------------------- §5/§7 identities

load_case = st.tuples(
    st.integers(1, 200),  # N
    st.floats(0.05, 1.5),  # ρ = A/N
    st.floats(0.1, 20.0),  # patience / AHT
    st.floats(0.0, 3.0),  # t / AHT
)


@settings(max_examples=60, deadline=None)
@given(load_case)
def test_erlang_a_identities(case):
    """§7 abandonment balance P_ab = θ·Lq/λ, Little Lq = λ·E[W]_all, §5.2 ASA identity,
    §5.1 SL_answered = SL_offered/(1 − P_ab) and SL_offered ≤ min(SL_answered, SL_virtual)."""
    n, rho, pr, tr = case
    aht = 180.0
    lam = rho * n / aht
    r = erlang_a_metrics(lam, aht, n, pr * aht, target=tr * aht)
    theta = 1 / r.patience
    assert r.abandonment == pytest.approx(theta * r.queue_length / lam, rel=1e-9, abs=1e-300)
    assert r.queue_length == pytest.approx(lam * r.mean_wait_all, rel=1e-12, abs=1e-300)
    decomposed = (1 - r.abandonment) * r.asa + r.abandonment * r.mean_time_to_abandon
    assert decomposed == pytest.approx(r.mean_wait_all, rel=1e-9, abs=1e-300)
    sl = r.service_level
    assert sl.answered == pytest.approx(min(1.0, sl.offered / (1 - r.abandonment)), rel=1e-12)
    assert sl.offered <= sl.answered + 1e-15 and sl.offered <= sl.virtual + 1e-15
    for conv in CONVENTIONS:
        assert 0.0 <= sl.get(conv) <= 1.0
    assert 0.0 <= r.p_wait <= 1.0 and 0.0 <= r.abandonment <= r.p_wait
    assert 0.0 <= r.occupancy <= 1.0
    assert r.occupancy == pytest.approx(lam * (1 - r.abandonment) * aht / n, rel=1e-12)


@settings(max_examples=40, deadline=None)
@given(n=st.integers(1, 100), rho=st.floats(0.05, 0.95), tr=st.floats(0.0, 2.0))
def test_erlang_a_tends_to_erlang_c(n, rho, tr):
    """§7: Erlang A → Erlang C as patience → ∞.

    The gap shrinks like (mean wait of delayed calls) / patience: pyworkforce's 1e-4 at patience
    10⁶·AHT fails for N = 1, ρ = 0.875 by the mathematics (gap 1.3e-4), so use 10⁸·AHT.
    """
    aht = 3.0
    lam = rho * n / aht
    c = erlang_c_metrics(lam, aht, n, target=tr * aht)
    a = erlang_a_metrics(lam, aht, n, 1e8 * aht, target=tr * aht)
    for name in ("p_wait", "asa", "mean_wait_all", "queue_length", "occupancy"):
        assert metric(a, name) == pytest.approx(metric(c, name), rel=1e-5, abs=1e-12), name
    for conv in CONVENTIONS:
        assert a.service_level.get(conv) == pytest.approx(c.service_level.offered, rel=1e-5)
    assert a.abandonment < 1e-5
    assert erlang_a_metrics(lam, aht, n, math.inf, target=tr * aht) == c


@settings(max_examples=30, deadline=None)
@given(
    a=st.floats(0.1, 80.0),
    patience=st.one_of(st.none(), st.floats(0.1, 30.0)),
    tr=st.floats(0.0, 2.0),
)
def test_monotone_in_agents(a, patience, tr):
    """Adding an agent never hurts: waits, P_wait, P_ab and occupancy fall, every SL rises."""
    aht = 1.0
    first = math.floor(a) + 1 if patience is None else 1
    results = [queue_metrics(a / aht, aht, n, patience=patience, target=tr)
               for n in range(first, first + 25)]
    eps = 1e-12
    for prev, nxt in zip(results, results[1:], strict=False):
        for name in ("p_wait", "abandonment", "asa", "mean_wait_all", "occupancy"):
            assert metric(nxt, name) <= metric(prev, name) * (1 + eps) + 1e-300, name
        for conv in CONVENTIONS:
            assert nxt.service_level.get(conv) >= prev.service_level.get(conv) - eps, conv


@settings(max_examples=30, deadline=None)
@given(n=st.integers(1, 60), rho=st.floats(0.1, 1.4), patience=st.floats(0.1, 10.0))
def test_service_level_monotone_in_target(n, rho, patience):
    """SL(t) is a distribution function in t: non-decreasing, SL(0) = 1 − P_wait."""
    rs = [erlang_a_metrics(rho * n, 1.0, n, patience, target=t) for t in (0.0, 0.1, 0.5, 2.0, 10.0)]
    for conv in ("offered", "virtual"):
        assert rs[0].service_level.get(conv) == pytest.approx(1 - rs[0].p_wait, abs=1e-12)
        values = [r.service_level.get(conv) for r in rs]
        assert all(y >= x - 1e-12 for x, y in zip(values, values[1:], strict=False))


@given(n=st.integers(1, 40), a=st.floats(0.01, 40.0))
def test_erlang_b_monotone(n, a):
    """B falls with N and rises with A; blocking is a probability."""
    assert 0.0 < erlang_b(n, a) < 1.0
    assert erlang_b(n + 1, a) < erlang_b(n, a)
    assert erlang_b(n, a * 1.1) > erlang_b(n, a)


@settings(max_examples=30, deadline=None)
@given(a=st.floats(0.5, 200.0), p=st.floats(0.001, 0.5))
def test_erlang_b_sizing_inverse(a, p):
    """trunks_for_blocking is the smallest N; traffic_for_blocking inverts B in A."""
    n = trunks_for_blocking(a, p)
    assert erlang_b(n, a) <= p
    assert n == 0 or erlang_b(n - 1, a) > p
    if n:
        assert erlang_b(n, traffic_for_blocking(n, p)) == pytest.approx(p, rel=1e-10)


# --------------------------------------------------------------------------- staffing goals


@settings(max_examples=25, deadline=None)
@given(
    a=st.floats(0.5, 300.0),
    sl=st.floats(0.5, 0.95),
    conv=st.sampled_from(CONVENTIONS),
    patience=st.one_of(st.none(), st.floats(30.0, 600.0)),
)
def test_staff_is_smallest(a, sl, conv, patience):
    """staff() returns the smallest N meeting every goal (monotone search)."""
    aht = 180.0
    goals = [parse_goal(f"service_level.{conv}>={sl}"), parse_goal("asa<=30")]
    s = staff(a / aht, aht, goals, patience=patience, target=20.0)
    assert all(g.met(s.result) for g in goals)
    lowest = math.floor(a) + 1 if patience is None else 1
    if s.agents > lowest:
        below = queue_metrics(a / aht, aht, s.agents - 1, patience=patience, target=20.0)
        assert not all(g.met(below) for g in goals)


@pytest.mark.parametrize(
    "text, expected",
    [
        ("service_level>=0.8", Goal("service_level", 0.8, "offered")),
        ("service_level.answered >= 0.8", Goal("service_level", 0.8, "answered")),
        ("service_level.virtual>=.9", Goal("service_level", 0.9, "virtual")),
        ("asa<=20", Goal("asa", 20.0)),
        ("abandonment<=0.05", Goal("abandonment", 0.05)),
        ("occupancy<=0.85", Goal("occupancy", 0.85)),
        ("p_wait<=0.2", Goal("p_wait", 0.2)),
        ("mean_wait_all<=15", Goal("mean_wait_all", 15.0)),
        ("blocking<=0.02", Goal("blocking", 0.02)),
    ],
)
def test_parse_goal(text, expected):
    assert parse_goal(text) == expected
    assert parse_goal(str(expected)) == expected


@pytest.mark.parametrize(
    "text, message",
    [
        ("service_level=0.8", "malformed"),
        ("service_level>0.8", "malformed"),
        ("sl>=0.8", "unknown goal metric"),
        ("service_level.offerd>=0.8", "unknown service-level convention"),
        ("asa.offered<=20", "only service_level takes a convention"),
        ("asa>=20", "must be bounded with <="),
        ("service_level<=0.8", "must be bounded with >="),
        ("abandonment<=x", "not a number"),
        ("occupancy<=1.5", "between 0 and 1"),
        ("service_level>=1", "unattainable"),
        ("asa<=0", "unattainable"),
        ("asa<=nan", "finite"),
    ],
)
def test_parse_goal_errors(text, message):
    with pytest.raises(ValueError, match=message):
        parse_goal(text)


def test_staff_unreachable_and_bad_goals():
    with pytest.raises(ValueError, match="no staffing up to 12 agents"):
        staff(LAM, 3.0, [parse_goal("asa<=0.001")], target=T20, max_agents=12)
    with pytest.raises(ValueError, match="Erlang B goal"):
        staff(LAM, 3.0, [parse_goal("blocking<=0.01")], target=T20)
    with pytest.raises(ValueError, match="at least one goal"):
        staff(LAM, 3.0, [], target=T20)


@pytest.mark.parametrize(
    "call, message",
    [
        (lambda: erlang_b(-1, 1.0), "trunks must be at least 0"),
        (lambda: erlang_b(2, -1.0), "traffic must not be negative"),
        (lambda: erlang_b(2.5, 1.0), "whole number"),
        (lambda: erlang_c_metrics(-1.0, 3.0, 14, target=T20), "rate must be positive"),
        (lambda: erlang_c_metrics(1.0, 0.0, 14, target=T20), "aht must be positive"),
        (lambda: erlang_a_metrics(1.0, 3.0, 14, -5.0, target=T20), "patience must be positive"),
        (lambda: erlang_a_metrics(1.0, 3.0, 14, 5.0, target=-1.0), "target must not be negative"),
        (lambda: erlang_c_metrics(1.0, 3.0, 0, target=T20), "agents must be at least 1"),
        (lambda: trunks_for_blocking(10.0, 0.0), "strictly between 0 and 1"),
        (lambda: erlang_c_metrics(math.nan, 3.0, 14, target=T20), "finite"),
    ],
)
def test_input_validation(call, message):
    with pytest.raises(ValueError, match=message):
        call()


def test_out_of_range_erlang_a_is_reported():
    """Huge patience on an overloaded queue needs too many queue terms: a clear ValueError."""
    with pytest.raises(ValueError, match="outside the supported range"):
        erlang_a_metrics(2.0, 1.0, 1, 1e15, target=1.0)


def test_to_dict_has_contract_fields():
    """docs/reference/contracts.md §5: p_wait, asa, mean_wait_all, service_level{3}, abandonment, occupancy."""
    d = c1(14).to_dict()
    for key in ("p_wait", "asa", "mean_wait_all", "abandonment", "occupancy"):
        assert isinstance(d[key], float)
    assert set(d["service_level"]) == set(CONVENTIONS)
    assert d["mean_time_to_abandon"] is None
