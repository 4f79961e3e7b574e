"""The item cmdlets over the registry and FileSystem providers: Test-Path, Get-Item, Get-ChildItem,
Get-ItemProperty, Set-ItemProperty, New-Item, Remove-Item.

Behaviour per the cmdlets' help pages and about_Registry_Provider / about_FileSystem_Provider; error texts and ids
from the PowerShell sources' resources and RegistryProvider.cs (2016, the Windows PowerShell code base):
a path that does not exist is ``Cannot find path 'X' because it does not exist.`` (PathNotFound, ObjectNotFound,
ItemNotFoundException, SessionStateStrings.resx), written by the cmdlet whose class the error id names. Wildcards in
paths are not modelled (refused).
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..values import NetObject, PSArray, PSObject, TypedInt, method, net_type, prop
from ._common import has_wildcards, refuse, strings, wildcard_match
from .filesystem import DirectoryInfo, FileInfo, FileView
from .paths import FILESYSTEM_PROVIDER, REGISTRY_PROVIDER, ProviderPath, resolve_path
from .registry import RegistryView, value_kind

_ITEM_NOT_FOUND = "System.Management.Automation.ItemNotFoundException"


@net_type("System.Management.Automation.PSDriveInfo")
class PSDriveInfo(NetObject):
    def __init__(self, name: str, provider: str, root: str) -> None:
        self.name = name
        self.provider = provider
        self.root = root

    def to_string(self) -> str:
        return self.name

    @prop("Name")
    def _name(self) -> str:
        return self.name

    @prop("Root")
    def _root(self) -> str:
        return self.root

    @prop("Provider")
    def _provider(self) -> ProviderInfo:
        return ProviderInfo(self.provider)


@net_type("System.Management.Automation.ProviderInfo")
class ProviderInfo(NetObject):
    def __init__(self, full_name: str) -> None:
        self.full_name = full_name

    def to_string(self) -> str:
        """ProviderInfo.ToString(): the provider's full name (``Microsoft.PowerShell.Core\\Registry``)."""
        return self.full_name

    @prop("Name")
    def _name(self) -> str:
        return self.full_name.rsplit("\\", 1)[-1]


def _drive(path: ProviderPath) -> PSDriveInfo:
    if path.provider == "Registry":
        return PSDriveInfo(path.drive, REGISTRY_PROVIDER, path.provider_path.split("\\", 1)[0])
    return PSDriveInfo(path.drive, FILESYSTEM_PROVIDER, f"{path.drive}:\\")


def _location_properties(path: ProviderPath) -> list[tuple[str, Any]]:
    """The note properties a provider adds to every item (about_Providers): PSPath, PSParentPath, PSChildName,
    PSDrive, PSProvider."""
    parent = path.parent()
    return [
        ("PSPath", path.ps_path),
        ("PSParentPath", parent.ps_path if parent is not None else ""),
        ("PSChildName", path.leaf),
        ("PSDrive", _drive(path)),
        ("PSProvider", ProviderInfo(REGISTRY_PROVIDER if path.provider == "Registry" else FILESYSTEM_PROVIDER)),
    ]


@net_type("Microsoft.Win32.RegistryKey", base="System.MarshalByRefObject", interfaces=("System.IDisposable",))
class RegistryKey(NetObject):
    """What the registry provider returns for a key (Microsoft.Win32.RegistryKey), with the provider's notes."""

    def __init__(self, path: ProviderPath, view: RegistryView) -> None:
        self.path = path
        self.view = view

    def to_string(self) -> str:
        return self.path.provider_path

    @prop("Name")
    def _name(self) -> str:
        return self.path.provider_path

    @prop("SubKeyCount")
    def _subkey_count(self) -> int:
        return len(self.view.subkeys(self.path.key))

    @prop("ValueCount")
    def _value_count(self) -> int:
        return len(self.view.values(self.path.key))

    @method("GetValue", "System.String")
    def _get_value(self, name: str | None) -> Any:
        return self._value(name, None)

    @method("GetValue", "System.String", "System.Object")
    def _get_value_default(self, name: str | None, default: Any) -> Any:
        return self._value(name, default)

    def _value(self, name: str | None, default: Any) -> Any:
        values = self.view.values(self.path.key)
        return next((value for key, value in values.items() if key.lower() == (name or "").lower()), default)

    @method("GetValueNames")
    def _value_names(self) -> PSArray:
        return PSArray(list(self.view.values(self.path.key)), "System.String")

    @method("GetSubKeyNames")
    def _subkey_names(self) -> PSArray:
        return PSArray(self.view.subkeys(self.path.key), "System.String")

    @method("Close")
    def _close(self) -> None:
        return None

    @prop("PSPath")
    def _ps_path(self) -> str:
        return self.path.ps_path

    @prop("PSParentPath")
    def _ps_parent(self) -> str:
        parent = self.path.parent()
        return parent.ps_path if parent is not None else ""

    @prop("PSChildName")
    def _ps_child(self) -> str:
        return self.path.leaf

    @prop("PSDrive")
    def _ps_drive(self) -> PSDriveInfo:
        return _drive(self.path)

    @prop("PSProvider")
    def _ps_provider(self) -> ProviderInfo:
        return ProviderInfo(REGISTRY_PROVIDER)

    @prop("PSIsContainer")
    def _container(self) -> bool:
        return True


