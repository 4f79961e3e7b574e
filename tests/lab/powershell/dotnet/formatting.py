""".NET's ToString(format, provider) for numbers and the composite formatting of String.Format and ``-f``.

Numbers are formatted from their decimal digits as .NET's Number.Formatting does (referencesource
mscorlib/system/number.cs and the "Standard numeric format strings" / "Custom numeric format strings" pages): a
Double is taken to 15 significant digits (17 for "R" when 15 do not round-trip), rounding is half away from zero on
those digits. Composite formatting follows "Composite formatting" (Microsoft Learn) and StringBuilder.AppendFormat:
``{index[,alignment][:format]}``, ``{{`` and ``}}`` as braces.
"""

from __future__ import annotations

import decimal
import math
from typing import Any

from ..errors import NotModelled
from ..values import INTEGER_RANGES, Char, EnumValue, Hashtable, NetObject, PSArray, TypeRef, type_name_of
from ._runtime import net_error
from .globalization import CultureData, current_culture

__all__ = ["composite_format", "format_number", "format_value", "net_to_string"]


def _invalid_format() -> Exception:
    return net_error("System.FormatException", "Input string was not in a correct format.")  # Format_InvalidString


def _bad_specifier() -> Exception:
    return net_error("System.FormatException", "Format specifier was invalid.")  # Format_BadFormatSpecifier


# -- digits -------------------------------------------------------------------------------------------------------


class _Number:
    """A number as significant decimal digits (no leading or trailing zeros) and a decimal exponent:
    value = 0.<digits> x 10^exponent."""

    def __init__(self, negative: bool, digits: str, exponent: int) -> None:
        stripped = digits.lstrip("0")
        exponent -= len(digits) - len(stripped)
        self.digits = stripped.rstrip("0")
        self.exponent = exponent if self.digits else 0
        self.negative = negative and bool(self.digits)

    def rounded(self, significant: int) -> _Number:
        """Keep ``significant`` digits, rounding the next digit half away from zero (number.cs RoundNumber)."""
        if significant < 0:
            return _Number(self.negative, "", 0)
        if len(self.digits) <= significant:
            return self
        kept = self.digits[:significant]
        if self.digits[significant] >= "5":
            if kept:
                value = str(int(kept) + 1)
                if len(value) > len(kept):
                    return _Number(self.negative, value, self.exponent + 1)
                return _Number(self.negative, value, self.exponent)
            return _Number(self.negative, "1", self.exponent + 1)
        return _Number(self.negative, kept, self.exponent)

    def at_decimals(self, decimals: int) -> _Number:
        return self.rounded(self.exponent + decimals)

    def integer_text(self) -> str:
        if self.exponent <= 0:
            return "0"
        return (self.digits + "0" * self.exponent)[: self.exponent]

    def fraction_text(self, decimals: int) -> str:
        fraction = ("0" * max(-self.exponent, 0) + self.digits[max(self.exponent, 0) :])[:decimals]
        return fraction.ljust(decimals, "0")


def _double_digits(value: float, precision: int) -> _Number:
    text = f"{abs(value):.{precision - 1}e}"
    mantissa, exponent = text.split("e")
    return _Number(value < 0 or math.copysign(1, value) < 0, mantissa.replace(".", ""), int(exponent) + 1)


def _number_of(value: Any) -> _Number:
    if isinstance(value, float):
        return _double_digits(value, 15)
    if isinstance(value, decimal.Decimal):
        sign, digits, exponent = value.as_tuple()
        text = "".join(str(digit) for digit in digits)
        return _Number(bool(sign), text, len(text) + int(exponent))
    return _Number(value < 0, str(abs(int(value))), len(str(abs(int(value)))))


def _is_integer(value: Any) -> bool:
    return isinstance(value, int) and not isinstance(value, bool)


