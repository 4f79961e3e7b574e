"""System.Collections: the interfaces, ArrayList, Hashtable's members, and System.Array's members for arrays.

Equality in Contains / IndexOf / Remove is Object.Equals (net_equals: same type and value for value types and
strings, Equals overrides, identity otherwise); ordering in Sort is Comparer.Default (IComparable.CompareTo, strings
culture-sensitive), failing as Array.Sort does ("Failed to compare two elements in the array.") for values of
different types.
"""

from __future__ import annotations

import decimal
from collections.abc import Iterable, Iterator
from functools import cmp_to_key
from typing import Any

from ..errors import NetException, NotModelled
from ..values import (
    Char,
    EnumValue,
    Hashtable,
    NetObject,
    PSArray,
    TypeRef,
    constructor,
    members_of,
    method,
    net_type,
    prop,
    static,
    type_name_of,
    type_of,
)
from ._runtime import argument_exception, argument_null, argument_out_of_range, ensure_type, net_error
from .formatting import net_to_string

__all__ = ["ArrayList", "CaseSensitiveHashtable", "default_compare", "net_equals"]

for _name, _interfaces in (
    ("System.Collections.IEnumerable", ()),
    ("System.Collections.ICollection", ("System.Collections.IEnumerable",)),
    ("System.Collections.IList", ("System.Collections.ICollection", "System.Collections.IEnumerable")),
    ("System.Collections.IDictionary", ("System.Collections.ICollection", "System.Collections.IEnumerable")),
    ("System.Collections.IEnumerator", ()),
    ("System.Collections.IComparer", ()),
    ("System.IComparable", ()),
    ("System.IFormattable", ()),
    ("System.IConvertible", ()),
    ("System.ICloneable", ()),
    ("System.IDisposable", ()),
    ("System.IFormatProvider", ()),
    ("System.Runtime.Serialization.ISerializable", ()),
):
    ensure_type(_name, None, _interfaces)
ensure_type(
    "System.Collections.CollectionBase",
    "System.Object",
    ("System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable"),
)


# mscorlib.txt Argument_InvalidOffLen
_OFFSET_TEXT = (
    "Offset and length were out of bounds for the array or count is greater than the number of elements from index "
    "to the end of the source collection."
)


def _index_error(parameter: str = "index") -> NetException:
    return argument_out_of_range(
        parameter, "Index was out of range. Must be non-negative and less than the size of the collection."
    )


def net_equals(left: Any, right: Any) -> bool:
    """Object.Equals(left, right) for the values the engine holds."""
    if left is None or right is None:
        return left is None and right is None
    if isinstance(left, (bool, int, float, decimal.Decimal, str, EnumValue)):
        try:
            same_type = type_name_of(left) == type_name_of(right)
        except TypeError:
            return False
        return same_type and left == right
    if isinstance(left, NetObject) and type(left).__eq__ is not object.__eq__:
        return bool(left == right)
    return left is right


def _compare_failure(inner: NetException) -> NetException:
    # mscorlib.txt InvalidOperation_IComparerFailed, with the CompareTo exception inside
    return NetException(
        type_name="System.InvalidOperationException",
        message="Failed to compare two elements in the array.",
        inner=inner,
    )


def default_compare(left: Any, right: Any) -> int:
    """Comparer.Default.Compare: nulls first, strings by the current culture, else IComparable.CompareTo."""
    if left is None or right is None:
        return (left is not None) - (right is not None)
    if isinstance(left, str) and isinstance(right, str) and not isinstance(left, Char):
        from .strings import culture_compare

        return culture_compare(left, right)
    left_type, right_type = type_name_of(left), type_name_of(right)
    if left_type != right_type:
        short = left_type.rsplit(".", 1)[-1]
        raise _compare_failure(net_error("System.ArgumentException", f"Object must be of type {short}."))
    if isinstance(left, EnumValue):
        return (left.value > right.value) - (left.value < right.value)
    try:
        return (left > right) - (left < right)
    except TypeError:
        # mscorlib.txt Argument_ImplementIComparable
        raise _compare_failure(
            net_error("System.ArgumentException", "At least one object must implement IComparable.")
        ) from None


def _sorted(items: list[Any]) -> list[Any]:
    return sorted(items, key=cmp_to_key(default_compare))


def _items_of(collection: Any, parameter: str) -> list[Any]:
    if collection is None:
        raise argument_null(parameter)
    if isinstance(collection, Hashtable):
        raise NotModelled("an ICollection argument that is a dictionary (its DictionaryEntry items)")
    if isinstance(collection, str):
        raise net_error("System.InvalidCastException", "Specified cast is not valid.")
    return list(collection)


