"""System.Text.StringBuilder, System.Text.Encoding and System.Convert.

Encoding.Default is the system ANSI code page, a lab setting (``HostState.ansi_code_page``, default 1252). Decoding
replaces what is invalid (UTF-8: U+FFFD, as UTF8Encoding's replacement fallback; ASCII: '?'); characters a single-
byte code page cannot represent would go through Windows' best-fit tables, which the lab does not have: refused
(NotModelled). Base64 follows Convert's documentation: white space (space, tab, CR, LF) in the input is ignored.
"""

from __future__ import annotations

import base64
import binascii
import math
from typing import Any

from ..errors import NotModelled
from ..values import (
    CLR4,
    Char,
    EnumValue,
    NetObject,
    PSArray,
    TypedInt,
    constructor,
    enum_type,
    method,
    net_type,
    prop,
    static,
)
from ._runtime import (
    argument_exception,
    argument_null,
    argument_out_of_range,
    byte_array,
    bytes_of,
    current_host,
    net_error,
)
from .formatting import composite_format, net_to_string
from .globalization import CultureInfo, current_culture

__all__ = ["Encoding", "StringBuilder", "composite_format", "from_base64", "make_encoding", "to_base64"]

BASE64_OPTIONS = enum_type("System.Base64FormattingOptions", {"None": 0, "InsertLineBreaks": 1}, flags=True)


def _runtime() -> str:
    host = current_host()
    return host.runtime if host is not None else CLR4


def _index_error(parameter: str) -> Exception:
    return argument_out_of_range(
        parameter, "Index was out of range. Must be non-negative and less than the size of the collection."
    )


# -- StringBuilder --------------------------------------------------------------------------------------------------


