"""certreq.exe: ``-new`` (a key pair and a PKCS#10 request from an INF) and ``-accept`` (the issued certificate paired
with the pending key), per Windows version.

Sources: Microsoft's "certreq" page (Windows Commands, learn.microsoft.com; MicrosoftDocs/windowsserverdocs
certreq_1.md) for the verbs, options, INF keys and values; "Appendix 3: Certreq.exe Syntax" (Windows Server 2003
with SP1, cc736326) for the 2003 version ("Once you have created a certificate request with certreq.exe, it remains
in a pending state on your computer" until accepted); "How to Request a Certificate With a Custom Subject
Alternative Name" (ff625722) and host-facts.md "certreq / certutil" for the SAN syntax per version (the 2008+
``[Extensions] 2.5.29.17 = "{text}"`` / ``_continue_``, the 2003 ``[RequestAttributes] SAN``). Output seen in
reports: ``CertReq: Request Created``; the ``Installed Certificate:`` block of -accept; errors as
``Certificate Request Processor: <message> <code>``. What is assumed is marked so here and in docs/lab.md.

The pending request is what Windows keeps in the context's REQUEST store ("Certificate Enrollment Requests"): a
self-signed placeholder certificate with the request's subject, extensions and public key, holding the private key.
``-accept`` "links the previously generated private key with the issued certificate and removes the pending
certificate request" (certreq page); the match is by public key ("an outstanding request in either context that
matches the public key being installed").
"""

from __future__ import annotations

import dataclasses
import datetime
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from cryptography.x509.oid import ObjectIdentifier

from ...hosts.certs import StoredCertificate, windows_name
from ..errors import NotModelled
from . import _native
from ._native import ProgramError, ProgramRun
from .certificates import load_certificates, serial_text
from .csr import HASHES, RequestContent, encode_request, request_file
from .inf import Inf, decode_inf, parse_inf
from .x500 import parse_x500

if TYPE_CHECKING:
    from ...hosts.state import CertificateStore
    from ..context import Host

__all__ = ["certreq"]

_VERBS = ("new", "accept", "submit", "retrieve", "policy", "sign", "enroll")
# Options of the certreq page; -user and -machine are not among Windows Server 2003's (Appendix 3 lists none such:
# the context comes from the INF there; the pessimistic reading, docs/lab.md).
_SWITCHES_2008 = {"q", "f", "machine", "user", "binary", "unicode", "unicodetext", "any", "crl", "rpc",
                  "adminforcemachine", "renewonbehalfof", "anonymous", "kerberos"}  # fmt: skip
_SWITCHES_2003 = {"q", "f", "binary", "any", "crl", "rpc"}
_VALUED = {"config", "attrib", "policyserver", "clientcertificate", "username", "p", "cert"}
_MODELLED_SWITCHES = {"q", "f", "machine", "user", "binary"}

# CryptoAPI providers (CryptAcquireContext / the CSP list of each Windows version) and their types: PROV_RSA_FULL 1,
# PROV_RSA_SCHANNEL 12, PROV_RSA_AES 24; the CNG key storage provider from Windows Vista / Server 2008.
_CSP_TYPES = {
    name.lower(): (name, provider_type)
    for name, provider_type in (
        ("Microsoft Enhanced Cryptographic Provider v1.0", 1),
        ("Microsoft Strong Cryptographic Provider", 1),
        ("Microsoft RSA SChannel Cryptographic Provider", 12),
        ("Microsoft Enhanced RSA and AES Cryptographic Provider", 24),
    )
}
_DEFAULT_OF_TYPE = {1: "microsoft strong cryptographic provider", 12: "microsoft rsa schannel cryptographic provider",
                    24: "microsoft enhanced rsa and aes cryptographic provider"}  # fmt: skip
KSP = "Microsoft Software Key Storage Provider"

# [NewRequest] keys of the certreq page that the lab reads; keys CertEnroll (Vista / 2008) brought are not in
# Appendix 3's Windows Server 2003 version.
_KEYS_2003 = {"subject", "exportable", "keylength", "keyspec", "keyusage", "machinekeyset", "providername",
              "providertype", "requesttype", "silent", "smime", "privatekeyarchive", "userprotected",
              "useexistingkeyset"}  # fmt: skip
