"""The SimPy contact-center model: determinism, random streams, routing, traffic, flows, faults."""

from __future__ import annotations

import json
import math
from collections import Counter
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import stats

from sim.check import Checker
from sim.model.model import ContactCenter
from sim.model.routing import Router
from sim.scenario.load import load_scenario
from sim.simulation import simulate

ROOT = Path(__file__).resolve().parent.parent
SCEN = ROOT / "scenarios"


def trace(tmp_path, name, sets=(), seed=None, sub="a"):
    sc = load_scenario(str(SCEN / f"{name}.toml"), list(sets), seed)
    out = tmp_path / sub
    summary = simulate(sc, str(out), engine=False)
    return out, summary


def events(out):
    with open(out / "events.jsonl", "rb") as fh:
        return [json.loads(line) for line in fh]


def test_same_seed_same_bytes(tmp_path):
    """Determinism: the same scenario and seed give a byte-identical trace (issue 5 point 9)."""
    a, _ = trace(tmp_path, "blended", sub="a")
    b, _ = trace(tmp_path, "blended", sub="b")
    c, _ = trace(tmp_path, "blended", seed=99, sub="c")
    assert (a / "events.jsonl").read_bytes() == (b / "events.jsonl").read_bytes()
    assert (a / "calls.csv").read_bytes() == (b / "calls.csv").read_bytes()
    assert (a / "events.jsonl").read_bytes() != (c / "events.jsonl").read_bytes()


def arrivals(out, traffic=None):
    rows = (out / "calls.csv").read_text().splitlines()[1:]
    return sorted(float(r.split(",")[3]) for r in rows if traffic is None or r.split(",")[1] == traffic)


def test_streams_are_separate_per_purpose(tmp_path):
    """Changing staffing or patience does not reshuffle the arrivals (separate streams)."""
    a, _ = trace(tmp_path, "erlang_a", ["run.horizon=3600"], sub="a")
    b, _ = trace(tmp_path, "erlang_a", ["run.horizon=3600", "teams[0].count=20",
                                        "traffic[0].patience.mean=30"], sub="b")
    assert arrivals(a) == arrivals(b)
    c, _ = trace(tmp_path, "blended", sub="c")
    d, _ = trace(tmp_path, "blended", ["traffic[2].rate=40"], sub="d")
    assert arrivals(c, "ivr") == arrivals(d, "ivr")


class _A:
    def __init__(self, name, skills=("s",)):
        self.name, self.skills, self.token = name, skills, 0


def test_longest_idle_ready_agent_is_chosen():
    """Routing: agents are taken in the order they became ready; stale entries are skipped."""
    r = Router(lambda *a: None)
    agents = [_A(n) for n in "abcd"]
    for a in agents:
        r.add_agent(a)
        r.agent_ready(a)
    agents[1].token += 1            # b goes not ready
    assert r.take_agent("s").name == "a"
    assert r.take_agent("s").name == "c"
    r.agent_ready(agents[0])        # a back: now the shortest idle
    assert r.take_agent("s").name == "d"
    assert r.take_agent("s").name == "a"
    assert r.take_agent("s") is None


def test_pools_stay_bounded():
    """Lazy deletion never lets a pool grow past twice its agents (memory stays flat)."""
    r = Router(lambda *a: None)
    a = _A("a", ("s", "t"))
    r.add_agent(a)
    for _ in range(1000):
        r.agent_ready(a)
        assert r.take_agent("s") is a
    assert len(r.pools["t"]) <= 2 * 1 + 9


def test_poisson_arrivals_with_a_profile(tmp_path):
    """Inter-arrival times are exponential (KS test) and the per-interval rate follows the profile."""
    a, _ = trace(tmp_path, "erlang_a", ["run.horizon=36000", "teams[0].count=40"])
    t = np.array(arrivals(a))
    gaps = np.diff(t)
    assert stats.kstest(gaps, "expon", args=(0, 18.0)).pvalue > 0.001
    b, _ = trace(tmp_path, "erlang_a", ["run.horizon=7200", "teams[0].count=60",
                                        "traffic[0].profile=[1.0, 3.0]", "traffic[0].interval=3600"], sub="b")
    t = np.array(arrivals(b))
    first, second = (t < 3600).sum(), (t >= 3600).sum()
    assert 2.3 < second / first < 3.9


