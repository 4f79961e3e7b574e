"""Provider paths as PowerShell resolves them, and Join-Path / Split-Path.

about_Providers, about_Registry_Provider, about_FileSystem_Provider: a path is drive-qualified (``HKLM:\\SOFTWARE``,
``C:\\Windows``) or provider-qualified (``Registry::HKEY_LOCAL_MACHINE\\SOFTWARE``,
``Microsoft.PowerShell.Core\\FileSystem::C:\\Windows``); ``/`` is accepted for ``\\``. The registry drives are HKLM and
HKCU; file system drives are the letters. Relative paths depend on the current location, which the lab does not
model, and other providers (Env:, Variable:, Cert: ...) are not modelled either: both are refused by name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from ..commands import CmdletCall, cmdlet
from ..errors import NotModelled
from ._common import strings

__all__ = ["FILESYSTEM_PROVIDER", "HIVES", "REGISTRY_PROVIDER", "ProviderPath", "resolve_path"]

REGISTRY_PROVIDER = "Microsoft.PowerShell.Core\\Registry"
FILESYSTEM_PROVIDER = "Microsoft.PowerShell.Core\\FileSystem"
# about_Registry_Provider: the drives HKLM: and HKCU:; provider paths name the hive in full or by its short name.
HIVES = {"hklm": "HKEY_LOCAL_MACHINE", "hkcu": "HKEY_CURRENT_USER"}
_HIVE_SHORT = {full.lower(): short.upper() for short, full in HIVES.items()}
_PROVIDER_PREFIX = re.compile(r"^(?:Microsoft\.PowerShell\.Core\\)?(Registry|FileSystem)::", re.IGNORECASE)
_DRIVE = re.compile(r"^([A-Za-z][A-Za-z0-9]*):(.*)$", re.DOTALL)


@dataclass(frozen=True)
class ProviderPath:
    """A resolved path. ``key`` is the lab's own form: ``HKLM\\SOFTWARE\\X`` (as HostState.registry keys) or
    ``C:\\Windows\\Temp``; ``drive`` is the PowerShell drive (``HKLM``, ``C``) and ``given`` the text as written."""

    provider: str  # "Registry" | "FileSystem"
    key: str
    drive: str
    given: str

    @property
    def provider_path(self) -> str:
        """The provider's own path: ``HKEY_LOCAL_MACHINE\\SOFTWARE\\X`` or ``C:\\Windows``."""
        if self.provider == "Registry":
            hive, _slash, rest = self.key.partition("\\")
            full = HIVES[hive.lower()]
            return f"{full}\\{rest}" if rest else full
        return self.key

    @property
    def ps_path(self) -> str:
        """PSPath: the provider-qualified path (``Microsoft.PowerShell.Core\\Registry::HKEY_LOCAL_MACHINE\\...``)."""
        name = REGISTRY_PROVIDER if self.provider == "Registry" else FILESYSTEM_PROVIDER
        return f"{name}::{self.provider_path}"

    @property
    def leaf(self) -> str:
        return self.key.rstrip("\\").rsplit("\\", 1)[-1]

    def parent(self) -> ProviderPath | None:
        trimmed = self.key.rstrip("\\")
        if "\\" not in trimmed:
            return None
        head = trimmed.rsplit("\\", 1)[0]
        if self.provider == "FileSystem" and len(head) == 2:
            head += "\\"
        return ProviderPath(self.provider, head, self.drive, head)

    def child(self, name: str) -> ProviderPath:
        return ProviderPath(self.provider, self.key.rstrip("\\") + "\\" + name, self.drive, self.given)


def _normalise(text: str) -> str:
    text = text.replace("/", "\\")
    while "\\\\" in text:
        text = text.replace("\\\\", "\\")
    return text


