"""The canonical per-DN call flows of docs/reference/tevents.md §9, as TEvent sequences.

Each function appends the events of one flow, as Stat Server's connection would receive them,
to a :class:`FlowBuilder`; the conventions are the spec's: external caller ``5551234``, DNIS
``8005550100``, routing point 8000, ACD queues 7000 / 7001, virtual queue 9000, IVR port 6900,
agents 1001 / 1002 / 1003 on DNs 6001 / 6002 / 6003. Tests, the explain view, notebooks and
benchmarks use them as ready-made traces.
"""

from __future__ import annotations

from types import MappingProxyType
from typing import Any

from sim.tlib.codes import AgentWorkMode, CallState, CallType, DNRole
from sim.tlib.event import TEvent

CALLER = "5551234"
DNIS = "8005550100"
IN, OUT, INT, CONS = CallType.Inbound, CallType.Outbound, CallType.Internal, CallType.Consult
ORIG, DEST = DNRole.Origination, DNRole.Destination


class FlowBuilder:
    """Appends TEvents with increasing time and sequence number."""

    def __init__(self, switch: str = "SW1", t0: float = 1_767_571_200.0, step: float = 1.0):
        self.switch = switch
        self.t = t0
        self.step = step
        self.seq = 0
        self.events: list[TEvent] = []
        self._conn = 0x006C02462A161000

    def conn(self) -> str:
        self._conn += 1
        return f"{self._conn:016x}"

    def ev(self, event: str, dt: float | None = None, *, seq: bool = True, **attrs) -> TEvent:
        self.t = round(self.t + (self.step if dt is None else dt), 6)
        s = None
        if seq:
            self.seq += 1
            s = self.seq
        e = TEvent(self.t, event, self.switch, s, MappingProxyType(attrs))
        self.events.append(e)
        return e

    def wait(self, seconds: float) -> None:
        self.t = round(self.t + seconds, 6)


# --- connection and registration (§9.10, §9.11, §9.13) -------------------------------------------
def connect(f: FlowBuilder, dns: dict[str, dict | None]) -> None:
    """Stat Server connects and registers ``dns`` (number -> Extensions, None = none sent)."""
    f.ev("EventServerConnected", 0, seq=False)
    f.ev("EventLinkConnected", 0)
    for i, (number, ext) in enumerate(dns.items(), 1):
        attrs: dict[str, Any] = {"ThisDN": number, "ReferenceID": i, "InfoType": 8}
        if ext is not None:
            attrs["Extensions"] = ext
        f.ev("EventRegistered", 0, **attrs)


IDLE = {"AgentStatus": 0, "status": 0}


def standard_connect(f: FlowBuilder) -> None:
    connect(f, {"6001": IDLE, "6002": IDLE, "6003": IDLE, "6900": IDLE, "7000": {}, "7001": {},
                "8000": {}, "9000": {}})


def login_ready(f: FlowBuilder, dn: str, agent: str, queue: str = "7000") -> None:
    """§9.10 steps 2-3: login (then the initial state event), ready."""
    f.ev("EventAgentLogin", ThisDN=dn, AgentID=agent, ThisQueue=queue, AgentWorkMode=AgentWorkMode.ManualIn)
    f.ev("EventAgentReady", 0, ThisDN=dn, AgentID=agent, ThisQueue=queue, AgentWorkMode=AgentWorkMode.ManualIn)


def login_session(f: FlowBuilder, dn: str = "6001", agent: str = "1001", queue: str = "7000") -> None:
    """§9.10: login, ready, not ready with a reason, logout."""
    login_ready(f, dn, agent, queue)
    f.ev("EventAgentNotReady", ThisDN=dn, AgentID=agent, ThisQueue=queue,
         AgentWorkMode=AgentWorkMode.AuxWork, Reasons={"ReasonCode": "Lunch"})
    f.ev("EventAgentLogout", ThisDN=dn, AgentID=agent, ThisQueue=queue)


# --- inbound (§9.1) -------------------------------------------------------------------------------
def _call_attrs(conn, ctype=IN, **extra):
    return {"ConnID": conn, "CallType": ctype, "CallID": int(conn[-4:], 16), **extra}


