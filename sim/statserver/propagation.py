"""Which groups an action record reaches (docs/reference/actions.md §7, model 8.1.2+).

The engine writes each action for its DN and for the DN's place and agent; group membership
is static configuration, so the group level is derived here, in one place, for every consumer
(statistics, explain view, tests):

* an ``Agent`` record reaches every GroupAgents containing the agent;
* a ``Place`` record reaches every GroupPlaces containing the place;
* a ``Queue`` / ``RoutePoint`` record reaches every GroupQueues containing the mediation DN;
* [R] the retrospectives a mediation DN reflects from regular DNs (§5.3) — except ACWMissed
  and CallMissed, which the vendor does not propagate further — also reach the agent and place
  groups that list that mediation DN among their Origination DNs.
"""

from __future__ import annotations

from sim.objects import Objects

GROUP_OF_MEMBER = {"Agent": "GroupAgents", "Place": "GroupPlaces", "Queue": "GroupQueues",
                   "RoutePoint": "GroupQueues"}
REFLECTED_FURTHER = frozenset({"CallAnswered", "CallAbandonedFromRinging", "CallForwarded",
                               "CallReleased", "ACWCompleted", "StuckCallCleanedWhileRinging"})


class GroupIndex:
    """Precomputed record -> groups look-ups for one configuration."""

    def __init__(self, objects: Objects):
        self.objects = objects
        self._by_origination: dict[str, list[tuple[str, str]]] = {}
        for g in objects.groups.values():
            for dn_id in g.origination_dns:
                if g.type != "GroupQueues":
                    self._by_origination.setdefault(dn_id, []).append((g.type, g.name))

    def groups_of(self, record) -> list[tuple[str, str]]:
        """(group type, group name) pairs the record propagates to."""
        gtype = GROUP_OF_MEMBER.get(record.object_type)
        if gtype is None:
            return []
        out = [(gtype, g) for g in self.objects.groups_containing(gtype, record.object)]
        if gtype == "GroupQueues" and record.kind == "retro" and record.action in REFLECTED_FURTHER:
            out += self._by_origination.get(record.object, [])
        return out
