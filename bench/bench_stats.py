"""Benchmark: the cost of statistics per action, with the shipped library, on a 100-agent trace.

Builds a synthetic trace (no SimPy): a routing point sends Poisson arrivals to an ACD queue
served FIFO by N agents (ring 3 s, exponential talk and ACW, impatient callers abandon), as
the TEvents of docs/reference/tevents.md §9.1 / §9.2. Then it times

* replay without statistics: ActionEngine.feed over every TEvent;
* replay with statistics: the same, plus StatEngine.feed_many of the records with the shipped
  library loaded and a Notifier writing stats.csv rows (to memory) every 15 minutes;

and prints the cost per action record and the ratio of the two.

    PYTHONPATH=. .venv/bin/python bench/bench_stats.py [--agents 100] [--hours 4] [--seed 1]
"""

from __future__ import annotations

import argparse
import heapq
import io
import random
import time

from sim.objects import build_objects
from sim.statserver.engine import ActionEngine
from sim.statserver.records import Action
from sim.statserver.stats import Notifier, StatEngine, StatsCsvWriter, load_stattypes
from sim.tlib.codes import AgentWorkMode, CallState, CallType, DNRole
from sim.tlib.event import make_event

SW = "SW1"
T0 = 1_767_571_200.0
Q, RP = "7000", "8000"


def objects_for(n: int):
    dns = [{"number": str(6000 + i), "switch": SW, "type": "Extension"} for i in range(n)]
    dns += [{"number": Q, "switch": SW, "type": "ACDQueue"}, {"number": "7001", "switch": SW, "type": "ACDQueue"},
            {"number": RP, "switch": SW, "type": "RoutingPoint"}]
    agents = [{"id": f"agent{i:03d}", "login": str(1000 + i)} for i in range(n)]
    places = [{"name": f"Place_{6000 + i}", "dns": [f"{6000 + i}@{SW}"]} for i in range(n)]
    teams = [{"name": f"Team{k}", "type": "GroupAgents", "members": [a["id"] for a in agents[k::4]]} for k in range(4)]
    groups = teams + [
        {"name": "AllAgents", "type": "GroupAgents", "members": [a["id"] for a in agents]},
        {"name": "AllPlaces", "type": "GroupPlaces", "members": [p["name"] for p in places]},
        {"name": "SalesQueues", "type": "GroupQueues", "members": [f"{Q}@{SW}", f"7001@{SW}", f"{RP}@{SW}"]},
    ]
    return build_objects({"switches": [{"name": SW}], "dns": dns, "places": places, "agents": agents,
                          "groups": groups}, "bench")


