"""Add-PSSnapin, Get-PSSnapin, Remove-PSSnapin: the core snap-ins and the Exchange snap-in of the host's version.

host-facts.md "Support matrix": 2007 SP1 registers ``Microsoft.Exchange.Management.PowerShell.Admin``, 2010
``...E2010``, 2013 ``...SnapIn``. MshSnapinCommands.cs and its resources (PowerShell sources, 2016): an unregistered
name is "The Windows PowerShell snap-in 'X' is not installed on this computer." (1.0/2.0 say "machine", as 2.0
transcripts show), a pattern matching nothing "No Windows PowerShell snap-ins matching the pattern 'X' were found.
Check the pattern and then try the command again." (NoPSSnapInsFound), a snap-in added twice "Cannot add Windows
PowerShell snap-in X because it is already added. Verify the name of the snap-in, and then try again." (the 1.0/2.0
text without the comma and "then", from Exchange 2007/2010 transcripts) - all non-terminating, AddPSSnapInRead or
NoPSSnapInsFound, InvalidArgument, PSArgumentException. The default snap-ins of a session are those Get-PSSnapin lists
on each version (1.0: Core, Host, Management, Security, Utility; 2.0 adds Diagnostics and WSMan.Management; from 3.0
only Microsoft.PowerShell.Core is a snap-in, the rest are modules).
"""

from __future__ import annotations

import weakref
from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..values import NetObject, net_type, prop
from ._common import at_least, has_wildcards, strings, wildcard_match

__all__ = ["EXCHANGE_SNAPINS", "PSSnapInInfo"]

EXCHANGE_SNAPINS = {
    "2007sp1": "Microsoft.Exchange.Management.PowerShell.Admin",
    "2010": "Microsoft.Exchange.Management.PowerShell.E2010",
    "2013": "Microsoft.Exchange.Management.PowerShell.SnapIn",
}
_CORE_1 = ("Microsoft.PowerShell.Core", "Microsoft.PowerShell.Host", "Microsoft.PowerShell.Management",
           "Microsoft.PowerShell.Security", "Microsoft.PowerShell.Utility")  # fmt: skip
_CORE_2 = (*_CORE_1, "Microsoft.PowerShell.Diagnostics", "Microsoft.WSMan.Management")
_ARGUMENT = "System.Management.Automation.PSArgumentException"

# The snap-ins each engine (powershell.exe process) has added, beyond its defaults.
_ADDED: weakref.WeakKeyDictionary[Any, list[str]] = weakref.WeakKeyDictionary()


@net_type("System.Management.Automation.PSSnapInInfo")
class PSSnapInInfo(NetObject):
    def __init__(self, name: str, default: bool) -> None:
        self.name = name
        self.default = default

    def to_string(self) -> str:
        return self.name

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("IsDefault")
    def _is_default(self) -> bool:
        return self.default


def _defaults(call: CmdletCall) -> tuple[str, ...]:
    if at_least(call, "3.0"):
        return ("Microsoft.PowerShell.Core",)
    return _CORE_2 if at_least(call, "2.0") else _CORE_1


def _registered(call: CmdletCall) -> list[str]:
    """Snap-ins registered on the machine beyond the defaults: the Exchange one of the host's version."""
    installed = EXCHANGE_SNAPINS.get(call.host.spec.exchange_version or "")
    return [installed] if installed else []


def _added(call: CmdletCall) -> list[str]:
    return _ADDED.setdefault(call.engine, [])


def _info(call: CmdletCall, name: str) -> PSSnapInInfo:
    return PSSnapInInfo(name, name in _defaults(call))


def _argument_error(call: CmdletCall, message: str, fqid: str, target: str) -> None:
    call.write_error(message, fqid=fqid, category="InvalidArgument", exception=_ARGUMENT, target=target)


def _known(call: CmdletCall, name: str) -> bool:
    """The Exchange snap-ins and the session's default snap-ins; any other name is not modelled."""
    lowered = name.lower()
    return lowered in (snapin.lower() for snapin in (*EXCHANGE_SNAPINS.values(), *_defaults(call)))


