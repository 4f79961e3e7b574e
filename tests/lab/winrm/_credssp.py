"""CredSSP on a WinRM listener: the TLS channel, the logon, and the credential the client delegates.

MS-CSSP 3.1.5: a TLS handshake, then SPNEGO (here NTLM, pyspnego's acceptor with the lab's NTLM user file) inside
the TLS channel, the public-key binding, and last the client's TSCredentials, which the server uses for the logon.
The exchange travels in ``Authorization: CredSSP`` / ``WWW-Authenticate: CredSSP`` headers (MS-WSMV 2.2.9.1.3.1.1)
and the TLS channel then seals the WinRM messages over http (_encryption.py).

WinRM's service side of CredSSP is off by default (``Disable-WSManCredSSP -Role Server`` sets
``Service\\Auth\\CredSSP`` to false; Ansible's windows_winrm.rst: "CredSSP authentication is not enabled by default on
a Windows host, but can be enabled by running ... Enable-WSManCredSSP -Role Server -Force"), and the setting exists
only from WinRM 2.0 (TechNet ee922649, "Updates to configuration": ``winrm\\Config\\Service\\Auth\\CredSSP`` was added
in Windows 7 / Server 2008 R2): a listener turns it on with :class:`CredsspSettings`.
"""

from __future__ import annotations

import datetime
import os
import shutil
import ssl
import tempfile
import threading
import warnings
from dataclasses import dataclass
from typing import Any

import spnego
import spnego.exceptions
import spnego.tls
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import NameOID

from ..httpauth import Account, CredsspRefused, DelegatedCredential, Logon

__all__ = ["CREDSSP_TLS_VERSIONS", "CredsspListener", "CredsspSettings"]

# The highest TLS version the host's Schannel offers the CredSSP channel: host-facts.md "Schannel defaults" (Server
# 2003/2008: TLS 1.0 only; 2008 R2: TLS 1.1/1.2 supported but disabled by default; 2012/2012 R2: enabled) and
# windows_winrm.rst "CredSSP and TLS 1.2" (Server 2008 "has no way of supporting TLS 1.2"). Schannel before
# Server 2022 has no TLS 1.3.
CREDSSP_TLS_VERSIONS = {"1.0": ssl.TLSVersion.TLSv1, "1.2": ssl.TLSVersion.TLSv1_2}
# RFC 5246 6.2.1 / 7.4: a TLS record of type handshake (22) whose first message is a ClientHello (1) starts an exchange.
_HANDSHAKE_RECORD = 22
_CLIENT_HELLO = 1


@dataclass(frozen=True)
class CredsspSettings:
    """``Service\\Auth\\CredSSP`` on (``Enable-WSManCredSSP -Role Server``); ``max_tls``: a CREDSSP_TLS_VERSIONS key."""

    max_tls: str = "1.2"

    def __post_init__(self) -> None:
        if self.max_tls not in CREDSSP_TLS_VERSIONS:
            raise ValueError(f"CredSSP max_tls must be one of {', '.join(CREDSSP_TLS_VERSIONS)}, not {self.max_tls!r}")


class CredsspListener:
    """What the connections of one listener share: the CredSSP certificate and the accounts of the domain."""

    def __init__(self, *, settings: CredsspSettings, computer_name: str, accounts: list[Account]) -> None:
        self.settings = settings
        self._computer_name = computer_name
        self._accounts = accounts
        self._lock = threading.Lock()
        self._tls: spnego.tls.CredSSPTLSContext | None = None

    def acceptor(self) -> CredsspConnection:
        """The CredSSP state of one new TCP connection."""
        return CredsspConnection(self)

    def tls_context(self) -> spnego.tls.CredSSPTLSContext:
        """The acceptor's TLS context, made on first use (an RSA key per host costs real time)."""
        with self._lock:
            if self._tls is None:
                self._tls = self._make_tls_context()
            return self._tls

    def account_of(self, name: str, password: str | None = None) -> Account | None:
        for account in self._accounts:
            if account.matches(name) and (password is None or account.password == password):
                return account
        return None

    def _make_tls_context(self) -> spnego.tls.CredSSPTLSContext:
        # windows_winrm.rst "Set CredSSP Certificate": "CredSSP works by encrypting the credentials through the TLS
        # protocol and uses a self-signed certificate by default", independent of the listener's certificate; MS-CSSP
        # 3.1.5 step 1 lets the server use a self-signed certificate. Its subject is the lab's choice (assumed).
        key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
        name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, f"CREDSSP-{self._computer_name}")])
        now = datetime.datetime.now(datetime.timezone.utc)
        certificate = (
            x509.CertificateBuilder()
            .subject_name(name)
            .issuer_name(name)
            .public_key(key.public_key())
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=5))
            .not_valid_after(now + datetime.timedelta(days=365))
            .sign(key, hashes.SHA256())
        )
        tls = spnego.tls.default_tls_context(usage="accept")  # TLS 1.2 and later
        maximum = CREDSSP_TLS_VERSIONS[self.settings.max_tls]
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", DeprecationWarning)  # ssl deprecates setting TLSVersion.TLSv1
            tls.context.minimum_version = min(tls.context.minimum_version, maximum)
            tls.context.maximum_version = maximum
        if self.settings.max_tls == "1.0":
            # Schannel on these versions offers the TLS 1.0 suites (CBC with SHA-1 MACs) that OpenSSL keeps only
            # below security level 1.
            tls.context.set_ciphers("DEFAULT:@SECLEVEL=0")
        _load_chain(tls.context, certificate, key)
        tls.public_key = spnego.tls.get_certificate_public_key(certificate.public_bytes(serialization.Encoding.DER))
        return tls


