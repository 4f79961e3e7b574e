"""New-PSSession, Import-PSSession, Remove-PSSession, Get-PSSession for the Exchange remote shell (2.0 and later).

Microsoft, "Connect to Exchange servers using remote PowerShell" (2010/2013): ``New-PSSession -ConfigurationName
Microsoft.Exchange -ConnectionUri http://<ServerFQDN>/PowerShell/ -Authentication Kerberos [-Credential $c]``, then
``Import-PSSession``; ``Remove-PSSession`` when done. host-facts.md: from inside a WinRM logon the session is a second
hop: without -Credential the Kerberos logon to the endpoint has no credentials unless the WinRM logon holds network
credentials (CredSSP, Kerberos delegation). An explicit credential is checked against the domain's accounts, as the
domain controller checks the Kerberos logon New-PSSession makes with it; Exchange RBAC is not modelled. Errors keep
the wording of tests/lab/hosts/shell.py (PSRemotingTransportException, OpenError, ``<code>,PSSessionOpenFailed``;
"The user name or password is incorrect." and its id LogonFailure are assumed). Only this host's own Exchange
endpoint is modelled; other computers, configurations and authentication mechanisms are refused.
"""

from __future__ import annotations

import itertools
import weakref
from collections.abc import Iterable
from typing import Any
from urllib.parse import urlsplit

from ..commands import CmdletCall, cmdlet
from ..values import NetObject, enum_type, net_type, prop
from ._common import enum_of, refuse, strings
from .credentials import PSCredential

__all__ = ["PSSession"]

RUNSPACE_STATE = enum_type(
    "System.Management.Automation.Runspaces.RunspaceState",
    {"BeforeOpen": 0, "Opening": 1, "Opened": 2, "Closed": 3, "Closing": 4, "Broken": 5},
)
_TRANSPORT = "System.Management.Automation.Remoting.PSRemotingTransportException"
_KERBEROS_NO_LOGON = (
    "WinRM cannot process the request. The following error with errorcode 0x8009030e occurred while using Kerberos "
    "authentication: A specified logon session does not exist. It may already have been terminated."
)
# Session ids count up from 1 in each process (runspace), as Get-PSSession's Id column shows them.
_IDS: weakref.WeakKeyDictionary[Any, itertools.count[int]] = weakref.WeakKeyDictionary()


@net_type("System.Management.Automation.Runspaces.PSSession")
class PSSession(NetObject):
    def __init__(self, session_id: int, computer: str, configuration: str, user: str) -> None:
        self.session_id = session_id
        self.computer = computer
        self.configuration = configuration
        self.user = user
        self.state = "Opened"
        self.imported = False

    def to_string(self) -> str:
        return f"Session{self.session_id}"

    @prop("Id")
    def _id(self) -> int:
        return self.session_id

    @prop("Name")
    def _name(self) -> str:
        return f"Session{self.session_id}"

    @prop("ComputerName")
    def _computer(self) -> str:
        return self.computer

    @prop("ConfigurationName")
    def _configuration(self) -> str:
        return self.configuration

    @prop("State")
    def _state(self) -> Any:
        return enum_of(RUNSPACE_STATE.full_name, self.state)

    @prop("Availability")
    def _availability(self) -> str:
        return "Available" if self.state == "Opened" else "None"


@net_type("System.Management.Automation.PSModuleInfo")
class PSModuleInfo(NetObject):
    """The temporary module Import-PSSession creates for the imported commands (``tmp_...``)."""

    def __init__(self, name: str) -> None:
        self.name = name

    def to_string(self) -> str:
        return self.name

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("ModuleType")
    def _type(self) -> str:
        return "Script"


def _open_failed(call: CmdletCall, computer: str, reason: str, code: str) -> None:
    """New-PSSession's error when the session does not open: ``Connecting to remote server <name> failed with the
    following error message : <reason> For more information, see the about_Remote_Troubleshooting Help topic.``"""
    call.engine.write_error(
        f"Connecting to remote server {computer} failed with the following error message : {reason} For more "
        "information, see the about_Remote_Troubleshooting Help topic.",
        fqid=f"{code},PSSessionOpenFailed", category="OpenError", exception=_TRANSPORT, command=call.name,
        action=call.error_action,
    )  # fmt: skip


def _endpoint(call: CmdletCall) -> str:
    """The host name of -ConnectionUri, which must be this host's own Exchange PowerShell endpoint."""
    uri = call.engine.to_string(call.get("ConnectionUri", ""))
    parts = urlsplit(uri)
    spec = call.host.spec
    if parts.scheme.lower() != "http" or parts.path.rstrip("/").lower() != "/powershell":
        raise call.not_modelled(f"-ConnectionUri {uri!r} (only http://<this host>/PowerShell/ is modelled)")
    if (parts.hostname or "").lower() not in (spec.fqdn, spec.name.lower(), spec.computer_name.lower()):
        raise call.not_modelled(f"-ConnectionUri {uri!r} (another computer than {spec.fqdn})")
    return parts.hostname or spec.fqdn


def _accepted(call: CmdletCall, credential: PSCredential) -> bool:
    spec = call.host.spec
    password = credential.password.reveal()
    return any(
        account.matches(credential.user) and account.password == password
        for account in call.host.accounts
        if account.domain.lower() == spec.netbios_domain.lower()
    )


