"""make bench's arithmetic: binding batches, the critical path, per-host figures and the Markdown table.

Kept apart from the lab and ansible-playbook so that a unit test can check it (tests/unit/test_bench_table.py).
"""

from __future__ import annotations

import statistics
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# The lab's inventory lists the exchange_um group's hosts version group by version group, in this order.
VERSION_GROUPS = ("2007sp1", "2010", "2013")


@dataclass(frozen=True)
class Run:
    """One ansible-playbook run over one fleet, as measured."""

    role: str
    phase: str
    counters: Mapping[str, Mapping[str, float]]  # per host, the lab's counters (commands, bytes_in, ...)
    adcs_requests: Mapping[str, int]  # per host, requests the lab's AD CS received for its FQDN
    cpu_seconds: float
    wall_seconds: float
    batches: Sequence[Sequence[str]]
    time_scale: float
    works: int | None = None  # hosts whose UM ports present the right certificate after the role's runs

    @property
    def hosts(self) -> int:
        return len(self.counters)

    @property
    def critical_seconds(self) -> float:
        """The slowest host's simulated seconds in each batch, summed, in real seconds (``time_scale``)."""
        return critical_path(self.batches, {name: c["simulated_seconds"] for name, c in self.counters.items()}) * (
            self.time_scale
        )

    def per_host(self, key: str) -> float:
        return statistics.mean(float(c[key]) for c in self.counters.values())

    def most(self, key: str) -> float:
        return max(float(c[key]) for c in self.counters.values())

    @property
    def bytes_per_host(self) -> float:
        return statistics.mean(float(c["bytes_in"]) + float(c["bytes_out"]) for c in self.counters.values())

    @property
    def adcs_per_host(self) -> float:
        return statistics.mean(self.adcs_requests.get(name, 0) for name in self.counters)


def serial_size(serial_percent: int, hosts: int) -> int:
    """Ansible's ``serial: N%``: int(hosts * N / 100), at least 1."""
    return max(1, int(hosts * serial_percent / 100))


def batches(ordered_hosts: Sequence[str], serial_percent: int) -> list[list[str]]:
    """The batches one play with ``serial: serial_percent%`` makes of its hosts, in play order."""
    if not ordered_hosts:
        return []
    size = serial_size(serial_percent, len(ordered_hosts))
    return [list(ordered_hosts[start : start + size]) for start in range(0, len(ordered_hosts), size)]


def fleet_batches(versions: Mapping[str, str], serial_percent: int) -> list[list[str]]:
    """The batches of a play over the exchange_um group (site.yml's binding play, the naive play), in group order."""
    ordered = [name for wanted in VERSION_GROUPS for name in sorted(n for n, v in versions.items() if v == wanted)]
    return batches(ordered, serial_percent)


def critical_path(groups: Sequence[Sequence[str]], seconds: Mapping[str, float]) -> float:
    """Batches run one after the other and the hosts of a batch side by side: the sum of each batch's slowest host."""
    return sum(max((seconds[name] for name in group), default=0.0) for group in groups)


def _ratio(value: float, naive: float) -> str:
    if naive == 0:
        return "-" if value == 0 else "n/a"
    return f"{value / naive:.2f}x"


COLUMNS = (
    "role",
    "run",
    "hosts",
    "WinRM commands / host (max)",
    "KB / host",
    "shell loads / host (max)",
    "AD CS requests / host",
    "controller CPU s / host",
    "wall s",
    "critical path s",
    "wall / critical path",
    "TLS right",
)


def row(run: Run) -> list[str]:
    critical = run.critical_seconds
    return [
        run.role,
        run.phase,
        str(run.hosts),
        f"{run.per_host('commands'):.2f} ({run.most('commands'):.0f})",
        f"{run.bytes_per_host / 1024:.0f}",
        f"{run.per_host('exchange_shell_loads'):.2f} ({run.most('exchange_shell_loads'):.0f})",
        f"{run.adcs_per_host:.2f}",
        f"{run.cpu_seconds / run.hosts:.2f}",
        f"{run.wall_seconds:.0f}",
        f"{critical:.0f}",
        f"{run.wall_seconds / critical:.1f}" if critical else "-",
        "-" if run.works is None else f"{run.works}/{run.hosts}",
    ]


def ratio_row(run: Run, naive: Run) -> list[str]:
    """``run`` against the naive role's run of the same phase."""
    return [
        f"{run.role} / {naive.role}",
        run.phase,
        str(run.hosts),
        _ratio(run.per_host("commands"), naive.per_host("commands")),
        _ratio(run.bytes_per_host, naive.bytes_per_host),
        _ratio(run.per_host("exchange_shell_loads"), naive.per_host("exchange_shell_loads")),
        _ratio(run.adcs_per_host, naive.adcs_per_host),
        _ratio(run.cpu_seconds / run.hosts, naive.cpu_seconds / naive.hosts),
        _ratio(run.wall_seconds, naive.wall_seconds),
        _ratio(run.critical_seconds, naive.critical_seconds),
        "",
        "",
    ]


def markdown(runs: Sequence[Run], *, naive_role: str) -> str:
    """One table: every run, then per fleet size and phase each other role's ratios to the naive role."""
    lines = ["| " + " | ".join(COLUMNS) + " |", "|" + "---|" * len(COLUMNS)]
    lines += ["| " + " | ".join(row(run)) + " |" for run in runs]
    for run in runs:
        if run.role == naive_role:
            continue
        naive = next((n for n in runs if n.role == naive_role and n.phase == run.phase and n.hosts == run.hosts), None)
        if naive is not None:
            lines.append("| " + " | ".join(ratio_row(run, naive)) + " |")
    return "\n".join(lines) + "\n"
