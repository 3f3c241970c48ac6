"""A run folder as pandas DataFrames: :func:`open_run`, and :func:`run` / :func:`replay` that
make one from a notebook.

Each table is read when first asked for, from its Parquet file when the folder has one, else
from its JSON-lines or CSV file; either way the frame has the columns and dtypes of
:mod:`sim.runstore.schema`.
"""

from __future__ import annotations

import functools
import io
import json
import os
import tempfile
from typing import Any

from sim.errors import UserError
from sim.runstore.columns import arrow_table, read_text
from sim.runstore.schema import TABLES, Table, frame


class RunStoreError(UserError):
    """A folder that is not a readable run (one line, naming the folder or file)."""


def incomplete_reason(path: str) -> str | None:
    """The reason a folder holding ``incomplete.json`` (a failed or interrupted run) gives."""
    p = os.path.join(path, "incomplete.json")
    if not os.path.exists(p):
        return None
    try:
        with open(p, encoding="utf-8") as fh:
            info = json.load(fh)
        return str(info.get("reason") or "no reason given") if isinstance(info, dict) else "unreadable"
    except (OSError, ValueError):
        return "incomplete.json unreadable"


def check_run_folder(path: str) -> None:
    if not os.path.isdir(path):
        raise RunStoreError("no such run folder" if not os.path.exists(path) else "not a folder",
                            where=path)
    reason = incomplete_reason(path)
    if reason is not None:
        raise RunStoreError(f"incomplete run ({reason}); run it again", where=path)


def table_file(path: str, spec: Table) -> str | None:
    """The file holding ``spec`` in run folder ``path`` (Parquet first), or None."""
    for name in (spec.parquet, spec.text):
        p = os.path.join(path, name)
        if os.path.exists(p):
            return p
    return None


def read_frame(path: str, spec: Table) -> Any:
    """The DataFrame of table ``spec`` in run folder ``path``."""
    p = table_file(path, spec)
    if p is None:
        raise RunStoreError(f"no {spec.name} table ({spec.parquet} or {spec.text})", where=path)
    if p.endswith(".parquet"):
        import pyarrow.parquet as pq
        return frame(pq.read_table(p, columns=spec.names), spec)

    def fail(problem: str) -> None:
        raise RunStoreError(problem)

    return frame(arrow_table(read_text(p, spec, fail), spec), spec)


class Run:
    """One run folder: ``events``, ``actions``, ``statuses``, ``stats``, ``calls`` and
    ``truth`` are pandas DataFrames read on first use; ``summary`` (summary.json) and
    ``objects`` (objects.toml) are None when the folder has none (a replay)."""

    def __init__(self, path: str, *, keep: Any = None, problems: list[str] | None = None) -> None:
        check_run_folder(path)
        self.path = path
        self.problems = problems or []    # what sim.replay reported about its trace
        self._keep = keep                 # a TemporaryDirectory living as long as the Run

    def __repr__(self) -> str:
        return f"Run({self.path!r}, format={self.format!r})"

    @property
    def format(self) -> str:
        """``parquet`` when the records are stored as Parquet, else ``jsonl``."""
        return "parquet" if os.path.exists(os.path.join(self.path, "actions.parquet")) else "jsonl"

    def table(self, name: str) -> Any:
        if name not in TABLES:
            raise KeyError(f"no table {name!r}; the tables are {', '.join(TABLES)}")
        return getattr(self, name)

    @functools.cached_property
    def events(self) -> Any:
        return read_frame(self.path, TABLES["events"])

    @functools.cached_property
    def actions(self) -> Any:
        return read_frame(self.path, TABLES["actions"])

    @functools.cached_property
    def statuses(self) -> Any:
        return read_frame(self.path, TABLES["statuses"])

    @functools.cached_property
    def stats(self) -> Any:
        return read_frame(self.path, TABLES["stats"])

    @functools.cached_property
    def calls(self) -> Any:
        return read_frame(self.path, TABLES["calls"])

    @functools.cached_property
    def truth(self) -> Any:
        return read_frame(self.path, TABLES["truth"])

    @functools.cached_property
    def summary(self) -> dict | None:
        p = os.path.join(self.path, "summary.json")
        if not os.path.exists(p):
            return None
        with open(p, encoding="utf-8") as fh:
            return json.load(fh)

    @functools.cached_property
    def objects(self) -> Any:
        p = os.path.join(self.path, "objects.toml")
        if not os.path.exists(p):
            return None
        from sim.objects import load_objects
        return load_objects(p)


