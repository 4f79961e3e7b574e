"""certutil.exe's store verbs: ``-store``, ``-addstore``, ``-delstore`` on the machine's (or, with ``-user``, the
logon's) certificate stores.

Sources: Microsoft's "certutil" page (Windows Commands; MicrosoftDocs/windowsserverdocs certutil.md) for the verbs,
their arguments (``-store [CertificateStoreName [CertId [OutputFile]]]``, ``-addstore CertificateStoreName InFile``,
``-delstore CertificateStoreName CertId``), the options (-f, -user) and the CertId forms (serial number, SHA-1 hash,
index, subject common name, DNS name ...); the default store of -store is CA. Output, from published certutil runs:
the store line ``My "Personal"``; per certificate ``================ Certificate N ================``, Serial Number,
Issuer, NotBefore/NotAfter (indented by one blank), Subject, "Non-root Certificate" or "Signature matches Public Key"
+ "Root Certificate: Subject matches Issuer", the template lines, ``Cert Hash(sha1)``, then the key: Key Container,
Unique container name, Provider (indented by two), "Private key is NOT exportable", "Encryption test passed" /
"Signature test passed", or "No key provider information" + CRYPT_E_NO_KEY_PROPERTY's text; ``Certificate "X" added
to store.``; ``CertUtil: -store command completed successfully.`` and ``CertUtil: -store command FAILED: 0x...``
followed by ``CertUtil: <message>``. A certutil run measured on Windows 11 gives the rest: failures exit with the
HRESULT, usage errors with 1 ("Unknown arg", "Missing argument", "Too many arguments"), options are read only before
the first positional argument (``-store My -user`` takes -user as the CertId), an unknown store name fails with
ERROR_FILE_NOT_FOUND after printing the name, an unmatched CertId with NTE_NOT_FOUND.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from cryptography import x509
from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.asymmetric import padding, rsa

from ...hosts.certs import StoredCertificate, dns_names, is_self_signed, windows_name
from ..errors import NotModelled
from . import _native
from ._native import ProgramError, ProgramRun
from .certificates import load_certificates, serial_text, simple_name
from .certreq import KSP

if TYPE_CHECKING:
    from ...hosts.state import CertificateStore
    from ..context import Host

__all__ = ["certutil"]

_MODELLED_VERBS = ("store", "addstore", "delstore")
# The other verbs of the certutil page: refused by name (not modelled).
_OTHER_VERBS = {
    "dump", "asn", "decodehex", "decode", "encode", "deny", "resubmit", "setattributes", "setextension", "revoke",
    "isvalid", "getconfig", "ping", "pingadmin", "cainfo", "ca.cert", "ca.chain", "getcrl", "crl", "shutdown",
    "installcert", "renewcert", "schema", "view", "db", "deleterow", "backup", "backupdb", "backupkey", "restore",
    "restoredb", "restorekey", "importpfx", "exportpfx", "dynamicfilelist", "databaselocations", "hashfile",
    "verifystore", "repairstore", "viewstore", "viewdelstore", "enumstore", "dspublish", "adtemplate", "template",
    "templatecas", "catemplates", "setcasites", "enrollmentserverurl", "adca", "ca", "policy", "policycache",
    "credstore", "installdefaulttemplates", "urlcache", "pulse", "machineinfo", "dcinfo", "entinfo", "tcainfo",
    "scinfo", "scroots", "verifykeys", "verify", "verifyctl", "sign", "vroot", "vocsproot", "addenrollmentserver",
    "deleteenrollmentserver", "addpolicyserver", "deletepolicyserver", "oid", "error", "getreg", "setreg", "delreg",
    "importkms", "importcert", "getkey", "recoverkey", "mergepfx", "convertepf", "key", "delkey", "csplist", "csptest",
}  # fmt: skip
_OTHER_OPTIONS = {"enterprise", "grouppolicy", "service", "silent", "split", "v", "nullsign", "ut", "mt", "unicode",
                  "unicodetext", "gmt", "seconds", "privatekey", "urlfetch", "reverse", "dc", "t", "p", "config",
                  "csp", "restrict", "out", "sid", "policyserver", "anonymous", "kerberos", "clientcertificate",
                  "username", "cert", "pin", "?"}  # fmt: skip
# System store names and the names certutil prints after them (the localized display names of the system stores).
# Published 2008 R2 output prints TrustedPublisher without one; the lab prints one for these four stores only.
_DISPLAY = {"my": "Personal", "root": "Trusted Root Certification Authorities",
            "ca": "Intermediate Certification Authorities", "request": "Certificate Enrollment Requests"}  # fmt: skip
_SYSTEM = set(_DISPLAY) | {"trust", "disallowed", "authroot", "trustedpeople", "trustedpublisher"}
# The provider the lab shows for a key whose provider it did not record (Exchange's and imported keys): assumed.
_UNRECORDED_PROVIDER = "Microsoft RSA SChannel Cryptographic Provider"
_TEMPLATE_NAME = "1.3.6.1.4.1.311.20.2"
_CA_VERSION = "1.3.6.1.4.1.311.21.1"


@dataclass
class _Arguments:
    verb: str | None = None
    force: bool = False
    user: bool = False
    positional: list[str] = field(default_factory=list)


def _parse(arguments: list[str]) -> _Arguments | ProgramRun:
    parsed = _Arguments()
    for token in arguments:
        if parsed.positional or token[:1] not in ("-", "/") or len(token) < 2:
            parsed.positional.append(token)
            continue
        name = token[1:].lower()
        if name in _MODELLED_VERBS or name in _OTHER_VERBS:
            if parsed.verb is not None:
                return ProgramRun(f"CertUtil: Unknown arg: {token}\r\n", 1)
            parsed.verb = name
        elif name == "f":
            parsed.force = True
        elif name == "user":
            parsed.user = True
        elif name in _OTHER_OPTIONS:
            raise NotModelled(f"certutil's option {token}")
        else:
            return ProgramRun(f"CertUtil: Unknown arg: {token}\r\n", 1)
    return parsed


def _count(arguments: _Arguments, least: int, most: int) -> ProgramRun | None:
    given = len(arguments.positional)
    if given < least:
        return ProgramRun(f"Expected at least {least} args, received {given}\r\nCertUtil: Missing argument\r\n", 1)
    if given > most:
        return ProgramRun(f"Expected no more than {most} args, received {given}\r\nCertUtil: Too many arguments\r\n", 1)
    return None


def certutil(host: Host, arguments: list[str]) -> ProgramRun:
    _native.windows_version(host)
    parsed = _parse(arguments)
    if isinstance(parsed, ProgramRun):
        return parsed
    verb = parsed.verb or "dump"  # the page: without a verb on a computer that is no CA, certutil runs -dump
    if verb not in _MODELLED_VERBS:
        raise NotModelled(f"certutil -{verb}")
    limits = {"store": (0, 3), "addstore": (2, 2), "delstore": (2, 2)}[verb]
    usage = _count(parsed, *limits)
    if usage is not None:
        return usage
    out: list[str] = []
    try:
        if verb == "store":
            _store(host, parsed, out)
        elif verb == "addstore":
            _addstore(host, parsed, out)
        else:
            _delstore(host, parsed, out)
    except ProgramError as error:
        result = error.result
        out += [f"CertUtil: -{verb} command FAILED: {result.text}", f"CertUtil: {result.message}"]
        return ProgramRun("\r\n".join(out) + "\r\n", result.signed)
    out.append(f"CertUtil: -{verb} command completed successfully.")
    return ProgramRun("\r\n".join(out) + "\r\n")


# -- stores and the certificate dump ------------------------------------------------------------------------------


def _open(host: Host, arguments: _Arguments, name: str, out: list[str], *, create: bool) -> CertificateStore:
    """CertOpenStore of a system store: certutil prints the name as given, and the display name of a system store;
    a store that does not exist is ERROR_FILE_NOT_FOUND unless it is a system store (empty) or ``create``."""
    from ...hosts.state import CertificateStore

    display = _DISPLAY.get(name.lower())
    out.append(f'{name} "{display}"' if display else name)
    machine = host.machine
    user = _native.user_name(host)
    found = machine.user_store(user, name) if arguments.user else machine.machine_store(name)
    if found is not None:
        return found
    if create:
        store = (
            machine.user_store(user, name, create=True) if arguments.user else machine.machine_store(name, create=True)
        )
        assert store is not None
        return store
    if name.lower() in _SYSTEM:
        return CertificateStore(name)  # exists on Windows, empty here: nothing of it is kept
    raise ProgramError("ERROR_FILE_NOT_FOUND")


def _matches(entry: StoredCertificate, index: int, cert_id: str) -> bool:
    """CertId: a numeric index, a SHA-1 hash or serial number (hex, blanks allowed), a subject common name, a DNS
    name or e-mail address (the page lists more forms; the others match nothing here)."""
    token = cert_id.strip()
    if token.isdigit():
        return int(token) == index
    compact = token.replace(" ", "").lower()
    if compact and all(character in "0123456789abcdef" for character in compact):
        if len(compact) == 40 and compact == entry.thumbprint.lower():
            return True
        if compact.lstrip("0") == serial_text(entry.certificate).lstrip("0"):
            return True
    certificate = entry.certificate
    names = [simple_name(certificate.subject), *dns_names(certificate)]
    try:
        san = certificate.extensions.get_extension_for_class(x509.SubjectAlternativeName).value
        names += san.get_values_for_type(x509.RFC822Name)
    except x509.ExtensionNotFound:
        pass
    return any(name.lower() == token.lower() for name in names)


def _selected(store: CertificateStore, cert_id: str | None) -> list[tuple[int, StoredCertificate]]:
    entries = list(enumerate(store.entries()))
    if cert_id is None:
        return entries
    chosen = [(index, entry) for index, entry in entries if _matches(entry, index, cert_id)]
    if not chosen:
        raise ProgramError("NTE_NOT_FOUND")
    return chosen


def _extension_value(certificate: x509.Certificate, oid: str) -> bytes | None:
    for extension in certificate.extensions:
        if extension.oid.dotted_string == oid:
            value = extension.value
            return value.value if isinstance(value, x509.UnrecognizedExtension) else value.public_bytes()
    return None


def _template_name(certificate: x509.Certificate) -> str | None:
    """The v1 template name extension: a BMPString (certsrv-protocol.md)."""
    data = _extension_value(certificate, _TEMPLATE_NAME)
    if data is None or len(data) < 2 or data[0] != 0x1E:
        return None
    return data[2 : 2 + data[1]].decode("utf-16-be", errors="replace")


def _ca_version(certificate: x509.Certificate) -> str | None:
    """CA Version (1.3.6.1.4.1.311.21.1): an INTEGER, the key index in the high word, the certificate index low."""
    data = _extension_value(certificate, _CA_VERSION)
    if data is None or len(data) < 3 or data[0] != 0x02:
        return None
    value = int.from_bytes(data[2 : 2 + data[1]], "big")
    return f"V{value & 0xFFFF}.{value >> 16}"


def _key_test(entry: StoredCertificate) -> str:
    """The test certutil runs with the key: an encryption round trip for AT_KEYEXCHANGE, a signature otherwise;
    done with the real key against the certificate's public key."""
    key = entry.private_key
    public = entry.certificate.public_key()
    encryption = entry.key_spec == 1
    label = "Encryption test" if encryption else "Signature test"
    if not isinstance(key, rsa.RSAPrivateKey) or not isinstance(public, rsa.RSAPublicKey):
        raise NotModelled("certutil's key test for a key that is not RSA")
    try:
        if encryption:
            ok = key.decrypt(public.encrypt(b"certutil", padding.PKCS1v15()), padding.PKCS1v15()) == b"certutil"
        else:
            public.verify(key.sign(b"certutil", padding.PKCS1v15(), hashes.SHA1()), b"certutil",
                          padding.PKCS1v15(), hashes.SHA1())  # fmt: skip
            ok = True
    except (ValueError, InvalidSignature):
        ok = False
    return f"{label} {'passed' if ok else 'FAILED'}"


