"""Exchange version profiles: how each version loads its cmdlets, and what UM looks like there.

Facts from host-facts.md ("Support matrix", "UM: startup mode, services, ports"). A profile is chosen on the
controller so that a payload only ever carries commands that exist on the host it is sent to.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from ._argspec import kind_of
from ._host_data import reference

__all__ = [
    "ALL_UM_SERVICES",
    "PROFILES",
    "SHELLS",
    "ExchangeProfile",
    "ExchangeShellConfigError",
    "ShellCredential",
    "ShellLoader",
    "UnknownExchangeVersion",
    "dns_name_problem",
    "profile_for",
    "select_profile",
]

SHELLS = ("snapin", "remote")


class UnknownExchangeVersion(ValueError):
    """A version name the collection has no profile for; ``source`` says where it came from."""

    def __init__(self, version: str, *, source: str = "the Exchange version") -> None:
        shown_version = repr(version) if len(version) <= 40 and version.isprintable() else "a value"
        super().__init__(
            f"{source} is {shown_version}, which names no Exchange version the collection supports "
            f"({', '.join(sorted(PROFILES))})"
        )
        self.version = version
        self.source = source


class ExchangeShellConfigError(ValueError):
    """The remote Exchange shell cannot be opened as asked (no usable FQDN); raised before anything is sent."""


# RFC 1123 host name labels; Kerberos finds the Exchange server's HTTP/<fqdn> SPN only by its DNS name.
_DNS_LABEL = re.compile(r"^(?!-)[A-Za-z0-9_-]{1,63}(?<!-)$")


def dns_name_problem(value: object) -> str | None:
    """Why ``value`` is not a DNS host name (None when it is one): what a Kerberos session URL can carry."""
    if not isinstance(value, str) or not value:
        return "is not a host name"
    name = value[:-1] if value.endswith(".") else value
    if len(name) > 253:
        return f"has {len(name)} characters; a DNS name has at most 253"
    if all(part.isdigit() for part in name.split(".")):
        return "is an IP address; Kerberos needs the server's DNS name"
    if not all(_DNS_LABEL.match(label) for label in name.split(".")):
        return "is not a DNS name (letters, digits, hyphens and underscores between dots)"
    return None


@dataclass(frozen=True)
class ShellCredential:
    """The account that opens a remote Exchange session; the password is kept out of ``repr``."""

    username: str
    password: str = field(repr=False)


@dataclass(frozen=True)
class ShellLoader:
    """Lines that make the Exchange cmdlets available, and the statement that releases them when the operation ends.

    ``release`` is None when nothing outlives the operation (a snap-in goes with the process).
    """

    lines: tuple[str, ...]
    release: str | None = None
    arguments: Mapping[str, object] = field(default_factory=dict)


# Microsoft, "Connect to Exchange servers using remote PowerShell" (Exchange 2010/2013): New-PSSession
# -ConfigurationName Microsoft.Exchange -ConnectionUri http://<ServerFQDN>/PowerShell/ -Authentication Kerberos
# -Credential $UserCredential; Import-PSSession $Session; Remove-PSSession $Session when done.
_SESSION = "$ExumExchangeSession"
_CREDENTIAL = "$ExumShellCredential"
_RELEASE = f"Remove-PSSession -Session {_SESSION} -ErrorAction SilentlyContinue"


@dataclass(frozen=True)
class ExchangeProfile:
    """One Exchange version as the collection drives it."""

    key: str
    catalog_name: str
    build_major: int
    powershell: str
    snapin: str
    remote_shell: bool
    um_services: tuple[str, ...]
    um_cmdlets: tuple[str, ...]
    sip_ports: Mapping[str, int]

    def loader(
        self, *, shell: str = "snapin", fqdn: str | None = None, credential: ShellCredential | None = None
    ) -> ShellLoader:
        """PowerShell that makes the Exchange cmdlets available; it fails (terminating) when they cannot be loaded."""
        if shell == "snapin":
            if credential is not None:
                raise ValueError("a snap-in runs in the WinRM logon and takes no credential")
            return ShellLoader((f"Add-PSSnapin -Name '{self.snapin}' -ErrorAction Stop",))
        if shell != "remote" or not self.remote_shell:
            raise ValueError(f"Exchange {self.key} cannot load its cmdlets with shell {shell!r}")
        problem = dns_name_problem(fqdn)
        if problem is not None:
            raise ExchangeShellConfigError(f"the server name for the remote Exchange shell {problem}")
        # The endpoint and the credential are arguments (data beside the script, _host_data.py), never literals.
        arguments: dict[str, object] = {"ExchangeShellUri": f"http://{fqdn}/PowerShell/"}
        lines: list[str] = []
        session = (
            f"{_SESSION} = New-PSSession -ConfigurationName 'Microsoft.Exchange' "
            f"-ConnectionUri {reference('ExchangeShellUri')} -Authentication Kerberos"
        )
        if credential is not None:
            # host-facts.md: from inside a WinRM logon the session is a second hop, which an explicit credential
            # solves. PSCredential and ConvertTo-SecureString -AsPlainText exist in PowerShell 2.0.
            arguments["ExchangeShellUser"] = credential.username
            arguments["ExchangeShellPassword"] = credential.password
            lines.append(
                f"{_CREDENTIAL} = New-Object -TypeName 'System.Management.Automation.PSCredential' -ArgumentList "
                f"{reference('ExchangeShellUser')}, "
                f"(ConvertTo-SecureString -String {reference('ExchangeShellPassword')} -AsPlainText -Force)"
            )
            session += f" -Credential {_CREDENTIAL}"
        lines.append(session + " -ErrorAction Stop")
        # A session that opened but cannot be imported is removed before the error ends the script.
        lines.append(
            f"try {{ [void](Import-PSSession -Session {_SESSION} -AllowClobber -ErrorAction Stop) }} "
            f"catch {{ {_RELEASE}; throw }}"
        )
        return ShellLoader(tuple(lines), release=_RELEASE, arguments=arguments)


PROFILES: Mapping[str, ExchangeProfile] = {
    "2007sp1": ExchangeProfile(
        key="2007sp1",
        catalog_name="2007",
        build_major=8,
        powershell="1.0",
        snapin="Microsoft.Exchange.Management.PowerShell.Admin",
        remote_shell=False,
        um_services=("MSExchangeUM",),
        um_cmdlets=("Get-ExchangeCertificate", "Get-UMServer"),
        sip_ports={"um": 5060, "um_tls": 5061},
    ),
    "2010": ExchangeProfile(
        key="2010",
        catalog_name="2010",
        build_major=14,
        powershell="2.0",
        snapin="Microsoft.Exchange.Management.PowerShell.E2010",
        remote_shell=True,
        um_services=("MSExchangeUM",),
        um_cmdlets=("Get-ExchangeCertificate", "Get-UMServer", "Set-UMServer", "Enable-ExchangeCertificate"),
        sip_ports={"um": 5060, "um_tls": 5061},
    ),
    "2013": ExchangeProfile(
        key="2013",
        catalog_name="2013",
        build_major=15,
        powershell="3.0",
        snapin="Microsoft.Exchange.Management.PowerShell.SnapIn",
        remote_shell=True,
        um_services=("MSExchangeUM", "MSExchangeUMCR"),
        um_cmdlets=(
            "Get-ExchangeCertificate",
            "Get-UMService",
            "Set-UMService",
            "Get-UMCallRouterSettings",
            "Set-UMCallRouterSettings",
            "Enable-ExchangeCertificate",
        ),
        sip_ports={"call_router": 5060, "call_router_tls": 5061, "um": 5062, "um_tls": 5063},
    ),
}

_ALIASES = {"2007": "2007sp1", "2007sp1": "2007sp1", "2010": "2010", "2013": "2013"}

# Every UM service any supported version has: a host without a known profile is asked about all of them.
ALL_UM_SERVICES: tuple[str, ...] = ("MSExchangeUM", "MSExchangeUMCR")


def profile_for(version: str, *, source: str = "the Exchange version") -> ExchangeProfile:
    """Profile for ``2007sp1`` (or ``2007``), ``2010`` or ``2013``; ``source`` names the value in an error."""
    key = _ALIASES.get(str(version).strip().lower())
    if key is None:
        raise UnknownExchangeVersion(str(version), source=source)
    return PROFILES[key]


def select_profile(*, snapshot: Mapping[str, object] | None, host_version: object) -> ExchangeProfile | None:
    """Profile from the ``exchange_um_host`` fact, else the ``exchange_um_version`` host variable, else ``None``.

    ``None`` means "unknown": the caller discovers it with one read-only ``exchange_info`` call that loads no
    Exchange cmdlets. A snapshot that says Exchange is not installed also gives ``None``.
    """
    if snapshot is not None:
        exchange = snapshot.get("exchange")
        if isinstance(exchange, Mapping):
            if not exchange.get("installed") or exchange.get("version") is None:
                return None  # no Exchange, or one the host could not name: load no Exchange cmdlets
            return profile_for(str(exchange["version"]), source="the exchange_um_host fact's exchange.version")
    if host_version not in (None, ""):
        if not isinstance(host_version, (str, int)) or isinstance(host_version, bool):
            raise UnknownExchangeVersion(kind_of(host_version), source="the host variable exchange_um_version")
        return profile_for(str(host_version), source="the host variable exchange_um_version")
    return None
