"""Responsiveness of the live wallboard at 2,000 agents (issue 21): ``sim serve`` of
scenarios/large_day.toml at ``--speed 60`` in headless Chromium.

Measured in the browser by the page's own hook (``window.__wallboard``, sim/serve/static/app.js):

* notification -> tiles: from the server stamping a feed message that carries a statistics
  notification (``server_ms``) to the page having applied it and painted (wall-clock ms; server
  and browser share this machine's clock);
* render: from the message's arrival in the page to the painted update (agent tiles, queues,
  statistic tiles, ticker), for every message that changed agents or statistics.

It also reports how far the board kept up with the pace: sim seconds shown per wall second
(60 when on time). Needs the Debian packages ``chromium`` and ``chromium-driver``.

    .venv/bin/python bench/bench_serve.py                 # 60 s of wall clock at 60x
    .venv/bin/python bench/bench_serve.py --seconds 20 --speed 10
"""

from __future__ import annotations

import argparse
import http.client
import re
import shutil
import signal
import statistics
import subprocess
import sys
import time
from pathlib import Path

import orjson

ROOT = Path(__file__).resolve().parents[1]


def snapshot(port: int) -> dict:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=60)
    try:
        conn.request("GET", "/api/snapshot")
        return orjson.loads(conn.getresponse().read())
    finally:
        conn.close()


def browser(width: int, height: int):
    from selenium import webdriver
    from selenium.webdriver.chrome.service import Service
    options = webdriver.ChromeOptions()
    for arg in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu",
                f"--window-size={width},{height}"):
        options.add_argument(arg)
    options.binary_location = shutil.which("chromium") or shutil.which("chromium-browser") or "chromium"
    return webdriver.Chrome(service=Service(shutil.which("chromedriver") or "chromedriver"),
                            options=options)


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(q * len(values)))] if values else float("nan")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scenario", default=str(ROOT / "scenarios" / "large_day.toml"))
    ap.add_argument("--speed", default="60")
    ap.add_argument("--seconds", type=float, default=60.0, help="wall-clock seconds measured")
    ap.add_argument("--set", action="append", default=[], metavar="KEY=VALUE",
                    help="scenario override passed to sim serve")
    args = ap.parse_args(argv)

    cmd = [sys.executable, "-m", "sim", "serve", args.scenario, "--speed", args.speed,
           "--listen", "127.0.0.1:0", *(x for kv in args.set for x in ("--set", kv))]
    proc = subprocess.Popen(cmd, stderr=subprocess.PIPE, cwd=ROOT)
    b = None
    try:
        line = proc.stderr.readline().decode()
        port = int(re.search(r":(\d+)/", line).group(1))
        b = browser(1600, 1000)
        b.get(f"http://127.0.0.1:{port}/")
        js = b.execute_script
        deadline = time.monotonic() + 120
        while js("return window.__wallboard.notifications") < 1:
            if time.monotonic() > deadline:
                raise SystemExit("no notification within 120 s")
            time.sleep(0.1)
        js("for (const k of ['latency', 'render', 'apply']) window.__wallboard[k].length = 0;")
        s0, w0 = snapshot(port), time.monotonic()
        time.sleep(args.seconds)
        s1, w1 = snapshot(port), time.monotonic()
        wb = js("return window.__wallboard")
        agents = len(s1["agents"])
    finally:
        if b is not None:
            b.quit()
        proc.send_signal(signal.SIGINT)
        _, err = proc.communicate(timeout=60)
    lat, ren = wb["latency"], wb["render"]
    pace = (s1["time"] - s0["time"]) / (w1 - w0)
    print(f"sim serve {Path(args.scenario).name} --speed {args.speed}: {agents} agents, "
          f"{s1['events'] - s0['events']} TEvents in {w1 - w0:.0f} s "
          f"({pace:.1f} sim s per wall s), {wb['messages']} feed messages, "
          f"{wb['resyncs']} resyncs")
    print(f"notification -> tiles painted: median {statistics.median(lat):.0f} ms, "
          f"p95 {pct(lat, 0.95):.0f} ms, worst {max(lat):.0f} ms ({len(lat)} notifications)")
    print(f"message -> painted (render): median {statistics.median(ren):.0f} ms, "
          f"p95 {pct(ren, 0.95):.0f} ms, worst {max(ren):.0f} ms ({len(ren)} updates)")
    app = wb["apply"]
    print(f"of which the script applying it: median {statistics.median(app):.1f} ms, "
          f"p95 {pct(app, 0.95):.1f} ms")
    print(err.decode().strip().splitlines()[-1])
    return 0


if __name__ == "__main__":
    sys.exit(main())
