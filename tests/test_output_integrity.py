"""Output folders are complete or visibly not (issue 17 §2; docs/decisions.md, "Output integrity").

Outputs are staged beside ``--out`` and moved in on success; an earlier run is replaced
completely; a folder of other files, an ``--out`` holding an input, and an ``--out`` that is a
file are refused in one line; a failure leaves nothing (I/O error) or the partial folder with
``incomplete.json`` (interruption, other failures); a full file system during ``run``,
``replay`` and ``import-log`` gives one line and exit 2 (a tmpfs mounted by the test when
running as root, and a file size limit in a subprocess everywhere).
"""

from __future__ import annotations

import json
import os
import resource
import shutil
import signal
import subprocess
import sys
from pathlib import Path

import pytest
from errors_catalogue import SCENARIO

from sim.cli import main

ROOT = Path(__file__).resolve().parent.parent
QUICKSTART = ROOT / "scenarios" / "quickstart.toml"


def _sim(argv, capsys) -> tuple[int, list[str]]:
    code = main([str(a) for a in argv])
    return code, capsys.readouterr().err.splitlines()


@pytest.fixture
def scenario(tmp_path) -> Path:
    p = tmp_path / "scenario.toml"
    p.write_text(SCENARIO)
    return p


@pytest.fixture(scope="module")
def source(tmp_path_factory) -> Path:
    """A small run's trace, objects and T-Server log text (inputs of replay and import-log)."""
    d = tmp_path_factory.mktemp("src") / "run"
    assert main(["run", str(QUICKSTART), "--out", str(d), "--no-plots", "--format", "tserver-log",
                 "--set", "run.horizon=1800"]) == 0
    return d


def _names(folder: Path) -> set[str]:
    return {p.name for p in folder.iterdir()}


def test_rerun_replaces_the_earlier_run_completely(tmp_path, scenario, capsys):
    out = tmp_path / "out"
    assert _sim(["run", scenario, "--out", out], capsys)[0] == 0
    assert (out / "plots").is_dir() and (out / "summary.json").exists()
    (out / "plots" / "stale.png").write_bytes(b"old")
    code, err = _sim(["run", scenario, "--out", out, "--no-plots", "--trace-only"], capsys)
    assert (code, err) == (0, [])
    assert not (out / "plots").exists() and not (out / "actions.jsonl").exists()
    assert {"events.jsonl", "summary.json", "objects.toml"} <= _names(out)
    assert [p.name for p in tmp_path.iterdir() if p.name.startswith(".")] == []   # no leftovers


def test_folder_of_other_files_is_refused_unless_overwrite(tmp_path, scenario, capsys):
    out = tmp_path / "mine"
    out.mkdir()
    (out / "notes.txt").write_text("keep me")
    code, err = _sim(["run", scenario, "--out", out], capsys)
    assert code == 2 and len(err) == 1
    assert err[0] == (f"sim run: error: {out}: holds files that are not a sim output (notes.txt); "
                      "give --overwrite to replace the folder, or choose another --out")
    assert _names(out) == {"notes.txt"}
    code, err = _sim(["run", scenario, "--out", out, "--overwrite", "--no-plots"], capsys)
    assert (code, err) == (0, [])
    assert "notes.txt" not in _names(out) and "summary.json" in _names(out)


def test_no_command_writes_over_its_inputs(tmp_path, source, capsys):
    out = tmp_path / "run"
    shutil.copytree(source, out)
    before = (out / "events.jsonl").read_bytes()
    code, err = _sim(["replay", out / "events.jsonl", "--objects", out / "objects.toml", "--out", out], capsys)
    assert code == 2 and len(err) == 1 and "an input of this command" in err[0]
    code, err = _sim(["import-log", out / "events.log", "--out", out / "events.log"], capsys)
    assert code == 2 and err == [f"sim import-log: error: {out / 'events.log'}: is an input of this command; "
                                 "choose another --out"]
    (out / "scenario.toml").write_text(SCENARIO)
    code, err = _sim(["run", out / "scenario.toml", "--out", out, "--overwrite"], capsys)
    assert code == 2 and len(err) == 1 and "scenario.toml, an input of this command" in err[0]
    assert (out / "events.jsonl").read_bytes() == before


