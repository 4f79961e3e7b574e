"""Exchange snap-ins, remote sessions and the Exchange read cmdlets per version, and the second hop to Active
Directory, against host-facts.md, the Exchange cmdlet help and the Exchange 15.00.1497 task classes."""

from __future__ import annotations

import datetime

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from tests.lab.hosts.certs import StoredCertificate
from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState

from .cmdlet_host import PASSWORD, error_text, run

SNAPINS = {
    "2007sp1": "Microsoft.Exchange.Management.PowerShell.Admin",
    "2010": "Microsoft.Exchange.Management.PowerShell.E2010",
    "2013": "Microsoft.Exchange.Management.PowerShell.SnapIn",
}


def snapin(version: str) -> str:
    return f"$ErrorActionPreference = 'Stop'; Add-PSSnapin -Name '{SNAPINS[version]}'; "


def remote(version: str, password: str = PASSWORD, credential: bool = True) -> str:
    fqdn = PRESETS[version].fqdn
    given = " -Credential $c" if credential else ""
    return (
        "$ErrorActionPreference = 'Stop'; "
        "$c = New-Object -TypeName 'System.Management.Automation.PSCredential' -ArgumentList 'CONTOSO\\Administrator', "
        f"(ConvertTo-SecureString -String '{password}' -AsPlainText -Force); "
        f"$s = New-PSSession -ConfigurationName 'Microsoft.Exchange' -ConnectionUri 'http://{fqdn}/PowerShell/' "
        f"-Authentication Kerberos{given}; [void](Import-PSSession -Session $s -AllowClobber); "
    )


def _self_signed(name: str, *, days: int = 365) -> StoredCertificate:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    subject = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, name)])
    now = datetime.datetime.now(datetime.timezone.utc)
    certificate = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days)).sign(key, hashes.SHA256())
    )  # fmt: skip
    return StoredCertificate(certificate, key)


# -- loading the cmdlets -----------------------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
def test_exchange_cmdlets_exist_only_after_the_snap_in(version: str) -> None:
    # host-facts.md "Support matrix": the Exchange cmdlets come from the version's snap-in; before it they are unknown.
    before = run("Get-ExchangeServer", version, method="credssp")
    assert "The term 'Get-ExchangeServer' is not recognized" in error_text(before.stderr)
    after = run(snapin(version) + "(Get-ExchangeServer).Name", version, method="credssp")
    assert after.lines == [PRESETS[version].computer_name]
    assert after.host.work.exchange_shell_loads == 1


@pytest.mark.parametrize(("version", "where"), [("2007sp1", "machine"), ("2010", "machine"), ("2013", "computer")])
def test_snap_in_of_another_version_is_not_installed(version: str, where: str) -> None:
    # MshSnapinInfo.resx MshSnapinDoesNotExist ("computer" from 3.0; 2.0 transcripts say "machine").
    other = SNAPINS["2013" if version != "2013" else "2010"]
    result = run(f"Add-PSSnapin -Name '{other}'; 'next'", version)
    assert result.lines == ["next"]
    text = error_text(result.stderr)
    assert f"The Windows PowerShell snap-in '{other}' is not installed on this {where}." in text
    assert result.host.work.exchange_shell_loads == 0


def test_snap_in_added_twice() -> None:
    # ConsoleInfoErrorStrings PSSnapInAlreadyExists: a non-terminating AddPSSnapInRead error; one load only.
    result = run(f"Add-PSSnapin '{SNAPINS['2010']}'; Add-PSSnapin '{SNAPINS['2010']}'", "2010")
    text = error_text(result.stderr)
    assert f"Cannot add Windows PowerShell snap-in {SNAPINS['2010']} because it is already added." in text
    assert "AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand" in text
    assert result.host.work.exchange_shell_loads == 1


def test_get_pssnapin_registered_and_loaded() -> None:
    # Get-PSSnapin help: -Registered lists registered snap-ins that are not defaults; a name matching nothing is
    # NoPSSnapInsFound (the idiom "if (-not (Get-PSSnapin X -ErrorAction SilentlyContinue)) { Add-PSSnapin X }").
    name = SNAPINS["2010"]
    script = (
        f"(Get-PSSnapin -Registered).Name; $null -eq (Get-PSSnapin -Name '{name}' -ErrorAction SilentlyContinue); "
        f"Add-PSSnapin '{name}'; (Get-PSSnapin -Name '{name}').Name"
    )
    assert run(script, "2010").lines == [name, "True", name]


