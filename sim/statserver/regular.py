"""Regular DNs (Extension, ACD Position): the event dispatch of docs/reference/actions.md §4.6.

``DISPATCH`` maps each TEvent name to the function that applies its row of the §4.6 table;
each function's docstring quotes that row. The choices inside the rows (which retrospective a
release gives, which agent-state action an event ends) are the tables of ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver import mediation, registration
from sim.statserver.agents import (
    ACW,
    after_call_removed,
    agent_data,
    end_agent_state,
    has_established_call,
    last_call,
    logout,
    same_state,
    set_agent_state,
)
from sim.statserver.calls import (
    call_data,
    conn_of,
    ctype_of,
    end_call_type,
    hide_held,
    leg_of,
    new_leg,
    rekey,
    start_call_type,
    user_event,
)
from sim.statserver.records import RETRO
from sim.statserver.rules import (
    AGENT_STATE_EVENTS,
    CALL_TYPE_ACTIONS,
    CLEANUP_STATES,
    COMPLETION_MOMENT,
    CONFERENCE_BY_ROLES,
    CONFERENCE_MADE,
    CONFERENCE_ORIGINATED,
    LEG_ACTIONS,
    LEG_OPENED_BY,
    OUTCOME_RONA,
    OUTCOME_STUCK,
    PARTY_MOMENT,
    REGULAR_ABANDON_ALIAS,
    ROLE_TRANSFERRED_BY,
    RONA_STATES,
    AgentStateRule,
)
from sim.statserver.state import DNState, Leg
from sim.tlib.codes import CallState

HELD: Final = LEG_ACTIONS["held"]


# ---------------------------------------------------------------------------- attached data


# ---------------------------------------------------------------------------- agent state


def on_agent_login(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAgentLogin: end LoggedOut; start LoggedIn with agent a if not running; start
    AgentLogin(q); bind a <-> d. Do not infer ready/not-ready from the work mode."""
    login = ev.attrs.get("AgentID")
    queue = ev.attrs.get("ThisQueue")
    eng.end(dn, "LoggedOut", t)
    if "LoggedIn" in dn.running and login is not None and dn.agent_login not in (None, login):
        logout(eng, dn, t, moment=False)       # another agent takes the DN: the old one leaves
        eng.end(dn, "LoggedOut", t)
    if login is not None or dn.agent is None:
        eng.bind(dn, login if login is not None else dn.agent_login, t)
    eng.start(dn, "LoggedIn", t, data={"AgentID": login} if login is not None else None)
    if queue is not None:
        eng.start(dn, "AgentLogin", t, data={"ThisQueue": queue}, key=("AgentLogin", queue))
        mediation.queue_login(eng, dn, queue, t)


