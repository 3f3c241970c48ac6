"""DN initialisation, registration errors and lost connections: every rule of the source
document ("DN Actions at Newly Registered DNs") and docs/reference/actions.md §9–§11."""

from __future__ import annotations

import pytest
from conftest import C1, C2, IDLE, Run

from sim.statserver.records import Request
from sim.tlib.codes import AddressInfoType, CallState, DNRole, PartyState

D1 = "6001@SW1"
S, E, M, R = "start", "end", "moment", "retro"


def on(run, dn, since):
    return run.actions(dn, object_type="RegDN", since=since)


def test_monitored_starts_when_connection_starts():
    """SD: the Monitored action starts at a switch's DNs when the connection starts; as a
    status it shows until registration data arrive ([D 9])."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    assert ("Monitored", S) in on(r, D1, 0)
    assert r.engine.dn_status(D1) == "Monitored"
    # the engine asks its caller to register every DN of the switch (§9.2.1)
    assert sorted(q.dn for q in r.requests() if q.request == "RequestRegisterAddress") == \
        ["6001", "6002", "6003", "6900", "7000", "7001", "8000", "9000"]


def test_registered_with_extensions_sets_state():
    """SD: EventRegistered with Extensions sets the DN's state (AgentStatus 2 -> ready)."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, AgentID="1001",
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 0})
    assert on(r, D1, m) == [("LoggedIn", S), ("WaitForNextCall", S), ("OnHook", S)]
    assert r.engine.agent_status["agent1001"] == "WaitForNextCall"


def test_registered_without_extensions_queries_and_address_info_answers():
    """SD: EventRegistered without Extensions -> TQueryAddress (AddressInfoDNStatus); the
    EventAddressInfo answer sets the state."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    m = r.mark()
    recs = r.ev("EventRegistered", ThisDN="6001", InfoType=8)
    reqs = [x for x in recs if type(x) is Request]
    assert [(q.request, q.dn, q.info_type) for q in reqs] == [
        ("RequestQueryAddress", "6001", AddressInfoType.DNStatus)]
    assert on(r, D1, m) == []
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.DNStatus, InfoStatus=0,
         Extensions={"AgentStatus": 3, "AgentID": "1001", "status": 0})
    assert on(r, D1, m) == [("LoggedIn", S), ("NotReadyForNextCall", S), ("OnHook", S)]


def _registered(agent_status, extra=None):
    r = Run()
    r.ev("EventServerConnected", dt=0)
    ext = {"AgentStatus": agent_status, "status": 0}
    if agent_status:
        ext["AgentID"] = "1001"
    ext.update(extra or {})
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions=ext)
    return r


def _reregister(r, agent_status, **extra):
    """Lose and restore the T-Server connection, then register with new data."""
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    ext = {"AgentStatus": agent_status, "status": 0, **extra}
    if agent_status:
        ext["AgentID"] = "1001"
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions=ext)
    return m


def test_logged_out_ends_when_agent_id_reported():
    """SD: LoggedOut running and an AgentID reported -> LoggedOut ends."""
    r = _registered(0)
    assert "LoggedOut" in r.engine.dns[D1].running
    m = _reregister(r, 1)
    assert on(r, D1, m)[:2] == [("LoggedOut", E), ("LoggedIn", S)]


@pytest.mark.parametrize("before,status,ended,started", [
    # SD: AgentStatus 2 (READY): NotReadyForNextCall or AfterCallWork ends; WaitForNextCall starts.
    (3, 2, "NotReadyForNextCall", "WaitForNextCall"),
    (4, 2, "AfterCallWork", "WaitForNextCall"),
    # SD: AgentStatus 3 (NOT_READY): WaitForNextCall or AfterCallWork ends; NotReadyForNextCall starts.
    (2, 3, "WaitForNextCall", "NotReadyForNextCall"),
    (4, 3, "AfterCallWork", "NotReadyForNextCall"),
    # SD: AgentStatus 4 (ACW): WaitForNextCall or NotReadyForNextCall ends; AfterCallWork starts.
    (2, 4, "WaitForNextCall", "AfterCallWork"),
    (3, 4, "NotReadyForNextCall", "AfterCallWork"),
    # SD: AgentStatus 5 (Walk_Away): WaitForNextCall or AfterCallWork ends; NotReadyForNextCall starts.
    (2, 5, "WaitForNextCall", "NotReadyForNextCall"),
    (4, 5, "AfterCallWork", "NotReadyForNextCall"),
])
def test_agent_status_transitions(before, status, ended, started):
    """The four AgentStatus rules of the source document, as reconciliation after recovery."""
    r = _registered(before)
    m = _reregister(r, status)
    assert on(r, D1, m) == [(ended, E), (started, S)]
    run = r.engine.dns[D1].running[started]
    if status == 4:
        assert run.conn is None and run.ctype is None     # SD: ACW not interaction-related
    if status == 5:
        assert run.data == {"AgentWorkMode": 6}


@pytest.mark.parametrize("status,action", [(2, "WaitForNextCall"), (3, "NotReadyForNextCall"),
                                           (4, "AfterCallWork")])
def test_agreeing_action_keeps_running(status, action):
    """§11: an action that agrees with the reported state keeps running, start time unchanged."""
    r = _registered(status)
    start = r.engine.dns[D1].running[action].start
    m = _reregister(r, status)
    assert on(r, D1, m) == []
    assert r.engine.dns[D1].running[action].start == start


def test_status_reported_when_no_agent_state_runs():
    """OQ-20: AgentStatus reported while no agent-state action runs -> it starts."""
    r = _registered(1)
    m = _reregister(r, 2)
    assert on(r, D1, m) == [("WaitForNextCall", S)]


def test_no_agent_reported_ends_login():
    """§9.2: no AgentID and AgentStatus 0 -> LoggedIn and agent-state actions end, LoggedOut."""
    r = _registered(2)
    m = _reregister(r, 0)
    assert on(r, D1, m) == [("WaitForNextCall", E), ("LoggedIn", E), ("LoggedOut", S)]
    assert r.engine.agent_status["agent1001"] == "LoggedOut"


def test_agent_status_1_shows_logged_in_status():
    """§8.3.4: LoggedIn status when the DN has LoggedIn and no ranked candidate above it
    (busy with no ConnIDs after a switch re-sync, §9.2)."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 1, "AgentID": "1001", "status": 1})
    assert r.engine.dn_status(D1) == "LoggedIn"
    assert r.engine.agent_status["agent1001"] == "LoggedIn"


