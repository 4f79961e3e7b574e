"""X509Certificate2, X509Certificate2Collection and X509Store over the simulated machine's certificate stores.

Behaviour follows the .NET Framework 2.0-4.x sources (referencesource System/security/.../x509/*.cs, mscorlib
x509certificate.cs) and their documentation; the exceptions carry the messages those sources produce (resource
strings of System.txt / mscorlib.txt, or FormatMessage's text for a Win32 error code). Certificates are real:
parsed with ``cryptography``, keys real, the entries of a store those of ``HostState``.

A certificate read from a store shares that entry (its properties are the store element's): setting FriendlyName on
it persists in the store, as CertSetCertificateContextProperty on a store's context does.
"""

from __future__ import annotations

import base64
import binascii
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING, Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.serialization import pkcs7, pkcs12

from ...hosts.certs import StoredCertificate, serial_hex, thumbprint
from ..errors import NotModelled
from ..values import (
    EnumValue,
    NetObject,
    PSArray,
    constructor,
    enum_type,
    method,
    net_type,
    prop,
)
from . import _der
from ._runtime import argument_exception, argument_null, byte_array, bytes_of, current_host, net_error, win32_message
from .time import DateTime, from_python
from .x509_extensions import (
    Oid,
    PublicKey,
    X500DistinguishedName,
    X509ExtensionCollection,
    extension_object,
    name_rdns,
    name_text,
)

if TYPE_CHECKING:
    from ...hosts.state import CertificateStore
    from ..context import Host

__all__ = [
    "X509Certificate",
    "X509Certificate2",
    "X509Certificate2Collection",
    "X509Store",
    "certificate_object",
    "crypto_error",
]

NS = "System.Security.Cryptography.X509Certificates."
CRYPTOGRAPHIC_EXCEPTION = "System.Security.Cryptography.CryptographicException"

STORE_LOCATION = enum_type(NS + "StoreLocation", {"CurrentUser": 1, "LocalMachine": 2})
STORE_NAME = enum_type(
    NS + "StoreName",
    {
        "AddressBook": 1, "AuthRoot": 2, "CertificateAuthority": 3, "Disallowed": 4, "My": 5, "Root": 6,
        "TrustedPeople": 7, "TrustedPublisher": 8,
    },
)  # fmt: skip
# X509Store(StoreName, ...) maps the enum to the system store's name (x509store.cs constructor).
_STORE_NAME_TEXT = {1: "AddressBook", 2: "AuthRoot", 3: "CA", 4: "Disallowed", 5: "My", 6: "Root", 7: "TrustedPeople",
                    8: "TrustedPublisher"}  # fmt: skip
OPEN_FLAGS = enum_type(
    NS + "OpenFlags",
    {"ReadOnly": 0, "ReadWrite": 1, "MaxAllowed": 2, "OpenExistingOnly": 4, "IncludeArchived": 8},
    flags=True,
)
KEY_STORAGE_FLAGS = enum_type(
    NS + "X509KeyStorageFlags",
    {"DefaultKeySet": 0, "UserKeySet": 1, "MachineKeySet": 2, "Exportable": 4, "UserProtected": 8, "PersistKeySet": 16},
    flags=True,
)
CONTENT_TYPE = enum_type(
    NS + "X509ContentType",
    {"Unknown": 0, "Cert": 1, "SerializedCert": 2, "Pfx": 3, "Pkcs12": 3, "SerializedStore": 4, "Pkcs7": 5,
     "Authenticode": 6},
)  # fmt: skip
NAME_TYPE = enum_type(
    NS + "X509NameType",
    {"SimpleName": 0, "EmailName": 1, "UpnName": 2, "DnsName": 3, "DnsFromAlternativeName": 4, "UrlName": 5},
)
FIND_TYPE = enum_type(
    NS + "X509FindType",
    {
        "FindByThumbprint": 0, "FindBySubjectName": 1, "FindBySubjectDistinguishedName": 2, "FindByIssuerName": 3,
        "FindByIssuerDistinguishedName": 4, "FindBySerialNumber": 5, "FindByTimeValid": 6,
        "FindByTimeNotYetValid": 7, "FindByTimeExpired": 8, "FindByTemplateName": 9, "FindByApplicationPolicy": 10,
        "FindByCertificatePolicy": 11, "FindByExtension": 12, "FindByKeyUsage": 13, "FindBySubjectKeyIdentifier": 14,
    },
)  # fmt: skip


def crypto_error(message: str) -> Exception:
    return net_error(CRYPTOGRAPHIC_EXCEPTION, message)


