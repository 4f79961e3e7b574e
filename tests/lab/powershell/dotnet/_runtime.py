"""What the simulated .NET members need from the process they run in, and the .NET exceptions they throw.

Instance members are called as ``impl(self, *args)``; the few that depend on the process (the current culture, the
host's time zone, the file system) find the host through :func:`current_host`, which the engine sets for the
duration of a command with :func:`running_on`. Outside a command (unit tests) they see the defaults a fresh host has.
"""

from __future__ import annotations

import contextlib
import contextvars
from collections.abc import Iterator
from typing import TYPE_CHECKING

from ..errors import NetException
from ..values import NetType, PSArray, find_type, register_type

if TYPE_CHECKING:
    from ..context import Host

__all__ = [
    "argument_exception",
    "argument_null",
    "argument_out_of_range",
    "byte_array",
    "bytes_of",
    "current_host",
    "ensure_type",
    "net_error",
    "running_on",
    "win32_message",
]

_HOST: contextvars.ContextVar[Host | None] = contextvars.ContextVar("powershell_host", default=None)


def current_host() -> Host | None:
    """The host whose powershell.exe process is running the member (None outside a command)."""
    return _HOST.get()


@contextlib.contextmanager
def running_on(host: Host) -> Iterator[None]:
    """Make ``host`` the current one while a command runs."""
    token = _HOST.set(host)
    try:
        yield
    finally:
        _HOST.reset(token)


def net_error(type_name: str, message: str, inner: NetException | None = None) -> NetException:
    return NetException(type_name=type_name, message=message, inner=inner)


# .NET Framework's ArgumentException.Message appends the parameter on its own line (mscorlib.txt
# Arg_ParamName_Name = "Parameter name: {0}", joined with Environment.NewLine).
def argument_exception(message: str, parameter: str, type_name: str = "System.ArgumentException") -> NetException:
    """An ArgumentException (or subclass); ``param_name`` is what ParamName returns."""
    exception = net_error(type_name, f"{message}\r\nParameter name: {parameter}" if parameter else message)
    exception.param_name = parameter or None  # type: ignore[attr-defined]
    return exception


def argument_null(parameter: str) -> NetException:
    # mscorlib.txt ArgumentNull_Generic = "Value cannot be null."
    return argument_exception("Value cannot be null.", parameter, "System.ArgumentNullException")


def argument_out_of_range(parameter: str, message: str) -> NetException:
    return argument_exception(message, parameter, "System.ArgumentOutOfRangeException")


# Messages of the Win32 / HRESULT codes the simulated members fail with, as FormatMessage returns them (with the
# trailing CRLF: CryptographicException(int) takes FormatMessage's text unchanged, mscorlib Win32Native.GetMessage).
_WIN32_MESSAGES = {
    2: "The system cannot find the file specified.",
    5: "Access is denied.",
    86: "The specified network password is not correct.",
    1223: "The operation was canceled by the user.",
    0x80092004: "Cannot find object or property.",
    0x80092009: "Cannot find the requested object.",
}


def win32_message(code: int) -> str:
    return _WIN32_MESSAGES[code] + "\r\n"


def byte_array(data: bytes) -> PSArray:
    """A System.Byte[] as the engine holds it."""
    return PSArray(list(data), element_type="System.Byte")


def bytes_of(value: PSArray | list[int] | bytes | None, parameter: str) -> bytes:
    """The bytes of a System.Byte[] argument (null: ArgumentNullException for ``parameter``)."""
    if value is None:
        raise argument_null(parameter)
    return bytes(value)


def ensure_type(full_name: str, base: str | None = "System.Object", interfaces: tuple[str, ...] = ()) -> NetType:
    """A type without members of its own (a base class, an interface): registered unless it already is, so a type
    the engine registered (with its members) is never replaced; interfaces it lacks are added."""
    existing = find_type(full_name)
    if existing is None or existing.full_name.lower() != full_name.lower():
        return register_type(NetType(full_name, base, interfaces))
    missing = tuple(name for name in interfaces if name not in existing.interfaces)
    if missing:
        existing.interfaces = existing.interfaces + missing
    return existing
