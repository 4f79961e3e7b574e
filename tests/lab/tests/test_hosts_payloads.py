"""Helpers for the simulated host tests: payloads built by hand, hand-written bootstraps, and CA certificates.

A hand-built payload has the shape docs/architecture.md "Host channel protocol" gives (prelude, loader lines, the
fragment and the operation wrapped as functions, one invocation line) but passes its arguments as PowerShell
literals in the invocation line instead of the channel's data block: the engine runs whatever PowerShell arrives, so
these payloads and bootstraps exercise the host's PowerShell, stdin and cmdlets independently of the controller
library (tests that need the channel's own payload use its ``build_payload`` and ``encode_stdin``).
"""

from __future__ import annotations

import base64
import datetime
import json
from dataclasses import dataclass
from pathlib import Path

from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import NameOID

__all__ = [
    "BOOTSTRAP_CONSOLE_ONLY",
    "BOOTSTRAP_INPUT_ONLY",
    "BOOTSTRAP_JOIN",
    "BOOTSTRAP_STRINGBUILDER",
    "SNAPINS",
    "TestCa",
    "ansible_command_line",
    "b64der",
    "command_line",
    "exum_result",
    "host_script",
    "literal",
    "make_ca",
    "payload_stdin",
    "payload_text",
]

SCRIPTS = Path(__file__).resolve().parents[3] / "plugins" / "plugin_utils" / "host_scripts"
SNAPINS = {
    "2007sp1": "Microsoft.Exchange.Management.PowerShell.Admin",
    "2010": "Microsoft.Exchange.Management.PowerShell.E2010",
    "2013": "Microsoft.Exchange.Management.PowerShell.SnapIn",
}
# Two wordings of the same data flow: the lines of $input joined, or when that is empty [Console]::In read whole;
# base64, UTF-8, NewScriptBlock, invoked.
BOOTSTRAP_JOIN = (
    "$t=[string]::Join('',@($input));if($t.Length -eq 0){$t=[Console]::In.ReadToEnd()};"
    "& $ExecutionContext.InvokeCommand.NewScriptBlock([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($t)))"
)
BOOTSTRAP_STRINGBUILDER = (
    "$ErrorActionPreference='Stop';$b=New-Object Text.StringBuilder;foreach($l in $input){[void]$b.Append($l)};"
    "if($b.Length -eq 0){[void]$b.Append([Console]::In.ReadToEnd())};"
    "&($ExecutionContext.InvokeCommand.NewScriptBlock("
    "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($b.ToString()))))"
)
# The same data flow from one source of stdin only.
BOOTSTRAP_INPUT_ONLY = (
    "$t=[string]::Join('',@($input));"
    "& $ExecutionContext.InvokeCommand.NewScriptBlock([Text.Encoding]::UTF8.GetString([Convert]::FromBase64String($t)))"
)
BOOTSTRAP_CONSOLE_ONLY = (
    "& $ExecutionContext.InvokeCommand.NewScriptBlock("
    "[Text.Encoding]::UTF8.GetString([Convert]::FromBase64String([Console]::In.ReadToEnd())))"
)


def host_script(name: str) -> str:
    return (SCRIPTS / name).read_text(encoding="utf-8")


def literal(value: object) -> str:
    """A PowerShell literal as architecture.md describes them (strings single-quoted, quotes doubled)."""
    if value is True or value is False:
        return "$true" if value else "$false"
    if value is None:
        return "$null"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, str):
        return "'" + "".join(c * 2 if c in "'\u2018\u2019\u201a\u201b" else c for c in value) + "'"
    if isinstance(value, list):
        return "@(" + ", ".join(literal(item) for item in value) + ")"
    if isinstance(value, dict):
        return "@{" + "; ".join(f"{literal(key)} = {literal(item)}" for key, item in value.items()) + "}"
    raise TypeError(type(value))


