"""System.String and System.Char members, as documented for .NET Framework 2.0 and 4.x.

Strings are the engine's Python ``str`` (code points; a character outside the BMP counts once, where .NET counts two
UTF-16 units: docs/lab.md). Culture-sensitive comparisons are modelled for letters, digits and spaces (case-
insensitive order first, lower case before upper case, as the en-US sort does); any other character in a
culture-sensitive comparison is refused (NotModelled) rather than guessed.
"""

from __future__ import annotations

import unicodedata
from collections.abc import Iterable
from typing import Any

from ..errors import NotModelled
from ..values import CLR4, Char, EnumValue, PSArray, enum_type, find_type, members_of, method, prop, static
from ._runtime import argument_exception, argument_null, argument_out_of_range, current_host, net_error
from .formatting import composite_format, net_to_string
from .globalization import CultureInfo, current_culture

__all__ = ["culture_compare", "is_white_space", "split", "trim_characters"]

STRING_SPLIT_OPTIONS = enum_type("System.StringSplitOptions", {"None": 0, "RemoveEmptyEntries": 1})
STRING_COMPARISON = enum_type(
    "System.StringComparison",
    {
        "CurrentCulture": 0, "CurrentCultureIgnoreCase": 1, "InvariantCulture": 2, "InvariantCultureIgnoreCase": 3,
        "Ordinal": 4, "OrdinalIgnoreCase": 5,
    },
)  # fmt: skip

# String.Trim() remarks: .NET 3.5 SP1 and earlier trim this fixed list; .NET 4 trims Char.IsWhiteSpace.
_CLR2_TRIM = frozenset(
    "\t\n\v\f\r \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004\u2005\u2006\u2007\u2008\u2009\u200a\u200b\u2028\u2029"
    "\u3000\ufeff"
)


def is_white_space(character: str) -> bool:
    """Char.IsWhiteSpace: the Unicode separators (Zs, Zl, Zp) and U+0009-U+000D, U+0085, U+00A0."""
    return character in "\t\n\v\f\r\x85\xa0" or unicodedata.category(character) in ("Zs", "Zl", "Zp")


def _runtime() -> str:
    host = current_host()
    return host.runtime if host is not None else CLR4


def trim_characters() -> Any:
    """What Trim() with no characters removes on the running CLR."""
    return (lambda c: c in _CLR2_TRIM) if _runtime() == "2.0" else is_white_space


def _comparable(text: str) -> bool:
    return all(character.isascii() and (character.isalnum() or character == " ") for character in text)


def culture_compare(left: str | None, right: str | None, *, ignore_case: bool = False) -> int:
    """String.Compare with the current (or the invariant) culture."""
    if left is None or right is None:
        return (left is not None) - (right is not None)
    if left == right or (ignore_case and left.lower() == right.lower()):
        return 0
    if not (_comparable(left) and _comparable(right)):
        raise NotModelled(f"a culture-sensitive comparison of {left!r} and {right!r} (only letters, digits, spaces)")
    folded = (left.lower() > right.lower()) - (left.lower() < right.lower())
    if folded or ignore_case:
        return folded
    # Same letters: at the first difference in case, the lower-case letter sorts first.
    for a, b in zip(left, right, strict=False):
        if a != b:
            return -1 if a.islower() else 1
    return (len(left) > len(right)) - (len(left) < len(right))


def _ordinal(left: str | None, right: str | None) -> int:
    if left is None or right is None:
        return (left is not None) - (right is not None)
    return (left > right) - (left < right)


def _compare_with(left: str | None, right: str | None, comparison: int) -> int:
    if comparison in (4, 5):
        if comparison == 5 and left is not None and right is not None:
            return _ordinal(left.upper(), right.upper())
        return _ordinal(left, right)
    return culture_compare(left, right, ignore_case=comparison in (1, 3))


def _equals(left: str | None, right: str | None, comparison: int) -> bool:
    if comparison in (4, 5) or left is None or right is None:
        if left is None or right is None:
            return left is right
        return left.upper() == right.upper() if comparison == 5 else left == right
    return _compare_with(left, right, comparison) == 0


def _index_checks(text: str, start: int, count: int | None = None) -> int:
    if start < 0 or start > len(text):
        raise argument_out_of_range(
            "startIndex", "Index was out of range. Must be non-negative and less than the size of the collection."
        )
    if count is None:
        return len(text)
    if count < 0 or start + count > len(text):
        raise argument_out_of_range(
            "count", "Count must be positive and count must refer to a location within the string/array/collection."
        )
    return start + count


