"""tls_probe's work: one TLS handshake per port from the controller, the presented chain read off the wire, checked.

The probe speaks TLS 1.0 to 1.2 with the cipher suites of those versions, as the Schannel servers of Windows Server
2003 to 2012 R2 offer them (host-facts.md "Schannel defaults"). That takes an explicit relaxation of the
controller's TLS defaults, made on this probe's own ``SSLContext`` only and never on anything global:

- ``minimum_version`` TLS 1.0 (Python 3.10+ defaults to TLS 1.2) and ``maximum_version`` TLS 1.2 (Schannel of
  that era has nothing newer, and up to 1.2 the server's Certificate message travels in the clear);
- ``set_ciphers("ALL:@SECLEVEL=0")``: OpenSSL 3 refuses TLS 1.0 and 1.1, SHA-1 signatures and the CBC-SHA suites
  at its default security level;
- ``OP_LEGACY_SERVER_CONNECT``: servers without the RFC 5746 renegotiation extension (Schannel before MS10-049);
- no certificate verification by OpenSSL (``CERT_NONE``, no host name check): the checks are the probe's own, made
  on the chain afterwards (_tls_probe_checks.py), so that a handshake is never cut short before the chain is read.

Nothing is sent over the connection but the handshake: no application data, no credentials.
"""

from __future__ import annotations

import socket
import ssl
import time
import typing as t
import warnings
from collections.abc import Sequence
from dataclasses import dataclass

from ._argspec import OptionError
from ._tls_probe_checks import check_chain, describe_chain
from ._tls_probe_records import NotTlsError, ServerFlight, ServerRecordReader
from ._x509 import CertificateError, load_certificates

try:
    from cryptography import x509
except ImportError:  # ansible-test's import check runs without it; load_certificates() says what to install
    x509 = None  # type: ignore[assignment]

__all__ = ["EMPTY_RESULT", "Handshake", "handshake", "probe_context", "probe_port", "probe_tls", "read_ca"]

EMPTY_RESULT: dict[str, t.Any] = {"ok": False, "host": None, "ports": []}

# ssl.OP_LEGACY_SERVER_CONNECT exists from Python 3.12; the value is OpenSSL's SSL_OP_LEGACY_SERVER_CONNECT.
_LEGACY_SERVER_CONNECT = getattr(ssl, "OP_LEGACY_SERVER_CONNECT", 0x4)
_RECEIVE = 16384


@dataclass
class Handshake:
    """How one handshake went: whether TCP connected, what the server sent in the clear, and how it ended."""

    reachable: bool
    flight: ServerFlight
    completed: bool = False
    problem: str | None = None
    client_certificate_sent: bool = False

    @property
    def client_certificate(self) -> str:
        """``not_requested``; ``requested`` (none sent and the server went on, or the handshake broke for another
        reason); ``required`` (none sent, the server ended the handshake with an alert); ``accepted`` or
        ``refused`` (one was sent, and the server went on or ended the handshake with an alert)."""
        if not self.flight.certificate_request:
            return "not_requested"
        if self.completed or self.flight.alert is None:
            return "accepted" if self.completed and self.client_certificate_sent else "requested"
        return "refused" if self.client_certificate_sent else "required"


def probe_context(*, client_cert: str | None = None, client_key: str | None = None) -> ssl.SSLContext:
    """The probe's own context, relaxed as the module docstring says (and only this one)."""
    context = ssl.SSLContext(ssl.PROTOCOL_TLS_CLIENT)
    context.check_hostname = False
    context.verify_mode = ssl.CERT_NONE
    with warnings.catch_warnings():
        # Python 3.10+ marks TLSVersion.TLSv1 as deprecated; asking for it is this probe's purpose.
        warnings.simplefilter("ignore", DeprecationWarning)
        context.minimum_version = ssl.TLSVersion.TLSv1
        context.maximum_version = ssl.TLSVersion.TLSv1_2
    context.set_ciphers("ALL:@SECLEVEL=0")
    context.options |= _LEGACY_SERVER_CONNECT
    if client_cert is not None:
        try:
            # A password callback that gives none: an encrypted key fails here instead of prompting on a terminal.
            context.load_cert_chain(client_cert, client_key, password=lambda: b"")
        except (ssl.SSLError, OSError) as exc:
            options = ("client_cert_path", "client_key_path") if client_key else ("client_cert_path",)
            raise OptionError(
                f"the client certificate cannot be used: {_reason(exc)}; give a PEM certificate in client_cert_path "
                "and its unencrypted PEM key in client_key_path (or in the same file)",
                options=options,
            ) from None
    return context


def handshake(host: str, port: int, *, timeout: float, context: ssl.SSLContext, with_client_cert: bool) -> Handshake:
    """Connect and shake hands through memory BIOs, keeping a copy of every byte the server sends."""
    deadline = time.monotonic() + timeout
    reader = ServerRecordReader()
    where = f"{host}:{port}"
    try:
        sock = socket.create_connection((host, port), timeout=timeout)
    except ConnectionRefusedError:
        return Handshake(False, reader.flight, problem=f"{where} refused the connection: nothing listens on the port")
    except TimeoutError:
        return Handshake(False, reader.flight, problem=f"{where} did not accept a connection within {timeout:g} s")
    except socket.gaierror as exc:
        return Handshake(False, reader.flight, problem=f"{host} does not resolve: {exc.strerror or exc}")
    except OSError as exc:
        return Handshake(False, reader.flight, problem=f"{where} is unreachable: {exc.strerror or exc}")
    incoming, outgoing = ssl.MemoryBIO(), ssl.MemoryBIO()
    tls = context.wrap_bio(incoming, outgoing, server_side=False)
    result = Handshake(True, reader.flight, client_certificate_sent=with_client_cert)
    with sock:
        try:
            result.completed = _drive(tls, sock, incoming, outgoing, reader, deadline)
        except ssl.SSLError as exc:
            result.problem = _failure(where, reader, exc)
        except NotTlsError as exc:
            result.problem = f"{where} does not speak TLS: {exc}"
        except TimeoutError:
            result.problem = f"{where} did not finish the TLS handshake within {timeout:g} s"
        except OSError as exc:
            result.problem = f"{where} broke the connection during the TLS handshake: {exc.strerror or exc}"
        _flush(sock, outgoing)
    return result


