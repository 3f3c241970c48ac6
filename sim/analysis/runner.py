"""The one adapter between the analysis layer and the SimPy model: one replication in, KPIs out.

Every call into ``sim.scenario`` and ``sim.model`` made by replications, sweeps and the
agreement report goes through this module, so a change of the model's API is fixed here only.

A replication is a picklable :class:`Task` (the scenario document, its source path, ``--set``
style overrides, a seed and a warm-up), so it runs the same in this process, in a process pool
and on a Dask worker. :func:`run_replication` returns a flat ``{name: float}`` dict:

* ground-truth KPIs over the calls **arriving in [warm-up, horizon)** (docs/reference/capacity-references.md
  §5): ``offered``, ``answered``, ``abandoned``, ``abandonment`` (P_ab), ``p_wait``,
  ``service_level.offered`` / ``service_level.answered`` (SL_offered / SL_answered at the first
  threshold of ``run.sl_thresholds``; further thresholds as ``service_level.offered@T``),
  ``service_factor1`` (Stat Server's convention, docs/reference/stat-types.md §4.5, with the range 0-t:
  answered within t over answered plus abandoned, from the same records),
  ``asa`` (ASA_answered, s), ``mean_wait_all`` (ASA_all, s), ``mean_time_to_abandon`` (s),
  ``aht`` (mean talk + mean after-call work, s), ``occupancy`` (agents' busy time / logged-in
  time over [warm-up, horizon]); ``unfinished`` counts calls still in progress when the drain
  ended (whole run);
* optionally Stat Server statistics (``stat:NAME`` or ``stat:NAME@OBJECT_TYPE:OBJECT``) computed
  by the action engine and the statistics engine from the run's TEvents, read with the stats
  engine's ``peek`` at the end of the run. Their profile is a Growing profile that never resets,
  so they cover the whole run: the warm-up does **not** apply to them.

KPIs a replication cannot define (no answered call, no abandon) are ``nan``; the summaries
drop them and count what is left.

Warm-up uses the model's per-call ground-truth records (``calls.csv`` lines, here captured in
memory) and two snapshots of the agents' busy / logged-in clocks taken by a SimPy process at the
warm-up time and at the horizon; the model itself has no warm-up option.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass, field
from functools import lru_cache
from typing import Any

from sim.errors import UserError, read_toml

Overrides = tuple[str, ...]

# Stat Server statistics the agreement report reads (shipped library names; see STAT_OBJECT).
AGREEMENT_STATS = (
    "Total_Calls_Entered",
    "Total_Calls_Answered",
    "Total_Calls_Abandoned",
    "Total_Calls_Answered_In_Threshold",
    "Service_Level",
    "Percent_Answered_Within_20s",
    "Average_Speed_Of_Answer",
    "Average_Time_To_Abandon",
    "Abandon_Rate",
    "Occupancy",
)
WHOLE = "whole:"  # prefix of ground-truth KPIs over the whole run (with Stat Server statistics)


# --------------------------------------------------------------------------- tasks


@dataclass(frozen=True)
class ScenarioSource:
    """A scenario document as read from its TOML file (plain data: pickles to any worker)."""

    path: str
    data: dict[str, Any] = field(hash=False, compare=False)


def read_scenario(path: str) -> ScenarioSource:
    """Read the TOML document (no validation yet: that happens with the overrides)."""
    return ScenarioSource(str(path), read_toml(str(path)))


@dataclass(frozen=True)
class Task:
    """One replication: everything a worker needs, nothing it must share."""

    source: ScenarioSource
    overrides: Overrides
    seed: int
    warmup: float = 0.0
    stats: tuple[str, ...] = ()   # Stat Server statistics to read (empty: no engine)
    point: int = 0                # sweep point index (bookkeeping only)
    replication: int = 0          # replication index (bookkeeping only)


def build(source: ScenarioSource | str, overrides: Overrides | list[str] = (), seed: int | None = None):
    """The model's Scenario for a document plus overrides (UserError naming file and key)."""
    from sim.scenario.load import build_scenario

    if isinstance(source, str):
        source = read_scenario(source)
    return build_scenario(source.data, source.path, list(overrides), seed)


def horizon_of(sc) -> float:
    return float(sc.run["horizon"])


def thresholds_of(sc) -> list[float]:
    return [float(t) for t in sc.run["sl_thresholds"]]


def scenario_name(sc) -> str:
    return str(sc.run["name"])


# --------------------------------------------------------------------------- one replication


