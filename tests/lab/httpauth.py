"""HTTP authentication as IIS and WinRM do it: Basic, and NTLM bound to one keep-alive connection.

One :class:`ConnectionAuth` lives per TCP connection (the request handler instance), because an NTLM context
belongs to the connection it was negotiated on (MS-NTHT; certsrv-protocol.md and winrm-protocol.md). Over TLS it
can require Extended Protection: NTLM logons must carry the channel bindings of the listener's certificate.

Every authenticated request yields a :class:`Logon`: the account, the method, and whether the logon session holds
credentials the server can use to reach other machines (a domain controller, another server's remote shell).
"""

from __future__ import annotations

import base64
import binascii
import os
import struct
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Protocol

import spnego
import spnego.exceptions
from cryptography import x509
from cryptography.hazmat.primitives import hashes
from spnego.channel_bindings import GssChannelBindings

__all__ = [
    "EXTENDED_PROTECTION_MODES",
    "LOGON_METHODS",
    "Account",
    "AuthResult",
    "ChannelBindingError",
    "ConnectionAuth",
    "CredsspAcceptor",
    "CredsspRefused",
    "DelegatedCredential",
    "Logon",
    "check_extended_protection",
    "install_ntlm_users",
    "tls_channel_bindings",
    "tls_server_end_point",
]

# IIS <extendedProtection tokenChecking=...>: None (the default: no channel binding checks, as before Extended
# Protection) and Require (clients that do not support Extended Protection are refused). Allow is not modelled.
EXTENDED_PROTECTION_MODES = ("off", "required")

_TLS_SERVER_END_POINT = b"tls-server-end-point:"
# MS-NLMP 2.2.1.3 AUTHENTICATE_MESSAGE: signature, MessageType 3, NtChallengeResponseFields at offset 20.
_NTLM_SIGNATURE = b"NTLMSSP\x00"
_AUTHENTICATE = 3
_NT_RESPONSE_FIELDS = 20
# MS-NLMP 2.2.2.8 NTLMv2_RESPONSE: NTProofStr (16) + NTLMv2_CLIENT_CHALLENGE, whose AV pairs start after 28 bytes
# (RespType, HiRespType, Reserved1..2, TimeStamp, ChallengeFromClient, Reserved3); an NTLMv1 response is 24 bytes.
_NTLMV2_AV_PAIRS = 16 + 28
_NTLMV1_RESPONSE_LENGTH = 24
# MS-NLMP 2.2.2.1 AV_PAIR ids.
_MSV_AV_EOL = 0x0000
_MSV_AV_CHANNEL_BINDINGS = 0x000A


class ChannelBindingError(ValueError):
    """A certificate whose tls-server-end-point value RFC 5929 leaves undefined (no single signature hash)."""

    def __init__(self, signature_algorithm: str) -> None:
        super().__init__(
            f"RFC 5929 4.1 defines no tls-server-end-point hash for signature algorithm {signature_algorithm}"
        )
        self.signature_algorithm = signature_algorithm


def check_extended_protection(mode: str) -> None:
    """Refuse a mode that is not one of EXTENDED_PROTECTION_MODES (ValueError)."""
    if mode not in EXTENDED_PROTECTION_MODES:
        raise ValueError(f"extended_protection must be one of {', '.join(EXTENDED_PROTECTION_MODES)}, not {mode!r}")


def tls_server_end_point(certificate: x509.Certificate) -> bytes:
    """The tls-server-end-point channel binding data of a TLS server's leaf certificate (RFC 5929 4.1).

    The hash is the one of the certificate's signature algorithm, except MD5 and SHA-1, which become SHA-256; for an
    algorithm without a single hash function (Ed25519, Ed448) the RFC leaves the value undefined.
    """
    algorithm = certificate.signature_hash_algorithm
    if algorithm is None:
        raise ChannelBindingError(certificate.signature_algorithm_oid.dotted_string)
    if isinstance(algorithm, (hashes.MD5, hashes.SHA1)):
        algorithm = hashes.SHA256()
    return _TLS_SERVER_END_POINT + certificate.fingerprint(algorithm)