def split(text: str, separators: list[str] | None, count: int, remove_empty: bool) -> PSArray:
    """String.Split (string.cs SplitInternal / InternalSplitKeepEmptyEntries / InternalSplitOmitEmptyEntries)."""
    if count < 0:
        raise argument_out_of_range("count", "Count cannot be less than zero.")
    if count == 0 or (remove_empty and not text):
        return PSArray([], element_type="System.String")
    found: list[tuple[int, int]] = []
    index = 0
    while index < len(text):
        if not separators:
            if is_white_space(text[index]):
                found.append((index, 1))
        else:
            for separator in separators:
                if separator and text.startswith(separator, index):
                    found.append((index, len(separator)))
                    index += len(separator) - 1
                    break
        index += 1
    if not found or count == 1:
        return PSArray([text], element_type="System.String")
    parts: list[str] = []
    current = 0
    if not remove_empty:
        limit = min(len(found), count - 1)
        for position, length in found[:limit]:
            if current >= len(text):
                break
            parts.append(text[current:position])
            current = position + length
        if current < len(text):
            parts.append(text[current:])
        elif len(parts) == limit:
            parts.append("")
        return PSArray(parts, element_type="System.String")
    i = 0
    while i < len(found) and current < len(text):
        position, length = found[i]
        if position - current > 0:
            parts.append(text[current:position])
        current = position + length
        if len(parts) == count - 1:
            while i < len(found) - 1 and current == found[i + 1][0]:
                i += 1
                current += found[i][1]
            break
        i += 1
    if current < len(text):
        parts.append(text[current:])
    return PSArray(parts, element_type="System.String")


def _chars(value: Iterable[str] | None) -> list[str]:
    return [] if value is None else [str(each) for each in value]


def _trim(text: str, characters: list[str] | None, *, start: bool, end: bool) -> str:
    test = trim_characters() if not characters else (lambda c: c in characters)
    low, high = 0, len(text)
    while start and low < high and test(text[low]):
        low += 1
    while end and high > low and test(text[high - 1]):
        high -= 1
    return text[low:high]


def _culture_of(provider: Any) -> Any:
    return provider.data if isinstance(provider, CultureInfo) else current_culture()


def _lower(text: str, culture: Any) -> str:
    # Turkish and Azeri cultures map I differently; the lab's cultures all use the default casing table.
    return text.lower()


@members_of("System.String", interfaces=("System.IComparable", "System.ICloneable", "System.IConvertible",
                                         "System.Collections.IEnumerable"))  # fmt: skip
