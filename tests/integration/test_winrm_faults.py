"""root_trust through ansible-playbook against lab hosts whose WinRM endpoint fails in one way each.

One lab, one host per fault (the three Exchange versions in turn), the faults armed through the control API, then
three runs of the same play: the first meets the faults (each host unreachable or failed with a message that says
what happened and whether the host may have changed, or absorbed by ansible), the second converges every host, the
third finds nothing to do. The hosts' stores come from the lab's dump. The inventory sets the shortest WinRM
timeouts pywinrm takes (OperationTimeout 1 s, read timeout 2 s), so a slow answer costs 3 s.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
import yaml
from ansible.plugins.loader import connection_loader

pytestmark = pytest.mark.integration

TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
"""

NOT_CHANGED = "The host was not changed: the operation never reached it."
MAY_HAVE_CHANGED = "The operation may have run and changed the host."
# ansible-core 2.18 and later re-create the shell once on ERROR_WSMAN_QUOTA_MAX_OPERATIONS (ansible PR 83656).
RETRIES_OPERATIONS_QUOTA = hasattr(connection_loader.get("winrm", class_only=True), "_winrm_run_command")


@dataclass(frozen=True)
class Fault:
    host: str
    preset: str
    kind: str
    at: str
    status: str  # of the first run: unreachable, failed, or changed when ansible absorbs the fault
    says: tuple[str, ...]  # parts of the message
    count: int = 1
    seconds: float = 0.0

    @property
    def changes_host(self) -> bool:
        """Whether the first run changes the host: the command ran (its answer may still be lost)."""
        return self.status == "changed" or self.at in ("Receive", "Signal")


FAULTS = (
    Fault(
        "dropcreate",
        "2007sp1",
        "drop",
        "Create",
        "unreachable",
        ("the WinRM connection was closed without an answer", "while opening the WinRM shell", NOT_CHANGED),
    ),
    Fault(
        "dropcommand",
        "2010",
        "drop",
        "Command",
        "unreachable",
        ("the WinRM connection was closed without an answer", "while starting the command", NOT_CHANGED),
    ),
    # ansible warns about the failed Send and reads the output once: sealed for the dropped connection, HTTP 400 (the
    # lab runs NTLM over http). Pessimistic: the input may have arrived before the connection broke.
    Fault(
        "dropsend",
        "2013",
        "drop",
        "Send",
        "unreachable",
        ("answered HTTP 400 (Bad Request)", "this is how a lost connection shows", MAY_HAVE_CHANGED),
    ),
    Fault(
        "dropafterrun",
        "2007sp1",
        "drop_after_run",
        "Receive",
        "unreachable",
        ("the WinRM connection was closed without an answer", "while reading the command's output", MAY_HAVE_CHANGED),
    ),
    Fault(
        "dropreceive",
        "2010",
        "drop_during_receive",
        "Receive",
        "unreachable",
        ("the WinRM connection was closed without an answer", "while reading the command's output", MAY_HAVE_CHANGED),
    ),
    Fault(
        "http500",
        "2013",
        "status_500",
        "Command",
        "failed",
        ("w:InternalError, code 2147943418", "while starting the command", NOT_CHANGED, "WinRM/Operational"),
    ),
    Fault(
        "quotashells",
        "2007sp1",
        "quota",
        "Create",
        "failed",
        ("w:QuotaLimit, code 2150859173", "while opening the WinRM shell", NOT_CHANGED, "MaxShellsPerUser"),
    ),
    Fault(
        "quotaops",
        "2010",
        "quota",
        "Command",
        "changed" if RETRIES_OPERATIONS_QUOTA else "failed",
        () if RETRIES_OPERATIONS_QUOTA else ("w:InternalError, code 2150859174", NOT_CHANGED),
    ),
    Fault(
        "timeoutcmd",
        "2013",
        "timeout",
        "Command",
        "unreachable",
        ("within its OperationTimeout (w:TimedOut)", "while starting the command", NOT_CHANGED),
    ),
    # w:TimedOut on Receive means "still running": ansible asks again, the task succeeds.
    Fault("timeoutrecv", "2007sp1", "timeout", "Receive", "changed", (), count=2),
    Fault(
        "shellgone",
        "2010",
        "shell_not_found",
        "Command",
        "unreachable",
        ("no longer knows this connection's shell (w:InvalidSelectors", "while starting the command", NOT_CHANGED),
    ),
    Fault(
        "slowrecv",
        "2013",
        "slow",
        "Receive",
        "unreachable",
        ("did not answer in time", "Read timed out", "while reading the command's output", MAY_HAVE_CHANGED),
        seconds=3.0,
    ),
)


