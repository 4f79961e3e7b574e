"""Exchange version profiles and how a task's profile is chosen."""

from __future__ import annotations

import typing as t

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    PROFILES,
    ExchangeShellConfigError,
    ShellCredential,
    UnknownExchangeVersion,
    dns_name_problem,
    profile_for,
    select_profile,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import build_payload
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_data import HostArgumentError

from tests.pwsh.invocations import invocations
from tests.pwsh.parser import parse_script


@pytest.mark.parametrize(
    ("version", "key", "snapin", "services", "powershell"),
    [
        ("2007sp1", "2007sp1", "Microsoft.Exchange.Management.PowerShell.Admin", ("MSExchangeUM",), "1.0"),
        ("2007", "2007sp1", "Microsoft.Exchange.Management.PowerShell.Admin", ("MSExchangeUM",), "1.0"),
        ("2010", "2010", "Microsoft.Exchange.Management.PowerShell.E2010", ("MSExchangeUM",), "2.0"),
        (
            " 2013 ",
            "2013",
            "Microsoft.Exchange.Management.PowerShell.SnapIn",
            ("MSExchangeUM", "MSExchangeUMCR"),
            "3.0",
        ),
    ],
)
def test_profiles(version: str, key: str, snapin: str, services: tuple[str, ...], powershell: str) -> None:
    profile = profile_for(version)
    assert (profile.key, profile.snapin, profile.um_services, profile.powershell) == (key, snapin, services, powershell)


@pytest.mark.parametrize("version", ["2016", "", "2003", "exchange"])
def test_unknown_versions(version: str) -> None:
    with pytest.raises(UnknownExchangeVersion) as caught:
        profile_for(version)
    assert caught.value.version == version


def test_ports_follow_host_facts() -> None:
    assert PROFILES["2010"].sip_ports == {"um": 5060, "um_tls": 5061}
    assert PROFILES["2013"].sip_ports["um_tls"] == 5063
    assert PROFILES["2013"].sip_ports["call_router_tls"] == 5061


@pytest.mark.parametrize(
    ("snapshot", "host_version", "expected"),
    [
        ({"exchange": {"installed": True, "version": "2013"}}, "2010", "2013"),
        ({"exchange": {"installed": False, "version": None}}, "2010", None),
        (None, "2010", "2010"),
        (None, "2007sp1", "2007sp1"),
        (None, None, None),
        (None, "", None),
        ({"computer_name": "X"}, "2013", "2013"),
    ],
)
def test_select_profile(snapshot: dict[str, t.Any] | None, host_version: str | None, expected: str | None) -> None:
    profile = select_profile(snapshot=snapshot, host_version=host_version)
    assert (profile.key if profile else None) == expected


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
def test_snapin_loader_has_nothing_to_release(version: str) -> None:
    profile = profile_for(version)
    loader = profile.loader(shell="snapin")
    assert loader.lines == (f"Add-PSSnapin -Name '{profile.snapin}' -ErrorAction Stop",)
    assert loader.release is None
    with pytest.raises(ValueError, match="no credential"):
        profile.loader(shell="snapin", credential=ShellCredential("CONTOSO\\admin", "x"))


@pytest.mark.parametrize(
    ("shell", "fqdn", "version"),
    [
        ("remote", "exch2007.contoso.lab", "2007sp1"),
        ("remote", None, "2013"),
        ("remote", "", "2010"),
        ("psrp", "x", "2013"),
    ],
)
def test_loader_refusals(shell: str, fqdn: str | None, version: str) -> None:
    with pytest.raises(ValueError):
        profile_for(version).loader(shell=shell, fqdn=fqdn)


@pytest.mark.parametrize("version", ["2010", "2013"])
def test_remote_loader_without_credential(version: str) -> None:
    loader = profile_for(version).loader(shell="remote", fqdn="exch.contoso.lab")
    assert loader.lines[0] == (
        "$ExumExchangeSession = New-PSSession -ConfigurationName 'Microsoft.Exchange' "
        "-ConnectionUri $ExumArguments['ExchangeShellUri'] -Authentication Kerberos -ErrorAction Stop"
    )
    assert loader.arguments == {"ExchangeShellUri": "http://exch.contoso.lab/PowerShell/"}
    assert len(loader.lines) == 2 and "Import-PSSession -Session $ExumExchangeSession" in loader.lines[1]
    assert loader.release == "Remove-PSSession -Session $ExumExchangeSession -ErrorAction SilentlyContinue"


