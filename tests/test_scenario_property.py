"""Every scenario the published JSON Schema accepts runs to the end or is refused in one line.

Scenarios are drawn from ``sim/data/scenario.schema.json`` itself (:func:`from_schema`, a strategy
for the keywords the schema uses; hypothesis-jsonschema 0.23.1, its latest release, fails on
Hypothesis > 6.131, see docs/decisions.md): once as published, and once narrowed the way a real
scenario is written (names drawn from a few DN numbers and switches, so that references resolve and
the model runs; small horizons, rates and teams). Each goes through the loader, the work estimate
(``sim run``'s preflight) and, when small enough to run in a test, ``sim.simulation.simulate``: the
only failure allowed is a :class:`sim.errors.UserError` of one line. Derandomized, so CI sees the
same examples every run.
"""

from __future__ import annotations

import copy
import datetime as dt
import json
import math
from typing import Any

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import UserError
from sim.scenario.estimate import preflight
from sim.scenario.load import build_scenario
from sim.scenario.schema import SCHEMA_PATH


def from_schema(schema: Any) -> st.SearchStrategy:
    """Documents valid under ``schema`` (the JSON Schema keywords sim's schemas use)."""
    if schema is True or schema == {}:
        return st.none() | st.booleans() | st.integers() | st.text(max_size=4)
    if "const" in schema:
        return st.just(schema["const"])
    if "enum" in schema:
        return st.sampled_from(schema["enum"])
    if "anyOf" in schema:
        return st.one_of([from_schema(o) for o in schema["anyOf"]])
    types = schema.get("type")
    if isinstance(types, list):
        return st.one_of([from_schema({**schema, "type": t}) for t in types])
    return _TYPES[types](schema)


def _object(schema: dict) -> st.SearchStrategy:
    props = schema.get("properties", {})
    required = set(schema.get("required", ()))
    fixed = {k: from_schema(v) for k, v in props.items() if k in required}
    optional = {k: from_schema(v) for k, v in props.items() if k not in required}
    base = st.fixed_dictionaries(fixed, optional=optional)
    extra = schema.get("additionalProperties", True)
    if extra is False or props:
        return base
    return st.dictionaries(st.text(min_size=1, max_size=6), from_schema(extra), max_size=3)


def _array(schema: dict) -> st.SearchStrategy:
    lo = schema.get("minItems", 0)
    return st.lists(from_schema(schema.get("items", {})), min_size=lo, max_size=max(lo, schema.get("maxItems", 3)))


def _number(schema: dict, integer: bool = False) -> st.SearchStrategy:
    lo, hi = schema.get("minimum"), schema.get("maximum")
    low = schema.get("exclusiveMinimum", lo)
    ints = st.integers(None if low is None else math.floor(low) + 1 if "exclusiveMinimum" in schema
                       else math.ceil(low), None if hi is None else math.floor(hi))
    if integer:
        return ints
    floats = st.floats(low, hi, allow_nan=False, allow_infinity=False,
                       exclude_min="exclusiveMinimum" in schema)
    return ints | floats


def _string(schema: dict) -> st.SearchStrategy:
    if "pattern" in schema:
        return st.from_regex(schema["pattern"], fullmatch=True)
    text = st.text(min_size=schema.get("minLength", 0), max_size=8)
    if schema.get("format") == "date-time":       # (not enforced by the schema: any text passes)
        times = st.datetimes(dt.datetime(1, 1, 1), dt.datetime(9999, 12, 31), timezones=st.just(dt.UTC))
        return times.map(lambda t: t.isoformat().replace("+00:00", "Z")) | text
    return text


_TYPES = {"object": _object, "array": _array, "number": _number, "string": _string,
          "integer": lambda s: _number(s, integer=True), "boolean": lambda s: st.booleans()}


PUBLISHED = json.loads(SCHEMA_PATH.read_text())
RUN_LIMIT = 3_000          # estimated events: larger drawn scenarios are only loaded and estimated

