"""The lab's HTTP server base: no DNS at bind, keep-alive connections, TLS per connection, stop ends everything."""

from __future__ import annotations

import contextlib
import socket
import ssl
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.lab._server import LabHttpServer, LabRequestHandler
from tests.lab.pki import LabPki

ADDRESS = "127.10.0.241"


class _Echo(LabRequestHandler):
    def do_POST(self) -> None:
        body = self.read_body()
        self.send_response(200)
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, format: str, *args: object) -> None:
        pass


def _post(connection: socket.socket, body: bytes) -> bytes:
    connection.sendall(b"POST / HTTP/1.1\r\nHost: lab\r\nContent-Length: %d\r\n\r\n%s" % (len(body), body))
    answer = b""
    while not answer.endswith(body) or b"\r\n\r\n" not in answer:
        chunk = connection.recv(65536)
        if not chunk:
            break
        answer += chunk
    return answer


@pytest.fixture
def tls_context(lab_pki: LabPki, tmp_path: Path) -> ssl.SSLContext:
    cert_pem, key_pem = lab_pki.issue_tls_server(["lab"], [ADDRESS])
    path = tmp_path / "server.pem"
    path.write_bytes(key_pem + cert_pem)
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(path)
    return context


@pytest.fixture
def servers() -> Iterator[list[LabHttpServer]]:
    started: list[LabHttpServer] = []
    yield started
    for server in started:
        server.stop()


def test_bind_does_not_resolve_the_address(servers: list[LabHttpServer], monkeypatch: pytest.MonkeyPatch) -> None:
    def lookup(name: str = "") -> str:
        pytest.fail(f"reverse DNS lookup of {name} at bind")

    monkeypatch.setattr(socket, "getfqdn", lookup)
    server = LabHttpServer((ADDRESS, 0), _Echo)
    servers.append(server)
    assert (server.server_name, server.server_port) == server.server_address[:2]


def test_many_listeners_start_and_stop_at_once(servers: list[LabHttpServer]) -> None:
    before = {thread.name for thread in threading.enumerate()}
    began = time.monotonic()
    for index in range(40):
        server = LabHttpServer((f"127.10.1.{index + 10}", 0), _Echo)
        server.start(f"lab-server-test-{index}")
        servers.append(server)
    for server in servers:
        server.stop()
    elapsed = time.monotonic() - began
    assert elapsed < 1.0, f"40 listeners took {elapsed:.2f} s to start and stop"
    assert {thread.name for thread in threading.enumerate()} - before == set()


@pytest.mark.parametrize("https", [False, True])
def test_stop_ends_idle_keep_alive_connections(
    servers: list[LabHttpServer], tls_context: ssl.SSLContext, lab_pki: LabPki, https: bool
) -> None:
    server = LabHttpServer((ADDRESS, 0), _Echo, ssl_context=tls_context if https else None)
    server.start("lab-server-keepalive")
    servers.append(server)
    connection = socket.create_connection(server.server_address[:2], timeout=5)
    if https:
        client = ssl.create_default_context(cafile=str(lab_pki.bundle_path))
        connection = client.wrap_socket(connection, server_hostname="lab")
    with connection:
        assert _post(connection, b"one").startswith(b"HTTP/1.1 200")
        assert _post(connection, b"two").endswith(b"two")  # the same connection, kept alive
        server.stop()
        assert connection.recv(1) == b""  # ended by stop(), not by the 120 s idle timeout


def test_a_failed_handshake_closes_only_that_connection(
    servers: list[LabHttpServer], tls_context: ssl.SSLContext, lab_pki: LabPki
) -> None:
    server = LabHttpServer((ADDRESS, 0), _Echo, ssl_context=tls_context)
    server.start("lab-server-tls")
    servers.append(server)
    with socket.create_connection(server.server_address[:2], timeout=5) as plain:
        plain.sendall(b"POST / HTTP/1.1\r\nContent-Length: 0\r\n\r\n")  # HTTP on the TLS port
        received = b""
        with contextlib.suppress(ConnectionResetError):  # closed with unread data: a reset
            while chunk := plain.recv(65536):
                received += chunk
        assert not received.startswith(b"HTTP/")  # closed (at most a TLS alert), never answered
    client = ssl.create_default_context(cafile=str(lab_pki.bundle_path))
    with client.wrap_socket(
        socket.create_connection(server.server_address[:2], timeout=5), server_hostname="lab"
    ) as tls:
        assert _post(tls, b"after").endswith(b"after")