@net_type("System.Text.StringBuilder", interfaces=("System.Runtime.Serialization.ISerializable",))
class StringBuilder(NetObject):
    def __init__(self, text: str = "", capacity: int = 16) -> None:
        self.parts: list[str] = [text] if text else []
        self.capacity = max(capacity, len(text), 16)

    @property
    def text(self) -> str:
        joined = "".join(self.parts)
        self.parts = [joined] if joined else []
        return joined

    def _grow(self) -> None:
        length = len(self.text)
        while self.capacity < length:
            self.capacity *= 2

    def _append(self, text: str) -> StringBuilder:
        self.parts.append(text)
        self._grow()
        return self

    def to_string(self) -> str:
        return self.text

    @staticmethod
    @constructor()
    def _new(_host: Any) -> StringBuilder:
        return StringBuilder()

    @staticmethod
    @constructor("System.Int32")
    def _with_capacity(_host: Any, capacity: int) -> StringBuilder:
        if capacity < 0:
            raise argument_out_of_range("capacity", "'capacity' must be greater than zero.")
        return StringBuilder("", capacity)

    @staticmethod
    @constructor("System.String")
    def _with_text(_host: Any, text: str | None) -> StringBuilder:
        return StringBuilder(text or "")

    @staticmethod
    @constructor("System.String", "System.Int32")
    def _with_text_capacity(_host: Any, text: str | None, capacity: int) -> StringBuilder:
        if capacity < 0:
            raise argument_out_of_range("capacity", "'capacity' must be greater than zero.")
        return StringBuilder(text or "", capacity)

    @prop("Length", settable=True)
    def _length(self, *new: int) -> int | None:
        if not new:
            return len(self.text)
        if new[0] < 0:
            raise argument_out_of_range("value", "Length cannot be less than zero.")
        text = self.text
        self.parts = [text[: new[0]].ljust(new[0], "\x00")]
        self._grow()
        return None

    @prop("Capacity")
    def _capacity(self) -> int:
        return self.capacity

    @prop("MaxCapacity")
    def _max_capacity(self) -> int:
        return 2**31 - 1

    def __getitem__(self, index: int) -> Char:
        """The Chars indexer."""
        text = self.text
        if not 0 <= index < len(text):
            raise _index_error("index")
        return Char(text[index])

    @method("Append", "System.String")
    def _append_string(self, text: str | None) -> StringBuilder:
        return self._append(text or "")

    @method("Append", "System.Char")
    def _append_char(self, character: str) -> StringBuilder:
        return self._append(character)

    @method("Append", "System.Char", "System.Int32")
    def _append_repeated(self, character: str, count: int) -> StringBuilder:
        if count < 0:
            raise argument_out_of_range("repeatCount", "Count cannot be less than zero.")
        return self._append(character * count)

    @method("Append", "System.Char[]")
    def _append_chars(self, characters: Any) -> StringBuilder:
        return self._append("".join(characters or []))

    @method("Append", "System.String", "System.Int32", "System.Int32")
    def _append_range(self, text: str | None, start: int, count: int) -> StringBuilder:
        # StringBuilder.Append(string, int, int): the checks and messages in the order of the source
        if start < 0:
            raise _index_error("startIndex")
        if count < 0:
            raise argument_out_of_range("count", "Value must be positive.")
        if text is None:
            if start == 0 and count == 0:
                return self
            raise argument_null("value")
        if count == 0:
            return self
        if start > len(text) - count:
            raise _index_error("startIndex")
        return self._append(text[start : start + count])

    @method("Append", "System.Char[]", "System.Int32", "System.Int32")
    def _append_chars_range(self, characters: Any, start: int, count: int) -> StringBuilder:
        return self._append_range("".join(characters) if characters is not None else None, start, count)

    @method("Append", "System.Object")
    def _append_object(self, value: Any) -> StringBuilder:
        return self._append(net_to_string(value))

    @method("Append", "System.Boolean")
    def _append_bool(self, value: bool) -> StringBuilder:
        return self._append(net_to_string(value))

    @method("Append", "System.Int32")
    def _append_int(self, value: int) -> StringBuilder:
        return self._append(net_to_string(value))

    @method("Append", "System.Int64")
    def _append_long(self, value: int) -> StringBuilder:
        return self._append(net_to_string(value))

    @method("Append", "System.Double")
    def _append_double(self, value: float) -> StringBuilder:
        return self._append(net_to_string(float(value)))

    @method("AppendFormat", "System.String", "System.Object")
    def _append_format1(self, text: str, first: Any) -> StringBuilder:
        return self._append(composite_format(text, [first]))

    @method("AppendFormat", "System.String", "System.Object", "System.Object")
    def _append_format2(self, text: str, first: Any, second: Any) -> StringBuilder:
        return self._append(composite_format(text, [first, second]))

    @method("AppendFormat", "System.String", "System.Object", "System.Object", "System.Object")
    def _append_format3(self, text: str, first: Any, second: Any, third: Any) -> StringBuilder:
        return self._append(composite_format(text, [first, second, third]))

    @method("AppendFormat", "System.String", "System.Object[]", params=True)
    def _append_format(self, text: str, arguments: Any) -> StringBuilder:
        if arguments is None:
            raise argument_null("args")
        return self._append(composite_format(text, list(arguments)))

    @method("AppendFormat", "System.IFormatProvider", "System.String", "System.Object[]", params=True)
    def _append_format_provider(self, provider: Any, text: str, arguments: Any) -> StringBuilder:
        culture = provider.data if isinstance(provider, CultureInfo) else current_culture()
        return self._append(composite_format(text, list(arguments or []), culture))

    @method("AppendLine")
    def _append_line(self) -> StringBuilder:
        return self._append("\r\n")

    @method("AppendLine", "System.String")
    def _append_line_text(self, text: str | None) -> StringBuilder:
        return self._append((text or "") + "\r\n")

    @method("Insert", "System.Int32", "System.String")
    def _insert(self, index: int, text: str | None) -> StringBuilder:
        current = self.text
        if not 0 <= index <= len(current):
            raise _index_error("index")
        self.parts = [current[:index] + (text or "") + current[index:]]
        self._grow()
        return self

    @method("Insert", "System.Int32", "System.Char")
    def _insert_char(self, index: int, character: str) -> StringBuilder:
        return self._insert(index, character)

    @method("Insert", "System.Int32", "System.Object")
    def _insert_object(self, index: int, value: Any) -> StringBuilder:
        return self._insert(index, net_to_string(value))

    @method("Remove", "System.Int32", "System.Int32")
    def _remove(self, start: int, length: int) -> StringBuilder:
        current = self.text
        if length < 0:
            raise argument_out_of_range("length", "Length cannot be less than zero.")
        if start < 0:
            raise argument_out_of_range("startIndex", "StartIndex cannot be less than zero.")
        if length > len(current) - start:
            raise _index_error("index")
        self.parts = [current[:start] + current[start + length :]]
        return self

    @method("Replace", "System.String", "System.String")
    def _replace(self, old: str | None, new: str | None) -> StringBuilder:
        if old is None:
            raise argument_null("oldValue")
        if old == "":
            raise argument_exception("String cannot be of zero length.", "oldValue")
        self.parts = [self.text.replace(old, new or "")]
        self._grow()
        return self

    @method("Replace", "System.Char", "System.Char")
    def _replace_char(self, old: str, new: str) -> StringBuilder:
        self.parts = [self.text.replace(old, new)]
        return self

    @method("Clear", since=CLR4)
    def _clear(self) -> StringBuilder:
        self.parts = []
        return self

    @method("EnsureCapacity", "System.Int32")
    def _ensure(self, capacity: int) -> int:
        if capacity < 0:
            raise argument_out_of_range("capacity", "'capacity' must be greater than zero.")
        self.capacity = max(self.capacity, capacity)
        return self.capacity

    @method("ToString")
    def _to_string(self) -> str:
        return self.text

    @method("ToString", "System.Int32", "System.Int32")
    def _to_string_range(self, start: int, length: int) -> str:
        current = self.text
        if start < 0:
            raise argument_out_of_range("startIndex", "StartIndex cannot be less than zero.")
        if start > len(current):
            raise argument_out_of_range("startIndex", "startIndex cannot be larger than length of string.")
        if length < 0:
            raise argument_out_of_range("length", "Length cannot be less than zero.")
        if start > len(current) - length:
            raise argument_out_of_range("length", "Index and length must refer to a location within the string.")
        return current[start : start + length]

    @method("Equals", "System.Text.StringBuilder")
    def _equals(self, other: StringBuilder | None) -> bool:
        return other is not None and other.text == self.text and other.capacity == self.capacity


