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

Reading also accepts the variations of real logs: a timestamp or any narration before
``message`` (``@12:34:56.7890 [0] 8.1.000.44 distribute_event: message EventRinging``,
``-- message EventRinging``), quoted or bare strings, a comment after a number
(``1432806511 (10:38:31)``), KV headers ``[85] 00 03 00 00..``, ``'key' 'value'`` separated by
spaces, enumeration names instead of numbers. Request messages (``message RequestX``) and
timestamped narration lines are skipped silently; anything else it does not understand is
reported as ``FILE:LINE: reason`` through ``on_problem`` and skipped, and reading goes on.
"""

from __future__ import annotations

import datetime as dt
import math
import re
import sys
from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import IO, Any

from sim.errors import UserError
from sim.tlib.codes import ENUM_KEYS, EVENT_NAMES
from sim.tlib.event import TEvent
from sim.tlib.trace import INT_KEYS, STR_KEYS, BadLine, TraceProblem, parse_event

# --- names ---------------------------------------------------------------------------------------
#: trace key -> log attribute name (without ``Attribute``) where they differ (docs/reference/tevents.md §4.2)
LOG_NAMES = {"Reasons": "Reason", "InfoType": "AddressInfoType", "InfoStatus": "AddressInfoStatus"}
#: log attribute name -> trace key; also accepts the trace spellings and ``WorkMode`` (§4.2 C API)
TRACE_KEYS = {v: k for k, v in LOG_NAMES.items()} | {"WorkMode": "AgentWorkMode"}
CONNID_KEYS = frozenset("ConnID PreviousConnID TransferConnID ConferenceConnID OriginalConnID".split())
SEQ_ATTR, SECS_ATTR, USECS_ATTR = "EventSequenceNumber", "TimeinSecs", "TimeinuSecs"
SWITCH_COMMENT = "# switch: "
HEADER = "# sim T-Server log text (docs/reference/tevents.md §11.1); one '# switch:' line per switch change"

# --- escaping --------------------------------------------------------------------------------------
_NEEDS_ESC = re.compile(r"[\x00-\x1f\x7f]|\\(?=x[0-9a-fA-F]{2})")
_ESC = re.compile(r"\\x([0-9a-fA-F]{2})")
_HEX = re.compile(r"[0-9a-fA-F]+")
_INT = re.compile(r"-?[0-9]+")
_FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]+(?:e[+-][0-9]+)?|[0-9]+e[+-][0-9]+)")


def _escape(s: str) -> str:
    return _NEEDS_ESC.sub(lambda m: f"\\x{ord(m.group()):02x}", s)


def _unescape(s: str) -> str:
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), s) if "\\x" in s else s


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


# --- reading ---------------------------------------------------------------------------------------
_TIME_PREFIX = re.compile(
    r"^\s*[\[@]?(?:(?P<date>\d{4}-\d{2}-\d{2})[T ])?(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<frac>\d{1,6}))?")
_MESSAGE = re.compile(r"(?:^|\s)message\s+(?P<name>(?:Event|Request)[A-Za-z0-9_]+)\s*$")
_ATTR = re.compile(r"^Attribute(?P<name>[A-Za-z0-9_]+)(?:\s+(?P<value>.*))?$")
_KV_HEADER = re.compile(r"^\[[^\]]*\](?:\s.*)?$")
_PAIR_TAB = re.compile(r"^'(?P<key>[^\t]*)'\t+(?P<value>.*)$")
_PAIR_SPACE = re.compile(r"^'(?P<key>.*?)'\s+(?P<value>.*)$")


def _print_problem(problem: TraceProblem) -> None:
    print(problem, file=sys.stderr)


class _Bad(Exception):
    """A log block that cannot become a TEvent; the message says why."""


def _indent(line: str) -> int:
    """Width of the leading white space, tabs counted as 8 columns."""
    return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(8))


def _parse_value(key: str, text: str, typed: bool = True) -> Any:
    """One value: quoted string, number, bare token, or a KV header (an empty dict returned).

    ``typed``: the value of a top-level attribute, typed by its key (a bare token of a string
    attribute stays a string, enumeration names become codes); inside KV lists (``typed`` False)
    only the syntax decides: quoted -> string, decimal -> int, bare token -> string.
    """
    text = text.strip()
    if not text:
        raise _Bad(f"{key}: no value")
    if text[0] == "'":
        end = text.rfind("'")
        if end == 0:
            raise _Bad(f"{key}: unterminated quoted string")
        rest = text[end + 1:].strip()
        if rest and not rest.startswith("("):
            raise _Bad(f"{key}: unexpected text after the quoted value: {rest[:40]!r}")
        value = _unescape(text[1:end])
        if typed and (key in INT_KEYS or key in ENUM_KEYS) and _INT.fullmatch(value):
            return int(value)
        return value
    if _KV_HEADER.match(text):
        return {}
    if typed and key in STR_KEYS:
        token, _, rest = text.partition(" ")
        return token if not rest.strip() or rest.strip().startswith("(") else text
    token, _, rest = text.partition(" ")
    rest = rest.strip()
    if rest and not rest.startswith("("):
        raise _Bad(f"{key}: unexpected text after the value: {rest[:40]!r}")
    if _INT.fullmatch(token):
        return int(token)
    if _FLOAT.fullmatch(token):
        return float(token)
    enum = ENUM_KEYS.get(key) if typed else None
    if enum is not None:
        for name in (token, token.removeprefix(enum.__name__), token.removeprefix(key)):
            if name in enum.__members__:
                return int(enum[name])
        raise _Bad(f"{key}: unknown {enum.__name__} value {token!r}")
    return token


class _Block:
    """The message being read: header line, name, the attributes gathered so far."""

    __slots__ = ("line", "event", "switch", "stamp", "attrs", "seq", "secs", "usecs", "stack", "bad")

    def __init__(self, line: int, event: str, switch: str | None, stamp: float | None):
        self.line, self.event, self.switch, self.stamp = line, event, switch, stamp
        self.attrs: dict[str, Any] = {}
        self.seq: int | None = None
        self.secs: int | None = None
        self.usecs: int | None = None
        self.stack: list[tuple[int, dict]] = []  # open KV lists: (indent of their header, dict)
        self.bad = False


def read_log(
    lines: Iterable[str | bytes],
    name: str = "<log>",
    switch: str | None = None,
    on_problem: Callable[[TraceProblem], None] = _print_problem,
) -> Iterator[TEvent]:
    """Yield the TEvents of T-Server log text, one message block at a time (memory stays flat).

    ``switch`` names the switch when the text has no ``# switch:`` line (a ``# switch:`` line
    wins). A message with no switch at all raises :class:`UserError`. Lines it does not
    understand go to ``on_problem`` as ``FILE:LINE: reason`` and are skipped.
    """
    cur_switch = switch
    date: dt.date | None = None
    stamp: float | None = None      # seconds since the epoch of the last timestamp seen (UTC)
    block: _Block | None = None
    skipping = False                # inside a block we skip silently (request, unknown event)

    def problem(lineno: int, reason: str) -> None:
        on_problem(TraceProblem(name, lineno, reason))

    def finish(b: _Block) -> TEvent | None:
        if b.secs is not None:
            time = (b.secs * 1_000_000 + (b.usecs or 0)) / 1_000_000
        elif b.stamp is not None:
            time = b.stamp
        else:
            problem(b.line, f"message {b.event}: no AttributeTimeinSecs and no dated timestamp; skipped")
            return None
        if b.switch is None:
            raise UserError(f"message {b.event}: the log names no switch; give --switch NAME",
                            where=f"{name}:{b.line}")
        obj: dict[str, Any] = {"time": time, "event": b.event, "switch": b.switch}
        if b.seq is not None:
            obj["seq"] = b.seq
        obj.update(b.attrs)
        try:
            return parse_event(obj)
        except BadLine as exc:
            problem(b.line, f"message {b.event}: {exc}; skipped")
            return None

    for lineno, raw in enumerate(lines, 1):
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        line = line.rstrip("\r\n")
        body = line.strip()
        in_block = block is not None or skipping
        if body.startswith("Attribute") or (in_block and body and (
                body.startswith("'") or line[:1] in (" ", "\t"))  # indented: still the block
                and not _MESSAGE.search(body)):
            if skipping:
                continue
            if block is None:
                problem(lineno, "attribute line outside a message; skipped")
                continue
            try:
                _attribute_line(block, line, body)
            except _Bad as exc:
                problem(lineno, f"{exc}; skipped")
            continue
        # Not an attribute line: the current block (if any) ends here.
        if block is not None:
            ev = finish(block)
            block = None
            if ev is not None:
                yield ev
        skipping = False
        if not body:
            continue
        if body.startswith("#"):
            if body.startswith(SWITCH_COMMENT.strip()):
                value = body[len(SWITCH_COMMENT.strip()):].strip()
                if value:
                    cur_switch = value
                else:
                    problem(lineno, "'# switch:' line without a name; skipped")
            continue
        m_time = _TIME_PREFIX.match(line)
        if m_time:
            try:
                if m_time["date"]:
                    date = dt.date.fromisoformat(m_time["date"])
                if date is not None:
                    new = _stamp(date, m_time)
                    if stamp is not None and new < stamp - 43200 and not m_time["date"]:
                        date += dt.timedelta(days=1)  # time of day wrapped past midnight
                        new = _stamp(date, m_time)
                    stamp = new
            except ValueError:
                problem(lineno, f"bad timestamp {m_time.group().strip()!r}; skipped")
                continue
        elif (m_date := _DATE_ANY.search(body)) and _LOG_HEADER.match(body):
            date = dt.date.fromisoformat(m_date[1])  # "Local time:  2019-07-17T10:30:52.131"
        m_msg = _MESSAGE.search(body)
        if m_msg:
            ev_name = m_msg["name"]
            if ev_name.startswith("Request"):
                skipping = True
            elif ev_name not in EVENT_NAMES:
                problem(lineno, f"message {ev_name}: unknown T-Library event; skipped")
                skipping = True
            else:
                block = _Block(lineno, ev_name, cur_switch, stamp)
            continue
        if m_time or _LOG_HEADER.match(body):
            continue  # timestamped narration / log-file header: understood, nothing to import
        if body.startswith("'"):
            problem(lineno, "key-value line outside a key-value list; skipped")
        else:
            problem(lineno, f"not T-Server log text: {body[:60]!r}; skipped")
    if block is not None:
        ev = finish(block)
        if ev is not None:
            yield ev


_LOG_HEADER = re.compile(r"^[A-Z][A-Za-z ]{1,40}:(\s|$)")  # "Application name: ...", "Local time: ..."
_DATE_ANY = re.compile(r"(\d{4}-\d{2}-\d{2})[T ]\d{2}:\d{2}")


def _stamp(date: dt.date, m: re.Match) -> float:
    """Seconds since the epoch of a log timestamp (taken as UTC: logs do not say their zone)."""
    frac = (m["frac"] or "0").ljust(6, "0")
    when = dt.datetime(date.year, date.month, date.day, int(m["h"]), int(m["m"]), int(m["s"]),
                       int(frac), tzinfo=dt.UTC)
    return round(when.timestamp(), 6)


def _attribute_line(block: _Block, line: str, body: str) -> None:
    indent = _indent(line)
    if body.startswith("'"):  # a pair of the open KV list
        while block.stack and block.stack[-1][0] >= indent:
            block.stack.pop()
        if not block.stack:
            raise _Bad("key-value line outside a key-value list")
        m = _PAIR_TAB.match(body) or _PAIR_SPACE.match(body)
        if m is None:
            raise _Bad(f"bad key-value line {body[:60]!r}")
        key = _unescape(m["key"])
        value = _parse_value(key, m["value"], typed=False)
        block.stack[-1][1][key] = value
        if type(value) is dict:
            block.stack.append((indent, value))
        return
    block.stack.clear()
    m = _ATTR.match(body)
    if m is None:
        raise _Bad(f"bad attribute line {body[:60]!r}")
    log_name, text = m["name"], m["value"] or ""
    if log_name == SEQ_ATTR:
        token = text.split()[0] if text.split() else ""
        if not _HEX.fullmatch(token):
            raise _Bad(f"AttributeEventSequenceNumber: expected hex digits, got {token!r}")
        block.seq = int(token, 16)
        return
    if log_name in (SECS_ATTR, USECS_ATTR):
        token = text.split()[0] if text.split() else ""
        if not token.isdigit():
            raise _Bad(f"Attribute{log_name}: expected an integer, got {token!r}")
        if log_name == SECS_ATTR:
            block.secs = int(token)
        else:
            block.usecs = int(token)
        return
    key = TRACE_KEYS.get(log_name, log_name)
    value = _parse_value(key, text)
    block.attrs[key] = value
    if type(value) is dict:
        block.stack.append((indent, value))
