"""The words a stat type definition may use: action names, status names, object types, subjects.

Sources: docs/reference/actions.md Appendix A (action names published by the vendor), §4-§5 (names the
engine emits), §8.2 (statuses); docs/reference/stat-types.md §2.3 (subjects and objects), §5 (masks).
A mask naming anything outside these sets is rejected at load time (docs/reference/stat-types.md §5).
"""

from __future__ import annotations

# --- Statuses (docs/reference/actions.md §8.2, lowest -> highest) --------------------------------------------
STATUS_NAMES = frozenset((
    "NotMonitored", "Monitored", "LoggedIn", "OnHook", "WaitForNextCall", "OffHook",
    "CallDialing", "CallRinging", "NotReadyForNextCall", "AfterCallWork", "CallOnHold",
    "CallUnknown", "CallConsult", "CallInternal", "CallOutbound", "CallInbound", "LoggedOut",
    "ASM_Engaged", "ASM_Outbound",
))

# --- CallWait and its per-call-type names (docs/reference/actions.md §5.1; docs/reference/stat-types.md §5)
# A CallWait record is matched under the name CallWait<T> of its call type; the alias
# ``CallWait`` covers all of them. No CallWaitInternal is documented: an Internal call waiting
# matches only the alias (its internal name is not allowed in a mask).
CALL_WAIT = "CallWait"
CALL_WAIT_BY_TYPE = {0: "CallWaitUnknown", 1: "CallWaitInternal", 2: "CallWaitInbound",
                     3: "CallWaitOutbound", 4: "CallWaitConsult"}
CALL_WAIT_MEMBERS = frozenset(CALL_WAIT_BY_TYPE.values())
CALL_WAIT_MASK_NAMES = CALL_WAIT_MEMBERS - {"CallWaitInternal"}


def match_name(action: str, call_type: int | None) -> str:
    """The name a mask tests for an action record (CallWait is split by call type)."""
    if action == CALL_WAIT:
        return CALL_WAIT_BY_TYPE.get(call_type if call_type is not None else 0, "CallWaitUnknown")
    return action


# --- Actions (docs/reference/actions.md Appendix A and §4-§5) -------------------------------------------------
# Queue pseudo-actions: only in unfiltered CurrentNumber / CurrentRelativeNumberPercentage
# (docs/reference/stat-types.md §2.1, [D 2]). AgentLogin also exists on regular DNs, so it is not listed here.
PSEUDO_ACTIONS = frozenset(("DNLogin", "DNActive", "DNReady", "AgentActive", "AgentReady"))

ACTION_NAMES = frozenset("""
Accepted Active ACWCompleted ACWMissed AfterCallWork AgentActive AgentLogin AgentLogout
AgentReady ASM_Engaged ASM_Outbound Available BeingCoached BeingMonitored Blocked CallAbandoned
CallAbandonedFromDialing CallAbandonedFromHold CallAbandonedFromRinging CallAnswered CallCleared
CallConferenceJoined CallConferenceMade CallConferenceOriginated CallConferencePartyAdded
CallConferencePartyDeleted CallConsult CallConsultCompleted CallConsultOriginated
CallConsultReceived CallConsultStarted CallDialConferenced CallDialTransferred CallDialed
CallDialing CallDialingStarted CallDistributed CallDistributedToQueue CallEntered CallForwarded
CallHeld CallInbound CallInboundCompleted CallInboundStarted CallInternal CallInternalCompleted
CallInternalOriginated CallInternalReceived CallInternalStarted CallMissed CallOnHold
CallOutbound CallOutboundCompleted CallOutboundOriginated CallOutboundReceived
CallOutboundStarted CallPartyChanged CallReleased CallRetrievedFromHold CallRinging
CallRingingPartyChanged CallRingingStarted CallTransferMade CallTransferPartyChanged
CallTransferTaken CallTreatmentCompleted CallTreatmentNotStarted CallTreatmentStarted
CallUnknown CallUnknownCompleted CallUnknownStarted CallWait CoachingByIntrusionInitiated
CoachingByRequestInitiated CoachingRequested ConferenceJoined ConferenceJoinedByIntrusion
ConferenceMade Delivering DeliveringStarted DNActive DNLogin DNReady LoggedIn LoggedOut
Monitored NotMonitored NotReadyForNextCall NotRoutable OffHook OnHook Routable
StuckCallCleanedWhileRinging StuckCallCleanedWhileDialing StuckCallCleanedWhileOnHold
UserEvent UserEventReceived WaitForNextCall
""".split()) | CALL_WAIT_MASK_NAMES

