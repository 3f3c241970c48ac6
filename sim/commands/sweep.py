"""``sim sweep``: replications over a grid of scenario points (docs/reference/contracts.md §5).

    sim sweep SCENARIO.toml --vary key=start:stop:step [--vary ...] [--replications N]
              [--goal EXPR]... [--workers N | --scheduler ADDRESS] [--out DIR] [--seed N]
              [--warmup S] [--set key=value]... [--level L] [--stat NAME]... [--agreement]

Writes ``sweep.csv`` (one row per point: mean and interval of every KPI, the Erlang values
where the point is Erlang-like), ``replications.csv`` (every replication's KPIs), ``sweep.json``
(settings, seeds, goal answers) and ``plots/`` into DIR. Times in seconds. See
:mod:`sim.analysis.sweep` for the grid, seeds, executors and how goals are judged.
"""

from __future__ import annotations

import math
import os
import sys

from sim.errors import UserError

HELP = "replications over a grid of scenario points: sweep.csv, CIs, Erlang overlay, goals, plots"


def configure(parser) -> None:
    parser.add_argument("scenario", help="scenario TOML file")
    parser.add_argument("--vary", action="append", default=[], metavar="KEY=START:STOP:STEP",
                        help="a scenario key and its inclusive range, e.g. teams[0].count=10:16:1 "
                             "(or KEY=V1,V2,...); repeatable: the grid is the product, the first "
                             "key is the x axis of plots and goals")
    parser.add_argument("--replications", type=int, default=10, metavar="N",
                        help="independent replications per point (default 10)")
    parser.add_argument("--goal", action="append", default=[], metavar="EXPR",
                        help="e.g. service_level>=0.8, abandonment<=0.05, asa<=20 (seconds); "
                             "repeatable; judged on the confidence bound")
    ex = parser.add_mutually_exclusive_group()
    ex.add_argument("--workers", type=int, default=None, metavar="N",
                    help="local worker processes (default: one per CPU; 1 = serial)")
    ex.add_argument("--scheduler", default=None, metavar="ADDRESS",
                    help="run on an existing Dask distributed cluster, e.g. tcp://10.0.0.5:8786")
    parser.add_argument("--out", default="sweep", help="output folder (default: sweep)")
    parser.add_argument("--seed", type=int, default=None,
                        help="base seed of the replications (default: the scenario's run.seed)")
    parser.add_argument("--warmup", type=float, default=0.0, metavar="S",
                        help="ignore calls arriving in the first S seconds (default 0)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key for every point (repeatable)")
    parser.add_argument("--level", type=float, default=0.95, metavar="L",
                        help="confidence level of the intervals (default 0.95)")
    parser.add_argument("--stat", action="append", default=[], metavar="NAME[@TYPE:OBJECT]",
                        help="also report a Stat Server statistic computed from the TEvents "
                             "(runs the engines; e.g. Total_Calls_Answered)")
    parser.add_argument("--agreement", action="store_true",
                        help="print the three-way report (ground truth, Stat Server, Erlang) per point")
    parser.add_argument("--no-plots", action="store_true", help="do not write plots/")
    parser.add_argument("--no-progress", action="store_true", help="no progress bar on stderr")
    parser.add_argument("--allow-large", action="store_true",
                        help="run even if the work estimate is beyond the limits (docs/decisions.md, Bounded work)")
    parser.add_argument("--overwrite", action="store_true",
                        help="replace --out even when it holds files that are not a sim output")


