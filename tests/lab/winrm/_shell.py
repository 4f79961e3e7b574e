"""WinRS shells and commands: stdin collection, the simulated process on a worker thread, output in chunks.

A command's process starts once its stdin is complete (``End`` on a Send), or at the first Receive when the client
sent no stdin and left ``WINRS_CONSOLEMODE_STDIN`` TRUE (the process then reads nothing). While the process waits
for stdin or is still running, Receive waits up to the client's OperationTimeout and then times out, as WinRM does
(winrm-protocol.md, Receive row).
"""

from __future__ import annotations

import threading
import time
import uuid
from dataclasses import dataclass, field

from ..httpauth import Logon
from ._console import CMD_MAX_COMMAND_LINE, CMD_TOO_LONG, encode_output
from ._host import CommandHost

__all__ = ["Command", "OutputChunk", "Shell", "ShellTable"]


@dataclass(frozen=True)
class OutputChunk:
    """One Receive reply's worth of output; ``exit_code`` is set only on the last one (State Done)."""

    stdout: bytes
    stderr: bytes
    done: bool
    exit_code: int | None


@dataclass
class _Result:
    stdout: bytes
    stderr: bytes
    exit_code: int
    stdout_sent: int = 0
    stderr_sent: int = 0


class Command:
    """One ``rsp:Command`` and the simulated process behind it."""

    def __init__(
        self,
        *,
        host: CommandHost,
        command_line: str,
        codepage: int,
        console_mode_stdin: bool,
        skip_cmd_shell: bool,
        logon: Logon | None = None,
    ) -> None:
        self.command_id = str(uuid.uuid4()).upper()
        self.logon = logon
        self.command_line = command_line
        self._host = host
        self._codepage = codepage
        self._console_mode_stdin = console_mode_stdin
        self._skip_cmd_shell = skip_cmd_shell
        self._changed = threading.Condition()
        self._stdin = bytearray()
        self._stdin_sent = False
        self._stdin_closed = False
        self._started = False
        self._terminated = False
        self._result: _Result | None = None
        self._failure: BaseException | None = None

    @property
    def failure(self) -> BaseException | None:
        """The exception the simulated host raised, if any (a lab defect, reported by the endpoint)."""
        return self._failure

    def send(self, data: bytes, *, end: bool) -> None:
        with self._changed:
            if self._stdin_closed or self._terminated:
                return  # the process closed its stdin: later input has nowhere to go
            self._stdin += data
            self._stdin_sent = True
            if end:
                self._stdin_closed = True
                self._start()
            self._changed.notify_all()

    def receive(self, *, timeout: float, max_bytes: int, part: bool = False) -> OutputChunk | None:
        """The next output chunk, or None when nothing arrives within ``timeout`` seconds.

        ``part``: at most half of the output still to send (an injected fault that cuts the output part-way)."""
        deadline = time.monotonic() + timeout
        with self._changed:
            if not self._started and self._console_mode_stdin and not self._stdin_sent:
                self._start()
            while self._result is None and self._failure is None and not self._terminated:
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return None
                self._changed.wait(remaining)
            if self._failure is not None:
                raise self._failure
            if self._result is None:
                return None
            return self._take(self._result, max_bytes, part=part)

    def terminate(self) -> None:
        """Signal terminate: the process is gone; a simulated run already under way finishes unobserved."""
        with self._changed:
            self._terminated = True
            self._changed.notify_all()

    def _start(self) -> None:
        self._started = True
        threading.Thread(target=self._run, name=f"winrs-{self.command_id[:8]}", daemon=True).start()

    def _run(self) -> None:
        try:
            if not self._skip_cmd_shell and len(self.command_line) > CMD_MAX_COMMAND_LINE:
                out, err, rc = "", CMD_TOO_LONG, 1
            else:
                out, err, rc = self._host.run_command(
                    self.command_line, bytes(self._stdin), self._codepage, logon=self.logon
                )
            result = _Result(encode_output(out, self._codepage), encode_output(err, self._codepage), rc)
        except Exception as exc:  # a defect of the simulated host: surface it, never hide it
            with self._changed:
                self._failure = exc
                self._changed.notify_all()
            return
        with self._changed:
            self._result = result
            self._changed.notify_all()

    @staticmethod
    def _take(result: _Result, max_bytes: int, *, part: bool) -> OutputChunk:
        left = len(result.stdout) - result.stdout_sent + len(result.stderr) - result.stderr_sent
        if part and left >= 2:
            max_bytes = min(max_bytes, left // 2)
        stdout = result.stdout[result.stdout_sent : result.stdout_sent + max_bytes]
        result.stdout_sent += len(stdout)
        room = max_bytes - len(stdout)
        stderr = result.stderr[result.stderr_sent : result.stderr_sent + room] if room > 0 else b""
        result.stderr_sent += len(stderr)
        done = result.stdout_sent == len(result.stdout) and result.stderr_sent == len(result.stderr)
        return OutputChunk(stdout, stderr, done, result.exit_code if done else None)


@dataclass
class Shell:
    """One ``rsp:Shell`` (Create) with its console code page and its commands."""

    codepage: int
    logon: Logon | None = None  # the logon of the Create request (the shell process runs under it)
    shell_id: str = field(default_factory=lambda: str(uuid.uuid4()).upper())
    commands: dict[str, Command] = field(default_factory=dict)


class ShellTable:
    """The shells of one endpoint, shared by all its connections."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._shells: dict[str, Shell] = {}

    def create(self, *, codepage: int, logon: Logon | None = None) -> Shell:
        shell = Shell(codepage=codepage, logon=logon)
        with self._lock:
            self._shells[shell.shell_id] = shell
        return shell

    def get(self, shell_id: str) -> Shell | None:
        with self._lock:
            return self._shells.get(shell_id)

    def delete(self, shell_id: str) -> Shell | None:
        with self._lock:
            shell = self._shells.pop(shell_id, None)
        if shell is not None:
            for command in list(shell.commands.values()):
                command.terminate()
        return shell

    def close_all(self) -> None:
        with self._lock:
            ids = list(self._shells)
        for shell_id in ids:
            self.delete(shell_id)
