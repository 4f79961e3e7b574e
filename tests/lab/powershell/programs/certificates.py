"""Certificate files as certreq and certutil read them, and the certificate names they print.

Both read a certificate file with CryptQueryObject's content types: an X.509 certificate or a PKCS#7 of certificates,
DER or Base64 (with or without PEM armour). The simple name is CertGetNameString's CERT_NAME_SIMPLE_DISPLAY_TYPE
(the subject's CN, else its OU, O or e-mail, else the first attribute).
"""

from __future__ import annotations

import base64
import binascii

from cryptography import x509
from cryptography.hazmat.primitives.serialization import pkcs7
from cryptography.x509.oid import NameOID

__all__ = ["load_certificates", "serial_text", "simple_name"]


def _base64(data: bytes) -> bytes | None:
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("-----")]
    try:
        return base64.b64decode("".join(lines), validate=True)
    except (binascii.Error, ValueError):
        return None


def load_certificates(data: bytes) -> list[x509.Certificate] | None:
    """The certificates of a certificate or PKCS#7 file, or None when it is neither."""
    candidates = [data]
    decoded = _base64(data)
    if decoded:
        candidates.append(decoded)
    for blob in candidates:
        try:
            return [x509.load_der_x509_certificate(blob)]
        except ValueError:
            pass
        try:
            certificates = list(pkcs7.load_der_pkcs7_certificates(blob))
        except ValueError:
            continue
        if certificates:
            return certificates
    return None


def simple_name(name: x509.Name) -> str:
    for oid in (NameOID.COMMON_NAME, NameOID.ORGANIZATIONAL_UNIT_NAME, NameOID.ORGANIZATION_NAME,
                NameOID.EMAIL_ADDRESS):  # fmt: skip
        attributes = name.get_attributes_for_oid(oid)
        if attributes:
            return str(attributes[-1].value)
    return str(next(iter(name)).value) if len(name) else ""


def serial_text(certificate: x509.Certificate) -> str:
    """The serial number as certutil prints it: the DER INTEGER's content bytes in lower-case hex."""
    number = certificate.serial_number
    return number.to_bytes(number.bit_length() // 8 + 1, "big").hex()
