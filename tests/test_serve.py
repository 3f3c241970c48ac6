"""The live wallboard, ``sim serve`` (issue 21): its API, pacing controls and robustness.

Real ``sim serve`` processes on free loopback ports, read over HTTP while they run. Every wait
polls with a generous deadline (a loaded 2-vCPU machine), nothing sleeps a fixed time, and no
assertion is about speed (the browser figures are in bench/bench_serve.py). The unit tests at
the end drive the pacer and the per-client queues in-process.
"""

from __future__ import annotations

import asyncio
import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import orjson
import pytest

from sim.pipeline import Pipeline
from sim.scenario.load import load_scenario
from sim.statserver.rules import AGENT_PRIORITY

ROOT = Path(__file__).resolve().parents[1]
QUICKSTART = str(ROOT / "scenarios" / "quickstart.toml")
DEADLINE = 60.0


class Serve:
    """A ``sim serve`` subprocess on a free loopback port, with small HTTP helpers."""

    def __init__(self, *args: str):
        env = {**os.environ, "PYTHONUNBUFFERED": "1"}
        self.proc = subprocess.Popen(
            [sys.executable, "-m", "sim", "serve", *args, "--listen", "127.0.0.1:0"],
            stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, cwd=ROOT)
        line = self.proc.stderr.readline().decode()
        m = re.search(r"http://127\.0\.0\.1:(\d+)/", line)
        if m is None:
            self.proc.kill()
            raise AssertionError(f"no address line: {line!r} {self.proc.stderr.read()!r}")
        self.port = int(m.group(1))
        self.stopped: tuple[int, str] | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        conn = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        try:
            conn.request(method, path, body, headers or {})
            r = conn.getresponse()
            return r.status, r.read()
        finally:
            conn.close()

    def get(self, path: str):
        status, body = self.request("GET", path)
        assert status == 200, (path, status, body)
        return orjson.loads(body)

    def control(self, **body):
        status, data = self.request("POST", "/api/control", orjson.dumps(body),
                                    {"Content-Type": "application/json"})
        assert status == 200, data
        return orjson.loads(data)

    def until(self, what, timeout: float = DEADLINE):
        """Poll the snapshot until ``what(snapshot)`` holds; return that snapshot."""
        end = time.monotonic() + timeout
        while True:
            snap = self.get("/api/snapshot")
            if what(snap):
                return snap
            assert time.monotonic() < end, f"timed out; last snapshot time {snap['time']}"
            time.sleep(0.05)

    def stop(self) -> tuple[int, str]:
        """Ctrl-C; the exit code and what it wrote on stderr after the address line."""
        if self.stopped is None:
            self.proc.send_signal(signal.SIGINT)
            try:
                _, err = self.proc.communicate(timeout=30)
            except subprocess.TimeoutExpired:
                self.proc.kill()
                raise
            self.stopped = (self.proc.returncode, err.decode())
        return self.stopped


@pytest.fixture(scope="module")
def quick():
    """quickstart at 60x real time (a notification every 10 sim seconds)."""
    s = Serve(QUICKSTART, "--speed", "60")
    yield s
    s.stop()


def _engine_after(n: int) -> Pipeline:
    """A fresh pipeline fed the first ``n`` TEvents of the same quickstart run."""
    from sim.model.model import ContactCenter
    sc = load_scenario(QUICKSTART, [], None)
    pipe = Pipeline(sc.objects(), None, with_stats=False)

    class Enough(Exception):
        pass

    def sink(ev):
        if pipe.summary.events >= n:
            raise Enough
        pipe.feed(ev)
    try:
        ContactCenter(sc, sink).run()
    except Enough:
        pass
    assert pipe.summary.events == n
    return pipe


