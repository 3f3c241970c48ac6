"""The bad-input catalogue (issue 9 point 4): every user-facing error, as data.

One place for both ``docs/errors.md`` (rendered by ``docs/make_errors_doc.py``) and
``tests/test_errors_catalogue.py`` (which runs every case through ``sim.cli.main`` in a temporary
folder). A case gives the files it writes, the command line, and the exact stderr lines the user
sees; exit code 2 unless ``code`` says otherwise.

Trace cases insert one bad line as line 7 of a small valid trace (:data:`TRACE`), so the
message names ``events.jsonl:7``. ``around`` says what must still happen to the valid events
around it: ``"dropped"`` - the line is skipped and the actions equal those of the trace without
it; ``"kept"`` - the event is still processed (out-of-order time, repeated seq, unknown AgentID),
every line counts as an event. ``bug`` marks a case whose message is the one the user should
see but does not yet (the test is an expected failure until the fix lands; see
docs/decisions.md, Hardening).
"""

from __future__ import annotations

from dataclasses import dataclass, field

# --------------------------------------------------------------------------- inputs
OBJECTS = """\
[[switches]]
name = "SW1"

[[dns]]
number = "6001"
switch = "SW1"
type = "Extension"

[[dns]]
number = "7000"
switch = "SW1"
type = "ACDQueue"

[[places]]
name = "Place_6001"
dns = ["6001@SW1"]

[[agents]]
id = "agent1001"
login = "1001"
"""

_T0 = 1767571200
TRACE_BEFORE = [
    f'{{"time":{_T0}.0,"event":"EventServerConnected","switch":"SW1"}}',
    f'{{"time":{_T0}.0,"event":"EventLinkConnected","switch":"SW1","seq":1}}',
    f'{{"time":{_T0}.0,"event":"EventRegistered","switch":"SW1","seq":2,"ThisDN":"6001",'
    '"Extensions":{"AgentStatus":0,"status":0}}',
    f'{{"time":{_T0}.0,"event":"EventRegistered","switch":"SW1","seq":3,"ThisDN":"7000"}}',
    f'{{"time":{_T0 + 1}.0,"event":"EventAgentLogin","switch":"SW1","seq":4,"ThisDN":"6001",'
    '"AgentID":"1001","ThisQueue":"7000","AgentWorkMode":1}',
    f'{{"time":{_T0 + 2}.0,"event":"EventAgentReady","switch":"SW1","seq":5,"ThisDN":"6001",'
    '"AgentID":"1001","ThisQueue":"7000","AgentWorkMode":1}',
]
TRACE_AFTER = [
    f'{{"time":{_T0 + 60}.0,"event":"EventAgentNotReady","switch":"SW1","seq":7,"ThisDN":"6001",'
    '"AgentID":"1001","ThisQueue":"7000","AgentWorkMode":4,"Reasons":{"NotReady":"Coaching"}}',
    f'{{"time":{_T0 + 90}.0,"event":"EventAgentLogout","switch":"SW1","seq":8,"ThisDN":"6001",'
    '"AgentID":"1001","ThisQueue":"7000"}',
]
TRACE = TRACE_BEFORE + TRACE_AFTER
BAD_LINE = len(TRACE_BEFORE) + 1   # the line number every trace case reports
REPLAY = ["replay", "events.jsonl", "--objects", "objects.toml", "--out", "out", "--no-stats"]


def _ev(event: str, seq: int = 6, **attrs) -> str:
    """A trace line at T0 + 30 s on DN 6001 (the agent is ready)."""
    import json
    d = {"time": _T0 + 30.0, "event": event, "switch": "SW1", "seq": seq, "ThisDN": "6001",
         "AgentID": "1001", **attrs}
    return json.dumps(d, separators=(",", ":"))


def trace_file(bad: str | bytes) -> bytes:
    """The valid trace with ``bad`` as line 7."""
    b = bad.encode() if isinstance(bad, str) else bad
    return b"\n".join([*(x.encode() for x in TRACE_BEFORE), b, *(x.encode() for x in TRACE_AFTER)]) + b"\n"


SCENARIO = """\
[run]
name = "t"
horizon = 600

[[switches]]
name = "SW1"

[[queues]]
number = "7000"
skill = "sales"

[[routing_points]]
number = "8000"
target = "7000"

[[teams]]
name = "Sales"
count = 2
first_dn = 6001
first_login = 1001
skills = ["sales"]
queue = "7000"

[[traffic]]
name = "in"
routing_point = "8000"
rate = 60
"""

STATTYPES = """\
[Calls_Answered]
Category = TotalNumber
MainMask = CallAnswered
Subject = DNAction
Objects = Queue
"""
STATS = ["replay", "events.jsonl", "--objects", "objects.toml", "--stattypes", "types.ini",
         "--out", "out"]


@dataclass
class Case:
    id: str
    area: str                       # trace | objects | scenario | stat types | command line | run folder
    what: str                       # the mistake, in a few words
    files: dict[str, str | bytes]   # written into the temporary folder before the command
    argv: list[str]
    stderr: list[str]               # the exact lines the user sees
    code: int = 2
    around: str | None = None       # trace cases: "dropped" or "kept"
    show: str | None = None         # the input to show in the doc (default: the whole file)
    bug: str | None = None          # not yet the message the user should see (expected failure)
    note: str = ""
    extra: dict = field(default_factory=dict)


CASES: list[Case] = []


def _trace(id: str, what: str, bad: str | bytes, stderr: list[str], around: str = "dropped",
           objects: str = OBJECTS, **kw) -> None:
    show = bad if isinstance(bad, str) else repr(bad)[2:-1]
    CASES.append(Case(id, "trace", what, {"events.jsonl": trace_file(bad), "objects.toml": objects},
                      REPLAY, stderr, around=around, show=show, **kw))


def _objects(id: str, what: str, text: str | bytes, stderr: list[str], **kw) -> None:
    CASES.append(Case(id, "objects", what, {"events.jsonl": trace_file(TRACE_AFTER[0]), "objects.toml": text},
                      REPLAY, stderr, show=kw.pop("show", None), **kw))


def _scenario(id: str, what: str, text: str | bytes, stderr: list[str], argv: list[str] | None = None,
              files: dict | None = None, **kw) -> None:
    CASES.append(Case(id, "scenario", what, {"scenario.toml": text, **(files or {})},
                      argv or ["run", "scenario.toml", "--out", "out"], stderr, **kw))


def _stattypes(id: str, what: str, text: str | bytes, stderr: list[str], **kw) -> None:
    CASES.append(Case(id, "stat types", what, {"events.jsonl": trace_file(TRACE_AFTER[0]),
                                               "objects.toml": OBJECTS, "types.ini": text},
                      STATS, stderr, **kw))


def _cli(id: str, what: str, argv: list[str], stderr: list[str], files: dict | None = None, **kw) -> None:
    CASES.append(Case(id, "command line", what, files or {}, argv, stderr, **kw))


# --------------------------------------------------------------------------- trace lines
_trace("trace-not-json", "truncated JSON", '{"time":1767571230.0,"event":"EventAgentNotReady"', stderr=['events.jsonl:7: not valid JSON (unexpected end of data)'])
_trace("trace-not-object", "a JSON array instead of an object", '[1767571230.0,"EventAgentNotReady"]', stderr=['events.jsonl:7: not a JSON object (an array)'])
_trace("trace-not-object-string", "a bare JSON string", '"EventAgentNotReady"', stderr=['events.jsonl:7: not a JSON object (a string)'])
_trace("trace-invalid-utf8", "bytes that are not UTF-8", b'{"time":1767571230.0,"event":"Event\xffReady"}',
       stderr=['events.jsonl:7: not valid JSON (str is not valid UTF-8)'])
