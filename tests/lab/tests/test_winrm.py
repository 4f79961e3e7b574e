"""The lab's WinRM endpoint driven by real clients: pywinrm directly and ansible-core's winrm connection plugin."""

from __future__ import annotations

import base64
import concurrent.futures
import ssl
import time
import uuid
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest
import requests
import requests_ntlm
import winrm
import winrm.exceptions
import xmltodict
from ansible.errors import AnsibleError
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader

from tests.lab.httpauth import Account, install_ntlm_users
from tests.lab.tests.winrm_helpers import FakeHost, encoded_script, make_tls_files
from tests.lab.winrm import WinrmEndpoint, profile_for

USER = "CONTOSO\\Administrator"
PASSWORD = "Lab-Passw0rd!"
ADDRESS = "127.10.0.11"
MAX_ENVELOPE = 153600
SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
RSP = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell"

EndpointFactory = Callable[..., WinrmEndpoint]


@pytest.fixture
def accounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> dict[str, Account]:
    accounts = {"administrator": Account("CONTOSO", "Administrator", PASSWORD)}
    install_ntlm_users(tmp_path / "ntlm-users", accounts.values())
    monkeypatch.setenv("NTLM_USER_FILE", str(tmp_path / "ntlm-users"))
    return accounts


@pytest.fixture
def tls(tmp_path: Path) -> tuple[Path, ssl.SSLContext]:
    ca, cert, key = make_tls_files(tmp_path, ADDRESS)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(cert, key)
    return ca, context


@pytest.fixture
def endpoint(accounts: dict[str, Account]) -> Iterator[EndpointFactory]:
    started: list[WinrmEndpoint] = []

    def start(
        *,
        auth: str = "basic",
        ssl_context: ssl.SSLContext | None = None,
        version: str = "2.0",
        host: FakeHost | None = None,
    ) -> WinrmEndpoint:
        ep = WinrmEndpoint(
            host=host or FakeHost(),
            address=ADDRESS,
            port=0,
            accounts=accounts,
            auth=auth,
            ssl_context=ssl_context,
            winrm_version=version,
        )
        ep.start()
        started.append(ep)
        return ep

    yield start
    for ep in started:
        ep.stop()
        assert ep.errors == []


def protocol(
    ep: WinrmEndpoint, *, auth: str, password: str = PASSWORD, ca: Path | None = None, operation_timeout: int = 20
) -> winrm.Protocol:
    return winrm.Protocol(
        ep.url,
        transport=auth,
        username=USER,
        password=password,
        server_cert_validation="validate" if ca else "ignore",
        ca_trust_path=str(ca) if ca else None,
        operation_timeout_sec=operation_timeout,
        read_timeout_sec=operation_timeout + 2,
    )


def ps_line(script: str) -> str:
    return "powershell -NoProfile -EncodedCommand " + base64.b64encode(script.encode("utf-16-le")).decode()


class ReplyLog:
    """Wraps Protocol.send_message to see every decrypted reply and every TimedOut fault."""

    def __init__(self, proto: winrm.Protocol) -> None:
        self.replies: list[tuple[str, int]] = []
        self.timeouts = 0
        original = proto.send_message

        def send(message: str) -> bytes:
            action = ET.fromstring(message).findtext(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}Action")
            try:
                reply = original(message)
            except winrm.exceptions.WinRMOperationTimeoutError:
                self.timeouts += 1
                raise
            self.replies.append((action.rsplit("/", 1)[-1], len(reply)))
            return reply

        proto.send_message = send  # type: ignore[method-assign]

    def sizes(self, action: str) -> list[int]:
        return [size for name, size in self.replies if name == action]


# ---------------------------------------------------------------- pywinrm


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_session_runs_cmd_and_powershell(endpoint: EndpointFactory, auth: str) -> None:
    host = FakeHost()
    ep = endpoint(auth=auth, host=host)
    session = winrm.Session(ep.url, auth=(USER, PASSWORD), transport=auth)

    cmd = session.run_cmd("echo", ["hello", "world"])
    ps = session.run_ps("Write-Output 'hi'")
    failed = session.run_ps("throw 'no such store'")

    assert (cmd.status_code, cmd.std_out, cmd.std_err) == (0, b"hello world\r\n", b"")
    assert (ps.status_code, ps.std_out) == (0, b"hi\r\n")
    assert (failed.status_code, failed.std_out, failed.std_err) == (1, b"", b"no such store")
    assert host.commands == 3
    assert host.runs[0][0] == "echo hello world"
    assert encoded_script(host.runs[1][0]) == "Write-Output 'hi'"
    assert all(bytes_in >= 0 and bytes_out >= 0 for bytes_in, bytes_out in host.traffic)
    assert (
        sum(bytes_in for bytes_in, _bytes_out in host.traffic) > 0 and sum(out for _bytes_in, out in host.traffic) > 0
    )


