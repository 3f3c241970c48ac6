"""The trace checker: the simulator invariants of docs/reference/tevents.md §11 on an ``events.jsonl``.

Pure and streaming (no SimPy): :class:`Checker` is fed TEvents in trace order and collects
:class:`Violation` records. What it verifies, rule by rule (the rule id prefixes each message):

* ``seq``      — §11.1: one strictly increasing EventSequenceNumber per switch; only the
                 library events EventServerConnected / Disconnected may lack it; time never
                 goes back; ServerStartTime, when present, is constant.
* ``connid``   — §11.2: ConnID is 16 hex digits, CallUUID 32 characters; one CallUUID per
                 ConnID and one ConnID per CallUUID; CallType constant per ConnID; consult
                 calls carry PreviousConnID on Dialing / Ringing.
* ``leg``      — §11.3: the per-DN call-leg state machine (Dialing, Ringing, Queued,
                 RouteRequest open a leg; Established, Held, Retrieved, NetworkReached,
                 DestinationBusy move it; Released, Abandoned, Diverted, RouteUsed close it;
                 EventPartyChanged moves a leg from PreviousConnID to ConnID). Legs reported
                 by registration data (conn-N / ps-N, CallsQuery) are taken as they are reported.
* ``queue``    — §11.4: ThisQueue = ThisDN on Queued / RouteRequest; on an agent DN, the
                 Ringing of a call a mediation DN delivered carries that DN as ThisQueue
                 (none otherwise), repeated on every later event of the leg.
* ``acw``      — §11.5: AfterCallWork only after an established ACD call on the DN.
* ``userdata`` — §11.6: once attached, every later call event of the ConnID carries the
                 current set.
* ``delivery`` — §11.7: DN events only while Stat Server is connected, the link is up, the DN
                 is registered (EventRegistered, not EventError) and in service.
"""

from __future__ import annotations

import re
from collections import deque
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from sim.tlib.codes import CallType
from sim.tlib.event import TEvent

_HEX16 = re.compile(r"^[0-9a-fA-F]{16}$")
UNKNOWN = "?"   # ThisQueue of a leg learned from registration data: not checked
CALL_TYPES = frozenset(int(c) for c in CallType)   # the codes T-Library defines (docs/formats.md)
FORGET_AFTER = 3600.0   # seconds a ConnID without legs is remembered (CallUUID, CallType, UserData)

CALL_EVENTS = frozenset("""EventRinging EventDialing EventNetworkReached EventDestinationBusy
EventEstablished EventReleased EventAbandoned EventHeld EventRetrieved EventQueued EventDiverted
EventPartyChanged EventPartyAdded EventPartyDeleted EventRouteRequest EventRouteUsed
EventAttachedDataChanged""".split())
AGENT_EVENTS = frozenset("""EventAgentLogin EventAgentLogout EventAgentReady EventAgentNotReady
EventAgentAfterCallWork EventDNDOn EventDNDOff EventOffHook EventOnHook EventUserEvent
EventDNOutOfService EventDNBackInService""".split())
_PS_STATE = {0xA: "ringing", 0xC: "established", 0xE: "held", 0x10001: "dialing", 0x1: "dialing",
             0x9: "queued", 0x800: "routing", 0xB: "busy"}
_REGULAR = frozenset(("dialing", "ringing", "established", "held", "busy"))
_LEG_OPENERS = frozenset(("EventRinging", "EventDialing", "EventQueued", "EventRouteRequest"))
_QUEUE_REPEAT = frozenset(("EventEstablished", "EventHeld", "EventRetrieved", "EventReleased",
                           "EventAbandoned"))


@dataclass(frozen=True, slots=True)
class Violation:
    line: int
    rule: str
    message: str
    file: str = "<trace>"

    def __str__(self) -> str:
        return f"{self.file}:{self.line}: {self.rule}: {self.message}"


class _Leg:
    __slots__ = ("state", "queue")

    def __init__(self, state: str, queue):
        self.state = state
        self.queue = queue


class _Switch:
    __slots__ = ("seq", "time", "start", "seen_connect", "connected", "link", "registered", "oos")

    def __init__(self):
        self.seq = None
        self.time = None
        self.start = None
        self.seen_connect = False
        self.connected = True
        self.link = True
        self.registered: set[str] | None = None   # None: no registration seen, do not check
        self.oos: set[str] = set()


