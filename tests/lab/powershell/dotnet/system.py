"""System: Object, ValueType, Enum, Type, Environment, Version, OperatingSystem, Math, Guid, IO.Path, IO.File,
IO.Directory, over the simulated machine.

The process a command runs in has its own environment block, current directory and temporary-file counter
(:func:`process_state`); the environment of a WinRM logon follows Windows' defaults for the logon user's profile
(Server 2003: ``C:\\Documents and Settings\\<user>``, 2008 and later: ``C:\\Users\\<user>``), and a new process starts
in the profile directory (winrs starts the shell there): assumptions, docs/lab.md. Files live in
``HostState.files`` (case-insensitive Windows paths).
"""

from __future__ import annotations

import math
import random
import uuid
import weakref
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import NetException, NotModelled
from ..values import (
    CLR4,
    EnumValue,
    Hashtable,
    NetObject,
    NetType,
    PSArray,
    TypedInt,
    TypeRef,
    constructor,
    enum_type,
    enum_value,
    find_type,
    members_of,
    method,
    net_type,
    prop,
    runtime_at_least,
    static,
    type_of,
)
from ._runtime import (
    argument_exception,
    argument_null,
    argument_out_of_range,
    byte_array,
    bytes_of,
    current_host,
    ensure_type,
    net_error,
)
from .collections import net_equals

if TYPE_CHECKING:
    from ..context import Host

__all__ = [
    "OperatingSystem",
    "ProcessState",
    "Version",
    "format_enum",
    "full_path",
    "process_state",
    "read_file_bytes",
]

ensure_type("System.ValueType", "System.Object")
ensure_type("System.Enum", "System.ValueType", ("System.IComparable", "System.IFormattable", "System.IConvertible"))
ensure_type("System.Type")
ensure_type("System.RuntimeType", "System.Type")
ensure_type("System.MarshalByRefObject", "System.Object")
ensure_type("System.IO.FileSystemInfo", "System.MarshalByRefObject")
# Console.In is a TextReader (https://learn.microsoft.com/dotnet/api/system.console.in); the standard input's
# reader derives from it.
ensure_type("System.IO.TextReader", "System.MarshalByRefObject", ("System.IDisposable",))
PLATFORM_ID = enum_type("System.PlatformID", {"Win32S": 0, "Win32Windows": 1, "Win32NT": 2, "WinCE": 3, "Unix": 4,
                                              "Xbox": 5, "MacOSX": 6})  # fmt: skip
MIDPOINT_ROUNDING = enum_type("System.MidpointRounding", {"ToEven": 0, "AwayFromZero": 1})
VARIABLE_TARGET = enum_type("System.EnvironmentVariableTarget", {"Process": 0, "User": 1, "Machine": 2})


def _runtime() -> str:
    host = current_host()
    return host.runtime if host is not None else CLR4


# -- Object ---------------------------------------------------------------------------------------------------------


@members_of("System.Object", base=None)
class _Object:
    """The static members of Object (the instance ones are core_members.py's)."""

    @staticmethod
    @static("ReferenceEquals", "System.Object", "System.Object")
    def _reference_equals(_host: Any, left: Any, right: Any) -> bool:
        return left is right

    @staticmethod
    @static("Equals", "System.Object", "System.Object")
    def _static_equals(_host: Any, left: Any, right: Any) -> bool:
        return net_equals(left, right)


# -- Enum -----------------------------------------------------------------------------------------------------------


def _enum_members(net: NetType) -> dict[str, int]:
    """The members of an enum on the running CLR (a member a later runtime added is not there)."""
    assert net.enum_members is not None
    runtime = _runtime()
    since = getattr(net, "member_since", {})
    return {
        name: value for name, value in net.enum_members.items() if runtime_at_least(runtime, since.get(name, "2.0"))
    }


def _enum_type(value: Any, parameter: str = "enumType") -> NetType:
    if value is None:
        raise argument_null(parameter)
    if not isinstance(value, TypeRef) or value.net.enum_members is None:
        raise argument_exception("Type provided must be an Enum.", parameter)  # mscorlib.txt Arg_MustBeEnum
    return value.net


def _sorted_members(net: NetType) -> list[tuple[str, int]]:
    """Enum.GetValues / GetNames order: by the value read as unsigned."""
    return sorted(_enum_members(net).items(), key=lambda item: item[1] & 0xFFFFFFFFFFFFFFFF)


def flags_text(net: NetType, value: int) -> str:
    """Enum.ToString of a [Flags] value (InternalFlagsFormat): the largest members first, shown in value order."""
    members = _sorted_members(net)
    if value == 0:
        return next((name for name, number in members if number == 0), "0")
    remaining, chosen = value, []
    for name, number in reversed(members):
        if number and remaining & number == number:
            remaining -= number
            chosen.append(name)
    if remaining:
        return str(value)
    return ", ".join(reversed(chosen))


def enum_text(net: NetType, value: int) -> str:
    exact = next((name for name, number in _sorted_members(net) if number == value), None)
    if exact is not None:
        return exact
    return flags_text(net, value) if net.flags else str(value)


def format_enum(value: EnumValue, text: str) -> str:
    """Enum.ToString(format): G, D, X, F (mscorlib.txt Format_InvalidEnumFormatSpecification otherwise)."""
    net = find_type(value.type_name)
    assert net is not None
    letter = text.upper() if len(text) == 1 else ""
    if letter == "G":
        return enum_text(net, value.value)
    if letter == "D":
        return str(value.value)
    if letter == "X":
        return f"{value.value & 0xFFFFFFFF:08X}"
    if letter == "F":
        return enum_text(net, value.value) if not _sorted_members(net) else flags_text(net, value.value)
    raise net_error("System.FormatException", 'Format String can be only "G", "g", "X", "x", "F", "f", "D" or "d".')