def tls_channel_bindings(certificate: x509.Certificate) -> GssChannelBindings:
    """The channel bindings an HTTPS listener presenting ``certificate`` expects (certsrv-protocol.md: only the
    application data is set, ``tls-server-end-point:`` + the certificate hash, as requests_ntlm sends it)."""
    return GssChannelBindings(application_data=tls_server_end_point(certificate))


@dataclass(frozen=True)
class Account:
    """A domain account: NetBIOS domain (``CONTOSO``), sAMAccountName, password and the domain's DNS name."""

    domain: str
    user: str
    password: str
    dns_domain: str = "contoso.lab"

    @property
    def upn(self) -> str:
        """The implicit user principal name, sAMAccountName@DNS domain name (every domain account has it)."""
        return f"{self.user}@{self.dns_domain}"

    def matches(self, name: str) -> bool:
        """Accept ``user``, ``DOMAIN\\user`` and the UPN ``user@dns.domain`` the way Windows does (case-insensitive)."""
        name = name.lower()
        user, domain = self.user.lower(), self.domain.lower()
        if "\\" in name:
            got_domain, _backslash, got_user = name.partition("\\")
            return got_user == user and got_domain in (domain, domain.split(".", maxsplit=1)[0])
        if "@" in name:
            return name == self.upn.lower()
        return name == user


def install_ntlm_users(path: Path, accounts: Iterable[Account]) -> None:
    """Write the ``DOMAIN:USER:PASSWORD`` file pyspnego's NTLM acceptor reads and point it there.

    The acceptor looks a logon up by the AUTHENTICATE message's user name and domain name (case-insensitive, both
    must match a line). A client that logs on with a UPN sends the whole UPN as the user name and an empty domain
    (MS-NLMP 2.2.1.3 leaves DomainName empty for it; LogonUser: "If you use the UPN format, User@DNSDomainName, the
    lpszDomain parameter must be NULL"; gssapi/gss-ntlmssp#45 has the capture against Windows), and Windows accepts
    it, so each account also gets a line with an empty domain and its UPN as the user name. A user name without a
    domain is accepted as a user of the server's domain.
    """
    lines = []
    for account in accounts:
        lines.append(f"{account.domain}:{account.user}:{account.password}")
        lines.append(f":{account.user}:{account.password}")
        lines.append(f":{account.upn}:{account.password}")
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    os.environ["NTLM_USER_FILE"] = str(path)


class DelegatedCredential:
    """A password credential a client delegated to the server (CredSSP's TSPasswordCreds, MS-CSSP 2.2.1.2.1).

    The logon session holds it to authenticate onward, as Windows does with delegated fresh credentials. It is never
    logged or dumped: ``repr`` hides the password and nothing serialises it.
    """

    __slots__ = ("_password", "domain", "user")

    def __init__(self, *, domain: str, user: str, password: str) -> None:
        self.domain = domain
        self.user = user
        self._password = password

    @property
    def password(self) -> str:
        return self._password

    def __repr__(self) -> str:
        return f"DelegatedCredential(domain={self.domain!r}, user={self.user!r}, password=<hidden>)"


# Ansible's Windows docs, os_guide/windows_winrm.rst "WinRM authentication options" (Credential Delegation column:
# Basic No, Certificate No, Kerberos Yes, NTLM No, CredSSP Yes) and windows_faq.rst: "Unless using an authentication
# option like CredSSP or Kerberos with credential delegation, the WinRM process cannot delegate the user's
# credentials to a network resource". Only the methods the lab accepts are listed.
LOGON_METHODS = {"basic": False, "ntlm": False, "credssp": True}


@dataclass(frozen=True)
class Logon:
    """The logon session behind an authenticated request.

    ``method`` is ``basic``, ``ntlm`` or ``credssp`` (the ``ansible_winrm_transport`` names); ``network_credentials``
    says whether the session can authenticate to other machines (LOGON_METHODS); ``credential`` is what a CredSSP
    client delegated (None otherwise).
    """

    user: str
    domain: str
    method: str
    credential: DelegatedCredential | None = field(default=None, repr=False, compare=False)

    def __post_init__(self) -> None:
        if self.method not in LOGON_METHODS:
            raise ValueError(f"logon method must be one of {', '.join(LOGON_METHODS)}, not {self.method!r}")
        if (self.credential is not None) != LOGON_METHODS[self.method]:
            raise ValueError(f"a {self.method} logon {'needs' if LOGON_METHODS[self.method] else 'has no'} credential")

    @property
    def principal(self) -> str:
        return f"{self.domain}\\{self.user}"

    @property
    def network_credentials(self) -> bool:
        return LOGON_METHODS[self.method]


