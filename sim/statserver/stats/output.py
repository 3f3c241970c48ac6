"""stats.csv: statistic values at notification instants (docs/reference/contracts.md §4).

``stats.csv`` is long-format, one row per stat type x object x time profile x instant:
``time, stat_type, object_type, object, time_profile, value, valid``. ``time`` is in epoch
seconds like every other file of a run; ``time_profile`` is empty for current and current-state
categories (no interval); ``valid`` is 1 or 0 (docs/reference/stat-types.md §2.4; always 1 for CurrentState).

:class:`Notifier` drives a :class:`~.engine.StatEngine` through a record stream and writes a
notification at every multiple of ``every`` seconds (default 900: each 15 minutes) that the
stream crosses, and at the end. The notification at instant n is taken before the records at
n or later are fed, so the interval [t0, n) is reported at n, before a reset at n empties it
(the Reset notification mode, docs/reference/stat-types.md §9).

:func:`write_stats_csv` is the whole pipeline for ``sim run`` / ``sim replay``: records in,
stats.csv out.
"""

from __future__ import annotations

import csv
import math
from collections.abc import Iterable
from typing import IO, Any, Final

from sim.objects import Objects
from sim.statserver.records import Record
from sim.statserver.stats.definitions import StatTypes, load_stattypes
from sim.statserver.stats.engine import Row, StatEngine, whole

MAX_IDLE: Final = 96  # notification boundaries (a day of 15-minute intervals) across a silent gap
COLUMNS: Final = ("time", "stat_type", "object_type", "object", "time_profile", "value", "valid")
CHUNK: Final = 4096   # lines joined into one write


def csv_field(text: str) -> str:
    """A field as csv.writer writes it (excel dialect, QUOTE_MINIMAL): quoted when it holds
    the delimiter, the quote character or a line break, quotes doubled."""
    if '"' in text:
        return '"' + text.replace('"', '""') + '"'
    if "," in text or "\n" in text or "\r" in text:
        return '"' + text + '"'
    return text


def csv_value(value: Any) -> str:
    """A value as csv.writer writes it: None empty, other non-strings by str() (repr for
    floats, the same text), then quoted like any field."""
    if value is None:
        return ""
    if type(value) is int or type(value) is float:
        return str(value)           # digits, sign, '.', 'e', inf / nan: never quoted
    return csv_field(value if isinstance(value, str) else str(value))


