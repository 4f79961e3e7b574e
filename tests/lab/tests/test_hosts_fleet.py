"""The fleet end to end: simulated hosts behind their WinRM endpoints, driven by pywinrm and ansible-core's winrm."""

from __future__ import annotations

import base64
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import winrm
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import ShellCredential, profile_for

from tests.lab.hosts import Fleet, parse_host_specs
from tests.lab.hosts.certs import thumbprint
from tests.lab.hosts.credssp import credssp_settings
from tests.lab.httpauth import Account
from tests.lab.pki import LabPki
from tests.lab.tests.test_hosts_payloads import (
    BOOTSTRAP_STRINGBUILDER,
    b64der,
    exum_result,
    payload_stdin,
    payload_text,
)

SUBNET = "127.10.9"


@pytest.fixture
def winrm_accounts(lab_accounts: dict[str, Account], ntlm_users: Path) -> dict[str, Account]:
    return {"Administrator": lab_accounts["Administrator"]}


@pytest.fixture
def fleet_factory(winrm_accounts: dict[str, Account], lab_pki: LabPki, tmp_path: Path) -> Iterator[Any]:
    started: list[Fleet] = []

    def start(
        hosts: str, *, auth: str = "ntlm", https: bool = False, subnet: str = SUBNET, credssp: str = "none"
    ) -> Fleet:
        specs = parse_host_specs(hosts=hosts, fleet=None)
        fleet = Fleet(
            specs=specs,
            subnet=subnet,
            auth=auth,
            https=https,
            winrm_port=0,
            accounts=winrm_accounts,
            pki=lab_pki,
            time_scale=0.0,
            state_dir=tmp_path,
            credssp=credssp_settings(specs, enabled=credssp, tls12="none"),
        )
        fleet.start()
        started.append(fleet)
        return fleet

    yield start
    for fleet in started:
        fleet.stop()


def ansible_connection(fleet: Fleet, name: str) -> Any:
    """ansible-core's winrm connection with the variables the fleet's inventory gives the host."""
    group_vars = fleet.inventory()["all"]["children"]["exchange_um"]["vars"]
    host_vars = next(
        members["hosts"][name]
        for members in fleet.inventory()["all"]["children"]["exchange_um"]["children"].values()
        if name in members["hosts"]
    )
    options = {**group_vars, **host_vars}
    options["ansible_winrm_transport"] = [options["ansible_winrm_transport"]]
    options["_extras"] = {
        key: value
        for key, value in options.items()
        if key.startswith("ansible_winrm_") and key not in ("ansible_winrm_scheme", "ansible_winrm_transport")
    }
    connection = connection_loader.get("winrm", PlayContext())
    connection.set_options(var_options=options)
    return connection


def test_root_trust_through_ansible_on_each_version(fleet_factory: Any, lab_pki: LabPki) -> None:
    """ansible-core's own command line (-ExecutionPolicy Unrestricted) on every host whose powershell.exe takes it."""
    fleet = fleet_factory("2007sp1-ps2,2010,2013")
    root = lab_pki.root
    text = payload_text("root_trust", {"Root": [b64der(root)], "State": "present", "CheckMode": False})
    for name in fleet.hosts:
        connection = ansible_connection(fleet, name)
        try:
            first = connection.exec_command(BOOTSTRAP_STRINGBUILDER, in_data=payload_stdin(text))
            second = connection.exec_command(BOOTSTRAP_STRINGBUILDER, in_data=payload_stdin(text))
        finally:
            connection.close()
        assert (first[0], first[2]) == (0, b""), first
        assert exum_result(first[1].decode())["data"]["changed"] is True
        assert exum_result(second[1].decode())["data"]["changed"] is False
        dumped = fleet.dump(name)
        assert dumped["counters"]["commands"] == 2
        assert dumped["counters"]["exchange_shell_loads"] == 0
        assert dumped["counters"]["bytes_in"] > 0 and dumped["counters"]["bytes_out"] > 0
        assert thumbprint(root) in {entry["thumbprint"] for entry in dumped["state"]["stores"]["Root"]}
        fleet.reset_counters(name)
        assert fleet.dump(name)["counters"]["commands"] == 0


