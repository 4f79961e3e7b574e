"""The host channel: bootstrap, payload, stdin, result parsing and error mapping."""

from __future__ import annotations

import base64
import json
import typing as t
from pathlib import Path

import pytest
from ansible.errors import AnsibleConnectionFailure, AnsibleError
from ansible.playbook.play_context import PlayContext
from ansible.plugins.loader import connection_loader
from ansible_collections.exchange_um.certificates.plugins.plugin_utils import _host_channel as channel
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._exchange import ShellCredential, profile_for
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._host_data import HostArgumentError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._ps_compact import compact_lines

from tests.lab.httpauth import Account
from tests.pwsh.invocations import Invocation, invocations
from tests.pwsh.parser import parse_script
from tests.unit.host_payload import lab_host, parse_data, run_on_lab_host, split_stdin

# A password no quoting could carry as it is: single quotes ASCII and typographic, a subexpression, a variable, a
# backtick, a double quote and a line break.
SECRET = "Pa$$w0rd'\u2019`$(x)\u2018\u201a\u201b\"\r\n; exit 0 #"
CMD_LIMIT = 8191  # cmd.exe's command-line limit (winrm-protocol.md)

SCRIPTS = Path(channel.__file__).parent / "host_scripts"
# Every single quote PowerShell accepts (about_Quoting_Rules: U+2018..U+201B), double quotes, subexpressions that
# would throw if they ran, variables, backticks, comments and line breaks.
INJECTIONS = [
    "it's",
    "'; throw 'injected'; '",
    "\u2018a\u2019b\u201ac\u201bd",
    '"x" \u201cy\u201d \u201ez',
    "$(throw 'injected')",
    "${env:COMPUTERNAME}$null",
    "`$x`n `",
    "line1\r\nline2\nline3",
    "# comment <# block #>",
    SECRET,
]


class RecordingConnection:
    """Stands in for the task's connection: records exec_command calls, replays one answer or raises."""

    def __init__(self, answer: tuple[int, bytes, bytes] | Exception) -> None:
        self.answer = answer
        self.calls: list[tuple[str, bytes | None]] = []

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        self.calls.append((cmd, in_data))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer


def result_line(document: dict[str, t.Any]) -> bytes:
    return (channel.RESULT_MARKER + json.dumps(document) + "\r\n").encode()


def invocation_line(script: str) -> str:
    """The payload's last line: the operation's invocation."""
    return script.split("\r\n")[-2]


def assert_carried_as_data(stdin: bytes, arguments: t.Mapping[str, object]) -> str:
    """stdin holds ``arguments`` in its data part only and the script names them; return the script."""
    assert stdin.isascii()
    script, data = split_stdin(stdin)
    assert parse_data(data) == {
        name: list(value) if isinstance(value, tuple) else value for name, value in arguments.items()
    }
    names = " ".join(f"-{name} $ExumArguments['{name}']" for name in arguments)
    assert invocation_line(script) == f"Write-ExumResult (Invoke-ExumOperation {names})"
    assert script.isascii()  # so no typographic quote of a value can be in it either
    for value in arguments.values():
        for item in value if isinstance(value, list) else [value]:
            if isinstance(item, str) and len(item) > 3:
                assert item not in script
    return script


def test_bootstrap_is_one_short_ascii_line() -> None:
    assert "\n" not in channel.BOOTSTRAP and "\r" not in channel.BOOTSTRAP
    assert channel.BOOTSTRAP.isascii()
    # 2.19/2.20 pass through lines starting with "type " or their encoded prefix; 2.21 any line with -EncodedCommand.
    assert not channel.BOOTSTRAP.startswith(("type ", "PowerShell "))
    assert " -EncodedCommand " not in channel.BOOTSTRAP
    # stdin through $input (psrp, PowerShell 2.0+), else from the process's standard input (PowerShell 1.0).
    assert "$input" in channel.BOOTSTRAP
    assert "if($exumIn.Length -eq 0){[void]$exumIn.Append([Console]::In.ReadToEnd())}" in channel.BOOTSTRAP
    # stdin is split at "." into the script, the only part compiled, and the data block, left as text in $exumData.
    assert "$exumParts=$exumIn.ToString().Split('.');" in channel.BOOTSTRAP
    assert "$exumData=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($exumParts[1]));" in channel.BOOTSTRAP
    assert channel.BOOTSTRAP.count("$exumParts[1]") == 1 and channel.BOOTSTRAP.count("NewScriptBlock(") == 1
    assert "NewScriptBlock([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($exumParts[0])))" in (
        channel.BOOTSTRAP
    )
    # 1.0-safe: no -join / -split operators, no try/catch, no splatting.
    for construct in ("-join", "-split", "try", "catch", "@params"):
        assert construct not in channel.BOOTSTRAP


