"""The few plain scripts (not the host channel) the lab answers: literals written out, versions, the host name.

Each statement must be one of the modelled forms; any other statement makes the whole script a
:class:`LabNoModel`, so nothing is ever answered with invented output.
"""

from __future__ import annotations

import tree_sitter

from tests.pwsh.errors import LiteralError
from tests.pwsh.literals import literal_value
from tests.pwsh.parser import ParsedScript

from .pserrors import LabNoModel, Outcome
from .specs import HostSpec

__all__ = ["run_plain_script"]

_WRITERS = {"write-output", "echo", "write"}  # echo and write are Write-Output's aliases from 1.0


def _host_version(spec: HostSpec) -> str:
    # $Host.Version of the console host: 1.0.0.0 on PowerShell 1.0, the engine version ("2.0", "4.0") later.
    return "1.0.0.0" if spec.powershell_version == "1.0" else spec.powershell_version


def _expressions(spec: HostSpec) -> dict[str, str]:
    values = {
        "$host.version.tostring()": _host_version(spec),
        "$env:computername": spec.computer_name,
        "hostname": spec.computer_name,  # hostname.exe prints the computer's host name
        "hostname.exe": spec.computer_name,
    }
    if spec.powershell_version != "1.0":  # host-facts.md: there is no $PSVersionTable in 1.0
        values["$psversiontable.psversion.tostring()"] = spec.powershell_version
    return values


def _text(value: object) -> str:
    if isinstance(value, bool):
        return "True" if value else "False"
    if isinstance(value, list):
        return "\r\n".join(_text(item) for item in value)
    return str(value)


def _writer_output(script: ParsedScript, command: tree_sitter.Node) -> str | None:
    name = command.child_by_field_name("command_name")
    if name is None or script.text_of(name).lower() not in _WRITERS:
        return None
    elements = command.child_by_field_name("command_elements")
    parts = [] if elements is None else [c for c in elements.children if c.type != "command_argument_sep"]
    lines = []
    for part in parts:
        if part.type == "generic_token":
            lines.append(script.text_of(part))  # a bare word is a string argument
            continue
        try:
            lines.append(_text(literal_value(script, part, name="Write-Output")))
        except LiteralError:
            return None
    return "".join(line + "\r\n" for line in lines)


def _statement_output(script: ParsedScript, statement: tree_sitter.Node, spec: HostSpec) -> str | None:
    text = "".join(script.text_of(statement).split()).lower()
    expressions = _expressions(spec)
    if text in expressions:
        return expressions[text] + "\r\n"
    commands = [node for node in statement.named_children if node.type == "pipeline_chain"]
    if statement.type == "pipeline" and commands and commands[0].named_child_count == 1:
        inner = commands[0].named_children[0]
        if inner.type == "command":
            return _writer_output(script, inner)
        try:
            return _text(literal_value(script, inner, name="output")) + "\r\n"
        except LiteralError:
            return None
    return None


def run_plain_script(script: ParsedScript, spec: HostSpec) -> Outcome:
    """Output and exit code of a script made only of modelled statements (``exit N`` ends it)."""
    out: list[str] = []
    statements = [
        statement
        for node in script.root.named_children
        for statement in (node.named_children if node.type == "statement_list" else [node])
    ]
    for statement in statements:
        if statement.type in ("empty_statement", "comment"):
            continue
        words = script.text_of(statement).split()
        if statement.type == "flow_control_statement" and words[0].lower() == "exit":
            if len(words) == 1:
                return "".join(out), "", 0
            if len(words) == 2 and words[1].lstrip("-").isdigit():
                return "".join(out), "", int(words[1])
        output = _statement_output(script, statement, spec)
        if output is None:
            line = script.position(statement)[0]
            raise LabNoModel(f"statement {script.text_of(statement)[:60]!r}", line=line)
        out.append(output)
    return "".join(out), "", 0
