"""New-Object, Get-Variable, Set-Variable, Get-Date, Start-Sleep and Invoke-Expression.

Help pages of Microsoft.PowerShell.Utility (1.0 through 5.1); error texts from the PowerShell sources' resources
(SessionStateStrings, NewObjectStrings) where the text of 3.0 and later is meant, and from 2.0 transcripts for 1.0/2.0.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..dotnet.globalization import current_culture
from ..dotnet.time import DateTime, format_datetime, from_parts, now
from ..values import Hashtable, NetObject, PSObject, net_type, prop, type_of
from ._common import at_least, has_wildcards, refuse, strings

_PSOBJECT_NAMES = ("psobject", "system.management.automation.psobject")


def _set_properties(call: CmdletCall, target: Any, values: Hashtable) -> Any:
    """New-Object -Property (2.0): each key names a property the new object has and sets it; a PSObject gets them
    as note properties (the about_Object_Creation idiom ``New-Object PSObject -Property @{...}``)."""
    if isinstance(target, PSObject):
        for key, value in values.items():
            target.set(call.engine.to_string(key), value)
        return target
    for key, value in values.items():
        name = call.engine.to_string(key)
        member = type_of(target).find_member(name, runtime=call.host.runtime)
        if member is None or member.setter is None:
            raise call.not_modelled(f"-Property {name!r} (not a settable property of {type_of(target).full_name})")
        member.setter(target, value)
    return target


@cmdlet("New-Object", positional=("TypeName", "ArgumentList"), switches=("Strict",))
def new_object(call: CmdletCall) -> Iterable[Any]:
    """New-Object help: the constructor of -TypeName chosen by PowerShell's overload resolution for -ArgumentList;
    a type that does not exist is TypeNotFound (the engine's construct). -ComObject is not modelled."""
    refuse(call, ("ComObject", "Strict"))
    type_name = call.engine.to_string(call.get("TypeName"))
    arguments = call.get("ArgumentList")
    listed = (
        [] if arguments is None else call.engine.enumerate(arguments) if isinstance(arguments, list) else [arguments]
    )
    if type_name.lower() in _PSOBJECT_NAMES and not listed:
        created: Any = PSObject()
    else:
        created = call.engine.construct(type_name, listed)
    if call.has("Property"):
        values = call.get("Property")
        if not isinstance(values, Hashtable):
            raise call.not_modelled("-Property with a value that is not a hashtable")
        created = _set_properties(call, created, values)
    return [created]


# -- variables ---------------------------------------------------------------------------------------------------


@net_type("System.Management.Automation.PSVariable")
class PSVariable(NetObject):
    """What Get-Variable returns: Name and Value (Description, Options and the rest are not modelled)."""

    def __init__(self, name: str, value: Any) -> None:
        self.name = name
        self.value = value

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("Value")
    def _value(self) -> Any:
        return self.value


def _variable_not_found(call: CmdletCall, name: str) -> None:
    """SessionStateStrings VariableNotFound: "Cannot find a variable with the name 'X'." from 3.0 (the resource of the
    PowerShell sources and 5.1 transcripts); 2.0 transcripts read "with name 'X'" (a 2.0-era module's test asserts
    that text). ObjectNotFound, ItemNotFoundException, the variable name as target."""
    article = "the name" if at_least(call, "3.0") else "name"
    call.write_error(
        f"Cannot find a variable with {article} '{name}'.", fqid="VariableNotFound", category="ObjectNotFound",
        exception="System.Management.Automation.ItemNotFoundException", target=name,
    )  # fmt: skip


@cmdlet("Get-Variable", positional=("Name",), switches=("ValueOnly",))
def get_variable(call: CmdletCall) -> Iterable[Any]:
    """Get-Variable help: the variables named by -Name (a missing one is the non-terminating VariableNotFound error);
    -ValueOnly returns the values. Wildcards, -Scope other than the current one, -Include/-Exclude are not modelled."""
    refuse(call, ("Scope", "Include", "Exclude"))
    names = strings(call, call.get("Name"))
    if not names:
        raise call.not_modelled("without -Name (listing every variable)")
    found: list[Any] = []
    for name in names:
        if has_wildcards(name):
            raise call.not_modelled(f"-Name {name!r} (wildcards)")
        exists, value = call.engine.scope.lookup(name)
        if not exists:
            _variable_not_found(call, name)
            continue
        found.append(value if call.switch("ValueOnly") else PSVariable(name, value))
    return found


@cmdlet("Set-Variable", positional=("Name", "Value"), switches=("PassThru", "Force"))
def set_variable(call: CmdletCall) -> Iterable[Any]:
    """Set-Variable help: sets -Value (or the piped object) on each -Name in the current scope; -PassThru returns the
    variable. -Scope, -Option, -Visibility, -Description are not modelled."""
    refuse(call, ("Scope", "Option", "Visibility", "Description", "Include", "Exclude"))
    value = call.input[-1] if call.has_input and call.input else call.get("Value")
    created = []
    for name in strings(call, call.get("Name")):
        call.engine.set_variable(name, value)
        created.append(PSVariable(name, value))
    return created if call.switch("PassThru") else []


# -- dates and time ----------------------------------------------------------------------------------------------


@cmdlet("Get-Date", positional=("Date",))
def get_date(call: CmdletCall) -> Iterable[Any]:
    """Get-Date help: the host's local time (or -Date), with -Year ... -Second replacing parts; -Format gives the
    DateTime.ToString(format) text in the current culture. -UFormat and -DisplayHint are not modelled."""
    refuse(call, ("UFormat", "DisplayHint"))
    value = call.get("Date")
    moment: DateTime = call.engine.convert(value, "System.DateTime") if value is not None else now(call.host).to_local()
    parts = {}
    for name in ("Year", "Month", "Day", "Hour", "Minute", "Second", "Millisecond"):
        if call.has(name):
            parts[name] = int(call.engine.convert(call.get(name), "System.Int32"))
    if parts:
        current = moment.as_python()
        moment = from_parts(
            parts.get("Year", current.year), parts.get("Month", current.month), parts.get("Day", current.day),
            parts.get("Hour", current.hour), parts.get("Minute", current.minute), parts.get("Second", current.second),
            parts.get("Millisecond", current.microsecond // 1000), kind=moment.kind,
        )  # fmt: skip
    if call.has("Format"):
        return [format_datetime(moment, call.engine.to_string(call.get("Format")), current_culture())]
    return [moment]


@cmdlet("Start-Sleep", positional=("Seconds",))
def start_sleep(call: CmdletCall) -> None:
    """Start-Sleep help: suspends the script for -Seconds or -Milliseconds. The lab never sleeps: the time is charged
    to the command's simulated seconds (the latency model sleeps it, scaled, outside the host's lock)."""
    if call.has("Milliseconds"):
        seconds = int(call.engine.convert(call.get("Milliseconds"), "System.Int32")) / 1000
    else:
        seconds = int(call.engine.convert(call.get("Seconds", 0), "System.Int32"))
    if seconds < 0:
        raise call.not_modelled("with a negative time")
    call.host.work.charge("Start-Sleep", float(seconds))


@cmdlet("Invoke-Expression", positional=("Command",))
def invoke_expression(call: CmdletCall) -> None:
    """Never modelled: running text as code is what the host scripts must not do (host-facts.md, "never on input")."""
    raise call.not_modelled("(running a string as code)")
