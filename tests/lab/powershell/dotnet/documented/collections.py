"""Documented members of System.Array, ArrayList, Hashtable, CollectionBase and the interfaces they implement.

An interface's members count for every class that implements it from PowerShell 3.0 on, whose adapter also exposes
members a class implements explicitly (NetType.documentation), as IList.Contains on an array.
"""

from __future__ import annotations

from ...values import CLR4, document_members

_C = "System.Collections."

# https://learn.microsoft.com/dotnet/api/system.array; Count is PowerShell's alias of Length on every array
# (types.ps1xml, from 1.0).
document_members(
    "System.Array",
    instance="IsFixedSize IsReadOnly IsSynchronized Length LongLength Rank SyncRoot Clone CopyTo GetEnumerator "
    "GetLength GetLongLength GetLowerBound GetUpperBound GetValue Initialize SetValue Count",
    static="AsReadOnly BinarySearch Clear ConstrainedCopy ConvertAll Copy CreateInstance Exists Find FindAll "
    "FindIndex FindLast FindLastIndex ForEach IndexOf LastIndexOf Resize Reverse Sort TrueForAll",
)
document_members("System.Array", static="Empty", since=CLR4)  # 4.6
# https://learn.microsoft.com/dotnet/api/system.collections.arraylist
document_members(
    _C + "ArrayList",
    instance="Capacity Count IsFixedSize IsReadOnly IsSynchronized Item SyncRoot Add AddRange BinarySearch Clear "
    "Clone Contains CopyTo GetEnumerator GetRange IndexOf Insert InsertRange LastIndexOf Remove RemoveAt "
    "RemoveRange Reverse SetRange Sort ToArray TrimToSize",
    static="Adapter FixedSize ReadOnly Repeat Synchronized",
)
# https://learn.microsoft.com/dotnet/api/system.collections.hashtable
document_members(
    _C + "Hashtable",
    instance="Count IsFixedSize IsReadOnly IsSynchronized Item Keys SyncRoot Values Add Clear Clone Contains "
    "ContainsKey ContainsValue CopyTo GetEnumerator GetObjectData OnDeserialization Remove",
    static="Synchronized",
)
# Hashtable.Keys and .Values are private classes whose public members are ICollection's
# (https://referencesource.microsoft.com/#mscorlib/system/collections/hashtable.cs, KeyCollection/ValueCollection).
for _view in ("KeyCollection", "ValueCollection"):
    document_members(_C + "Hashtable+" + _view, instance="Count IsSynchronized SyncRoot CopyTo GetEnumerator")
# https://learn.microsoft.com/dotnet/api/system.collections.collectionbase (its other members are protected)
document_members(_C + "CollectionBase", instance="Capacity Count Clear GetEnumerator RemoveAt")

# The interfaces: https://learn.microsoft.com/dotnet/api/system.collections.ienumerable, icollection, ilist,
# idictionary, ienumerator, icomparer; system.icomparable, iconvertible, iformattable, icloneable, idisposable,
# iformatprovider; system.runtime.serialization.iserializable; system.net.icredentials.
document_members(_C + "IEnumerable", instance="GetEnumerator")
document_members(_C + "ICollection", instance="Count IsSynchronized SyncRoot CopyTo")
document_members(_C + "IList", instance="IsFixedSize IsReadOnly Item Add Clear Contains IndexOf Insert Remove RemoveAt")
document_members(
    _C + "IDictionary", instance="IsFixedSize IsReadOnly Item Keys Values Add Clear Contains GetEnumerator Remove"
)
document_members(_C + "IEnumerator", instance="Current MoveNext Reset")
document_members(_C + "IComparer", instance="Compare")
document_members("System.IComparable", instance="CompareTo")
document_members(
    "System.IConvertible",
    instance="GetTypeCode ToBoolean ToByte ToChar ToDateTime ToDecimal ToDouble ToInt16 ToInt32 ToInt64 ToSByte "
    "ToSingle ToString ToType ToUInt16 ToUInt32 ToUInt64",
)
document_members("System.IFormattable", instance="ToString")
document_members("System.ICloneable", instance="Clone")
document_members("System.IDisposable", instance="Dispose")
document_members("System.IFormatProvider", instance="GetFormat")
document_members("System.Runtime.Serialization.ISerializable", instance="GetObjectData")
document_members("System.Net.ICredentials", instance="GetCredential")