def parse_enum(net: NetType, text: str | None, ignore_case: bool) -> EnumValue:
    """Enum.Parse: a number, or names separated by commas (OR-ed), white space around each ignored."""
    if text is None:
        raise argument_null("value")
    stripped = text.strip()
    if not stripped:
        raise argument_exception("Must specify valid information for parsing in the string.", "value")
    if stripped[0].isdigit() or stripped[0] in "+-":
        try:
            return enum_value(net, int(stripped))
        except ValueError:
            pass
    members = _enum_members(net)
    total = 0
    for part in stripped.split(","):
        name = part.strip()
        match = next(
            (
                number
                for member, number in members.items()
                if member == name or (ignore_case and member.lower() == name.lower())
            ),
            None,
        )
        if match is None:
            raise argument_exception(f"Requested value '{name}' was not found.", "")  # Arg_EnumValueNotFound
        total |= match
    return enum_value(net, total)


@members_of("System.Enum", base="System.ValueType")
class _Enum:
    @method("ToString")
    def _to_string(self: EnumValue) -> str:
        return self.name

    @method("ToString", "System.String")
    def _to_string_format(self: EnumValue, text: str | None) -> str:
        return format_enum(self, text or "G")

    @method("HasFlag", "System.Enum", since=CLR4)
    def _has_flag(self: EnumValue, flag: EnumValue) -> bool:
        if flag is None:
            raise argument_null("flag")
        if flag.type_name != self.type_name:
            raise argument_exception(
                f"The argument type, '{flag.type_name}', is not the same as the enum type '{self.type_name}'.", ""
            )
        return self.value & flag.value == flag.value

    @method("CompareTo", "System.Object")
    def _compare(self: EnumValue, other: Any) -> int:
        if other is None:
            return 1
        if not isinstance(other, EnumValue) or other.type_name != self.type_name:
            raise argument_exception(
                "Object must be the same type as the enum. The type passed in was "
                f"'{getattr(other, 'type_name', '')}'; "
                f"the enum type was '{self.type_name}'.",
                "",
            )
        return (self.value > other.value) - (self.value < other.value)

    @method("GetTypeCode")
    def _type_code(self: EnumValue) -> EnumValue:
        return enum_value(TYPE_CODE, 9)

    @staticmethod
    @static("GetNames", "System.Type")
    def _names(_host: Any, enum: TypeRef) -> PSArray:
        return PSArray([name for name, _value in _sorted_members(_enum_type(enum))], element_type="System.String")

    @staticmethod
    @static("GetValues", "System.Type")
    def _values(_host: Any, enum: TypeRef) -> PSArray:
        net = _enum_type(enum)
        return PSArray(
            [EnumValue(net.full_name, v, enum_text(net, v)) for _n, v in _sorted_members(net)],
            element_type=net.full_name,
        )

    @staticmethod
    @static("GetName", "System.Type", "System.Object")
    def _name(_host: Any, enum: TypeRef, value: Any) -> str | None:
        net = _enum_type(enum)
        number = value.value if isinstance(value, EnumValue) else int(value)
        return next((name for name, v in _sorted_members(net) if v == number), None)

    @staticmethod
    @static("IsDefined", "System.Type", "System.Object")
    def _is_defined(_host: Any, enum: TypeRef, value: Any) -> bool:
        net = _enum_type(enum)
        if isinstance(value, str):
            return value in _enum_members(net)
        number = value.value if isinstance(value, EnumValue) else int(value)
        return number in _enum_members(net).values()

    @staticmethod
    @static("Parse", "System.Type", "System.String")
    def _parse(_host: Any, enum: TypeRef, text: str) -> EnumValue:
        return parse_enum(_enum_type(enum), text, False)

    @staticmethod
    @static("Parse", "System.Type", "System.String", "System.Boolean")
    def _parse_case(_host: Any, enum: TypeRef, text: str, ignore_case: bool) -> EnumValue:
        return parse_enum(_enum_type(enum), text, ignore_case)

    @staticmethod
    @static("ToObject", "System.Type", "System.Int32")
    def _to_object(_host: Any, enum: TypeRef, value: int) -> EnumValue:
        return enum_value(_enum_type(enum), value)

    @staticmethod
    @static("Format", "System.Type", "System.Object", "System.String")
    def _format(_host: Any, enum: TypeRef, value: Any, text: str) -> str:
        net = _enum_type(enum)
        item = value if isinstance(value, EnumValue) else enum_value(net, int(value))
        return format_enum(item, text)


TYPE_CODE = enum_type(
    "System.TypeCode",
    {
        "Empty": 0, "Object": 1, "DBNull": 2, "Boolean": 3, "Char": 4, "SByte": 5, "Byte": 6, "Int16": 7,
        "UInt16": 8, "Int32": 9, "UInt32": 10, "Int64": 11, "UInt64": 12, "Single": 13, "Double": 14,
        "Decimal": 15, "DateTime": 16, "String": 18,
    },
)  # fmt: skip


# -- Type -----------------------------------------------------------------------------------------------------------


@members_of("System.Type")
class _Type:
    """Members of System.Type beyond those core_members.py declares on RuntimeType."""

    @prop("IsInterface")
    def _is_interface(self: TypeRef) -> bool:
        return self.net.base is None and self.net.full_name != "System.Object"

    @prop("IsClass")
    def _is_class(self: TypeRef) -> bool:
        return not self.net.value_type and not _Type._is_interface(self)

    @method("ToString")
    def _to_string(self: TypeRef) -> str:
        return self.net.full_name

    @method("GetElementType")
    def _element(self: TypeRef) -> TypeRef | None:
        if not self.net.full_name.endswith("[]"):
            return None
        found = find_type(self.net.full_name[:-2])
        return TypeRef(found) if found is not None else None

    @method("IsInstanceOfType", "System.Object")
    def _is_instance(self: TypeRef, value: Any) -> bool:
        return value is not None and type_of(value).is_assignable_to(self.net)

    @method("IsAssignableFrom", "System.Type")
    def _is_assignable_from(self: TypeRef, other: TypeRef | None) -> bool:
        return other is not None and other.net.is_assignable_to(self.net)

    @method("Equals", "System.Object")
    def _equals(self: TypeRef, other: Any) -> bool:
        return isinstance(other, TypeRef) and other.net is self.net

    @method("GetEnumNames", since=CLR4)
    def _enum_names(self: TypeRef) -> PSArray:
        return _Enum._names(None, self)

    @method("GetEnumValues", since=CLR4)
    def _enum_values(self: TypeRef) -> PSArray:
        return _Enum._values(None, self)


