"""One host operation = one command on the task's own connection (docs/architecture.md, "Host channel").

The command carries only :data:`BOOTSTRAP`, a fixed line. Over ``winrm`` it is started as :func:`command_line`,
``powershell.exe -NoProfile -NonInteractive -EncodedCommand ...`` without ``-ExecutionPolicy``, which PowerShell 1.0's
powershell.exe is not documented to accept: ansible-core 2.21+ ``exec_command`` passes a command containing
`` -EncodedCommand `` through as it is; 2.16-2.20 wrap every command with ``-ExecutionPolicy Unrestricted``, so there
the channel calls the connection's private ``_winrm_exec`` as ``exec_command`` would (docs/host-channel.md, "The
command line"). ``psrp`` runs the line as the pipeline's script with ``in_data`` as pipeline input. The payload
travels on stdin as base64 lines, so no argument and no secret ever appears on a command line, in a process list or
in ansible's own ``EXEC`` log lines. The payload itself is never logged.
"""

from __future__ import annotations

import base64
import inspect
import json
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from ._clixml import decode_stderr, parse_error_text
from ._connection_errors import ConnectionFailure, classify_connection_error
from ._exchange import ExchangeProfile, ShellCredential
from ._host_data import HostArgumentError, encode_arguments, named_arguments
from ._ps_compact import compact_lines

__all__ = [
    "BOOTSTRAP",
    "RESULT_MARKER",
    "HostChannelError",
    "HostChannelUnsupported",
    "HostOperationError",
    "HostProtocolError",
    "HostUnreachable",
    "HostWinrmFault",
    "Payload",
    "build_payload",
    "command_line",
    "encode_stdin",
    "parse_result",
    "run_operation",
]

RESULT_MARKER = "@@EXUM_RESULT@@"
STDIN_LINE = 4096
EXCERPT = 240

# PowerShell 1.0-safe. $input yields stdin lines under powershell.exe (2.0 and later); under psrp it yields the
# pipeline input, which pypsrp sends as strings, byte arrays (bytes lines, ansible-core 2.19+) or numbers (single
# bytes, 2.16-2.18). When $input yielded nothing (PowerShell 1.0 under -EncodedCommand is not confirmed to feed it),
# the bootstrap reads the process's standard input itself: .NET 2.0 Console.In, which WinRS Send writes to. Any
# whitespace left between base64 characters is ignored by Convert.FromBase64String.
BOOTSTRAP = (
    "$ErrorActionPreference='Stop';$exumIn=New-Object Text.StringBuilder;"
    "foreach($exumLine in $input){if($exumLine -is [byte[]]){$exumLine=[Text.Encoding]::ASCII.GetString($exumLine)}"
    "elseif($exumLine -is [ValueType]){$exumLine=[string][char]$exumLine};[void]$exumIn.Append([string]$exumLine)};"
    "if($exumIn.Length -eq 0){[void]$exumIn.Append([Console]::In.ReadToEnd())};"
    "$exumParts=$exumIn.ToString().Split('.');"
    "$exumData=[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($exumParts[1]));"
    "&($ExecutionContext.InvokeCommand.NewScriptBlock("
    "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($exumParts[0]))))"
)

# How the channel starts powershell.exe over WinRM: no -ExecutionPolicy. That switch is documented from PowerShell 2.0,
# and it is not needed: execution policy governs script files, configuration files and profiles, while a command
# given on the command line runs under every policy (about_Execution_Policies: Restricted "permits individual
# commands"); -NoProfile loads no profile and the payload is a script block made in memory, not a script file.
POWERSHELL = "powershell.exe -NoProfile -NonInteractive -EncodedCommand"
# The first ansible-core whose winrm exec_command passes a command containing " -EncodedCommand " through as it is
# (lib/ansible/plugins/connection/winrm.py of 2.21.5); every earlier one wraps it with -ExecutionPolicy Unrestricted.
PASSTHROUGH_VERSION = (2, 21)
# Connection._winrm_exec(command, args, from_exec, stdin_iterator) and _wrapper_payload_stream(payload): the steps
# exec_command takes after building its command line, the same in 2.16.19, 2.17.14, 2.18.19, 2.19.14 and 2.20.10.
_WINRM_EXEC_PARAMETERS = ("command", "args", "from_exec", "stdin_iterator")

