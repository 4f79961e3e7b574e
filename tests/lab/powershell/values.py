"""PowerShell values as the engine holds them, and the .NET types they belong to.

Windows PowerShell Language Specification 2.0/3.0, clause 4 ("Types"): every value is an instance of a .NET type.
The engine keeps the common ones as Python values (``None`` is ``$null``, ``bool`` System.Boolean, ``int``
System.Int32 or, outside its range, System.Int64, ``float`` System.Double, ``str`` System.String) and everything else
as instances of :class:`NetObject` subclasses registered with :func:`net_type`. Members are declared on those classes
with :func:`method`, :func:`prop` and :func:`static`, each with the runtime that has it (CLR 2.0 under PowerShell 1.0
and 2.0, .NET 4 under 3.0 and later), so a member the host's runtime lacks does not exist there. Beside what the lab
implements, :func:`document_members` records what the .NET reference documents for a type, so that a member the lab
lacks can be told from one .NET lacks (:meth:`NetType.documentation`).
"""

from __future__ import annotations

import decimal
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar, Literal

__all__ = [
    "CLR2",
    "CLR4",
    "Char",
    "EnumValue",
    "Hashtable",
    "Member",
    "NetObject",
    "NetType",
    "Overload",
    "PSArray",
    "TypeRef",
    "TypedInt",
    "constructor",
    "document_members",
    "enum_type",
    "find_type",
    "method",
    "net_type",
    "prop",
    "register_alias",
    "static",
    "type_name_of",
    "type_of",
]

CLR2 = "2.0"
CLR4 = "4.0"

INT32_MIN, INT32_MAX = -(2**31), 2**31 - 1
INT64_MIN, INT64_MAX = -(2**63), 2**63 - 1


class NetObject:
    """An instance of a simulated .NET reference type; ``net_type_name`` is set by :func:`net_type`."""

    net_type_name: ClassVar[str] = "System.Object"

    def to_string(self) -> str:
        """Object.ToString(): the type name, unless the type overrides it."""
        return self.net_type_name


class Char(str):
    """System.Char: one UTF-16 code unit."""


class TypedInt(int):
    """An integer of another type than Int32 (Int64 literals and casts, Byte, UInt32, ...)."""

    type_name: str = "System.Int64"

    def __new__(cls, value: int, type_name: str) -> TypedInt:
        instance = super().__new__(cls, value)
        instance.type_name = type_name
        return instance


INTEGER_RANGES: dict[str, tuple[int, int]] = {
    "System.SByte": (-128, 127),
    "System.Byte": (0, 255),
    "System.Int16": (-32768, 32767),
    "System.UInt16": (0, 65535),
    "System.Int32": (INT32_MIN, INT32_MAX),
    "System.UInt32": (0, 2**32 - 1),
    "System.Int64": (INT64_MIN, INT64_MAX),
    "System.UInt64": (0, 2**64 - 1),
}


class PSArray(list[Any]):
    """A .NET array: ``element_type`` is its element type's full name (System.Object for ``@()`` and ``,``)."""

    def __init__(self, items: Iterable[Any] = (), element_type: str = "System.Object") -> None:
        super().__init__(items)
        self.element_type = element_type


