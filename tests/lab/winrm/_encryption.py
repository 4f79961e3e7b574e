"""WinRM message encryption over HTTP: the ``multipart/encrypted`` framing around NTLM- or CredSSP-sealed SOAP.

winrm-protocol.md, "Authentication and message encryption": one MIME part with the original length, one with
``<int32 LE length><header><sealed data>``; the context that seals is the one negotiated on the same TCP connection.
NTLM (MS-WSMV 2.2.9.1.1): the header is the NTLM signature. CredSSP (MS-WSMV 2.2.9.1.3): the data is TLS records of
the CredSSP channel and the length field gives the TLS trailer's size; a message over 16 KB is sealed in 16 KB
chunks, each in its own pair of parts, under ``multipart/x-multi-encrypted`` (2.2.9.1.3.2; pywinrm's
``encryption.py`` sends and reads it so).
"""

from __future__ import annotations

import re
import struct

import spnego
import spnego.exceptions

__all__ = [
    "CREDSSP_PROTOCOL",
    "SPNEGO_PROTOCOL",
    "EncryptionError",
    "is_encrypted",
    "protocol_for",
    "unwrap_message",
    "wrap_message",
]

SPNEGO_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
CREDSSP_PROTOCOL = "application/HTTP-CredSSP-session-encrypted"
_SINGLE = "multipart/encrypted"
_MULTI = "multipart/x-multi-encrypted"
_CREDSSP_CHUNK = 16384
_BOUNDARY = b"--Encrypted Boundary"
_END = _BOUNDARY + b"--\r\n"
_OCTET_HEADER = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")
_PROTOCOL = re.compile(r'protocol="?([^";]+)"?', re.IGNORECASE)


class EncryptionError(Exception):
    """An encrypted message that cannot be opened (wrong framing, or sealed by another context)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def protocol_for(method: str) -> str:
    """The encrypted-message protocol of a logon method (``ntlm`` or ``credssp``)."""
    return CREDSSP_PROTOCOL if method == "credssp" else SPNEGO_PROTOCOL


def is_encrypted(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() in (_SINGLE, _MULTI)


def unwrap_message(payload: bytes, context: spnego.ContextProxy, *, content_type: str, protocol: str) -> bytes:
    """Return the SOAP text of an encrypted request, checking the protocol and each part's declared length."""
    kind = content_type.split(";", 1)[0].strip().lower()
    declared_protocol = _PROTOCOL.search(content_type)
    if declared_protocol is None or declared_protocol.group(1).strip().lower() != protocol.lower():
        raise EncryptionError("the message is not sealed with this connection's protocol")
    if kind == _MULTI and protocol != CREDSSP_PROTOCOL:
        raise EncryptionError("multipart/x-multi-encrypted is CredSSP's framing only")
    if payload.endswith(_END):
        payload = payload[: -len(_END)]
    parts = [part for part in payload.split(_BOUNDARY + b"\r\n") if part]
    if len(parts) < 2 or len(parts) % 2 or (kind == _SINGLE and len(parts) != 2):
        raise EncryptionError("expected header and data parts in pairs")
    plain = b""
    for header, data in zip(parts[::2], parts[1::2], strict=True):
        plain += _unseal(header, data, context)
    return plain


def _unseal(header: bytes, data: bytes, context: spnego.ContextProxy) -> bytes:
    declared = _LENGTH.search(header)
    if declared is None or not data.startswith(_OCTET_HEADER):
        raise EncryptionError("malformed encrypted message parts")
    data = data[len(_OCTET_HEADER) :]
    if len(data) < 4:
        raise EncryptionError("truncated encrypted data")
    (header_length,) = struct.unpack("<i", data[:4])
    try:
        plain = context.unwrap_winrm(data[4 : 4 + header_length], data[4 + header_length :])
    except (spnego.exceptions.SpnegoError, ValueError) as exc:
        raise EncryptionError(f"cannot unseal the message: {type(exc).__name__}") from exc
    if len(plain) != int(declared.group(1)):
        raise EncryptionError("decrypted length differs from the declared length")
    return plain


def wrap_message(plain: bytes, context: spnego.ContextProxy, *, protocol: str) -> tuple[bytes, str]:
    """Seal a SOAP response; returns the body and its Content-Type header value."""
    chunked = protocol == CREDSSP_PROTOCOL and len(plain) > _CREDSSP_CHUNK
    chunks = [plain[i : i + _CREDSSP_CHUNK] for i in range(0, len(plain), _CREDSSP_CHUNK)] if chunked else [plain]
    body = b"".join(_sealed_parts(chunk, context, protocol) for chunk in chunks) + _END
    content_type = f'{_MULTI if chunked else _SINGLE};protocol="{protocol}";boundary="Encrypted Boundary"'
    return body, content_type


def _sealed_parts(plain: bytes, context: spnego.ContextProxy, protocol: str) -> bytes:
    sealed = context.wrap_winrm(plain)
    return (
        _BOUNDARY + b"\r\n"
        b"\tContent-Type: " + protocol.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(plain)).encode()
        + b"\r\n"
        + _BOUNDARY
        + b"\r\n"
        + _OCTET_HEADER
        + struct.pack("<i", len(sealed.header))
        + sealed.header
        + sealed.data
    )
