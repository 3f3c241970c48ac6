"""Build hook: compile the hot path (action engine and statistics) with mypyc.

The modules below are plain, typed Python; mypyc turns them into C extensions that run the
same code two to three times faster. Everything else stays interpreted. Set
``SIM_PURE_PYTHON=1`` to skip the compilation (a machine without a C compiler, or to debug the
sources): the package then runs the same sources unchanged. If the compilation cannot be set up
(no mypyc, a type error) the build falls back to pure Python with a warning rather than
failing; ``tests/test_build.py`` fails on such a fallback unless SIM_PURE_PYTHON is set.
"""

from __future__ import annotations

import glob
import os
import sys

from setuptools import setup

# The hot path: what every TEvent and every record goes through (bench/ measures them).
# Keep pyproject.toml's [tool.mypy] override list in step: these must type-check.
COMPILED = [
    "sim/statserver/engine.py",
    "sim/statserver/regular.py",
    "sim/statserver/mediation.py",
    "sim/statserver/registration.py",
    "sim/statserver/agents.py",
    "sim/statserver/calls.py",
    "sim/statserver/propagation.py",
    "sim/statserver/state.py",
    "sim/statserver/statuses.py",
    "sim/statserver/records.py",
    "sim/statserver/lines.py",
    "sim/statserver/rules.py",
    "sim/statserver/stats/aggregates.py",
    "sim/statserver/stats/categories.py",
    "sim/statserver/stats/conditions.py",
    "sim/statserver/stats/engine.py",
    "sim/statserver/stats/output.py",
    "sim/tlib/rounding.py",
    "sim/tlib/writer.py",
    "sim/pipeline.py",
    "sim/report/binning.py",
]


def remove_old_extensions() -> None:
    """An in-place (editable) build leaves extensions next to the sources; a pure build must
    not let the previous build's extensions shadow the sources it installs."""
    for source in COMPILED:
        for ext in glob.glob(source[:-3] + ".*.so") + glob.glob(source[:-3] + ".*.pyd"):
            os.remove(ext)
    for shared in glob.glob("*__mypyc.*.so") + glob.glob("*__mypyc.*.pyd"):
        os.remove(shared)


def ext_modules() -> list:
    if os.environ.get("SIM_PURE_PYTHON", "") not in ("", "0"):
        remove_old_extensions()
        return []
    try:
        from mypyc.build import mypycify
    except ImportError:
        print("sim: mypyc is not available; installing the pure-Python engine", file=sys.stderr)
        remove_old_extensions()
        return []
    try:
        return mypycify(COMPILED, opt_level="3", debug_level="0")
    except SystemExit:       # mypyc reports type errors by exiting
        print("sim: mypyc could not compile the engine; installing the pure-Python engine",
              file=sys.stderr)
        remove_old_extensions()
        return []


setup(ext_modules=ext_modules())
