"""The T-Server of one switch, and the DNs it reports on.

A real T-Server numbers every event it sends (one ``EventSequenceNumber`` counter per server),
gives each call a ConnID and CallUUID, answers client requests (TRegisterAddress ->
EventRegistered, TQueryAddress -> EventAddressInfo, failures -> EventError) and delivers each
event only to the clients registered on its ThisDN (docs/reference/tevents.md §2, §11). Here the one client
whose view is traced is Stat Server (docs/reference/contracts.md §1): :class:`TServer` keeps its connection
state, its registrations and the link state, and hands each event Stat Server would receive to
the sink, in emission order.

:class:`DN` is a directory number of the switch; its ``legs`` are the switch's truth about the
calls on it (one :class:`Leg` per ConnID with the TPartyState, roles and ThisQueue of the leg),
which the registration answers report (docs/reference/tevents.md §7.2, §14 Q1/Q2/Q14).
"""

from __future__ import annotations

import zlib
from collections.abc import Callable
from types import MappingProxyType
from typing import Any

from sim.tlib.codes import AddressInfoType, AddressType, CallState, ErrorCode
from sim.tlib.event import TEvent
from sim.tlib.rounding import round6

# TPartyState codes (docs/reference/tevents.md §5.8)
PS_INITIATED_DIALING = 0x10001
PS_QUEUED = 0x9
PS_ALERTING = 0xA
PS_BUSY = 0xB
PS_CONNECTED = 0xC
PS_HELD = 0xE
PS_ROUTING = 0x800

ADDRESS_TYPE = {"Extension": AddressType.DN, "ACDPosition": AddressType.Position,
                "ACDQueue": AddressType.Queue, "RoutingPoint": AddressType.RouteDN,
                "VirtualQueue": AddressType.Queue}
_new = tuple.__new__
_T_REGISTERED = int(AddressInfoType.AddressType)
_ERR_NOT_CONFIGURED = int(ErrorCode.TERR_NOT_CONFIGURED)


class Leg:
    """One party's view of one call on one DN."""

    __slots__ = ("call", "ps", "role", "queue", "other", "other_role", "acd", "attrs", "attrs_of")

    def __init__(self, call, ps: int, role: int, queue: str | None, other: str | None,
                 other_role: int | None):
        self.call = call
        self.ps = ps
        self.role = role
        self.queue = queue          # ThisQueue repeated on every event of the leg
        self.other = other
        self.other_role = other_role
        self.acd = queue is not None
        # the attributes every event of the leg carries and the (call, user data) they were
        # built for (sim.model.calls.leg_attrs): role and queue never change; call, other and
        # other_role change together, when the leg moves to another call (_move_leg)
        self.attrs: dict | None = None
        self.attrs_of: tuple | None = None

    def frozen(self) -> Leg:
        """A copy of what the leg is now: T-Server's view of it at an outage, which the
        switch's later changes to the leg (a transfer moving it to another call) do not touch."""
        return Leg(self.call, self.ps, self.role, self.queue, self.other, self.other_role)


class DN:
    """A directory number: an agent's extension / position, an ACD queue, an RP, a VQ."""

    __slots__ = ("number", "switch", "type", "id", "legs", "agent", "registered", "in_service",
                 "reg_failures", "mediation", "snapshot", "told_out")

    def __init__(self, number: str, switch: str, type_: str):
        self.number = number
        self.switch = switch
        self.type = type_
        self.id = f"{number}@{switch}"
        self.legs: dict[str, Leg] = {}
        self.agent = None               # sim.model.agents.Agent on agent DNs
        self.registered = False         # Stat Server holds a registration on it
        self.in_service = True
        self.reg_failures = 0           # registration attempts still to fail (faults)
        self.mediation = type_ in ("ACDQueue", "RoutingPoint", "VirtualQueue")
        self.snapshot: dict[str, Leg] | None = None   # T-Server's view frozen at an outage
        # Stat Server's last word on the DN was EventDNOutOfService: it must hear that the DN
        # is back (or register it again) before any other event of the DN
        self.told_out = False

    def freeze(self) -> None:
        """Keep T-Server's view of the calls on the DN as it is when events stop reaching it."""
        if self.snapshot is None:
            self.snapshot = {connid: leg.frozen() for connid, leg in self.legs.items()}


