"""``sim sweep``: --vary grids, goals judged on the confidence bound, files, plots, errors, and the
three-way agreement report (docs/reference/contracts.md §5; docs/reference/capacity-references.md §5, §8)."""

from __future__ import annotations

import io
import json
import math
from pathlib import Path

import pytest
from rich.console import Console

from sim.analysis import agreement, ci, runner, sweep
from sim.cli import main
from sim.errors import UserError

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"
ERLANG_A = str(SCEN / "erlang_a.toml")


# --------------------------------------------------------------------------- --vary


def test_vary_integer_range_is_inclusive():
    v = sweep.parse_vary("teams[0].count=10:16:2")
    assert v.key == "teams[0].count" and v.values == ("10", "12", "14", "16")


def test_vary_float_range_has_no_rounding_noise():
    v = sweep.parse_vary("traffic[0].rate = 0.1:0.5:0.1")
    assert v.values == ("0.1", "0.2", "0.3", "0.4", "0.5")
    assert sweep.parse_vary("x=3:1:-1").values == ("3", "2", "1")
    assert sweep.parse_vary("x=1,2.5,4").values == ("1", "2.5", "4")


@pytest.mark.parametrize("text, needle", [
    ("teams[0].count", "expected key=start:stop:step"),
    ("teams[0]..count=1:2:1", "bad key path"),
    ("x=1:5:0", "x: the step"),
    ("x=5:1:1", "x: step 1 does not lead"),
    ("x=1:5", "x: expected start:stop:step"),
    ("x=a,b", "x: expected start:stop:step or a comma list"),
])
def test_bad_vary_is_one_line_naming_the_option(text, needle):
    with pytest.raises(UserError) as e:
        sweep.parse_vary(text)
    msg = str(e.value)
    assert msg.startswith("--vary: ") and needle in msg and "\n" not in msg


def test_unknown_or_invalid_key_fails_before_running():
    src = runner.read_scenario(ERLANG_A)
    with pytest.raises(UserError, match=r"^--vary: teams\[0\]\.cout=1.*cout"):
        sweep.plan(src, [sweep.parse_vary("teams[0].cout=1:2:1")])
    with pytest.raises(UserError, match=r"^--vary: teams\[3\]\.count=1.*out of range"):
        sweep.plan(src, [sweep.parse_vary("teams[3].count=1:2:1")])
    with pytest.raises(UserError, match=r"^--vary: teams\[0\]\.count=-1: .*erlang_a.toml: teams\[0\]\.count: "):
        sweep.plan(src, [sweep.parse_vary("teams[0].count=-1:1:1")])
    with pytest.raises(UserError, match="varied twice"):
        sweep.plan(src, [sweep.parse_vary("run.horizon=600:700:100")] * 2)


def test_grid_is_the_product_first_key_outermost():
    a, b = sweep.parse_vary("a=1:2:1"), sweep.parse_vary("b=5,6,7")
    assert sweep.grid([a, b]) == [("1", "5"), ("1", "6"), ("1", "7"), ("2", "5"), ("2", "6"), ("2", "7")]
    assert sweep.point_overrides([a, b], ("2", "6")) == ("a=2", "b=6")


# --------------------------------------------------------------------------- goals


@pytest.mark.parametrize("text, needle", [
    ("blocking<=0.02", "blocking is an Erlang B"),
    ("service_level.virtual>=0.8", "virtual service level is not measured"),
    ("service_level<=0.8", "must be bounded with >="),
    ("speed>=3", "unknown goal metric"),
])
def test_bad_goal_is_one_line_naming_the_option(text, needle):
    with pytest.raises(UserError) as e:
        sweep.parse_sweep_goal(text)
    assert str(e.value).startswith("--goal: ") and needle in str(e.value)


def _ci(mean, half):
    return ci.ConfidenceInterval(mean, half, mean - half, mean + half, 10, 0.95, 1.0)