class StatsCsvWriter:
    """Streams rows to a CSV file (or any text stream), byte for byte as ``csv.writer`` would
    write them, but formatted here: a notification is thousands of rows whose names repeat,
    so the quoted form of each name is computed once."""

    def __init__(self, target: str | IO[str]) -> None:
        self._own = isinstance(target, str)
        self._fh: IO[str] = open(target, "w", newline="", encoding="utf-8") if isinstance(target, str) else target
        csv.writer(self._fh).writerow(COLUMNS)
        self._fields: dict[str, str] = {}     # name -> its CSV text
        self.rows = 0

    def _field(self, text: str) -> str:
        shown = self._fields.get(text)
        if shown is None:
            shown = self._fields[text] = csv_field(text)
        return shown

    def write_rows(self, rows: Iterable[Row]) -> None:
        time: Any = None
        shown = ""
        # a notification goes stat type by stat type, object type by object type: the fields
        # of the row before are reused while the name is the same object (identity)
        stat_type: Any = None
        object_type: Any = None
        profile: Any = None
        st_s = ot_s = prof_s = ""
        lines: list[str] = []
        n = 0
        for r in rows:
            if r.time != time:          # one instant per notification: format it once
                time = r.time
                shown = csv_value(whole(round(r.time, 6)))
            if r.stat_type is not stat_type:
                stat_type = r.stat_type
                st_s = self._field(stat_type)
            if r.object_type is not object_type:
                object_type = r.object_type
                ot_s = self._field(object_type)
            if r.time_profile is not profile:
                profile = r.time_profile
                prof_s = self._field(profile)
            valid = "1" if r.valid else "0"
            lines.append(f"{shown},{st_s},{ot_s},{self._field(r.object)},{prof_s},"
                         f"{csv_value(whole(r.value))},{valid}")
            n += 1
            if len(lines) == CHUNK:
                self._write(lines)
                lines = []
        if lines:
            self._write(lines)
        self.rows += n

    def _write(self, lines: list[str]) -> None:
        lines.append("")                # csv.writer ends each line with \r\n
        self._fh.write("\r\n".join(lines))

    def close(self) -> None:
        if self._own:
            self._fh.close()
        else:
            self._fh.flush()

    def __enter__(self) -> StatsCsvWriter:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class Notifier:
    """Feeds records to the engine and writes notifications every ``every`` seconds and at the end."""

    def __init__(self, engine: StatEngine, writer: StatsCsvWriter | None = None,
                 every: float | None = 900.0) -> None:
        if every is not None and every <= 0:
            raise ValueError("notification period must be positive")
        self.engine = engine
        self.writer = writer
        self.every = every
        self.next_at: float | None = None
        self.last_notified: float | None = None
        self.collected: list[Row] = []   # rows, when there is no writer

    def _emit(self, t: float) -> None:
        rows = self.engine.notify(t)
        if self.writer is not None:
            self.writer.write_rows(rows)
        else:
            self.collected.extend(rows)
        self.last_notified = t

    def _catch_up(self, t: float, inclusive: bool, every: float, next_at: float) -> None:
        """Notify at every interval boundary up to ``t``; across a long silent gap (more than
        MAX_IDLE boundaries without a record) only the first and the last boundary are
        notified, since nothing changed in between (a trace with a typo'd early time must not
        write millions of rows)."""
        last = math.floor(t / every) * every
        if not inclusive and last >= t:
            last -= every
        if (last - next_at) / every > MAX_IDLE:
            self._emit(next_at)
            next_at = last
        while next_at <= last:
            self._emit(next_at)
            next_at += every
        self.next_at = next_at

    def feed(self, record: Any) -> None:
        t = getattr(record, "time", None)
        every = self.every
        if t is not None and every is not None:
            next_at = self.next_at
            if next_at is None:
                next_at = self.next_at = (math.floor(t / every) + 1) * every
            if t >= next_at:
                self._catch_up(t, True, every, next_at)
        self.engine.feed(record)

    def feed_many(self, records: Iterable[Record]) -> None:
        # (typed Record: compiled, r.time is a field read and engine.feed a direct call)
        engine = self.engine
        if self.every is None:
            engine.feed_many(records)
            return
        next_at = self.next_at
        for r in records:
            if next_at is None or r.time >= next_at:
                self.feed(r)
                next_at = self.next_at
            else:
                engine.feed(r)

    def close(self, end: float | None = None) -> None:
        """The final notification, at ``end`` (default: the last record's time)."""
        t = end if end is not None else self.engine.last_time
        if t is None:
            return
        every, next_at = self.every, self.next_at
        if every is not None and next_at is not None and t > next_at:
            self._catch_up(t, False, every, next_at)
        if self.last_notified != t:
            self._emit(t)


def write_stats_csv(records: Iterable[Any], objects: Objects, path: str | IO[str],
                    stattypes: StatTypes | None = None, every: float | None = 900.0,
                    end: float | None = None) -> StatEngine:
    """Feed ``records`` (in time order) to a StatEngine with ``stattypes`` (default: the shipped
    library) and write stats.csv at ``path``: every ``every`` seconds and at ``end`` (default:
    the last record). Returns the engine (for peeks at the end)."""
    engine = StatEngine(objects, stattypes if stattypes is not None else load_stattypes())
    with StatsCsvWriter(path) as writer:
        notifier = Notifier(engine, writer, every)
        notifier.feed_many(records)
        notifier.close(end)
    return engine
