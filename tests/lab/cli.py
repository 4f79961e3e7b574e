"""``python -m tests.lab up|dump|down|serve``: start the lab in the background, look into it, stop it.

``up`` starts ``serve`` as a daemon in its own process group (log in DIR/lab.log), hands it the generated passwords on
stdin, reads its description from a private pipe, checks that the control API and every listener answer, and writes
DIR/lab.json and DIR/inventory.yml (mode 0600). ``down`` sends SIGTERM to the daemon's group and waits.
"""

from __future__ import annotations

import argparse
import contextlib
import json
import logging
import os
import re
import resource
import secrets
import selectors
import signal
import subprocess
import sys
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import requests
import yaml

from .adcs import POLICIES
from .daemon import LabOptions, LabSecrets, serve
from .httpauth import EXTENDED_PROTECTION_MODES

__all__ = ["LabError", "main"]

REPO_ROOT = Path(__file__).resolve().parents[2]
LAB_JSON = "lab.json"
INVENTORY = "inventory.yml"
LOG_FILE = "lab.log"


class LabError(Exception):
    """A lab command that cannot do what it was asked; the message says why (and shows the log tail)."""


# -- arguments ----------------------------------------------------------------------------------------------------


def _subnet(text: str) -> str:
    match = re.fullmatch(r"127\.(\d{1,3})\.(\d{1,3})", text)
    if not match or any(int(part) > 255 for part in match.groups()):
        raise argparse.ArgumentTypeError("the subnet is the first three octets of a loopback address, e.g. 127.10.0")
    return text


def _count(text: str) -> int:
    if not text.strip().isdigit():
        raise argparse.ArgumentTypeError(f"a number of hosts is 0 or more, not {text!r}")
    return int(text)


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m tests.lab", description="The exchange_um.certificates lab.")
    commands = parser.add_subparsers(dest="command", required=True)
    for name, text in (("up", "start the lab in the background"), ("serve", "run the lab in the foreground")):
        command = commands.add_parser(name, help=text)
        command.add_argument("--state-dir", type=Path, required=True)
        selection = command.add_mutually_exclusive_group()
        selection.add_argument(
            "--hosts",
            default="2007sp1,2010,2013",
            help="comma list of [name=]preset[:setting=true|false...] (e.g. 2007sp1,2010,2013), or none",
        )
        selection.add_argument("--fleet", type=int, help="N hosts um001..umNNN cycling the versions")
        command.add_argument(
            "--lync", type=_count, default=0, metavar="N", help="N Lync/Skype front ends lync01..lyncNN (group lync)"
        )
        command.add_argument("--auth", choices=("basic", "ntlm"), default="ntlm", help="WinRM authentication")
        command.add_argument("--https", action="store_true", help="WinRM over https")
        command.add_argument("--subnet", type=_subnet, default="127.10.0")
        command.add_argument("--time-scale", type=float, default=0.0, help="real seconds per simulated second")
        command.add_argument("--adcs-policy", choices=POLICIES, default="issue")
        command.add_argument(
            "--adcs-epa",
            choices=EXTENDED_PROTECTION_MODES,
            default="off",
            help="Extended Protection of certsrv's Windows authentication: NTLM over https must carry channel bindings",
        )
        command.add_argument("--winrm-port", type=int)
        command.add_argument(
            "--winrm-credssp",
            default="none",
            help="hosts whose WinRM accepts CredSSP, as Enable-WSManCredSSP -Role Server does: none, all, or names",
        )
        command.add_argument(
            "--credssp-tls12",
            default="none",
            help="Server 2008 R2 hosts whose Schannel has TLS 1.2 on (off by default there): none, all, or names",
        )
        command.add_argument(
            "--no-intermediate", dest="intermediate", action="store_false", help="the root CA issues itself"
        )
        if name == "up":
            command.add_argument("--timeout", type=float, default=60.0, help="seconds to wait for the lab")
    dump = commands.add_parser("dump", help="print a simulated host's state and counters as JSON")
    dump.add_argument("--state-dir", type=Path, required=True)
    dump.add_argument("host")
    down = commands.add_parser("down", help="stop the lab")
    down.add_argument("--state-dir", type=Path, required=True)
    return parser


def _options(args: argparse.Namespace) -> LabOptions:
    return LabOptions(
        state_dir=args.state_dir.resolve(),
        hosts=None if args.fleet is not None else args.hosts,
        fleet=args.fleet,
        lync=args.lync,
        auth=args.auth,
        https=args.https,
        subnet=args.subnet,
        time_scale=args.time_scale,
        adcs_policy=args.adcs_policy,
        winrm_port=args.winrm_port,
        intermediate=args.intermediate,
        adcs_epa=args.adcs_epa,
        winrm_credssp=args.winrm_credssp,
        credssp_tls12=args.credssp_tls12,
    )


