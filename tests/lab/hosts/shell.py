"""Loading the Exchange cmdlets into a payload: the snap-in of the host's version, or a remote Exchange session.

host-facts.md "Support matrix": 2007 SP1 has the snap-in ``Microsoft.Exchange.Management.PowerShell.Admin``, 2010
``...E2010`` (or a remote session), 2013 ``...SnapIn`` or the remote session ``New-PSSession -ConfigurationName
Microsoft.Exchange -ConnectionUri http://<fqdn>/PowerShell/`` + ``Import-PSSession``. "A remote Exchange session opened
from inside a WinRM logon is a second hop: it needs an explicit -Credential, CredSSP, or Kerberos delegation."

An explicit credential is checked against the lab's domain accounts (the ones the lab's listeners accept), as a
domain controller would check the Kerberos logon New-PSSession makes with it. Without one, the session opens only when
the WinRM logon holds network credentials (CredSSP: tests.lab.httpauth.Logon), which New-PSSession's Kerberos logon
then uses. Exchange's RBAC is not modelled: every domain account the lab knows may use Exchange remote PowerShell.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

import tree_sitter

from tests.pwsh.errors import LiteralError, ScriptProblem
from tests.pwsh.literals import arguments_of, literal_value, unwrap
from tests.pwsh.parser import ParsedScript

from ..httpauth import Account, Logon
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
_PSCREDENTIAL = {"system.management.automation.pscredential", "pscredential"}


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


def _session_open_failure(fqdn: str, line: int, *, reason: str, error_id: str) -> ScriptProblem:
    """New-PSSession's terminating error when the session does not open (PSRemotingTransportException, OpenError):
    ``Connecting to remote server <fqdn> failed with the following error message : <reason> For more information,
    see the about_Remote_Troubleshooting Help topic.``"""
    return ScriptProblem(
        kind="command",
        message=(
            f"Connecting to remote server {fqdn} failed with the following error message : {reason} For more "
            "information, see the about_Remote_Troubleshooting Help topic."
        ),
        line=line,
        column=1,
        fqid=f"{error_id},PSSessionOpenFailed",
        category="OpenError",
        command="New-PSSession",
        when="run",
        exception="Remoting.PSRemotingTransportException",
    )


def _second_hop_failure(fqdn: str, line: int) -> ScriptProblem:
    # host-facts.md: the Exchange session is a second hop from the WinRM logon; without an explicit credential the
    # Kerberos logon to the Exchange endpoint has no credentials to use.
    reason = (
        "WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using "
        "Kerberos authentication: A specified logon session does not exist. It may already have been terminated."
    )
    return _session_open_failure(fqdn, line, reason=reason, error_id="1312")


def _logon_failure(fqdn: str, line: int) -> ScriptProblem:
    # Assumed wording: New-PSSession's frame around the text of Win32 error 1326 (ERROR_LOGON_FAILURE, "The user name
    # or password is incorrect."), as reported for rejected credentials; the error id "LogonFailure" is assumed too.
    reason = "The user name or password is incorrect."
    return _session_open_failure(fqdn, line, reason=reason, error_id="LogonFailure")


def _assignment_line(script: ParsedScript, variable: str) -> int:
    """The line of the one ``$variable = ...`` statement; anything else leaves the value unknown before it runs."""
    lines = [
        script.position(node)[0]
        for node in script.nodes_of("assignment_expression")
        if node.named_children and script.text_of(node.named_children[0]).strip().lower() == variable.lower()
    ]
    if len(lines) != 1:
        raise LabNoModel(f"{variable} is assigned {len(lines)} times, so its credential is not known")
    return lines[0]


def _password_of(script: ParsedScript, node: tree_sitter.Node, line: int) -> str:
    """The password of ``(ConvertTo-SecureString -String '<literal>' -AsPlainText -Force)``."""
    node = unwrap(node)
    commands = script.nodes_of("command", within=node)
    names = [script.text_of(command.child_by_field_name("command_name")).lower() for command in commands]
    if node.type != "parenthesized_expression" or names != ["convertto-securestring"]:
        raise LabNoModel("a PSCredential whose password is not ConvertTo-SecureString of a literal", line=line)
    try:
        calls = arguments_of(script, "ConvertTo-SecureString")
    except LiteralError as error:
        raise LabNoModel(f"ConvertTo-SecureString with {error.reason}", line=line) from None
    if len(calls) != 1:
        raise LabNoModel("more than one ConvertTo-SecureString in the payload", line=line)
    arguments = {name.lower(): value for name, value in calls[0].items()}
    password = arguments.get("string")
    # about ConvertTo-SecureString: a plain-text string needs -AsPlainText and -Force.
    if not isinstance(password, str) or arguments.get("asplaintext") is not True or arguments.get("force") is not True:
        raise LabNoModel("ConvertTo-SecureString without -String <literal> -AsPlainText -Force", line=line)
    return password


def _credential_of(script: ParsedScript, session: Invocation) -> tuple[str, str]:
    """User and password of the PSCredential in ``-Credential $variable``, each read as a literal."""
    node = session.value_node("Credential")
    variable = script.text_of(unwrap(node)) if node is not None else ""
    if node is None or unwrap(node).type != "variable":
        raise LabNoModel(f"New-PSSession -Credential {variable or '(no value)'} is not a variable", line=session.line)
    line = _assignment_line(script, variable)
    made = [call for call in invocations(script, "New-Object") if call.line == line]
    if len(made) != 1:
        raise LabNoModel(f"{variable} is not made by one New-Object", line=line)
    type_name = _string_argument(script, made[0], "TypeName") or ""
    listed = made[0].value_node("ArgumentList")
    values = unwrap(listed) if listed is not None else None
    if type_name.lower() not in _PSCREDENTIAL or values is None or values.type != "array_literal_expression":
        raise LabNoModel(f"{variable} is not New-Object PSCredential -ArgumentList <user>, <password>", line=line)
    if len(values.named_children) != 2:
        raise LabNoModel("PSCredential takes a user and a password", line=line)
    try:
        user = literal_value(script, values.named_children[0], name="PSCredential user")
    except LiteralError as error:
        raise LabNoModel(f"the PSCredential user is not a literal ({error.reason})", line=line) from None
    if not isinstance(user, str):
        raise LabNoModel("the PSCredential user is not a string", line=line)
    return user, _password_of(script, values.named_children[1], line)


def _logon_accepted(user: str, password: str, spec: HostSpec, accounts: Iterable[Account]) -> bool:
    return any(
        account.matches(user) and account.password == password
        for account in accounts
        if account.domain.lower() == spec.netbios_domain.lower()
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


def _remote_load(
    script: ParsedScript,
    spec: HostSpec,
    sessions: list[Invocation],
    accounts: Iterable[Account],
    logon: Logon | None,
) -> ShellLoad:
    session = sessions[0]
    if spec.exchange_version not in ("2010", "2013"):
        raise LabNoModel("an Exchange remote session on a host without Exchange 2010/2013", line=session.line)
    uri = _string_argument(script, session, "ConnectionUri") or ""
    if uri.rstrip("/").lower() != f"http://{spec.fqdn}/powershell":
        raise LabNoModel(f"an Exchange remote session to {uri!r} (this host is {spec.fqdn})", line=session.line)
    if not invocations(script, "Import-PSSession"):
        raise LabNoModel("an Exchange remote session that is never imported", line=session.line)
    if not session.has("Credential"):
        # host-facts.md: the second hop needs an explicit -Credential, CredSSP or Kerberos delegation; a logon with
        # network credentials (CredSSP's delegated ones) lets the session's Kerberos logon go through.
        if logon is not None and logon.network_credentials:
            return ShellLoad(True)
        return ShellLoad(True, _second_hop_failure(spec.fqdn, session.line))
    user, password = _credential_of(script, session)
    if not _logon_accepted(user, password, spec, accounts):
        return ShellLoad(True, _logon_failure(spec.fqdn, session.line))
    return ShellLoad(True)


def exchange_shell_load(
    script: ParsedScript, spec: HostSpec, *, accounts: Iterable[Account] = (), logon: Logon | None = None
) -> ShellLoad:
    """Whether the payload loads the Exchange cmdlets, and the error it gets if this host cannot.

    ``accounts`` are the domain's accounts, against which an explicit credential of a remote session is checked;
    ``logon`` is the WinRM logon the payload runs in (None: one without network credentials).
    """
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
        return _remote_load(script, spec, sessions, accounts, logon)
    return ShellLoad(False)
