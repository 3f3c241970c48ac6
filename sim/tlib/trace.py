"""Streaming reader and writer for ``events.jsonl`` (docs/reference/contracts.md §1).

The reader never holds more than one line: it yields TEvents one at a time and reports each
bad line as ``FILE:LINE: reason`` through a callback, then goes on with the next line, so the
valid events around a bad one are kept. An out-of-order ``time`` or a ``seq`` that does not
increase is reported the same way, but the event is still yielded (at the previous time, so no
duration is ever negative).

The writer (:class:`TraceWriter`, :func:`dumps_event`) lives in :mod:`sim.tlib.writer`, which is
compiled with the rest of the per-event path; it is re-exported here.
"""

from __future__ import annotations

import sys
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from enum import IntEnum
from types import MappingProxyType
from typing import Any

import orjson

from sim.tlib.codes import ENUM_KEYS, EVENT_NAMES
from sim.tlib.event import TEvent
from sim.tlib.writer import TraceWriter, dumps_event  # noqa: F401 - the writing side, compiled

ENVELOPE = ("time", "event", "switch", "seq")
_new = tuple.__new__
MAX_TIME = 1e10      # year 2286: later times are typos (and would stall interval arithmetic)

STR_KEYS = frozenset("""
ThisDN ThisQueue ThisTrunk OtherDN OtherQueue OtherTrunk ThirdPartyDN ThirdPartyQueue
ThirdPartyTrunk ConnID PreviousConnID TransferConnID ConferenceConnID OriginalConnID AgentID
Place ANI DNIS CallUUID ErrorMessage ApplicationName CommunicationDN NetworkCallID Location
ServerVersion CustomerID AgentIdleReason
""".split())
INT_KEYS = frozenset("CallID ReferenceID InfoStatus NodeID ServerStartTime UserEvent".split())
KV_KEYS = frozenset("Reasons Extensions UserData".split())


@dataclass(frozen=True, slots=True)
class TraceProblem:
    """One bad or suspicious line; ``str()`` is the one-line message the user sees."""

    file: str
    line: int
    reason: str
    kept: bool = False  # True when the event was still processed (out-of-order time / seq)

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.reason}"


def _print_problem(problem: TraceProblem) -> None:
    print(problem, file=sys.stderr)


class BadLine(Exception):
    """A line that is not a valid TEvent; the message says why (contract 1)."""


def _enum_value(key: str, value: Any, enum: type[IntEnum]) -> int:
    if type(value) is int:
        return value
    if isinstance(value, str):
        try:
            return int(enum[value])
        except KeyError:
            raise BadLine(f"{key}: unknown {enum.__name__} name {value!r}") from None
    raise BadLine(f"{key}: expected an integer code or a {enum.__name__} name, got {_jtype(value)}")


def _jtype(value: Any) -> str:
    """What was found instead, in a message: a number is shown (6.5, or the float an integer
    beyond 64 bits is read as), an empty string is said to be empty."""
    if type(value) is float:
        return repr(value)
    if value == "":
        return "an empty string"
    return {dict: "an object", list: "an array", str: "a string", bool: "a boolean",
            int: "an integer", type(None): "null"}.get(type(value), "a value")


# What parse_event checks for each key, in one lookup (the first set that holds a key wins:
# envelope, string, enumeration, integer, key-value); other keys are kept as they are.
_ENVELOPE, _STR, _INT, _KV = object(), object(), object(), object()
_KIND: dict[str, Any] = {**dict.fromkeys(KV_KEYS, _KV), **dict.fromkeys(INT_KEYS, _INT), **ENUM_KEYS,
                         **dict.fromkeys(STR_KEYS, _STR), **dict.fromkeys(ENVELOPE, _ENVELOPE)}
_INF, _NINF = float("inf"), float("-inf")