# -- Version, OperatingSystem -----------------------------------------------------------------------------------


@net_type("System.Version", interfaces=("System.IComparable", "System.ICloneable"))
class Version(NetObject):
    def __init__(self, *parts: int) -> None:
        self.parts = tuple(parts)

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Version) and other.parts == self.parts

    def __hash__(self) -> int:
        return hash(self.parts)

    def __lt__(self, other: Version) -> bool:
        return self._key() < other._key()

    def __gt__(self, other: Version) -> bool:
        return self._key() > other._key()

    def __le__(self, other: Version) -> bool:
        return self._key() <= other._key()

    def __ge__(self, other: Version) -> bool:
        return self._key() >= other._key()

    def _key(self) -> tuple[int, ...]:
        return tuple(self.parts) + (-1,) * (4 - len(self.parts))

    def to_string(self) -> str:
        return ".".join(str(part) for part in self.parts)

    @staticmethod
    @constructor("System.String")
    def _parse(_host: Any, text: str) -> Version:
        if text is None:
            raise argument_null("version")
        pieces = text.split(".")
        if not 2 <= len(pieces) <= 4:
            raise argument_exception("Version string portion was too short or too long.", "input")
        try:
            numbers = [int(piece) for piece in pieces]
        except ValueError:
            raise net_error("System.FormatException", "Input string was not in a correct format.") from None
        if any(number < 0 for number in numbers):
            raise argument_out_of_range("version", "Version's parameters must be greater than or equal to zero.")
        return Version(*numbers)

    @staticmethod
    @static("Parse", "System.String", since=CLR4)
    def _static_parse(_host: Any, text: str) -> Version:
        # Version.Parse (.NET 4 reference): the constructor's format and exceptions.
        return Version._parse(_host, text)

    @staticmethod
    @constructor("System.Int32", "System.Int32")
    def _two(_host: Any, major: int, minor: int) -> Version:
        return Version(major, minor)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32")
    def _three(_host: Any, major: int, minor: int, build: int) -> Version:
        return Version(major, minor, build)

    @staticmethod
    @constructor("System.Int32", "System.Int32", "System.Int32", "System.Int32")
    def _four(_host: Any, major: int, minor: int, build: int, revision: int) -> Version:
        return Version(major, minor, build, revision)

    def _part(self, index: int) -> int:
        return self.parts[index] if index < len(self.parts) else -1

    @prop("Major")
    def _major(self) -> int:
        return self._part(0)

    @prop("Minor")
    def _minor(self) -> int:
        return self._part(1)

    @prop("Build")
    def _build(self) -> int:
        return self._part(2)

    @prop("Revision")
    def _revision(self) -> int:
        return self._part(3)

    @method("ToString")
    def _to_string(self) -> str:
        return self.to_string()

    @method("ToString", "System.Int32")
    def _to_string_count(self, count: int) -> str:
        if not 0 <= count <= len(self.parts):
            raise argument_exception(f"Argument must be between 0 and {len(self.parts)}.", "fieldCount")
        return ".".join(str(part) for part in self.parts[:count])

    @method("CompareTo", "System.Object")
    def _compare(self, other: Any) -> int:
        if other is None:
            return 1
        if not isinstance(other, Version):
            raise net_error("System.ArgumentException", "Object must be of type Version.")
        return (self > other) - (self < other)


# Service packs of the lab's OS builds (Windows Server 2003 SP2 3790, 2008 SP2 6002, 2008 R2 SP1 7601).
_SERVICE_PACKS = {"3790": "Service Pack 2", "6002": "Service Pack 2", "7601": "Service Pack 1"}


@net_type("System.OperatingSystem", interfaces=("System.ICloneable",))
class OperatingSystem(NetObject):
    def __init__(self, version: str) -> None:
        major, minor, build = (int(part) for part in version.split("."))
        self.service_pack = _SERVICE_PACKS.get(str(build), "")
        # Version.Revision: the service pack's major number in the high word (OSVERSIONINFOEX.wServicePackMajor)
        pack = int(self.service_pack.rsplit(" ", 1)[-1]) if self.service_pack else 0
        self.version = Version(major, minor, build, pack << 16)

    @prop("Platform")
    def _platform(self) -> EnumValue:
        return enum_value(PLATFORM_ID, 2)

    @prop("Version")
    def _version(self) -> Version:
        return self.version

    @prop("ServicePack")
    def _service_pack(self) -> str:
        return self.service_pack

    @prop("VersionString")
    def _version_string(self) -> str:
        return self.to_string()

    def to_string(self) -> str:
        major, minor, build = self.version.parts[:3]
        text = f"Microsoft Windows NT {major}.{minor}.{build}"
        return text + (" " + self.service_pack if self.service_pack else "")


# -- the process ----------------------------------------------------------------------------------------------------


@dataclass
class ProcessState:
    """What one powershell.exe process has of its own: environment block, current directory, temp-name counter."""

    environment: dict[str, str]
    current_directory: str
    temp_counter: int = field(default_factory=lambda: random.randint(0x1000, 0xEFFF))


_PROCESSES: dict[int, ProcessState] = {}


def _user(host: Host) -> str:
    user = (host.logon.user if host.logon is not None else "") or "Administrator"
    return user.rsplit("\\", 1)[-1].split("@", 1)[0]


