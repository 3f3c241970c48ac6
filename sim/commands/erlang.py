"""``sim erlang``: analytic Erlang B / C / A figures and staffing to goals (docs/reference/contracts.md §5).

    sim erlang --rate R --aht S (--agents N [--patience S] | --trunks N) [--target T] [--json]
    sim erlang --rate R --aht S [--patience S] --goal EXPR [--goal EXPR]... [--json]

Units on the command line: arrival rates in calls per hour, times in seconds. ``--target`` is
the service-level threshold t (default 20 s), not a goal. Without ``--patience`` the queue is
Erlang C; with it, Erlang A (exponential patience of that mean). ``--trunks`` is a loss system
(Erlang B, no queue). ``--goal`` asks for the smallest agent count meeting every goal, e.g.
``service_level>=0.8`` (convention offered unless named: ``service_level.answered>=0.8``),
``asa<=20``, ``abandonment<=0.05``, ``occupancy<=0.85``, ``p_wait<=0.3``,
``mean_wait_all<=30``; a ``blocking<=0.02`` goal sizes Erlang B trunks instead.
Formulas and conventions: docs/reference/capacity-references.md §2–§5 (:mod:`sim.analysis.erlang`).
"""

from __future__ import annotations

import json
import math

from sim.analysis import erlang
from sim.errors import UserError

HELP = "Erlang B/C/A figures (SL, ASA, abandonment, occupancy) and the smallest staffing for goals."


def configure(parser) -> None:
    parser.add_argument(
        "--rate", type=float, required=True, metavar="R", help="arrival rate, calls per hour"
    )
    parser.add_argument(
        "--aht", type=float, required=True, metavar="S", help="mean handle time, seconds"
    )
    size = parser.add_mutually_exclusive_group()
    size.add_argument("--agents", type=int, metavar="N", help="agents answering a queue")
    size.add_argument(
        "--trunks", type=int, metavar="N", help="lines of a loss system (Erlang B, no queue)"
    )
    parser.add_argument(
        "--patience",
        type=float,
        metavar="S",
        help="mean patience in seconds (exponential): Erlang A; omitted: Erlang C",
    )
    parser.add_argument(
        "--target",
        type=float,
        default=20.0,
        metavar="T",
        help="service-level threshold in seconds (default 20)",
    )
    parser.add_argument(
        "--goal",
        action="append",
        default=[],
        metavar="EXPR",
        help="find the smallest agent count meeting it, e.g. service_level>=0.8, asa<=20, "
        "abandonment<=0.05 (repeatable; service_level means service_level.offered)",
    )
    parser.add_argument("--json", action="store_true", help="print one JSON object")


# --------------------------------------------------------------------------- input checks


def _number(value: float, option: str, what: str, *, allow_zero: bool = False) -> float:
    if math.isnan(value) or math.isinf(value) or value < 0 or (value == 0 and not allow_zero):
        kind = "a non-negative" if allow_zero else "a positive"
        raise UserError(f"{option} must be {kind} finite number of {what}, got {value:g}")
    return value


def _goals(texts: list[str]) -> list[erlang.Goal]:
    goals = []
    for text in texts:
        try:
            goals.append(erlang.parse_goal(text))
        except ValueError as exc:
            raise UserError(f"--goal: {exc}") from None
    return goals


def run(args) -> int:
    rate_per_hour = _number(args.rate, "--rate", "calls per hour")
    aht = _number(args.aht, "--aht", "seconds")
    target = _number(args.target, "--target", "seconds", allow_zero=True)
    patience = args.patience
    if patience is not None:
        if math.isnan(patience) or patience <= 0:
            raise UserError(f"--patience must be a positive number of seconds, got {patience:g}")
        if math.isinf(patience):
            patience = None  # infinitely patient callers: Erlang C
    goals = _goals(args.goal)
    rate = erlang.per_hour(rate_per_hour)
    traffic = rate * aht
    inputs = {"rate": rate_per_hour, "aht": aht}

    if args.trunks is not None:
        if args.patience is not None:
            raise UserError("--patience applies to a queue (--agents); --trunks has no queue")
        if goals:
            raise UserError("--goal finds the size itself; omit --trunks")
        if args.trunks < 1:
            raise UserError(f"--trunks must be at least 1, got {args.trunks}")
        result = erlang.loss_system(rate, aht, args.trunks)
        _print_loss(args, inputs, result, [])
        return 0

    if args.agents is not None:
        if goals:
            raise UserError("--goal finds the agent count itself; omit --agents")
        if args.agents < 1:
            raise UserError(f"--agents must be at least 1, got {args.agents}")
        if patience is None and traffic >= args.agents:
            raise UserError(
                f"--agents {args.agents} cannot carry {traffic:g} Erlangs (rate x aht) without "
                "abandonment (Erlang C needs more agents than Erlangs); add agents or give --patience"
            )
        result = _compute(erlang.queue_metrics, rate, aht, args.agents, patience=patience,
                          target=target)
        _print_queue(args, inputs, patience, target, result, [])
        return 0

    if not goals:
        raise UserError("give --agents N, --trunks N or at least one --goal")

    blocking = [g for g in goals if g.metric == "blocking"]
    if blocking:
        if len(blocking) != len(goals):
            raise UserError("--goal: blocking (Erlang B trunks) cannot be mixed with queue goals")
        if args.patience is not None:
            raise UserError("--patience applies to a queue; a blocking goal sizes a loss system")
        bound = min(g.bound for g in blocking)
        trunks = _compute(erlang.trunks_for_blocking, traffic, bound)
        _print_loss(args, inputs, erlang.loss_system(rate, aht, trunks), blocking)
        return 0

    staffing = _compute(erlang.staff, rate, aht, goals, patience=patience, target=target)
    _print_queue(args, inputs, patience, target, staffing.result, goals)
    return 0


