"""Every module x every fault the lab injects, through ansible-playbook at -vvvv: the fault matrix of docs/security.md.

One lab (the ``lab`` fixture's setup: CredSSP on the 2010 and 2013 hosts, NTLM on 2007 SP1) with one host per host
module and WinRM fault, the Exchange versions in turn, so one playbook run meets every WinRM fault at once: root_trust
adding the lab's CA, root_trust removing it (the host holds it from a setup run) and exchange_info, each x every
fault kind of ``tests/lab/winrm/_faults.py`` at the WS-Management operations where it tells something different,
armed for one command. The same run's second play fetches the CA with ca_certificate once per AD CS fault kind
(``tests/lab/adcs/faults.py``): with ``retries: 0`` the fault is the task's failure, with ``retries: 1`` the retry
absorbs it. certsrv's faults take the next authenticated request, whoever sends it, so the play arms each just before
its task (``arm_adcs_faults``, given to the first run only). On hosts of their own, certificate_request (a WinRM fault
at its prepare command, and with ``after: 1`` at its install command) and service_binding (at its one command) meet
the faults that tell something different for one command of a task; a last play runs certificate_request against AD
CS faults at its submit and its fetch, one host after the other.

Then the same playbook runs twice more, with nothing armed: the second run changes only what the first did not get
to change, the third changes nothing. Each case asserts the outcome (unreachable or failed as docs/host-channel.md
"When WinRM fails" says, or absorbed), a clear message (the module's name, what happened, for WinRM whether the host
may have changed; never ``Task failed:`` exception text or a traceback), the host's state in the lab's dump (identical
where the fault came before the command ran), the lab's record of what fired, and for every run: no secret (the
WinRM and the AD CS password) in the -vvvv output, in the results, in the lab's log or its dumps. The hosts of the
slow fault read with short WinRM timeouts (OperationTimeout 1 s, read timeout 6 s), so their late answer costs 7 s.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.lab.adcs import FAULT_KINDS as ADCS_FAULT_KINDS
from tests.lab.winrm._faults import FAULT_KINDS as WINRM_FAULT_KINDS

from .conftest import CREDSSP_WHERE_POSSIBLE, Lab, PlaybookRun, PlaybookRunner
from .test_winrm_faults import MAY_HAVE_CHANGED, NOT_CHANGED, RETRIES_OPERATIONS_QUOTA

pytestmark = pytest.mark.integration

PRESETS = ("2007sp1", "2010", "2013")
# The hosts of the slow fault read with a short timeout, the others with ansible's defaults: 51 hosts' scripts run in
# one lab process at once, and on a small machine a normal answer can take seconds.
OPERATION_TIMEOUT = 1
READ_TIMEOUT = 6
SLOW_SECONDS = READ_TIMEOUT + 1.0
# The process starts when its input is complete (tests/lab/winrm/_shell.py): a fault from Receive on finds it run.
AFTER_THE_INPUT = ("Receive", "Signal", "Delete")
# A command whose answer was lost still runs to its end on the host, unobserved; the dump waits for it that long.
UNOBSERVED_SECONDS = 15.0
RERUN_ENDINGS = ("Run the task again.", "so a re-run completes or confirms the change.")


@dataclass(frozen=True)
class WinrmFault:
    """A fault armed on one host's endpoint for one command; ``status`` is the first run's, for a module that changes
    the host (unreachable, failed, or changed when ansible absorbs the fault); ``says`` parts of the message."""

    name: str
    kind: str
    at: str
    status: str
    says: tuple[str, ...] = ()
    count: int = 1
    seconds: float = 0.0
    credssp: tuple[str, ...] | None = None  # what the message says instead on a host reached with CredSSP

    def said(self, preset: str) -> tuple[str, ...]:
        """The message's parts on a host of ``preset`` (2007 SP1: NTLM; 2010, 2013: CredSSP)."""
        return self.credssp if self.credssp is not None and preset != "2007sp1" else self.says

    @property
    def absorbed(self) -> bool:
        return self.status == "changed"

    @property
    def runs(self) -> bool:
        """Whether the command runs on the host during the first run (its answer may still be lost)."""
        return self.absorbed or self.at in AFTER_THE_INPUT

    @property
    def claim(self) -> str:
        """What the message must say about the host: before the input was sent nothing can have changed."""
        return NOT_CHANGED if self.at in ("Create", "Command") else MAY_HAVE_CHANGED

    @property
    def fired(self) -> int:
        """Records in the lab's ``fired`` list: drop_during_receive records the partial reply and the drop."""
        return 2 if self.kind == "drop_during_receive" else self.count


CLOSED = "the WinRM connection was closed without an answer"
OPENING = "while opening the WinRM shell"
STARTING = "while starting the command"
READING = "while reading the command's output"
TIMED_OUT = "within its OperationTimeout (w:TimedOut)"
SHELL_GONE = "no longer knows this connection's shell (w:InvalidSelectors"
INTERNAL = "w:InternalError, code 2147943418"

