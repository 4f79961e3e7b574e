"""Real TLS listeners on a simulated host's UM SIP TLS ports, presenting the certificate the running UM service took.

What each listener does, and the fact it follows:

- Ports (host-facts.md "Ports"): 2007 SP1 and 2010 MSExchangeUM on 5061; 2013 MSExchangeUMCR (Call Router) on 5061
  and MSExchangeUM on 5063; each on the host's own loopback address (tests/lab/hosts/fleet.py address plan).
- What listens: ``HostState.presented`` maps a service to the thumbprint of the ``My`` certificate it took when it
  last started (tests/lab/hosts/state.py); no entry (stopped, or started in TCP mode) means nothing listens, so a
  client's connection is refused. The listener changes only when ``presented`` changes: the state calls the hook this
  module registers (``HostState.on_presented``) after each change.
- The chain sent: the leaf and the CA certificates Windows can build above it from the host's ``CA`` and ``Root``
  stores, without the self-signed root (schannel.h: ``SCH_SEND_ROOT_CERT`` "instructs schannel to send the root
  cert as part of the certificate message", so by default it does not).
- Protocol versions (host-facts.md "Schannel defaults"): TLS 1.0 only on Server 2003 and 2008; TLS 1.0 on 2008 R2
  unless the host's lab setting ``tls12`` turns 1.1 and 1.2 on; TLS 1.0 to 1.2 on 2012 and 2012 R2; never TLS 1.3
  (Schannel has it from Server 2022).
- Cipher suites: for an RSA certificate, those the Schannel SSP lists per version ("Schannel Cipher Suites in Windows
  Vista", "TLS Cipher Suites in Windows 7", "... in Windows 8.1", learn.microsoft.com), in that order and with the
  server's order preferred as Schannel does, less what OpenSSL 3's default provider lacks (RC4) and DHE (no
  parameters are configured). OpenSSL 3 refuses TLS 1.0/1.1 and SHA-1 at its default security level 2, so each
  list ends with ``@SECLEVEL=0``: the level at which OpenSSL accepts what Schannel of that era accepted.
- Client certificates (host-facts.md "Mutual TLS": whether UM requests or requires one is not confirmed): the lab
  setting ``um_tls_client_certificate``, ``required`` (default, the pessimistic reading), ``requested`` or ``none``; a
  client certificate is validated against the host's ``Root`` store (and ``CA`` for intermediates), as Schannel
  validates client chains against the machine's trusted roots.
"""

from __future__ import annotations

import contextlib
import logging
import os
import selectors
import socket
import ssl
import tempfile
import threading
import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

from cryptography.hazmat.primitives import serialization

from .certs import StoredCertificate, is_self_signed, signed_by
from .specs import HostSpec
from .state import HostState

__all__ = [
    "CLIENT_CERTIFICATE_MODES",
    "SIP_TLS_PORTS",
    "SipTlsListeners",
    "SipTlsSettings",
    "fleet_listeners",
    "presented_chain",
    "schannel_protocols",
]

LOG = logging.getLogger("tests.lab.sip_tls")

# host-facts.md "Ports": the TLS port of each UM service per Exchange version.
SIP_TLS_PORTS: dict[str, dict[str, int]] = {
    "2007sp1": {"MSExchangeUM": 5061},
    "2010": {"MSExchangeUM": 5061},
    "2013": {"MSExchangeUMCR": 5061, "MSExchangeUM": 5063},
}
CLIENT_CERTIFICATE_MODES = {"required": ssl.CERT_REQUIRED, "requested": ssl.CERT_OPTIONAL, "none": ssl.CERT_NONE}

