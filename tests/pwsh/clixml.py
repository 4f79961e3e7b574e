"""PowerShell's error text for a problem, and the CLIXML it becomes on a redirected stderr.

Layouts (docs/powershell-checks.md, "Error text"):
- 3.0/4.0: ``<Command> : <message>`` (run-time errors raised for a command), ``At line:L char:C``, ``+ <line>``,
  ``+ <~~~ under the extent>``, then the CategoryInfo and FullyQualifiedErrorId lines; a parse error prints the
  position block first and the message after it.
- 2.0: the message, ``At line:L char:C`` with C just after the extent, ``+ <line up to the extent> <<<< <rest>``,
  then CategoryInfo and FullyQualifiedErrorId (the layout of the 2.0-era about_Scripts example).
- 1.0: as 2.0 without the CategoryInfo and FullyQualifiedErrorId lines (unsure: not confirmed on a 1.0 host).
winrm-protocol.md, "What PowerShell on the host puts on the wire": ``#< CLIXML`` + ``<Objs ...>`` with one
``<S S="Error">`` per line, CR LF written as ``_x000D__x000A_``.
"""

from __future__ import annotations

from xml.sax.saxutils import escape

from .errors import ScriptProblem

__all__ = ["format_error_clixml", "format_error_text"]

_NAMESPACE = "http://schemas.microsoft.com/powershell/2004/04"


def format_error_text(problem: ScriptProblem, *, powershell: str = "2.0") -> str:
    """The lines PowerShell writes to the error stream for this problem, CR LF separated and terminated."""
    lines: list[str]
    if powershell in ("1.0", "2.0"):
        end = problem.column + problem.length - 1
        source = problem.source_line
        marked = f"+ {source[:end]} <<<< {source[end:]}"
        prefix = f"{problem.command} : " if problem.exception == "ParameterBindingException" else ""
        lines = [prefix + problem.message, f"At line:{problem.line} char:{end + 1}", marked]
        if powershell == "2.0":
            lines += _category_lines(problem)
    else:
        position = [
            f"At line:{problem.line} char:{problem.column}",
            f"+ {problem.source_line}",
            "+ " + " " * (problem.column - 1) + "~" * max(problem.length, 1),
        ]
        if problem.when == "parse":
            lines = [*position, problem.message]
        else:
            prefix = f"{problem.command} : " if problem.command and problem.kind != "command" else ""
            if problem.kind == "command" or problem.fqid == "CommandNotFoundException":
                prefix = f"{problem.target} : " if problem.target else ""
            lines = [prefix + problem.message, *position]
        lines += _category_lines(problem)
    return "".join(line + "\r\n" for line in lines)


def format_error_clixml(problem: ScriptProblem, powershell: str = "2.0") -> str:
    """``#< CLIXML`` + the error text as ``<S S="Error">`` entries, as powershell.exe writes a redirected stderr."""
    text = format_error_text(problem, powershell=powershell)
    entries = "".join(f'<S S="Error">{_encode(line + chr(13) + chr(10))}</S>' for line in text.split("\r\n")[:-1])
    return f'#< CLIXML\r\n<Objs Version="1.1.0.1" xmlns="{_NAMESPACE}">{entries}</Objs>'


def _category_lines(problem: ScriptProblem) -> list[str]:
    activity = problem.command if problem.exception == "ParameterBindingException" else ""
    target = f"{problem.target}:String" if problem.target else ":"
    category = f"{problem.category}: ({target}) [{activity}], {problem.exception or 'RuntimeException'}"
    return [f"    + CategoryInfo          : {category}", f"    + FullyQualifiedErrorId : {problem.fqid}"]


def _encode(text: str) -> str:
    """CLIXML string escaping: control characters and a literal "_x" as _xHHHH_, then XML escaping."""
    encoded: list[str] = []
    for index, char in enumerate(text):
        if char == "_" and text[index + 1 : index + 2] == "x":
            encoded.append("_x005F_")
        elif ord(char) < 0x20 or 0xD800 <= ord(char) <= 0xDFFF or char in "\ufffe\uffff":
            encoded.append(f"_x{ord(char):04X}_")
        else:
            encoded.append(char)
    return escape("".join(encoded))
