"""Fuzzing the user-facing readers (issue 9 point 3): no input raises an unhandled exception.

Inputs: random bytes, malformed JSON, wrong types, unknown events and attributes, out-of-order
times, duplicated or missing sequence numbers, unknown DNs, huge values and invalid UTF-8.

* Trace reader (docs/reference/contracts.md §1): every bad line is one reported ``FILE:LINE: reason``
  problem, every line is either yielded or reported, times never go backwards per switch, and
  the untouched valid lines around bad ones are all yielded.
* Replay path (``sim replay``: reader -> ActionEngine -> pipeline, with and without the
  statistics stage): an ``EngineInputError`` is a reported problem, anything else is a bug;
  the untouched events are all processed.
* objects.toml (contract 2), scenario TOML and stat type INI (docs/reference/stat-types.md §10) loaders: the
  outcome is a result or a :class:`sim.errors.UserError` whose message is one line naming the
  file.

Coverage-guided fuzzing of the same targets: ``bench/fuzz_atheris.py`` (not run in CI).
"""

from __future__ import annotations

import copy
import io
import json
import tomllib
from pathlib import Path

import orjson
import pytest
import tomli_w
from conftest import OBJECTS, objects
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from sim.errors import UserError
from sim.objects import build_objects, load_objects
from sim.pipeline import Pipeline
from sim.scenario.load import build_scenario, load_scenario
from sim.simulation import replay_file
from sim.statserver.stats.definitions import parse_stattypes
from sim.tlib import flows
from sim.tlib.codes import ENUM_KEYS, EVENT_NAMES
from sim.tlib.flows import FlowBuilder
from sim.tlib.trace import dumps_event, read_numbered

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))
STATTYPES_TEXT = (ROOT / "sim" / "data" / "stattypes.ini").read_text(encoding="utf-8")

FUZZ = settings(max_examples=500, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture,
                                       HealthCheck.data_too_large])


# --------------------------------------------------------------------------- the base trace
def _base_trace() -> list[bytes]:
    """A valid trace of the §9 flows on the conftest objects: connection, login, inbound via a
    queue, abandon, hold, transfer, conference, link loss, outbound, client disconnect."""
    f = FlowBuilder(step=0.5)
    flows.standard_connect(f)
    flows.login_session(f)
    flows.inbound_via_queue(f)
    flows.abandon_in_queue(f)
    flows.hold_retrieve(f)
    flows.two_step_transfer(f)
    flows.conference(f)
    flows.link_loss(f)
    flows.outbound(f)
    flows.client_disconnect(f, {"6001": flows.IDLE, "6002": flows.IDLE, "7000": {}, "8000": {}})
    return [dumps_event(e) for e in f.events]


BASE = _base_trace()
BASE_DICTS = [orjson.loads(line) for line in BASE]
KEYS = sorted({k for d in BASE_DICTS for k in d} | set(ENUM_KEYS) | {"Foo", "AttributeThisDN", ""})
EVENTS = sorted(EVENT_NAMES)

HUGE_INTS = [2**63 - 1, -(2**63), 2**64, 10**30, -1, 0]
HUGE_FLOATS = [1e308, -1e308, 1.7976931348623157e308, 5e-324, 1e16, -0.0]
json_scalars = (st.none() | st.booleans() | st.sampled_from(HUGE_INTS) | st.integers()
                | st.sampled_from(HUGE_FLOATS) | st.floats(allow_nan=False, allow_infinity=False)
                | st.text(max_size=12) | st.sampled_from(EVENTS + ["6001", "9999", "7000", "SW1", "SW9",
                                                                   "Inbound", "NoSuchName"]))
json_values = st.recursive(json_scalars, lambda c: st.lists(c, max_size=3)
                           | st.dictionaries(st.text(max_size=8) | st.sampled_from(KEYS), c, max_size=3),
                           max_leaves=8)


def _dumps(value) -> bytes:
    """JSON text for any drawn value; integers beyond 64 bits go through the json module."""
    try:
        return orjson.dumps(value)
    except TypeError:
        return json.dumps(value).encode()


