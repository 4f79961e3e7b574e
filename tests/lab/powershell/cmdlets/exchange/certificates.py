"""Get-ExchangeCertificate and the ExchangeCertificate object (2007 SP1, 2010, 2013).

Sources: the Get-ExchangeCertificate help (2010-2016: parameters, the property list, "Identity: <ServerFQDN>\\
<Thumbprint>", RootCAType "Registry (this value is found on Exchange self-signed certificates)", None for new
self-signed certificates, Unknown for pending requests); host-facts.md "Certificate cmdlets by Exchange version";
and Exchange 15.00.1497's GetExchangeCertificate / ExchangeCertificate classes (as decompiled in public
repositories): the cmdlet reads the server object from Active Directory first (so it needs the directory: the
engine's second-hop check applies to it; that 2007 and 2010 read it too is assumed), ExchangeCertificate derives from
X509Certificate2, an empty FriendlyName becomes the Issuer, a certificate with a pending request has Status
PendingRequest, a self-signed certificate whose root is not trusted is Valid with RootCAType None, one that chains to
a trusted root is Valid (or DateInvalid outside its dates) with the root's store kind, others Untrusted.

Lab choices (docs/lab.md): the certificates are those of LocalMachine\\My and the pending requests of REQUEST; a root
in the machine's Root store counts as RootCAType Registry (the lab has one Root store, not its physical parts);
revocation is not checked (the lab's CA issues no CRL distribution points), so RevocationCheckFailure and Revoked do
not occur; keys are never exportable (the lab records no key flags); CertificateDomains are strings. A -Thumbprint
that matches nothing, -Instance and -DomainController other than the lab's are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import ec, rsa
from cryptography.x509.oid import NameOID

from ....hosts.certs import StoredCertificate, dns_names, is_self_signed
from ...commands import CmdletCall, cmdlet
from ...dotnet.x509 import X509Certificate2
from ...values import PSArray, enum_type, net_type, prop
from .._common import enum_of, refuse, strings, wildcard_match
from ._common import flags_of, is_this_server, not_found

__all__ = ["ExchangeCertificate"]

_NS = "Microsoft.Exchange.Management.SystemConfigurationTasks."
# [Flags] AllowedServices (ExchangeCertificate sources): None 0, IMAP 1, POP 2, UM 4, IIS 8, SMTP 16, Federation 32,
# UMCallRouter 64.
ALLOWED_SERVICES = enum_type(
    _NS + "AllowedServices",
    {"None": 0, "IMAP": 1, "POP": 2, "UM": 4, "IIS": 8, "SMTP": 16, "Federation": 32, "UMCallRouter": 64},
    flags=True,
)
CERTIFICATE_STATUS = enum_type(
    _NS + "CertificateStatus",
    {"Unknown": 0, "Valid": 1, "Revoked": 2, "DateInvalid": 3, "Untrusted": 4, "Invalid": 5,
     "RevocationCheckFailure": 6, "PendingRequest": 7},
)  # fmt: skip
# The values the help lists; their numbers and the enum's namespace are assumed (not in the sources found).
ROOT_CA_TYPE = enum_type(
    _NS + "CertificateAuthorityType",
    {"None": 0, "ThirdParty": 1, "Enterprise": 2, "Registry": 3, "GroupPolicy": 4, "Unknown": 5},
)
_CERTIFICATE2 = "System.Security.Cryptography.X509Certificates.X509Certificate2"


def _trust(call: CmdletCall, entry: StoredCertificate, pending: bool) -> tuple[str, str, bool]:
    """(Status, RootCAType, IsSelfSigned) as ExchangeCertificate.CheckCertificateChainAndCacheProps decides them."""
    if pending:
        return "PendingRequest", "Unknown", False
    certificate = entry.certificate
    self_signed = is_self_signed(certificate)
    now = call.host.now()
    in_dates = certificate.not_valid_before_utc <= now <= certificate.not_valid_after_utc
    chain = call.host.machine.chain_to_root(entry)
    if chain is None:
        if not in_dates:
            return "DateInvalid", "Unknown", self_signed
        return ("Valid", "None", True) if self_signed else ("Untrusted", "Unknown", False)
    return ("Valid" if in_dates else "DateInvalid"), "Registry", self_signed


@net_type(_NS + "ExchangeCertificate", base=_CERTIFICATE2)
class ExchangeCertificate(X509Certificate2):
    """An X509Certificate2 with Exchange's properties; Services and Status are read when the cmdlet ran."""

    def __init__(self, entry: StoredCertificate, *, services: Any, trust: tuple[str, str, bool], identity: str) -> None:
        super().__init__(entry=entry)
        self.services = services
        self.status, self.root_ca, self.self_signed = trust
        self.identity = identity
        self.shown_name = entry.friendly_name

    @prop("Services")
    def _services(self) -> Any:
        return self.services

    @prop("Status")
    def _status(self) -> Any:
        return enum_of(CERTIFICATE_STATUS.full_name, self.status)

    @prop("RootCAType")
    def _root_ca(self) -> Any:
        return enum_of(ROOT_CA_TYPE.full_name, self.root_ca)

    @prop("IsSelfSigned")
    def _is_self_signed(self) -> bool:
        return self.self_signed

    @prop("Identity")
    def _identity(self) -> str:
        return self.identity

    @prop("FriendlyName", settable=True)
    def _friendly(self, *new: str | None) -> str | None:
        """Get-ExchangeCertificate fills an empty FriendlyName with the Issuer (the object is the cmdlet's copy)."""
        if new:
            self.shown_name = new[0] or ""
            return None
        return self.shown_name or self.issuer

    @prop("PrivateKeyExportable")
    def _exportable(self) -> bool:
        return False

    @prop("PublicKeySize")
    def _key_size(self) -> int:
        key = self._context().public_key()
        return key.key_size if isinstance(key, (rsa.RSAPublicKey, ec.EllipticCurvePublicKey)) else 0

    @prop("CertificateDomains")
    def _domains(self) -> PSArray:
        """TlsCertificateInfo.GetFQDNs: the subject's CN and the DNS names of the subjectAltName."""
        names = [
            str(attribute.value) for attribute in self._context().subject.get_attributes_for_oid(NameOID.COMMON_NAME)
        ]
        for name in dns_names(self._context()):
            if name.lower() not in (known.lower() for known in names):
                names.append(name)
        return PSArray(names, "System.String")


