"""``round6``: every time and duration a run writes, rounded to the microsecond.

Its own module so that it can be compiled (setup.py ``COMPILED``): the trace writer, the model
and the line encoder call it three or four times per TEvent, and a compiled function is a C
call where an interpreted one is a Python frame.
"""

from __future__ import annotations

from typing import Any, Final

_TWO_51: Final = float(2**51)
_TWO_52: Final = float(2**52)


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


def _round6_exact(x: float) -> float:
    """``round(x, 6)`` for ``0 < x * 1e6 < 2**52``: exact integer arithmetic, half to even."""
    p, q = x.as_integer_ratio()          # q is a power of two
    n, r = divmod(p * 1_000_000, q)
    if 2 * r > q or (2 * r == q and n & 1):
        n += 1
    return n / 1e6