def on_queue_logout(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventQueueLogout (q): end AgentLogin(q) only."""
    queue = ev.attrs.get("ThisQueue")
    eng.end(dn, ("AgentLogin", queue), t)
    mediation.queue_logout(eng, dn, queue, t)


def agent_state_rule(ev: TEvent) -> AgentStateRule:
    """The row of rules.AGENT_STATE_EVENTS for an agent-state event: EventAgentNotReady is
    split by work mode, AfterCallWork (3) against any other."""
    key = ev.event
    if key == "EventAgentNotReady" and ev.attrs.get("AgentWorkMode") == ACW:
        key = "EventAgentNotReady/ACW"
    return AGENT_STATE_EVENTS[key]


def on_agent_state(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAgentReady / EventAgentNotReady / EventAgentAfterCallWork: apply the event's row of
    rules.AGENT_STATE_EVENTS. The row's ``ends`` end; its ``starts`` is kept when it runs with
    the same work mode and reasons, else (re)started (OQ-6), which ends a pending ACW; a row
    with ``defer_while_on_call`` (AfterCallWork) waits until the last established call is
    released [D 4]. WalkAway stays NotReadyForNextCall with that work mode. EventAgentLogout
    (no ``starts``): end every agent-state action and any pending ACW; end AgentLogin(*); end
    LoggedIn; start LoggedOut; emit AgentLogout; unbind. Call actions continue on d (OQ-7)."""
    rule = agent_state_rule(ev)
    if rule.starts is None:
        logout(eng, dn, t)
        return
    data = agent_data(ev)
    if rule.defer_while_on_call:
        _on_deferred(eng, dn, t, data, rule)
        return
    dn.acw_pending = None
    set_agent_state(eng, dn, rule.starts, t, data, rule.ends)


def _on_deferred(eng: ActionEngine, dn: DNState, t: float, data: dict | None,
                 rule: AgentStateRule) -> None:
    starts = rule.starts or ""
    if not has_established_call(dn):
        set_agent_state(eng, dn, starts, t, data or {"AgentWorkMode": ACW}, rule.ends, *last_call(dn))
        return
    for name in rule.ends:
        end_agent_state(eng, dn, name, t)
    if starts in dn.running and not same_state(dn.running[starts], data):
        end_agent_state(eng, dn, starts, t)
    dn.acw_pending = data or {"AgentWorkMode": ACW}
    for leg in dn.legs.values():
        if leg.phase == "established":
            leg.acw_during = True


def on_hook(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventOffHook / EventOnHook: end OnHook + start OffHook / end OffHook + start OnHook."""
    if ev.event == "EventOffHook":
        eng.end(dn, "OnHook", t)
        eng.start(dn, "OffHook", t)
    else:
        eng.end(dn, "OffHook", t)
        eng.start(dn, "OnHook", t)


# ---------------------------------------------------------------------------- calls


def _open_leg(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> Leg | None:
    """A new call leg on d in the phase the event opens (rules.LEG_OPENED_BY): its durable
    action and the momentary marker of its start (rules.LEG_ACTIONS)."""
    conn = conn_of(eng, ev)
    if conn is None or conn in dn.legs:
        return None
    phase = LEG_OPENED_BY[ev.event]
    row = LEG_ACTIONS[phase]
    a = ev.attrs
    leg = new_leg(dn, conn, ctype_of(a.get("CallType", 0)), phase, t)
    leg.origin = row.origin
    leg.this_queue = a.get("ThisQueue")
    leg.user_data = a.get("UserData")
    data = call_data(ev)
    eng.start(dn, row.durable, t, conn, leg.ctype, data)
    eng.moment(dn, row.started, t, conn, leg.ctype, data)
    return leg


def on_ringing(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventRinging (c, t): start CallRinging(c); emit CallRingingStarted."""
    leg = _open_leg(eng, dn, ev, t)
    if leg is not None:
        leg.transferred = ev.attrs.get("ThirdPartyDNRole") == ROLE_TRANSFERRED_BY
        mediation.link_distribution(eng, dn, leg, t)


def on_dialing(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventDialing (c, t): start CallDialing(c); emit CallDialingStarted."""
    _open_leg(eng, dn, ev, t)


def end_leg_actions(eng: ActionEngine, dn: DNState, leg: Leg, event: str, t: float,
                    retro_of=None) -> None:
    """End the leg's actions that ``event`` ends (rules.LEG_ACTIONS ``ended_by``) with their
    retrospective (``retro_of(row)`` when given: None for a plain end); an outcome of a
    reflected action is reflected on the distributing mediation DN (§5.3)."""
    conn = leg.conn
    for row in LEG_ACTIONS.values():
        key = (row.durable, conn)
        if event not in row.ended_by or key not in dn.running:
            continue
        retro = row.ended_by[event] if retro_of is None else retro_of(row)
        end_leg_action(eng, dn, key, t, retro)
        if row.reflected and retro is not None:
            mediation.reflect_ringing_outcome(eng, dn, leg, retro, t)


def on_established(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventEstablished (c, t): CallRinging(c) ends with CallAnswered, CallDialing(c) with
    CallDialed; if no call-type action runs for c, start Call<t>(c) (+ companion); CallState
    Conferenced -> CallConferenceJoined; a call rung by a transfer -> CallTransferTaken."""
    conn = conn_of(eng, ev)
    if conn is None:
        return
    a = ev.attrs
    leg = dn.legs.get(conn)
    if leg is None:
        leg = new_leg(dn, conn, ctype_of(a.get("CallType", 0)), "established", t)
        leg.this_queue = a.get("ThisQueue")
    elif "CallType" in a:
        leg.ctype = ctype_of(a["CallType"])
    if a.get("UserData"):
        leg.user_data = a["UserData"]
    end_leg_actions(eng, dn, leg, ev.event, t)
    if leg.phase != "established":
        leg.phase = "established"
        leg.talk_start = t
    data = call_data(ev)
    if leg.typed is None:
        start_call_type(eng, dn, leg, t, data)
    if a.get("CallState") == CallState.Conferenced:
        eng.moment(dn, "CallConferenceJoined", t, conn, leg.ctype, data)
    if leg.transferred:
        leg.transferred = False
        eng.moment(dn, "CallTransferTaken", t, conn, leg.ctype, data)


def on_held(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventHeld (c): start CallOnHold(c); emit CallHeld; hide Call<t>(c) from status."""
    leg = leg_of(eng, dn, ev)
    if leg is None or leg.held:
        return
    conn = leg.conn
    leg.held = True
    data = call_data(ev)
    eng.start(dn, HELD.durable, t, conn, leg.ctype, data)
    eng.moment(dn, HELD.started, t, conn, leg.ctype, data)
    hide_held(eng, dn, leg, True)


def on_retrieved(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventRetrieved (c): end CallOnHold(c); emit CallRetrievedFromHold; unhide Call<t>(c)."""
    leg = leg_of(eng, dn, ev)
    if leg is None or not leg.held:
        return
    leg.held = False
    end_leg_actions(eng, dn, leg, ev.event, t)
    hide_held(eng, dn, leg, False)


def _remove_leg(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> None:
    if leg.conn in dn.legs:      # (not dict.pop: a generic method call once compiled)
        del dn.legs[leg.conn]
    dn.closed, dn.closed_at = leg, t    # a distributor may still report it (late_distribution)
    eng.end_conn(dn, leg.conn, t)
    if leg.talk_start is not None:
        dn.last_call = leg
    after_call_removed(eng, dn, t)


def end_leg_action(eng: ActionEngine, dn: DNState, key: Any, t: float, retro: str | None) -> None:
    """End a leg action with its retrospective; with the OQ-5 option on, an abandon from
    ringing also gives the legacy CallAbandoned (same duration, rules.REGULAR_ABANDON_ALIAS)."""
    run = eng.end(dn, key, t, retro)
    alias = REGULAR_ABANDON_ALIAS.get(retro) if eng.regular_call_abandoned and retro else None
    if run is not None and alias is not None:
        eng.instant(dn, alias, RETRO, t, run.conn, run.ctype, t - run.start if t > run.start else 0.0,
                    run.data)


def on_abandoned(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAbandoned (c): if CallRinging(c), end it with CallAbandonedFromRinging; end every
    other action of c on d. (A T-Server clean-up, CallState SystemError / Cleared, gives no
    retrospective, as for EventReleased: OQ-10.)"""
    leg = leg_of(eng, dn, ev)
    if leg is None:
        return
    if ev.attrs.get("CallState") in CLEANUP_STATES:
        end_leg_actions(eng, dn, leg, ev.event, t, lambda row: None)
    else:
        end_leg_actions(eng, dn, leg, ev.event, t)
    end_call_type(eng, dn, leg, t)
    _remove_leg(eng, dn, leg, t)


def on_diverted(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventDiverted (c) on d: if CallRinging(c), end it with CallForwarded."""
    leg = leg_of(eng, dn, ev)
    if leg is None:
        return
    end_leg_actions(eng, dn, leg, ev.event, t)
    _remove_leg(eng, dn, leg, t)


def _by_state(table: Mapping[Any, Any], state: Any):
    return table[state] if state in table else table["*"]


def on_released(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventReleased (c, CallState s): close every action of c on d, choosing the
    retrospective by phase (rules.*_ENDED_BY_RELEASE); the call-type action closes with
    Call<t>Completed plus CallTransferMade / CallConferenceMade; then a pending ACW starts
    and OnHook starts when no call remains."""
    leg = leg_of(eng, dn, ev)
    if leg is None:
        return
    conn = leg.conn
    s = ev.attrs.get("CallState", CallState.Ok)
    for row in LEG_ACTIONS.values():
        key = (row.durable, conn)
        if key in dn.running:
            retro = _by_state(row.ended_by_release, s)
            end_leg_action(eng, dn, key, t, retro)
            if row.reflected and retro is not None:
                outcome = OUTCOME_RONA if s in RONA_STATES else retro
                mediation.reflect_ringing_outcome(eng, dn, leg, outcome, t)
    run = end_call_type(eng, dn, leg, t)
    if run is not None:
        moment = COMPLETION_MOMENT.get(s)
        if moment is not None:
            eng.moment(dn, moment, t, conn, leg.ctype, run.data)
        mediation.reflect_released(eng, dn, leg, t - run.start, t)
    _remove_leg(eng, dn, leg, t)


def on_party_changed(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventPartyChanged (new c, PreviousConnID p, t, s): re-key the actions of p to c; emit
    CallPartyChanged (+ CallRingingPartyChanged if ringing); Transferred -> CallTransferTaken
    on the DN that was on p, CallTransferPartyChanged on another DN; Conferenced ->
    CallConferenceJoined on the DN that was on p; a changed call type ends the old call-type
    action (…Completed) and starts the new one (…Started) (OQ-8)."""
    conn = conn_of(eng, ev)
    if conn is None:
        return
    a = ev.attrs
    prev: Any = a.get("PreviousConnID")
    s = a.get("CallState", CallState.Ok)
    data = call_data(ev)
    leg = dn.legs.get(prev) if prev is not None and conn not in dn.legs else None
    if leg is None:                       # a party already on c keeps its leg
        target = dn.legs.get(conn)
        ctype = target.ctype if target is not None else ctype_of(a.get("CallType", 0))
        eng.moment(dn, "CallPartyChanged", t, conn, ctype, data)
        if s == CallState.Transferred:
            eng.moment(dn, "CallTransferPartyChanged", t, conn, ctype, data)
        return
    new_type = ctype_of(a.get("CallType", leg.ctype))
    retype = leg.typed is not None and CALL_TYPE_ACTIONS[new_type] is not leg.typed
    if retype:
        end_call_type(eng, dn, leg, t)
        leg.placeholder = False           # typed by the call itself now, not by an answer
    del dn.legs[prev]
    rekey(eng, dn, prev, conn, t)
    leg.conn = conn
    leg.ctype = new_type
    if a.get("UserData"):
        leg.user_data = a["UserData"]
    dn.legs[conn] = leg
    if retype:
        start_call_type(eng, dn, leg, t, data)
    eng.moment(dn, "CallPartyChanged", t, conn, new_type, data)
    if leg.phase == "ringing":
        eng.moment(dn, "CallRingingPartyChanged", t, conn, new_type, data)
    if s == CallState.Transferred:
        eng.moment(dn, "CallTransferTaken", t, conn, new_type, data)
    elif s == CallState.Conferenced:
        eng.moment(dn, "CallConferenceJoined", t, conn, new_type, data)


def on_party_added(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventPartyAdded / EventPartyDeleted (c): CallConferencePartyAdded / …Deleted. A party
    added by this DN itself (ThirdPartyDN = d): ConferenceMade, and CallConferenceOriginated
    the first time on the call."""
    a = ev.attrs
    conn: Any = a.get("ConnID")
    leg = dn.legs.get(conn)
    ctype = leg.ctype if leg else a.get("CallType")
    data = call_data(ev)
    eng.moment(dn, PARTY_MOMENT[ev.event], t, conn, ctype, data)
    if (ev.event == "EventPartyAdded" and a.get("ThirdPartyDN") == dn.number
            and a.get("ThirdPartyDNRole") in CONFERENCE_BY_ROLES):
        if leg is None or not leg.conference_made:
            if leg is not None:
                leg.conference_made = True
            eng.moment(dn, CONFERENCE_ORIGINATED, t, conn, ctype, data)
        eng.moment(dn, CONFERENCE_MADE, t, conn, ctype, data)


def on_data_changed(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAttachedDataChanged / EventCallInfoChanged (c): update the user data of the
    running actions of c (filters see it); no new action."""
    conn: Any = ev.attrs.get("ConnID")
    ud = ev.attrs.get("UserData")
    leg = dn.legs.get(conn)
    if leg is None or ud is None:
        return
    leg.user_data = ud
    for run in dn.running.values():
        if run.conn == conn:
            run.data = {**run.data, "UserData": ud} if run.data else {"UserData": ud}


STUCK_PHASE: Final = {"ringing": "Ringing", "dialing": "Dialing", "established": "Established",
               "pending": "Established"}


def clean_stuck_call(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> None:
    """Stuck-call clean-up (§12 [R], optional): end every action of the call on the DN with no
    outcome retrospective and emit StuckCallCleanedWhile<Phase> (duration = the call's age on
    the DN); a ringing call also gives StuckCallCleanedWhileRinging on the distributing
    mediation DN (§5.3)."""
    phase = "OnHold" if leg.held else STUCK_PHASE[leg.phase]
    eng.instant(dn, "StuckCallCleanedWhile" + phase, "retro", t, leg.conn, leg.ctype, t - leg.since)
    if leg.phase == "ringing":
        mediation.reflect_ringing_outcome(eng, dn, leg, OUTCOME_STUCK, t)
    leg.typed = None
    _remove_leg(eng, dn, leg, t)


DISPATCH = {
    "EventAgentLogin": on_agent_login,
    "EventAgentLogout": on_agent_state,
    "EventQueueLogout": on_queue_logout,
    "EventAgentReady": on_agent_state,
    "EventAgentNotReady": on_agent_state,
    "EventAgentAfterCallWork": on_agent_state,
    "EventOffHook": on_hook,
    "EventOnHook": on_hook,
    "EventRinging": on_ringing,
    "EventDialing": on_dialing,
    "EventEstablished": on_established,
    "EventHeld": on_held,
    "EventRetrieved": on_retrieved,
    "EventAbandoned": on_abandoned,
    "EventDiverted": on_diverted,
    "EventReleased": on_released,
    "EventPartyChanged": on_party_changed,
    "EventPartyAdded": on_party_added,
    "EventPartyDeleted": on_party_added,
    "EventAttachedDataChanged": on_data_changed,
    "EventCallInfoChanged": on_data_changed,
    "EventUserEvent": user_event,
    **registration.DISPATCH,
}
