"""Loading a scenario: TOML -> ``--set`` overrides -> JSON-Schema validation -> references.

Every error names the file and the key path (``scenario.toml: agents[3].shift.start: ...``).
The result is a :class:`Scenario`: plain, defaulted, normalised tables (teams expanded into
agents, clock times turned into seconds, CSV profiles read) that the model builds from, plus
the ``objects.toml`` document (docs/reference/contracts.md §2) the engine needs.
"""

from __future__ import annotations

import copy
import csv
import math
import re
import tomllib
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NoReturn

from sim.errors import UserError, read_toml
from sim.objects import Objects, build_objects
from sim.scenario import checks
from sim.scenario.schema import SCHEMA
from sim.schema_errors import check

DEFAULT_EPOCH = "2026-01-05T00:00:00Z"
SWITCH_DEFAULTS = {"registered_extensions": True, "login_ready": False, "rp_diverted": False,
                   "rona_timeout": 15.0}
RUN_DEFAULTS = {"name": "scenario", "seed": 1, "epoch": DEFAULT_EPOCH, "horizon": 3600.0,
                "drain": 7200.0, "interval": 900.0, "sl_thresholds": [20.0], "notify_every": 900.0}
AGENT_DEFAULTS: dict[str, Any] = {"dn_type": "Extension", "skills": [], "queue": None, "shift": None, "breaks": [],
                  "wrap_up": 0.0, "answer_delay": 2.0, "rona_probability": 0.0, "not_ready": None,
                  "walk_away": None, "outbound": None, "internal": None, "groups": []}


@dataclass
class Scenario:
    source: str
    data: dict[str, Any]                       # the validated document (overrides applied)
    run: dict[str, Any]
    switches: list[dict[str, Any]]
    queues: list[dict[str, Any]]
    routing_points: list[dict[str, Any]]
    virtual_queues: list[dict[str, Any]]
    ivrs: list[dict[str, Any]]
    agents: list[dict[str, Any]]
    traffic: list[dict[str, Any]]
    faults: dict[str, Any]
    groups: list[dict[str, Any]] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)   # valid but almost surely wrong

    @property
    def seed(self) -> int:
        return int(self.run["seed"])

    @property
    def epoch(self) -> float:
        return parse_epoch(self.run["epoch"])

    def objects_dict(self) -> dict[str, Any]:
        return objects_document(self)

    def objects(self) -> Objects:
        return build_objects(objects_document(self), self.source)


# --- overrides -------------------------------------------------------------------------------

_SEG = re.compile(r"([A-Za-z_][A-Za-z0-9_\-]*)((?:\[\d+\])*)")


def _parse_path(key: str) -> list[str | int]:
    parts: list[str | int] = []
    for seg in key.split("."):
        m = _SEG.fullmatch(seg)
        if not m:
            raise UserError(f"bad key path {key!r}", where="--set")
        parts.append(m.group(1))
        parts.extend(int(i) for i in re.findall(r"\[(\d+)\]", m.group(2)))
    return parts


def _parse_value(text: str) -> Any:
    try:
        return tomllib.loads(f"v = {text}")["v"]
    except tomllib.TOMLDecodeError:
        return text


def apply_overrides(data: dict[str, Any], sets: list[str]) -> dict[str, Any]:
    """Apply ``key=value`` overrides (TOML values; bare words are strings)."""
    data = copy.deepcopy(data)
    for item in sets or ():
        if "=" not in item:
            raise UserError(f"expected key=value, got {item!r}", where="--set")
        key, text = item.split("=", 1)
        parts = _parse_path(key.strip())
        node: Any = data
        for i, p in enumerate(parts[:-1]):
            nxt = parts[i + 1]
            if isinstance(p, int):
                if not isinstance(node, list) or p >= len(node):
                    raise UserError(f"{key}: index {p} out of range", where="--set")
                node = node[p]
            else:
                if not isinstance(node, dict):
                    raise UserError(f"{key}: {p!r} is not inside a table", where="--set")
                node = node.setdefault(p, [] if isinstance(nxt, int) else {})
        last = parts[-1]
        value = _parse_value(text.strip())
        if isinstance(last, int):
            if not isinstance(node, list) or last > len(node):
                raise UserError(f"{key}: index {last} out of range", where="--set")
            if last == len(node):
                node.append(value)
            else:
                node[last] = value
        else:
            if not isinstance(node, dict):
                raise UserError(f"{key}: not a table", where="--set")
            node[last] = value
    return data


