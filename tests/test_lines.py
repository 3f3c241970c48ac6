"""The fast writers produce exactly the bytes of the reference serialisation (contracts 1, 3):
``LineEncoder`` = ``orjson.dumps(r.to_dict())`` per record, ``dumps_event`` = the TEvent's
``to_dict`` with the time rounded, ``round6`` = ``round(x, 6)``."""

from __future__ import annotations

import io
import math
import random
import struct
from types import MappingProxyType

import orjson
from hypothesis import given, settings
from hypothesis import strategies as st

from sim.statserver.lines import LineEncoder
from sim.statserver.records import Action, GroupStatus, Request, StatusChange
from sim.tlib.event import TEvent
from sim.tlib.rounding import round6
from sim.tlib.trace import TraceWriter, dumps_event

# a few shared objects, so that the encoder's identity caches hit and miss
T0 = 1767571200.123456
TIMES = [T0, T0 + 0.5, 1767571234.000001, 0.0, -0.0, 12, 12.0, 1e-7, 4.9e9]
texts = st.sampled_from(["a", "6001@SW1", "Place_6001", "agent1001", "é\u2028\"\\", "", "x\ny"])
objects = texts            # records are typed: object names are strings
times = st.one_of(st.sampled_from(TIMES), st.floats(min_value=0, max_value=1e10))
keys = st.sampled_from(["UserData", "ThisQueue", "Reasons", "AgentWorkMode", "dn", "time",
                        "ConnID", "kind", "x"])
values = st.one_of(st.integers(-5, 5), texts, st.none(), st.floats(allow_nan=False),
                   st.dictionaries(texts, st.integers(0, 3), max_size=2))
datas = st.one_of(st.none(), st.just({}), st.dictionaries(keys, values, max_size=3),
                  st.builds(MappingProxyType, st.dictionaries(keys, values, max_size=2)))
actions = st.builds(
    Action, times, st.sampled_from(["CallInbound", "Monitored", "é"]),
    st.sampled_from(["start", "end", "moment", "retro"]),
    st.sampled_from(["RegDN", "Place", "Agent", "Queue"]), objects, st.integers(0, 9),
    st.one_of(st.none(), texts), st.one_of(st.none(), st.sampled_from([0, 1, 2, 4])),
    st.one_of(st.none(), times, st.floats(allow_nan=False, allow_infinity=False)),
    st.one_of(st.none(), texts), datas)
statuses = st.builds(
    StatusChange, times, st.sampled_from(["RegDN", "Agent"]), texts,
    st.sampled_from(["WaitForNextCall", "LoggedOut"]), st.one_of(st.none(), texts),
    st.one_of(st.none(), st.sampled_from([0, 1, 2, 4])),
    st.one_of(st.none(), st.just({}), st.dictionaries(texts, st.integers(0, 3), max_size=2)))
groups = st.builds(GroupStatus, times, st.sampled_from(["GroupAgents", "GroupQueues"]), texts,
                   st.dictionaries(texts, st.integers(1, 3), max_size=3), texts)
requests = st.builds(Request, times, st.just("RequestQueryAddress"), texts, texts, st.integers(0, 9))
records = st.one_of(actions, statuses, groups, requests)


def _reference(recs) -> tuple[bytes, bytes, int, int, int]:
    a = [orjson.dumps(r.to_dict()) + b"\n" for r in recs if type(r) is Action]
    s = [orjson.dumps(r.to_dict()) + b"\n" for r in recs if type(r) in (StatusChange, GroupStatus)]
    return b"".join(a), b"".join(s), len(a), len(s), sum(type(r) is Request for r in recs)


def _share(recs: list) -> list:
    """Copies of neighbouring records with the same objects (what the engine emits)."""
    out = []
    for r in recs:
        out.append(r)
        if type(r) is Action:
            out.append(r._replace(object_type="Agent", object="agent1001"))
            out.append(r._replace(object_type="Agent", object="agent1001", duration=1.5))
            if r.duration is not None:    # an equal duration in another object / type
                out.append(r._replace(object="x", duration=r.duration * 1))
                out.append(r._replace(object="y", duration=float(r.duration)))
    return out


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(records, max_size=8), max_size=4))
def test_line_encoder_matches_to_dict(batches):
    enc = LineEncoder()
    for recs in batches:
        recs = _share(recs)
        a, s, na, ns, nr = enc.encode(recs)
        assert (a.encode(), s.encode(), na, ns, nr) == _reference(recs)


attrs = st.dictionaries(st.sampled_from(["ThisDN", "ConnID", "time", "seq", "event", "UserData",
                                         "CallType"]), values, max_size=4)


@settings(max_examples=300, deadline=None)
@given(times, st.sampled_from(["EventRinging", "EventLinkConnected"]), texts,
       st.one_of(st.none(), st.integers(0, 2**40)), attrs, st.booleans())
def test_dumps_event_matches_to_dict(time, name, switch, seq, a, proxy):
    ev = TEvent(time, name, switch, seq, MappingProxyType(a) if proxy else a)
    d = ev.to_dict()
    d["time"] = round(ev.time, 6)
    assert dumps_event(ev) == orjson.dumps(d)
    assert dumps_event(ev, orjson.OPT_APPEND_NEWLINE) == orjson.dumps(d) + b"\n"


def _same(a, b) -> bool:
    if isinstance(a, float) and isinstance(b, float):
        return struct.pack("<d", a) == struct.pack("<d", b) or (math.isnan(a) and math.isnan(b))
    return a == b and type(a) is type(b)


@settings(max_examples=3000, deadline=None)
@given(st.one_of(st.floats(), st.floats(min_value=0, max_value=5e9), st.integers(-10, 10**12),
                 st.integers(0, 10**12).map(lambda n: (n + 0.5) / 1e6),
                 st.tuples(st.integers(17 * 10**14, 18 * 10**14), st.integers(0, 10**11)).map(
                     lambda p: p[0] / 1e6 - (p[0] - p[1]) / 1e6)))
def test_round6_is_round(x):
    assert _same(round6(x), round(x, 6))
    for y in (math.nextafter(x, math.inf), math.nextafter(x, -math.inf)) if isinstance(x, float) else ():
        assert _same(round6(y), round(y, 6))


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(times, st.sampled_from(["EventRinging", "EventLinkConnected"]), texts,
                          st.one_of(st.none(), st.integers(0, 2**40)), attrs, st.booleans(),
                          st.booleans()), max_size=6))
def test_trace_writer_writes_dumps_event_lines(rows):
    """TraceWriter's inline lines (rounding once per time object) are dumps_event's."""
    buf = io.BytesIO()
    w = TraceWriter(buf)
    want = b""
    prev = None
    for time, name, switch, seq, a, proxy, same_time in rows:
        if same_time and prev is not None:
            time = prev           # events of one instant share one time object
        prev = time
        ev = TEvent(time, name, switch, seq, MappingProxyType(a) if proxy else a)
        w.write(ev)
        want += dumps_event(ev, orjson.OPT_APPEND_NEWLINE)
    assert buf.getvalue() == want and w.count == len(rows)


def test_round6_is_round_for_run_times():
    """Event times at today's epoch: x * 1e6 lands on quarters, a quarter of them on halves
    (the near ties round6 settles in integers); durations and small times too."""
    rng = random.Random(6)
    for _ in range(50_000):
        for x in (T0 + rng.random() * 86400 * 7, rng.random() * 3600, rng.expovariate(1 / 180)):
            assert _same(round6(x), round(x, 6)), x
