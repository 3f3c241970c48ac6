"""Call legs on a DN: the mechanics every handler shares (docs/reference/actions.md §4.4-§4.6).

A leaf of the engine: the data an event attaches to a call action, a DN's leg of a call,
the call-type action of a leg (start, end, hide while held), re-keying a call's actions
to a new ConnID, the calls DN-status data report, and user events. It imports no handler
module; the handlers (regular, registration, mediation) import it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from sim.statserver.engine import ActionEngine
    from sim.tlib.event import TEvent

from sim.statserver.rules import (
    CALL_TYPE_ACTIONS,
    HIDDEN_WHILE_HELD,
    KEY_CONN_PREFIX,
    KEY_PARTY_STATE_PREFIX,
)
from sim.statserver.state import DNState, Leg, Running
from sim.tlib.codes import CallType


def call_data(ev: TEvent) -> dict | None:
    a = ev.attrs
    d = {}
    ud = a.get("UserData")
    if ud:
        d["UserData"] = ud
    q = a.get("ThisQueue")
    if q is not None:
        d["ThisQueue"] = q
    return d or None


def conn_of(eng: ActionEngine, ev: TEvent) -> str | None:
    conn = ev.attrs.get("ConnID")
    if conn is None:
        eng.problems.append(f"{ev.event} on DN {ev.attrs.get('ThisDN')} without ConnID: ignored")
    return conn


def leg_of(eng: ActionEngine, dn: DNState, ev: TEvent) -> Leg | None:
    """This DN's leg of the event's call, or None (a call the DN does not know changes nothing)."""
    conn = conn_of(eng, ev)
    return dn.legs.get(conn) if conn is not None else None


def ctype_of(value: Any) -> int:
    return value if value in CALL_TYPE_ACTIONS else CallType.Unknown


def new_leg(dn: DNState, conn: str, ctype: int | None, phase: str, since: float = 0.0) -> Leg:
    leg = Leg(conn, ctype, phase, since)
    dn.legs[conn] = leg
    return leg


def start_call_type(eng: ActionEngine, dn: DNState, leg: Leg, t: float, data: dict | None) -> None:
    """Start Call<T>(c) with Call<T>Started, and its Originated / Received companion when the
    DN dialled / was rung for the call (§4.5, OQ-19)."""
    acts = CALL_TYPE_ACTIONS[leg.ctype]
    leg.typed = acts
    conn = leg.conn
    run = eng.start(dn, acts.durable, t, conn, leg.ctype, data)
    eng.moment(dn, acts.started, t, conn, leg.ctype, data)
    companion = acts.originated if leg.origin == "dialed" else acts.received if leg.origin == "rung" else None
    if companion is not None:
        eng.start(dn, companion, t, conn, leg.ctype, data)
    if leg.held and acts.durable in HIDDEN_WHILE_HELD:
        eng.hide(dn, run, True)


def end_call_type(eng: ActionEngine, dn: DNState, leg: Leg, t: float) -> Running | None:
    """End Call<T>(c) with Call<T>Completed, and its companion."""
    acts = leg.typed
    if acts is None:
        return None
    leg.typed = None
    conn = leg.conn
    run = eng.end(dn, (acts.durable, conn), t, acts.completed)
    for companion in (acts.originated, acts.received):
        if companion is not None:
            eng.end(dn, (companion, conn), t)
    return run


def hide_held(eng: ActionEngine, dn: DNState, leg: Leg, hidden: bool) -> None:
    """Hold hides the leg's call-type action from status (rules.HIDDEN_WHILE_HELD, §8.3.1)."""
    if leg.typed is not None and leg.typed.durable in HIDDEN_WHILE_HELD:
        run = dn.running.get((leg.typed.durable, leg.conn))
        if run is not None:
            eng.hide(dn, run, hidden)


def rekey(eng: ActionEngine, dn: DNState, old: str, new: str, t: float) -> None:
    """Move every running action of call ``old`` to ``new`` (start time and aid kept); one
    whose name already runs under ``new`` ends instead (the two calls merged)."""
    for key in [k for k, r in dn.running.items() if r.conn == old]:
        new_key = (key[0], new) if type(key) is tuple else key
        if new_key in dn.running:
            eng.end(dn, key, t)
            continue
        run = dn.running.pop(key)
        run.conn = new
        run.key = new_key
        dn.running[new_key] = run


def user_event(eng: ActionEngine, dn: DNState, ev: TEvent, t: float) -> None:
    """EventUserEvent: emit UserEvent; UserEventReceived runs until the next user event."""
    conn = ev.attrs.get("ConnID")
    data = {"UserData": ev.attrs["UserData"]} if ev.attrs.get("UserData") else None
    eng.moment(dn, "UserEvent", t, conn, ev.attrs.get("CallType") if conn else None, data)
    eng.end(dn, "UserEventReceived", t)
    eng.start(dn, "UserEventReceived", t, data=data)


def as_int(value: Any, default: int | None = 0) -> int | None:
    try:
        return int(value)
    except (TypeError, ValueError):
        return default


def reported_calls(ext: Mapping[str, Any]) -> list[tuple[str, int | None]]:
    calls = []
    for key, value in ext.items():
        if key.startswith(KEY_CONN_PREFIX):
            n = key[len(KEY_CONN_PREFIX):]
            ps = ext.get(KEY_PARTY_STATE_PREFIX + n)
            calls.append((str(value), None if ps is None else as_int(ps, None)))
    return calls
