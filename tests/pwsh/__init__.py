"""PowerShell checks: parse host scripts as the target host would and find what it would reject.

Used by ``make test`` (``python -m tests.pwsh``) and by the simulated hosts of the lab (tests/lab/hosts).
"""

from __future__ import annotations

from .catalog import LEVELS, Catalog, CommandInfo, Parameter
from .check import check_script
from .clixml import format_error_clixml, format_error_text
from .errors import CatalogError, HeaderError, LiteralError, ScriptProblem
from .header import ScriptHeader, read_header
from .literals import arguments_of, assigned_literal, literal_value
from .parser import ParsedScript, parse_script

__all__ = [
    "LEVELS",
    "Catalog",
    "CatalogError",
    "CommandInfo",
    "HeaderError",
    "LiteralError",
    "Parameter",
    "ParsedScript",
    "ScriptHeader",
    "ScriptProblem",
    "arguments_of",
    "assigned_literal",
    "check_script",
    "format_error_clixml",
    "format_error_text",
    "literal_value",
    "parse_script",
    "read_header",
]