def test_out_that_is_a_file_or_the_current_folder_is_refused(tmp_path, scenario, capsys, monkeypatch):
    (tmp_path / "taken").write_text("a file")
    code, err = _sim(["run", scenario, "--out", tmp_path / "taken"], capsys)
    assert code == 2 and err == [f"sim run: error: {tmp_path / 'taken'}: exists and is not a folder; "
                                 "choose another --out"]
    monkeypatch.chdir(tmp_path)
    code, err = _sim(["run", "scenario.toml", "--out", ".", "--overwrite"], capsys)
    assert code == 2 and err == ["sim run: error: .: is the current folder or one of its parents; "
                                 "choose another --out"]
    assert (tmp_path / "taken").read_text() == "a file"


def test_import_log_writes_the_trace_whole_or_not_at_all(tmp_path, source, capsys):
    target = tmp_path / "events.jsonl"
    assert _sim(["import-log", source / "events.log", "--out", target], capsys)[0] == 0
    assert target.read_bytes() == (source / "events.jsonl").read_bytes()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["events.jsonl"]
    code, err = _sim(["import-log", source / "events.log", "--out", tmp_path], capsys)
    assert code == 2 and err == [f"sim import-log: error: {tmp_path}: is a folder; --out names the file to write"]


def test_interrupted_run_leaves_the_partial_folder_marked(tmp_path, scenario, capsys, monkeypatch):
    """Ctrl-C while the plots are drawn (in-process): exit 130, one line, the partial folder
    at --out with incomplete.json and no summary.json, replacing the earlier run."""
    out = tmp_path / "out"
    assert _sim(["run", scenario, "--out", out, "--no-plots"], capsys)[0] == 0

    def interrupted(*a, **k):
        raise KeyboardInterrupt
    monkeypatch.setattr("sim.report.plots.write_run_plots", interrupted)
    code, err = _sim(["run", scenario, "--out", out, "--seed", "7"], capsys)
    assert code == 130 and err == [f"sim run: interrupted; partial output in {out} (incomplete.json)"]
    marker = json.loads((out / "incomplete.json").read_text())
    assert marker == {"complete": False, "reason": "interrupted (Ctrl-C)",
                      "command": f"sim run {scenario} --out {out} --seed 7"}
    assert "summary.json" not in _names(out) and "events.jsonl" in _names(out)
    # the next good run replaces the marked folder
    assert _sim(["run", scenario, "--out", out, "--no-plots"], capsys)[0] == 0
    assert "incomplete.json" not in _names(out) and "summary.json" in _names(out)


def test_failure_after_the_start_marks_the_folder(tmp_path, scenario, capsys, monkeypatch):
    def broken(*a, **k):
        raise ValueError("plots broke")
    monkeypatch.setattr("sim.report.plots.write_run_plots", broken)
    out = tmp_path / "out"
    with pytest.raises(ValueError):
        main(["run", str(scenario), "--out", str(out)])
    assert json.loads((out / "incomplete.json").read_text())["reason"] == "plots broke"
    assert not (out / "summary.json").exists()


def test_sim_plot_keeps_earlier_plots_when_it_fails(tmp_path, source, capsys, monkeypatch):
    d = tmp_path / "run"
    shutil.copytree(source, d)
    (d / "plots").mkdir()
    (d / "plots" / "earlier.png").write_bytes(b"png")

    def interrupted(*a, **k):
        os.makedirs(d / "plots", exist_ok=True)
        (d / "plots" / "half.png").write_bytes(b"half")
        raise KeyboardInterrupt
    monkeypatch.setattr("sim.report.plots.write_run_plots", interrupted)
    code, err = _sim(["plot", d], capsys)
    assert code == 130 and err == [f"sim plot: interrupted; {d / 'plots'} left as it was"]
    assert _names(d / "plots") == {"earlier.png"} and not any(p.name.startswith(".") for p in d.iterdir())


