"""Golden tests: one per regular-DN action with a trigger in docs/reference/actions.md §4.6 (Extension and
ACD Position), checking the exact actions the DN gets, in order."""

from __future__ import annotations

import pytest
from conftest import C1, C2, IDLE, Run

from sim.statserver.records import StatusChange
from sim.tlib.codes import AgentWorkMode, CallState, CallType, DNRole

D1, D2 = "6001@SW1", "6002@SW1"
S, E, M, R = "start", "end", "moment", "retro"


def on(run, dn, since):
    return run.actions(dn, object_type="RegDN", since=since)


def test_agent_login_starts_logged_in_and_agent_login_and_binds():
    """§4.6 EventAgentLogin: end LoggedOut; start LoggedIn; start AgentLogin(q); bind."""
    r = Run()
    r.connect(("6001", IDLE))
    m = r.mark()
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    assert on(r, D1, m) == [("LoggedOut", E), ("LoggedIn", S), ("AgentLogin", S)]
    assert r.engine.dns[D1].agent == "agent1001"
    assert r.engine.agent_status["agent1001"] == "OnHook"
    # the work mode of the login is not taken as ready / not ready
    assert r.engine.agent_state(D1) is None


def test_agent_logout(ready_run):
    """§4.6 EventAgentLogout: agent-state actions, AgentLogin(*) and LoggedIn end; LoggedOut
    starts; AgentLogout is emitted; the agent is unbound and becomes LoggedOut (§8.3.2)."""
    r = ready_run
    m = r.mark()
    r.ev("EventAgentLogout", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    assert on(r, D1, m) == [("WaitForNextCall", E), ("AgentLogin", E), ("LoggedIn", E),
                            ("AgentLogout", M), ("LoggedOut", S)]
    assert r.engine.agent_status["agent1001"] == "LoggedOut"
    assert r.engine.dn_status(D1) == "OnHook"     # LoggedOut is never a DN status


def test_queue_logout_ends_only_that_agent_login(ready_run):
    """§4.6 EventQueueLogout (q): end AgentLogin(q) only."""
    r = ready_run
    m = r.mark()
    r.ev("EventQueueLogout", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    assert on(r, D1, m) == [("AgentLogin", E)]
    assert r.engine.agent_state(D1) == "WaitForNextCall"


def _logged_in():
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE), ("7000", {}))
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000")
    return r


def test_ready_starts_wait_for_next_call():
    """§4.6 EventAgentReady: WaitForNextCall starts; status WaitForNextCall (§8.2)."""
    r = _logged_in()
    m = r.mark()
    r.ev("EventAgentReady", ThisDN="6001", AgentWorkMode=AgentWorkMode.ManualIn)
    assert on(r, D1, m) == [("WaitForNextCall", S)]
    assert r.statuses(D1)[-1] == "WaitForNextCall"


def test_ready_repeat_identical_changes_nothing(ready_run):
    """OQ-6: an identical repeat event changes nothing."""
    m = ready_run.mark()
    ready_run.ev("EventAgentReady", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    assert on(ready_run, D1, m) == []


def test_not_ready_with_reason_then_reason_change_restarts():
    """§4.6 EventAgentNotReady (other mode) and OQ-6: a reason change restarts
    NotReadyForNextCall, but the status episode continues (§8.1)."""
    r = _logged_in()
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=4, Reasons={"ReasonCode": "Lunch"})
    m = r.mark()
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=4, Reasons={"ReasonCode": "Break"})
    assert on(r, D1, m) == [("NotReadyForNextCall", E), ("NotReadyForNextCall", S)]
    # the status episode continues: the change is reported with the same value and the new
    # reasons (previous == status), so CurrentStateReasons sees the new reason
    last = [x for x in r.records if type(x) is StatusChange and x.object == D1][-1]
    assert (last.previous, last.status, last.reasons) == (
        "NotReadyForNextCall", "NotReadyForNextCall", {"ReasonCode": "Break"})
    agent = [x for x in r.records if type(x) is StatusChange and x.object == "agent1001"][-1]
    assert agent.reasons == {"ReasonCode": "Break"}
    nr = r.named("NotReadyForNextCall", D1)[-1]
    assert nr.data == {"AgentWorkMode": 4, "Reasons": {"ReasonCode": "Break"}}