# One mutation of the line list: (operation, position, argument).
mutation = st.tuples(
    st.sampled_from(["delete", "duplicate", "swap", "set", "set", "set", "event", "time", "seq",
                     "truncate", "garbage", "utf8", "unknown_dn", "drop_key"]),
    st.integers(0, 10_000), st.integers(0, 10_000), json_values)


def _mutate(lines: list[bytes], muts, *, bounded_times: bool) -> tuple[list[bytes], set[int]]:
    """Apply the mutations; return the new lines and the indexes of the untouched base lines."""
    lines = list(lines)
    origin: list[int | None] = list(range(len(lines)))   # base index of each line, or None
    for op, i, j, value in muts:
        if not lines:
            break
        i %= len(lines)
        j %= len(lines)
        if op == "delete":
            del lines[i], origin[i]
        elif op == "duplicate":
            lines.insert(i, lines[j])      # a duplicated seq, or a time step back
            origin.insert(i, None)
        elif op == "swap":
            lines[i], lines[j] = lines[j], lines[i]
            origin[i] = origin[j] = None
        elif op == "truncate":
            lines[i] = lines[i][: j % (len(lines[i]) + 1)]
            origin[i] = None
        elif op == "garbage":
            lines.insert(i, _dumps(value))
            origin.insert(i, None)
        elif op == "utf8":
            lines[i] = lines[i].replace(b'"', b'"\xff\xfe', 1)
            origin[i] = None
        else:
            try:
                d = orjson.loads(lines[i])
            except orjson.JSONDecodeError:
                continue
            if type(d) is not dict:
                continue
            if op == "set":
                d[KEYS[j % len(KEYS)]] = value
            elif op == "event":
                d["event"] = EVENTS[j % len(EVENTS)]
            elif op == "time":
                t = d.get("time")
                numeric = isinstance(t, int | float) and not isinstance(t, bool)
                d["time"] = t + (j % 200) - 100 if bounded_times and numeric else value
            elif op == "seq":
                d["seq"] = (d.get("seq") or 0) + (j % 5) - 2 if j % 7 else value
            elif op == "unknown_dn":
                d["ThisDN"] = "9999"
            elif op == "drop_key" and d:
                del d[sorted(d)[j % len(d)]]
            lines[i] = _dumps(d).replace(b"\n", b" ")
            origin[i] = None
    if bounded_times:
        lines = [_clamp_time(line) for line in lines]
    untouched = {k for k, o in enumerate(origin) if o is not None}
    return lines, untouched


def _clamp_time(line: bytes) -> bytes:
    """Bring a numeric ``time`` more than 10^6 s away from the trace back to its start."""
    try:
        d = orjson.loads(line)
    except orjson.JSONDecodeError:
        return line
    if type(d) is not dict:
        return line
    t = d.get("time")
    if type(t) in (int, float) and not abs(t - BASE_DICTS[0]["time"]) < 10**6:
        d["time"] = BASE_DICTS[0]["time"]
        return _dumps(d)
    return line


def _write(tmp_path: Path, lines: list[bytes]) -> str:
    path = tmp_path / "events.jsonl"
    path.write_bytes(b"".join(line.replace(b"\n", b" ") + b"\n" for line in lines))
    return str(path)


# --------------------------------------------------------------------------- trace reader
@FUZZ
@given(st.lists(st.binary(max_size=60), max_size=20))
def test_reader_random_bytes(chunks):
    """Random bytes: every non-blank line is yielded or reported as FILE:LINE (contract 1)."""
    lines = [c.replace(b"\n", b" ").replace(b"\r", b" ") + b"\n" for c in chunks]
    problems = []
    got = list(read_numbered(lines, "t.jsonl", problems.append))
    rejected = [p for p in problems if not p.kept]
    assert len(got) + len(rejected) == sum(1 for x in lines if x.strip())
    assert all(str(p).startswith(f"t.jsonl:{p.line}: ") and "\n" not in str(p) for p in problems)


