"""The running lab: CA, AD CS emulator, simulated hosts and control API in one process (``python -m tests.lab serve``).

Passwords arrive on stdin and leave only through the private pipe back to ``up``, which writes them into lab.json and
inventory.yml (mode 0600); they never appear on a command line, in the environment or in the log.
"""

from __future__ import annotations

import json
import logging
import os
import shutil
import signal
import tempfile
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any, TextIO

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from .adcs import AdcsEmulator
from .control import ControlApi, ControlServer
from .httpauth import Account, install_ntlm_users
from .pki import TEMPLATES, LabPki

if TYPE_CHECKING:
    from .hosts import Fleet
    from .hosts.tls import SipTlsListeners

__all__ = ["DOMAIN", "ENROLL_USER", "WINRM_USER", "LabOptions", "LabSecrets", "RunningLab", "serve"]

LOG = logging.getLogger("tests.lab")
DOMAIN = "CONTOSO"
ENROLL_USER = "enroll"
WINRM_USER = "Administrator"


@dataclass(frozen=True)
class LabOptions:
    """What ``up`` was asked for (everything but the passwords)."""

    state_dir: Path
    hosts: str | None = "2007sp1,2010,2013"
    fleet: int | None = None
    lync: int = 0  # Lync front ends after the Exchange hosts (tests/lab/hosts/specs.py)
    auth: str = "ntlm"
    https: bool = False
    subnet: str = "127.10.0"
    time_scale: float = 0.0
    adcs_policy: str = "issue"
    winrm_port: int | None = None
    intermediate: bool = True
    adcs_epa: str = "off"
    # Hosts (none, all or names) whose WinRM service accepts CredSSP, and the Server 2008 R2 hosts among them whose
    # Schannel has TLS 1.2 turned on (tests/lab/hosts/credssp.py).
    winrm_credssp: str = "none"
    credssp_tls12: str = "none"

    @property
    def wants_hosts(self) -> bool:
        return self.fleet is not None or self.lync > 0 or (self.hosts or "none").lower() != "none"


@dataclass(frozen=True)
class LabSecrets:
    enroll_password: str
    winrm_password: str


def _thumbprint(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA1()).hex().upper()