def test_walk_away_is_not_ready_with_work_mode():
    """§4.6: WalkAway (6) stays NotReadyForNextCall with work mode attribute WalkAway."""
    r = _logged_in()
    r.ev("EventAgentReady", ThisDN="6001")
    m = r.mark()
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=AgentWorkMode.WalkAway)
    assert on(r, D1, m) == [("WaitForNextCall", E), ("NotReadyForNextCall", S)]
    assert r.named("NotReadyForNextCall", D1)[-1].data["AgentWorkMode"] == 6


def test_acw_without_call_starts_now():
    """§4.6 EventAgentNotReady WorkMode 3 with no call: AfterCallWork starts now."""
    r = _logged_in()
    r.ev("EventAgentReady", ThisDN="6001")
    m = r.mark()
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=AgentWorkMode.AfterCallWork)
    assert on(r, D1, m) == [("WaitForNextCall", E), ("AfterCallWork", S)]
    assert r.engine.dn_status(D1) == "AfterCallWork"


def test_legacy_event_agent_after_call_work():
    """§4.6 EventAgentAfterCallWork: as EventAgentNotReady with WorkMode 3."""
    r = _logged_in()
    m = r.mark()
    r.ev("EventAgentAfterCallWork", ThisDN="6001")
    assert on(r, D1, m) == [("AfterCallWork", S)]


def _inbound_established(r, dn="6001", conn=C1):
    r.ev("EventRinging", ThisDN=dn, ConnID=conn, CallType=CallType.Inbound, ThisQueue="7000")
    r.ev("EventEstablished", ThisDN=dn, ConnID=conn, CallType=CallType.Inbound, ThisQueue="7000")


def test_acw_requested_on_call_waits_for_release(ready_run):
    """§4.1 / [D 4]: entering ACW while on a call starts AfterCallWork only when the call
    completes; ACWMissed is then reflected on the queue (OQ-11)."""
    r = ready_run
    _inbound_established(r)
    m = r.mark()
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=3)
    assert on(r, D1, m) == [("WaitForNextCall", E)]
    assert r.engine.dn_status(D1) == "CallInbound"
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    assert on(r, D1, m) == [("CallInbound", E), ("CallInboundCompleted", R), ("AfterCallWork", S)]
    acw = r.named("AfterCallWork", D1)[-1]
    assert acw.conn_id == C1                      # interaction-related ACW carries the ConnID
    m = r.mark()
    r.ev("EventAgentReady", ThisDN="6001")
    assert ("ACWMissed", R) in r.actions("7000@SW1", since=m)


def test_offhook_onhook():
    """§4.6 EventOffHook / EventOnHook."""
    r = Run()
    r.connect(("6001", IDLE))
    m = r.mark()
    r.ev("EventOffHook", ThisDN="6001")
    r.ev("EventOnHook", ThisDN="6001")
    assert on(r, D1, m) == [("OnHook", E), ("OffHook", S), ("OffHook", E), ("OnHook", S)]


def test_ringing_then_answered(ready_run):
    """§4.6 EventRinging: CallRinging + CallRingingStarted; EventEstablished ends it with
    CallAnswered and starts CallInbound + CallInboundStarted (§4.7 sequence 1)."""
    r = ready_run
    m = r.mark()
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    assert on(r, D1, m) == [("CallRinging", S), ("CallRingingStarted", M)]
    assert r.engine.dn_status(D1) == "CallRinging"
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    assert on(r, D1, m) == [("CallRinging", E), ("CallAnswered", R), ("CallInbound", S),
                            ("CallInboundStarted", M)]
    answered = [a for a in r.named("CallAnswered", D1)][0]
    assert answered.duration == 1.0 and answered.conn_id == C1
    assert r.engine.dn_status(D1) == "CallInbound"
    # WaitForNextCall is not ended by calls: the call only outranks it (§4.1)
    assert "WaitForNextCall" in r.engine.dns[D1].running


