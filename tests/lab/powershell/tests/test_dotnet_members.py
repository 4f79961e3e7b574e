"""A member the lab does not implement is told from a member .NET does not have, by the documented member lists
(tests/lab/powershell/dotnet/documented/; docs/lab.md, "Documented members").

.NET has it on the host's runtime: the lab refuses loudly (its "not modelled" error naming the member). .NET has it
not, or only from a later runtime: PowerShell's own answer, MethodNotFound for a method (about_Methods; the text of
tests/pwsh/messages.py) and $null for a property (LS2 7.1.2: "If the member does not exist, the result is $null").
Hosts: 2010 is PowerShell 2.0 on CLR 2.0, 2013 PowerShell 4.0 on .NET 4.
"""

from __future__ import annotations

import pytest

# Importing automatic registers the types of $Host and [Console]::In.
import tests.lab.powershell.automatic  # noqa: F401  # pylint: disable=unused-import
from tests.lab.powershell.values import CLR2, CLR4, all_types, find_type
from tests.pwsh.messages import method_not_found

from .cmdlet_host import error_text, run

LEVELS = {"2010": "2.0", "2013": "4.0"}


def ok(script: str, preset: str) -> list[str]:
    result = run(script, preset)
    assert (result.stderr, result.code) == ("", 0), error_text(result.stderr)
    return result.lines


def refused(script: str, preset: str) -> str:
    """The lab's refusal of ``script``: what it names as not modelled."""
    result = run(script, preset)
    text = error_text(result.stderr)
    assert result.code == 1 and "FullyQualifiedErrorId : LabNoModel" in text, text
    return text.split("The lab has no model for this script: ", 1)[1].split("\n", 1)[0]


def method_missing(script: str, preset: str) -> str:
    """PowerShell's MethodNotFound error for ``script``: its message."""
    result = run(script, preset)
    text = error_text(result.stderr)
    assert result.code == 1 and "MethodNotFound" in text, text
    return text.split("\n", 1)[0]


def unimplemented(type_name: str, name: str, *, static: bool = False) -> None:
    """The premise of a test: the lab does not implement the member (else the test must pick another one)."""
    net = find_type(type_name)
    assert net is not None
    for runtime in (CLR2, CLR4):
        assert net.find_member(name, runtime=runtime, static=static) is None, f"{type_name}.{name} is implemented now"


@pytest.mark.parametrize("preset", ["2010", "2013"])
@pytest.mark.parametrize(
    ("script", "type_name", "member", "static"),
    [
        # Console.In is a TextReader: ReadLine is inherited from it (System.IO.TextReader's page).
        ("[Console]::In.ReadLine()", "System.IO.StreamReader", "ReadLine", False),
        ("[DateTime]::Parse('2024-01-02')", "System.DateTime", "Parse", True),
        ("[scriptblock]::Create('1')", "System.Management.Automation.ScriptBlock", "Create", True),
        ("[Math]::Cos(0)", "System.Math", "Cos", True),
    ],
)
def test_a_documented_method_the_lab_lacks_is_refused(
    preset: str, script: str, type_name: str, member: str, static: bool
) -> None:
    unimplemented(type_name, member, static=static)
    assert refused(script, preset) == f"the member {type_name}.{member}"


@pytest.mark.parametrize("preset", ["2010", "2013"])
def test_a_method_dotnet_lacks_is_method_not_found(preset: str) -> None:
    assert method_missing("'abc'.Frobnicate()", preset) == method_not_found(
        "System.String", "Frobnicate", powershell=LEVELS[preset]
    )
    assert method_missing("[string]::Frobnicate()", preset) == method_not_found(
        "System.String", "Frobnicate", powershell=LEVELS[preset]
    )


