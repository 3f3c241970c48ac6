"""The model's own ground truth, computed from the simulation, not from the engine.

Two kinds of record, both streamed so memory stays flat as the horizon grows:

* one immutable :class:`CallRecord` per inbound call (Ciw-style), written to ``calls.csv``;
* per mediation DN and reporting interval, the counts the engine's statistics must reproduce
  (``truth.csv``: entered, distributed, answered, abandoned in queue, abandoned while ringing,
  missed / ring-no-answer, released), keyed by the time of the TEvent that makes them.

Running totals give ``summary.json``: offered, answered, abandoned, service level under each
convention of docs/reference/capacity-references.md §5.1 that outcomes determine (SL_offered, SL_answered),
ASA (answered and all), mean time to abandon, AHT and occupancy, per queue and overall.
"""

from __future__ import annotations

import math
from typing import IO, Any, NamedTuple

COUNTERS = ("entered", "distributed", "distributed_to_queue", "answered", "abandoned",
            "abandoned_ringing", "missed", "released")
(ENTERED, DISTRIBUTED, DISTRIBUTED_TO_QUEUE, ANSWERED, ABANDONED, ABANDONED_RINGING, MISSED,
 RELEASED) = range(len(COUNTERS))
_BY_NAME = sorted(range(len(COUNTERS)), key=COUNTERS.__getitem__)    # truth.csv's counter order


class CallRecord(NamedTuple):
    connid: str
    traffic: str
    queue: str           # the mediation DN the call first arrived at
    arrival: float       # seconds since the run start
    outcome: str         # answered | abandoned_queue | abandoned_ringing | unfinished
    wait: float          # arrival -> answer / abandon
    talk: float          # conversation time of the first agent


class _Open:
    __slots__ = ("connid", "traffic", "queue", "arrival", "outcome", "wait", "talk", "done", "kpi")

    def __init__(self, connid, traffic, queue, arrival, kpi):
        self.connid, self.traffic, self.queue, self.arrival = connid, traffic, queue, arrival
        self.kpi = kpi          # the _Kpi of the queue the call waits at (summary.json "queues")
        self.outcome = "unfinished"
        self.wait = 0.0
        self.talk = 0.0
        self.done = False


class _Kpi:
    __slots__ = ("offered", "answered", "abandoned", "ab_queue", "ab_ring", "sl", "wait_ans",
                 "wait_ab", "talk", "talk_n")

    def __init__(self, n_sl: int):
        self.offered = self.answered = self.abandoned = self.ab_queue = self.ab_ring = 0
        self.sl = [0] * n_sl
        self.wait_ans = self.wait_ab = self.talk = 0.0
        self.talk_n = 0

    def to_dict(self, thresholds: list[float], wrap: float | None = None) -> dict[str, Any]:
        def ratio(a, b):
            return a / b if b else None
        d = {"offered": self.offered, "answered": self.answered, "abandoned": self.abandoned,
             "abandoned_in_queue": self.ab_queue, "abandoned_ringing": self.ab_ring,
             "abandonment_rate": ratio(self.abandoned, self.offered),
             "service_level": {f"{t:g}": {"offered": ratio(n, self.offered), "answered": ratio(n, self.answered)}
                               for t, n in zip(thresholds, self.sl, strict=True)},
             "asa_answered": ratio(self.wait_ans, self.answered),
             "asa_all": ratio(self.wait_ans + self.wait_ab, self.answered + self.abandoned),
             "mean_time_to_abandon": ratio(self.wait_ab, self.abandoned),
             "aht_talk": ratio(self.talk, self.talk_n)}
        return d


class _Tally:
    """One mediation DN's counts, indexed like COUNTERS: this interval's and the run's."""

    __slots__ = ("id", "now", "total")

    def __init__(self, dn_id: str):
        self.id = dn_id
        self.now = [0] * len(COUNTERS)
        self.total = [0] * len(COUNTERS)