WINRM_FAULTS = (
    WinrmFault("dropcreate", "drop", "Create", "unreachable", (CLOSED, OPENING)),
    WinrmFault("dropcommand", "drop", "Command", "unreachable", (CLOSED, STARTING)),
    # ansible warns about the failed Send and reads the output once, on a new connection with the message sealed
    # for the lost one: NTLM gets HTTP 400; CredSSP authenticates the new connection first and the service refuses
    # the sealed message at its last step (requests-credssp issue 26). The input never arrived; the message is
    # pessimistic.
    WinrmFault(
        "dropsend",
        "drop",
        "Send",
        "unreachable",
        ("answered HTTP 400 (Bad Request)", "lost connection", READING),
        credssp=("CredSSP token after step Credential exchange", READING),
    ),
    WinrmFault("dropsignal", "drop", "Signal", "unreachable", (CLOSED, "while ending the command")),
    # ansible-core closes the shell after the task and ignores what that raises.
    WinrmFault("dropdelete", "drop", "Delete", "changed"),
    WinrmFault("dropafterrun", "drop_after_run", "Receive", "unreachable", (CLOSED, READING)),
    WinrmFault("dropreceive", "drop_during_receive", "Receive", "unreachable", (CLOSED, READING)),
    WinrmFault("http500cmd", "status_500", "Command", "failed", (INTERNAL, STARTING, "WinRM/Operational")),
    WinrmFault("http500recv", "status_500", "Receive", "failed", (INTERNAL, READING, "WinRM/Operational")),
    WinrmFault(
        "quotashells", "quota", "Create", "failed", ("w:QuotaLimit, code 2150859173", OPENING, "MaxShellsPerUser")
    ),
    # ansible-core 2.18 and later re-create the shell once on MaxConcurrentOperationsPerUser (ansible PR 83656).
    WinrmFault(
        "quotaops",
        "quota",
        "Command",
        "changed" if RETRIES_OPERATIONS_QUOTA else "failed",
        () if RETRIES_OPERATIONS_QUOTA else ("w:InternalError, code 2150859174", STARTING, "quota"),
    ),
    WinrmFault("timeoutcreate", "timeout", "Create", "unreachable", (TIMED_OUT, OPENING)),
    WinrmFault("timeoutcmd", "timeout", "Command", "unreachable", (TIMED_OUT, STARTING)),
    # w:TimedOut on Receive means "still running": ansible asks again.
    WinrmFault("timeoutrecv", "timeout", "Receive", "changed", count=2),
    WinrmFault("shellgonecmd", "shell_not_found", "Command", "unreachable", (SHELL_GONE, STARTING)),
    WinrmFault("shellgonerecv", "shell_not_found", "Receive", "unreachable", (SHELL_GONE, READING)),
    WinrmFault(
        "slowrecv",
        "slow",
        "Receive",
        "unreachable",
        ("did not answer in time", "Read timed out", READING, "ansible_winrm_read_timeout_sec"),
        seconds=SLOW_SECONDS,
    ),
)


@dataclass(frozen=True)
class HostModule:
    """A host module as the matrix runs it: ``task`` names its task and prefixes its hosts' names."""

    task: str
    module: str
    args: dict[str, Any]
    change: str | None  # what a run that reaches the host does to the lab's CA: "add", "remove" or nothing
    setup: bool = False  # the host holds the lab's CA before the matrix runs


BUNDLE = {"path": "{{ exchange_um_ca_bundle }}"}
HOST_MODULES = (
    HostModule("add", "root_trust", BUNDLE, "add"),
    HostModule("remove", "root_trust", {**BUNDLE, "state": "absent"}, "remove", setup=True),
    HostModule("info", "exchange_info", {}, None),
)


@dataclass(frozen=True)
class WinrmCase:
    module: HostModule
    fault: WinrmFault
    host: str
    preset: str

    @property
    def first_status(self) -> str:
        if self.fault.absorbed:
            return "changed" if self.module.change else "ok"
        return self.fault.status

    @property
    def second_status(self) -> str:
        return "changed" if self.module.change and not self.fault.runs else "ok"

    @property
    def holds_after_run(self) -> bool:
        """Whether Root and CA hold the lab's CA once the module has run to its end."""
        return self.module.change == "add" if self.module.change else self.module.setup

    @property
    def holds_after_first(self) -> bool:
        return self.holds_after_run if self.fault.runs else self.module.setup


def winrm_cases() -> list[WinrmCase]:
    """Every host module x every WinRM fault; each fault meets each Exchange version once across the modules."""
    return [
        WinrmCase(module, fault, f"{module.task}{fault.name}", PRESETS[(number + index) % len(PRESETS)])
        for index, module in enumerate(HOST_MODULES)
        for number, fault in enumerate(WINRM_FAULTS)
    ]


@dataclass(frozen=True)
class StepModule:
    """certificate_request or service_binding as the matrix runs it on a fresh host: ``after`` commands of the task
    pass before the one the fault meets (certificate_request's prepare is its first, install its second)."""

    task: str
    module: str
    args: dict[str, Any]
    after: int = 0
    commands: int = 1  # the task's commands on a fresh host

    @property
    def requests(self) -> bool:
        return self.module == "certificate_request"


# The hostile friendly name stays data: the certificate installed carries it exactly.
FRIENDLY = "UM \u2018o'brien\u2019 \u201c$(Remove-Item C:\\ -Recurse)\u201d `n`$x \"; exit 0 #"
REQUEST_ARGS = {
    "ca_url": "{{ exchange_um_ca_url }}",
    "username": "{{ exchange_um_ca_username }}",
    "password": "{{ exchange_um_ca_password }}",
    "issuer": "{{ exchange_um_ca_thumbprint }}",
    "friendly_name": FRIENDLY,
    "retries": 0,
}
STEP_MODULES = (
    StepModule("reqprep", "certificate_request", REQUEST_ARGS, commands=2),
    StepModule("reqinst", "certificate_request", REQUEST_ARGS, after=1, commands=2),
    StepModule("bind", "service_binding", {"thumbprint": "{{ matrix_thumbprint }}", "restart_timeout": 60}),
)
# The faults that tell something different for a command of a task: it never started, it ran and its answer was
# lost, the service failed reading its output, the service asked the client to wait (absorbed).
STEP_FAULTS = ("dropcommand", "dropafterrun", "http500recv", "timeoutrecv")


