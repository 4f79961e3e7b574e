"""CLIXML stderr and formatted PowerShell error records."""

from __future__ import annotations

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._clixml import (
    ErrorText,
    decode_stderr,
    parse_error_text,
)

OBJS = '<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">{}</Objs>'


def clixml(*entries: tuple[str, str]) -> str:
    return "#< CLIXML\r\n" + OBJS.format("".join(f'<S S="{stream}">{text}</S>' for stream, text in entries))


# PowerShell 2.0's layout: message, position with <<<<, then CategoryInfo and FullyQualifiedErrorId.
PS2_NOT_FOUND = (
    "The term 'ConvertTo-Json' is not recognized as the name of a cmdlet, function, script file, or operable "
    "program. Check the spelling of the name, or if a path was included, verify that the path is correct and try "
    "again.\r\nAt line:3 char:15\r\n+ ConvertTo-Json <<<<  @{a=1}\r\n"
    "    + CategoryInfo          : ObjectNotFound: (ConvertTo-Json:String) [], CommandNotFoundException\r\n"
    "    + FullyQualifiedErrorId : CommandNotFoundException\r\n"
)
# PowerShell 3.0 and later: "<command> : message", position with a ~~~ underline.
PS4_NOT_FOUND = (
    "Get-Foo : The term 'Get-Foo' is not recognized as the name of a cmdlet, function, script file, or operable "
    "program.\r\nAt line:1 char:1\r\n+ Get-Foo\r\n+ ~~~~~~~\r\n"
    "    + CategoryInfo          : ObjectNotFound: (Get-Foo:String) [], CommandNotFoundException\r\n"
    "    + FullyQualifiedErrorId : CommandNotFoundException\r\n"
)
# PowerShell 3.0+ parse errors put the position first.
PS4_PARSE = (
    "At line:2 char:9\r\n+ if ($x {\r\n+         ~\r\nMissing closing ')' after expression in 'if' statement.\r\n"
    "    + CategoryInfo          : ParserError: (:) [], ParentContainsErrorRecordException\r\n"
    "    + FullyQualifiedErrorId : MissingEndParenthesisAfterStatement\r\n"
)
# PowerShell 1.0 prints no CategoryInfo / FullyQualifiedErrorId lines by default.
PS1_NOT_FOUND = (
    "The term 'Get-WinEvent' is not recognized as a cmdlet, function, operable program, or script file. Verify the "
    "term and try again.\r\nAt line:7 char:13\r\n+ Get-WinEvent  <<<< -LogName Application\r\n"
)


def escaped(text: str) -> str:
    """As PowerShell serializes a string: XML entities, then control characters as _xDDDD_."""
    text = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    return text.replace("\r", "_x000D_").replace("\n", "_x000A_")


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            PS2_NOT_FOUND,
            ErrorText(
                message=PS2_NOT_FOUND.split("\r\n", maxsplit=1)[0],
                fqid="CommandNotFoundException",
                category="ObjectNotFound",
                line=3,
            ),
        ),
        (
            PS4_NOT_FOUND,
            ErrorText(
                message=PS4_NOT_FOUND.split("\r\n", maxsplit=1)[0],
                fqid="CommandNotFoundException",
                category="ObjectNotFound",
                line=1,
            ),
        ),
        (
            PS4_PARSE,
            ErrorText(
                message="Missing closing ')' after expression in 'if' statement.",
                fqid="MissingEndParenthesisAfterStatement",
                category="ParserError",
                line=2,
            ),
        ),
        (
            PS1_NOT_FOUND,
            ErrorText(message=PS1_NOT_FOUND.split("\r\n", maxsplit=1)[0], fqid=None, category=None, line=7),
        ),
        ("Access is denied.", ErrorText(message="Access is denied.", fqid=None, category=None, line=None)),
    ],
)
def test_parse_error_text(text: str, expected: ErrorText) -> None:
    assert parse_error_text(text) == expected


@pytest.mark.parametrize("text", [PS2_NOT_FOUND, PS4_NOT_FOUND, PS4_PARSE, PS1_NOT_FOUND])
def test_clixml_round_trip(text: str) -> None:
    data = clixml(("Error", escaped(text)))
    assert decode_stderr(data.encode("utf-8")) == text
    assert decode_stderr(data) == text


@pytest.mark.parametrize(
    ("encoded", "decoded"),
    [
        ("tab_x0009_end", "tab\tend"),
        ("lock _xD83D__xDD12_ ok", "lock \U0001f512 ok"),
        ("_x005F_x0041_", "_x0041_"),
        ("not_an_escape_x12_", "not_an_escape_x12_"),
        ("&lt;tag&gt; &amp; caf\u00e9", "<tag> & caf\u00e9"),
    ],
)
def test_escapes(encoded: str, decoded: str) -> None:
    assert decode_stderr(clixml(("Error", encoded))) == decoded


def test_only_error_entries_and_every_document() -> None:
    data = clixml(("Verbose", "chatter"), ("Error", "first_x000D__x000A_"), ("Warning", "careful")) + OBJS.format(
        '<S S="Error">second</S><S S="debug">x</S>'
    )
    assert decode_stderr(data) == "first\r\nsecond"
    assert decode_stderr(data, stream="Warning") == "careful"


@pytest.mark.parametrize("text", ["plain text error\r\n", "", "The command line is too long.\r\n"])
def test_plain_text_is_kept(text: str) -> None:
    assert decode_stderr(text.encode()) == text


def test_progress_objects_are_not_errors() -> None:
    progress = (
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        '<Obj S="progress" RefId="0"><TN RefId="0"><T>System.Management.Automation.PSCustomObject</T></TN>'
        '<MS><I64 N="SourceId">1</I64></MS></Obj></Objs>'
    )
    assert decode_stderr(progress) == ""
