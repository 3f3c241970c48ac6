"""Three-way agreement: the model's ground truth, Stat Server's statistics, the Erlang formula.

For one scenario point (a run, or a sweep point), side by side:

* **ground truth** — the model's own count of what happened to each call
  (:mod:`sim.model.groundtruth`), over the calls arriving in [warm-up, horizon);
* **Stat Server** — the statistics the action engine and the statistics engine compute from
  the TEvents of the same run (Total_Calls_Answered, Service_Level, Average_Speed_Of_Answer,
  Occupancy, ... of the shipped library on the queue / the agent group). They cover the whole
  run, so they are compared with the ground truth over the whole run (the "truth, whole run"
  column; the same as "ground truth" without warm-up);
* **analytic** — Erlang C / A (docs/reference/capacity-references.md §3–§5) when the scenario is Erlang-like
  (:func:`sim.analysis.runner.erlang_inputs`), with a check that the value lies in the ground
  truth's confidence interval (§8).

Each simulated figure is a Student-t interval over independent replications. Conventions are
named: SL_offered / SL_answered (§5.1), Stat Server's ServiceFactor1 (docs/reference/stat-types.md §4.5, a
fourth convention: answered in the range [a, b) over answered plus abandoned after a; with the
range 0-t it is answered within t over answered plus abandoned), ASA_answered /
ASA_all (§5.2). Stat Server's time ranges count whole seconds, lower bound in, upper bound out
(``0-20`` is d < 20 s), where the ground truth counts wait <= t.
"""

from __future__ import annotations

import importlib.util
import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

from sim.analysis import ci
from sim.analysis.replications import interval, make_tasks, run_serial, values_of
from sim.analysis.runner import (
    AGREEMENT_STATS,
    WHOLE,
    ScenarioSource,
    build,
    erlang_inputs,
    run_replication,
    stat_key,
)
from sim.analysis.sweep import analytic_values


def _stat(name: str, scale: float = 1.0) -> Callable[[dict], float]:
    key = stat_key(name)
    return lambda r: r.get(key, math.nan) * scale


def _stat_ratio(num: str, den: str) -> Callable[[dict], float]:
    kn, kd = stat_key(num), stat_key(den)

    def f(r: dict) -> float:
        d = r.get(kd, math.nan)
        return r.get(kn, math.nan) / d if d else math.nan

    return f


# label, ground-truth KPI, Stat Server value (stat type text, function of a replication), analytic
ROWS: list[tuple[str, str, tuple[str, Callable[[dict], float]] | None, str | None]] = [
    ("offered (calls)", "offered", ("Total_Calls_Entered", _stat("Total_Calls_Entered")), "offered"),
    ("answered (calls)", "answered", ("Total_Calls_Answered", _stat("Total_Calls_Answered")), "answered"),
    ("abandoned (calls)", "abandoned", ("Total_Calls_Abandoned", _stat("Total_Calls_Abandoned")), "abandoned"),
    ("abandonment P_ab", "abandonment", ("Abandon_Rate / 100", _stat("Abandon_Rate", 0.01)), "abandonment"),
    ("SL_offered(t)", "service_level.offered",
     ("Total_Calls_Answered_In_Threshold / Total_Calls_Entered",
      _stat_ratio("Total_Calls_Answered_In_Threshold", "Total_Calls_Entered")), "service_level.offered"),
    ("SL_answered(t)", "service_level.answered",
     ("Percent_Answered_Within_20s / 100", _stat("Percent_Answered_Within_20s", 0.01)),
     "service_level.answered"),
    ("ServiceFactor1(t)", "service_factor1", ("Service_Level / 100", _stat("Service_Level", 0.01)), None),
    ("P_wait", "p_wait", None, "p_wait"),
    ("ASA_answered (s)", "asa", ("Average_Speed_Of_Answer", _stat("Average_Speed_Of_Answer")), "asa"),
    ("ASA_all (s)", "mean_wait_all", None, "mean_wait_all"),
    ("mean time to abandon (s)", "mean_time_to_abandon",
     ("Average_Time_To_Abandon", _stat("Average_Time_To_Abandon")), "mean_time_to_abandon"),
    ("occupancy", "occupancy", ("Occupancy / 100 (agent group)", _stat("Occupancy", 0.01)), "occupancy"),
]