def test_goals_are_judged_on_the_confidence_bound():
    """A point whose mean meets the goal but whose interval crosses it does not count."""
    varies = [sweep.parse_vary("teams[0].count=10:13:1")]
    src = runner.ScenarioSource("x.toml", {})
    s = sweep.Sweep(src, varies, (), 10, 1, 0.0, 0.95)
    sl = {"10": _ci(0.70, 0.02), "11": _ci(0.81, 0.02), "12": _ci(0.85, 0.02), "13": _ci(0.90, 0.02)}
    ab = {"10": _ci(0.10, 0.01), "11": _ci(0.04, 0.02), "12": _ci(0.03, 0.01), "13": _ci(0.01, 0.01)}
    for i, (v,) in enumerate(sweep.grid(varies)):
        p = sweep.Point(i, (v,), (f"teams[0].count={v}",),
                        summary={"service_level.offered": sl[v], "abandonment": ab[v]},
                        analytic={"service_level.offered": sl[v].mean, "abandonment": ab[v].mean})
        s.points.append(p)
    goals = [sweep.parse_sweep_goal("service_level>=0.8"), sweep.parse_sweep_goal("abandonment<=0.05")]
    [ans] = sweep.evaluate_goals(s, goals)
    assert ans.simulated == "12"      # 11: SL low bound 0.79 < 0.8 and P_ab high bound 0.06 > 0.05
    assert ans.analytic == "11"       # the means alone would say 11


# --------------------------------------------------------------------------- a small sweep

SMALL = ["run.horizon=3600"]


def _small_sweep(**kw):
    src = runner.read_scenario(ERLANG_A)
    return sweep.run_sweep(src, [sweep.parse_vary("teams[0].count=13:15:1")], replications=3, seed=5,
                           warmup=600.0, sets=SMALL, **kw)


def test_sweep_is_reproducible_and_uses_common_random_numbers():
    a, b = _small_sweep(), _small_sweep()
    assert sweep.sweep_csv(a) == sweep.sweep_csv(b)
    assert sweep.replications_csv(a) == sweep.replications_csv(b)
    # same replication index -> same arrivals at every point (common random numbers)
    offered = [[r["offered"] for r in p.results] for p in a.points]
    assert offered[0] == offered[1] == offered[2]
    header = sweep.sweep_csv(a).splitlines()[0].split(",")
    assert header[:3] == ["teams[0].count", "replications", "erlang_model"]
    assert "service_level.offered_low" in header and "asa_erlang" in header


def test_sweep_command_writes_every_file(tmp_path, capsys):
    out = tmp_path / "sw"
    rc = main(["sweep", ERLANG_A, "--vary", "teams[0].count=12:14:1", "--replications", "3", "--workers", "1",
               "--set", "run.horizon=3600", "--warmup", "300", "--seed", "9", "--goal", "service_level>=0.3",
               "--goal", "abandonment<=0.3", "--out", str(out), "--no-progress"])
    assert rc == 0
    text = capsys.readouterr().out
    assert "smallest teams[0].count = 12" in text
    rows = (out / "sweep.csv").read_text().splitlines()
    assert len(rows) == 4 and rows[1].startswith("12,3,erlang_a,")
    assert len((out / "replications.csv").read_text().splitlines()) == 1 + 3 * 3
    meta = json.loads((out / "sweep.json").read_text())
    assert meta["replications"] == 3 and meta["seed"] == 9 and meta["warmup"] == 300
    assert meta["goal_answers"] == [{"others": {}, "smallest": "12", "smallest_analytic": "12"}]
    for name in ("service_level", "asa", "abandonment", "occupancy"):
        assert (out / "plots" / f"{name}.png").stat().st_size > 1000


@pytest.mark.parametrize("argv, needle", [
    (["--vary", "teams[0].cnt=1:3:1"], "--vary: teams[0].cnt=1"),
    (["--vary", "teams[0].count=1:3"], "--vary: teams[0].count: expected start:stop:step"),
    (["--vary", "teams[0].count=12:13:1", "--goal", "sl>=0.8"], "--goal: unknown goal metric 'sl'"),
    (["--vary", "teams[0].count=12:13:1", "--warmup", "99999"], "--warmup:"),
    (["--vary", "teams[0].count=12:13:1", "--replications", "0"], "--replications:"),
    ([], "--vary: give at least one"),
])
def test_command_errors_are_one_line_exit_2(argv, needle, tmp_path, capsys):
    rc = main(["sweep", ERLANG_A, "--out", str(tmp_path / "x"), "--workers", "1", "--no-progress", *argv])
    err = capsys.readouterr().err
    assert rc == 2
    assert needle in err and err.count("\n") == 1 and "Traceback" not in err


def test_missing_scenario_is_a_user_error(tmp_path, capsys):
    rc = main(["sweep", str(tmp_path / "nope.toml"), "--vary", "a=1:2:1", "--workers", "1"])
    assert rc == 2 and "no such file" in capsys.readouterr().err