# -- shared helpers ----------------------------------------------------------------------------------------------


def _path_texts(call: CmdletCall, *, mandatory: bool = True) -> list[str]:
    """-Path or -LiteralPath (a value or an array). A missing one means the current location (not modelled); a $null
    or empty one is the binder's ParameterArgumentValidationError (NullNotAllowed / EmptyStringNotAllowed)."""
    name = "LiteralPath" if call.has("LiteralPath") else "Path"
    if not call.has(name):
        if call.has_input:
            return strings(call, list(call.input))
        if mandatory:
            raise call.not_modelled("without -Path (the current location is not modelled)")
        return []
    value = call.get(name)
    texts = strings(call, value)
    if value is None or not texts:
        _bind_error(call, name, "null", "NullNotAllowed")
    for text in texts:
        if text == "":
            _bind_error(call, name, "an empty string", "EmptyStringNotAllowed")
        if name == "Path" and has_wildcards(text):
            raise call.not_modelled(f"-Path {text!r} (wildcards in paths)")
    return texts


def _bind_error(call: CmdletCall, parameter: str, what: str, suffix: str) -> None:
    call.throw(
        f"Cannot bind argument to parameter '{parameter}' because it is {what}.",
        fqid=f"ParameterArgumentValidationError{suffix}", category="InvalidData",
        exception="System.Management.Automation.ParameterBindingValidationException",
    )  # fmt: skip


def path_not_found(call: CmdletCall, text: str) -> None:
    call.write_error(
        f"Cannot find path '{text}' because it does not exist.", fqid="PathNotFound", category="ObjectNotFound",
        exception=_ITEM_NOT_FOUND, target=text,
    )  # fmt: skip


def _registry(call: CmdletCall) -> RegistryView:
    return RegistryView(call.host.machine)


def _files(call: CmdletCall) -> FileView:
    return FileView(call.host.machine.files)


def _exists(call: CmdletCall, path: ProviderPath) -> bool:
    if path.provider == "Registry":
        return _registry(call).exists(path.key)
    return _files(call).exists(path.key)


def _item(call: CmdletCall, path: ProviderPath) -> Any:
    if path.provider == "Registry":
        return RegistryKey(path, _registry(call))
    view = _files(call)
    return DirectoryInfo(path.key, view) if view.is_directory(path.key) else FileInfo(path.key, view)


def _name_filter(call: CmdletCall) -> list[tuple[str, bool]]:
    """-Filter and -Include select by name, -Exclude drops (wildcards, case-insensitive)."""
    rules = []
    if call.has("Filter"):
        rules.append((call.engine.to_string(call.get("Filter")), True))
    rules += [(pattern, True) for pattern in strings(call, call.get("Include"))]
    rules += [(pattern, False) for pattern in strings(call, call.get("Exclude"))]
    return rules


def _passes(rules: list[tuple[str, bool]], name: str) -> bool:
    includes = [pattern for pattern, keep in rules if keep]
    if includes and not all(wildcard_match(pattern, name) for pattern in includes):
        return False
    return not any(wildcard_match(pattern, name) for pattern, keep in rules if not keep)


# -- Test-Path ---------------------------------------------------------------------------------------------------


