"""The AD CS web enrollment emulator: a CA, its request database and the certsrv site on http and https."""

from __future__ import annotations

import secrets
import ssl
import string
import tempfile
from collections.abc import Iterable, Mapping
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes

from ..httpauth import Account, check_extended_protection
from ..pki import TEMPLATES, LabPki
from .faults import FaultQueue
from .iis import CertsrvHttpServer
from .site import CertsrvSite
from .store import RequestStore

__all__ = ["AdcsEmulator"]

HOST_NAME = "ca.contoso.lab"


class AdcsEmulator:
    """certsrv on ``address``: ``url`` (http) and ``https_url``; control methods for the lab's control API.

    ``extended_protection`` is IIS's Windows authentication setting: ``off`` (tokenChecking None, IIS's default) or
    ``required`` (tokenChecking Require, the default from Windows Server 2025 on; certsrv-protocol.md): NTLM over
    https must then carry the channel bindings of the site's certificate.
    """

    def __init__(
        self,
        pki: LabPki,
        accounts: Mapping[str, Account],
        address: str,
        http_port: int = 0,
        https_port: int = 0,
        schemes: Iterable[str] = ("ntlm", "basic"),
        locale: str = "en",
        *,
        policy: str = "issue",
        server_header: str = "Microsoft-IIS/7.5",
        extended_protection: str = "off",
    ) -> None:
        check_extended_protection(extended_protection)
        self.extended_protection = extended_protection
        self.pki = pki
        self.accounts = dict(accounts)
        self.schemes = tuple(schemes)
        self.address = address
        self.server_header = server_header
        self.realm = HOST_NAME
        self.store = RequestStore(pki, policy=policy)
        self.site = CertsrvSite(pki, self.store, locale=locale)
        self.faults = FaultQueue()
        # ASP names its session cookie ASPSESSIONID + 8 letters fixed per application instance.
        self.session_cookie_name = "ASPSESSIONID" + "".join(
            secrets.choice(string.ascii_uppercase) for _position in range(8)
        )
        self._ports = (http_port, https_port)
        self._servers: list[CertsrvHttpServer] = []

    # -- lifecycle --------------------------------------------------------------------------------------------------

    def start(self) -> None:
        context, certificate = self._tls_context()
        self._servers = [
            CertsrvHttpServer((self.address, self._ports[0]), self, None),
            CertsrvHttpServer((self.address, self._ports[1]), self, context, certificate),
        ]
        for server in self._servers:
            server.start(f"adcs-{server.server_port}")

    def stop(self) -> None:
        servers, self._servers = self._servers, []
        for server in servers:
            server.stop()

    def _tls_context(self) -> tuple[ssl.SSLContext, x509.Certificate]:
        """The https listener's TLS context and the leaf certificate it presents (the first of the chain)."""
        cert_pem, key_pem = self.pki.issue_tls_server([HOST_NAME, "localhost"], [self.address])
        context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        with tempfile.TemporaryDirectory() as directory:  # the key exists on disk only while it is loaded
            cert_file, key_file = Path(directory, "tls.pem"), Path(directory, "tls.key")
            cert_file.write_bytes(cert_pem)
            key_file.touch(mode=0o600)
            key_file.write_bytes(key_pem)
            context.load_cert_chain(cert_file, key_file)
        return context, x509.load_pem_x509_certificates(cert_pem)[0]

    @property
    def url(self) -> str:
        return f"http://{self.address}:{self._servers[0].server_port}/certsrv/"

    @property
    def https_url(self) -> str:
        return f"https://{self.address}:{self._servers[1].server_port}/certsrv/"

    # -- control ----------------------------------------------------------------------------------------------------

    def approve(self, request_id: int) -> dict[str, object]:
        return self.store.approve(request_id).summary()

    def deny(self, request_id: int) -> dict[str, object]:
        return self.store.deny(request_id).summary()

    def set_policy(self, policy: str) -> None:
        self.store.policy = policy

    def set_locale(self, locale: str) -> None:
        self.site.locale = locale

    def renew_ca(self) -> dict[str, object]:
        cert = self.pki.renew()
        return {"renewal": len(self.pki.renewals) - 1, "thumbprint": cert.fingerprint(hashes.SHA1()).hex().upper()}

    def inject_fault(self, kind: str, count: int = 1, seconds: float = 0.0) -> None:
        self.faults.inject(kind, count, seconds)

    def requests(self) -> list[dict[str, object]]:
        return [request.summary() for request in self.store.all()]

    def counters(self) -> dict[str, int]:
        """Authenticated certsrv requests per kind (site.COUNTER_KINDS) since the start or the last reset, and the most
        answered at the same time (``most_at_once``)."""
        return self.site.counters()

    def reset_counters(self) -> None:
        self.site.reset_counters()

    def templates(self) -> list[dict[str, object]]:
        return [self.pki.describe_template(template.name) for template in TEMPLATES.values()]

    def set_template_validity(self, name: str, days: int) -> dict[str, object]:
        return self.pki.set_template_validity(name, days)
