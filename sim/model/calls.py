"""Calls: one SimPy process per call, emitting the per-DN events of docs/reference/tevents.md §9.

A :class:`Call` is one ConnID (a consultation is a call of its own). Each party's view of it
is a :class:`~sim.model.tserver.Leg` on a DN, opened by EventRinging / EventDialing /
EventQueued / EventRouteRequest, changed by EventEstablished / Held / Retrieved and closed by
EventReleased / Abandoned / Diverted / RouteUsed (the state machine of §11.3). The helpers
``open_leg`` / ``leg_event`` / ``close_leg`` keep the switch's truth and the events in step.

Processes: :func:`inbound_call` (routing point -> IVR -> ACD queue / router -> agent, with
abandonment, overflow, ring-no-answer and, after the answer, hold, consultation, transfers and
conferences), :func:`outbound_call` and :func:`internal_call` (agent-originated).
"""

from __future__ import annotations

import math

from sim.errors import UserError
from sim.model.tserver import (
    PS_ALERTING,
    PS_BUSY,
    PS_CONNECTED,
    PS_HELD,
    PS_INITIATED_DIALING,
    PS_QUEUED,
    PS_ROUTING,
    Leg,
)
from sim.tlib.codes import AgentWorkMode, CallState, CallType, DNRole

# A ring-no-answer leaves the agent not ready with this work mode (docs/reference/tevents.md §5).
RONA_WORK_MODE = int(AgentWorkMode.AuxWork)

INBOUND, OUTBOUND, INTERNAL, CONSULT = (int(CallType.Inbound), int(CallType.Outbound),
                                        int(CallType.Internal), int(CallType.Consult))
ORIG, DEST = int(DNRole.Origination), int(DNRole.Destination)
OK, TRANSFERRED, CONFERENCED = int(CallState.Ok), int(CallState.Transferred), int(CallState.Conferenced)
NO_ANSWER, BUSY, CONVERSE_ON = int(CallState.NoAnswer), int(CallState.Busy), int(CallState.ConverseOn)
ABANDON = "abandon"
NEW_PARTY, ADDED_BY, DELETED_BY = int(DNRole.NewParty), int(DNRole.AddedBy), int(DNRole.DeletedBy)
TRANSFERRED_BY, DELETED_PARTY, CONFERENCED_BY = (int(DNRole.TransferredBy), int(DNRole.DeletedParty),
                                                 int(DNRole.ConferencedBy))
MAX_MOVES = 1000    # a call entering distributors this often at one instant is in a routing loop


class Call:
    """One ConnID and what travels with it (ANI, DNIS, user data)."""

    __slots__ = ("connid", "uuid", "callid", "type", "ani", "dnis", "ud", "prev", "_head",
                 "wake", "served", "waiting", "wait_token", "enq_time", "arrival", "patience_at",
                 "dist", "armed", "rec", "moved_at", "moves")

    def __init__(self, ts, type_: int, ani: str | None = None, dnis: str | None = None,
                 ud: dict | None = None, prev: str | None = None):
        self.connid, self.uuid, self.callid = ts.new_ids()
        self.type = type_
        self.ani = ani
        self.dnis = dnis
        self.ud = ud
        self.prev = prev
        head = {"ConnID": self.connid, "CallID": self.callid, "CallUUID": self.uuid, "CallType": type_}
        if prev is not None:
            head["PreviousConnID"] = prev
        self._head = head
        self.wake = None        # the SimPy event a waiting call's process waits on
        self.served = None      # the agent / port that took the call at once (no event)
        self.waiting = False
        self.wait_token = 0
        self.enq_time = 0.0
        self.arrival = 0.0
        self.patience_at = math.inf
        self.dist = None
        self.armed = False
        self.rec = None
        self.moved_at = -1.0    # the instant of its last moves into a distributor, and how many
        self.moves = 0

    def attrs(self, this_dn: str, role: int, other: str | None, other_role: int | None,
              queue: str | None) -> dict:
        a = self._head.copy()
        a["ThisDN"] = this_dn
        if queue is not None:
            a["ThisQueue"] = queue
        a["ThisDNRole"] = role
        if other is not None:
            a["OtherDN"] = other
            a["OtherDNRole"] = other_role
        if self.ani is not None:
            a["ANI"] = self.ani
        if self.dnis is not None:
            a["DNIS"] = self.dnis
        if self.ud is not None:
            a["UserData"] = self.ud
        return a