_trace("trace-nan", "NaN is not JSON", '{"time":NaN,"event":"EventAgentReady","switch":"SW1"}', stderr=['events.jsonl:7: not valid JSON (unexpected character, expected a JSON value)'])
_trace("trace-int-overflow", "an integer beyond 64 bits", _ev("EventAgentReady", seq=18446744073709551616),
       stderr=['events.jsonl:7: seq: expected an integer, got 1.8446744073709552e+19'])
_trace("trace-missing-time", "no time", '{"event":"EventAgentReady","switch":"SW1","seq":6,"ThisDN":"6001"}',
       stderr=["events.jsonl:7: missing key 'time'"])
_trace("trace-missing-event", "no event", '{"time":1767571230.0,"switch":"SW1","seq":6,"ThisDN":"6001"}',
       stderr=["events.jsonl:7: missing key 'event'"])
_trace("trace-missing-switch", "no switch", '{"time":1767571230.0,"event":"EventAgentReady","seq":6}',
       stderr=["events.jsonl:7: missing key 'switch'"])
_trace("trace-time-string", "time as a string", _ev("EventAgentReady").replace('"time":1767571230.0',
                                                                                '"time":"08:00:30"'),
       stderr=['events.jsonl:7: time: expected a number of seconds, got a string'])
_trace("trace-time-null", "time null", _ev("EventAgentReady").replace('"time":1767571230.0', '"time":null'),
       stderr=['events.jsonl:7: time: expected a number of seconds, got null'])
_trace("trace-time-bool", "time true", _ev("EventAgentReady").replace('"time":1767571230.0', '"time":true'),
       stderr=['events.jsonl:7: time: expected a number of seconds, got a boolean'])
_trace("trace-event-empty", "an empty event name", _ev(""), stderr=['events.jsonl:7: event: expected a message name, got an empty string'])
_trace("trace-event-number", "an event code instead of its name", _ev("EventAgentReady").replace(
    '"EventAgentReady"', "70"), stderr=['events.jsonl:7: event: expected a message name, got an integer'])
_trace("trace-event-unknown", "a message that is not a T-Library event", _ev("EventCoffeeBreak"), stderr=["events.jsonl:7: event: unknown T-Library event 'EventCoffeeBreak'"])
_trace("trace-event-request", "a request, not an event", _ev("RequestAgentReady"), stderr=["events.jsonl:7: event: unknown T-Library event 'RequestAgentReady'"])
_trace("trace-switch-number", "switch as a number", _ev("EventAgentReady").replace('"SW1"', "1"), stderr=['events.jsonl:7: switch: expected a switch name, got an integer'])
_trace("trace-switch-empty", "an empty switch name", _ev("EventAgentReady").replace('"SW1"', '""'),
       stderr=['events.jsonl:7: switch: expected a switch name, got an empty string'])
_trace("trace-seq-string", "seq as a string", _ev("EventAgentReady", seq="6"), stderr=['events.jsonl:7: seq: expected an integer, got a string'])
_trace("trace-seq-float", "seq with a fraction", _ev("EventAgentReady", seq=6.5), stderr=['events.jsonl:7: seq: expected an integer, got 6.5'])
_trace("trace-thisdn-number", "ThisDN as a number", _ev("EventAgentReady").replace('"6001"', "6001"),
       stderr=['events.jsonl:7: ThisDN: expected a string, got an integer'])
_trace("trace-connid-number", "ConnID as a number", _ev("EventAgentReady", ConnID=7), stderr=['events.jsonl:7: ConnID: expected a string, got an integer'])
_trace("trace-calltype-name", "an unknown CallType name", _ev("EventAgentReady", CallType="Incoming"),
       stderr=["events.jsonl:7: CallType: unknown CallType name 'Incoming'"])
_trace("trace-calltype-bool", "CallType true", _ev("EventAgentReady", CallType=True), stderr=['events.jsonl:7: CallType: expected an integer code or a CallType name, got a boolean'])
_trace("trace-workmode-array", "AgentWorkMode as an array", _ev("EventAgentReady", AgentWorkMode=[1]),
       stderr=['events.jsonl:7: AgentWorkMode: expected an integer code or a AgentWorkMode name, got an array'])
_trace("trace-referenceid-string", "ReferenceID as a string", _ev("EventAgentReady", ReferenceID="12"),
       stderr=['events.jsonl:7: ReferenceID: expected an integer, got a string'])
_trace("trace-userdata-string", "UserData that is not a key-value object", _ev("EventAgentReady", UserData="a=1"),
       stderr=['events.jsonl:7: UserData: expected a key-value object, got a string'])
_trace("trace-reasons-array", "Reasons as an array", _ev("EventAgentReady", Reasons=["Lunch"]), stderr=['events.jsonl:7: Reasons: expected a key-value object, got an array'])
_trace("trace-time-back", "time earlier than the previous event (kept)",
       _ev("EventAgentReady").replace('"time":1767571230.0', '"time":1767571000.5'), stderr=["events.jsonl:7: time 1767571000.500000 is earlier than the previous event of switch 'SW1' (1767571202.000000); processed at 1767571202.000000"], around="kept")
_trace("trace-seq-repeat", "seq repeated (kept)", _ev("EventAgentReady", seq=5), stderr=["events.jsonl:7: seq 5 does not increase (previous 5 on switch 'SW1'); processed"], around="kept")
_trace("trace-unknown-dn", "a DN the objects file does not name", _ev("EventAgentReady", ThisDN="9999"),
       stderr=['events.jsonl:7: unknown DN 9999@SW1 (not in the objects file)'])
_trace("trace-dn-control-chars", "a DN number with a newline in it", _ev("EventAgentReady", ThisDN="60\n01"),
       stderr=["events.jsonl:7: unknown DN 60\\n01@SW1 (not in the objects file)"])
_trace("trace-unknown-switch", "a switch the objects file does not name",
       _ev("EventAgentReady").replace('"SW1"', '"SW9"'), stderr=["events.jsonl:7: unknown switch 'SW9' (not in the objects file)"])
_trace("trace-no-thisdn", "a DN event without ThisDN",
       '{"time":1767571230.0,"event":"EventRinging","switch":"SW1","seq":6,"ConnID":"006c02462a161001"}',
       stderr=['events.jsonl:7: EventRinging without ThisDN'])
_trace("trace-unknown-agent", "an AgentID the objects file does not name (kept)",
       _ev("EventAgentLogin", AgentID="4711", ThisQueue="7000", AgentWorkMode=1), stderr=["events.jsonl:7: AgentID '4711' on DN 6001@SW1 is not an agent of the objects file"],
       around="kept")

# --------------------------------------------------------------------------- objects.toml
_objects("objects-not-toml", "TOML syntax error", OBJECTS.replace('name = "SW1"', 'name = SW1'), stderr=['sim replay: error: objects.toml: invalid TOML: Invalid value (at line 2, column 8)'],
         show='[[switches]]\nname = SW1')
_objects("objects-not-utf8", "bytes that are not UTF-8", OBJECTS.replace('"SW1"\n', '"SW\xff"\n', 1).encode("latin-1"),
         stderr=['sim replay: error: objects.toml: not UTF-8 text (invalid start byte at byte 23)'], show='[[switches]]\nname = "SW<0xff>"')