@pytest.mark.parametrize("role,companion", [(DNRole.Origination, "CallInternalOriginated"),
                                            (DNRole.Destination, "CallInternalReceived"),
                                            (None, None)])
def test_calls_query_starts_call_type_actions(role, companion):
    """SD + OQ-19: AddressInfoCallsQuery reports the ongoing call type: Call<T>Started and
    Call<T> start; the Originated / Received companion only when the role is reported."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    recs = r.ev("EventRegistered", ThisDN="6001", InfoType=8,
                Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1,
                            "conn-1": C1, "ps-1": int(PartyState.Connected)})
    assert [q.info_type for q in recs if type(q) is Request] == [AddressInfoType.CallsQuery]
    m = r.mark()
    attrs = {"ThisDNRole": role} if role is not None else {}
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=1,
         ConnID=C1, CallType=1, **attrs)
    expected = [("CallInternal", S), ("CallInternalStarted", M)]
    if companion:
        expected.append((companion, S))
    assert on(r, D1, m) == expected
    assert r.engine.dn_status(D1) == "CallInternal"


def test_calls_query_held_call_and_party_states():
    """§9.2: held PreviousConnID -> the call plus CallOnHold; ps-N Alerting -> CallRinging."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C1,
                     "ps-1": int(PartyState.Held), "conn-2": C2, "ps-2": int(PartyState.Connected)})
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=2,
         ConnID=C2, PreviousConnID=C1, CallType=2)
    assert ("CallInbound", S) in on(r, D1, m) and ("CallUnknown", S) in on(r, D1, m)
    assert r.engine.dn_status(D1) == "CallInbound"
    r2 = Run()
    r2.ev("EventServerConnected", dt=0)
    r2.ev("EventRegistered", ThisDN="6001", InfoType=8,
          Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C1,
                      "ps-1": int(PartyState.Alerting)})
    assert r2.engine.dn_status(D1) == "CallRinging"


