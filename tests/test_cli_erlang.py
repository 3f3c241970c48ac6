"""``sim erlang`` (docs/reference/contracts.md §5; docs/reference/capacity-references.md §6 cases in CLI units).

Units on the command line: calls per hour and seconds. C1/C3/C4: 200 calls/h, AHT 180 s,
patience 300 s, t = 20 s. Bad input: exit code 2 and one line on stderr, no traceback.
"""

from __future__ import annotations

import json

import pytest

from sim.cli import main


def run_json(capsys, *argv):
    code = main(["erlang", *argv, "--json"])
    out, err = capsys.readouterr()
    assert code == 0, err
    assert err == ""
    lines = out.strip().splitlines()
    assert len(lines) == 1
    return json.loads(lines[0])


def test_erlang_c_json(capsys):
    """§6 C1 through the CLI: Erlang C, the contract fields, times in seconds."""
    d = run_json(capsys, "--rate", "200", "--aht", "180", "--agents", "14")
    assert d["model"] == "erlang_c"
    assert d["p_wait"] == pytest.approx(0.1741319, abs=5e-8)
    assert d["asa"] == pytest.approx(7.836, abs=5e-4)
    assert d["mean_wait_all"] == d["asa"]
    assert set(d["service_level"]) == {"offered", "answered", "virtual"}
    for value in d["service_level"].values():
        assert value == pytest.approx(0.8883500, abs=5e-8)
    assert d["abandonment"] == 0
    assert d["occupancy"] == pytest.approx(0.7142857, abs=5e-8)
    assert d["target"] == 20.0 and d["patience"] is None


def test_erlang_a_json(capsys):
    """§6 C3 through the CLI: Erlang A with --patience 300 (5 min)."""
    d = run_json(capsys, "--rate", "200", "--aht", "180", "--agents", "14", "--patience", "300")
    assert d["model"] == "erlang_a"
    assert d["p_wait"] == pytest.approx(0.14526, abs=5e-6)
    assert d["abandonment"] == pytest.approx(0.013984, abs=5e-7)
    assert d["occupancy"] == pytest.approx(0.704297, abs=5e-7)
    assert d["mean_wait_all"] == pytest.approx(0.069919 * 60, abs=5e-7 * 60)
    assert d["asa"] == pytest.approx(3.878, abs=5e-4)
    sl = d["service_level"]
    assert sl["offered"] == pytest.approx(0.916792, abs=5e-7)
    assert sl["answered"] == pytest.approx(0.929794, abs=5e-7)
    assert sl["virtual"] == pytest.approx(0.918714, abs=5e-7)
    assert d["mean_time_to_abandon"] == pytest.approx(26.52, abs=5e-3)


def test_target_changes_service_level(capsys):
    """--target is the SL threshold t in seconds (default 20), not a goal."""
    d0 = run_json(capsys, "--rate", "200", "--aht", "180", "--agents", "14", "--target", "0")
    assert d0["service_level"]["offered"] == pytest.approx(1 - d0["p_wait"])
    d60 = run_json(capsys, "--rate", "200", "--aht", "180", "--agents", "14", "--target", "60")
    assert d60["service_level"]["offered"] > 0.8883500


def test_goals_c4(capsys):
    """§6 C4: smallest N with SL ≥ 0.8, occupancy ≤ 0.85, P_ab ≤ 0.05 is 13."""
    d = run_json(
        capsys, "--rate", "200", "--aht", "180", "--patience", "300",
        "--goal", "service_level>=0.8", "--goal", "occupancy<=0.85", "--goal", "abandonment<=0.05",
    )
    assert d["agents"] == 13
    assert d["service_level"]["offered"] == pytest.approx(0.858178, abs=5e-7)
    assert [g["goal"] for g in d["goals"]] == [
        "service_level.offered>=0.8", "occupancy<=0.85", "abandonment<=0.05",
    ]
    assert all(g["met"] for g in d["goals"])


def test_goal_conventions_and_asa(capsys):
    """A named convention and an asa goal (seconds, answered calls)."""
    d = run_json(capsys, "--rate", "200", "--aht", "180", "--goal", "service_level.answered>=0.9",
                 "--goal", "asa<=5")
    assert d["model"] == "erlang_c"
    assert d["service_level"]["answered"] >= 0.9 and d["asa"] <= 5
    below = run_json(capsys, "--rate", "200", "--aht", "180", "--agents", str(d["agents"] - 1))
    assert below["service_level"]["answered"] < 0.9 or below["asa"] > 5


