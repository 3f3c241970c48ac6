"""Time profiles and time ranges (docs/reference/stat-types.md §6, §7).

A time profile says over which interval a historical category aggregates:

* **Growing** ``HH:MM[,HH:MM...]`` reset points (UTC), an item ``HH:MM+HH:MM`` meaning "first
  reset at HH:MM, then every +HH:MM through the day"; an empty value never resets. The built-in
  **Default** profile is ``Growing = 0:00`` (reset at midnight) unless the file overrides it.
* **Sliding** ``<length>:<step>`` in seconds: the last ``length / step`` buckets of ``step``
  seconds (length must be a multiple of step).
* **Selection** ``<N>``: the last N completed records instead of a time window (DNAction only).
* **SinceLogin** (no value): the interval starts at the agent's (or place's) login.

A time range ``<a>-<b>`` in whole seconds selects durations d with a <= d < b; without one the
``Default`` option of ``[TimeRanges]`` applies, else the built-in 0-20.
Anything else is rejected at load time with the file, section and option named.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass

GROWING, SLIDING, SELECTION, SINCE_LOGIN = "Growing", "Sliding", "Selection", "SinceLogin"
PROFILE_KINDS = (GROWING, SLIDING, SELECTION, SINCE_LOGIN)
DAY = 86400


class ProfileError(ValueError):
    """A bad profile or range value (one line; the loader adds file, section and option)."""


@dataclass(frozen=True, slots=True)
class TimeProfile:
    name: str
    kind: str
    resets: tuple[int, ...] = ()     # Growing: reset instants as seconds of the (UTC) day
    length: int = 0                  # Sliding: window length (s)
    step: int = 0                    # Sliding: bucket length (s)
    count: int = 0                   # Selection: number of records

    def next_reset(self, t: float) -> float:
        """Growing: the first reset instant strictly after ``t`` (inf if it never resets)."""
        if not self.resets:
            return math.inf
        day = math.floor(t / DAY) * DAY
        for r in self.resets:
            if day + r > t:
                return float(day + r)
        return float(day + DAY + self.resets[0])

    @property
    def buckets(self) -> int:
        return self.length // self.step if self.kind == SLIDING else 1


DEFAULT_PROFILE = TimeProfile("Default", GROWING, (0,))

_HHMM = re.compile(r"^(\d{1,2}):(\d{2})$")


def _hhmm(text: str) -> int:
    m = _HHMM.match(text.strip())
    if not m or int(m.group(1)) > 23 or int(m.group(2)) > 59:
        raise ProfileError(f"bad time of day {text.strip()!r} (write HH:MM)")
    return int(m.group(1)) * 3600 + int(m.group(2)) * 60


def parse_profile(name: str, kind: str, value: str) -> TimeProfile:
    value = value.strip()
    if kind not in PROFILE_KINDS:
        raise ProfileError(f"unknown time profile type {kind!r} (expected one of {', '.join(PROFILE_KINDS)})")
    if kind == GROWING:
        if not value:
            return TimeProfile(name, kind, ())
        resets: set[int] = set()
        for item in value.split(","):
            first, plus, period = item.partition("+")
            start = _hhmm(first)
            if not plus:
                resets.add(start)
                continue
            every = _hhmm(period)
            if every == 0:
                raise ProfileError(f"bad reset period {period.strip()!r} (must be positive)")
            resets.update(range(start, DAY, every))
        return TimeProfile(name, kind, tuple(sorted(resets)))
    if kind == SLIDING:
        m = re.match(r"^(\d+):(\d+)$", value)
        if not m:
            raise ProfileError(f"bad Sliding value {value!r} (write <length>:<step> in seconds)")
        length, step = int(m.group(1)), int(m.group(2))
        if step <= 0 or length <= 0 or length % step:
            raise ProfileError(f"bad Sliding value {value!r} (length and step positive, length a multiple of step)")
        return TimeProfile(name, kind, length=length, step=step)
    if kind == SELECTION:
        if not re.match(r"^\d+$", value) or int(value) < 1:
            raise ProfileError(f"bad Selection value {value!r} (write the number of records, >= 1)")
        return TimeProfile(name, kind, count=int(value))
    if value:
        raise ProfileError(f"SinceLogin takes no value (got {value!r})")
    return TimeProfile(name, kind)


@dataclass(frozen=True, slots=True)
class TimeRange:
    name: str
    low: int
    high: int

    def contains(self, duration: int) -> bool:
        return self.low <= duration < self.high   # lower bound in, upper out [D 13]


DEFAULT_RANGE = TimeRange("Default", 0, 20)


def parse_range(name: str, value: str) -> TimeRange:
    m = re.match(r"^\s*(\d+)\s*-\s*(\d+)\s*$", value)
    if not m or int(m.group(1)) >= int(m.group(2)):
        raise ProfileError(f"bad time range {value.strip()!r} (write <start>-<end> in seconds, start < end)")
    return TimeRange(name, int(m.group(1)), int(m.group(2)))
