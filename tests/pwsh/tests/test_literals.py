"""arguments_of / assigned_literal: the values the simulated hosts read from an invocation line."""

from __future__ import annotations

import pytest

from tests.pwsh import LiteralError, arguments_of, assigned_literal, check_script, parse_script

VALUES = [
    ("-Name 'value'", {"Name": "value"}),
    ("-Name 'it''s'", {"Name": "it's"}),
    ("-Name 'it\u2019\u2019s'", {"Name": "it\u2019s"}),
    ("-Name 'a\u2018\u2018b\u201b\u201bc\u201a\u201ad'", {"Name": "a\u2018b\u201bc\u201ad"}),
    ("-Name \u2018typographic delimiters\u2019", {"Name": "typographic delimiters"}),
    ("-Name '$(Get-Date) `n $x'", {"Name": "$(Get-Date) `n $x"}),
    ('-Name "tab`there ""quoted"""', {"Name": 'tab\there "quoted"'}),
    ("-List @('a', 'b')", {"List": ["a", "b"]}),
    ("-List @()", {"List": []}),
    ("-List @('only')", {"List": ["only"]}),
    ("-List 'a', 'b'", {"List": ["a", "b"]}),
    ("-Flag $true -Other $FALSE -Nothing $null", {"Flag": True, "Other": False, "Nothing": None}),
    ("-Count 5 -Negative -5 -Hex 0x1F", {"Count": 5, "Negative": -5, "Hex": 31}),
    (
        "-Map @{'k' = 'v'; n = @(1, 2); 'nested' = @{'a' = $true}}",
        {"Map": {"k": "v", "n": [1, 2], "nested": {"a": True}}},
    ),
    ("-Switch -Name:'x' -Flag:$false", {"Switch": True, "Name": "x", "Flag": False}),
    ("-Text @'\nline one\n  it's\n'@", {"Text": "line one\n  it's"}),
    ("", {}),
]


@pytest.mark.parametrize(("arguments", "expected"), VALUES)
def test_arguments_of(arguments: str, expected: dict) -> None:
    script = parse_script(f"Write-ExumResult (Invoke-ExumOperation {arguments})\r\n")
    assert arguments_of(script, "invoke-exumoperation") == [expected]


@pytest.mark.parametrize(
    ("arguments", "reason"),
    [
        ("-Name $value", "variable $value is not a literal"),
        ('-Name "a $x"', "double-quoted string with variables or subexpressions"),
        ('-Name "$(Get-Date)"', "double-quoted string with variables or subexpressions"),
        ("'positional'", "positional argument \"'positional'\""),
        ("@splat", "positional argument '@splat'"),
        ("-Name (Get-Date)", "command"),
        ("-Count 5kb", "number '5kb' with a suffix or multiplier"),
        ("-Name 'a' -name 'b'", "parameter -name given more than once"),
        ("-Name bareword", "generic_token 'bareword' is not a literal"),
    ],
)
def test_non_literal_arguments_are_refused(arguments: str, reason: str) -> None:
    script = parse_script(f"Invoke-ExumOperation {arguments}")
    with pytest.raises(LiteralError) as caught:
        arguments_of(script, "Invoke-ExumOperation")
    assert reason in caught.value.reason
    assert caught.value.line == 1


def test_single_typographic_quote_ends_the_string_as_powershell_reads_it() -> None:
    # PowerShell ends '...' at any of the four typographic single quotes: the rest is no longer in the string.
    text = "Invoke-ExumOperation -Name 'it\u2019s'"
    with pytest.raises(LiteralError, match="syntax error"):
        arguments_of(parse_script(text), "Invoke-ExumOperation")
    (problem,) = check_script(parse_script(text), powershell="2.0")
    assert (problem.kind, problem.message, problem.column) == ("syntax", "The string is missing the terminator: '.", 33)


def test_every_invocation_is_returned() -> None:
    script = parse_script("Invoke-X -A 1\nInvoke-X -B 2")
    assert arguments_of(script, "Invoke-X") == [{"A": 1}, {"B": 2}]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$ExumOperationName = 'root_trust'", "root_trust"),
        ("$exumoperationname = @('a')", ["a"]),
        ("$Other = 'x'", None),
    ],
)
def test_assigned_literal(text: str, expected: object) -> None:
    assert assigned_literal(parse_script(text), "ExumOperationName") == expected


@pytest.mark.parametrize("text", ["$ExumOperationName = $x", "$ExumOperationName = 'a'\n$ExumOperationName = 'b'"])
def test_assigned_literal_refuses_what_needs_running(text: str) -> None:
    with pytest.raises(LiteralError):
        assigned_literal(parse_script(text), "ExumOperationName")