class Hashtable:
    """System.Collections.Hashtable as ``@{}`` makes it: keys compared case-insensitively (about_Hash_Tables).

    Enumeration order of a real Hashtable follows its hash buckets; the engine keeps insertion order, which no
    documented behaviour contradicts and which no script may rely on either way.
    """

    def __init__(self, items: Iterable[tuple[Any, Any]] = ()) -> None:
        self._items: dict[Any, tuple[Any, Any]] = {}
        for key, value in items:
            self[key] = value

    @staticmethod
    def _norm(key: Any) -> Any:
        if isinstance(key, str):
            return ("s", key.lower())
        if isinstance(key, bool):
            return ("b", key)
        if isinstance(key, (int, float)):
            return ("n", key)
        return ("o", id(key))

    def __getitem__(self, key: Any) -> Any:
        entry = self._items.get(self._norm(key))
        return None if entry is None else entry[1]

    def __setitem__(self, key: Any, value: Any) -> None:
        norm = self._norm(key)
        existing = self._items.get(norm)
        self._items[norm] = (existing[0] if existing else key, value)

    def __contains__(self, key: Any) -> bool:
        return self._norm(key) in self._items

    def __len__(self) -> int:
        return len(self._items)

    def remove(self, key: Any) -> None:
        self._items.pop(self._norm(key), None)

    def keys(self) -> list[Any]:
        return [key for key, _value in self._items.values()]

    def values(self) -> list[Any]:
        return [value for _key, value in self._items.values()]

    def items(self) -> Iterator[tuple[Any, Any]]:
        return iter(list(self._items.values()))

    def copy(self) -> Hashtable:
        return Hashtable(self.items())


@dataclass(frozen=True)
class EnumValue:
    """A value of a .NET enum type; ``name`` is its ToString() (flags joined with ", ")."""

    type_name: str
    value: int
    name: str

    def __str__(self) -> str:
        return self.name


@dataclass(frozen=True)
class TypeRef:
    """A System.RuntimeType: what ``[X509Store]`` evaluates to."""

    net: NetType

    @property
    def full_name(self) -> str:
        return self.net.full_name


@dataclass
class Overload:
    """One signature of a method or constructor: parameter types (full names; ``params`` makes the last variadic)."""

    parameters: tuple[str, ...]
    implementation: Callable[..., Any]
    since: str = CLR2
    params: bool = False
    static: bool = False


@dataclass
class Member:
    """A property (``getter``/``setter``) or a method (``overloads``) of a type."""

    name: str
    kind: str  # "property" | "method"
    getter: Callable[[Any], Any] | None = None
    setter: Callable[[Any, Any], None] | None = None
    overloads: list[Overload] = field(default_factory=list)
    since: str = CLR2
    static: bool = False

    def available(self, runtime: str) -> bool:
        return runtime_at_least(runtime, self.since)

    def overloads_for(self, runtime: str) -> list[Overload]:
        return [overload for overload in self.overloads if runtime_at_least(runtime, overload.since)]


def runtime_at_least(runtime: str, needed: str) -> bool:
    return float(runtime) >= float(needed)


# What the .NET reference says of a member the lab does not implement: it has it on this runtime, it has it not (or
# only from a later runtime), or nothing is recorded for some type of the lineage, so it cannot be told.
Documentation = Literal["documented", "absent", "unknown"]

# The intrinsic members PowerShell's type system gives every object (Windows PowerShell SDK, "Extended Type
# System": psobject, psbase, psadapted, psextended; about_Intrinsic_Members: pstypenames, and the Where and ForEach
# methods, which about_Arrays dates to 4.0: recorded for CLR4, so that 3.0 refuses them rather than answering).
INTRINSIC_MEMBERS: dict[str, str] = {
    "psobject": CLR2, "psbase": CLR2, "psadapted": CLR2, "psextended": CLR2, "pstypenames": CLR2,
    "where": CLR4, "foreach": CLR4,
}  # fmt: skip