def _invalid_handle() -> Exception:
    # mscorlib.txt Cryptography_InvalidHandle "{0} is an invalid handle." with "m_safeCertContext"
    return crypto_error("m_safeCertContext is an invalid handle.")


# -- loading certificates ---------------------------------------------------------------------------------------


class _Loaded:
    """What CryptQueryObject found in a blob: certificates, and the private key of the first one (PFX)."""

    def __init__(self, certificates: list[x509.Certificate], key: Any = None, persisted: bool = True) -> None:
        self.certificates = certificates
        self.key = key
        self.persisted = persisted


def _from_base64_text(data: bytes) -> bytes | None:
    """CryptQueryObject's CERT_QUERY_FORMAT_BASE64_ENCODED: PEM armour or bare Base64 text."""
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError:
        return None
    if "-----BEGIN" in text:
        lines = [line for line in text.splitlines() if line and not line.startswith("-----")]
        text = "".join(lines)
    try:
        return base64.b64decode("".join(text.split()), validate=True)
    except (binascii.Error, ValueError):
        return None


def _load_blob(data: bytes, password: str | None, flags: int) -> _Loaded:
    """X509Certificate2(byte[]...) / X509Certificate2Collection.Import: DER or Base64 certificate, PKCS#7, PFX."""
    if not data:
        raise argument_exception("Array may not be empty or null.", "rawData")  # mscorlib.txt Arg_EmptyOrNullArray
    candidates = [data]
    decoded = _from_base64_text(data)
    if decoded is not None:
        candidates.append(decoded)
    for blob in candidates:
        try:
            return _Loaded([x509.load_der_x509_certificate(blob)])
        except ValueError:
            pass
        try:
            return _Loaded(list(pkcs7.load_der_pkcs7_certificates(blob)))
        except ValueError:
            pass
    try:
        return _Loaded(list(pkcs7.load_pem_pkcs7_certificates(data)))
    except ValueError:
        pass
    try:
        key, certificate, others = pkcs12.load_key_and_certificates(data, (password or "").encode("utf-8"))
    except ValueError as problem:
        if "password" in str(problem).lower() or "mac" in str(problem).lower():
            # ERROR_INVALID_PASSWORD (86): PFXImportCertStore with a wrong password.
            raise crypto_error(win32_message(86)) from None
    else:
        certificates = ([certificate] if certificate is not None else []) + list(others)
        # Without PersistKeySet the key container is deleted when the certificate object goes away; the lab takes
        # the pessimistic reading: a store entry made from it has no key (docs/lab.md).
        return _Loaded(certificates, key, persisted=bool(flags & 16))
    # CRYPT_E_NO_MATCH ("Cannot find the requested object."): CryptQueryObject recognised no format.
    raise crypto_error(win32_message(0x80092009))


def _read_file(path: str) -> bytes:
    from .system import read_file_bytes

    data = read_file_bytes(path)
    if data is None:
        raise crypto_error(win32_message(2))  # CryptQueryObject on a missing file: ERROR_FILE_NOT_FOUND
    return data


# -- the certificate ----------------------------------------------------------------------------------------------


@net_type(NS + "X509Certificate", interfaces=("System.Runtime.Serialization.ISerializable",))
class X509Certificate(NetObject):
    """Base class; the lab only ever makes X509Certificate2 objects."""


