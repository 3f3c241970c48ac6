"""Golden flows: every per-DN sequence of docs/reference/tevents.md §9 through the engine, with the expected
actions on the queue, the routing point, the agent DN, the agent, the place and each group
(docs/reference/actions.md §4.7, §5.2, §5.3, §7, §8).

Each flow also has a golden file in tests/golden/ holding every record the engine wrote;
regenerate with ``SIM_UPDATE_GOLDEN=1 pytest tests/test_flows.py`` after reviewing the change.
"""

from __future__ import annotations

import os
from collections import Counter
from pathlib import Path

import pytest
from conftest import objects

from sim.statserver.engine import ActionEngine
from sim.statserver.propagation import GroupIndex
from sim.statserver.records import Action, GroupStatus, StatusChange
from sim.tlib import flows
from sim.tlib.codes import CallState
from sim.tlib.flows import FlowBuilder

GOLDEN = Path(__file__).parent / "golden"
Q, Q2, RP, VQ = "7000@SW1", "7001@SW1", "8000@SW1", "9000@SW1"
D1, D2 = "6001@SW1", "6002@SW1"


class Flow:
    def __init__(self, build, *args, engine_options=None, **kw):
        f = FlowBuilder()
        flows.standard_connect(f)
        flows.login_ready(f, "6001", "1001")
        flows.login_ready(f, "6002", "1002")
        self.start = len(f.events)
        self.result = build(f, *args, **kw)
        self.events = f.events
        self.t0 = f.events[0].time
        self.engine = ActionEngine(objects(), **(engine_options or {}))
        self.records = []
        self.flow_records = []
        for i, ev in enumerate(f.events):
            recs = self.engine.feed(ev)
            assert not self.engine.problems, self.engine.problems
            self.records.extend(recs)
            if i >= self.start:
                self.flow_records.extend(recs)

    def acts(self, obj, kinds=("moment", "retro", "start", "end"), names=None):
        return [(r.action, r.kind) for r in self.flow_records if type(r) is Action and r.object == obj
                and r.kind in kinds and (names is None or r.action in names)]

    def retro(self, obj):
        return [r.action for r in self.flow_records if type(r) is Action and r.object == obj
                and r.kind in ("retro", "moment")]

    def one(self, obj, name):
        found = [r for r in self.flow_records if type(r) is Action and r.object == obj and r.action == name
                 and r.kind in ("retro", "moment", "end")]
        assert len(found) == 1, (name, found)
        return found[0]

    def statuses(self, obj):
        return [r.status for r in self.flow_records if type(r) is StatusChange and r.object == obj]

    def golden_lines(self):
        """Every record of the flow, plus the group-level copies of §7 (derived, marked ~)."""
        groups = GroupIndex(self.engine.objects)
        out = []
        for r in self.flow_records:
            t = f"{r.time - self.t0:9.3f}"
            if type(r) is Action:
                dur = "" if r.duration is None else f" {r.duration:.3f}s"
                tail = f"{r.kind} {r.action}{'' if r.conn_id is None else ' ' + r.conn_id[-4:]}{dur}"
                out.append(f"{t} {r.object_type}:{r.object} {tail}")
                out.extend(f"{t} ~{gtype}:{g} {tail}" for gtype, g in groups.groups_of(r))
            elif type(r) is StatusChange:
                out.append(f"{t} {r.object_type}:{r.object} status {r.previous} -> {r.status}")
            elif type(r) is GroupStatus:
                out.append(f"{t} {r.object_type}:{r.object} counts {sorted(r.counts.items())}")
        return out