_KEYS_2008 = _KEYS_2003 | {"hashalgorithm", "friendlyname", "keyalgorithm", "alternatesignaturealgorithm"}
_DOCUMENTED_OTHER = {"exportableencrypted", "keycontainer", "keyusageproperty", "notbefore", "notafter",
                     "encryptionalgorithm", "encryptionlength", "renewalcert", "requestername", "securitydescriptor",
                     "keyprotection", "suppressdefaults", "validityperiod", "validityperiodunits", "x500nameflags",
                     "subjectnameflags"}  # fmt: skip
# Keys the lab accepts with FALSE only (their TRUE asks for what is not modelled).
_FALSE_ONLY = {"smime", "privatekeyarchive", "userprotected", "useexistingkeyset", "alternatesignaturealgorithm"}

_KEY_USAGE_NAMES = {
    "cert_digital_signature_key_usage": 0x80, "cert_non_repudiation_key_usage": 0x40,
    "cert_key_encipherment_key_usage": 0x20, "cert_data_encipherment_key_usage": 0x10,
    "cert_key_agreement_key_usage": 0x08, "cert_key_cert_sign_key_usage": 0x04,
    "cert_offline_crl_sign_key_usage": 0x02, "cert_crl_sign_key_usage": 0x02,
    "cert_encipher_only_key_usage": 0x01, "cert_decipher_only_key_usage": 0x8000,
}  # fmt: skip
_SAN = "2.5.29.17"
_EKU = "2.5.29.37"
# certsrv-protocol.md / MS-WCCE: a v1 template's name in the Certificate Template Name extension (BMPString).
_TEMPLATE_NAME = ObjectIdentifier("1.3.6.1.4.1.311.20.2")


@dataclass
class _Arguments:
    verb: str | None = None
    switches: set[str] = field(default_factory=set)
    files: list[str] = field(default_factory=list)


def _parse(host: Host, arguments: list[str]) -> _Arguments | ProgramRun:
    legacy = _native.windows_version(host) < (6, 0)
    known = _SWITCHES_2003 if legacy else _SWITCHES_2008
    parsed = _Arguments()
    for token in arguments:
        if token[:1] in ("-", "/") and len(token) > 1:
            name = token[1:].lower()
            if name in _VERBS:
                if parsed.verb is not None:
                    return _usage(token)
                parsed.verb = name
            elif name in known:
                if name not in _MODELLED_SWITCHES:
                    raise NotModelled(f"certreq's option {token}")
                parsed.switches.add(name)
            elif name in _VALUED or name in ("?", "v"):
                raise NotModelled(f"certreq's option {token}")
            else:
                return _usage(token)
        else:
            parsed.files.append(token)
    return parsed


def _usage(token: str) -> ProgramRun:
    """An option certreq does not have: the text is assumed (certutil's measured "Unknown arg" form), exit 1."""
    return ProgramRun(f"CertReq: Unknown arg: {token}\r\n", 1)


def _failed(error: ProgramError) -> ProgramRun:
    result = error.result
    return ProgramRun(f"Certificate Request Processor: {result.message} {result.text}\r\n", result.signed)


def certreq(host: Host, arguments: list[str]) -> ProgramRun:
    parsed = _parse(host, arguments)
    if isinstance(parsed, ProgramRun):
        return parsed
    verb = parsed.verb or "submit"  # the certreq page: -submit is the default verb
    if verb not in ("new", "accept"):
        raise NotModelled(f"certreq -{verb}")
    if "machine" in parsed.switches and "user" in parsed.switches:
        raise NotModelled("certreq with both -machine and -user")
    try:
        return _new(host, parsed) if verb == "new" else _accept(host, parsed)
    except ProgramError as error:
        return _failed(error)


# -- -new -----------------------------------------------------------------------------------------------------------


@dataclass
class _Request:
    subject: x509.Name
    key_spec: int
    key_length: int
    exportable: bool
    machine: bool
    provider: str
    hash_name: str
    friendly_name: str
    extensions: list[x509.Extension[x509.ExtensionType]]
    attributes: list[tuple[str, str]]