def leg_attrs(dn, leg: Leg, call: Call, extra: dict | None) -> dict:
    """The attributes of an event of ``leg``: the leg's own (built at its first event, again
    only when the leg moved to another call or the call's user data was replaced), then
    ``extra``. The leg's dict is shared by its events' read-only views, so never changed."""
    base = leg.attrs
    if base is None or leg.attrs_of[0] is not call or leg.attrs_of[1] is not call.ud:
        base = leg.attrs = call.attrs(dn.number, leg.role, leg.other, leg.other_role, leg.queue)
        leg.attrs_of = (call, call.ud)
    return base | extra if extra else base


def open_leg(ts, name: str, dn, call: Call, ps: int, role: int, other, other_role, queue=None,
             extra: dict | None = None) -> Leg:
    leg = Leg(call, ps, role, queue, other, other_role)
    dn.legs[call.connid] = leg
    ts.emit(name, dn, leg_attrs(dn, leg, call, extra))
    return leg


def leg_event(ts, name: str, dn, call: Call, ps: int | None = None, extra: dict | None = None) -> Leg:
    leg = dn.legs[call.connid]
    if ps is not None:
        leg.ps = ps
    ts.emit(name, dn, leg_attrs(dn, leg, call, extra))
    return leg


def close_leg(ts, name: str, dn, call: Call, extra: dict | None = None) -> Leg:
    leg = dn.legs.pop(call.connid)
    ts.emit(name, dn, leg_attrs(dn, leg, call, extra))
    return leg


def _agent(agent) -> dict:
    return {"AgentID": agent.login}


# --- distribution ---------------------------------------------------------------------------

def enter(site, call: Call, d) -> None:
    """The call starts waiting at distributor ``d`` (an ACD queue, or an RP served by the router)."""
    ts = site.ts
    env = site.env
    call.dist = d
    call.enq_time = env.now
    if env.now - call.moved_at < 1e-6:     # within the trace's resolution: one instant
        _moved_again(call, d)
    else:
        call.moved_at, call.moves = env.now, 1
    call.waiting = True
    if call.wake is not None and call.wake.triggered:
        call.wake = None            # the previous wait is over
    if d.kind == "queue":
        open_leg(ts, "EventQueued", d.dn, call, PS_QUEUED, DEST, call.ani, ORIG if call.ani else None,
                 d.dn.number)
        site.truth.entered(d.dn, call)
    elif d.vq is not None:
        open_leg(ts, "EventQueued", d.vq, call, PS_QUEUED, DEST, call.ani, ORIG, d.vq.number)
        site.truth.entered(d.vq, call)
    site.router.offer(call, d)
    if not call.waiting:
        return                      # served at once: deliver() left the agent in call.served
    if call.wake is None:
        call.wake = env.event()
    if d.overflow_after is not None:
        env.timeout(d.overflow_after).callbacks.append(
            lambda _e, c=call, q=d, tok=call.wait_token: _overflow(site, c, q, tok))
    if not call.armed and call.patience_at < math.inf:
        call.armed = True
        env.timeout(max(0.0, call.patience_at - env.now)).callbacks.append(
            lambda _e, c=call, at=call.patience_at: _patience(c, at))


def _moved_again(call: Call, d) -> None:
    """The loader refuses routing loops with no delay; this stops any it could not see."""
    call.moves += 1
    if call.moves >= MAX_MOVES:
        raise UserError(f"routing loop: call {call.connid} entered a queue or routing point "
                        f"{call.moves} times at {call.moved_at:g} s into the run (last {d.dn.number}); "
                        "give the loop a delay (overflow.after, redial.delay)")


def _patience(call: Call, at: float) -> None:
    if call.waiting and call.patience_at == at:
        call.waiting = False
        call.wait_token += 1
        call.wake.succeed(ABANDON)


