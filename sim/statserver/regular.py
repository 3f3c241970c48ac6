"""Regular DNs (Extension, ACD Position): the event dispatch of docs/reference/actions.md §4.6.

``DISPATCH`` maps each TEvent name to the function that applies its row of the §4.6 table;
each function's docstring quotes that row. The choices inside the rows (which retrospective a
release gives, which agent-state action an event ends) are the tables of ``rules.py``.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver import mediation, registration
from sim.statserver.records import RETRO
from sim.statserver.rules import (
    AGENT_STATE_EVENTS,
    CALL_TYPE_ACTIONS,
    CLEANUP_STATES,
    COMPLETION_MOMENT,
    CONFERENCE_BY_ROLES,
    CONFERENCE_MADE,
    CONFERENCE_ORIGINATED,
    HIDDEN_WHILE_HELD,
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
from sim.statserver.state import DNState, Leg, Running
from sim.tlib.codes import AgentWorkMode, CallState, CallType

ACW: Final = AgentWorkMode.AfterCallWork
# The rule a deferred or registration-data AfterCallWork starts with (§4.1, [D 4]).
ACW_RULE: Final = AGENT_STATE_EVENTS["EventAgentNotReady/ACW"]
LOGOUT_RULE: Final = AGENT_STATE_EVENTS["EventAgentLogout"]
RINGING: Final = LEG_ACTIONS["ringing"]
HELD: Final = LEG_ACTIONS["held"]


# ---------------------------------------------------------------------------- attached data
def agent_data(ev: TEvent) -> dict | None:
    """Work mode and reasons of an agent-state event: kept for CurrentStateReasons (§4.1)."""
    a = ev.attrs
    d = {}
    wm = a.get("AgentWorkMode")
    if wm is not None:
        d["AgentWorkMode"] = wm
    reasons = a.get("Reasons")
    if reasons:
        d["Reasons"] = reasons
    return d or None


def call_data(ev: TEvent) -> dict | None:
    a = ev.attrs
    d = {}
    ud = a.get("UserData")
    if ud:
        d["UserData"] = ud
    q = a.get("ThisQueue")
    if q is not None:
        d["ThisQueue"] = q
    return d or None


def _same_state(run: Running, data: dict | None) -> bool:
    """OQ-6: an identical repeat (same work mode and reasons) changes nothing."""
    a, b = run.data or {}, data or {}
    return a.get("AgentWorkMode") == b.get("AgentWorkMode") and a.get("Reasons") == b.get("Reasons")


def _conn(eng: ActionEngine, ev: TEvent) -> str | None:
    conn = ev.attrs.get("ConnID")
    if conn is None:
        eng.problems.append(f"{ev.event} on DN {ev.attrs.get('ThisDN')} without ConnID: ignored")
    return conn


def _leg_of(eng: ActionEngine, dn: DNState, ev: TEvent) -> Leg | None:
    """This DN's leg of the event's call, or None (a call the DN does not know changes nothing)."""
    conn = _conn(eng, ev)
    return dn.legs.get(conn) if conn is not None else None


def _ctype(value: Any) -> int:
    return value if value in CALL_TYPE_ACTIONS else CallType.Unknown


# ---------------------------------------------------------------------------- agent state
def end_agent_state(eng: ActionEngine, dn: DNState, name: str, t: float) -> None:
    """End an agent-state action; an AfterCallWork that followed a distributed call is
    reflected on the distributing mediation DN (ACWCompleted / ACWMissed, §5.3)."""
    run = eng.end(dn, name, t)
    if run is not None and name == "AfterCallWork":
        mediation.reflect_acw(eng, dn, run, t)


def set_agent_state(eng: ActionEngine, dn: DNState, name: str, t: float, data: dict | None,
                    ends: Iterable[str], conn: str | None = None, ctype: int | None = None) -> None:
    """End the contradicted agent-state actions, then keep or (re)start ``name`` (OQ-6)."""
    for other in ends:
        if other != name:
            end_agent_state(eng, dn, other, t)
    run = dn.running.get(name)
    if run is not None:
        if _same_state(run, data):
            return
        end_agent_state(eng, dn, name, t)
    eng.start(dn, name, t, conn, ctype, data, key=name)


def _has_established_call(dn: DNState) -> bool:
    for leg in dn.legs.values():
        if leg.phase == "established":
            return True
    return False


def start_acw(eng: ActionEngine, dn: DNState, t: float, data: dict | None) -> None:
    """AfterCallWork is interaction-related when it follows a call: it carries that call's
    ConnID (§4.1); one started from registration data does not (source document)."""
    set_agent_state(eng, dn, ACW_RULE.starts or "", t, data, ACW_RULE.ends, *_last_call(dn))


def _last_call(dn: DNState) -> tuple[str | None, int | None]:
    """The ConnID and CallType of the DN's last established call, if any."""
    last = dn.last_call
    return (last.conn, last.ctype) if last is not None else (None, None)


