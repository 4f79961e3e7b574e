"""Certificates as a Windows host holds and shows them: store entries, names and the description of results.

The description is the ``certificate`` object of docs/architecture.md "Operation results", with the values formatted the
way .NET's ``X509Certificate2`` reports them (``Subject``, ``SerialNumber``, ``Thumbprint``).
"""

from __future__ import annotations

import base64
import datetime
import hashlib
from dataclasses import dataclass

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

__all__ = [
    "PrivateKey",
    "StoredCertificate",
    "basic_constraints_ca",
    "describe_certificate",
    "dns_names",
    "in_dates",
    "is_self_signed",
    "serial_hex",
    "signed_by",
    "thumbprint",
    "windows_name",
]

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey

# X500DistinguishedName.Name keywords (Windows writes "S" for state and "E" for e-mail, CryptoAPI CertNameToStr).
_WINDOWS_KEYWORDS = {
    NameOID.COMMON_NAME: "CN",
    NameOID.ORGANIZATIONAL_UNIT_NAME: "OU",
    NameOID.ORGANIZATION_NAME: "O",
    NameOID.LOCALITY_NAME: "L",
    NameOID.STATE_OR_PROVINCE_NAME: "S",
    NameOID.COUNTRY_NAME: "C",
    NameOID.EMAIL_ADDRESS: "E",
    NameOID.DOMAIN_COMPONENT: "DC",
    NameOID.SERIAL_NUMBER: "SERIALNUMBER",
}
_NEEDS_QUOTES = set(',+=<>#;"\n')


@dataclass
class StoredCertificate:
    """One entry of a certificate store; the private key (if any) never leaves the simulator."""

    certificate: x509.Certificate
    private_key: PrivateKey | None = None
    friendly_name: str = ""
    # The key's provider information (CERT_KEY_PROV_INFO_PROP_ID) where the lab recorded it (keys certreq made):
    # container name, provider (CSP or CNG KSP), key spec (AT_KEYEXCHANGE 1, AT_SIGNATURE 2), exportability.
    key_container: str = ""
    key_provider: str = ""
    key_spec: int = 1
    key_exportable: bool = False
    # The PKCS#10 request (Base64) Exchange writes onto the pending requests it makes (its XEnrollmentRequest
    # context property, CertificateEnroller.WritePkcs10Request); Exchange lists a REQUEST entry only with it.
    exchange_request: str = ""

    @property
    def thumbprint(self) -> str:
        return thumbprint(self.certificate)

    @property
    def has_private_key(self) -> bool:
        return self.private_key is not None


def thumbprint(certificate: x509.Certificate) -> str:
    """SHA-1 of the DER encoding, upper-case hex: ``X509Certificate2.Thumbprint``."""
    return hashlib.sha1(certificate.public_bytes(serialization.Encoding.DER)).hexdigest().upper()


def windows_name(name: x509.Name) -> str:
    """``X500DistinguishedName.Name``: most specific RDN first, ", " between RDNs, values quoted when needed."""
    parts = []
    for rdn in reversed(name.rdns):
        attributes = []
        for attribute in rdn:
            keyword = _WINDOWS_KEYWORDS.get(attribute.oid, f"OID.{attribute.oid.dotted_string}")
            value = str(attribute.value)
            if any(character in _NEEDS_QUOTES for character in value) or value != value.strip():
                value = '"' + value.replace('"', '""') + '"'
            attributes.append(f"{keyword}={value}")
        parts.append(" + ".join(attributes))
    return ", ".join(parts)


def serial_hex(certificate: x509.Certificate) -> str:
    """``X509Certificate2.SerialNumber``: the DER INTEGER content bytes in upper-case hex."""
    number = certificate.serial_number
    return number.to_bytes(number.bit_length() // 8 + 1, "big").hex().upper()


def dns_names(certificate: x509.Certificate) -> list[str]:
    try:
        extension = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName)
    except x509.ExtensionNotFound:
        return []
    return list(extension.value.get_values_for_type(x509.DNSName))


def basic_constraints_ca(certificate: x509.Certificate) -> bool:
    """``X509BasicConstraintsExtension.CertificateAuthority`` (False when the extension is absent)."""
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def signed_by(certificate: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer``'s name and key produced ``certificate``'s signature."""
    if certificate.issuer != issuer.subject:
        return False
    public_key = issuer.public_key()
    try:
        if isinstance(public_key, rsa.RSAPublicKey):
            public_key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                padding.PKCS1v15(),
                certificate.signature_hash_algorithm or hashes.SHA256(),
            )
        elif isinstance(public_key, ec.EllipticCurvePublicKey):
            public_key.verify(
                certificate.signature,
                certificate.tbs_certificate_bytes,
                ec.ECDSA(certificate.signature_hash_algorithm or hashes.SHA256()),
            )
        else:
            return False
    except InvalidSignature:
        return False
    return True


def is_self_signed(certificate: x509.Certificate) -> bool:
    return signed_by(certificate, certificate)


def in_dates(certificate: x509.Certificate) -> bool:
    """Within its validity period now (NotBefore to NotAfter, both included)."""
    now = datetime.datetime.now(datetime.timezone.utc)
    return certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc


def _iso(moment: datetime.datetime) -> str:
    return moment.astimezone(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def describe_certificate(entry: StoredCertificate) -> dict[str, object]:
    """The ``certificate`` object of docs/architecture.md "Operation results"."""
    certificate = entry.certificate
    return {
        "thumbprint": entry.thumbprint,
        "subject": windows_name(certificate.subject),
        "issuer": windows_name(certificate.issuer),
        "serial_number": serial_hex(certificate),
        "not_before": _iso(certificate.not_valid_before_utc),
        "not_after": _iso(certificate.not_valid_after_utc),
        "dns_names": dns_names(certificate),
        "has_private_key": entry.has_private_key,
        "friendly_name": entry.friendly_name,
        "der": base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii"),
    }
