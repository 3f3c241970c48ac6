"""Mediation DNs (ACD queue, routing point, virtual queue): a golden test per mediation-DN
action name of docs/reference/actions.md §5, registration and connection loss (§9.2 step 4, §11), and the
group propagation of §7."""

from __future__ import annotations

import pytest
from conftest import C1, C2, IDLE, Run

from sim.statserver.engine import ActionEngine
from sim.statserver.propagation import GroupIndex
from sim.statserver.records import Action
from sim.tlib.codes import CallState, CallType

Q, Q2, RP, VQ, D1 = "7000@SW1", "7001@SW1", "8000@SW1", "9000@SW1", "6001@SW1"
S, E, M, R = "start", "end", "moment", "retro"


def on(run, obj, since):
    return run.actions(obj, since=since)


def queued(r, q="7000", conn=C1, ctype=CallType.Inbound):
    r.ev("EventQueued", ThisDN=q, ThisQueue=q, ConnID=conn, CallType=ctype)


@pytest.mark.parametrize("event,dn,obj", [("EventQueued", "7000", Q), ("EventQueued", "9000", VQ),
                                          ("EventRouteRequest", "8000", RP)])
def test_call_entered_and_call_wait(ready_run, event, dn, obj):
    """§5.2 CallEntered (momentary) and CallWait (durable, one per call, with its call type)."""
    r = ready_run
    m = r.mark()
    r.ev(event, ThisDN=dn, ThisQueue=dn, ConnID=C1, CallType=CallType.Consult)
    assert on(r, obj, m) == [("CallEntered", M), ("CallWait", S)]
    wait = r.named("CallWait", obj)[0]
    assert wait.call_type == CallType.Consult and wait.conn_id == C1
    assert r.engine.dns[obj].waits == 1
    assert r.engine.dn_status(obj) == "Monitored"        # CallWait sets no status (§5.4)


@pytest.mark.parametrize("event,target,expected", [
    ("EventDiverted", "6001", [("CallWait", E), ("CallDistributed", R)]),
    ("EventDiverted", "7001", [("CallWait", E), ("CallDistributed", R), ("CallDistributedToQueue", R)]),
    ("EventRouteUsed", "7001", [("CallWait", E), ("CallDistributed", R), ("CallDistributedToQueue", R)]),
    ("EventAbandoned", None, [("CallWait", E), ("CallAbandoned", R)]),
    ("EventReleased", None, [("CallWait", E), ("CallCleared", R)]),
])
def test_call_wait_outcomes(ready_run, event, target, expected):
    """§5.2: CallWait ends with exactly one of CallDistributed / CallAbandoned / CallCleared;
    CallDistributedToQueue accompanies CallDistributed to another mediation DN."""
    r = ready_run
    queued(r)
    m = r.mark()
    attrs = {"ThirdPartyDN": target} if target else {}
    r.ev(event, ThisDN="7000", ThisQueue="7000", ConnID=C1, CallType=2, **attrs)
    assert on(r, Q, m) == expected
    assert all(a.duration == 1.0 for a in r.named(expected[1][0], Q))


def test_abandon_cleanup_gives_call_cleared(ready_run):
    """§5.2 [R]: EventAbandoned with CallState SystemError is a clean-up -> CallCleared."""
    r = ready_run
    queued(r)
    m = r.mark()
    r.ev("EventAbandoned", ThisDN="7000", ConnID=C1, CallType=2, CallState=CallState.SystemError)
    assert on(r, Q, m) == [("CallWait", E), ("CallCleared", R)]


@pytest.mark.parametrize("event,name,kind", [
    ("EventTreatmentApplied", "CallTreatmentStarted", M),
    ("EventTreatmentNotApplied", "CallTreatmentNotStarted", M),
    ("EventTreatmentEnd", "CallTreatmentCompleted", R),
])
def test_treatment_actions(ready_run, event, name, kind):
    """§5.2: EventTreatmentApplied / NotApplied / End on the routing point."""
    r = ready_run
    r.ev("EventRouteRequest", ThisDN="8000", ThisQueue="8000", ConnID=C1, CallType=2)
    r.ev("EventTreatmentApplied", ThisDN="8000", ConnID=C1, CallType=2, TreatmentType=2)
    m = r.mark()
    r.ev(event, ThisDN="8000", ConnID=C1, CallType=2)
    assert on(r, RP, m) == [(name, kind)]
    if kind == R:
        assert r.named(name, RP)[0].duration == 1.0


