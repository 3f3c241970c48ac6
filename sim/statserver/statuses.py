"""Statuses of DNs, places, agents and groups (docs/reference/actions.md §8).

One job: after each TEvent, recompute the status of every DN whose ranked actions changed (the
highest of rules.DN_PRIORITY among its running, shown actions), then of the places and agents
holding those DNs (rules.AGENT_PRIORITY, rules.place_status), and keep each group's per-status
member counts. The action engine marks what changed (``dirty``, ``agent_touched``) and hands
over the list its records go to.
"""

from __future__ import annotations

from typing import Any

from sim.objects import Objects
from sim.statserver.records import GroupStatus, StatusChange
from sim.statserver.rules import AGENT_PRIORITY, RANK, place_status
from sim.statserver.state import DNState


class Statuses:
    """The status component of the action engine."""

    def __init__(self, objects: Objects, dns: dict[str, DNState],
                 agent_dns: dict[str, list[DNState]]) -> None:
        self.place_status: dict[str, str] = {}
        self.agent_status: dict[str, str] = {}
        self.place_data: dict[str, tuple[int | None, Any]] = {}    # (call type, reasons) of the status
        self.agent_data: dict[str, tuple[int | None, Any]] = {}
        self.agent_dns = agent_dns
        self.dirty: dict[DNState, None] = {}   # ordered: output must be deterministic
        self.agent_touched: dict[str, None] = {}
        self.group_counts: dict[str, dict[str, int]] = {g: {} for g in objects.groups}
        # group type -> member -> groups containing it (one string lookup per status change)
        self._groups_of: dict[str, dict[str, list[str]]] = {}
        for (group_type, member), groups in objects.groups_of.items():
            self._groups_of.setdefault(group_type, {})[member] = groups
        self._place_dns: dict[str, list[DNState]] = {
            name: [dns[d] for d in place.dns] for name, place in objects.places.items()}
        self._out: list[Any] = []

    def start(self, objects: Objects, t: float, out: list[Any]) -> None:
        """The observed time begins: every place and agent gets its first status."""
        self._out = out
        for place in objects.places.values():
            self.set_place_status(place.name, "NotMonitored", t)
        for agent in objects.agents:
            self.set_agent_status(agent, "LoggedOut", t)

    def update(self, t: float, out: list[Any]) -> None:
        """Recompute the status of every DN an action changed, then of their places and
        agents. A status change whose value stays the same is reported only when the winning
        action's call type or reasons changed (OQ-6: the episode continues, its data follow
        the new instance), so reason filters and CurrentStateReasons see it."""
        self._out = out
        dirty = self.dirty.copy()       # (the engine holds these two dicts: emptied, not replaced)
        self.dirty.clear()
        agents = self.agent_touched.copy()
        self.agent_touched.clear()
        places: dict[str, None] = {}
        for dn in dirty:
            status = dn.top_status()
            if status is None:
                status = "NotMonitored"
            ctype, reasons = self._status_data(dn, status)
            prev = dn.status
            if status == prev and ctype == dn.status_call_type and reasons == dn.status_reasons:
                continue
            dn.status = status
            dn.status_call_type, dn.status_reasons = ctype, reasons
            self._out.append(StatusChange(t, dn.object_type, dn.id, status, prev, ctype, reasons))
            if dn.mediation and status != prev:
                self._count_member("GroupQueues", dn.id, prev, status, t)
            if dn.place is not None:
                places[dn.place] = None
            if dn.agent is not None:
                agents[dn.agent] = None
        for place in places:
            self._set_status("Place", place, self.place_status, self.place_data,
                             self._place_dns[place], t)
        for agent in agents:
            self._set_status("Agent", agent, self.agent_status, self.agent_data,
                             self.agent_dns[agent], t)

    def _set_status(self, object_type: str, obj: str, statuses: dict[str, str],
                    data: dict[str, tuple[int | None, Any]],
                    dns: list[DNState], t: float) -> None:
        """Place / agent status: the highest-ranked status over its DNs (§8.4, §8.5); an agent
        logged in nowhere is LoggedOut; a place with no DN is NotMonitored. The data come from
        the DN holding the winning status."""
        if len(dns) == 1:                 # the usual place / agent: one DN
            win = dns[0]
            best = RANK[win.status] if win.status is not None else 0
        else:
            best, win = -1, None
            for dn in dns:
                r = RANK[dn.status] if dn.status is not None else 0
                if r > best:
                    best, win = r, dn
        if win is None:
            status = "LoggedOut" if object_type == "Agent" else place_status(None, None)
            ctype = reasons = None
        else:
            status = AGENT_PRIORITY[best]     # = place_status(voice, None): the engine is voice-only
            ctype, reasons = (win.status_call_type, win.status_reasons) if win.status else (None, None)
        prev = statuses.get(obj)
        if status == prev and data.get(obj) == (ctype, reasons):
            return
        statuses[obj] = status
        data[obj] = (ctype, reasons)
        self._out.append(StatusChange(t, object_type, obj, status, prev, ctype, reasons))
        if status != prev:
            self._count_member("GroupAgents" if object_type == "Agent" else "GroupPlaces", obj, prev, status, t)

    def _status_data(self, dn: DNState, status: str) -> tuple[int | None, Any]:
        """Attached data of the winning action: the most recently started one (§8.3.5)."""
        win = None
        for run in dn.running.values():
            if run.name == status and not run.hidden and (win is None or run.start >= win.start):
                win = run
        if win is None:
            return None, None
        reasons = win.data.get("Reasons") if win.data else None
        return win.ctype, reasons

    def set_place_status(self, place: str, status: str, t: float) -> None:
        """A place's first status (engine start)."""
        self.place_status[place] = status
        self.place_data[place] = (None, None)
        self._out.append(StatusChange(t, "Place", place, status, None))
        self._count_member("GroupPlaces", place, None, status, t)

    def set_agent_status(self, agent: str, status: str, t: float) -> None:
        """An agent's first status (engine start)."""
        self.agent_status[agent] = status
        self.agent_data[agent] = (None, None)
        self._out.append(StatusChange(t, "Agent", agent, status, None))
        self._count_member("GroupAgents", agent, None, status, t)

    def _count_member(self, group_type: str, member: str, prev: str | None, status: str,
                      t: float) -> None:
        """Keep each group's per-status member counts and report the new counts (§8.6)."""
        groups = self._groups_of.get(group_type)
        if groups is None:
            return
        for group in groups.get(member, ()):
            counts = self.group_counts[group]
            if prev is not None:
                n = counts[prev] - 1
                if n:
                    counts[prev] = n
                else:
                    del counts[prev]
            counts[status] = counts.get(status, 0) + 1
            self._out.append(GroupStatus(t, group_type, group, counts.copy(), member))
