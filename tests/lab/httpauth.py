"""HTTP authentication as IIS and WinRM do it: Basic, and NTLM bound to one keep-alive connection.

One :class:`ConnectionAuth` lives per TCP connection (the request handler instance), because an NTLM context
belongs to the connection it was negotiated on (MS-NTHT; certsrv-protocol.md and winrm-protocol.md).
"""

from __future__ import annotations

import base64
import binascii
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from pathlib import Path

import spnego
import spnego.exceptions


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
            got_domain, _, got_user = name.partition("\\")
            return got_user == user and got_domain in (domain, domain.split(".")[0])
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


@dataclass
class AuthResult:
    """What the handler must do with the request: serve it (``ok``) or answer 401 with ``headers``."""

    ok: bool
    headers: list[tuple[str, str]] = field(default_factory=list)
    principal: str | None = None


class ConnectionAuth:
    """Authentication state of one keep-alive connection."""

    def __init__(self, accounts: Mapping[str, Account], schemes: Iterable[str], realm: str = "") -> None:
        self._accounts = list(accounts.values())
        self.schemes = [s.lower() for s in schemes]
        self.realm = realm
        self.context: spnego.ContextProxy | None = None
        self.principal: str | None = None

    @property
    def encrypting_context(self) -> spnego.ContextProxy | None:
        """The completed NTLM context, used by WinRM message encryption."""
        if self.context is not None and self.context.complete:
            return self.context
        return None

    def challenge_headers(self) -> list[tuple[str, str]]:
        headers = []
        if "ntlm" in self.schemes:
            headers += [("WWW-Authenticate", "Negotiate"), ("WWW-Authenticate", "NTLM")]
        if "basic" in self.schemes:
            headers.append(("WWW-Authenticate", f'Basic realm="{self.realm}"'))
        return headers

    def check(self, authorization: str | None) -> AuthResult:
        if not authorization:
            if self.principal is not None and self.encrypting_context is not None:
                return AuthResult(True, principal=self.principal)  # NTLM authenticates the connection
            return AuthResult(False, self.challenge_headers())
        scheme, _, token = authorization.partition(" ")
        scheme = scheme.lower()
        if scheme == "basic" and "basic" in self.schemes:
            return self._basic(token.strip())
        if scheme in ("negotiate", "ntlm") and "ntlm" in self.schemes:
            return self._ntlm(scheme, token.strip())
        return AuthResult(False, self.challenge_headers())

    def _basic(self, token: str) -> AuthResult:
        try:
            name, _, password = base64.b64decode(token).decode("utf-8").partition(":")
        except (binascii.Error, UnicodeDecodeError):
            return AuthResult(False, self.challenge_headers())
        for account in self._accounts:
            if account.matches(name) and account.password == password:
                self.principal = f"{account.domain}\\{account.user}"
                return AuthResult(True, principal=self.principal)
        return AuthResult(False, self.challenge_headers())

    def _ntlm(self, scheme: str, token: str) -> AuthResult:
        if self.context is None or self.context.complete:
            self.context = spnego.server(protocol="ntlm")
            self.principal = None
        try:
            answer = self.context.step(base64.b64decode(token))
        except (spnego.exceptions.SpnegoError, binascii.Error, ValueError):
            self.context = None
            return AuthResult(False, self.challenge_headers())
        if not self.context.complete:
            header_scheme = "Negotiate" if scheme == "negotiate" else "NTLM"
            return AuthResult(
                False, [("WWW-Authenticate", f"{header_scheme} {base64.b64encode(answer or b'').decode()}")]
            )
        self.principal = self._principal_of(self.context.client_principal or "")
        return AuthResult(True, principal=self.principal)

    def _principal_of(self, logon: str) -> str:
        """``DOMAIN\\user`` of the account behind a logon name, however it was written (Windows resolves a UPN or a
        bare user name to the account; the CA records the requester as ``DOMAIN\\user``)."""
        account = next((account for account in self._accounts if account.matches(logon)), None)
        return f"{account.domain}\\{account.user}" if account is not None else logon