@pytest.mark.parametrize("ctype,durable", [
    (CallType.Unknown, "CallUnknown"), (CallType.Internal, "CallInternal"),
    (CallType.Inbound, "CallInbound"), (CallType.Outbound, "CallOutbound"),
    (CallType.Consult, "CallConsult"),
])
def test_call_type_matrix_rung(ctype, durable):
    """§4.5 matrix: Call<T>, Call<T>Started, Call<T>Completed; Received companion on the rung
    DN for Internal / Consult / Outbound (OQ-19); DN status code per call type."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=ctype)
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=ctype)
    companion = [(durable + "Received", S)] if ctype in (1, 3, 4) else []
    assert on(r, D1, m) == [("CallRinging", E), ("CallAnswered", R), (durable, S),
                            (durable + "Started", M)] + companion
    assert r.engine.dn_status(D1) == durable
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=ctype, CallState=0)
    ended = [(durable, E), (durable + "Completed", R)] + ([(durable + "Received", E)] if companion else [])
    assert on(r, D1, m) == ended          # OnHook already runs since registration


@pytest.mark.parametrize("ctype,durable", [
    (CallType.Internal, "CallInternal"), (CallType.Outbound, "CallOutbound"),
    (CallType.Consult, "CallConsult"),
])
def test_originated_on_dialing_dn(ctype, durable):
    """OQ-19: Call<T>Originated starts with Call<T> on the DN that dialled, ends with it."""
    r = Run()
    r.connect(("6001", IDLE))
    m = r.mark()
    r.ev("EventDialing", ThisDN="6001", ConnID=C1, CallType=ctype)
    assert on(r, D1, m) == [("CallDialing", S), ("CallDialingStarted", M)]
    assert r.engine.dn_status(D1) == "CallDialing"
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=ctype)
    assert on(r, D1, m) == [("CallDialing", E), ("CallDialed", R), (durable, S),
                            (durable + "Started", M), (durable + "Originated", S)]


def test_hold_hides_call_type_and_retrieve(ready_run):
    """§4.6 EventHeld / EventRetrieved and §8.3.1: hold hides the call-type action."""
    r = ready_run
    _inbound_established(r)
    m = r.mark()
    r.ev("EventHeld", ThisDN="6001", ConnID=C1, CallType=2)
    assert on(r, D1, m) == [("CallOnHold", S), ("CallHeld", M)]
    assert r.engine.dn_status(D1) == "CallOnHold"
    assert "CallInbound" in [n for n, _, _ in r.engine.running(D1)]   # kept running
    m = r.mark()
    r.ev("EventRetrieved", ThisDN="6001", ConnID=C1, CallType=2)
    assert on(r, D1, m) == [("CallOnHold", E), ("CallRetrievedFromHold", R)]
    assert r.engine.dn_status(D1) == "CallInbound"


def test_released_while_held_by_other_party(ready_run):
    """§4.4 CallAbandonedFromHold: the held call released with a CallState other than
    Transferred / Conferenced."""
    r = ready_run
    _inbound_established(r)
    r.ev("EventHeld", ThisDN="6001", ConnID=C1, CallType=2)
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, CallState=CallState.Ok)
    got = on(r, D1, m)
    assert got[:4] == [("CallOnHold", E), ("CallAbandonedFromHold", R), ("CallInbound", E),
                       ("CallInboundCompleted", R)]


@pytest.mark.parametrize("event,state,retro", [
    ("EventAbandoned", CallState.Ok, "CallAbandonedFromRinging"),
    ("EventReleased", CallState.Abandoned, "CallAbandonedFromRinging"),
    ("EventReleased", CallState.Ok, "CallAbandonedFromRinging"),
    ("EventReleased", CallState.RemoteRelease, "CallAbandonedFromRinging"),
    ("EventReleased", CallState.Forwarded, "CallForwarded"),
    ("EventReleased", CallState.Redirected, "CallForwarded"),
    ("EventReleased", CallState.NoAnswer, "CallForwarded"),
    ("EventReleased", CallState.Covered, "CallForwarded"),
    ("EventReleased", CallState.Pickedup, "CallForwarded"),
    ("EventReleased", CallState.SystemError, None),
    ("EventReleased", CallState.Cleared, None),
    ("EventDiverted", CallState.Ok, "CallForwarded"),
])
def test_ringing_endings(ready_run, event, state, retro):
    """§4.4 and OQ-10: how ringing ends picks the retrospective."""
    r = ready_run
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2, ThisQueue="7000")
    m = r.mark()
    r.ev(event, ThisDN="6001", ConnID=C1, CallType=2, CallState=state, ThisQueue="7000")
    assert on(r, D1, m) == [("CallRinging", E)] + ([(retro, R)] if retro else [])
    assert r.engine.calls_on(D1) == set()
    assert r.engine.dn_status(D1) == "WaitForNextCall"


@pytest.mark.parametrize("state,retro", [
    (CallState.Transferred, "CallDialTransferred"),
    (CallState.Conferenced, "CallDialConferenced"),
    (CallState.Ok, "CallAbandonedFromDialing"),
    (CallState.Busy, "CallAbandonedFromDialing"),
])
def test_dialing_endings(state, retro):
    """§4.4: a dialling leg released before answer."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventDialing", ThisDN="6001", ConnID=C1, CallType=CallType.Outbound)
    r.ev("EventNetworkReached", ThisDN="6001", ConnID=C1, CallType=CallType.Outbound)
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=3, CallState=state)
    assert on(r, D1, m)[:2] == [("CallDialing", E), (retro, R)]