# -- Encoding -------------------------------------------------------------------------------------------------------

# code page -> (Python codec, WebName, EncodingName, BodyName, .NET class, single byte)
_CODE_PAGES: dict[int, tuple[str, str, str, str, str, bool]] = {
    65001: ("utf-8", "utf-8", "Unicode (UTF-8)", "utf-8", "System.Text.UTF8Encoding", False),
    20127: ("ascii", "us-ascii", "US-ASCII", "us-ascii", "System.Text.ASCIIEncoding", True),
    1200: ("utf-16-le", "utf-16", "Unicode", "utf-16", "System.Text.UnicodeEncoding", False),
    1201: ("utf-16-be", "unicodeFFFE", "Unicode (Big-Endian)", "unicodeFFFE", "System.Text.UnicodeEncoding", False),
    12000: ("utf-32-le", "utf-32", "Unicode (UTF-32)", "utf-32", "System.Text.UTF32Encoding", False),
    65000: ("utf-7", "utf-7", "Unicode (UTF-7)", "utf-7", "System.Text.UTF7Encoding", False),
    1252: ("cp1252", "Windows-1252", "Western European (Windows)", "iso-8859-1", "System.Text.SBCSCodePageEncoding",
           True),
    28591: ("latin-1", "iso-8859-1", "Western European (ISO)", "iso-8859-1", "System.Text.Latin1Encoding", True),
    437: ("cp437", "IBM437", "OEM United States", "IBM437", "System.Text.SBCSCodePageEncoding", True),
    850: ("cp850", "ibm850", "Western European (DOS)", "ibm850", "System.Text.SBCSCodePageEncoding", True),
}  # fmt: skip
_PREAMBLES = {65001: b"\xef\xbb\xbf", 1200: b"\xff\xfe", 1201: b"\xfe\xff", 12000: b"\xff\xfe\x00\x00"}
# Bytes Windows-1252 leaves undefined: Windows maps them to the C1 control characters of the same value.
_CP1252_UNDEFINED = {0x81, 0x8D, 0x8F, 0x90, 0x9D}


def _without_lone_surrogates(text: str) -> str:
    return "".join("\ufffd" if 0xD800 <= ord(c) <= 0xDFFF else c for c in text)


