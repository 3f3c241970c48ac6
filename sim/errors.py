"""User-facing errors: one line naming the place (file, line, key), exit code 2."""


class UserError(Exception):
    """Bad input from the user. ``str()`` is the whole one-line message the user sees."""

    exit_code = 2

    def __init__(self, message: str, *, where: str | None = None):
        self.where = where
        super().__init__(f"{where}: {message}" if where else message)