@dataclass
class Row:
    label: str
    truth: ci.ConfidenceInterval | None
    truth_whole: ci.ConfidenceInterval | None
    stat_name: str | None
    stat: ci.ConfidenceInterval | None
    stat_diff: float | None          # mean over replications of (Stat Server − truth, whole run)
    analytic: float | None
    covered: bool | None             # analytic value inside the ground truth's interval


@dataclass
class Agreement:
    scenario: str
    overrides: tuple[str, ...]
    replications: int
    level: float
    warmup: float
    model: str | None                # erlang_a / erlang_c / None
    not_erlang: list[str]
    stats_available: bool
    stats_note: str
    rows: list[Row] = field(default_factory=list)


def stats_engine_available() -> bool:
    return (importlib.util.find_spec("sim.statserver.stats") is not None
            and importlib.util.find_spec("sim.statserver.engine") is not None)


def agreement(source: ScenarioSource | str, overrides: Sequence[str] = (), *, replications: int = 10,
              seed: int = 1, warmup: float = 0.0, level: float = 0.95, executor=None,
              results: list[dict] | None = None) -> Agreement:
    """Run ``replications`` (with the engines) and compare the three views; or use ``results``
    already computed with ``stats=AGREEMENT_STATS``."""
    sc = build(source, tuple(overrides))
    inputs, why = erlang_inputs(sc)
    analytic = analytic_values(inputs) if inputs is not None else {}
    if inputs is not None and not analytic:
        why = ["Erlang C needs fewer offered Erlangs than agents"]
    available = stats_engine_available()
    note = "" if available else "statistics engine (sim.statserver.stats) not installed"
    if results is None:
        tasks = make_tasks(source, overrides, replications, seed, warmup, AGREEMENT_STATS if available else ())
        results = executor.map(run_replication, tasks) if executor is not None else run_serial(run_replication, tasks)
    if available and not any(stat_key(AGREEMENT_STATS[0]) in r for r in results):
        available, note = False, "the replications were run without the statistics engine"
    if analytic and inputs is not None:
        window = float(sc.run["horizon"]) - warmup
        offered = inputs.rate * window
        analytic = {**analytic, "offered": offered, "answered": offered * (1 - analytic["abandonment"]),
                    "abandoned": offered * analytic["abandonment"]}
    rep = Agreement(str(getattr(source, "path", source)), tuple(overrides), len(results), level, warmup,
                    inputs.model if analytic and inputs is not None else None, why, available, note)
    for label, kpi, stat, akey in ROWS:
        truth = interval(values_of(results, kpi), level)
        whole = interval(values_of(results, WHOLE + kpi), level) if available else None
        s_ci = s_diff = None
        if stat is not None and available:
            vals = [stat[1](r) for r in results]
            s_ci = interval([v for v in vals if math.isfinite(v)], level)
            diffs = [v - r.get(WHOLE + kpi, math.nan) for v, r in zip(vals, results, strict=True)]
            diffs = [d for d in diffs if math.isfinite(d)]
            s_diff = math.fsum(diffs) / len(diffs) if diffs else None
            if s_diff is not None and abs(s_diff) < 1e-12:
                s_diff = 0.0
        a = analytic.get(akey) if akey else None
        if a is not None and not math.isfinite(a):
            a = None
        covered = None
        if a is not None and truth is not None and math.isfinite(truth.half_width):
            covered = a in truth
        rep.rows.append(Row(label, truth, whole, stat[0] if stat else None, s_ci, s_diff, a, covered))
    return rep


