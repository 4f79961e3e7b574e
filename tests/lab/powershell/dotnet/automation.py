"""System.Management.Automation bits the scripts construct: ErrorCategory, ErrorRecord, PSCredential, the
exception types, SecureString and NetworkCredential.

Exceptions are errors.NetException objects whose ``type_name`` is the .NET type; every type here is registered with
its base types, so ``catch [System.ArgumentException]`` and ``-is`` see the hierarchy. A constructor given a null
message gets .NET's default text (Exception.Message: "Exception of type '{0}' was thrown."), the parameterless ones
the text of the type's own resource string (mscorlib.txt, System.txt; RuntimeException() passes nothing to
SystemException(), whose text is "System error.").
"""

from __future__ import annotations

from typing import Any

from ..errors import ErrorRecord, NetException
from ..values import (
    CLR4,
    EnumValue,
    NetObject,
    NetType,
    Overload,
    constructor,
    enum_type,
    enum_value,
    find_type,
    members_of,
    method,
    net_type,
    prop,
)
from ._runtime import argument_exception, argument_null, argument_out_of_range, ensure_type, net_error

__all__ = ["ERROR_CATEGORY", "NetworkCredential", "PSCredential", "SecureString", "error_category", "secure_string"]

SMA = "System.Management.Automation."

_CATEGORIES = (
    "NotSpecified", "OpenError", "CloseError", "DeviceError", "DeadlockDetected", "InvalidArgument", "InvalidData",
    "InvalidOperation", "InvalidResult", "InvalidType", "MetadataError", "NotImplemented", "NotInstalled",
    "ObjectNotFound", "OperationStopped", "OperationTimeout", "SyntaxError", "ParserError", "PermissionDenied",
    "ResourceBusy", "ResourceExists", "ResourceUnavailable", "ReadError", "WriteError", "FromStdErr", "SecurityError",
    "ProtocolError", "ConnectionError", "AuthenticationError", "LimitsExceeded", "QuotaExceeded", "NotEnabled",
)  # fmt: skip
# ErrorPackage.cs (PowerShell source): values 0-31 in this order. The Windows PowerShell 2.0 SDK reference lists the
# enum up to SecurityError; ProtocolError ... NotEnabled came with 3.0 (assumption: docs/lab.md), hence CLR 4.
ERROR_CATEGORY = enum_type(
    SMA + "ErrorCategory",
    {name: value for value, name in enumerate(_CATEGORIES)},
    member_since={name: CLR4 for name in _CATEGORIES[26:]},
)


def error_category(name: str) -> EnumValue:
    """The ErrorCategory value of a category name (errors.ErrorCategoryInfo.Category)."""
    for value, each in enumerate(_CATEGORIES):
        if each.lower() == name.lower():
            return enum_value(ERROR_CATEGORY, value)
    raise ValueError(f"no ErrorCategory named {name!r}")


# -- exception types --------------------------------------------------------------------------------------------

