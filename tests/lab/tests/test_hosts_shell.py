"""The remote Exchange shell of the simulated hosts: the explicit credential of the session, checked against the
lab's domain accounts, with the payloads the collection's host channel builds (its bootstrap, script and data block)."""

from __future__ import annotations

import dataclasses
from collections.abc import Callable

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    ShellCredential,
    profile_for,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import (
    Payload,
    build_payload,
    command_line,
    encode_stdin,
)

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.httpauth import Account
from tests.lab.tests.test_hosts_payloads import exum_result

NO_MODEL = "The lab has no model for this script"
SERVICES = ["MSExchangeUM", "MSExchangeUMCR"]


def remote_payload(host: SimulatedHost, credential: ShellCredential | None) -> Payload:
    version = host.spec.exchange_version
    assert version is not None
    return build_payload(
        operation="exchange_info",
        arguments={"Services": SERVICES},
        exchange=profile_for(version),
        exchange_shell="remote",
        exchange_fqdn=host.spec.fqdn,
        exchange_credential=credential,
    )


def run(host: SimulatedHost, payload: Payload) -> tuple[str, str, int]:
    """The channel's own command line and stdin; no logon, so no network credentials (docs/lab.md)."""
    return host.run_command(command_line(), encode_stdin(payload), 65001)


@pytest.fixture
def administrator(lab_accounts: dict[str, Account]) -> Account:
    return lab_accounts["Administrator"]


@pytest.fixture
def domain_host(lab_accounts: dict[str, Account]) -> Callable[[str], SimulatedHost]:
    """A simulated host of a preset in the lab's domain (its accounts can log on to a remote session)."""

    def make(preset: str) -> SimulatedHost:
        return SimulatedHost(PRESETS[preset], domain_accounts=lab_accounts.values())

    return make


@pytest.mark.parametrize("preset", ["2010", "2013"])
@pytest.mark.parametrize("name", ["CONTOSO\\Administrator", "contoso\\administrator", "Administrator@contoso.lab"])
def test_known_account_opens_the_session(
    administrator: Account, domain_host: Callable[[str], SimulatedHost], preset: str, name: str
) -> None:
    """The session opened with an explicit credential reaches the directory on its own: the Exchange part works
    though the command's logon (none here) holds no network credentials."""
    host = domain_host(preset)
    out, err, rc = run(host, remote_payload(host, ShellCredential(name, administrator.password)))
    assert (err, rc) == ("", 0), out
    data = exum_result(out)["data"]
    assert data["exchange"]["version"] == preset and data["um"] is not None and data["exchange_error"] is None
    assert host.counters.exchange_shell_loads == 1
    spec = PRESETS[preset]
    assert host.counters.simulated_seconds == spec.process_start_seconds + spec.shell_load_seconds


@pytest.mark.parametrize(
    ("name", "password"),
    [
        ("CONTOSO\\Administrator", "wrong"),
        ("CONTOSO\\Administrator", None),  # the right password of another account
        ("CONTOSO\\nobody", None),
        ("FABRIKAM\\Administrator", None),
    ],
)
def test_rejected_credential_fails_like_new_pssession(
    administrator: Account,
    lab_accounts: dict[str, Account],
    domain_host: Callable[[str], SimulatedHost],
    name: str,
    password: str | None,
) -> None:
    host = domain_host("2013")
    if password is None:
        password = lab_accounts["enroll"].password if name.endswith("Administrator") else administrator.password
    out, err, rc = run(host, remote_payload(host, ShellCredential(name, password)))
    assert (err, rc) == ("", 1)
    error = exum_result(out)["error"]
    assert error["fqid"] == "LogonFailure,PSSessionOpenFailed"
    assert error["message"].startswith("Connecting to remote server exch2013.contoso.lab failed")
    assert "The user name or password is incorrect." in error["message"]
    assert password not in out
    assert host.counters.exchange_shell_loads == 0


def test_no_credential_is_the_second_hop(domain_host: Callable[[str], SimulatedHost]) -> None:
    host = domain_host("2010")
    out, _err, rc = run(host, remote_payload(host, None))
    assert rc == 1 and exum_result(out)["error"]["fqid"] == "1312,PSSessionOpenFailed"


SESSION = (
    "$ExumExchangeSession = New-PSSession -ConfigurationName 'Microsoft.Exchange' "
    "-ConnectionUri 'http://exch2013.contoso.lab/PowerShell/' -Authentication Kerberos -Credential {credential} "
    "-ErrorAction Stop"
)
PSCREDENTIAL = "New-Object -TypeName 'System.Management.Automation.PSCredential' -ArgumentList"


def with_session(host: SimulatedHost, credential_lines: list[str], credential: str) -> Payload:
    """The remote payload with its session line replaced by ``credential_lines`` and a session using ``credential``."""
    payload = remote_payload(host, None)
    session = next(line for line in payload.text.split("\r\n") if line.startswith("$ExumExchangeSession = "))
    text = payload.text.replace(session, "\r\n".join([*credential_lines, SESSION.format(credential=credential)]))
    return dataclasses.replace(payload, text=text)


