"""The explain view: one timeline row per TEvent, with what the engine made of it.

A row shows the event (time, switch, DN, name, key attributes), the durable actions it
started and ended, the momentary and retrospective actions it fired, the status changes of
DNs, places and agents it caused and, when a statistics engine is given, the values of the
watched statistics that changed. It is the event -> action -> status -> statistic chain of
the data flow of docs/reference/contracts.md §0, made visible one event at a time.

Pure: :class:`Explainer` is fed TEvents (``feed``) and drives an
:class:`~sim.statserver.engine.ActionEngine` (and optionally a
:class:`~sim.statserver.stats.StatEngine`); it never reads files or prints. The command
``sim explain`` (sim/commands/explain.py) renders the rows.

Actions are shown once, for the DN they happened on; the copies propagated to the place and
the agent (docs/reference/actions.md §7) are not repeated. An action on another DN than the event's (a
mediation DN reflecting an outcome, §5.3) is prefixed with that DN.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Iterator, Sequence
from datetime import UTC, datetime
from typing import Any, NamedTuple

from sim.statserver.engine import ActionEngine, EngineInputError
from sim.statserver.records import END, MOMENT, RETRO, START, Action, StatusChange
from sim.tlib.codes import ENUM_KEYS

# Attributes shown in the "attributes" column, in this order (enumerations by name).
KEY_ATTRIBUTES = (
    "ConnID", "PreviousConnID", "TransferConnID", "CallType", "CallState", "AgentID",
    "AgentWorkMode", "ThisQueue", "OtherDN", "ThirdPartyDN", "Reasons", "UserData", "InfoType",
    "ErrorCode",
)
COLUMNS = ("time", "switch", "dn", "event", "attributes", "started", "ended", "fired",
           "statuses", "stats")


class StatWatch(NamedTuple):
    """One statistic to follow: stat type on one object (profile None = the first one)."""
    stat_type: str
    object_type: str
    object: str
    time_profile: str | None = None

    @property
    def label(self) -> str:
        return f"{self.stat_type}[{self.object}]"


class Row(NamedTuple):
    """One line of the timeline: a TEvent and what it caused."""
    time: float                       # epoch seconds
    switch: str
    dn: str | None                    # "DN@Switch" of ThisDN, None for switch events
    event: str
    seq: int | None
    attributes: tuple[str, ...]       # "ConnID=…", "CallType=Inbound", ...
    started: tuple[str, ...]          # durable actions started
    ended: tuple[str, ...]            # durable actions ended, "name (duration s)"
    fired: tuple[str, ...]            # moments and retrospectives ("name (duration s)")
    statuses: tuple[str, ...]         # "object[, object...]: previous -> status"
    stats: tuple[str, ...]            # "stat[object]: old -> new"
    records: tuple                    # every record the engine emitted for the event
    problems: tuple[str, ...] = ()
    actions: tuple[tuple[str, str], ...] = ()   # (kind, text) of every action, engine order

    def clock(self) -> str:
        """The time as UTC clock time, millisecond precision."""
        return datetime.fromtimestamp(self.time, UTC).strftime("%H:%M:%S.%f")[:-3]

    def cells(self, sep: str = "\n") -> dict[str, str]:
        """The row as text cells keyed by :data:`COLUMNS`."""
        fired = self.fired + tuple(f"! {p}" for p in self.problems)
        return {"time": self.clock(), "switch": self.switch, "dn": self.dn or "",
                "event": self.event, "attributes": sep.join(self.attributes),
                "started": sep.join(self.started), "ended": sep.join(self.ended),
                "fired": sep.join(fired), "statuses": sep.join(self.statuses),
                "stats": sep.join(self.stats)}


def attribute_text(attrs) -> tuple[str, ...]:
    """The key attributes of an event, enumerations by name (``CallType=Inbound``)."""
    out = []
    for key in KEY_ATTRIBUTES:
        if key not in attrs:
            continue
        value = attrs[key]
        enum = ENUM_KEYS.get(key)
        if enum is not None and isinstance(value, int):
            try:
                value = enum(value).name
            except ValueError:
                pass
        elif isinstance(value, dict) or hasattr(value, "items"):
            value = ",".join(f"{k}:{v}" for k, v in dict(value).items())
        out.append(f"{key}={value}")
    return tuple(out)


def _dur(d: float | None) -> str:
    return "" if d is None else f" ({d:.1f} s)"


def _fmt_value(v: Any) -> str:
    if isinstance(v, float):
        if math.isnan(v):
            return "nan"
        return f"{v:.4g}" if not v.is_integer() else f"{int(v)}"
    if isinstance(v, dict):
        return ",".join(f"{k}:{n}" for k, n in v.items()) or "{}"
    return str(v)


class Filter(NamedTuple):
    """Which rows to keep: all given conditions must hold (None = no condition)."""
    dn: str | None = None       # "6001@SW1" or "6001"
    agent: str | None = None    # employee id or login id
    conn: str | None = None     # ConnID


class Explainer:
    """Feeds TEvents to an action engine and turns each into a :class:`Row`."""

    def __init__(self, engine: ActionEngine, stats=None, watch: Sequence[StatWatch] = (),
                 filt: Filter | None = None):
        self.engine = engine
        self.stats = stats
        self.watch = tuple(watch)
        self.filter = filt or Filter()
        self._last: dict[StatWatch, str] = {}
        objects = engine.objects
        self._agent = None
        if self.filter.agent is not None:
            a = self.filter.agent
            self._agent = a if a in objects.agents else objects.agent_by_login.get(a, a)
        self._dn = None
        if self.filter.dn is not None:
            d = self.filter.dn
            if "@" not in d:
                matches = [k for k in objects.dns if k.split("@")[0] == d]
                d = matches[0] if len(matches) == 1 else d
            self._dn = d

    # ---------------------------------------------------------------- feeding
    def feed(self, ev) -> Row | None:
        """Process one TEvent; return its row, or None when the filter drops it."""
        eng = self.engine
        agent_dns_before = self._agent_dn_ids()
        problems: tuple[str, ...] = ()
        try:
            records = tuple(eng.feed(ev))
        except EngineInputError as exc:
            records = ()
            problems = (str(exc),)
        if eng.problems:
            problems += tuple(eng.problems)
            eng.problems.clear()
        stats = self._stats(records, ev.time) if self.stats is not None else ()
        if not self._keep(ev, records, agent_dns_before):
            return None
        return self._row(ev, records, stats, problems)

    def rows(self, events: Iterable) -> Iterator[Row]:
        """Every kept row of ``events``, in order (streaming)."""
        for ev in events:
            row = self.feed(ev)
            if row is not None:
                yield row

    # ---------------------------------------------------------------- filtering
    def _agent_dn_ids(self) -> frozenset[str]:
        if self._agent is None:
            return frozenset()
        return frozenset(d.id for d in self.engine.agent_dns.get(self._agent, ()))

    def _keep(self, ev, records, agent_dns_before) -> bool:
        f = self.filter
        dn_id = ev.dn_id
        if self._dn is not None:
            if dn_id != self._dn and not any(
                    type(r) is Action and r.dn == self._dn for r in records):
                return False
        if f.conn is not None:
            a = ev.attrs
            if f.conn not in (a.get("ConnID"), a.get("PreviousConnID"), a.get("TransferConnID")) \
                    and not any(type(r) is Action and r.conn_id == f.conn for r in records):
                return False
        if self._agent is not None:
            agent = self._agent
            on_dn = dn_id is not None and (dn_id in agent_dns_before or dn_id in self._agent_dn_ids())
            if not on_dn and not any(r.object == agent and r.object_type == "Agent"
                                     for r in records if type(r) in (Action, StatusChange)):
                return False
        return True

    # ---------------------------------------------------------------- rows
    def _row(self, ev, records, stats, problems) -> Row:
        dn_id = ev.dn_id
        started, ended, fired, statuses, ordered = [], [], [], [], []
        for r in records:
            t = type(r)
            if t is Action:
                if r.object_type in ("Place", "Agent"):
                    continue            # propagated copies (§7): shown once, on the DN
                name = r.action if r.object == dn_id else f"{r.object}:{r.action}"
                if r.kind == START:
                    started.append(name)
                elif r.kind == END:
                    name += _dur(r.duration)
                    ended.append(name)
                elif r.kind == RETRO:
                    name += _dur(r.duration)
                    fired.append(name)
                elif r.kind == MOMENT:
                    fired.append(name)
                ordered.append((r.kind, name))
            elif t is StatusChange:
                statuses.append((r.object, r.previous or "-", r.status))
        return Row(ev.time, ev.switch, dn_id, ev.event, ev.seq, attribute_text(ev.attrs),
                   tuple(started), tuple(ended), tuple(fired), _grouped(statuses), stats, records,
                   problems, tuple(ordered))

    def _stats(self, records, t: float) -> tuple[str, ...]:
        s = self.stats
        s.feed_many(r for r in records if type(r) in (Action, StatusChange))
        changed = []
        for w in self.watch:
            try:
                value = _fmt_value(s.peek(w.stat_type, w.object_type, w.object, t,
                                          w.time_profile).value)
            except (KeyError, ValueError) as exc:    # never breaks the timeline
                value = f"? {exc}"
            old = self._last.get(w)
            if value != old:
                self._last[w] = value
                if old is not None:
                    changed.append(f"{w.label}: {old} -> {value}")
        return tuple(changed)


def _grouped(changes: list[tuple[str, str, str]]) -> tuple[str, ...]:
    """``obj1, obj2: previous -> status``: objects with the same transition share one entry
    (a DN, its place and its agent usually change together), in order of first appearance."""
    groups: dict[tuple[str, str], list[str]] = {}
    for obj, prev, status in changes:
        groups.setdefault((prev, status), []).append(obj)
    return tuple(f"{', '.join(objs)}: {prev} -> {status}" for (prev, status), objs in groups.items())


def explain(events: Iterable, engine: ActionEngine, stats=None, watch: Sequence[StatWatch] = (),
            filt: Filter | None = None) -> Iterator[Row]:
    """Rows for ``events`` fed to ``engine`` (see :class:`Explainer`)."""
    return Explainer(engine, stats, watch, filt).rows(events)


def watches_for(stats, names: Iterable[str]) -> list[StatWatch]:
    """Resolve ``NAME`` or ``NAME:OBJECT`` to statistics of a StatEngine.

    ``NAME`` follows every configured object of every object type the stat type has
    (groups and the tenant included); ``NAME:OBJECT`` follows that one object. Raises
    KeyError naming an unknown stat type or object."""
    out: list[StatWatch] = []
    for spec in names:
        name, _, obj = spec.partition(":")
        rt = stats.runtimes.get(name)
        if rt is None:
            raise KeyError(f"unknown stat type {name!r}")
        found = False
        for ot in rt.st.objects:
            for o in stats.configured_objects(ot):
                if not obj or o == obj:
                    out.append(StatWatch(name, ot, o))
                    found = True
        if obj and not found:
            raise KeyError(f"stat type {name!r} has no object {obj!r}")
    return out