@cmdlet("Test-Path", positional=("Path",), switches=("IsValid",))
def test_path(call: CmdletCall) -> Iterable[bool]:
    """Test-Path help: True when the item exists; -PathType Container / Leaf / Any narrows it (registry keys are
    containers: the registry provider has no leaf items). -IsValid, -OlderThan, -NewerThan are not modelled."""
    refuse(call, ("IsValid", "OlderThan", "NewerThan", "Credential", "Filter", "Include", "Exclude"))
    kind = call.engine.to_string(call.get("PathType", "Any")).lower()
    if kind not in ("any", "container", "leaf"):
        raise call.not_modelled(f"-PathType {kind}")
    results = []
    for text in _path_texts(call):
        path = resolve_path(text)
        exists = _exists(call, path)
        if exists and kind != "any":
            container = path.provider == "Registry" or _files(call).is_directory(path.key)
            exists = container == (kind == "container")
        results.append(exists)
    return results


# -- Get-Item / Get-ChildItem ------------------------------------------------------------------------------------


@cmdlet("Get-Item", positional=("Path",), switches=("Force",))
def get_item(call: CmdletCall) -> Iterable[Any]:
    """Get-Item help: the item at each path (a registry key, a file or a directory)."""
    refuse(call, ("Filter", "Include", "Exclude", "Credential", "Stream"))
    found = []
    for text in _path_texts(call):
        path = resolve_path(text)
        if not _exists(call, path):
            path_not_found(call, text)
            continue
        found.append(_item(call, path))
    return found


def _children(call: CmdletCall, path: ProviderPath, recurse: bool) -> list[tuple[ProviderPath, Any]]:
    found: list[tuple[ProviderPath, Any]] = []
    if path.provider == "Registry":
        view = _registry(call)
        for name in view.subkeys(path.key):
            child = path.child(name)
            found.append((child, RegistryKey(child, view)))
            if recurse:
                found += _children(call, child, recurse)
        return found
    files = _files(call)
    if files.is_file(path.key):
        return [(path, FileInfo(path.key, files))]
    for full, is_directory in files.children(path.key):
        child = ProviderPath("FileSystem", full, path.drive, full)
        found.append((child, DirectoryInfo(full, files) if is_directory else FileInfo(full, files)))
        if recurse and is_directory:
            found += _children(call, child, recurse)
    return found


@cmdlet("Get-ChildItem", positional=("Path", "Filter"), switches=("Recurse", "Force", "Name"))
def get_child_item(call: CmdletCall) -> Iterable[Any]:
    """Get-ChildItem help: the items in each container (subkeys of a key; files and directories of a directory), with
    -Recurse all below; -Name returns the names relative to the path; -Filter/-Include/-Exclude by name. 3.0's
    -File/-Directory/-Attributes are not modelled."""
    refuse(call, ("Credential", "Attributes", "Directory", "File", "Hidden", "ReadOnly", "System"))
    rules = _name_filter(call)
    found: list[Any] = []
    for text in _path_texts(call):
        path = resolve_path(text)
        if path.provider == "Registry" and call.has("Filter"):
            raise call.not_modelled("-Filter on the registry provider (it supports no filters)")
        if not _exists(call, path):
            path_not_found(call, text)
            continue
        for child, item in _children(call, path, call.switch("Recurse")):
            if not _passes(rules, child.leaf):
                continue
            if call.switch("Name"):
                found.append(child.key[len(path.key.rstrip("\\")) + 1 :] if child.key != path.key else child.leaf)
            else:
                found.append(item)
    return found


# -- Get-ItemProperty / Set-ItemProperty -------------------------------------------------------------------------


def _property_not_at_path(call: CmdletCall, name: str, path: ProviderPath) -> None:
    """RegistryProvider.cs WriteErrorIfPerfectMatchNotFound: PropertyNotAtPath "Property X does not exist at path
    HKEY_LOCAL_MACHINE\\...", PSArgumentException (its type name is the error id), InvalidArgument."""
    call.write_error(
        f"Property {name} does not exist at path {path.provider_path}.",
        fqid="System.Management.Automation.PSArgumentException", category="InvalidArgument",
        exception="System.Management.Automation.PSArgumentException", target=name,
    )  # fmt: skip


