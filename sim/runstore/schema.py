"""One schema per table of a run folder, whichever format holds it (docs/formats.md, "The run store").

A run's tables are ``events``, ``actions``, ``statuses``, ``stats``, ``calls`` and ``truth``.
Each has one fixed list of columns here; the Parquet files are written with these columns,
the text files (JSON lines, CSV) are read into them, and :func:`frame` turns either into a
pandas DataFrame with the same dtypes:

* ``cat``: names and object ids that repeat (action names, object ids, statuses): Parquet
  dictionary-encodes them; pandas gets a ``category`` with its categories sorted, so a frame
  read from JSON lines and one read from Parquet compare equal.
* ``str``: strings that mostly do not repeat (ConnIDs, JSON texts): pandas ``string``.
* ``int``: integers that may be missing (pandas ``Int64``); ``float``: float64, NaN when
  missing; ``bool``.

Nested values (attached data, KV lists, group counts) are JSON texts, in the key order of
the JSON lines, so that a Parquet table converts back to the same lines byte for byte.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sim.tlib.codes import ENUM_KEYS
from sim.tlib.trace import INT_KEYS, KV_KEYS, STR_KEYS

KINDS = ("cat", "str", "int", "float", "bool")


@dataclass(frozen=True)
class Column:
    name: str
    kind: str          # one of KINDS


@dataclass(frozen=True)
class Table:
    name: str                        # "actions"
    text: str                        # its file in the JSON-lines format ("actions.jsonl")
    columns: tuple[Column, ...]

    @property
    def parquet(self) -> str:
        return f"{self.name}.parquet"

    @property
    def csv(self) -> str:
        return f"{self.name}.csv"

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    def arrow_schema(self) -> Any:
        import pyarrow as pa
        types = {"cat": pa.string(), "str": pa.string(), "int": pa.int64(),
                 "float": pa.float64(), "bool": pa.bool_()}
        return pa.schema([pa.field(c.name, types[c.kind]) for c in self.columns])


def _cols(spec: str) -> tuple[Column, ...]:
    """``"time:float action:cat ..."`` -> columns."""
    out = []
    for item in spec.split():
        name, kind = item.split(":")
        assert kind in KINDS, item
        out.append(Column(name, kind))
    return tuple(out)


ACTIONS = Table("actions", "actions.jsonl", _cols(
    "time:float action:cat kind:cat object_type:cat object:cat ConnID:str CallType:int "
    "duration:float dn:cat data:str"))
STATUSES = Table("statuses", "statuses.jsonl", _cols(
    "time:float object_type:cat object:cat status:cat previous:cat CallType:int Reasons:str "
    "counts:str member:cat"))
STATS = Table("stats", "stats.csv", _cols(
    "time:float stat_type:cat object_type:cat object:cat time_profile:cat value:float "
    "state:cat valid:bool"))
CALLS = Table("calls", "calls.csv", _cols(
    "connid:str traffic:cat queue:cat arrival:float outcome:cat wait:float talk:float"))
TRUTH = Table("truth", "truth.csv", _cols(
    "interval_start:float object:cat counter:cat value:int"))

# The trace: the envelope, one typed column per T-Library attribute the reader knows (KV
# lists as JSON texts), ``other`` for any other attribute (a JSON object) and ``keys``, the
# attribute names of the line in order (a few distinct values per event type: nearly free
# once dictionary-encoded), so that a Parquet trace converts back to the same lines.
FIRST_ATTRS = ("ThisDN", "ThisQueue", "ConnID", "CallType", "AgentID", "OtherDN", "CallState")
EVENT_STR = tuple(sorted(STR_KEYS))
EVENT_INT = tuple(sorted(INT_KEYS | set(ENUM_KEYS)))
EVENT_KV = tuple(sorted(KV_KEYS))
ATTR_KIND = {**dict.fromkeys(EVENT_STR, "str"), **dict.fromkeys(EVENT_INT, "int"),
             **dict.fromkeys(EVENT_KV, "kv")}
EVENT_ATTRS = FIRST_ATTRS + tuple(sorted(set(ATTR_KIND) - set(FIRST_ATTRS)))
EVENTS = Table("events", "events.jsonl", _cols(
    "time:float event:cat switch:cat seq:int "
    + " ".join(f"{a}:{'int' if ATTR_KIND[a] == 'int' else 'str'}" for a in EVENT_ATTRS)
    + " other:str keys:cat"))

TABLES = {t.name: t for t in (EVENTS, ACTIONS, STATUSES, STATS, CALLS, TRUTH)}


def frame(table: Any, spec: Table) -> Any:
    """The pandas DataFrame of an Arrow table holding ``spec``'s columns, with the dtypes
    above (the one place they are fixed)."""
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    table = table.select(spec.names)
    data: dict[str, Any] = {}
    for col in spec.columns:
        arr = table.column(col.name)
        if col.kind == "cat":
            if not pa.types.is_dictionary(arr.type):
                arr = pc.dictionary_encode(arr)
            s = arr.to_pandas()
            if not isinstance(s.dtype, pd.CategoricalDtype):
                s = s.astype("category")
            cats = s.cat.categories
            ordered = sorted(str(c) for c in cats)
            s = s.cat.set_categories(pd.Index(ordered, dtype=object))
            data[col.name] = s
        elif col.kind == "str":
            data[col.name] = arr.to_pandas().astype(pd.StringDtype())
        elif col.kind == "int":
            data[col.name] = arr.to_pandas(types_mapper={pa.int64(): pd.Int64Dtype()}.get)
        elif col.kind == "float":
            data[col.name] = arr.to_pandas().astype("float64")
        else:
            data[col.name] = arr.to_pandas().astype(bool)
    return pd.DataFrame(data, columns=spec.names).reset_index(drop=True)


def empty_frame(spec: Table) -> Any:
    import pyarrow as pa
    return frame(pa.table({f.name: pa.array([], type=f.type) for f in spec.arrow_schema()}), spec)
