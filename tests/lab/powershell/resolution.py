"""Which overload of a .NET method PowerShell calls, and the arguments converted for it.

about_Methods / Language Specification 2.0 clause 7.1.3: candidates are the overloads with as many parameters as
arguments (a ``params`` array takes the rest); each argument is ranked by how it reaches the parameter type: the
same type, a type that derives from or implements it, a numeric widening, then any PowerShell conversion. The best
total wins; an argument that cannot be converted rules the overload out. (PowerShell's exact tie-breaking between
equally ranked overloads is not documented; the engine keeps the declaration order, which the simulated types list
as the .NET reference lists them.)
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from . import convert as conversions
from .errors import NetException, PSError
from .values import INTEGER_RANGES, PSArray, TypedInt, find_type, type_of

if TYPE_CHECKING:
    from .interpreter import Engine
    from .values import Overload

__all__ = ["resolve_overload"]

_EXACT, _ASSIGNABLE, _WIDENING, _CONVERTIBLE = 0, 1, 2, 4
_NUMERIC_ORDER = (
    "System.Byte", "System.SByte", "System.Int16", "System.UInt16", "System.Int32", "System.UInt32",
    "System.Int64", "System.UInt64", "System.Single", "System.Double", "System.Decimal",
)  # fmt: skip


def _rank(engine: Engine, value: Any, parameter: str) -> int | None:
    if parameter == "System.Object":
        return _ASSIGNABLE
    if value is None:
        net = find_type(parameter.removesuffix("[]"), runtime=engine.runtime)
        if parameter.endswith("[]") or (net is not None and not net.value_type and net.enum_members is None):
            return _ASSIGNABLE
        return _CONVERTIBLE
    try:
        actual = type_of(value)
    except (LookupError, TypeError):
        return None
    if actual.full_name.lower() == parameter.lower():
        return _EXACT
    if parameter.endswith("[]"):
        if isinstance(value, list):
            return _CONVERTIBLE
        return _CONVERTIBLE + 2
    target = find_type(parameter, runtime=engine.runtime)
    if target is None:
        return None
    if actual.is_assignable_to(target):
        return _ASSIGNABLE
    if actual.full_name in _NUMERIC_ORDER and target.full_name in _NUMERIC_ORDER:
        gap = _NUMERIC_ORDER.index(target.full_name) - _NUMERIC_ORDER.index(actual.full_name)
        return _WIDENING if gap > 0 else _CONVERTIBLE + 1
    if isinstance(value, str) and target.full_name in _NUMERIC_ORDER:
        return _CONVERTIBLE + 2
    return _CONVERTIBLE


def _convert(engine: Engine, value: Any, parameter: str) -> Any:
    result = conversions.convert(
        value, parameter, runtime=engine.runtime, construct=engine._construct_net, parse=engine._parse_net
    )
    if isinstance(result, TypedInt) and result.type_name in INTEGER_RANGES:
        return int(result)
    return result


def resolve_overload(engine: Engine, overloads: list[Overload], arguments: list[Any]) -> tuple[Overload, list] | None:
    best: tuple[int, Overload, list[Any]] | None = None
    for overload in overloads:
        parameters = list(overload.parameters)
        given = list(arguments)
        if overload.params:
            fixed = parameters[:-1]
            if len(given) < len(fixed):
                continue
            rest_type = parameters[-1]
            if len(given) == len(parameters) and isinstance(given[-1], list):
                packed = given
            else:
                packed = [*given[: len(fixed)], PSArray(given[len(fixed) :])]
            given, parameters = packed, [*fixed, rest_type]
        elif len(given) != len(parameters):
            continue
        total = 0
        converted: list[Any] = []
        for value, parameter in zip(given, parameters, strict=True):
            rank = _rank(engine, value, parameter)
            if rank is None:
                break
            try:
                converted.append(_convert(engine, value, parameter))
            except (conversions.ConversionError, NetException, PSError):
                break
            total += rank
        else:
            if best is None or total < best[0]:
                best = (total, overload, converted)
    return None if best is None else (best[1], best[2])