_objects("objects-unknown-key", "an unknown top-level table", OBJECTS + '\n[[queues]]\nnumber = "7000"\n',
         stderr=["sim replay: error: objects.toml: (top level): Additional properties are not allowed ('queues' was unexpected)"], show='[[queues]]\nnumber = "7000"')
_objects("objects-dn-type", "a DN type that does not exist", OBJECTS.replace('type = "ACDQueue"', 'type = "Queue"'),
         stderr=["sim replay: error: objects.toml: dns[1].type: 'Queue' is not one of ['Extension', 'ACDPosition', 'ACDQueue', 'RoutingPoint', 'VirtualQueue']"], show='[[dns]]\nnumber = "7000"\nswitch = "SW1"\ntype = "Queue"')
_objects("objects-dn-no-number", "a DN without number", OBJECTS.replace('number = "7000"\n', ''), stderr=["sim replay: error: objects.toml: dns[1]: 'number' is a required property"],
         show='[[dns]]\nswitch = "SW1"\ntype = "ACDQueue"')
_objects("objects-dn-number-int", "a DN number as an integer", OBJECTS.replace('number = "7000"', 'number = 7000'),
         stderr=["sim replay: error: objects.toml: dns[1].number: 7000 is not of type 'string'"], show='[[dns]]\nnumber = 7000')
_objects("objects-switch-empty", "an empty switch name", OBJECTS.replace('name = "SW1"', 'name = ""'), stderr=["sim replay: error: objects.toml: switches[0].name: '' should be non-empty"],
         show='[[switches]]\nname = ""')
_objects("objects-switch-duplicate", "the same switch twice", '[[switches]]\nname = "SW1"\n\n' + OBJECTS,
         stderr=["sim replay: error: objects.toml: switches[1].name: duplicate switch 'SW1'"], show='[[switches]]\nname = "SW1"\n\n[[switches]]\nname = "SW1"')
_objects("objects-dn-unknown-switch", "a DN on a switch that is not listed",
         OBJECTS.replace('switch = "SW1"\ntype = "ACDQueue"', 'switch = "SW2"\ntype = "ACDQueue"'), stderr=["sim replay: error: objects.toml: dns[1].switch: unknown switch 'SW2'"],
         show='[[dns]]\nnumber = "7000"\nswitch = "SW2"')
_objects("objects-dn-duplicate", "the same DN twice", OBJECTS + '\n[[dns]]\nnumber = "7000"\nswitch = "SW1"\n'
         'type = "ACDQueue"\n', stderr=["sim replay: error: objects.toml: dns[2].number: duplicate DN '7000@SW1'"], show='[[dns]]\nnumber = "7000"\nswitch = "SW1"\ntype = "ACDQueue"')
_objects("objects-place-unknown-dn", "a place DN without @Switch", OBJECTS.replace('["6001@SW1"]', '["6001"]'),
         stderr=["sim replay: error: objects.toml: places[0].dns[0]: unknown DN '6001' (write DN@Switch)"], show='[[places]]\nname = "Place_6001"\ndns = ["6001"]')
_objects("objects-place-dn-twice", "a DN in two places", OBJECTS + '\n[[places]]\nname = "Place_B"\n'
         'dns = ["6001@SW1"]\n', stderr=["sim replay: error: objects.toml: places[1].dns[0]: DN '6001@SW1' already belongs to place 'Place_6001'"], show='[[places]]\nname = "Place_B"\ndns = ["6001@SW1"]')
_objects("objects-agent-duplicate", "the same agent twice", OBJECTS + '\n[[agents]]\nid = "agent1001"\n'
         'login = "1002"\n', stderr=["sim replay: error: objects.toml: agents[1].id: duplicate agent 'agent1001'"], show='[[agents]]\nid = "agent1001"\nlogin = "1002"')
_objects("objects-login-duplicate", "a login id of two agents", OBJECTS + '\n[[agents]]\nid = "agent1002"\n'
         'login = "1001"\n', stderr=["sim replay: error: objects.toml: agents[1].login: login '1001' already belongs to agent 'agent1001'"], show='[[agents]]\nid = "agent1002"\nlogin = "1001"')
_objects("objects-login-int", "a login id as an integer", OBJECTS.replace('login = "1001"', 'login = 1001'),
         stderr=["sim replay: error: objects.toml: agents[0].login: 1001 is not of type 'string' or 'array'"], show='[[agents]]\nid = "agent1001"\nlogin = 1001')
_objects("objects-agent-place", "an agent's unknown place", OBJECTS + 'place = "Place_9"\n', stderr=["sim replay: error: objects.toml: agents[0].place: unknown place 'Place_9'"],
         show='[[agents]]\nid = "agent1001"\nlogin = "1001"\nplace = "Place_9"')
_objects("objects-group-type", "an unknown group type", OBJECTS + '\n[[groups]]\nname = "G"\ntype = "Team"\n',
         stderr=["sim replay: error: objects.toml: groups[0].type: 'Team' is not one of ['GroupAgents', 'GroupPlaces', 'GroupQueues']"], show='[[groups]]\nname = "G"\ntype = "Team"')
_objects("objects-group-member", "a group member that does not exist",
         OBJECTS + '\n[[groups]]\nname = "G"\ntype = "GroupAgents"\nmembers = ["agent9"]\n', stderr=["sim replay: error: objects.toml: groups[0].members[0]: unknown agent 'agent9'"],
         show='[[groups]]\nname = "G"\ntype = "GroupAgents"\nmembers = ["agent9"]')
_objects("objects-origination-dn", "an origination DN that is not a mediation DN",
         OBJECTS + '\n[[groups]]\nname = "G"\ntype = "GroupAgents"\norigination_dns = ["6001@SW1"]\n',
         stderr=["sim replay: error: objects.toml: groups[0].origination_dns[0]: unknown mediation DN '6001@SW1'"], show='[[groups]]\nname = "G"\ntype = "GroupAgents"\norigination_dns = ["6001@SW1"]')
CASES.append(Case("objects-missing", "objects", "no such objects file", {"events.jsonl": trace_file(TRACE_AFTER[0])},
                  ["replay", "events.jsonl", "--objects", "nothere.toml", "--out", "out"], stderr=['sim replay: error: nothere.toml: no such file']))

# --------------------------------------------------------------------------- scenario TOML
_scenario("scenario-not-toml", "TOML syntax error", SCENARIO.replace("horizon = 600", "horizon = 10 min"),
          stderr=['sim run: error: scenario.toml: invalid TOML: Expected newline or end of document after a statement (at line 3, column 14)'], show='[run]\nhorizon = 10 min')
_scenario("scenario-not-utf8", "bytes that are not UTF-8", SCENARIO.replace('"t"', '"t\xe9"').encode("latin-1"),
          stderr=["sim run: error: scenario.toml: not UTF-8 text (invalid continuation byte at byte 15)"], show='[run]\nname = "t<0xe9>"')
_scenario("scenario-no-switches", "no switch", SCENARIO.split("[[switches]]")[0], stderr=["sim run: error: scenario.toml: (top level): 'switches' is a required property"],
          show='[run]\nname = "t"\nhorizon = 600')
_scenario("scenario-unknown-key", "an unknown top-level table", SCENARIO + "\n[[trunks]]\nnumber = \"1\"\n",
          stderr=["sim run: error: scenario.toml: (top level): Additional properties are not allowed ('trunks' was unexpected)"], show='[[trunks]]\nnumber = "1"')
