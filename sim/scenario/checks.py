"""Cross-field checks: what the JSON Schema cannot say about a scenario, said before it runs.

The schema checks each value on its own; these checks look at several at once, so that every
scenario that passes them runs to the end (docs/decisions.md, "Bounded work"):

* distributions whose parameters do not define one (a gamma needs ``sd`` or ``shape``, a
  uniform ``low <= high``, empirical weights one per value and not all zero);
* ``run.epoch`` and the run's length, which must stay within the times a trace may carry (the
  trace reader's range), so that ``sim check`` and ``sim replay`` accept the run's own trace;
* routing loops with no delay: ACD queues that overflow to each other in a cycle whose
  ``overflow.after`` times add up to less than :data:`MIN_PERIOD` (a call would move forever
  at one instant), and callers who redial at once, forever, with no patience.

:func:`warnings` lists what is valid but almost surely a mistake (a queue no agent has the
skill for, a team that can serve no queue, no agents at all): ``sim run`` prints them and runs.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sim.errors import UserError
from sim.tlib.trace import MAX_TIME

MIN_PERIOD = 1.0        # seconds: Stat Server's clock; no reporting period or loop is shorter


def _fail(source: str, path: str, message: str):
    raise UserError(message, where=f"{source}: {path}")


# --- epoch -------------------------------------------------------------------------------------

def native_epoch(data: dict[str, Any]) -> None:
    """A TOML date-time (or date) for ``run.epoch`` becomes the ISO text the schema expects;
    a date-time without an offset is UTC (the run must not depend on the machine's zone)."""
    run = data.get("run")
    if not isinstance(run, dict):
        return
    value = run.get("epoch")
    if isinstance(value, dt.datetime):
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        run["epoch"] = value.isoformat()
    elif isinstance(value, dt.date):
        run["epoch"] = dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC).isoformat()


def parse_epoch(text: str) -> float:
    """Seconds since the Unix epoch of an ISO date-time (``Z`` or an offset; none means UTC)."""
    t = dt.datetime.fromisoformat(text.replace("Z", "+00:00"))
    if t.tzinfo is None:
        t = t.replace(tzinfo=dt.UTC)
    return t.timestamp()


def check_epoch(run: dict[str, Any], source: str) -> float:
    """The epoch in seconds; refused unless the whole run (horizon and drain) lies in the range
    of times a trace may carry, which the run's own trace must pass."""
    try:
        epoch = parse_epoch(run["epoch"])
    except (ValueError, OverflowError):
        _fail(source, "run.epoch", f"not an ISO date-time: {run['epoch']!r}")
    end = epoch + float(run["horizon"]) + float(run["drain"])
    if epoch < 0 or end >= MAX_TIME:
        last = dt.datetime.fromtimestamp(MAX_TIME, dt.UTC).strftime("%Y-%m-%d")
        _fail(source, "run.epoch", f"the run from {run['epoch']} to its end (horizon + drain) must lie "
                                   f"between 1970-01-01 and {last} (the times a trace may carry)")
    return epoch


# --- distributions -------------------------------------------------------------------------------

