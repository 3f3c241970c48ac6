"""The work a scenario asks for, estimated before it runs, and the limits a run must stay within.

``sim run``, ``sim sweep`` and ``sim stream`` call :func:`preflight`: it prints the scenario's
warnings and refuses a run whose estimate is beyond a limit, printing the estimate and the
option that runs it anyway (``--allow-large``). The limits (docs/decisions.md, "Bounded work"):

* more than :data:`MAX_CALLS` calls or :data:`MAX_EVENTS` TEvents (all runs of a sweep
  together): hours of CPU, almost surely a mistaken rate, horizon or team size;
* more memory than the machine has (a model and statistics of 100,000 agents take 5.5 GB);
* more output than the free space of the ``--out`` folder's file system (``sim run``).

The estimate is arithmetic on the scenario, no simulation: calls = rate x horizon per traffic
source, weighted by its interval profile, plus the agents' own calls and, for callers who
redial, every attempt as if each were abandoned; events, bytes and memory from figures measured
on the shipped scenarios (full horizons, 2026-12-06, see the constants below). It errs on the
large side; it is a guard against runs that would never end or fill the disk, not a forecast.
"""

from __future__ import annotations

import math
import os
import shutil
import sys
from dataclasses import dataclass
from typing import Any

from sim.errors import UserError

MAX_CALLS = 50_000_000
MAX_EVENTS = 500_000_000
DAY = 86400.0
# Measured on the shipped scenarios (quickstart, erlang_a, blended, faults, inbound_day):
EVENTS_PER_CALL = 10         # 5.0 (erlang_a) to 12.6 (blended) TEvents per offered call
EVENTS_PER_AGENT_DAY = 8     # login, not ready, ready, a break, logout
BYTES_PER_EVENT = 1_900      # events.jsonl + actions.jsonl + statuses.jsonl + calls.csv: 1,555-1,898
BYTES_PER_STAT_ROWS = 1_000  # stats.csv, per object (DN, agent, place, group) and notification: 911-1,013
MEMORY_BASE = 150 * 2**20
MEMORY_PER_AGENT = 56 * 2**10  # 100,000 agents: 5.5 GB peak (5,000: 350 MB)
MAX_REDIALS = 100            # attempts counted per caller who may redial for ever (probability 1)
EVENTS_PER_STEP = 0.01       # a profile interval without arrivals costs a step of a loop, not an event
BYTES_PER_TRUTH_ROW = 80     # truth.csv, per mediation DN and run.interval


@dataclass
class Estimate:
    calls: float
    agents: int
    events: float
    output_bytes: float
    memory_bytes: float

    def text(self, output: bool = True) -> str:
        out = f"{_size(self.output_bytes)} of output, " if output else ""
        return (f"about {_count(self.calls)} calls, {_count(self.agents)} agents, {_count(self.events)} "
                f"events, {out}{_size(self.memory_bytes)} of memory")


def _count(n: float) -> str:
    """Three significant digits, with thousands separators below 10**15."""
    n = float(f"{n:.3g}")
    return f"{n:,.0f}" if n < 1e15 else f"{n:.3g}"


def _size(n: float) -> str:
    for unit in ("bytes", "KB", "MB", "GB", "TB"):
        if n < 1000 or unit == "TB":
            return f"{n:.0f} {unit}" if unit == "bytes" else f"{n:.3g} {unit}"
        n /= 1000
    return f"{n:.3g} TB"


def profiled_hours(t: dict[str, Any], horizon: float) -> float:
    """Hours of arrivals at the source's full rate: the integral of its profile over the horizon
    (the profile repeats every ``len(profile) x interval`` seconds)."""
    profile = [float(x) for x in t["profile"]]
    interval = float(t["interval"])
    cycle = interval * len(profile)
    laps = math.floor(horizon / cycle)
    rest = horizon - laps * cycle
    part = sum(min(interval, max(0.0, rest - k * interval)) * p for k, p in enumerate(profile))
    return (laps * interval * sum(profile) + part) / 3600.0


def _mean(spec: Any) -> float:
    """The mean of a distribution spec (the model's layer is not imported here)."""
    if isinstance(spec, int | float):
        return float(spec)
    if spec["dist"] == "constant":
        return float(spec["value"])
    if spec["dist"] == "uniform":
        return (float(spec["low"]) + float(spec["high"])) / 2
    if spec["dist"] == "empirical":
        return sum(float(v) for v in spec["values"]) / len(spec["values"])
    return float(spec["mean"])


def _attempts(t: dict[str, Any], horizon: float) -> float:
    """Attempts per caller if every attempt were abandoned and redialled at its probability."""
    red = t.get("redial")
    if not red or red["probability"] <= 0:
        return 1.0
    p = float(red["probability"])
    if p < 1:
        return min(1.0 / (1.0 - p), MAX_REDIALS)
    delay = _mean(red.get("delay", 60.0))
    return min(MAX_REDIALS, 1.0 + horizon / max(delay, 1.0))