def test_erlang_a_agrees_with_the_formula():
    """M/M/c+M (docs/reference/capacity-references.md §6 C3): the exact P_ab and SL_offered lie in 99 % intervals
    from 12 independent replications (§8)."""
    sc = load_scenario(str(SCEN / "erlang_a.toml"), ["run.horizon=86400"])
    pab, sl = [], []
    for rep in range(12):
        sc.run["seed"] = 1000 + rep
        cc = ContactCenter(sc, lambda ev: None)
        end = cc.run()
        o = cc.summary(end)["overall"]
        pab.append(o["abandonment_rate"])
        sl.append(o["service_level"]["20"]["offered"])
    for values, exact in ((pab, 0.013984), (sl, 0.916792)):
        m, s = np.mean(values), np.std(values, ddof=1) / math.sqrt(len(values))
        half = stats.t.ppf(0.995, len(values) - 1) * s
        assert m - half <= exact <= m + half, (m, half, exact)


def test_blended_trace_has_every_flow(tmp_path):
    """Every call flow of docs/reference/tevents.md §9 appears in the blended trace."""
    out, summary = trace(tmp_path, "blended")
    evs = events(out)
    seen = Counter()
    for e in evs:
        n, dn, ct, cs = e["event"], e.get("ThisDN", ""), e.get("CallType"), e.get("CallState")
        seen[n] += 1
        if n == "EventRouteUsed" and e.get("ThirdPartyDN", "").startswith("7"):
            seen["9.1 rp->queue"] += 1
        if n == "EventRinging" and e.get("ThisQueue", "").startswith("7") and ct == 2:
            seen["9.1 queue->agent"] += 1
        if n == "EventRinging" and e.get("ThisQueue") == "8001":
            seen["9.1 rp->agent"] += 1
        if n == "EventQueued" and dn == "VQ_Sales":
            seen["9.1 virtual queue"] += 1
        if n == "EventDiverted" and cs == 30:
            seen["9.1 ivr"] += 1
        if n == "EventDiverted" and dn == "7000" and e.get("ThirdPartyDN") == "7001":
            seen["overflow"] += 1
        if n == "EventAbandoned" and dn.startswith("7"):
            seen["9.2 abandon queue"] += 1
        if n == "EventAbandoned" and dn.startswith("8"):
            seen["9.2 abandon rp"] += 1
        if n == "EventAbandoned" and dn.startswith("6"):
            seen["9.3 abandon ringing"] += 1
        if n == "EventReleased" and cs == 7:
            seen["9.3 rona"] += 1
        if n == "EventDialing" and ct == 3:
            seen["9.4 outbound"] += 1
        if n == "EventDestinationBusy" and ct == 3:
            seen["9.4 busy"] += 1
        if n == "EventRinging" and ct == 1:
            seen["9.5 internal"] += 1
        if n == "EventPartyChanged" and cs == 1:
            seen["9.7 transfer"] += 1
        if n == "EventReleased" and ct == 4 and cs == 1:
            seen["9.7 blind"] += 1
        if n == "EventReleased" and ct == 4 and cs == 0:
            seen["9.7 consult leg released"] += 1
        if n == "EventRinging" and e.get("ThirdPartyDNRole") == 7:
            seen["9.8 single-step to agent"] += 1
        if n == "EventReleased" and cs == 1 and e.get("ThirdPartyDN", "").startswith("7"):
            seen["9.8 single-step to queue"] += 1
        if n == "EventPartyChanged" and cs == 2:
            seen["9.9 conference"] += 1
        if n == "EventEstablished" and cs == 2:
            seen["9.9 single-step conference"] += 1
        if n == "EventHeld" and ct == 4:
            seen["9.7 alternate"] += 1
        if n == "EventQueued" and ct == 4:
            seen["9.7 consult via queue"] += 1
        if n == "EventAttachedDataChanged" and dn.startswith("6"):
            seen["9.14 desktop updates data"] += 1
        if n == "EventAbandoned" and ct == 1:
            seen["9.5 caller hangs up while ringing"] += 1
        if n == "EventAgentNotReady":
            seen[f"9.10 not ready {e.get('AgentWorkMode')}"] += 1
    need = ["9.1 rp->queue", "9.1 queue->agent", "9.1 rp->agent", "9.1 virtual queue", "9.1 ivr",
            "overflow", "9.2 abandon queue", "9.2 abandon rp", "9.3 abandon ringing", "9.3 rona",
            "9.4 outbound", "9.4 busy", "EventNetworkReached", "9.5 internal", "EventHeld", "EventRetrieved",
            "9.7 transfer", "9.7 blind", "9.7 consult leg released", "9.8 single-step to agent",
            "9.8 single-step to queue", "9.9 conference", "EventPartyAdded", "EventPartyDeleted",
            "EventAgentLogin", "EventAgentLogout", "EventAgentReady", "9.10 not ready 3",
            "9.10 not ready 4", "9.10 not ready 6", "EventAttachedDataChanged", "9.9 single-step conference",
            "9.7 alternate", "9.7 consult via queue", "9.14 desktop updates data",
            "9.5 caller hangs up while ringing"]
    missing = [k for k in need if not seen[k]]
    assert not missing, missing
    assert summary["agent_calls"]["redials"] > 0