# the names a narrowed scenario draws its references from
POOLS = {
    "switch": ["SW1", "SW2"],
    "number": ["7000", "7001", "8000", "9000"],
    "to": ["7000", "7001"], "target": ["7000", "7001"], "queue": ["7000", "7001"],
    "transfer_queue": ["7000", "7001"], "routing_point": ["8000"], "virtual_queue": ["9000"],
    "skill": ["a", "b"], "skills": ["a", "b"], "ports": ["6900"], "dn": ["6001", "6900", "7000"],
    "id": ["x1", "x2"], "login": ["901", "902"], "members": ["sales_001", "x1"],
}
# upper bounds that keep a drawn run small (the schema's own bounds stay)
CAPS = {"horizon": 900, "drain": 900, "rate": 300, "count": 4, "first_dn": 6010, "first_login": 5000,
        "at": 900, "duration": 600, "mean": 600, "value": 600, "low": 600, "high": 600, "values": 600,
        "interval": 3600, "notify_every": 3600, "attempts": 3, "seed": 1000, "after": 600}


def narrowed(schema: Any, key: str | None = None) -> Any:
    """The published schema with reference names from POOLS, numbers capped, lists short."""
    if not isinstance(schema, dict):
        return schema
    s = copy.deepcopy(schema)
    if key in POOLS:
        pool = {"enum": POOLS[key]}
        return {**s, "maxItems": 2, "items": pool} if s.get("type") == "array" else pool
    if s.get("type") == "number" and key in CAPS:
        s["maximum"] = min(s.get("maximum", CAPS[key]), CAPS[key])
    if s.get("type") == "integer" and key in CAPS:
        s["maximum"] = CAPS[key]
        s["minimum"] = max(s.get("minimum", 0), 6001 if key == "first_dn" else 0)
    if s.get("type") == "array":
        s["maxItems"] = 2
        if key == "switches":
            s["items"] = {**s["items"], "properties": {**s["items"]["properties"],
                                                       "name": {"enum": POOLS["switch"]}}}
        s["items"] = narrowed(s["items"], key if key in ("values", "profile") else None)
    if "properties" in s:
        s["properties"] = {k: v if k == "name" and key == "switches" else narrowed(v, k)
                           for k, v in s["properties"].items()}
    for choice in ("anyOf", "oneOf"):
        if choice in s:
            s[choice] = [narrowed(o, key) for o in s[choice]]
    if "additionalProperties" in s and isinstance(s["additionalProperties"], dict):
        s["additionalProperties"] = narrowed(s["additionalProperties"])
    return s


NARROW = narrowed(PUBLISHED)
SETTINGS = settings(deadline=None, derandomize=True, database=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.function_scoped_fixture, HealthCheck.filter_too_much])


def run_or_refuse(doc: dict, folder) -> str:
    """What became of the scenario: 'refused', 'estimated' (too big to run here) or 'ran'."""
    from sim.simulation import simulate

    try:
        sc = build_scenario(doc, str(folder / "scenario.toml"))
        est = preflight(sc, "run", out=str(folder), warn=False)
        if est.events > RUN_LIMIT or est.agents > 50:
            return "estimated"
        simulate(sc, str(folder / "out"), engine=True)
    except UserError as exc:
        assert "\n" not in str(exc) and str(exc).strip(), repr(str(exc))
        return "refused"
    return "ran"


@settings(SETTINGS, max_examples=15)
@given(doc=from_schema(PUBLISHED))
def test_published_schema_scenarios_run_or_are_refused(doc, tmp_path_factory):
    run_or_refuse(doc, tmp_path_factory.mktemp("s"))


def test_narrowed_schema_scenarios_run_or_are_refused(tmp_path_factory):
    """Scenarios written as a user would (see :data:`POOLS`); a good share of them load and
    run through the model and the engine, the rest are refused in one line."""
    outcomes: list[str] = []

    @settings(SETTINGS, max_examples=40)
    @given(doc=from_schema(NARROW))
    def collect(doc):
        outcomes.append(run_or_refuse(doc, tmp_path_factory.mktemp("c")))

    collect()
    print(outcomes)
    assert outcomes.count("ran") >= 5, outcomes
