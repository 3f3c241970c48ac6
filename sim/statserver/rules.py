"""Every rule of the action engine, as data, in the spec's order and words.

Read this module next to docs/reference/actions.md: each table names the section it encodes,
so a correction of the spec is a one-line change here. The engine (``engine.py``) only walks
these tables; the explain view and the diagrams (``diagrams.py``) read the same tables.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final, NamedTuple

from sim.tlib.codes import CallState, CallType, DNRole, TServerAgentStatus

# --- Statuses: priority tables (docs/reference/actions.md §8.2, §5.4), lowest -> highest ----------------------
DN_PRIORITY: Final = (
    "NotMonitored", "Monitored", "LoggedIn", "OnHook", "WaitForNextCall", "OffHook",
    "CallDialing", "CallRinging", "NotReadyForNextCall", "AfterCallWork", "CallOnHold",
    "CallUnknown", "CallConsult", "CallInternal", "CallOutbound", "CallInbound",
)
AGENT_PRIORITY: Final = DN_PRIORITY + ("LoggedOut",)   # LoggedOut: agents only, top priority (§8.3.2)

RANK: Final = {name: i for i, name in enumerate(AGENT_PRIORITY)}

# Numeric status codes (§8.2; 0-3 are [R] per OQ-12; 10-12 and 14-17 unused here).
STATUS_CODE: Final = {
    "NotMonitored": 0, "Monitored": 1, "LoggedIn": 2, "OnHook": 3, "WaitForNextCall": 4,
    "OffHook": 5, "CallDialing": 6, "CallRinging": 7, "NotReadyForNextCall": 8,
    "AfterCallWork": 9, "CallOnHold": 13, "CallUnknown": 18, "CallConsult": 19,
    "CallInternal": 20, "CallOutbound": 21, "CallInbound": 22, "LoggedOut": 23,
}

# --- The call-type matrix (§4.5) ----------------------------------------------------------------


class CallTypeActions(NamedTuple):
    durable: str
    started: str
    completed: str
    originated: str | None
    received: str | None


CALL_TYPE_ACTIONS: Final = {
    CallType.Unknown: CallTypeActions("CallUnknown", "CallUnknownStarted", "CallUnknownCompleted", None, None),
    CallType.Internal: CallTypeActions("CallInternal", "CallInternalStarted", "CallInternalCompleted",
                                       "CallInternalOriginated", "CallInternalReceived"),
    CallType.Inbound: CallTypeActions("CallInbound", "CallInboundStarted", "CallInboundCompleted", None, None),
    CallType.Outbound: CallTypeActions("CallOutbound", "CallOutboundStarted", "CallOutboundCompleted",
                                       "CallOutboundOriginated", "CallOutboundReceived"),
    CallType.Consult: CallTypeActions("CallConsult", "CallConsultStarted", "CallConsultCompleted",
                                      "CallConsultOriginated", "CallConsultReceived"),
}

# Call types whose waiting on a mediation DN has its own mask name (§5.1: no CallWaitInternal).
CALL_WAIT_MASK: Final = {
    CallType.Unknown: "CallWaitUnknown", CallType.Inbound: "CallWaitInbound",
    CallType.Outbound: "CallWaitOutbound", CallType.Consult: "CallWaitConsult",
}

# Hold hides the call-type action from status (§8.3.1, CallConsult included per [R]).
HIDDEN_WHILE_HELD: Final = frozenset(a.durable for a in CALL_TYPE_ACTIONS.values())

# --- Agent-state actions (§4.1, §4.6) -----------------------------------------------------------
AGENT_STATE_ACTIONS: Final = ("WaitForNextCall", "NotReadyForNextCall", "AfterCallWork")


class AgentStateRule(NamedTuple):
    """An agent-state TEvent: which agent-state actions it ends and which it starts."""

    ends: tuple[str, ...]
    starts: str | None
    # ACW waits for the last established call on the DN to be released (§4.1, [D 4]).
    defer_while_on_call: bool = False


AGENT_STATE_EVENTS: Final = {
    "EventAgentReady": AgentStateRule(("NotReadyForNextCall", "AfterCallWork"), "WaitForNextCall"),
    # EventAgentNotReady is split by work mode: AfterCallWork (3) vs any other mode.
    "EventAgentNotReady/ACW": AgentStateRule(("WaitForNextCall", "NotReadyForNextCall"), "AfterCallWork",
                                             defer_while_on_call=True),
    "EventAgentNotReady": AgentStateRule(("WaitForNextCall", "AfterCallWork"), "NotReadyForNextCall"),
    "EventAgentAfterCallWork": AgentStateRule(("WaitForNextCall", "NotReadyForNextCall"), "AfterCallWork",
                                              defer_while_on_call=True),
    "EventAgentLogout": AgentStateRule(AGENT_STATE_ACTIONS, None),
}

# T-Server AgentStatus in registration / DN-status data -> the agent-state action it calls for
# (source document, "DN Actions at Newly Registered DNs"; 0 and 1 per OQ-15, 5 -> WalkAway).
# The running actions it contradicts are all the other agent-state actions.
AGENT_STATUS_RULES: Final = {
    TServerAgentStatus.Ready: "WaitForNextCall",
    TServerAgentStatus.NotReady: "NotReadyForNextCall",
    TServerAgentStatus.ACW: "AfterCallWork",       # non-interaction-related: no ConnID
    TServerAgentStatus.WalkAway: "NotReadyForNextCall",   # with work mode WalkAway
}

# --- How a call leg's actions end on EventReleased / EventAbandoned (§4.4, §4.6, OQ-10) ---------
# phase -> {CallState: retrospective or None for a plain end}; "*" is every other CallState.
RINGING_ENDED_BY_RELEASE: Final = {
    CallState.Forwarded: "CallForwarded", CallState.Redirected: "CallForwarded",
    CallState.Covered: "CallForwarded", CallState.Pickedup: "CallForwarded",
    CallState.NoAnswer: "CallForwarded",
    CallState.SystemError: None, CallState.Cleared: None,   # T-Server clean-up after link loss
    "*": "CallAbandonedFromRinging",
}
DIALING_ENDED_BY_RELEASE: Final = {
    CallState.Transferred: "CallDialTransferred",
    CallState.Conferenced: "CallDialConferenced",
    "*": "CallAbandonedFromDialing",
}
HOLD_ENDED_BY_RELEASE: Final = {
    CallState.Transferred: None, CallState.Conferenced: None,   # the DN itself completed it
    "*": "CallAbandonedFromHold",
}
# The call-type action always closes with Call<T>Completed; these moments come with it.
COMPLETION_MOMENT: Final = {
    CallState.Transferred: "CallTransferMade",
    CallState.Conferenced: "CallConferenceMade",
}
# Conference moments (§4.3; triggers [R], docs/decisions.md "Engine edge cases"): an
# EventPartyAdded whose ThirdPartyDN is the receiving DN itself (role AddedBy / ConferencedBy,
# or none) means that DN added the party: it made a conference step on that call. The first
# step on a call also says the DN originated the conference. Every member receiving the event
# gets the party moment.
PARTY_MOMENT: Final = {
    "EventPartyAdded": "CallConferencePartyAdded",
    "EventPartyDeleted": "CallConferencePartyDeleted",
}
CONFERENCE_MADE: Final = "ConferenceMade"                    # each party the DN added
CONFERENCE_ORIGINATED: Final = "CallConferenceOriginated"    # the first one, per call and DN
CONFERENCE_BY_ROLES: Final = frozenset({DNRole.AddedBy, DNRole.ConferencedBy, None})
# Optional (OQ-5, ActionEngine(regular_call_abandoned=True), off by default): regular DNs also
# emit the legacy name next to the retrospective it duplicates, with the same duration.
REGULAR_ABANDON_ALIAS: Final = {"CallAbandonedFromRinging": "CallAbandoned"}
# Ringing ends on other events (§4.6).
RINGING_ENDED_BY: Final = {
    "EventEstablished": "CallAnswered",
    "EventAbandoned": "CallAbandonedFromRinging",
    "EventDiverted": "CallForwarded",
}


class LegAction(NamedTuple):
    """A durable action of one call leg on a regular DN (§4.6): what marks its start, how the
    DN came to the call, which events end it with which retrospective, and how EventReleased
    ends it (a table by CallState)."""

    durable: str
    started: str
    origin: str | None              # "rung" / "dialed": picks Call<T>Received / ...Originated
    ended_by: Mapping[str, str]     # TEvent -> retrospective
    ended_by_release: Mapping[object, str | None]
    reflected: bool = False         # its outcome is reflected on the distributing mediation DN


# Phase of a leg -> its action, in the order EventReleased closes them.
LEG_ACTIONS: Final = {
    "ringing": LegAction("CallRinging", "CallRingingStarted", "rung", RINGING_ENDED_BY,
                         RINGING_ENDED_BY_RELEASE, reflected=True),
    "dialing": LegAction("CallDialing", "CallDialingStarted", "dialed",
                         {"EventEstablished": "CallDialed"}, DIALING_ENDED_BY_RELEASE),
    "held": LegAction("CallOnHold", "CallHeld", None, {"EventRetrieved": "CallRetrievedFromHold"},
                      HOLD_ENDED_BY_RELEASE),
}
# The events that open a leg, and the phase they open it in.
LEG_OPENED_BY: Final = {"EventRinging": "ringing", "EventDialing": "dialing"}
# A ringing call ended with these CallStates went back to the distributor: RONA (OQ-10).
RONA_STATES: Final = frozenset({CallState.NoAnswer, CallState.Redirected})
CLEANUP_STATES: Final = frozenset({CallState.SystemError, CallState.Cleared})

# --- Mediation DNs (§5.2) -------------------------------------------------------------------------
# Arrival events: CallEntered + CallWait start.
MEDIATION_ARRIVAL: Final = {
    "ACDQueue": "EventQueued", "VirtualQueue": "EventQueued", "RoutingPoint": "EventRouteRequest",
}
# How CallWait ends: event -> outcome retrospective ("distributed" needs ThirdPartyDN).
CALL_WAIT_ENDED_BY: Final = {
    "EventDiverted": "CallDistributed",
    "EventRouteUsed": "CallDistributed",
    "EventAbandoned": "CallAbandoned",
    "EventReleased": "CallCleared",
}
TREATMENT_EVENTS: Final = {
    "EventTreatmentApplied": ("CallTreatmentStarted", "moment"),
    "EventTreatmentNotApplied": ("CallTreatmentNotStarted", "moment"),
    "EventTreatmentEnd": ("CallTreatmentCompleted", "retro"),
}
# Retrospectives reflected on the distributing mediation DN (§5.3): agent-side outcome ->
# mediation action. RONA endings give CallMissed (OQ-10).
OUTCOME_RONA: Final = "RONA"      # a ringing leg ended with one of RONA_STATES
OUTCOME_STUCK: Final = "Stuck"    # a ringing leg removed by the stuck-call clean-up
REFLECTED_RINGING_OUTCOME: Final = {
    "CallAnswered": "CallAnswered",
    "CallAbandonedFromRinging": "CallAbandonedFromRinging",
    "CallForwarded": "CallForwarded",
    OUTCOME_RONA: "CallMissed",
    OUTCOME_STUCK: "StuckCallCleanedWhileRinging",
}
# A mediation DN may report its distribution after the target DN reported the call (URS has
# T-Server distribute a virtual queue's EventDiverted only after EventRouteUsed): a diversion
# this many seconds after the call left the target DN still joins it (issue 18; "within the
# same second"). A live call on the target DN always joins.
LATE_DISTRIBUTION_WINDOW: Final = 1.0
# Queue pseudo-actions (§5.1, §5.2): what runs on the login queue while the agent-side DN is in
# a state. Agent* carry the agent, DN* the DN.
QUEUE_PSEUDO_ACTIONS: Final = {
    "login": ("AgentLogin", "DNLogin"),
    "ready": ("AgentReady", "DNReady"),
    "active": ("AgentActive", "DNActive"),
}

# --- DN-status data keys (§9.2 step 3, OQ-15, docs/reference/tevents.md §7.2) -----------------------------------
KEY_AGENT_STATUS: Final = "AgentStatus"
KEY_AGENT_ID: Final = "AgentID"
KEY_CALL_STATUS: Final = "status"
KEY_CONN_PREFIX: Final = "conn-"
KEY_PARTY_STATE_PREFIX: Final = "ps-"

ROLE_ORIGINATION: Final = DNRole.Origination
ROLE_DESTINATION: Final = DNRole.Destination
ROLE_TRANSFERRED_BY: Final = DNRole.TransferredBy

# --- Event classes ------------------------------------------------------------------------------
SWITCH_EVENTS: Final = frozenset({
    "EventServerConnected", "EventServerDisconnected", "EventLinkConnected", "EventLinkDisconnected",
})
IGNORED_EVENTS: Final = frozenset({
    "EventACK", "EventServerInfo", "EventDNDOn", "EventDNDOff", "EventRegisteredAll",
    "EventUnregisteredAll", "EventSwitchInfo", "EventNetworkReached", "EventDestinationBusy",
    "EventPartyInfo", "EventLocationInfo", "EventPrimaryChanged",
})


# --- Place status rule (§8.4 [D 10]): first matching rule wins ------------------------------------
def place_status(voice: str | None, non_voice: str | None, voice_logged_in: bool = True) -> str:
    """The status of a place from its voice status (highest over its voice DNs) and its
    non-voice status (media channels; the engine is voice-only, so None there)."""
    if non_voice is None:
        if voice is None:
            return "NotMonitored"                              # 1. no devices, no channels
        return voice                                           # 4. only voice devices
    if voice is None:
        return non_voice                                       # 5. only non-voice
    if RANK[voice] > RANK["NotReadyForNextCall"]:
        return voice                                           # 6a
    if RANK[non_voice] > RANK[voice]:
        return non_voice                                       # 6b
    if not voice_logged_in:
        return non_voice                                       # 6c
    return voice                                               # 6d
