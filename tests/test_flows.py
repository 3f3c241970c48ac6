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
from sim.tlib.flows import FlowBuilder

GOLDEN = Path(__file__).parent / "golden"
Q, Q2, RP, VQ = "7000@SW1", "7001@SW1", "8000@SW1", "9000@SW1"
D1, D2 = "6001@SW1", "6002@SW1"


class Flow:
    def __init__(self, build, *args, **kw):
        f = FlowBuilder()
        flows.standard_connect(f)
        flows.login_ready(f, "6001", "1001")
        flows.login_ready(f, "6002", "1002")
        self.start = len(f.events)
        self.result = build(f, *args, **kw)
        self.events = f.events
        self.t0 = f.events[0].time
        self.engine = ActionEngine(objects())
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


FLOWS = {
    "inbound_via_queue": lambda: Flow(flows.inbound_via_queue, hold=5.0, user_data={"Segment": "gold"}),
    "inbound_routed_to_agent": lambda: Flow(flows.inbound_routed_to_agent),
    "inbound_virtual_queue": lambda: Flow(flows.inbound_virtual_queue),
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
    assert "CallConferencePartyAdded" in f.retro(D1) and "CallConferencePartyDeleted" in f.retro(D1)
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallConsultStarted", "CallConsultCompleted",
                           "CallInboundStarted", "CallPartyChanged", "CallConferenceJoined",
                           "CallInboundCompleted"]


def test_single_step_conference():
    f = FLOWS["single_step_conference"]()
    assert f.retro(D2) == ["CallRingingStarted", "CallAnswered", "CallInboundStarted", "CallConferenceJoined",
                           "CallInboundCompleted"]


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