# --------------------------------------------------------------------------- a full file system
def _commands(source: Path, out: Path) -> dict[str, list[str]]:
    return {
        "run": ["run", str(QUICKSTART), "--out", str(out), "--set", "run.horizon=1800",
                "--allow-large"],   # past the free-space estimate: the disk fills while writing
        "replay": ["replay", str(source / "events.jsonl"), "--objects", str(source / "objects.toml"),
                   "--out", str(out)],
        "import-log": ["import-log", str(source / "events.log"), "--out", str(out)],
    }


@pytest.fixture
def small_fs(tmp_path):
    """A 64 KiB tmpfs (root only; skipped elsewhere)."""
    mnt = tmp_path / "small"
    mnt.mkdir()
    if os.geteuid() != 0 or shutil.which("mount") is None:
        pytest.skip("mounting a tmpfs needs root")
    r = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=64k", "tmpfs", str(mnt)], capture_output=True)
    if r.returncode:
        pytest.skip(f"cannot mount a tmpfs here: {r.stderr.decode().strip()}")
    try:
        yield mnt
    finally:
        subprocess.run(["umount", str(mnt)], check=False)


def _subprocess(argv, cwd, limit: int | None = None) -> subprocess.CompletedProcess:
    def preexec():
        if limit is not None:     # writes past the limit fail with EFBIG instead of killing us
            signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
            resource.setrlimit(resource.RLIMIT_FSIZE, (limit, limit))
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    return subprocess.run([sys.executable, "-m", "sim", *argv], cwd=cwd, capture_output=True, text=True,
                          env=env, preexec_fn=preexec, timeout=300)


@pytest.mark.parametrize("command", ["run", "replay", "import-log"])
def test_full_tmpfs_is_one_line_and_leaves_nothing(command, small_fs, source):
    out = small_fs / ("out.jsonl" if command == "import-log" else "out")
    if command != "import-log":      # an earlier run there stays as it was
        out.mkdir()
        (out / "summary.json").write_text('{"earlier": true}\n')
    r = _subprocess(_commands(source, out)[command], small_fs)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"sim {command}: error: {out}: No space left on device"]
    assert "Traceback" not in r.stderr
    left = sorted(p.name for p in small_fs.iterdir())
    if command == "import-log":
        assert left == []
    else:
        assert left == ["out"] and _names(out) == {"summary.json"}
        assert (out / "summary.json").read_text() == '{"earlier": true}\n'


@pytest.mark.parametrize("command", ["run", "replay", "import-log"])
def test_file_size_limit_is_one_line_and_leaves_nothing(command, tmp_path, source):
    out = tmp_path / ("out.jsonl" if command == "import-log" else "out")
    r = _subprocess(_commands(source, out)[command], tmp_path, limit=20_000)
    assert r.returncode == 2, r.stderr
    assert r.stderr.splitlines() == [f"sim {command}: error: {out}: File too large"]
    assert not any(p.name.startswith((".out", "out")) for p in tmp_path.iterdir())


def test_read_only_file_system_is_one_line(small_fs, scenario, capsys):
    subprocess.run(["mount", "-o", "remount,ro", str(small_fs)], check=True)
    code, err = _sim(["run", scenario, "--out", small_fs / "out", "--allow-large"], capsys)
    assert code == 2
    assert err == [f"sim run: error: {small_fs / 'out'}: cannot create output folder: Read-only file system"]


def test_a_killed_runs_partial_folder_is_cleaned_up(tmp_path, scenario, capsys):
    dead = subprocess.run([sys.executable, "-c", "import os; print(os.getpid())"], capture_output=True,
                          text=True).stdout.strip()
    stale = tmp_path / f".out.partial-{dead}"
    stale.mkdir()
    (stale / "events.jsonl").write_text("half\n")
    assert _sim(["run", scenario, "--out", tmp_path / "out", "--no-plots"], capsys)[0] == 0
    assert sorted(p.name for p in tmp_path.iterdir()) == ["out", "scenario.toml"]
