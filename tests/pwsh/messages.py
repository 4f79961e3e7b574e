"""PowerShell's own wording for the errors the checks report, by language level.

Sources are named per message; docs/powershell-checks.md lists which wordings are confirmed and which are not.
"""

from __future__ import annotations

__all__ = [
    "ambiguous_parameter",
    "command_not_found",
    "method_not_found",
    "parameter_not_found",
    "type_not_found",
    "variable_not_set",
]


def command_not_found(name: str, *, powershell: str) -> str:
    """CommandNotFoundException text.

    1.0 wording: the about_Scripts example of the 1.0/2.0-era help ("is not recognized as a cmdlet, function, operable
    program, or script file. Verify the term and try again."); 2.0 and later: the wording of the task brief and of
    every 2.0+ transcript ("...as the name of a cmdlet, function, script file, or operable program...").
    """
    if powershell == "1.0":
        return (
            f"The term '{name}' is not recognized as a cmdlet, function, operable program, or script file. "
            "Verify the term and try again."
        )
    return (
        f"The term '{name}' is not recognized as the name of a cmdlet, function, script file, or operable program. "
        "Check the spelling of the name, or if a path was included, verify that the path is correct and try again."
    )


def parameter_not_found(name: str) -> str:
    """ParameterBindingException, NamedParameterNotFound (same text from 1.0 to 5.1)."""
    return f"A parameter cannot be found that matches parameter name '{name}'."


def ambiguous_parameter(name: str, matches: list[str]) -> str:
    """ParameterBindingException, AmbiguousParameter: 'Possible matches include: -Filter -Force.'"""
    listed = " ".join(f"-{match}" for match in matches)
    return (
        f"Parameter cannot be processed because the parameter name '{name}' is ambiguous. "
        f"Possible matches include: {listed}."
    )


def type_not_found(name: str, *, powershell: str) -> str:
    """RuntimeException, TypeNotFound: 1.0/2.0 say "Unable to find type [X]: make sure that the assembly containing
    this type is loaded."; 3.0 and later "Unable to find type [X]." (the shorter text is from 5.1 transcripts)."""
    if powershell in ("1.0", "2.0"):
        return f"Unable to find type [{name}]: make sure that the assembly containing this type is loaded."
    return f"Unable to find type [{name}]."


def method_not_found(type_name: str, method: str, *, powershell: str) -> str:
    """RuntimeException, MethodNotFound: "doesn't contain" up to 2.0, "does not contain" from 3.0."""
    verb = "doesn't" if powershell in ("1.0", "2.0") else "does not"
    return f"Method invocation failed because [{type_name}] {verb} contain a method named '{method}'."


def variable_not_set(name: str) -> str:
    """The strict-mode error for an unset variable (Set-StrictMode / Set-PSDebug -Strict); without strict mode the
    host raises nothing and the variable is $null."""
    return f"The variable '${name}' cannot be retrieved because it has not been set."
