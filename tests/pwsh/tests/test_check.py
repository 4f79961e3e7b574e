"""check_script against tables of snippets: what each host level / Exchange version rejects, and how it says so."""

from __future__ import annotations

import pytest

from tests.pwsh import Catalog, check_script, parse_script

NOT_RECOGNIZED_2 = (
    "The term '{}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
    "Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
)
NOT_RECOGNIZED_1 = (
    "The term '{}' is not recognized as a cmdlet, function, operable program, or script file. "
    "Verify the term and try again."
)
NO_PARAMETER = "A parameter cannot be found that matches parameter name '{}'."


@pytest.fixture(scope="module")
def catalog() -> Catalog:
    return Catalog.load()


# (snippet, powershell, exchange, [(kind, line, column, message, fqid, category)])
PROBLEMS = [
    pytest.param(
        "$json = ConvertTo-Json @{a = 1}", "2.0", None,
        [("command", 1, 9, NOT_RECOGNIZED_2.format("ConvertTo-Json"), "CommandNotFoundException", "ObjectNotFound")],
        id="3.0 cmdlet on a 2.0 host",
    ),
    pytest.param("$json = ConvertTo-Json @{a = 1}", "3.0", None, [], id="3.0 cmdlet on a 3.0 host"),
    pytest.param(
        "try { Get-Item -Path 'x' } catch { $_ }", "1.0", None,
        [("language", 1, 1, NOT_RECOGNIZED_1.format("try"), "CommandNotFoundException", "ObjectNotFound")],
        id="try/catch on 1.0",
    ),
    pytest.param("try { Get-Item -Path 'x' } catch { $_ }", "2.0", None, [], id="try/catch on 2.0"),
    pytest.param(
        "Get-ExchangeCertificate -Server 'EX1'", "1.0", "2007sp1",
        # The snap-in's cmdlet class names the error (catalog.yml, EX-TASKS).
        [("parameter", 1, 25, NO_PARAMETER.format("Server"),
          "NamedParameterNotFound,Microsoft.Exchange.Management.SystemConfigurationTasks.GetExchangeCertificate",
          "InvalidArgument")],
        id="-Server on 2007 Get-ExchangeCertificate",
    ),
    pytest.param("Get-ExchangeCertificate -Server 'EX1'", "2.0", "2010", [], id="-Server on 2010"),
    pytest.param(
        "Import-ExchangeCertificate -FileName 'c:\\x.cer'", "2.0", "2010",
        [("parameter", 1, 28, NO_PARAMETER.format("FileName"), "NamedParameterNotFound,Import-ExchangeCertificate",
          "InvalidArgument")],
        id="-FileName on 2010 Import-ExchangeCertificate",
    ),
    pytest.param("Import-ExchangeCertificate -FileName 'c:\\x.cer'", "4.0", "2013", [], id="-FileName on 2013"),
    pytest.param(
        "New-ExchangeCertificate -GenerateRequest -Path 'c:\\r.req'", "2.0", "2010",
        [("parameter", 1, 42, NO_PARAMETER.format("Path"), "NamedParameterNotFound,New-ExchangeCertificate",
          "InvalidArgument")],
        id="-Path removed from New-ExchangeCertificate in 2010",
    ),
    pytest.param(
        "Set-UMCallRouterSettings -Identity 'EX1' -UMStartupMode 'TLS'", "4.0", "2013",
        [("parameter", 1, 26, NO_PARAMETER.format("Identity"), "NamedParameterNotFound,Set-UMCallRouterSettings",
          "InvalidArgument")],
        id="Set-UMCallRouterSettings -Identity on 2013",
    ),
    pytest.param("Set-UMCallRouterSettings -Server 'EX1' -UMStartupMode 'TLS'", "4.0", "2013", [], id="-Server"),
    pytest.param(
        "Set-UMService -Identity 'EX1' -UMStartupMode 'TLS'", "2.0", "2010",
        [("command", 1, 1, NOT_RECOGNIZED_2.format("Set-UMService"), "CommandNotFoundException", "ObjectNotFound")],
        id="Set-UMService is 2013 only",
    ),
    pytest.param(
        "Get-ExchangeCertificate", "2.0", None,
        [("command", 1, 1, NOT_RECOGNIZED_2.format("Get-ExchangeCertificate"), "CommandNotFoundException",
          "ObjectNotFound")],
        id="no Exchange cmdlets loaded",
    ),
    pytest.param(
        "Get-ChildItem -F 'x'", "2.0", None,
        [("parameter", 1, 15, "Parameter cannot be processed because the parameter name 'F' is ambiguous. "
          "Possible matches include: -Filter -Force.", "AmbiguousParameter,Microsoft.PowerShell.Commands."
          "GetChildItemCommand", "InvalidArgument")],
        id="ambiguous prefix",
    ),
    pytest.param(
        "Get-ChildItem -Fi 'x' -rec -ea Stop -LITERALPATH 'y' -PSPath 'z'", "2.0", None, [],
        id="unambiguous prefixes, common parameter alias, case, parameter alias",
    ),
    pytest.param(
        "Get-ChildItem -File", "2.0", None,
        [("parameter", 1, 15, NO_PARAMETER.format("File"), "NamedParameterNotFound,Microsoft.PowerShell.Commands."
          "GetChildItemCommand", "InvalidArgument")],
        id="3.0 parameter on 2.0",
    ),
    pytest.param("Get-ChildItem -File", "3.0", None, [], id="3.0 parameter on 3.0"),
    pytest.param("Stop-Service -Name 'x' -WhatIf -Confirm:$false", "1.0", None, [], id="ShouldProcess parameters"),
    pytest.param(
        "Get-Service -Name 'x' -WhatIf", "2.0", None,
        [("parameter", 1, 23, NO_PARAMETER.format("WhatIf"), "NamedParameterNotFound,Microsoft.PowerShell.Commands."
          "GetServiceCommand", "InvalidArgument")],
        id="WhatIf only where ShouldProcess",
    ),
    pytest.param(
        "Get-Item -Path 'x' -PipelineVariable p", "3.0", None,
        [("parameter", 1, 20, NO_PARAMETER.format("PipelineVariable"), "NamedParameterNotFound,Microsoft.PowerShell."
          "Commands.GetItemCommand", "InvalidArgument")],
        id="PipelineVariable is 4.0",
    ),
    pytest.param(
        "gci | Where-Object Name -eq 'x'", "2.0", None,
        [("language", 1, 25, NO_PARAMETER.format("eq"), "NamedParameterNotFound,Microsoft.PowerShell.Commands."
          "WhereObjectCommand", "InvalidArgument")],
        id="simplified Where-Object on 2.0",
    ),
    pytest.param("gci | ? Name -eq 'x' | % FullName", "3.0", None, [], id="simplified syntax on 3.0"),
    pytest.param("gci | where { $_.Name -eq 'x' } | foreach { $_ }", "1.0", None, [], id="script blocks on 1.0"),
    pytest.param(
        "Get-Item -Path 'x' -ErrorAction Ignore", "2.0", None,
        [("language", 1, 33, "Cannot bind parameter 'ErrorAction'. Cannot convert value \"Ignore\" to type "
          "\"System.Management.Automation.ActionPreference\" due to invalid enumeration values. Specify one of the "
          "following enumeration values and try again. The possible enumeration values are \"SilentlyContinue, Stop, "
          "Continue, Inquire\".", "CannotConvertArgumentNoMessage,Microsoft.PowerShell.Commands.GetItemCommand",
          "InvalidArgument")],
        id="-ErrorAction Ignore on 2.0",
    ),
    pytest.param("Get-Item -Path 'x' -ea:Ignore", "3.0", None, [], id="-ErrorAction Ignore on 3.0"),
    pytest.param(
        "$h = [ordered]@{}", "2.0", None,
        [("language", 1, 6, "Unable to find type [ordered]: make sure that the assembly containing this type is "
          "loaded.", "TypeNotFound", "InvalidOperation")],
        id="[ordered] on 2.0",
    ),
    pytest.param(
        "$o = [pscustomobject]@{a = 1}", "3.0", None, [], id="[pscustomobject] on 3.0",
    ),
    pytest.param(
        "$a = $x -in $y", "2.0", None,
        [("language", 1, 9, "Unexpected token '-in' in expression or statement.", "UnexpectedToken", "ParserError")],
        id="-in on 2.0",
    ),
    pytest.param(
        "$v = $PSVersionTable", "1.0", None,
        [("language", 1, 6, "The variable '$PSVersionTable' cannot be retrieved because it has not been set.",
          "VariableIsUndefined", "InvalidOperation")],
        id="$PSVersionTable on 1.0",
    ),
    pytest.param("$v = $PSVersionTable", "2.0", None, [], id="$PSVersionTable on 2.0"),
    pytest.param(
        "$sb = [System.Text.StringBuilder]::new()", "4.0", None,
        [("language", 1, 36, "Method invocation failed because [System.Text.StringBuilder] does not contain a method "
          "named 'new'.", "MethodNotFound", "InvalidOperation")],
        id="::new on 4.0",
    ),
    pytest.param(
        "using namespace System.Text", "4.0", None,
        [("language", 1, 1, "The 'using' keyword is not supported in this version of the language.",
          "ReservedKeywordNotAllowed", "ParserError")],
        id="using on 4.0",
    ),
    pytest.param(
        "class Foo { [int] $x }", "4.0", None,
        [("language", 1, 1, "The 'class' keyword is not supported in this version of the language.",
          "ReservedKeywordNotAllowed", "ParserError")],
        id="class on 4.0",
    ),
    pytest.param(
        "Get-Item @params", "1.0", None,
        [("language", 1, 10, "Unrecognized token in source text.", "UnrecognizedToken", "ParserError")],
        id="splatting on 1.0",
    ),
    pytest.param("Get-Item @params", "2.0", None, [], id="splatting on 2.0"),
    pytest.param(
        "& $tool -x; & { Get-Item 'x' }; & 'certutil.exe' -addstore Root 'r.cer'; certreq -accept 'c.cer'; "
        "C:\\Windows\\System32\\whoami.exe", "1.0", None, [],
        id="dynamic invocation unchecked, native executables known",
    ),
    pytest.param(
        "& 'frobnicate.exe'", "2.0", None,
        [("command", 1, 3, NOT_RECOGNIZED_2.format("frobnicate.exe"), "CommandNotFoundException", "ObjectNotFound")],
        id="unknown executable",
    ),
    pytest.param(
        "function Invoke-Op { [CmdletBinding()] param($Name)\n}\nInvoke-Op -Na 'x' -Other 1 -Verbose", "2.0", None,
        [("parameter", 3, 19, NO_PARAMETER.format("Other"), "NamedParameterNotFound,Invoke-Op", "InvalidArgument")],
        id="advanced script function parameters",
    ),
    pytest.param(
        "function Invoke-Op { param($Name)\n}\nInvoke-Op -Other 1", "1.0", None, [],
        id="simple function: unknown names go to $args",
    ),
    pytest.param(
        "if ($x) {\n  Get-Item 'x'\n", "2.0", None,
        [("syntax", 1, 9, "Missing closing '}' in statement block.", "MissingEndCurlyBrace", "ParserError")],
        id="missing closing brace",
    ),
    pytest.param(
        "$a = 'abc\n", "2.0", None,
        [("syntax", 1, 6, "The string is missing the terminator: '.", "TerminatorExpectedAtEndOfString",
          "ParserError")],
        id="unterminated string",
    ),
    pytest.param(
        "Get-Item 'x' }\n", "4.0", None,
        [("syntax", 1, 14, "Unexpected token '}' in expression or statement.", "UnexpectedToken", "ParserError")],
        id="stray closing brace",
    ),
    pytest.param(
        "Get-Item 'x' && Get-Item 'y'", "4.0", None,
        [("language", 1, 14, "The token '&&' is not a valid statement separator in this version.", "InvalidEndOfLine",
          "ParserError")],
        id="pipeline chain",
    ),
    pytest.param(
        "$x = ConvertTo-Json 1\n$y = $a -in $b", "2.0", None,
        [("language", 2, 9, "Unexpected token '-in' in expression or statement.", "UnexpectedToken", "ParserError")],
        id="parse-time problems hide run-time ones",
    ),
    pytest.param(
        "Write-Host \u2018it\u2019\u2019s\u2019 \u2013ForegroundColor 'Red'", "1.0", None, [],
        id="typographic quotes and dash",
    ),
]  # fmt: skip


