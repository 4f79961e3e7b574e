"""Documented members of System's core types: Object, ValueType, Enum, Type, the primitive types, DateTime,
TimeSpan, Guid, Version, Environment, Console, TextReader, Math, IO.Path/File/Directory and the exceptions."""

from __future__ import annotations

from ...values import CLR4, document_members

# https://learn.microsoft.com/dotnet/api/system.object
document_members("System.Object", instance="Equals GetHashCode GetType ToString", static="Equals ReferenceEquals")
# https://learn.microsoft.com/dotnet/api/system.valuetype
document_members("System.ValueType", instance="Equals GetHashCode ToString")
# https://learn.microsoft.com/dotnet/api/system.void (no members)
document_members("System.Void")
# https://learn.microsoft.com/dotnet/api/system.marshalbyrefobject
document_members("System.MarshalByRefObject", instance="CreateObjRef GetLifetimeService InitializeLifetimeService")

# https://learn.microsoft.com/dotnet/api/system.enum
document_members(
    "System.Enum",
    instance="CompareTo Equals GetHashCode GetTypeCode ToString",
    static="Format GetName GetNames GetUnderlyingType GetValues IsDefined Parse ToObject",
)
document_members("System.Enum", instance="HasFlag", static="TryParse", since=CLR4)

# https://learn.microsoft.com/dotnet/api/system.type (System.RuntimeType, what GetType() returns, adds no public
# member of its own: https://referencesource.microsoft.com/#mscorlib/system/rttype.cs)
document_members(
    "System.Type",
    instance="Assembly AssemblyQualifiedName Attributes BaseType ContainsGenericParameters DeclaringMethod "
    "DeclaringType FullName GenericParameterAttributes GenericParameterPosition GUID HasElementType IsAbstract "
    "IsAnsiClass IsArray IsAutoClass IsAutoLayout IsByRef IsClass IsCOMObject IsContextful IsEnum IsExplicitLayout "
    "IsGenericParameter IsGenericType IsGenericTypeDefinition IsImport IsInterface IsLayoutSequential IsMarshalByRef "
    "IsNested IsNestedAssembly IsNestedFamANDAssem IsNestedFamily IsNestedFamORAssem IsNestedPrivate IsNestedPublic "
    "IsNotPublic IsPointer IsPrimitive IsPublic IsSealed IsSerializable IsSpecialName IsUnicodeClass IsValueType "
    "IsVisible MemberType MetadataToken Module Name Namespace ReflectedType StructLayoutAttribute TypeHandle "
    "TypeInitializer UnderlyingSystemType Equals FindInterfaces FindMembers GetArrayRank GetConstructor "
    "GetConstructors GetCustomAttributes GetDefaultMembers GetElementType GetEvent GetEvents GetField GetFields "
    "GetGenericArguments GetGenericParameterConstraints GetGenericTypeDefinition GetHashCode GetInterface "
    "GetInterfaceMap GetInterfaces GetMember GetMembers GetMethod GetMethods GetNestedType GetNestedTypes "
    "GetProperties GetProperty GetType InvokeMember IsAssignableFrom IsDefined IsInstanceOfType IsSubclassOf "
    "MakeArrayType MakeByRefType MakeGenericType MakePointerType ToString",
    static="DefaultBinder Delimiter EmptyTypes FilterAttribute FilterName FilterNameIgnoreCase Missing GetType "
    "GetTypeArray GetTypeCode GetTypeFromCLSID GetTypeFromHandle GetTypeFromProgID GetTypeHandle "
    "ReflectionOnlyGetType",
)
document_members(
    "System.Type",
    # 4.0: the enum helpers, IsEquivalentTo, the security-transparency properties and the == / != operators; 4.5:
    # CustomAttributes, GenericTypeArguments, IsConstructedGenericType.
    instance="GetEnumName GetEnumNames GetEnumUnderlyingType GetEnumValues IsEnumDefined IsEquivalentTo "
    "IsSecurityCritical IsSecuritySafeCritical IsSecurityTransparent CustomAttributes GenericTypeArguments "
    "IsConstructedGenericType",
    static="op_Equality op_Inequality",
    since=CLR4,
)
document_members("System.RuntimeType")