def test_remote_session_with_a_credential_loads_once() -> None:
    # "Connect to Exchange servers using remote PowerShell": New-PSSession + Import-PSSession; an NTLM WinRM logon
    # reaches the endpoint with the explicit credential, and the cmdlets run there (AD reachable).
    result = run(
        remote("2010") + "[string](Get-UMServer -Identity $env:COMPUTERNAME).UMStartupMode; Remove-PSSession $s", "2010"
    )
    assert result.lines == ["TCP"], error_text(result.stderr)
    assert result.host.work.exchange_shell_loads == 1
    assert result.host.sessions == []


def test_remote_session_without_a_credential_is_a_second_hop() -> None:
    # host-facts.md: a remote session opened from inside a WinRM logon needs -Credential (or delegation).
    result = run(remote("2013", credential=False), "2013")
    text = error_text(result.stderr)
    assert (
        "Connecting to remote server exch2013.contoso.lab failed with the following error message : "
        "WinRM cannot process" in text
    )
    assert "1312,PSSessionOpenFailed" in text
    assert result.host.work.exchange_shell_loads == 0


def test_remote_session_without_a_credential_under_credssp() -> None:
    # host-facts.md: CredSSP gives the logon network credentials, so the Kerberos hop to the endpoint works.
    result = run(remote("2013", credential=False) + "(Get-ExchangeServer).Name", "2013", method="credssp")
    assert result.lines == ["EXCH2013"], error_text(result.stderr)


def test_remote_session_with_a_wrong_password() -> None:
    # LogonFailure,PSSessionOpenFailed with Win32 1326's text (wording assumed, tests/lab/hosts/shell.py).
    result = run(remote("2010", password="wrong"), "2010")
    assert "The user name or password is incorrect." in error_text(result.stderr)
    assert "LogonFailure,PSSessionOpenFailed" in error_text(result.stderr)


def test_remote_sessions_do_not_exist_on_1() -> None:
    # host-facts.md: remoting (New-PSSession) arrives with PowerShell 2.0.
    result = run(
        "trap { $_.FullyQualifiedErrorId; exit 1 }; New-PSSession -ConfigurationName Microsoft.Exchange", "2007sp1"
    )
    assert result.lines == ["CommandNotFoundException"]


def test_pscredential_needs_a_secure_string() -> None:
    # PSCredential(String, SecureString): a plain string password finds no constructor.
    result = run("New-Object System.Management.Automation.PSCredential 'u', 'plain'")
    assert result.code == 1
    assert result.stderr


# -- the second hop to Active Directory --------------------------------------------------------------------------


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
@pytest.mark.parametrize("method", ["ntlm", "basic"])
def test_directory_cmdlets_fail_without_network_credentials(version: str, method: str) -> None:
    # host-facts.md "Second hop to AD": the snap-in's cmdlets reach AD with the caller's rights; NTLM and Basic
    # logons hold no network credentials (Ansible's Windows docs), so Get-ExchangeCertificate fails as the 2010
    # snap-in is reported to (PowerShell/Win32-OpenSSH#1115).
    result = run(snapin(version) + "Get-ExchangeCertificate", version, method=method)
    assert result.code == 1
    assert "Value cannot be null." in error_text(result.stderr)
    if version != "2007sp1":  # the 1.0 error layout has no FullyQualifiedErrorId line (tests/pwsh/clixml.py)
        assert "System.ArgumentNullException,Microsoft.Exchange" in error_text(result.stderr)


@pytest.mark.parametrize("version", ["2007sp1", "2010", "2013"])
def test_directory_cmdlets_work_under_credssp(version: str) -> None:
    result = run(snapin(version) + "@(Get-ExchangeCertificate).Length", version, method="credssp")
    assert result.lines == ["1"], error_text(result.stderr)


# -- Get-ExchangeCertificate -------------------------------------------------------------------------------------


