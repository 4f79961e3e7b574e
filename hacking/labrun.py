"""Drive the lab and ansible-playbook from the demo and benchmark scripts."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
# As docs/connection-setup.md "The double hop" sets hosts up: CredSSP wherever WinRM has it (2010, 2013), with TLS 1.2
# turned on where Windows leaves it off (Server 2008 R2), so their snap-in reaches Active Directory; the Exchange 2007
# SP1 hosts (WinRM 1.1) stay on NTLM and need no Exchange cmdlet.
CREDSSP_WHERE_POSSIBLE = ("--winrm-credssp", "all", "--credssp-tls12", "all")


def lab(*arguments: str) -> str:
    return subprocess.run(
        [sys.executable, "-m", "tests.lab", *arguments], cwd=REPO, check=True, capture_output=True, text=True
    ).stdout


class Lab:
    """A running lab: its lab.json, counters and control API."""

    def __init__(self, state_dir: Path) -> None:
        self.state_dir = state_dir
        self.info = json.loads((state_dir / "lab.json").read_text(encoding="utf-8"))

    @property
    def hosts(self) -> dict[str, dict]:
        return self.info["hosts"]

    def reset_counters(self) -> None:
        for name in self.hosts:
            url = self.info["control_url"].rstrip("/") + f"/hosts/{name}/reset-counters"
            with urllib.request.urlopen(urllib.request.Request(url, data=b"{}", method="POST"), timeout=30):
                pass

    def counters(self) -> dict[str, dict]:
        return {
            name: json.loads(lab("dump", "--state-dir", str(self.state_dir), name))["counters"] for name in self.hosts
        }


def playbook(state_dir: Path, name: str, *extra: str, quiet: bool = False) -> float:
    """Run a playbook of playbooks/ against the lab; return the wall-clock seconds it took."""
    env = dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(REPO / ".build" / "collections"))
    started = time.monotonic()
    subprocess.run(
        [str(BIN / "ansible-playbook"), "-i", str(state_dir / "inventory.yml"), str(REPO / "playbooks" / name), *extra],
        cwd=REPO,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL if quiet else None,
    )
    return time.monotonic() - started
