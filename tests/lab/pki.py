"""The lab's certification authority: a real root, an issuing CA with renewals, and its server templates.

Everything is made with ``cryptography`` so that clients validate real signatures. The CA behaves like an AD CS
enterprise CA as described in certsrv-protocol.md: renewals keep the CA name and get a new key each, so renewal N
and renewal N-1 differ; the WebServer template issues serverAuth certificates with the subject of the request.
A template is named by its name (``CertificateTemplate:<name>``); its display name is what the console shows, and a
request naming it is denied as an unsupported template (certsrv-protocol.md "Pages after a submit", 0x80094800).
Each template's validity period is a setting of the CA (a template's "Validity period" in AD CS), so that renewal
windows can be reached in tests.
"""

from __future__ import annotations

import datetime
import ipaddress
import threading
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.asymmetric.types import CertificatePublicKeyTypes
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID, ObjectIdentifier

__all__ = [
    "TEMPLATES",
    "Authority",
    "LabPki",
    "SanAttributeError",
    "Template",
    "UnknownTemplateError",
    "ca_certificate",
    "parse_san_attribute",
]

ROOT_NAME = "Contoso Root CA"
ISSUING_NAME = "Contoso Issuing CA"
KEY_SIZE = 2048
# certsrv-protocol.md: certificates from v1 templates carry 1.3.6.1.4.1.311.20.2 with the template name as BMPString;
# v2+ templates use 1.3.6.1.4.1.311.21.7 (Certificate Template Information: SEQUENCE { templateID OID,
# templateMajorVersion INTEGER, templateMinorVersion INTEGER }, MS-WCCE 2.2.2.7.7.2).
OID_CERTIFICATE_TEMPLATE_NAME = ObjectIdentifier("1.3.6.1.4.1.311.20.2")
OID_CERTIFICATE_TEMPLATE = ObjectIdentifier("1.3.6.1.4.1.311.21.7")
_DAY = datetime.timedelta(days=1)


class UnknownTemplateError(KeyError):
    """The CA does not offer the requested template (AD CS denies with 0x80094800)."""

    def __init__(self, template: str) -> None:
        super().__init__(template)
        self.template = template


class SanAttributeError(ValueError):
    """A ``SAN:`` request attribute the CA cannot turn into a subjectAltName extension."""

    def __init__(self, value: str, entry: str) -> None:
        super().__init__(f"unsupported SAN attribute entry {entry!r}")
        self.value = value
        self.entry = entry


@dataclass(frozen=True)
class Template:
    """What a certificate template puts into the certificates it issues: a v1 template its name (20.2), a v2
    template its OID and version (21.7)."""

    name: str
    display_name: str
    eku: tuple[ObjectIdentifier, ...]
    validity: datetime.timedelta
    oid: ObjectIdentifier | None = None  # v2 and later
    major_version: int = 100
    minor_version: int = 0


# certsrv-protocol.md "The Web Server template": name WebServer (display name "Web Server", as the AD CS console
# lists the built-in template), v1, EKU serverAuth, KU digitalSignature + keyEncipherment (critical), subject from the
# request, 2-year validity. UMServer ("Exchange UM Server") is the lab's own v2 server-authentication template (a
# duplicate of Web Server as administrators make them), with an OID of the lab's enterprise OID arc.
TEMPLATES: dict[str, Template] = {
    "webserver": Template(
        name="WebServer", display_name="Web Server", eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
        validity=datetime.timedelta(days=730),
    ),
    "umserver": Template(
        name="UMServer", display_name="Exchange UM Server", eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
        validity=datetime.timedelta(days=730), oid=ObjectIdentifier("1.3.6.1.4.1.311.21.8.4242.1.1.1.1.100"),
    ),
}  # fmt: skip


def _bmp_string(text: str) -> bytes:
    """DER BMPString (tag 0x1E) of ``text``."""
    data = text.encode("utf-16-be")
    if len(data) < 0x80:
        return bytes([0x1E, len(data)]) + data
    length = len(data).to_bytes((len(data).bit_length() + 7) // 8, "big")
    return bytes([0x1E, 0x80 | len(length)]) + length + data


def parse_san_attribute(value: str) -> list[x509.GeneralName]:
    """Names of a ``SAN:dns=a&dns=b`` request attribute (certsrv-protocol.md, submit a CSR)."""
    names: list[x509.GeneralName] = []
    for entry in filter(None, value.split("&")):
        kind, _equals, name = entry.partition("=")
        kind = kind.strip().lower()
        if kind == "dns" and name:
            names.append(x509.DNSName(name))
        elif kind == "ipaddress" and name:
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(name)))
            except ValueError as error:
                raise SanAttributeError(value, entry) from error
        elif kind == "email" and name:
            names.append(x509.RFC822Name(name))
        else:
            raise SanAttributeError(value, entry)
    return names