class _CallSink:
    """A text sink for the model's per-call records (``calls.csv`` lines), parsed as they come.

    Line layout (sim.model.groundtruth.CallRecord): connid, traffic, queue, arrival, outcome,
    wait, talk. The traffic name may contain commas, so fields are taken from both ends.
    """

    __slots__ = ("calls", "_header", "_partial")

    def __init__(self):
        self.calls: list[tuple[float, str, float, float]] = []  # arrival, outcome, wait, talk
        self._header = True
        self._partial = ""

    def write(self, text: str) -> int:
        buf = self._partial + text
        lines = buf.split("\n")
        self._partial = lines.pop()
        for line in lines:
            if self._header:
                self._header = False
                continue
            if not line:
                continue
            p = line.split(",")
            self.calls.append((float(p[-4]), p[-3], float(p[-2]), float(p[-1])))
        return len(text)

    def flush(self) -> None:
        """Nothing is buffered: every line is parsed as it is written."""


def _ratio(a: float, b: float) -> float:
    return a / b if b else math.nan


def call_kpis(calls, thresholds: list[float], start: float, stop: float) -> dict[str, float]:
    """Ground-truth KPIs of the calls arriving in [start, stop) (docs/reference/capacity-references.md §5)."""
    offered = answered = abandoned = waited = 0
    wait_ans = wait_ab = talk = 0.0
    within = [0] * len(thresholds)
    for arrival, outcome, wait, tk in calls:
        if arrival < start or arrival >= stop:
            continue
        offered += 1
        if wait > 0.0:
            waited += 1
        if outcome == "answered":
            answered += 1
            wait_ans += wait
            talk += tk
            for i, th in enumerate(thresholds):
                if wait <= th:
                    within[i] += 1
        elif outcome.startswith("abandoned"):
            abandoned += 1
            wait_ab += wait
    out = {
        "offered": float(offered),
        "answered": float(answered),
        "abandoned": float(abandoned),
        "abandonment": _ratio(abandoned, offered),
        "p_wait": _ratio(waited, offered),
    }
    for i, th in enumerate(thresholds):
        suffix = "" if i == 0 else f"@{th:g}"
        out["service_level.offered" + suffix] = _ratio(within[i], offered)
        out["service_level.answered" + suffix] = _ratio(within[i], answered)
    # ServiceFactor1 with the range 0-t: answered in [0, t) over answered + abandoned with d >= 0
    out["service_factor1"] = _ratio(within[0], answered + abandoned) if thresholds else math.nan
    out["asa"] = _ratio(wait_ans, answered)
    out["mean_wait_all"] = _ratio(wait_ans + wait_ab, answered + abandoned)
    out["mean_time_to_abandon"] = _ratio(wait_ab, abandoned)
    out["aht_talk"] = _ratio(talk, answered)
    return out


def run_replication(task: Task) -> dict[str, float]:
    """Run one replication of ``task`` and return its KPIs (see the module docstring)."""
    from sim.model.groundtruth import agent_clocks
    from sim.model.model import ContactCenter

    sc = build(task.source, task.overrides, task.seed)
    horizon = horizon_of(sc)
    warmup = float(task.warmup)
    if not 0.0 <= warmup < horizon:
        raise UserError(f"warm-up {warmup:g} s must lie in [0, horizon = {horizon:g} s)", where="--warmup")
    stats = _StatsProbe(sc, task.stats) if task.stats else None
    sink = stats.sink if stats is not None else _discard
    calls = _CallSink()
    cc = ContactCenter(sc, sink, calls, None)
    marks: dict[str, tuple[float, float]] = {}

    def snapshots(env):
        if warmup > 0:
            yield env.timeout(warmup)
        marks["warmup"] = agent_clocks(cc.agents, env.now)
        yield env.timeout(horizon - env.now)
        marks["horizon"] = agent_clocks(cc.agents, env.now)

    cc.env.process(snapshots(cc.env))
    end = cc.run()
    summary = cc.summary(end)
    kpis = call_kpis(calls.calls, thresholds_of(sc), warmup, horizon)
    overall = summary["overall"]
    wrap = float(overall.get("mean_wrap_up") or 0.0)
    kpis["aht"] = kpis.pop("aht_talk") + wrap
    (b0, l0), (b1, l1) = marks.get("warmup", (0.0, 0.0)), marks.get("horizon", (0.0, 0.0))
    kpis["occupancy"] = _ratio(b1 - b0, l1 - l0)
    kpis["unfinished"] = float(summary.get("unfinished_calls", 0))
    if stats is not None:
        kpis.update(stats.read(cc.epoch + end))
        # the same calls over the whole run, the window the Stat Server statistics cover
        whole = call_kpis(calls.calls, thresholds_of(sc), 0.0, math.inf)
        whole.pop("aht_talk")
        whole["occupancy"] = float(overall.get("occupancy") or math.nan)
        kpis.update({WHOLE + k: v for k, v in whole.items()})
    return kpis