def _winrm_connection() -> t.Any:
    connection = connection_loader.get("winrm", PlayContext())
    options = {
        "ansible_host": "127.0.0.1",
        "ansible_user": "Administrator",
        "ansible_password": "unused",
        "ansible_winrm_transport": ["basic"],
        "_extras": {},
    }
    connection.set_options(var_options=options)
    return connection


def decode_command_line(line: str) -> str:
    """The script of ``powershell.exe -NoProfile -NonInteractive -EncodedCommand <base64>``, nothing else allowed."""
    program, *options, encoded = line.split(" ")
    assert (program, options) == ("powershell.exe", ["-NoProfile", "-NonInteractive", "-EncodedCommand"])
    return base64.b64decode(encoded, validate=True).decode("utf-16-le")


def test_command_line_has_no_execution_policy() -> None:
    line = channel.command_line()
    assert decode_command_line(line) == channel.BOOTSTRAP
    assert "-ExecutionPolicy" not in line and "Unrestricted" not in line
    assert len(line) < CMD_LIMIT


def test_installed_winrm_plugin_puts_only_the_bootstrap_on_the_command_line(monkeypatch: pytest.MonkeyPatch) -> None:
    """Whatever the installed ansible-core, the WinRS command is the channel's own line; stdin carries the payload."""
    connection = _winrm_connection()
    seen: list[tuple[str, list[str], bytes]] = []

    def fake_exec(command: str, args: t.Iterable[str] = (), from_exec: bool = False, stdin_iterator: t.Any = None):
        stdin = b"".join(chunk for chunk, _last in stdin_iterator)
        seen.append((command, list(args), stdin))
        return 0, result_line({"ok": True, "data": {"changed": False}}), b""

    monkeypatch.setattr(connection, "_winrm_exec", fake_exec)
    monkeypatch.setattr(connection, "_connect", lambda: connection)
    arguments = {"Root": ["QUJD"] * 50, "Password": SECRET}
    data = channel.run_operation(connection, "root_trust", arguments, exchange=None)
    assert data == {"changed": False}
    [(command, args, stdin)] = seen
    # 2.21+ sends exec_command's line whole as the command; 2.16-2.20 (_winrm_exec) as program and arguments.
    command_line = " ".join([command, *args])
    assert command_line == channel.command_line()
    assert decode_command_line(command_line) == channel.BOOTSTRAP
    assert SECRET not in command_line and "QUJD" not in command_line and "Pa$$" not in command_line
    assert SECRET.encode() not in stdin
    assert_carried_as_data(stdin, arguments)


def test_installed_winrm_plugin_has_the_private_api_the_guard_expects() -> None:
    """The guard's picture of _winrm_exec and _wrapper_payload_stream holds for the installed ansible-core."""
    plugin = type(_winrm_connection())
    assert channel._takes(plugin._winrm_exec, ("self", *channel._WINRM_EXEC_PARAMETERS))
    assert channel._takes(plugin._wrapper_payload_stream, ("self", "payload"))


# -- the winrm connection's API per ansible-core version, as read off lib/ansible/plugins/connection/winrm.py of
# -- 2.16.19, 2.17.14, 2.18.19, 2.19.14, 2.20.10 and 2.21.5.

ANSIBLE_LINE = "PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand "
CHUNK = 200000  # _wrapper_payload_stream's buffer_size