def _now() -> datetime.datetime:
    return datetime.datetime.now(datetime.timezone.utc).replace(microsecond=0)


def _new_key() -> rsa.RSAPrivateKey:
    return rsa.generate_private_key(public_exponent=65537, key_size=KEY_SIZE)


def _pem(cert: x509.Certificate) -> bytes:
    return cert.public_bytes(serialization.Encoding.PEM)


@dataclass(frozen=True)
class Authority:
    """A CA certificate and its key: what signs."""

    cert: x509.Certificate
    key: rsa.RSAPrivateKey


def ca_certificate(
    *,
    name: x509.Name,
    key: rsa.RSAPrivateKey,
    not_before: datetime.datetime,
    not_after: datetime.datetime,
    path_length: int | None = None,
    issuer: Authority | None = None,
) -> x509.Certificate:
    """A CA certificate for ``key``: signed by ``issuer``, or self-signed without one (then no AKI)."""
    signer_key = issuer.key if issuer else key
    builder = (
        x509.CertificateBuilder()
        .subject_name(name)
        .issuer_name(issuer.cert.subject if issuer else name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(not_before)
        .not_valid_after(not_after)
        .add_extension(x509.BasicConstraints(ca=True, path_length=path_length), critical=True)
        .add_extension(
            x509.KeyUsage(
                digital_signature=True,
                content_commitment=False,
                key_encipherment=False,
                data_encipherment=False,
                key_agreement=False,
                key_cert_sign=True,
                crl_sign=True,
                encipher_only=False,
                decipher_only=False,
            ),
            critical=True,
        )
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(key.public_key()), critical=False)
    )
    if issuer:
        builder = builder.add_extension(
            x509.AuthorityKeyIdentifier.from_issuer_public_key(issuer.key.public_key()), critical=False
        )
    return builder.sign(signer_key, hashes.SHA256())


def _lab_ca_certificate(
    *,
    name: x509.Name,
    key: rsa.RSAPrivateKey,
    years: int,
    issuer: Authority | None = None,
    path_length: int | None = None,
) -> x509.Certificate:
    """A lab CA certificate: valid from yesterday for ``years``."""
    now = _now()
    return ca_certificate(
        name=name,
        key=key,
        not_before=now - _DAY,
        not_after=now + datetime.timedelta(days=365 * years),
        path_length=path_length,
        issuer=issuer,
    )


def _ca_name(common_name: str) -> x509.Name:
    return x509.Name(
        [
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "lab"),
            x509.NameAttribute(NameOID.DOMAIN_COMPONENT, "contoso"),
            x509.NameAttribute(NameOID.COMMON_NAME, common_name),
        ]
    )


