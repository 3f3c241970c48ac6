"""Build the notebooks of this folder from the cell texts below (no outputs are stored).

    python notebooks/build.py          # rewrite the .ipynb files
    python notebooks/build.py --check  # exit 1 if a notebook differs from what this script gives

Each notebook runs offline in well under 30 s (small horizons); tests/test_notebooks.py executes
them. Edit the cells here, not in Jupyter, so the repository keeps notebooks without outputs
and with stable cell ids.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

HERE = Path(__file__).resolve().parent

SETUP = '''\
import io
from pathlib import Path

from IPython.display import Image, display

import sim

ROOT = Path(sim.__file__).resolve().parents[1]      # the repository (scenarios/, docs/)


def show(fig):
    """Display a matplotlib Figure (sim's plots use the object API, not pyplot)."""
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    display(Image(buf.getvalue()))
'''

# ------------------------------------------------------------------------------ 01
NB01 = [
    ("md", """\
# 01 · One call: from TEvents to actions to statuses

A real Genesys Stat Server never sees calls. It sees **TEvents**: the T-Library messages a
T-Server sends about each DN (`EventRinging`, `EventEstablished`, ...). From them it keeps
**actions** (durable ones with a start and an end, momentary and retrospective ones) and,
from the running actions, a **status** for every DN, place and agent.

This notebook follows one inbound call through that chain, using the same engine as
`sim run` and `sim replay`. See [docs/concepts.md](../docs/concepts.md) for the words and
[docs/diagrams](../docs/diagrams/README.md) for the rule diagrams."""),
    ("code", SETUP),
    ("md", """\
## The configuration

Stat Server knows the contact center from its configuration, not from the events: one switch
`SW1`, a routing point 8000, an ACD queue 7000, two agent DNs with their places and agents
(docs/reference/contracts.md §2, `objects.toml`)."""),
    ("code", '''\
from sim.objects import build_objects

objects = build_objects({
    "switches": [{"name": "SW1"}],
    "dns": [
        {"number": "8000", "switch": "SW1", "type": "RoutingPoint"},
        {"number": "7000", "switch": "SW1", "type": "ACDQueue"},
        {"number": "6001", "switch": "SW1", "type": "Extension"},
        {"number": "6002", "switch": "SW1", "type": "Extension"},
    ],
    "places": [{"name": "Place_6001", "dns": ["6001@SW1"]},
               {"name": "Place_6002", "dns": ["6002@SW1"]}],
    "agents": [{"id": "alice", "login": "1001"}, {"id": "bob", "login": "1002"}],
})
sorted(objects.dns)'''),
    ("md", """\
## The TEvents

`sim.tlib.flows` holds the canonical call flows of the T-Library spec as TEvent lists. Here:
Stat Server connects and registers the DNs, Alice logs in and gets ready, then a call arrives
at the routing point, is routed to queue 7000, waits 5 s, rings Alice's DN for 3 s, is talked
for 45 s with a hold in the middle, and ends; Alice does 10 s of after-call work."""),
    ("code", '''\
from sim.tlib import flows
from sim.report.explain import attribute_text

f = flows.FlowBuilder()
flows.connect(f, {"8000": {}, "7000": {}, "6001": flows.IDLE, "6002": flows.IDLE})
flows.login_ready(f, "6001", "1001")
conn = flows.inbound_via_queue(f, agent_dn="6001", agent="1001", talk=45.0, hold=8.0)
events = f.events
t0 = events[0].time
for ev in events:
    print(f"{ev.time - t0:6.1f}  {ev.event:<22} {ev.attrs.get('ThisDN', ''):<5} "
          + " ".join(a for a in attribute_text(ev.attrs) if a.startswith(("ConnID", "AgentID"))))'''),
    ("md", """\
## Feeding the action engine

`ActionEngine.feed(event)` returns the records the event caused: `Action` records (`start`,
`end`, `moment`, `retro`), written once for the DN and copied to its place and agent
(propagation), and `StatusChange` records. The explain view puts them on one row per TEvent:
what started, what ended (with its duration), what fired, and which statuses changed."""),
    ("code", '''\
from sim.commands.explain import render_text
from sim.report.explain import Explainer, Filter
from sim.statserver.engine import ActionEngine

rows = list(Explainer(ActionEngine(objects), filt=Filter(conn=conn)).rows(events))
render_text(rows, width=190);'''),
    ("md", """\
Things to notice:

* `EventRouteRequest` on the routing point fires `CallEntered` and starts `CallWait`; the
  routing point hands the call to the queue with `CallDistributed` (and
  `CallDistributedToQueue`), and the queue does the same towards DN 6001.
* `EventRinging` starts `CallRinging`; `EventEstablished` ends it with the retrospective
  `CallAnswered` (duration = ringing time) and starts `CallInbound`, the call-type action.
  The queue *reflects* the answer (`7000@SW1:CallAnswered`, duration since the call entered it).
* `EventHeld` starts `CallOnHold` and hides `CallInbound` from the status: the status becomes
  `CallOnHold` until `EventRetrieved`.
* `EventReleased` ends `CallInbound` with `CallInboundCompleted`; the after-call work that
  follows carries the call's ConnID, so the call filter keeps it.

The same table for a whole scenario: `sim explain scenarios/quickstart.toml --agent 1001`."""),
    ("md", """\
## Statuses over time

A status is the running action of highest priority (the status priority table); a place and an
agent take the highest status of their DNs. The state timeline draws one lane per object."""),
    ("code", '''\
from sim.report import plots

engine = ActionEngine(objects)
records = [r for ev in events for r in engine.feed(ev)]
show(plots.state_timeline(records, "RegDN", lanes=["6001@SW1", "6002@SW1"],
                          title="DN status during the call"))
show(plots.state_timeline(records, "Agent", title="Agent status during the call"))'''),
    ("code", '''\
# every status change of Alice, in order
from sim.statserver.records import StatusChange

for r in records:
    if type(r) is StatusChange and r.object == "alice":
        print(f"{r.time - t0:6.1f}  {r.previous or '-':>20} -> {r.status}")'''),
    ("md", """\
## Try it

* Change `hold=8.0` to `hold=None` and see `CallOnHold` disappear from the timeline.
* Replace `inbound_via_queue` by `flows.abandon_while_ringing(f)` and look for
  `CallAbandonedFromRinging`.
* The rules behind every row are tables in `sim/statserver/rules.py`, drawn in
  `docs/diagrams/call_leg.mmd` and `docs/diagrams/agent_states.mmd`."""),
]

# ------------------------------------------------------------------------------ 02
NB02 = [
    ("md", """\
# 02 · From actions to statistics

Stat Server computes statistics from actions, never from events. A **stat type** says which
actions count (`MainMask`, `RelMask`), how (`Category`: count them, add up their durations,
count the running ones, ...), for which objects (`Objects`, `Subject`) and over which period
(the **time profile**: growing since a reset, a sliding window, the last N records). Some
categories also take a **time range** (a duration band, e.g. answered within 0-20 s).

This notebook runs 30 minutes of the quickstart scenario in memory and computes a few stat
types of our own next to the shipped library (`sim/data/stattypes.ini`)."""),
    ("code", SETUP),
    ("code", '''\
from sim.model.model import ContactCenter
from sim.scenario.load import load_scenario
from sim.statserver.engine import ActionEngine

sc = load_scenario(str(ROOT / "scenarios" / "quickstart.toml"), ["run.horizon=1800"])
objects = sc.objects()
engine = ActionEngine(objects)
records = []                                    # every Action / StatusChange of the run
cc = ContactCenter(sc, lambda ev: records.extend(engine.feed(ev)))
end = cc.run()
t0, t_end = cc.epoch, cc.epoch + end
print(f"{len(records)} records over {end:.0f} s")'''),
    ("md", """\
## Stat types are INI sections

The format is Stat Server's own (docs/reference/contracts.md §4). `Category` picks the formula, the masks
pick the actions (a `~` excludes one, `*` is every action), `Subject = DNAction` counts
actions and `Subject = AgentStatus` counts status episodes."""),
    ("code", '''\
from sim.statserver.stats import load_stattypes, parse_stattypes

INI = """
[Answered]
Category = TotalNumber
MainMask = CallAnswered
Subject = DNAction
Objects = Queue
TimeProfiles = Growing15, Last10min, Last10calls

[Talk_Time]
Category = TotalTime
MainMask = CallInbound
Subject = DNAction
Objects = Agent

[Handle_Time]
Category = TotalTime
MainMask = CallInbound, CallOnHold, AfterCallWork
Subject = DNAction
Objects = Agent

[Busy_Percent]
Category = RelativeTimePercentage
MainMask = CallInbound, AfterCallWork
RelMask = *, ~LoggedOut, ~NotMonitored
Subject = AgentStatus
Objects = Agent

[Answered_Within_10]
Category = TotalNumberInTimeRange
MainMask = CallAnswered
Subject = DNAction
Objects = Queue
TimeRange = Within10

[Answered_Within_30]
Category = TotalNumberInTimeRange
MainMask = CallAnswered
Subject = DNAction
Objects = Queue
TimeRange = Within30

[Waiting]
Category = CurrentNumber
MainMask = CallWait
Subject = DNAction
Objects = Queue

[TimeProfiles]
Growing15,Growing = 0:00+0:15
Last10min,Sliding = 600:60
Last10calls,Selection = 10

[TimeRanges]
Within10 = 0-10
Within30 = 0-30
"""
mine = parse_stattypes(INI, "notebook.ini")
shipped = load_stattypes()
print("ours:", ", ".join(mine.types))
print("shipped:", len(shipped), "stat types, e.g.", ", ".join(list(shipped.types)[:6]))'''),
    ("md", """\
## Categories and masks

`StatEngine` is fed the records in time order and answers `peek(stat, object type, object,
time)`. Talk time counts `CallInbound` only; handle time adds hold and after-call work to the
mask; `Busy_Percent` divides the busy statuses by the logged-in time (`RelMask`)."""),
    ("code", '''\
from sim.statserver.stats import StatEngine

stats = StatEngine(objects, mine)
stats.feed_many(records)
print(f"{'agent':<10} {'talk s':>8} {'handle s':>9} {'busy %':>7}")
for agent in stats.configured_objects("Agent"):
    talk = stats.peek("Talk_Time", "Agent", agent, t_end).value
    handle = stats.peek("Handle_Time", "Agent", agent, t_end).value
    busy = stats.peek("Busy_Percent", "Agent", agent, t_end).value
    print(f"{agent:<10} {talk:>8.0f} {handle:>9.0f} {busy:>7.1f}")'''),
    ("md", """\
## Time ranges

`TotalNumberInTimeRange` counts the actions whose duration falls in the range. For
`CallAnswered` on a queue the duration is the time from entering the queue to the answer, so
these are the calls answered within 10 s and within 30 s: the numerator of a service level."""),
    ("code", '''\
answered = stats.peek("Answered", "Queue", "7000@SW1", t_end, "Last10min").value
w10 = stats.peek("Answered_Within_10", "Queue", "7000@SW1", t_end).value
w30 = stats.peek("Answered_Within_30", "Queue", "7000@SW1", t_end).value
print(f"answered within 10 s: {w10}, within 30 s: {w30} (whole run)")
print(f"answered in the last 10 minutes: {answered}")'''),
    ("md", """\
## Time profiles

The same stat type, three profiles: `Growing15` grows and resets every 15 minutes,
`Last10min` slides over the last 10 minutes, `Last10calls` keeps the last 10 records. We
sample them once a minute while feeding the records."""),
    ("code", '''\
import numpy as np
from matplotlib.figure import Figure

profiles = ("Growing15", "Last10min", "Last10calls")
stats = StatEngine(objects, mine)
times, values, waiting = [], {p: [] for p in profiles}, []
next_t = t0 + 60
for r in records:
    while r.time >= next_t:
        times.append((next_t - t0) / 60)
        for p in profiles:
            values[p].append(stats.peek("Answered", "Queue", "7000@SW1", next_t, p).value)
        waiting.append(stats.peek("Waiting", "Queue", "7000@SW1", next_t).value)
        next_t += 60
    stats.feed(r)

fig = Figure(figsize=(9, 4.5), layout="constrained")
ax = fig.add_subplot()
for p in profiles:
    ax.plot(times, values[p], drawstyle="steps-post", label=p)
ax.set_xlabel("minutes since start")
ax.set_ylabel("calls answered (count)")
ax.set_title("Answered on queue 7000 under three time profiles")
ax.legend()
show(fig)'''),
    ("md", """\
## stats.csv and `sim plot --stat`

`sim run` and `sim replay` write every stat type x object x profile at each notification
(every 15 minutes by default) to `stats.csv`. `write_stats_csv` does the same for any record
stream, and `plots.stat_series` draws one stat type from it, as `sim plot DIR --stat NAME` does."""),
    ("code", '''\
import tempfile

from sim.report import plots
from sim.statserver.stats import write_stats_csv

out = Path(tempfile.mkdtemp())
write_stats_csv(records, objects, str(out / "stats.csv"), stattypes=mine, every=120.0, end=t_end)
show(plots.stat_series(str(out / "stats.csv"), "Waiting"))
show(plots.stat_series(str(out / "stats.csv"), "Busy_Percent"))'''),
    ("md", """\
## Try it

* What does `MainMask = *, ~WaitForNextCall, ~LoggedOut` count with `Category = TotalTime`
  and `Subject = AgentStatus`? Add it to the INI text and peek it for every agent.
* Change `Last10min` to `300:60` and compare the curves.
* Watch a statistic change event by event:
  `sim explain scenarios/quickstart.toml --stat Total_Calls_Answered:7000@SW1 --limit 60`."""),
]

# ------------------------------------------------------------------------------ 03
NB03 = [
    ("md", """\
# 03 · A capacity what-if: a staffing sweep with the Erlang overlay

A planner's question: *how many agents does the queue need for 80 % of calls answered within
20 s?* Erlang C answers it for an ideal queue (Poisson arrivals, exponential handle times,
callers who never hang up); Erlang A adds exponential patience. The simulator answers it for
the same queue with confidence intervals, and then for queues Erlang cannot describe.

The scenario is `scenarios/erlang_a.toml` (docs/reference/capacity-references.md §6, case C3): 200 calls per
hour, AHT 180 s, mean patience 300 s, SL threshold 20 s. Horizons are short to keep the
notebook fast; `sim sweep` does the same at scale (workers, Dask)."""),
    ("code", SETUP),
    ("code", '''\
from sim.analysis import erlang
from sim.analysis.replications import replicate, summarise
from sim.analysis.runner import build, erlang_inputs, read_scenario

SCENARIO = str(ROOT / "scenarios" / "erlang_a.toml")
source = read_scenario(SCENARIO)
inputs, why_not = erlang_inputs(build(source))
print(inputs, why_not)
rate, aht, patience, target = inputs.rate, inputs.aht, inputs.patience, inputs.thresholds[0]
print(f"offered load A = {rate * aht:.1f} Erlangs")'''),
    ("md", """\
## The sweep

For each staffing level: 4 independent replications of 2 hours after a 30-minute warm-up
(the system starts empty), and a Student-t 95 % interval per KPI (docs/reference/capacity-references.md §8)."""),
    ("code", '''\
AGENTS = list(range(10, 18))
REPLICATIONS, HORIZON, WARMUP = 4, 9000, 1800

sweep = {}
for n in AGENTS:
    results = replicate(source, [f"teams[0].count={n}", f"run.horizon={HORIZON}"],
                        replications=REPLICATIONS, seed=7, warmup=WARMUP)
    sweep[n] = summarise(results)
    sl = sweep[n]["service_level.offered"]
    print(f"{n:>3} agents: SL_offered {sl.mean:.3f} ± {sl.half_width:.3f}")'''),
    ("md", """\
## The Erlang overlay

The same KPIs from the formulas, for every staffing level: Erlang A with the scenario's
patience, and Erlang C (no abandonment) for contrast."""),
    ("code", '''\
import numpy as np
from matplotlib.figure import Figure

def kpi(name):
    cis = [sweep[n][name] for n in AGENTS]
    return np.array([c.mean for c in cis]), np.array([c.half_width for c in cis])

ea = [erlang.erlang_a_metrics(rate, aht, n, patience, target=target) for n in AGENTS]
ec = [erlang.erlang_c_metrics(rate, aht, n, target=target) if rate * aht < n else None
      for n in AGENTS]

fig = Figure(figsize=(11, 4.2), layout="constrained")
ax1, ax2 = fig.subplots(1, 2)
m, h = kpi("service_level.offered")
ax1.errorbar(AGENTS, m, yerr=h, fmt="o", capsize=3, label="simulation (95 % CI)")
ax1.plot(AGENTS, [r.service_level.offered for r in ea], "-", label="Erlang A")
ax1.plot([n for n, r in zip(AGENTS, ec) if r], [r.service_level.offered for r in ec if r],
         "--", label="Erlang C")
ax1.axhline(0.8, color="grey", lw=0.8, ls=":")
ax1.set_xlabel("agents")
ax1.set_ylabel(f"service level (answered within {target:g} s / offered)")
ax1.set_title("Service level")
ax1.legend()
m, h = kpi("abandonment")
ax2.errorbar(AGENTS, 100 * m, yerr=100 * h, fmt="o", capsize=3, label="simulation (95 % CI)")
ax2.plot(AGENTS, [100 * r.abandonment for r in ea], "-", label="Erlang A")
ax2.set_xlabel("agents")
ax2.set_ylabel("abandoned calls (% of offered)")
ax2.set_title("Abandonment")
ax2.legend()
show(fig)'''),
    ("md", """\
## The answer

Erlang's staffing search gives the smallest agent count meeting the goal; compare it with the
smallest count whose simulated interval lies above the goal."""),
    ("code", '''\
goal = erlang.parse_goal("service_level.offered>=0.8")
for model, pat in (("Erlang C", None), ("Erlang A", patience)):
    s = erlang.staff(rate, aht, [goal], patience=pat, target=target)
    print(f"{model}: {s.agents} agents (SL {s.result.service_level.offered:.3f})")
ok = [n for n in AGENTS if sweep[n]["service_level.offered"].low >= 0.8]
print("simulation: ", f"{ok[0]} agents (whole 95 % interval above 0.8)" if ok else "more than the sweep covers")'''),
    ("md", """\
## Beyond Erlang

Change what Erlang assumes and the formulas no longer apply: add after-call work
(`--set teams[0].wrap_up=30`) or a ringing time (`teams[0].answer_delay`), and
`erlang_inputs` tells you why the overlay is gone. The same sweep from the command line:

```
sim sweep scenarios/erlang_a.toml --vary teams[0].count=10:18:1 --replications 10 \\
    --goal "service_level>=0.8" --out sweep-out
sim plot sweep-out
```"""),
    ("code", '''\
_, why = erlang_inputs(build(source, ["teams[0].wrap_up=30"]))
why'''),
]

# ------------------------------------------------------------------------------ 04
NB04 = [
    ("md", """\
# 04 · A run as DataFrames: occupancy per agent per interval

`sim run --store parquet` (or `sim.run(...)` here) writes the run's actions, statuses,
statistics and call records as Parquet; `sim.open_run(folder)` reads any run folder, Parquet
or JSON lines, as pandas DataFrames with the same columns and dtypes (docs/formats.md,
"The run store"). A planner's question answered from the `statuses` table: *how busy was
each agent in each 15-minute interval?*"""),
    ("code", SETUP),
    ("code", '''\
run = sim.run(ROOT / "scenarios" / "quickstart.toml", run={"horizon": 7200})   # a temporary folder
print(run, run.summary["overall"]["offered"], "calls offered")
run.statuses.head()'''),
    ("md", """\
Each agent row says when the agent's status changed. A status lasts until the agent's next
row (the last one until the end of the run); adding the interval starts to every agent's
timeline cuts those spans at the interval boundaries. Occupancy is the summary's definition:
busy (call and after-call work) time over logged-in time."""),
    ("code", '''\
import numpy as np
import pandas as pd

INTERVAL = 900.0
start = pd.Timestamp(run.summary["epoch"]).timestamp()
end = start + run.summary["end_time"]
agents = run.statuses.query("object_type == 'Agent'")[["time", "object", "status"]]
bounds = np.arange(start, end, INTERVAL)

spans = []
for agent, rows in agents.groupby("object", observed=True):
    cuts = pd.DataFrame({"time": bounds, "object": agent})
    timeline = pd.concat([rows.astype({"status": object}), cuts]).sort_values("time", kind="stable")
    timeline["status"] = timeline["status"].ffill()
    timeline["seconds"] = timeline["time"].shift(-1, fill_value=end) - timeline["time"]
    spans.append(timeline.dropna(subset=["status"]))
spans = pd.concat(spans)
spans["interval"] = pd.to_datetime(start + (spans["time"] - start) // INTERVAL * INTERVAL, unit="s")
busy = spans["status"].str.startswith("Call") | (spans["status"] == "AfterCallWork")
logged_in = ~spans["status"].isin(["LoggedOut", "OnHook", "Monitored", "NotMonitored"])
spans["busy"] = spans["seconds"].where(busy, 0.0)
spans["logged_in"] = spans["seconds"].where(logged_in, 0.0)

per = spans.groupby(["object", "interval"])[["busy", "logged_in"]].sum()
occupancy = (per.busy / per.logged_in.where(per.logged_in > 0)).unstack("interval")
print(f"overall: {per.busy.sum() / per.logged_in.sum():.3f} "
      f"(summary.json: {run.summary['overall']['occupancy']:.3f})")
occupancy.round(2)'''),
    ("code", '''\
from matplotlib.figure import Figure

fig = Figure(figsize=(9, 3.2), layout="constrained")
ax = fig.subplots()
im = ax.imshow(occupancy.to_numpy(dtype=float), aspect="auto", vmin=0, vmax=1, cmap="viridis")
ax.set_yticks(range(len(occupancy.index)), occupancy.index)
ax.set_xticks(range(len(occupancy.columns)), [t.strftime("%H:%M") for t in occupancy.columns])
ax.set_xlabel("interval start (UTC)")
ax.set_title("Occupancy per agent per 15-minute interval")
fig.colorbar(im, ax=ax, label="busy / logged-in time")
show(fig)'''),
    ("md", """\
The same frames come from a folder written earlier, in either format:
`sim.open_run("out").statuses`; `sim export out --format parquet --out out-parquet` converts
a JSON-lines run folder (and back)."""),
]

NOTEBOOKS = {
    "01_one_call.ipynb": NB01,
    "02_actions_to_statistics.ipynb": NB02,
    "03_capacity_what_if.ipynb": NB03,
    "04_run_as_dataframes.ipynb": NB04,
}


def notebook(name: str, cells) -> nbformat.NotebookNode:
    nb = new_notebook()
    nb.metadata = {
        "kernelspec": {"display_name": "Python 3 (ipykernel)", "language": "python", "name": "python3"},
        "language_info": {"name": "python"},
    }
    stem = name.split("_", 1)[0]
    for i, (kind, text) in enumerate(cells):
        cell = new_markdown_cell(text) if kind == "md" else new_code_cell(text)
        cell.id = f"nb{stem}-{i:02d}"
        nb.cells.append(cell)
    return nb


def render(name: str) -> str:
    return nbformat.writes(notebook(name, NOTEBOOKS[name])) + "\n"


def main(argv: list[str] | None = None) -> int:
    p = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    p.add_argument("--check", action="store_true", help="compare instead of writing")
    args = p.parse_args(argv)
    stale = []
    for name in NOTEBOOKS:
        path = HERE / name
        text = render(name)
        if args.check:
            if not path.exists() or path.read_text(encoding="utf-8") != text:
                stale.append(name)
        else:
            path.write_text(text, encoding="utf-8")
            print(path)
    if stale:
        print("stale notebooks (run python notebooks/build.py):", ", ".join(stale), file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
