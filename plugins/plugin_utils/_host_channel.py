"""One host operation = one ``exec_command`` on the task's own connection (docs/architecture.md, "Host channel").

The command line carries only :data:`BOOTSTRAP`, a fixed line that each ansible-core version encodes itself
(2.16-2.18 always wrap it in ``-EncodedCommand``; 2.19/2.20 wrap any line that does not already start with their
encoded prefix; 2.21 wraps any line without `` -EncodedCommand ``; psrp runs it as the script with ``in_data`` as
pipeline input). The payload travels on stdin as base64 lines, so no argument and no secret ever appears on a
command line, in a process list or in ansible's own ``EXEC`` log lines. The payload itself is never logged.
"""

from __future__ import annotations

import base64
import json
import typing as t
from collections.abc import Mapping
from dataclasses import dataclass
from importlib.resources import files

from ansible.errors import AnsibleConnectionFailure

from ._clixml import decode_stderr, parse_error_text
from ._exchange import ExchangeProfile, ShellCredential
from ._ps_compact import compact_lines
from ._quote import quote_arguments, quote_string

__all__ = [
    "BOOTSTRAP",
    "RESULT_MARKER",
    "HostChannelError",
    "HostOperationError",
    "HostProtocolError",
    "HostUnreachable",
    "Payload",
    "build_payload",
    "encode_stdin",
    "parse_result",
    "run_operation",
]

RESULT_MARKER = "@@EXUM_RESULT@@"
STDIN_LINE = 4096
EXCERPT = 240

# PowerShell 1.0-safe. $input yields stdin lines under powershell.exe; under psrp it yields the pipeline input, which
# pypsrp sends as strings, byte arrays (bytes lines, ansible-core 2.19+) or numbers (single bytes, 2.16-2.18). Any
# whitespace left between base64 characters is ignored by Convert.FromBase64String.
BOOTSTRAP = (
    "$ErrorActionPreference='Stop';$exumIn=New-Object Text.StringBuilder;"
    "foreach($exumLine in $input){if($exumLine -is [byte[]]){$exumLine=[Text.Encoding]::ASCII.GetString($exumLine)}"
    "elseif($exumLine -is [ValueType]){$exumLine=[string][char]$exumLine};[void]$exumIn.Append([string]$exumLine)};"
    "&($ExecutionContext.InvokeCommand.NewScriptBlock("
    "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($exumIn.ToString()))))"
)

# Operations whose Exchange part is a per-version fragment (``<operation>.<profile key>.ps1`` or ``.none.ps1``),
# defined in the payload as the function named here.
_FRAGMENTS: Mapping[str, str] = {"exchange_info": "Get-ExumExchangeState"}


class HostChannelError(Exception):
    """Root of the host channel's errors; ``operation`` names the host script."""

    def __init__(self, message: str, *, operation: str) -> None:
        super().__init__(message)
        self.operation = operation
        self.message = message


class HostUnreachable(HostChannelError):
    """The connection failed (WinRM transport, authentication, timeout): the task is unreachable, not failed."""


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

    def locate(self, line: int | None) -> str | None:
        """``root_trust.ps1 line 12`` for a payload line, or None when unknown."""
        if line is None or not 1 <= line <= len(self.origins):
            return None
        name, number = self.origins[line - 1]
        return f"{name} line {number}"


def _script(name: str) -> str:
    return files(__package__).joinpath("host_scripts").joinpath(name).read_text(encoding="utf-8")


def build_payload(
    *,
    operation: str,
    arguments: Mapping[str, object],
    exchange: ExchangeProfile | None,
    exchange_shell: str = "snapin",
    exchange_fqdn: str | None = None,
    exchange_credential: ShellCredential | None = None,
) -> Payload:
    """Prelude, operation name, Exchange loader, fragment and operation functions, one invocation line.

    Host scripts travel without their comment and blank lines (``_ps_compact``); each keeps its ``# operation:`` line.
    A loader that leaves something to release (a remote session) gets it released in a ``finally`` around the
    invocation, so a failing operation releases it too (the prelude's trap ends the script through that block).
    """
    chunks: list[tuple[str | None, str]] = [("prelude.ps1", _script("prelude.ps1"))]
    chunks.append((None, f"$ExumOperationName = {quote_string(operation)}"))
    fragment_function = _FRAGMENTS.get(operation)
    release = None
    if exchange is not None and fragment_function is not None:
        loader = exchange.loader(shell=exchange_shell, fqdn=exchange_fqdn, credential=exchange_credential)
        chunks.append((None, "\n".join(loader.lines)))
        release = loader.release
    if fragment_function is not None:
        fragment = f"{operation}.{exchange.key if exchange is not None else 'none'}.ps1"
        chunks.append((None, f"function {fragment_function} {{"))
        chunks.append((fragment, _script(fragment)))
        chunks.append((None, "}"))
    chunks.append((None, "function Invoke-ExumOperation {"))
    chunks.append((f"{operation}.ps1", _script(f"{operation}.ps1")))
    chunks.append((None, "}"))
    invocation = " ".join(filter(None, ["Invoke-ExumOperation", quote_arguments(arguments)]))
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
    return Payload(text="\r\n".join(lines) + "\r\n", origins=tuple(origins))


def encode_stdin(payload: str) -> bytes:
    """Base64 of the UTF-8 payload in CRLF lines: ASCII only, so no console code page can alter it."""
    encoded = base64.b64encode(payload.encode("utf-8")).decode("ascii")
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


# Libraries under the connection plugins whose exceptions mean "the host could not be talked to".
_TRANSPORT_PACKAGES = frozenset({"requests", "urllib3", "winrm", "pypsrp", "psrp", "spnego", "requests_ntlm"})


def _is_transport_error(error: Exception) -> bool:
    if isinstance(error, (AnsibleConnectionFailure, OSError)):
        return True
    return type(error).__module__.split(".", 1)[0] in _TRANSPORT_PACKAGES


class _Connection(t.Protocol):
    def exec_command(self, cmd: str, in_data: bytes | None = None, sudoable: bool = True) -> tuple[int, bytes, bytes]:
        """Run ``cmd`` on the host with ``in_data`` on its stdin; return (rc, stdout, stderr)."""


def run_operation(
    connection: _Connection,
    operation: str,
    arguments: Mapping[str, object],
    *,
    exchange: ExchangeProfile | None,
    exchange_shell: str = "snapin",
    exchange_fqdn: str | None = None,
    exchange_credential: ShellCredential | None = None,
) -> dict[str, t.Any]:
    """Run ``host_scripts/<operation>.ps1`` with ``arguments`` in one ``exec_command``; return its ``data``.

    ``exchange_credential`` opens a remote Exchange shell; it travels only inside the stdin payload.
    """
    payload = build_payload(
        operation=operation,
        arguments=arguments,
        exchange=exchange,
        exchange_shell=exchange_shell,
        exchange_fqdn=exchange_fqdn,
        exchange_credential=exchange_credential,
    )
    try:
        rc, stdout, stderr = connection.exec_command(BOOTSTRAP, in_data=encode_stdin(payload.text), sudoable=False)
    except Exception as error:
        if not _is_transport_error(error):
            raise
        raise HostUnreachable(f"{operation}: connection failed: {error}", operation=operation) from None
    return parse_result(operation=operation, rc=rc, stdout=stdout, stderr=stderr, payload=payload)
