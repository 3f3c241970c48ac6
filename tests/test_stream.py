"""Paced TCP fan-out of TEvents (issue 8; docs/reference/contracts.md §5 `sim stream` / `sim replay --listen`).

Real TCP clients on 127.0.0.1 (blocking sockets in threads); high speed factors keep the whole
file to a couple of seconds. Lines are docs/reference/contracts.md §1 JSON objects. No assertion on how fast
anything is: only order, completeness, drops and "never before the scheduled time" (pacing
figures are in bench/bench_pacing.py).
"""

from __future__ import annotations

import argparse
import asyncio
import socket
import threading
import time
from pathlib import Path

import orjson
import pytest

from sim.stream import (
    add_listen_arguments,
    parse_listen,
    parse_speed,
    serve_events,
    serve_events_async,
)
from sim.tlib.event import make_event
from sim.tlib.trace import dumps_event

T0 = 1_767_571_200.0  # 2026-01-05T00:00:00Z, the default epoch


def _events(n: int, step: float, pad: int = 0):
    """n events ``step`` simulated seconds apart (``pad`` bytes of user data to make them big)."""
    for i in range(n):
        attrs = {"ThisDN": "6001", "ConnID": f"{i:016x}", "CallType": 2}
        if pad:
            attrs["UserData"] = {"pad": "x" * pad}
        yield make_event(round(T0 + i * step, 6), "EventRinging", "SW1", i + 1, **attrs)


class _Server:
    """serve_events in a thread; waits for ``wait_clients`` real clients before starting."""

    def __init__(self, events, **kwargs):
        self.ready = threading.Event()
        self.port = None
        self.t0 = None
        self.log: list[str] = []
        self.stats = None
        self.error = None

        def on_ready(port):
            self.port = port
            self.ready.set()

        def on_start(t0):
            self.t0 = t0

        def run():
            try:
                self.stats = serve_events(events, on_ready=on_ready, on_start=on_start,
                                          log=self.log.append, handle_signals=False, **kwargs)
            except BaseException as exc:  # surfaced by join()
                self.error = exc
                self.ready.set()

        self.thread = threading.Thread(target=run, daemon=True)
        self.thread.start()
        assert self.ready.wait(10)
        assert self.port is not None, self.error

    def join(self):
        self.thread.join(30)
        assert not self.thread.is_alive(), "stream did not stop"
        if self.error is not None:
            raise self.error
        return self.stats


class _Reader(threading.Thread):
    """A client that reads lines until EOF, stamping each with time.monotonic()."""

    def __init__(self, port: int, delay: float = 0.0, rcvbuf: int | None = None):
        super().__init__(daemon=True)
        self.sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        if rcvbuf:
            self.sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, rcvbuf)
        self.sock.connect(("127.0.0.1", port))
        self.delay = delay
        self.lines: list[tuple[float, bytes]] = []
        self.error: Exception | None = None

    def run(self):
        try:
            with self.sock, self.sock.makefile("rb") as fh:
                for line in fh:
                    self.lines.append((time.monotonic(), line))
                    if self.delay:
                        time.sleep(self.delay)
        except OSError as exc:  # a dropped client sees a reset
            self.error = exc


def test_every_client_gets_every_event_in_order_never_early():
    """Three clients get all events, in order, each line after its scheduled wall time."""
    events = list(_events(400, 0.05))
    speed = 200.0  # 20 s of traffic in 0.1 s
    srv = _Server(iter(events), speed=speed, wait_clients=3)
    readers = [_Reader(srv.port) for _ in range(3)]
    for r in readers:
        r.start()
    stats = srv.join()
    for r in readers:
        r.join(10)
    expected = [dumps_event(ev) + b"\n" for ev in events]
    assert stats.events == 400 and stats.stopped_by == "end" and stats.dropped == 0
    for r in readers:
        assert [line for _, line in r.lines] == expected
        for (received, line), ev in zip(r.lines, events, strict=True):
            due = srv.t0 + (ev.time - events[0].time) / speed
            assert received >= due, "event delivered before its scheduled wall-clock time"
            assert orjson.loads(line)["seq"] == ev.seq


