"""Integration harness: start the lab, run ansible-playbook against it, read back per-task results.

Fixtures:
  lab           (session) the lab with one host per Exchange version, as docs/connection-setup.md sets it up:
                CredSSP on the 2010 and 2013 hosts (their snap-in reaches Active Directory), NTLM on 2007 SP1
  ntlm_lab      (session) the same hosts with NTLM everywhere: logons without network credentials (the second hop)
  lab_factory   (session) start more labs with other options, e.g. ``lab_factory("adcs", hosts="none")``
  run_playbook  ``run(play_yaml, *, check=False, diff=False, extra_vars=None, inventory=None, limit=None)``
  playbook_runner  a ``run`` bound to another lab: ``playbook_runner(other_lab)``

ansible-playbook is the one of the running Python's venv; results come from callback_plugins/exum_results.py.
Secrets reach ansible-playbook only through files (inventory, extra vars), never its command line.
"""

from __future__ import annotations

import json
import os
import socket
import subprocess
import sys
import urllib.request
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
COLLECTIONS_ROOT = REPO_ROOT / ".build" / "collections"
CALLBACK_DIR = Path(__file__).resolve().parent / "callback_plugins"
LAB_UP_TIMEOUT = 180
LAB_DOWN_TIMEOUT = 60
PLAYBOOK_TIMEOUT = 600
START_ATTEMPTS = 5
WINRM_PORTS = (5985, 5986)
FIRST_HOST = 11
PROBED_HOSTS = 8


class LabError(RuntimeError):
    """The lab did not start or did not answer; carries the tail of its log."""

    def __init__(self, message: str, *, state_dir: Path, output: str) -> None:
        super().__init__(f"{message} (state dir {state_dir}):\n{output}")
        self.state_dir = state_dir
        self.output = output


@dataclass
class Lab:
    """A running lab: its state directory, lab.json, inventory, and the control API."""

    state_dir: Path
    info: dict[str, Any]
    inventory: Path

    def dump(self, host: str) -> dict[str, Any]:
        """The host's state and counters (``GET /hosts/<name>``)."""
        return self._request("GET", f"hosts/{host}", None)

    def control(self, path: str, body: Mapping[str, Any] | None = None) -> dict[str, Any]:
        """``POST`` to the control API, e.g. ``control("adcs/renew-ca")``."""
        return self._request("POST", path, dict(body or {}))

    def get(self, path: str) -> Any:
        """``GET`` from the control API, e.g. ``get("adcs/counters")``."""
        return self._request("GET", path, None)

    def reset_counters(self, hosts: Iterable[str], *, adcs: bool = False) -> None:
        """Zero the counters of ``hosts`` (and the CA's, with ``adcs``), so that a check counts one run only."""
        for host in hosts:
            self.control(f"hosts/{host}/reset-counters")
        if adcs:
            self.control("adcs/reset-counters")

    def _request(self, method: str, path: str, body: dict[str, Any] | None) -> dict[str, Any]:
        url = self.info["control_url"].rstrip("/") + "/" + path.lstrip("/")
        data = None if body is None else json.dumps(body).encode("utf-8")
        request = urllib.request.Request(url, data=data, method=method, headers={"Content-Type": "application/json"})
        with urllib.request.urlopen(request, timeout=30) as answer:
            text = answer.read().decode("utf-8")
        return json.loads(text) if text.strip() else {}


def _lab_command(*args: str) -> list[str]:
    return [sys.executable, "-m", "tests.lab", *args]


def _log_tail(state_dir: Path, lines: int = 40) -> str:
    log = state_dir / "lab.log"
    return "\n".join(log.read_text(errors="replace").splitlines()[-lines:]) if log.exists() else "(no lab.log)"