def test_calls_query_unanswerable_gives_call_unknown():
    """§9.2: if the T-Server cannot answer CallsQuery (EventError), each conn-N -> CallUnknown."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C1, "ps-1": 12})
    m = r.mark()
    r.ev("EventError", ThisDN="6001", ErrorCode=51, ErrorMessage="Operation not supported")
    assert on(r, D1, m) == [("CallUnknown", S), ("CallUnknownStarted", M)]


def test_registration_error_then_first_non_error_event():
    """SD + §10: an EventError instead of EventRegistered starts or ends nothing; the first
    non-error event on the DN is handled normally."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    m = r.mark()
    r.ev("EventError", ThisDN="6001", ErrorCode=59, ErrorMessage="DN is not configured in the switch")
    assert on(r, D1, m) == []
    assert r.engine.dn_status(D1) == "Monitored"
    # a second error changes nothing either (no flag is kept: issue 18 removed it)
    r.ev("EventError", ThisDN="6001", ErrorCode=59, ErrorMessage="DN is not configured in the switch")
    assert on(r, D1, m) == [] and not hasattr(r.engine.dns[D1], "registration_error")
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001")
    assert ("LoggedIn", S) in on(r, D1, m)


@pytest.mark.parametrize("lost,restored", [
    ("EventServerDisconnected", "EventServerConnected"),
    ("EventLinkDisconnected", "EventLinkConnected"),
])
def test_connection_loss_keeps_actions_and_reconciles(lost, restored):
    """§11: at loss Monitored ends and NotMonitored starts, all other actions are kept; on
    recovery the registration data reconcile them (calls no longer reported end without
    outcome retrospectives, OQ-23)."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    m = r.mark()
    r.ev(lost)
    assert on(r, D1, m) == [("Monitored", E), ("NotMonitored", S)]
    assert r.engine.dn_status(D1) == "NotMonitored"
    assert r.engine.agent_status["agent1001"] == "NotMonitored"
    assert "CallInbound" in [n for n, _, _ in r.engine.running(D1)]
    m = r.mark()
    recs = r.ev(restored)
    assert on(r, D1, m) == [("NotMonitored", E), ("Monitored", S)]
    assert any(type(x) is Request and x.request == "RequestRegisterAddress" for x in recs)
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 3, "AgentID": "1001", "status": 0})
    assert on(r, D1, m) == [("WaitForNextCall", E), ("NotReadyForNextCall", S), ("CallInbound", E)]
    assert r.named("CallInboundCompleted") == [] and r.engine.calls_on(D1) == set()
    assert r.engine.dn_status(D1) == "NotReadyForNextCall"


def test_cleanup_release_after_recovery_closes_kept_call():
    """§11 / docs/reference/tevents.md §14 Q11: the T-Server's clean-up EventReleased (SystemError) closes a
    kept call with the retrospectives its CallState gives."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventLinkDisconnected")
    r.ev("EventLinkConnected")
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, CallState=CallState.SystemError)
    assert on(r, D1, m) == [("CallRinging", E)]
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=2, CallState=CallState.SystemError)
    assert on(r, D1, m) == []              # a ConnID no longer tracked changes nothing


def test_dn_out_of_service_and_back():
    """§11: EventDNOutOfService -> NotMonitored for that DN only; back in service ->
    Monitored and registration requested."""
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE))
    m = r.mark()
    r.ev("EventDNOutOfService", ThisDN="6001")
    assert on(r, D1, m) == [("Monitored", E), ("NotMonitored", S)]
    assert r.engine.dn_status("6002@SW1") == "OnHook"
    recs = r.ev("EventDNBackInService", ThisDN="6001")
    assert any(type(x) is Request and x.dn == "6001" for x in recs)
    assert r.engine.dn_status(D1) == "OnHook"      # OnHook was kept


def test_unsolicited_unregistered():
    """§10: unsolicited EventUnregistered -> NotMonitored for that DN."""
    r = Run()
    r.connect(("6001", IDLE))
    r.ev("EventUnregistered", ThisDN="6001", ErrorCode=59)
    assert r.engine.dn_status(D1) == "NotMonitored"


def test_trace_without_server_connected_is_connected_from_first_event():
    """§9.2.1: a switch whose first event is not EventServerConnected is connected from it."""
    r = Run()
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001")
    assert r.engine.dn_status(D1) == "LoggedIn"
    assert r.engine.is_monitored(D1)


