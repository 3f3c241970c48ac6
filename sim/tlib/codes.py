"""T-Library codes: message IDs, attribute IDs and every enumeration, with numeric values.

Source: docs/reference/tevents.md §3 (TMessageType), §4.1 (TAttribute), §5 (enumerations)
and §6 (error codes). Values are the C header's; traces carry them as integers, and readers
accept the names too (docs/reference/contracts.md §1).
"""

from __future__ import annotations

from enum import IntEnum
from typing import Any


def _enum(name: str, table: str) -> Any:
    """Build an IntEnum from ``"0 Unknown, 1 Internal, ..."`` (the spec's own notation).

    Typed ``Any``: the members are made at run time, so a type checker cannot know them."""
    members = []
    for item in table.replace("\n", " ").split(","):
        code, label = item.split()
        members.append((label, int(code, 0)))
    return IntEnum(name, members)


# --- TMessageType (docs/reference/tevents.md §3) -------------------------------------------------------------
MessageType = _enum("MessageType", """
0 RequestRegisterClient, 1 RequestQueryServer, 2 RequestQueryAddress, 3 RequestRegisterAddress,
4 RequestUnregisterAddress, 5 RequestRegisterAll, 6 RequestUnregisterAll, 7 RequestSetInputMask,
8 RequestAgentLogin, 9 RequestAgentLogout, 10 RequestAgentReady, 11 RequestAgentNotReady,
12 RequestSetDNDOn, 13 RequestSetDNDOff, 14 RequestMakeCall, 15 RequestMakePredictiveCall,
16 RequestAnswerCall, 17 RequestReleaseCall, 18 RequestHoldCall, 19 RequestRetrieveCall,
20 RequestInitiateConference, 21 RequestCompleteConference, 22 RequestDeleteFromConference,
23 RequestInitiateTransfer, 24 RequestMuteTransfer, 25 RequestSingleStepTransfer,
26 RequestCompleteTransfer, 27 RequestMergeCalls, 28 RequestAlternateCall, 29 RequestReconnectCall,
30 RequestAttachUserData, 31 RequestUpdateUserData, 32 RequestDeleteUserData, 33 RequestDeletePair,
34 RequestCallForwardSet, 35 RequestCallForwardCancel, 36 RequestRouteCall,
37 RequestGiveMusicTreatment, 38 RequestGiveSilenceTreatment, 39 RequestGiveRingBackTreatment,
40 RequestLoginMailBox, 41 RequestLogoutMailBox, 42 RequestOpenVoiceFile, 43 RequestCloseVoiceFile,
44 RequestPlayVoiceFile, 45 RequestCollectDigits, 46 RequestSetMessageWaitingOn,
47 RequestSetMessageWaitingOff, 48 RequestDistributeUserEvent, 49 RequestDistributeEvent,
50 EventServerConnected, 51 EventServerDisconnected, 52 EventError, 53 EventRegistered,
54 EventUnregistered, 55 EventRegisteredAll, 56 EventUnregisteredAll, 57 EventQueued,
58 EventDiverted, 59 EventAbandoned, 60 EventRinging, 61 EventDialing, 62 EventNetworkReached,
63 EventDestinationBusy, 64 EventEstablished, 65 EventReleased, 66 EventHeld, 67 EventRetrieved,
68 EventPartyChanged, 69 EventPartyAdded, 70 EventPartyDeleted, 71 EventRouteRequest,
72 EventRouteUsed, 73 EventAgentLogin, 74 EventAgentLogout, 75 EventAgentReady,
76 EventAgentNotReady, 77 EventDNDOn, 78 EventDNDOff, 79 EventMailBoxLogin, 80 EventMailBoxLogout,
81 EventVoiceFileOpened, 82 EventVoiceFileClosed, 83 EventVoiceFileEndPlay,
84 EventDigitsCollected, 85 EventAttachedDataChanged, 86 EventOffHook, 87 EventOnHook,
88 EventForwardSet, 89 EventForwardCancel, 90 EventMessageWaitingOn, 91 EventMessageWaitingOff,
92 EventAddressInfo, 93 EventServerInfo, 94 EventLinkDisconnected, 95 EventLinkConnected,
96 EventUserEvent, 97 RequestSendDTMF, 98 EventDTMFSent, 99 EventResourceAllocated,
100 EventResourceFreed, 101 EventRemoteConnectionSuccess, 102 EventRemoteConnectionFailed,
103 RequestRedirectCall, 104 RequestListenDisconnect, 105 RequestListenReconnect,
106 EventListenDisconnected, 107 EventListenReconnected, 108 RequestQueryCall, 109 EventPartyInfo,
110 RequestClearCall, 111 RequestSetCallInfo, 112 EventCallInfoChanged, 113 RequestApplyTreatment,
114 EventTreatmentApplied, 115 EventTreatmentNotApplied, 116 EventTreatmentEnd,
117 EventHardwareError, 118 EventAgentAfterCallWork, 119 EventTreatmentRequired,
120 RequestSingleStepConference, 121 RequestQuerySwitch, 122 EventSwitchInfo,
123 RequestGetAccessNumber, 124 RequestCancelReqGetAccessNumber, 125 EventAnswerAccessNumber,
126 EventReqGetAccessNumberCanceled, 127 RequestReserveAgent, 128 EventAgentReserved,
129 RequestReserveAgentAndGetAccessNumber, 130 RequestAgentSetIdleReason,
131 EventAgentIdleReasonSet, 132 EventRestoreConnection, 133 EventPrimaryChanged,
134 RequestLostBackupConnection, 135 RequestSetDNInfo, 136 RequestQueryLocation,
137 EventLocationInfo, 138 EventACK, 139 RequestMonitorNextCall, 140 RequestCancelMonitoring,
141 EventMonitoringNextCall, 142 EventMonitoringCancelled, 143 RequestSetMuteOn,
144 RequestSetMuteOff, 145 EventMuteOn, 146 EventMuteOff, 147 EventDNOutOfService,
148 EventDNBackInService, 149 RequestPrivateService, 150 EventPrivateInfo, 151 EventBridged,
152 EventQueueLogout, 160 EventCallCreated, 161 EventCallDataChanged, 162 EventCallDeleted,
163 EventCallPartyAdded, 164 EventCallPartyState, 165 EventCallPartyMoved,
166 EventCallPartyDeleted, 167 RequestStartCallMonitoring, 168 RequestStopCallMonitoring,
169 RequestSendReturnReceipt, 170 EventReturnReceipt, 178 EventNetworkCallStatus,
179 EventNetworkPrivateInfo, 180 RequestTransactionMonitoring, 181 EventTransactionStatus,
182 EventResourceInfo
""")