class FakeWinrm:
    """A winrm connection of one API shape: ``exec_command`` as that version builds its command line, then the same
    private steps (``_connect`` once, ``_wrapper_payload_stream``, ``_winrm_exec``). Records each WinRS command."""

    transport = "winrm"

    def __init__(self, *, passthrough: bool, answer: tuple[int, bytes, bytes] | Exception) -> None:
        self.passthrough = passthrough
        self.answer = answer
        self.connected = False
        self.connects = 0
        self.commands: list[tuple[str, list[str], list[tuple[bytes, bool]] | None, bool]] = []

    def _connect(self) -> FakeWinrm:
        self.connects += 1
        self.connected = True
        return self

    def _wrapper_payload_stream(self, payload: bytes, buffer_size: int = CHUNK) -> t.Iterator[tuple[bytes, bool]]:
        for index in range(0, len(payload), buffer_size):
            yield payload[index : index + buffer_size], index + buffer_size >= len(payload)

    def _winrm_exec(
        self,
        command: str,
        args: t.Iterable[str] = (),
        from_exec: bool = False,
        stdin_iterator: t.Iterable[tuple[bytes, bool]] | None = None,
    ) -> tuple[int, bytes, bytes]:
        assert self.connected
        chunks = None if stdin_iterator is None else list(stdin_iterator)
        self.commands.append((command, list(args), chunks, from_exec))
        if isinstance(self.answer, Exception):
            raise self.answer
        return self.answer

    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        if not self.connected:
            self._connect()
        if self.passthrough and " -EncodedCommand " in cmd:
            parts = [cmd]
        else:
            parts = (ANSIBLE_LINE + base64.b64encode(cmd.encode("utf-16-le")).decode()).split(" ")
        stream = self._wrapper_payload_stream(in_data) if in_data else None
        return self._winrm_exec(parts[0], parts[1:], from_exec=True, stdin_iterator=stream)


OK_ANSWER = (0, result_line({"ok": True, "data": {"done": True}}), b"")


@pytest.mark.parametrize("version", [(2, 16), (2, 17), (2, 18), (2, 19), (2, 20), (2, 21), (2, 22), (3, 0)])
def test_winrm_command_line_per_ansible_core_version(monkeypatch: pytest.MonkeyPatch, version: tuple[int, int]) -> None:
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: version)
    connection = FakeWinrm(passthrough=version >= (2, 21), answer=OK_ANSWER)
    # Large enough for several WinRS Send chunks.
    arguments = {"Root": ["QUJD" * 1000] * 80, "Password": SECRET}
    assert channel.run_operation(connection, "root_trust", arguments, exchange=None) == {"done": True}
    [(command, args, chunks, from_exec)] = connection.commands
    line = " ".join([command, *args])
    assert line == channel.command_line() and "-ExecutionPolicy" not in line
    assert from_exec is True and connection.connects == 1
    assert chunks is not None and len(chunks) > 1
    assert [last for _chunk, last in chunks] == [False] * (len(chunks) - 1) + [True]
    assert all(len(chunk) <= CHUNK for chunk, _last in chunks)
    stdin = b"".join(chunk for chunk, _last in chunks)
    assert SECRET.encode() not in stdin and b"Pa$$" not in stdin
    assert_carried_as_data(stdin, arguments)


@pytest.mark.parametrize("version", [(2, 16), (2, 20), (2, 21)])
def test_winrm_answer_is_read_as_exec_command_returns_it(
    monkeypatch: pytest.MonkeyPatch, version: tuple[int, int]
) -> None:
    """rc, stdout and the stderr _winrm_exec returns (CLIXML already reduced to text there) become the same errors."""
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: version)
    stderr = b"The term '-ExecutionPolicy' is not recognized as a cmdlet, function, operable program, or script file."
    connection = FakeWinrm(passthrough=version >= (2, 21), answer=(1, b"", stderr))
    with pytest.raises(channel.HostOperationError) as caught:
        channel.run_operation(connection, "root_trust", {}, exchange=None)
    assert caught.value.rc == 1 and "'-ExecutionPolicy' is not recognized" in caught.value.message


@pytest.mark.parametrize("version", [(2, 16), (2, 20), (2, 21)])
def test_winrm_transport_failure_is_unreachable(monkeypatch: pytest.MonkeyPatch, version: tuple[int, int]) -> None:
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: version)
    connection = FakeWinrm(passthrough=version >= (2, 21), answer=AnsibleConnectionFailure("winrm connection error"))
    with pytest.raises(channel.HostUnreachable):
        channel.run_operation(connection, "exchange_info", {"Services": []}, exchange=None)


def test_an_open_winrm_connection_is_not_opened_again(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: (2, 18))
    connection = FakeWinrm(passthrough=False, answer=OK_ANSWER)
    connection._connect()
    channel.run_operation(connection, "root_trust", {}, exchange=None)
    assert connection.connects == 1 and len(connection.commands) == 1


class WinrmWithoutPrivateApi(FakeWinrm):
    _winrm_exec = None  # type: ignore[assignment]


class WinrmWithChangedExec(FakeWinrm):
    def _winrm_exec(  # type: ignore[override]
        self, command: str, arguments: t.Iterable[str] = (), stdin: bytes | None = None
    ) -> tuple[int, bytes, bytes]:
        raise AssertionError("must not be called")