_scenario("scenario-unknown-option", "a misspelt option", SCENARIO.replace("horizon = 600", "horizont = 600"),
          stderr=["sim run: error: scenario.toml: run: Additional properties are not allowed ('horizont' was unexpected)"], show='[run]\nhorizont = 600')
_scenario("scenario-horizon-negative", "a negative horizon", SCENARIO.replace("horizon = 600", "horizon = -600"),
          stderr=['sim run: error: scenario.toml: run.horizon: -600 is less than or equal to the minimum of 0'], show='[run]\nhorizon = -600')
_scenario("scenario-horizon-nan", "horizon nan", SCENARIO.replace("horizon = 600", "horizon = nan"),
          stderr=["sim run: error: scenario.toml: run.horizon: nan is not a finite number"],
          show='[run]\nhorizon = nan')
_scenario("scenario-seed-string", "a seed that is not an integer", SCENARIO.replace('name = "t"', 'seed = "one"'),
          stderr=["sim run: error: scenario.toml: run.seed: 'one' is not of type 'integer'"], show='[run]\nseed = "one"')
_scenario("scenario-epoch", "an epoch that is not a date-time", SCENARIO.replace('name = "t"',
                                                                                  'epoch = "Monday"'),
          stderr=["sim run: error: scenario.toml: run.epoch: not an ISO date-time: 'Monday'"], show='[run]\nepoch = "Monday"')
_scenario("scenario-team-count", "a negative team size", SCENARIO.replace("count = 2", "count = -2"), stderr=['sim run: error: scenario.toml: teams[0].count: -2 is less than the minimum of 0'],
          show='[[teams]]\ncount = -2')
_scenario("scenario-shift-format", "a shift time that is not HH:MM", SCENARIO.replace(
    'queue = "7000"\n\n[[traffic]]', 'queue = "7000"\nshift = { start = "8am", end = "16:00" }\n\n[[traffic]]'),
    stderr=['sim run: error: scenario.toml: teams[0].shift.start: \'8am\' is not a time of day, "HH:MM" or "HH:MM:SS"'], show='shift = { start = "8am", end = "16:00" }')
_scenario("scenario-shift-order", "a shift ending before it starts", SCENARIO.replace(
    'queue = "7000"\n\n[[traffic]]', 'queue = "7000"\nshift = { start = "16:00", end = "08:00" }\n\n[[traffic]]'),
    stderr=['sim run: error: scenario.toml: teams[0].shift.end: must be after shift.start'], show='shift = { start = "16:00", end = "08:00" }')
_scenario("scenario-break-outside", "a break outside the shift", SCENARIO.replace(
    'queue = "7000"\n\n[[traffic]]', 'queue = "7000"\nshift = { start = "08:00", end = "16:00" }\n'
    'breaks = [{ start = "17:00", duration = 600 }]\n\n[[traffic]]'),
    stderr=['sim run: error: scenario.toml: teams[0].breaks[0].start: must fall inside the shift'], show='shift = { start = "08:00", end = "16:00" }\nbreaks = [{ start = "17:00", duration = 600 }]')
_scenario("scenario-queue-switch", "a queue on an unknown switch", SCENARIO.replace(
    'number = "7000"\nskill', 'number = "7000"\nswitch = "SW2"\nskill'), stderr=["sim run: error: scenario.toml: queues[0].switch: unknown switch 'SW2'"],
    show='[[queues]]\nnumber = "7000"\nswitch = "SW2"')
_scenario("scenario-dn-twice", "the same DN for a queue and an agent", SCENARIO.replace("first_dn = 6001",
                                                                                         "first_dn = 7000"),
          stderr=['sim run: error: scenario.toml: teams[0].dn: DN 7000@SW1 already defined at queues[0].number'], show='[[queues]]\nnumber = "7000"\n...\n[[teams]]\nfirst_dn = 7000')
_scenario("scenario-dn-newline", "a DN number with a newline, defined twice", SCENARIO.replace(
    'number = "8000"', 'number = "7000\\n"') + '\n[[queues]]\nnumber = "7000\\n"\nskill = "x"\n',
    stderr=["sim run: error: scenario.toml: routing_points[0].number: DN 7000\\n@SW1 already defined at queues[1].number"],
    show='[[routing_points]]\nnumber = "7000\\n"\n...\n[[queues]]\nnumber = "7000\\n"')
_scenario("scenario-rp-target", "a routing point's unknown target", SCENARIO.replace('target = "7000"',
                                                                                      'target = "7001"'),
          stderr=["sim run: error: scenario.toml: routing_points[0].target: unknown ACD queue '7001'"], show='[[routing_points]]\nnumber = "8000"\ntarget = "7001"')
_scenario("scenario-rp-no-target", "strategy queue without target", SCENARIO.replace('target = "7000"\n', ''),
          stderr=["sim run: error: scenario.toml: routing_points[0]: strategy 'queue' needs 'target' (an ACD queue)"], show='[[routing_points]]\nnumber = "8000"')
_scenario("scenario-traffic-both", "traffic to a routing point and a queue", SCENARIO.replace(
    'routing_point = "8000"', 'routing_point = "8000"\nqueue = "7000"'), stderr=["sim run: error: scenario.toml: traffic[0]: give exactly one of 'routing_point' or 'queue'"],
    show='[[traffic]]\nrouting_point = "8000"\nqueue = "7000"')
_scenario("scenario-traffic-rp", "traffic to an unknown routing point", SCENARIO.replace(
    'routing_point = "8000"', 'routing_point = "8001"'), stderr=["sim run: error: scenario.toml: traffic[0].routing_point: unknown routing point '8001'"], show='[[traffic]]\nrouting_point = "8001"')
_scenario("scenario-dist-kind", "an unknown distribution", SCENARIO + 'handle = { dist = "weibull", mean = 180 }\n',
          stderr=["sim run: error: scenario.toml: traffic[0].handle.dist: 'weibull' is not one of ['constant', 'exponential', 'lognormal', 'gamma', 'uniform', 'empirical']"], show='handle = { dist = "weibull", mean = 180 }',
          note="names the first alternative of the schema, not the unknown `dist` (see docs/decisions.md)")
_scenario("scenario-rate-string", "a rate with units", SCENARIO.replace("rate = 60", 'rate = "60/h"'), stderr=["sim run: error: scenario.toml: traffic[0].rate: '60/h' is not of type 'number'"],
          show='[[traffic]]\nrate = "60/h"')
_scenario("scenario-profile-missing", "a profile CSV that does not exist", SCENARIO + 'profile_csv = "day.csv"\n',
          stderr=['sim run: error: scenario.toml: traffic[0].profile_csv: cannot read {dir}/day.csv: No such file or directory'], show='profile_csv = "day.csv"')
_scenario("scenario-profile-bad", "a profile CSV with a word", SCENARIO + 'profile_csv = "day.csv"\n',
          files={"day.csv": "interval_start,volume\n0,0.5\n1800,lots\n"}, stderr=["sim run: error: scenario.toml: traffic[0].profile_csv: {dir}/day.csv:3: not a number: 'lots'"],
          show='profile_csv = "day.csv"   # day.csv line 3: 1800,lots')
_scenario("scenario-agent-id-twice", "two agents with the same id", SCENARIO + '\n[[agents]]\nid = "sales_001"\n'
          'login = "2001"\ndn = "6101"\n', stderr=["sim run: error: scenario.toml: agents[0].id: duplicate agent id 'sales_001'"], show='[[agents]]\nid = "sales_001"   # also teams[0]')
