"""The statistics engine: actions and statuses in, statistic values out (sans-I/O).

:class:`StatEngine` is fed the records of the action engine in time order (``feed`` /
``feed_many``: :class:`~sim.statserver.records.Action` and
:class:`~sim.statserver.records.StatusChange`; ``Request`` records are ignored) and answers
``peek`` (one value) and ``notify`` (every stat type x object x time profile at an instant).

How a record reaches the statistics it can change, without scanning the stat types:

* an index, built lazily once per (record object type, action or status name), lists the stat
  types whose MainMask / RelMask / fixed mask match that name and whose objects take records of
  that object type (names.py: ACTION_SOURCES, STATUS_SOURCES);
* the record is fanned out to its target objects: the object itself, the groups containing it
  (``Objects.groups_containing``) and, for DN-level records, the tenant (actions.md §7). For
  DNStatus, a DN's episodes feed its place (static) and the agent logged in on it (dynamic);
* each target's :class:`Statistic` holds one :class:`~.aggregates.Agg` per mask.

Validity (stat-types.md §2.4, actions.md §7): the value of an object is invalid while a DN
feeding it (the DN itself, the DNs of a place, the DNs an agent is logged in on, the members'
DNs of a group, every DN for the tenant) has the status NotMonitored. CurrentState and
CurrentStateReasons are always valid (no validity events for them).

Statistics are opened at ``start`` (or at the first record): values count from then (Q5).
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, NamedTuple

from sim.objects import Objects
from sim.statserver.records import END, RETRO, START, Action, StatusChange
from sim.statserver.stats import names as N
from sim.statserver.stats.aggregates import Agg
from sim.statserver.stats.categories import CURRENT, STATE, Value
from sim.statserver.stats.definitions import StatType, StatTypes
from sim.statserver.stats.profiles import SINCE_LOGIN, TimeRange

DN_OBJECT_TYPES = ("RegDN", "Queue", "RoutePoint")
REASON_STATUSES = ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork")   # §4.7, actions §8.5
MEMBER_TYPE = {"GroupAgents": "Agent", "GroupPlaces": "Place", "GroupQueues": "Queue"}


class Peek(NamedTuple):
    value: Any
    valid: bool


class Row(NamedTuple):
    """One line of stats.csv (DESIGN contract 4, plus ``valid``)."""
    time: float
    stat_type: str
    object_type: str
    object: str
    time_profile: str
    value: Any
    valid: bool


class ObjectStatus(NamedTuple):
    status: str
    since: float
    reasons: Any
    call_type: int | None


class Statistic:
    """One stat type on one object: the aggregates of its masks."""

    __slots__ = ("st", "object_type", "object", "aggs", "status")

    def __init__(self, st: StatType, object_type: str, obj: str, t_open: float):
        self.st = st
        self.object_type = object_type
        self.object = obj
        self.status = st.subject_for(object_type) in N.STATUS_SUBJECTS
        profiles = st.time_profiles if st.is_historical else ()
        self.aggs = [Agg(profiles, t_open, self.status, st.time_range)]
        if st.rel_mask is not None:
            self.aggs.append(Agg(profiles, t_open, self.status, st.time_range))
        if st.aux_mask is not None:   # ServiceFactor1: abandoned with a wait >= the range start
            aux_range = TimeRange("aux", st.time_range.low, 2**62)
            self.aggs.append(Agg(profiles, t_open, self.status, aux_range))

    def value(self, now: float, window_index: int) -> Any:
        return self.st.category.value(Value(self.aggs, window_index, now, self.st))


class _Runtime:
    """A loaded stat type with its statistics and per-mask filters."""

    __slots__ = ("st", "stats", "filters")

    def __init__(self, st: StatType):
        self.st = st
        self.stats: dict[tuple[str, str], Statistic] = {}
        n = len(st.masks)
        # A filter applies to every mask, except AverageNumberPerRelativeHour: Main only [D 4].
        only_main = st.category_name == "AverageNumberPerRelativeHour"
        self.filters = [st.filter if (i == 0 or not only_main) else None for i in range(n)]


def _attrs(rec: Action) -> dict[str, Any]:
    a: dict[str, Any] = {"CallType": rec.call_type, "MediaType": "voice"}
    if rec.data:
        a.update(rec.data)
    return a


class StatEngine:
    """Statistics over the records of the action engine (see the module docstring)."""

    def __init__(self, objects: Objects, stattypes: StatTypes | Iterable[StatType],
                 start: float | None = None):
        self.objects = objects
        types = list(stattypes)
        self.runtimes = {st.name: _Runtime(st) for st in types}
        self.start = start
        self.opened = False
        self._action_index: dict[tuple[str, str], list] = {}
        self._status_index: dict[tuple[str, str], list] = {}
        self.statuses: dict[tuple[str, str], ObjectStatus] = {}
        self.not_monitored: set[str] = set()
        self.dn_agent: dict[str, str] = {}
        self.agent_dns: dict[str, set[str]] = {}
        self._logged_in: Counter[tuple[str, str]] = Counter()
        self._since_login: dict[tuple[str, str], list[Statistic]] = {}
        self.last_time: float | None = None

    # -- opening -------------------------------------------------------------------------------
    def configured_objects(self, object_type: str) -> list[str]:
        o = self.objects
        if object_type in DN_OBJECT_TYPES:
            return [d.id for d in o.dns.values() if d.object_type == object_type]
        if object_type == "Agent":
            return list(o.agents)
        if object_type == "Place":
            return list(o.places)
        if object_type in MEMBER_TYPE:
            return [g.name for g in o.groups.values() if g.type == object_type]
        return [N.TENANT]

    def _open(self, t: float) -> None:
        self.opened = True
        if self.start is None:
            self.start = t
        for rt in self.runtimes.values():
            for ot in rt.st.objects:
                for obj in self.configured_objects(ot):
                    self._statistic(rt, ot, obj)

    def _statistic(self, rt: _Runtime, ot: str, obj: str) -> Statistic:
        stat = rt.stats.get((ot, obj))
        if stat is None:
            stat = rt.stats[(ot, obj)] = Statistic(rt.st, ot, obj, self.start)
            if any(p.kind == SINCE_LOGIN for p in rt.st.time_profiles) and rt.st.is_historical:
                self._since_login.setdefault((ot, obj), []).append(stat)
        return stat

    # -- indexes -------------------------------------------------------------------------------
    def _entries(self, status: bool, record_type: str, name: str) -> list:
        """Stat types a record (object type, name) can change: [(runtime, mask indexes, target types)]."""
        out = []
        for rt in self.runtimes.values():
            st = rt.st
            if not st.voice:
                continue
            targets = []
            for tt in st.objects:
                subject = st.subject_for(tt)
                if status:
                    sources = N.STATUS_SOURCES.get(subject, {}).get(tt, ())
                else:
                    sources = N.ACTION_SOURCES[tt] if subject == N.DN_ACTION else ()
                if record_type in sources:
                    targets.append(tt)
            if not targets:
                continue
            idx = tuple(i for i, m in enumerate(st.masks) if m.matches(name))
            if idx:
                out.append((rt, idx, tuple(targets)))
        index = self._status_index if status else self._action_index
        index[(record_type, name)] = out
        return out

    def _targets(self, record_type: str, obj: str, tt: str, status: bool) -> list[str]:
        if tt == record_type:
            return [obj]
        if tt == "Tenant":
            return [N.TENANT]
        if status and record_type == "RegDN":     # DNStatus: DN -> place / logged-in agent
            if tt in ("Place", "GroupPlaces"):
                dn = self.objects.dns.get(obj)
                place = dn.place if dn else None
                if place is None:
                    return []
                return [place] if tt == "Place" else self.objects.groups_containing("GroupPlaces", place)
            agent = self.dn_agent.get(obj)
            if agent is None:
                return []
            return [agent] if tt == "Agent" else self.objects.groups_containing("GroupAgents", agent)
        return self.objects.groups_containing(tt, obj)

    # -- feeding -------------------------------------------------------------------------------
    def feed_many(self, records: Iterable[Any]) -> None:
        for rec in records:
            self.feed(rec)

    def feed(self, rec: Any) -> None:
        kind = type(rec)
        if kind is Action:
            self._action(rec)
        elif kind is StatusChange:
            self._status_change(rec)

    def _action(self, rec: Action) -> None:
        t = rec.time
        if not self.opened:
            self._open(t)
        self.last_time = t
        if rec.action == "LoggedIn" and rec.object_type in ("Agent", "Place") and rec.kind in (START, END):
            self._login_action(rec)
        name = N.match_name(rec.action, rec.call_type)
        entries = self._action_index.get((rec.object_type, name))
        if entries is None:
            entries = self._entries(False, rec.object_type, name)
        if not entries:
            return
        kind = rec.kind
        key = (rec.object_type, rec.object, rec.aid)
        attrs = None
        for rt, idxs, tts in entries:
            st = rt.st
            passes = [True] * len(idxs)
            cv = None
            if kind != END and (st.filter is not None or st.formula is not None):
                attrs = attrs or _attrs(rec)
                passes = [rt.filters[i] is None or rt.filters[i](attrs) for i in idxs]
                if st.formula is not None:
                    cv = st.formula(attrs)
            for tt in tts:
                for obj in self._targets(rec.object_type, rec.object, tt, False):
                    stat = rt.stats.get((tt, obj)) or self._statistic(rt, tt, obj)
                    for i, ok in zip(idxs, passes, strict=True):
                        agg = stat.aggs[i]
                        if kind == START:
                            if ok:
                                agg.open(key, name, t, t, rec.conn_id, cv)
                        elif kind == END:
                            agg.close(key, t)
                        elif ok:
                            agg.instant(t, rec.duration if kind == RETRO else None, cv)

    def _login_action(self, rec: Action) -> None:
        """LoggedIn on an agent / place: binding (validity, DNStatus) and SinceLogin resets."""
        obj_key = (rec.object_type, rec.object)
        if rec.kind == START:
            self._logged_in[obj_key] += 1
            if self._logged_in[obj_key] == 1:
                for stat in self._since_login.get(obj_key, ()):
                    for agg in stat.aggs:
                        agg.login(rec.time)
            if rec.object_type == "Agent" and rec.dn:
                self.agent_dns.setdefault(rec.object, set()).add(rec.dn)
                self.dn_agent[rec.dn] = rec.object
                self._dn_status_binding(rec.dn, rec.object, rec.time, bind=True)
        else:
            if self._logged_in[obj_key] > 0:
                self._logged_in[obj_key] -= 1
            if rec.object_type == "Agent" and rec.dn:
                self._dn_status_binding(rec.dn, rec.object, rec.time, bind=False)
                self.agent_dns.get(rec.object, set()).discard(rec.dn)
                if self.dn_agent.get(rec.dn) == rec.object:
                    del self.dn_agent[rec.dn]

    def _dn_status_binding(self, dn: str, agent: str, t: float, bind: bool) -> None:
        """DNStatus on agents: the DN's episode in progress starts / stops feeding the agent."""
        current = self.statuses.get(("RegDN", dn))
        if current is None:
            return
        entries = self._status_index.get(("RegDN", current.status))
        if entries is None:
            entries = self._entries(True, "RegDN", current.status)
        key = ("S", "RegDN", dn)
        attrs = {"Reasons": current.reasons, "CallType": current.call_type, "MediaType": "voice"}
        for rt, idxs, tts in entries:
            for tt in tts:
                if tt == "Agent":
                    objs = [agent]
                elif tt == "GroupAgents":
                    objs = self.objects.groups_containing("GroupAgents", agent)
                else:
                    continue
                for obj in objs:
                    stat = rt.stats.get((tt, obj)) or self._statistic(rt, tt, obj)
                    for i in idxs:
                        if not bind:
                            stat.aggs[i].close(key, t)
                        elif rt.filters[i] is None or rt.filters[i](attrs):
                            stat.aggs[i].open(key, current.status, t, current.since, None, None)

    def _status_change(self, rec: StatusChange) -> None:
        t = rec.time
        if not self.opened:
            self._open(t)
        self.last_time = t
        ot, obj = rec.object_type, rec.object
        if ot in DN_OBJECT_TYPES:
            if rec.status == "NotMonitored":
                self.not_monitored.add(obj)
            else:
                self.not_monitored.discard(obj)
        prev = self.statuses.get((ot, obj))
        key = ("S", ot, obj)
        attrs = {"Reasons": rec.reasons, "CallType": rec.call_type, "MediaType": "voice"}
        if prev is not None and prev.status == rec.status:
            # Same status, new reasons / call type: the episode goes on (actions §8.1); a filter
            # is re-evaluated, its true stretches are what counts (stat-types §8).
            self.statuses[(ot, obj)] = prev._replace(reasons=rec.reasons, call_type=rec.call_type)
            for rt, idxs, tts in self._status_entries(ot, rec.status):
                if rt.st.filter is None:
                    continue
                for tt in tts:
                    for target in self._targets(ot, obj, tt, True):
                        stat = rt.stats.get((tt, target)) or self._statistic(rt, tt, target)
                        for i in idxs:
                            f = rt.filters[i]
                            if f is None:
                                continue
                            if f(attrs):
                                stat.aggs[i].open(key, rec.status, t, prev.since, None, None)
                            else:
                                stat.aggs[i].close(key, t)
            return
        if prev is not None:
            for rt, idxs, tts in self._status_entries(ot, prev.status):
                for tt in tts:
                    for target in self._targets(ot, obj, tt, True):
                        stat = rt.stats.get((tt, target))
                        if stat is not None:
                            for i in idxs:
                                stat.aggs[i].close(key, t)
        self.statuses[(ot, obj)] = ObjectStatus(rec.status, t, rec.reasons, rec.call_type)
        for rt, idxs, tts in self._status_entries(ot, rec.status):
            for tt in tts:
                for target in self._targets(ot, obj, tt, True):
                    stat = rt.stats.get((tt, target)) or self._statistic(rt, tt, target)
                    for i in idxs:
                        f = rt.filters[i]
                        if f is None or f(attrs):
                            stat.aggs[i].open(key, rec.status, t, t, None, None)

    def _status_entries(self, ot: str, status: str) -> list:
        entries = self._status_index.get((ot, status))
        return entries if entries is not None else self._entries(True, ot, status)

    # -- validity --------------------------------------------------------------------------------
    def feeding_dns(self, object_type: str, obj: str) -> set[str]:
        """The DNs whose monitoring a statistic of this object depends on (actions.md §7)."""
        o = self.objects
        if object_type in DN_OBJECT_TYPES:
            return {obj}
        if object_type == "Place":
            p = o.places.get(obj)
            return set(p.dns) if p else set()
        if object_type == "Agent":
            return set(self.agent_dns.get(obj, ()))
        if object_type in MEMBER_TYPE:
            g = o.groups.get(obj)
            dns: set[str] = set()
            for m in g.members if g else ():
                dns |= self.feeding_dns(MEMBER_TYPE[object_type] if object_type != "GroupQueues" else "Queue", m)
            return dns
        return set(o.dns)

    def valid(self, object_type: str, obj: str) -> bool:
        if not self.not_monitored:
            return True
        return not (self.feeding_dns(object_type, obj) & self.not_monitored)

    # -- reading ---------------------------------------------------------------------------------
    def peek(self, stat_type: str, object_type: str, obj: str, time: float,
             time_profile: str | None = None) -> Peek:
        """The value of a statistic for an object at ``time`` (not before the last record)."""
        rt = self.runtimes[stat_type]
        if not self.opened:
            self._open(time)
        if object_type not in rt.st.objects:
            raise KeyError(f"stat type {stat_type} has no object type {object_type}")
        stat = rt.stats.get((object_type, obj)) or self._statistic(rt, object_type, obj)
        if rt.st.category.kind == STATE:
            return Peek(self._state(stat, time)[0], True)
        wi = -1
        if rt.st.is_historical:
            names = [p.name for p in rt.st.time_profiles]
            wi = 0 if time_profile is None else names.index(time_profile)
        return Peek(stat.value(time, wi), self.valid(object_type, obj))

    def notify(self, time: float) -> Iterator[Row]:
        """Rows for every stat type, object and time profile at ``time`` (contract 4)."""
        if not self.opened:
            self._open(time)
        validity: dict[tuple[str, str], bool] = {}
        for rt in self.runtimes.values():
            st = rt.st
            state = st.category.kind == STATE
            current = st.category.kind == CURRENT
            for (ot, obj), stat in list(rt.stats.items()):
                if state:
                    yield Row(time, st.name, ot, obj, "", self._state(stat, time)[1], True)
                    continue
                ok = validity.get((ot, obj))
                if ok is None:
                    ok = validity[(ot, obj)] = self.valid(ot, obj)
                if current:
                    yield Row(time, st.name, ot, obj, "", stat.value(time, -1), ok)
                    continue
                for wi, p in enumerate(st.time_profiles):
                    yield Row(time, st.name, ot, obj, p.name, stat.value(time, wi), ok)

    # -- CurrentState / CurrentStateReasons (stat-types.md §4.7) -------------------------------
    def _members(self, object_type: str, obj: str) -> list[tuple[str, str]]:
        if object_type == "Tenant":
            return [("Agent", a) for a in self.objects.agents]
        g = self.objects.groups.get(obj)
        if g is None:
            return []
        if object_type == "GroupQueues":
            return [(self.objects.dns[m].object_type, m) for m in g.members if m in self.objects.dns]
        return [(MEMBER_TYPE[object_type], m) for m in g.members]

    def _state(self, stat: Statistic, now: float) -> tuple[Any, str]:
        """(structure for peek, text for stats.csv)."""
        st = stat.st
        mask = st.main_mask
        reasons = st.category_name == "CurrentStateReasons"
        ot, obj = stat.object_type, stat.object
        if ot in MEMBER_TYPE or ot == "Tenant":
            counts: Counter[str] = Counter()
            members = {}
            for mt, m in self._members(ot, obj):
                s = self.statuses.get((mt, m))
                members[m] = s.status if s else None
                if s is None or not mask.matches(s.status):
                    continue
                if reasons:
                    if s.status in REASON_STATUSES:
                        for k, v in (s.reasons or {}).items():
                            counts[f"{k}={v}"] += 1
                else:
                    counts[s.status] += 1
            text = ";".join(f"{k}:{v}" for k, v in sorted(counts.items()))
            return {"members": members, "counts": dict(counts)}, text
        s = self.statuses.get((ot, obj))
        status = s.status if s is not None and (st.subject == N.DN_ACTION or mask.matches(s.status)) else None
        if reasons:
            rs = dict(s.reasons or {}) if status in REASON_STATUSES and s is not None else {}
            return rs, ";".join(f"{k}={v}" for k, v in sorted(rs.items()))
        tree: dict[str, Any] = {"status": status, "since": s.since if status else None}
        if st.subject == N.DN_ACTION:
            tree["actions"] = [{"action": r.name, "start": r.start, "conn_id": r.conn}
                               for r in stat.aggs[0].running.values()]
        return tree, status or ""


def whole(value: Any) -> Any:
    """Values as stats.csv writes them: integers without a decimal point, floats to 1e-6."""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return int(value)
        return round(value, 6)
    return value
