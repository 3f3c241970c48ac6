"""``sim plot DIR [--stat NAME]...``: PNG plots from a run's output folder into DIR/plots/.

For a run folder (what ``sim run`` / ``sim replay`` write): agent and DN state timelines,
agents per status, calls waiting, intraday calls and service level, and the time series of
the stat types named with ``--stat`` (from stats.csv). A run stored as Parquet
(``--store parquet``) gives the same plots from its .parquet files. For a sweep folder (one holding
sweep.csv) the sweep curves of :mod:`sim.report.sweep_plots`.
"""

from __future__ import annotations

import importlib
import importlib.util
import os
import sys

from sim.errors import UserError

HELP = "plots from a run's (or a sweep's) output folder, written to DIR/plots/"

RUN_FILES = ("statuses.jsonl", "actions.jsonl", "calls.csv", "stats.csv",
             "statuses.parquet", "actions.parquet", "calls.parquet", "stats.parquet")


def configure(p) -> None:
    p.add_argument("dir", metavar="DIR", help="output folder of sim run, sim replay or sim sweep")
    p.add_argument("--stat", action="append", default=None, metavar="NAME",
                   help="also plot this stat type's values over time from stats.csv or stats.parquet "
                        "(repeatable)")


def run(args) -> int:
    d = args.dir
    if not os.path.isdir(d):
        raise UserError("no such folder", where=d)
    problems: list[str] = []
    from sim.report.run_folder import check_complete
    try:
        check_complete(d)           # a failed or interrupted run (or sweep): refused with its reason
    except ValueError as exc:
        raise UserError(str(exc)) from None
    from sim.outdir import staged_plots
    if os.path.exists(os.path.join(d, "sweep.csv")):
        with staged_plots(d):
            paths = _sweep_plots(d)
    else:
        from sim.report.plots import write_run_plots
        if not any(os.path.exists(os.path.join(d, f)) for f in RUN_FILES):
            raise UserError(f"not a run folder (none of {', '.join(RUN_FILES)})", where=d)
        if args.stat and not any(os.path.exists(os.path.join(d, f)) for f in ("stats.csv", "stats.parquet")):
            raise UserError("--stat needs stats.csv or stats.parquet in the folder", where=d)
        try:
            # a file that cannot be read: one line each, the other plots still drawn
            with staged_plots(d):
                paths = write_run_plots(d, stats=args.stat, problems=problems)
        except ValueError as exc:
            raise UserError(str(exc)) from None
    for p in paths:
        print(p)
    for problem in problems:
        print(f"sim plot: error: {problem}", file=sys.stderr)
    return 2 if problems else 0


def _sweep_plots(d: str) -> list[str]:
    """Delegate to the sweep plots module: it re-plots a sweep folder when it offers a
    function taking the folder (``plot_sweep_dir(DIR) -> paths``)."""
    mod = None
    if importlib.util.find_spec("sim.report.sweep_plots") is not None:
        mod = importlib.import_module("sim.report.sweep_plots")
    fn = getattr(mod, "plot_sweep_dir", None) if mod is not None else None
    if fn is None:
        raise UserError("re-plotting a sweep folder is not supported yet "
                        "(sim sweep writes its plots into DIR/plots/)", where=d)
    return [str(p) for p in fn(d)]
