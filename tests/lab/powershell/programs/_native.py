"""What the lab's programs share: their result, errors as the programs print them, files, and per-version facts.

A program reads and writes the simulated machine (HostState) only: files through HostState.files with the path rules
of the Win32 file API (relative to the process's current directory, System.IO's full_path), stores through
HostState's stores. Errors are HRESULTs; the texts are the system message table's (winerror.h, as FormatMessage
returns them on Windows 7 / Server 2008 R2 and later; MS-ERREF 2.1 lists the same codes), and the way the programs
print a code is the one certutil's and certreq's output shows: ``0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)``,
``0x8009310b (ASN: 267 CRYPT_E_ASN1_BADTAG)``, ``0x80092004 (-2146885628 CRYPT_E_NOT_FOUND)``.
"""

from __future__ import annotations

import datetime
import hashlib
import uuid
from dataclasses import dataclass
from typing import TYPE_CHECKING

from ..errors import NotModelled

if TYPE_CHECKING:
    from ..context import Host

__all__ = [
    "HRESULTS",
    "HResult",
    "ProgramError",
    "ProgramRun",
    "hash_text",
    "local_time",
    "machine_guid",
    "read_file",
    "unique_container_name",
    "user_name",
    "windows_version",
    "write_file",
]


@dataclass(frozen=True)
class ProgramRun:
    """What a program leaves behind for PowerShell: its standard output and its exit code."""

    stdout: str
    exit_code: int = 0


@dataclass(frozen=True)
class HResult:
    code: int
    symbol: str
    message: str

    @property
    def signed(self) -> int:
        """The exit code a program returns for it: the HRESULT as a signed 32-bit integer."""
        return self.code - (1 << 32) if self.code & 0x80000000 else self.code

    @property
    def text(self) -> str:
        """``0x80070002 (WIN32: 2 ERROR_FILE_NOT_FOUND)``: lower-case hex, then the facility's own number."""
        facility = (self.code >> 16) & 0x1FFF
        low = self.code & 0xFFFF
        if facility == 7:
            detail = f"WIN32: {low} {self.symbol}"
        elif 0x80093100 <= self.code <= 0x800931FF:
            detail = f"ASN: {low - 0x3000} {self.symbol}"
        else:
            detail = f"{self.signed} {self.symbol}"
        return f"0x{self.code:08x} ({detail})"


def _table(*rows: tuple[int, str, str]) -> dict[str, HResult]:
    return {symbol: HResult(code, symbol, message) for code, symbol, message in rows}


HRESULTS = _table(
    (0x80070002, "ERROR_FILE_NOT_FOUND", "The system cannot find the file specified."),
    (0x80070003, "ERROR_PATH_NOT_FOUND", "The system cannot find the path specified."),
    (0x80070005, "ERROR_ACCESS_DENIED", "Access is denied."),
    (0x8007000D, "ERROR_INVALID_DATA", "The data is invalid."),
    (0x80070050, "ERROR_FILE_EXISTS", "The file exists."),
    (0x80070057, "ERROR_INVALID_PARAMETER", "The parameter is incorrect."),
    (0x800704C7, "ERROR_CANCELLED", "The operation was canceled by the user."),
    (0x800F0003, "SPAPI_E_GENERAL_SYNTAX", "The syntax of the INF is invalid."),
    (0x800F0101, "SPAPI_E_SECTION_NOT_FOUND", "The required section was not found in the INF."),
    (0x80090008, "NTE_BAD_ALGID", "Invalid algorithm specified."),
    (0x80090009, "NTE_BAD_FLAGS", "Invalid flags specified."),
    (0x80090011, "NTE_NOT_FOUND", "Object was not found."),
    (0x80090017, "NTE_PROV_TYPE_NOT_DEF", "Provider type not defined."),
    (0x80090019, "NTE_KEYSET_NOT_DEF", "The keyset is not defined."),
    (0x8009001B, "NTE_PROV_TYPE_NO_MATCH", "Provider type does not match registered value."),
    (0x80090027, "NTE_INVALID_PARAMETER", "The parameter is incorrect."),
    (0x80092004, "CRYPT_E_NOT_FOUND", "Cannot find object or property."),
    (0x80092009, "CRYPT_E_NO_MATCH", "Cannot find the requested object."),
    (0x8009200B, "CRYPT_E_NO_KEY_PROPERTY", "Cannot find the certificate and private key for decryption."),
    (
        0x80092023,
        "CRYPT_E_INVALID_X500_STRING",
        "The string contains an invalid X500 name attribute key, oid, value or delimiter.",
    ),
    (0x8009310B, "CRYPT_E_ASN1_BADTAG", "ASN1 bad tag value met."),
)


