"""Run a scenario or replay a trace: the library's one way to do each (``sim run`` and
``sim replay`` call these, as do sim.run / sim.replay of the run store, tests and benchmarks).

* :func:`simulate` -- the model emits every TEvent to the pipeline (action engine, statistics,
  writers) as it simulates, and writes every file of docs/reference/contracts.md §5 but the
  plots.
* :func:`replay_file` -- a recorded trace (JSON lines or events.parquet) through the pipeline.
"""

from __future__ import annotations

import contextlib
import importlib.util
import json
import os
import sys
from collections.abc import Callable
from typing import Any

from sim.errors import UserError
from sim.tlib.codes import TServerAgentStatus

FINDINGS_KEPT = 5     # consistency findings (what sim check flags) a replay keeps to show


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
        sink: Callable[[Any], Any] = pipeline.feed
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
STATE_ACTION = {TServerAgentStatus.NoAgent: None, TServerAgentStatus.Ready: "WaitForNextCall",
                TServerAgentStatus.NotReady: "NotReadyForNextCall", TServerAgentStatus.ACW: "AfterCallWork",
                TServerAgentStatus.WalkAway: "NotReadyForNextCall"}


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


def _feed_file(path, pipe, report, checker, progress) -> None:
    from sim.progress import EVERY
    from sim.statserver.engine import EngineInputError
    from sim.tlib.trace import read_numbered
    with _trace_lines(path) as fh, progress:
        tick = EVERY - 1 if progress.enabled and hasattr(fh, "tell") else -1
        for lineno, ev in read_numbered(fh, path, report):
            if (lineno & tick) == 0:
                progress.update(fh.tell())
            if checker is not None:
                checker.feed(ev, lineno)
            try:
                pipe.feed(ev)
            except EngineInputError as exc:
                report(f"{path}:{lineno}: {exc}")
                continue
            if pipe.engine.problems:
                for msg in pipe.engine.problems:
                    report(f"{path}:{lineno}: {msg}")
                pipe.engine.problems.clear()


def replay_file(path, objects, out_dir, *, stattypes=None, with_stats=True, notify_every=900.0,
                Pipeline=None, err=None, shown_out=None, limit=None, findings=None,
                progress=None, store="jsonl") -> int:
    """Replay ``path`` into ``out_dir``; print problems (to ``err``, default stderr) and the
    summary (stdout); return the problem count. ``limit``: problem lines of one kind before
    the rest are only counted; ``findings``: a list that gets the sim.check.Checker the events
    went through (consistency findings); ``shown_out``: the folder named in the summary."""
    quiet = err is not None
    err = err if err is not None else sys.stderr
    from sim.problems import ProblemLines
    from sim.progress import file_progress
    report = ProblemLines(err, limit if limit is not None else sys.maxsize)
    checker = None
    if findings is not None:
        from sim.check import Checker
        checker = Checker(path, limit=FINDINGS_KEPT)
        findings.append(checker)
    if progress is None:
        progress = file_progress(f"sim replay {path}", path, enabled=None if not quiet else False)

    pipe = Pipeline(objects, out_dir, write_events=False, write_objects=False, stattypes=stattypes,
                    with_stats=with_stats, notify_every=notify_every, store=store)
    try:
        _feed_file(path, pipe, report, checker, progress)
    except BaseException:
        abandon(pipe)           # an interrupted replay's files hold what it wrote so far
        raise
    if checker is not None:
        checker.finish()
    report.summarise()
    summary = pipe.close()
    summary.problems = report.count
    shown = shown_out if shown_out is not None else out_dir
    print(f"sim replay: {summary.line()} -> {shown}", file=err if quiet else sys.stdout)
    return report.count


def _trace_lines(path):
    """The trace's lines: a file's, or for a Parquet trace (events.parquet, a row per line)
    the lines its rows stand for, so both go through the same checks (a row number is
    reported as the line)."""
    if path.endswith(".parquet"):
        from sim.runstore.columns import parquet_trace_lines
        return parquet_trace_lines(path)
    return open(path, "rb")
