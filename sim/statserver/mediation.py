"""Mediation DNs (ACD Queue, Routing Point, Virtual Queue): docs/reference/actions.md §5.

A call that arrives on a mediation DN M gets CallEntered and a CallWait (one per call,
carrying its call type) that ends with exactly one outcome: CallDistributed (with
CallDistributedToQueue when the target is another mediation DN), CallAbandoned or
CallCleared. When M hands the call to a regular DN, M later *reflects* what happened there
(CallAnswered, CallAbandonedFromRinging, CallForwarded, CallMissed, CallReleased,
ACWCompleted / ACWMissed, §5.3), at most once per distribution. Agents logged in to M
give it the queue pseudo-actions (AgentLogin / DNLogin, AgentReady / DNReady,
AgentActive / DNActive).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any, Final

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver.calls import call_data, ctype_of, rekey, reported_calls, user_event
from sim.statserver.records import RETRO
from sim.statserver.rules import (
    CALL_WAIT_ENDED_BY,
    CLEANUP_STATES,
    LATE_DISTRIBUTION_WINDOW,
    QUEUE_PSEUDO_ACTIONS,
    REFLECTED_RINGING_OUTCOME,
    TREATMENT_EVENTS,
)
from sim.statserver.state import Distribution, DNState, Leg, Running
from sim.tlib.codes import CallType

# Distributions to unconfigured targets remembered for the Origination-DN link (bounded).
UNPLACED_LIMIT: Final = 10_000

# Ringing outcomes after which the call does not come back for another distribution.
FINAL_OUTCOMES: Final = frozenset({"CallAnswered", "CallAbandonedFromRinging"})
# Virtual queues have their own variants of these three only (§5.1).
VIRTUAL_QUEUE_VARIANTS: Final = frozenset({"CallAnswered", "CallAbandonedFromRinging", "CallReleased"})


def _data(ev: TEvent) -> dict | None:
    return call_data(ev)


def _event_ctype(ev: TEvent) -> int:
    return ctype_of(ev.attrs.get("CallType", CallType.Unknown))


def on_arrival(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventQueued (ACD queue, virtual queue) / EventRouteRequest (routing point):
    CallEntered, and CallWait starts (§5.2)."""
    conn = ev.attrs.get("ConnID")
    if conn is None or ("CallWait", conn) in m.running:
        return
    ctype = _event_ctype(ev)
    data = _data(ev)
    eng.moment(m, "CallEntered", t, conn, ctype, data)
    eng.start(m, "CallWait", t, conn, ctype, data)
    m.waits += 1


def _end_wait(eng: ActionEngine, m: DNState, conn: str, t: float, outcome: str) -> Running | None:
    run = eng.end(m, ("CallWait", conn), t, outcome)
    if run is not None:
        m.waits -= 1
    return run