# --- validation ------------------------------------------------------------------------------

def _schema_error(data: dict[str, Any], source: str) -> None:
    check(SCHEMA, data, source)


def parse_time(value: Any) -> float:
    if isinstance(value, str):
        parts = [int(x) for x in value.split(":")]
        return float(parts[0] * 3600 + parts[1] * 60 + (parts[2] if len(parts) > 2 else 0))
    return float(value)


parse_epoch = checks.parse_epoch


def load_scenario(path: str, sets: list[str] | None = None, seed: int | None = None) -> Scenario:
    return build_scenario(read_toml(path), path, sets, seed)


def build_scenario(data: dict[str, Any], source: str = "scenario.toml", sets: list[str] | None = None,
                   seed: int | None = None) -> Scenario:
    data = apply_overrides(data, sets or [])
    if seed is not None:
        data.setdefault("run", {})["seed"] = int(seed)
    _non_finite_error(data, source)
    checks.native_epoch(data)
    _schema_error(data, source)
    checks.check_distributions(data, source)
    return _normalise(data, source)


def _non_finite_error(node: Any, source: str, path: str = "") -> None:
    """TOML allows nan and inf; no scenario number may be either (the schema's bounds cannot
    catch NaN: every comparison with it is false)."""
    if isinstance(node, float) and not math.isfinite(node):
        _fail(source, path or "(top level)", f"{node} is not a finite number")
    elif isinstance(node, dict):
        for k, v in node.items():
            _non_finite_error(v, source, f"{path}.{k}" if path else str(k))
    elif isinstance(node, list):
        for i, v in enumerate(node):
            _non_finite_error(v, source, f"{path}[{i}]")


def _fail(source: str, path: str, message: str) -> NoReturn:
    raise UserError(message, where=f"{source}: {path}")


def _normalise(data: dict[str, Any], source: str) -> Scenario:
    """The scenario document as the model reads it: defaults filled in, names resolved and
    cross-references checked, one section (table of the scenario file) per step, in the order
    the sections refer to each other."""
    run = _run_section(data, source)
    layout = _Layout.of(data, source)
    queues = layout.numbered(data.get("queues", []), "queues")
    vqs = layout.numbered(data.get("virtual_queues", []), "virtual_queues")
    ivrs = _ivrs_section(data, layout)
    layout.queues = {(q["switch"], q["number"]) for q in queues}
    _check_ivrs_and_overflow(queues, ivrs, layout)
    layout.virtual_queues = {(v["switch"], v["number"]) for v in vqs}
    layout.ivr_queues = {(v["switch"], v["queue"]) for v in ivrs}
    rps = _routing_points_section(data, layout)
    layout.routing_points = {(r["switch"], r["number"]) for r in rps}
    agents = _agents_section(data, layout)
    traffic = _traffic_section(data, layout, float(run["horizon"]))
    faults = _faults_section(data, layout)
    sc = Scenario(source, data, run, layout.switches, queues, rps, vqs, ivrs, agents, traffic, faults,
                  data.get("groups", []))
    sc.objects()  # validates the configuration as Stat Server would see it
    sc.warnings = checks.warnings(sc)
    return sc


