"""Writing ``events.jsonl`` (docs/reference/contracts.md §1): one JSON object per TEvent, per line.

Every TEvent of a run goes through :class:`TraceWriter`, so this module is compiled with mypyc
(setup.py) with the rest of the per-event path; :mod:`sim.tlib.trace` re-exports it next to
the reader.
"""

from __future__ import annotations

from collections.abc import Callable
from types import MappingProxyType
from typing import IO, Any, Final

import orjson

from sim.tlib.rounding import round6

_NEWLINE: Final = orjson.OPT_APPEND_NEWLINE

# A TEvent, as this module reads it: a tuple (time, event, switch, seq, attrs), items untyped
# so that compiled code takes them as they are (an int time stays an int, and is written so).
Event = tuple[Any, Any, Any, Any, Any]


def dumps_event(ev: Event, option: int = 0) -> bytes:
    """One JSONL line (without the newline, unless ``option`` asks orjson for it): the
    contract-1 object of :meth:`TEvent.to_dict`, times kept to the microsecond."""
    time, name, switch, seq, attrs = ev
    return orjson.dumps(line_dict(round6(time), name, switch, seq, attrs), option=option)


def line_dict(t: Any, name: Any, switch: Any, seq: Any, attrs: Any) -> dict[str, Any]:
    """The object of an event's line, its time ``t`` already rounded."""
    d: dict[str, Any]
    if seq is None:
        d = {"time": t, "event": name, "switch": switch}
    else:
        d = {"time": t, "event": name, "switch": switch, "seq": seq}
    if type(attrs) is MappingProxyType or type(attrs) is dict:
        # one C-level merge: ``|`` with a proxy merges the dict behind it (updating from the
        # proxy itself goes through the generic mapping protocol, several times slower)
        d = d | attrs
    elif attrs:
        d.update(attrs)
    if "time" in attrs:
        d["time"] = t
    return d


class TraceWriter:
    """Writes TEvents to a binary file incrementally, one JSON object per line.

    The lines are :func:`dumps_event`'s, rounding each time once: the events of one instant
    share one time object (``TServer.now``), so the rounded time is kept until the next
    event's time is another object."""

    def __init__(self, fh: IO[bytes]) -> None:
        self._write: Callable[[bytes], object] = fh.write
        self.count = 0
        self._time: Any = None          # the last event's time (object) and its rounding
        self._rounded: Any = None

    def write(self, ev: Event) -> None:
        time, name, switch, seq, attrs = ev
        if time is not self._time:
            self._time = time
            self._rounded = round6(time)
        self._write(orjson.dumps(line_dict(self._rounded, name, switch, seq, attrs), option=_NEWLINE))
        self.count += 1

    def __call__(self, ev: Event) -> None:
        self.write(ev)
