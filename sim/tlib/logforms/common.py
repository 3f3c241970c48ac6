"""What every log form shares: attribute names, values, key-value lists, clocks, the summary.

Values follow T-Server's printing (docs/formats.md, the import-log section): strings in single
quotes (or bare), integers decimal, ConnIDs bare hex, key-value lists as a header followed by
``'key' value`` pairs. The clock turns log-line stamps (``@10:38:31.6540``, ``10:38:31.655``,
``2026-01-05T10:38:31.655``, ``2026-01-05 10:38:31,655``) into seconds since the epoch.
"""

from __future__ import annotations

import datetime as dt
import re
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

from sim.tlib.codes import ENUM_KEYS, MessageType
from sim.tlib.trace import INT_KEYS, STR_KEYS

# --- names ---------------------------------------------------------------------------------------
#: trace key -> log attribute name (without ``Attribute``) where they differ (docs/reference/tevents.md §4.2)
LOG_NAMES = {"Reasons": "Reason", "InfoType": "AddressInfoType", "InfoStatus": "AddressInfoStatus"}
#: log attribute name -> trace key; also accepts the trace spellings and ``WorkMode`` (C API)
TRACE_KEYS = {v: k for k, v in LOG_NAMES.items()} | {"WorkMode": "AgentWorkMode"}
CONNID_KEYS = frozenset("ConnID PreviousConnID TransferConnID ConferenceConnID OriginalConnID".split())
SEQ_ATTR, SECS_ATTR, USECS_ATTR = "EventSequenceNumber", "TimeinSecs", "TimeinuSecs"
SWITCH_COMMENT = "# switch: "

# --- escaping ------------------------------------------------------------------------------------
_ESC = re.compile(r"\\x([0-9a-fA-F]{2})")
HEX = re.compile(r"[0-9a-fA-F]+")
INT = re.compile(r"-?[0-9]+")
FLOAT = re.compile(r"-?(?:[0-9]+\.[0-9]+(?:e[+-][0-9]+)?|[0-9]+e[+-][0-9]+)")
#: the header of a key-value list (``[85] 00 03 00 00..``, ``[...]``, ``[2]``)
KV_HEADER = re.compile(r"^\[[^\]]*\](?:\s.*)?$")
#: a trailing preview of binary content: `` [..]``, `` [00 03 1f..]``
HEX_PREVIEW = re.compile(r"\s+\[(?:[0-9a-fA-F]{2}\s?)*(?:\.{2,3})?\]\s*$")


def unescape(s: str) -> str:
    return _ESC.sub(lambda m: chr(int(m.group(1), 16)), s) if "\\x" in s else s


class Bad(Exception):
    """A line or block that cannot become part of a TEvent; the message says why."""


def indent_of(line: str) -> int:
    """Width of the leading white space, tabs counted as 8 columns."""
    return len(line[: len(line) - len(line.lstrip(" \t"))].expandtabs(8))


def _enum_code(key: str, token: str) -> int:
    enum = ENUM_KEYS[key]
    for name in (token, token.removeprefix(enum.__name__), token.removeprefix(key)):
        if name in enum.__members__:
            return int(enum[name])
    raise Bad(f"{key}: unknown {enum.__name__} value {token!r}")


def _event_code(token: str) -> int:
    """``AttributeUserEvent`` names a message (``EventQueued``) or gives its number (57)."""
    if INT.fullmatch(token):
        return int(token)
    if token in MessageType.__members__:
        return int(MessageType[token])
    raise Bad(f"UserEvent: unknown message name {token!r}")


def parse_value(key: str, text: str, typed: bool = True) -> Any:
    """One value: quoted string, number, bare token, or a KV header (an empty dict returned).

    ``typed``: the value of a top-level attribute, typed by its key (a bare token of a string
    attribute stays a string, enumeration names become codes, UserEvent names become message
    numbers); inside KV lists (``typed`` False) only the syntax decides: quoted -> string,
    decimal -> int, bare token -> string. A trailing hex preview (`` [..]``) is ignored.
    """
    text = HEX_PREVIEW.sub("", text.strip()) if text.rstrip().endswith("]") else text.strip()
    if not text:
        raise Bad(f"{key}: no value")
    if text[0] == "'":
        end = text.rfind("'")
        if end == 0:
            raise Bad(f"{key}: unterminated quoted string")
        rest = text[end + 1:].strip()
        if rest and not rest.startswith("("):
            raise Bad(f"{key}: unexpected text after the quoted value: {rest[:40]!r}")
        value = unescape(text[1:end])
        if typed and key == "UserEvent":
            return _event_code(value)
        if typed and (key in INT_KEYS or key in ENUM_KEYS) and INT.fullmatch(value):
            return int(value)
        return value
    if KV_HEADER.match(text):
        return {}
    token, _, rest = text.partition(" ")
    rest = rest.strip()
    if typed and key in STR_KEYS:
        return token if not rest or rest.startswith("(") else text
    if rest and not rest.startswith("("):
        raise Bad(f"{key}: unexpected text after the value: {rest[:40]!r}")
    if typed and key == "UserEvent":
        return _event_code(token)
    if INT.fullmatch(token):
        return int(token)
    if FLOAT.fullmatch(token):
        return float(token)
    if typed and key in ENUM_KEYS:
        return _enum_code(key, token)
    return token