def check_distributions(node: Any, source: str, path: str = "") -> None:
    """Every distribution table in the document (a table with ``dist``; the schema allows no
    other table to have that key) defines a distribution."""
    if isinstance(node, dict):
        if isinstance(node.get("dist"), str):
            _check_dist(node, source, path)
            return
        for k, v in node.items():
            check_distributions(v, source, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            check_distributions(v, source, f"{path}[{i}]")


def _check_dist(spec: dict[str, Any], source: str, path: str) -> None:
    kind = spec["dist"]
    if kind == "gamma" and ("sd" in spec) == ("shape" in spec):
        _fail(source, path, "a gamma distribution needs 'sd' or 'shape' (one of them) besides 'mean'")
    if kind == "uniform" and spec["low"] > spec["high"]:
        _fail(source, f"{path}.high", f"{spec['high']!r} is less than low = {spec['low']!r}")
    if kind == "empirical" and "weights" in spec:
        w = spec["weights"]
        if len(w) != len(spec["values"]):
            _fail(source, f"{path}.weights", f"{len(w)} weights for {len(spec['values'])} values "
                                             "(give one weight per value)")
        if not sum(w) > 0:
            _fail(source, f"{path}.weights", "at least one weight must be positive")


def always_zero(spec: Any) -> bool:
    """Whether every draw of the distribution ``spec`` is 0 seconds."""
    if isinstance(spec, int | float):
        return spec == 0
    if not isinstance(spec, dict):
        return False
    kind = spec.get("dist")
    if kind == "constant":
        return spec["value"] == 0
    if kind == "uniform":
        return spec["high"] == 0
    if kind == "empirical":
        w = spec.get("weights") or [1] * len(spec["values"])
        return all(v == 0 for v, p in zip(spec["values"], w, strict=False) if p > 0)
    return False


# --- loops at one instant ----------------------------------------------------------------------

def check_overflow_cycles(queues: list[dict[str, Any]], source: str) -> None:
    """ACD queues overflowing to each other in a cycle must take at least MIN_PERIOD per lap:
    a call in a faster cycle (``after = 0``) moves forever without the clock advancing."""
    index = {(q["switch"], q["number"]): i for i, q in enumerate(queues)}
    seen: set[int] = set()
    for start in range(len(queues)):
        path: list[int] = []
        i: int | None = start
        while i is not None and i not in seen and i not in path:
            path.append(i)
            ov = queues[i].get("overflow")
            i = index.get((queues[i]["switch"], ov["to"])) if ov else None
        if i is not None and i in path:
            cycle = path[path.index(i):]
            lap = sum(float(queues[k]["overflow"]["after"]) for k in cycle)
            if lap < MIN_PERIOD:
                _loop_error(queues, cycle, lap, source)
        seen.update(path)


def _loop_error(queues: list[dict[str, Any]], cycle: list[int], lap: float, source: str):
    names = " -> ".join(queues[k]["number"] for k in [*cycle, cycle[0]])
    what = (f"queue {queues[cycle[0]]['number']} overflows to itself" if len(cycle) == 1
            else f"queues {names} overflow to each other")
    _fail(source, f"queues[{cycle[0]}].overflow",
          f"{what} with after = {lap:g} s in all: a call would move forever at one instant "
          f"(the overflow times of a cycle must add up to at least {MIN_PERIOD:g} s)")


def check_redial_loops(traffic: list[dict[str, Any]], source: str) -> None:
    """A caller with no patience who always redials at once would call forever at one instant."""
    for i, t in enumerate(traffic):
        red = t.get("redial")
        if (red and red["probability"] >= 1 and always_zero(red.get("delay", 60.0))
                and t.get("patience") is not None and always_zero(t["patience"])):
            _fail(source, f"traffic[{i}].redial",
                  "probability 1 with delay 0 and patience 0: a caller would redial forever at one "
                  "instant (give a delay, a patience or a probability below 1)")


# --- warnings ----------------------------------------------------------------------------------

def warnings(sc) -> list[str]:
    """Valid but almost surely wrong: one line each, naming the place."""
    out: list[str] = []
    src = sc.source
    if not sc.agents:
        out.append(f"{src}: no agents: every call can only wait and abandon")
    skills: dict[str, set[str]] = {}
    for a in sc.agents:
        skills.setdefault(a["switch"], set()).update(a["skills"])
    ivr_queues = {(v["switch"], v["queue"]) for v in sc.ivrs}
    served: dict[str, set[str]] = {}
    for i, q in enumerate(sc.queues):
        if (q["switch"], q["number"]) in ivr_queues:
            continue            # IVR ports serve it
        served.setdefault(q["switch"], set()).add(q["skill"])
        if sc.agents and q["skill"] not in skills.get(q["switch"], ()):
            out.append(f"{src}: queues[{i}]: no agent has skill {q['skill']!r}, so queue "
                       f"{q['number']} never distributes a call")
    for i, r in enumerate(sc.routing_points):
        if r["strategy"] == "queue":
            continue
        served.setdefault(r["switch"], set()).add(r["skill"])
        if sc.agents and r["skill"] not in skills.get(r["switch"], ()):
            out.append(f"{src}: routing_points[{i}]: no agent has skill {r['skill']!r}, so routing "
                       f"point {r['number']} never routes a call")
    for i, t in enumerate(sc.data.get("teams", [])):
        sw = t.get("switch", sc.switches[0]["name"])
        if t["count"] == 0 or t.get("outbound") or t.get("internal"):
            continue            # places its own calls (or is empty on purpose)
        if not set(t.get("skills", ())) & served.get(sw, set()):
            out.append(f"{src}: teams[{i}]: team {t['name']!r} can serve no queue (no queue or routing "
                       f"point on {sw} asks for its skills {t.get('skills', [])!r})")
    return out

