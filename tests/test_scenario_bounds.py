"""Bounded work and what the schema accepts (issue 17 §1, §3): loops at one instant, minimum
periods, the work estimate and its limits, distributions, the epoch, a byte-order mark, and the
warnings for valid but almost surely wrong scenarios (docs/decisions.md, "Bounded work")."""

from __future__ import annotations

import contextlib
import io
import os
from pathlib import Path
from types import SimpleNamespace

import pytest

from sim.cli import main
from sim.errors import UserError
from sim.model.rng import make_draw
from sim.scenario import estimate as est
from sim.scenario.load import build_scenario, load_scenario

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = sorted((ROOT / "scenarios").glob("*.toml"))


def base(**run) -> dict:
    """One switch, queues 7000 and 7001 (skill sales), two agents, one traffic source."""
    return {
        "run": {"horizon": 600, "drain": 600, **run},
        "switches": [{"name": "SW1"}],
        "queues": [{"number": "7000", "skill": "sales"}, {"number": "7001", "skill": "sales"}],
        "teams": [{"name": "Sales", "count": 2, "first_dn": 6001, "first_login": 1001,
                   "skills": ["sales"], "queue": "7000"}],
        "traffic": [{"name": "in", "queue": "7000", "rate": 60}],
    }


def refused(doc: dict, *sets: str) -> str:
    with pytest.raises(UserError) as exc:
        build_scenario(doc, "s.toml", list(sets))
    assert "\n" not in str(exc.value)
    return str(exc.value)


def cli(argv: list[str], cwd: Path) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    old = os.getcwd()
    os.chdir(cwd)
    try:
        with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
            code = main(argv)
    finally:
        os.chdir(old)
    return code, out.getvalue(), err.getvalue()


# --- loops at one instant ----------------------------------------------------------------------

def test_a_queue_overflowing_to_itself_at_once_is_refused_naming_it():
    doc = base()
    doc["queues"][0]["overflow"] = {"after": 0, "to": "7000"}
    assert refused(doc).startswith("s.toml: queues[0].overflow: queue 7000 overflows to itself with after = 0 s")


def test_a_cycle_of_queues_is_refused_naming_the_cycle():
    doc = base()
    doc["queues"].append({"number": "7002", "skill": "sales"})
    doc["queues"][0]["overflow"] = {"after": 0.25, "to": "7001"}
    doc["queues"][1]["overflow"] = {"after": 0, "to": "7002"}
    doc["queues"][2]["overflow"] = {"after": 0.5, "to": "7000"}
    msg = refused(doc)
    assert "queues 7000 -> 7001 -> 7002 -> 7000 overflow to each other with after = 0.75 s in all" in msg
    assert "at least 1 s" in msg


def test_a_cycle_taking_a_second_or_more_and_a_chain_without_a_cycle_load():
    doc = base()
    doc["queues"][0]["overflow"] = {"after": 0, "to": "7001"}
    build_scenario(doc, "s.toml")                       # 7000 -> 7001: no cycle
    doc["queues"][1]["overflow"] = {"after": 1, "to": "7000"}
    build_scenario(doc, "s.toml")                       # a lap takes 1 s


def test_callers_redialling_at_once_forever_are_refused():
    doc = base()
    doc["traffic"][0].update(patience=0, redial={"probability": 1, "delay": {"dist": "constant", "value": 0}})
    assert "a caller would redial forever at one instant" in refused(doc)
    doc["traffic"][0]["redial"]["probability"] = 0.9
    build_scenario(doc, "s.toml")


def test_the_model_stops_a_call_moving_without_end_at_one_instant():
    """The second line of defence: a loop the loader did not see (here put in after loading)."""
    from sim.model.model import ContactCenter

    doc = base()
    doc["teams"][0]["skills"] = ["other"]               # nobody takes the calls
    sc = build_scenario(doc, "s.toml")
    sc.queues[0]["overflow"] = {"after": 0, "to": "7000"}
    cc = ContactCenter(sc, lambda ev: None)
    with pytest.raises(UserError, match=r"routing loop: call \S+ entered a queue or routing point 1000 times"):
        cc.run()


# --- periods -------------------------------------------------------------------------------

@pytest.mark.parametrize("key", ["run.interval", "run.notify_every", "traffic[0].interval"])
def test_periods_below_one_second_are_refused_naming_the_minimum(key):
    assert refused(base(), f"{key}=0.5").endswith(f"{key}: 0.5 is less than the minimum of 1")
    build_scenario(base(), "s.toml", [f"{key}=1"])


def test_replay_notify_below_one_second_is_refused(tmp_path):
    (tmp_path / "e.jsonl").write_text("")
    code, _, err = cli(["replay", "e.jsonl", "--objects", "o.toml", "--notify", "nan"], tmp_path)
    assert code == 2 and err == "sim replay: error: --notify: must be at least 1 second, got nan\n"


# --- the work estimate ---------------------------------------------------------------------------