# ------------------------------------------------------------------------------ the API
def test_snapshot_time_moves_and_lists_every_agent(quick):
    first = quick.until(lambda s: s["time"] is not None and s["events"] > 0)
    later = quick.until(lambda s: s["time"] > first["time"] + 5)
    assert later["events"] >= first["events"]
    agents = load_scenario(QUICKSTART, [], None).objects().agents
    assert [a["id"] for a in later["agents"]] == list(agents)
    for a in later["agents"]:
        assert a["status"] in AGENT_PRIORITY
        assert re.fullmatch(r"\d+@SW1", a["dn"])
    assert {q["dn"] for q in later["queues"]} == {"7000@SW1", "8000@SW1"}
    for q in later["queues"]:
        assert {"waiting", "oldest_wait", "distributed", "abandoned"} <= set(q)


def test_paused_statuses_equal_the_engine_and_step_moves_one_event(quick):
    quick.until(lambda s: s["events"] >= 30)
    state = quick.control(action="pause")
    assert state["paused"] is True
    snap = quick.get("/api/snapshot")
    again = quick.get("/api/snapshot")
    assert again["events"] == snap["events"] and again["time"] == snap["time"]  # frozen
    pipe = _engine_after(snap["events"])
    assert {a["id"]: a["status"] for a in snap["agents"]} == {
        a: pipe.engine.agent_status.get(a, "LoggedOut") for a in pipe.objects.agents}
    for q in snap["queues"]:
        running = pipe.engine.dns[q["dn"]].running.values()
        assert q["waiting"] == sum(r.name == "CallWait" for r in running)

    stepped = quick.control(action="step")
    assert stepped["events"] == snap["events"] + 1 and stepped["paused"] is True
    after = quick.get("/api/snapshot")
    pipe = _engine_after(after["events"])
    assert {a["id"]: a["status"] for a in after["agents"]} == {
        a: pipe.engine.agent_status.get(a, "LoggedOut") for a in pipe.objects.agents}
    assert quick.control(action="resume")["paused"] is False
    quick.until(lambda s: s["events"] > after["events"])


def test_statistics_are_notified_and_speed_changes(quick):
    snap = quick.until(lambda s: s["stats"])
    kinds = {s["stat_type"] for s in snap["stats"]}
    assert {"Service_Level", "Total_Calls_Answered", "CurrNumberWaitingCalls"} <= kinds
    for s in snap["stats"]:
        assert set(s) >= {"stat_type", "object", "value", "time"}
        assert s["object_type"] in ("Queue", "RoutePoint", "GroupQueues", "GroupAgents", "GroupPlaces")
    assert quick.control(action="speed", speed="max")["speed"] is None
    assert quick.control(action="speed", speed=60)["speed"] == 60.0
    meta = quick.get("/api/meta")
    assert meta["priority"] == list(AGENT_PRIORITY)
    from sim.report.plots import STATUS_COLORS
    assert meta["colors"]["CallInbound"] == STATUS_COLORS["CallInbound"]


def test_feed_streams_updates_to_several_clients_with_filters(quick):
    def open_feed(query: str):
        sock = socket.create_connection(("127.0.0.1", quick.port), timeout=30)
        sock.sendall(f"GET /api/feed?{query} HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n".encode())
        return sock, sock.makefile("rb")

    def messages(f, n):
        out = []
        while len(out) < n:
            line = f.readline()
            assert line, "feed closed"
            if line.startswith(b"data: "):
                out.append(orjson.loads(line[6:]))
        return out

    tabs = [open_feed("rows=all"), open_feed("dn=7000&rows=all"), open_feed("rows=5&records=1")]
    try:
        everything = messages(tabs[0][1], 3)
        assert everything[0]["resync"] is True and everything[0]["type"] == "update"
        assert all({"time", "events", "agents", "queues", "notifications", "rows"} <= set(m)
                   for m in everything)
        rows: list = []
        end = time.monotonic() + DEADLINE
        while len(rows) < 3:
            assert time.monotonic() < end, "no event concerned queue 7000"
            rows += [r for m in messages(tabs[1][1], 1) for r in m["rows"]]
        for r in rows:
            text = " ".join([r["dn"] or "", *r["attributes"], *(a[1] for a in r["actions"])])
            assert "7000" in text
        capped = messages(tabs[2][1], 3)
        while not any(m["rows"] for m in capped):
            capped += messages(tabs[2][1], 1)
        assert all(len(m["rows"]) <= 5 for m in capped)
        full = [r for m in capped for r in m["rows"]]
        assert any(r["records"] for r in full)
        for r in full:     # the TEvent itself, as a trace line has it
            assert r["tevent"]["event"] == r["event"] and r["tevent"]["time"] == r["time"]
    finally:
        for sock, f in tabs:
            f.close()
            sock.close()