def payload_text(
    operation: str,
    arguments: dict[str, object],
    *,
    loader: list[str] | None = None,
    fragment: str | None = None,
    body: str | None = None,
) -> str:
    """``operation`` names the host script (``<operation>.ps1``) run when no ``body`` is given; the payload itself
    carries no operation name, as the channel's does not."""
    chunks = [host_script("prelude.ps1")]
    chunks += loader or []
    if fragment is not None:
        chunks += ["function Get-ExumExchangeState {", host_script(fragment), "}"]
    chunks += ["function Invoke-ExumOperation {", body if body is not None else host_script(f"{operation}.ps1"), "}"]
    invocation = " ".join(["Invoke-ExumOperation", *(f"-{name} {literal(value)}" for name, value in arguments.items())])
    chunks.append(f"Write-ExumResult ({invocation})")
    return "\r\n".join(chunk.replace("\r\n", "\n").rstrip("\n").replace("\n", "\r\n") for chunk in chunks) + "\r\n"


def payload_stdin(text: str, *, width: int = 4096) -> bytes:
    """stdin: base64 of the UTF-8 payload in CRLF lines of at most ``width`` characters."""
    encoded = base64.b64encode(text.encode("utf-8")).decode("ascii")
    lines = [encoded[index : index + width] for index in range(0, len(encoded), width)]
    return ("\r\n".join(lines) + "\r\n").encode("ascii")


def command_line(script: str, *, program: str = "powershell.exe") -> str:
    """The line the host channel starts over WinRM (docs/host-channel.md "The command line"): the UTF-16-LE script."""
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return f"{program} -NoProfile -NonInteractive -EncodedCommand {encoded}"


def ansible_command_line(script: str) -> str:
    """The line ansible-core's winrm ``exec_command`` builds for a script, on every version: ``-ExecutionPolicy``."""
    encoded = base64.b64encode(script.encode("utf-16-le")).decode("ascii")
    return f"PowerShell -NoProfile -NonInteractive -ExecutionPolicy Unrestricted -EncodedCommand {encoded}"


def exum_result(stdout: str) -> dict[str, object]:
    """The JSON of the one ``@@EXUM_RESULT@@`` line."""
    lines = [line for line in stdout.splitlines() if line.startswith("@@EXUM_RESULT@@")]
    assert len(lines) == 1, stdout
    return json.loads(lines[0][len("@@EXUM_RESULT@@") :])


def b64der(certificate: x509.Certificate) -> str:
    return base64.b64encode(certificate.public_bytes(serialization.Encoding.DER)).decode("ascii")


@dataclass(frozen=True)
class TestCa:
    """A root, an intermediate under it, a server leaf under that, and a self-signed non-CA certificate."""

    __test__ = False

    root: x509.Certificate
    intermediate: x509.Certificate
    leaf: x509.Certificate
    self_signed_leaf: x509.Certificate


def _certificate(
    subject: str,
    key: ec.EllipticCurvePrivateKey,
    *,
    issuer: str | None = None,
    issuer_key: ec.EllipticCurvePrivateKey | None = None,
    ca: bool,
    days: int = 365,
) -> x509.Certificate:
    now = datetime.datetime.now(datetime.timezone.utc)
    builder = (
        x509.CertificateBuilder()
        .subject_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, subject)]))
        .issuer_name(x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, issuer or subject)]))
        .public_key(key.public_key())
        .serial_number(x509.random_serial_number())
        .not_valid_before(now - datetime.timedelta(days=1))
        .not_valid_after(now + datetime.timedelta(days=days))
    )
    if ca:
        builder = builder.add_extension(x509.BasicConstraints(ca=True, path_length=None), critical=True)
    else:
        builder = builder.add_extension(x509.BasicConstraints(ca=False, path_length=None), critical=True)
        builder = builder.add_extension(x509.SubjectAlternativeName([x509.DNSName(subject)]), critical=False)
    return builder.sign(issuer_key or key, hashes.SHA256())


def make_ca(name: str = "Test") -> TestCa:
    root_key, issuing_key, leaf_key, other_key = (ec.generate_private_key(ec.SECP256R1()) for _index in range(4))
    root = _certificate(f"{name} Root CA", root_key, ca=True)
    intermediate = _certificate(
        f"{name} Issuing CA", issuing_key, issuer=f"{name} Root CA", issuer_key=root_key, ca=True
    )
    leaf = _certificate("exch2010.contoso.lab", leaf_key, issuer=f"{name} Issuing CA", issuer_key=issuing_key, ca=False)
    self_signed_leaf = _certificate("self.contoso.lab", other_key, ca=False)
    return TestCa(root, intermediate, leaf, self_signed_leaf)
