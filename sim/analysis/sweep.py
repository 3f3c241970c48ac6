"""Sweeps: a grid of scenario points, replications at each, executors, goals, ``sweep.csv``.

``sim sweep SCENARIO --vary key=start:stop:step [--vary ...]`` (docs/reference/contracts.md §5):

* **Grid.** Each ``--vary`` names a scenario key path (the ``--set`` syntax, e.g.
  ``teams[0].count`` or ``traffic[0].rate``) and an inclusive range ``start:stop:step`` (or a
  comma list). Several ``--vary`` make the Cartesian product, the first one outermost; the
  first key is *the* swept key of plots and goals.
* **Replications.** Every point runs the same replication indexes with the same seeds (common
  random numbers, :mod:`sim.analysis.replications`), so differences between points are not
  blurred by different random numbers.
* **Executors.** Serial, a local process pool (``--workers N``) or an existing Dask cluster
  (``--scheduler ADDRESS``). Tasks are independent and self-contained; results are put back in
  task order, so ``sweep.csv`` and ``replications.csv`` are byte-identical whatever ran them.
* **Analytic overlay.** Where a point is Erlang-like (:func:`sim.analysis.runner.erlang_inputs`)
  its Erlang C / A values (:mod:`sim.analysis.erlang`) sit next to the simulated ones.
* **Goals.** ``service_level>=0.8``, ``abandonment<=0.05``, ... (the grammar of
  :func:`sim.analysis.erlang.parse_goal`) are judged on the confidence bound, not the mean: a
  ``>=`` goal is met when the interval's lower bound is at least the bound, a ``<=`` goal when
  its upper bound is at most it. The answer is the smallest swept value meeting every goal (for
  each combination of the other varied keys).
"""

from __future__ import annotations

import csv
import io
import itertools
import json
import math
import os
import re
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from typing import Any

from sim.analysis import ci, erlang
from sim.analysis.replications import kpi_names, make_tasks, run_serial, summarise
from sim.analysis.runner import (
    ErlangInputs,
    ScenarioSource,
    Task,
    build,
    erlang_inputs,
    resolve_stats,
    run_replication,
)
from sim.errors import UserError

MAX_POINTS = 10_000
_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_\-]*(\[\d+\])*(\.[A-Za-z_][A-Za-z0-9_\-]*(\[\d+\])*)*$")
_NUMBER = re.compile(r"^[+-]?(\d+(\.\d*)?|\.\d+)([eE][+-]?\d+)?$")
_INT = re.compile(r"^[+-]?\d+$")

# KPIs the plots and the analytic overlay know; the QueueResult field each maps to.
ANALYTIC = {
    "abandonment": lambda q: q.abandonment,
    "service_level.offered": lambda q: q.service_level.offered,
    "service_level.answered": lambda q: q.service_level.answered,
    "service_level.virtual": lambda q: q.service_level.virtual,
    "p_wait": lambda q: q.p_wait,
    "asa": lambda q: q.asa,
    "mean_wait_all": lambda q: q.mean_wait_all,
    "mean_time_to_abandon": lambda q: q.mean_time_to_abandon,
    "occupancy": lambda q: q.occupancy,
}


# --------------------------------------------------------------------------- --vary


@dataclass(frozen=True)
class Vary:
    key: str
    values: tuple[str, ...]   # as TOML value text, e.g. "14" or "0.5"

    def numbers(self) -> list[float]:
        return [float(v) for v in self.values]


def _fmt(x: float) -> str:
    y = float(f"{x:.12g}")
    return str(int(y)) if y.is_integer() else repr(y)