def test_mediation_monitored_not_monitored():
    """§5.1, §5.4: Monitored / NotMonitored (Mediation DNs); status table NotMonitored < Monitored."""
    r = Run()
    r.connect(("7000", {}))
    m = r.mark()
    r.ev("EventLinkDisconnected")
    r.ev("EventLinkConnected")
    assert on(r, Q, m) == [("Monitored", E), ("NotMonitored", S), ("NotMonitored", E), ("Monitored", S)]
    assert r.statuses(Q) == ["Monitored", "NotMonitored", "Monitored"]


def test_mediation_user_event():
    """§5.2 UserEvent (momentary) / UserEventReceived (durable) on a mediation DN."""
    r = Run()
    r.connect(("7000", {}))
    m = r.mark()
    r.ev("EventUserEvent", ThisDN="7000", UserData={"k": 1})
    assert on(r, Q, m) == [("UserEvent", M), ("UserEventReceived", S)]


def test_ringing_party_changed_on_mediation_keeps_enter_time(ready_run):
    """§5.2 CallRingingPartyChanged (Mediation DNs); docs/reference/stat-types.md §2.1: a virtual queue keeps
    the original enter time across a party change."""
    r = ready_run
    queued(r, "9000")
    m = r.mark()
    r.ev("EventPartyChanged", ThisDN="9000", ConnID=C2, PreviousConnID=C1, CallType=2)
    assert on(r, VQ, m) == [("CallRingingPartyChanged", M)]
    r.ev("EventDiverted", ThisDN="9000", ConnID=C2, CallType=2, ThirdPartyDN="6001")
    assert r.named("CallDistributed", VQ)[0].duration == 2.0


