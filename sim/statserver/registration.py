"""DN initialisation on registration, registration errors and monitoring (docs/reference/actions.md §9–§11).

The same initialisation runs on the first connection and after every restored connection:
the registration data *reconcile* the actions kept through an outage (an action that agrees
keeps running, one the data contradict ends, the reported state starts; calls no longer
reported end without outcome retrospectives). The source document words each rule as a
transition from a running action; ``rules.AGENT_STATUS_RULES`` holds the mapping.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver.rules import (
    AGENT_STATE_ACTIONS,
    AGENT_STATUS_RULES,
    KEY_AGENT_ID,
    KEY_AGENT_STATUS,
    KEY_CALL_STATUS,
    KEY_CONN_PREFIX,
    KEY_PARTY_STATE_PREFIX,
    ROLE_DESTINATION,
    ROLE_ORIGINATION,
)
from sim.statserver.state import DNState
from sim.tlib.codes import (
    PARTY_GENERIC_MASK,
    AddressInfoType,
    AgentWorkMode,
    CallType,
    PartyState,
    TServerAgentStatus,
)


def _int(value: Any, default: int | None = 0) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def on_registered(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventRegistered: with Extensions they set the DN's state; without, the engine asks
    TQueryAddress (DNStatus, or QueueStatus for a mediation DN) and waits for the answer."""
    dn.registration_error = False
    ext = ev.attrs.get("Extensions")
    if ext is None:
        info = AddressInfoType.QueueStatus if dn.mediation else AddressInfoType.DNStatus
        eng.request(dn, "RequestQueryAddress", t, int(info))
        return
    apply_status_data(eng, dn, ev, ext, t)


