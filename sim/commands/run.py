"""``sim run SCENARIO --out DIR``: simulate and write every file of docs/reference/contracts.md §5."""

from __future__ import annotations

import gc
import os

from sim.errors import UserError

# The library's way to run (sim/simulation.py); ``sim.commands.run.simulate`` stays importable
# for a while for callers written before it moved.
from sim.simulation import STATE_ACTION, abandon, simulate  # noqa: F401

HELP = "simulate a scenario: events.jsonl, objects.toml, actions, statuses, statistics, calls, summary.json, plots/"


def configure(parser) -> None:
    parser.add_argument("scenario", nargs="?", help="scenario TOML file")
    parser.add_argument("--out", default="out", help="output folder (default: out)")
    parser.add_argument("--seed", type=int, default=None, help="random seed (overrides run.seed)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key, e.g. --set run.horizon=7200 (repeatable)")
    parser.add_argument("--stattypes", default=None, metavar="FILE.ini",
                        help="stat type definitions (default: the shipped library)")
    parser.add_argument("--trace-only", action="store_true",
                        help="write the trace and ground truth only (no engine, no statistics)")
    parser.add_argument("--check", action="store_true",
                        help="also run the trace checker (sim check) on the events as they are emitted")
    parser.add_argument("--format", choices=("jsonl", "tserver-log"), default="jsonl",
                        help="tserver-log: also write the trace as T-Server log text (events.log)")
    parser.add_argument("--no-plots", action="store_true", help="do not write plots/")
    parser.add_argument("--store", choices=("jsonl", "parquet"), default="jsonl",
                        help="how actions, statuses, statistics and call records are stored: JSON "
                             "lines and CSV, or Parquet (docs/formats.md; default: %(default)s)")
    parser.add_argument("--schema", action="store_true", help="print the scenario JSON Schema and exit")
    parser.add_argument("--allow-large", action="store_true",
                        help="run even if the work estimate is beyond the limits (docs/decisions.md, Bounded work)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace --out even when it holds files that are not a sim output")


def run(args) -> int:
    if args.schema:
        from sim.scenario.schema import schema_json
        print(schema_json(), end="")
        return 0
    if args.scenario is None:
        raise UserError("give a scenario file (or --schema)")
    from sim.outdir import staged_dir
    from sim.progress import sim_progress
    from sim.scenario.load import load_scenario
    sc = load_scenario(args.scenario, args.set, args.seed)
    from sim.scenario.estimate import preflight
    preflight(sc, "run", out=args.out, allow_large=args.allow_large)
    if args.stattypes and not args.trace_only:
        validate_stattypes(args.stattypes)     # every input is checked before the first byte
    tune_gc()
    with staged_dir(args.out, inputs=(args.scenario, args.stattypes), overwrite=args.overwrite) as tmp, \
            sim_progress(f"sim run {sc.run['name']}", float(sc.run["horizon"])) as progress:
        plot_feed = None
        if not args.no_plots and not args.trace_only:
            # the status and calls-waiting plots from the records as they are made, not read back
            from sim.report.binning import RunFeed
            plot_feed = RunFeed(tmp)     # (its temporary files go there)
        summary = simulate(sc, tmp, engine=not args.trace_only, stattypes=args.stattypes, check=args.check,
                           plot_feed=plot_feed, progress=progress, store=args.store)
        progress.close()
        if args.format == "tserver-log":
            from sim.tlib.trace import open_trace
            from sim.tlib.tserverlog import write_log_file
            write_log_file(os.path.join(tmp, "events.log"), open_trace(os.path.join(tmp, "events.jsonl")))
        if not args.no_plots:
            from sim.report.plots import write_run_plots
            gc.collect()    # the engines' structures hold cycles: free them for the plots to reuse
            write_run_plots(tmp, feed=plot_feed)
    o = summary["overall"]
    print(f"{sc.run['name']}: offered {o['offered']}, answered {o['answered']}, abandoned {o['abandoned']}"
          f" -> {args.out}")
    if args.check:
        for v in summary["check"]["violations"]:
            print(v)
        print(f"sim check: {summary['check']['count']} violations")
        return 1 if summary["check"]["count"] else 0
    return 0


def validate_stattypes(path: str) -> None:
    """Parse a stat type file up front (its errors are one-line UserErrors)."""
    from sim.errors import existing_file
    from sim.statserver.stats.definitions import load_stattypes
    load_stattypes(existing_file(path))


def tune_gc() -> None:
    """A run allocates millions of short-lived, acyclic objects (events, dicts): collect the
    youngest generation less often and keep the objects built so far out of every scan.
    Process-wide, so only the command line (and the benchmark) call it."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)
