"""The rows of the run tables (sim.runstore.schema), from and to their text forms, and the
column buffers that write them to Parquet one row group at a time.

A row is a tuple in the order of its table's columns. Each table has a ``from_text``
function (one parsed JSON line, or one CSV line's fields -> row; ``ValueError`` for a line
that does not fit) and a ``to_text`` function (rows -> the exact text ``sim run`` writes for
them). Text is read and written in blocks, Parquet in row groups, so converting a run of any
length takes bounded memory.
"""

from __future__ import annotations

import csv
import io
import os
from collections.abc import Callable, Iterable, Iterator
from typing import Any

import orjson

from sim.runstore.schema import (
    ACTIONS,
    ATTR_KIND,
    EVENT_ATTRS,
    EVENTS,
    STATS,
    STATUSES,
    Table,
)
from sim.statserver.lines import LineEncoder
from sim.statserver.records import Action, GroupStatus, StatusChange
from sim.statserver.stats.engine import Row
from sim.statserver.stats.output import StatsCsvWriter

ROWS = 1 << 14          # rows per Parquet row group (and per block of text lines)
COMPRESSION = "zstd"
Problem = Callable[[str], None]


def _json(value: Any) -> str:
    return orjson.dumps(value if type(value) is dict else dict(value)).decode()


def _check(row: tuple, spec: Table) -> tuple:
    """``row`` with its values checked against the column kinds (numbers made floats where
    the column is float); ValueError names the first column that does not fit."""
    out = list(row)
    for i, col in enumerate(spec.columns):
        v = out[i]
        if v is None:
            continue
        k, t = col.kind, type(v)
        if k == "float":
            if t is not float:
                if t is not int:
                    raise ValueError(f"{col.name}: expected a number, got {v!r}")
                out[i] = float(v)
        elif k == "int":
            if t is not int:
                raise ValueError(f"{col.name}: expected an integer, got {v!r}")
        elif k == "bool":
            if t is not bool:
                raise ValueError(f"{col.name}: expected a boolean, got {v!r}")
        elif t is not str:
            raise ValueError(f"{col.name}: expected a string, got {v!r}")
    return tuple(out)


def _need(d: dict, key: str) -> Any:
    try:
        return d.pop(key)
    except KeyError:
        raise ValueError(f"missing key {key!r}") from None


# ------------------------------------------------------------------------------ actions
def action_from_json(d: dict) -> tuple:
    d = dict(d)
    row = (_need(d, "time"), _need(d, "action"), _need(d, "kind"), _need(d, "object_type"),
           _need(d, "object"), d.pop("ConnID", None), d.pop("CallType", None),
           d.pop("duration", None), d.pop("dn", None), _json(d) if d else None)
    return _check(row, ACTIONS)


def _action(r: tuple) -> Action:
    t, name, kind, ot, obj, conn, ct, dur, dn, data = r
    return Action(t, name, kind, ot, obj, None, conn, ct, dur, dn,
                  orjson.loads(data) if data else None)


def _status(r: tuple) -> StatusChange | GroupStatus:
    t, ot, obj, status, previous, ct, reasons, counts, member = r
    if counts is not None:
        return GroupStatus(t, ot, obj, orjson.loads(counts), member)
    return StatusChange(t, ot, obj, status, previous, ct, orjson.loads(reasons) if reasons else None)


def status_from_json(d: dict) -> tuple:
    d = dict(d)
    head = (_need(d, "time"), _need(d, "object_type"), _need(d, "object"))
    if "counts" in d:
        row = head + (None, None, None, None, _json(_need(d, "counts")), _need(d, "member"))
    else:
        reasons = d.pop("Reasons", None)
        row = head + (_need(d, "status"), _need(d, "previous"), d.pop("CallType", None),
                      _json(reasons) if reasons else None, None, None)
    return _check(row, STATUSES)


def records_text(rows: Iterable[tuple], spec: Table) -> str:
    """actions.jsonl / statuses.jsonl lines of ``rows``: the records rebuilt and encoded by
    the encoder ``sim run`` uses, so the lines are the same bytes."""
    make = _action if spec is ACTIONS else _status
    actions, statuses, *_ = LineEncoder().encode([make(r) for r in rows])
    return actions if spec is ACTIONS else statuses


