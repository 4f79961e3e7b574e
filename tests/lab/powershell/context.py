"""What simulated .NET members and cmdlets may see: the host, its versions, its clock and the process's streams.

One :class:`Host` per command (one powershell.exe process). ``machine`` is the simulated machine (stores, registry,
services, event log, Exchange state: tests/lab/hosts/state.py), the only state there is; ``work`` records the
simulated time of slow steps and the Exchange shell loads, for the lab's counters and latency model.
"""

from __future__ import annotations

import datetime
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .values import CLR2, CLR4

if TYPE_CHECKING:
    from ..hosts.latency import Work
    from ..hosts.specs import HostSpec
    from ..hosts.state import HostState
    from ..httpauth import Account, Logon

__all__ = ["Host"]


@dataclass
class Host:
    """The simulated computer a powershell.exe process runs on."""

    spec: HostSpec
    machine: HostState
    work: Work
    accounts: tuple[Account, ...] = ()
    logon: Logon | None = None
    stdin: bytes = b""
    stdin_read: bool = False
    loaded_exchange: str | None = None
    exchange_remote: bool = False
    environment: dict[str, str] = field(default_factory=dict)
    sessions: list[Any] = field(default_factory=list)

    def __post_init__(self) -> None:
        """The machine's simulated clock moves with this process's work: what was charged before it ran (its own
        start) and every charge from now on (hosts/latency.py ``Work.clock``)."""
        if self.work.clock is None:
            self.machine.advance(self.work.seconds)
            self.work.clock = self.machine.advance

    @property
    def powershell(self) -> str:
        """The engine's language level: "1.0", "2.0", "3.0", "4.0"."""
        return self.spec.powershell_version

    @property
    def runtime(self) -> str:
        """The CLR the engine runs on: 2.0 (.NET 2.0-3.5) under PowerShell 1.0/2.0, 4.0 under 3.0 and later
        (about_PowerShell_Exe / the WMF 3.0 release notes: Windows PowerShell 3.0 runs on the CLR 4.0)."""
        return CLR2 if self.powershell in ("1.0", "2.0") else CLR4

    @property
    def network_credentials(self) -> bool:
        """Whether the WinRM logon can authenticate to other machines (domain controllers): only CredSSP (and
        Kerberos with delegation) give that (Ansible's Windows docs); a command run without a logon has none."""
        return self.logon is not None and self.logon.network_credentials

    def now(self) -> datetime.datetime:
        """The host clock (UTC, timezone-aware)."""
        return datetime.datetime.now(datetime.timezone.utc)

    def take_stdin(self) -> bytes:
        """The process's standard input, read once: whoever reads it first gets it all."""
        if self.stdin_read:
            return b""
        self.stdin_read = True
        return self.stdin