def inbound_virtual_queue_late(f: FlowBuilder, answered_first=False, agent_dn="6001", agent="1001",
                               rp="8000", vq="9000", talk=30.0) -> str:
    """The order real systems emit (issue 18): URS has T-Server distribute the VQ's
    EventDiverted only after EventRouteUsed, so the agent's EventRinging -- with auto-answer
    even its EventEstablished -- reaches Stat Server first, within the same second."""
    c = f.conn()
    a = flows._call_attrs(c, ANI=flows.CALLER, DNIS=flows.DNIS, OtherDN=flows.CALLER, OtherDNRole=flows.ORIG)
    dest = flows.DEST
    f.ev("EventRouteRequest", ThisDN=rp, ThisQueue=rp, ThisDNRole=dest, **a)
    f.ev("EventQueued", 0, ThisDN=vq, ThisQueue=vq, ThisDNRole=dest, **a)
    f.ev("EventRouteUsed", 8, ThisDN=rp, ThisQueue=rp, ThirdPartyDN=agent_dn, ThirdPartyDNRole=dest, **a)
    f.ev("EventRinging", 0.001, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=dest, AgentID=agent, **a)
    if answered_first:
        f.ev("EventEstablished", 0.3, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=dest, **a)
    f.ev("EventDiverted", 0.2 if answered_first else 0, ThisDN=vq, ThisQueue=vq, ThirdPartyDN=agent_dn,
         ThirdPartyDNRole=dest, Reasons={"RTargetTypeSelected": "0", "RTargetAgentSelected": agent}, **a)
    if not answered_first:
        f.ev("EventEstablished", 2, ThisDN=agent_dn, ThisQueue=rp, ThisDNRole=dest, **a)
    f.ev("EventReleased", talk, ThisDN=agent_dn, ThisQueue=rp, CallState=CallState.Ok, **a)
    return c


def reregistration_edge_cases(f: FlowBuilder) -> tuple[str, str, str]:
    """Issue 18 part 1 in one re-registration after a lost T-Server connection: 6001 (agent
    1001, a call c1 ringing) is reported with AgentStatus but no AgentID and c1 still alerting;
    6002 (agent 1002 on an answered call c2) with Extensions that are not DN status; 6003
    (logged out) with AgentStatus 2 but no AgentID. Then the answers: a CallsQuery typing c1
    (it stays ringing), 6002's DN status "calls present, none listed", the CallsQuery that asks
    for, naming c2 held and a new call c3 active; c1 is answered."""
    c1, c2, c3 = f.conn(), f.conn(), f.conn()
    info = "InfoStatus"
    a1 = flows._call_attrs(c1, ANI=flows.CALLER, OtherDN=flows.CALLER)
    a2 = flows._call_attrs(c2, ANI=flows.CALLER, OtherDN=flows.CALLER)
    f.ev("EventRinging", ThisDN="6001", AgentID="1001", **a1)
    f.ev("EventRinging", 0, ThisDN="6002", AgentID="1002", **a2)
    f.ev("EventEstablished", 1, ThisDN="6002", AgentID="1002", **a2)
    flows.client_disconnect(f, {
        "6001": {"AgentStatus": 3, "status": 1, "conn-1": c1, "ps-1": 0xA},
        "6002": {"cnt": 1},
        "6003": {"AgentStatus": 2, "status": 0},
    })
    f.ev("EventAddressInfo", 0.1, ThisDN="6001", InfoType=9, **{info: 1}, ConnID=c1, CallType=2)
    f.ev("EventAddressInfo", 0.1, ThisDN="6002", InfoType=17, **{info: 0},
         Extensions={"AgentStatus": 2, "AgentID": "1002", "status": 1})
    f.ev("EventAddressInfo", 0.1, ThisDN="6002", InfoType=9, **{info: 2}, ConnID=c3, PreviousConnID=c2,
         CallType=1, ThisDNRole=flows.ORIG)
    f.ev("EventEstablished", 2, ThisDN="6001", AgentID="1001", ConnID=c1)
    return c1, c2, c3


FLOWS = {
    "inbound_via_queue": lambda: Flow(flows.inbound_via_queue, hold=5.0, user_data={"Segment": "gold"}),
    "inbound_routed_to_agent": lambda: Flow(flows.inbound_routed_to_agent),
    "inbound_virtual_queue": lambda: Flow(flows.inbound_virtual_queue),
    "inbound_virtual_queue_ringing_first": lambda: Flow(inbound_virtual_queue_late),
    "inbound_virtual_queue_answered_first": lambda: Flow(inbound_virtual_queue_late, answered_first=True),
    "inbound_ivr_two_queues": lambda: Flow(flows.inbound_ivr_two_queues),
    "abandon_in_queue": lambda: Flow(flows.abandon_in_queue),
    "abandon_on_routing_point": lambda: Flow(flows.abandon_on_routing_point),
    "abandon_while_ringing": lambda: Flow(flows.abandon_while_ringing),
    "ring_no_answer": lambda: Flow(flows.ring_no_answer),
    "outbound": lambda: Flow(flows.outbound),
    "outbound_busy": lambda: Flow(flows.outbound_busy),
    "internal": lambda: Flow(flows.internal),
    "hold_retrieve": lambda: Flow(flows.hold_retrieve),
    "two_step_transfer": lambda: Flow(flows.two_step_transfer),
    "blind_transfer": lambda: Flow(flows.two_step_transfer, blind=True),
    "cancelled_consultation": lambda: Flow(flows.cancelled_consultation),
    "single_step_transfer": lambda: Flow(flows.single_step_transfer),
    "conference": lambda: Flow(flows.conference),
    "single_step_conference": lambda: Flow(flows.single_step_conference),
    "login_session": lambda: Flow(flows.login_session, "6003", "1003"),
    "reregistration_edge_cases": lambda: Flow(reregistration_edge_cases),
    "abandon_while_ringing_call_abandoned_option": lambda: Flow(
        flows.abandon_while_ringing, engine_options={"regular_call_abandoned": True}),
    "link_loss": lambda: Flow(flows.link_loss),
}