@net_type(NS + "X509Certificate2", base=NS + "X509Certificate")
class X509Certificate2(X509Certificate):
    """A certificate context: empty, loaded from bytes or a file, or an element of a store (``entry``)."""

    def __init__(
        self,
        certificate: x509.Certificate | None = None,
        *,
        key: Any = None,
        key_persisted: bool = True,
        entry: StoredCertificate | None = None,
    ) -> None:
        self.certificate = certificate if entry is None else entry.certificate
        self.key = key
        self.key_persisted = key_persisted
        self.entry = entry
        self.friendly = ""
        self.archived = False
        self._extensions: X509ExtensionCollection | None = None

    # -- Python side ------------------------------------------------------------------------------------------

    def __eq__(self, other: object) -> bool:
        """X509Certificate.Equals(X509Certificate): same issuer and serial number (both empty: equal)."""
        if not isinstance(other, X509Certificate2):
            return False
        if self.certificate is None or other.certificate is None:
            return self.certificate is None and other.certificate is None
        return self.issuer == other.issuer and self.serial == other.serial

    def __hash__(self) -> int:
        return 0 if self.certificate is None else int(self.thumbprint[:8], 16)

    def _context(self) -> x509.Certificate:
        if self.certificate is None:
            raise _invalid_handle()
        return self.certificate

    @property
    def der(self) -> bytes:
        return self._context().public_bytes(serialization.Encoding.DER)

    @property
    def thumbprint(self) -> str:
        return thumbprint(self._context())

    @property
    def serial(self) -> str:
        return serial_hex(self._context())

    @property
    def parts(self) -> _der.CertificateParts:
        return _der.certificate_parts(self.der)

    @property
    def subject(self) -> str:
        return name_text(self.parts.subject)

    @property
    def issuer(self) -> str:
        return name_text(self.parts.issuer)

    @property
    def private_key(self) -> Any:
        if self.entry is not None:
            return self.entry.private_key
        return self.key

    @property
    def friendly_name(self) -> str:
        return self.entry.friendly_name if self.entry is not None else self.friendly

    def _load(self, loaded: _Loaded) -> None:
        """Import: Reset, then the first certificate of the blob (with its key, for a PFX)."""
        X509Certificate2.__init__(self, loaded.certificates[0] if loaded.certificates else None)
        if not loaded.certificates:
            raise crypto_error(win32_message(0x80092009))
        self.key = loaded.key
        self.key_persisted = loaded.persisted

    def to_string(self) -> str:
        """X509Certificate2.ToString() = X509Certificate.ToString(true) (mscorlib x509certificate.cs): the subject,
        issuer, serial number, validity (current culture) and thumbprint; the type name for an empty object."""
        if self.certificate is None:
            return self.net_type_name
        not_before = self.not_before().to_string()
        not_after = self.not_after().to_string()
        sections = [
            ("Subject", self.subject),
            ("Issuer", self.issuer),
            ("Serial Number", self.serial),
            ("Not Before", not_before),
            ("Not After", not_after),
            ("Thumbprint", self.thumbprint),
        ]
        return "\r\n\r\n".join(f"[{title}]\r\n  {value}" for title, value in sections) + "\r\n"

    def not_before(self) -> DateTime:
        """DateTime.FromFileTime(NotBefore): local time of the host (Kind Local)."""
        return from_python(self._context().not_valid_before_utc).to_local()

    def not_after(self) -> DateTime:
        return from_python(self._context().not_valid_after_utc).to_local()

    # -- constructors -----------------------------------------------------------------------------------------

    @staticmethod
    @constructor()
    def _empty(_host: Any) -> X509Certificate2:
        return X509Certificate2()

    @staticmethod
    @constructor("System.Byte[]")
    def _from_bytes(_host: Any, data: PSArray) -> X509Certificate2:
        certificate = X509Certificate2()
        certificate._load(_load_blob(bytes_of(data, "rawData"), None, 0))
        return certificate

    @staticmethod
    @constructor("System.Byte[]", "System.String")
    def _from_bytes_password(_host: Any, data: PSArray, password: str | None) -> X509Certificate2:
        certificate = X509Certificate2()
        certificate._load(_load_blob(bytes_of(data, "rawData"), password, 0))
        return certificate

    @staticmethod
    @constructor("System.Byte[]", "System.String", NS + "X509KeyStorageFlags")
    def _from_bytes_flags(_host: Any, data: PSArray, password: str | None, flags: EnumValue) -> X509Certificate2:
        certificate = X509Certificate2()
        certificate._load(_load_blob(bytes_of(data, "rawData"), password, flags.value))
        return certificate

    @staticmethod
    @constructor("System.String")
    def _from_file(_host: Any, path: str) -> X509Certificate2:
        if path is None:
            raise argument_null("fileName")
        certificate = X509Certificate2()
        certificate._load(_load_blob(_read_file(path), None, 0))
        return certificate

    @staticmethod
    @constructor("System.String", "System.String")
    def _from_file_password(_host: Any, path: str, password: str | None) -> X509Certificate2:
        certificate = X509Certificate2()
        certificate._load(_load_blob(_read_file(path), password, 0))
        return certificate

    @staticmethod
    @constructor("System.String", "System.String", NS + "X509KeyStorageFlags")
    def _from_file_flags(_host: Any, path: str, password: str | None, flags: EnumValue) -> X509Certificate2:
        certificate = X509Certificate2()
        certificate._load(_load_blob(_read_file(path), password, flags.value))
        return certificate

    @staticmethod
    @constructor(NS + "X509Certificate")
    def _copy(_host: Any, other: X509Certificate2) -> X509Certificate2:
        if other is None:
            raise argument_null("cert")
        if other.certificate is None:
            raise argument_exception("Invalid handle.", "handle")  # mscorlib.txt Arg_InvalidHandle
        copy = X509Certificate2(entry=other.entry) if other.entry else X509Certificate2(other.certificate)
        copy.key, copy.friendly = other.key, other.friendly
        return copy

    # -- Import (X509Certificate2 overrides of .NET 2.0; X509Store has no Import) -------------------------------

    @method("Import", "System.Byte[]")
    def _import_bytes(self, data: PSArray) -> None:
        self._load(_load_blob(bytes_of(data, "rawData"), None, 0))

    @method("Import", "System.Byte[]", "System.String", NS + "X509KeyStorageFlags")
    def _import_bytes_flags(self, data: PSArray, password: str | None, flags: EnumValue) -> None:
        self._load(_load_blob(bytes_of(data, "rawData"), password, flags.value))

    @method("Import", "System.String")
    def _import_file(self, path: str) -> None:
        if path is None:
            raise argument_null("fileName")
        self._load(_load_blob(_read_file(path), None, 0))

    @method("Import", "System.String", "System.String", NS + "X509KeyStorageFlags")
    def _import_file_flags(self, path: str, password: str | None, flags: EnumValue) -> None:
        self._load(_load_blob(_read_file(path), password, flags.value))

    @method("Reset")
    def _reset(self) -> None:
        X509Certificate2.__init__(self)

    # -- properties -------------------------------------------------------------------------------------------

    @prop("Thumbprint")
    def _thumbprint(self) -> str:
        return self.thumbprint

    @prop("Subject")
    def _subject(self) -> str:
        return self.subject

    @prop("Issuer")
    def _issuer(self) -> str:
        return self.issuer

    @prop("SerialNumber")
    def _serial(self) -> str:
        return self.serial

    @prop("NotBefore")
    def _not_before(self) -> DateTime:
        return self.not_before()

    @prop("NotAfter")
    def _not_after(self) -> DateTime:
        return self.not_after()

    @prop("HasPrivateKey")
    def _has_key(self) -> bool:
        self._context()
        return self.private_key is not None

    @prop("FriendlyName", settable=True)
    def _friendly_name(self, *new: str | None) -> str | None:
        self._context()
        if not new:
            return self.friendly_name
        value = new[0] or ""
        if self.entry is not None:
            self.entry.friendly_name = value
        else:
            self.friendly = value
        return None

    @prop("Archived", settable=True)
    def _archived(self, *new: bool) -> bool | None:
        self._context()
        if not new:
            return self.archived
        if self.entry is not None:
            raise NotModelled("setting Archived on a certificate of a store (CERT_ARCHIVED_PROP_ID in the store)")
        self.archived = bool(new[0])
        return None

    @prop("RawData")
    def _raw(self) -> PSArray:
        return byte_array(self.der)

    @prop("Version")
    def _version(self) -> int:
        return self._context().version.value + 1

    @prop("SubjectName")
    def _subject_name(self) -> X500DistinguishedName:
        return X500DistinguishedName(self.parts.subject)

    @prop("IssuerName")
    def _issuer_name(self) -> X500DistinguishedName:
        return X500DistinguishedName(self.parts.issuer)

    @prop("SignatureAlgorithm")
    def _signature_algorithm(self) -> Oid:
        return Oid(self._context().signature_algorithm_oid.dotted_string)

    @prop("PublicKey")
    def _public_key(self) -> PublicKey:
        return PublicKey(self._context().public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        ))  # fmt: skip

    @prop("PrivateKey")
    def _private_key(self) -> Any:
        raise NotModelled("X509Certificate2.PrivateKey (a CSP key object)")

    @prop("Extensions")
    def _extensions_property(self) -> X509ExtensionCollection:
        if self._extensions is None:
            self._extensions = X509ExtensionCollection(
                [extension_object(oid, critical, raw) for oid, critical, raw in self.parts.extensions]
            )
        return self._extensions

    # -- methods ----------------------------------------------------------------------------------------------

    @method("GetNameInfo", NS + "X509NameType", "System.Boolean")
    def _get_name_info(self, name_type: EnumValue, for_issuer: bool) -> str:
        return name_info(self, name_type.value, for_issuer)

    @method("GetCertHashString")
    def _hash_string(self) -> str:
        return self.thumbprint

    @method("GetCertHash")
    def _hash(self) -> PSArray:
        return byte_array(bytes.fromhex(self.thumbprint))

    @method("GetSerialNumberString")
    def _serial_string(self) -> str:
        return self.serial

    @method("GetRawCertData")
    def _raw_data(self) -> PSArray:
        return byte_array(self.der)

    @method("GetRawCertDataString")
    def _raw_string(self) -> str:
        return self.der.hex().upper()

    @method("GetName")
    def _get_name(self) -> str:
        return self.subject

    @method("GetIssuerName")
    def _get_issuer(self) -> str:
        return self.issuer

    @method("GetExpirationDateString")
    def _expiration(self) -> str:
        return self.not_after().to_string()

    @method("GetEffectiveDateString")
    def _effective(self) -> str:
        return self.not_before().to_string()

    @method("GetFormat")
    def _format(self) -> str:
        return "X509"

    @method("GetKeyAlgorithm")
    def _key_algorithm(self) -> str:
        return PublicKey._oid(self._public_key()).value or ""

    @method("Export", NS + "X509ContentType")
    def _export(self, content: EnumValue) -> PSArray:
        if content.value == 1:
            return byte_array(self.der)
        raise NotModelled(f"X509Certificate2.Export({content.name}): only Cert")

    @method("Verify")
    def _verify(self) -> bool:
        from .x509_chain import verify_default

        return verify_default(self)

    @method("ToString")
    def _to_string(self) -> str:
        return self.to_string()

    @method("ToString", "System.Boolean")
    def _to_string_verbose(self, verbose: bool) -> str:
        if not verbose or self.certificate is None:
            return self.to_string()  # x509certificate2.cs ToString(bool): not verbose -> ToString()
        raise NotModelled("X509Certificate2.ToString($true) (the verbose form with key and extensions)")

    @method("Equals", "System.Object")
    def _equals(self, other: Any) -> bool:
        return self == other

    @method("GetHashCode")
    def _hash_code(self) -> int:
        return hash(self)


