"""PowerShell's operators with their conversion rules (Language Specification 2.0, clause 7).

The left operand decides (7.7 arithmetic: a number adds, a string concatenates, an array appends; 7.8 comparison:
the right operand is converted to the left operand's type). An array on the left of a comparison filters: the result
is the elements for which the comparison holds (7.8.1). String comparisons ignore case unless the operator starts
with ``c`` (``-ceq``, ``-cmatch``); ``-like`` uses wildcards (about_Wildcards), ``-match`` .NET regular expressions
and sets ``$matches`` for a scalar left operand (about_Comparison_Operators).
"""

from __future__ import annotations

import decimal
import fnmatch
import re
from collections.abc import Callable
from typing import Any

from .convert import ConversionError, is_enumerable, is_numeric, items_of, to_bool, to_number, to_string
from .errors import NotModelled
from .values import INT32_MAX, INT32_MIN, INT64_MAX, INT64_MIN, Char, EnumValue, Hashtable, PSArray, TypedInt

__all__ = ["OperatorError", "arithmetic", "compare", "equal", "like", "regex_of", "sort_key_compare"]


class OperatorError(Exception):
    """An operator that fails at run time (RuntimeException): ``fqid`` as PowerShell names it."""

    def __init__(self, message: str, fqid: str, exception: str = "System.Management.Automation.RuntimeException"):
        super().__init__(message)
        self.message = message
        self.fqid = fqid
        self.exception = exception


def _integer_result(value: int, operands: tuple[Any, Any]) -> Any:
    """Clause 7.7: Int32 arithmetic that overflows gives a Double; Int64 likewise."""
    wide = any(isinstance(operand, TypedInt) and operand.type_name in ("System.Int64", "System.UInt64")
               for operand in operands)  # fmt: skip
    if not wide and INT32_MIN <= value <= INT32_MAX:
        return value
    if INT64_MIN <= value <= INT64_MAX and (wide or not all(isinstance(o, int) for o in operands)):
        return TypedInt(value, "System.Int64")
    if wide and INT64_MIN <= value <= INT64_MAX:
        return TypedInt(value, "System.Int64")
    return float(value)