def inbound_via_queue(f: FlowBuilder, agent_dn="6001", agent="1001", queue="7000", rp="8000",
                      talk=60.0, acw: float | None = 10.0, wait=5.0, ring=3.0, hold: float | None = None,
                      user_data=None) -> str:
    """§9.1: RP -> ACD queue -> agent -> answered -> released -> ACW -> Ready."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=DEST, **a)
    if user_data:
        f.ev("EventAttachedDataChanged", ThisDN=rp, UserData=user_data, **_call_attrs(c))
        a = {**a, "UserData": user_data}
    f.ev("EventRouteUsed", ThisDN=rp, ThisQueue=rp, ThirdPartyDN=queue, ThirdPartyDNRole=DEST, **a)
    f.ev("EventQueued", 0, ThisDN=queue, ThisQueue=queue, **a)
    f.wait(wait)
    f.ev("EventDiverted", 0, ThisDN=queue, ThisQueue=queue, ThirdPartyDN=agent_dn, ThirdPartyDNRole=DEST, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=queue, ThisDNRole=DEST, AgentID=agent,
         CallState=CallState.Ok, **a)
    f.ev("EventEstablished", ring, ThisDN=agent_dn, ThisQueue=queue, ThisDNRole=DEST, **a)
    if hold is not None:
        f.ev("EventHeld", talk / 3, ThisDN=agent_dn, ThisQueue=queue, **a)
        f.ev("EventRetrieved", hold, ThisDN=agent_dn, ThisQueue=queue, CallState=CallState.Ok, **a)
    f.ev("EventReleased", talk, ThisDN=agent_dn, ThisQueue=queue, CallState=CallState.Ok, **a)
    if acw is not None:
        f.ev("EventAgentNotReady", 0, ThisDN=agent_dn, AgentID=agent, ThisQueue=queue,
             AgentWorkMode=AgentWorkMode.AfterCallWork)
        f.ev("EventAgentReady", acw, ThisDN=agent_dn, AgentID=agent, AgentWorkMode=AgentWorkMode.ManualIn)
    return c


def inbound_routed_to_agent(f: FlowBuilder, agent_dn="6001", agent="1001", rp="8000", talk=30.0) -> str:
    """§9.1 variant: the router sends the call straight to the agent (ThisQueue = RP, Q5)."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventRouteUsed", 2, ThisDN=rp, ThisQueue=rp, ThirdPartyDN=agent_dn, ThirdPartyDNRole=DEST, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=DEST, AgentID=agent, **a)
    f.ev("EventEstablished", 2, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventReleased", talk, ThisDN=agent_dn, ThisQueue=rp, CallState=CallState.Ok, **a)
    return c


def inbound_virtual_queue(f: FlowBuilder, agent_dn="6001", agent="1001", rp="8000", vq="9000",
                          talk=30.0) -> str:
    """§9.1 variant: a router virtual queue (EventQueued / EventDiverted distributed for the VQ)."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventQueued", 0, ThisDN=vq, ThisQueue=vq, ThisDNRole=DEST, **a)
    f.ev("EventRouteUsed", 8, ThisDN=rp, ThisQueue=rp, ThirdPartyDN=agent_dn, ThirdPartyDNRole=DEST, **a)
    f.ev("EventDiverted", 0, ThisDN=vq, ThisQueue=vq, ThirdPartyDN=agent_dn, ThirdPartyDNRole=DEST,
         Reasons={"RTargetTypeSelected": "0", "RTargetAgentSelected": agent}, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=DEST, AgentID=agent, **a)
    f.ev("EventEstablished", 2, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventReleased", talk, ThisDN=agent_dn, ThisQueue=rp, CallState=CallState.Ok, **a)
    return c


def inbound_ivr_two_queues(f: FlowBuilder, agent_dn="6001", agent="1001", ivr="6900",
                           queues=("7000", "7001"), talk=30.0) -> str:
    """§9.1 variant: queued in several queues at once with IVR treatment meanwhile."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    q1, q2 = queues
    f.ev("EventQueued", ThisDN=q1, ThisQueue=q1, **a)
    f.ev("EventQueued", 0, ThisDN=q2, ThisQueue=q2, **a)
    # treatment at an IVR port while the call stays queued in both queues
    f.ev("EventRinging", 1, ThisDN=ivr, ThisDNRole=DEST, **a)
    f.ev("EventEstablished", 0.5, ThisDN=ivr, ThisDNRole=DEST, **a)
    f.ev("EventDiverted", 12, ThisDN=q1, ThisQueue=q1, ThirdPartyDN=agent_dn, **a)
    f.ev("EventDiverted", 0, ThisDN=q2, ThisQueue=q2, ThirdPartyDN=agent_dn, **a)
    f.ev("EventReleased", 0, ThisDN=ivr, CallState=CallState.Ok, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=q2, ThisDNRole=DEST, AgentID=agent, **a)
    f.ev("EventEstablished", 2, ThisDN=agent_dn, ThisQueue=q2, ThisDNRole=DEST, **a)
    f.ev("EventReleased", talk, ThisDN=agent_dn, ThisQueue=q2, CallState=CallState.Ok, **a)
    return c


# --- abandonment and RONA (§9.2, §9.3) ------------------------------------------------------------
def abandon_in_queue(f: FlowBuilder, queue="7000", rp="8000", patience=20.0) -> str:
    """§9.2: the caller hangs up while queued."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventRouteUsed", 1, ThisDN=rp, ThisQueue=rp, ThirdPartyDN=queue, **a)
    f.ev("EventQueued", 0, ThisDN=queue, ThisQueue=queue, **a)
    f.ev("EventAbandoned", patience, ThisDN=queue, ThisQueue=queue, CallState=CallState.Ok,
         ThisDNRole=DEST, **a)
    return c


def abandon_on_routing_point(f: FlowBuilder, rp="8000", patience=4.0) -> str:
    """§9.2: abandon on the RP before routing."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=DEST, **a)
    f.ev("EventAbandoned", patience, ThisDN=rp, ThisQueue=rp, CallState=CallState.Ok, **a)
    return c


def abandon_while_ringing(f: FlowBuilder, agent_dn="6001", agent="1001", queue="7000", ring=6.0) -> str:
    """§9.3: the caller hangs up while the agent DN rings."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventQueued", ThisDN=queue, ThisQueue=queue, **a)
    f.ev("EventDiverted", 2, ThisDN=queue, ThisQueue=queue, ThirdPartyDN=agent_dn, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=queue, ThisDNRole=DEST, AgentID=agent, **a)
    f.ev("EventAbandoned", ring, ThisDN=agent_dn, ThisQueue=queue, CallState=CallState.Ok, **a)
    return c


def ring_no_answer(f: FlowBuilder, agent_dn="6001", agent="1001", other_dn="6002", other="1002",
                   queue="7000", ring=12.0) -> str:
    """§9.3 RONA: released with NoAnswer, redirected back to the queue, answered by another."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventQueued", ThisDN=queue, ThisQueue=queue, **a)
    f.ev("EventDiverted", 1, ThisDN=queue, ThisQueue=queue, ThirdPartyDN=agent_dn, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=queue, AgentID=agent, **a)
    f.ev("EventReleased", ring, ThisDN=agent_dn, ThisQueue=queue, CallState=CallState.NoAnswer, **a)
    f.ev("EventAgentNotReady", 0, ThisDN=agent_dn, AgentID=agent, AgentWorkMode=AgentWorkMode.AuxWork,
         Reasons={"ReasonCode": "RONA"})
    f.ev("EventQueued", 0, ThisDN=queue, ThisQueue=queue, **a)
    f.ev("EventDiverted", 1, ThisDN=queue, ThisQueue=queue, ThirdPartyDN=other_dn, **a)
    f.ev("EventRinging", 0.001, ThisDN=other_dn, ThisQueue=queue, AgentID=other, **a)
    f.ev("EventEstablished", 2, ThisDN=other_dn, ThisQueue=queue, **a)
    f.ev("EventReleased", 20, ThisDN=other_dn, ThisQueue=queue, CallState=CallState.Ok, **a)
    return c