@pytest.mark.parametrize("name", sorted(FLOWS))
def test_golden_file(name):
    """The whole record stream of each flow equals its reviewed golden file."""
    lines = FLOWS[name]().golden_lines()
    path = GOLDEN / f"{name}.txt"
    if os.environ.get("SIM_UPDATE_GOLDEN") or not path.exists():
        path.write_text("\n".join(lines) + "\n")
    assert lines == path.read_text().splitlines()


def test_inbound_via_queue():
    """docs/reference/tevents.md §9.1 / docs/reference/actions.md §4.7.1: RP -> queue -> agent -> ACW -> Ready."""
    f = FLOWS["inbound_via_queue"]()
    lines = f.golden_lines()
    # §7: the queue's and RP's actions reach GroupQueues, the agent's GroupAgents, the place's
    # GroupPlaces
    assert any(x.endswith("~GroupQueues:SalesQueues retro CallAnswered 1001 8.001s") for x in lines)
    assert any("~GroupQueues:SalesQueues moment CallEntered" in x for x in lines)
    assert any("~GroupAgents:Sales start CallInbound" in x for x in lines)
    assert any("~GroupPlaces:SalesPlaces end AfterCallWork" in x for x in lines)
    assert f.retro(RP) == ["CallEntered", "CallDistributed", "CallDistributedToQueue"]
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased", "ACWCompleted"]
    assert f.one(Q, "CallDistributed").duration == 5.0          # time waited in the queue
    assert f.one(Q, "CallAnswered").duration == pytest.approx(5.0 + 0.001 + 3.0)  # entry -> answer (OQ-18)
    assert f.one(Q, "CallReleased").duration == 20.0 + 5.0 + 60.0   # talk time incl. hold
    assert f.one(Q, "ACWCompleted").duration == 10.0
    assert f.retro(D1) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted", "CallHeld",
                           "CallRetrievedFromHold", "CallInboundCompleted"]
    assert f.statuses(D1) == ["CallRinging", "CallInbound", "CallOnHold", "CallInbound",
                              "WaitForNextCall", "AfterCallWork", "WaitForNextCall"]
    assert f.statuses("agent1001") == f.statuses(D1)
    assert f.statuses("Place_6001") == f.statuses(D1)
    # propagated copies: the agent and the place get the DN's actions
    assert f.retro("agent1001") == f.retro(D1) == f.retro("Place_6001")
    # user data attached on the RP travel with the call
    assert f.one(D1, "CallInboundCompleted").data["UserData"] == {"Segment": "gold"}
    # group counts follow member statuses (§8.6)
    assert f.engine.group_status_counts("Sales") == {"WaitForNextCall": 2}
    assert f.engine.group_status_counts("SalesPlaces") == {"WaitForNextCall": 2}


def test_routed_straight_to_agent():
    """§9.1 variant: the RP distributed the call and reflects the agent's outcome (Q5)."""
    f = FLOWS["inbound_routed_to_agent"]()
    assert f.retro(RP) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]


def test_virtual_queue_variants():
    """§5.1: the VQ gets CallEntered / CallWait / CallDistributed and its variants of
    CallAnswered and CallReleased; the RP reflects too."""
    f = FLOWS["inbound_virtual_queue"]()
    assert f.retro(VQ) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.one(VQ, "CallDistributed").duration == 8.0
    assert f.retro(RP) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]


@pytest.mark.parametrize("name,answer_after_entry", [("inbound_virtual_queue_ringing_first", 10.001),
                                                     ("inbound_virtual_queue_answered_first", 8.301)])
