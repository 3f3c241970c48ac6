"""Contract-3 JSON lines for the engine's records (docs/reference/contracts.md §3), fast.

One job: turn the records of sim.statserver.records into the lines of actions.jsonl and
statuses.jsonl, byte for byte what ``orjson.dumps(record.to_dict())`` would write.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any, cast

import orjson

from sim.statserver.records import Action, GroupStatus, Record, Request, StatusChange
from sim.tlib.rounding import round6

# ------------------------------------------------------------------------------ JSON lines
# ``actions.jsonl`` / ``statuses.jsonl`` carry ~45 records per call, so the writer does not go
# through ``to_dict`` (a dict per record, then orjson): it pastes together JSON fragments that
# were each made once by orjson from a dict with the same keys, in the same order, so every
# line is byte for byte ``orjson.dumps(r.to_dict())``. A record repeats most fields of the one
# before it (an action's DN, Place and Agent copies share time, name, ConnID and data), so
# those fragments are kept from record to record; per-object fragments live in dicts bounded
# by the configuration.

_ACTION_KEYS = frozenset(("time", "action", "kind", "object_type", "object", "ConnID", "CallType",
                          "duration", "dn"))


def _inner(d: dict[str, Any]) -> str:
    """``"k":v,...`` of the JSON object ``d`` (orjson's own encoding, braces stripped)."""
    return orjson.dumps(d).decode()[1:-1]


class LineEncoder:
    """Contract-3 lines for records, identical to ``orjson.dumps(r.to_dict()) + b"\\n"``."""

    def __init__(self) -> None:
        # object type -> object -> "object_type":..,"object":..
        self._objects: defaultdict[str, dict[str, str]] = defaultdict(dict)
        self._names: dict[tuple[str, str], str] = {}    # ,"action":..,"kind":..,
        self._dns: dict[str, str] = {}                  # ,"dn":..
        self._changes: dict[tuple[str, str | None], str] = {}  # ,"status":..,"previous":..
        self._ctypes: dict[Any, str] = {}               # ,"CallType":..
        self._conns: dict[tuple, str] = {}              # ,"ConnID":..,"CallType":.. (recent calls)

    def encode(self, records: list) -> tuple[str, str, int, int, int]:
        """The action lines and status lines of ``records`` (one TEvent's), and how many
        actions, statuses and requests there were."""
        objects, dns = self._objects, self._dns
        actions: list[str] = []
        statuses: list[str] = []
        n_requests = 0
        # the fragments shared with the previous record (compared by identity: a miss only
        # costs time, never changes a byte); times by value, since a compiled record holds
        # its time as a C double and gives a new float object at each read (a zero is not
        # reused: 0.0 == -0.0 but they are written differently; nor an int for a float)
        time: Any = None
        name: Any = None
        kind: Any = None
        conn: Any = None
        ctype: Any = None
        data: Any = None
        dur: Any = None
        time_s = names_s = conn_s = dur_s = ""
        data_s: str | None = "}\n"     # the end of a line without data
        for r in records:
            cls = type(r)
            if cls is Request:
                n_requests += 1
                continue
            t = cast(Record, r).time
            if t != time or type(t) is not type(time) or not t:
                time, time_s = t, _time(t)
            if cls is Action:
                a = cast(Action, r)
                n, k, object_type, obj = a.action, a.kind, a.object_type, a.object
                c, ct, d, dn, dt = a.conn_id, a.call_type, a.duration, a.dn, a.data
                if n is not name or k is not kind:
                    name, kind = n, k
                    names_s = self._names.get((n, k)) or self._name(n, k)
                if c is not conn or ct is not ctype:
                    conn, ctype = c, ct
                    conn_s = self._conn(c, ct)
                if dt is not data:
                    data, data_s = dt, _data(dt)
                if data_s is None:        # see _data
                    actions.append(orjson.dumps(a.to_dict()).decode() + "\n")
                    continue
                if d is None:
                    d_s = ""
                elif d is dur or (type(d) is float and type(dur) is float and d == dur and d):
                    # the Agent copy has a float of its own, usually of the same value (a
                    # non-zero float: 0.0 == -0.0 but they are written differently)
                    d_s = dur_s
                else:
                    dur, d_s = d, ',"duration":' + orjson.dumps(round6(d)).decode()
                    dur_s = d_s
                obj_s = objects[object_type].get(obj) or self._object(object_type, obj)
                if dn is None or dn == obj:
                    dn_s = ""
                else:
                    dn_s = dns.get(dn) or self._dn(dn)
                actions.append(f"{time_s}{names_s}{obj_s}{conn_s}{d_s}{dn_s}{data_s}")
            elif cls is StatusChange:
                sc = cast(StatusChange, r)
                object_type, obj, status = sc.object_type, sc.object, sc.status
                previous, ct, reasons = sc.previous, sc.call_type, sc.reasons
                obj_s = objects[object_type].get(obj) or self._object(object_type, obj)
                change = self._changes.get((status, previous)) or self._change(status, previous)
                ct_s = "" if ct is None else self._ctype(ct)
                reasons_s = "," + _inner({"Reasons": dict(reasons)}) if reasons else ""
                statuses.append(f"{time_s},{obj_s}{change}{ct_s}{reasons_s}}}\n")
            elif cls is GroupStatus:
                g = cast(GroupStatus, r)
                object_type, obj, counts, member = g.object_type, g.object, g.counts, g.member
                obj_s = objects[object_type].get(obj) or self._object(object_type, obj)
                rest = _inner({"counts": counts if type(counts) is dict else dict(counts),
                               "member": member})
                statuses.append(f"{time_s},{obj_s},{rest}}}\n")
        return "".join(actions), "".join(statuses), len(actions), len(statuses), n_requests

    # The caches below key on values, and 1 == 1.0 == True: a fragment is only kept for the
    # exact types records carry (str, None; int for CallType), and an int-keyed cache is only
    # asked about an int, so a value of another type is encoded afresh, never taken for another.
    def _object(self, object_type: str, obj: str) -> str:
        s = _inner({"object_type": object_type, "object": obj})
        if type(object_type) is str and type(obj) is str:
            self._objects[object_type][obj] = s
        return s

    def _name(self, name: str, kind: str) -> str:
        s = "," + _inner({"action": name, "kind": kind}) + ","
        if type(name) is str and type(kind) is str:
            self._names[(name, kind)] = s
        return s

    def _dn(self, dn: str) -> str:
        s = "," + _inner({"dn": dn})
        if type(dn) is str:
            self._dns[dn] = s
        return s

    def _change(self, status: str, previous: str | None) -> str:
        s = "," + _inner({"status": status, "previous": previous})
        if type(status) is str and (previous is None or type(previous) is str):
            self._changes[(status, previous)] = s
        return s

    def _conn(self, conn: Any, ctype: Any) -> str:
        """Also asked when ``ctype`` is not an int (see above): then nothing is kept."""
        if ctype is None or type(ctype) is int:
            s = self._conns.get((conn, ctype))
            if s is not None:
                return s
        ids: dict[str, Any] = {}
        if conn is not None:
            ids["ConnID"] = conn
        if ctype is not None:
            ids["CallType"] = ctype
        s = "," + _inner(ids) if ids else ""
        if (conn is None or type(conn) is str) and (ctype is None or type(ctype) is int):
            if len(self._conns) >= 4096:     # a ConnID lives a few minutes: keep recent ones
                self._conns.clear()
            self._conns[(conn, ctype)] = s
        return s

    def _ctype(self, ctype: Any) -> str:
        if type(ctype) is int:
            s = self._ctypes.get(ctype)
            if s is None:
                s = self._ctypes[ctype] = "," + _inner({"CallType": ctype})
            return s
        return "," + _inner({"CallType": ctype})


def _time(t: Any) -> str:
    return '{"time":' + orjson.dumps(round6(t)).decode()


def _data(data: Any) -> str | None:
    """The attached-data keys and the end of an action line; None when only ``to_dict`` gets
    them right: a data key that is also a record key replaces that key's value in place."""
    if not data:
        return "}\n"
    if type(data) is not dict or not _ACTION_KEYS.isdisjoint(data):
        return None
    return "," + _inner(data) + "}\n"