@net_type("System.Text.Encoding", interfaces=("System.ICloneable",))
class Encoding(NetObject):
    def __init__(self, code_page: int, *, preamble: bool = True, throw_on_invalid: bool = False) -> None:
        self.code_page = code_page
        self.preamble = preamble
        self.throw_on_invalid = throw_on_invalid

    @property
    def info(self) -> tuple[str, str, str, str, str, bool]:
        return _CODE_PAGES[self.code_page]

    def to_string(self) -> str:
        return self.net_type_name

    def encode(self, text: str) -> bytes:
        codec = self.info[0]
        if codec == "ascii":
            return "".join(c if ord(c) < 128 else "?" for c in text).encode("ascii")
        if codec.startswith("utf"):
            return _without_lone_surrogates(text).encode(codec)
        if codec == "cp1252":
            return bytes(ord(c) if ord(c) in _CP1252_UNDEFINED else _single(c, codec) for c in text)
        return bytes(_single(c, codec) for c in text)

    def decode(self, data: bytes) -> str:
        codec = self.info[0]
        if codec == "ascii":
            return "".join(chr(b) if b < 128 else "?" for b in data)
        if codec == "cp1252":
            return "".join(chr(b) if b in _CP1252_UNDEFINED else bytes([b]).decode("cp1252") for b in data)
        if self.throw_on_invalid:
            try:
                return data.decode(codec)
            except UnicodeDecodeError:
                raise net_error(
                    "System.Text.DecoderFallbackException", "Unable to translate bytes at index to Unicode."
                ) from None
        return data.decode(codec, errors="replace")

    @staticmethod
    def _standard(code_page: int) -> Encoding:
        return make_encoding(code_page)

    @staticmethod
    @prop("UTF8", static_member=True)
    def _utf8(_host: Any) -> Encoding:
        return make_encoding(65001)

    @staticmethod
    @prop("ASCII", static_member=True)
    def _ascii(_host: Any) -> Encoding:
        return make_encoding(20127)

    @staticmethod
    @prop("Unicode", static_member=True)
    def _unicode(_host: Any) -> Encoding:
        return make_encoding(1200)

    @staticmethod
    @prop("BigEndianUnicode", static_member=True)
    def _big_endian(_host: Any) -> Encoding:
        return make_encoding(1201)

    @staticmethod
    @prop("UTF32", static_member=True)
    def _utf32(_host: Any) -> Encoding:
        return make_encoding(12000)

    @staticmethod
    @prop("UTF7", static_member=True)
    def _utf7(_host: Any) -> Encoding:
        return make_encoding(65000)

    @staticmethod
    @prop("Default", static_member=True)
    def _default(host: Any) -> Encoding:
        code_page = host.machine.ansi_code_page if host is not None else 1252
        if code_page not in _CODE_PAGES:
            raise NotModelled(f"the ANSI code page {code_page}")
        return make_encoding(code_page)

    @staticmethod
    @static("GetEncoding", "System.Int32")
    def _by_number(_host: Any, code_page: int) -> Encoding:
        if code_page < 0 or code_page > 65535:
            raise argument_out_of_range("codepage", "Valid values are between 0 and 65535, inclusive.")
        if code_page not in _CODE_PAGES:
            raise NotModelled(f"Encoding.GetEncoding({code_page}) (the lab has {sorted(_CODE_PAGES)})")
        return make_encoding(code_page)

    @staticmethod
    @static("GetEncoding", "System.String")
    def _by_name(_host: Any, name: str) -> Encoding:
        if name is None:
            raise argument_null("name")
        aliases = {"utf-8": 65001, "us-ascii": 20127, "ascii": 20127, "utf-16": 1200, "unicode": 1200,
                   "unicodefffe": 1201, "utf-32": 12000, "utf-7": 65000, "windows-1252": 1252, "iso-8859-1": 28591,
                   "latin1": 28591, "ibm437": 437, "ibm850": 850}  # fmt: skip
        code_page = aliases.get(name.lower())
        if code_page is None:
            raise NotModelled(f"Encoding.GetEncoding({name!r})")
        return make_encoding(code_page)

    @prop("CodePage")
    def _code_page(self) -> int:
        return self.code_page

    @prop("WebName")
    def _web_name(self) -> str:
        return self.info[1]

    @prop("EncodingName")
    def _encoding_name(self) -> str:
        return self.info[2]

    @prop("BodyName")
    def _body_name(self) -> str:
        return self.info[3]

    @prop("HeaderName")
    def _header_name(self) -> str:
        return self.info[3]

    @prop("IsSingleByte")
    def _single_byte(self) -> bool:
        return self.info[5]

    @method("GetPreamble")
    def _get_preamble(self) -> PSArray:
        return byte_array(_PREAMBLES.get(self.code_page, b"") if self.preamble else b"")

    @method("GetBytes", "System.String")
    def _get_bytes(self, text: str | None) -> PSArray:
        if text is None:
            raise argument_null("s")
        return byte_array(self.encode(text))

    @method("GetBytes", "System.Char[]")
    def _get_bytes_chars(self, characters: Any) -> PSArray:
        if characters is None:
            raise argument_null("chars")
        return byte_array(self.encode("".join(characters)))

    @method("GetByteCount", "System.String")
    def _byte_count(self, text: str | None) -> int:
        if text is None:
            raise argument_null("s")
        return len(self.encode(text))

    @method("GetString", "System.Byte[]")
    def _get_string(self, data: PSArray) -> str:
        return self.decode(bytes_of(data, "bytes"))

    @method("GetString", "System.Byte[]", "System.Int32", "System.Int32")
    def _get_string_range(self, data: PSArray, start: int, count: int) -> str:
        raw = bytes_of(data, "bytes")
        if start < 0 or count < 0:
            raise argument_out_of_range("index" if start < 0 else "count", "Non-negative number required.")
        if len(raw) - start < count:
            raise argument_out_of_range("bytes", "Index and count must refer to a location within the buffer.")
        return self.decode(raw[start : start + count])

    @method("GetChars", "System.Byte[]")
    def _get_chars(self, data: PSArray) -> PSArray:
        return PSArray([Char(c) for c in self.decode(bytes_of(data, "bytes"))], element_type="System.Char")

    @method("GetMaxByteCount", "System.Int32")
    def _max_bytes(self, count: int) -> int:
        per = {65001: 3, 1200: 2, 1201: 2, 12000: 4, 65000: 5}.get(self.code_page, 1)
        return (count + 1) * per if self.code_page != 65000 else count * 3 + 2


