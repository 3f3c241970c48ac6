"""The immutable records the action engine emits (docs/reference/contracts.md §3).

* :class:`Action` -- one fact about one action on one object: a durable action's ``start`` or
  ``end``, or an instantaneous ``moment`` (momentary) / ``retro`` (retrospective) action.
  The engine writes the DN-level record first (object types ``RegDN``, ``Queue``,
  ``RoutePoint``) and then its propagated copies for the ``Place`` of the DN and the ``Agent``
  logged in on it (docs/reference/actions.md §7, model 8.1.2+). Group propagation is static (membership in
  the objects file), so group records are not repeated: consumers fan out to groups
  themselves (``Objects.groups_containing``).
* :class:`StatusChange` -- the status of an object (RegDN, Queue, RoutePoint, Place, Agent)
  changed (docs/reference/actions.md §8). Group status counts are derived from member statuses.
* :class:`Request` -- a T-Library request the engine wants its caller to send (TQueryAddress);
  in replay the recorded answers in the trace are used instead.
* :class:`GroupStatus` -- a group's per-status member counts after a member's status changed.

Records are values: they are never changed after they are made (``_replace`` makes a new one),
compare equal field by field, and read like the NamedTuples they used to be (``rec.time``,
``rec._replace(kind=END)``). They are plain classes rather than tuples because the engine
makes about ten of them per TEvent: compiled by mypyc (setup.py), a plain class is built and
read several times faster than a tuple subclass.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, ClassVar, Final

START: Final = "start"
END: Final = "end"
MOMENT: Final = "moment"
RETRO: Final = "retro"


class Record:
    """Value semantics shared by the records: equality, repr and ``_replace`` over FIELDS."""

    FIELDS: ClassVar[tuple[str, ...]] = ()
    time: float                   # every record has one (set by the subclass)

    def _values(self) -> tuple[Any, ...]:
        return tuple(getattr(self, f) for f in self.FIELDS)

    def __eq__(self, other: object) -> bool:
        return type(other) is type(self) and self._values() == other._values()  # type: ignore[attr-defined]

    def __ne__(self, other: object) -> bool:
        return not self.__eq__(other)

    def __hash__(self) -> int:
        return hash(self._values())

    def __repr__(self) -> str:
        fields = ", ".join(f"{f}={getattr(self, f)!r}" for f in self.FIELDS)
        return f"{type(self).__name__}({fields})"

    def _replace(self, **changes: Any) -> Any:
        kw = {f: getattr(self, f) for f in self.FIELDS}
        kw.update(changes)
        return type(self)(**kw)


class Action(Record):
    FIELDS: ClassVar[tuple[str, ...]] = ("time", "action", "kind", "object_type", "object", "aid", "conn_id",
                     "call_type", "duration", "dn", "data")

    def __init__(self, time: float, action: str, kind: str, object_type: str, object: str,
                 aid: Any, conn_id: str | None = None, call_type: int | None = None,
                 duration: float | None = None, dn: str | None = None,
                 data: Mapping[str, Any] | None = None) -> None:
        self.time = time                  # when this record happened (start, end or instant)
        self.action = action              # Stat Server action name, e.g. "CallInbound"
        self.kind = kind                  # START | END | MOMENT | RETRO
        self.object_type = object_type    # RegDN | Queue | RoutePoint | Place | Agent
        self.object = object              # "DN@Switch", place name or employee id
        self.aid = aid                    # instance id (an int): a durable action's start and end share it
        #                                   (the very object: see state.Running.aid)
        self.conn_id = conn_id            # interaction-related actions only
        self.call_type = call_type
        self.duration = duration          # on END and RETRO records (seconds, float)
        self.dn = dn                      # the DN the action happened on ("DN@Switch")
        self.data = data                  # attached data for filters: UserData, Reasons, ...

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


class StatusChange(Record):
    FIELDS: ClassVar[tuple[str, ...]] = ("time", "object_type", "object", "status", "previous", "call_type", "reasons")

    def __init__(self, time: float, object_type: str, object: str, status: str,
                 previous: str | None, call_type: int | None = None,
                 reasons: Mapping[str, Any] | None = None) -> None:
        self.time = time
        self.object_type = object_type    # RegDN | Queue | RoutePoint | Place | Agent
        self.object = object
        self.status = status              # e.g. "WaitForNextCall"
        self.previous = previous          # None for the first status of the object
        self.call_type = call_type        # call type of the winning call action (OQ-3)
        self.reasons = reasons            # reasons of the winning agent-state action

    def to_dict(self) -> dict[str, Any]:
        d: dict[str, Any] = {"time": round(self.time, 6), "object_type": self.object_type,
                             "object": self.object, "status": self.status, "previous": self.previous}
        if self.call_type is not None:
            d["CallType"] = self.call_type
        if self.reasons:
            d["Reasons"] = dict(self.reasons)
        return d


class Request(Record):
    FIELDS: ClassVar[tuple[str, ...]] = ("time", "request", "switch", "dn", "info_type")

    def __init__(self, time: float, request: str, switch: str, dn: str, info_type: int) -> None:
        self.time = time
        self.request = request            # "RequestQueryAddress"
        self.switch = switch
        self.dn = dn                      # ThisDN (number only)
        self.info_type = info_type        # AddressInfoType code

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "request": self.request, "switch": self.switch,
                "ThisDN": self.dn, "InfoType": self.info_type}


class GroupStatus(Record):
    """How many members of a GroupAgents / GroupPlaces / GroupQueues are in each status,
    after a member's status changed (docs/reference/actions.md §8.6; no single group status is invented,
    OQ-13). ``counts`` lists only statuses with at least one member."""

    FIELDS: ClassVar[tuple[str, ...]] = ("time", "object_type", "object", "counts", "member")

    def __init__(self, time: float, object_type: str, object: str, counts: Mapping[str, int],
                 member: str) -> None:
        self.time = time
        self.object_type = object_type    # GroupAgents | GroupPlaces | GroupQueues
        self.object = object
        self.counts = counts
        self.member = member              # the member whose status change caused this record

    def to_dict(self) -> dict[str, Any]:
        return {"time": round(self.time, 6), "object_type": self.object_type, "object": self.object,
                "counts": dict(self.counts), "member": self.member}