def test_faults_trace_has_every_fault(tmp_path):
    """Registration errors, link loss + clean-up, server disconnects, DN out of service,
    EventRegistered without Extensions answered by EventAddressInfo (docs/reference/tevents.md §9.11-§9.13)."""
    out, summary = trace(tmp_path, "faults")
    evs = events(out)
    names = Counter(e["event"] for e in evs)
    for n in ("EventError", "EventLinkDisconnected", "EventServerDisconnected", "EventDNOutOfService",
              "EventDNBackInService", "EventAddressInfo"):
        assert names[n], n
    assert names["EventServerConnected"] >= 4
    assert any(e["event"] == "EventReleased" and e.get("CallState") == 4 for e in evs)
    assert any(e["event"] == "EventAddressInfo" and e.get("InfoType") == 9 for e in evs)
    assert any(e["event"] == "EventAddressInfo" and e.get("InfoType") == 17 for e in evs)
    assert any(e["event"] == "EventAddressInfo" and e.get("InfoType") == 18 for e in evs)
    kinds = Counter(f["kind"] for f in summary["faults"])
    assert set(kinds) == {"link_loss", "server_disconnect", "out_of_service"}
    assert kinds["server_disconnect"] >= 3      # two fixed, at least one random


def test_truth_records_are_consistent(tmp_path):
    """calls.csv holds one record per offered call; outcomes add up to the summary."""
    out, summary = trace(tmp_path, "quickstart")
    rows = [r.split(",") for r in (out / "calls.csv").read_text().splitlines()[1:]]
    o = summary["overall"]
    assert len(rows) == o["offered"]
    outcomes = Counter(r[4] for r in rows)
    assert outcomes["answered"] == o["answered"]
    assert outcomes["abandoned_queue"] + outcomes["abandoned_ringing"] == o["abandoned"]


@pytest.mark.parametrize("name", ["quickstart", "inbound_day"])
def test_agents_follow_shifts(tmp_path, name):
    out, _ = trace(tmp_path, name)
    evs = events(out)
    logins = Counter(e["ThisDN"] for e in evs if e["event"] == "EventAgentLogin")
    logouts = Counter(e["ThisDN"] for e in evs if e["event"] == "EventAgentLogout")
    if name == "inbound_day":
        assert logins == logouts and len(logins) == 20
        lunch = [e for e in evs if e["event"] == "EventAgentNotReady"
                 and e.get("Reasons", {}).get("ReasonCode") == "Lunch"]
        assert len(lunch) == 20


