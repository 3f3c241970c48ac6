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

from sim.statserver import agents, mediation
from sim.statserver.calls import (
    as_int,
    call_data,
    ctype_of,
    new_leg,
    reported_calls,
    start_call_type,
)
from sim.statserver.rules import (
    AGENT_STATE_ACTIONS,
    AGENT_STATUS_RULES,
    KEY_AGENT_ID,
    KEY_AGENT_STATUS,
    KEY_CALL_STATUS,
    KEY_CONN_PREFIX,
    LEG_ACTIONS,
    ROLE_DESTINATION,
    ROLE_ORIGINATION,
)
from sim.statserver.state import DNState, Leg
from sim.tlib.codes import (
    PARTY_GENERIC_MASK,
    AddressInfoType,
    AgentWorkMode,
    CallType,
    PartyState,
    TServerAgentStatus,
)


def on_registered(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventRegistered: with DN-status data in its Extensions they set the DN's state;
    without Extensions, or (regular DN) with Extensions that carry no DN-status key, the
    engine asks TQueryAddress (DNStatus, or QueueStatus for a mediation DN), keeps the DN's
    state and waits for the answer."""
    ext = ev.attrs.get("Extensions")
    if ext is None or not (dn.mediation or _is_dn_status(ext)):
        info = AddressInfoType.QueueStatus if dn.mediation else AddressInfoType.DNStatus
        eng.request(dn, "RequestQueryAddress", t, int(info))
        return
    apply_status_data(eng, dn, ev, ext, t)


def _has_agent_part(ext: Mapping[str, Any]) -> bool:
    return ext.get(KEY_AGENT_STATUS) is not None or bool(ext.get(KEY_AGENT_ID))


def _has_call_part(ext: Mapping[str, Any]) -> bool:
    if ext.get(KEY_CALL_STATUS) is not None:
        return True
    for key in ext:
        if key.startswith(KEY_CONN_PREFIX):
            return True
    return False


def _is_dn_status(ext: Mapping[str, Any]) -> bool:
    """DN-status data carry at least one key of the agent part (AgentStatus, AgentID) or of
    the call part (status, conn-N); empty Extensions or unrelated keys are not DN status."""
    return _has_agent_part(ext) or _has_call_part(ext)


def on_address_info(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAddressInfo: every answer is applied when it arrives, asked for or not (§9.2)."""
    info = ev.attrs.get("InfoType")
    if info in (AddressInfoType.DNStatus, AddressInfoType.QueueStatus):
        ext = ev.attrs.get("Extensions") or {}
        if dn.mediation or _is_dn_status(ext):
            apply_status_data(eng, dn, ev, ext, t)
        # an answer without DN-status keys tells nothing: the kept state stays
    elif info == AddressInfoType.CallsQuery and not dn.mediation:
        apply_calls_query(eng, dn, ev, t)


def on_error(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventError: never starts or ends actions by itself (§10). An error instead of the
    CallsQuery answer means the T-Server cannot answer it: the reported calls become
    CallUnknown (§9.2). Otherwise nothing changes: the DN's first non-error event is handled
    normally, like every later one, so no flag needs to remember the error."""
    if dn.pending_query:
        _resolve_pending(eng, dn, t)


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
    """DN-status data. A regular DN's data have an agent part (AgentStatus, AgentID) and a
    call part (status, conn-N, ps-N); a part whose keys are all missing leaves the actions
    it would reconcile as they are (a partial set of keys reports only what it names)."""
    if dn.mediation:
        mediation.apply_queue_status(eng, dn, ext, t)
        return
    if _has_agent_part(ext):
        _apply_agent_data(eng, dn, ev, ext, t)
    if _has_call_part(ext):
        _apply_call_data(eng, dn, ext, t)


def _apply_agent_data(eng: ActionEngine, dn: DNState, ev: TEvent, ext: Mapping[str, Any], t: float) -> None:
    status = as_int(ext.get(KEY_AGENT_STATUS))
    login = ev.attrs.get("AgentID") or ext.get(KEY_AGENT_ID)
    if login:
        login = str(login)
        # The source document: LoggedOut ends when an AgentID is reported (and only then).
        eng.end(dn, "LoggedOut", t)
        if dn.agent_login not in (None, login) and "LoggedIn" in dn.running:
            agents.logout(eng, dn, t, moment=False)     # another agent than the one kept
            eng.end(dn, "LoggedOut", t)
        eng.bind(dn, login, t)
        eng.start(dn, "LoggedIn", t, data={"AgentID": login})
    elif status > TServerAgentStatus.NoAgent:
        # An agent is said to be logged in but not named: a kept login stays, and the agent
        # state applies to it; with no kept login nothing starts (an agent state needs an
        # agent; LoggedOut keeps running until an AgentID is reported).
        if "LoggedIn" not in dn.running:
            return
    else:
        agents.logout(eng, dn, t, moment=False)         # no agent reported
        return
    wanted = AGENT_STATUS_RULES.get(status)
    if wanted is None or wanted in dn.running:
        return                                            # 0/1, or it already runs: keep it
    for other in AGENT_STATE_ACTIONS:
        if other != wanted:
            agents.end_agent_state(eng, dn, other, t)
    dn.acw_pending = None
    data = {"AgentWorkMode": AgentWorkMode.WalkAway} if status == TServerAgentStatus.WalkAway else None
    # ACW from registration is not interaction-related: no ConnID, no call-type action.
    eng.start(dn, wanted, t, data=data, key=wanted)


def _leg_in(eng: ActionEngine, dn: DNState, conn: str, phase: str, t: float) -> Leg:
    """A leg reported by DN-status data in ``phase``: its durable action starts without the
    momentary marker (the call began before the registration)."""
    row = LEG_ACTIONS[phase]
    leg = new_leg(dn, conn, CallType.Unknown, phase, t)
    leg.origin = row.origin
    eng.start(dn, row.durable, t, conn, leg.ctype)
    return leg


def _apply_call_data(eng: ActionEngine, dn: DNState, ext: Mapping[str, Any], t: float) -> None:
    calls = reported_calls(ext)
    reported = {conn for conn, _ in calls}
    for conn in [c for c in dn.legs if c not in reported]:
        if calls or not as_int(ext.get(KEY_CALL_STATUS)):
            leg = dn.legs.pop(conn)          # vanished during the outage: no outcome (OQ-23)
            eng.end_conn(dn, conn, t)
            leg.dists.clear()
    if not calls:
        if not as_int(ext.get(KEY_CALL_STATUS)):
            eng.end(dn, "OffHook", t)
            eng.start(dn, "OnHook", t)
            if dn.acw_pending is not None and not dn.legs:
                agents.after_call_removed(eng, dn, t)
        else:
            # status 1 without ConnIDs (busy after a switch re-sync): start nothing, but ask
            # which calls there are (OQ-21); the answer starts them.
            _ask_calls_query(eng, dn, t)
        return
    pending = False
    for conn, ps in calls:
        generic = (ps or 0) & PARTY_GENERIC_MASK
        tracked = dn.legs.get(conn)
        if tracked is not None:
            # tracked already: keeps its actions and times; reported held, it is on hold now
            if generic == PartyState.Held and tracked.phase == "established":
                _put_on_hold(eng, dn, tracked, t)
            continue
        if generic == PartyState.Alerting:
            leg = _leg_in(eng, dn, conn, "ringing", t)
        elif ps is not None and (generic == PartyState.Initiated or ps & PartyState.Dialing):
            leg = _leg_in(eng, dn, conn, "dialing", t)
        else:
            leg = new_leg(dn, conn, CallType.Unknown, "pending", t)
            if generic == PartyState.Held:
                leg.held = True
                eng.start(dn, LEG_ACTIONS["held"].durable, t, conn, leg.ctype)
            pending = True
    if pending:
        _ask_calls_query(eng, dn, t)


def _ask_calls_query(eng: ActionEngine, dn: DNState, t: float) -> None:
    if not dn.pending_query:
        dn.pending_query = True
        eng.request(dn, "RequestQueryAddress", t, int(AddressInfoType.CallsQuery))


def apply_calls_query(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """AddressInfoCallsQuery: ConnID = the active call, PreviousConnID = the held call. The
    answer's CallType is the active call's (the held call's when it is the only one). One
    call has one phase at a time:

    * a call waiting for its type starts Call<T> with Call<T>Started, plus the Originated /
      Received companion when ThisDNRole is given (OQ-19);
    * a call known ringing or dialing keeps that phase; the answer only gives its type;
    * a call that runs CallUnknown only because an earlier answer did not name it gets its
      type now (the placeholder ends without a retrospective); a call already typed (by an
      earlier answer, or kept through an outage) keeps its type;
    * a tracked call reported as the held one is put on hold if it was not.
    """
    a = ev.attrs
    active, held = a.get("ConnID"), a.get("PreviousConnID")
    ctype = ctype_of(a.get("CallType", CallType.Unknown))
    role = a.get("ThisDNRole")
    origin = "dialed" if role == ROLE_ORIGINATION else "rung" if role == ROLE_DESTINATION else None
    data = call_data(ev)
    for conn, is_held in ((active, False), (held, True)):
        if conn is None:
            continue
        typ = ctype if not is_held or active is None else CallType.Unknown
        leg = dn.legs.get(conn)
        if leg is None:
            leg = new_leg(dn, conn, CallType.Unknown, "pending", t)
        if leg.phase in ("ringing", "dialing"):
            if not leg.queried:
                leg.queried = True
                leg.ctype = typ
            continue
        if is_held:
            _put_on_hold(eng, dn, leg, t)
        if leg.queried or (leg.typed is not None and not leg.placeholder):
            continue
        leg.queried = True
        if leg.placeholder:
            _drop_placeholder(eng, dn, leg, t)
        leg.ctype = typ
        leg.origin = origin
        leg.phase = "established"
        leg.talk_start = t
        leg.this_queue = a.get("ThisQueue")
        start_call_type(eng, dn, leg, t, data)
    _resolve_pending(eng, dn, t)


def _put_on_hold(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> None:
    """Registration data report a call held: CallOnHold starts (no CallHeld: the hold itself
    was not seen) and the call-type action is hidden from status (§8.3.1)."""
    if leg.held:
        return
    leg.held = True
    eng.start(dn, "CallOnHold", t, leg.conn, leg.ctype)
    if leg.typed is not None:
        run = dn.running.get((leg.typed.durable, leg.conn))
        if run is not None:
            eng.hide(dn, run, True)


def _drop_placeholder(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> None:
    """End a CallUnknown started for want of an answer; the call did not complete."""
    acts = leg.typed
    leg.typed = None
    leg.placeholder = False
    if acts is not None:
        eng.end(dn, (acts.durable, leg.conn), t)


def _resolve_pending(eng: ActionEngine, dn: DNState, t: float) -> None:
    """Calls reported but not typed by a CallsQuery answer start as CallUnknown (§9.2); a
    later answer naming one of them still gives its type."""
    dn.pending_query = False
    for leg in dn.legs.values():
        if leg.phase == "pending":
            leg.phase = "established"
            leg.talk_start = t
            leg.placeholder = True
            start_call_type(eng, dn, leg, t, None)


DISPATCH = {
    "EventRegistered": on_registered,
    "EventAddressInfo": on_address_info,
    "EventUnregistered": on_unregistered,
    "EventDNOutOfService": on_out_of_service,
    "EventDNBackInService": on_out_of_service,
}