def _to_typed_array(items: list[Any], target: TypeRef) -> PSArray:
    """ArrayList.ToArray(Type): every element must be of the type (Array.Copy's downcast check)."""
    if target is None:
        raise argument_null("type")
    for item in items:
        if item is None:
            if target.net.value_type:
                raise net_error(
                    "System.InvalidCastException",
                    "At least one element in the source array could not be cast down to the destination array type.",
                )
            continue
        if not type_of(item).is_assignable_to(target.net):
            raise net_error(
                "System.InvalidCastException",
                "At least one element in the source array could not be cast down to the destination array type.",
            )
    return PSArray(items, element_type=target.full_name)


@net_type(
    "System.Collections.ArrayList",
    interfaces=("System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable",
                "System.ICloneable"),
)  # fmt: skip
class ArrayList(NetObject):
    def __init__(self, items: Iterable[Any] = (), capacity: int = 0) -> None:
        self.items: list[Any] = list(items)
        self.capacity = max(capacity, len(self.items))

    def __len__(self) -> int:
        return len(self.items)

    def __iter__(self) -> Iterator[Any]:
        return iter(list(self.items))

    def __getitem__(self, index: int) -> Any:
        if not 0 <= index < len(self.items):
            raise _index_error()
        return self.items[index]

    def __setitem__(self, index: int, value: Any) -> None:
        if not 0 <= index < len(self.items):
            raise _index_error()
        self.items[index] = value

    def _grow(self) -> None:
        if len(self.items) > self.capacity:
            self.capacity = max(4, self.capacity * 2, len(self.items))

    @staticmethod
    @constructor()
    def _new(_host: Any) -> ArrayList:
        return ArrayList()

    @staticmethod
    @constructor("System.Int32")
    def _with_capacity(_host: Any, capacity: int) -> ArrayList:
        if capacity < 0:
            raise argument_out_of_range("capacity", "'capacity' must be non-negative.")
        return ArrayList((), capacity)

    @staticmethod
    @constructor("System.Collections.ICollection")
    def _from(_host: Any, collection: Any) -> ArrayList:
        return ArrayList(_items_of(collection, "c"))

    @prop("Count")
    def _count(self) -> int:
        return len(self.items)

    @prop("Capacity")
    def _capacity(self) -> int:
        return self.capacity

    @prop("IsFixedSize")
    def _fixed(self) -> bool:
        return False

    @prop("IsReadOnly")
    def _read_only(self) -> bool:
        return False

    @method("Add", "System.Object")
    def _add(self, value: Any) -> int:
        self.items.append(value)
        self._grow()
        return len(self.items) - 1

    @method("AddRange", "System.Collections.ICollection")
    def _add_range(self, collection: Any) -> None:
        self.items += _items_of(collection, "c")
        self._grow()

    @method("Insert", "System.Int32", "System.Object")
    def _insert(self, index: int, value: Any) -> None:
        if not 0 <= index <= len(self.items):
            raise argument_out_of_range(
                "index", "Insertion index was out of range. Must be non-negative and less than or equal to size."
            )
        self.items.insert(index, value)
        self._grow()

    @method("InsertRange", "System.Int32", "System.Collections.ICollection")
    def _insert_range(self, index: int, collection: Any) -> None:
        items = _items_of(collection, "c")
        if not 0 <= index <= len(self.items):
            raise _index_error()
        self.items[index:index] = items
        self._grow()

    @method("Remove", "System.Object")
    def _remove(self, value: Any) -> None:
        index = self._index_of(value)
        if index >= 0:
            del self.items[index]

    @method("RemoveAt", "System.Int32")
    def _remove_at(self, index: int) -> None:
        if not 0 <= index < len(self.items):
            raise _index_error()
        del self.items[index]

    @method("RemoveRange", "System.Int32", "System.Int32")
    def _remove_range(self, index: int, count: int) -> None:
        if index < 0 or count < 0:
            raise argument_out_of_range("index" if index < 0 else "count", "Non-negative number required.")
        if len(self.items) - index < count:
            raise argument_exception(
                _OFFSET_TEXT,
                "",
            )
        del self.items[index : index + count]

    @method("Contains", "System.Object")
    def _contains(self, value: Any) -> bool:
        return self._index_of(value) >= 0

    @method("IndexOf", "System.Object")
    def _index_of(self, value: Any) -> int:
        return next((i for i, item in enumerate(self.items) if net_equals(item, value)), -1)

    @method("IndexOf", "System.Object", "System.Int32")
    def _index_of_from(self, value: Any, start: int) -> int:
        if not 0 <= start <= len(self.items):
            raise _index_error("startIndex")
        return next((i for i in range(start, len(self.items)) if net_equals(self.items[i], value)), -1)

    @method("LastIndexOf", "System.Object")
    def _last_index_of(self, value: Any) -> int:
        return next((i for i in range(len(self.items) - 1, -1, -1) if net_equals(self.items[i], value)), -1)

    @method("Clear")
    def _clear(self) -> None:
        self.items.clear()

    @method("Clone")
    def _clone(self) -> ArrayList:
        return ArrayList(self.items, self.capacity)

    @method("GetRange", "System.Int32", "System.Int32")
    def _get_range(self, index: int, count: int) -> ArrayList:
        if index < 0 or count < 0:
            raise argument_out_of_range("index" if index < 0 else "count", "Non-negative number required.")
        if len(self.items) - index < count:
            raise argument_exception(
                _OFFSET_TEXT,
                "",
            )
        return ArrayList(self.items[index : index + count])

    @method("ToArray")
    def _to_array(self) -> PSArray:
        return PSArray(self.items, element_type="System.Object")

    @method("ToArray", "System.Type")
    def _to_typed_array(self, target: TypeRef) -> PSArray:
        return _to_typed_array(list(self.items), target)

    @method("Sort")
    def _sort(self) -> None:
        self.items = _sorted(self.items)

    @method("Reverse")
    def _reverse(self) -> None:
        self.items.reverse()

    @method("Reverse", "System.Int32", "System.Int32")
    def _reverse_range(self, index: int, count: int) -> None:
        if index < 0 or count < 0 or len(self.items) - index < count:
            raise argument_out_of_range("index", "Non-negative number required.")
        self.items[index : index + count] = reversed(self.items[index : index + count])

    @method("TrimToSize")
    def _trim(self) -> None:
        self.capacity = len(self.items)

    def to_string(self) -> str:
        return "System.Collections.ArrayList"