EVENT_NAMES = frozenset(m.name for m in MessageType if m.name.startswith("Event"))

# --- TAttribute (docs/reference/tevents.md §4.1): ID -> name as T-Server logs print it after "Attribute" ------
Attribute = _enum("Attribute", """
0 ProtocolVersion, 1 ErrorMessage, 2 ReferenceID, 3 CallID, 4 NodeID, 5 NetworkCallID, 9 ConnID,
10 PreviousConnID, 11 TransferConnID, 12 ConferenceConnID, 13 CallState, 14 AgentID,
16 AgentWorkMode, 17 Reason, 18 DNIS, 19 ANI, 20 ThisDN, 21 ThisQueue, 22 ThisTrunk,
23 ThisDNRole, 24 OtherDN, 25 OtherQueue, 26 OtherTrunk, 27 OtherDNRole, 28 ThirdPartyDN,
29 ThirdPartyQueue, 30 ThirdPartyTrunk, 31 ThirdPartyDNRole, 46 ErrorCode, 47 AddressType,
48 AddressMode, 49 RegisterMode, 50 ControlMode, 51 UserData, 53 Extensions, 54 CallType,
56 AddressInfoType, 57 AddressInfoStatus, 58 UserEvent, 59 CommunicationDN, 60 RouteType,
61 ServerVersion, 62 ServerRole, 63 ServerCapabilityMask, 64 ApplicationName, 69 Location,
76 CustomerID, 86 TimeinSecs, 87 TimeinuSecs, 92 Place, 94 AgentIdleReason, 97 MediaType,
99 OriginalConnID, 120 TimeStamp, 141 CallUUID, 147 ServerStartTime, 148 EventSequenceNumber
""")

# --- Enumerations (docs/reference/tevents.md §5) ---------------------------------------------------------------
CallType = _enum("CallType", "0 Unknown, 1 Internal, 2 Inbound, 3 Outbound, 4 Consult")

