"""Benchmark: the action engine alone (TEvents/s) and ``sim replay`` end to end, as a ratio
to only parsing the same JSONL (issue 2 target: >= 300k TEvents/s for the engine on one core).

    python bench/bench_engine.py [--agents 100] [--calls 20000] [--queue-heavy]
"""

from __future__ import annotations

import argparse
import io
import os
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(__file__))

from tracegen import make_trace  # noqa: E402

from sim.commands.run import tune_gc  # noqa: E402
from sim.objects import dump_objects  # noqa: E402
from sim.pipeline import Pipeline  # noqa: E402
from sim.simulation import replay_file  # noqa: E402
from sim.statserver.engine import ActionEngine  # noqa: E402
from sim.tlib.trace import dumps_event, read_events  # noqa: E402


def best(fn, repeat=3):
    times = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        out = fn()
        times.append(time.perf_counter() - t0)
    return min(times), out


def main() -> None:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--agents", type=int, default=100)
    p.add_argument("--calls", type=int, default=20000)
    p.add_argument("--queue-heavy", action="store_true")
    p.add_argument("--repeat", type=int, default=3)
    a = p.parse_args()
    objs, events = make_trace(a.agents, a.calls, a.queue_heavy)
    tune_gc()      # what `sim run` and `sim replay` do before feeding the engine
    n = len(events)

    def engine_only():
        eng = ActionEngine(objs)
        feed = eng.feed
        count = 0
        for ev in events:
            count += len(feed(ev))
        return count

    t_engine, nrec = best(engine_only, a.repeat)
    with tempfile.TemporaryDirectory() as tmp:
        path = os.path.join(tmp, "events.jsonl")
        with open(path, "wb") as fh:
            for ev in events:
                fh.write(dumps_event(ev) + b"\n")
        size = os.path.getsize(path)

        def parse_only():
            with open(path, "rb") as fh:
                return sum(1 for _ in read_events(fh, path))

        t_parse, _ = best(parse_only, a.repeat)
        objects_path = os.path.join(tmp, "objects.toml")
        dump_objects(objs, objects_path)

        def replay():
            return replay_file(path, objs, os.path.join(tmp, "out"), with_stats=False,
                               Pipeline=Pipeline, err=io.StringIO())

        t_replay, problems = best(replay, a.repeat)
        assert problems == 0

    kind = "queue-heavy" if a.queue_heavy else "mixed"
    print(f"trace: {kind}, {a.agents} agents, {a.calls} calls, {n} TEvents, {size / 1e6:.1f} MB JSONL, "
          f"{nrec} records out ({nrec / n:.1f} per TEvent)")
    print(f"engine alone:        {n / t_engine:10,.0f} TEvents/s  ({t_engine:.2f} s)")
    print(f"parse JSONL only:    {n / t_parse:10,.0f} TEvents/s  ({t_parse:.2f} s)")
    print(f"replay end to end:   {n / t_replay:10,.0f} TEvents/s  ({t_replay:.2f} s)  "
          f"ratio to parse only: {t_replay / t_parse:.2f}x")


if __name__ == "__main__":
    main()
