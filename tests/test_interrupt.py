"""Ctrl-C (SIGINT) stops every command cleanly (issue 17 §1 and §2): one line saying it was
interrupted and where the partial output is, exit code 130, no traceback; a run's folder is
left at ``--out`` marked by ``incomplete.json`` (docs/decisions.md, "Output integrity")."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.toml"


def _start(argv, cwd) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "sim", *map(str, argv)], cwd=cwd, text=True,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})


def _wait_for(predicate, proc, timeout=60.0) -> None:
    end = time.monotonic() + timeout
    while not predicate():
        assert proc.poll() is None, proc.communicate()
        assert time.monotonic() < end, "timed out"
        time.sleep(0.05)


def _interrupt(proc) -> tuple[int, str, str]:
    proc.send_signal(signal.SIGINT)
    out, err = proc.communicate(timeout=60)
    return proc.returncode, out, err


def test_sigint_during_a_long_run(tmp_path):
    """A run that would take hours: SIGINT once it writes; the message, 130, the marked folder."""
    out = tmp_path / "out"
    proc = _start(["run", QUICKSTART, "--out", out, "--set", "run.horizon=36000000"], tmp_path)
    partial = tmp_path / f".out.partial-{proc.pid}"
    _wait_for(lambda: (partial / "events.jsonl").exists(), proc)
    time.sleep(0.5)          # well into the simulation
    code, stdout, err = _interrupt(proc)
    assert (code, err, stdout) == (130, f"sim run: interrupted; partial output in {out} (incomplete.json)\n", "")
    marker = json.loads((out / "incomplete.json").read_text())
    assert marker["complete"] is False and marker["reason"] == "interrupted (Ctrl-C)"
    assert marker["command"].startswith("sim run ") and "--out" in marker["command"]
    assert not (out / "summary.json").exists()
    assert (out / "events.jsonl").stat().st_size > 0 and (out / "objects.toml").exists()
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_sigint_during_a_replay_keeps_the_earlier_output_out_of_the_mix(tmp_path):
    """Replay of a long trace: the partial folder replaces the earlier replay entirely."""
    src = tmp_path / "src"
    assert subprocess.run([sys.executable, "-m", "sim", "run", str(QUICKSTART), "--out", str(src),
                           "--no-plots", "--trace-only", "--set", "run.horizon=360000"],
                          cwd=tmp_path, capture_output=True).returncode == 0
    out = tmp_path / "r"
    out.mkdir()
    (out / "stats.csv").write_text("an earlier replay\n")
    proc = _start(["replay", src / "events.jsonl", "--objects", src / "objects.toml", "--out", out], tmp_path)
    partial = tmp_path / f".r.partial-{proc.pid}"
    _wait_for(lambda: (partial / "actions.jsonl").exists(), proc)
    time.sleep(0.3)
    code, _, err = _interrupt(proc)
    if code == 0:        # the machine was quick enough to finish first: nothing to check
        return
    assert (code, err) == (130, f"sim replay: interrupted; partial output in {out} (incomplete.json)\n")
    assert "an earlier replay" not in (out / "stats.csv").read_text()
    assert (out / "incomplete.json").exists()


def test_sigint_stops_a_stream(tmp_path):
    proc = _start(["stream", QUICKSTART, "--listen", "127.0.0.1:0", "--speed", "1"], tmp_path)
    line = proc.stderr.readline()
    assert line.startswith("sim: streaming TEvents on 127.0.0.1:")
    code, _, err = _interrupt(proc)
    assert code == 130, err
    assert err.splitlines() == ["sim stream: interrupted; 0 events sent, 0 client(s) connected, 0 dropped"]


def test_sigint_before_any_output_says_nothing_was_written(tmp_path):
    """Interrupting a sweep while it computes (it writes only at the end)."""
    proc = _start(["sweep", ROOT / "scenarios" / "erlang_a.toml", "--vary", "teams[0].count=10:40:1",
                   "--replications", "50", "--workers", "1", "--no-progress", "--out", tmp_path / "sw"],
                  tmp_path)
    time.sleep(3)
    code, _, err = _interrupt(proc)
    assert code == 130 and "Traceback" not in err
    assert err.splitlines()[-1] == "sim sweep: interrupted; nothing written"
    assert list(tmp_path.iterdir()) == []


def test_ctrl_c_in_commands_without_output(tmp_path, monkeypatch, capsys):
    """check and explain (nothing written): `sim CMD: interrupted`, 130, no traceback."""
    import pytest
    from errors_catalogue import OBJECTS, TRACE

    from sim.cli import main
    (tmp_path / "events.jsonl").write_text("\n".join(TRACE) + "\n")
    (tmp_path / "objects.toml").write_text(OBJECTS)
    monkeypatch.chdir(tmp_path)

    def stop(*a, **k):
        raise KeyboardInterrupt
    for target, argv in (("sim.check.Checker.feed", ["check", "events.jsonl"]),
                         ("sim.report.explain.Explainer.feed",
                          ["explain", "--trace", "events.jsonl", "--objects", "objects.toml"])):
        with pytest.MonkeyPatch.context() as mp:
            mp.setattr(target, stop)
            assert main(argv) == 130
        assert capsys.readouterr().err == f"sim {argv[0]}: interrupted\n"


# ------------------------------------------------------------------------------ SIGTERM
def test_sigterm_during_a_long_run_is_ctrl_c_with_143(tmp_path):
    """``kill PID`` (a CI time-out, a service manager): the run stops as on Ctrl-C, its folder
    marked incomplete, one line, exit code 143 = 128 + SIGTERM (docs/decisions.md, "SIGTERM")."""
    out = tmp_path / "out"
    proc = _start(["run", QUICKSTART, "--out", out, "--set", "run.horizon=36000000"], tmp_path)
    partial = tmp_path / f".out.partial-{proc.pid}"
    _wait_for(lambda: (partial / "events.jsonl").exists(), proc)
    time.sleep(0.5)
    proc.send_signal(signal.SIGTERM)
    stdout, err = proc.communicate(timeout=60)
    assert (proc.returncode, err, stdout) == (
        143, f"sim run: terminated; partial output in {out} (incomplete.json)\n", "")
    marker = json.loads((out / "incomplete.json").read_text())
    assert marker["complete"] is False and marker["reason"] == "terminated (SIGTERM)"
    assert not (out / "summary.json").exists() and (out / "events.jsonl").stat().st_size > 0
    assert [p.name for p in tmp_path.iterdir()] == ["out"]


def test_sigterm_during_a_sweep_writes_nothing(tmp_path):
    proc = _start(["sweep", ROOT / "scenarios" / "erlang_a.toml", "--vary", "teams[0].count=10:40:1",
                   "--replications", "50", "--workers", "1", "--no-progress", "--out", tmp_path / "sw"],
                  tmp_path)
    time.sleep(3)
    proc.send_signal(signal.SIGTERM)
    _, err = proc.communicate(timeout=60)
    assert proc.returncode == 143 and "Traceback" not in err
    assert err.splitlines()[-1] == "sim sweep: terminated; nothing written"
    assert list(tmp_path.iterdir()) == []


def test_sigterm_in_process_replay_and_plot(tmp_path, monkeypatch, capsys):
    """The handler is installed while a command runs and removed after: a SIGTERM sent during
    ``sim replay`` marks its folder, during ``sim plot`` leaves plots/ as it was (143 both)."""
    import pytest
    from errors_catalogue import OBJECTS, TRACE

    from sim.cli import main
    (tmp_path / "events.jsonl").write_text("\n".join(TRACE) + "\n")
    (tmp_path / "objects.toml").write_text(OBJECTS)
    monkeypatch.chdir(tmp_path)
    before = signal.getsignal(signal.SIGTERM)

    def kill(*a, **k):
        os.kill(os.getpid(), signal.SIGTERM)
        time.sleep(5)                       # the handler raises before this ends
        raise AssertionError("SIGTERM was not handled")
    assert main(["replay", "events.jsonl", "--objects", "objects.toml", "--out", "r"]) == 0
    assert main(["plot", "r"]) == 0
    plotted = sorted(p.name for p in (tmp_path / "r" / "plots").iterdir())
    capsys.readouterr()
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sim.report.plots.write_run_plots", kill)
        assert main(["plot", "r"]) == 143
    assert capsys.readouterr().err == f"sim plot: terminated; {os.path.join('r', 'plots')} left as it was\n"
    assert sorted(p.name for p in (tmp_path / "r" / "plots").iterdir()) == plotted
    with pytest.MonkeyPatch.context() as mp:
        mp.setattr("sim.pipeline.Pipeline.feed", kill)
        assert main(["replay", "events.jsonl", "--objects", "objects.toml", "--out", "r2"]) == 143
    assert capsys.readouterr().err == "sim replay: terminated; partial output in r2 (incomplete.json)\n"
    assert json.loads((tmp_path / "r2" / "incomplete.json").read_text())["reason"] == "terminated (SIGTERM)"
    assert signal.getsignal(signal.SIGTERM) == before