@dataclass
class NetType:
    """A .NET type: its full name, base type and interfaces, and its members (lower-case names)."""

    full_name: str
    base: str | None = "System.Object"
    interfaces: tuple[str, ...] = ()
    python_class: type | None = None
    members: dict[str, Member] = field(default_factory=dict)
    statics: dict[str, Member] = field(default_factory=dict)
    constructors: list[Overload] = field(default_factory=list)
    since: str = CLR2
    enum_members: dict[str, int] | None = None
    flags: bool = False
    value_type: bool = False
    # Enum members that a later runtime added: name -> the runtime that has it (absent: every runtime).
    member_since: dict[str, str] = field(default_factory=dict)
    # The public members the .NET reference documents for this type itself (inherited ones are its base types'):
    # lower-case name -> the runtime that added it. None: nothing recorded (see document_members).
    documented: dict[str, str] | None = None
    documented_static: dict[str, str] | None = None

    @property
    def name(self) -> str:
        return self.full_name.rsplit(".", 1)[-1]

    def lineage(self) -> list[NetType]:
        """This type and its base types, most derived first."""
        chain: list[NetType] = []
        current: NetType | None = self
        while current is not None:
            chain.append(current)
            current = _TYPES.get(current.base.lower()) if current.base else None
        return chain

    def all_interfaces(self) -> set[str]:
        names: set[str] = set()
        for each in self.lineage():
            for interface in each.interfaces:
                names.add(interface.lower())
                known = _TYPES.get(interface.lower())
                if known is not None:
                    names |= known.all_interfaces()
        return names

    def is_assignable_to(self, other: NetType) -> bool:
        """``-is``: the same type, a base type, or an implemented interface."""
        if other.full_name == "System.Object":
            return True
        target = other.full_name.lower()
        return any(each.full_name.lower() == target for each in self.lineage()) or target in self.all_interfaces()

    def find_member(self, name: str, *, runtime: str, static: bool = False) -> Member | None:
        key = name.lower()
        for each in self.lineage():
            table = each.statics if static else each.members
            member = table.get(key)
            if member is not None and member.available(runtime):
                return member
        return None

    def documentation(self, name: str, *, runtime: str, static: bool = False) -> Documentation:
        """Whether .NET has the member ``name`` on ``runtime``, by the documented members of the lineage and, from
        PowerShell 3.0 (CLR4 here), of the interfaces: 3.0's adapter also exposes interface members a class
        implements explicitly, which 2.0 does not (``(1,2).Contains(1)`` fails there; a user report, assumed:
        docs/lab.md)."""
        key = name.lower()
        recorded = True
        since: list[str] = [INTRINSIC_MEMBERS[key]] if not static and key in INTRINSIC_MEMBERS else []
        for each in self.lineage():
            table = each.documented_static if static else each.documented
            if table is None:
                recorded = False
            elif key in table:
                since.append(table[key])
        if not static:
            for interface in self.all_interfaces():
                known = _TYPES.get(interface)
                if known is not None and known.documented and key in known.documented:
                    since.append(max(known.documented[key], CLR4, key=float))
        if any(runtime_at_least(runtime, each) for each in since):
            return "documented"
        return "absent" if recorded else "unknown"


_TYPES: dict[str, NetType] = {}
_ALIASES: dict[str, str] = {}
# document_members' records by lower-case full name (instance, static), kept apart from the NetType so that a type
# registered later, or registered again, gets them.
_DOCUMENTED: dict[str, tuple[dict[str, str], dict[str, str]]] = {}


def register_type(net: NetType) -> NetType:
    _TYPES[net.full_name.lower()] = net
    recorded = _DOCUMENTED.get(net.full_name.lower())
    if recorded is not None:
        net.documented, net.documented_static = recorded
    return net


def document_members(full_name: str, *, instance: str = "", static: str = "", since: str = CLR2) -> None:
    """Record public members the .NET reference documents for ``full_name`` (space-separated names; a type's
    own members, not inherited ones), added in ``since``. Calls add up; a type documented once, even with no
    names, has a record: a member not in it (nor in its base types') does not exist on .NET."""
    recorded = _DOCUMENTED.setdefault(full_name.lower(), ({}, {}))
    for names, table in ((instance, recorded[0]), (static, recorded[1])):
        for name in names.split():
            key = name.lower()
            table[key] = min(table.get(key, since), since, key=float)
    net = _TYPES.get(full_name.lower())
    if net is not None:
        net.documented, net.documented_static = recorded