class CredsspRefused(ValueError):
    """A CredSSP exchange that ended without a logon and has no token left to send."""


class CredsspAcceptor(Protocol):
    """One connection's CredSSP acceptor (the WinRM listener's, tests/lab/winrm/_credssp.py)."""

    @property
    def logon(self) -> Logon | None:
        """The logon once the client's delegated credential was accepted, else None."""

    @property
    def context(self) -> spnego.ContextProxy | None:
        """The completed CredSSP context (its TLS channel seals WinRM messages), else None."""

    def step(self, token: bytes) -> bytes | None:
        """Accept one client token; return the token to answer with (raises CredsspRefused)."""


@dataclass
class AuthResult:
    """What the handler must do with the request: serve it (``ok``) or answer 401 with ``headers``."""

    ok: bool
    headers: list[tuple[str, str]] = field(default_factory=list)
    principal: str | None = None
    logon: Logon | None = None


class ConnectionAuth:
    """Authentication state of one keep-alive connection."""

    def __init__(
        self,
        accounts: Mapping[str, Account],
        schemes: Iterable[str],
        realm: str = "",
        *,
        channel_bindings: GssChannelBindings | None = None,
        extended_protection: str = "off",
        credssp: CredsspAcceptor | None = None,
    ) -> None:
        """``channel_bindings`` are the TLS channel's (None on plain http, which has no channel to bind to);
        ``extended_protection`` is one of EXTENDED_PROTECTION_MODES; ``credssp`` offers the CredSSP scheme too."""
        check_extended_protection(extended_protection)
        self.credssp = credssp
        self._accounts = list(accounts.values())
        self.schemes = [s.lower() for s in schemes]
        self.realm = realm
        # Extended Protection configures Windows authentication only (IIS: <extendedProtection> is a child of
        # <windowsAuthentication>), so it binds NTLM logons and leaves Basic alone.
        self.required_bindings = channel_bindings if extended_protection == "required" else None
        self.context: spnego.ContextProxy | None = None
        self.principal: str | None = None
        self.logon: Logon | None = None

    @property
    def encrypting_context(self) -> spnego.ContextProxy | None:
        """The completed context of the connection's logon (NTLM or CredSSP), used by WinRM message encryption."""
        method = self.logon.method if self.logon is not None else None
        if method == "credssp" and self.credssp is not None:
            return self.credssp.context
        if method == "ntlm" and self.context is not None and self.context.complete:
            return self.context
        return None

    def challenge_headers(self) -> list[tuple[str, str]]:
        headers = []
        if "ntlm" in self.schemes:
            headers += [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")]
        if "basic" in self.schemes:
            headers.append(("WWW-Authenticate", f'Basic realm="{self.realm}"'))
        if self.credssp is not None:
            headers.append(("WWW-Authenticate", "CredSSP"))
        return headers

    def check(self, authorization: str | None) -> AuthResult:
        if not authorization:
            if self.principal is not None and self.encrypting_context is not None:
                # NTLM authenticates the connection: its logon serves every later request on it.
                return AuthResult(True, principal=self.principal, logon=self.logon)
            return AuthResult(False, self.challenge_headers())
        scheme, _space, token = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic" and "basic" in self.schemes:
            return self._basic(token.strip())
        if scheme in ("negotiate", "ntlm") and "ntlm" in self.schemes:
            return self._ntlm(scheme, token.strip())
        if scheme == "credssp" and self.credssp is not None:
            return self._credssp(self.credssp, token.strip())
        return AuthResult(False, self.challenge_headers())

    def _credssp(self, acceptor: CredsspAcceptor, token: str) -> AuthResult:
        # MS-WSMV 2.2.9.1.3.1.1: "Authorization: CredSSP <base64 of TLS encrypted CredSSP messages>" until the
        # service answers 200; each answer in between carries the server's token the same way.
        self.principal = self.logon = None
        try:
            answer = acceptor.step(base64.b64decode(token, validate=True))
        except (CredsspRefused, binascii.Error):
            return AuthResult(False, self.challenge_headers())
        logon = acceptor.logon
        if logon is None:
            encoded = base64.b64encode(answer or b"").decode()
            return AuthResult(False, [("WWW-Authenticate", f"CredSSP {encoded}".rstrip())])
        self.logon, self.principal = logon, logon.principal
        return AuthResult(True, principal=self.principal, logon=logon)

    def _basic(self, token: str) -> AuthResult:
        try:
            name, _colon, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(False, self.challenge_headers())
        for account in self._accounts:
            if account.matches(name) and account.password == password:
                # Basic logs on anew with every request (the header comes with each one).
                logon = Logon(account.user, account.domain, "basic")
                self.principal = logon.principal
                return AuthResult(True, principal=self.principal, logon=logon)
        return AuthResult(False, self.challenge_headers())

    def _ntlm(self, scheme: str, token: str) -> AuthResult:
        if self.context is None or self.context.complete:
            # certsrv-protocol.md: the emulator's EPA is pyspnego's acceptor given the channel bindings; it refuses
            # an AUTHENTICATE message whose bindings hash differs, or that carries none, with BadBindingsError.
            self.context = spnego.server(protocol="ntlm", channel_bindings=self.required_bindings)
            self.principal = None
            self.logon = None
        try:
            message = base64.b64decode(token)
            if self.required_bindings is not None and _bindings_absent(message):
                raise spnego.exceptions.BadBindingsError(context_msg="the client sent no channel bindings")
            answer = self.context.step(message)
        except (spnego.exceptions.SpnegoError, binascii.Error, ValueError):
            self.context = None
            return AuthResult(False, self.challenge_headers())
        if not self.context.complete:
            header_scheme = "Negotiate" if scheme == "negotiate" else "NTLM"
            return AuthResult(
                False, [("WWW-Authenticate", f"{header_scheme} {base64.b64encode(answer or b'').decode()}")]
            )
        self.logon = self._logon_of(self.context.client_principal or "")
        self.principal = self.logon.principal
        return AuthResult(True, principal=self.principal, logon=self.logon)

    def _logon_of(self, name: str) -> Logon:
        """The NTLM logon of the account behind a logon name, however it was written (Windows resolves a UPN or a
        bare user name to the account; the CA records the requester as ``DOMAIN\\user``)."""
        account = next((account for account in self._accounts if account.matches(name)), None)
        if account is not None:
            return Logon(account.user, account.domain, "ntlm")
        domain, _backslash, user = name.rpartition("\\")
        return Logon(user, domain, "ntlm")


def _bindings_absent(message: bytes) -> bool:
    """True for an NTLM AUTHENTICATE message without usable channel bindings.

    Windows counts bindings that are omitted or all zeroes as absent (SEC_CHANNEL_BINDINGS_RESULT_ABSENT), and an
    NTLMv1 response has no AV pairs to carry them; IIS with tokenChecking=Require refuses all of these. pyspnego's
    acceptor alone would let zeroes and NTLMv1 through, hence this check before it. Other messages: False.
    """
    try:
        if message[:8] != _NTLM_SIGNATURE or struct.unpack_from("<I", message, 8)[0] != _AUTHENTICATE:
            return False
        length, _max_length, offset = struct.unpack_from("<HHI", message, _NT_RESPONSE_FIELDS)
        response = message[offset : offset + length]
        if len(response) <= _NTLMV1_RESPONSE_LENGTH:
            return True
        position = _NTLMV2_AV_PAIRS
        while position + 4 <= len(response):
            av_id, av_length = struct.unpack_from("<HH", response, position)
            value = response[position + 4 : position + 4 + av_length]
            if av_id == _MSV_AV_EOL:
                return True
            if av_id == _MSV_AV_CHANNEL_BINDINGS:
                return value.strip(b"\x00") == b""
            position += 4 + av_length
    except struct.error:
        return True  # a truncated message: nothing to bind; the acceptor would refuse it anyway
    return True