def certificate_object(stored: StoredCertificate, host: Host | None = None) -> X509Certificate2:
    """The X509Certificate2 of a store entry, as X509Store.Certificates returns it (sharing the entry). ``host`` is
    accepted for callers that have one; the object needs none (its dates are local time of the running host)."""
    return X509Certificate2(entry=stored)


def name_info(certificate: X509Certificate2, name_type: int, for_issuer: bool) -> str:
    """X509Certificate2.GetNameInfo (x509certificate2.cs): CertGetNameString for the simple and e-mail names; the
    alternative name extension (the last matching entry) for UPN, DNS and URL names, DNS falling back to the CN."""
    context = certificate._context()
    parts = certificate.parts
    rdns = name_rdns(parts.issuer if for_issuer else parts.subject)
    attributes = [attribute for rdn in rdns for attribute in rdn]

    def first(oid: str) -> str | None:
        return next((value for key, value in attributes if key == oid), None)

    alternative = _alternative_names(context, for_issuer)
    if name_type == 0:  # SimpleName: CN, OU, O, E; then an rfc822 alternative name; then the first attribute
        for oid in ("2.5.4.3", "2.5.4.11", "2.5.4.10", "1.2.840.113549.1.9.1"):
            found = first(oid)
            if found is not None:
                return found
        emails = [value for kind, value in alternative if kind == "email"]
        return emails[0] if emails else (attributes[0][1] if attributes else "")
    if name_type == 1:  # EmailName: the first rfc822 alternative name, else the E attribute
        emails = [value for kind, value in alternative if kind == "email"]
        return emails[0] if emails else (first("1.2.840.113549.1.9.1") or "")
    wanted = {2: "upn", 3: "dns", 4: "dns", 5: "url"}.get(name_type)
    matches = [value for kind, value in alternative if kind == wanted]
    if matches:
        return matches[-1]
    if name_type == 3:
        return first("2.5.4.3") or ""
    return ""