# --- outbound, internal, hold (§9.4-§9.6) ---------------------------------------------------------
def outbound(f: FlowBuilder, dn="6001", agent="1001", number="915551112", talk=40.0) -> str:
    """§9.4: outbound call, answered by the far end, released by the agent."""
    c = f.conn()
    a = _call_attrs(c, OUT, OtherDN=number, OtherDNRole=DEST, DNIS=number)
    f.ev("EventOffHook", ThisDN=dn)
    f.ev("EventDialing", 0.5, ThisDN=dn, ThisDNRole=ORIG, AgentID=agent, **a)
    f.ev("EventNetworkReached", 0.5, ThisDN=dn, **a)
    f.ev("EventEstablished", 8, ThisDN=dn, ThisDNRole=ORIG, **a)
    f.ev("EventReleased", talk, ThisDN=dn, CallState=CallState.Ok, **a)
    f.ev("EventOnHook", 0, ThisDN=dn)
    return c


def outbound_busy(f: FlowBuilder, dn="6001", number="915551113") -> str:
    """§9.4: far end busy -> EventDestinationBusy then EventReleased."""
    c = f.conn()
    a = _call_attrs(c, OUT, OtherDN=number, OtherDNRole=DEST)
    f.ev("EventDialing", ThisDN=dn, ThisDNRole=ORIG, **a)
    f.ev("EventDestinationBusy", 2, ThisDN=dn, CallState=CallState.Busy, **a)
    f.ev("EventReleased", 1, ThisDN=dn, CallState=CallState.Busy, **a)
    return c


