"""Benchmark two checkouts against each other, side by side: ``sim run`` of one scenario in
each, at the same time, one per core, repeated. Prints each pair's CPU time (user + system of
the child) and the ratio, then the median ratio.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_ab.py OTHER_CHECKOUT [--scenario FILE]
                                                       [--set key=value]... [--pairs N]

Why side by side: on this shared 2-core machine one run's CPU time moves by 10-20 % from one
minute to the next, more than most changes worth measuring; two runs made at the same time
see the same neighbours, so their ratio is steady to a few per cent. Both runs compete for
the same caches and memory, so the absolute times are higher than a lone run's: report the
ratio, and take absolute figures from the other benchmarks. ``OTHER_CHECKOUT`` is another
working tree of the project with its compiled modules built in place (``git worktree add
DIR REV`` then ``python setup.py build_ext --inplace`` in it). Each run writes to a
temporary folder, deleted afterwards; plots are not made.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def start(root: Path, scenario: str, sets: list[str], out: str) -> subprocess.Popen:
    cmd = [sys.executable, "-m", "sim.cli", "run", scenario, "--out", out, "--no-plots"]
    for s in sets:
        cmd += ["--set", s]
    env = {**os.environ, "PYTHONPATH": str(root)}
    with open(out + ".err", "wb") as err:     # a file, not a pipe: a full pipe would stall the run
        return subprocess.Popen(cmd, cwd=root, env=env, stdout=subprocess.DEVNULL, stderr=err)


def cpu_of(proc: subprocess.Popen, root: Path) -> float:
    """Wait for ``proc`` and return its CPU seconds (os.wait4 reports that one child's usage)."""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    if proc.returncode != 0:
        with open(proc.args[proc.args.index("--out") + 1] + ".err", "rb") as fh:
            err = fh.read().decode(errors="replace").strip().splitlines()
        sys.exit(f"bench_ab: the run in {root} failed: {err[-1] if err else 'exit code ' + str(proc.returncode)}")
    return usage.ru_utime + usage.ru_stime


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("other", type=Path, help="the checkout to compare this one with")
    ap.add_argument("--scenario", default="scenarios/large_day.toml",
                    help="relative to each checkout (default: scenarios/large_day.toml)")
    ap.add_argument("--set", action="append", default=None, metavar="KEY=VALUE",
                    help="scenario overrides (default: run.horizon=43200)")
    ap.add_argument("--pairs", type=int, default=3)
    args = ap.parse_args()
    sets = args.set if args.set is not None else ["run.horizon=43200"]
    other = args.other.resolve()
    if not (other / "sim").is_dir():
        sys.exit(f"bench_ab: {other}: not a checkout of the project (no sim/ folder)")
    print(f"this: {ROOT}\nother: {other}\nscenario: {args.scenario} {' '.join(sets)}")
    print(f"{'pair':>4} {'this s':>8} {'other s':>8} {'this/other':>10}")
    ratios = []
    for i in range(args.pairs):
        with tempfile.TemporaryDirectory() as d:
            t0 = time.perf_counter()
            a = start(ROOT, args.scenario, sets, os.path.join(d, "this"))
            b = start(other, args.scenario, sets, os.path.join(d, "other"))
            ta, tb = cpu_of(a, ROOT), cpu_of(b, other)
            ratios.append(ta / tb)
            print(f"{i + 1:>4} {ta:>8.2f} {tb:>8.2f} {ta / tb:>10.3f}  ({time.perf_counter() - t0:.0f} s wall)",
                  flush=True)
    print(f"median this/other: {statistics.median(ratios):.3f} over {len(ratios)} pairs")


if __name__ == "__main__":
    main()
