"""The command line a WinRS command hands to cmd.exe, read the way cmd.exe and powershell.exe read it.

powershell.exe (``powershell.exe -?``) takes ``-NoProfile``, ``-NonInteractive``, ``-ExecutionPolicy <policy>``
(documented from PowerShell 2.0; on a host whose ``accepts_execution_policy`` setting is false it is no option, see
docs/lab.md "Lab settings"), ``-EncodedCommand <base64 of UTF-16-LE>`` and ``-Command <text> | -`` (each may be
shortened to an unambiguous prefix, ``-ec`` / ``-e`` / ``-enc`` for ``-EncodedCommand``, ``-ep`` for
``-ExecutionPolicy``); anything else after the options is the command (an implicit ``-Command``). A ``-Name`` that
is no option of this powershell.exe therefore starts the command, and PowerShell reports ``-Name`` as a command it
does not know (``-ExecutionPolicey : The term '-ExecutionPolicey' is not recognized ...`` is how 2.0 and later
answer a misspelt switch; for 1.0 the same is assumed).
"""

from __future__ import annotations

import base64
import binascii
import re
from dataclasses import dataclass, field

from tests.pwsh.errors import ScriptProblem
from tests.pwsh.messages import command_not_found

__all__ = ["CommandLine", "CommandLineError", "parse_command_line", "split_arguments", "unknown_option_problem"]


class CommandLineError(ValueError):
    """A command line the lab has no model for (an unknown program or powershell.exe option, a bad value)."""

    def __init__(self, message: str, *, token: str) -> None:
        super().__init__(message)
        self.token = token


@dataclass(frozen=True)
class CommandLine:
    """``program`` is the file name without path or ``.exe``, lower case; ``script`` the PowerShell text to run."""

    program: str
    arguments: list[str]
    options: dict[str, str | bool] = field(default_factory=dict)
    script: str | None = None
    script_from_stdin: bool = False
    # A -Name that is no option of this powershell.exe and so the first word of the implicit command.
    unknown_option: str | None = None


# (canonical name, shortest accepted prefix, takes a value); extra short forms below.
_OPTIONS = (
    ("noprofile", "nop", False),
    ("nologo", "nol", False),
    ("noexit", "noe", False),
    ("noninteractive", "noni", False),
    ("sta", "s", False),
    ("executionpolicy", "ex", True),
    ("encodedcommand", "e", True),
    ("inputformat", "i", True),
    ("outputformat", "o", True),
    ("windowstyle", "w", True),
    ("command", "c", True),
    ("file", "f", True),
    ("version", "v", True),
    ("psconsolefile", "psc", True),
)
_ALIASES = {"ec": "encodedcommand", "ep": "executionpolicy"}
_OPTION_LIKE = re.compile(r"-[A-Za-z]")
# What the lab models of the options above: the rest (for example -NoExit or -InputFormat XML) it refuses.
_MODELLED = {"noprofile", "nologo", "noninteractive", "executionpolicy", "encodedcommand", "command", "inputformat"}


def split_arguments(command_line: str) -> list[str]:
    """Split as CommandLineToArgvW does: blanks separate, double quotes group, backslashes escape a quote."""
    arguments: list[str] = []
    current: list[str] = []
    in_token = in_quotes = False
    index = 0
    while index < len(command_line):
        character = command_line[index]
        if character == "\\":
            run = len(command_line[index:]) - len(command_line[index:].lstrip("\\"))
            if index + run < len(command_line) and command_line[index + run] == '"':
                current.append("\\" * (run // 2))
                if run % 2:
                    current.append('"')
                    index += run + 1
                else:
                    index += run
            else:
                current.append("\\" * run)
                index += run
            in_token = True
            continue
        if character == '"':
            in_quotes = not in_quotes
            in_token = True
        elif character in " \t" and not in_quotes:
            if in_token:
                arguments.append("".join(current))
                current, in_token = [], False
        else:
            current.append(character)
            in_token = True
        index += 1
    if in_token:
        arguments.append("".join(current))
    return arguments


def _program_name(token: str) -> str:
    name = token.replace("/", "\\").rsplit("\\", 1)[-1].lower()
    return name.removesuffix(".exe")


def _match_option(token: str) -> str | None:
    if len(token) < 2 or token[0] not in "-/":
        return None
    key = token[1:].lower()
    if key in _ALIASES:
        return _ALIASES[key]
    for name, shortest, _takes_value in _OPTIONS:
        if name.startswith(key) and key.startswith(shortest):
            return name
    return None


def _decode_encoded_command(value: str) -> str:
    try:
        raw = base64.b64decode(value, validate=True)
        return raw.decode("utf-16-le")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        message = "the -EncodedCommand value is not base64 of UTF-16-LE text"
        raise CommandLineError(message, token="-EncodedCommand") from error


def parse_command_line(command_line: str, *, accepts_execution_policy: bool = True) -> CommandLine:
    """Read the program and, for powershell.exe, its options and the script it would run.

    ``accepts_execution_policy`` false: this powershell.exe has no ``-ExecutionPolicy`` (the host's lab setting).
    """
    arguments = split_arguments(command_line)
    if not arguments:
        raise CommandLineError("empty command line", token="")
    program = _program_name(arguments[0])
    if program != "powershell":
        return CommandLine(program=program, arguments=arguments[1:])
    options: dict[str, str | bool] = {}
    script: str | None = None
    from_stdin = False
    index = 1
    while index < len(arguments):
        token = arguments[index]
        name = _match_option(token)
        if name == "executionpolicy" and not accepts_execution_policy:
            name = None
        if name is None:
            if script is not None:
                message = f"the lab has no model for arguments after -EncodedCommand: {token}"
                raise CommandLineError(message, token=token)
            # powershell.exe: the first argument that is not an option starts the command.
            script = " ".join(arguments[index:])
            unknown = token if _OPTION_LIKE.match(token) else None
            return CommandLine(
                program="powershell", arguments=arguments[1:], options=options, script=script, unknown_option=unknown
            )
        if name not in _MODELLED:
            raise CommandLineError(f"the lab has no model for powershell.exe option {token}", token=token)
        takes_value = next(value for option, _shortest, value in _OPTIONS if option == name)
        if not takes_value:
            options[name] = True
            index += 1
            continue
        if index + 1 >= len(arguments):
            raise CommandLineError(f"powershell.exe option {token} needs a value", token=token)
        value = arguments[index + 1]
        if name == "command":
            # -Command takes the rest of the line; "-" reads the script from stdin.
            rest = arguments[index + 1 :]
            if rest == ["-"]:
                from_stdin = True
            else:
                script = " ".join(rest)
            break
        if name == "encodedcommand":
            script = _decode_encoded_command(value)
        elif name == "inputformat" and value.lower() != "text":
            raise CommandLineError(f"the lab has no model for -InputFormat {value}", token=value)
        options[name] = value
        index += 2
    return CommandLine(
        program="powershell", arguments=arguments[1:], options=options, script=script, script_from_stdin=from_stdin
    )


def unknown_option_problem(line: CommandLine, *, powershell: str) -> ScriptProblem:
    """What PowerShell reports for a command line whose implicit command starts with ``line.unknown_option``: the
    switch is taken as the name of a command, which does not exist (CommandNotFoundException, exit code 1)."""
    name = line.unknown_option or ""
    return ScriptProblem(
        kind="command",
        message=command_not_found(name, powershell=powershell),
        line=1,
        column=1,
        fqid="CommandNotFoundException",
        category="ObjectNotFound",
        command=name,
        source_line=line.script or "",
        length=len(name),
        target=name,
        exception="CommandNotFoundException",
    )