def parse_vary(text: str) -> Vary:
    """``key=start:stop:step`` (inclusive; integers stay integers) or ``key=v1,v2,...``."""
    if "=" not in text:
        raise UserError(f"expected key=start:stop:step, got {text!r}", where="--vary")
    key, spec = (s.strip() for s in text.split("=", 1))
    if not _KEY.match(key):
        raise UserError(f"bad key path {key!r} (e.g. teams[0].count)", where="--vary")
    if ":" in spec:
        parts = [p.strip() for p in spec.split(":")]
        if len(parts) != 3 or not all(_NUMBER.match(p) for p in parts):
            raise UserError(f"{key}: expected start:stop:step with three numbers, got {spec!r}", where="--vary")
        start, stop, step = (float(p) for p in parts)
        if step == 0 or not all(math.isfinite(x) for x in (start, stop, step)):
            raise UserError(f"{key}: the step must be a finite non-zero number", where="--vary")
        if (stop - start) * step < 0:
            raise UserError(f"{key}: step {parts[2]} does not lead from {parts[0]} to {parts[1]}",
                            where="--vary")
        n = math.floor((stop - start) / step + 1e-9) + 1
        if n > MAX_POINTS:
            raise UserError(f"{key}: {n} values (at most {MAX_POINTS})", where="--vary")
        integers = all(_INT.match(p) for p in parts)
        values = [str(int(parts[0]) + i * int(parts[2])) if integers else _fmt(start + i * step)
                  for i in range(n)]
    else:
        values = [v.strip() for v in spec.split(",")]
        if not values or not all(_NUMBER.match(v) for v in values):
            raise UserError(f"{key}: expected start:stop:step or a comma list of numbers, got {spec!r}",
                            where="--vary")
        values = [v if _INT.match(v) else _fmt(float(v)) for v in values]
    return Vary(key, tuple(values))


def grid(varies: Sequence[Vary]) -> list[tuple[str, ...]]:
    """Every combination of the varied values, the first key outermost."""
    return list(itertools.product(*(v.values for v in varies)))


def point_overrides(varies: Sequence[Vary], values: Sequence[str]) -> tuple[str, ...]:
    return tuple(f"{v.key}={x}" for v, x in zip(varies, values, strict=True))


# --------------------------------------------------------------------------- goals


@dataclass(frozen=True)
class SweepGoal:
    goal: erlang.Goal
    kpi: str
    text: str

    def met(self, interval: ci.ConfidenceInterval | None) -> bool:
        """Judged on the confidence bound (the pessimistic end of the interval)."""
        if interval is None or not math.isfinite(interval.half_width):
            return False
        if self.goal.op == ">=":
            return interval.low >= self.goal.bound
        return interval.high <= self.goal.bound

    def met_value(self, value: float | None) -> bool:
        if value is None or not math.isfinite(value):
            return False
        return value >= self.goal.bound if self.goal.op == ">=" else value <= self.goal.bound


def parse_sweep_goal(text: str) -> SweepGoal:
    """``service_level>=0.8``, ``abandonment<=0.05``, ``asa<=20`` (seconds), ... (erlang grammar)."""
    try:
        g = erlang.parse_goal(text)
    except ValueError as exc:
        raise UserError(str(exc), where="--goal") from None
    if g.metric == "blocking":
        raise UserError(f"{text!r}: blocking is an Erlang B (loss system) goal; a sweep measures "
                        "queues", where="--goal")
    if g.metric == "service_level":
        if g.convention == "virtual":
            raise UserError(f"{text!r}: the virtual service level is not measured by the simulation; "
                            "use service_level.offered or service_level.answered", where="--goal")
        kpi = f"service_level.{g.convention}"
    else:
        kpi = g.metric
    return SweepGoal(g, kpi, str(g))


# --------------------------------------------------------------------------- executors


class SerialExecutor:
    """Runs tasks one after the other in this process."""

    name = "serial"
    workers = 1

    def map(self, fn: Callable[[Any], Any], items: Sequence[Any], on_done: Callable[[], None] | None = None) -> list:
        return run_serial(fn, items, on_done)

    def close(self) -> None:
        """A serial executor holds no workers."""

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()


class PoolExecutor(SerialExecutor):
    """A local process pool (``concurrent.futures.ProcessPoolExecutor``).

    Workers are forked at once, while this process has no other thread (cheap: they inherit the
    imported model); if threads already run (a Dask client, a progress bar) forking could
    deadlock, so the pool then starts them from a forkserver (or spawn) instead.
    """

    name = "pool"

    def __init__(self, workers: int):
        import multiprocessing
        import threading
        from concurrent.futures import ProcessPoolExecutor

        self.workers = workers
        methods = multiprocessing.get_all_start_methods()
        if "fork" in methods and threading.active_count() == 1:
            method = "fork"
        else:
            method = "forkserver" if "forkserver" in methods else "spawn"
        ctx = multiprocessing.get_context(method)
        if method == "forkserver":
            ctx.set_forkserver_preload(["sim.analysis.runner", "sim.model.model", "sim.scenario.load"])
        self.start_method = method
        self._pool = ProcessPoolExecutor(max_workers=workers, mp_context=ctx)
        if method == "fork":   # fork every worker now, before any other thread exists
            self._pool.submit(int).result()

    def map(self, fn, items, on_done=None) -> list:
        from concurrent.futures import as_completed

        futures = {self._pool.submit(fn, item): i for i, item in enumerate(items)}
        out: list[Any] = [None] * len(items)
        try:
            for fut in as_completed(futures):
                out[futures[fut]] = fut.result()
                if on_done is not None:
                    on_done()
        except BaseException:
            for fut in futures:
                fut.cancel()
            raise
        return out

    def close(self) -> None:
        self._pool.shutdown(wait=True, cancel_futures=True)


