"""ArrayList, Hashtable, System.Array and the collection interfaces: documented .NET Framework behaviour
(Microsoft Learn member pages; mscorlib.txt for the messages)."""

from __future__ import annotations

import pytest

from tests.lab.powershell.dotnet.collections import ArrayList, CaseSensitiveHashtable
from tests.lab.powershell.errors import NetException
from tests.lab.powershell.tests.dotnet_calls import call, construct, get, static_call
from tests.lab.powershell.values import Hashtable, PSArray, TypedInt, TypeRef, find_type, type_of

AL = "System.Collections.ArrayList"
HT = "System.Collections.Hashtable"


def type_ref(name: str) -> TypeRef:
    net = find_type(name)
    assert net is not None
    return TypeRef(net)


def test_array_list_add_returns_the_index() -> None:
    """ArrayList.Add: "The ArrayList index at which the value has been added" (an Int32)."""
    items = construct(None, AL, types=())
    assert [call(items, AL, "Add", value, types=("System.Object",)) for value in ("a", "b")] == [0, 1]
    assert get(items, AL, "Count") == 2


def test_array_list_equality_is_object_equals() -> None:
    """Contains/IndexOf/Remove use Object.Equals: an Int64 1 is not an Int32 1, strings compare ordinally."""
    items = ArrayList([1, "A"])
    assert call(items, AL, "Contains", TypedInt(1, "System.Int64"), types=("System.Object",)) is False
    assert call(items, AL, "IndexOf", "a", types=("System.Object",)) == -1
    call(items, AL, "Remove", "A", types=("System.Object",))
    assert items.items == [1]


def test_array_list_to_array() -> None:
    """ToArray() is an Object[]; ToArray(Type) a typed array, InvalidCastException
    (InvalidCast_DownCastArrayElement) when an element is not of the type."""
    items = ArrayList(["x", "y"])
    assert call(items, AL, "ToArray", types=()).element_type == "System.Object"
    typed = call(items, AL, "ToArray", type_ref("System.String"), types=("System.Type",))
    assert (list(typed), typed.element_type) == (["x", "y"], "System.String")
    with pytest.raises(NetException) as raised:
        call(ArrayList(["x", 1]), AL, "ToArray", type_ref("System.String"), types=("System.Type",))
    assert raised.value.type_name == "System.InvalidCastException"


def test_array_list_sort() -> None:
    """Sort uses Comparer.Default; values of different types fail with InvalidOperationException "Failed to compare
    two elements in the array." holding the ArgumentException of CompareTo."""
    items = ArrayList(["b", "A", "a"])
    call(items, AL, "Sort", types=())
    assert items.items == ["a", "A", "b"]
    with pytest.raises(NetException) as raised:
        call(ArrayList([1, "a"]), AL, "Sort", types=())
    assert raised.value.message == "Failed to compare two elements in the array."
    assert raised.value.inner is not None and raised.value.inner.type_name == "System.ArgumentException"


def test_hashtable_add_of_a_duplicate_key() -> None:
    """Hashtable.Add: ArgumentException Argument_AddingDuplicate__ ("Item has already been added. Key in dictionary:
    '{0}'  Key being added: '{1}'"); @{} compares keys case-insensitively (about_Hash_Tables)."""
    table = Hashtable([("Name", 1)])
    with pytest.raises(NetException) as raised:
        call(table, HT, "Add", "name", 2, types=("System.Object", "System.Object"))
    assert raised.value.message == "Item has already been added. Key in dictionary: 'Name'  Key being added: 'name'"


def test_new_object_hashtable_is_case_sensitive() -> None:
    """new Hashtable() uses the default comparer (String.Equals: case-sensitive)."""
    table = construct(None, HT, types=())
    assert isinstance(table, CaseSensitiveHashtable)
    call(table, HT, "Add", "a", 1, types=("System.Object", "System.Object"))
    call(table, HT, "Add", "A", 2, types=("System.Object", "System.Object"))
    assert get(table, HT, "Count") == 2
    assert list(get(table, HT, "Keys")) == ["a", "A"]


def test_hashtable_members() -> None:
    table = Hashtable([("a", 1), ("b", None)])
    assert call(table, HT, "ContainsKey", "A", types=("System.Object",)) is True
    assert call(table, HT, "ContainsValue", None, types=("System.Object",)) is True
    clone = call(table, HT, "Clone", types=())
    call(table, HT, "Remove", "a", types=("System.Object",))
    assert (len(table), len(clone)) == (1, 2)
    with pytest.raises(NetException) as raised:
        call(table, HT, "ContainsKey", None, types=("System.Object",))
    assert raised.value.message == "Key cannot be null.\r\nParameter name: key"


def test_array_members() -> None:
    """System.Array: Length, static IndexOf/Reverse/Sort/Copy; an array is IList/ICollection/IEnumerable."""
    values = PSArray([3, 1, 2], element_type="System.Int32")
    assert get(values, "System.Array", "Length") == 3
    assert static_call(None, "System.Array", "IndexOf", values, 2, types=("System.Array", "System.Object")) == 2
    static_call(None, "System.Array", "Sort", values, types=("System.Array",))
    assert list(values) == [1, 2, 3]
    target = PSArray([0, 0, 0, 0], element_type="System.Int32")
    static_call(None, "System.Array", "Copy", values, target, 3, types=("System.Array", "System.Array", "System.Int32"))
    assert list(target) == [1, 2, 3, 0]
    array_type = type_of(values)
    for interface in ("System.Collections.IList", "System.Collections.ICollection", "System.Collections.IEnumerable"):
        assert array_type.is_assignable_to(find_type(interface))  # type: ignore[arg-type]


def test_interfaces_of_the_collections() -> None:
    """Hashtable is an IDictionary; ArrayList an IList (so the prelude's -is tests see them as .NET does)."""
    dictionary = find_type("System.Collections.IDictionary")
    listing = find_type("System.Collections.IList")
    assert dictionary is not None and listing is not None
    assert type_of(Hashtable()).is_assignable_to(dictionary)
    assert type_of(ArrayList()).is_assignable_to(listing)
    assert not type_of(ArrayList()).is_assignable_to(dictionary)
