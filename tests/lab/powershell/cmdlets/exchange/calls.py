"""UM's calls and draining: Get-UMActiveCalls (all versions), Disable-/Enable-UMServer (2007 SP1, 2010),
Set-/Get-ServerComponentState (2013).

Sources: host-facts.md "Draining UM": Get-UMActiveCalls (2007 SP1-2013; -Server, -InstanceServer, -DialPlan,
-IPGateway, -DomainController); Disable-UMServer -Identity -Immediate <bool> on 2007/2010 (without -Immediate $true
the calls in progress finish; no new calls are taken); on 2013 draining is Set-ServerComponentState <server>
-Component UMCallRouter -State Draining -Requester Maintenance. Set-ServerComponentState's help: states Active,
Inactive, Draining; requesters HealthAPI, Maintenance, Sidelined, Functional, Deployment; a component is in the
state every requester agrees on (one Inactive makes it Inactive); Get-ServerComponentState -Identity [-Component]
lists Identity, ServerFqdn, Component, State. What takes a call: hosts/runtime.py ``accepts_calls``.

Lab choices (docs/lab.md "UM runtime"): an active call's properties are the few the lab knows (no gateway or dial
plan is simulated), its type name is assumed; the 2013 components are the two that decide calls (ServerWideOffline,
UMCallRouter; the call-answering pages' ``UnifiedMessaging`` is unresolved, host-facts.md); Get-UMActiveCalls while
MSExchangeUM is not running, -DialPlan and -IPGateway are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ....hosts import runtime
from ...commands import CmdletCall, cmdlet
from ...values import PSObject
from .._common import refuse
from ._common import named_um_server, on_this_server

__all__: list[str] = []

_COMPONENTS = ("ServerWideOffline", "UMCallRouter")
_STATES = ("Active", "Inactive", "Draining")
_REQUESTERS = ("HealthAPI", "Maintenance", "Sidelined", "Functional", "Deployment")


@cmdlet("Get-UMActiveCalls", exchange=True, reads_directory=True)
def get_um_active_calls(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DialPlan", "IPGateway", "DomainController"))
    if not (on_this_server(call, "Server") and on_this_server(call, "InstanceServer")):
        return []
    machine = call.host.machine
    um = machine.services.get(runtime.UM_SERVICE)
    if um is None or um.status != "Running":
        raise call.not_modelled("while MSExchangeUM is not running (Exchange's error is not known)")
    name = call.host.spec.computer_name
    return [
        PSObject(
            [("ServerId", name), ("GatewayId", None), ("DialPlan", None), ("CallState", "Connected")],
            type_names=["Microsoft.Exchange.Management.UnifiedMessaging.UMActiveCall", "System.Object"],
        )
        for _end in machine.calls.active
    ]


@cmdlet(
    "Disable-UMServer", positional=("Identity",), types={"Immediate": "System.Boolean"}, exchange=True,
    reads_directory=True,
)  # fmt: skip
def disable_um_server(call: CmdletCall) -> Iterable[Any]:
    """Status Disabled: no new calls; with -Immediate $true the calls in progress end now (they are dropped)."""
    refuse(call, ("DomainController",))
    if named_um_server(call) is not None:
        call.host.machine.um_status = "Disabled"
        if call.get("Immediate", False):
            call.host.machine.calls.drop_all()
    return []


@cmdlet("Enable-UMServer", positional=("Identity",), exchange=True, reads_directory=True)
def enable_um_server(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController",))
    if named_um_server(call) is not None:
        call.host.machine.um_status = "Enabled"
    return []


def _choice(call: CmdletCall, parameter: str, known: tuple[str, ...]) -> str:
    text = call.engine.to_string(call.get(parameter)) if call.has(parameter) else ""
    match = next((name for name in known if name.lower() == text.lower()), None)
    if match is None:
        raise call.not_modelled(f"-{parameter} {text!r} (the lab models {', '.join(known)})")
    return match


@cmdlet("Set-ServerComponentState", positional=("Identity",), exchange=True, reads_directory=True)
def set_server_component_state(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController", "LocalOnly", "RemoteOnly", "TimeoutInSeconds"))
    component = _choice(call, "Component", _COMPONENTS)
    state = _choice(call, "State", _STATES)
    requester = _choice(call, "Requester", _REQUESTERS)
    if not call.has("Identity"):
        raise call.not_modelled("without -Identity (the mandatory-parameter prompt)")
    if on_this_server(call, "Identity"):
        call.host.machine.components.setdefault(component, {})[requester] = state
    return []


@cmdlet("Get-ServerComponentState", positional=("Identity",), exchange=True, reads_directory=True)
def get_server_component_state(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("DomainController",))
    if not call.has("Identity"):
        raise call.not_modelled("without -Identity (the mandatory-parameter prompt)")
    if not on_this_server(call, "Identity"):
        return []
    wanted = [_choice(call, "Component", _COMPONENTS)] if call.has("Component") else list(_COMPONENTS)
    spec = call.host.spec
    return [
        PSObject(
            [
                ("Identity", spec.computer_name),
                ("ServerFqdn", spec.fqdn),
                ("Component", component),
                ("State", runtime.component_state(call.host.machine, component)),
            ],
            type_names=[
                "Microsoft.Exchange.Data.Directory.Management.ServerComponentStatePresentationObject",
                "System.Object",
            ],
        )
        for component in wanted
    ]
