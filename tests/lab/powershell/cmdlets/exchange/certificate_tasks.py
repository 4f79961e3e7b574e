"""New-ExchangeCertificate -GenerateRequest, Import-ExchangeCertificate and Remove-ExchangeCertificate per version.

Sources: host-facts.md "Certificate cmdlets by Exchange version" (the parameters of each version, in the catalog);
Exchange 15.00.1497's NewExchangeCertificate, ImportExchangeCertificate and RemoveExchangeCertificate tasks, their
server side ExchangeCertificateServerHelper (CreateCertificate, ImportCertificate, RemoveCertificate) and
CertificateEnroller (GeneratePkcs10Request, TryAcceptPkcs7), as decompiled in public repositories; the cmdlet help
of 2007 SP1 (exchg.80), 2010 (exchg.141) and 2013 (exchg.150) for the examples and defaults. The 2013 code is taken
for 2007 and 2010 where their help says nothing else (assumed, docs/lab.md).

What the tasks do on the simulated machine:
- a request: a real RSA key in the machine context (CX509Enrollment.Initialize(ContextMachine)), AT_KEYEXCHANGE in
  the RSA SChannel provider (ConvertRequest: KeySpec 1, ProviderType 12), exportable only with
  -PrivateKeyExportable $true (ExportPolicy), the PKCS#10 request, and the pending request in the machine's REQUEST
  store (the place certreq -new uses) with the request written onto it (WritePkcs10Request), so that
  Get-ExchangeCertificate shows it as PendingRequest;
- an import: first as a response to a pending request (TryAcceptPkcs7: InstallResponse with AllowUntrustedRoot
  pairs the certificate with the pending key into My and removes the REQUEST entry; the response's CA certificates
  go to the CA store, as InstallResponse's AllowUntrustedRoot flag documents), else as a certificate or PFX file
  added to My as it is (a certificate without its key stays without key), the friendly name from -FriendlyName;
- a removal: from My, else from REQUEST; 2013 refuses the certificate UM or the UM Call Router uses.
"""

from __future__ import annotations

import base64
import binascii
import datetime
import uuid
from collections.abc import Iterable
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12
from cryptography.x509.name import _ASN1Type

from ....hosts.certs import StoredCertificate
from ...commands import CmdletCall, cmdlet
from ...dotnet.system import full_path, process_state
from ...programs import _native
from ...programs._native import ProgramError
from ...programs.csr import RequestContent, encode_request, request_file
from ...programs.x500 import parse_x500
from ...values import NetObject, PSArray, TypedInt, net_type, prop
from .._common import refuse, strings
from ._common import on_this_server
from .certificates import (
    certificate_error,
    exchange_certificate,
    invalid_for_exchange,
    not_found_text,
    usable,
    wanted_thumbprint,
)

__all__ = ["BinaryFileDataObject"]

_TASKS = "Microsoft.Exchange.Management.SystemConfigurationTasks."
# GeneratePkcs10Request / ConvertRequest: the RSA SChannel provider (PROV_RSA_SCHANNEL 12), AT_KEYEXCHANGE.
_PROVIDER = "Microsoft RSA SChannel Cryptographic Provider"
# The help of 2013: KeySize 1024, 2048 (default) or 4096; the 2007 SP1 and 2010 help give the same default.
_KEY_SIZES = (1024, 2048, 4096)
# The default friendly name (2007 SP1 Import-ExchangeCertificate help; CreateCertificate's "Microsoft Exchange").
_DEFAULT_FRIENDLY_NAME = "Microsoft Exchange"
_ASSUMED_TEXTS = {
    # The resource texts behind these Strings are not in the sources found: the lab's wording (docs/lab.md).
    "data_invalid": "The certificate data is invalid.",
    "base64_invalid": "The certificate data isn't a valid Base64 string.",
    "exists": "Cannot import certificate. A certificate with the thumbprint {thumbprint} already exists.",
    "file_invalid": "The request file {path} already exists or can't be written.",
    "um": "The certificate with thumbprint {thumbprint} can't be removed because the UM service uses it.",
    "umcr": "The certificate with thumbprint {thumbprint} can't be removed because the UM Call Router uses it.",
}


@net_type("Microsoft.Exchange.Data.BinaryFileDataObject")
class BinaryFileDataObject(NetObject):
    """What -GenerateRequest -BinaryEncoded writes (ProcessRequestResults): the DER request as FileData; the
    type's namespace is assumed."""

    def __init__(self, data: bytes) -> None:
        self.data = data

    @prop("FileData")
    def _file_data(self) -> PSArray:
        return PSArray([TypedInt(byte, "System.Byte") for byte in self.data], "System.Byte")