def process_state(host: Host) -> ProcessState:
    """The process state of ``host``'s powershell.exe, made on first use (and the user's profile with it)."""
    state = _PROCESSES.get(id(host))
    if state is not None:
        return state
    spec = host.spec
    user = _user(host)
    legacy = spec.os_version.startswith("5.")
    profile = f"C:\\Documents and Settings\\{user}" if legacy else f"C:\\Users\\{user}"
    temp = profile + ("\\Local Settings\\Temp" if legacy else "\\AppData\\Local\\Temp")
    environment = {
        "ALLUSERSPROFILE": "C:\\Documents and Settings\\All Users" if legacy else "C:\\ProgramData",
        "APPDATA": profile + ("\\Application Data" if legacy else "\\AppData\\Roaming"),
        "COMPUTERNAME": spec.computer_name,
        "ComSpec": "C:\\Windows\\system32\\cmd.exe",
        "HOMEDRIVE": "C:",
        "HOMEPATH": profile[2:],
        "NUMBER_OF_PROCESSORS": "2",
        "OS": "Windows_NT",
        "Path": "C:\\Windows\\system32;C:\\Windows;C:\\Windows\\System32\\Wbem;"
        "C:\\Windows\\System32\\WindowsPowerShell\\v1.0\\",
        "PATHEXT": ".COM;.EXE;.BAT;.CMD;.VBS;.VBE;.JS;.JSE;.WSF;.WSH;.MSC"
        + ("" if spec.powershell_version == "1.0" else ";.CPL"),
        "PROCESSOR_ARCHITECTURE": "AMD64",
        "ProgramFiles": "C:\\Program Files",
        "SystemDrive": "C:",
        "SystemRoot": "C:\\Windows",
        "TEMP": temp,
        "TMP": temp,
        "USERDNSDOMAIN": spec.domain.upper(),
        "USERDOMAIN": spec.netbios_domain,
        "USERNAME": user,
        "USERPROFILE": profile,
        "windir": "C:\\Windows",
    }
    if not legacy:
        environment.update({"LOCALAPPDATA": profile + "\\AppData\\Local", "ProgramData": "C:\\ProgramData",
                            "PUBLIC": "C:\\Users\\Public"})  # fmt: skip
    if spec.powershell_version != "1.0":
        environment["PSModulePath"] = (
            profile
            + "\\Documents\\WindowsPowerShell\\Modules;C:\\Windows\\system32\\WindowsPowerShell\\v1.0\\Modules\\"
        )
    host.machine.files.make_directory(temp)
    # The block is the host's (Host.environment, which $env: reads and writes), names in upper case as $env: keeps
    # them; what the engine already set wins.
    for name, value in environment.items():
        host.environment.setdefault(name.upper(), value)
    state = ProcessState(host.environment, profile)
    _PROCESSES[id(host)] = state
    weakref.finalize(host, _PROCESSES.pop, id(host), None)
    return state


def _process() -> tuple[Host, ProcessState]:
    host = current_host()
    if host is None:
        raise NotModelled("a process-dependent .NET member outside a command (no host)")
    return host, process_state(host)


@net_type("System.Environment")
class Environment(NetObject):
    @staticmethod
    @prop("MachineName", static_member=True)
    def _machine_name(host: Any) -> str:
        return host.spec.computer_name

    @staticmethod
    @prop("UserName", static_member=True)
    def _user_name(host: Any) -> str:
        return _user(host)

    @staticmethod
    @prop("UserDomainName", static_member=True)
    def _user_domain(host: Any) -> str:
        return host.spec.netbios_domain

    @staticmethod
    @prop("NewLine", static_member=True)
    def _new_line(_host: Any) -> str:
        return "\r\n"

    @staticmethod
    @prop("OSVersion", static_member=True)
    def _os_version(host: Any) -> OperatingSystem:
        return OperatingSystem(host.spec.os_version)

    @staticmethod
    @prop("Version", static_member=True)
    def _clr_version(host: Any) -> Version:
        # The CLR's own version: 2.0.50727.x for .NET 2.0-3.5, 4.0.30319.x for 4.x (the revision: an assumption).
        return Version(2, 0, 50727, 5420) if host.runtime == "2.0" else Version(4, 0, 30319, 34014)

    @staticmethod
    @prop("SystemDirectory", static_member=True)
    def _system_directory(_host: Any) -> str:
        return "C:\\Windows\\system32"

    @staticmethod
    @prop("ProcessorCount", static_member=True)
    def _processors(_host: Any) -> int:
        return 2

    @staticmethod
    @prop("Is64BitOperatingSystem", static_member=True, since=CLR4)
    def _is64(_host: Any) -> bool:
        return True

    @staticmethod
    @prop("Is64BitProcess", static_member=True, since=CLR4)
    def _is64_process(_host: Any) -> bool:
        return True

    @staticmethod
    @prop("CurrentDirectory", static_member=True, settable=True)
    def _current_directory(host: Any, *new: str) -> str | None:
        state = process_state(host)
        if not new:
            return state.current_directory
        path = full_path(new[0], state)
        if not host.machine.files.is_directory(path):
            raise net_error("System.IO.DirectoryNotFoundException", f"Could not find a part of the path '{path}'.")
        state.current_directory = path
        return None

    @staticmethod
    @static("GetEnvironmentVariable", "System.String")
    def _get(host: Any, name: str | None) -> str | None:
        if name is None:
            raise argument_null("variable")
        environment = process_state(host).environment
        return next((value for key, value in environment.items() if key.lower() == name.lower()), None)

    @staticmethod
    @static("GetEnvironmentVariable", "System.String", "System.EnvironmentVariableTarget")
    def _get_target(host: Any, name: str | None, target: EnumValue) -> str | None:
        if target.value != 0:
            raise NotModelled("Environment.GetEnvironmentVariable for the User or Machine target")
        return Environment._get(host, name)

    @staticmethod
    @static("SetEnvironmentVariable", "System.String", "System.String")
    def _set(host: Any, name: str | None, value: str | None) -> None:
        if not name:
            raise (
                argument_null("variable")
                if name is None
                else argument_exception("String cannot be of zero length.", "variable")
            )
        environment = process_state(host).environment
        existing = next((key for key in environment if key.lower() == name.lower()), None)
        if existing is not None:
            del environment[existing]
        if value:
            environment[(existing or name).upper()] = value

    @staticmethod
    @static("GetEnvironmentVariables")
    def _all(host: Any) -> Hashtable:
        from .collections import CaseSensitiveHashtable

        return CaseSensitiveHashtable(process_state(host).environment.items())

    @staticmethod
    @static("ExpandEnvironmentVariables", "System.String")
    def _expand(host: Any, text: str | None) -> str:
        if text is None:
            raise argument_null("name")
        environment = {key.lower(): value for key, value in process_state(host).environment.items()}
        parts = text.split("%")
        out = [parts[0]]
        index = 1
        while index < len(parts):
            name = parts[index]
            if index + 1 < len(parts) and name.lower() in environment:
                out.append(environment[name.lower()] + parts[index + 1])
                index += 2
            else:
                out.append("%" + name)
                index += 1
        return "".join(out)