def test_the_estimate_integrates_the_profile_over_the_horizon():
    t = {"profile": [1.0, 0.0, 3.0], "interval": 1800.0}
    assert est.profiled_hours(t, 5400) == pytest.approx(2.0)              # one lap
    assert est.profiled_hours(t, 5400 * 10 + 900) == pytest.approx(20.25)  # ten laps and half an interval
    sc = load_scenario(str(ROOT / "scenarios" / "erlang_a.toml"))
    assert est.estimate(sc).calls == pytest.approx(200 * 8)               # 200 calls/h over 8 h


def test_memory_and_events_grow_with_the_agents():
    small = est.estimate(build_scenario(base(), "s.toml", ["teams[0].count=100", "teams[0].first_dn=10000"]))
    large = est.estimate(build_scenario(base(), "s.toml", ["teams[0].count=1100", "teams[0].first_dn=10000"]))
    assert large.memory_bytes - small.memory_bytes == 1000 * est.MEMORY_PER_AGENT
    assert large.events > small.events
    # what 100,000 agents would take (5.5 GB measured) is what the estimate says
    assert est.MEMORY_BASE + 100_000 * est.MEMORY_PER_AGENT == pytest.approx(5.5e9, rel=0.1)


def test_a_run_beyond_the_limits_is_refused_with_its_estimate_unless_allowed(tmp_path):
    sc = build_scenario(base(), "s.toml", ["traffic[0].rate=1e9"])
    with pytest.raises(UserError) as exc:
        est.preflight(sc, "run", out=str(tmp_path))
    msg = str(exc.value)
    assert msg.startswith("s.toml: estimated about 167,000,000 calls, 2 agents, ")
    assert "more than 50,000,000 calls" in msg and msg.endswith("; --allow-large runs it anyway")
    assert est.preflight(sc, "run", out=str(tmp_path), allow_large=True).calls > est.MAX_CALLS


def test_output_beyond_the_free_space_of_out_is_refused(tmp_path, monkeypatch):
    sc = build_scenario(base(), "s.toml")
    monkeypatch.setattr(est.shutil, "disk_usage", lambda p: SimpleNamespace(free=1000))
    msg = str(pytest.raises(UserError, est.preflight, sc, "run", out=str(tmp_path / "new" / "out")).value)
    assert f"more output than the 1 KB free for {tmp_path / 'new' / 'out'}" in msg
    est.preflight(sc, "stream")                         # no output folder: not a limit


def test_more_memory_than_the_machine_has_is_refused(monkeypatch):
    monkeypatch.setattr(est, "physical_memory", lambda: 100e6)
    sc = build_scenario(base(), "s.toml")
    assert "more memory than the 100 MB of this machine" in str(
        pytest.raises(UserError, est.preflight, sc, "stream").value)


def test_sweep_adds_up_points_and_replications(tmp_path):
    (tmp_path / "s.toml").write_text((ROOT / "scenarios" / "erlang_a.toml").read_text())
    code, _, err = cli(["sweep", "s.toml", "--vary", "traffic[0].rate=100000:200000:100000",
                        "--replications", "30", "--no-progress", "--out", "sw"], tmp_path)
    assert code == 2
    assert err.startswith("sim sweep: error: s.toml: estimated about 72,000,000 calls, 14 agents, ")
    assert "over 2 points x 30 replications: more than 50,000,000 calls" in err
    assert not (tmp_path / "sw").exists()


@pytest.mark.parametrize("path", SCENARIOS, ids=lambda p: p.stem)
def test_shipped_scenarios_are_within_the_limits_and_warn_of_nothing(path):
    sc = load_scenario(str(path))
    assert sc.warnings == []
    assert est.over_limits(est.estimate(sc)) == []


# --- distributions -------------------------------------------------------------------------------

@pytest.mark.parametrize("spec, message", [
    ({"dist": "gamma", "mean": 100}, "a gamma distribution needs 'sd' or 'shape' (one of them) besides 'mean'"),
    ({"dist": "gamma", "mean": 100, "sd": 5, "shape": 3}, "needs 'sd' or 'shape' (one of them)"),
    ({"dist": "uniform", "low": 10, "high": 5}, "traffic[0].handle.high: 5 is less than low = 10"),
    ({"dist": "empirical", "values": [1, 2], "weights": [1]}, "1 weights for 2 values"),
    ({"dist": "empirical", "values": [1, 2], "weights": [0, 0]}, "at least one weight must be positive"),
])
def test_distributions_that_define_none_are_refused(spec, message):
    doc = base()
    doc["traffic"][0]["handle"] = spec
    assert message in refused(doc)


@pytest.mark.parametrize("spec", [
    {"dist": "lognormal", "mean": 100, "sd": 1e200},
    {"dist": "lognormal", "mean": 1e-300, "sd": 1e300},
    {"dist": "gamma", "mean": 1e300, "sd": 1e-300},
    {"dist": "gamma", "mean": 1, "sd": 1e300},
    {"dist": "gamma", "mean": 1e300, "shape": 1e-300},
])
def test_extreme_but_valid_parameters_draw_numbers(spec):
    import numpy as np

    draws = make_draw(spec)(np.random.default_rng(1), 64)
    assert not np.isnan(draws).any() and (draws >= 0).all()


