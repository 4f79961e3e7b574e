"""make demo: a lab with one host per Exchange version and a Lync front end; site.yml twice, verify.yml, a summary.

The second site.yml run must change nothing (checked from its PLAY RECAP); the summary shows the lab's counters per
run, what each host holds as exchange_info reads it, and what tls_probe sees on each UM SIP port.
"""

from __future__ import annotations

import argparse
import datetime
import json
import shlex
from pathlib import Path
from typing import Any

import yaml
from labrun import BIN, COLLECTIONS, CREDSSP_WHERE_POSSIBLE, REPO, Lab, PlaybookRun, lab, playbook

RUNS = ("fresh", "converged")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--state-dir", type=Path, required=True)
    parser.add_argument("--keep", action="store_true", help="leave the lab running, to run the playbooks again")
    options = parser.parse_args()
    state_dir = options.state_dir.resolve()
    lab("down", "--state-dir", str(state_dir))  # a lab kept by an earlier demo
    lab("up", "--state-dir", str(state_dir), "--lync", "1", *CREDSSP_WHERE_POSSIBLE)
    inventory = state_dir / "inventory.yml"
    try:
        running = Lab(state_dir)
        counters: dict[str, dict[str, dict]] = {}
        requests: dict[str, dict[str, int]] = {}
        recaps: dict[str, PlaybookRun] = {}
        for label in RUNS:
            running.reset_counters()
            known = {request["id"] for request in running.adcs_requests()}
            print(f"\n=== site.yml, {label} run: ansible-playbook -i {inventory} playbooks/site.yml", flush=True)
            recaps[label] = playbook(inventory, "site.yml")
            counters[label] = running.counters()
            requests[label] = _requests_per_host(running, known)
        converged = recaps["converged"]
        if not converged.unchanged():
            changed = sorted(host for host, counts in converged.recap.items() if counts.get("changed"))
            raise SystemExit(f"the second site.yml run changed {', '.join(changed)}: the procedure is not idempotent")
        report_dir = state_dir / "report"
        print(f"\n=== verify.yml: the read-only audit, report in {report_dir}", flush=True)
        playbook(inventory, "verify.yml", "-e", f"exchange_um_report_dir={report_dir}")
        show_dir = state_dir / "demo"
        show_dir.mkdir(exist_ok=True)
        print("\n=== reading every host once more for the summary (exchange_info, tls_probe)", flush=True)
        playbook(inventory, str(REPO / "hacking" / "demo_show.yml"), "-e", f"demo_show_dir={show_dir}", quiet=True)
        root = yaml.safe_load(inventory.read_text(encoding="utf-8"))["all"]["vars"]["exchange_um_root_thumbprint"]
        print_summary(running, counters, requests, show_dir, root)
        print(
            f"\nsecond site.yml run: changed=0 on all {len(converged.recap)} hosts (PLAY RECAP);"
            f" report: {report_dir / 'report.html'} (and report.md, report.json)"
        )
    finally:
        if options.keep:
            print(f"\nThe lab keeps running. Run the procedure again:\n  {rerun_command(inventory)}")
            down = f"{shlex.quote(str(BIN / 'python'))} -m tests.lab down --state-dir {shlex.quote(str(state_dir))}"
            print(f"Stop the lab: cd {shlex.quote(str(REPO))} && {down}")
        else:
            lab("down", "--state-dir", str(state_dir))
            print("\nThe lab is stopped; make demo DEMO_ARGS=--keep leaves it running to run the playbooks again.")


def rerun_command(inventory: Path) -> str:
    return (
        f"ANSIBLE_COLLECTIONS_PATH={shlex.quote(str(COLLECTIONS))} {shlex.quote(str(BIN / 'ansible-playbook'))}"
        f" -i {shlex.quote(str(inventory))} exchange_um.certificates.site"
    )


