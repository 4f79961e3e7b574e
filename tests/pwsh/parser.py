"""Parse PowerShell with tree-sitter-powershell and word syntax errors as PowerShell does.

PowerShell's tokenizer treats the typographic single quotes U+2018..U+201B as ``'``, the typographic double quotes
U+201C..U+201E as ``"`` and the dashes U+2013..U+2015 as ``-`` (docs/powershell-checks.md, "Quotes and dashes").
The grammar knows only the ASCII forms, so the text is parsed after a one-for-one character substitution; every
position and every literal value is then read from the original text.
"""

from __future__ import annotations

import bisect
import collections
import functools
import operator
import re
from collections.abc import Iterator
from dataclasses import dataclass, field

import tree_sitter
import tree_sitter_powershell

from .errors import ScriptProblem
from .scan import first_delimiter_problem

__all__ = ["ParsedScript", "parse_script", "syntax_problems"]

_EQUIVALENTS = str.maketrans(
    {
        "\u2018": "'",
        "\u2019": "'",
        "\u201a": "'",
        "\u201b": "'",
        "\u201c": '"',
        "\u201d": '"',
        "\u201e": '"',
        "\u2013": "-",
        "\u2014": "-",
        "\u2015": "-",
    }
)
_LINE_BREAK = re.compile(r"\r\n?|\n")
_LANGUAGE = tree_sitter.Language(tree_sitter_powershell.language())


def _walk(node: tree_sitter.Node) -> Iterator[tree_sitter.Node]:
    """Every node under ``node`` (itself first), depth first, without recursion (payload trees are deep)."""
    cursor = node.walk()
    while True:
        yield cursor.node
        if cursor.goto_first_child():
            continue
        while not cursor.goto_next_sibling():
            if not cursor.goto_parent():
                return


@dataclass(frozen=True)
class ParsedScript:
    """A parsed script: the tree-sitter tree plus the original text, with character-based positions.

    ``_char_starts`` is None when the text is ASCII (byte offsets are character indexes).
    """

    text: str
    normalized: str
    tree: tree_sitter.Tree
    _char_starts: list[int] | None = field(repr=False)
    _line_starts: list[int] = field(repr=False)

    @property
    def root(self) -> tree_sitter.Node:
        return self.tree.root_node

    @functools.cached_property
    def _nodes_by_type(self) -> dict[str, list[tuple[int, tree_sitter.Node]]]:
        """Every node with its pre-order index, by type: the checks and the lab share one walk of the tree."""
        index: dict[str, list[tuple[int, tree_sitter.Node]]] = collections.defaultdict(list)
        for order, node in enumerate(_walk(self.root)):
            index[node.type].append((order, node))
        return index

    def nodes_of(self, *types: str, within: tree_sitter.Node | None = None) -> list[tree_sitter.Node]:
        """The nodes of these types in source order (pre-order, as a depth-first walk meets them); with ``within``,
        only its descendants."""
        entries = [entry for kind in set(types) for entry in self._nodes_by_type.get(kind, ())]
        if len(types) > 1:
            entries.sort(key=operator.itemgetter(0))
        if within is None:
            return [node for _order, node in entries]
        start, end = within.start_byte, within.end_byte
        return [
            node for _order, node in entries if start <= node.start_byte and node.end_byte <= end and node != within
        ]

    def span(self, node: tree_sitter.Node) -> tuple[int, int]:
        return self._char_index(node.start_byte), self._char_index(node.end_byte)

    def text_of(self, node: tree_sitter.Node) -> str:
        """The node's text as written (typographic quotes and dashes kept)."""
        start, end = self.span(node)
        return self.text[start:end]

    def position(self, node: tree_sitter.Node) -> tuple[int, int]:
        """1-based line and character column, as PowerShell's ``At line:L char:C`` counts them."""
        return self.position_of_char(self._char_index(node.start_byte))

    def position_of_char(self, index: int) -> tuple[int, int]:
        line = bisect.bisect_right(self._line_starts, index) - 1
        return line + 1, index - self._line_starts[line] + 1

    def line_text(self, line: int) -> str:
        start = self._line_starts[line - 1]
        end = self._line_starts[line] if line < len(self._line_starts) else len(self.text)
        return self.text[start:end].rstrip("\r\n")

    def _char_index(self, byte_offset: int) -> int:
        if self._char_starts is None:
            return byte_offset
        return bisect.bisect_right(self._char_starts, byte_offset) - 1


def parse_script(text: str) -> ParsedScript:
    """Parse ``text``; never raises (syntax errors stay in the tree as ERROR / MISSING nodes)."""
    normalized = text.translate(_EQUIVALENTS)
    data = normalized.encode("utf-8", errors="surrogatepass")
    char_starts: list[int] | None = None
    if len(data) != len(normalized):
        char_starts = [0]
        for char in normalized:
            char_starts.append(char_starts[-1] + len(char.encode("utf-8", errors="surrogatepass")))
    line_starts = [0, *(match.end() for match in _LINE_BREAK.finditer(text))]
    tree = tree_sitter.Parser(_LANGUAGE).parse(data)
    return ParsedScript(text, normalized, tree, char_starts, line_starts)


def syntax_problems(script: ParsedScript, *, powershell: str) -> list[ScriptProblem]:
    """The parse error PowerShell reports for the script, or [] when the grammar accepts it."""
    if not script.root.has_error:
        return []
    found = first_delimiter_problem(script.normalized)
    if found is not None:
        index, length, message, fqid = found
        return [_problem(script, index, length, message, fqid)]
    node = _first_error(script.root)
    if node is not None:
        start, end = script.span(node)
        if node.is_missing:
            closer = node.type
            message = _MISSING.get(closer, f"Missing '{closer}'.")
            return [_problem(script, start, 1, message, "MissingToken")]
        token = _unexpected_token(node)
        if token is not None:
            token_start, token_end = script.span(token)
            text = script.text[token_start:token_end]
            if text.strip():
                message = f"Unexpected token '{text}' in expression or statement."
                return [_problem(script, token_start, token_end - token_start, message, "UnexpectedToken")]
        return [_problem(script, start, max(end - start, 1), "The script contains a syntax error.", "ParseError")]
    return [_problem(script, 0, 1, "The script contains a syntax error.", "ParseError")]


_MISSING = {
    "}": "Missing closing '}' in statement block.",
    ")": "Missing closing ')' in expression.",
    "]": "Missing ']' at end of attribute or type literal.",
}


def _problem(script: ParsedScript, index: int, length: int, message: str, fqid: str) -> ScriptProblem:
    line, column = script.position_of_char(index)
    target = script.text[index : index + length] if fqid == "UnexpectedToken" else ""
    return ScriptProblem(
        kind="syntax",
        message=message,
        line=line,
        column=column,
        fqid=fqid,
        category="ParserError",
        when="parse",
        source_line=script.line_text(line),
        length=length,
        target=target,
        exception="ParseException",
    )


def _first_error(node: tree_sitter.Node) -> tree_sitter.Node | None:
    if node.is_error or node.is_missing:
        return node
    for child in node.children:
        if child.has_error or child.is_missing:
            found = _first_error(child)
            if found is not None:
                return found
    return None


def _unexpected_token(error: tree_sitter.Node) -> tree_sitter.Node | None:
    """The first token of an ERROR node that is not part of a complete construct before it."""
    for child in error.children:
        if child.child_count and not child.has_error and child.is_named:
            continue
        while child.child_count:
            child = child.children[0]
        return child
    return None
