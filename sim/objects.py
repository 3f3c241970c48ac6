"""The contact center's configuration as Stat Server knows it (docs/reference/contracts.md §2).

Stat Server learns switches, DNs, places, agents and groups from Configuration Server, never
from the events; here they come from ``objects.toml``. Object ids follow Stat Server: DNs and
queues as ``DN@Switch``, agents by employee id, places and groups by name.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any, NoReturn

import tomli_w

from sim.errors import UserError, read_toml
from sim.schema_errors import check

REGULAR_TYPES = ("Extension", "ACDPosition")
MEDIATION_TYPES = ("ACDQueue", "RoutingPoint", "VirtualQueue")
DN_TYPES = REGULAR_TYPES + MEDIATION_TYPES
GROUP_TYPES = ("GroupAgents", "GroupPlaces", "GroupQueues")

# Stat Server object types of DNs (docs/reference/stat-types.md §2.3): RegDN, Queue, RoutePoint.
OBJECT_TYPE_OF_DN = {
    "Extension": "RegDN", "ACDPosition": "RegDN",
    "ACDQueue": "Queue", "VirtualQueue": "Queue", "RoutingPoint": "RoutePoint",
}

_NAME = {"type": "string", "minLength": 1}
_NAMES = {"type": "array", "items": _NAME}
SCHEMA: dict[str, Any] = {
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "switches": {"type": "array", "items": {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": _NAME, "description": {"type": "string"}}}},
        "dns": {"type": "array", "items": {
            "type": "object", "required": ["number", "switch", "type"], "additionalProperties": False,
            "properties": {"number": _NAME, "switch": _NAME, "type": {"enum": list(DN_TYPES)},
                           "description": {"type": "string"}}}},
        "places": {"type": "array", "items": {
            "type": "object", "required": ["name"], "additionalProperties": False,
            "properties": {"name": _NAME, "dns": _NAMES}}},
        "agents": {"type": "array", "items": {
            "type": "object", "required": ["id", "login"], "additionalProperties": False,
            "properties": {"id": _NAME, "login": {"anyOf": [_NAME, _NAMES]},
                           "name": {"type": "string"}, "place": _NAME}}},
        "groups": {"type": "array", "items": {
            "type": "object", "required": ["name", "type"], "additionalProperties": False,
            "properties": {"name": _NAME, "type": {"enum": list(GROUP_TYPES)}, "members": _NAMES,
                           "origination_dns": _NAMES}}},
    },
}


@dataclass(frozen=True, slots=True)
class DN:
    number: str
    switch: str
    type: str
    place: str | None = None

    @property
    def id(self) -> str:
        return f"{self.number}@{self.switch}"

    @property
    def is_mediation(self) -> bool:
        return self.type in MEDIATION_TYPES

    @property
    def object_type(self) -> str:
        return OBJECT_TYPE_OF_DN[self.type]


@dataclass(frozen=True, slots=True)
class Place:
    name: str
    dns: tuple[str, ...] = ()


@dataclass(frozen=True, slots=True)
class Agent:
    id: str
    logins: tuple[str, ...]
    name: str = ""
    place: str | None = None


@dataclass(frozen=True, slots=True)
class Group:
    name: str
    type: str
    members: tuple[str, ...] = ()
    origination_dns: tuple[str, ...] = ()


@dataclass
class Objects:
    """The whole configuration, with the look-ups the engine needs."""

    switches: list[str] = field(default_factory=list)
    dns: dict[str, DN] = field(default_factory=dict)          # "DN@Switch" -> DN
    places: dict[str, Place] = field(default_factory=dict)
    agents: dict[str, Agent] = field(default_factory=dict)
    groups: dict[str, Group] = field(default_factory=dict)
    agent_by_login: dict[str, str] = field(default_factory=dict)   # AgentID -> employee id
    groups_of: dict[tuple[str, str], list[str]] = field(default_factory=dict)  # (type, member) -> groups

    def dns_of_switch(self, switch: str) -> list[DN]:
        return [d for d in self.dns.values() if d.switch == switch]

    def groups_containing(self, group_type: str, member: str) -> list[str]:
        return self.groups_of.get((group_type, member), [])

    def to_dict(self) -> dict[str, Any]:
        return {
            "switches": [{"name": s} for s in self.switches],
            "dns": [{"number": d.number, "switch": d.switch, "type": d.type} for d in self.dns.values()],
            "places": [{"name": p.name, "dns": list(p.dns)} for p in self.places.values()],
            "agents": [_agent_dict(a) for a in self.agents.values()],
            "groups": [_group_dict(g) for g in self.groups.values()],
        }


def _agent_dict(a: Agent) -> dict[str, Any]:
    d: dict[str, Any] = {"id": a.id, "login": a.logins[0] if len(a.logins) == 1 else list(a.logins)}
    if a.name:
        d["name"] = a.name
    if a.place:
        d["place"] = a.place
    return d


def _group_dict(g: Group) -> dict[str, Any]:
    d: dict[str, Any] = {"name": g.name, "type": g.type, "members": list(g.members)}
    if g.origination_dns:
        d["origination_dns"] = list(g.origination_dns)
    return d


def build_objects(data: dict[str, Any], source: str = "objects.toml") -> Objects:
    """Validate a decoded objects document; errors name the key path."""
    check(SCHEMA, data, source)

    def fail(path: str, message: str) -> NoReturn:
        raise UserError(message, where=f"{source}: {path}")

    objs = Objects()
    for i, sw in enumerate(data.get("switches", [])):
        if sw["name"] in objs.switches:
            fail(f"switches[{i}].name", f"duplicate switch {sw['name']!r}")
        objs.switches.append(sw["name"])
    for i, d in enumerate(data.get("dns", [])):
        if d["switch"] not in objs.switches:
            fail(f"dns[{i}].switch", f"unknown switch {d['switch']!r}")
        dn = DN(d["number"], d["switch"], d["type"])
        if dn.id in objs.dns:
            fail(f"dns[{i}].number", f"duplicate DN {dn.id!r}")
        objs.dns[dn.id] = dn
    for i, p in enumerate(data.get("places", [])):
        if p["name"] in objs.places:
            fail(f"places[{i}].name", f"duplicate place {p['name']!r}")
        for j, dn_id in enumerate(p.get("dns", [])):
            dn = objs.dns.get(dn_id)
            if dn is None:
                fail(f"places[{i}].dns[{j}]", f"unknown DN {dn_id!r} (write DN@Switch)")
            if dn.place is not None:
                fail(f"places[{i}].dns[{j}]", f"DN {dn_id!r} already belongs to place {dn.place!r}")
            objs.dns[dn_id] = DN(dn.number, dn.switch, dn.type, p["name"])
        objs.places[p["name"]] = Place(p["name"], tuple(p.get("dns", [])))
    for i, a in enumerate(data.get("agents", [])):
        if a["id"] in objs.agents:
            fail(f"agents[{i}].id", f"duplicate agent {a['id']!r}")
        logins = (a["login"],) if isinstance(a["login"], str) else tuple(a["login"])
        for j, login in enumerate(logins):
            if login in objs.agent_by_login:
                fail(f"agents[{i}].login" + (f"[{j}]" if len(logins) > 1 else ""),
                     f"login {login!r} already belongs to agent {objs.agent_by_login[login]!r}")
            objs.agent_by_login[login] = a["id"]
        if a.get("place") and a["place"] not in objs.places:
            fail(f"agents[{i}].place", f"unknown place {a['place']!r}")
        objs.agents[a["id"]] = Agent(a["id"], logins, a.get("name", ""), a.get("place"))
    for i, g in enumerate(data.get("groups", [])):
        if g["name"] in objs.groups:
            fail(f"groups[{i}].name", f"duplicate group {g['name']!r}")
        known = {"GroupAgents": objs.agents, "GroupPlaces": objs.places,
                 "GroupQueues": {k: v for k, v in objs.dns.items() if v.is_mediation}}[g["type"]]
        for j, m in enumerate(g.get("members", [])):
            if m not in known:
                what = {"GroupAgents": "agent", "GroupPlaces": "place", "GroupQueues": "mediation DN"}
                fail(f"groups[{i}].members[{j}]", f"unknown {what[g['type']]} {m!r}")
            objs.groups_of.setdefault((g["type"], m), []).append(g["name"])
        for j, dn_id in enumerate(g.get("origination_dns", [])):
            dn = objs.dns.get(dn_id)
            if dn is None or not dn.is_mediation:
                fail(f"groups[{i}].origination_dns[{j}]", f"unknown mediation DN {dn_id!r}")
        objs.groups[g["name"]] = Group(g["name"], g["type"], tuple(g.get("members", [])),
                                       tuple(g.get("origination_dns", [])))
    return objs


def load_objects(path: str) -> Objects:
    return build_objects(read_toml(path), path)


def dump_objects(objs: Objects, path: str) -> None:
    with open(path, "wb") as fh:
        tomli_w.dump(objs.to_dict(), fh)