# Operations whose Exchange part is a per-version fragment (``<operation>.<profile key>.ps1`` or ``.none.ps1``),
# defined in the payload as the function named here.
_FRAGMENTS: Mapping[str, str] = {
    "exchange_info": "Get-ExumExchangeState",
    "service_binding": "Invoke-ExumBindingStep",
    "certificate_request": "Invoke-ExumRequestMethod",
}


class HostChannelError(Exception):
    """Root of the host channel's errors; ``operation`` names the host script."""

    def __init__(self, message: str, *, operation: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.message = message


class HostUnreachable(HostChannelError):
    """The connection failed (WinRM transport, authentication, timeout): the task is unreachable, not failed.

    ``step`` is the WinRM step under way (connect, command, send, receive, cleanup, unknown), ``cause`` what went
    wrong (dropped, timed_out, operation_timeout, shell_gone, http_status, ...), ``may_have_changed`` False only
    when the operation cannot have reached the host.
    """

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        cause: str = "other",
        step: str = "unknown",
        may_have_changed: bool = True,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.cause = cause
        self.step = step
        self.may_have_changed = may_have_changed
        self.http_status = http_status


class HostWinrmFault(HostChannelError):
    """The WinRM service answered with a WS-Management fault that refuses the request (a quota, an internal error):
    the host is reachable and the task failed. ``subcode`` (``w:QuotaLimit``) and ``code`` (the WSManFault or WMI
    error number) say which; ``step`` and ``may_have_changed`` as for :class:`HostUnreachable`."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        cause: str,
        step: str,
        may_have_changed: bool,
        subcode: str | None = None,
        code: int | None = None,
        http_status: int | None = None,
    ) -> None:
        super().__init__(message, operation=operation)
        self.cause = cause
        self.step = step
        self.may_have_changed = may_have_changed
        self.subcode = subcode
        self.code = code
        self.http_status = http_status


class HostOperationError(HostChannelError):
    """PowerShell on the host reported an error, trapped by the prelude or printed as CLIXML before it ran."""

    def __init__(
        self,
        message: str,
        *,
        operation: str,
        fqid: str | None = None,
        category: str | None = None,
        line: int | None = None,
        location: str | None = None,
        exception: str | None = None,
        rc: int | None = None,
    ) -> None:
        where = f" ({location})" if location else ""
        ident = f" [{fqid}]" if fqid else ""
        super().__init__(f"{operation} failed on the host{where}: {message}{ident}", operation=operation)
        self.message = message
        self.fqid = fqid
        self.category = category
        self.line = line
        self.location = location
        self.exception = exception
        self.rc = rc


class HostChannelUnsupported(HostChannelError):
    """This ansible-core's winrm connection gives no way to start powershell.exe without -ExecutionPolicy."""


class HostProtocolError(HostChannelError):
    """The host answered without a valid result line; ``excerpt`` is a short piece of its output."""

    def __init__(self, message: str, *, operation: str, rc: int | None, excerpt: str) -> None:
        super().__init__(f"{operation}: {message} (rc={rc}; output: {excerpt!r})", operation=operation)
        self.message = message
        self.rc = rc
        self.excerpt = excerpt


@dataclass(frozen=True)
class Payload:
    """The script sent on stdin, and where each of its lines comes from, to place error lines in the host scripts.

    ``origins[n - 1]`` is ``(script, line)`` for payload line ``n``: a host script's file name and its line in that
    file, or ``("payload", n)`` for a line the channel wrote itself.
    """

    text: str
    origins: tuple[tuple[str, int], ...]
    data: str = ""

    def locate(self, line: int | None) -> str | None:
        """``root_trust.ps1 line 12`` for a payload line, or None when unknown."""
        if line is None or not 1 <= line <= len(self.origins):
            return None
        name, number = self.origins[line - 1]
        return f"{name} line {number}"


def _script(name: str) -> str:
    return files(__package__).joinpath("host_scripts").joinpath(name).read_text(encoding="utf-8")


def _needs_exchange_shell(script: str) -> bool:
    """A host script's ``# exchange:`` header says whether it calls Exchange cmdlets (``none``: it does not)."""
    for line in script.splitlines()[:5]:
        if line.lower().startswith("# exchange:"):
            return line.split(":", 1)[1].strip().lower() != "none"
    return True


def build_payload(
    *,
    operation: str,
    arguments: Mapping[str, object],
    exchange: ExchangeProfile | None,
    exchange_shell: str = "snapin",
    exchange_fqdn: str | None = None,
    exchange_credential: ShellCredential | None = None,
    fragment: str | None = None,
) -> Payload:
    """Prelude, Exchange loader, fragment and operation functions, one invocation line, and the data block.

    Host scripts travel without their comment and blank lines (``_ps_compact``). The arguments (the operation's and
    the loader's) go to the data block; the script refers to them by name only (_host_data.py). ``fragment`` names
    a variant of the version's fragment (``<operation>.<fragment>.ps1``) where one version has two, one that calls
    Exchange cmdlets and one that does not.
    A loader that leaves something to release (a remote session) gets it released in a ``finally`` around the
    invocation, so a failing operation releases it too (the prelude's trap ends the script through that block).
    """
    chunks: list[tuple[str | None, str]] = [("prelude.ps1", _script("prelude.ps1"))]
    data = dict(arguments)
    fragment_function = _FRAGMENTS.get(operation)
    release = None
    if fragment_function is not None:
        fragment = f"{operation}.{fragment or (exchange.key if exchange is not None else 'none')}.ps1"
        fragment_text = _script(fragment)
        if exchange is not None and _needs_exchange_shell(fragment_text):
            loader = exchange.loader(shell=exchange_shell, fqdn=exchange_fqdn, credential=exchange_credential)
            chunks.append((None, "\n".join(loader.lines)))
            release = loader.release
            clash = sorted(set(loader.arguments) & set(data))
            if clash:
                raise HostArgumentError("also an argument of the Exchange shell's loader", path=", ".join(clash))
            data.update(loader.arguments)
        chunks.append((None, f"function {fragment_function} {{"))
        chunks.append((fragment, fragment_text))
        chunks.append((None, "}"))
    chunks.append((None, "function Invoke-ExumOperation {"))
    chunks.append((f"{operation}.ps1", _script(f"{operation}.ps1")))
    chunks.append((None, "}"))
    invocation = " ".join(filter(None, ["Invoke-ExumOperation", named_arguments(arguments)]))
    invocation = f"Write-ExumResult ({invocation})"
    chunks.append((None, invocation if release is None else f"try {{ {invocation} }} finally {{ {release} }}"))
    lines: list[str] = []
    origins: list[tuple[str, int]] = []
    for name, text in chunks:
        if name is None:
            for line in text.split("\n"):
                lines.append(line)
                origins.append(("payload", len(lines)))
            continue
        for number, line in compact_lines(text):
            lines.append(line)
            origins.append((name, number))
    return Payload(text="\r\n".join(lines) + "\r\n", origins=tuple(origins), data=encode_arguments(data))


def command_line(script: str = BOOTSTRAP) -> str:
    """``powershell.exe -NoProfile -NonInteractive -EncodedCommand <base64 of the UTF-16-LE script>``."""
    return f"{POWERSHELL} {base64.b64encode(script.encode('utf-16-le')).decode('ascii')}"


def encode_stdin(payload: Payload) -> bytes:
    """Base64 of the UTF-8 script, ``.``, base64 of the data block (_host_data.py), in CRLF lines: ASCII only, so no
    console code page can alter it."""
    parts = (payload.text, payload.data)
    encoded = ".".join(base64.b64encode(part.encode("utf-8", errors="surrogatepass")).decode("ascii") for part in parts)
    lines = [encoded[index : index + STDIN_LINE] for index in range(0, len(encoded), STDIN_LINE)]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def _text(data: bytes | str) -> str:
    return data.decode("utf-8", errors="replace") if isinstance(data, bytes) else data


def _excerpt(text: str) -> str:
    """A short piece of what the host printed; host output never contains the payload, only results and errors."""
    flat = " ".join(text.split())
    return flat if len(flat) <= EXCERPT else flat[:EXCERPT] + "..."


def parse_result(
    *, operation: str, rc: int, stdout: bytes | str, stderr: bytes | str, payload: Payload | None = None
) -> dict[str, t.Any]:
    """The ``data`` of the result line, or the matching :class:`HostChannelError`."""
    out = _text(stdout)
    result_lines = [line.strip() for line in out.splitlines() if line.strip().startswith(RESULT_MARKER)]
    if len(result_lines) > 1:
        raise HostProtocolError("more than one result line", operation=operation, rc=rc, excerpt=_excerpt(out))
    if not result_lines:
        error_text = decode_stderr(stderr).strip()
        if error_text:
            parsed = parse_error_text(error_text)
            raise HostOperationError(
                parsed.message or error_text,
                operation=operation,
                fqid=parsed.fqid,
                category=parsed.category,
                line=parsed.line,
                location=payload.locate(parsed.line) if payload else None,
                rc=rc,
            )
        raise HostProtocolError("the host printed no result line", operation=operation, rc=rc, excerpt=_excerpt(out))
    try:
        document = json.loads(result_lines[0][len(RESULT_MARKER) :])
    except ValueError:
        raise HostProtocolError(
            "the result line is not JSON", operation=operation, rc=rc, excerpt=_excerpt(result_lines[0])
        ) from None
    if not isinstance(document, dict) or not isinstance(document.get("ok"), bool):
        raise HostProtocolError("the result has no ok flag", operation=operation, rc=rc, excerpt=_excerpt(out))
    if document["ok"]:
        data = document.get("data")
        if not isinstance(data, dict):
            raise HostProtocolError("the result data is not an object", operation=operation, rc=rc, excerpt="")
        return data
    error: dict[str, t.Any] = document["error"] if isinstance(document.get("error"), dict) else {}
    line = error.get("line") if isinstance(error.get("line"), int) else None
    raise HostOperationError(
        str(error.get("message") or "unknown error"),
        operation=operation,
        fqid=error.get("fqid") or None,
        category=error.get("category") or None,
        line=line,
        location=payload.locate(line) if payload else None,
        exception=error.get("exception") or None,
        rc=rc,
    )


def _channel_error(failure: ConnectionFailure, *, operation: str) -> HostChannelError:
    """:class:`HostUnreachable`, or :class:`HostWinrmFault` when the WinRM service answered and refused."""
    message = f"{operation}: {failure.message}"
    if failure.unreachable:
        return HostUnreachable(
            message,
            operation=operation,
            cause=failure.cause,
            step=failure.step,
            may_have_changed=failure.may_have_changed,
            http_status=failure.http_status,
        )
    return HostWinrmFault(
        message,
        operation=operation,
        cause=failure.cause,
        step=failure.step,
        may_have_changed=failure.may_have_changed,
        subcode=failure.subcode,
        code=failure.code,
        http_status=failure.http_status,
    )


class _Connection(t.Protocol):
    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        """Run ``cmd`` on the host with ``in_data`` on its stdin; return (rc, stdout, stderr)."""


def _ansible_core_version() -> tuple[int, int]:
    """(major, minor) of the running ansible-core."""
    from ansible.release import __version__

    major, minor = __version__.split(".")[:2]
    return int(major), int(minor)


def _execute(connection: _Connection, stdin: bytes, *, operation: str) -> tuple[int, bytes, bytes]:
    """Start the bootstrap with ``stdin``: over winrm as :func:`command_line` on every ansible-core, else as it is."""
    if getattr(connection, "transport", None) != "winrm":
        return connection.exec_command(BOOTSTRAP, in_data=stdin, sudoable=False)
    if _ansible_core_version() >= PASSTHROUGH_VERSION:
        return connection.exec_command(command_line(), in_data=stdin, sudoable=False)
    return _exec_without_policy(connection, command_line(), stdin, operation=operation)


def _exec_without_policy(connection: t.Any, line: str, stdin: bytes, *, operation: str) -> tuple[int, bytes, bytes]:
    """ansible-core 2.16-2.20: what winrm's ``exec_command`` does, with this command line instead of its own.

    ``exec_command`` there connects (``ensure_connect``), builds its ``-ExecutionPolicy Unrestricted`` line, streams
    ``in_data`` with ``_wrapper_payload_stream`` and returns ``_winrm_exec(program, arguments, from_exec=True,
    stdin_iterator=...)`` as it is: rc, stdout, and stderr with CLIXML already reduced to its error text.
    """
    winrm_exec = getattr(connection, "_winrm_exec", None)
    stream = getattr(connection, "_wrapper_payload_stream", None)
    if not (callable(winrm_exec) and callable(stream) and _takes(winrm_exec, _WINRM_EXEC_PARAMETERS)):
        version = ".".join(map(str, _ansible_core_version()))
        raise HostChannelUnsupported(
            f"{operation}: the winrm connection of ansible-core {version} has no _winrm_exec(command, args, "
            "from_exec, stdin_iterator) and _wrapper_payload_stream(payload), which this collection uses on "
            "ansible-core 2.16 to 2.20 to start powershell.exe without -ExecutionPolicy: use ansible-core 2.21 or "
            "later, or ansible_connection=psrp",
            operation=operation,
        )
    if not connection.connected:
        connection._connect()
    program, *arguments = line.split(" ")
    return winrm_exec(program, arguments, from_exec=True, stdin_iterator=stream(stdin) if stdin else None)


def _takes(function: t.Callable[..., object], names: tuple[str, ...]) -> bool:
    try:
        parameters = list(inspect.signature(function).parameters)
    except (TypeError, ValueError):
        return False
    return parameters[: len(names)] == list(names)


def run_operation(
    connection: _Connection,
    operation: str,
    arguments: Mapping[str, object],
    *,
    exchange: ExchangeProfile | None,
    exchange_shell: str = "snapin",
    exchange_fqdn: str | None = None,
    exchange_credential: ShellCredential | None = None,
    fragment: str | None = None,
) -> dict[str, t.Any]:
    """Run ``host_scripts/<operation>.ps1`` with ``arguments`` in one command on ``connection``; return its ``data``.

    ``exchange_credential`` opens a remote Exchange shell; it travels only inside the stdin payload. ``fragment``
    as for :func:`build_payload`.
    """
    payload = build_payload(
        operation=operation,
        arguments=arguments,
        exchange=exchange,
        exchange_shell=exchange_shell,
        exchange_fqdn=exchange_fqdn,
        exchange_credential=exchange_credential,
        fragment=fragment,
    )
    try:
        rc, stdout, stderr = _execute(connection, encode_stdin(payload), operation=operation)
    except Exception as error:
        # What the connection plugin raised says which WinRM step failed and whether the host may have changed
        # (_connection_errors.py); anything else is not a connection failure and is not hidden.
        failure = classify_connection_error(error)
        if failure is None:
            raise
        raise _channel_error(failure, operation=operation) from None
    return parse_result(operation=operation, rc=rc, stdout=stdout, stderr=stderr, payload=payload)
