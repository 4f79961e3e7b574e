"""make demo: start the lab, run playbooks/site.yml twice against it, print what happened per host."""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent


def lab(*arguments: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tests.lab", *arguments], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


def control(info: dict, path: str) -> None:
    request = urllib.request.Request(info["control_url"].rstrip("/") + path, data=b"{}", method="POST")
    with urllib.request.urlopen(request, timeout=30):
        pass


def playbook(state_dir: Path, name: str) -> None:
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"), ANSIBLE_HOST_KEY_CHECKING="0")
    subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(state_dir / "inventory.yml"), str(REPO / "playbooks" / name)],
        cwd=REPO, env=env, check=True,
    )


def counters(info: dict) -> dict[str, dict]:
    return {name: json.loads(lab("dump", "--state-dir", info["state_dir"], name))["counters"] for name in info["hosts"]}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="leave the lab running afterwards")
    options = parser.parse_args()
    state_dir = options.state_dir.resolve()
    lab("up", "--state-dir", str(state_dir))
    try:
        info = json.loads((state_dir / "lab.json").read_text(encoding="utf-8"))
        runs = []
        for label in ("first run (fresh hosts)", "second run (converged)"):
            for name in info["hosts"]:
                control(info, f"/hosts/{name}/reset-counters")
            print(f"\n=== {label}: ansible-playbook playbooks/site.yml", flush=True)
            playbook(state_dir, "site.yml")
            runs.append((label, counters(info)))
        print("\n=== per-host summary (counted by the lab)")
        print(f"{'host':<12} {'exchange':<9} {'run':<26} {'commands':>8} {'bytes in':>9} {'bytes out':>9} {'shell loads':>11}")
        for name, host in info["hosts"].items():
            for label, per_host in runs:
                c = per_host[name]
                print(
                    f"{name:<12} {host['exchange_version']:<9} {label:<26} {c['commands']:>8} {c['bytes_in']:>9} "
                    f"{c['bytes_out']:>9} {c['exchange_shell_loads']:>11}"
                )
    finally:
        if options.keep:
            print(f"\nThe lab keeps running: python -m tests.lab down --state-dir {state_dir}")
        else:
            lab("down", "--state-dir", str(state_dir))


if __name__ == "__main__":
    main()