def on_distributed(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventDiverted / EventRouteUsed: CallWait ends with CallDistributed (duration = wait);
    to another mediation DN also CallDistributedToQueue; to a regular DN the distribution
    is remembered so that DN's outcome can be reflected on M (§5.3)."""
    conn = ev.attrs.get("ConnID")
    if conn is None:
        return
    run = _end_wait(eng, m, conn, t, CALL_WAIT_ENDED_BY[ev.event])
    if run is None:
        return
    target = ev.attrs.get("ThirdPartyDN")
    tdn = eng.dn_at(m.switch, target) if target is not None else None
    if tdn is None:
        # sent somewhere the configuration does not name (an ACD split, a trunk): the
        # agent DN that rings next can only be linked through Origination DNs (OQ-22)
        unplaced = eng.mediation_state.unplaced
        unplaced[conn] = Distribution(m, run.start, m.virtual)
        if len(unplaced) > UNPLACED_LIMIT:
            del unplaced[next(iter(unplaced))]
        return
    if tdn.mediation:
        eng.instant(m, "CallDistributedToQueue", RETRO, t, conn, run.ctype, t - run.start, run.data)
        return
    d = Distribution(m, run.start, m.virtual)
    leg = tdn.legs.get(conn)
    if leg is None:
        gone = tdn.closed
        if (gone is not None and gone.conn == conn and t - tdn.closed_at <= LATE_DISTRIBUTION_WINDOW
                and gone.outcome in FINAL_OUTCOMES):
            leg = gone        # it even left the DN already (answered or abandoned: no new try)
    if leg is not None:
        late_distribution(eng, leg, d, t)      # the DN reported the call first
        return
    eng.mediation_state.handoffs.setdefault((tdn.id, conn), []).append(d)


def late_distribution(eng: ActionEngine, leg: Leg, d: Distribution, t: float) -> None:
    """M reports the distribution after the target DN reported the call (URS has T-Server
    distribute a virtual queue's EventDiverted only after EventRouteUsed, so the agent's
    EventRinging, even its EventEstablished, may come first). The DN's outcome must not
    depend on that order: M joins the call's distributions as if it had come first, and
    what the DN already reported is reflected now, with the durations it had then."""
    for old in leg.dists:
        if old.mdn is d.mdn:
            if old.outcome is None:
                old.entered = d.entered       # ThisQueue linked M before its diversion was seen
            return
    if not d.virtual:
        for old in leg.dists:
            if not old.virtual:
                return                        # the call has its distributor already
        if leg.this_queue is not None and leg.this_queue != d.mdn.number:
            return
    leg.dists.append(d)
    if leg.outcome is None:
        return
    d.outcome = leg.outcome
    _reflect(eng, d, leg.outcome, leg.conn, leg.ctype, max(0.0, leg.outcome_at - d.entered), None, t)
    if leg.released_talk is not None and d.outcome == "CallAnswered":
        d.released = True
        _reflect(eng, d, "CallReleased", leg.conn, leg.ctype, leg.released_talk, None, t)


def on_abandoned(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventAbandoned: CallWait ends with CallAbandoned; a T-Server clean-up after a link
    loss (CallState SystemError / Cleared) gives CallCleared instead (§5.2)."""
    conn = ev.attrs.get("ConnID")
    if conn is not None:
        cleanup = ev.attrs.get("CallState") in CLEANUP_STATES
        _end_wait(eng, m, conn, t, "CallCleared" if cleanup else CALL_WAIT_ENDED_BY["EventAbandoned"])


def on_released(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventReleased on a mediation DN: CallWait ends with CallCleared (§5.2)."""
    conn = ev.attrs.get("ConnID")
    if conn is not None:
        _end_wait(eng, m, conn, t, CALL_WAIT_ENDED_BY["EventReleased"])


def on_party_changed(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventPartyChanged on a mediation DN: CallRingingPartyChanged; the CallWait moves to the
    new ConnID and keeps its enter time (use-alt-enter-time, docs/reference/stat-types.md §2.1)."""
    conn, prev = ev.attrs.get("ConnID"), ev.attrs.get("PreviousConnID")
    if prev is not None and conn is not None and ("CallWait", prev) in m.running:
        if ("CallWait", conn) in m.running:       # merged into a call already waiting here
            _end_wait(eng, m, prev, t, CALL_WAIT_ENDED_BY["EventReleased"])
        rekey(eng, m, prev, conn, t)
    eng.moment(m, "CallRingingPartyChanged", t, conn, _event_ctype(ev), _data(ev))


def on_treatment(eng: ActionEngine, m: DNState, ev: TEvent, t: float) -> None:
    """EventTreatmentApplied / NotApplied / End: CallTreatmentStarted / NotStarted /
    Completed (the last is retrospective: duration since the treatment started)."""
    name, kind = TREATMENT_EVENTS[ev.event]
    conn = ev.attrs.get("ConnID")
    key = (m.id, conn)
    if ev.event == "EventTreatmentApplied":
        eng.mediation_state.treatments[key] = t
    duration = None
    if kind == RETRO:
        start = eng.mediation_state.treatments.pop(key, t)
        duration = t - start
    eng.instant(m, name, kind, t, conn, _event_ctype(ev), duration, _data(ev))


def apply_queue_status(eng: ActionEngine, m: DNState, ext: Mapping[str, Any], t: float) -> None:
    """QueueStatus data (registration): calls already waiting start CallWait without
    CallEntered; kept CallWaits no longer reported end without an outcome (§9.2 step 4)."""
    reported = {conn for conn, _ in reported_calls(ext)}
    for key in [k for k, r in m.running.items() if r.name == "CallWait" and r.conn not in reported]:
        eng.end(m, key, t)
        m.waits -= 1
    for conn in reported:
        if ("CallWait", conn) not in m.running:
            eng.start(m, "CallWait", t, conn, CallType.Unknown)
            m.waits += 1


# ---------------------------------------------------------------------------- reflection (§5.3)
def link_distribution(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> None:
    """Find the mediation DNs that distributed the call now ringing on ``dn`` (OQ-22):
    ThisQueue of the agent-side event, else the last mediation DN that sent the ConnID to
    this DN; a virtual queue that sent it there also gets its variants."""
    handed = eng.mediation_state.handoffs.pop((dn.id, leg.conn), None) or []
    primary = None
    if leg.this_queue is not None:
        q = eng.dn_at(dn.switch, leg.this_queue)
        if q is not None and q.mediation:
            for d in handed:
                if d.mdn is q:
                    primary = d
            if primary is None:
                primary = Distribution(q, t, q.virtual)   # no EventDiverted seen: enter = now
    if primary is None:
        for d in reversed(handed):
            if not d.virtual:
                primary = d
                break
    if primary is None and not handed and leg.conn in eng.mediation_state.unplaced:
        d = eng.mediation_state.unplaced[leg.conn]
        if d.mdn.id in _origination_dns(eng, dn):
            primary = eng.mediation_state.unplaced.pop(leg.conn)
    dists = [primary] if primary is not None else []
    dists += [d for d in handed if d.virtual and d is not primary]
    leg.dists = dists


def _origination_dns(eng: ActionEngine, dn: DNState) -> set[str]:
    """Origination DNs of the groups of the DN's agent and place (§5.3, OQ-22)."""
    objs = eng.objects
    found: set[str] = set()
    for gtype, member in (("GroupAgents", dn.agent), ("GroupPlaces", dn.place)):
        if member is not None:
            for g in objs.groups_containing(gtype, member):
                found.update(objs.groups[g].origination_dns)
    return found


def _reflect(eng: ActionEngine, d: Distribution, name: str, conn: str, ctype: int | None,
             duration: float | None, data: dict | None, t: float) -> None:
    if d.virtual and name not in VIRTUAL_QUEUE_VARIANTS:
        return
    eng.instant(d.mdn, name, RETRO, t, conn, ctype, duration, data)


def reflect_ringing_outcome(eng: ActionEngine, dn: DNState, leg: Leg, outcome: str, t: float) -> None:
    """Ringing ended at the agent DN: M gets CallAnswered / CallAbandonedFromRinging /
    CallForwarded / CallMissed, duration from the call's entry at M (OQ-18)."""
    name = REFLECTED_RINGING_OUTCOME[outcome]
    leg.outcome, leg.outcome_at = name, t       # for a distribution reported late
    for d in leg.dists:
        if d.outcome is None:
            d.outcome = name
            _reflect(eng, d, name, leg.conn, leg.ctype, t - d.entered, None, t)


def reflect_released(eng: ActionEngine, dn: DNState, leg: Leg, talk: float, t: float) -> None:
    """The answered call was released at the agent DN: CallReleased, duration = talk time."""
    leg.released_talk = talk
    for d in leg.dists:
        if d.outcome == "CallAnswered" and not d.released:
            d.released = True
            _reflect(eng, d, "CallReleased", leg.conn, leg.ctype, talk, None, t)


def reflect_acw(eng: ActionEngine, dn: DNState, run: Running, t: float) -> None:
    """AfterCallWork following a distributed call ended: ACWCompleted, or ACWMissed when the
    agent entered ACW while still on the call (OQ-11); duration = ACW duration [D 4]."""
    leg = dn.last_call
    if leg is None or run.conn is None or run.conn != leg.conn:
        return
    name = "ACWMissed" if leg.acw_during else "ACWCompleted"
    for d in leg.dists:
        if d.outcome == "CallAnswered" and not d.acw:
            d.acw = True
            _reflect(eng, d, name, leg.conn, leg.ctype, t - run.start, None, t)


# ---------------------------------------------------------------------------- pseudo-actions
def _queue(eng: ActionEngine, dn: DNState, number: str | None):
    q = eng.dn_at(dn.switch, number) if number is not None else None
    return q if q is not None and q.mediation else None


def queue_login(eng: ActionEngine, dn: DNState, number: str | None, t: float) -> None:
    """EventAgentLogin with ThisQueue = M: AgentLogin / DNLogin start on M (§5.2)."""
    q = _queue(eng, dn, number)
    if q is None or q in dn.login_queues:
        return
    dn.login_queues.append(q)
    agent_name, dn_name = QUEUE_PSEUDO_ACTIONS["login"]
    data = {"AgentID": dn.agent_login, "DN": dn.id}
    eng.start(q, agent_name, t, data=data, key=(agent_name, dn.id))
    eng.start(q, dn_name, t, data=data, key=(dn_name, dn.id))
    sync_pseudo(eng, dn, t, force=True)


def queue_logout(eng: ActionEngine, dn: DNState, number: str | None, t: float) -> None:
    """Logout from M (or from every queue when ``number`` is None): its pseudo-actions end."""
    for q in list(dn.login_queues):
        if number is not None and q.number != number:
            continue
        dn.login_queues.remove(q)
        for names in reversed(QUEUE_PSEUDO_ACTIONS.values()):    # active, ready, then login
            for name in names:
                eng.end(q, (name, dn.id), t)


def sync_pseudo(eng: ActionEngine, dn: DNState, t: float, force: bool = False) -> None:
    """AgentReady / DNReady while the DN's agent is ready; AgentActive / DNActive while it is
    busy with an established call (§5.2)."""
    ready = "WaitForNextCall" in dn.running
    active = False
    for leg in dn.legs.values():
        if leg.phase == "established":
            active = True
            break
    if not force and dn.pseudo_ready == ready and dn.pseudo_active == active:
        return
    dn.pseudo_ready, dn.pseudo_active = ready, active
    data = {"AgentID": dn.agent_login, "DN": dn.id}
    for q in dn.login_queues:
        for state, on in (("ready", ready), ("active", active)):
            for name in QUEUE_PSEUDO_ACTIONS[state]:
                key = (name, dn.id)
                if on and key not in q.running:
                    eng.start(q, name, t, data=data, key=key)
                elif not on and key in q.running:
                    eng.end(q, key, t)


DISPATCH = {
    "EventQueued": on_arrival,
    "EventRouteRequest": on_arrival,
    "EventDiverted": on_distributed,
    "EventRouteUsed": on_distributed,
    "EventAbandoned": on_abandoned,
    "EventReleased": on_released,
    "EventPartyChanged": on_party_changed,
    "EventTreatmentApplied": on_treatment,
    "EventTreatmentNotApplied": on_treatment,
    "EventTreatmentEnd": on_treatment,
    "EventUserEvent": user_event,
}
