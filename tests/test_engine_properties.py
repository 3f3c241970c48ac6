"""Property tests: random TEvent sequences on several DNs (regular and mediation) never crash
the engine and keep its invariants (issue 2 and 3 acceptance; docs/reference/actions.md §3, §5.2, §8)."""

from __future__ import annotations

from collections import Counter

from conftest import objects
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from sim.statserver.engine import ActionEngine
from sim.statserver.records import Action, GroupStatus, StatusChange
from sim.statserver.rules import HIDDEN_WHILE_HELD
from sim.tlib import make_event
from sim.tlib.codes import AgentWorkMode, CallState, CallType, DNRole

REGULAR = ["6001", "6002", "6003"]
MEDIATION = ["7000", "7001", "8000", "9000"]
CONNS = ["00000000000000a1", "00000000000000a2", "00000000000000a3", "00000000000000a4"]
AGENTS = ["1001", "1002", "1003"]

call_events = st.sampled_from([
    "EventRinging", "EventDialing", "EventEstablished", "EventReleased", "EventAbandoned",
    "EventHeld", "EventRetrieved", "EventDiverted", "EventPartyChanged", "EventPartyAdded",
    "EventPartyDeleted", "EventAttachedDataChanged", "EventNetworkReached", "EventUserEvent"])
agent_events = st.sampled_from([
    "EventAgentLogin", "EventAgentLogout", "EventAgentReady", "EventAgentNotReady",
    "EventAgentAfterCallWork", "EventOffHook", "EventOnHook", "EventQueueLogout"])
queue_events = st.sampled_from([
    "EventQueued", "EventRouteRequest", "EventDiverted", "EventRouteUsed", "EventAbandoned",
    "EventReleased", "EventPartyChanged", "EventTreatmentApplied", "EventTreatmentEnd"])
switch_events = st.sampled_from([
    "EventServerConnected", "EventServerDisconnected", "EventLinkConnected", "EventLinkDisconnected"])
registration_events = st.sampled_from([
    "EventRegistered", "EventAddressInfo", "EventError", "EventDNOutOfService", "EventDNBackInService",
    "EventUnregistered"])


@st.composite
def tevent(draw):
    kind = draw(st.sampled_from(["call", "call", "call", "agent", "agent", "queue", "queue", "switch", "reg"]))
    attrs = {}
    if kind == "switch":
        name = draw(switch_events)
    elif kind == "queue":
        name = draw(queue_events)
        q = draw(st.sampled_from(MEDIATION))
        attrs = {"ThisDN": q, "ThisQueue": q, "ConnID": draw(st.sampled_from(CONNS)),
                 "CallType": draw(st.sampled_from(list(CallType))),
                 "ThirdPartyDN": draw(st.sampled_from(REGULAR + MEDIATION + ["5551234"])),
                 "CallState": draw(st.sampled_from([CallState.Ok, CallState.SystemError, CallState.Abandoned]))}
        if name == "EventPartyChanged":
            attrs["PreviousConnID"] = draw(st.sampled_from(CONNS))
    elif kind == "agent":
        name = draw(agent_events)
        attrs = {"ThisDN": draw(st.sampled_from(REGULAR)), "AgentID": draw(st.sampled_from(AGENTS)),
                 "AgentWorkMode": draw(st.sampled_from(list(AgentWorkMode))),
                 "ThisQueue": draw(st.sampled_from(["7000", "7001"]))}
        if draw(st.booleans()):
            attrs["Reasons"] = {"ReasonCode": draw(st.sampled_from(["Lunch", "Break"]))}
    elif kind == "reg":
        name = draw(registration_events)
        dn = draw(st.sampled_from(REGULAR + MEDIATION))
        attrs = {"ThisDN": dn}
        if name in ("EventRegistered", "EventAddressInfo"):
            ext = {"AgentStatus": draw(st.integers(0, 5)), "status": draw(st.integers(0, 1))}
            if ext["AgentStatus"] or draw(st.booleans()):
                ext["AgentID"] = draw(st.sampled_from(AGENTS))
            # issue 18: partial key sets and keys that are not DN status at all
            for key in draw(st.sets(st.sampled_from(["AgentStatus", "AgentID", "status"]), max_size=3)):
                ext.pop(key, None)
            if draw(st.integers(0, 9)) == 0:
                ext["Unrelated"] = "x"
            for i, c in enumerate(draw(st.lists(st.sampled_from(CONNS), max_size=2, unique=True)), 1):
                ext[f"conn-{i}"] = c
                ext[f"ps-{i}"] = draw(st.sampled_from([0xA, 0xC, 0xE, 0x10001]))
            if name == "EventAddressInfo":
                attrs["InfoType"] = draw(st.sampled_from([17, 18, 9]))
                attrs["ConnID"] = draw(st.sampled_from(CONNS))
                attrs["CallType"] = draw(st.sampled_from(list(CallType)))
                attrs["ThisDNRole"] = draw(st.sampled_from([DNRole.Origination, DNRole.Destination]))
                if draw(st.booleans()):
                    attrs["PreviousConnID"] = draw(st.sampled_from(CONNS))
            if draw(st.booleans()) or name == "EventAddressInfo":
                attrs["Extensions"] = ext
    else:
        name = draw(call_events)
        attrs = {"ThisDN": draw(st.sampled_from(REGULAR)), "ConnID": draw(st.sampled_from(CONNS)),
                 "CallType": draw(st.sampled_from(list(CallType))),
                 "CallState": draw(st.sampled_from(list(CallState)))}
        if draw(st.booleans()):
            attrs["ThisQueue"] = draw(st.sampled_from(MEDIATION))
        if name == "EventPartyChanged":
            attrs["PreviousConnID"] = draw(st.sampled_from(CONNS))
        if name == "EventRinging" and draw(st.booleans()):
            attrs["ThirdPartyDNRole"] = DNRole.TransferredBy
        if name in ("EventAttachedDataChanged", "EventUserEvent"):
            attrs["UserData"] = {"k": draw(st.integers(0, 3))}
    dt = draw(st.sampled_from([0.0, 0.0005, 0.4, 1.0, 7.5]))
    return dt, name, attrs


