"""Determinism (issue 9 point 5): the same scenario and seed give byte-identical outputs.

* ``sim run`` twice on every shipped scenario (a shorter horizon via ``--set``), into two
  different folders: every output file (trace, objects, actions, statuses, stats.csv,
  summary.json, calls.csv, truth.csv and the plots) is identical byte for byte.
* ``sim replay`` twice on the same trace: identical actions, statuses and stats.csv; and the
  replay of a run's own trace reproduces the run's actions and statuses byte for byte (the
  model's event times are whole microseconds, as the trace keeps them).
* ``sim sweep`` serially, on a process pool and on a Dask cluster: identical sweep.csv,
  replications.csv and sweep.json (the seeds of the replications do not depend on the
  executor; docs/reference/contracts.md §5).
"""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path

import pytest

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"

# Horizon per scenario: long enough for traffic, faults and shifts to happen, short enough to
# keep the two runs under a few seconds. inbound_day's traffic starts at 07:00; large_day runs
# its shifts and profile with 10 agents per team and 1/100 of the traffic from 06:00 to 08:00.
HORIZON = {"quickstart": 1800, "inbound_day": 30600, "blended": 1800, "faults": 7200, "erlang_a": 1800,
           "c1": 1800, "c3": 1800, "large_day": 28800}
SETS = {"large_day": [*(f"teams[{i}].count=10" for i in range(6)), "traffic[0].rate=238",
                      "traffic[1].rate=102", "run.drain=600"]}
SHIPPED = sorted(p.stem for p in SCEN.glob("*.toml"))


def _sim(*argv: str) -> int:
    with contextlib.redirect_stdout(io.StringIO()), contextlib.redirect_stderr(io.StringIO()):
        return main(list(argv))


def _files(d: Path) -> dict[str, bytes]:
    return {str(p.relative_to(d)): p.read_bytes() for p in sorted(d.rglob("*")) if p.is_file()}


def _run_args(name: str, out: Path) -> list[str]:
    args = ["run", str(SCEN / f"{name}.toml"), "--out", str(out)]
    if name in HORIZON:
        args += ["--set", f"run.horizon={HORIZON[name]}"]
    for item in SETS.get(name, []):
        args += ["--set", item]
    return args


def test_every_shipped_scenario_has_a_horizon():
    assert set(SHIPPED) <= set(HORIZON), "add the new scenario to HORIZON"


@pytest.mark.parametrize("name", SHIPPED)
def test_run_twice_byte_identical(name, tmp_path):
    a, b = tmp_path / "a", tmp_path / "second"
    assert _sim(*_run_args(name, a)) == 0
    assert _sim(*_run_args(name, b)) == 0
    fa, fb = _files(a), _files(b)
    assert sorted(fa) == sorted(fb)
    for f in ("events.jsonl", "objects.toml", "actions.jsonl", "statuses.jsonl", "stats.csv",
              "summary.json"):
        assert f in fa, f
    differ = [f for f in fa if fa[f] != fb[f]]
    assert not differ


@pytest.fixture(scope="module")
def faults_run(tmp_path_factory):
    d = tmp_path_factory.mktemp("faults")
    assert _sim(*_run_args("faults", d)) == 0
    return d


def _replay(run_dir: Path, out: Path) -> int:
    return _sim("replay", str(run_dir / "events.jsonl"), "--objects", str(run_dir / "objects.toml"),
                "--out", str(out))


def test_replay_twice_byte_identical(faults_run, tmp_path):
    assert _replay(faults_run, tmp_path / "r1") == 0
    assert _replay(faults_run, tmp_path / "r2") == 0
    a, b = _files(tmp_path / "r1"), _files(tmp_path / "r2")
    assert sorted(a) == sorted(b) and {"actions.jsonl", "statuses.jsonl", "stats.csv"} <= set(a)
    assert [f for f in a if a[f] != b[f]] == []


def test_replay_of_a_run_reproduces_its_statuses(faults_run, tmp_path):
    assert _replay(faults_run, tmp_path / "r") == 0
    assert (tmp_path / "r" / "statuses.jsonl").read_bytes() == (faults_run / "statuses.jsonl").read_bytes()


def test_replay_of_a_run_reproduces_its_actions(faults_run, tmp_path):
    assert _replay(faults_run, tmp_path / "r") == 0
    assert (tmp_path / "r" / "actions.jsonl").read_bytes() == (faults_run / "actions.jsonl").read_bytes()


# --------------------------------------------------------------------------- executors
SWEEP = ["sweep", str(SCEN / "quickstart.toml"), "--vary", "teams[0].count=4:5:1", "--replications", "3",
         "--set", "run.horizon=1800", "--no-plots", "--no-progress"]
SWEEP_FILES = ("sweep.csv", "replications.csv", "sweep.json")


def _sweep(out: Path, *executor: str) -> dict[str, bytes]:
    assert _sim(*SWEEP, "--out", str(out), *executor) == 0
    return {f: (out / f).read_bytes() for f in SWEEP_FILES}


def test_sweep_serial_pool_and_dask_identical(tmp_path):
    serial = _sweep(tmp_path / "serial", "--workers", "1")
    pool = _sweep(tmp_path / "pool", "--workers", "2")
    assert pool == serial
    distributed = pytest.importorskip("distributed")
    env = os.environ.copy()     # distributed sets OMP_NUM_THREADS & co. in this process
    try:
        with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                      dashboard_address=None) as cluster:
            dask = _sweep(tmp_path / "dask", "--scheduler", cluster.scheduler_address)
    finally:
        os.environ.clear()
        os.environ.update(env)
    assert dask == serial
