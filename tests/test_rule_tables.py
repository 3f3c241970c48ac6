"""Every row of the engine's rule tables (sim/statserver/rules.py) fed to the engine, the way
h11 tests its state-transition tables: a row the engine does not read, or reads wrongly, fails
here. Each test walks one table; none lists the rows again."""

from __future__ import annotations

import pytest
from conftest import C1, IDLE, Run

from sim.statserver import rules as R
from sim.tlib.codes import AgentWorkMode, CallState, CallType

D1, Q, RP = "6001@SW1", "7000@SW1", "8000@SW1"
OTHER_MODE = AgentWorkMode.ManualIn


def _logged_in() -> Run:
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE), ("7000", {}), ("8000", {}))
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=OTHER_MODE)
    return r


def _agent_event(r: Run, key: str) -> None:
    """Feed the event of a row of AGENT_STATE_EVENTS (``X/ACW``: X with work mode ACW)."""
    event, _, acw = key.partition("/")
    mode = AgentWorkMode.AfterCallWork if acw else OTHER_MODE
    r.ev(event, ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=mode)


def _row_starting(action: str) -> str:
    return next(k for k, rule in R.AGENT_STATE_EVENTS.items() if rule.starts == action)


@pytest.mark.parametrize("key", list(R.AGENT_STATE_EVENTS))
def test_agent_state_rows(key):
    """Each row ends each action it names and starts its ``starts`` (none: the agent leaves)."""
    rule = R.AGENT_STATE_EVENTS[key]
    for before in rule.ends:
        r = _logged_in()
        _agent_event(r, _row_starting(before))
        assert r.engine.agent_state(D1) == before
        _agent_event(r, key)
        assert before not in r.engine.dns[D1].running or before == rule.starts
        assert r.engine.agent_state(D1) == rule.starts
        if rule.starts is None:
            assert "LoggedOut" in r.engine.dns[D1].running


@pytest.mark.parametrize("key", list(R.AGENT_STATE_EVENTS))
def test_agent_state_rows_deferral(key):
    """``defer_while_on_call``: the action starts only when the last established call is
    released; any other row starts at once."""
    rule = R.AGENT_STATE_EVENTS[key]
    if rule.starts is None:
        return
    r = _logged_in()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound)
    _agent_event(r, key)
    assert (rule.starts in r.engine.dns[D1].running) is not rule.defer_while_on_call
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound)
    assert rule.starts in r.engine.dns[D1].running


def _open(r: Run, phase: str, ctype: int = CallType.Inbound) -> None:
    for event, opened in R.LEG_OPENED_BY.items():
        if opened == phase:
            r.ev(event, ThisDN="6001", ConnID=C1, CallType=ctype)
            return
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=ctype)
    r.ev("EventHeld", ThisDN="6001", ConnID=C1, CallType=ctype)


def _retros(r: Run, since: int) -> list[str]:
    return [name for name, kind in r.actions(D1, object_type="RegDN", since=since) if kind == "retro"]


@pytest.mark.parametrize("phase", list(R.LEG_ACTIONS))
def test_leg_actions_start(phase):
    """The opening event (LEG_OPENED_BY; hold: EventHeld) starts the row's durable action with
    its momentary marker."""
    row = R.LEG_ACTIONS[phase]
    r = _logged_in()
    m = r.mark()
    _open(r, phase)
    acts = r.actions(D1, object_type="RegDN", since=m)
    assert (row.durable, "start") in acts and (row.started, "moment") in acts


@pytest.mark.parametrize("phase,event", [(p, e) for p, row in R.LEG_ACTIONS.items() for e in row.ended_by])
def test_leg_actions_ended_by(phase, event):
    """Each event of ``ended_by`` ends the action with its retrospective."""
    row = R.LEG_ACTIONS[phase]
    r = _logged_in()
    _open(r, phase)
    m = r.mark()
    r.ev(event, ThisDN="6001", ConnID=C1, CallType=CallType.Inbound, ThirdPartyDN="6002")
    assert (row.durable, C1) not in r.engine.dns[D1].running
    assert row.ended_by[event] in _retros(r, m)


@pytest.mark.parametrize("phase,state", [(p, s) for p, row in R.LEG_ACTIONS.items()
                                         for s in row.ended_by_release])
