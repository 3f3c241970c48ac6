"""``sim check EVENTS.jsonl``: verify the trace invariants of docs/reference/tevents.md §11.

Exit code 1 when the trace breaks an invariant (the check ran and found problems), 2 when lines
are not valid trace lines (bad input, as in every command), 0 when it is clean.
"""

from __future__ import annotations

import os

from sim.errors import UserError, existing_file

HELP = "verify a trace against the invariants of docs/reference/tevents.md §11 (exit 1 on violations)"


def configure(parser) -> None:
    parser.add_argument("trace", help="events.jsonl (or a run folder holding one)")
    parser.add_argument("--max", type=int, default=50, help="print at most N violations (default 50)")


def run(args) -> int:
    if args.max < 0:
        raise UserError(f"must be 0 or more, got {args.max}", where="--max")
    path = args.trace
    if os.path.isdir(path):
        path = os.path.join(path, "events.jsonl")
    existing_file(path)
    c, malformed = check_counting(path, args.max)
    for v in c.violations[: args.max]:
        print(v)
    if c.count > args.max:
        print(f"... and {c.count - args.max} more")
    print(f"{path}: {c.events} events, {c.count} violation{'s' if c.count != 1 else ''}")
    return 2 if malformed else 1 if c.count else 0


def check_counting(path: str, limit: int):
    """sim.check.check_file, also counting the lines that are not valid trace lines."""
    from sim.check import Checker
    from sim.tlib.trace import read_numbered
    c = Checker(path, limit)
    malformed = 0

    def problem(p) -> None:
        nonlocal malformed
        malformed += not p.kept     # an out-of-order time or seq is a finding, not bad input
        c.line = p.line
        c._v("format", p.reason)

    with open(path, "rb") as fh:
        for lineno, ev in read_numbered(fh, path, problem):
            c.feed(ev, lineno)
    c.finish()
    return c, malformed
