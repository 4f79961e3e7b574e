"""The server's side of a TLS 1.0-1.2 handshake as it travels: records, handshake messages, alerts.

Up to TLS 1.2 everything the server sends before its ChangeCipherSpec is plaintext (RFC 5246 6.2, 7.4): ServerHello
(protocol version and cipher suite), Certificate (the chain it presents), CertificateRequest (it asks for a client
certificate) and, when the handshake fails, the alert. Reading them from the bytes on the wire gives the presented
chain even when the server ends the handshake because the probe has no client certificate, on every Python the
collection supports (``SSLSocket.get_unverified_chain`` exists only from Python 3.13).
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = [
    "ALERT_DESCRIPTIONS",
    "CIPHER_SUITES",
    "PROTOCOL_NAMES",
    "NotTlsError",
    "ServerFlight",
    "ServerRecordReader",
    "cipher_name",
]

# RFC 5246 6.2.1 ContentType.
_CHANGE_CIPHER_SPEC, _ALERT, _HANDSHAKE, _APPLICATION_DATA = 20, 21, 22, 23
# RFC 5246 7.4 HandshakeType.
_SERVER_HELLO, _CERTIFICATE, _CERTIFICATE_REQUEST = 2, 11, 13
# RFC 5246 6.2.1: a TLSPlaintext fragment is at most 2^14 bytes; 6.2.3 allows 2048 more for a ciphertext.
_MAX_RECORD = 2**14 + 2048
# RFC 8446 4.2.1 supported_versions: a TLS 1.3 ServerHello names its real version there.
_SUPPORTED_VERSIONS = 43

PROTOCOL_NAMES = {0x0300: "SSLv3", 0x0301: "TLSv1", 0x0302: "TLSv1.1", 0x0303: "TLSv1.2", 0x0304: "TLSv1.3"}

# IANA names (TLS Cipher Suites registry) of the suites Schannel offered from Server 2003 to 2012 R2 ("Cipher Suites
# in TLS/SSL (Schannel SSP)" per Windows version) and of the common others; any other is shown by its number.
CIPHER_SUITES = {
    0x0004: "TLS_RSA_WITH_RC4_128_MD5",
    0x0005: "TLS_RSA_WITH_RC4_128_SHA",
    0x000A: "TLS_RSA_WITH_3DES_EDE_CBC_SHA",
    0x0013: "TLS_DHE_DSS_WITH_3DES_EDE_CBC_SHA",
    0x0016: "TLS_DHE_RSA_WITH_3DES_EDE_CBC_SHA",
    0x002F: "TLS_RSA_WITH_AES_128_CBC_SHA",
    0x0032: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA",
    0x0033: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA",
    0x0035: "TLS_RSA_WITH_AES_256_CBC_SHA",
    0x0038: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA",
    0x0039: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA",
    0x003C: "TLS_RSA_WITH_AES_128_CBC_SHA256",
    0x003D: "TLS_RSA_WITH_AES_256_CBC_SHA256",
    0x0040: "TLS_DHE_DSS_WITH_AES_128_CBC_SHA256",
    0x0067: "TLS_DHE_RSA_WITH_AES_128_CBC_SHA256",
    0x006A: "TLS_DHE_DSS_WITH_AES_256_CBC_SHA256",
    0x006B: "TLS_DHE_RSA_WITH_AES_256_CBC_SHA256",
    0x009C: "TLS_RSA_WITH_AES_128_GCM_SHA256",
    0x009D: "TLS_RSA_WITH_AES_256_GCM_SHA384",
    0x009E: "TLS_DHE_RSA_WITH_AES_128_GCM_SHA256",
    0x009F: "TLS_DHE_RSA_WITH_AES_256_GCM_SHA384",
    0xC009: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA",
    0xC00A: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA",
    0xC013: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA",
    0xC014: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA",
    0xC023: "TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256",
    0xC024: "TLS_ECDHE_ECDSA_WITH_AES_256_CBC_SHA384",
    0xC027: "TLS_ECDHE_RSA_WITH_AES_128_CBC_SHA256",
    0xC028: "TLS_ECDHE_RSA_WITH_AES_256_CBC_SHA384",
    0xC02B: "TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256",
    0xC02C: "TLS_ECDHE_ECDSA_WITH_AES_256_GCM_SHA384",
    0xC02F: "TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256",
    0xC030: "TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384",
}

# RFC 5246 7.2 AlertDescription (and RFC 8446 6.2 for certificate_required).
ALERT_DESCRIPTIONS = {
    0: "close_notify",
    10: "unexpected_message",
    20: "bad_record_mac",
    22: "record_overflow",
    40: "handshake_failure",
    42: "bad_certificate",
    43: "unsupported_certificate",
    44: "certificate_revoked",
    45: "certificate_expired",
    46: "certificate_unknown",
    47: "illegal_parameter",
    48: "unknown_ca",
    49: "access_denied",
    50: "decode_error",
    51: "decrypt_error",
    70: "protocol_version",
    71: "insufficient_security",
    80: "internal_error",
    90: "user_canceled",
    100: "no_renegotiation",
    110: "unsupported_extension",
    112: "unrecognized_name",
    116: "certificate_required",
}


def cipher_name(code: int) -> str:
    """The IANA name of a cipher suite, or its number as ``0xC013`` when the table above lacks it."""
    return CIPHER_SUITES.get(code, f"0x{code:04X}")


class NotTlsError(ValueError):
    """What the server sent is not TLS records (another protocol on the port, or garbage)."""


@dataclass
class ServerFlight:
    """What the server said in the clear: version and suite (ServerHello), the chain (DER, leaf first), whether it
    asked for a client certificate, and its alert (level, description) if it sent one."""

    version: int | None = None
    cipher_suite: int | None = None
    certificates: list[bytes] = field(default_factory=list)
    certificate_request: bool = False
    alert: tuple[int, int] | None = None
    encrypted: bool = False

    @property
    def protocol(self) -> str | None:
        if self.version is None:
            return None
        return PROTOCOL_NAMES.get(self.version, f"0x{self.version:04X}")

    @property
    def cipher(self) -> str | None:
        return None if self.cipher_suite is None else cipher_name(self.cipher_suite)

    @property
    def alert_text(self) -> str | None:
        if self.alert is None:
            return None
        level, description = self.alert
        name = ALERT_DESCRIPTIONS.get(description, f"alert {description}")
        return f"{'fatal' if level == 2 else 'warning'} {name}"


class ServerRecordReader:
    """Feed it the server's bytes as they arrive; ``flight`` holds what the plaintext part of them says."""

    def __init__(self) -> None:
        self.flight = ServerFlight()
        self._buffer = bytearray()
        self._handshake = bytearray()
        self.records = 0

    def feed(self, data: bytes) -> None:
        """Parse every complete record in the bytes received so far; raise NotTlsError at the first non-TLS one."""
        self._buffer += data
        while len(self._buffer) >= 5:
            content_type, major, minor = self._buffer[0], self._buffer[1], self._buffer[2]
            length = int.from_bytes(self._buffer[3:5], "big")
            if content_type not in (_CHANGE_CIPHER_SPEC, _ALERT, _HANDSHAKE, _APPLICATION_DATA) or major != 3:
                raise NotTlsError(f"the server's first bytes are not a TLS record (0x{bytes(self._buffer[:5]).hex()})")
            if length > _MAX_RECORD:
                raise NotTlsError(f"the server sent a record of {length} bytes, more than TLS allows")
            if len(self._buffer) < 5 + length:
                return
            body = bytes(self._buffer[5 : 5 + length])
            del self._buffer[: 5 + length]
            self.records += 1
            self._record(content_type, (major << 8) | minor, body)

    def _record(self, content_type: int, version: int, body: bytes) -> None:
        if self.flight.encrypted:
            return  # after the server's ChangeCipherSpec its records are encrypted: nothing more to read
        if content_type == _CHANGE_CIPHER_SPEC:
            self.flight.encrypted = True
        elif content_type == _ALERT and len(body) >= 2:
            self.flight.alert = (body[0], body[1])
        elif content_type == _HANDSHAKE:
            self._handshake += body
            self._messages()
        elif content_type == _APPLICATION_DATA:
            self.flight.encrypted = True

    def _messages(self) -> None:
        """Take every complete handshake message (RFC 5246 7.4: type, 24-bit length) out of the reassembly buffer."""
        while len(self._handshake) >= 4:
            kind = self._handshake[0]
            length = int.from_bytes(self._handshake[1:4], "big")
            if len(self._handshake) < 4 + length:
                return
            body = bytes(self._handshake[4 : 4 + length])
            del self._handshake[: 4 + length]
            if kind == _SERVER_HELLO:
                self._server_hello(body)
            elif kind == _CERTIFICATE:
                self.flight.certificates = _certificate_list(body)
            elif kind == _CERTIFICATE_REQUEST:
                self.flight.certificate_request = True

    def _server_hello(self, body: bytes) -> None:
        """RFC 5246 7.4.1.3: version, 32 random bytes, session id, cipher suite, compression, extensions."""
        if len(body) < 38:
            raise NotTlsError("the server's ServerHello is truncated")
        version = int.from_bytes(body[0:2], "big")
        session_end = 35 + body[34]
        if len(body) < session_end + 3:
            raise NotTlsError("the server's ServerHello is truncated")
        self.flight.cipher_suite = int.from_bytes(body[session_end : session_end + 2], "big")
        self.flight.version = _supported_version(body[session_end + 3 :]) or version


