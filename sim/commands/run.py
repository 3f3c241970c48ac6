"""``sim run SCENARIO --out DIR``: simulate and write every file of DESIGN contract 5."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os

from sim.errors import UserError

HELP = "simulate a scenario: events.jsonl, objects.toml, actions, statuses, stats.csv, summary.json, plots/"


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


def run(args) -> int:
    if args.schema:
        from sim.scenario.schema import schema_json
        print(schema_json(), end="")
        return 0
    if args.scenario is None:
        raise UserError("give a scenario file (or --schema)")
    from sim.scenario.load import load_scenario
    sc = load_scenario(args.scenario, args.set, args.seed)
    tune_gc()
    plot_feed = None
    if not args.no_plots and not args.trace_only:
        # the status and calls-waiting plots from the records as they are made, not read back
        from sim.report.binning import RunFeed
        plot_feed = RunFeed(args.out)     # (its temporary files go there once simulate made it)
    summary = simulate(sc, args.out, engine=not args.trace_only, stattypes=args.stattypes, check=args.check,
                       plot_feed=plot_feed, store=args.store)
    if args.format == "tserver-log":
        from sim.tlib.trace import open_trace
        from sim.tlib.tserverlog import write_log_file
        write_log_file(os.path.join(args.out, "events.log"), open_trace(os.path.join(args.out, "events.jsonl")))
    if not args.no_plots:
        from sim.report.plots import write_run_plots
        gc.collect()    # the engines' structures hold cycles: free them for the plots to reuse
        write_run_plots(args.out, feed=plot_feed)
    o = summary["overall"]
    print(f"{sc.run['name']}: offered {o['offered']}, answered {o['answered']}, abandoned {o['abandoned']}"
          f" -> {args.out}")
    if args.check:
        for v in summary["check"]["violations"]:
            print(v)
        print(f"sim check: {summary['check']['count']} violations")
        return 1 if summary["check"]["count"] else 0
    return 0


def tune_gc() -> None:
    """A run allocates millions of short-lived, acyclic objects (events, dicts): collect the
    youngest generation less often and keep the objects built so far out of every scan.
    Process-wide, so only the command line (and the benchmark) call it."""
    gc.freeze()
    gc.set_threshold(50_000, 20, 20)


def pipeline_available() -> bool:
    return importlib.util.find_spec("sim.pipeline") is not None


def simulate(sc, out_dir: str, engine: bool = True, on_restore=None, stattypes: str | None = None,
             check: bool = False, stats: bool = True, plot_feed=None, store: str = "jsonl") -> dict:
    """Run the scenario, streaming every TEvent to the pipeline (or the trace writer).
    ``stats=False`` skips the statistics stage (benchmarks of the rest of the pipeline);
    ``plot_feed`` (a sim.report.binning.RunFeed) is fed the records for the run plots;
    ``store="parquet"`` stores records and call records as Parquet (sim.runstore)."""
    from sim.model.model import ContactCenter
    from sim.objects import dump_objects
    from sim.tlib.trace import TraceWriter

    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder: {exc.strerror}", where=out_dir) from None
    objects = sc.objects()
    dump_objects(objects, os.path.join(out_dir, "objects.toml"))
    pipeline = None
    trace_fh = None
    if engine and pipeline_available():
        from sim.pipeline import Pipeline
        engine_problems: list[str] = []
        pipeline = Pipeline(objects, out_dir, notify_every=float(sc.run["notify_every"]),
                            write_objects=False, stattypes=stattypes, with_stats=stats,
                            problem_log=engine_problems, plot_feed=plot_feed, store=store)
        sink = pipeline.feed
    else:
        trace_fh = open(os.path.join(out_dir, "events.jsonl"), "wb", buffering=1 << 20)
        sink = TraceWriter(trace_fh).write
    checker = None
    if check:
        from sim.check import Checker
        checker = Checker(os.path.join(out_dir, "events.jsonl"), limit=50)
        inner, count = sink, [0]

        def sink(ev):  # noqa: F811 - the checker sees each event in emission order
            count[0] += 1
            checker.feed(ev, count[0])
            inner(ev)
    with _call_files(out_dir, store) as (calls_fh, truth_fh):
        cc = ContactCenter(sc, sink, calls_fh, truth_fh)
        checks: list[dict] = []
        if pipeline is not None:
            cc.restore_hooks.append(lambda ts: checks.append(_compare_states(cc, pipeline.engine, ts)))
        if on_restore is not None:
            cc.restore_hooks.append(lambda ts: on_restore(cc, ts))
        end = cc.run()
        summary = cc.summary(end)
    if pipeline is not None:
        pipeline.close(cc.epoch + end)
        summary["restore_checks"] = checks
        summary["engine_problems"] = engine_problems[:100]
        summary["engine_problem_count"] = len(engine_problems)
    if trace_fh is not None:
        trace_fh.close()
    if checker is not None:
        summary["check"] = {"count": checker.count, "violations": [str(v) for v in checker.violations]}
    with open(os.path.join(out_dir, "summary.json"), "w") as fh:
        json.dump(summary, fh, indent=2)
        fh.write("\n")
    return summary


@contextlib.contextmanager
def _call_files(out_dir: str, store: str):
    """The text sinks the model writes calls.csv and truth.csv lines to (with Parquet: sinks
    storing those lines as rows of calls.parquet and truth.parquet as they come)."""
    if store == "parquet":
        from sim.runstore.columns import CsvLinesToParquet
        from sim.runstore.schema import CALLS, TRUTH
        with CsvLinesToParquet(out_dir, CALLS) as calls_fh, CsvLinesToParquet(out_dir, TRUTH) as truth_fh:
            yield calls_fh, truth_fh
        return
    with open(os.path.join(out_dir, "calls.csv"), "w", buffering=1 << 20) as calls_fh, \
            open(os.path.join(out_dir, "truth.csv"), "w", buffering=1 << 16) as truth_fh:
        yield calls_fh, truth_fh


# AgentStatus (tevents.md §5.9) -> the agent-state action Stat Server should be running.
STATE_ACTION = {0: None, 2: "WaitForNextCall", 3: "NotReadyForNextCall", 4: "AfterCallWork",
                5: "NotReadyForNextCall"}


def _compare_states(cc, engine, ts) -> dict:
    """After a restored connection: the engine's agent states against the model's truth."""
    mismatches = []
    for a in cc.agents:
        if a.dn.switch != ts.name or not a.dn.registered:
            continue
        want = STATE_ACTION[a.status]
        got = engine.agent_state(a.dn.id)
        if got != want:
            mismatches.append({"dn": a.dn.id, "model": want, "engine": got})
    return {"time": cc.env.now, "switch": ts.name, "mismatches": mismatches}