class ProgramError(Exception):
    """A program's operation failed with ``result`` (the program prints it its own way and exits with it)."""

    def __init__(self, symbol: str) -> None:
        super().__init__(symbol)
        self.result = HRESULTS[symbol]


def windows_version(host: Host) -> tuple[int, int]:
    """The Windows version of the host (NT 5.2 = Server 2003 ... 6.3 = Server 2012 R2, host-facts.md's matrix); the
    programs' per-version behaviour is known for that range only."""
    major, minor, *_rest = (int(part) for part in host.spec.os_version.split("."))
    if not (5, 2) <= (major, minor) <= (6, 3):
        raise NotModelled(f"certreq/certutil of Windows {major}.{minor} (the lab models 5.2 to 6.3)")
    return major, minor


def user_name(host: Host) -> str:
    """The logon's account name without its domain (the profile whose user stores ``-user`` opens)."""
    user = (host.logon.user if host.logon is not None else "") or "Administrator"
    return user.rsplit("\\", 1)[-1].split("@", 1)[0]


def machine_guid(host: Host) -> str:
    """HKLM\\SOFTWARE\\Microsoft\\Cryptography\\MachineGuid, which names the machine in key container file names; the
    lab's value is derived from the FQDN (a lab choice: Windows makes a random one at setup)."""
    return str(uuid.uuid5(uuid.NAMESPACE_DNS, host.spec.fqdn))


def unique_container_name(host: Host, container: str) -> str:
    """certutil's "Unique container name": the key file name, ``<hash of the container name>_<MachineGuid>``
    (the hash is the lab's: MD5 of the name, as the CryptoAPI key file names look)."""
    return hashlib.md5(container.lower().encode("utf-16-le")).hexdigest() + "_" + machine_guid(host)


def local_time(host: Host, moment: datetime.datetime) -> str:
    """A date as certutil and certreq print it: the host's short date and short time in its time zone
    (en-US ``M/d/yyyy h:mm AM``, the samples in certreq's and certutil's documentation and reports)."""
    if host.machine.culture.lower() != "en-us":
        raise NotModelled(f"certutil/certreq date output in the culture {host.machine.culture}")
    local = moment.astimezone(datetime.timezone(datetime.timedelta(minutes=host.machine.utc_offset_minutes)))
    hour = local.hour % 12 or 12
    return f"{local.month}/{local.day}/{local.year} {hour}:{local.minute:02d} {'AM' if local.hour < 12 else 'PM'}"


def hash_text(digest: bytes) -> str:
    """A hash as certutil 6.x prints it: lower-case hex bytes separated by spaces ("Cert Hash(sha1): 32 c6 b7 ...",
    certutil output from 2012; later certutil versions, outside the lab's matrix, print it without spaces)."""
    return " ".join(f"{byte:02x}" for byte in digest)


def _parent(path: str) -> str:
    head = path.rsplit("\\", 1)[0]
    return head + "\\" if head.endswith(":") else head


def _full(host: Host, path: str) -> str:
    from ..dotnet.system import full_path, process_state

    if not path:
        raise ProgramError("ERROR_INVALID_PARAMETER")
    return full_path(path, process_state(host))


def read_file(host: Host, path: str) -> bytes:
    """CreateFile + ReadFile of a path as a program receives it (relative to the process's current directory)."""
    from ..cmdlets.filesystem import FileView

    full = _full(host, path)
    view = FileView(host.machine.files)
    if view.is_directory(full):
        raise ProgramError("ERROR_ACCESS_DENIED")
    data = host.machine.files.read(full)
    if data is None:
        raise ProgramError("ERROR_FILE_NOT_FOUND" if view.is_directory(_parent(full)) else "ERROR_PATH_NOT_FOUND")
    return data


def write_file(host: Host, path: str, data: bytes, *, overwrite: bool) -> None:
    """CreateFile with CREATE_NEW (CREATE_ALWAYS when ``overwrite``): an existing file is ERROR_FILE_EXISTS."""
    from ..cmdlets.filesystem import FileView

    full = _full(host, path)
    view = FileView(host.machine.files)
    if view.is_directory(full):
        raise ProgramError("ERROR_ACCESS_DENIED")
    if not view.is_directory(_parent(full)):
        raise ProgramError("ERROR_PATH_NOT_FOUND")
    if host.machine.files.is_file(full) and not overwrite:
        raise ProgramError("ERROR_FILE_EXISTS")
    host.machine.files.write(full, data)
