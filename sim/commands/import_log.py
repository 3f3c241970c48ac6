"""``sim import-log LOGFILE [--switch NAME] --out EVENTS.jsonl``: T-Server log text -> trace.

Reads the ``message EventX`` blocks of a T-Server log (or router log, or the text ``write_log``
produces; spec/tevents.md §11.1) and writes them as an ``events.jsonl`` trace (DESIGN contract
1) that ``sim replay`` can feed through the engine. The switch comes from the log's
``# switch:`` lines, else from ``--switch``.

Lines it does not understand are reported on stderr as ``FILE:LINE: reason`` and skipped; the
valid events around them are still written, and the exit code is then 2 (the project rule for
bad input); after 20 lines of one kind the rest are counted. The trace is written to a
temporary name beside ``--out`` and renamed when the import finishes (sim.outdir). Timestamped narration, log-file header lines and request messages are understood
and skipped without a word.
"""

from __future__ import annotations

import sys

from sim.errors import UserError, existing_file

HELP = "convert T-Server log text (message EventX + Attribute lines) into an events.jsonl trace"


def configure(parser) -> None:
    parser.add_argument("logfile", metavar="LOGFILE", help="T-Server / router log text ('-' for stdin)")
    parser.add_argument("--switch", metavar="NAME", default=None,
                        help="switch of the events when the log has no '# switch:' line")
    parser.add_argument("--out", metavar="EVENTS.jsonl", required=True, help="trace to write")


def run(args) -> int:
    from sim.outdir import staged_file
    from sim.problems import ProblemLines
    from sim.progress import EVERY, file_progress
    from sim.tlib.trace import TraceWriter
    from sim.tlib.tserverlog import read_log

    if args.switch is not None and not args.switch.strip():
        raise UserError("--switch: expected a switch name")
    if args.logfile != "-":
        existing_file(args.logfile)
    name = "<stdin>" if args.logfile == "-" else args.logfile
    report = ProblemLines(sys.stderr, 20)
    src = sys.stdin if args.logfile == "-" else open(args.logfile, encoding="utf-8", errors="replace")
    try:
        with staged_file(args.out, inputs=(args.logfile,)) as out, \
                file_progress(f"sim import-log {name}", args.logfile) as progress:
            writer = TraceWriter(out)
            raw = getattr(src, "buffer", None)
            for ev in read_log(src, name, switch=args.switch, on_problem=report):
                writer.write(ev)
                if progress.enabled and writer.count % EVERY == 0 and raw is not None:
                    progress.update(raw.tell())
    finally:
        if src is not sys.stdin:
            src.close()
    report.summarise()
    problems = report.count
    skipped = f"; {problems} line(s) skipped (see above)" if problems else ""
    print(f"{name}: {writer.count} events -> {args.out}{skipped}")
    return 2 if problems else 0