# -- Math -------------------------------------------------------------------------------------------------------


def _overflow_abs() -> NetException:
    return net_error("System.OverflowException", "Negating the minimum value of a twos complement number is invalid.")


def _round(value: float, digits: int, away: bool) -> float:
    if not 0 <= digits <= 15:
        raise argument_out_of_range("digits", "Rounding digits must be between 0 and 15, inclusive.")
    if abs(value) >= 1e16 or math.isnan(value) or math.isinf(value):
        return value
    power = 10.0**digits
    scaled = value * power
    rounded = math.floor(abs(scaled) + 0.5) * (1 if scaled >= 0 else -1) if away else round(scaled)
    return float(rounded) / power


@net_type("System.Math")
class NetMath(NetObject):
    @staticmethod
    @prop("PI", static_member=True)
    def _pi(_host: Any) -> float:
        return math.pi

    @staticmethod
    @prop("E", static_member=True)
    def _e(_host: Any) -> float:
        return math.e

    @staticmethod
    @static("Abs", "System.Int32")
    def _abs_int(_host: Any, value: int) -> int:
        if value == -(2**31):
            raise _overflow_abs()
        return abs(value)

    @staticmethod
    @static("Abs", "System.Int64")
    def _abs_long(_host: Any, value: int) -> TypedInt:
        if value == -(2**63):
            raise _overflow_abs()
        return TypedInt(abs(value), "System.Int64")

    @staticmethod
    @static("Abs", "System.Double")
    def _abs_double(_host: Any, value: float) -> float:
        return abs(value)

    @staticmethod
    @static("Min", "System.Int32", "System.Int32")
    def _min_int(_host: Any, left: int, right: int) -> int:
        return min(left, right)

    @staticmethod
    @static("Min", "System.Int64", "System.Int64")
    def _min_long(_host: Any, left: int, right: int) -> TypedInt:
        return TypedInt(min(left, right), "System.Int64")

    @staticmethod
    @static("Min", "System.Double", "System.Double")
    def _min_double(_host: Any, left: float, right: float) -> float:
        return math.nan if math.isnan(left) or math.isnan(right) else min(left, right)

    @staticmethod
    @static("Max", "System.Int32", "System.Int32")
    def _max_int(_host: Any, left: int, right: int) -> int:
        return max(left, right)

    @staticmethod
    @static("Max", "System.Int64", "System.Int64")
    def _max_long(_host: Any, left: int, right: int) -> TypedInt:
        return TypedInt(max(left, right), "System.Int64")

    @staticmethod
    @static("Max", "System.Double", "System.Double")
    def _max_double(_host: Any, left: float, right: float) -> float:
        return math.nan if math.isnan(left) or math.isnan(right) else max(left, right)

    @staticmethod
    @static("Floor", "System.Double")
    def _floor(_host: Any, value: float) -> float:
        return float(math.floor(value)) if math.isfinite(value) else value

    @staticmethod
    @static("Ceiling", "System.Double")
    def _ceiling(_host: Any, value: float) -> float:
        return float(math.ceil(value)) if math.isfinite(value) else value

    @staticmethod
    @static("Truncate", "System.Double")
    def _truncate(_host: Any, value: float) -> float:
        return float(math.trunc(value)) if math.isfinite(value) else value

    @staticmethod
    @static("Round", "System.Double")
    def _round_even(_host: Any, value: float) -> float:
        return _round(value, 0, False)

    @staticmethod
    @static("Round", "System.Double", "System.Int32")
    def _round_digits(_host: Any, value: float, digits: int) -> float:
        return _round(value, digits, False)

    @staticmethod
    @static("Round", "System.Double", "System.MidpointRounding")
    def _round_mode(_host: Any, value: float, mode: EnumValue) -> float:
        return _round(value, 0, mode.value == 1)

    @staticmethod
    @static("Round", "System.Double", "System.Int32", "System.MidpointRounding")
    def _round_digits_mode(_host: Any, value: float, digits: int, mode: EnumValue) -> float:
        return _round(value, digits, mode.value == 1)

    @staticmethod
    @static("Sqrt", "System.Double")
    def _sqrt(_host: Any, value: float) -> float:
        return math.sqrt(value) if value >= 0 else math.nan

    @staticmethod
    @static("Pow", "System.Double", "System.Double")
    def _pow(_host: Any, base: float, exponent: float) -> float:
        try:
            return math.pow(base, exponent)
        except (OverflowError, ValueError):
            return math.inf if base > 0 else math.nan

    @staticmethod
    @static("Log", "System.Double")
    def _log(_host: Any, value: float) -> float:
        return math.log(value) if value > 0 else (-math.inf if value == 0 else math.nan)

    @staticmethod
    @static("Log10", "System.Double")
    def _log10(_host: Any, value: float) -> float:
        return math.log10(value) if value > 0 else (-math.inf if value == 0 else math.nan)

    @staticmethod
    @static("Sign", "System.Int32")
    def _sign_int(_host: Any, value: int) -> int:
        return (value > 0) - (value < 0)

    @staticmethod
    @static("Sign", "System.Double")
    def _sign_double(_host: Any, value: float) -> int:
        if math.isnan(value):
            raise net_error(
                "System.ArithmeticException", "Function does not accept floating point Not-a-Number values."
            )
        return (value > 0) - (value < 0)


# -- Guid -------------------------------------------------------------------------------------------------------


@net_type("System.Guid", base="System.ValueType", interfaces=("System.IFormattable", "System.IComparable"),
          value_type=True)  # fmt: skip