# -- Hashtable ------------------------------------------------------------------------------------------------------


class CaseSensitiveHashtable(Hashtable):
    """``New-Object Hashtable``: the default comparer (keys compared by Equals: strings case-sensitively), unlike
    ``@{}`` (about_Hash_Tables: PowerShell's literal uses a case-insensitive comparer)."""

    @staticmethod
    def _norm(key: Any) -> Any:
        if isinstance(key, str):
            return ("s", str.__str__(key))
        return Hashtable._norm(key)


@net_type("System.Collections.Hashtable+KeyCollection", interfaces=("System.Collections.ICollection",))
class KeyCollection(NetObject):
    """Hashtable.Keys / Values: a live view of the table."""

    def __init__(self, table: Hashtable, keys: bool) -> None:
        self.table = table
        self.keys = keys

    def __len__(self) -> int:
        return len(self.table)

    def __iter__(self) -> Iterator[Any]:
        return iter(self.table.keys() if self.keys else self.table.values())

    @prop("Count")
    def _count(self) -> int:
        return len(self.table)

    @method("CopyTo", "System.Array", "System.Int32")
    def _copy_to(self, target: PSArray, index: int) -> None:
        items = list(self)
        if target is None:
            raise argument_null("array")
        if index < 0:
            raise argument_out_of_range("arrayIndex", "Non-negative number required.")
        if len(target) - index < len(items):
            raise net_error(
                "System.ArgumentException",
                "Destination array is not long enough to copy all the items in the collection. Check array index "
                "and length.",
            )
        target[index : index + len(items)] = items

    def to_string(self) -> str:
        return (
            "System.Collections.Hashtable+KeyCollection"
            if self.keys
            else "System.Collections.Hashtable+ValueCollection"
        )


ensure_type("System.Collections.Hashtable+ValueCollection", "System.Object", ("System.Collections.ICollection",))


def _key_required(key: Any) -> None:
    if key is None:
        raise argument_exception("Key cannot be null.", "key", "System.ArgumentNullException")  # ArgumentNull_Key


