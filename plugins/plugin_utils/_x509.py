"""Certificate helpers for the controller: load what Windows and AD CS hand out, name certificates as Windows does.

Everything here is pure (no I/O) so that action plugins, the certsrv client and the tests share one reading of a
certificate. Needs ``cryptography`` 42 or later (signature parameters for RSA-PSS, timezone-aware validity).
"""

from __future__ import annotations

import base64
import binascii
import re
import unicodedata
from collections.abc import Iterable, Sequence
from datetime import datetime, timezone
from typing import Any

try:
    from cryptography import x509
    from cryptography.exceptions import InvalidSignature, UnsupportedAlgorithm
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import ec, ed448, ed25519, padding, rsa
    from cryptography.hazmat.primitives.serialization import pkcs7
except ImportError:  # ansible-test's import check runs without it; load_certificates() says what to install
    HAS_CRYPTOGRAPHY = False
else:
    HAS_CRYPTOGRAPHY = True

__all__ = [
    "HAS_CRYPTOGRAPHY",
    "CertificateError",
    "allows_certificate_signing",
    "allows_server_auth",
    "build_chain",
    "describe",
    "dns_names",
    "extended_key_usages",
    "fingerprint_sha256",
    "ip_addresses",
    "is_ca",
    "is_self_issued",
    "is_self_signed",
    "is_signed_by",
    "is_valid_at",
    "iso_utc",
    "load_certificates",
    "matches_pin",
    "normalize_thumbprint",
    "not_after",
    "not_before",
    "order_chain",
    "parse_iso_utc",
    "path_length",
    "role",
    "serial_hex",
    "thumbprint",
    "to_der_base64",
    "to_pem",
    "usages_allow_server_auth",
    "windows_name",
]

_MAX_CHAIN_DEPTH = 10
_SERVER_AUTH = "1.3.6.1.5.5.7.3.1"  # id-kp-serverAuth (RFC 5280 4.2.1.12)
_ANY_EKU = "2.5.29.37.0"  # anyExtendedKeyUsage
_ISO_UTC = "%Y-%m-%dT%H:%M:%SZ"
_PEM_BLOCK = re.compile(rb"-----BEGIN ([A-Z0-9 ]+)-----(.*?)-----END \1-----", re.DOTALL)
# DER of the OID 1.2.840.113549.1.7.2 (signedData) that starts a PKCS#7 ContentInfo.
_SIGNED_DATA_OID = bytes.fromhex("06092a864886f70d010702")
_CERTIFICATE_LABELS = {b"CERTIFICATE", b"X509 CERTIFICATE", b"TRUSTED CERTIFICATE"}
_PKCS7_LABELS = {b"PKCS7", b"PKCS #7 SIGNED DATA", b"CMS"}
# Separators people paste along with a thumbprint: spaces (the Windows dialog groups by two), colons (openssl),
# and invisible format characters such as the U+200E mark the Windows certificate dialog puts in front.
_THUMBPRINT_SEPARATORS = {":"}
# X.500 key names CryptoAPI writes for CERT_X500_NAME_STR (CertNameToStr; the keys CertStrToName accepts, first
# spelling), which X509Certificate2.Subject/Issuer and the Cert: drive show; any other attribute is "OID.<dotted>".
_WINDOWS_KEYS = {
    "2.5.4.3": "CN",
    "2.5.4.7": "L",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "E",
    "2.5.4.6": "C",
    "2.5.4.8": "S",
    "2.5.4.9": "STREET",
    "2.5.4.12": "T",
    "2.5.4.42": "G",
    "2.5.4.43": "I",
    "2.5.4.4": "SN",
    "0.9.2342.19200300.100.1.25": "DC",
    "2.5.4.5": "SERIALNUMBER",
}
# CertNameToStr quotes a value that is empty, has leading or trailing white space, or holds one of these; a quote
# inside a quoted value is doubled.
_QUOTED_CHARACTERS = frozenset(',+="\n<>#;')