_scenario("scenario-login-twice", "two agents with the same login", SCENARIO + '\n[[agents]]\nid = "x"\n'
          'login = "1001"\ndn = "6101"\n', stderr=["sim run: error: scenario.toml: agents[0].login: duplicate login '1001'"], show='[[agents]]\nlogin = "1001"   # also teams[0]')
_scenario("scenario-fault-dn", "a fault on an unknown DN", SCENARIO + '\n[faults]\nout_of_service = '
          '[{ dn = "6999", at = 60, duration = 60 }]\n', stderr=["sim run: error: scenario.toml: faults.out_of_service[0].dn: unknown DN '6999'"],
          show='[faults]\nout_of_service = [{ dn = "6999", at = 60, duration = 60 }]')
_scenario("scenario-fault-random-dn", "a random out-of-service fault without a DN", SCENARIO + '\n[faults]\n'
          'random = [{ kind = "out_of_service", rate = 1, duration = 60 }]\n', stderr=["sim run: error: scenario.toml: faults.random[0]: kind 'out_of_service' needs 'dn'"],
          show='[faults]\nrandom = [{ kind = "out_of_service", rate = 1, duration = 60 }]')
_scenario("scenario-ivr-queue", "an IVR in front of an unknown queue", SCENARIO + '\n[[ivrs]]\nqueue = "7001"\n'
          'ports = ["6900"]\n', stderr=["sim run: error: scenario.toml: ivrs[0].queue: unknown ACD queue '7001'"], show='[[ivrs]]\nqueue = "7001"\nports = ["6900"]')
_scenario("scenario-missing", "no such scenario file", SCENARIO, argv=["run", "nothere.toml", "--out", "out"],
          stderr=['sim run: error: nothere.toml: no such file'], show="sim run nothere.toml")
_scenario("scenario-set-no-equals", "--set without =", SCENARIO,
          argv=["run", "scenario.toml", "--out", "out", "--set", "run.horizon"], stderr=["sim run: error: --set: expected key=value, got 'run.horizon'"],
          show="sim run scenario.toml --set run.horizon")
_scenario("scenario-set-bad-path", "--set with a bad key path", SCENARIO,
          argv=["run", "scenario.toml", "--out", "out", "--set", "run..horizon=60"], stderr=["sim run: error: --set: bad key path 'run..horizon'"],
          show="sim run scenario.toml --set run..horizon=60")
_scenario("scenario-set-index", "--set past the end of a list", SCENARIO,
          argv=["run", "scenario.toml", "--out", "out", "--set", "teams[3].count=5"], stderr=['sim run: error: --set: teams[3].count: index 3 out of range'],
          show="sim run scenario.toml --set teams[3].count=5")
_scenario("scenario-set-type", "--set giving a word where a number goes", SCENARIO,
          argv=["run", "scenario.toml", "--out", "out", "--set", "run.horizon=long"], stderr=["sim run: error: scenario.toml: run.horizon: 'long' is not of type 'number'"],
          show="sim run scenario.toml --set run.horizon=long")

# --------------------------------------------------------------------------- stat types
_stattypes("stattypes-no-section", "an option before any section", "Category = TotalNumber\n" + STATTYPES,
           stderr=["sim replay: error: types.ini:1: a line before the first [section]: 'Category = TotalNumber'"], show="Category = TotalNumber\n[Calls_Answered]")
_stattypes("stattypes-duplicate-section", "the same stat type twice", STATTYPES + "\n" + STATTYPES, stderr=["sim replay: error: types.ini:7: [Calls_Answered]: defined twice"],
           show="[Calls_Answered]\n...\n[Calls_Answered]")
_stattypes("stattypes-duplicate-option", "an option twice", STATTYPES + "Objects = Queue\n", stderr=["sim replay: error: types.ini:6: [Calls_Answered] Objects: given twice"],
           show="Objects = Queue\nObjects = Queue")
_stattypes("stattypes-unknown-option", "an unknown option", STATTYPES + "Colour = blue\n", stderr=["sim replay: error: types.ini: [Calls_Answered] Colour: unknown option 'Colour'"],
           show="Colour = blue")
_stattypes("stattypes-no-category", "no Category", STATTYPES.replace("Category = TotalNumber\n", ""),
           stderr=['sim replay: error: types.ini: [Calls_Answered] Category: option Category is required'], show="[Calls_Answered]\nMainMask = CallAnswered")
_stattypes("stattypes-category", "an unknown category", STATTYPES.replace("TotalNumber", "TotalCount"),
           stderr=["sim replay: error: types.ini: [Calls_Answered] Category: unknown category 'TotalCount'"], show="Category = TotalCount")
_stattypes("stattypes-not-implemented", "a category this engine does not implement",
           STATTYPES.replace("TotalNumber", "EstimWaitTime"), stderr=["sim replay: error: types.ini: [Calls_Answered] Category: category 'EstimWaitTime' is not implemented (docs/reference/stat-types.md §4)"], show="Category = EstimWaitTime")
_stattypes("stattypes-subject", "an unknown subject", STATTYPES.replace("DNAction", "CallAction"), stderr=["sim replay: error: types.ini: [Calls_Answered] Subject: unknown or unsupported subject 'CallAction' (expected one of DNAction, DNStatus, AgentStatus, PlaceStatus, GroupStatus)"],
           show="Subject = CallAction")
_stattypes("stattypes-object-type", "an unknown object type", STATTYPES.replace("Objects = Queue",
                                                                                 "Objects = Queues"),
           stderr=["sim replay: error: types.ini: [Calls_Answered] Objects: unknown object type 'Queues' (expected RegDN, Agent, Place, Queue, RoutePoint, GroupAgents, GroupPlaces, GroupQueues, Tenant)"], show="Objects = Queues")
_stattypes("stattypes-mask", "an action name that does not exist", STATTYPES.replace("CallAnswered",
                                                                                      "CallAnswer"),
           stderr=["sim replay: error: types.ini: [Calls_Answered] MainMask: unknown name 'CallAnswer' in mask"], show="MainMask = CallAnswer")
_stattypes("stattypes-relmask", "a category that needs a RelMask", STATTYPES.replace("TotalNumber",
                                                                                      "RelativeNumberPercentage"),
           stderr=['sim replay: error: types.ini: [Calls_Answered] RelMask: category RelativeNumberPercentage requires a RelMask'], show="Category = RelativeNumberPercentage")
_stattypes("stattypes-filter", "an undefined filter", STATTYPES + "Filter = Gold\n", stderr=["sim replay: error: types.ini: [Calls_Answered] Filter: unknown filter 'Gold' (define it in [Filters])"], show="Filter = Gold")
_stattypes("stattypes-filter-syntax", "a filter that does not parse",
           STATTYPES + "Filter = Gold\n\n[Filters]\nGold = UserData = \n", stderr=['sim replay: error: types.ini: [Filters] Gold: bad filter: expected a term at end'],
           show="[Filters]\nGold = UserData =")
_stattypes("stattypes-profile", "a time profile that does not parse",
           STATTYPES + "TimeProfiles = Q\n\n[TimeProfiles]\nQ,Growing = every 15 minutes\n", stderr=["sim replay: error: types.ini: [TimeProfiles] Q,Growing: bad time of day 'every 15 minutes' (write HH:MM)"],
           show="[TimeProfiles]\nQ,Growing = every 15 minutes")
_stattypes("stattypes-profile-unknown", "an undefined time profile", STATTYPES + "TimeProfiles = Hourly\n",
           stderr=["sim replay: error: types.ini: [Calls_Answered] TimeProfiles: unknown time profile 'Hourly' (define it in [TimeProfiles])"], show="TimeProfiles = Hourly")
