"""WinRM faults armed on one endpoint (control API ``POST /hosts/<name>/faults``), as AD CS's faults are for certsrv.

A fault is armed for one WS-Management operation (``at``: Create, Command, Send, Receive, Signal or Delete) and fires
on the next ``count`` requests of that operation (``drop_during_receive``: on the next ``count`` commands), then it
is disarmed; with ``after`` N it lets the next N commands on the endpoint pass untouched first (their Create,
Command, Send, Receive, Signal and Delete requests), so that it meets a later command of a task.
``describe()`` says what is armed and what fired, for the dump and the control API. The service
(``_service.py``) decides where in a request each kind takes effect; the WS-Man faults are built here, each with the
codes a Windows WinRM service sends (sources next to each).
"""

from __future__ import annotations

import threading
from dataclasses import dataclass
from typing import Any

from ._soap import WsmanFault

__all__ = ["FAULT_KINDS", "OPERATIONS", "ArmedFault", "ConnectionDropped", "FaultPlan", "wsman_fault"]

OPERATIONS = ("Create", "Command", "Send", "Receive", "Signal", "Delete")
_SHELL_OPERATIONS = OPERATIONS[1:]

# kind -> (the operations it can be armed for, the default one)
_KINDS: dict[str, tuple[tuple[str, ...], str]] = {
    # The connection is closed when the request arrives, before the service reads it: nothing of it happens.
    "drop": (OPERATIONS, "Command"),
    # The command runs to its end; the connection is closed instead of the Receive reply that carries its end.
    "drop_after_run": (("Receive",), "Receive"),
    # A Receive reply delivers part of the output (State Running); the next Receive of that command is dropped.
    "drop_during_receive": (("Receive",), "Receive"),
    # HTTP 500 with a WS-Man fault body: WinRS's internal error (see wsman_fault).
    "status_500": (OPERATIONS, "Command"),
    # A quota of the WinRM service: MaxShellsPerUser at Create, MaxConcurrentOperationsPerUser at Command.
    "quota": (("Create", "Command"), "Create"),
    # w:TimedOut: the operation did not complete within the request's OperationTimeout.
    "timeout": (("Create", "Command", "Receive"), "Command"),
    # The shell is gone (the WinRM service restarted, or the shell was closed): the request names an unknown shell.
    "shell_not_found": (_SHELL_OPERATIONS, "Command"),
    # The service does the work and answers ``seconds`` late.
    "slow": (OPERATIONS, "Receive"),
}
FAULT_KINDS = tuple(_KINDS)
_MAX_SECONDS = 600.0

# WSManFault codes (winerror.h values, as published in Win32::System::RemoteManagement of the windows crate).
ERROR_WSMAN_QUOTA_MAX_SHELLS = 2150859173  # 0x803381A5
ERROR_WSMAN_QUOTA_MAX_OPERATIONS = 2150859174  # 0x803381A6, the code ansible-core 2.18+ re-creates the shell for
ERROR_WSMAN_OPERATION_TIMEDOUT = 2150858793
# HRESULT_FROM_WIN32(ERROR_KEY_DELETED), 0x800703FA: WinRS's HTTP 500 when it cannot read the logon's registry.
HRESULT_KEY_DELETED = 2147943418


class ConnectionDropped(Exception):
    """The HTTP layer closes the connection without an answer."""


@dataclass
class ArmedFault:
    """One armed fault; ``remaining`` firings are left."""

    number: int
    kind: str
    at: str
    remaining: int
    seconds: float
    after: int = 0
    start: int = 0  # the endpoint's count of started commands that must be reached first (with ``after``)

    def describe(self) -> dict[str, Any]:
        described: dict[str, Any] = {"number": self.number, "kind": self.kind, "at": self.at}
        described["remaining"] = self.remaining
        if self.after:
            described["after"] = self.after
        if self.kind == "slow":
            described["seconds"] = self.seconds
        return described


def wsman_fault(fault: ArmedFault) -> WsmanFault:
    """The WS-Man fault a ``status_500``, ``quota`` or ``timeout`` fault answers with (HTTP 500)."""
    if fault.kind == "status_500":
        # A real server's answer as pywinrm reports it (aws-samples/appstream-serverless-image-creation-automation
        # issue 21): HTTP 500, s:Receiver, w:InternalError, WSManFault 2147943418 with this reason; WinRb/WinRM
        # re-creates its shell on that code ("Error reading registry key", lib/winrm/shells/base.rb).
        return WsmanFault(
            sender=False,
            subcode="w:InternalError",
            code=HRESULT_KEY_DELETED,
            reason="Illegal operation attempted on a registry key that has been marked for deletion. ",
        )
    if fault.kind == "quota" and fault.at == "Create":
        # MS-WSMV 3.1.4.5.2.1: wst:Create answers wsman:QuotaLimit when MaxShellsPerUser is exceeded. Code and
        # message as a Server 2008 R2 answered (WSManFault Code 2150859173, hashicorp/vagrant issue 7489; 5 is
        # MaxShellsPerUser's default there, MS-WSMV 2.2.4.23). s:Sender follows DSP0226's table for QuotaLimit.
        return WsmanFault(
            sender=True,
            subcode="w:QuotaLimit",
            code=ERROR_WSMAN_QUOTA_MAX_SHELLS,
            reason="The WS-Management service cannot process the request. This user is allowed a maximum number "
            "of 5 concurrent shells, which has been exceeded. Close existing shells or raise the quota for this "
            "user. ",
        )
    if fault.kind == "quota":
        # MS-WSMV 3.1.4.1.19: the MaxConcurrentOperationsPerUser quota is refused with wsman:InternalError; the
        # code travels in an MSFT_WmiError detail (the shape of pywinrm's winrm/tests/test_protocol.py fixture,
        # which ansible-core's retry, PR 83656, reads as wmierror_code). Message as Windows words it
        # (dmitry-zaets/vagrantfile-windows-iis-mssql issue 7; 15 is the quota's default, MS-WSMV 2.2.4.23).
        return WsmanFault(
            sender=False,
            subcode="w:InternalError",
            code=ERROR_WSMAN_QUOTA_MAX_OPERATIONS,
            reason="The WS-Management service cannot process the request. This user is allowed a maximum number "
            "of 15 concurrent operations, which has been exceeded. Close existing operations for this user, or "
            "raise the quota for this user. ",
            wmi_error=True,
        )
    if fault.kind == "timeout":
        # winrm-protocol.md Receive row and MS-WSMV 2.2.4.10: w:TimedOut with WSManFault 2150858793.
        return WsmanFault(
            sender=False,
            subcode="w:TimedOut",
            code=ERROR_WSMAN_OPERATION_TIMEDOUT,
            reason="The WS-Management service cannot complete the operation within the time specified in "
            "OperationTimeout.",
        )
    raise ValueError(f"the fault kind {fault.kind!r} answers with no WS-Man fault")