CallState = _enum("CallState", """
0 Ok, 1 Transferred, 2 Conferenced, 3 GeneralError, 4 SystemError, 5 RemoteRelease, 6 Busy,
7 NoAnswer, 8 SitDetected, 9 AnsweringMachineDetected, 10 AllTrunksBusy, 11 SitInvalidnum,
12 SitVacant, 13 SitIntercept, 14 SitUnknown, 15 SitNocircuit, 16 SitReorder, 17 FaxDetected,
18 QueueFull, 19 Cleared, 20 Overflowed, 21 Abandoned, 22 Redirected, 23 Forwarded, 24 Consult,
25 Pickedup, 26 Dropped, 27 Droppednoanswer, 28 Unknown, 29 Covered, 30 ConverseOn, 31 Bridged,
49 Deafened, 50 Held
""")

# 2 is also AgentLegalGuard when used as a not-ready sub-state (docs/reference/tevents.md §5.3).
AgentWorkMode = _enum("AgentWorkMode", """
0 Unknown, 1 ManualIn, 2 AutoIn, 3 AfterCallWork, 4 AuxWork, 5 NoCallDisconnect, 6 WalkAway,
7 ReturnBack
""")
READY_WORK_MODES = frozenset({AgentWorkMode.ManualIn, AgentWorkMode.AutoIn, AgentWorkMode.ReturnBack})

DNRole = _enum("DNRole", """
0 Unknown, 1 Origination, 2 Destination, 3 ConferenceMember, 4 NewParty, 5 AddedBy, 6 DeletedBy,
7 TransferredBy, 8 DeletedParty, 9 ConferencedBy, 10 Observer
""")

AddressType = _enum("AddressType", """
0 Unknown, 1 DN, 2 Position, 3 Queue, 4 RouteDN, 5 Trunk, 6 VoiceChannel, 7 DataChannel,
8 Announcement, 9 ASAI, 10 ACDGroup, 11 VSP, 12 RouteQueue, 13 AgentID, 99 Other
""")

AddressInfoType = _enum("AddressInfoType", """
0 AddressStatus, 1 MessageWaitingStatus, 2 AssociationStatus, 3 CallForwardingStatus,
4 AgentStatus, 5 NumberOfAgentsInQueue, 6 NumberOfAvailableAgentsInQueue, 7 NumberOfCallsInQueue,
8 AddressType, 9 CallsQuery, 10 SendAllCallsStatus, 11 QueueLoginAudit,
12 NumberOfIdleClassifiers, 13 NumberOfClassifiersInUse, 14 NumberOfIdleTrunks,
15 NumberOfTrunksInUse, 16 DatabaseValue, 17 DNStatus, 18 QueueStatus
""")

AddressStatus = _enum("AddressStatus", """
0 Idle, 1 Origination, 2 Dialing, 3 Talking, 4 Ringing, 5 Held, 6 Treatment, 7 LockedOut,
8 Maintenance, 9 Available, 10 Vacant
""")

# TPartyState (docs/reference/tevents.md §5.8): generic states in the low nibble, modifiers above.
PartyState = _enum("PartyState", """
0 Null, 0x1 Initiated, 0x9 Queued, 0xA Alerting, 0xB Busy, 0xC Connected, 0xD CPDetect,
0xE Held, 0xF Failed, 0x10 NoListen, 0x20 NoTalk, 0x40 Bridged, 0x80 Audit, 0xA0 SvcObserving,
0x100 TreatmentReq, 0x200 Treatment, 0x800 Routing, 0x10000 Dialing, 0x20000 Uncertain
""")
PARTY_GENERIC_MASK = 0x000F

# T-Server AgentStatus in DN-status Extensions (docs/reference/tevents.md §5.9; 0 and 1 are [R], §14 Q1).
TServerAgentStatus = _enum("TServerAgentStatus", "0 NoAgent, 1 LoggedIn, 2 Ready, 3 NotReady, 4 ACW, 5 WalkAway")

RegisterMode = _enum("RegisterMode", "0 ModeShare, 1 ModePrivate, 2 ModeMonitor")
ControlMode = _enum("ControlMode", "0 RegisterDefault, 1 RegisterForce, 2 RegisterLocal")
AgentType = _enum("AgentType", "0 Agent, 1 Supervisor")
MakeCallType = _enum("MakeCallType", "0 Regular, 1 DirectAgent, 2 SupervisorAssist, 3 Priority, 4 DirectPriority")
RouteType = _enum("RouteType", """
0 Unknown, 1 Default, 2 Label, 3 OverwriteDNIS, 4 DDD, 5 IDDD, 6 Direct, 7 Reject, 8 Announcement,
9 PostFeature, 10 DirectAgent, 11 Priority, 12 DirectPriority, 13 AgentID, 14 CallDisconnect
""")
MergeType = _enum("MergeType", "0 ForTransfer, 1 ForConference")
ServerRole = _enum("ServerRole", "0 Primary, 1 Backup")
MediaType = _enum("MediaType", """
0 Voice, 1 VoIP, 2 EMail, 3 VMail, 4 SMail, 5 Chat, 6 Video, 7 Cobrowsing, 8 Whiteboard,
9 AppSharing, 10 WebForm, 11 WorkItem
""")
TreatmentType = _enum("TreatmentType", """
0 Unknown, 1 IVR, 2 Music, 3 RingBack, 4 Silence, 5 Busy, 6 CollectDigits, 7 PlayAnnouncement,
8 PlayAnnouncementAndDigits, 9 VerifyDigits, 10 RecordUserAnnouncement, 11 DeleteUserAnnouncement,
12 CancelCall, 13 PlayApplication, 14 SetDefaultRoute, 15 TextToSpeech, 16 TextToSpeechAndDigits,
17 FastBusy, 18 RAN
""")