def _boolean(text: str) -> bool:
    lowered = text.strip().lower()
    if lowered in ("true", "1"):
        return True
    if lowered in ("false", "0"):
        return False
    raise ProgramError("ERROR_INVALID_DATA")  # assumed: the code certreq gives a value it cannot read


def _number(text: str) -> int:
    try:
        return int(text.strip(), 0)
    except ValueError:
        raise ProgramError("ERROR_INVALID_DATA") from None


def _key_spec(text: str) -> int:
    lowered = text.strip().lower()
    named = {"at_keyexchange": 1, "at_signature": 2, "at_none": 0}
    value = named[lowered] if lowered in named else _number(text)
    if value == 0:
        raise NotModelled("certreq KeySpec AT_NONE (a CNG key without a legacy key spec)")
    if value not in (1, 2):
        raise ProgramError("ERROR_INVALID_DATA")
    return value


def _key_usage(text: str) -> x509.KeyUsage:
    bits = 0
    for part in text.split("|"):
        name = part.strip().lower()
        bits |= _KEY_USAGE_NAMES[name] if name in _KEY_USAGE_NAMES else _number(part)
    try:
        return x509.KeyUsage(
            digital_signature=bool(bits & 0x80), content_commitment=bool(bits & 0x40),
            key_encipherment=bool(bits & 0x20), data_encipherment=bool(bits & 0x10),
            key_agreement=bool(bits & 0x08), key_cert_sign=bool(bits & 0x04), crl_sign=bool(bits & 0x02),
            encipher_only=bool(bits & 0x01), decipher_only=bool(bits & 0x8000),
        )  # fmt: skip
    except ValueError:
        raise ProgramError("ERROR_INVALID_DATA") from None


def _provider(host: Host, name: str | None, type_text: str | None) -> tuple[str, int]:
    """The provider and its type; CryptAcquireContext's errors for an unknown name (NTE_KEYSET_NOT_DEF), an unknown
    type (NTE_PROV_TYPE_NOT_DEF) and a type that is not the named provider's (NTE_PROV_TYPE_NO_MATCH)."""
    version = _native.windows_version(host)
    wanted = None if type_text is None else _number(type_text)
    if name is None:
        if wanted is None:
            # Assumed defaults (docs/lab.md): the CNG key storage provider from 2008 (the certreq page's "Microsoft
            # Software Key Storage Provider as the CSP"), the Strong CSP on 2003.
            return (KSP, 0) if version >= (6, 0) else _CSP_TYPES[_DEFAULT_OF_TYPE[1]]
        if wanted not in _DEFAULT_OF_TYPE or (wanted == 24 and version < (6, 0)):
            raise ProgramError("NTE_PROV_TYPE_NOT_DEF")
        return _CSP_TYPES[_DEFAULT_OF_TYPE[wanted]]
    lowered = name.strip().lower()
    if lowered == "microsoft base cryptographic provider v1.0":
        raise NotModelled("the Microsoft Base Cryptographic Provider (its key length limits)")
    if lowered == KSP.lower() and version >= (6, 0):
        if wanted not in (None, 0):
            raise ProgramError("NTE_PROV_TYPE_NO_MATCH")
        return KSP, 0
    if lowered == "microsoft enhanced rsa and aes cryptographic provider" and version < (6, 0):
        raise NotModelled("the AES provider's name on Windows Server 2003")
    if lowered not in _CSP_TYPES:
        raise ProgramError("NTE_KEYSET_NOT_DEF")
    provider, provider_type = _CSP_TYPES[lowered]
    if wanted is not None and wanted != provider_type:
        raise ProgramError("NTE_PROV_TYPE_NO_MATCH")
    return provider, provider_type