def _version(call: CmdletCall) -> str:
    return call.host.spec.exchange_version or ""


def _ambiguous(call: CmdletCall) -> None:
    """Two parameter sets named at once: PowerShell's binder refuses before the task runs."""
    call.throw(
        "Parameter set cannot be resolved using the specified named parameters.",
        fqid="AmbiguousParameterSet",
        category="InvalidArgument",
        exception="System.Management.Automation.ParameterBindingException",
    )


def _refuse_what_if(call: CmdletCall) -> None:
    if call.switch("WhatIf"):
        raise call.not_modelled("-WhatIf (the task's confirmation text is not known)")


# -- New-ExchangeCertificate -GenerateRequest ------------------------------------------------------------------------


def _subject(call: CmdletCall, domains: list[str]) -> x509.Name:
    """-SubjectName as X500DistinguishedName (CertStrToName) re-encoded by the server from its text with
    X500DistinguishedNameFlags.UseUTF8Encoding and no Reversed flag (CreateCertificate): the RDNs in the order
    written, UTF8String values. Without it, CN= the first domain name, else CN= the server name (the 2013-2016
    help; assumed for 2007 SP1 and 2010)."""
    if not call.has("SubjectName"):
        common_name = domains[0] if domains else call.host.spec.computer_name
        return x509.Name([x509.NameAttribute(x509.NameOID.COMMON_NAME, common_name, _ASN1Type.UTF8String)])
    text = call.engine.to_string(call.get("SubjectName"))
    try:
        parsed = parse_x500(text)
    except ProgramError:
        call.throw(
            f"Cannot process argument transformation on parameter 'SubjectName'. Cannot convert value \"{text}\" to "
            'type "System.Security.Cryptography.X509Certificates.X500DistinguishedName".',
            fqid="ParameterArgumentTransformationError",
            category="InvalidData",
            exception="System.Management.Automation.ParameterBindingException",
        )
        raise AssertionError from None
    rdns = [
        x509.RelativeDistinguishedName(
            [x509.NameAttribute(attribute.oid, str(attribute.value), _ASN1Type.UTF8String) for attribute in rdn]
        )
        for rdn in reversed(parsed.rdns)
    ]
    return x509.Name(rdns)


def _domains(call: CmdletCall) -> list[str]:
    """-DomainName, then the server's FQDN (-IncludeServerFQDN) and NetBIOS name (-IncludeServerNetBIOSName), each
    once (the list EnsureCreateDefaults hands to the request's subject alternative names)."""
    names = strings(call, call.get("DomainName"))
    if call.switch("IncludeServerFQDN"):
        names.append(call.host.spec.fqdn)
    if call.switch("IncludeServerNetBIOSName"):
        names.append(call.host.spec.computer_name)
    unique: list[str] = []
    for name in names:
        if name.lower() not in (known.lower() for known in unique):
            unique.append(name)
    return unique


def _key_size(call: CmdletCall) -> int:
    size = int(call.engine.convert(call.get("KeySize"), "System.Int32")) if call.has("KeySize") else 2048
    if size not in _KEY_SIZES:
        raise call.not_modelled(f"-KeySize {size} (the help allows 1024, 2048 and 4096; the error is not known)")
    return size


def _placeholder(call: CmdletCall, subject: x509.Name, key: rsa.RSAPrivateKey, extensions: list[Any]) -> Any:
    """The REQUEST store's entry: a self-signed certificate of the request (CertEnroll's dummy certificate;
    its validity of a year is assumed, as for certreq's)."""
    now = call.host.now().replace(microsecond=0)
    builder = (
        x509.CertificateBuilder().subject_name(subject).issuer_name(subject).public_key(key.public_key())
        .serial_number(x509.random_serial_number()).not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
    )  # fmt: skip
    for extension in extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(key, hashes.SHA256())


def _request_path(call: CmdletCall) -> str | None:
    """Where the request file goes: 2007 SP1's -Path, 2013's -RequestFile (2010 has neither)."""
    for name in ("Path", "RequestFile"):
        if call.has(name):
            return call.engine.to_string(call.get(name))
    return None


