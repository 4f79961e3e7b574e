"""exchange_info through ansible-playbook against the lab: one read-only WinRM command per host and run.

The ``lab`` connects to the 2010 and 2013 hosts with CredSSP, so their snap-in reaches Active Directory; the same
hosts under NTLM (``ntlm_lab``) are the second-hop cases (also tests/integration/test_second_hop.py).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from .conftest import CREDSSP_WHERE_POSSIBLE, inventory_by_fqdn

pytestmark = pytest.mark.integration

INFO = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: fact
      ansible.builtin.debug:
        var: ansible_facts.exchange_um_host.exchange.version
"""


@pytest.mark.parametrize("check", [False, True])
def test_snapshot_per_version(lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]], check: bool) -> None:
    for host in lab.info["hosts"]:
        lab.control(f"hosts/{host}/reset-counters", {})
    run = playbook_runner(lab)(INFO, check=check)
    assert run.rc == 0, run.stdout
    for host, spec in lab.info["hosts"].items():
        info = run.task(host, "info")
        assert info["_status"] == "ok"
        assert info["changed"] is False
        assert info["exchange"]["installed"] is True
        assert info["exchange"]["version"] == spec["exchange_version"]
        assert info["powershell_version"] == spec["powershell_version"]
        assert info["fqdn"] == spec["fqdn"]
        assert info["um"] is not None
        assert info["exchange_error"] is None
        assert info["warnings"] == []
        names = {service["name"] for service in info["services"]}
        assert "MSExchangeUM" in names
        assert ("MSExchangeUMCR" in names) == (spec["exchange_version"] == "2013")
        assert {"My", "Root", "CA"} <= set(info["stores"])
        assert all("der" not in entry and "role" in entry for entry in info["stores"]["Root"])
        assert run.task(host, "fact")["ansible_facts.exchange_um_host.exchange.version"] == spec["exchange_version"]
        counters = lab.dump(host)["counters"]
        assert counters["commands"] == 1
        # The 2007 SP1 fragment reads UM from the event log and the store, with no Exchange cmdlet: no snap-in load.
        assert counters["exchange_shell_loads"] == (0 if spec["exchange_version"] == "2007sp1" else 1)


INFO_ALL = """
- hosts: all
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: info again
      exchange_um.certificates.exchange_info:
"""


@pytest.fixture(scope="module")
def mixed_lab(lab_factory: Callable[..., Any]) -> Any:
    """An Exchange 2010 host and a Windows server without Exchange, both with CredSSP as the ``lab``."""
    return lab_factory("info-mixed", hosts="2010,windows", auth="ntlm", extra=CREDSSP_WHERE_POSSIBLE)


def test_host_without_exchange(mixed_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]) -> None:
    mixed_lab.control("hosts/win2008r2/reset-counters", {})
    run = playbook_runner(mixed_lab)(INFO_ALL, limit="win2008r2")
    assert run.rc == 0, run.stdout
    info = run.task("win2008r2", "info")
    assert info["_status"] == "ok"
    assert info["exchange"]["installed"] is False
    assert info["um"] is None
    assert info["services"] == []
    assert {"My", "Root", "CA"} <= set(info["stores"])
    counters = mixed_lab.dump("win2008r2")["counters"]
    assert counters["commands"] == 2  # one per run: nothing to discover on a host without Exchange
    assert counters["exchange_shell_loads"] == 0


def test_version_discovered_once_without_inventory_hint(
    mixed_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]], tmp_path: Path
) -> None:
    """Without exchange_um_version the first read discovers the version (two commands); the fact spares it after."""
    inventory = yaml.safe_load(mixed_lab.inventory.read_text(encoding="utf-8"))
    exchange_hosts = inventory["all"]["children"]["exchange_um"]["children"]["exchange2010"]["hosts"]
    for host_vars in exchange_hosts.values():
        del host_vars["exchange_um_version"]
    unhinted = tmp_path / "inventory.yml"
    unhinted.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    unhinted.chmod(0o600)

    mixed_lab.control("hosts/exch2010/reset-counters", {})
    run = playbook_runner(mixed_lab)(INFO_ALL, inventory=unhinted, limit="exch2010")
    assert run.rc == 0, run.stdout
    for task in ("info", "info again"):
        info = run.task("exch2010", task)
        assert info["exchange"]["version"] == "2010"
        assert info["um"]["startup_mode"] is not None
    counters = mixed_lab.dump("exch2010")["counters"]
    assert counters["commands"] == 3  # discovery + read, then one read with the version from the fact
    assert counters["exchange_shell_loads"] == 2