def _check_key_length(length: int, provider: str) -> None:
    """CryptGenKey: RSA keys of 384 to 16384 bits in steps of 8 for the RSA CSPs (NTE_BAD_FLAGS otherwise); the CNG
    provider 512 to 16384 in steps of 64 (NTE_INVALID_PARAMETER, assumed). The lab makes keys of 1024 to 4096 bits."""
    if provider == KSP:
        if not 512 <= length <= 16384 or length % 64:
            raise ProgramError("NTE_INVALID_PARAMETER")
    elif not 384 <= length <= 16384 or length % 8:
        raise ProgramError("NTE_BAD_FLAGS")
    if not 1024 <= length <= 4096:
        raise NotModelled(f"RSA keys of {length} bits (the lab makes 1024 to 4096)")


def _san_names(text: str) -> list[x509.GeneralName]:
    """The 2008+ ``{text}`` form of 2.5.29.17: ``type=value`` entries joined by ``&`` (the certreq page's
    DNS=, EMail=, UPN=, URL=, IPAddress= / IP Address= examples)."""
    import ipaddress

    names: list[x509.GeneralName] = []
    for entry in text.split("&"):
        if not entry.strip():
            continue
        kind, equals, value = entry.partition("=")
        kind = kind.strip().lower().replace(" ", "")
        value = value.strip()
        if not equals or not value:
            raise ProgramError("ERROR_INVALID_DATA")
        if kind == "dns":
            names.append(x509.DNSName(value))
        elif kind == "email":
            names.append(x509.RFC822Name(value))
        elif kind == "url":
            names.append(x509.UniformResourceIdentifier(value))
        elif kind == "upn":
            encoded = value.encode("utf-8")
            names.append(x509.OtherName(ObjectIdentifier("1.3.6.1.4.1.311.20.2.3"),
                                        bytes([0x0C, len(encoded)]) + encoded))  # fmt: skip
        elif kind == "ipaddress":
            try:
                names.append(x509.IPAddress(ipaddress.ip_address(value)))
            except ValueError:
                raise ProgramError("ERROR_INVALID_DATA") from None
        else:
            raise NotModelled(f"the SAN entry type {kind!r} of certreq's {{text}} syntax")
    return names


def _extension_texts(inf: Inf) -> list[tuple[str, str]]:
    """[Extensions]: ``OID = "{text}..."`` entries with their ``_continue_`` lines appended; other keys as they are."""
    texts: list[tuple[str, str]] = []
    for entry in inf.section("Extensions") or []:
        key = (entry.key or "").strip()
        if key.lower() == "_continue_":
            if not texts or not texts[-1][1].lower().startswith("{text}"):
                raise ProgramError("ERROR_INVALID_DATA")
            texts[-1] = (texts[-1][0], texts[-1][1] + entry.value)
        else:
            texts.append((key, entry.value))
    return texts


def _extensions(host: Host, inf: Inf, key_usage: x509.KeyUsage | None) -> list[x509.Extension[x509.ExtensionType]]:
    version = _native.windows_version(host)
    values: dict[str, x509.ExtensionType] = {}
    critical: set[str] = set()
    if key_usage is not None:
        values["2.5.29.15"] = key_usage
    if inf.section("Extensions") is not None:
        if version < (6, 0):
            raise NotModelled("the [Extensions] section of Windows Server 2003's certreq (its SAN is the SAN request "
                              "attribute)")  # fmt: skip
        for oid, text in _extension_texts(inf):
            if oid.lower() == "critical":
                critical.update(part.strip() for part in text.split(",") if part.strip())
                continue
            if not text.lower().startswith("{text}"):
                raise NotModelled(f"certreq [Extensions] {oid} given as encoded data (only the {{text}} forms)")
            body = text[len("{text}") :]
            if oid == _SAN:
                values[_SAN] = x509.SubjectAlternativeName(_san_names(body))
            elif oid == _EKU:
                values[_EKU] = x509.ExtendedKeyUsage([ObjectIdentifier(part.strip()) for part in body.split(",")
                                                      if part.strip()])  # fmt: skip
            else:
                raise NotModelled(f"the certreq extension {oid} in the {{text}} syntax")
    legacy_eku = [entry.value for entry in inf.section("EnhancedKeyUsageExtension") or [] if entry.key
                  and entry.key.lower() == "oid"]  # fmt: skip
    if legacy_eku:
        if _EKU in values:
            raise NotModelled("an EKU in both [Extensions] and [EnhancedKeyUsageExtension]")
        values[_EKU] = x509.ExtendedKeyUsage([ObjectIdentifier(oid.strip()) for oid in legacy_eku])
    return [x509.Extension(ObjectIdentifier(oid), oid in critical, value) for oid, value in values.items()]


