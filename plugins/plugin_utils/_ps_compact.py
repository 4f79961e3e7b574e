"""Drop full-line comments, blank lines and indentation from a host script before it is sent, and nothing else.

Every operation pays for its payload in stdin bytes (base64, then WinRM's own base64 in XML), and comments and
indentation are for people reading the files. A line is dropped or unindented only where PowerShell ignores what
goes: outside strings, here-strings and block comments, and not right after a backtick line continuation.
``#requires`` stays, since PowerShell reads it. (Error lines are mapped back to the host scripts by the payload's
line origins, not by comments in the payload.)
"""

from __future__ import annotations

import re

__all__ = ["compact_lines"]

# about_Quoting_Rules: PowerShell takes U+2018..U+201B as single quotes and U+201C..U+201E as double quotes.
_SINGLE = "'\u2018\u2019\u201a\u201b"
_DOUBLE = '"\u201c\u201d\u201e'
_KEPT_COMMENT = re.compile(r"#requires\b", re.IGNORECASE)

_CODE, _SUBEXPRESSION, _SINGLE_STRING, _DOUBLE_STRING, _HERE_SINGLE, _HERE_DOUBLE, _BLOCK = range(7)


class _Scanner:
    """Tracks what a line starts inside of; ``stack`` holds the open constructs (code at the bottom)."""

    def __init__(self) -> None:
        self.stack: list[list[int]] = [[_CODE, 0]]
        self.continued = False

    @property
    def at_top_level(self) -> bool:
        return len(self.stack) == 1 and not self.continued

    def feed(self, line: str) -> None:
        """Advance over one line (without its line end)."""
        self.continued = False
        index = 0
        top = self.stack[-1]
        if top[0] in (_HERE_SINGLE, _HERE_DOUBLE):
            # about_Quoting_Rules: a here-string ends with '@ or "@ at the very start of a line.
            if not line.startswith("'@" if top[0] == _HERE_SINGLE else '"@'):
                return
            self.stack.pop()
            index = 2
        while index < len(line):
            index = self._step(line, index)

    def _step(self, line: str, index: int) -> int:
        kind = self.stack[-1][0]
        char = line[index]
        following = line[index + 1] if index + 1 < len(line) else ""
        if kind == _BLOCK:
            if char == "#" and following == ">":
                self.stack.pop()
                return index + 2
            return index + 1
        if kind == _SINGLE_STRING:
            if char in _SINGLE:
                if following and following in _SINGLE:
                    return index + 2
                self.stack.pop()
            return index + 1
        if kind == _DOUBLE_STRING:
            if char == "`":
                return index + 2
            if char == "$" and following == "(":
                self.stack.append([_SUBEXPRESSION, 0])
                return index + 2
            if char in _DOUBLE:
                if following and following in _DOUBLE:
                    return index + 2
                self.stack.pop()
            return index + 1
        return self._code_step(line, index, char, following)

    def _code_step(self, line: str, index: int, char: str, following: str) -> int:
        frame = self.stack[-1]
        if char == "`":
            if index + 1 >= len(line):
                self.continued = True
            return index + 2
        if char == "<" and following == "#":
            self.stack.append([_BLOCK, 0])
            return index + 2
        if char == "#" and (index == 0 or line[index - 1].isspace() or line[index - 1] in ";|&(){}"):
            # A comment runs to the end of the line; inside a bare word (a#b) the # is part of the word.
            return len(line)
        if char == "@" and following and (following in _SINGLE or following in _DOUBLE):
            if line[index + 2 :].strip() == "":
                self.stack.append([_HERE_SINGLE if following in _SINGLE else _HERE_DOUBLE, 0])
                return len(line)
            return index + 1
        if char in _SINGLE:
            self.stack.append([_SINGLE_STRING, 0])
        elif char in _DOUBLE:
            self.stack.append([_DOUBLE_STRING, 0])
        elif frame[0] == _SUBEXPRESSION and char == "(":
            frame[1] += 1
        elif frame[0] == _SUBEXPRESSION and char == ")":
            if frame[1] == 0:
                self.stack.pop()
            else:
                frame[1] -= 1
        return index + 1


def compact_lines(text: str) -> list[tuple[int, str]]:
    """The lines of ``text`` worth sending, each with its 1-based line number in ``text``.

    Lines inside a string, here-string or block comment, and the line after a backtick continuation, stay as they are.
    """
    kept: list[tuple[int, str]] = []
    scanner = _Scanner()
    for number, line in enumerate(text.replace("\r\n", "\n").split("\n"), start=1):
        stripped = line.strip()
        droppable = not stripped or (stripped.startswith("#") and not _KEPT_COMMENT.match(stripped))
        if not scanner.at_top_level:
            kept.append((number, line))
        elif not droppable:
            kept.append((number, line.lstrip(" \t")))
        scanner.feed(line)
    return kept
