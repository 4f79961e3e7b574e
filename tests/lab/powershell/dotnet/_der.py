"""Just enough DER (X.690) to read what .NET's X509 classes expose raw: names, extensions and their values.

``cryptography`` parses certificates but re-encodes what it returns; .NET hands out the encoded bytes themselves
(X500DistinguishedName.RawData, X509Extension.RawData), so these are cut out of the certificate as they are.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass

__all__ = ["Tlv", "certificate_parts", "children", "decode_bit_string", "decode_oid", "encode_oid", "parse"]


class DerError(ValueError):
    """The bytes are not the DER the caller expects (CryptoAPI: CRYPT_E_ASN1_BADTAG and friends)."""


@dataclass(frozen=True)
class Tlv:
    tag: int
    content: bytes
    encoded: bytes


def parse(data: bytes, offset: int = 0) -> tuple[Tlv, int]:
    """One TLV at ``offset``, and the offset after it."""
    if offset + 2 > len(data):
        raise DerError("truncated")
    tag = data[offset]
    length = data[offset + 1]
    start = offset + 2
    if length & 0x80:
        count = length & 0x7F
        if count == 0 or count > 4 or start + count > len(data):
            raise DerError("bad length")
        length = int.from_bytes(data[start : start + count], "big")
        start += count
    end = start + length
    if end > len(data):
        raise DerError("truncated")
    return Tlv(tag, bytes(data[start:end]), bytes(data[offset:end])), end


def children(content: bytes) -> Iterator[Tlv]:
    offset = 0
    while offset < len(content):
        element, offset = parse(content, offset)
        yield element


def decode_oid(content: bytes) -> str:
    if not content:
        raise DerError("empty OID")
    first = content[0]
    parts = [min(first // 40, 2), first - 40 * min(first // 40, 2)]
    value = 0
    for byte in content[1:]:
        value = (value << 7) | (byte & 0x7F)
        if not byte & 0x80:
            parts.append(value)
            value = 0
    return ".".join(str(part) for part in parts)


def encode_oid(dotted: str) -> bytes:
    numbers = [int(part) for part in dotted.split(".")]
    body = bytearray([numbers[0] * 40 + numbers[1]])
    for number in numbers[2:]:
        chunk = [number & 0x7F]
        number >>= 7
        while number:
            chunk.append(0x80 | (number & 0x7F))
            number >>= 7
        body += bytes(reversed(chunk))
    return bytes([0x06, len(body)]) + bytes(body)


def decode_bit_string(content: bytes) -> int:
    """A BIT STRING as CryptoAPI's CRYPT_BIT_BLOB reads a KeyUsage: the first byte is bits 7..0, the second 15..8."""
    if not content:
        raise DerError("empty BIT STRING")
    data = content[1:]
    return (data[0] if data else 0) | ((data[1] << 8) if len(data) > 1 else 0)


@dataclass(frozen=True)
class CertificateParts:
    issuer: bytes
    subject: bytes
    extensions: tuple[tuple[str, bool, bytes], ...]


def certificate_parts(der: bytes) -> CertificateParts:
    """The encoded issuer and subject names and the extensions (OID, critical, value) of a certificate."""
    certificate, _end = parse(der)
    tbs = next(children(certificate.content))
    fields = list(children(tbs.content))
    if fields and fields[0].tag == 0xA0:  # [0] version
        fields = fields[1:]
    issuer, subject = fields[2], fields[4]
    extensions: list[tuple[str, bool, bytes]] = []
    for field in fields[6:]:
        if field.tag != 0xA3:  # [3] extensions
            continue
        sequence = next(children(field.content))
        for extension in children(sequence.content):
            parts = list(children(extension.content))
            oid = decode_oid(parts[0].content)
            critical = len(parts) == 3 and parts[1].content != b"\x00"
            extensions.append((oid, critical, parts[-1].content))
    return CertificateParts(issuer.encoded, subject.encoded, tuple(extensions))
