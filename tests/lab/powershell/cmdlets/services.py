"""Get-Service, Start-Service, Stop-Service, Restart-Service over HostState.services, and the ServiceController.

Help pages of Microsoft.PowerShell.Management (1.0 through 5.1); texts and ids from ServiceResources.resx and
ServiceCommands.cs (PowerShell sources, 2016). Time: a start and a stop each cost half of the host's
``service_restart_seconds`` and a restart all of it (the latency model; the split is the lab's own assumption).
Only the services the simulated machine has exist (the Exchange UM services): other Windows services are not
simulated, so Get-Service without -Name lists only those.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...hosts.state import Service
from ..commands import CmdletCall, cmdlet
from ..values import NetObject, enum_type, method, net_type, prop
from ._common import enum_of, has_wildcards, refuse, strings, wildcard_match

__all__ = ["ServiceController"]

# System.ServiceProcess.ServiceControllerStatus (.NET reference): Stopped 1 ... Paused 7.
SERVICE_STATUS = enum_type(
    "System.ServiceProcess.ServiceControllerStatus",
    {"Stopped": 1, "StartPending": 2, "StopPending": 3, "Running": 4, "ContinuePending": 5, "PausePending": 6,
     "Paused": 7},
)  # fmt: skip
_SERVICE_EXCEPTION = "Microsoft.PowerShell.Commands.ServiceCommandException"


@net_type("System.ServiceProcess.ServiceController", base="System.ComponentModel.Component")
class ServiceController(NetObject):
    """One service as .NET shows it; reads go to the simulated machine each time (as Refresh() would)."""

    def __init__(self, service: Service, machine_name: str = ".") -> None:
        self.service = service
        self.machine_name = machine_name

    @prop("Name")
    def _name(self) -> str:
        return self.service.name

    @prop("ServiceName")
    def _service_name(self) -> str:
        return self.service.name

    @prop("DisplayName")
    def _display_name(self) -> str:
        return self.service.display_name

    @prop("Status")
    def _status(self) -> Any:
        return enum_of(SERVICE_STATUS.full_name, self.service.status)

    @prop("MachineName")
    def _machine(self) -> str:
        return self.machine_name

    @prop("CanStop")
    def _can_stop(self) -> bool:
        return self.service.status == "Running"

    @method("Refresh")
    def _refresh(self) -> None:
        return None

    @method("WaitForStatus", "System.ServiceProcess.ServiceControllerStatus")
    def _wait(self, status: Any) -> None:
        """The simulated service changes state at once, so the wait ends when the state already matches."""
        if str(status) != self.service.status:
            from ..errors import NotModelled

            raise NotModelled(f"WaitForStatus({status}) for a service that is {self.service.status}")


def _match(call: CmdletCall) -> list[Service]:
    """Services by -Name (or -InputObject / piped controllers and names), -DisplayName, -Include, -Exclude; a name
    without wildcards that matches nothing is NoServiceFoundForGivenName ("Cannot find any service with service name
    'X'.", ObjectNotFound), likewise for a display name (NoServiceFoundForGivenDisplayName)."""
    machine = call.host.machine
    everything = sorted(machine.services.values(), key=lambda service: service.name.lower())
    chosen: list[Service] = []
    given: list[Any] = list(call.input) if call.has_input else []
    if call.has("InputObject"):
        given += call.engine.enumerate(call.get("InputObject"))
    names = strings(call, call.get("Name"))
    for item in given:
        if isinstance(item, ServiceController):
            chosen.append(item.service)
        else:
            names.append(call.engine.to_string(item))
    if not names and not call.has("DisplayName") and not given:
        chosen = list(everything)
    for name in names:
        found = [service for service in everything if wildcard_match(name, service.name)]
        if not found and not has_wildcards(name):
            call.write_error(
                f"Cannot find any service with service name '{name}'.", fqid="NoServiceFoundForGivenName",
                category="ObjectNotFound", exception=_SERVICE_EXCEPTION, target=name,
            )  # fmt: skip
        chosen += found
    for display in strings(call, call.get("DisplayName")):
        found = [service for service in everything if wildcard_match(display, service.display_name)]
        if not found and not has_wildcards(display):
            call.write_error(
                f"Cannot find any service with display name '{display}'.",
                fqid="NoServiceFoundForGivenDisplayName", category="ObjectNotFound", exception=_SERVICE_EXCEPTION,
                target=display,
            )  # fmt: skip
        chosen += found
    include = strings(call, call.get("Include"))
    exclude = strings(call, call.get("Exclude"))
    unique: list[Service] = []
    for service in chosen:
        if include and not any(wildcard_match(pattern, service.name) for pattern in include):
            continue
        if any(wildcard_match(pattern, service.name) for pattern in exclude):
            continue
        if service not in unique:
            unique.append(service)
    return unique


@cmdlet("Get-Service", positional=("Name",))
def get_service(call: CmdletCall) -> Iterable[Any]:
    """Get-Service help: ServiceController objects, all services (by name) when no name is given."""
    refuse(call, ("ComputerName", "DependentServices", "RequiredServices"))
    return [ServiceController(service) for service in _match(call)]


def _cost(call: CmdletCall, step: str, share: float) -> None:
    call.host.work.charge(step, call.host.spec.service_restart_seconds * share)


def _start(call: CmdletCall, service: Service) -> bool:
    """ServiceCommands.cs DoStartService: a disabled service fails with CouldNotStartService ("Service 'D (N)'
    cannot be started due to the following error: Cannot start service N on computer '.'.", OpenError)."""
    if service.status == "Running":
        return True
    if service.start_mode == "Disabled":
        call.write_error(
            f"Service '{service.display_name} ({service.name})' cannot be started due to the following error: "
            f"Cannot start service {service.name} on computer '.'.",
            fqid="CouldNotStartService", category="OpenError", exception=_SERVICE_EXCEPTION,
            target=ServiceController(service),
        )  # fmt: skip
        return False
    _cost(call, f"start {service.name}", 0.5)
    service.status = "Running"
    return True


def _stop(call: CmdletCall, service: Service) -> None:
    if service.status == "Stopped":
        return
    _cost(call, f"stop {service.name}", 0.5)
    service.status = "Stopped"


@cmdlet("Start-Service", positional=("Name",), switches=("PassThru",))
def start_service(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("ComputerName",))
    started = [service for service in _match(call) if _start(call, service)]
    return [ServiceController(service) for service in started] if call.switch("PassThru") else []


@cmdlet("Stop-Service", positional=("Name",), switches=("PassThru", "Force", "NoWait"))
def stop_service(call: CmdletCall) -> Iterable[Any]:
    """Stop-Service help. The simulated services have no dependants, so -Force changes nothing; 3.0's -NoWait is
    not modelled."""
    refuse(call, ("ComputerName", "NoWait"))
    stopped = _match(call)
    for service in stopped:
        _stop(call, service)
    return [ServiceController(service) for service in stopped] if call.switch("PassThru") else []


@cmdlet("Restart-Service", positional=("Name",), switches=("PassThru", "Force"))
def restart_service(call: CmdletCall) -> Iterable[Any]:
    """Restart-Service help: stops and starts each service (a stopped one is started)."""
    refuse(call, ("ComputerName",))
    restarted = []
    for service in _match(call):
        _stop(call, service)
        if _start(call, service):
            restarted.append(service)
    return [ServiceController(service) for service in restarted] if call.switch("PassThru") else []
