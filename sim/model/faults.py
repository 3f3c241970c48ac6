"""Faults: what goes wrong between the switch, T-Server and Stat Server (docs/reference/tevents.md §9.11-§9.13).

* registration errors — Stat Server's TRegisterAddress for a DN is answered with EventError 59
  (the first ``attempts`` times), so the DN's events do not reach it until a later
  registration succeeds (docs/reference/actions.md §10);
* link loss — T-Server <-> switch: EventLinkDisconnected, nothing seen meanwhile, then
  EventLinkConnected, clean-up of the calls that vanished (EventReleased / EventAbandoned,
  CallState SystemError, §14 Q11) and Stat Server's re-registration;
* server disconnect — Stat Server <-> T-Server: EventServerDisconnected, then
  EventServerConnected, EventLinkConnected and re-registration of every DN (§9.13);
* DN out of service — EventDNOutOfService, the DN takes no calls; EventDNBackInService,
  clean-up, re-registration of that DN.

Each happens at fixed times or at a rate (Poisson, per hour).
"""

from __future__ import annotations


def link_loss(env, ts, at: float, duration: float):
    if at > env.now:
        yield env.timeout(at - env.now)
    ts.link_lost()
    ts.model_faults.append(("link_loss", ts.name, None, env.now, env.now + duration))
    yield env.timeout(duration)
    ts.link_restored()
    ts.on_restore()


def server_disconnect(env, ts, at: float, duration: float):
    if at > env.now:
        yield env.timeout(at - env.now)
    ts.client_disconnect()
    ts.model_faults.append(("server_disconnect", ts.name, None, env.now, env.now + duration))
    yield env.timeout(duration)
    ts.client_connect()
    ts.on_restore()


def out_of_service(env, ts, dn, at: float, duration: float):
    if at > env.now:
        yield env.timeout(at - env.now)
    ts.out_of_service(dn)
    agent = dn.agent
    if agent is not None:
        agent.token += 1          # out of the pools
    ts.model_faults.append(("out_of_service", ts.name, dn.number, env.now, env.now + duration))
    yield env.timeout(duration)
    ts.back_in_service(dn)
    if agent is not None and agent.available:
        ts.router.agent_ready(agent)
    ts.on_restore()


def random_faults(env, ts, kind: str, rate: float, duration: float, dn, streams, stop: float):
    gap = streams.sampler({"dist": "exponential", "mean": 3600.0 / rate}, f"faults:{ts.name}:{kind}")
    while True:
        t = env.now + gap()
        if t >= stop:
            return
        if kind == "link_loss":
            yield from link_loss(env, ts, t, duration)
        elif kind == "server_disconnect":
            yield from server_disconnect(env, ts, t, duration)
        else:
            yield from out_of_service(env, ts, dn, t, duration)
