"""Executors: the same sweep run serially, on a local process pool and on a real Dask cluster
(LocalCluster on loopback) gives byte-identical sweep.csv and replications.csv."""

from __future__ import annotations

from pathlib import Path

import pytest

from sim.analysis import runner, sweep

distributed = pytest.importorskip("dask.distributed")

ROOT = Path(__file__).resolve().parent.parent
ERLANG_A = str(ROOT / "scenarios" / "erlang_a.toml")


def _run(executor):
    src = runner.read_scenario(ERLANG_A)
    s = sweep.run_sweep(src, [sweep.parse_vary("teams[0].count=13:15:1")], replications=4, seed=21,
                        warmup=300.0, sets=["run.horizon=2400"], executor=executor)
    return sweep.sweep_csv(s), sweep.replications_csv(s)


def test_serial_pool_and_dask_give_identical_files(tmp_path):
    serial = _run(sweep.SerialExecutor())
    with sweep.PoolExecutor(2) as pool:
        pooled = _run(pool)
    cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                       dashboard_address=None)
    try:
        with sweep.make_executor(scheduler=cluster.scheduler_address) as dask_ex:
            assert dask_ex.name == "dask" and dask_ex.workers == 2
            dasked = _run(dask_ex)
    finally:
        cluster.close()
    assert pooled[0] == serial[0] and dasked[0] == serial[0]
    assert pooled[1] == serial[1] and dasked[1] == serial[1]
    assert serial[1].count("\n") == 1 + 3 * 4


def test_unreachable_scheduler_is_a_user_error():
    from sim.errors import UserError

    with pytest.raises(UserError, match="^--scheduler: cannot connect"):
        sweep.DaskExecutor("tcp://127.0.0.1:9", timeout=1.0)


def test_workers_and_scheduler_are_exclusive():
    from sim.errors import UserError

    with pytest.raises(UserError, match="--scheduler"):
        sweep.make_executor(2, "tcp://127.0.0.1:9")
    with pytest.raises(UserError, match="^--workers"):
        sweep.make_executor(0)
    assert sweep.make_executor(1).name == "serial"
