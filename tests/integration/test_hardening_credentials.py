"""Credentials never in the clear, through ansible-playbook: Basic over http or unvalidated https is refused before
anything is sent, and a server that records every connection and every header it receives shows it.

The recording server is this test's own (not the lab): it answers every request with a Basic challenge and keeps
the headers, so the same server also proves, with allow_insecure_basic, that it would have seen the credential.
"""

from __future__ import annotations

import datetime as dt
import json
import ssl
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

import pytest
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from .conftest import Lab, PlaybookRun

pytestmark = pytest.mark.integration

PASSWORD = "Recorded-'never'-$(sent)-`n-pw"


@dataclass
class Record:
    """What reached the server: TCP connections accepted (TLS or not) and each request's headers."""

    connections: int = 0
    requests: list[dict[str, str]] = field(default_factory=list)


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server: _Server

    def setup(self) -> None:
        self.server.record.connections += 1
        super().setup()

    def log_message(self, format: str, *args: object) -> None:
        pass

    def do_GET(self) -> None:
        self.server.record.requests.append(dict(self.headers.items()))
        self.send_response(401)
        self.send_header("WWW-Authenticate", 'Basic realm="certsrv"')
        self.send_header("Content-Length", "0")
        self.end_headers()


class _Server(ThreadingHTTPServer):
    daemon_threads = True
    record: Record

    def get_request(self) -> tuple[Any, Any]:
        # Counted at accept, before any TLS handshake: a client that connects at all is seen.
        sock, address = super().get_request()
        self.record.connections += 1
        return sock, address


def _self_signed(directory: Path) -> ssl.SSLContext:
    key = ec.generate_private_key(ec.SECP256R1())
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "127.0.0.1")])
    now = dt.datetime.now(dt.timezone.utc)
    cert = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - dt.timedelta(days=1))
        .not_valid_after(now + dt.timedelta(days=2))
        .sign(key, hashes.SHA256())
    )
    (directory / "cert.pem").write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    (directory / "key.pem").write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    context.load_cert_chain(directory / "cert.pem", directory / "key.pem")
    return context


@pytest.fixture
def recorder(tmp_path: Path) -> Iterator[Callable[[bool], tuple[str, Record]]]:
    servers: list[_Server] = []

    def start(tls: bool) -> tuple[str, Record]:
        server = _Server(("127.0.0.1", 0), _Handler)
        server.record = Record()
        if tls:
            server.socket = _self_signed(tmp_path).wrap_socket(server.socket, server_side=True)
        threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.02}, daemon=True).start()
        servers.append(server)
        return f"{'https' if tls else 'http'}://127.0.0.1:{server.server_address[1]}/certsrv/", server.record

    yield start
    for server in servers:
        server.shutdown()
        server.server_close()


def _play(tasks: list[dict[str, Any]]) -> str:
    return json.dumps([{"name": "credentials", "hosts": "localhost", "gather_facts": False, "tasks": tasks}])


def _task(name: str, **args: Any) -> dict[str, Any]:
    base = {"auth": "basic", "username": "CONTOSO\\enroll", "password": "{{ pw }}", "retries": 0, "timeout": 5}
    return {"name": name, "exchange_um.certificates.ca_certificate": {**base, **args}, "ignore_errors": True}


def _run(
    lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]], tasks: list[dict[str, Any]]
) -> PlaybookRun:
    outcome = playbook_runner(lab)(_play(tasks), extra_vars={"pw": PASSWORD})
    assert outcome.rc == 0, outcome.stdout[-3000:]
    assert PASSWORD not in outcome.stdout + outcome.stderr + json.dumps(outcome.results)
    return outcome


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https-unvalidated"])
def test_basic_is_refused_before_anything_reaches_the_server(
    lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]], recorder: Any, tls: bool
) -> None:
    url, record = recorder(tls)
    args = {"ca_url": url, "validate_certs": False} if tls else {"ca_url": url}
    outcome = _run(
        lab,
        playbook_runner,
        [_task("refused", **args), _task("refused with a pin", **args, expected_thumbprint="00" * 20)],
    )
    for name in ("refused", "refused with a pin"):
        result = outcome.task("localhost", name)
        assert result["_status"] == "failed"
        assert "auth=basic sends the password itself" in result["msg"]
        assert "allow_insecure_basic" in result["msg"] and "No request was sent to the CA" in result["msg"]
    assert record.connections == 0 and record.requests == []


@pytest.mark.parametrize("tls", [False, True], ids=["http", "https-unvalidated"])
def test_allow_insecure_basic_sends_it_and_warns(
    lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]], recorder: Any, tls: bool
) -> None:
    """The same server sees the Authorization header once the user opts out: the refusal above is what kept it away."""
    url, record = recorder(tls)
    args = {"ca_url": url, "validate_certs": False} if tls else {"ca_url": url}
    outcome = _run(lab, playbook_runner, [_task("opted out", **args, allow_insecure_basic=True)])
    result = outcome.task("localhost", "opted out")
    assert result["_status"] == "failed" and "HTTP 401" in result["msg"]
    assert any("allow_insecure_basic is true" in warning for warning in result["warnings"])
    assert record.connections >= 1
    assert record.requests and all(headers.get("Authorization", "").startswith("Basic ") for headers in record.requests)


def test_ntlm_over_plain_http_warns_and_points_to_extended_protection(
    lab: Lab, playbook_runner: Callable[[Lab], Callable[..., PlaybookRun]]
) -> None:
    info = lab.info["adcs"]
    task = {
        "name": "ntlm over http",
        "exchange_um.certificates.ca_certificate": {
            "ca_url": info["url"],
            "username": info["username"],
            "password": "{{ pw }}",
            "expected_thumbprint": info["ca_thumbprint"],
        },
    }
    outcome = playbook_runner(lab)(_play([task]), extra_vars={"pw": info["password"]})
    assert outcome.rc == 0, outcome.stdout[-3000:]
    result = outcome.task("localhost", "ntlm over http")
    assert result["thumbprint"] == info["ca_thumbprint"]
    [warning] = result["warnings"]
    assert "relay" in warning and "https" in warning and "Extended Protection" in warning
    assert info["password"] not in outcome.stdout + json.dumps(outcome.results)