def trace(n: int, hours: float, seed: int) -> list:
    rng = random.Random(seed)
    raw: list[tuple[float, int, str, dict]] = []
    k = 0

    def ev(t, name, **attrs):
        nonlocal k
        k += 1
        raw.append((t, k, name, attrs))

    ev(T0, "EventServerConnected")
    ev(T0, "EventLinkConnected")
    for i in range(n):
        ev(T0, "EventRegistered", ThisDN=str(6000 + i), InfoType=8, Extensions={"AgentStatus": 0, "status": 0})
    for number in (Q, "7001", RP):
        ev(T0, "EventRegistered", ThisDN=number, InfoType=8, Extensions={})
    for i in range(n):
        t = T0 + 1 + i * 0.1
        dn, login = str(6000 + i), str(1000 + i)
        ev(t, "EventAgentLogin", ThisDN=dn, AgentID=login, ThisQueue=Q, AgentWorkMode=AgentWorkMode.ManualIn)
        ev(t, "EventAgentReady", ThisDN=dn, AgentID=login, ThisQueue=Q, AgentWorkMode=AgentWorkMode.ManualIn)
    aht, acw_mean, patience_mean = 180.0, 30.0, 120.0
    rate = 0.9 * n / (aht + acw_mean + 3.0)      # ~90 % occupancy
    free = [(T0 + 60.0, i) for i in range(n)]
    heapq.heapify(free)
    t, end, c = T0 + 60.0, T0 + hours * 3600, 0
    while True:
        t += rng.expovariate(rate)
        if t >= end:
            break
        c += 1
        conn = f"{0x006C000000000000 + c:016x}"
        a = {"ConnID": conn, "CallType": CallType.Inbound, "ANI": "5551234", "DNIS": "8005550100",
             "UserData": {"Account": c % 1000}}
        ev(t, "EventRouteRequest", ThisDN=RP, ThisQueue=RP, ThisDNRole=DNRole.Destination, **a)
        ev(t + 0.5, "EventRouteUsed", ThisDN=RP, ThisQueue=RP, ThirdPartyDN=Q, **a)
        tq = t + 0.5
        ev(tq, "EventQueued", ThisDN=Q, ThisQueue=Q, **a)
        when, agent = free[0]
        start = max(tq, when)
        patience = rng.expovariate(1 / patience_mean)
        if start - tq > patience:
            ev(tq + patience, "EventAbandoned", ThisDN=Q, ThisQueue=Q, CallState=CallState.Ok, **a)
            continue
        heapq.heappop(free)
        dn, login = str(6000 + agent), str(1000 + agent)
        talk, acw = rng.expovariate(1 / aht), rng.expovariate(1 / acw_mean)
        ev(start, "EventDiverted", ThisDN=Q, ThisQueue=Q, ThirdPartyDN=dn, **a)
        ev(start + 0.001, "EventRinging", ThisDN=dn, ThisQueue=Q, AgentID=login, ThisDNRole=DNRole.Destination, **a)
        ev(start + 3, "EventEstablished", ThisDN=dn, ThisQueue=Q, ThisDNRole=DNRole.Destination, **a)
        ev(start + 3 + talk, "EventReleased", ThisDN=dn, ThisQueue=Q, CallState=CallState.Ok, **a)
        ev(start + 3 + talk, "EventAgentNotReady", ThisDN=dn, AgentID=login, ThisQueue=Q,
           AgentWorkMode=AgentWorkMode.AfterCallWork)
        ev(start + 3 + talk + acw, "EventAgentReady", ThisDN=dn, AgentID=login, ThisQueue=Q,
           AgentWorkMode=AgentWorkMode.ManualIn)
        heapq.heappush(free, (start + 3 + talk + acw + 0.5, agent))
    raw.sort()
    return [make_event(round(t, 6), name, SW, None if name == "EventServerConnected" else i, **attrs)
            for i, (t, _, name, attrs) in enumerate(raw, 1)]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--agents", type=int, default=100)
    ap.add_argument("--hours", type=float, default=4.0)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--repeat", type=int, default=3)
    args = ap.parse_args()
    objs = objects_for(args.agents)
    events = trace(args.agents, args.hours, args.seed)
    lib = load_stattypes()

    def run_without():
        eng = ActionEngine(objs)
        return [r for ev in events for r in eng.feed(ev)]

    records = run_without()
    actions = sum(1 for r in records if type(r) is Action)
    best_without = best_with = float("inf")
    rows = 0
    for _ in range(args.repeat):
        t = time.perf_counter()
        eng = ActionEngine(objs)
        for ev in events:
            eng.feed(ev)
        best_without = min(best_without, time.perf_counter() - t)

        t = time.perf_counter()
        eng = ActionEngine(objs)
        writer = StatsCsvWriter(io.StringIO())
        notifier = Notifier(StatEngine(objs, lib), writer, every=900)
        for ev in events:
            notifier.feed_many(eng.feed(ev))
        notifier.close()
        best_with = min(best_with, time.perf_counter() - t)
        rows = writer.rows

    t = time.perf_counter()
    stats = StatEngine(objs, lib)
    stats.feed_many(records)
    feed_only = time.perf_counter() - t
    t = time.perf_counter()
    n_rows = sum(1 for _ in stats.notify(events[-1].time))
    one_notify = time.perf_counter() - t

    print(f"trace: {args.agents} agents, {args.hours:g} h, {len(events)} TEvents, {len(records)} records "
          f"({actions} actions incl. propagated copies), {len(lib)} stat types")
    print(f"replay without statistics: {best_without:.3f} s  ({1e6 * best_without / actions:.2f} us/action)")
    print(f"replay with statistics:    {best_with:.3f} s  ({1e6 * best_with / actions:.2f} us/action), "
          f"{rows} stats.csv rows")
    print(f"statistics alone (feed):   {feed_only:.3f} s  ({1e6 * feed_only / actions:.2f} us/action)")
    print(f"one notification:          {one_notify * 1e3:.1f} ms for {n_rows} rows")
    print(f"ratio with / without statistics: {best_with / best_without:.2f}")


if __name__ == "__main__":
    main()
