"""WinRM faults armed on the lab's endpoint, seen through pywinrm directly: what each does to the wire and the host."""

from __future__ import annotations

import base64
import ssl
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import requests
import winrm
import winrm.exceptions

from tests.lab.control import ControlApi, ControlError
from tests.lab.httpauth import Account, install_ntlm_users
from tests.lab.tests.winrm_helpers import FakeHost, make_tls_files
from tests.lab.winrm import WinrmEndpoint

USER = "CONTOSO\\Administrator"
PASSWORD = "Lab-Fault-Passw0rd!"
ADDRESS = "127.10.0.12"
STDIN_SCRIPT = "powershell -NoProfile -EncodedCommand " + base64.b64encode("$input".encode("utf-16-le")).decode()

EndpointFactory = Callable[..., WinrmEndpoint]


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Account]:
    accounts = {"administrator": Account("CONTOSO", "Administrator", PASSWORD)}
    install_ntlm_users(tmp_path / "ntlm-users", accounts.values())
    monkeypatch.setenv("NTLM_USER_FILE", str(tmp_path / "ntlm-users"))
    return accounts


@pytest.fixture
def endpoint(accounts: dict[str, Account]) -> Iterator[EndpointFactory]:
    started: list[WinrmEndpoint] = []

    def start(*, auth: str = "basic", host: FakeHost | None = None, ssl_context: ssl.SSLContext | None = None) -> Any:
        ep = WinrmEndpoint(
            host=host or FakeHost(), address=ADDRESS, port=0, accounts=accounts, auth=auth, ssl_context=ssl_context
        )
        ep.start()
        started.append(ep)
        return ep

    yield start
    for ep in started:
        ep.stop()
        assert ep.errors == []


def protocol(ep: WinrmEndpoint, *, auth: str = "basic", operation_timeout: int = 20, read_timeout: int = 0) -> Any:
    return winrm.Protocol(
        ep.url,
        transport=auth,
        username=USER,
        password=PASSWORD,
        server_cert_validation="ignore",
        operation_timeout_sec=operation_timeout,
        read_timeout_sec=read_timeout or operation_timeout + 2,
    )


def start_command(proto: Any, shell: str, stdin: bytes = b"payload\r\n") -> str:
    command = proto.run_command(shell, STDIN_SCRIPT, console_mode_stdin=False)
    proto.send_command_input(shell, command, stdin, end=True)
    return command


def fired(ep: WinrmEndpoint) -> list[tuple[str, str]]:
    return [(str(record["kind"]), str(record["at"])) for record in ep.faults.describe()["fired"]]


# ---------------------------------------------------------------- connection dropped


