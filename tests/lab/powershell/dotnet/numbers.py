"""Members of the numeric types and Boolean: ToString overloads, MinValue/MaxValue, Parse, the Double tests.

The engine keeps these as Python values (int = Int32, TypedInt for the other integer types, float = Double,
decimal.Decimal = Decimal, bool = Boolean); formatting is formatting.py's. TryParse is not declared: its out
parameter needs [ref] support the engine does not offer for .NET calls.
"""

from __future__ import annotations

import decimal
import math
import re
from typing import Any

from ..values import INTEGER_RANGES, TypedInt, find_type, members_of, method, prop, static
from ._runtime import argument_null, net_error
from .formatting import format_number
from .globalization import CultureData, CultureInfo, current_culture

__all__ = ["parse_integer"]

_VALUE_INTERFACES = ("System.IComparable", "System.IFormattable", "System.IConvertible")
_OVERFLOW_TEXT = {
    "System.Byte": "Value was either too large or too small for an unsigned byte.",
    "System.SByte": "Value was either too large or too small for a signed byte.",
    "System.Int16": "Value was either too large or too small for an Int16.",
    "System.UInt16": "Value was either too large or too small for a UInt16.",
    "System.Int32": "Value was either too large or too small for an Int32.",
    "System.UInt32": "Value was either too large or too small for a UInt32.",
    "System.Int64": "Value was either too large or too small for an Int64.",
    "System.UInt64": "Value was either too large or too small for a UInt64.",
}  # mscorlib.txt Overflow_*


def _culture(provider: Any) -> CultureData:
    return provider.data if isinstance(provider, CultureInfo) else current_culture()


def _typed(value: int, type_name: str) -> int:
    return value if type_name == "System.Int32" else TypedInt(value, type_name)


def parse_integer(text: str | None, type_name: str) -> int:
    """Int32.Parse(string) and friends: NumberStyles.Integer (white space around, one leading sign)."""
    if text is None:
        raise argument_null("s")
    match = re.fullmatch(r"[\s]*([+-]?)([0-9]+)[\s]*", text)
    if match is None:
        raise net_error("System.FormatException", "Input string was not in a correct format.")
    value = int(match.group(2)) * (-1 if match.group(1) == "-" else 1)
    low, high = INTEGER_RANGES[type_name]
    if not low <= value <= high:
        raise net_error("System.OverflowException", _OVERFLOW_TEXT[type_name])
    return _typed(value, type_name)


def _parse_double(text: str | None, culture: CultureData) -> float:
    """Double.Parse: NumberStyles.Float | AllowThousands in the culture."""
    if text is None:
        raise argument_null("s")
    stripped = text.strip()
    if stripped in ("NaN", "Infinity", "-Infinity"):
        return float(stripped.replace("Infinity", "inf"))
    pattern = (
        r"[+-]?(?:[0-9" + re.escape(culture.group_separator) + r"]*)(?:" + re.escape(culture.decimal_separator)
        + r"[0-9]*)?(?:[eE][+-]?[0-9]+)?"
    )  # fmt: skip
    if not stripped or re.fullmatch(pattern, stripped) is None or not re.search(r"[0-9]", stripped):
        raise net_error("System.FormatException", "Input string was not in a correct format.")
    normal = stripped.replace(culture.group_separator, "").replace(culture.decimal_separator, ".")
    return float(normal)


def _declare_integer(type_name: str) -> None:
    low, high = INTEGER_RANGES[type_name]

    class Members:
        @method("ToString")
        def _to_string(self: int) -> str:
            return format_number(self, None, current_culture())

        @method("ToString", "System.String")
        def _to_string_format(self: int, text: str | None) -> str:
            return format_number(self, text, current_culture())

        @method("ToString", "System.IFormatProvider")
        def _to_string_provider(self: int, provider: Any) -> str:
            return format_number(self, None, _culture(provider))

        @method("ToString", "System.String", "System.IFormatProvider")
        def _to_string_format_provider(self: int, text: str | None, provider: Any) -> str:
            return format_number(self, text, _culture(provider))

        @method("CompareTo", type_name)
        def _compare(self: int, other: int) -> int:
            return (self > other) - (self < other)

        @method("Equals", "System.Object")
        def _equals(self: int, other: Any) -> bool:
            # Int32.Equals(object): true only for a boxed value of the same type
            return (
                isinstance(other, int)
                and not isinstance(other, bool)
                and other == self
                and (getattr(other, "type_name", "System.Int32") == getattr(self, "type_name", "System.Int32"))
            )

        @method("GetHashCode")
        def _hash_code(self: int) -> int:
            # Int32: the value; the wider types fold their halves (Int64.GetHashCode: low ^ high)
            value = int(self)
            if type_name in ("System.Int64", "System.UInt64"):
                value = (value & 0xFFFFFFFF) ^ ((value >> 32) & 0xFFFFFFFF)
                value = value - 2**32 if value >= 2**31 else value
            return value

        @staticmethod
        @prop("MaxValue", static_member=True)
        def _max(_host: Any) -> int:
            return _typed(high, type_name)

        @staticmethod
        @prop("MinValue", static_member=True)
        def _min(_host: Any) -> int:
            return _typed(low, type_name)

        @staticmethod
        @static("Parse", "System.String")
        def _parse(_host: Any, text: str) -> int:
            return parse_integer(text, type_name)

    members_of(type_name, base="System.ValueType", interfaces=_VALUE_INTERFACES)(Members)
    _mark_value_type(type_name)


