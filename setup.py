"""Build hook: compile the hot path (action engine and statistics) with mypyc.

The modules below are plain, typed Python; mypyc turns them into C extensions that run the
same code 2-3x faster. Everything else stays interpreted. Set ``SIM_PURE_PYTHON=1`` to skip
the compilation (a developer editing the engine, or a machine without a C compiler): the
package then runs the same sources unchanged. If the compilation cannot be set up (no
mypyc, a type error) the build falls back to pure Python with a warning rather than failing.
"""

from __future__ import annotations

import os
import sys

from setuptools import setup

# The hot path: what every TEvent and every record goes through (bench/ measures them).
COMPILED = [
    "sim/statserver/engine.py",
    "sim/statserver/regular.py",
    "sim/statserver/mediation.py",
    "sim/statserver/registration.py",
    "sim/statserver/propagation.py",
    "sim/statserver/state.py",
    "sim/statserver/stats/aggregates.py",
    "sim/statserver/stats/engine.py",
]


def ext_modules() -> list:
    if os.environ.get("SIM_PURE_PYTHON", "") not in ("", "0"):
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("sim: mypyc is not available; installing the pure-Python engine", file=sys.stderr)
        return []
    try:
        return mypycify(COMPILED, opt_level="3", debug_level="0")
    except SystemExit:       # mypyc reports type errors by exiting
        print("sim: mypyc could not compile the engine; installing the pure-Python engine",
              file=sys.stderr)
        return []


setup(ext_modules=ext_modules())