def test_stalled_client_is_dropped_and_does_not_hold_the_others():
    """A client that never reads is dropped once it is buffer_limit behind; the others get all."""
    # ~2 KB a line, 2 MB in all over 1 s: the stalled client passes the 512 KiB bound after
    # ~0.3 s, while a reading client would have to be descheduled for ~0.25 s to get near it.
    events = list(_events(1000, 0.01, pad=2000))
    srv = _Server(iter(events), speed=10.0, wait_clients=3, buffer_limit=512 * 1024,
                  sndbuf=8 * 1024)
    stalled = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    stalled.connect(("127.0.0.1", srv.port))
    readers = [_Reader(srv.port) for _ in range(2)]
    for r in readers:
        r.start()
    stats = srv.join()
    for r in readers:
        r.join(10)
    stalled.close()
    assert stats.dropped == 1
    drops = [m for m in srv.log if "dropped" in m]
    assert len(drops) == 1 and "524288 bytes behind" in drops[0]
    expected = [dumps_event(ev) + b"\n" for ev in events]
    for r in readers:
        assert [line for _, line in r.lines] == expected
    # The stream never waited for the stalled client: every event went out at or after its
    # time and the good clients received them as they came (checked as order, not speed).
    for r in readers:
        assert all(received >= srv.t0 + (ev.time - events[0].time) / 10.0
                   for (received, _), ev in zip(r.lines, events, strict=True))


def test_max_speed_follows_the_fastest_client_instead_of_dropping_it():
    """At --speed max a lone slow reader gets TCP flow control, not a drop."""
    events = list(_events(2000, 1.0, pad=100))
    srv = _Server(iter(events), speed=None, wait_clients=1, buffer_limit=16 * 1024,
                  sndbuf=4096)
    reader = _Reader(srv.port, rcvbuf=4096)
    reader.delay = 0.00002
    reader.start()
    stats = srv.join()
    reader.join(10)
    assert stats.dropped == 0 and stats.events == 2000
    assert [line for _, line in reader.lines] == [dumps_event(ev) + b"\n" for ev in events]


def test_duration_stops_the_stream_cleanly():
    """--duration is wall-clock time of streaming: the clients get a prefix, then EOF."""
    events = _events(10_000, 1.0)  # ~3 hours of traffic at speed 1
    srv = _Server(events, speed=1.0, duration=0.3, wait_clients=1)
    reader = _Reader(srv.port)
    reader.start()
    stats = srv.join()
    reader.join(10)
    assert stats.stopped_by == "duration"
    assert 1 <= stats.events < 10_000
    assert len(reader.lines) == stats.events
    assert reader.error is None  # closed with EOF, not reset


def test_stop_event_works_like_ctrl_c():
    """Setting the stop event (what SIGINT does) ends the stream and closes the clients."""

    async def main():
        stop = asyncio.Event()
        ready = asyncio.Event()
        port = []

        def on_ready(p):
            port.append(p)
            ready.set()

        task = asyncio.create_task(serve_events_async(
            _events(10_000, 1.0), speed=1.0, on_ready=on_ready, stop=stop, wait_clients=1,
            log=lambda m: None))
        await ready.wait()
        reader, writer = await asyncio.open_connection("127.0.0.1", port[0])
        first = await reader.readline()
        stop.set()
        rest = await reader.read()
        stats = await task
        writer.close()
        return first, rest, stats

    first, rest, stats = asyncio.run(main())
    assert orjson.loads(first)["seq"] == 1
    assert rest == b"" or rest.endswith(b"\n")
    assert stats.stopped_by == "interrupt"