def internal(f: FlowBuilder, a_dn="6001", b_dn="6002", talk=25.0) -> str:
    """§9.5: internal call A -> B."""
    c = f.conn()
    a = _call_attrs(c, INT)
    f.ev("EventDialing", ThisDN=a_dn, ThisDNRole=ORIG, OtherDN=b_dn, OtherDNRole=DEST, **a)
    f.ev("EventRinging", 0, ThisDN=b_dn, ThisDNRole=DEST, OtherDN=a_dn, OtherDNRole=ORIG,
         CallState=CallState.Ok, **a)
    f.ev("EventEstablished", 4, ThisDN=a_dn, OtherDN=b_dn, **a)
    f.ev("EventEstablished", 0, ThisDN=b_dn, OtherDN=a_dn, **a)
    f.ev("EventReleased", talk, ThisDN=a_dn, CallState=CallState.Ok, **a)
    f.ev("EventReleased", 0, ThisDN=b_dn, CallState=CallState.Ok, **a)
    return c


def answered_call(f: FlowBuilder, agent_dn="6001", agent="1001", queue="7000") -> tuple[str, dict]:
    """An inbound call answered at ``agent_dn`` and still connected (for the flows below)."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, DNIS=DNIS, OtherDN=CALLER, OtherDNRole=ORIG)
    f.ev("EventQueued", ThisDN=queue, ThisQueue=queue, **a)
    f.ev("EventDiverted", 1, ThisDN=queue, ThisQueue=queue, ThirdPartyDN=agent_dn, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=queue, AgentID=agent, **a)
    f.ev("EventEstablished", 2, ThisDN=agent_dn, ThisQueue=queue, **a)
    return c, a


def hold_retrieve(f: FlowBuilder, agent_dn="6001", agent="1001") -> str:
    """§9.6: hold and retrieve during an inbound call, then release."""
    c, a = answered_call(f, agent_dn, agent)
    f.ev("EventHeld", 10, ThisDN=agent_dn, ThisQueue="7000", **a)
    f.ev("EventRetrieved", 15, ThisDN=agent_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    f.ev("EventReleased", 10, ThisDN=agent_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    return c


# --- transfers and conferences (§9.7-§9.9) --------------------------------------------------------
def two_step_transfer(f: FlowBuilder, a_dn="6001", a_agent="1001", b_dn="6002", blind=False) -> tuple[str, str]:
    """§9.7: consultation transfer A -> B, completed after B answers (or while B rings)."""
    c1, a = answered_call(f, a_dn, a_agent)
    c2 = f.conn()
    k = _call_attrs(c2, CONS, PreviousConnID=c1)
    f.ev("EventHeld", 10, ThisDN=a_dn, ThisQueue="7000", **a)
    f.ev("EventDialing", 0, ThisDN=a_dn, ThisDNRole=ORIG, OtherDN=b_dn, OtherDNRole=DEST, **k)
    f.ev("EventRinging", 0, ThisDN=b_dn, ThisDNRole=DEST, OtherDN=a_dn, OtherDNRole=ORIG,
         CallState=CallState.Ok, **k)
    moved = {**a, "PreviousConnID": c2}
    if blind:
        f.ev("EventReleased", 3, ThisDN=a_dn, CallState=CallState.Transferred, **k)
        f.ev("EventReleased", 0, ThisDN=a_dn, ThirdPartyDN=b_dn, CallState=CallState.Transferred, **a)
        f.ev("EventPartyChanged", 0, ThisDN=b_dn, ThirdPartyDN=a_dn, ThirdPartyDNRole=DNRole.TransferredBy,
             CallState=CallState.Transferred, **moved)
        f.ev("EventEstablished", 2, ThisDN=b_dn, **a)
    else:
        f.ev("EventEstablished", 3, ThisDN=b_dn, OtherDN=a_dn, **k)
        f.ev("EventEstablished", 0, ThisDN=a_dn, OtherDN=b_dn, **k)
        f.ev("EventReleased", 20, ThisDN=a_dn, CallState=CallState.Ok, **k)
        f.ev("EventReleased", 0, ThisDN=a_dn, ThirdPartyDN=b_dn, CallState=CallState.Transferred, **a)
        f.ev("EventPartyChanged", 0, ThisDN=b_dn, ThirdPartyDN=a_dn, ThirdPartyDNRole=DNRole.TransferredBy,
             CallState=CallState.Transferred, **moved)
    f.ev("EventReleased", 40, ThisDN=b_dn, CallState=CallState.Ok, **a)
    return c1, c2


def cancelled_consultation(f: FlowBuilder, a_dn="6001", a_agent="1001", b_dn="6002") -> tuple[str, str]:
    """§9.7 variant: the consultation is cancelled (RequestReconnectCall) while B rings."""
    c1, a = answered_call(f, a_dn, a_agent)
    c2 = f.conn()
    k = _call_attrs(c2, CONS, PreviousConnID=c1)
    f.ev("EventHeld", 5, ThisDN=a_dn, ThisQueue="7000", **a)
    f.ev("EventDialing", 0, ThisDN=a_dn, ThisDNRole=ORIG, OtherDN=b_dn, **k)
    f.ev("EventRinging", 0, ThisDN=b_dn, ThisDNRole=DEST, OtherDN=a_dn, CallState=CallState.Ok, **k)
    f.ev("EventReleased", 4, ThisDN=a_dn, CallState=CallState.Ok, **k)
    f.ev("EventAbandoned", 0, ThisDN=b_dn, CallState=CallState.Ok, **k)
    f.ev("EventRetrieved", 0, ThisDN=a_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    f.ev("EventReleased", 30, ThisDN=a_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    return c1, c2


def single_step_transfer(f: FlowBuilder, a_dn="6001", a_agent="1001", b_dn="6002") -> str:
    """§9.8: single-step transfer; the ConnID does not change."""
    c, a = answered_call(f, a_dn, a_agent)
    f.ev("EventReleased", 15, ThisDN=a_dn, ThisQueue="7000", ThirdPartyDN=b_dn,
         CallState=CallState.Transferred, **a)
    f.ev("EventRinging", 0, ThisDN=b_dn, ThirdPartyDN=a_dn, ThirdPartyDNRole=DNRole.TransferredBy,
         CallState=CallState.Ok, **a)
    f.ev("EventEstablished", 3, ThisDN=b_dn, **a)
    f.ev("EventReleased", 30, ThisDN=b_dn, CallState=CallState.Ok, **a)
    return c


def conference(f: FlowBuilder, a_dn="6001", a_agent="1001", b_dn="6002") -> tuple[str, str]:
    """§9.9: two-step conference A + B with the caller, then B leaves."""
    c1, a = answered_call(f, a_dn, a_agent)
    c2 = f.conn()
    k = _call_attrs(c2, CONS, PreviousConnID=c1)
    f.ev("EventHeld", 10, ThisDN=a_dn, ThisQueue="7000", **a)
    f.ev("EventDialing", 0, ThisDN=a_dn, ThisDNRole=ORIG, OtherDN=b_dn, **k)
    f.ev("EventRinging", 0, ThisDN=b_dn, ThisDNRole=DEST, OtherDN=a_dn, CallState=CallState.Ok, **k)
    f.ev("EventEstablished", 3, ThisDN=b_dn, OtherDN=a_dn, **k)
    f.ev("EventEstablished", 0, ThisDN=a_dn, OtherDN=b_dn, **k)
    f.ev("EventReleased", 10, ThisDN=a_dn, CallState=CallState.Conferenced, **k)
    f.ev("EventRetrieved", 0, ThisDN=a_dn, ThisQueue="7000", CallState=CallState.Conferenced, **a)
    f.ev("EventPartyAdded", 0, **{**a, "ThisDN": a_dn, "OtherDN": b_dn, "OtherDNRole": DNRole.NewParty,
         "ThirdPartyDN": a_dn, "ThirdPartyDNRole": DNRole.AddedBy, "CallState": CallState.Conferenced})
    f.ev("EventPartyChanged", 0, ThisDN=b_dn, ThirdPartyDN=a_dn, ThirdPartyDNRole=DNRole.ConferencedBy,
         CallState=CallState.Conferenced, **{**a, "PreviousConnID": c2})
    f.ev("EventReleased", 30, ThisDN=b_dn, CallState=CallState.Ok, **a)
    f.ev("EventPartyDeleted", 0, **{**a, "ThisDN": a_dn, "OtherDN": b_dn, "OtherDNRole": DNRole.DeletedParty,
         "ThirdPartyDN": b_dn, "ThirdPartyDNRole": DNRole.DeletedBy, "CallState": CallState.Ok})
    f.ev("EventReleased", 20, ThisDN=a_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    return c1, c2


def single_step_conference(f: FlowBuilder, a_dn="6001", a_agent="1001", b_dn="6002") -> str:
    """§9.9: single-step conference: B rings and joins the call with CallState Conferenced."""
    c, a = answered_call(f, a_dn, a_agent)
    f.ev("EventRinging", 5, ThisDN=b_dn, ThirdPartyDN=a_dn, CallState=CallState.Ok, **a)
    f.ev("EventEstablished", 3, ThisDN=b_dn, CallState=CallState.Conferenced, **a)
    f.ev("EventPartyAdded", 0, **{**a, "ThisDN": a_dn, "OtherDN": b_dn, "OtherDNRole": DNRole.NewParty,
         "ThirdPartyDN": a_dn, "ThirdPartyDNRole": DNRole.AddedBy, "CallState": CallState.Conferenced})
    f.ev("EventReleased", 20, ThisDN=b_dn, CallState=CallState.Ok, **a)
    f.ev("EventPartyDeleted", 0, **{**a, "ThisDN": a_dn, "OtherDN": b_dn, "CallState": CallState.Ok})
    f.ev("EventReleased", 10, ThisDN=a_dn, ThisQueue="7000", CallState=CallState.Ok, **a)
    return c


# --- faults (§9.11-§9.13) -------------------------------------------------------------------------
def link_loss(f: FlowBuilder, vanished_dn="6001", agent="1001", outage=30.0) -> str:
    """§9.12: a call is ringing when the CTI link drops; on restore T-Server cleans it up."""
    c = f.conn()
    a = _call_attrs(c, ANI=CALLER, OtherDN=CALLER)
    f.ev("EventRinging", ThisDN=vanished_dn, AgentID=agent, **a)
    f.ev("EventLinkDisconnected", 1, ErrorCode=109, ErrorMessage="Link down")
    f.ev("EventLinkConnected", outage)
    f.ev("EventReleased", 0, ThisDN=vanished_dn, CallState=CallState.SystemError, **a)
    return c


def client_disconnect(f: FlowBuilder, dns: dict[str, dict | None], outage=20.0) -> None:
    """§9.13: Stat Server loses its T-Server connection, reconnects and re-registers."""
    f.ev("EventServerDisconnected", seq=False)
    f.wait(outage)
    connect(f, dns)
