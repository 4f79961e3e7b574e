"""exchange_info over ``ansible_winrm_transport: credssp`` against the lab: the delegating logon and its TLS caveat.

The lab turns CredSSP on per host (``up --winrm-credssp``, as ``Enable-WSManCredSSP -Role Server`` does); its
inventory then connects to those hosts with CredSSP. Facts: Ansible's windows_winrm.rst (CredSSP delegates the
credentials; "CredSSP and TLS 1.2"), host-facts.md (the remote Exchange session is a second hop; Schannel defaults).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest
import yaml

pytestmark = pytest.mark.integration

# r2 is a second Exchange 2010 host on Server 2008 R2 whose Schannel keeps TLS 1.2 off (the Windows default).
HOSTS = "2007sp1,2010,2013,r2=2010"
OPTIONS = ("--winrm-credssp", "all", "--credssp-tls12", "exch2010")

INFO = """
- hosts: exch2010:exch2013
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: info through the remote shell
      exchange_um.certificates.exchange_info:
        exchange_shell: remote
"""

UNREACHABLE = """
- hosts: r2
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
"""


@pytest.fixture(scope="module")
def credssp_lab(lab_factory: Callable[..., Any]) -> Any:
    return lab_factory("credssp", hosts=HOSTS, auth="ntlm", extra=OPTIONS)


def _host_vars(lab: Any) -> dict[str, dict[str, Any]]:
    inventory = yaml.safe_load(lab.inventory.read_text(encoding="utf-8"))
    groups = inventory["all"]["children"]["exchange_um"]["children"].values()
    return {name: values for group in groups for name, values in group["hosts"].items()}


def test_the_inventory_connects_with_credssp_where_it_is_on(credssp_lab: Any) -> None:
    hosts, host_vars = credssp_lab.info["hosts"], _host_vars(credssp_lab)
    assert hosts["exch2007"]["winrm_auth"] == ["ntlm"]  # WinRM 1.1 has no CredSSP
    assert "ansible_winrm_transport" not in host_vars["exch2007"]
    for name, tls in (("exch2010", "1.2"), ("exch2013", "1.2"), ("r2", "1.0")):
        assert hosts[name]["winrm_auth"] == ["ntlm", "credssp"]
        assert hosts[name]["credssp_max_tls"] == tls
        assert host_vars[name]["ansible_winrm_transport"] == "credssp"
    assert host_vars["r2"]["ansible_winrm_credssp_disable_tlsv1_2"] is True


def test_exchange_info_over_credssp_and_the_second_hop(
    credssp_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]
) -> None:
    for name in ("exch2010", "exch2013"):
        credssp_lab.control(f"hosts/{name}/reset-counters", {})
    run = playbook_runner(credssp_lab)(INFO)
    assert run.rc == 0, run.stdout
    for name in ("exch2010", "exch2013"):
        version = credssp_lab.info["hosts"][name]["exchange_version"]
        for task in ("info", "info through the remote shell"):
            info = run.task(name, task)
            assert info["_status"] == "ok", info
            assert info["exchange"]["version"] == version
            assert info["um"] is not None
        # The remote session opened without an explicit credential: the CredSSP logon holds network credentials
        # (over NTLM the same task fails with the second-hop error; tests/integration/test_exchange_info.py).
        counters = credssp_lab.dump(name)["counters"]
        assert (counters["commands"], counters["exchange_shell_loads"]) == (2, 2)
    assert credssp_lab.info["winrm"]["password"] not in run.stdout + run.stderr


def test_credssp_to_a_host_without_tls_1_2(
    credssp_lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]
) -> None:
    """windows_winrm.rst: such a host needs ``ansible_winrm_credssp_disable_tlsv1_2``; the inventory sets it, but a
    controller whose Python offers no TLS 1.0 cipher suite (3.10 and later by default) still cannot shake hands."""
    credssp_lab.control("hosts/r2/reset-counters", {})
    run = playbook_runner(credssp_lab)(UNREACHABLE)
    assert run.rc != 0
    info = run.task("r2", "info")
    assert info["_status"] == "unreachable", info
    assert "TLS Handshake" in info["msg"], info["msg"]
    assert credssp_lab.dump("r2")["counters"]["commands"] == 0
