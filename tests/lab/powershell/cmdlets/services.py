"""Get-Service, Start-Service, Stop-Service, Restart-Service over HostState.services, and the ServiceController.

Help pages of Microsoft.PowerShell.Management (1.0 through 5.1); texts and ids from ServiceResources.resx and
ServiceCommands.cs (PowerShell sources, 2016): DoStartService calls ServiceController.Start() and writes
CouldNotStartService ("Service '<display> (<name>)' cannot be started due to the following error: <message>",
OpenError) when it throws, then waits in DoWaitForStatus, 2 s at a time, while the service is StartPending (a
warning "Waiting for service '<display> (<name>)' to finish starting..." each time) and writes StartServiceFailed
("Service '<display> (<name>)' start failed.", OpenError) when it settles in another state; the stop alike
(CouldNotStopService, StopServiceFailed, CloseError). ServiceController (.NET reference): Start() and Stop() throw
InvalidOperationException "Cannot start service <name> on computer '<machine>'." / "Cannot stop <name> service on
computer '<machine>'." with the SCM's Win32Exception inside; WaitForStatus(status, TimeSpan) throws
System.ServiceProcess.TimeoutException "Time out has expired and the operation has not been completed.".

Time: a service starts and stops in simulated time (hosts/runtime.py; its start and stop times are lab settings,
by default half of the host's ``service_restart_seconds`` each); waiting charges the time waited to the latency
model, which moves the host's clock. Only the services the simulated machine has exist (the Exchange UM services):
other Windows services are not simulated, so Get-Service without -Name lists only those. A service that hangs in
StartPending makes Start-Service wait without end (DoWaitForStatus has no limit): that is refused as not modelled,
as is WaitForStatus without a timeout for a state that never comes.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...hosts import runtime
from ...hosts.state import Service
from ..commands import CmdletCall, cmdlet
from ..dotnet._runtime import current_host, net_error
from ..dotnet.time import TimeSpan
from ..errors import NetException, NotModelled
from ..values import NetObject, constructor, enum_type, method, net_type, prop
from ._common import enum_of, has_wildcards, refuse, strings, wildcard_match

__all__ = ["ServiceController"]

# System.ServiceProcess.ServiceControllerStatus (.NET reference): Stopped 1 ... Paused 7.
SERVICE_STATUS = enum_type(
    "System.ServiceProcess.ServiceControllerStatus",
    {"Stopped": 1, "StartPending": 2, "StopPending": 3, "Running": 4, "ContinuePending": 5, "PausePending": 6,
     "Paused": 7},
)  # fmt: skip
_SERVICE_EXCEPTION = "Microsoft.PowerShell.Commands.ServiceCommandException"
_TIMEOUT_TEXT = "Time out has expired and the operation has not been completed."


def _refusal(service: Service, verb: str, refused: runtime.ServiceRefused, machine: str = ".") -> NetException:
    """ServiceController's InvalidOperationException for a start or stop the SCM refused."""
    text = (
        f"Cannot start service {service.name} on computer '{machine}'."
        if verb == "start"
        else f"Cannot stop {service.name} service on computer '{machine}'."
    )
    return net_error(
        "System.InvalidOperationException", text, net_error("System.ComponentModel.Win32Exception", refused.text)
    )


def _charge(step: str, seconds: float) -> None:
    host = current_host()
    if host is not None and seconds > 0:
        host.work.charge(step, seconds)


def _wait(service: Service, desired: str, timeout: float | None) -> bool:
    """Wait (in simulated time) until the service is ``desired`` or ``timeout`` seconds passed (None: no limit)."""
    if service.status == desired:
        return True
    host = current_host()
    clock = host.machine.clock if host is not None else 0.0
    if service.ready_at is not None:
        remaining = max(0.0, service.ready_at - clock)
        if timeout is None or remaining <= timeout:
            _charge(f"wait for {service.name}", remaining)
            if service.status == desired or timeout is None:
                return service.status == desired
            _charge(f"wait for {service.name}", timeout - remaining)
            return service.status == desired
    if timeout is None:
        raise NotModelled(f"waiting without a limit for {service.name} to become {desired} (it stays {service.status})")
    _charge(f"wait for {service.name}", timeout)
    return service.status == desired