def test_ntlm_over_http_encrypts_every_message(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(auth="ntlm", host=host)
    proto = protocol(ep, auth="ntlm")
    shell = proto.open_shell()

    assert proto.transport.encryption is not None
    # The empty POST that sets the context up, then the Create: request and reply bodies are sealed.
    assert host.traffic[-1][0] > 0 and host.traffic[-1][1] > 0
    plain = requests.post(
        ep.url,
        data=b"<s:Envelope/>",
        headers={"Content-Type": "application/soap+xml"},
        auth=requests_ntlm.HttpNtlmAuth(USER, PASSWORD),
        timeout=5,
    )
    assert plain.status_code == 500  # AllowUnencrypted=false: plain SOAP over HTTP is refused
    proto.close_shell(shell)


def test_ntlm_fault_replies_are_encrypted_and_other_connections_get_400(endpoint: EndpointFactory) -> None:
    ep = endpoint(auth="ntlm")
    first, second = protocol(ep, auth="ntlm"), protocol(ep, auth="ntlm")
    first.open_shell()
    second.open_shell()
    soap = _receive_message("NO-SUCH-SHELL", "NO-SUCH-COMMAND").encode()

    sealed = first.transport.encryption.prepare_encrypted_request(first.transport.session, ep.url, soap)
    fault = first.transport.session.send(sealed, timeout=5)
    assert fault.status_code == 500
    assert fault.headers["Content-Type"].startswith("multipart/encrypted")
    assert b"InvalidSelectors" not in fault.content
    assert b"InvalidSelectors" in first.transport.encryption.parse_encrypted_response(fault)

    sealed_elsewhere = first.transport.encryption.prepare_encrypted_request(first.transport.session, ep.url, soap)
    assert second.transport.session.send(sealed_elsewhere, timeout=5).status_code == 400


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_https_with_validated_certificate(
    endpoint: EndpointFactory, tls: tuple[Path, ssl.SSLContext], auth: str
) -> None:
    ca, context = tls
    ep = endpoint(auth=auth, ssl_context=context)
    assert ep.url.startswith("https://")
    session = winrm.Session(
        ep.url, auth=(USER, PASSWORD), transport=auth, server_cert_validation="validate", ca_trust_path=str(ca)
    )

    result = session.run_ps("Write-Output 'over tls'")

    assert (result.status_code, result.std_out) == (0, b"over tls\r\n")
    assert session.protocol.transport.encryption is None  # pywinrm leaves TLS to protect NTLM messages


def test_https_rejects_a_client_that_does_not_trust_the_issuer(
    endpoint: EndpointFactory, tls: tuple[Path, ssl.SSLContext], tmp_path: Path
) -> None:
    _ca_pem, context = tls
    other_dir = tmp_path / "other"
    other_dir.mkdir()
    other_ca, _other_cert, _other_key = make_tls_files(other_dir, ADDRESS)
    ep = endpoint(auth="basic", ssl_context=context)

    with pytest.raises(requests.exceptions.SSLError):
        protocol(ep, auth="basic", ca=other_ca).open_shell()


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_wrong_password_is_rejected(endpoint: EndpointFactory, auth: str) -> None:
    host = FakeHost()
    ep = endpoint(auth=auth, host=host)

    with pytest.raises(winrm.exceptions.InvalidCredentialsError):
        protocol(ep, auth=auth, password="wrong").open_shell()
    assert host.commands == 0 and host.runs == []


def test_stdin_in_chunks_reaches_the_command_once_complete(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(auth="ntlm", host=host)
    proto = protocol(ep, auth="ntlm")
    shell = proto.open_shell(codepage=65001)
    command = proto.run_command(shell, ps_line("$input | Write-Output"), console_mode_stdin=False)

    proto.send_command_input(shell, command, b"first line\r\n")
    proto.send_command_input(shell, command, b"second line\r\n", end=True)
    out, err, rc = proto.get_command_output(shell, command)
    proto.cleanup_command(shell, command)
    proto.close_shell(shell)

    assert (out, err, rc) == (b"stdin:first line\r\nsecond line\r\n", b"", 0)
    assert [run[1:] for run in host.runs] == [(b"first line\r\nsecond line\r\n", 65001)]


@pytest.mark.parametrize("end", ["true", "TRUE", "True"])
def test_end_attribute_is_case_insensitive(endpoint: EndpointFactory, end: str) -> None:
    ep = endpoint()
    proto = protocol(ep, auth="basic")
    shell = proto.open_shell()
    command = proto.run_command(shell, ps_line("$input"), console_mode_stdin=False)
    message = proto.build_wsman_header(action=RSP + "/Send", resource_uri=SHELL_URI, shell_id=shell)
    stream = (
        f'<rsp:Send><rsp:Stream Name="stdin" CommandId="{command}" End="{end}">'
        f"{base64.b64encode(b'data').decode()}</rsp:Stream></rsp:Send>"
    )
    proto.send_message(_envelope(message, stream))

    assert proto.get_command_output(shell, command) == (b"stdin:data", b"", 0)


def test_receive_times_out_while_the_command_waits_for_stdin(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep, auth="basic", operation_timeout=1)
    shell = proto.open_shell()
    command = proto.run_command(shell, ps_line("$input"), console_mode_stdin=False)
    proto.send_command_input(shell, command, b"partial")

    started = time.monotonic()
    with pytest.raises(winrm.exceptions.WinRMOperationTimeoutError):
        proto.get_command_output_raw(shell, command)
    assert time.monotonic() - started >= 1.0  # the client's OperationTimeout, not earlier
    assert host.runs == []

    proto.send_command_input(shell, command, b" rest", end=True)
    assert proto.get_command_output(shell, command) == (b"stdin:partial rest", b"", 0)


def test_slow_command_gets_timed_out_receives_then_its_output(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    proto = protocol(ep, auth="basic", operation_timeout=1)
    log = ReplyLog(proto)
    shell = proto.open_shell()
    command = proto.run_command(shell, ps_line("Start-Sleep -Milliseconds 1300; Write-Output 'late'"))

    started = time.monotonic()
    assert proto.get_command_output(shell, command) == (b"late\r\n", b"", 0)
    assert log.timeouts >= 1 and time.monotonic() - started >= 1.3


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_large_output_is_split_over_receives_within_max_envelope(endpoint: EndpointFactory, auth: str) -> None:
    ep = endpoint(auth=auth)
    proto = protocol(ep, auth=auth)
    log = ReplyLog(proto)
    shell = proto.open_shell()
    command = proto.run_command(shell, ps_line("'y' * 600000"))

    chunks = []
    done = False
    while not done:
        out, _err, rc, done = proto.get_command_output_raw(shell, command)
        chunks.append(out)

    assert b"".join(chunks) == b"y" * 600000 and rc == 0
    sizes = log.sizes("Receive")
    assert len(sizes) >= 600000 * 4 // 3 // MAX_ENVELOPE + 1
    assert max(sizes) <= MAX_ENVELOPE
    assert all(chunk for chunk in chunks[:-1])


def test_smaller_max_envelope_gives_more_receives(endpoint: EndpointFactory) -> None:
    ep = endpoint()
    proto = protocol(ep, auth="basic")
    log = ReplyLog(proto)
    shell = proto.open_shell()
    command = proto.run_command(shell, ps_line("'z' * 100000"))
    header = proto.build_wsman_header(action=RSP + "/Receive", resource_uri=SHELL_URI, shell_id=shell)
    header["env:Header"]["w:MaxEnvelopeSize"]["#text"] = "16384"
    body = f'<rsp:Receive><rsp:DesiredStream CommandId="{command}">stdout stderr</rsp:DesiredStream></rsp:Receive>'

    replies = []
    while not replies or b"CommandState/Done" not in replies[-1]:
        replies.append(proto.send_message(_envelope(header, body)))

    assert len(replies) >= 100000 * 4 // 3 // 16384 + 1
    assert max(len(reply) for reply in replies) <= 16384
    assert len(log.replies) == len(replies) + 2


@pytest.mark.parametrize(
    ("skip_cmd_shell", "length", "expected"),
    [
        (False, 8191, (0, b"", b"")),
        (False, 8192, (1, b"", b"The command line is too long.\r\n")),
        (True, 9000, (0, b"", b"")),
    ],
)
def test_cmd_exe_command_line_limit(
    endpoint: EndpointFactory, skip_cmd_shell: bool, length: int, expected: tuple[int, bytes, bytes]
) -> None:
    host = FakeHost()
    ep = endpoint(host=host)
    proto = protocol(ep, auth="basic")
    shell = proto.open_shell()
    argument = "a" * (length - len("echo "))
    command = proto.run_command(shell, "echo", [argument], skip_cmd_shell=skip_cmd_shell)

    out, err, rc = proto.get_command_output(shell, command)

    expected_rc, _expected_out, expected_err = expected
    assert (rc, err) == (expected_rc, expected_err)
    assert out == (b"" if rc else argument.encode() + b"\r\n")
    assert len(host.runs) == (0 if rc else 1)
    assert host.commands == 1


@pytest.mark.parametrize(
    ("codepage", "expected"),
    [
        (65001, "Zertifikat für Straße €\r\n".encode()),
        (437, "Zertifikat für Straße ?\r\n".encode("cp437")),
        (1252, "Zertifikat für Straße €\r\n".encode("cp1252")),
    ],
)
def test_output_uses_the_shell_code_page(endpoint: EndpointFactory, codepage: int, expected: bytes) -> None:
    ep = endpoint()
    proto = protocol(ep, auth="basic")
    shell = proto.open_shell(codepage=codepage)
    command = proto.run_command(shell, ps_line("Write-Output 'Zertifikat für Straße €'"))

    assert proto.get_command_output(shell, command) == (expected, b"", 0)


def test_unsupported_code_page_is_refused(endpoint: EndpointFactory) -> None:
    proto = protocol(endpoint(), auth="basic")
    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.open_shell(codepage=99999)
    assert caught.value.wsman_fault_code == 2150859072


@pytest.mark.parametrize("operation", ["receive", "signal", "delete", "command"])
def test_unknown_shell_is_an_invalid_selectors_fault(endpoint: EndpointFactory, operation: str) -> None:
    proto = protocol(endpoint(), auth="basic")
    missing = str(uuid.uuid4()).upper()
    calls = {
        "receive": lambda: proto.get_command_output_raw(missing, "C"),
        "signal": lambda: proto.cleanup_command(missing, "C"),
        "delete": lambda: proto.close_shell(missing),
        "command": lambda: proto.run_command(missing, "echo", ["x"]),
    }
    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        calls[operation]()
    assert caught.value.wsman_fault_code == 2150858843
    assert caught.value.fault_subcode == "w:InvalidSelectors"
    assert missing in caught.value.reason


def test_every_reply_relates_to_its_request(endpoint: EndpointFactory) -> None:
    proto = protocol(endpoint(), auth="basic")
    shell = proto.open_shell()
    message_id = uuid.uuid4()
    header = proto.build_wsman_header(
        action=RSP + "/Command", resource_uri=SHELL_URI, shell_id=shell, message_id=message_id
    )
    reply = proto.send_message(
        _envelope(header, "<rsp:CommandLine><rsp:Command>echo x</rsp:Command></rsp:CommandLine>")
    )
    relates_to = ET.fromstring(reply).findtext(".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo")
    assert relates_to == f"uuid:{message_id}"

    fault_id = uuid.uuid4()
    bad = proto.build_wsman_header(
        action=RSP + "/Receive", resource_uri=SHELL_URI, shell_id="GONE", message_id=fault_id
    )
    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.send_message(_envelope(bad, '<rsp:Receive><rsp:DesiredStream CommandId="C"/></rsp:Receive>'))
    fault_relates = ET.fromstring(caught.value.response).findtext(
        ".//{http://schemas.xmlsoap.org/ws/2004/08/addressing}RelatesTo"
    )
    assert fault_relates == f"uuid:{fault_id}"


def test_signal_for_an_unknown_command_is_an_invalid_parameter(endpoint: EndpointFactory) -> None:
    proto = protocol(endpoint(), auth="basic")
    shell = proto.open_shell()
    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.cleanup_command(shell, "NOT-A-COMMAND")
    assert caught.value.fault_subcode == "w:InvalidParameter"


def test_unsupported_action_is_a_fault(endpoint: EndpointFactory) -> None:
    proto = protocol(endpoint(), auth="basic")
    header = proto.build_wsman_header(
        action="http://schemas.xmlsoap.org/ws/2004/09/enumeration/Enumerate", resource_uri=SHELL_URI
    )
    with pytest.raises(winrm.exceptions.WSManFaultError) as caught:
        proto.send_message(_envelope(header, ""))
    assert caught.value.wsman_fault_code == 2150858771


def test_host_failure_is_reported_not_hidden(accounts: dict[str, Account]) -> None:
    host = FakeHost(fail_with=RuntimeError("simulator defect"))
    ep = WinrmEndpoint(host=host, address=ADDRESS, port=0, accounts=accounts, auth="basic", ssl_context=None)
    ep.start()
    try:
        proto = protocol(ep, auth="basic")
        shell = proto.open_shell()
        command = proto.run_command(shell, "echo", ["x"])
        with pytest.raises(winrm.exceptions.WinRMTransportError) as caught:
            proto.get_command_output(shell, command)
        assert caught.value.code == 500
        assert [str(error) for error in ep.errors] == ["simulator defect"]
    finally:
        ep.stop()


@pytest.mark.parametrize(
    ("version", "http", "https", "envelope"),
    [("1.1", 80, 443, MAX_ENVELOPE), ("2.0", 5985, 5986, MAX_ENVELOPE), ("3.0", 5985, 5986, 512000)],
)
def test_winrm_versions(endpoint: EndpointFactory, version: str, http: int, https: int, envelope: int) -> None:
    profile = profile_for(version)
    assert (profile.default_port(https=False), profile.default_port(https=True)) == (http, https)
    assert profile.max_envelope_size == envelope
    session = winrm.Session(endpoint(auth="ntlm", version=version).url, auth=(USER, PASSWORD), transport="ntlm")
    assert session.run_ps("Write-Output 'same wire'").std_out == b"same wire\r\n"


def test_unknown_winrm_version_is_refused(accounts: dict[str, Account]) -> None:
    with pytest.raises(ValueError, match="unknown WinRM version"):
        WinrmEndpoint(host=FakeHost(), address=ADDRESS, port=0, accounts=accounts, winrm_version="1.0")


def test_hosts_share_a_port_on_their_own_addresses(accounts: dict[str, Account]) -> None:
    hosts = [FakeHost(name="exch2007"), FakeHost(name="exch2010")]
    first = WinrmEndpoint(host=hosts[0], address="127.10.0.21", port=0, accounts=accounts, auth="ntlm")
    first.start()
    second = WinrmEndpoint(host=hosts[1], address="127.10.0.22", port=first.port, accounts=accounts, auth="ntlm")
    second.start()
    try:
        for ep in (first, second):
            session = winrm.Session(ep.url, auth=(USER, PASSWORD), transport="ntlm")
            assert session.run_cmd("echo", [ep.host.name]).std_out == ep.host.name.encode() + b"\r\n"
    finally:
        first.stop()
        second.stop()
    assert [host.commands for host in hosts] == [1, 1]
    assert [host.runs[0][0] for host in hosts] == ["echo exch2007", "echo exch2010"]


def test_parallel_connections_each_keep_their_own_ntlm_context(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(auth="ntlm", host=host)

    def run(index: int) -> bytes:
        session = winrm.Session(ep.url, auth=(USER, PASSWORD), transport="ntlm")
        return session.run_ps(f"Write-Output 'fork {index}'").std_out

    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as pool:
        outputs = list(pool.map(run, range(10)))

    assert outputs == [f"fork {index}\r\n".encode() for index in range(10)]
    assert host.commands == 10


# ---------------------------------------------------------------- ansible-core winrm connection


def ansible_connection(
    ep: WinrmEndpoint, *, auth: str, password: str = PASSWORD, ca: Path | None = None, operation_timeout: int = 20
) -> Any:
    connection = connection_loader.get("winrm", PlayContext())
    options: dict[str, Any] = {
        "ansible_host": ep.address,
        "ansible_port": ep.port,
        "ansible_user": USER,
        "ansible_password": password,
        "ansible_winrm_scheme": "https" if ca else "http",
        "ansible_winrm_transport": [auth],
        "ansible_winrm_server_cert_validation": "validate" if ca else "ignore",
        "ansible_winrm_operation_timeout_sec": operation_timeout,
        "ansible_winrm_read_timeout_sec": operation_timeout + 2,
    }
    if ca:
        options["ansible_winrm_ca_trust_path"] = str(ca)
    options["_extras"] = {
        name: value
        for name, value in options.items()
        if name.startswith("ansible_winrm_") and name not in ("ansible_winrm_scheme", "ansible_winrm_transport")
    }
    connection.set_options(var_options=options)
    return connection


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_ansible_exec_command_with_and_without_stdin(endpoint: EndpointFactory, auth: str) -> None:
    host = FakeHost()
    ep = endpoint(auth=auth, host=host)
    connection = ansible_connection(ep, auth=auth)
    try:
        plain = connection.exec_command("Write-Output 'hi'")
        piped = connection.exec_command("$input | Write-Output", in_data=b"line one\r\nline two\r\n")
    finally:
        connection.close()

    assert plain == (0, b"hi\r\n", b"")
    assert piped == (0, b"stdin:line one\r\nline two\r\n", b"")
    assert host.commands == 2
    assert [encoded_script(run[0]) for run in host.runs] == ["Write-Output 'hi'", "$input | Write-Output"]
    assert {run[2] for run in host.runs} == {65001}


def test_ansible_over_https_with_ca_trust_path(endpoint: EndpointFactory, tls: tuple[Path, ssl.SSLContext]) -> None:
    ca, context = tls
    connection = ansible_connection(endpoint(auth="ntlm", ssl_context=context), auth="ntlm", ca=ca)
    try:
        assert connection.exec_command("Write-Output 'tls'") == (0, b"tls\r\n", b"")
    finally:
        connection.close()


def test_ansible_large_output_over_several_receives(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    ep = endpoint(auth="ntlm", host=host)
    connection = ansible_connection(ep, auth="ntlm")
    try:
        rc, out, err = connection.exec_command("'q' * 500000")
    finally:
        connection.close()

    assert (rc, out, err) == (0, b"q" * 500000, b"")
    big_replies = [sent for _received, sent in host.traffic if sent > 100000]
    assert len(big_replies) >= 4 and max(big_replies) <= MAX_ENVELOPE + 1024  # sealing adds the MIME framing


def test_ansible_decodes_clixml_stderr(endpoint: EndpointFactory) -> None:
    connection = ansible_connection(endpoint(auth="basic"), auth="basic")
    try:
        rc, out, err = connection.exec_command("throw 'Access is denied.'")
    finally:
        connection.close()
    assert (rc, out, err) == (1, b"", b"Access is denied.\r\n")


def test_ansible_command_line_over_8191_characters_fails_like_cmd_exe(endpoint: EndpointFactory) -> None:
    host = FakeHost()
    connection = ansible_connection(endpoint(host=host), auth="basic")
    try:
        rc, out, err = connection.exec_command("Write-Output '" + "x" * 4000 + "'")
    finally:
        connection.close()
    assert (rc, out, err) == (1, b"", b"The command line is too long.\r\n")
    assert host.commands == 1 and host.runs == []


def test_ansible_retries_timed_out_receives(endpoint: EndpointFactory) -> None:
    connection = ansible_connection(endpoint(), auth="basic", operation_timeout=1)
    try:
        connection._connect()
        log = ReplyLog(connection.protocol)
        result = connection.exec_command("Start-Sleep -Milliseconds 1300; Write-Output 'done'")
    finally:
        connection.close()
    assert result == (0, b"done\r\n", b"")
    assert log.timeouts >= 1


@pytest.mark.parametrize("auth", ["basic", "ntlm"])
def test_ansible_wrong_password_is_an_authentication_error(endpoint: EndpointFactory, auth: str) -> None:
    host = FakeHost()
    connection = ansible_connection(endpoint(auth=auth, host=host), auth=auth, password="not-it")
    with pytest.raises(AnsibleError, match="credentials were rejected"):
        connection.exec_command("Write-Output 'x'")
    assert host.commands == 0


# ---------------------------------------------------------------- raw messages


def _receive_message(shell_id: str, command_id: str) -> str:
    return (
        '<s:Envelope xmlns:s="http://www.w3.org/2003/05/soap-envelope" '
        'xmlns:a="http://schemas.xmlsoap.org/ws/2004/08/addressing" '
        'xmlns:w="http://schemas.dmtf.org/wbem/wsman/1/wsman.xsd" '
        f'xmlns:rsp="{RSP}"><s:Header><a:Action>{RSP}/Receive</a:Action>'
        f"<a:MessageID>uuid:{uuid.uuid4()}</a:MessageID><w:ResourceURI>{SHELL_URI}</w:ResourceURI>"
        f'<w:SelectorSet><w:Selector Name="ShellId">{shell_id}</w:Selector></w:SelectorSet></s:Header>'
        f'<s:Body><rsp:Receive><rsp:DesiredStream CommandId="{command_id}">stdout stderr</rsp:DesiredStream>'
        "</rsp:Receive></s:Body></s:Envelope>"
    )


def _envelope(header: dict[str, Any], body: str) -> str:
    marker = "BODY-PLACEHOLDER"
    header.setdefault("env:Body", marker)
    return xmltodict.unparse({"env:Envelope": header}).replace(marker, body)