def test_stop_while_waiting_for_clients():
    async def main():
        stop = asyncio.Event()
        task = asyncio.create_task(serve_events_async(
            _events(5, 1.0), speed=1.0, stop=stop, wait_clients=2, log=lambda m: None))
        await asyncio.sleep(0.05)
        stop.set()
        return await task

    stats = asyncio.run(main())
    assert stats.events == 0 and stats.stopped_by == "interrupt"


def test_source_errors_propagate_after_closing():
    def broken():
        yield from _events(3, 0.0)
        raise RuntimeError("source failed")

    srv = _Server(broken(), speed=None)
    with pytest.raises(RuntimeError, match="source failed"):
        srv.join()


@pytest.mark.parametrize(("text", "expected"), [
    ("127.0.0.1:7000", ("127.0.0.1", 7000)), (":7000", ("127.0.0.1", 7000)),
    ("7000", ("127.0.0.1", 7000)), ("0.0.0.0:0", ("0.0.0.0", 0)), ("[::1]:7001", ("::1", 7001)),
    ("localhost:80", ("localhost", 80)),
])
def test_parse_listen(text, expected):
    assert parse_listen(text) == expected


@pytest.mark.parametrize("text", ["host", "host:port", "1:99999", "[::1]7000", "-1"])
def test_parse_listen_rejects(text):
    with pytest.raises(argparse.ArgumentTypeError):
        parse_listen(text)


def test_parse_speed():
    assert parse_speed("max") is None and parse_speed("2.5") == 2.5
    for bad in ("0", "-1", "fast", "nan", "inf"):
        if bad == "inf":
            assert parse_speed(bad) is None  # 'inf' is accepted as a spelling of max
            continue
        with pytest.raises(argparse.ArgumentTypeError):
            parse_speed(bad)


def test_add_listen_arguments_defaults():
    p = argparse.ArgumentParser()
    add_listen_arguments(p)
    args = p.parse_args([])
    assert args.listen is None and args.speed == 1.0 and args.duration is None
    args = p.parse_args(["--listen", ":7000", "--speed", "max", "--duration", "5"])
    assert args.listen == ("127.0.0.1", 7000) and args.speed is None and args.duration == 5.0


# --- sim stream SCENARIO ------------------------------------------------------------------------
_QUICKSTART = Path(__file__).resolve().parent.parent / "scenarios" / "quickstart.toml"


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def _connect(port: int) -> socket.socket:
    deadline = time.monotonic() + 20
    while True:
        try:
            return socket.create_connection(("127.0.0.1", port))
        except ConnectionRefusedError:
            if time.monotonic() > deadline:
                raise
            time.sleep(0.02)


def _model_lines(path: Path) -> list[bytes]:
    ContactCenter = pytest.importorskip("sim.model.model").ContactCenter
    from sim.scenario.load import load_scenario
    events = []
    ContactCenter(load_scenario(str(path)), events.append).run()
    return [dumps_event(e) + b"\n" for e in events]


@pytest.mark.parametrize(("options", "whole"), [
    (["--speed", "max"], True),
    (["--speed", "1", "--duration", "0.3"], False),
])
def test_stream_command_serves_the_model_run(options, whole):
    """`sim stream SCENARIO`: a TCP client gets exactly the events `sim run` traces (all of
    them at --speed max; a prefix when --duration stops it), and the command ends cleanly."""
    if not _QUICKSTART.exists():
        pytest.skip("no shipped quickstart scenario")
    from sim.cli import main
    expected = _model_lines(_QUICKSTART)
    port = _free_port()
    result = {}
    th = threading.Thread(target=lambda: result.setdefault("rc", main(
        ["stream", str(_QUICKSTART), "--listen", f"127.0.0.1:{port}", "--wait-clients", "1",
         *options])), daemon=True)
    th.start()
    with _connect(port) as sock, sock.makefile("rb") as fh:
        got = list(fh)
    th.join(30)
    assert not th.is_alive() and result["rc"] == 0
    if whole:
        assert got == expected
    else:
        assert 0 < len(got) < len(expected) and got == expected[: len(got)]