class WinrmWithoutStream(FakeWinrm):
    _wrapper_payload_stream = None  # type: ignore[assignment]


@pytest.mark.parametrize("shape", [WinrmWithoutPrivateApi, WinrmWithChangedExec, WinrmWithoutStream])
def test_missing_or_changed_private_api_is_a_clear_error(monkeypatch: pytest.MonkeyPatch, shape: type) -> None:
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: (2, 19))
    connection = shape(passthrough=False, answer=OK_ANSWER)
    with pytest.raises(channel.HostChannelUnsupported) as caught:
        channel.run_operation(connection, "root_trust", {"Root": [SECRET]}, exchange=None)
    message = str(caught.value)
    assert "ansible-core 2.19" in message and "_winrm_exec" in message
    assert "use ansible-core 2.21 or later, or ansible_connection=psrp" in message
    assert SECRET not in message
    assert connection.commands == [] and connection.connects == 0


@pytest.mark.parametrize("version", [(2, 16), (2, 21)])
def test_psrp_runs_the_bootstrap_itself(monkeypatch: pytest.MonkeyPatch, version: tuple[int, int]) -> None:
    """psrp starts no powershell.exe: the bootstrap is the pipeline's script on every version."""
    monkeypatch.setattr(channel, "_ansible_core_version", lambda: version)
    connection = RecordingConnection(OK_ANSWER)
    connection.transport = "psrp"  # type: ignore[attr-defined]
    channel.run_operation(connection, "root_trust", {}, exchange=None)
    [(cmd, _in_data)] = connection.calls
    assert cmd == channel.BOOTSTRAP


def test_installed_psrp_plugin_feeds_the_payload_as_pipeline_input(monkeypatch: pytest.MonkeyPatch) -> None:
    connection = connection_loader.get("psrp", PlayContext())
    seen: list[tuple[str, t.Any]] = []

    def fake_script(script: str, input_data: t.Any = None, **_kwargs: t.Any) -> tuple[int, bytes, bytes]:
        seen.append((script, input_data))
        return 0, result_line({"ok": True, "data": {}}), b""

    monkeypatch.setattr(connection, "_exec_psrp_script", fake_script)
    monkeypatch.setattr(connection, "_connect", lambda: connection)
    monkeypatch.setattr(connection, "_psrp_host", "127.0.0.1", raising=False)
    arguments = {"Root": ["QUJD"], "State": SECRET}
    channel.run_operation(connection, "root_trust", arguments, exchange=None)
    [(script, input_data)] = seen
    assert script.startswith(channel.BOOTSTRAP)
    assert "QUJD" not in script and SECRET not in script
    # 2.16-2.18 hand the bytes object to pypsrp (one number per byte); 2.19+ a list of bytes lines. The bootstrap
    # turns numbers and byte arrays back into text; both forms carry the whole payload.
    items = list(input_data)
    text = "".join(chr(item) if isinstance(item, int) else item.decode("ascii") for item in items)
    assert_carried_as_data(text.encode("ascii"), arguments)


def test_stdin_is_ascii_crlf_lines_of_at_most_4096() -> None:
    text = "x\u00e9\U0001f512\r\n" * 3000
    data = "Value s " + base64.b64encode(("\u2019" * 5000).encode()).decode() + "\n"
    stdin = channel.encode_stdin(channel.Payload(text=text, origins=(), data=data))
    assert stdin.isascii()
    assert stdin.endswith(b"\r\n")
    lines = stdin.split(b"\r\n")[:-1]
    assert all(0 < len(line) <= channel.STDIN_LINE for line in lines)
    assert len(lines) > 1
    # base64 of the script, ".", base64 of the data block: the only "." of stdin, wherever a line break falls.
    script_part, data_part = b"".join(lines).split(b".")
    assert base64.b64decode(script_part, validate=True).decode() == text
    assert base64.b64decode(data_part, validate=True).decode() == data
    assert split_stdin(stdin) == (text, data)


def test_stdin_without_arguments_has_an_empty_data_part() -> None:
    stdin = channel.encode_stdin(channel.Payload(text="Write-Output 1\r\n", origins=()))
    assert stdin.rstrip().endswith(b".") and split_stdin(stdin) == ("Write-Output 1\r\n", "")


