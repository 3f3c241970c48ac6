"""Benchmark: ``sim run`` on the erlang_a model at 50 and 500 agents against a bare SimPy
M/M/c+M reference, in the same process. Prints calls/s and the ratios.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_run.py [--calls N] [--breakdown AGENTS]
       PYTHONPATH=. .venv/bin/python bench/bench_run.py --breakdown-of SCENARIO [--set KEY=VALUE]...

``--breakdown-of`` gives the same per-stage split for any scenario (e.g. large_day with
``--set run.horizon=43200``).

"no statistics" is the whole pipeline (model, trace, action engine, actions / statuses
files) but the statistics stage: what is left of the full run to optimise outside it.

Load is kept at the C3 occupancy (λ·AHT/N = 200/h x 3 min / 14 agents) at every size, so
the number of events per call stays the same and only the number of agents grows.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import simpy

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.commands.run import tune_gc  # noqa: E402
from sim.model.model import ContactCenter  # noqa: E402
from sim.scenario.load import load_scenario  # noqa: E402
from sim.simulation import simulate  # noqa: E402

AHT, PATIENCE = 180.0, 300.0


def bare_simpy(n_agents: int, rate_h: float, horizon: float, seed: int = 1) -> int:
    """The reference: one process per call, reneging as ``req | timeout``
    (docs/reference/capacity-references.md §10.1)."""
    env = simpy.Environment()
    agents = simpy.Resource(env, n_agents)
    rng = np.random.default_rng(seed)
    done = [0]

    def call(env):
        with agents.request() as req:
            res = yield req | env.timeout(rng.exponential(PATIENCE))
            if req in res:
                yield env.timeout(rng.exponential(AHT))
        done[0] += 1

    def source(env):
        while True:
            yield env.timeout(rng.exponential(3600.0 / rate_h))
            if env.now >= horizon:
                return
            env.process(call(env))

    env.process(source(env))
    env.run()
    return done[0]


def scenario(n_agents: int, calls: int):
    rate = 200.0 / 14 * n_agents
    horizon = calls / rate * 3600.0
    sets = [f"teams[0].count={n_agents}", f"traffic[0].rate={rate}", f"run.horizon={horizon}",
            "run.interval=1800", "run.notify_every=1800"]
    return load_scenario(str(ROOT / "scenarios" / "erlang_a.toml"), sets), rate, horizon


def timed(fn):
    t0 = time.perf_counter()
    r = fn()
    return r, time.perf_counter() - t0


def measure(stage: str, n: int, calls: int) -> tuple[int, float]:
    """One measurement (run in a fresh interpreter, so earlier stages leave no garbage)."""
    sc, rate, horizon = scenario(n, calls)
    if stage != "bare":
        tune_gc()          # what `sim run` does
    if stage == "bare":
        return timed(lambda: bare_simpy(n, rate, horizon))
    if stage == "model":
        cc = ContactCenter(sc, lambda ev: None)
        _, t = timed(cc.run)
        return cc.truth.overall.offered, t
    with tempfile.TemporaryDirectory() as d:
        s, t = timed(lambda: simulate(sc, os.path.join(d, "out"), engine=(stage != "trace"),
                                      stats=(stage == "full")))
    return s["overall"]["offered"], t


STAGES = (("bare", "bare SimPy M/M/c+M"), ("model", "model, no output"),
          ("trace", "sim run --trace-only"), ("engine", "sim run, no statistics"),
          ("full", "sim run (full pipeline)"))


def breakdown(n: int, calls: int, sc=None) -> None:
    """CPU time per call of each stage of the full pipeline (``--breakdown N``): the pipeline's
    per-TEvent steps are timed one by one (``time.process_time`` around each, which adds about
    a quarter to the total); what is left is the model and the glue around the pipeline.
    ``sc``: another scenario than erlang_a at ``n`` agents."""
    from time import process_time as clock

    import sim.pipeline as pipeline

    spent = dict.fromkeys(("action engine", "trace written", "action / status lines encoded",
                           "action / status lines written", "statistics fed", "notifications"), 0.0)

    class Timed(pipeline.Pipeline):        # Pipeline.feed, its steps timed one by one
        def feed(self, ev):
            t0 = clock()
            records = self.engine.feed(ev)
            t1 = clock()
            s = self.summary
            if s.first_time is None:
                s.first_time = ev.time
            s.last_time = ev.time
            s.events += 1
            self._events.write(ev)
            t2 = clock()
            actions, statuses, n_actions, n_statuses, n_requests = self._encoder.encode(records)
            t3 = clock()
            self._actions.write(actions.encode())
            self._statuses.write(statuses.encode())
            t4 = clock()
            s.actions += n_actions
            s.statuses += n_statuses
            s.requests += n_requests
            notifier = self.stats.notifier
            notifying = notifier.next_at is not None and ev.time >= notifier.next_at
            self.stats.feed_many(records)
            t5 = clock()
            spent["action engine"] += t1 - t0
            spent["trace written"] += t2 - t1
            spent["action / status lines encoded"] += t3 - t2
            spent["action / status lines written"] += t4 - t3
            spent["notifications" if notifying else "statistics fed"] += t5 - t4
            return records

    base = pipeline.Pipeline
    pipeline.Pipeline = Timed      # what simulate() builds
    if sc is None:
        sc, _, _ = scenario(n, calls)
    tune_gc()
    try:
        with tempfile.TemporaryDirectory() as d:
            t0 = clock()
            s = simulate(sc, os.path.join(d, "out"))
            total = clock() - t0
    finally:
        pipeline.Pipeline = base
    offered = s["overall"]["offered"]
    spent["model and the rest"] = total - sum(spent.values())
    print(f"{sc.run['name']}, {len(sc.objects().agents)} agents, {offered} calls, {total:.2f} s CPU "
          f"(timed): {1e6 * total / offered:.0f} us per call")
    for stage, t in spent.items():
        print(f"  {stage:<32} {1e6 * t / offered:6.1f} us per call  {100 * t / total:5.1f} %")


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--calls", type=int, default=50000)
    ap.add_argument("--one", nargs=2, metavar=("STAGE", "AGENTS"), help=argparse.SUPPRESS)
    ap.add_argument("--breakdown", type=int, metavar="AGENTS",
                    help="CPU time per call of each stage of the full pipeline at AGENTS agents")
    ap.add_argument("--breakdown-of", metavar="SCENARIO",
                    help="the same split for a scenario file (with --set overrides)")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE")
    args = ap.parse_args()
    if args.breakdown_of:
        breakdown(0, 0, load_scenario(args.breakdown_of, args.set))
        return
    if args.breakdown:
        breakdown(args.breakdown, args.calls)
        return
    if args.one:
        calls, t = measure(args.one[0], int(args.one[1]), args.calls)
        print(json.dumps({"calls": calls, "seconds": t}))
        return
    print(f"{'agents':>6} {'stage':<24} {'calls':>8} {'seconds':>8} {'calls/s':>9} {'vs bare':>8}")
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    for n in (50, 500):
        bare = None
        for stage, label in STAGES:
            out = subprocess.run([sys.executable, __file__, "--one", stage, str(n), "--calls", str(args.calls)],
                                 capture_output=True, text=True, env=env, check=True).stdout
            r = json.loads(out.strip().splitlines()[-1])
            cps = r["calls"] / r["seconds"]
            bare = bare or cps
            print(f"{n:>6} {label:<24} {r['calls']:>8} {r['seconds']:>8.2f} {cps:>9.0f} {cps / bare:>8.2f}",
                  flush=True)


if __name__ == "__main__":
    main()