def test_setup_certificate_properties() -> None:
    # Get-ExchangeCertificate help: Services (AllowedServices flags), Status, RootCAType Registry for Exchange's
    # self-signed certificate, Identity <ServerFQDN>\<Thumbprint>, IsSelfSigned; it is an X509Certificate2.
    script = snapin("2010") + (
        "$c = Get-ExchangeCertificate; [string]$c.Services; [string]$c.Status; [string]$c.RootCAType; $c.IsSelfSigned; "
        "$c.Identity -eq ('exch2010.contoso.lab\\' + $c.Thumbprint); $c.HasPrivateKey; $c.PublicKeySize; "
        "$c -is [System.Security.Cryptography.X509Certificates.X509Certificate2]; "
        "$c.CertificateDomains -contains 'exch2010.contoso.lab'"
    )
    assert run(script, "2010", method="credssp").lines == [
        "IMAP, POP, IIS, SMTP", "Valid", "Registry", "True", "True", "True", "2048", "True", "True",
    ]  # fmt: skip


def test_pending_request_and_untrusted_self_signed() -> None:
    # The help: pending requests show Status PendingRequest and RootCAType Unknown; ExchangeCertificate: a self-signed
    # certificate whose root is not trusted is Valid with RootCAType None; an empty FriendlyName shows the Issuer.
    # GetCertificate lists a REQUEST entry only with the PKCS#10 Exchange wrote onto it (certreq's has none), and
    # a My certificate only with its private key (ValidateExchangeCertificate).
    machine = HostState.fresh(PRESETS["2013"])
    extra = _self_signed("extra.contoso.lab")
    pending = _self_signed("pending.contoso.lab")
    pending.exchange_request = "MIIB"
    machine.stores["My"].add(extra)
    machine.stores["My"].add(StoredCertificate(_self_signed("keyless.contoso.lab").certificate))
    machine.stores["REQUEST"].add(pending)
    machine.stores["REQUEST"].add(_self_signed("certreq.contoso.lab"))
    script = (
        snapin("2013")
        + "Get-ExchangeCertificate | ForEach-Object { "
        + "[string]$_.Status + '/' + [string]$_.RootCAType + '/' + $_.FriendlyName }"
    )
    result = run(script, "2013", method="credssp", machine=machine)
    assert result.lines[1:] == ["Valid/None/CN=extra.contoso.lab", "PendingRequest/Unknown/CN=pending.contoso.lab"]


def test_expired_certificate_is_date_invalid() -> None:
    machine = HostState.fresh(PRESETS["2010"])
    expired = _self_signed("old.contoso.lab", days=-1)
    machine.stores["My"].add(expired)
    script = snapin("2010") + f"[string](Get-ExchangeCertificate -Thumbprint '{expired.thumbprint.lower()}').Status"
    assert run(script, "2010", method="credssp", machine=machine).lines == ["DateInvalid"]


def test_services_flags_follow_the_binding() -> None:
    # AllowedServices is a [Flags] enum: UM added to the setup certificate's services reads "IMAP, POP, UM, IIS, SMTP".
    machine = HostState.fresh(PRESETS["2013"])
    thumbprint = next(iter(machine.exchange_services))
    machine.exchange_services[thumbprint] |= {"UM", "UMCallRouter"}
    script = snapin("2013") + "$c = Get-ExchangeCertificate; [string]$c.Services; ([int]$c.Services -band 4) -ne 0"
    assert run(script, "2013", method="credssp", machine=machine).lines == [
        "IMAP, POP, UM, IIS, SMTP, UMCallRouter",
        "True",
    ]


def test_server_parameter_only_from_2010() -> None:
    # host-facts.md: 2007 SP1 Get-ExchangeCertificate takes no -Server.
    ok = run(snapin("2010") + "@(Get-ExchangeCertificate -Server $env:COMPUTERNAME).Length", "2010", method="credssp")
    assert ok.lines == ["1"]
    refused = run(snapin("2007sp1") + "Get-ExchangeCertificate -Server $env:COMPUTERNAME", "2007sp1", method="credssp")
    assert "A parameter cannot be found that matches parameter name 'Server'." in error_text(refused.stderr)


