"""Router (URS) logs: the events a router asks T-Server to distribute.

A router reports virtual-queue activity by sending ``RequestDistributeEvent`` to T-Server, which
then distributes the event named in ``AttributeUserEvent`` (EventQueued, EventDiverted,
EventAbandoned) for the virtual-queue DN: that event is what Stat Server receives, so that is
what a request block of a router log becomes::

    16:56:45.746_T_I_006c02462a161006 [14:02] request to 65200(TServer_SW1) message RequestDistributeEvent
        AttributeUserEvent    EventQueued
        AttributeThisDN    '9000'
        AttributeConnID    006c02462a161006
        ...

The block has no sequence number and no event time of its own: the time is the log line's
stamp (the latest stamp seen, router logs print one only when the second changes), and the
request's ``ReferenceID`` stays with the request. Other request blocks and the router's
narration (``_I_I_<ConnID> [09:04] ...``) are skipped and counted.
"""

from __future__ import annotations

import re

from sim.tlib.codes import EVENT_NAMES, MessageType
from sim.tlib.logforms.common import Bad
from sim.tlib.logforms.tserver import MessageBlock

#: ``request to 65200(TServer_SW1) message RequestDistributeEvent``, narration may come first
REQUEST_TO = re.compile(r"(?:^|\s)request to \d+\((?P<app>[^)]*)\).*?message\s+(?P<name>Request\w+)\s*$")
#: a router narration record: ``_I_I_006c02462a161006 [09:04] ...`` (a stamp may come first)
URS_TAG = re.compile(r"^(?:\d{2}:\d{2}:\d{2}(?:\.\d+)?)?_[A-Z]_[A-Z]_[0-9a-fA-F]*\s*\[[0-9A-Fa-f]{2}:[0-9A-Fa-f]{2}\]")
DISTRIBUTE = "RequestDistributeEvent"
#: request attributes that describe the request, not the distributed event
_REQUEST_ONLY = ("UserEvent", "ReferenceID")


class DistributeBlock(MessageBlock):
    """A ``RequestDistributeEvent`` block; :meth:`event_name` is the event it distributes."""

    form = "URS"
    __slots__ = ()

    def event_name(self) -> str:
        code = self.attrs.get("UserEvent")
        if code is None:
            raise Bad(f"{DISTRIBUTE}: no AttributeUserEvent naming the event to distribute")
        try:
            name: str = MessageType(code).name
        except ValueError:
            raise Bad(f"{DISTRIBUTE}: AttributeUserEvent {code} is no T-Library message") from None
        if name not in EVENT_NAMES:
            raise Bad(f"{DISTRIBUTE}: AttributeUserEvent {name} is not an event")
        for key in _REQUEST_ONLY:
            self.attrs.pop(key, None)
        self.seq = self.secs = self.usecs = None  # T-Server numbers and times the event it sends
        return name