def resolve_path(text: str) -> ProviderPath:
    """Resolve a path of the registry or file system provider; anything else is refused (NotModelled)."""
    given = text
    path = _normalise(text.strip())
    qualified = _PROVIDER_PREFIX.match(path)
    if qualified:
        provider = qualified.group(1).lower()
        rest = path[qualified.end() :]
        if provider == "registry":
            hive, _slash, tail = rest.partition("\\")
            short = _HIVE_SHORT.get(hive.lower()) or (hive.upper() if hive.lower() in HIVES else None)
            if short is None:
                raise NotModelled(f"the registry path {given!r} (only HKEY_LOCAL_MACHINE and HKEY_CURRENT_USER)")
            return ProviderPath("Registry", _join(short, tail), short, given)
        return _file_path(rest, given)
    drive = _DRIVE.match(path)
    if drive is None:
        raise NotModelled(f"the relative path {given!r} (the current location is not modelled)")
    name, rest = drive.group(1), drive.group(2)
    if name.lower() in HIVES:
        return ProviderPath("Registry", _join(name.upper(), rest.lstrip("\\")), name.upper(), given)
    if len(name) == 1:
        return _file_path(path, given)
    raise NotModelled(f"the drive {name}: (only HKLM:, HKCU: and file system drives are modelled)")


def _join(hive: str, tail: str) -> str:
    tail = tail.strip("\\")
    return f"{hive}\\{tail}" if tail else hive


def _file_path(path: str, given: str) -> ProviderPath:
    drive = _DRIVE.match(path)
    if drive is None or len(drive.group(1)) != 1 or (not drive.group(2).startswith("\\") and drive.group(2)):
        raise NotModelled(f"the file system path {given!r} (only absolute paths such as C:\\dir are modelled)")
    letter = drive.group(1).upper()
    rest = drive.group(2).strip("\\")
    if any(part in (".", "..") for part in rest.split("\\")):
        raise NotModelled(f"the path {given!r} (. and .. segments)")
    return ProviderPath("FileSystem", f"{letter}:\\{rest}" if rest else f"{letter}:\\", letter, given)


# -- Join-Path and Split-Path ------------------------------------------------------------------------------------


@cmdlet("Join-Path", positional=("Path", "ChildPath"), switches=("Resolve",))
def join_path(call: CmdletCall) -> list[str]:
    """Join-Path help: each -Path joined with -ChildPath by one backslash (the provider's separator); the paths need
    not exist. -Resolve (which resolves wildcards against existing items) is not modelled."""
    if call.switch("Resolve"):
        raise call.not_modelled("-Resolve")
    child = call.engine.to_string(call.get("ChildPath", ""))
    joined = []
    for parent in strings(call, call.get("Path")):
        left = parent.replace("/", "\\").rstrip("\\")
        right = child.replace("/", "\\").lstrip("\\")
        joined.append(f"{left}\\{right}" if right else left + "\\")
    return joined


@cmdlet(
    "Split-Path", positional=("Path",),
    switches=("Parent", "Leaf", "Qualifier", "NoQualifier", "IsAbsolute", "Resolve"),
)  # fmt: skip
def split_path(call: CmdletCall) -> list[object]:
    """Split-Path help: -Parent (the default) is everything before the last separator (a drive's root keeps its
    backslash); -Leaf the last element; -Qualifier the drive (``C:``); -NoQualifier the path without it;
    -IsAbsolute whether the path has a drive or provider qualifier. -Resolve is not modelled."""
    if call.switch("Resolve"):
        raise call.not_modelled("-Resolve")
    results: list[object] = []
    for text in strings(call, call.get("Path", call.get("LiteralPath"))):
        path = text.replace("/", "\\")
        qualifier, _colon, rest = path.partition(":") if ":" in path and "::" not in path else ("", "", path)
        if call.switch("IsAbsolute"):
            results.append(bool(qualifier) or "::" in path or path.startswith("\\"))
        elif call.switch("Qualifier"):
            if not qualifier:
                call.write_error(
                    f"Cannot parse the path '{text}' because it does not contain a qualifier.",
                    fqid="ParsePathFormatError", category="InvalidArgument",
                    exception="System.Management.Automation.PSArgumentException", target=text,
                )  # fmt: skip
                continue
            results.append(qualifier + ":")
        elif call.switch("NoQualifier"):
            results.append(rest if qualifier else path)
        elif call.switch("Leaf"):
            results.append(path.rstrip("\\").rsplit("\\", 1)[-1])
        else:
            trimmed = path.rstrip("\\")
            if "\\" not in trimmed:
                results.append("")
                continue
            parent = trimmed.rsplit("\\", 1)[0]
            results.append(parent + "\\" if parent.endswith(":") else parent)
    return results
