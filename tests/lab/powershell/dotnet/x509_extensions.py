"""Oid, AsnEncodedData, X500DistinguishedName, PublicKey and the X509 extensions (System.Security.Cryptography).

Names and extension values are the encoded bytes of the certificate (RawData), decoded the way CryptoAPI decodes them
(referencesource System/security/.../x509/x509extension.cs, x500Name.cs). Format() follows CryptFormatObject's
output for the extensions the lab's certificates carry; any other OID gives CryptFormatObject's hex dump ("If no
formatting routine is installed ... the hex dump of the encoded CRYPT_INTEGER_BLOB is returned", Win32 docs).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ..errors import NotModelled
from ..values import NetObject, PSArray, constructor, enum_type, enum_value, method, net_type, prop
from . import _der
from ._runtime import argument_null, byte_array, bytes_of, net_error

__all__ = [
    "AsnEncodedData",
    "Oid",
    "OidCollection",
    "PublicKey",
    "X500DistinguishedName",
    "X509Extension",
    "X509ExtensionCollection",
    "extension_object",
    "friendly_name",
    "name_text",
]

_NS = "System.Security.Cryptography.X509Certificates."

KEY_USAGE_FLAGS = enum_type(
    _NS + "X509KeyUsageFlags",
    {
        "None": 0, "EncipherOnly": 0x0001, "CrlSign": 0x0002, "KeyCertSign": 0x0004, "KeyAgreement": 0x0008,
        "DataEncipherment": 0x0010, "KeyEncipherment": 0x0020, "NonRepudiation": 0x0040,
        "DigitalSignature": 0x0080, "DecipherOnly": 0x8000,
    },
    flags=True,
)  # fmt: skip

# The OID names CryptoAPI's OID table gives (CryptFindOIDInfo) for the OIDs the lab's certificates use.
_OID_NAMES = {
    "2.5.29.10": "Basic Constraints",
    "2.5.29.14": "Subject Key Identifier",
    "2.5.29.15": "Key Usage",
    "2.5.29.17": "Subject Alternative Name",
    "2.5.29.19": "Basic Constraints",
    "2.5.29.31": "CRL Distribution Points",
    "2.5.29.32": "Certificate Policies",
    "2.5.29.35": "Authority Key Identifier",
    "2.5.29.37": "Enhanced Key Usage",
    "1.3.6.1.5.5.7.1.1": "Authority Information Access",
    "1.3.6.1.4.1.311.20.2": "Certificate Template Name",
    "1.3.6.1.4.1.311.21.1": "CA Version",
    "1.3.6.1.4.1.311.21.7": "Certificate Template Information",
    "1.3.6.1.4.1.311.21.10": "Application Policies",
    "1.3.6.1.5.5.7.3.1": "Server Authentication",
    "1.3.6.1.5.5.7.3.2": "Client Authentication",
    "1.3.6.1.5.5.7.3.3": "Code Signing",
    "1.3.6.1.5.5.7.3.4": "Secure Email",
    "1.3.6.1.5.5.7.3.8": "Time Stamping",
    "1.2.840.113549.1.1.1": "RSA",
    "1.2.840.113549.1.1.4": "md5RSA",
    "1.2.840.113549.1.1.5": "sha1RSA",
    "1.2.840.113549.1.1.11": "sha256RSA",
    "1.2.840.113549.1.1.12": "sha384RSA",
    "1.2.840.113549.1.1.13": "sha512RSA",
    "1.2.840.10045.2.1": "ECC",
    "1.2.840.10045.4.3.2": "sha256ECDSA",
    "1.2.840.10045.4.3.3": "sha384ECDSA",
    "2.5.4.3": "CN",
    "2.5.4.6": "C",
    "2.5.4.7": "L",
    "2.5.4.8": "S",
    "2.5.4.10": "O",
    "2.5.4.11": "OU",
    "1.2.840.113549.1.9.1": "E",
}
# Keywords of CertNameToStr's X500 form (Windows writes S for state, E for e-mail).
_NAME_KEYWORDS = {
    "2.5.4.3": "CN", "2.5.4.11": "OU", "2.5.4.10": "O", "2.5.4.7": "L", "2.5.4.8": "S", "2.5.4.6": "C",
    "1.2.840.113549.1.9.1": "E", "0.9.2342.19200300.100.1.25": "DC", "2.5.4.5": "SERIALNUMBER", "2.5.4.9": "STREET",
    "2.5.4.12": "T", "2.5.4.42": "G", "2.5.4.4": "SN", "2.5.4.43": "I", "0.9.2342.19200300.100.1.1": "UID",
}  # fmt: skip
_NEEDS_QUOTES = set(',+=<>#;"\n')


def friendly_name(value: str) -> str | None:
    return _OID_NAMES.get(value)


def _value_of(name: str) -> str:
    for value, text in _OID_NAMES.items():
        if text.lower() == name.lower():
            return value
    return name


def _asn1_error() -> Exception:
    # CRYPT_E_ASN1_BADTAG (0x8009310B): what CryptDecodeObject reports for bytes of another structure.
    return net_error("System.Security.Cryptography.CryptographicException", "ASN1 bad tag value met.\r\n")


@net_type("System.Security.Cryptography.Oid")
class Oid(NetObject):
    """An object identifier; Oid(string) accepts a dotted value or a friendly name (CryptFindOIDInfo)."""

    def __init__(self, value: str | None, name: str | None = None) -> None:
        self.value = value
        self.name = name if name is not None else (friendly_name(value) if value else None)

    @staticmethod
    @constructor()
    def _empty(_host: Any) -> Oid:
        return Oid(None)

    @staticmethod
    @constructor("System.String")
    def _from_text(_host: Any, text: str) -> Oid:
        value = _value_of(text)
        return Oid(value, friendly_name(value))

    @staticmethod
    @constructor("System.String", "System.String")
    def _from_pair(_host: Any, value: str, name: str) -> Oid:
        return Oid(value, name)

    @staticmethod
    @constructor("System.Security.Cryptography.Oid")
    def _copy(_host: Any, other: Oid) -> Oid:
        if other is None:
            raise argument_null("oid")
        return Oid(other.value, other.name)

    @prop("Value", settable=True)
    def _value(self, *new: str) -> str | None:
        if new:
            self.value = new[0]
            return None
        return self.value

    @prop("FriendlyName", settable=True)
    def _friendly(self, *new: str) -> str | None:
        if new:
            self.name = new[0]
            if new[0] is not None:
                self.value = _value_of(new[0])
            return None
        return self.name

    def to_string(self) -> str:
        return "System.Security.Cryptography.Oid"


@net_type("System.Security.Cryptography.OidCollection", interfaces=("System.Collections.ICollection",))
class OidCollection(NetObject):
    def __init__(self, items: list[Oid] | None = None) -> None:
        self.items = list(items or [])

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Oid]:
        return iter(list(self.items))

    def __getitem__(self, key: int | str) -> Oid | None:
        """The indexer: by position, or by OID value or friendly name (None when no OID matches)."""
        if isinstance(key, str):
            value = _value_of(key)
            return next((each for each in self.items if each.value == value), None)
        return self.items[key]

    @staticmethod
    @constructor()
    def _new(_host: Any) -> OidCollection:
        return OidCollection()

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)

    @method("Add", "System.Security.Cryptography.Oid")
    def _add(self, oid: Oid) -> int:
        self.items.append(oid)
        return len(self.items) - 1


@net_type("System.Security.Cryptography.AsnEncodedData")
class AsnEncodedData(NetObject):
    def __init__(self, oid: Oid | None, raw: bytes) -> None:
        self.oid = oid
        self.raw = bytes(raw)

    @staticmethod
    @constructor("System.Byte[]")
    def _from_bytes(_host: Any, data: PSArray) -> AsnEncodedData:
        return AsnEncodedData(None, bytes_of(data, "rawData"))

    @staticmethod
    @constructor("System.String", "System.Byte[]")
    def _from_oid_text(_host: Any, oid: str, data: PSArray) -> AsnEncodedData:
        return AsnEncodedData(Oid(_value_of(oid)), bytes_of(data, "rawData"))

    @staticmethod
    @constructor("System.Security.Cryptography.Oid", "System.Byte[]")
    def _from_oid(_host: Any, oid: Oid, data: PSArray) -> AsnEncodedData:
        return AsnEncodedData(oid, bytes_of(data, "rawData"))

    @prop("Oid")
    def _oid(self) -> Oid | None:
        return self.oid

    @prop("RawData")
    def _raw(self) -> PSArray:
        return byte_array(self.raw)

    @method("Format", "System.Boolean")
    def _format(self, multi_line: bool) -> str:
        if not self.raw:
            return ""
        return self.formatted(multi_line)

    def formatted(self, multi_line: bool) -> str:
        """CryptFormatObject's hex dump (two lower-case digits per byte, separated by spaces)."""
        return " ".join(f"{byte:02x}" for byte in self.raw)


