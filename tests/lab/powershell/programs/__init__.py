"""External programs (native commands) as PowerShell runs them: their output lines become pipeline objects.

about_Parsing / about_Automatic_Variables: a native command's standard output reaches the pipeline as one string
per line, and ``$LASTEXITCODE`` holds its exit code. The programs are those of the catalog's ``natives`` section
(%windir%\\System32, MS-WINCMD); only those modelled here run, every other one fails loudly as not modelled.
hostname.exe is here; certreq.exe and certutil.exe have their own modules (docs/lab.md "Programs").
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from ..errors import NotModelled
from ._native import ProgramRun
from .certreq import certreq
from .certutil import certutil

if TYPE_CHECKING:
    from ..context import Host
    from ..interpreter import Engine

__all__ = ["ProgramRun", "run_program"]


def _hostname(host: Host, arguments: list[str]) -> ProgramRun:
    """hostname.exe (Windows Commands reference): prints the computer's host name; it takes no arguments (any
    argument tries to set the name, which is refused here)."""
    if arguments:
        raise NotModelled(f"hostname.exe with arguments {arguments!r}")
    return ProgramRun(host.spec.computer_name + "\r\n")


_PROGRAMS: dict[str, Callable[[Host, list[str]], ProgramRun]] = {
    "hostname.exe": _hostname,
    "certreq.exe": certreq,
    "certutil.exe": certutil,
}


def run_program(engine: Engine, name: str, arguments: list[str]) -> list[Any]:
    """Run ``name`` (a file name from the catalog) with ``arguments``: its output lines, and $LASTEXITCODE set."""
    program = _PROGRAMS.get(name.lower())
    if program is None:
        raise NotModelled(f"the program {name}")
    run = program(engine.host, arguments)
    engine.set_variable("LASTEXITCODE", run.exit_code, scope=engine.global_scope)
    # about_Automatic_Variables ($?): a native command that exits with a non-zero code leaves $? false.
    engine.native_failed = engine.native_failed or run.exit_code != 0
    lines = run.stdout.replace("\r\n", "\n").split("\n")
    if lines and lines[-1] == "":
        lines.pop()
    return lines