@FUZZ
@given(st.lists(json_values, max_size=12), st.lists(st.integers(0, 10_000), max_size=12))
def test_reader_wrong_types_among_valid_lines(values, positions):
    """Random JSON values (wrong types, unknown events and attributes, huge numbers) inserted
    among the valid lines: the valid lines are all yielded, times never go backwards per switch."""
    lines = list(BASE[:30])
    origin = list(range(len(lines)))
    for v, pos in zip(values, positions + [0] * len(values), strict=False):
        k = pos % (len(lines) + 1)
        lines.insert(k, _dumps(v))
        origin.insert(k, None)
    problems = []
    got = list(read_numbered(lines, "t.jsonl", problems.append))
    yielded = {n for n, _ in got}
    untouched = {k + 1 for k, o in enumerate(origin) if o is not None}
    assert untouched <= yielded
    assert all("\n" not in str(p) for p in problems)
    last: dict[str, float] = {}
    for _, ev in got:
        assert ev.time >= last.get(ev.switch, float("-inf"))
        last[ev.switch] = ev.time


@FUZZ
@given(st.lists(mutation, min_size=1, max_size=8))
def test_reader_mutated_trace(muts):
    """Mutations of a real trace (deleted, duplicated, swapped, truncated lines, wrong values,
    out-of-order times, duplicated or missing seq, invalid UTF-8): untouched lines are yielded."""
    lines, untouched = _mutate(BASE, muts, bounded_times=False)
    problems = []
    got = list(read_numbered(lines, "t.jsonl", problems.append))
    assert {k + 1 for k in untouched} <= {n for n, _ in got}
    assert len(got) + sum(1 for p in problems if not p.kept) == len(lines) - sum(
        1 for x in lines if not x.strip())


# --------------------------------------------------------------------------- replay path
def _replay(tmp_path: Path, lines: list[bytes], *, with_stats: bool):
    path = _write(tmp_path, lines)
    err = io.StringIO()
    problems = replay_file(path, _OBJECTS, str(tmp_path / "out"), with_stats=with_stats,
                           Pipeline=Pipeline, err=err)
    out = err.getvalue().split("\n")     # terminal lines: a problem is exactly one
    assert out[-1] == ""
    reported, summary = out[:-2], out[-2]
    assert summary.startswith("sim replay: ")
    assert len(reported) == problems
    for line in reported:
        assert line.startswith(f"{path}:"), line
        assert line.split(":", 2)[1].isdigit(), line
        assert not any(ord(c) < 32 or 127 <= ord(c) < 160 for c in line), repr(line)  # no raw controls
    return summary


_OBJECTS = objects()


@settings(FUZZ, max_examples=600)
@given(st.lists(mutation, min_size=1, max_size=8))
def test_replay_mutated_trace(tmp_path_factory, muts):
    """reader -> ActionEngine -> records: only reported problems, never an exception; huge and
    out-of-order times included (statistics stage off: see test_replay_with_statistics)."""
    lines, untouched = _mutate(BASE, muts, bounded_times=False)
    summary = _replay(tmp_path_factory.mktemp("r"), lines, with_stats=False)
    events = int(summary.split()[2])
    assert events >= len(untouched)


@settings(FUZZ, max_examples=100)
@given(st.lists(mutation, min_size=1, max_size=8))
def test_replay_with_statistics(tmp_path_factory, muts):
    """The same with the statistics stage (stats.csv), times kept within 10^6 s of the trace
    (a jump of years makes the stage write one notification per 900 s across it: docs/decisions.md, Hardening)."""
    lines, untouched = _mutate(BASE, muts, bounded_times=True)
    summary = _replay(tmp_path_factory.mktemp("s"), lines, with_stats=True)
    assert int(summary.split()[2]) >= len(untouched)


# --------------------------------------------------------------------------- objects.toml
def _paths(doc, prefix=()):
    """Every key path of a nested document."""
    yield prefix
    if isinstance(doc, dict):
        for k, v in doc.items():
            yield from _paths(v, (*prefix, k))
    elif isinstance(doc, list):
        for i, v in enumerate(doc):
            yield from _paths(v, (*prefix, i))