def parse_event(obj: Any) -> TEvent:
    """Validate one decoded JSON value and build the TEvent; raises ``BadLine``."""
    if type(obj) is not dict:
        raise BadLine(f"not a JSON object ({_jtype(obj)})")
    try:
        time, event, switch = obj["time"], obj["event"], obj["switch"]
    except KeyError as exc:
        raise BadLine(f"missing key {exc.args[0]!r}") from None
    if type(time) not in (int, float) or time != time or time == _INF or time == _NINF:
        raise BadLine(f"time: expected a number of seconds, got {_jtype(time)}")
    if not 0 <= time < MAX_TIME:
        raise BadLine(f"time: {time} is not between 0 and {MAX_TIME:.0e} seconds since the Unix epoch")
    if type(event) is not str or not event:
        raise BadLine(f"event: expected a message name, got {_jtype(event)}")
    if event not in EVENT_NAMES:
        raise BadLine(f"event: unknown T-Library event {event!r}")
    if type(switch) is not str or not switch:
        raise BadLine(f"switch: expected a switch name, got {_jtype(switch)}")
    seq = obj.get("seq")
    if seq is not None and type(seq) is not int:
        raise BadLine(f"seq: expected an integer, got {_jtype(seq)}")
    attrs = {}
    for key, value in obj.items():
        kind = _KIND.get(key)      # None: an attribute without a check, kept as it is
        if kind is _ENVELOPE:
            continue
        if kind is _STR:
            if type(value) is not str:
                raise BadLine(f"{key}: expected a string, got {_jtype(value)}")
        elif kind is _INT:
            if type(value) is not int:
                raise BadLine(f"{key}: expected an integer, got {_jtype(value)}")
        elif kind is _KV:
            if type(value) is not dict:
                raise BadLine(f"{key}: expected a key-value object, got {_jtype(value)}")
        elif kind is not None and type(value) is not int:     # an enumeration
            value = _enum_value(key, value, kind)
        attrs[key] = value
    return _new(TEvent, (float(time), event, switch, seq, MappingProxyType(attrs)))


def read_events(
    lines: Iterable[bytes | str],
    name: str = "<trace>",
    on_problem: Callable[[TraceProblem], None] = _print_problem,
) -> Iterator[TEvent]:
    """Yield the valid TEvents of ``lines``, reporting bad ones through ``on_problem``."""
    for _, ev in read_numbered(lines, name, on_problem):
        yield ev


def read_numbered(
    lines: Iterable[bytes | str],
    name: str = "<trace>",
    on_problem: Callable[[TraceProblem], None] = _print_problem,
) -> Iterator[tuple[int, TEvent]]:
    """As :func:`read_events`, yielding ``(line number, TEvent)`` pairs."""
    last_time: dict[str, float] = {}
    last_seq: dict[str, int] = {}
    for lineno, line in enumerate(lines, 1):
        if not line or line.isspace():     # (strip() would copy every line)
            continue
        try:
            ev = parse_event(orjson.loads(line))
        except orjson.JSONDecodeError as exc:
            on_problem(TraceProblem(name, lineno, f"not valid JSON ({exc.args[0].split(':')[0]})"))
            continue
        except BadLine as exc:
            on_problem(TraceProblem(name, lineno, str(exc)))
            continue
        sw = ev.switch
        prev = last_time.get(sw)
        if prev is not None and ev.time < prev:
            on_problem(TraceProblem(
                name, lineno, f"time {ev.time:.6f} is earlier than the previous event of switch "
                f"{sw!r} ({prev:.6f}); processed at {prev:.6f}", kept=True))
            ev = ev._replace(time=prev)
        last_time[sw] = ev.time
        if ev.seq is not None:
            pseq = last_seq.get(sw)
            if pseq is not None and ev.seq <= pseq:
                on_problem(TraceProblem(
                    name, lineno, f"seq {ev.seq} does not increase (previous {pseq} on switch "
                    f"{sw!r}); processed", kept=True))
            else:
                last_seq[sw] = ev.seq
        yield lineno, ev


def open_trace(path: str, on_problem: Callable[[TraceProblem], None] = _print_problem) -> Iterator[TEvent]:
    """Stream the TEvents of a trace file (see :func:`read_events`)."""
    with open(path, "rb") as fh:
        yield from read_events(fh, path, on_problem)


def write_events(path: str, events: Iterable[TEvent]) -> int:
    with open(path, "wb") as fh:
        w = TraceWriter(fh)
        for ev in events:
            w.write(ev)
        return w.count