class CertificateError(Exception):
    """A certificate could not be read, named or validated.

    ``reason`` is a stable code (``unreadable``, ``no_certificate``, ``bad_thumbprint``, ``incomplete_chain``,
    ``ambiguous_chain``); ``str(error)`` is the message for people. ``subject`` names the certificate concerned when
    there is one.
    """

    def __init__(self, message: str, *, reason: str, subject: str | None = None) -> None:
        super().__init__(message)
        self.message = message
        self.reason = reason
        self.subject = subject


# -- loading ---------------------------------------------------------------------------------------------------------


def load_certificates(data: bytes | str) -> list[x509.Certificate]:
    """Read every certificate in ``data``: PEM (one or many), DER, PKCS#7 as DER or PEM.

    AD CS returns its ``.p7b`` chain with ``Enc=b64`` as a PKCS#7 structure inside ``BEGIN CERTIFICATE`` armour
    with CRLF line ends (certsrv-protocol.md); such a block is read as PKCS#7. Other PEM blocks (keys, CSRs) are
    skipped. Raises :class:`CertificateError` when nothing can be read.
    """
    if not HAS_CRYPTOGRAPHY:  # every other helper takes a Certificate, which only exists when this passed
        raise CertificateError(
            "the Python package cryptography (42 or later) is needed on the controller: pip install 'cryptography>=42'",
            reason="missing_dependency",
        )
    raw = data.encode("ascii", errors="replace") if isinstance(data, str) else bytes(data)
    raw = raw.removeprefix(b"\xef\xbb\xbf")
    if b"-----BEGIN " in raw:
        certificates: list[x509.Certificate] = []
        for label, body in _PEM_BLOCK.findall(raw):
            if label in _CERTIFICATE_LABELS or label in _PKCS7_LABELS:
                certificates.extend(_load_der_any(_decode_armour(label, body)))
        if not certificates:
            raise CertificateError("no certificate found in the PEM data", reason="no_certificate")
        return certificates
    return _load_der_any(raw)


def _decode_armour(label: bytes, body: bytes) -> bytes:
    try:
        return base64.b64decode(b"".join(body.split()), validate=True)
    except (binascii.Error, ValueError) as exc:
        name = label.decode("ascii")
        raise CertificateError(f"the {name} block is not valid base64", reason="unreadable") from exc


def _load_der_any(der: bytes) -> list[x509.Certificate]:
    """DER is either one certificate or a PKCS#7 ContentInfo (SignedData) carrying several."""
    if not der:
        raise CertificateError("no certificate data (empty input)", reason="no_certificate")
    if _SIGNED_DATA_OID in der[:24]:
        try:
            return list(pkcs7.load_der_pkcs7_certificates(der))
        except ValueError as exc:
            raise CertificateError("the PKCS#7 bundle holds no readable certificate", reason="no_certificate") from exc
    try:
        return [x509.load_der_x509_certificate(der)]
    except ValueError as exc:
        raise CertificateError(
            "the data is neither PEM, a DER certificate nor a PKCS#7 certificate bundle", reason="unreadable"
        ) from exc


# -- names and pins --------------------------------------------------------------------------------------------------


def thumbprint(cert: x509.Certificate) -> str:
    """SHA-1 over the DER, upper-case hex: what Windows calls the thumbprint."""
    return cert.fingerprint(hashes.SHA1()).hex().upper()


def fingerprint_sha256(cert: x509.Certificate) -> str:
    return cert.fingerprint(hashes.SHA256()).hex().upper()


def normalize_thumbprint(text: str) -> str:
    """Upper-case hex without separators; accepts what people copy from Windows, openssl or a browser.

    A SHA-1 thumbprint has 40 hex digits, a SHA-256 fingerprint 64; anything else is refused.
    """
    if not isinstance(text, str):
        raise CertificateError(f"a thumbprint must be a string, not {type(text).__name__}", reason="bad_thumbprint")
    kept = [
        ch for ch in text if not ch.isspace() and ch not in _THUMBPRINT_SEPARATORS and unicodedata.category(ch) != "Cf"
    ]
    digits = "".join(kept).upper()
    shown = "".join(kept)
    bad = sorted({ch for ch in digits if ch not in "0123456789ABCDEF"})
    if bad:
        raise CertificateError(
            f"thumbprint {shown!r} is not hexadecimal (unexpected {', '.join(repr(ch) for ch in bad)})",
            reason="bad_thumbprint",
        )
    if len(digits) not in (40, 64):
        raise CertificateError(
            f"thumbprint {shown!r} has {len(digits)} hex digits; a SHA-1 thumbprint has 40, a SHA-256 fingerprint 64",
            reason="bad_thumbprint",
        )
    return digits


