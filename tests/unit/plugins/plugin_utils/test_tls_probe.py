"""tls_probe's handshake against real OpenSSL servers on loopback: TLS 1.0, a required client certificate, failures."""

from __future__ import annotations

import errno
import socket
import ssl
import threading
import warnings
from collections.abc import Iterator
from pathlib import Path

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._argspec import OptionError
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._tls_probe import probe_tls
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._x509 import thumbprint
from cryptography.hazmat.primitives import serialization
from cryptography.x509.oid import ExtendedKeyUsageOID

from tests.unit.certs import Issued, make_cert, rsa_key

ROOT = make_cert("Contoso Root CA", key=rsa_key(), ca=True)
ISSUING = make_cert("Contoso Issuing CA", key=rsa_key(), issuer=ROOT, ca=True)
LEAF = make_cert(
    "exch2007.contoso.lab",
    key=rsa_key(),
    issuer=ISSUING,
    dns=["exch2007.contoso.lab"],
    eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
)
CLIENT = make_cert("fe01.contoso.lab", key=rsa_key(), issuer=ISSUING, eku=(ExtendedKeyUsageOID.CLIENT_AUTH,))
STRANGER = make_cert("stranger", key=rsa_key())


def _pem(*items: Issued, key: bool = True) -> bytes:
    data = items[0].key.private_bytes(
        serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
    )
    return (data if key else b"") + b"".join(item.cert.public_bytes(serialization.Encoding.PEM) for item in items)


def _serve(tmp_path: Path, *, verify: ssl.VerifyMode, versions: tuple[ssl.TLSVersion, ssl.TLSVersion]) -> int:
    """An OpenSSL server as the lab's listeners configure one (leaf + issuing CA, @SECLEVEL=0)."""
    chain = tmp_path / f"server-{verify}-{versions[1]}.pem"
    chain.write_bytes(_pem(LEAF, ISSUING))
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version, context.maximum_version = versions
    context.set_ciphers("AES128-SHA:ECDHE-RSA-AES128-SHA:AES128-GCM-SHA256:@SECLEVEL=0")
    context.load_cert_chain(chain)
    context.verify_mode = verify
    context.load_verify_locations(cadata=(_pem(ROOT, key=False) + _pem(ISSUING, key=False)).decode())
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        while True:
            try:
                conn, _peer = listener.accept()
            except OSError:
                return
            try:
                with context.wrap_socket(conn, server_side=True) as tls:
                    tls.recv(1)
            except (OSError, ssl.SSLError):
                conn.close()

    threading.Thread(target=accept, daemon=True).start()
    return int(listener.getsockname()[1])


@pytest.fixture(scope="module")
def servers(tmp_path_factory: pytest.TempPathFactory) -> Iterator[dict[str, int]]:
    tmp = tmp_path_factory.mktemp("tls")
    tls10 = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1)
    tls12 = (ssl.TLSVersion.TLSv1, ssl.TLSVersion.TLSv1_2)
    yield {
        "required_tls10": _serve(tmp, verify=ssl.CERT_REQUIRED, versions=tls10),
        "requested_tls12": _serve(tmp, verify=ssl.CERT_OPTIONAL, versions=tls12),
        "none_tls12": _serve(tmp, verify=ssl.CERT_NONE, versions=tls12),
        "tls13_only": _serve(tmp, verify=ssl.CERT_NONE, versions=(ssl.TLSVersion.TLSv1_3, ssl.TLSVersion.TLSv1_3)),
    }


def _probe(port: int, **options: object) -> dict[str, object]:
    result = probe_tls(host="127.0.0.1", ports=[port], timeout=5, **options)  # type: ignore[arg-type]
    (entry,) = result["ports"]
    return entry


CHECKS = {
    "expected_thumbprint": thumbprint(LEAF.cert),
    "fqdn": "exch2007.contoso.lab",
    "ca_certificate": _pem(ROOT, key=False).decode(),
    "min_days_left": 30,
}


def test_the_chain_of_a_tls10_server_that_requires_a_client_certificate_is_read(servers: dict[str, int]) -> None:
    entry = _probe(servers["required_tls10"], **CHECKS)
    assert entry["protocol"] == "TLSv1"
    assert str(entry["cipher"]).startswith("TLS_")
    assert entry["client_certificate"] == "required"
    assert [item["thumbprint"] for item in entry["chain"]] == [thumbprint(LEAF.cert), thumbprint(ISSUING.cert)]
    assert entry["findings"] == []
    assert entry["ok"] is True


def test_with_a_client_certificate_the_handshake_completes(servers: dict[str, int], tmp_path: Path) -> None:
    client = tmp_path / "client.pem"
    client.write_bytes(_pem(CLIENT, ISSUING))
    entry = _probe(servers["required_tls10"], client_cert=str(client), **CHECKS)
    assert entry["client_certificate"] == "accepted"
    assert entry["ok"] is True