def _mark_value_type(type_name: str) -> None:
    net = find_type(type_name)
    assert net is not None
    net.value_type = True


for _name in INTEGER_RANGES:
    _declare_integer(_name)


@members_of("System.Double", base="System.ValueType", interfaces=_VALUE_INTERFACES)
class _Double:
    @method("ToString")
    def _to_string(self: float) -> str:
        return format_number(float(self), None, current_culture())

    @method("ToString", "System.String")
    def _to_string_format(self: float, text: str | None) -> str:
        return format_number(float(self), text, current_culture())

    @method("ToString", "System.IFormatProvider")
    def _to_string_provider(self: float, provider: Any) -> str:
        return format_number(float(self), None, _culture(provider))

    @method("ToString", "System.String", "System.IFormatProvider")
    def _to_string_format_provider(self: float, text: str | None, provider: Any) -> str:
        return format_number(float(self), text, _culture(provider))

    @method("CompareTo", "System.Double")
    def _compare(self: float, other: float) -> int:
        if math.isnan(self):
            return 0 if math.isnan(other) else -1
        return (self > other) - (self < other) if not math.isnan(other) else 1

    @method("Equals", "System.Object")
    def _equals(self: float, other: Any) -> bool:
        return isinstance(other, float) and (other == self or (math.isnan(other) and math.isnan(self)))

    @staticmethod
    @static("IsNaN", "System.Double")
    def _is_nan(_host: Any, value: float) -> bool:
        return math.isnan(value)

    @staticmethod
    @static("IsInfinity", "System.Double")
    def _is_infinity(_host: Any, value: float) -> bool:
        return math.isinf(value)

    @staticmethod
    @static("IsPositiveInfinity", "System.Double")
    def _is_positive_infinity(_host: Any, value: float) -> bool:
        return value == math.inf

    @staticmethod
    @static("IsNegativeInfinity", "System.Double")
    def _is_negative_infinity(_host: Any, value: float) -> bool:
        return value == -math.inf

    @staticmethod
    @static("Parse", "System.String")
    def _parse(_host: Any, text: str) -> float:
        return _parse_double(text, current_culture())

    @staticmethod
    @static("Parse", "System.String", "System.IFormatProvider")
    def _parse_provider(_host: Any, text: str, provider: Any) -> float:
        return _parse_double(text, _culture(provider))

    @staticmethod
    @prop("MaxValue", static_member=True)
    def _max(_host: Any) -> float:
        return 1.7976931348623157e308

    @staticmethod
    @prop("MinValue", static_member=True)
    def _min(_host: Any) -> float:
        return -1.7976931348623157e308

    @staticmethod
    @prop("Epsilon", static_member=True)
    def _epsilon(_host: Any) -> float:
        return 5e-324

    @staticmethod
    @prop("NaN", static_member=True)
    def _nan(_host: Any) -> float:
        return math.nan

    @staticmethod
    @prop("PositiveInfinity", static_member=True)
    def _positive_infinity(_host: Any) -> float:
        return math.inf

    @staticmethod
    @prop("NegativeInfinity", static_member=True)
    def _negative_infinity(_host: Any) -> float:
        return -math.inf


@members_of("System.Decimal", base="System.ValueType", interfaces=_VALUE_INTERFACES)
class _Decimal:
    @method("ToString")
    def _to_string(self: decimal.Decimal) -> str:
        return format_number(self, None, current_culture())

    @method("ToString", "System.String")
    def _to_string_format(self: decimal.Decimal, text: str | None) -> str:
        return format_number(self, text, current_culture())

    @method("ToString", "System.IFormatProvider")
    def _to_string_provider(self: decimal.Decimal, provider: Any) -> str:
        return format_number(self, None, _culture(provider))

    @method("ToString", "System.String", "System.IFormatProvider")
    def _to_string_format_provider(self: decimal.Decimal, text: str | None, provider: Any) -> str:
        return format_number(self, text, _culture(provider))


@members_of("System.Boolean", base="System.ValueType", interfaces=("System.IComparable", "System.IConvertible"))
class _Boolean:
    @method("ToString")
    def _to_string(self: bool) -> str:
        return "True" if self else "False"

    @method("ToString", "System.IFormatProvider")
    def _to_string_provider(self: bool, _provider: Any) -> str:
        return "True" if self else "False"

    @method("Equals", "System.Object")
    def _equals(self: bool, other: Any) -> bool:
        return isinstance(other, bool) and other == self

    @method("CompareTo", "System.Boolean")
    def _compare(self: bool, other: bool) -> int:
        return int(self) - int(other)

    @staticmethod
    @static("Parse", "System.String")
    def _parse(_host: Any, text: str | None) -> bool:
        if text is None:
            raise argument_null("value")
        if text.strip().lower() == "true":
            return True
        if text.strip().lower() == "false":
            return False
        # mscorlib.txt Format_BadBoolean
        raise net_error("System.FormatException", "String was not recognized as a valid Boolean.")

    @staticmethod
    @prop("TrueString", static_member=True)
    def _true(_host: Any) -> str:
        return "True"

    @staticmethod
    @prop("FalseString", static_member=True)
    def _false(_host: Any) -> str:
        return "False"


for _name in ("System.Double", "System.Decimal", "System.Boolean"):
    _mark_value_type(_name)
