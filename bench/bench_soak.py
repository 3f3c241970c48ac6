"""Faulted soak (issue 9 point 2): many simulated days of a small two-switch center with random
link losses, Stat Server disconnects, registration errors and DNs out of service.

Usage: PYTHONPATH=. .venv/bin/python bench/bench_soak.py [--days 1000] [--seed N] [--out DIR]

The run is ``sim run``'s own :func:`sim.simulation.simulate` (model -> pipeline -> engine ->
files). Checked while it runs:

* after every restored connection (the model's restore hooks: link restored, Stat Server
  reconnected, DN back in service; each once the switch's events reach Stat Server again),
  on every registered, in-service DN of that switch: the
  engine's agent state equals the model's (``simulate`` records it in
  ``summary["restore_checks"]``), the engine's calls on the DN (ConnIDs) equal the model's, and
  no call action runs on it for a call the DN no longer has (every call action of an ended
  call has ended);
* on the engine's records, per DN (object type RegDN / Queue / RoutePoint): the non-call
  action families tile the run without gaps or overlaps: Monitored / NotMonitored and LoggedIn /
  LoggedOut cover it from the DN's first record to the end; OnHook / OffHook and the agent
  states (WaitForNextCall / NotReadyForNextCall / AfterCallWork) never overlap (several starts
  without an end, or a start before the previous end); OnHook / OffHook leave no gap, the agent
  states only while no agent is logged in or the DN is not monitored (the gap ends with a new
  LoggedIn or Monitored);
* at the end of the run (after the drain), the same calls comparison on every switch: no call
  action runs for a call the model finished;
* the trace itself: ``sim check``'s invariants (docs/reference/tevents.md §11) on every event as it is emitted.

Everything is streamed (per DN only the running family action is kept), so memory is flat in
the number of days. Prints days per second. ``tests/test_soak.py`` runs 3 days in CI.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import sys
import tempfile
import time
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

DAY = 86400.0

SCENARIO = """
[run]
name = "soak"
horizon = 86400
seed = 1
drain = 3600

[[switches]]
name = "SW1"

[[switches]]
name = "SW2"
registered_extensions = false

[[queues]]
number = "7000"
skill = "sales"

[[queues]]
number = "7000"
switch = "SW2"
skill = "sales"

[[routing_points]]
number = "8000"
target = "7000"
user_data = { Segment = "gold" }

[[teams]]
name = "A"
count = 5
first_dn = 6001
first_login = 1001
skills = ["sales"]
queue = "7000"
wrap_up = { dist = "exponential", mean = 20 }
not_ready = { rate = 0.5, duration = { dist = "exponential", mean = 120 }, reasons = ["Email"] }
breaks = [{ start = "12:00", duration = 1800, reason = "Lunch" }]

[[teams]]
name = "B"
count = 4
first_dn = 6001
first_login = 2001
switch = "SW2"
skills = ["sales"]
queue = "7000"
wrap_up = 15
shift = { start = "06:00", end = "22:00" }

[[traffic]]
name = "sw1"
routing_point = "8000"
rate = 40
handle = { dist = "exponential", mean = 150 }
patience = { dist = "exponential", mean = 120 }
flows = { hold = 0.1, consult_transfer = 0.05 }

[[traffic]]
name = "sw2"
switch = "SW2"
queue = "7000"
rate = 25
handle = { dist = "exponential", mean = 150 }
patience = { dist = "exponential", mean = 120 }