class KVStack:
    """The key-value lists open in a block: a pair goes to the innermost list it is deep enough
    for. A list opened by an attribute takes pairs at the attribute's indentation or deeper; a
    list opened by a pair (nested) takes pairs deeper than that pair."""

    __slots__ = ("open",)

    def __init__(self) -> None:
        self.open: list[tuple[int, dict[str, Any]]] = []  # (least indentation of its pairs, the dict)

    def clear(self) -> None:
        self.open.clear()

    def top_level(self, indent: int, kv: dict[str, Any]) -> None:
        self.open[:] = [(indent, kv)]

    def nested(self, indent: int, kv: dict[str, Any]) -> None:
        self.open.append((indent + 1, kv))

    def target(self, indent: int) -> dict[str, Any]:
        while self.open and indent < self.open[-1][0]:
            self.open.pop()
        if not self.open:
            raise Bad("key-value line outside a key-value list")
        return self.open[-1][1]


# --- clocks --------------------------------------------------------------------------------------
STAMP = re.compile(
    r"^\s*[\[@]?(?:(?P<date>\d{4}-\d{2}-\d{2})[T ])?(?P<h>\d{2}):(?P<m>\d{2}):(?P<s>\d{2})"
    r"(?:[.,](?P<frac>\d{1,6}))?")
LOG_HEADER = re.compile(r"^(?P<name>[A-Z][A-Za-z ]{1,40}):(\s|$)")  # "Local time:   2026-..."
_DATE_ANY = re.compile(r"(\d{4}-\d{2}-\d{2})[T ](\d{2}):(\d{2}):(\d{2})")


class Clock:
    """Log-line time: the latest stamp seen, on the latest date seen.

    The date comes from a dated stamp, from a header line carrying a date (``Local time:``, the
    file's first line), else from ``--date``; a time of day more than 12 h before the previous
    one is the next day. Stamps are local time: when the header gives both ``Local time:`` and
    ``UTC time:``, their difference (rounded to 15 minutes) turns stamps into UTC; otherwise they
    are read as UTC, and the summary says so.
    """

    __slots__ = ("date", "stamp", "_local", "_utc", "offset")

    def __init__(self, date: dt.date | None = None):
        self.date = date
        self.stamp: float | None = None   # seconds since the epoch, UTC, of the latest stamp
        self._local: dt.datetime | None = None
        self._utc: dt.datetime | None = None
        self.offset: int | None = None     # local - UTC, seconds, when the header says

    def observe(self, line: str) -> re.Match[str] | None:
        """Take the stamp at the start of ``line`` (None if it has none); ValueError if bad."""
        m = STAMP.match(line)
        if m is None:
            return None
        if m["date"]:
            self.date = dt.date.fromisoformat(m["date"])
        if self.date is not None:
            new = self._seconds(self.date, m)
            if self.stamp is not None and new < self.stamp - 43200 and not m["date"]:
                self.date += dt.timedelta(days=1)  # time of day wrapped past midnight
                new = self._seconds(self.date, m)
            self.stamp = new
        return m

    def header(self, name: str, body: str) -> None:
        """A ``Name: value`` header line: take its date (and the local / UTC pair)."""
        m = _DATE_ANY.search(body)
        if m is None:
            return
        when = dt.datetime.combine(dt.date.fromisoformat(m[1]), dt.time(int(m[2]), int(m[3]), int(m[4])))
        if name.strip().lower() == "utc time":
            self._utc = when
        else:
            self.date = when.date()
            if name.strip().lower() == "local time":
                self._local = when
        if self._local is not None and self._utc is not None:
            diff = (self._local - self._utc).total_seconds()
            self.offset = int(round(diff / 900) * 900)

    def _seconds(self, date: dt.date, m: re.Match[str]) -> float:
        frac = (m["frac"] or "0").ljust(6, "0")
        when = dt.datetime(date.year, date.month, date.day, int(m["h"]), int(m["m"]), int(m["s"]),
                           int(frac), tzinfo=dt.UTC)
        return round(when.timestamp() - (self.offset or 0), 6)

    def describe(self) -> str:
        if self.offset is None:
            return "local time, read as UTC: the log gives no UTC offset"
        sign, off = ("+" if self.offset >= 0 else "-"), abs(self.offset)
        return f"local time, UTC{sign}{off // 3600:02d}:{off % 3600 // 60:02d} from the log header"


# --- the summary ---------------------------------------------------------------------------------
@dataclass
class Summary:
    """What an import did, block by block and line by line (the summary line of import-log)."""

    events: int = 0
    requests: int = 0                       # request blocks (RequestX), all forms
    unknown: Counter[str] = field(default_factory=Counter)  # message name -> blocks skipped
    narration: int = 0                      # log records that are not messages (lines)
    bad_lines: int = 0                      # lines not understood (each reported FILE:LINE)
    own_clock: int = 0                      # events timed by AttributeTimeinSecs (UTC)
    line_clock: int = 0                     # events timed by their log line's stamp
    clock: Clock | None = None
    forms: Counter[str] = field(default_factory=Counter)    # form name -> events

    def imported(self) -> str:
        """``8 events (T-Server 4, URS 4)``: the events and the forms they came from."""
        forms = ", ".join(f"{form} {n}" for form, n in sorted(self.forms.items()))
        return f"{self.events} events" + (f" ({forms})" if forms else "")

    def skipped(self) -> str:
        unknown = sum(self.unknown.values())
        names = ", ".join(sorted(self.unknown)[:5]) + (", ..." if len(self.unknown) > 5 else "")
        parts = [f"{self.requests} request block(s)",
                 f"{unknown} unknown message(s)" + (f" ({names})" if unknown else ""),
                 f"{self.narration} narration line(s)"]
        return "skipped " + ", ".join(parts) + f"; {self.bad_lines} line(s) not understood"

    def clocks(self) -> str:
        parts = []
        if self.own_clock:
            parts.append(f"{self.own_clock} by AttributeTimeinSecs (UTC)")
        if self.line_clock:
            where = self.clock.describe() if self.clock is not None else "local time"
            parts.append(f"{self.line_clock} by log-line stamps ({where})")
        return "event times: " + ("; ".join(parts) if parts else "none")
