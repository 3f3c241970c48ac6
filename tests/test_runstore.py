"""The run store (sim.runstore): Parquet and JSON-lines folders of the same run read as equal
DataFrames, the Parquet folder is small, ``sim export`` converts either way without losing a
byte, a Parquet trace replays like its JSON lines, and outputs are deterministic."""

from __future__ import annotations

import gc
import json
import os
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")
pq = pytest.importorskip("pyarrow.parquet")

import sim  # noqa: E402
from sim.cli import main  # noqa: E402
from sim.runstore import columns  # noqa: E402
from sim.runstore.schema import TABLES  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
SCENARIOS = ROOT / "scenarios"
RECORD_FILES = ("actions.jsonl", "statuses.jsonl")
TEXT_FILES = ("events.jsonl", "actions.jsonl", "statuses.jsonl", "calls.csv", "truth.csv")


def _run(scenario: str, out: Path, store: str, horizon: int) -> sim.runstore.Run:
    return sim.run(SCENARIOS / scenario, out, store=store, run={"horizon": horizon})


@pytest.fixture(scope="module")
def quickstart(tmp_path_factory):
    base = tmp_path_factory.mktemp("quickstart")
    return {store: _run("quickstart.toml", base / store, store, 1800) for store in ("jsonl", "parquet")}


def test_store_files(quickstart):
    p, j = Path(quickstart["parquet"].path), Path(quickstart["jsonl"].path)
    assert sorted(os.listdir(p)) == ["actions.parquet", "calls.parquet", "events.jsonl", "objects.toml",
                                     "stats.parquet", "statuses.parquet", "summary.json", "truth.parquet"]
    assert sorted(os.listdir(j)) == ["actions.jsonl", "calls.csv", "events.jsonl", "objects.toml",
                                     "stats.csv", "statuses.jsonl", "summary.json", "truth.csv"]
    for name in ("events.jsonl", "objects.toml", "summary.json"):      # unchanged by the store
        assert (p / name).read_bytes() == (j / name).read_bytes()
    assert quickstart["parquet"].format == "parquet" and quickstart["jsonl"].format == "jsonl"


@pytest.mark.parametrize("scenario,horizon", [("quickstart.toml", 1800), ("blended.toml", 1200)])
def test_formats_give_equal_frames(scenario, horizon, tmp_path):
    runs = {s: _run(scenario, tmp_path / s, s, horizon) for s in ("jsonl", "parquet")}
    for name in TABLES:
        a, b = runs["jsonl"].table(name), runs["parquet"].table(name)
        pd.testing.assert_frame_equal(a, b, check_exact=True)
        assert list(a.columns) == TABLES[name].names
        if name in ("actions", "statuses", "events", "stats"):
            assert len(a) > 0, name
    assert runs["parquet"].summary == runs["jsonl"].summary
    assert runs["parquet"].objects == runs["jsonl"].objects


def test_schema_dtypes(quickstart):
    r = quickstart["parquet"]
    a = r.actions
    assert str(a["time"].dtype) == "float64" and isinstance(a["action"].dtype, pd.CategoricalDtype)
    assert str(a["CallType"].dtype) == "Int64" and str(a["ConnID"].dtype) == "string"
    assert list(a["action"].cat.categories) == sorted(a["action"].cat.categories)
    s = r.stats
    assert s["value"].notna().any() and s["state"].notna().any()      # numbers and current states
    assert ((s["value"].isna()) | (s["state"].isna())).all()
    assert str(s["valid"].dtype) == "bool"
    # the first inbound call's DN-level CallRinging carries its attached data as JSON
    ring = a[(a.action == "CallRinging") & (a.object_type == "RegDN")].iloc[0]
    assert json.loads(ring["data"])["UserData"] == {"Segment": "gold"}


def test_parquet_folder_is_at_most_a_quarter(tmp_path):
    """An intraday day of several hours of traffic (inbound_day: calls from morning to night)."""
    sizes = {}
    for store in ("jsonl", "parquet"):
        r = sim.run(SCENARIOS / "inbound_day.toml", tmp_path / store, store=store)
        sizes[store] = sum(f.stat().st_size for f in Path(r.path).iterdir())
    ratio = sizes["parquet"] / sizes["jsonl"]
    print(f"parquet {sizes['parquet']} B / jsonl {sizes['jsonl']} B = {ratio:.3f}")
    assert ratio <= 0.25