class DaskExecutor(SerialExecutor):
    """Tasks on an existing Dask distributed cluster (``dask.distributed.Client(address)``)."""

    name = "dask"

    def __init__(self, address: str, timeout: float = 10.0):
        try:
            from dask.distributed import Client
        except ImportError:
            raise UserError("dask.distributed is not installed (pip install 'dask[distributed]')",
                            where="--scheduler") from None
        try:
            self._client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError, ValueError) as exc:
            raise UserError(f"cannot connect to the Dask scheduler {address!r}: {exc}", where="--scheduler") from None
        self.workers = max(1, sum(self._client.nthreads().values()))

    def map(self, fn, items, on_done=None) -> list:
        from dask.distributed import as_completed

        futures = self._client.map(fn, list(items), pure=False)
        index = {f.key: i for i, f in enumerate(futures)}
        out: list[Any] = [None] * len(futures)
        try:
            for fut in as_completed(futures, loop=self._client.loop):
                out[index[fut.key]] = fut.result()
                if on_done is not None:
                    on_done()
        except BaseException:
            self._client.cancel(futures)
            raise
        return out

    def close(self) -> None:
        self._client.close()


def make_executor(workers: int | None = None, scheduler: str | None = None):
    """Dask if ``scheduler`` is given; else a pool of ``workers`` (default: the CPUs), 1 = serial."""
    if scheduler:
        if workers is not None:
            raise UserError("give either --workers or --scheduler, not both", where="--scheduler")
        return DaskExecutor(scheduler)
    if workers is None:
        workers = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else (os.cpu_count() or 1)
    if workers < 1:
        raise UserError(f"must be at least 1, got {workers}", where="--workers")
    return SerialExecutor() if workers == 1 else PoolExecutor(workers)


# --------------------------------------------------------------------------- the sweep


@dataclass
class Point:
    index: int
    values: tuple[str, ...]
    overrides: tuple[str, ...]
    results: list[dict] = field(default_factory=list)
    summary: dict[str, ci.ConfidenceInterval | None] = field(default_factory=dict)
    erlang: ErlangInputs | None = None
    analytic: dict[str, float] = field(default_factory=dict)
    not_erlang: list[str] = field(default_factory=list)


@dataclass
class Sweep:
    source: ScenarioSource
    varies: list[Vary]
    sets: tuple[str, ...]
    replications: int
    seed: int
    warmup: float
    level: float
    stats: tuple[str, ...] = ()
    points: list[Point] = field(default_factory=list)

    @property
    def key(self) -> str:
        return self.varies[0].key

    def kpis(self) -> list[str]:
        return kpi_names([r for p in self.points for r in p.results])


def plan(source: ScenarioSource, varies: Sequence[Vary], sets: Sequence[str] = (),
         warmup: float = 0.0, stats: Sequence[str] = ()) -> list[Point]:
    """The points of the grid, each checked by loading its scenario (bad keys / values fail here,
    before anything runs) and classified Erlang-like or not."""
    keys = [v.key for v in varies]
    dup = {k for k in keys if keys.count(k) > 1}
    if dup:
        raise UserError(f"{sorted(dup)[0]}: varied twice", where="--vary")
    if not varies:
        raise UserError("give at least one --vary key=start:stop:step", where="--vary")
    base = build(source, tuple(sets))   # errors here belong to --set / the file
    if stats:
        resolve_stats(base, tuple(stats))
    horizon = float(base.run["horizon"])
    if not 0.0 <= warmup < horizon:
        raise UserError(f"{warmup:g} s must lie in [0, horizon = {horizon:g} s)", where="--warmup")
    combos = grid(varies)
    if len(combos) > MAX_POINTS:
        raise UserError(f"{len(combos)} points (at most {MAX_POINTS})", where="--vary")
    points = []
    for i, values in enumerate(combos):
        ovr = point_overrides(varies, values)
        try:
            sc = build(source, (*sets, *ovr))
        except UserError as exc:
            raise UserError(f"{', '.join(ovr)}: {_strip_where(exc)}", where="--vary") from None
        if not 0.0 <= warmup < float(sc.run["horizon"]):
            raise UserError(f"{', '.join(ovr)}: the warm-up {warmup:g} s is not shorter than the horizon",
                            where="--vary")
        inputs, why = erlang_inputs(sc)
        p = Point(i, values, ovr, erlang=inputs, not_erlang=why)
        if inputs is not None:
            p.analytic = analytic_values(inputs)
            if not p.analytic:
                p.not_erlang = ["Erlang C needs fewer offered Erlangs than agents"]
        points.append(p)
    return points


