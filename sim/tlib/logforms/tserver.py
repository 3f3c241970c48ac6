"""T-Server and SIP Server logs: ``message EventX`` blocks of ``Attribute<Name> value`` lines.

::

    @10:38:31.6540 [0] 8.1.000.44 distribute_event: message EventRinging
        AttributeEventSequenceNumber    0000000000001e9c
        AttributeTimeinSecs    1767609511 (10:38:31)
        AttributeThisDN    '6001'
        AttributeUserData    [85] 00 03 00 00..
            'Segment'    'gold'
            'Route'(list) 'kind'    'skill'
                'name'    'Sales'

The same block syntax is what a router log prints for the requests it sends
(:mod:`sim.tlib.logforms.urs`) and what :func:`sim.tlib.tserverlog.write_log` writes.
"""

from __future__ import annotations

import re
from typing import Any

from sim.tlib.logforms.common import (
    HEX,
    SECS_ATTR,
    SEQ_ATTR,
    TRACE_KEYS,
    USECS_ATTR,
    Bad,
    KVStack,
    indent_of,
    parse_value,
    unescape,
)

#: ``... message EventRinging`` at the end of a line (narration and a stamp may come first, a
#: parenthesis such as ``(refid=12)`` may follow); ``ISCC`` messages (between T-Servers) too
MESSAGE = re.compile(
    r"(?:^|\s)message\s+(?P<name>(?:ISCC)?(?:Event|Request)[A-Za-z0-9_]+)\s*(?:\([^()]*\))?\s*$")
_ATTR = re.compile(r"^Attribute(?P<name>[A-Za-z0-9_]+)(?:\s+(?P<value>.*))?$")
_PAIR_LIST = re.compile(r"^'(?P<key>[^'\t]*)'[ ]?\(list\)(?:[ \t]+(?P<rest>.*))?$")
_PAIR_TAB = re.compile(r"^'(?P<key>[^\t]*)'\t+(?P<value>.*)$")
_PAIR_SPACE = re.compile(r"^'(?P<key>.*?)'\s+(?P<value>.*)$")
_PAIR_EMPTY = re.compile(r"^'(?P<key>.*)'$")


def continues(line: str, body: str) -> bool:
    """Whether ``line`` belongs to an open ``message`` block: an Attribute line, a KV pair, or
    any indented line that is not itself a message header."""
    if body.startswith("Attribute"):
        return True
    return bool(body) and (body[0] == "'" or line[:1] in (" ", "\t")) and not MESSAGE.search(body)


class MessageBlock:
    """One ``message EventX`` block being read: its header line, name and attributes."""

    form = "T-Server"
    __slots__ = ("line", "event", "switch", "stamp", "attrs", "seq", "secs", "usecs", "kv")

    def __init__(self, line: int, event: str, switch: str | None, stamp: float | None):
        self.line, self.event, self.switch, self.stamp = line, event, switch, stamp
        self.attrs: dict[str, Any] = {}
        self.seq: int | None = None
        self.secs: int | None = None
        self.usecs: int | None = None
        self.kv = KVStack()

    accepts = staticmethod(continues)

    def feed(self, line: str, body: str) -> None:
        """Read one line of the block; :class:`Bad` if it cannot be understood."""
        if body[0] == "'":
            self._pair(indent_of(line), body)
        else:
            self._attribute(indent_of(line), body)

    def _pair(self, indent: int, body: str) -> None:
        target = self.kv.target(indent)
        m = _PAIR_LIST.match(body)
        if m is not None:  # 'key'(list) 'first' 'value': a nested list, its first pair inline
            nested: dict[str, Any] = {}
            target[unescape(m["key"])] = nested
            self.kv.nested(indent, nested)
            if m["rest"]:
                self._pair(indent + 1, m["rest"].strip())
            return
        m = _PAIR_TAB.match(body) or _PAIR_SPACE.match(body) or _PAIR_EMPTY.match(body)
        if m is None:
            raise Bad(f"bad key-value line {body[:60]!r}")
        key = unescape(m["key"])
        text = m.groupdict().get("value") or ""
        value = parse_value(key, text, typed=False) if text.strip() else ""
        target[key] = value
        if type(value) is dict:
            self.kv.nested(indent, value)

    def _attribute(self, indent: int, body: str) -> None:
        self.kv.clear()
        m = _ATTR.match(body)
        if m is None:
            raise Bad(f"bad attribute line {body[:60]!r}")
        self.set(m["name"], m["value"] or "", indent)

    def set(self, log_name: str, text: str, indent: int) -> None:
        """One attribute by its log name (without ``Attribute``) and its value text."""
        if log_name == SEQ_ATTR:
            self.seq = _number(log_name, text, 16)
        elif log_name == SECS_ATTR:
            self.secs = _number(log_name, text, 10)
        elif log_name == USECS_ATTR:
            self.usecs = _number(log_name, text, 10)
        else:
            key = TRACE_KEYS.get(log_name, log_name)
            value = parse_value(key, text)
            self.attrs[key] = value
            if type(value) is dict:
                self.kv.top_level(indent, value)

    def event_name(self) -> str:
        return self.event


def _number(log_name: str, text: str, base: int) -> int:
    token = text.split()[0] if text.split() else ""
    ok = HEX.fullmatch(token) if base == 16 else token.isdigit()
    if not ok:
        kind = "hex digits" if base == 16 else "an integer"
        raise Bad(f"Attribute{log_name}: expected {kind}, got {token!r}")
    return int(token, base)
