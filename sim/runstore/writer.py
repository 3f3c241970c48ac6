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
from sim.statserver.records import Action, GroupStatus, StatusChange
from sim.statserver.stats.engine import whole
from sim.tlib.rounding import round6


def _json(value: Any) -> str:
    return orjson.dumps(value if type(value) is dict else dict(value)).decode()


class RecordColumns:
    """actions.parquet and statuses.parquet of one run folder.

    The records of each TEvent are kept as they are (values, never changed once made) and
    turned into columns a row group at a time, one list comprehension per column: several
    times cheaper than appending each field of each record as it comes."""

    def __init__(self, out_dir: str) -> None:
        self.actions = ParquetTable(os.path.join(out_dir, ACTIONS.parquet), ACTIONS)
        self.statuses = ParquetTable(os.path.join(out_dir, STATUSES.parquet), STATUSES)
        self._pending: list[Any] = []

    def add(self, records: list[Any]) -> None:
        """Store one TEvent's records (requests are not stored)."""
        pending = self._pending
        pending.extend(records)
        if len(pending) >= self.actions.rows:
            self.flush()

    def flush(self) -> None:
        pending, self._pending = self._pending, []
        acts = [r for r in pending if type(r) is Action]
        sts = [r for r in pending if type(r) is StatusChange or type(r) is GroupStatus]
        del pending
        if acts:
            _action_columns(acts, self.actions.columns)
            self.actions.flush()
        if sts:
            _status_columns(sts, self.statuses.columns)
            self.statuses.flush()

    def close(self) -> None:
        self.flush()
        self.actions.close()
        self.statuses.close()


def _times(records: list[Any]) -> list[Any]:
    """The records' times rounded to the microsecond, each distinct time rounded once."""
    ts = [r.time for r in records]
    rounded = {t: round6(t) for t in set(ts)}
    return [rounded[t] for t in ts]


def _jsons(values: list[Any]) -> list[str | None]:
    """JSON texts of mappings (None for an empty one), each distinct object encoded once (the
    DN, Place and Agent copies of an action share their attached data)."""
    texts = {id(v): _json(v) for v in values if v}
    return [texts[id(v)] if v else None for v in values]


def _action_columns(acts: list[Any], columns: list[list[Any]]) -> None:
    time, name, kind, otype, obj, conn, ctype, dur, dn, data = columns
    time.extend(_times(acts))
    name.extend([r.action for r in acts])
    kind.extend([r.kind for r in acts])
    otype.extend([r.object_type for r in acts])
    objs = [r.object for r in acts]
    obj.extend(objs)
    conn.extend([r.conn_id for r in acts])
    ctype.extend([r.call_type for r in acts])
    dur.extend([None if d is None else round6(d) for d in [r.duration for r in acts]])
    dn.extend([None if d is None or d == o else d
               for d, o in zip([r.dn for r in acts], objs, strict=True)])
    data.extend(_jsons([r.data for r in acts]))


def _status_columns(sts: list[Any], columns: list[list[Any]]) -> None:
    """Status changes and group counts, in their order (a group record has ``counts`` and
    ``member`` where a status change has ``status``, ``previous``, CallType and Reasons)."""
    time, otype, obj, status, prev, ctype, reasons, counts, member = columns
    change = [type(r) is StatusChange for r in sts]
    time.extend(_times(sts))
    otype.extend([r.object_type for r in sts])
    obj.extend([r.object for r in sts])
    status.extend([r.status if c else None for r, c in zip(sts, change, strict=True)])
    prev.extend([r.previous if c else None for r, c in zip(sts, change, strict=True)])
    ctype.extend([r.call_type if c else None for r, c in zip(sts, change, strict=True)])
    reasons.extend(_jsons([r.reasons if c else None for r, c in zip(sts, change, strict=True)]))
    counts.extend([None if c else _json(r.counts) for r, c in zip(sts, change, strict=True)])
    member.extend([None if c else r.member for r, c in zip(sts, change, strict=True)])


class StatColumns:
    """stats.parquet: the rows of each notification (sim.statserver.stats.output.Notifier)."""

    def __init__(self, out_dir: str) -> None:
        self.table = ParquetTable(os.path.join(out_dir, STATS.parquet), STATS)

    def write_rows(self, rows: list[Any]) -> None:
        """Each row as stats.csv shows it (``whole``: times and values rounded to 1e-6; an
        empty text is no value), so a frame read from either file is the same (tested)."""
        step = self.table.rows
        for i in range(0, len(rows), step):      # a row group at a time: bounded buffers
            self._columns(rows[i:i + step])

    def _columns(self, rows: list[Any]) -> None:
        table = self.table
        times, types, otypes, objs, profs, values, states, valids = table.columns
        ts = [r.time for r in rows]
        shown = {t: float(whole(round(t, 6))) for t in set(ts)}
        times.extend([shown[t] for t in ts])
        types.extend([r.stat_type for r in rows])
        otypes.extend([r.object_type for r in rows])
        objs.extend([r.object for r in rows])
        profs.extend([r.time_profile or None for r in rows])
        vs = [r.value for r in rows]
        # float(whole(v)) for a float is round6(v), with -0.0 shown as 0
        values.extend([round6(v) + 0.0 if type(v) is float else float(v) if type(v) is int else None
                       for v in vs])
        states.extend([None if v is None or type(v) is float or type(v) is int
                       else (v if isinstance(v, str) else str(v)) or None for v in vs])
        valids.extend([bool(r.valid) for r in rows])
        if len(times) >= table.rows:
            table.flush()

    def close(self) -> None:
        self.table.close()
