"""The error text and CLIXML of a problem, per PowerShell level."""

from __future__ import annotations

import re

import pytest

from tests.pwsh import check_script, format_error_clixml, format_error_text, parse_script


def _problem(text: str, powershell: str = "2.0"):
    (problem,) = check_script(parse_script(text), powershell=powershell)
    return problem


def test_command_not_found_on_4_0() -> None:
    text = format_error_text(_problem("Frob-It 'x'", "4.0"), powershell="4.0")
    assert text.split("\r\n") == [
        "Frob-It : The term 'Frob-It' is not recognized as the name of a cmdlet, function, script file, or operable "
        "program. Check the spelling of the name, or if a path was included, verify that the path is correct and try "
        "again.",
        "At line:1 char:1",
        "+ Frob-It 'x'",
        "+ ~~~~~~~",
        "    + CategoryInfo          : ObjectNotFound: (Frob-It:String) [], CommandNotFoundException",
        "    + FullyQualifiedErrorId : CommandNotFoundException",
        "",
    ]


def test_parameter_not_found_on_2_0() -> None:
    text = format_error_text(_problem("Get-ChildItem -Bogus 'x'"), powershell="2.0")
    assert text.split("\r\n") == [
        "Get-ChildItem : A parameter cannot be found that matches parameter name 'Bogus'.",
        "At line:1 char:21",
        "+ Get-ChildItem -Bogus <<<<  'x'",
        "    + CategoryInfo          : InvalidArgument: (:) [Get-ChildItem], ParameterBindingException",
        "    + FullyQualifiedErrorId : NamedParameterNotFound,Microsoft.PowerShell.Commands.GetChildItemCommand",
        "",
    ]


def test_parse_error_on_4_0_prints_the_position_first() -> None:
    text = format_error_text(_problem("if ($x) {", "4.0"), powershell="4.0")
    assert text.split("\r\n")[:4] == [
        "At line:1 char:9",
        "+ if ($x) {",
        "+         ~",
        "Missing closing '}' in statement block.",
    ]
    assert "FullyQualifiedErrorId : MissingEndCurlyBrace" in text


def test_1_0_layout_has_no_category_lines() -> None:
    text = format_error_text(_problem("Frob-It", "1.0"), powershell="1.0")
    assert "CategoryInfo" not in text
    assert text.startswith("The term 'Frob-It' is not recognized as a cmdlet")


@pytest.mark.parametrize("powershell", ["1.0", "2.0", "3.0", "4.0"])
def test_clixml_round_trip(powershell: str) -> None:
    problem = _problem("Frob-It '<a & b>' # _x_", powershell)
    clixml = format_error_clixml(problem, powershell=powershell)
    assert clixml.startswith(
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
    )
    entries = re.findall(r'<S S="Error">(.*?)</S>', clixml)
    decoded = "".join(entries).replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")
    decoded = re.sub(r"_x([0-9A-F]{4})_", lambda match: chr(int(match.group(1), 16)), decoded)
    assert decoded == format_error_text(problem, powershell=powershell)
    assert all(entry.endswith("_x000D__x000A_") for entry in entries)
    assert "_x005F_x_" in clixml