# ------------------------------------------------------------------------------ stats
def stat_from_csv(f: list[str]) -> tuple:
    if len(f) != 7:
        raise ValueError(f"expected 7 fields, got {len(f)}")
    t, st, ot, obj, prof, text, valid = f
    value = state = None
    if text:
        try:
            value = float(text)
        except ValueError:
            state = text
    if valid not in ("0", "1"):
        raise ValueError(f"valid: expected 0 or 1, got {valid!r}")
    return (_float(t, "time"), st, ot, obj, prof or None, value, state, valid == "1")


def stats_text(rows: Iterable[tuple], header: bool) -> str:
    buf = io.StringIO()
    w = StatsCsvWriter(buf)
    if not header:
        buf.seek(0)
        buf.truncate()
    w.write_rows([Row(t, st, ot, obj, prof or "", state if value is None else value, valid)
                  for t, st, ot, obj, prof, value, state, valid in rows])
    return buf.getvalue()


# ------------------------------------------------------------------------------ calls, truth
CALLS_HEADER = "connid,traffic,queue,arrival,outcome,wait,talk"
TRUTH_HEADER = "interval_start,object,counter,value"


def _float(text: str, name: str) -> float:
    try:
        return float(text)
    except ValueError:
        raise ValueError(f"{name}: expected a number, got {text!r}") from None


def call_from_csv(f: list[str]) -> tuple:
    if len(f) != 7:
        raise ValueError(f"expected 7 fields, got {len(f)}")
    return (f[0], f[1], f[2], _float(f[3], "arrival"), f[4], _float(f[5], "wait"),
            _float(f[6], "talk"))


def truth_from_csv(f: list[str]) -> tuple:
    if len(f) != 4:
        raise ValueError(f"expected 4 fields, got {len(f)}")
    try:
        value = int(f[3])
    except ValueError:
        raise ValueError(f"value: expected an integer, got {f[3]!r}") from None
    return (_float(f[0], "interval_start"), f[1], f[2], value)


def calls_text(rows: Iterable[tuple], header: bool) -> str:
    lines = [CALLS_HEADER] if header else []
    lines += [f"{c},{tr},{q},{a:.6f},{o},{w:.6f},{t:.6f}" for c, tr, q, a, o, w, t in rows]
    return "\n".join(lines) + "\n" if lines else ""


def truth_text(rows: Iterable[tuple], header: bool) -> str:
    lines = [TRUTH_HEADER] if header else []
    lines += [f"{s:g},{obj},{counter},{value}" for s, obj, counter, value in rows]
    return "\n".join(lines) + "\n" if lines else ""


# ------------------------------------------------------------------------------ events
_ENVELOPE = frozenset(("time", "event", "switch", "seq"))
_ATTR_INDEX = {a: 4 + i for i, a in enumerate(EVENT_ATTRS)}
_N_EVENT = len(EVENTS.columns)


def event_from_json(d: dict) -> tuple:
    """One trace line as a row: an attribute goes to its typed column when its value has the
    column's type, else (a name for an enumeration, a typo) to ``other``, kept as it was."""
    row: list[Any] = [None] * _N_EVENT
    for i, key in enumerate(("time", "event", "switch")):
        if d.get(key) is None:
            raise ValueError(f"missing key {key!r}")
        row[i] = d[key]
    row[3] = d.get("seq")
    if type(row[0]) is bool:
        raise ValueError(f"time: expected a number, got {row[0]!r}")
    keys: list[str] = []
    other: dict[str, Any] = {}
    for k, v in d.items():
        if k in _ENVELOPE:
            continue
        keys.append(k)
        kind = ATTR_KIND.get(k)
        t = type(v)
        if kind == "str" and t is str or kind == "int" and t is int:
            row[_ATTR_INDEX[k]] = v
        elif kind == "kv" and t is dict:
            row[_ATTR_INDEX[k]] = _json(v)
        else:
            other[k] = v
    row[-2] = _json(other) if other else None
    row[-1] = orjson.dumps(keys).decode()
    return _check(tuple(row), EVENTS)