@pytest.mark.parametrize(
    ("operation", "version", "loader", "fragment"),
    [
        ("exchange_info", None, None, "exchange_info.none.ps1"),
        ("exchange_info", "2007sp1", None, "exchange_info.2007sp1.ps1"),  # reads no Exchange cmdlet
        ("exchange_info", "2010", "Microsoft.Exchange.Management.PowerShell.E2010", "exchange_info.2010.ps1"),
        ("exchange_info", "2013", "Microsoft.Exchange.Management.PowerShell.SnapIn", "exchange_info.2013.ps1"),
        ("root_trust", "2010", None, None),
        ("root_trust", None, None, None),
    ],
)
def test_payload_layout(operation: str, version: str | None, loader: str | None, fragment: str | None) -> None:
    profile = profile_for(version) if version else None
    payload = channel.build_payload(operation=operation, arguments={"State": "present"}, exchange=profile)
    lines = payload.text.split("\r\n")
    assert payload.text.endswith("\r\n") and len(payload.origins) == len(lines) - 1
    # The prelude's first line of code opens the payload; no comment travels (no "# operation:" header either).
    first_number, first_line = compact_lines((SCRIPTS / "prelude.ps1").read_text(encoding="utf-8"))[0]
    assert lines[0] == first_line and payload.origins[0] == ("prelude.ps1", first_number)
    assert not any(line.startswith("#") for line in lines)
    assert "$ExumOperationName" not in payload.text
    assert lines[-2] == "Write-ExumResult (Invoke-ExumOperation -State $ExumArguments['State'])"
    assert payload.data == "State s cHJlc2VudA==\n"
    snapins = [line for line in lines if line.startswith("Add-PSSnapin")]
    assert snapins == ([f"Add-PSSnapin -Name '{loader}' -ErrorAction Stop"] if loader else [])
    names = list(dict.fromkeys(name for name, _line in payload.origins))
    assert names[0] == "prelude.ps1"
    assert f"{operation}.ps1" in names
    assert (fragment in names) if fragment else not any(name.count(".") == 2 for name in names)
    # Only the host's own version's Exchange fragment is in the payload.
    assert [name for name in names if name.startswith(f"{operation}.") and name != f"{operation}.ps1"] == (
        [fragment] if fragment else []
    )
    # Each host-script line is its source line without indentation, so locate() names the right one.
    for line, (name, number) in zip(lines[:-1], payload.origins, strict=True):
        if name != "payload":
            assert line == (SCRIPTS / name).read_text(encoding="utf-8").split("\n")[number - 1].strip()


def test_remote_shell_is_released_around_the_invocation() -> None:
    payload = channel.build_payload(
        operation="exchange_info",
        arguments={"Services": ["MSExchangeUM"]},
        exchange=profile_for("2013"),
        exchange_shell="remote",
        exchange_fqdn="exch2013.contoso.lab",
        exchange_credential=ShellCredential("CONTOSO\\Administrator", SECRET),
    )
    lines = payload.text.split("\r\n")
    assert lines[-2] == (
        "try { Write-ExumResult (Invoke-ExumOperation -Services $ExumArguments['Services']) } "
        "finally { Remove-PSSession -Session $ExumExchangeSession -ErrorAction SilentlyContinue }"
    )
    session = next(index for index, line in enumerate(lines) if line.startswith("$ExumExchangeSession = "))
    assert lines[session - 1].startswith("$ExumShellCredential = New-Object")
    # The cmdlets are loaded before the fragment that calls them is defined and run.
    assert session < lines.index("function Get-ExumExchangeState {")
    # The loader's endpoint and credential are arguments too: the operation's and the loader's in one data block.
    assert parse_data(payload.data) == {
        "Services": ["MSExchangeUM"],
        "ExchangeShellUri": "http://exch2013.contoso.lab/PowerShell/",
        "ExchangeShellUser": "CONTOSO\\Administrator",
        "ExchangeShellPassword": SECRET,
    }
    for value in ("exch2013.contoso.lab", "CONTOSO", "Pa$$w0rd"):
        assert value not in payload.text
    script = parse_script(payload.text)

    def given(call: Invocation, parameter: str) -> str:
        node = call.value_node(parameter)
        assert node is not None, parameter
        return script.text_of(node)

    [credential] = [call for call in invocations(script, "New-Object") if call.has("ArgumentList")]
    assert given(credential, "TypeName") == "'System.Management.Automation.PSCredential'"
    assert given(credential, "ArgumentList") == (
        "$ExumArguments['ExchangeShellUser'], "
        "(ConvertTo-SecureString -String $ExumArguments['ExchangeShellPassword'] -AsPlainText -Force)"
    )
    [new_session] = invocations(script, "New-PSSession")
    assert given(new_session, "ConnectionUri") == "$ExumArguments['ExchangeShellUri']"


