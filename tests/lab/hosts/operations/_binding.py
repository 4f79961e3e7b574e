"""Parameter binding of the operation scripts' ``param()`` types, for the literal values of the invocation line.

PowerShell converts a single value to a one-element array for ``[string[]]`` and an integer to its text for
``[string]`` (about_Parameters, type conversion). Values whose conversion the lab does not model are refused.
"""

from __future__ import annotations

from collections.abc import Mapping

from ..pserrors import LabNoModel

__all__ = ["bool_parameter", "string_list_parameter", "string_parameter"]


def _lookup(arguments: Mapping[str, object], name: str) -> tuple[bool, object]:
    for given, value in arguments.items():
        if given.lower() == name.lower():
            return True, value
    return False, None


def string_parameter(arguments: Mapping[str, object], name: str, default: str) -> str:
    given, value = _lookup(arguments, name)
    if not given:
        return default
    if isinstance(value, str):
        return value
    if isinstance(value, int) and not isinstance(value, bool):
        return str(value)
    raise LabNoModel(f"-{name} {value!r} bound to [string]")


def string_list_parameter(arguments: Mapping[str, object], name: str) -> list[str]:
    """``[string[]] $Name = @()``."""
    given, value = _lookup(arguments, name)
    if not given:
        return []
    items = value if isinstance(value, list) else [value]
    if all(isinstance(item, str) for item in items):
        return [str(item) for item in items]
    raise LabNoModel(f"-{name} {value!r} bound to [string[]]")


def bool_parameter(arguments: Mapping[str, object], name: str, default: bool) -> bool:
    given, value = _lookup(arguments, name)
    if not given:
        return default
    if isinstance(value, bool):
        return value
    raise LabNoModel(f"-{name} {value!r} bound to [bool]")