[faults]
registration_errors = [{ dn = "6002", attempts = 2 }, { dn = "6003", switch = "SW2", attempts = 3 }]
random = [
  { kind = "link_loss", rate = 0.08, duration = 90 },
  { kind = "server_disconnect", rate = 0.08, duration = 45 },
  { kind = "link_loss", switch = "SW2", rate = 0.06, duration = 60 },
  { kind = "server_disconnect", switch = "SW2", rate = 0.1, duration = 30 },
  { kind = "out_of_service", dn = "6001", rate = 0.1, duration = 120 },
  { kind = "out_of_service", dn = "6004", switch = "SW2", rate = 0.1, duration = 200 },
  { kind = "out_of_service", dn = "7000", rate = 0.03, duration = 60 },
]
"""

FAMILIES = {"Monitored": "monitoring", "NotMonitored": "monitoring", "LoggedIn": "login",
            "LoggedOut": "login", "OnHook": "hook", "OffHook": "hook", "WaitForNextCall": "state",
            "NotReadyForNextCall": "state", "AfterCallWork": "state"}
COVERING = ("monitoring", "login")      # families that must cover the run from the first record
DN_OBJECTS = ("RegDN", "Queue", "RoutePoint")
EPS = 1e-6
KEEP = 20                               # violations kept per kind (all are counted)


class Soak:
    """The checks; ``records(batch)`` sees every engine record, ``restored(cc, ts)`` every restore."""

    def __init__(self):
        self.engine = None
        self.restores = 0
        self.checked_dns = 0
        self.counts = {"calls": 0, "ended_call_actions": 0, "gap": 0, "overlap": 0, "uncovered": 0}
        self.violations: dict[str, list] = {k: [] for k in self.counts}
        self.first: dict[tuple[str, str], float] = {}          # (dn, family) -> first start
        self.cursor: dict[tuple[str, str], float] = {}         # (dn, family) -> last end
        self.running: dict[tuple[str, str], tuple[str, float]] = {}   # -> (action, start)
        self.cc = None                                         # the model (from the first restore)

    def _bad(self, kind: str, item) -> None:
        self.counts[kind] += 1
        if len(self.violations[kind]) < KEEP:
            self.violations[kind].append(item)

    # ------------------------------------------------------------------ records (streamed)
    def records(self, batch) -> None:
        from sim.statserver.records import END, START, Action
        acts = [r for r in batch if type(r) is Action and r.object_type in DN_OBJECTS
                and r.kind in (START, END)]
        acts.sort(key=lambda r: r.kind != END)      # simultaneous: ends before starts
        for r in acts:
            fam = FAMILIES.get(r.action)
            if fam is None:
                continue
            key = (r.object, fam)
            if r.kind == START:
                if key in self.running:
                    self._bad("overlap", (r.object, r.action, r.time, "starts while", self.running[key]))
                cur = self.cursor.get(key)
                if cur is not None and r.time > cur + EPS and not self._gap_allowed(r.object, fam, cur):
                    self._bad("gap", (r.object, fam, cur, r.time))
                elif cur is not None and r.time < cur - EPS:
                    self._bad("overlap", (r.object, r.action, r.time, "before the previous end", cur))
                self.first.setdefault(key, r.time)
                self.running[key] = (r.action, r.time)
            else:
                self.running.pop(key, None)
                self.cursor[key] = r.time

    def _gap_allowed(self, dn: str, fam: str, since: float) -> bool:
        """Agent states exist only while an agent is logged in and the DN monitored: a gap is
        allowed when the DN's LoggedIn or Monitored now running started after it opened."""
        if fam != "state":
            return False
        for other, name in (("login", "LoggedIn"), ("monitoring", "Monitored")):
            run = self.running.get((dn, other))
            if run is not None and run[0] == name and run[1] >= since - EPS:
                return True
        return False

    def close(self, end: float) -> None:
        for key in self.first:
            if key[1] in COVERING and key not in self.running and self.cursor[key] < end - EPS:
                self._bad("uncovered", (*key, self.cursor[key], end))

    # ------------------------------------------------------------------ restores
    def restored(self, cc, ts) -> None:
        """Engine view == model truth on the registered, in-service DNs of the switch."""
        self.restores += 1
        self.cc = cc
        self.compare(cc, ts)

    def compare(self, cc, ts) -> None:
        engine = self.engine
        if not ts.live:
            return
        for dn in ts.dns.values():
            if not (dn.registered and dn.in_service):
                continue
            self.checked_dns += 1
            model = set(dn.legs)
            running = engine.running(dn.id)
            if dn.mediation:    # a mediation DN's calls are its running call actions (CallWait)
                got = {conn for name, conn, _ in running if conn is not None and name not in FAMILIES}
            else:
                got = engine.calls_on(dn.id)
            if got != model:
                self._bad("calls", (cc.env.now, dn.id, sorted(model), sorted(got), running))
            for name, conn, _start in running:
                if conn is not None and conn not in model and name not in FAMILIES:
                    self._bad("ended_call_actions", (cc.env.now, dn.id, name, conn))

    def at_end(self) -> None:
        """After the drain: the same comparison on every switch (calls that ended meanwhile)."""
        if self.cc is not None:
            for site in self.cc.sites.values():
                self.compare(self.cc, site.ts)


