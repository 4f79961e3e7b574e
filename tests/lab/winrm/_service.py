"""The WinRS operations of WS-Management: Create, Command, Send, Receive, Signal, Delete.

Each takes a parsed request and returns the response envelope or raises :class:`WsmanFault`
(winrm-protocol.md, "WS-Management operations a faithful endpoint must serve"). Faults armed in ``faults``
(``_faults.py``) take effect here: before the operation (drop, WS-Man faults, a vanished shell), inside Receive
(after the command's end, part-way through its output) or after it (a late answer).
"""

from __future__ import annotations

import base64
import binascii
import time
from collections.abc import Callable
from xml.sax.saxutils import escape, quoteattr

from ._console import codec_for
from ._faults import ConnectionDropped, FaultPlan, wsman_fault
from ._host import CommandHost
from ._shell import Command, OutputChunk, Shell, ShellTable
from ._soap import (
    ERROR_WINRS_CODE_PAGE_NOT_SUPPORTED,
    ERROR_WSMAN_ACTION_NOT_SUPPORTED,
    ERROR_WSMAN_INVALID_PARAMETER,
    ERROR_WSMAN_MAX_ENVELOPE_SIZE,
    ERROR_WSMAN_OPERATION_TIMEDOUT,
    ERROR_WSMAN_UNEXPECTED_SELECTORS,
    NS,
    SHELL_ACTION,
    TRANSFER_ACTION,
    WsmanFault,
    WsmanRequest,
    envelope,
)
from ._versions import WinrmProfile

__all__ = ["WinrsService"]

_SHELL_URI = "http://schemas.microsoft.com/wbem/wsman/1/windows/shell/cmd"
_TERMINATE = SHELL_ACTION + "signal/terminate"
# MS-WSMV 2.2.4.10: MaxTimeoutms defaults to 60000; used when a request carries no OperationTimeout.
_DEFAULT_OPERATION_TIMEOUT = 60.0
# An empty console code page option means the system OEM code page: 437 on an en-US Windows (pywinrm's default too).
_DEFAULT_CODEPAGE = 437
# Room for the envelope around the base64 output streams of one Receive reply (measured: < 1.5 KB).
_ENVELOPE_RESERVE = 2048
_MIN_ENVELOPE_SIZE = 8192
# Faults that take effect before the operation runs.
_FAULTS_BEFORE = ("drop", "status_500", "quota", "timeout", "shell_not_found")