def _single(character: str, codec: str) -> int:
    try:
        encoded = character.encode(codec)
    except UnicodeEncodeError:
        raise NotModelled(f"best-fit mapping of {character!r} to code page {codec}") from None
    return encoded[0]


@net_type("System.Text.UTF8Encoding", base="System.Text.Encoding")
class UTF8Encoding(Encoding):
    @staticmethod
    @constructor()
    def _new(_host: Any) -> Encoding:
        return make_encoding(65001, preamble=False)

    @staticmethod
    @constructor("System.Boolean")
    def _with_preamble(_host: Any, preamble: bool) -> Encoding:
        return make_encoding(65001, preamble=preamble)

    @staticmethod
    @constructor("System.Boolean", "System.Boolean")
    def _with_options(_host: Any, preamble: bool, throw_on_invalid: bool) -> Encoding:
        return make_encoding(65001, preamble=preamble, throw_on_invalid=throw_on_invalid)


@net_type("System.Text.ASCIIEncoding", base="System.Text.Encoding")
class ASCIIEncoding(Encoding):
    @staticmethod
    @constructor()
    def _new(_host: Any) -> Encoding:
        return make_encoding(20127)


@net_type("System.Text.UnicodeEncoding", base="System.Text.Encoding")
class UnicodeEncoding(Encoding):
    @staticmethod
    @constructor()
    def _new(_host: Any) -> Encoding:
        return make_encoding(1200)

    @staticmethod
    @constructor("System.Boolean", "System.Boolean")
    def _with_options(_host: Any, big_endian: bool, preamble: bool) -> Encoding:
        return make_encoding(1201 if big_endian else 1200, preamble=preamble)


@net_type("System.Text.UTF32Encoding", base="System.Text.Encoding")
class UTF32Encoding(Encoding):
    pass


@net_type("System.Text.UTF7Encoding", base="System.Text.Encoding")
class UTF7Encoding(Encoding):
    pass


@net_type("System.Text.Latin1Encoding", base="System.Text.Encoding")
class Latin1Encoding(Encoding):
    pass


@net_type("System.Text.SBCSCodePageEncoding", base="System.Text.Encoding")
class SBCSCodePageEncoding(Encoding):
    """What Encoding.GetEncoding returns for a Windows single-byte code page (an internal .NET class)."""