_ARGUMENT_TEXT = "Value does not fall within the expected range."
# (type, base type, the message of the parameterless constructor)
_EXCEPTIONS = (
    ("System.SystemException", "System.Exception", "System error."),
    ("System.ApplicationException", "System.Exception", "Error in the application."),
    ("System.InvalidOperationException", "System.SystemException",
     "Operation is not valid due to the current state of the object."),
    ("System.ObjectDisposedException", "System.InvalidOperationException", None),
    ("System.ArgumentException", "System.SystemException", _ARGUMENT_TEXT),
    ("System.ArgumentNullException", "System.ArgumentException", "Value cannot be null."),
    ("System.ArgumentOutOfRangeException", "System.ArgumentException",
     "Specified argument was out of the range of valid values."),
    ("System.Text.DecoderFallbackException", "System.ArgumentException", _ARGUMENT_TEXT),
    ("System.FormatException", "System.SystemException", "One of the identified items was in an invalid format."),
    ("System.NotSupportedException", "System.SystemException", "Specified method is not supported."),
    ("System.NotImplementedException", "System.SystemException", "The method or operation is not implemented."),
    ("System.NullReferenceException", "System.SystemException",
     "Object reference not set to an instance of an object."),
    ("System.InvalidCastException", "System.SystemException", "Specified cast is not valid."),
    ("System.IndexOutOfRangeException", "System.SystemException", "Index was outside the bounds of the array."),
    ("System.ArithmeticException", "System.SystemException", "Overflow or underflow in the arithmetic operation."),
    ("System.OverflowException", "System.ArithmeticException", "Arithmetic operation resulted in an overflow."),
    ("System.DivideByZeroException", "System.ArithmeticException", "Attempted to divide by zero."),
    ("System.TimeoutException", "System.SystemException", "The operation has timed out."),
    ("System.UnauthorizedAccessException", "System.SystemException", "Attempted to perform an unauthorized operation."),
    ("System.Collections.Generic.KeyNotFoundException", "System.SystemException",
     "The given key was not present in the dictionary."),
    ("System.IO.IOException", "System.SystemException", "I/O error occurred."),
    ("System.IO.FileNotFoundException", "System.IO.IOException", "Unable to find the specified file."),
    ("System.IO.DirectoryNotFoundException", "System.IO.IOException",
     "Attempted to access a path that is not on the disk."),
    ("System.Runtime.InteropServices.ExternalException", "System.SystemException",
     "External component has thrown an exception."),
    ("System.ComponentModel.Win32Exception", "System.Runtime.InteropServices.ExternalException", None),
    ("System.Runtime.InteropServices.COMException", "System.Runtime.InteropServices.ExternalException", None),
    ("System.Security.SecurityException", "System.SystemException", "Security error."),
    ("System.Security.Cryptography.CryptographicException", "System.SystemException",
     "Error occurred during a cryptographic operation."),
    ("System.Security.Cryptography.CryptographicUnexpectedOperationException",
     "System.Security.Cryptography.CryptographicException", "Error occurred during a cryptographic operation."),
    (SMA + "RuntimeException", "System.SystemException", "System error."),
    (SMA + "MethodException", SMA + "RuntimeException", None),
    (SMA + "MethodInvocationException", SMA + "MethodException", None),
    (SMA + "PSInvalidOperationException", "System.InvalidOperationException", None),
    (SMA + "PSArgumentException", "System.ArgumentException", None),
    (SMA + "PSArgumentNullException", "System.ArgumentNullException", None),
    (SMA + "PSNotSupportedException", "System.NotSupportedException", None),
    (SMA + "ParentContainsErrorRecordException", "System.SystemException", None),
    (SMA + "ActionPreferenceStopException", SMA + "RuntimeException", None),
    (SMA + "SessionStateException", SMA + "RuntimeException", None),
    (SMA + "ItemNotFoundException", SMA + "SessionStateException", None),
    (SMA + "DriveNotFoundException", SMA + "SessionStateException", None),
    (SMA + "CommandNotFoundException", SMA + "RuntimeException", None),
    (SMA + "ParameterBindingException", SMA + "RuntimeException", None),
    (SMA + "PSInvalidCastException", "System.InvalidCastException", None),
    (SMA + "ExtendedTypeSystemException", SMA + "RuntimeException",
     None),
    (SMA + "GetValueInvocationException", SMA + "ExtendedTypeSystemException",
     None),
    (SMA + "SetValueInvocationException", SMA + "ExtendedTypeSystemException",
     None),
    (SMA + "Remoting.PSRemotingTransportException", SMA + "RuntimeException",
     None),
)  # fmt: skip


def _default_message(type_name: str) -> str:
    return f"Exception of type '{type_name}' was thrown."  # mscorlib.txt Exception_WasThrown


def _exception_constructors(net: NetType, empty_text: str | None) -> None:
    type_name = net.full_name

    def empty(_host: Any) -> NetException:
        return NetException(type_name=type_name, message=empty_text or _default_message(type_name))

    def with_message(_host: Any, message: str | None) -> NetException:
        return NetException(type_name=type_name, message=_default_message(type_name) if message is None else message)

    def with_inner(_host: Any, message: str | None, inner: NetException | None) -> NetException:
        exception = with_message(_host, message)
        exception.inner = inner
        return exception

    net.constructors += [
        Overload((), empty, static=True),
        Overload(("System.String",), with_message, static=True),
        Overload(("System.String", "System.Exception"), with_inner, static=True),
    ]


for _name, _base, _text in _EXCEPTIONS:
    _exception_constructors(ensure_type(_name, _base, ("System.Runtime.Serialization.ISerializable",)), _text)
_exception_constructors(find_type("System.Exception"), None)  # type: ignore[arg-type]


def _parameter_exception(type_name: str, message: str, parameter: str | None) -> NetException:
    return argument_exception(message, parameter or "", type_name)


@members_of("System.Exception")
class _ExceptionMembers:
    @method("ToString")
    def _to_string(self: NetException) -> str:
        return self.to_string()

    @method("GetBaseException")
    def _base(self: NetException) -> NetException:
        current = self
        while current.inner is not None:
            current = current.inner
        return current

    @prop("StackTrace")
    def _stack(self: NetException) -> None:
        return None

    @prop("Source")
    def _source(self: NetException) -> None:
        return None