# The shell options come through the collection's action group, as a play would set them once.
REMOTE = """
- hosts: exchange2010:exchange2013
  gather_facts: false
  module_defaults:
    group/exchange_um.certificates.host:
      exchange_shell: remote
      exchange_shell_username: "{{ shell_user | default(omit) }}"
      exchange_shell_password: "{{ shell_password | default(omit) }}"
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
"""


@pytest.fixture(scope="module")
def fqdn_inventory(lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return inventory_by_fqdn(lab, tmp_path_factory.mktemp("remote-shell"))


@pytest.fixture(scope="module")
def ntlm_fqdn_inventory(ntlm_lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return inventory_by_fqdn(ntlm_lab, tmp_path_factory.mktemp("remote-shell-ntlm"))


def remote_hosts(lab: Any) -> dict[str, str]:
    return {
        name: spec["fqdn"] for name, spec in lab.info["hosts"].items() if spec["exchange_version"] in ("2010", "2013")
    }


def test_remote_shell_with_the_winrm_account(
    lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]], fqdn_inventory: Path
) -> None:
    winrm = lab.info["winrm"]
    hosts = remote_hosts(lab)
    for name in hosts:
        lab.control(f"hosts/{name}/reset-counters", {})
    credential = {"shell_user": f"{winrm['domain']}\\{winrm['username']}", "shell_password": winrm["password"]}
    run = playbook_runner(lab)(REMOTE, inventory=fqdn_inventory, extra_vars=credential)
    assert run.rc == 0, run.stdout
    for name, fqdn in hosts.items():
        info = run.task(fqdn, "info")
        assert info["_status"] == "ok"
        assert info["exchange"]["version"] == lab.info["hosts"][name]["exchange_version"]
        assert info["um"] is not None
        counters = lab.dump(name)["counters"]
        assert (counters["commands"], counters["exchange_shell_loads"]) == (1, 1)
    assert winrm["password"] not in run.stdout + run.stderr


@pytest.mark.parametrize(
    ("wrong_password", "expected"),
    [
        (
            True,
            ("The user name or password is incorrect.", "Check exchange_shell_username and exchange_shell_password"),
        ),
        (None, ("0x8009030e", "second hop: set exchange_shell_username and exchange_shell_password")),
    ],
)
def test_remote_shell_failures_say_what_to_do(
    ntlm_lab: Any,
    playbook_runner: Callable[[Any], Callable[..., Any]],
    ntlm_fqdn_inventory: Path,
    wrong_password: bool | None,
    expected: tuple[str, str],
) -> None:
    """Under NTLM, without a credential the session is a second hop; with a wrong one the server refuses it."""
    lab = ntlm_lab
    winrm = lab.info["winrm"]
    password = "Wrong-" + winrm["password"][::-1]
    hosts = remote_hosts(lab)
    for name in hosts:
        lab.control(f"hosts/{name}/reset-counters", {})
    credential = {"shell_user": f"{winrm['domain']}\\{winrm['username']}", "shell_password": password}
    run = playbook_runner(lab)(REMOTE, inventory=ntlm_fqdn_inventory, extra_vars=credential if wrong_password else None)
    assert run.rc != 0
    for name, fqdn in hosts.items():
        info = run.task(fqdn, "info")
        assert info["_status"] == "failed"
        assert "the remote Exchange shell did not open" in info["msg"]
        assert all(part in info["msg"] for part in expected), info["msg"]
        assert password not in info["msg"]
        counters = lab.dump(name)["counters"]
        assert (counters["commands"], counters["exchange_shell_loads"]) == (1, 0)
    assert password not in run.stdout + run.stderr
