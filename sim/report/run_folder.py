"""Reading a run folder for the plots, or saying in one line why it cannot be read.

A run folder is what ``sim run`` / ``sim replay`` write. The plots read it fast (blocks,
pre-filtered lines, compiled binning: :mod:`sim.report.plots`); this module is the slow,
careful reader they fall back on when a file does not read: it finds the first line that is
wrong and says why, as ``FILE:LINE: reason`` (a :class:`RunFolderError`). A folder of a run
that failed or was interrupted holds ``incomplete.json`` (``{"complete": false, "reason":
..., "command": ...}``) and is refused as a whole (:func:`check_complete`).

Only the error path scans a file from the start, so a good folder costs nothing more than
the tail check of each JSON-lines file (a truncated last line, :func:`check_tail`).
"""

from __future__ import annotations

import csv
import json
import math
import os
from collections.abc import Callable, Iterable
from datetime import datetime
from typing import Any

import orjson

INCOMPLETE = "incomplete.json"
TAIL = 65536                 # bytes read from the end of a file to find its last line


class RunFolderError(ValueError):
    """A file of a run folder that cannot be read: ``str()`` is the one line the user sees."""


def bad(path: str, reason: str, line: int | None = None) -> RunFolderError:
    if line and path.endswith(".parquet"):      # a Parquet file has rows, not lines
        return RunFolderError(f"{path}: row {line}: {reason}")
    return RunFolderError(f"{path}:{line}: {reason}" if line else f"{path}: {reason}")


# ------------------------------------------------------------------------------ the folder
def check_complete(run_dir: str) -> None:
    """Refuse the folder of a run that did not finish (it holds ``incomplete.json``)."""
    p = os.path.join(run_dir, INCOMPLETE)
    if not os.path.exists(p):
        return
    reason = "no reason given"
    try:
        with open(p, "rb") as fh:
            marker = orjson.loads(fh.read())
        if isinstance(marker, dict) and marker.get("complete") is True:
            return                   # a marker that says the run completed after all
        if isinstance(marker, dict) and isinstance(marker.get("reason"), str) and marker["reason"]:
            reason = marker["reason"]
    except (OSError, orjson.JSONDecodeError):
        reason = f"{INCOMPLETE} unreadable"
    raise bad(run_dir, f"incomplete run ({reason}); run it again")