def _template(host: Host, name: str, quiet: bool) -> x509.Extension[x509.ExtensionType]:
    """certreq -new (2008+) looks the template of [RequestAttributes] up in the directory (reports: "Template not
    found. Do you wish to continue anyway?", and with -q no request, dsccommunity/CertificateDsc#49). The directory is
    reached with the logon's rights: only a logon with network credentials gets there, unless the lab setting
    ``certreq_template_cache`` lets the local template cache answer (assumed; docs/lab.md). The templates the lab's
    directory publishes are those of the lab's CA (tests/lab/pki.py)."""
    from ...pki import TEMPLATES

    template = TEMPLATES.get(name.lower())
    if template is None or not (host.network_credentials or host.machine.certreq_template_cache):
        if not quiet:
            raise NotModelled("certreq's prompt 'Template not found. Do you wish to continue anyway?' (no desktop "
                              "under WinRM; certreq -q answers it)")  # fmt: skip
        raise ProgramError("ERROR_CANCELLED")  # assumed code of the declined prompt under -q
    encoded = template.name.encode("utf-16-be")
    value = bytes([0x1E, len(encoded)]) + encoded
    return x509.Extension(_TEMPLATE_NAME, False, x509.UnrecognizedExtension(_TEMPLATE_NAME, value))


def _read_request(host: Host, inf: Inf, switches: set[str]) -> _Request:
    version = _native.windows_version(host)
    section = inf.section("NewRequest")
    if not section:
        raise ProgramError("SPAPI_E_SECTION_NOT_FOUND")  # the page: [NewRequest] is mandatory (code assumed)
    allowed = _KEYS_2003 if version < (6, 0) else _KEYS_2008
    values: dict[str, str] = {}
    for entry in section:
        if entry.key is None:
            raise ProgramError("SPAPI_E_GENERAL_SYNTAX")
        key = entry.key.lower()
        if key not in allowed:
            if key in _KEYS_2008 and version < (6, 0):
                where = "Windows Server 2003's certreq"
            elif key in _DOCUMENTED_OTHER:
                where = "documented, not modelled"
            else:
                where = "not in the certreq documentation"
            raise NotModelled(f"the INF key {entry.key} in [NewRequest] ({where})")
        values.setdefault(key, entry.value)
    for key in _FALSE_ONLY & values.keys():
        if _boolean(values[key]):
            raise NotModelled(f"certreq {key} = TRUE")
    if values.get("requesttype", "PKCS10").strip().lower() not in ("pkcs10", "1"):
        raise NotModelled(f"certreq RequestType = {values['requesttype']} (only PKCS10)")
    if values.get("keyalgorithm", "RSA").strip().lower() != "rsa":
        raise NotModelled(f"certreq KeyAlgorithm = {values['keyalgorithm']} (only RSA)")
    hash_name = values.get("hashalgorithm", "sha1").strip().lower()  # the certreq page's default: SHA1
    if hash_name in ("md2", "md4"):
        raise NotModelled(f"certreq HashAlgorithm = {hash_name}")
    if hash_name not in HASHES:
        raise ProgramError("NTE_BAD_ALGID")
    machine_key = _boolean(values["machinekeyset"]) if "machinekeyset" in values else None
    if "user" in switches and machine_key:
        raise NotModelled("certreq -new -user with MachineKeySet = TRUE")
    if "machine" in switches and machine_key is False:
        raise NotModelled("certreq -new -machine with MachineKeySet = FALSE")
    provider, _type = _provider(host, values.get("providername"), values.get("providertype"))
    # Assumed default key length (docs/lab.md): 2048 from Server 2012 (the page's defaults), 1024 before.
    key_length = _number(values["keylength"]) if "keylength" in values else (2048 if version >= (6, 2) else 1024)
    _check_key_length(key_length, provider)
    attributes = [(entry.key, entry.value) for entry in inf.section("RequestAttributes") or [] if entry.key]
    extensions = _extensions(host, inf, _key_usage(values["keyusage"]) if "keyusage" in values else None)
    template = next((value for name, value in attributes if name.lower() == "certificatetemplate"), None)
    if template is not None and version >= (6, 0):
        extensions.append(_template(host, template, "q" in switches))
    return _Request(
        subject=parse_x500(values.get("subject", "")),
        key_spec=_key_spec(values["keyspec"]) if "keyspec" in values else 1,
        key_length=key_length,
        exportable=_boolean(values["exportable"]) if "exportable" in values else False,
        machine=bool(machine_key) or "machine" in switches,
        provider=provider,
        hash_name=hash_name,
        friendly_name=values.get("friendlyname", ""),
        extensions=extensions,
        attributes=attributes,
    )