class _String:
    @prop("Length")
    def _length(self: str) -> int:
        return len(self)

    @method("ToString")
    def _to_string(self: str) -> str:
        return str.__str__(self)

    @method("ToString", "System.IFormatProvider")
    def _to_string_provider(self: str, _provider: Any) -> str:
        return str.__str__(self)

    @method("Clone")
    def _clone(self: str) -> str:
        return self

    @method("GetHashCode")
    def _hash(self: str) -> int:
        raise NotModelled("String.GetHashCode (its value differs between runtimes and processes)")

    @method("CompareTo", "System.String")
    def _compare_to(self: str, other: str | None) -> int:
        return culture_compare(self, other)

    @method("CompareTo", "System.Object")
    def _compare_to_object(self: str, other: Any) -> int:
        if other is not None and not isinstance(other, str):
            raise net_error("System.ArgumentException", "Object must be of type String.")  # Arg_MustBeString
        return culture_compare(self, other)

    @method("Contains", "System.String")
    def _contains(self: str, value: str | None) -> bool:
        if value is None:
            raise argument_null("value")
        return value in self

    @method("StartsWith", "System.String")
    def _starts_with(self: str, value: str | None) -> bool:
        if value is None:
            raise argument_null("value")
        return self.startswith(value)

    @method("StartsWith", "System.String", "System.StringComparison")
    def _starts_with_comparison(self: str, value: str | None, comparison: EnumValue) -> bool:
        if value is None:
            raise argument_null("value")
        return _equals(self[: len(value)], value, comparison.value)

    @method("StartsWith", "System.String", "System.Boolean", "System.Globalization.CultureInfo")
    def _starts_with_culture(self: str, value: str | None, ignore_case: bool, _culture: Any) -> bool:
        if value is None:
            raise argument_null("value")
        return _equals(self[: len(value)], value, 1 if ignore_case else 0)

    @method("EndsWith", "System.String")
    def _ends_with(self: str, value: str | None) -> bool:
        if value is None:
            raise argument_null("value")
        return self.endswith(value)

    @method("EndsWith", "System.String", "System.StringComparison")
    def _ends_with_comparison(self: str, value: str | None, comparison: EnumValue) -> bool:
        if value is None:
            raise argument_null("value")
        return len(value) <= len(self) and _equals(self[len(self) - len(value) :], value, comparison.value)

    @method("EndsWith", "System.String", "System.Boolean", "System.Globalization.CultureInfo")
    def _ends_with_culture(self: str, value: str | None, ignore_case: bool, _culture: Any) -> bool:
        if value is None:
            raise argument_null("value")
        return len(value) <= len(self) and _equals(self[len(self) - len(value) :], value, 1 if ignore_case else 0)

    @method("Equals", "System.Object")
    def _equals_object(self: str, other: Any) -> bool:
        return isinstance(other, str) and not isinstance(other, Char) and str.__eq__(self, other)

    @method("Equals", "System.String")
    def _equals_string(self: str, other: str | None) -> bool:
        return other is not None and str.__eq__(self, other)

    @method("Equals", "System.String", "System.StringComparison")
    def _equals_comparison(self: str, other: str | None, comparison: EnumValue) -> bool:
        return _equals(self, other, comparison.value)

    @method("IndexOf", "System.Char")
    def _index_of_char(self: str, value: str) -> int:
        return self.find(value)

    @method("IndexOf", "System.Char", "System.Int32")
    def _index_of_char_from(self: str, value: str, start: int) -> int:
        _index_checks(self, start)
        return self.find(value, start)

    @method("IndexOf", "System.Char", "System.Int32", "System.Int32")
    def _index_of_char_range(self: str, value: str, start: int, count: int) -> int:
        return self.find(value, start, _index_checks(self, start, count))

    @method("IndexOf", "System.String")
    def _index_of(self: str, value: str | None) -> int:
        if value is None:
            raise argument_null("value")
        return self.find(value)

    @method("IndexOf", "System.String", "System.Int32")
    def _index_of_from(self: str, value: str | None, start: int) -> int:
        if value is None:
            raise argument_null("value")
        _index_checks(self, start)
        return self.find(value, start)

    @method("IndexOf", "System.String", "System.Int32", "System.Int32")
    def _index_of_range(self: str, value: str | None, start: int, count: int) -> int:
        if value is None:
            raise argument_null("value")
        return self.find(value, start, _index_checks(self, start, count))

    @method("IndexOf", "System.String", "System.StringComparison")
    def _index_of_comparison(self: str, value: str | None, comparison: EnumValue) -> int:
        if value is None:
            raise argument_null("value")
        if comparison.value in (1, 3, 5):
            return self.upper().find(value.upper())
        return self.find(value)

    @method("IndexOfAny", "System.Char[]")
    def _index_of_any(self: str, characters: Any) -> int:
        if characters is None:
            raise argument_null("anyOf")
        wanted = set(_chars(characters))
        return next((i for i, c in enumerate(self) if c in wanted), -1)

    @method("LastIndexOf", "System.Char")
    def _last_index_of_char(self: str, value: str) -> int:
        return self.rfind(value)

    @method("LastIndexOf", "System.String")
    def _last_index_of(self: str, value: str | None) -> int:
        if value is None:
            raise argument_null("value")
        return self.rfind(value) if value else len(self) - 1 if self else 0

    @method("LastIndexOf", "System.Char", "System.Int32")
    def _last_index_of_char_from(self: str, value: str, start: int) -> int:
        if not 0 <= start < max(len(self), 1):
            raise argument_out_of_range(
                "startIndex", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        return self.rfind(value, 0, start + 1)

    @method("LastIndexOfAny", "System.Char[]")
    def _last_index_of_any(self: str, characters: Any) -> int:
        wanted = set(_chars(characters))
        return next((i for i in range(len(self) - 1, -1, -1) if self[i] in wanted), -1)

    @method("Insert", "System.Int32", "System.String")
    def _insert(self: str, start: int, value: str | None) -> str:
        if value is None:
            raise argument_null("value")
        if not 0 <= start <= len(self):
            raise argument_out_of_range(
                "startIndex", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        return self[:start] + value + self[start:]

    @method("Remove", "System.Int32")
    def _remove_from(self: str, start: int) -> str:
        if start < 0:
            raise argument_out_of_range("startIndex", "StartIndex cannot be less than zero.")
        if start >= len(self):
            raise argument_out_of_range("startIndex", "startIndex must be less than length of string.")
        return self[:start]

    @method("Remove", "System.Int32", "System.Int32")
    def _remove(self: str, start: int, count: int) -> str:
        if start < 0:
            raise argument_out_of_range("startIndex", "StartIndex cannot be less than zero.")
        if count < 0:
            raise argument_out_of_range("count", "Count cannot be less than zero.")
        if count > len(self) - start:
            raise argument_out_of_range("count", "Index and count must refer to a location within the string.")
        return self[:start] + self[start + count :]

    @method("Replace", "System.Char", "System.Char")
    def _replace_char(self: str, old: str, new: str) -> str:
        return self.replace(old, new)

    @method("Replace", "System.String", "System.String")
    def _replace(self: str, old: str | None, new: str | None) -> str:
        if old is None:
            raise argument_null("oldValue")
        if old == "":
            # mscorlib.txt Argument_StringZeroLength
            raise argument_exception("String cannot be of zero length.", "oldValue")
        return self.replace(old, new or "")

    @method("PadLeft", "System.Int32")
    def _pad_left(self: str, width: int) -> str:
        if width < 0:
            raise argument_out_of_range("totalWidth", "Non-negative number required.")
        return self.rjust(width)

    @method("PadLeft", "System.Int32", "System.Char")
    def _pad_left_with(self: str, width: int, character: str) -> str:
        if width < 0:
            raise argument_out_of_range("totalWidth", "Non-negative number required.")
        return self.rjust(width, character)

    @method("PadRight", "System.Int32")
    def _pad_right(self: str, width: int) -> str:
        if width < 0:
            raise argument_out_of_range("totalWidth", "Non-negative number required.")
        return self.ljust(width)

    @method("PadRight", "System.Int32", "System.Char")
    def _pad_right_with(self: str, width: int, character: str) -> str:
        if width < 0:
            raise argument_out_of_range("totalWidth", "Non-negative number required.")
        return self.ljust(width, character)

    @method("Split", "System.Char[]", params=True)
    def _split(self: str, separators: Any) -> PSArray:
        return split(self, _chars(separators), 2**31 - 1, False)

    @method("Split", "System.Char[]", "System.Int32")
    def _split_count(self: str, separators: Any, count: int) -> PSArray:
        return split(self, _chars(separators), count, False)

    @method("Split", "System.Char[]", "System.StringSplitOptions")
    def _split_options(self: str, separators: Any, options: EnumValue) -> PSArray:
        return split(self, _chars(separators), 2**31 - 1, _remove_empty(options))

    @method("Split", "System.Char[]", "System.Int32", "System.StringSplitOptions")
    def _split_count_options(self: str, separators: Any, count: int, options: EnumValue) -> PSArray:
        return split(self, _chars(separators), count, _remove_empty(options))

    @method("Split", "System.String[]", "System.StringSplitOptions")
    def _split_strings(self: str, separators: Any, options: EnumValue) -> PSArray:
        return split(self, _strings(separators), 2**31 - 1, _remove_empty(options))

    @method("Split", "System.String[]", "System.Int32", "System.StringSplitOptions")
    def _split_strings_count(self: str, separators: Any, count: int, options: EnumValue) -> PSArray:
        return split(self, _strings(separators), count, _remove_empty(options))

    @method("Substring", "System.Int32")
    def _substring_from(self: str, start: int) -> str:
        return _String._substring(self, start, len(self) - start)

    @method("Substring", "System.Int32", "System.Int32")
    def _substring(self: str, start: int, length: int) -> str:
        # string.cs Substring: the checks and messages in this order
        if start < 0:
            raise argument_out_of_range("startIndex", "StartIndex cannot be less than zero.")
        if start > len(self):
            raise argument_out_of_range("startIndex", "startIndex cannot be larger than length of string.")
        if length < 0:
            raise argument_out_of_range("length", "Length cannot be less than zero.")
        if start > len(self) - length:
            raise argument_out_of_range("length", "Index and length must refer to a location within the string.")
        return self[start : start + length]

    @method("ToCharArray")
    def _to_char_array(self: str) -> PSArray:
        return PSArray([Char(each) for each in self], element_type="System.Char")

    @method("ToCharArray", "System.Int32", "System.Int32")
    def _to_char_array_range(self: str, start: int, length: int) -> PSArray:
        if start < 0 or start > len(self) or start > len(self) - length:
            raise argument_out_of_range(
                "startIndex", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        if length < 0:
            raise argument_out_of_range(
                "length", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        return PSArray([Char(each) for each in self[start : start + length]], element_type="System.Char")

    @method("ToLower")
    def _to_lower(self: str) -> str:
        return _lower(self, current_culture())

    @method("ToLower", "System.Globalization.CultureInfo")
    def _to_lower_culture(self: str, culture: Any) -> str:
        if culture is None:
            raise argument_null("culture")
        return _lower(self, culture)

    @method("ToLowerInvariant")
    def _to_lower_invariant(self: str) -> str:
        return self.lower()

    @method("ToUpper")
    def _to_upper(self: str) -> str:
        return self.upper()

    @method("ToUpper", "System.Globalization.CultureInfo")
    def _to_upper_culture(self: str, culture: Any) -> str:
        if culture is None:
            raise argument_null("culture")
        return self.upper()

    @method("ToUpperInvariant")
    def _to_upper_invariant(self: str) -> str:
        return self.upper()

    @method("Trim")
    def _trim_white(self: str) -> str:
        return _trim(self, None, start=True, end=True)

    @method("Trim", "System.Char[]", params=True)
    def _trim_chars(self: str, characters: Any) -> str:
        return _trim(self, _chars(characters), start=True, end=True)

    @method("TrimStart", "System.Char[]", params=True)
    def _trim_start(self: str, characters: Any) -> str:
        return _trim(self, _chars(characters), start=True, end=False)

    @method("TrimEnd", "System.Char[]", params=True)
    def _trim_end(self: str, characters: Any) -> str:
        return _trim(self, _chars(characters), start=False, end=True)

    # -- static ------------------------------------------------------------------------------------------------

    @staticmethod
    @prop("Empty", static_member=True)
    def _empty(_host: Any) -> str:
        return ""

    @staticmethod
    @static("IsNullOrEmpty", "System.String")
    def _is_null_or_empty(_host: Any, value: str | None) -> bool:
        return value is None or value == ""

    @staticmethod
    @static("IsNullOrWhiteSpace", "System.String", since=CLR4)
    def _is_null_or_white_space(_host: Any, value: str | None) -> bool:
        return value is None or all(is_white_space(c) for c in value)

    @staticmethod
    @static("Format", "System.String", "System.Object")
    def _format1(_host: Any, text: str, first: Any) -> str:
        return composite_format(text, [first])

    @staticmethod
    @static("Format", "System.String", "System.Object", "System.Object")
    def _format2(_host: Any, text: str, first: Any, second: Any) -> str:
        return composite_format(text, [first, second])

    @staticmethod
    @static("Format", "System.String", "System.Object", "System.Object", "System.Object")
    def _format3(_host: Any, text: str, first: Any, second: Any, third: Any) -> str:
        return composite_format(text, [first, second, third])

    @staticmethod
    @static("Format", "System.String", "System.Object[]", params=True)
    def _format(_host: Any, text: str, arguments: Any) -> str:
        if arguments is None:
            raise argument_null("args")
        return composite_format(text, list(arguments))

    @staticmethod
    @static("Format", "System.IFormatProvider", "System.String", "System.Object[]", params=True)
    def _format_provider(_host: Any, provider: Any, text: str, arguments: Any) -> str:
        if arguments is None:
            raise argument_null("args")
        return composite_format(text, list(arguments), _culture_of(provider))

    @staticmethod
    @static("Join", "System.String", "System.String[]", params=True)
    def _join(_host: Any, separator: str | None, values: Any) -> str:
        if values is None:
            raise argument_null("value")
        return (separator or "").join("" if each is None else each for each in values)

    @staticmethod
    @static("Join", "System.String", "System.String[]", "System.Int32", "System.Int32")
    def _join_range(_host: Any, separator: str | None, values: Any, start: int, count: int) -> str:
        if values is None:
            raise argument_null("value")
        if start < 0 or count < 0 or start > len(values) - count:
            raise argument_out_of_range("startIndex", "Index and count must refer to a location within the buffer.")
        return (separator or "").join("" if each is None else each for each in list(values)[start : start + count])

    @staticmethod
    @static("Join", "System.String", "System.Object[]", since=CLR4, params=True)
    def _join_objects(_host: Any, separator: str | None, values: Any) -> str:
        if values is None:
            raise argument_null("values")
        items = list(values)
        # .NET 4: String.Join(string, object[]) returns "" when the first element is null (documented remark).
        if not items or items[0] is None:
            return ""
        return (separator or "").join(net_to_string(each) for each in items)

    @staticmethod
    @static("Join", "System.String", "System.Collections.Generic.IEnumerable`1[System.String]", since=CLR4)
    def _join_enumerable(_host: Any, separator: str | None, values: Any) -> str:
        if values is None:
            raise argument_null("values")
        return (separator or "").join("" if each is None else each for each in values)

    @staticmethod
    @static("Concat", "System.Object")
    def _concat1(_host: Any, first: Any) -> str:
        return net_to_string(first)

    @staticmethod
    @static("Concat", "System.Object", "System.Object")
    def _concat2(_host: Any, first: Any, second: Any) -> str:
        return net_to_string(first) + net_to_string(second)

    @staticmethod
    @static("Concat", "System.Object", "System.Object", "System.Object")
    def _concat3(_host: Any, first: Any, second: Any, third: Any) -> str:
        return net_to_string(first) + net_to_string(second) + net_to_string(third)

    @staticmethod
    @static("Concat", "System.String", "System.String")
    def _concat_strings2(_host: Any, first: str | None, second: str | None) -> str:
        return (first or "") + (second or "")

    @staticmethod
    @static("Concat", "System.String", "System.String", "System.String")
    def _concat_strings3(_host: Any, first: str | None, second: str | None, third: str | None) -> str:
        return (first or "") + (second or "") + (third or "")

    @staticmethod
    @static("Concat", "System.String[]", params=True)
    def _concat_strings(_host: Any, values: Any) -> str:
        if values is None:
            raise argument_null("values")
        return "".join(each or "" for each in values)

    @staticmethod
    @static("Concat", "System.Object[]", params=True)
    def _concat_objects(_host: Any, values: Any) -> str:
        if values is None:
            raise argument_null("args")
        return "".join(net_to_string(each) for each in values)

    @staticmethod
    @static("Compare", "System.String", "System.String")
    def _compare(_host: Any, left: str | None, right: str | None) -> int:
        return culture_compare(left, right)

    @staticmethod
    @static("Compare", "System.String", "System.String", "System.Boolean")
    def _compare_case(_host: Any, left: str | None, right: str | None, ignore_case: bool) -> int:
        return culture_compare(left, right, ignore_case=ignore_case)

    @staticmethod
    @static("Compare", "System.String", "System.String", "System.StringComparison")
    def _compare_comparison(_host: Any, left: str | None, right: str | None, comparison: EnumValue) -> int:
        return _compare_with(left, right, comparison.value)

    @staticmethod
    @static("Compare", "System.String", "System.String", "System.Boolean", "System.Globalization.CultureInfo")
    def _compare_culture(_host: Any, left: str | None, right: str | None, ignore_case: bool, _culture: Any) -> int:
        return culture_compare(left, right, ignore_case=ignore_case)

    @staticmethod
    @static("CompareOrdinal", "System.String", "System.String")
    def _compare_ordinal(_host: Any, left: str | None, right: str | None) -> int:
        return _ordinal(left, right)

    @staticmethod
    @static("Equals", "System.String", "System.String")
    def _static_equals(_host: Any, left: str | None, right: str | None) -> bool:
        return left == right if left is not None and right is not None else left is right

    @staticmethod
    @static("Equals", "System.String", "System.String", "System.StringComparison")
    def _static_equals_comparison(_host: Any, left: str | None, right: str | None, comparison: EnumValue) -> bool:
        return _equals(left, right, comparison.value)

    @staticmethod
    @static("Copy", "System.String")
    def _copy(_host: Any, value: str | None) -> str:
        if value is None:
            raise argument_null("str")
        return value


def _remove_empty(options: EnumValue) -> bool:
    if options.value not in (0, 1):
        raise net_error("System.ArgumentException", f"Illegal enum value: {options.value}.")
    return options.value == 1


def _strings(values: Any) -> list[str]:
    return [] if values is None else [each for each in values if each]


# -- System.Char ----------------------------------------------------------------------------------------------------


def _char_at(text: str, index: int) -> str:
    if text is None:
        raise argument_null("s")
    if not 0 <= index < len(text):
        raise argument_out_of_range(
            "index", "Index was out of range. Must be non-negative and less than the size of the collection."
        )
    return text[index]


def _category(character: str) -> str:
    return unicodedata.category(character)


_CHAR_TESTS = {
    "IsDigit": lambda c: _category(c) == "Nd",
    "IsLetter": lambda c: _category(c).startswith("L"),
    "IsLetterOrDigit": lambda c: _category(c).startswith("L") or _category(c) == "Nd",
    "IsLower": lambda c: _category(c) == "Ll",
    "IsUpper": lambda c: _category(c) == "Lu",
    "IsNumber": lambda c: _category(c).startswith("N"),
    "IsPunctuation": lambda c: _category(c).startswith("P"),
    "IsSymbol": lambda c: _category(c).startswith("S"),
    "IsSeparator": lambda c: _category(c).startswith("Z"),
    "IsControl": lambda c: _category(c) == "Cc",
    "IsWhiteSpace": is_white_space,
    "IsSurrogate": lambda c: 0xD800 <= ord(c) <= 0xDFFF,
}


def _declare_char_tests() -> None:
    class Tests:
        pass

    for name, test in _CHAR_TESTS.items():

        def on_char(_host: Any, character: str, test: Any = test) -> bool:
            return bool(test(character))

        def on_string(_host: Any, text: str, index: int, test: Any = test) -> bool:
            return bool(test(_char_at(text, index)))

        setattr(Tests, f"_{name}_char", staticmethod(static(name, "System.Char")(on_char)))
        setattr(Tests, f"_{name}_string", staticmethod(static(name, "System.String", "System.Int32")(on_string)))
    members_of("System.Char", base="System.ValueType")(Tests)


@members_of("System.Char", base="System.ValueType", interfaces=("System.IComparable", "System.IConvertible"))
class _Char:
    @method("ToString")
    def _to_string(self: str) -> str:
        return str.__str__(self)

    @method("Equals", "System.Object")
    def _equals(self: str, other: Any) -> bool:
        return isinstance(other, Char) and str.__eq__(self, other)

    @method("CompareTo", "System.Char")
    def _compare(self: str, other: str) -> int:
        return ord(self) - ord(other)

    @method("GetHashCode")
    def _hash(self: str) -> int:
        return ord(self) | (ord(self) << 16)  # Char.GetHashCode: (int)m_value | ((int)m_value << 16)

    @staticmethod
    @static("ToString", "System.Char")
    def _static_to_string(_host: Any, character: str) -> str:
        return str.__str__(character)

    @staticmethod
    @static("ToUpper", "System.Char")
    def _to_upper(_host: Any, character: str) -> Char:
        upper = character.upper()
        return Char(upper if len(upper) == 1 else character)

    @staticmethod
    @static("ToLower", "System.Char")
    def _to_lower(_host: Any, character: str) -> Char:
        lower = character.lower()
        return Char(lower if len(lower) == 1 else character)

    @staticmethod
    @static("ToUpperInvariant", "System.Char")
    def _to_upper_invariant(_host: Any, character: str) -> Char:
        return _Char._to_upper(_host, character)

    @staticmethod
    @static("ToLowerInvariant", "System.Char")
    def _to_lower_invariant(_host: Any, character: str) -> Char:
        return _Char._to_lower(_host, character)

    @staticmethod
    @static("Parse", "System.String")
    def _parse(_host: Any, text: str | None) -> Char:
        if text is None:
            raise argument_null("s")
        if len(text) != 1:
            # mscorlib.txt Format_NeedSingleChar
            raise net_error("System.FormatException", "String must be exactly one character long.")
        return Char(text)

    @staticmethod
    @static("GetNumericValue", "System.Char")
    def _numeric(_host: Any, character: str) -> float:
        return float(unicodedata.numeric(character, -1.0))

    @staticmethod
    @prop("MaxValue", static_member=True)
    def _max(_host: Any) -> Char:
        return Char("\uffff")

    @staticmethod
    @prop("MinValue", static_member=True)
    def _min(_host: Any) -> Char:
        return Char("\x00")


_declare_char_tests()
_net = find_type("System.Char")
assert _net is not None
_net.value_type = True
