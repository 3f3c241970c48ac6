"""``sim explain SCENARIO.toml | --trace EVENTS.jsonl --objects objects.toml``: the timeline.

One row per TEvent: time, DN, event and its key attributes, the actions it started, ended or
fired, the status changes of DN, place and agent, and (``--stat NAME``) the values of chosen
statistics that changed. ``--dn``, ``--agent`` and ``--conn`` keep the rows that concern a DN,
an agent or a call; ``--limit N`` stops after N rows. A scenario is simulated in memory (the
model's TEvents go straight to the engine, nothing is written); the simulation stops as soon
as ``--limit`` rows are shown. The rows come from :mod:`sim.report.explain`.
"""

from __future__ import annotations

import csv
import sys
from collections.abc import Iterable, Iterator
from typing import IO

from sim.errors import UserError, existing_file

HELP = "explain a scenario or trace: one row per TEvent with its actions, statuses and statistics"

# How the actions column marks each kind of record (in the engine's order).
MARKS = {"start": ("+", "green"), "end": ("-", "red"), "retro": ("*", "yellow"),
         "moment": ("*", "yellow"), "problem": ("!", "bold red")}


def configure(p) -> None:
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                   help="scenario to simulate in memory (or give --trace and --objects)")
    p.add_argument("--trace", metavar="EVENTS.jsonl", help="explain a recorded trace instead")
    p.add_argument("--objects", metavar="objects.toml", help="configuration for --trace")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key, e.g. --set run.horizon=600 (repeatable)")
    p.add_argument("--seed", type=int, default=None, help="random seed (overrides run.seed)")
    p.add_argument("--dn", help="only rows about this DN (6001 or 6001@SW1)")
    p.add_argument("--agent", help="only rows about this agent (employee id or login id)")
    p.add_argument("--conn", metavar="CONNID", help="only rows about this call (ConnID)")
    p.add_argument("--stat", action="append", default=[], metavar="NAME[:OBJECT]",
                   help="show changes of this statistic (repeatable), e.g. Total_Calls_Answered:7000@SW1")
    p.add_argument("--stattypes", metavar="FILE.ini", help="stat type definitions (default: the shipped library)")
    p.add_argument("--limit", type=int, default=None, metavar="N", help="show at most N rows")
    p.add_argument("--format", choices=("text", "csv"), default="text",
                   help="text: a table; csv: one line per row (default: %(default)s)")
    p.add_argument("--width", type=int, default=None, metavar="COLUMNS",
                   help="table width in characters (default: the terminal's, 200 when not a terminal)")


# ------------------------------------------------------------------------------ sources
class _Enough(Exception):
    """Raised from the model's TEvent sink once ``--limit`` rows are collected."""


def scenario_rows(sc, filt=None, stat_names=(), stattypes=None, limit=None, progress=None) -> list:
    """Simulate scenario ``sc`` in memory and return its explain rows (at most ``limit``);
    ``progress`` (a sim.progress.Progress over the horizon) follows the simulated time."""
    from sim.model.model import ContactCenter
    from sim.report.explain import Explainer
    explainer = _explainer(sc.objects(), filt, stat_names, stattypes)
    rows: list = []

    def sink(ev) -> None:
        if limit is not None and len(rows) >= limit:
            raise _Enough       # stops the simulation (SimPy re-raises it from env.run)
        row = explainer.feed(ev)
        if row is not None:
            rows.append(row)
    cc = ContactCenter(sc, sink)
    if progress is not None:
        from sim.progress import follow_simulation
        follow_simulation(cc.env, progress, cc.env.now, float(cc.horizon))
    try:
        cc.run()
    except _Enough:
        pass
    assert isinstance(explainer, Explainer)
    return rows


def trace_rows(path: str, objects, filt=None, stat_names=(), stattypes=None,
               limit=None, err: IO[str] | None = None, problems: list | None = None,
               progress=None) -> Iterator:
    """Explain rows of a recorded trace (streaming); bad lines are reported on ``err``
    (default: stderr) and appended to ``problems``; ``progress`` (a sim.progress.Progress
    over the file's bytes) follows the reading."""
    from sim.problems import LIMIT, ProblemLines
    lines = ProblemLines(err if err is not None else sys.stderr, LIMIT)

    def report(problem) -> None:
        lines(problem)
        if problems is not None:
            problems.append(problem)

    explainer = _explainer(objects, filt, stat_names, stattypes)
    n = 0
    for row in explainer.rows(_trace_events(path, report, progress)):
        yield row
        n += 1
        if limit is not None and n >= limit:
            break
    lines.summarise()


def _trace_events(path: str, report, progress) -> Iterator:
    """The TEvents of ``path``, updating ``progress`` every few thousand events."""
    from sim.progress import EVERY
    from sim.tlib.trace import read_events
    with open(path, "rb") as fh:
        if progress is None or not progress.enabled:
            yield from read_events(fh, path, report)
            return
        for n, ev in enumerate(read_events(fh, path, report), 1):
            if n % EVERY == 0:
                progress.update(fh.tell())
            yield ev
        progress.close()


def _explainer(objects, filt, stat_names, stattypes):
    from sim.report.explain import Explainer, watches_for
    from sim.statserver.engine import ActionEngine
    stats, watch = None, []
    if stat_names:
        from sim.statserver.stats import StatEngine, load_stattypes
        lib = load_stattypes(stattypes)
        names = {s.partition(":")[0] for s in stat_names}
        unknown = sorted(n for n in names if n not in lib.types)
        if unknown:
            raise UserError(f"unknown stat type {unknown[0]!r} (see the stat type library)",
                            where="--stat")
        stats = StatEngine(objects, [lib[n] for n in sorted(names)])
        try:
            watch = watches_for(stats, stat_names)
        except KeyError as exc:
            raise UserError(exc.args[0], where="--stat") from None
    return Explainer(ActionEngine(objects), stats, watch, filt)