class Guid(NetObject):
    def __init__(self, value: uuid.UUID) -> None:
        self.value = value

    def __eq__(self, other: object) -> bool:
        return isinstance(other, Guid) and other.value == self.value

    def __hash__(self) -> int:
        return hash(self.value)

    def to_string(self) -> str:
        return str(self.value)

    def formatted(self, text: str | None) -> str:
        letter = (text or "D").upper()
        plain = str(self.value)
        if letter == "D" and (text or "D") in ("D", "d"):
            return plain
        if letter == "N" and len(text or "") == 1:
            return self.value.hex
        if letter == "B" and len(text or "") == 1:
            return "{" + plain + "}"
        if letter == "P" and len(text or "") == 1:
            return "(" + plain + ")"
        raise net_error(
            "System.FormatException", 'Format String can be only "D", "d", "N", "n", "P", "p", "B", "b", "X" or "x".'
        )

    @staticmethod
    @static("NewGuid")
    def _new(_host: Any) -> Guid:
        return Guid(uuid.uuid4())

    @staticmethod
    @prop("Empty", static_member=True)
    def _empty(_host: Any) -> Guid:
        return Guid(uuid.UUID(int=0))

    @staticmethod
    @constructor("System.String")
    def _parse(_host: Any, text: str) -> Guid:
        if text is None:
            raise argument_null("g")
        try:
            return Guid(uuid.UUID(text.strip()))
        except ValueError:
            raise net_error("System.FormatException", "Unrecognized Guid format.") from None

    @staticmethod
    @static("Parse", "System.String", since=CLR4)
    def _static_parse(_host: Any, text: str) -> Guid:
        return Guid._parse(_host, text)

    @staticmethod
    @constructor("System.Byte[]")
    def _from_bytes(_host: Any, data: PSArray) -> Guid:
        raw = bytes_of(data, "b")
        if len(raw) != 16:
            raise argument_exception("Byte array for GUID must be exactly 16 bytes long.", "")
        return Guid(uuid.UUID(bytes_le=raw))

    @method("ToString")
    def _to_string(self) -> str:
        return str(self.value)

    @method("ToString", "System.String")
    def _to_string_format(self, text: str | None) -> str:
        return self.formatted(text)

    @method("ToByteArray")
    def _to_bytes(self) -> PSArray:
        return byte_array(self.value.bytes_le)

    @method("Equals", "System.Object")
    def _equals(self, other: Any) -> bool:
        return self == other


# -- IO ---------------------------------------------------------------------------------------------------------

_INVALID_PATH = set('"<>|') | {chr(code) for code in range(32)}


def _check_path(path: str | None, parameter: str = "path") -> str:
    if path is None:
        raise argument_null(parameter)
    if any(character in _INVALID_PATH for character in path):
        raise net_error("System.ArgumentException", "Illegal characters in path.")  # Argument_InvalidPathChars
    return path


def _is_rooted(path: str) -> bool:
    return path[:1] in ("\\", "/") or (len(path) >= 2 and path[1] == ":")


def _combine(first: str, second: str) -> str:
    """Path.Combine: the second part when it is rooted, else the two joined by one separator."""
    _check_path(first, "path1")
    _check_path(second, "path2")
    if not second:
        return first
    if not first or _is_rooted(second):
        return second
    separator = "" if first[-1] in "\\/:" else "\\"
    return first + separator + second


def full_path(path: str, state: ProcessState) -> str:
    """Path.GetFullPath: relative to the process's current directory; '/' read as '\\'; '.' and '..' resolved."""
    _check_path(path)
    if not path.strip():
        raise net_error("System.ArgumentException", "The path is not of a legal form.")
    text = path.replace("/", "\\")
    if text.startswith("\\\\"):
        raise NotModelled("UNC paths")
    if len(text) >= 2 and text[1] == ":" and text[2:3] != "\\":
        if text[0].lower() != state.current_directory[0].lower():
            raise NotModelled("a drive-relative path on another drive")
        text = state.current_directory + "\\" + text[2:]
    elif text.startswith("\\"):
        text = state.current_directory[:2] + text
    elif not _is_rooted(text):
        text = state.current_directory.rstrip("\\") + "\\" + text
    drive, rest = text[:2], text[3:]
    parts: list[str] = []
    for part in rest.split("\\"):
        if part in ("", "."):
            continue
        if part == "..":
            if parts:
                parts.pop()
            continue
        parts.append(part.rstrip(". ") or part)
    trailing = "\\" if text.endswith("\\") and parts else ""
    return drive.upper()[0] + ":\\" + "\\".join(parts) + trailing


def _directory_name(path: str) -> str | None:
    _check_path(path)
    text = path.replace("/", "\\")
    if text in ("", "\\") or (len(text) <= 3 and len(text) >= 2 and text[1] == ":"):
        return None
    cut = max(text.rfind("\\"), text.rfind(":") if len(text) > 1 and text[1] == ":" else -1)
    if cut < 0:
        return ""
    head = text[:cut]
    if len(head) == 2 and head[1] == ":":
        return head + "\\"
    return head if head else "\\"


def _file_name(path: str | None) -> str | None:
    if path is None:
        return None
    _check_path(path)
    cut = max(path.rfind("\\"), path.rfind("/"), path.rfind(":"))
    return path[cut + 1 :]


def _extension(path: str | None) -> str | None:
    name = _file_name(path)
    if name is None:
        return None
    dot = name.rfind(".")
    return "" if dot < 0 or dot == len(name) - 1 else name[dot:]