def test_a_client_certificate_the_server_does_not_trust_is_a_finding(servers: dict[str, int], tmp_path: Path) -> None:
    key, cert = tmp_path / "stranger.key", tmp_path / "stranger.pem"
    key.write_bytes(_pem(STRANGER)[: _pem(STRANGER).index(b"-----BEGIN CERTIFICATE")])
    cert.write_bytes(_pem(STRANGER, key=False))
    entry = _probe(servers["required_tls10"], client_cert=str(cert), client_key=str(key))
    assert entry["client_certificate"] == "refused"
    assert entry["chain"], "the chain is read before the server refuses the client certificate"
    assert any("refused the probe's client certificate" in f for f in entry["findings"])
    assert entry["ok"] is False


def test_requested_and_not_requested(servers: dict[str, int]) -> None:
    requested = _probe(servers["requested_tls12"], **CHECKS)
    assert (requested["protocol"], requested["client_certificate"], requested["ok"]) == ("TLSv1.2", "requested", True)
    plain = _probe(servers["none_tls12"], **CHECKS)
    assert (plain["client_certificate"], plain["ok"]) == ("not_requested", True)


def test_a_server_with_nothing_older_than_tls13_refuses_the_probe(servers: dict[str, int]) -> None:
    entry = _probe(servers["tls13_only"])
    assert entry["reachable"] is True and entry["chain"] == []
    assert "protocol_version" in entry["findings"][0]


def test_refused_port() -> None:
    with socket.socket() as placeholder:
        placeholder.bind(("127.0.0.1", 0))
        port = placeholder.getsockname()[1]
    entry = _probe(port)
    assert entry["reachable"] is False
    assert entry["findings"] == [f"127.0.0.1:{port} refused the connection: nothing listens on the port"]


def _plain_server(answer: bytes | None) -> int:
    """A TCP server that sends ``answer`` (SIP over TCP, say) or, with None, never says anything."""
    listener = socket.create_server(("127.0.0.1", 0))

    def accept() -> None:
        conn, _peer = listener.accept()
        with conn:
            conn.recv(4096)
            if answer is not None:
                conn.sendall(answer)
            else:
                conn.recv(4096)

    threading.Thread(target=accept, daemon=True).start()
    return int(listener.getsockname()[1])


def test_a_port_that_speaks_no_tls() -> None:
    entry = _probe(_plain_server(b"SIP/2.0 400 Bad Request\r\nContent-Length: 0\r\n\r\n"))
    assert entry["reachable"] is True
    assert "does not speak TLS" in entry["findings"][0]


def test_a_server_that_never_answers_times_out() -> None:
    result = probe_tls(host="127.0.0.1", ports=[_plain_server(None)], timeout=1)
    assert "did not finish the TLS handshake within 1 s" in result["ports"][0]["findings"][0]


def test_an_unusable_client_certificate_names_the_option(tmp_path: Path) -> None:
    junk = tmp_path / "junk.pem"
    junk.write_text("not a certificate\n")
    with pytest.raises(OptionError, match="client_cert_path") as raised:
        probe_tls(host="127.0.0.1", ports=[1], timeout=1, client_cert=str(junk))
    assert raised.value.options == ("client_cert_path",)


def test_ca_certificate_that_holds_none_names_the_option() -> None:
    with pytest.raises(OptionError, match="ca_certificate holds no usable certificate"):
        probe_tls(host="127.0.0.1", ports=[1], timeout=1, ca_certificate="-----BEGIN CERTIFICATE-----\nAA==\n")


@pytest.mark.parametrize(
    ("error", "message"),
    [
        (OSError(errno.EHOSTUNREACH, "No route to host"), "192.0.2.7:5061 is unreachable: No route to host"),
        (OSError(errno.ENETUNREACH, "Network is unreachable"), "is unreachable: Network is unreachable"),
        (socket.gaierror(socket.EAI_NONAME, "Name or service not known"), "does not resolve: Name or service"),
        (TimeoutError("timed out"), "192.0.2.7:5061 did not accept a connection within 3 s"),
    ],
)
def test_connection_errors_are_findings(monkeypatch: pytest.MonkeyPatch, error: OSError, message: str) -> None:
    """What the network says before any TLS: no route, no name, no answer (a firewall dropping the SYN)."""

    def connect(address: tuple[str, int], timeout: float) -> socket.socket:
        raise error

    monkeypatch.setattr(socket, "create_connection", connect)
    result = probe_tls(host="192.0.2.7", ports=[5061], timeout=3)
    (entry,) = result["ports"]
    assert entry["reachable"] is False and entry["ok"] is False and result["ok"] is False
    assert message in entry["findings"][0]
