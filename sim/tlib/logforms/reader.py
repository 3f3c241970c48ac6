"""The dispatcher: reads log text line by line and hands each block to the reader of its form.

Per line, in order: an open block takes the line if its form says the line continues it;
otherwise the block ends (and becomes a TEvent, or a ``FILE:LINE: reason`` problem) and the
line is looked at afresh: blank lines, ``#`` comments (``# switch: NAME``), ``Name: value``
header lines (dates), the header of a block of one of the three forms (T-Server ``message
EventX``, router ``request to N(App) message RequestDistributeEvent``, SDK ``'EventX' ('NN')``),
or a narration record (a stamped line, a router tag line, and the unstamped lines after it).
Anything else is a line not understood. Counts of every kind go to a :class:`Summary`.
"""

from __future__ import annotations

import datetime as dt
import re
import sys
from collections.abc import Callable, Iterable, Iterator
from typing import Any

from sim.errors import UserError
from sim.tlib.codes import EVENT_NAMES
from sim.tlib.event import TEvent
from sim.tlib.logforms import sdk, tserver, urs
from sim.tlib.logforms.common import LOG_HEADER, SWITCH_COMMENT, Bad, Clock, Summary
from sim.tlib.trace import BadLine, TraceProblem, parse_event

_CONTINUATION = re.compile(r"^\.{1,2}\s?\S")  # "..sent to 65200" (router), ". Processing with" (SDK)
_SWITCH = SWITCH_COMMENT.strip()


def _print_problem(problem: TraceProblem) -> None:
    print(problem, file=sys.stderr)


class _Skip:
    """A block read only to be skipped (a request, an unknown message): it takes the lines
    its form would take, so its attributes are not mistaken for stray lines."""

    __slots__ = ("accepts",)

    def __init__(self, accepts: Callable[[str, str], bool]):
        self.accepts = accepts


Block = tserver.MessageBlock | sdk.SdkBlock


