"""Agent state on a DN: the agent-state actions and logout (docs/reference/actions.md §4.1, §4.6).

Shared by the event handlers (regular.py) and registration data (registration.py): set an
agent-state action as a row of rules.AGENT_STATE_EVENTS says, start a deferred AfterCallWork
when the last call leaves, log an agent out. Imports mediation.py only to reflect an
AfterCallWork and a logout on the login queues.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver import mediation
from sim.statserver.rules import AGENT_STATE_EVENTS
from sim.statserver.state import DNState, Running
from sim.tlib.codes import AgentWorkMode

ACW: Final = AgentWorkMode.AfterCallWork

# The rule a deferred or registration-data AfterCallWork starts with (§4.1, [D 4]).
ACW_RULE: Final = AGENT_STATE_EVENTS["EventAgentNotReady/ACW"]

LOGOUT_RULE: Final = AGENT_STATE_EVENTS["EventAgentLogout"]



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


def same_state(run: Running, data: dict | None) -> bool:
    """OQ-6: an identical repeat (same work mode and reasons) changes nothing."""
    a, b = run.data or {}, data or {}
    return a.get("AgentWorkMode") == b.get("AgentWorkMode") and a.get("Reasons") == b.get("Reasons")


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
        if same_state(run, data):
            return
        end_agent_state(eng, dn, name, t)
    eng.start(dn, name, t, conn, ctype, data, key=name)


def has_established_call(dn: DNState) -> bool:
    for leg in dn.legs.values():
        if leg.phase == "established":
            return True
    return False


def start_acw(eng: ActionEngine, dn: DNState, t: float, data: dict | None) -> None:
    """AfterCallWork is interaction-related when it follows a call: it carries that call's
    ConnID (§4.1); one started from registration data does not (source document)."""
    set_agent_state(eng, dn, ACW_RULE.starts or "", t, data, ACW_RULE.ends, *last_call(dn))


def last_call(dn: DNState) -> tuple[str | None, int | None]:
    """The ConnID and CallType of the DN's last established call, if any."""
    last = dn.last_call
    return (last.conn, last.ctype) if last is not None else (None, None)


def logout(eng: ActionEngine, dn: DNState, t: float, moment: bool = True) -> None:
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
