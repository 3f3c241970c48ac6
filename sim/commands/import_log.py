"""``sim import-log LOGFILE [--switch NAME] --out EVENTS.jsonl``: T-Server log text -> trace.

Reads the ``message EventX`` blocks of a T-Server log (or router log, or the text ``write_log``
produces; docs/reference/tevents.md §11.1) and writes them as an ``events.jsonl`` trace (docs/reference/contracts.md §1) that ``sim replay`` can feed through the engine. The switch comes from the log's
``# switch:`` lines, else from ``--switch``.

Lines it does not understand are reported on stderr as ``FILE:LINE: reason`` and skipped; the
valid events around them are still written, and the exit code is then 2 (the project rule for
bad input). Timestamped narration, log-file header lines and request messages are understood
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
    from sim.tlib.trace import TraceWriter
    from sim.tlib.tserverlog import read_log

    if args.switch is not None and not args.switch.strip():
        raise UserError("--switch: expected a switch name")
    if args.logfile != "-":
        existing_file(args.logfile)
    name = "<stdin>" if args.logfile == "-" else args.logfile
    problems = 0

    def report(problem) -> None:
        nonlocal problems
        problems += 1
        print(problem, file=sys.stderr)

    src = sys.stdin if args.logfile == "-" else open(args.logfile, encoding="utf-8", errors="replace")
    try:
        try:
            out = open(args.out, "wb")
        except OSError as exc:
            raise UserError(f"cannot write: {exc.strerror}", where=args.out) from None
        with out:
            writer = TraceWriter(out)
            for ev in read_log(src, name, switch=args.switch, on_problem=report):
                writer.write(ev)
    finally:
        if src is not sys.stdin:
            src.close()
    skipped = f"; {problems} line(s) skipped (see above)" if problems else ""
    print(f"{name}: {writer.count} events -> {args.out}{skipped}")
    return 2 if problems else 0