def _compute(func, *args, **kwargs):
    """Run an analysis function; its ValueError (out of range, unattainable) is user input."""
    try:
        return func(*args, **kwargs)
    except ValueError as exc:
        raise UserError(str(exc)) from None


# --------------------------------------------------------------------------- output


def _dump(obj: dict) -> None:
    print(json.dumps(obj, allow_nan=False))


def _print_queue(args, inputs, patience, target, result: erlang.QueueResult, goals) -> None:
    if args.json:
        obj = {**inputs, "patience": patience, "target": target, **result.to_dict()}
        obj["units"] = {"rate": "calls/hour", "time": "s"}
        if goals:
            obj["goals"] = [{"goal": str(g), "value": g.value(result), "met": g.met(result)}
                            for g in goals]
        _dump(obj)
        return

    from rich.console import Console
    from rich.table import Table

    model = "Erlang A" if result.model == "erlang_a" else "Erlang C"
    title = f"{model}: {inputs['rate']:g} calls/h, AHT {inputs['aht']:g} s, {result.agents} agents"
    if patience is not None:
        title += f", mean patience {patience:g} s"
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    sl = result.service_level
    rows = [
        ("offered load", f"{result.traffic:.4f} Erl"),
        ("P(wait)", _pct(result.p_wait)),
        (f"service level ≤ {target:g} s, offered", _pct(sl.offered)),
        (f"service level ≤ {target:g} s, answered", _pct(sl.answered)),
        (f"service level ≤ {target:g} s, virtual", _pct(sl.virtual)),
        ("ASA (answered calls)", f"{result.asa:.3f} s"),
        ("mean wait, all calls", f"{result.mean_wait_all:.3f} s"),
        ("mean wait, delayed calls", f"{result.mean_wait_delayed:.3f} s"),
        ("abandonment", _pct(result.abandonment)),
    ]
    if not math.isnan(result.mean_time_to_abandon):
        rows.append(("mean time to abandon", f"{result.mean_time_to_abandon:.3f} s"))
    rows += [
        ("occupancy", _pct(result.occupancy)),
        ("mean queue length", f"{result.queue_length:.4f}"),
    ]
    for row in rows:
        table.add_row(*row)
    console = Console()
    if goals:
        console.print(f"smallest agent count meeting {', '.join(map(str, goals))}: "
                      f"[bold]{result.agents}[/bold]")
    console.print(table)


def _print_loss(args, inputs, result: erlang.LossResult, goals) -> None:
    if args.json:
        obj = {**inputs, **result.to_dict(), "units": {"rate": "calls/hour", "time": "s"}}
        if goals:
            obj["goals"] = [{"goal": str(g), "value": g.value(result), "met": g.met(result)}
                            for g in goals]
        _dump(obj)
        return

    from rich.console import Console
    from rich.table import Table

    title = (f"Erlang B: {inputs['rate']:g} calls/h, AHT {inputs['aht']:g} s, "
             f"{result.trunks} trunks")
    table = Table(title=title, show_header=True, header_style="bold")
    table.add_column("quantity")
    table.add_column("value", justify="right")
    table.add_row("offered load", f"{result.traffic:.4f} Erl")
    table.add_row("blocking", _pct(result.blocking))
    table.add_row("carried load", f"{result.carried:.4f} Erl")
    table.add_row("trunk occupancy", _pct(result.occupancy))
    console = Console()
    if goals:
        console.print(f"smallest trunk count meeting {', '.join(map(str, goals))}: "
                      f"[bold]{result.trunks}[/bold]")
    console.print(table)


def _pct(x: float) -> str:
    return f"{x:.6f} ({100 * x:.2f} %)"
