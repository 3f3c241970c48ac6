"""The TEvent record: one T-Library event as Stat Server's connection receives it.

Immutable: a ``NamedTuple`` of the four envelope fields of DESIGN contract 1 (``time``,
``event``, ``switch``, ``seq``) plus the T-Library attributes, keyed by their trace names
(``ThisDN``, ``ConnID``, ``CallType``...), in a read-only mapping. Enumerations are held as
their numeric codes.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Any, NamedTuple

_EMPTY: Mapping[str, Any] = MappingProxyType({})


def round6(x: Any) -> Any:
    """``round(x, 6)``, the same value, several times faster for the times and durations of a run.

    ``round`` goes through a decimal string (~0.9 us); every TEvent and record time and every
    duration is rounded, so positive floats are done in binary. ``round(x, 6)`` is the double
    nearest to ``N / 10**6``, N the exact ``x * 10**6`` rounded half to even; for ``N < 2**53``
    that is what the correctly rounded division ``N / 1e6`` gives.

    Fast path: ``m = x * 1e6`` computed in floating point is within half an ulp of the exact
    product (<= 0.25 below 2**52, <= 0.125 below 2**51, where run times up to the year 2041
    fall); if ``m`` is closer than ``0.5 - that`` to an integer ``n`` (the subtraction is
    exact), the exact product is strictly within 0.5 of ``n``, so ``N = n``. Otherwise (near
    ties, which at today's epoch are a quarter of all times) N is computed exactly from the
    float's integer ratio. Anything else (negative, huge, NaN, ints) is left to ``round``."""
    if type(x) is float:
        m = x * 1e6
        if 0.0 < m < _TWO_52:
            n = int(m + 0.5)
            d = m - n
            if -0.25 < d < 0.25 or (m < _TWO_51 and -0.375 < d < 0.375):
                return n / 1e6
            return _round6_exact(x)
        elif m == 0.0:           # x is 0.0 or -0.0 (a zero duration): kept, sign and all
            return x
    return round(x, 6)


_TWO_51, _TWO_52 = float(2**51), float(2**52)


def _round6_exact(x: float) -> float:
    """``round(x, 6)`` for ``0 < x * 1e6 < 2**52``: exact integer arithmetic, half to even."""
    p, q = x.as_integer_ratio()          # q is a power of two
    n, r = divmod(p * 1_000_000, q)
    if 2 * r > q or (2 * r == q and n & 1):
        n += 1
    return n / 1e6


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