def _serve_arguments(options: LabOptions) -> list[str]:
    arguments = ["--state-dir", str(options.state_dir), "--auth", options.auth, "--subnet", options.subnet]
    arguments += ["--time-scale", str(options.time_scale), "--adcs-policy", options.adcs_policy]
    arguments += ["--adcs-epa", options.adcs_epa]
    arguments += ["--winrm-credssp", options.winrm_credssp, "--credssp-tls12", options.credssp_tls12]
    arguments += ["--fleet", str(options.fleet)] if options.fleet is not None else ["--hosts", options.hosts or "none"]
    arguments += ["--lync", str(options.lync)]
    if options.https:
        arguments.append("--https")
    if options.winrm_port is not None:
        arguments += ["--winrm-port", str(options.winrm_port)]
    if not options.intermediate:
        arguments.append("--no-intermediate")
    return arguments


# -- the daemon's process -----------------------------------------------------------------------------------------


def _read_lab(state_dir: Path) -> dict[str, Any] | None:
    path = state_dir / LAB_JSON
    if not path.exists():
        return None
    return json.loads(path.read_text(encoding="utf-8"))


def _is_lab_daemon(pid: int) -> bool:
    """True while ``pid`` runs ``tests.lab serve`` (a zombie or another program with a reused pid does not count)."""
    proc = Path(f"/proc/{pid}")
    try:
        if proc.exists():
            state = (proc / "stat").read_text().rsplit(")", 1)[1].split()[0]
            command = (proc / "cmdline").read_bytes().split(b"\0")
            return state != "Z" and b"tests.lab" in command and b"serve" in command
        os.kill(pid, 0)
    except (OSError, IndexError):
        return False
    return True


def _log_tail(state_dir: Path, lines: int = 25) -> str:
    try:
        text = (state_dir / LOG_FILE).read_text(encoding="utf-8", errors="replace")
    except OSError:
        return "(no log)"
    return "\n".join(text.splitlines()[-lines:])


def _write_private(path: Path, text: str) -> None:
    """Write a file that carries passwords: mode 0600 from the start, replaced atomically."""
    temporary = path.with_name(f".{path.name}.tmp")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w", encoding="utf-8") as handle:
        os.fchmod(handle.fileno(), 0o600)
        handle.write(text)
    os.replace(temporary, path)


def _read_ready_line(process: subprocess.Popen[bytes], deadline: float) -> bytes:
    assert process.stdout is not None
    data = b""
    with selectors.DefaultSelector() as selector:
        selector.register(process.stdout, selectors.EVENT_READ)
        while b"\n" not in data:
            remaining = deadline - time.monotonic()
            if remaining <= 0 or not selector.select(remaining):
                raise LabError("the lab did not report ready in time")
            chunk = os.read(process.stdout.fileno(), 65536)
            if not chunk:
                raise LabError(f"the lab daemon exited during start (exit code {process.wait()})")
            data += chunk
    return data.split(b"\n", 1)[0]


def _listeners(info: dict[str, Any]) -> list[str]:
    urls = [info["control_url"], info["adcs"]["url"], info["adcs"]["https_url"]]
    winrm = info.get("winrm") or {}
    for host in (info.get("hosts") or {}).values():
        urls.append(f"{winrm['scheme']}://{host['address']}:{host.get('port', winrm['port'])}/wsman")
    return urls


def _wait_for_listeners(urls: Sequence[str], bundle: str, deadline: float) -> None:
    """Every listener must answer HTTP (any status: 401 is the normal answer without credentials)."""
    session = requests.Session()
    session.trust_env = False  # no proxies and no REQUESTS_CA_BUNDLE: the lab's own bundle validates its TLS
    waiting = list(urls)
    while waiting:
        url = waiting[0]
        try:
            session.get(url, verify=bundle, timeout=5)
            waiting.pop(0)
        except requests.RequestException as error:
            if time.monotonic() > deadline:
                raise LabError(f"{url} does not answer: {error}") from error
            time.sleep(0.2)
    session.close()


# -- commands -----------------------------------------------------------------------------------------------------


def up(options: LabOptions, *, timeout: float) -> dict[str, Any]:
    """Start the lab daemon, wait until everything answers, write lab.json and inventory.yml."""
    state_dir = options.state_dir
    state_dir.mkdir(parents=True, exist_ok=True)
    running = _read_lab(state_dir)
    if running and _is_lab_daemon(int(running.get("pid", 0))):
        raise LabError(f"a lab is already running in {state_dir} (pid {running['pid']}); run down first")
    _check_credssp(options)
    lab_secrets = LabSecrets(enroll_password=_password(), winrm_password=_password())
    deadline = time.monotonic() + timeout
    with open(state_dir / LOG_FILE, "ab") as log:
        process = subprocess.Popen(
            [sys.executable, "-m", "tests.lab", "serve", *_serve_arguments(options)],
            cwd=REPO_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=log,
            start_new_session=True,  # its own process group: down signals the whole group
        )
    assert process.stdin is not None and process.stdout is not None
    try:
        process.stdin.write(json.dumps(lab_secrets.__dict__).encode() + b"\n")
        process.stdin.close()
        ready = json.loads(_read_ready_line(process, deadline))
        info, inventory = ready["lab"], ready["inventory"]
        _wait_for_listeners(_listeners(info), info["adcs"]["ca_bundle_path"], deadline)
    except (LabError, OSError, ValueError, KeyError) as error:
        _terminate(process.pid, grace=5.0)
        process.wait()
        tail = _log_tail(state_dir)
        raise LabError(f"the lab did not start: {error}\n--- {state_dir / LOG_FILE} (tail) ---\n{tail}") from error
    finally:
        process.stdout.close()
    _write_private(state_dir / LAB_JSON, json.dumps(info, indent=2, sort_keys=True) + "\n")
    _write_private(state_dir / INVENTORY, yaml.safe_dump(inventory, default_flow_style=False, sort_keys=True))
    return info