def _group(integer: str, culture: CultureData) -> str:
    groups: list[str] = []
    while len(integer) > 3:
        groups.insert(0, integer[-3:])
        integer = integer[:-3]
    groups.insert(0, integer)
    return culture.group_separator.join(groups)


def _fixed(number: _Number, decimals: int, culture: CultureData, *, grouped: bool) -> str:
    rounded = number.at_decimals(decimals)
    integer = rounded.integer_text()
    text = _group(integer, culture) if grouped else integer
    if decimals > 0:
        text += culture.decimal_separator + rounded.fraction_text(decimals)
    return text


def _scientific(number: _Number, precision: int, letter: str, culture: CultureData, min_exponent: int) -> str:
    rounded = number.rounded(precision + 1)
    digits = rounded.digits.ljust(precision + 1, "0") if rounded.digits else "0" * (precision + 1)
    exponent = rounded.exponent - 1 if rounded.digits else 0
    mantissa = digits[0] + (culture.decimal_separator + digits[1:] if precision > 0 else "")
    sign = "-" if exponent < 0 else "+"
    return f"{mantissa}{letter}{sign}{abs(exponent):0{min_exponent}d}"


def _general(number: _Number, precision: int, letter: str, culture: CultureData) -> str:
    rounded = number.rounded(precision)
    if not rounded.digits:
        return "0"
    exponent = rounded.exponent - 1
    if -5 < exponent < precision:
        decimals = max(len(rounded.digits) - rounded.exponent, 0)
        return _fixed(rounded, decimals, culture, grouped=False)
    digits = rounded.digits
    mantissa = digits[0] + (culture.decimal_separator + digits[1:] if len(digits) > 1 else "")
    return f"{mantissa}{'E' if letter == 'G' else 'e'}{'-' if exponent < 0 else '+'}{abs(exponent):02d}"


def _currency(text: str, negative: bool, culture: CultureData) -> str:
    symbol = culture.currency_symbol
    if not negative:
        return f"{symbol}{text}" if culture.currency_positive == 0 else f"{text} {symbol}"
    return {0: f"({symbol}{text})", 1: f"-{symbol}{text}", 8: f"-{text} {symbol}"}[culture.currency_negative]


def _percent(text: str, negative: bool, culture: CultureData) -> str:
    spaced = (culture.percent_negative if negative else culture.percent_positive) == 0
    body = f"{text} %" if spaced else f"{text}%"
    return "-" + body if negative else body


def _integer_bits(value: Any) -> int:
    name = type_name_of(value)
    low, high = INTEGER_RANGES.get(name, INTEGER_RANGES["System.Int64"])
    return (high - low + 1).bit_length() - 1


