"""``sim replay EVENTS.jsonl --objects objects.toml [--stattypes FILE.ini] [--out DIR]``.

Feeds a recorded trace (JSON lines, or events.parquet written by ``sim export``) through the
action engine (and statistics) and writes ``actions.jsonl``, ``statuses.jsonl`` (and
``stats.csv``; with ``--store parquet`` the same tables as Parquet). Every bad line and every event the
engine cannot place is reported as ``FILE:LINE: reason``; the valid events around it are
still processed, and the exit code is 2 when anything was reported. After the first 20 lines of
one kind the rest are counted (sim.problems). What ``sim check`` would flag about the trace's
consistency (a release of a call the DN never had, an unknown CallType code) is counted and its
first cases printed after the summary; the events are still processed as Stat Server would, and
the exit code is then 1 (ran and found problems) unless bad input made it 2. The outputs go to
``--out`` only when the replay finishes (sim.outdir). With ``--listen`` the trace is streamed
over TCP instead (no objects file needed).
"""

from __future__ import annotations

from sim.errors import UserError, existing_file
from sim.simulation import FINDINGS_KEPT, replay_file

HELP = "replay a TEvent trace through the action engine (or stream it with --listen)"


def configure(p) -> None:
    p.add_argument("events", metavar="EVENTS.jsonl",
                   help="TEvent trace (docs/reference/contracts.md §1), or events.parquet")
    p.add_argument("--objects", metavar="objects.toml", help="configuration (docs/reference/contracts.md §2)")
    p.add_argument("--stattypes", metavar="FILE.ini", help="stat type definitions (default: the shipped library)")
    p.add_argument("--out", metavar="DIR", default="replay-out", help="output folder (default: %(default)s)")
    p.add_argument("--notify", type=float, default=900.0, metavar="SECONDS",
                   help="stats.csv notification interval in seconds (default: %(default)s)")
    p.add_argument("--no-stats", action="store_true", help="skip statistics")
    p.add_argument("--no-check", action="store_true",
                   help="skip counting what sim check would flag (faster; about 15 %% of a replay)")
    p.add_argument("--overwrite", action="store_true",
                   help="replace --out even when it holds files that are not a sim output")
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
    if not args.notify >= 1:      # Stat Server notifies in whole seconds (NaN fails too)
        raise UserError(f"must be at least 1 second, got {args.notify:g}", where="--notify")
    if getattr(args, "listen", None):
        from sim.problems import ProblemLines
        from sim.stream import stream_from_args
        from sim.tlib.trace import open_trace
        report = ProblemLines()
        code = stream_from_args(open_trace(args.events, report), args)
        report.summarise()
        return code if code or not report.count else 2     # bad lines: exit 2 as without --listen
    if not args.objects:
        raise UserError("--objects is required (the configuration the engine needs)")
    from sim.commands.run import tune_gc, validate_stattypes
    from sim.objects import load_objects
    from sim.outdir import staged_dir
    from sim.pipeline import Pipeline
    objects = load_objects(args.objects)
    if args.stattypes and not args.no_stats:
        validate_stattypes(args.stattypes)     # every input is checked before the first byte
    elif args.stattypes:
        existing_file(args.stattypes)
    tune_gc()      # as `sim run`: millions of short-lived records, no cycles worth a scan
    findings: list = []
    with staged_dir(args.out, inputs=(args.events, args.objects, args.stattypes),
                    overwrite=args.overwrite) as tmp:
        problems = replay_file(args.events, objects, tmp, stattypes=args.stattypes,
                               with_stats=not args.no_stats, notify_every=args.notify, Pipeline=Pipeline,
                               shown_out=args.out, limit=LIMIT, store=args.store,
                               findings=None if args.no_check else findings)
    _print_findings(args.events, findings)
    return 2 if problems else 1 if findings and findings[0].count else 0


LIMIT = 20      # problem lines of one kind before the rest are only counted


def _print_findings(path: str, findings: list) -> None:
    """The consistency findings of the trace (what sim check flags), after the summary."""
    if not findings or not findings[0].count:
        return
    checker = findings[0]
    n = checker.count
    print(f"{path}: {n} consistency finding{'s' * (n != 1)} (what sim check reports; the events "
          f"were processed as Stat Server would){', the first:' if checker.violations else ''}")
    for v in checker.violations[:FINDINGS_KEPT]:
        print(f"  {v}")