class Checker:
    def __init__(self, file: str = "<trace>", limit: int = 1000):
        self.file = file
        self.limit = limit
        self.violations: list[Violation] = []
        self.count = 0            # all violations, also those past the limit
        self.events = 0
        self._sw: dict[str, _Switch] = {}
        self._legs: dict[tuple[str, str], dict[str, _Leg]] = {}
        self._uuid: dict[tuple[str, str], str] = {}
        self._uuid_conn: dict[tuple[str, str], str] = {}
        self._type: dict[tuple[str, str], int] = {}
        self._ud: dict[tuple[str, str], dict] = {}
        self._open: dict[tuple[str, str], int] = {}      # open legs per ConnID
        self._pending: dict[tuple[str, str, str], str] = {}  # (sw, connid, target) -> delivering DN
        self._routed: set[tuple[str, str, str]] = set()   # RP legs closed by RouteUsed (Q3 Diverted)
        self._acd: dict[tuple[str, str], bool] = {}
        self._idle: deque = deque()
        self._now = 0.0
        self.line = 0

    # --- reporting -------------------------------------------------------------------------------
    def _v(self, rule: str, message: str) -> None:
        self.count += 1
        if len(self.violations) < self.limit:
            self.violations.append(Violation(self.line, rule, message, self.file))

    # --- legs ------------------------------------------------------------------------------------
    def _legs_of(self, sw: str, dn: str) -> dict[str, _Leg]:
        legs = self._legs.get((sw, dn))
        if legs is None:
            legs = self._legs[(sw, dn)] = {}
        return legs

    def _open_leg(self, sw, dn, connid, state, queue):
        legs = self._legs_of(sw, dn)
        if connid in legs:
            self._v("leg", f"{dn}: a leg of {connid} is already open ({legs[connid].state})")
        else:
            self._open[(sw, connid)] = self._open.get((sw, connid), 0) + 1
        legs[connid] = _Leg(state, queue)

    def _close_leg(self, sw, dn, connid):
        legs = self._legs_of(sw, dn)
        leg = legs.pop(connid, None)
        if leg is not None:
            self._dec(sw, connid)
        return leg

    def _dec(self, sw, connid):
        k = (sw, connid)
        n = self._open.get(k, 0) - 1
        if n <= 0:
            self._open.pop(k, None)
            self._idle.append((self._now, k))   # forgotten later (a call may come back: RONA, transfer)
        else:
            self._open[k] = n

    def _forget(self) -> None:
        """Drop what is known about ConnIDs without legs for an hour (memory stays flat)."""
        idle = self._idle
        limit = self._now - FORGET_AFTER
        while idle and idle[0][0] < limit:
            k = idle.popleft()[1]
            if k in self._open:
                continue
            uuid = self._uuid.pop(k, None)
            if uuid is not None:
                self._uuid_conn.pop((k[0], uuid), None)
            self._type.pop(k, None)
            self._ud.pop(k, None)

    # --- main ------------------------------------------------------------------------------------
    def feed(self, ev: TEvent, line: int | None = None) -> None:
        self.events += 1
        self.line = line if line is not None else self.events
        self._now = ev.time
        if self._idle and self._idle[0][0] < ev.time - FORGET_AFTER:
            self._forget()
        name = ev.event
        swname = ev.switch
        sw = self._sw.get(swname)
        if sw is None:
            sw = self._sw[swname] = _Switch()
        a = ev.attrs
        # seq / time (§11.1)
        if ev.seq is None:
            if name not in ("EventServerConnected", "EventServerDisconnected"):
                self._v("seq", f"{name} without a sequence number")
        else:
            if sw.seq is not None and ev.seq <= sw.seq:
                self._v("seq", f"seq {ev.seq} does not increase (previous {sw.seq})")
            sw.seq = ev.seq
        if sw.time is not None and ev.time < sw.time - 1e-7:
            self._v("seq", f"time {ev.time:.6f} earlier than the previous event ({sw.time:.6f})")
        sw.time = ev.time if sw.time is None else max(sw.time, ev.time)
        start = a.get("ServerStartTime")
        if start is not None:
            if sw.start is not None and start != sw.start:
                self._v("seq", f"ServerStartTime changed from {sw.start} to {start}")
            sw.start = start
        # connection and registration
        if name == "EventServerConnected":
            sw.seen_connect = True
            sw.connected = True
            sw.registered = set()
            return
        if name == "EventServerDisconnected":
            sw.connected = False
            sw.registered = set()
            return
        if name == "EventLinkConnected":
            sw.link = True
            return
        if name == "EventLinkDisconnected":
            sw.link = False
            return
        dn = a.get("ThisDN")
        if name in ("EventRegistered", "EventError", "EventAddressInfo", "EventUnregistered"):
            if sw.seen_connect and not sw.connected:
                self._v("delivery", f"{name} while Stat Server is disconnected")
            if dn is None:
                return
            if name == "EventRegistered":
                if sw.registered is None:
                    sw.registered = set()
                sw.registered.add(dn)
                sw.oos.discard(dn)
                ext = a.get("Extensions")
                if ext is not None:
                    self._reported(swname, dn, ext)
            elif name == "EventError" or name == "EventUnregistered":
                if sw.registered is not None:
                    sw.registered.discard(dn)
            else:
                info = a.get("InfoType")
                if info == 9:
                    self._calls_query(swname, dn, a)
                elif a.get("Extensions") is not None and info in (17, 18):
                    self._reported(swname, dn, a["Extensions"])
            return
        if dn is None:
            if name in CALL_EVENTS and name != "EventAttachedDataChanged":
                self._v("leg", f"{name} without ThisDN")
            return
        # delivery (§11.7)
        if sw.seen_connect:
            if not sw.connected:
                self._v("delivery", f"{name} on {dn} while Stat Server is disconnected")
            elif not sw.link:
                self._v("delivery", f"{name} on {dn} while the link is down")
            elif sw.registered is not None and dn not in sw.registered:
                self._v("delivery", f"{name} on {dn}, which Stat Server has not registered")
            elif dn in sw.oos and name != "EventDNBackInService":
                self._v("delivery", f"{name} on {dn} while it is out of service")
        if name == "EventDNOutOfService":
            sw.oos.add(dn)
            return
        if name == "EventDNBackInService":
            sw.oos.discard(dn)
            return
        if name in CALL_EVENTS:
            self._call_event(ev, swname, dn, a)
        elif name == "EventAgentNotReady" and a.get("AgentWorkMode") == 3:
            k = (swname, dn)
            if not self._acd.get(k):
                self._v("acw", f"AfterCallWork on {dn} without an established ACD call before it")
            self._acd[k] = False

    def _reported(self, sw: str, dn: str, ext: dict) -> None:
        """Registration data (conn-N / ps-N) replace what is known about the DN's legs."""
        legs = self._legs_of(sw, dn)
        reported = {}
        i = 1
        while f"conn-{i}" in ext:
            reported[ext[f"conn-{i}"]] = ext.get(f"ps-{i}")
            i += 1
        for connid in list(legs):
            if connid not in reported:
                self._close_leg(sw, dn, connid)
        for connid, ps in reported.items():
            state = _PS_STATE.get((ps or 0) & 0x10FFF, _PS_STATE.get((ps or 0) & 0xF, "established"))
            leg = legs.get(connid)
            if leg is None:
                self._open[(sw, connid)] = self._open.get((sw, connid), 0) + 1
                legs[connid] = _Leg(state, UNKNOWN)
            else:
                leg.state = state
            if state in ("established", "held"):
                self._acd[(sw, dn)] = True

    def _calls_query(self, sw: str, dn: str, a) -> None:
        legs = self._legs_of(sw, dn)
        for key, state in (("ConnID", None), ("PreviousConnID", "held")):
            connid = a.get(key)
            if connid is None:
                continue
            leg = legs.get(connid)
            if leg is None:
                self._open[(sw, connid)] = self._open.get((sw, connid), 0) + 1
                leg = legs[connid] = _Leg(state or "established", UNKNOWN)
            elif state:
                leg.state = state
            q = a.get("ThisQueue")
            if key == "ConnID" and q is not None:
                leg.queue = q

    def _call_event(self, ev: TEvent, sw: str, dn: str, a) -> None:
        name = ev.event
        connid = a.get("ConnID")
        if connid is None:
            self._v("connid", f"{name} on {dn} without ConnID")
            return
        if type(connid) is not str or not _HEX16.match(connid):
            self._v("connid", f"ConnID {connid!r} is not 16 hex digits")
        k = (sw, connid)
        ctype = self._check_call_identity(name, sw, dn, connid, a)
        if self._check_user_data(name, dn, k, connid, a):
            return
        legs = self._legs_of(sw, dn)
        leg = legs.get(connid)
        if name in _LEG_OPENERS:
            self._leg_opened(name, sw, dn, connid, a.get("ThisQueue"))
        elif name == "EventPartyChanged":
            self._leg_moved(sw, dn, connid, a, legs, leg, ctype)
        elif leg is None:
            self._no_leg(name, sw, dn, connid)
        else:
            self._leg_event(name, sw, dn, connid, a, leg)

    def _check_call_identity(self, name: str, sw: str, dn: str, connid: str, a) -> Any:
        """CallUUID and CallType: well formed and constant for a ConnID (§11.2); returns the
        event's CallType."""
        k = (sw, connid)
        uuid = a.get("CallUUID")
        if uuid is not None:
            if len(uuid) != 32:
                self._v("connid", f"CallUUID {uuid!r} is not 32 characters")
            old = self._uuid.get(k)
            if old is None:
                other = self._uuid_conn.get((sw, uuid))
                if other is not None and other != connid:
                    self._v("connid", f"CallUUID {uuid} already belongs to ConnID {other}")
                self._uuid[k] = uuid
                self._uuid_conn[(sw, uuid)] = connid
            elif old != uuid:
                self._v("connid", f"ConnID {connid} changed CallUUID from {old} to {uuid}")
        ctype = a.get("CallType")
        if ctype is not None and ctype not in CALL_TYPES:
            self._v("connid", f"{name} on {dn}: unknown CallType code {ctype}")
        if ctype is not None and name != "EventPartyChanged":
            old = self._type.get(k)
            if old is None:
                self._type[k] = ctype
            elif old != ctype:
                self._v("connid", f"ConnID {connid} changed CallType from {old} to {ctype}")
        if ctype == 4 and name in ("EventDialing", "EventRinging") and not a.get("PreviousConnID"):
            self._v("connid", f"consult {name} on {dn} without PreviousConnID")
        return ctype

    def _check_user_data(self, name: str, dn: str, k: tuple[str, str], connid: str, a) -> bool:
        """User data (§11.6): every event of a call carries the current attached set; True
        when the event was the change of that set (nothing more to check)."""
        ud = a.get("UserData")
        if name == "EventAttachedDataChanged":
            if ud is None:
                self._v("userdata", f"EventAttachedDataChanged on {dn} without UserData")
            else:
                self._ud[k] = dict(ud)
            return True
        known = self._ud.get(k)
        if known is not None and name != "EventPartyChanged":
            if ud is None:
                self._v("userdata", f"{name} on {dn} for {connid} lacks the attached UserData")
            elif dict(ud) != known:
                self._v("userdata", f"{name} on {dn} for {connid} carries UserData that is not the current set")
        elif ud is not None and known is None:
            self._ud[k] = dict(ud)
        return False

    def _leg_opened(self, name: str, sw: str, dn: str, connid: str, q: Any) -> None:
        """The state machine (§11.3) and ThisQueue (§11.4): a new leg on the DN."""
        if name == "EventRinging":
            expected = self._pending.pop((sw, connid, dn), None)
            # a queue out of service (or never registered) still distributes at the switch;
            # only its EventDiverted is not delivered to Stat Server (§11.7)
            unseen = expected is None and q is not None and (
                q in self._sw[sw].oos or (self._sw[sw].registered is not None and q not in self._sw[sw].registered))
            if q != expected and not unseen:
                self._v("queue", f"EventRinging on {dn}: ThisQueue {q!r}, expected {expected!r}")
            self._open_leg(sw, dn, connid, "ringing", q if unseen else expected)
        elif name == "EventDialing":
            self._open_leg(sw, dn, connid, "dialing", q)
        elif name == "EventQueued" or name == "EventRouteRequest":
            self._pending.pop((sw, connid, dn), None)
            if q != dn:
                self._v("queue", f"{name} on {dn}: ThisQueue {q!r}, expected {dn!r}")
            self._open_leg(sw, dn, connid, "queued" if name == "EventQueued" else "routing", dn)

    def _leg_moved(self, sw: str, dn: str, connid: str, a, legs: dict, leg: Any, ctype: Any) -> None:
        """EventPartyChanged: the leg of PreviousConnID moves to the new ConnID."""
        k = (sw, connid)
        prev = a.get("PreviousConnID")
        pleg = legs.get(prev) if prev is not None else None
        if pleg is not None:
            self._close_leg(sw, dn, prev)
            if leg is None:
                self._open[(sw, connid)] = self._open.get((sw, connid), 0) + 1
                legs[connid] = pleg
                if ctype is not None:
                    self._type[k] = ctype
        elif leg is None:
            self._v("leg", f"EventPartyChanged on {dn}: no leg on {prev} or {connid}")

    def _no_leg(self, name: str, sw: str, dn: str, connid: str) -> None:
        """An event for a call the DN has no leg of."""
        if name == "EventDiverted" and (sw, dn, connid) in self._routed:
            self._routed.discard((sw, dn, connid))
        elif name == "EventReleased" or name == "EventAbandoned":
            self._v("leg", f"{name} on {dn} for {connid}, which has no leg there")
        else:
            self._v("leg", f"{name} on {dn} for {connid} without an earlier Ringing, Dialing, "
                    "Queued, RouteRequest or moved leg")

    def _leg_event(self, name: str, sw: str, dn: str, connid: str, a, leg: Any) -> None:
        """An event on an existing leg: the transitions of §11.3, ThisQueue repeated (§11.4)."""
        q = a.get("ThisQueue")
        st = leg.state
        if leg.queue is not UNKNOWN and name in _QUEUE_REPEAT and st in _REGULAR and q != leg.queue:
            self._v("queue", f"{name} on {dn}: ThisQueue {q!r}, the leg's is {leg.queue!r}")
        if name == "EventEstablished":
            if st not in ("ringing", "dialing"):
                self._v("leg", f"EventEstablished on {dn} for {connid} in state {st}")
            leg.state = "established"
            if leg.queue is not None and leg.queue is not UNKNOWN:
                self._acd[(sw, dn)] = True
        elif name == "EventHeld":
            if st != "established":
                self._v("leg", f"EventHeld on {dn} for {connid} in state {st}")
            leg.state = "held"
        elif name == "EventRetrieved":
            if st != "held":
                self._v("leg", f"EventRetrieved on {dn} for {connid} in state {st}")
            leg.state = "established"
        elif name == "EventNetworkReached":
            if st != "dialing":
                self._v("leg", f"EventNetworkReached on {dn} for {connid} in state {st}")
        elif name == "EventDestinationBusy":
            if st != "dialing":
                self._v("leg", f"EventDestinationBusy on {dn} for {connid} in state {st}")
            leg.state = "busy"
        elif name == "EventReleased":
            self._close_leg(sw, dn, connid)
        elif name == "EventAbandoned":
            if st not in ("ringing", "queued", "routing", "dialing"):
                self._v("leg", f"EventAbandoned on {dn} for {connid} in state {st}")
            self._close_leg(sw, dn, connid)
        elif name == "EventDiverted":
            if st not in ("queued", "ringing", "routing"):
                self._v("leg", f"EventDiverted on {dn} for {connid} in state {st}")
            self._close_leg(sw, dn, connid)
            target = a.get("ThirdPartyDN")
            if target is not None and st in ("queued", "routing"):
                self._pending.setdefault((sw, connid, target), dn)
        elif name == "EventRouteUsed":
            if st != "routing":
                self._v("leg", f"EventRouteUsed on {dn} for {connid} in state {st}")
            self._close_leg(sw, dn, connid)
            self._routed.add((sw, dn, connid))
            target = a.get("ThirdPartyDN")
            if target is not None:
                self._pending[(sw, connid, target)] = dn
        # EventPartyAdded / EventPartyDeleted: the leg exists, nothing changes

    def finish(self) -> None:
        """End of trace: nothing more to verify (open legs may be calls still in progress)."""


def check_events(events: Iterable[TEvent], file: str = "<trace>", limit: int = 1000) -> Checker:
    c = Checker(file, limit)
    for ev in events:
        c.feed(ev)
    c.finish()
    return c


def check_file(path: str, limit: int = 1000) -> Checker:
    """Check a trace file; unreadable lines count as violations (rule ``format``)."""
    from sim.tlib.trace import read_events
    c = Checker(path, limit)
    lineno = 0

    def lines():
        nonlocal lineno
        with open(path, "rb") as fh:
            for lineno, line in enumerate(fh, 1):  # noqa: B007
                yield line

    def problem(p):
        c.line = p.line
        c._v("format", p.reason)

    for ev in read_events(lines(), path, problem):
        c.feed(ev, lineno)
    c.finish()
    return c