def _check_request_file(call: CmdletCall, path: str) -> bool:
    """2013 IsValidRequestFile, before any key is made: a file that exists, or one that cannot be created (it
    writes "H" and deletes it again), is refused; a name without a known certificate extension gets ".req"
    (WriteRequest; only .req names are modelled)."""
    if not path.lower().endswith(".req"):
        raise call.not_modelled("-RequestFile without the .req extension (AllowedCertificateTypes is not known)")
    try:
        _native.write_file(call.host, path, b"H", overwrite=False)
    except ProgramError:
        message = _ASSUMED_TEXTS["file_invalid"].format(path=path)
        certificate_error(call, message, category="InvalidArgument", fqid="CertificateInvalidRequestFile")
        return False
    call.host.machine.files.delete(full_path(path, process_state(call.host)))
    return True


@cmdlet(
    "New-ExchangeCertificate",
    switches=("GenerateRequest", "BinaryEncoded", "Force", "IncludeAcceptedDomains", "IncludeAutoDiscover",
              "IncludeServerFQDN", "IncludeServerNetBIOSName"),
    types={"PrivateKeyExportable": "System.Boolean"},
    exchange=True, reads_directory=True,
)  # fmt: skip
def new_exchange_certificate(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("Instance", "DomainController", "IncludeAcceptedDomains", "IncludeAutoDiscover",
                  "SubjectKeyIdentifier"))  # fmt: skip
    _refuse_what_if(call)
    if call.has("Services") and (call.has("GenerateRequest") or call.has("RequestFile") or call.has("BinaryEncoded")):
        _ambiguous(call)  # -Services is of the Certificate set, the others of the Request set (every version)
    if not call.switch("GenerateRequest"):
        raise call.not_modelled("without -GenerateRequest (self-signed certificates)")
    if not on_this_server(call):
        return []
    version = _version(call)
    path = _request_path(call)
    if version == "2007sp1" and path is None:
        raise call.not_modelled("-GenerateRequest without -Path on 2007 SP1 (what it writes then is not known)")
    if version == "2013" and path is not None and not _check_request_file(call, path):
        return []
    friendly_name = call.engine.to_string(call.get("FriendlyName")) if call.has("FriendlyName") else ""
    if len(friendly_name) >= 64:
        raise call.not_modelled("-FriendlyName of 64 characters or more (the help: less than 64; the error)")
    domains = _domains(call)
    subject = _subject(call, domains)
    key = rsa.generate_private_key(public_exponent=65537, key_size=_key_size(call))
    extensions: list[Any] = []
    if domains:
        san = x509.SubjectAlternativeName([x509.DNSName(name) for name in domains])
        extensions.append(x509.Extension(san.oid, False, san))
    content = RequestContent(
        os_version=call.host.spec.os_version, key_spec=1, provider=_PROVIDER, extensions=extensions,
        name_value_pairs=(), client=None,
    )  # fmt: skip
    request = encode_request(subject, key, "sha1", content)
    der = request.public_bytes(serialization.Encoding.DER)
    text = request_file(request, binary=False).decode("ascii").rstrip("\r\n")
    call.host.machine.stores["REQUEST"].add(
        StoredCertificate(
            _placeholder(call, subject, key, extensions), key, friendly_name or _DEFAULT_FRIENDLY_NAME,
            key_container=str(uuid.uuid4()), key_provider=_PROVIDER, key_spec=1,
            key_exportable=bool(call.get("PrivateKeyExportable", False)),
            exchange_request=base64.b64encode(der).decode("ascii"),
        )
    )  # fmt: skip
    binary = call.switch("BinaryEncoded")
    if path is not None:
        try:
            # 2007 SP1's -Force overwrites an existing request file (its help); the key exists before the file is
            # written, so a failed write leaves the pending request behind (assumed, the pessimistic order).
            overwrite = version == "2007sp1" and call.switch("Force")
            _native.write_file(call.host, path, der if binary else text.encode("ascii"), overwrite=overwrite)
        except ProgramError as error:
            certificate_error(call, error.result.message, category="InvalidOperation", fqid="RequestFileInvalid")
            return []
    if version == "2007sp1":
        return []  # assumed: with -Path the request goes to the file only (docs/lab.md)
    # ProcessRequestResults: the DER bytes as BinaryFileDataObject, else the PEM-armoured text (the 2010 help's
    # "$Data = New-ExchangeCertificate -GenerateRequest ...; Set-Content -Path ... -Value $Data").
    return [BinaryFileDataObject(der) if binary else text]


# -- Import-ExchangeCertificate --------------------------------------------------------------------------------------