_stattypes("stattypes-formula", "a custom category without Formula", STATTYPES.replace("TotalNumber",
                                                                                        "TotalCustomValue"),
           stderr=['sim replay: error: types.ini: [Calls_Answered] Formula: category TotalCustomValue requires Formula = [DistByConnID,] <expression>'], show="Category = TotalCustomValue")
_stattypes("stattypes-timebase", "a bad AverageTimeBase", STATTYPES + "AverageTimeBase = Mean\n", stderr=["sim replay: error: types.ini: [Calls_Answered] AverageTimeBase: expected Total or Adjusted, got 'Mean'"],
           show="AverageTimeBase = Mean")
_stattypes("stattypes-not-utf8", "bytes that are not UTF-8", STATTYPES.replace("Answered]", "Answered\xe9]")
           .encode("latin-1"), stderr=["sim replay: error: types.ini: not UTF-8 text (invalid continuation byte at byte 15)"], show="[Calls_Answered<0xe9>]")
CASES.append(Case("stattypes-missing", "stat types", "no such stat type file",
                  {"events.jsonl": trace_file(TRACE_AFTER[0]), "objects.toml": OBJECTS},
                  ["replay", "events.jsonl", "--objects", "objects.toml", "--stattypes", "nothere.ini"],
                  stderr=['sim replay: error: nothere.ini: no such file']))

# --------------------------------------------------------------------------- command line
_cli("cli-unknown-command", "a command that does not exist", ["simulate", "x.toml"], stderr=["sim: error: argument COMMAND: invalid choice: 'simulate' (choose from 'run', 'replay', 'sweep', 'explain', 'check', 'plot', 'stream', 'import-log', 'erlang', 'serve', 'export')"])
_cli("cli-run-no-scenario", "sim run without a scenario", ["run"], stderr=['sim run: error: give a scenario file (or --schema)'])
_cli("cli-run-seed", "a seed that is not a number", ["run", "x.toml", "--seed", "abc"], stderr=["sim run: error: argument --seed: invalid int value: 'abc'"])
_cli("cli-run-out-file", "an output folder that is a file", ["run", "scenario.toml", "--out", "taken/out"],
     files={"scenario.toml": SCENARIO, "taken": "a file"}, stderr=['sim run: error: taken/out: cannot create output folder: Not a directory'])
_cli("cli-replay-no-objects", "sim replay without --objects", ["replay", "events.jsonl"],
     files={"events.jsonl": trace_file(TRACE_AFTER[0])}, stderr=['sim replay: error: --objects is required (the configuration the engine needs)'])
_cli("cli-replay-missing", "a trace file that does not exist", ["replay", "nothere.jsonl", "--objects",
                                                                "objects.toml"],
     files={"objects.toml": OBJECTS}, stderr=['sim replay: error: nothere.jsonl: no such file'])
_cli("cli-replay-directory", "a folder given as the trace", ["replay", "runs", "--objects", "objects.toml"],
     files={"objects.toml": OBJECTS, "runs/keep": ""},
     stderr=["sim replay: error: runs: is a directory, not a file"])
_cli("cli-replay-notify", "a notification interval of 0", ["replay", "events.jsonl", "--objects", "objects.toml",
                                                           "--notify", "0"],
     files={"objects.toml": OBJECTS, "events.jsonl": trace_file(TRACE_AFTER[0])},
     stderr=["sim replay: error: --notify: must be at least 1 second, got 0"])
_cli("cli-replay-notify-word", "a notification interval that is not a number",
     ["replay", "events.jsonl", "--objects", "objects.toml", "--notify", "hourly"], stderr=["sim replay: error: argument --notify: invalid float value: 'hourly'"])
_cli("cli-objects-directory", "a folder given as objects.toml", ["replay", "events.jsonl", "--objects", "conf"],
     files={"events.jsonl": trace_file(TRACE_AFTER[0]), "conf/keep": ""}, stderr=['sim replay: error: conf: is a directory, not a file'])
_cli("cli-stattypes-directory", "a folder given as the stat type file",
     ["replay", "events.jsonl", "--objects", "objects.toml", "--stattypes", "types"],
     files={"objects.toml": OBJECTS, "events.jsonl": trace_file(TRACE_AFTER[0]), "types/keep": ""},
     stderr=['sim replay: error: types: is a directory, not a file'])
_cli("cli-check-missing", "sim check on a missing trace", ["check", "nothere.jsonl"], stderr=['sim check: error: nothere.jsonl: no such file'])
_cli("cli-erlang-no-aht", "sim erlang without --aht", ["erlang", "--rate", "100", "--agents", "5"], stderr=['sim erlang: error: the following arguments are required: --aht'])
_cli("cli-erlang-rate", "a negative arrival rate", ["erlang", "--rate", "-100", "--aht", "180", "--agents", "5"],
     stderr=['sim erlang: error: --rate must be a positive finite number of calls per hour, got -100'])
_cli("cli-erlang-overload", "Erlang C with more traffic than agents",
     ["erlang", "--rate", "200", "--aht", "180", "--agents", "5"], stderr=['sim erlang: error: --agents 5 cannot carry 10 Erlangs (rate x aht) without abandonment (Erlang C needs more agents than Erlangs); add agents or give --patience'])
_cli("cli-explain-directory", "a folder given as the scenario", ["explain", "runs"], files={"runs/keep": ""},
     stderr=["sim explain: error: runs: is a directory, not a file"])
_cli("cli-export-onto-itself", "sim export writing over the run it converts",
     ["export", "run", "--format", "parquet", "--out", "run"], files={"run/summary.json": "{}"},
     stderr=["sim export: error: --out: is the run folder being exported; choose another folder"])
_cli("cli-export-incomplete", "sim export of a failed or interrupted run",
     ["export", "run", "--format", "parquet", "--out", "run2"],
     files={"run/incomplete.json": '{"complete": false, "reason": "interrupted", "command": "sim run x.toml"}'},
     stderr=["sim export: error: run: incomplete run (interrupted); run it again"])
_cli("cli-export-bad-line", "a run folder with a broken actions line: the other lines are converted",
     ["export", "run", "--format", "parquet", "--out", "run2"],
     files={"run/actions.jsonl": '{"time":1.0,"action":"CallWait","kind":"start","object_type":"Queue","object":"7000@SW1"}\n'
                                 '{"time":2.0,"action":"CallWait","kind":"end"\n'},
     stderr=["run/actions.jsonl:2: not valid JSON"])

# --------------------------------------------------------------------------- run folder
# `sim plot out` on a small run folder (RUN_FOLDER) with one file damaged as shown.
_T0F = float(_T0)
RUN_FOLDER = {
    "out/summary.json": '{"scenario": "t", "epoch": "2026-01-05T00:00:00Z", "end_time": 1800.0, '
                        '"sl_thresholds": [20.0]}\n',
    "out/calls.csv": "connid,traffic,queue,arrival,outcome,wait,talk\n"
                     "0001,in,8000@SW1,12.500000,answered,4.000000,120.000000\n"
                     "0002,in,8000@SW1,950.000000,abandoned_queue,30.000000,0.000000\n",
    "out/truth.csv": "interval_start,object,counter,value\n0,7000@SW1,entered,1\n900,7000@SW1,entered,1\n",
    "out/stats.csv": "time,stat_type,object_type,object,time_profile,value,valid\n"
                     f"{_T0 + 900},Service_Level,Queue,7000@SW1,Default,100,1\n"
                     f"{_T0 + 1800},Service_Level,Queue,7000@SW1,Default,50,1\n",
    "out/statuses.jsonl": "".join(
        f'{{"time":{_T0F + t},"object_type":"Agent","object":"agent1001","status":"{st}","previous":null}}\n'
        for t, st in ((0, "LoggedIn"), (1, "WaitForNextCall"), (12.5, "CallInbound"), (132.5, "WaitForNextCall"))),
    "out/actions.jsonl": "".join(
        f'{{"time":{_T0F + t},"action":"CallWait","kind":"{k}","object_type":"Queue","object":"7000@SW1"}}\n'
        for t, k in ((950, "start"), (980, "end"))),
}
PLOT = ["plot", "out"]