class WinrsService:
    """Dispatches one endpoint's WS-Management requests to its shells."""

    def __init__(self, *, host: CommandHost, profile: WinrmProfile, address: str) -> None:
        self._host = host
        self._profile = profile
        self._address = address
        self.shells = ShellTable()
        self.faults = FaultPlan()
        self._operations: dict[str, Callable[[WsmanRequest], bytes]] = {
            TRANSFER_ACTION + "Create": self._create,
            TRANSFER_ACTION + "Delete": self._delete,
            SHELL_ACTION + "Command": self._command,
            SHELL_ACTION + "Send": self._send,
            SHELL_ACTION + "Receive": self._receive,
            SHELL_ACTION + "Signal": self._signal,
        }

    def handle(self, request: WsmanRequest) -> bytes:
        operation = self._operations.get(request.action)
        if operation is None:
            raise WsmanFault(
                sender=True,
                subcode="a:ActionNotSupported",
                code=ERROR_WSMAN_ACTION_NOT_SUPPORTED,
                reason=f"The action {request.action} is not supported by the service.",
            )
        name = request.action.rsplit("/", 1)[-1]
        self._fault_before(name, request)
        answer = operation(request)
        slow = self.faults.find(name, ("slow",))
        if slow is not None:
            self.faults.fire(slow, **_target(request))
            time.sleep(slow.seconds)  # the work is done; only the answer leaves late
        return answer

    def _fault_before(self, name: str, request: WsmanRequest) -> None:
        fault = self.faults.find(name, _FAULTS_BEFORE)
        if fault is None:
            return
        self.faults.fire(fault, **_target(request))
        if fault.kind == "drop":
            raise ConnectionDropped(f"{fault.kind} at {name}")
        if fault.kind == "shell_not_found":
            # Shells do not outlive the WinRM service (a restart) or their own close: the request then names a
            # shell the service does not know, and its own lookup answers w:InvalidSelectors.
            self.shells.delete(request.selectors.get("ShellId", ""))
            return
        raise wsman_fault(fault)

    # ---- transfer

    def _create(self, request: WsmanRequest) -> bytes:
        codepage_text = request.options.get("WINRS_CODEPAGE", "").strip()
        try:
            codepage = int(codepage_text) if codepage_text else _DEFAULT_CODEPAGE
            codec_for(codepage)
        except (ValueError, LookupError):
            raise WsmanFault(
                sender=False,
                subcode="w:InternalError",
                code=ERROR_WINRS_CODE_PAGE_NOT_SUPPORTED,
                reason=f"The WinRS client cannot process the request. The code page {codepage_text} "
                "is not supported on the remote host.",
            ) from None
        shell = self.shells.create(codepage=codepage, logon=request.logon)
        # pywinrm reads the ShellId from the Selector of ResourceCreated, not from rsp:ShellId (winrm-protocol.md).
        body = (
            f"<x:ResourceCreated><a:Address>http://{escape(self._address)}/wsman</a:Address>"
            f"<a:ReferenceParameters><w:ResourceURI>{_SHELL_URI}</w:ResourceURI>"
            f'<w:SelectorSet><w:Selector Name="ShellId">{shell.shell_id}</w:Selector></w:SelectorSet>'
            f"</a:ReferenceParameters></x:ResourceCreated>"
            f"<rsp:Shell><rsp:ShellId>{shell.shell_id}</rsp:ShellId><rsp:ResourceUri>{_SHELL_URI}</rsp:ResourceUri>"
            f"<rsp:InputStreams>stdin</rsp:InputStreams><rsp:OutputStreams>stdout stderr</rsp:OutputStreams>"
            f"</rsp:Shell>"
        )
        return envelope(TRANSFER_ACTION + "CreateResponse", request.message_id, body)

    def _delete(self, request: WsmanRequest) -> bytes:
        shell = self._shell(request)
        self.shells.delete(shell.shell_id)
        return envelope(TRANSFER_ACTION + "DeleteResponse", request.message_id, "")

    # ---- shell

    def _command(self, request: WsmanRequest) -> bytes:
        shell = self._shell(request)
        line = request.body.find("rsp:CommandLine", NS)
        if line is None:
            raise _invalid_parameter("The rsp:CommandLine element is missing.")
        command_text = line.findtext("rsp:Command", default="", namespaces=NS) or ""
        arguments = [arg.text or "" for arg in line.findall("rsp:Arguments", NS)]
        command_line = " ".join([command_text.strip(), *arguments]) if arguments else command_text.strip()
        self._host.record_command()
        self.faults.command_started()
        command = Command(
            host=self._host,
            command_line=command_line,
            codepage=shell.codepage,
            console_mode_stdin=request.option_true("WINRS_CONSOLEMODE_STDIN", default=True),
            skip_cmd_shell=request.option_true("WINRS_SKIP_CMD_SHELL", default=False),
            logon=shell.logon,  # the shell's process runs under the logon of its Create; commands are its children
        )
        shell.commands[command.command_id] = command
        body = f"<rsp:CommandResponse><rsp:CommandId>{command.command_id}</rsp:CommandId></rsp:CommandResponse>"
        return envelope(SHELL_ACTION + "CommandResponse", request.message_id, body)

    def _send(self, request: WsmanRequest) -> bytes:
        shell = self._shell(request)
        for stream in request.body.findall("rsp:Send/rsp:Stream", NS):
            command = self._command_of(shell, stream.get("CommandId"))
            if stream.get("Name", "stdin") != "stdin":
                raise _invalid_parameter(f"The stream {stream.get('Name')} is not an input stream of the shell.")
            try:
                data = base64.b64decode(stream.text or "", validate=True)
            except binascii.Error:
                raise _invalid_parameter("The stdin stream is not valid base64.") from None
            # winrm-protocol.md: compare End case-insensitively (pywinrm sends "true"/"false", others "TRUE").
            command.send(data, end=(stream.get("End") or "").strip().lower() == "true")
        return envelope(SHELL_ACTION + "SendResponse", request.message_id, "<rsp:SendResponse/>")

    def _receive(self, request: WsmanRequest) -> bytes:
        shell = self._shell(request)
        desired = request.body.find("rsp:Receive/rsp:DesiredStream", NS)
        if desired is None:
            raise _invalid_parameter("The rsp:DesiredStream element is missing.")
        command = self._command_of(shell, desired.get("CommandId"))
        if self.faults.take_cut(command.command_id):
            raise ConnectionDropped("drop_during_receive: the Receive after the partial output")
        cut = self.faults.find("Receive", ("drop_during_receive",))
        chunk = command.receive(
            timeout=request.operation_timeout or _DEFAULT_OPERATION_TIMEOUT,
            max_bytes=self._output_budget(request),
            part=cut is not None,
        )
        if chunk is not None and cut is not None and not chunk.done:
            # A real process writes its output over time; a reply that carries part of it has State Running.
            self.faults.fire(cut, **_target(request), stage="part of the output delivered")
            self.faults.cut(cut, command.command_id)
        elif chunk is not None and chunk.done:
            after = self.faults.find("Receive", ("drop_after_run",))
            if after is not None:
                self.faults.fire(after, **_target(request), stage="command ended, reply dropped")
                raise ConnectionDropped("drop_after_run")
        if chunk is None:
            raise WsmanFault(
                sender=False,
                subcode="w:TimedOut",
                code=ERROR_WSMAN_OPERATION_TIMEDOUT,
                reason="The WS-Management service cannot complete the operation within the time "
                "specified in OperationTimeout.",
            )
        return envelope(SHELL_ACTION + "ReceiveResponse", request.message_id, _receive_body(command, chunk))

    def _signal(self, request: WsmanRequest) -> bytes:
        shell = self._shell(request)
        signal = request.body.find("rsp:Signal", NS)
        if signal is None:
            raise _invalid_parameter("The rsp:Signal element is missing.")
        command = self._command_of(shell, signal.get("CommandId"))
        code = (signal.findtext("rsp:Code", default="", namespaces=NS) or "").strip()
        if code == _TERMINATE:
            command.terminate()
            shell.commands.pop(command.command_id, None)
        return envelope(SHELL_ACTION + "SignalResponse", request.message_id, "<rsp:SignalResponse/>")

    # ---- helpers

    def _shell(self, request: WsmanRequest) -> Shell:
        shell_id = request.selectors.get("ShellId", "")
        shell = self.shells.get(shell_id)
        if shell is None:
            raise WsmanFault(
                sender=True,
                subcode="w:InvalidSelectors",
                code=ERROR_WSMAN_UNEXPECTED_SELECTORS,
                reason=f"The request for the Windows Remote Shell with ShellId {shell_id} failed "
                "because the shell was not found on the server. Possible causes are: the specified "
                "ShellId is incorrect or the shell no longer exists on the server. Provide the correct "
                "ShellId or create a new shell and retry the operation.",
            )
        return shell

    @staticmethod
    def _command_of(shell: Shell, command_id: str | None) -> Command:
        command = shell.commands.get(command_id or "")
        if command is None:
            raise _invalid_parameter(f"The command with CommandId {command_id} was not found in the shell.")
        return command

    def _output_budget(self, request: WsmanRequest) -> int:
        """Raw output bytes per Receive reply so that the base64 envelope fits the client's MaxEnvelopeSize."""
        limit = self._profile.max_envelope_size
        if request.max_envelope_size is not None:
            if request.max_envelope_size < _MIN_ENVELOPE_SIZE:
                # MS-WSMV 3.1.4.1.7: a MaxEnvelopeSize under 8192 octets gets a wsman:EncodingLimit fault.
                raise WsmanFault(
                    sender=True,
                    subcode="w:EncodingLimit",
                    code=ERROR_WSMAN_MAX_ENVELOPE_SIZE,
                    reason="The WS-Management service cannot process the request because the "
                    "MaxEnvelopeSize is too small.",
                )
            limit = min(limit, request.max_envelope_size)
        return (limit - _ENVELOPE_RESERVE) // 4 * 3