@dataclass(frozen=True)
class StepCase:
    module: StepModule
    fault: WinrmFault
    host: str
    preset: str

    @property
    def name(self) -> str:
        return f"{self.module.task} x {self.fault.name} on {self.preset}"

    @property
    def ran(self) -> bool:
        """Whether the task changed the host before or with the command the fault met."""
        return self.module.after > 0 or self.fault.runs

    @property
    def claim(self) -> str:
        return MAY_HAVE_CHANGED if self.ran else NOT_CHANGED

    @property
    def started(self) -> int:
        """The commands the first run started on the host."""
        if self.fault.absorbed:
            return self.module.commands
        return self.module.after + (1 if self.fault.runs else 0)

    @property
    def done_first(self) -> bool:
        """Whether the first run's last command ran to its end on the host (its answer may have been lost)."""
        return self.fault.absorbed or (self.fault.runs and self.module.after == self.module.commands - 1)


def step_cases() -> list[StepCase]:
    """certificate_request (a fault at its prepare, another at its install) and service_binding x STEP_FAULTS."""
    faults = [fault for fault in WINRM_FAULTS if fault.name in STEP_FAULTS]
    return [
        StepCase(module, fault, f"{module.task}{fault.name}", PRESETS[(number + index) % len(PRESETS)])
        for index, module in enumerate(STEP_MODULES)
        for number, fault in enumerate(faults)
    ]


@dataclass(frozen=True)
class RequestAdcsCase:
    """An AD CS fault for certificate_request's submit (certfnsh.asp) or fetch (certnew.cer), with retries 0: a
    slow answer of 0.1 s lets the submit through first when the fault is for the fetch."""

    kind: str
    at: str
    preset: str
    says: tuple[str, ...]

    @property
    def host(self) -> str:
        return f"adcs{self.at}{self.kind.replace('_', '')}"

    @property
    def faults(self) -> list[dict[str, Any]]:
        fault = {"kind": self.kind, "count": 1, "seconds": 0}
        return [{"kind": "slow", "count": 1, "seconds": 0.1}, fault] if self.at == "fetch" else [fault]


REQUEST_ADCS_CASES = (
    RequestAdcsCase("status_500", "submit", "2010", ("HTTP 500",)),
    RequestAdcsCase("drop", "submit", "2013", ("closed the connection without an answer",)),
    RequestAdcsCase("drop", "fetch", "2007sp1", ("closed the connection without an answer",)),
)


@dataclass(frozen=True)
class AdcsCase:
    """An AD CS fault for the next authenticated certsrv request, and ca_certificate's retries against it."""

    kind: str
    retries: int
    says: tuple[str, ...] = ()
    seconds: float = 0.0

    @property
    def name(self) -> str:
        return f"ca {self.kind} retries {self.retries}"

    @property
    def absorbed(self) -> bool:
        return self.retries > 0

    @property
    def dest(self) -> str:
        return f"{self.kind}-{self.retries}.pem"


# How certsrv's IIS logs a fault it applies (tests/lab/adcs/iis.py): "fault <kind> on <request line>".
ADCS_FIRED = " tests.lab.adcs INFO fault "
ADCS_TIMEOUT = 1
ADCS_SLOW = ADCS_TIMEOUT + 2.0
ADCS_CASES = (
    AdcsCase("status_500", 0, ("HTTP 500",)),
    AdcsCase("slow", 0, (f"no answer within {ADCS_TIMEOUT} seconds",), seconds=ADCS_SLOW),
    AdcsCase("drop", 0, ("closed the connection without an answer",)),
    AdcsCase("status_500", 1),
    AdcsCase("slow", 1, seconds=ADCS_SLOW),
    AdcsCase("drop", 1),
)
ADCS = {
    "ca_url": "{{ ca.https_url }}",
    "ca_path": "{{ ca.bundle }}",
    "username": "{{ ca.username }}",
    "password": "{{ ca.password }}",
    "timeout": ADCS_TIMEOUT,
}


# -- the playbook --------------------------------------------------------------------------------------------------


def _host_task(module: HostModule) -> dict[str, Any]:
    return {
        "name": module.task,
        f"exchange_um.certificates.{module.module}": dict(module.args),
        "when": f"matrix_module == {module.task!r}",
    }


def _adcs_tasks(case: AdcsCase) -> list[dict[str, Any]]:
    """Arm the case's fault (first run only: the lab takes one per request, so a retry must find none queued), then
    fetch."""
    arm = {
        "name": f"arm {case.name}",
        "ansible.builtin.uri": {
            "url": "{{ control_url }}adcs/faults",
            "method": "POST",
            "body_format": "json",
            "body": {"kind": case.kind, "count": 1, "seconds": case.seconds},
        },
        "when": "arm_adcs_faults | default(false)",
    }
    fetch = {
        "name": case.name,
        "exchange_um.certificates.ca_certificate": {**ADCS, "retries": case.retries, "dest": "{{ out }}/" + case.dest},
        "ignore_errors": True,
    }
    return [arm, fetch]


def _request_adcs_tasks() -> list[dict[str, Any]]:
    """certificate_request on the AD CS fault hosts, one host after the other (serial): arm its faults (first run
    only), then request."""
    arm = {
        "name": "arm request adcs",
        "ansible.builtin.uri": {
            "url": "{{ control_url }}adcs/faults",
            "method": "POST",
            "body_format": "json",
            "body": "{{ item }}",
        },
        "loop": "{{ adcs_faults }}",
        "delegate_to": "localhost",
        "when": "arm_adcs_faults | default(false)",
    }
    request = {"name": "request adcs", "exchange_um.certificates.certificate_request": dict(REQUEST_ARGS)}
    return [arm, {**request, "ignore_errors": True}]