def _run_folder(id: str, what: str, name: str, text: str, stderr: list[str], show: str | None = None,
                **kw) -> None:
    files = {**RUN_FOLDER, f"out/{name}": text}
    CASES.append(Case(id, "run folder", what, files, kw.pop("argv", PLOT), stderr,
                      show=show if show is not None else f"{name}:\n{text.rstrip()}", **kw))


_LINES = RUN_FOLDER["out/statuses.jsonl"].splitlines(keepends=True)
_run_folder("run-incomplete", "the folder of an interrupted run", "incomplete.json",
            '{"complete": false, "reason": "interrupted", "command": "sim run scenario.toml --out out"}\n',
            stderr=["sim plot: error: out: incomplete run (interrupted); run it again"])
_run_folder("run-calls-arrival", "a call arrival that is not a number", "calls.csv",
            RUN_FOLDER["out/calls.csv"].replace("950.000000", "9:50"),
            stderr=["sim plot: error: out/calls.csv:3: arrival: expected a number, got '9:50'"])
_run_folder("run-calls-fields", "a calls.csv line with a field missing", "calls.csv",
            RUN_FOLDER["out/calls.csv"].replace("abandoned_queue,", ""),
            stderr=["sim plot: error: out/calls.csv:3: expected 7 fields, got 6"])
_run_folder("run-calls-outcome", "an unknown call outcome", "calls.csv",
            RUN_FOLDER["out/calls.csv"].replace("abandoned_queue", "hung_up"),
            stderr=["sim plot: error: out/calls.csv:3: outcome: expected answered, abandoned_queue, "
                    "abandoned_ringing or unfinished, got 'hung_up'"])
_run_folder("run-stats-cut", "stats.csv cut short in its last line", "stats.csv",
            RUN_FOLDER["out/stats.csv"][:-8],
            stderr=["sim plot: error: out/stats.csv:3: expected 7 fields, got 5 (the file ends in a cut line)"])
_run_folder("run-stats-time", "a stats.csv time that is not a number", "stats.csv",
            RUN_FOLDER["out/stats.csv"].replace(f"{_T0 + 900},", "12:15,"),
            stderr=["sim plot: error: out/stats.csv:2: time: expected a number, got '12:15'"])
_run_folder("run-summary-json", "summary.json that is not JSON", "summary.json",
            RUN_FOLDER["out/summary.json"].replace('"epoch"', "epoch"),
            stderr=["sim plot: error: out/summary.json:1: not valid JSON (Expecting property name enclosed in double quotes)"])
_run_folder("run-summary-epoch", "a summary.json epoch that is not a date", "summary.json",
            RUN_FOLDER["out/summary.json"].replace("2026-01-05T00:00:00Z", "yesterday"),
            stderr=["sim plot: error: out/summary.json: epoch: expected an ISO date-time, got 'yesterday'"])
_run_folder("run-statuses-truncated", "statuses.jsonl cut short", "statuses.jsonl",
            "".join(_LINES)[:-40],
            stderr=["sim plot: error: out/statuses.jsonl:4: not valid JSON (unexpected end of data)"],
            show="statuses.jsonl: its last line cut 40 characters short")
_run_folder("run-statuses-time", "a status change whose time is a word", "statuses.jsonl",
            "".join(_LINES[:2]) + _LINES[2].replace(f"{_T0F + 12.5}", '"noon"') + _LINES[3],
            stderr=["sim plot: error: out/statuses.jsonl:3: time: expected a number, got 'noon'"])
_run_folder("run-actions-truncated", "actions.jsonl cut short", "actions.jsonl",
            RUN_FOLDER["out/actions.jsonl"][:-20],
            stderr=["sim plot: error: out/actions.jsonl:2: not valid JSON (unexpected end of data)"],
            show="actions.jsonl: its last line cut 20 characters short")
_run_folder("run-parquet-damaged", "a Parquet table cut short (sim run --store parquet)", "statuses.parquet",
            b"PAR1\x15\x04",
            stderr=["sim plot: error: out/statuses.parquet: not a readable Parquet file (Parquet file size is 6 "
                    "bytes, smaller than the minimum file footer (8 bytes))"],
            show="statuses.parquet: its first 6 bytes only")

# --------------------------------------------------------------------------- bounded work (issue 17)
_OVERFLOW2 = SCENARIO.replace('skill = "sales"\n', 'skill = "sales"\noverflow = { after = 0, to = "7001" }\n', 1) + \
    '\n[[queues]]\nnumber = "7001"\nskill = "sales"\noverflow = { after = 0, to = "7000" }\n'
_scenario("scenario-overflow-self", "a queue overflowing to itself at once",
          SCENARIO.replace('skill = "sales"\n', 'skill = "sales"\noverflow = { after = 0, to = "7000" }\n', 1),
          stderr=["sim run: error: scenario.toml: queues[0].overflow: queue 7000 overflows to itself with after = 0 s in all: a call would move forever at one instant (the overflow times of a cycle must add up to at least 1 s)"],
          show='[[queues]]\nnumber = "7000"\noverflow = { after = 0, to = "7000" }')
_scenario("scenario-overflow-cycle", "two queues overflowing to each other at once", _OVERFLOW2,
          stderr=["sim run: error: scenario.toml: queues[0].overflow: queues 7000 -> 7001 -> 7000 overflow to each other with after = 0 s in all: a call would move forever at one instant (the overflow times of a cycle must add up to at least 1 s)"],
          show='[[queues]]\nnumber = "7000"\noverflow = { after = 0, to = "7001" }\n\n[[queues]]\nnumber = "7001"\noverflow = { after = 0, to = "7000" }')
_scenario("scenario-redial-loop", "callers who never wait and always redial at once",
          SCENARIO + "patience = 0\nredial = { probability = 1, delay = 0 }\n",
          stderr=["sim run: error: scenario.toml: traffic[0].redial: probability 1 with delay 0 and patience 0: a caller would redial forever at one instant (give a delay, a patience or a probability below 1)"],
          show="patience = 0\nredial = { probability = 1, delay = 0 }")
_scenario("scenario-interval-short", "a reporting interval below one second", SCENARIO.replace("horizon = 600", "horizon = 600\ninterval = 0.5"),
          stderr=["sim run: error: scenario.toml: run.interval: 0.5 is less than the minimum of 1"], show="[run]\ninterval = 0.5")
_scenario("scenario-notify-short", "a notification period below one second", SCENARIO,
          argv=["run", "scenario.toml", "--out", "out", "--set", "run.notify_every=0.001"],
          stderr=["sim run: error: scenario.toml: run.notify_every: 0.001 is less than the minimum of 1"],
          show="sim run scenario.toml --set run.notify_every=0.001")