def test_virtual_queue_outcome_does_not_depend_on_the_order(name, answer_after_entry):
    """Issue 18: the VQ's EventDiverted after the agent's EventRinging (or EventEstablished):
    the VQ still gets CallAnswered (duration entry -> answer, the answer's own time) and
    CallReleased, once each, like the diverted-first order."""
    f = FLOWS[name]()
    assert f.retro(VQ) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.retro(RP) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.one(VQ, "CallAnswered").duration == pytest.approx(answer_after_entry)
    assert f.one(VQ, "CallAnswered").duration == pytest.approx(f.one(RP, "CallAnswered").duration)
    assert f.one(VQ, "CallReleased").duration == f.one(RP, "CallReleased").duration     # talk time
    assert not f.engine.mediation_state.handoffs                 # nothing left waiting for a ringing


def test_reregistration_edge_cases():
    """Issue 18 part 1 (docs/decisions.md "Engine edge cases")."""
    f = FLOWS["reregistration_edge_cases"]()
    c1, c2, c3 = f.result
    d3 = "6003@SW1"
    # 6001: the kept agent stays (no AgentID reported), AgentStatus 3 applies to it; c1 rings
    # on and is answered as the CallsQuery answer typed it (one phase at a time)
    assert f.acts(D1, names=("WaitForNextCall", "NotReadyForNextCall", "LoggedIn", "LoggedOut",
                             "CallUnknown")) == [("WaitForNextCall", "end"), ("NotReadyForNextCall", "start")]
    assert f.retro(D1) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted"]
    assert f.statuses(D1)[-1] == "CallInbound" and f.engine.dns[D1].agent == "agent1001"
    # 6002: no DN-status keys -> state kept until the DNStatus answer; "status 1, none listed"
    # -> CallsQuery; c2 (tracked) held, c3 new and Internal, originated here
    assert f.acts(D2, names=("CallOnHold", "CallInternal", "CallInternalOriginated", "CallInbound")) == [
        ("CallInbound", "start"), ("CallInternal", "start"), ("CallInternalOriginated", "start"),
        ("CallOnHold", "start")]
    assert f.statuses(D2)[-1] == "CallInternal"
    assert f.engine.calls_on(D2) == {c2, c3}
    # 6003: logged out, AgentStatus 2 without AgentID: LoggedOut keeps running, nothing starts
    assert [x for x in f.acts(d3) if x[0] not in ("Monitored", "NotMonitored")] == []
    assert f.engine.agent_status["agent1003"] == "LoggedOut"


def test_abandon_while_ringing_with_call_abandoned_option():
    """OQ-5 option on: the regular DN also gets CallAbandoned; the queue's reflection is
    unchanged."""
    f = FLOWS["abandon_while_ringing_call_abandoned_option"]()
    assert f.retro(D1) == ["CallRingingStarted", "CallAbandonedFromRinging", "CallAbandoned"]
    assert f.one(D1, "CallAbandoned").duration == f.one(D1, "CallAbandonedFromRinging").duration
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallAbandonedFromRinging"]


def test_ivr_and_two_queues():
    """§9.1 variant: queued in two queues with IVR treatment; both queues distribute, only
    the delivering queue (ThisQueue) reflects the answer."""
    f = FLOWS["inbound_ivr_two_queues"]()
    assert f.retro(Q) == ["CallEntered", "CallDistributed"]
    assert f.retro(Q2) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.retro("6900@SW1") == ["CallRingingStarted", "CallAnswered", "CallInboundStarted",
                                   "CallInboundCompleted"]


def test_abandon_in_queue():
    """§9.2 / §4.7.3: CallWait ends with CallAbandoned (duration = wait)."""
    f = FLOWS["abandon_in_queue"]()
    assert f.retro(Q) == ["CallEntered", "CallAbandoned"]
    assert f.one(Q, "CallAbandoned").duration == 20.0
    assert f.statuses(D1) == []


def test_abandon_on_routing_point():
    f = FLOWS["abandon_on_routing_point"]()
    assert f.retro(RP) == ["CallEntered", "CallAbandoned"]


def test_abandon_while_ringing():
    """§9.3: CallAbandonedFromRinging on the DN and on the distributing queue; no ACW."""
    f = FLOWS["abandon_while_ringing"]()
    assert f.retro(D1) == ["CallRingingStarted", "CallAbandonedFromRinging"]
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallAbandonedFromRinging"]
    assert f.one(Q, "CallAbandonedFromRinging").duration == pytest.approx(2 + 0.001 + 6)
    assert f.statuses(D1) == ["CallRinging", "WaitForNextCall"]


