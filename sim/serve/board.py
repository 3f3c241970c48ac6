"""The wallboard's state: a thin consumer of the pipeline's records (no I/O, no asyncio).

:class:`Board` owns the one :class:`~sim.pipeline.Pipeline` of a ``sim serve`` session. Each
TEvent goes through :class:`~sim.report.explain.Explainer` (the rows ``sim explain`` shows),
whose engine is the pipeline: the records are the pipeline's, there is no second action
engine. From those records the board keeps only what the engine does not: when each agent
entered its status, the per-queue counters (entered, distributed, abandoned, answered) and the
statistic notifications of the chosen stat types (a :class:`~sim.statserver.stats.output.Notifier`
over the same records). Agent statuses and calls waiting are read from the engine itself, so a
snapshot is the engine's current state.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter, deque
from collections.abc import Iterable, Sequence
from typing import Any

import orjson

from sim.objects import Objects
from sim.pipeline import Pipeline
from sim.report.explain import Explainer, Row
from sim.statserver.records import MOMENT, RETRO, Action, StatusChange
from sim.statserver.rules import AGENT_PRIORITY
from sim.statserver.stats.definitions import StatType, StatTypes
from sim.statserver.stats.engine import StatEngine, whole
from sim.statserver.stats.output import Notifier
from sim.tlib.writer import dumps_event

# Statistic tiles shown by default: what a contact-center wallboard usually carries.
DEFAULT_STATS = ("Service_Level", "Total_Calls_Answered", "Total_Calls_Abandoned",
                 "Average_Handle_Time", "CurrNumberWaitingCalls", "CurrMaxCallWaitingTime")
# Tiles summarise queues and groups; per-agent and per-DN objects would be thousands of values.
TILE_OBJECT_TYPES = ("Queue", "RoutePoint", "GroupQueues", "GroupAgents", "GroupPlaces")
# Outcomes counted per queue panel: action on the mediation DN -> counter name.
QUEUE_COUNTERS = {"CallEntered": "entered", "CallDistributed": "distributed",
                  "CallAbandoned": "abandoned", "CallAnswered": "answered"}
WAIT_ACTION = "CallWait"
RECENT = 40          # ticker rows a snapshot carries
SPARK_POINTS = 60    # values kept per statistic for its sparkline


def tile_stattypes(lib: StatTypes, names: Sequence[str]) -> list[StatType]:
    """The stat types of the tiles, limited to :data:`TILE_OBJECT_TYPES` (a stat type defined
    only for agents or DNs keeps its own object types). Raises KeyError for an unknown name."""
    out = []
    for name in names:
        st = lib.types.get(name)
        if st is None:
            raise KeyError(name)
        kept = tuple(o for o in st.objects if o in TILE_OBJECT_TYPES)
        out.append(dataclasses.replace(st, objects=kept) if kept else st)
    return out


def dumps(data: Any) -> bytes:
    """JSON for the API: statistic values may be dicts keyed by numbers or numpy scalars;
    anything else JSON lacks is shown as text rather than breaking the feed."""
    return orjson.dumps(data, default=str,
                        option=orjson.OPT_NON_STR_KEYS | orjson.OPT_SERIALIZE_NUMPY)


def json_value(value: Any) -> Any:
    """A statistic value as JSON has it: NaN and infinities become null, whole floats ints."""
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value):
            return None
        return whole(value)
    return value


class _PipelineEngine:
    """The pipeline seen as the engine :class:`Explainer` drives: ``feed`` goes through
    :meth:`Pipeline.feed` (the one engine), everything else is the engine's."""

    def __init__(self, pipeline: Pipeline):
        self.pipeline = pipeline
        self.engine = pipeline.engine
        self.objects = pipeline.engine.objects

    def feed(self, ev) -> list[Any]:
        return self.pipeline.feed(ev)

    @property
    def problems(self) -> list[str]:
        return self.engine.problems

    @property
    def agent_dns(self):
        return self.engine.agent_dns