# Users and passwords that would break out of a careless quoting: every kind of single quote PowerShell accepts,
# subexpressions, variables, backticks, double quotes, semicolons and line breaks.
CREDENTIALS = [
    ("CONTOSO\\Administrator", "Adm-secret"),
    ("o'brien@contoso.lab", "it's"),
    ("CONTOSO\\x", "a\u2018b\u2019c\u201ad\u201be"),
    ("CONTOSO\\x", "$(Remove-Item C:\\ -Recurse)"),
    ("$env:USERNAME", '`$x`n"; exit 0 #'),
    ("CONTOSO\\x", "line1\r\nline2"),
    ("CONTOSO\\x", "'; Write-Output 'leak"),
]


@pytest.mark.parametrize(("username", "password"), CREDENTIALS)
def test_remote_loader_credential_is_data_not_code(username: str, password: str) -> None:
    loader = profile_for("2013").loader(
        shell="remote", fqdn="exch2013.contoso.lab", credential=ShellCredential(username, password)
    )
    text = "\n".join(loader.lines)
    assert username not in text and password not in text
    assert loader.arguments["ExchangeShellUser"] == username
    assert loader.arguments["ExchangeShellPassword"] == password
    script = parse_script(text)
    assert not script.root.has_error
    for command in ("New-Object", "ConvertTo-SecureString", "New-PSSession", "Import-PSSession", "Remove-PSSession"):
        assert len(invocations(script, command)) == 1, command
    [secure] = invocations(script, "ConvertTo-SecureString")
    assert script.text_of(secure.value_node("String")) == "$ExumArguments['ExchangeShellPassword']"
    [session] = invocations(script, "New-PSSession")
    assert script.text_of(session.value_node("Credential")) == "$ExumShellCredential"
    assert session.has("Authentication") and session.has("ConfigurationName")


def test_remote_loader_refuses_nul_without_echoing_the_password() -> None:
    credential = ShellCredential("CONTOSO\\x", "top\x00secret")
    with pytest.raises(HostArgumentError) as caught:
        build_payload(
            operation="exchange_info", arguments={"Services": []}, exchange=profile_for("2010"),
            exchange_shell="remote", exchange_fqdn="exch2010.contoso.lab", exchange_credential=credential,
        )  # fmt: skip
    assert caught.value.path == "ExchangeShellPassword"
    assert "secret" not in str(caught.value)


def test_credential_repr_hides_the_password() -> None:
    credential = ShellCredential("CONTOSO\\x", "Hidden-Pw")
    assert "Hidden-Pw" not in repr(credential) and "CONTOSO" in repr(credential)


# -- the remote shell's transport: never a credential in the clear (docs/security.md) --------------------------------


@pytest.mark.parametrize("version", ["2010", "2013"])
def test_remote_shell_authenticates_only_with_kerberos(version: str) -> None:
    """Kerberos never sends the password and WinRM encrypts the session with its key; nothing here can choose Basic,
    Negotiate (NTLM fallback), CredSSP, a redirect to another URI or skipping a check."""
    loader = profile_for(version).loader(
        shell="remote", fqdn="exch.contoso.lab", credential=ShellCredential("CONTOSO\\x", "pw")
    )
    script = parse_script("\n".join(loader.lines))
    [session] = invocations(script, "New-PSSession")
    assert script.text_of(session.value_node("Authentication")) == "Kerberos"
    text = "\n".join(loader.lines)
    for forbidden in ("AllowRedirection", "SessionOption", "Basic", "Negotiate", "CredSSP", "SkipCACheck", "https"):
        assert forbidden not in text


@pytest.mark.parametrize(
    ("fqdn", "words"),
    [
        ("127.0.0.1", "is an IP address"),
        ("exch2013.contoso.lab/PowerShell/?x=", "is not a DNS name"),
        ("exch'; Remove-Item C:\\", "is not a DNS name"),
        ("a" * 300, "at most 253"),
        ("-exch.contoso.lab", "is not a DNS name"),
        (None, "is not a host name"),
    ],
)
def test_remote_shell_needs_a_dns_name(fqdn: str | None, words: str) -> None:
    with pytest.raises(ExchangeShellConfigError, match=words):
        profile_for("2013").loader(shell="remote", fqdn=fqdn)


@pytest.mark.parametrize("name", ["exch2013.contoso.lab", "EXCH2013", "exch_2013.contoso.lab.", "ex-1.c.lab"])
def test_dns_names(name: str) -> None:
    assert dns_name_problem(name) is None


def test_unknown_version_names_its_source_and_not_a_huge_value() -> None:
    with pytest.raises(UnknownExchangeVersion, match=r"^the host variable exchange_um_version is a value, which"):
        select_profile(snapshot=None, host_version="2" * 100000)
    with pytest.raises(UnknownExchangeVersion, match=r"^the host variable exchange_um_version is 'dict'"):
        select_profile(snapshot=None, host_version={"a": 1})


def test_an_installed_exchange_the_host_could_not_name_loads_no_cmdlets() -> None:
    assert select_profile(snapshot={"exchange": {"installed": True, "version": None}}, host_version="2010") is None
