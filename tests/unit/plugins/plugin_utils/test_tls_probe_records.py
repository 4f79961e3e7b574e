"""The server-side TLS records tls_probe reads: ServerHello, Certificate, CertificateRequest, alerts (RFC 5246)."""

from __future__ import annotations

import pytest
from ansible_collections.exchange_um.certificates.plugins.plugin_utils._tls_probe_records import (
    NotTlsError,
    ServerRecordReader,
    cipher_name,
)
from cryptography.hazmat.primitives import serialization

from tests.unit.certs import make_cert, rsa_key


def _record(content_type: int, body: bytes, version: int = 0x0301) -> bytes:
    return bytes([content_type]) + version.to_bytes(2, "big") + len(body).to_bytes(2, "big") + body


def _handshake(kind: int, body: bytes) -> bytes:
    return bytes([kind]) + len(body).to_bytes(3, "big") + body


def _server_hello(version: int, suite: int, extensions: bytes = b"") -> bytes:
    body = version.to_bytes(2, "big") + bytes(32) + b"\x20" + bytes(32) + suite.to_bytes(2, "big") + b"\x00"
    if extensions:
        body += len(extensions).to_bytes(2, "big") + extensions
    return _handshake(2, body)


def _certificate(*ders: bytes) -> bytes:
    entries = b"".join(len(der).to_bytes(3, "big") + der for der in ders)
    return _handshake(11, len(entries).to_bytes(3, "big") + entries)


def _ders() -> list[bytes]:
    root = make_cert("Root", key=rsa_key(), ca=True)
    leaf = make_cert("exch2010.contoso.lab", key=rsa_key(), issuer=root)
    return [item.cert.public_bytes(serialization.Encoding.DER) for item in (leaf, root)]


def test_a_tls10_flight_gives_version_suite_chain_and_the_certificate_request() -> None:
    ders = _ders()
    flight = (
        _server_hello(0x0301, 0x002F)
        + _certificate(*ders)
        + _handshake(13, b"\x01\x01\x00\x00\x00")
        + _handshake(14, b"")
    )
    reader = ServerRecordReader()
    reader.feed(_record(22, flight))
    assert reader.flight.protocol == "TLSv1"
    assert reader.flight.cipher == "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert reader.flight.certificates == ders
    assert reader.flight.certificate_request is True


def test_messages_split_over_records_and_reads_are_reassembled() -> None:
    """A Certificate message larger than one record spans several (RFC 5246 6.2.1 fragmentation), and TCP hands
    the bytes over in arbitrary pieces."""
    ders = _ders()
    messages = _server_hello(0x0303, 0xC013) + _certificate(*ders)
    wire = b"".join(_record(22, messages[start : start + 700], 0x0303) for start in range(0, len(messages), 700))
    reader = ServerRecordReader()
    for start in range(0, len(wire), 37):
        reader.feed(wire[start : start + 37])
    assert reader.flight.protocol == "TLSv1.2"
    assert reader.flight.cipher == "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA"
    assert reader.flight.certificates == ders
    assert reader.flight.certificate_request is False


def test_an_alert_after_the_certificate_request_is_kept() -> None:
    reader = ServerRecordReader()
    reader.feed(_record(22, _server_hello(0x0301, 0x0035) + _handshake(13, b"\x00")) + _record(21, b"\x02\x28"))
    assert reader.flight.alert == (2, 40)
    assert reader.flight.alert_text == "fatal handshake_failure"


def test_records_after_change_cipher_spec_are_not_parsed() -> None:
    """After the server's ChangeCipherSpec its records are encrypted (RFC 5246 7.1): garbage there is not read."""
    reader = ServerRecordReader()
    reader.feed(_record(22, _server_hello(0x0303, 0x009C)) + _record(20, b"\x01") + _record(22, b"\xff" * 40))
    assert reader.flight.encrypted is True
    assert reader.flight.certificates == []


def test_supported_versions_names_tls13() -> None:
    extension = (43).to_bytes(2, "big") + (2).to_bytes(2, "big") + (0x0304).to_bytes(2, "big")
    reader = ServerRecordReader()
    reader.feed(_record(22, _server_hello(0x0303, 0x1301, extension), 0x0303))
    assert reader.flight.protocol == "TLSv1.3"
    assert reader.flight.cipher == "0x1301"


@pytest.mark.parametrize(
    ("wire", "message"),
    [
        (b"SIP/2.0 400 Bad Request\r\n", "not a TLS record"),
        (b"HTTP/1.1 400 Bad Request\r\n", "not a TLS record"),
        (_record(22, b"", 0x0301)[:3] + (20000).to_bytes(2, "big"), "more than TLS allows"),
        (_record(22, _handshake(2, b"\x03\x01")), "ServerHello is truncated"),
        (_record(22, _handshake(11, b"\x00\x00\x09\x00\x00\x05abc")), "wrong length"),
        (_record(22, _handshake(11, b"\x00\x00\x05\x00\x00\x09ab")), "wrong certificate length"),
    ],
)
def test_what_is_not_tls_is_refused(wire: bytes, message: str) -> None:
    with pytest.raises(NotTlsError, match=message):
        ServerRecordReader().feed(wire)


def test_unknown_suites_show_their_number() -> None:
    assert cipher_name(0x002F) == "TLS_RSA_WITH_AES_128_CBC_SHA"
    assert cipher_name(0xCCA8) == "0xCCA8"
