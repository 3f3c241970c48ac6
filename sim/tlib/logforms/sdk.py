"""Platform SDK client logs: the messages an application built on the Genesys SDKs received.

::

    2026-01-05 11:38:31,665 DEBUG [SelectorThread] - Proxy got message 'EventOnHook' ('87')
    message attributes:
    AttributeEventSequenceNumber [long] = 4899493
    Time            = ComplexClass(TimeStamp):
        AttributeTimeinuSecs [int] = 573000
        AttributeTimeinSecs [int] = 1767609511
    AttributeThisDN [str] = "6001"
    AttributeConnID [long] = 006c02462a161006
    AttributeUserData [bstr] = KVList:
        'Segment' [str] = "gold"
    . Processing with  state .StatePrimary proxy: proxy1

Each attribute line carries a type tag and ``=``; strings are in double quotes; the sequence
number is decimal. The event's own time (``AttributeTimeinSecs``, UTC) is preferred to the log
line's clock (local time). Outgoing messages (``'RequestAttachUserData' ('30')`` after
``Sending message to ...``) are request blocks and are skipped.
"""

from __future__ import annotations

import re
from typing import Any

from sim.tlib.logforms.common import (
    CONNID_KEYS,
    SECS_ATTR,
    SEQ_ATTR,
    TRACE_KEYS,
    USECS_ATTR,
    Bad,
    KVStack,
    indent_of,
    parse_value,
)
from sim.tlib.trace import STR_KEYS

#: ``Proxy got message 'EventOnHook' ('87')``, or the message name alone on its line
HEADER = re.compile(r"(?:^|\s)'(?P<name>(?:Event|Request)[A-Za-z0-9_]+)'\s+\('(?P<id>\d+)'\)\s*$")
_ATTR = re.compile(r"^(?P<name>[A-Za-z][A-Za-z0-9_]*)\s*(?:\[(?P<type>[A-Za-z0-9_]+)\])?\s*=\s*(?P<value>.*)$")
_PAIR = re.compile(r"^'(?P<key>.*?)'\s*(?:\[(?P<type>[A-Za-z0-9_]+)\])?\s*=\s*(?P<value>.*)$")
_ATTRIBUTES = re.compile(r"^(?:message\s+)?attributes:$", re.IGNORECASE)
_COMPLEX = re.compile(r"^ComplexClass\([A-Za-z0-9_]*\):?$")
_KVLIST = re.compile(r"^KVList:?$")
_ENUM_LABEL = re.compile(r"\s+\[[A-Za-z_][A-Za-z0-9_]*\]$")  # "2 [Inbound]"


def continues(line: str, body: str) -> bool:
    """Whether ``line`` belongs to an open SDK message: the attributes header, an attribute
    line, a key-value pair, or a member of a ``ComplexClass`` group."""
    if not body or HEADER.search(body):
        return False
    return bool(_ATTRIBUTES.match(body) or _PAIR.match(body) or _ATTR.match(body))


class SdkBlock:
    """One SDK message being read."""

    form = "SDK"
    __slots__ = ("line", "event", "switch", "stamp", "attrs", "seq", "secs", "usecs", "kv", "group")

    def __init__(self, line: int, event: str, switch: str | None, stamp: float | None):
        self.line, self.event, self.switch, self.stamp = line, event, switch, stamp
        self.attrs: dict[str, Any] = {}
        self.seq: int | None = None
        self.secs: int | None = None
        self.usecs: int | None = None
        self.kv = KVStack()
        self.group: int | None = None  # indentation of an open ComplexClass header

    accepts = staticmethod(continues)

    def event_name(self) -> str:
        return self.event

    def feed(self, line: str, body: str) -> None:
        if _ATTRIBUTES.match(body):
            return
        indent = indent_of(line)
        if body[0] == "'":
            self._pair(indent, body)
            return
        self.kv.clear()
        m = _ATTR.match(body)
        if m is None:
            raise Bad(f"bad attribute line {body[:60]!r}")
        if self.group is not None and indent <= self.group:
            self.group = None
        name, text = m["name"], m["value"].strip()
        if _COMPLEX.match(text):  # "Time = ComplexClass(TimeStamp):" - its members follow
            self.group = indent
            return
        if not name.startswith("Attribute"):
            raise Bad(f"bad attribute line {body[:60]!r}")
        self._set(name.removeprefix("Attribute"), m["type"], text, indent)

    def _set(self, log_name: str, tag: str | None, text: str, indent: int) -> None:
        if log_name in (SEQ_ATTR, SECS_ATTR, USECS_ATTR):
            if not text.isdigit():
                raise Bad(f"Attribute{log_name}: expected a decimal integer, got {text[:20]!r}")
            setattr(self, {SEQ_ATTR: "seq", SECS_ATTR: "secs", USECS_ATTR: "usecs"}[log_name], int(text))
            return
        key = TRACE_KEYS.get(log_name, log_name)
        if _KVLIST.match(text):
            value: Any = {}
            self.kv.top_level(indent + 1, value)
        else:
            value = _value(key, tag, text, typed=True)
        self.attrs[key] = value

    def _pair(self, indent: int, body: str) -> None:
        target = self.kv.target(indent)
        m = _PAIR.match(body)
        if m is None:
            raise Bad(f"bad key-value line {body[:60]!r}")
        text = m["value"].strip()
        if _KVLIST.match(text):
            nested: dict[str, Any] = {}
            target[m["key"]] = nested
            self.kv.nested(indent, nested)
            return
        target[m["key"]] = _value(m["key"], m["type"], text, typed=False) if text else ""


def _value(key: str, tag: str | None, text: str, typed: bool) -> Any:
    """An SDK value: ``"text"`` (runs to the last double quote), a number, a bare token."""
    if text.startswith('"'):
        end = text.rfind('"')
        if end == 0:
            raise Bad(f"{key}: unterminated quoted string")
        return text[1:end]
    text = _ENUM_LABEL.sub("", text)
    if typed and (key in CONNID_KEYS or key in STR_KEYS):
        return text  # a ConnID printed as a [long] is still its hex text
    if tag == "str":
        return text
    return parse_value(key, text, typed=typed)