def _target(request: WsmanRequest) -> dict[str, str]:
    """The shell and command a request names, for the record of a fault that hit it."""
    target = {"shell_id": request.selectors.get("ShellId", "")}
    for element in request.body.iter():
        if element.get("CommandId"):
            target["command_id"] = element.get("CommandId", "")
            break
    return target


def _invalid_parameter(reason: str) -> WsmanFault:
    return WsmanFault(sender=True, subcode="w:InvalidParameter", code=ERROR_WSMAN_INVALID_PARAMETER, reason=reason)


def _receive_body(command: Command, chunk: OutputChunk) -> str:
    """Streams then exactly one CommandState; empty ``End`` streams and ExitCode only on the last reply."""
    cid = quoteattr(command.command_id)
    parts = []
    for name, data in (("stdout", chunk.stdout), ("stderr", chunk.stderr)):
        if data:
            parts.append(f'<rsp:Stream Name="{name}" CommandId={cid}>{base64.b64encode(data).decode()}</rsp:Stream>')
    if chunk.done:
        parts.append(f'<rsp:Stream Name="stdout" CommandId={cid} End="true"></rsp:Stream>')
        parts.append(f'<rsp:Stream Name="stderr" CommandId={cid} End="true"></rsp:Stream>')
        parts.append(
            f'<rsp:CommandState CommandId={cid} State="{SHELL_ACTION}CommandState/Done">'
            f"<rsp:ExitCode>{chunk.exit_code}</rsp:ExitCode></rsp:CommandState>"
        )
    else:
        parts.append(f'<rsp:CommandState CommandId={cid} State="{SHELL_ACTION}CommandState/Running"/>')
    return f"<rsp:ReceiveResponse>{''.join(parts)}</rsp:ReceiveResponse>"
