"""``sim serve SCENARIO.toml | --trace EVENTS.jsonl --objects objects.toml``: the live wallboard.

Runs the simulation (the model in a worker thread, as ``sim stream`` does) or reads a trace,
paced against the wall clock, through the one pipeline (:mod:`sim.serve.board`), and serves
a web page with the agents, queues, statistics and an event ticker, plus its API
(:mod:`sim.serve.app`). The board stays up at the end of the events; Ctrl-C stops it (exit 130).
"""

from __future__ import annotations

import asyncio
import contextlib
import ipaddress
import signal
import socket
import sys

from sim.errors import UserError, existing_file
from sim.stream import parse_listen, parse_speed, positive_seconds

HELP = "run a scenario or trace paced against the wall clock and show it live in the browser"
DEFAULT_LISTEN = "127.0.0.1:8765"



def configure(p) -> None:
    p.add_argument("scenario", nargs="?", metavar="SCENARIO.toml",
                   help="scenario to simulate (or give --trace and --objects)")
    p.add_argument("--trace", metavar="EVENTS.jsonl", help="show a recorded or imported trace instead")
    p.add_argument("--objects", metavar="objects.toml", help="configuration for --trace")
    p.add_argument("--listen", metavar="HOST:PORT", type=parse_listen,
                   default=parse_listen(DEFAULT_LISTEN),
                   help=f"address of the page (default {DEFAULT_LISTEN}; loopback unless another "
                        "host is given; port 0 picks a free port)")
    p.add_argument("--speed", metavar="X", type=parse_speed, default=1.0,
                   help="pace: X times real time, or 'max' (default 1; changeable on the page)")
    p.add_argument("--paused", action="store_true", help="start paused (resume or step on the page)")
    p.add_argument("--seed", type=int, default=None, help="random seed (overrides run.seed)")
    p.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                   help="override a scenario key, e.g. --set run.horizon=7200 (repeatable)")
    p.add_argument("--stat", action="append", default=[], metavar="NAME",
                   help="stat type of a statistic tile (repeatable; default: service level, "
                        "answered, abandoned, AHT, waiting calls, longest wait)")
    p.add_argument("--stattypes", metavar="FILE.ini",
                   help="stat type definitions (default: the shipped library)")
    p.add_argument("--notify-every", metavar="S", type=positive_seconds, default=10.0,
                   help="statistic notification period in sim seconds (default 10)")


def _source(args):
    """(objects, events, closer) for a scenario or a trace; bad input raises UserError."""
    if args.trace:
        from sim.commands.explain import trace_objects
        from sim.tlib.trace import open_trace
        objects = trace_objects(args)

        def report(problem) -> None:
            print(f"sim serve: {problem}", file=sys.stderr, flush=True)
        return objects, open_trace(args.trace, report), lambda: None
    if not args.scenario:
        raise UserError("give a scenario, or --trace EVENTS.jsonl --objects objects.toml")
    existing_file(args.scenario)
    from sim.commands.stream import ModelEvents
    from sim.scenario.load import load_scenario
    sc = load_scenario(args.scenario, args.set, args.seed)
    events = ModelEvents(sc)
    return sc.objects(), events, events.close


def _board(objects, args):
    from sim.serve.board import DEFAULT_STATS, Board, tile_stattypes
    from sim.statserver.stats.definitions import load_stattypes
    if args.stattypes:
        existing_file(args.stattypes)
    lib = load_stattypes(args.stattypes)
    try:
        types = tile_stattypes(lib, args.stat or [n for n in DEFAULT_STATS if n in lib.types])
    except KeyError as exc:
        raise UserError(f"unknown stat type {exc.args[0]!r} (see the stat type library)",
                        where="--stat") from None
    return Board(objects, types, args.notify_every)


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _bind(host: str, port: int) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    try:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.bind((host, port))
        sock.listen(128)
    except OSError as exc:
        sock.close()
        raise UserError(f"cannot listen on {host}:{port}: {exc.strerror or exc}",
                        where="--listen") from None
    sock.setblocking(False)
    return sock


async def _serve(events, board, args, sock: socket.socket) -> tuple[bool, object]:
    """Run the driver and the web server until Ctrl-C (True) or a source error (False)."""
    import uvicorn

    from sim.serve.app import make_app
    from sim.serve.driver import Driver, Pacer

    def log(message: str) -> None:
        print(message, file=sys.stderr, flush=True)

    driver = Driver(events, board, Pacer(args.speed, paused=args.paused), log)
    host = args.listen[0]
    app = make_app(driver, loopback=host in ("127.0.0.1", "localhost"))
    config = uvicorn.Config(app, log_level="warning", lifespan="off", access_log=False,
                            timeout_graceful_shutdown=2)
    server = uvicorn.Server(config)
    server.capture_signals = contextlib.nullcontext   # type: ignore[method-assign] # ours below
    loop = asyncio.get_running_loop()
    interrupted = False

    def interrupt() -> None:
        nonlocal interrupted
        interrupted = True
        driver.halt()

    for sig in (signal.SIGINT, signal.SIGTERM):
        loop.add_signal_handler(sig, interrupt)
    runner = asyncio.ensure_future(driver.run())

    async def stop_server() -> None:
        await driver.stop.wait()
        await runner                   # the clients' feeds are closed first
        server.should_exit = True

    stopper = asyncio.ensure_future(stop_server())
    shown = f"[{host}]" if ":" in host else host
    pace = "as fast as possible" if args.speed is None else f"at {args.speed:g}x real time"
    log(f"sim serve: wallboard on http://{shown}:{sock.getsockname()[1]}/ {pace}"
        + (" (paused)" if args.paused else "") + "; Ctrl-C stops")
    try:
        await server.serve(sockets=[sock])
    finally:
        driver.halt()
        await stopper
        for sig in (signal.SIGINT, signal.SIGTERM):
            loop.remove_signal_handler(sig)
    return interrupted, driver


def run(args) -> int:
    objects, events, close = _source(args)
    try:
        board = _board(objects, args)
        host, port = args.listen
        if not _is_loopback(host):
            print(f"sim serve: warning: listening on {host}, not loopback: anyone who can reach "
                  "it can see and control the board", file=sys.stderr)
        sock = _bind(host, port)
        interrupted, driver = asyncio.run(_serve(events, board, args, sock))
    finally:
        close()
    if driver.error is not None:
        raise driver.error
    print(f"sim serve: {'interrupted' if interrupted else 'stopped'}: {board.events} events shown, "
          f"{driver.hub.clients_seen} client(s), {driver.state()['dropped']} message(s) dropped",
          file=sys.stderr)
    return 130 if interrupted else 0