def test_two_keys_answer_goals_per_combination():
    src = runner.read_scenario(ERLANG_A)
    s = sweep.run_sweep(src, [sweep.parse_vary("teams[0].count=12:14:2"), sweep.parse_vary("traffic[0].rate=150,250")],
                        replications=2, seed=1, sets=SMALL)
    assert [p.values for p in s.points] == [("12", "150"), ("12", "250"), ("14", "150"), ("14", "250")]
    answers = sweep.evaluate_goals(s, [sweep.parse_sweep_goal("abandonment<=0.9")])
    assert [a.others for a in answers] == [("150",), ("250",)]


def test_not_erlang_like_points_have_no_overlay():
    src = runner.read_scenario(str(SCEN / "quickstart.toml"))
    s = sweep.run_sweep(src, [sweep.parse_vary("teams[0].count=5:6:1")], replications=2, seed=1,
                        sets=["run.horizon=900"])
    assert all(not p.analytic and "after-call work" in p.not_erlang for p in s.points)
    assert "_erlang" not in sweep.sweep_csv(s).splitlines()[0]


# --------------------------------------------------------------------------- three-way agreement


def test_agreement_three_way_on_erlang_a():
    """Ground truth, Stat Server (from the TEvents) and Erlang A side by side: the engine's
    counts equal the model's over the whole run; the analytic values are in the intervals."""
    rep = agreement.agreement(ERLANG_A, ["run.horizon=7200"], replications=4, seed=3, warmup=0.0, level=0.99)
    assert rep.model == "erlang_a"
    rows = {r.label: r for r in rep.rows}
    if rep.stats_available:
        for label in ("offered (calls)", "answered (calls)", "abandoned (calls)"):
            assert rows[label].stat_diff == 0.0, label
        assert abs(rows["ASA_answered (s)"].stat_diff) < 0.01
        assert abs(rows["occupancy"].stat_diff) < 0.01
        # whole-second time range [0, 20) against wait <= 20 s: a boundary difference only
        for label in ("SL_offered(t)", "SL_answered(t)", "ServiceFactor1(t)"):
            assert abs(rows[label].stat_diff) < 0.01, label
    else:
        assert rep.stats_note
    for label in ("abandonment P_ab", "SL_offered(t)", "occupancy"):
        assert rows[label].analytic is not None and rows[label].covered is not False
    buf = io.StringIO()
    agreement.render(rep, Console(file=buf, width=220))
    text = buf.getvalue()
    assert "analytic (erlang_a)" in text and "Total_Calls_Answered" in text


def test_agreement_without_erlang_says_why():
    rep = agreement.agreement(str(SCEN / "quickstart.toml"), ["run.horizon=900"], replications=2, seed=1)
    assert rep.model is None and "after-call work" in rep.not_erlang
    assert all(r.analytic is None for r in rep.rows)
    buf = io.StringIO()
    agreement.render(rep, Console(file=buf, width=220))
    assert "not Erlang-like" in buf.getvalue()
    assert not any(math.isnan(r.truth.mean) for r in rep.rows if r.truth is not None)


def test_agreement_alone_and_stat_columns(tmp_path, capsys):
    """``--agreement`` without --vary reports the scenario as written; ``--stat`` adds a Stat
    Server statistic (mean and interval over the replications) to sweep.csv."""
    out = tmp_path / "a"
    rc = main(["sweep", ERLANG_A, "--agreement", "--replications", "2", "--workers", "1", "--set",
               "run.horizon=1800", "--out", str(out), "--no-progress"])
    assert rc == 0
    rows = (out / "agreement.csv").read_text().splitlines()
    assert rows[0].startswith("quantity,truth_mean") and len(rows) == 1 + len(agreement.ROWS)
    out2 = tmp_path / "b"
    rc = main(["sweep", ERLANG_A, "--vary", "teams[0].count=14:14:1", "--replications", "2", "--workers", "1",
               "--set", "run.horizon=1800", "--stat", "Total_Calls_Answered", "--out", str(out2),
               "--no-progress", "--no-plots"])
    assert rc == 0
    header = (out2 / "sweep.csv").read_text().splitlines()[0]
    assert "stat:Total_Calls_Answered_mean" in header
    capsys.readouterr()
    rc = main(["sweep", ERLANG_A, "--vary", "teams[0].count=14:14:1", "--workers", "1", "--stat", "Nope",
               "--out", str(out2), "--no-progress"])
    assert rc == 2 and "--stat: unknown stat type 'Nope'" in capsys.readouterr().err
