"""Exchange 2007 SP1 on PowerShell 1.0 through ansible-playbook, whatever its powershell.exe does with what the
documentation does not say (docs/lab.md "Lab settings"): with -ExecutionPolicy refused and no stdin in $input (the
lab's defaults for a 1.0 host), with either answer the other way, and on the same server with WMF 2.0.

ansible-core's own command line carries -ExecutionPolicy Unrestricted on every version, so ``raw`` fails on a host
that refuses the switch; the collection starts powershell.exe without it (docs/host-channel.md "The command line").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

pytestmark = pytest.mark.integration

# name: (--hosts token, accepts_execution_policy, stdin_reaches_input, PowerShell)
HOSTS = {
    "exch2007": ("2007sp1", False, False, "1.0"),
    "policy1": ("policy1=2007sp1:accepts_execution_policy=true", True, False, "1.0"),
    "input1": ("input1=2007sp1:stdin_reaches_input=true", False, True, "1.0"),
    "exch2007ps2": ("2007sp1-ps2", True, True, "2.0"),
}

INFO_TRUST = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: info
      exchange_um.certificates.exchange_info:
    - name: trust
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
        use_facts: false
    - name: trust again
      exchange_um.certificates.root_trust:
        path: "{{ exchange_um_ca_bundle }}"
        use_facts: false
"""

RAW = """
- hosts: exchange_um
  gather_facts: false
  tasks:
    - name: raw
      ansible.builtin.raw: "$Host.Version.ToString()"
      ignore_errors: true
"""


@pytest.fixture(scope="module")
def lab(lab_factory: Callable[..., Any]) -> Any:
    return lab_factory("powershell1", hosts=",".join(token for token, *_rest in HOSTS.values()))


@pytest.fixture(scope="module")
def run(lab: Any, playbook_runner: Callable[[Any], Callable[..., Any]]) -> Callable[..., Any]:
    return playbook_runner(lab)


def test_lab_json_says_what_each_host_assumes(lab: Any) -> None:
    for name, (_token, policy, stdin, powershell) in HOSTS.items():
        host = lab.info["hosts"][name]
        assert (host["accepts_execution_policy"], host["stdin_reaches_input"]) == (policy, stdin)
        assert (host["exchange_version"], host["powershell_version"]) == ("2007sp1", powershell)


def test_reached_read_and_trusted_on_every_answer(
    lab: Any, run: Callable[..., Any], monkeypatch: pytest.MonkeyPatch
) -> None:
    root = lab.info["adcs"]["root_thumbprint"]
    issuing = lab.info["adcs"]["ca_thumbprint"]
    for name in HOSTS:
        lab.control(f"hosts/{name}/reset-counters", {})
    # -vvvvv: ansible prints each WinRS command line (WINRM EXEC), so the test sees what reached powershell.exe.
    monkeypatch.setenv("ANSIBLE_VERBOSITY", "5")
    result = run(INFO_TRUST)
    assert result.rc == 0, result.stdout[-3000:]
    assert "WINRM EXEC 'powershell.exe" in result.stdout
    assert "-ExecutionPolicy" not in result.stdout
    for name, (_token, _policy, _stdin, powershell) in HOSTS.items():
        info = result.task(name, "info")
        assert info["_status"] == "ok", info
        assert info["powershell_version"] == powershell
        assert info["exchange"]["version"] == "2007sp1"
        trust = result.task(name, "trust")
        assert trust["_status"] == "changed", trust
        assert {"store": "Root", "thumbprint": root} in trust["added"]
        assert {"store": "CA", "thumbprint": issuing} in trust["added"]
        assert trust["chain"] == {"built": True, "status": []}
        assert result.task(name, "trust again")["changed"] is False
        state = lab.dump(name)
        assert root in {entry["thumbprint"] for entry in state["state"]["stores"]["Root"]}
        assert issuing in {entry["thumbprint"] for entry in state["state"]["stores"]["CA"]}
        assert state["counters"]["commands"] == 3


def test_ansible_command_line_fails_where_execution_policy_is_refused(lab: Any, run: Callable[..., Any]) -> None:
    """The pessimistic setting bites: ansible's own -ExecutionPolicy line fails on a 1.0 host that refuses it."""
    result = run(RAW)
    for name, (_token, policy, _stdin, powershell) in HOSTS.items():
        raw = result.task(name, "raw")
        if policy:
            assert raw["_status"] == "changed" and raw["rc"] == 0, raw  # raw always reports a change
            assert raw["stdout"].strip() == ("1.0.0.0" if powershell == "1.0" else powershell)
        else:
            assert raw["_status"] == "failed", raw
            assert "The term '-ExecutionPolicy' is not recognized" in raw["stderr"]