def matrix_play() -> list[dict[str, Any]]:
    """The play every run repeats: the host modules (each host runs its own, at its own pace), then ca_certificate,
    then certificate_request against AD CS faults."""
    ca_tasks = [task for case in ADCS_CASES for task in _adcs_tasks(case)]
    step_tasks = [
        {
            "name": module.task,
            f"exchange_um.certificates.{module.module}": dict(module.args),
            "when": f"matrix_module == {module.task!r}",
        }
        for module in STEP_MODULES
    ]
    return [
        {
            "name": "host modules",
            "hosts": "exchange_um:!adcs_request",
            "gather_facts": False,
            "strategy": "free",
            "tasks": [_host_task(module) for module in HOST_MODULES] + step_tasks,
        },
        {"name": "ca_certificate", "hosts": "localhost", "gather_facts": False, "tasks": ca_tasks},
        {
            "name": "certificate_request x AD CS",
            "hosts": "adcs_request",
            "gather_facts": False,
            # One at a time while faults are armed (the first run); afterwards all at once.
            "serial": "{{ 1 if arm_adcs_faults | default(false) else '100%' }}",
            "tasks": _request_adcs_tasks(),
        },
    ]


def setup_play() -> list[dict[str, Any]]:
    """Trust the lab's CA on the hosts of the modules that start from a host holding it."""
    tasks = [
        {
            "name": f"setup {module.task}",
            "exchange_um.certificates.root_trust": BUNDLE,
            "when": f"matrix_module == {module.task!r}",
        }
        for module in HOST_MODULES
        if module.setup
    ]
    # certificate_request installs only a certificate whose chain builds on the host.
    tasks.append(
        {
            "name": "setup request",
            "exchange_um.certificates.root_trust": BUNDLE,
            "when": "matrix_module in ['reqprep', 'reqinst', 'adcs']",
        }
    )
    return [{"name": "setup", "hosts": "exchange_um", "gather_facts": False, "strategy": "free", "tasks": tasks}]


# -- running it ----------------------------------------------------------------------------------------------------


@dataclass
class Run:
    run: PlaybookRun

    @property
    def output(self) -> str:
        return self.run.stdout + self.run.stderr


@dataclass
class Matrix:
    lab: Lab
    cases: list[WinrmCase]
    before: dict[str, dict[str, Any]]
    after: list[dict[str, dict[str, Any]]]  # the dumps after each run
    setup: Run
    runs: list[Run]  # the three runs of the matrix play
    out: Path
    log_first: str  # the lab's log written during the first run
    log_later: str  # ... during the second and third
    adcs_requests: tuple[Any, Any]  # /adcs/requests before and after
    written_first: dict[str, bool]  # each AD CS case's dest exists after the first run
    steps: list[StepCase]
    step_before: dict[str, dict[str, Any]]  # certificate_request's and service_binding's hosts
    step_after: list[dict[str, dict[str, Any]]]
    secrets: list[str] = field(default_factory=list)


class PlaybookAtVerbosity:
    """ansible-playbook -vvvv with the harness's environment (results callback, collection path)."""

    def __init__(self, lab: Lab, workdir: Path, inventory: Path, extra_vars: Path) -> None:
        self.runner = PlaybookRunner(lab, workdir)
        self.workdir = workdir
        self.inventory = inventory
        self.extra_vars = extra_vars
        self.count = 0

    def __call__(self, play: list[dict[str, Any]], forks: int, *, more_vars: dict[str, Any] | None = None) -> Run:
        self.count += 1
        run_dir = self.workdir / f"run{self.count}"
        run_dir.mkdir()
        (self.workdir / "ansible.cfg").touch()
        playbook = run_dir / "play.yml"
        playbook.write_text(yaml.safe_dump(play, sort_keys=False))
        results = run_dir / "results.json"
        environment = self.runner.environment(results)
        environment["ANSIBLE_FORKS"] = str(forks)
        command = [
            str(Path(sys.executable).parent / "ansible-playbook"),
            "-vvvv",
            "-i",
            str(self.inventory),
            "-e",
            f"@{self.extra_vars}",
        ]
        if more_vars:
            (run_dir / "vars.json").write_text(json.dumps(more_vars))
            command += ["-e", f"@{run_dir / 'vars.json'}"]
        command.append(str(playbook))
        done = subprocess.run(
            command, cwd=run_dir, env=environment, capture_output=True, text=True, check=False, timeout=600
        )
        (run_dir / "output.txt").write_text(done.stdout + done.stderr)
        recorded = json.loads(results.read_text()) if results.exists() else {}
        return Run(PlaybookRun(rc=done.returncode, stdout=done.stdout, stderr=done.stderr, results=recorded))


def _inventory(lab: Lab, cases: list[WinrmCase], steps: list[StepCase], directory: Path) -> Path:
    """The lab's inventory with each host's module as ``matrix_module``, short WinRM timeouts for the slow fault;
    service_binding's hosts with the thumbprint of their own certificate, the AD CS fault hosts in a group."""
    data = yaml.safe_load(lab.inventory.read_text())
    exchange = data["all"]["children"]["exchange_um"]
    case_of: dict[str, WinrmCase | StepCase] = {case.host: case for case in [*cases, *steps]}
    for group in exchange["children"].values():
        for name, host_vars in group["hosts"].items():
            if name not in case_of:
                host_vars["matrix_module"] = "adcs"
                continue
            case = case_of[name]
            host_vars["matrix_module"] = case.module.task
            if case.fault.kind == "slow":
                host_vars["ansible_winrm_operation_timeout_sec"] = OPERATION_TIMEOUT
                host_vars["ansible_winrm_read_timeout_sec"] = READ_TIMEOUT
            if isinstance(case, StepCase) and not case.module.requests:
                host_vars["matrix_thumbprint"] = _own_thumbprint(lab.dump(name))
    data["all"]["children"]["adcs_request"] = {
        "hosts": {case.host: {"adcs_faults": case.faults} for case in REQUEST_ADCS_CASES}
    }
    path = directory / "inventory.yml"
    path.write_text(yaml.safe_dump(data))
    path.chmod(0o600)
    return path


