"""What ansible-playbook itself costs per task and host, without any module of this collection or any lab.

A play of --tasks ``ansible.builtin.debug`` tasks over N inventory hosts (no connection is made: debug runs on the
controller), per fleet size; the controller CPU seconds (ansible-playbook and its forks) per task and host are the
floor under what every task of a role costs at that fleet size. make bench's controller CPU per host is this floor
times the tasks a role runs per host, plus the modules' own work.

    .venv/bin/python hacking/task_cost.py [--fleets 50,200,500] [--tasks 10] [--forks 50]
"""

from __future__ import annotations

import argparse
import resource
import subprocess
import tempfile
import time
from pathlib import Path

from labrun import BIN, ansible_env


def measure(hosts: int, tasks: int, forks: int, directory: Path) -> tuple[float, float]:
    """(controller CPU seconds per task and host, wall seconds) of one run."""
    inventory = directory / f"inventory-{hosts}.yml"
    lines = ["all:", "  hosts:", *(f"    h{index:04d}: {{ansible_connection: local}}" for index in range(hosts))]
    inventory.write_text("\n".join(lines) + "\n", encoding="utf-8")
    play = directory / f"play-{tasks}.yml"
    steps = [f"    - name: Step {index}\n      ansible.builtin.debug:\n        msg: step" for index in range(tasks)]
    play.write_text("- hosts: all\n  gather_facts: false\n  tasks:\n" + "\n".join(steps) + "\n", encoding="utf-8")
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(play), "--forks", str(forks)],
        env=ansible_env(),
        check=True,
        stdout=subprocess.DEVNULL,
    )
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return cpu / (hosts * tasks), wall


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fleets", default="50,200,500", help="comma list of host counts (default 50,200,500)")
    parser.add_argument("--tasks", type=int, default=10)
    parser.add_argument("--forks", type=int, default=50)
    options = parser.parse_args()
    print("| hosts | tasks | forks | controller CPU ms / task and host | wall s |\n|---|---|---|---|---|")
    with tempfile.TemporaryDirectory() as directory:
        for hosts in (int(size) for size in options.fleets.split(",") if size.strip()):
            per_task, wall = measure(hosts, options.tasks, options.forks, Path(directory))
            print(f"| {hosts} | {options.tasks} | {options.forks} | {per_task * 1000:.1f} | {wall:.0f} |", flush=True)


if __name__ == "__main__":
    main()
