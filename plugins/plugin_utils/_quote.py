"""PowerShell literals for every value that reaches a host script.

Values are never interpolated into code: each becomes a single-quoted string, a number, ``$true``/``$false``/``$null``,
an array ``@(...)`` or a hashtable ``@{...}``. Inside a single-quoted string PowerShell treats ``'`` and the four
typographic single quotes U+2018..U+201B alike, so each of them is doubled; ``$()``, backticks and newlines have no
meaning there. PowerShell 1.0 parses all of these forms.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

__all__ = ["QuoteError", "quote_arguments", "quote_literal", "quote_string"]

_SINGLE_QUOTES = re.compile("(['\u2018\u2019\u201a\u201b])")
_PARAMETER_NAME = re.compile(r"^[A-Za-z][A-Za-z0-9]*$")


class QuoteError(ValueError):
    """A value that cannot be written as a PowerShell literal; ``path`` says where it sits in the arguments."""

    def __init__(self, reason: str, *, path: str) -> None:
        super().__init__(f"{path}: {reason}")
        self.reason = reason
        self.path = path


def quote_string(value: str, *, path: str = "value") -> str:
    """Single-quoted literal; NUL is refused because Windows APIs would silently cut the string there."""
    if "\x00" in value:
        raise QuoteError("a NUL character cannot be passed to PowerShell", path=path)
    return "'" + _SINGLE_QUOTES.sub(r"\1\1", value) + "'"


def quote_literal(value: object, *, path: str = "value") -> str:
    """Literal for str, bool, None, int, list/tuple (array) and mapping with string keys (hashtable)."""
    if value is None:
        return "$null"
    if isinstance(value, bool):
        return "$true" if value else "$false"
    if isinstance(value, int):
        # A negative number in argument mode is kept in parentheses so it is never read as a parameter name.
        return str(value) if value >= 0 else f"({value})"
    if isinstance(value, str):
        return quote_string(value, path=path)
    if isinstance(value, (list, tuple)):
        items = [quote_literal(item, path=f"{path}[{index}]") for index, item in enumerate(value)]
        return "@(" + ", ".join(items) + ")"
    if isinstance(value, Mapping):
        pairs = []
        for key, item in value.items():
            if not isinstance(key, str):
                raise QuoteError(f"hashtable key {key!r} is not a string", path=path)
            pairs.append(f"{quote_string(key, path=path)} = {quote_literal(item, path=f'{path}.{key}')}")
        return "@{" + "; ".join(pairs) + "}"
    raise QuoteError(f"type {type(value).__name__} has no PowerShell literal here", path=path)


def quote_arguments(arguments: Mapping[str, object]) -> str:
    """Named arguments ``-Name literal ...``; named arguments work from PowerShell 1.0 (splatting needs 2.0)."""
    parts = []
    for name, value in arguments.items():
        if not _PARAMETER_NAME.match(name):
            raise QuoteError("not a valid parameter name", path=repr(name))
        parts.append(f"-{name} {quote_literal(value, path=name)}")
    return " ".join(parts)
