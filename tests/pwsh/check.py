"""check_script: everything the host would reject in a script, in the order PowerShell meets it."""

from __future__ import annotations

from collections.abc import Iterable

from .catalog import LEVELS, Catalog
from .commands import command_problems
from .errors import CatalogError, ScriptProblem
from .levels import language_problems
from .parser import ParsedScript, syntax_problems

__all__ = ["check_script"]


def check_script(
    script: ParsedScript,
    *,
    powershell: str,
    exchange: str | None = None,
    catalog: Catalog | None = None,
    functions: Iterable[str] = (),
) -> list[ScriptProblem]:
    """Problems of ``script`` on a host with this PowerShell level and these Exchange cmdlets loaded.

    PowerShell parses the whole script before running any of it, so when there is a parse-time problem only those
    are returned (nothing else would be reached); otherwise the run-time problems, in source order.
    ``functions`` names functions defined around the script (the payload's prelude and wrappers). ``script`` comes
    from ``parse_script``: a caller parses once and reads the same tree afterwards (the lab reads the arguments).
    """
    if powershell not in LEVELS:
        raise CatalogError(entry=powershell, reason=f"PowerShell level must be one of {', '.join(LEVELS)}")
    catalog = catalog or Catalog.load()
    if exchange is not None and exchange not in catalog.exchange_versions:
        raise CatalogError(
            entry=exchange, reason=f"Exchange version must be one of {', '.join(catalog.exchange_versions)}"
        )
    syntax = syntax_problems(script, powershell=powershell)
    if syntax:
        return syntax
    problems = language_problems(script, powershell=powershell)
    problems += command_problems(script, powershell=powershell, exchange=exchange, catalog=catalog, functions=functions)
    problems.sort(key=lambda problem: (problem.line, problem.column))
    parse_time = [problem for problem in problems if problem.when == "parse"]
    return parse_time or problems