def _placeholder(host: Host, request: _Request, key: rsa.RSAPrivateKey) -> x509.Certificate:
    """The REQUEST store's entry: a self-signed certificate of the request (validity one year from now, assumed)."""
    now = host.now().replace(microsecond=0)
    builder = (
        x509.CertificateBuilder()
        .subject_name(request.subject)
        .issuer_name(request.subject)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now)
        .not_valid_after(now + datetime.timedelta(days=365))
    )
    for extension in request.extensions:
        builder = builder.add_extension(extension.value, extension.critical)
    return builder.sign(key, hashes.SHA256())


def _request_store(host: Host, machine: bool) -> CertificateStore:
    if machine:
        store = host.machine.machine_store("REQUEST", create=True)
    else:
        store = host.machine.user_store(_native.user_name(host), "REQUEST", create=True)
    assert store is not None
    return store


def _new(host: Host, parsed: _Arguments) -> ProgramRun:
    if len(parsed.files) != 2:
        raise NotModelled("certreq -new without both the INF and the request file (file dialogs)")
    inf_path, request_path = parsed.files
    inf = parse_inf(decode_inf(_native.read_file(host, inf_path), host.machine.ansi_code_page))
    request = _read_request(host, inf, parsed.switches)
    version = _native.windows_version(host)
    key = rsa.generate_private_key(public_exponent=65537, key_size=request.key_length)
    extensions = list(request.extensions)
    if version >= (6, 0):
        extensions.append(x509.Extension(x509.SubjectKeyIdentifier.oid, False,
                                         x509.SubjectKeyIdentifier.from_public_key(key.public_key())))  # fmt: skip
    user = f"{host.spec.netbios_domain}\\{_native.user_name(host)}"
    content = RequestContent(
        os_version=host.spec.os_version,
        key_spec=request.key_spec,
        provider=request.provider,
        extensions=extensions,
        name_value_pairs=request.attributes,
        client=(host.spec.fqdn, user) if version >= (6, 0) else None,
    )
    csr = encode_request(request.subject, key, request.hash_name, content)
    container = str(uuid.uuid4())
    _request_store(host, request.machine).add(
        StoredCertificate(
            _placeholder(host, request, key),
            key,
            request.friendly_name,
            key_container=container,
            key_provider=request.provider,
            key_spec=request.key_spec,
            key_exportable=request.exportable,
        )
    )
    # The pending request and its key exist before the file is written: a failed write leaves them behind (assumed,
    # the pessimistic order; certutil's measured EncodeToFile fails the same way after the work is done).
    _native.write_file(host, request_path, request_file(csr, binary="binary" in parsed.switches),
                       overwrite="f" in parsed.switches)  # fmt: skip
    # "CertReq: Request Created" (reports on 2008 R2 and later); nothing on 2003 (assumed).
    return ProgramRun("CertReq: Request Created\r\n" if version >= (6, 0) else "")


# -- -accept --------------------------------------------------------------------------------------------------------


def _public_key(certificate: x509.Certificate) -> bytes:
    return certificate.public_key().public_bytes(serialization.Encoding.DER,
                                                 serialization.PublicFormat.SubjectPublicKeyInfo)  # fmt: skip