def start_lab(
    state_dir: Path,
    *,
    hosts: str | None = "2007sp1,2010,2013",
    auth: str = "ntlm",
    https: bool = False,
    subnet: str,
    extra: tuple[str, ...] = (),
) -> Lab:
    """``python -m tests.lab up`` and read what it wrote; raises LabError with the log tail when it fails."""
    state_dir.mkdir(parents=True, exist_ok=True)
    command = _lab_command(
        "up",
        "--state-dir",
        str(state_dir),
        *(["--hosts", hosts] if hosts is not None else []),  # None: the selection is in extra (--fleet N)
        "--auth",
        auth,
        "--subnet",
        subnet,
        "--time-scale",
        "0",
        *(["--https"] if https else []),
        *extra,
    )
    try:
        done = subprocess.run(
            command, cwd=REPO_ROOT, capture_output=True, text=True, check=False, timeout=LAB_UP_TIMEOUT
        )
    except subprocess.TimeoutExpired:
        stop_lab(state_dir)
        raise LabError(
            f"lab up did not return within {LAB_UP_TIMEOUT}s", state_dir=state_dir, output=_log_tail(state_dir)
        ) from None
    if done.returncode != 0:
        stop_lab(state_dir)
        raise LabError(
            f"lab up failed with rc {done.returncode}",
            state_dir=state_dir,
            output=f"{done.stdout}\n{done.stderr}",
        )
    info = json.loads((state_dir / "lab.json").read_text())
    return Lab(state_dir=state_dir, info=info, inventory=state_dir / "inventory.yml")


def stop_lab(state_dir: Path) -> None:
    subprocess.run(
        _lab_command("down", "--state-dir", str(state_dir)),
        cwd=REPO_ROOT,
        capture_output=True,
        timeout=LAB_DOWN_TIMEOUT,
        check=False,
    )