class RunningLab:
    """Starts and stops the lab's parts; describes them for lab.json and inventory.yml."""

    def __init__(self, options: LabOptions, secrets: LabSecrets) -> None:
        self.options = options
        self.secrets = secrets
        self.address = f"{options.subnet}.1"
        enroll = Account(DOMAIN, ENROLL_USER, secrets.enroll_password)
        administrator = Account(DOMAIN, WINRM_USER, secrets.winrm_password)
        self.accounts = {ENROLL_USER: enroll, WINRM_USER: administrator}
        self.winrm_accounts = {WINRM_USER: administrator}
        self._private_dir = Path(tempfile.mkdtemp(prefix="lab-"))  # mode 0700: pyspnego's NTLM user file
        self.pki: LabPki | None = None
        self.adcs: AdcsEmulator | None = None
        self.fleet: Fleet | None = None
        self.sip_tls: dict[str, SipTlsListeners] = {}
        self.control: ControlServer | None = None

    def start(self) -> None:
        options = self.options
        # The NTLM acceptor reads DOMAIN:USER:PASSWORD lines from NTLM_USER_FILE, once for every account of the lab.
        install_ntlm_users(self._private_dir / "ntlm-users", self.accounts.values())
        self.pki = LabPki.create(options.state_dir, intermediate=options.intermediate)
        self.adcs = AdcsEmulator(
            self.pki,
            self.accounts,
            self.address,
            policy=options.adcs_policy,
            extended_protection=options.adcs_epa,
        )
        self.adcs.start()
        LOG.info("AD CS emulator on %s and %s", self.adcs.url, self.adcs.https_url)
        host_names: list[str] = []
        if options.wants_hosts:
            from .hosts import Fleet, parse_host_specs  # only a lab with hosts needs the host simulator
            from .hosts.credssp import credssp_settings
            from .hosts.tls import fleet_listeners

            hosts = None if options.fleet is not None else options.hosts
            specs = parse_host_specs(hosts=hosts, fleet=options.fleet, lync=options.lync)
            credssp = credssp_settings(specs, enabled=options.winrm_credssp, tls12=options.credssp_tls12)
            self.fleet = Fleet(
                specs=specs,
                subnet=options.subnet,
                auth=options.auth,
                https=options.https,
                winrm_port=options.winrm_port,
                accounts=self.winrm_accounts,
                pki=self.pki,
                time_scale=options.time_scale,
                state_dir=options.state_dir,
                credssp=credssp,
            )
            # The UM SIP TLS listeners follow what each host's UM services present (hosts/tls.py); Schannel's TLS 1.2
            # setting is the host's own, so --credssp-tls12 turns it on for them too.
            self.sip_tls = fleet_listeners(
                {name: host.state for name, host in self.fleet.hosts.items()},
                self.fleet.addresses,
                tls12=lambda name: name in credssp and credssp[name].max_tls == "1.2",
            )
            for listeners in self.sip_tls.values():
                listeners.start()
            self.fleet.start()
            host_names = sorted(self.fleet.lab_json()["hosts"])
            LOG.info("simulated hosts: %s", ", ".join(host_names))
        api = ControlApi(adcs=self.adcs, fleet=self.fleet, host_names=host_names, pid=os.getpid(), sip_tls=self.sip_tls)
        self.control = ControlServer(api, self.address)
        self.control.start()
        LOG.info("control API on %s", self.control.url)

    def stop(self) -> None:
        for part in (self.control, *self.sip_tls.values(), self.fleet, self.adcs):
            if part is not None:
                try:
                    part.stop()
                except Exception:  # stop the other parts whatever one of them does
                    LOG.exception("stopping %s failed", type(part).__name__)
        shutil.rmtree(self._private_dir, ignore_errors=True)

    # -- descriptions -----------------------------------------------------------------------------------------------

    def _started(self) -> tuple[LabPki, AdcsEmulator, ControlServer]:
        if self.pki is None or self.adcs is None or self.control is None:
            raise RuntimeError("the lab is not started")
        return self.pki, self.adcs, self.control

    def lab_json(self) -> dict[str, Any]:
        pki, adcs, control = self._started()
        info: dict[str, Any] = {
            "state_dir": str(self.options.state_dir),
            "pid": os.getpid(),
            "control_url": control.url,
            "adcs": {
                "url": adcs.url,
                "https_url": adcs.https_url,
                "username": f"{DOMAIN}\\{ENROLL_USER}",
                "password": self.secrets.enroll_password,
                "ca_name": pki.ca_name,
                "ca_thumbprint": _thumbprint(pki.issuing),
                "root_thumbprint": _thumbprint(pki.root),
                "ca_bundle_path": str(pki.bundle_path),
                "ca_cert_path": str(pki.ca_cert_path),
                "root_cert_path": str(pki.root_cert_path),
                "extended_protection": adcs.extended_protection,
            },
            "winrm": {},
            "hosts": {},
        }
        if self.fleet is not None:
            info.update(self.fleet.lab_json())
        for name, listeners in self.sip_tls.items():
            info["hosts"][name]["sip_tls_ports"] = dict(listeners.ports)
        return info

    def inventory(self) -> dict[str, Any]:
        pki, adcs, _control = self._started()
        inventory: dict[str, Any] = self.fleet.inventory() if self.fleet is not None else {"all": {}}
        inventory.setdefault("all", {}).setdefault("vars", {}).update(
            {
                "exchange_um_ca_url": adcs.url,
                "exchange_um_ca_https_url": adcs.https_url,
                "exchange_um_ca_username": f"{DOMAIN}\\{ENROLL_USER}",
                "exchange_um_ca_password": self.secrets.enroll_password,
                "exchange_um_ca_thumbprint": _thumbprint(pki.issuing),
                "exchange_um_root_thumbprint": _thumbprint(pki.root),
                "exchange_um_ca_bundle": str(pki.bundle_path),
                # The roles' request template (roles/*/meta/argument_specs.yml): the one template the lab's CA has.
                "exchange_um_template": TEMPLATES["webserver"].name,
            }
        )
        return inventory


def serve(options: LabOptions, secrets: LabSecrets, *, ready: TextIO) -> int:
    """Run the lab until SIGTERM/SIGINT; write one JSON line (lab.json + inventory) to ``ready`` once it is up."""
    stopping = threading.Event()
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda *_: stopping.set())
    lab = RunningLab(options, secrets)
    try:
        lab.start()
        ready.write(json.dumps({"lab": lab.lab_json(), "inventory": lab.inventory()}) + "\n")
        ready.flush()
        ready.close()
        LOG.info("lab ready (pid %d)", os.getpid())
        while not stopping.wait(1.0):
            pass
        LOG.info("stopping")
    finally:
        lab.stop()
    return 0