# Windows NT version -> the RSA suites of Schannel's default list (OpenSSL names; see the module docstring).
_SERVER_2003_2008_SUITES = "AES128-SHA:AES256-SHA:DES-CBC3-SHA"
_CIPHERS = {
    # Server 2003 SP2 with KB948963 (AES): RSA key exchange only, no ECC.
    (5, 2): _SERVER_2003_2008_SUITES,
    # Vista / Server 2008: the RSA suites, then ECDHE_RSA (P-256).
    (6, 0): _SERVER_2003_2008_SUITES + ":ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA",
    # Windows 7 / Server 2008 R2: the TLS 1.2 SHA-256 suites first.
    (6, 1): "AES128-SHA256:AES128-SHA:AES256-SHA256:AES256-SHA:DES-CBC3-SHA:ECDHE-RSA-AES128-SHA:ECDHE-RSA-AES256-SHA",
    # Windows 8 / Server 2012 and 8.1 / 2012 R2: ECDHE_RSA first, the RSA GCM suites, then CBC.
    (6, 2): "ECDHE-RSA-AES256-SHA384:ECDHE-RSA-AES128-SHA256:ECDHE-RSA-AES256-SHA:ECDHE-RSA-AES128-SHA:"
    "AES256-GCM-SHA384:AES128-GCM-SHA256:AES256-SHA256:AES128-SHA256:AES256-SHA:AES128-SHA:DES-CBC3-SHA",
}
_HANDSHAKE_SECONDS = 10.0
_IDLE_SECONDS = 30.0


def _windows(spec: HostSpec) -> tuple[int, int]:
    major, minor = spec.os_version.split(".")[:2]
    return int(major), int(minor)


def schannel_protocols(spec: HostSpec, *, tls12: bool) -> tuple[ssl.TLSVersion, ssl.TLSVersion]:
    """The lowest and highest TLS version the host's Schannel serves (host-facts.md "Schannel defaults")."""
    windows = _windows(spec)
    if windows < (6, 1) or (windows == (6, 1) and not tls12):
        return ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1
    return ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_2


def _ciphers(spec: HostSpec) -> str:
    windows = _windows(spec)
    return _CIPHERS[(6, 2) if windows >= (6, 2) else windows] + ":@SECLEVEL=0"


def presented_chain(state: HostState, entry: StoredCertificate) -> list[StoredCertificate]:
    """The leaf and the CA certificates above it found in ``CA`` and ``Root``, the self-signed root left out."""
    pool = state.stores["CA"].entries() + state.stores["Root"].entries()
    chain = [entry]
    while len(chain) < 10:
        current = chain[-1].certificate
        if is_self_signed(current):
            break
        issuer = next((c for c in pool if c not in chain and signed_by(current, c.certificate)), None)
        if issuer is None:
            break
        chain.append(issuer)
    if len(chain) > 1 and is_self_signed(chain[-1].certificate):
        chain.pop()
    return chain


@dataclass
class SipTlsSettings:
    """Lab settings of one host's listeners (docs/lab.md "UM SIP TLS listeners")."""

    um_tls_client_certificate: str = "required"
    tls12: bool = False

    def to_dict(self) -> dict[str, object]:
        return {"um_tls_client_certificate": self.um_tls_client_certificate, "tls12": self.tls12}


@dataclass
class _Material:
    """What a listener serves, copied out of the host's state when ``presented`` changed."""

    thumbprint: str
    chain_pem: bytes
    key_pem: bytes
    trusted_pem: str


@dataclass
class _Listener:
    service: str
    port: int
    sock: socket.socket
    context: ssl.SSLContext
    thumbprint: str
    thread: threading.Thread | None = None
    connections: set[socket.socket] = field(default_factory=set)
    # stop() writes here to wake the accept loop, which otherwise sleeps until a client connects (no polling).
    wake: tuple[socket.socket, socket.socket] = field(default_factory=socket.socketpair)