def _discard(_event) -> None:
    return None


# --------------------------------------------------------------------------- Stat Server side


@lru_cache(maxsize=8)
def _stattypes_text(threshold: int) -> str:
    """The shipped stat type library, with the Default profile never resetting (the statistic
    covers the whole run) and the ServiceLevel range 0-``threshold``."""
    from importlib import resources

    text = resources.files("sim").joinpath("data/stattypes.ini").read_text(encoding="utf-8")
    text, n = re.subn(r"(?m)^Default\s*,\s*Growing\s*=.*$", "Default,Growing =", text)
    if n == 0:
        text = re.sub(r"(?m)^\[TimeProfiles\]\s*$", "[TimeProfiles]\nDefault,Growing =", text, count=1)
    text = re.sub(r"(?m)^ServiceLevel\s*=.*$", f"ServiceLevel = 0-{threshold}", text)
    return text


def stat_key(name: str) -> str:
    return f"stat:{name}"


def resolve_stats(sc, wanted) -> tuple[Any, list[tuple[str, str, str, str]]]:
    """Stat types to read: ``NAME`` (on its default object) or ``NAME@OBJECT_TYPE:OBJECT``.

    Returns the stat type library and (KPI key, stat type, object type, object) per item; a
    UserError naming ``--stat`` for an unknown stat type, object type or object.
    """
    from sim.statserver.stats import StatEngine, parse_stattypes

    th = thresholds_of(sc)
    threshold = int(round(th[0])) if th else 20
    types = parse_stattypes(_stattypes_text(threshold), "sim/data/stattypes.ini")
    objects = sc.objects()
    out: list[tuple[str, str, str, str]] = []
    for item in wanted:
        name, _, where = item.partition("@")
        if name not in types.types:
            raise UserError(f"unknown stat type {name!r} (see sim/data/stattypes.ini)", where="--stat")
        st = types[name]
        if where:
            ot, _, obj = where.partition(":")
            if ot not in st.objects or not obj:
                raise UserError(f"{item!r}: expected NAME@OBJECT_TYPE:OBJECT with an object type "
                                f"of {name} ({', '.join(st.objects)})", where="--stat")
            known = StatEngine(objects, [st]).configured_objects(ot)
            if obj not in known:
                raise UserError(f"{item!r}: no {ot} {obj!r} in this scenario", where="--stat")
        else:
            ot, obj = _default_object(sc, objects, st.objects)
            if ot is None:
                raise UserError(f"{name}: no default object among {', '.join(st.objects)}; "
                                "name one as NAME@OBJECT_TYPE:OBJECT", where="--stat")
        out.append((stat_key(item), name, ot, obj))
    return types, out


class _StatsProbe:
    """Action engine + statistics engine fed by the model's TEvents; peeks at the end."""

    def __init__(self, sc, wanted: tuple[str, ...]):
        from sim.statserver.engine import ActionEngine
        from sim.statserver.stats import StatEngine

        types, self.wanted = resolve_stats(sc, wanted)
        objects = sc.objects()
        self.engine = ActionEngine(objects)
        self.stats = StatEngine(objects, [types[n] for n in dict.fromkeys(w[1] for w in self.wanted)])
        feed, feed_stats = self.engine.feed, self.stats.feed_many

        def sink(ev):
            feed_stats(feed(ev))

        self.sink = sink

    def read(self, time: float) -> dict[str, float]:
        out = {}
        for key, name, ot, obj in self.wanted:
            try:
                p = self.stats.peek(name, ot, obj, time)
            except (KeyError, ValueError):
                out[key] = math.nan
                continue
            v = p.value
            out[key] = float(v) if isinstance(v, int | float) and p.valid else math.nan
        return out


def _default_object(sc, objects, object_types) -> tuple[str | None, str | None]:
    """The object a stat type is read on by default: the first queue, else the first agent group,
    else the tenant."""
    if "Queue" in object_types and sc.queues:
        q = sc.queues[0]
        return "Queue", f"{q['number']}@{q['switch']}"
    if "GroupAgents" in object_types and sc.agents and sc.agents[0].get("groups"):
        return "GroupAgents", sc.agents[0]["groups"][0]
    if "Tenant" in object_types:
        from sim.statserver.stats import names

        return "Tenant", names.TENANT
    return None, None


# --------------------------------------------------------------------------- Erlang-likeness


