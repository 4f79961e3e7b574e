"""A tiny CommandHost for the WinRM endpoint tests, and a TLS server certificate made on the fly."""

from __future__ import annotations

import base64
import datetime
import ipaddress
import re
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

from tests.lab.httpauth import Logon

__all__ = ["FakeHost", "clixml_error", "encoded_script", "make_tls_files"]

_ENCODED = re.compile(r"(?:^|\s)-(?:EncodedCommand|enc|ec|encodedcommand)\s+([A-Za-z0-9+/=]+)", re.IGNORECASE)
_REPEAT = re.compile(r"'(.)'\s*\*\s*(\d+)")
_WRITE = re.compile(r"Write-Output '([^']*)'")
_THROW = re.compile(r"throw '([^']*)'")
_SLEEP = re.compile(r"Start-Sleep -Milliseconds (\d+)")


def encoded_script(command_line: str) -> str | None:
    """The script of a ``powershell ... -EncodedCommand <base64 UTF-16-LE>`` command line, else None."""
    match = _ENCODED.search(command_line)
    return base64.b64decode(match.group(1)).decode("utf-16-le") if match else None


def clixml_error(message: str) -> str:
    """stderr of PowerShell under -EncodedCommand for a terminating error (winrm-protocol.md)."""
    return (
        '#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="http://schemas.microsoft.com/powershell/2004/04">'
        f'<S S="Error">{message}_x000D__x000A_</S></Objs>'
    )


@dataclass
class FakeHost:
    """Understands a handful of PowerShell lines, enough to see what reached the host and what came back."""

    name: str = "exch-test"
    commands: int = 0
    traffic: list[tuple[int, int]] = field(default_factory=list)
    runs: list[tuple[str, bytes, int]] = field(default_factory=list)
    logons: list[Logon | None] = field(default_factory=list)
    fail_with: Exception | None = None
    _lock: threading.Lock = field(default_factory=threading.Lock)

    def record_command(self) -> None:
        with self._lock:
            self.commands += 1

    def record_traffic(self, *, bytes_in: int, bytes_out: int) -> None:
        with self._lock:
            self.traffic.append((bytes_in, bytes_out))

    def run_command(
        self, command_line: str, stdin: bytes, codepage: int, *, logon: Logon | None
    ) -> tuple[str, str, int]:
        with self._lock:
            self.runs.append((command_line, stdin, codepage))
            self.logons.append(logon)
        if self.fail_with is not None:
            raise self.fail_with
        script = encoded_script(command_line)
        if script is None:
            if command_line.lower().startswith("echo "):
                return command_line[5:] + "\r\n", "", 0
            return "", f"'{command_line.split(' ', 1)[0]}' is not recognized as an internal or external command", 1
        if sleep := _SLEEP.search(script):
            time.sleep(int(sleep.group(1)) / 1000)
        if thrown := _THROW.search(script):
            return "", clixml_error(thrown.group(1)), 1
        if "$input" in script or "ReadToEnd()" in script:
            return "stdin:" + stdin.decode("utf-8"), "", 0
        if repeat := _REPEAT.search(script):
            return repeat.group(1) * int(repeat.group(2)), "", 0
        if written := _WRITE.search(script):
            return written.group(1) + "\r\n", "", 0
        return "", "unknown script", 2


def make_tls_files(directory: Path, address: str) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for ``address``; returns (ca_pem, cert_pem, key_pem) paths."""
    now = datetime.datetime.now(datetime.timezone.utc)
    ca_key = ec.generate_private_key(ec.SECP256R1())
    ca_name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "WinRM Test Root")])
    ca_cert = (
        x509.CertificateBuilder()
        .subject_name(ca_name)
        .issuer_name(ca_name)
        .public_key(ca_key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
        .add_extension(x509.KeyUsage(False, False, False, False, False, True, True, False, False), critical=True)
        .add_extension(x509.SubjectKeyIdentifier.from_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    key = ec.generate_private_key(ec.SECP256R1())
    cert = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, address)]))
        .issuer_name(ca_name)
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(minutes=5))
        .not_valid_after(now + datetime.timedelta(days=1))
        .add_extension(x509.SubjectAlternativeName([x509.IPAddress(ipaddress.ip_address(address))]), critical=False)
        .add_extension(x509.ExtendedKeyUsage([x509.oid.ExtendedKeyUsageOID.SERVER_AUTH]), critical=False)
        .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(ca_key.public_key()), critical=False)
        .sign(ca_key, hashes.SHA256())
    )
    paths = (directory / "ca.pem", directory / "server.pem", directory / "server.key")
    paths[0].write_bytes(ca_cert.public_bytes(serialization.Encoding.PEM))
    paths[1].write_bytes(cert.public_bytes(serialization.Encoding.PEM))
    paths[2].write_bytes(
        key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    )
    return paths