def _apply(doc, edits):
    """Replace / delete / duplicate at drawn key paths of a copy of ``doc``."""
    doc = copy.deepcopy(doc)
    for how, k, value in edits:
        paths = [p for p in _paths(doc) if p]
        if not paths:
            break
        path = paths[k % len(paths)]
        parent = doc
        for p in path[:-1]:
            parent = parent[p]
        last = path[-1]
        if how == "set":
            parent[last] = value
        elif how == "delete":
            del parent[last]
        elif how == "duplicate" and isinstance(parent, list):
            parent.append(copy.deepcopy(parent[last]))
        elif how == "rename" and isinstance(parent, dict) and isinstance(value, str):
            parent[value] = parent.pop(last)
    return doc


toml_scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.sampled_from(HUGE_INTS[:2])
                | st.floats(allow_nan=True) | st.text(max_size=10)
                | st.sampled_from(["SW1", "6001@SW1", "7000@SW1", "Extension", "ACDQueue",
                                   "GroupQueues", "agent1001", "Place_6001", "", "x\ny"]))
toml_values = st.recursive(toml_scalars, lambda c: st.lists(c, max_size=3)
                           | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6)
edit = st.tuples(st.sampled_from(["set", "set", "delete", "duplicate", "rename"]),
                 st.integers(0, 10_000), toml_values)


def _one_line_error(exc: UserError, source: str) -> None:
    msg = str(exc)
    assert "\n" not in msg and msg.startswith(source), msg


@FUZZ
@given(st.lists(edit, min_size=1, max_size=5))
def test_build_objects_mutated(edits):
    """objects.toml documents with wrong types, missing and unknown keys, duplicates, unknown
    references: a built configuration or one UserError line naming the file."""
    doc = _apply(OBJECTS, edits)
    try:
        build_objects(doc, "objects.toml")
    except UserError as exc:
        _one_line_error(exc, "objects.toml: ")


@pytest.mark.parametrize("load, name", [(load_objects, "objects.toml"), (load_scenario, "scenario.toml")])
@settings(FUZZ, max_examples=150)
@given(st.binary(max_size=200) | st.text(max_size=200).map(str.encode))
def test_load_random_bytes(tmp_path_factory, load, name, data):
    """Random bytes as objects.toml or a scenario (invalid TOML, invalid UTF-8)."""
    path = tmp_path_factory.mktemp("f") / name
    path.write_bytes(data)
    try:
        load(str(path))
    except UserError as exc:
        _one_line_error(exc, str(path))


# --------------------------------------------------------------------------- scenario TOML
SCENARIO_DOCS = [tomllib.loads(p.read_text()) for p in SCENARIOS if p.stem != "large_day"]
scenario_scalars = (st.booleans() | st.integers(-(2**63), 2**63 - 1) | st.floats(allow_nan=True)
                    | st.text(max_size=10)
                    | st.sampled_from(["SW1", "SW2", "7000", "8000", "6001", "sales", "07:00", "99:99",
                                       "25:00:61", "exponential", "queue", "2026-13-01T00:00:00Z", ""]))
scenario_values = st.recursive(scenario_scalars, lambda c: st.lists(c, max_size=3)
                               | st.dictionaries(st.text(max_size=6), c, max_size=3), max_leaves=6)


def _cap(doc):
    """Keep team sizes small so a drawn count does not build millions of agents (the loader
    has no upper bound on ``teams[].count``: reported in docs/decisions.md, Hardening)."""
    for t in doc.get("teams", []) if isinstance(doc, dict) and isinstance(doc.get("teams"), list) else []:
        if isinstance(t, dict) and isinstance(t.get("count"), int) and not isinstance(t["count"], bool):
            t["count"] = t["count"] % 50
    return doc


@settings(FUZZ, max_examples=400)
@given(st.integers(0, len(SCENARIO_DOCS) - 1),
       st.lists(st.tuples(st.sampled_from(["set", "set", "delete", "duplicate", "rename"]),
                          st.integers(0, 10_000), scenario_values), min_size=1, max_size=4))
def test_build_scenario_mutated(which, edits):
    """Shipped scenarios with wrong types, bad times, unknown references, duplicates."""
    doc = _cap(_apply(SCENARIO_DOCS[which], edits))
    try:
        build_scenario(doc, str(SCENARIOS[which]))
    except UserError as exc:
        _one_line_error(exc, str(SCENARIOS[which]))


