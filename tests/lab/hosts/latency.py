"""Per-host counters and the latency model: simulated seconds are counted, and slept scaled by ``time_scale``.

DESIGN.md "Few round trips": each WinRM command costs a ``powershell.exe`` start (~1 s on these hosts) and loading the
Exchange cmdlets costs 5-15 s; a service restart costs its stop and start; each WinRM HTTP request costs the host's
network round trip (SimulatedHost.record_traffic). Every figure is a field of the host's spec (hosts/specs.py), so a
fleet can give each host its own (``--hosts um001=2010:shell_load_seconds=12.4:round_trip_seconds=0.02``; make bench
draws them from a seed). The counters are the ones
docs/architecture.md lists for ``dump``: commands, bytes_in, bytes_out, exchange_shell_loads, simulated_seconds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

__all__ = ["Counters", "Work"]


@dataclass
class Counters:
    commands: int = 0
    bytes_in: int = 0
    bytes_out: int = 0
    exchange_shell_loads: int = 0
    simulated_seconds: float = 0.0

    def to_dict(self) -> dict[str, object]:
        return {
            "commands": self.commands,
            "bytes_in": self.bytes_in,
            "bytes_out": self.bytes_out,
            "exchange_shell_loads": self.exchange_shell_loads,
            "simulated_seconds": round(self.simulated_seconds, 3),
        }


@dataclass
class Work:
    """What one command cost: simulated seconds by step, and Exchange shell loads. ``clock`` is told each charge:
    the host's simulated clock (HostState.advance) moves with the work, so services finish starting and calls end
    while the command runs."""

    steps: list[tuple[str, float]] = field(default_factory=list)
    exchange_shell_loads: int = 0
    clock: Callable[[float], None] | None = None

    def charge(self, step: str, seconds: float) -> None:
        self.steps.append((step, seconds))
        if self.clock is not None:
            self.clock(seconds)

    def load_exchange_shell(self, seconds: float) -> None:
        self.exchange_shell_loads += 1
        self.charge("exchange shell load", seconds)

    @property
    def seconds(self) -> float:
        return sum(seconds for _step, seconds in self.steps)

    def add_to(self, counters: Counters) -> None:
        counters.simulated_seconds += self.seconds
        counters.exchange_shell_loads += self.exchange_shell_loads
