"""Writing objects and messages: Write-Output, Write-Host, Write-Error, Write-Warning/Verbose/Debug, Out-Null,
Out-String.

Each cmdlet follows its help page (Microsoft.PowerShell.Utility, 1.0 through 5.1) and about_Redirection /
about_Preference_Variables for the streams: warnings, verbose and debug messages are written by the console host as
``WARNING: `` / ``VERBOSE: `` / ``DEBUG: `` lines, and only when their preference (or -WarningAction / -Verbose /
-Debug) lets them through.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..errors import ErrorRecord, NetException
from ._common import refuse
from ._input import input_objects


@cmdlet("Write-Output", positional=("InputObject",), remaining="InputObject")
def write_output(call: CmdletCall) -> Iterable[Any]:
    """Write-Output help: writes each object to the pipeline, enumerating collections. (-NoEnumerate is in the 5.0
    help; the version that added it is not confirmed, so the catalog does not list it and it is not implemented.)"""
    if call.has_input:
        return list(call.input)
    return call.engine.enumerate(call.get("InputObject"))


def _host_text(call: CmdletCall, value: Any, separator: str) -> str:
    """Write-Host help: an enumerable object's elements are written one after the other, joined by -Separator."""
    if isinstance(value, (list, tuple)):
        return separator.join(_host_text(call, item, separator) for item in call.engine.enumerate(value))
    return "" if value is None else call.engine.to_string(value)


@cmdlet("Write-Host", positional=("Object",), switches=("NoNewline",), remaining="Object")
def write_host(call: CmdletCall) -> None:
    """Write-Host help: the objects' text to the host, a space between them (-Separator), then a new line unless
    -NoNewline; -ForegroundColor / -BackgroundColor change only the console's colours."""
    separator = call.engine.to_string(call.get("Separator", " "))
    objects = input_objects(call, "Object")
    text = separator.join(_host_text(call, item, separator) for item in objects)
    call.engine.write_host(text if call.switch("NoNewline") else text + "\n")


@cmdlet("Write-Error", positional=("Message",))
def write_error(call: CmdletCall) -> None:
    """Write-Error help: a non-terminating error. Without -ErrorId the FullyQualifiedErrorId is
    ``Microsoft.PowerShell.Commands.WriteErrorException`` (the exception's type name) and the category NotSpecified;
    -ErrorRecord writes that record, -Exception that exception (its type name is then the error id)."""
    record = call.get("ErrorRecord")
    if isinstance(record, ErrorRecord):
        call.engine.write_error(
            record.exception.message, fqid=record.fqid, category=record.category,
            exception=record.exception.type_name, target=record.target, command=call.name,
            action=call.error_action,
        )  # fmt: skip
        return
    refuse(
        call, ("RecommendedAction", "CategoryActivity", "CategoryReason", "CategoryTargetName", "CategoryTargetType")
    )
    exception = call.get("Exception")
    exception_type = "Microsoft.PowerShell.Commands.WriteErrorException"
    message = call.engine.to_string(call.get("Message", ""))
    if isinstance(exception, NetException):
        exception_type = exception.type_name
        if not call.has("Message"):
            message = exception.message
    fqid = call.engine.to_string(call.get("ErrorId")) if call.has("ErrorId") else exception_type
    category = call.engine.to_string(call.get("Category")) if call.has("Category") else "NotSpecified"
    call.engine.write_error(
        message, fqid=fqid, category=category, exception=exception_type, target=call.get("TargetObject"),
        command=call.name, action=call.error_action,
    )  # fmt: skip


def _stream_message(
    call: CmdletCall, prefix: str, preference: str, action_parameter: str | None, switch: str | None
) -> None:
    """about_Preference_Variables: Continue writes the message, SilentlyContinue drops it; Stop and Inquire are not
    modelled. -WarningAction overrides $WarningPreference; -Verbose / -Debug turn their stream on for one call."""
    value = call.get(action_parameter) if action_parameter and call.has(action_parameter) else None
    if value is None and switch and call.has(switch):
        value = "Continue" if call.switch(switch) else "SilentlyContinue"
    if value is None:
        value = call.engine.variable(preference) or "SilentlyContinue"
    action = call.engine.to_string(value)
    if action.lower() in ("silentlycontinue", "ignore"):
        return
    if action.lower() != "continue":
        raise call.not_modelled(f"with the preference {action} (only Continue and SilentlyContinue are modelled)")
    message = call.engine.to_string(call.get("Message", ""))
    call.engine.write_host(f"{prefix}: {message}\n")


@cmdlet("Write-Warning", positional=("Message",))
def write_warning(call: CmdletCall) -> None:
    _stream_message(call, "WARNING", "WarningPreference", "WarningAction", None)


@cmdlet("Write-Verbose", positional=("Message",))
def write_verbose(call: CmdletCall) -> None:
    _stream_message(call, "VERBOSE", "VerbosePreference", None, "Verbose")


@cmdlet("Write-Debug", positional=("Message",))
def write_debug(call: CmdletCall) -> None:
    _stream_message(call, "DEBUG", "DebugPreference", None, "Debug")


@cmdlet("Out-Null")
def out_null(call: CmdletCall) -> None:
    """Out-Null help: deletes output instead of sending it down the pipeline."""
    input_objects(call)


@cmdlet("Out-String", switches=("Stream",))
def out_string(call: CmdletCall) -> Iterable[Any]:
    """Out-String help: the objects as the console would show them, as one string (with -Stream, one string per
    line). -Width is not modelled (the formatter's width is the engine's)."""
    refuse(call, ("Width",))
    text = call.engine.format_lines(input_objects(call, unroll_parameter=False))
    if not call.switch("Stream"):
        return [text]
    lines = text.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
