"""Converting a run folder between the formats of the run store (``sim export``).

Each table found in the input (Parquet first, else its JSON-lines or CSV file) is read a
block at a time and written in the output format; every other file (objects.toml,
summary.json, events.log, plots/) is copied as it is. The output is built in a temporary
folder beside ``--out`` and renamed into place at the end, so a failed export leaves nothing.

* ``jsonl``: the files ``sim run --store jsonl`` writes (events.jsonl, actions.jsonl,
  statuses.jsonl, stats.csv, calls.csv, truth.csv), the same bytes for the same rows.
* ``parquet``: one ``TABLE.parquet`` per table, the trace included (events.parquet, which
  ``sim replay`` reads).
* ``csv``: one ``TABLE.csv`` per table with the schema's columns (for spreadsheets; not read
  back by sim); stats.csv, calls.csv and truth.csv are as in the jsonl format.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Callable
from typing import Any

from sim.errors import UserError
from sim.runstore.columns import ParquetTable, _batch, read_parquet, read_text, text_of
from sim.runstore.run import check_run_folder, table_file
from sim.runstore.schema import TABLES, Table

FORMATS = ("jsonl", "parquet", "csv")


def output_name(spec: Table, fmt: str) -> str:
    if fmt == "parquet":
        return spec.parquet
    if fmt == "jsonl":
        return spec.text
    return spec.csv


def table_files() -> set[str]:
    """Every file name a table can have, in any format."""
    return {output_name(s, f) for s in TABLES.values() for f in FORMATS}


def check_out(src: str, out: str) -> None:
    """Refuse an output folder that is the input or is not empty (nothing is written over)."""
    if os.path.realpath(src) == os.path.realpath(out):
        raise UserError("is the run folder being exported; choose another folder", where="--out")
    if os.path.exists(out) and (not os.path.isdir(out) or os.listdir(out)):
        raise UserError(f"{out} exists and is not an empty folder; choose another folder",
                        where="--out")


def export(src: str, out: str, fmt: str, on_problem: Callable[[str], None]) -> dict[str, int]:
    """Convert run folder ``src`` into ``out`` in format ``fmt``; return the rows per table.
    Bad lines of text input are reported through ``on_problem`` and skipped."""
    if fmt not in FORMATS:
        raise UserError(f"unknown format {fmt!r} (one of {', '.join(FORMATS)})", where="--format")
    check_run_folder(src)
    check_out(src, out)
    parent = os.path.dirname(os.path.abspath(out))
    os.makedirs(parent, exist_ok=True)
    work = os.path.join(parent, f".{os.path.basename(os.path.abspath(out))}.export-partial")
    shutil.rmtree(work, ignore_errors=True)
    os.makedirs(work)
    try:
        counts = {}
        for spec in TABLES.values():
            p = table_file(src, spec)
            if p is not None:
                counts[spec.name] = convert_table(p, spec, os.path.join(work, output_name(spec, fmt)),
                                                  fmt, on_problem)
        _copy_others(src, work)
        if os.path.isdir(out):
            os.rmdir(out)          # (empty: checked above)
        os.rename(work, out)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return counts


def _copy_others(src: str, dst: str) -> None:
    skip = table_files()
    for name in sorted(os.listdir(src)):
        if name in skip:
            continue
        s, d = os.path.join(src, name), os.path.join(dst, name)
        if os.path.isdir(s):
            shutil.copytree(s, d)
        else:
            shutil.copy2(s, d)


def blocks(path: str, spec: Table, on_problem: Callable[[str], None]):
    """The rows of a table file in either format, a block at a time."""
    if path.endswith(".parquet"):
        return read_parquet(path, spec)
    return read_text(path, spec, on_problem)


def convert_table(path: str, spec: Table, target: str, fmt: str,
                  on_problem: Callable[[str], None]) -> int:
    """Stream table ``spec`` from ``path`` to ``target`` in format ``fmt``; return the rows."""
    n = 0
    if fmt == "parquet":
        table = ParquetTable(target, spec)
        try:
            for rows in blocks(path, spec, on_problem):
                table.extend(rows)
                n += len(rows)
        finally:
            table.close()
        return n
    if fmt == "csv" and spec.name in ("events", "actions", "statuses"):
        return _write_csv(path, spec, target, on_problem)
    with open(target, "w", encoding="utf-8", newline="") as fh:
        for rows in blocks(path, spec, on_problem):
            fh.write(text_of(spec, rows, header=n == 0))
            n += len(rows)
        if n == 0:
            fh.write(text_of(spec, [], header=True))
    return n


def _write_csv(path: str, spec: Table, target: str, on_problem: Callable[[str], None]) -> int:
    import pyarrow.csv as pcsv
    schema = spec.arrow_schema()
    n = 0
    options: Any = pcsv.WriteOptions(quoting_style="needed")
    with pcsv.CSVWriter(target, schema, write_options=options) as w:
        for rows in blocks(path, spec, on_problem):
            w.write_batch(_batch(rows, schema))
            n += len(rows)
    return n
