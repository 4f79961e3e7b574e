"""How the host channel reports WinRM faults: ``unreachable`` or ``failed``, what happened, whether the host may have
changed.

The installed ansible-core's own winrm connection (2.16 or the newest, whichever venv runs this) talks to the lab's
WinRM endpoint on loopback with a fault armed, so every exception comes from the real code path of ansible-core and
pywinrm; the endpoint's host answers every command with one result line and records whether it ran.
"""

from __future__ import annotations

import contextlib
import errno
import typing as t
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._action import error_result
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._connection_errors import (
    classify_connection_error,
)

from tests.lab.httpauth import Account, install_ntlm_users
from tests.lab.winrm import WinrmEndpoint

USER = "CONTOSO\\Administrator"
PASSWORD = "Unit-Fault-Passw0rd!"
ADDRESS = "127.10.0.13"
RESULT = channel.RESULT_MARKER + '{"ok":true,"data":{"computer_name":"EXCH2010"}}\r\n'
NOT_CHANGED = "The host was not changed: the operation never reached it."
MAY_HAVE_CHANGED = "The operation may have run and changed the host."


class ResultHost:
    """The host behind the endpoint: every command prints one successful result; ``runs`` counts what ran."""

    name = "exch2010"

    def __init__(self) -> None:
        self.runs = 0

    def run_command(
        self, command_line: str, stdin: bytes, codepage: int, *, logon: object = None
    ) -> tuple[str, str, int]:
        self.runs += 1
        return RESULT, "", 0

    def record_traffic(self, *, bytes_in: int, bytes_out: int) -> None:
        """Counters are not looked at here."""

    def record_command(self) -> None:
        """Counters are not looked at here."""


