"""The PKCS#10 request certreq writes (RFC 2986), with the request attributes Windows' enrollment code adds.

RFC 2986: CertificationRequest = SEQUENCE { CertificationRequestInfo { version 0, subject, subjectPKInfo,
attributes [0] }, signatureAlgorithm, signature }. MS-WCCE 2.2.2.7 (request attributes): the OS version
(1.3.6.1.4.1.311.13.2.3, IA5String ``major.minor.build.2``), the CSP (1.3.6.1.4.1.311.13.2.2: key spec, provider
name as BMPString, an empty BIT STRING), the client information of CertEnroll (1.3.6.1.4.1.311.21.20: client id,
machine, user, process; from Windows Vista / Server 2008, whose certreq uses CertEnroll; certreq is ClientIdCertReq
= 9), the extensions (extensionRequest 1.2.840.113549.1.9.14) and the INF's [RequestAttributes] as enrollment
name-value pairs (1.3.6.1.4.1.311.13.2.1, two BMPStrings each). The file form is CryptBinaryToString's
CRYPT_STRING_BASE64REQUESTHEADER: ``-----BEGIN NEW CERTIFICATE REQUEST-----``, Base64 in lines of 64 characters,
CRLF line ends.
"""

from __future__ import annotations

import base64
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ..dotnet._der import encode_oid

__all__ = ["HASHES", "RequestContent", "encode_request", "request_file"]

# HashAlgorithm values certreq documents that the lab signs with: hash, and the signature algorithm OID (RFC 4055,
# RFC 3279: md5WithRSAEncryption, sha1WithRSAEncryption, sha256/384/512WithRSAEncryption).
HASHES: dict[str, tuple[hashes.HashAlgorithm, str]] = {
    "md5": (hashes.MD5(), "1.2.840.113549.1.1.4"),
    "sha1": (hashes.SHA1(), "1.2.840.113549.1.1.5"),
    "sha256": (hashes.SHA256(), "1.2.840.113549.1.1.11"),
    "sha384": (hashes.SHA384(), "1.2.840.113549.1.1.12"),
    "sha512": (hashes.SHA512(), "1.2.840.113549.1.1.13"),
}


def _tlv(tag: int, content: bytes) -> bytes:
    length = len(content)
    if length < 0x80:
        return bytes([tag, length]) + content
    size = (length.bit_length() + 7) // 8
    return bytes([tag, 0x80 | size]) + length.to_bytes(size, "big") + content


def _sequence(*items: bytes) -> bytes:
    return _tlv(0x30, b"".join(items))


def _set(*items: bytes) -> bytes:
    """SET OF in DER order (X.690 11.6: the encodings sorted)."""
    return _tlv(0x31, b"".join(sorted(items)))


def _integer(value: int) -> bytes:
    return _tlv(0x02, value.to_bytes(value.bit_length() // 8 + 1, "big", signed=True))


def _bmp(text: str) -> bytes:
    return _tlv(0x1E, text.encode("utf-16-be"))


def _utf8(text: str) -> bytes:
    return _tlv(0x0C, text.encode("utf-8"))


def _attribute(oid: str, *values: bytes) -> bytes:
    return _sequence(encode_oid(oid), _set(*values))


def _extension(extension: x509.Extension[x509.ExtensionType]) -> bytes:
    critical = _tlv(0x01, b"\xff") if extension.critical else b""
    return _sequence(encode_oid(extension.oid.dotted_string), critical, _tlv(0x04, extension.value.public_bytes()))


@dataclass(frozen=True)
class RequestContent:
    """What goes into the request besides subject and key."""

    os_version: str  # "6.1.7601"
    key_spec: int
    provider: str
    extensions: Sequence[x509.Extension[x509.ExtensionType]]
    name_value_pairs: Sequence[tuple[str, str]]
    client: tuple[str, str] | None  # (machine FQDN, DOMAIN\user) where CertEnroll adds client information


def _attributes(content: RequestContent) -> list[bytes]:
    attributes = [
        _attribute("1.3.6.1.4.1.311.13.2.3", _tlv(0x16, (content.os_version + ".2").encode("ascii"))),
        _attribute(
            "1.3.6.1.4.1.311.13.2.2",
            _sequence(_integer(content.key_spec), _bmp(content.provider), _tlv(0x03, b"\x00")),
        ),
    ]
    if content.client is not None:
        machine, user = content.client
        attributes.append(
            _attribute(
                "1.3.6.1.4.1.311.21.20",
                _sequence(_integer(9), _utf8(machine), _utf8(user), _utf8("certreq.exe")),
            )
        )
    for name, value in content.name_value_pairs:
        attributes.append(_attribute("1.3.6.1.4.1.311.13.2.1", _sequence(_bmp(name), _bmp(value))))
    if content.extensions:
        attributes.append(
            _attribute("1.2.840.113549.1.9.14", _sequence(*(_extension(item) for item in content.extensions)))
        )
    return attributes


def encode_request(
    subject: x509.Name, key: rsa.RSAPrivateKey, hash_name: str, content: RequestContent
) -> x509.CertificateSigningRequest:
    """The signed request (DER), parsed back so that callers hold what a CA would read."""
    algorithm, signature_oid = HASHES[hash_name]
    public = key.public_key().public_bytes(serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo)
    info = _sequence(_integer(0), subject.public_bytes(), public, _tlv(0xA0, b"".join(sorted(_attributes(content)))))
    signature = key.sign(info, padding.PKCS1v15(), algorithm)
    der = _sequence(info, _sequence(encode_oid(signature_oid), _tlv(0x05, b"")), _tlv(0x03, b"\x00" + signature))
    return x509.load_der_x509_csr(der)


def request_file(request: x509.CertificateSigningRequest, *, binary: bool) -> bytes:
    """The request file: DER with ``-binary``, else the Base64 form with the NEW CERTIFICATE REQUEST header."""
    der = request.public_bytes(serialization.Encoding.DER)
    if binary:
        return der
    text = base64.b64encode(der).decode("ascii")
    lines = [text[index : index + 64] for index in range(0, len(text), 64)]
    body = "\r\n".join(["-----BEGIN NEW CERTIFICATE REQUEST-----", *lines, "-----END NEW CERTIFICATE REQUEST-----"])
    return (body + "\r\n").encode("ascii")