def _extra_vars(lab: Lab, directory: Path, out: Path) -> Path:
    info = lab.info["adcs"]
    values = {
        "out": str(out),
        "control_url": lab.info["control_url"],
        "ca": {
            "https_url": info["https_url"],
            "bundle": info["ca_bundle_path"],
            "username": info["username"],
            "password": info["password"],
        },
    }
    path = directory / "vars.json"
    path.write_text(json.dumps(values))
    path.chmod(0o600)
    return path


def _log_size(lab: Lab) -> int:
    log = lab.state_dir / "lab.log"
    return log.stat().st_size if log.exists() else 0


def _log_since(lab: Lab, offset: int) -> str:
    with open(lab.state_dir / "lab.log", "rb") as handle:
        handle.seek(offset)
        return handle.read().decode("utf-8", "replace")


def _adcs_requests(lab: Lab) -> list[dict[str, Any]]:
    """The CA's requests as the control API lists them (``GET /adcs/requests``)."""
    url = lab.info["control_url"].rstrip("/") + "/adcs/requests"
    with urllib.request.urlopen(url, timeout=30) as answer:
        requests: list[dict[str, Any]] = json.loads(answer.read().decode("utf-8"))
    return requests


def _dumps(lab: Lab, cases: list[WinrmCase]) -> dict[str, dict[str, Any]]:
    return {case.host: lab.dump(case.host) for case in cases}


def _own_thumbprint(dump: dict[str, Any]) -> str:
    """The host's own certificate (the self-signed one Exchange setup made, alone in My on a fresh lab host)."""
    [own] = dump["state"]["stores"]["My"]
    return str(own["thumbprint"])


def _step_hosts(steps: list[StepCase]) -> list[str]:
    return [case.host for case in steps] + [case.host for case in REQUEST_ADCS_CASES]


def _steady_dumps(lab: Lab, hosts: list[str]) -> dict[str, dict[str, Any]]:
    """Each host's dump once two in a row agree (a command whose answer was lost may still be running), or at the
    deadline."""
    deadline = time.monotonic() + UNOBSERVED_SECONDS
    dumps = {host: lab.dump(host) for host in hosts}
    while time.monotonic() < deadline:
        time.sleep(0.3)
        again = {host: lab.dump(host) for host in hosts}
        if all(again[host]["state"] == dumps[host]["state"] for host in hosts):
            return again
        dumps = again
    return dumps


def _settled(lab: Lab, cases: list[WinrmCase]) -> None:
    """Wait until every host whose command ran on unobserved (its answer lost) shows what it did, or the deadline."""
    deadline = time.monotonic() + UNOBSERVED_SECONDS
    waiting = [case for case in cases if case.fault.runs and case.module.change]
    while waiting and time.monotonic() < deadline:
        waiting = [case for case in waiting if _holds_the_ca(lab, lab.dump(case.host)) != (case.holds_after_run,) * 2]
        if waiting:
            time.sleep(0.2)


@pytest.fixture(scope="module")
def matrix(lab_factory: Callable[..., Lab], tmp_path_factory: pytest.TempPathFactory) -> Matrix:
    cases, steps = winrm_cases(), step_cases()
    presets = [(case.host, case.preset) for case in [*cases, *steps, *REQUEST_ADCS_CASES]]
    hosts = ",".join(f"{host}={preset}" for host, preset in presets)
    lab = lab_factory("fault-matrix", hosts=hosts, auth="ntlm", extra=CREDSSP_WHERE_POSSIBLE)
    workdir = tmp_path_factory.mktemp("fault-matrix")
    out = workdir / "out"
    out.mkdir()
    inventory = _inventory(lab, cases, steps, workdir)
    playbook = PlaybookAtVerbosity(lab, workdir, inventory, _extra_vars(lab, workdir, out))
    forks = len(cases) + len(steps) + 1
    setup = playbook(setup_play(), forks)
    assert setup.run.rc == 0, setup.output[-3000:]

    before = _dumps(lab, cases)
    step_before = {host: lab.dump(host) for host in _step_hosts(steps)}
    requests_before = _adcs_requests(lab)
    for case in [*cases, *steps]:
        fault = case.fault
        after = case.module.after if isinstance(case, StepCase) else 0
        lab.control(
            f"hosts/{case.host}/faults",
            {"kind": fault.kind, "at": fault.at, "count": fault.count, "seconds": fault.seconds, "after": after},
        )

    offset = _log_size(lab)
    runs = [playbook(matrix_play(), forks, more_vars={"arm_adcs_faults": True})]
    _settled(lab, cases)
    after = [_dumps(lab, cases)]
    step_after = [_steady_dumps(lab, _step_hosts(steps))]
    written_first = {case.name: (out / case.dest).exists() for case in ADCS_CASES}
    middle = _log_size(lab)
    log_first = _log_since(lab, offset)
    for _again in range(2):
        runs.append(playbook(matrix_play(), forks))
        after.append(_dumps(lab, cases))
        step_after.append(_steady_dumps(lab, _step_hosts(steps)))
    log_later = _log_since(lab, middle)
    requests_after = _adcs_requests(lab)
    dumps = {"before": before, "after": after, "step_before": step_before, "step_after": step_after}
    (workdir / "dumps.json").write_text(json.dumps(dumps, indent=1))
    return Matrix(
        lab=lab,
        cases=cases,
        before=before,
        after=after,
        setup=setup,
        runs=runs,
        out=out,
        log_first=log_first,
        log_later=log_later,
        adcs_requests=(requests_before, requests_after),
        written_first=written_first,
        steps=steps,
        step_before=step_before,
        step_after=step_after,
        secrets=[lab.info["winrm"]["password"], lab.info["adcs"]["password"]],
    )


