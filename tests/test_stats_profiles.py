"""Time profiles across resets and window slides (docs/reference/stat-types.md §6), and
notifications (§9, contract 4)."""

from __future__ import annotations

import csv
import io

import pytest
from test_stats_helpers import T0, durable, engine, feed, instant, stat, statuses, value

from sim.statserver.records import Action
from sim.statserver.stats import COLUMNS, Notifier, StatsCsvWriter

Q = "5000@SW"
PROFILES = ("[TimeProfiles]\nQuarter,Growing = 0:00+0:15\nHour,Sliding = 3600:600\nLast3,Selection = 3\n"
            "Login,SinceLogin =\nShift,Growing = 8:00,17:00\nEver,Growing =\n")


def test_growing_default_resets_at_midnight():
    """§6: Default = Growing 0:00; a running status is split at the reset, actions count where they end."""
    ini = (stat("NR", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent")
           + stat("N", "TotalNumber", "CallAnswered", "DNAction", "Queue"))
    eng = engine(ini, start=T0 - 3600)
    feed(eng, statuses("Agent", "a1", [(T0 - 600, "NotReadyForNextCall"), (T0 + 300, "WaitForNextCall")]),
         instant("CallAnswered", Q, T0 - 100, 5.0), instant("CallAnswered", Q, T0 + 100, 5.0))
    assert value(eng, "NR", "Agent", "a1", T0 + 1000) == 300
    assert value(eng, "N", "Queue", Q, T0 + 1000) == 1


def test_growing_value_before_and_at_the_reset_instant():
    """§9 Reset notification: a peek at the reset instant still shows the interval that ends there."""
    ini = stat("NR", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent", TimeProfiles="Quarter") + PROFILES
    eng = engine(ini)
    feed(eng, statuses("Agent", "a1", [(T0 + 100, "NotReadyForNextCall")]))
    assert value(eng, "NR", "Agent", "a1", T0 + 900) == 800
    assert value(eng, "NR", "Agent", "a1", T0 + 1000) == 100          # after the 00:15 reset
    assert value(eng, "NR", "Agent", "a1", T0 + 3 * 900 + 50) == 50    # several resets later


def test_growing_reset_list_and_ever_growing():
    """§6: `8:00,17:00` resets twice a day; an empty value never resets."""
    ini = (stat("S", "TotalNumber", "CallAnswered", "DNAction", "Queue", TimeProfiles="Shift, Ever") + PROFILES)
    eng = engine(ini)
    for h in (7, 9, 16):
        feed(eng, instant("CallAnswered", Q, T0 + h * 3600, 1.0))
    assert value(eng, "S", "Queue", Q, T0 + 16.5 * 3600, "Shift") == 2   # 9:00 and 16:00
    feed(eng, instant("CallAnswered", Q, T0 + 18 * 3600, 1.0))
    assert value(eng, "S", "Queue", Q, T0 + 19 * 3600, "Shift") == 1     # 18:00 only
    assert value(eng, "S", "Queue", Q, T0 + 19 * 3600, "Ever") == 4


def test_sliding_window_slides():
    """§6 Sliding 3600:600: the last six 10-minute buckets; old records drop out as the window moves."""
    ini = stat("S", "TotalNumber", "CallAnswered", "DNAction", "Queue", TimeProfiles="Hour") + PROFILES
    eng = engine(ini)
    for m in (5, 15, 25):
        feed(eng, instant("CallAnswered", Q, T0 + m * 60, 1.0))
    assert value(eng, "S", "Queue", Q, T0 + 3600) == 3        # window [0:00, 1:00]
    feed(eng, instant("CallAnswered", Q, T0 + 65 * 60, 1.0))
    assert value(eng, "S", "Queue", Q, T0 + 66 * 60) == 3     # window [0:10, 1:06]: 15, 25, 65
    assert value(eng, "S", "Queue", Q, T0 + 80 * 60) == 2     # window [0:20, 1:20]: 25, 65
    assert value(eng, "S", "Queue", Q, T0 + 200 * 60) == 0    # long gap: everything dropped


def test_sliding_status_time_is_split_over_buckets():
    """§6 Sliding: a status's time counts only for the part inside the window (running or ended)."""
    ini = stat("NR", "TotalTime", "NotReadyForNextCall", "AgentStatus", "Agent", TimeProfiles="Hour") + PROFILES
    eng = engine(ini)
    first, second = statuses("Agent", "a1", [(T0 + 300, "NotReadyForNextCall"), (T0 + 4000, "WaitForNextCall")])
    feed(eng, [first])
    assert value(eng, "NR", "Agent", "a1", T0 + 3600) == 3300
    feed(eng, [second])
    assert value(eng, "NR", "Agent", "a1", T0 + 4200) == 4000 - 600      # window from 0:10
    assert value(eng, "NR", "Agent", "a1", T0 + 4300) == 4000 - 1200     # window from 0:20
    assert value(eng, "NR", "Agent", "a1", T0 + 7200) == 4000 - 3600     # window from 1:00
    eng2 = engine(ini)
    feed(eng2, statuses("Agent", "a1", [(T0 + 300, "NotReadyForNextCall")]))
    assert value(eng2, "NR", "Agent", "a1", T0 + 7300) == 7300 - 4200   # running, window from 1:10


def test_sliding_action_time_projected_on_the_window():
    """§3: a durable action adds its time when it ends, projected on the window."""
    ini = stat("T", "TotalTime", "CallWait", "DNAction", "Queue", TimeProfiles="Hour") + PROFILES
    eng = engine(ini)
    start, end = durable("CallWait", Q, T0 + 500, T0 + 1500, conn="c")
    feed(eng, [start])
    assert value(eng, "T", "Queue", Q, T0 + 1400) == 0
    feed(eng, [end])
    assert value(eng, "T", "Queue", Q, T0 + 1600) == 1000
    assert value(eng, "T", "Queue", Q, T0 + 4200) == 900          # window from 0:10
    assert value(eng, "T", "Queue", Q, T0 + 4300) == 300          # window from 0:20


def test_selection_last_n_records():
    """§6 Selection 3: the last three completed records, whatever their age."""
    ini = (stat("N", "TotalNumber", "CallWait", "DNAction", "Queue", TimeProfiles="Last3")
           + stat("A", "AverageTime", "CallWait", "DNAction", "Queue", TimeProfiles="Last3")
           + stat("M", "MaxTime", "CallWait", "DNAction", "Queue", TimeProfiles="Last3") + PROFILES)
    eng = engine(ini)
    for i, d in enumerate((100, 10, 20, 30)):
        feed(eng, durable("CallWait", Q, T0 + 1000 * i, T0 + 1000 * i + d, conn=f"c{i}"))
    assert value(eng, "N", "Queue", Q, T0 + 10 * 86400) == 3
    assert value(eng, "A", "Queue", Q, T0 + 10 * 86400) == 20
    assert value(eng, "M", "Queue", Q, T0 + 10 * 86400) == 30


def test_since_login_restarts_at_each_login():
    """§6 SinceLogin: the interval starts at the agent's login (its LoggedIn action)."""
    ini = (stat("O", "RelativeTimePercentage", "CallInbound", "AgentStatus", "Agent", RelMask="*, ~LoggedOut",
                TimeProfiles="Login, Default") + PROFILES)
    eng = engine(ini)
    login1 = durable("LoggedIn", "1001@SW", T0 + 100, T0 + 1000, agent="a1")
    login2 = durable("LoggedIn", "1001@SW", T0 + 2000, None, agent="a1")
    st = statuses("Agent", "a1", [(T0 + 100, "WaitForNextCall"), (T0 + 200, "CallInbound"), (T0 + 1000, "LoggedOut"),
                                  (T0 + 2000, "WaitForNextCall"), (T0 + 2100, "CallInbound"),
                                  (T0 + 2200, "WaitForNextCall")])
    feed(eng, login1, login2, st)
    assert value(eng, "O", "Agent", "a1", T0 + 2400, "Login") == pytest.approx(25.0)        # 100 / 400
    assert value(eng, "O", "Agent", "a1", T0 + 2400, "Default") == pytest.approx(100 * 900 / 1300)


def test_notifier_every_15_minutes_and_at_the_end():
    """Contract 4 / issue: rows at each 15 minutes and at the end, for every stat type and object."""
    ini = (stat("N", "TotalNumber", "CallAnswered", "DNAction", "Queue, GroupQueues", TimeProfiles="Default, Quarter")
           + stat("W", "CurrNumber", "CallWait", "DNAction", "Queue").replace("CurrNumber", "CurrentNumber") + PROFILES)
    eng = engine(ini)
    buf = io.StringIO()
    writer = StatsCsvWriter(buf)
    n = Notifier(eng, writer, every=900)
    recs = sorted(instant("CallAnswered", Q, T0 + 100, 4.0) + instant("CallAnswered", Q, T0 + 900, 4.0)
                  + durable("CallWait", Q, T0 + 950, None, conn="c") + instant("CallAnswered", Q, T0 + 2000, 4.0),
                  key=lambda r: r.time)
    n.feed_many(recs)
    n.close(T0 + 2100)
    rows = list(csv.DictReader(io.StringIO(buf.getvalue())))
    assert tuple(rows[0]) == COLUMNS
    times = sorted({float(r["time"]) for r in rows})
    assert times == [T0 + 900, T0 + 1800, T0 + 2100]
    per = {(float(r["time"]), r["stat_type"], r["object"], r["time_profile"]): r["value"] for r in rows}
    assert per[(T0 + 900, "N", Q, "Quarter")] == "1"          # the 00:15 row is the interval [0:00, 0:15)
    assert per[(T0 + 1800, "N", Q, "Quarter")] == "1"
    assert per[(T0 + 1800, "N", Q, "Default")] == "2"
    assert per[(T0 + 2100, "N", "GQ", "Default")] == "3"
    assert per[(T0 + 2100, "W", Q, "")] == "1"
    assert per[(T0 + 2100, "W", "5001@SW", "")] == "0"
    assert {r["valid"] for r in rows} == {"1"}
    assert writer.rows == len(rows)


def test_notifier_ignores_requests_and_collects_rows_without_writer():
    eng = engine(stat("N", "TotalNumber", "CallAnswered", "DNAction", "Queue"))
    n = Notifier(eng, None, every=None)
    n.feed(Action(T0 + 5, "CallAnswered", "retro", "Queue", Q, 1, None, None, 3.0, Q, None))
    n.close()
    assert [(r.object, r.value) for r in n.collected] == [(Q, 1), ("5001@SW", 0)]


def test_write_stats_csv_and_reading_in_the_past(tmp_path):
    """Contract 4: write_stats_csv runs the whole pipeline; reading before the last record is refused."""
    from test_stats_helpers import objects

    from sim.statserver.stats import parse_stattypes, write_stats_csv
    recs = sorted(instant("CallAnswered", Q, T0 + 100, 4.0) + instant("CallAnswered", Q, T0 + 1000, 4.0),
                  key=lambda r: r.time)
    path = tmp_path / "stats.csv"
    eng = write_stats_csv(recs, objects(), str(path), parse_stattypes(stat("N", "TotalNumber", "CallAnswered",
                                                                            "DNAction", "Queue")))
    lines = path.read_text().splitlines()
    assert lines[0] == ",".join(COLUMNS)
    assert lines[1:] == [f"{T0 + 900:.1f},N,Queue,{Q},Default,1,1".replace(".0,", ","),
                         f"{T0 + 900:.1f},N,Queue,5001@SW,Default,0,1".replace(".0,", ","),
                         f"{T0 + 1000:.1f},N,Queue,{Q},Default,2,1".replace(".0,", ","),
                         f"{T0 + 1000:.1f},N,Queue,5001@SW,Default,0,1".replace(".0,", ",")]
    with pytest.raises(ValueError):
        eng.peek("N", "Queue", Q, T0 + 500)
    assert len(write_stats_csv([], objects(), str(path)).runtimes) >= 40    # the shipped library