def test_extreme_distributions_and_rates_of_zero_run(tmp_path):
    from sim.simulation import simulate

    doc = base()
    doc["traffic"][0]["handle"] = {"dist": "lognormal", "mean": 100, "sd": 1e200}
    doc["teams"][0].update(outbound={"rate": 0}, internal={"rate": 0}, not_ready={"rate": 0},
                           walk_away={"rate": 0})
    summary = simulate(build_scenario(doc, "s.toml"), str(tmp_path), engine=False)
    assert summary["overall"]["offered"] > 0


# --- epoch, BOM -------------------------------------------------------------------------------

@pytest.mark.parametrize("epoch", ["1969-12-31T23:59:59Z", "2286-11-20T17:30:00Z", "9999-12-31T00:00:00Z"])
def test_an_epoch_outside_the_traces_range_is_refused(epoch):
    assert "s.toml: run.epoch: the run from " in refused(base(epoch=epoch))


def test_a_run_ending_just_inside_the_range_is_accepted_and_its_trace_checks(tmp_path):
    from sim.check import check_file
    from sim.simulation import simulate

    build_scenario(base(epoch="2286-11-20T17:00:00Z", drain=0, horizon=60), "s.toml")
    assert "run.epoch" in refused(base(epoch="2286-11-20T17:46:00Z", horizon=60, drain=0))
    sc = build_scenario(base(epoch="1970-01-01T00:00:00Z", horizon=300), "s.toml")
    simulate(sc, str(tmp_path), engine=False)
    result = check_file(str(tmp_path / "events.jsonl"))
    assert result.count == 0


def test_a_toml_datetime_epoch_is_the_same_as_its_text(tmp_path):
    text = ROOT.joinpath("scenarios", "quickstart.toml").read_text()
    (tmp_path / "a.toml").write_text(text.replace("[run]\n", '[run]\nepoch = "2026-03-02T08:00:00Z"\n'))
    (tmp_path / "b.toml").write_text(text.replace("[run]\n", "[run]\nepoch = 2026-03-02T08:00:00Z\n"))
    (tmp_path / "c.toml").write_text(text.replace("[run]\n", "[run]\nepoch = 2026-03-02T08:00:00\n"))
    (tmp_path / "d.toml").write_text(text.replace("[run]\n", "[run]\nepoch = 2026-03-02\n"))
    epochs = [load_scenario(str(tmp_path / f"{n}.toml")).epoch for n in "abcd"]
    assert epochs[:3] == [1772438400.0] * 3 and epochs[3] == 1772409600.0
    assert load_scenario(str(tmp_path / "c.toml"), ["run.epoch=2026-03-02T08:00:00Z"]).epoch == epochs[0]
    assert "s.toml: run.epoch: " in refused(base(), "run.epoch=08:00:00")   # a time of day alone


def test_a_scenario_with_a_byte_order_mark_is_read_normally(tmp_path):
    text = ROOT.joinpath("scenarios", "quickstart.toml").read_bytes()
    (tmp_path / "bom.toml").write_bytes(b"\xef\xbb\xbf" + text)
    assert load_scenario(str(tmp_path / "bom.toml")).data == load_scenario(
        str(ROOT / "scenarios" / "quickstart.toml")).data


# --- warnings ----------------------------------------------------------------------------------

def test_warnings_for_valid_but_almost_surely_wrong_scenarios(tmp_path):
    import tomli_w

    doc = base(horizon=60, drain=0)
    doc["teams"].append({"name": "Support", "count": 1, "first_dn": 6101, "first_login": 2001,
                         "skills": ["support"]})
    doc["queues"][1]["skill"] = "billing"
    (tmp_path / "s.toml").write_text(tomli_w.dumps(doc))
    code, out, err = cli(["run", "s.toml", "--out", "o", "--no-plots", "--trace-only"], tmp_path)
    assert code == 0 and "offered" in out
    assert err.splitlines() == [
        "sim run: warning: s.toml: queues[1]: no agent has skill 'billing', so queue 7001 never distributes a call",
        "sim run: warning: s.toml: teams[1]: team 'Support' can serve no queue (no queue or routing point "
        "on SW1 asks for its skills ['support'])",
    ]
    doc["teams"] = []
    assert build_scenario(doc, "s.toml").warnings == ["s.toml: no agents: every call can only wait and abandon"]



@pytest.mark.parametrize("rate, profile", [(0.0, [1.0]), (60.0, [0.0, 0.0])])
def test_a_source_that_never_calls_does_not_step_through_the_horizon(rate, profile):
    """A source whose rate is 0 in every interval ends at once (it used to loop over every
    interval of the horizon: 10^9 steps for a 30-year horizon of 1 s intervals)."""
    import simpy

    from sim.model.traffic import arrivals

    src = SimpleNamespace(rate=rate, profile=profile, interval=1.0, day_cv=0.0)
    with pytest.raises(StopIteration):
        next(arrivals(simpy.Environment(), None, src, 1e9))