@pytest.mark.parametrize(
    ("credential_lines", "credential"),
    [
        (["$u = 'CONTOSO\\Administrator'", "$p = '{password}'",
          f"$c = {PSCREDENTIAL} $u, (ConvertTo-SecureString -String $p -AsPlainText -Force)"], "$c"),
        (["$s = New-Object System.Security.SecureString",
          "foreach ($ch in '{password}'.ToCharArray()) {{ $s.AppendChar($ch) }}",
          f"$c = {PSCREDENTIAL} ('CONTOSO\\' + 'Administrator'), $s"], "$c"),
        (["$n = \"$env:USERDOMAIN\\Administrator\"",
          f"$c = {PSCREDENTIAL} $n, (ConvertTo-SecureString '{{password}}' -AsPlainText -Force)"], "$c"),
        (["$parts = @('administrator@contoso.lab', (ConvertTo-SecureString -String '{password}' -AsPlainText -Force))"],
         f"({PSCREDENTIAL} $parts)"),
    ],
)  # fmt: skip
def test_credential_built_any_valid_way_opens_the_session(
    administrator: Account, domain_host: Callable[[str], SimulatedHost], credential_lines: list[str], credential: str
) -> None:
    """The engine evaluates the credential, so any valid PowerShell that builds the right one works (the old
    recogniser took only the literal form the channel writes)."""
    host = domain_host("2013")
    lines = [line.format(password=administrator.password) for line in credential_lines]
    out, err, rc = run(host, with_session(host, lines, credential))
    assert (err, rc) == ("", 0), out
    data = exum_result(out)["data"]
    assert data["exchange_error"] is None and data["um"] is not None
    assert host.counters.exchange_shell_loads == 1


@pytest.mark.parametrize(
    ("credential_lines", "credential", "fqid", "message"),
    [
        # $env:USERNAME is the logon's user name, but 'x' is not its password.
        ([f"$c = {PSCREDENTIAL} $env:USERNAME, (ConvertTo-SecureString -String 'x' -AsPlainText -Force)"], "$c",
         "LogonFailure,PSSessionOpenFailed", "The user name or password is incorrect."),
        # -String is mandatory: the binder refuses $null (ConvertTo-SecureString help; ParameterArgumentValidation).
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String $pw -AsPlainText -Force)"], "$c",
         "ParameterArgumentValidationErrorNullNotAllowed,Microsoft.PowerShell.Commands.ConvertToSecureStringCommand",
         "Cannot bind argument to parameter 'String' because it is null."),
        # PSCredential(String, SecureString) refuses a null password; New-Object reports the constructor's exception.
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', $secure"], "$c",
         "ConstructorInvokedThrowException,Microsoft.PowerShell.Commands.NewObjectCommand",
         'value of argument "password" is null'),
        # A $null given to an optional [Credential()] parameter is not transformed (the binder transforms a null only
        # when the attribute's TransformNullOptionalParameters is true, and CredentialAttribute's is false: PowerShell
        # sources, ParameterBinderBase / CredentialAttribute), so New-PSSession goes on without a credential: the
        # second hop (host-facts.md). The old recogniser had no model for these.
        ([], "$undefined", "1312,PSSessionOpenFailed", "0x8009030e"),
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)", "$c = $null"],
         "$c", "1312,PSSessionOpenFailed", "0x8009030e"),
    ],
)  # fmt: skip
def test_a_wrong_credential_fails_as_powershell_does(
    domain_host: Callable[[str], SimulatedHost], credential_lines: list[str], credential: str, fqid: str, message: str
) -> None:
    host = domain_host("2013")
    out, err, rc = run(host, with_session(host, credential_lines, credential))
    assert (err, rc) == ("", 1)
    error = exum_result(out)["error"]
    assert error["fqid"] == fqid and message in error["message"], error
    assert host.counters.exchange_shell_loads == 0


@pytest.mark.parametrize(
    ("credential_lines", "credential", "construct"),
    [
        ([], "(Get-Credential)", "Get-Credential"),
        (["$c = Get-Credential"], "$c", "Get-Credential"),
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String 'x')"], "$c", "without -AsPlainText"),
        (
            ["$c = New-Object -TypeName 'System.Net.NetworkCredential' -ArgumentList 'a', 'b'"],
            "$c",
            "System.Net.NetworkCredential",
        ),
    ],
)
def test_credentials_the_lab_cannot_build_fail_loudly(
    domain_host: Callable[[str], SimulatedHost], credential_lines: list[str], credential: str, construct: str
) -> None:
    """A prompt, a DPAPI-encrypted string, another credential type: not modelled, and said so."""
    host = domain_host("2013")
    out, err, rc = run(host, with_session(host, credential_lines, credential))
    assert rc == 1 and NO_MODEL in err and construct in err, (out, err)
    assert host.counters.exchange_shell_loads == 0


def test_a_host_outside_the_labs_domain_refuses_every_credential(administrator: Account) -> None:
    host = SimulatedHost(PRESETS["2013"])  # no domain accounts: no logon can succeed
    out, _err, rc = run(host, remote_payload(host, ShellCredential("CONTOSO\\Administrator", administrator.password)))
    assert rc == 1
    assert "The user name or password is incorrect." in exum_result(out)["error"]["message"]
    assert host.counters.exchange_shell_loads == 0
