"""``sim import-log LOGFILE [--switch NAME] [--date YYYY-MM-DD] --out EVENTS.jsonl``: log text -> trace.

Reads the TEvents in a T-Server or SIP Server log (``message EventX`` blocks), a router (URS)
log (``request to N(App) message RequestDistributeEvent`` blocks: the event T-Server
distributes), a Platform SDK client log (``Proxy got message 'EventX' ('NN')``) or the text
``write_log`` produces (docs/formats.md, the import-log section), and writes them as an
``events.jsonl`` trace (docs/reference/contracts.md §1) that ``sim replay`` can feed through the engine. The
switch comes from the log's ``# switch:`` lines, else from ``--switch``.

Lines it does not understand are reported on stderr as ``FILE:LINE: reason`` and skipped; the
valid events around them are still written, and the exit code is then 2 (the project rule for
bad input); after 20 lines of one kind the rest are counted. The import ends with one summary
line on stderr: events imported, blocks skipped by kind, lines not understood, and which clock
timed the events. A log with no events exits 2 and writes nothing. The trace is written to a
temporary name beside ``--out`` and renamed when the import finishes (sim.outdir).
"""

from __future__ import annotations

import datetime as dt
import sys

from sim.errors import UserError, existing_file

HELP = "convert T-Server / SIP Server, router (URS) or Platform SDK log text into an events.jsonl trace"


def configure(parser) -> None:
    parser.add_argument("logfile", metavar="LOGFILE",
                        help="T-Server / SIP Server, router or Platform SDK log text ('-' for stdin)")
    parser.add_argument("--switch", metavar="NAME", default=None,
                        help="switch of the events when the log has no '# switch:' line")
    parser.add_argument("--date", metavar="YYYY-MM-DD", default=None,
                        help="date of time-of-day stamps (@HH:MM:SS.mmm) until the log gives one "
                             "(its 'Local time:' header or a dated stamp wins)")
    parser.add_argument("--out", metavar="EVENTS.jsonl", required=True, help="trace to write")


def _date(text: str | None) -> dt.date | None:
    if text is None:
        return None
    try:
        return dt.date.fromisoformat(text.strip())
    except ValueError:
        raise UserError(f"--date: expected YYYY-MM-DD, got {text!r}") from None


def run(args) -> int:
    from sim.outdir import staged_file
    from sim.problems import ProblemLines
    from sim.progress import EVERY, file_progress
    from sim.tlib.logforms import Summary, read_log
    from sim.tlib.trace import TraceWriter

    if args.switch is not None and not args.switch.strip():
        raise UserError("--switch: expected a switch name")
    date = _date(args.date)
    if args.logfile != "-":
        existing_file(args.logfile)
    name = "<stdin>" if args.logfile == "-" else args.logfile
    summary = Summary()
    report = ProblemLines(sys.stderr, 20)
    src = sys.stdin if args.logfile == "-" else open(args.logfile, encoding="utf-8", errors="replace")
    try:
        with staged_file(args.out, inputs=(args.logfile,)) as out, \
                file_progress(f"sim import-log {name}", args.logfile) as progress:
            writer = TraceWriter(out)
            raw = getattr(src, "buffer", None)
            for ev in read_log(src, name, switch=args.switch, on_problem=report, date=date,
                               summary=summary):
                writer.write(ev)
                if progress.enabled and writer.count % EVERY == 0 and raw is not None:
                    progress.update(raw.tell())
            report.summarise()
            if writer.count == 0:     # nothing is written (the staged file is dropped)
                raise UserError(f"no events ({summary.skipped()}): no 'message EventX', 'request to "
                                "N(App) message RequestDistributeEvent' or 'Proxy got message 'EventX'' "
                                "block could be read", where=name)
            print(f"{name}: {summary.imported()} -> {args.out}; {summary.skipped()}; {summary.clocks()}",
                  file=sys.stderr)
    finally:
        if src is not sys.stdin:
            src.close()
    return 2 if summary.bad_lines else 0