@settings(max_examples=8, deadline=None)
@given(seed=st.integers(0, 2**31), rona=st.sampled_from([2, 12]), p_rona=st.floats(0, 0.4),
       patience=st.sampled_from([10, 60]), login_ready=st.booleans(), rp_diverted=st.booleans(),
       extensions=st.booleans(), sales=st.integers(1, 6), service=st.integers(1, 5))
def test_any_seed_and_profile_gives_a_valid_trace(seed, rona, p_rona, patience, login_ready,
                                                   rp_diverted, extensions, sales, service):
    """Property: whatever the seed, staffing and switch profile, the blended trace keeps every
    invariant of docs/reference/tevents.md §11 (the checker runs as the model's sink, no files)."""
    sets = ["run.horizon=900", f"switches[0].rona_timeout={rona}", f"teams[0].rona_probability={p_rona}",
            f"traffic[0].patience.mean={patience}", f"switches[0].login_ready={str(login_ready).lower()}",
            f"switches[0].rp_diverted={str(rp_diverted).lower()}",
            f"switches[0].registered_extensions={str(extensions).lower()}",
            f"teams[0].count={sales}", f"teams[1].count={service}"]
    sc = load_scenario(str(SCEN / "blended.toml"), sets, seed)
    c = Checker(limit=5)
    ContactCenter(sc, c.feed).run()
    assert c.count == 0, [str(v) for v in c.violations]


