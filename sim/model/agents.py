"""Agents: people at places, logging in to a DN for a shift (docs/reference/tevents.md §8, §9.10).

An :class:`Agent` is an employee with a login id (AgentID), a DN, skills and the queue it logs
in to. Its T-Server state is the AgentStatus code of docs/reference/tevents.md §5.9 (0 logged out, 2 ready,
3 not ready, 4 after-call work, 5 walk-away); every change is reported by an agent event
(EventAgentLogin / Ready / NotReady / Logout) on its DN. ``work`` says what occupies it
(a call, after-call work, a break or a pause); only a ready, unoccupied agent on an in-service
DN is in the router's pools.

Processes: :func:`agent_shifts` logs the agent in and out by shift (every day) and takes the
scheduled breaks; :func:`random_pauses` sends it not-ready with a reason code (or walking
away) at a rate. Breaks and the end of a shift wait for the current work to finish; the work's
end (:meth:`Agent.release`) then hands over instead of making the agent ready.
"""

from __future__ import annotations

import math

from sim.tlib.codes import AgentWorkMode, TServerAgentStatus

# The agent's T-Server state: TServerAgentStatus codes (docs/reference/tevents.md §5.9), as ints.
OUT = int(TServerAgentStatus.NoAgent)
READY = int(TServerAgentStatus.Ready)
NOT_READY = int(TServerAgentStatus.NotReady)
ACW = int(TServerAgentStatus.ACW)
WALK_AWAY = int(TServerAgentStatus.WalkAway)
DAY = 86400.0
# The work modes its events carry: AgentWorkMode codes (§5), as ints.
MODE_MANUAL_IN = int(AgentWorkMode.ManualIn)
MODE_AUX = int(AgentWorkMode.AuxWork)
MODE_ACW = int(AgentWorkMode.AfterCallWork)
MODE_WALK_AWAY = int(AgentWorkMode.WalkAway)
MODE_UNKNOWN = int(AgentWorkMode.Unknown)


class Agent:
    __slots__ = ("id", "login", "dn", "site", "skills", "queue", "status", "work", "token",
                 "waiter", "answer_delay", "wrap_up", "rona", "rona_p", "conf", "busy_since",
                 "busy_time", "logged_since", "logged_time", "place", "index")

    def __init__(self, conf: dict, dn, site, streams):
        self.id = conf["id"]
        self.login = conf["login"]
        self.place = conf["place"]
        self.dn = dn
        dn.agent = self
        self.site = site
        self.skills = tuple(conf["skills"])
        self.queue = conf["queue"]
        self.status = OUT
        self.work: str | None = None
        self.token = 0
        self.waiter = None
        self.conf = conf
        key = f"agent:{self.id}"
        self.answer_delay = streams.sampler(conf["answer_delay"], key + ":answer")
        self.wrap_up = streams.sampler(conf["wrap_up"], key + ":wrap") if conf["wrap_up"] else None
        self.rona_p = float(conf["rona_probability"])
        self.rona = streams.uniform(key + ":rona") if self.rona_p > 0 else None
        self.busy_since = 0.0
        self.busy_time = 0.0
        self.logged_since = 0.0
        self.logged_time = 0.0
        self.index = 0                  # position among its switch's agents

    # --- agent events --------------------------------------------------------------------------
    def _event(self, name: str, mode: int | None = None, reason: str | None = None) -> None:
        a = {"ThisDN": self.dn.number, "AgentID": self.login}
        if self.queue is not None:
            a["ThisQueue"] = self.queue
        if mode is not None:
            a["AgentWorkMode"] = mode
        if reason is not None:
            a["Reasons"] = {"ReasonCode": reason}
        self.site.ts.emit(name, self.dn, a)

    @property
    def available(self) -> bool:
        return self.status == READY and self.work is None and self.dn.in_service

    def log_in(self) -> None:
        """EventAgentLogin, then the initial state (docs/reference/tevents.md §14 Q6), then Ready."""
        now = self.site.env.now
        self.logged_since = now
        self.status = NOT_READY
        self._event("EventAgentLogin", MODE_MANUAL_IN)
        if not self.site.ts.profile.get("login_ready"):
            self._event("EventAgentNotReady", MODE_UNKNOWN)
        self.make_ready()

    def make_ready(self) -> None:
        self.status = READY
        self._event("EventAgentReady", MODE_MANUAL_IN)
        if self.work is None and self.dn.in_service:
            self.site.router.agent_ready(self)

    def not_ready(self, mode: int, reason: str | None) -> None:
        self.token += 1
        self.status = WALK_AWAY if mode == MODE_WALK_AWAY else NOT_READY
        self._event("EventAgentNotReady", mode, reason)

    def log_out(self) -> None:
        self.token += 1
        self.status = OUT
        self._event("EventAgentLogout")
        self.logged_time += self.site.env.now - self.logged_since

    # --- work ----------------------------------------------------------------------------------
    def occupy(self, work: str) -> None:
        """The agent starts a call (or other work): out of every pool."""
        self.token += 1
        if self.work is None:
            self.busy_since = self.site.env.now
        self.work = work

    def after_call(self, acd: bool) -> None:
        """After-call work (docs/reference/tevents.md §14 Q7) following an established ACD call, else free."""
        if acd and self.wrap_up is not None and self.status != OUT:
            wrap = self.wrap_up()
            if wrap > 0:
                self.work = "acw"
                self.status = ACW
                self._event("EventAgentNotReady", MODE_ACW)
                self.site.truth.wrap_up(wrap)
                self.site.env.timeout(wrap).callbacks.append(self._end_acw)
                return
        self.release()

    def _end_acw(self, _ev) -> None:
        self.release()

    def release(self) -> None:
        """The current work ends: hand over to a pending break / logout, or become ready."""
        if self.work is not None and self.work not in ("break", "pause"):
            self.busy_time += self.site.env.now - self.busy_since
        self.work = None
        if self.waiter is not None:
            w, self.waiter = self.waiter, None
            w.succeed()
        elif self.status != OUT:
            if self.status != READY:
                self.make_ready()
            elif self.dn.in_service:
                self.site.router.agent_ready(self)

    def wait_free(self):
        """Generator: wait until the current work ends (the caller then owns the agent)."""
        if self.work is not None:
            self.waiter = self.site.env.event()
            yield self.waiter