@dataclass
class _Layout:
    """The switches and the DNs the scenario defines so far: what later sections refer to."""

    source: str
    switches: list[dict[str, Any]]
    names: list[str]
    dns: dict[tuple[str, str], str] = field(default_factory=dict)   # (switch, number) -> key path
    queues: set[tuple[str, str]] = field(default_factory=set)
    virtual_queues: set[tuple[str, str]] = field(default_factory=set)
    ivr_queues: set[tuple[str, str]] = field(default_factory=set)
    routing_points: set[tuple[str, str]] = field(default_factory=set)

    @classmethod
    def of(cls, data: dict[str, Any], source: str) -> _Layout:
        """The [[switches]] section: defaults, unique names."""
        switches = [{**SWITCH_DEFAULTS, **s} for s in data["switches"]]
        names = [s["name"] for s in switches]
        for i, n in enumerate(names):
            if names.index(n) != i:
                _fail(source, f"switches[{i}].name", f"duplicate switch {n!r}")
        return cls(source, switches, names)

    @property
    def default_switch(self) -> str:
        return self.names[0]

    def switch_of(self, table: dict[str, Any], path: str) -> str:
        sw = table.get("switch", self.default_switch)
        if sw not in self.names:
            _fail(self.source, f"{path}.switch", f"unknown switch {sw!r}")
        return sw

    def claim(self, sw: str, number: str, path: str) -> None:
        """A DN defined at ``path``: the first definition of a number on a switch wins."""
        if (sw, number) in self.dns:
            dn_id = f"{number}@{sw}"
            shown = dn_id if dn_id.isprintable() else dn_id.encode("unicode_escape").decode("ascii")
            _fail(self.source, path, f"DN {shown} already defined at {self.dns[(sw, number)]}")
        self.dns[(sw, number)] = path

    def numbered(self, tables: list[dict[str, Any]], section: str) -> list[dict[str, Any]]:
        """A section of DNs with a ``number`` (queues, virtual queues): switch resolved, DN claimed."""
        out = []
        for i, t in enumerate(tables):
            t = {**t, "switch": self.switch_of(t, f"{section}[{i}]")}
            self.claim(t["switch"], t["number"], f"{section}[{i}].number")
            out.append(t)
        return out

    def need(self, known: set[tuple[str, str]], sw: str, number: Any, path: str, what: str) -> None:
        if (sw, number) not in known:
            _fail(self.source, path, f"unknown {what} {number!r}")


def _run_section(data: dict[str, Any], source: str) -> dict[str, Any]:
    run = {**RUN_DEFAULTS, **data.get("run", {})}
    checks.check_epoch(run, source)
    run["sl_thresholds"] = [float(x) for x in run["sl_thresholds"]]
    return run


def _ivrs_section(data: dict[str, Any], layout: _Layout) -> list[dict[str, Any]]:
    ivrs = []
    for i, v in enumerate(data.get("ivrs", [])):
        v = {**v, "switch": layout.switch_of(v, f"ivrs[{i}]")}
        for j, p in enumerate(v["ports"]):
            layout.claim(v["switch"], p, f"ivrs[{i}].ports[{j}]")
        ivrs.append(v)
    return ivrs


def _check_ivrs_and_overflow(queues: list[dict[str, Any]], ivrs: list[dict[str, Any]],
                             layout: _Layout) -> None:
    for i, v in enumerate(ivrs):
        layout.need(layout.queues, v["switch"], v["queue"], f"ivrs[{i}].queue", "ACD queue")
    for i, q in enumerate(queues):
        ov = q.get("overflow")
        if ov:
            layout.need(layout.queues, q["switch"], ov["to"], f"queues[{i}].overflow.to", "ACD queue")
    checks.check_overflow_cycles(queues, layout.source)


def _routing_points_section(data: dict[str, Any], layout: _Layout) -> list[dict[str, Any]]:
    source = layout.source
    rps = []
    for i, r in enumerate(data.get("routing_points", [])):
        r = {"strategy": "queue", "user_data": {}, **r, "switch": layout.switch_of(r, f"routing_points[{i}]")}
        layout.claim(r["switch"], r["number"], f"routing_points[{i}].number")
        p = f"routing_points[{i}]"
        if r["strategy"] == "queue":
            if "target" not in r:
                _fail(source, p, "strategy 'queue' needs 'target' (an ACD queue)")
            layout.need(layout.queues, r["switch"], r["target"], f"{p}.target", "ACD queue")
        else:
            if "skill" not in r:
                _fail(source, p, f"strategy {r['strategy']!r} needs 'skill'")
        if r["strategy"] == "virtual_queue":
            layout.need(layout.virtual_queues, r["switch"], r.get("virtual_queue"), f"{p}.virtual_queue",
                        "virtual queue")
        if "ivr" in r and (r["switch"], r["ivr"]["queue"]) not in layout.ivr_queues:
            _fail(source, f"{p}.ivr.queue", f"no IVR serves queue {r['ivr']['queue']!r}")
        rps.append(r)
    return rps