def register_alias(alias: str, full_name: str) -> None:
    """A type accelerator or short name (about_Type_Accelerators; the spec's clause 4.7 list)."""
    _ALIASES[alias.lower()] = full_name


def find_type(name: str, *, runtime: str = CLR4) -> NetType | None:
    """A type by full name, accelerator, or (as PowerShell tries) with ``System.`` in front."""
    key = name.lower()
    full = _ALIASES.get(key, name).lower()
    found = _TYPES.get(full) or _TYPES.get("system." + full)
    if found is None or not runtime_at_least(runtime, found.since):
        return None
    return found


def all_types() -> list[NetType]:
    return list(_TYPES.values())


# -- declaring members on Python classes --------------------------------------------------------------------------

_PENDING = "_net_members"


def _declare(function: Callable[..., Any], entry: tuple[Any, ...]) -> Callable[..., Any]:
    declared = getattr(function, _PENDING, [])
    declared.append(entry)
    setattr(function, _PENDING, declared)
    return function


def method(name: str, *parameters: str, since: str = CLR2, params: bool = False) -> Callable[..., Any]:
    """An instance method overload: ``def impl(self, *args)``."""
    return lambda function: _declare(function, ("method", name, parameters, since, params))


def static(name: str, *parameters: str, since: str = CLR2, params: bool = False) -> Callable[..., Any]:
    """A static method overload: ``def impl(engine, *args)`` (a staticmethod taking the engine context first)."""
    return lambda function: _declare(function, ("static", name, parameters, since, params))


def constructor(*parameters: str, since: str = CLR2, params: bool = False) -> Callable[..., Any]:
    """A constructor overload: ``def impl(engine, *args) -> instance`` (a staticmethod)."""
    return lambda function: _declare(function, ("constructor", "", parameters, since, params))


def prop(name: str, *, since: str = CLR2, settable: bool = False, static_member: bool = False) -> Callable[..., Any]:
    """A property getter ``def impl(self)``; with ``settable``, ``impl(self, value)`` is called to set it."""
    kind = "static_property" if static_member else "property"
    return lambda function: _declare(function, (kind, name, (), since, settable))


def _collect(net: NetType, namespace: dict[str, Any]) -> None:
    for attribute in namespace.values():
        function = attribute.__func__ if isinstance(attribute, staticmethod) else attribute
        declared = getattr(attribute, _PENDING, None) or getattr(function, _PENDING, [])
        for kind, name, parameters, since, extra in declared:
            if kind == "constructor":
                net.constructors.append(Overload(parameters, function, since, params=extra, static=True))
                continue
            is_static = kind in ("static", "static_property")
            table = net.statics if is_static else net.members
            key = name.lower()
            if kind in ("property", "static_property"):
                existing = table.get(key)
                if existing is None:
                    table[key] = Member(name, "property", since=since, static=is_static)
                member = table[key]
                member.getter = function
                if extra:
                    member.setter = function
                continue
            member = table.setdefault(key, Member(name, "method", since=since, static=is_static))
            member.since = min(member.since, since, key=float)
            member.overloads.append(Overload(parameters, function, since, params=extra, static=is_static))


def net_type(
    full_name: str,
    *,
    base: str | None = "System.Object",
    interfaces: tuple[str, ...] = (),
    since: str = CLR2,
    value_type: bool = False,
) -> Callable[[type], type]:
    """Register a Python class as the .NET type ``full_name`` and collect its declared members."""

    def register(cls: type) -> type:
        net = NetType(full_name, base, interfaces, cls, since=since, value_type=value_type)
        _collect(net, dict(vars(cls)))
        if isinstance(cls, type) and issubclass(cls, NetObject):
            cls.net_type_name = full_name
        register_type(net)
        return cls

    return register


def members_of(full_name: str, *, base: str | None = "System.Object", interfaces: tuple[str, ...] = ()) -> Callable:
    """Declare the members of a type whose values are plain Python values (str, int, list ...) on a holder class."""

    def register(cls: type) -> type:
        net = _TYPES.get(full_name.lower()) or register_type(NetType(full_name, base, interfaces))
        _collect(net, dict(vars(cls)))
        return cls

    return register