def format_number(value: Any, text: str | None, culture: CultureData) -> str:
    """Int*/Byte/Double/Decimal ToString(format, provider)."""
    text = text or "G"
    if isinstance(value, float) and (math.isnan(value) or math.isinf(value)):
        return "NaN" if math.isnan(value) else ("Infinity" if value > 0 else "-Infinity")
    letter = text[0]
    precision_text = text[1:]
    if not (letter.isalpha() and (precision_text == "" or (precision_text.isdigit() and len(precision_text) <= 2))):
        return _custom(value, text, culture)
    precision = int(precision_text) if precision_text else None
    number = _number_of(value)
    upper = letter.upper()
    sign = "-" if number.negative else ""
    if upper == "D":
        if not _is_integer(value):
            raise _bad_specifier()
        return (
            sign + number.integer_text().rjust(precision or 0, "0") if number.digits else "0".rjust(precision or 1, "0")
        )
    if upper == "X":
        if not _is_integer(value):
            raise _bad_specifier()
        bits = _integer_bits(value)
        masked = int(value) & ((1 << bits) - 1)
        digits = f"{masked:X}" if letter == "X" else f"{masked:x}"
        return digits.rjust(precision or 0, "0")
    if upper == "F":
        decimals = 2 if precision is None else precision
        rounded = number.at_decimals(decimals)
        return ("-" if rounded.negative else "") + _fixed(number, decimals, culture, grouped=False)
    if upper == "N":
        decimals = 2 if precision is None else precision
        rounded = number.at_decimals(decimals)
        return ("-" if rounded.negative else "") + _fixed(number, decimals, culture, grouped=True)
    if upper == "C":
        decimals = 2 if precision is None else precision
        rounded = number.at_decimals(decimals)
        return _currency(_fixed(number, decimals, culture, grouped=True), rounded.negative, culture)
    if upper == "P":
        decimals = 2 if precision is None else precision
        scaled = _Number(number.negative, number.digits, number.exponent + 2)
        rounded = scaled.at_decimals(decimals)
        return _percent(_fixed(scaled, decimals, culture, grouped=True), rounded.negative, culture)
    if upper == "E":
        return sign + _scientific(number, 6 if precision is None else precision, letter, culture, 3)
    if upper == "G":
        if _is_integer(value) and not precision:
            return sign + (number.integer_text() if number.digits else "0")
        if isinstance(value, decimal.Decimal) and not precision:
            return format(value, "f").replace(".", culture.decimal_separator)
        significant = precision or 15
        if isinstance(value, float):
            # Double: 15 significant digits, or 17 when more than 15 are asked for (number.cs FormatDouble)
            significant = significant if significant <= 15 else 17
            number = _double_digits(value, significant)
        return sign + _general(number, significant, letter.upper(), culture)
    if upper == "R":
        if not isinstance(value, float):
            raise _bad_specifier()
        number = _double_digits(value, 15)
        if float(f"{value:.14e}") != value:
            number = _double_digits(value, 17)
            return sign + _general(number, 17, "G", culture)
        return sign + _general(number, 15, "G", culture)
    return _custom(value, text, culture)


# -- custom numeric formats -----------------------------------------------------------------------------------------


def _sections(text: str) -> list[str]:
    sections, current, index = [], "", 0
    while index < len(text):
        char = text[index]
        if char == "\\" and index + 1 < len(text):
            current += text[index : index + 2]
            index += 2
            continue
        if char in "'\"":
            end = text.find(char, index + 1)
            end = len(text) - 1 if end < 0 else end
            current += text[index : end + 1]
            index = end + 1
            continue
        if char == ";":
            sections.append(current)
            current = ""
        else:
            current += char
        index += 1
    sections.append(current)
    return sections


def _custom(value: Any, text: str, culture: CultureData) -> str:
    """Custom numeric format strings: 0 # . , % and literals, up to three ';' sections (no exponent part)."""
    sections = _sections(text)
    number = _number_of(value)
    section = sections[0]
    if number.negative and len(sections) > 1 and sections[1]:
        section = sections[1]
    pattern = _parse_custom(section)
    scaled = _Number(number.negative, number.digits, number.exponent + 2 * pattern["percent"] - 3 * pattern["scale"])
    rounded = scaled.at_decimals(pattern["fraction_max"])
    if not rounded.digits and len(sections) > 2 and sections[2]:
        pattern = _parse_custom(sections[2])
        rounded = _Number(False, "", 0)
    body = _render_custom(pattern, rounded, culture)
    explicit_negative = number.negative and len(sections) > 1 and bool(sections[1])
    return ("-" if rounded.negative and not explicit_negative else "") + body