def test_serves_only_its_page_and_api(quick):
    status, page = quick.request("GET", "/")
    assert status == 200 and b"/static/app.js" in page
    for name in ("app.js", "style.css"):
        assert quick.request("GET", f"/static/{name}")[0] == 200
    for path in ("/static/../board.py", "/static/%2e%2e/board.py", "/etc/passwd", "/static/index.html/x",
                 "/sim/serve/board.py"):
        assert quick.request("GET", path)[0] == 404, path
    assert quick.request("GET", "/", headers={"Host": "evil.example"})[0] == 400  # DNS rebinding
    assert quick.request("POST", "/api/control", b'{"action":"pause"}',
                         {"Content-Type": "text/plain"})[0] == 415
    bad = [b'{"action":"fly"}', b'{"action":"speed","speed":"-1"}', b"[1]", b"{",
           b'{"action":"step","count":0}']
    for body in bad:
        status, data = quick.request("POST", "/api/control", body, {"Content-Type": "application/json"})
        assert status == 400 and orjson.loads(data)["error"], body
    assert quick.request("GET", "/api/feed?rows=lots")[0] == 400


# ------------------------------------------------------------------------------ the command
def test_ctrl_c_stops_cleanly_with_one_line(quick):
    quick.until(lambda snap: snap["events"] > 0)
    quick.control(action="pause")            # a paused board stops too
    code, err = quick.stop()
    assert code == 130
    lines = [x for x in err.splitlines() if x.strip()]
    assert len(lines) == 1 and lines[0].startswith("sim serve: interrupted:"), err
    assert "Traceback" not in err