def enum_type(
    full_name: str,
    values: dict[str, int],
    *,
    flags: bool = False,
    since: str = CLR2,
    member_since: dict[str, str] | None = None,
) -> NetType:
    return register_type(
        NetType(
            full_name,
            "System.Enum",
            (),
            None,
            since=since,
            enum_members=values,
            flags=flags,
            value_type=True,
            member_since=dict(member_since or {}),
            # An enum declares its values (static fields, enum_members) and the instance field value__ that holds
            # the number (ECMA-335 II.14.3); its methods are System.Enum's.
            documented={"value__": CLR2},
            documented_static={},
        )
    )


def enum_value(net: NetType, value: int) -> EnumValue:
    """The enum value with ``value``, named as Enum.ToString() names it (flags: the set names joined by ", ")."""
    assert net.enum_members is not None
    for name, number in net.enum_members.items():
        if number == value:
            return EnumValue(net.full_name, value, name)
    if net.flags:
        names = [name for name, number in net.enum_members.items() if number and value & number == number]
        return EnumValue(net.full_name, value, ", ".join(names) if names else str(value))
    return EnumValue(net.full_name, value, str(value))


# -- the type of a value ------------------------------------------------------------------------------------------


def type_name_of(value: Any) -> str:
    """The full name of the runtime type of ``value`` (GetType().FullName)."""
    if value is None:
        raise ValueError("$null has no type")
    if isinstance(value, bool):
        return "System.Boolean"
    if isinstance(value, TypedInt):
        return value.type_name
    if isinstance(value, int):
        return "System.Int32" if INT32_MIN <= value <= INT32_MAX else "System.Int64"
    if isinstance(value, float):
        return "System.Double"
    if isinstance(value, decimal.Decimal):
        return "System.Decimal"
    if isinstance(value, Char):
        return "System.Char"
    if isinstance(value, str):
        return "System.String"
    if isinstance(value, PSArray):
        return value.element_type + "[]"
    if isinstance(value, list):
        return "System.Object[]"
    if isinstance(value, Hashtable):
        return "System.Collections.Hashtable"
    if isinstance(value, EnumValue):
        return value.type_name
    if isinstance(value, TypeRef):
        return "System.RuntimeType"
    if isinstance(value, NetObject):
        return getattr(value, "actual_type", value.net_type_name)
    raise TypeError(f"no .NET type for the Python value {type(value).__name__}")


def type_of(value: Any) -> NetType:
    name = type_name_of(value)
    if name.endswith("[]"):
        return array_type(name[:-2])
    found = _TYPES.get(name.lower())
    if found is None and isinstance(value, NetObject) and value.net_type_name.lower() in _TYPES:
        # An exception of a type no simulated member declares (an Exchange exception): a type of its own that
        # derives from the class it is simulated by, so GetType() names it and it has that class's members.
        found = register_type(NetType(name, value.net_type_name))
    if found is None:
        raise LookupError(f"the type {name} is not registered")
    return found


def array_type(element: str) -> NetType:
    """``T[]``: derives from System.Array (which implements IList, ICollection, IEnumerable)."""
    full = element + "[]"
    found = _TYPES.get(full.lower())
    if found is None:
        # An array type documents no member of its own: they are System.Array's.
        found = register_type(NetType(full, "System.Array", documented={}, documented_static={}))
    return found