def _parse_custom(section: str) -> dict[str, Any]:
    tokens: list[tuple[str, str]] = []  # ("digit", "0"/"#"), ("point", ""), ("group", ""), ("literal", text)
    percent = 0
    index = 0
    while index < len(section):
        char = section[index]
        if char in "0#":
            tokens.append(("digit", char))
        elif char == ".":
            tokens.append(("point", ""))
        elif char == ",":
            tokens.append(("group", ""))
        elif char == "%":
            percent += 1
            tokens.append(("literal", "%"))
        elif char in "eE" and index + 1 < len(section) and section[index + 1] in "0+-":
            raise NotModelled(f"the exponent part of the custom numeric format {section!r}")
        elif char == "\\" and index + 1 < len(section):
            tokens.append(("literal", section[index + 1]))
            index += 1
        elif char in "'\"":
            end = section.find(char, index + 1)
            end = len(section) if end < 0 else end
            tokens.append(("literal", section[index + 1 : end]))
            index = end
        else:
            tokens.append(("literal", char))
        index += 1
    point = next((i for i, token in enumerate(tokens) if token[0] == "point"), len(tokens))
    integer_tokens, fraction_tokens = tokens[:point], tokens[point + 1 :]
    # Commas right before the point (or the end of the digits) scale by 1000; others between digits group.
    scale = 0
    position = len(integer_tokens) - 1
    while position >= 0 and integer_tokens[position][0] == "group":
        scale += 1
        position -= 1
    digit_positions = [i for i, token in enumerate(integer_tokens) if token[0] == "digit"]
    grouped = any(
        token[0] == "group" and digit_positions and digit_positions[0] < i < digit_positions[-1]
        for i, token in enumerate(integer_tokens)
    )
    return {
        "integer": [token for token in integer_tokens if token[0] != "group"],
        "fraction": [token for token in fraction_tokens if token[0] != "group"],
        "has_point": point < len(tokens),
        "fraction_max": sum(1 for token in fraction_tokens if token[0] == "digit"),
        "grouped": grouped,
        "scale": scale,
        "percent": percent,
    }


def _render_custom(pattern: dict[str, Any], number: _Number, culture: CultureData) -> str:
    integer_digits = number.integer_text().lstrip("0") if number.digits else ""
    placeholders = [i for i, token in enumerate(pattern["integer"]) if token[0] == "digit"]
    if placeholders:
        first_zero = next((i for i in placeholders if pattern["integer"][i][1] == "0"), None)
        minimum = len(placeholders) - placeholders.index(first_zero) if first_zero is not None else 0
        integer_digits = integer_digits.rjust(minimum, "0")
        if pattern["grouped"]:
            integer_digits = _group(integer_digits, culture) if integer_digits else ""
    out: list[str] = []
    remaining = integer_digits
    # Fill digit placeholders from the right; the leftmost one takes every extra digit.
    filled: dict[int, str] = {}
    for count, position in enumerate(reversed(placeholders)):
        if count == len(placeholders) - 1:
            filled[position] = remaining
        else:
            take = 1
            if pattern["grouped"] and remaining[-1:] == culture.group_separator:
                take = 2
            filled[position] = remaining[-take:] if remaining else ""
            remaining = remaining[:-take] if remaining else ""
    for i, token in enumerate(pattern["integer"]):
        out.append(filled.get(i, "") if token[0] == "digit" else token[1])
    fraction_digits = number.fraction_text(pattern["fraction_max"])
    fraction_out: list[str] = []
    last_required = max((i for i, token in enumerate(pattern["fraction"]) if token == ("digit", "0")), default=-1)
    digit_index = 0
    significant = fraction_digits.rstrip("0")
    for i, token in enumerate(pattern["fraction"]):
        if token[0] != "digit":
            fraction_out.append(token[1])
            continue
        digit = fraction_digits[digit_index]
        if i <= last_required or digit_index < len(significant):
            fraction_out.append(digit)
        digit_index += 1
    fraction_text = "".join(fraction_out)
    if pattern["has_point"] and any(c.isdigit() for c in fraction_text):
        out.append(culture.decimal_separator + fraction_text)
    else:
        out.append("".join(token[1] for token in pattern["fraction"] if token[0] != "digit"))
    return "".join(out)


# -- any value ------------------------------------------------------------------------------------------------------


