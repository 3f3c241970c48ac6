"""The trace checker (sim check): each invariant of docs/reference/tevents.md §11 is caught."""

from __future__ import annotations

from sim.check import check_events, check_file
from sim.cli import main
from sim.tlib import make_event
from sim.tlib.trace import write_events

SW = "SW1"
C1 = "006c02462a161006"
C2 = "006c02462a161007"
U1 = "AM5D3AE9D90757BKTSVJTCIAR4000014"
U2 = "AM5D3AE9D90757BKTSVJTCIAR4000015"


class T:
    """A tiny trace builder: consecutive seq, connection + registration of the DNs."""

    def __init__(self, dns=("6001", "6002", "7000", "8000")):
        self.seq = 0
        self.t = 100.0
        self.events = [make_event(self.t, "EventServerConnected", SW)]
        self.add("EventLinkConnected")
        for ref, dn in enumerate(dns, 1):
            self.add("EventRegistered", ThisDN=dn, ReferenceID=ref, InfoType=8,
                     Extensions={"AgentStatus": 0, "status": 0, "cnt": 0})

    def add(self, name, seq=True, **attrs):
        self.t += 1
        if seq:
            self.seq += 1
        self.events.append(make_event(self.t, name, SW, self.seq if seq else None, **attrs))
        return self

    def call(self, name, dn, conn=C1, uuid=U1, ctype=2, **attrs):
        return self.add(name, ThisDN=dn, ConnID=conn, CallUUID=uuid, CallType=ctype, **attrs)

    def check(self):
        return check_events(self.events)


def rules(c):
    return sorted({v.rule for v in c.violations})


def inbound(t: T) -> T:
    """§9.1: RP -> queue -> agent, answered, released, ACW, ready."""
    t.call("EventRouteRequest", "8000", ThisQueue="8000")
    t.call("EventRouteUsed", "8000", ThisQueue="8000", ThirdPartyDN="7000")
    t.call("EventQueued", "7000", ThisQueue="7000")
    t.call("EventDiverted", "7000", ThisQueue="7000", ThirdPartyDN="6001")
    t.call("EventRinging", "6001", ThisQueue="7000")
    t.call("EventEstablished", "6001", ThisQueue="7000")
    t.call("EventReleased", "6001", ThisQueue="7000", CallState=0)
    t.add("EventAgentNotReady", ThisDN="6001", AgentID="1001", AgentWorkMode=3)
    t.add("EventAgentReady", ThisDN="6001", AgentID="1001", AgentWorkMode=1)
    return t


def test_canonical_inbound_flow_is_clean():
    """docs/reference/tevents.md §9.1 satisfies every rule of §11."""
    c = inbound(T()).check()
    assert c.count == 0, [str(v) for v in c.violations]


def test_sequence_numbers_must_increase():
    """§11.1: one strictly increasing counter per switch."""
    t = inbound(T())
    t.seq -= 2
    t.add("EventAgentReady", ThisDN="6001")
    assert "seq" in rules(t.check())
    t = T().add("EventAgentReady", seq=False, ThisDN="6001")
    assert "seq" in rules(t.check())


def test_connid_rules():
    """§11.2: 16 hex digits, 32-character CallUUID, one UUID per ConnID, constant CallType."""
    assert "connid" in rules(T().call("EventRinging", "6001", conn="xyz").check())
    assert "connid" in rules(T().call("EventRinging", "6001", uuid="short").check())
    t = T().call("EventRinging", "6001").call("EventEstablished", "6001", uuid=U2)
    assert "connid" in rules(t.check())
    t = T().call("EventRinging", "6001").call("EventEstablished", "6001", ctype=1)
    assert "connid" in rules(t.check())
    t = T().call("EventDialing", "6001", conn=C2, uuid=U2, ctype=4)
    assert "connid" in rules(t.check())


def test_leg_state_machine():
    """§11.3: never Established without an earlier Ringing / Dialing / moved leg, etc."""
    assert "leg" in rules(T().call("EventEstablished", "6001").check())
    assert "leg" in rules(T().call("EventReleased", "6001").check())
    t = T().call("EventRinging", "6001").call("EventHeld", "6001")
    assert "leg" in rules(t.check())
    t = T().call("EventRinging", "6001").call("EventEstablished", "6001").call("EventRetrieved", "6001")
    assert "leg" in rules(t.check())
    t = T().call("EventQueued", "7000", ThisQueue="7000").call("EventRouteUsed", "7000", ThisQueue="7000")
    assert "leg" in rules(t.check())
    # a consult leg moved by EventPartyChanged may then be released on the surviving ConnID
    t = T().call("EventDialing", "6001", ctype=1).call("EventRinging", "6002", ctype=1)
    t.call("EventEstablished", "6002", ctype=1).call("EventEstablished", "6001", ctype=1)
    t.call("EventPartyChanged", "6002", conn=C2, uuid=U2, PreviousConnID=C1)
    t.call("EventReleased", "6002", conn=C2, uuid=U2)
    assert t.check().count == 0, [str(v) for v in t.check().violations]


