"""The registry provider over the simulated machine's registry (HostState.registry).

A key exists when HostState.registry has it, when a key below it exists (every parent of a key exists), or when it
is a hive root. The service keys ``HKLM\\SYSTEM\\CurrentControlSet\\Services\\<name>`` are a view of
HostState.services (the one place a service's start mode lives): ``Start`` is 2 (Automatic), 3 (Manual) or
4 (Disabled) and ``DisplayName`` the display name (the Services key as the Service Control Manager writes it; the
values 0/1 of boot and system drivers do not occur for these services). Writing them changes the service.

Value kinds follow RegistryProvider.cs (PowerShell sources): a value keeps its existing kind when it is set again;
a new value takes the kind of its .NET type (Int32 DWord, Int64 QWord, String String, String[] MultiString,
Byte[] Binary) unless -Type names one. ExpandString is kept as a String (the lab stores no kind of its own).
"""

from __future__ import annotations

from typing import Any

from ...hosts.state import HostState, Service
from ..values import PSArray, TypedInt

__all__ = ["RegistryView", "value_kind"]

_SERVICES = "hklm\\system\\currentcontrolset\\services"
_START_VALUES = {"Auto": 2, "Manual": 3, "Disabled": 4}
_START_MODES = {number: mode for mode, number in _START_VALUES.items()}
_HIVE_ROOTS = ("HKLM", "HKCU")


def value_kind(value: Any) -> str:
    """RegistryValueKind of a stored value (GetValueKindFromObject)."""
    if isinstance(value, TypedInt) and value.type_name == "System.Int64":
        return "QWord"
    if isinstance(value, bool):
        return "String"
    if isinstance(value, int):
        return "DWord"
    if isinstance(value, (bytes, bytearray)) or (isinstance(value, PSArray) and value.element_type == "System.Byte"):
        return "Binary"
    if isinstance(value, list):
        return "MultiString"
    return "String"


class RegistryView:
    """Reads and writes of one host's registry, keys compared case-insensitively (as Windows compares them)."""

    def __init__(self, machine: HostState) -> None:
        self.machine = machine

    # -- keys ---------------------------------------------------------------------------------------------------

    def _stored_key(self, key: str) -> str | None:
        lowered = key.lower()
        return next((name for name in self.machine.registry if name.lower() == lowered), None)

    def _service(self, key: str) -> Service | None:
        lowered = key.lower()
        if not lowered.startswith(_SERVICES + "\\"):
            return None
        name = lowered[len(_SERVICES) + 1 :]
        return next((service for service in self.machine.services.values() if service.name.lower() == name), None)

    def _all_keys(self) -> list[str]:
        keys = list(self.machine.registry)
        keys += [
            f"HKLM\\SYSTEM\\CurrentControlSet\\Services\\{service.name}" for service in self.machine.services.values()
        ]
        return keys

    def exists(self, key: str) -> bool:
        lowered = key.lower().rstrip("\\")
        if lowered in (root.lower() for root in _HIVE_ROOTS):
            return True
        return any(name.lower() == lowered or name.lower().startswith(lowered + "\\") for name in self._all_keys())

    def subkeys(self, key: str) -> list[str]:
        """The names of the key's direct subkeys, in the order they were created (sorted as regedit lists them)."""
        prefix = key.lower().rstrip("\\") + "\\"
        names: dict[str, str] = {}
        for name in self._all_keys():
            if name.lower().startswith(prefix):
                child = name[len(prefix) :].split("\\", 1)[0]
                names.setdefault(child.lower(), child)
        return sorted(names.values(), key=str.lower)

    def create_key(self, key: str) -> None:
        if self._stored_key(key) is None:
            self.machine.registry[key] = {}

    def remove_key(self, key: str) -> None:
        """Remove the key and everything below it (services' keys cannot be removed in the lab)."""
        lowered = key.lower()
        if lowered == _SERVICES or lowered.startswith(_SERVICES + "\\") or _SERVICES.startswith(lowered + "\\"):
            raise LookupError(key)
        for name in list(self.machine.registry):
            if name.lower() == lowered or name.lower().startswith(lowered + "\\"):
                del self.machine.registry[name]

    # -- values -------------------------------------------------------------------------------------------------

    def values(self, key: str) -> dict[str, Any]:
        """The key's values by name (in the order they were written); services' keys include Start and DisplayName."""
        found: dict[str, Any] = {}
        service = self._service(key)
        if service is not None:
            found["Start"] = _START_VALUES.get(service.start_mode, 3)
            found["DisplayName"] = service.display_name
        stored = self._stored_key(key)
        if stored is not None:
            found.update(self.machine.registry[stored])
        return found

    def set_value(self, key: str, name: str, value: Any) -> None:
        service = self._service(key)
        if service is not None and name.lower() == "start" and isinstance(value, int) and value in _START_MODES:
            service.start_mode = _START_MODES[value]
            return
        if service is not None and name.lower() == "displayname":
            service.display_name = str(value)
            return
        stored = self._stored_key(key)
        if stored is None:
            stored = key
            self.machine.registry[stored] = {}
        values = self.machine.registry[stored]
        existing = next((item for item in values if item.lower() == name.lower()), name)
        values[existing] = value

    def remove_value(self, key: str, name: str) -> bool:
        stored = self._stored_key(key)
        if stored is None:
            return False
        values = self.machine.registry[stored]
        existing = next((item for item in values if item.lower() == name.lower()), None)
        if existing is None:
            return False
        del values[existing]
        return True