@net_type("System.IO.Path")
class NetPath(NetObject):
    @staticmethod
    @prop("DirectorySeparatorChar", static_member=True)
    def _separator(_host: Any) -> str:
        from ..values import Char

        return Char("\\")

    @staticmethod
    @prop("AltDirectorySeparatorChar", static_member=True)
    def _alt_separator(_host: Any) -> str:
        from ..values import Char

        return Char("/")

    @staticmethod
    @prop("PathSeparator", static_member=True)
    def _path_separator(_host: Any) -> str:
        from ..values import Char

        return Char(";")

    @staticmethod
    @prop("VolumeSeparatorChar", static_member=True)
    def _volume_separator(_host: Any) -> str:
        from ..values import Char

        return Char(":")

    @staticmethod
    @static("GetTempPath")
    def _temp_path(host: Any) -> str:
        """GetTempPath: TMP, else TEMP, else USERPROFILE, else the Windows directory; with a trailing separator."""
        environment = process_state(host).environment
        for name in ("TMP", "TEMP", "USERPROFILE"):
            if environment.get(name):
                return full_path(environment[name], process_state(host)).rstrip("\\") + "\\"
        return "C:\\Windows\\"

    @staticmethod
    @static("GetTempFileName")
    def _temp_file_name(host: Any) -> str:
        """GetTempFileName: a new empty file tmpXXXX.tmp (hexadecimal, upper case) in the temporary directory."""
        state = process_state(host)
        directory = NetPath._temp_path(host).rstrip("\\")
        files = host.machine.files
        if not files.is_directory(directory):
            raise net_error("System.IO.IOException", "The directory name is invalid.\r\n")  # ERROR_DIRECTORY
        for _attempt in range(0x10000):
            state.temp_counter = (state.temp_counter + 1) & 0xFFFF or 1
            candidate = f"{directory}\\tmp{state.temp_counter:X}.tmp"
            if not files.is_file(candidate):
                files.write(candidate, b"")
                return candidate
        raise net_error("System.IO.IOException", "The file exists.\r\n")  # ERROR_FILE_EXISTS

    @staticmethod
    @static("GetRandomFileName")
    def _random_file_name(_host: Any) -> str:
        alphabet = "abcdefghijklmnopqrstuvwxyz012345"
        name = "".join(random.choice(alphabet) for _letter in range(11))
        return name[:8] + "." + name[8:]

    @staticmethod
    @static("Combine", "System.String", "System.String")
    def _combine2(_host: Any, first: str, second: str) -> str:
        return _combine(first, second)

    @staticmethod
    @static("Combine", "System.String", "System.String", "System.String", since=CLR4)
    def _combine3(_host: Any, first: str, second: str, third: str) -> str:
        return _combine(_combine(first, second), third)

    @staticmethod
    @static("Combine", "System.String[]", since=CLR4, params=True)
    def _combine_many(_host: Any, parts: Any) -> str:
        if parts is None:
            raise argument_null("paths")
        result = ""
        for part in parts:
            result = _combine(result, part)
        return result

    @staticmethod
    @static("GetFileName", "System.String")
    def _get_file_name(_host: Any, path: str | None) -> str | None:
        return _file_name(path)

    @staticmethod
    @static("GetFileNameWithoutExtension", "System.String")
    def _get_file_stem(_host: Any, path: str | None) -> str | None:
        name = _file_name(path)
        if name is None:
            return None
        dot = name.rfind(".")
        return name if dot < 0 else name[:dot]

    @staticmethod
    @static("GetExtension", "System.String")
    def _get_extension(_host: Any, path: str | None) -> str | None:
        return _extension(path)

    @staticmethod
    @static("HasExtension", "System.String")
    def _has_extension(_host: Any, path: str | None) -> bool:
        return bool(_extension(path))

    @staticmethod
    @static("ChangeExtension", "System.String", "System.String")
    def _change_extension(_host: Any, path: str | None, extension: str | None) -> str | None:
        if path is None:
            return None
        name = _file_name(path) or ""
        dot = name.rfind(".")
        stem = path[: len(path) - len(name) + dot] if dot >= 0 else path
        if extension is None:
            return stem
        return stem + ("" if extension.startswith(".") or not extension else ".") + extension

    @staticmethod
    @static("GetDirectoryName", "System.String")
    def _get_directory_name(_host: Any, path: str | None) -> str | None:
        if path is None:
            return None
        if not path.strip():
            raise net_error("System.ArgumentException", "The path is not of a legal form.")
        return _directory_name(path)

    @staticmethod
    @static("GetFullPath", "System.String")
    def _get_full_path(host: Any, path: str) -> str:
        return full_path(path, process_state(host))

    @staticmethod
    @static("IsPathRooted", "System.String")
    def _is_path_rooted(_host: Any, path: str | None) -> bool:
        return path is not None and _is_rooted(_check_path(path))

    @staticmethod
    @static("GetPathRoot", "System.String")
    def _get_path_root(_host: Any, path: str | None) -> str | None:
        if path is None:
            return None
        _check_path(path)
        if len(path) >= 2 and path[1] == ":":
            return path[:3] if path[2:3] in ("\\", "/") else path[:2]
        return "\\" if path[:1] in ("\\", "/") else ""


def _resolve(path: str | None, parameter: str = "path") -> tuple[Host, str]:
    host, state = _process()
    if path is None:
        raise argument_null(parameter)
    if path == "":
        raise argument_exception("Empty path name is not legal.", parameter)  # Argument_EmptyPath
    return host, full_path(path, state)


def _missing(host: Host, path: str) -> NetException:
    parent = _directory_name(path)
    if parent is not None and not host.machine.files.is_directory(parent):
        return net_error("System.IO.DirectoryNotFoundException", f"Could not find a part of the path '{path}'.")
    return net_error("System.IO.FileNotFoundException", f"Could not find file '{path}'.")


def read_file_bytes(path: str) -> bytes | None:
    """The bytes of a file of the current host (None when it does not exist), for APIs that read files."""
    host, full = _resolve(path, "fileName")
    return host.machine.files.read(full)


def _read(path: str | None) -> bytes:
    host, full = _resolve(path)
    files = host.machine.files
    if files.is_directory(full):
        raise net_error("System.UnauthorizedAccessException", f"Access to the path '{full}' is denied.")
    data = files.read(full)
    if data is None:
        raise _missing(host, full)
    return data


def _write(path: str | None, data: bytes, *, append: bool = False) -> None:
    host, full = _resolve(path)
    files = host.machine.files
    if files.is_directory(full):
        raise net_error("System.UnauthorizedAccessException", f"Access to the path '{full}' is denied.")
    parent = _directory_name(full)
    if parent is not None and not files.is_directory(parent):
        raise net_error("System.IO.DirectoryNotFoundException", f"Could not find a part of the path '{full}'.")
    files.write(full, (files.read(full) or b"") + data if append else data)


def _decode(data: bytes, encoding: Any = None) -> str:
    """StreamReader with encoding detection: a UTF-8, UTF-16 or UTF-32 byte order mark wins; else the encoding
    given (default UTF-8)."""
    from .text import make_encoding

    for mark, code_page in ((b"\xef\xbb\xbf", 65001), (b"\xff\xfe\x00\x00", 12000), (b"\xff\xfe", 1200),
                            (b"\xfe\xff", 1201)):  # fmt: skip
        if data.startswith(mark):
            return make_encoding(code_page).decode(data[len(mark) :])
    return (encoding or make_encoding(65001)).decode(data)


