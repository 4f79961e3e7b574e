"""PowerShell's conversions (LanguagePrimitives): to Boolean, to String, to numbers, and to any .NET type.

Windows PowerShell Language Specification 2.0, clause 6 ("Conversions"): 6.2 to bool, 6.4 to integer (real values
rounded to even), 6.7 to string (numbers with the invariant culture, arrays joined with $OFS, " " by default), 6.9 to
array, 6.14 the general rules (a constructor taking the value, a static Parse(string), enums from their names).
about_Type_Conversion ("A single string value can be converted to an instance of a type if the type implements a
static Parse() method", with the invariant culture for an IFormatProvider parameter) and LanguagePrimitives'
FigureConversion give the order for a string: Parse before a one-argument constructor (so ``[TimeSpan]'7'`` is seven
days, not seven ticks).
A conversion that fails raises the RuntimeException PowerShell gives: ``Cannot convert value "x" to type "T".
Error: "..."`` (InvalidArgument; FullyQualifiedErrorId InvalidCastFromStringToInteger for text to integer, else
ConvertToFinalInvalidCastException).
"""

from __future__ import annotations

import decimal
import math
import re
from collections.abc import Callable, Iterable
from typing import Any

from .errors import NetException, NotModelled
from .values import (
    INTEGER_RANGES,
    Char,
    EnumValue,
    Hashtable,
    NetObject,
    NetType,
    PSArray,
    PSObject,
    TypedInt,
    TypeRef,
    enum_value,
    find_type,
    type_name_of,
    type_of,
)

__all__ = [
    "NO_PARSE",
    "ConversionError",
    "is_enumerable",
    "is_numeric",
    "items_of",
    "parse_number",
    "to_bool",
    "to_number",
    "to_string",
]

NUMERIC = {
    "System.Byte", "System.SByte", "System.Int16", "System.UInt16", "System.Int32", "System.UInt32",
    "System.Int64", "System.UInt64", "System.Single", "System.Double", "System.Decimal",
}  # fmt: skip
_MULTIPLIERS = {"kb": 1024, "mb": 1024**2, "gb": 1024**3, "tb": 1024**4, "pb": 1024**5}
# What a ``parse`` callback of :func:`convert` answers for a type without a static Parse method.
NO_PARSE = object()
_NUMBER = re.compile(r"^\s*([+-]?)(0x[0-9a-f]+|[0-9]*\.?[0-9]+(?:e[+-]?[0-9]+)?)(l|d)?(kb|mb|gb|tb|pb)?\s*$", re.I)


class ConversionError(Exception):
    """The value cannot be converted; ``fqid`` and ``message`` as PowerShell reports it."""

    def __init__(self, message: str, fqid: str = "ConvertToFinalInvalidCastException") -> None:
        super().__init__(message)
        self.message = message
        self.fqid = fqid


def is_numeric(value: Any) -> bool:
    return (isinstance(value, (int, float, decimal.Decimal)) and not isinstance(value, bool)) and not isinstance(
        value, EnumValue
    )


def is_enumerable(value: Any) -> bool:
    """Whether the pipeline unrolls ``value``: arrays and IEnumerable objects, but not strings or dictionaries."""
    if isinstance(value, list):
        return True
    if isinstance(value, (str, Hashtable)) or value is None or not isinstance(value, NetObject):
        return False
    if isinstance(value, PSObject):
        return False
    if not hasattr(value, "__iter__"):
        return False
    net = type_of(value)
    interfaces = net.all_interfaces()
    return "system.collections.ienumerable" in interfaces and "system.collections.idictionary" not in interfaces


def items_of(value: Any) -> list[Any]:
    """The elements the pipeline gets from ``value`` (itself when it is not enumerable)."""
    if isinstance(value, PSArray) and value.element_type in INTEGER_RANGES and value.element_type != "System.Int32":
        return [TypedInt(item, value.element_type) for item in value]
    if is_enumerable(value):
        return list(value)
    return [value]