def _strip_where(exc: UserError) -> str:
    """The message without the loader's ``--set`` prefix (the value came from --vary here)."""
    text = str(exc)
    if exc.where == "--set" and text.startswith("--set: "):
        return text[len("--set: "):]
    return text


def analytic_values(inputs: ErlangInputs) -> dict[str, float]:
    """Erlang C / A values (seconds) at the first SL threshold; empty if the formula has none."""
    target = inputs.thresholds[0] if inputs.thresholds else 20.0
    try:
        q = erlang.queue_metrics(inputs.rate, inputs.aht, inputs.agents, patience=inputs.patience,
                                 target=target)
    except ValueError:
        return {}
    return {k: float(f(q)) for k, f in ANALYTIC.items()}


def run_sweep(source: ScenarioSource, varies: Sequence[Vary], *, replications: int = 10, seed: int = 1,
              warmup: float = 0.0, sets: Sequence[str] = (), level: float = 0.95, stats: Sequence[str] = (),
              executor=None, progress: bool = False) -> Sweep:
    """Plan the grid, run every replication of every point, summarise each point."""
    if replications < 1:
        raise UserError(f"must be at least 1, got {replications}", where="--replications")
    if not 0.0 < level < 1.0:
        raise UserError(f"must lie strictly between 0 and 1, got {level:g}", where="--level")
    sweep = Sweep(source, list(varies), tuple(sets), replications, seed, float(warmup), level, tuple(stats))
    sweep.points = plan(source, varies, sets, warmup, stats)
    tasks: list[Task] = []
    for p in sweep.points:
        tasks.extend(make_tasks(source, (*sets, *p.overrides), replications, seed, warmup, stats, p.index))
    executor = executor or SerialExecutor()
    bar = _progress(len(tasks), executor, progress)
    try:
        results = executor.map(run_replication, tasks, bar.update if bar is not None else None)
    finally:
        if bar is not None:
            bar.close()
    for task, res in zip(tasks, results, strict=True):
        sweep.points[task.point].results.append(res)
    for p in sweep.points:
        p.summary = summarise(p.results, level)
    return sweep


def _progress(total: int, executor, enabled: bool):
    if not enabled:
        return None
    from tqdm import tqdm

    return tqdm(total=total, file=sys.stderr, unit="rep", dynamic_ncols=True,
                desc=f"sweep ({executor.name}, {executor.workers} worker{'s' * (executor.workers != 1)})")


# --------------------------------------------------------------------------- goals on a sweep


@dataclass
class GoalAnswer:
    others: tuple[str, ...]          # values of the other varied keys
    simulated: str | None            # smallest swept value meeting every goal on the CI bound
    analytic: str | None             # the same judged on the Erlang values (None if unavailable)
    analytic_available: bool


def _smallest(points: Sequence[Point]) -> str | None:
    return min(points, key=lambda p: float(p.values[0])).values[0] if points else None


def evaluate_goals(sweep: Sweep, goals: Sequence[SweepGoal]) -> list[GoalAnswer]:
    """For each combination of the other keys, the smallest first-key value meeting every goal."""
    groups: dict[tuple[str, ...], list[Point]] = {}
    for p in sweep.points:
        groups.setdefault(p.values[1:], []).append(p)
    out = []
    for others, pts in groups.items():
        sim_ok = [p for p in pts if all(g.met(p.summary.get(g.kpi)) for g in goals)]
        has_analytic = all(p.analytic for p in pts)
        an_ok = [p for p in pts if p.analytic and all(g.met_value(p.analytic.get(g.kpi)) for g in goals)]
        out.append(GoalAnswer(others, _smallest(sim_ok), _smallest(an_ok) if has_analytic else None,
                              has_analytic))
    return out


# --------------------------------------------------------------------------- files