def _check_credssp(options: LabOptions) -> None:
    """Refuse CredSSP options that name no host they can apply to, before the daemon starts."""
    if {options.winrm_credssp.strip().lower(), options.credssp_tls12.strip().lower()} <= {"", "none"}:
        return
    from .hosts import HostSpecError, parse_host_specs  # the host simulator, only when these options are used
    from .hosts.credssp import CredsspOptionError, credssp_settings

    try:
        specs = (
            parse_host_specs(hosts=options.hosts, fleet=options.fleet, lync=options.lync) if options.wants_hosts else []
        )
        credssp_settings(specs, enabled=options.winrm_credssp, tls12=options.credssp_tls12)
    except (HostSpecError, CredsspOptionError) as error:
        raise LabError(str(error)) from None


def _password() -> str:
    """A random password that also meets the Windows complexity rule (upper, lower, digit, symbol)."""
    return secrets.token_urlsafe(18) + "-Aa1"


def _terminate(pid: int, *, grace: float) -> bool:
    """SIGTERM the process group of ``pid``, SIGKILL it after ``grace`` seconds; True when it was running."""
    if not _is_lab_daemon(pid):
        return False
    try:
        os.killpg(pid, signal.SIGTERM)
    except ProcessLookupError:
        return False
    deadline = time.monotonic() + grace
    while _is_lab_daemon(pid) and time.monotonic() < deadline:
        _reap(pid)
        time.sleep(0.1)
    if _is_lab_daemon(pid):
        with contextlib.suppress(ProcessLookupError):
            os.killpg(pid, signal.SIGKILL)
    _reap(pid)
    return True


def _reap(pid: int) -> None:
    """Collect the daemon's exit status when it is our own child (``up`` and ``down`` in one process)."""
    with contextlib.suppress(ChildProcessError):
        os.waitpid(pid, os.WNOHANG)


def down(state_dir: Path) -> str:
    info = _read_lab(state_dir)
    if info is None:
        return f"no lab in {state_dir}"
    if _terminate(int(info.get("pid", 0)), grace=15.0):
        return f"lab stopped (pid {info['pid']})"
    return f"lab already stopped (pid {info.get('pid')})"


def dump(state_dir: Path, host: str) -> dict[str, Any]:
    info = _read_lab(state_dir)
    if info is None or not _is_lab_daemon(int(info.get("pid", 0))):
        raise LabError(f"no running lab in {state_dir}")
    session = requests.Session()
    session.trust_env = False
    response = session.get(f"{info['control_url']}hosts/{host}", timeout=30)
    answer = response.json()
    if response.status_code != 200:
        raise LabError(f"dump {host}: {answer.get('error', response.status_code)}")
    return answer


def _serve(options: LabOptions) -> int:
    logging.basicConfig(
        stream=sys.stderr, level=logging.INFO, format="%(asctime)s %(process)d %(name)s %(levelname)s %(message)s"
    )
    lab_secrets = LabSecrets(**json.loads(sys.stdin.readline()))
    _raise_file_limit()
    # The ready line goes to the pipe ``up`` reads; afterwards stdout is /dev/null so nothing else reaches the pipe.
    ready = os.fdopen(os.dup(sys.stdout.fileno()), "w", encoding="utf-8")
    devnull = os.open(os.devnull, os.O_WRONLY)
    os.dup2(devnull, sys.stdout.fileno())
    os.close(devnull)
    try:
        return serve(options, lab_secrets, ready=ready)
    except Exception:
        logging.getLogger("tests.lab").exception("the lab failed")
        return 1


def _raise_file_limit() -> None:
    """Every host's listeners (WinRM, the UM SIP ports) hold a few descriptors each, and each open connection one
    more: a fleet of hundreds needs thousands, past the usual soft limit of 1024, so the daemon takes its hard limit."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65536
    if soft != resource.RLIM_INFINITY and soft < wanted:
        resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def main(argv: Sequence[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        if args.command == "serve":
            return _serve(_options(args))
        if args.command == "up":
            info = up(_options(args), timeout=args.timeout)
            hosts = ", ".join(sorted(info["hosts"])) or "none"
            print(f"lab up (pid {info['pid']}): control {info['control_url']}, AD CS {info['adcs']['url']}")
            print(f"hosts: {hosts}; see {args.state_dir / LAB_JSON} and {args.state_dir / INVENTORY}")
        elif args.command == "dump":
            print(json.dumps(dump(args.state_dir.resolve(), args.host), indent=2, sort_keys=True))
        else:
            print(down(args.state_dir.resolve()))
    except LabError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1
    return 0
