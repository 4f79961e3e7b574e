"""What the cmdlet implementations share: the host's PowerShell level, wildcards, lists of strings, refusals.

Nothing here knows a cmdlet; each helper states the documented rule it follows.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall
from ..errors import NotModelled
from ..values import EnumValue, NetType, PSObject, enum_value, find_type, type_name_of, type_of

__all__ = [
    "SCRIPTBLOCK",
    "at_least",
    "enum_of",
    "has_wildcards",
    "is_scriptblock",
    "property_names",
    "refuse",
    "strings",
    "wildcard_match",
]

_LEVELS = ("1.0", "2.0", "3.0", "4.0", "5.0")


def at_least(call: CmdletCall, level: str) -> bool:
    """Whether the host's PowerShell is ``level`` or later."""
    return _LEVELS.index(call.host.powershell) >= _LEVELS.index(level)


# about_Wildcards: * (any run), ? (one character), [abc] / [a-z] (one of a set); matching ignores case.
_WILDCARD_CHARACTERS = re.compile(r"[*?\[]")


def has_wildcards(text: str) -> bool:
    """WildcardPattern.ContainsWildcardCharacters: an unescaped * ? or [."""
    return _WILDCARD_CHARACTERS.search(text.replace("`*", "").replace("`?", "").replace("`[", "")) is not None


def _wildcard_regex(pattern: str) -> re.Pattern[str]:
    parts: list[str] = []
    index = 0
    while index < len(pattern):
        character = pattern[index]
        if character == "`" and index + 1 < len(pattern):
            parts.append(re.escape(pattern[index + 1]))
            index += 2
            continue
        if character == "*":
            parts.append(".*")
        elif character == "?":
            parts.append(".")
        elif character == "[":
            end = pattern.find("]", index + 1)
            if end < 0:
                raise NotModelled(f"the wildcard pattern {pattern!r} (an unclosed [)")
            parts.append("[" + re.escape(pattern[index + 1 : end]).replace("\\-", "-") + "]")
            index = end
        else:
            parts.append(re.escape(character))
        index += 1
    return re.compile("".join(parts), re.IGNORECASE | re.DOTALL)


def wildcard_match(pattern: str, text: str) -> bool:
    """WildcardPattern.IsMatch with WildcardOptions.IgnoreCase: the whole text must match."""
    return _wildcard_regex(pattern).fullmatch(text) is not None


def strings(call: CmdletCall, value: Any) -> list[str]:
    """A ``string[]`` parameter's value as a list (a single value is a one-element array, about_Parameters)."""
    if value is None:
        return []
    items = call.engine.enumerate(value) if isinstance(value, (list, tuple)) else [value]
    return [call.engine.to_string(item) for item in items]


def refuse(call: CmdletCall, parameters: Iterable[str]) -> None:
    """Fail loudly for a bound parameter whose effect the lab does not model (remote computers, credentials ...)."""
    for name in parameters:
        if call.has(name):
            raise call.not_modelled(f"-{name}")


def enum_of(type_name: str, name: str) -> EnumValue:
    """The value ``name`` of a registered enum type."""
    net: NetType | None = find_type(type_name)
    if net is None or net.enum_members is None:
        raise LookupError(f"the enum {type_name} is not registered")
    for member, number in net.enum_members.items():
        if member.lower() == name.lower():
            return enum_value(net, number)
    raise LookupError(f"{type_name} has no value {name!r}")


SCRIPTBLOCK = "System.Management.Automation.ScriptBlock"


def is_scriptblock(value: Any) -> bool:
    try:
        return type_name_of(value) == SCRIPTBLOCK
    except (TypeError, ValueError):
        return False


def property_names(value: Any, *, runtime: str) -> list[str]:
    """The property names Select-Object's wildcards expand to: a PSObject's note properties in order, else the
    public properties of the value's .NET type (as Get-Member -MemberType Property lists them)."""
    if isinstance(value, PSObject):
        return value.names()
    if value is None:
        return []
    names: list[str] = []
    seen: set[str] = set()
    for net in type_of(value).lineage():
        for member in net.members.values():
            if member.kind == "property" and member.available(runtime) and member.name.lower() not in seen:
                seen.add(member.name.lower())
                names.append(member.name)
    return names