def test_ring_no_answer():
    """§4.7.4 / OQ-10: RONA: CallForwarded on the DN, CallMissed on the queue; the call is
    redistributed and answered elsewhere (two CallEntered, one answered)."""
    f = FLOWS["ring_no_answer"]()
    assert f.retro(D1) == ["CallRingingStarted", "CallForwarded"]
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallMissed", "CallEntered",
                          "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.statuses(D1) == ["CallRinging", "WaitForNextCall", "NotReadyForNextCall"]


def test_outbound():
    """§9.4: CallDialing -> CallDialed; CallOutbound with its Originated companion."""
    f = FLOWS["outbound"]()
    assert f.acts(D1) == [
        ("OnHook", "end"), ("OffHook", "start"), ("CallDialing", "start"), ("CallDialingStarted", "moment"),
        ("CallDialing", "end"), ("CallDialed", "retro"), ("CallOutbound", "start"),
        ("CallOutboundStarted", "moment"), ("CallOutboundOriginated", "start"), ("CallOutbound", "end"),
        ("CallOutboundCompleted", "retro"), ("CallOutboundOriginated", "end"), ("OffHook", "end"),
        ("OnHook", "start")]
    assert f.statuses(D1) == ["OffHook", "CallDialing", "CallOutbound", "WaitForNextCall"]


def test_outbound_busy():
    f = FLOWS["outbound_busy"]()
    assert f.retro(D1) == ["CallDialingStarted", "CallAbandonedFromDialing"]


def test_internal_call():
    """§9.5: Originated on A, Received on B; nothing on the queues."""
    f = FLOWS["internal"]()
    assert ("CallInternalOriginated", "start") in f.acts(D1)
    assert ("CallInternalReceived", "start") in f.acts(D2)
    assert f.retro(D1) == ["CallDialingStarted", "CallDialed", "CallInternalStarted", "CallInternalCompleted"]
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallInternalStarted", "CallInternalCompleted"]
    assert f.retro(Q) == []


def test_hold_retrieve():
    f = FLOWS["hold_retrieve"]()
    assert f.one(D1, "CallRetrievedFromHold").duration == 15.0
    assert f.statuses(D1) == ["CallRinging", "CallInbound", "CallOnHold", "CallInbound", "WaitForNextCall"]


def test_two_step_transfer():
    """§9.7 / §4.7.2: CallConsult on both, Originated on A and Received on B; A:
    CallTransferMade; B: CallTransferTaken and CallInbound under the original ConnID; the queue
    counts the call once."""
    f = FLOWS["two_step_transfer"]()
    c1, c2 = f.result
    assert f.retro(D1) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted", "CallHeld",
                           "CallDialingStarted", "CallDialed", "CallConsultStarted", "CallConsultCompleted",
                           "CallInboundCompleted", "CallTransferMade"]
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallConsultStarted", "CallConsultCompleted",
                           "CallInboundStarted", "CallPartyChanged", "CallTransferTaken", "CallInboundCompleted"]
    assert ("CallConsultOriginated", "start") in f.acts(D1)
    assert ("CallConsultReceived", "end") in f.acts(D2)
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.statuses(D2) == ["CallRinging", "CallConsult", "CallInbound", "WaitForNextCall"]
    # dialling ranks below a held call (§8.2), the answered consultation above it
    assert f.statuses(D1) == ["CallRinging", "CallInbound", "CallOnHold", "CallConsult", "CallOnHold",
                              "WaitForNextCall"]


def test_blind_transfer():
    """§9.7 variant: completed while B rings: A's consult leg ends with CallDialTransferred;
    B's ringing moves to the original ConnID and is answered there."""
    f = FLOWS["blind_transfer"]()
    assert "CallDialTransferred" in f.retro(D1)
    assert f.retro(D2) == ["CallRingingStarted", "CallPartyChanged", "CallRingingPartyChanged",
                           "CallTransferTaken", "CallAnswered", "CallInboundStarted", "CallInboundCompleted"]


def test_cancelled_consultation():
    """§9.7 variant: the consulted party that was still ringing gets CallAbandonedFromRinging."""
    f = FLOWS["cancelled_consultation"]()
    assert f.retro(D2) == ["CallRingingStarted", "CallAbandonedFromRinging"]
    assert "CallAbandonedFromDialing" in f.retro(D1)
    assert f.statuses(D1)[-2:] == ["CallInbound", "WaitForNextCall"]