def test_ansible_command_line_fails_on_the_pessimistic_powershell_1_host(fleet_factory: Any) -> None:
    """The 2007 SP1 host on PowerShell 1.0, with the lab's defaults, refuses -ExecutionPolicy: ansible-core's own
    exec_command reaches powershell.exe, which runs '-ExecutionPolicy' as a command it does not know."""
    fleet = fleet_factory("2007sp1")
    connection = ansible_connection(fleet, "exch2007")
    text = payload_text("root_trust", {"Root": [], "State": "present", "CheckMode": True})
    try:
        rc, out, err = connection.exec_command(BOOTSTRAP_STRINGBUILDER, in_data=payload_stdin(text))
    finally:
        connection.close()
    assert (rc, out) == (1, b"")
    assert err.startswith(b"The term '-ExecutionPolicy' is not recognized as a cmdlet, function, operable program")
    assert fleet.dump("exch2007")["counters"]["commands"] == 1


def test_powershell_3_cmdlet_on_the_2_0_host_over_winrm(fleet_factory: Any) -> None:
    fleet = fleet_factory("2010")
    connection = ansible_connection(fleet, "exch2010")
    try:
        rc, out, err = connection.exec_command("ConvertTo-Json @{ 'a' = 1 }")
    finally:
        connection.close()
    assert (rc, out) == (1, b"")
    assert b"The term 'ConvertTo-Json' is not recognized as the name of a cmdlet" in err


@pytest.mark.parametrize(("auth", "transport"), [("basic", "basic"), ("ntlm", "ntlm"), ("ntlm", "credssp")])
def test_exchange_info_over_https_with_pywinrm(fleet_factory: Any, lab_pki: LabPki, auth: str, transport: str) -> None:
    """The snap-in loads under every logon; its cmdlets reach the directory only under CredSSP, whose logon holds
    network credentials (docs/lab.md "Logons and CredSSP"). Under Basic and NTLM, exchange_info returns the rest of
    the snapshot with exchange_error (host-facts.md "Second hop to AD")."""
    fleet = fleet_factory("2013", auth=auth, https=True, credssp="all" if transport == "credssp" else "none")
    account = fleet.account
    protocol = winrm.Protocol(
        endpoint=fleet.endpoints["exch2013"].url,
        transport=transport,
        username=f"{account.domain}\\{account.user}",
        password=account.password,
        server_cert_validation="validate",
        ca_trust_path=str(lab_pki.bundle_path),
    )
    loader = ["Add-PSSnapin -Name 'Microsoft.Exchange.Management.PowerShell.SnapIn' -ErrorAction Stop"]
    text = payload_text(
        "exchange_info", {"Services": ["MSExchangeUM"]}, loader=loader, fragment="exchange_info.2013.ps1"
    )
    encoded = base64.b64encode(BOOTSTRAP_STRINGBUILDER.encode("utf-16-le")).decode()
    shell = protocol.open_shell(codepage=65001)
    try:
        command = protocol.run_command(
            shell, "powershell", ["-NoProfile", "-NonInteractive", "-EncodedCommand", encoded]
        )
        protocol.send_command_input(shell, command, payload_stdin(text), end=True)
        out, err, rc = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    assert (err, rc) == (b"", 0)
    data = exum_result(out.decode())["data"]
    assert data["exchange"]["version"] == "2013" and data["fqdn"] == "exch2013.contoso.lab"
    assert data["stores"]["My"] and data["services"][0]["name"] == "MSExchangeUM"
    if transport == "credssp":
        assert data["exchange_error"] is None and data["um"]["startup_mode"] == "TCP"
        assert data["exchange_certificates"][0]["thumbprint"] == data["stores"]["My"][0]["thumbprint"]
    else:
        assert data["exchange_error"]["message"] == "Value cannot be null.\r\nParameter name: parameters"
        assert data["um"] is None and data["exchange_certificates"] == []
    assert fleet.dump("exch2013")["counters"]["exchange_shell_loads"] == 1


def run_channel_payload(fleet: Fleet, name: str, payload: channel.Payload) -> dict[str, Any]:
    """The collection's command line and stdin over pywinrm (NTLM over http: no network credentials)."""
    account = fleet.account
    protocol = winrm.Protocol(
        endpoint=fleet.endpoints[name].url,
        transport="ntlm",
        username=f"{account.domain}\\{account.user}",
        password=account.password,
    )
    program, *arguments = channel.command_line().split(" ")
    shell = protocol.open_shell(codepage=65001)
    try:
        command = protocol.run_command(shell, program, arguments)
        protocol.send_command_input(shell, command, channel.encode_stdin(payload), end=True)
        out, err, rc = protocol.get_command_output(shell, command)
        protocol.cleanup_command(shell, command)
    finally:
        protocol.close_shell(shell)
    return channel.parse_result(operation="exchange_info", rc=rc, stdout=out, stderr=err, payload=payload)


