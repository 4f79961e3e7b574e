"""Model of host_scripts/exchange_info.ps1 and its per-version fragments (read-only).

Each value is read from the host state the way the script reads it on Windows: WMI (Win32_ComputerSystem,
Win32_OperatingSystem), ``$PSVersionTable``, the Setup registry keys of host-facts.md "Detecting the installation",
.NET X509Store, Get-Service, and in the fragment Get-ExchangeCertificate, Get-UMServer / Get-UMService /
Get-UMCallRouterSettings and the Application event log.
"""

from __future__ import annotations

import base64
import re
from collections.abc import Mapping

from cryptography.hazmat.primitives import serialization

from ..certs import StoredCertificate, serial_hex, windows_name
from ..pserrors import LabNoModel
from ..state import HostState, exchange_services_text
from . import OperationContext
from ._binding import string_list_parameter

__all__ = ["run"]

_FRAGMENT = "exchange_info."
# exchange_info.ps1 Get-ExumExchangeInstall: (role key root, setup key, MsiProductMajor), in this order.
_INSTALL_CANDIDATES = (
    (r"HKLM\SOFTWARE\Microsoft\ExchangeServer\v15", r"HKLM\SOFTWARE\Microsoft\ExchangeServer\v15\Setup", 15),
    (r"HKLM\SOFTWARE\Microsoft\ExchangeServer\v14", r"HKLM\SOFTWARE\Microsoft\ExchangeServer\v14\Setup", 14),
    (r"HKLM\SOFTWARE\Microsoft\Exchange\v8.0", r"HKLM\SOFTWARE\Microsoft\Exchange\v8.0\Setup", 8),
    (r"HKLM\SOFTWARE\Microsoft\Exchange\v8.0", r"HKLM\SOFTWARE\Microsoft\Exchange\Setup", 8),
)
_UM_SOURCE = "MSExchange Unified Messaging"
_THUMBPRINT = re.compile(r"[0-9A-Fa-f]{40}")


def _iso(entry: StoredCertificate, which: str) -> str:
    moment = entry.certificate.not_valid_before_utc if which == "before" else entry.certificate.not_valid_after_utc
    return moment.strftime("%Y-%m-%dT%H:%M:%SZ")


def _store_entry(entry: StoredCertificate) -> dict[str, object]:
    """Get-ExumStoreCertificates: the X509Certificate2 properties the script copies."""
    return {
        "thumbprint": entry.thumbprint,
        "subject": windows_name(entry.certificate.subject),
        "issuer": windows_name(entry.certificate.issuer),
        "serial_number": serial_hex(entry.certificate),
        "not_before": _iso(entry, "before"),
        "not_after": _iso(entry, "after"),
        "has_private_key": entry.has_private_key,
        "friendly_name": entry.friendly_name,
        "der": base64.b64encode(entry.certificate.public_bytes(serialization.Encoding.DER)).decode("ascii"),
    }


def _install(state: HostState) -> dict[str, object]:
    """Get-ExumExchangeInstall."""
    for role_root, setup_key, expected_major in _INSTALL_CANDIDATES:
        major = state.registry_value(setup_key, "MsiProductMajor")
        if major is None or int(str(major)) != expected_major:
            continue
        minor = int(str(state.registry_value(setup_key, "MsiProductMinor") or 0))
        build_major = int(str(state.registry_value(setup_key, "MsiBuildMajor") or 0))
        build_minor = int(str(state.registry_value(setup_key, "MsiBuildMinor") or 0))
        version = None
        if expected_major == 15 and minor == 0:
            version = "2013"
        if expected_major == 14:
            version = "2010"
        if expected_major == 8 and minor >= 1:
            version = "2007sp1"
        install_path = state.registry_value(setup_key, "MsiInstallPath")
        return {
            "installed": True,
            "version": version,
            "build": f"{major}.{minor}.{build_major}.{build_minor}",
            "um_role": any(key.lower() == f"{role_root}\\UnifiedMessagingRole".lower() for key in state.registry),
            "install_path": "" if install_path is None else str(install_path),
        }
    return {"installed": False, "version": None, "build": None, "um_role": False, "install_path": None}