def _alternative_names(certificate: x509.Certificate, for_issuer: bool) -> list[tuple[str, str]]:
    kind = x509.IssuerAlternativeName if for_issuer else x509.SubjectAlternativeName
    try:
        names = certificate.extensions.get_extension_for_class(kind).value
    except x509.ExtensionNotFound:
        return []
    assert isinstance(names, (x509.SubjectAlternativeName, x509.IssuerAlternativeName))
    found: list[tuple[str, str]] = []
    for name in names:
        if isinstance(name, x509.DNSName):
            found.append(("dns", name.value))
        elif isinstance(name, x509.RFC822Name):
            found.append(("email", name.value))
        elif isinstance(name, x509.UniformResourceIdentifier):
            found.append(("url", name.value))
        elif isinstance(name, x509.OtherName) and name.type_id.dotted_string == "1.3.6.1.4.1.311.20.2.3":
            try:
                value, _end = _der.parse(name.value)
                found.append(("upn", value.content.decode("utf-8")))
            except (_der.DerError, UnicodeDecodeError):
                continue
    return found


# -- the collection -----------------------------------------------------------------------------------------------


@net_type(
    NS + "X509CertificateCollection",
    base="System.Collections.CollectionBase",
    interfaces=("System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable"),
)
class X509CertificateCollection(NetObject):
    """Base class (CollectionBase): the list behind X509Certificate2Collection."""


