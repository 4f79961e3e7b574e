"""One powershell.exe process: run the script it was given and write what the console host writes.

Standard output gets the objects the script writes (Out-Default: one line each); errors nobody trapped go to
standard error as CLIXML (winrm-protocol.md, "What PowerShell on the host puts on the wire"), and the process ends
with the script's ``exit`` code, 1 after a terminating error, else 0. A script the parser refuses runs not at all.
"""

from __future__ import annotations

from tests.pwsh import Catalog, check_script, format_error_clixml
from tests.pwsh.errors import ScriptProblem
from tests.pwsh.parser import ParsedScript, parse_script

from . import cmdlets as _cmdlets  # noqa: F401  (registers the cmdlet implementations)
from . import dotnet as _dotnet  # (registers the simulated .NET types)
from .context import Host
from .errors import ErrorRecord, NetException, NotModelled, PSError
from .interpreter import Engine

__all__ = ["error_problem", "not_modelled_problem", "run_powershell"]


def error_problem(record: ErrorRecord, *, fallback_line: int = 1) -> ScriptProblem:
    """The error text PowerShell prints for ``record`` (tests/pwsh/clixml.py formats it per version)."""
    position = record.invocation.position if record.invocation is not None else None
    exception = record.exception.type_name.rsplit(".", 1)[-1]
    return ScriptProblem(
        kind="command" if record.command else "runtime",
        message=record.exception.message,
        line=position.line if position else fallback_line,
        column=position.column if position else 1,
        fqid=record.fqid,
        category=record.category,
        command=record.command,
        when="run",
        source_line=position.source_line if position else "",
        length=position.length if position else 1,
        target=record.command or "",
        exception=exception,
    )


def not_modelled_problem(error: NotModelled) -> ScriptProblem:
    return ScriptProblem(
        kind="lab",
        message=f"The lab has no model for this script: {error.reason}",
        line=error.line or 1,
        column=1,
        fqid="LabNoModel",
        category="NotImplemented",
        when="run",
        exception="NotImplementedException",
    )


def run_powershell(host: Host, text: str, *, catalog: Catalog | None = None) -> tuple[str, str, int]:
    """Run ``text`` as the command of a powershell.exe process on ``host``: (stdout, stderr, exit code)."""
    level = host.powershell
    catalog = catalog or Catalog.load()
    script = parse_script(text)
    parse_problems = [problem for problem in check_script(script, powershell=level, catalog=catalog)
                      if problem.when == "parse"]  # fmt: skip
    if parse_problems:
        return "", format_error_clixml(parse_problems[0], powershell=level), 1
    with _dotnet.running_on(host):
        return _run(host, script, catalog, level)


def _run(host: Host, script: ParsedScript, catalog: Catalog, level: str) -> tuple[str, str, int]:
    engine = Engine(host, catalog=catalog)
    stderr: list[ScriptProblem] = []
    code = 0
    try:
        _items, exit_code = engine.run_script(script)
        # about_PowerShell_exe: without exit, the code is 0 when $? is true after the last command, else 1 (the
        # 5.1 page says so; that 1.0-4.0 do the same is assumed).
        code = (0 if engine.last_ok else 1) if exit_code is None else exit_code
    except PSError as error:
        stderr.append(error_problem(error.record))
        code = 1
    except NetException as error:
        # A .NET exception that no member call wrapped reaches the console host as an error of its own type.
        stderr.append(error_problem(ErrorRecord(error, error.type_name, "NotSpecified")))
        code = 1
    except NotModelled as error:
        return "".join(engine.console), format_error_clixml(not_modelled_problem(error), powershell=level), 1
    problems = [error_problem(record) for record in engine.errors_out] + stderr
    errors = "".join(format_error_clixml(problem, powershell=level) for problem in problems)
    return "".join(engine.console), errors, code