def _overflow(site, call: Call, d, token: int) -> None:
    """Still waiting at ``d`` after its overflow time: move to the overflow queue."""
    if not call.waiting or call.dist is not d or call.wait_token != token:
        return
    call.waiting = False
    call.wait_token += 1
    q2 = d.overflow_to
    close_leg(site.ts, "EventDiverted", d.dn, call,
              {"ThirdPartyDN": q2.dn.number, "ThirdPartyDNRole": DEST})
    site.truth.distributed(d.dn, to_queue=True)
    enter(site, call, q2)


def deliver(site, call: Call, agent, d) -> None:
    """The ACD / router gives the call to ``agent``: Diverted / RouteUsed, then Ringing (§14 Q10)."""
    ts = site.ts
    call.waiting = False
    call.wait_token += 1
    agent.occupy("call")
    target = {"ThirdPartyDN": agent.dn.number, "ThirdPartyDNRole": DEST}
    truth = site.truth
    if d.kind == "queue":
        extra = target if not d.ivr else {**target, "CallState": CONVERSE_ON}
        close_leg(ts, "EventDiverted", d.dn, call, extra)
        truth.distributed(d.dn)
    else:
        close_leg(ts, "EventRouteUsed", d.dn, call, target)
        if ts.profile.get("rp_diverted"):
            a = call.attrs(d.dn.number, DEST, call.ani, ORIG, d.dn.number)
            a.update(target)
            ts.emit("EventDiverted", d.dn, a)
        truth.distributed(d.dn)
    extra = {"CallState": OK}
    if agent.status:
        extra["AgentID"] = agent.login
    open_leg(ts, "EventRinging", agent.dn, call, PS_ALERTING, DEST, call.ani, ORIG if call.ani else None,
             d.dn.number, extra)
    if d.kind != "queue" and d.vq is not None:
        # URS has T-Server distribute the VQ's EventDiverted only after EventRouteUsed: it
        # reaches Stat Server after the agent's EventRinging (docs/decisions.md)
        close_leg(ts, "EventDiverted", d.vq, call, target)
        truth.distributed(d.vq)
    if call.wake is None:
        call.served = agent         # still in enter(): the call was never queued
    else:
        call.wake.succeed(agent)


def woken(env, call: Call):
    """The event a process yields on after :func:`enter`. A call served at once has none (the
    inbound call's main loop reads ``call.served`` without a scheduler round trip); the other
    flows resume through the scheduler, so they get an event succeeded now, in the place of
    the scheduler's queue where deliver() used to succeed it."""
    if call.wake is None:
        call.wake = env.event()
        call.wake.succeed(call.served)
    return call.wake


def _abandon_waiting(site, call: Call) -> None:
    """The caller hangs up while waiting: every mediation DN holding the call (§9.2)."""
    ts = site.ts
    d = call.dist
    if d.kind == "queue":
        close_leg(ts, "EventAbandoned", d.dn, call, {"CallState": OK})
        site.truth.abandoned(d.dn)
    else:
        close_leg(ts, "EventAbandoned", d.dn, call, {"CallState": OK})
        site.truth.abandoned(d.dn)
        if d.vq is not None:
            close_leg(ts, "EventAbandoned", d.vq, call, {"CallState": OK})
            site.truth.abandoned(d.vq)


# --- the inbound call -------------------------------------------------------------------------

