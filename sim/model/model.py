"""The contact center: builds switches, DNs, agents, routing and traffic from a scenario and
runs them on one SimPy environment.

Every TEvent goes to one sink (a callable), in emission order: the trace writer, or the
pipeline that also runs the action engine. The run is deterministic: one seed, one random
stream per purpose (sim.model.rng), SimPy's stable event order.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import IO, Any

import simpy

from sim.model.agents import Agent, Port, agent_shifts, random_pauses
from sim.model.calls import deliver
from sim.model.faults import link_loss, out_of_service, random_faults, server_disconnect
from sim.model.groundtruth import Truth
from sim.model.rng import Streams
from sim.model.routing import Distributor, Router
from sim.model.traffic import TrafficSource, agent_calls, arrivals
from sim.model.tserver import DN, TServer
from sim.scenario.load import Scenario
from sim.tlib.event import TEvent


def _rate(conf: dict | None) -> bool:
    return bool(conf) and conf["rate"] > 0


class Site:
    """One switch with its T-Server and router (calls never cross switches)."""

    def __init__(self, env, ts: TServer, truth: Truth, stop: float):
        self.env = env
        self.ts = ts
        self.truth = truth
        self.stop = stop
        self.router = Router(lambda call, agent, d: deliver(self, call, agent, d))
        self.agents: list[Agent] = []
        self.distributors: dict[str, Distributor] = {}


class RoutingPointConf:
    __slots__ = ("dn", "user_data", "ivr", "treatment", "target")

    def __init__(self, dn, user_data, ivr, treatment, target):
        self.dn, self.user_data, self.ivr, self.treatment, self.target = dn, user_data, ivr, treatment, target


class ContactCenter:
    def __init__(self, scenario: Scenario, sink: Callable[[TEvent], None],
                 calls_fh: IO[str] | None = None, truth_fh: IO[str] | None = None):
        self.scenario = sc = scenario
        self.env = env = simpy.Environment()
        self.streams = streams = Streams(sc.seed)
        self.horizon = float(sc.run["horizon"])
        self.drain = float(sc.run["drain"])
        self.epoch = sc.epoch
        self.truth = Truth(env, sc.run["sl_thresholds"], float(sc.run["interval"]), self.epoch,
                           calls_fh, truth_fh)
        self.faults: list[tuple] = []
        self.restore_hooks: list[Callable[[TServer], None]] = []
        self.sites: dict[str, Site] = {}
        for i, sw in enumerate(sc.switches):
            ts = TServer(env, sw["name"], i, sw, self.epoch, sink)
            site = Site(env, ts, self.truth, self.horizon)
            ts.router = site.router
            ts.model_faults = self.faults
            ts.on_restore = (lambda t=ts: self._restored(t))
            self.sites[sw["name"]] = site

        def dn(sw: str, number: str, type_: str) -> DN:
            d = DN(number, sw, type_)
            self.sites[sw].ts.dns[number] = d
            return d

        # DNs in objects.toml order: queues, routing points, virtual queues, IVR ports, agents
        for q in sc.queues:
            site = self.sites[q["switch"]]
            d = Distributor(dn(q["switch"], q["number"], "ACDQueue"), q["skill"], "queue")
            site.distributors[q["number"]] = d
            site.router.add_distributor(d)
        for q in sc.queues:
            ov = q.get("overflow")
            if ov:
                site = self.sites[q["switch"]]
                d = site.distributors[q["number"]]
                d.overflow_after = float(ov["after"])
                d.overflow_to = site.distributors[ov["to"]]
        rp_dns = {}
        for r in sc.routing_points:
            rp_dns[(r["switch"], r["number"])] = dn(r["switch"], r["number"], "RoutingPoint")
        vq_dns = {}
        for v in sc.virtual_queues:
            vq_dns[(v["switch"], v["number"])] = dn(v["switch"], v["number"], "VirtualQueue")
        for v in sc.ivrs:
            site = self.sites[v["switch"]]
            qd = site.distributors[v["queue"]]
            qd.ivr = True
            skill = f"ivr:{v['queue']}"
            site.router.by_skill.setdefault(qd.skill, []).remove(qd)
            qd.skill = skill
            site.router.add_distributor(qd)
            for p in v["ports"]:
                port = Port(dn(v["switch"], p, "Extension"), site, skill)
                site.router.add_agent(port)
                site.router.agent_ready(port)
        self.agents: list[Agent] = []
        for a in sc.agents:
            site = self.sites[a["switch"]]
            agent = Agent(a, dn(a["switch"], a["dn"], a["dn_type"]), site, streams)
            site.router.add_agent(agent)
            agent.index = len(site.agents)
            site.agents.append(agent)
            self.agents.append(agent)
        rps = {}
        for r in sc.routing_points:
            site = self.sites[r["switch"]]
            d = rp_dns[(r["switch"], r["number"])]
            ivr = treatment = None
            if "ivr" in r:
                ivr = site.distributors[r["ivr"]["queue"]]
                treatment = streams.sampler(r["ivr"]["treatment"], f"rp:{r['number']}:treatment")
            if r["strategy"] == "queue":
                target = site.distributors[r["target"]]
            else:
                target = Distributor(d, r["skill"], "rp")
                if r["strategy"] == "virtual_queue":
                    target.vq = vq_dns[(r["switch"], r["virtual_queue"])]
                site.router.add_distributor(target)
            rps[(r["switch"], r["number"])] = RoutingPointConf(d, r["user_data"], ivr, treatment, target)
        self.sources: list[TrafficSource] = []
        for t in sc.traffic:
            site = self.sites[t["switch"]]
            rp = rps.get((t["switch"], t["routing_point"])) if "routing_point" in t else None
            dist = rp.target if rp is not None else site.distributors[t["queue"]]
            tq = t["flows"].get("transfer_queue")
            src = TrafficSource(t, site, streams, rp, dist, site.distributors[tq] if tq else None)
            self.sources.append((site, src))
        for f in sc.faults["registration_errors"]:
            self.sites[f["switch"]].ts.dns[f["dn"]].reg_failures = int(f.get("attempts", 1))

    def _start(self) -> None:
        env = self.env
        stop = self.horizon
        sc = self.scenario
        for site in self.sites.values():
            site.ts.client_connect()
        for a in self.agents:
            env.process(agent_shifts(env, a, stop))
            if _rate(a.conf["not_ready"]):     # (a rate of 0 is the schema's way to say none)
                env.process(random_pauses(env, a, a.conf["not_ready"], self.streams, False, stop))
            if _rate(a.conf["walk_away"]):
                env.process(random_pauses(env, a, a.conf["walk_away"], self.streams, True, stop))
            for kind in ("outbound", "internal"):
                if _rate(a.conf[kind]):
                    env.process(agent_calls(env, a.site, a, a.conf[kind], kind, self.streams, stop))
        for site, src in self.sources:
            env.process(arrivals(env, site, src, stop))
        for f in sc.faults["link_loss"]:
            env.process(link_loss(env, self.sites[f["switch"]].ts, f["at"], f["duration"]))
        for f in sc.faults["server_disconnect"]:
            env.process(server_disconnect(env, self.sites[f["switch"]].ts, f["at"], f["duration"]))
        for f in sc.faults["out_of_service"]:
            ts = self.sites[f["switch"]].ts
            env.process(out_of_service(env, ts, ts.dns[f["dn"]], f["at"], f["duration"]))
        for f in sc.faults["random"]:
            ts = self.sites[f["switch"]].ts
            dn = ts.dns.get(f.get("dn")) if f.get("dn") else None
            env.process(random_faults(env, ts, f["kind"], f["rate"], f["duration"], dn, self.streams, stop))

    def _restored(self, ts: TServer) -> None:
        """A fault ended: the restore hooks compare Stat Server's view with the model's, which
        only makes sense once events flow again. A DN back in service while the link is down,
        or a link restored while Stat Server is disconnected, waits for the other restore."""
        if ts.live:
            for hook in self.restore_hooks:
                hook(ts)

    def run(self) -> float:
        """Run to the horizon, then let the calls in progress finish (at most ``drain`` s)."""
        self._start()
        env = self.env
        env.run(until=self.horizon)
        limit = self.horizon + self.drain
        while self.truth.active > 0 and env.now < limit:
            env.run(until=min(limit, env.now + 60.0))
        end = env.now
        self.truth.close(end)
        return end

    def summary(self, end: float) -> dict[str, Any]:
        s = self.truth.summary(self.agents, end)
        sc = self.scenario
        head = {"scenario": sc.run["name"], "seed": sc.seed, "epoch": sc.run["epoch"],
                "horizon": self.horizon, "end_time": end,
                "sl_thresholds": sc.run["sl_thresholds"],
                "events": {name: site.ts.seq for name, site in self.sites.items()},
                "faults": [{"kind": k, "switch": sw, "dn": dn, "start": a, "end": b}
                           for k, sw, dn, a, b in self.faults]}
        head.update(s)
        return head

    def true_agent_states(self) -> dict[str, int]:
        """DN id -> T-Server AgentStatus (0 out, 2 ready, 3 not ready, 4 ACW, 5 walk-away)."""
        return {a.dn.id: a.status for a in self.agents}
