"""The compiled hot path (setup.py, sim/build.py): installed, current, reported."""

import importlib.machinery
import os
import subprocess
import sys

import pytest

from sim import build

PURE = os.environ.get("SIM_PURE_PYTHON", "") not in ("", "0")
SUFFIX = importlib.machinery.EXTENSION_SUFFIXES[0]


@pytest.mark.skipif(PURE, reason="SIM_PURE_PYTHON set: the engine is meant to run interpreted")
def test_the_engine_runs_compiled():
    """The README install compiles the engine; a silent fallback to pure Python would halve
    its speed, so the suite fails when it happens."""
    import sim.statserver.engine
    import sim.statserver.records
    assert sim.statserver.engine.__file__.endswith(SUFFIX)
    assert "sim.statserver.records" in build.compiled()


def test_no_compiled_module_is_older_than_its_source():
    assert build.stale() == [], "edited after install: run `pip install -e .` again"


def test_stale_extension_is_reported(tmp_path, monkeypatch):
    pkg = tmp_path / "sim"
    pkg.mkdir()
    ext, src = pkg / f"engine{SUFFIX}", pkg / "engine.py"
    ext.write_bytes(b"")
    src.write_text("")
    os.utime(ext, (1_000_000, 1_000_000))
    monkeypatch.setattr(build, "PACKAGE", pkg)
    assert build.compiled() == ["sim.engine"]
    assert build.stale() == ["sim/engine.py"]
    assert "STALE" in build.describe() and "sim/engine.py" in build.describe()
    shared = tmp_path / f"abc__mypyc{SUFFIX}"        # a rebuild rewrites the shared library
    shared.write_bytes(b"")
    assert build.stale() == []


def test_version_tells_how_the_engine_runs():
    out = subprocess.run([sys.executable, "-m", "sim", "--version"], capture_output=True, text=True,
                         check=True).stdout
    assert out.startswith("sim ") and "engine: " in out


def test_the_compiled_modules_are_the_type_checked_ones():
    """setup.py compiles what pyproject's [tool.mypy] checks: a module compiled without its
    type errors reported could fail at run time, one checked but not compiled is wasted."""
    import ast
    import tomllib
    from pathlib import Path

    root = Path(__file__).resolve().parent.parent
    tree = ast.parse((root / "setup.py").read_text())
    compiled = next(ast.literal_eval(n.value) for n in tree.body
                    if isinstance(n, ast.Assign) and getattr(n.targets[0], "id", "") == "COMPILED")
    mypy = tomllib.loads((root / "pyproject.toml").read_text())["tool"]["mypy"]
    checked = [o for o in mypy["overrides"] if o.get("ignore_errors") is False][0]["module"]
    assert mypy["ignore_errors"] is False       # `mypy sim` checks the whole package (CI)
    assert sorted(p[:-3].replace("/", ".") for p in compiled) == sorted(checked)
    excused = {m for o in mypy["overrides"] if o.get("ignore_errors") is True for m in o["module"]}
    assert not excused & set(checked), "a compiled module must type-check"