class SipTlsListeners:
    """The TLS listeners of one host. ``refresh()`` runs with the host's lock held (it is the state's hook)."""

    def __init__(
        self,
        *,
        state: HostState,
        address: str,
        settings: SipTlsSettings | None = None,
        ports: Mapping[str, int] | None = None,
        key_dir: Path | None = None,
    ) -> None:
        """``ports`` overrides the documented ports (tests give 0 to let the system choose)."""
        self.state = state
        self.address = address
        self.settings = settings or SipTlsSettings()
        version = state.spec.exchange_version
        self.ports = dict(ports if ports is not None else SIP_TLS_PORTS.get(version or "", {}))
        self.errors: list[str] = []
        self._key_dir = key_dir
        self._materials: dict[str, _Material] = {}
        self._listeners: dict[str, _Listener] = {}
        self._lock = threading.Lock()

    # -- lifecycle -------------------------------------------------------------------------------------------------

    def start(self) -> None:
        """Register on the state and serve what it presents now."""
        self.state.on_presented = self.refresh
        self.refresh()

    def stop(self) -> None:
        if self.state.on_presented == self.refresh:
            self.state.on_presented = None
        with self._lock:
            listeners, self._listeners = self._listeners, {}
        for listener in listeners.values():
            _close_listener(listener)

    def port_of(self, service: str) -> int | None:
        """The port a service listens on now (the bound one when 0 was asked), None when nothing listens."""
        with self._lock:
            listener = self._listeners.get(service)
            return None if listener is None else listener.port

    def describe(self) -> dict[str, object]:
        with self._lock:
            listening = {
                name: {"port": item.port, "thumbprint": item.thumbprint} for name, item in self._listeners.items()
            }
        return {
            "ports": dict(self.ports),
            "listening": listening,
            "settings": self.settings.to_dict(),
            "errors": list(self.errors),
        }

    # -- changes ---------------------------------------------------------------------------------------------------

    def refresh(self) -> None:
        """Follow ``HostState.presented``: listen for each service with a certificate, stop for the others."""
        presented = dict(self.state.presented)
        materials: dict[str, _Material] = {}
        for service, thumbprint in presented.items():
            if service not in self.ports or not thumbprint:
                continue
            material = self._material(service, str(thumbprint))
            if material is not None:
                materials[service] = material
        with self._lock:
            self._materials = materials
        self._apply()

    def configure(self, *, um_tls_client_certificate: str | None = None, tls12: bool | None = None) -> SipTlsSettings:
        """Change the lab settings; listeners serve new connections with them at once."""
        if um_tls_client_certificate is not None:
            if um_tls_client_certificate not in CLIENT_CERTIFICATE_MODES:
                raise ValueError(f"um_tls_client_certificate must be one of {', '.join(CLIENT_CERTIFICATE_MODES)}")
            self.settings.um_tls_client_certificate = um_tls_client_certificate
        if tls12 is not None:
            if _windows(self.state.spec) != (6, 1):
                raise ValueError("tls12 is a setting of Server 2008 R2 hosts (2003/2008 lack TLS 1.2, 2012 has it on)")
            self.settings.tls12 = tls12
        with self._lock:
            for listener in self._listeners.values():
                material = self._materials.get(listener.service)
                if material is not None:  # else a refresh is closing this listener right now
                    listener.context = self._context(material)
        return self.settings

    def _material(self, service: str, thumbprint: str) -> _Material | None:
        entry = self.state.stores["My"].get(thumbprint)
        if entry is None or entry.private_key is None:
            self._error(f"{service}: the certificate {thumbprint} is not in My with a private key; nothing listens")
            return None
        chain = presented_chain(self.state, entry)
        chain_pem = b"".join(item.certificate.public_bytes(serialization.Encoding.PEM) for item in chain)
        key_pem = entry.private_key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        trusted = self.state.stores["Root"].entries() + self.state.stores["CA"].entries()
        trusted_pem = "".join(item.certificate.public_bytes(serialization.Encoding.PEM).decode() for item in trusted)
        return _Material(thumbprint.upper(), chain_pem, key_pem, trusted_pem)

    def _apply(self) -> None:
        with self._lock:
            materials = dict(self._materials)
            current = dict(self._listeners)
        for service, listener in current.items():
            if service not in materials:
                with self._lock:
                    self._listeners.pop(service, None)
                _close_listener(listener)
        for service, material in materials.items():
            listener = current.get(service)
            if listener is not None:
                if listener.thumbprint != material.thumbprint:
                    with self._lock:
                        listener.context = self._context(material)
                        listener.thumbprint = material.thumbprint
                continue
            self._listen(service, material)

    def _listen(self, service: str, material: _Material) -> None:
        port = self.ports[service]
        sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind((self.address, port))
            sock.listen(16)
        except OSError as exc:
            sock.close()
            self._error(f"{service}: cannot listen on {self.address}:{port}: {exc.strerror or exc}")
            return
        listener = _Listener(service, sock.getsockname()[1], sock, self._context(material), material.thumbprint)
        listener.thread = threading.Thread(
            target=self._accept_loop, args=(listener,), name=f"sip-tls-{self.address}-{port}", daemon=True
        )
        with self._lock:
            self._listeners[service] = listener
        listener.thread.start()
        LOG.info(
            "%s %s listens on %s:%d with %s",
            self.state.spec.name,
            service,
            self.address,
            listener.port,
            material.thumbprint,
        )

    def _context(self, material: _Material) -> ssl.SSLContext:
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        low, high = schannel_protocols(self.state.spec, tls12=self.settings.tls12)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # TLSVersion.TLSv1 is the point
            context.minimum_version, context.maximum_version = low, high
        context.set_ciphers(_ciphers(self.state.spec))
        context.options |= ssl.OP_CIPHER_SERVER_PREFERENCE
        context.set_ecdh_curve("prime256v1")
        _load_chain(context, material, self._key_dir)
        context.verify_mode = CLIENT_CERTIFICATE_MODES[self.settings.um_tls_client_certificate]
        if context.verify_mode != ssl.CERT_NONE and material.trusted_pem:
            context.load_verify_locations(cadata=material.trusted_pem)
        return context

    def _error(self, message: str) -> None:
        LOG.error("%s %s", self.state.spec.name, message)
        self.errors.append(message)

    # -- serving ---------------------------------------------------------------------------------------------------

    def _accept_loop(self, listener: _Listener) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(listener.sock, selectors.EVENT_READ)
            selector.register(listener.wake[0], selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is listener.wake[0] for key, _events in ready):
                    return
                try:
                    conn, _peer = listener.sock.accept()
                except OSError:
                    return
                listener.connections.add(conn)
                threading.Thread(target=self._serve, args=(listener, conn), daemon=True).start()

    def _serve(self, listener: _Listener, conn: socket.socket) -> None:
        """The handshake, then nothing but waiting for the client to close: the lab speaks no SIP."""
        conn.settimeout(_HANDSHAKE_SECONDS)
        try:
            with self._lock:
                context = listener.context
            with context.wrap_socket(conn, server_side=True) as tls:
                tls.settimeout(_IDLE_SECONDS)
                while tls.recv(4096):
                    pass
        except (OSError, ssl.SSLError) as exc:
            LOG.debug("%s %s: connection ended: %s", self.state.spec.name, listener.service, exc)
        finally:
            listener.connections.discard(conn)
            conn.close()


