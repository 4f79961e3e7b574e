"""Running small scripts on a simulated host for the cmdlet tests: its output lines, its errors, the machine after."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from tests.lab.hosts.latency import Work
from tests.lab.hosts.specs import PRESETS, HostSpec
from tests.lab.hosts.state import HostState
from tests.lab.httpauth import Account, DelegatedCredential, Logon
from tests.lab.powershell import Host, run_powershell
from tests.lab.powershell.interpreter import Engine
from tests.pwsh.parser import parse_script

__all__ = ["ACCOUNT", "PASSWORD", "Run", "engine_run", "error_text", "logon", "run"]

PASSWORD = "Lab-Passw0rd"
ACCOUNT = Account("CONTOSO", "Administrator", PASSWORD)


def logon(method: str) -> Logon:
    """A WinRM logon of CONTOSO\\Administrator made with ``method`` (basic, ntlm, credssp)."""
    credential = (
        DelegatedCredential(domain="CONTOSO", user="Administrator", password=PASSWORD) if method == "credssp" else None
    )
    return Logon("Administrator", "CONTOSO", method, credential)


@dataclass
class Run:
    lines: list[str]
    stderr: str
    code: int
    host: Host
    machine: HostState = field(init=False)

    def __post_init__(self) -> None:
        self.machine = self.host.machine


def _host(preset: str | HostSpec, method: str, machine: HostState | None) -> Host:
    spec = PRESETS[preset] if isinstance(preset, str) else preset
    return Host(spec, machine or HostState.fresh(spec), Work(), accounts=(ACCOUNT,), logon=logon(method))


def run(script: str, preset: str | HostSpec = "2010", *, method: str = "ntlm", machine: HostState | None = None) -> Run:
    """Run ``script`` as powershell.exe does on the host (stdout split into lines, stderr as CLIXML)."""
    host = _host(preset, method, machine)
    out, err, code = run_powershell(host, script)
    return Run(out.split("\r\n")[:-1], err, code, host)


def engine_run(script: str, preset: str | HostSpec = "2010") -> Engine:
    """Run ``script`` in an engine and return it (what it wrote to the console is in ``console``)."""
    engine = Engine(_host(preset, "ntlm", None))
    engine.run_script(parse_script(script))
    return engine


def error_text(stderr: str) -> str:
    """The CLIXML error stream as the console would print it (line breaks and XML escapes decoded)."""
    parts = re.findall(r'<S S="Error">(.*?)</S>', stderr, flags=re.DOTALL)
    return html.unescape("".join(parts)).replace("_x000D__x000A_", "\n")
