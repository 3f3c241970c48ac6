"""Problem lines without floods (issue 17 §4): each problem is one line on stderr, but after
the first :data:`LIMIT` lines of one kind the rest of that kind are only counted, and
:meth:`ProblemLines.summarise` prints one line per kind with the count not shown.

A problem's kind is its message with the file and line, quoted names and numbers taken out, so
``events.jsonl:9: unknown DN 9999@SW1 (not in the objects file)`` and the same for DN 9998 are
one kind.
"""

from __future__ import annotations

import re
import sys
from collections import Counter
from typing import IO

LIMIT = 20

_PLACE = re.compile(r"^(?P<file>.*?):(?P<line>\d+): ")
_VARYING = re.compile(r"'[^']*'|\"[^\"]*\"|\d+(?:\.\d+)?")


def kind_of(message: str) -> tuple[str, str]:
    """(file, kind) of a ``FILE:LINE: reason`` line (file '' when the line names none)."""
    m = _PLACE.match(message)
    file, reason = (m.group("file"), message[m.end():]) if m else ("", message)
    return file, _VARYING.sub("…", reason)


class ProblemLines:
    """Callable reporter: ``report(problem)`` prints ``str(problem)`` unless its kind already
    had ``limit`` lines; ``count`` counts every problem."""

    def __init__(self, file: IO[str] | None = None, limit: int = LIMIT) -> None:
        self.file = file
        self.limit = limit
        self.count = 0
        self.shown: Counter = Counter()
        self.hidden: Counter = Counter()

    def __call__(self, problem: object) -> None:
        text = str(problem)
        self.count += 1
        kind = kind_of(text)
        if self.shown[kind] < self.limit:
            self.shown[kind] += 1
            print(text, file=self.file if self.file is not None else sys.stderr)
        else:
            self.hidden[kind] += 1

    def summarise(self) -> None:
        """One line per kind that had more than ``limit`` lines."""
        out = self.file if self.file is not None else sys.stderr
        for (file, kind), n in self.hidden.items():
            where = f"{file}: " if file else ""
            print(f"{where}{n} more line{'s' * (n != 1)} like '{kind}' not shown "
                  f"(the first {self.limit} are above)", file=out)