@contextlib.contextmanager
def recording_pipeline(soak: Soak):
    """``simulate`` builds its Pipeline itself; a subclass hands the engine and every record to
    the checks (simulate's ``on_restore`` hook passes the model only)."""
    import sim.pipeline as pl
    base = pl.Pipeline

    class Recording(base):
        def __init__(self, *a, **kw):
            super().__init__(*a, **kw)
            soak.engine = self.engine

        def feed(self, ev):
            records = super().feed(ev)
            soak.records(records)
            return records

    pl.Pipeline = Recording
    try:
        yield
    finally:
        pl.Pipeline = base


def soak(days: float, seed: int = 1, out_dir: str | None = None) -> dict:
    """Run ``days`` simulated days with random faults; return the figures and the violations."""
    from sim.scenario.load import build_scenario
    from sim.simulation import simulate

    sc = build_scenario(tomllib.loads(SCENARIO), "soak.toml",
                        [f"run.horizon={days * DAY}", f"run.seed={seed}"])
    s = Soak()
    tmp = None
    if out_dir is None:
        tmp = tempfile.TemporaryDirectory(prefix="soak_")
        out_dir = tmp.name
    t0 = time.perf_counter()
    try:
        with recording_pipeline(s):
            summary = simulate(sc, out_dir, on_restore=s.restored, check=True)
        wall = time.perf_counter() - t0
        s.close(s.engine.now)
        s.at_end()
    finally:
        if tmp is not None:
            tmp.cleanup()
    checks = summary["restore_checks"]
    state_bad = [c for c in checks if c["mismatches"]]
    faults = summary["faults"]
    return {
        "days": days, "seed": seed, "wall_s": round(wall, 2), "days_per_s": round(days / wall, 3),
        "offered": summary["overall"]["offered"], "events": sum(summary["events"].values()),
        "faults": {k: sum(f["kind"] == k for f in faults) for k in ("link_loss", "server_disconnect",
                                                                     "out_of_service")},
        "restores": s.restores, "restore_checks": len(checks), "dns_checked": s.checked_dns,
        "agent_state_mismatches": sum(len(c["mismatches"]) for c in checks),
        "agent_state_examples": state_bad[:5],
        "engine_problems": summary["engine_problem_count"],
        "trace_violations": summary["check"]["count"],
        "trace_violation_examples": summary["check"]["violations"][:5],
        "violations": {k: v for k, v in s.counts.items()},
        "examples": {k: v for k, v in s.violations.items() if v},
    }


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--days", type=float, default=30.0, help="simulated days (default 30)")
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--out", default=None, help="keep the run's files in this folder")
    ap.add_argument("--json", default=None, help="also write the report to this JSON file")
    args = ap.parse_args(argv)
    r = soak(args.days, args.seed, args.out)
    print(f"soak: {r['days']:g} days, seed {r['seed']}: {r['wall_s']:.1f} s wall, {r['days_per_s']:.3f} days/s, "
          f"{r['offered']} calls, {r['events']} events")
    print(f"faults: {r['faults']}; restores {r['restores']}, DN checks {r['dns_checked']}")
    print(f"agent-state mismatches {r['agent_state_mismatches']}, violations {r['violations']}, "
          f"engine problems {r['engine_problems']}, trace (sim check) violations {r['trace_violations']}")
    for k, v in r["examples"].items():
        print(f"  {k}: {v[:3]}")
    if args.json:
        Path(args.json).write_text(json.dumps(r, indent=2, default=str) + "\n")
    bad = r["agent_state_mismatches"] + sum(r["violations"].values()) + r["trace_violations"]
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