_CLASSES: dict[str, type[Encoding]] = {
    "System.Text.UTF8Encoding": UTF8Encoding,
    "System.Text.ASCIIEncoding": ASCIIEncoding,
    "System.Text.UnicodeEncoding": UnicodeEncoding,
    "System.Text.UTF32Encoding": UTF32Encoding,
    "System.Text.UTF7Encoding": UTF7Encoding,
    "System.Text.Latin1Encoding": Latin1Encoding,
    "System.Text.SBCSCodePageEncoding": SBCSCodePageEncoding,
}


def make_encoding(code_page: int, *, preamble: bool = True, throw_on_invalid: bool = False) -> Encoding:
    """The Encoding object of a code page, of the class .NET uses for it."""
    return _CLASSES[_CODE_PAGES[code_page][4]](code_page, preamble=preamble, throw_on_invalid=throw_on_invalid)


# -- Convert --------------------------------------------------------------------------------------------------------


def to_base64(data: bytes, line_breaks: bool = False) -> str:
    text = base64.b64encode(data).decode("ascii")
    if line_breaks:
        text = "\r\n".join(text[i : i + 76] for i in range(0, len(text), 76))
    return text


def _base64_messages() -> tuple[str, str]:
    """FormatException texts: .NET 4.5+ (mscorlib.txt Format_BadBase64Char / Format_BadBase64CharArrayLength);
    .NET 2.0-3.5 texts as commonly reported ("Invalid character in a Base-64 string." / "Invalid length for a Base-64
    char array."): not confirmed from a primary source (docs/lab.md)."""
    if _runtime() == "2.0":
        return "Invalid character in a Base-64 string.", "Invalid length for a Base-64 char array."
    return (
        "The input is not a valid Base-64 string as it contains a non-base 64 character, more than two padding "
        "characters, or an illegal character among the padding characters. ",
        "Invalid length for a Base-64 char array or string.",
    )


def from_base64(text: str | None) -> bytes:
    """Convert.FromBase64String: white space ignored; the length checked first, then the characters."""
    if text is None:
        raise argument_null("s")
    bad_character, bad_length = _base64_messages()
    compact = "".join(c for c in text if c not in " \t\r\n")
    if len(compact) % 4:
        raise net_error("System.FormatException", bad_length)
    try:
        return base64.b64decode(compact, validate=True)
    except (binascii.Error, ValueError):
        raise net_error("System.FormatException", bad_character) from None


_DIGITS = "0123456789abcdefghijklmnopqrstuvwxyz"


def _parse_in_base(text: str | None, base: int, bits: int, type_name: str) -> int:
    """Convert.ToInt32(string, int fromBase): bases 2, 8, 10, 16; base 16 may start with 0x; non-decimal bases read
    the bits as two's complement."""
    if base not in (2, 8, 10, 16):
        raise net_error("System.ArgumentException", "Invalid Base.")
    if text is None:
        return 0
    if text == "":
        raise argument_out_of_range(
            "startIndex", "Index was out of range. Must be non-negative and less than the size of the collection."
        )
    body = text
    negative = False
    if base == 10 and body.startswith("-"):
        negative, body = True, body[1:]
    elif body.startswith("-"):
        raise net_error("System.ArgumentException", "String cannot contain a minus sign if the base is not 10.")
    if base == 16 and body[:2].lower() == "0x":
        body = body[2:]
    count = 0
    while count < len(body) and body[count].lower() in _DIGITS[:base]:
        count += 1
    if count == 0:
        raise net_error("System.FormatException", "Could not find any recognizable digits.")
    if count != len(body):
        raise net_error("System.FormatException", "Additional non-parsable characters are at the end of the string.")
    value = int(body, base)
    from .numbers import _OVERFLOW_TEXT

    if base == 10:
        value = -value if negative else value
        if not -(2 ** (bits - 1)) <= value < 2 ** (bits - 1):
            raise net_error("System.OverflowException", _OVERFLOW_TEXT[type_name])
        return value
    if value >= 2**bits:
        raise net_error("System.OverflowException", _OVERFLOW_TEXT[type_name])
    return value - 2**bits if value >= 2 ** (bits - 1) else value


def _to_base(value: int, base: int, bits: int) -> str:
    if base not in (2, 8, 10, 16):
        raise net_error("System.ArgumentException", "Invalid Base.")
    if base == 10:
        return str(value)
    value &= (1 << bits) - 1
    return {2: f"{value:b}", 8: f"{value:o}", 16: f"{value:x}"}[base]


