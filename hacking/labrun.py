"""Drive the lab and ansible-playbook from the demo and benchmark scripts."""

from __future__ import annotations

import json
import os
import re
import resource
import subprocess
import sys
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parent.parent
BIN = Path(sys.executable).parent
COLLECTIONS = REPO / ".build" / "collections"
# As docs/connection-setup.md "The double hop" sets hosts up: CredSSP wherever WinRM has it (2010, 2013), with TLS 1.2
# turned on where Windows leaves it off (Server 2008 R2), so their snap-in reaches Active Directory; the Exchange 2007
# SP1 hosts (WinRM 1.1) stay on NTLM and need no Exchange cmdlet.
CREDSSP_WHERE_POSSIBLE = ("--winrm-credssp", "all", "--credssp-tls12", "all")
# One line of ansible-playbook's PLAY RECAP: "host : ok=3 changed=0 unreachable=0 failed=0 ...".
_RECAP_LINE = re.compile(r"^(\S+)\s+:\s+((?:\w+=\d+\s*)+)$")


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

    def _call(self, path: str, body: dict[str, Any] | None = None) -> Any:
        url = self.info["control_url"].rstrip("/") + path
        data = None if body is None else json.dumps(body).encode()
        request = urllib.request.Request(url, data=data, method="GET" if body is None else "POST")
        with urllib.request.urlopen(request, timeout=60) as response:
            return json.loads(response.read() or b"null")

    def reset_counters(self) -> None:
        for name in self.hosts:
            self._call(f"/hosts/{name}/reset-counters", {})

    def counters(self) -> dict[str, dict]:
        """Each host's counters (docs/architecture.md ``dump``), read through the control API."""
        return {name: self._call(f"/hosts/{name}")["counters"] for name in self.hosts}

    def adcs_requests(self) -> list[dict[str, Any]]:
        """Every request the lab's AD CS has received (the control API's /adcs/requests)."""
        return list(self._call("/adcs/requests"))


@dataclass
class PlaybookRun:
    """What one ansible-playbook run took: wall-clock and controller CPU seconds, and its PLAY RECAP per host."""

    wall_seconds: float
    cpu_seconds: float
    recap: dict[str, dict[str, int]] = field(default_factory=dict)

    def unchanged(self) -> bool:
        """True when the recap lists hosts and none of them changed, failed or was unreachable."""
        keys = ("changed", "failed", "unreachable")
        return bool(self.recap) and all(not any(counts.get(key, 0) for key in keys) for counts in self.recap.values())


def parse_recap(lines: list[str]) -> dict[str, dict[str, int]]:
    """The PLAY RECAP of ansible-playbook's default output, per host."""
    recap: dict[str, dict[str, int]] = {}
    for line in lines[_last_recap(lines) :]:
        match = _RECAP_LINE.match(line.strip())
        if match:
            counts = (item.split("=") for item in match.group(2).split())
            recap[match.group(1)] = {key: int(value) for key, value in counts}
    return recap


def _last_recap(lines: list[str]) -> int:
    starts = [index for index, line in enumerate(lines) if line.startswith("PLAY RECAP")]
    return starts[-1] if starts else len(lines)


def ansible_env() -> dict[str, str]:
    return dict(os.environ, ANSIBLE_COLLECTIONS_PATH=str(COLLECTIONS), ANSIBLE_FORCE_COLOR="0")


def playbook(inventory: Path, name: str, *extra: str, quiet: bool = False, log: Path | None = None) -> PlaybookRun:
    """Run a playbook (a path, or a name in playbooks/) against an inventory; echo its output unless ``quiet``, keep
    it in ``log`` when given.

    The CPU seconds are ansible-playbook's and its forks' (getrusage of this process's waited-for children)."""
    path = Path(name) if "/" in name else REPO / "playbooks" / name
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    started = time.monotonic()
    process = subprocess.Popen(
        [str(BIN / "ansible-playbook"), "-i", str(inventory), str(path), *extra],
        cwd=REPO,
        env=ansible_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    assert process.stdout is not None
    lines = []
    for line in process.stdout:
        lines.append(line.rstrip("\n"))
        if not quiet:
            print(line, end="", flush=True)
    code = process.wait()
    wall = time.monotonic() - started
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    if log is not None:
        log.write_text("\n".join(lines) + "\n", encoding="utf-8")
    if code != 0:
        errors = [line for line in lines if line.startswith(("fatal:", "failed:"))][:5]
        where = f" (the whole output: {log})" if log is not None else ""
        tail = "\n".join(errors) if quiet else ""
        raise SystemExit(f"ansible-playbook {path.name} failed (exit code {code}){where}\n{tail}")
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    return PlaybookRun(wall_seconds=wall, cpu_seconds=cpu, recap=parse_recap(lines))
