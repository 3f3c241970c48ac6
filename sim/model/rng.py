"""Random streams, one per purpose, and the distributions the scenario names.

Every purpose (the arrivals of one traffic source, its handle times, its patience, one agent's
wrap-up times...) draws from its own generator, derived from the run seed and the purpose's
*name* (``numpy.random.SeedSequence(seed, spawn_key=crc32(name))``). Adding a traffic source or
changing one agent's wrap-up therefore does not reshuffle any other stream.

Samplers draw in blocks (numpy is fast per array, slow per scalar) and hand out Python floats.
"""

from __future__ import annotations

import functools
import itertools
import math
import zlib
from array import array
from collections.abc import Callable
from typing import Any

import numpy as np

BLOCK = 512


class Streams:
    """Named, independent generators derived from one seed."""

    def __init__(self, seed: int):
        self.seed = int(seed)
        self._cache: dict[str, np.random.Generator] = {}

    def generator(self, name: str) -> np.random.Generator:
        gen = self._cache.get(name)
        if gen is None:
            key = zlib.crc32(name.encode())
            gen = np.random.Generator(np.random.PCG64(np.random.SeedSequence(self.seed, spawn_key=(key,))))
            self._cache[name] = gen
        return gen

    def sampler(self, spec: Any, name: str) -> Sampler:
        return block_sampler(make_draw(spec), self.generator(name))

    def uniform(self, name: str) -> Sampler:
        return block_sampler(lambda g, n: g.random(n), self.generator(name))


Sampler = Callable[[], float]


def block_sampler(draw: Callable[[np.random.Generator, int], np.ndarray], gen: np.random.Generator) -> Sampler:
    """A sampler handing out one float at a time from blocks drawn by ``draw(gen, n)``; the
    next block is drawn when the previous one is used up.

    A draw is made for nearly every event, so calling a sampler runs no Python code: it is
    ``next`` on a chain of the blocks; only the generator of blocks runs, once per block."""
    blocks = (_doubles(draw(gen, BLOCK)) for _ in itertools.repeat(None))
    return functools.partial(next, itertools.chain.from_iterable(blocks))


def _doubles(block: np.ndarray) -> array:
    """A block as C doubles, read back as Python floats of the same value: 8 bytes a value
    where a list of floats takes 32, and a big center has five samplers per agent, each holding
    a block (2,000 agents: 120 MB saved)."""
    return array("d", np.asarray(block, dtype=np.float64).tobytes())


def make_draw(spec: Any) -> Callable[[np.random.Generator, int], np.ndarray]:
    """A block-drawing function for a distribution spec (already validated by the schema).

    Specs: a number (constant), or a table with ``dist`` = ``constant`` (value), ``exponential``
    (mean), ``lognormal`` (mean, sd), ``gamma`` (mean, and sd or shape), ``uniform`` (low, high),
    ``empirical`` (values, optional weights).
    """
    if isinstance(spec, int | float):
        v = float(spec)
        return lambda g, n: np.full(n, v)
    kind = spec["dist"]
    if kind == "constant":
        v = float(spec["value"])
        return lambda g, n: np.full(n, v)
    if kind == "exponential":
        mean = float(spec["mean"])
        return lambda g, n: g.exponential(mean, n)
    if kind == "lognormal":
        mean, sd = float(spec["mean"]), float(spec["sd"])
        s2 = _log1p_square(sd, mean)
        mu, s = math.log(mean) - s2 / 2, math.sqrt(s2)
        return lambda g, n: g.lognormal(mu, s, n)
    if kind == "gamma":
        mean = float(spec["mean"])
        shape = float(spec["shape"]) if "shape" in spec else _square(mean / float(spec["sd"]))
        shape = min(max(shape, 1e-300), 1e300)     # extreme but valid parameters stay finite
        scale = min(mean / shape, 1e300)
        return lambda g, n: g.gamma(shape, scale, n)
    if kind == "uniform":
        lo, hi = float(spec["low"]), float(spec["high"])
        return lambda g, n: g.uniform(lo, hi, n)
    if kind == "empirical":
        values = np.asarray(spec["values"], dtype=float)
        w = spec.get("weights")
        p = None if w is None else np.asarray(w, dtype=float) / float(sum(w))
        return lambda g, n: g.choice(values, n, p=p)
    raise ValueError(f"unknown distribution {kind!r}")


def _square(r: float) -> float:
    return r ** 2 if r < 1e150 else math.inf


def _log1p_square(sd: float, mean: float) -> float:
    """log(1 + (sd / mean)**2), also where the square overflows (an enormous lognormal ``sd``)."""
    r = sd / mean
    if r < 1e150:
        return math.log1p(r ** 2)
    return 2.0 * (math.log(sd) - math.log(mean))    # 1 is negligible beside r**2 > 1e300


def mean_of(spec: Any) -> float:
    if isinstance(spec, int | float):
        return float(spec)
    kind = spec["dist"]
    if kind == "constant":
        return float(spec["value"])
    if kind == "uniform":
        return (float(spec["low"]) + float(spec["high"])) / 2
    if kind == "empirical":
        values = np.asarray(spec["values"], dtype=float)
        w = spec.get("weights")
        return float(np.average(values, weights=w))
    return float(spec["mean"])