def test_completion_moments_transfer_and_conference():
    """§4.6 EventReleased: Call<t>Completed plus CallTransferMade (Transferred) or
    CallConferenceMade (Conferenced)."""
    for state, moment in ((CallState.Transferred, "CallTransferMade"),
                          (CallState.Conferenced, "CallConferenceMade")):
        r = Run()
        r.connect(("6001", IDLE))
        _inbound_established(r)
        m = r.mark()
        r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, CallState=state)
        assert on(r, D1, m)[:3] == [("CallInbound", E), ("CallInboundCompleted", R), (moment, M)]


def test_party_changed_transfer_taken_and_call_type_change():
    """§4.6 EventPartyChanged and OQ-8 (reference sequence §4.7.2 at the receiving DN)."""
    r = Run()
    r.connect(("6002", IDLE))
    r.ev("EventRinging", ThisDN="6002", ConnID=C2, PreviousConnID=C1, CallType=CallType.Consult)
    r.ev("EventEstablished", ThisDN="6002", ConnID=C2, CallType=CallType.Consult)
    m = r.mark()
    r.ev("EventPartyChanged", ThisDN="6002", ConnID=C1, PreviousConnID=C2, CallType=2,
         CallState=CallState.Transferred, ThirdPartyDN="6001", ThirdPartyDNRole=DNRole.TransferredBy)
    assert on(r, D2, m) == [("CallConsult", E), ("CallConsultCompleted", R), ("CallConsultReceived", E),
                            ("CallInbound", S), ("CallInboundStarted", M), ("CallPartyChanged", M),
                            ("CallTransferTaken", M)]
    assert r.engine.calls_on(D2) == {C1}
    assert r.named("CallInbound", D2)[0].conn_id == C1


def test_party_changed_while_ringing_rekeys():
    """§4.6: CallRinging survives EventPartyChanged under the new ConnID; CallRingingPartyChanged."""
    r = Run()
    r.connect(("6002", IDLE))
    r.ev("EventRinging", ThisDN="6002", ConnID=C2, CallType=CallType.Consult)
    m = r.mark()
    r.ev("EventPartyChanged", ThisDN="6002", ConnID=C1, PreviousConnID=C2, CallType=2,
         CallState=CallState.Transferred)
    assert on(r, D2, m) == [("CallPartyChanged", M), ("CallRingingPartyChanged", M), ("CallTransferTaken", M)]
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6002", ConnID=C1, CallType=2)
    got = on(r, D2, m)
    assert got[:2] == [("CallRinging", E), ("CallAnswered", R)]
    ringing = [a for a in r.named("CallRinging", D2) if a.kind == E][0]
    assert ringing.duration == 2.0 and ringing.conn_id == C1


def test_party_changed_on_a_party_already_on_the_call():
    """§4.3 CallTransferPartyChanged: a DN that was not on the consult call p."""
    r = Run()
    r.connect(("6001", IDLE))
    _inbound_established(r)
    m = r.mark()
    r.ev("EventPartyChanged", ThisDN="6001", ConnID=C1, PreviousConnID=C2, CallType=2,
         CallState=CallState.Transferred)
    assert on(r, D1, m) == [("CallPartyChanged", M), ("CallTransferPartyChanged", M)]


def test_conference_joined_on_party_changed_and_established():
    """§4.3 CallConferenceJoined: Conferenced on EventPartyChanged of the DN that was on p,
    or on its EventEstablished (single-step)."""
    r = Run()
    r.connect(("6002", IDLE), ("6003", IDLE))
    r.ev("EventRinging", ThisDN="6002", ConnID=C2, CallType=4)
    r.ev("EventEstablished", ThisDN="6002", ConnID=C2, CallType=4)
    m = r.mark()
    r.ev("EventPartyChanged", ThisDN="6002", ConnID=C1, PreviousConnID=C2, CallType=2,
         CallState=CallState.Conferenced)
    assert on(r, D2, m)[-1] == ("CallConferenceJoined", M)
    r.ev("EventRinging", ThisDN="6003", ConnID=C1, CallType=2)
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6003", ConnID=C1, CallType=2, CallState=CallState.Conferenced)
    assert on(r, "6003@SW1", m)[-1] == ("CallConferenceJoined", M)