def _wanted_thumbprint(call: CmdletCall) -> str | None:
    """-Thumbprint (positional), or the thumbprint part of 2013's -Identity ``server\\thumbprint``; thumbprints are
    compared without blanks, in upper case (ManageExchangeCertificate.UnifyThumbprintFormat)."""
    text = None
    if call.has("Thumbprint"):
        text = call.engine.to_string(call.get("Thumbprint"))
    elif call.has("Identity"):
        identity = call.engine.to_string(call.get("Identity"))
        server, _slash, text = identity.rpartition("\\")
        if server and not is_this_server(call, server):
            not_found(call, server)
            return ""
    return None if text is None else text.replace(" ", "").upper()


@cmdlet(
    "Get-ExchangeCertificate", positional=("Thumbprint",), exchange=True, reads_directory=True,
)  # fmt: skip
def get_exchange_certificate(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("Instance", "DomainController"))
    if call.has("Server"):
        server = call.engine.to_string(call.get("Server"))
        if not is_this_server(call, server):
            not_found(call, server)
            return []
    thumbprint = _wanted_thumbprint(call)
    if thumbprint == "":
        return []
    machine = call.host.machine
    domains = strings(call, call.get("DomainName"))
    identity_prefix = call.host.spec.fqdn
    found = []
    for store, pending in (("My", False), ("REQUEST", True)):
        for entry in machine.stores[store].entries():
            if thumbprint is not None and entry.thumbprint != thumbprint:
                continue
            services = flags_of(ALLOWED_SERVICES, sorted(machine.exchange_services.get(entry.thumbprint, set())))
            certificate = ExchangeCertificate(
                entry, services=services, trust=_trust(call, entry, pending),
                identity=f"{identity_prefix}\\{entry.thumbprint}",
            )  # fmt: skip
            if domains and not any(
                wildcard_match(domain, name) for domain in domains for name in certificate._domains()
            ):
                continue
            found.append(certificate)
    if thumbprint is not None and not found:
        raise call.not_modelled(f"-Thumbprint {thumbprint} that matches no certificate (Exchange's error is unknown)")
    return found
