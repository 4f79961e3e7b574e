"""Get-ExchangeServer (2007 SP1, 2010, 2013): this host's server object.

Exchange 15.00.1497's GetExchangeServer (Identity set, -Domain, -Status) and the Exchange server object's properties
as Get-ExchangeServer lists them: Name, Fqdn, Domain, AdminDisplayVersion ("Version <major>.<minor> (Build
<build>.<revision>)", ServerVersion.ToString), ServerRole and IsUnifiedMessagingServer (the UM role bit 16 of
CurrentServerRole, as GetUMServer filters on it). The lab's hosts have only the UM role (its registry has no other role
key), so ServerRole is UnifiedMessaging or None. The other bits of the ServerRole enum (Mailbox 2, ClientAccess 4,
HubTransport 32, Edge 64) are from memory of the product and not confirmed; -Status and -Domain are not modelled.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ...commands import CmdletCall, cmdlet
from ...values import NetObject, enum_type, net_type, prop
from .._common import refuse
from ._common import flags_of, is_this_server, not_found

__all__ = ["ExchangeServer"]

SERVER_ROLE = enum_type(
    "Microsoft.Exchange.Data.Directory.SystemConfiguration.ServerRole",
    {"None": 0, "Mailbox": 2, "ClientAccess": 4, "UnifiedMessaging": 16, "HubTransport": 32, "Edge": 64},
    flags=True,
)


@net_type("Microsoft.Exchange.Data.Directory.Management.ExchangeServer")
class ExchangeServer(NetObject):
    def __init__(self, call: CmdletCall) -> None:
        self.spec = call.host.spec

    def to_string(self) -> str:
        return self.spec.computer_name

    @prop("Name")
    def _name(self) -> str:
        return self.spec.computer_name

    @prop("Identity")
    def _identity(self) -> str:
        return self.spec.computer_name

    @prop("Fqdn")
    def _fqdn(self) -> str:
        return self.spec.fqdn

    @prop("Domain")
    def _domain(self) -> str:
        return self.spec.domain

    @prop("AdminDisplayVersion")
    def _version(self) -> str:
        major, minor, build, revision = (self.spec.exchange_build or "0.0.0.0").split(".")
        return f"Version {major}.{minor} (Build {build}.{revision})"

    @prop("ServerRole")
    def _role(self) -> Any:
        return flags_of(SERVER_ROLE, ["UnifiedMessaging"] if self.spec.um_role else [])

    @prop("IsUnifiedMessagingServer")
    def _is_um(self) -> bool:
        return self.spec.um_role

    @prop("IsMailboxServer")
    def _is_mailbox(self) -> bool:
        return False

    @prop("IsClientAccessServer")
    def _is_client_access(self) -> bool:
        return False

    @prop("IsHubTransportServer")
    def _is_hub(self) -> bool:
        return False

    @prop("IsEdgeServer")
    def _is_edge(self) -> bool:
        return False


@cmdlet("Get-ExchangeServer", positional=("Identity",), switches=("Status",), exchange=True, reads_directory=True)
def get_exchange_server(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("Domain", "Status", "DomainController"))
    if call.has("Identity"):
        identity = call.engine.to_string(call.get("Identity"))
        if not is_this_server(call, identity):
            not_found(call, identity)
            return []
    return [ExchangeServer(call)]
