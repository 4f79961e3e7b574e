"""The collection's playbooks through ansible-playbook against one lab fleet: 12 Exchange UM servers (2007 SP1, 2010
and 2013, four each) and a Lync front end, runs reused from one test step to the next.

- a missing or malformed role variable stops site.yml before any WinRM request (the lab's counters stay at zero);
- a check-mode run on the fresh fleet reports changes and changes nothing on any host;
- the fresh run converges every host within the budget (DESIGN.md: at most 5 WinRM commands and 2 Exchange shell
  loads per host; the CA certificate fetched once for the whole run, across the batches and the Lync play, as
  certsrv's counters show; one AD CS submission per server, at most exchange_um_adcs_throttle at a time), the Lync
  front end trusts the CA;
- the second run changes nothing (changed=0 on every host) at one WinRM command and at most one shell load per host;
- verify.yml reports every host as ok in Markdown, JSON and HTML, and the HTML page's timeline is drawn in green;
- renew.yml with a window wider than the certificates' lifetime renews and rebinds the servers it is limited to;
- verify.yml with a minimum of days left above that lifetime fails each server, in the TLS probe and the report;
- a role run on a server of another Exchange version fails with the role to use;
- a server that fails in a batch stops the rollout: no server of a later batch is contacted; a re-run converges.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.integration.conftest import CREDSSP_WHERE_POSSIBLE, Lab, PlaybookRun
from tests.integration.test_report import COLOURS, longest_run, screenshot

pytestmark = pytest.mark.integration

SERVERS = [f"um{number:03d}" for number in range(1, 13)]
LYNC = "lync01"
SITE = "- ansible.builtin.import_playbook: exchange_um.certificates.site\n"
VERIFY = "- ansible.builtin.import_playbook: exchange_um.certificates.verify\n"
RENEW = "- ansible.builtin.import_playbook: exchange_um.certificates.renew\n"
# batches of four servers, three batches; the CA certificate must carry across the batches and plays
BATCHES = {"exchange_um_serial": 4}
CA_TASK = "Fetch and pin the issuing CA certificate and its chain (once, on the controller)"
BIND_TASK = "exchange_um.certificates.exchange_common : Make UM use the certificate"
LYNC_CA_TASK = "Fetch and pin the CA of the Exchange UM certificates (once, on the controller)"
ONE_FETCH = """
- hosts: um001
  gather_facts: false
  tasks:
    - name: Fetch the CA certificate and chain as the roles do
      ansible.builtin.import_role:
        name: exchange_um.certificates.exchange_common
        tasks_from: ca