# -- expectations --------------------------------------------------------------------------------------------------


def _holds_the_ca(lab: Lab, dump: dict[str, Any]) -> tuple[bool, bool]:
    """Whether Root holds the lab's root, and CA its issuing CA."""
    stores = dump["state"]["stores"]
    adcs = lab.info["adcs"]
    return (
        any(entry["thumbprint"] == adcs["root_thumbprint"] for entry in stores["Root"]),
        any(entry["thumbprint"] == adcs["ca_thumbprint"] for entry in stores["CA"]),
    )


def _without_trust(state: dict[str, Any]) -> dict[str, Any]:
    """The host's state but Root and CA, which only root_trust changes."""
    stores = {name: entries for name, entries in state["stores"].items() if name not in ("Root", "CA")}
    return {**state, "stores": stores}


def _message_problems(
    case_name: str, result: dict[str, Any], says: tuple[str, ...], *, module: str | None = None
) -> Iterator[str]:
    """What is wrong with a failure's message; ``module``: the name it must start with (the host modules')."""
    message = str(result.get("msg") or "")
    if module is not None and not message.startswith(f"{module}: "):
        yield f"{case_name}: the message does not name {module}: {message[:300]}"
    for text in ("Task failed", "Traceback", "Unexpected failure", "stopped on an unexpected", "NoneType"):
        if text in message:
            yield f"{case_name}: exception text {text!r} in the message: {message[:600]}"
    if result.get("exception") not in (None, "(traceback unavailable)"):
        yield f"{case_name}: a traceback in the result: {str(result.get('exception'))[:300]}"
    for part in says:
        if part not in message:
            yield f"{case_name}: {part!r} missing from the message: {message}"


def _check(failures: list[str], condition: bool, text: str) -> None:
    if not condition:
        failures.append(text)


# -- tests ---------------------------------------------------------------------------------------------------------


def test_the_matrix_covers_every_fault_the_lab_offers() -> None:
    assert {fault.kind for fault in WINRM_FAULTS} == set(WINRM_FAULT_KINDS)
    assert {case.kind for case in ADCS_CASES} == set(ADCS_FAULT_KINDS)
    hosts = [case.host for case in winrm_cases()]
    assert len(hosts) == len(set(hosts)) == len(HOST_MODULES) * len(WINRM_FAULTS)
    for fault in WINRM_FAULTS:  # each fault meets every Exchange version (2007 SP1 over NTLM, CredSSP elsewhere)
        assert {case.preset for case in winrm_cases() if case.fault == fault} == set(PRESETS)


def test_each_winrm_fault_is_reported_as_what_happened(matrix: Matrix) -> None:
    failures: list[str] = []
    first = matrix.runs[0].run
    for case in matrix.cases:
        name = f"{case.module.task} x {case.fault.name} on {case.preset}"
        result = first.task(case.host, case.module.task)
        status = result["_status"]
        _check(failures, status == case.first_status, f"{name}: {status}, not {case.first_status}: {result.get('msg')}")
        if case.fault.absorbed:
            continue
        said = (*case.fault.said(case.preset), case.fault.claim)
        failures.extend(_message_problems(name, result, said, module=case.module.module))
        # The channel's message ends with what to do (docs/host-channel.md "When WinRM fails"): nothing after it.
        message = str(result.get("msg"))
        _check(failures, message.endswith(RERUN_ENDINGS), f"{name}: the message does not end by saying to run again")
        _check(failures, result.get("changed") is False, f"{name}: a failed result that says changed")
    assert not failures, "\n".join(failures)


def test_the_host_is_unchanged_where_the_fault_came_first(matrix: Matrix) -> None:
    """Before the command ran the state is exactly as before; after it, Root and CA as the module leaves them."""
    failures: list[str] = []
    for case in matrix.cases:
        name = f"{case.module.task} x {case.fault.name}"
        before, after = matrix.before[case.host], matrix.after[0][case.host]
        _check(failures, _holds_the_ca(matrix.lab, before) == (case.module.setup,) * 2, f"{name}: setup")
        if not case.fault.runs:
            _check(failures, after["state"] == before["state"], f"{name}: the host changed before the command ran")
            _check(
                failures,
                after["counters"]["commands"] == before["counters"]["commands"] + (case.fault.at == "Send"),
                f"{name}: {after['counters']['commands'] - before['counters']['commands']} commands started",
            )
            continue
        holds = _holds_the_ca(matrix.lab, after)
        _check(failures, holds == (case.holds_after_first,) * 2, f"{name}: Root and CA hold the CA: {holds}")
        started = after["counters"]["commands"] - before["counters"]["commands"]
        _check(failures, started == 1, f"{name}: {started} commands started, not the operation's one")
        _check(
            failures,
            _without_trust(after["state"]) == _without_trust(before["state"]),
            f"{name}: more than Root and CA changed",
        )
    assert not failures, "\n".join(failures)


