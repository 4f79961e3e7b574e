"""HTTP(S) transport of the WinRM listener: keep-alive connections, per-connection authentication, encryption.

winrm-protocol.md, "Authentication and message encryption": NTLM authenticates the TCP connection; over HTTP the
client seals every message with that connection's context (and first sends an empty POST); replies, faults included,
are sealed the same way; data sealed on another connection gets 400. CredSSP, where the listener offers it, does the
same with its TLS channel (MS-WSMV 2.2.9.1.3). Each served request carries the logon it authenticated as.
"""

from __future__ import annotations

import logging
import socket
import ssl
from collections.abc import Mapping
from typing import Any
from urllib.parse import urlsplit

from .._server import LabHttpServer, LabRequestHandler
from ..httpauth import Account, ConnectionAuth, Logon
from ._credssp import CredsspListener
from ._encryption import EncryptionError, is_encrypted, protocol_for, unwrap_message, wrap_message
from ._faults import ConnectionDropped
from ._host import CommandHost
from ._service import WinrsService
from ._soap import WsmanFault, fault_envelope, parse_request

__all__ = ["ListenerConfig", "WinrmHttpServer"]

_LOG = logging.getLogger(__name__)
_SOAP_TYPE = "application/soap+xml;charset=UTF-8"
# HTTP.sys, which hosts the WinRM listener, drops idle keep-alive connections after 120 s (IdleConnectionTimeout).
_IDLE_TIMEOUT = 120.0


class ListenerConfig:
    """What every connection of one listener shares."""

    def __init__(
        self,
        *,
        host: CommandHost,
        service: WinrsService,
        accounts: Mapping[str, Account],
        auth: str,
        https: bool,
        credssp: CredsspListener | None = None,
    ) -> None:
        self.host = host
        self.service = service
        self.accounts = accounts
        self.auth = auth
        self.https = https
        self.credssp = credssp
        self.errors: list[BaseException] = []


class WinrmHttpServer(LabHttpServer):
    """One listener (http, or https when given a TLS context)."""

    def __init__(self, address: tuple[str, int], *, config: ListenerConfig, ssl_context: ssl.SSLContext | None) -> None:
        self.config = config
        super().__init__(address, _WsmanHandler, ssl_context=ssl_context)


class _WsmanHandler(LabRequestHandler):
    server_version = "Microsoft-HTTPAPI/2.0"
    sys_version = ""
    timeout = _IDLE_TIMEOUT
    disable_nagle_algorithm = True  # headers and body go out in two writes; do not wait for the ACK in between
    server: WinrmHttpServer

    def setup(self) -> None:
        super().setup()
        config = self.server.config
        # One authentication state per TCP connection: an NTLM context belongs to the connection it was made on.
        schemes = ["ntlm"] if config.auth == "ntlm" else ["basic"]
        credssp = config.credssp.acceptor() if config.credssp is not None else None
        self.auth = ConnectionAuth(config.accounts, schemes, realm="WSMAN", credssp=credssp)

    def log_message(self, format: str, *args: Any) -> None:
        _LOG.debug("%s " + format, self.client_address[0], *args)

    def do_POST(self) -> None:
        config = self.server.config
        payload = self.read_body()
        try:
            status, body, headers = self._answer(config, payload)
        except ConnectionDropped as dropped:  # an injected fault (_faults.py): the connection ends unanswered
            _LOG.info("WinRM endpoint of %s: fault %s, connection closed", config.host.name, dropped)
            config.host.record_traffic(bytes_in=len(payload), bytes_out=0)
            self.close_connection = True
            self.connection.shutdown(socket.SHUT_RDWR)
            return
        config.host.record_traffic(bytes_in=len(payload), bytes_out=len(body))
        self._reply(status, body, headers)

    def _answer(self, config: ListenerConfig, payload: bytes) -> tuple[int, bytes, list[tuple[str, str]]]:
        if urlsplit(self.path).path.rstrip("/").lower() != "/wsman":
            return 404, b"", []
        verdict = self.auth.check(self.headers.get("Authorization"))
        if not verdict.ok or verdict.logon is None:
            return 401, b"", verdict.headers
        logon = verdict.logon
        context = self.auth.encrypting_context
        protocol = protocol_for(logon.method)
        content_type = self.headers.get("Content-Type", "")
        encrypted = is_encrypted(content_type)
        if encrypted:
            if context is None:
                return 400, b"", []
            try:
                payload = unwrap_message(payload, context, content_type=content_type, protocol=protocol)
            except EncryptionError:
                return 400, b"", []
        elif payload and config.auth == "ntlm" and not config.https:
            # AllowUnencrypted is false on a listener that authenticates with NTLM over HTTP: the service refuses
            # a plain SOAP message with HTTP 500 (pywinrm issues #129 and #208), whatever logon sent it.
            return 500, b"", []
        if not payload:
            return 200, b"", []  # pywinrm's empty POST that sets up the encryption context
        status, soap = self._dispatch(config, payload, logon)
        if encrypted and context is not None:
            sealed, sealed_type = wrap_message(soap, context, protocol=protocol)
            return status, sealed, [("Content-Type", sealed_type)]
        return status, soap, [("Content-Type", _SOAP_TYPE)]

    def _dispatch(self, config: ListenerConfig, payload: bytes, logon: Logon) -> tuple[int, bytes]:
        message_id = ""
        try:
            request = parse_request(payload)
            request.logon = logon
            message_id = request.message_id
            return 200, config.service.handle(request)
        except WsmanFault as fault:
            return fault.status, fault_envelope(fault, relates_to=message_id, machine=config.host.name)
        except ConnectionDropped:
            raise
        except Exception as exc:  # a lab defect: keep it for the tests and answer as a failing service would
            _LOG.exception("WinRM endpoint of %s failed", config.host.name)
            config.errors.append(exc)
            return 500, b""

    def _reply(self, status: int, body: bytes, headers: list[tuple[str, str]]) -> None:
        self.send_response(status)
        for name, value in headers:
            self.send_header(name, value)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if body:
            self.wfile.write(body)
