"""Certificates for the unit tests, made with cryptography (no key is ever committed)."""

from __future__ import annotations

import datetime as dt
import ipaddress
from collections.abc import Sequence
from dataclasses import dataclass

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec, padding, rsa
from cryptography.x509.oid import NameOID

PrivateKey = rsa.RSAPrivateKey | ec.EllipticCurvePrivateKey
NOW = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)


@dataclass(frozen=True)
class Issued:
    cert: x509.Certificate
    key: PrivateKey


def rsa_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


def ec_key() -> ec.EllipticCurvePrivateKey:
    return ec.generate_private_key(ec.SECP256R1())


def make_cert(
    common_name: str,
    *,
    key: PrivateKey,
    issuer: Issued | None = None,
    ca: bool = False,
    pss: bool = False,
    dns: Sequence[str] = (),
    ips: Sequence[str] = (),
    eku: Sequence[x509.ObjectIdentifier] = (),
    basic_constraints: bool = True,
    path_length: int | None = None,
    key_usage: x509.KeyUsage | None = None,
    not_before: dt.datetime | None = None,
    not_after: dt.datetime | None = None,
    serial: int | None = None,
    dc: Sequence[str] = ("contoso", "lab"),
) -> Issued:
    """One certificate; self-signed when ``issuer`` is None, signed with PSS when ``pss`` (RSA issuers only)."""
    name = x509.Name(
        [x509.NameAttribute(NameOID.DOMAIN_COMPONENT, part) for part in reversed(dc)]
        + [x509.NameAttribute(NameOID.COMMON_NAME, common_name)]
    )
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(serial if serial is not None else x509.random_serial_number())
        .not_valid_before(not_before or NOW - dt.timedelta(days=1))
        .not_valid_after(not_after or NOW + dt.timedelta(days=365))
    )
    if basic_constraints:
        builder = builder.add_extension(x509.BasicConstraints(ca=ca, path_length=path_length), critical=True)
    if key_usage is not None:
        builder = builder.add_extension(key_usage, critical=True)
    if dns or ips:
        names: list[x509.GeneralName] = [x509.DNSName(d) for d in dns]
        names += [x509.IPAddress(ipaddress.ip_address(ip)) for ip in ips]
        builder = builder.add_extension(x509.SubjectAlternativeName(names), critical=False)
    if eku:
        builder = builder.add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
    if pss:
        pad = padding.PSS(mgf=padding.MGF1(hashes.SHA256()), salt_length=padding.PSS.DIGEST_LENGTH)
        cert = builder.sign(signer_key, hashes.SHA256(), rsa_padding=pad)
    else:
        cert = builder.sign(signer_key, hashes.SHA256())
    return Issued(cert, key)


def with_damaged_signature(cert: x509.Certificate) -> x509.Certificate:
    """``cert`` with the last bit of its signature flipped: the same names and key, a signature nothing verifies."""
    der = bytearray(cert.public_bytes(serialization.Encoding.DER))
    der[-1] ^= 0x01
    return x509.load_der_x509_certificate(bytes(der))