def test_server_disconnect_keeps_agent_binding_and_recovery_confirms_it():
    """§11: the agent <-> DN binding survives the outage and is confirmed by registration."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    r.ev("EventServerDisconnected")
    assert r.engine.dns[D1].agent == "agent1001"
    r.ev("EventServerConnected")
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 0})
    assert r.engine.agent_status["agent1001"] == "WaitForNextCall"


def test_different_agent_reported_replaces_kept_one():
    """§9.2: an agent different from the kept one: the old LoggedIn ends first."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    m = _reregister_as(r, "1002")
    got = on(r, D1, m)
    assert got[:3] == [("WaitForNextCall", E), ("LoggedIn", E), ("LoggedOut", S)]
    assert r.engine.dns[D1].agent == "agent1002"
    assert r.engine.agent_status["agent1001"] == "LoggedOut"


def _reregister_as(r, login):
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, AgentID=login,
         Extensions={"AgentStatus": 2, "AgentID": login, "status": 0})
    return m


# --- issue 18 part 1: registration edge cases (docs/decisions.md "Engine edge cases") -------------

def test_agent_status_without_agent_id_does_not_end_logged_out():
    """SD: LoggedOut ends only when an AgentID is reported. AgentStatus 2 without AgentID on a
    logged-out DN starts nothing: no LoggedIn without an agent, no WaitForNextCall the agent
    would not show."""
    r = _registered(0)
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions={"AgentStatus": 2, "status": 0})
    assert on(r, D1, m) == []
    assert "LoggedOut" in r.engine.dns[D1].running
    assert r.engine.dn_status(D1) == "OnHook" and r.engine.dns[D1].agent is None
    assert r.engine.agent_status["agent1001"] == "LoggedOut"
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.DNStatus, InfoStatus=0,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 0})
    assert on(r, D1, m) == [("LoggedOut", E), ("LoggedIn", S), ("WaitForNextCall", S)]
    assert r.engine.agent_status["agent1001"] == "WaitForNextCall"


def test_agent_status_without_agent_id_applies_to_the_kept_agent():
    """A kept login stays when the data give an AgentStatus but no AgentID; the status
    applies to it (SD transition NotReady -> Ready)."""
    r = _registered(3)
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions={"AgentStatus": 2, "status": 0})
    assert on(r, D1, m) == [("NotReadyForNextCall", E), ("WaitForNextCall", S)]
    assert r.engine.agent_status["agent1001"] == "WaitForNextCall"


@pytest.mark.parametrize("ext", [{}, {"Unrelated": "x", "cnt": 0}])
def test_extensions_without_dn_status_keys_are_not_dn_status(ext):
    """Extensions that are empty or carry only unrelated keys are treated like no Extensions:
    the DN is queried (DNStatus) and keeps its state (agent, call) until the answer."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventLinkDisconnected")
    r.ev("EventLinkConnected")
    m = r.mark()
    recs = r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions=ext)
    assert [(q.request, q.info_type) for q in recs if type(q) is Request] == [
        ("RequestQueryAddress", AddressInfoType.DNStatus)]
    assert on(r, D1, m) == []
    assert r.engine.agent_status["agent1001"] == "CallInbound"
    # an answer without DN-status keys tells nothing either
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.DNStatus, InfoStatus=0, Extensions=ext)
    assert on(r, D1, m) == []
    # the real answer reconciles
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.DNStatus, InfoStatus=0,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 0})
    assert on(r, D1, m) == [("CallInbound", E)]      # (OnHook ran all along)


def test_partial_dn_status_keys_report_only_their_part():
    """A partial set of keys: the agent part (AgentStatus / AgentID) and the call part
    (status / conn-N) are applied each only when one of its keys is present; the other part's
    actions are kept as they are."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventLinkDisconnected")
    r.ev("EventLinkConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8, Extensions={"AgentStatus": 3, "AgentID": "1001"})
    assert on(r, D1, m) == [("WaitForNextCall", E), ("NotReadyForNextCall", S)]     # call kept
    assert r.engine.calls_on(D1) == {C1}
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.DNStatus, InfoStatus=0,
         Extensions={"status": 0})
    assert on(r, D1, m) == [("CallInbound", E)]     # agent state kept (OnHook ran all along)
    assert r.engine.agent_state(D1) == "NotReadyForNextCall"


