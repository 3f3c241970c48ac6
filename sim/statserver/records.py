"""The immutable records the action engine emits (DESIGN contract 3).

* :class:`Action` -- one fact about one action on one object: a durable action's ``start`` or
  ``end``, or an instantaneous ``moment`` (momentary) / ``retro`` (retrospective) action.
  The engine writes the DN-level record first (object types ``RegDN``, ``Queue``,
  ``RoutePoint``) and then its propagated copies for the ``Place`` of the DN and the ``Agent``
  logged in on it (actions.md §7, model 8.1.2+). Group propagation is static (membership in
  the objects file), so group records are not repeated: consumers fan out to groups
  themselves (``Objects.groups_containing``).
* :class:`StatusChange` -- the status of an object (RegDN, Queue, RoutePoint, Place, Agent)
  changed (actions.md §8). Group status counts are derived from member statuses.
* :class:`Request` -- a T-Library request the engine wants its caller to send (TQueryAddress);
  in replay the recorded answers in the trace are used instead.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, NamedTuple

START, END, MOMENT, RETRO = "start", "end", "moment", "retro"


class Action(NamedTuple):
    time: float                 # when this record happened (start, end or instant)
    action: str                 # Stat Server action name, e.g. "CallInbound"
    kind: str                   # START | END | MOMENT | RETRO
    object_type: str            # RegDN | Queue | RoutePoint | Place | Agent
    object: str                 # "DN@Switch", place name or employee id
    aid: int                    # instance id: a durable action's start and end share it
    conn_id: str | None = None  # interaction-related actions only
    call_type: int | None = None
    duration: float | None = None   # on END and RETRO records (seconds, float)
    dn: str | None = None       # the DN the action happened on ("DN@Switch")
    data: Mapping[str, Any] | None = None  # attached data for filters: UserData, Reasons, ...

    @property
    def durable(self) -> bool:
        return self.kind in (START, END)

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"time": round(self.time, 6), "action": self.action, "kind": self.kind,
                             "object_type": self.object_type, "object": self.object}
        if self.conn_id is not None:
            d["ConnID"] = self.conn_id
        if self.call_type is not None:
            d["CallType"] = self.call_type
        if self.duration is not None:
            d["duration"] = round(self.duration, 6)
        if self.dn is not None and self.dn != self.object:
            d["dn"] = self.dn
        if self.data:
            d.update(self.data)
        return d


class StatusChange(NamedTuple):
    time: float
    object_type: str            # RegDN | Queue | RoutePoint | Place | Agent
    object: str
    status: str                 # e.g. "WaitForNextCall"
    previous: str | None        # None for the first status of the object
    call_type: int | None = None          # call type of the winning call action (OQ-3)
    reasons: Mapping[str, Any] | None = None  # reasons of the winning agent-state action

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"time": round(self.time, 6), "object_type": self.object_type,
                             "object": self.object, "status": self.status, "previous": self.previous}
        if self.call_type is not None:
            d["CallType"] = self.call_type
        if self.reasons:
            d["Reasons"] = dict(self.reasons)
        return d


class Request(NamedTuple):
    time: float
    request: str                # "RequestQueryAddress"
    switch: str
    dn: str                     # ThisDN (number only)
    info_type: int              # AddressInfoType code

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "request": self.request, "switch": self.switch,
                "ThisDN": self.dn, "InfoType": self.info_type}


class GroupStatus(NamedTuple):
    """How many members of a GroupAgents / GroupPlaces / GroupQueues are in each status,
    after a member's status changed (actions.md §8.6; no single group status is invented,
    OQ-13). ``counts`` lists only statuses with at least one member."""

    time: float
    object_type: str            # GroupAgents | GroupPlaces | GroupQueues
    object: str
    counts: Mapping[str, int]
    member: str                 # the member whose status change caused this record

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "object_type": self.object_type, "object": self.object,
                "counts": dict(self.counts), "member": self.member}
