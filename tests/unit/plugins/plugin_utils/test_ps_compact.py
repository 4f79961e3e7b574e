"""Comment, blank-line and indentation removal keeps every PowerShell token: checked with tree-sitter-powershell on
every host script and on tables of strings, here-strings, block comments and line continuations."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
import tree_sitter
import tree_sitter_powershell
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ps_compact import compact_lines

SCRIPTS = Path(_host_channel.__file__).parent / "host_scripts"
PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))
# The grammar knows only ASCII quotes; PowerShell treats the typographic ones alike (about_Quoting_Rules).
ASCII_QUOTES = str.maketrans({"\u2018": "'", "\u2019": "'", "\u201a": "'", "\u201b": "'", "\u201c": '"', "\u201d": '"'})


def tokens(text: str) -> list[tuple[str, str]]:
    """Every leaf of the parse tree except comments and whitespace, in order; fails on a syntax error."""
    source = text.translate(ASCII_QUOTES).encode("utf-8")
    tree = PARSER.parse(source)
    assert not tree.root_node.has_error, text

    def leaves(node: tree_sitter.Node) -> Iterator[tuple[str, str]]:
        if node.type == "comment":
            return
        if node.child_count == 0 or node.type in ("verbatim_string_characters", "expandable_string_literal"):
            value = source[node.start_byte : node.end_byte].decode("utf-8")
            if value.strip():
                yield node.type, value
            return
        for child in node.children:
            yield from leaves(child)

    return list(leaves(tree.root_node))


def compacted(text: str) -> str:
    return "\n".join(line for _number, line in compact_lines(text)) + "\n"


@pytest.mark.parametrize("script", sorted(path.name for path in SCRIPTS.glob("*.ps1")))
def test_host_scripts_keep_every_token(script: str) -> None:
    text = (SCRIPTS / script).read_text(encoding="utf-8")
    kept = compact_lines(text)
    assert tokens(compacted(text)) == tokens(text)
    lines = [line for _number, line in kept]
    # No comment travels, the "# operation:" header included; only #requires would, which PowerShell reads.
    assert not any(line.startswith("#") and not line.lower().startswith("#requires") for line in lines)
    assert kept[0][0] == next(
        number for number, line in enumerate(text.split("\n"), start=1) if line.strip() and not line.startswith("#")
    )
    assert all(line.strip() and line == line.lstrip() for line in lines)
    assert len(kept) < len(text.splitlines())


SAMPLES = {
    "comments and blanks": ("# operation: x\n# about x\n\n  $a = 1   # trailing\n\t# indented comment\n$b = 2\n",
                            ["$a = 1   # trailing", "$b = 2"]),
    "header lines are comments": ("# operation: x\n#Operation:y\n  # operation: z\n$a = 1\n", ["$a = 1"]),
    "requires stays": ("#requires -Version 2.0\n# note\n$a = 1\n", ["#requires -Version 2.0", "$a = 1"]),
    "requires in any case": ("#Requires -Version 2.0\n$a = 1\n", ["#Requires -Version 2.0", "$a = 1"]),
    "single-quoted string over lines": ("$a = 'one\n# not a comment\n\n    two'\n# gone\n",
                                        ["$a = 'one", "# not a comment", "", "    two'"]),
    "doubled quote": ("$a = 'it''s\n# inside'\n# gone\n", ["$a = 'it''s", "# inside'"]),
    "typographic quotes": ("$a = \u2018x\u2019\u2019\n# inside\n\u2019\n# gone\n",
                           ["$a = \u2018x\u2019\u2019", "# inside", "\u2019"]),
    "double-quoted string over lines": ('$a = "one `"\n# inside\n"\n# gone\n', ['$a = "one `"', "# inside", '"']),
    "subexpression in a string": ('$a = "x $( "y" +\n# in code inside the string\n"z" ) w\n# inside\n"\n# gone\n',
                                  ['$a = "x $( "y" +', "# in code inside the string", '"z" ) w', "# inside", '"']),
    "single here-string": ("$a = @'\n# inside\n\n  indented\n'@\n# gone\n",
                           ["$a = @'", "# inside", "", "  indented", "'@"]),
    "double here-string": ('$a = @"\n# inside $b\n"@\n  # gone\n', ['$a = @"', "# inside $b", '"@']),
    "hashtable over lines": ("$h = @{\n    # gone\n    'k' = 'v'\n}\n", ["$h = @{", "'k' = 'v'", "}"]),
    "block comment": ("<# one\n# two\n\n#>\n# gone\n$a = 1\n", ["<# one", "# two", "", "#>", "$a = 1"]),
    "line continuation": ("Write-Output 1 `\n    2\n# gone\n", ["Write-Output 1 `", "    2"]),
    "hash inside a word": ("Write-Output a#b 'c\n# inside\n'\n", ["Write-Output a#b 'c", "# inside", "'"]),
    "hash in a string": ("$a = '#'\n# gone\n$b = \"#\"\n", ["$a = '#'", '$b = "#"']),
}  # fmt: skip


@pytest.mark.parametrize("name", sorted(SAMPLES))
def test_samples(name: str) -> None:
    text, expected = SAMPLES[name]
    assert [line for _number, line in compact_lines(text)] == expected
    if name not in ("block comment",):  # a block comment is a comment node: it has no tokens to compare
        assert tokens(compacted(text)) == tokens(text)


def test_line_numbers_are_those_of_the_source() -> None:
    text = "# operation: x\n\n# c\n  $a = 'x\n# y'\n$b = 1\r\n"
    assert compact_lines(text) == [(4, "$a = 'x"), (5, "# y'"), (6, "$b = 1")]
