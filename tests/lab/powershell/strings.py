"""String literals as PowerShell reads them (about_Quoting_Rules, Language Specification 2.0 clause 2.3.5.2).

Single-quoted strings are verbatim (a doubled quote is one quote); double-quoted strings expand ``$variable``,
``$(...)`` and backtick escapes; here-strings keep the lines between their opening and closing lines.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import tree_sitter

from tests.pwsh.literals import here_body, unescape_double, unquote_single

if TYPE_CHECKING:
    from .interpreter import Engine

__all__ = ["expand_string", "verbatim_string"]


def verbatim_string(text: str, kind: str) -> str:
    if kind == "verbatim_here_string_characters":
        return here_body(text)
    return unquote_single(text[1:-1])


def expand_string(engine: Engine, node: tree_sitter.Node) -> str:
    script = engine.script
    assert script is not None
    text = script.text_of(node)
    here = node.type == "expandable_here_string_literal"
    start, _end = script.span(node)
    if here:
        opening = text.index("\n") + 1
        closing = len(text.rstrip()[:-2].rstrip("\r\n"))
    else:
        opening, closing = 1, len(text) - 1
    parts: list[str] = []
    cursor = opening
    for child in node.named_children:
        child_start, child_end = script.span(child)
        child_start -= start
        child_end -= start
        if child_start < cursor or child_end > closing:
            continue
        parts.append(unescape_double(text[cursor:child_start], doubled=not here))
        if child.type == "variable":
            parts.append(engine.to_string(engine._variable(child)))
        elif child.type == "sub_expression":
            parts.append(engine.to_string(engine._sub_expression(child)))
        else:
            parts.append(script.text_of(child))
        cursor = child_end
    parts.append(unescape_double(text[cursor:closing], doubled=not here))
    return "".join(parts)