@net_type(NS + "X509Certificate2Collection", base=NS + "X509CertificateCollection")
class X509Certificate2Collection(X509CertificateCollection):
    """A list of certificates; the engine enumerates and indexes it through the Python protocol."""

    def __init__(self, items: Iterable[X509Certificate2] = ()) -> None:
        self.items: list[X509Certificate2] = list(items)

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[X509Certificate2]:
        return iter(list(self.items))

    def __getitem__(self, index: int) -> X509Certificate2:
        if not 0 <= index < len(self.items):
            raise _index_error()
        return self.items[index]

    def __setitem__(self, index: int, value: X509Certificate2) -> None:
        if value is None:
            raise argument_null("value")
        if not 0 <= index < len(self.items):
            raise _index_error()
        self.items[index] = value

    @staticmethod
    @constructor()
    def _empty(_host: Any) -> X509Certificate2Collection:
        return X509Certificate2Collection()

    @staticmethod
    @constructor(NS + "X509Certificate2")
    def _one(_host: Any, certificate: X509Certificate2) -> X509Certificate2Collection:
        collection = X509Certificate2Collection()
        collection._add(certificate)
        return collection

    @staticmethod
    @constructor(NS + "X509Certificate2[]")
    def _array(_host: Any, certificates: PSArray) -> X509Certificate2Collection:
        collection = X509Certificate2Collection()
        collection._add_range(certificates)
        return collection

    @staticmethod
    @constructor(NS + "X509Certificate2Collection")
    def _copy(_host: Any, certificates: X509Certificate2Collection) -> X509Certificate2Collection:
        collection = X509Certificate2Collection()
        collection._add_range(certificates)
        return collection

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)

    @method("Add", NS + "X509Certificate2")
    def _add(self, certificate: X509Certificate2) -> int:
        if certificate is None:
            raise argument_null("certificate")
        self.items.append(certificate)
        return len(self.items) - 1

    @method("AddRange", NS + "X509Certificate2[]")
    def _add_range(self, certificates: Any) -> None:
        if certificates is None:
            raise argument_null("certificates")
        added = list(certificates)
        if any(each is None for each in added):
            raise argument_null("certificate")
        self.items += added

    @method("AddRange", NS + "X509Certificate2Collection")
    def _add_collection(self, certificates: X509Certificate2Collection) -> None:
        self._add_range(certificates)

    @method("Contains", NS + "X509Certificate2")
    def _contains(self, certificate: X509Certificate2) -> bool:
        if certificate is None:
            raise argument_null("certificate")
        return certificate in self.items

    @method("Insert", "System.Int32", NS + "X509Certificate2")
    def _insert(self, index: int, certificate: X509Certificate2) -> None:
        if certificate is None:
            raise argument_null("certificate")
        if not 0 <= index <= len(self.items):
            raise _index_error()
        self.items.insert(index, certificate)

    @method("Remove", NS + "X509Certificate2")
    def _remove(self, certificate: X509Certificate2) -> None:
        if certificate is None:
            raise argument_null("certificate")
        if certificate not in self.items:
            # CollectionBase.OnValidate/Remove: "Cannot remove the specified item because it was not found in the
            # specified Collection." (mscorlib.txt Arg_RemoveArgNotFound)
            raise net_error(
                "System.ArgumentException",
                "Cannot remove the specified item because it was not found in the specified Collection.",
            )
        self.items.remove(certificate)

    @method("RemoveAt", "System.Int32")
    def _remove_at(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            raise _index_error()
        del self.items[index]

    @method("Clear")
    def _clear(self) -> None:
        self.items.clear()

    @method("IndexOf", NS + "X509Certificate")
    def _index_of(self, certificate: X509Certificate2) -> int:
        return self.items.index(certificate) if certificate in self.items else -1

    @method("Find", NS + "X509FindType", "System.Object", "System.Boolean")
    def _find(self, find_type: EnumValue, value: Any, valid_only: bool) -> X509Certificate2Collection:
        from .x509_find import find

        return X509Certificate2Collection(find(self.items, find_type.value, value, valid_only))

    @method("Import", "System.Byte[]")
    def _import_bytes(self, data: PSArray) -> None:
        self.items += _imported(_load_blob(bytes_of(data, "rawData"), None, 0))

    @method("Import", "System.Byte[]", "System.String", NS + "X509KeyStorageFlags")
    def _import_bytes_flags(self, data: PSArray, password: str | None, flags: EnumValue) -> None:
        self.items += _imported(_load_blob(bytes_of(data, "rawData"), password, flags.value))

    @method("Import", "System.String")
    def _import_file(self, path: str) -> None:
        self.items += _imported(_load_blob(_read_file(path), None, 0))

    @method("Import", "System.String", "System.String", NS + "X509KeyStorageFlags")
    def _import_file_flags(self, path: str, password: str | None, flags: EnumValue) -> None:
        self.items += _imported(_load_blob(_read_file(path), password, flags.value))

    @method("Export", NS + "X509ContentType")
    def _export(self, content: EnumValue) -> PSArray | None:
        if content.value == 1:  # Cert: the first certificate (x509certificate2collection.cs ExportCertificatesToBlob)
            return byte_array(self.items[0].der) if self.items else None
        if content.value == 5:  # Pkcs7: CertSaveStore CERT_STORE_SAVE_AS_PKCS7
            if not self.items:
                raise NotModelled("Export(Pkcs7) of an empty collection")
            return byte_array(pkcs7.serialize_certificates(
                [each._context() for each in self.items], serialization.Encoding.DER
            ))  # fmt: skip
        raise NotModelled(f"X509Certificate2Collection.Export({content.name}): only Cert and Pkcs7")

    def to_string(self) -> str:
        return self.net_type_name


def _imported(loaded: _Loaded) -> list[X509Certificate2]:
    return [
        X509Certificate2(certificate, key=loaded.key if index == 0 else None, key_persisted=loaded.persisted)
        for index, certificate in enumerate(loaded.certificates)
    ]


def _index_error() -> Exception:
    # mscorlib.txt ArgumentOutOfRange_Index, with the parameter line ArgumentOutOfRangeException adds
    return argument_exception(
        "Index was out of range. Must be non-negative and less than the size of the collection.",
        "index",
        "System.ArgumentOutOfRangeException",
    )


# -- the store ----------------------------------------------------------------------------------------------------


def _not_open() -> Exception:
    return crypto_error("The X509 certificate store has not been opened.")  # System.txt Cryptography_X509_StoreNotOpen


@net_type(NS + "X509Store")
class X509Store(NetObject):
    """A system store of the simulated machine, opened with CertOpenStore's semantics (x509store.cs)."""

    def __init__(self, name: str, location: int) -> None:
        self.name = name
        self.location = location
        self.opened: list[CertificateStore] | None = None  # [own store] or [user's store, inherited machine store]
        self.read_only = True
        self.include_archived = False

    @staticmethod
    def _checked(name: str | None, location: int) -> X509Store:
        if location not in (1, 2):
            # System.txt Arg_EnumIllegalVal "Illegal enum value: {0}." with "storeLocation"
            raise net_error("System.ArgumentException", "Illegal enum value: storeLocation.")
        return X509Store(name, location)  # type: ignore[arg-type]

    @staticmethod
    @constructor()
    def _default(_host: Any) -> X509Store:
        return X509Store("MY", 1)

    @staticmethod
    @constructor("System.String")
    def _named(_host: Any, name: str) -> X509Store:
        return X509Store._checked(name, 1)

    @staticmethod
    @constructor(NS + "StoreName")
    def _enum_named(_host: Any, name: EnumValue) -> X509Store:
        return X509Store._checked(_store_name(name), 1)

    @staticmethod
    @constructor(NS + "StoreLocation")
    def _located(_host: Any, location: EnumValue) -> X509Store:
        return X509Store._checked("MY", location.value)

    @staticmethod
    @constructor(NS + "StoreName", NS + "StoreLocation")
    def _enum_named_located(_host: Any, name: EnumValue, location: EnumValue) -> X509Store:
        return X509Store._checked(_store_name(name), location.value)

    @staticmethod
    @constructor("System.String", NS + "StoreLocation")
    def _named_located(_host: Any, name: str, location: EnumValue) -> X509Store:
        return X509Store._checked(name, location.value)

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("Location")
    def _location(self) -> EnumValue:
        from ..values import enum_value

        return enum_value(STORE_LOCATION, self.location)

    @method("Open", NS + "OpenFlags")
    def _open(self, flags: EnumValue) -> None:
        host = _host()
        writable = bool(flags.value & 0x3)
        existing_only = bool(flags.value & 0x4)
        if self.location == 2:
            store = host.machine.machine_store(self.name, create=writable and not existing_only)
            if store is None and existing_only:
                raise crypto_error(win32_message(2))
            stores = [store if store is not None else _transient(self.name)]
        else:
            user = _user_name(host)
            own = host.machine.user_store(user, self.name, create=writable and not existing_only)
            inherited = None if self.name.lower() == "my" else host.machine.machine_store(self.name)
            if own is None and inherited is None and existing_only:
                raise crypto_error(win32_message(2))
            stores = [own if own is not None else _transient(self.name)] + ([inherited] if inherited else [])
        self.opened = stores
        self.read_only = not writable
        self.include_archived = bool(flags.value & 0x8)

    @method("Close")
    def _close(self) -> None:
        self.opened = None

    @prop("Certificates")
    def _certificates(self) -> X509Certificate2Collection:
        """A new collection on every read; empty when the store is not open (x509store.cs Certificates)."""
        if self.opened is None:
            return X509Certificate2Collection()
        seen: set[str] = set()
        items = []
        for store in self.opened:
            for entry in store.entries():
                if entry.thumbprint not in seen:
                    seen.add(entry.thumbprint)
                    items.append(certificate_object(entry))
        return X509Certificate2Collection(items)

    def _writable_store(self) -> CertificateStore:
        if self.opened is None:
            raise _not_open()
        if self.read_only:
            raise crypto_error(win32_message(5))  # CertAddCertificateContextToStore on a read-only store
        return self.opened[0]

    @method("Add", NS + "X509Certificate2")
    def _add(self, certificate: X509Certificate2) -> None:
        if certificate is None:
            raise argument_null("certificate")
        if self.opened is None:
            raise _not_open()
        if certificate.certificate is None:
            raise _invalid_handle()
        store = self._writable_store()
        if self.location == 1 and self.name.lower() == "root":
            # Adding to CurrentUser\Root asks the user to confirm in a dialog; a WinRM logon has no desktop, so the
            # add fails as on GUI-less Windows ("The operation was canceled by the user", dotnet/corefx#25306,
            # PowerShell/PowerShell#7748): an assumption for WinRM sessions, docs/lab.md.
            raise crypto_error(win32_message(1223))
        add_to_store(store, certificate)

    @method("AddRange", NS + "X509Certificate2Collection")
    def _add_range(self, certificates: X509Certificate2Collection) -> None:
        if certificates is None:
            raise argument_null("certificates")
        done = []
        try:
            for certificate in certificates:
                self._add(certificate)
                done.append(certificate)
        except Exception:
            for certificate in done:
                self._remove(certificate)
            raise

    @method("Remove", NS + "X509Certificate2")
    def _remove(self, certificate: X509Certificate2) -> None:
        if certificate is None:
            raise argument_null("certificate")
        if certificate.certificate is None:
            return  # RemoveCertificateFromStore returns for an invalid context before checking the store
        if self.opened is None:
            raise _not_open()
        own = self.opened[0]
        if certificate.thumbprint in own:
            self._writable_store().remove(certificate.thumbprint)
            return
        if any(certificate.thumbprint in store for store in self.opened[1:]):
            raise NotModelled("X509Store.Remove of a machine certificate through a CurrentUser logical store")

    @method("RemoveRange", NS + "X509Certificate2Collection")
    def _remove_range(self, certificates: X509Certificate2Collection) -> None:
        if certificates is None:
            raise argument_null("certificates")
        done = []
        try:
            for certificate in certificates:
                self._remove(certificate)
                done.append(certificate)
        except Exception:
            for certificate in done:
                self._add(certificate)
            raise


def add_to_store(store: CertificateStore, certificate: X509Certificate2) -> None:
    """CertAddCertificateContextToStore with CERT_STORE_ADD_REPLACE_EXISTING_INHERIT_PROPERTIES (x509store.cs Add):
    an existing element is replaced, keeping the properties the new context does not set (its key, its friendly
    name); the certificate object itself stays unattached to the store."""
    key = certificate.private_key if certificate.key_persisted or certificate.entry is not None else None
    friendly = certificate.friendly_name
    existing = store.get(certificate.thumbprint)
    if existing is not None:
        if key is not None:
            existing.private_key = key
        if friendly:
            existing.friendly_name = friendly
        return
    store.add(StoredCertificate(certificate._context(), key, friendly))


def _store_name(name: EnumValue) -> str:
    text = _STORE_NAME_TEXT.get(name.value)
    if text is None:
        raise net_error("System.ArgumentException", "Illegal enum value: storeName.")
    return text


def _transient(name: str) -> CertificateStore:
    """A store opened read-only that does not exist: empty, and nothing of it is kept (assumption, docs/lab.md)."""
    from ...hosts.state import CertificateStore

    return CertificateStore(name)


def _host() -> Host:
    host = current_host()
    if host is None:
        raise NotModelled("X509Store outside a command (no host)")
    return host


def _user_name(host: Host) -> str:
    """The logon's account name (CurrentUser stores are the profile's), ``DOMAIN\\user`` or ``user``."""
    user = (host.logon.user if host.logon is not None else "") or "Administrator"
    return user.rsplit("\\", 1)[-1].split("@", 1)[0]
