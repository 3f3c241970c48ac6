"""Benchmark: one ``sim sweep`` grid run serially and on a 2-worker process pool (optionally also
on a 2-worker Dask LocalCluster). Prints wall times, replications per second, the speed-up and
whether the outputs are byte-identical.

Usage: .venv/bin/python bench/bench_sweep.py [--points 6] [--replications 8] [--horizon 28800]
                                             [--engine] [--dask]

The grid is the shipped erlang_a scenario (case C3 inputs) with teams[0].count from 11 upward.
The pool's time includes starting its workers (forkserver), as a user of ``sim sweep`` pays it.
docs/reference/capacity-references.md §10.3: on small CI machines a 2-process pool may give no speed-up at
all; this script reports the ratio and asserts nothing.
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from sim.analysis import runner, sweep  # noqa: E402


def _burn(n: int) -> int:
    s = 0
    for i in range(n):
        s += i * i
    return s


def burn_ratio(tasks: int = 8, n: int = 2_000_000) -> float:
    """The machine's own 2-process speed-up on a pure CPU burn (the ceiling for the sweep)."""
    t0 = time.perf_counter()
    for _ in range(tasks):
        _burn(n)
    serial = time.perf_counter() - t0
    with sweep.PoolExecutor(2) as pool:
        t0 = time.perf_counter()
        pool.map(_burn, [n] * tasks)
        pooled = time.perf_counter() - t0
    return serial / pooled


def timed(executor_factory, args) -> tuple[float, str]:
    src = runner.read_scenario(str(ROOT / "scenarios" / "erlang_a.toml"))
    varies = [sweep.parse_vary(f"teams[0].count=11:{10 + args.points}:1")]
    stats = runner.AGREEMENT_STATS if args.engine else ()
    t0 = time.perf_counter()
    with executor_factory() as ex:
        s = sweep.run_sweep(src, varies, replications=args.replications, seed=1, warmup=1800.0,
                            sets=[f"run.horizon={args.horizon}"], stats=stats, executor=ex)
    return time.perf_counter() - t0, sweep.sweep_csv(s)


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--points", type=int, default=6)
    ap.add_argument("--replications", type=int, default=8)
    ap.add_argument("--horizon", type=float, default=28800)
    ap.add_argument("--engine", action="store_true", help="also run the action and statistics engines")
    ap.add_argument("--dask", action="store_true", help="also time a 2-worker Dask LocalCluster")
    args = ap.parse_args()
    n = args.points * args.replications
    cpus = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count()
    print(f"grid: {args.points} points x {args.replications} replications = {n} replications, "
          f"horizon {args.horizon:g} s, engines {'on' if args.engine else 'off'}; {cpus} CPUs")

    print(f"reference: pure CPU burn, 2 processes vs 1: {burn_ratio():.2f}x")
    t_serial, csv_serial = timed(sweep.SerialExecutor, args)
    print(f"serial      : {t_serial:7.2f} s  {n / t_serial:7.2f} replications/s")
    t_pool, csv_pool = timed(lambda: sweep.PoolExecutor(2), args)
    print(f"pool (2)    : {t_pool:7.2f} s  {n / t_pool:7.2f} replications/s")
    print(f"speed-up 2 workers vs serial: {t_serial / t_pool:.2f}x   identical sweep.csv: {csv_pool == csv_serial}")
    if args.dask:
        from dask.distributed import LocalCluster

        cluster = LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                               dashboard_address=None)
        try:
            t_dask, csv_dask = timed(lambda: sweep.DaskExecutor(cluster.scheduler_address), args)
        finally:
            cluster.close()
        print(f"dask (2)    : {t_dask:7.2f} s  {n / t_dask:7.2f} replications/s  (cluster already running)")
        print(f"speed-up dask vs serial: {t_serial / t_dask:.2f}x   identical sweep.csv: {csv_dask == csv_serial}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