def _candidate_subnets() -> Iterator[str]:
    """/24s for labs: per xdist worker, starting at a place derived from the pid, so that test sessions running at
    the same time on one machine (people, CI jobs) rarely try the same addresses."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "gw0")
    number = int(worker[2:]) if worker[2:].isdigit() else 0
    start = os.getpid() % 200
    for step in range(200):
        yield f"127.{20 + number}.{(start + step) % 200 + 1}"


def _winrm_addresses_free(subnet: str) -> bool:
    """The simulated hosts listen on <subnet>.11 and up, on the fixed WinRM ports: are those free?"""
    for last in range(FIRST_HOST, FIRST_HOST + PROBED_HOSTS):
        for port in WINRM_PORTS:
            with socket.socket() as probe:
                try:
                    probe.bind((f"{subnet}.{last}", port))
                except OSError:
                    return False
    return True


@pytest.fixture(scope="session")
def lab_factory(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Callable[..., Lab]]:
    started: list[Path] = []
    subnets = _candidate_subnets()

    def factory(name: str, **options: Any) -> Lab:
        failures = 0
        for subnet in subnets:
            if not _winrm_addresses_free(subnet):
                continue
            state_dir = tmp_path_factory.mktemp(f"lab-{name}")
            try:
                lab = start_lab(state_dir, subnet=subnet, **options)
            except LabError as error:
                # Another session took the addresses between the probe and the start: try the next subnet.
                failures += 1
                if "Address already in use" in error.output and failures < START_ATTEMPTS:
                    continue
                raise
            started.append(state_dir)
            return lab
        raise RuntimeError("every candidate loopback /24 for a lab is in use")

    yield factory
    for state_dir in reversed(started):
        stop_lab(state_dir)


# docs/connection-setup.md "The double hop": CredSSP on every host that can have it (WinRM 2.0 and later), with TLS 1.2
# turned on where Windows leaves it off (Server 2008 R2); the 2007 SP1 host (WinRM 1.1) stays on NTLM.
CREDSSP_WHERE_POSSIBLE = ("--winrm-credssp", "all", "--credssp-tls12", "all")


@pytest.fixture(scope="session")
def lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("fleet", hosts="2007sp1,2010,2013", auth="ntlm", extra=CREDSSP_WHERE_POSSIBLE)


@pytest.fixture(scope="session")
def ntlm_lab(lab_factory: Callable[..., Lab]) -> Lab:
    return lab_factory("fleet-ntlm", hosts="2007sp1,2010,2013", auth="ntlm")


def inventory_by_fqdn(lab: Lab, directory: Path) -> Path:
    """The lab's inventory with the 2010 and 2013 hosts named by FQDN, as the remote shell's endpoint needs (without
    an exchange_um_host fact the session's URI is ``http://<inventory_hostname>/PowerShell/``, docs/host-channel.md)."""
    inventory = yaml.safe_load(lab.inventory.read_text(encoding="utf-8"))
    for group in ("exchange2010", "exchange2013"):
        members = inventory["all"]["children"]["exchange_um"]["children"][group]["hosts"]
        for name in list(members):
            members[lab.info["hosts"][name]["fqdn"]] = members.pop(name)
    path = directory / "inventory.yml"
    path.write_text(yaml.safe_dump(inventory), encoding="utf-8")
    path.chmod(0o600)
    return path


@dataclass
class PlaybookRun:
    rc: int
    stdout: str
    stderr: str
    results: dict[str, list[dict[str, Any]]] = field(default_factory=dict)

    def task(self, host: str, name: str) -> dict[str, Any]:
        """The result of the task called ``name`` on ``host`` (the last one, if a name repeats)."""
        matches = [result for result in self.results.get(host, []) if result["_task"] == name]
        if not matches:
            known = {h: [r["_task"] for r in rs] for h, rs in self.results.items()}
            raise KeyError(f"no result for task {name!r} on {host!r}; recorded: {known}\n{self.stdout[-3000:]}")
        return matches[-1]


class PlaybookRunner:
    """Runs one play file with ansible-playbook of the current venv against a lab's inventory."""

    def __init__(self, lab: Lab, workdir: Path) -> None:
        self.lab = lab
        self.workdir = workdir
        self._count = 0

    def environment(self, results_file: Path) -> dict[str, str]:
        bin_dir = str(Path(sys.executable).parent)
        env = dict(os.environ)
        env.update(
            {
                "PATH": bin_dir + os.pathsep + env.get("PATH", ""),
                "ANSIBLE_COLLECTIONS_PATH": str(COLLECTIONS_ROOT),
                "ANSIBLE_CALLBACK_PLUGINS": str(CALLBACK_DIR),
                "ANSIBLE_CALLBACKS_ENABLED": "exum_results",
                "EXUM_RESULTS_FILE": str(results_file),
                "ANSIBLE_HOME": str(self.workdir / "ansible-home"),
                "ANSIBLE_LOCAL_TEMP": str(self.workdir / "ansible-tmp"),
                "ANSIBLE_CONFIG": str(self.workdir / "ansible.cfg"),
                "ANSIBLE_HOST_KEY_CHECKING": "False",
                "ANSIBLE_RETRY_FILES_ENABLED": "False",
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_FORCE_COLOR": "0",
                "ANSIBLE_TIMEOUT": "60",
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
            }
        )
        return env

    def run(
        self,
        play_yaml: str,
        *,
        check: bool = False,
        diff: bool = False,
        extra_vars: Mapping[str, Any] | None = None,
        inventory: Path | None = None,
        limit: str | None = None,
    ) -> PlaybookRun:
        self._count += 1
        run_dir = self.workdir / f"run{self._count:03d}"
        run_dir.mkdir(parents=True)
        (self.workdir / "ansible.cfg").touch()
        playbook = run_dir / "play.yml"
        playbook.write_text(play_yaml)
        results_file = run_dir / "results.json"
        command = [str(Path(sys.executable).parent / "ansible-playbook"), "-i", str(inventory or self.lab.inventory)]
        if extra_vars:
            vars_file = run_dir / "extra_vars.json"
            vars_file.write_text(json.dumps(dict(extra_vars)))
            vars_file.chmod(0o600)
            command += ["-e", f"@{vars_file}"]
        command += ["--check"] if check else []
        command += ["--diff"] if diff else []
        command += ["--limit", limit] if limit else []
        command.append(str(playbook))
        done = subprocess.run(
            command,
            cwd=run_dir,
            env=self.environment(results_file),
            capture_output=True,
            check=False,
            text=True,
            timeout=PLAYBOOK_TIMEOUT,
        )
        results = json.loads(results_file.read_text()) if results_file.exists() else {}
        return PlaybookRun(rc=done.returncode, stdout=done.stdout, stderr=done.stderr, results=results)


@pytest.fixture(scope="session")
def playbook_runner(tmp_path_factory: pytest.TempPathFactory) -> Callable[[Lab], Callable[..., PlaybookRun]]:
    def bind(lab: Lab) -> Callable[..., PlaybookRun]:
        return PlaybookRunner(lab, tmp_path_factory.mktemp("playbooks")).run

    return bind


@pytest.fixture(scope="session")
def run_playbook(lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]) -> Callable[..., PlaybookRun]:
    return playbook_runner(lab)