@net_type("System.ServiceProcess.ServiceController", base="System.ComponentModel.Component")
class ServiceController(NetObject):
    """One service as .NET shows it; reads go to the simulated machine each time (as Refresh() would)."""

    def __init__(self, service: Service, machine_name: str = ".") -> None:
        self.service = service
        self.machine_name = machine_name

    @staticmethod
    @constructor("System.String")
    def _new(host: Any, name: str) -> ServiceController:
        """ServiceController(String): a service of the local computer by name (any case)."""
        found = next(
            (service for service in host.machine.services.values() if service.name.lower() == name.lower()),
            None,
        )
        if found is None:
            raise NotModelled(f"ServiceController for the service {name!r}, which the simulated machine lacks")
        return ServiceController(found)

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

    @method("Start")
    def _start(self) -> None:
        host = current_host()
        assert host is not None
        try:
            runtime.request_start(host.machine, self.service)
        except runtime.ServiceRefused as refused:
            if refused.code == 1053:  # the SCM waited for the service before giving up
                _charge(f"start {self.service.name}", runtime.seconds_to_start(host.machine, self.service))
            raise _refusal(self.service, "start", refused, self.machine_name) from None

    @method("Stop")
    def _stop(self) -> None:
        host = current_host()
        assert host is not None
        try:
            runtime.request_stop(host.machine, self.service)
        except runtime.ServiceRefused as refused:
            raise _refusal(self.service, "stop", refused, self.machine_name) from None

    @method("WaitForStatus", "System.ServiceProcess.ServiceControllerStatus")
    def _wait(self, status: Any) -> None:
        _wait(self.service, str(status), None)

    @method("WaitForStatus", "System.ServiceProcess.ServiceControllerStatus", "System.TimeSpan")
    def _wait_limited(self, status: Any, timeout: TimeSpan) -> None:
        if not _wait(self.service, str(status), max(0.0, timeout.ticks / 10_000_000)):
            raise net_error("System.ServiceProcess.TimeoutException", _TIMEOUT_TEXT)


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


def _fail(call: CmdletCall, service: Service, fqid: str, message: str, category: str) -> None:
    call.write_error(
        message, fqid=fqid, category=category, exception=_SERVICE_EXCEPTION, target=ServiceController(service)
    )


def _settled(call: CmdletCall, service: Service, desired: str, pending: str) -> bool:
    """DoWaitForStatus: wait while the service is ``pending``; a service that hangs there is waited for forever."""
    if service.status == pending:
        if service.ready_at is None:
            raise call.not_modelled(f"waiting for {service.name}, which stays {pending} (the cmdlet waits without end)")
        _wait(service, desired, None)
    return service.status == desired


def _start(call: CmdletCall, service: Service) -> bool:
    """DoStartService: Start() (an already running service is fine), then wait for Running."""
    if service.status == "Stopped":
        try:
            ServiceController(service)._start()
        except NetException as error:
            _fail(call, service, "CouldNotStartService",
                  f"Service '{service.display_name} ({service.name})' cannot be started due to the following error: "
                  f"{error.message}", "OpenError")  # fmt: skip
            return False
    if _settled(call, service, "Running", "StartPending"):
        return True
    _fail(call, service, "StartServiceFailed", f"Service '{service.display_name} ({service.name})' start failed.",
          "OpenError")  # fmt: skip
    return False


def _stop(call: CmdletCall, service: Service) -> bool:
    """DoStopService: Stop() (a stopped service is left as it is), then wait for Stopped."""
    if service.status == "Stopped":
        return True
    if service.status != "StopPending":
        try:
            ServiceController(service)._stop()
        except NetException as error:
            _fail(call, service, "CouldNotStopService",
                  f"Service '{service.display_name} ({service.name})' cannot be stopped due to the following error: "
                  f"{error.message}", "CloseError")  # fmt: skip
            return False
    if _settled(call, service, "Stopped", "StopPending"):
        return True
    _fail(call, service, "StopServiceFailed", f"Service '{service.display_name} ({service.name})' stop failed.",
          "CloseError")  # fmt: skip
    return False


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
    stopped = [service for service in _match(call) if _stop(call, service)]
    return [ServiceController(service) for service in stopped] if call.switch("PassThru") else []


@cmdlet("Restart-Service", positional=("Name",), switches=("PassThru", "Force"))
def restart_service(call: CmdletCall) -> Iterable[Any]:
    """Restart-Service help: stops and starts each service (a stopped one is started; one that did not stop is not
    started)."""
    refuse(call, ("ComputerName",))
    restarted = [service for service in _match(call) if _stop(call, service) and _start(call, service)]
    return [ServiceController(service) for service in restarted] if call.switch("PassThru") else []
