"""``sim run SCENARIO --out DIR``: simulate and write every file of docs/reference/contracts.md §5."""

from __future__ import annotations

import contextlib
import gc
import importlib.util
import json
import os

from sim.errors import UserError

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


def pipeline_available() -> bool:
    return importlib.util.find_spec("sim.pipeline") is not None


def simulate(sc, out_dir: str, engine: bool = True, on_restore=None, stattypes: str | None = None,
             check: bool = False, stats: bool = True, plot_feed=None, progress=None,
             store: str = "jsonl") -> dict:
    """Run the scenario, streaming every TEvent to the pipeline (or the trace writer).
    ``stats=False`` skips the statistics stage (benchmarks of the rest of the pipeline);
    ``plot_feed`` (a sim.report.binning.RunFeed) is fed the records for the run plots;
    ``progress`` (a sim.progress.Progress over the horizon) follows the simulated time;
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
    try:
        with _call_files(out_dir, store) as (calls_fh, truth_fh):
            cc = ContactCenter(sc, sink, calls_fh, truth_fh)
            if progress is not None:
                from sim.progress import follow_simulation
                follow_simulation(cc.env, progress, cc.env.now, float(cc.horizon))
            checks: list[dict] = []
            if pipeline is not None:
                cc.restore_hooks.append(lambda ts: checks.append(_compare_states(cc, pipeline.engine, ts)))
            if on_restore is not None:
                cc.restore_hooks.append(lambda ts: on_restore(cc, ts))
            end = cc.run()
            summary = cc.summary(end)
    except BaseException:
        abandon(pipeline, trace_fh)     # an interrupted run's files hold what it wrote so far
        raise
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


def abandon(pipeline, *files) -> None:
    """Flush and close the files of a pipeline (and ``files``) that stops early, so the partial
    output of an interrupted command holds what it wrote so far; errors (a full disk) are
    ignored here, the first one is already on its way to the user."""
    import contextlib
    closers = [f.close for f in files if f is not None]
    if pipeline is not None:
        closers.append(lambda: pipeline.__exit__(None, None, None))
        writer = pipeline.stats.writer if pipeline.stats is not None else None
        if writer is not None:
            closers.append(writer.close)
    for close in closers:
        with contextlib.suppress(Exception):
            close()


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


# AgentStatus (docs/reference/tevents.md §5.9) -> the agent-state action Stat Server should be running.
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