@members_of(
    "System.Collections.Hashtable",
    interfaces=("System.Collections.IDictionary", "System.Collections.ICollection", "System.Collections.IEnumerable",
                "System.Runtime.Serialization.ISerializable", "System.ICloneable"),
)  # fmt: skip
class _HashtableMembers:
    @staticmethod
    @constructor()
    def _new(_host: Any) -> Hashtable:
        return CaseSensitiveHashtable()

    @staticmethod
    @constructor("System.Int32")
    def _with_capacity(_host: Any, capacity: int) -> Hashtable:
        if capacity < 0:
            raise argument_out_of_range("capacity", "Non-negative number required.")
        return CaseSensitiveHashtable()

    @staticmethod
    @constructor("System.Collections.IDictionary")
    def _copy(_host: Any, other: Hashtable) -> Hashtable:
        if other is None:
            raise argument_null("d")
        return CaseSensitiveHashtable(other.items())

    @prop("Count")
    def _count(self: Hashtable) -> int:
        return len(self)

    @prop("Keys")
    def _keys(self: Hashtable) -> KeyCollection:
        return KeyCollection(self, True)

    @prop("Values")
    def _values(self: Hashtable) -> KeyCollection:
        return KeyCollection(self, False)

    @prop("IsReadOnly")
    def _read_only(self: Hashtable) -> bool:
        return False

    @prop("IsFixedSize")
    def _fixed(self: Hashtable) -> bool:
        return False

    @method("Add", "System.Object", "System.Object")
    def _add(self: Hashtable, key: Any, value: Any) -> None:
        _key_required(key)
        if key in self:
            existing = next(each for each in self.keys() if type(self)._norm(each) == type(self)._norm(key))
            raise net_error(
                "System.ArgumentException",
                f"Item has already been added. Key in dictionary: '{net_to_string(existing)}'  "
                f"Key being added: '{net_to_string(key)}'",
            )  # mscorlib.txt Argument_AddingDuplicate__
        self[key] = value

    @method("Remove", "System.Object")
    def _remove(self: Hashtable, key: Any) -> None:
        _key_required(key)
        self.remove(key)

    @method("ContainsKey", "System.Object")
    def _contains_key(self: Hashtable, key: Any) -> bool:
        _key_required(key)
        return key in self

    @method("Contains", "System.Object")
    def _contains(self: Hashtable, key: Any) -> bool:
        _key_required(key)
        return key in self

    @method("ContainsValue", "System.Object")
    def _contains_value(self: Hashtable, value: Any) -> bool:
        return any(net_equals(each, value) for each in self.values())

    @method("Clear")
    def _clear(self: Hashtable) -> None:
        for key in self.keys():
            self.remove(key)

    @method("Clone")
    def _clone(self: Hashtable) -> Hashtable:
        copy = type(self)()
        for key, value in self.items():
            copy[key] = value
        return copy


# -- System.Array ---------------------------------------------------------------------------------------------------


def _array(value: Any, parameter: str = "array") -> PSArray:
    if value is None:
        raise argument_null(parameter)
    if not isinstance(value, list):
        raise net_error("System.InvalidCastException", "Specified cast is not valid.")
    return value  # type: ignore[return-value]


