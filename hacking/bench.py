"""make bench: playbooks/site.yml beside a hand-written naive role over lab fleets of 50, 200 and 500 hosts.

Per fleet size and role: a fresh lab (Exchange versions cycling, each host's latencies drawn from --seed), the role
on fresh hosts, then again on the converged hosts, then a check of what each UM port presents. Per host the lab
counts WinRM commands, bytes and Exchange shell loads, its AD CS the requests; the controller's CPU seconds are those
of ansible-playbook and its forks; the critical path is each binding batch's slowest host (in simulated seconds,
slept at --time-scale) summed. The table is printed and written as Markdown (--output).
"""

from __future__ import annotations

import argparse
import dataclasses
import json
import os
import random
import subprocess
import sys
from pathlib import Path

from benchtable import Run, fleet_batches, markdown, serial_size
from labrun import CREDSSP_WHERE_POSSIBLE, REPO, Lab, PlaybookRun, lab, playbook

sys.path.insert(0, str(REPO))
from tests.lab.hosts.specs import LATENCY_SETTINGS, PRESETS  # the lab's presets: the base of the drawn latencies

VERSIONS = ("2007sp1", "2010", "2013")
NAIVE = "naive"
SITE = "site.yml"
CHECK_FORKS = 25
PLAYBOOKS = {SITE: REPO / "playbooks" / "site.yml", NAIVE: REPO / "hacking" / "naive" / "naive.yml"}


def fleet_hosts(size: int, seed: int, spread: float, round_trip: float) -> str:
    """``--hosts`` for ``size`` hosts um001.., versions cycling; each latency of the preset (the network round trip:
    ``round_trip``) times a factor drawn uniformly from [1 - spread, 1 + 2 * spread] (some hosts much slower than
    most, as in a real fleet)."""
    draw = random.Random(seed)
    width = max(3, len(str(size)))
    tokens = []
    for index in range(size):
        version = VERSIONS[index % len(VERSIONS)]
        base = PRESETS[version].configured(round_trip_seconds=round_trip)
        settings = []
        for name in LATENCY_SETTINGS:
            settings.append(f"{name}={getattr(base, name) * draw.uniform(1 - spread, 1 + 2 * spread):.4f}")
        tokens.append(":".join([f"um{index + 1:0{width}d}={version}", *settings]))
    return ",".join(tokens)


def measure(
    running: Lab, role: str, phase: str, options: argparse.Namespace, versions: dict[str, str]
) -> tuple[Run, PlaybookRun]:
    running.reset_counters()
    known = {request["id"] for request in running.adcs_requests()}
    extra = ["--forks", str(forks(options, len(versions))), "-e", f"exchange_um_serial={options.serial}%"]
    extra += ["-e", f"naive_serial={options.serial}%"]
    log = running.state_dir / f"{phase}.log"
    run = playbook(running.state_dir / "inventory.yml", str(PLAYBOOKS[role]), *extra, quiet=True, log=log)
    per_host = running.counters()
    by_fqdn = {host["fqdn"]: name for name, host in running.hosts.items()}
    requests = dict.fromkeys(running.hosts, 0)
    for request in running.adcs_requests():
        fqdn = str(request.get("subject") or "").removeprefix("CN=").split(",")[0].lower()
        if request["id"] not in known and fqdn in by_fqdn:
            requests[by_fqdn[fqdn]] += 1
    measured = Run(
        role=role,
        phase=phase,
        counters=per_host,
        adcs_requests=requests,
        cpu_seconds=run.cpu_seconds,
        wall_seconds=run.wall_seconds,
        batches=fleet_batches(versions, options.serial),
        time_scale=options.time_scale,
    )
    return measured, run


def forks(options: argparse.Namespace, hosts: int) -> int:
    """--forks, else one binding batch's size: the hosts of a batch side by side, as the critical path counts them."""
    return options.forks or serial_size(options.serial, hosts)


def check_tls(state_dir: Path, size: int, options: argparse.Namespace) -> int:
    """Hosts whose UM ports present the right certificate (hacking/bench_check.yml, not measured, so at most
    CHECK_FORKS at a time: the lab shares the machine). A host the check could not reach counts as not right."""
    check = state_dir / "check.json"
    check.unlink(missing_ok=True)
    arguments = ["--forks", str(min(CHECK_FORKS, forks(options, size))), "-e", f"bench_check_file={check}"]
    try:
        playbook(state_dir / "inventory.yml", str(REPO / "hacking" / "bench_check.yml"), *arguments, quiet=True)
    except SystemExit as failed:
        print(f"  note: the check failed on some hosts: {str(failed).splitlines()[0]}", flush=True)
    if not check.exists():
        return 0
    return sum(1 for ok in json.loads(check.read_text(encoding="utf-8")).values() if ok)