class _Reader:
    """The state between lines: the open block, the switch, the clock, the counts."""

    def __init__(self, name: str, switch: str | None, on_problem: Callable[[TraceProblem], None],
                 clock: Clock, summary: Summary):
        self.name, self.switch, self.on_problem = name, switch, on_problem
        self.clock, self.summary = clock, summary
        self.block: Block | _Skip | None = None
        self.in_record = False  # unstamped lines after a narration line are part of it

    def problem(self, lineno: int, reason: str) -> None:
        self.summary.bad_lines += 1
        self.on_problem(TraceProblem(self.name, lineno, reason))

    # --- one line -------------------------------------------------------------------------------
    def line(self, lineno: int, line: str) -> TEvent | None:
        """Read one line; returns the TEvent of a block this line ended, if any."""
        body = line.strip()
        block = self.block
        if block is not None and block.accepts(line, body):
            if not isinstance(block, _Skip):
                try:
                    block.feed(line, body)
                except Bad as exc:
                    self.problem(lineno, f"{exc}; skipped")
            return None
        self.block = None
        ev = self.finish(block) if block is not None and not isinstance(block, _Skip) else None
        if block is not None:
            self.in_record = False
        self.fresh(lineno, line, body)
        return ev

    def fresh(self, lineno: int, line: str, body: str) -> None:
        """A line outside any block."""
        if not body:
            return
        if body.startswith("#"):
            self.comment(lineno, body)
            return
        try:
            stamped = self.clock.observe(line) is not None
        except ValueError:
            self.problem(lineno, f"bad timestamp {line.strip()[:30]!r}; skipped")
            return
        if not self.block_header(lineno, body):
            self.narration(lineno, body, stamped)

    def narration(self, lineno: int, body: str, stamped: bool) -> None:
        """A line that opens no block: narration (counted), a header (its date taken), or a
        line not understood (reported)."""
        header = LOG_HEADER.match(body)
        if header is not None and not stamped:
            self.clock.header(header["name"], body)
        if stamped or header is not None or urs.URS_TAG.match(body) or _CONTINUATION.match(body):
            self.in_record = True
            self.summary.narration += 1
        elif self.in_record and not body.startswith(("Attribute", "'")):
            self.summary.narration += 1
        elif body.startswith("Attribute"):
            self.problem(lineno, "attribute line outside a message; skipped")
        elif body.startswith("'"):
            self.problem(lineno, "key-value line outside a key-value list; skipped")
        else:
            self.problem(lineno, f"not understood as log text: {body[:60]!r}; skipped")

    def comment(self, lineno: int, body: str) -> None:
        if body.startswith(_SWITCH):
            value = body[len(_SWITCH):].strip()
            if value:
                self.switch = value
            else:
                self.problem(lineno, "'# switch:' line without a name; skipped")
        else:
            self.summary.narration += 1  # a comment, as write_log's first line

    def block_header(self, lineno: int, body: str) -> bool:
        """Open the block whose header ``body`` is, if it is one; True when it was."""
        stamp = self.clock.stamp
        if (m := sdk.HEADER.search(body)) is not None:
            return self.open(m["name"], sdk.continues,
                             lambda name: sdk.SdkBlock(lineno, name, self.switch, stamp))
        if (m := urs.REQUEST_TO.search(body)) is not None and m["name"] == urs.DISTRIBUTE:
            self.block = urs.DistributeBlock(lineno, m["name"], self.switch, stamp)
            return True
        if m is not None:
            return self.open(m["name"], tserver.continues, None)
        if (m := tserver.MESSAGE.search(body)) is not None:
            return self.open(m["name"], tserver.continues,
                             lambda name: tserver.MessageBlock(lineno, name, self.switch, stamp))
        return False

    def open(self, name: str, accepts: Callable[[str, str], bool],
             make: Callable[[str], Block] | None) -> bool:
        if name.startswith("Request") or make is None:
            self.summary.requests += 1
            self.block = _Skip(accepts)
        elif name not in EVENT_NAMES:
            self.summary.unknown[name] += 1
            self.block = _Skip(accepts)
        else:
            self.block = make(name)
        return True

    # --- end of a block -------------------------------------------------------------------------
    def finish(self, b: Block) -> TEvent | None:
        try:
            event = b.event_name()
        except Bad as exc:
            self.problem(b.line, f"{exc}; skipped")
            return None
        if b.secs is not None:
            time = (b.secs * 1_000_000 + (b.usecs or 0)) / 1_000_000
            own = True
        elif b.stamp is not None:
            time, own = b.stamp, False
        else:
            self.problem(b.line, f"message {event}: no AttributeTimeinSecs and no dated "
                                 "timestamp (give --date); skipped")
            return None
        if b.switch is None:
            raise UserError(f"message {event}: the log names no switch; give --switch NAME",
                            where=f"{self.name}:{b.line}")
        obj: dict[str, Any] = {"time": time, "event": event, "switch": b.switch}
        if b.seq is not None:
            obj["seq"] = b.seq
        obj.update(b.attrs)
        try:
            ev = parse_event(obj)
        except BadLine as exc:
            self.problem(b.line, f"message {event}: {exc}; skipped")
            return None
        self.summary.events += 1
        self.summary.forms[b.form] += 1
        if own:
            self.summary.own_clock += 1
        else:
            self.summary.line_clock += 1
        return ev

    def close(self) -> TEvent | None:
        block, self.block = self.block, None
        if block is None or isinstance(block, _Skip):
            return None
        return self.finish(block)


def read_log(
    lines: Iterable[str | bytes],
    name: str = "<log>",
    switch: str | None = None,
    on_problem: Callable[[TraceProblem], None] = _print_problem,
    date: dt.date | None = None,
    summary: Summary | None = None,
) -> Iterator[TEvent]:
    """Yield the TEvents of log text (T-Server / SIP Server, router, Platform SDK, or what
    ``write_log`` writes), one block at a time (memory stays flat).

    ``switch`` names the switch when the text has no ``# switch:`` line (a ``# switch:`` line
    wins); a message with no switch at all raises :class:`UserError`. ``date`` is the date of
    time-of-day stamps until the log gives one. Lines it does not understand go to
    ``on_problem`` as ``FILE:LINE: reason`` and are skipped; ``summary`` (if given) receives
    the counts of everything read and skipped.
    """
    summary = summary if summary is not None else Summary()
    clock = Clock(date)
    summary.clock = clock
    reader = _Reader(name, switch, on_problem, clock, summary)
    for lineno, raw in enumerate(lines, 1):
        line = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
        if lineno == 1:
            line = line.removeprefix("\ufeff")  # a byte-order mark
        ev = reader.line(lineno, line.rstrip("\r\n"))
        if ev is not None:
            yield ev
    ev = reader.close()
    if ev is not None:
        yield ev
