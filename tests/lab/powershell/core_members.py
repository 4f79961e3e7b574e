"""The members every object has (System.Object) and those of type objects (System.RuntimeType).

.NET reference, System.Object: GetType(), ToString(), Equals(Object), GetHashCode(); System.Type: FullName, Name,
Namespace, BaseType, IsEnum, IsValueType, IsArray.
"""

from __future__ import annotations

from typing import Any

from . import convert as conversions
from .values import NetObject, TypeRef, find_type, members_of, method, prop, type_name_of, type_of

__all__: list[str] = []


@members_of("System.Object", base=None)
class _Object:
    @method("GetType")
    def get_type(self: Any) -> TypeRef:
        return TypeRef(type_of(self))

    @method("ToString")
    def to_string(self: Any) -> str:
        """Object.ToString(): an array or an object without its own text gives its type name."""
        if isinstance(self, list):
            return type_name_of(self)
        if isinstance(self, NetObject):
            return self.to_string()
        return conversions.to_string(self)

    @method("Equals", "System.Object")
    def equals(self: Any, other: Any) -> bool:
        if isinstance(self, (NetObject, list)):
            return self is other
        return bool(self == other) and type(self) is type(other)

    @method("GetHashCode")
    def get_hash_code(self: Any) -> int:
        return hash(id(self) if isinstance(self, (NetObject, list)) else self) & 0x7FFFFFFF


@members_of("System.RuntimeType", base="System.Type")
class _RuntimeType:
    @prop("FullName")
    def full_name(self: TypeRef) -> str:
        return self.net.full_name

    @prop("Name")
    def name(self: TypeRef) -> str:
        return self.net.name

    @prop("Namespace")
    def namespace(self: TypeRef) -> str:
        return self.net.full_name.rpartition(".")[0]

    @prop("BaseType")
    def base_type(self: TypeRef) -> TypeRef | None:
        base = find_type(self.net.base) if self.net.base else None
        return TypeRef(base) if base is not None else None

    @prop("IsEnum")
    def is_enum(self: TypeRef) -> bool:
        return self.net.enum_members is not None

    @prop("IsValueType")
    def is_value_type(self: TypeRef) -> bool:
        return self.net.value_type

    @prop("IsArray")
    def is_array(self: TypeRef) -> bool:
        return self.net.full_name.endswith("[]")