def test_credential_travels_only_in_the_stdin_payload() -> None:
    failure = {"ok": False, "error": {"message": "Connecting to remote server failed", "fqid": "x", "line": 3}}
    connection = RecordingConnection((1, result_line(failure), b""))
    with pytest.raises(channel.HostOperationError) as caught:
        channel.run_operation(
            connection,
            "exchange_info",
            {"Services": ["MSExchangeUM"]},
            exchange=profile_for("2010"),
            exchange_shell="remote",
            exchange_fqdn="exch2010.contoso.lab",
            exchange_credential=ShellCredential("CONTOSO\\Administrator", SECRET),
        )
    [(cmd, in_data)] = connection.calls
    assert cmd == channel.BOOTSTRAP and SECRET not in cmd
    assert in_data is not None and in_data.isascii() and SECRET.encode("utf-8") not in in_data
    script, data = split_stdin(in_data)
    assert "-String $ExumArguments['ExchangeShellPassword'] -AsPlainText -Force" in script
    assert "Pa$$w0rd" not in script and "exch2010.contoso.lab" not in script
    assert parse_data(data)["ExchangeShellPassword"] == SECRET
    assert "Pa$$w0rd" not in str(caught.value) and "Pa$$w0rd" not in repr(caught.value.__dict__)


def _exchange_info_payload(
    services: list[str], *, shell: str, user: str = "", password: str = "", fqdn: str = "exch2013.contoso.lab"
) -> channel.Payload:
    return channel.build_payload(
        operation="exchange_info",
        arguments={"Services": services},
        exchange=profile_for("2013"),
        exchange_shell=shell,
        exchange_fqdn=fqdn,
        exchange_credential=ShellCredential(user, password) if shell == "remote" else None,
    )


@pytest.mark.parametrize("shell", ["snapin", "remote"])
def test_script_text_is_the_same_whatever_the_values(shell: str) -> None:
    """The script is made from the argument names only: no value, hostile or not, changes a character of it."""
    plain = _exchange_info_payload(["MSExchangeUM"], shell=shell, user="CONTOSO\\a", password="pw")
    hostile = _exchange_info_payload(INJECTIONS, shell=shell, user="o'brien\u2019$(x)", password=SECRET, fqdn="b.lab")
    assert hostile.text == plain.text and hostile.origins == plain.origins
    assert hostile.data != plain.data and parse_data(hostile.data)["Services"] == INJECTIONS
    root_trust = [
        {"Root": ["QUJD"], "Intermediate": [], "State": "present", "CheckMode": False},
        {"Root": INJECTIONS, "Intermediate": [SECRET, ""], "State": SECRET, "CheckMode": True},
    ]
    texts = {channel.build_payload(operation="root_trust", arguments=a, exchange=None).text for a in root_trust}
    assert len(texts) == 1


@pytest.mark.parametrize(
    ("arguments", "path"),
    [
        ({"Root": ["QUJD", "top\x00" + SECRET]}, "Root[1]"),
        ({"State": 1.5}, "State"),
        ({"CheckMode": None}, "CheckMode"),
        ({"Count": 2**31}, "Count"),
        ({"Bad-Name": "x"}, "'Bad-Name'"),
    ],
)
def test_an_argument_the_data_block_cannot_carry_stops_before_the_host(arguments: dict[str, t.Any], path: str) -> None:
    connection = RecordingConnection(OK_ANSWER)
    with pytest.raises(HostArgumentError) as caught:
        channel.run_operation(connection, "root_trust", arguments, exchange=None)
    assert caught.value.path == path
    assert connection.calls == []
    assert "Pa$$w0rd" not in str(caught.value) and "top" not in str(caught.value)


def test_an_operation_argument_cannot_shadow_the_loaders() -> None:
    with pytest.raises(HostArgumentError) as caught:
        channel.build_payload(
            operation="exchange_info",
            arguments={"Services": [], "ExchangeShellPassword": "x", "ExchangeShellUri": "y"},
            exchange=profile_for("2013"),
            exchange_shell="remote",
            exchange_fqdn="exch2013.contoso.lab",
            exchange_credential=ShellCredential("CONTOSO\\a", SECRET),
        )
    assert caught.value.path == "ExchangeShellPassword, ExchangeShellUri"
    assert "Pa$$w0rd" not in str(caught.value)


# -- payloads run on a lab host: its engine executes the bootstrap, the prelude's decoder and the operation ---------