# https://learn.microsoft.com/dotnet/api/system.boolean
document_members(
    "System.Boolean",
    instance="CompareTo Equals GetHashCode GetTypeCode ToString",
    static="FalseString TrueString Parse TryParse",
)
# https://learn.microsoft.com/dotnet/api/system.int32; system.byte, system.sbyte, system.int16, system.uint16,
# system.uint32, system.int64 and system.uint64 list the same members on .NET Framework.
for _integer in ("Byte", "SByte", "Int16", "UInt16", "Int32", "UInt32", "Int64", "UInt64"):
    document_members(
        "System." + _integer,
        instance="CompareTo Equals GetHashCode GetTypeCode ToString",
        static="MaxValue MinValue Parse TryParse",
    )
# https://learn.microsoft.com/dotnet/api/system.double; system.single lists the same members.
for _real in ("Double", "Single"):
    document_members(
        "System." + _real,
        instance="CompareTo Equals GetHashCode GetTypeCode ToString",
        static="Epsilon MaxValue MinValue NaN NegativeInfinity PositiveInfinity IsInfinity IsNaN IsNegativeInfinity "
        "IsPositiveInfinity Parse TryParse",
    )
    # The comparison operators were added in .NET Framework 4.0.
    document_members(
        "System." + _real,
        static="op_Equality op_Inequality op_LessThan op_GreaterThan op_LessThanOrEqual op_GreaterThanOrEqual",
        since=CLR4,
    )
# https://learn.microsoft.com/dotnet/api/system.decimal
document_members(
    "System.Decimal",
    instance="CompareTo Equals GetHashCode GetTypeCode ToString",
    static="MaxValue MinValue MinusOne One Zero Add Ceiling Compare Divide Equals Floor FromOACurrency GetBits "
    "Multiply Negate Parse Remainder Round Subtract ToByte ToDouble ToInt16 ToInt32 ToInt64 ToOACurrency ToSByte "
    "ToSingle ToUInt16 ToUInt32 ToUInt64 Truncate TryParse op_Addition op_Decrement op_Division op_Equality "
    "op_Explicit op_GreaterThan op_GreaterThanOrEqual op_Implicit op_Increment op_Inequality op_LessThan "
    "op_LessThanOrEqual op_Modulus op_Multiply op_Subtraction op_UnaryNegation op_UnaryPlus",
)

