"""parse_script's node index and positions against a plain recursive reading of the same tree."""

from __future__ import annotations

import pytest
import tree_sitter

from tests.pwsh import parse_script

SCRIPTS = [
    "function f {\n  param($a, $b)\n  Get-Item -Path $a\n  function g { throw 'x' }\n}\nf -a 1 -b 2\n",
    "$x = \u2018it\u2019\u2019s\u2019\r\nWrite-Host $x \u2013NoNewline\rGet-Date\n",
    "if ($true) { @{'k' = @(1, 2)} | ForEach-Object { $_ } }",
    "",
]
TYPES = [("command",), ("variable", "command", "function_statement"), ("string_literal", "throw")]


def _preorder(node: tree_sitter.Node) -> list[tree_sitter.Node]:
    found = [node]
    for child in node.children:
        found += _preorder(child)
    return found


def _spans(nodes: list[tree_sitter.Node]) -> list[tuple[str, int, int]]:
    return [(node.type, node.start_byte, node.end_byte) for node in nodes]


@pytest.mark.parametrize("text", SCRIPTS)
@pytest.mark.parametrize("types", TYPES)
def test_nodes_of_is_the_preorder_walk(text: str, types: tuple[str, ...]) -> None:
    script = parse_script(text)
    expected = [node for node in _preorder(script.root) if node.type in types]
    assert _spans(script.nodes_of(*types)) == _spans(expected)


@pytest.mark.parametrize("text", SCRIPTS[:1])
def test_nodes_of_within_a_node_are_its_descendants(text: str) -> None:
    script = parse_script(text)
    outer = script.nodes_of("function_statement")[0]
    inner = [node for node in _preorder(outer)[1:] if node.type in ("command", "function_statement", "throw")]
    within = script.nodes_of("command", "function_statement", "throw", within=outer)
    assert _spans(within) == _spans(inner)
    assert [node.type for node in within] == ["command", "function_statement", "throw"]


@pytest.mark.parametrize(
    ("text", "needle", "position"),
    [
        ("Get-Date\nGet-Item x", "Get-Item", (2, 1)),
        ("$a = \u2018\u00e9\u2019; Get-Item x", "Get-Item", (1, 11)),
        ("a\r\nb\nGet-Item x", "Get-Item", (3, 1)),
        ("'a\rb'\r\nGet-Item x", "Get-Item", (3, 1)),
        ("'\U0001f600' ; Get-Item x", "Get-Item", (1, 7)),
    ],
)
def test_positions_count_characters_and_every_line_break(text: str, needle: str, position: tuple[int, int]) -> None:
    script = parse_script(text)
    (node,) = [node for node in script.nodes_of("command_name") if script.text_of(node) == needle]
    assert script.position(node) == position
    assert script.line_text(position[0]) == text.splitlines()[position[0] - 1]
