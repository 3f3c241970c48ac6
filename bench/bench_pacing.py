"""Pacing error of ``sim stream`` / ``sim replay --listen`` (issue 8; target: worst < 50 ms).

Streams ``--seconds`` of traffic (``--rate`` events per simulated second, at irregular
Poisson-like instants, microsecond timestamps) at ``--speed`` (default 1, real time) to
``--clients`` real TCP clients on 127.0.0.1, and reports how late each line arrived at each
client compared with its scheduled wall-clock time ``t0 + (ev.time - first.time) / speed``
(median, 99th percentile and worst, in ms), plus the server-side lateness of the write and the
number of lines that arrived early (must be 0).

    PYTHONPATH=. .venv/bin/python bench/bench_pacing.py             # 60 s at 20 events/s
    PYTHONPATH=. .venv/bin/python bench/bench_pacing.py --seconds 10
"""

from __future__ import annotations

import argparse
import random
import socket
import statistics
import sys
import threading
import time

import orjson

from sim.stream import serve_events
from sim.tlib.event import make_event

EPOCH = 1_767_571_200.0


def traffic(seconds: float, rate: float, seed: int = 1):
    rnd = random.Random(seed)
    t, seq = 0.0, 0
    while t < seconds:
        seq += 1
        yield make_event(round(EPOCH + t, 6), "EventRinging", "SW1", seq, ThisDN="6001",
                         ConnID=f"{seq:016x}", CallType=2, UserData={"Segment": "gold"})
        t += rnd.expovariate(rate)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--seconds", type=float, default=60.0, help="simulated seconds of traffic")
    ap.add_argument("--rate", type=float, default=20.0, help="events per simulated second")
    ap.add_argument("--speed", type=float, default=1.0, help="times real time")
    ap.add_argument("--clients", type=int, default=2)
    args = ap.parse_args(argv)

    ready = threading.Event()
    box: dict = {}

    def server():
        box["stats"] = serve_events(
            traffic(args.seconds, args.rate), speed=args.speed, wait_clients=args.clients,
            on_ready=lambda p: (box.__setitem__("port", p), ready.set()),
            on_start=lambda t0: box.__setitem__("t0", t0), record_lateness=True,
            log=lambda m: None, handle_signals=False)

    received: list[list[tuple[float, float]]] = [[] for _ in range(args.clients)]

    def client(i: int, sock: socket.socket):
        with sock, sock.makefile("rb") as fh:
            for line in fh:
                received[i].append((time.monotonic(), orjson.loads(line)["time"]))

    th = threading.Thread(target=server)
    th.start()
    ready.wait()
    socks = [socket.create_connection(("127.0.0.1", box["port"])) for _ in range(args.clients)]
    readers = [threading.Thread(target=client, args=(i, s)) for i, s in enumerate(socks)]
    for r in readers:
        r.start()
    th.join()
    for r in readers:
        r.join()

    stats = box["stats"]
    t0 = box["t0"]
    first = min(rows[0][1] for rows in received if rows)
    errors = sorted((got - (t0 + (t - first) / args.speed)) * 1000
                    for rows in received for got, t in rows)
    early = sum(1 for e in errors if e < 0)
    p99 = errors[min(len(errors) - 1, int(len(errors) * 0.99))]
    med_srv, worst_srv = stats.lateness_ms()
    print(f"pacing at speed {args.speed:g}: {stats.events} events over {args.seconds:g} s "
          f"simulated, {args.clients} TCP client(s) on 127.0.0.1, Python {sys.version.split()[0]}")
    print(f"  client receipt lateness: median {statistics.median(errors):.3f} ms, "
          f"p99 {p99:.3f} ms, worst {errors[-1]:.3f} ms; early lines: {early}")
    print(f"  server write lateness:   median {med_srv:.3f} ms, worst {worst_srv:.3f} ms")
    target = errors[-1] < 50 and early == 0
    print(f"  target (worst < 50 ms, none early): {'met' if target else 'NOT met'}")
    return 0 if target else 1


if __name__ == "__main__":
    sys.exit(main())