@cmdlet("Add-PSSnapin", positional=("Name",), switches=("PassThru",))
def add_pssnapin(call: CmdletCall) -> Iterable[Any]:
    """Add-PSSnapin help: adds each registered snap-in by name or pattern to the session; loading the Exchange one
    makes its cmdlets available and costs one Exchange shell load."""
    added: list[Any] = []
    registered = _registered(call)
    for pattern in strings(call, call.get("Name")):
        if not _known(call, pattern) and not has_wildcards(pattern):
            raise call.not_modelled(
                f"-Name {pattern!r} (only the Exchange snap-ins and the core snap-ins are modelled)"
            )
        if has_wildcards(pattern):
            names = [name for name in registered if wildcard_match(pattern, name)]
            if not names:
                _argument_error(
                    call, f"No Windows PowerShell snap-ins matching the pattern '{pattern}' were found. Check the "
                    "pattern and then try the command again.", "NoPSSnapInsFound", pattern,
                )  # fmt: skip
        else:
            names = [pattern]
        for name in names:
            known = [*registered, *_defaults(call)]
            installed = next((each for each in known if each.lower() == name.lower()), None)
            if installed is None:
                where = "computer" if at_least(call, "3.0") else "machine"
                _argument_error(
                    call, f"The Windows PowerShell snap-in '{name}' is not installed on this {where}.",
                    "AddPSSnapInRead", name,
                )  # fmt: skip
                continue
            if installed in _added(call) or installed in _defaults(call):
                tail = (
                    "Verify the name of the snap-in, and then try again."
                    if at_least(call, "3.0")
                    else ("Verify the name of the snap-in and try again.")
                )
                _argument_error(
                    call, f"Cannot add Windows PowerShell snap-in {installed} because it is already added. {tail}",
                    "AddPSSnapInRead", installed,
                )  # fmt: skip
                continue
            _added(call).append(installed)
            call.engine.load_exchange(call.host.spec.exchange_version or "")
            if call.switch("PassThru"):
                added.append(_info(call, installed))
    return added


@cmdlet("Get-PSSnapin", positional=("Name",), switches=("Registered",))
def get_pssnapin(call: CmdletCall) -> Iterable[Any]:
    """Get-PSSnapin help: the snap-ins of the session (with -Registered: those registered on the machine that are not
    defaults), filtered by -Name patterns; a name that matches nothing is NoPSSnapInsFound."""
    names = _registered(call) if call.switch("Registered") else [*_defaults(call), *_added(call)]
    patterns = strings(call, call.get("Name"))
    if not patterns:
        return [_info(call, name) for name in names]
    found: list[PSSnapInInfo] = []
    for pattern in patterns:
        matched = [name for name in names if wildcard_match(pattern, name)]
        if not matched:
            _argument_error(
                call, f"No Windows PowerShell snap-ins matching the pattern '{pattern}' were found. Check the pattern "
                "and then try the command again.", "NoPSSnapInsFound", pattern,
            )  # fmt: skip
        found += [_info(call, name) for name in matched if all(item.name != name for item in found)]
    return found


@cmdlet("Remove-PSSnapin", positional=("Name",), switches=("PassThru",))
def remove_pssnapin(call: CmdletCall) -> Iterable[Any]:
    """Remove-PSSnapin help: removes added snap-ins; their cmdlets are gone from the session."""
    removed = []
    for pattern in strings(call, call.get("Name")):
        matched = [name for name in _added(call) if wildcard_match(pattern, name)]
        if not matched:
            _argument_error(
                call, f"No Windows PowerShell snap-ins matching the pattern '{pattern}' were found. Check the pattern "
                "and then try the command again.", "NoPSSnapInsFound", pattern,
            )  # fmt: skip
        for name in matched:
            _added(call).remove(name)
            if not call.host.exchange_remote:
                call.host.loaded_exchange = None
            removed.append(_info(call, name))
    return removed if call.switch("PassThru") else []
