"""The statistics engine: actions and statuses in, statistic values out (sans-I/O).

:class:`StatEngine` is fed the records of the action engine in time order (``feed`` /
``feed_many``: :class:`~sim.statserver.records.Action` and
:class:`~sim.statserver.records.StatusChange`; ``Request`` records are ignored) and answers
``peek`` (one value) and ``notify`` (every stat type x object x time profile at an instant).

How a record reaches the statistics it can change, without scanning the stat types:

* each mask of each stat type, for each of its object types, is an aggregate *spec* (subject,
  mask, filter, formula, range, profiles); stat types with the same spec share it, so e.g.
  CurrentReadyAgents, CurrNumberWaitStatuses and StatAgentsAvailable are computed once;
* an index, built lazily once per (record object type, action or status name), lists the specs
  whose mask matches that name and whose object type takes records of that object type
  (names.py: ACTION_SOURCES, STATUS_SOURCES);
* the record is fanned out to its target objects: the object itself, the groups containing it
  (``Objects.groups_containing``) and, for DN-level records, the tenant (docs/reference/actions.md §7). For
  DNStatus, a DN's episodes feed its place and the agent logged in on it;
* each (spec, target object) has one :class:`~.aggregates.Agg`; a :class:`Statistic` (stat type
  x object) reads the Aggs of its masks;
* both are flattened once per (record object type, object, name) into a :class:`Route`: the
  Aggs a record can change, unfiltered ones first. Action routes are kept by record object
  type, object and name; status routes on the object's :class:`ObjectStatus`, per status, for
  the current agent binding of a DN (DNStatus feeds the agent logged in on it; a new binding
  drops them). A record then costs a few lookups and one update per Agg it changes:
  momentary actions touch only historical Aggs, and one running record
  (:class:`~.aggregates.Running`) is shared by all the Aggs it reaches;
* a status change hands its episode over from the route of the old status to that of the new
  one through a :class:`Switch` (built once per pair of routes): the Aggs fed by both close and
  reopen the episode in one step. A status episode's running key is the object's
  :class:`ObjectStatus` (hashed by identity).

A notification computes the values of the statistics no record has reached (all their Aggs
idle) once per stat type and object type: they do not depend on the object.

Validity (docs/reference/stat-types.md §2.4, docs/reference/actions.md §7): the value of an object is invalid while a DN
feeding it (the DN itself, the DNs of a place, the DNs an agent is logged in on, the members'
DNs of a group, every DN for the tenant) has the status NotMonitored. CurrentState and
CurrentStateReasons are always valid (no validity events for them).

Statistics are opened at ``start`` (or at the first record): values count from then (Q5).

This module, ``aggregates``, ``categories`` and ``output`` are compiled with mypyc (setup.py):
keep the annotations exact.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Iterator
from typing import Any, ClassVar, Final, NamedTuple

from sim.objects import Objects
from sim.statserver.records import END, RETRO, START, Action, Record, StatusChange
from sim.statserver.stats import names as N
from sim.statserver.stats.aggregates import Agg, Running, Shape, carried_seconds
from sim.statserver.stats.categories import CURRENT, STATE, Value
from sim.statserver.stats.conditions import Condition, Term
from sim.statserver.stats.definitions import StatType, StatTypes
from sim.statserver.stats.masks import Mask
from sim.statserver.stats.profiles import TimeProfile, TimeRange

# (Final: compiled code reads them as C statics, not as module attributes)
DN_OBJECT_TYPES: Final = ("RegDN", "Queue", "RoutePoint")
# §4.7, docs/reference/actions.md §8.5
REASON_STATUSES: Final = ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork")
CALL_WAIT: Final = N.CALL_WAIT
# Categories that read the history of CurrentNumber (its integral, its max / min): only their
# aggregates pay for tracking it at every change.
TRACKING_CATEGORIES: Final = frozenset(("MaxNumber", "MinNumber", "AverageOfCurrentNumber", "AverageOfCurrentTime"))
MEMBER_TYPE: Final = {"GroupAgents": "Agent", "GroupPlaces": "Place", "GroupQueues": "Queue"}


class Peek(NamedTuple):
    value: Any
    valid: bool


class Row(Record):
    """One line of stats.csv (docs/reference/contracts.md §4, plus ``valid``). A record like the action
    engine's (fields, positional constructor, equality, ``_replace``) rather than a NamedTuple:
    a notification makes one per statistic and profile, and a NamedTuple's constructor runs
    interpreted code."""

    FIELDS: ClassVar[tuple[str, ...]] = ("time", "stat_type", "object_type", "object",
                                         "time_profile", "value", "valid")

    def __init__(self, time: float, stat_type: str, object_type: str, object: str,
                 time_profile: str, value: Any, valid: bool) -> None:
        self.time = time
        self.stat_type = stat_type
        self.object_type = object_type
        self.object = object
        self.time_profile = time_profile
        self.value = value
        self.valid = valid


class ObjectStatus:
    """The status an object is in (and since when), with the reasons and call type of its
    latest change: CurrentState, and the DN episode an agent binding starts or stops."""

    __slots__ = ("status", "since", "reasons", "call_type", "route", "routes")

    def __init__(self, status: str, since: float, reasons: Any, call_type: int | None,
                 route: Route) -> None:
        self.status = status
        self.since = since
        self.reasons = reasons
        self.call_type = call_type
        # the route of the episode in progress (status and, for a DN, the agent logged in on
        # it): where the next change closes it, without looking it up again
        self.route = route
        # status -> route, for the current agent binding of a DN (DNStatus feeds the agent
        # logged in on it): a change costs a look-up by status name, and _rebind_route drops
        # them when the binding changes, so no route of a past binding stays in memory
        self.routes: dict[str, Route] = {}


class Statistic:
    """One stat type on one object: the (possibly shared) aggregates of its masks."""

    __slots__ = ("st", "object_type", "object", "aggs")

    def __init__(self, st: StatType, object_type: str, obj: str, aggs: list[Agg]) -> None:
        self.st = st
        self.object_type = object_type
        self.object = obj
        self.aggs = aggs

    def idle(self) -> bool:
        for agg in self.aggs:
            if not agg.idle():
                return False
        return True

    def value(self, now: float, window_index: int) -> Any:
        formula = self.st.category.value
        assert formula is not None      # CurrentState statistics are read by the engine (_state)
        return formula(Value(self.aggs, window_index, now, self.st))


class Spec:
    """What one mask of a stat type aggregates on one object type; shared by equal definitions."""

    __slots__ = ("object_type", "status", "mask", "filter", "formula", "range", "profiles",
                 "historical", "sources", "aggs", "shape")

    def __init__(self, object_type: str, status: bool, mask: Mask, filt: Condition | None,
                 formula: Term | None, rng: TimeRange, profiles: tuple[TimeProfile, ...],
                 sources: tuple[str, ...]) -> None:
        self.object_type = object_type
        self.status = status            # status episodes (else actions)
        self.mask = mask
        self.filter = filt
        self.formula = formula
        self.range = rng
        self.profiles = profiles
        self.historical = bool(profiles)
        self.sources = sources          # record object types that feed it
        self.aggs: dict[str, Agg] = {}  # target object -> Agg
        # what its Aggs share; shape.track: some category reads the CurrentNumber history
        self.shape = Shape(profiles, status, rng)


class _Runtime:
    """A loaded stat type: its statistics and the spec of each (object type, mask)."""

    __slots__ = ("st", "stats", "specs", "dn_action", "reasons", "shown")

    def __init__(self, st: StatType) -> None:
        self.st = st
        self.stats: dict[tuple[str, str], Statistic] = {}
        self.specs: dict[str, list[Spec]] = {}
        # CurrentState / CurrentStateReasons (StatEngine._state_text)
        self.dn_action: bool = st.subject == N.DN_ACTION
        self.reasons: bool = st.category_name == "CurrentStateReasons"
        self.shown: dict[str, bool] = {}      # status -> matched by the main mask


class Route:
    """Where the records of one (record object type, object, action or status name) go: the
    Aggs of every spec whose mask matches the name, on every target object of the record,
    flattened once. ``plain`` holds the Aggs of the specs without filter or formula, those of
    historical specs first (``historical`` of them: the only ones a momentary or retrospective
    action changes); ``filtered`` the specs with a filter or a formula and their Aggs."""

    __slots__ = ("plain", "historical", "filtered", "filtered_historical", "empty", "switches")

    def __init__(self, plain: tuple[Agg, ...], historical: int,
                 filtered: tuple[tuple[Spec, tuple[Agg, ...]], ...]) -> None:
        self.plain = plain
        self.historical = historical
        self.filtered = filtered
        # some filtered spec is historical (else momentary actions skip the filters)
        self.filtered_historical = any(spec.historical for spec, _ in filtered)
        self.empty = not plain and not filtered     # no Agg at all: the record changes nothing
        # status routes: next route -> its Switch (None: no Agg in common)
        # (None until the first change from it: action routes, most of them, never need one)
        self.switches: dict[Route, Switch | None] | None = None

    def switch_to(self, route: Route) -> Switch | None:
        """How a status episode on this route hands over to one on ``route`` (built once;
        None when no Agg is fed by both, the common case kept small)."""
        switches = self.switches
        if switches is None:
            switches = self.switches = {}
        elif route in switches:
            return switches[route]
        switch = Switch(self, route)
        found = switches[route] = switch if switch.both else None
        return found

    def close(self, key: Any, t: float) -> None:
        """The record (or status episode) ``key`` ends, wherever it is running."""
        for agg in self.plain:
            agg.close(key, t)
        for _, aggs in self.filtered:
            for agg in aggs:
                agg.close(key, t)


class Switch:
    """A status change from the statuses of route ``old`` to those of route ``new``, for the
    unfiltered Aggs: the episode closes on the Aggs only ``old`` feeds, opens on those only
    ``new`` feeds, and on the Aggs both feed closes and reopens in one step
    (:meth:`~.aggregates.Agg.switch`). Each Agg sees the same close-then-open sequence as
    with ``old.close`` then opens over ``new.plain``: Aggs do not share state, and a second
    open of a key already running is a no-op (hence the de-duplication)."""

    __slots__ = ("close", "both", "open")

    def __init__(self, old: Route, new: Route) -> None:
        closing: dict[Agg, None] = dict.fromkeys(old.plain)
        for _, aggs in old.filtered:
            closing.update(dict.fromkeys(aggs))
        opening: dict[Agg, None] = dict.fromkeys(new.plain)
        self.close = tuple(agg for agg in closing if agg not in opening)
        self.both = tuple(agg for agg in opening if agg in closing)
        self.open = tuple(agg for agg in opening if agg not in closing)

    def apply(self, key: Any, run: Running) -> None:
        t = run.span_start
        for agg in self.close:
            agg.close(key, t)
        for agg in self.both:
            agg.switch(key, run)
        for agg in self.open:
            agg.open(key, run)


def _status_attrs(reasons: Any, call_type: int | None) -> dict[str, Any]:
    return {"Reasons": reasons, "CallType": call_type, "MediaType": "voice"}


def _attrs(rec: Action) -> dict[str, Any]:
    a: dict[str, Any] = {"CallType": rec.call_type, "MediaType": "voice"}
    if rec.data:
        a.update(rec.data)
    return a


class StatEngine:
    """Statistics over the records of the action engine (see the module docstring)."""

    def __init__(self, objects: Objects, stattypes: StatTypes | Iterable[StatType],
                 start: float | None = None) -> None:
        self.objects = objects
        self.runtimes = {st.name: _Runtime(st) for st in stattypes}
        self.start = start
        self.opened = False
        self.specs: dict[tuple, Spec] = {}
        self._action_index: dict[tuple[str, str], list[Spec]] = {}
        self._status_index: dict[tuple[str, str], list[Spec]] = {}
        # record object type -> object -> action name -> Route (nested: no key tuple per record)
        self._action_routes: dict[str, dict[str, dict[str, Route]]] = {}
        self._status_of: dict[str, dict[str, ObjectStatus]] = {}   # object type -> object -> status
        self.not_monitored: set[str] = set()
        self.dn_agent: dict[str, str] = {}
        self.agent_dns: dict[str, set[str]] = {}
        self._logged_in: Counter[tuple[str, str]] = Counter()
        self._since_login: dict[tuple[str, str], list[Agg]] = {}
        self.last_time: float | None = None
        for rt in self.runtimes.values():
            for ot in rt.st.objects:
                rt.specs[ot] = self._specs_of(rt.st, ot)

    def _specs_of(self, st: StatType, ot: str) -> list[Spec]:
        subject = st.subject_for(ot)
        status = subject in N.STATUS_SUBJECTS
        sources: tuple[str, ...]
        if status:
            sources = N.STATUS_SOURCES.get(subject, {}).get(ot, ())
        else:
            sources = N.ACTION_SOURCES[ot]
        if not st.voice:
            sources = ()            # a MediaType restriction without voice matches nothing here
        if status and st.category.kind == STATE:
            sources = ()            # read from the object statuses, not from aggregates
        profiles = st.time_profiles if st.is_historical else ()
        # A filter applies to every mask, except AverageNumberPerRelativeHour: Main only [D 4].
        only_main = st.category_name == "AverageNumberPerRelativeHour"
        out = []
        for i, mask in enumerate(st.masks):
            filt = st.filter if (i == 0 or not only_main) else None
            rng = st.time_range
            if st.aux_mask is not None and mask is st.aux_mask:   # ServiceFactor1: abandoned, d >= a
                rng = TimeRange("aux", st.time_range.low, 2**62)
            key = (ot, status, sources, mask.star, mask.names, mask.excluded, id(filt) if filt else None,
                   id(st.formula) if st.formula else None, rng.low, rng.high, profiles)
            spec = self.specs.get(key)
            if spec is None:
                spec = self.specs[key] = Spec(ot, status, mask, filt, st.formula, rng, profiles, sources)
            if st.category_name in TRACKING_CATEGORIES:
                spec.shape.track = True
            out.append(spec)
        return out

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
        for spec in self.specs.values():
            spec.shape.t_open = self.start
        # The Aggs first, object by object: a record reaches the Aggs of one object (and its
        # groups), so keeping them side by side in memory spares cache misses on big centers.
        specs_of: dict[str, list[Spec]] = {}
        for spec in self.specs.values():
            specs_of.setdefault(spec.object_type, []).append(spec)
        for ot, specs in specs_of.items():
            for obj in self.configured_objects(ot):
                for spec in specs:
                    self._agg(spec, obj)
        for rt in self.runtimes.values():
            for ot in rt.st.objects:
                for obj in self.configured_objects(ot):
                    self._statistic(rt, ot, obj)

    def _statistic(self, rt: _Runtime, ot: str, obj: str) -> Statistic:
        stat = rt.stats.get((ot, obj))
        if stat is None:
            stat = rt.stats[(ot, obj)] = Statistic(rt.st, ot, obj, [self._agg(spec, obj) for spec in rt.specs[ot]])
        return stat

    def _agg(self, spec: Spec, obj: str) -> Agg:
        agg = spec.aggs.get(obj)
        if agg is None:
            if not self.opened:
                self._open(self.last_time if self.last_time is not None else 0.0)
            agg = spec.aggs[obj] = Agg(spec.shape)
            if spec.shape.since_login:
                self._since_login.setdefault((spec.object_type, obj), []).append(agg)
        return agg

    # -- indexes -------------------------------------------------------------------------------
    def _entries(self, status: bool, record_type: str, name: str) -> list[Spec]:
        """The specs a record (object type, name) can change."""
        out = [spec for spec in self.specs.values()
               if spec.status == status and record_type in spec.sources and spec.mask.matches(name)]
        (self._status_index if status else self._action_index)[(record_type, name)] = out
        return out

    def _fanout(self, spec: Spec, record_type: str, obj: str, status: bool) -> list[Agg]:
        """The Aggs of ``spec`` a record of (record_type, obj) feeds."""
        return [spec.aggs.get(target) or self._agg(spec, target)
                for target in self._targets(record_type, obj, spec.object_type, status)]

    def _route(self, status: bool, record_type: str, obj: str, name: str) -> Route:
        """Flatten, once per (record object type, object, name), the Aggs a record can change."""
        entries = self._status_entries(record_type, name) if status else self._action_entries(record_type, name)
        historical: list[Agg] = []
        current: list[Agg] = []
        filtered: list[tuple[Spec, tuple[Agg, ...]]] = []
        for spec in entries:
            aggs = self._fanout(spec, record_type, obj, status)
            if spec.filter is not None or (spec.formula is not None and not status):
                filtered.append((spec, tuple(aggs)))
            elif spec.historical:
                historical.extend(aggs)
            else:
                current.extend(aggs)
        return Route(tuple(historical + current), len(historical), tuple(filtered))

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
        action, kind = rec.action, rec.kind
        record_type, obj = rec.object_type, rec.object
        if action == "LoggedIn" and kind in (START, END) and record_type in ("Agent", "Place"):
            self._login_action(rec)
        name = N.match_name(action, rec.call_type) if action == CALL_WAIT else action
        route = self._action_route(record_type, obj, name)
        # The running key of an action: its instance id. The copies of one instance (DN,
        # place, agent) never reach the same Agg (names.ACTION_SOURCES: one record object type
        # per target type), and a DN's action passes from one agent to the next only after it
        # ended on the first (ActionEngine.bind).
        key = rec.aid
        if kind == END:
            route.close(key, t)
            return
        if kind == START:
            if route.plain:
                run = Running(name, t, t, rec.conn_id, None)
                for agg in route.plain:
                    agg.open(key, run)
        elif route.historical:      # momentary / retrospective: only the historical aggregates
            d = carried_seconds(t, rec.duration) if kind == RETRO else 0
            plain = route.plain
            for i in range(route.historical):
                plain[i].instant(t, d, None)
        if route.filtered and (kind == START or route.filtered_historical):
            self._filtered_action(rec, route, key, name)

    def _action_route(self, record_type: str, obj: str, name: str) -> Route:
        by_object = self._action_routes.get(record_type)
        if by_object is None:
            by_object = self._action_routes[record_type] = {}
        by_name = by_object.get(obj)
        if by_name is None:
            by_name = by_object[obj] = {}
        route = by_name.get(name)
        if route is None:
            route = by_name[name] = self._route(False, record_type, obj, name)
        return route

    def _filtered_action(self, rec: Action, route: Route, key: Any, name: str) -> None:
        """The specs of a route with a filter or a custom-value formula (on the record's data)."""
        t, kind = rec.time, rec.kind
        d = carried_seconds(t, rec.duration) if kind == RETRO else 0
        attrs = _attrs(rec)
        for spec, aggs in route.filtered:
            if kind != START and not spec.historical:
                continue
            if spec.filter is not None and not spec.filter.test(attrs):
                continue
            cv = spec.formula.value(attrs) if spec.formula is not None else None
            if kind == START:
                run = Running(name, t, t, rec.conn_id, cv)
                for agg in aggs:
                    agg.open(key, run)
            else:
                for agg in aggs:
                    agg.instant(t, d, cv)

    def _login_action(self, rec: Action) -> None:
        """LoggedIn on an agent / place: binding (validity, DNStatus) and SinceLogin resets."""
        obj_key = (rec.object_type, rec.object)
        if rec.kind == START:
            self._logged_in[obj_key] += 1
            if self._logged_in[obj_key] == 1:
                for agg in self._since_login.get(obj_key, ()):
                    agg.login(rec.time)
            if rec.object_type == "Agent" and rec.dn:
                self.agent_dns.setdefault(rec.object, set()).add(rec.dn)
                self.dn_agent[rec.dn] = rec.object
                self._rebind_route(rec.dn)
                self._dn_status_binding(rec.dn, rec.object, rec.time, bind=True)
        else:
            if self._logged_in[obj_key] > 0:
                self._logged_in[obj_key] -= 1
            if rec.object_type == "Agent" and rec.dn:
                self._dn_status_binding(rec.dn, rec.object, rec.time, bind=False)
                self.agent_dns.get(rec.object, set()).discard(rec.dn)
                if self.dn_agent.get(rec.dn) == rec.object:
                    del self.dn_agent[rec.dn]
                    self._rebind_route(rec.dn)

    def _status(self, object_type: str, obj: str) -> ObjectStatus | None:
        of_type = self._status_of.get(object_type)
        return of_type.get(obj) if of_type is not None else None

    def _rebind_route(self, dn: str) -> None:
        """A DN's agent changed: its episode in progress now follows the route with that agent."""
        current = self._status("RegDN", dn)
        if current is not None:
            route = current.route = self._route(True, "RegDN", dn, current.status)
            current.routes = {current.status: route}

    def _dn_status_binding(self, dn: str, agent: str, t: float, bind: bool) -> None:
        """DNStatus on agents: the DN's episode in progress starts / stops feeding the agent."""
        current = self._status("RegDN", dn)
        if current is None:
            return
        key = current               # a status episode's running key: its ObjectStatus
        attrs = _status_attrs(current.reasons, current.call_type)
        for spec in self._status_entries("RegDN", current.status):
            tt = spec.object_type
            if tt == "Agent":
                objs = [agent]
            elif tt == "GroupAgents":
                objs = self.objects.groups_containing("GroupAgents", agent)
            else:
                continue
            for target in objs:
                agg = self._agg(spec, target)
                if not bind:
                    agg.close(key, t)
                elif spec.filter is None or spec.filter.test(attrs):
                    agg.open(key, Running(current.status, current.since, t, None, None))

    def _status_change(self, rec: StatusChange) -> None:
        t = rec.time
        if not self.opened:
            self._open(t)
        self.last_time = t
        ot, obj, status = rec.object_type, rec.object, rec.status
        if ot in DN_OBJECT_TYPES:
            if status == "NotMonitored":
                self.not_monitored.add(obj)
            else:
                self.not_monitored.discard(obj)
        of_type = self._status_of.get(ot)
        if of_type is None:
            of_type = self._status_of[ot] = {}
        prev = of_type.get(obj)
        if prev is not None and prev.status == status:
            # Same status, new reasons / call type: the episode goes on (docs/reference/actions.md §8.1); a filter
            # is re-evaluated, its true stretches are what counts (docs/reference/stat-types.md §8).
            prev.reasons, prev.call_type = rec.reasons, rec.call_type
            route = prev.route
            if route.filtered:
                attrs = _status_attrs(rec.reasons, rec.call_type)
                run = Running(status, prev.since, t, None, None)
                for spec, aggs in route.filtered:
                    keep = spec.filter is not None and spec.filter.test(attrs)
                    for agg in aggs:
                        if keep:
                            agg.open(prev, run)
                        else:
                            agg.close(prev, t)
            return
        if prev is None:
            # the object's ObjectStatus is also the running key of its status episodes (hashed
            # by identity: cheaper than a tuple rehashed at every Agg)
            route = self._route(True, ot, obj, status)
            key = of_type[obj] = ObjectStatus(status, t, rec.reasons, rec.call_type, route)
            key.routes[status] = route
            if route.empty:
                return
            run = Running(status, t, t, None, None)     # one episode, shared by the Aggs it reaches
            for agg in route.plain:
                agg.open(key, run)
        else:
            key = prev
            old = prev.route
            cached = prev.routes.get(status)
            if cached is None:
                cached = prev.routes[status] = self._route(True, ot, obj, status)
            route = prev.route = cached
            prev.status, prev.since, prev.reasons, prev.call_type = status, t, rec.reasons, rec.call_type
            if old.empty and route.empty:
                return      # e.g. a DN's status: no statistic reads it from aggregates (CurrentState)
            run = Running(status, t, t, None, None)
            switch = old.switch_to(route)
            if switch is not None:
                switch.apply(key, run)
            else:
                old.close(key, t)
                for agg in route.plain:
                    agg.open(key, run)
        if route.filtered:
            attrs = _status_attrs(rec.reasons, rec.call_type)
            for spec, aggs in route.filtered:
                if spec.filter is not None and spec.filter.test(attrs):
                    for agg in aggs:
                        agg.open(key, run)

    def _status_entries(self, ot: str, status: str) -> list[Spec]:
        entries = self._status_index.get((ot, status))
        return entries if entries is not None else self._entries(True, ot, status)

    def _action_entries(self, record_type: str, name: str) -> list[Spec]:
        entries = self._action_index.get((record_type, name))
        return entries if entries is not None else self._entries(False, record_type, name)

    # -- validity --------------------------------------------------------------------------------
    def feeding_dns(self, object_type: str, obj: str) -> set[str]:
        """The DNs whose monitoring a statistic of this object depends on (docs/reference/actions.md §7)."""
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
        self._check_time(time)
        rt = self.runtimes[stat_type]
        if not self.opened:
            self._open(time)
        if object_type not in rt.st.objects:
            raise KeyError(f"stat type {stat_type} has no object type {object_type}")
        stat = rt.stats.get((object_type, obj)) or self._statistic(rt, object_type, obj)
        if rt.st.category.kind == STATE:
            return Peek(self._state(rt, stat), True)
        wi = -1
        if rt.st.is_historical:
            names = [p.name for p in rt.st.time_profiles]
            wi = 0 if time_profile is None else names.index(time_profile)
        return Peek(stat.value(time, wi), self.valid(object_type, obj))

    def notify(self, time: float) -> Iterator[Row]:
        """Rows for every stat type, object and time profile at ``time`` (contract 4)."""
        self._check_time(time)
        if not self.opened:
            self._open(time)
        return self._rows(time)

    def _rows(self, time: float) -> Iterator[Row]:
        validity: dict[tuple[str, str], bool] = {}
        for rt in self.runtimes.values():
            st = rt.st
            if st.category.kind == STATE:
                for (ot, obj), stat in list(rt.stats.items()):
                    yield Row(time, st.name, ot, obj, "", self._state_text(rt, stat), True)
                continue
            names = [p.name for p in st.time_profiles] if st.category.kind != CURRENT else [""]
            # the values of the statistics no record has reached, per object type (Agg.idle)
            idle: dict[str, list[Any]] = {}
            for (ot, obj), stat in list(rt.stats.items()):
                ok = validity.get((ot, obj))
                if ok is None:
                    ok = validity[(ot, obj)] = self.valid(ot, obj)
                if stat.idle():
                    values = idle.get(ot)
                    if values is None:
                        values = idle[ot] = self._values(stat, time, len(names))
                else:
                    values = self._values(stat, time, len(names))
                for i, name in enumerate(names):
                    yield Row(time, st.name, ot, obj, name, values[i], ok)

    @staticmethod
    def _values(stat: Statistic, time: float, profiles: int) -> list[Any]:
        """The values of a statistic at ``time``, one per time profile (current: one)."""
        if not stat.st.is_historical:
            return [stat.value(time, -1)]
        return [stat.value(time, wi) for wi in range(profiles)]

    def _check_time(self, time: float) -> None:
        if self.last_time is not None and time < self.last_time:
            raise ValueError(f"statistics are read at {time} before the last record ({self.last_time});"
                             " aggregates keep no history")

    # -- CurrentState / CurrentStateReasons (docs/reference/stat-types.md §4.7) -------------------------------
    def _members(self, object_type: str, obj: str) -> list[tuple[str, str]]:
        if object_type == "Tenant":
            return [("Agent", a) for a in self.objects.agents]
        g = self.objects.groups.get(obj)
        if g is None:
            return []
        if object_type == "GroupQueues":
            return [(self.objects.dns[m].object_type, m) for m in g.members if m in self.objects.dns]
        return [(MEMBER_TYPE[object_type], m) for m in g.members]

    def _state_text(self, rt: _Runtime, stat: Statistic) -> str:
        """The stats.csv text of a CurrentState / CurrentStateReasons statistic (a notification
        has thousands: no tree is built)."""
        if stat.object_type in MEMBER_TYPE or stat.object_type == "Tenant":
            _, counts = self._group_state(rt, stat)
            return ";".join(f"{k}:{v}" for k, v in sorted(counts.items()))
        s, status = self._shown(rt, stat)
        if rt.reasons:
            if s is None or status not in REASON_STATUSES or not s.reasons:
                return ""
            return ";".join(f"{k}={v}" for k, v in sorted(dict(s.reasons).items()))
        return status or ""

    def _state(self, rt: _Runtime, stat: Statistic) -> Any:
        """The structure ``peek`` gives for a CurrentState / CurrentStateReasons statistic."""
        if stat.object_type in MEMBER_TYPE or stat.object_type == "Tenant":
            members, counts = self._group_state(rt, stat)
            return {"members": members, "counts": dict(counts)}
        s, status = self._shown(rt, stat)
        if rt.reasons:
            return dict(s.reasons or {}) if s is not None and status in REASON_STATUSES else {}
        tree: dict[str, Any] = {"status": status, "since": s.since if status and s is not None else None}
        if rt.dn_action:
            tree["actions"] = [{"action": r.name, "start": r.start, "conn_id": r.conn}
                               for r in stat.aggs[0].runs()]
        return tree

    def _matches(self, rt: _Runtime, status: str) -> bool:
        """The stat type's main mask takes ``status`` (asked once per status name)."""
        shown = rt.shown.get(status)
        if shown is None:
            shown = rt.shown[status] = rt.st.main_mask.matches(status)
        return shown

    def _shown(self, rt: _Runtime, stat: Statistic) -> tuple[ObjectStatus | None, str | None]:
        """The object's status record and the status its CurrentState shows: None when the
        main mask leaves it out (a DNAction subject shows every status)."""
        s = self._status(stat.object_type, stat.object)
        if s is None or not (rt.dn_action or self._matches(rt, s.status)):
            return s, None
        return s, s.status

    def _group_state(self, rt: _Runtime, stat: Statistic) -> tuple[dict[str, Any], Counter[str]]:
        """A group's (or the tenant's) members -> status, and the count of each status (or,
        for CurrentStateReasons, of each reason) among the members the main mask takes."""
        counts: Counter[str] = Counter()
        members: dict[str, Any] = {}
        for mt, m in self._members(stat.object_type, stat.object):
            s = self._status(mt, m)
            members[m] = s.status if s else None
            if s is None or not self._matches(rt, s.status):
                continue
            if not rt.reasons:
                counts[s.status] += 1
            elif s.status in REASON_STATUSES:
                for k, v in (s.reasons or {}).items():
                    counts[f"{k}={v}"] += 1
        return members, counts


def whole(value: Any) -> Any:
    """Values as stats.csv writes them: integers without a decimal point, floats to 1e-6."""
    if isinstance(value, float):
        if math.isfinite(value) and value == int(value):
            return int(value)
        return round(value, 6)
    return value