class Truth:
    """Counts and records, fed by the call processes as things happen."""

    def __init__(self, env, thresholds: list[float], interval: float, epoch: float,
                 calls_fh: IO[str] | None = None, truth_fh: IO[str] | None = None):
        self.env = env
        self.thresholds = thresholds
        self.interval = interval
        self.epoch = epoch
        self.calls_fh = calls_fh
        self.truth_fh = truth_fh
        if calls_fh is not None:
            calls_fh.write(",".join(CallRecord._fields) + "\n")
        if truth_fh is not None:
            truth_fh.write("interval_start,object,counter,value\n")
        self._tallies: dict[Any, _Tally] = {}      # DN -> its counts, from its first count
        self._next = interval
        self._start = 0.0
        self.kpi: dict[str, _Kpi] = {}
        self.overall = _Kpi(len(thresholds))
        self.active = 0
        self.outbound = self.internal = self.transfers = self.redials = 0
        self.wrap_total = 0.0
        self.wrap_n = 0

    # --- per mediation DN ----------------------------------------------------------------------
    def _count(self, dn, counter: int) -> None:
        now = self.env.now
        if now >= self._next:
            self._flush(now)
        tally = self._tallies.get(dn)
        if tally is None:
            tally = self._tallies[dn] = _Tally(dn.id)
        tally.now[counter] += 1
        tally.total[counter] += 1

    @property
    def totals(self) -> dict[str, dict[str, int]]:
        """DN id -> counter -> count over the run."""
        return {t.id: dict(zip(COUNTERS, t.total, strict=True)) for t in self._tallies.values()}

    def _flush(self, now: float) -> None:
        """truth.csv: the interval's non-zero counts by object, then counter name."""
        w = self.truth_fh.write if self.truth_fh is not None else None
        start = self._start
        for tally in sorted(self._tallies.values(), key=lambda t: t.id):
            counts = tally.now
            if w is not None:
                for i in _BY_NAME:
                    if counts[i]:
                        w(f"{start:g},{tally.id},{COUNTERS[i]},{counts[i]}\n")
            counts[:] = [0] * len(COUNTERS)
        k = math.floor(now / self.interval)
        self._start = k * self.interval
        self._next = self._start + self.interval

    def entered(self, dn, call=None) -> None:
        self._count(dn, ENTERED)

    def distributed(self, dn, to_queue: bool = False) -> None:
        self._count(dn, DISTRIBUTED)
        if to_queue:
            self._count(dn, DISTRIBUTED_TO_QUEUE)

    def answered(self, dn, rec: _Open | None, t: float) -> None:
        self._count(dn, ANSWERED)
        if rec is not None and rec.outcome == "unfinished":
            rec.outcome = "answered"
            rec.wait = t - rec.arrival
            for kp in (rec.kpi, self.overall):
                kp.answered += 1
                kp.wait_ans += rec.wait
                for i, th in enumerate(self.thresholds):
                    if rec.wait <= th:
                        kp.sl[i] += 1

    def abandoned(self, dn) -> None:
        self._count(dn, ABANDONED)

    def abandoned_ringing(self, dn) -> None:
        self._count(dn, ABANDONED_RINGING)

    def missed(self, dn) -> None:
        self._count(dn, MISSED)

    def released(self, dn) -> None:
        self._count(dn, RELEASED)

    # --- per call --------------------------------------------------------------------------------
    def new_call(self, call, src, t: float) -> _Open:
        # summary.json keys a call by the queue it waits at (the distributor: the ACD queue
        # behind a routing point, or the routing point itself when it routes), calls.csv by
        # the first mediation DN it arrived at
        q = src.dist.dn.id
        k = self.kpi.get(q)
        if k is None:
            k = self.kpi[q] = _Kpi(len(self.thresholds))
        k.offered += 1
        self.overall.offered += 1
        self.active += 1
        return _Open(call.connid, src.name, src.first_dn.id, t, k)

    def call_abandoned(self, rec: _Open, t: float, where: str) -> None:
        rec.outcome = "abandoned_queue" if where == "queue" else "abandoned_ringing"
        rec.wait = t - rec.arrival
        for kp in (rec.kpi, self.overall):
            kp.abandoned += 1
            kp.wait_ab += rec.wait
            if where == "queue":
                kp.ab_queue += 1
            else:
                kp.ab_ring += 1
        self._finish(rec)

    def talk(self, rec: _Open, duration: float) -> None:
        if rec.talk == 0.0:
            rec.talk = duration

    def call_done(self, rec: _Open) -> None:
        if rec.done:
            return
        talk = rec.talk
        for kp in (rec.kpi, self.overall):
            kp.talk += talk
            kp.talk_n += 1
        self._finish(rec)

    def wrap_up(self, duration: float) -> None:
        self.wrap_total += duration
        self.wrap_n += 1

    def _finish(self, rec: _Open) -> None:
        rec.done = True
        self.active -= 1
        if self.calls_fh is not None:
            self.calls_fh.write(f"{rec.connid},{rec.traffic},{rec.queue},{rec.arrival:.6f},{rec.outcome},"
                                f"{rec.wait:.6f},{rec.talk:.6f}\n")

    def close(self, now: float) -> None:
        self._flush(now + self.interval)

    # --- summary -----------------------------------------------------------------------------------
    def summary(self, agents, end: float) -> dict[str, Any]:
        busy, logged = agent_clocks(agents, end)
        wrap_mean = self.wrap_total / self.wrap_n if self.wrap_n else 0.0
        overall = self.overall.to_dict(self.thresholds)
        overall["mean_wrap_up"] = wrap_mean
        overall["aht"] = (overall["aht_talk"] or 0.0) + wrap_mean if overall["aht_talk"] is not None else None
        overall["occupancy"] = busy / logged if logged else None
        queues = {q: k.to_dict(self.thresholds) for q, k in sorted(self.kpi.items())}
        return {
            "definitions": {
                "service_level.offered": "answered with wait <= t / offered "
                                         "(docs/reference/capacity-references.md §5.1 SL_offered)",
                "service_level.answered": "answered with wait <= t / answered (SL_answered)",
                "wait": "from arrival at the first mediation DN to EventEstablished at the agent",
                "asa_answered": "mean wait of answered calls", "asa_all": "mean wait of answered and abandoned calls",
                "aht": "mean talk time + mean after-call work", "occupancy": "busy (call + ACW) time / logged-in time",
                "mediation": "per mediation DN: the counts the engine's statistics must reproduce",
            },
            "overall": overall,
            "queues": queues,
            "mediation": {k: v for k, v in sorted(self.totals.items())},
            "agent_calls": {"outbound": self.outbound, "internal": self.internal,
                            "transfers": self.transfers, "redials": self.redials},
            "unfinished_calls": self.active,
        }


def agent_clocks(agents, now: float) -> tuple[float, float]:
    """Total busy (call + ACW) and logged-in time of the agents up to ``now`` (occupancy)."""
    busy = logged = 0.0
    for a in agents:
        b, lg = a.busy_time, a.logged_time
        if a.work is not None and a.work not in ("break", "pause"):
            b += now - a.busy_since
        if a.status:
            lg += now - a.logged_since
        busy += b
        logged += lg
    return busy, logged
