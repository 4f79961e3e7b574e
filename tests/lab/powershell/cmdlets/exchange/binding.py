"""Enable-ExchangeCertificate (2007 SP1, 2010, 2013): a certificate of ``My`` enabled for Exchange services.

Sources: host-facts.md "Certificate cmdlets by Exchange version" (parameters per version; services are additive; UM
only while UMStartupMode is TLS or Dual) and "Where the UM certificate is recorded" (the server object's
msExchUMCertificateThumbprint, the 2013 Call Router's SIP protocol object); Exchange 15.00.1497's
ManageExchangeCertificate (as decompiled in public repositories): EnsureValidExchangeCertificate refuses a
certificate without its private key, with a key other than RSA or DSA, or whose enhanced key usage lacks serverAuth
(CertificateNotValidForExchangeException, "The certificate with thumbprint <t> was found but is not valid for use
with Exchange Server (reason: <validity>)." as reports show it; a missing one is "The certificate with thumbprint
<t> was not found."; from 2010 the work is an RPC to the server's certificate service, whose errors reports show
prefixed "A special Rpc error occurs on server <NAME>: "), SetUMCertificate / SetUMCallRouterCertificate throw
CannotAssignCertificateToUMException / CannotAssignCertificateToUMCRException while the startup mode is TCP and
CertificateExpiredException for an expired certificate, record the one thumbprint on the server object (so UM and
UMCallRouter name one certificate each), copy a self-signed certificate to the Root store, and ask for confirmation
unless forced; IIS has one certificate.

Lab choices (docs/lab.md "UM runtime"): the texts of the UM exceptions are the lab's own (no source gives them; the
2010 text for the TCP refusal is the lab setting ``tcp_refusal_text_2010``), their FullyQualifiedErrorIds the class
names (as for ManagementObjectNotFoundException, Exchange's hex codes are unknown); 2007 SP1 records UM on the
certificate, and whether its UM then takes it is the lab setting ``enable_honoured_2007`` (default no). Not
modelled: the confirmation prompt (UM and UMCallRouter without -Force, SMTP's "overwrite the default certificate"),
-NetworkServiceAllowed, Federation, -DomainController.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import dsa, rsa
from cryptography.x509.oid import ExtendedKeyUsageOID

from ....hosts.certs import StoredCertificate, in_dates, is_self_signed
from ....hosts.state import HostState
from ...commands import CmdletCall, cmdlet
from .._common import refuse
from ._common import is_this_server, not_found, on_this_server

__all__ = ["bind_um", "exchange_error", "parse_services"]

_TASKS = "Microsoft.Exchange.Management.SystemConfigurationTasks."
_SERVICES = ("None", "IMAP", "POP", "UM", "IIS", "SMTP", "Federation", "UMCallRouter")
# The services each version's AllowedServices has (host-facts.md: Federation from 2010, UMCallRouter from 2013).
_VERSION_SERVICES = {
    "2007sp1": ("None", "IMAP", "POP", "UM", "IIS", "SMTP"),
    "2010": ("None", "IMAP", "POP", "UM", "IIS", "SMTP", "Federation"),
    "2013": _SERVICES,
}


def exchange_error(call: CmdletCall, exception: str, message: str, category: str = "InvalidOperation") -> None:
    """An error of the certificate task (non-terminating, as Exchange's Task.WriteError), with the RPC prefix from
    2010; the id is the exception's class."""
    if call.host.spec.exchange_version != "2007sp1":
        message = f"A special Rpc error occurs on server {call.host.spec.computer_name}: {message}"
    call.write_error(message, fqid=exception.rpartition(".")[2], category=category, exception=exception)


def parse_services(call: CmdletCall, value: Any) -> set[str]:
    """-Services: AllowedServices names, as a list or one string joined by commas (any case)."""
    names: list[str] = []
    for item in call.engine.enumerate(value):
        names += [part.strip() for part in call.engine.to_string(item).split(",") if part.strip()]
    known = _VERSION_SERVICES[call.host.spec.exchange_version or "2013"]
    chosen: set[str] = set()
    for name in names:
        match = next((service for service in known if service.lower() == name.lower()), None)
        if match is None:
            raise call.not_modelled(f"-Services {name!r} (not an AllowedServices name of this version)")
        if match != "None":
            chosen.add(match)
    return chosen


def bind_um(machine: HostState, role: str, thumbprint: str | None) -> None:
    """Record ``thumbprint`` (None: clear) as the one certificate of UM or UMCallRouter: on the server object (the
    binding) and in the certificates' Services (Get-ExchangeCertificate derives UM from the recorded thumbprint)."""
    binding = machine.call_router if role == "UMCallRouter" else machine.um
    if binding is not None:
        binding.certificate_thumbprint = thumbprint
    for services in machine.exchange_services.values():
        services.discard(role)
    if thumbprint is not None:
        machine.exchange_services.setdefault(thumbprint, set()).add(role)


def _server_and_thumbprint(call: CmdletCall) -> str | None:
    """-Thumbprint (2010: with -Server), or 2013's -Identity ``server\\thumbprint``; None after an error."""
    if call.has("Identity"):
        if call.has("Server"):
            raise call.not_modelled("-Identity with -Server (different parameter sets)")
        server, _slash, text = call.engine.to_string(call.get("Identity")).rpartition("\\")
        if server and not is_this_server(call, server):
            not_found(call, server)
            return None
    else:
        if not on_this_server(call):
            return None
        text = call.engine.to_string(call.get("Thumbprint")) if call.has("Thumbprint") else ""
    if not text:
        raise call.not_modelled("without -Thumbprint or -Identity (the mandatory-parameter prompt)")
    return text.replace(" ", "").upper()


def _invalid_reason(entry: StoredCertificate) -> str | None:
    """ValidateExchangeCertificate's verdict on what the lab can see: the private key, an RSA or DSA key, serverAuth
    where the certificate has an enhanced key usage."""
    if not entry.has_private_key:
        return "PrivateKeyMissing"
    if not isinstance(entry.certificate.public_key(), (rsa.RSAPublicKey, dsa.DSAPublicKey)):
        return "KeyAlgorithmUnsupported"
    try:
        usages = entry.certificate.extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return None
    return None if ExtendedKeyUsageOID.SERVER_AUTH in list(usages) else "PkixKpServerAuthNotFoundInEnhancedKeyUsage"


def _refused_for_um(call: CmdletCall, role: str, thumbprint: str) -> bool:
    """The TCP-mode refusal of UM / UMCallRouter (2010: its lab text; 2013: the two exceptions)."""
    machine = call.host.machine
    binding = machine.call_router if role == "UMCallRouter" else machine.um
    if binding is None:
        exception = "CafeRoleNotInstalledException" if role == "UMCallRouter" else "UMRoleNotInstalledException"
        server = call.host.spec.computer_name
        exchange_error(call, _TASKS + exception, f"The {role} role isn't installed on server '{server}'; "
                       f"certificate {thumbprint} can't be enabled for it.")  # fmt: skip
        return True
    if binding.startup_mode != "TCP":
        return False
    if call.host.spec.exchange_version == "2010":
        message = machine.um_settings.tcp_refusal_text_2010.format(thumbprint=thumbprint)
        exchange_error(call, _TASKS + "CannotAssignCertificateToUMException", message)
        return True
    service = "UM Call Router" if role == "UMCallRouter" else "Unified Messaging"
    exception = "CannotAssignCertificateToUM" + ("CRException" if role == "UMCallRouter" else "Exception")
    exchange_error(call, _TASKS + exception, f"The certificate with thumbprint {thumbprint} can't be assigned to the "
                   f"{service} service because its UMStartupMode is TCP.")  # fmt: skip
    return True


@cmdlet(
    "Enable-ExchangeCertificate",
    positional=("Thumbprint",),
    switches=("DoNotRequireSsl", "Force", "NetworkServiceAllowed"),
    exchange=True,
    reads_directory=True,
)
def enable_exchange_certificate(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController", "NetworkServiceAllowed"))
    thumbprint = _server_and_thumbprint(call)
    if thumbprint is None:
        return []
    if not call.has("Services"):
        raise call.not_modelled("without -Services (the mandatory-parameter prompt)")
    services = parse_services(call, call.get("Services"))
    machine = call.host.machine
    entry = machine.stores["My"].get(thumbprint)
    if entry is None:
        exchange_error(call, _TASKS + "ManagementObjectNotFoundException",
                       f"The certificate with thumbprint {thumbprint} was not found.", "ObjectNotFound")  # fmt: skip
        return []
    reason = _invalid_reason(entry)
    if reason is not None:
        exchange_error(call, _TASKS + "CertificateNotValidForExchangeException", f"The certificate with thumbprint "
                       f"{thumbprint} was found but is not valid for use with Exchange Server "
                       f"(reason: {reason}).")  # fmt: skip
        return []
    um_roles = [role for role in ("UM", "UMCallRouter") if role in services]
    if "Federation" in services:
        raise call.not_modelled("-Services Federation")
    if "SMTP" in services and not call.switch("Force"):
        raise call.not_modelled("-Services SMTP without -Force (the prompt to overwrite the default certificate)")
    version = call.host.spec.exchange_version
    if um_roles and version != "2007sp1":
        if any(_refused_for_um(call, role, thumbprint) for role in um_roles):
            return []
        if not in_dates(entry.certificate):
            exchange_error(call, _TASKS + "CertificateExpiredException",
                           f"The certificate with thumbprint {thumbprint} has expired.")  # fmt: skip
            return []
        if not call.switch("Force"):
            raise call.not_modelled("-Services UM/UMCallRouter without -Force (the confirmation prompt)")
        if is_self_signed(entry.certificate):
            machine.stores["Root"].add(StoredCertificate(entry.certificate))
        for role in um_roles:
            bind_um(machine, role, thumbprint)
    recorded = machine.exchange_services.setdefault(thumbprint, set())
    if "IIS" in services:
        for others in machine.exchange_services.values():
            others.discard("IIS")
    recorded |= services
    return []
