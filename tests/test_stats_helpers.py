"""Helpers for the statistics tests: a small contact center and synthetic record streams.

Record streams follow the action engine's contract (sim/statserver/records.py): DN-level
record first, then the Place and Agent copies with the same aid; statuses as StatusChange.
"""

from __future__ import annotations

import itertools

from sim.objects import build_objects
from sim.statserver.records import END, MOMENT, RETRO, START, Action, StatusChange
from sim.statserver.stats import StatEngine, parse_stattypes

T0 = 1767571200.0          # 2026-01-05T00:00:00Z, the default epoch of simulated runs

OBJECTS = {
    "switches": [{"name": "SW"}],
    "dns": [{"number": n, "switch": "SW", "type": "Extension"} for n in ("1001", "1002", "1003")]
    + [{"number": "5000", "switch": "SW", "type": "ACDQueue"},
       {"number": "5001", "switch": "SW", "type": "ACDQueue"},
       {"number": "7000", "switch": "SW", "type": "RoutingPoint"}],
    "places": [{"name": "P1", "dns": ["1001@SW"]}, {"name": "P2", "dns": ["1002@SW"]},
               {"name": "P3", "dns": ["1003@SW"]}],
    "agents": [{"id": "a1", "login": "101"}, {"id": "a2", "login": "102"}, {"id": "a3", "login": "103"}],
    "groups": [{"name": "GA", "type": "GroupAgents", "members": ["a1", "a2", "a3"]},
               {"name": "GA12", "type": "GroupAgents", "members": ["a1", "a2"]},
               {"name": "GP", "type": "GroupPlaces", "members": ["P1", "P2", "P3"]},
               {"name": "GQ", "type": "GroupQueues", "members": ["5000@SW", "5001@SW"]}],
}
PLACE_OF = {"1001@SW": "P1", "1002@SW": "P2", "1003@SW": "P3"}


def objects():
    return build_objects(OBJECTS, "test-objects")


def engine(ini: str, start: float = T0) -> StatEngine:
    return StatEngine(objects(), parse_stattypes(ini, "test.ini"), start=start)


_aids = itertools.count(1)


def _copies(rec: Action, agent: str | None) -> list[Action]:
    out = [rec]
    place = PLACE_OF.get(rec.object)
    if place:
        out.append(rec._replace(object_type="Place", object=place))
    if agent:
        out.append(rec._replace(object_type="Agent", object=agent))
    return out


def dn_type(dn: str) -> str:
    return {"5000@SW": "Queue", "5001@SW": "Queue", "7000@SW": "RoutePoint"}.get(dn, "RegDN")


def durable(name: str, dn: str, start: float, end: float | None, agent: str | None = None,
            conn: str | None = None, call_type: int | None = None, data=None) -> list[Action]:
    """Start (and end) records of a durable action on a DN with its propagated copies."""
    aid = next(_aids)
    s = Action(start, name, START, dn_type(dn), dn, aid, conn, call_type, None, dn, data)
    out = _copies(s, agent)
    if end is not None:
        e = s._replace(time=end, kind=END, duration=end - start)
        out += _copies(e, agent)
    return out


def instant(name: str, dn: str, t: float, duration: float | None = None, agent: str | None = None,
            conn: str | None = None, call_type: int | None = None, data=None) -> list[Action]:
    kind = RETRO if duration is not None else MOMENT
    rec = Action(t, name, kind, dn_type(dn), dn, next(_aids), conn, call_type, duration, dn, data)
    return _copies(rec, agent)


def statuses(object_type: str, obj: str, changes: list[tuple[float, str]], reasons=None) -> list[StatusChange]:
    """StatusChange records for successive (time, status) pairs of one object."""
    out, prev = [], None
    for t, status in changes:
        r = reasons.get(t) if isinstance(reasons, dict) else None
        out.append(StatusChange(t, object_type, obj, status, prev, None, r))
        prev = status
    return out


def feed(eng: StatEngine, *streams) -> StatEngine:
    records = sorted((r for s in streams for r in s), key=lambda r: r.time)
    eng.feed_many(records)
    return eng


def value(eng: StatEngine, st: str, ot: str, obj: str, t: float, profile: str | None = None):
    return eng.peek(st, ot, obj, t, profile).value


def stat(name: str, category: str, main: str, subject: str, objects: str, **extra: str) -> str:
    lines = [f"[{name}]", f"Category = {category}", f"MainMask = {main}", f"Subject = {subject}",
             f"Objects = {objects}"] + [f"{k} = {v}" for k, v in extra.items()]
    return "\n".join(lines) + "\n"