def test_queue_pseudo_actions(run):
    """§5.1 / §5.2: AgentLogin / DNLogin, AgentReady / DNReady, AgentActive / DNActive on the
    queue the agent logged in to."""
    r = run
    r.connect(("6001", IDLE), ("7000", {}))
    m = r.mark()
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    assert on(r, Q, m) == [("AgentLogin", S), ("DNLogin", S)]
    m = r.mark()
    r.ev("EventAgentReady", ThisDN="6001")
    assert on(r, Q, m) == [("AgentReady", S), ("DNReady", S)]
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    assert on(r, Q, m) == [("CallAnswered", R), ("AgentActive", S), ("DNActive", S)]
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    assert on(r, Q, m) == [("CallReleased", R), ("AgentActive", E), ("DNActive", E)]
    m = r.mark()
    r.ev("EventAgentLogout", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    assert on(r, Q, m) == [("AgentReady", E), ("DNReady", E), ("AgentLogin", E), ("DNLogin", E)]
    assert r.named("AgentLogin", Q)[0].data == {"AgentID": "1001", "DN": D1}


def _distributed(r, via="7000", dn="6001", conn=C1):
    r.ev("EventQueued", ThisDN=via, ThisQueue=via, ConnID=conn, CallType=2)
    r.ev("EventDiverted", ThisDN=via, ThisQueue=via, ConnID=conn, CallType=2, ThirdPartyDN=dn)
    r.ev("EventRinging", ThisDN=dn, ThisQueue=via, ConnID=conn, CallType=2)


@pytest.mark.parametrize("event,state,reflected,duration", [
    ("EventEstablished", CallState.Ok, "CallAnswered", 3.0),
    ("EventAbandoned", CallState.Ok, "CallAbandonedFromRinging", 3.0),
    ("EventReleased", CallState.Forwarded, "CallForwarded", 3.0),
    ("EventDiverted", CallState.Ok, "CallForwarded", 3.0),
    ("EventReleased", CallState.NoAnswer, "CallMissed", 3.0),
    ("EventReleased", CallState.Redirected, "CallMissed", 3.0),
])
def test_reflected_ringing_outcomes(ready_run, event, state, reflected, duration):
    """§5.3 / OQ-18: the distributing queue reflects the agent DN's ringing outcome, once,
    with duration from the call's entry at the queue."""
    r = ready_run
    _distributed(r)
    m = r.mark()
    r.ev(event, ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2, CallState=state)
    got = [a for a in on(r, Q, m) if a[1] == R]
    assert got == [(reflected, R)]
    assert r.named(reflected, Q)[0].duration == duration


def test_call_released_and_acw_completed(ready_run):
    """§5.3: CallReleased (talk time) and ACWCompleted (ACW duration, ACW after the call)."""
    r = ready_run
    _distributed(r)
    r.ev("EventEstablished", ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventReleased", 30, ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventAgentNotReady", 0, ThisDN="6001", AgentWorkMode=3)
    m = r.mark()
    r.ev("EventAgentReady", 12, ThisDN="6001")
    assert r.named("CallReleased", Q)[0].duration == 30.0
    assert [a for a in on(r, Q, m) if a[1] == R] == [("ACWCompleted", R)]
    assert r.named("ACWCompleted", Q)[0].duration == 12.0


def test_acw_missed(ready_run):
    """OQ-11: the agent entered ACW while still on the distributed call -> ACWMissed."""
    r = ready_run
    _distributed(r)
    r.ev("EventEstablished", ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=3)
    r.ev("EventReleased", ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventAgentReady", 5, ThisDN="6001")
    assert [a.action for a in r.records if type(a) is Action and a.object == Q and a.kind == R][-1] == "ACWMissed"
    assert r.named("ACWMissed", Q)[0].duration == 5.0


def test_virtual_queue_variants(ready_run):
    """§5.1: on virtual queues CallAnswered, CallAbandonedFromRinging and CallReleased; no
    ACWCompleted (no VQ variant)."""
    r = ready_run
    r.ev("EventQueued", ThisDN="9000", ThisQueue="9000", ConnID=C1, CallType=2)
    r.ev("EventDiverted", ThisDN="9000", ThisQueue="9000", ConnID=C1, CallType=2, ThirdPartyDN="6001")
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=3)
    r.ev("EventAgentReady", ThisDN="6001")
    assert [a.action for a in r.records if type(a) is Action and a.object == VQ and a.kind == R] == [
        "CallDistributed", "CallAnswered", "CallReleased"]
    r2 = Run()
    r2.connect(("6001", IDLE), ("9000", {}))
    r2.ev("EventQueued", ThisDN="9000", ThisQueue="9000", ConnID=C1, CallType=2)
    r2.ev("EventDiverted", ThisDN="9000", ThisQueue="9000", ConnID=C1, CallType=2, ThirdPartyDN="6001")
    r2.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r2.ev("EventAbandoned", ThisDN="6001", ConnID=C1, CallType=2)
    assert r2.named("CallAbandonedFromRinging", VQ)[0].duration == 3.0   # entry -> abandon


def test_once_per_distribution_after_transfer():
    """§5.3: later parties of the same call (after a transfer) add no reflections."""
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE), ("7000", {}))
    _distributed(r)
    r.ev("EventEstablished", ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventReleased", ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2, CallState=CallState.Transferred)
    r.ev("EventRinging", ThisDN="6002", ConnID=C1, CallType=2, ThirdPartyDNRole=7)
    r.ev("EventEstablished", ThisDN="6002", ConnID=C1, CallType=2)
    r.ev("EventReleased", ThisDN="6002", ConnID=C1, CallType=2)
    assert len(r.named("CallAnswered", Q)) == 1 and len(r.named("CallReleased", Q)) == 1


def test_stuck_call_cleaned_while_ringing():
    """§12 [R] and §5.1: a call ringing longer than the stuck-call timeout is cleaned:
    StuckCallCleanedWhileRinging on the DN and on the distributing queue."""
    from conftest import objects
    r = Run()
    r.engine = ActionEngine(objects(), stuck_call_timeout=60.0)
    r.connect(("6001", IDLE), ("7000", {}))
    _distributed(r)
    m = r.mark()
    r.ev("EventAgentReady", 120, ThisDN="6001")
    assert ("StuckCallCleanedWhileRinging", R) in on(r, D1, m)
    assert ("CallRinging", E) in on(r, D1, m)
    assert ("StuckCallCleanedWhileRinging", R) in on(r, Q, m)
    assert r.engine.calls_on(D1) == set()


def test_queue_status_at_registration_and_reconciliation():
    """§9.2 step 4: calls already waiting start CallWait without CallEntered; after a lost
    connection, kept CallWaits no longer reported end without an outcome; reported ones keep
    their start time."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    m = r.mark()
    r.ev("EventRegistered", ThisDN="7000", InfoType=8, Extensions={"conn-1": C1, "conn-2": C2}, InfoStatus=2)
    assert on(r, Q, m) == [("CallWait", S), ("CallWait", S)]
    start = r.engine.dns[Q].running[("CallWait", C1)].start
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="7000", InfoType=8, Extensions={"conn-1": C1}, InfoStatus=1)
    assert on(r, Q, m) == [("CallWait", E)]
    assert r.engine.dns[Q].running[("CallWait", C1)].start == start
    assert r.engine.dns[Q].waits == 1


def test_queue_registration_without_extensions_queries_queue_status():
    r = Run()
    r.ev("EventServerConnected", dt=0)
    recs = r.ev("EventRegistered", ThisDN="7000", InfoType=8)
    assert [(q.request, q.info_type) for q in recs if type(q).__name__ == "Request"] == [
        ("RequestQueryAddress", 18)]
    r.ev("EventAddressInfo", ThisDN="7000", InfoType=18, InfoStatus=1, Extensions={"conn-1": C1})
    assert r.engine.dns[Q].waits == 1


def test_group_propagation():
    """§7: agent -> GroupAgents, place -> GroupPlaces, mediation DN -> GroupQueues; [R]
    reflected retrospectives (but not ACWMissed / CallMissed) also reach groups that list the
    mediation DN as an Origination DN."""
    from conftest import OBJECTS

    from sim.objects import build_objects
    data = {**OBJECTS, "groups": OBJECTS["groups"] + [
        {"name": "Orig", "type": "GroupAgents", "members": ["agent1003"], "origination_dns": ["7000@SW1"]}]}
    idx = GroupIndex(build_objects(data))
    rec = Action(0.0, "CallAnswered", "retro", "Queue", Q, 1)
    assert idx.groups_of(rec) == [("GroupQueues", "SalesQueues"), ("GroupAgents", "Orig")]
    assert idx.groups_of(rec._replace(action="CallMissed")) == [("GroupQueues", "SalesQueues")]
    assert idx.groups_of(rec._replace(object_type="Agent", object="agent1001")) == [("GroupAgents", "Sales")]
    assert idx.groups_of(rec._replace(object_type="Place", object="Place_6002")) == [
        ("GroupPlaces", "SalesPlaces")]
    assert idx.groups_of(rec._replace(object_type="RegDN", object=D1)) == []


def test_origination_dn_link():
    """§5.3 / OQ-22: without ThisQueue and without a hand-off to this DN, the call is linked to
    a mediation DN listed as an Origination DN of the agent's groups that the call entered."""
    from conftest import OBJECTS

    from sim.objects import build_objects
    data = {**OBJECTS, "groups": OBJECTS["groups"] + [
        {"name": "Orig", "type": "GroupAgents", "members": ["agent1001"], "origination_dns": ["7001@SW1"]}]}
    r = Run(build_objects(data))
    r.connect(("6001", IDLE), ("7001", {}))
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001")
    r.ev("EventQueued", ThisDN="7001", ConnID=C1, CallType=2)
    r.ev("EventDiverted", ThisDN="7001", ConnID=C1, CallType=2, ThirdPartyDN="5000")   # an ACD split
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    assert len(r.named("CallAnswered", Q2)) == 1


# --- issue 18 part 2: the mediation DN's outcome does not depend on the order of reports ---------

def _records(r, obj, since):
    return [a for a in r.records[since:] if type(a) is Action and a.object == obj]


def _vq_call(r, order, outcome):
    """RP + VQ call to 6001 (no ThisQueue on the agent side); the VQ's EventDiverted comes
    before the agent's EventRinging, after it, or after the agent's outcome (same second)."""
    c = dict(ConnID=C1, CallType=CallType.Inbound)
    r.ev("EventRouteRequest", ThisDN="8000", ThisQueue="8000", **c)
    r.ev("EventQueued", 0, ThisDN="9000", ThisQueue="9000", **c)
    r.ev("EventRouteUsed", 5, ThisDN="8000", ThisQueue="8000", ThirdPartyDN="6001", **c)

    def diverted(dt):
        r.ev("EventDiverted", dt, ThisDN="9000", ThisQueue="9000", ThirdPartyDN="6001", **c)
    if order == "diverted_first":
        diverted(0)
    r.ev("EventRinging", 0.1, ThisDN="6001", **c)
    if order == "ringing_first":
        diverted(0.2)
    if outcome == "answered":
        r.ev("EventEstablished", 0.3, ThisDN="6001", **c)
    else:
        r.ev("EventAbandoned", 0.3, ThisDN="6001", CallState=CallState.Ok, **c)
    if order == "outcome_first":
        diverted(0.2)
    if outcome == "answered":
        r.ev("EventReleased", 20, ThisDN="6001", CallState=CallState.Ok, **c)


@pytest.mark.parametrize("outcome,names", [
    ("answered", ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]),
    ("abandoned", ["CallEntered", "CallDistributed", "CallAbandonedFromRinging"]),
])
@pytest.mark.parametrize("order", ["diverted_first", "ringing_first", "outcome_first"])
def test_virtual_queue_outcome_independent_of_order(ready_run, order, outcome, names):
    """Issue 18: URS distributes the VQ's EventDiverted after EventRouteUsed, so the agent's
    EventRinging (even its outcome) may come first. The VQ gets the same reflected outcomes,
    with the same durations (entry -> the agent-side event), in every order."""
    r = ready_run
    m = r.mark()
    _vq_call(r, order, outcome)
    got = [(a.action, a.duration) for a in _records(r, VQ, m) if a.kind in ("moment", "retro")]
    assert [n for n, _ in got] == names
    ringing_outcome = dict(got)[names[2]]
    assert ringing_outcome == pytest.approx(5 + 0.1 + 0.3 + (0.2 if order == "ringing_first" else 0.0))
    if outcome == "answered":
        assert dict(got)["CallReleased"] == pytest.approx(20 + (0.2 if order == "outcome_first" else 0.0))
    assert not r.engine.mediation_state.handoffs


