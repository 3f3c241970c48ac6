"""Analytic capacity formulas: Erlang B, Erlang C, Erlang A and staffing to goals.

Implements docs/reference/capacity-references.md §2 (Erlang B, loss system), §3 (Erlang C, M/M/N) and §4
(Erlang A, M/M/N+M with exponential patience), with the definitions of §5:

* three service-level conventions, always named (``offered``, ``answered``, ``virtual``, §5.1);
* two mean waits: ``asa`` = mean wait of *answered* calls (ASA_answered) and ``mean_wait_all`` =
  mean wait over *all offered* calls, abandoners included (ASA_all = Lq / λ, §5.2).

Units. The functions are unit-free but use **one time unit throughout**: ``rate`` is calls per
that unit and ``aht``, ``patience`` and ``target`` are in that unit; times come back in it. Use a
rate per second with times in seconds (``sim erlang`` does, converting calls per hour with
:func:`per_hour`), or a rate per minute with times in minutes (as the acceptance cases of §6 do).
``target`` (the service-level threshold t) is therefore a required keyword, never defaulted.

Erlang A numerics. With a = Nμ/θ and b = λ/θ the stationary chain behind the N busy agents is
π_{N+j} = π_N·t_j with t_j = b^j / ((a+1)(a+2)…(a+j)), so Σ_j t_j = ₁F₁(1; a+1; b) =
a·e^b·b^(−a)·γ(a, b) (the regularized incomplete gamma form of Mandelbaum & Zeltyn). A caller who
finds j others queued and never abandons waits V = Σ_{k=0..j} Exp(Nμ + kθ); U = e^(−θV) is then
Beta(a, j+1). With u = e^(−θt) and I the regularized incomplete beta function this gives the
tagged-customer quantities of §4 in closed form:

* P(V > t | j) = I_u(a, j+1)                              (virtual wait)
* P(answered | j) = E[U] = a/(a+j+1)                       (own patience Exp(θ))
* P(answered, W > t | j) = a/(a+j+1) · I_u(a+1, j+1)
* E[W·1{answered} | j] = a/(a+j+1) · Σ_{k=1..j+1} 1/(a+k) / θ
* E[W·1{abandoned} | j] = Σ_{k=1..j+1} k/(a+k) / (a+j+1) / θ

Every result is a sum of positive terms over the j that matter (weights within e^-60 of the
largest), accumulated in log space: exact to rounding for N in the thousands and for patience
going to infinity, with no cancellation.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

import numpy as np
from scipy import optimize, special

CONVENTIONS = ("offered", "answered", "virtual")
"""Service-level conventions of docs/reference/capacity-references.md §5.1."""

DEFAULT_CONVENTION = "offered"
"""The convention a goal ``service_level>=x`` means when it names none: the strictest one."""

_LOG_CUT = 60.0  # queue weights below e^-60 of the largest are dropped (relative 1e-26)
_MAX_TERMS = 4_000_000  # beyond this Erlang A is outside the supported range


def per_hour(calls_per_hour: float) -> float:
    """Convert an arrival rate in calls per hour to calls per second."""
    return calls_per_hour / 3600.0


# --------------------------------------------------------------------------- validation


def _finite(name: str, value: float) -> float:
    value = float(value)
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value}")
    return value


def _positive(name: str, value: float) -> float:
    value = _finite(name, value)
    if value <= 0:
        raise ValueError(f"{name} must be positive, got {value:g}")
    return value


def _nonnegative(name: str, value: float) -> float:
    value = _finite(name, value)
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value:g}")
    return value


def _count(name: str, value: int, minimum: int) -> int:
    if isinstance(value, bool) or int(value) != value:
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    value = int(value)
    if value < minimum:
        raise ValueError(f"{name} must be at least {minimum}, got {value}")
    return value


def _probability(name: str, value: float) -> float:
    value = _finite(name, value)
    if not 0.0 < value < 1.0:
        raise ValueError(f"{name} must lie strictly between 0 and 1, got {value:g}")
    return value


# --------------------------------------------------------------------------- Erlang B (§2)


def erlang_b(trunks: int, traffic: float) -> float:
    """Blocking probability B(N, A) of a loss system, by the stable recursion of §2.

    ``trunks`` = N lines, ``traffic`` = A offered Erlangs. B(0, A) = 1;
    B(n, A) = A·B(n−1, A) / (n + A·B(n−1, A)).
    """
    trunks = _count("trunks", trunks, 0)
    traffic = _nonnegative("traffic", traffic)
    b = 1.0
    for n in range(1, trunks + 1):
        ab = traffic * b
        b = ab / (n + ab)
    return b


@dataclass(frozen=True)
class LossResult:
    """Erlang B figures of a loss system (§2); ``rate`` and ``aht`` in one time unit."""

    rate: float
    aht: float
    trunks: int
    traffic: float  # A = rate·aht, offered Erlangs
    blocking: float  # B(N, A)
    carried: float  # carried load A·(1 − B), Erlangs
    occupancy: float  # A·(1 − B) / N

    def to_dict(self) -> dict:
        return {
            "model": "erlang_b",
            "trunks": self.trunks,
            "traffic": self.traffic,
            "blocking": self.blocking,
            "carried": self.carried,
            "occupancy": self.occupancy,
        }


def loss_system(rate: float, aht: float, trunks: int) -> LossResult:
    """Erlang B for ``trunks`` lines offered ``rate`` calls per time unit of mean ``aht``."""
    rate = _positive("rate", rate)
    aht = _positive("aht", aht)
    trunks = _count("trunks", trunks, 1)
    traffic = rate * aht
    blocking = erlang_b(trunks, traffic)
    carried = traffic * (1.0 - blocking)
    return LossResult(rate, aht, trunks, traffic, blocking, carried, carried / trunks)


def trunks_for_blocking(traffic: float, max_blocking: float) -> int:
    """Smallest N with B(N, A) <= ``max_blocking`` (acceptance case C8)."""
    traffic = _positive("traffic", traffic)
    max_blocking = _probability("max_blocking", max_blocking)
    b, n = 1.0, 0
    while b > max_blocking:
        n += 1
        ab = traffic * b
        b = ab / (n + ab)
    return n


def traffic_for_blocking(trunks: int, blocking: float) -> float:
    """Largest offered load A with B(N, A) <= ``blocking`` (acceptance case C9).

    B(N, A) increases strictly with A, so this is the root of B(N, A) = blocking.
    """
    trunks = _count("trunks", trunks, 1)
    blocking = _probability("blocking", blocking)
    hi = float(trunks)
    while erlang_b(trunks, hi) < blocking:
        hi *= 2.0
    return optimize.brentq(
        lambda a: erlang_b(trunks, a) - blocking, 0.0, hi, xtol=1e-13, rtol=1e-15, maxiter=500
    )


# --------------------------------------------------------------------------- results


@dataclass(frozen=True)
class ServiceLevel:
    """Service level within ``target`` under the three conventions of §5.1.

    * ``offered``  — answered within t / all arrivals (abandoners count as failures);
    * ``answered`` — answered within t / answered calls (= offered / (1 − P_ab));
    * ``virtual``  — P(V <= t), V the wait of an infinitely patient caller.

    Without abandonment (Erlang C) the three coincide.
    """

    target: float
    offered: float
    answered: float
    virtual: float

    def get(self, convention: str) -> float:
        if convention not in CONVENTIONS:
            raise ValueError(
                f"unknown service-level convention {convention!r} "
                f"(expected one of {', '.join(CONVENTIONS)})"
            )
        return getattr(self, convention)

    def to_dict(self) -> dict:
        return {name: getattr(self, name) for name in CONVENTIONS}


@dataclass(frozen=True)
class QueueResult:
    """Erlang C or Erlang A figures for one staffing level (§3–§5).

    Times are in the time unit of the inputs. ``patience`` is ``math.inf`` for Erlang C.
    """

    model: str  # "erlang_c" or "erlang_a"
    rate: float  # λ, calls per time unit
    aht: float  # 1/μ
    agents: int  # N
    patience: float  # 1/θ, mean patience; inf for Erlang C
    traffic: float  # A = λ·aht, offered Erlangs
    p_wait: float  # P(an arrival has to wait), PASTA
    queue_length: float  # Lq, mean number of callers waiting
    asa: float  # ASA_answered = E[W | answered]
    mean_wait_all: float  # ASA_all = E[W] over all arrivals = Lq / λ
    mean_wait_delayed: float  # E[W | W > 0] (abandoners included for Erlang A)
    mean_time_to_abandon: float  # E[W | abandoned]; nan for Erlang C
    abandonment: float  # P_ab
    occupancy: float  # answered load per agent: λ·(1 − P_ab)·aht / N
    service_level: ServiceLevel

    def metric(self, name: str, convention: str | None = None) -> float:
        """The value of a goal metric (see :data:`GOAL_METRICS`)."""
        if name == "service_level":
            return self.service_level.get(convention or DEFAULT_CONVENTION)
        if name not in GOAL_METRICS or name == "blocking":
            raise ValueError(f"unknown queue metric {name!r}")
        return getattr(self, name)

    def to_dict(self) -> dict:
        """Plain data; nan (no abandonment) becomes ``None``."""

        def clean(x: float) -> float | None:
            return None if math.isnan(x) else x

        return {
            "model": self.model,
            "agents": self.agents,
            "traffic": self.traffic,
            "p_wait": self.p_wait,
            "asa": self.asa,
            "mean_wait_all": self.mean_wait_all,
            "mean_wait_delayed": self.mean_wait_delayed,
            "service_level": self.service_level.to_dict(),
            "abandonment": self.abandonment,
            "mean_time_to_abandon": clean(self.mean_time_to_abandon),
            "occupancy": self.occupancy,
            "queue_length": self.queue_length,
        }


# --------------------------------------------------------------------------- Erlang C (§3)


def erlang_c(agents: int, traffic: float) -> float:
    """Probability of waiting C(N, A) = N·B / (N − A·(1 − B)); requires A < N."""
    agents = _count("agents", agents, 1)
    traffic = _nonnegative("traffic", traffic)
    if traffic >= agents:
        raise ValueError(
            f"Erlang C needs fewer offered Erlangs than agents: A = {traffic:g} >= N = {agents}"
        )
    b = erlang_b(agents, traffic)
    return agents * b / (agents - traffic * (1.0 - b))


def erlang_c_metrics(rate: float, aht: float, agents: int, *, target: float) -> QueueResult:
    """M/M/N with infinite patience (§3); ``target`` = SL threshold t, same unit as ``aht``."""
    rate = _positive("rate", rate)
    aht = _positive("aht", aht)
    target = _nonnegative("target", target)
    agents = _count("agents", agents, 1)
    traffic = rate * aht
    c = erlang_c(agents, traffic)
    gap = agents - traffic
    delayed = aht / gap
    sl = 1.0 - c * math.exp(-gap * target / aht)
    return QueueResult(
        model="erlang_c",
        rate=rate,
        aht=aht,
        agents=agents,
        patience=math.inf,
        traffic=traffic,
        p_wait=c,
        queue_length=c * traffic / gap,
        asa=c * delayed,
        mean_wait_all=c * delayed,
        mean_wait_delayed=delayed,
        mean_time_to_abandon=math.nan,
        abandonment=0.0,
        occupancy=traffic / agents,
        service_level=ServiceLevel(target, sl, sl, sl),
    )


# --------------------------------------------------------------------------- Erlang A (§4)


def _log_steps(c: float, y: float, first: int, count: int, sign: int) -> np.ndarray:
    """log(y / (c + k)) for k = first, first + sign, ... (count values), without cancellation."""
    k = first + sign * np.arange(count, dtype=float)
    return -np.log1p((c + k - y) / y)


def _kummer_window(c: float, y: float) -> tuple[np.ndarray, np.ndarray, float]:
    """The significant terms of ₁F₁(1; c+1; y) = Σ_j t_j, t_j = y^j / ((c+1)…(c+j)).

    Returns ``(j, logw, log_peak)``: the indices kept (consecutive), log(t_j / t_peak) and
    log t_peak. The terms rise while j <= y − c and fall after, so the peak is
    j* = max(0, floor(y − c)); each side is walked outward until it drops below e^-60.
    """
    if y <= 0.0:
        return np.zeros(1, dtype=np.int64), np.zeros(1), 0.0
    peak = max(0, math.floor(y - c))

    # right of the peak: log t_j − log t_peak = Σ_{k=peak+1..j} log(y/(c+k)), decreasing
    right: list[np.ndarray] = []
    total, nxt, size, kept = 0.0, peak + 1, 256, 0
    while True:
        cs = total + np.cumsum(_log_steps(c, y, nxt, size, +1))
        right.append(cs)
        kept += size
        if cs[-1] < -_LOG_CUT:
            break
        if kept > _MAX_TERMS:
            raise ValueError(_RANGE_MESSAGE)
        total, nxt, size = float(cs[-1]), nxt + size, size * 2
    rlog = np.concatenate(right)
    rlog = rlog[: int(np.argmax(rlog < -_LOG_CUT))]

    # left of the peak: log t_{j-1} − log t_j = −log(y/(c+j)) <= 0 for j <= peak
    left: list[np.ndarray] = []
    total, nxt, reached_zero = 0.0, peak, peak == 0
    size = 256
    while nxt >= 1:
        count = min(size, nxt)
        cs = total - np.cumsum(_log_steps(c, y, nxt, count, -1))
        left.append(cs)
        nxt -= count
        if cs[-1] < -_LOG_CUT:
            break
        if sum(len(x) for x in left) > _MAX_TERMS:
            raise ValueError(_RANGE_MESSAGE)
        total, size = float(cs[-1]), size * 2
    else:
        reached_zero = True
    llog = np.concatenate(left) if left else np.zeros(0)
    if not reached_zero:
        llog = llog[: int(np.argmax(llog < -_LOG_CUT))]
    if reached_zero and peak > 0:
        log_peak = -float(llog[-1])  # t_0 = 1 exactly
    else:
        log_peak = peak * math.log(y) - (special.gammaln(c + peak + 1) - special.gammaln(c + 1))

    logw = np.concatenate([llog[::-1], [0.0], rlog])
    start = peak - len(llog)
    return np.arange(start, start + len(logw), dtype=np.int64), logw, float(log_peak)


_RANGE_MESSAGE = (
    "Erlang A is outside the supported range (patience far longer than the handle time on an "
    "overloaded or critically loaded queue); use Erlang C (infinite patience)"
)


def erlang_a_metrics(
    rate: float, aht: float, agents: int, patience: float, *, target: float
) -> QueueResult:
    """M/M/N+M: exponential patience of mean ``patience`` (§4); stable also when A >= N.

    ``patience = math.inf`` gives Erlang C. ``target`` = SL threshold t, same unit as ``aht``.
    """
    rate = _positive("rate", rate)
    aht = _positive("aht", aht)
    target = _nonnegative("target", target)
    agents = _count("agents", agents, 1)
    patience = float(patience)
    if math.isinf(patience) and patience > 0:
        return erlang_c_metrics(rate, aht, agents, target=target)
    patience = _positive("patience", patience)

    traffic = rate * aht
    a = agents * patience / aht  # Nμ/θ
    b = rate * patience  # λ/θ
    e = erlang_b(agents, traffic)
    j, logw, log_peak = _kummer_window(a, b)
    w = np.exp(logw)
    wsum = float(w.sum())
    p = w / wsum  # queue ahead of a caller who has to wait
    log_s = log_peak + math.log(wsum)  # log Σ t_j
    # P_wait = π_N·S with π_N = E / (1 + (S − 1)·E), E = B(N, A)
    p_wait = 0.0 if e == 0.0 else float(special.expit(log_s + math.log(e) - math.log1p(-e)))

    jf = j.astype(float)
    k = np.arange(j[0] + 1, j[-1] + 2, dtype=float)  # k = 1 .. j+1 over the window
    inv = 1.0 / (a + k)
    if j[0] > 0:  # prefix sums over k = 1 .. j[0]
        h0 = float(special.digamma(a + j[0] + 1) - special.digamma(a + 1))
        g0 = j[0] - a * h0
    else:
        h0 = g0 = 0.0
    h = h0 + np.cumsum(inv)  # Σ_{k=1..j+1} 1/(a+k)
    g = g0 + np.cumsum(k * inv)  # Σ_{k=1..j+1} k/(a+k)
    denom = a + jf + 1.0
    answer = a / denom  # P(answered | j)

    ab_w = float(p @ ((jf + 1.0) / denom))  # P(abandon | wait)
    lq_w = float(p @ jf)  # E[queue ahead | wait]
    wans_w = float(p @ (answer * h)) * patience  # E[W·1{answered} | wait]
    wab_w = float(p @ (g / denom)) * patience  # E[W·1{abandoned} | wait]
    u = math.exp(-target / patience)
    late_v = float(p @ special.betainc(a, jf + 1.0, u))  # P(V > t | wait)
    late_a = float(p @ (answer * special.betainc(a + 1.0, jf + 1.0, u)))  # P(ans, W > t | wait)

    abandonment = p_wait * ab_w
    answered = 1.0 - abandonment
    queue_length = p_wait * lq_w
    offered = max(0.0, answered - p_wait * late_a)
    return QueueResult(
        model="erlang_a",
        rate=rate,
        aht=aht,
        agents=agents,
        patience=patience,
        traffic=traffic,
        p_wait=p_wait,
        queue_length=queue_length,
        asa=p_wait * wans_w / answered,
        mean_wait_all=queue_length / rate,
        mean_wait_delayed=lq_w / rate,
        mean_time_to_abandon=wab_w / ab_w,
        abandonment=abandonment,
        occupancy=min(1.0, traffic * answered / agents),
        service_level=ServiceLevel(
            target,
            offered=offered,
            answered=min(1.0, offered / answered),
            virtual=max(0.0, 1.0 - p_wait * late_v),
        ),
    )


def queue_metrics(
    rate: float, aht: float, agents: int, *, patience: float | None = None, target: float
) -> QueueResult:
    """Erlang A if ``patience`` is given and finite, else Erlang C."""
    if patience is None:
        return erlang_c_metrics(rate, aht, agents, target=target)
    return erlang_a_metrics(rate, aht, agents, patience, target=target)


# --------------------------------------------------------------------------- staffing goals

GOAL_METRICS = {
    "service_level": ">=",
    "asa": "<=",
    "mean_wait_all": "<=",
    "abandonment": "<=",
    "occupancy": "<=",
    "p_wait": "<=",
    "blocking": "<=",
}
"""Goal metrics and the only direction that makes "the smallest N meeting it" meaningful."""

_PROBABILITIES = {"service_level", "abandonment", "occupancy", "p_wait", "blocking"}
_GOAL_RE = re.compile(r"^\s*([A-Za-z_]+)(?:\.([A-Za-z_]+))?\s*(<=|>=)\s*(\S+)\s*$")


@dataclass(frozen=True)
class Goal:
    """One staffing goal, e.g. ``service_level.offered >= 0.8`` or ``asa <= 20``.

    Time bounds (``asa``, ``mean_wait_all``) are in the time unit of the computation.
    """

    metric: str
    bound: float
    convention: str | None = None  # service_level only; always set after parse_goal

    @property
    def op(self) -> str:
        return GOAL_METRICS[self.metric]

    def value(self, result: QueueResult | LossResult) -> float:
        if isinstance(result, LossResult):
            if self.metric != "blocking":
                raise ValueError(f"goal {self} does not apply to a loss system")
            return result.blocking
        return result.metric(self.metric, self.convention)

    def met(self, result: QueueResult | LossResult) -> bool:
        v = self.value(result)
        return v >= self.bound if self.op == ">=" else v <= self.bound

    def __str__(self) -> str:
        name = f"{self.metric}.{self.convention}" if self.convention else self.metric
        return f"{name}{self.op}{self.bound:g}"


def parse_goal(text: str) -> Goal:
    """Parse ``METRIC[.CONVENTION] (<=|>=) NUMBER``; a ValueError says what is wrong."""
    m = _GOAL_RE.match(text)
    if not m:
        raise ValueError(
            f"malformed goal {text!r} (expected METRIC<=X or METRIC>=X, e.g. service_level>=0.8)"
        )
    metric, convention, op, number = m.groups()
    if metric not in GOAL_METRICS:
        raise ValueError(
            f"unknown goal metric {metric!r} in {text!r} (expected one of {', '.join(GOAL_METRICS)})"
        )
    if convention is not None and metric != "service_level":
        raise ValueError(f"only service_level takes a convention, got {text!r}")
    if metric == "service_level":
        convention = convention or DEFAULT_CONVENTION
        if convention not in CONVENTIONS:
            raise ValueError(
                f"unknown service-level convention {convention!r} in {text!r} "
                f"(expected one of {', '.join(CONVENTIONS)})"
            )
    if op != GOAL_METRICS[metric]:
        raise ValueError(f"goal {text!r}: {metric} must be bounded with {GOAL_METRICS[metric]}")
    try:
        bound = float(number)
    except ValueError:
        raise ValueError(f"goal {text!r}: {number!r} is not a number") from None
    if not math.isfinite(bound):
        raise ValueError(f"goal {text!r}: the bound must be finite")
    if metric in _PROBABILITIES and not 0.0 <= bound <= 1.0:
        raise ValueError(f"goal {text!r}: {metric} is a fraction between 0 and 1")
    if op == ">=" and bound >= 1.0:
        raise ValueError(f"goal {text!r} is unattainable: {metric} stays below 1")
    if op == "<=" and bound <= 0.0:
        raise ValueError(f"goal {text!r} is unattainable: {metric} stays above 0")
    return Goal(metric, bound, convention)


@dataclass(frozen=True)
class Staffing:
    """The smallest agent count meeting every goal, with its figures."""

    agents: int
    result: QueueResult
    goals: tuple[Goal, ...]


def staff(
    rate: float,
    aht: float,
    goals: list[Goal] | tuple[Goal, ...],
    *,
    patience: float | None = None,
    target: float,
    max_agents: int = 200_000,
) -> Staffing:
    """Smallest N whose Erlang C / Erlang A figures meet every goal (case C4).

    Every goal metric is monotone in N (waits, P_wait, P_ab and occupancy fall, service levels
    rise as agents are added), so the search doubles an upper bound and then bisects.
    """
    goals = tuple(goals)
    if not goals:
        raise ValueError("staffing needs at least one goal")
    if any(g.metric == "blocking" for g in goals):
        raise ValueError("blocking is an Erlang B goal: use trunks_for_blocking")
    rate = _positive("rate", rate)
    aht = _positive("aht", aht)
    erlang_c_model = patience is None or math.isinf(patience)
    traffic = rate * aht

    def evaluate(n: int) -> tuple[bool, QueueResult]:
        r = queue_metrics(rate, aht, n, patience=patience, target=target)
        return all(g.met(r) for g in goals), r

    lo = math.floor(traffic) + 1 if erlang_c_model else 1
    if lo > max_agents:
        raise ValueError(f"the offered load of {traffic:g} Erlangs needs more than {max_agents} agents")
    ok, result = evaluate(lo)
    if ok:
        return Staffing(lo, result, goals)
    fail, step = lo, max(1, math.isqrt(max(1, math.ceil(traffic))))
    while True:
        hi = min(fail + step, max_agents)
        ok, result = evaluate(hi)
        if ok:
            break
        if hi == max_agents:
            raise ValueError(
                f"no staffing up to {max_agents} agents meets {', '.join(map(str, goals))}"
            )
        fail, step = hi, step * 2
    while hi - fail > 1:
        mid = (fail + hi) // 2
        ok_mid, r_mid = evaluate(mid)
        if ok_mid:
            hi, result = mid, r_mid
        else:
            fail = mid
    return Staffing(hi, result, goals)