@pytest.fixture(scope="module")
def fault_lab(lab_factory: Callable[..., Any]) -> Any:
    hosts = ",".join(f"{fault.host}={fault.preset}" for fault in FAULTS)
    return lab_factory("winrm-faults", hosts=hosts, auth="ntlm")


@pytest.fixture(scope="module")
def inventory(fault_lab: Any, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The lab's inventory with short WinRM timeouts for the Exchange hosts."""
    data = yaml.safe_load(fault_lab.inventory.read_text())
    data["all"]["children"]["exchange_um"]["vars"].update(
        {"ansible_winrm_operation_timeout_sec": 1, "ansible_winrm_read_timeout_sec": 2}
    )
    path = tmp_path_factory.mktemp("winrm-faults") / "inventory.yml"
    path.write_text(yaml.safe_dump(data))
    path.chmod(0o600)
    return path


def stores(lab: Any, host: str) -> dict[str, set[str]]:
    state = lab.dump(host)["state"]["stores"]
    return {name: {entry["thumbprint"] for entry in state[name]} for name in ("Root", "CA")}


def test_each_fault_is_reported_and_a_rerun_converges(
    fault_lab: Any,
    inventory: Path,
    playbook_runner: Callable[[Any], Callable[..., Any]],
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("ANSIBLE_FORKS", str(len(FAULTS)))
    run = playbook_runner(fault_lab)
    root = fault_lab.info["adcs"]["root_thumbprint"]
    issuing = fault_lab.info["adcs"]["ca_thumbprint"]
    for fault in FAULTS:
        assert root not in stores(fault_lab, fault.host)["Root"]
        fault_lab.control(
            f"hosts/{fault.host}/faults",
            {"kind": fault.kind, "at": fault.at, "count": fault.count, "seconds": fault.seconds},
        )

    first = run(TRUST, inventory=inventory)
    for fault in FAULTS:
        result = first.task(fault.host, "trust")
        assert result["_status"] == fault.status, (fault.host, result.get("msg"))
        if fault.status in ("unreachable", "failed"):
            message = result["msg"]
            assert message.startswith("root_trust: ")
            for part in fault.says:
                assert part in message, (fault.host, message)
            assert "Run the task again" in message
            assert "Task failed" not in message and "Traceback" not in message
        assert (root in stores(fault_lab, fault.host)["Root"]) is fault.changes_host, fault.host
        faults = fault_lab.dump(fault.host)["winrm_faults"]
        assert faults["armed"] == [], fault.host
        assert {record["kind"] for record in faults["fired"]} == {fault.kind}, fault.host

    second = run(TRUST, inventory=inventory)
    assert second.rc == 0, second.stdout[-3000:]
    for fault in FAULTS:
        result = second.task(fault.host, "trust")
        assert result["_status"] == ("ok" if fault.changes_host else "changed"), (fault.host, result.get("msg"))
        assert root in stores(fault_lab, fault.host)["Root"]
        assert issuing in stores(fault_lab, fault.host)["CA"]

    third = run(TRUST, inventory=inventory)
    assert third.rc == 0
    assert {third.task(fault.host, "trust")["_status"] for fault in FAULTS} == {"ok"}