class Board:
    """Feed TEvents in order (:meth:`feed`); read :meth:`snapshot` at any moment."""

    def __init__(self, objects: Objects, stattypes: Iterable[StatType], notify_every: float = 10.0):
        self.objects = objects
        self.pipeline = Pipeline(objects, None, with_stats=False)
        self.engine = self.pipeline.engine
        self.explainer = Explainer(_PipelineEngine(self.pipeline))  # type: ignore[arg-type]
        self.stat_types = list(stattypes)
        self.stat_engine = StatEngine(objects, self.stat_types)
        self.notifier = Notifier(self.stat_engine, None, notify_every)
        self.agents = list(objects.agents)
        self.queues = [d for d, dn in objects.dns.items() if dn.is_mediation]
        self.since: dict[str, float] = {}
        self.counts: dict[str, Counter] = {q: Counter() for q in self.queues}
        self.values: dict[tuple[str, str], dict[str, Any]] = {}
        self.history: dict[tuple[str, str], deque] = {}
        self.recent: deque[Row] = deque(maxlen=RECENT)
        self.events = 0
        self.last_time: float | None = None
        self.notifications = 0
        self.dirty_agents: dict[str, None] = {}    # changed since the last take_changes()

    # ------------------------------------------------------------------ feeding
    def feed(self, ev) -> tuple[Row, list[dict[str, Any]]]:
        """One TEvent through the pipeline: its explain row and the notifications it caused."""
        row = self.explainer.feed(ev)
        assert row is not None          # no filter: every event has its row
        counts = self.counts
        for r in row.records:
            t = type(r)
            if t is Action:
                if r.kind in (MOMENT, RETRO) and r.object in counts:
                    name = QUEUE_COUNTERS.get(r.action)
                    if name is not None:
                        counts[r.object][name] += 1
            elif t is StatusChange and r.object_type == "Agent":
                if r.status != r.previous:
                    self.since[r.object] = r.time
                self.dirty_agents[r.object] = None
        self.notifier.feed_many(row.records)
        self.events += 1
        self.last_time = ev.time
        self.recent.append(row)
        return row, self._drain()

    def _drain(self) -> list[dict[str, Any]]:
        """Turn the notifier's collected rows into notifications (one per instant)."""
        rows = self.notifier.collected
        if not rows:
            return []
        self.notifier.collected = []
        notes: dict[float, dict[tuple[str, str], dict[str, Any]]] = {}
        for r in rows:
            key = (r.stat_type, r.object)
            per = notes.setdefault(r.time, {})
            if key in per:
                continue                # the first time profile stands for the tile
            per[key] = {"stat_type": r.stat_type, "object_type": r.object_type,
                        "object": r.object, "value": json_value(r.value), "time": r.time}
        out = []
        for t, per in notes.items():
            for key, v in per.items():
                self.values[key] = v
                hist = self.history.get(key)
                if hist is None:
                    hist = self.history[key] = deque(maxlen=SPARK_POINTS)
                hist.append(v["value"] if isinstance(v["value"], (int, float)) else None)
            self.notifications += 1
            out.append({"time": t, "stats": list(per.values())})
        return out

    # ------------------------------------------------------------------ reading
    def agent_status(self, agent: str) -> str:
        """The agent's Stat Server status now (LoggedOut before the engine has started)."""
        return self.engine.agent_status.get(agent, "LoggedOut")

    def agent_dn(self, agent: str) -> str | None:
        """The DN the agent is logged in on, else the first DN of its place."""
        dns = self.engine.agent_dns.get(agent)
        if dns:
            return dns[0].id
        a = self.objects.agents[agent]
        place = self.objects.places.get(a.place) if a.place else None
        return place.dns[0] if place and place.dns else None

    def agent(self, agent: str) -> dict[str, Any]:
        return {"id": agent, "dn": self.agent_dn(agent), "status": self.agent_status(agent),
                "since": self.since.get(agent)}

    def queue(self, q: str, now: float) -> dict[str, Any]:
        dn = self.engine.dns[q]
        starts = [r.start for r in dn.running.values() if r.name == WAIT_ACTION]
        c = self.counts[q]
        return {"dn": q, "type": self.objects.dns[q].type, "waiting": len(starts),
                "oldest_wait": max(0.0, now - min(starts)) if starts else 0.0,
                "entered": c["entered"], "distributed": c["distributed"],
                "abandoned": c["abandoned"], "answered": c["answered"]}

    def stats(self) -> list[dict[str, Any]]:
        return list(self.values.values())

    def sparklines(self) -> dict[str, list]:
        return {f"{k[0]}|{k[1]}": list(h) for k, h in self.history.items()}

    def take_changes(self) -> list[dict[str, Any]]:
        """The agents whose status changed since the last call."""
        changed, self.dirty_agents = self.dirty_agents, {}
        return [self.agent(a) for a in changed]

    def snapshot(self, now: float) -> dict[str, Any]:
        """The board at sim time ``now`` (API ``GET /api/snapshot``)."""
        return {"time": now, "events": self.events, "notifications": self.notifications,
                "agents": [self.agent(a) for a in self.agents],
                "queues": [self.queue(q, now) for q in self.queues],
                "stats": self.stats(),
                "history": self.sparklines(),
                "recent": [row_dict(r) for r in self.recent]}

    def meta(self) -> dict[str, Any]:
        """What the page needs once: legend order, colours, the tile stat types."""
        from sim.report.plots import STATUS_COLORS  # the plots' palette, one source of truth
        return {"priority": list(AGENT_PRIORITY),
                "colors": {s: STATUS_COLORS.get(s, "#000000") for s in AGENT_PRIORITY},
                "stat_types": [{"name": st.name, "objects": list(st.objects),
                                "description": st.description} for st in self.stat_types],
                "switches": list(self.objects.switches),
                "teams": self.teams()}

    def teams(self) -> list[dict[str, Any]]:
        """The agent grid's sections: each agent under its first agent group, the others
        under "Agents" (the page lays out and paints only the sections on screen)."""
        placed: dict[str, str] = {}
        names: list[str] = []
        for name, group in self.objects.groups.items():
            if group.type != "GroupAgents":
                continue
            for member in group.members:
                if member in self.objects.agents and member not in placed:
                    placed[member] = name
                    if name not in names:
                        names.append(name)
        sections: dict[str, list[str]] = {n: [] for n in names}
        for agent in self.agents:
            sections.setdefault(placed.get(agent, "Agents"), []).append(agent)
        return [{"name": n, "agents": a} for n, a in sections.items() if a]