def test_drop_at_create_closes_the_connection_and_no_shell_exists(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    ep.faults.arm("drop", at="Create")
    proto = protocol(ep)

    with pytest.raises(requests.exceptions.ConnectionError, match="Remote end closed connection without response"):
        proto.open_shell()
    shell = proto.open_shell()  # disarmed after one request

    assert host.commands == 0 and host.runs == []
    assert ep.faults.describe()["armed"] == []
    assert fired(ep) == [("drop", "Create")]
    proto.close_shell(shell)


def test_drop_at_command_never_reaches_the_host(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("drop", at="Command")

    with pytest.raises(requests.exceptions.ConnectionError):
        proto.run_command(shell, STDIN_SCRIPT, console_mode_stdin=False)

    assert host.commands == 0 and host.runs == []
    assert ep.faults.describe()["fired"][0]["shell_id"] == shell
    proto.close_shell(shell)


def test_drop_after_run_loses_the_answer_of_a_command_that_ran(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    command = start_command(proto, shell)
    ep.faults.arm("drop_after_run")

    with pytest.raises(requests.exceptions.ConnectionError):
        proto.get_command_output(shell, command)

    assert [stdin for _line, stdin, _codepage in host.runs] == [b"payload\r\n"]  # its effects happened
    [record] = ep.faults.describe()["fired"]
    assert record["command_id"] == command and record["stage"] == "command ended, reply dropped"


def test_drop_during_receive_delivers_part_of_the_output_then_drops(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    command = proto.run_command(shell, "powershell -EncodedCommand " + _utf16("'q' * 1000"))
    ep.faults.arm("drop_during_receive")

    stdout, stderr, _rc, done = proto.get_command_output_raw(shell, command)
    assert (stdout, stderr, done) == (b"q" * 500, b"", False)  # State Running: the rest is to come
    with pytest.raises(requests.exceptions.ConnectionError):
        proto.get_command_output_raw(shell, command)

    stages = [record["stage"] for record in ep.faults.describe()["fired"]]
    assert stages == ["part of the output delivered", "connection dropped"]
    assert ep.faults.describe()["armed"] == []


def test_drop_at_send_under_ntlm_encryption_makes_the_next_request_a_400(endpoint: EndpointFactory) -> None:
    """The lost connection behind ansible's "Bad HTTP response returned from server. Code 400"."""
    host = FakeHost()
    ep = endpoint(auth="ntlm", host=host)
    proto = protocol(ep, auth="ntlm")
    shell = proto.open_shell()
    command = proto.run_command(shell, STDIN_SCRIPT, console_mode_stdin=False)
    ep.faults.arm("drop", at="Send")

    with pytest.raises(requests.exceptions.ConnectionError):
        proto.send_command_input(shell, command, b"payload\r\n", end=True)
    # pywinrm seals the next message with the old connection's context, then authenticates a new connection.
    with pytest.raises(winrm.exceptions.WinRMTransportError) as caught:
        proto.get_command_output_raw(shell, command)

    assert caught.value.code == 400 and str(caught.value) == "Bad HTTP response returned from server. Code 400"
    assert host.runs == []  # the input never arrived: the process still waits for it


def test_drop_over_https(endpoint: EndpointFactory, tmp_path: Path) -> None:
    _ca, cert, key = make_tls_files(tmp_path, ADDRESS)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    ep = endpoint(ssl_context=context)
    ep.faults.arm("drop", at="Create")

    with pytest.raises(requests.exceptions.ConnectionError):
        protocol(ep).open_shell()
    assert fired(ep) == [("drop", "Create")]


# ---------------------------------------------------------------- WS-Man faults


def test_status_500_is_winrs_internal_error(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("status_500", at="Command")

    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.run_command(shell, STDIN_SCRIPT)

    fault = caught.value
    assert (fault.code, fault.fault_code, fault.fault_subcode) == (500, "s:Receiver", "w:InternalError")
    assert fault.wsman_fault_code == 2147943418  # HRESULT_FROM_WIN32(ERROR_KEY_DELETED)
    assert fault.reason.startswith("Illegal operation attempted on a registry key")
    assert host.commands == 0
    assert proto.run_command(shell, "echo ok")  # one request only


def test_quota_at_create_is_quota_limit_max_shells(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    ep.faults.arm("quota")

    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        protocol(ep).open_shell()

    fault = caught.value
    assert (fault.fault_code, fault.fault_subcode, fault.wsman_fault_code) == ("s:Sender", "w:QuotaLimit", 2150859173)
    assert "maximum number of 5 concurrent shells" in fault.reason
    assert fired(ep) == [("quota", "Create")]


def test_quota_at_command_carries_the_wmi_error_ansible_retries_on(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("quota", at="Command")

    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.run_command(shell, STDIN_SCRIPT)

    fault = caught.value
    assert (fault.fault_subcode, fault.wsman_fault_code) == ("w:InternalError", None)
    assert fault.wmierror_code == 0x803381A6  # ERROR_WSMAN_QUOTA_MAX_OPERATIONS, read off MSFT_WmiError
    assert "maximum number of 15 concurrent operations" in fault.reason


def test_timeout_at_command_and_receive(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("timeout", at="Command")
    with pytest.raises(winrm.exceptions.WinRMOperationTimeoutError):
        proto.run_command(shell, STDIN_SCRIPT)
    assert host.commands == 0

    command = start_command(proto, shell)
    ep.faults.arm("timeout", at="Receive", count=2)
    # pywinrm retries a Receive that timed out, as for a command still running.
    assert proto.get_command_output(shell, command) == (b"stdin:payload\r\n", b"", 0)
    assert fired(ep) == [("timeout", "Command"), ("timeout", "Receive"), ("timeout", "Receive")]


def test_shell_not_found_removes_the_shell(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("shell_not_found")

    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.run_command(shell, STDIN_SCRIPT)
    assert (caught.value.fault_subcode, caught.value.wsman_fault_code) == ("w:InvalidSelectors", 2150858843)
    # The shell is gone for every later request too, as after a restart of the WinRM service.
    with pytest.raises(winrm.exceptions.WSManFaultError, match="shell was not found"):
        proto.close_shell(shell)
    assert host.commands == 0


def test_shell_not_found_at_receive_after_the_command_ran(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    command = start_command(proto, shell)
    ep.faults.arm("shell_not_found", at="Receive")

    with pytest.raises(winrm.exceptions.WSManFaultError, match="shell was not found"):
        proto.get_command_output(shell, command)
    assert len(host.runs) == 1


# ---------------------------------------------------------------- slow answers


def test_slow_answer_arrives_late(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    proto = protocol(ep)
    shell = proto.open_shell()
    command = start_command(proto, shell)
    ep.faults.arm("slow", seconds=0.6)

    started = time.monotonic()
    assert proto.get_command_output(shell, command) == (b"stdin:payload\r\n", b"", 0)
    assert time.monotonic() - started >= 0.6
    assert ep.faults.describe()["fired"][0]["command_id"] == command


def test_slow_answer_beyond_the_read_timeout_after_the_command_ran(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep, operation_timeout=1, read_timeout=2)
    shell = proto.open_shell()
    command = start_command(proto, shell)
    ep.faults.arm("slow", at="Receive", seconds=3)

    with pytest.raises(requests.exceptions.ReadTimeout):
        proto.get_command_output(shell, command)
    assert len(host.runs) == 1  # the work was done; only the answer was late


# ---------------------------------------------------------------- arming


def test_faults_fire_for_count_requests_in_the_order_armed(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    ep.faults.arm("drop", at="Create", count=2)
    ep.faults.arm("quota", at="Create")
    proto = protocol(ep)

    for _attempt in range(2):
        with pytest.raises(requests.exceptions.ConnectionError):
            proto.open_shell()
    with pytest.raises(winrm.exceptions.WSManFaultError):
        proto.open_shell()
    proto.close_shell(proto.open_shell())

    assert fired(ep) == [("drop", "Create"), ("drop", "Create"), ("quota", "Create")]
    assert ep.faults.describe()["armed"] == []


def test_after_lets_the_next_commands_pass_first(endpoint: EndpointFactory) -> None:
    """A task's second command meets the fault; the first, its Receive included, does not."""
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep)
    shell = proto.open_shell()
    ep.faults.arm("drop_after_run", after=1)
    ep.faults.arm("drop", at="Command", after=2)

    first = start_command(proto, shell, b"first\r\n")
    proto.get_command_output(shell, first)
    second = start_command(proto, shell, b"second\r\n")
    with pytest.raises(requests.exceptions.ConnectionError):
        proto.get_command_output(shell, second)
    with pytest.raises(requests.exceptions.ConnectionError):
        proto.run_command(shell, STDIN_SCRIPT, console_mode_stdin=False)

    assert [stdin for _line, stdin, _codepage in host.runs] == [b"first\r\n", b"second\r\n"]
    assert fired(ep) == [("drop_after_run", "Receive"), ("drop", "Command")]
    assert ep.faults.describe()["fired"][0]["command_id"] == second
    assert ep.faults.describe()["armed"] == []


@pytest.mark.parametrize(
    ("kind", "options", "message"),
    [
        ("explode", {}, "fault kind must be one of drop, drop_after_run"),
        ("drop_after_run", {"at": "Command"}, "a drop_after_run fault can be armed at Receive, not 'Command'"),
        ("quota", {"at": "Receive"}, "can be armed at Create, Command, not 'Receive'"),
        ("shell_not_found", {"at": "Create"}, "can be armed at Command, Send, Receive, Signal, Delete"),
        ("drop", {"count": 0}, "fault count must be at least 1"),
        ("slow", {}, "a slow fault needs seconds above 0"),
        ("slow", {"seconds": 601}, "at most 600"),
        ("drop", {"seconds": 2}, "seconds applies only to slow faults"),
        ("drop", {"after": -1}, "fault after must be 0 or more"),
    ],
)
def test_arming_refuses_what_cannot_apply(
    endpoint: EndpointFactory, kind: str, options: dict[str, Any], message: str
) -> None:
    ep = endpoint()
    with pytest.raises(ValueError, match=message):
        ep.faults.arm(kind, **options)
    assert ep.faults.describe() == {"armed": [], "fired": []}


def test_control_api_arms_lists_and_clears_faults(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    fleet = SimpleNamespace(
        endpoints={"exch2010": ep},
        dump=lambda name: {"name": name, "counters": {}},
        reset_counters=lambda name: None,
    )
    adcs: Any = SimpleNamespace(url="http://adcs")
    api = ControlApi(adcs=adcs, fleet=fleet, host_names=["exch2010"], pid=1)

    armed = api.call("POST", "/hosts/exch2010/faults", {"kind": "slow", "seconds": 2, "count": 3})
    assert armed == {"number": 1, "kind": "slow", "at": "Receive", "remaining": 3, "seconds": 2.0}
    assert api.call("GET", "/hosts/exch2010", {})["winrm_faults"]["armed"] == [armed]
    assert api.call("GET", "/hosts/exch2010/faults", {}) == {"armed": [armed], "fired": []}
    later = api.call("POST", "/hosts/exch2010/faults", {"kind": "drop", "at": "Command", "after": 1})
    assert later == {"number": 2, "kind": "drop", "at": "Command", "remaining": 1, "after": 1}
    assert api.call("POST", "/hosts/exch2010/faults/clear", {}) == {"host": "exch2010", "cleared": 2}
    assert api.call("GET", "/hosts/exch2010/faults", {}) == {"armed": [], "fired": []}

    for body, status in [
        ({"kind": "drop", "at": "Nowhere"}, 400),
        ({"kind": "drop", "count": "2"}, 400),
        ({"kind": "slow", "seconds": True}, 400),
        ({"kind": "drop", "after": -1}, 400),
        ({"kind": "drop", "after": "1"}, 400),
        ({"at": "Create"}, 400),
    ]:
        with pytest.raises(ControlError) as caught:
            api.call("POST", "/hosts/exch2010/faults", body)
        assert caught.value.status == status
    with pytest.raises(ControlError) as unknown:
        api.call("POST", "/hosts/nosuchhost/faults", {"kind": "drop"})
    assert unknown.value.status == 404


def _utf16(script: str) -> str:
    return base64.b64encode(script.encode("utf-16-le")).decode()