def _requests_per_host(running: Lab, known: set[int]) -> dict[str, int]:
    """AD CS requests received since ``known``, counted by the host whose FQDN is the request's subject CN."""
    by_fqdn = {host["fqdn"]: name for name, host in running.hosts.items()}
    counts = dict.fromkeys(running.hosts, 0)
    for request in running.adcs_requests():
        subject = str(request.get("subject") or "")
        fqdn = subject.removeprefix("CN=").split(",")[0].lower()
        if request["id"] not in known and fqdn in by_fqdn:
            counts[by_fqdn[fqdn]] += 1
    return counts


def print_summary(
    running: Lab, counters: dict[str, dict[str, dict]], requests: dict[str, dict[str, int]], show_dir: Path, root: str
) -> None:
    print("\n=== per host: what the lab counted for each site.yml run")
    header = ("host", "exchange", "winrm", "run", "commands", "bytes in", "bytes out", "shell loads", "AD CS", "sim s")
    print("{:<9} {:<8} {:<8} {:<10} {:>8} {:>9} {:>9} {:>11} {:>5} {:>6}".format(*header))
    for name, host in running.hosts.items():
        logon = host["winrm_auth"][-1]  # the inventory connects with CredSSP where the host has it
        for label in RUNS:
            c = counters[label][name]
            print(
                f"{name:<9} {host['exchange_version'] or '-':<8} {logon:<8} {label:<10} {c['commands']:>8}"
                f" {c['bytes_in']:>9} {c['bytes_out']:>9} {c['exchange_shell_loads']:>11}"
                f" {requests[label][name]:>5} {c['simulated_seconds']:>6.0f}"
            )
    print("\n=== per host: what it holds now (exchange_info) and presents (tls_probe)")
    for name in running.hosts:
        shown = json.loads((show_dir / f"{name}.json").read_text(encoding="utf-8"))
        for line in describe_host(name, shown["host"], shown["probe"], root):
            print(line)


def describe_host(name: str, snapshot: dict[str, Any], probe: dict[str, Any], root: str) -> list[str]:
    """Lines about one host: the lab root's trust, its UM certificate with its key, the binding, TLS per port."""
    stores = snapshot.get("stores") or {}
    trusted = any(cert["thumbprint"] == root for cert in stores.get("Root", []))
    lines = [f"{name} ({snapshot['fqdn']}): lab root CA in LocalMachine\\Root: {'yes' if trusted else 'NO'}"]
    if not (snapshot.get("exchange") or {}).get("installed"):
        return lines
    um = snapshot.get("um") or {}
    thumbprint = um.get("certificate_thumbprint")
    cert = next((item for item in stores.get("My", []) if item["thumbprint"] == thumbprint), None)
    if cert is None:
        lines.append(f"  UM uses {thumbprint}, which is not in LocalMachine\\My")
    else:
        left = _days_left(cert["not_after"])
        key = "with its private key" if cert["has_private_key"] else "WITHOUT its private key"
        lines.append(f"  certificate {thumbprint} {cert['subject']}, DNS {', '.join(cert['dns_names'])}")
        lines.append(f"    issued by {cert['issuer']}, {key}, {left} days left")
        if um.get("certificate_event_time"):  # 2007 SP1: UM took it at its last start (event 1112)
            lines.append(f"  binding: UM took it at its start, event 1112 at {um['certificate_event_time']}")
        else:
            services = cert.get("services") or "-"
            lines.append(f"  binding: Exchange services {services}; UM startup mode {um.get('startup_mode')}")
    router = um.get("call_router")
    if router:
        lines.append(f"    call router: {router['certificate_thumbprint']}, startup mode {router['startup_mode']}")
    for port in probe.get("ports", []):
        leaf = (port.get("chain") or [{}])[0]
        verdict = "ok" if port.get("ok") else "; ".join(port.get("findings") or ["not ok"])
        presented = leaf.get("thumbprint", "nothing")
        lines.append(f"  TLS {port['port']}: {port.get('protocol') or '-'} presents {presented}: {verdict}")
    return lines


def _days_left(not_after: str) -> int:
    end = datetime.datetime.strptime(not_after, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return (end - datetime.datetime.now(datetime.timezone.utc)).days


if __name__ == "__main__":
    main()