@members_of(SMA + "RuntimeException")
class _RuntimeExceptionMembers:
    @prop("ErrorRecord")
    def _record(self: NetException) -> ErrorRecord | None:
        """RuntimeException.ErrorRecord (IContainsErrorRecord): PowerShell's exceptions carry the record that
        reported them; System.Exception has no such property."""
        return self.error_record


@members_of("System.ArgumentException")
class _ArgumentMembers:
    @staticmethod
    @constructor("System.String", "System.String")
    def _with_parameter(_host: Any, message: str | None, parameter: str | None) -> NetException:
        return _parameter_exception(
            "System.ArgumentException", message or "Value does not fall within the expected range.", parameter
        )

    @staticmethod
    @constructor("System.String", "System.String", "System.Exception")
    def _with_parameter_inner(_host: Any, message: str | None, parameter: str | None, inner: Any) -> NetException:
        exception = _ArgumentMembers._with_parameter(_host, message, parameter)
        exception.inner = inner
        return exception

    @prop("ParamName")
    def _parameter(self: NetException) -> str | None:
        return getattr(self, "param_name", None)


@members_of("System.ArgumentNullException")
class _ArgumentNullMembers:
    @staticmethod
    @constructor("System.String", "System.String")
    def _with_message(_host: Any, parameter: str | None, message: str | None) -> NetException:
        return _parameter_exception("System.ArgumentNullException", message or "Value cannot be null.", parameter)


@members_of("System.IO.FileNotFoundException")
class _FileNotFoundMembers:
    @staticmethod
    @constructor("System.String", "System.String")
    def _with_file(_host: Any, message: str | None, file_name: str | None) -> NetException:
        exception = NetException(
            type_name="System.IO.FileNotFoundException", message=message or "Unable to find the specified file."
        )
        exception.file_name = file_name  # type: ignore[attr-defined]
        return exception

    @prop("FileName")
    def _file_name(self: NetException) -> str | None:
        return getattr(self, "file_name", None)


# ArgumentNullException(string) and ArgumentOutOfRangeException(string) take the parameter name, not a message.
_PARAMETER_ONLY = (
    ("System.ArgumentNullException", "Value cannot be null."),
    ("System.ArgumentOutOfRangeException", "Specified argument was out of the range of valid values."),
)
for _type_name, _text in _PARAMETER_ONLY:
    _net = find_type(_type_name)
    assert _net is not None

    def _parameter_only(
        _host: Any, parameter: str | None, type_name: str = _type_name, text: str = _text
    ) -> NetException:
        return _parameter_exception(type_name, text, parameter)

    _net.constructors = [c for c in _net.constructors if c.parameters != ("System.String",)]
    _net.constructors.append(Overload(("System.String",), _parameter_only, static=True))


@members_of("System.ArgumentOutOfRangeException")
class _OutOfRangeMembers:
    @staticmethod
    @constructor("System.String", "System.String")
    def _with_message(_host: Any, parameter: str | None, message: str | None) -> NetException:
        return _parameter_exception(
            "System.ArgumentOutOfRangeException",
            message or "Specified argument was out of the range of valid values.",
            parameter,
        )


# -- ErrorRecord ----------------------------------------------------------------------------------------------------


@members_of(SMA + "ErrorRecord")
class _ErrorRecordMembers:
    @staticmethod
    @constructor("System.Exception", "System.String", SMA + "ErrorCategory", "System.Object")
    def _new(
        _host: Any, exception: NetException, error_id: str | None, category: EnumValue, target: Any
    ) -> ErrorRecord:
        """ErrorRecord(Exception, string errorId, ErrorCategory, object targetObject): a null errorId becomes ""."""
        if exception is None:
            raise argument_null("exception")
        return ErrorRecord(exception, error_id or "", category.name, target)


# -- SecureString, credentials --------------------------------------------------------------------------------------