def _supported_version(extensions: bytes) -> int | None:
    """The version in a ServerHello's supported_versions extension (TLS 1.3 servers), if there is one."""
    if len(extensions) < 2:
        return None
    end = min(len(extensions), 2 + int.from_bytes(extensions[0:2], "big"))
    position = 2
    while position + 4 <= end:
        kind = int.from_bytes(extensions[position : position + 2], "big")
        length = int.from_bytes(extensions[position + 2 : position + 4], "big")
        data = extensions[position + 4 : position + 4 + length]
        if kind == _SUPPORTED_VERSIONS and len(data) == 2:
            return int.from_bytes(data, "big")
        position += 4 + length
    return None


def _certificate_list(body: bytes) -> list[bytes]:
    """RFC 5246 7.4.2: a 24-bit total length, then each ASN.1Cert with its own 24-bit length, sender's first."""
    if len(body) < 3:
        raise NotTlsError("the server's Certificate message is truncated")
    total = int.from_bytes(body[0:3], "big")
    if total != len(body) - 3:
        raise NotTlsError("the server's Certificate message has a wrong length")
    certificates: list[bytes] = []
    position = 3
    while position < len(body):
        if position + 3 > len(body):
            raise NotTlsError("the server's Certificate message is truncated")
        length = int.from_bytes(body[position : position + 3], "big")
        position += 3
        if length == 0 or position + length > len(body):
            raise NotTlsError("the server's Certificate message has a wrong certificate length")
        certificates.append(body[position : position + length])
        position += length
    return certificates
