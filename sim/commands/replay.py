"""``sim replay EVENTS.jsonl --objects objects.toml [--stattypes FILE.ini] [--out DIR]``.

Feeds a recorded trace (JSON lines, or events.parquet written by ``sim export``) through the
action engine (and statistics) and writes ``actions.jsonl``, ``statuses.jsonl`` (and
``stats.csv``; with ``--store parquet`` the same tables as Parquet). Every bad line and every event the
engine cannot place is reported as ``FILE:LINE: reason``; the valid events around it are
still processed, and the exit code is 2 when anything was reported. With ``--listen`` the
trace is streamed over TCP instead (no objects file needed).
"""

from __future__ import annotations

import sys

from sim.errors import UserError, existing_file

HELP = "replay a TEvent trace through the action engine (or stream it with --listen)"


def configure(p) -> None:
    p.add_argument("events", metavar="EVENTS.jsonl", help="TEvent trace (DESIGN contract 1), or events.parquet")
    p.add_argument("--objects", metavar="objects.toml", help="configuration (DESIGN contract 2)")
    p.add_argument("--stattypes", metavar="FILE.ini", help="stat type definitions (default: the shipped library)")
    p.add_argument("--out", metavar="DIR", default="replay-out", help="output folder (default: %(default)s)")
    p.add_argument("--notify", type=float, default=900.0, metavar="SECONDS",
                   help="stats.csv notification interval in seconds (default: %(default)s)")
    p.add_argument("--no-stats", action="store_true", help="skip statistics")
    p.add_argument("--store", choices=("jsonl", "parquet"), default="jsonl",
                   help="how actions, statuses and statistics are stored: JSON lines and CSV, or "
                        "Parquet (docs/formats.md; default: %(default)s)")
    try:
        from sim.stream import add_listen_arguments
    except ImportError:
        return
    add_listen_arguments(p)


def run(args) -> int:
    existing_file(args.events)
    if args.notify <= 0 or args.notify != args.notify:
        raise UserError(f"must be a positive number of seconds, got {args.notify}", where="--notify")
    if getattr(args, "listen", None):
        from sim.stream import stream_from_args
        from sim.tlib.trace import open_trace
        return stream_from_args(open_trace(args.events), args)
    if not args.objects:
        raise UserError("--objects is required (the configuration the engine needs)")
    from sim.commands.run import tune_gc
    from sim.objects import load_objects
    from sim.pipeline import Pipeline
    objects = load_objects(args.objects)
    tune_gc()      # as `sim run`: millions of short-lived records, no cycles worth a scan
    if args.stattypes:
        existing_file(args.stattypes)
    problems = replay_file(args.events, objects, args.out, stattypes=args.stattypes,
                           with_stats=not args.no_stats, notify_every=args.notify, Pipeline=Pipeline,
                           store=args.store)
    return 2 if problems else 0


def replay_file(path, objects, out_dir, *, stattypes=None, with_stats=True, notify_every=900.0,
                Pipeline=None, err=None, store="jsonl") -> int:
    """Replay ``path`` into ``out_dir``; print problems (to ``err``, default stderr) and the
    summary (stdout); return the problem count."""
    quiet = err is not None
    err = err if err is not None else sys.stderr
    from sim.statserver.engine import EngineInputError
    from sim.tlib.trace import read_numbered
    problems = 0

    def report(problem) -> None:
        nonlocal problems
        problems += 1
        print(problem, file=err)

    pipe = Pipeline(objects, out_dir, write_events=False, write_objects=False, stattypes=stattypes,
                    with_stats=with_stats, notify_every=notify_every, store=store)
    with _trace_lines(path) as fh:
        for lineno, ev in read_numbered(fh, path, report):
            try:
                pipe.feed(ev)
            except EngineInputError as exc:
                report(f"{path}:{lineno}: {exc}")
                continue
            if pipe.engine.problems:
                for msg in pipe.engine.problems:
                    report(f"{path}:{lineno}: {msg}")
                pipe.engine.problems.clear()
    summary = pipe.close()
    summary.problems = problems
    print(f"sim replay: {summary.line()} -> {out_dir}", file=err if quiet else sys.stdout)
    return problems


def _trace_lines(path):
    """The trace's lines: a file's, or for a Parquet trace (events.parquet, a row per line)
    the lines its rows stand for, so both go through the same checks (a row number is
    reported as the line)."""
    if path.endswith(".parquet"):
        from sim.runstore.columns import parquet_trace_lines
        return parquet_trace_lines(path)
    return open(path, "rb")