def _load_chain(context: ssl.SSLContext, material: _Material, key_dir: Path | None) -> None:
    """``load_cert_chain`` reads files only: key and chain go to a private file that is removed at once."""
    descriptor, name = tempfile.mkstemp(prefix="sip-tls-", suffix=".pem", dir=key_dir)
    try:
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(material.key_pem + material.chain_pem)
        context.load_cert_chain(name)
    finally:
        os.unlink(name)


def _close_listener(listener: _Listener) -> None:
    """Wake and end the accept loop, then close the socket (a client connecting now is refused) and end the
    connections still open."""
    with contextlib.suppress(OSError):
        listener.wake[1].send(b"x")
    if listener.thread is not None and listener.thread is not threading.current_thread():
        listener.thread.join(timeout=5)
    for item in (listener.sock, *listener.wake):
        with contextlib.suppress(OSError):
            item.close()
    for conn in list(listener.connections):
        with contextlib.suppress(OSError):
            conn.shutdown(socket.SHUT_RDWR)


def fleet_listeners(
    hosts: Mapping[str, HostState],
    addresses: Mapping[str, str],
    *,
    tls12: Callable[[str], bool] = lambda name: False,
) -> dict[str, SipTlsListeners]:
    """One ``SipTlsListeners`` per Exchange UM host of a fleet (hosts without a UM TLS port get none)."""
    listeners = {}
    for name, state in hosts.items():
        if state.spec.exchange_version in SIP_TLS_PORTS and state.spec.um_role:
            settings = SipTlsSettings(tls12=tls12(name) and _windows(state.spec) == (6, 1))
            listeners[name] = SipTlsListeners(state=state, address=addresses[name], settings=settings)
    return listeners