def test_a_trace_is_served_to_its_end(tmp_path):
    from sim.model.model import ContactCenter
    from sim.objects import dump_objects
    from sim.tlib.writer import TraceWriter
    sc = load_scenario(QUICKSTART, ["run.horizon=900"], None)
    with open(tmp_path / "events.jsonl", "wb") as fh:
        writer = TraceWriter(fh)
        ContactCenter(sc, writer.write).run()
        n = writer.count
    dump_objects(sc.objects(), str(tmp_path / "objects.toml"))
    lines = (tmp_path / "events.jsonl").read_bytes().splitlines(keepends=True)
    lines.insert(5, b"{not json\n")           # line 6: reported, the others still shown
    (tmp_path / "events.jsonl").write_bytes(b"".join(lines))
    out = tmp_path
    s = Serve("--trace", str(out / "events.jsonl"), "--objects", str(out / "objects.toml"),
              "--speed", "max", "--stat", "Total_Calls_Answered", "--paused")
    try:
        first = s.get("/api/snapshot")
        assert first["paused"] and first["events"] == 0 and first["time"] is None
        assert s.control(action="step", count=3)["events"] == 3
        # a tab that never reads (big messages: every row with its records) and one that
        # goes away: neither holds the run up, and the one that went is forgotten
        stalled = socket.socket()
        stalled.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
        stalled.connect(("127.0.0.1", s.port))
        stalled.sendall(b"GET /api/feed?rows=all&records=1 HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        gone = socket.create_connection(("127.0.0.1", s.port))
        gone.sendall(b"GET /api/feed HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n")
        s.until(lambda x: x["clients"] == 2)
        gone.close()
        s.until(lambda x: x["clients"] == 1)
        s.control(action="resume")
        snap = s.until(lambda x: x["finished"])
        assert snap["clients"] == 1
        stalled.close()
        assert snap["events"] == n
        assert {x["stat_type"] for x in snap["stats"]} == {"Total_Calls_Answered"}
    finally:
        code, err = s.stop()
    assert code == 130 and f"{n} events shown" in err
    assert "events.jsonl:6" in err and "Traceback" not in err


def _sim(argv, capsys) -> tuple[int, str]:
    from sim.cli import main
    try:
        code = main(["serve", *argv])
    except SystemExit as exc:          # argparse: a usage error
        code = exc.code
    return code, capsys.readouterr().err


@pytest.mark.parametrize("args, where", [
    ([], "give a scenario"),
    ([QUICKSTART, "--stat", "No_Such_Stat"], "--stat"),
    (["missing.toml"], "missing.toml"),
    ([QUICKSTART, "--trace", "x.jsonl"], "not both"),
    ([QUICKSTART, "--speed", "0"], "--speed"),
    ([QUICKSTART, "--listen", "127.0.0.1:99999"], "--listen"),
])
def test_bad_input_is_one_line_and_exit_2(args, where, capsys):
    code, err = _sim(args, capsys)
    lines = err.strip().splitlines()
    assert code == 2 and len(lines) == 1 and where in lines[0] and "Traceback" not in err, err


def test_a_busy_port_is_bad_input(capsys):
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen(1)
        port = taken.getsockname()[1]
        code, err = _sim([QUICKSTART, "--listen", f"127.0.0.1:{port}"], capsys)
    assert code == 2 and "--listen" in err and "cannot listen" in err, err


# ------------------------------------------------------------------------------ in-process units
def test_a_slow_client_drops_messages_and_is_told_to_resync():
    from sim.serve.driver import Client

    async def main():
        c = Client(maxsize=3)
        for i in range(10):
            c.offer({"n": i})
        assert c.queue.qsize() == 3 and c.dropped == 7     # bounded: memory stays flat
        got = [orjson.loads(await c.next()) for _ in range(3)]
        assert got[0]["resync"] is True                      # the first message of a client
        assert "resync" not in got[1]
        c.offer({"n": 10})
        late = orjson.loads(await c.next())
        assert late["resync"] is True and late["dropped"] == 7
        c.offer({"n": 11})
        assert "resync" not in orjson.loads(await c.next())
        assert c.queued == 0

        big = Client(maxsize=100, max_bytes=10_000)     # bounded in bytes too
        for _ in range(10):
            big.offer({"pad": "x" * 3000})
        assert big.queue.qsize() == 3 and big.dropped == 7 and big.queued <= 10_000
        await big.next()
        assert big.queued <= 7_000
    asyncio.run(main())


def test_pacer_pauses_steps_and_changes_speed():
    from sim.serve.driver import Pacer

    async def main():
        stop = asyncio.Event()
        p = Pacer(speed=10.0)
        assert await p.wait(100.0, stop) and p.now() == pytest.approx(100.0, abs=1.0)
        t0 = time.monotonic()
        assert await p.wait(100.5, stop)               # 0.5 s of sim time at 10x
        assert time.monotonic() - t0 >= 0.04
        p.pause()
        frozen = p.now()
        waiter = asyncio.ensure_future(p.wait(100.6, stop))
        await asyncio.sleep(0.05)
        assert not waiter.done() and p.now() == frozen  # paused: nothing is let through
        p.step()
        assert await waiter and p.now() == 100.6        # one event, then paused again
        p.set_speed(None)
        p.resume()
        assert await p.wait(5000.0, stop)              # max: no waiting
        p.set_speed(1.0)
        slow = asyncio.ensure_future(p.wait(9000.0, stop))
        await asyncio.sleep(0.05)
        assert not slow.done()
        stop.set()
        p.changed.set()
        assert await slow is False
    asyncio.run(main())
