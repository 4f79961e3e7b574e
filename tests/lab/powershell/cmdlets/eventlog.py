"""Get-EventLog over HostState.events (the Application log), and System.Diagnostics.EventLogEntry.

GetEventLogCommand (Eventlog.cs and EventlogResources.resx of the PowerShell sources, 2016): entries newest first,
at most -Newest of them (0: none, without error); -Source, -InstanceId, -EntryType, -Message, -Index, -After and
-Before (2.0, MS-PS2) filter; when nothing is written the cmdlet writes "No matches found"
(GetEventLogNoEntriesFound, ObjectNotFound, ArgumentException) unless a wildcard filter was given; a log that does
not exist ends the command with .NET's "The event log 'X' on computer '.' does not exist." (EventLogNotFound,
ObjectNotFound). That 1.0 also writes "No matches found" for an empty result is assumed (its source is not public).

The simulated machine has the logs Application, System and Security; only Application holds entries. InstanceId
is the event id (the severity bits of the message file are not simulated).
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable
from typing import Any

from ...hosts.state import EventRecord
from ..commands import CmdletCall, cmdlet
from ..dotnet.time import DateTime, from_python
from ..values import NetObject, TypedInt, enum_type, net_type, prop
from ._common import at_least, enum_of, has_wildcards, refuse, strings, wildcard_match

__all__ = ["EventLogEntry"]

# System.Diagnostics.EventLogEntryType (.NET reference).
ENTRY_TYPE = enum_type(
    "System.Diagnostics.EventLogEntryType",
    {"Error": 1, "Warning": 2, "Information": 4, "SuccessAudit": 8, "FailureAudit": 16},
)
_LOGS = ("Application", "System", "Security")


def _local_time(text: str) -> DateTime:
    moment = datetime.datetime.strptime(text, "%Y-%m-%dT%H:%M:%SZ").replace(tzinfo=datetime.timezone.utc)
    return from_python(moment).to_local()


@net_type("System.Diagnostics.EventLogEntry", base="System.ComponentModel.Component")
class EventLogEntry(NetObject):
    def __init__(self, record: EventRecord, machine_name: str) -> None:
        self.record = record
        self.machine_name = machine_name

    @prop("Index")
    def _index(self) -> int:
        return self.record.index

    @prop("EventID")
    def _event_id(self) -> int:
        return self.record.event_id

    @prop("InstanceId")
    def _instance_id(self) -> TypedInt:
        return TypedInt(self.record.event_id, "System.Int64")

    @prop("EntryType")
    def _entry_type(self) -> Any:
        return enum_of(ENTRY_TYPE.full_name, self.record.entry_type)

    @prop("Source")
    def _source(self) -> str:
        return self.record.source

    @prop("Message")
    def _message(self) -> str:
        return self.record.message

    @prop("TimeGenerated")
    def _time_generated(self) -> DateTime:
        return _local_time(self.record.time_generated)

    @prop("TimeWritten")
    def _time_written(self) -> DateTime:
        return _local_time(self.record.time_generated)

    @prop("MachineName")
    def _machine(self) -> str:
        return self.machine_name

    @prop("Category")
    def _category(self) -> str:
        return "(0)"

    @prop("CategoryNumber")
    def _category_number(self) -> int:
        return 0

    @prop("UserName")
    def _user(self) -> None:
        return None


def _filters(call: CmdletCall) -> tuple[list[Any], bool]:
    """The 2.0 filters as tests, and whether an empty result writes "No matches found" (not after a wildcard)."""
    tests: list[Any] = []
    complain = True
    sources = strings(call, call.get("Source"))
    if sources:
        complain = complain and not any(has_wildcards(source) for source in sources)
        tests.append(lambda record: any(wildcard_match(source, record.source) for source in sources))
    if call.has("InstanceId"):
        ids = [int(call.engine.convert(item, "System.Int64")) for item in call.engine.enumerate(call.get("InstanceId"))]
        tests.append(lambda record: record.event_id in ids)
    if call.has("Index"):
        indexes = [int(call.engine.convert(item, "System.Int32")) for item in call.engine.enumerate(call.get("Index"))]
        tests.append(lambda record: record.index in indexes)
    entry_types = [name.lower() for name in strings(call, call.get("EntryType"))]
    if entry_types:
        tests.append(lambda record: record.entry_type.lower() in entry_types)
    if call.has("Message"):
        pattern = call.engine.to_string(call.get("Message"))
        complain = complain and not has_wildcards(pattern)
        tests.append(lambda record: wildcard_match(pattern, record.message))
    if call.has("After"):
        after = call.engine.convert(call.get("After"), "System.DateTime")
        tests.append(lambda record: _local_time(record.time_generated) > after)
    if call.has("Before"):
        before = call.engine.convert(call.get("Before"), "System.DateTime")
        tests.append(lambda record: _local_time(record.time_generated) < before)
    return tests, complain


@cmdlet("Get-EventLog", positional=("LogName", "InstanceId"), switches=("List", "AsString", "AsBaseObject"))
def get_event_log(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("ComputerName", "List", "AsString", "UserName"))
    name = call.engine.to_string(call.get("LogName"))
    log = next((known for known in _LOGS if known.lower() == name.lower()), None)
    if log is None:
        if has_wildcards(name):
            raise call.not_modelled(f"-LogName {name!r} (wildcards)")
        call.throw(
            f"The event log '{name}' on computer '.' does not exist.", fqid="EventLogNotFound",
            category="ObjectNotFound", exception="System.InvalidOperationException",
        )  # fmt: skip
    newest = int(call.engine.convert(call.get("Newest"), "System.Int32")) if call.has("Newest") else 2**31 - 1
    if newest == 0:
        return []
    tests, complain = _filters(call) if at_least(call, "2.0") else ([], True)
    records = call.host.machine.events if log == "Application" else []
    found: list[EventLogEntry] = []
    for record in sorted(records, key=lambda entry: entry.index, reverse=True):
        if len(found) >= newest:
            break
        if all(test(record) for test in tests):
            found.append(EventLogEntry(record, call.host.spec.computer_name))
    if not found and complain:
        call.write_error(
            "No matches found", fqid="GetEventLogNoEntriesFound", category="ObjectNotFound",
            exception="System.ArgumentException",
        )  # fmt: skip
    return found