def test_thisqueue_rules():
    """§11.4: the delivering queue on Ringing and every later event of the leg; none for direct calls."""
    t = T().call("EventQueued", "7000", ThisQueue="7000").call("EventDiverted", "7000", ThisQueue="7000",
                                                                ThirdPartyDN="6001")
    t.call("EventRinging", "6001")
    assert "queue" in rules(t.check())
    t = T().call("EventQueued", "7000", ThisQueue="7000").call("EventDiverted", "7000", ThisQueue="7000",
                                                                ThirdPartyDN="6001")
    t.call("EventRinging", "6001", ThisQueue="7000").call("EventEstablished", "6001")
    assert "queue" in rules(t.check())
    t = T().call("EventRinging", "6001", ThisQueue="7000", ctype=1)
    assert "queue" in rules(t.check())
    assert "queue" in rules(T().call("EventQueued", "7000").check())


def test_acw_only_after_an_established_acd_call():
    """§11.5."""
    t = T().add("EventAgentNotReady", ThisDN="6001", AgentWorkMode=3)
    assert "acw" in rules(t.check())
    t = T().call("EventDialing", "6001", ctype=3).call("EventEstablished", "6001", ctype=3)
    t.call("EventReleased", "6001", ctype=3).add("EventAgentNotReady", ThisDN="6001", AgentWorkMode=3)
    assert "acw" in rules(t.check())


def test_user_data_travels_with_the_call():
    """§11.6: once attached, later events carry the current set."""
    t = T().call("EventRouteRequest", "8000", ThisQueue="8000")
    t.call("EventAttachedDataChanged", "8000", UserData={"a": "1"})
    t.call("EventRouteUsed", "8000", ThisQueue="8000", ThirdPartyDN="6001")
    assert "userdata" in rules(t.check())


def test_delivery_only_to_registered_dns():
    """§11.7: nothing for unregistered DNs, after EventError, while disconnected or link down."""
    t = T(dns=("6002",)).add("EventAgentReady", ThisDN="6001")
    assert "delivery" in rules(t.check())
    t = T()
    t.add("EventError", ThisDN="6001", ReferenceID=9, ErrorCode=59)
    t.add("EventAgentReady", ThisDN="6001")
    assert "delivery" in rules(t.check())
    t = T().add("EventServerDisconnected", seq=False).add("EventAgentReady", ThisDN="6001")
    assert "delivery" in rules(t.check())
    t = T().add("EventLinkDisconnected").add("EventAgentReady", ThisDN="6001")
    assert "delivery" in rules(t.check())


def test_registration_data_introduce_legs():
    """Calls reported at registration (conn-N / ps-N) may then be released (docs/reference/actions.md §9)."""
    t = T(dns=())
    t.add("EventRegistered", ThisDN="6001", ReferenceID=1, InfoType=8,
          Extensions={"AgentStatus": 2, "AgentID": "1001", "status": 1, "cnt": 1, "conn-1": C1, "ps-1": 12})
    t.call("EventReleased", "6001", ThisQueue="7000")
    c = t.check()
    assert c.count == 0, [str(v) for v in c.violations]


def test_cli_exit_codes(tmp_path, capsys):
    good = tmp_path / "good.jsonl"
    write_events(str(good), inbound(T()).events)
    assert main(["check", str(good)]) == 0
    bad = tmp_path / "bad.jsonl"
    write_events(str(bad), T().call("EventEstablished", "6001").events)
    assert main(["check", str(bad)]) == 1
    out = capsys.readouterr().out
    assert "bad.jsonl:" in out and "leg:" in out
    assert check_file(str(bad)).violations[0].line == 7
    assert main(["check", str(tmp_path / "missing.jsonl")]) == 2


def test_user_data_is_remembered_between_legs():
    """§11.6 across RP -> queue: the queue's EventQueued must still carry the RP's data."""
    t = T().call("EventRouteRequest", "8000", ThisQueue="8000")
    t.call("EventAttachedDataChanged", "8000", UserData={"a": "1"})
    t.call("EventRouteUsed", "8000", ThisQueue="8000", ThirdPartyDN="7000", UserData={"a": "1"})
    t.call("EventQueued", "7000", ThisQueue="7000")
    assert "userdata" in rules(t.check())
