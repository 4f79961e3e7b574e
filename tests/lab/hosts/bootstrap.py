"""Recognise the host channel's bootstrap by what it does, and decode the payload it would run.

docs/architecture.md "Host channel protocol": the bootstrap reads stdin, through ``$input`` or from the process's
standard input (``[Console]::In.ReadToEnd()``), base64-decodes it, decodes UTF-8 and runs the text with
``$ExecutionContext.InvokeCommand.NewScriptBlock(...)``. A script is taken for a bootstrap when its parse tree holds
exactly that data flow and invokes nothing else; the wording, variable names and layout are free, so the lab follows
the protocol rather than one string. Which of the two sources receives stdin is the host's ``stdin_reaches_input``
setting (docs/lab.md "Lab settings").
"""

from __future__ import annotations

import base64
import binascii
from dataclasses import dataclass, field

import tree_sitter

from tests.pwsh.parser import ParsedScript

from .pserrors import LabNoModel

__all__ = ["BootstrapShape", "PayloadDecodeError", "bootstrap_payload", "bootstrap_shape", "decode_payload"]

# The .NET members of the data flow, lower case: decoding (Convert.FromBase64String, Encoding.UTF8.GetString) and
# compiling (EngineIntrinsics.InvokeCommand.NewScriptBlock).
_REQUIRED_MEMBERS = {"frombase64string", "utf8", "getstring", "newscriptblock"}
_REQUIRED_VARIABLES = {"$executioncontext"}
# The process's standard input as .NET 2.0 gives it (System.Console.In, a TextReader; host-facts.md lists
# [Console]::In.ReadToEnd() at the 1.0 level), read whole, blanks removed and any case.
_CONSOLE_IN = {"[console]::in.readtoend()", "[system.console]::in.readtoend()"}
# Commands a bootstrap may call besides invoking the block: building the string buffer it collects stdin in.
_HARMLESS_COMMANDS = {("new-object", "text.stringbuilder"), ("new-object", "system.text.stringbuilder")}


class PayloadDecodeError(ValueError):
    """stdin is not base64 (``[Convert]::FromBase64String`` would throw a FormatException the lab does not word)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass
class BootstrapShape:
    """What the tree shows: the members and variables the script uses and the commands it invokes."""

    members: set[str] = field(default_factory=set)
    variables: set[str] = field(default_factory=set)
    commands: list[str] = field(default_factory=list)
    invokes_script_block: bool = False
    reads_console_in: bool = False

    @property
    def reads_input(self) -> bool:
        return "$input" in self.variables

    @property
    def is_bootstrap(self) -> bool:
        return (
            self.members >= _REQUIRED_MEMBERS
            and self.variables >= _REQUIRED_VARIABLES
            and (self.reads_input or self.reads_console_in)
            and self.invokes_script_block
            and not self.commands
        )


def _invoked_block(script: ParsedScript, command: tree_sitter.Node) -> bool:
    """``& <expr>`` / ``. <expr>`` whose expression is the NewScriptBlock call or a variable holding one."""
    operator = next((child for child in command.children if child.type == "command_invokation_operator"), None)
    if operator is None:
        return False
    name = command.child_by_field_name("command_name")
    return name is not None and (
        "newscriptblock" in script.text_of(name).lower() or script.text_of(name).lower().startswith("$")
    )


def _harmless(script: ParsedScript, command: tree_sitter.Node) -> bool:
    words = tuple(script.text_of(command).lower().split())
    return words in _HARMLESS_COMMANDS


def bootstrap_shape(script: ParsedScript) -> BootstrapShape:
    shape = BootstrapShape()
    for node in script.nodes_of(
        "member_name", "variable", "path_command_name_token", "command", "invokation_expression"
    ):
        if node.type == "invokation_expression":
            if "".join(script.text_of(node).lower().split()) in _CONSOLE_IN:
                shape.reads_console_in = True
        elif node.type == "member_name":
            shape.members.add(script.text_of(node).lower())
        elif node.type == "variable":
            shape.variables.add(script.text_of(node).lower())
        elif node.type == "path_command_name_token":
            # "& $ExecutionContext.InvokeCommand.NewScriptBlock(...)" parses as a command path ".InvokeCommand..."
            shape.members.update(part.lower() for part in script.text_of(node).split(".") if part)
        elif node.type == "command":
            if _invoked_block(script, node):
                shape.invokes_script_block = True
            elif not _harmless(script, node):
                name = node.child_by_field_name("command_name")
                shape.commands.append(script.text_of(name) if name is not None else script.text_of(node))
    return shape


def bootstrap_payload(shape: BootstrapShape, stdin: bytes, *, stdin_reaches_input: bool) -> str | None:
    """The payload text the bootstrap compiles, from the source that receives stdin on this host; None when the
    bootstrap reads only the other one and so compiles an empty script block (which prints nothing).

    ``stdin_reaches_input``: powershell.exe feeds stdin to ``$input``; otherwise ``$input`` yields nothing and stdin
    stays unread for ``[Console]::In``. What ``[Console]::In`` returns after powershell.exe read stdin for ``$input``
    is not modelled: a bootstrap that reads only ``[Console]::In`` there is refused.
    """
    if stdin_reaches_input and shape.reads_input:
        return decode_payload(stdin)
    if stdin_reaches_input:
        raise LabNoModel("[Console]::In on a host whose powershell.exe feeds stdin to $input")
    if shape.reads_console_in:
        return decode_payload(stdin)
    return None


def decode_payload(stdin: bytes) -> str:
    """The text the bootstrap compiles: stdin lines joined, base64-decoded, then UTF-8 decoded.

    ``Encoding.UTF8.GetString`` replaces invalid bytes with U+FFFD rather than failing; ``FromBase64String`` ignores
    white space and throws FormatException on anything else that is not base64.
    """
    text = stdin.decode("ascii", errors="replace")
    joined = "".join(text.splitlines())
    compact = "".join(joined.split())
    try:
        raw = base64.b64decode(compact, validate=True)
    except binascii.Error as error:
        raise PayloadDecodeError(f"stdin is not base64 ({error})") from error
    return raw.decode("utf-8", errors="replace")