def test_queue_diversion_reported_after_ringing_still_links(ready_run):
    """The same holds for an ACD queue whose EventDiverted is reported late: it becomes the
    call's distributor when the agent-side event named no other (no ThisQueue)."""
    r = ready_run
    queued(r)
    m = r.mark()
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventDiverted", 0, ThisDN="7000", ThisQueue="7000", ThirdPartyDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    assert [(a.action, a.duration) for a in _records(r, Q, m) if a.kind == "retro"] == [
        ("CallDistributed", 1.0), ("CallAnswered", 2.0)]


def test_late_diversion_of_the_this_queue_sets_its_entry_time(ready_run):
    """ThisQueue on EventRinging links the queue before its EventDiverted is seen (entry =
    ringing time); the late EventDiverted corrects the entry to the CallWait start, so the
    reflected CallAnswered counts from the call's entry (OQ-18)."""
    r = ready_run
    queued(r)
    r.ev("EventRinging", 3, ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    r.ev("EventDiverted", 0, ThisDN="7000", ThisQueue="7000", ThirdPartyDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", 2, ThisDN="6001", ThisQueue="7000", ConnID=C1, CallType=2)
    assert r.named("CallAnswered", Q)[0].duration == 5.0
    assert len(r.named("CallAnswered", Q)) == 1


def test_late_diversion_after_the_call_left_the_dn(ready_run):
    """Even a short call answered and released before the VQ's EventDiverted arrives (same
    second) is reflected: CallAnswered, then CallReleased with the talk time. A ring-no-answer
    leg is not joined (the call goes back for another distribution)."""
    r = ready_run
    c = dict(ConnID=C1, CallType=CallType.Inbound)
    r.ev("EventQueued", ThisDN="9000", ThisQueue="9000", **c)
    r.ev("EventRinging", 2, ThisDN="6001", **c)
    r.ev("EventEstablished", 0.1, ThisDN="6001", **c)
    r.ev("EventReleased", 0.5, ThisDN="6001", CallState=CallState.Ok, **c)
    m = r.mark()
    r.ev("EventDiverted", 0.2, ThisDN="9000", ThisQueue="9000", ThirdPartyDN="6001", **c)
    got = [(a.action, round(a.duration, 3)) for a in _records(r, VQ, m) if a.kind == "retro"]
    assert got == [("CallDistributed", 2.8), ("CallAnswered", 2.1), ("CallReleased", 0.5)]
    r.ev("EventQueued", 5, ThisDN="9000", ThisQueue="9000", ConnID=C2, CallType=2)
    r.ev("EventRinging", 1, ThisDN="6001", ConnID=C2, CallType=2)
    r.ev("EventReleased", 4, ThisDN="6001", ConnID=C2, CallType=2, CallState=CallState.NoAnswer)
    r.ev("EventDiverted", 0.5, ThisDN="9000", ThisQueue="9000", ThirdPartyDN="6001", ConnID=C2, CallType=2)
    r.ev("EventRinging", 0.1, ThisDN="6001", ConnID=C2, CallType=2)
    r.ev("EventEstablished", 1, ThisDN="6001", ConnID=C2, CallType=2)
    assert [a.duration for a in r.named("CallAnswered", VQ)] == [pytest.approx(2.1), pytest.approx(6.6)]


def test_model_emits_the_real_virtual_queue_order(tmp_path):
    """Issue 18: the SimPy model emits a VQ's EventDiverted after the agent's EventRinging
    (URS distributes it after EventRouteUsed), and the engine still reflects each call the VQ
    distributed once: one CallAnswered per call answered at the DN the VQ sent it to."""
    import json
    from pathlib import Path

    from sim.scenario.load import load_scenario
    from sim.simulation import simulate
    scen = Path(__file__).resolve().parent.parent / "scenarios" / "blended.toml"
    sc = load_scenario(str(scen), ["run.horizon=1800"], None)
    simulate(sc, str(tmp_path), stats=False)
    evs = [json.loads(x) for x in (tmp_path / "events.jsonl").read_text().splitlines()]
    rung, answered, diverted = set(), set(), []
    for e in evs:
        key = (e.get("ThisDN"), e.get("ConnID"))
        if e["event"] == "EventRinging":
            rung.add(key)
        elif e["event"] == "EventEstablished":
            answered.add(key)
        elif e["event"] == "EventDiverted" and e["ThisDN"] == "VQ_Sales":
            target = (e["ThirdPartyDN"], e["ConnID"])
            assert target in rung, f"VQ EventDiverted before the agent's EventRinging: {target}"
            diverted.append(target)
    assert diverted
    acts = [json.loads(x) for x in (tmp_path / "actions.jsonl").read_text().splitlines()]
    vq_answered = [a["ConnID"] for a in acts if a["object"].startswith("VQ_Sales@")
                   and a["action"] == "CallAnswered" and a["object_type"] == "Queue"]
    assert sorted(vq_answered) == sorted(c for dn, c in diverted if (dn, c) in answered)