class TServer:
    """One T-Server: sequence numbers, ids, registration and delivery to Stat Server."""

    def __init__(self, env, name: str, index: int, profile: dict[str, Any], epoch: float,
                 sink: Callable[[TEvent], None]):
        self.env = env
        self.name = name
        self.profile = profile
        self.epoch = epoch
        self.sink = sink
        self.seq = 0
        self._now = -1.0                  # the simulation time self._time was computed for
        self._time = 0.0
        self.ref = 0                      # Stat Server's ReferenceID counter
        self.dns: dict[str, DN] = {}      # number -> DN, in configuration order
        self.connected = False            # Stat Server <-> T-Server
        self.link_up = True               # T-Server <-> switch
        self.live = False                 # connected and link up: call events reach Stat Server
        self._connid = (index + 1) << 52 | (zlib.crc32(name.encode()) & 0xFFFF) << 32
        tag = format(zlib.crc32(name.encode()), "08X")
        self._uuid_prefix = f"SIM{tag}TS{index:03d}"[:16].ljust(16, "0")
        self._callid = 0
        self.extensions = bool(profile.get("registered_extensions", True))

    # --- ids -------------------------------------------------------------------------------
    def new_ids(self) -> tuple[str, str, int]:
        """A fresh (ConnID, CallUUID, CallID) triple (docs/reference/tevents.md §11.2)."""
        self._callid += 1
        n = self._callid
        return format(self._connid + n, "016x"), f"{self._uuid_prefix}{n:016X}", n

    # --- delivery --------------------------------------------------------------------------
    def now(self) -> float:
        """Event time: seconds since the Unix epoch in whole microseconds, as the trace keeps
        them (contract 1), so a run and the replay of its trace see the same times. Events of
        one instant share one float (the writers' caches compare times by identity)."""
        now = self.env.now
        if now != self._now:
            self._now = now
            self._time = round6(self.epoch + now)
        return self._time

    def emit(self, name: str, dn: DN, attrs: dict[str, Any]) -> None:
        """An event about ``dn``: numbered always, delivered if Stat Server gets it (§11.7)."""
        if not self.link_up:
            return          # the switch's own activity is invisible to T-Server meanwhile
        self.seq += 1
        if self.live and dn.registered and dn.in_service:
            now = self.env.now              # self.now(), inlined: this runs for every event
            if now != self._now:
                self._now = now
                self._time = round6(self.epoch + now)
            # tuple.__new__: a TEvent without NamedTuple's keyword handling (every call event)
            self.sink(_new(TEvent, (self._time, name, self.name, self.seq, MappingProxyType(attrs))))

    def _send(self, name: str, attrs: dict[str, Any], seq: bool = True) -> None:
        if seq:
            self.seq += 1
        self.sink(TEvent(self.now(), name, self.name, self.seq if seq else None,
                         MappingProxyType(attrs)))

    # --- Stat Server's connection -------------------------------------------------------------
    def client_connect(self) -> None:
        """EventServerConnected, the current link state, then one registration per DN (§9.13)."""
        self.connected = True
        self._send("EventServerConnected", {}, seq=False)
        if self.link_up:
            self._send("EventLinkConnected", {})
            self.live = True
            self.register_all()
        else:
            self._send("EventLinkDisconnected", {})

    def client_disconnect(self) -> None:
        """EventServerDisconnected (library-generated); registrations are dropped (§9.13)."""
        self._send("EventServerDisconnected", {}, seq=False)
        self.connected = False
        self.live = False
        for dn in self.dns.values():
            dn.registered = False

    def register_all(self) -> None:
        for dn in self.dns.values():
            self.register(dn)

    def register(self, dn: DN) -> None:
        """Stat Server's TRegisterAddress(dn) and the answers that follow (docs/reference/actions.md §9)."""
        self.ref += 1
        if dn.reg_failures > 0:
            dn.reg_failures -= 1
            dn.registered = False
            self._send("EventError", {"ThisDN": dn.number, "ReferenceID": self.ref,
                                      "ErrorCode": _ERR_NOT_CONFIGURED,
                                      "ErrorMessage": "DN is not configured in the switch"})
            return
        dn.registered = True
        dn.told_out = False
        if dn.snapshot is not None:
            # registered while out of service: Stat Server now knows the DN's calls from this
            # answer, so the clean-up when the DN is back releases only those that vanish later
            dn.snapshot = None
            dn.freeze()
        attrs: dict[str, Any] = {"ThisDN": dn.number, "ReferenceID": self.ref, "InfoType": _T_REGISTERED,
                                 "InfoStatus": int(ADDRESS_TYPE[dn.type])}
        agent = dn.agent
        if agent is not None and agent.status:
            attrs["AgentID"] = agent.login
        if self.extensions:
            attrs["Extensions"] = self.dn_status(dn)
        self._send("EventRegistered", attrs)
        if not self.extensions:
            self.ref += 1
            info = AddressInfoType.QueueStatus if dn.mediation else AddressInfoType.DNStatus
            ext = self.dn_status(dn)
            q = {"ThisDN": dn.number, "ReferenceID": self.ref, "InfoType": int(info),
                 "InfoStatus": len(dn.legs) if dn.mediation else 0}
            if "AgentID" in attrs:
                q["AgentID"] = attrs["AgentID"]
            q["Extensions"] = ext
            self._send("EventAddressInfo", q)
        if dn.legs and not dn.mediation:
            self.calls_query(dn)
        if not dn.in_service:
            # answered while out of service (the re-registration after a link loss or a
            # reconnection): the client hears at once that the DN is unusable
            self._tell_service(dn, out=True)

    def dn_status(self, dn: DN) -> dict[str, Any]:
        """DN-status / queue-status Extensions (docs/reference/tevents.md §7.2, §14 Q1/Q2)."""
        ext: dict[str, Any] = {}
        if not dn.mediation:
            agent = dn.agent
            status = agent.status if agent is not None else 0
            ext["AgentStatus"] = status
            if status:
                ext["AgentID"] = agent.login
        ext["status"] = 1 if dn.legs else 0
        ext["cnt"] = len(dn.legs)
        for i, (connid, leg) in enumerate(dn.legs.items(), 1):
            ext[f"conn-{i}"] = connid
            ext[f"ps-{i}"] = leg.ps
        return ext

    def calls_query(self, dn: DN) -> None:
        """EventAddressInfo(CallsQuery): active ConnID, held PreviousConnID (§14 Q14)."""
        self.ref += 1
        active = held = None
        for leg in dn.legs.values():
            if leg.ps == PS_HELD:
                held = held or leg
            else:
                active = active or leg
        attrs: dict[str, Any] = {"ThisDN": dn.number, "ReferenceID": self.ref,
                                 "InfoType": int(AddressInfoType.CallsQuery), "InfoStatus": len(dn.legs)}
        main = active or held
        if active is not None:
            attrs["ConnID"] = active.call.connid
        if held is not None:
            attrs["PreviousConnID"] = held.call.connid
        attrs["CallType"] = int(main.call.type)
        attrs["ThisDNRole"] = main.role
        if main.queue is not None:
            attrs["ThisQueue"] = main.queue
        self._send("EventAddressInfo", attrs)

    # --- link and DN faults -----------------------------------------------------------------
    def link_lost(self) -> None:
        """EventLinkDisconnected to every client; T-Server's view freezes (§9.12)."""
        if self.connected:
            self._send("EventLinkDisconnected", {"ErrorCode": int(ErrorCode.TERR_LINK_DOWN),
                                                 "ErrorMessage": "Link down"})
        else:
            self.seq += 1
        self.link_up = False
        self.live = False
        for dn in self.dns.values():
            dn.freeze()

    def link_restored(self) -> None:
        """EventLinkConnected, clean-up of vanished calls, then re-registration (§14 Q11)."""
        self.link_up = True
        self.live = self.connected
        if self.connected:
            self._send("EventLinkConnected", {})
        for dn in self.dns.values():
            if dn.in_service:
                if dn.told_out:         # back in service while the link was down
                    self._tell_service(dn, out=False)
                self._clean_up(dn)
        if self.connected:
            self.register_all()

    def out_of_service(self, dn: DN) -> None:
        dn.in_service = False
        if self.link_up:
            self._tell_service(dn, out=True)
        dn.freeze()

    def back_in_service(self, dn: DN) -> None:
        dn.in_service = True
        if not self.link_up:
            return          # the link restore will tell, clean up and register
        self._tell_service(dn, out=False)
        self._clean_up(dn)
        if self.live:
            self.register(dn)

    def _tell_service(self, dn: DN, out: bool) -> None:
        """EventDNOutOfService / EventDNBackInService: numbered, delivered if Stat Server gets it."""
        self.seq += 1
        if self.live and dn.registered:
            name = "EventDNOutOfService" if out else "EventDNBackInService"
            self.sink(TEvent(self.now(), name, self.name, self.seq, MappingProxyType({"ThisDN": dn.number})))
            dn.told_out = out

    def _clean_up(self, dn: DN) -> None:
        """Release / abandon, CallState SystemError, each call that vanished meanwhile."""
        snap, dn.snapshot = dn.snapshot, None
        if not snap:
            return
        for connid, leg in snap.items():
            if connid in dn.legs:
                continue
            call = leg.call
            attrs = call.attrs(dn.number, leg.role, leg.other, leg.other_role, leg.queue)
            attrs["CallState"] = int(CallState.SystemError)
            self.emit("EventAbandoned" if dn.mediation else "EventReleased", dn, attrs)