def row_dict(row: Row, with_records: bool = False, ev=None) -> dict[str, Any]:
    """An explain row as JSON (the ticker's row); on request (``with_records``) also the
    TEvent as a contract-1 trace line has it and every record the engine made of it."""
    d: dict[str, Any] = {"time": row.time, "clock": row.clock(), "switch": row.switch,
                         "dn": row.dn, "event": row.event, "attributes": list(row.attributes),
                         "actions": [list(a) for a in row.actions],
                         "statuses": list(row.statuses), "problems": list(row.problems)}
    if with_records:
        if ev is not None:
            d["tevent"] = orjson.loads(dumps_event(ev))
        d["records"] = [r.to_dict() for r in row.records]
    return d


def row_keys(row: Row, objects: Objects) -> frozenset[str]:
    """What a ticker filter can match in a row: DNs (with and without @switch), ConnIDs,
    agents (employee ids and logins)."""
    keys: set[str] = set()

    def dn(x: str | None) -> None:
        if x:
            keys.add(x)
            keys.add(x.partition("@")[0])

    dn(row.dn)
    for a in row.attributes:
        k, _, v = a.partition("=")
        if k in ("ConnID", "PreviousConnID", "TransferConnID"):
            keys.add(v)
        elif k == "AgentID":
            keys.add(v)
            keys.add(objects.agent_by_login.get(v, v))
        elif k in ("ThisQueue", "OtherDN", "ThirdPartyDN"):
            keys.add(v)
    for r in row.records:
        t = type(r)
        if t is Action:
            if r.object_type == "Agent":
                keys.add(r.object)
            elif r.object_type != "Place":
                dn(r.object)
            if r.conn_id:
                keys.add(r.conn_id)
        elif t is StatusChange and r.object_type == "Agent":
            keys.add(r.object)
    return frozenset(keys)
