"""Output folders and files that are either complete or visibly not (issue 17 §2).

Every command that writes an output folder writes it into a temporary folder beside ``--out``
(``.NAME.partial-PID``) and moves it into place only when it succeeds, replacing an earlier
run's folder completely. ``summary.json`` exists only in a complete run. What a failure leaves
(docs/decisions.md, "Output integrity"):

* an I/O error (disk full, read-only, permission) leaves nothing new: the temporary folder is
  removed (it is what filled the disk) and an earlier run at ``--out`` is untouched;
* an interruption (Ctrl-C) or any other failure after the run started moves the partial folder
  to ``--out`` with ``incomplete.json`` = ``{"complete": false, "reason": ..., "command": ...}``
  and without ``summary.json``.

A single output file (``import-log --out X.jsonl``) is written to a temporary name in its folder
and renamed; a failure leaves nothing. No command writes over one of its own inputs, and a
folder holding files that are not a sim output is refused unless ``--overwrite`` is given.
"""

from __future__ import annotations

import errno
import json
import os
import shutil
from collections.abc import Iterable, Iterator
from contextlib import contextmanager

from sim.errors import Interrupted, UserError, stop_words

MARKER = "incomplete.json"
SUMMARY = "summary.json"
# The files a sim command writes into an output folder (run, replay, sweep): a folder holding
# only these (and plots/ of images) is an earlier output and may be replaced without asking.
OUTPUT_NAMES = frozenset({
    "events.jsonl", "events.log", "objects.toml", "actions.jsonl", "statuses.jsonl", "stats.csv",
    "calls.csv", "truth.csv", SUMMARY, MARKER, "sweep.csv", "replications.csv", "sweep.json",
    "agreement.csv", "plots",
})
PLOT_SUFFIXES = (".png", ".svg", ".pdf")

# the command line as typed, for incomplete.json (set by sim.cli.main)
COMMAND = {"line": "sim"}


def _partial_name(path: str, kind: str) -> str:
    parent, base = os.path.split(os.path.normpath(path))
    return os.path.join(parent, f".{base}.{kind}-{os.getpid()}")


def _inside(path: str, folder: str) -> bool:
    p, f = os.path.realpath(path), os.path.realpath(folder)
    return p == f or os.path.commonpath([p, f]) == f


def _foreign(out: str) -> list[str]:
    """Entries of folder ``out`` that no sim command writes."""
    found = []
    for entry in sorted(os.scandir(out), key=lambda e: e.name):
        if entry.name not in OUTPUT_NAMES:
            found.append(entry.name)
        elif entry.name == "plots":
            if not entry.is_dir(follow_symlinks=False):
                found.append(entry.name)
                continue
            found += [f"plots/{e.name}" for e in sorted(os.scandir(entry.path), key=lambda e: e.name)
                      if not (e.is_file(follow_symlinks=False) and e.name.endswith(PLOT_SUFFIXES))]
        elif entry.is_dir(follow_symlinks=False):
            found.append(entry.name)
    return found


def check_out_dir(out: str, inputs: Iterable[str | None] = (), overwrite: bool = False,
                  option: str = "--out") -> None:
    """Refuse an output folder that would destroy something: an input of the command inside
    it, the current folder or one of its parents, a file, or files that are not a sim output
    (unless ``overwrite``)."""
    if _inside(os.getcwd(), out):
        raise UserError(f"is the current folder or one of its parents; choose another {option}",
                        where=out)
    for inp in inputs:
        if inp and inp != "-" and os.path.exists(inp) and _inside(inp, out):
            raise UserError(f"holds {inp}, an input of this command, which the output would "
                            f"replace; choose another {option}", where=out)
    if os.path.lexists(out) and not os.path.isdir(out):
        raise UserError(f"exists and is not a folder; choose another {option}", where=out)
    if os.path.isdir(out) and not overwrite:
        foreign = _foreign(out)
        if foreign:
            shown = ", ".join(foreign[:3]) + (f" and {len(foreign) - 3} more" if len(foreign) > 3 else "")
            raise UserError(f"holds files that are not a sim output ({shown}); give --overwrite "
                            f"to replace the folder, or choose another {option}", where=out)


def mark_incomplete(folder: str, reason: str) -> None:
    """Make ``folder`` visibly incomplete: no summary.json, an incomplete.json saying why."""
    try:
        os.remove(os.path.join(folder, SUMMARY))
    except FileNotFoundError:
        pass
    with open(os.path.join(folder, MARKER), "w", encoding="utf-8") as fh:
        json.dump({"complete": False, "reason": reason, "command": COMMAND["line"]}, fh, indent=2)
        fh.write("\n")


def _swap_in(tmp: str, out: str) -> None:
    """Move folder ``tmp`` to ``out``, replacing an earlier folder there completely."""
    if not os.path.lexists(out):
        os.replace(tmp, out)
        return
    old = _partial_name(out, "old")
    os.replace(out, old)
    os.replace(tmp, out)
    shutil.rmtree(old, ignore_errors=True)


def _renamed(exc: OSError, tmp: str, out: str) -> OSError:
    """``exc`` with the temporary folder in its file name shown as ``out`` (what the user
    named), or naming ``out`` when the error names no file (a failed write())."""
    name = exc.filename
    if isinstance(name, str) and _inside(name, tmp):
        rel = os.path.relpath(os.path.realpath(name), os.path.realpath(tmp))
        name = out if rel == "." else os.path.join(out, rel)
    elif name is None:
        name = out
    return OSError(exc.errno, exc.strerror or str(exc), name)