@members_of(
    "System.Array",
    interfaces=("System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable",
                "System.ICloneable"),
)  # fmt: skip
class _ArrayMembers:
    @prop("Length")
    def _length(self: PSArray) -> int:
        return len(self)

    @prop("LongLength")
    def _long_length(self: PSArray) -> int:
        from ..values import TypedInt

        return TypedInt(len(self), "System.Int64")

    @prop("Rank")
    def _rank(self: PSArray) -> int:
        return 1

    @prop("IsFixedSize")
    def _fixed(self: PSArray) -> bool:
        return True

    @prop("IsReadOnly")
    def _read_only(self: PSArray) -> bool:
        return False

    @method("Clone")
    def _clone(self: PSArray) -> PSArray:
        return PSArray(self, element_type=getattr(self, "element_type", "System.Object"))

    @method("GetLength", "System.Int32")
    def _get_length(self: PSArray, dimension: int) -> int:
        if dimension != 0:
            raise argument_out_of_range("dimension", "Index was outside the bounds of the array.")
        return len(self)

    @method("GetUpperBound", "System.Int32")
    def _upper(self: PSArray, dimension: int) -> int:
        return _ArrayMembers._get_length(self, dimension) - 1

    @method("GetLowerBound", "System.Int32")
    def _lower(self: PSArray, dimension: int) -> int:
        _ArrayMembers._get_length(self, dimension)
        return 0

    @method("GetValue", "System.Int32")
    def _get_value(self: PSArray, index: int) -> Any:
        if not 0 <= index < len(self):
            raise net_error("System.IndexOutOfRangeException", "Index was outside the bounds of the array.")
        return self[index]

    @method("SetValue", "System.Object", "System.Int32")
    def _set_value(self: PSArray, value: Any, index: int) -> None:
        if not 0 <= index < len(self):
            raise net_error("System.IndexOutOfRangeException", "Index was outside the bounds of the array.")
        self[index] = value

    @method("CopyTo", "System.Array", "System.Int32")
    def _copy_to(self: PSArray, target: Any, index: int) -> None:
        destination = _array(target, "array")
        if index < 0 or len(destination) - index < len(self):
            raise net_error(
                "System.ArgumentException",
                "Destination array was not long enough. Check destIndex and length, and the array's lower bounds.",
            )
        destination[index : index + len(self)] = list(self)

    @staticmethod
    @static("IndexOf", "System.Array", "System.Object")
    def _index_of(_host: Any, array: Any, value: Any) -> int:
        items = _array(array)
        return next((i for i, item in enumerate(items) if net_equals(item, value)), -1)

    @staticmethod
    @static("IndexOf", "System.Array", "System.Object", "System.Int32")
    def _index_of_from(_host: Any, array: Any, value: Any, start: int) -> int:
        items = _array(array)
        if not 0 <= start <= len(items):
            raise _index_error("startIndex")
        return next((i for i in range(start, len(items)) if net_equals(items[i], value)), -1)

    @staticmethod
    @static("LastIndexOf", "System.Array", "System.Object")
    def _last_index_of(_host: Any, array: Any, value: Any) -> int:
        items = _array(array)
        return next((i for i in range(len(items) - 1, -1, -1) if net_equals(items[i], value)), -1)

    @staticmethod
    @static("Reverse", "System.Array")
    def _reverse(_host: Any, array: Any) -> None:
        _array(array).reverse()

    @staticmethod
    @static("Sort", "System.Array")
    def _sort(_host: Any, array: Any) -> None:
        items = _array(array)
        items[:] = _sorted(list(items))

    @staticmethod
    @static("Clear", "System.Array", "System.Int32", "System.Int32")
    def _clear(_host: Any, array: Any, index: int, length: int) -> None:
        items = _array(array)
        if index < 0 or length < 0 or index + length > len(items):
            raise net_error("System.IndexOutOfRangeException", "Index was outside the bounds of the array.")
        default = _default_of(getattr(items, "element_type", "System.Object"))
        items[index : index + length] = [default] * length

    @staticmethod
    @static("Copy", "System.Array", "System.Array", "System.Int32")
    def _copy(_host: Any, source: Any, target: Any, length: int) -> None:
        _ArrayMembers._copy_range(_host, source, 0, target, 0, length)

    @staticmethod
    @static("Copy", "System.Array", "System.Int32", "System.Array", "System.Int32", "System.Int32")
    def _copy_range(_host: Any, source: Any, source_index: int, target: Any, target_index: int, length: int) -> None:
        origin, destination = _array(source, "sourceArray"), _array(target, "destinationArray")
        if length < 0:
            raise argument_out_of_range("length", "Non-negative number required.")
        if source_index < 0 or target_index < 0:
            raise argument_out_of_range(
                "srcIndex" if source_index < 0 else "dstIndex",
                "Number was less than the array's lower bound in the first dimension.",
            )
        if source_index + length > len(origin):
            raise net_error(
                "System.ArgumentException",
                "Source array was not long enough. Check srcIndex and length, and the array's lower bounds.",
            )
        if target_index + length > len(destination):
            raise net_error(
                "System.ArgumentException",
                "Destination array was not long enough. Check destIndex and length, and the array's lower bounds.",
            )
        destination[target_index : target_index + length] = list(origin[source_index : source_index + length])

    @staticmethod
    @static("CreateInstance", "System.Type", "System.Int32")
    def _create(_host: Any, element: TypeRef, length: int) -> PSArray:
        if element is None:
            raise argument_null("elementType")
        if length < 0:
            raise argument_out_of_range("length", "Non-negative number required.")
        return PSArray([_default_of(element.full_name)] * length, element_type=element.full_name)


def _default_of(type_name: str) -> Any:
    """default(T): zero for the numeric types, false, the NUL character, else null."""
    from ..values import INTEGER_RANGES, TypedInt

    if type_name == "System.Int32":
        return 0
    if type_name in INTEGER_RANGES:
        return TypedInt(0, type_name)
    return {"System.Double": 0.0, "System.Boolean": False, "System.Char": Char("\x00"),
            "System.Decimal": decimal.Decimal(0)}.get(type_name)  # fmt: skip
