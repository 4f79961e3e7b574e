"""The data block (_host_data.py): each kind's encoding, the refusals, and a round trip through the prelude's own
decoder (ConvertFrom-ExumData) as the lab's PowerShell engine runs it on PowerShell 1.0, 2.0 and 4.0 hosts."""

from __future__ import annotations

import base64
import string
from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_data import (
    HostArgumentError,
    encode_arguments,
    named_arguments,
    reference,
)

from tests.unit.host_payload import lab_host, parse_data, run_on_lab_host

PRELUDE = (Path(channel.__file__).parent / "host_scripts" / "prelude.ps1").read_text(encoding="utf-8")

# Values that would end or escape any quoting: every single and double quote PowerShell accepts (about_Quoting_Rules:
# U+2018..U+201B are single quotes, U+201C..U+201E double ones), subexpressions that would throw if they ran,
# variables, backticks, here-string delimiters, comments, line breaks of every kind, the data block's own separators
# (space, ".") and non-ASCII text.
INJECTIONS = [
    "it's",
    "'; throw 'injected'; '",
    "\u2018a\u2019b\u201ac\u201bd",
    '"x" \u201cy\u201d \u201ez',
    "$(throw 'injected')",
    "${env:COMPUTERNAME} $ExumArguments $null",
    "`$x`n`0 `",
    "line1\r\nline2\nline3\rline4",
    "@'\n'@ @\"\n\"@",
    "# comment <# block #>",
    "  leading and trailing spaces. dots.  ",
    "\t",
    "caf\u00e9 \u4e2d\u6587",
    "Pa$$w0rd'\u2019`$(x)",
]
# Outside the BMP: encoded and decoded like any text, but kept out of the lab round trip, whose strings are code points
# where .NET has two UTF-16 units (docs/lab.md, "Not modelled").
NON_BMP = "lock \U0001f512"


def b64(text: str) -> str:
    return base64.b64encode(text.encode("utf-8")).decode("ascii")


# -- the encoding of each kind ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "text"),
    [
        ({"State": "present"}, "State s cHJlc2VudA==\n"),
        ({"State": ""}, "State s \n"),
        ({"Root": ["QUJD", "x y"]}, "Root l UVVKRA== eCB5\n"),
        ({"Root": ("a",)}, "Root l YQ==\n"),
        ({"Root": []}, "Root l\n"),
        ({"Root": [""]}, "Root l \n"),
        ({"Root": ["a", ""]}, "Root l YQ== \n"),
        ({"CheckMode": True}, "CheckMode b MQ==\n"),
        ({"CheckMode": False}, "CheckMode b MA==\n"),
        ({"Count": 0}, "Count i MA==\n"),
        ({"Count": 2**31 - 1}, "Count i MjE0NzQ4MzY0Nw==\n"),
        ({"Count": -(2**31)}, "Count i LTIxNDc0ODM2NDg=\n"),
        ({}, ""),
        ({"B": ["a"], "A": "a", "C": False}, "B l YQ==\nA s YQ==\nC b MA==\n"),
    ],
)
def test_each_kind_is_one_line_of_base64_values(arguments: dict[str, object], text: str) -> None:
    assert encode_arguments(arguments) == text
    assert parse_data(text) == {
        name: list(value) if isinstance(value, tuple) else value for name, value in arguments.items()
    }


@pytest.mark.parametrize("value", [*INJECTIONS, NON_BMP])
def test_no_value_character_reaches_the_block_unencoded(value: str) -> None:
    text = encode_arguments({"Value": value, "Values": [value, value]})
    assert text == f"Value s {b64(value)}\nValues l {b64(value)} {b64(value)}\n"
    assert text.isascii() and set(text) <= set(string.ascii_letters + string.digits + "+/= \n")
    assert parse_data(text) == {"Value": value, "Values": [value, value]}


def test_a_bool_is_not_an_integer() -> None:
    assert parse_data(encode_arguments({"On": True, "One": 1})) == {"On": True, "One": 1}
    assert encode_arguments({"On": True}).split(" ")[1] == "b"


# -- what the block refuses ----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"Password": "top\x00secret"}, "Password"),
        ({"Root": ["fine", "top\x00secret"]}, "Root[1]"),
        ({"Root": ("top\x00secret",)}, "Root[0]"),
    ],
)
def test_nul_is_refused_with_its_path_and_without_the_value(arguments: dict[str, object], path: str) -> None:
    with pytest.raises(HostArgumentError) as caught:
        encode_arguments(arguments)
    assert caught.value.path == path
    assert str(caught.value) == f"{path}: a NUL character cannot be passed to the host"
    for piece in ("top", "secret", "fine"):
        assert piece not in str(caught.value) and piece not in repr(caught.value.__dict__)


@pytest.mark.parametrize("value", [2**31, -(2**31) - 1, 10**30])
def test_integers_outside_32_bits_are_refused(value: int) -> None:
    with pytest.raises(HostArgumentError) as caught:
        encode_arguments({"Count": value})
    assert caught.value.path == "Count" and "32-bit" in caught.value.reason
    assert str(value) not in str(caught.value)


