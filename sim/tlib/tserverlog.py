"""T-Server log text: TEvents written and read the way a T-Server log prints them.

A T-Server log shows each event it sends as a ``message <EventName>`` line followed by one
tab-indented ``Attribute<Name> TAB <value>`` line per attribute (docs/reference/tevents.md §4.1,
§11.1; tabs shown as spaces)::

    message EventRinging
        AttributeEventSequenceNumber    00000000000012af
        AttributeTimeinuSecs    412000
        AttributeTimeinSecs    1700000123
        AttributeThisDN    '6001'
        AttributeCallType    2
        AttributeConnID    006c02462a161006
        AttributeUserData    [1]
            'CustomerSegment'    'gold'

:func:`render_event` / :func:`write_log` produce this text from TEvents and
:func:`read_log` turns such text (ours, or excerpts of real T-Server and router logs) back
into TEvents, so that traces taken from real logs can be replayed through the engine.

Rendering (chosen so that render -> read gives back the same TEvent, time to the microsecond):

* ``seq`` is ``AttributeEventSequenceNumber`` as 16 hex digits (no line when the event has no
  seq, e.g. the client-library events EventServerConnected / EventServerDisconnected);
  ``time`` is ``AttributeTimeinSecs`` / ``AttributeTimeinuSecs``.
* Attribute names are the trace keys with the ``Attribute`` prefix, except ``Reasons``,
  ``InfoType`` and ``InfoStatus``, printed ``AttributeReason``, ``AttributeAddressInfoType`` and
  ``AttributeAddressInfoStatus`` (§4.1, §4.2). Attribute order is the event's own.
* Strings are in single quotes, integers (enumerations too) are decimal, ConnID-like values
  (ConnID, PreviousConnID, TransferConnID, ConferenceConnID, OriginalConnID) are bare hex.
* KV lists (UserData, Extensions, Reasons, and any other object) print a header ``[N]`` (N =
  number of pairs; real logs print the encoded length and a hex dump there, which the reader
  skips) and then one ``'key' TAB value`` line per pair, one tab deeper. Inside a KV list a string
  value is quoted and an integer is bare, as real logs print them, so ``'AgentStatus' TAB 2`` comes
  back as the integer 2 and ``'conn-1' TAB '006c02462a161006'`` as a string; a nested KV list is a
  header again, one level deeper. Floats (not a T-Library type) are written bare with a
  decimal point or exponent and read back as floats; booleans, null and arrays cannot be
  written (``ValueError``).
* Characters that would break the line structure (control characters, tab, newline) are written
  as ``\\xHH`` inside quotes; a backslash that starts such a sequence is written ``\\x5c``.
  Single quotes need no escaping: a quoted value runs to the last quote of its line.
* The switch is not part of T-Server's per-event text (one log per T-Server). :func:`write_log`
  writes a comment line ``# switch: NAME`` before the first event and whenever the switch
  changes; the reader takes the switch from those lines, else from ``switch=`` (``sim import-log
  --switch``).

Reading (:func:`read_log`, re-exported from :mod:`sim.tlib.logforms`) accepts this text and
the forms of real logs: T-Server / SIP Server logs as written, router (URS) logs and Platform
SDK client logs, one small reader per form (docs/formats.md, the import-log section).
"""

from __future__ import annotations

import math
import re
from collections.abc import Iterable, Mapping
from typing import IO, Any

from sim.tlib.event import TEvent
from sim.tlib.logforms.common import (  # noqa: F401 - the names, shared with the readers
    CONNID_KEYS,
    LOG_NAMES,
    SECS_ATTR,
    SEQ_ATTR,
    SWITCH_COMMENT,
    TRACE_KEYS,
    USECS_ATTR,
)
from sim.tlib.logforms.common import HEX as _HEX
from sim.tlib.logforms.reader import read_log  # noqa: F401 - reading lives with the log forms

HEADER = "# sim T-Server log text (docs/reference/tevents.md §11.1); one '# switch:' line per switch change"

# --- escaping --------------------------------------------------------------------------------------
_NEEDS_ESC = re.compile(r"[\x00-\x1f\x7f]|\\(?=x[0-9a-fA-F]{2})")


def _escape(s: str) -> str:
    return _NEEDS_ESC.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def _quote(s: str) -> str:
    return f"'{_escape(s)}'"


# --- rendering -------------------------------------------------------------------------------------
def _scalar(key: str, value: Any) -> str:
    if type(value) is str:
        return value if key in CONNID_KEYS and _HEX.fullmatch(value) else _quote(value)
    if type(value) is int:
        return str(value)
    if type(value) is float and math.isfinite(value):
        return repr(value)  # always matches _FLOAT: digits with '.' and/or 'e+NN' / 'e-NN'
    raise ValueError(f"{key}: a {type(value).__name__} value cannot be written as T-Server log text")


def _kv_lines(kv: Mapping[str, Any], depth: int, out: list[str]) -> None:
    indent = "\t" * depth
    for k, v in kv.items():
        if isinstance(v, Mapping):
            out.append(f"{indent}{_quote(k)}\t[{len(v)}]")
            _kv_lines(v, depth + 1, out)
        else:
            out.append(f"{indent}{_quote(k)}\t{_scalar('', v)}")  # KV strings always quoted


def render_lines(ev: TEvent) -> list[str]:
    """The log lines of one event (without newlines)."""
    out = [f"message {ev.event}"]
    if ev.seq is not None:
        if not 0 <= ev.seq < 1 << 64:
            raise ValueError(f"seq {ev.seq} is not a 64-bit unsigned sequence number")
        out.append(f"\tAttribute{SEQ_ATTR}\t{ev.seq:016x}")
    secs, usecs = divmod(round(ev.time * 1_000_000), 1_000_000)
    out.append(f"\tAttribute{USECS_ATTR}\t{usecs}")
    out.append(f"\tAttribute{SECS_ATTR}\t{secs}")
    for key, value in ev.attrs.items():
        name = LOG_NAMES.get(key, key)
        if isinstance(value, Mapping):
            out.append(f"\tAttribute{name}\t[{len(value)}]")
            _kv_lines(value, 2, out)
        else:
            out.append(f"\tAttribute{name}\t{_scalar(key, value)}")
    return out


def render_event(ev: TEvent) -> str:
    """One event as T-Server log text (docs/reference/tevents.md §11.1), ending with a newline."""
    return "\n".join(render_lines(ev)) + "\n"


def write_log(fh: IO[str], events: Iterable[TEvent], header: bool = True) -> int:
    """Write ``events`` to the text file ``fh`` one at a time; returns the number written."""
    if header:
        fh.write(HEADER + "\n")
    switch = None
    n = 0
    for ev in events:
        if ev.switch != switch:
            if "\n" in ev.switch or "\r" in ev.switch:
                raise ValueError(f"switch name {ev.switch!r} cannot be written on one line")
            fh.write(f"{SWITCH_COMMENT}{ev.switch}\n")
            switch = ev.switch
        fh.write(render_event(ev))
        n += 1
    return n


def write_log_file(path: str, events: Iterable[TEvent]) -> int:
    """Write ``events`` as T-Server log text to ``path`` (UTF-8); returns the number written."""
    with open(path, "w", encoding="utf-8", newline="\n") as fh:
        return write_log(fh, events)