@contextmanager
def staged_dir(out: str, *, inputs: Iterable[str | None] = (), overwrite: bool = False) -> Iterator[str]:
    """Yield a temporary folder beside ``out``; move it to ``out`` when the block succeeds.

    On failure see the module docstring; an OSError is re-raised naming the path as the user
    knows it, a KeyboardInterrupt becomes :class:`sim.errors.Interrupted` saying where the
    partial output is."""
    check_out_dir(out, inputs, overwrite)
    tmp = _partial_name(out, "partial")
    try:
        parent = os.path.dirname(os.path.normpath(out))
        if parent and os.path.exists(parent) and not os.path.isdir(parent):
            raise NotADirectoryError(errno.ENOTDIR, os.strerror(errno.ENOTDIR), parent)
        if parent:
            os.makedirs(parent, exist_ok=True)
        _remove_stale(out)
        os.mkdir(tmp)
    except OSError as exc:
        raise UserError(f"cannot create output folder: {exc.strerror}", where=out) from None
    try:
        yield tmp
        try:
            os.remove(os.path.join(tmp, MARKER))
        except FileNotFoundError:
            pass
        _swap_in(tmp, out)
    except KeyboardInterrupt as exc:        # Ctrl-C, or SIGTERM (sim.errors.Terminate)
        word, reason, code = stop_words(exc)
        with _sigint_ignored():     # a second Ctrl-C must not stop the clean-up halfway
            kept = _keep_partial(tmp, out, reason)
        if kept:
            raise Interrupted(f"{word}; partial output in {out} ({MARKER})", exit_code=code) from None
        raise Interrupted(f"{word}; nothing written", exit_code=code) from None
    except OSError as exc:
        shutil.rmtree(tmp, ignore_errors=True)
        raise _renamed(exc, tmp, out) from None
    except BaseException as exc:
        _keep_partial(tmp, out, str(exc) or type(exc).__name__)
        raise


@contextmanager
def _sigint_ignored() -> Iterator[None]:
    import signal
    import threading
    if threading.current_thread() is not threading.main_thread():
        yield
        return
    old = {sig: signal.signal(sig, signal.SIG_IGN) for sig in (signal.SIGINT, signal.SIGTERM)}
    try:
        yield
    finally:
        for sig, handler in old.items():
            signal.signal(sig, handler)


def _remove_stale(out: str) -> None:
    """Remove the partial folders of ``out`` that a killed process left (its pid is gone)."""
    parent, base = os.path.split(os.path.normpath(out))
    prefix = f".{base}.partial-"
    for entry in os.scandir(parent or "."):
        pid = entry.name[len(prefix):] if entry.name.startswith(prefix) else ""
        if pid.isdigit() and not _alive(int(pid)):
            shutil.rmtree(entry.path, ignore_errors=True)


def _alive(pid: int) -> bool:
    if pid == os.getpid():
        return False        # an earlier staging of this process that did not finish
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except OSError:
        return True         # exists, owned by another user
    return True


def _keep_partial(tmp: str, out: str, reason: str) -> bool:
    """Mark ``tmp`` incomplete and move it to ``out``; if that fails, remove it (False)."""
    try:
        mark_incomplete(tmp, reason)
        _swap_in(tmp, out)
        return True
    except OSError:
        shutil.rmtree(tmp, ignore_errors=True)
        return False


@contextmanager
def staged_file(path: str, *, inputs: Iterable[str | None] = (), option: str = "--out") -> Iterator:
    """Yield a binary file handle on a temporary name beside ``path``; rename it to ``path``
    when the block succeeds, remove it otherwise (nothing is written)."""
    for inp in inputs:
        if inp and inp != "-" and os.path.exists(inp) and os.path.exists(path) \
                and os.path.samefile(inp, path):
            raise UserError(f"is an input of this command; choose another {option}", where=path)
    if os.path.isdir(path):
        raise UserError(f"is a folder; {option} names the file to write", where=path)
    tmp = _partial_name(path, "partial")
    try:
        fh = open(tmp, "wb")
    except OSError as exc:
        raise UserError(f"cannot write: {exc.strerror}", where=path) from None
    try:
        with fh:
            yield fh
        os.replace(tmp, path)
    except KeyboardInterrupt as exc:
        _remove(tmp)
        word, _, code = stop_words(exc)
        raise Interrupted(f"{word}; nothing written", exit_code=code) from None
    except OSError as exc:
        _remove(tmp)
        raise _renamed(exc, tmp, path) from None
    except BaseException:
        _remove(tmp)
        raise


def _remove(path: str) -> None:
    try:
        os.remove(path)
    except OSError:
        pass


@contextmanager
def staged_plots(folder: str) -> Iterator[str]:
    """``sim plot DIR``: the plots are written to DIR/plots/ while the earlier plots wait
    beside it; on success those are removed, on failure the new plots are removed and the
    earlier ones put back (DIR/plots/ is never a mix of two runs)."""
    plots = os.path.join(folder, "plots")
    old = os.path.join(folder, f".plots.old-{os.getpid()}")
    if os.path.lexists(plots):
        os.replace(plots, old)
    try:
        yield plots
    except BaseException as exc:
        shutil.rmtree(plots, ignore_errors=True)
        if os.path.lexists(old):
            os.replace(old, plots)
        if isinstance(exc, KeyboardInterrupt):
            word, _, code = stop_words(exc)
            raise Interrupted(f"{word}; {plots} left as it was", exit_code=code) from None
        if isinstance(exc, OSError):
            raise _renamed(exc, plots, plots) from None
        raise
    shutil.rmtree(old, ignore_errors=True)
