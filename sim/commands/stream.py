"""``sim stream SCENARIO --speed X --listen HOST:PORT [--duration S]``: a live simulated T-Server.

Runs the SimPy model of the scenario and serves its TEvents (what Stat Server's connection
receives, docs/reference/contracts.md §1) as JSON lines over TCP, paced against the wall clock
(:mod:`sim.stream`). The model runs in a worker thread into a bounded queue, so it only
computes ahead of the wall clock by that queue (memory stays flat) and stops as soon as the
stream stops (end of the run, ``--duration``, Ctrl-C).
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Iterator

from sim.stream import add_listen_arguments, stream_from_args
from sim.tlib.event import TEvent

HELP = "simulate a scenario paced against the wall clock and serve its TEvents over TCP"
AHEAD = 4096  # events the model may compute ahead of the stream


def configure(parser) -> None:
    parser.add_argument("scenario", metavar="SCENARIO.toml", help="scenario TOML file")
    parser.add_argument("--seed", type=int, default=None, help="random seed (overrides run.seed)")
    parser.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                        help="override a scenario key, e.g. --set run.horizon=7200 (repeatable)")
    add_listen_arguments(parser, listen_default="127.0.0.1:0")
    parser.add_argument("--allow-large", action="store_true",
                        help="run even if the work estimate is beyond the limits (docs/decisions.md, Bounded work)")


class _Stopped(Exception):
    """Raised inside the model's sink to end the simulation when nobody listens any more."""


class ModelEvents:
    """Iterate the TEvents of a scenario run lazily: the model runs in a thread into a
    bounded queue (the model's own API is a sink callback, ``ContactCenter(sc, sink).run()``).
    ``close()`` stops the simulation."""

    _END = object()

    def __init__(self, scenario, ahead: int = AHEAD):
        self.scenario = scenario
        self.q: queue.Queue = queue.Queue(maxsize=ahead)
        self.stopped = threading.Event()
        self.error: BaseException | None = None
        self.thread = threading.Thread(target=self._run, name="sim-stream-model", daemon=True)
        self.started = False

    def _sink(self, ev: TEvent) -> None:
        while True:
            if self.stopped.is_set():
                raise _Stopped
            try:
                self.q.put(ev, timeout=0.1)
                return
            except queue.Full:
                continue

    def _run(self) -> None:
        from sim.model.model import ContactCenter
        try:
            ContactCenter(self.scenario, self._sink).run()
        except _Stopped:
            pass
        except BaseException as exc:  # handed to the consumer
            self.error = exc
        finally:
            while not self.stopped.is_set():
                try:
                    self.q.put(self._END, timeout=0.1)
                    break
                except queue.Full:
                    continue

    def __iter__(self) -> Iterator[TEvent]:
        if not self.started:
            self.started = True
            self.thread.start()
        while True:
            try:
                item = self.q.get(timeout=0.1)
            except queue.Empty:
                if self.stopped.is_set():
                    return
                continue
            if item is self._END:
                if self.error is not None:
                    raise self.error
                return
            yield item

    def close(self) -> None:
        self.stopped.set()
        if self.thread.ident is not None:   # started (the stream's reader may be about to start it)
            self.thread.join(5)


def run(args) -> int:
    from sim.scenario.load import load_scenario
    sc = load_scenario(args.scenario, args.set, args.seed)
    from sim.scenario.estimate import preflight
    preflight(sc, "stream", allow_large=args.allow_large)
    events = ModelEvents(sc)
    try:
        return stream_from_args(iter(events), args)
    finally:
        events.close()
