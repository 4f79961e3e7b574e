"""What a simulated host is: Windows, PowerShell and Exchange versions, and the latency of its slow steps.

Presets follow host-facts.md "Support matrix to aim for"; every field can be changed per host so a test or a benchmark
can build the less common combinations of that table (for example Exchange 2007 SP1 with WMF 2.0).
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass

__all__ = ["DOMAIN", "LATENCY_SETTINGS", "PRESETS", "SETTINGS", "HostSpec", "HostSpecError", "parse_host_specs"]

DOMAIN = "contoso.lab"
# The lab settings a --hosts token may set per host (``2007sp1:stdin_reaches_input=true``).
SETTINGS = ("accepts_execution_policy", "stdin_reaches_input")
# The latency model's per-host seconds a --hosts token may set (``2010:shell_load_seconds=12.5``), so a benchmark can
# give every host of a fleet its own timings.
LATENCY_SETTINGS = ("process_start_seconds", "shell_load_seconds", "service_restart_seconds", "round_trip_seconds")
_BOOLEANS = {"true": True, "false": False}


class HostSpecError(ValueError):
    """A ``--hosts`` / ``--fleet`` value the lab cannot turn into hosts."""

    def __init__(self, message: str, *, token: str) -> None:
        super().__init__(message)
        self.token = token


@dataclass(frozen=True)
class HostSpec:
    """One simulated Windows host. ``exchange_version`` None means Windows without Exchange."""

    name: str
    exchange_version: str | None
    os_caption: str
    os_version: str
    powershell_version: str
    winrm_version: str
    exchange_build: str | None = None
    um_role: bool = True
    domain: str = DOMAIN
    # Latency model, in simulated seconds (DESIGN.md "Few round trips": ~1 s per powershell.exe, 5-15 s shell load).
    process_start_seconds: float = 1.0
    shell_load_seconds: float = 0.0
    service_restart_seconds: float = 5.0
    # The network between the controller and the host: each WinRM HTTP request waits one round trip for its answer
    # (0 by default: the lab's hosts are on loopback).
    round_trip_seconds: float = 0.0
    # Lab settings for what no primary source confirms (host-facts.md). None takes the pessimistic answer on a
    # PowerShell 1.0 host and the answer 2.0 is documented or relied on to give otherwise (docs/lab.md "Lab settings").
    # accepts_execution_policy: powershell.exe has -ExecutionPolicy (documented from 2.0); without it the switch
    # starts the command instead (tests/lab/hosts/cmdline.py).
    # stdin_reaches_input: $input yields stdin under -EncodedCommand (2.0 reads redirected stdin into $input under
    # -Command; ansible-core's bootstrap relies on it under -EncodedCommand); when not, stdin stays unread for
    # [Console]::In.
    accepts_execution_policy: bool | None = None
    stdin_reaches_input: bool | None = None
    # A Lync Server 2013 / Skype for Business front-end server: to the lab only Windows without Exchange (no Lync
    # service is simulated; the collection reaches these hosts over the same WinRM channel), placed in the inventory's
    # ``lync`` group.
    lync_frontend: bool = False

    def __post_init__(self) -> None:
        documented = self.powershell_version != "1.0"
        for name in SETTINGS:
            if getattr(self, name) is None:
                object.__setattr__(self, name, documented)

    @property
    def fqdn(self) -> str:
        return f"{self.name}.{self.domain}".lower()

    @property
    def computer_name(self) -> str:
        """NetBIOS name as Windows reports it (upper case, at most 15 characters)."""
        return self.name.upper()[:15]

    @property
    def netbios_domain(self) -> str:
        return self.domain.split(".", maxsplit=1)[0].upper()

    def configured(self, **changes: object) -> HostSpec:
        """A copy with some fields changed (unknown field names raise TypeError, as dataclasses.replace does).

        A new PowerShell version brings its own defaults for the lab settings that are not changed with it.
        """
        if "powershell_version" in changes:
            changes = {**dict.fromkeys(SETTINGS), **changes}
        return dataclasses.replace(self, **changes)  # type: ignore[arg-type]


# host-facts.md "Support matrix to aim for" and the builds in "Detecting the installation".
PRESETS: dict[str, HostSpec] = {
    "2007sp1": HostSpec(
        name="exch2007",
        exchange_version="2007sp1",
        os_caption="Microsoft Windows Server 2008 Enterprise",
        os_version="6.0.6002",
        powershell_version="1.0",
        winrm_version="1.1",
        exchange_build="8.1.240.6",
        shell_load_seconds=6.0,
    ),
    # The same server after Windows Management Framework 2.0 (PowerShell 2.0 and WinRM 2.0 for Server 2008):
    # host-facts.md "Support matrix", 2007 SP1 with "1.0 (2.0 with WMF 2.0)".
    "2007sp1-ps2": HostSpec(
        name="exch2007ps2",
        exchange_version="2007sp1",
        os_caption="Microsoft Windows Server 2008 Enterprise",
        os_version="6.0.6002",
        powershell_version="2.0",
        winrm_version="2.0",
        exchange_build="8.1.240.6",
        shell_load_seconds=6.0,
    ),
    "2010": HostSpec(
        name="exch2010",
        exchange_version="2010",
        os_caption="Microsoft Windows Server 2008 R2 Enterprise",
        os_version="6.1.7601",
        powershell_version="2.0",
        winrm_version="2.0",
        exchange_build="14.3.123.4",
        shell_load_seconds=10.0,
    ),
    "2013": HostSpec(
        name="exch2013",
        exchange_version="2013",
        os_caption="Microsoft Windows Server 2012 R2 Standard",
        os_version="6.3.9600",
        powershell_version="4.0",
        # Server 2012 R2 ships WMF 4.0 with WinRM 3.0: the 2.0 wire protocol with a 500 KB MaxEnvelopeSize
        # (tests/lab/winrm/_versions.py); clients that ask for 153600 bytes see no difference.
        winrm_version="3.0",
        exchange_build="15.0.1497.2",
        shell_load_seconds=15.0,
    ),
    # A domain member without Exchange: exchange_info must report "no Exchange" cleanly (issue 3, item 7).
    "windows": HostSpec(
        name="win2008r2",
        exchange_version=None,
        os_caption="Microsoft Windows Server 2008 R2 Standard",
        os_version="6.1.7601",
        powershell_version="2.0",
        winrm_version="2.0",
        um_role=False,
    ),
    # A Lync Server 2013 / Skype for Business Server 2015 front end: both are supported on Windows Server 2012 R2
    # (Microsoft, "Server software and infrastructure support in Lync Server 2013" and "Server requirements for
    # Skype for Business Server 2015"), which ships WMF 4.0 as the 2013 preset's host does.
    "lync": HostSpec(
        name="lync01",
        exchange_version=None,
        os_caption="Microsoft Windows Server 2012 R2 Standard",
        os_version="6.3.9600",
        powershell_version="4.0",
        winrm_version="3.0",
        um_role=False,
        lync_frontend=True,
    ),
    # The oldest Windows both support: Server 2008 R2 SP1 (the same pages), with its PowerShell 2.0 and WinRM 2.0.
    "lync-2008r2": HostSpec(
        name="lync2008r2",
        exchange_version=None,
        os_caption="Microsoft Windows Server 2008 R2 Standard",
        os_version="6.1.7601",
        powershell_version="2.0",
        winrm_version="2.0",
        um_role=False,
        lync_frontend=True,
    ),
}

_FLEET_CYCLE = ("2007sp1", "2010", "2013")


def _with_settings(spec: HostSpec, settings: list[str], *, token: str) -> HostSpec:
    """``setting=true|false`` and ``<latency>_seconds=N`` items of a ``--hosts`` token applied to the preset's spec."""
    changes: dict[str, object] = {}
    for item in settings:
        name, equals, value = item.partition("=")
        name = name.strip().lower()
        if name in LATENCY_SETTINGS:
            changes[name] = _seconds(name, value, token=token)
            continue
        if name not in SETTINGS:
            known = ", ".join((*SETTINGS, *LATENCY_SETTINGS))
            raise HostSpecError(f"unknown host setting {name!r} in {token!r} (known: {known})", token=token)
        if not equals or value.strip().lower() not in _BOOLEANS:
            raise HostSpecError(f"host setting {name} takes true or false, e.g. {name}=true", token=token)
        changes[name] = _BOOLEANS[value.strip().lower()]
    return spec.configured(**changes) if changes else spec