def _encode(text: str, encoding: Any = None) -> bytes:
    """StreamWriter: UTF-8 without a byte order mark by default (File.WriteAllText docs), else the encoding's
    preamble and bytes."""
    if encoding is None:
        return _utf8_plain(text)
    return bytes(encoding._get_preamble()) + encoding.encode(text)


def _utf8_plain(text: str) -> bytes:
    from .text import make_encoding

    return make_encoding(65001, preamble=False).encode(text)


def _lines(text: str) -> list[str]:
    """StreamReader.ReadLine: lines end at CR LF, LF or CR."""
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    return lines[:-1] if lines and lines[-1] == "" else lines


@net_type("System.IO.File")
class NetFile(NetObject):
    @staticmethod
    @static("Exists", "System.String")
    def _exists(_host: Any, path: str | None) -> bool:
        if not path:
            return False
        try:
            host, full = _resolve(path)
        except NetException:
            return False
        return host.machine.files.is_file(full)

    @staticmethod
    @static("ReadAllBytes", "System.String")
    def _read_bytes(_host: Any, path: str) -> PSArray:
        return byte_array(_read(path))

    @staticmethod
    @static("WriteAllBytes", "System.String", "System.Byte[]")
    def _write_bytes(_host: Any, path: str, data: PSArray) -> None:
        _write(path, bytes_of(data, "bytes"))

    @staticmethod
    @static("ReadAllText", "System.String")
    def _read_text(_host: Any, path: str) -> str:
        return _decode(_read(path))

    @staticmethod
    @static("ReadAllText", "System.String", "System.Text.Encoding")
    def _read_text_encoding(_host: Any, path: str, encoding: Any) -> str:
        if encoding is None:
            raise argument_null("encoding")
        return _decode(_read(path), encoding)

    @staticmethod
    @static("ReadAllLines", "System.String")
    def _read_lines(_host: Any, path: str) -> PSArray:
        return PSArray(_lines(_decode(_read(path))), element_type="System.String")

    @staticmethod
    @static("WriteAllText", "System.String", "System.String")
    def _write_text(_host: Any, path: str, text: str | None) -> None:
        _write(path, _encode(text or ""))

    @staticmethod
    @static("WriteAllText", "System.String", "System.String", "System.Text.Encoding")
    def _write_text_encoding(_host: Any, path: str, text: str | None, encoding: Any) -> None:
        if encoding is None:
            raise argument_null("encoding")
        _write(path, _encode(text or "", encoding))

    @staticmethod
    @static("WriteAllLines", "System.String", "System.String[]")
    def _write_lines(_host: Any, path: str, lines: Any) -> None:
        if lines is None:
            raise argument_null("contents")
        _write(path, _encode("".join((line or "") + "\r\n" for line in lines)))

    @staticmethod
    @static("AppendAllText", "System.String", "System.String")
    def _append_text(_host: Any, path: str, text: str | None) -> None:
        _write(path, _utf8_plain(text or ""), append=True)

    @staticmethod
    @static("Delete", "System.String")
    def _delete(_host: Any, path: str) -> None:
        """File.Delete: no exception when the file does not exist, DirectoryNotFoundException when its directory
        does not."""
        host, full = _resolve(path)
        files = host.machine.files
        if files.is_directory(full):
            raise net_error("System.UnauthorizedAccessException", f"Access to the path '{full}' is denied.")
        parent = _directory_name(full)
        if parent is not None and not files.is_directory(parent):
            raise net_error("System.IO.DirectoryNotFoundException", f"Could not find a part of the path '{full}'.")
        files.delete(full)

    @staticmethod
    @static("Copy", "System.String", "System.String")
    def _copy(_host: Any, source: str, target: str) -> None:
        NetFile._copy_overwrite(_host, source, target, False)

    @staticmethod
    @static("Copy", "System.String", "System.String", "System.Boolean")
    def _copy_overwrite(_host: Any, source: str, target: str, overwrite: bool) -> None:
        data = _read(source)
        host, full = _resolve(target, "destFileName")
        if host.machine.files.is_file(full) and not overwrite:
            raise net_error("System.IO.IOException", f"The file '{full}' already exists.")
        _write(target, data)

    @staticmethod
    @static("Move", "System.String", "System.String")
    def _move(_host: Any, source: str, target: str) -> None:
        data = _read(source)
        host, full = _resolve(target, "destFileName")
        if host.machine.files.is_file(full):
            raise net_error("System.IO.IOException", "Cannot create a file when that file already exists.\r\n")
        _write(target, data)
        host.machine.files.delete(_resolve(source)[1])


@net_type("System.IO.Directory")
class NetDirectory(NetObject):
    @staticmethod
    @static("Exists", "System.String")
    def _exists(_host: Any, path: str | None) -> bool:
        if not path:
            return False
        try:
            host, full = _resolve(path)
        except NetException:
            return False
        return host.machine.files.is_directory(full)

    @staticmethod
    @static("CreateDirectory", "System.String")
    def _create(_host: Any, path: str) -> DirectoryInfo:
        host, full = _resolve(path)
        if host.machine.files.is_file(full):
            raise net_error(
                "System.IO.IOException",
                f'Cannot create "{full}" because a file or directory with the same name already exists.',
            )
        host.machine.files.make_directory(full)
        return DirectoryInfo(full)


@net_type("System.IO.DirectoryInfo", base="System.IO.FileSystemInfo")
class DirectoryInfo(NetObject):
    def __init__(self, path: str) -> None:
        self.path = path

    def to_string(self) -> str:
        return self.path

    @prop("FullName")
    def _full_name(self) -> str:
        return self.path

    @prop("Name")
    def _name(self) -> str:
        return _file_name(self.path.rstrip("\\")) or self.path

    @prop("Exists")
    def _exists(self) -> bool:
        host = current_host()
        return host is not None and host.machine.files.is_directory(self.path)
