"""The ``sim`` command line (docs/reference/contracts.md §5).

Each command lives in its own module ``sim.commands.<name>`` exposing ``HELP`` (one line),
``configure(parser)`` and ``run(args) -> int``. Commands whose module is not installed are
simply not offered. A :class:`sim.errors.UserError` becomes one line on stderr and exit code 2;
nothing else the user typed should ever produce a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import shlex
import sys
from typing import Any

from sim import __version__, build
from sim.errors import Interrupted, Terminate, UserError, os_error_line, stop_words

COMMANDS = (
    "run", "replay", "sweep", "explain", "check", "plot", "stream", "import-log", "erlang", "serve",
    "export",
)

# The exit-code contract of every command (README, "Bad input"), shown under each --help.
EXIT_CODES = ("exit codes: 0 ok; 1 ran and found problems (check violations, unmet --goal); "
              "2 bad input or usage (also malformed data lines when the valid ones were "
              "processed, and I/O errors); 130 interrupted (Ctrl-C); 143 terminated (SIGTERM, "
              "handled as Ctrl-C: a partial folder is marked incomplete)")
# Commands that watch SIGTERM themselves (their event loops stop on it, exit 130)
OWN_SIGTERM = ("stream", "serve")


class _Parser(argparse.ArgumentParser):
    """argparse, but a usage error is one line and exit code 2 (argparse's own code)."""

    def error(self, message: str):  # noqa: D401 - argparse API
        self.exit(2, f"{self.prog}: error: {message}\n")


def _command_module(name: str):
    modname = "sim.commands." + name.replace("-", "_")
    if importlib.util.find_spec(modname) is None:
        return None
    return importlib.import_module(modname)


def build_parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="sim", description="Contact-center simulator and Stat Server action engine.")
    parser.add_argument("--version", action="version", version=f"sim {__version__} ({build.describe()})")
    sub = parser.add_subparsers(dest="command", metavar="COMMAND", parser_class=_Parser)
    for name in COMMANDS:
        module = _command_module(name)
        if module is None:
            continue
        p = sub.add_parser(name, help=module.HELP, description=module.HELP, epilog=EXIT_CODES)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    argv = list(sys.argv[1:] if argv is None else argv)
    try:
        args = parser.parse_args(argv)
    except KeyboardInterrupt:
        print("sim: interrupted", file=sys.stderr)
        return 130
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    from sim import outdir
    outdir.COMMAND["line"] = shlex.join(["sim", *argv])
    with _sigterm_as_interrupt(args.command not in OWN_SIGTERM):
        return _run(args)


def _run(args) -> int:
    try:
        return int(args._run(args) or 0)
    except Interrupted as exc:
        print(f"sim {args.command}: {exc}", file=sys.stderr)
        return exc.exit_code
    except UserError as exc:
        print(f"sim {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt as exc:
        word, _, code = stop_words(exc)
        left = "; nothing written" if getattr(args, "out", None) else ""
        print(f"sim {args.command}: {word}{left}", file=sys.stderr)
        return code
    except BrokenPipeError:         # `sim explain ... | head`: the reader has what it wanted
        _quiet_stdout()
        return 0
    except OSError as exc:          # the one place an I/O error becomes the user's line
        print(f"sim {args.command}: error: {os_error_line(exc)}", file=sys.stderr)
        return 2


class _sigterm_as_interrupt:  # noqa: N801 - used like a function
    """While a command runs, SIGTERM raises :class:`sim.errors.Terminate` (a KeyboardInterrupt)
    in the main thread: the command stops as on Ctrl-C (exit 143). Elsewhere (a thread, a
    command with its own handler) nothing changes; the earlier handler is put back after."""

    def __init__(self, on: bool) -> None:
        import signal
        import threading
        self.on = on and threading.current_thread() is threading.main_thread()
        self.old: Any = signal.SIG_DFL     # what signal.signal returned: a handler or a code
        self.signal = signal

    def __enter__(self) -> None:
        if self.on:
            self.old = self.signal.signal(self.signal.SIGTERM, _terminate)

    def __exit__(self, *exc: object) -> None:
        if self.on:      # (None: a handler not set from Python; the default is the safe guess)
            self.signal.signal(self.signal.SIGTERM, self.signal.SIG_DFL if self.old is None else self.old)


def _terminate(signum: int, frame: object) -> None:
    raise Terminate()


def _quiet_stdout() -> None:
    """Point stdout at /dev/null so the interpreter's last flush into the closed pipe does not
    print an "Exception ignored" traceback."""
    import os
    try:
        devnull = os.open(os.devnull, os.O_WRONLY)
        os.dup2(devnull, sys.stdout.fileno())
    except (OSError, ValueError):
        pass


if __name__ == "__main__":
    sys.exit(main())