def test_trunks_json(capsys):
    """§6 C8 through the CLI: Erlang B blocking with --trunks."""
    d = run_json(capsys, "--rate", "200", "--aht", "180", "--trunks", "17")
    assert d["model"] == "erlang_b"
    assert d["blocking"] == pytest.approx(0.012949, abs=5e-7)
    assert d["carried"] == pytest.approx(10 * (1 - d["blocking"]))


def test_blocking_goal(capsys):
    """§6 C8: blocking ≤ 2 % at 10 Erl needs 17 trunks."""
    d = run_json(capsys, "--rate", "200", "--aht", "180", "--goal", "blocking<=0.02")
    assert d["trunks"] == 17


def test_human_table(capsys):
    assert main(["erlang", "--rate", "200", "--aht", "180", "--agents", "14", "--patience", "300"]) == 0
    out = capsys.readouterr().out
    assert "Erlang A" in out
    for word in ("offered", "answered", "virtual", "ASA", "abandonment", "occupancy", "0.916792"):
        assert word in out
    assert main(["erlang", "--rate", "200", "--aht", "180", "--trunks", "17"]) == 0
    assert "blocking" in capsys.readouterr().out
    assert main(["erlang", "--rate", "200", "--aht", "180", "--goal", "service_level>=0.8"]) == 0
    assert "smallest agent count" in capsys.readouterr().out


@pytest.mark.parametrize(
    "argv, needle",
    [
        (["--rate", "-5", "--aht", "180", "--agents", "14"], "--rate"),
        (["--rate", "0", "--aht", "180", "--agents", "14"], "--rate"),
        (["--rate", "nan", "--aht", "180", "--agents", "14"], "--rate"),
        (["--rate", "200", "--aht", "0", "--agents", "14"], "--aht"),
        (["--rate", "200", "--aht", "180", "--agents", "0"], "--agents"),
        (["--rate", "200", "--aht", "180", "--agents", "10"], "--agents"),  # A = N, Erlang C
        (["--rate", "200", "--aht", "180", "--agents", "9"], "--patience"),
        (["--rate", "200", "--aht", "180", "--agents", "14", "--patience", "-1"], "--patience"),
        (["--rate", "200", "--aht", "180", "--agents", "14", "--target", "-1"], "--target"),
        (["--rate", "200", "--aht", "180", "--trunks", "0"], "--trunks"),
        (["--rate", "200", "--aht", "180", "--trunks", "5", "--patience", "60"], "--patience"),
        (["--rate", "200", "--aht", "180", "--goal", "service_level=0.8"], "--goal"),
        (["--rate", "200", "--aht", "180", "--goal", "sl>=0.8"], "--goal"),
        (["--rate", "200", "--aht", "180", "--goal", "service_level.bogus>=0.8"], "--goal"),
        (["--rate", "200", "--aht", "180", "--goal", "asa>=20"], "--goal"),
        (["--rate", "200", "--aht", "180", "--goal", "service_level>=1"], "--goal"),
        (["--rate", "200", "--aht", "180", "--agents", "14", "--goal", "asa<=20"], "--agents"),
        (["--rate", "200", "--aht", "180", "--goal", "blocking<=0.1", "--goal", "asa<=20"], "blocking"),
        (["--rate", "200", "--aht", "180"], "--agents"),
        (["--rate", "200", "--aht", "180", "--agents", "14", "--trunks", "5"], "--trunks"),
        (["--rate", "abc", "--aht", "180", "--agents", "14"], "--rate"),
        (["--aht", "180", "--agents", "14"], "--rate"),
    ],
)
def test_bad_input_exit_2_one_line(capsys, argv, needle):
    """Bad input: exit code 2, one line on stderr naming the option, nothing on stdout.

    Type errors, missing and conflicting options are argparse's own (SystemExit 2, one line);
    the rest are sim.errors.UserError turned into exit code 2 by sim.cli.
    """
    try:
        code = main(["erlang", *argv])
    except SystemExit as exc:
        code = exc.code
    out, err = capsys.readouterr()
    assert code == 2
    assert out == ""
    lines = err.strip().splitlines()
    assert len(lines) == 1, err
    assert lines[0].startswith("sim erlang: error:")
    assert needle in lines[0]
