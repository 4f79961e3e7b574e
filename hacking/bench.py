"""make bench: per-host WinRM commands, bytes and Exchange shell loads of playbooks/site.yml over a simulated fleet.

The lab counts what crosses the wire; the latency model's simulated seconds show what the run would cost on real hosts.
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
from pathlib import Path

from labrun import CREDSSP_WHERE_POSSIBLE, Lab, lab, playbook


def summarize(label: str, wall_seconds: float, per_host: dict[str, dict], versions: dict[str, str]) -> None:
    print(f"\n{label}: {len(per_host)} hosts, {wall_seconds:.1f} s wall clock")
    for key in ("commands", "bytes_in", "bytes_out", "exchange_shell_loads", "simulated_seconds"):
        values = [counters[key] for counters in per_host.values()]
        low, mean, high = min(values), statistics.mean(values), max(values)
        print(f"  {key:<22} per host: min {low:>9.1f}  mean {mean:>9.1f}  max {high:>9.1f}")
    # Per Exchange version, since the versions differ by design (2007 SP1 loads no Exchange shell).
    for version in sorted(set(versions.values())):
        hosts = [counters for name, counters in per_host.items() if versions[name] == version]
        commands = sorted({counters["commands"] for counters in hosts})
        loads = sorted({counters["exchange_shell_loads"] for counters in hosts})
        print(f"  Exchange {version:<8} {len(hosts):>3} hosts: commands {commands}, shell loads {loads} per host")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--fleet", type=int, default=24, help="number of simulated hosts (versions cycle)")
    parser.add_argument("--forks", type=int, default=12)
    parser.add_argument("--time-scale", default="0", help="real seconds slept per simulated second")
    options = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="exum-bench-") as directory:
        state_dir = Path(directory)
        fleet = ("--fleet", str(options.fleet), "--time-scale", options.time_scale, *CREDSSP_WHERE_POSSIBLE)
        lab("up", "--state-dir", str(state_dir), *fleet)
        try:
            running = Lab(state_dir)
            versions = {name: host["exchange_version"] for name, host in running.hosts.items()}
            for label in ("fresh hosts to converged", "converged (nothing to change)"):
                running.reset_counters()
                run = playbook(state_dir / "inventory.yml", "site.yml", "--forks", str(options.forks), quiet=True)
                summarize(label, run.wall_seconds, running.counters(), versions)
        finally:
            lab("down", "--state-dir", str(state_dir))


if __name__ == "__main__":
    main()