def test_another_server_is_not_found() -> None:
    # Exchange's ManagementObjectNotFoundException text (transcripts of 2010/2013 cmdlets).
    result = run(
        snapin("2010").replace("'Stop'", "'Continue'") + "Get-ExchangeCertificate -Server OTHER; 'next'",
        "2010",
        method="credssp",
    )
    assert result.lines == ["next"]
    assert (
        "The operation couldn't be performed because object 'OTHER' couldn't be found on 'DC01.contoso.lab'."
        in error_text(result.stderr)
    )


# -- UM ----------------------------------------------------------------------------------------------------------


def test_um_server_startup_mode_per_version() -> None:
    # host-facts.md: 2007 SP1 has no startup-mode setting (the property is absent: $null); 2010 defaults to TCP.
    script = (
        "$u = Get-UMServer -Identity $env:COMPUTERNAME; $u.Name; $null -eq $u.UMStartupMode; [string]$u.UMStartupMode"
    )
    assert run(snapin("2007sp1") + script, "2007sp1", method="credssp").lines == ["EXCH2007", "True", ""]
    assert run(snapin("2010") + script, "2010", method="credssp").lines == ["EXCH2010", "False", "TCP"]


def test_um_service_and_call_router_on_2013() -> None:
    # host-facts.md: 2013 Get-UMService -Identity and Get-UMCallRouterSettings -Server; ports 5062/5063 and 5060/5061.
    script = snapin("2013") + (
        "$u = Get-UMService -Identity $env:COMPUTERNAME; [string]$u.UMStartupMode; $u.SipTlsListeningPort; "
        "$r = Get-UMCallRouterSettings -Server $env:COMPUTERNAME; [string]$r.UMStartupMode; $r.SipTlsListeningPort"
    )
    assert run(script, "2013", method="credssp").lines == ["TCP", "5063", "TCP", "5061"]


def test_um_cmdlets_of_other_versions_do_not_exist() -> None:
    # catalog.yml (HF-UM): Get-UMService and Get-UMCallRouterSettings are 2013 cmdlets; Get-UMServer is 2007/2010.
    result = run(snapin("2010") + "Get-UMService", "2010", method="credssp")
    assert "CommandNotFoundException" in error_text(result.stderr)


def test_exchange_server_version_text() -> None:
    # ServerVersion.ToString(): "Version <major>.<minor> (Build <build>.<revision>)".
    script = (
        snapin("2013")
        + "$e = Get-ExchangeServer; $e.AdminDisplayVersion; [string]$e.ServerRole; $e.IsUnifiedMessagingServer"
    )
    assert run(script, "2013", method="credssp").lines == ["Version 15.0 (Build 1497.2)", "UnifiedMessaging", "True"]


def test_enable_exchange_certificate_of_a_missing_thumbprint() -> None:
    # The certificate task's "not found" (the text reports show), with 2010's RPC prefix; the binding itself:
    # test_um_runtime.py.
    result = run(snapin("2010") + "Enable-ExchangeCertificate -Thumbprint AB -Services UM", "2010", method="credssp")
    text = error_text(result.stderr)
    assert "A special Rpc error occurs on server EXCH2010: The certificate with thumbprint AB was not found." in text


def test_identity_parameter_only_from_2013() -> None:
    # host-facts.md: Get-ExchangeCertificate -Identity (<server>\<thumbprint> or a thumbprint) arrives with 2013.
    script = (
        "$t = (Get-ExchangeCertificate).Thumbprint; "
        "(Get-ExchangeCertificate -Identity ($env:COMPUTERNAME + '\\' + $t)).Thumbprint -eq $t"
    )
    assert run(snapin("2013") + script, "2013", method="credssp").lines == ["True"]
    refused = run(snapin("2010") + script, "2010", method="credssp")
    assert "A parameter cannot be found that matches parameter name 'Identity'." in error_text(refused.stderr)


def test_removed_session_takes_its_commands_away() -> None:
    # Remove-PSSession help: the session is closed; the commands imported from it no longer run (the lab unloads
    # them, so they are unknown again).
    result = run(remote("2010") + "Remove-PSSession -Session $s; Get-ExchangeServer", "2010")
    assert "The term 'Get-ExchangeServer' is not recognized" in error_text(result.stderr)
    assert result.host.sessions == []