@pytest.mark.parametrize("preset", ["2007sp1", "2010", "2013"])
def test_exchange_info_takes_hostile_service_names_as_names(preset: str) -> None:
    payload = channel.build_payload(
        operation="exchange_info", arguments={"Services": ["MSExchangeUM", *INJECTIONS]}, exchange=profile_for(preset)
    )
    data, stdout, stderr = run_on_lab_host(payload, lab_host(preset), operation="exchange_info")
    # Each value was a name Get-Service looked up (only the real one exists); none ran ("throw" would have failed it).
    assert [service["name"] for service in data["services"]] == ["MSExchangeUM"]
    assert "Pa$$w0rd" not in stdout + stderr


@pytest.mark.parametrize("preset", ["2010", "2013"])
def test_remote_shell_password_reaches_new_pssession_as_sent(preset: str) -> None:
    """The lab's New-PSSession checks the credential against the domain's account: the session opens only with the
    exact user and password, quotes, subexpression and line break included."""
    host = lab_host(preset, [Account("CONTOSO", "o'brien\u2019", SECRET)])
    payload = channel.build_payload(
        operation="exchange_info",
        arguments={"Services": ["MSExchangeUM"]},
        exchange=profile_for(preset),
        exchange_shell="remote",
        exchange_fqdn=host.spec.fqdn,
        exchange_credential=ShellCredential("CONTOSO\\o'brien\u2019", SECRET),
    )
    data, stdout, stderr = run_on_lab_host(payload, host, operation="exchange_info")
    assert data["exchange_error"] is None and data["um"] is not None
    assert host.counters.exchange_shell_loads == 1
    assert "Pa$$w0rd" not in stdout + stderr


def test_remote_shell_with_a_wrong_password_fails_without_echoing_it() -> None:
    host = lab_host("2013", [Account("CONTOSO", "o'brien", SECRET + "x")])
    payload = channel.build_payload(
        operation="exchange_info",
        arguments={"Services": []},
        exchange=profile_for("2013"),
        exchange_shell="remote",
        exchange_fqdn=host.spec.fqdn,
        exchange_credential=ShellCredential("CONTOSO\\o'brien", SECRET),
    )
    with pytest.raises(channel.HostOperationError) as caught:
        run_on_lab_host(payload, host, operation="exchange_info")
    assert caught.value.fqid == "LogonFailure,PSSessionOpenFailed"
    assert "Pa$$w0rd" not in str(caught.value) and "Pa$$w0rd" not in repr(caught.value.__dict__)
    assert host.counters.exchange_shell_loads == 0


def test_locate_maps_payload_lines_to_script_lines() -> None:
    payload = channel.build_payload(operation="root_trust", arguments={}, exchange=None)
    lines = payload.text.split("\r\n")
    script = (SCRIPTS / "root_trust.ps1").read_text().split("\n")
    assert len(payload.origins) == len(lines) - 1
    for number, (name, source_line) in enumerate(payload.origins, start=1):
        location = payload.locate(number)
        assert location == f"{name} line {source_line}"
        if name == "root_trust.ps1":
            # The payload line is the script's line without its indentation.
            assert lines[number - 1] == script[source_line - 1].lstrip()
    first = [name for name, _line in payload.origins].index("root_trust.ps1") + 1
    # The script's first line of code, after its header comments (which do not travel).
    first_code = compact_lines("\n".join(script))[0][0]
    assert first_code > 1 and script[first_code - 1].startswith("param(")
    assert payload.locate(first) == f"root_trust.ps1 line {first_code}"
    assert payload.locate(len(lines) - 1) == f"payload line {len(lines) - 1}"
    assert payload.locate(None) is None and payload.locate(0) is None and payload.locate(len(lines)) is None


TRAPPED: dict[str, t.Any] = {
    "ok": False,
    "error": {
        "message": "Access to the store is denied.",
        "fqid": "CryptographicException",
        "category": "NotSpecified",
        "line": 120,
        "exception": "System.Security.Cryptography.CryptographicException",
    },
}
CLIXML_NOT_FOUND = (
    '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04"><S S="Error">'
    "The term 'ConvertTo-Json' is not recognized as the name of a cmdlet, function, script file, or operable program."
    "_x000D__x000A_At line:1 char:15_x000D__x000A_+ ConvertTo-Json &lt;&lt;&lt;&lt; @{}_x000D__x000A_"
    "    + CategoryInfo          : ObjectNotFound: (ConvertTo-Json:String) [], CommandNotFoundException_x000D__x000A_"
    "    + FullyQualifiedErrorId : CommandNotFoundException_x000D__x000A_</S></Objs>"
)