# --- Subjects and objects (docs/reference/stat-types.md §2.3) -------------------------------------------------
DN_ACTION, DN_STATUS, AGENT_STATUS, PLACE_STATUS, GROUP_STATUS = (
    "DNAction", "DNStatus", "AgentStatus", "PlaceStatus", "GroupStatus")
SUBJECT_ALIASES = {"Action": DN_ACTION}
STATUS_SUBJECTS = frozenset((DN_STATUS, AGENT_STATUS, PLACE_STATUS, GROUP_STATUS))

OBJECT_TYPES = ("RegDN", "Agent", "Place", "Queue", "RoutePoint", "GroupAgents", "GroupPlaces",
                "GroupQueues", "Tenant")

SUBJECT_OBJECTS = {
    DN_ACTION: frozenset(OBJECT_TYPES),
    DN_STATUS: frozenset(("RegDN", "Agent", "Place", "GroupAgents", "GroupPlaces")),
    AGENT_STATUS: frozenset(("Agent", "Tenant", "GroupAgents")),
    PLACE_STATUS: frozenset(("Place", "GroupPlaces")),
    GROUP_STATUS: frozenset(("GroupAgents", "GroupPlaces")),
}

# From 8.1.2 {Place, AgentStatus} and {Agent, PlaceStatus} are rewritten to the matching valid
# subject [D 15]; the standard definitions pair AgentStatus with GroupPlaces too (§11 #1), so the
# rewrite extends to the groups (docs/decisions.md).
SUBJECT_REWRITE = {
    (AGENT_STATUS, "Place"): PLACE_STATUS, (AGENT_STATUS, "GroupPlaces"): PLACE_STATUS,
    (PLACE_STATUS, "Agent"): AGENT_STATUS, (PLACE_STATUS, "GroupAgents"): AGENT_STATUS,
}

# Which records feed an object type, per effective subject: (record object type, ...).
# Actions: the engine writes DN-level records and Place / Agent copies; groups and the tenant
# are fanned out here (docs/reference/actions.md §7). Tenant takes the DN-level records, so each action once.
ACTION_SOURCES = {
    "RegDN": ("RegDN",), "Queue": ("Queue",), "RoutePoint": ("RoutePoint",),
    "Place": ("Place",), "Agent": ("Agent",), "GroupPlaces": ("Place",), "GroupAgents": ("Agent",),
    "GroupQueues": ("Queue", "RoutePoint"), "Tenant": ("RegDN", "Queue", "RoutePoint"),
}
STATUS_SOURCES = {
    AGENT_STATUS: {"Agent": ("Agent",), "GroupAgents": ("Agent",), "Tenant": ("Agent",)},
    PLACE_STATUS: {"Place": ("Place",), "GroupPlaces": ("Place",)},
    DN_STATUS: {"RegDN": ("RegDN",), "Place": ("RegDN",), "GroupPlaces": ("RegDN",),
                "Agent": ("RegDN",), "GroupAgents": ("RegDN",)},
    GROUP_STATUS: {"GroupAgents": ("Agent",), "GroupPlaces": ("Place",)},
}

TENANT = "Environment"   # the single tenant's object id (Genesys' default tenant name)