def run(args) -> int:
    from rich.console import Console

    from sim.analysis import agreement as agr
    from sim.analysis import runner, sweep

    if not args.vary and not args.agreement:
        raise UserError("give at least one --vary key=start:stop:step", where="--vary")
    varies = [sweep.parse_vary(v) for v in args.vary]
    goals = [sweep.parse_sweep_goal(g) for g in args.goal]
    if args.replications < 1:
        raise UserError(f"must be at least 1, got {args.replications}", where="--replications")
    if args.agreement and args.replications < 2:
        raise UserError("the agreement report needs at least 2 replications", where="--replications")
    if not math.isfinite(args.warmup) or args.warmup < 0:
        raise UserError(f"must be a non-negative number of seconds, got {args.warmup:g}", where="--warmup")
    if args.seed is not None and args.seed < 0:
        raise UserError(f"must not be negative, got {args.seed}", where="--seed")
    source = runner.read_scenario(args.scenario)
    base = runner.build(source, tuple(args.set))
    seed = args.seed if args.seed is not None else int(base.run["seed"])
    from sim.scenario.estimate import preflight_sweep
    preflight_sweep(base, source, varies, args.set, args.replications, allow_large=args.allow_large)
    stats = list(dict.fromkeys(args.stat))
    if args.agreement:
        if agr.stats_engine_available():
            stats += [s for s in runner.AGREEMENT_STATS if s not in stats]
    from sim.outdir import check_out_dir, staged_dir
    check_out_dir(args.out, (args.scenario,), args.overwrite)     # before hours of replications
    console = Console(stderr=False)
    if not varies:          # --agreement alone: the scenario as written is the one point
        return _agreement_only(args, source, seed, console)
    with sweep.make_executor(args.workers, args.scheduler) as executor:
        result = sweep.run_sweep(source, varies, replications=args.replications, seed=seed,
                                 warmup=args.warmup, sets=args.set, level=args.level, stats=tuple(stats),
                                 executor=executor, progress=not args.no_progress)
    answers = sweep.evaluate_goals(result, goals) if goals else []
    with staged_dir(args.out, inputs=(args.scenario,), overwrite=args.overwrite) as tmp:
        sweep.write_outputs(result, tmp, goals, answers)
        if not args.no_plots:
            from sim.report.sweep_plots import write_sweep_plots

            write_sweep_plots(result, tmp)
        _print_table(console, result)
        if answers:
            _print_goals(result, goals, answers)
        if args.agreement:
            reports = []
            for p in result.points:
                rep = agr.agreement(source, (*args.set, *p.overrides), replications=args.replications,
                                    seed=seed, warmup=args.warmup, level=args.level, results=p.results)
                agr.render(rep, console)
                reports.append((dict(zip((v.key for v in result.varies), p.values, strict=True)), rep))
            agr.write_csv(os.path.join(tmp, "agreement.csv"), reports)
    print(f"{len(result.points)} points x {result.replications} replications -> "
          f"{os.path.join(args.out, 'sweep.csv')}", file=sys.stdout)
    # a goal no swept value meets: the sweep ran and found a problem (exit code 1)
    return 1 if any(a.simulated is None for a in answers) else 0


def _agreement_only(args, source, seed: int, console) -> int:
    """``sim sweep SCENARIO --agreement`` without --vary: the three-way report of one point."""
    from sim.analysis import agreement as agr
    from sim.analysis import sweep

    sweep.plan(source, [sweep.Vary("run.seed", (str(seed),))], args.set, args.warmup)  # validates
    with sweep.make_executor(args.workers, args.scheduler) as executor:
        rep = agr.agreement(source, tuple(args.set), replications=args.replications, seed=seed,
                            warmup=args.warmup, level=args.level, executor=executor)
    agr.render(rep, console)
    from sim.outdir import staged_dir
    with staged_dir(args.out, inputs=(args.scenario,), overwrite=args.overwrite) as tmp:
        agr.write_csv(os.path.join(tmp, "agreement.csv"), [({}, rep)])
    path = os.path.join(args.out, "agreement.csv")
    print(f"{rep.replications} replications -> {path}")
    return 0


def _cell(c, analytic=None, scale=1.0, digits=4) -> str:
    if c is None:
        return "—"
    text = f"{c.mean * scale:.{digits}g}"
    if math.isfinite(c.half_width):
        text += f" ± {c.half_width * scale:.2g}"
    if analytic is not None and math.isfinite(analytic):
        text += f" ({analytic * scale:.{digits}g})"
    return text


def _print_table(console, result) -> None:
    from rich.table import Table

    t = Table(title=f"{result.source.path}: {result.replications} replications per point, "
                    f"{100 * result.level:g} % intervals (Erlang value in parentheses)", title_justify="left")
    for v in result.varies:
        t.add_column(v.key, justify="right")
    cols = [("SL offered", "service_level.offered"), ("ASA ans. (s)", "asa"),
            ("abandonment", "abandonment"), ("occupancy", "occupancy")]
    for head, _ in cols:
        t.add_column(head, justify="right")
    for p in result.points:
        t.add_row(*p.values, *(_cell(p.summary.get(k), p.analytic.get(k)) for _, k in cols))
    console.print(t)


def _print_goals(result, goals, answers) -> None:
    goal_text = ", ".join(g.text for g in goals)
    level = f"{100 * result.level:g} %"
    for a in answers:
        ctx = ", ".join(f"{v.key}={x}" for v, x in zip(result.varies[1:], a.others, strict=True))
        ctx = f" [{ctx}]" if ctx else ""
        sim = a.simulated if a.simulated is not None else "none of the swept values"
        line = f"goals {goal_text}{ctx}: smallest {result.key} = {sim} (judged on the {level} bound)"
        if a.analytic_available:
            line += f"; Erlang: {a.analytic if a.analytic is not None else 'none'}"
        print(line)
