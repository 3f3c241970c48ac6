"""Shared fixtures: the contact center of the spec's call flows (docs/reference/tevents.md §9 conventions).

RP 8000, ACD queue 7000 (and 7001), virtual queue 9000, agents 1001 / 1002 on DNs 6001 / 6002,
places Place_6001 / Place_6002, groups for agents, places and queues.
"""

from __future__ import annotations

import pytest

from sim import build
from sim.objects import build_objects
from sim.statserver.engine import ActionEngine
from sim.statserver.records import Action, Request, StatusChange
from sim.tlib import make_event

SW = "SW1"


def pytest_sessionstart(session):
    """An edit to a compiled module (setup.py COMPILED) does nothing until the package is
    installed again: the tests would silently run the old code, so they do not run at all."""
    old = build.stale()
    if old:
        pytest.exit(f"compiled modules older than their source: {', '.join(old)}; run "
                    "`pip install -e .` again (or SIM_PURE_PYTHON=1 pip install -e . while editing)",
                    returncode=2)

OBJECTS = {
    "switches": [{"name": SW}],
    "dns": [
        {"number": "6001", "switch": SW, "type": "Extension"},
        {"number": "6002", "switch": SW, "type": "ACDPosition"},
        {"number": "6003", "switch": SW, "type": "Extension"},
        {"number": "6900", "switch": SW, "type": "Extension"},
        {"number": "7000", "switch": SW, "type": "ACDQueue"},
        {"number": "7001", "switch": SW, "type": "ACDQueue"},
        {"number": "8000", "switch": SW, "type": "RoutingPoint"},
        {"number": "9000", "switch": SW, "type": "VirtualQueue"},
    ],
    "places": [
        {"name": "Place_6001", "dns": ["6001@SW1"]},
        {"name": "Place_6002", "dns": ["6002@SW1"]},
        {"name": "Place_6003", "dns": ["6003@SW1"]},
    ],
    "agents": [
        {"id": "agent1001", "login": "1001"},
        {"id": "agent1002", "login": "1002"},
        {"id": "agent1003", "login": "1003"},
    ],
    "groups": [
        {"name": "Sales", "type": "GroupAgents", "members": ["agent1001", "agent1002"]},
        {"name": "SalesPlaces", "type": "GroupPlaces", "members": ["Place_6001", "Place_6002"]},
        {"name": "SalesQueues", "type": "GroupQueues", "members": ["7000@SW1", "7001@SW1", "8000@SW1"]},
    ],
}

C1 = "006c02462a161001"
C2 = "006c02462a161002"
C3 = "006c02462a161003"


def objects():
    return build_objects(OBJECTS)


class Run:
    """Feeds TEvents to a fresh engine and keeps every record for assertions."""

    def __init__(self, objs=None):
        self.engine = ActionEngine(objs or objects())
        self.records: list = []
        self.t = 0.0
        self.seq = 0

    def ev(self, event, dt=1.0, **attrs):
        """Feed one event ``dt`` seconds after the previous one; return its records."""
        self.t += dt
        self.seq += 1
        recs = self.engine.feed(make_event(self.t, event, SW, self.seq, **attrs))
        self.records.extend(recs)
        return recs

    def connect(self, *registrations):
        """EventServerConnected, EventLinkConnected and EventRegistered for each DN given as
        (number, extensions) pairs; other DNs stay unregistered."""
        self.ev("EventServerConnected", dt=0.0)
        self.ev("EventLinkConnected", dt=0.0)
        for number, ext in registrations:
            attrs = {"ThisDN": number, "ReferenceID": self.seq, "InfoType": 8}
            if ext is not None:
                attrs["Extensions"] = ext
            self.ev("EventRegistered", dt=0.0, **attrs)

    # --- views
    def actions(self, object_id=None, kinds=None, object_type=None, since=0):
        return [(r.action, r.kind) for r in self.records[since:]
                if type(r) is Action and (object_id is None or r.object == object_id)
                and (object_type is None or r.object_type == object_type)
                and (kinds is None or r.kind in kinds)]

    def named(self, name, object_id=None):
        return [r for r in self.records if type(r) is Action and r.action == name
                and (object_id is None or r.object == object_id)]

    def statuses(self, object_id):
        return [r.status for r in self.records if type(r) is StatusChange and r.object == object_id]

    def requests(self):
        return [r for r in self.records if type(r) is Request]

    def mark(self):
        return len(self.records)


IDLE = {"AgentStatus": 0, "status": 0}


@pytest.fixture
def run():
    return Run()


@pytest.fixture
def ready_run():
    """DN 6001 registered idle, agent 1001 logged in on it (queue 7000) and ready."""
    r = Run()
    r.connect(("6001", IDLE), ("6002", IDLE), ("7000", {}), ("7001", {}), ("8000", {}), ("9000", {}))
    r.ev("EventAgentLogin", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    r.ev("EventAgentReady", ThisDN="6001", AgentID="1001", ThisQueue="7000", AgentWorkMode=1)
    return r