@cmdlet("Get-ItemProperty", positional=("Path", "Name"))
def get_item_property(call: CmdletCall) -> Iterable[Any]:
    """Get-ItemProperty help: a registry key's values as one PSCustomObject (every value, or those -Name matches)
    with the provider's PSPath, PSParentPath, PSChildName, PSDrive and PSProvider. File properties are not modelled."""
    refuse(call, ("Filter", "Include", "Exclude", "Credential"))
    wanted = strings(call, call.get("Name"))
    found = []
    for text in _path_texts(call):
        path = resolve_path(text)
        if path.provider != "Registry":
            raise call.not_modelled("on the FileSystem provider (file properties)")
        view = _registry(call)
        if not view.exists(path.key):
            path_not_found(call, text)
            continue
        values = view.values(path.key)
        chosen = list(values.items())
        if wanted:
            chosen = [(name, value) for name, value in values.items() if any(wildcard_match(w, name) for w in wanted)]
            for name in wanted:
                if not has_wildcards(name) and not any(key.lower() == name.lower() for key in values):
                    _property_not_at_path(call, name, path)
            if not chosen:
                continue
        found.append(PSObject([*chosen, *_location_properties(path)]))
    return found


_KIND_TYPES = {
    "string": "System.String", "expandstring": "System.String", "dword": "System.Int32", "qword": "System.Int64",
    "multistring": "System.String[]", "binary": "System.Byte[]",
}  # fmt: skip


def _registry_value(call: CmdletCall, value: Any, kind: str) -> Any:
    """ConvertValueToKind: the value converted to the .NET type of the kind."""
    converted = call.engine.convert(value, _KIND_TYPES[kind])
    if kind == "qword":
        return TypedInt(int(converted), "System.Int64")
    if kind == "multistring":
        return [call.engine.to_string(item) for item in call.engine.enumerate(converted)]
    return converted


@cmdlet("Set-ItemProperty", positional=("Path", "Name", "Value"), switches=("PassThru", "Force"))
def set_item_property(call: CmdletCall) -> Iterable[Any]:
    """Set-ItemProperty help and RegistryProvider.cs SetRegistryValue: an existing value keeps its kind, a new one
    takes -Type or the kind of its .NET type; -PassThru returns the key's properties."""
    refuse(call, ("InputObject", "Filter", "Include", "Exclude", "Credential"))
    name = call.engine.to_string(call.get("Name"))
    value = call.get("Value")
    given_kind = call.engine.to_string(call.get("Type")).lower() if call.has("Type") else None
    if given_kind is not None and given_kind not in _KIND_TYPES:
        raise call.not_modelled(f"-Type {given_kind}")
    written = []
    for text in _path_texts(call):
        path = resolve_path(text)
        if path.provider != "Registry":
            raise call.not_modelled("on the FileSystem provider (file attributes)")
        view = _registry(call)
        if not view.exists(path.key):
            path_not_found(call, text)
            continue
        existing = next((item for key, item in view.values(path.key).items() if key.lower() == name.lower()), None)
        kind = given_kind or (value_kind(existing) if existing is not None else value_kind(value)).lower()
        view.set_value(path.key, name, _registry_value(call, value, kind))
        if call.switch("PassThru"):
            values = view.values(path.key)
            chosen = [(key, item) for key, item in values.items() if key.lower() == name.lower()]
            written.append(PSObject([*chosen, *_location_properties(path)]))
    return written


# -- New-Item / Remove-Item --------------------------------------------------------------------------------------


def _new_registry_key(call: CmdletCall, path: ProviderPath) -> Any:
    """RegistryProvider.NewItem: an existing key without -Force is "A key in this path already exists."
    (System.IO.IOException, ResourceExists); with -Force it is removed and made anew, and missing parent keys are
    created; without -Force a missing parent is "The registry key at the specified path does not exist."
    (System.ArgumentException, InvalidArgument). -Value sets the key's default value."""
    view = _registry(call)
    if view.exists(path.key):
        if not call.switch("Force"):
            call.write_error(
                "A key in this path already exists.", fqid="System.IO.IOException", category="ResourceExists",
                exception="System.IO.IOException", target=RegistryKey(path, view),
            )  # fmt: skip
            return None
        view.remove_key(path.key)
    parent = path.parent()
    if parent is not None and not view.exists(parent.key) and not call.switch("Force"):
        call.write_error(
            "The registry key at the specified path does not exist.", fqid="System.ArgumentException",
            category="InvalidArgument", exception="System.ArgumentException", target=parent.provider_path,
        )  # fmt: skip
        return None
    view.create_key(path.key)
    if call.has("Value"):
        value = call.get("Value")
        view.set_value(path.key, "", _registry_value(call, value, value_kind(value).lower()))
    return RegistryKey(path, view)


