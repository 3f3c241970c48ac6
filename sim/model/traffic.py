"""Traffic: callers arriving on a routing point or queue, and agents placing calls.

A :class:`TrafficSource` is one stream of inbound callers: Poisson arrivals whose rate is
piecewise constant over the day (``rate`` x ``profile[interval]``, calls per hour) and scaled
by a per-day volume factor (gamma, mean 1, coefficient of variation ``day_cv``); each caller
brings a handle time, a patience (time to abandon), possibly a redial after abandoning, and the
after-answer flow (hold, consultation, transfers, conference) drawn from ``flows``.

Piecewise-constant Poisson arrivals are exact: exponential gaps at the interval's rate, and at
each interval boundary the clock restarts at the boundary with the next rate (memorylessness).

:func:`agent_calls` makes agents place outbound and internal calls at a rate while idle.
"""

from __future__ import annotations

from sim.model.agents import DAY
from sim.model.calls import INBOUND, Call, inbound_call, internal_call, outbound_call

FLOW_NAMES = ("hold", "consult_transfer", "blind_transfer", "mute_transfer", "single_step_transfer",
              "conference", "single_step_conference", "consult_cancel", "consult_alternate",
              "consult_queue_transfer", "update_user_data")


class TrafficSource:
    def __init__(self, conf: dict, site, streams, rp, dist, transfer_queue):
        key = f"traffic:{conf['name']}"
        self.name = conf["name"]
        self.conf = conf
        self.rp = rp                      # RoutingPointConf or None
        self.dist = dist                  # the distributor the caller waits at
        self.first_dn = rp.dn if rp is not None else dist.dn
        self.rate = float(conf["rate"])
        self.profile = [float(x) for x in conf["profile"]]
        self.interval = float(conf["interval"])
        self.day_cv = float(conf["day_cv"])
        self.gap = streams.sampler({"dist": "exponential", "mean": 1.0}, key + ":arrivals")
        self._day_gen = streams.generator(key + ":days")
        self._days: list[float] = []
        self.handle = streams.sampler(conf["handle"], key + ":handle")
        self.patience = streams.sampler(conf["patience"], key + ":patience") if conf["patience"] is not None else None
        self.ani_u = streams.uniform(key + ":ani")
        self.ani_prefix = conf["ani_prefix"]
        self.dnis = conf["dnis"]
        self.user_data = conf["user_data"]
        red = conf["redial"]
        self.redial_p = float(red["probability"]) if red else 0.0
        self.redial_u = streams.uniform(key + ":redial")
        self.redial_delay = streams.sampler(red.get("delay", 60.0) if red else 60.0, key + ":redial_delay")
        flows = conf["flows"]
        self.flow_u = streams.uniform(key + ":flows")
        cum, acc = [], 0.0
        for f in FLOW_NAMES:
            p = float(flows.get(f, 0.0))
            if p > 0:
                acc += p
                cum.append((acc, f))
        self.flows = cum
        self.hold_time = streams.sampler(flows.get("hold_time", 30.0), key + ":hold")
        self.consult_time = streams.sampler(flows.get("consult_time", 30.0), key + ":consult")
        self.transfer_queue = transfer_queue

    def day_factor(self, day: int) -> float:
        while len(self._days) <= day:
            if self.day_cv > 0:
                shape = 1.0 / self.day_cv ** 2
                self._days.append(float(self._day_gen.gamma(shape, 1.0 / shape)))
            else:
                self._days.append(1.0)
        return self._days[day]

    def pick_flow(self) -> str | None:
        if not self.flows:
            return None
        u = self.flow_u()
        for acc, f in self.flows:
            if u < acc:
                return f
        return None

    def new_call(self, site) -> Call:
        ani = f"{self.ani_prefix}{int(self.ani_u() * 1e7):07d}"
        call = Call(site.ts, INBOUND, ani, self.dnis, dict(self.user_data) if self.user_data else None)
        call.arrival = site.env.now
        return call


def arrivals(env, site, src: TrafficSource, horizon: float):
    """Poisson arrivals with a piecewise-constant rate until ``horizon``."""
    interval = src.interval
    profile = src.profile
    if src.rate <= 0 or not any(p > 0 for p in profile):
        return                  # no caller ever: do not step through every interval of the horizon
    n = len(profile)
    t = env.now
    rate_at = None              # (interval, day) the rate was computed for
    while True:
        k = int(t // interval)
        boundary = (k + 1) * interval
        day = int(t // DAY)
        if rate_at != (k, day):     # constant within an interval of a day
            rate_at = (k, day)
            rate = src.rate * profile[k % n] * src.day_factor(day) / 3600.0
        if rate <= 0:
            t = boundary
        else:
            t2 = t + src.gap() / rate
            if t2 >= boundary:
                t = boundary
            else:
                t = t2
                if t >= horizon:
                    return
                yield env.timeout(t - env.now)
                env.process(inbound_call(env, site, src, src.new_call(site)))
                continue
        if t >= horizon:
            return


def agent_calls(env, site, agent, conf: dict, kind: str, streams, stop: float):
    """An agent places outbound (§9.4) or internal (§9.5) calls at ``rate`` per hour when idle."""
    key = f"agent:{agent.id}:{kind}"
    gap = streams.sampler({"dist": "exponential", "mean": 3600.0 / conf["rate"]}, key + ":gap")
    talk = streams.sampler(conf.get("talk", 120.0), key + ":talk")
    u = streams.uniform(key + ":u")
    ring = streams.sampler({"dist": "uniform", "low": 3.0, "high": 15.0}, key + ":ring")
    numbers = conf.get("numbers", ["915551112"])
    p_answer = float(conf.get("answer_probability", 0.8))
    p_give_up = 1.0 - float(conf.get("answer_probability", 0.9))     # internal: caller hangs up
    while env.now < stop:
        yield env.timeout(gap())
        if not agent.available or agent.waiter is not None:
            continue
        agent.occupy("call")
        if kind == "outbound":
            number = numbers[min(int(u() * len(numbers)), len(numbers) - 1)]
            env.process(outbound_call(env, site, agent, number, ring(), talk(), u() < p_answer))
        else:
            b = None
            for s in agent.skills:
                b = site.router.take_agent(s)
                if b is not None:
                    break
            busy_dn = None
            if b is None:          # nobody free: dial a colleague at random, who is busy
                n = len(site.agents)
                if n < 2:
                    agent.release()
                    continue
                i = min(int(u() * (n - 1)), n - 2)
                other = site.agents[(agent.index + 1 + i) % n]
                busy_dn = other.dn.number
            else:
                b.occupy("call")
            env.process(internal_call(env, site, agent, b, busy_dn, talk(), u() < p_give_up))
