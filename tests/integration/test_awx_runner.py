"""The playbooks as AWX runs them: ansible-runner with a private data directory, against the lab, read by job events.

The private data directory is laid out as AWX lays out a job's (ansible-runner's "Runner Input Directory
Hierarchy"): ``project/`` is the project checkout, ``inventory/hosts`` the inventory without credentials,
``env/extravars`` the survey answers and what the AD CS credential type injects, ``env/passwords`` the answer to the
machine credential's password prompt, ``env/envvars`` and ``env/settings``. The collection comes from the project
sync of ``collections/requirements.yml`` into ``requirements_collections/``, as AWX installs it. Nothing secret is
on a command line: the machine password reaches ``ansible-playbook --ask-pass`` through runner's prompt answers.
"""

from __future__ import annotations

import copy
import json
import os
import subprocess
import sys
from collections.abc import Callable, Iterator, Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import ansible_runner
import pytest
import yaml

from .conftest import CREDSSP_WHERE_POSSIBLE, REPO_ROOT, Lab

pytestmark = pytest.mark.integration

BIN = Path(sys.executable).parent
JOB_TIMEOUT = 600
# The machine credential's password prompt, as AWX answers it (awx/main/tasks: ``--ask-pass``).
PASSWORD_PROMPT = r"^SSH [pP]assword:\s*?$"
# What the AD CS credential type (docs/awx/credential_types.yml) injects as extra variables.
INJECTED = ("exchange_um_ca_username", "exchange_um_ca_password")


@dataclass
class Job:
    """A finished ansible-runner job: its status, return code and job events."""

    status: str
    rc: int
    events: list[dict[str, Any]]
    stdout: str

    def stats(self) -> dict[str, dict[str, int]]:
        """playbook_on_stats per host: ok, changed, failures, dark (unreachable), skipped."""
        [stats] = [event["event_data"] for event in self.events if event["event"] == "playbook_on_stats"]
        hosts = set().union(*(stats.get(key) or {} for key in ("ok", "changed", "failures", "dark", "skipped")))
        return {
            host: {key: (stats.get(key) or {}).get(host, 0) for key in ("ok", "changed", "failures", "dark")}
            for host in hosts
        }

    def results(self, host: str) -> list[dict[str, Any]]:
        """The host's task results (runner_on_ok / failed / skipped / unreachable events' event_data)."""
        return [
            event["event_data"]
            for event in self.events
            if event["event"].startswith("runner_on_") and event["event_data"].get("host") == host
        ]


class AwxJobs:
    """Jobs of one AWX project against one lab; each ``run`` gets its own private data directory."""

    def __init__(self, lab: Lab, workdir: Path) -> None:
        self.lab = lab
        self.workdir = workdir
        self.collections = workdir / "requirements_collections"
        self.project = workdir / "project"
        self._count = 0
        self._sync_project()

    def _sync_project(self) -> None:
        """The project checkout (the working tree's tracked and new files) and its collections/requirements.yml."""
        files = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=REPO_ROOT,
            capture_output=True,
            check=True,
            timeout=60,
        ).stdout.split(b"\0")
        for name in (file.decode() for file in files if file):
            source = REPO_ROOT / name
            if source.is_file():
                target = self.project / name
                target.parent.mkdir(parents=True, exist_ok=True)
                target.write_bytes(source.read_bytes())
        requirements = ["-r", "collections/requirements.yml", "-p", str(self.collections)]
        done = subprocess.run(
            [str(BIN / "ansible-galaxy"), "collection", "install", "--force", *requirements],
            cwd=self.project,
            capture_output=True,
            text=True,
            check=False,
            timeout=300,
        )
        assert done.returncode == 0, done.stdout + done.stderr

    def inventory(self) -> dict[str, Any]:
        """The lab's inventory without what AWX keeps in credentials (WinRM account, AD CS account)."""
        inventory = copy.deepcopy(yaml.safe_load(self.lab.inventory.read_text(encoding="utf-8")))
        for name in INJECTED:
            inventory["all"]["vars"].pop(name)
        for group in inventory["all"]["children"].values():
            group.get("vars", {}).pop("ansible_user", None)
            group.get("vars", {}).pop("ansible_password", None)
        return inventory

    def run(self, playbook: str, *, extravars: Mapping[str, Any] | None = None, check: bool = False) -> Job:
        self._count += 1
        data = self.workdir / f"job{self._count:02d}"
        (data / "inventory").mkdir(parents=True)
        (data / "env").mkdir()
        (data / "project").symlink_to(self.project, target_is_directory=True)
        (data / "inventory" / "hosts").write_text(yaml.safe_dump(self.inventory()), encoding="utf-8")
        adcs, winrm = self.lab.info["adcs"], self.lab.info["winrm"]
        injected = {"exchange_um_ca_username": adcs["username"], "exchange_um_ca_password": adcs["password"]}
        files = {
            "extravars": {**injected, **dict(extravars or {})},
            "passwords": {PASSWORD_PROMPT: winrm["password"]},
            "envvars": {
                # ansible-playbook of this venv, as an execution environment has its own on PATH.
                "PATH": f"{BIN}:{os.environ.get('PATH', '')}",
                "ANSIBLE_COLLECTIONS_PATH": str(self.collections),
                "ANSIBLE_PYTHON_INTERPRETER": sys.executable,
                "ANSIBLE_HOME": str(self.workdir / "ansible-home"),
                "ANSIBLE_LOCAL_TEMP": str(self.workdir / "ansible-tmp"),
                "ANSIBLE_CONFIG": str(self.workdir / "ansible.cfg"),
                "ANSIBLE_NOCOLOR": "1",
                "ANSIBLE_TIMEOUT": "60",
            },
            "settings": {"job_timeout": JOB_TIMEOUT, "idle_timeout": JOB_TIMEOUT},
        }
        for name, content in files.items():
            path = data / "env" / name
            path.write_text(json.dumps(content), encoding="utf-8")
            path.chmod(0o600)
        (self.workdir / "ansible.cfg").touch()
        result = ansible_runner.run(
            private_data_dir=str(data),
            playbook=playbook,
            cmdline=f"--user {winrm['username']} --ask-pass" + (" --check" if check else ""),
            quiet=True,
        )
        stdout = result.stdout.read() if result.stdout is not None else ""
        return Job(status=result.status, rc=result.rc, events=list(result.events), stdout=stdout)


