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

from tests.lab.hosts import Fleet, parse_host_specs
from tests.lab.hosts.certs import thumbprint
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

    def start(hosts: str, *, auth: str = "ntlm", https: bool = False, subnet: str = SUBNET) -> Fleet:
        fleet = Fleet(
            specs=parse_host_specs(hosts=hosts, fleet=None),
            subnet=subnet,
            auth=auth,
            https=https,
            winrm_port=0,
            accounts=winrm_accounts,
            pki=lab_pki,
            time_scale=0.0,
            state_dir=tmp_path,
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


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_exchange_info_over_https_with_pywinrm(fleet_factory: Any, lab_pki: LabPki, auth: str) -> None:
    fleet = fleet_factory("2013", auth=auth, https=True)
    account = fleet.account
    protocol = winrm.Protocol(
        endpoint=fleet.endpoints["exch2013"].url,
        transport=auth,
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
    assert fleet.dump("exch2013")["counters"]["exchange_shell_loads"] == 1


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
