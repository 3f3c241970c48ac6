"""``sim export DIR --format jsonl|parquet|csv --out DIR2``: convert a run folder.

The tables (events, actions, statuses, stats, calls, truth) are streamed from whichever
format ``DIR`` holds them in to the format asked for; the other files are copied. Bad lines
of the input are reported as ``FILE:LINE: reason`` and skipped (exit code 2); the input is
never written to.
"""

from __future__ import annotations

import sys

HELP = "convert a run folder between JSON lines, Parquet and CSV (docs/formats.md)"


def configure(p) -> None:
    p.add_argument("run", metavar="DIR", help="run folder (sim run, sim replay or sim export)")
    p.add_argument("--format", required=True, choices=("jsonl", "parquet", "csv"),
                   help="jsonl: the JSON-lines and CSV files of sim run --store jsonl; parquet: one "
                        "TABLE.parquet per table (the trace too); csv: one TABLE.csv per table")
    p.add_argument("--out", required=True, metavar="DIR2",
                   help="new output folder (must not exist, or be empty)")


def run(args) -> int:
    from sim.runstore.export import export
    problems: list[str] = []

    def report(problem: str) -> None:
        problems.append(problem)
        print(problem, file=sys.stderr)

    counts = export(args.run, args.out, args.format, report)
    rows = ", ".join(f"{name} {n}" for name, n in counts.items())
    print(f"sim export: {args.run} -> {args.out} ({args.format}): {rows or 'no tables'}")
    return 2 if problems else 0
