"""Independent replications: seeds, warm-up, and a confidence interval for every KPI.

docs/reference/capacity-references.md §8: a simulated KPI is judged by a Student-t interval built from
independent replications, never by a fixed tolerance. Here:

* **Seeds.** Replication *i* of a study with base seed *s* runs with the model seed
  ``SeedSequence(s, spawn_key=(i,))`` reduced to 32 bits — the *i*-th child of
  ``SeedSequence(s).spawn(...)``. It depends on (s, i) only: every sweep point uses the same seed
  for the same replication index (common random numbers), adding replications keeps the
  earlier ones, and the model derives one stream per purpose from it (sim.model.rng).
* **Warm-up.** KPIs count the calls arriving in [warm-up, horizon) and the agents' time over
  that window (see :mod:`sim.analysis.runner`); the system starts empty.
* **Summaries.** :func:`summarise` gives a :class:`~sim.analysis.ci.ConfidenceInterval` per KPI
  (values a replication could not define, such as the mean time to abandon without an abandon,
  are left out and the interval says how many remain).

Replications are :class:`~sim.analysis.runner.Task` objects run by an executor
(:mod:`sim.analysis.sweep`: serial, process pool or Dask); results come back in task order.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from sim.analysis import ci
from sim.analysis.runner import ScenarioSource, Task, read_scenario, run_replication


def replication_seed(base_seed: int, index: int) -> int:
    """The model seed of replication ``index`` (0-based) of a study seeded with ``base_seed``."""
    if base_seed < 0 or index < 0:
        raise ValueError("seeds and replication indexes are non-negative")
    ss = np.random.SeedSequence(int(base_seed), spawn_key=(int(index),))
    return int(ss.generate_state(1, np.uint32)[0])


def replication_seeds(base_seed: int, n: int) -> list[int]:
    return [replication_seed(base_seed, i) for i in range(n)]


def make_tasks(source: ScenarioSource | str, overrides: Sequence[str] = (), replications: int = 10,
               seed: int = 1, warmup: float = 0.0, stats: Sequence[str] = (), point: int = 0) -> list[Task]:
    """The replication tasks of one scenario point."""
    if isinstance(source, str):
        source = read_scenario(source)
    if replications < 1:
        raise ValueError("at least one replication")
    return [Task(source, tuple(overrides), replication_seed(seed, i), float(warmup), tuple(stats), point, i)
            for i in range(replications)]


def run_serial(fn: Callable[[Any], Any], items: Sequence[Any], on_done: Callable[[], None] | None = None) -> list:
    out = []
    for item in items:
        out.append(fn(item))
        if on_done is not None:
            on_done()
    return out


def replicate(source: ScenarioSource | str, overrides: Sequence[str] = (), replications: int = 10,
              seed: int = 1, warmup: float = 0.0, stats: Sequence[str] = (), executor=None) -> list[dict]:
    """Run the replications of one point; one KPI dict per replication, in index order.

    ``executor`` is anything with ``map(fn, items) -> list`` in item order (sim.analysis.sweep);
    ``None`` runs them here, one after the other.
    """
    tasks = make_tasks(source, overrides, replications, seed, warmup, stats)
    if executor is None:
        return run_serial(run_replication, tasks)
    return executor.map(run_replication, tasks)


def kpi_names(results: Sequence[dict]) -> list[str]:
    """Every KPI name, in order of first appearance (deterministic)."""
    names: dict[str, None] = {}
    for r in results:
        for k in r:
            names.setdefault(k, None)
    return list(names)


def values_of(results: Sequence[dict], name: str) -> list[float]:
    """The finite values of one KPI across replications."""
    out = []
    for r in results:
        v = r.get(name)
        if v is not None and math.isfinite(v):
            out.append(float(v))
    return out


def interval(values: Sequence[float], level: float = 0.95) -> ci.ConfidenceInterval | None:
    return ci.confidence_interval(values, level) if values else None


def summarise(results: Sequence[dict], level: float = 0.95) -> dict[str, ci.ConfidenceInterval | None]:
    """KPI name -> Student-t interval at ``level`` over the replications (None: no value)."""
    return {name: interval(values_of(results, name), level) for name in kpi_names(results)}