# -- names --------------------------------------------------------------------------------------------------------


def _string_value(element: _der.Tlv) -> str:
    if element.tag == 0x1E:  # BMPString
        return element.content.decode("utf-16-be")
    if element.tag == 0x1C:  # UniversalString
        return element.content.decode("utf-32-be")
    if element.tag == 0x14:  # TeletexString: CryptoAPI reads it as Latin-1
        return element.content.decode("latin-1")
    if element.tag in (0x0C, 0x13, 0x16, 0x12, 0x1A):  # UTF8, Printable, IA5, Numeric, Visible
        return element.content.decode("utf-8", errors="replace")
    return "#" + element.encoded.hex()


def name_rdns(encoded: bytes) -> list[list[tuple[str, str]]]:
    """The RDNs of an encoded Name in encoded order: each a list of (OID, value)."""
    try:
        name, _end = _der.parse(encoded)
        if name.tag != 0x30:
            raise _asn1_error()
        rdns = []
        for rdn in _der.children(name.content):
            attributes = []
            for attribute in _der.children(rdn.content):
                oid, value = list(_der.children(attribute.content))[:2]
                attributes.append((_der.decode_oid(oid.content), _string_value(value)))
            rdns.append(attributes)
    except _der.DerError:
        raise _asn1_error() from None
    return rdns