class CredsspConnection:
    """One connection's CredSSP exchange (a ``CredsspAcceptor`` for tests.lab.httpauth.ConnectionAuth)."""

    def __init__(self, listener: CredsspListener) -> None:
        self._listener = listener
        self._context: spnego.ContextProxy | None = None
        self._logon: Logon | None = None

    @property
    def logon(self) -> Logon | None:
        return self._logon

    @property
    def context(self) -> spnego.ContextProxy | None:
        return self._context if self._logon is not None else None

    def step(self, token: bytes) -> bytes | None:
        if self._context is None or self._context.complete or _starts_exchange(token):
            self._context = spnego.server(protocol="credssp", credssp_tls_context=self._listener.tls_context())
            self._logon = None
        context = self._context
        try:
            answer = context.step(token)
        except (spnego.exceptions.SpnegoError, ValueError) as error:
            self._context = None
            raise CredsspRefused(f"CredSSP exchange failed: {type(error).__name__}") from None
        if not context.complete:
            if not answer:
                # pyspnego's acceptor has finished without a logon (it already sent an errorCode TSRequest).
                self._context = None
                raise CredsspRefused("CredSSP exchange ended without credentials")
            return answer
        self._logon = self._logon_of(context)
        if self._logon is None:
            self._context = None
            raise CredsspRefused("the delegated credential is not the authenticated account's")
        return answer

    def _logon_of(self, context: spnego.ContextProxy) -> Logon | None:
        """The logon the delegated TSPasswordCreds give, if they are the authenticated account's and its password.

        The server logs the user on with the delegated credential (MS-CSSP 3.1.5 step 5); that a credential of
        another account than the SPNEGO-authenticated one is refused is assumed (pessimistic).
        """
        authenticated = self._listener.account_of(context.client_principal or "")
        delegated: Any = context.get_extra_info("client_credential")
        domain = str(getattr(delegated, "domain_name", "") or "")
        user = str(getattr(delegated, "username", "") or "")
        password = getattr(delegated, "password", None)
        if authenticated is None or not user or not isinstance(password, str):
            return None
        account = self._listener.account_of(f"{domain}\\{user}" if domain else user, password)
        if account is not authenticated:
            return None
        credential = DelegatedCredential(domain=domain, user=user, password=password)
        return Logon(account.user, account.domain, "credssp", credential=credential)


def _starts_exchange(token: bytes) -> bool:
    return len(token) > 5 and token[0] == _HANDSHAKE_RECORD and token[5] == _CLIENT_HELLO


def _load_chain(context: ssl.SSLContext, certificate: x509.Certificate, key: rsa.RSAPrivateKey) -> None:
    """``load_cert_chain`` reads files only: a private temporary directory holds them for the call."""
    directory = tempfile.mkdtemp(prefix="credssp-")
    try:
        path = os.path.join(directory, "credssp.pem")
        descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(certificate.public_bytes(serialization.Encoding.PEM))
            handle.write(
                key.private_bytes(
                    serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
                )
            )
        context.load_cert_chain(path)
    finally:
        shutil.rmtree(directory, ignore_errors=True)