def on_address_info(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAddressInfo: every answer is applied when it arrives, asked for or not (§9.2)."""
    info = ev.attrs.get("InfoType")
    if info in (AddressInfoType.DNStatus, AddressInfoType.QueueStatus):
        apply_status_data(eng, dn, ev, ev.attrs.get("Extensions") or {}, t)
    elif info == AddressInfoType.CallsQuery and not dn.mediation:
        apply_calls_query(eng, dn, ev, t)


def on_error(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventError: never starts or ends actions by itself (§10). An error instead of the
    CallsQuery answer means the T-Server cannot answer it: the reported calls become
    CallUnknown (§9.2); otherwise the DN waits for its first non-error event."""
    if dn.pending_query:
        _resolve_pending(eng, dn, t)
        return
    dn.registration_error = True


def on_unregistered(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventUnregistered (DN removed or changed in configuration) -> NotMonitored (§10)."""
    dn.unregistered = True
    eng.set_monitored(dn, t)


def on_out_of_service(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventDNOutOfService / EventDNBackInService: one DN leaves / rejoins monitoring (§11)."""
    dn.out_of_service = ev.event == "EventDNOutOfService"
    if not dn.out_of_service:
        dn.unregistered = False
    eng.set_monitored(dn, t)


def apply_status_data(eng: ActionEngine, dn: DNState, ev: TEvent, ext: Mapping[str, Any], t: float) -> None:
    if dn.mediation:
        from sim.statserver import mediation
        mediation.apply_queue_status(eng, dn, ext, t)
        return
    _apply_agent_data(eng, dn, ev, ext, t)
    _apply_call_data(eng, dn, ext, t)


def _apply_agent_data(eng: ActionEngine, dn: DNState, ev: TEvent, ext: Mapping[str, Any], t: float) -> None:
    from sim.statserver import regular
    status = _int(ext.get(KEY_AGENT_STATUS))
    login = ev.attrs.get("AgentID") or ext.get(KEY_AGENT_ID)
    if login is not None:
        login = str(login)
    if login or status > TServerAgentStatus.NoAgent:
        # LoggedOut ends when an AgentID is reported (source document).
        eng.end(dn, "LoggedOut", t)
        if login and dn.agent_login not in (None, login) and "LoggedIn" in dn.running:
            regular._logout(eng, dn, t, moment=False)     # another agent than the one kept
            eng.end(dn, "LoggedOut", t)
        if login or dn.agent is None:
            eng.bind(dn, login or dn.agent_login, t)
        eng.start(dn, "LoggedIn", t, data={"AgentID": login} if login else None)
    else:
        regular._logout(eng, dn, t, moment=False)         # no agent reported
    wanted = AGENT_STATUS_RULES.get(status)
    if wanted is None or wanted in dn.running:
        return                                            # 0/1, or it already runs: keep it
    for other in AGENT_STATE_ACTIONS:
        if other != wanted:
            regular.end_agent_state(eng, dn, other, t)
    dn.acw_pending = None
    data = {"AgentWorkMode": AgentWorkMode.WalkAway} if status == TServerAgentStatus.WalkAway else None
    # ACW from registration is not interaction-related: no ConnID, no call-type action.
    eng.start(dn, wanted, t, data=data, key=wanted)


def _reported_calls(ext: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    calls = []
    for key, value in ext.items():
        if key.startswith(KEY_CONN_PREFIX):
            n = key[len(KEY_CONN_PREFIX):]
            ps = ext.get(KEY_PARTY_STATE_PREFIX + n)
            calls.append((str(value), None if ps is None else _int(ps, None)))
    return calls


def _apply_call_data(eng: ActionEngine, dn: DNState, ext: Mapping[str, Any], t: float) -> None:
    from sim.statserver import regular
    calls = _reported_calls(ext)
    reported = {conn for conn, _ in calls}
    for conn in [c for c in dn.legs if c not in reported]:
        if calls or not _int(ext.get(KEY_CALL_STATUS)):
            leg = dn.legs.pop(conn)          # vanished during the outage: no outcome (OQ-23)
            eng.end_conn(dn, conn, t)
            leg.dists.clear()
    if not calls:
        if not _int(ext.get(KEY_CALL_STATUS)):
            eng.end(dn, "OffHook", t)
            eng.start(dn, "OnHook", t)
            if dn.acw_pending is not None and not dn.legs:
                regular.after_call_removed(eng, dn, t)
        # status 1 without ConnIDs: busy after a switch re-sync; start nothing (§9.2 step 3).
        return
    pending = False
    for conn, ps in calls:
        if conn in dn.legs:
            continue                           # tracked already: keeps its actions and times
        generic = (ps or 0) & PARTY_GENERIC_MASK
        if generic == PartyState.Alerting:
            leg = regular._new_leg(dn, conn, CallType.Unknown, "ringing", t)
            leg.origin = "rung"
            eng.start(dn, "CallRinging", t, conn, leg.ctype)
        elif ps is not None and (generic == PartyState.Initiated or ps & PartyState.Dialing):
            leg = regular._new_leg(dn, conn, CallType.Unknown, "dialing", t)
            leg.origin = "dialed"
            eng.start(dn, "CallDialing", t, conn, leg.ctype)
        else:
            leg = regular._new_leg(dn, conn, CallType.Unknown, "pending", t)
            if generic == PartyState.Held:
                leg.held = True
                eng.start(dn, "CallOnHold", t, conn, leg.ctype)
            pending = True
    if pending and not dn.pending_query:
        dn.pending_query = True
        eng.request(dn, "RequestQueryAddress", t, int(AddressInfoType.CallsQuery))


def apply_calls_query(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """AddressInfoCallsQuery: ConnID = the active call, PreviousConnID = the held call; each
    starts Call<T> with Call<T>Started (CallType of the answer, Unknown when absent), plus the
    Originated / Received companion when ThisDNRole is given (OQ-19)."""
    from sim.statserver import regular
    a = ev.attrs
    active, held = a.get("ConnID"), a.get("PreviousConnID")
    ctype = a.get("CallType", CallType.Unknown)
    role = a.get("ThisDNRole")
    origin = "dialed" if role == ROLE_ORIGINATION else "rung" if role == ROLE_DESTINATION else None
    data = regular.call_data(ev)
    for conn, is_held in ((active, False), (held, True)):
        if conn is None:
            continue
        leg = dn.legs.get(conn)
        if leg is None:
            leg = regular._new_leg(dn, conn, CallType.Unknown, "pending", t)
        if leg.typed is not None:
            continue
        if leg.phase == "pending":
            leg.ctype = regular._ctype(ctype if not is_held or active is None else CallType.Unknown)
            leg.origin = origin
        leg.phase = "established"
        leg.talk_start = t
        leg.this_queue = a.get("ThisQueue")
        if is_held and not leg.held:
            leg.held = True
            eng.start(dn, "CallOnHold", t, conn, leg.ctype)
        regular.start_call_type(eng, dn, leg, t, data)
    _resolve_pending(eng, dn, t)


def _resolve_pending(eng: ActionEngine, dn: DNState, t: float) -> None:
    """Calls reported but not typed by a CallsQuery answer start as CallUnknown (§9.2)."""
    from sim.statserver import regular
    dn.pending_query = False
    for leg in dn.legs.values():
        if leg.phase == "pending":
            leg.phase = "established"
            leg.talk_start = t
            regular.start_call_type(eng, dn, leg, t, None)


DISPATCH = {
    "EventRegistered": on_registered,
    "EventAddressInfo": on_address_info,
    "EventUnregistered": on_unregistered,
    "EventDNOutOfService": on_out_of_service,
    "EventDNBackInService": on_out_of_service,
}