def _exchange_certificates(state: HostState) -> list[dict[str, object]]:
    """Get-ExchangeCertificate: the certificates of ``My``, then pending requests (Status PendingRequest)."""
    listed = []
    for entry in state.stores["My"].entries():
        services = state.exchange_services.get(entry.thumbprint, set())
        listed.append(
            {
                "thumbprint": entry.thumbprint,
                "services": exchange_services_text(services),
                "status": state.exchange_status(entry),
            }
        )
    # host-facts.md: "A pending request made with -GenerateRequest shows with Status PendingRequest".
    for entry in state.stores["REQUEST"].entries():
        listed.append({"thumbprint": entry.thumbprint, "services": "None", "status": "PendingRequest"})
    return listed


def _bound(certificates: list[dict[str, object]], service: str) -> str | None:
    """The fragments keep the last certificate whose Services name ``service``."""
    thumbprint = None
    for certificate in certificates:
        if service in (part.strip() for part in str(certificate["services"]).split(",")):
            thumbprint = str(certificate["thumbprint"])
    return thumbprint


def _um_2007(state: HostState) -> dict[str, object]:
    # exchange_info.2007sp1.ps1: the newest of the last 2000 Application events that is event 1112 from
    # "MSExchange Unified Messaging" (host-facts.md: the certificate UM took at service start).
    thumbprint = event_time = None
    events = [e for e in reversed(state.events[-2000:]) if e.source == _UM_SOURCE and e.event_id == 1112]
    if events:
        event_time = events[0].time_generated
        match = _THUMBPRINT.search(events[0].message)
        if match:
            thumbprint = match.group(0).upper()
    return {
        "startup_mode": None,
        "certificate_thumbprint": thumbprint,
        "certificate_event_time": event_time,
        "call_router": None,
    }


def _fragment_state(context: OperationContext, install: Mapping[str, object]) -> dict[str, object] | None:
    """Get-ExumExchangeState of the fragment in the payload."""
    fragments = [name[len(_FRAGMENT) :] for name in context.scripts if name.startswith(_FRAGMENT)]
    if len(fragments) != 1:
        raise LabNoModel(f"exchange_info with fragments {fragments!r} (expected exactly one)")
    fragment, state = fragments[0], context.state
    if fragment == "none":
        return None
    if fragment not in ("2007sp1", "2010", "2013"):
        raise LabNoModel(f"exchange_info fragment {fragment!r}")
    certificates = _exchange_certificates(state)
    um: dict[str, object] | None = None
    if install.get("um_role"):
        if state.um is None:
            raise LabNoModel("a UM role key without the UM service")
        if fragment == "2007sp1":
            um = _um_2007(state)
        elif fragment == "2010":
            um = {
                "startup_mode": state.um.startup_mode,
                "certificate_thumbprint": _bound(certificates, "UM"),
                "call_router": None,
            }
        else:
            router = state.call_router
            um = {
                "startup_mode": state.um.startup_mode,
                "certificate_thumbprint": _bound(certificates, "UM"),
                "call_router": {
                    "startup_mode": None if router is None else router.startup_mode,
                    "certificate_thumbprint": _bound(certificates, "UMCallRouter"),
                },
            }
    return {"um": um, "certificates": certificates}


def _services(state: HostState, names: list[str]) -> list[dict[str, object]]:
    """Get-ExumServiceStates: services that exist, start mode from the service's registry Start value."""
    listed = []
    for name in names:
        service = next((s for s in state.services.values() if s.name.lower() == name.lower()), None)
        if service is not None:
            listed.append(service.to_dict())
    return listed


def run(context: OperationContext, arguments: Mapping[str, object]) -> dict[str, object]:
    state, spec = context.state, context.spec
    install = _install(state)
    fragment_state = _fragment_state(context, install)
    return {
        "computer_name": spec.computer_name,
        # Win32_ComputerSystem: DNSHostName + "." + Domain of a domain member, lower-cased by the script.
        "fqdn": spec.fqdn,
        "os": {"caption": spec.os_caption, "version": spec.os_version},
        # $PSVersionTable exists from 2.0 (host-facts.md); PSVersion.ToString() is "2.0", "4.0", ...
        "powershell_version": spec.powershell_version,
        "exchange": install,
        "um": None if fragment_state is None else fragment_state["um"],
        "exchange_certificates": [] if fragment_state is None else fragment_state["certificates"],
        "services": _services(state, string_list_parameter(arguments, "Services")),
        "stores": {name: [_store_entry(e) for e in state.stores[name].entries()] for name in ("My", "Root", "CA")},
        "pending_requests": [
            {
                "subject": windows_name(entry.certificate.subject),
                "thumbprint": entry.thumbprint,
                "not_before": _iso(entry, "before"),
            }
            for entry in state.stores["REQUEST"].entries()
        ],
    }