# ------------------------------------------------------------------------------ rendering
def render_text(rows: Iterable, file: IO[str] | None = None, width: int | None = None,
                 show_stats: bool = False) -> int:
    """Print ``rows`` as a table (rich); return the number of rows.

    The started, ended and fired actions share one column, in the order the engine emitted
    them, marked ``+``, ``-`` and ``*``."""
    from rich import box
    from rich.console import Console
    from rich.table import Table
    from rich.text import Text
    file = file if file is not None else sys.stdout
    if width is None and not file.isatty():
        width = 200
    console = Console(file=file, width=width, highlight=False, soft_wrap=False)
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, expand=True,
                  caption="+ started   - ended   * fired (momentary or retrospective)",
                  caption_justify="left")
    table.add_column("time (UTC)", style="dim", no_wrap=True)
    table.add_column("DN", no_wrap=True)
    table.add_column("event", style="bold", no_wrap=True)
    table.add_column("attributes", overflow="fold", ratio=3)
    table.add_column("actions", overflow="fold", ratio=4)
    table.add_column("status changes", style="cyan", overflow="fold", ratio=4)
    if show_stats:
        table.add_column("statistics", style="magenta", overflow="fold", ratio=3)
    n = 0
    for row in rows:
        actions = Text()
        for kind, name in (*row.actions, *(("problem", p) for p in row.problems)):
            mark, style = MARKS[kind]
            if actions:
                actions.append("\n")
            actions.append(f"{mark} {name}", style=style)
        cells = [row.clock(), row.dn or row.switch, row.event, "\n".join(row.attributes), actions,
                 "\n".join(row.statuses)]
        if show_stats:
            cells.append("\n".join(row.stats))
        table.add_row(*cells)
        n += 1
    console.print(table)
    return n


def render_csv(rows: Iterable, file: IO[str] | None = None, show_stats: bool = True) -> int:
    """Write ``rows`` as CSV (multi-valued cells joined with '; '); return the row count."""
    from sim.report.explain import COLUMNS
    file = file if file is not None else sys.stdout
    w = csv.writer(file, lineterminator="\n")
    cols = [c for c in COLUMNS if show_stats or c != "stats"]
    w.writerow(["epoch"] + cols)
    n = 0
    for row in rows:
        cells = row.cells(sep="; ")
        w.writerow([f"{row.time:.6f}"] + [cells[c] for c in cols])
        n += 1
    return n


def trace_objects(args):
    """The objects file of ``--trace EVENTS --objects FILE`` (sim explain, sim serve), after
    checking that the two go together and exist; bad input raises UserError."""
    if args.scenario:
        raise UserError("give a scenario or --trace, not both")
    existing_file(args.trace)
    if not args.objects:
        raise UserError("--objects is required with --trace (the configuration the engine needs)")
    existing_file(args.objects)
    from sim.objects import load_objects
    return load_objects(args.objects)


def run(args) -> int:
    from sim.report.explain import Filter
    if args.limit is not None and args.limit < 1:
        raise UserError("must be at least 1", where="--limit")
    if args.width is not None and args.width < 40:
        raise UserError("must be at least 40", where="--width")
    if args.stattypes:
        existing_file(args.stattypes)
    filt = Filter(args.dn, args.agent, args.conn)
    problems: list = []
    if args.trace:
        objects = trace_objects(args)
        _check_filter(filt, objects)
        from sim.progress import file_progress
        # a bar only while the output waits (a table, or csv into a file): not across csv lines
        bar = args.format == "text" or not sys.stdout.isatty()
        rows = trace_rows(args.trace, objects, filt, args.stat, args.stattypes, args.limit,
                          problems=problems,
                          progress=file_progress(f"sim explain {args.trace}", args.trace,
                                                 enabled=None if bar else False))
    elif args.scenario:
        existing_file(args.scenario)
        from sim.progress import sim_progress
        from sim.scenario.load import load_scenario
        sc = load_scenario(args.scenario, args.set, args.seed)
        _check_filter(filt, sc.objects())
        with sim_progress(f"sim explain {sc.run['name']}", float(sc.run["horizon"])) as progress:
            rows = scenario_rows(sc, filt, args.stat, args.stattypes, args.limit, progress)
    else:
        raise UserError("give a scenario, or --trace EVENTS.jsonl --objects objects.toml")
    rows = _counting(rows, problems)
    if args.conn is not None:
        # a ConnID is only known from the events: no row about it is bad input, as an unknown --agent
        rows = list(rows)
        if not rows:
            raise UserError(f"no row about ConnID {args.conn!r} in the "
                            f"{'trace' if args.trace else 'simulated calls'}", where="--conn")
    if args.format == "csv":
        render_csv(rows, show_stats=bool(args.stat))
    else:
        render_text(rows, width=args.width, show_stats=bool(args.stat))
    # a viewer still signals bad input like every other command: exit code 2
    return 2 if problems else 0


def _counting(rows, problems: list):
    for row in rows:
        problems.extend(row.problems)
        yield row


def _check_filter(filt, objects) -> None:
    """A filter naming no configured object is a user error, not an empty table."""
    if filt.dn is not None:
        numbers = {d.split("@")[0] for d in objects.dns}
        if filt.dn not in objects.dns and filt.dn not in numbers:
            raise UserError(f"DN {filt.dn!r} is not in the configuration", where="--dn")
    if filt.agent is not None:
        if filt.agent not in objects.agents and filt.agent not in objects.agent_by_login:
            raise UserError(f"agent {filt.agent!r} is not in the configuration", where="--agent")
