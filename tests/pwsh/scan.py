"""A delimiter scan that follows PowerShell's tokenizer for strings, comments and brackets.

tree-sitter recovers from errors in its own way, so the place and wording of an unterminated string or an unclosed
bracket is found here instead: PowerShell reports the opening token of what is left open ("Missing closing '}' in
statement block." at the ``{``) and a closer without an opener as an unexpected token.
"""

from __future__ import annotations

__all__ = ["first_delimiter_problem"]

_OPENERS = {"{": "}", "(": ")", "@{": "}", "@(": ")", "$(": ")"}
_MESSAGES = {
    "{": ("Missing closing '}' in statement block.", "MissingEndCurlyBrace"),
    "@{": ("Missing closing '}' in hash literal.", "MissingEndCurlyBrace"),
    "(": ("Missing closing ')' in expression.", "MissingEndParenthesisInExpression"),
    "@(": ("Missing closing ')' in subexpression.", "MissingEndParenthesisInSubexpression"),
    "$(": ("Missing closing ')' in subexpression.", "MissingEndParenthesisInSubexpression"),
}
_BREAKS = " \t\r\n;|&(){}"

Problem = tuple[int, int, str, str]


def first_delimiter_problem(text: str) -> Problem | None:
    """(index, length, message, fqid) of the first unterminated string or unbalanced bracket, else None.

    ``text`` has typographic quotes already replaced by ASCII ones (parser.py).
    """
    stack: list[tuple[str, int]] = []
    index = 0
    size = len(text)
    while index < size:
        char = text[index]
        pair = text[index : index + 2]
        if char == "`":
            index += 2
        elif pair == "<#":
            end = text.find("#>", index + 2)
            if end < 0:
                return index, 2, "Missing end of comment block '#>'.", "MissingEndOfCommentBlock"
            index = end + 2
        elif char == "#" and (index == 0 or text[index - 1] in _BREAKS):
            end = text.find("\n", index)
            index = size if end < 0 else end
        elif pair in ("@'", '@"') and _rest_of_line_blank(text, index + 2):
            end = _here_string_end(text, index, pair[1])
            if end < 0:
                return index, 2, f"The string is missing the terminator: {pair[1]}@.", "TerminatorExpectedAtEndOfString"
            index = end
        elif char == "'":
            end = _single_quoted_end(text, index)
            if end < 0:
                return index, 1, "The string is missing the terminator: '.", "TerminatorExpectedAtEndOfString"
            index = end
        elif char == '"':
            end = _double_quoted_end(text, index)
            if end < 0:
                return index, 1, 'The string is missing the terminator: ".', "TerminatorExpectedAtEndOfString"
            index = end
        elif pair in _OPENERS:
            stack.append((pair, index))
            index += 2
        elif char in "{(":
            stack.append((char, index))
            index += 1
        elif char in "})":
            if not stack or _OPENERS[stack[-1][0]] != char:
                return index, 1, f"Unexpected token '{char}' in expression or statement.", "UnexpectedToken"
            stack.pop()
            index += 1
        else:
            index += 1
    if stack:
        opener, at = stack[-1]
        message, fqid = _MESSAGES[opener]
        return at, len(opener), message, fqid
    return None


def _rest_of_line_blank(text: str, index: int) -> bool:
    end = text.find("\n", index)
    return not text[index : len(text) if end < 0 else end].strip()


def _here_string_end(text: str, index: int, quote: str) -> int:
    """Index after the closing ``'@`` / ``"@``, which must start a line."""
    position = text.find("\n", index)
    while position >= 0:
        if text.startswith(quote + "@", position + 1):
            return position + 3
        position = text.find("\n", position + 1)
    return -1


def _single_quoted_end(text: str, index: int) -> int:
    """Index after a single-quoted string; a doubled quote is one literal quote."""
    position = index + 1
    while position < len(text):
        if text[position] == "'":
            if text[position + 1 : position + 2] == "'":
                position += 2
                continue
            return position + 1
        position += 1
    return -1


def _double_quoted_end(text: str, index: int) -> int:
    """Index after a double-quoted string: backtick escapes, doubled quotes, and ``$( ... )`` with nested code."""
    position = index + 1
    while position < len(text):
        char = text[position]
        if char == "`":
            position += 2
        elif char == '"':
            if text[position + 1 : position + 2] == '"':
                position += 2
                continue
            return position + 1
        elif text.startswith("$(", position):
            inner = _subexpression_end(text, position + 2)
            if inner < 0:
                return -1
            position = inner
        else:
            position += 1
    return -1


def _subexpression_end(text: str, index: int) -> int:
    depth = 1
    position = index
    while position < len(text):
        char = text[position]
        if char == "'":
            position = _single_quoted_end(text, position)
        elif char == '"':
            position = _double_quoted_end(text, position)
        elif char == "`":
            position += 2
            continue
        else:
            if char == "(":
                depth += 1
            elif char == ")":
                depth -= 1
                if depth == 0:
                    return position + 1
            position += 1
            continue
        if position < 0:
            return -1
    return -1