def matches_pin(cert: x509.Certificate, pins: Iterable[str]) -> bool:
    """True when one of ``pins`` (SHA-1 thumbprint or SHA-256 fingerprint, any formatting) names ``cert``."""
    sha1, sha256 = thumbprint(cert), fingerprint_sha256(cert)
    for pin in pins:
        digits = normalize_thumbprint(pin)
        if digits == (sha1 if len(digits) == 40 else sha256):
            return True
    return False


def windows_name(name: x509.Name) -> str:
    """A name as Windows shows it (``X509Certificate2.Subject``, ``Get-ChildItem Cert:\\``): most specific RDN first,
    ``, `` between RDNs, `` + `` inside one, CryptoAPI's X.500 keys, values in double quotes when needed."""
    rdns = []
    for rdn in reversed(name.rdns):
        attributes = []
        for attribute in rdn:
            key = _WINDOWS_KEYS.get(attribute.oid.dotted_string, f"OID.{attribute.oid.dotted_string}")
            attributes.append(f"{key}={_windows_value(attribute.value)}")
        rdns.append(" + ".join(attributes))
    return ", ".join(rdns)


def _windows_value(value: str | bytes) -> str:
    if isinstance(value, bytes):
        # Only x500UniqueIdentifier (a BIT STRING) reads as bytes; CertNameToStr writes such values in hex after "#".
        # CA names do not use it, and whether Windows includes the unused-bits octet is not confirmed here.
        return "#" + value.hex().upper()
    if not value or value != value.strip() or any(char in _QUOTED_CHARACTERS for char in value):
        return '"' + value.replace('"', '""') + '"'
    return value


# -- signatures, roles, chains ---------------------------------------------------------------------------------------


def is_signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    """True when ``issuer`` is named as the issuer of ``cert`` and its key verifies ``cert``'s signature.

    Covers RSA PKCS#1 v1.5, RSA-PSS, ECDSA, Ed25519 and Ed448 (what AD CS and common CAs sign with).
    """
    if cert.issuer != issuer.subject:
        return False
    key = issuer.public_key()
    signature, data = cert.signature, cert.tbs_certificate_bytes
    try:
        if isinstance(key, rsa.RSAPublicKey):
            params = cert.signature_algorithm_parameters
            hash_algorithm = cert.signature_hash_algorithm
            if not isinstance(params, (padding.PKCS1v15, padding.PSS)) or hash_algorithm is None:
                return False
            key.verify(signature, data, params, hash_algorithm)
        elif isinstance(key, ec.EllipticCurvePublicKey):
            ecdsa = cert.signature_algorithm_parameters
            if not isinstance(ecdsa, ec.ECDSA):
                return False
            key.verify(signature, data, ecdsa)
        elif isinstance(key, (ed25519.Ed25519PublicKey, ed448.Ed448PublicKey)):
            key.verify(signature, data)
        else:
            return False
    except (InvalidSignature, UnsupportedAlgorithm, ValueError, TypeError):
        return False
    return True


def is_self_issued(cert: x509.Certificate) -> bool:
    """Subject and issuer are the same name (RFC 5280 6.1): a root's claim, which only :func:`is_self_signed` proves."""
    return cert.subject == cert.issuer


def is_self_signed(cert: x509.Certificate) -> bool:
    """Subject equals issuer and the certificate's own key verifies its signature."""
    return is_signed_by(cert, cert)


def is_ca(cert: x509.Certificate) -> bool:
    """Basic constraints say CA:TRUE (RFC 5280 4.2.1.9; a certificate without the extension is not a CA)."""
    try:
        constraints = cert.extensions.get_extension_for_class(x509.BasicConstraints).value
    except x509.ExtensionNotFound:
        return False
    return bool(constraints.ca)


