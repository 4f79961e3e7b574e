"""The collection's playbooks through ansible-playbook against one lab fleet: 12 Exchange UM servers (2007 SP1, 2010
and 2013, four each) and a Lync front end.

- a missing or malformed role variable stops site.yml before any WinRM request (the lab's counters stay at zero);
- a role run on a server of another Exchange version fails with the role to use.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import CREDSSP_WHERE_POSSIBLE, Lab, PlaybookRun

pytestmark = pytest.mark.integration

SERVERS = [f"um{number:03d}" for number in range(1, 13)]
LYNC = "lync01"
SITE = "- ansible.builtin.import_playbook: exchange_um.certificates.site\n"
RECAP = re.compile(r"^(\S+)\s+:\s+ok=(\d+)\s+changed=(\d+)\s+unreachable=(\d+)\s+failed=(\d+)", re.MULTILINE)


@pytest.fixture(scope="module")
def fleet(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory(
        "playbooks",
        hosts=None,
        extra=("--fleet", str(len(SERVERS)), "--lync", "1", "--winrm-port", "0", *CREDSSP_WHERE_POSSIBLE),
    )


@pytest.fixture(scope="module")
def run(
    fleet: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> Iterator[Callable[..., PlaybookRun]]:
    """ansible-playbook with a fork per host, so that a run's wall time is that of its slowest host."""
    with pytest.MonkeyPatch.context() as patch:
        patch.setenv("ANSIBLE_FORKS", str(len(SERVERS) + 1))
        yield playbook_runner(fleet)


def recap(outcome: PlaybookRun) -> dict[str, dict[str, int]]:
    return {
        host: {"ok": int(ok), "changed": int(changed), "unreachable": int(unreachable), "failed": int(failed)}
        for host, ok, changed, unreachable, failed in RECAP.findall(outcome.stdout)
    }


def counters(lab: Lab) -> dict[str, dict[str, Any]]:
    return {host: lab.dump(host)["counters"] for host in [*SERVERS, LYNC]}


def test_bad_variables_fail_before_any_host_is_contacted(
    fleet: Lab, run: Callable[..., PlaybookRun], tmp_path: Path
) -> None:
    inventory = yaml.safe_load(fleet.inventory.read_text(encoding="utf-8"))
    del inventory["all"]["vars"]["exchange_um_ca_url"]
    inventory["all"]["vars"]["exchange_um_adcs_throttle"] = "many"
    path = tmp_path / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    path.chmod(0o600)
    outcome = run(SITE, inventory=path)
    assert outcome.rc != 0
    assert "missing required arguments: exchange_um_ca_url" in outcome.stdout
    assert "exchange_um_adcs_throttle" in outcome.stdout
    assert all(values["failed"] == 1 for values in recap(outcome).values()), outcome.stdout[-3000:]
    for host, values in counters(fleet).items():
        assert (values["commands"], values["bytes_in"]) == (0, 0), host


def test_a_role_on_a_server_of_another_version_fails_clearly(fleet: Lab, run: Callable[..., PlaybookRun]) -> None:
    play = """
- name: The 2010 role on a 2013 server
  hosts: um003
  gather_facts: false
  roles:
    - role: exchange_um.certificates.exchange2010
"""
    before = fleet.dump("um003")["state"]
    outcome = run(play)
    assert outcome.rc != 0
    message = outcome.task(
        "um003", "exchange_um.certificates.exchange_common : Check the server runs the role's Exchange version"
    )["msg"]
    assert "um003 runs Exchange 2013" in message and "not Exchange 2010" in message
    assert "Use exchange_um.certificates.exchange2013" in message
    assert fleet.dump("um003")["state"] == before