def _key_lines(host: Host, entry: StoredCertificate) -> list[str]:
    if entry.private_key is None:
        return ["No key provider information", _native.HRESULTS["CRYPT_E_NO_KEY_PROPERTY"].message]
    container = entry.key_container or str(uuid.uuid5(uuid.NAMESPACE_OID, entry.thumbprint))
    provider = entry.key_provider or _UNRECORDED_PROVIDER
    lines = [
        f"  Key Container = {container}",
        f"  Unique container name: {_native.unique_container_name(host, container)}",
        f"  Provider = {provider}",
    ]
    if not entry.key_exportable:
        lines.append("Private key is NOT plain text exportable" if provider == KSP else "Private key is NOT exportable")
    lines.append(_key_test(entry))
    return lines


def _dump(host: Host, index: int, entry: StoredCertificate) -> list[str]:
    certificate = entry.certificate
    lines = [
        f"================ Certificate {index} ================",
        f"Serial Number: {serial_text(certificate)}",
        f"Issuer: {windows_name(certificate.issuer)}",
        f" NotBefore: {_native.local_time(host, certificate.not_valid_before_utc)}",
        f" NotAfter: {_native.local_time(host, certificate.not_valid_after_utc)}",
        f"Subject: {windows_name(certificate.subject)}",
    ]
    template = _template_name(certificate)
    if template is not None:
        lines.append(f"Certificate Template Name (Certificate Type): {template}")
    version = _ca_version(certificate)
    if version is not None:
        lines.append(f"CA Version: {version}")
    if is_self_signed(certificate):
        lines.append("Signature matches Public Key")
    if certificate.subject == certificate.issuer:
        lines.append("Root Certificate: Subject matches Issuer")
    else:
        lines.append("Non-root Certificate")
    if template is not None:
        lines.append(f"Template: {template}")
    lines.append(f"Cert Hash(sha1): {_native.hash_text(certificate.fingerprint(hashes.SHA1()))}")
    return lines + _key_lines(host, entry)