def name_text(encoded: bytes, *, reversed_order: bool = True, simple: bool = False) -> str:
    """CertNameToStr: X500 form (``CN=a, O=b``, most specific first: X500DistinguishedNameFlags.Reversed, what
    X500DistinguishedName.Name and X509Certificate.Subject use) or the simple form (values only)."""
    rdns = name_rdns(encoded)
    if reversed_order:
        rdns = list(reversed(rdns))
    parts = []
    for rdn in rdns:
        attributes = []
        for oid, value in rdn:
            if simple:
                attributes.append(value)
                continue
            keyword = _NAME_KEYWORDS.get(oid, f"OID.{oid}")
            if any(character in _NEEDS_QUOTES for character in value) or value != value.strip():
                value = '"' + value.replace('"', '""') + '"'
            attributes.append(f"{keyword}={value}")
        parts.append(" + ".join(attributes))
    return ", ".join(parts)


@net_type(_NS + "X500DistinguishedName", base="System.Security.Cryptography.AsnEncodedData")
class X500DistinguishedName(AsnEncodedData):
    """An encoded Name; Name is its text (decoded on demand, so bytes that are no Name fail there, as in .NET)."""

    def __init__(self, raw: bytes) -> None:
        super().__init__(Oid(None), raw)

    @staticmethod
    @constructor("System.Byte[]")
    def _from_bytes(_host: Any, data: PSArray) -> X500DistinguishedName:
        return X500DistinguishedName(bytes_of(data, "encodedDistinguishedName"))

    @staticmethod
    @constructor(_NS + "X500DistinguishedName")
    def _copy(_host: Any, other: X500DistinguishedName) -> X500DistinguishedName:
        if other is None:
            raise argument_null("distinguishedName")
        return X500DistinguishedName(other.raw)

    @staticmethod
    @constructor("System.String")
    def _from_text(_host: Any, text: str) -> X500DistinguishedName:
        raise NotModelled("new X500DistinguishedName(string): CertStrToName's encoding choices are not modelled")

    @prop("Name")
    def _name(self) -> str:
        return name_text(self.raw)

    def formatted(self, multi_line: bool) -> str:
        if multi_line:
            return "".join(part + "\r\n" for part in name_text(self.raw, reversed_order=False).split(", "))
        return name_text(self.raw, reversed_order=False)

    def to_string(self) -> str:
        return _NS + "X500DistinguishedName"


