"""The simulated hosts of a lab, each behind its own WinRM endpoint on its own loopback address.

Address plan (lab CLI contract): hosts on ``<subnet>.11``, ``.12``, ... ``.254``; a larger fleet goes on in the next
/24s, as a network of several subnets would (``127.10.1.11`` ... after ``127.10.0.254``, 244 hosts per subnet; the
lab's own address stays ``<subnet>.1``); WinRM on 5985 (http) / 5986 (https) unless
a port is given (0 lets the system choose one per host, for tests that run several labs at once). Over https each
endpoint presents a server certificate for its FQDN and address issued by the lab's CA, so the CA bundle validates it.
"""

from __future__ import annotations

import os
import ssl
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Protocol

from tests.pwsh import Catalog

from ..httpauth import Account
from ..winrm import CredsspSettings, WinrmEndpoint
from .host import SimulatedHost
from .specs import HostSpec

__all__ = ["Fleet", "TlsIssuer"]

_FIRST_HOST = 11
_LAST_HOST = 254
_PER_SUBNET = _LAST_HOST - _FIRST_HOST + 1
_GROUP_OF_VERSION = {"2007sp1": "exchange2007sp1", "2010": "exchange2010", "2013": "exchange2013"}
_NO_EXCHANGE_GROUP = "windows_without_exchange"
_LYNC_GROUP = "lync"


class TlsIssuer(Protocol):
    """The part of tests.lab.pki.LabPki the fleet uses."""

    @property
    def bundle_path(self) -> Path:
        """PEM file of the lab's CA certificates."""

    def issue_tls_server(self, names: Sequence[str], addresses: Sequence[str]) -> tuple[bytes, bytes]:
        """A TLS server certificate (with its chain) and its key, as PEM."""