def _import_text(call: CmdletCall) -> str | None:
    """The data as the task hands it to the server: -FileData / -FileName / 2007's -Path bytes through
    CertificateEnroller.ToBase64String (Base64 of the bytes when one is 127 or more, else the bytes as text),
    -Instance joined; then RemoveBase64HeaderFooter (only CERTIFICATE and PKCS7 armour)."""
    given = [name for name in ("FileData", "FileName", "Path", "Instance") if call.has(name)]
    if len(given) > 1:
        _ambiguous(call)
    if not given:
        raise call.not_modelled("without -FileData, -FileName or -Instance (a prompt for the mandatory parameter)")
    name = given[0]
    if name == "Instance":
        text = "".join(strings(call, call.get("Instance")))
    else:
        if name == "FileData":
            data = bytes(int(byte) & 0xFF for byte in call.engine.enumerate(call.get("FileData")))
        else:
            path = call.engine.to_string(call.get(name))
            try:
                data = _native.read_file(call.host, path)
            except ProgramError as error:
                certificate_error(call, error.result.message, category="InvalidOperation", fqid="FileInvalid")
                return None
        text = base64.b64encode(data).decode("ascii") if any(byte >= 127 for byte in data) else data.decode("latin-1")
    text = text.strip()
    for header, footer in (("-----BEGIN CERTIFICATE-----", "-----END CERTIFICATE-----"),
                           ("-----BEGIN PKCS7-----", "-----END PKCS7-----")):  # fmt: skip
        if text.upper().startswith(header):
            text = text[len(header) :]
        if text.upper().endswith(footer):
            text = text[: -len(footer)]
    return text


def _public_key(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def _imported(certificates: list[x509.Certificate]) -> x509.Certificate | None:
    """FindImportedCertificate: a lone certificate, else the first whose key usage lacks keyCertSign."""
    if len(certificates) == 1:
        return certificates[0]
    for certificate in certificates:
        try:
            usage = certificate.extensions.get_extension_for_class(x509.KeyUsage).value
        except x509.ExtensionNotFound:
            continue
        if not usage.key_cert_sign:
            return certificate
    return None


def _certificates_of(blob: bytes) -> list[x509.Certificate]:
    try:
        return [x509.load_der_x509_certificate(blob)]
    except ValueError:
        pass
    try:
        return list(pkcs7.load_der_pkcs7_certificates(blob))
    except ValueError:
        return []


def _decode_any(text: str) -> bytes | None:
    """XCN_CRYPT_STRING_BASE64_ANY: Base64 with or without any armour."""
    lines = [line.strip() for line in text.splitlines() if line.strip() and not line.strip().startswith("-----")]
    try:
        return base64.b64decode("".join(lines), validate=True)
    except (binascii.Error, ValueError):
        return None


def _accept(call: CmdletCall, text: str) -> StoredCertificate | None:
    """TryAcceptPkcs7: InstallResponse(AllowUntrustedRoot) in the machine context - the end-entity certificate of
    the response paired with the pending request holding its public key (into My, the REQUEST entry removed), the
    response's CA certificates to the CA store; None when no pending request matches."""
    blob = _decode_any(text)
    certificates = _certificates_of(blob) if blob else []
    issued = _imported(certificates) if certificates else None
    if issued is None:
        return None
    machine = call.host.machine
    wanted = _public_key(issued)
    pending = next((entry for entry in machine.stores["REQUEST"].entries()
                    if _public_key(entry.certificate) == wanted), None)  # fmt: skip
    if pending is None:
        return None
    machine.stores["REQUEST"].remove(pending.thumbprint)
    entry = StoredCertificate(
        issued, pending.private_key, pending.friendly_name, key_container=pending.key_container,
        key_provider=pending.key_provider, key_spec=pending.key_spec, key_exportable=pending.key_exportable,
    )  # fmt: skip
    existing = machine.stores["My"].get(entry.thumbprint)
    if existing is None:
        machine.stores["My"].add(entry)
    else:
        existing.private_key, existing.key_container = entry.private_key, entry.key_container
        existing.key_provider, existing.key_spec = entry.key_provider, entry.key_spec
        existing.key_exportable = entry.key_exportable
        entry = existing
    for certificate in certificates:
        if certificate is not issued:
            machine.stores["CA"].add(StoredCertificate(certificate))
    return entry


def _load_file(call: CmdletCall, raw: bytes, password: str | None, exportable: bool) -> StoredCertificate | None:
    """X509Certificate2Collection.Import (MachineKeySet | PersistKeySet, Exportable with -PrivateKeyExportable) of
    a certificate, PKCS#7 or PFX, then FindImportedCertificate; only that certificate goes to My."""
    certificates = _certificates_of(raw)
    key = None
    if not certificates:
        try:
            key, main, others = pkcs12.load_key_and_certificates(raw, (password or "").encode("utf-8"))
        except ValueError:
            return None
        certificates = ([main] if main is not None else []) + list(others)
    chosen = _imported(certificates)
    if chosen is None:
        return None
    if key is not None and _public_key(chosen) != key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    ):
        key = None
    return StoredCertificate(chosen, key, key_exportable=exportable and key is not None)  # type: ignore[arg-type]