def estimate(sc) -> Estimate:
    horizon = float(sc.run["horizon"])
    calls = sum(float(t["rate"]) * profiled_hours(t, horizon) * _attempts(t, horizon) for t in sc.traffic)
    for a in sc.agents:
        for kind in ("outbound", "internal"):
            if a[kind]:
                calls += float(a[kind]["rate"]) * horizon / 3600.0
    days = math.ceil((horizon + float(sc.run["drain"])) / DAY)
    pauses = sum(float(a[k]["rate"]) for a in sc.agents for k in ("not_ready", "walk_away") if a[k])
    doc = sc.objects_dict()
    events = (calls * EVENTS_PER_CALL + len(sc.agents) * EVENTS_PER_AGENT_DAY * days
              + 2 * pauses * horizon / 3600 + _fault_events(sc, len(doc["dns"]))
              + sum(horizon / float(t["interval"]) for t in sc.traffic) * EVENTS_PER_STEP)
    objects = sum(len(doc[k]) for k in ("dns", "agents", "places", "groups"))
    span = horizon + float(sc.run["drain"])
    notifications = span / float(sc.run["notify_every"]) + 1
    mediation = len(sc.queues) + len(sc.routing_points) + len(sc.virtual_queues)
    output = (events * BYTES_PER_EVENT + objects * notifications * BYTES_PER_STAT_ROWS
              + mediation * (span / float(sc.run["interval"]) + 1) * BYTES_PER_TRUTH_ROW)
    memory = MEMORY_BASE + len(sc.agents) * MEMORY_PER_AGENT
    return Estimate(calls, len(sc.agents), events, output, memory)


def _fault_events(sc, dns: int) -> float:
    """A fault ends with the re-registration (and clean-up) of the DNs it touched: every DN of
    the switch at most; random faults at their rate over the horizon."""
    f = sc.faults
    fixed = sum(len(f[k]) for k in ("registration_errors", "link_loss", "server_disconnect", "out_of_service"))
    rand = sum(float(r["rate"]) for r in f["random"]) * float(sc.run["horizon"]) / 3600.0
    return (fixed + rand) * (dns + 4)


def physical_memory() -> float:
    try:
        return float(os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES"))
    except (ValueError, OSError, AttributeError):
        return math.inf


def free_space(out: str) -> float:
    """Free bytes on the file system that will hold ``out`` (its nearest existing folder)."""
    path = os.path.abspath(out)
    while not os.path.isdir(path):
        parent = os.path.dirname(path)
        if parent == path:
            return math.inf
        path = parent
    try:
        return float(shutil.disk_usage(path).free)
    except OSError:
        return math.inf


def over_limits(est: Estimate, runs: int = 1, out: str | None = None) -> list[str]:
    """The limits the estimate (``runs`` runs of it) goes beyond, each said in a few words."""
    over = []
    if est.calls * runs > MAX_CALLS:
        over.append(f"more than {MAX_CALLS:,} calls")
    if est.events * runs > MAX_EVENTS:
        over.append(f"more than {MAX_EVENTS:,} events")
    memory = physical_memory()
    if est.memory_bytes > memory:
        over.append(f"more memory than the {_size(memory)} of this machine")
    if out is not None:
        free = free_space(out)
        if est.output_bytes > free:
            over.append(f"more output than the {_size(free)} free for {out}")
    return over


def preflight(sc, command: str, *, out: str | None = None, runs: int = 1, allow_large: bool = False,
              warn: bool = True) -> Estimate:
    """Print the scenario's warnings; refuse (UserError) a run beyond a limit unless allowed."""
    if warn:
        for w in sc.warnings:
            print(f"sim {command}: warning: {w}", file=sys.stderr)
    est = estimate(sc)
    over = over_limits(est, runs, out)
    if over and not allow_large:
        times = f" x {runs} runs" if runs > 1 else ""
        raise UserError(f"estimated {est.text(out is not None)}{times}: {', '.join(over)}; "
                        "--allow-large runs it anyway", where=sc.source)
    return est


def preflight_sweep(base, source, varies, sets, replications: int, *, allow_large: bool = False) -> None:
    """:func:`preflight` for a sweep: every point of the grid, ``replications`` runs each (a
    point whose scenario does not load is left to the sweep's own check, which names it)."""
    from sim.analysis.runner import build
    from sim.analysis.sweep import MAX_POINTS, grid, point_overrides

    preflight(base, "sweep", allow_large=True)      # the warnings, once
    combos = grid(varies) if varies else [()]
    if len(combos) > MAX_POINTS:
        return
    total = Estimate(0.0, 0, 0.0, 0.0, 0.0)
    for values in combos:
        try:
            sc = build(source, (*sets, *point_overrides(varies, values))) if values else base
        except UserError:
            continue
        est = estimate(sc)
        total.calls += est.calls * replications
        total.events += est.events * replications
        total.agents = max(total.agents, est.agents)
        total.memory_bytes = max(total.memory_bytes, est.memory_bytes)
    over = over_limits(total)
    if over and not allow_large:
        raise UserError(f"estimated {total.text(False)} over "
                        f"{len(combos)} points x {replications} replications: {', '.join(over)}; "
                        "--allow-large runs it anyway", where=base.source)