def inbound_call(env, site, src, call: Call):
    """Arrival on a routing point or queue, waiting, ringing, conversation (docs/reference/tevents.md §9.1-§9.9)."""
    ts = site.ts
    truth = site.truth
    rec = truth.new_call(call, src, env.now)
    call.rec = rec
    patience = src.patience() if src.patience is not None else math.inf
    call.patience_at = env.now + patience
    rp = src.rp
    d = src.dist
    if rp is not None:
        open_leg(ts, "EventRouteRequest", rp.dn, call, PS_ROUTING, DEST, call.ani, ORIG, rp.dn.number)
        truth.entered(rp.dn, call)
        if rp.user_data:
            call.ud = {**call.ud, **rp.user_data} if call.ud else dict(rp.user_data)
            leg_event(ts, "EventAttachedDataChanged", rp.dn, call, extra={"ThirdPartyDN": rp.dn.number})
        if rp.ivr is not None:
            call.patience_at = math.inf          # patience counts from the queue after the IVR
            yield from _ivr(env, site, call, rp)
            call.patience_at = env.now + patience
        elif d.kind == "queue":
            close_leg(ts, "EventRouteUsed", rp.dn, call,
                      {"ThirdPartyDN": d.dn.number, "ThirdPartyDNRole": DEST})
            truth.distributed(rp.dn, to_queue=True)
    enter(site, call, d)
    while True:
        w = call.wake
        if w is None:
            res = call.served           # served at once: no scheduler round trip
        else:
            res = w.value if w.triggered else (yield w)
        if res == ABANDON:
            _abandon_waiting(site, call)
            truth.call_abandoned(rec, env.now, "queue")
            _maybe_redial(env, site, src, call)
            return
        agent = res
        d = call.dist
        ring = agent.answer_delay()
        rona = agent.rona is not None and agent.rona() < agent.rona_p
        if rona:
            ring = max(ring, ts.profile["rona_timeout"])
        if call.patience_at <= env.now + ring:
            if call.patience_at > env.now:
                yield env.timeout(call.patience_at - env.now)
            close_leg(ts, "EventAbandoned", agent.dn, call, {"CallState": OK, **_agent(agent)})
            truth.abandoned_ringing(d.dn)
            if d.kind == "rp" and d.vq is not None:
                truth.abandoned_ringing(d.vq)
            truth.call_abandoned(rec, env.now, "ringing")
            agent.release()
            _maybe_redial(env, site, src, call)
            return
        if ring > 0:
            yield env.timeout(ring)
        if rona:
            # ring-no-answer: released at the agent, agent not ready, call back to its distributor
            close_leg(ts, "EventReleased", agent.dn, call, {"CallState": NO_ANSWER, **_agent(agent)})
            truth.missed(d.dn)      # no CallMissed on virtual queues (docs/reference/actions.md §5.1)
            agent.work = "pause"
            agent.not_ready(RONA_WORK_MODE, "RONA")
            env.timeout(30.0).callbacks.append(lambda _e, a=agent: a.release())
            if d.kind == "rp":
                open_leg(ts, "EventRouteRequest", d.dn, call, PS_ROUTING, DEST, call.ani, ORIG, d.dn.number)
                truth.entered(d.dn, call)
            enter(site, call, d)
            continue
        leg_event(ts, "EventEstablished", agent.dn, call, PS_CONNECTED, _agent(agent))
        truth.answered(d.dn, rec, env.now)
        if d.kind == "rp" and d.vq is not None:
            truth.answered(d.vq, None, env.now)
        break
    yield from _conversation(env, site, src, call, agent)


def _ivr(env, site, call: Call, rp):
    """RP -> IVR queue -> IVR port (treatment) -> single-step transfer to the agent queue."""
    ts = site.ts
    ivr = rp.ivr
    close_leg(ts, "EventRouteUsed", rp.dn, call, {"ThirdPartyDN": ivr.dn.number, "ThirdPartyDNRole": DEST})
    site.truth.distributed(rp.dn, to_queue=True)
    enter(site, call, ivr)
    port = yield woken(env, call)
    leg_event(ts, "EventEstablished", port.dn, call, PS_CONNECTED)
    site.truth.answered(ivr.dn, None, env.now)
    yield env.timeout(rp.treatment())
    target = rp.target
    close_leg(ts, "EventReleased", port.dn, call,
              {"CallState": TRANSFERRED, "ThirdPartyDN": target.dn.number})
    site.truth.released(ivr.dn)
    port.release()
    call.dist = target


def _maybe_redial(env, site, src, call: Call) -> None:
    if src.redial_p > 0 and src.redial_u() < src.redial_p:
        env.process(_redial(env, site, src, src.redial_delay(), call))


def _redial(env, site, src, delay: float, prev: Call):
    yield env.timeout(delay)
    if env.now < site.stop:
        c = src.new_call(site)
        c.moved_at, c.moves = prev.moved_at, prev.moves     # a redial at once continues the count
        site.truth.redials += 1
        yield from inbound_call(env, site, src, c)


