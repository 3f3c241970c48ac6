"""Benchmark (issue 9 point 1): ``sim run scenarios/large_day.toml`` at half, full and double
horizon (2,000 agents, intraday profile, about 400,000 calls per day).

Usage: PYTHONPATH=. .venv/bin/python bench/bench_large_day.py [--scales 0.5,1,2] [--out DIR]
                                                               [--keep] [--json FILE]

Each run is a fresh ``sim run`` in a subprocess (one core), so the figures include start-up,
the model, the action engine, the statistics stage, every output file and the plots. For each
run it prints the wall time, the child's CPU time (user + system: the figure to trust on a
shared machine), the offered calls and calls per second (offered / wall), the
events, the peak RSS of the child (``resource.getrusage(RUSAGE_CHILDREN)`` after it ends) and
the RSS sampled every second from ``/proc/PID/status`` (memory flatness: the RSS at 25, 50, 75
and 100 % of the run's wall time, and the peak RSS per hour of horizon). Memory is flat in the
horizon when the peak RSS stays about the same as the horizon doubles. Targets: under 60 s and
under 400 MB at the full horizon (README, Performance).

The output folders are deleted after each run unless ``--keep`` (a full day writes several GB).
"""

from __future__ import annotations

import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCENARIO = ROOT / "scenarios" / "large_day.toml"
DAY = 86400


def _rss_kb(pid: int) -> int | None:
    try:
        with open(f"/proc/{pid}/status") as fh:
            for line in fh:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        return None
    return None


def run_once(horizon: int, out: Path) -> dict:
    ru0 = resource.getrusage(resource.RUSAGE_CHILDREN)
    before = ru0.ru_maxrss
    cmd = [sys.executable, "-m", "sim.cli", "run", str(SCENARIO), "--out", str(out),
           "--set", f"run.horizon={horizon}"]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    t0 = time.perf_counter()
    proc = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
    samples: list[tuple[float, int]] = []

    def sample() -> None:
        while proc.poll() is None:
            kb = _rss_kb(proc.pid)
            if kb is not None:
                samples.append((time.perf_counter() - t0, kb))
            time.sleep(1.0)

    th = threading.Thread(target=sample, daemon=True)
    th.start()
    stdout, stderr = proc.communicate()
    wall = time.perf_counter() - t0
    th.join()
    ru1 = resource.getrusage(resource.RUSAGE_CHILDREN)
    after = ru1.ru_maxrss
    cpu = (ru1.ru_utime + ru1.ru_stime) - (ru0.ru_utime + ru0.ru_stime)
    if proc.returncode != 0:
        raise SystemExit(f"sim run failed ({proc.returncode}):\n{stderr.decode()[-2000:]}")
    summary = json.loads((out / "summary.json").read_text())
    offered = summary["overall"]["offered"]
    events = sum(summary["events"].values())
    sizes = {p.name: p.stat().st_size for p in out.iterdir() if p.is_file()}
    # ru_maxrss of RUSAGE_CHILDREN is the largest child so far: valid for this run only if it grew,
    # so the sampled peak is reported alongside it.
    sampled_peak = max((kb for _, kb in samples), default=0)
    quartiles = {}
    for q in (0.25, 0.5, 0.75, 1.0):
        upto = [kb for t, kb in samples if t <= q * wall]
        quartiles[f"{int(q * 100)}%"] = round(max(upto, default=0) / 1024, 1)
    return {
        "horizon_s": horizon, "wall_s": round(wall, 2), "cpu_s": round(cpu, 2), "offered": offered,
        "answered": summary["overall"]["answered"], "events": events,
        "calls_per_s": round(offered / wall, 1), "events_per_s": round(events / wall, 1),
        "peak_rss_mb": round(max(after if after > before else 0, sampled_peak) / 1024, 1),
        "rss_mb_by_wall_quartile": quartiles,
        "output_mb": {k: round(v / 1e6, 1) for k, v in sorted(sizes.items())},
        "engine_problems": summary.get("engine_problem_count"),
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scales", default="0.5,1,2", help="horizons in days (default 0.5,1,2)")
    ap.add_argument("--out", default=None, help="folder for the runs (default: a temporary one)")
    ap.add_argument("--keep", action="store_true", help="keep the output folders")
    ap.add_argument("--json", default=None, help="also write the results to this JSON file")
    args = ap.parse_args(argv)
    base = Path(args.out or tempfile.mkdtemp(prefix="bench_large_day_"))
    results = []
    print(f"{'horizon':>9} {'wall s':>8} {'CPU s':>8} {'offered':>8} {'calls/s':>8} {'events/s':>9} {'peak RSS MB':>11}"
          f"  RSS MB at 25/50/75/100 % of wall", flush=True)
    for scale in (float(s) for s in args.scales.split(",")):
        horizon = int(scale * DAY)
        out = base / f"h{horizon}"
        r = run_once(horizon, out)
        results.append(r)
        q = r["rss_mb_by_wall_quartile"]
        print(f"{horizon:>9} {r['wall_s']:>8.1f} {r['cpu_s']:>8.1f} {r['offered']:>8} {r['calls_per_s']:>8.1f} "
              f"{r['events_per_s']:>9.0f} {r['peak_rss_mb']:>11.1f}  "
              + " / ".join(f"{v:.0f}" for v in q.values()), flush=True)
        print(f"{'':>9} outputs MB: " + ", ".join(f"{k} {v}" for k, v in r["output_mb"].items()), flush=True)
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    if len(results) > 1:
        lo, hi = results[0], results[-1]
        print(f"memory: peak RSS {lo['peak_rss_mb']:.0f} MB at {lo['horizon_s']} s -> {hi['peak_rss_mb']:.0f} MB at "
              f"{hi['horizon_s']} s horizon ({hi['horizon_s'] / lo['horizon_s']:.0f}x the horizon, "
              f"{hi['offered'] / max(lo['offered'], 1):.1f}x the calls)")
    if args.json:
        Path(args.json).write_text(json.dumps(results, indent=2) + "\n")
    if not args.out and not args.keep:
        shutil.rmtree(base, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
