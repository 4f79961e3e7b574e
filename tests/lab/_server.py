"""The HTTP server every lab listener runs on (certsrv, WinRM, control API).

IIS and the WinRM listener both sit on HTTP.sys: HTTP/1.1 keep-alive connections, TLS negotiated per connection (a
failed handshake just closes that connection). Each connection gets its own thread, so a slow client blocks no one
else; the server tracks its connections so that ``stop()`` also ends keep-alive connections idle in a read.

A lab runs one listener per simulated host (60 for ``--fleet 60``), so starting and stopping must cost nothing: the
server's name is not looked up in DNS, and the accept loop sleeps in ``select`` until a client connects or ``stop()``
wakes it through a socket pair, instead of polling.
"""

from __future__ import annotations

import contextlib
import logging
import selectors
import socket
import socketserver
import ssl
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

__all__ = ["LabHttpServer", "LabRequestHandler"]

_LOG = logging.getLogger("tests.lab.server")
_HANDSHAKE_TIMEOUT = 10.0


class LabRequestHandler(BaseHTTPRequestHandler):
    """HTTP/1.1 handler with the body reader every lab listener needs."""

    protocol_version = "HTTP/1.1"

    def read_body(self) -> bytes:
        length = int(self.headers.get("Content-Length") or 0)
        return self.rfile.read(length) if length > 0 else b""


class LabHttpServer(ThreadingHTTPServer):
    """One listener: ``start(name)`` serves it on a daemon thread, ``stop()`` ends it and its connections."""

    daemon_threads = True

    def __init__(
        self,
        address: tuple[str, int],
        handler: type[BaseHTTPRequestHandler],
        *,
        ssl_context: ssl.SSLContext | None = None,
    ) -> None:
        self.ssl_context = ssl_context
        self._connections: set[socket.socket] = set()
        self._connections_lock = threading.Lock()
        self._thread: threading.Thread | None = None
        self._wake_reader, self._wake_writer = socket.socketpair()
        try:
            super().__init__(address, handler)
        except BaseException:
            self._close_wake()
            raise

    def server_bind(self) -> None:
        # HTTPServer.server_bind also sets server_name from socket.getfqdn(address): a reverse DNS query per listener,
        # seconds each when the resolver does not answer for 127.x addresses. No handler of the lab reads it.
        socketserver.TCPServer.server_bind(self)
        self.server_name, self.server_port = self.server_address[:2]

    def finish_request(self, request: Any, client_address: Any) -> None:
        if self.ssl_context is not None:
            request.settimeout(_HANDSHAKE_TIMEOUT)
            try:
                request = self.ssl_context.wrap_socket(request, server_side=True)
            except (ssl.SSLError, OSError):
                return  # a failed handshake closes the connection, as HTTP.sys does
        with self._connections_lock:
            self._connections.add(request)
        try:
            super().finish_request(request, client_address)
        finally:
            with self._connections_lock:
                self._connections.discard(request)
            if self.ssl_context is not None:
                request.close()  # the TLS socket took over the descriptor of the accepted one

    def handle_error(self, request: Any, client_address: Any) -> None:
        # A client that gives up (timeout, TLS refusal, reset mid-reply) is normal here; keep it out of stderr.
        _LOG.debug("connection from %s ended with an error", client_address, exc_info=True)

    def start(self, name: str) -> None:
        if self._thread is not None:
            raise RuntimeError(f"the listener {name} is already running")
        self._thread = threading.Thread(target=self._accept_loop, name=name, daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop accepting, end open connections, close the socket; safe to repeat."""
        thread, self._thread = self._thread, None
        if thread is not None:
            with contextlib.suppress(OSError):
                self._wake_writer.send(b"x")
            thread.join(timeout=5)
        self._close_connections()
        self.server_close()

    def server_close(self) -> None:
        super().server_close()
        self._close_wake()

    def _accept_loop(self) -> None:
        with selectors.DefaultSelector() as selector:
            selector.register(self.socket, selectors.EVENT_READ)
            selector.register(self._wake_reader, selectors.EVENT_READ)
            while True:
                ready = selector.select()
                if any(key.fileobj is self._wake_reader for key, _events in ready):
                    return
                # socketserver's own step: accept, verify, hand the connection to a thread, errors to handle_error.
                self._handle_request_noblock()

    def _close_wake(self) -> None:
        self._wake_reader.close()
        self._wake_writer.close()

    def _close_connections(self) -> None:
        with self._connections_lock:
            connections = list(self._connections)
        for connection in connections:
            with contextlib.suppress(OSError):
                connection.shutdown(socket.SHUT_RDWR)
