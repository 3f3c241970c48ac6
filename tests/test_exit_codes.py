"""One exit-code contract for every command (issue 17 §5; README, "Bad input"): 0 ok; 1 the
command ran and found problems (check violations, trace inconsistencies, an unmet --goal); 2 bad
input or usage, also malformed data lines among valid ones; 130 interrupted (tests/test_interrupt.py).
Also: problem floods are summarised after 20 lines of one kind, --max rejects negative values,
every --help states the rule, and progress bars never change what a run writes.
"""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from errors_catalogue import OBJECTS, SCENARIO, TRACE, TRACE_BEFORE, _ev, trace_file

from sim.cli import COMMANDS, EXIT_CODES, build_parser, main

ROOT = Path(__file__).resolve().parent.parent
RELEASE_UNSEEN = _ev("EventReleased", ConnID="00aa00bb00cc00dd", CallType=2)    # a call 6001 never had
RINGING_99 = _ev("EventRinging", ConnID="00aa00bb00cc00dd", CallType=99, ThisQueue="7000")


@pytest.fixture
def files(tmp_path, monkeypatch):
    """A folder with objects, a scenario, a clean trace, an inconsistent one and a malformed one."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "objects.toml").write_text(OBJECTS)
    (tmp_path / "scenario.toml").write_text(SCENARIO)
    (tmp_path / "clean.jsonl").write_text("\n".join(TRACE) + "\n")
    (tmp_path / "inconsistent.jsonl").write_bytes(trace_file(RELEASE_UNSEEN))
    (tmp_path / "calltype.jsonl").write_bytes(trace_file(RINGING_99))
    (tmp_path / "malformed.jsonl").write_bytes(trace_file('{"time": 1767571230.0, "event"'))
    (tmp_path / "log.txt").write_text("message EventAgentReady\n\tAttributeTimeinSecs\t1767571200\n"
                                      "\tAttributeThisDN\t'6001'\n")
    return tmp_path


def _code(argv, capsys) -> tuple[int, str, str]:
    try:
        code = main(list(argv))
    except SystemExit as exc:          # argparse usage errors
        code = exc.code
    out = capsys.readouterr()
    assert "Traceback" not in out.err
    return code, out.out, out.err


REPLAY = ["replay", "--objects", "objects.toml", "--out", "r", "--no-stats"]


@pytest.mark.parametrize(("argv", "code"), [
    (["check", "clean.jsonl"], 0),
    (["check", "inconsistent.jsonl"], 1),
    (["check", "calltype.jsonl"], 1),
    (["check", "malformed.jsonl"], 2),            # bad input, not a violation (was 1)
    (["check", "clean.jsonl", "--max", "-1"], 2),
    (["check", "clean.jsonl", "--max", "0"], 0),
    ([*REPLAY, "clean.jsonl"], 0),
    ([*REPLAY, "inconsistent.jsonl"], 1),
    ([*REPLAY, "inconsistent.jsonl", "--no-check"], 0),
    ([*REPLAY, "calltype.jsonl"], 1),
    ([*REPLAY, "malformed.jsonl"], 2),
    (["explain", "--trace", "clean.jsonl", "--objects", "objects.toml"], 0),
    (["explain", "--trace", "clean.jsonl", "--objects", "objects.toml", "--agent", "nobody"], 2),
    (["explain", "--trace", "clean.jsonl", "--objects", "objects.toml", "--conn", "00ffffffffffffff"], 2),
    (["explain", "--trace", "malformed.jsonl", "--objects", "objects.toml"], 2),
    (["run", "scenario.toml", "--out", "o", "--no-plots"], 0),
    (["run", "scenario.toml", "--out", "o", "--no-plots", "--check"], 0),
    (["run", "scenario.toml", "--out", "o", "--seed", "x"], 2),
    (["import-log", "log.txt", "--switch", "SW1", "--out", "t.jsonl"], 0),
    (["import-log", "log.txt", "--out", "t.jsonl"], 2),        # no switch for the events: bad input
    (["plot", "nothere"], 2),
    (["erlang", "--rate", "100", "--aht", "180", "--agents", "8"], 0),
    (["erlang", "--rate", "-1", "--aht", "180", "--agents", "8"], 2),
    (["stream", "nothere.toml"], 2),
    (["sweep", "scenario.toml"], 2),
    (["nosuchcommand"], 2),
])
def test_exit_code(argv, code, files, capsys):
    got, out, err = _code(argv, capsys)
    assert got == code, err


def test_replay_prints_the_consistency_findings(files, capsys):
    code, out, err = _code([*REPLAY, "inconsistent.jsonl"], capsys)
    assert code == 1 and err == ""
    lines = out.splitlines()
    assert lines[0].startswith(f"sim replay: {len(TRACE) + 1} events")      # every event processed
    assert lines[1] == ("inconsistent.jsonl: 1 consistency finding (what sim check reports; the events "
                        "were processed as Stat Server would), the first:")
    assert lines[2] == "  inconsistent.jsonl:7: leg: EventReleased on 6001 for 00aa00bb00cc00dd, which has no leg there"


def test_replay_listen_with_bad_lines_exits_2(files, capsys):
    code, out, err = _code(["replay", "malformed.jsonl", "--listen", "127.0.0.1:0", "--speed", "max"], capsys)
    assert code == 2
    assert "malformed.jsonl:7: not valid JSON" in err


def test_sweep_with_an_unmet_goal_exits_1(tmp_path, capsys):
    code, out, err = _code(["sweep", str(ROOT / "scenarios" / "erlang_a.toml"), "--vary", "teams[0].count=8:8:1",
                            "--replications", "2", "--workers", "1", "--set", "run.horizon=600",
                            "--goal", "service_level>=0.999", "--no-plots", "--no-progress",
                            "--out", str(tmp_path / "sw")], capsys)
    assert code == 1, err
    assert "none of the swept values" in out and (tmp_path / "sw" / "sweep.csv").exists()


def test_flood_of_one_kind_is_summarised(files, capsys):
    bad = [_ev("EventAgentReady", seq=6 + i, ThisDN=f"9{i:03d}") for i in range(45)]
    Path("flood.jsonl").write_text("\n".join(TRACE_BEFORE + bad) + "\n")
    code, out, err = _code([*REPLAY, "flood.jsonl"], capsys)
    lines = err.splitlines()
    assert code == 2 and len(lines) == 21
    assert lines[0] == "flood.jsonl:7: unknown DN 9000@SW1 (not in the objects file)"
    assert lines[-1] == ("flood.jsonl: 25 more lines like 'unknown DN …@SW… (not in the objects file)' "
                         "not shown (the first 20 are above)")


def test_every_help_states_the_exit_codes():
    parser = build_parser()
    subs = next(a for a in parser._actions if a.dest == "command").choices
    assert set(subs) == {c for c in COMMANDS if c in subs} and subs
    for name, sub in subs.items():
        assert " ".join(EXIT_CODES.split()) in " ".join(sub.format_help().split()), name


def test_progress_does_not_change_the_outputs(tmp_path):
    """A bar forced on (as on a terminal, no delay) leaves every output byte-identical."""
    from sim.progress import Progress
    from sim.scenario.load import load_scenario
    from sim.simulation import simulate
    (tmp_path / "s.toml").write_text(SCENARIO)
    sc = load_scenario(str(tmp_path / "s.toml"), [], None)
    simulate(sc, str(tmp_path / "a"))
    term = io.StringIO()
    bar = Progress(float(sc.run["horizon"]), "t", "s", file=term, enabled=True, delay=0)
    simulate(load_scenario(str(tmp_path / "s.toml"), [], None), str(tmp_path / "b"), progress=bar)
    bar.close()
    assert "%" in term.getvalue() and "left" in term.getvalue()
    for f in sorted((tmp_path / "a").iterdir()):
        assert f.read_bytes() == (tmp_path / "b" / f.name).read_bytes(), f.name


def test_no_progress_off_a_terminal(files, capsys):
    """stderr is not a terminal here: nothing but the usual lines."""
    code, out, err = _code(["run", "scenario.toml", "--out", "o", "--no-plots"], capsys)
    assert code == 0 and err == ""
    from sim.progress import Progress
    assert Progress(100.0, "x", file=io.StringIO()).bar is None
