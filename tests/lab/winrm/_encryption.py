"""WinRM message encryption over HTTP: the ``multipart/encrypted`` framing around NTLM-sealed SOAP.

winrm-protocol.md, "Authentication and message encryption": one MIME part with the original length, one with
``<int32 LE signature length><signature><sealed data>``; the NTLM context that seals is the one negotiated on the
same TCP connection.
"""

from __future__ import annotations

import re
import struct

import spnego
import spnego.exceptions

__all__ = ["ENCRYPTED_PROTOCOL", "EncryptionError", "is_encrypted", "unwrap_message", "wrap_message"]

ENCRYPTED_PROTOCOL = "application/HTTP-SPNEGO-session-encrypted"
_BOUNDARY = b"--Encrypted Boundary"
_OCTET_HEADER = b"\tContent-Type: application/octet-stream\r\n"
_LENGTH = re.compile(rb"Length=(\d+)")


class EncryptionError(Exception):
    """An encrypted message that cannot be opened (wrong framing, or sealed by another context)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def is_encrypted(content_type: str) -> bool:
    return content_type.split(";", 1)[0].strip().lower() == "multipart/encrypted"


def unwrap_message(payload: bytes, context: spnego.ContextProxy) -> bytes:
    """Return the SOAP text of an encrypted request, checking the length the client declared."""
    parts = [part for part in payload.split(_BOUNDARY + b"\r\n") if part]
    if len(parts) != 2:
        raise EncryptionError("expected one header part and one data part")
    header, data = parts
    declared = _LENGTH.search(header)
    if declared is None or not data.startswith(_OCTET_HEADER):
        raise EncryptionError("malformed encrypted message parts")
    data = data[len(_OCTET_HEADER) :]
    if data.endswith(_BOUNDARY + b"--\r\n"):
        data = data[: -len(_BOUNDARY + b"--\r\n")]
    if len(data) < 4:
        raise EncryptionError("truncated encrypted data")
    (signature_length,) = struct.unpack("<i", data[:4])
    signature = data[4 : 4 + signature_length]
    sealed = data[4 + signature_length :]
    try:
        plain = context.unwrap_winrm(signature, sealed)
    except (spnego.exceptions.SpnegoError, ValueError) as exc:
        raise EncryptionError(f"cannot unseal the message: {exc}") from exc
    if len(plain) != int(declared.group(1)):
        raise EncryptionError("decrypted length differs from the declared length")
    return plain


def wrap_message(plain: bytes, context: spnego.ContextProxy) -> tuple[bytes, str]:
    """Seal a SOAP response; returns the body and its Content-Type header value."""
    sealed = context.wrap_winrm(plain)
    body = (
        _BOUNDARY + b"\r\n"
        b"\tContent-Type: " + ENCRYPTED_PROTOCOL.encode() + b"\r\n"
        b"\tOriginalContent: type=application/soap+xml;charset=UTF-8;Length="
        + str(len(plain)).encode()
        + b"\r\n"
        + _BOUNDARY
        + b"\r\n"
        + _OCTET_HEADER
        + struct.pack("<i", len(sealed.header))
        + sealed.header
        + sealed.data
        + _BOUNDARY
        + b"--\r\n"
    )
    content_type = f'multipart/encrypted;protocol="{ENCRYPTED_PROTOCOL}";boundary="Encrypted Boundary"'
    return body, content_type