@cmdlet(
    "Import-ExchangeCertificate",
    types={"FileData": "System.Byte[]", "PrivateKeyExportable": "System.Boolean", "Instance": "System.String[]"},
    exchange=True, reads_directory=True,
)  # fmt: skip
def import_exchange_certificate(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController",))
    _refuse_what_if(call)
    text = _import_text(call)
    if text is None or not on_this_server(call):
        return []
    if not text:
        certificate_error(
            call, _ASSUMED_TEXTS["data_invalid"], category="ReadError", fqid="ImportCertificateDataInvalid"
        )
        return []
    friendly_name = call.engine.to_string(call.get("FriendlyName")) if call.has("FriendlyName") else ""
    machine = call.host.machine
    entry = _accept(call, text)
    if entry is None:
        try:
            raw = base64.b64decode("".join(text.split()), validate=True)
        except (binascii.Error, ValueError):
            certificate_error(call, _ASSUMED_TEXTS["base64_invalid"], category="ReadError",
                              fqid="ImportCertificateBase64DataInvalid")  # fmt: skip
            return []
        password = call.get("Password")
        revealed = password.reveal() if password is not None and hasattr(password, "reveal") else None
        entry = _load_file(call, raw, revealed, bool(call.get("PrivateKeyExportable", False)))
        if entry is None:
            certificate_error(call, _ASSUMED_TEXTS["data_invalid"], category="ReadError",
                              fqid="ImportCertificateDataInvalid")  # fmt: skip
            return []
        if entry.thumbprint in machine.stores["My"]:
            certificate_error(
                call, _ASSUMED_TEXTS["exists"].format(thumbprint=entry.thumbprint),
                category="WriteError", fqid="ImportCertificateAlreadyExists",
            )  # fmt: skip
            return []
        machine.stores["My"].add(entry)
    if friendly_name:
        entry.friendly_name = friendly_name
    return [exchange_certificate(call, entry, pending=False)]


# -- Remove-ExchangeCertificate --------------------------------------------------------------------------------------


def _confirmed(call: CmdletCall) -> bool:
    """Remove-* tasks ask for confirmation unless -Confirm:$false (the Exchange help's "built-in pause"); a
    prompt cannot be answered in a WinRM command."""
    return call.has("Confirm") and not call.switch("Confirm")


def _in_use(call: CmdletCall, thumbprint: str) -> str | None:
    """2013 RemoveCertificate: the certificate UM (UMServer.UMCertificateThumbprint) or the Call Router
    (SIPFEServerConfiguration.UMCertificateThumbprint) has is refused (host-facts.md)."""
    machine = call.host.machine
    if _version(call) != "2013":
        return None
    for binding, text in ((machine.um, "um"), (machine.call_router, "umcr")):
        bound = binding.certificate_thumbprint if binding is not None else None
        if bound and bound.upper() == thumbprint:
            return _ASSUMED_TEXTS[text].format(thumbprint=thumbprint)
    return None


@cmdlet("Remove-ExchangeCertificate", exchange=True, reads_directory=True)
def remove_exchange_certificate(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController",))
    _refuse_what_if(call)
    if call.has("Thumbprint") and call.has("Identity"):
        _ambiguous(call)
    if not _confirmed(call):
        raise call.not_modelled("without -Confirm:$false (a confirmation prompt)")
    if not on_this_server(call):
        return []
    thumbprint = wanted_thumbprint(call)
    if thumbprint is None:
        raise call.not_modelled("without -Thumbprint or -Identity (a prompt for the mandatory parameter)")
    if thumbprint == "":
        return []
    machine = call.host.machine
    entry = machine.stores["My"].get(thumbprint)
    if entry is not None:
        if not usable(entry):
            certificate_error(call, invalid_for_exchange(thumbprint), category="NotSpecified")
            return []
        refusal = _in_use(call, thumbprint)
        if refusal is not None:
            certificate_error(call, refusal, category="InvalidArgument", fqid="CannotRemoveUMCertificate")
            return []
        machine.stores["My"].remove(thumbprint)
        machine.exchange_services.pop(thumbprint, None)
        return []
    if machine.stores["REQUEST"].remove(thumbprint):
        return []
    certificate_error(call, not_found_text(thumbprint), category="ObjectNotFound")
    return []
