"""Loading the Exchange cmdlets into a payload: the snap-in of the host's version, or a remote Exchange session.

host-facts.md "Support matrix": 2007 SP1 has the snap-in ``Microsoft.Exchange.Management.PowerShell.Admin``, 2010
``...E2010`` (or a remote session), 2013 ``...SnapIn`` or the remote session ``New-PSSession -ConfigurationName
Microsoft.Exchange -ConnectionUri http://<fqdn>/PowerShell/`` + ``Import-PSSession``. "A remote Exchange session opened
from inside a WinRM logon is a second hop: it needs an explicit -Credential, CredSSP, or Kerberos delegation."
"""

from __future__ import annotations

from dataclasses import dataclass

from tests.pwsh.errors import LiteralError, ScriptProblem
from tests.pwsh.literals import literal_value
from tests.pwsh.parser import ParsedScript

from .pserrors import LabNoModel
from .specs import HostSpec
from .syntax import Invocation, invocations

__all__ = ["SNAPINS", "ShellLoad", "exchange_shell_load"]

SNAPINS = {
    "2007sp1": "Microsoft.Exchange.Management.PowerShell.Admin",
    "2010": "Microsoft.Exchange.Management.PowerShell.E2010",
    "2013": "Microsoft.Exchange.Management.PowerShell.SnapIn",
}
_EXCHANGE_CONFIGURATION = "microsoft.exchange"


@dataclass(frozen=True)
class ShellLoad:
    """``attempted``: the payload tries to load Exchange cmdlets; ``failure``: the error that attempt raises."""

    attempted: bool
    failure: ScriptProblem | None = None

    @property
    def loaded(self) -> bool:
        return self.attempted and self.failure is None


def _string_argument(script: ParsedScript, invocation: Invocation, name: str) -> str | None:
    node = invocation.value_node(name)
    if node is None:
        return None
    try:
        value = literal_value(script, node, name=f"{invocation.command} -{name}")
    except LiteralError as error:
        raise LabNoModel(
            f"{invocation.command} -{name} is not a literal ({error.reason})", line=invocation.line
        ) from None
    if not isinstance(value, str):
        raise LabNoModel(f"{invocation.command} -{name} is not a string", line=invocation.line)
    return value


def _snapin_failure(name: str, line: int, spec: HostSpec) -> ScriptProblem:
    # Add-PSSnapin's error for a snap-in that is not registered (AddPSSnapInRead, PSArgumentException); PowerShell
    # 3.0 and later say "this computer" where 1.0/2.0 say "this machine".
    where = "machine" if spec.powershell_version in ("1.0", "2.0") else "computer"
    return ScriptProblem(
        kind="command",
        message=f"The Windows PowerShell snap-in '{name}' is not installed on this {where}.",
        line=line,
        column=1,
        fqid="AddPSSnapInRead,Microsoft.PowerShell.Commands.AddPSSnapinCommand",
        category="InvalidArgument",
        command="Add-PSSnapin",
        when="run",
        exception="PSArgumentException",
    )


def _second_hop_failure(fqdn: str, line: int) -> ScriptProblem:
    # host-facts.md: the Exchange session is a second hop from the WinRM logon; without an explicit credential the
    # Kerberos logon to the Exchange endpoint has no credentials to use.
    return ScriptProblem(
        kind="command",
        message=(
            f"Connecting to remote server {fqdn} failed with the following error message : WinRM cannot process the "
            "request. The following error with errorcode 0x8009030e occurred while using Kerberos authentication: "
            "A specified logon session does not exist. It may already have been terminated. For more information, "
            "see the about_Remote_Troubleshooting Help topic."
        ),
        line=line,
        column=1,
        fqid="1312,PSSessionOpenFailed",
        category="OpenError",
        command="New-PSSession",
        when="run",
        exception="Remoting.PSRemotingTransportException",
    )


def _snapin_load(script: ParsedScript, spec: HostSpec, calls: list[Invocation]) -> ShellLoad:
    for call in calls:
        name = _string_argument(script, call, "Name")
        if name is None:
            raise LabNoModel("Add-PSSnapin without a literal -Name", line=call.line)
        if not name.lower().startswith("microsoft.exchange."):
            raise LabNoModel(f"snap-in {name!r} is not an Exchange snap-in", line=call.line)
        installed = SNAPINS.get(spec.exchange_version or "")
        if installed is None or installed.lower() != name.lower():
            return ShellLoad(True, _snapin_failure(name, call.line, spec))
    return ShellLoad(True)


def _remote_load(script: ParsedScript, spec: HostSpec, sessions: list[Invocation]) -> ShellLoad:
    session = sessions[0]
    if spec.exchange_version not in ("2010", "2013"):
        raise LabNoModel("an Exchange remote session on a host without Exchange 2010/2013", line=session.line)
    uri = _string_argument(script, session, "ConnectionUri") or ""
    if uri.rstrip("/").lower() != f"http://{spec.fqdn}/powershell":
        raise LabNoModel(f"an Exchange remote session to {uri!r} (this host is {spec.fqdn})", line=session.line)
    if not invocations(script, "Import-PSSession"):
        raise LabNoModel("an Exchange remote session that is never imported", line=session.line)
    if not session.has("Credential"):
        return ShellLoad(True, _second_hop_failure(spec.fqdn, session.line))
    return ShellLoad(True)


def exchange_shell_load(script: ParsedScript, spec: HostSpec) -> ShellLoad:
    """Whether the payload loads the Exchange cmdlets, and the error it gets if this host cannot."""
    snapins = invocations(script, "Add-PSSnapin")
    sessions = [
        call
        for call in invocations(script, "New-PSSession")
        if (_string_argument(script, call, "ConfigurationName") or "").lower() == _EXCHANGE_CONFIGURATION
    ]
    if snapins and sessions:
        raise LabNoModel("a payload that loads Exchange both as a snap-in and as a remote session")
    if snapins:
        return _snapin_load(script, spec, snapins)
    if sessions:
        return _remote_load(script, spec, sessions)
    return ShellLoad(False)
