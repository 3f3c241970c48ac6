"""The scenario file's JSON Schema, as data (published as ``sim/data/scenario.schema.json``).

One table per real-world thing: switches (T-Server profiles), ACD queues, routing points,
virtual queues, IVRs, agents and teams (many agents at once), traffic sources and faults.
Units: times in seconds, rates in calls per hour. Regenerate the published file with
``sim run --schema > sim/data/scenario.schema.json``.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SCHEMA_PATH = Path(__file__).resolve().parent.parent / "data" / "scenario.schema.json"

_NUM = {"type": "number", "minimum": 0}
_POS = {"type": "number", "exclusiveMinimum": 0}
_STR = {"type": "string", "minLength": 1}
_PROB = {"type": "number", "minimum": 0, "maximum": 1}
# A reporting period or profile interval: whole seconds are Stat Server's resolution, so at least 1 s
_PERIOD = {"type": "number", "minimum": 1}
_TIME = {"anyOf": [_NUM, {"type": "string", "pattern": r"^\d{1,3}:\d{2}(:\d{2})?$",
                          "description": 'a time of day, "HH:MM" or "HH:MM:SS"'}],
         "description": "seconds from the start of the day, or \"HH:MM[:SS]\""}
_KV = {"type": "object", "additionalProperties": {"type": ["string", "number", "boolean"]}}


def _dist(kind: str, required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": ["dist", *required], "additionalProperties": False,
            "properties": {"dist": {"const": kind}, **props}}


DIST = {
    "description": "a constant number of seconds, or a distribution table",
    "anyOf": [
        _NUM,
        _dist("constant", ["value"], value=_NUM),
        _dist("exponential", ["mean"], mean=_POS),
        _dist("lognormal", ["mean", "sd"], mean=_POS, sd=_POS),
        _dist("gamma", ["mean"], mean=_POS, sd=_POS, shape=_POS),
        _dist("uniform", ["low", "high"], low=_NUM, high=_NUM),
        _dist("empirical", ["values"], values={"type": "array", "minItems": 1, "items": _NUM},
              weights={"type": "array", "minItems": 1, "items": _NUM}),
    ],
}


def _obj(required: list[str], **props: Any) -> dict[str, Any]:
    return {"type": "object", "required": required, "additionalProperties": False, "properties": props}


def _arr(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "items": item}


BREAK = _obj(["start", "duration"], start=_TIME, duration=_NUM, reason=_STR)
SHIFT = _obj(["start", "end"], start=_TIME, end=_TIME)
RANDOM_NOT_READY = _obj(["rate"], rate=_NUM, duration=DIST,
                        reasons={"type": "array", "minItems": 1, "items": _STR})
OUTBOUND = _obj(["rate"], rate=_NUM, talk=DIST, answer_probability=_PROB,
                numbers={"type": "array", "minItems": 1, "items": _STR})
INTERNAL = _obj(["rate"], rate=_NUM, talk=DIST, answer_probability=_PROB)

_AGENT_COMMON = dict(
    switch=_STR,
    dn_type={"enum": ["Extension", "ACDPosition"]},
    skills={"type": "array", "items": _STR},
    queue={**_STR, "description": "the ACD queue the agent logs in to (ThisQueue of agent events)"},
    shift=SHIFT,
    breaks=_arr(BREAK),
    wrap_up=DIST,
    answer_delay=DIST,
    rona_probability=_PROB,
    not_ready=RANDOM_NOT_READY,
    walk_away=RANDOM_NOT_READY,
    outbound=OUTBOUND,
    internal=INTERNAL,
    groups={"type": "array", "items": _STR},
)

AGENT = _obj(["id", "login", "dn"], id=_STR, login=_STR, dn=_STR, place=_STR, name={"type": "string"},
             **_AGENT_COMMON)
TEAM = _obj(["name", "count", "first_dn", "first_login"], name=_STR,
            count={"type": "integer", "minimum": 0, "maximum": 100_000}, first_dn={"type": "integer", "minimum": 0},
            first_login={"type": "integer", "minimum": 0},
            id_prefix=_STR, **_AGENT_COMMON)

FLOWS = _obj([], hold=_PROB, consult_transfer=_PROB, blind_transfer=_PROB, mute_transfer=_PROB,
             single_step_transfer=_PROB, conference=_PROB, single_step_conference=_PROB,
             consult_cancel=_PROB, consult_alternate=_PROB, consult_queue_transfer=_PROB,
             update_user_data=_PROB,
             transfer_queue={**_STR, "description": "ACD queue for single-step and consult-via-queue transfers"},
             hold_time=DIST, consult_time=DIST)
FLOWS["description"] = ("probability of each after-answer flow (docs/reference/tevents.md §9.6-§9.9, §9.14); "
                        "the rest of the calls are plain")

TRAFFIC = _obj(
    ["name", "rate"],
    name=_STR,
    switch=_STR,
    routing_point=_STR,
    queue=_STR,
    rate={**_NUM, "description": "calls per hour (multiplied by the interval profile)"},
    interval={**_PERIOD, "description": "seconds per profile value (at least 1)"},
    profile={"type": "array", "items": _NUM},
    profile_csv=_STR,
    day_cv=_NUM,
    handle=DIST,
    patience=DIST,
    redial=_obj(["probability"], probability=_PROB, delay=DIST),
    ani_prefix={"type": "string", "pattern": r"^\d*$"},
    dnis=_STR,
    user_data=_KV,
    flows=FLOWS,
)

SWITCH = _obj(
    ["name"],
    name=_STR,
    registered_extensions={"type": "boolean", "description":
                           "EventRegistered carries Extensions (else Stat Server queries DNStatus)"},
    login_ready={"type": "boolean",
                 "description": "after EventAgentLogin report Ready (docs/reference/tevents.md §14 Q6)"},
    rp_diverted={"type": "boolean", "description": "routing points also emit EventDiverted (§14 Q3)"},
    rona_timeout=_POS,
)

QUEUE = _obj(["number", "skill"], number=_STR, switch=_STR, skill=_STR,
             overflow=_obj(["after", "to"], after=_NUM, to=_STR))
ROUTING_POINT = _obj(
    ["number"], number=_STR, switch=_STR,
    strategy={"enum": ["queue", "agent", "virtual_queue"]},
    target={**_STR, "description": "the ACD queue (strategy queue)"},
    skill={**_STR, "description": "agents' skill (strategies agent and virtual_queue)"},
    virtual_queue=_STR,
    ivr=_obj(["queue", "treatment"], queue=_STR, treatment=DIST),
    user_data=_KV,
)
VIRTUAL_QUEUE = _obj(["number"], number=_STR, switch=_STR)
IVR = _obj(["queue", "ports"], queue=_STR, switch=_STR, ports={"type": "array", "minItems": 1, "items": _STR})

_AT = _obj(["at"], at=_NUM)
FAULTS = _obj(
    [],
    registration_errors=_arr(_obj(["dn"], dn=_STR, switch=_STR, attempts={"type": "integer", "minimum": 1})),
    link_loss=_arr(_obj(["at", "duration"], switch=_STR, at=_NUM, duration=_NUM)),
    server_disconnect=_arr(_obj(["at", "duration"], switch=_STR, at=_NUM, duration=_NUM)),
    out_of_service=_arr(_obj(["dn", "at", "duration"], dn=_STR, switch=_STR, at=_NUM, duration=_NUM)),
    random=_arr(_obj(["kind", "rate", "duration"],
                     kind={"enum": ["link_loss", "server_disconnect", "out_of_service"]},
                     switch=_STR, dn=_STR, rate=_POS, duration=_NUM)),
)

RUN = _obj(
    [],
    name=_STR,
    seed={"type": "integer", "minimum": 0},
    epoch={"type": "string", "format": "date-time",
           "description": "the run's start, an ISO date-time (a TOML date-time too; no offset means UTC)"},
    horizon={**_POS, "description": "seconds of arrivals"},
    drain={**_NUM, "description": "maximum seconds after the horizon to let calls finish"},
    interval={**_PERIOD, "description": "ground-truth reporting interval (seconds, at least 1)"},
    sl_thresholds={"type": "array", "items": _NUM},
    notify_every={**_PERIOD, "description": "stats.csv notification interval (seconds, at least 1)"},
)

SCHEMA: dict[str, Any] = {
    "$schema": "https://json-schema.org/draft/2020-12/schema",
    "$id": "https://example.invalid/sim/scenario.schema.json",
    "title": "sim scenario",
    "type": "object",
    "additionalProperties": False,
    "properties": {
        "run": RUN,
        "switches": {**_arr(SWITCH), "minItems": 1},
        "queues": _arr(QUEUE),
        "routing_points": _arr(ROUTING_POINT),
        "virtual_queues": _arr(VIRTUAL_QUEUE),
        "ivrs": _arr(IVR),
        "agents": _arr(AGENT),
        "teams": _arr(TEAM),
        "groups": _arr(_obj(["name"], name=_STR, type={"enum": ["GroupAgents", "GroupPlaces", "GroupQueues"]},
                            members={"type": "array", "items": _STR},
                            origination_dns={"type": "array", "items": _STR})),
        "traffic": _arr(TRAFFIC),
        "faults": FAULTS,
    },
    "required": ["switches"],
}


def schema_json() -> str:
    return json.dumps(SCHEMA, indent=2, sort_keys=False) + "\n"