@pytest.mark.parametrize(
    ("value", "path", "words"),
    [
        (None, "Value", "type NoneType is not carried"),
        (1.5, "Value", "type float is not carried"),
        ({"secret": "x"}, "Value", "type dict is not carried"),
        (b"secret", "Value", "type bytes is not carried"),
        ({"secret"}, "Value", "type set is not carried"),
        (["ok", 7], "Value[1]", "a list element of type int"),
        ([["secret"]], "Value[0]", "a list element of type list"),
        ([True], "Value[0]", "a list element of type bool"),
    ],
)
def test_unsupported_types_are_refused(value: object, path: str, words: str) -> None:
    with pytest.raises(HostArgumentError) as caught:
        encode_arguments({"Value": value})
    assert caught.value.path == path and words in caught.value.reason
    assert "secret" not in str(caught.value)


BAD_NAMES = [
    "",
    "1Root",
    "Root-Path",
    "Root Path",
    "Root'",
    "$Root",
    "Root]",
    "Root\n",
    "R\u00f6ot",
    "Root.Path",
    "Ro_ot",
]


@pytest.mark.parametrize("name", BAD_NAMES)
def test_invalid_names_are_refused_everywhere(name: str) -> None:
    for build in (lambda: reference(name), lambda: named_arguments([name]), lambda: encode_arguments({name: "x"})):
        with pytest.raises(HostArgumentError) as caught:
            build()
        assert caught.value.path == repr(name) and caught.value.reason == "not a valid argument name"


def test_references_name_the_argument_only() -> None:
    assert reference("Root") == "$ExumArguments['Root']"
    assert named_arguments({"Root": ["x"], "CheckMode": True}) == (
        "-Root $ExumArguments['Root'] -CheckMode $ExumArguments['CheckMode']"
    )
    assert named_arguments([]) == ""


# -- a round trip through the prelude's decoder, executed by the lab's engine ------------------------------------------

TYPES = {str: "System.String", list: "System.String[]", bool: "System.Boolean", int: "System.Int32"}


def echo_payload(arguments: dict[str, object]) -> channel.Payload:
    """prelude.ps1 as it is, an operation that returns each parameter it was bound with and its .NET type, and the
    invocation line; the data block and stdin as the channel makes them."""
    names = list(arguments)
    lines = [
        "function Get-ExumEcho {",
        "param(" + ", ".join(f"${name}" for name in names) + ")",
        "$bound = @{}",
        *(f"$bound['{name}'] = @{{ 'value' = ${name}; 'type' = ${name}.GetType().FullName }}" for name in names),
        "@{ 'arguments' = $bound; 'count' = $ExumArguments.Count }",
        "}",
        " ".join(filter(None, ["Write-ExumResult (Get-ExumEcho", named_arguments(names)])) + ")",
    ]
    text = PRELUDE.replace("\r\n", "\n").replace("\n", "\r\n") + "\r\n".join(lines) + "\r\n"
    origins = tuple(("payload", number) for number in range(1, text.count("\r\n") + 1))
    return channel.Payload(text=text, origins=origins, data=encode_arguments(arguments))


ROUND_TRIP: dict[str, object] = {
    **{
        f"Text{letter}": value
        for letter, value in zip(string.ascii_uppercase[: len(INJECTIONS)], INJECTIONS, strict=True)
    },
    "Texts": INJECTIONS,
    "Empty": "",
    "NoItems": [],
    "OneEmpty": [""],
    "EmptyFirst": ["", "x"],
    "EmptyLast": ["x", ""],
    "Single": ["only"],
    "Yes": True,
    "No": False,
    "Low": -(2**31),
    "High": 2**31 - 1,
    "Zero": 0,
}


@pytest.mark.parametrize("preset", ["2007sp1", "2007sp1-ps2", "2010", "2013"])
def test_prelude_decodes_every_kind_and_value_as_sent(preset: str) -> None:
    payload = echo_payload(ROUND_TRIP)
    for value in INJECTIONS:
        assert value not in payload.text
    data, stdout, _stderr = run_on_lab_host(payload, lab_host(preset))
    expected = {name: {"value": value, "type": TYPES[type(value)]} for name, value in ROUND_TRIP.items()}
    assert data == {"arguments": expected, "count": len(ROUND_TRIP)}
    # Nothing in a value ran: a subexpression that throws would have ended the script with an error instead.
    assert stdout.count(channel.RESULT_MARKER) == 1


def test_no_arguments_is_an_empty_table() -> None:
    data, _stdout, _stderr = run_on_lab_host(echo_payload({}))
    assert data == {"arguments": {}, "count": 0}


def test_prelude_refuses_an_unknown_kind() -> None:
    payload = echo_payload({"Value": "x"})
    payload = channel.Payload(text=payload.text, origins=payload.origins, data=f"Value z {b64('x')}\n")
    with pytest.raises(channel.HostOperationError) as caught:
        run_on_lab_host(payload)
    assert caught.value.fqid == "ExumDataNotValid"
    assert caught.value.message == "the argument Value has the unknown kind z"
