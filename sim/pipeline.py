"""The one-way pipeline every TEvent source feeds: trace -> action engine -> records -> files.

``sim run`` (the model), ``sim replay`` (a file) and tests all push TEvents through
:class:`Pipeline`. It writes, incrementally (memory does not grow with the number of events):
``events.jsonl`` (optional: a replay already has it), ``actions.jsonl`` and ``statuses.jsonl``
(docs/reference/contracts.md §3), and, when the statistics engine is present, ``stats.csv`` (contract 4).
With ``store="parquet"`` the records go to column buffers instead (sim.runstore.writer):
``actions.parquet``, ``statuses.parquet`` and ``stats.parquet``.
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from mypy_extensions import mypyc_attr

from sim.objects import Objects, dump_objects
from sim.report.binning import RunFeed
from sim.statserver.engine import ActionEngine
from sim.statserver.lines import LineEncoder
from sim.statserver.records import Action, GroupStatus, Request, StatusChange
from sim.statserver.stats.definitions import load_stattypes
from sim.statserver.stats.engine import StatEngine
from sim.statserver.stats.output import Notifier, StatsCsvWriter
from sim.tlib.event import TEvent
from sim.tlib.writer import TraceWriter


@dataclass
class PipelineSummary:
    events: int = 0
    actions: int = 0
    statuses: int = 0
    requests: int = 0
    problems: int = 0
    first_time: float | None = None
    last_time: float | None = None
    by_action: Counter = field(default_factory=Counter)

    def line(self) -> str:
        first, last = self.first_time, self.last_time
        span = 0.0 if first is None or last is None else last - first
        return (f"{self.events} events over {span:.0f} s -> {self.actions} actions, "
                f"{self.statuses} status changes, {self.requests} requests"
                + (f", {self.problems} problems" if self.problems else ""))


@mypyc_attr(allow_interpreted_subclasses=True)
class Pipeline:
    """Feed TEvents in emission order; ``close()`` flushes everything.

    ``problem_log``: when given, the engine's warnings about each event (``engine.problems``)
    are moved there, each prefixed with the event's time, switch and name. ``plot_feed``: when
    given, it is fed the records of each event too (the run plots, sim.report.binning)."""

    def __init__(self, objects: Objects, out_dir: str | None, *, write_events: bool = True,
                 stattypes: str | None = None, with_stats: bool = True,
                 notify_every: float = 900.0, write_objects: bool = True,
                 problem_log: list[str] | None = None, plot_feed: RunFeed | None = None,
                 store: str = "jsonl") -> None:
        self.objects = objects
        self.engine = ActionEngine(objects)
        self.summary = PipelineSummary()
        self._encoder = LineEncoder()
        self.out_dir = out_dir
        self.problem_log = problem_log
        self.plot_feed = plot_feed
        self._files: list[IO[bytes]] = []
        self._events: TraceWriter | None = None
        self._actions: IO[bytes] | None = None
        self._statuses: IO[bytes] | None = None
        self.stats: StatsStage | None = None
        self._columns: Any = None      # store="parquet": sim.runstore.writer.RecordColumns
        if out_dir is not None:
            os.makedirs(out_dir, exist_ok=True)
            if write_objects:
                dump_objects(objects, os.path.join(out_dir, "objects.toml"))
            if write_events:
                self._events = TraceWriter(self._open(out_dir, "events.jsonl"))
            if store == "parquet":
                from sim.runstore.writer import RecordColumns
                self._columns = RecordColumns(out_dir)
            else:
                self._actions = self._open(out_dir, "actions.jsonl")
                self._statuses = self._open(out_dir, "statuses.jsonl")
        if with_stats:
            self.stats = StatsStage(objects, stattypes, out_dir, notify_every, store)

    def _open(self, out_dir: str, name: str) -> IO[bytes]:
        fh = open(os.path.join(out_dir, name), "wb", buffering=1 << 20)
        self._files.append(fh)
        return fh

    def feed(self, ev: TEvent) -> list[Any]:
        """Run one TEvent through the engine (raises EngineInputError for unknown objects)."""
        engine = self.engine
        records = engine.feed(ev)
        if engine.problems and self.problem_log is not None:
            self.problem_log.extend(f"{ev.time:.6f} {ev.switch} {ev.event}: {p}" for p in engine.problems)
            engine.problems.clear()
        s = self.summary
        t = ev.time
        if s.first_time is None:
            s.first_time = t
        s.last_time = t
        s.events += 1
        if self._events is not None:
            self._events.write(ev)
        actions_fh, statuses_fh = self._actions, self._statuses
        if actions_fh is None or statuses_fh is None:
            n_actions, n_statuses, n_requests = _count(records)
            if self._columns is not None:
                self._columns.add(records)
        else:
            actions, statuses, n_actions, n_statuses, n_requests = self._encoder.encode(records)
            # one write per TEvent and file (the lines are ASCII unless the data is not)
            if actions:
                actions_fh.write(actions.encode())
            if statuses:
                statuses_fh.write(statuses.encode())
        s.actions += n_actions
        s.statuses += n_statuses
        s.requests += n_requests
        if self.stats is not None:
            self.stats.feed_many(records)
        if self.plot_feed is not None:
            self.plot_feed.feed(records)
        return records

    def close(self, end_time: float | None = None) -> PipelineSummary:
        if self.stats is not None:
            self.stats.close(end_time if end_time is not None else (self.summary.last_time or 0.0))
        for fh in self._files:
            fh.close()
        self._files = []
        if self._columns is not None:
            self._columns.close()
            self._columns = None
        return self.summary

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._files:
            for fh in self._files:
                fh.close()
        if self._columns is not None:
            self._columns.close()


def _count(records: list[Any]) -> tuple[int, int, int]:
    """Actions, statuses and requests among ``records`` (a pipeline without files)."""
    n_actions = n_statuses = n_requests = 0
    for r in records:
        t = type(r)
        if t is Action:
            n_actions += 1
        elif t is StatusChange or t is GroupStatus:
            n_statuses += 1
        elif t is Request:
            n_requests += 1
    return n_actions, n_statuses, n_requests


class StatsStage:
    """The statistics stage: engine records -> StatEngine -> stats.csv notifications."""

    def __init__(self, objects: Objects, stattypes: str | None, out_dir: str | None,
                 notify_every: float, store: str = "jsonl") -> None:
        self.engine = StatEngine(objects, load_stattypes(stattypes))
        self.writer: StatsCsvWriter | None = None
        # store="parquet": the notifier collects its rows, moved to stats.parquet as they come
        self.columns: Any = None
        if out_dir and store == "parquet":
            from sim.runstore.writer import StatColumns
            self.columns = StatColumns(out_dir)
        elif out_dir:
            self.writer = StatsCsvWriter(os.path.join(out_dir, "stats.csv"))
        self.notifier = Notifier(self.engine, self.writer, notify_every)

    def feed_many(self, records: list[Any]) -> None:
        notifier = self.notifier
        notifier.feed_many(records)
        if notifier.collected and self.columns is not None:
            self.columns.write_rows(notifier.collected)
            notifier.collected.clear()

    def close(self, end_time: float) -> None:
        self.notifier.close(end_time)
        if self.writer is not None:
            self.writer.close()
        if self.columns is not None:
            self.columns.write_rows(self.notifier.collected)
            self.notifier.collected.clear()
            self.columns.close()