# --- conversation and the agent-side flows ---------------------------------------------------------

def _conversation(env, site, src, call: Call, agent):
    """The answered call: plain talk, or one of the flows of docs/reference/tevents.md §9.6-§9.9, §9.14."""
    ts = site.ts
    truth = site.truth
    talk = src.handle()
    flow = src.pick_flow()
    start = env.now
    if flow is None:
        yield env.timeout(talk)
    elif flow == "hold":
        yield env.timeout(talk / 2)
        leg_event(ts, "EventHeld", agent.dn, call, PS_HELD, _agent(agent))
        yield env.timeout(src.hold_time())
        leg_event(ts, "EventRetrieved", agent.dn, call, PS_CONNECTED, {"CallState": OK, **_agent(agent)})
        yield env.timeout(talk / 2)
    elif flow == "update_user_data":
        yield env.timeout(talk / 2)
        call.ud = {**(call.ud or {}), "Disposition": "Resolved"}
        leg_event(ts, "EventAttachedDataChanged", agent.dn, call, None,
                  {"ThirdPartyDN": agent.dn.number, **_agent(agent)})
        yield env.timeout(talk / 2)
    elif flow == "single_step_transfer" and src.transfer_queue is not None:
        yield env.timeout(talk / 2)
        q = src.transfer_queue
        close_leg(ts, "EventReleased", agent.dn, call,
                  {"CallState": TRANSFERRED, "ThirdPartyDN": q.dn.number, **_agent(agent)})
        _released(truth, call.dist)
        truth.talk(call.rec, env.now - start)
        agent.after_call(True)
        truth.transfers += 1
        call.patience_at = env.now + (src.patience() if src.patience is not None else math.inf)
        call.armed = False
        enter(site, call, q)
        yield from _rewait(env, site, src, call)
        return
    else:
        yield env.timeout(talk / 2)
        handed = yield from _agent_flow(env, site, src, call, agent, flow)
        if handed is not None:
            b, b_talk = handed
            truth.talk(call.rec, env.now - start)
            _released(truth, call.dist)
            agent.after_call(True)
            truth.transfers += 1
            yield env.timeout(b_talk)
            leg = close_leg(ts, "EventReleased", b.dn, call, {"CallState": OK, **_agent(b)})
            truth.call_done(call.rec)
            b.after_call(leg.acd)
            return
        yield env.timeout(talk / 2)
    close_leg(ts, "EventReleased", agent.dn, call, {"CallState": OK, **_agent(agent)})
    _released(truth, call.dist)
    truth.talk(call.rec, env.now - start)
    truth.call_done(call.rec)
    agent.after_call(True)


def _released(truth, d) -> None:
    truth.released(d.dn)
    if d.kind == "rp" and d.vq is not None:
        truth.released(d.vq)


def _rewait(env, site, src, call: Call):
    """After a single-step transfer to a queue: wait for the next agent and talk (no flows)."""
    ts = site.ts
    truth = site.truth
    res = yield woken(env, call)
    if res == ABANDON:
        _abandon_waiting(site, call)
        truth.call_done(call.rec)
        return
    agent = res
    d = call.dist
    ring = agent.answer_delay()
    if call.patience_at <= env.now + ring:
        if call.patience_at > env.now:
            yield env.timeout(call.patience_at - env.now)
        close_leg(ts, "EventAbandoned", agent.dn, call, {"CallState": OK, **_agent(agent)})
        truth.abandoned_ringing(d.dn)
        agent.release()
        truth.call_done(call.rec)
        return
    if ring > 0:
        yield env.timeout(ring)
    leg_event(ts, "EventEstablished", agent.dn, call, PS_CONNECTED, _agent(agent))
    truth.answered(d.dn, None, env.now)
    start = env.now
    yield env.timeout(src.handle())
    close_leg(ts, "EventReleased", agent.dn, call, {"CallState": OK, **_agent(agent)})
    truth.released(d.dn)
    truth.talk(call.rec, env.now - start)
    truth.call_done(call.rec)
    agent.after_call(True)