@pytest.mark.parametrize(("text", "powershell", "exchange", "expected"), PROBLEMS)
def test_check_script(catalog: Catalog, text: str, powershell: str, exchange: str | None, expected: list) -> None:
    problems = check_script(parse_script(text), powershell=powershell, exchange=exchange, catalog=catalog)
    found = [(p.kind, p.line, p.column, p.message, p.fqid, p.category) for p in problems]
    assert found == expected


@pytest.mark.parametrize(
    ("text", "when"),
    [
        ("$a = $x -in $y", "parse"),
        ("Frob-It", "run"),
        ("$v = $PSItem", "none"),
        ("if ($x) {", "parse"),
    ],
)
def test_when_the_host_reports_it(catalog: Catalog, text: str, when: str) -> None:
    (problem,) = check_script(parse_script(text), powershell="2.0", catalog=catalog)
    assert problem.when == when


def test_problem_names_command_and_parameter(catalog: Catalog) -> None:
    (problem,) = check_script(parse_script("gci -Bogus 1"), powershell="2.0", catalog=catalog)
    assert (problem.command, problem.parameter, problem.source_line) == ("Get-ChildItem", "Bogus", "gci -Bogus 1")


@pytest.mark.parametrize(("powershell", "exchange"), [("5.1", None), ("2.0", "2016")])
def test_unknown_targets_are_refused(catalog: Catalog, powershell: str, exchange: str | None) -> None:
    from tests.pwsh import CatalogError

    with pytest.raises(CatalogError):
        check_script(parse_script("Get-Item 'x'"), powershell=powershell, exchange=exchange, catalog=catalog)
