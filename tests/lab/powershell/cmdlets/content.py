"""Get-Content, Set-Content, Add-Content and Out-File over the FileSystem provider (HostState.files).

Encodings as the FileSystemProvider of Windows PowerShell writes them (the -Encoding help of 1.0 through 5.1):
Unicode (UTF-16LE, with BOM; also String and Unknown), BigEndianUnicode, UTF8 (with BOM), UTF32, UTF7, ASCII (other
characters become ``?``), Default (the system's ANSI code page, HostState.ansi_code_page), Oem (code page 437, the
OEM page of an en-US Windows: an assumption) and Byte. Set-Content and Add-Content write Default unless told, Out-File
writes Unicode (their help pages). Reading honours a byte order mark, else reads Default. Lines are joined and ended
with CRLF; reading splits at CRLF, LF or CR (StreamReader.ReadLine).
"""

from __future__ import annotations

import codecs
from collections.abc import Iterable
from typing import Any

from ..commands import CmdletCall, cmdlet
from ..values import PSArray, TypedInt
from ._common import at_least, refuse
from ._input import input_objects
from .items import _path_texts, path_not_found
from .paths import ProviderPath, resolve_path

__all__ = ["decode", "encode"]

_BOMS = (
    (codecs.BOM_UTF32_LE, "utf-32-le"), (codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
    (codecs.BOM_UTF16_BE, "utf-16-be"),
)  # fmt: skip
_WRITE = {
    "unicode": ("utf-16-le", codecs.BOM_UTF16_LE), "string": ("utf-16-le", codecs.BOM_UTF16_LE),
    "unknown": ("utf-16-le", codecs.BOM_UTF16_LE), "bigendianunicode": ("utf-16-be", codecs.BOM_UTF16_BE),
    "utf8": ("utf-8", codecs.BOM_UTF8), "utf32": ("utf-32-le", codecs.BOM_UTF32_LE), "utf7": ("utf-7", b""),
    "ascii": ("ascii", b""), "oem": ("cp437", b""),
}  # fmt: skip


def _codec(call: CmdletCall, encoding: str) -> tuple[str, bytes]:
    if encoding == "default":
        return f"cp{call.host.machine.ansi_code_page}", b""
    if encoding not in _WRITE:
        raise call.not_modelled(f"-Encoding {encoding}")
    return _WRITE[encoding]


def encode(call: CmdletCall, text: str, encoding: str) -> bytes:
    """The bytes a file of ``encoding`` holds for ``text`` (characters the code page lacks become ``?``)."""
    name, bom = _codec(call, encoding)
    return bom + text.encode(name, errors="replace")


def decode(call: CmdletCall, data: bytes, encoding: str | None) -> str:
    """The text of a file: its byte order mark decides, else -Encoding, else the ANSI code page."""
    for bom, name in _BOMS:
        if data.startswith(bom) and encoding in (None, "unicode", "utf8", "utf32", "bigendianunicode", "string"):
            return data[len(bom) :].decode(name, errors="replace")
    name, _bom = _codec(call, encoding or "default")
    return data.decode(name, errors="replace")


def _lines(text: str) -> list[str]:
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines


def _encoding(call: CmdletCall, default: str) -> str:
    return call.engine.to_string(call.get("Encoding", default)).lower()


def _file_path(call: CmdletCall, text: str) -> ProviderPath:
    path = resolve_path(text)
    if path.provider != "FileSystem":
        raise call.not_modelled(f"on the {path.provider} provider (content of registry items)")
    return path


@cmdlet("Get-Content", positional=("Path",), switches=("Force", "Raw", "Wait"))
def get_content(call: CmdletCall) -> Iterable[Any]:
    """Get-Content help: the file's lines one by one (-ReadCount 0: one array; N: arrays of N), the first
    -TotalCount lines, 3.0's -Tail last lines and -Raw whole text; -Encoding Byte gives the bytes."""
    refuse(call, ("Wait", "Delimiter", "Filter", "Include", "Exclude", "Credential", "Stream"))
    encoding = _encoding(call, "") or None
    found: list[Any] = []
    for text in _path_texts(call):
        path = _file_path(call, text)
        data = call.host.machine.files.read(path.key)
        if data is None:
            path_not_found(call, text)
            continue
        if encoding == "byte":
            found += [TypedInt(byte, "System.Byte") for byte in data]
            continue
        content = decode(call, data, encoding)
        if call.switch("Raw") and at_least(call, "3.0"):
            found.append(content)
            continue
        lines = _lines(content)
        if call.has("TotalCount"):
            lines = lines[: int(call.engine.convert(call.get("TotalCount"), "System.Int64"))]
        if call.has("Tail"):
            count = int(call.engine.convert(call.get("Tail"), "System.Int32"))
            lines = lines[-count:] if count else []
        read_count = int(call.engine.convert(call.get("ReadCount", 1), "System.Int64"))
        if read_count == 0:
            found.append(PSArray(lines))
        elif read_count == 1:
            found += lines
        else:
            found += [PSArray(lines[index : index + read_count]) for index in range(0, len(lines), read_count)]
    return found


def _text_of(call: CmdletCall, values: list[Any]) -> str:
    return "".join(call.engine.to_string(value) + "\r\n" for value in values)


def _write(call: CmdletCall, *, append: bool, default_encoding: str, values: list[Any]) -> list[Any]:
    """Set-Content / Add-Content: each value's text on a line of its own; a missing directory is the
    DirectoryNotFoundException of the provider's writer (GetContentWriterDirectoryNotFoundError, ObjectNotFound)."""
    encoding = _encoding(call, default_encoding)
    for text in _path_texts(call):
        path = _file_path(call, text)
        files = call.host.machine.files
        parent = path.parent()
        if parent is not None and not _directory_exists(call, parent.key):
            call.write_error(
                f"Could not find a part of the path '{path.key}'.", fqid="GetContentWriterDirectoryNotFoundError",
                category="ObjectNotFound", exception="System.IO.DirectoryNotFoundException", target=text,
            )  # fmt: skip
            continue
        if encoding == "byte":
            data = bytes(int(call.engine.convert(value, "System.Byte")) for value in values)
        else:
            data = encode(call, _text_of(call, values), encoding)
            existing = files.read(path.key) if append else None
            if existing:
                _name, bom = _codec(call, encoding)
                data = existing + data[len(bom) :]
        files.write(path.key, data)
    return values if call.switch("PassThru") else []


def _directory_exists(call: CmdletCall, path: str) -> bool:
    from .filesystem import FileView

    return FileView(call.host.machine.files).is_directory(path)


def _values(call: CmdletCall) -> list[Any]:
    if call.has_input:
        return list(call.input)
    return call.engine.enumerate(call.get("Value"))


@cmdlet("Set-Content", positional=("Path", "Value"), switches=("PassThru", "Force"))
def set_content(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("Filter", "Include", "Exclude", "Credential", "Stream"))
    return _write(call, append=False, default_encoding="default", values=_values(call))


@cmdlet("Add-Content", positional=("Path", "Value"), switches=("PassThru", "Force"))
def add_content(call: CmdletCall) -> Iterable[Any]:
    refuse(call, ("Filter", "Include", "Exclude", "Credential", "Stream"))
    return _write(call, append=True, default_encoding="default", values=_values(call))


@cmdlet("Out-File", positional=("FilePath", "Encoding"), switches=("Append", "Force", "NoClobber"))
def out_file(call: CmdletCall) -> None:
    """Out-File help: the objects as the console formats them, in Unicode unless -Encoding; -Append adds, -NoClobber
    refuses an existing file ("The file 'X' already exists.", NoClobber, ResourceExists). -Width is not modelled."""
    refuse(call, ("Width",))
    target = call.engine.to_string(call.get("FilePath", call.get("LiteralPath")))
    path = _file_path(call, target)
    files = call.host.machine.files
    if call.switch("NoClobber") and files.is_file(path.key) and not call.switch("Append"):
        call.write_error(
            f"The file '{path.key}' already exists.", fqid="NoClobber", category="ResourceExists",
            exception="System.IO.IOException", target=path.key,
        )  # fmt: skip
        return
    parent = path.parent()
    if parent is not None and not _directory_exists(call, parent.key):
        call.throw(
            f"Could not find a part of the path '{path.key}'.", fqid="FileOpenFailure", category="OpenError",
            exception="System.IO.DirectoryNotFoundException",
        )  # fmt: skip
    text = call.engine.format_lines(input_objects(call)).replace("\r\n", "\n").replace("\n", "\r\n")
    encoding = _encoding(call, "unicode")
    data = encode(call, text, encoding)
    existing = files.read(path.key) if call.switch("Append") else None
    if existing:
        _name, bom = _codec(call, encoding)
        data = existing + data[len(bom) :]
    files.write(path.key, data)
