"""make demo: start the lab, run playbooks/site.yml twice against it, print what happened per host."""

from __future__ import annotations

import argparse
from pathlib import Path

from labrun import CREDSSP_WHERE_POSSIBLE, Lab, lab, playbook


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    options = parser.parse_args()
    state_dir = options.state_dir.resolve()
    lab("up", "--state-dir", str(state_dir), *CREDSSP_WHERE_POSSIBLE)
    try:
        running = Lab(state_dir)
        runs = []
        for label in ("first run (fresh hosts)", "second run (converged)"):
            running.reset_counters()
            print(f"\n=== {label}: ansible-playbook playbooks/site.yml", flush=True)
            playbook(state_dir, "site.yml")
            runs.append((label, running.counters()))
        print("\n=== exchange_info on every host: is the root trusted? (playbooks/verify.yml)", flush=True)
        playbook(state_dir, "verify.yml")
        print("\n=== per-host summary (counted by the lab)")
        header = ("host", "exchange", "winrm", "run", "commands", "bytes in", "bytes out", "shell loads")
        print("{:<10} {:<9} {:<8} {:<25} {:>8} {:>9} {:>9} {:>11}".format(*header))
        for name, host in running.hosts.items():
            logon = host["winrm_auth"][-1]  # the inventory connects with CredSSP where the host has it
            for label, per_host in runs:
                c = per_host[name]
                print(
                    f"{name:<10} {host['exchange_version']:<9} {logon:<8} {label:<25} {c['commands']:>8} "
                    f"{c['bytes_in']:>9} {c['bytes_out']:>9} {c['exchange_shell_loads']:>11}"
                )
    finally:
        if options.keep:
            print(f"\nThe lab keeps running: python -m tests.lab down --state-dir {state_dir}")
        else:
            lab("down", "--state-dir", str(state_dir))


if __name__ == "__main__":
    main()
