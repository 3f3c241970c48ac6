"""A paced TCP fan-out of TEvents: what a T-Server's clients would see, live.

:func:`serve_events` pulls TEvents lazily from any iterator (a trace file being read, a
simulation running), holds each one until its wall-clock time ``t0 + (ev.time - first.time) /
speed`` (never earlier; ``speed=None`` = as fast as possible) and then writes it as one JSON line
(:func:`sim.tlib.trace.dumps_event`) to every connected client, in order.

Slow clients never stall the others: each client has its own output buffer; one that falls
more than ``buffer_limit`` bytes behind is dropped with a log line. A paced stream never waits
for anyone (the wall clock rules; a late event is sent late, never early). At ``speed=None``
("as fast as possible") the stream goes at the pace of the *fastest* client: it waits only
while every client is backed up, so a lone client gets TCP flow control instead of being
dropped, and a client that falls ``buffer_limit`` behind the fastest one is dropped.

The stream ends at the end of the events, after ``duration`` wall-clock seconds of streaming,
or on SIGINT / SIGTERM (Ctrl-C); in each case the clients' buffered lines are flushed (for at
most ``linger`` seconds) and their connections closed. Clients that connect late get the events
from then on. ``wait_clients=N`` holds the start until N clients are connected.

The event source is pulled in a worker thread, a batch ahead of the one being sent, so a busy
source (a simulation computing its next events) neither blocks the sockets nor delays an event
that is due, and memory stays flat.
"""

from __future__ import annotations

import argparse
import asyncio
import concurrent.futures
import itertools
import signal
import socket
import statistics
import sys
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import cast

from sim.tlib.event import TEvent
from sim.tlib.trace import dumps_event

DEFAULT_HOST = "127.0.0.1"
DEFAULT_BUFFER_LIMIT = 4 * 1024 * 1024   # bytes a client may fall behind before it is dropped
BATCH = 256                              # events pulled from the source at a time
SPIN = 0.002                             # the last 2 ms before an event are spent yielding


def _stderr(message: str) -> None:
    print(message, file=sys.stderr, flush=True)


@dataclass
class StreamStats:
    """What a stream did. ``lateness`` (seconds, one per event) only with ``record_lateness``."""

    events: int = 0
    clients: int = 0                 # clients that connected over the stream's life
    dropped: int = 0                 # clients dropped for falling behind
    stopped_by: str = "end"          # "end" | "duration" | "interrupt"
    t0: float | None = None          # wall-clock (``clock``) time of the first event
    max_lateness: float = 0.0
    lateness: list[float] = field(default_factory=list)

    def lateness_ms(self) -> tuple[float, float]:
        """(median, worst) lateness in milliseconds of the recorded events."""
        if not self.lateness:
            return 0.0, self.max_lateness * 1000
        return statistics.median(self.lateness) * 1000, max(self.lateness) * 1000