def to_bool(value: Any) -> bool:
    """Clause 6.2: $null false; numbers non-zero; strings non-empty; arrays by their one element or their size."""
    if value is None:
        return False
    if isinstance(value, bool):
        return value
    if isinstance(value, EnumValue):
        return value.value != 0
    if is_numeric(value):
        return value != 0
    if isinstance(value, str):
        return len(value) > 0
    if isinstance(value, list):
        if len(value) == 0:
            return False
        if len(value) == 1:
            return to_bool(value[0])
        return True
    if isinstance(value, NetObject) and type_name_of(value) == "System.Management.Automation.SwitchParameter":
        return bool(getattr(value, "is_present", False))
    return True


def format_double(value: float) -> str:
    """Double.ToString() with the invariant culture: 15 significant digits, "E+nn" exponents, no trailing zeros."""
    if math.isnan(value):
        return "NaN"
    if math.isinf(value):
        return "Infinity" if value > 0 else "-Infinity"
    if value == int(value) and abs(value) < 1e15:
        return str(int(value))
    text = f"{value:.15G}"
    if "E" in text:
        mantissa, exponent = text.split("E")
        if "." in mantissa:
            mantissa = mantissa.rstrip("0").rstrip(".")
        sign = "-" if exponent.startswith("-") else "+"
        return f"{mantissa}E{sign}{exponent.lstrip('+-').zfill(2)}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def to_string(value: Any, separator: str = " ") -> str:
    """Clause 6.7 (invariant culture)."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, float):
        return format_double(value)
    if isinstance(value, decimal.Decimal):
        return str(value)
    if isinstance(value, int):
        return str(int(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, list):
        return separator.join(to_string(item, separator) for item in value)
    if isinstance(value, Hashtable):
        return "System.Collections.Hashtable"
    if isinstance(value, EnumValue):
        return value.name
    if isinstance(value, TypeRef):
        return value.full_name
    if isinstance(value, PSObject):
        inner = ", ".join(f"{name}={to_string(value.get(name)[1])}" for name in value.names())
        return "@{" + inner.replace(", ", "; ") + "}"
    if isinstance(value, NetObject):
        if "system.iformattable" in type_of(value).all_interfaces():
            # LS2 6.7: PowerShell formats IFormattable values with the invariant culture, unlike ToString().
            from .dotnet.formatting import format_value
            from .dotnet.globalization import culture_data

            return format_value(value, None, culture_data(""))
        return value.to_string()
    raise NotModelled(f"the string form of a {type(value).__name__}")


def parse_number(text: str) -> int | float | decimal.Decimal | None:
    """A number as PowerShell reads it from text (clause 2.3.5.1: hex, exponents, l/d suffixes, kb..pb)."""
    match = _NUMBER.match(text)
    if match is None:
        return None
    sign, digits, suffix, multiplier = match.groups()
    factor = _MULTIPLIERS[multiplier.lower()] if multiplier else 1
    negative = sign == "-"
    if digits.lower().startswith("0x"):
        number: int | float | decimal.Decimal = int(digits, 16)
    elif suffix and suffix.lower() == "d":
        number = decimal.Decimal(digits)
    elif re.fullmatch(r"[0-9]+", digits):
        number = int(digits)
    else:
        number = float(digits)
    number = number * factor
    if negative:
        number = -number
    if isinstance(number, int):
        if suffix and suffix.lower() == "l":
            return TypedInt(number, "System.Int64")
        if INTEGER_RANGES["System.Int32"][0] <= number <= INTEGER_RANGES["System.Int32"][1]:
            return number
        if INTEGER_RANGES["System.Int64"][0] <= number <= INTEGER_RANGES["System.Int64"][1]:
            return TypedInt(number, "System.Int64")
        return decimal.Decimal(number)
    return number


def to_number(value: Any) -> int | float | decimal.Decimal:
    """The operand of an arithmetic operator: $null is 0, booleans 0/1, strings parsed (clause 6.4, 6.5)."""
    if value is None:
        return 0
    if isinstance(value, bool):
        return int(value)
    if isinstance(value, EnumValue):
        return value.value
    if isinstance(value, Char):
        return ord(value)
    if is_numeric(value):
        return value
    if isinstance(value, str):
        if not value.strip():
            return 0
        number = parse_number(value)
        if number is None:
            raise ConversionError(
                f'Cannot convert value "{value}" to type "System.Int32". Error: "Input string was not in a correct '
                'format."',
                "InvalidCastFromStringToInteger",
            )
        return number
    if isinstance(value, list) and len(value) == 1:
        return to_number(value[0])
    raise ConversionError(
        f'Cannot convert the "{to_string(value)}" value of type "{type_name_of(value)}" to type "System.Int32".',
        "ConvertToFinalInvalidCastException",
    )


def _round_half_even(value: float | decimal.Decimal) -> int:
    return int(decimal.Decimal(value).to_integral_value(rounding=decimal.ROUND_HALF_EVEN))


def _cannot(value: Any, target: str, reason: str | None = None, fqid: str = "ConvertToFinalInvalidCastException"):
    shown = to_string(value) if not isinstance(value, NetObject) or isinstance(value, PSObject) else type_name_of(value)
    if reason is None:
        kind = "null" if value is None else type_name_of(value)
        return ConversionError(f'Cannot convert the "{shown}" value of type "{kind}" to type "{target}".', fqid)
    return ConversionError(f'Cannot convert value "{shown}" to type "{target}". Error: "{reason}"', fqid)


def _to_integer(value: Any, target: str) -> int:
    low, high = INTEGER_RANGES[target]
    if value is None:
        number: Any = 0
    elif isinstance(value, bool):
        number = int(value)
    elif isinstance(value, EnumValue):
        number = value.value
    elif isinstance(value, Char):
        number = ord(value)
    elif isinstance(value, str):
        if not value.strip():
            number = 0
        else:
            parsed = parse_number(value)
            if parsed is None:
                raise _cannot(
                    value, target, "Input string was not in a correct format.", "InvalidCastFromStringToInteger"
                )
            number = parsed
    elif is_numeric(value):
        number = value
    else:
        raise _cannot(value, target)
    if isinstance(number, (float, decimal.Decimal)):
        if isinstance(number, float) and (math.isnan(number) or math.isinf(number)):
            raise _cannot(value, target, "Value was either too large or too small for an Int32.")
        number = _round_half_even(number)
    if not low <= number <= high:
        short = target.rsplit(".", 1)[-1]
        a_or_an = "an" if short[0] in "AEIOUaeiou" else "a"
        raise _cannot(value, target, f"Value was either too large or too small for {a_or_an} {short}.")
    return int(number) if target == "System.Int32" else TypedInt(int(number), target)


def _to_double(value: Any, target: str) -> float | decimal.Decimal:
    if target == "System.Decimal":
        if isinstance(value, str):
            parsed = parse_number(value)
            if parsed is None:
                raise _cannot(value, target, "Input string was not in a correct format.")
            return decimal.Decimal(str(parsed))
        return decimal.Decimal(str(to_number(value)))
    if isinstance(value, str):
        if not value.strip():
            return 0.0
        parsed = parse_number(value)
        if parsed is None:
            raise _cannot(
                value, target, "Input string was not in a correct format.", "InvalidCastFromStringToDoubleOrSingle"
            )
        return float(parsed)
    try:
        return float(to_number(value))
    except ConversionError:
        raise _cannot(value, target) from None


def _to_enum(value: Any, net: NetType) -> EnumValue:
    members = net.enum_members or {}
    if isinstance(value, EnumValue) and value.type_name == net.full_name:
        return value
    if isinstance(value, (int, EnumValue)) and not isinstance(value, bool):
        number = value.value if isinstance(value, EnumValue) else int(value)
        return enum_value(net, number)
    text = to_string(value)
    total = 0
    for part in text.split(","):
        name = part.strip()
        found = next((number for key, number in members.items() if key.lower() == name.lower()), None)
        if found is None:
            listed = ", ".join(f'"{key}"' for key in members)
            raise ConversionError(
                f'Cannot convert value "{text}" to type "{net.full_name}" due to invalid enumeration values. Specify '
                f"one of the following enumeration values and try again. The possible enumeration values are {listed}.",
                "RuntimeException",
            )
        total |= found
        if not net.flags:
            break
    return enum_value(net, total)


def convert(
    value: Any,
    target: str,
    *,
    runtime: str,
    construct: Any = None,
    parse: Callable[[NetType, str], Any] | None = None,
) -> Any:
    """Convert ``value`` to the .NET type ``target`` (a full name, an accelerator, or ``T[]``).

    ``construct(net, args)`` calls a constructor (clause 6.14: a type with a one-argument constructor that takes the
    value converts by constructing). ``parse(net, text)`` calls the type's static Parse method, or answers
    :data:`NO_PARSE` when it has none (a string converts by parsing, before any constructor is tried).
    """
    name = target.strip()
    if name.endswith("[]"):
        element = name[:-2]
        element_net = find_type(element, runtime=runtime)
        element_name = element_net.full_name if element_net is not None else element
        if isinstance(value, PSArray) and value.element_type == element_name:
            return value
        items = items_of(value) if value is not None else []
        if value is None:
            return None
        converted = [convert(item, element_name, runtime=runtime, construct=construct, parse=parse) for item in items]
        if element_name in INTEGER_RANGES:
            converted = [int(item) for item in converted]
        return PSArray(converted, element_name)
    net = find_type(name, runtime=runtime)
    if net is None:
        raise NotModelled(f"conversion to the unknown type [{name}]")
    full = net.full_name
    if full == "System.Object":
        return value
    if full == "System.String":
        return "" if value is None else to_string(value)
    if full == "System.Boolean":
        return to_bool(value)
    if full in INTEGER_RANGES:
        return _to_integer(value, full)
    if full in ("System.Double", "System.Single", "System.Decimal"):
        if value is None:
            return 0.0
        return _to_double(value, full)
    if full == "System.Char":
        if isinstance(value, Char):
            return value
        if isinstance(value, str) and len(value) == 1:
            return Char(value)
        if isinstance(value, int) and not isinstance(value, bool):
            return Char(chr(value))
        raise _cannot(value, full, "String must be exactly one character long.")
    if full == "System.Void":
        return None
    if net.enum_members is not None:
        if value is None:
            raise _cannot(value, full)
        return _to_enum(value, net)
    if full == "System.Array":
        return value if isinstance(value, list) else PSArray(items_of(value))
    if full == "System.Collections.Hashtable" and isinstance(value, Hashtable):
        return value
    if value is None:
        return None
    if full == "System.Type" and isinstance(value, str):
        found = find_type(value, runtime=runtime)
        if found is None:
            raise ConversionError(f'Cannot convert value "{value}" to type "System.Type".')
        return TypeRef(found)
    try:
        actual = type_of(value)
    except LookupError:
        actual = None
    if actual is not None and actual.is_assignable_to(net):
        return value
    if isinstance(value, PSArray) and full.endswith("[]"):
        return value
    if isinstance(value, str) and parse is not None:
        try:
            parsed = parse(net, value)
        except NetException as error:
            raise _cannot(value, full, error.message) from None
        if parsed is not NO_PARSE:
            return parsed
    if construct is not None and any(len(overload.parameters) == 1 for overload in net.constructors):
        try:
            return construct(net, [value])
        except (ConversionError, NetException):
            pass
    raise _cannot(value, full)


def join_values(values: Iterable[Any], separator: str) -> str:
    return separator.join(to_string(value) for value in values)
