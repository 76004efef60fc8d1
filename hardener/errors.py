"""One exception family for every user-facing failure.

Each error carries a one-line message and, where it applies, the file and position it is about.
The CLI prints ``str(error)`` and exits 2; anything that is not a HardenerError is a bug.
"""

from __future__ import annotations


class HardenerError(Exception):
    """A user's mistake or an environment problem: reported in one line, never a traceback."""

    exit_code = 2

    def __init__(
        self,
        message: str,
        *,
        file: str | None = None,
        line: int | None = None,
        column: int | None = None,
    ) -> None:
        self.message = " ".join(message.split())  # always one line
        self.file = file
        self.line = line
        self.column = column
        super().__init__(str(self))

    def __str__(self) -> str:
        where = ""
        if self.file is not None:
            where = self.file
            if self.line is not None:
                where += f":{self.line}"
                if self.column is not None:
                    where += f":{self.column}"
            where += ": "
        return f"{where}{self.message}"


class UsageError(HardenerError):
    """Bad command-line usage: unknown names, malformed --set, conflicting options."""


class ProfileError(HardenerError):
    """A profile file is malformed, unknown, or its extends chain is broken."""


class CatalogError(HardenerError):
    """A key path is not accepted by the target's catalog."""


class ValuesError(HardenerError):
    """A site values file or --set override is malformed or names an unknown key."""


class ConfigSyntaxError(HardenerError):
    """A configuration file cannot be read: invalid YAML, encoding, size, structure."""


class RenderError(HardenerError):
    """Rendered output did not parse back to the intended values."""


class MergeError(HardenerError):
    """A merge could not be applied or verified."""


class FileChangedError(MergeError):
    """The file changed between reading and writing it; nothing was written (merge retries)."""


class WriteError(HardenerError):
    """A file could not be written; the original is untouched."""