def net_to_string(value: Any, culture: CultureData | None = None) -> str:
    """Object.ToString() of a value as .NET gives it (numbers and dates in the current culture)."""
    if value is None:
        return ""
    culture = culture or current_culture()
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, (int, float, decimal.Decimal)):
        return format_number(value, None, culture)
    if isinstance(value, str):
        return str.__str__(value)
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, TypeRef):
        return value.full_name
    if isinstance(value, PSArray):
        return value.element_type + "[]"
    if isinstance(value, list):
        return "System.Object[]"
    if isinstance(value, Hashtable):
        return "System.Collections.Hashtable"
    if isinstance(value, NetObject):
        return value.to_string()
    raise NotModelled(f"ToString() of a {type(value).__name__}")


def format_value(value: Any, text: str | None, culture: CultureData) -> str:
    """IFormattable.ToString(format, provider) where the type has it, else ToString() (composite formatting)."""
    from .time import DateTime, TimeSpan, format_datetime

    if value is None:
        return ""
    if isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool):
        return format_number(value, text, culture)
    if isinstance(value, DateTime):
        return format_datetime(value, text or "G", culture)
    if isinstance(value, EnumValue) and text:
        from .system import format_enum

        return format_enum(value, text)
    if isinstance(value, TimeSpan) and text:
        raise NotModelled(f"a TimeSpan format string ({text!r}) in composite formatting")
    if isinstance(value, Char):
        return str.__str__(value)
    return net_to_string(value, culture)


def composite_format(text: str, arguments: list[Any], provider: Any = None) -> str:
    """String.Format(provider, format, args): StringBuilder.AppendFormat's parser. ``provider`` is a CultureInfo or
    its data; anything else (None, the engine for ``-f``) means the current culture, as String.Format(string, ...)."""
    if text is None:
        from ._runtime import argument_null

        raise argument_null("format")
    from .globalization import CultureInfo

    if isinstance(provider, CultureInfo):
        culture = provider.data
    elif isinstance(provider, CultureData):
        culture = provider
    else:
        culture = current_culture()
    out: list[str] = []
    index, length = 0, len(text)
    while index < length:
        char = text[index]
        if char == "}":
            if index + 1 < length and text[index + 1] == "}":
                out.append("}")
                index += 2
                continue
            raise _invalid_format()
        if char != "{":
            out.append(char)
            index += 1
            continue
        if index + 1 < length and text[index + 1] == "{":
            out.append("{")
            index += 2
            continue
        index += 1
        start = index
        while index < length and text[index].isdigit() and text[index] in "0123456789":
            index += 1
        if index == start or index - start > 6:
            raise _invalid_format()
        position = int(text[start:index])
        while index < length and text[index] == " ":
            index += 1
        width, left = 0, False
        if index < length and text[index] == ",":
            index += 1
            while index < length and text[index] == " ":
                index += 1
            if index < length and text[index] == "-":
                left = True
                index += 1
            start = index
            while index < length and text[index] in "0123456789":
                index += 1
            if index == start:
                raise _invalid_format()
            width = int(text[start:index])
            while index < length and text[index] == " ":
                index += 1
        item_format: str | None = None
        if index < length and text[index] == ":":
            index += 1
            pieces: list[str] = []
            while True:
                if index >= length:
                    raise _invalid_format()
                char = text[index]
                if char == "{":
                    if index + 1 < length and text[index + 1] == "{":
                        pieces.append("{")
                        index += 2
                        continue
                    raise _invalid_format()
                if char == "}":
                    if index + 1 < length and text[index + 1] == "}":
                        pieces.append("}")
                        index += 2
                        continue
                    break
                pieces.append(char)
                index += 1
            item_format = "".join(pieces)
        if index >= length or text[index] != "}":
            raise _invalid_format()
        index += 1
        if position >= len(arguments):
            # mscorlib.txt Format_IndexOutOfRange
            raise net_error(
                "System.FormatException",
                "Index (zero based) must be greater than or equal to zero and less than the size of the argument list.",
            )
        rendered = format_value(arguments[position], item_format, culture)
        out.append(rendered.ljust(width) if left else rendered.rjust(width))
    return "".join(out)
