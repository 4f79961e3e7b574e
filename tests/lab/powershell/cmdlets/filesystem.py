"""The FileSystem provider over the simulated machine's files (HostState.files), and the objects it returns.

A directory exists when it was created or when a file lies below it (HostState.FileSystem); names compare
case-insensitively (NTFS). System.IO.FileInfo / DirectoryInfo carry the members Get-Item and Get-ChildItem users
read: Name, FullName, Exists, Extension, Length (files), DirectoryName (files) / Parent (directories), and
PSIsContainer. Time stamps and attributes are not simulated, so those members do not exist here.
"""

from __future__ import annotations

from ...hosts.state import FileSystem
from ..values import NetObject, TypedInt, net_type, prop

__all__ = ["DirectoryInfo", "FileInfo", "FileView"]


class FileView:
    """Existence, listing and removal over HostState.files."""

    def __init__(self, files: FileSystem) -> None:
        self.files = files

    def is_file(self, path: str) -> bool:
        return self.files.is_file(path)

    def is_directory(self, path: str) -> bool:
        if self.files.is_directory(path):
            return True
        prefix = path.rstrip("\\").lower() + "\\"
        return any(name.lower().startswith(prefix) for name in self.files.files())

    def exists(self, path: str) -> bool:
        return self.is_file(path) or self.is_directory(path)

    def children(self, path: str) -> list[tuple[str, bool]]:
        """The directory's entries as (full path, is a directory), directories first, each group by name."""
        prefix = path.rstrip("\\") + "\\"
        found: dict[str, tuple[str, bool]] = {}
        for name in self.files.directories():
            if name.lower().startswith(prefix.lower()) and name.rstrip("\\").lower() != path.rstrip("\\").lower():
                child = name[len(prefix) :].split("\\", 1)[0]
                found.setdefault(child.lower(), (prefix + child, True))
        for name in self.files.files():
            if name.lower().startswith(prefix.lower()):
                rest = name[len(prefix) :]
                child = rest.split("\\", 1)[0]
                found.setdefault(child.lower(), (prefix + child, "\\" in rest))
        return sorted(found.values(), key=lambda entry: (not entry[1], entry[0].lower()))

    def remove(self, path: str) -> None:
        if self.files.is_file(path):
            self.files.delete(path)
            return
        prefix = path.rstrip("\\").lower() + "\\"
        for name in [name for name in self.files.files() if name.lower().startswith(prefix)]:
            self.files.delete(name)
        self.files.remove_directory(path)


def _leaf(path: str) -> str:
    return path.rstrip("\\").rsplit("\\", 1)[-1]


def _parent(path: str) -> str:
    head = path.rstrip("\\").rsplit("\\", 1)[0]
    return head + "\\" if head.endswith(":") else head


@net_type("System.IO.FileInfo", base="System.IO.FileSystemInfo")
class FileInfo(NetObject):
    def __init__(self, path: str, view: FileView) -> None:
        self.path = path
        self.view = view

    def to_string(self) -> str:
        """FileInfo.ToString(): the path it was made with (Get-ChildItem gives the full path)."""
        return self.path

    @prop("Name")
    def _name(self) -> str:
        return _leaf(self.path)

    @prop("FullName")
    def _full_name(self) -> str:
        return self.path

    @prop("Exists")
    def _exists(self) -> bool:
        return self.view.is_file(self.path)

    @prop("Extension")
    def _extension(self) -> str:
        name = _leaf(self.path)
        return name[name.rfind(".") :] if "." in name else ""

    @prop("Length")
    def _length(self) -> TypedInt:
        data = self.view.files.read(self.path)
        return TypedInt(len(data or b""), "System.Int64")

    @prop("DirectoryName")
    def _directory_name(self) -> str:
        return _parent(self.path)

    @prop("PSIsContainer")
    def _container(self) -> bool:
        return False


@net_type("System.IO.DirectoryInfo", base="System.IO.FileSystemInfo")
class DirectoryInfo(NetObject):
    def __init__(self, path: str, view: FileView) -> None:
        self.path = path
        self.view = view

    def to_string(self) -> str:
        return self.path

    @prop("Name")
    def _name(self) -> str:
        return _leaf(self.path) if not self.path.endswith(":\\") else self.path

    @prop("FullName")
    def _full_name(self) -> str:
        return self.path

    @prop("Exists")
    def _exists(self) -> bool:
        return self.view.is_directory(self.path)

    @prop("Extension")
    def _extension(self) -> str:
        name = _leaf(self.path)
        return name[name.rfind(".") :] if "." in name else ""

    @prop("Parent")
    def _parent_info(self) -> DirectoryInfo | None:
        return None if self.path.endswith(":\\") else DirectoryInfo(_parent(self.path), self.view)

    @prop("PSIsContainer")
    def _container(self) -> bool:
        return True
