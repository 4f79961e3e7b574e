"""Get-WmiObject for the classes the host scripts read, from the host's spec (root\\cimv2 only).

Objects are System.Management.ManagementObject as PowerShell adapts them: the class's properties as members, the
WMI system properties __CLASS, __NAMESPACE, __SERVER, and PSObject.TypeNames
``System.Management.ManagementObject#root\\cimv2\\<class>`` first. Property meanings per the Win32_ComputerSystem,
Win32_OperatingSystem and Win32_Service class pages (Microsoft Learn, WMI CIMWin32 provider); DNSHostName and
OSArchitecture exist from Windows Vista / Server 2008 ("Windows Server 2003: not available"). Other classes,
namespaces, -Query, -ComputerName and -Credential are not modelled; -Filter only as ``Name='x'`` on Win32_Service.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from typing import Any

from ...hosts.specs import HostSpec
from ...hosts.state import HostState
from ..commands import CmdletCall, cmdlet
from ..values import PSObject
from ._common import refuse

_NAMESPACE = "root\\cimv2"
_MANAGEMENT_TYPES = (
    "System.Management.ManagementObject", "System.Management.ManagementBaseObject",
    "System.ComponentModel.Component", "System.MarshalByRefObject", "System.Object",
)  # fmt: skip
# Service pack by build (the builds of the matrix: 6002 = Server 2008 SP2, 7601 = 2008 R2 SP1, 9600 = 2012 R2).
_SERVICE_PACKS = {"6001": 1, "6002": 2, "7601": 1}
_NAME_FILTER = re.compile(r"""^\s*Name\s*=\s*(['"])(.*)\1\s*$""", re.IGNORECASE)


def _at_least_2008(spec: HostSpec) -> bool:
    return int(spec.os_version.split(".")[0]) >= 6


def _management_object(spec: HostSpec, class_name: str, properties: list[tuple[str, Any]]) -> PSObject:
    system = [("__CLASS", class_name), ("__NAMESPACE", _NAMESPACE), ("__SERVER", spec.computer_name)]
    return PSObject(
        [*system, *properties],
        type_names=[f"System.Management.ManagementObject#{_NAMESPACE}\\{class_name}", *_MANAGEMENT_TYPES],
        base_type="System.Management.ManagementObject",
    )


def _computer_system(spec: HostSpec, _machine: HostState) -> list[PSObject]:
    """Win32_ComputerSystem: Name (NetBIOS), Domain and PartOfDomain; Workgroup is $null on a domain member;
    DomainRole 3 (member server)."""
    properties: list[tuple[str, Any]] = [
        ("Name", spec.computer_name), ("Caption", spec.computer_name), ("Domain", spec.domain),
        ("PartOfDomain", True), ("Workgroup", None), ("DomainRole", 3),
    ]  # fmt: skip
    if _at_least_2008(spec):
        properties.insert(1, ("DNSHostName", spec.computer_name))
    return [_management_object(spec, "Win32_ComputerSystem", properties)]


def _operating_system(spec: HostSpec, _machine: HostState) -> list[PSObject]:
    """Win32_OperatingSystem: Caption, Version (major.minor.build), BuildNumber, the service pack, CSName."""
    build = spec.os_version.split(".")[2]
    pack = _SERVICE_PACKS.get(build, 0)
    properties: list[tuple[str, Any]] = [
        ("Caption", spec.os_caption), ("Version", spec.os_version), ("BuildNumber", build),
        ("ServicePackMajorVersion", pack), ("ServicePackMinorVersion", 0),
        ("CSDVersion", f"Service Pack {pack}" if pack else None), ("CSName", spec.computer_name),
        ("ProductType", 3), ("WindowsDirectory", "C:\\Windows"), ("SystemDirectory", "C:\\Windows\\system32"),
    ]  # fmt: skip
    if _at_least_2008(spec):
        # Every host of the matrix is x64 (Exchange 2007 SP1 and later are supported in production only on x64).
        properties.append(("OSArchitecture", "64-bit"))
    return [_management_object(spec, "Win32_OperatingSystem", properties)]


def _services(spec: HostSpec, machine: HostState) -> list[PSObject]:
    """Win32_Service: Name, DisplayName, State, StartMode (Auto / Manual / Disabled), Started, Status OK."""
    return [
        _management_object(
            spec,
            "Win32_Service",
            [
                ("Name", service.name),
                ("DisplayName", service.display_name),
                ("State", service.status),
                ("StartMode", service.start_mode),
                ("Started", service.status == "Running"),
                ("Status", "OK"),
            ],
        )
        for service in sorted(machine.services.values(), key=lambda service: service.name.lower())
    ]


_CLASSES: dict[str, Callable[[HostSpec, HostState], list[PSObject]]] = {
    "win32_computersystem": _computer_system,
    "win32_operatingsystem": _operating_system,
    "win32_service": _services,
}


@cmdlet(
    "Get-WmiObject", positional=("Class", "Property"), switches=("List", "Recurse", "Amended", "DirectRead", "AsJob")
)
def get_wmi_object(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("ComputerName", "Credential", "Query", "List", "Recurse", "AsJob", "Authority", "Impersonation"))
    namespace = call.engine.to_string(call.get("Namespace", _NAMESPACE)).replace("/", "\\").lower()
    if namespace not in (_NAMESPACE, "\\\\.\\root\\cimv2"):
        raise call.not_modelled(f"-Namespace {namespace}")
    class_name = call.engine.to_string(call.get("Class"))
    build = _CLASSES.get(class_name.lower())
    if build is None:
        raise call.not_modelled(f"-Class {class_name} (the lab models {', '.join(sorted(_CLASSES))})")
    objects = build(call.host.spec, call.host.machine)
    if call.has("Filter"):
        text = call.engine.to_string(call.get("Filter"))
        matched = _NAME_FILTER.match(text)
        if class_name.lower() != "win32_service" or matched is None:
            raise call.not_modelled(f"-Filter {text!r} (only Name='x' on Win32_Service)")
        wanted = matched.group(2).replace("\\\\", "\\").lower()
        objects = [item for item in objects if str(item.get("Name")[1]).lower() == wanted]
    if call.has("Property"):
        raise call.not_modelled("-Property")
    return objects