@pytest.fixture(scope="module")
def awx_lab(lab_factory: Callable[..., Lab]) -> Lab:
    """One host per Exchange version and a Lync front end, set up as docs/connection-setup.md says."""
    return lab_factory(
        "awx", hosts="2007sp1,2010,2013", extra=(*CREDSSP_WHERE_POSSIBLE, "--lync", "1", "--winrm-port", "0")
    )


@pytest.fixture(scope="module")
def jobs(awx_lab: Lab, tmp_path_factory: pytest.TempPathFactory) -> Iterator[AwxJobs]:
    yield AwxJobs(awx_lab, tmp_path_factory.mktemp("awx"))


# Keys of every module's result that its RETURN need not repeat (ansible-core's own).
COMMON_KEYS = {"changed", "failed", "skipped", "msg", "warnings", "deprecations", "diff", "invocation"}


def _documented_returns(module: str) -> set[str]:
    """The top-level keys of the module's RETURN documentation."""
    text = (REPO_ROOT / "plugins" / "modules" / f"{module}.py").read_text(encoding="utf-8")
    return set(yaml.safe_load(text.split('RETURN = r"""', 1)[1].split('"""', 1)[0]) or {})


def _undocumented_returns(*jobs: Job) -> dict[str, set[str]]:
    """Per module of the collection: the result keys in the job events that its RETURN does not document."""
    missing: dict[str, set[str]] = {}
    for job in jobs:
        for event in job.events:
            data = event.get("event_data", {})
            action = data.get("resolved_action") or data.get("task_action") or ""
            if event["event"] != "runner_on_ok" or not action.startswith("exchange_um.certificates."):
                continue
            module = action.rsplit(".", 1)[1]
            keys = {key for key in data.get("res") or {} if not key.startswith("_ansible")} - COMMON_KEYS
            undocumented = keys - _documented_returns(module)
            if undocumented:
                missing.setdefault(module, set()).update(undocumented)
    return missing


def _secrets(lab: Lab) -> list[str]:
    return [lab.info["adcs"]["password"], lab.info["winrm"]["password"]]


def _no_secret_in(job: Job, lab: Lab) -> None:
    text = job.stdout + json.dumps(job.events)
    assert not [secret for secret in _secrets(lab) if secret in text]


def test_site_then_verify_through_ansible_runner(jobs: AwxJobs, awx_lab: Lab, tmp_path: Path) -> None:
    exchange = {name for name, host in awx_lab.info["hosts"].items() if host["exchange_version"]}
    first = jobs.run("playbooks/site.yml")
    assert (first.status, first.rc) == ("successful", 0), first.stdout[-5000:]
    stats = first.stats()
    assert exchange <= set(stats), stats
    assert all(counts["failures"] == 0 and counts["dark"] == 0 for counts in stats.values()), stats
    assert all(stats[host]["changed"] > 0 for host in exchange), stats
    # The job events carry each host's module results (what AWX's job output and host summaries show).
    for host in exchange:
        actions = {result.get("task_action") for result in first.results(host)}
        assert "exchange_um.certificates.root_trust" in actions, (host, actions)
    _no_secret_in(first, awx_lab)

    again = jobs.run("playbooks/site.yml")
    assert (again.status, again.rc) == ("successful", 0), again.stdout[-5000:]
    assert {host: counts["changed"] for host, counts in again.stats().items()} == dict.fromkeys(again.stats(), 0)

    report = tmp_path / "report"
    verify = jobs.run("playbooks/verify.yml", extravars={"exchange_um_report_dir": str(report)})
    assert (verify.status, verify.rc) == ("successful", 0), verify.stdout[-5000:]
    assert exchange <= set(verify.stats()), verify.stats()
    # Read-only on the hosts: what changed, if anything, ran on the controller (the report it writes).
    changed = [
        (host, result["task"])
        for host in exchange
        for result in verify.results(host)
        if (result.get("res") or {}).get("changed")
        and (result["res"].get("_ansible_delegated_vars") or {}).get("ansible_connection") != "local"
    ]
    assert changed == []
    _no_secret_in(verify, awx_lab)
    # Every key a module returned is in its RETURN documentation (ansible-doc tells users what they get).
    assert _undocumented_returns(first, again, verify) == {}


def test_a_missing_credential_fails_the_job(jobs: AwxJobs, awx_lab: Lab) -> None:
    """Without the AD CS credential's injected password the job fails, as a job template without it must."""
    job = jobs.run("playbooks/site.yml", extravars={"exchange_um_ca_password": ""})
    assert job.status == "failed" and job.rc != 0
    _no_secret_in(job, awx_lab)