class LabPki:
    """Root CA, issuing CA renewals and the PEM files a lab state directory holds.

    With ``intermediate=False`` the root itself is the enterprise CA: it issues, and a renewal is a new self-signed
    root with a new key.
    """

    def __init__(self, directory: Path, *, intermediate: bool, root: Authority) -> None:
        self.directory = directory
        self.intermediate = intermediate
        # certsrv-protocol.md: SANs from the SAN: request attribute only apply with EDITF_ATTRIBUTESUBJECTALTNAME2.
        self.editf_attribute_subject_alt_name2 = False
        # Template validity periods changed through the control API (template name, lower case -> days).
        self._validity: dict[str, int] = {}
        self._lock = threading.Lock()
        self._root = root
        self._authorities: list[Authority] = [] if intermediate else [root]

    @classmethod
    def create(cls, directory: Path, *, intermediate: bool = True) -> LabPki:
        """Make the root (and the first issuing CA) and write the PEM files into ``directory``."""
        directory.mkdir(parents=True, exist_ok=True)
        name = _ca_name(ROOT_NAME if intermediate else ISSUING_NAME)
        key = _new_key()
        root = Authority(_lab_ca_certificate(name=name, key=key, years=20), key)
        pki = cls(directory, intermediate=intermediate, root=root)
        if intermediate:
            pki._authorities.append(pki._make_issuing())
        pki._write_files()
        return pki

    # -- the CA hierarchy -------------------------------------------------------------------------------------------

    @property
    def root(self) -> x509.Certificate:
        """The self-signed root (without an intermediate: the current renewal of the root)."""
        return self._root.cert if self.intermediate else self._authorities[-1].cert

    @property
    def issuing(self) -> x509.Certificate:
        """The current CA certificate of the enterprise CA that issues."""
        return self._authorities[-1].cert

    @property
    def renewals(self) -> list[x509.Certificate]:
        """CA certificates by renewal index (0 = the original), as ``certnew.cer?Renewal=N`` serves them."""
        return [authority.cert for authority in self._authorities]

    @property
    def ca_name(self) -> str:
        return ISSUING_NAME

    @property
    def bundle_path(self) -> Path:
        return self.directory / "ca-bundle.pem"

    @property
    def ca_cert_path(self) -> Path:
        return self.directory / "issuing-ca.pem"

    @property
    def root_cert_path(self) -> Path:
        return self.directory / "root-ca.pem"

    def chain(self, renewal: int) -> list[x509.Certificate]:
        """CA certificate of ``renewal`` followed by the root above it (certnew.p7b content)."""
        cert = self._authorities[renewal].cert
        return [cert, self._root.cert] if self.intermediate else [cert]

    def issuer_chain(self, cert: x509.Certificate) -> list[x509.Certificate]:
        """The CA certificates above an issued ``cert`` (the renewal whose key signed it, then the root)."""
        for index, authority in enumerate(self._authorities):
            if authority.cert.subject == cert.issuer and _signed_by(cert, authority.cert):
                return self.chain(index)
        raise ValueError("certificate was not issued by this CA")

    def renew(self) -> x509.Certificate:
        """Renew the CA with a new key (AD CS "Renew CA certificate", new key pair); old renewals stay."""
        with self._lock:
            if self.intermediate:
                self._authorities.append(self._make_issuing())
            else:
                key = _new_key()
                cert = _lab_ca_certificate(name=self._root.cert.subject, key=key, years=20)
                self._authorities.append(Authority(cert, key))
            self._write_files()
            return self._authorities[-1].cert

    def _make_issuing(self) -> Authority:
        key = _new_key()
        cert = _lab_ca_certificate(name=_ca_name(ISSUING_NAME), key=key, years=10, issuer=self._root, path_length=0)
        return Authority(cert, key)

    def _write_files(self) -> None:
        self.root_cert_path.write_bytes(_pem(self.root))
        self.ca_cert_path.write_bytes(_pem(self.issuing))
        for index, cert in enumerate(self.renewals):
            (self.directory / f"issuing-ca-{index}.pem").write_bytes(_pem(cert))
        anchors = [self._root.cert, *self.renewals] if self.intermediate else self.renewals
        self.bundle_path.write_bytes(b"".join(_pem(cert) for cert in anchors))

    # -- templates --------------------------------------------------------------------------------------------------

    def set_template_validity(self, name: str, days: int) -> dict[str, object]:
        """Set a template's validity period (AD CS: the template's "Validity period"); raises
        UnknownTemplateError for a template the CA does not offer, ValueError for a period below one day."""
        template = TEMPLATES.get(name.lower())
        if template is None:
            raise UnknownTemplateError(name)
        if days < 1:
            raise ValueError(f"validity_days must be at least 1, not {days}")
        with self._lock:
            self._validity[template.name.lower()] = days
        return self.describe_template(template.name)

    def validity_of(self, template: Template) -> datetime.timedelta:
        with self._lock:
            days = self._validity.get(template.name.lower())
        return template.validity if days is None else datetime.timedelta(days=days)

    def describe_template(self, name: str) -> dict[str, object]:
        template = TEMPLATES[name.lower()]
        return {
            "name": template.name,
            "display_name": template.display_name,
            "schema_version": 1 if template.oid is None else 2,
            "oid": None if template.oid is None else template.oid.dotted_string,
            "validity_days": self.validity_of(template).days,
        }

    # -- issuing ----------------------------------------------------------------------------------------------------

    def issue_tls_server(self, names: Sequence[str], addresses: Sequence[str]) -> tuple[bytes, bytes]:
        """A TLS server certificate for a lab listener: leaf + issuing CA PEM (what the server presents), key PEM."""
        key = _new_key()
        alt_names: list[x509.GeneralName] = [x509.DNSName(name) for name in names]
        alt_names += [x509.IPAddress(ipaddress.ip_address(address)) for address in addresses]
        common_name = names[0] if names else addresses[0]
        with self._lock:
            authority = self._authorities[-1]
            now = _now()
            cert = (
                self._leaf_builder(
                    subject=x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, common_name)]),
                    public_key=key.public_key(),
                    authority=authority,
                    not_after=now + datetime.timedelta(days=365),
                    eku=(ExtendedKeyUsageOID.SERVER_AUTH,),
                )
                .add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
                .sign(authority.key, hashes.SHA256())
            )
            chain = [cert, authority.cert] if self.intermediate else [cert]
        key_pem = key.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        return b"".join(_pem(c) for c in chain), key_pem

    def sign_csr(
        self, csr: x509.CertificateSigningRequest, *, template: str, san_attribute: str | None = None
    ) -> x509.Certificate:
        """Issue a certificate for ``csr`` from ``template`` as the AD CS policy module would.

        Raises UnknownTemplateError for a template the CA does not offer and SanAttributeError for a ``SAN:``
        attribute it cannot apply.
        """
        try:
            spec = TEMPLATES[template.lower()]
        except KeyError:
            raise UnknownTemplateError(template) from None
        # certsrv-protocol.md: SANs inside the CSR's extension are honoured for templates that take the subject
        # from the request; the SAN: attribute only when EDITF_ATTRIBUTESUBJECTALTNAME2 is set, and then it names
        # the subjectAltName of the certificate.
        alt_names: list[x509.GeneralName] = []
        try:
            requested = csr.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
            alt_names = list(requested)
        except x509.ExtensionNotFound:
            pass
        if san_attribute and self.editf_attribute_subject_alt_name2:
            alt_names = parse_san_attribute(san_attribute)
        validity = self.validity_of(spec)
        with self._lock:
            authority = self._authorities[-1]
            not_after = min(_now() + validity, authority.cert.not_valid_after_utc)
            builder = self._leaf_builder(
                subject=csr.subject,
                public_key=csr.public_key(),
                authority=authority,
                not_after=not_after,
                eku=spec.eku,
            )
            if spec.oid is None:
                extension = x509.UnrecognizedExtension(OID_CERTIFICATE_TEMPLATE_NAME, _bmp_string(spec.name))
            else:
                extension = x509.MSCertificateTemplate(spec.oid, spec.major_version, spec.minor_version)
            builder = builder.add_extension(extension, critical=False)
            if alt_names:
                builder = builder.add_extension(x509.SubjectAlternativeName(alt_names), critical=False)
            return builder.sign(authority.key, hashes.SHA256())

    @staticmethod
    def _leaf_builder(
        *,
        subject: x509.Name,
        public_key: CertificatePublicKeyTypes,
        authority: Authority,
        not_after: datetime.datetime,
        eku: tuple[ObjectIdentifier, ...],
    ) -> x509.CertificateBuilder:
        now = _now()
        return (
            x509.CertificateBuilder()
            .subject_name(subject)
            .issuer_name(authority.cert.subject)
            .public_key(public_key)
            .serial_number(x509.random_serial_number())
            .not_valid_before(now - datetime.timedelta(minutes=10))
            .not_valid_after(not_after)
            .add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
            .add_extension(
                x509.KeyUsage(
                    digital_signature=True,
                    content_commitment=False,
                    key_encipherment=True,
                    data_encipherment=False,
                    key_agreement=False,
                    key_cert_sign=False,
                    crl_sign=False,
                    encipher_only=False,
                    decipher_only=False,
                ),
                critical=True,
            )
            .add_extension(x509.ExtendedKeyUsage(list(eku)), critical=False)
            .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), critical=False)
            .add_extension(
                x509.AuthorityKeyIdentifier.from_issuer_public_key(authority.key.public_key()), critical=False
            )
        )


def _signed_by(cert: x509.Certificate, issuer: x509.Certificate) -> bool:
    try:
        cert.verify_directly_issued_by(issuer)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True
