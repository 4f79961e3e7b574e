"""The contract between the WinRM endpoint and the simulated Windows host behind it."""

from __future__ import annotations

from typing import Protocol

from ..httpauth import Logon

__all__ = ["CommandHost"]


class CommandHost(Protocol):
    """A simulated host: runs command lines and keeps the per-host counters."""

    name: str

    def run_command(
        self, command_line: str, stdin: bytes, codepage: int, *, logon: Logon | None
    ) -> tuple[str, str, int]:
        """Run ``rsp:Command + " " + rsp:Arguments`` as cmd.exe receives it; return (stdout, stderr, exit code).

        ``logon`` is the logon session the command runs in: the one of the shell's Create request (who runs it, and
        whether it holds network credentials). The endpoint always passes one; None only for a caller without WinRM.
        """

    def record_traffic(self, *, bytes_in: int, bytes_out: int) -> None:
        """Count the HTTP body bytes of one request and its reply."""

    def record_command(self) -> None:
        """Count one WinRS Command request."""