class FaultPlan:
    """The faults armed on one endpoint and the record of those that fired."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._armed: list[ArmedFault] = []
        self._fired: list[dict[str, object]] = []
        self._numbers = 0
        self._cut_commands: dict[str, int] = {}  # command id -> the drop_during_receive fault that cut it
        self._commands = 0  # commands started on the endpoint

    def arm(
        self, kind: str, *, at: str | None = None, count: int = 1, seconds: float = 0.0, after: int = 0
    ) -> dict[str, Any]:
        """Arm ``kind`` for the next ``count`` requests of operation ``at`` once ``after`` more commands have
        passed; ValueError names what is wrong."""
        if kind not in _KINDS:
            raise ValueError(f"fault kind must be one of {', '.join(FAULT_KINDS)}, not {kind!r}")
        operations, default = _KINDS[kind]
        at = default if at is None else at
        if at not in operations:
            raise ValueError(f"a {kind} fault can be armed at {', '.join(operations)}, not {at!r}")
        if count < 1:
            raise ValueError("fault count must be at least 1")
        if after < 0:
            raise ValueError("fault after must be 0 or more (the commands to let pass first)")
        if kind == "slow" and not 0 < seconds <= _MAX_SECONDS:
            raise ValueError(f"a slow fault needs seconds above 0 and at most {_MAX_SECONDS:g}")
        if kind != "slow" and seconds:
            raise ValueError("seconds applies only to slow faults")
        with self._lock:
            self._numbers += 1
            fault = ArmedFault(
                number=self._numbers,
                kind=kind,
                at=at,
                remaining=count,
                seconds=seconds,
                after=after,
                start=self._commands + after,
            )
            self._armed.append(fault)
            return fault.describe()

    def clear(self) -> int:
        """Disarm every fault; the number disarmed."""
        with self._lock:
            count, self._armed = len(self._armed), []
            self._cut_commands.clear()
            return count

    def find(self, operation: str, kinds: tuple[str, ...]) -> ArmedFault | None:
        """The first fault armed for ``operation`` among ``kinds``, in the order they were armed (not consumed)."""
        with self._lock:
            return next((f for f in self._armed if f.at == operation and f.kind in kinds and self._due(f)), None)

    def _due(self, fault: ArmedFault) -> bool:
        """Whether the commands ``after`` lets pass have passed: a Create or Command request comes before its
        command is counted, the other requests belong to a command already started."""
        if not fault.after:
            return True
        return self._commands >= fault.start if fault.at in ("Create", "Command") else self._commands > fault.start

    def command_started(self) -> None:
        """A command started on the endpoint (what ``after`` counts)."""
        with self._lock:
            self._commands += 1

    def fire(self, fault: ArmedFault, **detail: object) -> None:
        """Consume one firing of ``fault`` and record it with what it hit."""
        with self._lock:
            fault.remaining -= 1
            if fault.remaining <= 0 and fault in self._armed:
                self._armed.remove(fault)
            self._fired.append({"number": fault.number, "kind": fault.kind, "at": fault.at, **detail})

    def cut(self, fault: ArmedFault, command_id: str) -> None:
        """``drop_during_receive`` delivered part of a command's output: drop that command's next Receive."""
        with self._lock:
            self._cut_commands[command_id] = fault.number

    def take_cut(self, command_id: str) -> bool:
        """Whether this Receive is the one to drop after a partial delivery (recorded as fired)."""
        with self._lock:
            number = self._cut_commands.pop(command_id, None)
            if number is not None:
                self._fired.append(
                    {
                        "number": number,
                        "kind": "drop_during_receive",
                        "at": "Receive",
                        "command_id": command_id,
                        "stage": "connection dropped",
                    }
                )
            return number is not None

    def describe(self) -> dict[str, list[dict[str, object]]]:
        with self._lock:
            return {"armed": [fault.describe() for fault in self._armed], "fired": [dict(f) for f in self._fired]}