def test_leg_actions_ended_by_release(phase, state):
    """EventReleased picks the retrospective by CallState ("*": every other one)."""
    row = R.LEG_ACTIONS[phase]
    retro = row.ended_by_release[state]
    r = _logged_in()
    _open(r, phase)
    m = r.mark()
    s = CallState.Ok if state == "*" else state
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound, CallState=s)
    retros = _retros(r, m)
    others = {v for v in row.ended_by_release.values() if v is not None}
    assert [x for x in retros if x in others] == ([retro] if retro else [])


@pytest.mark.parametrize("ctype", list(R.CALL_TYPE_ACTIONS))
def test_call_type_rows(ctype):
    """A call's type picks its durable action, its markers and its companions (§4.5); hold
    hides it from status when HIDDEN_WHILE_HELD holds it."""
    acts = R.CALL_TYPE_ACTIONS[ctype]
    for phase, companion in (("ringing", acts.received), ("dialing", acts.originated)):
        r = _logged_in()
        m = r.mark()
        _open(r, phase, ctype)
        r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=ctype)
        running = {run.name for run in r.engine.dns[D1].running.values()}
        assert acts.durable in running and (companion is None or companion in running)
        assert r.engine.dn_status(D1) == acts.durable
        r.ev("EventHeld", ThisDN="6001", ConnID=C1, CallType=ctype)
        assert (r.engine.dn_status(D1) != acts.durable) is (acts.durable in R.HIDDEN_WHILE_HELD)
        r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=ctype)
        got = r.actions(D1, object_type="RegDN", since=m)
        assert (acts.started, "moment") in got and (acts.completed, "retro") in got


@pytest.mark.parametrize("state", list(R.COMPLETION_MOMENT))
def test_completion_moments(state):
    r = _logged_in()
    r.ev("EventEstablished", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound)
    m = r.mark()
    r.ev("EventReleased", ThisDN="6001", ConnID=C1, CallType=CallType.Inbound, CallState=state)
    assert (R.COMPLETION_MOMENT[state], "moment") in r.actions(D1, object_type="RegDN", since=m)


@pytest.mark.parametrize("status", list(R.AGENT_STATUS_RULES))
def test_agent_status_rows(status):
    """Registration data with an AgentStatus start the agent-state action of its row."""
    r = Run()
    r.connect(("6001", {"AgentStatus": int(status), "AgentID": "1001", "status": 0}))
    assert r.engine.agent_state(D1) == R.AGENT_STATUS_RULES[status]


@pytest.mark.parametrize("dn_type", list(R.MEDIATION_ARRIVAL))
def test_mediation_arrival_rows(dn_type):
    number = {"ACDQueue": "7000", "VirtualQueue": "9000", "RoutingPoint": "8000"}[dn_type]
    r = Run()
    r.connect((number, {}))
    r.ev(R.MEDIATION_ARRIVAL[dn_type], ThisDN=number, ThisQueue=number, ConnID=C1, CallType=2)
    assert "CallWait" in {run.name for run in r.engine.dns[f"{number}@SW1"].running.values()}


@pytest.mark.parametrize("event", list(R.CALL_WAIT_ENDED_BY))
def test_call_wait_ended_by_rows(event):
    r = _logged_in()
    r.ev("EventQueued", ThisDN="7000", ThisQueue="7000", ConnID=C1, CallType=2)
    m = r.mark()
    r.ev(event, ThisDN="7000", ThisQueue="7000", ConnID=C1, CallType=2, ThirdPartyDN="6001")
    assert (R.CALL_WAIT_ENDED_BY[event], "retro") in r.actions(Q, since=m)


@pytest.mark.parametrize("event", list(R.TREATMENT_EVENTS))
def test_treatment_rows(event):
    name, kind = R.TREATMENT_EVENTS[event]
    r = _logged_in()
    r.ev("EventRouteRequest", ThisDN="8000", ThisQueue="8000", ConnID=C1, CallType=2)
    r.ev("EventTreatmentApplied", ThisDN="8000", ConnID=C1, CallType=2, TreatmentType=2)
    m = r.mark()
    r.ev(event, ThisDN="8000", ConnID=C1, CallType=2)
    assert (name, kind) in r.actions(RP, since=m)
