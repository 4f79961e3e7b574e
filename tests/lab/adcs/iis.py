"""IIS in front of certsrv: HTTP/1.1 keep-alive, Windows authentication per connection, IIS headers, faults.

certsrv-protocol.md "Authentication": 401 with ``WWW-Authenticate: Negotiate`` and ``NTLM`` (Basic when enabled on
the site); NTLM is bound to the TCP connection, so each connection (handler instance) owns one ConnectionAuth. With
Extended Protection required, an https listener hands each connection the channel bindings of the certificate it
presents.
"""

from __future__ import annotations

import logging
import secrets
import socket
import ssl
import string
import time
import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Protocol

from cryptography import x509

from .._server import LabHttpServer, LabRequestHandler
from ..httpauth import Account, ConnectionAuth, tls_channel_bindings
from . import pages
from .faults import FaultQueue
from .site import CONTENT_TYPE_HTML, CertsrvSite, SiteRequest, SiteResponse

__all__ = ["CertsrvHttpServer", "IisSettings"]

LOG = logging.getLogger("tests.lab.adcs")


class IisSettings(Protocol):
    """What the handler reads from the emulator that owns the server."""

    accounts: Mapping[str, Account]
    schemes: Sequence[str]
    server_header: str
    realm: str
    site: CertsrvSite
    faults: FaultQueue
    session_cookie_name: str
    extended_protection: str


def _session_id() -> str:
    return "".join(secrets.choice(string.ascii_uppercase) for _position in range(24))


class CertsrvHandler(LabRequestHandler):
    timeout = 120  # IIS connectionTimeout default: idle keep-alive connections close after 120 s
    server: CertsrvHttpServer

    def setup(self) -> None:
        super().setup()
        settings = self.server.settings
        self.auth = ConnectionAuth(
            settings.accounts,
            settings.schemes,
            realm=settings.realm,
            channel_bindings=self.server.channel_bindings,
            extended_protection=settings.extended_protection,
        )

    def version_string(self) -> str:
        return self.server.settings.server_header

    def log_message(self, format: str, *args: object) -> None:
        LOG.info("%s %s", self.address_string(), format % args)

    def do_GET(self) -> None:
        self._serve()

    def do_POST(self) -> None:
        self._serve()

    def _serve(self) -> None:
        settings = self.server.settings
        body = self.read_body()
        auth = self.auth.check(self.headers.get("Authorization"))
        locale = settings.site.locale
        if not auth.ok:
            page = pages.iis_error_page(locale, "unauthorized", "unauthorized_desc").encode()
            self._send(SiteResponse(401, CONTENT_TYPE_HTML, page), auth.headers)
            return
        with settings.site.answering():
            if self._fault_answered(locale):
                return
            url = urllib.parse.urlsplit(self.path)
            # certsrv-protocol.md: parameter names are case-insensitive on IIS (clients send Enc and ENC).
            query = urllib.parse.parse_qsl(url.query, keep_blank_values=True)
            params = {name.lower(): value for name, value in query}
            if self.command == "POST" and "x-www-form-urlencoded" in (self.headers.get("Content-Type") or ""):
                form = urllib.parse.parse_qsl(body.decode("utf-8", "replace"), keep_blank_values=True)
                params.update({name.lower(): value for name, value in form})
            request = SiteRequest(
                path=urllib.parse.unquote(url.path).lower(),
                params=params,
                user_agent=self.headers.get("User-Agent") or "",
                principal=auth.principal or "",
            )
            self._send(settings.site.handle(request))

    def _fault_answered(self, locale: str) -> bool:
        """Apply the next injected fault; True when it already answered (500) or dropped the connection."""
        fault = self.server.settings.faults.take()
        if fault is None:
            return False
        LOG.info("fault %s on %s", fault.kind, self.requestline)
        if fault.kind == "drop":
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return True
        if fault.kind == "status_500":
            page = pages.iis_error_page(locale, "server_error", "server_error_desc").encode()
            self._send(SiteResponse(500, CONTENT_TYPE_HTML, page))
            return True
        time.sleep(fault.seconds)  # slow: answer normally, late
        return False

    def _send(self, response: SiteResponse, extra_headers: Sequence[tuple[str, str]] = ()) -> None:
        settings = self.server.settings
        self.send_response(response.status)
        # certsrv-protocol.md: real IIS answers carry Cache-Control: private, Server and an ASPSESSIONID cookie.
        self.send_header("Cache-Control", "private")
        self.send_header("Content-Type", response.content_type)
        self.send_header("Content-Length", str(len(response.body)))
        for name, value in extra_headers:
            self.send_header(name, value)
        cookies = list(response.cookies)
        if response.status != 401 and settings.session_cookie_name not in (self.headers.get("Cookie") or ""):
            cookies.insert(0, f"{settings.session_cookie_name}={_session_id()}; path=/")
        for cookie in cookies:
            self.send_header("Set-Cookie", cookie)
        self.end_headers()
        self.wfile.write(response.body)


class CertsrvHttpServer(LabHttpServer):
    """One certsrv listener: http, or https when given a TLS context and the leaf certificate it presents."""

    def __init__(
        self,
        address: tuple[str, int],
        settings: IisSettings,
        ssl_context: ssl.SSLContext | None,
        certificate: x509.Certificate | None = None,
    ) -> None:
        if (ssl_context is None) != (certificate is None):
            raise ValueError("an https listener needs its TLS context and its certificate, an http listener neither")
        super().__init__(address, CertsrvHandler, ssl_context=ssl_context)
        self.settings = settings
        # Plain http has no channel: its connections get no bindings, so Extended Protection never applies there.
        self.channel_bindings = tls_channel_bindings(certificate) if certificate is not None else None
