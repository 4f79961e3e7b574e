"""A Subject string as certreq turns it into a name: CertStrToName with CERT_X500_NAME_STR.

CertStrToName (Win32 docs): RDNs separated by ``,`` or ``;``, attributes of one RDN by ``+``; a value may be quoted
with double quotes (``""`` inside is one quote), blanks around keys and values are dropped; keys are the X.500
keywords CryptoAPI knows (CN, L, O, OU, E, C, S, STREET, T, G, I, SN, DC, SERIALNUMBER, ...) or ``OID.1.2.3``. The
string is written most specific first, as CertNameToStr shows a name; the encoded name has the RDNs the other way
round (X500DistinguishedNameFlags.Reversed is the display order). A bad key or delimiter is
CRYPT_E_INVALID_X500_STRING. The value's string type is the lab's choice (PrintableString when the characters allow
it, else UTF8String; IA5String for E and DC).
"""

from __future__ import annotations

import string

from cryptography import x509
from cryptography.x509.name import _ASN1Type
from cryptography.x509.oid import NameOID, ObjectIdentifier

from ._native import ProgramError

__all__ = ["parse_x500"]

_KEYS = {
    "cn": NameOID.COMMON_NAME,
    "l": NameOID.LOCALITY_NAME,
    "o": NameOID.ORGANIZATION_NAME,
    "ou": NameOID.ORGANIZATIONAL_UNIT_NAME,
    "e": NameOID.EMAIL_ADDRESS,
    "email": NameOID.EMAIL_ADDRESS,
    "c": NameOID.COUNTRY_NAME,
    "s": NameOID.STATE_OR_PROVINCE_NAME,
    "st": NameOID.STATE_OR_PROVINCE_NAME,
    "street": NameOID.STREET_ADDRESS,
    "t": NameOID.TITLE,
    "title": NameOID.TITLE,
    "g": NameOID.GIVEN_NAME,
    "givenname": NameOID.GIVEN_NAME,
    "i": NameOID.INITIALS,
    "initials": NameOID.INITIALS,
    "sn": NameOID.SURNAME,
    "dc": NameOID.DOMAIN_COMPONENT,
    "serialnumber": NameOID.SERIAL_NUMBER,
    "postalcode": NameOID.POSTAL_CODE,
}
_IA5 = {NameOID.EMAIL_ADDRESS, NameOID.DOMAIN_COMPONENT}
_PRINTABLE = set(string.ascii_letters + string.digits + " '()+,-./:=?")


def _tokens(text: str) -> list[list[tuple[str, str]]]:
    """RDNs as lists of (key, value), in the order written."""
    rdns: list[list[tuple[str, str]]] = [[]]
    key: list[str] = []
    value: list[str] = []
    in_value = quoted = was_quoted = False
    index = 0

    def finish(new_rdn: bool) -> None:
        nonlocal in_value, was_quoted
        name = "".join(key).strip()
        text_value = "".join(value) if was_quoted else "".join(value).strip()
        if not name or not in_value:
            raise ProgramError("CRYPT_E_INVALID_X500_STRING")
        rdns[-1].append((name, text_value))
        key.clear()
        value.clear()
        in_value = was_quoted = False
        if new_rdn:
            rdns.append([])

    while index < len(text):
        character = text[index]
        if quoted:
            if character == '"':
                if text[index + 1 : index + 2] == '"':
                    value.append('"')
                    index += 1
                else:
                    quoted = False
            else:
                value.append(character)
        elif not in_value:
            if character == "=":
                in_value = True
            elif character in ",;+":
                raise ProgramError("CRYPT_E_INVALID_X500_STRING")
            else:
                key.append(character)
        elif character == '"' and not "".join(value).strip():
            quoted = was_quoted = True
            value.clear()
        elif character in ",;":
            finish(True)
        elif character == "+":
            finish(False)
        elif was_quoted and not character.isspace():
            raise ProgramError("CRYPT_E_INVALID_X500_STRING")
        else:
            value.append(character)
        index += 1
    if quoted:
        raise ProgramError("CRYPT_E_INVALID_X500_STRING")
    if key or in_value:
        finish(False)
    elif rdns[-1] == [] and len(rdns) > 1:
        raise ProgramError("CRYPT_E_INVALID_X500_STRING")
    return [rdn for rdn in rdns if rdn]


def _oid(key: str) -> ObjectIdentifier:
    lowered = key.lower()
    if lowered in _KEYS:
        return _KEYS[lowered]
    dotted = key[4:] if lowered.startswith("oid.") else key
    parts = dotted.split(".")
    if len(parts) < 2 or not all(part.isdigit() for part in parts):
        raise ProgramError("CRYPT_E_INVALID_X500_STRING")
    return ObjectIdentifier(dotted)


def _attribute(oid: ObjectIdentifier, value: str) -> x509.NameAttribute:
    if oid in _IA5:
        kind = _ASN1Type.IA5String
    elif all(character in _PRINTABLE for character in value):
        kind = _ASN1Type.PrintableString
    else:
        kind = _ASN1Type.UTF8String
    try:
        return x509.NameAttribute(oid, value, _type=kind)
    except ValueError:
        raise ProgramError("CRYPT_E_INVALID_X500_STRING") from None


def parse_x500(text: str) -> x509.Name:
    """The encoded name of ``text`` (an empty string is the empty name)."""
    if not text.strip():
        return x509.Name([])
    rdns = [x509.RelativeDistinguishedName([_attribute(_oid(k), v) for k, v in rdn]) for rdn in _tokens(text)]
    return x509.Name(list(reversed(rdns)))