def open_run(path: str | os.PathLike) -> Run:
    """The run in folder ``path`` (written by ``sim run``, ``sim replay`` or ``sim export``,
    in either format). A failed or interrupted run (``incomplete.json``) is refused."""
    return Run(os.fspath(path))


def _out(out: str | os.PathLike | None) -> tuple[str, Any]:
    if out is not None:
        return os.fspath(out), None
    tmp = tempfile.TemporaryDirectory(prefix="sim-run-")
    return tmp.name, tmp


def _sets(overrides: dict[str, Any], prefix: str = "") -> list[str]:
    """``run={"horizon": 3600}`` or ``**{"run.horizon": 3600}`` -> ``["run.horizon=3600"]``
    (values as TOML, the form ``sim run --set`` reads)."""
    import tomli_w
    out = []
    for key, value in overrides.items():
        path = f"{prefix}{key}"
        if isinstance(value, dict):
            out += _sets(value, path + ".")
        else:
            out.append(f"{path}={tomli_w.dumps({'v': value})[4:].strip()}")
    return out


def run(scenario: str | os.PathLike, out: str | os.PathLike | None = None, *, seed: int | None = None,
        store: str = "parquet", stattypes: str | None = None, plots: bool = False,
        **overrides: Any) -> Run:
    """Simulate ``scenario`` (a TOML file) like ``sim run`` and return the run. ``out=None``:
    a temporary folder, deleted when the Run is. ``overrides`` are scenario keys, nested
    (``run={"horizon": 3600}``) or dotted (``**{"teams[0].count": 12}``). ``plots=True``
    writes plots/ as ``sim run`` does (the same PNGs from either store)."""
    from sim.scenario.load import load_scenario
    from sim.simulation import simulate
    if store not in ("jsonl", "parquet"):
        raise UserError(f"store must be 'jsonl' or 'parquet', got {store!r}")
    sc = load_scenario(os.fspath(scenario), _sets(overrides), seed)
    path, keep = _out(out)
    plot_feed = None
    if plots:
        from sim.report.binning import RunFeed
        plot_feed = RunFeed(path)
    simulate(sc, path, stattypes=stattypes, plot_feed=plot_feed, store=store)
    if plots:
        from sim.report.plots import write_run_plots
        write_run_plots(path, feed=plot_feed)
    return Run(path, keep=keep)


def replay(trace: str | os.PathLike, objects: Any, out: str | os.PathLike | None = None, *,
           store: str = "parquet", stattypes: str | None = None, notify_every: float = 900.0,
           stats: bool = True) -> Run:
    """Replay a trace (events.jsonl or events.parquet) like ``sim replay`` and return the
    run; ``objects`` is an objects.toml path or a :class:`sim.objects.Objects`. The problems
    ``sim replay`` would print are in ``Run.problems``."""
    from sim.objects import Objects, dump_objects, load_objects
    from sim.pipeline import Pipeline
    from sim.simulation import replay_file
    objs = objects if isinstance(objects, Objects) else load_objects(os.fspath(objects))
    path, keep = _out(out)
    os.makedirs(path, exist_ok=True)
    dump_objects(objs, os.path.join(path, "objects.toml"))
    err = io.StringIO()
    replay_file(os.fspath(trace), objs, path, stattypes=stattypes, with_stats=stats,
                notify_every=notify_every, Pipeline=Pipeline, err=err, store=store)
    problems = [line for line in err.getvalue().splitlines() if not line.startswith("sim replay:")]
    return Run(path, keep=keep, problems=problems)