def _dump_all(host: Host, chosen: list[tuple[int, StoredCertificate]], out: list[str]) -> None:
    for position, (index, entry) in enumerate(chosen):
        if position:
            out.append("")
        out.extend(_dump(host, index, entry))


# -- the verbs -----------------------------------------------------------------------------------------------------


def _store(host: Host, arguments: _Arguments, out: list[str]) -> None:
    name, *rest = arguments.positional or ["CA"]  # the page: CA is -store's default store
    if len(rest) > 1:
        raise NotModelled("certutil -store with an output file")
    store = _open(host, arguments, name, out, create=False)
    _dump_all(host, _selected(store, rest[0] if rest else None), out)


def _addstore(host: Host, arguments: _Arguments, out: list[str]) -> None:
    name, path = arguments.positional
    if arguments.user and name.lower() == "root":
        raise NotModelled("certutil -user -addstore Root (Windows asks the user to confirm in a dialog)")
    data = _native.read_file(host, path)
    certificates = load_certificates(data)
    if certificates is None:
        raise ProgramError("CRYPT_E_NO_MATCH")  # assumed: CryptQueryObject recognised no certificate
    store = _open(host, arguments, name, out, create=True)
    full_subject = _native.windows_version(host) < (6, 2)
    for certificate in certificates:
        entry = StoredCertificate(certificate)
        if is_self_signed(certificate):
            out.append("Signature matches Public Key")
        # 2008 R2's certutil names the certificate by its whole subject, later ones by its simple name (published
        # output of both); "already in store" without -f and the replacing -f are assumed (docs/lab.md).
        shown = windows_name(certificate.subject) if full_subject else simple_name(certificate.subject)
        if entry.thumbprint in store and not arguments.force:
            out.append(f'Certificate "{shown}" already in store.')
            continue
        if entry.thumbprint in store:
            store.remove(entry.thumbprint)  # CERT_STORE_ADD_REPLACE_EXISTING: the old properties (key) go with it
        store.add(entry)
        out.append(f'Certificate "{shown}" added to store.')


def _delstore(host: Host, arguments: _Arguments, out: list[str]) -> None:
    name, cert_id = arguments.positional
    store = _open(host, arguments, name, out, create=False)
    chosen = _selected(store, cert_id)
    _dump_all(host, chosen, out)  # assumed: -delstore shows what it deletes as -store shows it
    for _index, entry in chosen:
        store.remove(entry.thumbprint)
