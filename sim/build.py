"""Which modules of the hot path run compiled (mypyc, see setup.py), and which are stale.

An install compiles the engine and statistics modules into C extensions placed next to their
sources; Python then imports the extension, not the ``.py``. After editing such a source the
extension is stale until the package is installed again, and the edit silently does nothing:
``stale()`` finds those so that ``sim --version`` and the test suite can say so.
"""

from __future__ import annotations

import importlib.machinery
from pathlib import Path

PACKAGE = Path(__file__).resolve().parent


def _extensions() -> list[Path]:
    suffixes = importlib.machinery.EXTENSION_SUFFIXES
    return sorted(p for p in PACKAGE.rglob("*.so") if any(p.name.endswith(s) for s in suffixes))


def _source(ext: Path) -> Path:
    return ext.with_name(ext.name.split(".", 1)[0] + ".py")


def compiled() -> list[str]:
    """Dotted names of the modules that have a compiled extension."""
    return [".".join(_source(e).relative_to(PACKAGE.parent).with_suffix("").parts) for e in _extensions()]


def _shared_built() -> float:
    """When mypyc's shared library (the code of every compiled module, beside the package)
    was last built: a rebuild rewrites it, while a module's own extension is a small shim that
    is left alone when it did not change."""
    libs = [p for p in PACKAGE.parent.glob("*__mypyc.*") if p.suffix in (".so", ".pyd")]
    return max((p.stat().st_mtime for p in libs), default=0.0)


def stale() -> list[str]:
    """Compiled modules whose source changed after the extension was built."""
    out = []
    shared = _shared_built()
    for ext in _extensions():
        src = _source(ext)
        if src.exists() and src.stat().st_mtime > max(ext.stat().st_mtime, shared):
            out.append(str(src.relative_to(PACKAGE.parent)))
    return out


def describe() -> str:
    """One line for ``sim --version``."""
    names = compiled()
    if not names:
        return "engine: pure Python (not compiled)"
    line = f"engine: compiled ({len(names)} modules)"
    old = stale()
    if old:
        line += f"; STALE, reinstall to apply edits: {', '.join(old)}"
    return line