def _ci_text(c: ci.ConfidenceInterval | None) -> str:
    if c is None:
        return "—"
    if not math.isfinite(c.half_width):
        return f"{c.mean:.6g}"
    return f"{c.mean:.6g} ± {c.half_width:.3g}"


def render(rep: Agreement, console=None) -> None:
    """Print the report as a rich table."""
    from rich.console import Console
    from rich.table import Table

    console = console or Console()
    where = ", ".join(rep.overrides) or "as written"
    title = (f"Agreement — {rep.scenario} ({where}); {rep.replications} replications, "
             f"{100 * rep.level:g} % intervals, warm-up {rep.warmup:g} s")
    t = Table(title=title, title_justify="left")
    t.add_column("quantity")
    t.add_column("ground truth", justify="right")
    if rep.stats_available:
        t.add_column("truth, whole run", justify="right")
        t.add_column("Stat Server (whole run)", justify="right")
        t.add_column("SS − truth", justify="right")
        t.add_column("stat type")
    else:
        t.add_column("Stat Server", justify="right")
    t.add_column(f"analytic ({rep.model})" if rep.model else "analytic", justify="right")
    t.add_column("in CI", justify="center")
    for r in rep.rows:
        cells = [r.label, _ci_text(r.truth)]
        if rep.stats_available:
            cells += [_ci_text(r.truth_whole), _ci_text(r.stat),
                      "—" if r.stat_diff is None else f"{r.stat_diff:+.3g}", r.stat_name or "—"]
        else:
            cells += ["unavailable"]
        cells += ["—" if r.analytic is None else f"{r.analytic:.6g}",
                  "" if r.covered is None else ("yes" if r.covered else "[red]no[/red]")]
        t.add_row(*cells)
    console.print(t)
    if not rep.stats_available:
        console.print(f"Stat Server column unavailable: {rep.stats_note}.")
    if rep.model is None:
        console.print("No analytic values: not Erlang-like (" + "; ".join(rep.not_erlang) + ").")
    console.print("SL_offered / SL_answered: docs/reference/capacity-references.md §5.1; "
                  "ServiceFactor1: docs/reference/stat-types.md §4.5 "
                  "with range 0-t (answered within t / (answered + abandoned)); Stat Server ranges count whole "
                  "seconds, d < t.")


AGREEMENT_COLUMNS = ("quantity", "truth_mean", "truth_low", "truth_high", "truth_whole_mean", "stat_type",
                     "stat_mean", "stat_low", "stat_high", "stat_minus_truth", "analytic", "analytic_in_ci")


def _n(x: float | None) -> str:
    return "" if x is None or not math.isfinite(x) else repr(float(x))


def csv_rows(rep: Agreement) -> list[list[str]]:
    """The report as rows of :data:`AGREEMENT_COLUMNS` (plain numbers, empty when unavailable)."""
    rows = []
    for r in rep.rows:
        t, s = r.truth, r.stat
        rows.append([
            r.label,
            _n(t.mean if t else None), _n(t.low if t else None), _n(t.high if t else None),
            _n(r.truth_whole.mean if r.truth_whole else None),
            (r.stat_name or "") if rep.stats_available else "unavailable",
            _n(s.mean if s else None), _n(s.low if s else None), _n(s.high if s else None),
            _n(r.stat_diff), _n(r.analytic),
            "" if r.covered is None else str(r.covered).lower(),
        ])
    return rows


def write_csv(path: str, reports: Sequence[tuple[dict[str, str], Agreement]]) -> None:
    """``agreement.csv``: one block of rows per point, prefixed by the point's varied values."""
    import csv

    keys = list(reports[0][0]) if reports else []
    with open(path, "w", encoding="utf-8", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow([*keys, *AGREEMENT_COLUMNS])
        for values, rep in reports:
            for row in csv_rows(rep):
                w.writerow([*(values[k] for k in keys), *row])