def test_shell_loads_in_the_dump_are_what_the_scripts_load(
    fleet_factory: Any, lab_accounts: dict[str, Account]
) -> None:
    """exchange_shell_loads counts the Add-PSSnapin and Import-PSSession the payload runs: none for 2007 SP1 (its
    fragment calls no Exchange cmdlet, so the controller sends no loader), one snap-in on 2010, one imported session
    on 2013; the simulated seconds follow (powershell.exe start, plus the shell load)."""
    fleet = fleet_factory("2007sp1,2010,2013")
    administrator = lab_accounts["Administrator"]
    shells = {
        "exch2007": None,
        "exch2010": None,
        "exch2013": ShellCredential("CONTOSO\\Administrator", administrator.password),
    }
    for name, credential in shells.items():
        version = fleet.lab_json()["hosts"][name]["exchange_version"]
        payload = channel.build_payload(
            operation="exchange_info",
            arguments={"Services": ["MSExchangeUM"]},
            exchange=profile_for(version),
            exchange_shell="remote" if credential else "snapin",
            exchange_fqdn=f"{name}.contoso.lab",
            exchange_credential=credential,
        )
        data = run_channel_payload(fleet, name, payload)
        loads = 0 if version == "2007sp1" else 1
        counters = fleet.dump(name)["counters"]
        spec = next(spec for spec in parse_host_specs(hosts="2007sp1,2010,2013", fleet=None) if spec.name == name)
        assert (counters["commands"], counters["exchange_shell_loads"]) == (1, loads), name
        assert counters["simulated_seconds"] == spec.process_start_seconds + loads * spec.shell_load_seconds
        # NTLM holds no network credentials: the snap-in's cmdlets fail on 2010, the session with its own
        # credential works on 2013, and 2007 SP1 needs no directory.
        assert (data["exchange_error"] is None) is (version != "2010"), (name, data["exchange_error"])
        assert data["exchange"]["version"] == version


def test_lab_json_and_inventory(fleet_factory: Any, lab_pki: LabPki) -> None:
    fleet = fleet_factory(
        "2007sp1,2010,2013,windows,old=2007sp1:stdin_reaches_input=true", auth="ntlm", https=True, subnet="127.10.8"
    )
    info = fleet.lab_json()
    assert info["winrm"]["username"] == "Administrator" and info["winrm"]["scheme"] == "https"
    assert {name: host["address"] for name, host in info["hosts"].items()} == {
        "exch2007": "127.10.8.11",
        "exch2010": "127.10.8.12",
        "exch2013": "127.10.8.13",
        "win2008r2": "127.10.8.14",
        "old": "127.10.8.15",
    }
    assert info["hosts"]["exch2007"]["exchange_version"] == "2007sp1"
    assert info["hosts"]["exch2007"]["powershell_version"] == "1.0"
    settings = {
        name: (host["accepts_execution_policy"], host["stdin_reaches_input"]) for name, host in info["hosts"].items()
    }
    assert settings == {
        "exch2007": (False, False),
        "exch2010": (True, True),
        "exch2013": (True, True),
        "win2008r2": (True, True),
        "old": (False, True),
    }
    children = fleet.inventory()["all"]["children"]
    exchange = children["exchange_um"]
    assert sorted(exchange["children"]) == ["exchange2007sp1", "exchange2010", "exchange2013"]
    assert exchange["children"]["exchange2010"]["hosts"]["exch2010"]["exchange_um_version"] == "2010"
    assert exchange["vars"]["ansible_connection"] == "winrm"
    assert exchange["vars"]["ansible_winrm_server_cert_validation"] == "validate"
    assert exchange["vars"]["ansible_winrm_ca_trust_path"] == str(lab_pki.bundle_path)
    assert "exchange_um_version" not in children["windows_without_exchange"]["hosts"]["win2008r2"]
    assert all(endpoint.url.startswith("https://127.10.8.") for endpoint in fleet.endpoints.values())