def _partner(site, agent):
    for s in agent.skills:
        b = site.router.take_agent(s)
        if b is not None:
            b.occupy("call")
            return b
    return None


def _agent_flow(env, site, src, c1: Call, a, flow: str):
    """Flows from agent A on C1 that bring in a second party B (docs/reference/tevents.md §9.7-§9.9).

    Returns ``(B, B's remaining talk time)`` when the call was handed to B (A has left), or
    None when A keeps the call (B, if any, has left). Without a free partner A just talks on.
    """
    ts = site.ts
    if flow == "consult_queue_transfer":
        return (yield from _consult_via_queue(env, site, src, c1, a))
    b = _partner(site, a)
    if b is None:
        return None
    ag, bg = _agent(a), _agent(b)
    if flow == "single_step_transfer":    # §9.8: the ConnID does not change
        close_leg(ts, "EventReleased", a.dn, c1, {"CallState": TRANSFERRED, "ThirdPartyDN": b.dn.number, **ag})
        open_leg(ts, "EventRinging", b.dn, c1, PS_ALERTING, DEST, c1.ani, ORIG if c1.ani else None, None,
                 {"ThirdPartyDN": a.dn.number, "ThirdPartyDNRole": TRANSFERRED_BY, "CallState": OK, **bg})
        yield env.timeout(b.answer_delay())
        leg_event(ts, "EventEstablished", b.dn, c1, PS_CONNECTED, bg)
        return b, src.handle()
    if flow == "single_step_conference":   # §9.9 single-step
        open_leg(ts, "EventRinging", b.dn, c1, PS_ALERTING, DEST, c1.ani, ORIG if c1.ani else None, None,
                 {"ThirdPartyDN": a.dn.number, "ThirdPartyDNRole": ADDED_BY, "CallState": OK, **bg})
        yield env.timeout(b.answer_delay())
        leg_event(ts, "EventEstablished", b.dn, c1, PS_CONNECTED, {"CallState": CONFERENCED, **bg})
        leg_event(ts, "EventPartyAdded", a.dn, c1, None,
                  {"OtherDN": b.dn.number, "OtherDNRole": NEW_PARTY, "ThirdPartyDN": a.dn.number,
                   "ThirdPartyDNRole": ADDED_BY, "CallState": CONFERENCED, **ag})
        return (yield from _leave_conference(env, site, src, c1, a, b))
    leg_event(ts, "EventHeld", a.dn, c1, PS_HELD, ag)
    c2 = Call(ts, CONSULT, ud=c1.ud, prev=c1.connid)
    open_leg(ts, "EventDialing", a.dn, c2, PS_INITIATED_DIALING, ORIG, b.dn.number, DEST, None, ag)
    b_leg = open_leg(ts, "EventRinging", b.dn, c2, PS_ALERTING, DEST, a.dn.number, ORIG, None,
                     {"CallState": OK, **bg})
    if flow in ("blind_transfer", "mute_transfer"):
        if flow == "blind_transfer":        # completed while B still rings
            yield env.timeout(0.5)
        _complete_transfer(ts, c1, c2, a, b, b_leg, TRANSFERRED)
        yield env.timeout(b.answer_delay())
        leg_event(ts, "EventEstablished", b.dn, c1, PS_CONNECTED, bg)
        return b, src.handle()
    yield env.timeout(b.answer_delay())
    leg_event(ts, "EventEstablished", b.dn, c2, PS_CONNECTED, bg)
    leg_event(ts, "EventEstablished", a.dn, c2, PS_CONNECTED, ag)
    yield env.timeout(src.consult_time())
    if flow == "consult_transfer":
        _complete_transfer(ts, c1, c2, a, b, b_leg, OK)
        return b, src.handle()
    if flow == "conference":
        close_leg(ts, "EventReleased", a.dn, c2, {"CallState": CONFERENCED, **ag})
        leg_event(ts, "EventRetrieved", a.dn, c1, PS_CONNECTED, {"CallState": CONFERENCED, **ag})
        leg_event(ts, "EventPartyAdded", a.dn, c1, None,
                  {"OtherDN": b.dn.number, "OtherDNRole": NEW_PARTY, "ThirdPartyDN": a.dn.number,
                   "ThirdPartyDNRole": ADDED_BY, "CallState": CONFERENCED, **ag})
        _move_leg(b.dn, c2, c1, b_leg)
        leg_event(ts, "EventPartyChanged", b.dn, c1, None,
                  {"PreviousConnID": c2.connid, "ThirdPartyDN": a.dn.number,
                   "ThirdPartyDNRole": CONFERENCED_BY, "CallState": CONFERENCED, **bg})
        return (yield from _leave_conference(env, site, src, c1, a, b))
    if flow == "consult_alternate":         # §9.7 alternate: back to the caller and again
        leg_event(ts, "EventHeld", a.dn, c2, PS_HELD, ag)
        leg_event(ts, "EventRetrieved", a.dn, c1, PS_CONNECTED, {"CallState": OK, **ag})
        yield env.timeout(src.consult_time())
        leg_event(ts, "EventHeld", a.dn, c1, PS_HELD, ag)
        leg_event(ts, "EventRetrieved", a.dn, c2, PS_CONNECTED, {"CallState": OK, **ag})
        yield env.timeout(src.consult_time())
    # consult_cancel (reconnect): the consultation ends, A takes the caller back
    close_leg(ts, "EventReleased", a.dn, c2, {"CallState": OK, **ag})
    close_leg(ts, "EventReleased", b.dn, c2, {"CallState": OK, **bg})
    b.release()
    leg_event(ts, "EventRetrieved", a.dn, c1, PS_CONNECTED, {"CallState": OK, **ag})
    return None


