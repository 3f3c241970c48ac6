"""The action engine: TEvents in, Stat Server actions and statuses out (sans-I/O).

``ActionEngine(objects).feed(tevent)`` returns the records the event caused, in order:
:class:`~sim.statserver.records.Action` (start / end / moment / retro, with the propagated
copies for the Place and the Agent, docs/reference/actions.md §7), :class:`StatusChange`
(docs/reference/actions.md §8; computed by ``statuses.Statuses``) and :class:`Request` (the
TQueryAddress Stat Server would send, §9). The engine never reads a file, a socket or a clock:
``sim run``, ``sim replay`` and streams are thin callers of ``feed``.

What an event does is looked up in the dispatch tables of ``regular.py`` and ``mediation.py``;
the rules those handlers follow are the tables of ``rules.py``. This module holds the shared
mechanics: starting and ending actions, propagation, statuses, connections and registration.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any, Final

from sim.objects import Objects
from sim.statserver import mediation, registration, regular
from sim.statserver.records import (
    END,
    MOMENT,
    RETRO,
    START,
    Action,
    Request,
)
from sim.statserver.rules import (
    DN_PRIORITY,
    IGNORED_EVENTS,
    SWITCH_EVENTS,
)
from sim.statserver.state import DNState, MediationState, Running
from sim.statserver.statuses import Statuses

if TYPE_CHECKING:
    from sim.tlib.event import TEvent

_DN_RANK: Final = {name: i for i, name in enumerate(DN_PRIORITY)}


class EngineInputError(ValueError):
    """A TEvent the engine cannot place (unknown switch or DN, missing ThisDN). No state changed."""


def shown(text: str) -> str:
    """A value from the input as it may appear in a one-line message: unprintable characters
    escaped (a newline must not split the message, an escape sequence must not reach the
    terminal)."""
    return text if text.isprintable() else text.encode("unicode_escape").decode("ascii")


class _Switch:
    __slots__ = ("name", "seen", "server_up", "link_up", "dns")

    def __init__(self, name: str, dns: list[DNState]):
        self.name = name
        self.seen = False
        self.server_up = False
        self.link_up = True
        self.dns = dns


class ActionEngine:
    """Stat Server's action engine for the DNs, places, agents and groups of ``objects``."""

    def __init__(self, objects: Objects, *, stuck_call_timeout: float | None = None,
                 regular_call_abandoned: bool = False):
        self.objects = objects
        # OQ-5 option: regular DNs also emit CallAbandoned next to CallAbandonedFromRinging.
        self.regular_call_abandoned = regular_call_abandoned
        # Stuck-call clean-up (§12, optional): calls older than this on a DN are cleaned.
        self.stuck_call_timeout = stuck_call_timeout
        self._next_stuck_check: float | None = None
        self.dns: dict[str, DNState] = {dn_id: DNState(dn) for dn_id, dn in objects.dns.items()}
        self._by_number = {(d.switch, d.number): d for d in self.dns.values()}
        self.switches = {name: _Switch(name, [d for d in self.dns.values() if d.switch == name])
                         for name in objects.switches}
        self.agent_dns: dict[str, list[DNState]] = {a: [] for a in objects.agents}
        self.statuses = Statuses(objects, self.dns, self.agent_dns)
        # the status component's tables, read by callers (sim serve, tests)
        self.place_status = self.statuses.place_status
        self.agent_status = self.statuses.agent_status
        self.group_counts = self.statuses.group_counts
        self.problems: list[str] = []     # warnings about the last events (drained by callers)
        self.started = False
        self.now = 0.0
        self._aid = 0
        self._out: list[Any] = []
        self._dirty = self.statuses.dirty               # DNs whose ranked actions changed
        self._agent_touched = self.statuses.agent_touched
        self.mediation_state = MediationState()   # the mediation handlers' memory
        self._regular = regular.DISPATCH
        self._mediation = {**mediation.DISPATCH, **registration.DISPATCH}

    # ------------------------------------------------------------------ feeding
    def feed(self, ev: TEvent) -> list[Any]:
        """Process one TEvent; return the records it caused (actions, statuses, requests)."""
        sw = self.switches.get(ev.switch)
        if sw is None:
            raise EngineInputError(f"unknown switch {ev.switch!r} (not in the objects file)")
        name = ev.event
        dn: DNState | None = None
        if name not in SWITCH_EVENTS:
            number = ev.attrs.get("ThisDN")
            if number is not None:
                dn = self._by_number.get((ev.switch, number))
                if dn is None:
                    raise EngineInputError(f"unknown DN {shown(f'{number}@{ev.switch}')} (not in the objects file)")
            elif name not in IGNORED_EVENTS and name != "EventError":
                raise EngineInputError(f"{name} without ThisDN")
        out = self._out = []
        t = ev.time
        self.now = t
        if not self.started:
            self._start_engine(t)
        if not sw.seen:
            self._first_event_of_switch(sw, ev, t)
        if self.stuck_call_timeout is not None:
            self._check_stuck_calls(t)
        if name in SWITCH_EVENTS:
            self._on_switch_event(sw, name, t)
        elif dn is not None:
            self._on_dn_event(dn, ev, t)
        if self._dirty:
            self.statuses.update(t, out)
        return out

    def _on_dn_event(self, dn: DNState, ev: TEvent, t: float) -> None:
        name = ev.event
        if name == "EventError":
            registration.on_error(self, dn, ev, t)
            return
        table = self._mediation if dn.mediation else self._regular
        handler = table.get(name)
        if handler is not None:
            handler(self, dn, ev, t)
            if dn.login_queues:
                mediation.sync_pseudo(self, dn, t)

    def _check_stuck_calls(self, t: float) -> None:
        """At most once per tenth of the timeout, clean calls older than the timeout (§12)."""
        timeout = self.stuck_call_timeout
        if timeout is None or (self._next_stuck_check is not None and t < self._next_stuck_check):
            return
        self._next_stuck_check = t + timeout / 10
        limit = t - timeout
        for dn in self.dns.values():
            if dn.legs and not dn.mediation:
                for leg in [lg for lg in dn.legs.values() if lg.since <= limit]:
                    regular.clean_stuck_call(self, dn, leg, t)

    # ------------------------------------------------------------------ engine start
    def _start_engine(self, t: float) -> None:
        """The observed time begins: every place and agent gets its first status."""
        self.started = True
        self.statuses.start(self.objects, t, self._out)

    def _first_event_of_switch(self, sw: _Switch, ev: TEvent, t: float) -> None:
        """DNs of a switch are NotMonitored until it connects; a trace that starts without
        EventServerConnected (an imported log) is connected from its first event (§9.2.1)."""
        sw.seen = True
        if ev.event in ("EventServerDisconnected", "EventLinkDisconnected"):
            for dn in sw.dns:
                self.start(dn, "NotMonitored", t)
                dn.not_monitored = True
                self._dirty[dn] = None
            return
        sw.server_up = True
        for dn in sw.dns:
            self.start(dn, "Monitored", t)
            if ev.event == "EventServerConnected":
                self.request(dn, "RequestRegisterAddress", t)
            self._dirty[dn] = None

    # ------------------------------------------------------------------ connections (§11)
    def _on_switch_event(self, sw: _Switch, name: str, t: float) -> None:
        if name == "EventServerConnected":
            sw.server_up, sw.link_up = True, True
        elif name == "EventServerDisconnected":
            sw.server_up = False
        elif name == "EventLinkConnected":
            sw.link_up = True
        else:
            sw.link_up = False
        for dn in sw.dns:
            self.set_monitored(dn, t)

    def dn_at(self, switch: str, number: Any) -> DNState | None:
        """The configured DN with ``number`` on ``switch``, or None."""
        return self._by_number.get((switch, number))

    def dn_can_be_monitored(self, dn: DNState) -> bool:
        sw = self.switches[dn.switch]
        return sw.server_up and sw.link_up and not dn.out_of_service and not dn.unregistered

    def set_monitored(self, dn: DNState, t: float) -> None:
        """Move the DN between Monitored and NotMonitored as its switch and state allow.

        Losing monitoring keeps every other running action (reconcile, do not wipe: §11);
        regaining it requests registration, whose answer reconciles them (§9)."""
        want = self.dn_can_be_monitored(dn)
        if want and dn.not_monitored:
            self.end(dn, "NotMonitored", t)
            dn.not_monitored = False
            self.start(dn, "Monitored", t)
            self.request(dn, "RequestRegisterAddress", t)
            self._dirty[dn] = None
        elif not want and not dn.not_monitored:
            self.end(dn, "Monitored", t)
            dn.not_monitored = True
            dn.pending_query = False
            self.start(dn, "NotMonitored", t)
            self._dirty[dn] = None

    def request(self, dn: DNState, request: str, t: float, info_type: int = 0) -> None:
        self._out.append(Request(t, request, dn.switch, dn.number, info_type))

    # ------------------------------------------------------------------ actions
    def _new_aid(self) -> int:
        self._aid += 1
        return self._aid

    def start(self, dn: DNState, name: str, t: float, conn: str | None = None,
              ctype: int | None = None, data: dict | None = None, key: Any = None) -> Running:
        """Start durable action ``name`` on ``dn`` (unless the same key already runs)."""
        if key is None:
            key = name if conn is None else (name, conn)
        run = dn.running.get(key)
        if run is not None:
            return run
        rank = _DN_RANK.get(name)
        run = Running(name, key, self._new_aid(), t, conn, ctype, data, rank is not None)
        dn.running[key] = run
        if rank is not None:
            dn.ranks[rank] += 1
            self._dirty[dn] = None
        out = self._out
        aid, dn_id = run.aid, dn.id
        out.append(Action(t, name, START, dn.object_type, dn_id, aid, conn, ctype, None, dn_id, data))
        if dn.place is not None:
            out.append(Action(t, name, START, "Place", dn.place, aid, conn, ctype, None, dn_id, data))
        if dn.agent is not None:
            run.agent_since = t
            out.append(Action(t, name, START, "Agent", dn.agent, aid, conn, ctype, None, dn_id, data))
        return run

    def end(self, dn: DNState, key: Any, t: float, retro: str | None = None,
            retro_data: dict | None = None) -> Running | None:
        """End the durable action under ``key``; optionally emit the retrospective that
        closes it (instant = now, duration = the durable action's duration, §3.2)."""
        running = dn.running
        run = running.get(key)      # get + del: mypyc has no primitive for dict.pop
        if run is None:
            return None
        del running[key]
        if run.ranked and not run.hidden:
            dn.ranks[_DN_RANK[run.name]] -= 1
            self._dirty[dn] = None
        dur = t - run.start if t > run.start else 0.0
        out = self._out
        name, aid, conn, ctype, data, dn_id = run.name, run.aid, run.conn, run.ctype, run.data, dn.id
        out.append(Action(t, name, END, dn.object_type, dn_id, aid, conn, ctype, dur, dn_id, data))
        if dn.place is not None:
            out.append(Action(t, name, END, "Place", dn.place, aid, conn, ctype, dur, dn_id, data))
        if dn.agent is not None and run.agent_since is not None:
            since = run.agent_since
            out.append(Action(t, name, END, "Agent", dn.agent, aid, conn, ctype,
                                     t - since if t > since else 0.0, dn_id, data))
        if retro is not None:
            self.instant(dn, retro, RETRO, t, run.conn, run.ctype, dur,
                         retro_data if retro_data is not None else run.data)
        return run

    def instant(self, dn: DNState, name: str, kind: str, t: float, conn: str | None = None,
                ctype: int | None = None, duration: float | None = None,
                data: dict | None = None) -> None:
        """Emit a momentary (``MOMENT``) or retrospective (``RETRO``) action."""
        out = self._out
        self._aid += 1
        aid: Any = self._aid        # one object for the three records (see state.Running.aid)
        dn_id = dn.id
        out.append(Action(t, name, kind, dn.object_type, dn_id, aid, conn, ctype, duration, dn_id, data))
        if dn.place is not None:
            out.append(Action(t, name, kind, "Place", dn.place, aid, conn, ctype, duration, dn_id, data))
        if dn.agent is not None:
            out.append(Action(t, name, kind, "Agent", dn.agent, aid, conn, ctype, duration, dn_id, data))

    def moment(self, dn: DNState, name: str, t: float, conn: str | None = None,
               ctype: int | None = None, data: dict | None = None) -> None:
        self.instant(dn, name, MOMENT, t, conn, ctype, None, data)

    def hide(self, dn: DNState, run: Running, hidden: bool) -> None:
        """Hide (hold) or show (retrieve) a call-type action for status purposes (§8.3.1)."""
        if run.hidden == hidden:
            return
        run.hidden = hidden
        if run.ranked:
            dn.ranks[_DN_RANK[run.name]] += -1 if hidden else 1
            self._dirty[dn] = None

    def end_conn(self, dn: DNState, conn: str, t: float) -> None:
        """End every action of call ``conn`` on ``dn`` without retrospectives (§11, OQ-23)."""
        for key in [k for k, r in dn.running.items() if r.conn == conn]:
            self.end(dn, key, t)

    # ------------------------------------------------------------------ agent binding (§7)
    def bind(self, dn: DNState, login: str | None, t: float) -> None:
        """Bind the agent logged in with AgentID ``login`` to ``dn``: from now on the DN's
        actions propagate to the agent, starting with those already running."""
        agent = self.objects.agent_by_login.get(login) if login is not None else None
        if login is not None and agent is None:
            self.problems.append(f"AgentID {login!r} on DN {dn.id} is not an agent of the objects file")
        if dn.agent == agent and dn.agent_login == login:
            return
        if dn.agent is not None:
            self.unbind(dn, t)
        dn.agent_login = login
        if agent is None:
            return
        dn.agent = agent
        self.agent_dns[agent].append(dn)
        self._agent_touched[agent] = None
        out = self._out
        for run in dn.running.values():
            run.agent_since = t
            out.append(Action(t, run.name, START, "Agent", agent, run.aid, run.conn, run.ctype,
                              None, dn.id, run.data))
        self._dirty[dn] = None

    def unbind(self, dn: DNState, t: float) -> None:
        """Stop attributing the DN's actions to its agent (logout, OQ-7)."""
        agent = dn.agent
        dn.agent_login = None
        if agent is None:
            return
        out = self._out
        for run in dn.running.values():
            if run.agent_since is not None:
                since = run.agent_since
                out.append(Action(t, run.name, END, "Agent", agent, run.aid, run.conn, run.ctype,
                                  t - since if t > since else 0.0, dn.id, run.data))
                run.agent_since = None
        dn.agent = None
        self.agent_dns[agent].remove(dn)
        self._dirty[dn] = None
        self._agent_touched[agent] = None

    # ------------------------------------------------------------------ introspection
    def dn_status(self, dn_id: str) -> str | None:
        return self.dns[dn_id].status

    def agent_state(self, dn_id: str) -> str | None:
        """The agent-state action running on the DN (WaitForNextCall / NotReadyForNextCall /
        AfterCallWork), or None."""
        running = self.dns[dn_id].running
        for name in ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork"):
            if name in running:
                return name
        return None

    def calls_on(self, dn_id: str) -> set[str]:
        return set(self.dns[dn_id].legs)

    def running(self, dn_id: str) -> list[tuple[str, str | None, float]]:
        return sorted((r.name, r.conn, r.start) for r in self.dns[dn_id].running.values())

    def is_monitored(self, dn_id: str) -> bool:
        return not self.dns[dn_id].not_monitored

    def current_state(self, object_type: str, object_id: str) -> dict:
        """The CurrentState tree (docs/reference/actions.md §8.6): object -> DNs -> status and actions."""
        def dn_tree(dn: DNState) -> dict:
            return {"status": dn.status,
                    "actions": [{"action": r.name, "ConnID": r.conn, "start": r.start}
                                for r in dn.running.values()]}
        if object_type in ("RegDN", "Queue", "RoutePoint"):
            return {object_id: dn_tree(self.dns[object_id])}
        if object_type == "Place":
            return {"status": self.place_status.get(object_id),
                    "dns": {d: dn_tree(self.dns[d]) for d in self.objects.places[object_id].dns}}
        if object_type == "Agent":
            return {"status": self.agent_status.get(object_id),
                    "dns": {d.id: dn_tree(d) for d in self.agent_dns[object_id]}}
        group = self.objects.groups[object_id]
        member_type = {"GroupAgents": "Agent", "GroupPlaces": "Place", "GroupQueues": "Queue"}[group.type]
        members = {}
        for m in group.members:
            mt = self.dns[m].object_type if group.type == "GroupQueues" else member_type
            members[m] = self.current_state(mt, m)
        return {"group": object_id, "type": group.type, "members": members}

    def group_status_counts(self, group_name: str) -> dict[str, int]:
        """How many members of a group are in each status now (OQ-13)."""
        return dict(self.group_counts[group_name])