def _round_half_even(value: float) -> int:
    """Convert.ToInt32(double): rounds to the nearest integer, halves to even."""
    if math.isnan(value) or math.isinf(value):
        raise net_error("System.OverflowException", "Value was either too large or too small for an Int32.")
    return round(value)


@net_type("System.Convert")
class Convert(NetObject):
    @staticmethod
    @static("ToBase64String", "System.Byte[]")
    def _to_base64(_host: Any, data: PSArray) -> str:
        return to_base64(bytes_of(data, "inArray"))

    @staticmethod
    @static("ToBase64String", "System.Byte[]", "System.Base64FormattingOptions")
    def _to_base64_options(_host: Any, data: PSArray, options: EnumValue) -> str:
        return to_base64(bytes_of(data, "inArray"), bool(options.value & 1))

    @staticmethod
    @static("ToBase64String", "System.Byte[]", "System.Int32", "System.Int32")
    def _to_base64_range(_host: Any, data: PSArray, offset: int, length: int) -> str:
        raw = bytes_of(data, "inArray")
        if offset < 0 or length < 0:
            raise argument_out_of_range("offset" if offset < 0 else "length", "Value must be positive.")
        if offset > len(raw) - length:
            raise argument_out_of_range("offset", "Offset and length must refer to a position in the string.")
        return to_base64(raw[offset : offset + length])

    @staticmethod
    @static("ToBase64String", "System.Byte[]", "System.Int32", "System.Int32", "System.Base64FormattingOptions")
    def _to_base64_range_options(_host: Any, data: PSArray, offset: int, length: int, options: EnumValue) -> str:
        text = Convert._to_base64_range(_host, data, offset, length)
        return to_base64(base64.b64decode(text), bool(options.value & 1))

    @staticmethod
    @static("FromBase64String", "System.String")
    def _from_base64(_host: Any, text: str) -> PSArray:
        return byte_array(from_base64(text))

    @staticmethod
    @static("ToInt32", "System.String", "System.Int32")
    def _to_int32_base(_host: Any, text: str, base: int) -> int:
        return _parse_in_base(text, base, 32, "System.Int32")

    @staticmethod
    @static("ToInt64", "System.String", "System.Int32")
    def _to_int64_base(_host: Any, text: str, base: int) -> TypedInt:
        return TypedInt(_parse_in_base(text, base, 64, "System.Int64"), "System.Int64")

    @staticmethod
    @static("ToByte", "System.String", "System.Int32")
    def _to_byte_base(_host: Any, text: str, base: int) -> TypedInt:
        value = _parse_in_base(text, base, 8, "System.Byte") & 0xFF
        return TypedInt(value, "System.Byte")

    @staticmethod
    @static("ToInt32", "System.String")
    def _to_int32_text(_host: Any, text: str | None) -> int:
        if text is None:
            return 0
        from .numbers import parse_integer

        return parse_integer(text, "System.Int32")

    @staticmethod
    @static("ToInt32", "System.Double")
    def _to_int32_double(_host: Any, value: float) -> int:
        result = _round_half_even(value)
        if not -(2**31) <= result < 2**31:
            raise net_error("System.OverflowException", "Value was either too large or too small for an Int32.")
        return result

    @staticmethod
    @static("ToString", "System.Int32", "System.Int32")
    def _int_to_base(_host: Any, value: int, base: int) -> str:
        return _to_base(value, base, 32)

    @staticmethod
    @static("ToString", "System.Int64", "System.Int32")
    def _long_to_base(_host: Any, value: int, base: int) -> str:
        return _to_base(value, base, 64)

    @staticmethod
    @static("ToString", "System.Byte", "System.Int32")
    def _byte_to_base(_host: Any, value: int, base: int) -> str:
        return _to_base(value, base, 8)

    @staticmethod
    @static("ToString", "System.Object")
    def _object_to_string(_host: Any, value: Any) -> str:
        return net_to_string(value)

    @staticmethod
    @static("ToString", "System.Object", "System.IFormatProvider")
    def _object_to_string_provider(_host: Any, value: Any, provider: Any) -> str:
        return net_to_string(value, provider.data if isinstance(provider, CultureInfo) else None)

    @staticmethod
    @static("ToBoolean", "System.String")
    def _to_boolean(_host: Any, text: str | None) -> bool:
        if text is None:
            return False
        from .numbers import _Boolean

        return _Boolean._parse(_host, text)
