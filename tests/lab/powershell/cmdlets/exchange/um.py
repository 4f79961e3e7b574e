"""Get-UMServer (2007 SP1, 2010), Get-UMService (2013) and Get-UMCallRouterSettings (2013).

Sources: host-facts.md "UM: startup mode, services, ports" (2007 has no startup mode; 2010 Set-UMServer
-UMStartupMode TCP|TLS|Dual, default TCP; 2013 Get-UMService -Identity and Get-UMCallRouterSettings -Server, no
-Identity; ports 5060/5061 on 2007/2010, on 2013 the Call Router 5060/5061 and the UM service 5062/5063; the UM
certificate thumbprint is recorded on the server object and cleared by a switch to TCP), and Exchange 15.00.1497's
GetUMServer (the cmdlet Get-UMService: UM servers are the servers whose role includes UnifiedMessaging),
GetUMCallRouterSettings (-Server at position 0) and the UMServer / SIPFEServerConfiguration presentation objects
(Name, Status, SipTcpListeningPort, SipTlsListeningPort, DialPlans, UMStartupMode, UMCertificateThumbprint). That the
2007/2010 Get-UMServer returns the same UMServer object (without UMStartupMode and UMCertificateThumbprint on 2007)
is assumed (2007's as an object with only the properties it has). Dial plans are not simulated (always empty).
All three read Active Directory.

The setters: Set-UMServer -Identity (2007 SP1 -Status Enabled|Disabled|NoNewCalls, host-facts.md "Draining UM";
2010 adds -UMStartupMode), Set-UMService -Identity -UMStartupMode (2013) and Set-UMCallRouterSettings [-Server]
-UMStartupMode (2013, no -Identity): they write the server object (so they read and write Active Directory); a
switch to TCP clears the recorded certificate thumbprint (host-facts.md); the running service keeps what it took
until it restarts (hosts/runtime.py). Their other parameters (dial plans, ports, limits ...) are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ....hosts.state import UmBinding
from ...commands import CmdletCall, cmdlet
from ...values import NetObject, PSArray, PSObject, enum_type, net_type, prop
from .._common import enum_of, refuse
from . import calls as _calls  # noqa: F401  (registers the drain cmdlets beside these)
from ._common import is_this_server, named_um_server, not_found
from .binding import bind_um

__all__ = ["UMCallRouterSettings", "UMServer"]

_DIRECTORY = "Microsoft.Exchange.Data.Directory."
UM_STARTUP_MODE = enum_type(_DIRECTORY + "SystemConfiguration.UMStartupMode", {"TCP": 0, "TLS": 1, "Dual": 2})
# UMServer.Status: Enabled, Disabled, NoNewCalls (2007's Set-UMServer -Status); numbers and namespace assumed.
SERVER_STATUS = enum_type(
    _DIRECTORY + "SystemConfiguration.ServerStatus", {"Enabled": 0, "Disabled": 1, "NoNewCalls": 2}
)


@net_type(_DIRECTORY + "Management.UMServer")
class UMServer(NetObject):
    def __init__(self, call: CmdletCall, binding: UmBinding) -> None:
        spec = call.host.spec
        self.name = spec.computer_name
        self.version = spec.exchange_version or ""
        self.binding = binding
        self.machine = call.host.machine

    def to_string(self) -> str:
        return self.name

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("Identity")
    def _identity(self) -> str:
        return self.name

    @prop("Status")
    def _status(self) -> Any:
        return enum_of(SERVER_STATUS.full_name, self.machine.um_status)

    @prop("SipTcpListeningPort")
    def _tcp_port(self) -> int:
        return 5062 if self.version == "2013" else 5060

    @prop("SipTlsListeningPort")
    def _tls_port(self) -> int:
        return 5063 if self.version == "2013" else 5061

    @prop("DialPlans")
    def _dial_plans(self) -> PSArray:
        return PSArray([])

    @prop("UMStartupMode")
    def _startup_mode(self) -> Any:
        return enum_of(UM_STARTUP_MODE.full_name, self.binding.startup_mode or "TCP")

    @prop("UMCertificateThumbprint")
    def _thumbprint(self) -> str | None:
        return self.binding.certificate_thumbprint


@net_type(_DIRECTORY + "SystemConfiguration.SIPFEServerConfiguration")
class UMCallRouterSettings(NetObject):
    def __init__(self, binding: UmBinding) -> None:
        self.binding = binding

    @prop("Name")
    def _name(self) -> str:
        return "UMCallRouterSettings"

    @prop("SipTcpListeningPort")
    def _tcp_port(self) -> int:
        return 5060

    @prop("SipTlsListeningPort")
    def _tls_port(self) -> int:
        return 5061

    @prop("DialPlans")
    def _dial_plans(self) -> PSArray:
        return PSArray([])

    @prop("UMStartupMode")
    def _startup_mode(self) -> Any:
        return enum_of(UM_STARTUP_MODE.full_name, self.binding.startup_mode or "TCP")

    @prop("UMCertificateThumbprint")
    def _thumbprint(self) -> str | None:
        return self.binding.certificate_thumbprint


def _um_servers(call: CmdletCall) -> Iterable[Any]:
    """The UM servers of the organisation (this host, when it has the UM role), or the one -Identity names."""
    refuse(call, ("DomainController",))
    binding = call.host.machine.um
    if call.has("Identity"):
        identity = call.engine.to_string(call.get("Identity"))
        if binding is None or not is_this_server(call, identity):
            not_found(call, identity)
            return []
    if binding is None:
        return []
    if call.host.spec.exchange_version == "2007sp1":
        return [_um_server_2007(call)]
    return [UMServer(call, binding)]


def _um_server_2007(call: CmdletCall) -> PSObject:
    """2007 SP1's UM server: no startup mode and no recorded certificate (host-facts.md), so the object has neither
    property (reading one gives $null, as for any property an object lacks)."""
    name = call.host.spec.computer_name
    return PSObject(
        [("Name", name), ("Identity", name), ("Status", enum_of(SERVER_STATUS.full_name, call.host.machine.um_status)),
         ("SipTcpListeningPort", 5060), ("SipTlsListeningPort", 5061), ("DialPlans", PSArray([]))],
        type_names=[_DIRECTORY + "Management.UMServer", "System.Object"], base_type=_DIRECTORY + "Management.UMServer",
    )  # fmt: skip


@cmdlet("Get-UMServer", positional=("Identity",), exchange=True, reads_directory=True)
def get_um_server(call: CmdletCall) -> Iterable[Any]:
    return _um_servers(call)


@cmdlet("Get-UMService", positional=("Identity",), exchange=True, reads_directory=True)
def get_um_service(call: CmdletCall) -> Iterable[Any]:
    return _um_servers(call)


@cmdlet("Get-UMCallRouterSettings", positional=("Server",), exchange=True, reads_directory=True)
def get_um_call_router_settings(call: CmdletCall) -> Iterable[Any]:
    """The Call Router settings of -Server (default: the local server)."""
    refuse(call, ("DomainController",))
    binding = call.host.machine.call_router
    server = call.engine.to_string(call.get("Server")) if call.has("Server") else call.host.spec.name
    if not is_this_server(call, server):
        not_found(call, server)
        return []
    if binding is None:
        raise call.not_modelled("on a server without the UM Call Router")
    return [UMCallRouterSettings(binding)]


_MODE = {"UMStartupMode": UM_STARTUP_MODE.full_name}
_UNMODELLED_SETTINGS = (
    "DialPlans", "DomainController", "MaxCallsAllowed", "SipTcpListeningPort", "SipTlsListeningPort",
    "ExternalHostFqdn", "ExternalServiceFqdn", "IPAddressFamily", "IPAddressFamilyConfigurable", "Languages",
    "GrammarGenerationSchedule",
)  # fmt: skip


def _set_mode(call: CmdletCall, binding: UmBinding, role: str) -> None:
    """-UMStartupMode: the new mode on the server object; TCP clears the recorded certificate (host-facts.md)."""
    if not call.has("UMStartupMode"):
        return
    binding.startup_mode = str(call.get("UMStartupMode"))
    if binding.startup_mode == "TCP":
        bind_um(call.host.machine, role, None)


def _this_um_server(call: CmdletCall) -> UmBinding | None:
    refuse(call, _UNMODELLED_SETTINGS)
    return named_um_server(call)


@cmdlet(
    "Set-UMServer", positional=("Identity",), types={**_MODE, "Status": SERVER_STATUS.full_name}, exchange=True,
    reads_directory=True,
)  # fmt: skip
def set_um_server(call: CmdletCall) -> Iterable[Any]:
    binding = _this_um_server(call)
    if binding is None:
        return []
    if call.has("Status"):
        call.host.machine.um_status = str(call.get("Status"))
    _set_mode(call, binding, "UM")
    return []


@cmdlet("Set-UMService", positional=("Identity",), types=_MODE, exchange=True, reads_directory=True)
def set_um_service(call: CmdletCall) -> Iterable[Any]:
    binding = _this_um_server(call)
    if binding is not None:
        _set_mode(call, binding, "UM")
    return []


@cmdlet("Set-UMCallRouterSettings", positional=("Server",), types=_MODE, exchange=True, reads_directory=True)
def set_um_call_router_settings(call: CmdletCall) -> Iterable[Any]:
    """The Call Router settings of -Server (default: the local server)."""
    refuse(call, _UNMODELLED_SETTINGS)
    server = call.engine.to_string(call.get("Server")) if call.has("Server") else call.host.spec.name
    binding = call.host.machine.call_router
    if not is_this_server(call, server):
        not_found(call, server)
        return []
    if binding is None:
        raise call.not_modelled("on a server without the UM Call Router")
    _set_mode(call, binding, "UMCallRouter")
    return []
