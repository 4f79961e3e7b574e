"""The certificates a freshly installed host already has: public roots in ``Root``, Exchange's own in ``My``.

Real Windows ships with (and auto-updates) public root certificates, so ``LocalMachine\\Root`` is never empty; the
lab generates two root-like self-signed CA certificates once per process (no private key on the hosts, as on Windows).
Exchange setup creates a self-signed certificate for the server (host-facts.md, New-ExchangeCertificate "self-signed
set"), with its private key in ``LocalMachine\\My``.
"""

from __future__ import annotations

import datetime
import functools

from cryptography import x509
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID

from ..pki import ca_certificate
from .certs import StoredCertificate
from .specs import HostSpec

__all__ = ["exchange_self_signed", "public_roots"]

_PUBLIC_ROOT_NAMES = (
    ("Fabrikam Global Root CA", "Fabrikam Trust Services"),
    ("Northwind Public Root R2", "Northwind Traders"),
)
# Exchange 2007 makes its self-signed certificate valid for one year, 2010 and 2013 for five (assumption, kept here).
_SELF_SIGNED_YEARS = {"2007sp1": 1, "2010": 5, "2013": 5}
# Exchange 2010/2013 name it "Microsoft Exchange"; 2007 leaves the friendly name empty (assumption, kept here).
_SELF_SIGNED_FRIENDLY = {"2007sp1": "", "2010": "Microsoft Exchange", "2013": "Microsoft Exchange"}


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


@functools.lru_cache(maxsize=1)
def public_roots() -> tuple[x509.Certificate, ...]:
    """Two self-signed CA certificates standing in for the public roots every Windows host trusts."""
    roots = []
    for common_name, organization in _PUBLIC_ROOT_NAMES:
        name = x509.Name(
            [
                x509.NameAttribute(NameOID.COUNTRY_NAME, "US"),
                x509.NameAttribute(NameOID.ORGANIZATION_NAME, organization),
                x509.NameAttribute(NameOID.COMMON_NAME, common_name),
            ]
        )
        start = _now() - datetime.timedelta(days=3650)
        certificate = ca_certificate(
            name=name,
            key=rsa.generate_private_key(public_exponent=65537, key_size=2048),
            not_before=start,
            not_after=start + datetime.timedelta(days=9125),
        )
        roots.append(certificate)
    return tuple(roots)


def exchange_self_signed(spec: HostSpec) -> StoredCertificate:
    """The certificate Exchange setup makes for ``spec``: CN=<computer name>, SANs computer name and FQDN."""
    assert spec.exchange_version is not None
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, spec.computer_name)])
    start = _now() - datetime.timedelta(days=30)
    certificate = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(start)
        .not_valid_after(start + datetime.timedelta(days=365 * _SELF_SIGNED_YEARS[spec.exchange_version]))
        .add_extension(
            x509.SubjectAlternativeName([x509.DNSName(spec.computer_name), x509.DNSName(spec.fqdn)]),
            critical=False,
        )
        .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
        .sign(key, hashes.SHA256())
    )
    return StoredCertificate(certificate, key, _SELF_SIGNED_FRIENDLY[spec.exchange_version])
