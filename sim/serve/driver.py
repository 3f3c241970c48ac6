"""Drive a :class:`~sim.serve.board.Board` against the wall clock and fan updates out.

The pacing is ``sim stream``'s (:mod:`sim.stream`): an event at sim time ``t`` is due at
``t0 + (t - t_sim0) / speed`` on the monotonic clock, never earlier, a late event goes late,
``speed=None`` is as fast as possible, and the source is pulled in a worker thread a batch
ahead. A wallboard also pauses, resumes, changes speed and steps, so :class:`Pacer` re-anchors
``(t0, t_sim0)`` at each of those moments; between them the formula is the same.

Browsers never slow the simulation down: every :meth:`Hub.tick` (10 per second) builds one
message per client into that client's bounded queue; a full queue drops the message and counts
it, and the client's next message says so (``resync``) so the page reloads the snapshot.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import time
from collections import deque
from collections.abc import Callable, Iterable
from typing import Any

from sim.serve.board import Board, dumps, row_dict, row_keys
from sim.stream import BATCH, _take  # the stream's batch pull, shared
from sim.tlib.event import TEvent

TICK = 0.1             # seconds between two feed messages
HEARTBEAT = 1.0        # a message at least this often, even when nothing happened
CLIENT_QUEUE = 64      # messages a client may fall behind before its messages are dropped
CLIENT_BYTES = 8 << 20  # ... and bytes (a message with every row and its records is big)
ROW_BUFFER = 2000      # ticker rows kept between two ticks (the newest win)
YIELD_EVERY = 64       # events fed between two turns of the event loop at full speed


class Pacer:
    """Sim time against the wall clock, with pause / resume / speed / step."""

    def __init__(self, speed: float | None, paused: bool = False,
                 clock: Callable[[], float] = time.monotonic):
        self.speed = speed
        self.clock = clock
        self.paused = paused
        self.anchor: tuple[float, float] | None = None   # (wall, sim) of the current pace
        self.frozen: float | None = None                  # sim time while paused
        self.last: float | None = None                    # time of the last event let through
        self.steps = 0
        self.changed = asyncio.Event()

    def now(self) -> float | None:
        """The sim time now: frozen while paused, the last event at full speed."""
        if self.paused:
            return self.frozen if self.frozen is not None else self.last
        if self.anchor is None or self.speed is None:
            return self.last
        wall, sim = self.anchor
        t = sim + (self.clock() - wall) * self.speed
        return t if self.last is None else max(t, self.last)

    def _reanchor(self) -> None:
        t = self.now()
        if t is not None:
            self.anchor = (self.clock(), t)

    def pause(self) -> None:
        if not self.paused:
            self.frozen = self.now()
            self.paused = True
            self.changed.set()

    def resume(self) -> None:
        if self.paused:
            self.paused = False
            if self.frozen is not None:
                self.anchor = (self.clock(), self.frozen)
            self.steps = 0
            self.changed.set()

    def set_speed(self, speed: float | None) -> None:
        if not self.paused:
            self._reanchor()
        self.speed = speed
        self.changed.set()

    def step(self, n: int = 1) -> None:
        if self.paused:
            self.steps += n
            self.changed.set()

    async def _changed(self, timeout: float | None) -> None:
        self.changed.clear()
        try:
            await asyncio.wait_for(self.changed.wait(), timeout)
        except TimeoutError:
            pass

    async def wait(self, t: float, stop: asyncio.Event) -> bool:
        """Wait until the event at sim time ``t`` is due; False when stopped first."""
        while not stop.is_set():
            if self.paused:
                if self.steps:
                    self.steps -= 1
                    self.frozen = t if self.frozen is None else max(self.frozen, t)
                    break
                await self._changed(None)
                continue
            if self.anchor is None:
                self.anchor = (self.clock(), t)
            if self.speed is None:
                break
            wall, sim = self.anchor
            left = wall + (t - sim) / self.speed - self.clock()
            if left <= 0:
                break
            await self._changed(left)     # a control wakes us early: recompute
        else:
            return False
        self.last = t if self.last is None else max(self.last, t)
        return True


class Client:
    """One browser (or API user) on the feed: its filter, row cap and bounded queue (at most
    ``maxsize`` messages and ``max_bytes`` bytes waiting)."""

    def __init__(self, dn: str | None = None, agent: str | None = None, conn: str | None = None,
                 rows: int | None = 50, records: bool = False, maxsize: int = CLIENT_QUEUE,
                 max_bytes: int = CLIENT_BYTES):
        self.filter = tuple(x for x in (dn, agent, conn) if x)
        self.rows = rows
        self.records = records
        self.queue: asyncio.Queue[bytes | None] = asyncio.Queue(maxsize)
        self.max_bytes = max_bytes
        self.queued = 0           # bytes waiting in the queue
        self.dropped = 0          # messages dropped for this client (it fell behind)
        self.gap = False          # a message was dropped since the last one delivered
        self.first = True

    def offer(self, message: dict[str, Any]) -> None:
        if self.gap or self.first:
            message = {**message, "resync": True, "dropped": self.dropped}
        data = dumps(message)
        if self.queue.full() or (self.queued and self.queued + len(data) > self.max_bytes):
            self.dropped += 1
            self.gap = True
            return
        self.queue.put_nowait(data)
        self.queued += len(data)
        self.gap = self.first = False

    async def next(self) -> bytes | None:
        """The next message to send (None: the feed ends)."""
        data = await self.queue.get()
        if data is not None:
            self.queued -= len(data)
        return data

    def close(self) -> None:
        while True:
            try:
                self.queue.put_nowait(None)
                return
            except asyncio.QueueFull:
                self.queue.get_nowait()   # make room for the end marker


class Hub:
    """The clients of the feed and the updates gathered between two ticks."""

    def __init__(self, board: Board):
        self.board = board
        self.clients: list[Client] = []
        self.rows: deque = deque(maxlen=ROW_BUFFER)   # [row, its filter keys or None, TEvent]
        self.rows_seen = 0                             # TEvents since the last tick
        self.notes: list[dict[str, Any]] = []
        self.dropped = 0
        self.clients_seen = 0
        self.dirty = True
        self.last_sent = 0.0

    def add(self, client: Client) -> Client:
        self.clients.append(client)
        self.clients_seen += 1
        self.dirty = True
        return client

    def remove(self, client: Client) -> None:
        if client in self.clients:
            self.clients.remove(client)
            self.dropped += client.dropped

    def event(self, row, notes: list[dict[str, Any]], ev: TEvent | None = None) -> None:
        self.rows.append([row, None, ev])
        self.rows_seen += 1
        if notes:
            self.notes.extend(notes)
        self.dirty = True

    def tick(self, state: dict[str, Any], now: float, force: bool = False) -> None:
        """Send what changed since the last tick to every client (never waits)."""
        if not (self.dirty or force or now - self.last_sent >= HEARTBEAT):
            return
        board = self.board
        t = state["time"]
        common = {"type": "update", **state, "server_ms": time.time() * 1000.0,
                  "agents": board.take_changes(),
                  "queues": [board.queue(q, t or 0.0) for q in board.queues],
                  "notifications": self.notes, "events_in_tick": self.rows_seen}
        rows, self.rows, self.notes = self.rows, deque(maxlen=ROW_BUFFER), []
        self.rows_seen = 0
        for c in list(self.clients):
            c.offer({**common, "rows": self._rows_for(c, rows)})
        self.dirty = False
        self.last_sent = now

    def _rows_for(self, client: Client, rows: deque) -> list[dict[str, Any]]:
        objects = self.board.objects
        picked: list[dict[str, Any]] = []
        for item in reversed(rows):           # newest first, up to the client's cap
            if client.rows is not None and len(picked) >= client.rows:
                break
            if client.filter:
                if item[1] is None:
                    item[1] = row_keys(item[0], objects)
                if not all(f in item[1] for f in client.filter):
                    continue
            picked.append(item)
        picked.reverse()
        return [row_dict(r, client.records, ev) for r, _, ev in picked]

    def close(self) -> None:
        for c in self.clients:
            c.close()


class Driver:
    """Pulls TEvents, paces them, feeds the board and ticks the hub until stopped."""

    def __init__(self, events: Iterable[TEvent], board: Board, pacer: Pacer,
                 log: Callable[[str], None]):
        self.events = events
        self.board = board
        self.pacer = pacer
        self.hub = Hub(board)
        self.log = log
        self.stop = asyncio.Event()
        self.finished = False
        self.error: BaseException | None = None
        self.fed = asyncio.Event()       # set after each event (step waits on it)

    def halt(self) -> None:
        """Stop feeding (Ctrl-C, an error): wakes a paused or waiting pacer too."""
        self.stop.set()
        self.pacer.changed.set()

    def state(self) -> dict[str, Any]:
        p = self.pacer
        hub = self.hub
        return {"time": p.now(), "events": self.board.events, "paused": p.paused,
                "speed": p.speed, "finished": self.finished,
                "notifications_total": self.board.notifications,
                "clients": len(hub.clients),
                "dropped": hub.dropped + sum(c.dropped for c in hub.clients)}

    def snapshot(self) -> dict[str, Any]:
        now = self.pacer.now()
        snap = self.board.snapshot(now if now is not None else 0.0)
        snap.update(self.state())
        snap["time"] = now
        return snap

    async def run(self) -> None:
        """Feed the events; ``finished`` at their end. Errors stop the server (``error``)."""
        ticker = asyncio.ensure_future(self._ticks())
        try:
            await self._feed()
            if not self.stop.is_set():
                self.finished = True       # the board stays up at the end, until Ctrl-C
                self.hub.dirty = True
                await self.stop.wait()
        except Exception as exc:           # handed to the command (one line, exit code)
            self.error = exc
            self.halt()
        finally:
            ticker.cancel()
            self.hub.tick(self.state(), time.monotonic(), force=True)
            self.hub.close()

    async def _feed(self) -> None:
        loop = asyncio.get_running_loop()
        pool = concurrent.futures.ThreadPoolExecutor(1, thread_name_prefix="sim-serve-src")
        it = iter(self.events)
        try:
            batch = await self._until_stop(loop.run_in_executor(pool, _take, it, BATCH))
            n = 0
            while batch:
                ahead = loop.run_in_executor(pool, _take, it, BATCH)   # next batch meanwhile
                for ev in batch:
                    if not await self.pacer.wait(ev.time, self.stop):
                        ahead.cancel()
                        return
                    row, notes = self.board.feed(ev)
                    self.hub.event(row, notes, ev)
                    self.fed.set()
                    n += 1
                    if self.pacer.speed is None and n % YIELD_EVERY == 0:
                        await asyncio.sleep(0)    # let the API and the feed breathe
                batch = await self._until_stop(ahead)
        finally:
            pool.shutdown(wait=False, cancel_futures=True)

    async def _until_stop(self, fut) -> list[TEvent]:
        """The batch of ``fut``, or [] when the board is stopped first."""
        stopper = asyncio.ensure_future(self.stop.wait())
        try:
            await asyncio.wait([fut, stopper], return_when=asyncio.FIRST_COMPLETED)
        finally:
            stopper.cancel()
        if not fut.done():
            fut.cancel()
            return []
        return fut.result()

    async def _ticks(self) -> None:
        failed = False
        while not self.stop.is_set():
            try:
                self.hub.tick(self.state(), time.monotonic())
            except Exception as exc:   # the board goes on; say it once
                if not failed:
                    self.log(f"sim serve: feed update failed: {exc!r}")
                failed = True
            await asyncio.sleep(TICK)

    # ------------------------------------------------------------------ control
    async def control(self, action: str, speed: float | None = None, count: int = 1) -> None:
        p = self.pacer
        if action == "pause":
            p.pause()
        elif action == "resume":
            p.resume()
        elif action == "speed":
            p.set_speed(speed)
        elif action == "step":
            if not p.paused:
                p.pause()
            target = self.board.events + count
            p.step(count)
            deadline = time.monotonic() + 5.0
            while self.board.events < target and not self.finished and time.monotonic() < deadline:
                self.fed.clear()
                try:
                    await asyncio.wait_for(self.fed.wait(), 0.1)
                except TimeoutError:
                    pass
        self.hub.dirty = True
