"""Errors as PowerShell on the host reports them, and the lab's own refusal to guess.

Three ways out of a failed command (docs/architecture.md "Host channel protocol"):

* a problem PowerShell finds before the script runs (a parse error) goes to stderr as CLIXML, exit code 1;
* a problem at run time inside a payload whose prelude has a ``trap`` becomes ``Write-ExumError``'s result line,
  exit code 1 (host_scripts/prelude.ps1: ``trap { Write-ExumError $_; exit 1 }``);
* anything the lab has no model for is refused with a CLIXML error that says so, so no test passes by accident.
"""

from __future__ import annotations

from tests.pwsh import format_error_clixml
from tests.pwsh.errors import ScriptProblem

from .result import ScriptError

__all__ = ["LabNoModel", "Outcome", "clixml_failure", "lab_problem", "script_error_of"]

Outcome = tuple[str, str, int]

# .NET namespaces of the exception types ScriptProblem names by their short name.
_AUTOMATION = "System.Management.Automation."


class LabNoModel(Exception):
    """The script asks for something the simulator does not model; ``reason`` says what."""

    def __init__(self, reason: str, *, line: int = 1) -> None:
        super().__init__(reason)
        self.reason = reason
        self.line = line


def lab_problem(error: LabNoModel) -> ScriptProblem:
    return ScriptProblem(
        kind="lab",
        message=f"The lab has no model for this script: {error.reason}",
        line=error.line,
        column=1,
        fqid="ExumLabNoModel",
        category="NotImplemented",
        when="run",
        exception="NotImplementedException",
    )


def clixml_failure(problem: ScriptProblem, *, powershell: str) -> Outcome:
    """What powershell.exe prints for an error nobody trapped: CLIXML on stderr, exit code 1."""
    return "", format_error_clixml(problem, powershell=powershell), 1


def script_error_of(problem: ScriptProblem) -> ScriptError:
    """The ErrorRecord a trap receives for ``problem``, as ``Write-ExumError`` describes it."""
    exception = problem.exception or "RuntimeException"
    if "." not in exception:
        exception = _AUTOMATION + exception
    category = problem.category.split(":", 1)[0].strip() or "NotSpecified"
    return ScriptError(problem.message, fqid=problem.fqid, category=category, exception=exception, line=problem.line)