def _agents_section(data: dict[str, Any], layout: _Layout) -> list[dict[str, Any]]:
    """[[teams]] expanded into agents, then [[agents]]; each agent checked and completed."""
    agents = _team_agents(data, layout)
    for i, a in enumerate(data.get("agents", [])):
        a = {**AGENT_DEFAULTS, **copy.deepcopy(a)}
        a["switch"] = layout.switch_of(a, f"agents[{i}]")
        a["_path"] = f"agents[{i}]"
        agents.append(a)
    ids: dict[str, str] = {}
    logins: dict[str, str] = {}
    for a in agents:
        _agent(a, ids, logins, layout)
    return agents


def _team_agents(data: dict[str, Any], layout: _Layout) -> list[dict[str, Any]]:
    agents = []
    for i, t in enumerate(data.get("teams", [])):
        base = {**AGENT_DEFAULTS, **{k: v for k, v in t.items()
                                     if k not in ("name", "count", "first_dn", "first_login", "id_prefix")}}
        base["switch"] = layout.switch_of(t, f"teams[{i}]")
        base["groups"] = [t["name"], *base["groups"]]
        prefix = t.get("id_prefix", t["name"].lower() + "_")
        for k in range(t["count"]):
            a = copy.deepcopy(base)
            a.update(id=f"{prefix}{k + 1:03d}", login=str(t["first_login"] + k), dn=str(t["first_dn"] + k))
            a["_path"] = f"teams[{i}]"
            agents.append(a)
    return agents


def _agent(a: dict[str, Any], ids: dict[str, str], logins: dict[str, str], layout: _Layout) -> None:
    """One agent: unique id and login, its DN claimed, place, queue, shift and breaks."""
    source, p = layout.source, a["_path"]
    if a["id"] in ids:
        _fail(source, f"{p}.id", f"duplicate agent id {a['id']!r}")
    ids[a["id"]] = p
    if a["login"] in logins:
        _fail(source, f"{p}.login", f"duplicate login {a['login']!r}")
    logins[a["login"]] = p
    layout.claim(a["switch"], a["dn"], f"{p}.dn")
    if "place" not in a:
        default = a["switch"] == layout.default_switch
        a["place"] = f"Place_{a['dn']}" if default else f"Place_{a['dn']}_{a['switch']}"
    if a["queue"] is not None:
        layout.need(layout.queues, a["switch"], a["queue"], f"{p}.queue", "ACD queue")
    a["shift"] = _shift(a["shift"], source, p)
    a["breaks"] = _breaks(a["breaks"], a["shift"], source, p)


def _shift(shift: dict[str, Any] | None, source: str, p: str) -> dict[str, float]:
    if shift is None:
        return {"start": 0.0, "end": float("inf")}
    s, e = parse_time(shift["start"]), parse_time(shift["end"])
    if e <= s:
        _fail(source, f"{p}.shift.end", "must be after shift.start")
    return {"start": s, "end": e}


def _breaks(breaks: list[dict[str, Any]], shift: dict[str, float], source: str, p: str) -> list[dict[str, Any]]:
    br = []
    for j, b in enumerate(breaks):
        st = parse_time(b["start"])
        if not shift["start"] <= st < shift["end"]:
            _fail(source, f"{p}.breaks[{j}].start", "must fall inside the shift")
        br.append({"start": st, "duration": float(b["duration"]), "reason": b.get("reason", "Break")})
    return sorted(br, key=lambda b: b["start"])


def _traffic_section(data: dict[str, Any], layout: _Layout, horizon: float) -> list[dict[str, Any]]:
    base_dir = Path(layout.source).resolve().parent
    traffic = [_traffic(t, i, layout, base_dir, horizon) for i, t in enumerate(data.get("traffic", []))]
    checks.check_redial_loops(traffic, layout.source)
    return traffic