_scenario("scenario-profile-interval-short", "a traffic profile interval below one second", SCENARIO + "interval = 0\n",
          stderr=["sim run: error: scenario.toml: traffic[0].interval: 0 is less than the minimum of 1"], show="[[traffic]]\ninterval = 0")
_scenario("scenario-too-large", "a rate that asks for a billion calls", SCENARIO.replace("rate = 60", "rate = 6e9"),
          argv=["stream", "scenario.toml"],
          stderr=["sim stream: error: scenario.toml: estimated about 1,000,000,000 calls, 2 agents, 10,000,000,000 events, 157 MB of memory: more than 50,000,000 calls, more than 500,000,000 events; --allow-large runs it anyway"],
          show="[[traffic]]\nrate = 6e9   # calls per hour, over 600 s",
          note="`sim run` also compares the estimated output with the free space of `--out`; `sim sweep` adds up its points and replications")
_scenario("scenario-gamma-mean-only", "a gamma distribution with only a mean", SCENARIO + 'handle = { dist = "gamma", mean = 180 }\n',
          stderr=["sim run: error: scenario.toml: traffic[0].handle: a gamma distribution needs 'sd' or 'shape' (one of them) besides 'mean'"],
          show='handle = { dist = "gamma", mean = 180 }')
_scenario("scenario-uniform-reversed", "a uniform distribution with low above high", SCENARIO + 'handle = { dist = "uniform", low = 300, high = 60 }\n',
          stderr=["sim run: error: scenario.toml: traffic[0].handle.high: 60 is less than low = 300"],
          show='handle = { dist = "uniform", low = 300, high = 60 }')
_scenario("scenario-empirical-weights", "fewer weights than values", SCENARIO + 'handle = { dist = "empirical", values = [60, 120, 180], weights = [1, 2] }\n',
          stderr=["sim run: error: scenario.toml: traffic[0].handle.weights: 2 weights for 3 values (give one weight per value)"],
          show='handle = { dist = "empirical", values = [60, 120, 180], weights = [1, 2] }')
_scenario("scenario-epoch-range", "an epoch before 1970", SCENARIO.replace("horizon = 600", 'horizon = 600\nepoch = 1969-12-31T23:00:00Z'),
          stderr=["sim run: error: scenario.toml: run.epoch: the run from 1969-12-31T23:00:00+00:00 to its end (horizon + drain) must lie between 1970-01-01 and 2286-11-20 (the times a trace may carry)"],
          show="[run]\nepoch = 1969-12-31T23:00:00Z   # a TOML date-time (a string works too)")
_scenario("scenario-warning-no-skill", "a queue no agent has the skill for (a warning: the run goes on)",
          SCENARIO + '\n[[queues]]\nnumber = "7001"\nskill = "billing"\n',
          argv=["run", "scenario.toml", "--out", "out", "--trace-only", "--no-plots"], code=0,
          stderr=["sim run: warning: scenario.toml: queues[1]: no agent has skill 'billing', so queue 7001 never distributes a call"],
          show='[[queues]]\nnumber = "7001"\nskill = "billing"   # no team has it',
          note="also a team whose skills no queue asks for, and a scenario without agents")
_cli("cli-replay-notify-short", "a notification interval below one second",
     ["replay", "events.jsonl", "--objects", "objects.toml", "--notify", "0.25"],
     files={"objects.toml": OBJECTS, "events.jsonl": trace_file(TRACE_AFTER[0])},
     stderr=["sim replay: error: --notify: must be at least 1 second, got 0.25"])

# --------------------------------------------------------------------------- output folder (issue 17)
def _out(id: str, what: str, argv: list[str], stderr: list[str], files: dict | None = None, **kw) -> None:
    CASES.append(Case(id, "output folder", what, files or {}, argv, stderr, **kw))


_out("out-foreign-files", "an --out folder holding other files", ["run", "scenario.toml", "--out", "mine"],
     ["sim run: error: mine: holds files that are not a sim output (notes.txt); give --overwrite to replace "
      "the folder, or choose another --out"], files={"scenario.toml": SCENARIO, "mine/notes.txt": "keep"})
_out("out-is-a-file", "an --out that is a file", ["run", "scenario.toml", "--out", "taken"],
     ["sim run: error: taken: exists and is not a folder; choose another --out"],
     files={"scenario.toml": SCENARIO, "taken": "a file"})
_out("out-current-folder", "the current folder as --out", ["run", "scenario.toml", "--out", ".", "--overwrite"],
     ["sim run: error: .: is the current folder or one of its parents; choose another --out"],
     files={"scenario.toml": SCENARIO})
_out("out-holds-the-trace", "replaying a run's trace into its own folder",
     ["replay", "out/events.jsonl", "--objects", "out/objects.toml", "--out", "out"],
     ["sim replay: error: out: holds out/events.jsonl, an input of this command, which the output would "
      "replace; choose another --out"],
     files={"out/events.jsonl": trace_file(TRACE_AFTER[0]), "out/objects.toml": OBJECTS})
_out("out-holds-the-scenario", "a scenario inside the --out folder",
     ["run", "runs/scenario.toml", "--out", "runs", "--overwrite"],
     ["sim run: error: runs: holds runs/scenario.toml, an input of this command, which the output would "
      "replace; choose another --out"], files={"runs/scenario.toml": SCENARIO})
_out("import-log-onto-itself", "import-log writing over its log", ["import-log", "x.log", "--out", "x.log"],
     ["sim import-log: error: x.log: is an input of this command; choose another --out"],
     files={"x.log": "message EventAgentReady\n"})
_out("import-log-out-folder", "import-log --out naming a folder", ["import-log", "x.log", "--out", "traces"],
     ["sim import-log: error: traces: is a folder; --out names the file to write"],
     files={"x.log": "message EventAgentReady\n", "traces/keep": ""})
_cli("cli-check-max-negative", "a negative --max", ["check", "events.jsonl", "--max", "-5"],
     ["sim check: error: --max: must be 0 or more, got -5"], files={"events.jsonl": trace_file(TRACE_AFTER[0])})
_cli("cli-explain-conn-unknown", "--conn naming no call of the trace",
     ["explain", "--trace", "events.jsonl", "--objects", "objects.toml", "--conn", "00ffffffffffffff"],
     ["sim explain: error: --conn: no row about ConnID '00ffffffffffffff' in the trace"],
     files={"events.jsonl": "\n".join(TRACE) + "\n", "objects.toml": OBJECTS})


# --------------------------------------------------------------------------- log text (sim import-log)
_cli("import-log-no-events", "a log file with no event in it (the wrong file or form)",
     ["import-log", "urs.log", "--switch", "SW1", "--out", "events.jsonl"],
     ["sim import-log: error: urs.log: no events (skipped 0 request block(s), 0 unknown message(s), "
      "2 narration line(s); 0 line(s) not understood): no 'message EventX', 'request to N(App) message "
      "RequestDistributeEvent' or 'Proxy got message 'EventX'' block could be read"],
     files={"urs.log": "Application name:   URS_01\n_I_I_ [09:04] nothing to see\n"},
     note="Nothing is written: a trace with no event is almost always the wrong file or form.")
_cli("import-log-date", "a --date that is not a date", ["import-log", "x.log", "--date", "2026-13-01",
     "--out", "events.jsonl"], ["sim import-log: error: --date: expected YYYY-MM-DD, got '2026-13-01'"],
     files={"x.log": "message EventAgentReady\n"})

AREAS = ('trace', 'objects', 'scenario', 'stat types', 'command line', 'run folder', 'output folder')
