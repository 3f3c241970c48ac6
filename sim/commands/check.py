"""``sim check EVENTS.jsonl``: verify the trace invariants of docs/reference/tevents.md §11."""

from __future__ import annotations

import os

from sim.errors import existing_file

HELP = "verify a trace against the invariants of docs/reference/tevents.md §11 (exit 1 on violations)"


def configure(parser) -> None:
    parser.add_argument("trace", help="events.jsonl (or a run folder holding one)")
    parser.add_argument("--max", type=int, default=50, help="print at most N violations (default 50)")


def run(args) -> int:
    from sim.check import check_file
    path = args.trace
    if os.path.isdir(path):
        path = os.path.join(path, "events.jsonl")
    existing_file(path)
    c = check_file(path, limit=max(args.max, 0))
    for v in c.violations[: args.max]:
        print(v)
    if c.count > args.max:
        print(f"... and {c.count - args.max} more")
    print(f"{path}: {c.events} events, {c.count} violation{'s' if c.count != 1 else ''}")
    return 1 if c.count else 0