def event_dict(r: tuple) -> dict[str, Any]:
    """The trace line's object of a row (envelope, then the attributes in their order)."""
    d: dict[str, Any] = {"time": r[0], "event": r[1], "switch": r[2]}
    if r[3] is not None:
        d["seq"] = r[3]
    other = orjson.loads(r[-2]) if r[-2] else {}
    for k in orjson.loads(r[-1]):
        i = _ATTR_INDEX.get(k)
        if i is None or r[i] is None:
            d[k] = other[k]
        elif ATTR_KIND[k] == "kv":
            d[k] = orjson.loads(r[i])
        else:
            d[k] = r[i]
    return d


def event_lines(rows: Iterable[tuple]) -> Iterator[bytes]:
    opt = orjson.OPT_APPEND_NEWLINE
    for r in rows:
        yield orjson.dumps(event_dict(r), option=opt)


def events_text(rows: Iterable[tuple]) -> str:
    return b"".join(event_lines(rows)).decode()


# ------------------------------------------------------------------------------ per table
JSONL_ROW = {"events": event_from_json, "actions": action_from_json, "statuses": status_from_json}
CSV_ROW = {"stats": stat_from_csv, "calls": call_from_csv, "truth": truth_from_csv}


def text_of(spec: Table, rows: list[tuple], header: bool) -> str:
    """The text-format block of ``rows`` (``header``: the file's first block)."""
    name = spec.name
    if name == "events":
        return events_text(rows)
    if name in ("actions", "statuses"):
        return records_text(rows, spec)
    if name == "stats":
        return stats_text(rows, header)
    if name == "calls":
        return calls_text(rows, header)
    return truth_text(rows, header)


def read_text(path: str, spec: Table, on_problem: Problem, block: int = ROWS) -> Iterator[list[tuple]]:
    """The rows of a text-format table file, in blocks; each bad line is reported as
    ``FILE:LINE: reason`` and skipped."""
    if spec.name in JSONL_ROW:
        yield from _read_jsonl(path, JSONL_ROW[spec.name], on_problem, block)
    else:
        yield from _read_csv(path, spec, CSV_ROW[spec.name], on_problem, block)


def _read_jsonl(path: str, convert: Callable[[dict], tuple], on_problem: Problem,
                block: int) -> Iterator[list[tuple]]:
    rows: list[tuple] = []
    loads = orjson.loads
    with open(path, "rb") as fh:
        for lineno, line in enumerate(fh, 1):
            if not line or line.isspace():
                continue
            try:
                d = loads(line)
                if type(d) is not dict:
                    raise ValueError("not a JSON object")
                rows.append(convert(d))
            except orjson.JSONDecodeError:
                on_problem(f"{path}:{lineno}: not valid JSON")
                continue
            except ValueError as exc:
                on_problem(f"{path}:{lineno}: {exc}")
                continue
            if len(rows) >= block:
                yield rows
                rows = []
    if rows:
        yield rows


def _read_csv(path: str, spec: Table, convert: Callable[[list[str]], tuple], on_problem: Problem,
              block: int) -> Iterator[list[tuple]]:
    rows: list[tuple] = []
    header = {"stats": ",".join(STATS_TEXT_COLUMNS), "calls": CALLS_HEADER,
              "truth": TRUTH_HEADER}[spec.name]
    with open(path, newline="", encoding="utf-8") as fh:
        reader = csv.reader(fh) if spec is STATS else (line.rstrip("\r\n").split(",") for line in fh)
        for lineno, fields in enumerate(reader, 1):
            if lineno == 1:
                if ",".join(fields) != header:
                    on_problem(f"{path}:1: expected the header {header}")
                    return
                continue
            if not fields or fields == [""]:
                continue
            try:
                rows.append(_check(convert(fields), spec))
            except ValueError as exc:
                on_problem(f"{path}:{lineno}: {exc}")
                continue
            if len(rows) >= block:
                yield rows
                rows = []
    if rows:
        yield rows


STATS_TEXT_COLUMNS = ("time", "stat_type", "object_type", "object", "time_profile", "value", "valid")


def read_parquet(path: str, spec: Table, block: int = ROWS) -> Iterator[list[tuple]]:
    """The rows of a Parquet table file, a batch at a time."""
    import pyarrow.parquet as pq
    with pq.ParquetFile(path) as pf:
        for batch in pf.iter_batches(batch_size=block, columns=spec.names):
            cols = batch.to_pydict()
            yield list(zip(*(cols[n] for n in spec.names), strict=True))