def test_a_clr4_method_is_method_not_found_on_clr2_and_runs_on_clr4() -> None:
    # String.IsNullOrWhiteSpace and StringBuilder.Clear: "Applies to .NET Framework 4.0 and later".
    assert method_missing("[string]::IsNullOrWhiteSpace(' ')", "2010") == method_not_found(
        "System.String", "IsNullOrWhiteSpace", powershell="2.0"
    )
    assert method_missing("(New-Object System.Text.StringBuilder).Clear()", "2010") == method_not_found(
        "System.Text.StringBuilder", "Clear", powershell="2.0"
    )
    assert ok(
        "[string]::IsNullOrWhiteSpace(' '); (New-Object System.Text.StringBuilder 'x').Clear().Length", "2013"
    ) == [
        "True",
        "0",
    ]


def test_a_clr4_method_the_lab_lacks_is_method_not_found_on_clr2_and_refused_on_clr4() -> None:
    # X509Store.Dispose: .NET Framework 4.6 and later.
    unimplemented("System.Security.Cryptography.X509Certificates.X509Store", "Dispose")
    script = "(New-Object System.Security.Cryptography.X509Certificates.X509Store 'My', 'LocalMachine').Dispose()"
    assert method_missing(script, "2010") == method_not_found(
        "System.Security.Cryptography.X509Certificates.X509Store", "Dispose", powershell="2.0"
    )
    assert refused(script, "2013") == "the member System.Security.Cryptography.X509Certificates.X509Store.Dispose"


def test_interface_members_count_from_powershell_3() -> None:
    # IList.Contains is an explicit implementation on System.Array: 2.0's adapter does not show it, 3.0's does.
    assert method_missing("(1, 2).Contains(1)", "2010") == method_not_found(
        "System.Object[]", "Contains", powershell="2.0"
    )
    assert refused("(1, 2).Contains(1)", "2013") == "the member System.Object[].Contains"


def test_intrinsic_methods_from_powershell_4() -> None:
    # about_Arrays: "Beginning in Windows PowerShell 4.0, collections have ... Where and ForEach" (not modelled).
    assert method_missing("(1, 2).Where({ $_ -gt 1 })", "2010") == method_not_found(
        "System.Object[]", "Where", powershell="2.0"
    )
    assert refused("(1, 2).Where({ $_ -gt 1 })", "2013") == "the member System.Object[].Where"


@pytest.mark.parametrize("preset", ["2010", "2013"])
def test_properties_documented_or_not(preset: str) -> None:
    unimplemented("System.Globalization.CultureInfo", "EnglishName")
    unimplemented("System.Management.Automation.ScriptBlock", "File")
    assert ok("$null -eq 'abc'.Frobnicate; $null -eq [string]::Frobnicate", preset) == ["True", "True"]
    assert (
        refused("[Globalization.CultureInfo]::InvariantCulture.EnglishName", preset)
        == "the member System.Globalization.CultureInfo.EnglishName"
    )
    assert refused("{ 1 }.File", preset) == "the member System.Management.Automation.ScriptBlock.File"
    # The intrinsic members PowerShell gives every object are documented (and not modelled).
    assert refused("'abc'.psobject", preset) == "the member System.String.psobject"


def test_clr4_properties_are_null_on_clr2() -> None:
    # Environment.Is64BitProcess (4.0, implemented); Regex.MatchTimeout (4.5, not implemented).
    unimplemented("System.Text.RegularExpressions.Regex", "MatchTimeout")
    script = (
        "$null -eq [Environment]::Is64BitProcess; "
        "$null -eq (New-Object System.Text.RegularExpressions.Regex 'a').MatchTimeout"
    )
    assert ok(script, "2010") == ["True", "True"]
    assert ok("[Environment]::Is64BitProcess", "2013") == ["True"]
    assert (
        refused("(New-Object System.Text.RegularExpressions.Regex 'a').MatchTimeout", "2013")
        == "the member System.Text.RegularExpressions.Regex.MatchTimeout"
    )


