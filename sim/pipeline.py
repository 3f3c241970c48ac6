"""The one-way pipeline every TEvent source feeds: trace -> action engine -> records -> files.

``sim run`` (the model), ``sim replay`` (a file) and tests all push TEvents through
:class:`Pipeline`. It writes, incrementally (memory does not grow with the number of events):
``events.jsonl`` (optional: a replay already has it), ``actions.jsonl`` and ``statuses.jsonl``
(DESIGN contract 3), and, when the statistics engine is present, ``stats.csv`` (contract 4).
"""

from __future__ import annotations

import os
from collections import Counter
from dataclasses import dataclass, field
from typing import IO, Any

from sim.objects import Objects, dump_objects
from sim.statserver.engine import ActionEngine
from sim.statserver.records import Action, GroupStatus, LineEncoder, Request, StatusChange
from sim.tlib.trace import TraceWriter


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
        span = 0.0 if self.first_time is None else self.last_time - self.first_time
        return (f"{self.events} events over {span:.0f} s -> {self.actions} actions, "
                f"{self.statuses} status changes, {self.requests} requests"
                + (f", {self.problems} problems" if self.problems else ""))


class Pipeline:
    """Feed TEvents in emission order; ``close()`` flushes everything."""

    def __init__(self, objects: Objects, out_dir: str | None, *, write_events: bool = True,
                 stattypes: str | None = None, with_stats: bool = True,
                 notify_every: float = 900.0, write_objects: bool = True):
        self.objects = objects
        self.engine = ActionEngine(objects)
        self.summary = PipelineSummary()
        self._encode = LineEncoder().encode
        self.out_dir = out_dir
        self._files: list[IO[bytes]] = []
        self._events = self._actions = self._statuses = None
        self.stats = None
        if out_dir is not None:
            os.makedirs(out_dir, exist_ok=True)
            if write_objects:
                dump_objects(objects, os.path.join(out_dir, "objects.toml"))
            if write_events:
                self._events = TraceWriter(self._open("events.jsonl"))
            self._actions = self._open("actions.jsonl")
            self._statuses = self._open("statuses.jsonl")
        if with_stats:
            self.stats = _make_stats(objects, stattypes, out_dir, notify_every)

    def _open(self, name: str) -> IO[bytes]:
        fh = open(os.path.join(self.out_dir, name), "wb", buffering=1 << 20)
        self._files.append(fh)
        return fh

    def feed(self, ev) -> list:
        """Run one TEvent through the engine (raises EngineInputError for unknown objects)."""
        records = self.engine.feed(ev)
        s = self.summary
        t = ev.time
        if s.first_time is None:
            s.first_time = t
        s.last_time = t
        s.events += 1
        if self._events is not None:
            self._events.write(ev)
        if self._actions is None:
            n_actions, n_statuses, n_requests = _count(records)
        else:
            actions, statuses, n_actions, n_statuses, n_requests = self._encode(records)
            # one write per TEvent and file (the lines are ASCII unless the data is not)
            if actions:
                self._actions.write(actions.encode())
            if statuses:
                self._statuses.write(statuses.encode())
        s.actions += n_actions
        s.statuses += n_statuses
        s.requests += n_requests
        if self.stats is not None:
            self.stats.feed_many(records, t)
        return records

    def close(self, end_time: float | None = None) -> PipelineSummary:
        if self.stats is not None:
            self.stats.close(end_time if end_time is not None else (self.summary.last_time or 0.0))
        for fh in self._files:
            fh.close()
        self._files = []
        return self.summary

    def __enter__(self):
        return self

    def __exit__(self, *exc: Any) -> None:
        if self._files:
            for fh in self._files:
                fh.close()


def _count(records) -> tuple[int, int, int]:
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
                 notify_every: float):
        from sim.statserver.stats.definitions import load_stattypes
        from sim.statserver.stats.engine import StatEngine
        from sim.statserver.stats.output import Notifier, StatsCsvWriter
        self.engine = StatEngine(objects, load_stattypes(stattypes))
        self.writer = StatsCsvWriter(os.path.join(out_dir, "stats.csv")) if out_dir else None
        self.notifier = Notifier(self.engine, self.writer, notify_every)

    def feed_many(self, records, time: float) -> None:
        self.notifier.feed_many(records)

    def close(self, end_time: float) -> None:
        self.notifier.close(end_time)
        if self.writer is not None:
            self.writer.close()


def _make_stats(objects: Objects, stattypes: str | None, out_dir: str | None, notify_every: float):
    """The statistics stage, if the statistics engine is installed (sim.statserver.stats)."""
    try:
        import sim.statserver.stats  # noqa: F401
    except ImportError:
        return None
    return StatsStage(objects, stattypes, out_dir, notify_every)