@dataclass(frozen=True)
class ErlangInputs:
    """What Erlang C / A needs, in seconds: rate (calls/s), aht, agents, patience (None = C)."""

    rate: float
    aht: float
    agents: int
    patience: float | None
    thresholds: tuple[float, ...]

    @property
    def model(self) -> str:
        return "erlang_c" if self.patience is None else "erlang_a"


def _is_zero(spec) -> bool:
    if spec is None:
        return True
    if isinstance(spec, int | float):
        return float(spec) == 0.0
    return spec.get("dist") == "constant" and float(spec.get("value", 0.0)) == 0.0


def _exp_mean(spec) -> float | None:
    if isinstance(spec, dict) and spec.get("dist") == "exponential":
        return float(spec["mean"])
    return None


def erlang_inputs(sc) -> tuple[ErlangInputs | None, list[str]]:
    """Decide whether the scenario is an M/M/N (+M) queue and, if so, its Erlang inputs.

    Erlang-like: one switch, one ACD queue, one traffic source on it with Poisson arrivals at a
    constant rate (flat profile, no day-to-day variation), exponential handle time, exponential
    patience or none, no flows (hold, transfers, conference), no redials; every agent serves
    that queue from time 0 with no ringing time, no after-call work, no ring-no-answer, no
    pauses, breaks, shifts or agent-originated calls; no faults, IVRs, overflows or virtual
    queues. Returns ``(inputs, [])`` or ``(None, reasons)``.
    """
    why: list[str] = []
    if len(sc.switches) != 1:
        why.append("more than one switch")
    if len(sc.queues) != 1:
        why.append(f"{len(sc.queues)} ACD queues (Erlang needs one)")
    if sc.ivrs:
        why.append("IVR treatment")
    if sc.virtual_queues:
        why.append("virtual queues")
    if any(q.get("overflow") for q in sc.queues):
        why.append("queue overflow")
    if any(r.get("strategy", "queue") != "queue" or "ivr" in r for r in sc.routing_points):
        why.append("routing-point strategy other than a plain queue target")
    if any(sc.faults.get(k) for k in ("registration_errors", "link_loss", "server_disconnect",
                                      "out_of_service", "random")):
        why.append("faults")
    if len(sc.traffic) != 1:
        why.append(f"{len(sc.traffic)} traffic sources (Erlang needs one)")
    rate = aht = patience = None
    if sc.traffic:
        t = sc.traffic[0]
        prof = [float(x) for x in t.get("profile", [1.0])]
        if len(set(prof)) > 1:
            why.append("time-varying arrival profile")
        if float(t.get("day_cv", 0.0)) != 0.0:
            why.append("day-to-day volume variation (day_cv)")
        if t.get("redial"):
            why.append("redials")
        flows = t.get("flows") or {}
        if any(float(v) > 0 for k, v in flows.items() if k not in ("hold_time", "consult_time",
                                                                    "transfer_queue")):
            why.append("call flows (hold / transfer / conference)")
        aht = _exp_mean(t.get("handle"))
        if aht is None:
            why.append("handle time not exponential")
        if t.get("patience") is not None:
            patience = _exp_mean(t["patience"])
            if patience is None:
                why.append("patience not exponential")
        rate = float(t["rate"]) * prof[0] / 3600.0 if prof else 0.0
        if rate <= 0:
            why.append("no arrivals")
    agents = sc.agents
    if not agents:
        why.append("no agents")
    queue = sc.queues[0] if sc.queues else None
    for a in agents:
        if queue is not None and queue.get("skill") not in a.get("skills", ()):
            why.append(f"agent {a['id']} does not serve queue {queue['number']}")
            break
    checks = (
        ("answer_delay", lambda a: not _is_zero(a.get("answer_delay")), "ringing time (answer_delay)"),
        ("wrap_up", lambda a: not _is_zero(a.get("wrap_up")), "after-call work"),
        ("rona", lambda a: float(a.get("rona_probability", 0.0)) > 0, "ring-no-answer"),
        ("pauses", lambda a: bool(a.get("not_ready") or a.get("walk_away")), "agent pauses"),
        ("calls", lambda a: bool(a.get("outbound") or a.get("internal")), "agent-originated calls"),
        ("breaks", lambda a: bool(a.get("breaks")), "breaks"),
        ("shift", lambda a: a.get("shift") not in (None, {"start": 0.0, "end": math.inf}), "shifts"),
    )
    for _, bad, text in checks:
        if any(bad(a) for a in agents):
            why.append(text)
    if why:
        return None, why
    return ErlangInputs(rate, aht, len(agents), patience, tuple(thresholds_of(sc))), []