def test_members_of_a_type_without_a_record() -> None:
    # ServiceController's members are not recorded: a member the lab lacks may exist, so it is refused; an adapted
    # object (WMI, Get-ItemProperty: note properties) gives $null for a property it has not.
    text = refused("(Get-Service -Name MSExchangeUM).Frobnicate", "2010")
    assert text.startswith("the member System.ServiceProcess.ServiceController.Frobnicate (")
    assert refused("(Get-Service -Name MSExchangeUM).Frobnicate()", "2010").startswith(
        "the member System.ServiceProcess.ServiceController.Frobnicate ("
    )
    assert ok("$null -eq (Get-WmiObject -Class Win32_OperatingSystem).Frobnicate", "2010") == ["True"]


@pytest.mark.parametrize("preset", ["2010", "2013"])
def test_what_powershell_adds_keeps_working(preset: str) -> None:
    # types.ps1xml's Count on arrays; hashtable keys and note properties as properties (about_Hash_Tables,
    # about_Properties); the error record's members in a trap (about_Trap); Object's members on every value.
    script = (
        "@(1, 2).Count; @{ a = 1 }.a; (Get-WmiObject -Class Win32_OperatingSystem).Caption.Length -gt 0; "
        "trap { $_.InvocationInfo.ScriptLineNumber; [string]$_.CategoryInfo.Category; continue }; "
        "'x'.GetType().FullName; (New-Object System.Text.StringBuilder).GetHashCode() -is [int]; "
        "throw 'stop'"
    )
    assert ok(script, preset) == ["2", "1", "True", "System.String", "True", "1", "OperationStopped"]


def test_every_implemented_member_is_documented_from_its_runtime() -> None:
    """The lab implements no member .NET lacks on a type with a record, and each from the runtime that added it."""
    wrong = []
    for net in all_types():
        for static, table in ((False, net.members), (True, net.statics)):
            if (net.documented_static if static else net.documented) is None:
                continue
            for member in table.values():
                below = CLR2 if member.since == CLR4 else None
                if net.documentation(member.name, runtime=member.since, static=static) != "documented" or (
                    below is not None and net.documentation(member.name, runtime=below, static=static) == "documented"
                ):
                    wrong.append(f"{net.full_name}.{member.name} (implemented from {member.since})")
    assert wrong == []


def test_the_types_the_scripts_use_have_records() -> None:
    for name in (
        "System.String", "System.Char", "System.Int32", "System.Int64", "System.Double", "System.Decimal",
        "System.Boolean", "System.Object", "System.Array", "System.Collections.ArrayList",
        "System.Collections.Hashtable", "System.Text.StringBuilder", "System.Text.Encoding", "System.Text.UTF8Encoding",
        "System.Convert", "System.Text.RegularExpressions.Regex", "System.Text.RegularExpressions.Match",
        "System.Text.RegularExpressions.Group", "System.Text.RegularExpressions.MatchCollection", "System.DateTime",
        "System.TimeSpan", "System.Globalization.CultureInfo", "System.Environment", "System.Console",
        "System.IO.TextReader", "System.Security.Cryptography.X509Certificates.X509Store",
        "System.Security.Cryptography.X509Certificates.X509Certificate2",
        "System.Security.Cryptography.X509Certificates.X509Certificate2Collection",
        "System.Security.Cryptography.X509Certificates.X509ExtensionCollection",
        "System.Security.Cryptography.X509Certificates.X509BasicConstraintsExtension",
        "System.Security.Cryptography.X509Certificates.X509KeyUsageExtension",
        "System.Security.Cryptography.X509Certificates.X509EnhancedKeyUsageExtension",
        "System.Security.Cryptography.Oid",
        "System.Security.Cryptography.X509Certificates.X500DistinguishedName",
        "System.Security.Cryptography.X509Certificates.X509Chain",
        "System.Security.Cryptography.X509Certificates.X509ChainPolicy",
        "System.Security.Cryptography.X509Certificates.X509ChainStatus",
        "System.Security.Cryptography.X509Certificates.X509ChainElementCollection",
        "System.Management.Automation.ScriptBlock", "System.Management.Automation.PSCredential",
        "System.Management.Automation.ErrorRecord", "System.Exception",
    ):  # fmt: skip
        net = find_type(name)
        assert net is not None, name
        assert all(each.documented is not None for each in net.lineage()), name
