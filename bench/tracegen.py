"""Synthetic traces for benchmarks: many agents taking the §9 flows in turn.

``make_trace(agents, calls)`` returns (objects, events): an objects configuration with one
queue, one routing point and ``agents`` agents, and a TEvent list in which every call of the
canonical flows (inbound via queue with hold and ACW, abandon in queue, outbound, internal,
two-step transfer) lands on the agents in rotation. ``queue_heavy=True`` makes most calls wait
and many abandon, for the mediation-DN benchmark.
"""

from __future__ import annotations

from sim.objects import build_objects
from sim.tlib import flows
from sim.tlib.flows import FlowBuilder


def make_objects(agents: int):
    dns = [{"number": str(6000 + i), "switch": "SW1", "type": "Extension"} for i in range(1, agents + 1)]
    dns += [{"number": q, "switch": "SW1", "type": t} for q, t in
            (("7000", "ACDQueue"), ("7001", "ACDQueue"), ("8000", "RoutingPoint"), ("9000", "VirtualQueue"),
             ("6900", "Extension"))]
    return build_objects({
        "switches": [{"name": "SW1"}],
        "dns": dns,
        "places": [{"name": f"Place_{6000 + i}", "dns": [f"{6000 + i}@SW1"]} for i in range(1, agents + 1)],
        "agents": [{"id": f"agent{1000 + i}", "login": str(1000 + i)} for i in range(1, agents + 1)],
        "groups": [
            {"name": "All", "type": "GroupAgents", "members": [f"agent{1000 + i}" for i in range(1, agents + 1)]},
            {"name": "AllPlaces", "type": "GroupPlaces",
             "members": [f"Place_{6000 + i}" for i in range(1, agents + 1)]},
            {"name": "Queues", "type": "GroupQueues", "members": ["7000@SW1", "7001@SW1", "8000@SW1"]},
        ],
    })


def make_trace(agents: int = 100, calls: int = 2000, queue_heavy: bool = False):
    objs = make_objects(agents)
    f = FlowBuilder(step=0.5)
    flows.connect(f, {**{str(6000 + i): flows.IDLE for i in range(1, agents + 1)},
                      "7000": {}, "7001": {}, "8000": {}, "9000": {}, "6900": flows.IDLE})
    for i in range(1, agents + 1):
        flows.login_ready(f, str(6000 + i), str(1000 + i))
    for n in range(calls):
        a = 1 + n % agents
        b = 1 + (n + 1) % agents
        dn, agent, other = str(6000 + a), str(1000 + a), str(6000 + b)
        kind = n % 10
        if queue_heavy:
            if kind < 4:
                flows.abandon_in_queue(f, patience=30.0)
            elif kind < 6:
                flows.abandon_on_routing_point(f)
            else:
                flows.inbound_via_queue(f, dn, agent, wait=40.0, acw=5.0)
        elif kind < 5:
            flows.inbound_via_queue(f, dn, agent, hold=10.0 if kind == 0 else None)
        elif kind == 5:
            flows.abandon_in_queue(f)
        elif kind == 6:
            flows.outbound(f, dn, agent)
        elif kind == 7:
            flows.internal(f, dn, other)
        elif kind == 8:
            flows.two_step_transfer(f, dn, agent, other)
        else:
            flows.inbound_virtual_queue(f, dn, agent)
    return objs, f.events