def _num(x: float | None) -> str:
    if x is None or not math.isfinite(x):
        return ""
    return repr(float(x))


def sweep_table(sweep: Sweep) -> tuple[list[str], list[list[str]]]:
    """Header and rows of sweep.csv: one row per point."""
    kpis = sweep.kpis()
    analytic = [k for k in ANALYTIC if any(k in p.analytic for p in sweep.points)]
    header = [v.key for v in sweep.varies] + ["replications", "erlang_model"]
    for k in kpis:
        header += [f"{k}_mean", f"{k}_low", f"{k}_high", f"{k}_n"]
    header += [f"{k}_erlang" for k in analytic]
    rows = []
    for p in sweep.points:
        row = [*p.values, str(len(p.results)), p.erlang.model if p.analytic and p.erlang else ""]
        for k in kpis:
            c = p.summary.get(k)
            if c is None:
                row += ["", "", "", "0"]
            else:
                row += [_num(c.mean), _num(c.low), _num(c.high), str(c.n)]
        row += [_num(p.analytic.get(k)) for k in analytic]
        rows.append(row)
    return header, rows


def _csv_text(header: list[str], rows: list[list[str]]) -> str:
    buf = io.StringIO()
    w = csv.writer(buf, lineterminator="\n")
    w.writerow(header)
    w.writerows(rows)
    return buf.getvalue()


def sweep_csv(sweep: Sweep) -> str:
    return _csv_text(*sweep_table(sweep))


def replications_csv(sweep: Sweep) -> str:
    """One row per point and replication: the raw KPIs (and the seed used)."""
    kpis = sweep.kpis()
    header = [v.key for v in sweep.varies] + ["replication", "seed"] + kpis
    rows = []
    seeds = make_tasks(sweep.source, (), sweep.replications, sweep.seed)
    for p in sweep.points:
        for i, r in enumerate(p.results):
            rows.append([*p.values, str(i), str(seeds[i].seed)] + [_num(r.get(k)) for k in kpis])
    return _csv_text(header, rows)


def write_outputs(sweep: Sweep, out_dir: str, goals: Sequence[SweepGoal] = (),
                  answers: Sequence[GoalAnswer] = ()) -> dict[str, str]:
    """sweep.csv, replications.csv and sweep.json in ``out_dir``; returns name -> path."""
    try:
        os.makedirs(out_dir, exist_ok=True)
    except OSError as exc:
        raise UserError(f"cannot create output folder: {exc.strerror}", where=out_dir) from None
    paths = {}
    for name, text in (("sweep.csv", sweep_csv(sweep)), ("replications.csv", replications_csv(sweep))):
        path = os.path.join(out_dir, name)
        with open(path, "w", encoding="utf-8", newline="") as fh:
            fh.write(text)
        paths[name] = path
    meta = {
        "scenario": sweep.source.path,
        "vary": [{"key": v.key, "values": list(v.values)} for v in sweep.varies],
        "set": list(sweep.sets),
        "replications": sweep.replications,
        "seed": sweep.seed,
        "replication_seeds": [t.seed for t in make_tasks(sweep.source, (), sweep.replications, sweep.seed)],
        "warmup": sweep.warmup,
        "level": sweep.level,
        "stats": list(sweep.stats),
        "definitions": {
            "window": "KPIs count calls arriving in [warmup, horizon); occupancy is busy / logged-in time "
                      "over the same window",
            "service_level.offered": "answered within t / offered (docs/reference/capacity-references.md §5.1)",
            "service_level.answered": "answered within t / answered (§5.1)",
            "asa": "mean wait of answered calls, s (ASA_answered, §5.2)",
            "mean_wait_all": "mean wait of answered and abandoned calls, s (ASA_all, §5.2)",
            "interval": "Student-t interval over replications at the given level (§8)",
            "goal": "met when the interval's pessimistic bound meets the goal",
        },
        "points": [{"values": list(p.values), "erlang_like": bool(p.analytic),
                    "not_erlang": p.not_erlang} for p in sweep.points],
        "goals": [g.text for g in goals],
        "goal_answers": [{"others": dict(zip([v.key for v in sweep.varies[1:]], a.others, strict=True)),
                          "smallest": a.simulated, "smallest_analytic": a.analytic} for a in answers],
    }
    path = os.path.join(out_dir, "sweep.json")
    with open(path, "w", encoding="utf-8") as fh:
        json.dump(meta, fh, indent=2)
        fh.write("\n")
    paths["sweep.json"] = path
    return paths
