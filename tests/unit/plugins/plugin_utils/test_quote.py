"""PowerShell literals: every value reads back as itself, nothing in it is ever code."""

from __future__ import annotations

import pytest
import tree_sitter
import tree_sitter_powershell
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._quote import (
    QuoteError,
    quote_arguments,
    quote_literal,
    quote_string,
)

# PowerShell's tokenizer (CharTraits.IsSingleQuote): these five characters all open, close and escape a verbatim string.
SINGLE_QUOTES = "'\u2018\u2019\u201a\u201b"

INJECTIONS = [
    "plain",
    "",
    "it's",
    "''",
    "$(Remove-Item C:\\ -Recurse)",
    "$env:USERNAME",
    "`$x`n",
    "a\r\nb\nc",
    "'; Stop-Computer; '",
    "\u2018; Stop-Computer; \u2019",
    "\u201a$(whoami)\u201b",
    "\u2019\u2019\u2019",
    "@' here '@",
    '"$(x)"',
    "#comment",
    "<# block #>",
    "caf\u00e9 \U0001f512",
    "ends with backtick`",
]


def read_verbatim(text: str, start: int = 0) -> tuple[str, int]:
    """Read one single-quoted string as PowerShell does; return its value and the index after it."""
    assert text[start] in SINGLE_QUOTES
    value, index = [], start + 1
    while index < len(text):
        character = text[index]
        if character in SINGLE_QUOTES:
            if index + 1 < len(text) and text[index + 1] in SINGLE_QUOTES:
                value.append(character)
                index += 2
                continue
            return "".join(value), index + 1
        value.append(character)
        index += 1
    raise AssertionError("unterminated string")


@pytest.mark.parametrize("value", INJECTIONS)
def test_string_reads_back_as_one_literal(value: str) -> None:
    literal = quote_string(value)
    decoded, end = read_verbatim(literal)
    assert decoded == value
    assert end == len(literal)


def test_reader_catches_an_unescaped_typographic_quote() -> None:
    naive = "'" + "\u2019; Stop-Computer; \u2019" + "'"
    _decoded, end = read_verbatim(naive)
    assert end < len(naive)


_PARSER = tree_sitter.Parser(tree_sitter.Language(tree_sitter_powershell.language()))


def _node_types(source: str) -> set[str]:
    tree = _PARSER.parse(source.encode("utf-8"))
    types, stack = set(), [tree.root_node]
    while stack:
        node = stack.pop()
        types.add(node.type)
        stack.extend(node.children)
    return types


@pytest.mark.parametrize("value", [v for v in INJECTIONS if not any(q in v for q in SINGLE_QUOTES[1:])])
def test_parser_sees_no_code_in_a_string(value: str) -> None:
    types = _node_types(f"Invoke-ExumOperation -Name {quote_string(value)}")
    assert "ERROR" not in types
    assert not types & {"sub_expression", "variable", "expandable_string_literal", "script_block", "comment"}


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (None, "$null"),
        (True, "$true"),
        (False, "$false"),
        (0, "0"),
        (42, "42"),
        (-5, "(-5)"),
        (2**40, "1099511627776"),
        ("x", "'x'"),
        ([], "@()"),
        (["a", 1, True], "@('a', 1, $true)"),
        (("t",), "@('t')"),
        ([["n"]], "@(@('n'))"),
        ({}, "@{}"),
        ({"k": "v", "n": None}, "@{'k' = 'v'; 'n' = $null}"),
        ({"o'k": ["x"]}, "@{'o''k' = @('x')}"),
    ],
)
def test_literal_table(value: object, expected: str) -> None:
    assert quote_literal(value) == expected


@pytest.mark.parametrize(
    ("value", "path", "reason"),
    [
        ("a\x00b", "value", "NUL"),
        (["ok", "bad\x00"], "value[1]", "NUL"),
        ({"k": {"inner": "\x00"}}, "value.k.inner", "NUL"),
        ({1: "x"}, "value", "key"),
        (1.5, "value", "float"),
        (b"bytes", "value", "bytes"),
        ({"set"}, "value", "set"),
    ],
)
def test_refused_values(value: object, path: str, reason: str) -> None:
    with pytest.raises(QuoteError) as caught:
        quote_literal(value)
    assert caught.value.path == path
    assert reason in caught.value.reason


def test_nul_error_does_not_echo_the_value() -> None:
    with pytest.raises(QuoteError) as caught:
        quote_string("s3cret\x00")
    assert "s3cret" not in str(caught.value)


def test_named_arguments() -> None:
    text = quote_arguments({"Root": ["QUJD"], "State": "present", "CheckMode": False, "Map": {"k": 1}})
    assert text == "-Root @('QUJD') -State 'present' -CheckMode $false -Map @{'k' = 1}"
    assert quote_arguments({}) == ""


@pytest.mark.parametrize("name", ["", "1x", "a-b", "x;y", "Name ", "$x", "-Root"])
def test_bad_parameter_names(name: str) -> None:
    with pytest.raises(QuoteError):
        quote_arguments({name: "v"})