# https://learn.microsoft.com/dotnet/api/system.datetime; DateTime is PowerShell's ScriptProperty on every
# System.DateTime (types.ps1xml, from 1.0).
document_members(
    "System.DateTime",
    instance="Date Day DayOfWeek DayOfYear Hour Kind Millisecond Minute Month Second Ticks TimeOfDay Year Add "
    "AddDays AddHours AddMilliseconds AddMinutes AddMonths AddSeconds AddTicks AddYears CompareTo Equals "
    "GetDateTimeFormats GetHashCode GetTypeCode IsDaylightSavingTime Subtract ToBinary ToFileTime ToFileTimeUtc "
    "ToLocalTime ToLongDateString ToLongTimeString ToOADate ToShortDateString ToShortTimeString ToString "
    "ToUniversalTime DateTime",
    static="MaxValue MinValue Now Today UtcNow Compare DaysInMonth Equals FromBinary FromFileTime FromFileTimeUtc "
    "FromOADate IsLeapYear Parse ParseExact SpecifyKind TryParse TryParseExact op_Addition op_Equality "
    "op_GreaterThan op_GreaterThanOrEqual op_Inequality op_LessThan op_LessThanOrEqual op_Subtraction",
)
# https://learn.microsoft.com/dotnet/api/system.timespan
document_members(
    "System.TimeSpan",
    instance="Days Hours Milliseconds Minutes Seconds Ticks TotalDays TotalHours TotalMilliseconds TotalMinutes "
    "TotalSeconds Add CompareTo Duration Equals GetHashCode Negate Subtract ToString",
    static="MaxValue MinValue TicksPerDay TicksPerHour TicksPerMillisecond TicksPerMinute TicksPerSecond Zero Compare "
    "Equals FromDays FromHours FromMilliseconds FromMinutes FromSeconds FromTicks Parse TryParse op_Addition "
    "op_Equality op_GreaterThan op_GreaterThanOrEqual op_Inequality op_LessThan op_LessThanOrEqual op_Subtraction "
    "op_UnaryNegation op_UnaryPlus",
)
document_members("System.TimeSpan", static="ParseExact TryParseExact", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.guid
document_members(
    "System.Guid",
    instance="CompareTo Equals GetHashCode ToByteArray ToString",
    static="Empty NewGuid op_Equality op_Inequality",
)
document_members("System.Guid", static="Parse ParseExact TryParse TryParseExact", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.version
document_members(
    "System.Version",
    instance="Build Major MajorRevision Minor MinorRevision Revision Clone CompareTo Equals GetHashCode ToString",
    static="op_Equality op_GreaterThan op_GreaterThanOrEqual op_Inequality op_LessThan op_LessThanOrEqual",
)
document_members("System.Version", static="Parse TryParse", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.operatingsystem
document_members(
    "System.OperatingSystem", instance="Platform ServicePack Version VersionString Clone GetObjectData ToString"
)
# https://learn.microsoft.com/dotnet/api/system.math
document_members(
    "System.Math",
    static="E PI Abs Acos Asin Atan Atan2 BigMul Ceiling Cos Cosh DivRem Exp Floor IEEERemainder Log Log10 Max Min "
    "Pow Round Sign Sin Sinh Sqrt Tan Tanh Truncate",
)

# https://learn.microsoft.com/dotnet/api/system.environment
document_members(
    "System.Environment",
    static="CommandLine CurrentDirectory ExitCode HasShutdownStarted MachineName NewLine OSVersion ProcessorCount "
    "StackTrace SystemDirectory TickCount UserDomainName UserInteractive UserName Version WorkingSet Exit "
    "ExpandEnvironmentVariables FailFast GetCommandLineArgs GetEnvironmentVariable GetEnvironmentVariables "
    "GetFolderPath GetLogicalDrives SetEnvironmentVariable",
)
# 4.0: Is64BitOperatingSystem, Is64BitProcess, SystemPageSize; 4.5: CurrentManagedThreadId.
document_members(
    "System.Environment",
    static="Is64BitOperatingSystem Is64BitProcess SystemPageSize CurrentManagedThreadId",
    since=CLR4,
)
# https://learn.microsoft.com/dotnet/api/system.console
document_members(
    "System.Console",
    static="BackgroundColor BufferHeight BufferWidth CapsLock CursorLeft CursorSize CursorTop CursorVisible Error "
    "ForegroundColor In InputEncoding KeyAvailable LargestWindowHeight LargestWindowWidth NumberLock Out "
    "OutputEncoding Title TreatControlCAsInput WindowHeight WindowLeft WindowTop WindowWidth CancelKeyPress Beep "
    "Clear MoveBufferArea OpenStandardError OpenStandardInput OpenStandardOutput Read ReadKey ReadLine ResetColor "
    "SetBufferSize SetCursorPosition SetError SetIn SetOut SetWindowPosition SetWindowSize Write WriteLine",
)
document_members("System.Console", static="IsErrorRedirected IsInputRedirected IsOutputRedirected", since=CLR4)  # 4.5
# https://learn.microsoft.com/dotnet/api/system.io.textreader (what Console.In is: TextReader.Synchronized over the
# standard input's reader)
document_members(
    "System.IO.TextReader",
    instance="Close Dispose Peek Read ReadBlock ReadLine ReadToEnd",
    static="Null Synchronized",
)
document_members(
    "System.IO.TextReader", instance="ReadAsync ReadBlockAsync ReadLineAsync ReadToEndAsync", since=CLR4
)  # 4.5
# https://learn.microsoft.com/dotnet/api/system.io.streamreader
document_members(
    "System.IO.StreamReader",
    instance="BaseStream CurrentEncoding EndOfStream DiscardBufferedData",
    static="Null",
)

# https://learn.microsoft.com/dotnet/api/system.io.path
document_members(
    "System.IO.Path",
    static="AltDirectorySeparatorChar DirectorySeparatorChar InvalidPathChars PathSeparator VolumeSeparatorChar "
    "ChangeExtension Combine GetDirectoryName GetExtension GetFileName GetFileNameWithoutExtension GetFullPath "
    "GetInvalidFileNameChars GetInvalidPathChars GetPathRoot GetRandomFileName GetTempFileName GetTempPath "
    "HasExtension IsPathRooted",
)
# https://learn.microsoft.com/dotnet/api/system.io.file
document_members(
    "System.IO.File",
    static="AppendAllText AppendText Copy Create CreateText Decrypt Delete Encrypt Exists GetAccessControl "
    "GetAttributes GetCreationTime GetCreationTimeUtc GetLastAccessTime GetLastAccessTimeUtc GetLastWriteTime "
    "GetLastWriteTimeUtc Move Open OpenRead OpenText OpenWrite ReadAllBytes ReadAllLines ReadAllText Replace "
    "SetAccessControl SetAttributes SetCreationTime SetCreationTimeUtc SetLastAccessTime SetLastAccessTimeUtc "
    "SetLastWriteTime SetLastWriteTimeUtc WriteAllBytes WriteAllLines WriteAllText",
)
document_members("System.IO.File", static="AppendAllLines ReadLines", since=CLR4)
# https://learn.microsoft.com/dotnet/api/system.io.directory
document_members(
    "System.IO.Directory",
    static="CreateDirectory Delete Exists GetAccessControl GetCreationTime GetCreationTimeUtc GetCurrentDirectory "
    "GetDirectories GetDirectoryRoot GetFiles GetFileSystemEntries GetLastAccessTime GetLastAccessTimeUtc "
    "GetLastWriteTime GetLastWriteTimeUtc GetLogicalDrives GetParent Move SetAccessControl SetCreationTime "
    "SetCreationTimeUtc SetCurrentDirectory SetLastAccessTime SetLastAccessTimeUtc SetLastWriteTime "
    "SetLastWriteTimeUtc",
)
document_members(
    "System.IO.Directory", static="EnumerateDirectories EnumerateFiles EnumerateFileSystemEntries", since=CLR4
)

# -- exceptions: https://learn.microsoft.com/dotnet/api/system.exception and the page of each type ---------------
document_members(
    "System.Exception",
    instance="Data HelpLink InnerException Message Source StackTrace TargetSite GetBaseException GetObjectData "
    "GetType ToString",
)
# 4.0: the SerializeObjectState event; 4.5: HResult (protected before).
document_members("System.Exception", instance="SerializeObjectState HResult", since=CLR4)
# Types that add no public member of their own (each page lists only inherited and constructor entries).
for _name in (
    "System.SystemException",
    "System.ApplicationException",
    "System.ArgumentNullException",
    "System.FormatException",
    "System.InvalidOperationException",
    "System.InvalidCastException",
    "System.NotSupportedException",
    "System.NotImplementedException",
    "System.NullReferenceException",
    "System.IndexOutOfRangeException",
    "System.ArithmeticException",
    "System.DivideByZeroException",
    "System.OverflowException",
    "System.UnauthorizedAccessException",
    "System.TimeoutException",
    "System.Collections.Generic.KeyNotFoundException",
    "System.IO.IOException",
    "System.IO.DirectoryNotFoundException",
    "System.Security.Cryptography.CryptographicException",
    "System.Security.Cryptography.CryptographicUnexpectedOperationException",
):
    document_members(_name)
document_members("System.ArgumentException", instance="Message ParamName GetObjectData")
document_members("System.ArgumentOutOfRangeException", instance="ActualValue Message GetObjectData")
document_members("System.ObjectDisposedException", instance="Message ObjectName GetObjectData")
document_members("System.IO.FileNotFoundException", instance="FileName FusionLog Message GetObjectData ToString")
document_members("System.Runtime.InteropServices.ExternalException", instance="ErrorCode ToString")
document_members("System.Runtime.InteropServices.COMException", instance="ToString")
document_members("System.ComponentModel.Win32Exception", instance="NativeErrorCode GetObjectData")
document_members("System.Text.DecoderFallbackException", instance="BytesUnknown Index")
document_members(
    "System.Security.SecurityException",
    instance="Action Demanded DenySetInstance FailedAssemblyInfo FirstPermissionThatFailed GrantedSet Method "
    "PermissionState PermissionType PermitOnlySetInstance RefusedSet Url Zone GetObjectData ToString",
)