def _numeric(left: Any, right: Any, operation: Callable[[Any, Any], Any], symbol: str) -> Any:
    a, b = to_number(left), to_number(right)
    if isinstance(a, decimal.Decimal) or isinstance(b, decimal.Decimal):
        return operation(decimal.Decimal(str(a)), decimal.Decimal(str(b)))
    if isinstance(a, float) or isinstance(b, float):
        return float(operation(float(a), float(b)))
    if symbol == "/":
        if b == 0:
            raise OperatorError("Attempted to divide by zero.", "RuntimeException")
        if a % b == 0:
            return _integer_result(int(a) // int(b), (a, b))
        return a / b
    if symbol == "%":
        if b == 0:
            raise OperatorError("Attempted to divide by zero.", "RuntimeException")
        result = abs(int(a)) % abs(int(b))  # .NET remainder takes the sign of the dividend
        return _integer_result(-result if a < 0 else result, (a, b))
    return _integer_result(int(operation(int(a), int(b))), (a, b))


def arithmetic(symbol: str, left: Any, right: Any) -> Any:
    """``+ - * / %`` (clause 7.7)."""
    if symbol == "+":
        if isinstance(left, list):
            return PSArray([*left, *items_of(right)] if isinstance(right, list) else [*left, right])
        if isinstance(left, Hashtable):
            if not isinstance(right, Hashtable):
                raise OperatorError(
                    "A hash table can only be added to another hash table.", "AddHashTableToNonHashTable"
                )
            merged = left.copy()
            for key, value in right.items():
                if key in merged:
                    raise OperatorError(
                        f"Item has already been added. Key in dictionary: '{key}'  Key being added: '{key}'",
                        "DuplicateKeyInHashLiteral",
                    )
                merged[key] = value
            return merged
        if isinstance(left, str):
            return left + to_string(right)
        if left is None:
            if isinstance(right, str):
                return right
            if right is None:
                return None
        return _numeric(left, right, lambda a, b: a + b, "+")
    if symbol == "*":
        if isinstance(left, str):
            return left * int(to_number(right))
        if isinstance(left, list):
            return PSArray(list(left) * int(to_number(right)))
        return _numeric(left, right, lambda a, b: a * b, "*")
    if symbol == "-":
        return _numeric(left, right, lambda a, b: a - b, "-")
    if symbol in ("/", "%"):
        return _numeric(left, right, lambda a, b: a / b if symbol == "/" else a % b, symbol)
    raise NotModelled(f"the operator {symbol}")


def _as_comparable(left: Any, right: Any, case_sensitive: bool) -> tuple[Any, Any]:
    """Convert the right operand to the left operand's kind (clause 7.8)."""
    if isinstance(left, str) and not isinstance(left, Char):
        text = to_string(right)
        return (left, text) if case_sensitive else (left.lower(), text.lower())
    if isinstance(left, Char):
        text = to_string(right)
        return (str(left), text) if case_sensitive else (str(left).lower(), text.lower())
    if isinstance(left, bool):
        return left, to_bool(right)
    if isinstance(left, EnumValue):
        if isinstance(right, EnumValue):
            return left.value, right.value
        if isinstance(right, str):
            return left.name.lower(), right.lower()
        return left.value, to_number(right)
    if is_numeric(left):
        if isinstance(right, str) and right.strip() == "":
            return left, None
        try:
            return left, to_number(right)
        except ConversionError:
            return left, None
    return left, right


def equal(left: Any, right: Any, *, case_sensitive: bool = False) -> bool:
    """Scalar ``-eq`` (clause 7.8.1)."""
    if left is None:
        return right is None
    if right is None:
        return False
    a, b = _as_comparable(left, right, case_sensitive)
    if b is None:
        return False
    if hasattr(a, "ps_equals"):
        return bool(a.ps_equals(b))
    try:
        return bool(a == b)
    except TypeError:
        return False


def _order(left: Any, right: Any, case_sensitive: bool) -> int:
    if left is None and right is None:
        return 0
    if left is None:
        return -1
    if right is None:
        return 1
    a, b = _as_comparable(left, right, case_sensitive)
    if b is None:
        raise OperatorError(
            f'Could not compare "{to_string(left)}" to "{to_string(right)}". Error: "Cannot convert value '
            f'"{to_string(right)}" to type "System.Int32". Error: "Input string was not in a correct format.""',
            "ComparisonFailure",
        )
    try:
        return (a > b) - (a < b)
    except TypeError:
        raise OperatorError(
            f'Cannot compare "{to_string(left)}" because it is not IComparable.', "NotIcomparable"
        ) from None


def sort_key_compare(left: Any, right: Any) -> int:
    """Sort-Object's comparison: the same conversion rules, case-insensitive."""
    return _order(left, right, False)


def like(value: Any, pattern: Any, *, case_sensitive: bool = False) -> bool:
    """about_Wildcards: * ? [a-z] (the whole string must match)."""
    text, wildcard = to_string(value), to_string(pattern)
    expression = fnmatch.translate(wildcard)
    return re.match(expression, text, 0 if case_sensitive else re.IGNORECASE) is not None


def regex_of(pattern: str, *, case_sensitive: bool = False) -> re.Pattern[str]:
    """A .NET regular expression (about_Regular_Expressions: the operators use .NET's syntax; RegexOptions
    IgnoreCase unless the operator is a ``c`` one)."""
    from .dotnet.regex import compile_pattern
    from .errors import NetException

    try:
        return compile_pattern(pattern, 0 if case_sensitive else 1)
    except NetException as error:
        raise OperatorError(error.message, "InvalidRegularExpression", "System.ArgumentException") from error


def compare(operator: str, left: Any, right: Any, *, matches: Callable[[dict[Any, Any] | None], None]) -> Any:
    """A comparison operator: ``-eq -ne -gt -ge -lt -le -like -notlike -match -notmatch -contains -notcontains
    -in -notin -replace -split -join`` and their ``c``/``i`` forms. ``matches`` receives ``$matches``."""
    name = operator.lower().lstrip("-")
    case_sensitive = False
    if name[0] in "ci" and name[1:] in _BASE_OPERATORS:
        case_sensitive = name[0] == "c"
        name = name[1:]
    if name in ("contains", "notcontains"):
        found = any(equal(item, right, case_sensitive=case_sensitive) for item in items_of(left))
        return found if name == "contains" else not found
    if name in ("in", "notin"):
        found = any(equal(item, left, case_sensitive=case_sensitive) for item in items_of(right))
        return found if name == "in" else not found
    if name == "replace":
        return _replace(left, right, case_sensitive)
    if name == "split":
        return _split(left, right, case_sensitive)
    if name == "join":
        return to_string(right).join(to_string(item) for item in items_of(left))
    test = _scalar_test(name, right, case_sensitive)
    if isinstance(left, list):
        return PSArray([item for item in left if test(item, None)])
    return test(left, matches)


_BASE_OPERATORS = {
    "eq", "ne", "gt", "ge", "lt", "le", "like", "notlike", "match", "notmatch", "contains", "notcontains",
    "in", "notin", "replace", "split",
}  # fmt: skip


def _scalar_test(name: str, right: Any, case_sensitive: bool) -> Callable[[Any, Any], bool]:
    if name == "eq":
        return lambda item, _m: equal(item, right, case_sensitive=case_sensitive)
    if name == "ne":
        return lambda item, _m: not equal(item, right, case_sensitive=case_sensitive)
    if name in ("gt", "ge", "lt", "le"):
        checks = {"gt": lambda o: o > 0, "ge": lambda o: o >= 0, "lt": lambda o: o < 0, "le": lambda o: o <= 0}
        return lambda item, _m: checks[name](_order(item, right, case_sensitive))
    if name in ("like", "notlike"):
        wanted = name == "like"
        return lambda item, _m: like(item, right, case_sensitive=case_sensitive) == wanted
    if name in ("match", "notmatch"):
        pattern = regex_of(to_string(right), case_sensitive=case_sensitive)
        wanted = name == "match"

        def test(item: Any, matches: Callable[[dict[Any, Any] | None], None] | None) -> bool:
            found = pattern.search(to_string(item))
            if matches is not None and found is not None:
                from .dotnet.regex import matches_table

                matches(matches_table(found))
            return (found is not None) == wanted

        return test
    raise NotModelled(f"the operator -{name}")


def _replace(left: Any, right: Any, case_sensitive: bool) -> Any:
    parts = items_of(right) if isinstance(right, list) else [right]
    if len(parts) > 2:
        raise OperatorError(
            "The -ireplace operator allows only two elements to follow it, not " + str(len(parts)) + ".",
            "BadReplaceArgument",
        )
    from .dotnet.regex import replace

    pattern = regex_of(to_string(parts[0]), case_sensitive=case_sensitive)
    replacement = to_string(parts[1]) if len(parts) > 1 else ""

    def one(item: Any) -> str:
        return replace(pattern, to_string(item), replacement)

    if isinstance(left, list):
        return PSArray([one(item) for item in left])
    return one(left)


def _split(left: Any, right: Any, case_sensitive: bool) -> PSArray:
    parts = items_of(right) if isinstance(right, list) else [right]
    pattern = regex_of(to_string(parts[0]), case_sensitive=case_sensitive)
    limit = int(to_number(parts[1])) if len(parts) > 1 else 0
    result: list[str] = []
    for item in items_of(left):
        pieces = pattern.split(to_string(item), maxsplit=max(limit - 1, 0))
        result.extend(piece for piece in pieces if piece is not None)
    return PSArray(result, "System.String")


def enumerable_or_scalar(value: Any) -> bool:
    return is_enumerable(value)