def _drive(
    tls: ssl.SSLObject,
    sock: socket.socket,
    incoming: ssl.MemoryBIO,
    outgoing: ssl.MemoryBIO,
    reader: ServerRecordReader,
    deadline: float,
) -> bool:
    while True:
        try:
            tls.do_handshake()
            return True
        except ssl.SSLWantReadError:
            pass
        _flush(sock, outgoing)
        remaining = deadline - time.monotonic()
        if remaining <= 0:
            raise TimeoutError("handshake deadline")
        sock.settimeout(remaining)
        data = sock.recv(_RECEIVE)
        if not data:
            incoming.write_eof()
            continue
        reader.feed(data)
        incoming.write(data)


def _flush(sock: socket.socket, outgoing: ssl.MemoryBIO) -> None:
    data = outgoing.read()
    if data:
        try:
            sock.sendall(data)
        except OSError:
            return  # the server closed first; what it sent is already read


def _failure(where: str, reader: ServerRecordReader, exc: ssl.SSLError) -> str:
    flight = reader.flight
    if reader.records == 0:
        return f"{where} closed the connection without a TLS answer ({_reason(exc)}): it may not speak TLS"
    if flight.alert_text is not None:
        if flight.version is None:
            return (
                f"{where} refused the handshake ({flight.alert_text}) before choosing a protocol: it offers none "
                "of TLS 1.0 to 1.2 with the cipher suites the probe offers"
            )
        return f"{where} ended the handshake with {flight.alert_text}"
    return f"the TLS handshake with {where} failed: {_reason(exc)}"


def _reason(exc: BaseException) -> str:
    return str(getattr(exc, "reason", None) or getattr(exc, "strerror", None) or exc)


def _presented(flight: ServerFlight) -> tuple[list[x509.Certificate], list[str]]:
    chain, findings = [], []
    for index, der in enumerate(flight.certificates):
        try:
            chain.append(x509.load_der_x509_certificate(der))
        except ValueError as exc:
            findings.append(f"certificate {index + 1} the server presented cannot be read: {exc}")
    return chain, findings


def read_ca(pem: str | None) -> list[x509.Certificate]:
    """``ca_certificate``: PEM text of one or more CA certificates (ca_certificate's result ``certificate``)."""
    if not pem:
        return []
    try:
        return load_certificates(pem)
    except CertificateError as exc:
        raise OptionError(
            f"ca_certificate holds no usable certificate: {exc}; give the CA's PEM, for example the registered "
            "result of exchange_um.certificates.ca_certificate as ca_certificate: '{{ issuing_ca.certificate }}'",
            options=("ca_certificate",),
        ) from None


def probe_port(
    host: str,
    port: int,
    *,
    timeout: float,
    context: ssl.SSLContext,
    with_client_cert: bool,
    expected_thumbprint: str | None,
    fqdn: str | None,
    ca: Sequence[x509.Certificate],
    min_days_left: int,
) -> dict[str, t.Any]:
    """One port's entry of the result."""
    done = handshake(host, port, timeout=timeout, context=context, with_client_cert=with_client_cert)
    chain, findings = _presented(done.flight)
    if done.client_certificate == "refused":
        findings.append(f"the server refused the probe's client certificate ({done.problem})")
    elif done.problem is not None and not (done.client_certificate == "required" and chain):
        findings.insert(0, done.problem)
    if done.reachable and chain:
        findings.extend(
            check_chain(chain, expected_thumbprint=expected_thumbprint, fqdn=fqdn, ca=ca, min_days_left=min_days_left)
        )
    elif done.reachable and not findings:
        findings.append(f"{host}:{port} presented no certificate")
    return {
        "port": port,
        "reachable": done.reachable,
        "protocol": done.flight.protocol,
        "cipher": done.flight.cipher,
        "client_certificate": done.client_certificate if done.reachable and done.flight.version else None,
        "chain": describe_chain(chain),
        "findings": findings,
        "ok": done.reachable and bool(chain) and not findings,
    }


def probe_tls(
    *,
    host: str,
    ports: Sequence[int],
    timeout: float,
    expected_thumbprint: str | None = None,
    fqdn: str | None = None,
    ca_certificate: str | None = None,
    min_days_left: int = 0,
    client_cert: str | None = None,
    client_key: str | None = None,
) -> dict[str, t.Any]:
    """Probe every port; ``ok`` when every port presented a chain that passed every check asked for."""
    ca = read_ca(ca_certificate)
    context = probe_context(client_cert=client_cert, client_key=client_key)
    results = [
        probe_port(
            host,
            port,
            timeout=timeout,
            context=context,
            with_client_cert=client_cert is not None,
            expected_thumbprint=expected_thumbprint,
            fqdn=fqdn,
            ca=ca,
            min_days_left=min_days_left,
        )
        for port in ports
    ]
    return {"ok": all(entry["ok"] for entry in results), "host": host, "ports": results}