def test_the_lab_recorded_each_firing(matrix: Matrix) -> None:
    failures: list[str] = []
    for case in matrix.cases:
        name = f"{case.module.task} x {case.fault.name}"
        for number, dumps in enumerate(matrix.after, start=1):
            faults = dumps[case.host]["winrm_faults"]
            _check(failures, faults["armed"] == [], f"{name}: still armed after run {number}: {faults['armed']}")
            fired = faults["fired"]
            _check(
                failures,
                [(record["kind"], record["at"]) for record in fired]
                == [(case.fault.kind, case.fault.at)] * case.fault.fired,
                f"{name}: fired after run {number}: {fired}",
            )
    assert not failures, "\n".join(failures)


def test_a_rerun_converges(matrix: Matrix) -> None:
    """The second run changes only what the first did not get to; the third finds nothing to do."""
    failures: list[str] = []
    for number, run in enumerate(matrix.runs[1:], start=2):
        _check(failures, run.run.rc == 0, f"run {number}: rc {run.run.rc}: {run.output[-2000:]}")
    second, third = matrix.runs[1].run, matrix.runs[2].run
    for case in matrix.cases:
        name = f"{case.module.task} x {case.fault.name}"
        result = second.task(case.host, case.module.task)
        _check(
            failures, result["_status"] == case.second_status, f"{name}: run 2 {result['_status']}: {result.get('msg')}"
        )
        result = third.task(case.host, case.module.task)
        _check(failures, result["_status"] == "ok" and result["changed"] is False, f"{name}: run 3 {result['_status']}")
        for dumps in matrix.after[1:]:
            holds = _holds_the_ca(matrix.lab, dumps[case.host])
            _check(failures, holds == (case.holds_after_run,) * 2, f"{name}: Root and CA hold the CA: {holds}")
            _check(
                failures,
                _without_trust(dumps[case.host]["state"]) == _without_trust(matrix.before[case.host]["state"]),
                f"{name}: more than Root and CA changed",
            )
    assert not failures, "\n".join(failures)


def test_each_adcs_fault_fails_clearly_or_is_retried(matrix: Matrix) -> None:
    failures: list[str] = []
    first, second, third = (run.run for run in matrix.runs)
    expected_pem = Path(matrix.lab.info["adcs"]["ca_cert_path"]).read_text()
    for case in ADCS_CASES:
        result = first.task("localhost", case.name)
        if case.absorbed:
            _check(failures, result["_status"] == "changed", f"{case.name}: {result['_status']}: {result.get('msg')}")
        else:
            _check(failures, result["_status"] == "failed", f"{case.name}: {result['_status']}")
            failures.extend(_message_problems(case.name, result, case.says))
        for number, run, status in ((2, second, "ok" if case.absorbed else "changed"), (3, third, "ok")):
            again = run.task("localhost", case.name)
            _check(failures, again["_status"] == status, f"{case.name}: run {number} {again['_status']}")
        # A fault that failed the task left no file; the retry that absorbed one wrote it.
        _check(failures, matrix.written_first[case.name] is case.absorbed, f"{case.name}: dest after the first run")
        _check(failures, (matrix.out / case.dest).read_text() == expected_pem, f"{case.name}: dest")
    # One firing per case, in the play's order, all during the first run, none later (the lab's log).
    fired = [
        line.split(ADCS_FIRED, 1)[1].split(" ", 1)[0] for line in matrix.log_first.splitlines() if ADCS_FIRED in line
    ]
    # ca_certificate's in the play's order; then certificate_request's, its hosts in the inventory's order.
    mine = sorted(fault["kind"] for case in REQUEST_ADCS_CASES for fault in case.faults)
    in_order = fired[: len(ADCS_CASES)] == [case.kind for case in ADCS_CASES]
    _check(failures, in_order and sorted(fired[len(ADCS_CASES) :]) == mine, f"AD CS faults fired: {fired}")
    _check(failures, ADCS_FIRED not in matrix.log_later, "an AD CS fault fired after the first run")
    # ca_certificate only reads the CA's certificates: the requests there were are as they were (certificate_request
    # adds its own).
    before, after = matrix.adcs_requests
    _check(failures, after[: len(before)] == before, "AD CS requests changed")
    assert not failures, "\n".join(failures)


def _step_message_problems(name: str, result: dict[str, Any], module: str | None) -> Iterator[str]:
    yield from _message_problems(name, result, (), module=module)
    if result.get("changed") is not False:
        yield f"{name}: a failed result that says changed: {result.get('changed')}"


def _has_certificate(dump: dict[str, Any]) -> bool:
    """My holds the certificate certificate_request installed: the one with the hostile friendly name, exactly."""
    return any(entry.get("friendly_name") == FRIENDLY for entry in dump["state"]["stores"]["My"])


def test_each_step_fault_is_reported_as_what_happened(matrix: Matrix) -> None:
    """certificate_request's prepare and install, service_binding's one command: a WinRM fault at the command is
    the task's failure, naming the module, what happened, and whether the host may have changed (after the
    prepare it has: the key and its record are there)."""
    failures: list[str] = []
    first = matrix.runs[0].run
    for case in matrix.steps:
        result = first.task(case.host, case.module.task)
        expected = case.fault.status if not case.fault.absorbed else "changed"
        status = result["_status"]
        _check(failures, status == expected, f"{case.name}: {status}, not {expected}: {result.get('msg')}")
        if case.fault.absorbed:
            continue
        message = str(result.get("msg"))
        failures.extend(_step_message_problems(case.name, result, case.module.module))
        for part in (*case.fault.said(case.preset), case.claim):
            _check(failures, part in message, f"{case.name}: {part!r} missing from the message: {message}")
        if case.ran:
            _check(failures, NOT_CHANGED not in message, f"{case.name}: claims the host unchanged: {message}")
    assert not failures, "\n".join(failures)


