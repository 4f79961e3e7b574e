"""Problems found in a script, and the errors the checks raise.

A ScriptProblem is data, not an exception: the simulated hosts turn it into the error PowerShell would print, the
command line tool prints it as ``path:line:col: kind: message``.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["CatalogError", "HeaderError", "LiteralError", "ScriptProblem"]


@dataclass(frozen=True)
class ScriptProblem:
    """One thing PowerShell on the target host would reject, worded as PowerShell words it.

    ``when`` says when the host reports it: ``parse`` (the whole script is refused before anything runs), ``run``
    (the statement fails when reached; a ``trap`` can catch it) or ``none`` (the host raises no error but the
    construct does not do what the script expects, for example ``$PSItem`` on 2.0 is simply ``$null``).
    ``source_line``, ``length`` and ``target`` let the error be formatted as PowerShell formats it.
    """

    kind: str
    message: str
    line: int
    column: int
    fqid: str
    category: str
    command: str | None = None
    parameter: str | None = None
    when: str = "run"
    source_line: str = ""
    length: int = 1
    target: str = ""
    exception: str = ""


class LiteralError(ValueError):
    """An argument or assignment is not a plain literal, so its value cannot be known without running the script."""

    def __init__(self, *, name: str, reason: str, line: int | None = None, column: int | None = None) -> None:
        self.name = name
        self.reason = reason
        self.line = line
        self.column = column
        where = f" at line {line}, column {column}" if line is not None else ""
        super().__init__(f"{name}: {reason}{where}")


class CatalogError(ValueError):
    """The catalog file is malformed (a missing source, an unknown level or version, a bad entry)."""

    def __init__(self, *, entry: str, reason: str) -> None:
        self.entry = entry
        self.reason = reason
        super().__init__(f"catalog entry {entry!r}: {reason}")


class HeaderError(ValueError):
    """A host script lacks the ``# operation:`` / ``# language:`` / ``# exchange:`` header or has an invalid one."""

    def __init__(self, *, field: str, reason: str) -> None:
        self.field = field
        self.reason = reason
        super().__init__(f"header field {field!r}: {reason}")