# -- extensions -------------------------------------------------------------------------------------------------


@net_type(_NS + "X509Extension", base="System.Security.Cryptography.AsnEncodedData")
class X509Extension(AsnEncodedData):
    def __init__(self, oid: Oid, raw: bytes, critical: bool) -> None:
        super().__init__(oid, raw)
        self.critical = critical

    @staticmethod
    @constructor("System.Security.Cryptography.AsnEncodedData", "System.Boolean")
    def _from_encoded(_host: Any, encoded: AsnEncodedData, critical: bool) -> X509Extension:
        if encoded is None:
            raise argument_null("encodedExtension")
        return X509Extension(Oid(encoded.oid.value if encoded.oid else None), encoded.raw, critical)

    @staticmethod
    @constructor("System.Security.Cryptography.Oid", "System.Byte[]", "System.Boolean")
    def _from_oid(_host: Any, oid: Oid, data: PSArray, critical: bool) -> X509Extension:
        if oid is None or oid.value is None:
            raise argument_null("oid")
        return X509Extension(oid, bytes_of(data, "rawData"), critical)

    @staticmethod
    @constructor("System.String", "System.Byte[]", "System.Boolean")
    def _from_text(_host: Any, oid: str, data: PSArray, critical: bool) -> X509Extension:
        return X509Extension(Oid(_value_of(oid)), bytes_of(data, "rawData"), critical)

    @prop("Critical", settable=True)
    def _critical(self, *new: bool) -> bool | None:
        if new:
            self.critical = bool(new[0])
            return None
        return self.critical

    def formatted(self, multi_line: bool) -> str:
        formatter = _FORMATTERS.get((self.oid.value if self.oid else None) or "")
        if formatter is None:
            return super().formatted(multi_line)
        try:
            return formatter(self.raw, multi_line)
        except (_der.DerError, IndexError, ValueError):
            return super().formatted(multi_line)


def _basic_constraints(raw: bytes) -> tuple[bool, bool, int]:
    try:
        sequence, _end = _der.parse(raw)
        if sequence.tag != 0x30:
            raise _asn1_error()
        is_ca, has_length, length = False, False, 0
        for element in _der.children(sequence.content):
            if element.tag == 0x01:
                is_ca = element.content != b"\x00"
            elif element.tag == 0x02:
                has_length, length = True, int.from_bytes(element.content, "big", signed=True)
            else:
                raise _asn1_error()
    except _der.DerError:
        raise _asn1_error() from None
    return is_ca, has_length, length


@net_type(_NS + "X509BasicConstraintsExtension", base=_NS + "X509Extension")
class X509BasicConstraintsExtension(X509Extension):
    """Decoded on first use of a property (x509extension.cs DecodeExtension), as BASIC_CONSTRAINTS2 unless the OID
    is the obsolete 2.5.29.10."""

    def __init__(self, oid: Oid, raw: bytes, critical: bool) -> None:
        super().__init__(oid, raw, critical)

    def _decoded(self) -> tuple[bool, bool, int]:
        if self.oid is not None and self.oid.value == "2.5.29.10":
            raise NotModelled("the obsolete basic constraints extension 2.5.29.10")
        return _basic_constraints(self.raw)

    @staticmethod
    @constructor()
    def _empty(_host: Any) -> X509BasicConstraintsExtension:
        return X509BasicConstraintsExtension(Oid("2.5.29.19"), b"\x30\x00", False)

    @staticmethod
    @constructor("System.Boolean", "System.Boolean", "System.Int32", "System.Boolean")
    def _from_values(
        _host: Any, is_ca: bool, has_length: bool, length: int, critical: bool
    ) -> X509BasicConstraintsExtension:
        if has_length and length < 0:
            raise net_error(
                "System.ArgumentOutOfRangeException",
                "Non-negative number required.\r\nParameter name: pathLengthConstraint",
            )
        body = (b"\x01\x01\xff" if is_ca else b"") + (
            b"\x02" + bytes([len(_int_bytes(length))]) + _int_bytes(length) if has_length else b""
        )
        return X509BasicConstraintsExtension(Oid("2.5.29.19"), b"\x30" + bytes([len(body)]) + body, critical)

    @staticmethod
    @constructor("System.Security.Cryptography.AsnEncodedData", "System.Boolean")
    def _from_encoded(_host: Any, encoded: AsnEncodedData, critical: bool) -> X509BasicConstraintsExtension:
        if encoded is None:
            raise net_error("System.NullReferenceException", "Object reference not set to an instance of an object.")
        return X509BasicConstraintsExtension(Oid("2.5.29.19"), encoded.raw, critical)

    @prop("CertificateAuthority")
    def _ca(self) -> bool:
        return self._decoded()[0]

    @prop("HasPathLengthConstraint")
    def _has_length(self) -> bool:
        return self._decoded()[1]

    @prop("PathLengthConstraint")
    def _length(self) -> int:
        return self._decoded()[2]


