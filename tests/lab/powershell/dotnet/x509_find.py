"""X509Certificate2Collection.Find: the matching rules of x509certificate2collection.cs FindCertInStore.

Thumbprint and key identifier values are hex with white space discarded and any other non-hex character read as
0xF (X509Utils.DecodeHexString / HexToByte); subject and issuer names match as a case-insensitive substring of the
simple name string (CERT_FIND_SUBJECT_STR); distinguished names match whole, ignoring case; serial numbers as a hex
or a decimal number; times as DateTime.ToFileTime (local time converted to UTC).
"""

from __future__ import annotations

import contextlib
from typing import Any

from cryptography import x509

from ..errors import NotModelled
from ..values import Char, EnumValue
from . import _der
from .time import DateTime, from_python
from .x509 import X509Certificate2, crypto_error
from .x509_extensions import name_text

__all__ = ["find"]


def _invalid_value() -> Exception:
    return crypto_error("Invalid find value.")  # System.txt Cryptography_X509_InvalidFindValue


def _text(value: Any) -> str:
    if not isinstance(value, str) or isinstance(value, Char):
        raise _invalid_value()
    return value


def _moment(value: Any) -> DateTime:
    if not isinstance(value, DateTime):
        raise _invalid_value()
    return value.to_universal()


def decode_hex(text: str) -> bytes:
    """X509Utils.DecodeHexString: white space dropped, an odd last digit ignored, a non-hex digit read as 0xF."""
    digits = "".join(character for character in text if not character.isspace())

    def nibble(character: str) -> int:
        return int(character, 16) if character in "0123456789abcdefABCDEF" else 0xF

    return bytes(
        ((nibble(digits[index]) << 4) | nibble(digits[index + 1])) & 0xFF for index in range(0, len(digits) - 1, 2)
    )


def _extension(certificate: X509Certificate2, oid: str) -> bytes | None:
    return next((raw for each, _critical, raw in certificate.parts.extensions if each == oid), None)


def _oid_value(text: str) -> str:
    from .x509_extensions import _value_of

    return _value_of(text)


def _serial_matches(certificate: X509Certificate2, text: str) -> bool:
    serial = certificate._context().serial_number
    candidates = []
    with contextlib.suppress(ValueError):
        candidates.append(int("".join(text.split()), 16))
    with contextlib.suppress(ValueError):
        candidates.append(int(text))
    return serial in candidates


def _time_state(certificate: X509Certificate2, moment: DateTime) -> int:
    """CertVerifyTimeValidity: -1 before NotBefore, 1 after NotAfter, 0 within."""
    context = certificate._context()
    if moment < from_python(context.not_valid_before_utc):
        return -1
    if moment > from_python(context.not_valid_after_utc):
        return 1
    return 0


_KEY_USAGE_NAMES = {
    "digitalsignature": 0x80, "nonrepudiation": 0x40, "keyencipherment": 0x20, "dataencipherment": 0x10,
    "keyagreement": 0x08, "keycertsign": 0x04, "crlsign": 0x02, "encipheronly": 0x01, "decipheronly": 0x8000,
}  # fmt: skip


def _key_usage_wanted(value: Any) -> int:
    if isinstance(value, str) and not isinstance(value, Char):
        bits = _KEY_USAGE_NAMES.get(value.lower())
        if bits is None:
            raise _invalid_value()
        return bits
    if isinstance(value, EnumValue) and value.type_name.endswith("X509KeyUsageFlags"):
        return value.value
    if isinstance(value, int) and not isinstance(value, bool):
        return value
    raise _invalid_value()


def _key_usage_matches(certificate: X509Certificate2, wanted: int) -> bool:
    raw = _extension(certificate, "2.5.29.15")
    if raw is None:
        return True  # no KeyUsage extension: valid for every usage (CertGetIntendedKeyUsage returns none)
    bit_string, _end = _der.parse(raw)
    return _der.decode_bit_string(bit_string.content) & wanted == wanted


def _application_policy_matches(certificate: X509Certificate2, oid: str) -> bool:
    try:
        usage = certificate._context().extensions.get_extension_for_class(x509.ExtendedKeyUsage).value
    except x509.ExtensionNotFound:
        return True  # no EKU: valid for all application policies (CertGetValidUsages)
    return any(each.dotted_string == oid for each in usage)


def _template_matches(certificate: X509Certificate2, name: str) -> bool:
    raw = _extension(certificate, "1.3.6.1.4.1.311.20.2")
    if raw is not None:
        value, _end = _der.parse(raw)
        text = value.content.decode("utf-16-be" if value.tag == 0x1E else "utf-8", errors="replace")
        if text.lower() == name.lower():
            return True
    info = _extension(certificate, "1.3.6.1.4.1.311.21.7")
    if info is not None:
        sequence, _end = _der.parse(info)
        template_oid = _der.decode_oid(next(_der.children(sequence.content)).content)
        return template_oid.lower() == _oid_value(name).lower()
    return False


def _matcher(find_type: int, value: Any) -> Any:
    if value is None:
        from ._runtime import argument_null

        raise argument_null("findValue")
    if find_type == 0:
        wanted = decode_hex(_text(value))
        return lambda each: bytes.fromhex(each.thumbprint) == wanted
    if find_type == 1:
        text = _text(value).lower()
        return lambda each: text in name_text(each.parts.subject, reversed_order=False, simple=True).lower()
    if find_type == 2:
        text = _text(value).lower()
        return lambda each: each.subject.lower() == text
    if find_type == 3:
        text = _text(value).lower()
        return lambda each: text in name_text(each.parts.issuer, reversed_order=False, simple=True).lower()
    if find_type == 4:
        text = _text(value).lower()
        return lambda each: each.issuer.lower() == text
    if find_type == 5:
        text = _text(value)
        return lambda each: _serial_matches(each, text)
    if find_type in (6, 7, 8):
        moment = _moment(value)
        state = {6: 0, 7: -1, 8: 1}[find_type]
        return lambda each: _time_state(each, moment) == state
    if find_type == 9:
        text = _text(value)
        return lambda each: _template_matches(each, text)
    if find_type == 10:
        oid = _oid_value(_text(value))
        return lambda each: _application_policy_matches(each, oid)
    if find_type == 12:
        oid = _oid_value(_text(value))
        return lambda each: _extension(each, oid) is not None
    if find_type == 13:
        bits = _key_usage_wanted(value)
        return lambda each: _key_usage_matches(each, bits)
    if find_type == 14:
        wanted = decode_hex(_text(value))

        def identifier(each: X509Certificate2) -> bool:
            raw = _extension(each, "2.5.29.14")
            return raw is not None and _der.parse(raw)[0].content == wanted

        return identifier
    if find_type == 11:
        raise NotModelled("X509FindType.FindByCertificatePolicy")
    raise crypto_error("Invalid find type.")  # System.txt Cryptography_X509_InvalidFindType


def find(items: list[X509Certificate2], find_type: int, value: Any, valid_only: bool) -> list[X509Certificate2]:
    matches = _matcher(find_type, value)
    found = [each for each in items if each.certificate is not None and matches(each)]
    if valid_only:
        from .x509_chain import verify_default

        found = [each for each in found if verify_default(each)]
    return found