@cmdlet("New-PSSession", positional=("ComputerName",), switches=("UseSSL", "AllowRedirection", "EnableNetworkAccess"))
def new_pssession(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("ComputerName", "Session", "Name", "Port", "UseSSL", "ApplicationName", "CertificateThumbprint",
                  "SessionOption", "AllowRedirection", "EnableNetworkAccess", "ThrottleLimit"))  # fmt: skip
    configuration = call.engine.to_string(call.get("ConfigurationName", "Microsoft.PowerShell"))
    if configuration.lower() != "microsoft.exchange":
        raise call.not_modelled(f"-ConfigurationName {configuration} (only the Exchange endpoint is modelled)")
    if not call.has("ConnectionUri"):
        raise call.not_modelled("without -ConnectionUri")
    computer = _endpoint(call)
    if call.host.spec.exchange_version not in ("2010", "2013"):
        raise call.not_modelled(f"to Exchange {call.host.spec.exchange_version} (no remote Exchange shell)")
    authentication = call.engine.to_string(call.get("Authentication", "Default")).lower()
    if authentication not in ("kerberos", "default", "negotiate"):
        raise call.not_modelled(f"-Authentication {authentication}")
    credential = call.get("Credential")
    if credential is not None:
        if not isinstance(credential, PSCredential):
            raise call.not_modelled("-Credential with a value that is not a PSCredential")
        if not _accepted(call, credential):
            _open_failed(call, computer, "The user name or password is incorrect.", "LogonFailure")
            return []
        user = credential.user
    elif call.host.network_credentials and call.host.logon is not None:
        user = call.host.logon.principal
    else:
        _open_failed(call, computer, _KERBEROS_NO_LOGON, "1312")
        return []
    session = PSSession(next(_IDS.setdefault(call.engine, itertools.count(1))), computer, "Microsoft.Exchange", user)
    call.host.sessions.append(session)
    return [session]


@cmdlet("Import-PSSession", positional=("Session", "CommandName"), switches=("AllowClobber", "DisableNameChecking"))
def import_pssession(call: CmdletCall) -> Iterable[Any]:
    """Import-PSSession help: the session's commands become local proxy functions of a temporary module; for the
    Exchange endpoint that is the Exchange cmdlets of the server's version (one Exchange shell load). A $null session
    is the binder's ParameterArgumentValidationErrorNullNotAllowed; -Prefix and -CommandName are not modelled."""
    refuse(call, ("CommandName", "CommandType", "Module", "ArgumentList", "FormatTypeName", "Prefix", "Certificate"))
    session = call.get("Session")
    if session is None:
        call.throw(
            "Cannot validate argument on parameter 'Session'. The argument is null. Supply a non-null argument and "
            "try the command again.", fqid="ParameterArgumentValidationErrorNullNotAllowed", category="InvalidData",
            exception="System.Management.Automation.ParameterBindingValidationException",
        )  # fmt: skip
    if not isinstance(session, PSSession):
        raise call.not_modelled("-Session with a value that is not a PSSession")
    if session.state != "Opened":
        raise call.not_modelled("of a session that is not open")
    session.imported = True
    call.host.exchange_remote = True
    call.engine.load_exchange(call.host.spec.exchange_version or "")
    return [PSModuleInfo(f"tmp_{session.session_id:08x}.exchange")]


def _chosen(call: CmdletCall) -> list[PSSession]:
    """The sessions -Session (piped or at position 0: PSSession objects, or numbers for -Id's set, which shares that
    position), -Id or -Name names; all of this process's sessions when none is given."""
    sessions = [item for item in call.host.sessions if isinstance(item, PSSession)]
    given = (
        list(call.input)
        if call.has_input
        else call.engine.enumerate(call.get("Session"))
        if call.has("Session")
        else []
    )
    ids = {item for item in given if isinstance(item, int)}
    if call.has("Id"):
        ids |= {int(call.engine.convert(item, "System.Int32")) for item in call.engine.enumerate(call.get("Id"))}
    chosen = [item for item in given if isinstance(item, PSSession)]
    chosen += [item for item in sessions if item.session_id in ids and item not in chosen]
    if call.has("Name"):
        names = {name.lower() for name in strings(call, call.get("Name"))}
        chosen += [item for item in sessions if f"session{item.session_id}" in names and item not in chosen]
    if given or call.has("Id") or call.has("Name"):
        return chosen
    return sessions


@cmdlet("Remove-PSSession", positional=("Session",))
def remove_pssession(call: CmdletCall) -> None:
    """Remove-PSSession help: closes the sessions; the commands imported from them stop working (the lab makes
    them unavailable)."""
    refuse(call, ("InstanceId", "ComputerName", "ContainerId", "VMId", "VMName"))
    for session in _chosen(call):
        session.state = "Closed"
        if session in call.host.sessions:
            call.host.sessions.remove(session)
        if session.imported:
            call.host.exchange_remote = False
            call.host.loaded_exchange = None


@cmdlet("Get-PSSession", positional=("ComputerName",))
def get_pssession(call: CmdletCall) -> Iterable[Any]:
    """Get-PSSession (2.0) help: the sessions the current process created and has not removed."""
    refuse(call, ("ComputerName", "InstanceId", "ConnectionUri", "Credential"))
    return _chosen(call)