def agent_shifts(env, agent: Agent, stop: float):
    """Log in at each shift start, take the breaks, log out at the shift end (every day)."""
    shift = agent.conf["shift"]
    day = 0
    while True:
        start = day * DAY + shift["start"]
        end = day * DAY + shift["end"]
        if start >= stop:
            return
        if start > env.now:
            yield env.timeout(start - env.now)
        agent.log_in()
        for b in agent.conf["breaks"]:
            at = day * DAY + b["start"]
            if at >= min(end, stop):
                break
            if at > env.now:
                yield env.timeout(at - env.now)
            if agent.work is not None:
                yield from agent.wait_free()
            agent.work = "break"
            agent.not_ready(MODE_AUX, b["reason"])
            yield env.timeout(b["duration"])
            agent.release()
        if math.isinf(end) or end >= stop + DAY:
            return
        if end > env.now:
            yield env.timeout(end - env.now)
        yield from agent.wait_free()
        agent.log_out()
        day += 1


def random_pauses(env, agent: Agent, conf: dict, streams, walk: bool, stop: float):
    """Not-ready with a reason code (or walk-away) at ``rate`` per hour, when idle and ready."""
    key = f"agent:{agent.id}:{'walk' if walk else 'pause'}"
    gap = streams.sampler({"dist": "exponential", "mean": 3600.0 / conf["rate"]}, key + ":gap")
    dur = streams.sampler(conf.get("duration", 300.0), key + ":duration")
    pick = streams.uniform(key + ":reason")
    reasons = conf.get("reasons", ["WalkAway" if walk else "Personal"])
    mode = MODE_WALK_AWAY if walk else MODE_AUX
    while env.now < stop:
        yield env.timeout(gap())
        if not agent.available or agent.waiter is not None:
            continue
        reason = reasons[min(int(pick() * len(reasons)), len(reasons) - 1)]
        agent.work = "pause"
        agent.not_ready(mode, reason)
        yield env.timeout(dur())
        agent.release()


class Port:
    """An IVR port: answers at once, no agent login, no after-call work."""

    __slots__ = ("id", "login", "dn", "site", "skills", "status", "work", "token", "waiter", "rona",
                 "rona_p", "busy_since")

    def __init__(self, dn, site, skill: str):
        self.id = dn.id
        self.login = None
        self.dn = dn
        self.site = site
        self.skills = (skill,)
        self.status = OUT
        self.work = None
        self.token = 0
        self.waiter = None
        self.rona = None
        self.rona_p = 0.0
        self.busy_since = 0.0

    @property
    def available(self) -> bool:
        return self.work is None and self.dn.in_service

    def answer_delay(self) -> float:
        return 0.0

    def occupy(self, work: str) -> None:
        self.token += 1
        self.work = work

    def release(self) -> None:
        self.work = None
        if self.dn.in_service:
            self.site.router.agent_ready(self)