def path_length(cert: x509.Certificate) -> int | None:
    """Basic constraints' pathLenConstraint: how many CA certificates may follow below this one; None for no limit."""
    try:
        return cert.extensions.get_extension_for_class(x509.BasicConstraints).value.path_length
    except x509.ExtensionNotFound:
        return None


def allows_certificate_signing(cert: x509.Certificate) -> bool:
    """The key may sign certificates: key usage lists keyCertSign, or there is no key usage (RFC 5280 4.2.1.3)."""
    try:
        usage = cert.extensions.get_extension_for_class(x509.KeyUsage).value
    except x509.ExtensionNotFound:
        return True
    return bool(usage.key_cert_sign)


def role(cert: x509.Certificate) -> str:
    """``root`` (self-signed CA), ``intermediate`` (CA signed by another) or ``leaf``."""
    if not is_ca(cert):
        return "leaf"
    return "root" if is_self_signed(cert) else "intermediate"


def build_chain(cert: x509.Certificate, pool: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    """``cert`` first, then each verified issuer taken from ``pool``, ending with a self-signed root.

    Issuers are matched by name and signature, never by order, so renewed CA certificates with the same name but
    a new key are told apart. Among several verified issuers a CA valid now is preferred, then the one that
    expires last. Raises :class:`CertificateError` when no root can be reached.
    """
    candidates = _unique(pool)
    chain = _extend(cert, [cert], candidates, _now())
    if chain is None:
        missing = _highest_reachable(cert, candidates)
        raise CertificateError(
            f"cannot build a chain from {_name(cert)} to a self-signed root: no CA certificate for "
            f"{windows_name(missing.issuer)!r} verifies the signature of {_name(missing)} "
            f"({len(candidates)} certificate(s) given)",
            reason="incomplete_chain",
            subject=windows_name(cert.subject),
        )
    return chain


def order_chain(certificates: Sequence[x509.Certificate]) -> list[x509.Certificate]:
    """Order an unordered bundle (a ``.p7b``): the one certificate that signs no other first, up to the root."""
    unique = _unique(certificates)
    if not unique:
        raise CertificateError("no certificate to order", reason="no_certificate")
    lowest = [cert for cert in unique if not any(other is not cert and is_signed_by(other, cert) for other in unique)]
    if len(lowest) != 1:
        names = ", ".join(_name(cert) for cert in lowest) or "none (the certificates sign each other)"
        raise CertificateError(
            f"the bundle does not form one chain; lowest certificates: {names}", reason="ambiguous_chain"
        )
    return build_chain(lowest[0], unique)


def _extend(
    current: x509.Certificate, chain: list[x509.Certificate], pool: list[x509.Certificate], now: datetime
) -> list[x509.Certificate] | None:
    if is_self_signed(current):
        return chain
    if len(chain) > _MAX_CHAIN_DEPTH:
        return None
    seen = {thumbprint(c) for c in chain}
    issuers = [c for c in pool if thumbprint(c) not in seen and is_ca(c) and is_signed_by(current, c)]
    issuers.sort(key=lambda c: (is_valid_at(c, now), not_after(c)), reverse=True)
    for issuer in issuers:
        found = _extend(issuer, [*chain, issuer], pool, now)
        if found is not None:
            return found
    return None


def _highest_reachable(cert: x509.Certificate, pool: list[x509.Certificate]) -> x509.Certificate:
    """The last certificate whose issuer was found, for the error message."""
    current, seen = cert, {thumbprint(cert)}
    while True:
        issuer = next((c for c in pool if thumbprint(c) not in seen and is_signed_by(current, c) and is_ca(c)), None)
        if issuer is None or is_self_signed(issuer):
            return current
        seen.add(thumbprint(issuer))
        current = issuer


def _unique(certificates: Iterable[x509.Certificate]) -> list[x509.Certificate]:
    unique: dict[str, x509.Certificate] = {}
    for cert in certificates:
        unique.setdefault(thumbprint(cert), cert)
    return list(unique.values())


# -- validity and extensions -----------------------------------------------------------------------------------------


def not_before(cert: x509.Certificate) -> datetime:
    return cert.not_valid_before_utc


def not_after(cert: x509.Certificate) -> datetime:
    return cert.not_valid_after_utc


def is_valid_at(cert: x509.Certificate, when: datetime | None = None) -> bool:
    """Within the validity period at ``when`` (default now, UTC)."""
    moment = when or _now()
    return not_before(cert) <= moment <= not_after(cert)


def extended_key_usages(cert: x509.Certificate) -> list[str]:
    """Dotted OIDs of the EKU extension; empty when absent (Windows then allows every purpose)."""
    try:
        usages = cert.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return []
    return [oid.dotted_string for oid in usages]


def allows_server_auth(cert: x509.Certificate) -> bool:
    """TLS server use is allowed: the EKU lists serverAuth or anyExtendedKeyUsage, or there is no EKU."""
    return usages_allow_server_auth(extended_key_usages(cert))


def usages_allow_server_auth(usages: Sequence[str]) -> bool:
    """``allows_server_auth`` for EKU OIDs already read (the exchange_um_host fact's ``eku``)."""
    return not usages or _SERVER_AUTH in usages or _ANY_EKU in usages


def dns_names(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return [str(name) for name in san.get_values_for_type(x509.DNSName)] if san else []


def ip_addresses(cert: x509.Certificate) -> list[str]:
    san = _san(cert)
    return [str(ip) for ip in san.get_values_for_type(x509.IPAddress)] if san else []


def _san(cert: x509.Certificate) -> x509.SubjectAlternativeName | None:
    try:
        return cert.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
    except x509.ExtensionNotFound:
        return None


# -- output ----------------------------------------------------------------------------------------------------------


def to_pem(cert: x509.Certificate) -> str:
    return cert.public_bytes(serialization.Encoding.PEM).decode("ascii")


def to_der_base64(cert: x509.Certificate) -> str:
    """Base64 of the DER, the form host scripts receive certificates in (docs/architecture.md)."""
    return base64.b64encode(cert.public_bytes(serialization.Encoding.DER)).decode("ascii")


def serial_hex(cert: x509.Certificate) -> str:
    """The DER INTEGER bytes in upper-case hex, as Windows shows ``SerialNumber`` (a leading 00 kept)."""
    number = cert.serial_number
    return number.to_bytes((number.bit_length() + 8) // 8, "big", signed=True).hex().upper()


def describe(cert: x509.Certificate) -> dict[str, Any]:
    """The facts modules return about a certificate: names as Windows shows them, times ISO 8601 UTC with ``Z``."""
    return {
        "thumbprint": thumbprint(cert),
        "fingerprint_sha256": fingerprint_sha256(cert),
        "subject": windows_name(cert.subject),
        "issuer": windows_name(cert.issuer),
        "serial_number": serial_hex(cert),
        "not_before": iso_utc(not_before(cert)),
        "not_after": iso_utc(not_after(cert)),
        "is_ca": is_ca(cert),
        "role": role(cert),
        "dns_names": dns_names(cert),
        "eku": extended_key_usages(cert),
        "pem": to_pem(cert),
    }


def iso_utc(moment: datetime) -> str:
    """A time as results and the exchange_um_host fact give it: UTC, ISO 8601 to the second, with ``Z`` (the host
    scripts' ``Format-ExumTime`` writes the same)."""
    return moment.astimezone(timezone.utc).strftime(_ISO_UTC)


def parse_iso_utc(value: object) -> datetime | None:
    """A time written by ``iso_utc`` (or a host script) back as an aware UTC datetime; anything else is ``None``."""
    if not isinstance(value, str):
        return None
    try:
        return datetime.strptime(value, _ISO_UTC).replace(tzinfo=timezone.utc)
    except ValueError:
        return None


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _name(cert: x509.Certificate) -> str:
    return f"{windows_name(cert.subject)!r} ({thumbprint(cert)})"
