"""The T-Library vocabulary: message and enumeration codes, the TEvent record, trace I/O.

Pure data: no SimPy, no Stat Server logic. Spec: docs/reference/tevents.md.
"""

from sim.tlib.codes import (  # noqa: F401
    AddressInfoType,
    AddressStatus,
    AddressType,
    AgentWorkMode,
    CallState,
    CallType,
    DNRole,
    ErrorCode,
    MessageType,
    PartyState,
    TServerAgentStatus,
)
from sim.tlib.event import TEvent, make_event  # noqa: F401
from sim.tlib.trace import TraceProblem, TraceWriter, open_trace, read_events  # noqa: F401
