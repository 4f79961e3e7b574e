"""Errors inside the engine: .NET exceptions, PowerShell error records, and the lab's refusal to guess.

Language Specification 2.0 clause 8.x / about_Throw, about_Trap: a terminating error carries an ErrorRecord (its
exception, FullyQualifiedErrorId, CategoryInfo and InvocationInfo with the script position). ``NetException`` is a
.NET exception thrown by a simulated member; ``PSError`` is an ErrorRecord in flight; ``NotModelled`` is the lab's
loud failure for a construct, member or command it does not implement.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from .values import NetObject, find_type, net_type, prop

__all__ = [
    "ErrorRecord",
    "ExitScript",
    "FlowControl",
    "NetException",
    "NotModelled",
    "PSError",
    "Position",
]


class NotModelled(Exception):
    """The script asks for something the lab does not implement; ``reason`` names it (and ``line`` where)."""

    def __init__(self, reason: str, *, line: int | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


@dataclass(frozen=True)
class Position:
    """Where in a script an error happened: ``At line:L char:C`` and the source line."""

    line: int
    column: int
    source_line: str = ""
    length: int = 1
    text: str = ""


@net_type("System.Exception")
@dataclass(eq=False)
class NetException(NetObject, Exception):  # type: ignore[misc]
    """A .NET exception object: ``type_name`` is its full type name (System.FormatException, ...)."""

    type_name: str = "System.Exception"
    message: str = ""
    inner: NetException | None = None
    error_record: ErrorRecord | None = None

    def __post_init__(self) -> None:
        Exception.__init__(self, self.message)
        if find_type(self.type_name) is not None:  # GetType() is the exception's own type where it is registered
            self.net_type_name = self.type_name  # type: ignore[misc]

    @property
    def actual_type(self) -> str:
        return self.type_name

    @prop("Message")
    def _message(self) -> str:
        return self.message

    @prop("InnerException")
    def _inner(self) -> NetException | None:
        return self.inner

    def to_string(self) -> str:
        return f"{self.type_name}: {self.message}"


@net_type("System.Management.Automation.InvocationInfo")
@dataclass(eq=False)
class InvocationInfo(NetObject):
    position: Position | None
    command: str | None = None

    @prop("ScriptLineNumber")
    def _line(self) -> int:
        return 0 if self.position is None else self.position.line

    @prop("OffsetInLine")
    def _offset(self) -> int:
        return 0 if self.position is None else self.position.column

    @prop("Line")
    def _source(self) -> str:
        return "" if self.position is None else self.position.source_line

    @prop("PositionMessage")
    def _position_message(self) -> str:
        if self.position is None:
            return ""
        return f"At line:{self.position.line} char:{self.position.column}\r\n+ {self.position.source_line}"

    @prop("MyCommand")
    def _command(self) -> str | None:
        return self.command


@net_type("System.Management.Automation.ErrorCategoryInfo")
@dataclass(eq=False)
class ErrorCategoryInfo(NetObject):
    category: str
    activity: str = ""
    reason: str = ""
    target_name: str = ""

    @prop("Category")
    def _category(self) -> Any:
        from .dotnet.automation import error_category

        return error_category(self.category)

    @prop("Reason")
    def _reason(self) -> str:
        return self.reason

    @prop("TargetName")
    def _target_name(self) -> str:
        return self.target_name

    @prop("Activity")
    def _activity(self) -> str:
        return self.activity

    def to_string(self) -> str:
        return f"{self.category}: ({self.target_name}:{self.reason_type}) [{self.activity}], {self.reason}"

    @property
    def reason_type(self) -> str:
        return "String"


@net_type("System.Management.Automation.ErrorRecord")
@dataclass(eq=False)
class ErrorRecord(NetObject):
    """System.Management.Automation.ErrorRecord: what ``$_`` is in a trap or catch block."""

    exception: NetException
    fqid: str
    category: str = "NotSpecified"
    target: Any = None
    invocation: InvocationInfo | None = None
    command: str | None = None
    extra: dict[str, Any] = field(default_factory=dict)

    @prop("Exception")
    def _exception(self) -> NetException:
        return self.exception

    @prop("FullyQualifiedErrorId")
    def _fqid(self) -> str:
        return self.fqid

    @prop("CategoryInfo")
    def _category_info(self) -> ErrorCategoryInfo:
        return ErrorCategoryInfo(self.category, self.command or "", self.exception.type_name.rsplit(".", 1)[-1])

    @prop("TargetObject")
    def _target(self) -> Any:
        return self.target

    @prop("InvocationInfo")
    def _invocation(self) -> InvocationInfo | None:
        return self.invocation

    def to_string(self) -> str:
        """ErrorRecord.ToString() is the exception's message (about_Automatic_Variables, $Error)."""
        return self.exception.message


class PSError(Exception):
    """A terminating error in flight; ``record`` is what a trap or catch receives.

    ``script_terminating``: ``throw`` and errors made terminating by ``-ErrorAction Stop`` end the script unless a
    trap or catch takes them; every other terminating error (a runtime exception, a cmdlet's terminating error) ends
    only the statement it happened in (about_Throw, about_Preference_Variables; PowerShell-Docs' "statement-
    terminating" and "script-terminating" errors).
    """

    def __init__(self, record: ErrorRecord, *, script_terminating: bool = False) -> None:
        super().__init__(record.exception.message)
        self.record = record
        self.script_terminating = script_terminating


class FlowControl(Exception):
    """break / continue / return travelling up to the loop, switch or function that takes it."""

    def __init__(self, kind: str, label: str | None = None, value: Any = None) -> None:
        super().__init__(kind)
        self.kind = kind
        self.label = label
        self.value = value


class ExitScript(Exception):
    """``exit N``: ends the script (and powershell.exe with exit code N)."""

    def __init__(self, code: int) -> None:
        super().__init__(code)
        self.code = code
