"""The ``sim`` command line (DESIGN contract 5).

Each command lives in its own module ``sim.commands.<name>`` exposing ``HELP`` (one line),
``configure(parser)`` and ``run(args) -> int``. Commands whose module is not installed are
simply not offered. A :class:`sim.errors.UserError` becomes one line on stderr and exit code 2;
nothing else the user typed should ever produce a traceback.
"""

from __future__ import annotations

import argparse
import importlib
import importlib.util
import sys

from sim import __version__, build
from sim.errors import UserError

COMMANDS = (
    "run", "replay", "sweep", "explain", "check", "plot", "stream", "import-log", "erlang",
    "export",
)


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
        p = sub.add_parser(name, help=module.HELP, description=module.HELP)
        module.configure(p)
        p.set_defaults(_run=module.run)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    if not getattr(args, "_run", None):
        parser.print_help()
        return 2
    try:
        return int(args._run(args) or 0)
    except UserError as exc:
        print(f"sim {args.command}: error: {exc}", file=sys.stderr)
        return exc.exit_code
    except KeyboardInterrupt:
        return 130
    except BrokenPipeError:
        return 0


if __name__ == "__main__":
    sys.exit(main())