def _complete_transfer(ts, c1: Call, c2: Call, a, b, b_leg: Leg, consult_state: int) -> None:
    """RequestCompleteTransfer: the consult leg and C1 leave A; B's leg moves to C1 (§9.7)."""
    close_leg(ts, "EventReleased", a.dn, c2, {"CallState": consult_state, **_agent(a)})
    close_leg(ts, "EventReleased", a.dn, c1,
              {"CallState": TRANSFERRED, "ThirdPartyDN": b.dn.number, **_agent(a)})
    _move_leg(b.dn, c2, c1, b_leg)
    leg_event(ts, "EventPartyChanged", b.dn, c1, None,
              {"PreviousConnID": c2.connid, "ThirdPartyDN": a.dn.number, "ThirdPartyDNRole": TRANSFERRED_BY,
               "CallState": TRANSFERRED, **_agent(b)})


def _leave_conference(env, site, src, c1: Call, a, b):
    """Three parties talk; then A leaves (B keeps the caller) or A deletes B (§9.9 leaving)."""
    ts = site.ts
    yield env.timeout(src.consult_time())
    if src.flow_u() < 0.5:
        close_leg(ts, "EventReleased", a.dn, c1, {"CallState": OK, **_agent(a)})
        leg_event(ts, "EventPartyDeleted", b.dn, c1, None,
                  {"OtherDN": a.dn.number, "OtherDNRole": DELETED_PARTY, "ThirdPartyDN": a.dn.number,
                   "ThirdPartyDNRole": DELETED_BY, "CallState": OK, **_agent(b)})
        return b, src.handle()
    close_leg(ts, "EventReleased", b.dn, c1, {"CallState": OK, **_agent(b)})
    leg_event(ts, "EventPartyDeleted", a.dn, c1, None,
              {"OtherDN": b.dn.number, "OtherDNRole": DELETED_PARTY, "ThirdPartyDN": a.dn.number,
               "ThirdPartyDNRole": DELETED_BY, "CallState": OK, **_agent(a)})
    b.release()
    return None