def run_engine(script):
    eng = ActionEngine(objects())
    t = 1000.0
    records = []
    for seq, (dt, name, attrs) in enumerate(script, 1):
        t += dt
        records.extend(eng.feed(make_event(t, name, "SW1", seq, **attrs)))
    return eng, records, t


def run_checked(script, check):
    """Like run_engine, calling ``check(engine)`` after every event."""
    eng = ActionEngine(objects())
    t = 1000.0
    for seq, (dt, name, attrs) in enumerate(script, 1):
        t += dt
        eng.feed(make_event(t, name, "SW1", seq, **attrs))
        check(eng)
    return eng


SETTINGS = settings(max_examples=1500, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@SETTINGS
@given(st.lists(tevent(), min_size=1, max_size=60))
def test_random_traces_keep_invariants(script):
    eng, records, end = run_engine(script)
    open_: dict = {}
    states_running: dict = {}
    for r in records:
        if type(r) is Action:
            assert r.duration is None or r.duration >= 0, r
            key = (r.object_type, r.object, r.aid)
            if r.kind == "start":
                assert key not in open_, f"started twice: {r}"
                open_[key] = r
                if r.object_type == "RegDN" and r.action in ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork"):
                    others = states_running.setdefault(r.object, set())
                    assert not others, f"agent-state overlap on {r.object}: {others} + {r.action}"
                    others.add(r.action)
            elif r.kind == "end":
                start = open_.pop(key, None)
                assert start is not None, f"ended without start (or twice): {r}"
                assert start.action == r.action
                assert abs((r.time - start.time) - r.duration) < 1e-6
                if r.object_type == "RegDN" and r.action in ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork"):
                    states_running[r.object].discard(r.action)
    # every durable action still open is running in the engine
    running = {(dn.object_type, dn.id, run.aid) for dn in eng.dns.values() for run in dn.running.values()}
    assert {k for k in open_ if k[0] in ("RegDN", "Queue", "RoutePoint")} == running


@SETTINGS
@given(st.lists(tevent(), min_size=1, max_size=60))
def test_status_episodes_tile_observed_time(script):
    """§8.1: one status per object at any time; each change starts where the last ended (a
    same-value change only updates the winning action's data, OQ-6)."""
    eng, records, end = run_engine(script)
    last: dict = {}
    last_time: dict = {}
    for r in records:
        if type(r) is StatusChange:
            key = (r.object_type, r.object)
            assert r.previous == last.get(key), r
            assert r.time >= last_time.get(key, r.time)
            last[key] = r.status
            last_time[key] = r.time
    for dn in eng.dns.values():
        assert last.get((dn.object_type, dn.id)) == dn.status
    for agent, status in eng.agent_status.items():
        assert last[("Agent", agent)] == status
        bound = eng.agent_dns[agent]
        assert (status == "LoggedOut") == (not bound)
    # group counts always add up to the number of members
    for r in records:
        if type(r) is GroupStatus:
            assert sum(r.counts.values()) <= len(eng.objects.groups[r.object].members)
            assert all(n > 0 for n in r.counts.values())


OUTCOMES = ("CallDistributed", "CallAbandoned", "CallCleared")


@SETTINGS
@given(st.lists(tevent(), min_size=1, max_size=60))
def test_call_wait_outcomes_balance(script):
    """Issue 3: every CallWait that starts ends exactly once with one outcome
    (CallDistributed, CallAbandoned or CallCleared; CallDistributedToQueue accompanies
    CallDistributed and is not an outcome of its own); CallEntered = outcomes + calls still
    waiting, leaving out calls found waiting at registration (no CallEntered) and CallWaits
    ended by reconciliation after a lost connection (no outcome)."""
    eng, records, end = run_engine(script)
    recs = [r for r in records if type(r) is Action and r.object_type in ("Queue", "RoutePoint")]
    entered, outcomes, reconciled = Counter(), Counter(), Counter()
    by_arrival = {}          # (queue, aid) -> started with a CallEntered
    for i, r in enumerate(recs):
        q = r.object
        if r.action == "CallEntered":
            entered[q] += 1
        elif r.action == "CallWait" and r.kind == "start":
            prev = recs[i - 1] if i else None
            by_arrival[(q, r.aid)] = (prev is not None and prev.action == "CallEntered"
                                      and prev.object == q and prev.conn_id == r.conn_id)
        elif r.action == "CallWait" and r.kind == "end":
            arrival = by_arrival.pop((q, r.aid))
            nxt = recs[i + 1] if i + 1 < len(recs) else None
            has_outcome = (nxt is not None and nxt.action in OUTCOMES and nxt.object == q
                           and nxt.conn_id == r.conn_id and nxt.duration == r.duration)
            if has_outcome:
                after = recs[i + 2] if i + 2 < len(recs) else None
                if after is not None and after.object == q and after.conn_id == r.conn_id:
                    assert after.action not in OUTCOMES, "two outcomes for one CallWait"
                    if after.action == "CallDistributedToQueue":
                        assert nxt.action == "CallDistributed"
            if arrival:
                if has_outcome:
                    outcomes[q] += 1
                else:
                    reconciled[q] += 1
        elif r.action in OUTCOMES:
            prev = recs[i - 1]
            assert prev.action == "CallWait" and prev.kind == "end" and prev.object == q, r
    still = Counter(q for (q, _), arrival in by_arrival.items() if arrival)
    for q in set(entered) | set(outcomes) | set(still):
        assert entered[q] == outcomes[q] + still[q] + reconciled[q], q
    # still-waiting calls are exactly the engine's running CallWaits (by arrival or registration)
    for dn in eng.dns.values():
        if dn.mediation:
            assert dn.waits == sum(1 for run in dn.running.values() if run.name == "CallWait")


def test_retro_outcome_follows_end_of_wait():
    """Each CallWait end is immediately followed by at most one outcome retrospective with
    the same duration (§5.2)."""
    from sim.tlib import flows
    f = flows.FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    flows.inbound_via_queue(f)
    flows.abandon_in_queue(f)
    eng = ActionEngine(objects())
    recs = [r for ev in f.events for r in eng.feed(ev) if type(r) is Action]
    for i, r in enumerate(recs):
        if r.action == "CallWait" and r.kind == "end":
            nxt = recs[i + 1]
            assert nxt.action in ("CallDistributed", "CallAbandoned", "CallCleared")
            assert nxt.duration == r.duration


PHASES = frozenset({"CallRinging", "CallDialing"}) | HIDDEN_WHILE_HELD    # the call-type actions


def one_live_phase(eng):
    for dn in eng.dns.values():
        if dn.mediation:
            continue
        phases = Counter(run.conn for run in dn.running.values() if run.name in PHASES)
        assert all(n == 1 for n in phases.values()), (dn.id, sorted(
            (run.name, run.conn) for run in dn.running.values() if run.name in PHASES))
        # and every live phase belongs to a call the DN knows
        assert set(phases) <= set(dn.legs), (dn.id, set(phases) - set(dn.legs))


# The call issue 18 found in two phases: registration reports it ringing, the CallsQuery
# answer then types it (the engine used to start CallUnknown next to CallRinging).
RINGING_THEN_TYPED = [
    (0.0, "EventServerConnected", {}),
    (0.0, "EventRegistered", {"ThisDN": "6001", "InfoType": 8, "Extensions": {
        "AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": CONNS[0], "ps-1": 0xA,
        "conn-2": CONNS[1], "ps-2": 0xC}}),
    (0.4, "EventAddressInfo", {"ThisDN": "6001", "InfoType": 9, "ConnID": CONNS[0], "CallType": 2}),
    (0.4, "EventAddressInfo", {"ThisDN": "6001", "InfoType": 9, "ConnID": CONNS[1],
                               "PreviousConnID": CONNS[0], "CallType": 1}),
]


@SETTINGS
@example(RINGING_THEN_TYPED)
@given(st.lists(tevent(), min_size=1, max_size=60))
def test_one_live_phase_per_call_and_dn(script):
    """Issue 18: one call has one phase at a time on a DN: after every event, at most one of
    CallRinging, CallDialing and a call-type action (CallInbound ... CallUnknown) runs for each
    ConnID on each regular DN -- across registration data, CallsQuery answers (also for a call
    already ringing or dialing, a second answer, a held PreviousConnID), party changes and
    lost connections."""
    run_checked(script, one_live_phase)
