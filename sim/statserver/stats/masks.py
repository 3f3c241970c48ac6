"""Masks: which actions or statuses a statistic looks at (docs/reference/stat-types.md §5).

Syntax: a comma-separated list; ``*`` is every name, ``~Name`` excludes Name; surrounding
whitespace is ignored and names are case-sensitive. The evaluated set is (everything if ``*``,
else the union of the positive names) minus the excluded names. ``CallWait`` is an alias for
CallWaitUnknown / CallWaitConsult / CallWaitInbound / CallWaitOutbound (and an Internal call
waiting); ``~CallWait`` is not supported [D 11] - exclude the members instead.

A mask is held as ``(star, names, excluded)`` rather than as an enumerated set, so that ``*``
also covers names the engine emits that are not in our vocabulary.
"""

from __future__ import annotations

from dataclasses import dataclass

from sim.statserver.stats.names import CALL_WAIT, CALL_WAIT_MEMBERS


class MaskError(ValueError):
    """A mask that cannot be parsed; the message is one line (the loader adds the place)."""


@dataclass(frozen=True, slots=True)
class Mask:
    star: bool
    names: frozenset[str]
    excluded: frozenset[str]
    text: str = ""

    def matches(self, name: str) -> bool:
        return (self.star or name in self.names) and name not in self.excluded

    def mentions(self) -> frozenset[str]:
        return self.names | self.excluded


def parse_mask(text: str, vocabulary: frozenset[str]) -> Mask:
    """Parse a mask; every name must be in ``vocabulary`` (action or status names)."""
    star = False
    names: set[str] = set()
    excluded: set[str] = set()
    items = [item.strip() for item in text.split(",")]
    if not any(items):
        raise MaskError("empty mask")
    for item in items:
        if not item:
            raise MaskError(f"empty item in mask {text!r}")
        if item == "*":
            star = True
            continue
        negative = item.startswith("~")
        name = item[1:].strip() if negative else item
        if name == CALL_WAIT and negative:
            raise MaskError("~CallWait is not supported (exclude CallWaitInbound, CallWaitOutbound,"
                            " CallWaitConsult, CallWaitUnknown instead)")
        if name not in vocabulary:
            raise MaskError(f"unknown name {name!r} in mask")
        if name == CALL_WAIT:
            (excluded if negative else names).update(CALL_WAIT_MEMBERS)
        (excluded if negative else names).add(name)
    if not star and not names:
        raise MaskError(f"mask {text!r} selects nothing (only exclusions without '*')")
    return Mask(star, frozenset(names), frozenset(excluded), text.strip())


def fixed_mask(*names: str) -> Mask:
    """A mask a compound category uses internally (e.g. CallAbandoned for ServiceFactor1)."""
    return Mask(False, frozenset(names), frozenset(), ", ".join(names))