def _consult_via_queue(env, site, src, c1: Call, a):
    """§9.7 variant: the consultation call goes to an ACD queue, which distributes it to B."""
    ts = site.ts
    q = src.transfer_queue
    if q is None:
        return None
    ag = _agent(a)
    leg_event(ts, "EventHeld", a.dn, c1, PS_HELD, ag)
    c2 = Call(ts, CONSULT, ani=a.dn.number, ud=c1.ud, prev=c1.connid)
    open_leg(ts, "EventDialing", a.dn, c2, PS_INITIATED_DIALING, ORIG, q.dn.number, DEST, None, ag)
    enter(site, c2, q)
    b = yield woken(env, c2)
    yield env.timeout(b.answer_delay())
    bg = _agent(b)
    b_leg = leg_event(ts, "EventEstablished", b.dn, c2, PS_CONNECTED, bg)
    site.truth.answered(q.dn, None, env.now)
    leg_event(ts, "EventEstablished", a.dn, c2, PS_CONNECTED, ag)
    yield env.timeout(src.consult_time())
    _complete_transfer(ts, c1, c2, a, b, b_leg, OK)
    return b, src.handle()


def _move_leg(dn, old: Call, new: Call, leg: Leg) -> None:
    """EventPartyChanged: the party's leg moves from the consult ConnID to the surviving one."""
    dn.legs.pop(old.connid, None)
    leg.call = new
    leg.other = new.ani
    leg.other_role = ORIG if new.ani else None
    dn.legs[new.connid] = leg


# --- agent-originated calls --------------------------------------------------------------------

def outbound_call(env, site, agent, number: str, ring: float, talk: float, answered: bool):
    """§9.4: Dialing, NetworkReached, then Established or DestinationBusy, Released.

    The caller has already occupied the agent (and B for an internal call)."""
    ts = site.ts
    call = Call(ts, OUTBOUND, dnis=number)
    open_leg(ts, "EventDialing", agent.dn, call, PS_INITIATED_DIALING, ORIG, number, DEST, None, _agent(agent))
    leg_event(ts, "EventNetworkReached", agent.dn, call, None, _agent(agent))
    yield env.timeout(ring)
    if answered:
        leg_event(ts, "EventEstablished", agent.dn, call, PS_CONNECTED, _agent(agent))
        yield env.timeout(talk)
        close_leg(ts, "EventReleased", agent.dn, call, {"CallState": OK, **_agent(agent)})
    else:
        leg_event(ts, "EventDestinationBusy", agent.dn, call, PS_BUSY, {"CallState": BUSY, **_agent(agent)})
        close_leg(ts, "EventReleased", agent.dn, call, {"CallState": BUSY, **_agent(agent)})
    site.truth.outbound += 1
    agent.release()


def internal_call(env, site, a, b, busy_dn, talk: float, give_up: bool = False):
    """§9.5: A dials B; B rings and answers, or A hangs up while B rings, or B is busy."""
    ts = site.ts
    call = Call(ts, INTERNAL)
    target = b.dn.number if b is not None else busy_dn
    open_leg(ts, "EventDialing", a.dn, call, PS_INITIATED_DIALING, ORIG, target, DEST, None, _agent(a))
    site.truth.internal += 1
    if b is None:
        yield env.timeout(1.0)
        leg_event(ts, "EventDestinationBusy", a.dn, call, PS_BUSY, {"CallState": BUSY, **_agent(a)})
        close_leg(ts, "EventReleased", a.dn, call, {"CallState": BUSY, **_agent(a)})
        a.release()
        return
    open_leg(ts, "EventRinging", b.dn, call, PS_ALERTING, DEST, a.dn.number, ORIG, None,
             {"CallState": OK, **_agent(b)})
    if give_up:
        yield env.timeout(0.5)
        close_leg(ts, "EventReleased", a.dn, call, {"CallState": OK, **_agent(a)})
        close_leg(ts, "EventAbandoned", b.dn, call, {"CallState": OK, **_agent(b)})
        a.release()
        b.release()
        return
    yield env.timeout(b.answer_delay())
    leg_event(ts, "EventEstablished", a.dn, call, PS_CONNECTED, _agent(a))
    leg_event(ts, "EventEstablished", b.dn, call, PS_CONNECTED, _agent(b))
    yield env.timeout(talk)
    close_leg(ts, "EventReleased", a.dn, call, {"CallState": OK, **_agent(a)})
    close_leg(ts, "EventReleased", b.dn, call, {"CallState": OK, **_agent(b)})
    a.release()
    b.release()
