"""Get-ExchangeCertificate and the ExchangeCertificate object (2007 SP1, 2010, 2013).

Sources: the Get-ExchangeCertificate help (2010-2016: parameters, the property list, "Identity: <ServerFQDN>\\
<Thumbprint>", RootCAType "Registry (this value is found on Exchange self-signed certificates)", None for new
self-signed certificates, Unknown for pending requests); host-facts.md "Certificate cmdlets by Exchange version";
and Exchange 15.00.1497's GetExchangeCertificate / ExchangeCertificate classes (as decompiled in public
repositories): the cmdlet reads the server object from Active Directory first (so it needs the directory: the
engine's second-hop check applies to it; that 2007 and 2010 read it too is assumed), ExchangeCertificate derives from
X509Certificate2, an empty FriendlyName becomes the Issuer, a certificate with a pending request has Status
PendingRequest, a self-signed certificate whose root is not trusted is Valid with RootCAType None, one that chains to
a trusted root is Valid (or DateInvalid outside its dates) with the root's store kind, others Untrusted. Which
entries it shows (ExchangeCertificateServerHelper.GetCertificate): the certificates of LocalMachine\\My that
ValidateExchangeCertificate passes (a private key, an RSA or DSA key) and the REQUEST entries that carry the PKCS#10
request Exchange wrote onto them (CertificateEnroller.ReadPkcs10Request; a request certreq made has none), sorted by
NotBefore; -Thumbprint looks in My, then REQUEST, and a My certificate without its key is an error
(EnsureValidExchangeCertificate), as is a thumbprint that matches nothing (CertificateNotFound).

Lab choices (docs/lab.md): a root in the machine's Root store counts as RootCAType Registry (the lab has one Root
store, not its physical parts); revocation is not checked (the lab's CA issues no CRL distribution points), so
RevocationCheckFailure and Revoked do not occur; ValidateExchangeCertificate's key usage rules are not modelled;
CertificateDomains are strings; the error texts are those reports show (with 2010's and 2013's "A special Rpc
error occurs on server" prefix), the order by NotBefore ascending is assumed. -Instance and -DomainController are
not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography.hazmat.primitives.asymmetric import dsa, ec, rsa
from cryptography.x509.oid import NameOID

from ....hosts.certs import StoredCertificate, dns_names, is_self_signed
from ...commands import CmdletCall, cmdlet
from ...dotnet.x509 import X509Certificate2
from ...values import PSArray, enum_type, net_type, prop
from .._common import enum_of, refuse, strings, wildcard_match
from ._common import flags_of, is_this_server, not_found, on_this_server

__all__ = [
    "ExchangeCertificate",
    "certificate_error",
    "exchange_certificate",
    "invalid_for_exchange",
    "not_found_text",
    "usable",
    "wanted_thumbprint",
]

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
        self.entry = entry
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
        """The key's export policy as the lab recorded it when the key was made or imported."""
        return self.entry.key_exportable

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


def certificate_error(call: CmdletCall, message: str, *, category: str, fqid: str = "CertificateError") -> None:
    """An error the certificate task reports (non-terminating, as the lab's other Exchange errors). From 2010 the
    work is an RPC to the server's certificate service, whose errors reports show prefixed "A special Rpc error
    occurs on server <NAME>: " (ExchangeCertificateRpc.OutputTaskMessages); 2007 SP1 works in-process. The
    FullyQualifiedErrorId Exchange gives is not known (assumed: the message's resource name)."""
    if call.host.spec.exchange_version != "2007sp1":
        message = f"A special Rpc error occurs on server {call.host.spec.computer_name}: {message}"
    call.write_error(
        message, fqid=fqid, category=category, exception="Microsoft.Exchange.Data.Common.LocalizedException"
    )


def usable(entry: StoredCertificate) -> bool:
    """ManageExchangeCertificate.ValidateExchangeCertificate: a private key, and an RSA or DSA key."""
    return entry.has_private_key and isinstance(entry.certificate.public_key(), (rsa.RSAPublicKey, dsa.DSAPublicKey))


def exchange_certificate(call: CmdletCall, entry: StoredCertificate, *, pending: bool) -> ExchangeCertificate:
    """The ExchangeCertificate the certificate tasks write for a My entry or a pending request."""
    machine = call.host.machine
    services = flags_of(ALLOWED_SERVICES, sorted(machine.exchange_services.get(entry.thumbprint, set())))
    return ExchangeCertificate(
        entry, services=services, trust=_trust(call, entry, pending),
        identity=f"{call.host.spec.fqdn}\\{entry.thumbprint}",
    )  # fmt: skip


def wanted_thumbprint(call: CmdletCall) -> str | None:
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
    if not on_this_server(call):
        return []
    thumbprint = wanted_thumbprint(call)
    if thumbprint == "":
        return []
    machine = call.host.machine
    domains = strings(call, call.get("DomainName"))
    if domains and thumbprint is not None:
        raise call.not_modelled("-DomainName with -Thumbprint (TlsCertificateInfo.FindAll's selection)")
    if thumbprint is not None:
        entry = machine.stores["My"].get(thumbprint)
        if entry is not None and not usable(entry):
            certificate_error(call, invalid_for_exchange(thumbprint), category="NotSpecified")
            return []
        pending = machine.stores["REQUEST"].get(thumbprint) if entry is None else None
        if entry is None and (pending is None or not pending.exchange_request):
            certificate_error(call, not_found_text(thumbprint), category="NotSpecified")
            return []
        return [exchange_certificate(call, entry or pending, pending=entry is None)]  # type: ignore[arg-type]
    found = [exchange_certificate(call, entry, pending=False) for entry in machine.stores["My"].entries()
             if usable(entry)]  # fmt: skip
    found += [exchange_certificate(call, entry, pending=True) for entry in machine.stores["REQUEST"].entries()
              if entry.exchange_request]  # fmt: skip
    found.sort(key=lambda certificate: certificate.entry.certificate.not_valid_before_utc)
    if domains:
        found = [certificate for certificate in found if _covers(certificate, domains)]
    return found


def _covers(certificate: ExchangeCertificate, domains: list[str]) -> bool:
    return any(wildcard_match(domain, name) for domain in domains for name in certificate._domains())


def not_found_text(thumbprint: str) -> str:
    """Strings.CertificateNotFound (the text reports show)."""
    return f"The certificate with thumbprint {thumbprint} was not found."


def invalid_for_exchange(thumbprint: str) -> str:
    """EnsureValidExchangeCertificate for a certificate without its key (the text reports show)."""
    return (
        f"The certificate with thumbprint {thumbprint} was found but is not valid for use with Exchange Server "
        "(reason: PrivateKeyMissing)."
    )