@pytest.mark.parametrize(
    ("rc", "stdout", "stderr", "error", "attributes"),
    [
        (1, result_line(TRAPPED), b"", channel.HostOperationError, {"fqid": "CryptographicException", "line": 120}),
        (
            1,
            b"",
            CLIXML_NOT_FOUND.encode(),
            channel.HostOperationError,
            {"fqid": "CommandNotFoundException", "category": "ObjectNotFound", "line": 1, "rc": 1},
        ),
        (1, b"", b"The command line is too long.\r\n", channel.HostOperationError, {"fqid": None, "rc": 1}),
        (0, b"some text\r\n", b"", channel.HostProtocolError, {"rc": 0}),
        (0, b"@@EXUM_RESULT@@{not json\r\n", b"", channel.HostProtocolError, {}),
        (0, result_line({"ok": True, "data": {}}) * 2, b"", channel.HostProtocolError, {}),
        (0, result_line({"ok": True, "data": [1]}), b"", channel.HostProtocolError, {}),
        (0, result_line({"data": {}}), b"", channel.HostProtocolError, {}),
    ],
)
def test_error_mapping(
    rc: int, stdout: bytes, stderr: bytes, error: type[Exception], attributes: dict[str, t.Any]
) -> None:
    with pytest.raises(error) as caught:
        channel.parse_result(operation="root_trust", rc=rc, stdout=stdout, stderr=stderr)
    assert isinstance(caught.value, channel.HostChannelError)
    assert caught.value.operation == "root_trust"
    for name, value in attributes.items():
        assert getattr(caught.value, name) == value


def test_trapped_error_names_the_script_line() -> None:
    payload = channel.build_payload(operation="root_trust", arguments={}, exchange=None)
    # The script's first line after its header that travels (comment lines do not).
    number = next(number for name, number in payload.origins if name == "root_trust.ps1" and number > 1)
    line = payload.origins.index(("root_trust.ps1", number)) + 1
    document = {"ok": False, "error": {**TRAPPED["error"], "line": line}}
    with pytest.raises(channel.HostOperationError) as caught:
        channel.parse_result(operation="root_trust", rc=1, stdout=result_line(document), stderr=b"", payload=payload)
    assert caught.value.location == f"root_trust.ps1 line {number}"
    assert f"root_trust.ps1 line {number}" in str(caught.value)
    assert "Access to the store is denied." in str(caught.value)


def test_result_line_among_other_output() -> None:
    stdout = b"WARNING: something\r\n" + result_line({"ok": True, "data": {"a": [1, None]}}) + b"trailing\r\n"
    assert channel.parse_result(operation="x", rc=0, stdout=stdout, stderr=b"") == {"a": [1, None]}


def test_protocol_error_excerpt_is_short() -> None:
    with pytest.raises(channel.HostProtocolError) as caught:
        channel.parse_result(operation="x", rc=0, stdout=b"y" * 10000, stderr=b"")
    assert len(caught.value.excerpt) <= channel.EXCERPT + 3
    assert len(str(caught.value)) < 400


@pytest.mark.parametrize(
    "failure",
    [
        AnsibleConnectionFailure("winrm connection error: timed out"),
        ConnectionResetError("reset by peer"),
    ],
)
def test_connection_failures_are_unreachable(failure: Exception) -> None:
    connection = RecordingConnection(failure)
    with pytest.raises(channel.HostUnreachable) as caught:
        channel.run_operation(connection, "exchange_info", {"Services": []}, exchange=None)
    assert caught.value.operation == "exchange_info"
    assert len(connection.calls) == 1


def test_other_errors_are_not_hidden() -> None:
    connection = RecordingConnection(AnsibleError("winrm or requests is not installed: No module named 'winrm'"))
    with pytest.raises(AnsibleError):
        channel.run_operation(connection, "exchange_info", {"Services": []}, exchange=None)


def test_one_exec_command_with_the_secret_only_on_stdin() -> None:
    connection = RecordingConnection((0, result_line({"ok": True, "data": {"done": True}}), b""))
    data = channel.run_operation(connection, "root_trust", {"Root": [SECRET]}, exchange=profile_for("2010"))
    assert data == {"done": True}
    [(cmd, in_data)] = connection.calls
    assert cmd == channel.BOOTSTRAP
    assert in_data is not None and SECRET.encode() not in in_data
    assert_carried_as_data(in_data, {"Root": [SECRET]})
