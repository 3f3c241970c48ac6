"""`sim run` writes every file of docs/reference/contracts.md §5, plots included, and the trace as T-Server
log text on request (issue 8 point 3), which `sim import-log` reads back byte for byte."""

from __future__ import annotations

from sim.cli import main


def test_run_writes_contract_files_plots_and_log_text(tmp_path, capsys):
    out = tmp_path / "qs"
    assert main(["run", "scenarios/quickstart.toml", "--out", str(out), "--format", "tserver-log",
                 "--set", "run.horizon=900"]) == 0
    names = {p.name for p in out.iterdir()}
    assert {"events.jsonl", "objects.toml", "actions.jsonl", "statuses.jsonl", "stats.csv",
            "summary.json", "plots", "events.log"} <= names
    assert {p.name for p in (out / "plots").iterdir()} >= {"agent_states.png", "intraday.png"}
    assert main(["import-log", str(out / "events.log"), "--out", str(tmp_path / "back.jsonl")]) == 0
    assert (tmp_path / "back.jsonl").read_bytes() == (out / "events.jsonl").read_bytes()


def test_run_without_plots(tmp_path):
    out = tmp_path / "qs"
    assert main(["run", "scenarios/quickstart.toml", "--out", str(out), "--no-plots",
                 "--set", "run.horizon=600"]) == 0
    assert not (out / "plots").exists()