def test_single_step_transfer_taken_on_established():
    """§4.3 CallTransferTaken, single-step: EventEstablished of a call whose EventRinging had
    ThirdPartyDNRole TransferredBy."""
    r = Run()
    r.connect(("6002", IDLE))
    r.ev("EventRinging", ThisDN="6002", ConnID=C1, CallType=2, ThirdPartyDN="6001",
         ThirdPartyDNRole=DNRole.TransferredBy)
    m = r.mark()
    r.ev("EventEstablished", ThisDN="6002", ConnID=C1, CallType=2)
    assert on(r, D2, m)[-1] == ("CallTransferTaken", M)


def test_party_added_and_deleted():
    """§4.6 EventPartyAdded / EventPartyDeleted."""
    r = Run()
    r.connect(("6001", IDLE))
    _inbound_established(r)
    m = r.mark()
    r.ev("EventPartyAdded", ThisDN="6001", ConnID=C1, CallState=CallState.Conferenced, OtherDN="6002")
    r.ev("EventPartyDeleted", ThisDN="6001", ConnID=C1, CallState=CallState.Ok, OtherDN="6002")
    assert on(r, D1, m) == [("CallConferencePartyAdded", M), ("CallConferencePartyDeleted", M)]


def test_attached_data_updates_running_actions(ready_run):
    """§4.6 EventAttachedDataChanged: user data of the running actions change; no action."""
    r = ready_run
    _inbound_established(r)
    m = r.mark()
    r.ev("EventAttachedDataChanged", ThisDN="6001", ConnID=C1, CallType=2, UserData={"Segment": "gold"})
    assert on(r, D1, m) == []
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2)
    end = [a for a in r.named("CallInbound", D1) if a.kind == E][0]
    assert end.data["UserData"] == {"Segment": "gold"}


def test_user_event():
    """§4.6 EventUserEvent: UserEvent (momentary) and UserEventReceived (durable until the
    next user event, §4.1)."""
    r = Run()
    r.connect(("6001", IDLE))
    m = r.mark()
    r.ev("EventUserEvent", ThisDN="6001", UserData={"k": "v"})
    r.ev("EventUserEvent", ThisDN="6001", UserData={"k": "w"})
    assert on(r, D1, m) == [("UserEvent", M), ("UserEventReceived", S), ("UserEvent", M),
                            ("UserEventReceived", E), ("UserEventReceived", S)]


def test_no_onhook_event_after_call_starts_onhook():
    """OQ-16: when the last call is released, OffHook ends and OnHook starts."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventOffHook", ThisDN="6001")
    r.ev("EventDialing", ThisDN="6001", ConnID=C1, CallType=3)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=3)
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=3)
    assert on(r, D1, m)[-2:] == [("OffHook", E), ("OnHook", S)]
    m = r.mark()
    r.ev("EventOnHook", ThisDN="6001")
    assert on(r, D1, m) == []


def test_agent_propagation_only_while_bound():
    """§7 and OQ-7: actions propagate to the agent only while it is logged in on the DN; a
    call running at logout stops being attributed to the agent (Agent end record)."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001")
    _inbound_established(r)
    m = r.mark()
    r.ev("EventAgentLogout", ThisDN="6001", AgentID="1001")
    agent = r.actions("agent1001", object_type="Agent", since=m)
    assert ("CallInbound", E) in agent
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2)
    assert r.actions("agent1001", object_type="Agent", since=m) == []
    assert ("CallInbound", E) in on(r, D1, m)
    assert ("CallInbound", E) in r.actions("Place_6001", object_type="Place", since=m)


def test_place_and_agent_status_follow_dn():
    """§8.4 / §8.5: place status = highest DN status over its DNs; agent status over the DNs
    it is logged in on; LoggedOut when logged in nowhere."""
    r = Run()
    r.connect(("6001", IDLE))
    assert r.engine.place_status["Place_6001"] == "OnHook"
    assert r.engine.agent_status["agent1001"] == "LoggedOut"
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001")
    r.ev("EventAgentNotReady", ThisDN="6001", AgentWorkMode=4)
    assert r.engine.place_status["Place_6001"] == "NotReadyForNextCall"
    assert r.engine.agent_status["agent1001"] == "NotReadyForNextCall"
    # registration requested but not answered yet: Monitored (§4.1, [D 9])
    assert r.engine.place_status["Place_6002"] == "Monitored"