class PSObject(NetObject):
    """An object whose members are note properties (Get-ItemProperty's result, WMI objects, Select-Object output):
    ``properties`` in order, looked up case-insensitively; ``type_names`` as PSObject.TypeNames lists them, most
    derived first; ``base_type`` the .NET type GetType() reports."""

    net_type_name = "System.Management.Automation.PSCustomObject"

    def __init__(
        self, properties: Iterable[tuple[str, Any]] = (), *, type_names: Iterable[str] = (), base_type: str = ""
    ) -> None:
        self.properties: dict[str, tuple[str, Any]] = {}
        for name, value in properties:
            self.set(name, value)
        self.type_names = list(type_names) or ["System.Management.Automation.PSCustomObject", "System.Object"]
        self.base_type = base_type or "System.Management.Automation.PSCustomObject"

    def get(self, name: str) -> tuple[bool, Any]:
        entry = self.properties.get(name.lower())
        return (False, None) if entry is None else (True, entry[1])

    def set(self, name: str, value: Any) -> None:
        existing = self.properties.get(name.lower())
        self.properties[name.lower()] = (existing[0] if existing else name, value)

    def names(self) -> list[str]:
        return [name for name, _value in self.properties.values()]


def _register_core_types() -> None:
    """The types of the values the engine keeps as Python values (members are added by the dotnet package)."""
    value_types = (
        "System.Boolean", "System.Char", "System.Byte", "System.SByte", "System.Int16", "System.UInt16",
        "System.Int32", "System.UInt32", "System.Int64", "System.UInt64", "System.Single", "System.Double",
        "System.Decimal",
    )  # fmt: skip
    register_type(NetType("System.Object", None))
    register_type(NetType("System.ValueType"))
    register_type(NetType("System.Enum", "System.ValueType", value_type=True))
    register_type(NetType("System.Void", value_type=True))
    for name in value_types:
        interfaces = ("System.IComparable", "System.IConvertible", "System.IFormattable")
        register_type(NetType(name, "System.ValueType", interfaces, value_type=True))
    register_type(NetType("System.String", interfaces=("System.Collections.IEnumerable", "System.IComparable")))
    register_type(
        NetType("System.Array", interfaces=("System.Collections.IList", "System.Collections.ICollection",
                                            "System.Collections.IEnumerable"))
    )  # fmt: skip
    register_type(
        NetType("System.Collections.Hashtable", interfaces=("System.Collections.IDictionary",
                                                            "System.Collections.ICollection",
                                                            "System.Collections.IEnumerable"))
    )  # fmt: skip
    for interface in ("System.Collections.IEnumerable", "System.Collections.ICollection", "System.Collections.IList",
                      "System.Collections.IDictionary", "System.IComparable", "System.IConvertible",
                      "System.IFormattable"):  # fmt: skip
        register_type(NetType(interface, None))
    register_type(NetType("System.RuntimeType", "System.Type"))
    register_type(NetType("System.Type"))
    register_type(NetType("System.Management.Automation.PSCustomObject"))
    register_type(NetType("System.Management.Automation.ScriptBlock"))
    register_type(NetType("System.Management.Automation.SwitchParameter", "System.ValueType", value_type=True))
    # Language Specification 2.0, clause 4.7: the type accelerators of PowerShell 1.0 and 2.0.
    accelerators = {
        "int": "System.Int32", "long": "System.Int64", "string": "System.String", "char": "System.Char",
        "bool": "System.Boolean", "byte": "System.Byte", "double": "System.Double", "decimal": "System.Decimal",
        "float": "System.Single", "single": "System.Single", "regex": "System.Text.RegularExpressions.Regex",
        "array": "System.Array", "xml": "System.Xml.XmlDocument",
        "scriptblock": "System.Management.Automation.ScriptBlock",
        "switch": "System.Management.Automation.SwitchParameter", "hashtable": "System.Collections.Hashtable",
        "type": "System.Type", "ref": "System.Management.Automation.PSReference",
        "psobject": "System.Management.Automation.PSObject", "wmi": "System.Management.ManagementObject",
        "datetime": "System.DateTime", "void": "System.Void", "object": "System.Object",
    }  # fmt: skip
    for alias, full_name in accelerators.items():
        register_alias(alias, full_name)


_register_core_types()