@pytest.fixture(params=["basic", "ntlm"])
def auth(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
def endpoint(auth: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[WinrmEndpoint]:
    accounts = {"administrator": Account("CONTOSO", "Administrator", PASSWORD)}
    install_ntlm_users(tmp_path / "ntlm-users", accounts.values())
    monkeypatch.setenv("NTLM_USER_FILE", str(tmp_path / "ntlm-users"))
    ep = WinrmEndpoint(host=ResultHost(), address=ADDRESS, port=0, accounts=accounts, auth=auth)
    ep.start()
    yield ep
    ep.stop()
    assert ep.errors == []


def connect(ep: WinrmEndpoint, auth: str) -> t.Any:
    """ansible-core's winrm connection with the shortest timeouts pywinrm takes (OperationTimeout 1 s, read 2 s)."""
    connection = connection_loader.get("winrm", PlayContext())
    extras = {"ansible_winrm_operation_timeout_sec": 1, "ansible_winrm_read_timeout_sec": 2}
    connection.set_options(
        var_options={
            "ansible_host": ep.address,
            "ansible_port": ep.port,
            "ansible_user": USER,
            "ansible_password": PASSWORD,
            "ansible_winrm_scheme": "http",
            "ansible_winrm_transport": [auth],
            "ansible_winrm_server_cert_validation": "ignore",
            **extras,
            "_extras": extras,
        }
    )
    return connection


def run(ep: WinrmEndpoint, auth: str) -> dict[str, t.Any]:
    connection = connect(ep, auth)
    try:
        return channel.run_operation(connection, "exchange_info", {"Services": []}, exchange=None)
    finally:
        # Closing after a fault can fail too; ansible's TaskExecutor ignores that as well.
        with contextlib.suppress(Exception):
            connection.close()


def host_runs(ep: WinrmEndpoint) -> int:
    return t.cast(ResultHost, ep.host).runs


# kind, at, count, seconds -> error class, cause, step (for basic / ntlm where they differ)
Case = tuple[str, str, int, float, type[channel.HostChannelError], str, str]
CASES: list[tuple[str, Case | dict[str, Case]]] = [
    ("drop at Create", ("drop", "Create", 1, 0, channel.HostUnreachable, "dropped", "connect")),
    ("drop at Command", ("drop", "Command", 1, 0, channel.HostUnreachable, "dropped", "command")),
    (
        "drop at Send",
        {
            # ansible warns, reads the output once: the process still waits for its input, no result.
            "basic": ("drop", "Send", 1, 0, channel.HostUnreachable, "send_failed", "send"),
            # ... and under encryption that read goes out sealed for the dropped connection: HTTP 400.
            "ntlm": ("drop", "Send", 1, 0, channel.HostUnreachable, "http_status", "receive"),
        },
    ),
    ("drop at Receive", ("drop", "Receive", 1, 0, channel.HostUnreachable, "dropped", "receive")),
    ("drop after run", ("drop_after_run", "Receive", 1, 0, channel.HostUnreachable, "dropped", "receive")),
    ("drop during Receive", ("drop_during_receive", "Receive", 1, 0, channel.HostUnreachable, "dropped", "receive")),
    ("drop at Signal", ("drop", "Signal", 1, 0, channel.HostUnreachable, "dropped", "cleanup")),
    ("HTTP 500 at Command", ("status_500", "Command", 1, 0, channel.HostWinrmFault, "service_error", "command")),
    ("HTTP 500 at Receive", ("status_500", "Receive", 1, 0, channel.HostWinrmFault, "service_error", "receive")),
    ("shell quota", ("quota", "Create", 1, 0, channel.HostWinrmFault, "quota", "connect")),
    # Two: ansible-core 2.18 and later re-create the shell once on this quota (PR 83656).
    ("operations quota", ("quota", "Command", 2, 0, channel.HostWinrmFault, "quota", "command")),
    ("timeout at Create", ("timeout", "Create", 1, 0, channel.HostUnreachable, "operation_timeout", "connect")),
    ("timeout at Command", ("timeout", "Command", 1, 0, channel.HostUnreachable, "operation_timeout", "command")),
    ("shell gone at Command", ("shell_not_found", "Command", 1, 0, channel.HostUnreachable, "shell_gone", "command")),
    ("shell gone at Receive", ("shell_not_found", "Receive", 1, 0, channel.HostUnreachable, "shell_gone", "receive")),
    ("slow Create", ("slow", "Create", 1, 2.3, channel.HostUnreachable, "timed_out", "connect")),
    ("slow Receive", ("slow", "Receive", 1, 2.3, channel.HostUnreachable, "timed_out", "receive")),
]
# What each message tells the user to look at.
ADVICE = {
    "dropped": "proxy, load balancer or firewall",
    "send_failed": "Run the task again",
    "http_status": "With NTLM or Kerberos message encryption this is how a lost connection shows",
    "service_error": "event log Microsoft-Windows-WinRM/Operational",
    "quota": "MaxShellsPerUser, winrm/config/service MaxConcurrentOperationsPerUser",
    "operation_timeout": "raise ansible_winrm_operation_timeout_sec",
    "shell_gone": "the service restarted, or the shell was closed",
    "timed_out": "raise ansible_winrm_read_timeout_sec",
}


# Slow answers only over Basic: the read timeout does not depend on the authentication, and each costs 2 s.
RUNS = [
    pytest.param(auth, case, id=f"{auth}-{name}")
    for auth in ("basic", "ntlm")
    for name, case in CASES
    if auth == "basic" or not name.startswith("slow")
]


@pytest.mark.parametrize(("auth", "case"), RUNS)
def test_fault_is_reported_with_its_step_and_what_it_may_have_changed(
    endpoint: WinrmEndpoint, auth: str, case: Case | dict[str, Case]
) -> None:
    kind, at, count, seconds, error_class, cause, step = case[auth] if isinstance(case, dict) else case
    endpoint.faults.arm(kind, at=at, count=count, seconds=seconds)

    with pytest.raises(channel.HostChannelError) as caught:
        run(endpoint, auth)

    error = caught.value
    assert isinstance(error, error_class), str(error)
    assert (error.cause, error.step) == (cause, step), str(error)  # type: ignore[attr-defined]
    message = str(error)
    assert message.startswith("exchange_info: ")
    assert "Bad HTTP response returned from server" not in message
    changed = step not in ("connect", "command")
    assert error.may_have_changed is changed  # type: ignore[attr-defined]
    assert (MAY_HAVE_CHANGED if changed else NOT_CHANGED) in message
    assert "Run the task again" in message
    assert ADVICE[cause] in message
    if host_runs(endpoint):
        assert changed, "a command that ran is never reported as leaving the host unchanged"
    assert [record["kind"] for record in endpoint.faults.describe()["fired"]][:1] == [kind]


def test_a_fault_ansible_absorbs_is_no_failure(endpoint: WinrmEndpoint, auth: str) -> None:
    """w:TimedOut on Receive is how WinRM says "still running": ansible asks again (winrm-protocol.md)."""
    endpoint.faults.arm("timeout", at="Receive", count=3)
    assert run(endpoint, auth) == {"computer_name": "EXCH2010"}
    assert len(endpoint.faults.describe()["fired"]) == 3


def test_operations_quota_once(endpoint: WinrmEndpoint, auth: str) -> None:
    """ansible-core 2.18+ re-creates the shell and starts the command again once; 2.16 reports the quota."""
    endpoint.faults.arm("quota", at="Command")
    retries = hasattr(type(connect(endpoint, auth)), "_winrm_run_command")
    if retries:
        assert run(endpoint, auth) == {"computer_name": "EXCH2010"}
        return
    with pytest.raises(channel.HostWinrmFault) as caught:
        run(endpoint, auth)
    assert (caught.value.subcode, caught.value.code) == ("w:InternalError", 2150859174)
    assert "maximum number of 15 concurrent operations" in str(caught.value)
    assert "MaxConcurrentOperationsPerUser" in str(caught.value)


def test_faults_carry_their_codes(endpoint: WinrmEndpoint, auth: str) -> None:
    endpoint.faults.arm("quota")
    with pytest.raises(channel.HostWinrmFault) as quota:
        run(endpoint, auth)
    assert (quota.value.subcode, quota.value.code, quota.value.http_status) == ("w:QuotaLimit", 2150859173, 500)

    endpoint.faults.arm("status_500")
    with pytest.raises(channel.HostWinrmFault) as internal:
        run(endpoint, auth)
    assert (internal.value.subcode, internal.value.code) == ("w:InternalError", 2147943418)

    endpoint.faults.arm("drop", at="Send")
    with pytest.raises(channel.HostUnreachable) as dropped:
        run(endpoint, auth)
    assert dropped.value.http_status == (400 if auth == "ntlm" else None)


def test_unreachable_and_failed_task_results() -> None:
    """The action layer's translation (_action.error_result): HostUnreachable is unreachable, a fault is failed."""
    unreachable = channel.HostUnreachable("root_trust: the WinRM connection was closed", operation="root_trust")
    fault = channel.HostWinrmFault(
        "root_trust: the WinRM service refused the request",
        operation="root_trust",
        cause="quota",
        step="connect",
        may_have_changed=False,
    )
    assert error_result(unreachable) == {
        "unreachable": True,
        "changed": False,
        "msg": "root_trust: the WinRM connection was closed",
    }
    failed = error_result(fault)
    assert failed is not None and failed["failed"] is True and "unreachable" not in failed
    assert failed["msg"].startswith("root_trust: the WinRM service refused the request")


class _PsrpError(Exception):
    """Stands for an exception of another connection library (no WinRM step can be read from it)."""


_PsrpError.__module__ = "pypsrp.exceptions"


@pytest.mark.parametrize(
    ("error", "cause", "unreachable"),
    [
        (AnsibleConnectionFailure("ntlm: the specified credentials were rejected by the server"), "credentials", True),
        (AnsibleError("the connection attempt timed out"), "timed_out", True),
        (AnsibleError("winrm send_input failed; \nstdout: \nstderr "), "send_failed", True),
        (ConnectionRefusedError(errno.ECONNREFUSED, "Connection refused"), "refused", True),
        (ConnectionResetError(errno.ECONNRESET, "Connection reset by peer"), "dropped", True),
        (TimeoutError("timed out"), "timed_out", True),
        (_PsrpError("Connection aborted: the server closed the connection"), "dropped", True),
        # pywinrm before 0.5 wrote the codes as strings into its fault text
        (
            AnsibleConnectionFailure(
                "ntlm: The shell was not found. (extended fault data: {'transport_message': 'Bad HTTP response "
                "returned from server. Code 500', 'http_status_code': 500, 'wsmanfault_code': '2150858843', "
                "'fault_code': 's:Sender', 'fault_subcode': 'w:InvalidSelectors'})"
            ),
            "shell_gone",
            True,
        ),
        (
            AnsibleConnectionFailure(
                "basic: Illegal operation. (extended fault data: {'transport_message': 'Bad HTTP response returned "
                "from server. Code 500', 'http_status_code': 500, 'wsmanfault_code': 2147943418, 'fault_code': "
                "'s:Receiver', 'fault_subcode': 'w:InternalError'})"
            ),
            "service_error",
            False,
        ),
        (AnsibleConnectionFailure("kerberos: "), "operation_timeout", True),
    ],
)
def test_classification_of_other_forms(error: Exception, cause: str, unreachable: bool) -> None:
    failure = classify_connection_error(error)
    assert failure is not None
    assert (failure.cause, failure.unreachable) == (cause, unreachable), failure.message
    # Without a traceback through ansible's winrm connection the step is unknown: the host may have changed.
    assert (failure.step, failure.may_have_changed) == ("send" if cause == "send_failed" else "unknown", True)


@pytest.mark.parametrize(
    "error",
    [
        AnsibleError("winrm or requests is not installed: No module named 'winrm'"),
        AnsibleError("The installed version of WinRM does not support transport(s) ['credssp']"),
        ValueError("a defect"),
        KeyError("stdout"),
    ],
)
def test_what_is_not_a_connection_failure_is_not_classified(error: Exception) -> None:
    assert classify_connection_error(error) is None