def bench_role(size: int, role: str, options: argparse.Namespace) -> list[Run]:
    state_dir = options.state_dir / f"{role.split('.')[0]}-{size}"
    hosts = fleet_hosts(size, options.seed, options.spread, options.round_trip)
    arguments = ["up", "--state-dir", str(state_dir), "--hosts", hosts, "--subnet", options.subnet]
    arguments += ["--time-scale", str(options.time_scale), "--timeout", "900", *CREDSSP_WHERE_POSSIBLE]
    print(f"\n--- {size} hosts, {role}: starting the lab", flush=True)
    lab("down", "--state-dir", str(state_dir))
    lab(*arguments)
    runs = []
    try:
        running = Lab(state_dir)
        versions = {name: str(host["exchange_version"]) for name, host in running.hosts.items()}
        for phase in ("fresh", "converged"):
            measured, run = measure(running, role, phase, options, versions)
            failed = sorted(h for h, c in run.recap.items() if c.get("failed") or c.get("unreachable"))
            if failed:
                raise SystemExit(f"{role} ({phase}) failed on {len(failed)} hosts: {', '.join(failed[:10])}")
            if phase == "converged" and not run.unchanged():
                changed = sorted(h for h, c in run.recap.items() if c.get("changed"))
                print(f"  note: the converged {role} run changed {len(changed)} hosts", flush=True)
            print(
                f"  {phase}: {run.wall_seconds:.0f} s wall, {run.cpu_seconds:.0f} s controller CPU, "
                f"{measured.per_host('commands'):.2f} commands per host",
                flush=True,
            )
            runs.append(measured)
        works = check_tls(state_dir, size, options)
        print(f"  check: {works}/{size} hosts present the certificate UM uses, for their FQDN, from the lab's CA")
        runs = [dataclasses.replace(run, works=works) for run in runs]
    finally:
        if not options.keep:
            lab("down", "--state-dir", str(state_dir))
    return runs


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--fleets", default="50,200,500", help="comma list of fleet sizes (default 50,200,500)")
    parser.add_argument("--roles", default=f"{SITE},{NAIVE}", help=f"comma list of {SITE} and {NAIVE}")
    parser.add_argument("--forks", type=int, help="ansible-playbook --forks (default: one binding batch's hosts)")
    parser.add_argument("--serial", type=int, default=25, help="binding batch size in percent (both roles)")
    parser.add_argument("--time-scale", type=float, default=0.25, help="real seconds per simulated second (0.25)")
    parser.add_argument("--seed", type=int, default=1, help="seed of the per-host latencies")
    parser.add_argument("--spread", type=float, default=0.25, help="per-host latency factor 1-s .. 1+2s")
    parser.add_argument("--round-trip", type=float, default=0.02, help="network round trip, simulated s (0.02)")
    parser.add_argument(
        "--subnet",
        default="127.100.0",
        help="first /24 of the labs (500 hosts span three; integration tests use 127.20+)",
    )
    parser.add_argument("--state-dir", type=Path, default=REPO / ".build" / "bench")
    parser.add_argument("--output", type=Path, help="Markdown file (default STATE_DIR/bench.md)")
    parser.add_argument("--keep", action="store_true", help="leave the labs running")
    options = parser.parse_args()
    options.state_dir = options.state_dir.resolve()
    options.state_dir.mkdir(parents=True, exist_ok=True)
    output = (options.output or options.state_dir / "bench.md").resolve()
    sizes = [int(size) for size in options.fleets.split(",") if size.strip()]
    roles = [role.strip() for role in options.roles.split(",") if role.strip()]
    unknown = sorted(set(roles) - set(PLAYBOOKS))
    if unknown or not sizes or min(sizes) < 1:
        parser.error(f"--roles takes {SITE} and {NAIVE}, --fleets sizes of 1 or more (got {options.roles!r})")
    options.revision = _revision()  # what is measured: the tree as the bench starts
    runs: list[Run] = []
    failures: list[str] = []
    for size in sizes:
        for role in roles:
            try:
                runs += bench_role(size, role, options)
            except SystemExit as error:  # a failed run: say so, and measure the rest
                failures.append(f"{role} on {size} hosts: {error}")
                print(failures[-1], file=sys.stderr, flush=True)
            write(output, runs, failures, options)
    print("\n" + markdown(runs, naive_role=NAIVE))
    print(f"written to {output}")
    if failures:
        raise SystemExit(f"{len(failures)} of the runs failed (see above)")


def write(output: Path, runs: list[Run], failures: list[str], options: argparse.Namespace) -> None:
    heading = (
        f"# make bench\n\nCommit {options.revision}; forks {options.forks or 'one binding batch'},"
        f" binding batches of {options.serial}%,"
        f" time scale {options.time_scale} real s per simulated s, latency seed {options.seed}"
        f" (spread {options.spread}, round trip {options.round_trip} s),"
        f" {os.cpu_count()} CPUs.\n\n"
    )
    failed = "".join(f"\nFailed: {failure.splitlines()[0]}\n" for failure in failures)
    output.write_text(heading + markdown(runs, naive_role=NAIVE) + failed, encoding="utf-8")


def _revision() -> str:
    """The commit measured, marked when the working tree differs from it."""
    git = ["git", "-C", str(REPO)]
    head = subprocess.run([*git, "rev-parse", "--short", "HEAD"], capture_output=True, text=True, check=False).stdout
    dirty = subprocess.run([*git, "status", "--porcelain", "--untracked-files=no"], capture_output=True, text=True,
                           check=False).stdout  # fmt: skip
    return head.strip() + (" (with uncommitted changes)" if dirty.strip() else "")


if __name__ == "__main__":
    main()
