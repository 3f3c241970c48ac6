"""Progress bars for long commands (``sim run``, ``replay``, ``import-log``, ``explain``).

A bar with the time left appears on stderr only when stderr is a terminal and the work has
already taken :data:`DELAY` seconds; otherwise nothing is printed and :meth:`Progress.update`
returns at once. Callers update it every few thousand events or by simulated time (a SimPy
process ticking :data:`STEPS` times over the horizon), never per event, so the normal path
does not pay for it (docs/decisions.md, "Progress").
"""

from __future__ import annotations

import sys
from typing import IO, Any

DELAY = 2.0          # seconds of work before a bar is worth showing
STEPS = 500          # updates over a simulated horizon
EVERY = 1024         # events (lines) between two updates of a file's bar


class Progress:
    """A tqdm bar over ``total`` units of work (simulated seconds, bytes, lines)."""

    def __init__(self, total: float | None, desc: str, unit: str = "it", *,
                 file: IO[str] | None = None, enabled: bool | None = None, delay: float = DELAY,
                 unit_scale: bool = False) -> None:
        file = file if file is not None else sys.stderr
        if enabled is None:
            enabled = _isatty(file)
        self.enabled = bool(enabled) and bool(total)
        self.bar: Any = None
        if self.enabled:
            from tqdm import tqdm
            self.bar = tqdm(total=total, desc=desc, unit=unit, file=file, delay=delay, leave=False,
                            dynamic_ncols=True, unit_scale=unit_scale, mininterval=0.2,
                            bar_format="{desc}: {percentage:3.0f}%|{bar}| {elapsed}<{remaining} left")

    def update(self, done: float) -> None:
        """The work done so far (absolute, in the units of ``total``)."""
        bar = self.bar
        if bar is not None and done > bar.n:
            bar.update(min(done, bar.total) - bar.n)

    def close(self) -> None:
        if self.bar is not None:
            self.bar.close()
            self.bar = None

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


def _isatty(file: IO[str]) -> bool:
    try:
        return file.isatty()
    except (AttributeError, ValueError):
        return False


def follow_simulation(env: Any, progress: Progress, start: float, horizon: float) -> None:
    """Update ``progress`` (total = ``horizon`` simulated seconds) from a SimPy process that
    wakes :data:`STEPS` times over the horizon: no cost per event. Its events only take SimPy
    event ids, so the model's own events keep their order (same outputs)."""
    if not progress.enabled or horizon <= 0:
        return
    step = horizon / STEPS

    def ticker():
        while env.now < start + horizon:
            yield env.timeout(step)
            progress.update(env.now - start)
    env.process(ticker())


def sim_progress(desc: str, horizon: float, enabled: bool | None = None) -> Progress:
    """A bar over a simulated horizon (seconds)."""
    return Progress(float(horizon), desc, "s", enabled=enabled)


def file_progress(desc: str, path: str, enabled: bool | None = None) -> Progress:
    """A bar over the bytes of file ``path`` (nothing for stdin or an unreadable size)."""
    import os
    try:
        size = os.path.getsize(path) if path != "-" else 0
    except OSError:
        size = 0
    return Progress(float(size), desc, "B", enabled=enabled, unit_scale=True)
