"""Services, the event log, WMI and external programs, against the cmdlets' help pages, the Win32 class pages and the
resources / sources of the PowerShell code base (ServiceResources.resx, Eventlog.cs)."""

from __future__ import annotations

import pytest

from tests.lab.hosts.specs import PRESETS
from tests.lab.hosts.state import HostState

from .cmdlet_host import error_text, run


def ok(script: str, preset: str = "2010", machine: HostState | None = None) -> list[str]:
    result = run(script, preset, machine=machine)
    assert result.stderr == "", error_text(result.stderr)
    return result.lines


def test_get_service_objects() -> None:
    # Get-Service help: ServiceController objects; Status is a ServiceControllerStatus.
    script = "$s = Get-Service -Name MSExchangeUM; $s.Name; $s.DisplayName; [string]$s.Status; $s.Status -eq 'Running'"
    assert ok(script) == [
        "MSExchangeUM", "Microsoft Exchange Unified Messaging", "Running", "True",
    ]  # fmt: skip


def test_get_service_missing_name() -> None:
    # ServiceResources.resx NoServiceFoundForGivenName; ObjectNotFound, ServiceCommandException, non-terminating.
    result = run("Get-Service -Name Nope; 'next'; $null -eq (Get-Service -Name Nope -ErrorAction SilentlyContinue)")
    assert result.lines == ["next", "True"]
    text = error_text(result.stderr)
    assert "Cannot find any service with service name 'Nope'." in text
    assert "NoServiceFoundForGivenName,Microsoft.PowerShell.Commands.GetServiceCommand" in text
    assert "ServiceCommandException" in text


def test_get_service_wildcards_match_without_error() -> None:
    script = "(Get-Service -Name 'MSExchangeUM*' | Measure-Object).Count; (Get-Service 'Zz*' | Measure-Object).Count"
    assert ok(script, "2013") == [
        "2", "0",
    ]  # fmt: skip


def test_restart_service_charges_the_restart_and_stop_changes_state() -> None:
    # Restart-Service help: stops and starts; the latency model charges service_restart_seconds for it.
    result = run(
        "Restart-Service MSExchangeUM; Stop-Service -Name MSExchangeUM; [string](Get-Service MSExchangeUM).Status"
    )
    assert result.lines == ["Stopped"]
    assert result.machine.services["MSExchangeUM"].status == "Stopped"
    spec = PRESETS["2010"]
    assert result.host.work.seconds == pytest.approx(spec.service_restart_seconds * 1.5)


def test_start_service_of_a_disabled_service() -> None:
    # ServiceResources.resx CouldNotStartService (OpenError).
    spec = PRESETS["2010"]
    machine = HostState.fresh(spec)
    machine.services["MSExchangeUM"].status = "Stopped"
    machine.services["MSExchangeUM"].start_mode = "Disabled"
    result = run("Start-Service MSExchangeUM", machine=machine)
    text = error_text(result.stderr)
    assert "Service 'Microsoft Exchange Unified Messaging (MSExchangeUM)' cannot be started" in text
    assert "CouldNotStartService,Microsoft.PowerShell.Commands.StartServiceCommand" in text


def _machine_with_events(preset: str) -> HostState:
    machine = HostState.fresh(PRESETS[preset])
    machine.write_event(event_id=1000, source="Other", entry_type="Information", message="first")
    machine.write_event(event_id=1112, source="MSExchange Unified Messaging", entry_type="Information",
                        message="certificate AB12")  # fmt: skip
    machine.write_event(event_id=1001, source="Other", entry_type="Warning", message="third")
    return machine


def test_get_event_log_newest_first() -> None:
    # Eventlog.cs: entries enumerated from the newest, at most -Newest of them.
    script = (
        "$e = @(Get-EventLog -LogName Application -Newest 2); "
        "$e.Length; $e[0].Message; $e[1].EventID; [string]$e[0].EntryType"
    )
    assert ok(script, "2007sp1", _machine_with_events("2007sp1")) == ["2", "third", "1112", "Warning"]


def test_get_event_log_filters_only_from_2() -> None:
    # MS-PS2: -Source, -InstanceId, -After... arrive with 2.0; the 1.0 cmdlet has -LogName, -Newest, -List only.
    script = "@(Get-EventLog -LogName Application -Source 'MSExchange Unified Messaging').Length"
    assert ok(script, "2010", _machine_with_events("2010")) == ["1"]
    result = run(
        f"trap {{ $_.FullyQualifiedErrorId; exit 1 }}; {script}", "2007sp1", machine=_machine_with_events("2007sp1")
    )
    assert result.lines == ["NamedParameterNotFound,Microsoft.PowerShell.Commands.GetEventLogCommand"]