@settings(FUZZ, max_examples=200)
@given(st.lists(st.text(max_size=30) | st.sampled_from([
    "run.horizon=0", "run.horizon=-1", "run.seed=x", "teams[0].count=3", "teams[9].count=3",
    "teams[0]=1", "run=3", "queues[0].skill.x=1", "run.horizon", "=", "a..b=1", "faults.random[0].rate=1",
    "traffic[0].rate=[1,2]", "switches=[]", "run.epoch=yesterday", "teams[0].shift.end=\"01:00\""]),
    max_size=4))
def test_set_overrides(sets):
    """``--set`` overrides: any text is a scenario or one UserError line."""
    doc = SCENARIO_DOCS[0]
    try:
        build_scenario(copy.deepcopy(doc), "s.toml", sets)
    except UserError as exc:
        msg = str(exc)
        assert "\n" not in msg and (msg.startswith("s.toml: ") or msg.startswith("--set: ")), msg


def test_scenario_round_trips_through_toml():
    """The mutation base is what the files say (the fuzz edits start from valid documents)."""
    for doc, p in zip(SCENARIO_DOCS, [p for p in SCENARIOS if p.stem != "large_day"], strict=True):
        assert tomllib.loads(tomli_w.dumps(doc)) == doc
        build_scenario(copy.deepcopy(doc), str(p))


# --------------------------------------------------------------------------- stat type INI
INI_LINES = STATTYPES_TEXT.splitlines()
INI_TOKENS = sorted({tok for line in INI_LINES if "=" in line and not line.startswith(";")
                     for tok in line.split("=", 1)[1].replace(",", " ").split()})
ini_line = (st.sampled_from(INI_LINES) | st.text(max_size=30)
            | st.builds(lambda k, v: f"{k} = {v}", st.sampled_from(
                ["Category", "MainMask", "RelMask", "Subject", "Objects", "Filter", "TimeProfiles",
                 "TimeRange", "Formula", "MediaType", "AverageTimeBase", "Confidence", "Foo"]),
                st.lists(st.sampled_from(INI_TOKENS) | st.text(max_size=8), max_size=4).map(", ".join))
            | st.sampled_from(["[X]", "[TimeProfiles]", "[TimeRanges]", "[Filters]", "[X", "= 1",
                               "A,Growing = 0:00+0:15", "R = 0-20", "F = CallType = 2 &", "\x00"]))


@settings(FUZZ, max_examples=500)
@given(st.lists(st.tuples(st.integers(0, 10_000), ini_line, st.booleans()), min_size=1, max_size=6))
def test_parse_stattypes_mutated(edits):
    """The shipped library with lines replaced or inserted (unknown options, bad masks, bad
    profiles, ranges, filters and formulas, duplicate sections, syntax errors)."""
    lines = list(INI_LINES)
    for pos, line, replace in edits:
        k = pos % len(lines)
        if replace:
            lines[k] = line
        else:
            lines.insert(k, line)
    try:
        parse_stattypes("\n".join(lines), "types.ini")
    except UserError as exc:
        _one_line_error(exc, "types.ini")


@settings(FUZZ, max_examples=200)
@given(st.text(max_size=300))
def test_parse_stattypes_random_text(text):
    try:
        parse_stattypes(text, "types.ini")
    except UserError as exc:
        _one_line_error(exc, "types.ini")


@pytest.mark.parametrize("data", [b"\xff\xfe[A]\n", b"[A]\nCategory = \xc3\x28\n"])
def test_load_stattypes_invalid_utf8(tmp_path, data):
    from sim.statserver.stats.definitions import load_stattypes
    p = tmp_path / "t.ini"
    p.write_bytes(data)
    with pytest.raises(UserError) as exc:
        load_stattypes(str(p))
    _one_line_error(exc.value, str(p))


def test_load_scenario_invalid_utf8(tmp_path):
    path = tmp_path / "scenario.toml"
    path.write_bytes(b'[[switches]]\nname = "\xff"\n')
    with pytest.raises(UserError) as exc:
        load_scenario(str(path))
    _one_line_error(exc.value, str(path))