def _seconds(name: str, value: str, *, token: str) -> float:
    try:
        seconds = float(value)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise HostSpecError(f"host setting {name} takes simulated seconds (0 or more), e.g. {name}=1.5", token=token)
    return seconds


def parse_host_specs(*, hosts: str | None, fleet: int | None, lync: int = 0) -> list[HostSpec]:
    """Turn ``--hosts`` (comma list of ``[name=]preset[:setting=true|false...]``) or ``--fleet N`` into host specs,
    followed by ``--lync N`` Lync front ends lync01..lyncNN.

    ``--fleet N`` gives um001..umNNN cycling through 2007sp1, 2010, 2013; ``none`` gives no host at all.
    """
    if lync < 0:
        raise HostSpecError("--lync must be 0 or more", token=str(lync))
    width = max(2, len(str(lync)))
    front_ends = [PRESETS["lync"].configured(name=f"lync{index + 1:0{width}d}") for index in range(lync)]
    specs = _exchange_specs(hosts=hosts, fleet=fleet) + front_ends
    names = [spec.name.lower() for spec in specs]
    duplicates = sorted({name for name in names if names.count(name) > 1})
    if duplicates:
        raise HostSpecError(f"host names must be unique: {', '.join(duplicates)}", token=hosts or str(lync))
    return specs


def _exchange_specs(*, hosts: str | None, fleet: int | None) -> list[HostSpec]:
    """The hosts of ``--hosts`` or ``--fleet``."""
    if fleet is not None:
        if hosts is not None:
            raise HostSpecError("--hosts and --fleet exclude each other", token=hosts)
        if fleet < 0:
            raise HostSpecError("--fleet must be 0 or more", token=str(fleet))
        width = max(3, len(str(fleet)))
        return [
            PRESETS[_FLEET_CYCLE[index % len(_FLEET_CYCLE)]].configured(name=f"um{index + 1:0{width}d}")
            for index in range(fleet)
        ]
    text = "2007sp1,2010,2013" if hosts is None else hosts.strip()
    if text.lower() == "none" or not text:
        return []
    specs: list[HostSpec] = []
    for token in (part.strip() for part in text.split(",")):
        host, *settings = token.split(":")
        name, _equals, preset_name = host.rpartition("=")
        preset = PRESETS.get(preset_name.strip().lower())
        if preset is None:
            raise HostSpecError(f"unknown host preset {preset_name!r} (known: {', '.join(PRESETS)})", token=token)
        spec = _with_settings(preset, settings, token=token)
        specs.append(spec.configured(name=name.strip()) if name else spec)
    return specs