def test_the_step_host_is_unchanged_where_the_fault_came_first(matrix: Matrix) -> None:
    failures: list[str] = []
    for case in matrix.steps:
        before, after = matrix.step_before[case.host], matrix.step_after[0][case.host]
        started = after["counters"]["commands"] - before["counters"]["commands"]
        faults = after["winrm_faults"]
        _check(failures, faults["armed"] == [], f"{case.name}: still armed: {faults['armed']}")
        fired = [(record["kind"], record["at"]) for record in faults["fired"]]
        _check(failures, fired == [(case.fault.kind, case.fault.at)] * case.fault.fired, f"{case.name}: {fired}")
        _check(failures, started == case.started, f"{case.name}: {started} commands started, not {case.started}")
        if not case.ran:
            _check(failures, after["state"] == before["state"], f"{case.name}: the host changed before the command")
    assert not failures, "\n".join(failures)


def test_a_step_rerun_converges(matrix: Matrix) -> None:
    """The second run finishes what the first did not (a certificate issued, installed with its friendly name as
    given; the binding made), the third finds nothing to do."""
    failures: list[str] = []
    second, third = matrix.runs[1].run, matrix.runs[2].run
    for case in matrix.steps:
        result = second.task(case.host, case.module.task)
        wanted = "ok" if case.done_first else "changed"
        _check(failures, result["_status"] == wanted, f"{case.name}: run 2 {result['_status']}: {result.get('msg')}")
        result = third.task(case.host, case.module.task)
        _check(failures, result["_status"] == "ok" and result["changed"] is False, f"{case.name}: run 3 {result}")
        dump = matrix.step_after[2][case.host]
        if case.module.requests:
            _check(failures, _has_certificate(dump), f"{case.name}: no certificate with the friendly name in My")
            records = [key for key in dump["state"]["registry"] if "\\exchange_um\\certificates\\Requests\\" in key]
            _check(failures, records == [], f"{case.name}: request records left: {records}")
        else:
            _check(failures, result.get("thumbprint") == _own_thumbprint(matrix.step_before[case.host]), case.name)
    assert not failures, "\n".join(failures)


def test_each_request_adcs_fault_fails_clearly_and_a_rerun_converges(matrix: Matrix) -> None:
    """AD CS failing certificate_request's submit or fetch: a clear failure that says the key and request stay on
    the host; the next run submits the same request and installs, the third does nothing."""
    failures: list[str] = []
    first, second, third = (run.run for run in matrix.runs)
    for case in REQUEST_ADCS_CASES:
        name = f"request x AD CS {case.kind} at {case.at}"
        result = first.task(case.host, "request adcs")
        _check(failures, result["_status"] == "failed", f"{name}: {result['_status']}: {result.get('msg')}")
        failures.extend(_step_message_problems(name, result, None))
        message = str(result.get("msg"))
        for part in (*case.says, "The key and the request stay on the host", "run the task again"):
            _check(failures, part in message, f"{name}: {part!r} missing from the message: {message}")
        again = second.task(case.host, "request adcs")
        _check(failures, again["_status"] == "changed", f"{name}: run 2 {again['_status']}: {again.get('msg')}")
        last = third.task(case.host, "request adcs")
        _check(failures, last["_status"] == "ok" and last["changed"] is False, f"{name}: run 3 {last['_status']}")
        _check(failures, _has_certificate(matrix.step_after[2][case.host]), f"{name}: no certificate in My")
    assert not failures, "\n".join(failures)


def test_no_key_material_anywhere(matrix: Matrix) -> None:
    """certificate_request makes keys on the hosts: none leaves them (no PEM key, no PFX) in any output or dump."""
    texts = {f"run {n} output": run.output for n, run in enumerate(matrix.runs, start=1)}
    texts.update({f"run {n} results": json.dumps(run.run.results) for n, run in enumerate(matrix.runs, start=1)})
    texts["lab.log"] = (matrix.lab.state_dir / "lab.log").read_text(errors="replace")
    for where, text in texts.items():
        for marker in ("PRIVATE KEY", "pfx", "PFX", "PKCS12", "pkcs12"):
            assert marker not in text, f"{marker!r} in the {where}"


def test_no_exception_text_in_the_output(matrix: Matrix) -> None:
    for number, run in enumerate([matrix.setup, *matrix.runs]):
        for text in ("Traceback (most recent call last)", "The full traceback is", "Unexpected failure during module"):
            assert text not in run.output, f"run {number}: {text}"
        # ansible-core 2.19+ shows a returned failure as "Task failed: Action failed: <msg>"; "Task failed: <msg>"
        # alone is how it shows an exception that escaped the action.
        for line in run.output.splitlines():
            if "Task failed: " in line:
                assert "Task failed: Action failed: " in line, (number, line[:600])


def test_no_secret_anywhere(matrix: Matrix) -> None:
    """Not in the -vvvv output, the results, the lab's log or its dumps (what it recorded of each request)."""
    runs = dict(enumerate([matrix.setup, *matrix.runs]))  # 0: the setup run
    texts = {f"run {n} output": run.output for n, run in runs.items()}
    texts.update({f"run {n} results": json.dumps(run.run.results) for n, run in runs.items()})
    texts["lab.log"] = (matrix.lab.state_dir / "lab.log").read_text(errors="replace")
    texts["dumps"] = json.dumps([matrix.before, *matrix.after])
    texts["AD CS requests"] = json.dumps(matrix.adcs_requests)
    for secret in matrix.secrets:
        for where, text in texts.items():
            assert secret not in text, f"a secret ({len(secret)} characters) is in the {where}"
            assert json.dumps(secret)[1:-1] not in text, f"a secret ({len(secret)} characters, escaped) in {where}"