# --- Error codes (docs/reference/tevents.md §6) ----------------------------------------------------------------
ErrorCode = _enum("ErrorCode", """
40 TERR_NOMORE_LICENSE, 41 TERR_NOT_REGISTERED, 42 TERR_RESOURCE_SEIZED, 43 TERR_IN_SAME_STATE,
50 TERR_UNKNOWN_ERROR, 51 TERR_UNSUP_OPER, 52 TERR_INTERNAL, 53 TERR_INVALID_ATTR,
54 TERR_NO_SWITCH, 55 TERR_PROTO_VERS, 56 TERR_INV_CONNID, 57 TERR_TIMEOUT,
58 TERR_OUT_OF_SERVICE, 59 TERR_NOT_CONFIGURED, 61 TERR_INV_CALL_DN, 71 TERR_INV_CALD_DN,
91 TERR_TERM_PTY_BUSY, 93 TERR_DEST_INV_STATE, 97 TERR_CANT_INIT_TRN, 98 TERR_CANT_CMPL_TRN,
99 TERR_CANT_RTR_ORG, 109 TERR_LINK_DOWN, 223 TERR_BAD_PARAM, 231 TERR_DN_BUSY,
232 TERR_DN_NO_ANSWER, 470 TERR_PARTY_NOT_ON_CALL, 471 TERR_PARTY_ON_HOLD,
496 TERR_INV_CALL_STATE, 527 TERR_ALRDY_SIGN_IN
""")

ERROR_MESSAGES = {
    ErrorCode.TERR_NOMORE_LICENSE: "No more licenses",
    ErrorCode.TERR_NOT_REGISTERED: "Client has not registered the DN",
    ErrorCode.TERR_RESOURCE_SEIZED: "Resource already seized",
    ErrorCode.TERR_IN_SAME_STATE: "Object is already in the requested state",
    ErrorCode.TERR_UNKNOWN_ERROR: "Unknown error",
    ErrorCode.TERR_UNSUP_OPER: "Operation not supported",
    ErrorCode.TERR_INTERNAL: "Internal error",
    ErrorCode.TERR_INVALID_ATTR: "Invalid attribute value",
    ErrorCode.TERR_NO_SWITCH: "No connection to the switch",
    ErrorCode.TERR_PROTO_VERS: "Incorrect protocol version",
    ErrorCode.TERR_INV_CONNID: "Invalid connection id",
    ErrorCode.TERR_TIMEOUT: "Timeout expired",
    ErrorCode.TERR_OUT_OF_SERVICE: "Out of service",
    ErrorCode.TERR_NOT_CONFIGURED: "DN is not configured in the switch",
    ErrorCode.TERR_INV_CALD_DN: "Invalid called DN",
    ErrorCode.TERR_BAD_PARAM: "Bad parameter",
    ErrorCode.TERR_DN_BUSY: "DN is busy",
    ErrorCode.TERR_INV_CALL_STATE: "Invalid call state",
}

# Trace keys whose values are enumerations, and the enumeration each uses (docs/reference/contracts.md §1).
ENUM_KEYS: dict[str, type[IntEnum]] = {
    "CallType": CallType,
    "CallState": CallState,
    "AgentWorkMode": AgentWorkMode,
    "ThisDNRole": DNRole,
    "OtherDNRole": DNRole,
    "ThirdPartyDNRole": DNRole,
    "AddressType": AddressType,
    "InfoType": AddressInfoType,
    "RouteType": RouteType,
    "TreatmentType": TreatmentType,
    "MediaType": MediaType,
    "ServerRole": ServerRole,
    "ErrorCode": ErrorCode,
}