@net_type("System.Security.SecureString", interfaces=("System.IDisposable",))
class SecureString(NetObject):
    """The characters of a secret; nothing of them appears in ToString, repr or ``dump``."""

    def __init__(self, characters: str = "") -> None:
        self._characters = list(characters)
        self._read_only = False

    def __repr__(self) -> str:
        return "SecureString(<hidden>)"

    def reveal(self) -> str:
        """The text, for the simulated APIs that hand it to Windows (NetworkCredential.Password, logons)."""
        return "".join(self._characters)

    def _writable(self) -> None:
        if self._read_only:
            raise net_error("System.InvalidOperationException", "Instance is read-only.")

    @staticmethod
    @constructor()
    def _new(_host: Any) -> SecureString:
        return SecureString()

    @prop("Length")
    def _length(self) -> int:
        return len(self._characters)

    @method("AppendChar", "System.Char")
    def _append(self, character: str) -> None:
        self._writable()
        self._characters.append(str(character))

    @method("InsertAt", "System.Int32", "System.Char")
    def _insert(self, index: int, character: str) -> None:
        self._writable()
        if not 0 <= index <= len(self._characters):
            raise argument_out_of_range(
                "index", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        self._characters.insert(index, str(character))

    @method("RemoveAt", "System.Int32")
    def _remove(self, index: int) -> None:
        self._writable()
        if not 0 <= index < len(self._characters):
            raise argument_out_of_range(
                "index", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        del self._characters[index]

    @method("SetAt", "System.Int32", "System.Char")
    def _set(self, index: int, character: str) -> None:
        self._writable()
        if not 0 <= index < len(self._characters):
            raise argument_out_of_range(
                "index", "Index was out of range. Must be non-negative and less than the size of the collection."
            )
        self._characters[index] = str(character)

    @method("Clear")
    def _clear(self) -> None:
        self._writable()
        self._characters.clear()

    @method("MakeReadOnly")
    def _make_read_only(self) -> None:
        self._read_only = True

    @method("IsReadOnly")
    def _is_read_only(self) -> bool:
        return self._read_only

    @method("Copy")
    def _copy(self) -> SecureString:
        return SecureString(self.reveal())

    @method("Dispose")
    def _dispose(self) -> None:
        self._characters.clear()
        self._read_only = True


def secure_string(text: str) -> SecureString:
    """A SecureString holding ``text`` (what ConvertTo-SecureString and Read-Host -AsSecureString make)."""
    return SecureString(text)


@net_type("System.Net.NetworkCredential", interfaces=("System.Net.ICredentials",))
class NetworkCredential(NetObject):
    def __init__(self, user: str = "", password: str = "", domain: str = "") -> None:
        self.user = user
        self._password = password
        self.domain = domain

    def __repr__(self) -> str:
        return f"NetworkCredential({self.user!r}, <hidden>, {self.domain!r})"

    @staticmethod
    @constructor()
    def _new(_host: Any) -> NetworkCredential:
        return NetworkCredential()

    @staticmethod
    @constructor("System.String", "System.String")
    def _pair(_host: Any, user: str | None, password: str | None) -> NetworkCredential:
        return NetworkCredential(user or "", password or "")

    @staticmethod
    @constructor("System.String", "System.String", "System.String")
    def _triple(_host: Any, user: str | None, password: str | None, domain: str | None) -> NetworkCredential:
        return NetworkCredential(user or "", password or "", domain or "")

    @prop("UserName", settable=True)
    def _user(self, *new: str) -> str | None:
        if new:
            self.user = new[0] or ""
            return None
        return self.user

    @prop("Password", settable=True)
    def _password_property(self, *new: str) -> str | None:
        if new:
            self._password = new[0] or ""
            return None
        return self._password

    @prop("SecurePassword", since=CLR4)
    def _secure(self) -> SecureString:
        return SecureString(self._password)

    @prop("Domain", settable=True)
    def _domain(self, *new: str) -> str | None:
        if new:
            self.domain = new[0] or ""
            return None
        return self.domain


@net_type(SMA + "PSCredential")
class PSCredential(NetObject):
    def __init__(self, user: str, password: SecureString) -> None:
        self.user = user
        self.password = password

    def __repr__(self) -> str:
        return f"PSCredential({self.user!r}, <hidden>)"

    @staticmethod
    @constructor("System.String", "System.Security.SecureString")
    def _new(_host: Any, user: str | None, password: SecureString | None) -> PSCredential:
        if not user:
            raise (
                argument_null("userName")
                if user is None
                else argument_exception(
                    "The argument is null or empty. Supply an argument that is not null or empty and then try the "
                    "command again.",
                    "userName",
                )
            )  # wording of PowerShell's empty-argument text: an assumption (docs/lab.md)
        if password is None:
            raise argument_null("password")
        return PSCredential(user, password)

    @staticmethod
    @prop("Empty", static_member=True)
    def _empty(_host: Any) -> PSCredential:
        return PSCredential("", SecureString())

    @prop("UserName")
    def _user(self) -> str:
        return self.user

    @prop("Password")
    def _password(self) -> SecureString:
        return self.password

    @method("GetNetworkCredential")
    def _network(self) -> NetworkCredential:
        """PSCredential.GetNetworkCredential: ``DOMAIN\\user`` splits into Domain and UserName; other forms keep the
        whole name as UserName with an empty Domain."""
        domain, _sep, user = self.user.rpartition("\\")
        return NetworkCredential(user, self.password.reveal(), domain)
