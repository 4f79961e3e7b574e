"""Exchange version profiles: how each version loads its cmdlets, and what UM looks like there.

Facts from host-facts.md ("Support matrix", "UM: startup mode, services, ports"). A profile is chosen on the
controller so that a payload only ever carries commands that exist on the host it is sent to.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

from ._quote import quote_string

__all__ = [
    "ALL_UM_SERVICES",
    "PROFILES",
    "SHELLS",
    "ExchangeProfile",
    "UnknownExchangeVersion",
    "profile_for",
    "select_profile",
]

SHELLS = ("snapin", "remote")


class UnknownExchangeVersion(ValueError):
    """A version name the collection has no profile for."""

    def __init__(self, version: str) -> None:
        super().__init__(f"unsupported Exchange version {version!r}; expected one of {', '.join(sorted(PROFILES))}")
        self.version = version


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

    def loader_lines(self, *, shell: str = "snapin", fqdn: str | None = None) -> list[str]:
        """PowerShell lines that make the Exchange cmdlets available; fail (terminating) when they cannot."""
        if shell == "snapin":
            return [f"Add-PSSnapin -Name {quote_string(self.snapin)} -ErrorAction Stop"]
        if shell != "remote" or not self.remote_shell:
            raise ValueError(f"Exchange {self.key} cannot load its cmdlets with shell {shell!r}")
        if not fqdn:
            raise ValueError("a remote Exchange shell needs the server FQDN")
        # host-facts.md: New-PSSession -ConfigurationName Microsoft.Exchange -ConnectionUri http://<fqdn>/PowerShell/
        # -Authentication Kerberos + Import-PSSession. From inside a WinRM logon this is a second hop.
        uri = quote_string(f"http://{fqdn}/PowerShell/")
        return [
            f"$ExumExchangeSession = New-PSSession -ConfigurationName 'Microsoft.Exchange' -ConnectionUri {uri} "
            "-Authentication Kerberos -ErrorAction Stop",
            "[void](Import-PSSession -Session $ExumExchangeSession -AllowClobber -ErrorAction Stop)",
        ]


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


def profile_for(version: str) -> ExchangeProfile:
    """Profile for ``2007sp1`` (or ``2007``), ``2010`` or ``2013``."""
    key = _ALIASES.get(str(version).strip().lower())
    if key is None:
        raise UnknownExchangeVersion(str(version))
    return PROFILES[key]


def select_profile(*, snapshot: Mapping[str, object] | None, host_version: object) -> ExchangeProfile | None:
    """Profile from the ``exchange_um_host`` fact, else the ``exchange_um_version`` host variable, else ``None``.

    ``None`` means "unknown": the caller discovers it with one read-only ``exchange_info`` call that loads no
    Exchange cmdlets. A snapshot that says Exchange is not installed also gives ``None``.
    """
    if snapshot is not None:
        exchange = snapshot.get("exchange")
        if isinstance(exchange, Mapping):
            if not exchange.get("installed"):
                return None
            return profile_for(str(exchange.get("version")))
    if host_version not in (None, ""):
        return profile_for(str(host_version))
    return None