def _int_bytes(number: int) -> bytes:
    return number.to_bytes(number.bit_length() // 8 + 1, "big", signed=True)


def _key_usage_bits(raw: bytes) -> int:
    try:
        bit_string, _end = _der.parse(raw)
        if bit_string.tag != 0x03:
            raise _asn1_error()
        return _der.decode_bit_string(bit_string.content)
    except _der.DerError:
        raise _asn1_error() from None


@net_type(_NS + "X509KeyUsageExtension", base=_NS + "X509Extension")
class X509KeyUsageExtension(X509Extension):
    @staticmethod
    @constructor("System.Security.Cryptography.AsnEncodedData", "System.Boolean")
    def _from_encoded(_host: Any, encoded: AsnEncodedData, critical: bool) -> X509KeyUsageExtension:
        return X509KeyUsageExtension(Oid("2.5.29.15"), encoded.raw, critical)

    @prop("KeyUsages")
    def _usages(self) -> Any:
        return enum_value(KEY_USAGE_FLAGS, _key_usage_bits(self.raw))


def _usage_oids(raw: bytes) -> list[str]:
    try:
        sequence, _end = _der.parse(raw)
        if sequence.tag != 0x30:
            raise _asn1_error()
        return [_der.decode_oid(element.content) for element in _der.children(sequence.content)]
    except _der.DerError:
        raise _asn1_error() from None


@net_type(_NS + "X509EnhancedKeyUsageExtension", base=_NS + "X509Extension")
class X509EnhancedKeyUsageExtension(X509Extension):
    @staticmethod
    @constructor("System.Security.Cryptography.AsnEncodedData", "System.Boolean")
    def _from_encoded(_host: Any, encoded: AsnEncodedData, critical: bool) -> X509EnhancedKeyUsageExtension:
        return X509EnhancedKeyUsageExtension(Oid("2.5.29.37"), encoded.raw, critical)

    @prop("EnhancedKeyUsages")
    def _usages(self) -> OidCollection:
        return OidCollection([Oid(value) for value in _usage_oids(self.raw)])


@net_type(_NS + "X509SubjectKeyIdentifierExtension", base=_NS + "X509Extension")
class X509SubjectKeyIdentifierExtension(X509Extension):
    @prop("SubjectKeyIdentifier")
    def _identifier(self) -> str:
        try:
            octets, _end = _der.parse(self.raw)
        except _der.DerError:
            raise _asn1_error() from None
        return octets.content.hex().upper()


_EXTENSION_TYPES: dict[str, type[X509Extension]] = {
    "2.5.29.10": X509BasicConstraintsExtension,
    "2.5.29.19": X509BasicConstraintsExtension,
    "2.5.29.15": X509KeyUsageExtension,
    "2.5.29.37": X509EnhancedKeyUsageExtension,
    "2.5.29.14": X509SubjectKeyIdentifierExtension,
}


def extension_object(oid: str, critical: bool, raw: bytes) -> X509Extension:
    """An extension as X509Certificate2.Extensions holds it: of the specific class CryptoConfig maps the OID to."""
    return _EXTENSION_TYPES.get(oid, X509Extension)(Oid(oid), raw, critical)


@net_type(_NS + "X509ExtensionCollection", interfaces=("System.Collections.ICollection",))
class X509ExtensionCollection(NetObject):
    def __init__(self, items: list[X509Extension] | None = None) -> None:
        self.items = list(items or [])

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[X509Extension]:
        return iter(list(self.items))

    def __getitem__(self, key: int | str) -> X509Extension | None:
        """By position, or by OID value or friendly name (None when absent)."""
        if isinstance(key, str):
            value = _value_of(key)
            return next((each for each in self.items if each.oid is not None and each.oid.value == value), None)
        return self.items[key]

    @staticmethod
    @constructor()
    def _new(_host: Any) -> X509ExtensionCollection:
        return X509ExtensionCollection()

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)

    @method("Add", _NS + "X509Extension")
    def _add(self, extension: X509Extension) -> int:
        if extension is None:
            raise argument_null("extension")
        self.items.append(extension)
        return len(self.items) - 1