def on_agent_login(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventAgentLogin: end LoggedOut; start LoggedIn with agent a if not running; start
    AgentLogin(q); bind a <-> d. Do not infer ready/not-ready from the work mode."""
    login = ev.attrs.get("AgentID")
    queue = ev.attrs.get("ThisQueue")
    eng.end(dn, "LoggedOut", t)
    if "LoggedIn" in dn.running and login is not None and dn.agent_login not in (None, login):
        _logout(eng, dn, t, moment=False)       # another agent takes the DN: the old one leaves
        eng.end(dn, "LoggedOut", t)
    if login is not None or dn.agent is None:
        eng.bind(dn, login if login is not None else dn.agent_login, t)
    eng.start(dn, "LoggedIn", t, data={"AgentID": login} if login is not None else None)
    if queue is not None:
        eng.start(dn, "AgentLogin", t, data={"ThisQueue": queue}, key=("AgentLogin", queue))
        mediation.queue_login(eng, dn, queue, t)


def _logout(eng: ActionEngine, dn: DNState, t: float, moment: bool = True) -> None:
    for name in LOGOUT_RULE.ends:
        end_agent_state(eng, dn, name, t)
    dn.acw_pending = None
    for key in [k for k in dn.running if type(k) is tuple and k[0] == "AgentLogin"]:
        eng.end(dn, key, t)
    mediation.queue_logout(eng, dn, None, t)
    eng.end(dn, "LoggedIn", t)
    if moment:
        eng.moment(dn, "AgentLogout", t)
    eng.unbind(dn, t)
    eng.start(dn, "LoggedOut", t)


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
        _logout(eng, dn, t)
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
    if not _has_established_call(dn):
        set_agent_state(eng, dn, starts, t, data or {"AgentWorkMode": ACW}, rule.ends, *_last_call(dn))
        return
    for name in rule.ends:
        end_agent_state(eng, dn, name, t)
    if starts in dn.running and not _same_state(dn.running[starts], data):
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
def _new_leg(dn: DNState, conn: str, ctype: int | None, phase: str, since: float = 0.0) -> Leg:
    leg = Leg(conn, ctype, phase, since)
    dn.legs[conn] = leg
    return leg


def _open_leg(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> Leg | None:
    """A new call leg on d in the phase the event opens (rules.LEG_OPENED_BY): its durable
    action and the momentary marker of its start (rules.LEG_ACTIONS)."""
    conn = _conn(eng, ev)
    if conn is None or conn in dn.legs:
        return None
    phase = LEG_OPENED_BY[ev.event]
    row = LEG_ACTIONS[phase]
    a = ev.attrs
    leg = _new_leg(dn, conn, _ctype(a.get("CallType", 0)), phase, t)
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


def start_call_type(eng: ActionEngine, dn: DNState, leg: Leg, t: float, data: dict | None) -> None:
    """Start Call<T>(c) with Call<T>Started, and its Originated / Received companion when the
    DN dialled / was rung for the call (§4.5, OQ-19)."""
    acts = CALL_TYPE_ACTIONS[leg.ctype]
    leg.typed = acts
    conn = leg.conn
    run = eng.start(dn, acts.durable, t, conn, leg.ctype, data)
    eng.moment(dn, acts.started, t, conn, leg.ctype, data)
    companion = acts.originated if leg.origin == "dialed" else acts.received if leg.origin == "rung" else None
    if companion is not None:
        eng.start(dn, companion, t, conn, leg.ctype, data)
    if leg.held and acts.durable in HIDDEN_WHILE_HELD:
        eng.hide(dn, run, True)


def end_call_type(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> Running | None:
    """End Call<T>(c) with Call<T>Completed, and its companion."""
    acts = leg.typed
    if acts is None:
        return None
    leg.typed = None
    conn = leg.conn
    run = eng.end(dn, (acts.durable, conn), t, acts.completed)
    for companion in (acts.originated, acts.received):
        if companion is not None:
            eng.end(dn, (companion, conn), t)
    return run


def on_established(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventEstablished (c, t): CallRinging(c) ends with CallAnswered, CallDialing(c) with
    CallDialed; if no call-type action runs for c, start Call<t>(c) (+ companion); CallState
    Conferenced -> CallConferenceJoined; a call rung by a transfer -> CallTransferTaken."""
    conn = _conn(eng, ev)
    if conn is None:
        return
    a = ev.attrs
    leg = dn.legs.get(conn)
    if leg is None:
        leg = _new_leg(dn, conn, _ctype(a.get("CallType", 0)), "established", t)
        leg.this_queue = a.get("ThisQueue")
    elif "CallType" in a:
        leg.ctype = _ctype(a["CallType"])
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
    leg = _leg_of(eng, dn, ev)
    if leg is None or leg.held:
        return
    conn = leg.conn
    leg.held = True
    data = call_data(ev)
    eng.start(dn, HELD.durable, t, conn, leg.ctype, data)
    eng.moment(dn, HELD.started, t, conn, leg.ctype, data)
    _hide_held(eng, dn, leg, True)


def _hide_held(eng: ActionEngine, dn: DNState, leg: Leg, hidden: bool) -> None:
    """Hold hides the leg's call-type action from status (rules.HIDDEN_WHILE_HELD, §8.3.1)."""
    if leg.typed is not None and leg.typed.durable in HIDDEN_WHILE_HELD:
        run = dn.running.get((leg.typed.durable, leg.conn))
        if run is not None:
            eng.hide(dn, run, hidden)


def on_retrieved(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventRetrieved (c): end CallOnHold(c); emit CallRetrievedFromHold; unhide Call<t>(c)."""
    leg = _leg_of(eng, dn, ev)
    if leg is None or not leg.held:
        return
    leg.held = False
    end_leg_actions(eng, dn, leg, ev.event, t)
    _hide_held(eng, dn, leg, False)


def after_call_removed(eng: ActionEngine, dn: DNState, t: float) -> None:
    """When no call remains on d: a pending ACW starts [D 4]; OffHook ends and OnHook starts
    (OQ-16)."""
    if dn.legs:
        return
    if dn.acw_pending is not None:
        data, dn.acw_pending = dn.acw_pending, None
        start_acw(eng, dn, t, data)
    eng.end(dn, "OffHook", t)
    eng.start(dn, "OnHook", t)


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
    leg = _leg_of(eng, dn, ev)
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
    leg = _leg_of(eng, dn, ev)
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
    leg = _leg_of(eng, dn, ev)
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


def rekey(eng: ActionEngine, dn: DNState, old: str, new: str, t: float) -> None:
    """Move every running action of call ``old`` to ``new`` (start time and aid kept); one
    whose name already runs under ``new`` ends instead (the two calls merged)."""
    for key in [k for k, r in dn.running.items() if r.conn == old]:
        new_key = (key[0], new) if type(key) is tuple else key
        if new_key in dn.running:
            eng.end(dn, key, t)
            continue
        run = dn.running.pop(key)
        run.conn = new
        run.key = new_key
        dn.running[new_key] = run


def on_party_changed(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventPartyChanged (new c, PreviousConnID p, t, s): re-key the actions of p to c; emit
    CallPartyChanged (+ CallRingingPartyChanged if ringing); Transferred -> CallTransferTaken
    on the DN that was on p, CallTransferPartyChanged on another DN; Conferenced ->
    CallConferenceJoined on the DN that was on p; a changed call type ends the old call-type
    action (…Completed) and starts the new one (…Started) (OQ-8)."""
    conn = _conn(eng, ev)
    if conn is None:
        return
    a = ev.attrs
    prev: Any = a.get("PreviousConnID")
    s = a.get("CallState", CallState.Ok)
    data = call_data(ev)
    leg = dn.legs.get(prev) if prev is not None and conn not in dn.legs else None
    if leg is None:                       # a party already on c keeps its leg
        target = dn.legs.get(conn)
        ctype = target.ctype if target is not None else _ctype(a.get("CallType", 0))
        eng.moment(dn, "CallPartyChanged", t, conn, ctype, data)
        if s == CallState.Transferred:
            eng.moment(dn, "CallTransferPartyChanged", t, conn, ctype, data)
        return
    new_type = _ctype(a.get("CallType", leg.ctype))
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


def on_user_event(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventUserEvent: emit UserEvent; UserEventReceived runs until the next user event."""
    conn = ev.attrs.get("ConnID")
    data = {"UserData": ev.attrs["UserData"]} if ev.attrs.get("UserData") else None
    eng.moment(dn, "UserEvent", t, conn, ev.attrs.get("CallType") if conn else None, data)
    eng.end(dn, "UserEventReceived", t)
    eng.start(dn, "UserEventReceived", t, data=data)


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
    "EventUserEvent": on_user_event,
    **registration.DISPATCH,
}
