"""What the Exchange cmdlets share: the organisation's one server (this host), its identity, and Exchange's errors.

The lab's Exchange organisation is the host itself: each simulated host is its own server object (a fleet's hosts
do not see each other). Server identities accept the name, the NetBIOS computer name and the FQDN
(ServerIdParameter, "Name, FQDN, Distinguished name (DN), Exchange Legacy DN" - DNs are not modelled). An object
that does not exist is Exchange's ManagementObjectNotFoundException, "The operation couldn't be performed because
object 'X' couldn't be found on '<domain controller>'." (NotSpecified; transcripts of Exchange 2010/2013 cmdlets),
written as a non-terminating error (``Get-... -ErrorAction SilentlyContinue`` is the common idiom that relies on it).
Its FullyQualifiedErrorId carries an 8-digit hex code per message that no source lists: the lab writes
``ManagementObjectNotFoundException`` in its place (assumed, docs/lab.md). The domain controller is named DC01 in
the host's domain, as the engine's directory error names it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ...commands import CmdletCall
from ...values import EnumValue, NetType, enum_value

if TYPE_CHECKING:
    from ....hosts.state import UmBinding

__all__ = ["domain_controller", "flags_of", "is_this_server", "named_um_server", "not_found", "on_this_server"]


def domain_controller(call: CmdletCall) -> str:
    return f"DC01.{call.host.spec.domain}"


def is_this_server(call: CmdletCall, identity: str) -> bool:
    spec = call.host.spec
    return identity.strip().lower() in (spec.name.lower(), spec.computer_name.lower(), spec.fqdn)


def not_found(call: CmdletCall, identity: str) -> None:
    call.write_error(
        f"The operation couldn't be performed because object '{identity}' couldn't be found on "
        f"'{domain_controller(call)}'.",
        fqid="ManagementObjectNotFoundException", category="NotSpecified",
        exception="Microsoft.Exchange.Configuration.Tasks.ManagementObjectNotFoundException", target=identity,
    )  # fmt: skip


def on_this_server(call: CmdletCall, parameter: str = "Server") -> bool:
    """The server a parameter names (absent: the local one) is this host, the lab organisation's only server
    object; another is written as not found."""
    if call.has(parameter):
        server = call.engine.to_string(call.get(parameter))
        if not is_this_server(call, server):
            not_found(call, server)
            return False
    return True


def named_um_server(call: CmdletCall) -> UmBinding | None:
    """-Identity (mandatory) naming this host's UM server: its binding, or None after the not-found error."""
    identity = call.engine.to_string(call.get("Identity")) if call.has("Identity") else ""
    if not identity:
        raise call.not_modelled("without -Identity (the mandatory-parameter prompt)")
    binding = call.host.machine.um
    if binding is None or not is_this_server(call, identity):
        not_found(call, identity)
        return None
    return binding


def flags_of(net: NetType, names: Any) -> EnumValue:
    """A [Flags] enum value from member names (Enum.ToString lists them in value order, joined by ", ")."""
    assert net.enum_members is not None
    wanted = {str(name).lower() for name in names}
    value = 0
    for member, number in net.enum_members.items():
        if member.lower() in wanted:
            value |= number
    return enum_value(net, value)
