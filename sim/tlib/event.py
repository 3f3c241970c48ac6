"""The TEvent record: one T-Library event as Stat Server's connection receives it.

Immutable: a ``NamedTuple`` of the four envelope fields of docs/reference/contracts.md §1 (``time``,
``event``, ``switch``, ``seq``) plus the T-Library attributes, keyed by their trace names
(``ThisDN``, ``ConnID``, ``CallType``...), in a read-only mapping. Enumerations are held as
their numeric codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

from sim.tlib.rounding import round6 as round6  # noqa: F401 - re-exported (sim.tlib.event.round6)

_EMPTY: Mapping[str, Any] = MappingProxyType({})


class TEvent(NamedTuple):
    time: float
    event: str
    switch: str
    seq: int | None = None
    attrs: Mapping[str, Any] = _EMPTY

    def get(self, key: str, default: Any = None) -> Any:
        return self.attrs.get(key, default)

    def __getitem__(self, key):  # ev["ThisDN"] reads an attribute; ev[0] still works
        if isinstance(key, str):
            return self.attrs[key]
        return tuple.__getitem__(self, key)

    @property
    def this_dn(self) -> str | None:
        return self.attrs.get("ThisDN")

    @property
    def dn_id(self) -> str | None:
        """``DN@Switch`` of ThisDN, the object id Stat Server uses."""
        dn = self.attrs.get("ThisDN")
        return None if dn is None else f"{dn}@{self.switch}"

    def to_dict(self) -> dict[str, Any]:
        """The contract-1 JSON object (envelope first, then attributes in their order)."""
        d: dict[str, Any] = {"time": self.time, "event": self.event, "switch": self.switch}
        if self.seq is not None:
            d["seq"] = self.seq
        d.update(self.attrs)
        return d


def make_event(time: float, event: str, switch: str, seq: int | None = None, **attrs: Any) -> TEvent:
    """Build a TEvent from keyword attributes (convenient in tests and in the model)."""
    return TEvent(time, event, switch, seq, MappingProxyType(attrs))
