"""The switch's ACD and the router: who gets which call.

Calls wait at a *distributor*: an ACD queue (the switch distributes) or a routing point whose
strategy sends calls straight to agents, optionally shown on a virtual queue (the router
distributes, docs/reference/tevents.md §9.1 variants). Both pick the **longest-idle ready agent with the
skill** the distributor serves; a ready agent takes the **longest-waiting call** among the
distributors of its skills.

Cost per call is flat in the number of agents: each skill keeps a FIFO of ready agents in the
order they became ready (longest idle first) and each distributor a FIFO of waiting calls.
Nothing is ever searched: an agent that stops being ready, or a call that leaves, just bumps
its ``token`` and its stale entries are dropped when they reach the front (or when a FIFO
grows past twice its live size, by one compaction pass).
"""

from __future__ import annotations

from collections import deque
from collections.abc import Callable


class Distributor:
    """A mediation DN where calls wait for an agent."""

    __slots__ = ("dn", "skill", "kind", "waiting", "vq", "overflow_after", "overflow_to", "ivr")

    def __init__(self, dn, skill: str, kind: str):
        self.dn = dn                  # sim.model.tserver.DN (ACD queue or routing point)
        self.skill = skill
        self.kind = kind              # "queue" | "rp"
        self.waiting: deque = deque()  # (call, wait_token)
        self.vq = None                # virtual-queue DN shown for an RP strategy
        self.overflow_after: float | None = None
        self.overflow_to: Distributor | None = None
        self.ivr = False              # the queue feeds IVR ports


class Router:
    """Ready-agent pools per skill and waiting calls per distributor, for one switch."""

    def __init__(self, deliver: Callable):
        self.deliver = deliver            # deliver(call, agent, distributor)
        self.pools: dict[str, deque] = {}  # skill -> deque of (agent, token)
        self.size: dict[str, int] = {}    # skill -> number of agents having it
        self.by_skill: dict[str, list[Distributor]] = {}

    def add_agent(self, agent) -> None:
        for s in agent.skills:
            self.pools.setdefault(s, deque())
            self.size[s] = self.size.get(s, 0) + 1

    def add_distributor(self, d: Distributor) -> None:
        self.by_skill.setdefault(d.skill, []).append(d)
        self.pools.setdefault(d.skill, deque())

    def take_agent(self, skill: str):
        """The longest-idle ready agent with ``skill``, removed from every pool, or None."""
        pool = self.pools.get(skill)
        if not pool:
            return None
        popleft = pool.popleft
        while pool:
            agent, token = popleft()
            if token == agent.token:
                agent.token += 1
                return agent
        return None

    def offer(self, call, d: Distributor) -> None:
        """A call starts waiting at ``d``: give it to a ready agent now, or queue it."""
        agent = self.take_agent(d.skill)
        if agent is not None:
            self.deliver(call, agent, d)
        else:
            call.wait_token += 1
            d.waiting.append((call, call.wait_token))

    def agent_ready(self, agent) -> None:
        """An agent became available: the longest-waiting call of its skills, or the pools."""
        best = None
        best_t = 0.0
        for s in agent.skills:
            for d in self.by_skill.get(s, ()):
                w = d.waiting
                while w and w[0][1] != w[0][0].wait_token:
                    w.popleft()
                if w and (best is None or w[0][0].enq_time < best_t):
                    best, best_t = d, w[0][0].enq_time
        if best is not None:
            call = best.waiting.popleft()[0]
            agent.token += 1
            self.deliver(call, agent, best)
            return
        tok = agent.token
        for s in agent.skills:
            pool = self.pools[s]
            pool.append((agent, tok))
            if len(pool) > 2 * self.size[s] + 8:
                live = [(a, t) for a, t in pool if t == a.token]
                pool.clear()
                pool.extend(live)