class Fleet:
    """Build with the host specs, then ``start()``; ``dump``/``reset_counters`` serve the control API."""

    def __init__(
        self,
        *,
        specs: Sequence[HostSpec],
        subnet: str = "127.10.0",
        auth: str = "ntlm",
        https: bool = False,
        winrm_port: int | None = None,
        accounts: Mapping[str, Account],
        pki: TlsIssuer | None = None,
        time_scale: float = 0.0,
        state_dir: Path | None = None,
        credssp: Mapping[str, CredsspSettings] | None = None,
    ) -> None:
        """``credssp``: the hosts (by name) whose WinRM service also accepts CredSSP (hosts/credssp.py)."""
        if https and (pki is None or state_dir is None):
            raise ValueError("https needs the lab's pki and a state directory for the endpoints' certificates")
        if not accounts:
            raise ValueError("the hosts need at least one WinRM account")
        *network, third = subnet.split(".")
        room = (256 - int(third)) * _PER_SUBNET
        if len(specs) > room:
            raise ValueError(f"at most {room} hosts fit from {subnet}.{_FIRST_HOST} on ({_PER_SUBNET} per subnet)")
        catalog = Catalog.load()
        self.subnet = subnet
        self.auth = auth
        self.https = https
        self.port = winrm_port if winrm_port is not None else (5986 if https else 5985)
        self.account = next(iter(accounts.values()))
        self._accounts = accounts
        self._pki = pki
        self._state_dir = state_dir
        self.credssp = dict(credssp or {})
        self.hosts: dict[str, SimulatedHost] = {
            spec.name: SimulatedHost(spec, time_scale=time_scale, catalog=catalog, domain_accounts=accounts.values())
            for spec in specs
        }
        self.addresses = {spec.name: _address(network, int(third), index) for index, spec in enumerate(specs)}
        self.endpoints: dict[str, WinrmEndpoint] = {}

    def start(self) -> None:
        try:
            for name, host in self.hosts.items():
                endpoint = WinrmEndpoint(
                    host=host,
                    address=self.addresses[name],
                    port=self.port,
                    accounts=self._accounts,
                    auth=self.auth,
                    ssl_context=self._ssl_context(host) if self.https else None,
                    winrm_version=host.spec.winrm_version,
                    credssp=self.credssp.get(name),
                )
                endpoint.start()
                self.endpoints[name] = endpoint
        except BaseException:
            self.stop()
            raise

    def stop(self) -> None:
        endpoints, self.endpoints = self.endpoints, {}
        for endpoint in endpoints.values():
            endpoint.stop()

    def host(self, name: str) -> SimulatedHost:
        """The host called ``name`` (KeyError for an unknown name)."""
        return self.hosts[name]

    def dump(self, name: str) -> dict[str, Any]:
        dumped = self.host(name).dump()
        dumped["address"] = self.addresses[name]
        endpoint = self.endpoints.get(name)
        dumped["winrm_url"] = None if endpoint is None else endpoint.url
        return dumped

    def reset_counters(self, name: str) -> None:
        self.host(name).reset_counters()

    def write_event(self, name: str, *, event_id: int, source: str, entry_type: str, message: str) -> dict[str, object]:
        return self.host(name).write_event(event_id=event_id, source=source, entry_type=entry_type, message=message)

    def port_of(self, name: str) -> int:
        endpoint = self.endpoints.get(name)
        return endpoint.port if endpoint is not None else self.port

    def lab_json(self) -> dict[str, Any]:
        """The ``winrm`` and ``hosts`` parts of lab.json (docs/architecture.md)."""
        hosts = {}
        for name, host in self.hosts.items():
            spec = host.spec
            hosts[name] = {
                "address": self.addresses[name],
                "port": self.port_of(name),
                "fqdn": spec.fqdn,
                "exchange_version": spec.exchange_version,
                "lync_frontend": spec.lync_frontend,
                "powershell_version": spec.powershell_version,
                "os": spec.os_caption.removeprefix("Microsoft "),
                "winrm_version": spec.winrm_version,
                "winrm_auth": [self.auth, "credssp"] if name in self.credssp else [self.auth],
                "credssp_max_tls": self.credssp[name].max_tls if name in self.credssp else None,
                "accepts_execution_policy": spec.accepts_execution_policy,
                "stdin_reaches_input": spec.stdin_reaches_input,
            }
        winrm = {
            "username": self.account.user,
            "password": self.account.password,
            "domain": self.account.domain,
            "auth": self.auth,
            "scheme": "https" if self.https else "http",
            "port": self.port,
        }
        return {"winrm": winrm, "hosts": hosts}

    def _connection_vars(self) -> dict[str, Any]:
        variables: dict[str, Any] = {
            "ansible_connection": "winrm",
            "ansible_port": self.port,
            "ansible_user": self.account.user,
            "ansible_password": self.account.password,
            "ansible_winrm_transport": self.auth,
            "ansible_winrm_scheme": "https" if self.https else "http",
            "ansible_winrm_server_cert_validation": "validate" if self.https else "ignore",
        }
        if self.https and self._pki is not None:
            variables["ansible_winrm_ca_trust_path"] = str(self._pki.bundle_path)
        return variables

    def inventory(self) -> dict[str, Any]:
        """Groups exchange2007sp1 / exchange2010 / exchange2013 under exchange_um, the Lync front ends in ``lync``,
        other Windows hosts in windows_without_exchange; each with the connection variables."""
        groups: dict[str, dict[str, Any]] = {}
        for name, host in self.hosts.items():
            version = host.spec.exchange_version
            group = _GROUP_OF_VERSION[version] if version is not None else _NO_EXCHANGE_GROUP
            if host.spec.lync_frontend:
                group = _LYNC_GROUP
            host_vars: dict[str, Any] = {"ansible_host": self.addresses[name]}
            if version is not None:
                host_vars["exchange_um_version"] = version
            if self.port_of(name) != self.port:
                host_vars["ansible_port"] = self.port_of(name)
            host_vars.update(_credssp_vars(self.credssp.get(name)))
            groups.setdefault(group, {"hosts": {}})["hosts"][name] = host_vars
        exchange = {group: members for group, members in groups.items() if group in _GROUP_OF_VERSION.values()}
        children: dict[str, Any] = {"exchange_um": {"children": exchange, "vars": self._connection_vars()}}
        for group in (_LYNC_GROUP, _NO_EXCHANGE_GROUP):
            if group in groups:
                children[group] = {**groups[group], "vars": self._connection_vars()}
        return {"all": {"children": children}}

    def _ssl_context(self, host: SimulatedHost) -> ssl.SSLContext:
        assert self._pki is not None and self._state_dir is not None
        name = host.spec.name
        cert_pem, key_pem = self._pki.issue_tls_server([host.spec.fqdn, name], [self.addresses[name]])
        directory = self._state_dir / "hosts"
        directory.mkdir(parents=True, exist_ok=True)
        path = directory / f"{name}-winrm.pem"
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(key_pem + cert_pem)
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        context.load_cert_chain(path)
        return context


def _address(network: list[str], third: int, index: int) -> str:
    """The ``index``-th host's address: 244 hosts per /24 from ``<subnet>.11``, then the next /24."""
    return ".".join([*network, str(third + index // _PER_SUBNET), str(_FIRST_HOST + index % _PER_SUBNET)])


def _credssp_vars(settings: CredsspSettings | None) -> dict[str, Any]:
    """A host with CredSSP on is reached with it; where its Schannel has no TLS 1.2, pywinrm must not insist on it
    (windows_winrm.rst "CredSSP and TLS 1.2": ``ansible_winrm_credssp_disable_tlsv1_2``)."""
    if settings is None:
        return {}
    variables: dict[str, Any] = {"ansible_winrm_transport": "credssp"}
    if settings.max_tls != "1.2":
        variables["ansible_winrm_credssp_disable_tlsv1_2"] = True
    return variables
