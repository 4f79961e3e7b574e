"""The remote Exchange shell of the simulated hosts: the explicit credential of the session, checked against the
lab's domain accounts, with the payloads the collection's host channel builds."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import (
    ShellCredential,
    profile_for,
)
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_channel import build_payload

from tests.lab.hosts import PRESETS, SimulatedHost
from tests.lab.httpauth import Account
from tests.lab.tests.test_hosts_payloads import BOOTSTRAP_STRINGBUILDER, command_line, exum_result, payload_stdin

NO_MODEL = "The lab has no model for this script"
SERVICES = ["MSExchangeUM", "MSExchangeUMCR"]


def remote_payload(host: SimulatedHost, credential: ShellCredential | None) -> str:
    version = host.spec.exchange_version
    assert version is not None
    return build_payload(
        operation="exchange_info",
        arguments={"Services": SERVICES},
        exchange=profile_for(version),
        exchange_shell="remote",
        exchange_fqdn=host.spec.fqdn,
        exchange_credential=credential,
    ).text


def run(host: SimulatedHost, text: str) -> tuple[str, str, int]:
    return host.run_command(command_line(BOOTSTRAP_STRINGBUILDER), payload_stdin(text), 65001)


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
    host = domain_host(preset)
    out, err, rc = run(host, remote_payload(host, ShellCredential(name, administrator.password)))
    assert (err, rc) == ("", 0), out
    data = exum_result(out)["data"]
    assert data["exchange"]["version"] == preset and data["um"] is not None
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


@pytest.mark.parametrize(
    ("credential_lines", "credential"),
    [
        ([], "(Get-Credential)"),
        (["$c = Get-Credential"], "$c"),
        ([], "$undefined"),
        ([f"$c = {PSCREDENTIAL} $env:USERNAME, (ConvertTo-SecureString -String 'x' -AsPlainText -Force)"], "$c"),
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String $pw -AsPlainText -Force)"], "$c"),
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String 'x')"], "$c"),
        ([f"$c = {PSCREDENTIAL} 'CONTOSO\\a', $secure"], "$c"),
        (["$c = New-Object -TypeName 'System.Net.NetworkCredential' -ArgumentList 'a', 'b'"], "$c"),
        (
            [
                f"$c = {PSCREDENTIAL} 'CONTOSO\\a', (ConvertTo-SecureString -String 'x' -AsPlainText -Force)",
                "$c = $null",
            ],
            "$c",
        ),
    ],
)
def test_credential_not_built_from_literals_has_no_model(
    domain_host: Callable[[str], SimulatedHost], credential_lines: list[str], credential: str
) -> None:
    host = domain_host("2013")
    text = remote_payload(host, None)
    session = next(line for line in text.split("\r\n") if line.startswith("$ExumExchangeSession = "))
    text = text.replace(session, "\r\n".join([*credential_lines, SESSION.format(credential=credential)]))
    out, err, rc = run(host, text)
    assert rc == 1 and NO_MODEL in err, (out, err)
    assert host.counters.exchange_shell_loads == 0


def test_a_host_outside_the_labs_domain_refuses_every_credential(administrator: Account) -> None:
    host = SimulatedHost(PRESETS["2013"])  # no domain accounts: no logon can succeed
    out, _err, rc = run(host, remote_payload(host, ShellCredential("CONTOSO\\Administrator", administrator.password)))
    assert rc == 1
    assert "The user name or password is incorrect." in exum_result(out)["error"]["message"]
    assert host.counters.exchange_shell_loads == 0