def test_get_event_log_no_matches() -> None:
    # Eventlog.cs / EventlogResources.resx: nothing written -> "No matches found" (GetEventLogNoEntriesFound).
    result = run("Get-EventLog -LogName Application -Newest 10; 'next'")
    assert result.lines == ["next"]
    assert "No matches found" in error_text(result.stderr)
    assert "GetEventLogNoEntriesFound,Microsoft.PowerShell.Commands.GetEventLogCommand" in error_text(result.stderr)


def test_get_event_log_unknown_log_is_terminating() -> None:
    # Eventlog.cs OutputEvents: ThrowTerminatingError "EventLogNotFound" with .NET's message. A cmdlet's terminating
    # error ends its statement, and the script goes on unless $ErrorActionPreference is Stop (about_Throw,
    # about_Preference_Variables: statement-terminating errors).
    result = run("Get-EventLog -LogName Nope; 'next statement'")
    assert result.lines == ["next statement"]
    assert "The event log 'Nope' on computer '.' does not exist." in error_text(result.stderr)
    stopped = run("$ErrorActionPreference = 'Stop'; Get-EventLog -LogName Nope; 'not reached'")
    assert stopped.lines == []
    assert "The event log 'Nope' on computer '.' does not exist." in error_text(stopped.stderr)


def test_win32_operating_system_and_computer_system() -> None:
    # Win32_OperatingSystem / Win32_ComputerSystem class pages: Caption, Version, BuildNumber, service pack;
    # Domain, PartOfDomain, DNSHostName (Vista/2008 and later).
    script = (
        "$o = Get-WmiObject -Class Win32_OperatingSystem; $o.Caption; $o.Version; $o.BuildNumber; "
        "$o.ServicePackMajorVersion; $o.OSArchitecture; "
        "$c = Get-WmiObject Win32_ComputerSystem; $c.DNSHostName; $c.Domain; $c.PartOfDomain; $null -eq $c.Workgroup"
    )
    assert ok(script) == [
        "Microsoft Windows Server 2008 R2 Enterprise", "6.1.7601", "7601", "1", "64-bit",
        "EXCH2010", "contoso.lab", "True", "True",
    ]  # fmt: skip


def test_wmi_object_type_names() -> None:
    # PowerShell's WMI adapter: PSObject.TypeNames starts with System.Management.ManagementObject#<namespace>\<class>.
    assert ok("(Get-WmiObject Win32_ComputerSystem).__CLASS") == ["Win32_ComputerSystem"]


def test_win32_service_with_a_name_filter() -> None:
    # Win32_Service class page: State and StartMode; -Filter is a WQL condition.
    assert ok("$s = Get-WmiObject -Class Win32_Service -Filter \"Name='MSExchangeUM'\"; $s.State; $s.StartMode") == [
        "Running", "Auto",
    ]  # fmt: skip


def test_unmodelled_wmi_class_and_remote_computer_are_refused() -> None:
    assert "The lab has no model" in error_text(run("Get-WmiObject Win32_Processor").stderr)
    assert "The lab has no model" in error_text(run("Get-WmiObject Win32_Service -ComputerName other").stderr)


def test_hostname_exe_prints_the_computer_name() -> None:
    # hostname.exe (Windows Commands): prints the host name; a native command's lines are pipeline strings.
    assert ok("$h = hostname; $h; $LASTEXITCODE", "2013") == ["EXCH2013", "0"]


def test_unmodelled_program_is_refused() -> None:
    assert "The lab has no model for this script: the program whoami.exe" in error_text(run("whoami /all").stderr)


def test_piped_service_controllers_are_restarted() -> None:
    # about_Pipelines: Restart-Service takes ServiceController objects from the pipeline (-InputObject); -PassThru.
    result = run("(Get-Service MSExchangeUM | Restart-Service -PassThru).Name", "2007sp1")
    assert result.lines == ["MSExchangeUM"], error_text(result.stderr)
    assert result.host.work.seconds == pytest.approx(PRESETS["2007sp1"].service_restart_seconds)