def _new_file_item(call: CmdletCall, path: ProviderPath, item_type: str) -> Any:
    """FileSystemProvider.NewItem: -ItemType File or Directory; an existing file without -Force is "The file 'X'
    already exists." (IOException), an existing directory "An item with the specified name X already exists."
    (DirectoryExist, ResourceExists); -Value is the new file's content (written as New-Item does, in the ANSI code
    page)."""
    files = _files(call)
    if item_type == "directory":
        if files.is_directory(path.key) and not call.switch("Force"):
            call.write_error(
                f"An item with the specified name {path.key} already exists.", fqid="DirectoryExist",
                category="ResourceExists", exception="System.IO.IOException", target=path.key,
            )  # fmt: skip
            return None
        files.files.make_directory(path.key)
        return DirectoryInfo(path.key, files)
    parent = path.parent()
    if parent is not None and not files.is_directory(parent.key):
        call.write_error(
            f"Could not find a part of the path '{path.key}'.", fqid="NewItemIOError", category="WriteError",
            exception="System.IO.DirectoryNotFoundException", target=path.key,
        )  # fmt: skip
        return None
    if files.is_file(path.key) and not call.switch("Force"):
        call.write_error(
            f"The file '{path.key}' already exists.", fqid="NewItemIOError", category="WriteError",
            exception="System.IO.IOException", target=path.key,
        )  # fmt: skip
        return None
    text = call.engine.to_string(call.get("Value")) if call.has("Value") else ""
    from .content import encode

    files.files.write(path.key, encode(call, text, "default"))
    return FileInfo(path.key, files)


@cmdlet("New-Item", positional=("Path",), switches=("Force",))
def new_item(call: CmdletCall) -> Iterable[Any]:
    """New-Item help: -Path (with -Name appended) and -ItemType; a registry key by default on the registry provider.
    The file system's error texts of NewItemIOError are assumed (the .NET exception messages)."""
    refuse(call, ("Credential",))
    created = []
    item_type = call.engine.to_string(call.get("ItemType", "")).lower()
    for text in _path_texts(call):
        path = resolve_path(text)
        if call.has("Name"):
            path = path.child(call.engine.to_string(call.get("Name")))
        if path.provider == "Registry":
            if item_type not in ("", "key"):
                raise call.not_modelled(f"-ItemType {item_type} on the registry provider")
            result = _new_registry_key(call, path)
        else:
            if item_type not in ("file", "directory"):
                raise call.not_modelled(f"-ItemType {item_type or '(none)'} on the FileSystem provider")
            result = _new_file_item(call, path, item_type)
        if result is not None:
            created.append(result)
    return created


@cmdlet("Remove-Item", positional=("Path",), switches=("Recurse", "Force"))
def remove_item(call: CmdletCall) -> None:
    """Remove-Item help: removes each item; a container with children needs -Recurse (without it PowerShell asks
    for confirmation, which a non-interactive host cannot answer: not modelled)."""
    refuse(call, ("Filter", "Include", "Exclude", "Credential", "Stream"))
    for text in _path_texts(call):
        path = resolve_path(text)
        if not _exists(call, path):
            path_not_found(call, text)
            continue
        if path.provider == "Registry":
            view = _registry(call)
            if view.subkeys(path.key) and not call.switch("Recurse"):
                raise call.not_modelled("of a key with subkeys without -Recurse (a confirmation prompt)")
            try:
                view.remove_key(path.key)
            except LookupError:
                raise call.not_modelled(f"of the service key {path.key}") from None
            continue
        files = _files(call)
        if files.is_directory(path.key) and files.children(path.key) and not call.switch("Recurse"):
            raise call.not_modelled("of a directory with children without -Recurse (a confirmation prompt)")
        files.remove(path.key)
