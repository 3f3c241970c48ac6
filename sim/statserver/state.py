"""What the engine remembers per DN: running durable actions, call legs, agent binding.

Plain slotted classes: they are mutated on every event, so they favour speed over ceremony.
Nothing here emits records; ``engine.py`` does.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from sim.statserver.rules import DN_PRIORITY, CallTypeActions

if TYPE_CHECKING:
    from sim.objects import DN


class Running:
    """One durable action in progress on a DN."""

    __slots__ = ("name", "key", "aid", "start", "conn", "ctype", "data", "ranked", "hidden",
                 "agent_since")

    def __init__(self, name: str, key: Any, aid: Any, start: float, conn: str | None,
                 ctype: int | None, data: dict | None, ranked: bool):
        self.name = name
        self.key = key
        # an int, kept as one Python object (Any, not int: compiled, an int field is unboxed and
        # every read would make a new object): all the records of the instance share it, and
        # the statistics find the running record by identity before comparing values
        self.aid = aid
        self.start = start
        self.conn = conn
        self.ctype = ctype
        self.data = data
        self.ranked = ranked          # takes part in the DN's status (§8.2)
        self.hidden = False           # call-type action of a held call (§8.3.1)
        self.agent_since: float | None = None   # when attribution to the bound agent began (§7, OQ-7)


class Distribution:
    """A call handed by a mediation DN to a regular DN (§5.3): what the DN may reflect back."""

    __slots__ = ("mdn", "entered", "virtual", "outcome", "released", "acw")

    def __init__(self, mdn: DNState, entered: float, virtual: bool):
        self.mdn = mdn                # DNState of the mediation DN
        self.entered = entered        # the call's entry time at the mediation DN
        self.virtual = virtual        # a virtual queue: its variants of the retrospectives
        self.outcome: str | None = None   # at most one ringing outcome per distribution
        self.released = False         # at most one CallReleased
        self.acw = False              # at most one ACWCompleted / ACWMissed


@dataclass
class MediationState:
    """What the mediation handlers remember between events (§5.2, §5.3)."""

    # (target DN id, ConnID) -> distributions of the call to that DN, waiting for its ringing
    handoffs: dict[tuple[str, str], list[Distribution]] = field(default_factory=dict)
    # ConnID -> distribution to an unconfigured target (bounded: mediation.UNPLACED_LIMIT)
    unplaced: dict[str, Distribution] = field(default_factory=dict)
    # (mediation DN id, ConnID) -> when its treatment started
    treatments: dict[tuple[str, Any], float] = field(default_factory=dict)


class Leg:
    """This DN's part in one call (one ConnID)."""

    __slots__ = ("conn", "ctype", "phase", "held", "origin", "this_queue", "user_data",
                 "transferred", "dists", "acw_during", "talk_start", "typed", "since", "queried",
                 "placeholder", "outcome", "outcome_at", "conference_made",
                 "released_talk")

    def __init__(self, conn: str, ctype: int | None, phase: str, since: float = 0.0):
        self.conn = conn
        self.since = since            # when the call appeared on this DN (stuck-call age)
        self.ctype = ctype
        self.phase = phase            # "ringing" | "dialing" | "established" | "pending"
        self.held = False
        self.origin: str | None = None   # "dialed" | "rung": decides Originated / Received (OQ-19)
        self.this_queue: str | None = None
        self.user_data: Any = None
        self.transferred = False      # rung by a single-step transfer (ThirdPartyDNRole TransferredBy)
        self.dists: list[Distribution] = []
        self.acw_during = False       # the agent asked for ACW while on this call (OQ-11)
        self.talk_start: float | None = None
        self.typed: CallTypeActions | None = None   # the CallTypeActions whose durable action runs for this call
        self.queried = False          # a CallsQuery answer named this call (the first one wins)
        self.placeholder = False      # runs CallUnknown only for want of a CallsQuery answer
        self.outcome: str | None = None   # the ringing outcome reflected on its distributors (§5.3)
        self.outcome_at = 0.0             # when it happened
        self.conference_made = False  # the DN added a party to this call (CallConferenceOriginated)
        self.released_talk: float | None = None   # talk time reflected as CallReleased (§5.3)


class DNState:
    """A configured DN: its running actions, legs, agent and monitoring state."""

    __slots__ = ("id", "number", "switch", "type", "object_type", "place", "mediation", "virtual",
                 "running", "ranks", "status", "status_call_type", "status_reasons", "agent",
                 "agent_login", "login_queues", "legs", "acw_pending", "last_call",
                 "not_monitored", "out_of_service", "unregistered",
                 "pending_query", "waits", "pseudo_ready", "pseudo_active", "closed", "closed_at")

    def __init__(self, dn: DN):
        self.id = dn.id
        self.number = dn.number
        self.switch = dn.switch
        self.type = dn.type
        self.object_type = dn.object_type
        self.place: str | None = dn.place
        self.mediation = dn.is_mediation
        self.virtual = dn.type == "VirtualQueue"
        self.running: dict[Any, Running] = {}
        self.ranks: list[int] = [0] * len(DN_PRIORITY)
        self.status: str | None = None
        self.status_call_type: int | None = None
        self.status_reasons: Any = None
        self.agent: str | None = None          # employee id of the agent bound to the DN
        self.agent_login: str | None = None    # the AgentID it logged in with
        self.login_queues: list[DNState] = []  # mediation DNs of the agent's queue logins
        self.legs: dict[str, Leg] = {}
        self.acw_pending: dict | None = None   # data of an ACW waiting for the call to end
        self.last_call: Leg | None = None      # the Leg last released (ACW reflection, OQ-11)
        self.not_monitored = False
        self.out_of_service = False
        self.unregistered = False
        self.pending_query = False             # calls reported, CallsQuery answer awaited
        self.waits = 0                         # mediation DN: calls waiting (CallWait running)
        self.pseudo_ready = False              # last given to the login queues (AgentReady...)
        self.pseudo_active = False             # (AgentActive...)
        self.closed: Leg | None = None         # the leg that left the DN last (late distributions)
        self.closed_at = 0.0

    def top_status(self) -> str | None:
        if self.not_monitored:
            return "NotMonitored"
        ranks = self.ranks
        for i in range(len(ranks) - 1, -1, -1):
            if ranks[i]:
                return DN_PRIORITY[i]
        return None