def read_summary(path: str) -> dict[str, Any]:
    """summary.json, with the keys the plots use checked: ``epoch`` (an ISO date-time),
    ``end_time`` (seconds), ``sl_thresholds`` (seconds, at least one)."""
    try:
        with open(path, "rb") as fh:
            text = fh.read()
        summary = json.loads(text.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise bad(path, f"not UTF-8 text ({exc.reason} at byte {exc.start})") from None
    except json.JSONDecodeError as exc:
        raise bad(path, f"not valid JSON ({exc.msg})", exc.lineno) from None
    if not isinstance(summary, dict):
        raise bad(path, f"not a JSON object ({_json_kind(summary)})")
    if "epoch" in summary:
        epoch = summary["epoch"]
        try:
            datetime.fromisoformat(epoch.replace("Z", "+00:00")).timestamp()
        except (AttributeError, ValueError, OverflowError):
            raise bad(path, f"epoch: expected an ISO date-time, got {epoch!r}") from None
    if "end_time" in summary and not _number(summary["end_time"]):
        raise bad(path, f"end_time: expected a number of seconds, got {summary['end_time']!r}")
    if "sl_thresholds" in summary:
        sl = summary["sl_thresholds"]
        if not isinstance(sl, list) or not sl or not all(_number(x) for x in sl):
            raise bad(path, f"sl_thresholds: expected a list of seconds, got {sl!r}")
    return summary


def _number(x: Any) -> bool:
    return isinstance(x, (int, float)) and not isinstance(x, bool) and math.isfinite(x)


def _json_kind(x: Any) -> str:
    return {list: "an array", str: "a string", bool: "a boolean", type(None): "null"}.get(
        type(x), "a number")


# ------------------------------------------------------------------------------ JSON lines
def time_problem(r: dict[str, Any]) -> str | None:
    """What is wrong with the time of a record, if anything (any JSON-lines file of a run)."""
    if "time" not in r:
        return "missing key 'time'"
    return None if _number(r["time"]) else f"time: expected a number, got {r['time']!r}"


def status_problem(r: dict[str, Any]) -> str | None:
    """What is wrong with a statuses.jsonl record, if anything."""
    return _record_problem(r, () if "counts" in r else ("status",))


def action_problem(r: dict[str, Any]) -> str | None:
    """What is wrong with an actions.jsonl record, if anything."""
    return _record_problem(r, ("action", "kind"))


def _record_problem(r: dict[str, Any], texts: tuple[str, ...]) -> str | None:
    problem = time_problem(r)
    if problem:
        return problem
    for key in ("object_type", "object", *texts):
        if key not in r:
            return f"missing key {key!r}"
        if not isinstance(r[key], str):
            return f"{key}: expected a string, got {r[key]!r}"
    return None


def _line_problem(line: bytes, check: Callable[[dict[str, Any]], str | None]) -> str | None:
    try:
        r = orjson.loads(line)
    except orjson.JSONDecodeError as exc:
        return f"not valid JSON ({str(exc.args[0]).split(':')[0]})"
    if not isinstance(r, dict):
        return f"not a JSON object ({_json_kind(r)})"
    return check(r)


def first_bad_json_line(path: str, check: Callable[[dict[str, Any]], str | None]) -> RunFolderError | None:
    """The first line of a JSON-lines file that is not a record ``check`` accepts."""
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            if line.strip():
                problem = _line_problem(line, check)
                if problem:
                    return bad(path, problem, n)
    return None


def check_tail(path: str, check: Callable[[dict[str, Any]], str | None]) -> None:
    """A JSON-lines file cut short (a disk full, a killed writer) ends in half a line: the last
    line must be a whole record. Reads the last :data:`TAIL` bytes."""
    with open(path, "rb") as fh:
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        start = max(0, size - TAIL)
        fh.seek(start)
        tail = fh.read()
    cut = tail.rstrip(b"\r\n \t")
    last_start = cut.rfind(b"\n") + 1
    if not cut or (last_start == 0 and start > 0):
        return                       # empty, or a last line longer than TAIL: left to the reader
    problem = _line_problem(cut[last_start:], check)
    if problem:
        raise bad(path, problem, _line_number(path, start + last_start))


def _line_number(path: str, offset: int) -> int:
    """The line number of the byte at ``offset`` (counts line ends; the error path only)."""
    n = 1
    with open(path, "rb") as fh:
        while offset > 0:
            block = fh.read(min(offset, 1 << 20))
            if not block:
                break
            n += block.count(b"\n")
            offset -= len(block)
    return n


def reading_json_lines(path: str, check: Callable[[dict[str, Any]], str | None],
                       read: Callable[[], Any]) -> Any:
    """``read()`` (a fast pass over ``path``); when it fails on a line, the first bad line."""
    try:
        return read()
    except (orjson.JSONDecodeError, KeyError, TypeError, ValueError, AttributeError) as exc:
        if isinstance(exc, RunFolderError):
            raise
        found = first_bad_json_line(path, check)
        raise (found or bad(path, f"cannot be read ({exc})")) from None


# ------------------------------------------------------------------------------ CSV
def csv_rows(path: str, columns: Iterable[str]) -> Any:
    """(line number, the row's fields of ``columns``) of a CSV file whose header has them; a row
    with too few or too many fields, or a file that is not CSV text, is a
    :class:`RunFolderError`."""
    columns = list(columns)
    try:
        with open(path, newline="", encoding="utf-8") as fh:
            reader = csv.reader(fh)
            header = next(reader, None)
            if header is None:
                raise bad(path, f"empty file (expected the header {','.join(columns)})")
            missing = [c for c in columns if c not in header]
            if missing:
                raise bad(path, f"missing column {missing[0]!r} in the header", 1)
            index = [header.index(c) for c in columns]
            width = len(header)
            for row in reader:
                if len(row) != width:
                    if not row:
                        continue
                    raise bad(path, f"expected {width} fields, got {len(row)}", reader.line_num)
                yield reader.line_num, [row[i] for i in index]
    except UnicodeDecodeError as exc:
        raise bad(path, f"not UTF-8 text ({exc.reason})", _utf8_line(path)) from None
    except csv.Error as exc:
        raise bad(path, f"not CSV ({exc})") from None


def check_csv_tail(path: str) -> None:
    """A CSV file cut short ends in a row with fewer fields than its header (checked when the
    last line has no quote: a quoted field may span lines). Reads the header and the last
    :data:`TAIL` bytes."""
    with open(path, "rb") as fh:
        head = fh.readline()
        fh.seek(0, os.SEEK_END)
        size = fh.tell()
        start = max(len(head), size - TAIL)
        fh.seek(start)
        tail = fh.read()
    cut = tail.rstrip(b"\r\n")
    last_start = max(cut.rfind(b"\n"), cut.rfind(b"\r")) + 1
    last = cut[last_start:]
    if not last or b'"' in last or (last_start == 0 and start > len(head)):
        return
    try:
        fields = len(next(csv.reader([head.decode("utf-8")])))
        got = len(next(csv.reader([last.decode("utf-8")])))
    except (UnicodeDecodeError, StopIteration, csv.Error):
        return                       # left to the reader, which names the line
    if got < fields:
        raise bad(path, f"expected {fields} fields, got {got} (the file ends in a cut line)",
                  _line_number(path, start + last_start))


def _utf8_line(path: str) -> int | None:
    with open(path, "rb") as fh:
        for n, line in enumerate(fh, 1):
            try:
                line.decode("utf-8")
            except UnicodeDecodeError:
                return n
    return None


def number(path: str, line: int, text: str, column: str) -> float:
    """``text`` (of ``column``) as a finite number, else a :class:`RunFolderError` naming the
    line."""
    try:
        x = float(text)
    except (TypeError, ValueError):          # (TypeError: a missing value of a Parquet file)
        x = math.nan
    if not math.isfinite(x):
        raise bad(path, f"{column}: expected a number, got {text!r}", line)
    return x


def first_bad_stats_row(path: str, stat_types: Iterable[str]) -> RunFolderError | None:
    """The first row of stats.csv, of one of ``stat_types``, that the plots cannot read."""
    names = set(stat_types)
    try:
        for n, (time, stat_type, *_) in csv_rows(path, ("time", "stat_type", "object_type", "object",
                                                         "time_profile", "value")):
            if stat_type in names:
                number(path, n, time, "time")
    except RunFolderError as exc:
        return exc
    return None


def reading_stats(path: str, stat_types: Iterable[str], read: Callable[[], Any]) -> Any:
    """``read()`` (the fast pass over stats.csv); when it fails, the first bad row."""
    names = list(stat_types)
    try:
        return read()
    except (KeyError, TypeError, ValueError, csv.Error) as exc:
        if isinstance(exc, RunFolderError):
            raise
        raise (first_bad_stats_row(path, names) or bad(path, f"cannot be read ({exc})")) from None


# ------------------------------------------------------------------------------ Parquet
PARQUET_ERRORS: tuple[type[BaseException], ...] = (OSError, ValueError, KeyError, TypeError,
                                                   AttributeError)


def table_path(run_dir: str, spec: Any) -> str | None:
    """The file of run table ``spec`` (sim.runstore.schema) in ``run_dir``: its Parquet file
    when the folder has one (``sim run --store parquet``), else its JSON-lines or CSV file, or
    None."""
    for name in (spec.parquet, spec.text):
        p = os.path.join(run_dir, name)
        if os.path.exists(p):
            return p
    return None


def is_parquet(path: Any) -> bool:
    return isinstance(path, (str, os.PathLike)) and os.fspath(path).endswith(".parquet")


def parquet_batches(path: str, columns: Iterable[str]) -> Any:
    """The record batches of ``columns`` of a Parquet file, a row group at a time (memory
    bounded by a row group, as the JSON-lines readers are by a block). A file that is not
    Parquet (truncated, overwritten) or lacks a column is a :class:`RunFolderError`."""
    import pyarrow.parquet as pq
    columns = list(columns)
    with reading_parquet(path):
        pf = pq.ParquetFile(path)
    with pf:
        names = pf.schema_arrow.names
        missing = [c for c in columns if c not in names]
        if missing:
            raise bad(path, f"missing column {missing[0]!r}")
        for i in range(pf.num_row_groups):
            with reading_parquet(path):
                group = pf.read_row_group(i, columns=columns)
            yield from group.to_batches()


def parquet_edge_times(path: str) -> tuple[float, float] | None:
    """The ``time`` of the first and of the last row of a Parquet file (reads the first and
    the last row group's time column), or None when it has no row."""
    import pyarrow.parquet as pq
    with reading_parquet(path):
        with pq.ParquetFile(path) as pf:
            if "time" not in pf.schema_arrow.names:
                raise bad(path, "missing column 'time'")
            sizes = [pf.metadata.row_group(i).num_rows for i in range(pf.num_row_groups)]
            filled = [i for i, n in enumerate(sizes) if n]
            if not filled:
                return None
            first = pf.read_row_group(filled[0], columns=["time"]).column(0)
            last = pf.read_row_group(filled[-1], columns=["time"]).column(0)
            t0, t1 = first[0].as_py(), last[len(last) - 1].as_py()
    if not (_number(t0) and _number(t1)):
        raise bad(path, f"time: expected a number, got {t0 if not _number(t0) else t1!r}")
    return float(t0), float(t1)


class reading_parquet:  # noqa: N801 - used like a function
    """Turns pyarrow's errors reading ``path`` (``ArrowInvalid`` for a truncated file, a
    decoding error for a damaged page) into one :class:`RunFolderError` naming the file."""

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: Any, exc: Any, tb: Any) -> None:
        if exc is None or isinstance(exc, RunFolderError) or not isinstance(exc, PARQUET_ERRORS):
            return None     # not ours: the exception (if any) goes on
        import pyarrow as pa
        first = (str(exc).strip().splitlines() or [type(exc).__name__])[0]
        if isinstance(exc, (pa.ArrowException, OSError)):
            raise bad(self.path, f"not a readable Parquet file ({first})") from None
        raise bad(self.path, f"cannot be read ({first})") from None   # a value of the wrong type


__all__ = ["INCOMPLETE", "RunFolderError", "action_problem", "bad", "check_complete", "check_csv_tail",
           "check_tail", "is_parquet", "parquet_batches", "parquet_edge_times", "reading_parquet",
           "table_path",
           "csv_rows", "first_bad_json_line", "first_bad_stats_row", "number",
           "reading_json_lines", "reading_stats", "read_summary", "status_problem", "time_problem"]
