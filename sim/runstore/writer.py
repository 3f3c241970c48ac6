"""The Parquet side of the pipeline: records appended to column buffers as the run goes.

:class:`RecordColumns` takes the engine's records of each TEvent (what
:class:`sim.pipeline.Pipeline` would encode as JSON lines) and :class:`StatColumns` the
statistics engine's notification rows (what stats.csv would get). Values are stored as the
text formats write them (times and durations rounded to the microsecond, nested values as
JSON texts), so both formats hold the same rows (sim.runstore.schema). Not compiled: the
pipeline calls it once per TEvent.
"""

from __future__ import annotations

import os
from typing import Any

import orjson

from sim.runstore.columns import ParquetTable
from sim.runstore.schema import ACTIONS, STATS, STATUSES
from sim.statserver.records import Action, GroupStatus, Request, StatusChange
from sim.statserver.stats.engine import whole
from sim.tlib.rounding import round6


def _json(value: Any) -> str:
    return orjson.dumps(value if type(value) is dict else dict(value)).decode()


class RecordColumns:
    """actions.parquet and statuses.parquet of one run folder."""

    def __init__(self, out_dir: str) -> None:
        self.actions = ParquetTable(os.path.join(out_dir, ACTIONS.parquet), ACTIONS)
        self.statuses = ParquetTable(os.path.join(out_dir, STATUSES.parquet), STATUSES)
        self._data: Any = None          # the last attached data seen, and its JSON
        self._data_s: str | None = None
        self._time: Any = None          # the last time seen, and its rounding
        self._time_r: Any = None

    def _t(self, t: Any) -> Any:
        if t != self._time or type(t) is not float or not t:
            self._time, self._time_r = t, round6(t)
        return self._time_r

    def append(self, records: list[Any]) -> tuple[int, int, int]:
        """Store one TEvent's records; return how many actions, statuses and requests."""
        (a_time, a_name, a_kind, a_otype, a_obj, a_conn, a_ctype, a_dur, a_dn,
         a_data) = self.actions.columns
        (s_time, s_otype, s_obj, s_status, s_prev, s_ctype, s_reasons, s_counts,
         s_member) = self.statuses.columns
        n_actions = n_statuses = n_requests = 0
        for r in records:
            cls = type(r)
            if cls is Action:
                n_actions += 1
                obj, dn, d, data = r.object, r.dn, r.duration, r.data
                if data is not self._data:
                    self._data = data
                    self._data_s = _json(data) if data else None
                a_time.append(self._t(r.time))
                a_name.append(r.action)
                a_kind.append(r.kind)
                a_otype.append(r.object_type)
                a_obj.append(obj)
                a_conn.append(r.conn_id)
                a_ctype.append(r.call_type)
                a_dur.append(None if d is None else round6(d))
                a_dn.append(None if dn is None or dn == obj else dn)
                a_data.append(self._data_s)
            elif cls is StatusChange:
                n_statuses += 1
                reasons = r.reasons
                s_time.append(self._t(r.time))
                s_otype.append(r.object_type)
                s_obj.append(r.object)
                s_status.append(r.status)
                s_prev.append(r.previous)
                s_ctype.append(r.call_type)
                s_reasons.append(_json(reasons) if reasons else None)
                s_counts.append(None)
                s_member.append(None)
            elif cls is GroupStatus:
                n_statuses += 1
                s_time.append(self._t(r.time))
                s_otype.append(r.object_type)
                s_obj.append(r.object)
                s_status.append(None)
                s_prev.append(None)
                s_ctype.append(None)
                s_reasons.append(None)
                s_counts.append(_json(r.counts))
                s_member.append(r.member)
            elif cls is Request:
                n_requests += 1
        if self.actions.full():
            self.actions.flush()
        if self.statuses.full():
            self.statuses.flush()
        return n_actions, n_statuses, n_requests

    def close(self) -> None:
        self.actions.close()
        self.statuses.close()


class StatColumns:
    """stats.parquet: the rows of each notification (sim.statserver.stats.output.Notifier)."""

    def __init__(self, out_dir: str) -> None:
        self.table = ParquetTable(os.path.join(out_dir, STATS.parquet), STATS)

    def write_rows(self, rows: list[Any]) -> None:
        """Each row as stats.csv shows it (``whole``: times and values rounded to 1e-6; an
        empty text is no value), so a frame read from either file is the same (tested)."""
        table = self.table
        times, types, otypes, objs, profs, values, states, valids = table.columns
        limit = table.rows
        last: Any = None
        tv = 0.0
        for r in rows:
            t = r.time
            if t != last:
                last, tv = t, float(whole(round(t, 6)))
            v = r.value
            k = type(v)
            if k is float:           # float(whole(v)): the value stats.csv shows
                values.append(round6(v) + 0.0)
                states.append(None)
            elif k is int:
                values.append(float(v))
                states.append(None)
            else:
                values.append(None)
                states.append(None if v is None else (v if isinstance(v, str) else str(v)) or None)
            times.append(tv)
            types.append(r.stat_type)
            otypes.append(r.object_type)
            objs.append(r.object)
            profs.append(r.time_profile or None)
            valids.append(bool(r.valid))
            if len(times) >= limit:
                table.flush()

    def close(self) -> None:
        self.table.close()