def arrow_table(blocks: Iterable[list[tuple]], spec: Table) -> Any:
    """One Arrow table of row blocks."""
    import pyarrow as pa
    schema = spec.arrow_schema()
    batches = [_batch(rows, schema) for rows in blocks]
    return pa.Table.from_batches(batches, schema=schema)


def _batch(rows: list[tuple], schema: Any) -> Any:
    import pyarrow as pa
    cols = list(zip(*rows, strict=True)) if rows else [() for _ in schema]
    return pa.record_batch([pa.array(c, type=f.type) for c, f in zip(cols, schema, strict=True)],
                           schema=schema)


# ------------------------------------------------------------------------------ writing
class ParquetTable:
    """A table's column buffers: rows are appended to one Python list per column and written
    as a row group every ``rows`` rows, so memory stays flat however long the run."""

    def __init__(self, path: str, spec: Table, rows: int | None = None) -> None:
        import pyarrow.parquet as pq
        self.path = path
        self.spec = spec
        self.schema = spec.arrow_schema()
        self.rows = rows or ROWS
        self.columns: list[list[Any]] = [[] for _ in spec.columns]
        self.count = 0
        self._writer = pq.ParquetWriter(path, self.schema, compression=COMPRESSION,
                                        use_dictionary=True, write_statistics=["time"]
                                        if "time" in spec.names else False)

    def append(self, row: tuple) -> None:
        for col, v in zip(self.columns, row, strict=True):
            col.append(v)
        if len(self.columns[0]) >= self.rows:
            self.flush()

    def extend(self, rows: list[tuple]) -> None:
        for row in rows:
            self.append(row)

    def full(self) -> bool:
        return len(self.columns[0]) >= self.rows

    def flush(self) -> None:
        import pyarrow as pa
        n = len(self.columns[0])
        if not n:
            return
        arrays = [pa.array(c, type=f.type) for c, f in zip(self.columns, self.schema, strict=True)]
        self._writer.write_batch(pa.record_batch(arrays, schema=self.schema),
                                 row_group_size=self.rows)
        self.count += n
        for c in self.columns:
            c.clear()

    def close(self) -> None:
        if self._writer is not None:
            self.flush()
            self._writer.close()
            self._writer = None


class CsvLinesToParquet:
    """A text sink (``write(str)``) taking the lines the model writes to calls.csv or
    truth.csv and storing them as rows of calls.parquet / truth.parquet as they come."""

    def __init__(self, out_dir: str, spec: Table) -> None:
        self.spec = spec
        self.table = ParquetTable(os.path.join(out_dir, spec.parquet), spec)
        self._convert = CSV_ROW[spec.name]
        self._partial = ""
        self._header = True

    def write(self, text: str) -> int:
        lines = (self._partial + text).split("\n")
        self._partial = lines.pop()
        for line in lines:
            if self._header:        # the model's header line: the columns are the schema's
                self._header = False
                continue
            self.table.append(self._convert(line.split(",")))
        return len(text)

    def flush(self) -> None:
        pass

    def close(self) -> None:
        if self._partial:
            self.write("\n")
        self.table.close()

    def __enter__(self) -> CsvLinesToParquet:
        return self

    def __exit__(self, *exc: Any) -> None:
        self.close()


class parquet_trace_lines:   # noqa: N801 - used like open()
    """The JSON lines of a Parquet trace, a row group at a time (a context manager yielding
    an iterator of lines, as ``open(path, "rb")`` does)."""

    def __init__(self, path: str) -> None:
        from sim.runstore.schema import EVENTS
        try:
            self._blocks = read_parquet(path, EVENTS)
            self._first = next(self._blocks, [])
        except (OSError, ValueError) as exc:     # pyarrow's errors for a file that is not Parquet
            from sim.errors import UserError
            raise UserError(f"{path}: not a Parquet trace ({exc})") from None

    def __enter__(self) -> Iterator[bytes]:
        def lines() -> Iterator[bytes]:
            yield from event_lines(self._first)
            for rows in self._blocks:
                yield from event_lines(rows)
        return lines()

    def __exit__(self, *exc: Any) -> None:
        self._blocks.close()