@pytest.mark.parametrize("ps,phase,ended_by,retro", [
    (PartyState.Alerting, "CallRinging", "EventEstablished", "CallAnswered"),
    (PartyState.Dialing, "CallDialing", "EventEstablished", "CallDialed"),
])
def test_calls_query_for_a_call_known_ringing_or_dialing(ps, phase, ended_by, retro):
    """One call, one phase: a CallsQuery answer for a call the registration data reported
    ringing (or dialing) starts no call-type action next to it; the answer's CallType is used
    when the call is established."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C1, "ps-1": int(ps)})
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=1,
         ConnID=C1, CallType=2)
    assert on(r, D1, m) == []
    assert [n for n, c, _ in r.engine.running(D1) if c == C1] == [phase]
    r.ev(ended_by, ThisDN="6001", ConnID=C1)              # no CallType on the event
    assert on(r, D1, m) == [(phase, E), (retro, R), ("CallInbound", S), ("CallInboundStarted", M)]


def test_second_calls_query_answer_types_the_calls_the_first_left_unknown():
    """The first answer types the calls it names; the other reported calls start as
    CallUnknown. A later answer naming one of them gives its type (the CallUnknown placeholder
    ends without CallUnknownCompleted); an answer for a call already typed changes nothing."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C1,
                     "ps-1": int(PartyState.Connected), "conn-2": C2, "ps-2": int(PartyState.Connected)})
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=2,
         ConnID=C1, CallType=2)
    assert on(r, D1, m) == [("CallInbound", S), ("CallInboundStarted", M), ("CallUnknown", S),
                            ("CallUnknownStarted", M)]
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=2,
         ConnID=C2, CallType=1)
    assert on(r, D1, m) == [("CallUnknown", E), ("CallInternal", S), ("CallInternalStarted", M)]
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=2,
         ConnID=C1, CallType=3)
    assert on(r, D1, m) == []
    assert sorted(n for n, _, _ in r.engine.running(D1) if n.startswith("Call")) == ["CallInbound", "CallInternal"]


def test_calls_query_puts_a_tracked_call_reported_held_on_hold():
    """PreviousConnID = the held call: a call kept through an outage that the answer (or the
    ps-N party state) reports held gets CallOnHold (no CallHeld: the hold itself was not seen)
    and its call-type action stops counting for status; its type is kept."""
    r = Run()
    r.connect(("6001", {"AgentStatus": 2, "AgentID": "1001", "status": 0}))
    r.ev("EventRinging", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=2)
    r.ev("EventServerDisconnected")
    r.ev("EventServerConnected")
    m = r.mark()
    r.ev("EventRegistered", ThisDN="6001", InfoType=8,
         Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "conn-1": C2,
                     "ps-1": int(PartyState.Connected), "conn-2": C1, "ps-2": int(PartyState.Held)})
    assert on(r, D1, m) == [("CallOnHold", S)]
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=2,
         ConnID=C2, PreviousConnID=C1, CallType=1)
    assert on(r, D1, m) == [("CallInternal", S), ("CallInternalStarted", M)]
    assert r.engine.dn_status(D1) == "CallInternal"
    r.ev("EventReleased", ThisDN="6001", ConnID=C2, CallType=1)
    assert r.engine.dn_status(D1) == "CallOnHold"
    m = r.mark()
    r.ev("EventRetrieved", ThisDN="6001", ConnID=C1)
    assert on(r, D1, m) == [("CallOnHold", E), ("CallRetrievedFromHold", R)]
    assert r.engine.dn_status(D1) == "CallInbound"


def test_calls_query_requested_when_calls_present_but_none_listed():
    """OQ-21: status 1 without conn-N keys asks for a CallsQuery; its answer starts the call."""
    r = Run()
    r.ev("EventServerConnected", dt=0)
    recs = r.ev("EventRegistered", ThisDN="6001", InfoType=8,
                Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1})
    assert [(q.request, q.info_type) for q in recs if type(q) is Request] == [
        ("RequestQueryAddress", AddressInfoType.CallsQuery)]
    m = r.mark()
    r.ev("EventAddressInfo", ThisDN="6001", InfoType=AddressInfoType.CallsQuery, InfoStatus=1,
         ConnID=C1, CallType=2, ThisDNRole=DNRole.Destination)
    assert on(r, D1, m) == [("CallInbound", S), ("CallInboundStarted", M)]
    assert r.engine.dn_status(D1) == "CallInbound"
