"""Scenario files: loading, validation with key paths, --set overrides, the published schema."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from sim.errors import UserError
from sim.scenario.load import apply_overrides, build_scenario, load_scenario
from sim.scenario.schema import SCHEMA, SCHEMA_PATH

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = sorted((ROOT / "scenarios").glob("*.toml"))

BASE = {
    "switches": [{"name": "SW1"}],
    "queues": [{"number": "7000", "skill": "s"}],
    "agents": [{"id": f"a{i}", "login": str(1000 + i), "dn": str(6000 + i), "skills": ["s"],
                "queue": "7000"} for i in range(5)],
    "traffic": [{"name": "t", "queue": "7000", "rate": 10}],
}


def test_shipped_scenarios_load():
    names = {p.stem for p in SHIPPED}
    assert {"quickstart", "inbound_day", "blended", "faults", "erlang_a"} <= names
    for p in SHIPPED:
        sc = load_scenario(str(p))
        assert sc.objects().dns


def test_published_schema_is_current():
    """The JSON Schema for editors is the schema the loader validates with."""
    assert json.loads(SCHEMA_PATH.read_text()) == SCHEMA


@pytest.mark.parametrize("path, value, message", [
    ("agents[3].shift", {"start": "8am", "end": 100}, "agents[3].shift.start"),
    ("agents[3].shift", {"start": 200, "end": 100}, "agents[3].shift.end"),
    ("traffic[0].rate", -1, "traffic[0].rate"),
    ("traffic[0].handle", {"dist": "lognormal", "mean": 10}, "traffic[0].handle"),
    ("queues[0].overflow", {"after": 10, "to": "7999"}, "queues[0].overflow.to"),
    ("agents[2].queue", "7999", "agents[2].queue"),
    ("agents[4].dn", "6000", "agents[4].dn"),
])
def test_errors_name_the_key_path(path, value, message):
    data = apply_overrides(BASE, [])
    node = data
    parts = path.replace("[", ".").replace("]", "").split(".")
    for p in parts[:-1]:
        node = node[int(p)] if p.isdigit() else node[p]
    node[parts[-1]] = value
    with pytest.raises(UserError) as exc:
        build_scenario(data, "x.toml")
    assert str(exc.value).startswith(f"x.toml: {message}:"), str(exc.value)


@pytest.mark.parametrize("value, message", [
    # the form the value was written in is the one reported on (sim/schema_errors.py)
    ({"dist": "weibull", "mean": 180},
     "traffic[0].handle.dist: 'weibull' is not one of ['constant', 'exponential', 'lognormal', 'gamma', "
     "'uniform', 'empirical']"),
    ({"dist": "lognormal", "mean": 100}, "traffic[0].handle: 'sd' is a required property"),
    ({"mean": 100}, "traffic[0].handle: 'dist' is a required property"),
    ({"dist": "gamma", "mean": -1}, "traffic[0].handle.mean: -1 is less than or equal to the minimum of 0"),
    ({"dist": "gamma", "mean": 9, "cv": 1},
     "traffic[0].handle: Additional properties are not allowed ('cv' was unexpected)"),
    (-5, "traffic[0].handle: -5 is less than the minimum of 0"),
    ("180s", "traffic[0].handle: '180s' is not a constant number of seconds, or a distribution table"),
    ([1, 2], "traffic[0].handle: [1, 2] is not a constant number of seconds, or a distribution table"),
])
def test_a_distribution_error_speaks_of_the_form_it_was_written_in(value, message):
    data = apply_overrides(BASE, [])
    data["traffic"][0]["handle"] = value
    with pytest.raises(UserError) as exc:
        build_scenario(data, "x.toml")
    assert str(exc.value) == f"x.toml: {message}"


@pytest.mark.parametrize("value, message", [
    ("8am", "'8am' is not a time of day, \"HH:MM\" or \"HH:MM:SS\""),
    (-3, "-3 is less than the minimum of 0"),
    ({"h": 8}, "{'h': 8} is not seconds from the start of the day, or \"HH:MM[:SS]\""),
])
def test_a_time_of_day_error_says_how_to_write_one(value, message):
    data = apply_overrides(BASE, [])
    data["agents"][0]["shift"] = {"start": value, "end": "16:00"}
    with pytest.raises(UserError) as exc:
        build_scenario(data, "x.toml")
    assert str(exc.value) == f"x.toml: agents[0].shift.start: {message}"


def test_unknown_key_is_reported_with_its_table():
    data = apply_overrides(BASE, ["agents[1].skils=['s']"])
    with pytest.raises(UserError, match=r"x.toml: agents\[1\]: .*skils"):
        build_scenario(data, "x.toml")


def test_set_overrides_any_key():
    sc = build_scenario(BASE, "x.toml", ["run.horizon=7200", "agents[0].shift.start='08:00'",
                                         "agents[0].shift.end=36000", "traffic[0].patience.dist=exponential",
                                         "traffic[0].patience.mean=30", "switches[0].login_ready=true"])
    assert sc.run["horizon"] == 7200
    assert sc.agents[0]["shift"] == {"start": 8 * 3600.0, "end": 36000.0}
    assert sc.traffic[0]["patience"] == {"dist": "exponential", "mean": 30}
    assert sc.switches[0]["login_ready"] is True


def test_set_errors_are_user_errors():
    with pytest.raises(UserError, match="--set"):
        build_scenario(BASE, "x.toml", ["agents[9].dn=1"])
    with pytest.raises(UserError, match="--set"):
        build_scenario(BASE, "x.toml", ["novalue"])


def test_teams_expand_and_objects_follow_contract_2():
    sc = load_scenario(str(ROOT / "scenarios" / "blended.toml"))
    objs = sc.objects()
    assert "sales_001" in objs.agents and objs.agents["sales_001"].logins == ("1001",)
    assert objs.dns["6001@SW1"].place == "Place_6001"
    assert objs.dns["7000@SW1"].type == "ACDQueue"
    assert objs.dns["VQ_Sales@SW1"].type == "VirtualQueue"
    assert "sales_001" in objs.groups["Sales"].members


def test_profile_csv_is_read(tmp_path):
    (tmp_path / "p.csv").write_text("interval,volume\n0,1\n1,2.5\n")
    data = apply_overrides(BASE, [])
    data["traffic"][0]["profile_csv"] = "p.csv"
    data["traffic"][0]["interval"] = 1800
    sc = build_scenario(data, str(tmp_path / "s.toml"))
    assert sc.traffic[0]["profile"] == [1.0, 2.5]


def test_bad_toml_is_one_line(tmp_path):
    p = tmp_path / "bad.toml"
    p.write_text("[run\n")
    with pytest.raises(UserError, match="invalid TOML"):
        load_scenario(str(p))


def test_the_schema_error_explainer_reads_any_schema():
    """sim/schema_errors.py on shapes the shipped schemas do not use (boolean schemas, oneOf,
    untyped alternatives): a message, never an exception of its own."""
    from sim.schema_errors import check

    schema = {"type": "object", "properties": {
        "a": {"oneOf": [False, {"type": "object", "properties": {"k": True}}]},
        "b": {"anyOf": [{"const": 1}, {"const": 2}], "description": "one or two"},
        "c": {"anyOf": [{"type": "integer"}, {"type": ["string", "null"], "minLength": 2}]},
    }}
    cases = [({"a": 3}, "x: a: 3 is not of type 'object'"),
             ({"b": 5}, "x: b: 5 is not one of [1, 2]"),
             ({"c": "z"}, "x: c: 'z' is too short"),
             ({"c": 1.5}, "x: c: 1.5 is not of type 'integer' or 'string' or 'null'")]
    for doc, message in cases:
        with pytest.raises(UserError) as exc:
            check(schema, doc, "x")
        assert str(exc.value) == message