@pytest.mark.parametrize("voice,non_voice,logged_in,expected", [
    ("WaitForNextCall", "CallInbound", True, "CallInbound"),      # docs/reference/stat-types.md §12 E9
    ("CallOutbound", "CallInbound", True, "CallOutbound"),        # E9, second case (rule 6a)
    ("WaitForNextCall", None, True, "WaitForNextCall"),           # rule 4: voice only
    (None, "CallInbound", True, "CallInbound"),                   # rule 5
    (None, None, True, "NotMonitored"),                           # rule 1
    ("NotReadyForNextCall", "WaitForNextCall", False, "WaitForNextCall"),   # 6c
    ("NotReadyForNextCall", "WaitForNextCall", True, "NotReadyForNextCall"),  # 6d
])
def test_place_status_rule(voice, non_voice, logged_in, expected):
    """docs/reference/actions.md §8.4 place status rule (first matching rule wins); the engine is voice-only,
    so it applies rule 4 with the highest DN status, but the full rule is kept as data."""
    from sim.statserver.rules import place_status
    assert place_status(voice, non_voice, logged_in) == expected


# --- issue 18 part 3: the optional CallAbandoned (OQ-5) and the conference moments -------------

@pytest.mark.parametrize("option", [False, True])
@pytest.mark.parametrize("event,state", [("EventAbandoned", CallState.Abandoned),
                                         ("EventReleased", CallState.Ok),
                                         ("EventReleased", CallState.NoAnswer)])
def test_optional_call_abandoned_on_regular_dns(option, event, state):
    """OQ-5: regular DNs emit CallAbandonedFromRinging; with
    ActionEngine(regular_call_abandoned=True) they also emit the legacy CallAbandoned, same
    duration, right after it. Off by default; a forwarded ringing call gives neither."""
    from conftest import objects

    from sim.statserver.engine import ActionEngine
    r = Run()
    r.engine = ActionEngine(objects(), regular_call_abandoned=option)
    r.connect(("6001", IDLE))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound)
    m = r.mark()
    r.ev(event, 4, ThisDN="6001", ConnID=C1, CallType=CallType.Inbound, CallState=state)
    retros = [(a.action, a.duration) for a in r.named("CallAbandonedFromRinging", D1) + r.named("CallAbandoned", D1)
              + r.named("CallForwarded", D1) if a.object_type == "RegDN"]
    if state == CallState.NoAnswer:
        assert retros == [("CallForwarded", 4.0)]
    elif option:
        assert on(r, D1, m)[:3] == [("CallRinging", E), ("CallAbandonedFromRinging", R), ("CallAbandoned", R)]
        assert retros == [("CallAbandonedFromRinging", 4.0), ("CallAbandoned", 4.0)]
    else:
        assert retros == [("CallAbandonedFromRinging", 4.0)]


def test_conference_moments_only_for_the_dn_that_added_the_party():
    """§4.3 [R]: EventPartyAdded with ThirdPartyDN = the DN itself: CallConferenceOriginated
    (first time on the call) and ConferenceMade (each party added); a member that did not add
    the party gets only CallConferencePartyAdded."""
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE))
    for dn in ("6001", "6002"):
        r.ev("EventRinging", ThisDN=dn, ConnID=C1, CallType=CallType.Inbound)
        r.ev("EventEstablished", ThisDN=dn, ConnID=C1, CallType=CallType.Inbound)
    m = r.mark()
    added = dict(ConnID=C1, CallType=CallType.Inbound, CallState=CallState.Conferenced, OtherDN="6003",
                 OtherDNRole=DNRole.NewParty, ThirdPartyDN="6001", ThirdPartyDNRole=DNRole.AddedBy)
    r.ev("EventPartyAdded", ThisDN="6001", **added)
    r.ev("EventPartyAdded", ThisDN="6002", **added)
    r.ev("EventPartyAdded", ThisDN="6001", **{**added, "OtherDN": "6900"})
    assert on(r, D1, m) == [("CallConferencePartyAdded", M), ("CallConferenceOriginated", M),
                            ("ConferenceMade", M), ("CallConferencePartyAdded", M), ("ConferenceMade", M)]
    assert on(r, D2, m) == [("CallConferencePartyAdded", M)]