def test_multi_day_shifts_and_day_to_day_variation(tmp_path):
    """Shifts repeat every day; the per-day volume factor (gamma, CV day_cv) varies the days."""
    out, summary = trace(tmp_path, "inbound_day", ["run.horizon=259200", "traffic[0].day_cv=0.3",
                                                   "traffic[1].rate=0"])
    evs = events(out)
    assert sum(e["event"] == "EventAgentLogin" for e in evs) == 60
    assert sum(e["event"] == "EventAgentLogout" for e in evs) == 60
    t = np.array(arrivals(out, "sales"))
    days = np.bincount((t // 86400).astype(int), minlength=3)[:3]
    assert days.min() > 0 and days.max() / days.min() > 1.05


def test_traces_do_not_depend_on_hash_seed(tmp_path):
    """Byte-identical traces across interpreters (no set / hash order leaks into the output)."""
    import os
    import subprocess
    import sys
    outs = []
    for h in ("1", "2"):
        out = tmp_path / h
        env = {**os.environ, "PYTHONHASHSEED": h, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "sim", "run", str(SCEN / "quickstart.toml"), "--out", str(out),
                        "--trace-only", "--set", "run.horizon=1200"], check=True, env=env, capture_output=True)
        outs.append((out / "events.jsonl").read_bytes())
    assert outs[0] == outs[1]


def _switch(name: str, index: int):
    """A T-Server alone (no model around it), its events kept and checked as they are sent."""
    import simpy

    from sim.model.tserver import TServer

    checker = Checker(limit=5)
    seen = []

    def sink(ev):
        seen.append(ev)
        checker.feed(ev)

    return TServer(simpy.Environment(), name, index, {}, 1.7e9, sink), seen, checker


def _answered_call(ts, number: str):
    """Stat Server connected to ``ts``; an inbound call answered on extension ``number``."""
    from sim.model.calls import DEST, INBOUND, ORIG, Call, leg_event, open_leg
    from sim.model.tserver import DN, PS_ALERTING, PS_CONNECTED

    dn = ts.dns[number] = DN(number, ts.name, "Extension")
    ts.client_connect()
    call = Call(ts, INBOUND, ani="5550001")
    open_leg(ts, "EventRinging", dn, call, PS_ALERTING, DEST, call.ani, ORIG)
    leg_event(ts, "EventEstablished", dn, call, PS_CONNECTED)
    return dn, call


def test_a_transfer_during_a_link_loss_releases_the_connid_stat_server_knew():
    """docs/reference/tevents.md §14 Q11: on restore, T-Server releases each call that vanished during the
    outage *as it knew it*. A consult call on 6001 completed as a transfer meanwhile moved
    6001's leg to the main ConnID (EventPartyChanged, never delivered): the clean-up releases
    the consult ConnID on 6001, and the re-registration then reports the main one there. (The
    100-day soak found the model releasing the main ConnID instead, on a DN the trace never put
    it on, and that call a second time later.)"""
    from sim.model.calls import CONSULT, DEST, INBOUND, ORIG, Call, _move_leg, leg_event, open_leg
    from sim.model.tserver import DN, PS_ALERTING, PS_CONNECTED

    ts, seen, checker = _switch("SW1", 0)
    dn = ts.dns["6001"] = DN("6001", "SW1", "Extension")
    ts.client_connect()
    main = Call(ts, INBOUND, ani="5550001")
    consult = Call(ts, CONSULT, prev=main.connid)
    open_leg(ts, "EventRinging", dn, consult, PS_ALERTING, DEST, "6002", ORIG)
    leg_event(ts, "EventEstablished", dn, consult, PS_CONNECTED)
    ts.link_lost()
    _move_leg(dn, consult, main, dn.legs[consult.connid])       # the transfer completes
    ts.link_restored()
    checker.finish()

    released = [ev for ev in seen if ev.event == "EventReleased"]
    assert [(ev.attrs["ThisDN"], ev.attrs["ConnID"]) for ev in released] == [("6001", consult.connid)]
    assert released[0].attrs["CallState"] == 4      # SystemError
    registered = [ev for ev in seen if ev.event == "EventRegistered"][-1]
    assert registered.attrs["Extensions"]["conn-1"] == main.connid
    assert checker.count == 0, [str(v) for v in checker.violations]


def test_a_dn_registered_while_out_of_service_is_cleaned_up_from_what_the_registration_said():
    """A DN out of service with a call on it; the link is lost and restored meanwhile, and the
    re-registration (docs/reference/tevents.md §9.12) reports the DN without the call, which ended during the
    outage. When the DN is back in service there is nothing left to clean up: the release
    would be for a call Stat Server no longer has on the DN. (Found by the 100-day soak, seed 3.)"""
    from sim.model.calls import close_leg

    ts, seen, checker = _switch("SW2", 1)
    dn, call = _answered_call(ts, "6004")
    ts.out_of_service(dn)
    ts.link_lost()
    close_leg(ts, "EventReleased", dn, call, {"CallState": 0})     # not seen: link down
    ts.link_restored()            # registers 6004 again: no call reported
    ts.back_in_service(dn)
    checker.finish()

    assert [ev.event for ev in seen if ev.attrs.get("ConnID") == call.connid] == [
        "EventRinging", "EventEstablished"]
    assert checker.count == 0, [str(v) for v in checker.violations]


def test_a_dn_back_in_service_during_a_link_loss_is_announced_when_the_link_returns():
    """Stat Server was told that 6001 went out of service; the DN came back while the link was
    down, so it never heard EventDNBackInService. When the link returns, T-Server says the DN
    is back before it cleans up the DN's vanished call (docs/reference/tevents.md §9.12, §14 Q11), so no event
    of the DN reaches Stat Server while, for all it knows, the DN is out of service. (Found by
    the 100-day soak, seed 4.)"""
    from sim.model.calls import close_leg

    ts, seen, checker = _switch("SW1", 0)
    dn, call = _answered_call(ts, "6001")
    ts.out_of_service(dn)
    close_leg(ts, "EventReleased", dn, call, {"CallState": 0})     # not seen: out of service
    ts.link_lost()
    ts.back_in_service(dn)
    ts.link_restored()
    checker.finish()

    names = [ev.event for ev in seen]
    restored = len(names) - 1 - names[::-1].index("EventLinkConnected")
    assert names[restored:restored + 3] == ["EventLinkConnected", "EventDNBackInService", "EventReleased"]
    assert checker.count == 0, [str(v) for v in checker.violations]


def test_a_dn_out_of_service_when_registered_again_is_announced_after_its_registration():
    """ACD queue 7000 went out of service while the link was down, so no EventDNOutOfService
    reached Stat Server. The re-registration after the link returns answers for it, then says
    it is out of service, so a client knows why the queue's events stop (a call it still
    distributes rings with ThisQueue 7000, docs/reference/tevents.md §11.5) until EventDNBackInService.
    (Found by the 100-day soak, seed 8.)"""
    from sim.model.tserver import DN

    ts, seen, checker = _switch("SW1", 0)
    queue = ts.dns["7000"] = DN("7000", "SW1", "ACDQueue")
    ts.client_connect()
    ts.link_lost()
    ts.out_of_service(queue)
    ts.link_restored()
    ts.back_in_service(queue)
    checker.finish()

    names = [ev.event for ev in seen]
    restored = names.index("EventLinkConnected", names.index("EventLinkDisconnected"))
    assert names[restored:] == ["EventLinkConnected", "EventRegistered", "EventDNOutOfService",
                                "EventDNBackInService", "EventRegistered"]
    assert checker.count == 0, [str(v) for v in checker.violations]


def test_states_are_compared_only_once_stat_server_sees_events_again(tmp_path):
    """A DN back in service while its switch's link is still down is no restored connection
    for Stat Server: the engine cannot have seen what agents did meanwhile, so the comparison
    of agent states waits for the link (the 100-day soak, seed 9, compared them during the
    outage and reported an agent in after-call work that had gone ready unseen)."""
    sets = ["run.horizon=2400", "faults.random=[]", "faults.server_disconnect=[]",
            "faults.link_loss=[{at = 1000, duration = 300}]",
            "faults.out_of_service=[{dn = '6003', at = 900, duration = 200}]"]
    sc = load_scenario(str(SCEN / "faults.toml"), sets)
    seen = []
    summary = simulate(sc, str(tmp_path / "out"), on_restore=lambda cc, ts: seen.append((cc.env.now, ts.name, ts.live)))
    assert seen == [(1300.0, "SW1", True)]       # not at 1100 (6003 back, link down)
    assert [c["time"] for c in summary["restore_checks"]] == [1300.0]
    assert all(not c["mismatches"] for c in summary["restore_checks"])


class _OutageBench:
    """One T-Server with a routing point (8000) in front of an ACD queue (7000) and two agent
    extensions (6001, 6002), driven step
    by step without the SimPy model; every event it delivers goes to ``sim check``'s rules and
    to the action engine. ``steps()`` lists the steps that apply now; ``agree()`` compares the
    engine's view with the switch's."""

    NOT_CALLS = {"Monitored", "NotMonitored", "LoggedIn", "LoggedOut", "OnHook", "OffHook",
                 "WaitForNextCall", "NotReadyForNextCall", "AfterCallWork"}

    def __init__(self):
        from types import SimpleNamespace

        from sim.model.agents import OUT
        from sim.model.tserver import DN
        from sim.objects import build_objects
        from sim.statserver.engine import ActionEngine

        self.ts, self.seen, self.checker = _switch("SW1", 0)
        self.rp = self.ts.dns["8000"] = DN("8000", "SW1", "RoutingPoint")
        self.queue = self.ts.dns["7000"] = DN("7000", "SW1", "ACDQueue")
        self.agents = [DN(n, "SW1", "Extension") for n in ("6001", "6002")]
        for dn in self.agents:
            self.ts.dns[dn.number] = dn
            dn.agent = SimpleNamespace(login="1" + dn.number[1:], status=OUT)   # what T-Server reads
        self.engine = ActionEngine(build_objects({
            "switches": [{"name": "SW1"}],
            "dns": [{"number": dn.number, "switch": "SW1", "type": dn.type} for dn in self.ts.dns.values()],
            "places": [{"name": f"Place_{dn.number}", "dns": [dn.id]} for dn in self.agents],
            "agents": [{"id": f"agent{dn.agent.login}", "login": dn.agent.login,
                        "place": f"Place_{dn.number}"} for dn in self.agents]}))
        self.fed = 0
        self.calls = {}           # agent DN number -> its call
        self.routing = []         # calls at the routing point, oldest first
        self.waiting = []         # calls queued at 7000, oldest first
        self.acw_due = None       # the agent DN that just released an answered queue call
        self.ts.client_connect()

    def steps(self):
        from sim.model.agents import ACW, NOT_READY, OUT, READY
        from sim.model.tserver import PS_ALERTING, PS_CONNECTED

        ts = self.ts
        yield "link lost" if ts.link_up else "link restored", None
        yield "disconnect" if ts.connected else "reconnect", None
        yield "arrive", None
        if self.routing:
            yield "route", None
            yield "abandon at the routing point", None
        if self.waiting:
            yield "abandon", None
        for dn in [self.rp, self.queue, *self.agents]:
            yield ("out of service" if dn.in_service else "back in service"), dn
        for dn in self.agents:
            for status in (OUT, READY, NOT_READY):
                if status != dn.agent.status:
                    yield status, dn
            if dn is self.acw_due and dn.agent.status != OUT:
                yield ACW, dn     # after-call work follows the release at once, as in the model
            call = self.calls.get(dn.number)
            if call is None:
                yield "ring", dn
                if self.waiting:
                    yield "distribute", dn
            else:
                ps = dn.legs[call.connid].ps
                yield "release", dn
                yield ("answer" if ps == PS_ALERTING else "transfer"), dn
                if ps != PS_ALERTING:
                    yield ("hold" if ps == PS_CONNECTED else "retrieve"), dn

    def do(self, name, dn) -> None:
        from sim.model.calls import (
            DEST,
            INBOUND,
            ORIG,
            Call,
            _move_leg,
            close_leg,
            leg_event,
            open_leg,
        )
        from sim.model.tserver import PS_ALERTING, PS_CONNECTED, PS_HELD, PS_QUEUED, PS_ROUTING

        ts, q = self.ts, self.queue
        ts.env.run(until=ts.env.now + 1)      # a new instant per step
        self.acw_due = None
        if name == "link lost":
            ts.link_lost()
        elif name == "link restored":
            ts.link_restored()
        elif name == "disconnect":
            ts.client_disconnect()
        elif name == "reconnect":
            ts.client_connect()
        elif name == "out of service":
            ts.out_of_service(dn)
        elif name == "back in service":
            ts.back_in_service(dn)
        elif name == "arrive":
            call = Call(ts, INBOUND, ani="5550001")
            self.routing.append(call)
            open_leg(ts, "EventRouteRequest", self.rp, call, PS_ROUTING, DEST, call.ani, ORIG, self.rp.number)
        elif name == "route":                 # as calls.inbound_call: RouteUsed, then Queued
            call = self.routing.pop(0)
            close_leg(ts, "EventRouteUsed", self.rp, call, {"ThirdPartyDN": q.number, "ThirdPartyDNRole": DEST})
            self.waiting.append(call)
            open_leg(ts, "EventQueued", q, call, PS_QUEUED, DEST, call.ani, ORIG, q.number)
        elif name == "abandon at the routing point":
            close_leg(ts, "EventAbandoned", self.rp, self.routing.pop(0), {"CallState": 0})
        elif name == "abandon":
            close_leg(ts, "EventAbandoned", q, self.waiting.pop(0), {"CallState": 0})
        elif name == "distribute":            # as calls.deliver: Diverted, then Ringing
            call = self.calls[dn.number] = self.waiting.pop(0)
            close_leg(ts, "EventDiverted", q, call, {"ThirdPartyDN": dn.number, "ThirdPartyDNRole": DEST})
            open_leg(ts, "EventRinging", dn, call, PS_ALERTING, DEST, call.ani, ORIG, q.number,
                     {"CallState": 0, "AgentID": dn.agent.login} if dn.agent.status else {"CallState": 0})
        elif name == "ring":
            call = self.calls[dn.number] = Call(ts, INBOUND, ani="5550002")
            open_leg(ts, "EventRinging", dn, call, PS_ALERTING, DEST, call.ani, ORIG)
        elif name == "answer":
            leg_event(ts, "EventEstablished", dn, self.calls[dn.number], PS_CONNECTED)
        elif name == "hold":
            leg_event(ts, "EventHeld", dn, self.calls[dn.number], PS_HELD)
        elif name == "retrieve":
            leg_event(ts, "EventRetrieved", dn, self.calls[dn.number], PS_CONNECTED, {"CallState": 0})
        elif name == "transfer":            # the leg moves onto the ConnID that survives
            old = self.calls[dn.number]
            main = self.calls[dn.number] = Call(ts, INBOUND, ani="5550003")
            _move_leg(dn, old, main, dn.legs[old.connid])
            leg_event(ts, "EventPartyChanged", dn, main, None,
                      {"PreviousConnID": old.connid, "CallState": 1})      # Transferred
        elif name == "release":
            leg = close_leg(ts, "EventReleased", dn, self.calls.pop(dn.number), {"CallState": 0})
            if leg.acd and leg.ps == PS_CONNECTED:
                self.acw_due = dn
        else:
            self.agent_state(dn, name)
        for ev in self.seen[self.fed:]:
            self.engine.feed(ev)
        self.fed = len(self.seen)

    def agent_state(self, dn, status: int) -> None:
        """EventAgentLogin first if logged out, then the event of ``status`` (an agents.py code)."""
        from sim.model.agents import ACW, OUT, READY
        from sim.tlib.codes import AgentWorkMode

        mode = {READY: AgentWorkMode.ManualIn, ACW: AgentWorkMode.AfterCallWork}.get(status, AgentWorkMode.AuxWork)
        attrs = {"ThisDN": dn.number, "AgentID": dn.agent.login}
        if dn.agent.status == OUT:
            self.ts.emit("EventAgentLogin", dn, {**attrs, "AgentWorkMode": int(AgentWorkMode.ManualIn)})
        event = {OUT: "EventAgentLogout", READY: "EventAgentReady"}.get(status, "EventAgentNotReady")
        dn.agent.status = status
        self.ts.emit(event, dn, attrs if status == OUT else {**attrs, "AgentWorkMode": int(mode)})

    def agree(self) -> None:
        """Whenever Stat Server sees the switch: its calls per DN (a queue's: its running call
        actions) and agent states are the switch's."""
        from sim.simulation import STATE_ACTION

        if not self.ts.live:
            return
        for dn in self.ts.dns.values():
            if not (dn.registered and dn.in_service):
                continue
            if dn.mediation:
                got = {c for name, c, _ in self.engine.running(dn.id) if c and name not in self.NOT_CALLS}
            else:
                got = self.engine.calls_on(dn.id)
                assert self.engine.agent_state(dn.id) == STATE_ACTION[dn.agent.status], dn.id
            assert got == set(dn.legs), dn.id


@settings(max_examples=1500, deadline=None, derandomize=True)
@given(data=st.data())
def test_no_outage_sequence_breaks_the_trace_invariants(data):
    """Calls routed to a queue, abandoned at either, distributed to agents or rung on them
    directly, answered, held, retrieved, transferred onto another ConnID and released; agents
    logging in and out, ready, not ready and in after-call work; link losses, DNs out of
    service and Stat Server disconnects, each undone by a later step: in any order, every event
    T-Server delivers keeps the invariants of docs/reference/tevents.md §11 (``sim check``), and whenever Stat
    Server sees the switch the action engine's calls and agent states per DN are the switch's
    (docs/reference/actions.md §11). Each step is drawn among those that apply, so a few seconds reach the
    corners the faults soak found after weeks of simulated time."""
    bench = _OutageBench()
    for _ in range(data.draw(st.integers(1, 30))):
        name, dn = data.draw(st.sampled_from(list(bench.steps())))
        bench.do(name, dn)
        bench.agree()
    bench.checker.finish()
    assert bench.checker.count == 0, [str(v) for v in bench.checker.violations]
    assert not bench.engine.problems, bench.engine.problems