def test_single_step_transfer():
    """§9.8: A: CallTransferMade; B: CallTransferTaken on EventEstablished."""
    f = FLOWS["single_step_transfer"]()
    assert f.retro(D1)[-2:] == ["CallInboundCompleted", "CallTransferMade"]
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted", "CallTransferTaken",
                           "CallInboundCompleted"]
    assert f.retro(Q) == ["CallEntered", "CallDistributed", "CallAnswered", "CallReleased"]
    assert f.one(Q, "CallReleased").duration == 15.0       # A's talk time; B adds none (§5.3)


def test_conference():
    """§9.9: A: CallDialConferenced? no - the consult was answered: CallConsultCompleted and
    CallConferenceMade on the consult leg; B: CallConferenceJoined; A: PartyAdded / Deleted."""
    f = FLOWS["conference"]()
    assert "CallConferenceMade" in f.retro(D1)
    # issue 18: A added B to the call: it originated the conference and made it (§4.3)
    assert [x for x in f.retro(D1) if x in ("CallConferenceOriginated", "ConferenceMade")] == [
        "CallConferenceOriginated", "ConferenceMade"]
    assert "ConferenceMade" not in f.retro(D2) and "ConferenceJoined" not in f.retro(D2)
    assert "CallConferencePartyAdded" in f.retro(D1) and "CallConferencePartyDeleted" in f.retro(D1)
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallConsultStarted", "CallConsultCompleted",
                           "CallInboundStarted", "CallPartyChanged", "CallConferenceJoined",
                           "CallInboundCompleted"]


def test_single_step_conference():
    f = FLOWS["single_step_conference"]()
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted", "CallConferenceJoined",
                           "CallInboundCompleted"]
    assert f.retro(D1)[-5:] == ["CallConferencePartyAdded", "CallConferenceOriginated", "ConferenceMade",
                                "CallConferencePartyDeleted", "CallInboundCompleted"]


def test_login_session():
    """§9.10: login, ready, not ready with a reason, logout."""
    f = FLOWS["login_session"]()
    d3 = "6003@SW1"
    assert f.acts(d3) == [("LoggedOut", "end"), ("LoggedIn", "start"), ("AgentLogin", "start"),
                          ("WaitForNextCall", "start"), ("WaitForNextCall", "end"),
                          ("NotReadyForNextCall", "start"), ("NotReadyForNextCall", "end"),
                          ("AgentLogin", "end"), ("LoggedIn", "end"), ("AgentLogout", "moment"),
                          ("LoggedOut", "start")]
    assert f.statuses("agent1003") == ["OnHook", "WaitForNextCall", "NotReadyForNextCall", "LoggedOut"]
    assert f.acts(Q, names=("AgentLogin", "DNLogin", "AgentReady", "DNReady")) == [
        ("AgentLogin", "start"), ("DNLogin", "start"), ("AgentReady", "start"), ("DNReady", "start"),
        ("AgentReady", "end"), ("DNReady", "end"), ("AgentLogin", "end"), ("DNLogin", "end")]


def test_link_loss():
    """§9.12: NotMonitored during the outage; the clean-up release ends the kept ringing call
    without a retrospective."""
    f = FLOWS["link_loss"]()
    assert f.statuses(D1) == ["CallRinging", "NotMonitored", "CallRinging", "WaitForNextCall"]
    assert f.retro(D1) == ["CallRingingStarted"]
    assert Counter(f.statuses(Q)) == Counter({"NotMonitored": 1, "Monitored": 1})


def test_client_disconnect_and_reregistration():
    """§9.13 / §11: a Stat Server disconnect and re-registration with Extensions that report
    the agents' current state; kept actions that agree keep running."""
    f = FlowBuilder()
    flows.standard_connect(f)
    flows.login_ready(f, "6001", "1001")
    eng = ActionEngine(objects())
    for ev in f.events:
        eng.feed(ev)
    start = eng.dns[D1].running["WaitForNextCall"].start
    f2 = FlowBuilder(t0=f.t)
    f2.seq = f.seq
    flows.client_disconnect(f2, {"6001": {"AgentStatus": 2, "AgentID": "1001", "status": 0}})
    recs = []
    for ev in f2.events:
        recs.extend(eng.feed(ev))
    assert eng.dns[D1].running["WaitForNextCall"].start == start
    assert eng.agent_status["agent1001"] == "WaitForNextCall"
    assert [r.status for r in recs if type(r) is StatusChange and r.object == D1] == [
        "NotMonitored", "WaitForNextCall"]