# -- CryptFormatObject texts ---------------------------------------------------------------------------------------

_KEY_USAGE_TEXT = (
    (0x80, "Digital Signature"), (0x40, "Non-Repudiation"), (0x20, "Key Encipherment"), (0x10, "Data Encipherment"),
    (0x08, "Key Agreement"), (0x04, "Certificate Signing"), (0x02, "Off-line CRL Signing, CRL Signing"),
    (0x01, "Encipher Only"),
    (0x8000, "Decipher Only"),
)  # fmt: skip


def _format_basic_constraints(raw: bytes, multi_line: bool) -> str:
    is_ca, has_length, length = _basic_constraints(raw)
    parts = [
        "Subject Type=" + ("CA" if is_ca else "End Entity"),
        "Path Length Constraint=" + (str(length) if has_length else "None"),
    ]
    return "".join(part + "\r\n" for part in parts) if multi_line else ", ".join(parts)


def _format_key_usage(raw: bytes, multi_line: bool) -> str:
    bits = _key_usage_bits(raw)
    names = [text for bit, text in _KEY_USAGE_TEXT if bits & bit]
    low, high = bits & 0xFF, bits >> 8
    code = f"{low:02x}" + (f" {high:02x}" if high else "")
    text = ", ".join(names) + f" ({code})"
    return text + "\r\n" if multi_line else text


def _format_usages(raw: bytes, multi_line: bool) -> str:
    parts = [f"{friendly_name(value) or ''} ({value})".lstrip() for value in _usage_oids(raw)]
    return "".join(part + "\r\n" for part in parts) if multi_line else ", ".join(parts)


def _format_key_identifier(raw: bytes, multi_line: bool) -> str:
    octets, _end = _der.parse(raw)
    text = " ".join(f"{byte:02x}" for byte in octets.content)
    return text + "\r\n" if multi_line else text


_FORMATTERS = {
    "2.5.29.19": _format_basic_constraints,
    "2.5.29.15": _format_key_usage,
    "2.5.29.37": _format_usages,
    "2.5.29.14": _format_key_identifier,
}


# -- public key -----------------------------------------------------------------------------------------------------


@net_type("System.Security.Cryptography.X509Certificates.PublicKey")
class PublicKey(NetObject):
    """The certificate's SubjectPublicKeyInfo: algorithm OID, encoded parameters and key value."""

    def __init__(self, spki: bytes) -> None:
        info, _end = _der.parse(spki)
        algorithm, key = list(_der.children(info.content))[:2]
        parts = list(_der.children(algorithm.content))
        self.oid = Oid(_der.decode_oid(parts[0].content))
        self.parameters = parts[1].encoded if len(parts) > 1 else b""
        self.key = key.content[1:]  # the BIT STRING's bytes after its unused-bits count

    @prop("Oid")
    def _oid(self) -> Oid:
        return self.oid

    @prop("EncodedKeyValue")
    def _key_value(self) -> AsnEncodedData:
        return AsnEncodedData(self.oid, self.key)

    @prop("EncodedParameters")
    def _parameters(self) -> AsnEncodedData:
        return AsnEncodedData(self.oid, self.parameters)

    @prop("Key")
    def _key(self) -> Any:
        raise NotModelled("PublicKey.Key (an RSACryptoServiceProvider)")


__all__ += [
    "KEY_USAGE_FLAGS",
    "X509BasicConstraintsExtension",
    "X509EnhancedKeyUsageExtension",
    "X509KeyUsageExtension",
]