def _traffic(t: dict[str, Any], i: int, layout: _Layout, base_dir: Path, horizon: float) -> dict[str, Any]:
    source = layout.source
    t = {"handle": 180.0, "patience": None, "day_cv": 0.0, "ani_prefix": "555",
         "dnis": "8005550100", "user_data": {}, "flows": {}, "redial": None, **t}
    t["switch"] = layout.switch_of(t, f"traffic[{i}]")
    p = f"traffic[{i}]"
    if ("routing_point" in t) == ("queue" in t):
        _fail(source, p, "give exactly one of 'routing_point' or 'queue'")
    if "routing_point" in t:
        layout.need(layout.routing_points, t["switch"], t["routing_point"], f"{p}.routing_point",
                    "routing point")
    if "queue" in t:
        layout.need(layout.queues, t["switch"], t["queue"], f"{p}.queue", "ACD queue")
    tq = t["flows"].get("transfer_queue")
    if tq is not None:
        layout.need(layout.queues, t["switch"], tq, f"{p}.flows.transfer_queue", "ACD queue")
    if "profile_csv" in t:
        if "profile" in t:
            _fail(source, f"{p}.profile_csv", "give either 'profile' or 'profile_csv'")
        t["profile"] = _read_profile(base_dir / t["profile_csv"], f"{source}: {p}.profile_csv")
    t.setdefault("profile", [1.0])
    t.setdefault("interval", horizon if len(t["profile"]) <= 1 else 86400.0 / len(t["profile"]))
    return t


FAULT_KINDS = ("registration_errors", "link_loss", "server_disconnect", "out_of_service", "random")


def _faults_section(data: dict[str, Any], layout: _Layout) -> dict[str, Any]:
    faults: dict[str, Any] = {**{kind: [] for kind in FAULT_KINDS}, **data.get("faults", {})}
    for kind in FAULT_KINDS:
        for i, f in enumerate(faults[kind]):
            f["switch"] = layout.switch_of(f, f"faults.{kind}[{i}]")
            if "dn" in f and (f["switch"], f["dn"]) not in layout.dns:
                _fail(layout.source, f"faults.{kind}[{i}].dn", f"unknown DN {f['dn']!r}")
            if kind == "random" and f["kind"] == "out_of_service" and "dn" not in f:
                _fail(layout.source, f"faults.{kind}[{i}]", "kind 'out_of_service' needs 'dn'")
    return faults


def _read_profile(path: Path, where: str) -> list[float]:
    try:
        with open(path, newline="") as fh:
            rows = list(csv.reader(fh))
    except OSError as exc:
        raise UserError(f"cannot read {path}: {exc.strerror}", where=where) from None
    out = []
    for n, row in enumerate(rows, 1):
        if not row or row[0].strip().startswith("#"):
            continue
        cell = row[-1].strip()
        try:
            out.append(float(cell))
        except ValueError:
            if n == 1:
                continue  # header
            raise UserError(f"{path}:{n}: not a number: {cell!r}", where=where) from None
    if not out:
        raise UserError(f"{path}: no values", where=where)
    return out


def objects_document(sc: Scenario) -> dict[str, Any]:
    """The objects.toml document (docs/reference/contracts.md §2) for this scenario."""
    doc: dict[str, Any] = {"switches": [{"name": s["name"]} for s in sc.switches], "dns": [],
                           "places": [], "agents": [], "groups": []}
    for q in sc.queues:
        doc["dns"].append({"number": q["number"], "switch": q["switch"], "type": "ACDQueue"})
    for r in sc.routing_points:
        doc["dns"].append({"number": r["number"], "switch": r["switch"], "type": "RoutingPoint"})
    for v in sc.virtual_queues:
        doc["dns"].append({"number": v["number"], "switch": v["switch"], "type": "VirtualQueue"})
    for v in sc.ivrs:
        for p in v["ports"]:
            doc["dns"].append({"number": p, "switch": v["switch"], "type": "Extension"})
    groups: dict[str, dict[str, Any]] = {}
    for a in sc.agents:
        dn_id = f"{a['dn']}@{a['switch']}"
        doc["dns"].append({"number": a["dn"], "switch": a["switch"], "type": a["dn_type"]})
        doc["places"].append({"name": a["place"], "dns": [dn_id]})
        doc["agents"].append({"id": a["id"], "login": a["login"], "place": a["place"]})
        for g in a["groups"]:
            grp = groups.setdefault(g, {"name": g, "type": "GroupAgents", "members": []})
            grp["members"].append(a["id"])
    for g in sc.groups:
        if g["name"] in groups:
            grp = groups[g["name"]]
            grp["members"].extend(m for m in g.get("members", []) if m not in grp["members"])
            if g.get("origination_dns"):
                grp["origination_dns"] = list(g["origination_dns"])
        else:
            groups[g["name"]] = {"type": "GroupAgents", "members": [], **g}
    doc["groups"] = list(groups.values())
    return doc