def test_export_round_trip_is_byte_identical(quickstart, tmp_path):
    src = quickstart["jsonl"].path
    assert main(["export", src, "--format", "parquet", "--out", str(tmp_path / "p")]) == 0
    assert sorted(os.listdir(tmp_path / "p")) == sorted(
        [f"{t}.parquet" for t in TABLES] + ["objects.toml", "summary.json"])
    assert main(["export", str(tmp_path / "p"), "--format", "jsonl", "--out", str(tmp_path / "j")]) == 0
    for name in TEXT_FILES:
        assert (tmp_path / "j" / name).read_bytes() == Path(src, name).read_bytes(), name
    # stats.csv: the same rows (an engine value within 1e-6 of an integer may be written
    # "55.0" by the run and "55" by the export: docs/decisions.md, "Run store")
    pd.testing.assert_frame_equal(sim.open_run(tmp_path / "j").stats, quickstart["jsonl"].stats)
    # a Parquet run exports to the JSON-lines run's files
    assert main(["export", quickstart["parquet"].path, "--format", "jsonl", "--out", str(tmp_path / "j2")]) == 0
    for name in RECORD_FILES + ("calls.csv", "truth.csv"):
        assert (tmp_path / "j2" / name).read_bytes() == Path(src, name).read_bytes(), name


def test_export_csv(quickstart, tmp_path):
    assert main(["export", quickstart["parquet"].path, "--format", "csv", "--out", str(tmp_path / "c")]) == 0
    a = pd.read_csv(tmp_path / "c" / "actions.csv")
    assert list(a.columns) == TABLES["actions"].names
    assert len(a) == len(quickstart["parquet"].actions)
    assert (tmp_path / "c" / "calls.csv").read_bytes() == Path(quickstart["jsonl"].path, "calls.csv").read_bytes()


def test_export_never_writes_over_its_input(quickstart, tmp_path, capsys):
    src = quickstart["jsonl"].path
    before = {f: Path(src, f).stat().st_mtime_ns for f in os.listdir(src)}
    assert main(["export", src, "--format", "parquet", "--out", src]) == 2
    assert "--out: is the run folder being exported" in capsys.readouterr().err
    (tmp_path / "full").mkdir()
    (tmp_path / "full" / "x").write_text("x")
    assert main(["export", src, "--format", "parquet", "--out", str(tmp_path / "full")]) == 2
    assert "exists and is not an empty folder" in capsys.readouterr().err
    assert {f: Path(src, f).stat().st_mtime_ns for f in os.listdir(src)} == before


def test_export_reports_bad_lines_and_keeps_the_rest(quickstart, tmp_path, capsys):
    bad = tmp_path / "bad"
    bad.mkdir()
    lines = Path(quickstart["jsonl"].path, "actions.jsonl").read_bytes().splitlines(keepends=True)
    (bad / "actions.jsonl").write_bytes(lines[0] + b"{not json\n" + b'{"time":1}\n' + b"".join(lines[1:]))
    assert main(["export", str(bad), "--format", "parquet", "--out", str(tmp_path / "out")]) == 2
    err = capsys.readouterr().err.splitlines()
    assert err == [f"{bad / 'actions.jsonl'}:2: not valid JSON",
                   f"{bad / 'actions.jsonl'}:3: missing key 'action'"]
    assert pq.read_metadata(tmp_path / "out" / "actions.parquet").num_rows == len(lines)


def test_replay_of_parquet_trace_equals_replay_of_jsonl(quickstart, tmp_path):
    src = Path(quickstart["jsonl"].path)
    assert main(["export", str(src), "--format", "parquet", "--out", str(tmp_path / "p")]) == 0
    objects = str(src / "objects.toml")
    # (not into the folder of the Parquet trace: a command never writes where its input is)
    for name, trace in (("j", src / "events.jsonl"), ("rp", tmp_path / "p" / "events.parquet")):
        assert main(["replay", str(trace), "--objects", objects, "--out", str(tmp_path / name)]) == 0
    for name in RECORD_FILES + ("stats.csv",):
        assert (tmp_path / "j" / name).read_bytes() == (tmp_path / "rp" / name).read_bytes(), name
    # and through the API, Parquet out
    r = sim.replay(tmp_path / "p" / "events.parquet", objects, tmp_path / "api")
    pd.testing.assert_frame_equal(r.actions, sim.open_run(tmp_path / "j").actions)
    assert r.problems == []


def test_parquet_trace_problems_name_the_row(quickstart, tmp_path):
    src = Path(quickstart["jsonl"].path)
    lines = (src / "events.jsonl").read_bytes().splitlines(keepends=True)
    bad = tmp_path / "bad"
    bad.mkdir()
    # an unknown CallType name is kept in the row's "other" column, and reported by replay
    broken = lines[30].replace(b'"CallType":2', b'"CallType":"Sideways"')
    assert broken != lines[30]
    (bad / "events.jsonl").write_bytes(b"".join(lines[:30]) + broken + b"".join(lines[31:]))
    assert main(["export", str(bad), "--format", "parquet", "--out", str(tmp_path / "p")]) == 0
    trace = tmp_path / "p" / "events.parquet"
    r = sim.replay(trace, src / "objects.toml", tmp_path / "r")
    assert f"{trace}:31: CallType: unknown CallType name 'Sideways'" in r.problems
    back = tmp_path / "back"
    assert main(["export", str(tmp_path / "p"), "--format", "jsonl", "--out", str(back)]) == 0
    assert (back / "events.jsonl").read_bytes() == (bad / "events.jsonl").read_bytes()


