"""exchange_info through ansible-playbook against the lab: one read-only WinRM command per host and run."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

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
        names = {service["name"] for service in info["services"]}
        assert "MSExchangeUM" in names
        assert ("MSExchangeUMCR" in names) == (spec["exchange_version"] == "2013")
        assert {"My", "Root", "CA"} <= set(info["stores"])
        assert all("der" not in entry and "role" in entry for entry in info["stores"]["Root"])
        assert run.task(host, "fact")["ansible_facts.exchange_um_host.exchange.version"] == spec["exchange_version"]
        counters = lab.dump(host)["counters"]
        assert counters["commands"] == 1
        assert counters["exchange_shell_loads"] == 1