class _Client(asyncio.Protocol):
    """One connected client: its transport buffers what it has not read yet."""

    def __init__(self, server: _Server):
        self.server = server
        self.transport: asyncio.Transport | None = None
        self.peer = "?"
        self.paused = False
        self.closed = asyncio.get_running_loop().create_future()

    def connection_made(self, transport):  # noqa: D401 - asyncio API
        self.transport = transport
        peer = transport.get_extra_info("peername")
        self.peer = f"{peer[0]}:{peer[1]}" if isinstance(peer, tuple) else str(peer)
        sock = transport.get_extra_info("socket")
        if sock is not None and self.server.sndbuf:
            sock.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, self.server.sndbuf)
        high = max(1, min(64 * 1024, self.server.buffer_limit // 2))
        transport.set_write_buffer_limits(high=high, low=high // 4)
        self.server.add(self)
        self.server.log(f"sim stream: client {self.peer} connected")

    def data_received(self, data):  # clients have nothing to say; input is discarded
        pass

    def eof_received(self):
        return False  # close our side too

    def connection_lost(self, exc):
        if self in self.server.clients:
            self.server.log(f"sim stream: client {self.peer} disconnected")
        self.server.remove(self)
        if not self.closed.done():
            self.closed.set_result(None)

    def pause_writing(self):
        self.paused = True

    def resume_writing(self):
        self.paused = False
        self.server.resumed.set()

    def buffered(self) -> int:
        return self.transport.get_write_buffer_size() if self.transport else 0


class _Server:
    def __init__(self, buffer_limit: int, sndbuf: int | None, log: Callable[[str], None]):
        self.buffer_limit = buffer_limit
        self.sndbuf = sndbuf
        self.log = log
        self.clients: list[_Client] = []
        self.resumed = asyncio.Event()
        self.joined = asyncio.Event()
        self.stop = asyncio.Event()
        self.stats = StreamStats()

    def add(self, client: _Client) -> None:
        self.clients.append(client)
        self.stats.clients += 1
        self.joined.set()

    def remove(self, client: _Client) -> None:
        if client in self.clients:
            self.clients.remove(client)
        self.resumed.set()  # a waiter on "all clients backed up" must look again

    def send(self, line: bytes) -> None:
        for c in list(self.clients):
            if c.transport is None or c.transport.is_closing():
                continue
            c.transport.write(line)
            if c.buffered() > self.buffer_limit:
                self.remove(c)
                self.stats.dropped += 1
                self.log(f"sim stream: client {c.peer} dropped: more than {self.buffer_limit} "
                         f"bytes behind")
                c.transport.abort()

    def all_backed_up(self) -> bool:
        return bool(self.clients) and all(c.paused for c in self.clients)

    async def close_all(self, linger: float) -> None:
        clients = list(self.clients)
        for c in clients:
            if c.transport is not None and not c.transport.is_closing():
                c.transport.close()  # flushes what is buffered, then closes
        if clients:
            done, pending = await asyncio.wait([c.closed for c in clients], timeout=linger)
            for c in clients:
                if not c.closed.done() and c.transport is not None:
                    self.log(f"sim stream: client {c.peer} closed with unsent data "
                             f"(not read within {linger:g} s)")
                    c.transport.abort()


def _left(deadline: float | None, clock: Callable[[], float]) -> float | None:
    return None if deadline is None else max(0.0, deadline - clock())


def _take(it: Iterator[TEvent], n: int) -> list[TEvent]:
    return list(itertools.islice(it, n))


async def serve_events_async(
    events: Iterable[TEvent],
    host: str = DEFAULT_HOST,
    port: int = 0,
    speed: float | None = None,
    duration: float | None = None,
    buffer_limit: int = DEFAULT_BUFFER_LIMIT,
    on_ready: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    wait_clients: int = 0,
    on_start: Callable[[float], None] | None = None,
    linger: float = 5.0,
    sndbuf: int | None = None,
    record_lateness: bool = False,
    log: Callable[[str], None] = _stderr,
    stop: asyncio.Event | None = None,
) -> StreamStats:
    """Serve ``events`` to TCP clients; see the module docstring. Returns what happened.

    ``on_ready(port)`` is called once the socket listens (``port=0`` picks a free one);
    ``on_start(t0)`` when the first event is due (``t0`` on ``clock``); ``stop`` (an event of
    the running loop) ends the stream like Ctrl-C. ``sndbuf`` sets SO_SNDBUF on client sockets
    (tests use it to make a stalled client visible sooner).
    """
    if speed is not None and not speed > 0:
        raise ValueError("speed must be positive (or None for as fast as possible)")
    loop = asyncio.get_running_loop()
    srv = _Server(buffer_limit, sndbuf, log)
    if stop is not None:
        srv.stop = stop
    stats = srv.stats
    listener = await loop.create_server(lambda: _Client(srv), host, port)
    bound = listener.sockets[0].getsockname()[1]
    if on_ready is not None:
        on_ready(bound)
    pool = concurrent.futures.ThreadPoolExecutor(max_workers=1, thread_name_prefix="sim-stream-src")
    pacer = _Pacer(srv, loop, pool, iter(events), clock, speed, duration, on_start, record_lateness)
    try:
        await pacer.run(wait_clients)
        if srv.stop.is_set() and stats.stopped_by == "end":
            stats.stopped_by = "interrupt"
    finally:
        listener.close()
        pacer.stopper.cancel()
        await srv.close_all(linger if stats.stopped_by != "interrupt" else min(linger, 1.0))
        await listener.wait_closed()
        pool.shutdown(wait=False, cancel_futures=True)
    return stats


class _Pacer:
    """The stream's loop, step by step: wait for the clients, pull the source a batch ahead,
    send each event when it is due (or as fast as the fastest client takes them), stop at
    ``duration``, at the end of the source or when ``srv.stop`` is set."""

    def __init__(self, srv: _Server, loop: asyncio.AbstractEventLoop,
                 pool: concurrent.futures.ThreadPoolExecutor, it: Iterator[TEvent],
                 clock: Callable[[], float], speed: float | None, duration: float | None,
                 on_start: Callable[[float], None] | None, record_lateness: bool) -> None:
        self.srv, self.stats, self.loop, self.pool, self.it = srv, srv.stats, loop, pool, it
        self.clock, self.speed, self.duration = clock, speed, duration
        self.on_start, self.record_lateness = on_start, record_lateness
        self.stopper = asyncio.ensure_future(srv.stop.wait())
        self.t0: float | None = None
        self.t0_sim = 0.0
        self.stop_at: float | None = None

    async def until(self, deadline: float) -> bool:
        """Sleep until ``clock() >= deadline``; False if the stream was stopped meanwhile."""
        while True:
            left = deadline - self.clock()
            if left <= 0:
                return True
            if self.srv.stop.is_set():
                return False
            if left > SPIN:
                await asyncio.wait([self.stopper], timeout=left - SPIN)
            else:
                await asyncio.sleep(0)  # the selector sleeps in whole ms: finish by yielding

    async def first_of(self, *aws, timeout: float | None = None) -> None:
        """Wait for the first of ``aws`` (or ``timeout``); the helper waiters are cancelled."""
        extra = [asyncio.ensure_future(a) for a in aws]
        try:
            await asyncio.wait([self.stopper, *extra], timeout=timeout,
                               return_when=asyncio.FIRST_COMPLETED)
        finally:
            for f in extra:
                if not f.done():
                    f.cancel()  # a shield()ed future is left running

    async def run(self, wait_clients: int) -> None:
        srv = self.srv
        await self.wait_for_clients(wait_clients)
        batch = await self.first_batch()
        while batch and not srv.stop.is_set():
            ahead = self.loop.run_in_executor(self.pool, _take, self.it, BATCH)  # next batch meanwhile
            if await self.send_batch(batch):
                nxt = await self.next_batch(ahead)
                if nxt is not None:
                    batch = nxt
                    continue
            ahead.cancel()
            break

    async def wait_for_clients(self, n: int) -> None:
        srv = self.srv
        while len(srv.clients) < n and not srv.stop.is_set():
            srv.joined.clear()
            await self.first_of(srv.joined.wait())

    async def first_batch(self) -> list[TEvent]:
        if self.srv.stop.is_set():
            return []
        first = self.loop.run_in_executor(self.pool, _take, self.it, BATCH)
        while not first.done() and not self.srv.stop.is_set():
            await self.first_of(asyncio.shield(first))  # the source may take a while to start
        return first.result() if first.done() else []

    def _start(self, ev: TEvent) -> None:
        """The first event: the clock starts."""
        self.t0, self.t0_sim = self.clock(), ev.time
        self.stop_at = None if self.duration is None else self.t0 + self.duration
        self.stats.t0 = self.t0
        if self.on_start is not None:
            self.on_start(self.t0)

    async def send_batch(self, batch: list[TEvent]) -> bool:
        """Send each event when due; False when the stream stopped (duration, stop) inside it."""
        srv, stats, clock, speed = self.srv, self.stats, self.clock, self.speed
        for ev in batch:
            if self.t0 is None:
                self._start(ev)
            t0, stop_at = cast(float, self.t0), self.stop_at
            due = t0 if speed is None else t0 + (ev.time - self.t0_sim) / speed
            if stop_at is not None and (due > stop_at or clock() >= stop_at):
                if await self.until(stop_at):
                    stats.stopped_by = "duration"
                return False
            if not await self.until(due):
                return False
            srv.send(dumps_event(ev) + b"\n")
            late = clock() - due
            stats.events += 1
            stats.max_lateness = max(stats.max_lateness, late)
            if self.record_lateness:
                stats.lateness.append(late)
            if speed is None:
                await self._keep_pace_with_clients()
        return True

    async def _keep_pace_with_clients(self) -> None:
        """As fast as possible, but at the pace of the fastest client when all lag."""
        srv, clock, stop_at = self.srv, self.clock, self.stop_at
        while srv.all_backed_up() and not srv.stop.is_set():
            srv.resumed.clear()
            await self.first_of(srv.resumed.wait(), timeout=_left(stop_at, clock))
            if stop_at is not None and clock() >= stop_at:
                break
        if self.stats.events % 64 == 0:
            await asyncio.sleep(0)  # let the sockets breathe

    async def next_batch(self, ahead: asyncio.Future) -> list[TEvent] | None:
        """The batch pulled meanwhile; the source may be slow (a simulation): wait for it, but
        not past ``duration``. None when the stream ends here."""
        srv, clock, stop_at = self.srv, self.clock, self.stop_at
        while not ahead.done() and not srv.stop.is_set():
            await self.first_of(asyncio.shield(ahead), timeout=_left(stop_at, clock))
            if stop_at is not None and clock() >= stop_at:
                self.stats.stopped_by = "duration"
                break
        if ahead.done() and self.stats.stopped_by == "end":
            return ahead.result()
        return None


def serve_events(
    events: Iterable[TEvent],
    host: str = DEFAULT_HOST,
    port: int = 0,
    speed: float | None = None,
    duration: float | None = None,
    buffer_limit: int = DEFAULT_BUFFER_LIMIT,
    on_ready: Callable[[int], None] | None = None,
    clock: Callable[[], float] = time.monotonic,
    wait_clients: int = 0,
    handle_signals: bool | None = None,
    **kwargs,
) -> StreamStats:
    """Blocking form of :func:`serve_events_async` (runs its own event loop).

    In the main thread (or with ``handle_signals=True``) SIGINT and SIGTERM stop the stream
    cleanly: clients are flushed and closed and the stats come back with
    ``stopped_by="interrupt"``.
    """
    if handle_signals is None:
        handle_signals = threading.current_thread() is threading.main_thread()

    async def main() -> StreamStats:
        stop = asyncio.Event()
        loop = asyncio.get_running_loop()
        sigs = (signal.SIGINT, signal.SIGTERM) if handle_signals else ()
        for sig in sigs:
            loop.add_signal_handler(sig, stop.set)
        try:
            return await serve_events_async(
                events, host, port, speed, duration, buffer_limit, on_ready, clock, wait_clients,
                stop=stop, **kwargs)
        finally:
            for sig in sigs:
                loop.remove_signal_handler(sig)

    return asyncio.run(main())


# --- command-line helpers (sim stream, sim replay --listen) -------------------------------------
def parse_speed(text: str) -> float | None:
    """``--speed``: a positive factor of real time, or ``max`` (None) for as fast as possible."""
    if text.strip().lower() in ("max", "inf", "infinity"):
        return None
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a positive number or 'max', got {text!r}") from None
    if not value > 0 or value == float("inf"):
        raise argparse.ArgumentTypeError(f"expected a positive number or 'max', got {text!r}")
    return value


def parse_listen(text: str) -> tuple[str, int]:
    """``--listen``: ``HOST:PORT``, ``[IPv6]:PORT``, ``:PORT`` or ``PORT`` (host 127.0.0.1)."""
    text = text.strip()
    host, port = DEFAULT_HOST, text
    if text.startswith("["):
        end = text.find("]")
        if end < 0 or text[end + 1: end + 2] != ":":
            raise argparse.ArgumentTypeError(f"expected [IPv6]:PORT, got {text!r}")
        host, port = text[1:end], text[end + 2:]
    elif ":" in text:
        host, _, port = text.rpartition(":")
        host = host or DEFAULT_HOST
    try:
        number = int(port)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected HOST:PORT, got {text!r}") from None
    if not 0 <= number <= 65535:
        raise argparse.ArgumentTypeError(f"port {number} is out of range 0-65535")
    return host, number


def positive_seconds(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected seconds, got {text!r}") from None
    if not value > 0:
        raise argparse.ArgumentTypeError(f"expected a positive number of seconds, got {text!r}")
    return value


def _count(text: str) -> int:
    try:
        value = int(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"expected a whole number, got {text!r}") from None
    if value < 0:
        raise argparse.ArgumentTypeError(f"expected a whole number >= 0, got {text!r}")
    return value


def add_listen_arguments(parser: argparse.ArgumentParser, listen_default: str | None = None) -> None:
    """Add ``--listen --speed --duration --wait-clients --buffer-limit`` to a command.

    With ``listen_default=None`` ``args.listen`` stays None unless given, so a command (``sim
    replay``) can tell "stream" from its normal mode.
    """
    g = parser.add_argument_group("streaming over TCP")
    g.add_argument("--listen", metavar="HOST:PORT", type=parse_listen,
                   default=None if listen_default is None else parse_listen(listen_default),
                   help="serve the TEvents as JSON lines on this address (host defaults to "
                        "127.0.0.1; port 0 picks a free port)")
    g.add_argument("--speed", metavar="X", type=parse_speed, default=1.0,
                   help="pace: X times real time, or 'max' for as fast as possible (default 1)")
    g.add_argument("--duration", metavar="S", type=positive_seconds, default=None,
                   help="stop after S wall-clock seconds of streaming")
    g.add_argument("--wait-clients", metavar="N", type=_count, default=0,
                   help="start only once N clients are connected (default 0)")
    g.add_argument("--buffer-limit", metavar="BYTES", type=_count, default=DEFAULT_BUFFER_LIMIT,
                   help="drop a client that falls this many bytes behind (default 4 MiB)")


def stream_from_args(events: Iterable[TEvent], args: argparse.Namespace,
                     log: Callable[[str], None] = _stderr) -> int:
    """Run :func:`serve_events` with the options of :func:`add_listen_arguments`; exit code."""
    host, port = args.listen if args.listen is not None else (DEFAULT_HOST, 0)
    speed = args.speed

    def ready(bound: int) -> None:
        shown = f"[{host}]" if ":" in host else host
        pace = "as fast as possible" if speed is None else f"at {speed:g}x real time"
        wait = f"; waiting for {args.wait_clients} client(s)" if args.wait_clients else ""
        log(f"sim: streaming TEvents on {shown}:{bound} {pace}{wait}")

    try:
        stats = serve_events(events, host, port, speed=speed, duration=args.duration,
                             buffer_limit=args.buffer_limit, on_ready=ready,
                             wait_clients=args.wait_clients, log=log)
    except OSError as exc:
        from sim.errors import UserError
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                        where="--listen") from None
    sent = f"{stats.events} events sent, {stats.clients} client(s) connected, {stats.dropped} dropped"
    if stats.stopped_by == "interrupt":     # Ctrl-C: one line and exit code 130, as every command
        from sim.errors import Interrupted
        raise Interrupted(f"interrupted; {sent}")
    how = {"end": "end of the events", "duration": "--duration reached"}[stats.stopped_by]
    log(f"sim: stream stopped ({how}): {sent}")
    return 0