def test_determinism(tmp_path):
    a = _run("quickstart.toml", tmp_path / "a", "parquet", 1800)
    b = _run("quickstart.toml", tmp_path / "b", "parquet", 1800)
    for name in os.listdir(a.path):
        assert Path(a.path, name).read_bytes() == Path(b.path, name).read_bytes(), name


def test_row_groups_are_written_as_the_run_goes(tmp_path, monkeypatch):
    """Memory is flat in the horizon: no buffer holds more than a row group."""
    monkeypatch.setattr(columns, "ROWS", 500)
    r = _run("quickstart.toml", tmp_path / "p", "parquet", 1800)
    meta = pq.read_metadata(Path(r.path) / "actions.parquet")
    assert meta.num_row_groups > 3
    assert max(meta.row_group(i).num_rows for i in range(meta.num_row_groups)) <= 500 + 20
    assert len(r.actions) == meta.num_rows


def test_open_run_refuses_an_incomplete_run(tmp_path):
    (tmp_path / "incomplete.json").write_text(json.dumps(
        {"complete": False, "reason": "interrupted", "command": "sim run x.toml"}))
    with pytest.raises(sim.runstore.RunStoreError, match=r"incomplete run \(interrupted\); run it again"):
        sim.open_run(tmp_path)
    with pytest.raises(sim.runstore.RunStoreError, match="no such run folder"):
        sim.open_run(tmp_path / "missing")
    assert main(["export", str(tmp_path), "--format", "parquet", "--out", str(tmp_path / "o")]) == 2


def test_missing_table_is_one_clear_error(tmp_path):
    (tmp_path / "summary.json").write_text("{}")
    with pytest.raises(sim.runstore.RunStoreError, match=r"no actions table \(actions.parquet or actions.jsonl\)"):
        sim.open_run(tmp_path).table("actions")


def test_run_without_out_keeps_a_temporary_folder_alive():
    r = sim.run(SCENARIOS / "quickstart.toml", seed=3, run={"horizon": 600})
    path = r.path
    assert os.path.isdir(path) and len(r.calls) > 0 and r.summary["seed"] == 3
    del r
    gc.collect()
    assert not os.path.exists(path)


def test_overrides_in_both_spellings():
    from sim.runstore.run import _sets
    assert _sets({"run": {"horizon": 3600, "name": "x"}, "teams[0].count": 12}) == [
        "run.horizon=3600", 'run.name="x"', "teams[0].count=12"]


def test_record_columns_match_the_json_lines_on_edge_cases(tmp_path):
    """Records the shipped scenarios rarely make: an empty group, a -0.0 duration, a DN copy
    whose dn is its object, empty attached data, Reasons on a status, shared data objects."""
    from sim.runstore.writer import RecordColumns
    from sim.statserver.lines import LineEncoder
    from sim.statserver.records import Action, GroupStatus, Request, StatusChange
    ud = {"UserData": {"k": [1, 2.5, None]}, "ThisQueue": "7000"}
    records = [
        Action(10.0000004, "CallRinging", "start", "RegDN", "6001@SW1", 1, "c1", 2, None, "6001@SW1", ud),
        Action(10.0000004, "CallRinging", "start", "Agent", "a1", 1, "c1", 2, None, "6001@SW1", ud),
        Action(12.5, "CallRinging", "end", "Agent", "a1", 1, "c1", 2, -0.0, "6001@SW1", {}),
        Action(12.5, "NotReadyForNextCall", "retro", "Place", "p1", 2, None, None, 2.0000005, None, None),
        Request(12.5, "RequestQueryAddress", "SW1", "7000", 8),
        StatusChange(12.5, "Agent", "a1", "NotReadyForNextCall", None, None, {"Reason": "Lunch"}),
        GroupStatus(12.5, "GroupAgents", "Empty", {}, "a1"),
        GroupStatus(13.0, "GroupAgents", "Sales", {"LoggedOut": 1, "WaitForNextCall": 2}, "a1"),
        StatusChange(13.0, "RegDN", "6001@SW1", "CallRinging", "NotMonitored", 2, None),
    ]
    (tmp_path / "j").mkdir()
    actions, statuses, *_ = LineEncoder().encode(records)
    (tmp_path / "j" / "actions.jsonl").write_text(actions)
    (tmp_path / "j" / "statuses.jsonl").write_text(statuses)
    (tmp_path / "p").mkdir()
    cols = RecordColumns(str(tmp_path / "p"))
    cols.add(records[:3])
    cols.add(records[3:])
    cols.close()
    j, p = sim.open_run(tmp_path / "j"), sim.open_run(tmp_path / "p")
    pd.testing.assert_frame_equal(j.actions, p.actions, check_exact=True)
    pd.testing.assert_frame_equal(j.statuses, p.statuses, check_exact=True)
    assert main(["export", str(tmp_path / "p"), "--format", "jsonl", "--out", str(tmp_path / "back")]) == 0
    assert (tmp_path / "back" / "actions.jsonl").read_text() == actions
    assert (tmp_path / "back" / "statuses.jsonl").read_text() == statuses
