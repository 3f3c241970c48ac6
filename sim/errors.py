"""User-facing errors: one line naming the place (file, line, key), exit code 2."""

import os


class UserError(Exception):
    """Bad input from the user. ``str()`` is the whole one-line message the user sees."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)


def existing_file(path: str) -> str:
    """``path`` if it names a file, else the error a user sees for a missing file or a folder."""
    if os.path.isfile(path):
        return path
    if os.path.isdir(path):
        raise UserError(f"{path}: is a directory, not a file")
    if os.path.exists(path):      # a device, a socket, a named pipe: not a file to read twice
        raise UserError(f"{path}: not a regular file")
    raise UserError(f"{path}: no such file")


def read_toml(path: str) -> dict:
    """Parse a TOML file; a missing file or a syntax error is a one-line UserError."""
    import tomllib
    try:
        with open(path, "rb") as fh:
            return tomllib.loads(fh.read().decode("utf-8-sig"))   # a byte-order mark is not TOML
    except FileNotFoundError:
        raise UserError(f"{path}: no such file") from None
    except IsADirectoryError:
        raise UserError(f"{path}: is a directory, not a file") from None
    except tomllib.TOMLDecodeError as exc:
        raise UserError(f"{path}: invalid TOML: {exc}") from None
    except UnicodeDecodeError as exc:
        raise UserError(f"{path}: not UTF-8 text ({exc.reason} at byte {exc.start})") from None


class Interrupted(UserError):
    """The user stopped the command (Ctrl-C, or SIGTERM: :class:`Terminate`); ``str()`` says
    what was left. Exit code 130 for Ctrl-C, 143 for SIGTERM."""

    exit_code = 130

    def __init__(self, message: str, *, exit_code: int = 130):
        super().__init__(message)
        self.exit_code = exit_code


class Terminate(KeyboardInterrupt):
    """SIGTERM (``kill PID``, a CI job's time-out, a service manager stopping ``sim``), raised
    where the program is, so that it takes every path a Ctrl-C takes (a partial folder marked
    incomplete, one line, no traceback); exit code 143 = 128 + 15, as a process killed by the
    signal reports (docs/decisions.md, "SIGTERM")."""

    exit_code = 143
    word = "terminated"
    reason = "terminated (SIGTERM)"


def stop_words(exc: BaseException) -> tuple[str, str, int]:
    """(the word of the user's line, the reason incomplete.json gives, the exit code) of a
    KeyboardInterrupt: Ctrl-C or SIGTERM."""
    if isinstance(exc, Terminate):
        return exc.word, exc.reason, exc.exit_code
    return "interrupted", "interrupted (Ctrl-C)", 130


def os_error_line(exc: OSError) -> str:
    """The one line for an I/O error: ``PATH: reason`` (``out/actions.jsonl: No space left on
    device``); the single place an OSError becomes what the user reads."""
    reason = exc.strerror or str(exc) or type(exc).__name__
    name = exc.filename
    if name is None:
        return reason
    return f"{os.fsdecode(name)}: {reason}"