def _contexts(host: Host, switches: set[str]) -> list[bool]:
    """The contexts searched for the pending request: the one named, else both ("an outstanding request in either
    context"), the machine's first."""
    if "machine" in switches:
        return [True]
    if "user" in switches:
        return [False]
    return [True, False]


def _pending(host: Host, machine: bool, certificate: x509.Certificate) -> StoredCertificate | None:
    if machine:
        store = host.machine.machine_store("REQUEST")
    else:
        store = host.machine.user_store(_native.user_name(host), "REQUEST")
    if store is None:
        return None
    wanted = _public_key(certificate)
    return next((entry for entry in store.entries() if _public_key(entry.certificate) == wanted), None)


def _is_ca(certificate: x509.Certificate) -> bool:
    try:
        return bool(certificate.extensions.get_extension_for_class(x509.BasicConstraints).value.ca)
    except x509.ExtensionNotFound:
        return False


def _issued(certificates: list[x509.Certificate]) -> x509.Certificate:
    """The end-entity certificate of a response: the one that is not a CA (a lone certificate is the one)."""
    leaves = [certificate for certificate in certificates if not _is_ca(certificate)]
    if len(certificates) == 1:
        return certificates[0]
    if len(leaves) != 1:
        raise NotModelled("certreq -accept of a response without exactly one end-entity certificate")
    return leaves[0]


def _store(host: Host, machine: bool, name: str) -> CertificateStore:
    if machine:
        store = host.machine.machine_store(name, create=True)
    else:
        store = host.machine.user_store(_native.user_name(host), name, create=True)
    assert store is not None
    return store


def _accept(host: Host, parsed: _Arguments) -> ProgramRun:
    if len(parsed.files) != 1:
        raise NotModelled("certreq -accept without exactly one response file (file dialogs)")
    certificates = load_certificates(_native.read_file(host, parsed.files[0]))
    if certificates is None:
        raise ProgramError("CRYPT_E_ASN1_BADTAG")  # assumed: what the decoder says of a file that is no response
    issued = _issued(certificates)
    found: tuple[bool, StoredCertificate] | None = None
    for machine in _contexts(host, parsed.switches):
        pending = _pending(host, machine, issued)
        if pending is not None:
            found = (machine, pending)
            break
    if found is None and not parsed.switches & {"machine", "user"}:
        raise ProgramError("CRYPT_E_NOT_FOUND")  # assumed code of "no outstanding request" (docs/lab.md)
    machine = found[0] if found is not None else "machine" in parsed.switches
    my = _store(host, machine, "My")
    entry = StoredCertificate(issued)
    if found is not None:
        pending = found[1]
        entry = dataclasses.replace(pending, certificate=issued)
        _request_store(host, machine).remove(pending.thumbprint)
    existing = my.get(entry.thumbprint)
    if existing is None:
        my.add(entry)
    elif entry.private_key is not None:
        existing.private_key, existing.key_container = entry.private_key, entry.key_container
        existing.key_provider, existing.key_spec = entry.key_provider, entry.key_spec
        existing.key_exportable = entry.key_exportable
        existing.friendly_name = entry.friendly_name or existing.friendly_name
    # The chain of a PKCS#7 response: CA certificates to the context's CA store; a self-signed root is not added
    # (assumed, the pessimistic reading: trust is the administrator's step, e.g. certutil -addstore Root).
    for certificate in certificates:
        if certificate is not issued and certificate.subject != certificate.issuer:
            _store(host, machine, "CA").add(StoredCertificate(certificate))
    if _native.windows_version(host) < (6, 0):
        return ProgramRun("")  # assumed: the 2003 version prints nothing on success
    lines = [
        "Installed Certificate:",
        f"  Serial Number: {serial_text(issued)}",
        f"  Subject: {windows_name(issued.subject)}",
        f"  NotBefore: {_native.local_time(host, issued.not_valid_before_utc)}",
        f"  NotAfter: {_native.local_time(host, issued.not_valid_after_utc)}",
        f"  Thumbprint: {_native.hash_text(issued.fingerprint(hashes.SHA1()))}",
    ]
    return ProgramRun("\r\n".join(lines) + "\r\n")