"""
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


def states(lab: Lab) -> dict[str, Any]:
    return {host: lab.dump(host)["state"] for host in [*SERVERS, LYNC]}


def statuses(outcome: PlaybookRun, task: str) -> list[str]:
    """The status of each run of ``task`` (a role's task is named ``<role> : <task>``)."""
    return [
        result["_status"]
        for results in outcome.results.values()
        for result in results
        if result["_task"] == task or result["_task"].endswith(f" : {task}")
    ]


def bound(lab: Lab, host: str) -> str | None:
    """The certificate the host's running UM service took when it last started (the lab's UM runtime)."""
    return lab.dump(host)["state"].get("presented", {}).get("MSExchangeUM")


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


def test_site_check_fresh_converged_verify_renew(fleet: Lab, run: Callable[..., PlaybookRun], tmp_path: Path) -> None:
    # check mode on the fresh fleet: changes reported, none made
    before = states(fleet)
    checked = run(SITE, check=True, extra_vars=BATCHES)
    assert checked.rc == 0, checked.stdout[-4000:]
    assert all(recap(checked)[host]["changed"] > 0 for host in SERVERS), recap(checked)
    assert states(fleet) == before

    # what one download of the CA certificate and chain costs certsrv, to compare the whole run with
    fleet.control("adcs/reset-counters", {})
    fetched = run(ONE_FETCH)
    assert fetched.rc == 0, fetched.stdout[-4000:]
    one_fetch = fleet.get("adcs/counters")["ca"]
    assert one_fetch > 0

    # fresh run: converged within the budget; AD CS answers each request a second late, and the throttle lets two
    # servers of a batch of four talk to it at a time
    fleet.reset_counters([*SERVERS, LYNC], adcs=True)
    fleet.control("adcs/faults", {"kind": "slow", "count": 2 * len(SERVERS) + 4, "seconds": 1})
    fresh = run(SITE, extra_vars={**BATCHES, "exchange_um_adcs_throttle": 2})
    assert fresh.rc == 0, fresh.stdout[-4000:]
    assert set(recap(fresh)) == {*SERVERS, LYNC}
    assert all(values["failed"] == 0 and values["unreachable"] == 0 for values in recap(fresh).values())
    used = counters(fleet)
    for host in SERVERS:
        assert used[host]["commands"] <= 5 and used[host]["exchange_shell_loads"] <= 2, (host, used[host])
    assert statuses(fresh, CA_TASK).count("ok") == 1, statuses(fresh, CA_TASK)
    assert set(statuses(fresh, LYNC_CA_TASK)) == {"skipped"}
    adcs = fleet.get("adcs/counters")
    assert adcs["submit"] == len(SERVERS), adcs
    assert adcs["most_at_once"] == 2, adcs
    assert adcs["ca"] == one_fetch, (adcs, one_fetch)
    root = fleet.info["adcs"]["root_thumbprint"]
    assert root in {entry["thumbprint"] for entry in fleet.dump(LYNC)["state"]["stores"]["Root"]}
    issued = {host: bound(fleet, host) for host in SERVERS}
    assert all(issued.values()), issued

    # second run: nothing changes, one command per host
    fleet.reset_counters([*SERVERS, LYNC])
    again = run(SITE, extra_vars=BATCHES)
    assert again.rc == 0, again.stdout[-4000:]
    assert {host: values["changed"] for host, values in recap(again).items()} == dict.fromkeys([*SERVERS, LYNC], 0)
    used = counters(fleet)
    for host in [*SERVERS, LYNC]:
        assert used[host]["commands"] == 1 and used[host]["exchange_shell_loads"] <= 1, (host, used[host])

    # verify: every host ok in all three files; the page's timeline drawn in green, nothing red
    report_dir = tmp_path / "report"
    audit = run(VERIFY, extra_vars={"exchange_um_report_dir": str(report_dir)})
    assert audit.rc == 0, audit.stdout[-4000:]
    document = json.loads((report_dir / "report.json").read_text(encoding="utf-8"))
    assert {host["name"]: host["status"] for host in document["hosts"]} == dict.fromkeys(SERVERS, "ok")
    assert {host["name"]: host["thumbprint"] for host in document["hosts"]} == issued
    markdown = (report_dir / "report.md").read_text(encoding="utf-8")
    assert all(f"| {host} | ok |" in markdown for host in SERVERS)
    for host in SERVERS:
        assert f"{host}: ok (Exchange" in audit.stdout
    image = screenshot(report_dir / "report.html", tmp_path / "report.png", height=900)
    assert (image.width, image.height) == (1100, 900)
    assert longest_run(image, COLOURS["ok"])[0] > 300
    assert longest_run(image, COLOURS["failed"])[0] < 20  # the legend's swatch, no bar

    # renew with a window wider than the certificates' lifetime: the limited servers get new certificates, bound
    limited = ["um001", "um002", "um003"]
    renewed = run(RENEW, extra_vars={"exchange_um_renew_before_days": 800}, limit=",".join(limited))
    assert renewed.rc == 0, renewed.stdout[-4000:]
    now_bound = {host: bound(fleet, host) for host in SERVERS}
    assert all(now_bound[host] != issued[host] for host in limited), (issued, now_bound)
    assert all(now_bound[host] == issued[host] for host in SERVERS if host not in limited)

    # verify with a bar above the certificates' lifetime: each server fails, on the wire and in the report
    strict_dir = tmp_path / "strict"
    failing = run(
        VERIFY,
        extra_vars={"exchange_um_report_dir": str(strict_dir), "exchange_um_tls_min_days_left": 800},
        limit=",".join(limited),
    )
    assert failing.rc != 0
    document = json.loads((strict_dir / "report.json").read_text(encoding="utf-8"))
    assert {host["name"]: host["status"] for host in document["hosts"]} == dict.fromkeys(limited, "failed")
    for host in document["hosts"]:
        assert host["tls"] is False and host["trusted"] is True, host
        assert any(finding.startswith("certificate expires in") for finding in host["findings"]), host
    assert f"3 servers with findings, 0 without data; see {strict_dir / 'report.md'}" in failing.stdout


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


def test_a_failed_server_stops_the_rollout_after_its_batch(fleet: Lab, run: Callable[..., PlaybookRun]) -> None:
    """renew.yml in batches of four (the 2007 SP1 servers come first in the group): UM on um004 fails to start
    after its new certificate (the lab's start_failures), its binding fails, and with max_fail_percentage 0 no
    server of a later batch is contacted; once the fault is used up a re-run converges."""
    first = ["um001", "um004", "um007", "um010"]
    later = [host for host in SERVERS if host not in first]
    before = {host: bound(fleet, host) for host in SERVERS}
    assert fleet.control("hosts/um004/services/MSExchangeUM", {"start_failures": 1})["start_failures"] == 1
    fleet.reset_counters(SERVERS, adcs=True)
    stopped = run(RENEW, extra_vars={**BATCHES, "exchange_um_renew_before_days": 800})
    assert stopped.rc != 0
    assert stopped.task("um004", BIND_TASK)["_status"] == "failed"
    assert fleet.get("adcs/counters")["submit"] == len(first)
    now = {host: bound(fleet, host) for host in SERVERS}
    assert all(now[host] != before[host] for host in first if host != "um004"), (before, now)
    assert {host: now[host] for host in later} == {host: before[host] for host in later}
    assert all(values["commands"] == 0 for host, values in counters(fleet).items() if host in later)

    rerun = run(RENEW, extra_vars=BATCHES)
    assert rerun.rc == 0, rerun.stdout[-4000:]
    assert bound(fleet, "um004") == rerun.task("um004", BIND_TASK)["thumbprint"] != before["um004"]
    assert {host: bound(fleet, host) for host in SERVERS if host != "um004"} == {
        host: now[host] for host in SERVERS if host != "um004"
    }
